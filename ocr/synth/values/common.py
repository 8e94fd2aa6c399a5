"""Building blocks shared by the per-form value generators: people, places, numbers.

Each generator returns the *normalized* truth value (README "Field types and the normalized
value") and, where the paper may show it differently, the text to print (``Shown``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import jaconv
from stdnum.jp import cn, in_

from ocr.synth import data

FULL_WIDTH_SPACE = "\u3000"


def full_width(text: str) -> str:
    """Half-width ASCII, digits and kana to full-width, as the record stores them."""
    return jaconv.h2z(text, kana=True, ascii=True, digit=True)


@dataclass(frozen=True)
class Person:
    family: str
    given: str
    family_kana: str
    given_kana: str
    sex: str  # "M" or "F"
    birth: date
    my_number: str

    @property
    def name(self) -> str:
        """Normalized 氏名: family and given name separated by one full-width space."""
        return f"{self.family}{FULL_WIDTH_SPACE}{self.given}"

    @property
    def kana(self) -> str:
        """Normalized フリガナ: katakana, one full-width space."""
        return f"{self.family_kana}{FULL_WIDTH_SPACE}{self.given_kana}"

    def age_on(self, day: date) -> int:
        """Age in whole years on ``day``."""
        before_birthday = (day.month, day.day) < (self.birth.month, self.birth.day)
        return day.year - self.birth.year - int(before_birthday)


def my_number(rng: random.Random) -> str:
    """A 12-digit 個人番号 with a valid mod-11 check digit (never a real one: random digits)."""
    base = f"{rng.randrange(1, 10)}{rng.randrange(10**10):010d}"
    return base + in_.calc_check_digit(base)


def corporate_number(rng: random.Random) -> str:
    """A 13-digit 法人番号; its first digit is the mod-9 check digit."""
    base = f"{rng.randrange(10**12):012d}"
    return cn.calc_check_digit(base) + base


def random_birth(rng: random.Random, on: date, min_age: int, max_age: int) -> date:
    """A birth date such that the age on ``on`` lies in [min_age, max_age]."""
    latest = date(on.year - min_age, on.month, min(on.day, 28))
    earliest = date(on.year - max_age - 1, on.month, min(on.day, 28)) + timedelta(days=1)
    return earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))


def random_person(
    rng: random.Random,
    on: date,
    min_age: int,
    max_age: int,
    *,
    family: tuple[str, str] | None = None,
    sex: str | None = None,
) -> Person:
    """A fictitious person aged ``min_age``–``max_age`` on ``on``; ``family`` fixes the surname."""
    family_name, family_kana = family or rng.choice(data.SURNAMES)
    birth = random_birth(rng, on, min_age, max_age)
    generations = _generations(birth.year)
    candidates = [
        g for g in data.GIVEN_NAMES if (sex is None or g[2] == sex) and g[3] in generations
    ]
    given, given_kana, given_sex, _generation = rng.choice(candidates)
    return Person(
        family=family_name,
        given=given,
        family_kana=family_kana,
        given_kana=given_kana,
        sex=given_sex,
        birth=birth,
        my_number=my_number(rng),
    )


def _generations(birth_year: int) -> set[str]:
    """Which name generations suit someone born in ``birth_year`` (names follow fashions)."""
    suitable = {"any"}
    if birth_year < 1965:
        suitable.add("old")
    if 1955 <= birth_year < 1995:
        suitable.add("mid")
    if birth_year >= 1990:
        suitable.add("new")
    return suitable


@dataclass(frozen=True)
class Address:
    """An address as printed (one or two lines) and its phone area code."""

    lines: tuple[str, ...]
    area_code: str

    @property
    def truth(self) -> str:
        """Normalized 住所: one line, full-width, line breaks removed."""
        return full_width("".join(self.lines))


_KANJI_DIGITS = "〇一二三四五六七八九"


def random_address(rng: random.Random, *, building_probability: float = 0.35) -> Address:
    """A plausible address: prefecture, city, town, 番地 in one of the usual notations."""
    pref, city, town, area = rng.choice(data.PLACES)
    chome, ban, go = rng.randint(1, 5), rng.randint(1, 30), rng.randint(1, 25)
    style = rng.random()
    if style < 0.4:
        street = f"{chome}丁目{ban}番{go}号"
    elif style < 0.55:
        street = f"{_KANJI_DIGITS[chome]}丁目{ban}番{go}号"
    elif style < 0.85:
        street = f"{chome}-{ban}-{go}"
    else:
        street = f"{chome}丁目{ban}-{go}"
    if rng.random() < 0.5:
        street = full_width(street)
    head = f"{'' if rng.random() < 0.1 else pref}{city}{town}{street}"
    if rng.random() >= building_probability:
        return Address((head,), area)
    building = rng.choice(data.BUILDING_NAMES) + rng.choice(data.BUILDING_SUFFIXES)
    building += f"{rng.randint(1, 9)}0{rng.randint(1, 9)}" + rng.choice(("", "号", "号室"))
    return Address((head, building), area)


def phone_number(rng: random.Random, area_code: str, *, mobile_probability: float = 0.25) -> str:
    """A phone number written with hyphens; landlines use the area code of the address."""
    if rng.random() < mobile_probability:
        prefix = rng.choice(("090", "080", "070"))
        return f"{prefix}-{rng.randrange(10**4):04d}-{rng.randrange(10**4):04d}"
    local_len = 10 - len(area_code)
    exchange_len = local_len - 4
    exchange = rng.randrange(10 ** (exchange_len - 1) * 2, 10**exchange_len)
    return f"{area_code}-{exchange}-{rng.randrange(10**4):04d}"


def company_name(rng: random.Random) -> str:
    """A fictitious company name (株式会社 before or after, sometimes 有限会社)."""
    stem = rng.choice(data.COMPANY_STEMS) + rng.choice(data.COMPANY_TRADES)
    kind = rng.random()
    if kind < 0.5:
        return f"株式会社{stem}"
    if kind < 0.85:
        return f"{stem}株式会社"
    return f"有限会社{stem}"


def pension_payer_name(rng: random.Random) -> str:
    """A fictitious pension fund or mutual-aid association."""
    return rng.choice(data.COMPANY_STEMS) + rng.choice(data.PENSION_PAYER_SUFFIXES)


def recipient_number(rng: random.Random) -> str:
    """受給者番号: digits only (the record disallows letters and symbols), leading zeros kept."""
    length = rng.choice((4, 5, 6, 8, 10))
    return f"{rng.randrange(10**length):0{length}d}"


def maybe(rng: random.Random, probability: float) -> bool:
    """True with the given probability (reads better than comparisons at each call site)."""
    return rng.random() < probability
