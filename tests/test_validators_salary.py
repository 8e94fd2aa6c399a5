"""validators.salary: 給与所得控除後の金額 by the 別表第五 step table (spec §5.2, §5.4)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from validators.salary import UnsupportedYear, income_adjustment_deduction, salary_income


@pytest.mark.parametrize(
    ("pay", "year", "expected"),
    [
        (550_999, 6, 0),
        (551_000, 6, 1_000),
        (1_618_999, 6, 1_068_999),
        (1_619_000, 6, 1_069_000),
        (1_621_999, 6, 1_070_000),
        (1_625_000, 6, 1_074_000),
        (1_628_000, 6, 1_076_800),
        (3_000_000, 6, 2_020_000),  # the 統一CSV sample record
        (3_600_000, 6, 2_440_000),  # the 統一CSV sample record
        (6_600_000, 6, 4_840_000),
        (10_000_000, 6, 8_050_000),
        (650_999, 7, 0),
        (651_000, 7, 1_000),
        (1_899_999, 7, 1_249_999),
        (1_904_000, 7, 1_252_800),
        (5_436_629, 7, 3_908_800),  # 大阪市 published example
        (5_505_000, 7, 3_963_200),  # 名古屋市 published example
        (6_600_000, 7, 4_840_000),
        (8_500_000, 7, 6_550_000),
        (10_000_000, 7, 8_050_000),
    ],
)
def test_salary_income(pay: int, year: int, expected: int) -> None:
    assert salary_income(pay, year) == expected


@pytest.mark.parametrize("year", [1, 8, 99])
def test_unsupported_years_raise(year: int) -> None:
    with pytest.raises(UnsupportedYear):
        salary_income(3_000_000, year)


@given(st.integers(min_value=0, max_value=30_000_000), st.sampled_from([2, 6, 7]))
def test_deduction_within_statutory_bounds(pay: int, year: int) -> None:
    income = salary_income(pay, year)
    minimum = 650_000 if year >= 7 else 550_000
    assert 0 <= income <= pay
    if income > 0:
        assert minimum <= pay - income <= 1_950_000


@given(st.integers(min_value=0, max_value=30_000_000), st.sampled_from([2, 6, 7]))
def test_monotone(pay: int, year: int) -> None:
    assert salary_income(pay, year) <= salary_income(pay + 1000, year)


@pytest.mark.parametrize(
    ("pay", "expected"),
    [
        (8_500_000, 0),
        (8_500_001, 1),
        (9_000_000, 50_000),
        (10_000_000, 150_000),
        (15_000_000, 150_000),
    ],
)
def test_income_adjustment_deduction(pay: int, expected: int) -> None:
    assert income_adjustment_deduction(pay, 7) == expected


@pytest.mark.parametrize(
    ("income", "year", "expected"),
    [
        (1_320_000, 7, 950_000),
        (1_320_001, 7, 880_000),
        (3_360_000, 7, 880_000),
        (4_890_000, 7, 680_000),
        (6_550_000, 7, 630_000),
        (6_550_001, 7, 580_000),
        (24_000_000, 6, 480_000),
        (24_000_001, 6, 320_000),
        (25_000_001, 6, 0),
        (1_000_000, 8, None),
    ],
)
def test_basic_deduction(income: int, year: int, expected: int | None) -> None:
    from validators.basic_deduction import basic_deduction

    assert basic_deduction(income, year) == expected


@pytest.mark.parametrize(
    ("receipts", "aged", "expected"),
    [
        (600_000, False, 0),
        (1_300_000, False, 700_000),
        (2_000_000, False, 1_225_000),
        (1_100_000, True, 0),
        (2_000_000, True, 900_000),
        (3_300_000, True, 2_200_000),
        (4_100_000, True, 2_800_000),
        (7_700_000, False, 5_860_000),
        (10_000_000, True, 8_045_000),
        (12_000_000, False, 10_045_000),
    ],
)
def test_public_pension_income(receipts: int, aged: bool, expected: int) -> None:
    from validators.pension import public_pension_income

    assert public_pension_income(receipts, aged) == expected


def test_aged_65_counts_from_the_day_before_the_birthday() -> None:
    from datetime import date

    from validators.pension import aged_65_or_over

    assert aged_65_or_over(date(1960, 1, 1), 2024)  # 昭和35年1月1日以前 (令和6年分)
    assert not aged_65_or_over(date(1960, 1, 2), 2024)
    assert aged_65_or_over(date(1961, 1, 1), 2025)
