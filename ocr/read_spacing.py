"""Where the space between family and given name falls, from the recogniser's positions.

Ink gaps find the space when it is wide (:func:`ocr.read_ink.name_spans`), but not in
half-width katakana, where a half-width space is no wider than the gap a dakuten leaves
(ｵｶﾞﾜ ﾏｺﾄ). Character *centres* do not have that problem: in Japanese print every
character has the same advance, and a space adds one more, so the distance between the
centres on either side of a space is about twice the usual pitch.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from itertools import pairwise
from statistics import median

from ocr.engines.base import OcrWord

#: A centre distance this many times the usual pitch is a space ...
SPACE_PITCH_RATIO = 1.45
#: ... and within this much of that ratio the decision is unsure (confidence falls to 0).
UNSURE_BAND = 0.15
#: Half-width lines: cells unaccounted for beyond this make the reading doubtful.
CELL_TOLERANCE = 0.9
#: Em size against the height of the written ink: used when two characters give no pitch.
EM_PER_INK_HEIGHT = 1.1


def name_space(
    words: Sequence[OcrWord],
    ink_height: float,
    half_width: bool = False,
    ink_end: float | None = None,
) -> tuple[int | None, float]:
    """The index of the character after which the space goes (None: no space) and how
    certain that decision is (0..1).

    ``ink_height`` is the height of the written characters in the same pixel units as the
    words' boxes, in the direction across the line. ``half_width``: the characters were
    printed half-width, where a voiced mark takes a cell of its own (ﾀﾞ), read as one
    character (ダ) at the position of the first. ``ink_end``: where the line's ink ends,
    to tell a voiced mark dropped after the last character.
    """
    centres = [w.bbox[0] + w.bbox[2] / 2 for w in words]
    distances = [b - a for a, b in pairwise(centres)]
    if not distances:
        return None, 1.0
    voiced = [half_width and _is_voiced(w.text) for w in words[:-1]]
    plain = [d for d, v in zip(distances, voiced, strict=True) if not v]
    cells_certainty = 1.0
    if half_width and len(plain) >= 2:
        # Take the mark's cell out of the distance that follows it.
        cell = median(sorted(plain)[:-1])
        distances = [d - cell if v else d for d, v in zip(distances, voiced, strict=True)]
        # Every cell of the line must be accounted for: a voiced mark the reading dropped
        # (ﾄﾞ read as ト) leaves one cell over, and puts the space in the wrong place.
        span = (centres[-1] - centres[0]) / cell
        expected = len(distances) + sum(voiced) + 1  # the space takes about one cell
        tail = (ink_end - centres[-1]) / cell if ink_end is not None else 0.5
        tail -= 1.0 if voiced[-1:] == [False] and _is_voiced(words[-1].text) else 0.0
        if abs(span - expected) > CELL_TOLERANCE or tail > CELL_TOLERANCE:
            cells_certainty = 0.3
    widest = max(range(len(distances)), key=distances.__getitem__)
    # The usual pitch leaves the candidate out: in 鈴木　茂 it is half the distances.
    others = distances[:widest] + distances[widest + 1 :]
    pitch = median(others) if others else EM_PER_INK_HEIGHT * ink_height
    ratio = distances[widest] / max(pitch, 1e-6)
    certainty = min(1.0, abs(ratio - SPACE_PITCH_RATIO) / UNSURE_BAND, cells_certainty)
    return (widest + 1 if ratio >= SPACE_PITCH_RATIO else None), certainty


#: Ink running on past the first or last character read by more than this many character
#: pitches holds a character the reading left out (ヒロシ read ヒロ, the name 博 read ヒロ
#: too); a character's ink reaches about half a pitch past its centre.
UNREAD_PITCHES = 0.9


def ink_unread(
    words: Sequence[OcrWord],
    ink_height: float,
    ink_span: tuple[float, float],
    half_width: bool = False,
) -> bool:
    """Whether the line's ink (``ink_span``: where it starts and ends, in the words' pixel
    units) runs on past the first or the last character read by more than
    :data:`UNREAD_PITCHES` of the line's character pitch."""
    centres = [w.bbox[0] + w.bbox[2] / 2 for w in words]
    if not centres:
        return False
    distances = sorted(b - a for a, b in pairwise(centres))
    # The widest distance may hold the family/given-name space; a voiced mark's cell is
    # another (ﾀﾞ read as ダ): the pitch is the median of the rest.
    pitch = median(distances[:-1]) if len(distances) >= 3 else 0.0
    if pitch <= 0:
        pitch = EM_PER_INK_HEIGHT * ink_height / (2 if half_width else 1)
    last_mark = 1.0 if half_width and _is_voiced(words[-1].text) else 0.0
    before = (centres[0] - ink_span[0]) / pitch
    after = (ink_span[1] - centres[-1]) / pitch - last_mark
    return max(before, after) > UNREAD_PITCHES


def _is_voiced(text: str) -> bool:
    """ガ, パ …: a kana that decomposes into a base and a (semi-)voiced mark."""
    return any(ch in "\u3099\u309a" for ch in unicodedata.normalize("NFD", text))
