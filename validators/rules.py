"""The rule engine: every check of a record of one form, findings for staff and logs (R14).

Rule ids (stable; the correction screen and the logs key on them):

========================  =========  ===========================================================
rule                      severity   meaning
========================  =========  ===========================================================
unknown_field             error      a name the form's layout does not have
required                  error      a required field is empty
value_type                error      the value is not the normalized shape of its field type
max_len                   error      longer than the record allows
check_digit               error      個人番号 / 法人番号 check digit wrong
cp932                     error      a character Shift_JIS (cp932) cannot represent
jis_x0208                 warning    a cp932 extension character (機種依存文字)
phone_shape               warning    a telephone number not of 10/11 digits in 1 or 3 groups
code_value                err/warn   a code outside its table (warning where the table is
                                     UNCONFIRMED)
date_incomplete           error      some parts of a date written, others not
date_invalid              error      no such date (2月30日, 平成31年5月1日, 昭和65年)
date_future               error      a birth date, submission date or 年分 in the future
birth_implausible         warning    born more than 120 years ago
era_multiple              error      more than one 元号 box ticked (申告書)
era_missing               error      date written but no 元号 box ticked (申告書)
exclusive_choice          error      two boxes of an either-or choice ticked
mid_year_kind_missing     warning    中途就・退職 date without 就職/退職
mid_year_outside_year     warning    中途就・退職 year differs from 年分
salary_income             error      給与所得 differs from the 別表第五 amount
salary_year_unsupported   warning    no 給与所得控除 table for that 年分
pension_income            warning    公的年金等の雑所得 differs from the 公的年金等控除 table
income_adjustment         error      所得金額調整控除 above its maximum for the pay
upper_limit               error      a deduction above its statutory maximum
total_mismatch            error      a printed total differs from the sum of its parts
part_exceeds_total        error      a 内 amount or the visible parts exceed their total
life_insurance_breakdown  warning    生命保険料の控除額 differs from the scales for its premiums
basic_deduction           warning    基礎控除の額 not in the 年分's table, or above what the
                                     給与所得 allows
dependent_count           warning    persons listed by name do not fit the printed count
person_without_name       warning    a spouse/dependent has details but no name
kana_missing              warning    a name is written but its フリガナ box is empty
spouse_surname            warning    the spouse's family name differs from the filer's
name_one_off              warning    a relative's name, or family name, is one character
                                     off the filer's (a misreading of the same name)
========================  =========  ===========================================================

The tables saying which field each rule applies to, per form and per year, are in
:mod:`validators.rule_tables`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from ocr.layout import FormLayout, load_layout
from validators.consistency_checks import (
    check_exclusive_choices,
    check_family_names,
    check_listed_counts,
    check_name_readings,
    check_person_groups,
)
from validators.date_checks import check_date, check_form_year, check_mid_year_change
from validators.deduction_checks import (
    check_basic_deduction,
    check_life_insurance,
    check_limits,
)
from validators.field_checks import check_codes, check_field, check_unknown_fields, shape_problem
from validators.findings import Finding, Value, Values
from validators.income_checks import check_pension, check_salary, confirmed_by_salary
from validators.rule_tables import DATES
from validators.total_checks import check_totals, confirmed_by_totals

__all__ = ["Finding", "confirmed_fields", "has_errors", "validate_record"]

_RecordCheck = Callable[[FormLayout, Values], Iterable[Finding]]

#: Checks that look at several fields; they only see values of the right shape.
_RECORD_CHECKS: tuple[_RecordCheck, ...] = (
    check_codes,
    check_exclusive_choices,
    check_mid_year_change,
    check_salary,
    check_pension,
    check_limits,
    check_totals,
    check_life_insurance,
    check_basic_deduction,
    check_listed_counts,
    check_person_groups,
    check_name_readings,
    check_family_names,
)


def validate_record(form_id: str, values: Values, *, today: date | None = None) -> list[Finding]:
    """Every finding about one record of ``form_id`` (normalized values by field name).

    Missing names count as empty. ``today`` (default: the current date) is the reference for
    "not in the future" checks. Raises ``KeyError`` for an unknown form.
    """
    layout = load_layout(form_id)
    today = today or date.today()
    findings = list(check_unknown_fields(layout, values))
    for spec in layout.fields:
        findings.extend(check_field(spec, values.get(spec.name)))
    # Cross-field checks see only well-shaped values, so one bad value gives one finding.
    usable = _well_shaped(layout, values)
    findings.extend(check_form_year(layout, usable, today))
    for date_spec in DATES[form_id]:
        findings.extend(check_date(date_spec, layout, usable, today))
    for check in _RECORD_CHECKS:
        findings.extend(check(layout, usable))
    return findings


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when any finding is an error (a record with errors is not exported)."""
    return any(f.severity == "error" for f in findings)


def confirmed_fields(form_id: str, values: Values) -> set[str]:
    """Fields whose values the form's arithmetic confirms (給与所得 equal to the 別表第五
    amount for the pay; a total equal to the sum of its written parts), however uncertain
    their reading: another reading of the same value."""
    layout = load_layout(form_id)
    usable = _well_shaped(layout, values)
    by_salary = confirmed_by_salary(layout, usable)
    return by_salary | confirmed_by_totals(layout, usable, frozenset(by_salary))


def _well_shaped(layout: FormLayout, values: Values) -> dict[str, Value]:
    """The layout's values present and of their field type's shape."""
    return {
        spec.name: value
        for spec in layout.fields
        if (value := values.get(spec.name)) is not None and shape_problem(spec.type, value) is None
    }
