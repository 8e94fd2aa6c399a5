"""Where the space between family and given name falls, from the recogniser's positions.

Ink gaps find the space when it is wide (:func:`ocr.read_ink.name_spans`), but not in
half-width katakana, where a half-width space is no wider than the gap a dakuten leaves
(ｵｶﾞﾜ ﾏｺﾄ). Character *centres* do not have that problem: in Japanese print every
character has the same advance, and a space adds one more, so the distance between the
centres on either side of a space is about twice the usual pitch.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from statistics import median

from ocr.engines.base import OcrWord

#: A centre distance this many times the usual pitch is a space ...
SPACE_PITCH_RATIO = 1.45
#: ... and within this much of that ratio the decision is unsure (confidence falls to 0).
UNSURE_BAND = 0.15
#: Em size against the height of the written ink: used when two characters give no pitch.
EM_PER_INK_HEIGHT = 1.1


def name_space(words: Sequence[OcrWord], ink_height: float) -> tuple[int | None, float]:
    """The index of the character after which the space goes (None: no space) and how
    certain that decision is (0..1).

    ``ink_height`` is the height of the written characters in the same pixel units as the
    words' boxes, in the direction across the line.
    """
    centres = [w.bbox[0] + w.bbox[2] / 2 for w in words]
    distances = [b - a for a, b in pairwise(centres)]
    if not distances:
        return None, 1.0
    pitch = median(distances) if len(distances) >= 2 else EM_PER_INK_HEIGHT * ink_height
    widest = max(range(len(distances)), key=distances.__getitem__)
    ratio = distances[widest] / max(pitch, 1e-6)
    certainty = min(1.0, abs(ratio - SPACE_PITCH_RATIO) / UNSURE_BAND)
    return (widest + 1 if ratio >= SPACE_PITCH_RATIO else None), certainty
