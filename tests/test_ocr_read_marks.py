"""Half-width voiced marks found in a フリガナ's ink (ocr.read_marks), drawn with print fonts."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr.engines.base import OcrWord
from ocr.read_marks import marks_after
from ocr.read_plan import Piece

FONTS = [
    "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
]


def _line(text: str, font_path: str, stretch: float = 1.0) -> tuple[Piece, list[OcrWord]]:
    """``text`` printed in a 30-px line at 300 dpi's フリガナ size (about 20 px of ink), and
    one word per character other than a voiced mark, placed where the glyph is, as the
    recogniser reports a character read (a mark it leaves out has no word)."""
    font = ImageFont.truetype(font_path, 24)
    image = Image.new("L", (16 + 14 * len(text), 30), 255)
    draw = ImageDraw.Draw(image)
    x = 4.0
    words = []
    for ch in text:
        draw.text((x, 3), ch, font=font, fill=0)
        left, _, right, _ = draw.textbbox((x, 3), ch, font=font)
        if ch not in "ﾞﾟ":
            centre = (left + right) / 2 * stretch
            words.append(OcrWord(ch, (round(centre) - 2, 0, 4, 30), 0.9))
        x += font.getlength(ch)
    pixels = np.asarray(image)
    if stretch != 1.0:
        pixels = np.asarray(image.resize((round(image.width * stretch), image.height)))
    return Piece(pixels, None, stretch=stretch), words


@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize("stretch", [1.0, 2.0])
def test_a_stand_alone_voiced_mark_is_found_after_its_character(font: str, stretch: float) -> None:
    piece, words = _line("ﾀｶｷﾞ", font, stretch)  # read タカキ, the mark left out
    assert marks_after([piece], [words]) == {2}
    # In a second piece, counted on from the first piece's characters.
    first, first_words = _line("ｱｲ", font, stretch)
    assert marks_after([first, piece], [first_words, words]) == {4}


@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize("text", ["ﾀｶｷ", "ｼｽﾂ", "ｷｬｰﾄ", "ﾆｯｺｰ", "ｼﾓﾝ･ｽﾐｽ"])
def test_no_mark_where_none_is_printed(font: str, text: str) -> None:
    # ｼ's and ﾂ's strokes, small kana at the bottom, the long-vowel mark and the middle dot
    # of a foreign name across the middle.
    piece, words = _line(text, font)
    assert marks_after([piece], [words]) == frozenset()
