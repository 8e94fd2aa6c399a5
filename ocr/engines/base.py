"""The engine-neutral result model and the Protocol every OCR engine implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class OcrWord:
    """One recognised piece of text: ``bbox`` is (x, y, w, h) in pixels of the input image."""

    text: str
    bbox: tuple[int, int, int, int]
    confidence: float  # 0..1
    #: Other characters the engine saw in the same place, likeliest first, with their
    #: probabilities (engines that cannot tell leave it empty).
    alternatives: tuple[tuple[str, float], ...] = ()


class OcrEngine(Protocol):
    name: str
    #: R22: an engine that keeps its input or learns from it may never be registered.
    retains_input: bool
    learns_from_input: bool

    def read_line(self, image: np.ndarray, charset: str | None = None) -> list[OcrWord]:
        """Recognise the text of one field crop (grey or BGR ``uint8``), best effort.

        ``charset``, when given, is the set of characters the field may contain; engines
        that can restrict decoding to it do so.
        """
        ...
