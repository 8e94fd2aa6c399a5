"""Which registered-image finish reads best: raw, background-flattened, flattened+denoised.

Usage: OMP_THREAD_LIMIT=1 .venv/bin/python -m bench.registered_output_variants N
Field accuracy = share of truth fields whose read value equals the truth.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import cv2
import numpy as np

import ocr.extract as extract
from ocr.extract import Extractor
from ocr.pages import PageImage
from ocr.preprocess import flatten_background
from ocr.synth import make_sample

FORMS = ["kyuyo_kojinbetsu", "nenkin_kojinbetsu", "shinkoku_p1"]


def denoised(grey: np.ndarray) -> np.ndarray:
    return flatten_background(cv2.medianBlur(grey, 3))


VARIANTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "raw": lambda grey: grey,
    "flatten": flatten_background,
    "median3+flatten": denoised,
}


def main(n: int) -> None:
    extractor = Extractor(["ppocr"])
    samples = [
        make_sample(form_id, seed, "degraded") for seed in range(100, 100 + n) for form_id in FORMS
    ]
    for name, finish in VARIANTS.items():
        extract.flatten_background = finish  # type: ignore[assignment]
        right = total = 0
        started = time.perf_counter()
        for sample in samples:
            page = PageImage(np.asarray(sample.image)[:, :, ::-1].copy(), float(sample.dpi))
            result = extractor.extract_page(page, 1)
            total += len(sample.truth)
            if result.status != "ok":
                continue
            right += sum(
                1
                for key, value in sample.truth.items()
                if key in result.fields and result.fields[key].value == value
            )
        seconds = (time.perf_counter() - started) / len(samples)
        print(
            f"{name:18s} field accuracy {right / total:.3f} ({right}/{total}) {seconds:.2f} s/page"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
