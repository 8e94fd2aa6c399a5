"""Draw the glyph pairs :mod:`ocr.read_glyphs` settles a character of a variant pair by.

    python scripts/make_variant_glyphs.py

For each pair of ``ocr.read_glyphs.VARIANT_PAIRS`` (崎/﨑, 高/髙) and each print font of
``ocr.synth.fonts.PRINT_FONTS`` (Noto Sans/Serif CJK JP, IPAex Gothic/Mincho: what payroll
software prints with, or close to it), the common form and the variant are drawn large,
cut to their ink and scaled as the reader scales a glyph cut from a scan. The result,
``ocr/variant_glyphs.npz``, ships with the code: workers need no fonts to read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ocr.read_glyphs import TEMPLATES_PATH, VARIANT_PAIRS, scaled_glyph
from ocr.synth.fonts import PRINT_FONTS, has_glyph, pil_font

DRAW_PX = 96


def drawn(font: str, char: str) -> np.ndarray:
    """``char`` in ``font``, scaled as :func:`ocr.read_glyphs.scaled_glyph` does, as uint8."""
    image = Image.new("L", (DRAW_PX * 3 // 2, DRAW_PX * 3 // 2), 255)
    ImageDraw.Draw(image).text(
        (DRAW_PX // 4, DRAW_PX // 8), char, font=pil_font(font, DRAW_PX), fill=0
    )
    ink = np.asarray(image) < 128
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    glyph = scaled_glyph(ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])
    return np.round(glyph * 255).astype(np.uint8)


def main() -> int:
    arrays = {}
    for common, variant in VARIANT_PAIRS:
        fonts = [f for f in PRINT_FONTS if has_glyph(f, common) and has_glyph(f, variant)]
        arrays[f"U+{ord(common):04X}"] = np.stack(
            [np.stack([drawn(f, common), drawn(f, variant)]) for f in fonts]
        )
        print(f"{common}/{variant}: {', '.join(fonts)}")
    # numpy's stubs type the arrays given by name as its allow_pickle flag.
    np.savez_compressed(TEMPLATES_PATH, **arrays)  # type: ignore[arg-type]
    print(f"wrote {TEMPLATES_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
