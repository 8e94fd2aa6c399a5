"""A name checked against its reading (フリガナ) through a dictionary of Japanese readings.

A name and its reading are written in separate boxes and misread in different ways: the
recogniser drops a voiced mark or a small kana of half-width ﾌﾘｶﾞﾅ (ｺﾝﾄﾞｳ read コントウ),
puts the space between family and given name one character off (ヤマザ　キ), or reads a
kanji that looks alike (田村 as 山村). A name one of whose readings is exactly the reading
written beside it has been read right twice over; where they do not meet, one of them is
wrong and a person looks.

The readings come from SudachiDict (core edition, shipped as a Python package and read
locally), which lists surnames and given names with their readings. A name part it does not
list is read character by character, with the voicing a compound takes (山+崎: ヤマザキ).
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jaconv

from ocr.read_address import edit_distance

FULL_WIDTH_SPACE = "\u3000"
#: Character-by-character readings of one name part are tried up to this many.
MAX_COMPOSED = 4096

_KATAKANA = frozenset(chr(c) for c in range(0x30A1, 0x30FB)) | {"ー"}
#: Small kana the recogniser reads full size, and the other way round (キヨシ/キョシ).
_SMALL_TO_LARGE = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
_VOICED_MARKS = "\u3099\u309a"


@dataclass(frozen=True)
class NameMatch:
    """A name and its reading that agree, each with its family/given space in place."""

    name: str
    kana: str
    #: The reading box was read exactly so (spaces aside), and no other reading of the
    #: name differs from it only by voiced marks or small kana, which the recogniser
    #: confuses (山崎: ヤマサキ and ヤマザキ; a dropped dakuten would still "agree") —
    #: unless the other only lacks marks this one has: print loses a dakuten, it does not
    #: grow one, so ヤマザキ read is certain and ヤマサキ read is not. A
    #: reading put together character by character is never certain: the dictionary
    #: does not list it for this name. Nor is a name written in kana (竹内　トメ): the
    #: same misreading of both boxes (キヨ as キョ) would agree.
    certain: bool
    #: False: only the family name's reading was found, at the start of the reading box;
    #: the given name's reading is one the dictionary does not know (modern names often
    #: are: 陽翔 ハルト), so nothing is vouched for but where the space goes.
    whole: bool = True
    #: The readings are the dictionary's own, not put together character by character.
    listed: bool = True
    #: Other readings of the name the dictionary lists that are the reading as read with
    #: voiced marks it lacks (高木 read タカキ: タカギ), spaced as ``kana``: the print may
    #: have lost their marks, and only the ink can tell (see ocr.read_pairs).
    voicings: tuple[str, ...] = ()


class NameReadings:
    """The katakana readings of name parts, looked up once each."""

    def __init__(self, lookup: Callable[[str], Iterable[str]]) -> None:
        self._lookup = lookup
        self._cache: dict[tuple[str, bool], dict[str, frozenset[str]]] = {}

    def of(self, word: str, composed: bool = False) -> frozenset[str]:
        """The readings of ``word``: the dictionary's (if it lists none, or ``composed``,
        its characters' readings put together)."""
        return frozenset(r for same in self.by_fold(word, composed).values() for r in same)

    def by_fold(self, word: str, composed: bool = False) -> dict[str, frozenset[str]]:
        """The readings of ``word`` by their form without voiced marks and small kana."""
        key = (word, composed)
        if key not in self._cache:
            listed = self._whole(word)
            # Composed readings are many, and would make a listed name's voicing look
            # ambiguous (田村: ダムラ): they are a second try.
            found = listed | self._composed(word) if composed or not listed else listed
            groups: dict[str, set[str]] = {}
            for reading in found:
                groups.setdefault(_fold(reading), set()).add(reading)
            self._cache[key] = {f: frozenset(same) for f, same in groups.items()}
        return self._cache[key]

    def lists(self, word: str) -> bool:
        """Whether the dictionary lists readings of ``word`` itself (or it is kana)."""
        return bool(self._whole(word))

    def _whole(self, word: str) -> set[str]:
        found = {r for r in self._lookup(word) if r and set(r) <= _KATAKANA}
        kana = jaconv.hira2kata(word)
        if set(kana) <= _KATAKANA:  # a name written in kana reads as written (トメ, さくら)
            found.add(kana)
        return found

    def _composed(self, word: str) -> set[str]:
        if len(word) < 2:
            return set()
        options: list[set[str]] = []
        for position, char in enumerate(word):
            # 々 repeats the character before it (佐々木).
            readings = options[-1] if char == "々" and options else self._whole(char)
            if position:
                # Second parts of compounds are often voiced: 崎 サキ → ヤマザキ.
                readings = readings | {_voiced(r) for r in readings}
            options.append(readings)
        count = 1
        for readings in options:
            count *= len(readings)
        if count == 0 or count > MAX_COMPOSED:
            return set()
        return {"".join(parts) for parts in itertools.product(*options)}


def match_name(name: str, kana: str, readings: NameReadings) -> NameMatch | None:
    """How ``name`` and ``kana`` (both "family　given" as read) agree, or None.

    Every split of the name into family and given name is tried, the one read first, each
    with the dictionary's readings before the ones composed character by character. A
    reading that matches only once voiced marks and small kana are set aside is taken
    from the dictionary when it is the only such reading (コントウ → コンドウ), and the
    match is not certain.
    """
    letters = name.replace(FULL_WIDTH_SPACE, "")
    sounds = kana.replace(FULL_WIDTH_SPACE, "")
    if len(letters) < 2 or not sounds:
        return None
    read_split = name.find(FULL_WIDTH_SPACE)
    splits = sorted(range(1, len(letters)), key=lambda at: at != read_split)
    folded = _fold(sounds)
    candidates: list[tuple[int, str, str]] = []
    for at, composed in itertools.product(splits, (False, True)):
        given_by_fold = readings.by_fold(letters[at:], composed)
        for family_fold, families in sorted(readings.by_fold(letters[:at], composed).items()):
            if folded.startswith(family_fold):
                for given in sorted(given_by_fold.get(folded[len(family_fold) :], ())):
                    candidates += [(at, family, given) for family in sorted(families)]
        if candidates:
            break  # the split read, and the dictionary's own readings, come first
    listed = not composed
    if not candidates:
        return _family_only(letters, read_split, sounds, readings)
    exact = [c for c in candidates if c[1] + c[2] == sounds]
    spellings = {family + given for _, family, given in candidates}
    if not exact and len(spellings) > 1:
        return None  # which of the voicings was written, only a person can tell
    at, family, given = (exact or candidates)[0]
    # Only the dictionary's own readings: put together character by character, a name has
    # voicings no one uses (陽菜: ビナ).
    voiced = sorted(
        s for s in spellings - {sounds} if listed and exact and _dropped_marks(sounds, s)
    )
    return NameMatch(
        letters[:at] + FULL_WIDTH_SPACE + letters[at:],
        family + FULL_WIDTH_SPACE + given,
        certain=listed
        and bool(exact)
        and all(_dropped_marks(other, sounds) for other in spellings - {sounds})
        and not _misread_alike(letters),
        listed=listed,
        voicings=tuple(v[: len(family)] + FULL_WIDTH_SPACE + v[len(family) :] for v in voiced),
    )


def respell(
    name: str, kana: str, alternatives: Sequence[Sequence[str]], readings: NameReadings
) -> NameMatch | None:
    """``name`` with one character replaced by another the recogniser saw there, where
    exactly one such spelling reads as ``kana`` by the dictionary's own readings (後滕 →
    後藤 beside ゴトウ; voiced marks and small kana of the reading aside, as in
    :func:`match_name`).

    ``alternatives`` holds the other characters for each character of the name, spaces
    aside. Two differing spellings that both fit (斉藤, 斎藤: サイトウ) are no answer.
    """
    letters = [ch for ch in name if ch != FULL_WIDTH_SPACE]
    if len(alternatives) != len(letters):
        return None
    found: dict[str, NameMatch] = {}
    for at, others in enumerate(alternatives):
        for other in others:
            spelling = iter([*letters[:at], other, *letters[at + 1 :]])
            candidate = "".join(ch if ch == FULL_WIDTH_SPACE else next(spelling) for ch in name)
            match = match_name(candidate, kana, readings)
            if match is not None and match.whole and match.listed:
                found[match.name] = match
    return next(iter(found.values())) if len(found) == 1 else None


def repair_reading(name: str, kana: str, readings: NameReadings) -> NameMatch | None:
    """The one reading of ``name`` that ``kana`` is a character off — one dropped (ケンチ
    for ケンイチ), added (フプジワラ) or misread (サカイ　イン for レン) — by the
    dictionary's own readings. None when none is that near, or two spellings are. (Two off
    is as near as another name: 後藤 beside サイトウ may be a misread 斉藤.)

    The name is taken as read: this puts right a reading box misread where the name box
    was not, and leaves both in review. Only listed readings count: a modern given name
    is often read otherwise than its characters (乃愛 ノア, not ノアイ).
    """
    letters = name.replace(FULL_WIDTH_SPACE, "")
    sounds = kana.replace(FULL_WIDTH_SPACE, "")
    if len(letters) < 2 or len(sounds) < 3:
        return None
    read_split = name.find(FULL_WIDTH_SPACE)
    # A family/given split the name box shows is kept: others find readings of odd pieces.
    splits = [read_split] if read_split > 0 else range(1, len(letters))
    near: dict[str, tuple[int, int, str]] = {}  # spelling: (distance, split, family reading)
    for at in splits:
        if not (readings.lists(letters[:at]) and readings.lists(letters[at:])):
            continue  # readings put together character by character are too many to trust
        givens = readings.by_fold(letters[at:])
        for families in readings.by_fold(letters[:at]).values():
            for family, given in itertools.product(families, _each(givens)):
                spelling = family + given
                distance = edit_distance(spelling, sounds)
                if spelling not in near or distance < near[spelling][0]:
                    near[spelling] = (distance, at, family)
    ranked = sorted((d, spelling) for spelling, (d, _, _) in near.items() if d <= 1)
    if not ranked or ranked[0][0] == 0 or (len(ranked) > 1 and ranked[1][0] == ranked[0][0]):
        return None
    spelling = ranked[0][1]
    _, at, family = near[spelling]
    return NameMatch(
        letters[:at] + FULL_WIDTH_SPACE + letters[at:],
        family + FULL_WIDTH_SPACE + spelling[len(family) :],
        certain=False,
    )


def _each(by_fold: dict[str, frozenset[str]]) -> list[str]:
    return sorted(r for same in by_fold.values() for r in same)


def _family_only(letters: str, at: int, sounds: str, readings: NameReadings) -> NameMatch | None:
    """The reading split after the family name's reading, where that alone is found."""
    if at < 1:
        return None
    folded = _fold(sounds)
    found = [
        family
        for family_fold, families in readings.by_fold(letters[:at]).items()
        if folded.startswith(family_fold) and len(folded) > len(family_fold)
        for family in families
    ]
    exact = [family for family in found if sounds.startswith(family)]
    if (not exact and len(found) != 1) or len({len(f) for f in exact}) > 1:
        return None  # no reading, or a guess between voicings or lengths
    family = (exact or found)[0]
    return NameMatch(
        letters[:at] + FULL_WIDTH_SPACE + letters[at:],
        family + FULL_WIDTH_SPACE + sounds[len(family) :],
        certain=False,
        whole=False,
    )


@lru_cache(maxsize=1)
def sudachi_readings() -> NameReadings:
    """Readings from SudachiDict, opened once per process (memory-mapped, ~0.1 s)."""
    dictionary = sudachi_dictionary()
    return NameReadings(lambda word: (m.reading_form() for m in dictionary.lookup(word)))


@lru_cache(maxsize=1)
def sudachi_dictionary() -> Any:
    """SudachiDict's core edition, opened once per process."""
    from sudachipy import Dictionary

    return Dictionary(dict="core")


def _dropped_marks(other: str, read: str) -> bool:
    """Whether ``other`` is ``read`` with some of its voiced marks lost (ヤマサキ, ヤマザキ)."""
    return len(other) == len(read) and all(
        o == r or unicodedata.normalize("NFD", r) in {o + mark for mark in _VOICED_MARKS}
        for o, r in zip(other, read, strict=True)
    )


def _misread_alike(letters: str) -> bool:
    """Whether a name's kana could be misread the same way as its reading: katakana (the
    reading's own glyphs: トメ), or hiragana with a voiced mark or a small form (きよ/きょ,
    which either script confuses). さくら beside サクラ is two writings, each a check on
    the other."""
    for ch in letters:
        if "\u30a1" <= ch <= "\u30ff":
            return True
        if ch in _SIZE_CONFUSED or unicodedata.normalize("NFD", ch) != ch:
            return True
    return False


#: Hiragana with a small or large twin the recogniser may read instead.
_SIZE_CONFUSED = frozenset("ぁあぃいぅうぇえぉおっつゃやゅゆょよゎわゕかゖけ")


def _fold(text: str) -> str:
    """``text`` without voiced marks, small kana written large."""
    bare = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in bare if ch not in _VOICED_MARKS)
    return unicodedata.normalize("NFC", bare).translate(_SMALL_TO_LARGE)


def _voiced(reading: str) -> str:
    """``reading`` with its first kana voiced, where it has a voiced form (サ → ザ)."""
    first = unicodedata.normalize("NFC", reading[:1] + "\u3099")
    return first + reading[1:] if len(first) == 1 else reading
