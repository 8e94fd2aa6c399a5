"""Income arithmetic: 給与所得控除 (別表第五) and 公的年金等控除, against the amounts written."""

from __future__ import annotations

from collections.abc import Iterator

from ocr.layout import FormLayout
from validators.date_checks import date_value
from validators.findings import Finding, Values, error, warning, yen
from validators.pension import aged_65_or_over, public_pension_income
from validators.record_values import form_year, int_value, label
from validators.rule_tables import DATES, PENSION, SALARY
from validators.salary import UnsupportedYear, income_adjustment_deduction, salary_income
from validators.wareki import ERA_BY_NAME

#: 確定申告-type 所得金額調整控除 (給与と公的年金等の両方): at most 100,000 yen.
_PENSION_ADJUSTMENT_MAX = 100_000


def check_salary(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """給与所得 == salary_income(収入, 年分) − 所得金額調整控除, where both amounts are present.

    On the 申告書 a 公的年金等 income allows up to 100,000 yen less (所得金額調整控除 of the
    給与・年金 type).
    """
    year = form_year(layout, values)
    for check in SALARY[layout.form_id]:
        pay, income = int_value(values, check.pay), int_value(values, check.income)
        if pay is None or income is None or year is None:
            continue
        income_year = year + check.year_shift
        try:
            expected = salary_income(pay, income_year)
        except UnsupportedYear:
            yield warning(
                "salary_year_unsupported",
                check.income,
                f"令和{income_year}年分の給与所得控除は未対応のため、"
                f"{label(layout, check.income)}を検算できません。",
                f"no 給与所得控除 table for 令和{income_year}年分; {check.income} not checked",
            )
            continue
        adjustment = int_value(values, check.adjustment) or 0
        if adjustment:
            yield from _check_adjustment(layout, check.adjustment, pay, adjustment, income_year)
        difference = expected - adjustment - income
        pension_allows = (
            int_value(values, check.pension) is not None
            and 0 < difference <= _PENSION_ADJUSTMENT_MAX
        )
        if difference != 0 and not pension_allows:
            yield error(
                "salary_income",
                check.income,
                f"{label(layout, check.income)}が{yen(income)}ですが、"
                f"{label(layout, check.pay)}{yen(pay)}からの計算では"
                f"{yen(expected - adjustment)}です"
                f"（令和{income_year}年分・給与所得控除"
                f"{('・所得金額調整控除' if adjustment else '')}）。",
                f"{check.income} {income} != salary_income({pay}, R{income_year})"
                f" - {adjustment} = {expected - adjustment}",
                involves=(
                    check.pay,
                    *([check.adjustment] if adjustment and check.adjustment else []),
                ),
            )


def confirmed_by_salary(layout: FormLayout, values: Values) -> set[str]:
    """The 給与所得 fields equal to the 別表第五 amount for the pay, to the yen (less a
    所得金額調整控除 within its maximum): a misread would have to hit it by chance. The pay
    is not confirmed with it: the table rounds it down to 4,000 yen."""
    year = form_year(layout, values)
    confirmed: set[str] = set()
    if year is None:
        return confirmed
    for check in SALARY[layout.form_id]:
        pay, income = int_value(values, check.pay), int_value(values, check.income)
        if pay is None or income is None or income <= 0:
            continue
        try:
            expected = salary_income(pay, year + check.year_shift)
            adjustment = int_value(values, check.adjustment) or 0
            if adjustment > income_adjustment_deduction(pay, year + check.year_shift):
                continue
        except UnsupportedYear:
            continue
        if income == expected - adjustment:
            confirmed.add(check.income)
    return confirmed


def _check_adjustment(
    layout: FormLayout, name: str | None, pay: int, adjustment: int, year: int
) -> Iterator[Finding]:
    assert name is not None
    maximum = income_adjustment_deduction(pay, year)
    if adjustment > maximum:
        yield error(
            "income_adjustment",
            name,
            f"{label(layout, name)}{yen(adjustment)}は、"
            f"支払金額{yen(pay)}での上限{yen(maximum)}を超えています。",
            f"{name} {adjustment} exceeds {maximum} for pay {pay}",
        )


def check_pension(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """公的年金等に係る雑所得 as the 公的年金等控除 table gives it for the receipts and the age.

    A warning: with other income above 1,000万円 the deduction is lower than the table's.
    """
    year = form_year(layout, values)
    dates = {spec.name: spec for spec in DATES[layout.form_id]}
    for check in PENSION[layout.form_id]:
        receipts, stated = int_value(values, check.receipts), int_value(values, check.income)
        birth = date_value(dates[check.birth], values)
        if receipts is None or stated is None or birth is None or year is None:
            continue
        income_year = ERA_BY_NAME["令和"].offset + year + check.year_shift
        expected = public_pension_income(receipts, aged_65_or_over(birth, income_year))
        if stated != expected:
            yield warning(
                "pension_income",
                check.income,
                f"{label(layout, check.income)}{yen(stated)}が、収入金額{yen(receipts)}からの"
                f"計算（公的年金等控除）では{yen(expected)}です。",
                f"{check.income} {stated} != {expected} for receipts {receipts}",
            )
