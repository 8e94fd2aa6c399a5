"""Statutory arithmetic: 給与所得控除, upper limits of deductions, totals against their parts."""

from __future__ import annotations

from collections.abc import Iterator

from ocr.layout import FormLayout
from validators.basic_deduction import basic_deduction, possible_amounts
from validators.date_checks import date_value
from validators.findings import Finding, Values, error, warning, yen
from validators.insurance import life_insurance_deduction
from validators.pension import aged_65_or_over, public_pension_income
from validators.rule_tables import (
    BASIC_DEDUCTION,
    DATES,
    LIFE_INSURANCE,
    LIMITS,
    PENSION,
    SALARY,
    TOTALS,
    YEAR_FIELD,
)
from validators.salary import UnsupportedYear, income_adjustment_deduction, salary_income
from validators.wareki import ERA_BY_NAME

#: 確定申告-type 所得金額調整控除 (給与と公的年金等の両方): at most 100,000 yen.
_PENSION_ADJUSTMENT_MAX = 100_000


def _int(values: Values, name: str | None) -> int | None:
    if name is None:
        return None
    value = values.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def form_year(layout: FormLayout, values: Values) -> int | None:
    """The form's own year (年分 or 年度, 令和)."""
    return _int(values, YEAR_FIELD[layout.form_id][0])


def check_salary(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """給与所得 == salary_income(収入, 年分) − 所得金額調整控除, where both amounts are present."""
    year = form_year(layout, values)
    for check in SALARY[layout.form_id]:
        pay, income = _int(values, check.pay), _int(values, check.income)
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
                f"{_label(layout, check.income)}を検算できません。",
                f"no 給与所得控除 table for 令和{income_year}年分; {check.income} not checked",
            )
            continue
        adjustment = _int(values, check.adjustment) or 0
        if adjustment:
            yield from _check_adjustment(layout, check.adjustment, pay, adjustment, income_year)
        difference = expected - adjustment - income
        pension_allows = (
            _int(values, check.pension) is not None and 0 < difference <= _PENSION_ADJUSTMENT_MAX
        )
        if difference != 0 and not pension_allows:
            yield error(
                "salary_income",
                check.income,
                f"{_label(layout, check.income)}が{yen(income)}ですが、"
                f"支払金額{yen(pay)}からの計算では{yen(expected - adjustment)}です"
                f"（令和{income_year}年分・給与所得控除"
                f"{('・所得金額調整控除' if adjustment else '')}）。",
                f"{check.income} {income} != salary_income({pay}, R{income_year})"
                f" - {adjustment} = {expected - adjustment}",
            )


def _check_adjustment(
    layout: FormLayout, name: str | None, pay: int, adjustment: int, year: int
) -> Iterator[Finding]:
    assert name is not None
    maximum = income_adjustment_deduction(pay, year)
    if adjustment > maximum:
        yield error(
            "income_adjustment",
            name,
            f"{_label(layout, name)}{yen(adjustment)}は、"
            f"支払金額{yen(pay)}での上限{yen(maximum)}を超えています。",
            f"{name} {adjustment} exceeds {maximum} for pay {pay}",
        )


def check_limits(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """Deductions at most their statutory maximum for the form's year."""
    year = form_year(layout, values)
    for limit in LIMITS[layout.form_id]:
        amount = _int(values, limit.field)
        if amount is None or amount <= limit.maximum:
            continue
        if year is None or year not in limit.years:
            continue
        yield error(
            "upper_limit",
            limit.field,
            f"{_label(layout, limit.field)}{yen(amount)}は上限{yen(limit.maximum)}を超えています。",
            f"{limit.field} {amount} exceeds the limit {limit.maximum}",
        )


def check_totals(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """Totals printed on the form agree with their parts."""
    for total in TOTALS[layout.form_id]:
        amount = _int(values, total.total)
        parts = [_int(values, p) for p in total.parts]
        if amount is None or all(p is None for p in parts):
            continue
        summed = sum(p for p in parts if p is not None)
        label = _label(layout, total.total)
        if total.relation == "equal" and amount != summed:
            yield error(
                "total_mismatch",
                total.total,
                f"{label}{yen(amount)}が内訳の合計{yen(summed)}と一致しません。",
                f"{total.total} {amount} != sum of parts {summed}",
            )
        elif total.relation == "at_least" and amount < summed:
            yield error(
                "part_exceeds_total",
                total.total,
                f"{label}（{amount:,}）が、その内訳（{summed:,}）より小さくなっています。",
                f"{total.total} {amount} < its parts {summed}",
            )


def check_life_insurance(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """生命保険料の控除額 as the statutory scales give it for the premiums of the breakdown.

    A warning: some payers leave the breakdown out or fill it in differently.
    """
    for check in LIFE_INSURANCE[layout.form_id]:
        stated = _int(values, check.deduction)
        names = (
            check.new_life,
            check.old_life,
            check.medical,
            check.new_pension,
            check.old_pension,
        )
        premiums = [_int(values, n) for n in names]
        if stated is None or all(p is None for p in premiums):
            continue
        expected = life_insurance_deduction(*(p or 0 for p in premiums))
        if stated != expected:
            yield warning(
                "life_insurance_breakdown",
                check.deduction,
                f"{_label(layout, check.deduction)}{yen(stated)}が、内訳の保険料からの計算"
                f"（{yen(expected)}）と一致しません。",
                f"{check.deduction} {stated} != {expected} computed from the premiums",
            )


def check_basic_deduction(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """基礎控除の額 is an amount of the 年分's table, and no more than the 給与所得 alone allows
    (other income can only lower it). Warnings: the 令和7年分 amounts are UNCONFIRMED."""
    year = form_year(layout, values)
    for field, income_field in BASIC_DEDUCTION[layout.form_id]:
        stated = _int(values, field)
        amounts = possible_amounts(year) if year is not None else None
        if stated is None or amounts is None or year is None:
            continue
        label = _label(layout, field)
        if stated not in amounts:
            yield warning(
                "basic_deduction",
                field,
                f"{label}{yen(stated)}は令和{year}年分の基礎控除の額にありません。",
                f"{field} {stated} is not an amount of the 令和{year} table",
            )
            continue
        income = _int(values, income_field)
        allowed = basic_deduction(income, year) if income is not None else None
        if allowed is not None and stated > allowed:
            yield warning(
                "basic_deduction",
                field,
                f"{label}{yen(stated)}は、"
                f"給与所得{yen(income or 0)}での額{yen(allowed)}を超えています。",
                f"{field} {stated} exceeds {allowed} for income {income}",
            )


def check_pension(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """公的年金等に係る雑所得 as the 公的年金等控除 table gives it for the receipts and the age.

    A warning: with other income above 1,000万円 the deduction is lower than the table's.
    """
    year = form_year(layout, values)
    dates = {spec.name: spec for spec in DATES[layout.form_id]}
    for check in PENSION[layout.form_id]:
        receipts, stated = _int(values, check.receipts), _int(values, check.income)
        birth = date_value(dates[check.birth], values)
        if receipts is None or stated is None or birth is None or year is None:
            continue
        income_year = ERA_BY_NAME["令和"].offset + year + check.year_shift
        expected = public_pension_income(receipts, aged_65_or_over(birth, income_year))
        if stated != expected:
            yield warning(
                "pension_income",
                check.income,
                f"{_label(layout, check.income)}{yen(stated)}が、収入金額{yen(receipts)}からの"
                f"計算（公的年金等控除）では{yen(expected)}です。",
                f"{check.income} {stated} != {expected} for receipts {receipts}",
            )


def _label(layout: FormLayout, name: str) -> str:
    return layout.field(name).label
