"""Each field of a registered page cut into what is to be recognised, or decided by ink.

A field box is cut out with the printed form removed (:mod:`ocr.read_ink`). A box without
written ink is empty and costs no OCR; a checkbox is marked or not by its ink alone. Any
other box becomes a :class:`Plan`: its writing cut into text-line crops (:class:`Piece`),
comb boxes with their inked cells side by side, and what the cutting saw that puts the
value in doubt (writing spilled into the next box, stopping at a side, faint beside).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from ocr.engines.base import OcrWord
from ocr.layout import FieldSpec
from ocr.read_confidence import threshold
from ocr.read_ink import (
    Box,
    FieldInk,
    cell_boxes,
    crop_margin,
    cut,
    cut_around,
    field_box,
    line_crop,
    name_spans,
    runs,
    share_in_box,
    stray_ink,
    text_lines,
    word_spans,
)
from ocr.read_types import INK_ONLY_TYPES, RULES, TypeRule
from ocr.result import FieldResult, Value
from validators.normalize import FULL_WIDTH_SPACE

#: Fewer written pixels than this (~0.07 mm²) is an empty box; a thin handwritten 1 in a
#: slip's small cell has under 20.
MIN_INK_PX = 10
#: A checkbox holds a mark when it has at least this many written pixels, like any other
#: field: a small handwritten レ in a slip's cell is about 30 pixels, a stray dot under 10.
CHECK_MIN_PX = 20
#: A checkbox's ink is its mark when at least this share of the writing it belongs to lies
#: in the box: a tick overshoots a little, a stamp's ring crossing the box lies mostly
#: outside it.
MIN_MARK_SHARE_INSIDE = 0.35
#: ... followed this far around the box (~8 mm: a stamp's ring is ~20 mm across).
MARK_REACH_PX = 95
#: Confidence of a checkbox with unexplained ink around it.
STRAY_INK_CONFIDENCE = 0.3
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
#: The calibration key of fields found empty (no OCR ran on them).
EMPTY = "empty"


@dataclass
class Piece:
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
class Plan:
    """What it takes to read one field."""

    spec: FieldSpec
    box: Box
    rule: TypeRule
    pieces: list[Piece] = field(default_factory=list)
    #: Comb boxes: one digit per inked cell, with each cell's crop for a second try.
    cells: list[Piece] | None = None
    #: Ink of this field's writing found running on into a neighbouring field's box.
    spilled: int = 0
    #: Writing that stops just inside a side of the box, as if cut short there.
    at_side: bool = False
    #: Faint writing beside the ink read (fields read as a line).
    faint: int = 0
    #: The pieces and the first engine's words at the type's other stretches, most
    #: certain first.
    other_stretches: list[tuple[list[Piece], list[list[OcrWord]]]] = field(default_factory=list)
    #: The pieces as cut, before any stretch.
    unstretched: list[Piece] = field(default_factory=list)


def plan_field(
    page: np.ndarray, printed: np.ndarray, spec: FieldSpec, fields: np.ndarray
) -> tuple[FieldResult | None, Plan | None]:
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
    plan = Plan(spec, box, rule, spilled=ink.spilled)
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


def _plan_lines(plan: Plan, ink: FieldInk) -> None:
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
            plan.pieces.append(Piece(piece, plan.rule.charset, joiner, y1 - y0, origin))


def _plan_comb(plan: Plan, page: np.ndarray, printed: np.ndarray) -> None:
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
    plan.pieces.append(Piece(np.concatenate(crops, axis=1), plan.rule.charset))
    plan.cells = [Piece(c, plan.rule.charset) for c in crops]


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
