"""Command line: ``python -m ocr.synth --form FORM_ID --count N --out DIR``.

Writes the images and ``truth.jsonl`` (one {"file", "form_id", "seed", "condition", "font",
"truth"} object per line, in order).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ocr.layout import FORM_IDS
from ocr.synth.output import write_sample
from ocr.synth.reject import REJECT_KINDS, make_reject_sample
from ocr.synth.sample import CONDITIONS, Sample, make_sample

_SUFFIXES = {"png": ".png", "jpg": ".jpg", "tif": ".tif", "pdf": ".pdf"}


def main(argv: list[str] | None = None) -> int:
    """Generate the samples; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m ocr.synth", description=__doc__)
    parser.add_argument(
        "--form",
        required=True,
        choices=[*FORM_IDS, *(f"reject:{kind}" for kind in REJECT_KINDS)],
        help="form id, or reject:KIND for a page the capture check must refuse",
    )
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--condition", choices=CONDITIONS, default="clean")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first sample")
    parser.add_argument("--font", default=None, help="font name (default: seeded choice)")
    parser.add_argument(
        "--out", type=Path, required=True, help="directory; truth.jsonl is appended to"
    )
    parser.add_argument("--format", choices=sorted(_SUFFIXES), default="png")
    args = parser.parse_args(argv)

    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "truth.jsonl").open("a", encoding="utf-8") as truth_file:
        for seed in range(args.seed, args.seed + args.count):
            sample = _make(args.form, seed, args.condition, args.font)
            stem = f"{sample.condition.replace(':', '_')}_{seed:05d}"
            if not args.form.startswith("reject:"):
                stem = f"{args.form}_{stem}"
            path = write_sample(sample, args.out / f"{stem}{_SUFFIXES[args.format]}")
            record = {
                "file": path.name,
                "form_id": sample.form_id,
                "seed": sample.seed,
                "condition": sample.condition,
                "font": sample.font,
                "truth": sample.truth,
            }
            truth_file.write(json.dumps(record, ensure_ascii=False) + "\n")
            print(path)
    return 0


def _make(form: str, seed: int, condition: str, font: str | None) -> Sample:
    if form.startswith("reject:"):
        return make_reject_sample(form.removeprefix("reject:"), seed)
    return make_sample(form, seed, condition, font)


if __name__ == "__main__":
    sys.exit(main())
