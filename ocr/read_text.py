"""Context fixes for recognised Japanese text that the character set alone cannot make.

A recogniser reads one glyph at a time, and some katakana are drawn exactly like kanji or
punctuation: ロ/口, エ/工, カ/力, タ/夕, ト/卜, ニ/二, ハ/八, and the long-vowel mark ー
like a dash or 一. Which one was written is decided by its neighbours: next to katakana it
is katakana. These are unambiguous in the field types they apply to; anything else is left
to the corrector.
"""

from __future__ import annotations

import re
import unicodedata

import jaconv

from ocr.engines.variants import KANJI_LIKE_KATAKANA

_KATAKANA_LOOKALIKES = str.maketrans(*KANJI_LIKE_KATAKANA)
#: Marks drawn like the long-vowel mark ー when they follow katakana.
_DASHES = "-－‐―—一ｰ"
#: Everything an address's hyphen between two numbers is read as (all become －).
DASH_LIKE = frozenset(_DASHES + "ー_＿~〜")
_KATAKANA = r"[\u30a1-\u30fa\u30fcｦ-ﾟ]"
_LOOKALIKE = f"[{KANJI_LIKE_KATAKANA[0]}]"

_BEFORE_KATAKANA = re.compile(f"{_LOOKALIKE}(?={_KATAKANA})")
_AFTER_KATAKANA = re.compile(f"(?<={_KATAKANA}){_LOOKALIKE}")
_LONG_VOWEL = re.compile(f"(?<={_KATAKANA})[{_DASHES}]")

#: What a recogniser reads for the stand-alone voiced mark of half-width kana (ﾄﾞ): the mark
#: itself or, stretched, a closing quote.
VOICED_MARKS = 'ﾞ゛”"'
#: A full-width kana followed by a stand-alone voiced or semi-voiced mark.
_SPLIT_VOICING = re.compile(f"([\u3041-\u3096\u30a1-\u30fa])([{VOICED_MARKS}ﾟ゜])")
_COMBINING = {**dict.fromkeys(VOICED_MARKS, "\u3099"), "ﾟ": "\u309a", "゜": "\u309a"}

_DIGIT = "[0-9０-９]"
#: 丁目 read as letters (ＪＨ, Ｊ１, 丁Ｈ: no address holds a J) between its number and the
#: 番地; or, its hairline top bar lost in a faint scan, as １Ｈ or １日 (五１Ｈ２７番: no
#: address has a 日 or an H between two numbers), or as 目 alone, the rest of 丁 too faint
#: to read (五目３番: a 目 between two numbers is only ever 丁目's).
_CHOME_AS_LETTERS = re.compile(
    f"(?<=[0-9０-９一二三四五六七八九十])(?:[ＪJ丁][ＨH1１日目]|[1１][ＨH日]|目)(?={_DIGIT})"
)
_KANA_NUMERAL = re.compile("[ニー＿_](?=丁目)")
_ADDRESS_HYPHEN = re.compile(
    f"(?<={_DIGIT})[{''.join(map(re.escape, sorted(DASH_LIKE)))}]+(?={_DIGIT})"
)

_NUMBERED_BUILDING = re.compile("[式武](?=番館)")
#: A house named in katakana is a 荘 (ロイヤル荘); 壮, drawn alike but for 艹, is never
#: written after katakana in an address.
_KATAKANA_VILLA = re.compile(f"(?<={_KATAKANA})壮")
#: 石 as the recogniser reads it in a Mincho face: イｉ, ｌｉ or ｉ (石井 read イｉ井).
_ISHI = re.compile("[イｌl]?[ｉi](?=[\u4e00-\u9fff々])")
_WORD_END_TSU = re.compile(f"(?<={_KATAKANA})[ッｯ](?!{_KATAKANA})")

#: Old (旧字体) and Chinese character forms to the modern ones every non-name field is
#: written in.
#: Names keep theirs: 髙, 邉, 澤 are people's legal spelling.
_MODERN_FORMS = str.maketrans(
    "學號區縣會國體團處當豫實廣榮將從條藝舊醫繩霸冲",
    "学号区県会国体団処当予実広栄将従条芸旧医縄覇沖",
)
_MODERN_FORM_TYPES = frozenset({"address", "text", "free_text"})

#: Types kept full-width in the record whose normalization keeps the text as written.
_FULL_WIDTH_TYPES = frozenset({"text", "free_text"})

#: Legal-form words of the employers and pension payers named on the slips.
_LEGAL_FORMS = ("株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "共済組合", "年金基金")
#: Letters, digits and brackets read after a legal form that ends a company's name
#: (新光企業年金基金１ｂ１, 新光企業年金基金（ｂ１): a stamp's or a ruling's strokes, for nothing
#: follows the form there.
_AFTER_FINAL_LEGAL_FORM = re.compile(
    f"(.+(?:{'|'.join(_LEGAL_FORMS)}))\\s*[0-9A-Za-z０-９Ａ-Ｚａ-ｚ()（）\\[\\]［］|｜]+"
)
#: Punctuation no person's or company's name holds; the recogniser reads it into the
#: gap between a legal form and the name (有限会社：協和精工).
NOT_IN_NAMES = "：:；;"
_NOT_IN_NAMES = str.maketrans("", "", NOT_IN_NAMES)

#: Types whose text is Japanese prose or names.
JAPANESE_TYPES = frozenset({"name", "kana", "address", "text", "free_text"})


#: Old (旧字体) forms that are also the Chinese forms the recogniser was mostly trained on:
#: it answers them for the modern form too (瑞穂 read 瑞穗, 恵子 read 惠子), with full
#: confidence. A person's legal name may use either, so only a person can tell.
#: (髙 and 﨑, which it does not tell from 高 and 崎, are settled by their glyph instead:
#: :mod:`ocr.read_glyphs`.) Old forms drawn far from their modern form are not here: of 18
#: drawings each (9 print and handwriting fonts, 2 sizes), no 沢, 実, 浜, 広 or 桜 was read
#: 澤, 實, 濱, 廣 or 櫻, where 徳 was read 德 11 times and 瑞穂 瑞穗 9 times. 邊 and 邉 stay:
#: a brush-written 渡邉 is read 渡邊.
_OLD_FORMS_ALSO_CHINESE = frozenset("惠穗綠靜凜齡橫齋眞德黑邊邉")
#: Of those, the ones the recogniser answers for the modern form as a rule, whatever was
#: written (both forms are in its dictionary; it leans to the Chinese one). The modern form
#: is by far the commoner in Japanese names and the only one in other text, so it is the
#: value; a name holding one is still in review (:func:`may_be_variant` sees what was read).
_READ_FOR_MODERN = str.maketrans("惠穗綠靜凜齡橫", "恵穂緑静凛齢横")


def may_be_variant(field_type: str, text: str) -> bool:
    """Whether ``text`` holds a character that may stand for another form of itself in a
    person's name: an old form the recogniser also answers for the modern one."""
    return field_type == "name" and any(ch in _OLD_FORMS_ALSO_CHINESE for ch in text)


#: A telephone number read with its second hyphen lost (03-88242551): the number ends in
#: its four-digit subscriber number, and with its area code it is ten digits long (eleven
#: for a mobile's 090 and the like).
_PHONE_WITHOUT_LAST_HYPHEN = re.compile(r"(0\d{1,4})-(\d{1,4})(\d{4})")
#: A number written in three parts, its area code (or mobile prefix) starting with the
#: trunk 0, after a stray stroke read as 1 (a stamp's ring at its left: 1079-241-6396).
_PHONE_AFTER_STROKE = re.compile(r"[1l|](0\d{1,4}-\d{1,4}-\d{4})")
_ELEVEN_DIGIT_PREFIXES = ("050", "070", "080", "090")


def tidy(field_type: str, text: str) -> str:
    """``text`` with the look-alike fixes that apply to ``field_type``."""
    if field_type == "phone":
        return _tidy_phone(text)
    if field_type not in JAPANESE_TYPES:
        return text
    text = text.replace("·", "・")
    # Twice: a fixed character can make its neighbour's context (ロイヤル after 口).
    for _ in range(2):
        text = _LONG_VOWEL.sub("ー", text)
        text = _BEFORE_KATAKANA.sub(lambda m: m.group().translate(_KATAKANA_LOOKALIKES), text)
        text = _AFTER_KATAKANA.sub(lambda m: m.group().translate(_KATAKANA_LOOKALIKES), text)
    if field_type == "kana":
        # A voiced mark read on its own (ﾀﾞ stretched reads as タ then ﾞ) joins its kana.
        text = _SPLIT_VOICING.sub(_voiced, text)
    if field_type in ("name", "address"):
        # No name or place holds a Latin i before a kanji.
        text = _ISHI.sub("石", text)
    if field_type == "name":
        text = _legal_form(text.translate(_NOT_IN_NAMES))
        if cut := _AFTER_FINAL_LEGAL_FORM.fullmatch(text):
            text = cut.group(1)
    if field_type in _FULL_WIDTH_TYPES:
        # Print shows no width: ２８，６００ and 28,600 look alike. These types are
        # full-width in the record, so that is how they are read.
        text = jaconv.h2z(text, kana=True, ascii=True, digit=True)
    if field_type in _MODERN_FORM_TYPES:
        # The recogniser was trained mostly on Chinese text and often answers with the old
        # form (學 for 学); outside names only the modern form is written.
        text = text.translate(_MODERN_FORMS)
    text = text.translate(_READ_FOR_MODERN)
    if field_type == "address":
        # 丁目 is the only reading of 「丁日」, and of 「ＪＨ」 or 「Ｊ１」 after a number.
        text = text.replace("丁日", "丁目")
        text = _CHOME_AS_LETTERS.sub("丁目", text)
        # Before 丁目 stands a number: katakana ニ and the long-vowel mark are 二 and 一.
        text = _KANA_NUMERAL.sub(lambda m: "二" if m.group() == "ニ" else "一", text)
        # Between digits every dash-like mark is the hyphen of a 番地 (２－７－２４).
        text = _ADDRESS_HYPHEN.sub("－", text)
        # A building's number: 式 and 武 are drawn like 弐 and never precede 番 (弐番館).
        text = _NUMBERED_BUILDING.sub("弐", text)
        text = _KATAKANA_VILLA.sub("荘", text)
        # A small ッ cannot end a katakana word (ハイッ１０３ is ハイツ).
        text = _WORD_END_TSU.sub("ツ", text)
        text = _numbers_in_address(text)
    return text


#: What a brush-written digit is read as where an address can only hold a number.
_DIGIT_LOOKALIKES = {"工": "２", "ユ": "２", "乙": "２", "了": "７"}
#: An address number follows a digit, 番, 第 (第２１０５号室), a hyphen or 丁目 ...
_NUMBER_BEFORE = frozenset("0123456789０１２３４５６７８９番第－")
#: ... and comes before a digit, 番, 号 or a hyphen.
_NUMBER_AFTER = frozenset("0123456789０１２３４５６７８９番号－")


def _numbers_in_address(text: str) -> str:
    """``text`` with each look-alike of a digit made that digit where the address holds a
    number there: before 丁目, or between a number's neighbours (呉服町工丁目５番工３号 is
    呉服町２丁目５番２３号; 第１工区 and 工業 keep their 工)."""
    chars = list(text)
    for i, ch in enumerate(chars):
        digit = _DIGIT_LOOKALIKES.get(ch)
        if digit is None:
            continue
        before = text[max(0, i - 2) : i]
        after = text[i + 1 : i + 3]
        if after == "丁目" or (
            (before[-1:] in _NUMBER_BEFORE or before == "丁目") and after[:1] in _NUMBER_AFTER
        ):
            chars[i] = digit
    return "".join(chars)


def same_in_value(field_type: str, a: str, b: str) -> bool:
    """Whether characters ``a`` and ``b`` read in a field of ``field_type`` end up as the
    same character of its value: width (２, 2; ｶ, カ) never counts, old forms do not count
    outside names (nor, in names, the ones read for the modern form), and in an address
    every dash is the 番地 hyphen."""
    if field_type not in JAPANESE_TYPES:
        return False
    a, b = unicodedata.normalize("NFKC", a), unicodedata.normalize("NFKC", b)
    if field_type in _MODERN_FORM_TYPES:
        a, b = a.translate(_MODERN_FORMS), b.translate(_MODERN_FORMS)
    a, b = a.translate(_READ_FOR_MODERN), b.translate(_READ_FOR_MODERN)
    if field_type == "address" and a in DASH_LIKE and b in DASH_LIKE:
        return True
    if field_type == "kana" and a in _NFKC_VOICED_MARKS and b in _NFKC_VOICED_MARKS:
        return True
    return a == b


_NFKC_VOICED_MARKS = frozenset(unicodedata.normalize("NFKC", mark) for mark in VOICED_MARKS)


def legal_forms(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds a legal form (株式会社 …): (start, end) of each."""
    found = []
    for form in _LEGAL_FORMS:
        at = text.find(form)
        while at >= 0:
            found.append((at, at + len(form)))
            at = text.find(form, at + 1)
    return sorted(found)


def _legal_form(text: str) -> str:
    """A legal form with one character misread put right (株式会礼 → 株式会社), where the
    name holds no legal form as it is."""
    if legal_forms(text):
        return text
    for at in range(len(text) - 3):
        window = text[at : at + 4]
        near = [f for f in _LEGAL_FORMS if sum(a != b for a, b in zip(f, window, strict=True)) == 1]
        if len(near) == 1:
            return text[:at] + near[0] + text[at + 4 :]
    return text


def _voiced(match: re.Match[str]) -> str:
    kana, mark = match.group(1), _COMBINING[match.group(2)]
    if unicodedata.normalize("NFD", kana)[1:] == mark:
        return kana  # ﾀｶｷﾞ read タカギ” : the one mark read twice, in the kana and beside it
    return unicodedata.normalize("NFC", kana + mark)


def _tidy_phone(text: str) -> str:
    """A telephone number with the hyphen before its subscriber number put back where
    only that one was lost, or without the stray stroke read before it; else as read."""
    after_stroke = _PHONE_AFTER_STROKE.fullmatch(text)
    if after_stroke is not None and _digit_count(after_stroke.group(1)) in (10, 11):
        return after_stroke.group(1)
    found = _PHONE_WITHOUT_LAST_HYPHEN.fullmatch(text)
    if found is None:
        return text
    area, local, subscriber = found.groups()
    length = 11 if area in _ELEVEN_DIGIT_PREFIXES else 10
    if len(area) + len(local) + len(subscriber) != length:
        return text
    return f"{area}-{local}-{subscriber}"


def _digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)
