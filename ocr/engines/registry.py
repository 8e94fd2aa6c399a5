"""The engines the service may be configured with, and the one place they are constructed."""

from __future__ import annotations

from intake.errors import ConfigurationError
from ocr.engines.base import OcrEngine
from ocr.engines.ppocr import PpOcrEngine
from ocr.engines.tesseract import TesseractEngine

ENGINES: dict[str, type] = {
    "ppocr": PpOcrEngine,
    "tesseract": TesseractEngine,
}


def load_engine(name: str) -> OcrEngine:
    """Construct the engine registered under ``name`` (models load once, here).

    Refuses, with ConfigurationError, an unknown name and any engine class that declares it
    retains or learns from its input (R22). Missing packages or model files also raise
    ConfigurationError naming what is missing; nothing is ever downloaded (R24).
    """
    cls = ENGINES.get(name)
    if cls is None:
        raise ConfigurationError(f"unknown OCR engine {name!r}; known: {', '.join(ENGINES)}")
    for attribute in ("retains_input", "learns_from_input"):
        flag = getattr(cls, attribute, None)
        if flag is not False:
            raise ConfigurationError(
                f"OCR engine {name!r} may not be used: {attribute} is {flag!r} "
                "(R22: no engine that keeps or learns from the city's data)"
            )
    engine: OcrEngine = cls()
    return engine


def load_engines(names: str) -> list[OcrEngine]:
    """Engines from a comma-separated list, first the one that reads every field
    (e.g. ``"ppocr,tesseract"``: PP-OCR reads, Tesseract re-reads the digit fields)."""
    return [load_engine(name.strip()) for name in names.split(",") if name.strip()]
