"""The glyph test for variants the recogniser cannot write (﨑 read as 崎), on real crops
read by the real PP-OCR engine, and through the whole field reader."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ocr import read_confidence
from ocr.engines.base import OcrEngine
from ocr.engines.registry import load_engine
from ocr.layout import load_layout
from ocr.read_glyphs import TEMPLATES_PATH, with_variants
from ocr.read_ink import field_box
from ocr.readers import read_fields
from ocr.synth.fonts import HANDWRITING_FONTS, PRINT_FONTS, has_glyph, pil_font

#: A 10-point name at 300 dpi: the height the slips print names at.
NAME_PX = 40


@cache
def _ppocr() -> OcrEngine:
    return load_engine("ppocr")


def _line(text: str, font: str, px: int = NAME_PX) -> np.ndarray:
    """``text`` drawn as a scanned line crop: black on white, a margin around it."""
    image = Image.new("L", (px * (len(text) + 1), px * 2), 255)
    ImageDraw.Draw(image).text((px // 2, px // 2), text, font=pil_font(font, px), fill=0)
    return np.asarray(image)


def _read(text: str, font: str) -> str:
    crop = _line(text, font)
    words = _ppocr().read_line(crop)
    assert "".join(w.text for w in words) == text.replace("﨑", "崎")  # what the engine sees
    return "".join(w.text for w in with_variants(crop, words))


@pytest.mark.slow
@pytest.mark.parametrize("font", PRINT_FONTS)
def test_a_printed_variant_the_recogniser_lacks_is_told_by_its_glyph(font: str) -> None:
    assert _read("山﨑", font) == "山﨑"
    assert _read("宮﨑", font) == "宮﨑"


@pytest.mark.slow
@pytest.mark.parametrize("font", PRINT_FONTS + HANDWRITING_FONTS)
def test_the_common_form_stays_itself_in_print_and_handwriting(font: str) -> None:
    assert _read("山崎", font) == "山崎"
    assert _read("長崎", font) == "長崎"


def test_words_without_a_stand_in_are_returned_untouched() -> None:
    words = _ppocr().read_line(_line("山田", PRINT_FONTS[0]))
    assert with_variants(np.zeros((1, 1), np.uint8), words) is words


@pytest.mark.slow
def test_a_name_read_with_the_variant_stays_in_review(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read_confidence, "THRESHOLDS", {})
    monkeypatch.setattr(read_confidence, "DEFAULT_THRESHOLD", 0.9)
    layout = load_layout("kyuyo_kojinbetsu")
    image = Image.open(layout.blank_image_path).convert("L")
    box = field_box(layout.field("recipient_name"))
    font = pil_font("IPAex Mincho", 30)
    ImageDraw.Draw(image).text(
        (box.x + 12, box.y + box.h // 2), "山﨑　大樹", font=font, fill=0, anchor="lm"
    )
    results = read_fields(np.asarray(image), layout, [_ppocr()])
    assert results["recipient_name"].value == "山﨑　大樹"
    assert results["recipient_name"].needs_review


def test_the_shipped_templates_are_what_the_script_draws() -> None:
    spec = importlib.util.spec_from_file_location(
        "make_variant_glyphs", Path(__file__).parent.parent / "scripts" / "make_variant_glyphs.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    with np.load(TEMPLATES_PATH) as shipped:
        pairs = shipped["U+5D0E"]
    fonts = [f for f in PRINT_FONTS if has_glyph(f, "崎") and has_glyph(f, "﨑")]
    assert pairs.shape == (len(fonts), 2, 32, 32)
    for pair, font in zip(pairs, fonts, strict=True):
        assert np.array_equal(pair[0], script.drawn(font, "崎"))
        assert np.array_equal(pair[1], script.drawn(font, "﨑"))
