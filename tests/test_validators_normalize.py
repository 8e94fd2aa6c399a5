"""validators.normalize: raw OCR/typed text → normalized values of forms/README.md (R13, R14)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from validators.normalize import FIELD_TYPES, NormalizationError, normalize


@pytest.mark.parametrize(
    ("field_type", "text", "expected"),
    [
        ("amount", "4.850,000", 4_850_000),  # a known Tesseract reading of 4,850,000
        ("amount", "1,234,000", 1_234_000),
        ("amount", "1234000", 1_234_000),
        ("amount", "¥1,234,000円", 1_234_000),
        ("amount", "１，２３４，０００", 1_234_000),
        ("amount", "3 600 000", 3_600_000),
        ("amount", "1,234000", 1_234_000),  # a lost separator does not change the value
        ("amount", "1872.884", 1_872_884),  # nor does a lost first one (a faxed 1,872,884)
        ("amount", "0", 0),
        ("count", "２人", 2),
        ("my_number", "6214 9832 0257", "621498320257"),
        ("my_number", "６２１４－９８３２－０２５７", "621498320257"),
        ("corporate_number", "8-0000-2013-0001", "8000020130001"),
        ("number_any", "621498320257", "621498320257"),
        ("number_any", "8000020130001", "8000020130001"),
        ("name", "山田 太郎", "山田\u3000太郎"),
        ("name", "山田\u3000\u3000太郎", "山田\u3000太郎"),
        ("name", "山田太郎", "山田太郎"),
        ("kana", "やまだ たろう", "ヤマダ\u3000タロウ"),
        ("kana", "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ\u3000タロウ"),
        ("kana", "ヤマダ\u3000タロウ", "ヤマダ\u3000タロウ"),
        ("kana", "ｻﾄｳ ｼﾞｭﾝｰ", "サトウ\u3000ジュンー"),
        ("address", "東京都新宿区\n西新宿2丁目8番1号", "東京都新宿区西新宿２丁目８番１号"),
        ("era", "昭和", "昭和"),
        ("era", "昭", "昭和"),
        ("era", "S", "昭和"),
        ("era", "ｒ", "令和"),
        ("era", "Ｈ", "平成"),
        ("era_year", "元", 1),
        ("era_year", "元年", 1),
        ("era_year", "０７", 7),
        ("era_year", "7年分", 7),
        ("month", "04", 4),
        ("day", "31日", 31),
        ("checkbox", "＊", True),
        ("checkbox", "*", True),
        ("checkbox", "○", True),
        ("checkbox", "〇", True),
        ("checkbox", "✓", True),
        ("checkbox", "レ", True),
        ("checkbox", "x", True),
        ("checkbox", "V", True),
        ("checkbox", "false", False),
        ("name", "山田\u2014太郎", "山田\u2015太郎"),
        ("checkbox", "□", None),
        ("phone", "03-5321-1111", "03-5321-1111"),
        ("phone", "03(5321)1111", "03-5321-1111"),
        ("phone", "０３－５３２１－１１１１", "03-5321-1111"),
        ("code", "００", "00"),
        ("code", "0012", "0012"),
        ("text", "給料・賞与", "給料・賞与"),
        ("free_text", "一行目\n 二行目 \n", "一行目\u3000二行目"),
        ("free_text", "前職 A社", "前職\u3000A社"),
    ],
)
def test_normalizes(field_type: str, text: str, expected: object) -> None:
    assert normalize(field_type, text) == expected


@pytest.mark.parametrize("field_type", sorted(FIELD_TYPES))
@pytest.mark.parametrize("text", ["", "   ", "\u3000", "\n"])
def test_empty_is_none(field_type: str, text: str) -> None:
    assert normalize(field_type, text) is None


@pytest.mark.parametrize(
    ("field_type", "text"),
    [
        ("amount", "12a"),
        ("amount", "1234.5"),  # a decimal, not a thousands separator
        ("amount", "12,34"),
        ("amount", "-1000"),
        ("amount", "△1000"),
        ("count", "1.5"),
        ("my_number", "62149832025"),  # 11 digits
        ("my_number", "62149832025X"),
        ("corporate_number", "621498320257"),
        ("number_any", "12345"),
        ("kana", "Yamada"),
        ("kana", "山田"),
        ("era", "5"),  # codes are ambiguous (昭和=1 in the record, 明治=1 elsewhere)
        ("era", "西暦"),
        ("era_year", "0"),
        ("era_year", "100"),
        ("month", "13"),
        ("day", "32"),
        ("day", "0"),
        ("checkbox", "maybe"),
        ("phone", "03-5321-1111 内線12"),
        ("code", "区分"),
    ],
)
def test_rejects_what_cannot_be_a_value(field_type: str, text: str) -> None:
    with pytest.raises(NormalizationError):
        normalize(field_type, text)


def test_unknown_type_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        normalize("colour", "red")


@given(st.integers(min_value=0, max_value=9_999_999_999))
def test_amount_reads_every_printed_form(value: int) -> None:
    assert normalize("amount", f"{value:,}") == value
    assert normalize("amount", str(value)) == value
    assert normalize("amount", f"{value:,}".replace(",", ".")) == value
    assert normalize("amount", f"¥{value:,}円") == value


@given(st.sampled_from(sorted(FIELD_TYPES)), st.text(max_size=30))
def test_normalization_is_idempotent(field_type: str, text: str) -> None:
    try:
        value = normalize(field_type, text)
    except NormalizationError:
        return
    if isinstance(value, str):
        assert normalize(field_type, value) == value
