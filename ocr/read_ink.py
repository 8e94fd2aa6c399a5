"""Ink that was written on a form, told apart from what the blank form already prints.

A registered page lies on the blank template's pixel grid, so every ruling line, printed
千/円 tick, 内 mark and comb separator is known: it is wherever the blank form is dark.
Those pixels (widened a little to absorb registration error) are whitened before anything
is read, and ink counted outside them tells an empty box from a filled one without OCR.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import cv2
import numpy as np

from ocr.layout import FieldSpec, FormLayout

#: Template resolution: field boxes are in millimetres, pages and blanks at 300 dpi.
PX_PER_MM = 300 / 25.4
#: Darker than this counts as ink (grey 0..255).
INK_LEVEL = 150
#: The printed form is widened by this many pixels (~0.25 mm) before it is masked out,
#: so that a page registered a pixel or two off still loses its rulings.
BLANK_DILATION_PX = 3
#: Below this difference between paper and print the print was not found (dropped out).
MIN_PRINT_CONTRAST = 40
#: Connected ink smaller than this (pixels) is dust or scanner noise, not writing (each
#: stroke of a half-width dakuten in 2 mm print is about 5 pixels).
MIN_BLOB_PX = 4
#: Lighter than ink but darker than paper: what blur and fading leave of thin strokes ...
FAINT_LEVEL = 200
#: ... counted apart from the written ink by at least this many pixels (a stroke's blurred
#: edge is not another character), in pieces at least this large (not noise).
FAINT_CLEARANCE_PX = 4
#: Ink starting or ending this close inside a box's side, with none beyond, runs into it.
SIDE_CLEARANCE_PX = 4
MIN_FAINT_BLOB_PX = 20


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in page pixels."""

    x: int
    y: int
    w: int
    h: int

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.x, self.y, self.w, self.h)


def field_box(spec: FieldSpec) -> Box:
    """The field's box on the 300-dpi template grid."""
    x, y, w, h = (v * PX_PER_MM for v in spec.box_mm)
    x0, y0 = round(x), round(y)
    return Box(x0, y0, round(x + w) - x0, round(y + h) - y0)


def cell_boxes(spec: FieldSpec) -> list[Box]:
    """The comb cells of a field with ``cells``, left to right."""
    box = field_box(spec)
    count = spec.cells or 1
    edges = [box.x + round(i * box.w / count) for i in range(count + 1)]
    return [Box(edges[i], box.y, edges[i + 1] - edges[i], box.h) for i in range(count)]


@lru_cache
def printed_mask(form_id: str, path: str) -> np.ndarray:
    """Where the blank form prints anything, widened by :data:`BLANK_DILATION_PX` (bool)."""
    blank = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    if blank is None:
        raise FileNotFoundError(f"blank form image for {form_id} not readable: {path}")
    size = 2 * BLANK_DILATION_PX + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    mask: np.ndarray = cv2.dilate((blank < 200).astype(np.uint8), kernel) > 0
    mask.flags.writeable = False
    return mask


def layout_mask(layout: FormLayout) -> np.ndarray:
    """The printed-form mask of a layout (cached per form)."""
    return printed_mask(layout.form_id, str(layout.blank_image_path))


@lru_cache
def _core_mask(form_id: str, path: str) -> np.ndarray:
    """Where the blank form prints, not widened (bool)."""
    blank = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    if blank is None:
        raise FileNotFoundError(f"blank form image for {form_id} not readable: {path}")
    mask = np.asarray(blank < 128, dtype=bool)
    mask.flags.writeable = False
    return mask


def normalise_contrast(page: np.ndarray, layout: FormLayout) -> np.ndarray:
    """``page`` with its paper white and the form's print black.

    A faded or light scan leaves writing lighter than :data:`INK_LEVEL`, and the boxes
    would look empty. The blank form says where print must be, so the page's own print and
    paper levels are measured there and stretched to 0 and 255. A page whose print cannot
    be found (colour dropped out) is left as it is.
    """
    step = (slice(None, None, 3), slice(None, None, 3))
    core = _core_mask(layout.form_id, str(layout.blank_image_path))[step]
    paper = ~layout_mask(layout)[step] & ~fields_mask(layout)[step]
    sampled = page[step]
    if not core.any() or not paper.any():
        return page
    # A low percentile: a pixel of registration error puts part of a thin line on paper.
    print_level = float(np.percentile(sampled[core], 10))
    paper_level = float(np.median(sampled[paper]))
    if paper_level - print_level < MIN_PRINT_CONTRAST:
        return page
    if print_level <= 10 and paper_level >= 245:
        return page
    scale = 255.0 / (paper_level - print_level)
    lut = np.clip((np.arange(256) - print_level) * scale, 0, 255).astype(np.uint8)
    return np.asarray(lut[page])


@lru_cache
def _boxes_mask(form_id: str, shape: tuple[int, int], boxes: tuple[Box, ...]) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    for b in boxes:
        mask[b.y : b.y + b.h, b.x : b.x + b.w] = True
    mask.flags.writeable = False
    return mask


def fields_mask(layout: FormLayout) -> np.ndarray:
    """Where any field of the layout may be written (bool, cached per form)."""
    shape = layout_mask(layout).shape
    boxes = tuple(field_box(spec) for spec in layout.fields)
    return _boxes_mask(layout.form_id, (shape[0], shape[1]), boxes)


def stray_ink(
    page: np.ndarray, printed: np.ndarray, fields: np.ndarray, box: Box, margin: int
) -> int:
    """Written pixels, faint ones included, within ``margin`` around ``box`` that belong to
    no field: a stamp or a stroke from elsewhere that may also have reached into the box
    (a red 印 dropped out of a colour scan leaves a faint trace)."""
    height, width = page.shape[:2]
    y0, y1 = max(0, box.y - margin), min(height, box.y + box.h + margin)
    x0, x1 = max(0, box.x - margin), min(width, box.x + box.w + margin)
    image = page[y0:y1, x0:x1].copy()
    image[printed[y0:y1, x0:x1] | fields[y0:y1, x0:x1]] = 255
    return max(int(_written(image).sum()), _blob_pixels(image < FAINT_LEVEL))


#: Writing is followed across a whitened ruling this wide (its dilated print).
_ACROSS_RULING = np.ones((2 * BLANK_DILATION_PX + 5, 1), np.uint8)


def share_in_box(page: np.ndarray, printed: np.ndarray, box: Box, margin: int) -> float:
    """Of the writing that reaches into ``box``, the share inside it, followed within
    ``margin`` around the box and across the printed lines it crosses: a mark lies mostly
    in its box, a stamp's ring or another line's stroke passing through it mostly not.
    1.0 where nothing reaches in."""
    height, width = page.shape[:2]
    y0, y1 = max(0, box.y - margin), min(height, box.y + box.h + margin)
    x0, x1 = max(0, box.x - margin), min(width, box.x + box.w + margin)
    writing = cut(page, printed, Box(x0, y0, x1 - x0, y1 - y0)).ink
    inside = np.zeros_like(writing)
    inside[box.y - y0 : box.y - y0 + box.h, box.x - x0 : box.x - x0 + box.w] = True
    # Joined across the printed lines it crosses, which were whitened with their margin.
    mask = writing.astype(np.uint8)
    bridged = np.maximum(cv2.dilate(mask, _ACROSS_RULING), cv2.dilate(mask, _ACROSS_RULING.T))
    _, labels = cv2.connectedComponents(bridged, connectivity=8)
    reaching = np.unique(labels[writing & inside])
    if not reaching.size:
        return 1.0
    pieces = np.isin(labels, reaching) & writing
    return int(np.count_nonzero(pieces & inside)) / int(np.count_nonzero(pieces))


@dataclass(frozen=True)
class FieldInk:
    """One field box cut from the page with the printed form removed."""

    box: Box
    #: Page pixels, printed form whitened (grey uint8).
    image: np.ndarray
    #: Written ink only: dark, not printed, specks removed (bool).
    ink: np.ndarray
    #: Dark pixels in another field's box touching this field's ink: writing that runs on
    #: into the neighbour, cut off here (a value printed off its box).
    spilled: int = 0

    @property
    def ink_pixels(self) -> int:
        return int(self.ink.sum())

    def stops_at_side(self, box: Box) -> bool:
        """Whether the ink starts or ends just inside a side of ``box`` (the field's own box,
        within this cut) and nothing lies beyond: writing the box's edge, or the scan's,
        may have cut short (給与 printed half off the slip's edge reads 合与)."""
        columns = np.flatnonzero(self.ink.any(axis=0))
        if not columns.size:
            return False
        left = box.x - self.box.x
        right = left + box.w - 1
        start, end = columns[0] - left, right - columns[-1]
        return 0 <= start < SIDE_CLEARANCE_PX or 0 <= end < SIDE_CLEARANCE_PX

    def faint_beside(self) -> int:
        """Pixels of faint writing (lighter than ink) left or right of the written ink:
        a blurred or faded character beside a darker one (the 3 of a blurred 13) that
        the reading, which sees the ink's extent, leaves out."""
        columns = np.flatnonzero(self.ink.any(axis=0))
        if not columns.size:
            return 0
        faint = self.image < FAINT_LEVEL
        faint[:, max(0, columns[0] - FAINT_CLEARANCE_PX) : columns[-1] + FAINT_CLEARANCE_PX] = 0
        return _blob_pixels(faint)

    def faint_pixels(self) -> int:
        """Pixels of writing lighter than ink, in blobs (a thin grey レ in a checkbox on a
        low-resolution scan breaks into specks below :data:`INK_LEVEL`)."""
        return _blob_pixels(self.image < FAINT_LEVEL)

    def faint_writing(self) -> np.ndarray:
        """Writing lighter than ink (bool): faint pixels in groups, a thin brush stroke's
        specks joined across one-pixel gaps, of at least :data:`MIN_FAINT_BLOB_PX`."""
        faint = (self.image < FAINT_LEVEL).astype(np.uint8)
        grouped = cv2.morphologyEx(faint, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
        return _blobs(grouped, MIN_FAINT_BLOB_PX) & (faint > 0)

    def with_faint_beside(self) -> FieldInk | None:
        """This cut with the faint writing apart from its ink joined to it, where that
        writing lies on the ink's line: a faded character whose strokes are lighter than
        ink throughout (山 of a faded 山下) beside darker ones, which reading the ink
        alone leaves out. None where there is none."""
        rows = np.flatnonzero(self.ink.any(axis=1))
        if not rows.size:
            return None
        top, bottom = int(rows[0]), int(rows[-1]) + 1
        faint = self.faint_writing() | self.ink
        _, labels, stats, _ = cv2.connectedComponentsWithStats(
            faint.astype(np.uint8), connectivity=8
        )
        heights = stats[:, cv2.CC_STAT_HEIGHT]
        overlap = np.minimum(stats[:, cv2.CC_STAT_TOP] + heights, bottom) - np.maximum(
            stats[:, cv2.CC_STAT_TOP], top
        )
        # Apart from the ink (a stroke's blurred edge is the ink's own), and on its line:
        # mostly within the ink's rows and at least a third as tall (not a speck or a
        # stamp's edge reaching in from above or below).
        keep = (overlap >= BESIDE_LINE_SHARE * heights) & (3 * heights >= bottom - top)
        keep[np.unique(labels[self.ink])] = False
        keep[0] = False
        if not keep.any():
            return None
        return FieldInk(self.box, self.image, self.ink | keep[labels], self.spilled)

    def weak(self) -> FieldInk | None:
        """This cut with its faint writing joined to the ink, where the ink is only the
        darkest core of the writing (a faded, blurred 昭 keeps 10 dark pixels of 300:
        read from those, it reads as nothing); None where the ink is the writing."""
        # All that could join the ink is lighter than paper: count that first (cheap).
        if int(np.count_nonzero(self.image < FAINT_LEVEL)) < WEAK_INK_RATIO * max(
            self.ink_pixels, 1
        ):
            return None
        faint = self.faint_writing()
        grown = self.ink | _joined_to(faint, self.ink)
        if int(grown.sum()) < WEAK_INK_RATIO * max(self.ink_pixels, 1):
            return None
        return FieldInk(self.box, self.image, grown, self.spilled)


#: Faint writing beside the ink is on its line when at least this share of its height lies
#: within the ink's rows.
BESIDE_LINE_SHARE = 0.5
#: Writing whose faint pixels joined to its ink outnumber the ink this many times over was
#: faded or blurred: its ink is only the cores of its strokes.
WEAK_INK_RATIO = 4


def _blob_pixels(mask: np.ndarray) -> int:
    """Pixels of ``mask`` in blobs of at least MIN_FAINT_BLOB_PX (noise specks aside)."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    areas = stats[1:count, cv2.CC_STAT_AREA]
    return int(areas[areas >= MIN_FAINT_BLOB_PX].sum())


def cut(
    page: np.ndarray, printed: np.ndarray, box: Box, ignore: np.ndarray | None = None
) -> FieldInk:
    """The written content of ``box`` on ``page`` (both on the template grid).

    Printed pixels are whitened except where writing crosses a printed line: text written
    on a form's dashed guide lines would otherwise lose a slice of every stroke and fall
    apart into fragments, and a value printed across its box's side would lose the part
    under the side (竹内 read 内). Only box sides are crossed sideways: a short printed mark
    (the 千 tick between two digits) is never mended into the writing.
    ``ignore`` (the box's shape) is whitened too.
    """
    sl = (slice(box.y, box.y + box.h), slice(box.x, box.x + box.w))
    image = page[sl].copy()
    on_print = printed[sl]
    dark = image < INK_LEVEL
    outside = dark & ~on_print
    sides = _long_lines(on_print, (_SIDE_PX, 1))
    crossing = dark & on_print & _bridged(outside, 2 * BLANK_DILATION_PX + 2)
    # Only writing of this field's own area can claim what lies under a ruling.
    own = outside if ignore is None else outside & ~ignore
    rules = _long_lines(on_print, (1, _SIDE_PX))
    # Where a side meets a ruling, each is the other's business: neither is writing.
    crossing |= _under_sides(dark, own, sides & ~rules)
    crossing |= _against_rules(dark, own, rules & ~sides)
    image[on_print & ~crossing] = 255
    if ignore is not None:
        image[ignore] = 255
    written = _written(image)
    spilled = 0
    if ignore is not None and written.any():
        # Writing that goes on under a box's side (masked out with the ruling) or into
        # the next field's box was cut off here.
        near = cv2.dilate(written.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        spilled = int(np.count_nonzero(near & dark & (sides | (ignore & ~on_print))))
        # Past a side, the rest of a character can lie apart from what was kept of it
        # (the tail of a 7 printed across its box's side, in the next box).
        along = cv2.dilate(written.astype(np.uint8), _SPILL_REACH) > 0
        spilled += int(np.count_nonzero(along & ~near & dark & ignore & ~on_print))
    return FieldInk(box, image, written, spilled)


def _under_sides(dark: np.ndarray, outside: np.ndarray, sides: np.ndarray) -> np.ndarray:
    """The writing under a box's printed side: dark pixels of the side's band that are not
    the side itself and join writing outside the band, and the side's pixels between such
    strokes.

    The side is told from the writing by its length: its columns are dark down nearly the
    whole band, a stroke's only along the character. Unlike a horizontal stroke over a
    guide line, a diagonal stroke crossing a side has no ink straight left and right of
    it, so it is kept by what it is joined to.
    """
    band = dark & sides
    height = sides.sum(axis=0)
    side = sides & (band.sum(axis=0) >= _SIDE_SHARE * np.maximum(height, 1))[None, :]
    strokes = band & ~side
    if not strokes.any():
        return strokes
    # Diagonal strokes meet the side a few rows apart on its two sides.
    beside = cv2.dilate((strokes | outside).astype(np.uint8), np.ones((5, 1), np.uint8)) > 0
    under = side & band & _bridged(beside.T, 2 * BLANK_DILATION_PX).T
    return _joined_to(strokes | under, outside)


def _against_rules(dark: np.ndarray, outside: np.ndarray, rules: np.ndarray) -> np.ndarray:
    """Writing against a box's top or bottom ruling: dark pixels of the ruling's band that
    are not the ruling itself (rows dark along much of the band), in runs no longer than a
    stroke, joined to writing outside the band (the top bar of 丁 or 下 printed against
    the box's top: 五丁目 read 五１Ｈ, 山下 read 山卜).

    A ruling broken by a faint scan leaves pieces in no ruling row; their runs are long,
    or they join no writing.
    """
    band = dark & rules
    width = rules.sum(axis=1)
    rule_rows = (band.sum(axis=1) >= _RULE_SHARE * np.maximum(width, 1))[:, None]
    strokes = band & ~rule_rows
    if not strokes.any():
        return strokes
    long_runs = cv2.morphologyEx(strokes.astype(np.uint8), cv2.MORPH_OPEN, _LONG_RUN) > 0
    return _joined_to(strokes & ~long_runs, outside)


def _joined_to(found: np.ndarray, writing: np.ndarray) -> np.ndarray:
    """The pixels of ``found`` connected to ``writing`` through ``found`` (bool)."""
    count, labels = cv2.connectedComponents((found | writing).astype(np.uint8), connectivity=8)
    keep = np.zeros(count, dtype=bool)
    keep[np.unique(labels[writing])] = True
    keep[0] = False
    return found & keep[labels]


#: How far along its line writing is looked for in the next box (~1 mm each way).
_SPILL_REACH = np.ones((3, 25), np.uint8)
#: A row of a ruling's band dark along at least this share of it is the printed ruling.
_RULE_SHARE = 0.5
#: A dark run along a ruling at least this long (~3.4 mm) is a piece of the ruling, not a
#: stroke (the top bar of a character printed 3 mm high is shorter).
_LONG_RUN = np.ones((1, 40), np.uint8)


#: A column of a side's band dark down at least this share of it is the printed side
#: (a character crossing the side covers well under half of its box's height).
_SIDE_SHARE = 0.75


def _long_lines(on_print: np.ndarray, length: tuple[int, int]) -> np.ndarray:
    """The printed lines of ``on_print`` at least ``length`` (rows, columns) long (bool):
    box sides with ``(_SIDE_PX, 1)``, rulings with ``(1, _SIDE_PX)``."""
    kernel = np.ones(length, np.uint8)
    return cv2.morphologyEx(on_print.astype(np.uint8), cv2.MORPH_OPEN, kernel) > 0


#: A printed vertical line at least this long (~2.5 mm) is a box's side (the 千 and 円
#: ticks of an amount box are shorter).
_SIDE_PX = 30
#: How far writing may stray out of its box and still be read with it: printers feed
#: slips a little off, and people write past the edge (millimetres, across and down).
STRAY_MM = (1.5, 0.5)


def cut_around(page: np.ndarray, printed: np.ndarray, fields: np.ndarray, box: Box) -> FieldInk:
    """Like :func:`cut`, over ``box`` widened by :data:`STRAY_MM` on each side, without
    whatever lies in another field's box. Ink only around the box, none in it, is no
    writing of this field (the last 0 of a neighbour's amount printed past its own box
    read as a count of 1)."""
    mx, my = (round(v * PX_PER_MM) for v in STRAY_MM)
    height, width = page.shape[:2]
    y0, y1 = max(0, box.y - my), min(height, box.y + box.h + my)
    x0, x1 = max(0, box.x - mx), min(width, box.x + box.w + mx)
    around = Box(x0, y0, x1 - x0, y1 - y0)
    own = (slice(box.y - y0, box.y - y0 + box.h), slice(box.x - x0, box.x - x0 + box.w))
    others = fields[y0:y1, x0:x1].copy()
    others[own] = False
    found = cut(page, printed, around, ignore=others)
    if not found.ink[own].any():
        return replace(found, ink=np.zeros_like(found.ink))
    if found.spilled:
        found = _shared_characters(page, printed, others, own, found)
    return found


def _shared_characters(
    page: np.ndarray,
    printed: np.ndarray,
    others: np.ndarray,
    own: tuple[slice, slice],
    found: FieldInk,
) -> FieldInk:
    """``found`` with each character printed across a side of its box that another
    field's box shares given to the writing it is spaced with: a value printed off its box
    puts its last character across the side, nearer its own characters than the next
    box's (4,187,20|0 │ 1,356,600: the 0 is this box's, whole; 5,784,78|5 │ 4,187,200:
    the 5 is the neighbour's, not a 5 before 4,187,200).

    ``others`` and ``own`` are the other fields' boxes and this field's box within the cut.
    """
    reach = round(SHARED_REACH_MM * PX_PER_MM)
    around = found.box
    width = page.shape[1]
    x0, x1 = max(0, around.x - reach), min(width, around.x + around.w + reach)
    wide = cut(page, printed, Box(x0, around.y, x1 - x0, around.h))
    left = around.x - x0  # the cut's columns within the wide one
    cols = slice(left, left + around.w)
    inside = np.zeros_like(found.ink)
    inside[own] = True
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        wide.ink.astype(np.uint8), connectivity=8
    )
    here = labels[:, cols]
    in_own = np.bincount(here[wide.ink[:, cols] & inside], minlength=count)
    in_others = np.bincount(here[wide.ink[:, cols] & others], minlength=count)
    box_x0, box_x1 = left + own[1].start, left + own[1].stop
    image, ink = found.image.copy(), found.ink.copy()
    left_edge = stats[:, cv2.CC_STAT_LEFT]
    right_edge = left_edge + stats[:, cv2.CC_STAT_WIDTH]
    for label in np.flatnonzero((in_own > 0) & (in_others > 0)):
        gap_before, gap_after = _gaps(stats, int(label))
        across_left = left_edge[label] < box_x0 <= right_edge[label]
        across_right = left_edge[label] < box_x1 <= right_edge[label]
        theirs = (across_left and gap_before * 2 < gap_after) or (
            across_right and gap_after * 2 < gap_before
        )
        pixels = here == label
        if theirs:
            image[pixels], ink[pixels] = 255, False
        else:
            image[pixels], ink[pixels] = wide.image[:, cols][pixels], True
    return FieldInk(found.box, image, ink, found.spilled)


def _gaps(stats: np.ndarray, label: int) -> tuple[float, float]:
    """The gaps from component ``label`` (of ``stats``, as OpenCV gives them) to the
    nearest ink before and after it on its line (components overlapping its rows);
    infinite where there is none."""
    left = stats[:, cv2.CC_STAT_LEFT]
    right = left + stats[:, cv2.CC_STAT_WIDTH]
    top = stats[:, cv2.CC_STAT_TOP]
    bottom = top + stats[:, cv2.CC_STAT_HEIGHT]
    on_line = np.minimum(bottom, bottom[label]) > np.maximum(top, top[label])
    on_line[[0, label]] = False
    before = left[label] - right[on_line & (right <= left[label])]
    after = left[on_line & (left >= right[label])] - right[label]
    return (
        float(before.min()) if before.size else math.inf,
        float(after.min()) if after.size else math.inf,
    )


#: How far past its cut the writing beside a character shared with a neighbouring box is
#: looked for (a few characters' width).
SHARED_REACH_MM = 5.0


def _bridged(ink: np.ndarray, reach: int) -> np.ndarray:
    """Pixels with ink within ``reach`` both above and below them.

    Only vertical bridging: the lines writing crosses are guide lines and cell bottoms,
    which run horizontally; bridging sideways would restore line between two strokes.
    """
    above = np.zeros_like(ink)
    below = np.zeros_like(ink)
    for d in range(1, reach + 1):
        above[d:] |= ink[:-d]
        below[:-d] |= ink[d:]
    return above & below


def _written(image: np.ndarray) -> np.ndarray:
    return _blobs((image < INK_LEVEL).astype(np.uint8), MIN_BLOB_PX)


def _blobs(mask: np.ndarray, min_px: int) -> np.ndarray:
    """The pixels of ``mask`` (uint8) in connected blobs of at least ``min_px`` (bool)."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= min_px
    keep[0] = False
    return np.asarray(keep[labels], dtype=bool)


def runs(profile: np.ndarray, min_gap: int = 1) -> list[tuple[int, int]]:
    """Half-open index ranges where ``profile`` is non-zero, joining gaps below ``min_gap``."""
    on = np.flatnonzero(profile > 0)
    if on.size == 0:
        return []
    spans: list[tuple[int, int]] = []
    start = prev = int(on[0])
    for i in on[1:]:
        i = int(i)
        if i - prev > min_gap:
            spans.append((start, prev + 1))
            start = i
        prev = i
    spans.append((start, prev + 1))
    return spans


def text_lines(ink: np.ndarray) -> list[tuple[int, int]]:
    """Rows of the text lines in a field, top to bottom, as half-open (y0, y1).

    Rows of ink separated by blank rows are joined while the result stays about one
    character tall: dakuten, 二, ー or 収 leave blank rows inside a line. The character
    height is taken from the tallest connected strokes (most characters have one stroke
    group spanning their full height).
    """
    rows = runs(ink.sum(axis=1))
    if len(rows) <= 1:
        return rows
    limit = 1.3 * char_height(ink)
    lines = [rows[0]]
    for y0, y1 in rows[1:]:
        if y1 - lines[-1][0] <= limit:
            lines[-1] = (lines[-1][0], y1)
        else:
            lines.append((y0, y1))
    return lines


def char_height(ink: np.ndarray) -> float:
    """Typical height of one character in ``ink``: a high percentile of the stroke groups'."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    if count <= 1:
        return float(ink.shape[0])
    return float(np.percentile(heights, 90))


#: The family/given-name gap is at least this many line heights wide ...
NAME_GAP_MIN = 0.3
#: ... and this many times wider than any other gap in the name.
NAME_GAP_CONTRAST = 1.8


def name_spans(ink: np.ndarray, height: int) -> list[tuple[int, int]]:
    """Column ranges of a written name: two runs split at the gap between family and given
    name when one gap clearly stands out, else one run.

    Only the contrast between gaps is reliable: printed kana may be half-width with a narrow
    space, and a narrow full-width ト leaves a gap of half a character on each side.
    """
    cols = runs(ink.sum(axis=0))
    if not cols:
        return []
    whole = [(cols[0][0], cols[-1][1])]
    if len(cols) < 2:
        return whole
    gaps = sorted(((cols[i + 1][0] - cols[i][1], i) for i in range(len(cols) - 1)), reverse=True)
    widest, at = gaps[0]
    second = gaps[1][0] if len(gaps) > 1 else 0
    if widest >= NAME_GAP_MIN * height and widest >= NAME_GAP_CONTRAST * second:
        return [(cols[0][0], cols[at][1]), (cols[at + 1][0], cols[-1][1])]
    return whole


def word_spans(ink: np.ndarray, height: int, gap_ratio: float = 1.0) -> list[tuple[int, int]]:
    """Column ranges of the runs of characters in one line, split at every gap at least
    ``gap_ratio`` line heights wide (a full-width space; gaps between characters are far
    narrower)."""
    return runs(ink.sum(axis=0), min_gap=max(1, round(height * gap_ratio)))


def crop_margin(height: int) -> tuple[int, int]:
    """The white margin (x, y) :func:`line_crop` leaves around text ``height`` pixels tall."""
    return max(3, round(height * 0.35)), max(2, round(height * 0.25))


def line_crop(image: np.ndarray, x0: int, x1: int, y0: int, y1: int) -> np.ndarray:
    """A crop of ``image`` around a run of text with the white margin the recogniser expects.

    Column 0 of the crop is column ``x0 - crop_margin(y1 - y0)[0]`` of ``image``.
    """
    mx, my = crop_margin(y1 - y0)
    h, w = image.shape[:2]
    crop = image[max(0, y0 - my) : min(h, y1 + my), max(0, x0 - mx) : min(w, x1 + mx)]
    # Pad with white where the box edge cut the margin short.
    top = my - (y0 - max(0, y0 - my))
    bottom = my - (min(h, y1 + my) - y1)
    left = mx - (x0 - max(0, x0 - mx))
    right = mx - (min(w, x1 + mx) - x1)
    if top or bottom or left or right:
        crop = cv2.copyMakeBorder(crop, top, bottom, left, right, cv2.BORDER_CONSTANT, value=255)
    return crop
