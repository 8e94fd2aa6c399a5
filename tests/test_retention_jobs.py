"""The queue carries ids only and keeps no results (R12, R20): nothing in Redis can
outlive the purge with personal data in it. And the purge runs every ten minutes."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis import Redis

from intake.commands.documents import ingest_file
from intake.queue import enqueue_document, get_queue, job_id_for
from intake.scheduler import run_forever
from intake.settings import Settings
from ocr.layout import FORMS_DIR

MARKER_NAME = "山田花子"


def test_jobs_carry_the_document_id_only(service_env: Settings, tmp_path: Path) -> None:
    upload = tmp_path / f"{MARKER_NAME}.png"
    upload.write_bytes((FORMS_DIR / "blank" / "kyuyo_kojinbetsu.png").read_bytes())
    document_id, _ = ingest_file(upload)
    assert enqueue_document(document_id)
    job = get_queue(service_env).fetch_job(job_id_for(document_id))
    assert job is not None
    assert job.args == [document_id] or job.args == (document_id,)
    assert job.kwargs == {}
    assert job.result_ttl == 0  # a result is dropped as soon as it is written
    # Every byte Redis holds: no file name, no image bytes.
    redis = Redis.from_url(service_env.resolved_redis_url)
    dump = b"".join((redis.dump(key) or b"") for key in redis.scan_iter(count=1000))
    assert MARKER_NAME.encode() not in dump
    assert b"\x89PNG" not in dump


def test_purge_runs_every_ten_minutes(monkeypatch, service_env: Settings) -> None:  # type: ignore[no-untyped-def]
    """run_forever purges on its first round and then once per purge_every_seconds (600)."""
    assert service_env.purge_every_seconds == 600
    rounds: list[bool] = []
    clock = [0.0]

    def run_once(settings: Settings, *, purge: bool = True) -> None:
        rounds.append(purge)

    def sleep(seconds: float) -> None:
        clock[0] += seconds
        if clock[0] >= 1800:
            raise StopIteration

    monkeypatch.setattr("intake.scheduler.run_once", run_once)
    monkeypatch.setattr("intake.scheduler.time.sleep", sleep)
    monkeypatch.setattr("intake.scheduler.time.monotonic", lambda: clock[0])
    with pytest.raises(StopIteration):  # the fake clock ends the loop after 30 minutes
        run_forever(service_env)
    # 30 rounds of 60 s: a purge at 0, 600 and 1200 s.
    assert len(rounds) == 30 and [i for i, purge in enumerate(rounds) if purge] == [0, 10, 20]
