"""Boxes whose values come from a short list in practice: 種別 on the 給与支払報告書.

A reading one character off a listed value (給与 read 哈与, the side of the box through
its 糸) is put right to it, in review; a reading neither listed nor that close goes to
review as read: 鈴与・賞与 reads like Japanese (鈴与 is a company), but no slip pays it.
"""

from __future__ import annotations

#: The values written in practice, the most common first. 種別: the eLTAX layout's examples
#: (「給料」「給与・賞与」) and the other names payroll software prints for kinds of pay.
KNOWN_VALUES: dict[str, tuple[str, ...]] = {
    "payment_kind": (
        "給料・賞与",
        "給与・賞与",
        "給料",
        "給与",
        "賞与",
        "給料・手当",
        "給料・手当・賞与",
        "役員報酬",
        "俸給",
        "賃金",
        "報酬",
        "歳費",
    ),
}


def settle_known(field_name: str, text: str) -> tuple[str, str | None]:
    """``text`` as a listed value of ``field_name`` and why it is in doubt: None (listed,
    or the field has no list), "respelled" (put right from one character off a listed
    value, the most common where several are: 哈与 is 給与 or 賞与) or "unusual" (not
    listed)."""
    known = KNOWN_VALUES.get(field_name)
    if known is None or not text or text in known:
        return text, None
    close = next((value for value in known if _one_off(value, text)), None)
    if close is not None:
        return close, "respelled"
    return text, "unusual"


def _one_off(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1
