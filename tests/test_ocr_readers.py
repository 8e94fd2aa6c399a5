"""Field reading by type on small fixtures: values drawn into the boxes of the blank forms."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr import read_confidence, read_passes, read_plan, readers
from ocr.engines.base import OcrEngine, OcrWord
from ocr.engines.registry import load_engine
from ocr.layout import load_layout
from ocr.read_ink import (
    Box,
    FieldInk,
    cell_boxes,
    cut_around,
    field_box,
    fields_mask,
    layout_mask,
)
from ocr.read_pairs import RESPELLED_CONFIDENCE, Reading, check_names, marks_seen
from ocr.read_types import RULES
from ocr.readers import read_fields

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
KYUYO = "kyuyo_kojinbetsu"
SHINKOKU = "shinkoku_p1"


def _page(form_id: str, values: Mapping[str, str | bool], size_mm: float = 2.4) -> np.ndarray:
    """The blank form with each value printed in its field box (checkboxes get ＊)."""
    layout = load_layout(form_id)
    image = Image.open(layout.blank_image_path).convert("L")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, round(size_mm * 300 / 25.4))
    for name, value in values.items():
        spec = layout.field(name)
        box = field_box(spec)
        if spec.type == "checkbox":
            if value:
                draw.text(
                    (box.x + box.w // 2, box.y + box.h // 2), "＊", font=font, fill=0, anchor="mm"
                )
        elif spec.cells:
            cells = cell_boxes(spec)
            text = str(value)
            for cell, ch in zip(cells[len(cells) - len(text) :], text, strict=True):
                centre = (cell.x + cell.w // 2, cell.y + cell.h // 2)
                draw.text(centre, ch, font=font, fill=0, anchor="mm")
        else:
            draw.text((box.x + 8, box.y + box.h // 2), str(value), font=font, fill=0, anchor="lm")
    return np.asarray(image)


class _NoOcr:
    """Fails the test if any field is sent to OCR."""

    name = "no-ocr"
    retains_input = False
    learns_from_input = False

    def read_line(self, image: np.ndarray, charset: str | None = None) -> list[OcrWord]:
        raise AssertionError("OCR was called")


class _Fixed:
    """Reads every crop as the same text with the same confidence."""

    name = "fixed"
    retains_input = False
    learns_from_input = False

    def __init__(self, text: str, confidence: float = 0.99) -> None:
        self.text = text
        self.confidence = confidence
        self.calls = 0

    def read_line(self, image: np.ndarray, charset: str | None = None) -> list[OcrWord]:
        self.calls += 1
        # The characters evenly across the crop, as an engine places what it reads.
        pitch = image.shape[1] / max(len(self.text), 1)
        return [
            OcrWord(
                ch, (round(i * pitch), 0, max(1, round(pitch)), image.shape[0]), self.confidence
            )
            for i, ch in enumerate(self.text)
        ]


@pytest.fixture(autouse=True)
def _fixed_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests check the reading logic, not the calibration file's current figures."""
    monkeypatch.setattr(read_confidence, "THRESHOLDS", {})
    monkeypatch.setattr(read_confidence, "DEFAULT_THRESHOLD", 0.9)


@cache
def _ppocr() -> OcrEngine:
    return load_engine("ppocr")


def test_blank_form_reads_all_empty_without_ocr() -> None:
    layout = load_layout(KYUYO)
    results = read_fields(_page(KYUYO, {}), layout, [_NoOcr()])
    assert list(results) == layout.field_names
    assert all(r.value is None for r in results.values())
    assert not any(r.needs_review for r in results.values())
    assert results["payment_amount"].bbox == field_box(layout.field("payment_amount")).as_tuple()


def test_checkboxes_by_ink_against_the_blank_form() -> None:
    page = _page(SHINKOKU, {"birth_era_showa": True, "spouse_together": True})
    results = read_fields(page, load_layout(SHINKOKU), [_NoOcr()])
    assert results["birth_era_showa"].value is True
    assert results["spouse_together"].value is True
    assert results["birth_era_heisei"].value is None
    assert results["spouse_separate"].value is None
    assert not results["birth_era_showa"].needs_review


def test_a_faint_thin_mark_in_a_checkbox_counts() -> None:
    page = _page(SHINKOKU, {}).copy()
    box = field_box(load_layout(SHINKOKU).field("spouse_together"))
    # A grey レ drawn in 1-px specks lighter than ink: none of it reaches INK_LEVEL.
    cx, cy = box.x + box.w // 2, box.y + box.h // 2
    for i in range(12):
        page[cy - 6 + i, cx - 6 + i // 3] = 170
        page[cy + 5 - i // 2, cx - 2 + i] = 170
    results = read_fields(page, load_layout(SHINKOKU), [_NoOcr()])
    assert results["spouse_together"].value is True
    assert results["spouse_separate"].value is None


@pytest.mark.parametrize("ink", [0, 175])  # black, or what a dropped-out red 印 leaves
def test_checkbox_under_a_stamp_goes_to_review(ink: int) -> None:
    page = _page(SHINKOKU, {}).copy()
    box = field_box(load_layout(SHINKOKU).field("dependent_3_birth_era_showa"))
    image = Image.fromarray(page)
    centre = (box.x + box.w // 2, box.y + box.h // 2)
    ImageDraw.Draw(image).ellipse(
        (centre[0] - 70, centre[1] - 70, centre[0] + 70, centre[1] + 70), outline=ink, width=3
    )
    ImageDraw.Draw(image).line(
        (centre[0] - 60, centre[1], centre[0] + 60, centre[1]), fill=ink, width=3
    )
    # The stamp reaches into neighbouring fields too: those are read (as nothing here).
    result = read_fields(np.asarray(image), load_layout(SHINKOKU), [_Fixed("")])
    assert result["dependent_3_birth_era_showa"].needs_review
    assert not read_fields(
        _page(SHINKOKU, {"birth_era_showa": True}), load_layout(SHINKOKU), [_NoOcr()]
    )["birth_era_showa"].needs_review


def test_a_stamp_ring_across_a_checkbox_is_not_its_mark() -> None:
    layout = load_layout(KYUYO)
    box = field_box(layout.field("mid_year_hired"))
    image = Image.fromarray(_page(KYUYO, {}))
    # A 印's ring, centred below the box's left corner, crossing its side and bottom.
    cx, cy, r = box.x, box.y + box.h + 70, 110
    ImageDraw.Draw(image).ellipse((cx - r, cy - r, cx + r, cy + r), outline=0, width=4)
    result = read_fields(np.asarray(image), layout, [_Fixed("")])["mid_year_hired"]
    assert result.value is None
    assert result.needs_review and "stray_ink" in result.doubts


def test_a_tick_running_out_of_its_checkbox_is_its_mark() -> None:
    layout = load_layout(KYUYO)
    box = field_box(layout.field("mid_year_hired"))
    image = Image.fromarray(_page(KYUYO, {}))
    cx, cy = box.x + box.w // 2, box.y + box.h // 2
    # A レ whose long stroke runs a box height past the top right corner.
    ImageDraw.Draw(image).line(
        [(cx - 12, cy - 6), (cx - 4, cy + 12), (box.x + box.w + 20, box.y - box.h)],
        fill=0,
        width=4,
    )
    result = read_fields(np.asarray(image), layout, [_Fixed("")])["mid_year_hired"]
    assert result.value is True


def test_a_faded_scan_is_read_against_its_own_print_and_paper() -> None:
    page = _page(KYUYO, {"dependents_specified_main": "1", "recipient_birth_month": "12"})
    faded = (170 + page.astype(np.float32) * (240 - 170) / 255).astype(np.uint8)
    engine = _Fixed("12")
    results = read_fields(faded, load_layout(KYUYO), [engine])
    assert engine.calls == 2
    assert results["recipient_birth_month"].value == 12


def test_only_written_fields_reach_the_engine() -> None:
    engine = _Fixed("12")
    page = _page(KYUYO, {"dependents_specified_main": "1", "recipient_birth_month": "12"})
    results = read_fields(page, load_layout(KYUYO), [engine])
    assert engine.calls == 2
    assert results["recipient_birth_month"].value == 12
    assert results["payment_amount"].value is None


def test_engines_disagreeing_send_the_field_to_review() -> None:
    page = _page(KYUYO, {"recipient_birth_month": "12"})
    layout = load_layout(KYUYO)
    unsure = 0.95  # below SECOND_OPINION_BELOW: the second engine is asked
    agree = read_fields(page, layout, [_Fixed("12", unsure), _Fixed("12")])
    disagree = read_fields(page, layout, [_Fixed("12", unsure), _Fixed("11")])
    assert agree["recipient_birth_month"].value == disagree["recipient_birth_month"].value == 12
    assert not agree["recipient_birth_month"].needs_review
    assert disagree["recipient_birth_month"].needs_review
    assert "disagreement" in disagree["recipient_birth_month"].doubts
    assert agree["recipient_birth_month"].doubts == ()
    assert agree["recipient_birth_month"].confidence > unsure
    assert disagree["recipient_birth_month"].confidence < unsure


def test_a_second_reading_that_fails_its_check_digit_is_no_disagreement() -> None:
    # 123456789018 is a valid 個人番号; the second engine's 123456789011 cannot exist.
    page = _page(KYUYO, {"recipient_my_number": "123456789018"})
    layout = load_layout(KYUYO)
    unsure = 0.95
    impossible = read_fields(page, layout, [_Fixed("123456789018", unsure), _Fixed("123456789011")])
    valid_other = read_fields(
        page, layout, [_Fixed("123456789018", unsure), _Fixed("234567890121")]
    )
    assert impossible["recipient_my_number"].value == "123456789018"
    assert not impossible["recipient_my_number"].needs_review
    assert impossible["recipient_my_number"].confidence == unsure
    # A different number that could exist is a real disagreement.
    assert valid_other["recipient_my_number"].needs_review


def test_a_second_reading_missing_cells_of_a_comb_is_no_disagreement() -> None:
    page = _page(KYUYO, {"recipient_my_number": "123456789018"})
    layout = load_layout(KYUYO)
    unsure = 0.95
    # Digits of neighbouring cells run together: 12 inked cells, 7 digits read.
    short = read_fields(page, layout, [_Fixed("123456789018", unsure), _Fixed("1234567")])
    assert short["recipient_my_number"].value == "123456789018"
    assert not short["recipient_my_number"].needs_review
    assert short["recipient_my_number"].confidence == unsure


def test_a_sure_first_reading_needs_no_second_engine() -> None:
    page = _page(KYUYO, {"recipient_birth_month": "12"})
    second = _Fixed("11")
    result = read_fields(page, load_layout(KYUYO), [_Fixed("12", 0.999), second])
    assert second.calls == 0
    assert result["recipient_birth_month"].value == 12
    assert not result["recipient_birth_month"].needs_review


def test_text_that_does_not_normalize_goes_to_review() -> None:
    page = _page(KYUYO, {"recipient_birth_month": "12"})
    result = read_fields(page, load_layout(KYUYO), [_Fixed("1.2")])["recipient_birth_month"]
    assert result.value is None
    assert result.needs_review
    assert result.raw_text == "1.2"


def test_low_confidence_goes_to_review() -> None:
    page = _page(KYUYO, {"recipient_birth_month": "12"})
    result = read_fields(page, load_layout(KYUYO), [_Fixed("12", 0.3)])["recipient_birth_month"]
    assert result.value == 12
    assert result.needs_review


def test_a_phone_number_read_with_a_stray_stroke_before_it_is_the_number_in_review() -> None:
    page = _page(KYUYO, {"payer_phone": "079-241-6396"})
    result = read_fields(page, load_layout(KYUYO), [_Fixed("1079-241-6396")])["payer_phone"]
    assert result.value == "079-241-6396"
    assert result.needs_review
    assert "respelled" in result.doubts


def test_a_phone_numbers_lost_last_hyphen_is_put_back_without_doubt() -> None:
    page = _page(KYUYO, {"payer_phone": "03-8824-2551"})
    result = read_fields(page, load_layout(KYUYO), [_Fixed("03-88242551")])["payer_phone"]
    assert result.value == "03-8824-2551"
    assert not result.needs_review


def test_thresholds_come_from_the_calibration_file(tmp_path: Path) -> None:
    path = tmp_path / "thresholds.json"
    path.write_text(json.dumps({"types": {"amount": {"threshold": 0.97}}}), encoding="utf-8")
    assert read_confidence.load_thresholds(path) == {"amount": 0.97}
    assert read_confidence.load_thresholds(tmp_path / "absent.json") == {}


@pytest.mark.slow
def test_amounts_with_commas_and_comb_digits() -> None:
    values = {
        "payment_amount": "4,850,000",
        "withholding_tax": "98,700",
        "recipient_my_number": "123456789018",
        "payer_number": "7010001008844",
    }
    results = read_fields(_page(KYUYO, values), load_layout(KYUYO), [_ppocr()])
    assert results["payment_amount"].value == 4850000
    assert results["withholding_tax"].value == 98700
    assert results["recipient_my_number"].value == "123456789018"
    assert results["payer_number"].value == "7010001008844"


@pytest.mark.slow
def test_comb_amount_ignores_cell_separators_and_leading_empty_cells() -> None:
    values = {"income_salary": "5200000", "ded_basic": "430000", "birth_month": "12"}
    page = _page(SHINKOKU, values, size_mm=4.5)
    results = read_fields(page, load_layout(SHINKOKU), [_ppocr()])
    assert results["income_salary"].value == 5200000
    assert results["ded_basic"].value == 430000
    assert results["birth_month"].value == 12


@pytest.mark.slow
def test_kana_and_name_keep_the_space_between_family_and_given_name() -> None:
    values = {
        "recipient_kana": "ヤマダ　タロウ",
        "recipient_name": "山田　太郎",
        "spouse_kana": "ヤマダハナコ",
        "recipient_birth_era": "昭",
    }
    results = read_fields(_page(KYUYO, values), load_layout(KYUYO), [_ppocr()])
    assert results["recipient_kana"].value == "ヤマダ　タロウ"
    assert results["recipient_name"].value == "山田　太郎"
    assert results["spouse_kana"].value == "ヤマダハナコ"
    assert results["recipient_birth_era"].value == "昭和"


def test_a_name_and_its_reading_check_each_other() -> None:
    values = {
        # Agreeing: the reading takes its space from the name's dictionary reading.
        "recipient_name": "清水　杏",
        "recipient_kana": "シミズアン",
        # Disagreeing (山村 is ヤマムラ): one of the two is misread, both are in doubt.
        "spouse_name": "山村　蓮",
        "spouse_kana": "タムラ　レン",
    }
    results = read_fields(_page(KYUYO, values), load_layout(KYUYO), [_ppocr()])
    assert results["recipient_kana"].value == "シミズ　アン"
    assert not results["recipient_kana"].needs_review
    assert results["recipient_name"].value == "清水　杏"
    for field in ("spouse_kana", "spouse_name"):
        assert results[field].needs_review
        assert results[field].confidence <= readers.UNMATCHED_READING_CONFIDENCE
    assert results["spouse_kana"].value == "タムラ　レン"
    assert results["spouse_name"].value == "山村　蓮"


def test_a_given_name_the_dictionary_reads_otherwise_is_in_doubt() -> None:
    values = {
        # 山美 is listed as ヤマミ: beside ユミ, a misread 由美 (or a rare reading).
        "recipient_name": "佐藤　山美",
        "recipient_kana": "サトウ　ユミ",
        # 陽翔 is not listed: a modern given name, its reading only places the space.
        "spouse_name": "佐藤　陽翔",
        "spouse_kana": "サトウハルト",
    }
    results = read_fields(_page(KYUYO, values), load_layout(KYUYO), [_ppocr()])
    assert results["recipient_name"].value == "佐藤　山美"
    assert results["recipient_name"].needs_review
    assert results["spouse_name"].value == "佐藤　陽翔"
    assert not results["spouse_name"].needs_review
    assert results["spouse_kana"].value == "サトウ　ハルト"


def test_guesses_that_become_the_same_character_are_one_reading() -> None:
    # ２ at 0.6 and 2 at 0.35: a doubt between two spellings of the same value, not a doubt.
    torn = OcrWord("２", (0, 0, 1, 1), 0.6, (("2", 0.35), ("7", 0.04)))
    [pooled] = read_passes.pooled([torn], "address")
    assert pooled.confidence == pytest.approx(0.95)
    [digit] = read_passes.pooled([torn], "amount")
    assert digit.confidence == pytest.approx(0.6)


class _Scripted(_Fixed):
    """Reads every crop as the same text, each character with its own confidence."""

    def __init__(
        self,
        text: str,
        confidences: list[float],
        guesses: Mapping[int, tuple[tuple[str, float], ...]] | None = None,
    ) -> None:
        super().__init__(text)
        self.confidences = confidences
        self.guesses = guesses or {}

    def read_line(self, image: np.ndarray, charset: str | None = None) -> list[OcrWord]:
        placed = super().read_line(image, charset)
        return [
            OcrWord(ch, w.bbox, c, self.guesses.get(i, ()))
            for i, (ch, c, w) in enumerate(zip(self.text, self.confidences, placed, strict=True))
        ]


def test_place_names_read_as_listed_do_not_make_an_address_doubtful() -> None:
    address = "東京都練馬区石神井町３丁目"
    page = _page(KYUYO, {"recipient_address": address})
    layout = load_layout(KYUYO)
    unsure_place = [0.99] * len(address)
    unsure_place[3] = 0.5  # 練: Japan Post lists 東京都練馬区石神井町, so it was read right
    unsure_number = [0.99] * len(address)
    unsure_number[10] = 0.5  # ３: no list says which number it is
    place = read_fields(page, layout, [_Scripted(address, unsure_place)])["recipient_address"]
    number = read_fields(page, layout, [_Scripted(address, unsure_number)])["recipient_address"]
    assert place.value == number.value == address
    assert place.confidence == pytest.approx(0.99) and not place.needs_review
    assert number.confidence == pytest.approx(0.5) and number.needs_review


def test_a_place_name_misread_as_the_engines_second_guess_is_no_doubt() -> None:
    written, read = "沖縄県那覇市久茂地４丁目", "汕縄県那覇市久茂地４丁目"
    page = _page(KYUYO, {"recipient_address": written})
    layout = load_layout(KYUYO)
    doubtful = [0.99] * len(read)
    doubtful[0] = 0.55
    second_guess = _Scripted(read, doubtful, {0: (("沖", 0.36),)})
    no_guess = _Scripted(read, doubtful)
    fixed = read_fields(page, layout, [second_guess])["recipient_address"]
    unsure = read_fields(page, layout, [no_guess])["recipient_address"]
    # Both are corrected to the listed name; only a listed name the engine saw is sure.
    assert fixed.value == unsure.value == written
    assert fixed.confidence == pytest.approx(0.99)
    assert unsure.confidence == pytest.approx(0.55)


def test_a_building_name_takes_the_next_guess_the_dictionary_knows_in_review() -> None:
    place = "東京都練馬区石神井町３丁目２番"
    written, read = place + "シャトー第２", place + "シヤトー第２"
    page = _page(KYUYO, {"recipient_address": written})
    layout = load_layout(KYUYO)
    doubtful = [0.999] * len(read)
    doubtful[16] = 0.504  # ヤ, next guess ャ
    small = _Scripted(read, doubtful, {16: (("ャ", 0.494),)})
    result = read_fields(page, layout, [small])["recipient_address"]
    assert result.value == written
    assert result.needs_review and result.confidence <= RESPELLED_CONFIDENCE


def test_a_companys_legal_form_put_right_by_the_next_guess_is_no_doubt() -> None:
    written, read = "株式会社旭電機", "株式会礼：旭電機"
    page = _page(KYUYO, {"payer_name": written})
    layout = load_layout(KYUYO)
    doubtful = [0.99] * len(read)
    doubtful[3], doubtful[4] = 0.6, 0.5  # 礼 (next guess 社) and the colon after it
    fixed = read_fields(page, layout, [_Scripted(read, doubtful, {3: (("社", 0.34),)})])
    unsure = read_fields(page, layout, [_Scripted(read, doubtful)])
    assert fixed["payer_name"].value == unsure["payer_name"].value == written
    assert fixed["payer_name"].confidence == pytest.approx(0.99)
    assert unsure["payer_name"].confidence == pytest.approx(0.6)
    # The company's own name still counts.
    doubtful[6] = 0.7
    own = read_fields(page, layout, [_Scripted(read, doubtful, {3: (("社", 0.34),)})])
    assert own["payer_name"].confidence == pytest.approx(0.7)


def test_a_pension_funds_legal_form_put_right_by_the_next_guess_is_no_doubt() -> None:
    written, read = "桜花年金基金", "桜花午金基金"
    page = _page(KYUYO, {"payer_name": written})
    doubtful = [0.999] * len(read)
    doubtful[2] = 0.51  # 午, next guess 年
    guesses = {2: (("年", 0.42),)}
    result = read_fields(page, load_layout(KYUYO), [_Scripted(read, doubtful, guesses)])
    assert result["payer_name"].value == written
    assert result["payer_name"].confidence == pytest.approx(0.999)


def test_a_companys_name_takes_the_next_guess_that_makes_it_japanese_in_review() -> None:
    written, read = "東和共済組合", "束和共済組合"
    page = _page(KYUYO, {"payer_name": written})
    layout = load_layout(KYUYO)
    doubtful = [0.999] * len(read)
    doubtful[0] = 0.91  # 束, next guesses 東 and 柬
    guesses = {0: (("東", 0.043), ("柬", 0.038))}
    fixed = read_fields(page, layout, [_Scripted(read, doubtful, guesses)])["payer_name"]
    assert fixed.value == written and fixed.needs_review
    # A guess the engine hardly saw, or one that makes no likelier name, changes nothing.
    faint = read_fields(page, layout, [_Scripted(read, doubtful, {0: (("東", 0.005),)})])
    assert faint["payer_name"].value == read
    sure = [0.999] * len(written)
    sure[0] = 0.98
    kept = read_fields(page, layout, [_Scripted(written, sure, {0: (("束", 0.02),)})])
    assert kept["payer_name"].value == written
    assert kept["payer_name"].confidence == pytest.approx(0.98)


def _text_at(field: str, text: str, x_from_left: int) -> np.ndarray:
    """The blank slip with ``text`` in ``field``'s box, starting ``x_from_left`` pixels
    from the box's left side (negative: before it)."""
    layout = load_layout(KYUYO)
    image = Image.open(layout.blank_image_path).convert("L")
    box = field_box(layout.field(field))
    font = ImageFont.truetype(FONT, round(2.4 * 300 / 25.4))
    anchor = (box.x + x_from_left, box.y + box.h // 2)
    ImageDraw.Draw(image).text(anchor, text, font=font, fill=0, anchor="lm")
    return np.asarray(image)


def test_writing_cut_short_by_the_side_of_its_box_goes_to_review() -> None:
    layout = load_layout(KYUYO)
    box = field_box(layout.field("payment_kind"))
    inside = read_fields(_text_at("payment_kind", "給与", 20), layout, [_Fixed("給与")])
    # 給 half past the box's left side, and that half lost with the scan's edge.
    cut = _text_at("payment_kind", "給与", -12).copy()
    cut[:, : box.x] = 255
    half = read_fields(cut, layout, [_Fixed("合与")])
    assert not inside["payment_kind"].needs_review
    assert half["payment_kind"].needs_review
    assert half["payment_kind"].confidence <= readers.SPILL_CONFIDENCE
    assert "spill" in half["payment_kind"].doubts


@pytest.mark.parametrize("text", ["竹内", "タケウチ", "石井"])
def test_writing_across_the_side_of_its_box_keeps_its_strokes_and_not_the_side(
    text: str,
) -> None:
    layout = load_layout(KYUYO)
    box = field_box(layout.field("spouse_name"))
    page = _text_at("spouse_name", text, -8)
    # The same writing alone, to tell which dark pixels are the text's.
    alone = Image.new("L", (page.shape[1], page.shape[0]), 255)
    font = ImageFont.truetype(FONT, round(2.4 * 300 / 25.4))
    anchor = (box.x - 8, box.y + box.h // 2)
    ImageDraw.Draw(alone).text(anchor, text, font=font, fill=0, anchor="lm")
    ink = cut_around(page, layout_mask(layout), fields_mask(layout), box)
    cut = ink.box
    truth = np.asarray(alone)[cut.y : cut.y + cut.h, cut.x : cut.x + cut.w] < 128
    near_truth = cv2.dilate(truth.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    assert (ink.ink & truth).sum() >= 0.93 * truth.sum()
    assert (ink.ink & ~near_truth).sum() == 0  # no piece of the side above or below it


@pytest.mark.parametrize("text", ["五丁目", "山下"])
def test_writing_against_the_top_of_its_box_keeps_its_top_strokes_and_not_the_ruling(
    text: str,
) -> None:
    layout = load_layout(KYUYO)
    box = field_box(layout.field("payer_address"))
    font = ImageFont.truetype(FONT, round(2.4 * 300 / 25.4))
    anchor = (box.x + 20, box.y)  # the top bars inside the ruling's masked band
    page = Image.open(layout.blank_image_path).convert("L")
    ImageDraw.Draw(page).text(anchor, text, font=font, fill=0, anchor="lt")
    alone = Image.new("L", page.size, 255)
    ImageDraw.Draw(alone).text(anchor, text, font=font, fill=0, anchor="lt")
    ink = cut_around(np.asarray(page), layout_mask(layout), fields_mask(layout), box)
    cut = ink.box
    truth = np.asarray(alone)[cut.y : cut.y + cut.h, cut.x : cut.x + cut.w] < 128
    near_truth = cv2.dilate(truth.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    assert (ink.ink & truth).sum() >= 0.93 * truth.sum()
    assert (ink.ink & ~near_truth).sum() == 0  # no piece of the ruling beside it


def test_writing_in_a_corner_of_its_box_takes_no_piece_of_the_corner() -> None:
    layout = load_layout(KYUYO)
    box = field_box(layout.field("withholding_tax"))
    serif = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
    font = ImageFont.truetype(serif, round(2.4 * 300 / 25.4))
    anchor = (box.x + box.w, box.y + box.h - 1)  # against the right side and the bottom
    page = Image.open(layout.blank_image_path).convert("L")
    ImageDraw.Draw(page).text(anchor, "531800", font=font, fill=0, anchor="rs")
    alone = Image.new("L", page.size, 255)
    ImageDraw.Draw(alone).text(anchor, "531800", font=font, fill=0, anchor="rs")
    blurred = cv2.GaussianBlur(np.asarray(page), (0, 0), 1.5)
    ink = cut_around(blurred, layout_mask(layout), fields_mask(layout), box)
    cut = ink.box
    truth = np.asarray(alone)[cut.y : cut.y + cut.h, cut.x : cut.x + cut.w] < 128
    near_truth = cv2.dilate(truth.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    assert (ink.ink & truth).sum() >= 0.7 * truth.sum()  # blurred: its thin edges go
    assert (ink.ink & ~near_truth).sum() == 0  # the side's end at the ruling read "."


def test_a_neighbours_writing_against_the_shared_side_leaves_the_next_box_empty() -> None:
    layout = load_layout(KYUYO)
    left = field_box(layout.field("social_insurance"))
    image = Image.open(layout.blank_image_path).convert("L")
    font = ImageFont.truetype(FONT, round(2.4 * 300 / 25.4))
    # 876600 printed hard against its right side, blurred into it.
    at = (left.x + left.w + 2, left.y + left.h // 2)
    ImageDraw.Draw(image).text(at, "876600", font=font, fill=0, anchor="rm")
    page = cv2.GaussianBlur(np.asarray(image), (5, 5), 1.2)
    right = field_box(layout.field("life_insurance_deduction"))
    ink = cut_around(page, layout_mask(layout), fields_mask(layout), right)
    assert ink.ink_pixels < read_plan.MIN_INK_PX


def _era_written(fill: int, seed: int = 0) -> np.ndarray:
    """The blank pension slip with 昭 written in the birth era box in a thin grey stroke,
    scattered with grey specks a stroke breaks into on a light scan."""
    layout = load_layout("nenkin_kojinbetsu")
    image = Image.open(layout.blank_image_path).convert("L")
    box = field_box(layout.field("recipient_birth_era"))
    font = ImageFont.truetype(FONT, round(2.0 * 300 / 25.4))
    centre = (box.x + box.w // 2, box.y + box.h // 2)
    ImageDraw.Draw(image).text(centre, "昭", font=font, fill=fill, anchor="mm")
    page = np.asarray(image).copy()
    # Break the stroke into specks: every other pixel of it back to paper.
    rng = np.random.default_rng(seed)
    region = page[box.y : box.y + box.h, box.x : box.x + box.w]
    written = region < 250
    region[written & (rng.random(region.shape) < 0.5)] = 255
    return page


def test_writing_too_light_to_count_as_ink_is_read_in_review() -> None:
    layout = load_layout("nenkin_kojinbetsu")
    light = read_fields(_era_written(170), layout, [_Fixed("昭")])["recipient_birth_era"]
    assert light.value == "昭和"
    assert light.needs_review and "faint" in light.doubts
    dark = read_fields(_era_written(0), layout, [_Fixed("昭")])["recipient_birth_era"]
    assert dark.value == "昭和" and "faint" not in dark.doubts


def test_a_faint_stamp_over_an_empty_box_is_not_writing() -> None:
    # A red 印 dropped to light grey: its ring runs on outside the box.
    layout = load_layout("nenkin_kojinbetsu")
    image = Image.open(layout.blank_image_path).convert("L")
    box = field_box(layout.field("recipient_birth_era"))
    r = round(6 * 300 / 25.4)
    centre = (box.x + box.w, box.y + box.h // 2)
    ImageDraw.Draw(image).ellipse(
        (centre[0] - r, centre[1] - r, centre[0] + r, centre[1] + r), outline=175, width=4
    )
    result = read_fields(np.asarray(image), layout, [_Fixed("昭")])["recipient_birth_era"]
    assert result.value is None


def test_grey_specks_in_an_empty_box_are_not_writing() -> None:
    layout = load_layout("nenkin_kojinbetsu")
    page = np.asarray(Image.open(layout.blank_image_path).convert("L")).copy()
    box = field_box(layout.field("recipient_birth_era"))
    rng = np.random.default_rng(1)
    region = page[box.y : box.y + box.h, box.x : box.x + box.w]
    region[rng.random(region.shape) < 0.02] = 170  # scanner noise, one pixel each
    engine = _Fixed("昭")
    assert read_fields(page, layout, [engine])["recipient_birth_era"].value is None


def _faint_last_character() -> np.ndarray:
    """The blank slip with 東和精工 as payer, its 工 faded lighter than ink throughout."""
    layout = load_layout(KYUYO)
    box = field_box(layout.field("payer_name"))
    image = Image.fromarray(_text_at("payer_name", "東和精", 20))
    font = ImageFont.truetype(FONT, round(2.4 * 300 / 25.4))
    after = box.x + 20 + round(font.getlength("東和精"))
    ImageDraw.Draw(image).text((after, box.y + box.h // 2), "工", font=font, fill=175, anchor="lm")
    return np.asarray(image)


def test_a_faint_character_beside_a_name_sends_it_to_review() -> None:
    layout = load_layout(KYUYO)
    # Blurred or faded, 工 is lighter than ink: the reading sees 東和精 alone.
    page = _faint_last_character()
    faint = read_fields(page, layout, [_Fixed("東和精", 0.999)])["payer_name"]
    clear = read_fields(_text_at("payer_name", "東和精", 20), layout, [_Fixed("東和精", 0.999)])
    assert faint.needs_review and faint.confidence <= readers.FAINT_BESIDE_CONFIDENCE
    assert not clear["payer_name"].needs_review


class _Widths(_Fixed):
    """Like _Fixed, keeping the width of every crop it is given."""

    def __init__(self, text: str, confidence: float = 0.99) -> None:
        super().__init__(text, confidence)
        self.widths: list[int] = []

    def read_line(self, image: np.ndarray, charset: str | None = None) -> list[OcrWord]:
        self.widths.append(image.shape[1])
        return super().read_line(image, charset)


def test_a_faint_character_beside_a_name_is_read_with_it() -> None:
    layout = load_layout(KYUYO)
    # Faded, 工 is lighter than ink throughout: no dark pixel joins it to the rest.
    faint, dark = _Widths("東和精工"), _Widths("東和精工")
    result = read_fields(_faint_last_character(), layout, [faint])["payer_name"]
    read_fields(_text_at("payer_name", "東和精工", 20), layout, [dark])
    assert result.needs_review
    # The crop read holds the faint 工 as the dark one's holds the dark 工.
    assert abs(max(faint.widths) - max(dark.widths)) <= 4


def test_only_faint_writing_on_the_line_of_the_ink_joins_it() -> None:
    image = np.full((80, 200), 255, np.uint8)
    image[20:40, 20:60] = 0  # the ink: a line of writing 20 pixels high
    image[22:38, 80:100] = 175  # a faint character beside it, on its line
    image[50:75, 120:140] = 175  # faint marks below the line (a stamp's edge)
    ink = FieldInk(Box(0, 0, 200, 80), image, image < 128)
    joined = ink.with_faint_beside()
    assert joined is not None
    assert joined.ink[30, 90] and not joined.ink[60, 130]
    image[22:38, 80:100] = 255  # the faint marks below the line alone: nothing joins
    assert FieldInk(Box(0, 0, 200, 80), image, image < 128).with_faint_beside() is None


def test_faint_writing_beside_the_digits_read_sends_the_field_to_review() -> None:
    layout = load_layout(KYUYO)
    page = _page(KYUYO, {"recipient_birth_day": "13"}).copy()
    box = field_box(layout.field("recipient_birth_day"))
    dark = page.copy()
    # Blurred or faded, the 3 is lighter than ink: the 1 alone is read, with certainty.
    inside = page[box.y : box.y + box.h, box.x : box.x + box.w]
    written = np.argwhere(inside < 128)
    right_half = written[written[:, 1] > np.median(written[:, 1]) + 3]
    inside[right_half[:, 0], right_half[:, 1]] = 175
    faint = read_fields(page, layout, [_Fixed("1", 0.999)])["recipient_birth_day"]
    clear = read_fields(dark, layout, [_Fixed("13", 0.999)])["recipient_birth_day"]
    assert faint.value == 1 and faint.needs_review
    assert faint.confidence <= readers.FAINT_BESIDE_CONFIDENCE
    assert clear.value == 13 and not clear.needs_review


def _amount_at_right_edge(overhang_px: int) -> np.ndarray:
    """The blank slip with 876,600 in 社会保険料等の金額, ending ``overhang_px`` past the
    box's right side (negative: short of it)."""
    layout = load_layout(KYUYO)
    image = Image.open(layout.blank_image_path).convert("L")
    box = field_box(layout.field("social_insurance"))
    font = ImageFont.truetype(FONT, round(2.4 * 300 / 25.4))
    anchor = (box.x + box.w + overhang_px, box.y + box.h // 2)
    ImageDraw.Draw(image).text(anchor, "876,600", font=font, fill=0, anchor="rm")
    return np.asarray(image)


def test_a_character_printed_across_a_shared_side_is_read_with_its_own_value() -> None:
    # Payroll software printing a little to the right: each amount's last digit lies
    # across the side its box shares with the next amount's box (5,784,78|5 │ 4,187,200).
    layout = load_layout(KYUYO)
    image = Image.open(layout.blank_image_path).convert("L")
    font = ImageFont.truetype(FONT, round(2.4 * 300 / 25.4))
    values = {
        "payment_amount": "5,784,785",
        "income_after_deduction": "4,187,200",
        "total_deductions": "1,356,600",
    }
    for name, text in values.items():
        box = field_box(layout.field(name))
        anchor = (box.x + box.w + 10, box.y + box.h // 2)
        ImageDraw.Draw(image).text(anchor, text, font=font, fill=0, anchor="rm")
    results = read_fields(np.asarray(image), layout, [_ppocr()])
    assert [results[name].value for name in values] == [5784785, 4187200, 1356600]
    assert results["income_after_deduction"].needs_review  # the writing runs under a side


def test_a_value_running_under_its_box_side_goes_to_review() -> None:
    layout = load_layout(KYUYO)
    inside = read_fields(_amount_at_right_edge(-15), layout, [_Fixed("876600")])
    across = read_fields(_amount_at_right_edge(4), layout, [_Fixed("876600")])
    assert not inside["social_insurance"].needs_review
    assert across["social_insurance"].needs_review
    assert across["social_insurance"].confidence <= readers.SPILL_CONFIDENCE


class _UnsureFirst:
    """Reads every crop as the same digits: unsure for the first ``unsure`` crops."""

    name = "unsure-first"
    retains_input = False
    learns_from_input = False

    def __init__(self, unsure: int) -> None:
        self.unsure = unsure

    def read_line(self, image: np.ndarray, charset: str | None = None) -> list[OcrWord]:
        self.unsure -= 1
        return [OcrWord(ch, (0, 0, 1, 1), 0.3 if self.unsure >= 0 else 0.999) for ch in "1000"]


_TWELVE_AMOUNTS = [
    "payment_amount",
    "income_after_deduction",
    "total_deductions",
    "withholding_tax",
    "social_insurance",
    "life_insurance_deduction",
    "earthquake_insurance_deduction",
    "housing_loan_deduction",
    "life_new",
    "life_old",
    "life_medical",
    "pension_new",
]


@pytest.mark.parametrize(("unsure", "all_in_review"), [(8, True), (6, False)])
def test_a_page_mostly_in_review_is_in_review_as_a_whole(unsure: int, all_in_review: bool) -> None:
    page = _page(KYUYO, dict.fromkeys(_TWELVE_AMOUNTS, "1,000"))
    results = read_fields(page, load_layout(KYUYO), [_UnsureFirst(unsure)])
    written = [results[name] for name in _TWELVE_AMOUNTS]
    assert all(r.value == 1000 for r in written)
    assert sum(r.needs_review for r in written) == (12 if all_in_review else unsure)
    assert results["spouse_deduction_amount"].value is None  # empty fields stay as they are
    assert not results["spouse_deduction_amount"].needs_review


def _kana(text: str, guesses: dict[int, str]) -> Reading:
    words = [
        OcrWord(ch, (0, 0, 1, 1), 0.9, ((guesses[i], 0.06),) if i in guesses else ())
        for i, ch in enumerate(text)
    ]
    return Reading(text, 0.9, words=[words])


def test_a_voiced_mark_restored_where_the_engine_saw_it_is_no_doubt() -> None:
    # クトウ beside 工藤 (listed: クドウ only): ド was the engine's next guess for ト.
    assert marks_seen(_kana("クトウ", {1: "ド"}), "クトウ", "クドウ")
    assert not marks_seen(_kana("クトウ", {}), "クトウ", "クドウ")  # no trace of it
    assert not marks_seen(_kana("クトウ", {0: "グ"}), "クトウ", "クドウ")
    assert not marks_seen(_kana("クドウ", {}), "クドウ", "クドウ")  # nothing restored


def _checked(name: str, kana: Reading) -> Reading:
    """``kana`` after check_names beside ``name``, read surely (a 給与支払報告書's recipient)."""
    readings = {"recipient_name": _read(name, 0.99), "recipient_kana": kana}
    check_names(load_layout(KYUYO), readings)
    return readings["recipient_kana"]


def test_a_voiced_mark_the_ink_showed_chooses_between_the_names_readings() -> None:
    # 高木 is タカギ or タカキ; ﾀｶｷﾞ printed half-width loses its dakuten when read.
    def kana_after_check(kana: Reading) -> Reading:
        return _checked("高木　静香", kana)

    # ギ was the engine's next guess for キ ...
    seen = kana_after_check(_kana("タカキ　シズカ", {2: "ギ"}))
    assert seen.text == "タカギ　シズカ"
    assert seen.partner_agrees is False  # likelier, not certain: still in review
    # ... or the same ink read narrower showed it (タギ, カ lost).
    narrow = _kana("タカキ　シズカ", {})
    narrow.alternatives = [_read("タギ", 0.5)]
    assert kana_after_check(narrow).text == "タカギ　シズカ"
    # No trace of a mark: the reading stays as read, in doubt ...
    unseen = _kana("タカキ　シズカ", {})
    unseen.alternatives = [_read("タカキシズカ", 0.5)]
    assert kana_after_check(unseen).text == "タカキ　シズカ"
    assert kana_after_check(unseen).partner_agrees is False
    # ... nor is a guess at the network's noise level one.
    noise = _kana("タカキ　シズカ", {})
    noise.words[0][2] = OcrWord("キ", (0, 0, 1, 1), 0.9, (("ギ", 0.01),))
    assert kana_after_check(noise).text == "タカキ　シズカ"
    # Readings put together character by character (陽菜: ヒナ, ビナ, ピナ) are not the
    # dictionary's: a guessed mark does not choose among them.
    assert _checked("石井　陽菜", _kana("イシイ　ヒナ", {4: "ビ"})).text == "イシイ　ヒナ"


def test_a_voiced_mark_seen_in_the_ink_chooses_between_the_names_readings() -> None:
    # ﾀｶｷﾞ ﾅｵｷ read タカキ　ナオキ, the ﾞ left out but found after キ in the ink.
    kana = _kana("タカキ　ナオキ", {})
    kana.marks_after = frozenset({2})
    assert _checked("高木　直樹", kana).text == "タカギ　ナオキ"
    # A mark after another character is no evidence for ギ.
    kana = _kana("タカキ　ナオキ", {})
    kana.marks_after = frozenset({1})
    assert _checked("高木　直樹", kana).text == "タカキ　ナオキ"
    # Read タキ　ナオキ (カ dropped) and put right to タカキ　ナオキ: the mark after the キ
    # read is the mark after the キ of the repair.
    kana = _kana("タキ　ナオキ", {})
    kana.marks_after = frozenset({1})
    assert _checked("高木　直樹", kana).text == "タカギ　ナオキ"


def test_a_guess_the_context_makes_the_same_value_is_no_doubt() -> None:
    # ハイツ: 八 at 0.55 with ハ at 0.43 is a doubt between two glyphs of one value (tidy
    # makes 八 beside katakana ハ); with 入 at 0.43 it is a doubt between two values.
    written = "中央１丁目７番６号ハイツ１０３"
    page = _page(KYUYO, {"recipient_address": written})
    layout = load_layout(KYUYO)
    confidences = [0.99] * len(written)
    at = written.index("ハ")
    confidences[at] = 0.55
    glyph = read_fields(
        page, layout, [_Scripted(written.replace("ハ", "八"), confidences, {at: (("ハ", 0.43),)})]
    )["recipient_address"]
    value = read_fields(
        page, layout, [_Scripted(written.replace("ハ", "八"), confidences, {at: (("入", 0.43),)})]
    )["recipient_address"]
    assert glyph.value == value.value == written
    assert glyph.confidence == pytest.approx(0.98)
    assert value.confidence == pytest.approx(0.55)


def _read(text: str, confidence: float) -> Reading:
    return Reading(text, confidence, words=[[OcrWord(ch, (0, 0, 1, 1), confidence) for ch in text]])


def test_a_reading_at_another_stretch_that_the_name_confirms_is_taken() -> None:
    # ｲﾉｳｴ condensed: the recogniser is surest of イウエ at one stretch, reads イノウエ at
    # another; the name says which.
    layout = load_layout(KYUYO)
    kana = _read("イウエ　ヨウコ", 0.9)
    kana.alternatives = [_read("イノウエ　ヨウコ", 0.8), _read("イノウエ　ヨウユ", 0.7)]
    readings = {"recipient_name": _read("井上　陽子", 0.99), "recipient_kana": kana}
    check_names(layout, readings)
    assert readings["recipient_kana"].text == "イノウエ　ヨウコ"
    assert readings["recipient_kana"].partner_agrees
    # None agrees better: the surest stays, in doubt.
    kana = _read("イウエ　ヨウコ", 0.9)
    kana.alternatives = [_read("イウエ　ヨコ", 0.8)]
    readings = {"recipient_name": _read("井上　陽子", 0.99), "recipient_kana": kana}
    check_names(layout, readings)
    assert readings["recipient_kana"].text == "イウエ　ヨウコ"
    assert readings["recipient_kana"].partner_agrees is False


def _comb_with_light_cells(light: list[int]) -> np.ndarray:
    """個人番号 123456789018 printed in its comb, the digits at ``light`` (cell indexes) in
    grey lighter than ink, as a blurred serif 7 is."""
    layout = load_layout(KYUYO)
    image = Image.open(layout.blank_image_path).convert("L")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, round(2.4 * 300 / 25.4))
    cells = cell_boxes(layout.field("recipient_my_number"))
    for i, (cell, ch) in enumerate(zip(cells, "123456789018", strict=True)):
        centre = (cell.x + cell.w // 2, cell.y + cell.h // 2)
        draw.text(centre, ch, font=font, fill=175 if i in light else 0, anchor="mm")
    return np.asarray(image)


@pytest.mark.parametrize("light", [[3], [11], [0, 1]])
def test_a_digit_too_light_for_ink_in_a_comb_keeps_its_place_in_review(light: list[int]) -> None:
    layout = load_layout(KYUYO)
    result = read_fields(_comb_with_light_cells(light), layout, [_ppocr()])["recipient_my_number"]
    assert result.value == "123456789018"
    assert result.needs_review and "faint" in result.doubts
    clear = read_fields(_comb_with_light_cells([]), layout, [_ppocr()])["recipient_my_number"]
    assert clear.value == "123456789018" and "faint" not in clear.doubts


class _WholeGlyphOnly(_Fixed):
    """Reads its text only from a crop as tall as the whole written glyph."""

    def __init__(self, text: str, min_height: int) -> None:
        super().__init__(text, 0.999)
        self.min_height = min_height

    def read_line(self, image: np.ndarray, charset: str | None = None) -> list[OcrWord]:
        found = super().read_line(image, charset)
        return found if image.shape[0] >= self.min_height else []


@pytest.mark.parametrize("dark_pixels", [4, 14])
def test_faded_writing_is_read_whole_from_its_few_dark_pixels_in_review(dark_pixels: int) -> None:
    # A faded, blurred 7: grey throughout but for a few dark pixels at its heart.
    layout = load_layout(KYUYO)
    image = Image.open(layout.blank_image_path).convert("L")
    box = field_box(layout.field("recipient_birth_month"))
    font = ImageFont.truetype(FONT, round(2.4 * 300 / 25.4))
    centre = (box.x + box.w // 2, box.y + box.h // 2)
    ImageDraw.Draw(image).text(centre, "7", font=font, fill=175, anchor="mm")
    page = np.asarray(image).copy()
    ys, xs = np.nonzero(page[box.y : box.y + box.h, box.x : box.x + box.w] < 200)
    glyph_height = int(ys.max() - ys.min() + 1)
    top = ys == ys.min()
    seeds = (ys[top][:dark_pixels] + box.y, xs[top][:dark_pixels] + box.x)
    page[seeds] = 60
    result = read_fields(page, layout, [_WholeGlyphOnly("7", glyph_height)])
    month = result["recipient_birth_month"]
    assert month.value == 7
    assert month.needs_review and "faint" in month.doubts


@pytest.mark.parametrize(
    ("read", "value", "doubt"),
    [
        ("給与", "給与", None),
        ("哈与", "給与", "respelled"),  # the box's side through 給's 糸
        ("鈴与・賞与", "給与・賞与", "respelled"),  # Japanese (a company), but no kind of pay
        ("アルバイト代", "アルバイト代", "unusual"),
        ("与", "与", "unusual"),
    ],
)
def test_a_kind_of_pay_is_one_of_those_slips_print(
    read: str, value: str, doubt: str | None
) -> None:
    page = _text_at("payment_kind", "給与", 10)
    result = read_fields(page, load_layout(KYUYO), [_Fixed(read, 0.999)])["payment_kind"]
    assert result.value == value
    assert result.needs_review is (doubt is not None)
    assert result.doubts == ((doubt,) if doubt else ())


def test_an_unlisted_title_or_relation_goes_to_review() -> None:
    layout = load_layout(KYUYO)
    page = _text_at("recipient_title", "技師", 10)
    listed = read_fields(page, layout, [_Fixed("技師", 0.999)])["recipient_title"]
    split = read_fields(page, layout, [_Fixed("技師幣", 0.999)])["recipient_title"]
    assert listed.value == "技師" and not listed.needs_review
    assert split.needs_review and "respelled" in split.doubts  # 技師長, one off: a person checks
    shinkoku = load_layout(SHINKOKU)
    page = _page(SHINKOKU, {"householder_relation": "本人"}, size_mm=4.0)
    misread = read_fields(page, shinkoku, [_Fixed("木人", 0.999)])["householder_relation"]
    assert misread.value == "本人" and "respelled" in misread.doubts
    unlisted = read_fields(page, shinkoku, [_Fixed("同居人", 0.999)])["householder_relation"]
    assert unlisted.value == "同居人" and "unusual" in unlisted.doubts
    # ニ and 二 are drawn alike: the list says which (not 長男, one character off).
    second_son = read_fields(page, shinkoku, [_Fixed("ニ男", 0.999)])["householder_relation"]
    assert second_son.value == "二男" and not second_son.needs_review


def test_the_rest_of_a_character_past_the_side_in_the_next_box_sends_it_to_review() -> None:
    # 384377 printed across the side: what stayed of the last 7 inside was lost with the
    # side; its tail lies in the next box, apart from the writing read.
    layout = load_layout(KYUYO)
    box = field_box(layout.field("social_insurance"))
    page = _amount_at_right_edge(-4).copy()
    tail = (
        slice(box.y + box.h // 2 - 6, box.y + box.h // 2 + 6),
        slice(box.x + box.w + 5, box.x + box.w + 8),
    )
    assert fields_mask(layout)[tail].all()  # the next field's box
    clear = read_fields(page, layout, [_Fixed("876600")])["social_insurance"]
    page[tail] = 0
    cut = read_fields(page, layout, [_Fixed("876600")])["social_insurance"]
    assert not clear.needs_review
    assert cut.needs_review and "spill" in cut.doubts


def test_ink_only_around_a_box_is_not_its_writing() -> None:
    # A neighbour's amount printed past its own box, ending just before this box.
    layout = load_layout(KYUYO)
    box = field_box(layout.field("dependents_specified_main"))
    image = Image.open(layout.blank_image_path).convert("L")
    page = np.asarray(image).copy()
    beside = (slice(box.y + box.h // 2 - 8, box.y + box.h // 2 + 8), slice(box.x - 8, box.x - 5))
    assert not fields_mask(layout)[beside].any()
    page[beside] = 0
    result = read_fields(page, layout, [_Fixed("1")])["dependents_specified_main"]
    assert result.value is None and not result.needs_review


class _SwallowsMarksWhenWide(_Fixed):
    """Reads ヤマザキ from a crop, unsure, and ヤマサキ, surely, from one stretched past
    2.5 times the narrowest crop it has seen."""

    def __init__(self) -> None:
        super().__init__("ヤマザキ", 0.9)
        self.narrowest = 10**6

    def read_line(self, image: np.ndarray, charset: str | None = None) -> list[OcrWord]:
        self.calls += 1
        self.narrowest = min(self.narrowest, image.shape[1])
        wide = image.shape[1] > 2.5 * self.narrowest
        text, confidence = ("ヤマサキ", 0.999) if wide else ("ヤマザキ", 0.9)
        pitch = image.shape[1] // len(text)
        return [OcrWord(ch, (i * pitch, 0, pitch, 20), confidence) for i, ch in enumerate(text)]


def test_triple_width_is_read_as_an_alternative_only() -> None:
    # At triple width a half-width voiced mark is often swallowed, surely: ﾔﾏｻﾞｷ read ヤマサキ.
    layout = load_layout(KYUYO)
    page = _text_at("spouse_kana", "ヤマザキ", 10)
    engine = _SwallowsMarksWhenWide()
    assert read_fields(page, layout, [engine])["spouse_kana"].value == "ヤマザキ"
    # Read at single and double width only: with no name beside it, nothing could confirm
    # a triple-width reading, and the widest crops cost the most to read.
    assert engine.calls == 2


def test_a_reading_at_another_stretch_a_character_off_the_name_is_repaired_in_review() -> None:
    # ﾔﾏｻﾞｷ ﾀﾞｲｷ: ヤマザキダ at the surest stretch, ヤマザキダキ at another (イ dropped).
    layout = load_layout(KYUYO)
    kana = _read("ヤマザキダ", 0.27)
    kana.alternatives = [_read("ヤマザキダキ", 0.18)]
    readings = {"recipient_name": _read("山崎　大樹", 0.99), "recipient_kana": kana}
    check_names(layout, readings)
    assert readings["recipient_kana"].text == "ヤマザキ　ダイキ"
    assert readings["recipient_kana"].partner_agrees is False  # put right, in review


def test_a_reading_at_another_stretch_the_whole_name_agrees_with_is_taken_in_review() -> None:
    # Blurred ｵｵﾀ ﾕｲﾅ: オオタ　ユ at the surest stretch, オオタ　ユイナ piece by piece. 結菜
    # has other readings too (ユナ, ユウナ), so the agreement is not certain.
    kana = _read("オオタ　ユ", 0.3)
    kana.alternatives = [_read("オオタ　ユイ", 0.4), _read("オオタ　ユイナ", 0.3)]
    taken = _checked("太田　結菜", kana)
    assert taken.text == "オオタ　ユイナ"
    assert taken.partner_agrees is False  # a guess: in review
    # Not where it would put another character in place of one read surely.
    kana = _read("オオタ　ユイカ", 0.95)
    kana.alternatives = [_read("オオタ　ユイナ", 0.3)]
    assert _checked("太田　結菜", kana).text == "オオタ　ユイカ"
    # Nor where the name agrees with the whole reading as read (太田 is オオダ too) ...
    kana = _read("オオダ　ユイナ", 0.6)
    kana.alternatives = [_read("オオタ　ユイナ", 0.5)]
    assert _checked("太田　結菜", kana).text == "オオダ　ユイナ"
    # ... nor with a reading put together character by character (大樹 as ダキ): the one
    # a character off the listed ダイキ is the repair.
    kana = _read("ヤマザキダ", 0.3)
    kana.alternatives = [_read("ヤマザキダキ", 0.1)]
    assert _checked("山崎　大樹", kana).text == "ヤマザキ　ダイキ"
    # Marks the triple-width reading swallowed and the others showed are put back: every
    # one of them (ヤマザキ　ダイキ), not just some (ヤマザキ　タイキ, ヤマサキ　ダイキ).
    kana = _read("ヤマザ　キダ", 0.3)
    kana.alternatives = [_read("ヤマザキダ", 0.15), _read("ヤマサ　キタイキ", 0.3)]
    assert _checked("山崎　大樹", kana).text == "ヤマザキ　ダイキ"
    # With no mark shown, it stays as that reading has it.
    kana = _read("ヤマサ　キタ", 0.3)
    kana.alternatives = [_read("ヤマサキタ", 0.15), _read("ヤマサ　キタイキ", 0.3)]
    assert _checked("山崎　大樹", kana).text == "ヤマサキ　タイキ"


def test_a_reading_put_right_keeps_the_voiced_mark_another_stretch_showed() -> None:
    # ﾀｶｷﾞ ｱｵｲ: タギ　オイ as read, タカ　キオイ at another stretch (ア dropped) is a
    # character off タカキ　アオイ; 高木 is タカギ too, and the first reading showed ギ.
    kana = _read("タギ　オイ", 0.22)
    kana.alternatives = [_read("タカ　キオイ", 0.2)]
    assert _checked("高木　葵", kana).text == "タカギ　アオイ"
    # Shown nowhere, the mark is not put in.
    kana = _read("タキ　オイ", 0.22)
    kana.alternatives = [_read("タカ　キオイ", 0.2)]
    assert _checked("高木　葵", kana).text == "タカキ　アオイ"


def test_a_surely_read_reading_is_not_put_right_to_the_names_only_listed_reading() -> None:
    # SudachiDict lists 颯太 as フウタ only; ソウタ, read surely, is how this one reads.
    def checked(kana: Reading) -> Reading:
        return _checked("竹内　颯太", kana)

    sure = checked(_read("タケウチ　ソウタ", 0.99))
    assert sure.text == "タケウチ　ソウタ" and sure.partner_agrees is False  # in review
    # Nor from an unsure reading at another stretch (ソ read ノ there).
    kana = _read("タケウチ　ソウタ", 0.99)
    kana.alternatives = [_read("タケウチ　ノウタ", 0.1)]
    assert checked(kana).text == "タケウチ　ソウタ"
    # Read unsurely, it is put right, in review: the ink may well be フ.
    unsure = checked(_read("タケウチ　ソウタ", 0.6))
    assert unsure.text == "タケウチ　フウタ" and unsure.partner_agrees is False


def _words(text: str, confidence: float) -> list[OcrWord]:
    return [OcrWord(ch, (i, 0, 1, 1), confidence) for i, ch in enumerate(text)]


def test_of_two_stretches_each_with_a_character_not_read_the_surer_rest_wins() -> None:
    # Blurred ｵｵﾀ ﾕｲﾅ: オ　ケ at single width, オオタ　ユ at double, each with a character
    # at noise level; the rest of the double-width reading is sure.
    single = [_words("オ", 0.002), _words("ケ", 0.003)]
    double = [[*_words("オオ", 1.0), *_words("タ", 0.82)], _words("ユ", 0.0007)]
    assert read_passes.surety(double) > read_passes.surety(single)
    # Above noise level the least certain character decides, as before.
    assert read_passes.surety([_words("オオタ", 0.3)]) > read_passes.surety(
        [[*_words("オオ", 1.0), *_words("タ", 0.2)]]
    )
    # A piece of ink read as nothing counts against the rest.
    assert read_passes.surety([_words("オオタ", 0.005), []]) < read_passes.surety(
        [_words("オオタ", 0.005), _words("ユ", 0.005)]
    )


def test_each_piece_of_a_reading_is_also_tried_at_the_stretch_it_reads_best() -> None:
    layout = load_layout(KYUYO)
    spec = layout.field("recipient_kana")
    blank = np.full((30, 60), 255, np.uint8)

    def pieces(stretch: float) -> list[read_plan.Piece]:
        return [read_plan.Piece(blank, None, stretch=stretch) for _ in range(2)]

    plan = read_plan.Plan(spec, field_box(spec), RULES["kana"], pieces=pieces(2.0))
    # ｳﾁﾀﾞ reads surely at double width, ｲﾁﾛｳ only at triple (as ﾁｭ at double).
    at_double = [_words("ウチダ", 0.99), _words("チュ", 0.2)]
    plan.other_stretches = [
        (pieces(1.0), [_words("ウチダ", 0.9), []]),
        (pieces(3.0), [_words("ウチタ", 0.5), _words("イチロウ", 1.0)]),
    ]
    mixed = read_passes.each_piece_at_its_best(plan, at_double)
    assert mixed is not None
    assert [p.stretch for p in mixed[0]] == [2.0, 3.0]
    assert ["".join(w.text for w in piece) for piece in mixed[1]] == ["ウチダ", "イチロウ"]

    # One stretch best for every piece: nothing new to try.
    plan.other_stretches[1] = (pieces(3.0), [_words("ウチタ", 0.5), _words("チロ", 0.1)])
    assert read_passes.each_piece_at_its_best(plan, at_double) is None
