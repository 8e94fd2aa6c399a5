"""Checks of one field at a time: value shape, required, max_len, cp932, check digits, codes."""

from __future__ import annotations

from collections.abc import Iterator

import jaconv

from ocr.layout import FieldSpec, FormLayout
from validators.checkdigits import problem_with
from validators.findings import Finding, Value, Values, error, warning
from validators.rule_tables import CODES
from validators.wareki import ERA_BY_NAME

_STRING_TYPES = frozenset(
    {
        "text",
        "address",
        "name",
        "kana",
        "my_number",
        "corporate_number",
        "number_any",
        "era",
        "phone",
        "code",
        "free_text",
    }
)
_INTEGER_TYPES = frozenset({"amount", "count", "era_year", "month", "day"})
_INTEGER_RANGES: dict[str, tuple[int, int | None]] = {
    "era_year": (1, 99),
    "month": (1, 12),
    "day": (1, 31),
}
#: Types written as text in the record: they must be representable in Shift_JIS (cp932).
_TEXT_TYPES = frozenset({"text", "address", "name", "kana", "free_text", "phone", "code"})
_NUMBER_TYPES = {"my_number": 12, "corporate_number": 13}


def shape_problem(field_type: str, value: Value) -> str | None:
    """Why ``value`` is not a normalized value of ``field_type`` (English), or None."""
    if value is None:
        return None
    if field_type == "checkbox":
        return None if isinstance(value, bool) else "a checkbox value must be true or false"
    if field_type in _INTEGER_TYPES:
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be a whole number"
        low, high = _INTEGER_RANGES.get(field_type, (0, None))
        if value < low or (high is not None and value > high):
            return f"must be {low}–{high if high is not None else ''}"
        return None
    if field_type in _STRING_TYPES:
        if not isinstance(value, str) or not value:
            return "must be a non-empty string"
        if field_type == "era" and value not in ERA_BY_NAME:
            return "must be one of 明治 大正 昭和 平成 令和"
        digits = {"my_number": (12,), "corporate_number": (13,), "number_any": (12, 13)}
        if field_type in digits and not (
            value.isascii() and value.isdigit() and len(value) in digits[field_type]
        ):
            return f"must be {' or '.join(map(str, digits[field_type]))} half-width digits"
        return None
    raise KeyError(f"unknown field type {field_type!r}")


def exported_length(spec: FieldSpec, value: Value) -> int:
    """Length of the value as the record writes it (kana: half-width characters)."""
    if spec.type == "kana" and isinstance(value, str):
        return len(jaconv.z2h(value.replace("\u3000", " "), kana=True, ascii=False, digit=False))
    return len(str(value))


def _cp932_findings(spec: FieldSpec, value: str) -> Iterator[Finding]:
    unencodable = []
    outside_jis = []
    for char in dict.fromkeys(value):
        try:
            encoded = char.encode("cp932")
        except UnicodeEncodeError:
            unencodable.append(char)
            continue
        # NEC special characters (row 13) and the NEC/IBM extensions are cp932, not JIS X 0208:
        # many receiving systems reject them (spec §1.2: JIS第1・第2水準 only).
        if len(encoded) == 2 and (encoded[0] == 0x87 or encoded[0] >= 0xED):
            outside_jis.append(char)
    if unencodable:
        chars = "".join(unencodable)
        yield error(
            "cp932",
            spec.name,
            f"{spec.label}: シフトJISで表せない文字「{chars}」があります。"
            "常用の字体で入力してください。",
            f"{spec.name}: characters not representable in cp932: {chars!r}",
        )
    if outside_jis:
        chars = "".join(outside_jis)
        yield warning(
            "jis_x0208",
            spec.name,
            f"{spec.label}: 機種依存文字「{chars}」は受け取れないシステムがあります。",
            f"{spec.name}: cp932 extension characters outside JIS X 0208: {chars!r}",
        )


def check_field(spec: FieldSpec, value: Value) -> Iterator[Finding]:
    """Findings about one field's value on its own."""
    if value is None:
        if spec.required:
            yield error(
                "required",
                spec.name,
                f"{spec.label}は必須です。",
                f"{spec.name} is required",
            )
        return
    problem = shape_problem(spec.type, value)
    if problem is not None:
        yield error(
            "value_type",
            spec.name,
            f"{spec.label}の値の形式が正しくありません。",
            f"{spec.name} ({spec.type}) {problem}",
        )
        return
    if spec.type != "checkbox" and exported_length(spec, value) > spec.max_len:
        yield error(
            "max_len",
            spec.name,
            f"{spec.label}は{spec.max_len}文字（桁）以内です。",
            f"{spec.name} is longer than {spec.max_len}",
        )
    if spec.type in ("my_number", "corporate_number", "number_any"):
        assert isinstance(value, str)
        problem = problem_with(spec.type, value)
        if problem is not None:
            what = {"my_number": "個人番号", "corporate_number": "法人番号"}.get(
                spec.type, "個人番号又は法人番号"
            )
            yield error(
                "check_digit",
                spec.name,
                f"{spec.label}: {what}のチェックデジットが一致しません。"
                "読み取りを確認してください。",
                f"{spec.name}: {problem}",
            )
    if spec.type == "phone":
        assert isinstance(value, str)
        yield from _phone_findings(spec, value)
    if spec.type in _TEXT_TYPES:
        assert isinstance(value, str)
        yield from _cp932_findings(spec, value)


def _phone_findings(spec: FieldSpec, value: str) -> Iterator[Finding]:
    """A Japanese telephone number has 10 digits (11 for mobile and IP phones), starts with
    0, and is written whole or in three groups (市外局番-市内局番-加入者番号): a digit or a
    hyphen lost in reading shows."""
    digits = value.replace("-", "")
    groups = value.count("-") + 1
    if len(digits) in (10, 11) and digits.startswith("0") and groups in (1, 3):
        return
    yield warning(
        "phone_shape",
        spec.name,
        f"{spec.label}「{value}」は電話番号の形（0から始まる10桁又は11桁、区切りは2か所）に"
        "なっていません。読み取りを確認してください。",
        f"{spec.name}: {len(digits)} digits in {groups} groups",
    )


def check_codes(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """Code fields hold a known code (unknown codes of UNCONFIRMED tables are warnings)."""
    for code_spec in CODES[layout.form_id]:
        allowed = ", ".join(sorted(code_spec.allowed))
        for name in code_spec.fields:
            value = values.get(name)
            if value is None or value in code_spec.allowed:
                continue
            label = layout.field(name).label
            make = error if code_spec.confirmed else warning
            yield make(
                "code_value",
                name,
                f"{label}: 「{value}」は使用できる区分（{allowed}）ではありません。",
                f"{name}: code {value!r} not in {{{allowed}}}",
            )


def check_unknown_fields(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """Names the layout does not know cannot be exported: a caller's mistake, reported."""
    known = set(layout.field_names)
    for name in values:
        if name not in known:
            yield error(
                "unknown_field",
                None,
                f"様式にない項目「{name}」があります。",
                f"{name} is not a field of {layout.form_id}",
            )
