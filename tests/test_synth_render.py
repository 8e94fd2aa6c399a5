"""Rendering: text stays in its box, samples are reproducible, files carry their dpi."""

from __future__ import annotations

import random
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from pdf2image import convert_from_path
from PIL import Image

from ocr.layout import FORM_IDS, load_layout
from ocr.synth import CONDITIONS, make_reject_sample, make_sample, write_sample
from ocr.synth.fonts import HANDWRITING_FONTS, PRINT_FONTS, FontMissing, font_spec
from ocr.synth.render import RENDER_DPI, draw_field, px
from ocr.synth.style import handwriting_style, printed_style
from ocr.synth.values import generate


def _ink_bbox(image: Image.Image) -> tuple[int, int, int, int] | None:
    grey = np.asarray(image.convert("L"))
    ys, xs = np.nonzero(grey < 200)
    if len(xs) == 0:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


@pytest.mark.parametrize("form_id", FORM_IDS)
@pytest.mark.parametrize("handwriting", [False, True])
def test_every_value_stays_inside_its_box(form_id: str, handwriting: bool) -> None:
    layout = load_layout(form_id)
    size = (round(px(layout.width_mm)), round(px(layout.height_mm)))
    fonts = HANDWRITING_FONTS if handwriting else PRINT_FONTS
    for seed in range(8):
        rng = random.Random(seed)
        filled = generate(form_id, random.Random(f"values:{form_id}:{seed}"))
        make_style = handwriting_style if handwriting else printed_style
        style = make_style(rng, fonts[seed % len(fonts)])
        for spec in layout.fields:
            value = filled.truth.get(spec.name)
            if value is None:
                continue
            canvas = Image.new("RGB", size, (255, 255, 255))
            draw_field(canvas, spec, value, filled.shown.get(spec.name), style, rng)
            bbox = _ink_bbox(canvas)
            assert bbox is not None, f"{spec.name}: nothing drawn"
            x, y, w, h = spec.box_mm
            box = (px(x), px(y), px(x + w), px(y + h))
            assert (
                bbox[0] >= box[0] - 1
                and bbox[1] >= box[1] - 1
                and bbox[2] <= box[2] + 1
                and bbox[3] <= box[3] + 1
            ), f"{form_id} seed {seed} {spec.name} {value!r} ({style.font}): ink {bbox} box {box}"


@pytest.mark.parametrize("condition", CONDITIONS)
def test_same_seed_same_sample(condition: str) -> None:
    first = make_sample("kyuyo_kojinbetsu", 7, condition)
    second = make_sample("kyuyo_kojinbetsu", 7, condition)
    assert first.truth == second.truth and first.font == second.font and first.dpi == second.dpi
    assert first.params == second.params
    assert np.array_equal(np.asarray(first.image), np.asarray(second.image))
    other = make_sample("kyuyo_kojinbetsu", 8, condition)
    assert other.truth != first.truth


def test_conditions_of_one_seed_share_their_truth() -> None:
    truths = [make_sample("nenkin_kojinbetsu", 3, c).truth for c in CONDITIONS]
    assert truths[0] == truths[1] == truths[2]


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_clean_sample_is_rgb_300dpi_blank_sized_and_fast(form_id: str) -> None:
    layout = load_layout(form_id)
    make_sample(form_id, 0)  # warm the font and blank caches
    start = time.perf_counter()
    sample = make_sample(form_id, 1)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0
    assert sample.image.mode == "RGB" and sample.dpi == RENDER_DPI
    with Image.open(layout.blank_image_path) as blank:
        assert sample.image.size == blank.size
        # The values add ink to the blank form.
        assert np.count_nonzero(np.asarray(sample.image.convert("L")) < 128) > np.count_nonzero(
            np.asarray(blank.convert("L")) < 128
        )
    assert sample.form_id == form_id and sample.condition == "clean" and sample.seed == 1


def test_printed_slips_use_print_fonts_and_the_shinkoku_handwriting() -> None:
    assert make_sample("kyuyo_kojinbetsu", 2).font in PRINT_FONTS
    assert make_sample("shinkoku_p1", 2).font in HANDWRITING_FONTS
    assert make_sample("kyuyo_kojinbetsu", 2, "handwritten").font in HANDWRITING_FONTS
    assert make_sample("kyuyo_kojinbetsu", 2, font="IPAex Mincho").font == "IPAex Mincho"


def test_degraded_samples_record_their_steps_and_vary() -> None:
    samples = [make_sample("kyuyo_kojinbetsu", s, "degraded") for s in range(12)]
    steps = [step["name"] for s in samples for step in s.params["degradations"]]
    assert all(s.params["degradations"] for s in samples)
    assert len(set(steps)) >= 8
    assert {s.dpi for s in samples} >= {300} and len({s.dpi for s in samples}) > 1
    for s in samples:
        assert 200 <= s.dpi <= 600


def test_missing_font_names_the_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    from ocr.synth import fonts

    spec = fonts.FONTS["Klee One"]
    monkeypatch.setitem(
        fonts.FONTS, "Klee One", type(spec)(**{**spec.__dict__, "path": Path("/nonexistent.ttf")})
    )
    with pytest.raises(FontMissing, match="apt-get install fonts-klee"):
        font_spec("Klee One")


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".tif", ".pdf"])
def test_written_files_reopen_at_their_size_and_dpi(tmp_path: Path, suffix: str) -> None:
    sample = make_sample("nenkin_kojinbetsu", 4, "degraded")
    path = write_sample(sample, tmp_path / f"s{suffix}")
    if suffix == ".pdf":
        (page,) = convert_from_path(path, dpi=sample.dpi)
        assert abs(page.width - sample.image.width) <= 2
        assert abs(page.height - sample.image.height) <= 2
        return
    with Image.open(path) as image:
        assert image.size == sample.image.size
        assert round(image.info["dpi"][0]) == sample.dpi


def test_format_argument_overrides_the_suffix(tmp_path: Path) -> None:
    sample = make_sample("kyuyo_kojinbetsu", 0)
    path = write_sample(sample, tmp_path / "page.bin", fmt="tif")
    with Image.open(path) as image:
        assert image.format == "TIFF"


def _laplacian_variance(image: Image.Image) -> float:
    return float(cv2.Laplacian(np.asarray(image.convert("L")), cv2.CV_64F).var())


def test_reject_samples_have_their_defect() -> None:
    blank = make_reject_sample("blank", 1)
    assert blank.truth == {} and blank.form_id == ""
    assert np.count_nonzero(np.asarray(blank.image.convert("L")) < 128) < 100

    blurred = make_reject_sample("blurred", 1)
    sharp = make_sample(blurred.form_id, 1)
    assert _laplacian_variance(blurred.image) < _laplacian_variance(sharp.image) / 10

    low = make_reject_sample("low_dpi", 1)
    assert low.dpi < 200 and low.form_id in FORM_IDS

    skewed = make_reject_sample("skewed", 1)
    assert abs(skewed.params["degrees"]) > 10

    unrelated = make_reject_sample("unrelated", 1)
    assert unrelated.form_id == "" and _ink_bbox(unrelated.image) is not None


def test_without_handwriting_fonts_the_error_lists_the_packages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ocr.synth import fonts

    for name in HANDWRITING_FONTS:
        spec = fonts.FONTS[name]
        missing = type(spec)(**{**spec.__dict__, "path": Path("/nonexistent.ttf")})
        monkeypatch.setitem(fonts.FONTS, name, missing)
    with pytest.raises(FontMissing, match="fonts-klee"):
        make_sample("shinkoku_p1", 0)
    # Printed slips do not need them.
    assert make_sample("kyuyo_kojinbetsu", 0).font in PRINT_FONTS


def test_a_fax_like_scan_is_written_as_a_group4_tiff(tmp_path: Path) -> None:
    sample = next(
        s
        for s in (make_sample("kyuyo_kojinbetsu", seed, "degraded") for seed in range(200))
        if s.params["degradations"][-1]["name"] == "fax"
    )
    path = write_sample(sample, tmp_path / "fax.tif")
    with Image.open(path) as image:
        assert image.mode == "1" and image.info["compression"] == "group4"
        assert image.size == sample.image.size and round(image.info["dpi"][0]) == sample.dpi
        assert np.array_equal(np.asarray(image.convert("RGB")), np.asarray(sample.image))


def test_a_faded_page_faxed_keeps_its_writing() -> None:
    from ocr.synth.degrade import faded, fax

    page = Image.new("RGB", (400, 100), "white")
    page.paste((0, 0, 0), (20, 20, 380, 30))  # a printed rule
    page.paste((60, 60, 60), (20, 60, 380, 66))  # pencil-grey writing
    rng = np.random.default_rng(0)
    weak = faded(page, 300, rng, strength=0.6)
    assert np.asarray(weak.convert("L")).min() > 127  # a fixed cut at 127 would erase all
    out = np.asarray(fax(weak, 300, rng, threshold=127).convert("L"))
    assert set(np.unique(out)) == {0, 255}
    assert (out[60:66, 20:380] == 0).all() and (out[20:30, 20:380] == 0).all()
    assert (out[40:55] == 255).all()
    # On a page with black ink the cut is the one asked for.
    plain = np.asarray(fax(page, 300, rng, threshold=50).convert("L"))
    assert (plain[60:66, 20:380] == 255).all() and (plain[20:30, 20:380] == 0).all()


@pytest.mark.parametrize("font", [*PRINT_FONTS, "Kiloji"])
def test_small_text_keeps_every_stroke(font: str) -> None:
    """FreeType's hinting of some fonts drops whole bars of 三 (or of 田, 下, 子) at small
    pixel sizes (IPAex Mincho's 三 at 24 px kept a fifth of its ink); a printed slip never
    does."""
    from dataclasses import replace

    spec = next(s for s in load_layout("kyuyo_kojinbetsu").fields if s.name == "payer_name")
    make_style = printed_style if font in PRINT_FONTS else handwriting_style
    base = replace(make_style(random.Random(0), font), ink=(0, 0, 0), slant=0.0, heavy=False)
    for size_px in range(16, 40, 2):
        style = replace(base, size_mm=size_px * 25.4 / RENDER_DPI)
        page = Image.new("RGB", (round(px(180)), round(px(120))), "white")
        draw_field(page, spec, "三", None, style, random.Random(1))
        darkness = (255 - np.asarray(page.convert("L"), dtype=float)).sum(axis=1)
        bars = darkness > 0.4 * darkness.max()
        assert int(bars[0]) + int(np.count_nonzero(bars[1:] & ~bars[:-1])) == 3, size_px
