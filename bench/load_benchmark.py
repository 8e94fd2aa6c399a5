"""Throughput of the real service: generated pages through the queue and N worker processes.

    python bench/load_benchmark.py [--pages 1000] [--workers 1 2] [--database-url URL]

For each worker count: a fresh database (its own on the PostgreSQL server of
``--database-url``, default ``TEST_DATABASE_URL``; SQLite without one), a private Redis and
an empty store; N ``worker.py`` processes are started and waited for until their models are
loaded; then every page is captured (``intake.capture.capture`` + ``enqueue_document``, the
code behind the upload API) as a peak-day backlog, and the run ends when every document is in
a final state. Reported per worker count: pages per minute (first enqueue to last result),
queue wait p50/p95 (enqueue to the moment a worker claimed the document, sampled every
``--poll`` seconds), OCR seconds per page, and peak resident memory per worker process.
Writes ``bench/results/load.md`` and ``load.json``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from redis import Redis
from rq import Worker
from sqlalchemy import select

from bench.scratch import pointed_at, scratch_database, write_master_key
from intake.embedded import start_private_redis
from intake.settings import Settings

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "bench" / "results"
FORMS = ("kyuyo_kojinbetsu", "kyuyo_kojinbetsu", "nenkin_kojinbetsu", "shinkoku_p1")
#: A peak day (issue 7) and the working day it must fit in.
PEAK_DAY_PAGES = 10_000
WORKING_DAY_HOURS = 8


@dataclass
class RunResult:
    workers: int
    pages: int
    seconds: float
    pages_per_minute: float
    queue_wait_p50: float
    queue_wait_p95: float
    ocr_seconds_mean: float
    peak_rss_mb_per_worker: list[float]
    statuses: dict[str, int]
    load_average_before: float
    load_average_after: float


# --- pages -----------------------------------------------------------------------------


def _write_page(args: tuple[int, int, str]) -> str:
    from ocr.synth import make_sample

    index, seed, folder = args
    sample = make_sample(FORMS[index % len(FORMS)], seed + index, condition="clean")
    path = Path(folder) / f"page-{index:05d}.png"
    sample.image.save(path, format="PNG", dpi=(sample.dpi, sample.dpi))
    return str(path)


def generate_pages(count: int, seed: int, folder: Path) -> list[Path]:
    """``count`` fictitious one-page scans, generated in a child process (before timing)."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return [
            Path(p) for p in pool.map(_write_page, [(i, seed, str(folder)) for i in range(count)])
        ]


# --- one run ---------------------------------------------------------------------------


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run_once(
    pages: list[Path], workers: int, database_url: str, folder: Path, poll: float
) -> RunResult:
    """Start ``workers`` workers, capture every page, wait until all are done, measure."""
    from intake.capture import capture
    from intake.queue import enqueue_document
    from storage.db import session_scope
    from storage.models import Document, Page
    from storage.status import OPEN_FOR_PROCESSING, DocumentStatus
    from storage.store import get_store

    var_dir = folder / "var"
    redis_process = start_private_redis(Settings(var_dir=var_dir))
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": Settings(var_dir=var_dir).resolved_redis_url,
        "STORE_DIR": str(folder / "store"),
        "TAX_INTAKE_VAR_DIR": str(var_dir),
        "TAX_INTAKE_LOG_LEVEL": "WARNING",
        "TAX_INTAKE_MASTER_KEY_FILE": str(write_master_key(folder)),
    }
    processes: list[subprocess.Popen[bytes]] = []
    load_before = os.getloadavg()[0]
    try:
        with pointed_at(env) as settings:
            child_env = {**os.environ, "PYTHONPATH": str(REPO)}
            for index in range(workers):
                log = (folder / f"worker-{index}.log").open("wb")
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "worker.py"], cwd=REPO, env=child_env, stderr=log
                    )
                )
            connection = Redis.from_url(settings.resolved_redis_url)
            _wait_for_workers(connection, processes, workers)

            enqueued: dict[str, float] = {}
            started = time.time()
            store = get_store()
            for path in pages:
                with session_scope() as session:
                    receipt = capture(session, store, path.read_bytes(), path.name, "load")
                enqueued[receipt.document_id] = time.time()
                enqueue_document(receipt.document_id)

            claimed: dict[str, float] = {}
            open_states = [s.value for s in OPEN_FOR_PROCESSING]
            while True:
                now = time.time()
                with session_scope() as session:
                    rows = session.execute(
                        select(Document.id, Document.status).where(Document.status.in_(open_states))
                    ).all()
                for document_id, status in rows:
                    if status == DocumentStatus.PROCESSING:
                        claimed.setdefault(document_id, now)
                if not rows:
                    break
                if any(p.poll() is not None for p in processes):
                    raise RuntimeError(f"a worker died; see {folder}/worker-*.log")
                time.sleep(poll)
            peaks = [_peak_rss_mb(p.pid) for p in processes]

            with session_scope() as session:
                documents = session.execute(
                    select(Document.id, Document.status, Document.processed_at)
                ).all()
                ocr_seconds = [s for s in session.scalars(select(Page.seconds)) if s is not None]
            finished = max(d.processed_at.timestamp() for d in documents if d.processed_at)
            statuses: dict[str, int] = {}
            for document in documents:
                statuses[document.status] = statuses.get(document.status, 0) + 1
            # A document finished between two samples was claimed at most one sample before.
            processed = {d.id: d.processed_at.timestamp() for d in documents if d.processed_at}
            waits = [
                max(0.0, claimed.get(i, processed.get(i, t) - poll) - t)
                for i, t in enqueued.items()
            ]
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        redis_process.terminate()
        redis_process.wait(10)
    seconds = finished - started
    return RunResult(
        workers=workers,
        pages=len(pages),
        seconds=round(seconds, 1),
        pages_per_minute=round(len(pages) / seconds * 60, 1),
        queue_wait_p50=round(_percentile(waits, 0.50), 1),
        queue_wait_p95=round(_percentile(waits, 0.95), 1),
        ocr_seconds_mean=round(statistics.fmean(ocr_seconds), 2) if ocr_seconds else float("nan"),
        peak_rss_mb_per_worker=peaks,
        statuses=statuses,
        load_average_before=round(load_before, 2),
        load_average_after=round(os.getloadavg()[0], 2),
    )


def _wait_for_workers(
    connection: Redis, processes: list[subprocess.Popen[bytes]], count: int, timeout: float = 300
) -> None:
    """Until every worker has loaded its models and registered with the queue."""
    deadline = time.monotonic() + timeout
    while len(Worker.all(connection=connection)) < count:
        if any(p.poll() is not None for p in processes) or time.monotonic() > deadline:
            raise RuntimeError("workers did not start")
        time.sleep(0.5)


# --- report ----------------------------------------------------------------------------


def render(results: list[RunResult], meta: dict[str, Any]) -> str:
    """The Markdown report."""
    base = results[0].pages_per_minute
    lines = [
        "# Load benchmark (real pipeline, queue and workers)",
        "",
        "```",
        meta["command"],
        "```",
        "",
        f"{meta['pages']} generated one-page slips (`ocr.synth`, clean, PNG), captured as one "
        f"backlog through `intake.capture` and the RQ queue, worked by `worker.py` processes; "
        f"database {meta['database']}, private Redis. Machine: {meta['cpus']} CPUs, "
        f"load average {meta['load_average']} before the first run; code {meta['commit']}.",
        "",
        "| workers | pages | seconds | pages/min | speed-up | queue wait p50 | p95 "
        "| OCR s/page | peak RSS per worker (MB) | load average before → after | outcome |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for r in results:
        outcome = ", ".join(f"{k} {v}" for k, v in sorted(r.statuses.items()))
        lines.append(
            f"| {r.workers} | {r.pages} | {r.seconds} | {r.pages_per_minute} "
            f"| {r.pages_per_minute / base:.2f}× | {r.queue_wait_p50} s | {r.queue_wait_p95} s "
            f"| {r.ocr_seconds_mean} | {', '.join(str(p) for p in r.peak_rss_mb_per_worker)} "
            f"| {r.load_average_before} → {r.load_average_after} | {outcome} |"
        )
    needed = PEAK_DAY_PAGES / (WORKING_DAY_HOURS * 60)
    one = results[0].pages_per_minute / results[0].workers
    lines += [
        "",
        f"A peak day of {PEAK_DAY_PAGES:,} pages in {WORKING_DAY_HOURS} hours needs "
        f"{needed:.0f} pages/min; one worker did {one:.1f} pages/min here "
        f"({one / needed:.1f}× that). Scaling from the first to the last run: "
        f"{results[-1].pages_per_minute / base:.2f}× (target ≥ 1.8× from 1 to 2 workers, "
        "which needs a core per worker: see the load average).",
        "",
        "Queue wait is from enqueue to the claim by a worker, sampled every "
        f"{meta['poll']} s; with the whole batch enqueued at once it is the time to drain the "
        "backlog ahead of a page, so it halves as workers double. Pages per minute run from "
        "the first enqueue to the last result. The machine is shared with other work: a "
        "load average near or above the core count means the workers did not have a core "
        "each, and the OCR seconds per page show it.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=7000)
    parser.add_argument("--poll", type=float, default=0.1, help="sampling interval (seconds)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL"),
        help="PostgreSQL server to create the runs' databases on (default TEST_DATABASE_URL)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "load", help="report path stem")
    args = parser.parse_args(argv)
    command = " ".join(
        ["python bench/load_benchmark.py", shlex.join(sys.argv[1:] if argv is None else argv)]
    ).strip()
    meta = {
        "command": command,
        "pages": args.pages,
        "database": "PostgreSQL" if args.database_url else "SQLite",
        "cpus": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 2),
        "poll": args.poll,
        "python": platform.python_version(),
        "commit": _commit(),
    }
    results = []
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
        folder = Path(tmp)
        (folder / "pages").mkdir()
        pages = generate_pages(args.pages, args.seed, folder / "pages")
        for workers in args.workers:
            run_folder = folder / f"run-{workers}"
            run_folder.mkdir()
            with scratch_database(args.database_url, run_folder, f"load_w{workers}") as url:
                result = run_once(pages, workers, url, run_folder, args.poll)
            results.append(result)
            print(json.dumps(asdict(result)), flush=True)
    report = render(results, meta)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(report, encoding="utf-8")
    args.out.with_suffix(".json").write_text(
        json.dumps({**meta, "runs": [asdict(r) for r in results]}, indent=1), encoding="utf-8"
    )
    print(report)
    return 0


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


if __name__ == "__main__":
    sys.exit(main())
