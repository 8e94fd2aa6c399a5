"""How each field type is read: which characters it may hold and how its ink is laid out."""

from __future__ import annotations

import string
from dataclasses import dataclass

DIGITS = string.digits
#: Punctuation a digit field may not hold but the recogniser must be free to see: masked
#: out, a printed comma or stray dash would be decoded as the likeliest digit instead, and
#: the wrong value would look certain. Kept in, it makes normalization fail (review).
_GUARD = ",.-/"
_KATAKANA = "".join(chr(c) for c in range(0x30A1, 0x30F7)) + "ー"
_HIRAGANA = "".join(chr(c) for c in range(0x3041, 0x3097))
#: On the slips the era is printed as text: an abbreviation or the full name.
_ERA_CHARS = "明大昭平令治正和成"


@dataclass(frozen=True)
class TypeRule:
    """Reading rule for one field type."""

    #: Characters the recogniser may output (None: anything in its dictionary).
    charset: str | None
    #: Text may run over several lines (split by rows of ink, joined in reading order).
    multiline: bool = False
    #: A gap wider than this many line heights is a space (full-width in the value);
    #: None: gaps are not spaces.
    space_gap: float | None = None
    #: Digits-like values a second engine can check independently.
    second_opinion: bool = False


RULES: dict[str, TypeRule] = {
    "amount": TypeRule(DIGITS + _GUARD, second_opinion=True),
    "count": TypeRule(DIGITS + _GUARD, second_opinion=True),
    "era_year": TypeRule(DIGITS + _GUARD + "元", second_opinion=True),
    "month": TypeRule(DIGITS + _GUARD, second_opinion=True),
    "day": TypeRule(DIGITS + _GUARD, second_opinion=True),
    "my_number": TypeRule(DIGITS + _GUARD, second_opinion=True),
    "corporate_number": TypeRule(DIGITS + _GUARD, second_opinion=True),
    "number_any": TypeRule(DIGITS + _GUARD, second_opinion=True),
    "phone": TypeRule(DIGITS + _GUARD + "()", second_opinion=True),
    "code": TypeRule(DIGITS + string.ascii_uppercase + "-", second_opinion=True),
    "era": TypeRule(_ERA_CHARS),
    "kana": TypeRule(_KATAKANA + _HIRAGANA, space_gap=0.6),
    "name": TypeRule(None, space_gap=0.6),
    "address": TypeRule(None, multiline=True, space_gap=0.8),
    "text": TypeRule(None, space_gap=0.8),
    "free_text": TypeRule(None, multiline=True, space_gap=0.8),
}

#: Types decided from ink alone, never sent to a recogniser.
INK_ONLY_TYPES = frozenset({"checkbox"})
