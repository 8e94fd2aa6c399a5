"""Read every field of a registered page by its type.

For each field box the printed form is removed (:mod:`ocr.read_ink`); a box without written
ink is empty and costs no OCR. Checkboxes are decided by ink alone. Everything else is cut
into text-line crops (comb boxes: their inked cells side by side) and recognised in one
batch by the first engine with the field type's character set; a second engine, when
given, re-reads the digit-like fields the first is not sure of. The recognised text
becomes a normalized value through :func:`validators.normalize.normalize`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from ocr.engines.base import OcrEngine, OcrWord
from ocr.layout import FieldSpec, FormLayout
from ocr.read_address import match_places
from ocr.read_confidence import combined, threshold
from ocr.read_glyphs import settle_variants
from ocr.read_ink import (
    Box,
    FieldInk,
    cell_boxes,
    crop_margin,
    cut,
    cut_around,
    field_box,
    fields_mask,
    layout_mask,
    line_crop,
    name_spans,
    normalise_contrast,
    runs,
    share_in_box,
    stray_ink,
    text_lines,
    word_spans,
)
from ocr.read_pairs import (
    RESPELLED_CONFIDENCE,
    Reading,
    as_company,
    check_names,
    least_certain,
    unconfirmed_readings,
)
from ocr.read_spacing import ink_unread, name_space
from ocr.read_spelling import likelier_spelling
from ocr.read_text import JAPANESE_TYPES, legal_forms, may_be_variant, same_in_value, tidy
from ocr.read_types import INK_ONLY_TYPES, RULES, TypeRule
from ocr.read_vocabulary import settle_known
from ocr.result import FieldResult, Value
from validators.checkdigits import fails_check_digit
from validators.normalize import FULL_WIDTH_SPACE, NormalizationError, normalize

#: Fewer written pixels than this (~0.07 mm²) is an empty box; a thin handwritten 1 in a
#: slip's small cell has under 20.
MIN_INK_PX = 10
#: A checkbox holds a mark when it has at least this many written pixels, like any other
#: field: a small handwritten レ in a slip's cell is about 30 pixels, a stray dot under 10.
CHECK_MIN_PX = 20
#: The second engine re-reads a digit field only when the first is less sure than this.
#: Measured on generated clean, handwritten and degraded pages: PP-OCR at or above it was
#: never wrong on digits (0 of ~830), and there Tesseract's disagreements were all its own
#: mistakes (~1 field in 4); below it, its disagreement caught every PP-OCR error.
SECOND_OPINION_BELOW = 0.98
#: Confidence of a name or reading whose ink runs on past the characters read.
UNREAD_CONFIDENCE = 0.3
#: Confidence of a value not among those its box holds in practice (ocr.read_vocabulary).
UNUSUAL_CONFIDENCE = 0.5
#: A checkbox's ink is its mark when at least this share of the writing it belongs to lies
#: in the box: a tick overshoots a little, a stamp's ring crossing the box lies mostly
#: outside it.
MIN_MARK_SHARE_INSIDE = 0.35
#: ... followed this far around the box (~8 mm: a stamp's ring is ~20 mm across).
MARK_REACH_PX = 95
#: Confidence of a checkbox with unexplained ink around it.
STRAY_INK_CONFIDENCE = 0.3
#: Confidence of a name that may be spelt with a variant the recogniser cannot produce.
VARIANT_CONFIDENCE = 0.5
#: Writing running on into a neighbouring box by this many pixels puts a field in doubt ...
MIN_SPILL_PX = 3
#: ... at this confidence.
SPILL_CONFIDENCE = 0.3
#: Confidence of a name and a フリガナ that no dictionary reading joins, and of a フリガナ
#: whose agreement with its name is not certain (see ocr.read_names.NameMatch).
UNMATCHED_READING_CONFIDENCE = 0.3
#: A box without ink but with this many pixels of faint writing (lighter than ink, in
#: blobs) is read from the faint writing ...
MIN_FAINT_WRITING_PX = 40
#: ... where its type is one of these: the 元号 box holds one character, often the one a
#: thin brush leaves too light (昭: 6 of the second seed range's era errors). Elsewhere a
#: red 印 dropped to grey, or noise, read so invented values (5 on the same pages).
FAINT_READ_TYPES = frozenset({"era"})
#: A box with fewer ink pixels than MIN_INK_PX but at least this many, joined to faint
#: writing of MIN_FAINT_WRITING_PX or more, holds faded writing (any type: the dark
#: pixels show it is no stamp's trace or noise, which the faint-only reading of
#: FAINT_READ_TYPES must rule out).
MIN_SEED_PX = 3
#: Confidence of a digit field with faint writing beside what was read.
FAINT_BESIDE_CONFIDENCE = 0.3
#: A page with at least this share of its written fields in review was read badly as a
#: whole (too thin, too blurred, off its boxes): nothing on it is left unchecked. Among
#: generated pages, the worst well-read ones had under half in review.
UNREADABLE_PAGE_SHARE = 0.6
#: ... counted only on pages with this many written fields (a slip holding three values,
#: two in review, is not a bad scan).
UNREADABLE_PAGE_MIN_FIELDS = 10
#: Types holding words the dictionary can check (titles, remarks); names have their own
#: readings, addresses the postal list (and the dictionary past it: :func:`_result`).
_PROSE_TYPES = frozenset({"text", "free_text"})
#: The calibration key of fields found empty (no OCR ran on them).
EMPTY = "empty"


@dataclass
class _Piece:
    """One crop to recognise and the text that joins it to the piece before."""

    image: np.ndarray
    charset: str | None
    joiner: str = ""
    #: Height of the written ink in the crop, where the crop starts in its line (unstretched
    #: pixels) and the horizontal stretch applied to it.
    ink_height: int = 0
    x_origin: int = 0
    stretch: float = 1.0


@dataclass
class _Plan:
    """What it takes to read one field."""

    spec: FieldSpec
    box: Box
    rule: TypeRule
    pieces: list[_Piece] = field(default_factory=list)
    #: Comb boxes: one digit per inked cell, with each cell's crop for a second try.
    cells: list[_Piece] | None = None
    #: Ink of this field's writing found running on into a neighbouring field's box.
    spilled: int = 0
    #: Writing that stops just inside a side of the box, as if cut short there.
    at_side: bool = False
    #: Faint writing beside the ink read (fields read as a line).
    faint: int = 0
    #: The pieces and the first engine's words at the type's other stretches, most
    #: certain first.
    other_stretches: list[tuple[list[_Piece], list[list[OcrWord]]]] = field(default_factory=list)
    #: The pieces as cut, before any stretch.
    unstretched: list[_Piece] = field(default_factory=list)


def read_fields(
    page: np.ndarray, layout: FormLayout, engines: Sequence[OcrEngine]
) -> dict[str, FieldResult]:
    """A FieldResult for every field of ``layout`` read from ``page``.

    ``page`` is grey uint8 registered on the blank template's 300-dpi pixel grid.
    ``engines[0]`` reads every written text field; ``engines[1]``, if given, re-reads the
    digit-like fields read with less than :data:`SECOND_OPINION_BELOW` certainty: its
    agreement raises the confidence, its disagreement sends the field to review. Empty
    fields get ``value=None`` without any OCR call.
    """
    if not engines:
        raise ValueError("read_fields needs at least one OCR engine")
    if page.ndim == 3:
        page = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    printed = layout_mask(layout)
    fields = fields_mask(layout)
    if page.shape != printed.shape:
        raise ValueError(
            f"page {page.shape[::-1]} is not on the {layout.form_id} template grid "
            f"{printed.shape[::-1]}; register it first"
        )
    page = normalise_contrast(page, layout)
    results: dict[str, FieldResult] = {}
    plans: list[_Plan] = []
    for spec in layout.fields:
        decided, plan = _plan(page, printed, spec, fields)
        if decided is not None:
            results[spec.name] = decided
        elif plan is not None:
            plans.append(plan)

    first = _recognise_best(engines[0], plans)
    _retry_combs(engines[0], plans, first)
    second: list[list[list[OcrWord]] | None] = [None] * len(plans)
    if len(engines) > 1:
        checked = [
            i
            for i, p in enumerate(plans)
            if p.rule.second_opinion and least_certain(first[i]) < SECOND_OPINION_BELOW
        ]
        rereadings = _recognise(engines[1], [plans[i].pieces for i in checked])
        for i, reading in zip(checked, rereadings, strict=True):
            second[i] = reading

    readings = {p.spec.name: _reading(p, words) for p, words in zip(plans, first, strict=True)}
    _read_wider(engines[0], plans, unconfirmed_readings(layout, readings))
    for plan, surest in zip(plans, first, strict=True):
        readings[plan.spec.name].alternatives = [
            _reading(replace(plan, pieces=pieces), words) for pieces, words in plan.other_stretches
        ]
        mixed = _each_piece_at_its_best(plan, surest)
        if mixed is not None:
            readings[plan.spec.name].alternatives.append(
                _reading(replace(plan, pieces=mixed[0]), mixed[1])
            )
    check_names(layout, readings)
    for plan, other in zip(plans, second, strict=True):
        results[plan.spec.name] = _result(plan, readings[plan.spec.name], other)
    return _page_in_doubt({spec.name: results[spec.name] for spec in layout.fields})


def _page_in_doubt(results: dict[str, FieldResult]) -> dict[str, FieldResult]:
    """``results``, all sent to review where most of the page's writing already is (a
    value that looks certain on a page read that badly is still a guess: 4 read 1)."""
    written = [r for r in results.values() if r.value is not None or r.needs_review]
    doubted = sum(r.needs_review for r in written)
    if len(written) < UNREADABLE_PAGE_MIN_FIELDS or doubted < UNREADABLE_PAGE_SHARE * len(written):
        return results
    return {
        name: replace(r, needs_review=True, doubts=(*r.doubts, "page"))
        if r.value is not None
        else r
        for name, r in results.items()
    }


def _plan(
    page: np.ndarray, printed: np.ndarray, spec: FieldSpec, fields: np.ndarray
) -> tuple[FieldResult | None, _Plan | None]:
    """Either the finished result (empty box, checkbox) or the crops still to recognise."""
    box = field_box(spec)
    ink = cut(page, printed, box)
    if spec.type in INK_ONLY_TYPES:
        margin = min(box.w, box.h)
        stray = stray_ink(page, printed, fields, box, margin)
        inked = ink.ink_pixels >= CHECK_MIN_PX
        share = share_in_box(page, printed, box, MARK_REACH_PX) if inked else 1.0
        return _checkbox(spec, ink, stray, share), None
    if not spec.cells:
        # Text printed or written a little past the box edge is still this field's.
        ink = cut_around(page, printed, fields, box)
    faint_only = False
    if ink.ink_pixels < MIN_INK_PX:
        faint = _faint_writing(ink, spec.type)
        if (
            faint is None
            or int(faint.sum()) < MIN_FAINT_WRITING_PX
            # Faint ink around the box too is a stamp's (a red 印 in a grey scan).
            or stray_ink(page, printed, fields, box, min(box.w, box.h)) >= CHECK_MIN_PX
        ):
            return _empty(spec, box, ink.ink_pixels), None
        # Writing too light to count as ink (a thin brush's 昭, a faded 7): read it, in review.
        ink, faint_only = replace(ink, ink=faint), True
    rule = RULES[spec.type]
    plan = _Plan(spec, box, rule, spilled=ink.spilled)
    if not spec.cells:
        plan.at_side = ink.stops_at_side(box)
        plan.faint = ink.ink_pixels if faint_only else ink.faint_beside()
        weak = None if faint_only else ink.weak()
        if weak is not None:
            # Read the faded writing whole (its dark cores alone read as nothing), in review.
            ink, plan.faint = weak, weak.ink_pixels
        if plan.faint:
            # A faded character beside darker ones is read with them, in review.
            ink = ink.with_faint_beside() or ink
    if spec.cells:
        _plan_comb(plan, page, printed)
    else:
        _plan_lines(plan, ink)
    if not plan.pieces:
        return _empty(spec, box, ink.ink_pixels), None
    return None, plan


def _faint_writing(ink: FieldInk, field_type: str) -> np.ndarray | None:
    """The writing of a box with too little ink to read: the faint writing joined to the
    few dark pixels at its heart (any type: they show it is writing, not a stamp's trace
    or noise), or, for :data:`FAINT_READ_TYPES`, any faint writing; None if neither."""
    if ink.ink_pixels >= MIN_SEED_PX:
        weak = ink.weak()
        if weak is not None:
            return weak.ink
    return ink.faint_writing() if field_type in FAINT_READ_TYPES else None


def _plan_lines(plan: _Plan, ink: FieldInk) -> None:
    lines = text_lines(ink.ink) if plan.rule.multiline else runs(ink.ink.sum(axis=1), 10**6)
    for n, (y0, y1) in enumerate(lines):
        band = ink.ink[y0:y1]
        if plan.rule.spaces == "name":
            spans = name_spans(band, y1 - y0)
        elif plan.rule.spaces == "words":
            spans = word_spans(band, y1 - y0)
        else:
            spans = runs(band.sum(axis=0), min_gap=10**6)
        for m, (x0, x1) in enumerate(spans):
            joiner = "\n" if n and not m else (FULL_WIDTH_SPACE if m else "")
            piece = line_crop(ink.image, x0, x1, y0, y1)
            origin = x0 - crop_margin(y1 - y0)[0]
            plan.pieces.append(_Piece(piece, plan.rule.charset, joiner, y1 - y0, origin))


def _plan_comb(plan: _Plan, page: np.ndarray, printed: np.ndarray) -> None:
    """Comb boxes: the inked cells side by side as one line, and each cell on its own."""
    cells = [cut(page, printed, cell) for cell in cell_boxes(plan.spec)]
    inked_at = [i for i, c in enumerate(cells) if c.ink_pixels >= MIN_INK_PX]
    if not inked_at:
        return
    # A digit too light to count as ink (a serif 7's thin stroke, blurred) between written
    # ones, or next to them at either end, is read, in review, rather than left out.
    first, last = inked_at[0], inked_at[-1]
    faint = [c.faint_writing() if c.ink_pixels < MIN_INK_PX else None for c in cells]
    light = [f is not None and int(f.sum()) >= MIN_FAINT_WRITING_PX for f in faint]
    while first > 0 and light[first - 1]:
        first -= 1
    while last < len(cells) - 1 and light[last + 1]:
        last += 1
    for i in range(first, last + 1):
        writing = faint[i]
        if light[i] and writing is not None:
            cells[i] = replace(cells[i], ink=writing)
            inked_at.append(i)
            plan.faint += int(writing.sum())
    inked = [cells[i] for i in sorted(inked_at)]
    rows = np.concatenate([c.ink for c in inked], axis=1).sum(axis=1)
    y_spans = runs(rows, min_gap=10**6)
    y0, y1 = y_spans[0][0], y_spans[-1][1]
    crops = []
    for c in inked:
        cols = runs(c.ink.sum(axis=0), min_gap=10**6)
        crops.append(line_crop(c.image, cols[0][0], cols[-1][1], y0, y1))
    height = max(c.shape[0] for c in crops)
    crops = [
        cv2.copyMakeBorder(c, 0, height - c.shape[0], 0, 0, cv2.BORDER_REPLICATE) for c in crops
    ]
    plan.pieces.append(_Piece(np.concatenate(crops, axis=1), plan.rule.charset))
    plan.cells = [_Piece(c, plan.rule.charset) for c in crops]


def _recognise(engine: OcrEngine, fields: Sequence[Sequence[_Piece]]) -> list[list[list[OcrWord]]]:
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


def _recognise_best(engine: OcrEngine, plans: list[_Plan]) -> list[list[list[OcrWord]]]:
    """Read each field at every stretch of its type, keep the most certain reading (and
    make its pieces the field's pieces for any second engine) and the others beside it."""
    variants = [(i, _stretched(p.pieces, f)) for i, p in enumerate(plans) for f in p.rule.stretches]
    readings = _recognise(engine, [pieces for _, pieces in variants])
    read: dict[int, list[tuple[float, list[_Piece], list[list[OcrWord]]]]] = {}
    for (i, pieces), words in zip(variants, readings, strict=True):
        words = [_pooled(piece, plans[i].spec.type) for piece in words]
        read.setdefault(i, []).append((least_certain(words), pieces, words))
    best = []
    for i, plan in enumerate(plans):
        plan.unstretched = plan.pieces
        # Most certain first; of equals, the least stretched (sorted is stable).
        (_, plan.pieces, words), *others = sorted(read[i], key=lambda r: -r[0])
        plan.other_stretches = [(pieces, words) for _, pieces, words in others]
        best.append(words)
    return best


def _read_wider(engine: OcrEngine, plans: list[_Plan], fields: set[str]) -> None:
    """``fields`` read again at their type's alternative stretches, kept with the other
    stretches' readings (triple-width フリガナ: slow, and worth it only where the name does
    not already confirm the reading, and the writing read best stretched: half-width)."""
    wider = [
        (plan, _stretched(plan.unstretched, f))
        for plan in plans
        if plan.spec.name in fields and plan.pieces and plan.pieces[0].stretch > 1.0
        for f in plan.rule.alternative_stretches
    ]
    readings = _recognise(engine, [pieces for _, pieces in wider])
    # After the type's own stretches: those are tried first.
    for (plan, pieces), words in zip(wider, readings, strict=True):
        plan.other_stretches.append((pieces, [_pooled(piece, plan.spec.type) for piece in words]))


def _each_piece_at_its_best(
    plan: _Plan, words: list[list[OcrWord]]
) -> tuple[list[_Piece], list[list[OcrWord]]] | None:
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


def _pooled(words: list[OcrWord], field_type: str) -> list[OcrWord]:
    """Each character's confidence with the engine's other guesses for it added that
    become the same character in the field's value: ２ or 2, 號 or 号 in an address, any
    dash between two numbers are one reading, not a doubt between two."""
    pooled = []
    for w in words:
        same = [p for ch, p in w.alternatives if same_in_value(field_type, ch, w.text)]
        pooled.append(replace(w, confidence=min(1.0, w.confidence + sum(same))) if same else w)
    return pooled


def _stretched(pieces: list[_Piece], factor: float) -> list[_Piece]:
    if factor == 1.0:
        return pieces
    return [
        _Piece(
            cv2.resize(p.image, None, fx=factor, fy=1.0, interpolation=cv2.INTER_LINEAR),
            p.charset,
            p.joiner,
            p.ink_height,
            p.x_origin,
            p.stretch * factor,
        )
        for p in pieces
    ]


def _retry_combs(
    engine: OcrEngine, plans: list[_Plan], readings: list[list[list[OcrWord]]]
) -> None:
    """A comb read as a line must give one character per inked cell; where it does not,
    read the cells one by one and keep each cell's best character."""
    retry = [
        i
        for i, plan in enumerate(plans)
        if plan.cells is not None and len(readings[i][0]) != len(plan.cells)
    ]
    if not retry:
        return
    cell_readings = _recognise(engine, [[c] for i in retry for c in plans[i].cells or []])
    at = 0
    for i in retry:
        count = len(plans[i].cells or [])
        chars = []
        for (cell_words,) in cell_readings[at : at + count]:
            best = max(cell_words, key=lambda w: w.confidence, default=None)
            chars.append(best or OcrWord("?", (0, 0, 0, 0), 0.0))
        readings[i] = [chars]
        at += count


def _reading(plan: _Plan, words: list[list[OcrWord]]) -> Reading:
    form_in_doubt = False
    if plan.spec.type == "name":
        # 﨑 read as 崎, 髙 as 高: the glyph tells, or the name goes to review.
        settled = [
            settle_variants(piece.image, piece_words)
            for piece, piece_words in zip(plan.pieces, words, strict=True)
        ]
        words = [s.words for s in settled]
        form_in_doubt = not all(s.sure for s in settled)
    text, certainty = _text(plan, words)
    tidied = tidy(plan.spec.type, text)
    if plan.spec.type in JAPANESE_TYPES:
        words = _pooled_in_context(plan, words, tidied)
        certainty = _text(plan, words)[1]
    reading = Reading(tidied, certainty, words=words, form_in_doubt=form_in_doubt)
    if plan.spec.type not in JAPANESE_TYPES:
        # A digit left out as a stray stroke (1079-241-6396 is 079-241-6396) is a guess.
        reading.respelled = _digits(tidied) != _digits(text)
    if plan.rule.spaces == "name" and all(words):
        reading.unread = _unread_ink(plan.pieces, words)
    if plan.spec.type == "name" and legal_forms(reading.text):
        as_company(reading)
    elif plan.spec.type in _PROSE_TYPES:
        # 老齢基礎午金: the dictionary knows 年金, which the engine guessed next.
        likelier = likelier_spelling(reading.text, reading.read_characters())
        if likelier != reading.text:
            reading.text, reading.respelled = likelier, True
    return reading


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _pooled_in_context(plan: _Plan, words: list[list[OcrWord]], tidied: str) -> list[list[OcrWord]]:
    """``words`` with each character's confidence counting the engine's other guesses for
    it that the field's context makes the same value: 八 and ハ in ハイツ, J and 丁 in
    ２J目 (tidied to ２丁目 either way). A guess is tried in place and the whole text tidied
    again; only what then reads exactly as before is the same reading."""
    kind = plan.spec.type
    pooled = [list(piece) for piece in words]
    for p, piece in enumerate(words):
        for c, word in enumerate(piece):
            same = 0.0
            for guess, chance in word.alternatives:
                if same_in_value(kind, guess, word.text):
                    continue  # pooled already
                pooled[p][c] = replace(word, text=guess)
                if tidy(kind, _text(plan, pooled)[0]) == tidied:
                    same += chance
            pooled[p][c] = replace(word, confidence=min(1.0, word.confidence + same))
    return pooled


def _text(plan: _Plan, words: list[list[OcrWord]]) -> tuple[str, float]:
    """The field's text and the primary certainty: the least certain character's (for names,
    or the family/given-name space decision's, when that is less certain)."""
    if plan.rule.spaces == "name" and all(words):
        return _name_text(plan.pieces, words)
    return _joined(plan.pieces, words), least_certain(words)


def _line(
    pieces: list[_Piece], words: list[list[OcrWord]]
) -> tuple[list[OcrWord], float, tuple[float, float]]:
    """A name's characters across its pieces, in the line's (stretched) pixels; the height
    of its ink; and where its ink starts and ends."""
    line = [
        replace(w, bbox=(w.bbox[0] + round(p.x_origin * p.stretch), *w.bbox[1:]))
        for p, piece_words in zip(pieces, words, strict=True)
        for w in piece_words
        if w.text.strip()
    ]
    first, last = pieces[0], pieces[-1]
    start = (crop_margin(first.ink_height)[0] + first.x_origin) * first.stretch
    end = last.image.shape[1] + (last.x_origin - crop_margin(last.ink_height)[0]) * last.stretch
    return line, max(p.ink_height * p.stretch for p in pieces), (start, end)


def _unread_ink(pieces: list[_Piece], words: list[list[OcrWord]]) -> bool:
    """Whether a name's or reading's ink runs on past the characters read (see
    :func:`ocr.read_spacing.ink_unread`)."""
    line, ink_height, span = _line(pieces, words)
    return ink_unread(line, ink_height, span, pieces[0].stretch > 1.0)


def _name_text(pieces: list[_Piece], words: list[list[OcrWord]]) -> tuple[str, float]:
    """A name's characters with the space placed by their pitch across the whole line (the
    pieces cut at ink gaps only help recognition: a small ィ leaves a gap too)."""
    line, ink_height, (_, ink_end) = _line(pieces, words)
    # Only half-width katakana is read stretched (see read_types).
    at, spacing = name_space(line, ink_height, pieces[0].stretch > 1.0, ink_end)
    chars = [w.text for w in line]
    if at is not None:
        chars.insert(at, FULL_WIDTH_SPACE)
    return "".join(chars), min(least_certain(words), spacing)


def _joined(pieces: Sequence[_Piece], words: list[list[OcrWord]]) -> str:
    parts: list[str] = []
    for piece, piece_words in zip(pieces, words, strict=True):
        # Spaces come from the gaps between pieces, never from inside one.
        text = "".join("".join(w.text for w in piece_words).split())
        if text:
            parts.append(piece.joiner + text if parts else text)
    return "".join(parts)


def _address_certainty(reading: Reading, fixed: str, places: int, certainty: float) -> float:
    """An address's certainty without its ``places`` leading place names, as Japan Post
    lists them (an address is long, and its least certain character was mostly among
    them): read exactly so, or ``fixed`` only where a misread character's listed form was
    the engine's next guess there (汕縄県, next guess 沖)."""
    each = _by_character(reading)
    if each is None or len(fixed) != len(reading.text):
        return certainty  # tidied to another length: no telling which character is which
    for a, b, w in zip(reading.text, fixed, each, strict=True):
        if a != b and (w is None or b not in {ch for ch, _ in w.alternatives}):
            return certainty
    return min((w.confidence for w in each[places:] if w is not None), default=certainty)


def _by_character(reading: Reading) -> list[OcrWord | None] | None:
    """What the engine read for each character of the reading's text (None for a line
    break), or None where tidying changed its length."""
    chars = reading.read_characters()
    if len(chars) != len(reading.text.replace("\n", "")):
        return None
    read = iter(chars)
    return [None if ch == "\n" else next(read) for ch in reading.text]


def _guesses(reading: Reading) -> list[frozenset[str]]:
    """The engine's next guesses for each character of the reading's text, where known."""
    each = _by_character(reading) or []
    return [frozenset(ch for ch, _ in w.alternatives) if w else frozenset() for w in each]


def _normalized(field_type: str, text: str) -> tuple[Value, bool]:
    try:
        return normalize(field_type, text), True
    except NormalizationError:
        return None, False


def _result(plan: _Plan, reading: Reading, other: list[list[OcrWord]] | None) -> FieldResult:
    spec = plan.spec
    text, certainty = reading.text, reading.certainty
    if spec.type == "address":
        text, places = match_places(text, guesses=_guesses(reading))
        if places:
            certainty = _address_certainty(reading, text, places, certainty)
        # Past the listed place names, the dictionary's words (シヤトー → シャトー).
        likelier = likelier_spelling(text, reading.read_characters(), frozenset(range(places)))
        if likelier != text:
            text, reading.respelled = likelier, True
    text, known_doubt = settle_known(spec.name, text)
    value, ok = _normalized(spec.type, text)
    agrees: bool | None = None
    if other is not None and ok and _complete(plan, other):
        other_value, other_ok = _normalized(spec.type, _text(plan, other)[0])
        agrees = other_ok and other_value == value
        if not agrees and fails_check_digit(spec.type, other_value):
            # A number the second engine read that cannot exist says nothing about the
            # first reading; a first reading failing its check digit is flagged by validation.
            agrees = None
    confidence = combined(certainty, agrees) if ok and value is not None else 0.0
    if reading.partner_agrees:
        confidence = combined(confidence, True)
    doubts: list[str] = []
    if not ok or value is None:
        doubts.append("unreadable")
    elif confidence < threshold(spec.type):
        doubts.append("uncertain")
    if agrees is False:
        doubts.append("disagreement")
    caps: list[tuple[str, float]] = []
    if reading.partner_agrees is False:
        # A name and a reading that contradict each other: one of them is misread. (A
        # reading is also in doubt when its agreement is not certain.)
        caps.append(("reading_mismatch", UNMATCHED_READING_CONFIDENCE))
    if reading.respelled or known_doubt == "respelled":
        caps.append(("respelled", RESPELLED_CONFIDENCE))
    if known_doubt == "unusual":
        caps.append(("unusual", UNUSUAL_CONFIDENCE))
    read = "".join(w.text for w in reading.read_characters())
    if reading.form_in_doubt or may_be_variant(spec.type, text) or may_be_variant(spec.type, read):
        # (What was read counts too: 穗 read is written 穂 in the value, and may be 穗.)
        caps.append(("variant", VARIANT_CONFIDENCE))
    if plan.spilled >= MIN_SPILL_PX or plan.at_side:
        # Part of the writing lies in the next box, or under the side of this one: what
        # was read may be cut short or carry a piece of it (876,60|0 read 876601; 給与
        # printed half off the slip's edge, the side cut 給 to 合).
        caps.append(("spill", SPILL_CONFIDENCE))
    if plan.faint:
        # A faint character beside the ones read may be part of the value (13 read 1).
        caps.append(("faint", FAINT_BESIDE_CONFIDENCE))
    if reading.unread:
        caps.append(("unread", UNREAD_CONFIDENCE))
    for doubt, cap in caps:
        confidence = min(confidence, cap)
        if cap < threshold(spec.type):
            doubts.append(doubt)
    return FieldResult(
        spec.name,
        value,
        confidence,
        bool(doubts),
        raw_text=text,
        bbox=plan.box.as_tuple(),
        doubts=tuple(doubts),
    )


def _complete(plan: _Plan, words: list[list[OcrWord]]) -> bool:
    """Whether a reading accounts for every inked cell of a comb (any reading of a line
    does). Tesseract runs handwritten digits in neighbouring cells together (49|2|3|4|9
    read 92349): a reading missing digits says nothing about the first engine's."""
    if plan.cells is None:
        return True
    return sum(len(w.text.strip()) for piece in words for w in piece) == len(plan.cells)


def _empty(spec: FieldSpec, box: Box, ink_pixels: int) -> FieldResult:
    # A few specks below the empty threshold make the emptiness itself less certain.
    confidence = 1.0 - ink_pixels / MIN_INK_PX
    # Emptiness is decided by ink, the same way for every type: one threshold for all.
    review = confidence < threshold(EMPTY)
    return FieldResult(
        spec.name,
        None,
        confidence,
        review,
        raw_text="",
        bbox=box.as_tuple(),
        doubts=("uncertain",) if review else (),
    )


def _checkbox(spec: FieldSpec, ink: FieldInk, stray: int, share_inside: float) -> FieldResult:
    """Marked or not by the ink in the box; ``stray`` is the ink around it and
    ``share_inside`` the share of the writing reaching into the box that lies inside it."""
    pixels = ink.ink_pixels
    if pixels < CHECK_MIN_PX:
        # A faint or thin mark breaks into specks lighter than ink; an empty box holds
        # none (0 of ~3,500 empty boxes on generated scans, 7 of 7 missed marks).
        pixels = max(pixels, ink.faint_pixels())
    marked = pixels >= CHECK_MIN_PX
    # Ink that mostly lies outside the box is not its mark (a stamp's ring across it), but
    # it may hide one: a person decides.
    passing = marked and share_inside < MIN_MARK_SHARE_INSIDE
    if passing:
        marked, confidence = False, STRAY_INK_CONFIDENCE
    elif marked:
        # Certain far from the decision line, in doubt near it (a faint or tiny mark): an
        # empty box is sure at 0 pixels, a mark at three times the minimum.
        confidence = min(1.0, 0.5 + (pixels - CHECK_MIN_PX) / (4 * CHECK_MIN_PX))
    else:
        confidence = 1.0 - 0.5 * pixels / CHECK_MIN_PX
    doubts = ("uncertain",) if confidence < threshold(spec.type) and not passing else ()
    if stray >= CHECK_MIN_PX or passing:
        # Ink all around (a stamp, a stroke from a neighbouring line): whatever is in the
        # box may be part of it; a person decides.
        confidence = min(confidence, STRAY_INK_CONFIDENCE)
        if confidence < threshold(spec.type):
            doubts = (*doubts, "stray_ink")
    value: Value = True if marked else None
    return FieldResult(
        spec.name,
        value,
        confidence,
        bool(doubts),
        raw_text="✓" if marked else "",
        bbox=ink.box.as_tuple(),
        doubts=doubts,
    )
