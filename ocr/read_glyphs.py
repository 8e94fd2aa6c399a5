"""Kanji with a variant form the recogniser cannot tell apart, settled by the glyph.

PP-OCR's dictionary lacks 﨑 (竒 on the right, where 崎 has 奇), a form a family name may
legally use, so it reads 山﨑 as 山崎 with full confidence; it has 髙 (はしご高) but answers
高 for it. Each such character read in a name is cut out of its crop and compared with how
the print fonts of :data:`TEMPLATES_PATH` draw both forms. A close, clear match to one form
makes the value that form. The name is free of doubt only where every such glyph clearly
is the common form and the engine did not also see the variant (it lists 髙 among its
guesses for most 髙 it reads 高); the variant, or anything unclear (handwriting, a bad cut,
a glyph between the two), leaves the name in review.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from ocr.engines.base import OcrWord
from ocr.read_ink import runs

#: Each character's common form and the variant the recogniser does not tell from it.
VARIANT_PAIRS: tuple[tuple[str, str], ...] = (("崎", "﨑"), ("高", "髙"))
#: Variants the recogniser has no class for (the others it lists among its guesses).
UNREADABLE = frozenset("﨑")
#: Either form of a pair, to the pair.
PAIR_OF: dict[str, tuple[str, str]] = {ch: pair for pair in VARIANT_PAIRS for ch in pair}
#: Both forms of each pair drawn by print fonts (``scripts/make_variant_glyphs.py``).
TEMPLATES_PATH = Path(__file__).with_name("variant_glyphs.npz")
#: Side of the square every glyph is scaled to before comparing.
GLYPH_SIZE = 32
#: A glyph correlating less than this with every font's drawing of either form is not
#: print: most handwriting, or a bad cut.
MIN_LIKENESS = 0.65
#: How much better the likest font's drawing of one form must correlate than its drawing
#: of the other. With these two bounds, on crops of generated slips (README "Accuracy and
#: speed"), no 﨑 or 髙 of 484 (printed, scanned badly or handwritten) was settled as 崎 or
#: 高 for sure.
MIN_MARGIN = 0.04
#: ... or, for the variant only, at least this many fonts' drawings are that close and
#: favour it by that much on average.
MIN_AGREEING_FONTS = 3
#: A glyph is at most this much wider than the line's ink is high.
_GLYPH_ASPECT = 1.1
#: Shifts (pixels of the scaled glyph) tried in each direction: a cut off by a pixel or two
#: is still the same glyph.
_SHIFT = 2


@dataclass(frozen=True)
class Settled:
    """A line's characters with each variant pair's form settled where the glyph shows it."""

    words: list[OcrWord]
    #: Whether every character of a pair is surely the common form (True when none is there).
    sure: bool


def settle_variants(image: np.ndarray, words: list[OcrWord]) -> Settled:
    """``words`` read from the line crop ``image``, each character of a variant pair
    written as the form its glyph clearly shows, else left as read."""
    if not any(w.text in PAIR_OF for w in words):
        return Settled(words, sure=True)
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    threshold, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = grey < threshold
    spans = _glyph_spans(ink)
    out = list(words)
    sure = True
    for i, word in enumerate(words):
        pair = PAIR_OF.get(word.text)
        if pair is None:
            continue
        # Only a line whose ink splits into one glyph per character read says which is which.
        glyph = _glyph(ink, spans[i]) if len(spans) == len(words) else None
        form = None if glyph is None else _form(glyph, pair)
        seen = {word.text} | {guess for guess, _ in word.alternatives}
        sure = sure and form == pair[0] and pair[1] not in seen
        if form == pair[1] and pair[1] not in seen and pair[1] not in UNREADABLE:
            # A handwritten 高 can look like 髙 to print fonts; the engine, which can
            # answer 髙, must have seen it too.
            form = None
        if form is not None:
            out[i] = OcrWord(form, word.bbox, word.confidence, word.alternatives)
    return Settled(out, sure)


def _glyph(ink: np.ndarray, span: tuple[int, int]) -> np.ndarray | None:
    """The ink of the line between columns ``span``, cut to its rows and scaled."""
    x0, x1 = span
    window = ink[:, x0:x1]
    rows = np.flatnonzero(window.any(axis=1))
    if rows.size < 4 or x1 - x0 < 4:
        return None
    return scaled_glyph(window[rows[0] : rows[-1] + 1])


def _glyph_spans(ink: np.ndarray) -> list[tuple[int, int]]:
    """Column spans of the glyphs of a line: runs of inked columns, neighbours joined while
    together they stay no wider than a square glyph (山 and 奇 make 崎; 高 and 橋 stay two)."""
    rows = np.flatnonzero(ink.any(axis=1))
    if rows.size == 0:
        return []
    widest = _GLYPH_ASPECT * (rows[-1] - rows[0] + 1)
    spans: list[tuple[int, int]] = []
    for start, end in runs(ink.sum(axis=0)):
        if spans and end - spans[-1][0] <= widest:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


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


def _form(glyph: np.ndarray, pair: tuple[str, str]) -> str | None:
    """The form of ``pair`` the likest print font draws clearly likelier, if any; else the
    variant, where most fonts' drawings are close and together clearly favour it."""
    glyph = _standardised(glyph)
    # (likeness to the closer form, how much likelier the variant) per font
    fonts = []
    for common, variant in _templates()[pair[0]]:
        to_common, to_variant = _likeness(glyph, common), _likeness(glyph, variant)
        fonts.append((max(to_common, to_variant), to_variant - to_common))
    if not fonts:
        return None
    likest, margin = max(fonts)
    if likest >= MIN_LIKENESS and abs(margin) >= MIN_MARGIN:
        return pair[1] if margin > 0 else pair[0]
    # A blurred print is often between the two in its own font yet clearly the variant in
    # the others (山﨑 in a blurred serif print). Only the variant is taken this way, and a
    # variant keeps its name in review: the common form is never settled on such evidence.
    close = [m for like, m in fonts if like >= MIN_LIKENESS]
    if len(close) >= MIN_AGREEING_FONTS and float(np.mean(close)) >= MIN_MARGIN:
        return pair[1]
    return None


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
    """Per common form, one (common form, variant) pair of scaled glyphs per print font."""
    with np.load(TEMPLATES_PATH) as data:
        return {
            common: [
                (
                    _standardised(drawn[0].astype(np.float32)),
                    _standardised(drawn[1].astype(np.float32)),
                )
                for drawn in data[f"U+{ord(common):04X}"]
            ]
            for common, _ in VARIANT_PAIRS
        }
