"""個人番号 and 法人番号 check digits (spec §4), by python-stdnum rather than by hand."""

from __future__ import annotations

from stdnum.exceptions import ValidationError
from stdnum.jp import cn, in_


def is_valid_my_number(value: str) -> bool:
    """True for 12 half-width digits whose last digit is the mod-11 check digit."""
    return bool(in_.is_valid(value)) and value.isascii() and value.isdigit()


def is_valid_corporate_number(value: str) -> bool:
    """True for 13 half-width digits whose first digit is the mod-9 check digit."""
    return bool(cn.is_valid(value)) and value.isascii() and value.isdigit()


def is_valid_number_any(value: str) -> bool:
    """個人番号又は法人番号: valid as the one its length says (12 or 13 digits)."""
    if len(value) == 12:
        return is_valid_my_number(value)
    return is_valid_corporate_number(value)


def my_number_check_digit(base: str) -> str:
    """The check digit that completes the 11-digit base of a 個人番号."""
    return str(in_.calc_check_digit(base))


def corporate_number_check_digit(base: str) -> str:
    """The check digit that goes in front of the 12-digit base of a 法人番号."""
    return str(cn.calc_check_digit(base))


def problem_with(field_type: str, value: str) -> str | None:
    """Why ``value`` is not a valid number of ``field_type`` (English), or None when it is."""
    module = {"my_number": in_, "corporate_number": cn}.get(field_type)
    if module is None:
        if field_type != "number_any":
            raise KeyError(field_type)
        module = in_ if len(value) == 12 else cn
    if not (value.isascii() and value.isdigit()):
        return "not half-width digits only"
    try:
        module.validate(value)
    except ValidationError as exc:
        return str(exc)
    return None


#: Field types whose last (or first) digit checks the others.
CHECK_DIGIT_TYPES = frozenset({"my_number", "corporate_number", "number_any"})


def fails_check_digit(field_type: str, value: object) -> bool:
    """Whether ``value``, read for a field of ``field_type``, is a number of a checked type
    that cannot exist (validation sends such a value to review, always)."""
    if field_type not in CHECK_DIGIT_TYPES or not isinstance(value, str):
        return False
    return problem_with(field_type, value) is not None


def is_valid_municipality_code(value: str) -> bool:
    """全国地方公共団体コード, 6-digit form: 5 digits and a mod-11 check digit (weights 6–2).

    python-stdnum has no such module. 130001 (東京都) and 132080 (調布市) are valid.
    """
    if not (len(value) == 6 and value.isascii() and value.isdigit()):
        return False
    remainder = sum(int(d) * w for d, w in zip(value[:5], (6, 5, 4, 3, 2), strict=True)) % 11
    return (11 - remainder) % 10 == int(value[5])
