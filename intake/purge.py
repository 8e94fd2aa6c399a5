"""Deletion: at the deadline (R20) or at once by a supervisor (R21).

Files go first, then rows; each deletion leaves a record with no personal data (R23).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.audit import prune_audit
from storage.models import (
    AuditEvent,
    DeletionRecord,
    Document,
    ExportBatch,
    FieldValue,
    Page,
    utcnow,
)
from storage.store import DocumentStore

log = logging.getLogger(__name__)

#: A store folder without a row is left alone this long: its upload may still be committing.
ORPHAN_GRACE_SECONDS = 3600


def delete_document(
    session: Session, store: DocumentStore, document: Document, actor: str, reason: str
) -> DeletionRecord:
    """Physically delete one document: its files, its rows, and leave a deletion record."""
    rows = 1 + sum(
        session.scalar(
            select(func.count()).select_from(model).where(model.document_id == document.id)
        )
        or 0
        for model in (Page, FieldValue)
    )
    files = store.delete_document(document.id)
    record = DeletionRecord(
        document_id=document.id,
        received_at=document.received_at,
        actor=actor,
        reason=reason,
        files_deleted=files,
        rows_deleted=rows,
    )
    session.add(record)
    session.add(
        AuditEvent(
            actor=actor,
            action="delete",
            document_id=document.id,
            purpose=reason,
            detail={"files": files, "rows": rows},
        )
    )
    session.delete(document)  # pages and field values go with it (cascade)
    return record


def purge_expired(session: Session, store: DocumentStore, now: datetime | None = None) -> int:
    """Delete every document and export file past its deadline; returns documents deleted.

    Also removes store folders that have no document row (an upload whose database write
    failed after its file was stored), so nothing outlives the deadline unseen.
    """
    now = now or utcnow()
    expired = session.scalars(select(Document).where(Document.expires_at <= now)).all()
    for document in expired:
        delete_document(session, store, document, actor="system", reason="retention_expired")
    # An export keeps its number and count (the feed stays gapless) but loses its content.
    session.execute(
        update(ExportBatch)
        .where(ExportBatch.expires_at <= now, ExportBatch.content.is_not(None))
        .values(content=None)
    )
    session.flush()
    known = set(session.scalars(select(Document.id)).all())
    for orphan in set(store.document_ids()) - known:
        if store.age_seconds(orphan) > ORPHAN_GRACE_SECONDS:
            store.delete_document(orphan)
    # Audit events are not documents: they hold no personal data and are kept 4 years (R33).
    prune_audit(session, now)
    session.commit()
    if expired:
        log.info("purge deleted %d document(s)", len(expired))
    return len(expired)
