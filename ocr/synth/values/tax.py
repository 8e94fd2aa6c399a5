"""Statutory amounts the generated slips must agree with (deductions, tax estimates).

给与所得控除 comes from :mod:`validators.salary` (one copy of that table in the project). The
remaining formulas are simplified where the slip cannot show the difference: they make the
generated numbers internally consistent and plausible, they are not a tax calculator.
"""

from __future__ import annotations

#: 所得税 rate table (課税所得金額 upper bound, rate, 控除額), 平成27年分以後.
_INCOME_TAX_BRACKETS: tuple[tuple[int, float, int], ...] = (
    (1_950_000, 0.05, 0),
    (3_300_000, 0.10, 97_500),
    (6_950_000, 0.20, 427_500),
    (9_000_000, 0.23, 636_000),
    (18_000_000, 0.33, 1_536_000),
    (40_000_000, 0.40, 2_796_000),
    (10**12, 0.45, 4_796_000),
)
#: 復興特別所得税 adds 2.1 % to 所得税 (令和19年分まで).
_RECONSTRUCTION_SURTAX = 1.021

#: Income-tax deductions per person (所得税).
DEPENDENT_DEDUCTION = 380_000
DEPENDENT_SPECIFIED_DEDUCTION = 630_000
DEPENDENT_ELDERLY_DEDUCTION = 480_000
DEPENDENT_ELDERLY_LIVING_TOGETHER_DEDUCTION = 580_000
SPOUSE_DEDUCTION = 380_000
SPOUSE_ELDERLY_DEDUCTION = 480_000
DISABLED_DEDUCTION = 270_000
DISABLED_SPECIAL_DEDUCTION = 400_000
WIDOW_DEDUCTION = 270_000
SINGLE_PARENT_DEDUCTION = 350_000
WORKING_STUDENT_DEDUCTION = 270_000

#: Resident-tax (住民税) deductions used on the 申告書.
RESIDENT_BASIC_DEDUCTION = 430_000
RESIDENT_SPOUSE_DEDUCTION = 330_000
RESIDENT_DEPENDENT_DEDUCTION = 330_000
RESIDENT_DEPENDENT_SPECIFIED_DEDUCTION = 450_000
RESIDENT_DEPENDENT_ELDERLY_DEDUCTION = 380_000


def income_tax_basic_deduction(total_income: int, reiwa_year: int) -> int:
    """所得税の基礎控除 for 合計所得金額 ``total_income``.

    令和7年分 raised it for lower incomes (令和7年度税制改正); earlier years: 480,000 up to
    24,000,000.
    """
    if reiwa_year >= 7:
        for upper, amount in (
            (1_320_000, 950_000),
            (3_360_000, 880_000),
            (4_890_000, 680_000),
            (6_550_000, 630_000),
            (23_500_000, 580_000),
        ):
            if total_income <= upper:
                return amount
    if total_income <= 24_000_000:
        return 480_000
    if total_income <= 24_500_000:
        return 320_000
    if total_income <= 25_000_000:
        return 160_000
    return 0


def income_tax(taxable_income: int) -> int:
    """所得税＋復興特別所得税 on 課税所得金額 (千円未満切捨て), result rounded down to 100 yen."""
    taxable = max(0, taxable_income) // 1000 * 1000
    for upper, rate, subtract in _INCOME_TAX_BRACKETS:
        if taxable <= upper:
            return int((taxable * rate - subtract) * _RECONSTRUCTION_SURTAX) // 100 * 100
    raise AssertionError("unreachable: the last bracket is unbounded")


def new_life_insurance_deduction(premium: int) -> int:
    """新契約 生命保険料控除 (所得税) for one category (一般／介護医療／個人年金), max 40,000."""
    if premium <= 20_000:
        return premium
    if premium <= 40_000:
        return premium // 2 + 10_000
    if premium <= 80_000:
        return premium // 4 + 20_000
    return 40_000


def old_life_insurance_deduction(premium: int) -> int:
    """旧契約 生命保険料控除 (所得税) for one category, max 50,000."""
    if premium <= 25_000:
        return premium
    if premium <= 50_000:
        return premium // 2 + 12_500
    if premium <= 100_000:
        return premium // 4 + 25_000
    return 50_000


def public_pension_income(payment: int, age: int) -> int:
    """雑所得（公的年金等） after 公的年金等控除 (令和2年分以後), other income at most 10M."""
    if age >= 65:
        if payment <= 3_300_000:
            return max(0, payment - 1_100_000)
    elif payment <= 1_300_000:
        return max(0, payment - 600_000)
    if payment <= 4_100_000:
        return int(payment * 0.75) - 275_000
    if payment <= 7_700_000:
        return int(payment * 0.85) - 685_000
    if payment <= 10_000_000:
        return int(payment * 0.95) - 1_455_000
    return payment - 1_955_000
