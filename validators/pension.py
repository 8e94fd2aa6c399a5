"""公的年金等に係る雑所得 (所得税法35条, 公的年金等控除; 令和2年分以後).

The table for 公的年金等に係る雑所得以外の合計所得金額 up to 1,000万円 (the usual case; above it
the deduction is 10万円 or 20万円 lower). The rows are (receipts up to, rate %, subtraction);
fractions of a yen are dropped.
"""

from __future__ import annotations

from datetime import date

_Rows = tuple[tuple[int | None, int, int], ...]

_UPPER_ROWS: _Rows = (
    (7_700_000, 85, 685_000),
    (10_000_000, 95, 1_455_000),
    (None, 100, 1_955_000),
)
_UNDER_65: _Rows = (
    (1_300_000, 100, 600_000),
    (4_100_000, 75, 275_000),
    *_UPPER_ROWS,
)
_65_AND_OVER: _Rows = (
    (3_300_000, 100, 1_100_000),
    (4_100_000, 75, 275_000),
    *_UPPER_ROWS,
)


def public_pension_income(receipts: int, aged_65_or_over: bool) -> int:
    """公的年金等に係る雑所得 for the year's 公的年金等の収入金額."""
    rows = _65_AND_OVER if aged_65_or_over else _UNDER_65
    for upper, rate, subtraction in rows:
        if upper is None or receipts <= upper:
            return max(0, receipts * rate // 100 - subtraction)
    raise AssertionError("the last row has no upper bound")


def aged_65_or_over(birth: date, income_year: int) -> bool:
    """65 or older on 31 December of ``income_year`` (Gregorian): one is a year older from
    the day before one's birthday, so those born on 1 January count a year earlier."""
    return birth <= date(income_year - 64, 1, 1)
