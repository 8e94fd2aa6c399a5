"""Measure the capture-quality numbers on generated samples (run from /work/main).

Usage: .venv/bin/python -m bench.quality_margins [seeds]
"""

from __future__ import annotations

import sys
import time

import numpy as np

from ocr.preprocess import PageContext, crop_to_content, deskew, dropout_grey, to_work_resolution
from ocr.quality import ink_ratio, sharpness
from ocr.synth import make_reject_sample, make_sample

FORMS = ["kyuyo_kojinbetsu", "nenkin_kojinbetsu", "shinkoku_p1"]


def measure(image, dpi) -> tuple[float, float, float]:
    bgr = np.asarray(image)[:, :, ::-1]
    ctx = PageContext(dpi=float(dpi), dpi_from_file=True)
    work = crop_to_content(to_work_resolution(dropout_grey(bgr, ctx), ctx), ctx)
    ink, sharp = ink_ratio(work), sharpness(work)
    deskew(work, ctx)
    return ink, sharp, ctx.skew_deg


if __name__ == "__main__":
    seeds = range(int(sys.argv[1]) if len(sys.argv) > 1 else 4)
    rows = []
    for seed in seeds:
        for form_id in FORMS:
            for condition in ("clean", "degraded", "handwritten"):
                t = time.perf_counter()
                s = make_sample(form_id, seed, condition)
                gen = time.perf_counter() - t
                ink, sharp, skew = measure(s.image, s.dpi)
                steps = [st["name"] for st in s.params.get("plan", [])] if s.params else []
                rows.append(("accept", f"{form_id[:6]}/{condition}", ink, sharp, skew, s.dpi))
                print(
                    f"{form_id[:6]} {condition:11s} ink={ink:.4f} sharp={sharp:.3f} "
                    f"skew={skew:+.2f} dpi={s.dpi} gen={gen:.1f}s {steps}"
                )
        for kind in ("blank", "blurred", "low_dpi", "unrelated", "skewed"):
            s = make_reject_sample(kind, seed)
            ink, sharp, skew = measure(s.image, s.dpi)
            rows.append(("reject", kind, ink, sharp, skew, s.dpi))
            print(
                f"reject {kind:9s} ink={ink:.4f} sharp={sharp:.3f} skew={skew:+.2f} "
                f"dpi={s.dpi} {s.params}"
            )
    acc = [r for r in rows if r[0] == "accept"]
    ink, sharp = min(r[2] for r in acc), min(r[3] for r in acc)
    skew = max(abs(r[4]) for r in acc)
    print(f"accepted: min ink {ink:.4f}, min sharp {sharp:.3f}, max |skew| {skew:.2f}")
    for kind in ("blank", "blurred", "skewed"):
        rs = [r for r in rows if r[1] == kind]
        ink, sharp = max(r[2] for r in rs), max(r[3] for r in rs)
        skew = min(abs(r[4]) for r in rs)
        print(f"{kind}: max ink {ink:.4f}, max sharp {sharp:.3f}, min |skew| {skew:.2f}")
