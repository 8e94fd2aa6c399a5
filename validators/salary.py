"""給与所得控除後の金額 (所得税法28条, 別表第五) and 所得金額調整控除 (租税特別措置法41条の3の3).

Below 6,600,000 yen the official amount comes from the step table of 別表第五, not from the
formula of タックスアンサー No.1410; the step table is reproduced here (spec §5.2): a flat region,
a few special rows (令和2〜6年分 only), then formulas on A = 収入 ÷ 4 rounded down to 1,000 yen.
Years are 令和 era years of the income (年分), as printed on the slips.
"""

from __future__ import annotations

from dataclasses import dataclass


class UnsupportedYear(ValueError):
    """No 給与所得控除 table is known for this 年分."""


@dataclass(frozen=True)
class SalaryTable:
    """The parts of 別表第五 that differ between years."""

    #: Pay below this gives 給与所得 0.
    zero_below: int
    #: Pay from ``zero_below`` up to (not including) ``flat_below`` gives pay − minimum_deduction.
    flat_below: int
    minimum_deduction: int
    #: (pay upper bound, exclusive; 給与所得) rows between the flat region and the A-formulas.
    special_rows: tuple[tuple[int, int], ...] = ()


_REIWA_2_TO_6 = SalaryTable(
    zero_below=551_000,
    flat_below=1_619_000,
    minimum_deduction=550_000,
    special_rows=(
        (1_620_000, 1_069_000),
        (1_622_000, 1_070_000),
        (1_624_000, 1_072_000),
        (1_628_000, 1_074_000),
    ),
)

#: 令和7年分: minimum deduction 650,000; 1,900,000 is a multiple of 4,000, so no special rows.
_REIWA_7 = SalaryTable(zero_below=651_000, flat_below=1_900_000, minimum_deduction=650_000)

#: 令和 era year of the income → table. 令和8年分 (minimum 69万円 + a temporary 5万円, spec §5.3)
#: is not enacted in a form we could verify: add its table here once the 別表第五 is published.
TABLES: dict[int, SalaryTable] = {
    2: _REIWA_2_TO_6,
    3: _REIWA_2_TO_6,
    4: _REIWA_2_TO_6,
    5: _REIWA_2_TO_6,
    6: _REIWA_2_TO_6,
    7: _REIWA_7,
}

SUPPORTED_YEARS = tuple(sorted(TABLES))


def table_for(era_year: int) -> SalaryTable:
    """The table of 令和 ``era_year`` 年分; raises :class:`UnsupportedYear` for unknown years."""
    try:
        return TABLES[era_year]
    except KeyError:
        raise UnsupportedYear(
            f"no 給与所得控除 table for 令和{era_year}年分 (supported: {SUPPORTED_YEARS})"
        ) from None


def salary_income(pay: int, era_year: int) -> int:
    """給与所得控除後の給与等の金額 for 給与等の収入金額 ``pay`` in 令和 ``era_year`` 年分.

    This is the amount *before* 所得金額調整控除 (item 19 of the 統一CSV is after it).
    """
    if pay < 0:
        raise ValueError(f"pay must not be negative, got {pay}")
    table = table_for(era_year)
    if pay < table.zero_below:
        return 0
    if pay < table.flat_below:
        return pay - table.minimum_deduction
    for upper, income in table.special_rows:
        if pay < upper:
            return income
    if pay < 6_600_000:
        a = pay // 4 // 1000 * 1000  # 収入÷4, 千円未満切捨て
        if pay < 1_800_000:
            return a * 24 // 10 + 100_000
        if pay < 3_600_000:
            return a * 28 // 10 - 80_000
        return a * 32 // 10 - 440_000
    if pay < 8_500_000:
        return pay * 9 // 10 - 1_100_000
    return pay - 1_950_000


#: 所得金額調整控除 exists from 令和2年分 on.
_ADJUSTMENT_FROM_YEAR = 2


def income_adjustment_deduction(pay: int, era_year: int) -> int:
    """所得金額調整控除 (the 年末調整 type) for ``pay``, assuming the person qualifies.

    Qualifying (本人・配偶者・扶養親族 特別障害者, or a 扶養親族 under 23) is not on the slip, so
    the caller decides whether it applies: this returns the amount it would be,
    (min(pay, 10,000,000) − 8,500,000) × 10 %, rounded up to the yen, at most 150,000.
    """
    if era_year < _ADJUSTMENT_FROM_YEAR:
        raise UnsupportedYear(f"所得金額調整控除 does not exist for 令和{era_year}年分")
    if pay <= 8_500_000:
        return 0
    excess = min(pay, 10_000_000) - 8_500_000
    return min(-(-excess // 10), 150_000)  # 10 %, rounded up to the yen
