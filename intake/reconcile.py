"""The reconciler: the database says which documents still need work; the queue is told again.

Runs at worker start and every minute. It makes a lost Redis (flushed, restarted, replaced)
lose no document, and hands back documents whose worker died mid-job (R41).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from rq import Queue
from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.queue import (
    MAX_ATTEMPTS,
    enqueue_document,
    has_waiting_job,
    queued_job_ids,
    run_limit,
)
from intake.settings import Settings, get_settings
from storage.models import Document, utcnow
from storage.status import DocumentStatus

log = logging.getLogger(__name__)


def reconcile(session: Session, queue: Queue, settings: Settings | None = None) -> list[str]:
    """Re-enqueue documents that need work but have no job; returns their ids.

    * RECEIVED with no queued or running job: the enqueue was lost (Redis down or flushed).
    * PROCESSING for longer than a run can live (:func:`intake.queue.run_limit`): the worker
      died. The run is abandoned (its token is cleared so a late finish cannot write) and the
      document starts again — or, after :data:`MAX_ATTEMPTS` runs, is FAILED, so a file that
      kills its worker every time cannot do so for ever.
    """
    settings = settings or get_settings()
    now = utcnow()
    handed_back: list[str] = []

    # Locked, and rows a run is writing right now skipped: a run that finishes at the last
    # moment keeps its result instead of being overwritten by a stale read.
    stuck = session.scalars(
        select(Document)
        .where(
            Document.status == DocumentStatus.PROCESSING,
            Document.status_changed_at < now - run_limit(settings),
        )
        .with_for_update(skip_locked=True)
    ).all()
    abandoned = []
    for doc in stuck:
        doc.run_token = None
        if doc.attempts >= MAX_ATTEMPTS:
            log.warning("document %s: run abandoned %d times; failed", doc.id, doc.attempts)
            doc.move_to(
                DocumentStatus.FAILED,
                reason=f"処理が{doc.attempts}回中断されました。"
                f"(run abandoned {doc.attempts} times)",
                reason_code="processing_error",
            )
            continue
        abandoned.append(doc.id)
        doc.move_to(
            DocumentStatus.RECEIVED,
            reason="前回の処理が中断されました。(run abandoned)",
            reason_code="retrying",
        )
    session.commit()

    # The grace period keeps clear of uploads whose own enqueue is still on its way.
    grace = now - timedelta(seconds=settings.enqueue_grace_seconds)
    waiting = session.scalars(
        select(Document.id).where(
            Document.status == DocumentStatus.RECEIVED, Document.status_changed_at < grace
        )
    ).all()
    queued = queued_job_ids(queue)
    for document_id in [*abandoned, *waiting]:
        if not has_waiting_job(queue, document_id, queued, settings) and enqueue_document(
            document_id, queue
        ):
            handed_back.append(document_id)
    if handed_back:
        log.info("reconciler re-enqueued %d document(s)", len(handed_back))
    return handed_back
