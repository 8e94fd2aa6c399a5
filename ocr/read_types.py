"""How each field type is read: which characters it may hold and how its ink is laid out."""

from __future__ import annotations

import string
from dataclasses import dataclass

from ocr.read_text import VOICED_MARKS

DIGITS = string.digits
#: Punctuation a digit field may not hold but the recogniser must be free to see: masked
#: out, a printed comma or stray dash would be decoded as the likeliest digit instead, and
#: the wrong value would look certain. Kept in, it makes normalization fail (review).
_GUARD = ",.-/"
_KATAKANA = "".join(chr(c) for c in range(0x30A1, 0x30F7)) + "ー"
_HIRAGANA = "".join(chr(c) for c in range(0x3041, 0x3097))
#: Payroll software prints フリガナ in half-width katakana (ｲｼｶﾜ ﾀﾞｲｷ); normalization
#: turns them, voiced marks included, into full-width.
_HALF_WIDTH_KANA = "".join(chr(c) for c in range(0xFF66, 0xFFA0))


def _shift_jis_characters() -> str:
    """Every character the electronic record (Shift_JIS, cp932) can hold, but spaces.

    Masking free text to it keeps the recogniser from answering with simplified Chinese
    forms (宫 for 宮) or Latin look-alikes (· for ・) that could never be exported.
    """
    chars = []
    for code in range(0x21, 0x10000):
        ch = chr(code)
        if ch.isspace() or 0xD800 <= code < 0xE000 or not ch.isprintable():
            continue
        try:
            ch.encode("cp932")
        except UnicodeEncodeError:
            continue
        chars.append(ch)
    return "".join(chars)


#: Plus the middle dot the recogniser prefers for ・ (mapped back by read_text.tidy).
JAPANESE = _shift_jis_characters() + "·"
#: On the slips the era is printed as text: an abbreviation or the full name.
_ERA_CHARS = "明大昭平令治正和成"


@dataclass(frozen=True)
class TypeRule:
    """Reading rule for one field type."""

    #: Characters the recogniser may output (None: anything in its dictionary).
    charset: str | None
    #: Text may run over several lines (split by rows of ink, joined in reading order).
    multiline: bool = False
    #: How gaps in a line become spaces: "none", "name" (the one family/given-name gap,
    #: if any) or "words" (every gap about a character wide).
    spaces: str = "none"
    #: Digits-like values a second engine can check independently.
    second_opinion: bool = False
    #: Horizontal stretches to read the field at; the most certain reading wins.
    #: Half-width katakana, as payroll software prints フリガナ, are read far better
    #: stretched to full-width proportions.
    stretches: tuple[float, ...] = (1.0,)
    #: Stretches read only as alternatives, never taken for being surest: a name can
    #: confirm one (ｲﾉｳｴ condensed reads イノウエ at triple width only), but at triple width
    #: a separate voiced mark is often swallowed, surely (ﾔﾏｻﾞｷ read ヤマサキ).
    alternative_stretches: tuple[float, ...] = ()


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
    "kana": TypeRule(
        _KATAKANA + _HIRAGANA + _HALF_WIDTH_KANA + VOICED_MARKS,
        spaces="name",
        stretches=(1.0, 2.0),
        alternative_stretches=(3.0,),
    ),
    "name": TypeRule(JAPANESE, spaces="name"),
    "address": TypeRule(JAPANESE, multiline=True),
    "text": TypeRule(JAPANESE),
    "free_text": TypeRule(JAPANESE, multiline=True, spaces="words"),
}

#: Types decided from ink alone, never sent to a recogniser.
INK_ONLY_TYPES = frozenset({"checkbox"})
