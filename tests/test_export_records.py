"""Record lines of the export (R17): golden lines checked by hand, and layout properties."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_records import PUBLIC_SAMPLE_RECORD

from intake.export import shinkoku
from intake.export.layouts import ExportError, load_record_layout
from intake.export.lines import export_line
from intake.export.national import SubmissionKind, render_record
from intake.export.settings import ExportSettings
from ocr.layout import load_layout
from validators.rules import validate_record

#: The settings the public sample was made with: 提出先 130001, 作成区分 2 (両方).
SAMPLE_SETTINGS = ExportSettings(municipality_code="130001", creation_kind="2")

#: The decoded public sample record of spec §1.5 as slip values. Two items of the sample are
#: not public in full: 12 (the address is cut off, 「東京都中野区…」) and 95 (the 個人番号 is
#: masked); they are replaced by a full address and a valid 個人番号.
SAMPLE_VALUES = PUBLIC_SAMPLE_RECORD

#: Spec §1.5, items of record 1 that are not empty (12 and 95 as above).
SAMPLE_ITEMS = {
    1: "315",
    4: "東京都新宿区西新宿２丁目８番１号",
    5: "浅漬株式会社",
    6: "03-5321-1111",
    10: "0",
    11: "06",
    12: "東京都中野区中野４丁目８番１号",
    14: "沢庵　太郎",
    15: "代表取締役社長",
    17: "3600000",
    19: "2440000",
    20: "1017840",
    21: "72500",
    36: "537840",
    44: "1",
    45: "60",
    46: "04",
    47: "10",
    94: "8000020130001",
    95: "621498320257",
    134: "0",
    137: "ﾀｸｱﾝ ﾀﾛｳ",
    138: "1",
    139: "130001",
    144: "2",
}


def _expected(count: int, items: dict[int, str], newline: bytes = b"\r\n") -> bytes:
    assert max(items) <= count
    return ",".join(items.get(n, "") for n in range(1, count + 1)).encode("cp932") + newline


def test_reproduces_the_public_sample_record() -> None:
    assert validate_record("kyuyo_kojinbetsu", SAMPLE_VALUES) == []
    line = render_record("kyuyo_kojinbetsu", SAMPLE_VALUES, 6, SAMPLE_SETTINGS)
    assert line == _expected(144, SAMPLE_ITEMS)
    assert line.startswith(
        "315,,,東京都新宿区西新宿２丁目８番１号,浅漬株式会社,03-5321-1111,".encode("cp932")
    )
    assert line.endswith(b",130001,,,,,2\r\n")


def test_line_ending_is_configurable() -> None:
    lf = SAMPLE_SETTINGS.model_copy(update={"line_ending": "lf"})
    assert render_record("kyuyo_kojinbetsu", SAMPLE_VALUES, 6, lf) == _expected(
        144, SAMPLE_ITEMS, b"\n"
    )


def test_correction_and_cancellation_set_the_submission_kind() -> None:
    for kind, code in ((SubmissionKind.CORRECTION, "2"), (SubmissionKind.CANCELLATION, "3")):
        line = render_record("kyuyo_kojinbetsu", SAMPLE_VALUES, 6, SAMPLE_SETTINGS, kind)
        assert line == _expected(144, {**SAMPLE_ITEMS, 10: code})


#: A 令和7年分 slip using the parts of the form the sample leaves empty (hand-checked below).
R7_VALUES: dict[str, Any] = {
    **SAMPLE_VALUES,
    "year": 7,
    "recipient_kana": "サトウ　ジュンイチ",
    "recipient_name": "佐藤　純一",
    "payment_kind": "給料・賞与",
    "payment_amount": 9_000_000,
    "income_after_deduction": 7_000_000,
    "income_adjustment_deduction": 50_000,
    "total_deductions": 2_000_000,
    "basic_deduction": 580_000,
    "spouse_present": True,
    "spouse_deduction_amount": 380_000,
    "spouse_kana": "サトウ　ハナコ",
    "spouse_name": "佐藤　花子",
    "spouse_category": "00",
    "spouse_my_number": "621498320257",
    "dependents_specified_main": 1,
    "dependent_1_kana": "サトウ　ジロウ",
    "dependent_1_name": "佐藤　次郎",
    "dependents_under16": 1,
    "under16_1_kana": "サトウ　サブロウ",
    "under16_1_name": "佐藤　三郎",
    "life_insurance_deduction": 120_000,
    "earthquake_insurance_deduction": 50_000,
    "life_new": 100_000,
    "life_medical": 100_000,
    "pension_new": 100_000,
    "housing_count": 1,
    "housing_start_1_year": 30,
    "housing_start_1_month": 3,
    "housing_start_1_day": 1,
    "housing_category_1": "01",
    "housing_balance_1": 25_000_000,
    "housing_loan_deduction": 175_000,
    "remarks": "前職 ABC(株)",
    "mid_year_retired": True,
    "mid_year_change_year": 7,
    "mid_year_change_month": 12,
    "mid_year_change_day": 1,
    "single_parent": False,
    "working_student": True,
    "recipient_birth_era": "平成",
    "recipient_birth_year": 1,
    "recipient_birth_month": 1,
    "recipient_birth_day": 8,
}

R7_ITEMS = {
    **{n: SAMPLE_ITEMS[n] for n in (1, 4, 5, 6, 10, 12, 15, 21, 36, 94, 95, 134, 138, 139)},
    20: "2000000",
    11: "07",
    14: "佐藤　純一",
    16: "給料・賞与",
    17: "9000000",
    19: "7000000",
    23: "1",
    25: "380000",
    26: "1",
    38: "120000",
    39: "50000",
    40: "175000",
    44: "4",
    45: "01",
    46: "01",
    47: "08",
    56: "1",
    60: "2",
    61: "07",
    62: "12",
    63: "01",
    74: "30",
    75: "03",
    76: "01",
    77: "1",
    79: "01",
    80: "25000000",
    86: "前職　ＡＢＣ（株）",
    87: "100000",
    89: "100000",
    90: "100000",
    91: "1",
    96: "ｻﾄｳ ﾊﾅｺ",
    97: "佐藤　花子",
    98: "00",
    99: "621498320257",
    100: "ｻﾄｳ ｼﾞﾛｳ",
    101: "佐藤　次郎",
    116: "ｻﾄｳ ｻﾌﾞﾛｳ",
    117: "佐藤　三郎",
    137: "ｻﾄｳ ｼﾞｭﾝｲﾁ",
    141: "580000",
    142: "50000",
    147: "2",
}


def test_reiwa7_record_with_family_housing_and_remarks() -> None:
    assert validate_record("kyuyo_kojinbetsu", R7_VALUES) == []
    line = render_record("kyuyo_kojinbetsu", R7_VALUES, 7, SAMPLE_SETTINGS)
    assert line == _expected(147, R7_ITEMS)


NENKIN_VALUES: dict[str, Any] = {
    "year": 7,
    "recipient_address": "東京都中野区中野４丁目８番１号",
    "recipient_number": "000123",
    "recipient_my_number": "621498320257",  # no item in the 49-item layout
    "recipient_kana": "タクアン　ハナコ",
    "recipient_name": "沢庵　花子",
    "recipient_birth_era": "昭和",
    "recipient_birth_year": 20,
    "recipient_birth_month": 8,
    "recipient_birth_day": 15,
    "art1_payment": 2_100_000,
    "art1_tax": 20_100,
    "spouse_present": True,
    "spouse_elderly": True,
    "dependents_elderly": 1,
    "social_insurance": 180_000,
    "widow": True,
    "single_parent": True,  # no item in the 49-item layout
    "payer_number": "5835678256246",  # no item in the 49-item layout
    "payer_address": "東京都千代田区霞が関１丁目２番２号",
    "payer_name": "年金機構",
    "payer_phone": "03-5344-1100",
}

NENKIN_LINE = (
    "331,,,東京都千代田区霞が関１丁目２番２号,年金機構,03-5344-1100,,,,0,07,"
    "東京都中野区中野４丁目８番１号,,沢庵　花子,1,20,08,15,"
    "2100000,,20100,,,,,,,,,,"
    ",,,2,1,,,,180000,,,,,1,,ﾀｸｱﾝ ﾊﾅｺ,000123,130001,\r\n"
)


def test_pension_record_in_the_provisional_layout() -> None:
    assert validate_record("nenkin_kojinbetsu", NENKIN_VALUES) == []
    line = render_record("nenkin_kojinbetsu", NENKIN_VALUES, 7, SAMPLE_SETTINGS)
    assert line == NENKIN_LINE.encode("cp932")
    assert len(line.decode("cp932").split(",")) == 49


SHINKOKU_VALUES: dict[str, Any] = {
    "fiscal_year": 8,
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
    "shotoku_total": 350_000,
    "no_income_note": "一月から無職, 家族の扶養",
}


def test_shinkoku_csv_has_header_of_field_names_and_quotes_commas() -> None:
    header = shinkoku.header_line().decode("cp932")
    assert header == ",".join(load_layout("shinkoku_p1").field_names) + "\r\n"
    row = export_line("shinkoku_p1", SHINKOKU_VALUES, SAMPLE_SETTINGS).decode("cp932")
    [parsed] = list(csv.reader(io.StringIO(row, newline="")))
    names = load_layout("shinkoku_p1").field_names
    assert dict(zip(names, parsed, strict=True)) == {
        n: {
            "fiscal_year": "8",
            "address": "静岡県浜松市中央区元城町１０３－２",
            "kana": "ハママツ　イチロウ",
            "name": "浜松　一郎",
            "birth_era_heisei": "1",
            "birth_year": "2",
            "birth_month": "3",
            "birth_day": "4",
            "my_number": "621498320257",
            "income_salary": "1000000",
            "shotoku_salary": "350000",
            "shotoku_total": "350000",
            "no_income_note": "一月から無職, 家族の扶養",
        }.get(n, "")
        for n in names
    }
    assert '"一月から無職, 家族の扶養"' in row
    document = json.loads(shinkoku.records_json([SHINKOKU_VALUES]))
    assert document["records"][0]["shotoku_total"] == 350_000
    assert document["records"][0]["phone"] is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"recipient_number": "1,2"}, "item 138"),
        ({"recipient_name": "沢庵\u3000太郎\U0001f600"}, "item 14"),
        ({"payment_amount": 12_345_678_901}, "item 17"),
        ({"year": 5}, "令和5"),
    ],
)
def test_unwritable_values_raise(changes: dict[str, Any], message: str) -> None:
    values = {**SAMPLE_VALUES, **changes}
    with pytest.raises(ExportError, match=message):
        render_record("kyuyo_kojinbetsu", values, values["year"], SAMPLE_SETTINGS)


def test_municipality_code_must_be_configured() -> None:
    with pytest.raises(ExportError, match="提出先市町村コード"):
        render_record("kyuyo_kojinbetsu", SAMPLE_VALUES, 6, ExportSettings())


def test_municipality_code_check_digit() -> None:
    with pytest.raises(ValueError):
        ExportSettings(municipality_code="130002")


@pytest.mark.parametrize(
    ("name", "count"), [("kyuyo_315_r6", 144), ("kyuyo_315_r7", 147), ("nenkin_331", 49)]
)
def test_layout_item_counts(name: str, count: int) -> None:
    assert load_record_layout(name).item_count == count


# --- properties ---------------------------------------------------------------------------------

_KANJI = "山田太郎花子東京都新宿区一二三丁目番地号株式会社"
_KATAKANA = "アイウエオカキクケコガギグゲゴサシスセソザジパピャュョッー"


def _value(field_type: str, max_len: int) -> st.SearchStrategy[Any]:
    text = st.text(alphabet=_KANJI + "ABCxyz0123 ", min_size=1, max_size=max_len).filter(
        lambda s: s.strip() != "" and s == s.strip()
    )
    strategies: dict[str, st.SearchStrategy[Any]] = {
        "text": text,
        "address": text,
        "name": text,
        "free_text": text,
        "kana": st.text(alphabet=_KATAKANA, min_size=1, max_size=max_len // 2),
        "my_number": st.just("621498320257"),
        "corporate_number": st.just("5835678256246"),
        "number_any": st.sampled_from(["621498320257", "8000020130001"]),
        "amount": st.integers(0, 10**max_len - 1),
        "count": st.integers(0, 10**max_len - 1),
        "era": st.sampled_from(["明治", "大正", "昭和", "平成", "令和"]),
        "era_year": st.integers(1, 99),
        "month": st.integers(1, 12),
        "day": st.integers(1, 31),
        "checkbox": st.booleans(),
        "phone": st.from_regex(r"0[0-9]{1,4}-[0-9]{1,4}-[0-9]{4}", fullmatch=True),
        "code": st.text(alphabet="0123456789", min_size=1, max_size=min(max_len, 2)),
    }
    return st.one_of(st.none(), strategies[field_type])


@st.composite
def _records(draw: st.DrawFn, form_id: str) -> dict[str, Any]:
    values = {
        spec.name: draw(_value(spec.type, spec.max_len)) for spec in load_layout(form_id).fields
    }
    values["year"] = draw(st.sampled_from([6, 7]))
    return values


@pytest.mark.parametrize("form_id", ["kyuyo_kojinbetsu", "nenkin_kojinbetsu"])
def test_every_line_has_the_layout_item_count_and_parses_as_cp932_csv(form_id: str) -> None:
    @settings(max_examples=60, deadline=None)
    @given(_records(form_id))
    def check(values: dict[str, Any]) -> None:
        line = render_record(form_id, values, values["year"], SAMPLE_SETTINGS)
        assert line.endswith(b"\r\n") and line.count(b"\n") == 1
        [row] = list(csv.reader(io.StringIO(line.decode("cp932"), newline="")))
        expected = {"kyuyo_kojinbetsu": {6: 144, 7: 147}, "nenkin_kojinbetsu": {6: 49, 7: 49}}
        assert len(row) == expected[form_id][values["year"]]
        for spec in load_layout(form_id).fields:
            value = values[spec.name]
            if spec.csv_item is None or spec.type in ("checkbox",) or value is None:
                continue
            if spec.csv_item <= len(row) and spec.type in ("amount", "count"):
                assert row[spec.csv_item - 1] == str(value)

    check()


@settings(max_examples=40, deadline=None)
@given(_records("shinkoku_p1"))
def test_shinkoku_rows_round_trip(values: dict[str, Any]) -> None:
    values["fiscal_year"] = values.pop("year")
    row = shinkoku.record_line(values).decode("cp932")
    [parsed] = list(csv.reader(io.StringIO(row, newline="")))
    layout = load_layout("shinkoku_p1")
    assert len(parsed) == len(layout.fields)
    for spec, cell in zip(layout.fields, parsed, strict=True):
        value = values.get(spec.name)
        if spec.type == "checkbox":
            assert cell == ("1" if value else "")
        else:
            assert cell == ("" if value is None else str(value))
    [record] = shinkoku.records_from_csv(shinkoku.header_line() + row.encode("cp932"))
    assert record == {k: (None if v is False else v) for k, v in values.items()}


# --- the command-line contract ------------------------------------------------------------------


def _run(args: list[str], stdin: bytes, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "intake", "export-record", *args],
        input=stdin,
        capture_output=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )


_ENV = {"TAX_INTAKE_EXPORT_MUNICIPALITY_CODE": "130001", "TAX_INTAKE_EXPORT_CREATION_KIND": "2"}


@pytest.mark.slow
def test_export_record_command_writes_the_line() -> None:
    result = _run(
        ["--form", "kyuyo_kojinbetsu", "--year", "6"],
        json.dumps(SAMPLE_VALUES).encode(),
        _ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == _expected(144, SAMPLE_ITEMS)


@pytest.mark.slow
def test_export_record_command_reports_validation_errors() -> None:
    bad = {**SAMPLE_VALUES, "recipient_my_number": "621498320258", "recipient_name": None}
    result = _run(["--form", "kyuyo_kojinbetsu", "--year", "6"], json.dumps(bad).encode(), _ENV)
    assert result.returncode == 1
    assert result.stdout == b""
    stderr = result.stderr.decode()
    assert "check_digit\trecipient_my_number" in stderr
    assert "required\trecipient_name" in stderr


def test_readme_documents_every_shinkoku_column() -> None:
    from pathlib import Path

    readme = (Path(shinkoku.__file__).parent / "README.md").read_text(encoding="utf-8")
    for column in shinkoku.layout_description()["columns"]:
        assert f"| {column['column']} | `{column['name']}` |" in readme
