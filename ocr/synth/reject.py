"""Pages the capture-quality check must refuse (R11): blank, blurred, low resolution,
unrelated, badly skewed. Each has no truth."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from ocr.layout import FORM_IDS
from ocr.synth import degrade
from ocr.synth.fonts import PRINT_FONTS, pil_font
from ocr.synth.render import RENDER_DPI, px
from ocr.synth.sample import Sample, make_sample

REJECT_KINDS = ("blank", "blurred", "low_dpi", "unrelated", "skewed")


def make_reject_sample(kind: str, seed: int) -> Sample:
    """A page of ``kind`` that the capture check should refuse; ``truth`` is empty.

    ``form_id`` names the form the page was made from, or "" for blank and unrelated pages.
    ``params`` records what was done (blur radius, dpi, angle …).
    """
    rng = random.Random(f"reject:{kind}:{seed}")
    params: dict[str, Any]
    if kind == "blank":
        image, form_id, params = _blank(rng, seed), "", {}
        dpi = RENDER_DPI
    elif kind == "unrelated":
        image, form_id, params = _unrelated(rng), "", {}
        dpi = RENDER_DPI
    elif kind in ("blurred", "low_dpi", "skewed"):
        form_id = rng.choice(FORM_IDS)
        base = make_sample(form_id, seed)
        image, dpi = base.image, base.dpi
        if kind == "blurred":
            radius_mm = rng.uniform(0.5, 1.0)
            image = image.filter(ImageFilter.GaussianBlur(px(radius_mm)))
            params = {"blur_radius_mm": radius_mm}
        elif kind == "low_dpi":
            new_dpi = rng.choice((72, 96, 100, 120, 150))
            image, dpi = degrade.resolution(image, dpi, new_dpi)
            params = {"dpi": new_dpi}
        else:
            angle = rng.choice((-1, 1)) * rng.uniform(12, 30)
            image = image.rotate(angle, expand=True, fillcolor=(255, 255, 255))
            params = {"degrees": angle}
    else:
        raise ValueError(f"unknown reject kind {kind!r}; known: {', '.join(REJECT_KINDS)}")
    return Sample(
        image=image.convert("RGB"),
        dpi=dpi,
        truth={},
        form_id=form_id,
        font="",
        condition=f"reject:{kind}",
        seed=seed,
        params=params,
    )


def _blank(rng: random.Random, seed: int) -> Image.Image:
    """An empty A4 sheet with paper grain and a speck or two of dust."""
    width, height = round(px(210)), round(px(297))
    noise_rng = np.random.default_rng(seed)
    paper = 250 + noise_rng.normal(0, 1.5, (height, width))
    image = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(0, 3)):
        x, y = rng.randrange(width), rng.randrange(height)
        draw.ellipse((x, y, x + 3, y + 3), fill=(90, 90, 90))
    return image


def _unrelated(rng: random.Random) -> Image.Image:
    """A printed letter (お知らせ) that is none of the forms."""
    width, height = round(px(210)), round(px(297))
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    font_name = rng.choice(PRINT_FONTS)
    title = pil_font(font_name, round(px(7)))
    body = pil_font(font_name, round(px(3.5)))
    draw.text(
        (width / 2, px(30)),
        rng.choice(("お知らせ", "ご案内", "請求書", "納品書")),
        font=title,
        fill=(20, 20, 20),
        anchor="mm",
    )
    phrases = (
        "拝啓　時下ますますご清祥のこととお喜び申し上げます。",
        "下記のとおりご案内いたします。",
        "ご不明な点がございましたらお問い合わせください。",
        "記",
        "以上",
        "敬具",
        "日時　令和７年４月１日（火）午前１０時から",
        "場所　市民会館　大会議室",
    )
    y = px(50)
    while y < height - px(40):
        draw.text((px(25), y), rng.choice(phrases), font=body, fill=(20, 20, 20))
        y += px(rng.choice((7, 7, 7, 14)))
    return image
