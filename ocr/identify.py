"""Which form a page is, which way up, and where: the ruling-line grid first, then the
identification mark and printed form code as an independent check.

The grid decides: every form's template is matched against the page both ways up, and
the candidates are registered in order of their coarse score until one reaches
``MIN_REGISTRATION_QUALITY``. Another form registers at 0.3 or less (measured), an
unrelated page lower still. The solid black blocks of the identification mark and the
printed code (KJ-315, NK-331, SK-01) must then appear where the template has them: a
page with a similar grid but another mark (another edition of the form) is not read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import cv2
import numpy as np

from ocr.layout import load_layout
from ocr.preprocess import TEMPLATE_DPI, WORK_DPI, PageContext, rotate_90, rotate_180
from ocr.quality import reject
from ocr.register import (
    MIN_REGISTRATION_QUALITY,
    LineMaps,
    Registration,
    coarse_matches,
    load_template,
    refine,
    ruling_lines,
)

#: A form whose grid correlates less than this with the page is not considered at all.
MIN_COARSE_SCORE = 0.25
#: Candidates registered before giving up: every form both ways up (each costs ~10 ms).
MAX_CANDIDATES = 6
#: Below this registration quality the page is not the form at all (unknown form);
#: between it and MIN_REGISTRATION_QUALITY it is the form, badly captured.
UNKNOWN_FORM_QUALITY = 0.4
#: Scanner resolutions tried when the file does not say (the page is first assumed 300 dpi);
#: the low ones so that such a page is found, measured and refused for its resolution.
COMMON_DPIS = (100.0, 150.0, 200.0, 240.0, 300.0, 400.0, 600.0)
#: Share of each identification block that must be ink.
MIN_MARK_INK = 0.6
#: A block with less ink than MIN_MARK_INK but this much, within CUT_EDGE_MM of the
#: scanned page's edge, was cut off by the edge of the scan, not left out of the print.
MIN_CUT_MARK_INK = 0.15
CUT_EDGE_MM = 4.0
#: Correlation of the printed form code with the blank's.
MIN_CODE_CORRELATION = 0.5
#: Below this share of the blank's ink, the printed code was lost in the scan.
_MIN_CODE_INK_SHARE = 0.3
#: Ruling lines beside the form, relative to its own, that mean a second form on the page.
MAX_LINES_BESIDE_FORM = 0.2
#: Line strength (1 = the page's strongest rulings) below which a trace is not a line.
LINE_FLOOR = 0.2
#: Lines this close to the registered form belong to it (a slip's edge, a cut-off line).
_FORM_MARGIN_MM = 5.0


@dataclass(frozen=True)
class FoundForm:
    """A page identified and registered; ``work`` is the working image the right way up
    and ``lines`` its ruling lines."""

    registration: Registration
    work: np.ndarray
    lines: LineMaps


def expected_scales(context: PageContext) -> list[float]:
    """Sizes the form may have on the working image (1.0: as the file's dpi says)."""
    if context.dpi_from_file:
        return [1.0]
    return [dpi / context.dpi for dpi in COMMON_DPIS]


def find_form(
    work: np.ndarray, context: PageContext, form_ids: Sequence[str], *, given: bool = False
) -> FoundForm:
    """Identify and register the page among ``form_ids``.

    ``given``: the caller named the form, so a failure means the page does not register
    to it (``registration_failed``), not that it is an unknown form. Turns ``work`` (and
    ``context``) the right way up: upside down is tried with the page as it is, a quarter
    turn only when that fails (a form scanned sideways is rare). Raises PageRejected.
    """
    found, best_quality = _find_either_way_up(work, context, form_ids)
    if found is None:
        turned_context = replace(context)
        turned = rotate_90(work, turned_context)
        found, sideways_quality = _find_either_way_up(turned, turned_context, form_ids)
        if found is not None:
            context.to_work, context.quarter_turns = (
                turned_context.to_work,
                turned_context.quarter_turns,
            )
        best_quality = max(best_quality, sideways_quality)
    if found is not None:
        return found
    if given:
        title = load_layout(form_ids[0]).title
        raise reject("registration_failed", detail=f"{title}, quality {best_quality:.2f}")
    if best_quality < UNKNOWN_FORM_QUALITY:
        raise reject("unknown_form")
    raise reject("registration_failed", detail=f"quality {best_quality:.2f}")


def _find_either_way_up(
    work: np.ndarray, context: PageContext, form_ids: Sequence[str]
) -> tuple[FoundForm | None, float]:
    """The page registered as it is or upside down, and the best quality seen."""
    lines = ruling_lines(work, WORK_DPI)
    flipped = lines.rotated_180()
    scales = expected_scales(context)
    matches = coarse_matches(lines, list(form_ids), scales, upside_down=False)
    matches += coarse_matches(flipped, list(form_ids), scales, upside_down=True)
    matches = sorted(
        (m for m in matches if m.score >= MIN_COARSE_SCORE), key=lambda m: m.score, reverse=True
    )
    best_quality = 0.0
    for match in matches[:MAX_CANDIDATES]:
        registration = refine(flipped if match.upside_down else lines, match)
        if registration is None:
            continue
        best_quality = max(best_quality, registration.quality)
        if registration.quality >= MIN_REGISTRATION_QUALITY:
            if match.upside_down:
                work = rotate_180(work, context)
                lines = flipped
            return FoundForm(registration, work, lines), best_quality
    return None, best_quality


def lines_beside_form(found: FoundForm) -> float:
    """Ruling lines on the page outside the registered form, relative to those inside.

    Near 0 for one form on a page; a second slip on the same scan brings its own grid.
    """
    template = load_template(found.registration.form_id)
    height, width = found.work.shape[:2]
    form = np.ones(template.lines.horizontal.shape, np.uint8)
    covered = cv2.warpAffine(form, found.registration.warp, (width, height))
    margin = round(_FORM_MARGIN_MM / 25.4 * WORK_DPI)
    inside = cv2.dilate(covered, np.ones((2 * margin + 1,) * 2, np.uint8)) > 0
    strength = found.lines.strength()
    # Noise on a grey scanner bed leaves faint line-like traces over a large area: only
    # lines with some of the strength of the form's own rulings count.
    strength = np.where(strength > LINE_FLOOR, strength, 0.0)
    within = float(strength[inside].sum())
    beside = float(strength[np.logical_not(inside)].sum())
    return beside / within if within > 0 else 0.0


#: A box on the template grid: (x, y, w, h) in 300-dpi pixels.
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class _Mark:
    blocks: tuple[Box, ...]
    code_box: Box
    code_image: np.ndarray


@lru_cache
def _mark(form_id: str) -> _Mark:
    """The identification blocks and the printed code of ``form_id``, from its layout."""
    layout = load_layout(form_id)
    px = TEMPLATE_DPI / 25.4
    # The mark is the filled rectangles in the top-left corner, the code the text after.
    blocks = tuple(
        (round(p["x"] * px), round(p["y"] * px), round(p["w"] * px), round(p["h"] * px))
        for p in layout.printed
        if p["kind"] == "rect" and p.get("fill") and p["x"] < 30 and p["y"] < 15
    )
    code = next(
        p for p in layout.printed if p["kind"] == "text" and p["text"].startswith(_CODE_PREFIX)
    )
    size = code["size_mm"]
    box_mm = (code["x"] - 0.3, code["y"] - 0.8 * size, 0.75 * size * len(code["text"]), 1.6 * size)
    code_box = tuple(round(v * px) for v in box_mm)
    blank = cv2.imread(str(layout.blank_image_path), cv2.IMREAD_COLOR)
    if blank is None:
        raise FileNotFoundError(f"blank template missing: {layout.blank_image_path}")
    x, y, w, h = code_box
    return _Mark(blocks, (x, y, w, h), blank[y : y + h, x : x + w, 2].copy())


_CODE_PREFIX = ("KJ-", "NK-", "SK-")


def _whole_page_scanned(box: Box, margin_mm: float) -> bool:
    return True


def mark_matches(
    registered: np.ndarray,
    form_id: str,
    visible: Callable[[Box, float], bool] = _whole_page_scanned,
) -> bool:
    """True when the registered page shows the form's identification blocks and code.

    ``visible(box, margin_mm)`` tells whether a template box (x, y, w, h), grown by the
    margin, was on the scanned area: a slip scanned 5 mm too high has lost its top edge,
    mark included, and what was never scanned cannot count against the page (the grid has
    identified it already). Near the edge a block may be cut in half: a slip that lay
    partly off the glass is cut along a line, and the page turned straight again is
    filled with paper beyond it, so the image's edge is not quite where the scan ended.
    """
    mark = _mark(form_id)
    cut = False
    for x, y, w, h in mark.blocks:
        if not visible((x, y, w, h), 0.0):
            continue
        inset = max(1, min(w, h) // 6)
        block = registered[y + inset : y + h - inset, x + inset : x + w - inset]
        ink = float(np.mean(block < 128)) if block.size else 0.0
        if ink >= MIN_MARK_INK:
            continue
        if ink >= MIN_CUT_MARK_INK and not visible((x, y, w, h), CUT_EDGE_MM):
            cut = True  # the code beside it is cut too
            continue
        return False
    if cut or not visible(mark.code_box, 0.0):
        return True
    x, y, w, h = mark.code_box
    slack = round(0.6 * TEMPLATE_DPI / 25.4)  # residual misregistration, ~0.6 mm
    region = registered[max(0, y - slack) : y + h + slack, max(0, x - slack) : x + w + slack]
    if region.shape[0] < h or region.shape[1] < w:
        return False
    if np.count_nonzero(region < 128) < _MIN_CODE_INK_SHARE * np.count_nonzero(
        mark.code_image < 128
    ):
        # Faded print sent by fax can lose the small code altogether: what is not there
        # cannot disagree, and grid and blocks have matched. A different code would.
        return True
    scores = cv2.matchTemplate(region, mark.code_image, cv2.TM_CCOEFF_NORMED)
    return float(scores.max()) >= MIN_CODE_CORRELATION
