"""The glyph test for variants the recogniser does not tell from their common form (﨑 and
髙 read as 崎 and 高), on crops read by the real PP-OCR engine, and through the reader."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from ocr import read_confidence, readers
from ocr.engines.base import OcrEngine
from ocr.engines.registry import load_engine
from ocr.layout import load_layout
from ocr.read_glyphs import TEMPLATES_PATH, VARIANT_PAIRS, Settled, settle_variants
from ocr.read_ink import field_box
from ocr.readers import read_fields
from ocr.synth.fonts import HANDWRITING_FONTS, PRINT_FONTS, has_glyph, pil_font

#: A 10-point name at 300 dpi, about the height the slips print names at. (At some sizes
#: a font's 﨑 comes out too near its 崎 to be settled: it stays as read, in review.)
NAME_PX = 34


@cache
def _ppocr() -> OcrEngine:
    return load_engine("ppocr")


def _line(text: str, font: str, px: int = NAME_PX) -> np.ndarray:
    """``text`` drawn as a scanned line crop: black on white, a margin around it."""
    image = Image.new("L", (px * (len(text) + 1), px * 2), 255)
    ImageDraw.Draw(image).text((px // 2, px // 2), text, font=pil_font(font, px), fill=0)
    return np.asarray(image)


def _settle(text: str, font: str) -> Settled:
    crop = _line(text, font)
    words = _ppocr().read_line(crop)
    read = "".join(w.text for w in words)
    assert read == text.replace("﨑", "崎") or read == text.replace("髙", "高")  # as it sees
    return settle_variants(crop, words)


def _text(settled: Settled) -> str:
    return "".join(w.text for w in settled.words)


@pytest.mark.slow
@pytest.mark.parametrize("font", PRINT_FONTS)
@pytest.mark.parametrize(
    ("names", "sure"),
    [(("山﨑", "宮﨑", "髙橋", "髙木"), False), (("山崎", "長崎", "高橋", "高木"), True)],
    ids=["the variant stays in doubt", "the common form is sure"],
)
def test_a_printed_form_is_told_by_its_glyph(font: str, names: tuple[str, ...], sure: bool) -> None:
    for name in names:
        settled = _settle(name, font)
        assert _text(settled) == name
        assert settled.sure is sure


@pytest.mark.slow
@pytest.mark.parametrize("font", HANDWRITING_FONTS)
def test_handwriting_never_turns_the_common_form_into_the_variant_for_sure(font: str) -> None:
    for name in ("山崎", "長崎", "高橋"):
        settled = _settle(name, font)
        assert _text(settled) == name or not settled.sure


def _scanned_badly(crop: np.ndarray, blur: float) -> np.ndarray:
    """``crop`` as a 180-dpi scan of a 300-dpi print, blurred."""
    h, w = crop.shape
    small = cv2.resize(crop, (w * 3 // 5, h * 3 // 5), interpolation=cv2.INTER_AREA)
    return cv2.GaussianBlur(cv2.resize(small, (w, h)), (0, 0), blur)


@pytest.mark.slow
def test_a_blurred_variant_most_fonts_agree_on_is_taken_in_doubt() -> None:
    # Its own font's drawings of the two forms are about as close; the others' favour 﨑.
    crop = _scanned_badly(_line("山﨑", "Noto Serif CJK JP"), 1.0)
    settled = settle_variants(crop, _ppocr().read_line(crop))
    assert _text(settled) == "山﨑"
    assert not settled.sure


@pytest.mark.slow
@pytest.mark.parametrize("font", PRINT_FONTS)
@pytest.mark.parametrize("blur", [1.0, 1.5, 2.0])
def test_a_blurred_common_form_never_becomes_the_variant(font: str, blur: float) -> None:
    for name in ("山崎", "長崎"):
        crop = _scanned_badly(_line(name, font), blur)
        assert _text(settle_variants(crop, _ppocr().read_line(crop))) == name


def test_words_without_a_pair_are_returned_untouched() -> None:
    words = _ppocr().read_line(_line("山田", PRINT_FONTS[0]))
    settled = settle_variants(np.zeros((1, 1), np.uint8), words)
    assert settled.words is words and settled.sure


@pytest.mark.slow
@pytest.mark.parametrize(("written", "doubt"), [("山﨑　大樹", True), ("山崎　大樹", False)])
def test_a_name_with_a_variant_stays_in_review(
    monkeypatch: pytest.MonkeyPatch, written: str, doubt: bool
) -> None:
    monkeypatch.setattr(read_confidence, "THRESHOLDS", {})
    monkeypatch.setattr(read_confidence, "DEFAULT_THRESHOLD", 0.9)
    layout = load_layout("kyuyo_kojinbetsu")
    image = Image.open(layout.blank_image_path).convert("L")
    box = field_box(layout.field("recipient_name"))
    font = pil_font("IPAex Mincho", 30)
    ImageDraw.Draw(image).text(
        (box.x + 12, box.y + box.h // 2), written, font=font, fill=0, anchor="lm"
    )
    results = read_fields(np.asarray(image), layout, [_ppocr()])
    assert results["recipient_name"].value == written
    assert (results["recipient_name"].confidence <= readers.VARIANT_CONFIDENCE) is doubt


def test_the_shipped_templates_are_what_the_script_draws() -> None:
    spec = importlib.util.spec_from_file_location(
        "make_variant_glyphs", Path(__file__).parent.parent / "scripts" / "make_variant_glyphs.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    for common, variant in VARIANT_PAIRS:
        with np.load(TEMPLATES_PATH) as shipped:
            pairs = shipped[f"U+{ord(common):04X}"]
        fonts = [f for f in PRINT_FONTS if has_glyph(f, common) and has_glyph(f, variant)]
        assert pairs.shape == (len(fonts), 2, 32, 32)
        for pair, font in zip(pairs, fonts, strict=True):
            assert np.array_equal(pair[0], script.drawn(font, common))
            assert np.array_equal(pair[1], script.drawn(font, variant))
