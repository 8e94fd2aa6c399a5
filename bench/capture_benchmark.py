"""Identification, rejection, registration residual and timing on ocr.synth samples.

Usage: .venv/bin/python -m bench.capture_benchmark N

Registration residual: the registered page and the blank template are cut into 25 mm
tiles; in each tile that has ruling lines, phase correlation of the two line images gives
the local misalignment. No transform needs to be known, so any sample can be measured.
"""

from __future__ import annotations

import collections
import statistics
import sys
import time

import cv2
import numpy as np

from intake.errors import PageRejected
from ocr.extract import prepare_page
from ocr.layout import load_layout
from ocr.pages import PageImage
from ocr.synth import make_reject_sample, make_sample

FORMS = ["kyuyo_kojinbetsu", "nenkin_kojinbetsu", "shinkoku_p1"]
PX_PER_MM = 300 / 25.4


def line_image(grey: np.ndarray) -> np.ndarray:
    ink = 255 - grey.astype(np.float32)
    k = 71  # 6 mm at 300 dpi
    h = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, k), np.uint8))
    v = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((k, 1), np.uint8))
    return cv2.GaussianBlur(np.maximum(h, v), (0, 0), 2)


def residual_mm(registered: np.ndarray, form_id: str) -> float:
    """Largest local misalignment (mm) over the tiles that have ruling lines."""
    template = cv2.imread(str(load_layout(form_id).blank_image_path))
    assert template is not None
    blank = template[:, :, 2]
    a, b = line_image(registered), line_image(blank)
    tile = round(25 * PX_PER_MM)
    worst = 0.0
    window = cv2.createHanningWindow((tile, tile), cv2.CV_32F)
    for y in range(0, blank.shape[0] - tile + 1, tile):
        for x in range(0, blank.shape[1] - tile + 1, tile):
            ta, tb = a[y : y + tile, x : x + tile], b[y : y + tile, x : x + tile]
            if tb.max() < 100 or ta.max() < 50:
                continue
            if ta.sum() < 0.3 * tb.sum():  # the scan lost this tile's lines (fax, cut-off)
                continue
            (dx, dy), response = cv2.phaseCorrelate(tb, ta, window)
            if response < 0.2:  # a tile whose lines the scan lost (fax, cut-off)
                continue
            worst = max(worst, float(np.hypot(dx, dy)) / PX_PER_MM)
    return worst


def main(n: int) -> None:
    outcome: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    residuals: list[float] = []
    times: dict[str, list[float]] = collections.defaultdict(list)
    failures = []
    for seed in range(n):
        for form_id in FORMS:
            for condition in ("clean", "degraded", "handwritten"):
                sample = make_sample(form_id, seed, condition)
                bgr = np.ascontiguousarray(np.asarray(sample.image)[:, :, ::-1])
                t = time.process_time()
                try:
                    prepared = prepare_page(PageImage(bgr, float(sample.dpi)))
                    got = prepared.form_id
                except PageRejected as exc:
                    prepared, got = None, f"rejected:{exc.code}"
                times[form_id[:6]].append(time.process_time() - t)
                key = f"{form_id[:6]}/{condition}"
                outcome[key]["ok" if got == form_id else got] += 1
                if got != form_id:
                    failures.append((key, seed, got, sample.params))
                elif prepared is not None:
                    r = residual_mm(prepared.image, form_id)
                    residuals.append(r)
                    if r > 0.5:
                        failures.append((key, seed, f"residual {r:.2f} mm", sample.params))
        for kind in ("blank", "blurred", "low_dpi", "unrelated", "skewed"):
            sample = make_reject_sample(kind, seed)
            bgr = np.ascontiguousarray(np.asarray(sample.image)[:, :, ::-1])
            t = time.process_time()
            try:
                prepared = prepare_page(PageImage(bgr, float(sample.dpi)))
                got = f"accepted:{prepared.form_id}"
            except PageRejected as exc:
                got = exc.code
            times["reject"].append(time.process_time() - t)
            outcome[f"reject/{kind}"][got] += 1
    for key, counter in sorted(outcome.items()):
        print(f"{key:22s} {dict(counter)}")
    if residuals:
        print(
            f"residual mm: median {statistics.median(residuals):.3f} "
            f"p95 {np.percentile(residuals, 95):.3f} max {max(residuals):.3f} (n={len(residuals)})"
        )
    for key, ts in times.items():
        median, worst = statistics.median(ts) * 1000, max(ts) * 1000
        print(f"CPU time {key}: median {median:.0f} ms max {worst:.0f} ms")
    for failure in failures:
        print("FAIL", failure)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
