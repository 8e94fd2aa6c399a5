"""Registration of a page to its blank template, by the form's ruling lines.

Only the long horizontal and vertical lines of the print are compared: handwriting,
typed values, stamps and noise are short strokes and drop out. Two steps:

1. coarse: normalised cross-correlation of the line maps at ``COARSE_DPI`` over a few
   scales gives the offset and scale (and, compared across forms and both ways up,
   identifies the form);
2. fine: ECC maximisation (``cv2.findTransformECC``, affine) from there, over a pyramid
   from ``COARSE_DPI`` to ``WORK_DPI``.

The result is checked, never trusted: the correlation of the page's lines, warped onto
the template, with the template's own (horizontal and vertical separately) is the
registration quality, and a page below ``MIN_REGISTRATION_QUALITY`` is rejected, never
read at the wrong place.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from ocr.layout import load_layout
from ocr.preprocess import (
    TEMPLATE_DPI,
    WORK_DPI,
    PageContext,
    linear_scale,
    percentiles,
    scaling,
    shrink_keeping_strokes,
)

#: Resolution of the coarse search; 4 working pixels per coarse pixel.
COARSE_DPI = 25.0
#: Resolution of the middle ECC step; 2 working pixels per fine pixel.
FINE_DPI = 50.0
#: A ruling line is at least this long; shorter strokes (characters) are not lines.
MIN_LINE_MM = 6.0
#: Scales tried around the expected one: scans are 95–105 % of true size.
SCALE_STEPS = (0.95, 0.975, 1.0, 1.025, 1.05)
#: Blur (coarse pixels) of the line maps compared in the coarse search.
_SEARCH_BLUR = 1.0
#: Lowest acceptable registration quality (correlation of ruling lines, 0..1).
MIN_REGISTRATION_QUALITY = 0.6
#: A scan this many times finer than the template (375 dpi and up) is shrunk before the warp.
SHRINK_FIRST = 1.25
#: Lines are compared after a blur of this sigma (working pixels, ~0.25 mm).
LINE_TOLERANCE_PX = 1.0
#: Lines fainter than this (0–255 above the paper) are no lines at all.
_MIN_LINE_CONTRAST = 20.0
#: A search window whose mean squared line strength is below this holds no form.
_MIN_WINDOW_ENERGY = 1e-4
#: The page may be cut off by this much at each side and still be matched.
_PAD_MM = 12.0


@dataclass(frozen=True)
class Template:
    """A blank form prepared for registration."""

    form_id: str
    #: Width and height of the 300-dpi blank (the registered page's size).
    size: tuple[int, int]
    #: 300-dpi template pixels → working pixels (3×3; sizes are rounded, so not exactly 1/3).
    to_work: np.ndarray
    #: The ruling lines at WORK_DPI; the same blurred for the quality measure; their
    #: strength at COARSE_DPI (as searched, and for ECC), FINE_DPI and WORK_DPI.
    lines: LineMaps
    blurred: LineMaps
    search: np.ndarray
    coarse: np.ndarray
    fine: np.ndarray
    work: np.ndarray


@dataclass(frozen=True)
class CoarseMatch:
    form_id: str
    upside_down: bool
    scale: float
    score: float
    #: Template working pixels → page working pixels (2×3).
    warp: np.ndarray


@dataclass(frozen=True)
class Registration:
    form_id: str
    #: Template working pixels → page working pixels (2×3).
    warp: np.ndarray
    quality: float


@dataclass(frozen=True)
class LineMaps:
    """Strength (float32, 0..1) of the long horizontal and vertical lines of a page."""

    horizontal: np.ndarray
    vertical: np.ndarray

    def strength(self) -> np.ndarray:
        """Both directions as one image."""
        return np.maximum(self.horizontal, self.vertical)

    def rotated_180(self) -> LineMaps:
        return LineMaps(
            np.ascontiguousarray(self.horizontal[::-1, ::-1]),
            np.ascontiguousarray(self.vertical[::-1, ::-1]),
        )


def ruling_lines(grey: np.ndarray, dpi: float) -> LineMaps:
    """The ink of ``grey`` that runs at least ``MIN_LINE_MM`` along a row or a column.

    A grey-level opening with a line-shaped element keeps a thin line at whatever
    contrast resampling left it (at ``WORK_DPI`` a 0.1 mm rule is a faint grey trace that
    no threshold would keep); strength is normalised to the page's strongest lines, so
    faded print and fax-black print give the same map. Paper tint and a grey bed are
    wide and are removed first.
    """
    # A grey scanner bed or a shadow is wide, a line is not: keep only what a 1.5 mm
    # square does not fit into (a top-hat), so only strokes can become lines.
    wide = max(3, round(1.5 / 25.4 * dpi))
    ink = cv2.morphologyEx(
        255.0 - grey.astype(np.float32), cv2.MORPH_TOPHAT, np.ones((wide, wide), np.uint8)
    )
    length = max(3, round(MIN_LINE_MM / 25.4 * dpi))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8))
    both = np.maximum(horizontal, vertical)
    positive = both[both > 0]
    top = float(percentiles(positive, [99])[0]) if positive.size else 0.0
    if top < _MIN_LINE_CONTRAST:
        zeros = np.zeros_like(ink)
        return LineMaps(zeros, zeros.copy())
    return LineMaps(np.clip(horizontal / top, 0.0, 1.0), np.clip(vertical / top, 0.0, 1.0))


def _reduce(strength: np.ndarray, dpi: float) -> np.ndarray:
    """A working-resolution line strength image reduced to ``dpi``.

    Given as a factor (not a size), cv2 maps pixel centres by exactly that factor, so the
    levels are pure scalings of each other."""
    factor = dpi / WORK_DPI
    return cv2.resize(strength, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)


def _searchable(coarse: np.ndarray) -> np.ndarray:
    """A coarse line map blurred by a pixel (1 mm), so that a page 1–2 % off the scale
    tried still correlates at its true offset (measured: the right form's score on a
    2.6 %-enlarged A4 page rose from 0.33 to 0.9)."""
    return cv2.GaussianBlur(coarse, (0, 0), _SEARCH_BLUR)


@lru_cache
def load_template(form_id: str) -> Template:
    """The blank form ``form_id`` prepared for registration (computed once per process)."""
    path = load_layout(form_id).blank_image_path
    blank = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if blank is None:
        raise FileNotFoundError(f"blank template missing: {path}")
    grey = blank[:, :, 2]
    height, width = grey.shape
    factor = WORK_DPI / TEMPLATE_DPI
    work_size = (round(width * factor), round(height * factor))
    work = cv2.resize(grey, work_size, interpolation=cv2.INTER_AREA)
    lines = ruling_lines(work, WORK_DPI)
    strength = lines.strength()
    return Template(
        form_id=form_id,
        size=(width, height),
        to_work=scaling(work_size[0] / width, work_size[1] / height),
        lines=lines,
        blurred=LineMaps(
            cv2.GaussianBlur(lines.horizontal, (0, 0), LINE_TOLERANCE_PX),
            cv2.GaussianBlur(lines.vertical, (0, 0), LINE_TOLERANCE_PX),
        ),
        search=_searchable(_reduce(strength, COARSE_DPI)),
        coarse=_reduce(strength, COARSE_DPI),
        fine=_reduce(strength, FINE_DPI),
        work=strength,
    )


def coarse_matches(
    page_lines: LineMaps, form_ids: list[str], scales: list[float], upside_down: bool
) -> list[CoarseMatch]:
    """For each form, the best offset and scale of its template on ``page_lines``.

    ``page_lines`` are the page's lines at ``WORK_DPI``; ``scales`` the expected sizes of
    the form on it (1.0: true size). Scores are normalised cross-correlations.
    """
    page = _searchable(_reduce(page_lines.strength(), COARSE_DPI))
    pad = round(_PAD_MM / 25.4 * COARSE_DPI)
    page = cv2.copyMakeBorder(page, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    ratio = WORK_DPI / COARSE_DPI
    energy = cv2.integral(page.astype(np.float64) ** 2)
    matches = []
    for form_id in form_ids:
        template = load_template(form_id).search
        best: CoarseMatch | None = None
        for expected in scales:
            for step in SCALE_STEPS:
                scale = expected * step
                height, width = template.shape
                size = (max(2, round(width * scale)), max(2, round(height * scale)))
                if size[0] > page.shape[1] or size[1] > page.shape[0]:
                    continue
                resized = cv2.resize(template, size, interpolation=cv2.INTER_AREA)
                if not resized.any():
                    continue
                scores = cv2.matchTemplate(page, resized, cv2.TM_CCOEFF_NORMED)
                scores[_blank_windows(energy, resized.shape)] = -1.0
                _, score, _, (x, y) = cv2.minMaxLoc(scores)
                if best is not None and score <= best.score:
                    continue
                # Coarse pixel offsets → an affine map between working-pixel grids.
                fx, fy = size[0] / width, size[1] / height
                to_page = (
                    scaling(ratio, ratio)
                    @ np.array([[1.0, 0, x - pad], [0, 1.0, y - pad], [0, 0, 1.0]])
                    @ scaling(fx, fy)
                    @ scaling(1 / ratio, 1 / ratio)
                )
                best = CoarseMatch(form_id, upside_down, scale, float(score), to_page[:2])
        if best is not None:
            matches.append(best)
    return sorted(matches, key=lambda m: m.score, reverse=True)


def _blank_windows(energy: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Where a window of ``shape`` holds next to no line at all, as laid out by
    ``cv2.matchTemplate``'s scores; ``energy`` is the integral image of the page's squared
    line strength. Normalised correlation is undefined there and OpenCV answers 1.0: an A6
    slip on an A4 scan has blank paper that fits a whole template, which then scored best
    (measured: a faded slip read as no form at all)."""
    height, width = shape[:2]
    summed = (
        energy[height:, width:]
        - energy[:-height, width:]
        - energy[height:, :-width]
        + energy[:-height, :-width]
    )
    return np.asarray(summed < _MIN_WINDOW_ENERGY * height * width)


def refine(page_lines: LineMaps, match: CoarseMatch) -> Registration | None:
    """ECC refinement of a coarse match over a pyramid: ``COARSE_DPI``, ``FINE_DPI``,
    ``WORK_DPI``.

    The coarse level corrects the scale and offset the grid search left (its basin is
    wide); each finer level starts close and needs few iterations. The last level
    matters on slips cut off at an edge: stopping at 50 dpi left 0.5 mm at the far side
    of one such slip, 100 dpi 0.14 mm. None when ECC does not converge.
    """
    template = load_template(match.form_id)
    strength = page_lines.strength()
    warp = _homogeneous(match.warp)
    for level_dpi, template_map, blur, epsilon, iterations in (
        (COARSE_DPI, template.coarse, 3, 1e-3, 60),
        (FINE_DPI, template.fine, 5, 1e-3, 30),
        (WORK_DPI, template.work, 5, 1e-3, 10),
    ):
        to_level = scaling(level_dpi / WORK_DPI, level_dpi / WORK_DPI)
        page_map = strength if level_dpi == WORK_DPI else _reduce(strength, level_dpi)
        level_warp = _ecc(
            template_map,
            page_map,
            (to_level @ warp @ np.linalg.inv(to_level))[:2],
            blur,
            epsilon,
            iterations,
        )
        if level_warp is None:
            return None
        warp = np.linalg.inv(to_level) @ _homogeneous(level_warp) @ to_level
    warp = warp[:2]
    return Registration(match.form_id, warp, registration_quality(page_lines, template, warp))


def _homogeneous(matrix: np.ndarray) -> np.ndarray:
    return np.vstack([matrix.astype(np.float64), [0.0, 0.0, 1.0]])


def _ecc(
    template: np.ndarray,
    page: np.ndarray,
    warp: np.ndarray,
    blur: int,
    epsilon: float,
    iterations: int,
) -> np.ndarray | None:
    criteria = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, iterations, epsilon)
    try:
        # No mask (None) is what we mean; the stubs only type the blur overload with one.
        _, found = cv2.findTransformECC(  # type: ignore[call-overload]
            template, page, warp.astype(np.float32), cv2.MOTION_AFFINE, criteria, None, blur
        )
    except cv2.error:
        return None
    return found.astype(np.float64)


def registration_quality(page_lines: LineMaps, template: Template, warp: np.ndarray) -> float:
    """How well the page's ruling lines, warped onto the template, match the template's.

    The normalised correlation of line strength, for horizontal and vertical lines
    separately; the quality is the worse of the two, because a page shifted sideways
    still overlaps every horizontal line and only its vertical lines tell. Lines are
    blurred by ``LINE_TOLERANCE_PX`` first: a fraction of a millimetre is no error.
    """
    height, width = template.lines.horizontal.shape
    scores = []
    for page_map, expected in (
        (page_lines.horizontal, template.blurred.horizontal),
        (page_lines.vertical, template.blurred.vertical),
    ):
        page = cv2.warpAffine(
            page_map, warp, (width, height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        )
        page = cv2.GaussianBlur(page, (0, 0), LINE_TOLERANCE_PX)
        scores.append(_correlation(page, expected))
    return float(max(0.0, min(scores)))


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.vdot(a, b)) / norm if norm > 0 else 0.0


def template_to_page(registration: Registration, context: PageContext) -> np.ndarray:
    """3×3 map from the 300-dpi template grid to the original page's pixels."""
    template = load_template(registration.form_id)
    warp = _homogeneous(registration.warp)
    return np.linalg.inv(context.to_work) @ warp @ template.to_work


def warp_to_template(
    grey: np.ndarray, registration: Registration, context: PageContext
) -> np.ndarray:
    """The original page resampled onto its template's 300-dpi pixel grid (grey).

    A scan at least ``SHRINK_FIRST`` times finer than the grid is shrunk close to it first
    (see :func:`~ocr.preprocess.shrink_keeping_strokes`): a warp interpolates between the
    nearest pixels only, and would drop thin strokes.
    """
    width, height = load_template(registration.form_id).size
    to_page = template_to_page(registration, context)
    scale = linear_scale(to_page)
    if scale >= SHRINK_FIRST:
        grey, shrink = shrink_keeping_strokes(grey, 1 / scale)
        to_page = shrink @ to_page
    return cv2.warpAffine(
        grey,
        to_page[:2],
        (width, height),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderValue=255,
    )
