"""The dictionary's check of words read (SudachiDict, the real one): the engine's next guess
taken where it makes far likelier Japanese."""

from __future__ import annotations

from ocr.engines.base import OcrWord
from ocr.read_spelling import MIN_GUESS, likelier_spelling, spelling_cost


def _read(text: str, guesses: dict[int, tuple[tuple[str, float], ...]]) -> list[OcrWord]:
    return [
        OcrWord(ch, (0, 0, 1, 1), 0.9, guesses.get(n, ()))
        for n, ch in enumerate(c for c in text if not c.isspace())
    ]


def test_a_word_the_dictionary_knows_is_likelier() -> None:
    assert spelling_cost("東和共済組合") < spelling_cost("束和共済組合")
    assert spelling_cost("老齢基礎年金") < spelling_cost("老齢基礎午金")


def test_the_next_guess_that_makes_a_known_word_is_taken() -> None:
    text = "老齢基礎午金"
    read = _read(text, {4: (("年", 0.449), ("仟", 0.009))})
    assert likelier_spelling(text, read) == "老齢基礎年金"


def test_several_characters_are_put_right_one_after_another() -> None:
    text = "合和６年１０月２８口就職"
    read = _read(text, {0: (("令", 0.392),), 9: (("日", 0.341),)})
    assert likelier_spelling(text, read) == "令和６年１０月２８日就職"


def test_white_space_is_kept_and_skipped_when_lining_up_the_characters() -> None:
    text = "老齢基礎午金\n老齢厚生年金"
    read = _read(text, {4: (("年", 0.449),)})
    assert likelier_spelling(text, read) == "老齢基礎年金\n老齢厚生年金"


def test_a_guess_the_engine_hardly_saw_or_a_fixed_position_changes_nothing() -> None:
    text = "老齢基礎午金"
    faint = _read(text, {4: (("年", MIN_GUESS / 2),)})
    assert likelier_spelling(text, faint) == text
    seen = _read(text, {4: (("年", 0.449),)})
    assert likelier_spelling(text, seen, fixed=frozenset({4})) == text


def test_a_right_reading_is_not_made_into_another_word() -> None:
    # 技師 read right, the engine's next guess 技帥 makes nothing likelier.
    text = "技師"
    assert likelier_spelling(text, _read(text, {1: (("帥", 0.2),)})) == text


def test_a_text_tidied_to_another_length_is_left_alone() -> None:
    read = _read("老齢基礎午金", {4: (("年", 0.449),)})
    assert likelier_spelling("老齢基礎午金です", read) == "老齢基礎午金です"


def test_only_kanji_and_kana_are_swapped() -> None:
    # The dictionary likes 一 better than a dash between two numbers; the dash stays.
    text = "日吉本町２－１２－２２"
    read = _read(text, {5: (("一", 0.3),), 4: (("Ｚ", 0.3),)})
    assert spelling_cost("日吉本町２一１２－２２") < spelling_cost(text)
    assert likelier_spelling(text, read) == text
