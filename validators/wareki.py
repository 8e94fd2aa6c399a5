"""和暦 (元号) dates: era boundaries, conversion to and from the Gregorian calendar, plausibility.

Boundaries per spec §5.1. 明治 starts on 1868-01-01 here (Java's choice); the exact start is
irrelevant for living taxpayers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


class WarekiError(ValueError):
    """The parts do not make a date that existed in that era."""


class NotACalendarDate(WarekiError):
    """Month and day do not exist in that year (2月30日, 平成13年2月29日)."""


class OutsideEra(WarekiError):
    """The date exists but not in that era (平成31年5月1日, 昭和65年)."""


@dataclass(frozen=True)
class Era:
    name: str
    first_day: date
    #: None for the current era.
    last_day: date | None
    #: 元号 code of the electronic records: 1 昭和 2 大正 3 明治 4 平成 5 令和 (spec §1.4).
    csv_code: int

    @property
    def offset(self) -> int:
        """Gregorian year − era year."""
        return self.first_day.year - 1


ERAS: tuple[Era, ...] = (
    Era("明治", date(1868, 1, 1), date(1912, 7, 29), 3),
    Era("大正", date(1912, 7, 30), date(1926, 12, 24), 2),
    Era("昭和", date(1926, 12, 25), date(1989, 1, 7), 1),
    Era("平成", date(1989, 1, 8), date(2019, 4, 30), 4),
    Era("令和", date(2019, 5, 1), None, 5),
)
ERA_BY_NAME = {era.name: era for era in ERAS}


def era(name: str) -> Era:
    """The era called ``name`` (full name, e.g. 「昭和」)."""
    try:
        return ERA_BY_NAME[name]
    except KeyError:
        raise WarekiError(f"unknown 元号 {name!r}") from None


def gregorian_year(era_name: str, era_year: int) -> int:
    """The Gregorian year of ``era_year`` in ``era_name`` (元年 = 1); checks the era spans it."""
    e = era(era_name)
    year = e.offset + era_year
    if era_year < 1 or (e.last_day is not None and year > e.last_day.year):
        raise OutsideEra(f"{era_name}{era_year}年 does not exist")
    return year


def to_gregorian(era_name: str, era_year: int, month: int, day: int) -> date:
    """The Gregorian date of a 和暦 date; raises :class:`WarekiError` if it never existed.

    Rejects impossible calendar dates (2月30日) and dates outside the era
    (平成31年5月1日 is 令和元年5月1日; 昭和64年1月8日 is 平成元年).
    """
    year = gregorian_year(era_name, era_year)
    try:
        result = date(year, month, day)
    except ValueError:
        raise NotACalendarDate(
            f"{era_name}{era_year}年{month}月{day}日 is not a calendar date"
        ) from None
    e = era(era_name)
    if result < e.first_day or (e.last_day is not None and result > e.last_day):
        raise OutsideEra(f"{era_name}{era_year}年{month}月{day}日 is outside {era_name}")
    return result


def from_gregorian(value: date) -> tuple[str, int]:
    """(元号, era year) of a Gregorian date."""
    for e in reversed(ERAS):
        if value >= e.first_day:
            return e.name, value.year - e.offset
    raise WarekiError(f"{value} is before 明治")


def reiwa_year(gregorian: int) -> int:
    """令和 era year of a Gregorian year from 2019 on."""
    if gregorian < 2019:
        raise WarekiError(f"{gregorian} is before 令和")
    return gregorian - ERA_BY_NAME["令和"].offset


#: The oldest birth date accepted without a warning; older people exist, rarely.
OLDEST_PLAUSIBLE_AGE = 120


def birth_date_problem(birth: date, today: date) -> str | None:
    """Why ``birth`` is not a plausible birth date as of ``today`` (English), or None."""
    if birth > today:
        return "birth date is in the future"
    if today.year - birth.year > OLDEST_PLAUSIBLE_AGE:
        return f"birth date is more than {OLDEST_PLAUSIBLE_AGE} years ago"
    return None
