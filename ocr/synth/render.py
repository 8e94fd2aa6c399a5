"""Write field values into a blank form image, like payroll software or a person with a pen.

All geometry comes from the layout (millimetres); the canvas is the 300 dpi blank. Every value
stays inside its box unless the style asks for an offset (a misfed sheet).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import jaconv
from PIL import Image, ImageDraw, ImageFilter

from ocr.layout import FieldSpec, FormLayout
from ocr.synth.fonts import pil_font
from ocr.synth.style import Style
from ocr.synth.values import TruthValue

#: The blanks are 300 dpi; everything is drawn at that resolution.
RENDER_DPI = 300
#: Clearance between the ink and the box edge.
MARGIN_MM = 0.35
#: The smallest text we write before giving up on fitting (a printer would truncate).
MIN_SIZE_MM = 1.2
#: Text is drawn this many times larger and scaled down, as a 1200 dpi printer and a 300 dpi
#: scanner would. Drawn at 300 dpi directly, FreeType's hinting of the IPAex fonts (and of
#: Kiloji) drops whole strokes at some sizes (三 at 24 px keeps a fifth of its ink; 田 loses
#: its top and middle bars), which no printed or written slip does.
SUPERSAMPLE = 4

_ERA_ABBREVIATIONS = {"明治": "明", "大正": "大", "昭和": "昭", "平成": "平", "令和": "令"}


def px(mm: float) -> float:
    """Millimetres to pixels at the render resolution."""
    return mm * RENDER_DPI / 25.4


@dataclass(frozen=True)
class Box:
    """A pixel rectangle: left, top, right, bottom."""

    left: float
    top: float
    right: float
    bottom: float

    @classmethod
    def of(cls, spec: FieldSpec, inset_mm: float = 0.0) -> Box:
        x, y, w, h = spec.box_mm
        return cls(px(x + inset_mm), px(y + inset_mm), px(x + w - inset_mm), px(y + h - inset_mm))

    def shifted(self, dx_mm: float, dy_mm: float) -> Box:
        """The box moved by (``dx_mm``, ``dy_mm``) millimetres."""
        dx, dy = px(dx_mm), px(dy_mm)
        return Box(self.left + dx, self.top + dy, self.right + dx, self.bottom + dy)

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


@lru_cache(maxsize=8)
def blank_image(path: str) -> Image.Image:
    """The blank form as RGB, loaded once (callers copy it)."""
    with Image.open(path) as image:
        return image.convert("RGB")


def render_form(
    layout: FormLayout,
    truth: dict[str, TruthValue],
    shown: dict[str, tuple[str, ...]],
    style: Style,
    rng: random.Random,
) -> Image.Image:
    """The blank form with every value of ``truth`` written in ``style``."""
    image = blank_image(str(layout.blank_image_path)).copy()
    for spec in layout.fields:
        value = truth.get(spec.name)
        if value is None or value is False:
            continue
        draw_field(image, spec, value, shown.get(spec.name), style, rng)
    return image


def draw_field(
    image: Image.Image,
    spec: FieldSpec,
    value: TruthValue,
    shown: tuple[str, ...] | None,
    style: Style,
    rng: random.Random,
) -> None:
    """Write one value into its box on ``image``."""
    box = Box.of(spec, MARGIN_MM).shifted(*style.offset_mm)
    writer = _Writer(image, style, rng)
    if spec.type == "checkbox":
        writer.mark(box)
        return
    lines = shown if shown is not None else (format_value(spec, value, style),)
    if spec.cells:
        outer = Box.of(spec).shifted(*style.offset_mm)
        writer.cells(box, outer, spec.cells, lines[0], right_align=spec.type != "my_number")
        return
    align = {"amount": "right", "count": "right"}.get(spec.type, "left")
    if spec.type in ("era", "era_year", "month", "day"):
        align = "center"
    writer.text(box, lines, align, wrap=spec.type in ("address", "free_text"))


def format_value(spec: FieldSpec, value: TruthValue, style: Style) -> str:
    """The text a program or person writes for a normalized value."""
    if spec.type == "amount" and isinstance(value, int):
        return f"{value:,}" if style.amount_commas and not spec.cells else str(value)
    if spec.type == "era" and isinstance(value, str):
        return _ERA_ABBREVIATIONS[value] if style.era_abbreviated else value
    if spec.type == "kana" and isinstance(value, str) and style.kana_half_width:
        return jaconv.z2h(value, kana=True, ascii=True, digit=True)
    return str(value)


class _Writer:
    """Draws text into boxes; printed text is uniform, handwriting jitters per character."""

    def __init__(self, image: Image.Image, style: Style, rng: random.Random) -> None:
        self.image = image
        self.draw = ImageDraw.Draw(image)
        self.style = style
        self.rng = rng

    # -- marks -----------------------------------------------------------------------------

    def mark(self, box: Box) -> None:
        """A tick, circle, 「＊」 or 「レ」 centred in a checkbox."""
        mark = self.style.check_mark
        cx, cy = (box.left + box.right) / 2, (box.top + box.bottom) / 2
        radius = min(box.width, box.height) / 2 * 0.85
        stroke = max(2, round(px(0.25 if self.style.handwriting else 0.2)))
        if self.style.handwriting:
            cx += self.rng.uniform(-0.15, 0.15) * radius
            cy += self.rng.uniform(-0.15, 0.15) * radius
            radius *= self.rng.uniform(0.85, 1.0)
        if mark == "○":
            self.draw.ellipse(
                (cx - radius, cy - radius, cx + radius, cy + radius),
                outline=self.style.ink,
                width=stroke,
            )
        elif mark == "✓":
            r = radius - stroke / 2
            points = [(cx - r, cy), (cx - r * 0.3, cy + r * 0.8), (cx + r, cy - r * 0.85)]
            self.draw.line(points, fill=self.style.ink, width=stroke, joint="curve")
        else:
            self.text(box, (mark,), "center", wrap=False, max_size_mm=radius * 2 * 25.4 / 300)

    # -- comb boxes ------------------------------------------------------------------------

    def cells(self, box: Box, outer: Box, cells: int, text: str, *, right_align: bool) -> None:
        """One character per cell, centred; numbers right-aligned in their cells."""
        chars = [c for c in text if not c.isspace()]
        cell_w = outer.width / cells
        first = cells - len(chars) if right_align else 0
        first = max(0, first)
        size_mm = min(self.style.size_mm, cell_w * 0.8 * 25.4 / 300, box.height * 0.85 * 25.4 / 300)
        for i, char in enumerate(chars[:cells]):
            left = outer.left + (first + i) * cell_w
            cell = Box(
                left + px(MARGIN_MM) / 2, box.top, left + cell_w - px(MARGIN_MM) / 2, box.bottom
            )
            self.text(cell, (char,), "center", wrap=False, max_size_mm=size_mm)

    # -- text ------------------------------------------------------------------------------

    def text(
        self,
        box: Box,
        lines: tuple[str, ...],
        align: str,
        *,
        wrap: bool,
        max_size_mm: float | None = None,
    ) -> None:
        """Fit ``lines`` into ``box`` (shrinking, joining or wrapping as needed) and draw them."""
        size_mm = min(self.style.size_mm, max_size_mm or self.style.size_mm)
        lines = self._arrange(box, lines, size_mm, wrap)
        # Lines keep a normal spacing and the block is centred, however tall the box.
        line_pitch = min(box.height / len(lines), px(size_mm) * 1.5)
        block_top = box.top + (box.height - line_pitch * len(lines)) / 2
        size_mm = min(size_mm, line_pitch * 0.85 * 25.4 / 300)
        while True:
            size_px = max(4, round(px(size_mm)))
            widths = [self._width(line, size_px) for line in lines]
            if max(widths) <= box.width or size_mm <= MIN_SIZE_MM:
                break
            size_mm *= 0.92
        for index, line in enumerate(lines):
            cy = block_top + line_pitch * (index + 0.5)
            self._line(box, line, cy, size_px, align)

    def _arrange(
        self, box: Box, lines: tuple[str, ...], size_mm: float, wrap: bool
    ) -> tuple[str, ...]:
        """Decide the lines: join what does not fit vertically, wrap long free text at spaces."""
        em = px(size_mm)
        fits = max(1, int(box.height // (em * 1.25)))
        if len(lines) > fits:
            lines = ("".join(lines),)
        if wrap and len(lines) == 1 and fits >= 2:
            (line,) = lines
            size_px = max(4, round(em))
            if self._width(line, size_px) > box.width and "\u3000" in line:
                lines = _split_at_space(line, lambda s: self._width(s, size_px) <= box.width)
        return lines

    def _width(self, text: str, size_px: int) -> float:
        font = pil_font(self.style.font, size_px)
        spacing = 1.08 if self.style.handwriting else 1.0
        return font.getlength(text) * spacing

    def _line(self, box: Box, line: str, cy: float, size_px: int, align: str) -> None:
        font = pil_font(self.style.font, size_px)
        width = self._width(line, size_px)
        if align == "right":
            x = box.right - width
        elif align == "center":
            x = (box.left + box.right - width) / 2
        else:
            x = box.left
        if not self.style.handwriting:
            anchor_x = max(box.left, x)
            bbox = self.draw.textbbox((anchor_x, cy), line, font=font, anchor="lm")
            shift_y = _shift_into(bbox[1], bbox[3], box.top, box.bottom)
            mask, corner = _printed(self.style.font, size_px, line, (anchor_x, cy + shift_y))
            self.image.paste(Image.new("RGB", mask.size, self.style.ink), corner, mask)
            return
        self._handwritten(box, line, max(box.left, x), cy, size_px)

    def _handwritten(self, box: Box, line: str, x: float, cy: float, size_px: int) -> None:
        """Each character on its own: a little off the line, tilted, bigger or smaller, pressed
        harder or softer; the writer's slant and pen width are the same for the whole form."""
        advance_scale = 1.08
        slope = self.rng.uniform(-0.02, 0.02)
        start = x
        for char in line:
            font = pil_font(self.style.font, size_px)
            advance = font.getlength(char) * advance_scale
            if not char.isspace():
                scale = self.rng.uniform(0.9, 1.05)
                glyph = _glyph(
                    self.style.font,
                    max(4, round(size_px * scale)),
                    char,
                    round(self.style.slant, 2),
                    self.style.heavy,
                )
                angle = self.rng.uniform(-5, 5)
                rotated = glyph.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
                pressure = self.rng.uniform(0.7, 1.0)
                rotated = rotated.point([round(v * pressure) for v in range(256)])
                ink_box = rotated.getbbox()
                if ink_box is not None:
                    gx = x + advance / 2 + self.rng.uniform(-0.06, 0.06) * size_px
                    gy = cy + (x - start) * slope + self.rng.uniform(-0.07, 0.07) * size_px
                    left = gx - rotated.width / 2
                    top = gy - rotated.height / 2
                    ink = (left + ink_box[0], top + ink_box[1], left + ink_box[2], top + ink_box[3])
                    left += _shift_into(ink[0], ink[2], box.left, box.right)
                    top += _shift_into(ink[1], ink[3], box.top, box.bottom)
                    colour = Image.new("RGB", rotated.size, self.style.ink)
                    self.image.paste(colour, (round(left), round(top)), rotated)
            x += advance


def _shift_into(low: float, high: float, box_low: float, box_high: float) -> float:
    """How far to move [low, high] so it lies inside [box_low, box_high] (centred if too big)."""
    if high - low > box_high - box_low:
        return (box_low + box_high - low - high) / 2
    if low < box_low:
        return box_low - low
    if high > box_high:
        return box_high - high
    return 0.0


@lru_cache(maxsize=4096)
def _glyph(font_name: str, size_px: int, char: str, slant: float, heavy: bool) -> Image.Image:
    """A character as an ``L`` mask on a square tile twice its size, centred; sheared by
    ``slant`` (x shift per unit of height, negative leans right) and thickened if ``heavy``."""
    font = pil_font(font_name, size_px * SUPERSAMPLE)
    side = size_px * 2
    big = side * SUPERSAMPLE
    tile = Image.new("L", (big, big), 0)
    ImageDraw.Draw(tile).text((big / 2, big / 2), char, font=font, fill=255, anchor="mm")
    tile = tile.resize((side, side), Image.Resampling.BOX)
    if slant:
        shear = (1, slant, -slant * side / 2, 0, 1, 0)
        tile = tile.transform(tile.size, Image.Transform.AFFINE, shear, Image.Resampling.BICUBIC)
    if heavy:
        tile = tile.filter(ImageFilter.MaxFilter(3))
    return tile


def _printed(
    font_name: str, size_px: int, text: str, origin: tuple[float, float]
) -> tuple[Image.Image, tuple[int, int]]:
    """``text`` as an ``L`` mask anchored left-middle at ``origin`` (page pixels), drawn
    ``SUPERSAMPLE`` times larger and scaled down; and the page pixel of the mask's corner."""
    font = pil_font(font_name, size_px * SUPERSAMPLE)
    # The fraction of a pixel in the origin is kept by drawing that far into the large mask.
    whole = (math.floor(origin[0]), math.floor(origin[1]))
    fraction = ((origin[0] - whole[0]) * SUPERSAMPLE, (origin[1] - whole[1]) * SUPERSAMPLE)
    left, top, right, bottom = font.getbbox(text, anchor="lm")
    first = (
        math.floor((fraction[0] + left) / SUPERSAMPLE) - 1,
        math.floor((fraction[1] + top) / SUPERSAMPLE) - 1,
    )
    size = (
        math.ceil((fraction[0] + right) / SUPERSAMPLE) + 1 - first[0],
        math.ceil((fraction[1] + bottom) / SUPERSAMPLE) + 1 - first[1],
    )
    large = Image.new("L", (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE), 0)
    at = (fraction[0] - first[0] * SUPERSAMPLE, fraction[1] - first[1] * SUPERSAMPLE)
    ImageDraw.Draw(large).text(at, text, font=font, fill=255, anchor="lm")
    mask = large.resize(size, Image.Resampling.BOX)
    return mask, (whole[0] + first[0], whole[1] + first[1])


def _split_at_space(line: str, fits: Callable[[str], bool]) -> tuple[str, ...]:
    """Break ``line`` at the last full-width space that keeps the first part within the width."""
    parts = line.split("\u3000")
    for cut in range(len(parts) - 1, 0, -1):
        head = "\u3000".join(parts[:cut])
        if fits(head):
            return head, "\u3000".join(parts[cut:])
    return parts[0], "\u3000".join(parts[1:])
