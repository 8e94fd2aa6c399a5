"""Capture-quality checks, and the reasons a scanning-station operator is shown (R11).

Each check measures one thing on the working image (``WORK_DPI``, grey, cropped) and
raises :class:`PageRejected` with a stable ``code`` and a reason in Japanese first, English
in parentheses. Thresholds are named constants, set from measurements on generated
samples (``ocr.synth``; see tests/test_ocr_quality.py for the margins they keep).
"""

from __future__ import annotations

import cv2
import numpy as np

from intake.errors import PageRejected
from ocr.preprocess import WORK_DPI, PageContext, ink_threshold, percentiles

#: Scans below this resolution are refused: 2–3 mm characters need ~200 dpi to be read.
MIN_DPI = 200.0
#: A copier may shrink a form to 95 %; its effective resolution shrinks with it.
MIN_SCALE = 0.95
#: Share of the page that must be ink (marks ≥ ~1 mm) for it not to be blank. Measured
#: on 90 generated forms (clean, degraded, handwritten): 4.7 % at least; blank sheets
#: with dust: 0.
BLANK_INK_RATIO = 0.003
#: Sharpness below this is blurred (see ``sharpness``). Measured: sharp and degraded
#: scans (blur up to 0.12 mm) 0.42 at least; a 0.5–1 mm blur 0.12 at most.
MIN_SHARPNESS = 0.22
#: Skew beyond this is not corrected: a page fed this crooked is cut off or folded.
MAX_SKEW_DEG = 5.0

REASONS: dict[str, str] = {
    "blank_page": "白紙のページです。原稿の表裏を確認して再スキャンしてください。(blank page)",
    "blurred": "画像がぼやけていて読めません。原稿を平らに置き、再スキャンしてください。"
    "(blurred image)",
    "low_resolution": "解像度が低すぎます（{dpi:.0f}dpi）。"
    "200dpi以上（推奨300dpi）で再スキャンしてください。"
    "(resolution too low: {dpi:.0f} dpi, at least 200 dpi needed)",
    "skewed": "原稿が大きく傾いています（{degrees:.0f}度）。"
    "まっすぐに置いて再スキャンしてください。(page skewed by {degrees:.0f} degrees)",
    "unknown_form": "対象の帳票（給与支払報告書・公的年金等支払報告書・申告書）ではありません。"
    "帳票を確認してください。(not one of the supported forms)",
    "multiple_forms": "1枚の画像に帳票が複数写っています。1枚ずつスキャンしてください。"
    "(more than one form on the page)",
    "registration_failed": "帳票の位置合わせができませんでした。"
    "印字のかすれ・原稿の折れ・汚れ・欠けを確認して再スキャンしてください。"
    "(could not align the page to its form{detail})",
}


def reject(code: str, **details: object) -> PageRejected:
    """The exception for a page refused with ``code``; ``details`` fill the message."""
    template = REASONS[code]
    if code == "registration_failed":
        details = {"detail": f": {details['detail']}" if details.get("detail") else ""}
    return PageRejected(code, template.format(**details))


def ink_ratio(work: np.ndarray) -> float:
    """Share of the working image covered by ink marks at least ~1 mm across.

    Measured at half the working resolution: a blank sheet has no marks at any scale,
    and the connected components of a noisy page cost a quarter as much to label.
    """
    small = cv2.resize(work, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    ink = (small < ink_threshold(small)).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count <= 1:
        return 0.0
    extent = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    marks = stats[1:, cv2.CC_STAT_AREA][extent >= 1.0 / 25.4 * WORK_DPI / 2]
    return float(marks.sum()) / small.size


def sharpness(work: np.ndarray) -> float:
    """How sharp the page's edges are at ``WORK_DPI``, independent of contrast and content.

    The strongest Laplacian responses (99.5th percentile) divided by the print contrast:
    a crisp edge changes grey level within a pixel, a blurred one spreads the change
    over several and its Laplacian falls. Taking the strongest responses makes the
    measure independent of how much of the page is written on.
    """
    paper, print_level = percentiles(work, [90, 0.5])
    contrast = float(paper - print_level)
    if contrast < 1:
        return 0.0
    smoothed = cv2.GaussianBlur(work, (3, 3), 0)  # sensor noise is not sharpness
    laplacian = np.abs(cv2.Laplacian(smoothed.astype(np.float32), cv2.CV_32F))
    return float(percentiles(laplacian, [99.5])[0]) / contrast


def check_resolution(dpi: float | None) -> None:
    """Refuse a scan whose resolution (from the file, or measured) is below ``MIN_DPI``."""
    if dpi is not None and dpi < MIN_DPI * MIN_SCALE:
        raise reject("low_resolution", dpi=dpi)


def check_not_blank(work: np.ndarray) -> None:
    """Refuse a page with (almost) no ink."""
    if ink_ratio(work) < BLANK_INK_RATIO:
        raise reject("blank_page")


def check_sharp(work: np.ndarray) -> None:
    """Refuse a page too blurred to read."""
    if sharpness(work) < MIN_SHARPNESS:
        raise reject("blurred")


def check_skew(context: PageContext) -> None:
    """Refuse a page skewed more than ``MAX_SKEW_DEG``."""
    if abs(context.skew_deg) > MAX_SKEW_DEG:
        raise reject("skewed", degrees=abs(context.skew_deg))
