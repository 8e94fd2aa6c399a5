"""Turn raw text (OCR output or a person's typing) into the normalized value of a field type.

The normalized values are those of ``ocr/forms`` README ("Field types and the normalized value").
Tolerant of what OCR and typing produce, but never guessing: text that cannot be a value of the
type raises :class:`NormalizationError`, so the field goes in front of a person (R14).
Whether a well-formed value is *correct* (check digits, date boundaries, arithmetic) is the
rule engine's job (:mod:`validators.rules`), not this module's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import jaconv

Value = str | int | bool | None

FULL_WIDTH_SPACE = "\u3000"


class NormalizationError(ValueError):
    """The text cannot be a value of the field type; the message says why (English)."""


def _nfkc(text: str) -> str:
    """Full-width digits, letters and punctuation to half-width (OCR often yields full-width)."""
    return unicodedata.normalize("NFKC", text)


#: The one JIS X 0208 character whose usual Unicode form cp932 cannot encode: em dash is ―
#: (0x815C) in JIS, which cp932 maps to U+2015. Same character, different code point.
_JIS_CODE_POINTS = str.maketrans({"\u2014": "\u2015"})


def _one_line(text: str) -> str:
    return "".join(line.strip() for line in text.translate(_JIS_CODE_POINTS).splitlines())


def _collapse_spaces(text: str, separator: str) -> str:
    """Every run of ASCII or ideographic spaces becomes one ``separator``."""
    return re.sub(r"[ \t\u3000]+", separator, text.strip(" \t\u3000"))


def _to_full_width(text: str) -> str:
    return jaconv.h2z(text, kana=True, ascii=True, digit=True)


def _text(text: str) -> str:
    # Kept as written; the export writes it full-width.
    return _collapse_spaces(_one_line(text), " ")


def _address(text: str) -> str:
    return _to_full_width(_collapse_spaces(_one_line(text), FULL_WIDTH_SPACE))


def _name(text: str) -> str:
    return _to_full_width(_collapse_spaces(_one_line(text), FULL_WIDTH_SPACE))


_KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fc\u30fb\u3000]+")


def _kana(text: str) -> str:
    converted = jaconv.hira2kata(jaconv.h2z(text, kana=True, ascii=False, digit=False))
    converted = _collapse_spaces(_one_line(converted), FULL_WIDTH_SPACE)
    if not _KATAKANA.fullmatch(converted):
        bad = sorted({c for c in converted if not _KATAKANA.fullmatch(c)})
        raise NormalizationError(f"kana may hold katakana only, found {''.join(bad)!r}")
    return converted


_DIGIT_SEPARATORS = re.compile(r"[\s\-‐−–ー－]")


def _digits(text: str, lengths: tuple[int, ...], what: str) -> str:
    compact = _DIGIT_SEPARATORS.sub("", _nfkc(text))
    if not compact.isascii() or not compact.isdigit():
        raise NormalizationError(f"{what} must be digits only, got {text!r}")
    if len(compact) not in lengths:
        expected = " or ".join(str(n) for n in lengths)
        raise NormalizationError(f"{what} must have {expected} digits, got {len(compact)}")
    return compact


def _my_number(text: str) -> str:
    return _digits(text, (12,), "個人番号")


def _corporate_number(text: str) -> str:
    return _digits(text, (13,), "法人番号")


def _number_any(text: str) -> str:
    return _digits(text, (12, 13), "個人番号又は法人番号")


_AMOUNT_PREFIX = re.compile(r"^[¥￥\\]")
_AMOUNT_SUFFIX = re.compile(r"円$")
#: Thousands separators as printed or misread: 「4.850,000」 is a Tesseract reading of 4,850,000.
_GROUP_SEPARATORS = re.compile(r"[,.、]")


def _amount(text: str) -> int:
    compact = re.sub(r"\s", "", _nfkc(text))
    compact = _AMOUNT_SUFFIX.sub("", _AMOUNT_PREFIX.sub("", compact))
    groups = _GROUP_SEPARATORS.split(compact)
    if not all(g.isascii() and g.isdigit() for g in groups):
        raise NormalizationError(f"an amount must be yen in digits (no sign), got {text!r}")
    # A separator must stand where a thousands separator can, counted from the right (a lost
    # one is harmless: "1,234000", "1872.884"); anything else, e.g. a decimal "1234.5", is not
    # read as yen.
    if len(groups) > 1 and any(len(g) % 3 for g in groups[1:]):
        raise NormalizationError(f"misplaced separator in amount {text!r}")
    return int("".join(groups))


def _integer(text: str, suffixes: tuple[str, ...], what: str) -> int:
    compact = re.sub(r"\s", "", _nfkc(text))
    for suffix in suffixes:
        compact = compact.removesuffix(suffix)
    if not compact.isascii() or not compact.isdigit():
        raise NormalizationError(f"{what} must be a whole number, got {text!r}")
    return int(compact)


def _in_range(value: int, low: int, high: int, what: str) -> int:
    if not low <= value <= high:
        raise NormalizationError(f"{what} must be {low}–{high}, got {value}")
    return value


def _count(text: str) -> int:
    return _integer(text, ("人",), "a count of persons")


_ERA_NAMES = {
    "明治": "明治",
    "大正": "大正",
    "昭和": "昭和",
    "平成": "平成",
    "令和": "令和",
    "明": "明治",
    "大": "大正",
    "昭": "昭和",
    "平": "平成",
    "令": "令和",
    "M": "明治",
    "T": "大正",
    "S": "昭和",
    "H": "平成",
    "R": "令和",
}


def _era(text: str) -> str:
    key = re.sub(r"[\s.．]", "", _nfkc(text)).upper()
    try:
        return _ERA_NAMES[key]
    except KeyError:
        raise NormalizationError(f"not a 元号 (明治/大正/昭和/平成/令和): {text!r}") from None


def _era_year(text: str) -> int:
    compact = re.sub(r"\s", "", _nfkc(text))
    for suffix in ("年分", "年度", "年"):
        compact = compact.removesuffix(suffix)
    if compact == "元":
        return 1
    return _in_range(_integer(compact, (), "an era year"), 1, 99, "an era year")


def _month(text: str) -> int:
    return _in_range(_integer(text, ("月",), "a month"), 1, 12, "a month")


def _day(text: str) -> int:
    return _in_range(_integer(text, ("日",), "a day"), 1, 31, "a day")


#: Marks a person or a printer leaves in a box; a tick often reads as "v" or "√".
_TICKED = frozenset(
    {
        "*",
        "√",
        "v",
        "＊",
        "※",
        "○",
        "◯",
        "〇",
        "●",
        "✓",
        "✔",
        "レ",
        "x",
        "×",
        "✕",
        "☑",
        "■",
        "1",
        "true",
        "yes",
    }
)
_UNTICKED = frozenset({"0", "false", "no", "無", "なし"})
#: An empty printed box read by OCR is no mark at all.
_EMPTY_BOX = frozenset({"□", "☐"})


def _checkbox(text: str) -> bool | None:
    key = text.strip().lower()
    if key in _EMPTY_BOX:
        return None
    if key in _TICKED or _nfkc(key) in _TICKED:
        return True
    if key in _UNTICKED or _nfkc(key) in _UNTICKED:
        return False
    raise NormalizationError(f"not a checkbox mark: {text!r}")


_PHONE = re.compile(r"\+?[0-9]+(-[0-9]+)*")


def _phone(text: str) -> str:
    compact = re.sub(r"\s", "", _nfkc(text))
    compact = re.sub(r"[‐−–ー－]", "-", compact)
    # 「03(5321)1111」 is the usual written form of 03-5321-1111.
    compact = re.sub(r"^(\d+)\((\d+)\)(\d+)$", r"\1-\2-\3", compact)
    if not _PHONE.fullmatch(compact):
        raise NormalizationError(f"a phone number holds digits and hyphens only, got {text!r}")
    return compact


def _code(text: str) -> str:
    compact = re.sub(r"\s", "", _nfkc(text))
    if not compact.isascii() or not compact.isprintable():
        raise NormalizationError(f"a code must be half-width characters, got {text!r}")
    return compact


def _free_text(text: str) -> str:
    # The record writes free text full-width: spaces and line breaks become one 全角 space.
    lines = [
        _collapse_spaces(line, FULL_WIDTH_SPACE)
        for line in text.translate(_JIS_CODE_POINTS).splitlines()
    ]
    return FULL_WIDTH_SPACE.join(line for line in lines if line)


_NORMALIZERS: dict[str, Callable[[str], Value]] = {
    "text": _text,
    "address": _address,
    "name": _name,
    "kana": _kana,
    "my_number": _my_number,
    "corporate_number": _corporate_number,
    "number_any": _number_any,
    "amount": _amount,
    "count": _count,
    "era": _era,
    "era_year": _era_year,
    "month": _month,
    "day": _day,
    "checkbox": _checkbox,
    "phone": _phone,
    "code": _code,
    "free_text": _free_text,
}

FIELD_TYPES = frozenset(_NORMALIZERS)


def normalize(field_type: str, text: str | None) -> Value:
    """The normalized value of ``text`` for a field of ``field_type``; ``None`` when empty.

    Raises :class:`NormalizationError` when the text cannot be such a value, and ``KeyError``
    for an unknown field type (a programming error, not bad input).
    """
    normalizer = _NORMALIZERS[field_type]
    if text is None or not text.strip():
        return None
    value = normalizer(text)
    # Control characters alone (line separators OCR may emit) leave nothing behind.
    return None if value == "" else value
