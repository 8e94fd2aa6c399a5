"""Preprocessing stages: each is a function ``(image, context) -> image``.

Estimation runs on a small *working* image (``WORK_DPI``), never on the full scan: every
stage that moves pixels also records what it did in ``PageContext.to_work`` (a 3×3 matrix
from original-page pixels to working-image pixels). Registration adds the last step, and
the original scan is resampled once, straight onto the template's 300-dpi grid (that is
the normalisation to 300 dpi), so the characters the OCR reads have been interpolated
only once — except a scan of 375 dpi and finer, which is first shrunk close to the grid
by averaging (``shrink_keeping_strokes``) so that no thin stroke falls between samples.

The stages, in order: ``dropout_grey`` (a red 印 fades out), ``to_work_resolution``,
``crop_to_content`` (the slip, wherever it lies on the bed), ``deskew``; orientation
(``rotate_180``, ``rotate_90``) is decided by identification, which compares the page
with the templates; ``flatten_background`` (contrast) finishes the registered page.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

#: Resolution of the working image used for every estimate (skew, form, registration).
WORK_DPI = 100.0
#: Resolution of the blank templates, hence of every registered page.
TEMPLATE_DPI = 300.0
#: Skew is searched in this range (a page turned by 90° is a matter of orientation).
SKEW_SEARCH_DEG = 45.0
#: Ink is at least this much darker than paper (0–255), however faded the print.
_MIN_INK_CONTRAST = 25
#: Cap on ink points used for the skew search (they are sampled, not all needed).
_SKEW_MAX_POINTS = 20_000
#: A bilevel scan's pixels are darker than this or lighter than 255 minus this.
_BILEVEL_BLACK = 64

cv2.setNumThreads(1)


@dataclass
class PageContext:
    """What is known about one page while it is being prepared."""

    #: Resolution of the original scan: from the file when present, else a provisional guess.
    dpi: float
    dpi_from_file: bool
    #: Original-page pixels → current working-image pixels (3×3, homogeneous).
    to_work: np.ndarray = field(default_factory=lambda: np.eye(3))
    skew_deg: float = 0.0
    #: Quarter turns clockwise (0–3) that brought the page the right way up.
    quarter_turns: int = 0

    def compose(self, step: np.ndarray) -> None:
        """Record a geometric step (2×3 or 3×3) applied to the working image."""
        self.to_work = _homogeneous(step) @ self.to_work


Stage = Callable[[np.ndarray, PageContext], np.ndarray]


def _homogeneous(matrix: np.ndarray) -> np.ndarray:
    if matrix.shape == (3, 3):
        return matrix.astype(np.float64)
    return np.vstack([matrix.astype(np.float64), [0.0, 0.0, 1.0]])


def dropout_grey(image: np.ndarray, context: PageContext) -> np.ndarray:
    """Grey page in which a red 印 stamp all but vanishes while black print and blue ink stay.

    The red channel does exactly that: red is bright in it, black and blue are dark.
    """
    if image.ndim == 2:
        return image
    return np.ascontiguousarray(image[:, :, 2])


def to_work_resolution(image: np.ndarray, context: PageContext) -> np.ndarray:
    """Resample to ``WORK_DPI`` (area averaging: noise and halftone dots average out)."""
    factor = WORK_DPI / context.dpi
    height, width = image.shape[:2]
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    context.compose(scaling(size[0] / width, size[1] / height))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def linear_scale(matrix: np.ndarray) -> float:
    """The linear scale of an affine map (square root of its area ratio)."""
    return math.sqrt(abs(float(np.linalg.det(matrix[:2, :2]))))


def scaling(fx: float, fy: float) -> np.ndarray:
    """The 3×3 map of a resize by (fx, fy), pixel centres aligned as cv2.resize does."""
    return np.array([[fx, 0.0, 0.5 * fx - 0.5], [0.0, fy, 0.5 * fy - 0.5], [0.0, 0.0, 1.0]])


def crop_to_content(image: np.ndarray, context: PageContext) -> np.ndarray:
    """Cut away empty paper and a dark scanner lid around the slip, keeping a margin.

    An A6 slip may lie anywhere on an A4 flatbed: cropping makes every later estimate
    look at the slip, not at the glass.
    """
    paper = _paper_mask(image)
    ink = (image < ink_threshold(image, paper)) & paper
    points = _content_points(ink)
    height, width = image.shape[:2]
    if points is None:
        return image
    x, y, w, h = cv2.boundingRect(points)
    margin = round(12 / 25.4 * WORK_DPI)  # 12 mm: faint print at the edge is not lost
    x0, y0 = max(0, x - margin), max(0, y - margin)
    x1, y1 = min(width, x + w + margin), min(height, y + h + margin)
    cropped = image[y0:y1, x0:x1].copy()
    cropped[~paper[y0:y1, x0:x1]] = 255  # the dark lid becomes paper
    context.compose(np.array([[1.0, 0.0, -x0], [0.0, 1.0, -y0]]))
    return cropped


def _paper_mask(image: np.ndarray) -> np.ndarray:
    """True where the page is paper rather than a dark scanner lid or edge strip.

    Background is dark area wider than any printed line that touches the image border:
    opening removes lines and the solid identification mark is never at the border.
    """
    width = max(3, round(1.5 / 25.4 * WORK_DPI))  # 1.5 mm: wider than any ruling line
    dark = cv2.morphologyEx(
        (image < 80).astype(np.uint8), cv2.MORPH_OPEN, np.ones((width, width), np.uint8)
    )
    count, labels = cv2.connectedComponents(dark, connectivity=4)
    if count <= 1:
        return np.ones(image.shape, bool)
    edge = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    touching = np.unique(edge[edge > 0])
    return ~np.isin(labels, touching)


def percentiles(values: np.ndarray, q: list[float]) -> np.ndarray:
    """Percentiles ``q`` of an image's values, from a regular sample of at most ~250k
    pixels: grey-level statistics do not need every pixel of a 300-dpi page."""
    if values.ndim == 2:
        step = max(1, int(np.sqrt(values.size / 250_000)))
        sample = values[::step, ::step]
    else:
        sample = values[:: max(1, values.size // 250_000)]
    return np.percentile(sample, q)


def ink_threshold(image: np.ndarray, paper: np.ndarray | None = None) -> float:
    """Grey level below which a pixel is ink: between paper and the page's darkest print,
    so faded print counts as ink as long as it stands out from the paper at all."""
    values = image if paper is None else image[paper]
    if values.size == 0:
        return 0.0
    paper_level, print_level = percentiles(values, [90, 0.5])
    contrast = max(_MIN_INK_CONTRAST, 0.25 * (paper_level - print_level))
    return float(paper_level - contrast)


def _content_points(ink: np.ndarray) -> np.ndarray | None:
    """Pixels of ink marks at least ~2 mm across: lines and characters, not dust or noise."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    minimum = 2.0 / 25.4 * WORK_DPI
    extent = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    keep = np.flatnonzero(extent >= minimum)
    keep = keep[keep > 0]
    if keep.size == 0:
        return None
    # The bounding box of the kept components is all that is needed: their corners.
    left = stats[keep, cv2.CC_STAT_LEFT]
    top = stats[keep, cv2.CC_STAT_TOP]
    right = left + stats[keep, cv2.CC_STAT_WIDTH] - 1
    bottom = top + stats[keep, cv2.CC_STAT_HEIGHT] - 1
    return np.array([[left.min(), top.min()], [right.max(), bottom.max()]], np.int32)


def estimate_skew(image: np.ndarray) -> float | None:
    """The page's skew in degrees (positive: counter-clockwise), or None without ink.

    Ruling lines and text make the ink's row and column profiles sharpest when the page
    is level, so the angle maximising the profiles' energy is the skew.
    """
    ink = image < ink_threshold(image)
    ys, xs = np.nonzero(ink)
    if xs.size < 50:
        return None
    rng = np.random.default_rng(0)
    if xs.size > _SKEW_MAX_POINTS:
        pick = rng.choice(xs.size, _SKEW_MAX_POINTS, replace=False)
        xs, ys = xs[pick], ys[pick]
    # Pixel centres form a lattice that bins unevenly at some angles (45° above all);
    # spreading each point over its pixel removes that false sharpness.
    xs = xs - image.shape[1] / 2.0 + rng.uniform(-0.5, 0.5, xs.size)
    ys = ys - image.shape[0] / 2.0 + rng.uniform(-0.5, 0.5, ys.size)
    best = 0.0
    # Coarse to fine: 1° over the whole range, then 0.1° and 0.02° around the best.
    for span, step in ((SKEW_SEARCH_DEG, 1.0), (1.0, 0.1), (0.1, 0.02)):
        angles = best + np.arange(-span, span + step / 2, step)
        best = float(angles[np.argmax([_profile_energy(xs, ys, a) for a in angles])])
    return best


def _profile_energy(xs: np.ndarray, ys: np.ndarray, angle_deg: float) -> float:
    """Energy of the row and column profiles of the ink once turned by ``-angle_deg``."""
    theta = np.deg2rad(angle_deg)
    cos, sin = np.cos(theta), np.sin(theta)
    energy = 0.0
    for coordinate in (ys * cos + xs * sin, xs * cos - ys * sin):
        bins = np.round(coordinate - coordinate.min()).astype(np.int64)
        counts = np.bincount(bins).astype(np.float64)
        energy += float(np.dot(counts, counts))
    return energy


def deskew(image: np.ndarray, context: PageContext) -> np.ndarray:
    """Turn the page level by its estimated skew (recorded in ``context.skew_deg``)."""
    angle = estimate_skew(image)
    context.skew_deg = angle or 0.0
    if not angle:
        return image
    height, width = image.shape[:2]
    rotation = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), -angle, 1.0)
    context.compose(rotation)
    return cv2.warpAffine(image, rotation, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)


def rotate_180(image: np.ndarray, context: PageContext) -> np.ndarray:
    """Turn an upside-down page the right way up."""
    height, width = image.shape[:2]
    context.compose(np.array([[-1.0, 0.0, width - 1.0], [0.0, -1.0, height - 1.0]]))
    context.quarter_turns = (context.quarter_turns + 2) % 4
    return np.ascontiguousarray(image[::-1, ::-1])


def rotate_90(image: np.ndarray, context: PageContext) -> np.ndarray:
    """Turn a page scanned sideways a quarter turn clockwise."""
    height = image.shape[0]
    # Clockwise: the left column becomes the top row, read from the bottom up.
    context.compose(np.array([[0.0, -1.0, height - 1.0], [1.0, 0.0, 0.0]]))
    context.quarter_turns = (context.quarter_turns + 1) % 4
    return np.ascontiguousarray(np.rot90(image, k=-1))


def is_bilevel(grey: np.ndarray) -> bool:
    """Whether the scan is black and white only (fax mode, a 1-bit TIFF), allowing the
    faint ringing JPEG leaves at its edges: a grey scan always has mid greys at the edges
    of its strokes, some for every twenty black pixels at the least."""
    counts = cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel()
    black = float(counts[:_BILEVEL_BLACK].sum())
    return black > 0 and float(counts[_BILEVEL_BLACK:-_BILEVEL_BLACK].sum()) < 0.05 * black


def shrink_keeping_strokes(grey: np.ndarray, factor: float) -> tuple[np.ndarray, np.ndarray]:
    """The scan shrunk by ``factor`` (< 1) by area averaging, and the 3×3 map of the shrink.

    A warp alone samples a 600-dpi scan at every other pixel, so a stroke one pixel wide
    can fall between the samples. Averaging keeps it, lighter; a black-and-white scan has
    no lighter ink to show (a hairline is black or it is gone), so its strokes are first
    widened to a target pixel and kept black.
    """
    if is_bilevel(grey):
        reach = max(2, round(1 / factor))
        grey = cv2.erode(grey, np.ones((reach, reach), np.uint8))
    height, width = grey.shape[:2]
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    shrunk = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    return shrunk, scaling(size[0] / width, size[1] / height)


def prepare(image: np.ndarray, context: PageContext, stages: list[Stage]) -> np.ndarray:
    """Run ``stages`` in order."""
    for stage in stages:
        image = stage(image, context)
    return image


#: From the scan to a level, cropped, grey working image. Orientation is settled by
#: identification, which compares both ways up against the templates.
WORKING_STAGES: list[Stage] = [dropout_grey, to_work_resolution, crop_to_content, deskew]


def flatten_background(grey: np.ndarray) -> np.ndarray:
    """Even out faded print and uneven lighting: divide by the paper's local brightness,
    then stretch so paper is white and the darkest print is black.

    The paper's brightness is the local maximum over ~6 mm, estimated at 1/8 scale: wider
    than any stroke or the solid identification mark, so print is never taken for paper.
    """
    height, width = grey.shape
    small = cv2.resize(
        grey, (max(1, width // 8), max(1, height // 8)), interpolation=cv2.INTER_AREA
    )
    small = cv2.dilate(small, np.ones((9, 9), np.uint8))
    small = cv2.blur(small, (9, 9))
    background = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(grey, np.maximum(background, 1), scale=255)
    low = float(percentiles(flat, [0.5])[0])
    if low >= 200:  # (almost) no ink: nothing to stretch
        return flat
    levels = (np.arange(256, dtype=np.float32) - low) * (255.0 / (255.0 - low))
    return cv2.LUT(flat, np.clip(levels, 0, 255).astype(np.uint8))
