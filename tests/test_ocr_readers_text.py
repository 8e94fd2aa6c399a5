"""The pure parts of field reading: look-alike fixes, name spacing, line and gap finding."""

from __future__ import annotations

import numpy as np
import pytest

from ocr.engines.base import OcrWord
from ocr.read_ink import name_spans, runs, text_lines
from ocr.read_spacing import ink_unread, name_space
from ocr.read_text import may_be_variant, same_in_value, tidy


@pytest.mark.parametrize(
    ("field_type", "raw", "tidied"),
    [
        (
            "address",
            "シャト－弐番館２－７－２４",
            "シャトー弐番館２－７－２４",
        ),  # ー after katakana only
        ("text", "アルバイ卜", "アルバイト"),
        ("name", "口イヤル", "ロイヤル"),
        ("name", "山口", "山口"),  # no katakana next to it: stays a kanji
        ("address", "本町３丁日", "本町３丁目"),
        ("address", "新富町五１Ｈ２７番１２号", "新富町五丁目２７番１２号"),  # 丁 lost its bar
        ("address", "北白川５１日２８－１２", "北白川５丁目２８－１２"),
        ("address", "新富町五目３番２２号", "新富町五丁目３番２２号"),  # 丁 too faint to read
        ("address", "五目並べ３番", "五目並べ３番"),  # a 目 not between numbers stays
        ("address", "四日市市本町２１－３", "四日市市本町２１－３"),
        ("address", "呉服町工丁目５番工３号", "呉服町２丁目５番２３号"),  # a brush-written 2
        ("address", "栄工丁目工７番工４号", "栄２丁目２７番２４号"),
        ("address", "新市街五丁目工番了号", "新市街五丁目２番７号"),
        ("address", "ロイヤル荘第工１０５号室", "ロイヤル荘第２１０５号室"),
        ("address", "ロイヤル壮弐番館６０１", "ロイヤル荘弐番館６０１"),  # 荘 faded to 壮
        ("address", "北海道有珠郡壮瞥町", "北海道有珠郡壮瞥町"),  # a place's 壮 stays
        ("address", "工業団地第１工区１５番", "工業団地第１工区１５番"),  # a place's 工 stays
        ("kana", "タﾞイキ", "ダイキ"),  # a voiced mark read on its own joins its kana
        ("kana", "ﾀﾞｲｷ", "ﾀﾞｲｷ"),  # half-width stays for normalization to convert
        ("kana", "コント”ウ", "コンドウ"),  # ﾄﾞ stretched reads as ト and a closing quote
        ("kana", "タカギ”", "タカギ"),  # ﾀｶｷﾞ: the one mark read in ギ and beside it
        ("kana", "ア”", "ア\u3099"),  # no voiced ア: left for normalization to refuse
        ("free_text", "保険料28,600円", "保険料２８，６００円"),
        ("amount", "1-000", "1-000"),  # digit types are never touched
        ("phone", "03-88242551", "03-8824-2551"),  # the hyphen a fax thinned away
        ("phone", "090-12345678", "090-1234-5678"),
        ("phone", "03-8824-2551", "03-8824-2551"),
        ("phone", "0388242551", "0388242551"),  # no hyphen written: as read
        ("phone", "038824-2551", "038824-2551"),  # where the area code ends is unknown
        ("phone", "03-882425511", "03-882425511"),  # a digit too many: not a number
        ("phone", "1079-241-6396", "079-241-6396"),  # a stamp's ring read as 1 before it
        ("phone", "110", "110"),
        ("phone", "1079-241-639", "1079-241-639"),  # nine digits without the 1: as read
        ("text", "學生", "学生"),  # old character forms: modern outside names ...
        ("address", "１０５號室", "１０５号室"),
        ("name", "渡邉　實", "渡邉　實"),  # ... names keep theirs
        ("name", "イｉ井　朝陽", "石井　朝陽"),  # 石 as read in a Mincho face
        ("name", "ｉ田　杏", "石田　杏"),
        ("address", "東京都練馬区イｉ神井町４丁目", "東京都練馬区石神井町４丁目"),
        ("name", "株式会礼：明星電機", "株式会社明星電機"),  # no colon; one legal form off
        ("name", "朱式会社日進商事", "株式会社日進商事"),
        ("name", "日進商事株式会社", "日進商事株式会社"),
        ("name", "有限会社会社", "有限会社会社"),  # a legal form as read is left alone
        ("name", "合会社", "合会社"),  # too short to tell
        ("name", "新光企業年金基金１ｂ１", "新光企業年金基金"),  # a stamp's strokes after it
        ("name", "新光企業年金基金\u30001b1", "新光企業年金基金"),
        ("name", "新光企業年金基金（ｂ１", "新光企業年金基金"),  # a ring's arc read as a bracket
        ("name", "株式会社（本社）", "株式会社（本社）"),  # words after it are not strokes
        ("name", "株式会社ＡＢＣ", "株式会社ＡＢＣ"),  # a name after the form is the name
    ],
)
def test_tidy(field_type: str, raw: str, tidied: str) -> None:
    assert tidy(field_type, raw) == tidied


def _words(centres: list[float], width: float = 8) -> list[OcrWord]:
    return [OcrWord("ア", (round(c - width / 2), 0, round(width), 30), 0.99) for c in centres]


def test_name_space_by_pitch_finds_a_half_width_space() -> None:
    # ｲｼｶﾜ ﾀｸﾔ: pitch 12 px, the space adds one more.
    at, certainty = name_space(_words([6, 18, 30, 42, 66, 78, 90]), ink_height=20)
    assert at == 4
    assert certainty == 1.0


def test_name_space_by_pitch_leaves_a_name_without_space() -> None:
    at, certainty = name_space(_words([15, 45, 75, 105]), ink_height=28)
    assert at is None
    assert certainty == 1.0


def test_name_space_between_two_characters_uses_the_ink_height() -> None:
    assert name_space(_words([15, 80]), ink_height=28)[0] == 1  # 林　蓮
    assert name_space(_words([15, 46]), ink_height=28)[0] is None  # 林蓮


def test_name_space_near_the_decision_is_uncertain() -> None:
    _, certainty = name_space(_words([0, 10, 20, 30, 44.5, 54.5]), ink_height=10)
    assert certainty < 0.5


def _ink(columns: list[tuple[int, int]], rows: tuple[int, int] = (5, 25)) -> np.ndarray:
    ink = np.zeros((30, 200), dtype=bool)
    for x0, x1 in columns:
        ink[rows[0] : rows[1], x0:x1] = True
    return ink


def test_name_spans_split_at_the_one_wide_gap() -> None:
    ink = _ink([(0, 18), (22, 40), (70, 88), (92, 110)])
    assert name_spans(ink, height=20) == [(0, 40), (70, 110)]


def test_name_spans_keep_evenly_spaced_characters_together() -> None:
    ink = _ink([(0, 18), (26, 44), (52, 70), (78, 96)])
    assert name_spans(ink, height=20) == [(0, 96)]


def test_runs_join_small_gaps() -> None:
    profile = np.array([0, 1, 1, 0, 1, 0, 0, 0, 1])
    assert runs(profile) == [(1, 3), (4, 5), (8, 9)]
    assert runs(profile, min_gap=2) == [(1, 5), (8, 9)]


def test_text_lines_keep_a_line_with_a_gap_inside_together() -> None:
    ink = np.zeros((100, 100), dtype=bool)
    ink[10:18, 30:50] = True  # a line holding only 二: upper stroke ...
    ink[24:30, 30:50] = True  # ... and lower stroke, a blank band between
    ink[60:80, 5:25] = True  # the second line, one full-height character
    assert text_lines(ink) == [(10, 30), (60, 80)]


@pytest.mark.parametrize(
    ("field_type", "text", "doubt"),
    [
        ("name", "山崎\u3000大樹", False),  # 崎/﨑 and 高/髙: ocr.read_glyphs decides
        ("name", "山田\u3000大樹", False),
        ("name", "野口\u3000美穗", True),  # 美穂 as often as 美穗
        ("name", "野口\u3000美穂", False),
        ("name", "德田\u3000実", True),  # 徳 is read 德
        ("name", "澤田\u3000太郎", False),  # 沢 is never read 澤
        ("name", "渡邊\u3000正義", True),  # 渡邉 in a brush hand is read 渡邊
        ("address", "宮崎県", False),
    ],
)
def test_a_name_read_with_an_old_form_is_in_doubt(field_type: str, text: str, doubt: bool) -> None:
    # The recogniser answers 穗 (Chinese, and the old Japanese form) for 穂: only a person
    # can tell.
    assert may_be_variant(field_type, text) is doubt


@pytest.mark.parametrize(
    ("field_type", "read", "written"),
    [
        ("free_text", "老齡厚生年金", "老齢厚生年金"),
        ("name", "瑞穗共済組合", "瑞穂共済組合"),
        ("name", "渡辺\u3000靜香", "渡辺\u3000静香"),
        ("name", "橫山\u3000昭二", "横山\u3000昭二"),  # 橫: 4 of 10 横山 are read so
        ("name", "渡邉\u3000澤子", "渡邉\u3000澤子"),  # old forms it reads as written stay
    ],
)
def test_chinese_forms_read_for_the_modern_form_become_it(
    field_type: str, read: str, written: str
) -> None:
    # The recogniser leans to the Chinese form where its dictionary has both (齡 for 齢).
    assert tidy(field_type, read) == written


@pytest.mark.parametrize(
    ("field_type", "a", "b", "same"),
    [
        ("address", "２", "2", True),  # width never counts
        ("address", "號", "号", True),  # old forms become modern outside names ...
        ("name", "澤", "沢", False),  # ... names keep theirs
        ("name", "穗", "穂", True),  # ... except those read for the modern form anyway
        ("address", "ー", "－", True),  # every dash of an address is the 番地 hyphen
        ("text", "ー", "－", False),
        ("kana", "ｶ", "カ", True),
        ("kana", "”", "ﾞ", True),  # the voiced mark, as read stretched
        ("kana", "”", " ", False),
        ("name", "”", "ﾞ", False),
        ("address", "１", "７", False),
        ("amount", "1", "1", False),  # digit types are never pooled
    ],
)
def test_characters_that_become_the_same_in_the_value(
    field_type: str, a: str, b: str, same: bool
) -> None:
    assert same_in_value(field_type, a, b) is same


def test_ink_running_on_past_the_last_character_read_is_unread() -> None:
    # ヒロシ read ヒロ: the シ's ink lies a pitch past the ロ.
    read = _words([15, 45])
    assert ink_unread(read, ink_height=28, ink_span=(0, 95))
    assert not ink_unread(read, ink_height=28, ink_span=(0, 62))
    assert ink_unread(read, ink_height=28, ink_span=(-35, 62))  # or before the first
    # Half-width, a voiced last character takes its mark's cell too (ﾀﾞ read as ダ).
    voiced = [*_words([6, 18, 30]), OcrWord("ダ", (38, 0, 8, 30), 0.99)]
    assert not ink_unread(voiced, ink_height=20, ink_span=(0, 60), half_width=True)
    assert ink_unread(voiced, ink_height=20, ink_span=(0, 72), half_width=True)
