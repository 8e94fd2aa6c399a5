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

from intake.queue import enqueue_document, has_waiting_job
from intake.settings import Settings, get_settings
from storage.models import Document, utcnow
from storage.status import DocumentStatus

log = logging.getLogger(__name__)


def reconcile(session: Session, queue: Queue, settings: Settings | None = None) -> list[str]:
    """Re-enqueue documents that need work but have no job; returns their ids.

    * RECEIVED with no queued or running job: the enqueue was lost (Redis down or flushed).
    * PROCESSING for longer than a job may run: the worker died; the run is abandoned (its
      token is cleared so a late finish cannot write) and the document starts again.
    """
    settings = settings or get_settings()
    now = utcnow()
    dead_after = now - timedelta(seconds=settings.job_timeout_seconds + 60)
    handed_back: list[str] = []

    stuck = session.scalars(
        select(Document).where(
            Document.status == DocumentStatus.PROCESSING, Document.status_changed_at < dead_after
        )
    ).all()
    abandoned = []
    for doc in stuck:
        if has_waiting_job(queue, doc.id) and doc.status_changed_at > now - timedelta(hours=1):
            continue
        abandoned.append(doc.id)
        doc.run_token = None
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
    for document_id in [*abandoned, *waiting]:
        if not has_waiting_job(queue, document_id) and enqueue_document(document_id, queue):
            handed_back.append(document_id)
    if handed_back:
        log.info("reconciler re-enqueued %d document(s)", len(handed_back))
    return handed_back
