"""The database is the source of truth: a lost queue or a dead worker loses no document (R41)."""

from __future__ import annotations

from datetime import timedelta

from redis import Redis

from intake.capture import capture
from intake.pipeline import _claim, _save_results
from intake.queue import get_queue, has_waiting_job
from intake.reconcile import reconcile
from intake.settings import Settings
from ocr.result import PageResult
from storage.db import session_scope
from storage.models import Document, utcnow
from storage.store import get_store


def _received_document(age_seconds: int = 120) -> str:
    with session_scope() as session:
        receipt = capture(session, get_store(), b"\x89PNG\r\n\x1a\n" + b"x" * 64, "a.png", "t")
        doc = session.get(Document, receipt.document_id)
        assert doc is not None
        doc.status_changed_at = utcnow() - timedelta(seconds=age_seconds)
        return receipt.document_id


def test_lost_enqueue_is_repaired_once(service_env: Settings) -> None:
    document_id = _received_document()
    queue = get_queue(service_env)
    assert not has_waiting_job(queue, document_id)
    with session_scope() as session:
        assert reconcile(session, queue, service_env) == [document_id]
    assert has_waiting_job(queue, document_id)
    with session_scope() as session:
        assert reconcile(session, queue, service_env) == []  # already queued: not again
    assert queue.count == 1


def test_flushed_redis_loses_nothing(service_env: Settings) -> None:
    document_id = _received_document()
    queue = get_queue(service_env)
    with session_scope() as session:
        reconcile(session, queue, service_env)
    Redis.from_url(service_env.resolved_redis_url).flushall()
    assert not has_waiting_job(queue, document_id)
    with session_scope() as session:
        assert reconcile(session, queue, service_env) == [document_id]
    assert has_waiting_job(queue, document_id)


def test_fresh_upload_is_left_to_its_own_enqueue(service_env: Settings) -> None:
    _received_document(age_seconds=0)
    with session_scope() as session:
        assert reconcile(session, get_queue(service_env), service_env) == []


def test_dead_run_is_handed_back_and_cannot_write_late(service_env: Settings) -> None:
    document_id = _received_document()
    claim = _claim(document_id)
    assert claim is not None
    stale_token = claim[0]
    with session_scope() as session:
        doc = session.get(Document, document_id)
        assert doc is not None and doc.status == "processing"
        doc.status_changed_at = utcnow() - timedelta(seconds=service_env.job_timeout_seconds + 61)
    with session_scope() as session:
        assert reconcile(session, get_queue(service_env), service_env) == [document_id]
        doc = session.get(Document, document_id)
        assert doc is not None and doc.status == "received"
    # The abandoned run finishes late: its result must be dropped.
    _save_results(
        document_id,
        stale_token,
        [PageResult(page=1, form_id=None, status="rejected", reason="late")],
    )
    with session_scope() as session:
        doc = session.get(Document, document_id)
        assert doc is not None and doc.status == "received" and doc.pages == []
