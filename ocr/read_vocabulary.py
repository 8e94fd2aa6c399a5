"""Boxes whose values come from a list in practice: 種別 and 役職名 on the 給与支払報告書,
続柄 on the 申告書.

A reading one character off a listed value (給与 read 哈与, the side of the box through
its 糸) is put right to it, in review; a reading neither listed nor that close goes to
review as read: 鈴与・賞与 reads like Japanese (鈴与 is a company), but no slip pays it.
"""

from __future__ import annotations

from ocr.read_text import KANJI_LIKE_KATAKANA

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
    # 役職名: the titles companies print; a rarer one goes to review (技師 in a brush hand,
    # its 師 drawn in two parts, read 技師幣 with certainty).
    "recipient_title": (
        "社員",
        "部長",
        "課長",
        "係長",
        "主任",
        "次長",
        "取締役",
        "代表取締役",
        "店長",
        "工場長",
        "技師",
        "主査",
        "主事",
        "課長代理",
        "専務取締役",
        "常務取締役",
        "監査役",
        "執行役員",
        "支店長",
        "副店長",
        "所長",
        "室長",
        "班長",
        "職長",
        "技師長",
        "顧問",
        "相談役",
        "理事",
        "理事長",
        "嘱託",
        "契約社員",
        "パート",
        "アルバイト",
        "事務員",
        "作業員",
        "研究員",
    ),
}
#: 続柄: a household's relations to the person, as the 申告書 asks for them.
RELATIONS = (
    "本人",
    "妻",
    "夫",
    "子",
    "長男",
    "長女",
    "二男",
    "二女",
    "三男",
    "三女",
    "四男",
    "四女",
    "次男",
    "次女",
    "父",
    "母",
    "義父",
    "義母",
    "兄",
    "弟",
    "姉",
    "妹",
    "祖父",
    "祖母",
    "孫",
    "子の妻",
    "世帯主",
)
KNOWN_VALUES |= {
    name: RELATIONS
    for name in (
        "householder_relation",
        *(f"dependent_{n}_relation" for n in range(1, 5)),
    )
}


def settle_known(field_name: str, text: str) -> tuple[str, str | None]:
    """``text`` as a listed value of ``field_name`` and why it is in doubt: None (listed,
    or the field has no list), "respelled" (put right from one character off a listed
    value, the most common where several are: 哈与 is 給与 or 賞与) or "unusual" (not
    listed)."""
    known = KNOWN_VALUES.get(field_name)
    if known is None or not text or text in known:
        return text, None
    # A katakana drawn like a kanji (ニ男 for 二男) is the kanji the list holds.
    same = next((value for value in known if _drawn(value) == _drawn(text)), None)
    if same is not None:
        return same, None
    close = next((value for value in known if _one_off(value, text)), None)
    if close is not None:
        return close, "respelled"
    return text, "unusual"


def _one_off(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


_LOOKALIKES = str.maketrans(KANJI_LIKE_KATAKANA[1], KANJI_LIKE_KATAKANA[0])


def _drawn(text: str) -> str:
    return text.translate(_LOOKALIKES)
