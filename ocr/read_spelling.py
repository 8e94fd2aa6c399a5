"""Words the dictionary knows: the engine's next guess taken where it makes far likelier
Japanese.

The recogniser misreads a character for one that looks alike (束 for 東, 午 for 年, 合 for
令) and often still shows the right one among its next guesses. SudachiDict (the name
dictionary's own, read locally) scores how likely a text is as Japanese: the cost of the
best way to split it into words. A guess that lowers that cost by a wide margin is taken;
the field goes to review all the same, since the dictionary knows likely words, not what
was written.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

from ocr.engines.base import OcrWord
from ocr.read_names import sudachi_dictionary

#: A guess is taken when it makes the text this much likelier (:func:`spelling_cost`;
#: 束和共済組合 → 東和共済組合 gains 10,067) ...
SPELLING_GAIN = 5000
#: ... and the engine gave it at least this probability.
MIN_GUESS = 0.01
#: At most this many characters of one field are put right so.
MAX_CHANGES = 3


def spelling_cost(text: str) -> int:
    """How unlikely SudachiDict finds ``text`` as Japanese: the cost of its best split into
    words (0 for one listed word; 東和共済組合 15,724, 束和共済組合 25,791)."""
    return int(_tokenizer().tokenize(text).get_internal_cost())


def likelier_spelling(text: str, read: list[OcrWord], fixed: frozenset[int] = frozenset()) -> str:
    """``text`` with up to :data:`MAX_CHANGES` characters swapped for the engine's next
    guess, each where the dictionary finds the result far likelier Japanese.

    ``read`` is what the engine read for the text's characters other than white space, in
    order; a text tidied to another length is returned as it is. Positions in ``fixed``
    (of ``read``) are kept, and only kanji and kana are swapped, for kanji and kana.
    """
    at = [i for i, ch in enumerate(text) if not ch.isspace()]
    if len(at) != len(read):
        return text
    chars = list(text)
    cost = spelling_cost(text)
    for _ in range(MAX_CHANGES):
        candidates = []
        for n, word in enumerate(read):
            if n in fixed or not _is_letter(chars[at[n]]):
                continue
            for guess, chance in word.alternatives:
                if chance < MIN_GUESS or len(guess) != 1 or not _is_letter(guess):
                    continue
                swapped = "".join([*chars[: at[n]], guess, *chars[at[n] + 1 :]])
                candidates.append((spelling_cost(swapped), swapped, n))
        if not candidates:
            break
        best_cost, best, n = min(candidates)
        if cost - best_cost < SPELLING_GAIN:
            break
        chars, cost = list(best), best_cost
        fixed = fixed | {n}
    return "".join(chars)


def _is_letter(char: str) -> bool:
    """Kanji and kana: the dictionary's words are spelt with them. (A dash read between two
    numbers is no misread 一, though the dictionary likes 一 better.)"""
    return unicodedata.category(char) == "Lo"


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    from sudachipy import SplitMode

    return sudachi_dictionary().tokenizer(mode=SplitMode.C)
