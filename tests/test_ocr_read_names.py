"""A name and its フリガナ checked against each other through a dictionary of readings."""

from __future__ import annotations

import pytest

from ocr.read_names import (
    NameMatch,
    NameReadings,
    match_name,
    repair_reading,
    respell,
    sudachi_readings,
)

#: A small dictionary in the shape of SudachiDict's: every reading of a word it lists.
LISTED = {
    "近藤": ["コンドウ"],
    "千尋": ["チヒロ", "センジン"],
    "山崎": ["ヤマザキ", "ヤマサキ"],
    "龍之介": ["リュウノスケ"],
    "清水": ["シミズ", "セイスイ"],
    "杏": ["アン", "アンズ"],
    "石井": ["イシイ"],
    "朝陽": ["アサヒ"],
    "藤原": ["フジワラ"],
    "陽菜": ["ハルナ"],
    "陽": ["ヨウ", "ヒ"],
    "菜": ["ナ", "サイ"],
    "田村": ["タムラ"],
    "山村": ["ヤマムラ"],
    "蓮": ["レン", "ハス"],
    "竹内": ["タケウチ"],
    "後藤": ["ゴトウ"],
    "翔太": ["ショウタ"],
    "斉藤": ["サイトウ"],
    "斎藤": ["サイトウ"],
    "実": ["ミノル", "マコト"],
    "健一": ["ケンイチ"],
    "伊藤": ["イトウ"],
    "大樹": ["ダイキ", "タイキ", "ヒロキ"],
    "舞": ["マイ", "マウ"],
    "乃": ["ノ"],
    "愛": ["アイ"],
}
READINGS = NameReadings(lambda word: LISTED.get(word, []))
SPACE = "\u3000"


def test_a_reading_read_exactly_and_unambiguously_is_certain() -> None:
    assert match_name("清水　杏", "シミズ　アン", READINGS) == NameMatch(
        "清水　杏", "シミズ　アン", certain=True
    )


@pytest.mark.parametrize(
    ("kana", "placed"),
    [
        ("シミズアン", "シミズ　アン"),  # the half-width space was not seen
        ("シミ　ズアン", "シミズ　アン"),  # ... or seen a character off
    ],
)
def test_the_space_of_the_reading_follows_the_name(kana: str, placed: str) -> None:
    match = match_name("清水　杏", kana, READINGS)
    assert match is not None and match.kana == placed and match.certain


def test_a_dropped_voiced_mark_is_restored_when_only_one_reading_fits() -> None:
    # ｺﾝﾄﾞｳ read コント and ウ: the voiced mark lost, the space a character off.
    match = match_name("近藤　千尋", "コント　ウチヒロ", READINGS)
    assert match == NameMatch("近藤　千尋", "コンドウ　チヒロ", certain=False)


def test_a_reading_that_may_have_lost_a_dakuten_is_not_certain() -> None:
    # 山崎 is ヤマザキ or ヤマサキ: a dakuten dropped in print leaves another valid reading ...
    match = match_name("山崎　龍之介", "ヤマサキ　リュウノスケ", READINGS)
    assert match is not None and match.kana == "ヤマサキ　リュウノスケ"
    assert not match.certain
    # ... but print does not grow one: ヤマザキ read is ヤマザキ written.
    voiced = match_name("山崎　龍之介", "ヤマザキ　リュウノスケ", READINGS)
    assert voiced is not None and voiced.certain
    # The reading the lost mark would make is named, for the ink to decide.
    assert match.voicings == ("ヤマザキ　リュウノスケ",)
    assert voiced.voicings == ()


def test_a_reading_needing_a_guess_between_voicings_is_no_match() -> None:
    # ヤマサギ is no reading of 山崎; voicing aside it fits two (ヤマサキ, ヤマザキ).
    assert match_name("山崎　龍之介", "ヤマサギ　リュウノスケ", READINGS) is None


def test_a_misread_name_does_not_match_its_reading() -> None:
    assert match_name("山村　蓮", "タムラ　レン", READINGS) is None


def test_a_misread_reading_does_not_match_its_name() -> None:
    assert match_name("竹内　トメ", "タ　ウチトメ", READINGS) is None


@pytest.mark.parametrize(
    ("name", "kana", "certain"),
    [
        ("竹内　トメ", "タケウチ　トメ", False),  # the reading's own glyphs, misread alike
        ("竹内　きよ", "タケウチ　キヨ", False),  # either script reads キヨ as キョ
        ("竹内　さぶろう", "タケウチ　サブロウ", False),  # either may lose the dakuten
        ("竹内　さくら", "タケウチ　サクラ", True),  # two scripts, nothing to confuse alike
    ],
)
def test_a_name_written_in_kana_reads_as_written_certain_only_where_not_misread_alike(
    name: str, kana: str, certain: bool
) -> None:
    match = match_name(name, kana, READINGS)
    assert match is not None and match.whole and match.certain is certain


def test_the_name_split_read_comes_first() -> None:
    # 井朝陽 is unlisted, so composed readings could split 石|井朝陽 as イシ|イアサヒ.
    match = match_name("石井　朝陽", "イシイ　アサヒ", READINGS)
    assert match is not None and match.name == "石井　朝陽"
    assert match.kana == "イシイ　アサヒ"


def test_a_name_part_read_character_by_character_when_its_listed_readings_fail() -> None:
    # 陽菜 is listed as ハルナ only; ヒ + ナ composes ヒナ, which no dictionary vouches for.
    match = match_name("藤原　陽菜", "フジワラ　ヒナ", READINGS)
    assert match is not None and match.kana == "フジワラ　ヒナ" and not match.certain


def test_a_given_name_the_dictionary_does_not_know_still_places_the_space() -> None:
    # 陽翔 (ハルト) is neither listed nor composed from 陽 and 翔's readings.
    match = match_name("近藤　陽翔", "コント　ウハルト", READINGS)
    assert match == NameMatch("近藤　陽翔", "コンドウ　ハルト", certain=False, whole=False)
    # The reading must hold more than the family name, and start with it.
    assert match_name("近藤　陽翔", "コンドウ", READINGS) is None
    assert match_name("近藤　陽翔", "ハルト", READINGS) is None


def test_a_name_space_misread_is_moved_to_where_the_reading_splits() -> None:
    match = match_name("田　村蓮", "タムラ　レン", READINGS)
    assert match is not None and match.name == "田村　蓮"


@pytest.mark.parametrize(("name", "kana"), [("清", "キヨシ"), ("清水　杏", ""), ("", "アン")])
def test_nothing_to_compare_is_no_match(name: str, kana: str) -> None:
    assert match_name(name, kana, READINGS) is None


def test_the_packaged_dictionary_knows_common_names() -> None:
    readings = sudachi_readings()
    assert {"ヤマザキ", "ヤマサキ"} <= readings.of("山崎")
    assert "リュウノスケ" in readings.of("龍之介")
    match = match_name("五十嵐" + SPACE + "舞", "イガラシマイ", readings)
    assert match == NameMatch("五十嵐　舞", "イガラシ　マイ", certain=True)


def test_a_misread_name_character_is_put_right_from_the_engines_next_guess() -> None:
    # 後滕: the engine's second guess for 滕 was 藤, and 後藤 reads ゴトウ.
    guesses = [(), ("勝", "藤"), (), ()]
    match = respell("後滕　翔太", "ゴトウ　ショウタ", guesses, READINGS)
    assert match is not None and match.name == "後藤　翔太" and match.whole


def test_two_spellings_reading_alike_are_no_respelling() -> None:
    # 斉藤 and 斎藤 both read サイトウ: which one was written, only a person can tell.
    assert respell("卉藤　実", "サイトウ　ミノル", [("斉", "斎"), (), ()], READINGS) is None
    assert respell("卉藤　実", "サイトウ　ミノル", [("斉", "木"), (), ()], READINGS) is not None


def test_no_guess_fitting_the_reading_is_no_respelling() -> None:
    assert respell("後滕　翔太", "ゴトウ　ショウタ", [(), ("勝",), (), ()], READINGS) is None
    # Guesses that do not line up with the name's characters are not used at all.
    assert respell("後滕　翔太", "ゴトウ　ショウタ", [("藤",)], READINGS) is None


@pytest.mark.parametrize(
    ("name", "kana", "repaired"),
    [
        ("伊藤　健一", "イトウ　ケンチ", "イトウ　ケンイチ"),  # a kana dropped
        ("藤原　陽菜", "フプジワラ　ハルナ", "フジワラ　ハルナ"),  # one added
        ("田村　蓮", "タムウ　レン", "タムラ　レン"),  # one misread
        ("竹内　トメ", "タ　ウチトメ", "タケウチ　トメ"),  # the space follows the name's
        ("山崎　大樹", "ヤマザキ　ダイ", "ヤマザキ　ダイキ"),
    ],
)
def test_a_reading_a_character_off_the_names_only_near_reading_is_repaired(
    name: str, kana: str, repaired: str
) -> None:
    match = repair_reading(name, kana, READINGS)
    assert match is not None and match.kana == repaired and not match.certain


@pytest.mark.parametrize(
    ("name", "kana"),
    [
        ("石井　舞", "イシイ　マ"),  # マイ and マウ are as near: no telling
        ("山崎　大樹", "ヤマザキ　ダイキ"),  # nothing to repair
        ("伊藤　健一", "イトウ　ケン"),  # two off
        ("後藤　翔太", "サイトウ　ショウタ"),  # as near another name: a misread name?
        ("後藤　乃愛", "ゴトウ　ノア"),  # 乃愛 unlisted: ノ+アイ is no reading to go by
    ],
)
def test_no_reading_or_two_equally_near_is_no_repair(name: str, kana: str) -> None:
    assert repair_reading(name, kana, READINGS) is None
