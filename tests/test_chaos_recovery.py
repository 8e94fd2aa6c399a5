"""What a killed worker leaves in Redis, and how the reconciler recovers from it (R41).

A SimpleWorker killed with SIGKILL mid-job leaves its job marked "started" for good (RQ only
sweeps such jobs in its ten-minute maintenance, and only once their heartbeat expired); one
killed just after taking a job leaves it marked "queued" but outside the queue. The RQ state
is set here as the dead worker would have left it, on a real Redis and a real database.
"""

from __future__ import annotations

from datetime import timedelta

from rq.job import Job, JobStatus
from rq.utils import now

from intake.capture import capture
from intake.pipeline import _claim
from intake.queue import (
    MAX_ATTEMPTS,
    enqueue_document,
    get_queue,
    has_waiting_job,
    job_id_for,
    queued_job_ids,
    run_limit,
)
from intake.reconcile import reconcile
from intake.settings import Settings
from storage.db import session_scope
from storage.models import Document, utcnow
from storage.status import DocumentStatus
from storage.store import get_store


def _queued_document() -> str:
    with session_scope() as session:
        receipt = capture(session, get_store(), b"\x89PNG\r\n\x1a\n" + b"k" * 64, "k.png", "t")
    assert enqueue_document(receipt.document_id)
    return receipt.document_id


def _taken_by_a_worker(settings: Settings, document_id: str, started_ago: timedelta) -> None:
    """The job leaves the queue and is marked started, as RQ does when a worker takes it."""
    queue = get_queue(settings)
    job = Job.fetch(job_id_for(document_id), connection=queue.connection)
    queue.connection.lrem(queue.key, 0, job.id)
    job.set_status(JobStatus.STARTED)
    job.started_at = now() - started_ago
    job.save()


def _age(document_id: str, seconds: float) -> None:
    with session_scope() as session:
        doc = session.get(Document, document_id)
        assert doc is not None
        doc.status_changed_at = utcnow() - timedelta(seconds=seconds)


def test_run_of_a_killed_worker_is_handed_back_and_queued_again(service_env: Settings) -> None:
    document_id = _queued_document()
    limit = run_limit(service_env)
    _taken_by_a_worker(service_env, document_id, started_ago=limit + timedelta(seconds=1))
    assert _claim(document_id) is not None  # then the worker was killed
    _age(document_id, limit.total_seconds() + 1)
    queue = get_queue(service_env)
    assert not has_waiting_job(queue, document_id)  # "started", but longer than a run can live

    with session_scope() as session:
        assert reconcile(session, queue, service_env) == [document_id]
    with session_scope() as session:
        doc = session.get(Document, document_id)
        assert doc is not None and doc.status == DocumentStatus.RECEIVED and doc.run_token is None
    assert job_id_for(document_id) in queued_job_ids(queue)


def test_job_stranded_outside_the_queue_is_queued_again(service_env: Settings) -> None:
    document_id = _queued_document()
    queue = get_queue(service_env)
    queue.connection.lrem(queue.key, 0, job_id_for(document_id))  # taken, worker died at once
    _age(document_id, service_env.enqueue_grace_seconds + 1)
    job = Job.fetch(job_id_for(document_id), connection=queue.connection)
    assert job.get_status() == JobStatus.QUEUED
    assert not has_waiting_job(queue, document_id)

    with session_scope() as session:
        assert reconcile(session, queue, service_env) == [document_id]
    assert job_id_for(document_id) in queued_job_ids(queue)


def test_a_live_run_is_left_alone(service_env: Settings) -> None:
    document_id = _queued_document()
    _taken_by_a_worker(service_env, document_id, started_ago=timedelta(seconds=5))
    assert _claim(document_id) is not None
    queue = get_queue(service_env)
    assert has_waiting_job(queue, document_id)
    with session_scope() as session:
        assert reconcile(session, queue, service_env) == []
    with session_scope() as session:
        doc = session.get(Document, document_id)
        assert doc is not None and doc.status == DocumentStatus.PROCESSING


def test_a_file_that_kills_its_worker_every_time_ends_failed(service_env: Settings) -> None:
    document_id = _queued_document()
    queue = get_queue(service_env)
    limit = run_limit(service_env).total_seconds()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert _claim(document_id) is not None  # a run starts, and its worker dies
        _age(document_id, limit + 1)
        with session_scope() as session:
            reconcile(session, queue, service_env)
        with session_scope() as session:
            doc = session.get(Document, document_id)
            assert doc is not None
            expected = DocumentStatus.FAILED if attempt == MAX_ATTEMPTS else DocumentStatus.RECEIVED
            assert doc.status == expected, attempt
    with session_scope() as session:
        doc = session.get(Document, document_id)
        assert doc is not None and doc.reason and doc.reason_code == "processing_error"
