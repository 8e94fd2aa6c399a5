"""OCR engine registry (R22, R24) and smoke tests of the real engines on a field crop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from intake.errors import ConfigurationError
from intake.settings import get_settings
from ocr.engines import networks, registry
from ocr.engines.ppocr import PpOcrEngine, default_rec_model
from ocr.engines.tesseract import find_tessdata
from ocr.engines.variants import folded_forms, japanese_forms
from ocr.layout import load_layout
from ocr.read_ink import cut, field_box, layout_mask

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


class _Retaining:
    name = "retaining"
    retains_input = True
    learns_from_input = False

    def read_line(self, image: np.ndarray, charset: str | None = None) -> list:
        return []


class _Learning(_Retaining):
    retains_input = False
    learns_from_input = True


class _Undeclared:
    name = "undeclared"

    def read_line(self, image: np.ndarray, charset: str | None = None) -> list:
        return []


@pytest.mark.parametrize("cls", [_Retaining, _Learning, _Undeclared])
def test_registry_refuses_engines_that_keep_or_learn_from_input(monkeypatch, cls) -> None:
    # R22: refused by class attribute, before the engine is even constructed.
    monkeypatch.setitem(registry.ENGINES, "bad", cls)
    with pytest.raises(ConfigurationError, match="R22"):
        registry.load_engine("bad")


def test_registry_refuses_unknown_engine() -> None:
    with pytest.raises(ConfigurationError, match="unknown OCR engine"):
        registry.load_engine("cloud-ocr")


def test_registered_engines_declare_no_retention() -> None:
    engines: list[Any] = list(registry.ENGINES.values())
    for cls in engines:
        assert cls.retains_input is False
        assert cls.learns_from_input is False


def test_missing_model_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not found"):
        PpOcrEngine(rec_model=tmp_path / "missing.onnx")


def test_missing_tesseract_language_names_the_package(monkeypatch) -> None:
    monkeypatch.delenv("TESSDATA_PREFIX", raising=False)
    with pytest.raises(ConfigurationError, match="tesseract-ocr-xxx"):
        find_tessdata("xxx")


def _amount_crop(text: str) -> np.ndarray:
    """``text`` printed in the 支払金額 box of a blank 給与支払報告書, cut out again."""
    layout = load_layout("kyuyo_kojinbetsu")
    blank = Image.open(layout.blank_image_path).convert("L")
    box = field_box(layout.field("payment_amount"))
    font = ImageFont.truetype(FONT, 28)
    ImageDraw.Draw(blank).text(
        (box.x + box.w - 10, box.y + box.h // 2), text, font=font, fill=0, anchor="rm"
    )
    page = np.asarray(blank)
    return cut(page, layout_mask(layout), box).image


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(registry.ENGINES))
def test_engine_reads_an_amount_crop(name: str) -> None:
    engine = registry.load_engine(name)
    crop = _amount_crop("4,850,000")
    words = engine.read_line(crop, charset="0123456789,")
    assert "".join(w.text for w in words).replace(",", "") == "4850000"
    assert all(0.0 <= w.confidence <= 1.0 for w in words)
    assert all(0 <= w.bbox[0] < crop.shape[1] for w in words)


@pytest.mark.slow
def test_ppocr_unrestricted_keeps_commas_and_restricted_cannot_invent_letters() -> None:
    engine = registry.load_engine("ppocr")
    crop = _amount_crop("4,850,000")
    assert "".join(w.text for w in engine.read_line(crop)) == "4,850,000"
    kanji = _amount_crop("山田")
    # Masked to digits, kanji ink can only give low-probability digits or nothing.
    assert all(w.confidence < 0.5 for w in engine.read_line(kanji, charset="0123456789"))


def test_unknown_runtime_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown OCR runtime"):
        PpOcrEngine(runtime="cloud")


@pytest.mark.parametrize(("bfloat16", "chosen"), [(True, "openvino"), (False, "onnxruntime")])
def test_the_default_runtime_follows_the_cpu(
    monkeypatch: pytest.MonkeyPatch, bfloat16: bool, chosen: str
) -> None:
    monkeypatch.setattr(networks, "cpu_has_bfloat16", lambda: bfloat16)
    assert networks.auto_runtime() == chosen


@pytest.mark.slow
def test_the_default_runtime_loads_the_network_this_cpu_runs_best() -> None:
    network = networks.load_network(default_rec_model(), networks.AUTO)
    if networks.cpu_has_bfloat16():
        assert network.description == "OpenVINO bfloat16"
    else:
        assert network.description == "ONNX Runtime float32"
    assert get_settings().ocr_runtime == networks.AUTO


def test_openvino_pads_to_few_widths_and_never_cuts_a_line() -> None:
    widths = [networks.stepped_width(w) for w in range(1, 4001)]
    assert all(p >= w and p % 8 == 0 for w, p in zip(range(1, 4001), widths, strict=True))
    # Padding stays within the step (plus one frame): never a long tail of zeros.
    assert all(
        p <= max(networks.SMALLEST_WIDTH, w * networks.WIDTH_STEP + 8)
        for w, p in zip(range(1, 4001), widths, strict=True)
    )
    # Few shapes, so that OpenVINO's plans (one per shape) stay few and memory bounded.
    assert len(set(widths)) <= 30


def test_openvino_calls_take_every_line_within_the_pixel_budget() -> None:
    for lines in range(1, 17):
        for width in (96, 256, 296, 880, 1936, 5000):
            sizes = networks.call_sizes(lines, width)
            assert sum(sizes) == lines
            assert set(sizes) <= set(networks.BATCH_SIZES)
            assert all(s == 1 or s * width <= networks.MAX_CALL_PIXELS for s in sizes)
    assert networks.call_sizes(13, 96) == [4, 4, 4, 1]
    assert networks.call_sizes(3, 880) == [1, 1, 1]


@pytest.mark.slow
def test_openvino_reads_a_batch_in_pieces_as_a_whole() -> None:
    network = networks.load_network(default_rec_model(), "openvino")
    batch = np.random.default_rng(1).uniform(-1, 1, (13, 3, 48, 160)).astype(np.float32)
    whole = network.run(batch)
    assert whole.shape[0] == 13
    for i in (0, 7, 12):  # in the pieces of 4, 4, 4 and 1
        alone = network.run(batch[i : i + 1])
        assert np.allclose(whole[i], alone[0], atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("runtime", sorted(networks.RUNTIMES))
def test_runtimes_read_the_same_amounts(runtime: str) -> None:
    engine = PpOcrEngine(runtime=runtime)
    crops = [_amount_crop(t) for t in ("1,000", "98,700", "12,345,678")]
    words = engine.read_lines(crops, ["0123456789,"] * 3)
    assert ["".join(w.text for w in ws) for ws in words] == ["1,000", "98,700", "12,345,678"]
    assert all(w.confidence > 0.9 for ws in words for w in ws)


@pytest.mark.slow
def test_ppocr_batch_equals_single_calls() -> None:
    engine = PpOcrEngine()
    crops = [_amount_crop(t) for t in ("1,000", "98,700", "12,345,678")]
    batch = engine.read_lines(crops, ["0123456789,"] * 3)
    single = [engine.read_line(c, "0123456789,") for c in crops]
    assert ["".join(w.text for w in ws) for ws in batch] == ["1,000", "98,700", "12,345,678"]
    assert [[w.text for w in ws] for ws in batch] == [[w.text for w in ws] for ws in single]


def _decoder(characters: str) -> PpOcrEngine:
    """A PpOcrEngine with a tiny character list and no network: for decoding logic only."""
    engine = PpOcrEngine.__new__(PpOcrEngine)
    engine._classes = ["", *characters, " "]
    engine._index = {ch: i for i, ch in enumerate(engine._classes) if i}
    engine._masks = {}
    engine._folds = {}
    engine._folded_forms = folded_forms()
    return engine


def _frames(engine: PpOcrEngine, rows: list[dict[str, float]]) -> np.ndarray:
    """CTC probabilities, one frame per row; what a row leaves out goes to the blank."""
    probs = np.zeros((len(rows), len(engine._classes)), dtype=np.float32)
    for t, row in enumerate(rows):
        for ch, p in row.items():
            probs[t, engine._index[ch]] = p
        probs[t, 0] = 1.0 - sum(row.values())
    return probs


def test_ppocr_a_character_nearly_read_between_two_makes_them_uncertain() -> None:
    engine = _decoder("0123")
    clear = _frames(engine, [{"1": 0.99}, {}, {"2": 0.99}, {}])
    doubtful = _frames(engine, [{"1": 0.99}, {"3": 0.45}, {"2": 0.99}, {}])
    sure = engine._decode(clear, "0123", (10, 40), 1.0)
    unsure = engine._decode(doubtful, "0123", (10, 40), 1.0)
    # The blank wins the middle frame both times: the same text, but not the same doubt.
    assert [w.text for w in sure] == [w.text for w in unsure] == ["1", "2"]
    assert min(w.confidence for w in sure) > 0.98
    assert unsure[1].confidence == pytest.approx(0.55)


def test_ppocr_a_space_between_characters_is_no_doubt() -> None:
    engine = _decoder("山田")
    probs = _frames(engine, [{"山": 0.99}, {" ": 0.9}, {"田": 0.99}])
    words = engine._decode(probs, "山田", (10, 30), 1.0)
    assert [w.text for w in words] == ["山", "田"]
    assert min(w.confidence for w in words) > 0.98


def test_ppocr_padding_frames_are_not_read() -> None:
    engine = _decoder("0123")
    # The crop fills half of the batch width; the padded half holds a stray '3'.
    probs = _frames(engine, [{"1": 0.99}, {}, {"3": 0.45}, {"3": 0.9}])
    words = engine._decode(probs, "0123", (10, 20), 0.5)
    assert [w.text for w in words] == ["1"]
    assert words[0].confidence > 0.98


def test_ppocr_an_uncertain_character_carries_the_next_guesses() -> None:
    engine = _decoder("山田由甲")
    probs = _frames(engine, [{"山": 0.999}, {}, {"田": 0.6, "由": 0.3, "甲": 0.001}, {}])
    words = engine._decode(probs, None, (10, 40), 1.0)
    assert [w.text for w in words] == ["山", "田"]
    assert words[0].alternatives == ()  # sure enough: no guesses kept
    # Likeliest first; the blank, the space and the improbable are no alternative.
    assert [ch for ch, _ in words[1].alternatives] == ["由"]
    assert words[1].alternatives[0][1] == pytest.approx(0.3)


def test_ppocr_a_chinese_form_masked_out_counts_for_the_japanese_character() -> None:
    engine = _decoder("主査查丘")
    # 查 (Chinese) took most of what was 査: masked to Shift_JIS, 査 keeps it ...
    probs = _frames(engine, [{"主": 0.999}, {}, {"查": 0.95, "査": 0.04}, {}])
    words = engine._decode(probs, "主査丘", (10, 40), 1.0)
    assert [w.text for w in words] == ["主", "査"]
    assert words[1].confidence == pytest.approx(0.99)
    # ... but not a character that merely looks alike, nor one the field may hold itself.
    probs = _frames(engine, [{"主": 0.999}, {}, {"丘": 0.95, "査": 0.04}, {}])
    assert engine._decode(probs, "主査", (10, 40), 1.0)[1].confidence == pytest.approx(0.04)
    probs = _frames(engine, [{"主": 0.999}, {}, {"查": 0.95, "査": 0.04}, {}])
    assert engine._decode(probs, "主査查", (10, 40), 1.0)[1].text == "查"


def test_ppocr_a_kanji_read_for_a_katakana_is_that_katakana_in_a_kana_field() -> None:
    engine = _decoder("才夕オタ")
    # A blurred half-width ｵｵﾀ: the network answers 才才夕, its kana a trace beside them.
    probs = _frames(
        engine,
        [{"才": 0.97, "オ": 0.01}, {}, {"才": 0.6, "オ": 0.01}, {}, {"夕": 0.4, "タ": 0.3}, {}],
    )
    words = engine._decode(probs, "オタ", (10, 60), 1.0)
    assert [w.text for w in words] == ["オ", "オ", "タ"]
    assert [round(w.confidence, 2) for w in words] == [0.98, 0.61, 0.7]
    # Where the field may hold the kanji (a name), it stays the kanji.
    assert [w.text for w in engine._decode(probs, "才夕オタ", (10, 60), 1.0)] == ["才", "才", "夕"]


def test_the_packaged_tables_know_chinese_forms_of_japanese_characters() -> None:
    forms = japanese_forms()
    assert forms["查"] == "査"  # the Japanese form of a traditional character
    assert forms["宫"] == "宮"  # simplified, whose traditional form is the Japanese one
    assert forms["龄"] == "齢"  # simplified → traditional 齡 → Japanese 齢
    assert "发" not in forms  # 發 or 髮: no telling


def test_ppocr_a_character_smeared_into_the_next_frame_is_no_doubt() -> None:
    engine = _decoder("9番")
    # 9 again in the frame touching it would merge into the same 9: no character missed.
    smeared = _frames(engine, [{"9": 0.95}, {"9": 0.46}, {}, {"番": 0.999}, {}])
    words = engine._decode(smeared, "9番", (10, 50), 1.0)
    assert [w.text for w in words] == ["9", "番"]
    assert min(w.confidence for w in words) > 0.9
    # A blank between them, and it could be a second 9 (99番): that is doubt.
    apart = _frames(engine, [{"9": 0.95}, {}, {"9": 0.46}, {}, {"番": 0.999}, {}])
    words = engine._decode(apart, "9番", (10, 60), 1.0)
    assert [w.text for w in words] == ["9", "番"]
    assert words[1].confidence == pytest.approx(0.54)
