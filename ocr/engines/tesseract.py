"""Tesseract ``jpn`` (LSTM), in-process through tesserocr.

Cheap (a few ms a crop) and independent of PP-OCR, so it serves as a second opinion on
digits; it is weak on kana and kanji. Its confidence for digit strings is often 0 whether
right or wrong, so agreement with the other engine is what it contributes, not its score.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from intake.errors import ConfigurationError
from ocr.engines.base import OcrWord

# Debian's libtesseract is built with OpenMP, which is 2.5-3x slower on a busy 2-core host;
# workers scale by process instead. Must be set before the library is loaded.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

#: Where Debian's tesseract-ocr-jpn puts its model.
TESSDATA_DIRS = (
    Path("/usr/share/tesseract-ocr/5/tessdata"),
    Path("/usr/share/tesseract-ocr/4.00/tessdata"),
    Path("/usr/share/tessdata"),
)


def find_tessdata(language: str = "jpn") -> Path:
    """The tessdata directory that holds ``<language>.traineddata`` (TESSDATA_PREFIX first)."""
    candidates = [Path(p) for p in [os.environ.get("TESSDATA_PREFIX")] if p] + list(TESSDATA_DIRS)
    for directory in candidates:
        if (directory / f"{language}.traineddata").is_file():
            return directory
    raise ConfigurationError(
        f"Tesseract model {language}.traineddata not found in "
        f"{', '.join(str(c) for c in candidates)} (apt-get install tesseract-ocr-{language})"
    )


class TesseractEngine:
    """Single-line Tesseract recognition with an optional character whitelist."""

    name = "tesseract"
    retains_input = False
    learns_from_input = False

    def __init__(self, language: str = "jpn") -> None:
        try:
            import tesserocr
        except ImportError as exc:
            raise ConfigurationError(
                "the 'tesseract' engine needs tesserocr (pip install tesserocr==2.13.0)"
            ) from exc
        self._tesserocr = tesserocr
        self._api = tesserocr.PyTessBaseAPI(
            path=str(find_tessdata(language)) + "/",
            lang=language,
            psm=tesserocr.PSM.SINGLE_LINE,
            oem=tesserocr.OEM.LSTM_ONLY,
        )
        # Nothing may persist between calls (R12): no adaptive learning, no debug files.
        self._api.SetVariable("classify_enable_learning", "0")
        self._api.SetVariable("tessedit_write_images", "0")

    def read_line(self, image: np.ndarray, charset: str | None = None) -> list[OcrWord]:
        """Recognise one text line; one OcrWord per character with its box and confidence."""
        from PIL import Image

        grey = image if image.ndim == 2 else image.mean(axis=2).astype(np.uint8)
        self._api.SetVariable("tessedit_char_whitelist", charset or "")
        self._api.SetImage(Image.fromarray(grey))
        self._api.Recognize()
        words: list[OcrWord] = []
        level = self._tesserocr.RIL.SYMBOL
        iterator = self._api.GetIterator()
        if iterator is None:
            return words
        for symbol in self._tesserocr.iterate_level(iterator, level):
            try:
                text = symbol.GetUTF8Text(level)
            except RuntimeError:  # a symbol the whitelist emptied
                continue
            box = symbol.BoundingBox(level)
            if not text or box is None:
                continue
            x0, y0, x1, y1 = box
            words.append(
                OcrWord(text, (x0, y0, x1 - x0, y1 - y0), max(0.0, symbol.Confidence(level)) / 100)
            )
        self._api.Clear()
        return words

    def close(self) -> None:
        """Free the native model (also done when the object is collected)."""
        self._api.End()
