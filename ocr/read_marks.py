"""Half-width voiced marks seen in the ink of a フリガナ.

Payroll software prints フリガナ in half-width katakana, where the dakuten is a character of
its own (ｷﾞ is ｷ and ﾞ): two short strokes in a narrow cell of their own at the top of the
line. Printed small, the recogniser often leaves it out (ﾀｶｷﾞ read タカキ), and a name whose
dictionary lists both readings (高木: タカキ, タカギ) cannot choose. The ink can: a cell of
ink, apart from its neighbours, narrow and wholly in the top part of the line, is such a
mark, and the character read before it is the one it voices.

A semi-voiced ﾟ (a small ring) is told from ﾞ by nothing here; the readings it chooses
between are the dictionary's own and stay in review.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ocr.engines.base import OcrWord
from ocr.read_ink import INK_LEVEL
from ocr.read_plan import Piece

#: A mark's ink ends within this share of the line's ink height from its top (a long-vowel
#: ｰ lies across the middle, small kana at the bottom).
MARK_TOP_SHARE = 0.45
#: A mark is at most this share of the line's ink height wide, unstretched (a half-width
#: kana is about half as wide as it is tall; ﾞ is half of that).
MARK_WIDTH_SHARE = 0.35


def marks_after(pieces: Sequence[Piece], words: Sequence[Sequence[OcrWord]]) -> frozenset[int]:
    """The characters (their indexes over all pieces, in reading order, one per character
    read) that a stand-alone voiced mark follows in the ink."""
    found: set[int] = set()
    at = 0
    for piece, piece_words in zip(pieces, words, strict=True):
        centres = [
            w.bbox[0] + w.bbox[2] / 2 for w in piece_words for _ in range(len(w.text.strip()))
        ]
        for start in _mark_cells(piece.image, piece.stretch):
            before = [i for i, centre in enumerate(centres) if centre < start]
            if before:
                found.add(at + before[-1])
        at += len(centres)
    return frozenset(found)


def _mark_cells(image: np.ndarray, stretch: float) -> list[int]:
    """Where each mark-like cell of ``image`` (a line crop, grey) starts, in its pixels."""
    ink = image < INK_LEVEL
    rows = np.flatnonzero(ink.any(axis=1))
    if rows.size < 2:
        return []
    top, height = int(rows[0]), int(rows[-1]) - int(rows[0]) + 1
    starts = []
    for x0, x1 in _column_runs(np.asarray(ink.any(axis=0)))[1:]:  # a mark follows a character
        cell_rows = np.flatnonzero(ink[:, x0:x1].any(axis=1))
        low = int(cell_rows[-1]) - top + 1
        if low <= MARK_TOP_SHARE * height and (x1 - x0) <= MARK_WIDTH_SHARE * height * stretch:
            starts.append(x0)
    return starts


def _column_runs(inked: np.ndarray) -> list[tuple[int, int]]:
    """Runs of inked columns, each as (first, past last)."""
    padded = np.concatenate(([False], inked, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]
