"""The generated truth is what the README says a normalized value is, and it adds up."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest

from ocr.layout import FORM_IDS, load_layout
from ocr.synth.values import generate, tax
from validators.checkdigits import is_valid_corporate_number, is_valid_my_number
from validators.rules import validate_record
from validators.salary import salary_income
from validators.wareki import to_gregorian

SEEDS = range(60)
TODAY = date(2026, 11, 27)
FULL_WIDTH_SPACE = "\u3000"


def _truths(form_id: str) -> list[dict]:
    return [generate(form_id, random.Random(f"values:{form_id}:{s}")).truth for s in SEEDS]


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_values_pass_the_rule_engine_without_errors(form_id: str) -> None:
    for truth in _truths(form_id):
        errors = [f for f in validate_record(form_id, truth, today=TODAY) if f.severity == "error"]
        assert errors == [], (truth, errors)


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_values_have_the_normalized_shape_of_their_type(form_id: str) -> None:
    layout = load_layout(form_id)
    for truth in _truths(form_id):
        for name, value in truth.items():
            spec = layout.field(name)
            assert value is not None and value != "" and value is not False, name
            if spec.type in ("amount", "count", "era_year", "month", "day"):
                assert type(value) is int and value >= 0, (name, value)
            elif spec.type == "checkbox":
                assert value is True
            elif spec.type == "my_number":
                assert isinstance(value, str) and is_valid_my_number(value), (name, value)
            elif spec.type == "corporate_number":
                assert isinstance(value, str) and is_valid_corporate_number(value), (name, value)
            elif spec.type == "number_any":
                assert isinstance(value, str)
                assert is_valid_my_number(value) or is_valid_corporate_number(value), value
            elif spec.type == "name" and spec.group != "payer":
                assert isinstance(value, str) and value.count(FULL_WIDTH_SPACE) == 1, value
            elif spec.type == "kana":
                assert isinstance(value, str)
                assert re.fullmatch(r"[ァ-ヺー]+\u3000[ァ-ヺー]+", value), value
            elif spec.type == "address":
                assert isinstance(value, str) and value.isprintable()
                assert not re.search(r"[ -~]", value), f"half-width character in {value!r}"
            elif spec.type == "era":
                assert value in ("明治", "大正", "昭和", "平成", "令和")
            elif spec.type == "phone":
                assert isinstance(value, str) and re.fullmatch(r"0\d{1,4}-\d{1,4}-\d{4}", value)
            if spec.cells and isinstance(value, (int, str)) and not isinstance(value, bool):
                assert len(str(value)) <= spec.cells, (name, value)


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_dates_exist_in_their_era(form_id: str) -> None:
    for truth in _truths(form_id):
        # 居住開始年月日 is printed without its era (平成 or 令和): nothing to check it against.
        prefixes = {
            n.removesuffix("_year")
            for n in truth
            if n.endswith("_year") and not n.startswith("housing_start")
        }
        for prefix in prefixes:
            era = truth.get(f"{prefix}_era")
            if era is None:
                ticked = [n for n in truth if n.startswith(f"{prefix}_era_")]
                era = (
                    {
                        "showa": "昭和",
                        "heisei": "平成",
                        "reiwa": "令和",
                        "taisho": "大正",
                        "meiji": "明治",
                    }[ticked[0].rsplit("_", 1)[1]]
                    if ticked
                    else "令和"
                )
            if f"{prefix}_month" in truth:
                birth = to_gregorian(
                    str(era),
                    int(truth[f"{prefix}_year"]),
                    int(truth[f"{prefix}_month"]),
                    int(truth[f"{prefix}_day"]),
                )
                assert birth <= TODAY


def test_kyuyo_amounts_follow_the_statutory_arithmetic() -> None:
    for truth in _truths("kyuyo_kojinbetsu"):
        year = int(truth["year"])
        pay = int(truth["payment_amount"])
        adjustment = int(truth.get("income_adjustment_deduction", 0))
        assert truth["income_after_deduction"] == salary_income(pay, year) - adjustment
        income = int(truth["income_after_deduction"])
        deductions = int(truth["total_deductions"])
        parts = sum(
            int(truth.get(n, 0))
            for n in (
                "social_insurance",
                "life_insurance_deduction",
                "earthquake_insurance_deduction",
                "spouse_deduction_amount",
            )
        )
        assert deductions >= parts + tax.income_tax_basic_deduction(income, year)
        expected_tax = tax.income_tax(income - deductions) - int(
            truth.get("housing_loan_deduction", 0)
        )
        assert truth.get("withholding_tax", 0) == max(0, expected_tax)


def test_kyuyo_counts_match_the_listed_dependants() -> None:
    for truth in _truths("kyuyo_kojinbetsu"):
        listed = sum(f"dependent_{i}_name" in truth for i in range(1, 5))
        counted = sum(
            int(truth.get(n, 0))
            for n in (
                "dependents_specified_main",
                "dependents_elderly_main",
                "dependents_other_main",
            )
        )
        assert listed == min(counted, 4)
        under16 = sum(f"under16_{i}_name" in truth for i in range(1, 5))
        assert under16 == min(int(truth.get("dependents_under16", 0)), 4)
        assert ("spouse_name" in truth) == ("spouse_present" in truth)


def test_shinkoku_totals_add_up() -> None:
    for truth in _truths("shinkoku_p1"):
        shotoku = [v for n, v in truth.items() if n.startswith("shotoku_") and n != "shotoku_total"]
        assert truth.get("shotoku_total", 0) == sum(int(v) for v in shotoku)
        deductions = [v for n, v in truth.items() if n.startswith("ded_") and n != "ded_total"]
        if "ded_total" in truth:
            assert truth["ded_total"] == sum(int(v) for v in deductions)


def test_distributions_leave_optional_fields_empty_often() -> None:
    truths = _truths("kyuyo_kojinbetsu")
    with_spouse = sum("spouse_name" in t for t in truths)
    with_widow = sum("widow" in t for t in truths)
    assert 0 < with_spouse < len(truths) * 0.6
    assert with_widow < len(truths) * 0.2
    assert len({t["recipient_name"] for t in truths}) > len(truths) * 0.8
