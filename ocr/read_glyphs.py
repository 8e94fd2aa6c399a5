"""Variant kanji the recogniser cannot write, told apart from their common form by the glyph.

PP-OCR's dictionary lacks 﨑 (竒 on the right, where 崎 has 奇), a form a family name may
legally use, so it reads 山﨑 as 山崎 with full confidence. Each such stand-in character read
in a name is cut out of its crop and compared with how the print fonts of
:data:`TEMPLATES_PATH` draw both forms; only a close, clear match to the variant changes
the value. Either way the name stays in review (:func:`ocr.read_text.may_be_variant`): the
glyph test makes the proposed value right more often, it does not make it certain.

Handwriting mostly stays as read: its glyphs seldom come close enough to a print font.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from ocr.engines.base import OcrWord

#: The stand-in the recogniser answers, and the variant it may stand for.
VARIANTS: dict[str, str] = {"崎": "﨑"}
#: Both forms of each pair drawn by print fonts (``scripts/make_variant_glyphs.py``).
TEMPLATES_PATH = Path(__file__).with_name("variant_glyphs.npz")
#: Side of the square every glyph is scaled to before comparing.
GLYPH_SIZE = 32
#: A glyph correlating less than this with every font's drawing of either form is not
#: print: handwriting, or a bad cut.
MIN_LIKENESS = 0.65
#: How much better the nearest font's variant must correlate than its common form.
#: Measured on generated slips and on drawn lines (README "Accuracy and speed"): of 241
#: crops of 崎, printed, scanned badly or handwritten, none reached 0.04.
MIN_MARGIN = 0.04
#: Shifts (pixels of the scaled glyph) tried in each direction: a cut off by a pixel or two
#: is still the same glyph.
_SHIFT = 2


def with_variants(image: np.ndarray, words: list[OcrWord]) -> list[OcrWord]:
    """``words`` read from the line crop ``image``, each stand-in whose glyph is the
    variant's written as the variant."""
    if not any(w.text in VARIANTS for w in words):
        return words
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    out = list(words)
    for i, word in enumerate(words):
        variant = VARIANTS.get(word.text)
        if variant is None:
            continue
        glyph = _glyph(grey, words, i)
        if glyph is not None and _is_variant(glyph, word.text):
            out[i] = OcrWord(variant, word.bbox, word.confidence, word.alternatives)
    return out


def _glyph(grey: np.ndarray, words: list[OcrWord], i: int) -> np.ndarray | None:
    """The ink of character ``i``, between the midpoints to its neighbours' centres, scaled."""
    threshold, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = grey < threshold
    centres = [w.bbox[0] + w.bbox[2] / 2 for w in words]
    left = 0 if i == 0 else int((centres[i - 1] + centres[i]) / 2)
    right = grey.shape[1] if i == len(words) - 1 else int((centres[i] + centres[i + 1]) / 2)
    window = ink[:, left:right]
    rows = np.flatnonzero(window.any(axis=1))
    cols = np.flatnonzero(window.any(axis=0))
    if rows.size < 4 or cols.size < 4:
        return None
    return scaled_glyph(window[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])


def scaled_glyph(ink: np.ndarray) -> np.ndarray:
    """A glyph's ink (bool, cut to its bounding box) centred in a square, scaled to
    :data:`GLYPH_SIZE` and softened so that strokes a pixel apart still overlap (0..1)."""
    height, width = ink.shape
    side = max(height, width)
    square = np.zeros((side, side), np.float32)
    top, left = (side - height) // 2, (side - width) // 2
    square[top : top + height, left : left + width] = ink
    scaled = cv2.resize(square, (GLYPH_SIZE, GLYPH_SIZE), interpolation=cv2.INTER_AREA)
    return cv2.GaussianBlur(scaled, (0, 0), 1.0)


def _is_variant(glyph: np.ndarray, stand_in: str) -> bool:
    """Whether the print font whose drawing ``glyph`` is likest draws the variant likelier."""
    glyph = _standardised(glyph)
    likest: tuple[float, float] | None = None
    for common, variant in _templates()[stand_in]:
        to_common, to_variant = _likeness(glyph, common), _likeness(glyph, variant)
        if likest is None or max(to_common, to_variant) > likest[0]:
            likest = (max(to_common, to_variant), to_variant - to_common)
    return likest is not None and likest[0] >= MIN_LIKENESS and likest[1] >= MIN_MARGIN


def _standardised(glyph: np.ndarray) -> np.ndarray:
    """Zero mean, unit norm: a thicker or fainter stroke is the same drawing."""
    centred = glyph - glyph.mean()
    return centred / max(float(np.linalg.norm(centred)), 1e-9)


def _likeness(glyph: np.ndarray, template: np.ndarray) -> float:
    """The best correlation of two standardised glyphs over small shifts of ``template``."""
    best = -1.0
    for dy in range(-_SHIFT, _SHIFT + 1):
        shifted_rows = np.roll(template, dy, axis=0)
        for dx in range(-_SHIFT, _SHIFT + 1):
            best = max(best, float((glyph * np.roll(shifted_rows, dx, axis=1)).sum()))
    return best


@lru_cache(maxsize=1)
def _templates() -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    """Per stand-in, one (common form, variant) pair of scaled glyphs per print font."""
    with np.load(TEMPLATES_PATH) as data:
        return {
            stand_in: [
                (
                    _standardised(common.astype(np.float32)),
                    _standardised(variant.astype(np.float32)),
                )
                for common, variant in data[f"U+{ord(stand_in):04X}"]
            ]
            for stand_in in VARIANTS
        }
