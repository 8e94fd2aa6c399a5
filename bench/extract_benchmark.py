"""Extraction accuracy and speed on synthetic scans, through the service's own recognition path.

    python bench/extract_benchmark.py [--count 20] [--seed 9000] [--format png]

Generates ``--count`` samples per form and condition (fixed seeds, so runs are comparable),
runs them in-process through :func:`intake.pipeline.read_pages` — the code behind
``python -m intake extract`` and the worker — and writes ``bench/results/extract.md`` and
``extract.json``: field exact-match accuracy by form, field type and condition, the residual
error among fields not flagged for review, the review rate, the form-identification rate,
the refusal rate of reject pages, seconds per page, pages per minute and peak RSS.
"""

from __future__ import annotations

import os

# One thread per engine: the benchmark must not take the whole shared machine, and the
# per-page time should be that of one worker process.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scoring import (
    FieldOutcome,
    OutputField,
    review_reasons,
    score_page,
    summarize,
    summarize_by,
)
from intake.errors import InputRejected
from ocr.layout import FORM_IDS, load_layout
from ocr.result import PageResult
from ocr.synth import CONDITIONS, make_reject_sample, make_sample, write_sample
from ocr.synth.reject import REJECT_KINDS

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "bench" / "results"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the report and write it to ``--out``."""
    args = _parse(argv)
    command = " ".join(
        ["python bench/extract_benchmark.py", shlex.join(sys.argv[1:] if argv is None else argv)]
    ).strip()
    from intake.pipeline import get_extractor, read_pages

    started = time.perf_counter()
    extractor = get_extractor()
    load_seconds = time.perf_counter() - started

    outcomes: list[FieldOutcome] = []
    pages: list[dict[str, Any]] = []
    rejects: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="extract-bench-") as tmp:
        generated = _generate_in_child(args, Path(tmp))
        for item in generated:
            data = Path(item.path).read_bytes()
            result, seconds = _read(read_pages, extractor, data, Path(item.path).name)
            if item.reject_kind:
                rejects.append(
                    {
                        "kind": item.reject_kind,
                        "seed": item.seed,
                        "refused": result is None or result.status != "ok",
                        "reason": result.reason if result else "file rejected",
                        "seconds": round(seconds, 3),
                    }
                )
                continue
            page_outcomes = score_page(
                form_id=item.form_id,
                condition=item.condition,
                truth=item.truth,
                field_types=_field_types(item.form_id),
                page_form_id=result.form_id if result else None,
                page_rejected=result is None or result.status != "ok",
                output=_output(result),
            )
            outcomes += page_outcomes
            pages.append(_page_record(item, result, seconds, page_outcomes))
            _progress(pages[-1])
    report = _report(command, args, outcomes, pages, rejects, load_seconds)
    report["engines"] = [_engine_name(engine) for engine in extractor.engines]
    report["code"] = _code_version()
    # Timings depend on what else runs on the machine; say how busy it was.
    report["load_average_1min_at_end"] = round(os.getloadavg()[0], 2)
    markdown = _markdown(report)
    print(markdown)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "extract.md").write_text(markdown, encoding="utf-8")
    (args.out / "extract.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20, help="samples per form and condition")
    parser.add_argument("--seed", type=int, default=9000, help="first seed")
    parser.add_argument("--forms", nargs="+", choices=FORM_IDS, default=list(FORM_IDS))
    parser.add_argument("--conditions", nargs="+", choices=CONDITIONS, default=list(CONDITIONS))
    parser.add_argument("--rejects", type=int, default=4, help="pages per reject kind")
    parser.add_argument("--format", choices=["png", "jpg", "tif", "pdf"], default="png")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    return parser.parse_args(argv)


@dataclass(frozen=True)
class Generated:
    """One generated file and what is on it."""

    path: str
    form_id: str
    condition: str
    seed: int
    font: str
    truth: dict[str, Any]
    degradations: list[str]
    reject_kind: str = ""


def _generate_in_child(args: argparse.Namespace, directory: Path) -> list[Generated]:
    """Write every sample file from a separate process, so this process's peak RSS and
    timings are those of extraction alone (a degraded A4 page at 600 dpi is 100 MB)."""
    jobs = [
        (form_id, condition, seed)
        for form_id in args.forms
        for condition in args.conditions
        for seed in range(args.seed, args.seed + args.count)
    ]
    reject_jobs = [
        (kind, seed) for kind in REJECT_KINDS for seed in range(args.seed, args.seed + args.rejects)
    ]
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_generate, jobs, reject_jobs, str(directory), args.format).result()


def _generate(
    jobs: list[tuple[str, str, int]],
    reject_jobs: list[tuple[str, int]],
    directory: str,
    fmt: str,
) -> list[Generated]:
    """Runs in the child: the files a scanner would upload (dpi in the metadata)."""
    generated = []
    for form_id, condition, seed in jobs:
        sample = make_sample(form_id, seed, condition)
        path = write_sample(sample, Path(directory) / f"{form_id}_{condition}_{seed}.{fmt}")
        steps = [step["name"] for step in sample.params.get("degradations", [])]
        generated.append(
            Generated(str(path), form_id, condition, seed, sample.font, sample.truth, steps)
        )
    for kind, seed in reject_jobs:
        sample = make_reject_sample(kind, seed)
        path = write_sample(sample, Path(directory) / f"reject_{kind}_{seed}.{fmt}")
        generated.append(
            Generated(str(path), sample.form_id, sample.condition, seed, "", {}, [], kind)
        )
    return generated


@lru_cache
def _field_types(form_id: str) -> dict[str, str]:
    return {spec.name: spec.type for spec in load_layout(form_id).fields}


def _read(
    read_pages: Any, extractor: Any, data: bytes, name: str
) -> tuple[PageResult | None, float]:
    """The first page's result (None if the whole file was refused) and the wall time."""
    started = time.perf_counter()
    try:
        results = read_pages(extractor, data, name)
    except InputRejected:
        return None, time.perf_counter() - started
    return (results[0] if results else None), time.perf_counter() - started


def _output(result: PageResult | None) -> dict[str, OutputField]:
    if result is None:
        return {}
    involved: dict[str | None, list[str]] = {}
    for finding in result.findings:
        for name in finding.fields_in_review():
            involved.setdefault(name, []).append(f"finding:{finding.rule}")
    return {
        name: OutputField(field.value, field.needs_review, (*field.doubts, *involved.get(name, ())))
        for name, field in result.fields.items()
    }


def _page_record(
    item: Generated, result: PageResult | None, seconds: float, outcomes: list[FieldOutcome]
) -> dict[str, Any]:
    summary = summarize(outcomes)
    return {
        "form_id": item.form_id,
        "condition": item.condition,
        "seed": item.seed,
        "font": item.font,
        "degradations": item.degradations,
        "identified_as": result.form_id if result else None,
        "status": result.status if result else "rejected",
        "reason": result.reason if result else "file rejected",
        "fields": summary.fields,
        "correct": summary.correct,
        "flagged": summary.flagged,
        "seconds": round(seconds, 3),
        "errors": [
            {"field": o.name, "truth": o.truth, "output": o.output, "flagged": o.flagged}
            for o in outcomes
            if not o.correct
        ],
        "flagged_right": {o.name: list(o.reasons) for o in outcomes if o.correct and o.flagged},
    }


def _progress(page: dict[str, Any]) -> None:
    print(
        f"{page['form_id']:<18} {page['condition']:<11} seed {page['seed']:<5} "
        f"as {page['identified_as']!s:<18} {page['correct']:>3}/{page['fields']:<3} "
        f"{page['seconds']:.2f}s",
        file=sys.stderr,
        flush=True,
    )


def _report(
    command: str,
    args: argparse.Namespace,
    outcomes: list[FieldOutcome],
    pages: list[dict[str, Any]],
    rejects: list[dict[str, Any]],
    load_seconds: float,
) -> dict[str, Any]:
    seconds = [p["seconds"] for p in pages]
    mean = statistics.fmean(seconds) if seconds else 0.0
    # ru_maxrss is in kilobytes on Linux.
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    identified = sum(p["identified_as"] == p["form_id"] for p in pages)
    by_form_condition = summarize_by(outcomes, lambda o: f"{o.form_id} / {o.condition}")
    worst_fields = sorted(
        summarize_by(outcomes, lambda o: f"{o.form_id}.{o.name}").items(),
        key=lambda item: (item[1].accuracy or 0.0, -item[1].fields),
    )[:20]
    return {
        "command": command,
        "settings": {
            "count": args.count,
            "seed": args.seed,
            "forms": args.forms,
            "conditions": args.conditions,
            "format": args.format,
            "rejects_per_kind": args.rejects,
        },
        "pages": len(pages),
        "overall": summarize(outcomes).as_json(),
        "by_form": {k: v.as_json() for k, v in summarize_by(outcomes, lambda o: o.form_id).items()},
        "by_condition": {
            k: v.as_json() for k, v in summarize_by(outcomes, lambda o: o.condition).items()
        },
        "by_field_type": {
            k: v.as_json() for k, v in summarize_by(outcomes, lambda o: o.field_type).items()
        },
        "by_form_condition": {k: v.as_json() for k, v in by_form_condition.items()},
        "worst_fields": {k: v.as_json() for k, v in worst_fields},
        "review_reasons_of_right_fields": review_reasons(outcomes),
        "identification_rate": round(identified / len(pages), 4) if pages else None,
        "pages_with_review": sum(p["flagged"] > 0 for p in pages),
        "rejects": {
            "pages": len(rejects),
            "refused": sum(r["refused"] for r in rejects),
            "by_kind": {
                kind: sum(r["refused"] for r in rejects if r["kind"] == kind)
                for kind in REJECT_KINDS
            },
            "details": rejects,
        },
        "seconds_per_page": {
            "mean": round(mean, 3),
            "median": round(statistics.median(seconds), 3) if seconds else None,
            "max": round(max(seconds), 3) if seconds else None,
        },
        "pages_per_minute": round(60 / mean, 1) if mean else None,
        "model_load_seconds": round(load_seconds, 2),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "page_details": pages,
    }


def _engine_name(engine: Any) -> str:
    """The engine's name, and where its network runs if it says ("ppocr (OpenVINO bfloat16)")."""
    runtime = getattr(engine, "runtime", None)
    return f"{engine.name} ({runtime})" if runtime else str(engine.name)


def _code_version() -> dict[str, Any]:
    """The commit measured, and whether recognition code had uncommitted changes."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
            )
        except (OSError, subprocess.CalledProcessError):
            return ""
        return done.stdout

    # Porcelain lines are "XY path": two status letters, a space, the path.
    dirty = git("status", "--porcelain", "--", "ocr", "intake", "validators").splitlines()
    return {
        "commit": git("rev-parse", "--short", "HEAD").strip(),
        "uncommitted": [line[3:] for line in dirty],
    }


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def _table(title: str, rows: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        f"### {title}",
        "",
        "| group | fields | accuracy | review rate | residual error (unflagged) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in rows.items():
        lines.append(
            f"| {name} | {row['fields']} | {_pct(row['accuracy'])} | {_pct(row['review_rate'])} "
            f"| {_pct(row['residual_error'])} |"
        )
    return [*lines, ""]


def _reasons(counts: dict[str, int], fields: int) -> list[str]:
    lines = [
        "### Why right values were flagged",
        "",
        "Doubts of the reader (`ocr.result.DOUBTS`) and validation findings (`finding:`); a "
        "field flagged for two reasons counts under both.",
        "",
        "| reason | right fields flagged | of all fields |",
        "|---|---:|---:|",
    ]
    for reason, count in counts.items():
        lines.append(f"| {reason} | {count} | {_pct(count / fields if fields else None)} |")
    return [*lines, ""]


def _markdown(report: dict[str, Any]) -> str:
    overall = report["overall"]
    speed = report["seconds_per_page"]
    rejects = report["rejects"]
    lines = [
        "# Extraction benchmark (synthetic scans)",
        "",
        "```",
        report["command"],
        "```",
        "",
        f"{report['pages']} pages ({report['settings']['count']} per form and condition, seeds "
        f"from {report['settings']['seed']}, {report['settings']['format']}), generated by "
        "`ocr.synth` and read in-process through `intake.pipeline.read_pages` (the code of "
        "`python -m intake extract`). A field counts when the truth or the output has a value; "
        "missed and invented values are errors; a value is right only on exact match of the "
        "normalized value. Conditions: *clean* is each form's own writing (printed slips, "
        "handwritten 申告書) scanned perfectly; *degraded* adds random scan defects; "
        "*handwritten* writes every form by hand (for the 申告書 it differs from *clean* only "
        "in the drawn font and style).",
        "",
        f"- field accuracy: **{_pct(overall['accuracy'])}** of {overall['fields']} fields",
        f"- residual error among fields not flagged for review: "
        f"**{_pct(overall['residual_error'])}**",
        f"- review rate (fields flagged): {_pct(overall['review_rate'])}; pages with at least "
        f"one flagged field: {report['pages_with_review']} of {report['pages']}",
        f"- form identification: {_pct(report['identification_rate'])}",
        f"- reject pages refused: {rejects['refused']} of {rejects['pages']} "
        f"({', '.join(f'{k} {v}' for k, v in rejects['by_kind'].items())})",
        f"- seconds per page: mean {speed['mean']}, median {speed['median']}, max "
        f"{speed['max']}; {report['pages_per_minute']} pages per minute (one process; "
        f"machine load average {report['load_average_1min_at_end']} at the end of the run)",
        f"- model load: {report['model_load_seconds']} s; peak RSS: {report['peak_rss_mb']} MB",
        f"- engines: {', '.join(report['engines'])}; code: {report['code']['commit']}"
        + (
            " with uncommitted changes in " + ", ".join(report["code"]["uncommitted"])
            if report["code"]["uncommitted"]
            else ""
        ),
        "",
    ]
    lines += _table("By form", report["by_form"])
    lines += _table("By condition", report["by_condition"])
    lines += _table("By form and condition", report["by_form_condition"])
    lines += _table("By field type", report["by_field_type"])
    lines += _table("Worst fields", report["worst_fields"])
    lines += _reasons(report["review_reasons_of_right_fields"], overall["fields"])
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
