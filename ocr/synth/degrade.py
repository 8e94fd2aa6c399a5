"""Scan defects, each a small function image + rng + parameters → image.

A *plan* is the list of steps drawn for one sample (``random_plan``); its parameters are
recorded in the sample so a failure can be reproduced and explained. Two steps change how the
values are written rather than the image (``offset_print``, ``blue_ink``); ``resolution``
changes the dpi.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from ocr.synth.fonts import PRINT_FONTS, pil_font
from ocr.synth.style import PEN_BLUE, Style

A4_MM = (210.0, 297.0)
#: Steps applied to the writing style before rendering, not to the image.
STYLE_STEPS = frozenset({"offset_print", "blue_ink"})
#: Rows processed at a time by per-pixel numpy steps, to bound memory.
_BAND_ROWS = 512


@dataclass(frozen=True)
class Step:
    name: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def random_plan(rng: random.Random, page_width_mm: float) -> list[Step]:
    """A random combination of defects, in the order a real scan would produce them."""
    plan: list[Step] = []

    def maybe(probability: float, name: str, **params: Any) -> None:
        if rng.random() < probability:
            plan.append(Step(name, params))

    maybe(0.15, "offset_print", dx_mm=rng.uniform(-1.2, 1.2), dy_mm=rng.uniform(-0.8, 0.8))
    maybe(0.15, "blue_ink")
    maybe(
        0.2,
        "stamp",
        x_frac=rng.uniform(0.55, 0.9),
        y_frac=rng.uniform(0.6, 0.9),
        diameter_mm=rng.uniform(10, 16),
        angle=rng.uniform(-20, 20),
    )
    maybe(0.25, "faded", strength=rng.uniform(0.35, 0.65))
    if page_width_mm < A4_MM[0]:
        maybe(
            0.3,
            "place_on_page",
            x_frac=rng.random(),
            y_frac=rng.random(),
            grey=rng.choice((255, 255, 235, 215)),
        )
    maybe(0.4, "scale", factor=rng.uniform(0.95, 1.05))
    maybe(0.5, "offset", dx_mm=rng.uniform(-5, 5), dy_mm=rng.uniform(-5, 5))
    maybe(0.7, "rotate", degrees=rng.uniform(-3, 3))
    maybe(0.1, "upside_down")
    maybe(0.6, "resolution", dpi=rng.choice((200, 240, 300, 400, 600)))
    scan = rng.random()  # colour, grey or neither: a scanner produces one of them
    if scan < 0.4:
        tint = [rng.randint(-12, 0), rng.randint(-10, 0), rng.randint(-25, -5)]
        plan.append(Step("colour_scan", {"tint": tint}))
    elif scan < 0.7:
        plan.append(Step("grey_scan"))
    maybe(0.4, "blur", radius_mm=rng.uniform(0.04, 0.12))
    maybe(0.5, "noise", sigma=rng.uniform(3, 14))
    maybe(0.12, "fax", threshold=rng.randint(120, 180))
    maybe(0.5, "jpeg", quality=rng.randint(50, 90))
    if len(plan) < 2:
        plan.append(Step("rotate", {"degrees": rng.uniform(-3, 3)}))
        plan.append(Step("noise", {"sigma": rng.uniform(3, 10)}))
    return plan


def apply_to_style(style: Style, plan: list[Step]) -> Style:
    """The writing style with the plan's style steps applied."""
    for step in plan:
        if step.name == "offset_print":
            style = replace(style, offset_mm=(step.params["dx_mm"], step.params["dy_mm"]))
        elif step.name == "blue_ink":
            style = replace(style, ink=PEN_BLUE)
    return style


def apply(
    image: Image.Image, dpi: int, plan: list[Step], rng: np.random.Generator
) -> tuple[Image.Image, int]:
    """Run the image steps of ``plan``; returns the image and its (possibly new) dpi."""
    for step in plan:
        if step.name in STYLE_STEPS:
            continue
        if step.name == "resolution":
            image, dpi = resolution(image, dpi, step.params["dpi"])
            continue
        image = _STEPS[step.name](image, dpi, rng, **step.params)
    return image.convert("RGB"), dpi


def _mm(dpi: int, mm: float) -> float:
    return mm * dpi / 25.4


def stamp(
    image: Image.Image,
    dpi: int,
    rng: np.random.Generator,
    *,
    x_frac: float,
    y_frac: float,
    diameter_mm: float,
    angle: float,
) -> Image.Image:
    """A red 印 seal (circle with a character), multiplied over whatever is below it."""
    size = round(_mm(dpi, diameter_mm))
    seal = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(seal)
    width = max(2, size // 18)
    draw.ellipse((width, width, size - width, size - width), outline=255, width=width)
    font = pil_font(PRINT_FONTS[0], round(size * 0.55))
    draw.text((size / 2, size / 2), "印", font=font, fill=255, anchor="mm")
    seal = seal.rotate(angle, resample=Image.Resampling.BICUBIC)
    # Seal ink is uneven: knock out random specks.
    speckle = (rng.random((size, size)) > 0.15).astype(np.uint8) * 255
    seal_arr = np.minimum(np.asarray(seal), speckle)
    x, y = round(x_frac * image.width - size / 2), round(y_frac * image.height - size / 2)
    # Only the seal's square is touched (pages can be 600 dpi A4: no full-page float copies).
    left, top = max(0, x), max(0, y)
    right, bottom = min(image.width, x + size), min(image.height, y + size)
    if right <= left or bottom <= top:
        return image
    region = np.asarray(image.crop((left, top, right, bottom)).convert("RGB"), np.float32)
    alpha = seal_arr[top - y : bottom - y, left - x : right - x].astype(np.float32)[..., None]
    alpha *= 0.85 / 255
    red = np.array([215, 40, 45], np.float32) / 255
    stamped = Image.fromarray((region * (1 - alpha + alpha * red)).astype(np.uint8))
    out = image.convert("RGB")
    out.paste(stamped, (left, top))
    return out


def faded(
    image: Image.Image, dpi: int, rng: np.random.Generator, *, strength: float
) -> Image.Image:
    """Weak toner: every dark pixel moves ``strength`` of the way towards white."""
    return image.point([round(v + (255 - v) * strength) for v in range(256)] * 3)


def place_on_page(
    image: Image.Image,
    dpi: int,
    rng: np.random.Generator,
    *,
    x_frac: float,
    y_frac: float,
    grey: int,
) -> Image.Image:
    """The small slip lying somewhere on an A4 scanner bed (white or grey background)."""
    page = Image.new("RGB", (round(_mm(dpi, A4_MM[0])), round(_mm(dpi, A4_MM[1]))), (grey,) * 3)
    x = round(x_frac * (page.width - image.width))
    y = round(y_frac * (page.height - image.height))
    page.paste(image, (x, y))
    return page


def scale(image: Image.Image, dpi: int, rng: np.random.Generator, *, factor: float) -> Image.Image:
    """A copier's enlargement or reduction (the dpi stays: the page looks bigger or smaller)."""
    size = (round(image.width * factor), round(image.height * factor))
    return image.resize(size, Image.Resampling.BILINEAR)


def offset(
    image: Image.Image, dpi: int, rng: np.random.Generator, *, dx_mm: float, dy_mm: float
) -> Image.Image:
    """The page shifted on the scanner bed; uncovered areas are white."""
    dx, dy = round(_mm(dpi, dx_mm)), round(_mm(dpi, dy_mm))
    out = Image.new("RGB", image.size, (255, 255, 255))
    out.paste(image, (dx, dy))
    return out


def rotate(
    image: Image.Image, dpi: int, rng: np.random.Generator, *, degrees: float
) -> Image.Image:
    """A skewed page; the canvas grows so no corner is cut off."""
    return image.rotate(
        degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(255, 255, 255)
    )


def upside_down(image: Image.Image, dpi: int, rng: np.random.Generator) -> Image.Image:
    """The page fed the wrong way round."""
    return image.rotate(180)


def resolution(image: Image.Image, dpi: int, new_dpi: int) -> tuple[Image.Image, int]:
    """Rescan at ``new_dpi`` (the physical size stays the same)."""
    if new_dpi == dpi:
        return image, dpi
    size = (round(image.width * new_dpi / dpi), round(image.height * new_dpi / dpi))
    return image.resize(size, Image.Resampling.LANCZOS), new_dpi


def colour_scan(
    image: Image.Image, dpi: int, rng: np.random.Generator, *, tint: list[int]
) -> Image.Image:
    """Yellowish paper and a colour cast, as from a colour scanner."""
    return image.point([min(255, max(0, v + shift)) for shift in tint for v in range(256)])


def grey_scan(image: Image.Image, dpi: int, rng: np.random.Generator) -> Image.Image:
    """A greyscale scan (returned as RGB with equal channels)."""
    return image.convert("L").convert("RGB")


def blur(
    image: Image.Image, dpi: int, rng: np.random.Generator, *, radius_mm: float
) -> Image.Image:
    """Out of focus or a moving sheet."""
    return image.filter(ImageFilter.GaussianBlur(_mm(dpi, radius_mm)))


def noise(image: Image.Image, dpi: int, rng: np.random.Generator, *, sigma: float) -> Image.Image:
    """Sensor noise (the same per pixel in all channels, like a CCD line)."""
    out = np.array(image.convert("RGB"), dtype=np.uint8)
    # In bands of rows: an A4 page at 600 dpi is 100 MB, its int16 copy twice that.
    for top in range(0, out.shape[0], _BAND_ROWS):
        band = out[top : top + _BAND_ROWS].astype(np.int16)
        grain = rng.standard_normal(band.shape[:2], dtype=np.float32) * sigma
        band += grain.astype(np.int16)[..., None]
        out[top : top + _BAND_ROWS] = np.clip(band, 0, 255)
    return Image.fromarray(out)


def fax(image: Image.Image, dpi: int, rng: np.random.Generator, *, threshold: int) -> Image.Image:
    """Black and white only, like a fax or a cheap bilevel scan.

    Like those machines it sets its exposure from the page first: ``threshold`` is where it
    cuts on a page whose darkest ink is black and whose paper is white. A fixed cut would
    erase a faded page's writing altogether, and no scan station sends a blank sheet on.
    """
    grey = image.convert("L")
    counts = np.cumsum(grey.histogram())
    ink = int(np.searchsorted(counts, counts[-1] * 0.002))
    paper = int(np.searchsorted(counts, counts[-1] * 0.99))
    cut = ink + (max(paper, ink + 1) - ink) * threshold / 255
    lut = [0 if v < cut else 255 for v in range(256)]
    return grey.point(lut).convert("RGB")


def jpeg(image: Image.Image, dpi: int, rng: np.random.Generator, *, quality: int) -> Image.Image:
    """JPEG compression artefacts."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


_STEPS: dict[str, Callable[..., Image.Image]] = {
    "stamp": stamp,
    "faded": faded,
    "place_on_page": place_on_page,
    "scale": scale,
    "offset": offset,
    "rotate": rotate,
    "upside_down": upside_down,
    "colour_scan": colour_scan,
    "grey_scan": grey_scan,
    "blur": blur,
    "noise": noise,
    "fax": fax,
    "jpeg": jpeg,
}
