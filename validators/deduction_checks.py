"""Deduction arithmetic: statutory maxima, 生命保険料控除 from premiums, 基礎控除 tables."""

from __future__ import annotations

from collections.abc import Iterator

from ocr.layout import FormLayout
from validators.basic_deduction import basic_deduction, possible_amounts
from validators.findings import Finding, Values, error, warning, yen
from validators.insurance import life_insurance_deduction
from validators.record_values import form_year, int_value, label
from validators.rule_tables import BASIC_DEDUCTION, LIFE_INSURANCE, LIMITS


def check_limits(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """Deductions at most their statutory maximum for the form's year."""
    year = form_year(layout, values)
    for limit in LIMITS[layout.form_id]:
        amount = int_value(values, limit.field)
        if amount is None or amount <= limit.maximum:
            continue
        if year is None or year not in limit.years:
            continue
        yield error(
            "upper_limit",
            limit.field,
            f"{label(layout, limit.field)}{yen(amount)}は上限{yen(limit.maximum)}を超えています。",
            f"{limit.field} {amount} exceeds the limit {limit.maximum}",
        )


def check_life_insurance(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """生命保険料の控除額 as the statutory scales give it for the premiums of the breakdown.

    A warning: some payers leave the breakdown out or fill it in differently.
    """
    for check in LIFE_INSURANCE[layout.form_id]:
        stated = int_value(values, check.deduction)
        names = (
            check.new_life,
            check.old_life,
            check.medical,
            check.new_pension,
            check.old_pension,
        )
        premiums = [int_value(values, n) for n in names]
        if stated is None or all(p is None for p in premiums):
            continue
        expected = life_insurance_deduction(*(p or 0 for p in premiums))
        if stated != expected:
            yield warning(
                "life_insurance_breakdown",
                check.deduction,
                f"{label(layout, check.deduction)}{yen(stated)}が、内訳の保険料からの計算"
                f"（{yen(expected)}）と一致しません。",
                f"{check.deduction} {stated} != {expected} computed from the premiums",
            )


def check_basic_deduction(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """基礎控除の額 is an amount of the 年分's table, and no more than the 給与所得 alone allows
    (other income can only lower it). Warnings: the 令和7年分 amounts are UNCONFIRMED."""
    year = form_year(layout, values)
    for field, income_field in BASIC_DEDUCTION[layout.form_id]:
        stated = int_value(values, field)
        amounts = possible_amounts(year) if year is not None else None
        if stated is None or amounts is None or year is None:
            continue
        field_label = label(layout, field)
        if stated not in amounts:
            yield warning(
                "basic_deduction",
                field,
                f"{field_label}{yen(stated)}は令和{year}年分の基礎控除の額にありません。",
                f"{field} {stated} is not an amount of the 令和{year} table",
            )
            continue
        income = int_value(values, income_field)
        allowed = basic_deduction(income, year) if income is not None else None
        if allowed is not None and stated > allowed:
            yield warning(
                "basic_deduction",
                field,
                f"{field_label}{yen(stated)}は、"
                f"給与所得{yen(income or 0)}での額{yen(allowed)}を超えています。",
                f"{field} {stated} exceeds {allowed} for income {income}",
            )
