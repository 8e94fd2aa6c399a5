"""Chaos run (R41): documents go in while workers are killed, Redis is flushed and the
database restarts; afterwards nothing is lost and nothing is doubled.

    python scripts/chaos.py [--documents 200] [--workers 2] [--kill-every 20]
                            [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
                            [--restart-database cluster|terminate|none]

The service runs as in production, each part its own process: the web app (uvicorn), N
workers (``worker.py``) and the scheduler (reconciler and purge), on a private Redis and on
PostgreSQL (a database of its own, created and dropped on the server of ``--database-url``)
or, without it, SQLite. Generated slips are uploaded through the HTTP API by a client that
retries like the hot-folder client does. Meanwhile a worker is killed with SIGKILL every
``--kill-every`` seconds (preferring one that is busy) and started again, as a supervisor
would; Redis is flushed once; the database is restarted once:

* ``cluster`` restarts the whole PostgreSQL server (``pg_ctlcluster … restart``), the real
  thing, which also cuts every other client of that server;
* ``terminate`` ends every connection to this run's database (``pg_terminate_backend``),
  what the service sees of a restart, without disturbing anyone else;
* on SQLite there is no server to restart: the database is a file each process opens, so
  the step is moot and skipped.

Afterwards every uploaded file must be exactly one document, in a final state (needs review,
rejected, failed) or still queued for a retry, with exactly its pages and one value per field.
The reconciler's timings are shortened so that runs of killed workers come back within
minutes. Prints a JSON report; exits 1 when a document was lost, doubled or stuck.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from redis import Redis
from rq import Worker
from sqlalchemy import func, select, text

from bench.scratch import admin_engine, pointed_at, scratch_database, write_master_key
from intake.embedded import start_private_redis
from intake.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parents[1]
FORMS = ("kyuyo_kojinbetsu", "nenkin_kojinbetsu", "shinkoku_p1")
#: Reconciler timings for the run: a killed worker's document comes back after
#: job timeout + 60 s instead of the production 11 minutes.
SHORT_TIMINGS = {
    "TAX_INTAKE_JOB_TIMEOUT_SECONDS": "30",
    "TAX_INTAKE_ENQUEUE_GRACE_SECONDS": "3",
    "TAX_INTAKE_RECONCILE_EVERY_SECONDS": "2",
}


@dataclass
class ChaosConfig:
    documents: int = 200
    workers: int = 2
    kill_every: float = 20.0
    max_kills: int = 12
    #: "cluster", "terminate" or "none" (see the module docstring).
    restart_database: str = "cluster"
    flush_redis: bool = True
    #: Every n-th document is a blank page, which must end REJECTED with a reason.
    blank_every: int = 10
    seed: int = 4100
    settle_timeout: float = 1800.0


@dataclass
class Outcome:
    uploaded: int = 0
    not_accepted: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)
    queued_for_retry: list[str] = field(default_factory=list)
    page_problems: list[str] = field(default_factory=list)
    #: Workers killed, each in the middle of a job.
    kills: int = 0
    #: Documents that needed more than one run (evidence that kills and restarts hit them).
    runs_abandoned: int = 0
    redis_flushes: int = 0
    database_restarts: int = 0
    upload_retries: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Nothing lost, doubled, unknown or stuck, and every document's rows are whole."""
        return not (
            self.lost
            or self.duplicated
            or self.unexpected
            or self.stuck
            or self.page_problems
            or self.not_accepted
        )


# --- the service as separate processes -------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Service:
    """Web app, workers and scheduler as child processes, with their logs in ``logs``."""

    def __init__(self, env: dict[str, str], logs: Path, workers: int) -> None:
        self.env, self.logs = env, logs
        self.port = _free_port()
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._started = 0
        self._registered: set[int] = set()
        self._cpu: dict[int, float] = {}
        logs.mkdir(parents=True, exist_ok=True)
        self._start(
            "web",
            ["-m", "uvicorn", "api:app", "--port", str(self.port), "--log-level", "warning"],
        )
        self._start("scheduler", ["-m", "intake", "scheduler"])
        for _ in range(workers):
            self.start_worker()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _start(self, name: str, args: list[str]) -> None:
        with (self.logs / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                [sys.executable, *args], cwd=ROOT, env=self.env, stdout=log, stderr=log
            )

    def start_worker(self) -> str:
        self._started += 1
        name = f"worker-{self._started}"
        self._start(name, ["worker.py"])
        return name

    def workers(self) -> dict[str, subprocess.Popen[bytes]]:
        return {n: p for n, p in self.processes.items() if n.startswith("worker-")}

    def busy_workers(self, connection: Redis) -> list[int]:
        """Pids of workers in the middle of a job: registered with the queue (models loaded)
        and using the CPU since the last call. Registration is remembered, because a flushed
        Redis forgets the workers that are still running."""
        self._registered.update(w.pid for w in Worker.all(connection=connection) if w.pid)
        busy = []
        for process in self.workers().values():
            if process.poll() is not None:
                continue
            used = _cpu_seconds(process.pid)
            before = self._cpu.get(process.pid, used)
            self._cpu[process.pid] = used
            if process.pid in self._registered and used - before > 0.05:
                busy.append(process.pid)
        return busy

    def kill_worker(self, pid: int) -> None:
        """SIGKILL a worker and start a replacement, as a supervisor would."""
        name = next(n for n, p in self.workers().items() if p.pid == pid)
        os.kill(pid, signal.SIGKILL)
        self.processes.pop(name).wait(30)
        self.start_worker()

    def check_alive(self) -> None:
        """Raise when a process ended by itself (only the run kills workers)."""
        for name, process in self.processes.items():
            if process.poll() is not None:
                tail = (self.logs / f"{name}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail}")

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"the web app did not become ready; see {self.logs}/web.log")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


# --- uploads -------------------------------------------------------------------------


def generate_document(index: int, config: ChaosConfig) -> tuple[str, bytes]:
    """One fictitious scan (file name, PNG bytes); every ``blank_every``-th a blank page."""
    from ocr.synth import make_reject_sample, make_sample

    if config.blank_every and index % config.blank_every == config.blank_every - 1:
        sample = make_reject_sample("blank", seed=config.seed + index)
    else:
        sample = make_sample(FORMS[index % len(FORMS)], config.seed + index, condition="clean")
    buffer = io.BytesIO()
    sample.image.save(buffer, format="PNG", dpi=(sample.dpi, sample.dpi))
    return f"chaos-{index:04d}.png", buffer.getvalue()


@dataclass
class Uploader:
    """Uploads like the hot-folder client: retries until the server gives a final answer
    (2xx receipt or 4xx refusal), however long the service is unavailable."""

    url: str
    token: str
    give_up_after: float = 600.0
    accepted: dict[str, str] = field(default_factory=dict)  # sha256 → document id
    refused: dict[str, str] = field(default_factory=dict)  # file name → reason
    not_accepted: list[str] = field(default_factory=list)
    retries: int = 0
    done: int = 0

    def upload(self, name: str, data: bytes) -> None:
        digest = hashlib.sha256(data).hexdigest()
        deadline = time.monotonic() + self.give_up_after
        headers = {"Authorization": f"Bearer {self.token}"}
        while time.monotonic() < deadline:
            try:
                response = httpx.post(
                    f"{self.url}/api/v1/documents",
                    headers=headers,
                    files={"file": (name, data)},
                    timeout=60,
                )
            except httpx.HTTPError:
                response = None
            if response is not None and response.status_code < 500:
                if response.status_code in (200, 201):
                    self.accepted[digest] = response.json()["id"]
                else:
                    self.refused[name] = response.text
                self.done += 1
                return
            self.retries += 1
            time.sleep(0.5)
        self.not_accepted.append(name)
        self.done += 1


# --- disturbances --------------------------------------------------------------------


def restart_database(mode: str, database_url: str) -> bool:
    """Restart PostgreSQL (``cluster``) or cut every connection to this database
    (``terminate``). Returns False when there is nothing to restart (SQLite, ``none``)."""
    if mode == "none" or not database_url.startswith("postgresql"):
        return False
    if mode == "cluster":
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
            check=True,
            timeout=120,
        )
        return True
    name = urlsplit(database_url).path.lstrip("/")
    admin = admin_engine(database_url)
    with admin.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
    admin.dispose()
    return True


# --- the check -----------------------------------------------------------------------


def check(outcome: Outcome, uploader: Uploader, settings: Settings) -> None:
    """Compare the database with what was uploaded; fill ``outcome``'s findings."""
    from intake.queue import get_queue, has_waiting_job
    from ocr.layout import load_layout
    from storage.db import session_scope
    from storage.models import Document, FieldValue, Page
    from storage.status import DocumentStatus

    queue = get_queue(settings)
    with session_scope() as session:
        documents = session.scalars(select(Document)).all()
        pages = Counter(
            dict(
                session.execute(
                    select(Page.document_id, func.count()).group_by(Page.document_id)
                ).all()
            )
        )
        fields = Counter(
            dict(
                session.execute(
                    select(FieldValue.document_id, func.count()).group_by(FieldValue.document_id)
                ).all()
            )
        )
        ok_pages = Counter(
            dict(
                session.execute(
                    select(Page.document_id, func.count())
                    .where(Page.status == "ok")
                    .group_by(Page.document_id)
                ).all()
            )
        )
        by_sha = Counter(d.sha256 for d in documents)
        outcome.by_status = dict(Counter(d.status for d in documents))
        outcome.runs_abandoned = sum(1 for d in documents if d.attempts > 1)
        outcome.duplicated = sorted(sha for sha, n in by_sha.items() if n > 1)
        outcome.lost = sorted(sha for sha in uploader.accepted if sha not in by_sha)
        outcome.unexpected = sorted(d.id for d in documents if d.sha256 not in uploader.accepted)
        for doc in documents:
            if doc.status in (DocumentStatus.RECEIVED, DocumentStatus.PROCESSING):
                if doc.status == DocumentStatus.RECEIVED and has_waiting_job(
                    queue, doc.id, settings=settings
                ):
                    outcome.queued_for_retry.append(doc.id)
                else:
                    outcome.stuck.append(f"{doc.id} {doc.status}")
                continue
            if doc.status == DocumentStatus.NEEDS_REVIEW:
                expected = len(load_layout(doc.form_id).fields) if doc.form_id else -1
                if pages[doc.id] != 1 or fields[doc.id] != expected * ok_pages[doc.id]:
                    outcome.page_problems.append(
                        f"{doc.id}: {pages[doc.id]} page(s), {fields[doc.id]} value(s)"
                    )
            elif pages[doc.id] > 1:
                outcome.page_problems.append(f"{doc.id}: {pages[doc.id]} pages")


def _unsettled(settings: Settings) -> int:
    """Documents not yet in a final state; a large number while the database is away."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import session_scope
    from storage.models import Document
    from storage.status import OPEN_FOR_PROCESSING

    try:
        with session_scope() as session:
            count = session.scalar(
                select(func.count())
                .select_from(Document)
                .where(Document.status.in_([s.value for s in OPEN_FOR_PROCESSING]))
            )
    except SQLAlchemyError:
        return sys.maxsize
    return int(count or 0)


# --- the run -------------------------------------------------------------------------


def run_chaos(config: ChaosConfig, database_url: str, workdir: Path) -> Outcome:
    """One chaos run against a migrated, empty database; returns what was found."""
    from intake.commands.tokens import create_token

    rng = random.Random(config.seed)
    outcome = Outcome()
    var_dir = workdir / "var"
    redis_process = start_private_redis(Settings(var_dir=var_dir))
    redis_url = Settings(var_dir=var_dir).resolved_redis_url
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "STORE_DIR": str(workdir / "store"),
        "TAX_INTAKE_VAR_DIR": str(var_dir),
        "PYTHONPATH": str(ROOT),
        "OMP_THREAD_LIMIT": "1",
        "TAX_INTAKE_MASTER_KEY_FILE": str(write_master_key(workdir)),
        **SHORT_TIMINGS,
    }
    started = time.monotonic()
    service: Service | None = None
    try:
        with pointed_at(env):
            settings = get_settings()
            token = create_token(f"chaos-{os.getpid()}", "station")
            service = Service({**os.environ, **env}, workdir / "logs", config.workers)
            service.wait_ready()
            connection = Redis.from_url(redis_url)
            uploader = Uploader(service.url, token)

            def upload_all() -> None:
                for index in range(config.documents):
                    uploader.upload(*generate_document(index, config))

            thread = threading.Thread(target=upload_all, daemon=True)
            thread.start()
            flush_at = config.documents * 0.4
            restart_at = config.documents * 0.7
            next_kill = time.monotonic() + config.kill_every
            # Disturb until every upload is in and every document is through.
            while thread.is_alive() or _unsettled(settings):
                if time.monotonic() - started > config.settle_timeout:
                    break
                service.check_alive()
                busy = service.busy_workers(connection)
                if busy and time.monotonic() >= next_kill and outcome.kills < config.max_kills:
                    service.kill_worker(rng.choice(busy))
                    outcome.kills += 1
                    next_kill = time.monotonic() + config.kill_every
                if config.flush_redis and not outcome.redis_flushes and uploader.done >= flush_at:
                    connection.flushall()
                    outcome.redis_flushes = 1
                if not outcome.database_restarts and uploader.done >= restart_at:
                    outcome.database_restarts = -1  # attempted
                    if restart_database(config.restart_database, database_url):
                        outcome.database_restarts = 1
                time.sleep(0.5)
            outcome.database_restarts = max(outcome.database_restarts, 0)
            thread.join(timeout=60)
            outcome.uploaded = len(uploader.accepted)
            outcome.not_accepted = len(uploader.not_accepted)
            outcome.upload_retries = uploader.retries
            check(outcome, uploader, settings)
    finally:
        if service is not None:
            service.stop()
        redis_process.terminate()
        redis_process.wait(10)
        outcome.seconds = round(time.monotonic() - started, 1)
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-every", type=float, default=20.0, metavar="SECONDS")
    parser.add_argument("--max-kills", type=int, default=12)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL"),
        help="a PostgreSQL server to create this run's database on (default TEST_DATABASE_URL;"
        " without one, SQLite)",
    )
    parser.add_argument(
        "--restart-database", choices=["cluster", "terminate", "none"], default="cluster"
    )
    parser.add_argument("--no-flush", action="store_true", help="do not flush Redis")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    args = parser.parse_args(argv)
    config = ChaosConfig(
        documents=args.documents,
        workers=args.workers,
        kill_every=args.kill_every,
        max_kills=args.max_kills,
        restart_database=args.restart_database,
        flush_redis=not args.no_flush,
    )
    workdir = Path(tempfile.mkdtemp(prefix="tax-intake-chaos-"))
    try:
        with scratch_database(args.database_url, workdir, "chaos") as url:
            outcome = run_chaos(config, url, workdir)
            # Printed before the database is dropped, so a failing clean-up loses no result.
            report = {
                "command": "python scripts/chaos.py "
                + " ".join(sys.argv[1:] if argv is None else argv),
                "database": "postgresql" if url.startswith("postgresql") else "sqlite",
                "config": asdict(config),
                "ok": outcome.ok,
                **asdict(outcome),
            }
            print(json.dumps(report, indent=1), flush=True)
    finally:
        if args.keep:
            print(f"work directory kept: {workdir}", file=sys.stderr)
        else:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
