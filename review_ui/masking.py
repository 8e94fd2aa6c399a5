"""個人番号 stays hidden from people without the 特定個人情報アクセス権限 (R31): masked text,
and the number's boxes blacked out in page images."""

from __future__ import annotations

import io
import re
from typing import Any

from PIL import Image, ImageDraw

from ocr.layout import load_layout

#: Field types that may hold a 個人番号. ``number_any`` holds a payer's 個人番号 or 法人番号; a
#: 13-digit value is a 法人番号, which is public, anything else is treated as a 個人番号.
MY_NUMBER_TYPES = frozenset({"my_number", "number_any"})
VISIBLE_DIGITS = 4
MASK_CHAR = "*"
_LONG_DIGITS = re.compile(r"\d{12,13}")

DPI = 300
MM_PER_INCH = 25.4


def is_my_number(field_type: str, value: Any) -> bool:
    """True when the field's value is (or may be) a 個人番号."""
    if field_type == "my_number":
        return True
    if field_type == "number_any":
        return not (isinstance(value, str) and len(value) == 13)
    return False


def mask(value: Any) -> str:
    """Everything but the last four characters replaced: ``********1234``."""
    if value is None or value == "":
        return ""
    text = str(value)
    hidden = max(len(text) - VISIBLE_DIGITS, 0)
    return MASK_CHAR * hidden + text[hidden:]


def scrub(message: str) -> str:
    """Mask any 12–13 digit run in a message, in case a rule quotes a number."""
    return _LONG_DIGITS.sub(lambda m: mask(m.group(0)), message)


def box_px(box_mm: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    """A layout box in millimetres as (left, top, right, bottom) pixels at 300 dpi."""
    x, y, w, h = (v * DPI / MM_PER_INCH for v in box_mm)
    return round(x), round(y), round(x + w), round(y + h)


def redact_page(
    png: bytes, form_id: str | None, public: frozenset[str] = frozenset(), margin_px: int = 6
) -> bytes:
    """The page image with every box that may hold a 個人番号 filled grey, except the fields
    named in ``public`` (a payer's box known to hold a 13-digit 法人番号).

    Without a known form we cannot tell where the numbers are, so the whole page is withheld.
    """
    image = Image.open(io.BytesIO(png))
    image.load()
    draw = ImageDraw.Draw(image)
    if form_id is None:
        draw.rectangle((0, 0, image.width, image.height), fill=_grey(image))
    else:
        for spec in load_layout(form_id).fields:
            if spec.type in MY_NUMBER_TYPES and spec.name not in public:
                left, top, right, bottom = box_px(spec.box_mm)
                draw.rectangle(
                    (left - margin_px, top - margin_px, right + margin_px, bottom + margin_px),
                    fill=_grey(image),
                )
    out = io.BytesIO()
    # Speed over size: the image goes over a LAN to one screen.
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def _grey(image: Image.Image) -> int | tuple[int, ...]:
    if image.mode in ("RGB", "RGBA"):
        return (160,) * len(image.mode)
    return 0 if image.mode == "1" else 160
