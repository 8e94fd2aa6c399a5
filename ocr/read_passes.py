"""The recognition passes over a page's crops: every field in few batched engine calls.

Each field is read at every horizontal stretch of its type and the most certain reading
kept, the others beside it; comb boxes read wrong as a line are read cell by cell; フリガナ
the name beside it does not confirm are read again wider; a field in pieces also gets each
piece at its surest stretch. The results are the engine's words, piece by piece.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import cv2

from ocr.engines.base import OcrEngine, OcrWord
from ocr.read_pairs import least_certain
from ocr.read_plan import Piece, Plan
from ocr.read_text import same_in_value


def recognise(engine: OcrEngine, fields: Sequence[Sequence[Piece]]) -> list[list[list[OcrWord]]]:
    """Every piece of every field through ``engine``, batched when the engine can."""
    flat = [piece for pieces in fields for piece in pieces]
    batch = getattr(engine, "read_lines", None)
    if batch is not None:
        words = batch([p.image for p in flat], [p.charset for p in flat])
    else:
        words = [engine.read_line(p.image, p.charset) for p in flat]
    out: list[list[list[OcrWord]]] = []
    at = 0
    for pieces in fields:
        out.append(words[at : at + len(pieces)])
        at += len(pieces)
    return out


def recognise_best(engine: OcrEngine, plans: list[Plan]) -> list[list[list[OcrWord]]]:
    """Read each field at every stretch of its type, keep the most certain reading (and
    make its pieces the field's pieces for any second engine) and the others beside it."""
    variants = [(i, stretched(p.pieces, f)) for i, p in enumerate(plans) for f in p.rule.stretches]
    readings = recognise(engine, [pieces for _, pieces in variants])
    read: dict[int, list[tuple[tuple[float, float], list[Piece], list[list[OcrWord]]]]] = {}
    for (i, pieces), words in zip(variants, readings, strict=True):
        words = [pooled(piece, plans[i].spec.type) for piece in words]
        read.setdefault(i, []).append((surety(words), pieces, words))
    best = []
    for i, plan in enumerate(plans):
        plan.unstretched = plan.pieces
        # Most certain first; of equals, the least stretched (sorted is stable).
        (_, plan.pieces, words), *others = sorted(read[i], key=lambda r: r[0], reverse=True)
        plan.other_stretches = [(pieces, words) for _, pieces, words in others]
        best.append(words)
    return best


#: A character read less surely than this was not read: readings whose least certain
#: character is below it are alike in that, and ranked by their other characters.
NOT_READ = 0.01


def surety(words: list[list[OcrWord]]) -> tuple[float, float]:
    """How sure a reading is, to rank the stretches of one field by: its least certain
    character's probability (all below :data:`NOT_READ` alike), then the mean of its
    characters' (a piece of ink read as nothing counts as one character at 0). Blurred
    ｵｵﾀ ﾕｲﾅ reads オ　ケ at 0.002 and 0.003, stretched オオタ　ユ at 1, 1, 0.82 and
    0.0007: both have a character not read, and the second is far surer."""
    confidences = [w.confidence for piece in words for w in piece] + [0.0] * sum(
        not piece for piece in words
    )
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return max(least_certain(words), NOT_READ), mean


def read_wider(engine: OcrEngine, plans: list[Plan], fields: set[str]) -> None:
    """``fields`` read again at their type's alternative stretches, kept with the other
    stretches' readings (triple-width フリガナ: slow, and worth it only where the name does
    not already confirm the reading, and the writing read best stretched: half-width)."""
    wider = [
        (plan, stretched(plan.unstretched, f))
        for plan in plans
        if plan.spec.name in fields and plan.pieces and plan.pieces[0].stretch > 1.0
        for f in plan.rule.alternative_stretches
    ]
    readings = recognise(engine, [pieces for _, pieces in wider])
    # After the type's own stretches: those are tried first.
    for (plan, pieces), words in zip(wider, readings, strict=True):
        plan.other_stretches.append((pieces, [pooled(piece, plan.spec.type) for piece in words]))


def each_piece_at_its_best(
    plan: Plan, words: list[list[OcrWord]]
) -> tuple[list[Piece], list[list[OcrWord]]] | None:
    """The field's pieces each at the stretch it was read most surely at, where that is not
    one stretch for all (ｳﾁﾀﾞ reads surely at double width, ｲﾁﾛｳ only at triple); None
    where it is, or the field is one piece."""
    readings = [(plan.pieces, words), *plan.other_stretches]
    if len(plan.pieces) < 2 or len(readings) < 2:
        return None
    best = [
        max(range(len(readings)), key=lambda k: least_certain([readings[k][1][i]]))
        for i in range(len(plan.pieces))
    ]
    if len(set(best)) == 1:
        return None
    return (
        [readings[k][0][i] for i, k in enumerate(best)],
        [readings[k][1][i] for i, k in enumerate(best)],
    )


def pooled(words: list[OcrWord], field_type: str) -> list[OcrWord]:
    """Each character's confidence with the engine's other guesses for it added that
    become the same character in the field's value: ２ or 2, 號 or 号 in an address, any
    dash between two numbers are one reading, not a doubt between two."""
    pooled = []
    for w in words:
        same = [p for ch, p in w.alternatives if same_in_value(field_type, ch, w.text)]
        pooled.append(replace(w, confidence=min(1.0, w.confidence + sum(same))) if same else w)
    return pooled


def stretched(pieces: list[Piece], factor: float) -> list[Piece]:
    if factor == 1.0:
        return pieces
    return [
        Piece(
            cv2.resize(p.image, None, fx=factor, fy=1.0, interpolation=cv2.INTER_LINEAR),
            p.charset,
            p.joiner,
            p.ink_height,
            p.x_origin,
            p.stretch * factor,
        )
        for p in pieces
    ]


def retry_combs(engine: OcrEngine, plans: list[Plan], readings: list[list[list[OcrWord]]]) -> None:
    """A comb read as a line must give one character per inked cell; where it does not,
    read the cells one by one and keep each cell's best character."""
    retry = [
        i
        for i, plan in enumerate(plans)
        if plan.cells is not None and len(readings[i][0]) != len(plan.cells)
    ]
    if not retry:
        return
    cell_readings = recognise(engine, [[c] for i in retry for c in plans[i].cells or []])
    at = 0
    for i in retry:
        count = len(plans[i].cells or [])
        chars = []
        for (cell_words,) in cell_readings[at : at + count]:
            best = max(cell_words, key=lambda w: w.confidence, default=None)
            chars.append(best or OcrWord("?", (0, 0, 0, 0), 0.0))
        readings[i] = [chars]
        at += count
