"""validators.rules: the rule engine over whole records of the three forms (R14)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sample_records import PUBLIC_SAMPLE_RECORD

from validators.rules import Finding, confirmed_fields, has_errors, validate_record

TODAY = date(2026, 1, 31)

#: The public 統一CSV sample record of spec §1.5 as slip values (令和6年分).
KYUYO = PUBLIC_SAMPLE_RECORD

NENKIN: dict[str, Any] = {
    "year": 7,
    "recipient_address": "東京都中野区中野４丁目８番１号",
    "recipient_kana": "タクアン　ハナコ",
    "recipient_name": "沢庵　花子",
    "recipient_birth_era": "昭和",
    "recipient_birth_year": 20,
    "recipient_birth_month": 8,
    "recipient_birth_day": 15,
    "art1_payment": 2_100_000,
    "art1_tax": 20_100,
    "payer_number": "5835678256246",
    "payer_address": "東京都千代田区霞が関１丁目２番２号",
    "payer_name": "年金機構",
}

SHINKOKU: dict[str, Any] = {
    "fiscal_year": 8,
    "submit_year": 8,
    "submit_month": 1,
    "submit_day": 20,
    "address": "静岡県浜松市中央区元城町１０３－２",
    "kana": "ハママツ　イチロウ",
    "name": "浜松　一郎",
    "birth_era_heisei": True,
    "birth_year": 2,
    "birth_month": 3,
    "birth_day": 4,
    "my_number": "621498320257",
    "income_salary": 1_000_000,
    "shotoku_salary": 350_000,
    "income_business": 500_000,
    "shotoku_business": 300_000,
    "shotoku_total": 650_000,
    "ded_social_insurance": 150_000,
    "ded_basic": 430_000,
    "ded_total": 580_000,
    "dependent_1_name": "浜松　次郎",
    "dependent_1_birth_era_reiwa": True,
    "dependent_1_birth_year": 1,
    "dependent_1_birth_month": 5,
    "dependent_1_birth_day": 1,
    "dependent_1_together": True,
}


def _rules(form_id: str, values: dict[str, Any], **changes: Any) -> list[tuple[str, str | None]]:
    merged = {**values, **changes}
    return [(f.rule, f.field) for f in validate_record(form_id, merged, today=TODAY)]


@pytest.mark.parametrize(
    ("form_id", "values"),
    [("kyuyo_kojinbetsu", KYUYO), ("nenkin_kojinbetsu", NENKIN), ("shinkoku_p1", SHINKOKU)],
)
def test_clean_records_have_no_findings(form_id: str, values: dict[str, Any]) -> None:
    assert validate_record(form_id, values, today=TODAY) == []


def test_findings_carry_both_languages() -> None:
    [finding] = validate_record("kyuyo_kojinbetsu", {**KYUYO, "recipient_name": None}, today=TODAY)
    assert finding == Finding(
        "required",
        "error",
        "recipient_name",
        "支払を受ける者－氏名は必須です。",
        "recipient_name is required",
    )
    assert has_errors([finding])


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"recipient_my_number": "621498320258"}, ("check_digit", "recipient_my_number")),
        ({"payer_number": "8000020130002"}, ("check_digit", "payer_number")),
        (
            {
                "dependent_1_name": "沢庵　次郎",
                "dependent_1_my_number": "123456789012",
                "dependents_other_main": 1,
            },
            ("check_digit", "dependent_1_my_number"),
        ),
        ({"income_after_deduction": 2_450_000}, ("salary_income", "income_after_deduction")),
        ({"life_insurance_deduction": 120_001}, ("upper_limit", "life_insurance_deduction")),
        (
            {"earthquake_insurance_deduction": 50_001},
            ("upper_limit", "earthquake_insurance_deduction"),
        ),
        ({"basic_deduction": 580_000}, ("upper_limit", "basic_deduction")),
        ({"basic_deduction": 470_000}, ("basic_deduction", "basic_deduction")),
        ({"year": 7, "basic_deduction": 950_000}, ("basic_deduction", "basic_deduction")),
        (
            {
                "recipient_birth_era": "平成",
                "recipient_birth_year": 31,
                "recipient_birth_month": 5,
                "recipient_birth_day": 1,
            },
            ("date_invalid", "recipient_birth_year"),
        ),
        (
            {"recipient_birth_month": 2, "recipient_birth_day": 30},
            ("date_invalid", "recipient_birth_day"),
        ),
        (
            {
                "recipient_birth_era": "昭和",
                "recipient_birth_year": 64,
                "recipient_birth_month": 1,
                "recipient_birth_day": 8,
            },
            ("date_invalid", "recipient_birth_year"),
        ),
        (
            {
                "recipient_birth_era": "令和",
                "recipient_birth_year": 8,
                "recipient_birth_month": 2,
                "recipient_birth_day": 1,
            },
            ("date_future", "recipient_birth_year"),
        ),
        ({"year": 9}, ("date_future", "year")),
        ({"recipient_name": "沢庵\u3000太郎\U0001f600"}, ("cp932", "recipient_name")),
        ({"recipient_name": "高橋\u3000太郎" * 7}, ("max_len", "recipient_name")),
        ({"recipient_kana": "タクアン　タロウ" * 8}, ("max_len", "recipient_kana")),
        ({"payment_amount": "3600000"}, ("value_type", "payment_amount")),
        (
            {"spouse_present": True, "spouse_present_secondary": True},
            ("exclusive_choice", "spouse_present_secondary"),
        ),
        (
            {"mid_year_hired": True, "mid_year_retired": True},
            ("exclusive_choice", "mid_year_retired"),
        ),
        ({"social_insurance_small_business": 600_000}, ("part_exceeds_total", "social_insurance")),
        ({"total_deductions": 500_000}, ("part_exceeds_total", "total_deductions")),
        (
            {
                "mid_year_change_year": 6,
                "mid_year_change_month": 2,
                "mid_year_change_day": 30,
                "mid_year_retired": True,
            },
            ("date_invalid", "mid_year_change_day"),
        ),
        (
            {"mid_year_change_year": 6, "mid_year_change_month": 6},
            ("date_incomplete", "mid_year_change_day"),
        ),
        (
            {"housing_start_1_year": 30, "housing_start_1_month": 4, "housing_start_1_day": 31},
            ("date_invalid", "housing_start_1_day"),
        ),
        ({"spouse_category": "02", "spouse_name": "沢庵　花子"}, ("code_value", "spouse_category")),
        (
            {"dependents_other_main": 2, "dependent_1_name": "沢庵　次郎"},
            ("dependent_count", "dependents_specified_main"),
        ),
        ({"dependents_under16": 1}, ("dependent_count", "dependents_under16")),
        ({"dependent_2_my_number": "621498320257"}, ("person_without_name", "dependent_2_name")),
        (
            {
                "payment_amount": 9_000_000,
                "income_after_deduction": 6_950_000,
                "income_adjustment_deduction": 100_000,
            },
            ("income_adjustment", "income_adjustment_deduction"),
        ),
        ({"no_such_field": 1}, ("unknown_field", None)),
        (
            {"life_insurance_deduction": 40_000, "life_new": 60_000},
            ("life_insurance_breakdown", "life_insurance_deduction"),
        ),
    ],
)
def test_kyuyo_rule_fires(changes: dict[str, Any], expected: tuple[str, str | None]) -> None:
    assert expected in _rules("kyuyo_kojinbetsu", KYUYO, **changes)


def test_salary_rule_uses_the_year_table() -> None:
    # 1,625,000: 1,074,000 under 令和6年分 (special row) but 975,000 under 令和7年分.
    record = {**KYUYO, "payment_amount": 1_625_000, "income_after_deduction": 1_074_000}
    assert ("salary_income", "income_after_deduction") not in _rules("kyuyo_kojinbetsu", record)
    assert ("salary_income", "income_after_deduction") in _rules("kyuyo_kojinbetsu", record, year=7)
    assert not _rules("kyuyo_kojinbetsu", record, year=7, income_after_deduction=975_000)


def test_salary_rule_subtracts_the_adjustment() -> None:
    record = {**KYUYO, "payment_amount": 9_000_000, "income_after_deduction": 7_000_000}
    assert not _rules("kyuyo_kojinbetsu", record, income_adjustment_deduction=50_000)
    assert ("salary_income", "income_after_deduction") in _rules("kyuyo_kojinbetsu", record)


def test_unsupported_year_is_a_warning_not_a_guess() -> None:
    findings = validate_record("kyuyo_kojinbetsu", {**KYUYO, "year": 1}, today=TODAY)
    assert [(f.rule, f.severity) for f in findings] == [("salary_year_unsupported", "warning")]


def test_dependents_listed_match_counts() -> None:
    record = {
        **KYUYO,
        "dependents_specified_main": 1,
        "dependents_other_main": 1,
        "dependent_1_name": "沢庵　次郎",
        "dependent_1_kana": "タクアン　ジロウ",
        "dependent_2_name": "沢庵　三郎",
        "dependent_2_kana": "タクアン　サブロウ",
        "under16_1_name": "沢庵　四郎",
        "under16_1_kana": "タクアン　シロウ",
        "dependents_under16": 1,
    }
    assert _rules("kyuyo_kojinbetsu", record) == []


def test_a_name_without_its_reading_sends_the_reading_to_review() -> None:
    record = {**KYUYO, "spouse_name": "沢庵　花子", "spouse_category": "01"}
    assert ("kana_missing", "spouse_kana") in _rules("kyuyo_kojinbetsu", record)
    assert ("kana_missing", "spouse_kana") not in _rules(
        "kyuyo_kojinbetsu", record, spouse_kana="タクアン　ハナコ"
    )
    # The 申告書 asks for the filer's reading only, not the spouse's.
    assert not [
        r
        for r in _rules("shinkoku_p1", SHINKOKU, spouse_name="沢庵　花子")
        if r[0] == "kana_missing"
    ]


def test_a_spouse_or_householder_name_off_the_filers_goes_to_review() -> None:
    # Husband and wife share one surname: 浜 is 浜松 with a character lost.
    assert ("spouse_surname", "spouse_name") in _rules(
        "shinkoku_p1", SHINKOKU, spouse_name="浜　花子"
    )
    assert ("spouse_surname", "spouse_name") not in _rules(
        "shinkoku_p1", SHINKOKU, spouse_name="浜松　花子"
    )
    # The householder is mostly the filer: one character off is a misreading ...
    assert ("name_one_off", "householder_name") in _rules(
        "shinkoku_p1", SHINKOKU, householder_name="浜松　一朗"
    )
    # ... a father may well be another person.
    assert not [
        r
        for r in _rules("shinkoku_p1", SHINKOKU, householder_name="浜松　正男")
        if r[0] == "name_one_off"
    ]
    # A relative's surname one character off the filer's is one too; brothers are not.
    assert ("name_one_off", "dependent_1_name") in _rules(
        "shinkoku_p1", SHINKOKU, dependent_1_name="浜杉　次郎"
    )
    assert ("name_one_off", "dependent_1_name") not in _rules("shinkoku_p1", SHINKOKU)


def test_life_insurance_matching_its_premiums_is_clean() -> None:
    record = {
        **KYUYO,
        "life_insurance_deduction": 67_500,
        "life_new": 60_000,
        "life_medical": 50_000,
    }
    assert _rules("kyuyo_kojinbetsu", record) == []


@pytest.mark.parametrize(("year", "amount"), [(6, 480_000), (7, 880_000), (7, 580_000)])
def test_basic_deduction_within_its_table(year: int, amount: int) -> None:
    # 給与所得 2,440,000: 令和7年分 allows up to 880,000 (less with other income).
    record = {**KYUYO, "year": year, "basic_deduction": amount, "total_deductions": 2_000_000}
    assert _rules("kyuyo_kojinbetsu", record) == []


def test_one_bad_value_gives_one_finding() -> None:
    assert _rules("kyuyo_kojinbetsu", KYUYO, payment_amount="lots") == [
        ("value_type", "payment_amount")
    ]


def test_extension_character_is_only_a_warning() -> None:
    findings = validate_record(
        "kyuyo_kojinbetsu", {**KYUYO, "recipient_name": "髙橋\u3000太郎"}, today=TODAY
    )
    assert [(f.rule, f.severity) for f in findings] == [("jis_x0208", "warning")]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"birth_era_showa": True}, ("era_multiple", "birth_era_showa")),
        ({"birth_era_heisei": None}, ("era_missing", "birth_era_meiji")),
        (
            {
                "birth_era_heisei": None,
                "birth_era_reiwa": True,
                "birth_year": 1,
                "birth_month": 4,
                "birth_day": 30,
            },
            ("date_invalid", "birth_year"),
        ),
        (
            {"birth_era_heisei": None, "birth_era_meiji": True, "birth_year": 38},
            ("birth_implausible", "birth_year"),
        ),
        ({"shotoku_total": 660_000}, ("total_mismatch", "shotoku_total")),
        ({"ded_total": 1}, ("total_mismatch", "ded_total")),
        (
            {"shotoku_salary": 450_000, "shotoku_total": 750_000},
            ("salary_income", "shotoku_salary"),
        ),
        (
            {"ded_life_insurance": 80_000, "ded_total": 660_000},
            ("upper_limit", "ded_life_insurance"),
        ),
        ({"dependent_1_separate": True}, ("exclusive_choice", "dependent_1_separate")),
        ({"dependent_1_birth_era_showa": True}, ("era_multiple", "dependent_1_birth_era_showa")),
        ({"submit_month": 2, "submit_day": 1}, ("date_future", "submit_year")),
        ({"fiscal_year": 10}, ("date_future", "fiscal_year")),
        ({"my_number": None}, ("required", "my_number")),
        (
            {"income_pension": 2_000_000, "shotoku_pension": 900_000, "shotoku_total": 1_550_000},
            ("pension_income", "shotoku_pension"),
        ),
        ({"dependent_2_birth_year": 3}, ("era_missing", "dependent_2_birth_era_showa")),
        ({"dependent_2_birth_year": 3}, ("person_without_name", "dependent_2_name")),
    ],
)
def test_shinkoku_rule_fires(changes: dict[str, Any], expected: tuple[str, str | None]) -> None:
    assert expected in _rules("shinkoku_p1", SHINKOKU, **changes)


@pytest.mark.parametrize(("birth_year", "income"), [(35, 900_000), (36, 1_225_000)])
def test_shinkoku_pension_income_by_age(birth_year: int, income: int) -> None:
    # 令和8年度 → 令和7年分 (2025): 65歳以上 means born on or before 昭和36年1月1日.
    record = {
        **SHINKOKU,
        "birth_era_heisei": None,
        "birth_era_showa": True,
        "birth_year": birth_year,
        "birth_month": 1,
        "birth_day": 2,
        "income_pension": 2_000_000,
        "shotoku_pension": income,
        "shotoku_total": 650_000 + income,
    }
    assert _rules("shinkoku_p1", record) == []


def test_shinkoku_salary_allows_pension_adjustment() -> None:
    # 給与と年金の両方: 所得金額調整控除 (≤ 100,000) may lower 給与所得.
    record = {
        **SHINKOKU,
        "shotoku_salary": 300_000,
        "shotoku_total": 800_000,
        "income_pension": 800_000,
        "shotoku_pension": 200_000,
    }
    assert _rules("shinkoku_p1", record) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"payer_number": "5835678256247"}, ("check_digit", "payer_number")),
        ({"recipient_birth_day": 32}, ("value_type", "recipient_birth_day")),
        ({"recipient_birth_era": "天平"}, ("value_type", "recipient_birth_era")),
        (
            {"disabled_special": 1, "disabled_special_inner": 2},
            ("part_exceeds_total", "disabled_special"),
        ),
        ({"recipient_kana": None}, ("required", "recipient_kana")),
    ],
)
def test_nenkin_rule_fires(changes: dict[str, Any], expected: tuple[str, str | None]) -> None:
    assert expected in _rules("nenkin_kojinbetsu", NENKIN, **changes)


def _any_value() -> Any:
    from hypothesis import strategies as st

    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-5, max_value=20_000_000),
        st.sampled_from(["昭和", "令和", "00", "621498320257", "8000020130001", "タロウ"]),
        st.text(max_size=8),
    )


def test_engine_never_crashes_on_arbitrary_values() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from ocr.layout import FORM_IDS, load_layout

    @settings(max_examples=150, deadline=None)
    @given(st.sampled_from(FORM_IDS), st.data())
    def run(form_id: str, data: st.DataObject) -> None:
        names = load_layout(form_id).field_names
        values = data.draw(st.dictionaries(st.sampled_from(names), _any_value(), max_size=40))
        for finding in validate_record(form_id, values, today=TODAY):
            assert finding.severity in ("error", "warning")
            assert finding.field is None or finding.field in names

    run()


def test_a_failed_check_names_every_field_it_read() -> None:
    # 支払金額 read one digit short: the 給与所得 check fails at 給与所得控除後の金額, but
    # either amount may be the misread one.
    findings = validate_record(
        "kyuyo_kojinbetsu", {**KYUYO, "payment_amount": 360_000}, today=TODAY
    )
    [salary] = [f for f in findings if f.rule == "salary_income"]
    assert salary.field == "income_after_deduction"
    assert salary.involves == ("payment_amount",)
    findings = validate_record("kyuyo_kojinbetsu", {**KYUYO, "social_insurance": 5_378_400})
    [total] = [f for f in findings if f.rule == "part_exceeds_total"]
    assert (total.field, total.involves) == ("total_deductions", ("social_insurance",))
    assert "involves" not in total.as_dict()  # the stored shape is unchanged


@pytest.mark.parametrize(
    ("phone", "finding"),
    [
        ("03-5321-1111", False),
        ("0353211111", False),  # written whole
        ("090-1234-5678", False),  # mobile: 11 digits
        ("0263353513", False),
        ("093758-1368", True),  # a hyphen lost in reading
        ("03-5321-111", True),  # a digit lost
        ("3-5321-1111", True),
    ],
)
def test_a_phone_number_of_the_wrong_shape_is_questioned(phone: str, finding: bool) -> None:
    found = ("phone_shape", "payer_phone") in _rules("kyuyo_kojinbetsu", KYUYO, payer_phone=phone)
    assert found is finding


@pytest.mark.parametrize(
    ("changes", "confirmed"),
    [
        ({}, {"shotoku_total", "shotoku_salary", "shotoku_business"}),  # and ded_*, below
        ({"shotoku_total": 650_001}, {"shotoku_salary"}),  # the sum does not hold
        # One part: a total equal to it is confirmed only where the part is (給与所得 by
        # the pay) ...
        ({"shotoku_business": None, "shotoku_total": 350_000}, {"shotoku_salary", "shotoku_total"}),
        ({"shotoku_business": 0, "shotoku_total": 350_000}, {"shotoku_salary", "shotoku_total"}),
        # ... not where the same number is merely written twice.
        ({"income_salary": None, "shotoku_salary": None, "shotoku_total": 300_000}, set()),
        ({"income_salary": 1_000_001}, {"shotoku_total", "shotoku_salary", "shotoku_business"}),
        # The sum holds though 給与所得 is off the 別表第五: that check's error sends them
        # back to review (intake.pipeline.apply_validation).
        (
            {"shotoku_salary": 350_100, "shotoku_total": 650_100},
            {"shotoku_total", "shotoku_salary", "shotoku_business"},
        ),
    ],
)
def test_arithmetic_that_holds_confirms_the_fields_it_read(
    changes: dict[str, Any], confirmed: set[str]
) -> None:
    found = confirmed_fields("shinkoku_p1", {**SHINKOKU, **changes})
    assert found == confirmed | {"ded_total", "ded_social_insurance", "ded_basic"}


def test_on_the_slip_only_the_salary_income_is_confirmed() -> None:
    # 所得控除の額の合計額 also holds deductions the slip does not show; the pay is rounded
    # down to 4,000 yen by the table, so only the income is pinned down.
    assert confirmed_fields("kyuyo_kojinbetsu", KYUYO) == {"income_after_deduction"}
