"""Fit the per-type review thresholds on generated samples, and measure field accuracy.

    python -m ocr.calibration.calibrate fit --seeds 1000-1059 --conditions clean
    python -m ocr.calibration.calibrate measure --seeds 5000-5019 --conditions clean

``fit`` reads every field of generated samples (:func:`ocr.synth.make_sample`) with every
threshold at 0, then picks for each field type the lowest confidence threshold at which
the fields it would let through without review are wrong at most ``--target`` of the time
(upper 95 % bound, so a handful of samples cannot make a type look safe). A type that
never gets there keeps threshold 1.01: every value of it goes to a person. The thresholds
and the figures behind them are written to ``ocr/calibration/thresholds.json`` with the
command that produced them.

``fit --save-observations FILE`` keeps every reading; ``refit --observations FILE
--target T`` then fits for another target in a second, reading nothing.

``measure`` reads with the thresholds in force and prints, per form and per type, the
share of fields read exactly, the share sent to review and the error rate of the rest.
Use seeds disjoint from the fitting seeds.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from intake.errors import PageRejected
from ocr import read_confidence
from ocr.engines.base import OcrEngine
from ocr.engines.registry import load_engine
from ocr.layout import FORM_IDS, load_layout
from ocr.read_plan import EMPTY
from ocr.readers import read_fields
from ocr.result import FieldResult
from validators.checkdigits import fails_check_digit

#: Never let a value through below this confidence, whatever the samples say.
MIN_THRESHOLD = 0.5
#: Threshold meaning "always review".
ALWAYS_REVIEW = 1.01
#: One-sided 95 % normal quantile for the Wilson bound.
_Z = 1.645


@dataclass(frozen=True)
class Observation:
    """One field of one sample, as read with every threshold at 0."""

    form_id: str
    seed: int
    condition: str
    name: str
    type: str
    truth: Any
    value: Any
    confidence: float
    #: Sent to review for a reason other than the threshold (normalization, disagreement).
    flagged: bool
    #: Found empty by ink, without OCR.
    empty: bool = False

    @property
    def key(self) -> str:
        """The threshold that applies: the field type's, or the one for empty fields."""
        return EMPTY if self.empty else self.type

    @property
    def correct(self) -> bool:
        # Type included: True is not 1.
        return type(self.truth) is type(self.value) and bool(self.truth == self.value)


def wilson_upper(errors: int, n: int) -> float:
    """One-sided 95 % upper bound of an error rate seen as ``errors`` out of ``n``."""
    if n == 0:
        return 1.0
    p = errors / n
    centre = p + _Z * _Z / (2 * n)
    spread = _Z * math.sqrt(p * (1 - p) / n + _Z * _Z / (4 * n * n))
    return (centre + spread) / (1 + _Z * _Z / n)


def fit_threshold(observations: Sequence[Observation], target: float) -> dict[str, Any]:
    """The lowest threshold whose accepted fields meet ``target``, with its figures."""
    observed = {
        o.confidence for o in observations if not o.flagged and o.confidence > MIN_THRESHOLD
    }
    chosen = ALWAYS_REVIEW
    for t in [MIN_THRESHOLD, *sorted(observed)]:
        accepted = [o for o in observations if not o.flagged and o.confidence >= t]
        errors = sum(not o.correct for o in accepted)
        if wilson_upper(errors, len(accepted)) <= target:
            chosen = t
            break
    return {"threshold": round(chosen, 6), **figures(observations, chosen)}


#: Types read the same way: a type with too few samples to show anything on its own takes
#: its family's threshold, provided none of its own accepted values is wrong there.
FAMILIES = {
    "restricted": (
        "amount", "count", "era_year", "month", "day", "my_number",
        "corporate_number", "number_any", "phone", "code", "era",
    ),
    "japanese": ("name", "kana", "address", "text", "free_text"),
}  # fmt: skip


def fit_all(observations: Sequence[Observation], target: float) -> dict[str, dict[str, Any]]:
    """Thresholds for every key (field type, or ``empty``), pooling small types by family."""
    by_key = _by(observations, "key")
    fitted = {key: fit_threshold(obs, target) for key, obs in by_key.items()}
    for family, members in FAMILIES.items():
        pool = [o for key in members for o in by_key.get(key, [])]
        shared = fit_threshold(pool, target)["threshold"]
        for key in members:
            if key not in fitted or fitted[key]["threshold"] != ALWAYS_REVIEW:
                continue
            usable = sum(not o.flagged for o in by_key[key])
            own = figures(by_key[key], shared)
            if wilson_upper(0, usable) > target and own["accepted_errors"] == 0:
                fitted[key] = {"threshold": shared, "pooled_with": family, **own}
    return fitted


def figures(observations: Sequence[Observation], threshold: float) -> dict[str, Any]:
    """Exact-match, review and accepted-error figures at ``threshold``."""
    n = len(observations)
    accepted = [o for o in observations if not o.flagged and o.confidence >= threshold]
    wrong_accepted = sum(not o.correct for o in accepted)
    filled = [o for o in observations if o.truth is not None]
    return {
        "fields": n,
        "filled": len(filled),
        "exact": round(sum(o.correct for o in observations) / n, 4) if n else None,
        "exact_filled": (
            round(sum(o.correct for o in filled) / len(filled), 4) if filled else None
        ),
        "flagged": round(sum(o.flagged for o in observations) / n, 4) if n else None,
        "accepted": round(len(accepted) / n, 4) if n else None,
        "accepted_errors": wrong_accepted,
        "accepted_error_bound": round(wilson_upper(wrong_accepted, len(accepted)), 4),
    }


def sample_page(
    form_id: str, seed: int, condition: str
) -> tuple[np.ndarray | None, dict[str, Any]]:
    """A generated sample as a grey page on the template grid, with its truth.

    Clean scans (``clean``, ``handwritten``) are rendered on the grid; scanned-looking ones
    go through the pipeline's own checks and registration (:func:`ocr.extract.prepare_page`)
    and give None when it rejects them.
    """
    from ocr.extract import prepare_page
    from ocr.pages import PageImage
    from ocr.read_ink import layout_mask
    from ocr.synth import make_sample

    sample = make_sample(form_id, seed, condition=condition)
    grey = np.asarray(sample.image.convert("L"))
    if grey.shape == layout_mask(load_layout(form_id)).shape and condition != "degraded":
        return grey, dict(sample.truth)
    try:
        prepared = prepare_page(PageImage(grey, float(sample.dpi)), form_id)
    except PageRejected:
        return None, dict(sample.truth)
    return prepared.image, dict(sample.truth)


def observe(
    forms: Iterable[str], seeds: Iterable[int], conditions: Iterable[str], engines: list[OcrEngine]
) -> tuple[list[Observation], dict[str, list[float]]]:
    """Read every field of every sample; also the CPU time of reading, per page and form."""
    observations: list[Observation] = []
    seconds: dict[str, list[float]] = defaultdict(list)
    rejected: dict[str, int] = defaultdict(int)
    for form_id in forms:
        layout = load_layout(form_id)
        for condition in conditions:
            for seed in seeds:
                page, truth = sample_page(form_id, seed, condition)
                if page is None:
                    rejected[form_id] += 1
                    continue
                # CPU time: the machine is shared, and the budget is per core.
                start = time.process_time()
                results = read_fields(page, layout, engines)
                seconds[form_id].append(time.process_time() - start)
                for spec in layout.fields:
                    result = results[spec.name]
                    observations.append(
                        Observation(
                            form_id,
                            seed,
                            condition,
                            spec.name,
                            spec.type,
                            truth.get(spec.name),
                            result.value,
                            result.confidence,
                            # A number failing its check digit goes to review in validation.
                            result.needs_review or fails_check_digit(spec.type, result.value),
                            spec.type != "checkbox"
                            and result.value is None
                            and not result.raw_text,
                        )
                    )
    for form_id, count in rejected.items():
        print(f"{form_id}: {count} sample(s) rejected by the capture checks, not read")
    return observations, seconds


def _found_empty(field_type: str, result: FieldResult) -> bool:
    """Empty by ink: no value, no text and (thresholds being 0 here) not sent to review,
    unlike a field whose ink the recogniser could not read."""
    return (
        field_type != "checkbox"
        and result.value is None
        and not result.raw_text
        and not result.needs_review
    )


def _by(observations: Iterable[Observation], key: str) -> dict[str, list[Observation]]:
    groups: dict[str, list[Observation]] = defaultdict(list)
    for o in observations:
        groups[getattr(o, key)].append(o)
    return dict(sorted(groups.items()))


def _seeds(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def _engines(names: str) -> list[OcrEngine]:
    return [load_engine(name) for name in names.split(",")]


def _timing(seconds: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    return {
        form: {"mean_s": round(float(np.mean(s)), 3), "max_s": round(float(np.max(s)), 3)}
        for form, s in seconds.items()
    }


def _observe_args(
    args: argparse.Namespace,
) -> tuple[list[Observation], dict[str, list[float]]]:
    forms = args.forms.split(",")
    return observe(forms, _seeds(args.seeds), args.conditions.split(","), _engines(args.engines))


def fit(args: argparse.Namespace) -> None:
    read_confidence.use_thresholds({}, default=0.0)
    observations, seconds = observe(
        args.forms.split(","),
        _seeds(args.seeds),
        args.conditions.split(","),
        _engines(args.engines),
    )
    reading = {
        "command": "python -m ocr.calibration.calibrate " + args.command_line,
        "samples": {"forms": args.forms, "seeds": args.seeds, "conditions": args.conditions},
        "engines": args.engines,
        "cpu_seconds_per_page": _timing(seconds),
    }
    if args.save_observations:
        saved = {**reading, "observations": [asdict(o) for o in observations]}
        args.save_observations.write_text(json.dumps(saved, ensure_ascii=False), "utf-8")
    types = _write_thresholds(args, reading, observations)
    _print(observations, types, seconds)
    _print_errors(observations, args.show_errors)


def refit(args: argparse.Namespace) -> None:
    """Thresholds for another ``--target`` from the observations a ``fit`` saved, without
    reading any page again."""
    saved = json.loads(args.observations.read_text("utf-8"))
    observations = [Observation(**o) for o in saved.pop("observations")]
    saved["command"] += " && python -m ocr.calibration.calibrate " + args.command_line
    _print(observations, _write_thresholds(args, saved, observations), {})


def _write_thresholds(
    args: argparse.Namespace, reading: dict[str, Any], observations: list[Observation]
) -> dict[str, float]:
    """Fit every type to ``args.target``, write the thresholds file; the thresholds."""
    types = fit_all(observations, args.target)
    document = {
        "command": reading["command"],
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "target_error": args.target,
        "rule": "lowest confidence whose accepted fields have a 95% upper error bound <= target",
        "samples": reading["samples"],
        "engines": reading["engines"],
        "cpu_seconds_per_page": reading["cpu_seconds_per_page"],
        "types": types,
    }
    args.out.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return {t: v["threshold"] for t, v in types.items()}


def _print_errors(observations: list[Observation], count: int) -> None:
    for o in [o for o in observations if not o.correct][:count]:
        print(
            f"  wrong {o.form_id}/{o.seed}/{o.name}: {o.truth!r} read {o.value!r} "
            f"({o.confidence:.3f}{', flagged' if o.flagged else ''})"
        )


def measure(args: argparse.Namespace) -> None:
    table = dict(read_confidence.THRESHOLDS)
    read_confidence.use_thresholds({}, default=0.0)
    observations, seconds = observe(
        args.forms.split(","),
        _seeds(args.seeds),
        args.conditions.split(","),
        _engines(args.engines),
    )
    _print(observations, table, seconds)
    _print_errors(observations, args.show_errors)


def _print(
    observations: list[Observation], table: dict[str, float], seconds: dict[str, list[float]]
) -> None:
    def line(label: str, obs: list[Observation]) -> str:
        f = figures(obs, 0.0)
        accepted = [
            o for o in obs if not o.flagged and o.confidence >= table.get(o.type, ALWAYS_REVIEW)
        ]
        wrong = sum(not o.correct for o in accepted)
        return (
            f"{label:<28} fields {f['fields']:>5}  filled {f['filled']:>5}  "
            f"exact {f['exact']:.4f}  exact(filled) {f['exact_filled'] or 0:.4f}  "
            f"flagged {f['flagged']:.3f}  no-review {len(accepted) / len(obs):.3f}  "
            f"wrong-without-review {wrong}"
        )

    for form, obs in _by(observations, "form_id").items():
        print(line(form, obs))
    for key, obs in _by(observations, "key").items():
        print(line(f"  {key}", obs))
    print(line("all", observations))
    for form, t in _timing(seconds).items():
        print(f"read_fields {form}: CPU mean {t['mean_s']:.3f} s, max {t['max_s']:.3f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func in (("fit", fit), ("measure", measure)):
        p = sub.add_parser(name)
        p.add_argument("--forms", default=",".join(FORM_IDS))
        p.add_argument("--seeds", default="1000-1039", help="first-last, inclusive")
        p.add_argument("--conditions", default="clean")
        p.add_argument("--engines", default="ppocr,tesseract")
        p.add_argument("--show-errors", type=int, default=40)
        p.set_defaults(func=func)
    sub.choices["fit"].add_argument(
        "--save-observations", type=Path, help="also keep every reading, for refit"
    )
    again = sub.add_parser("refit", help="fit again from saved observations, reading nothing")
    again.add_argument("--observations", type=Path, required=True)
    again.set_defaults(func=refit)
    for name in ("fit", "refit"):
        sub.choices[name].add_argument("--target", type=float, default=0.01)
        sub.choices[name].add_argument("--out", type=Path, default=read_confidence.THRESHOLDS_PATH)
    args = parser.parse_args(argv)
    args.command_line = " ".join(sys.argv[1:] if argv is None else argv)
    args.func(args)


if __name__ == "__main__":
    main()
