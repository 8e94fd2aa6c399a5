"""Deletion: at the deadline (R20) or at once by a supervisor (R21).

The data key goes first (cryptographic erase), then the files, then the rows; each deletion
leaves a record with no personal data (R23).
"""

from __future__ import annotations

import logging
import shutil
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from intake.settings import get_settings
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
    session: Session,
    store: DocumentStore,
    document: Document,
    actor: str,
    reason: str,
    remote_addr: str | None = None,
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
            remote_addr=remote_addr,
        )
    )
    session.delete(document)  # pages and field values go with it (cascade)
    return record


def scrub_database(session: Session) -> None:
    """Leave no copy of deleted rows in the database files (R23).

    SQLite runs with ``secure_delete`` (storage.db), which zeroes deleted content and freed
    pages in the database file; old page versions still sit in the write-ahead log until a
    checkpoint, so the log is checkpointed and truncated. On PostgreSQL, deleted rows stay
    in dead tuples until vacuumed and overwritten; what they could reveal is sealed (field
    values, export files) or no personal data (ids, status).
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    busy, _, _ = session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).one()
    if busy:  # a reader held the log; the next purge round truncates it
        log.info("purge: write-ahead log in use; truncated next round")


def _clear_scratch(scratch: Path) -> None:
    """Remove what a crashed job left in the scratch folder (a running job's is kept)."""
    if not scratch.exists():
        return
    for entry in scratch.iterdir():
        if time.time() - entry.lstat().st_mtime > ORPHAN_GRACE_SECONDS:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def purge_expired(session: Session, store: DocumentStore, now: datetime | None = None) -> int:
    """Delete every document and export file past its deadline; returns documents deleted.

    Each document's data key is destroyed first, then its files unlinked, then its rows
    deleted, and the database's deleted pages scrubbed. Also removes store folders and keys
    that have no document row (an upload whose database write failed after its file was
    stored) and what crashed jobs left in the scratch folder, so nothing outlives the
    deadline unseen.
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
    _clear_scratch(get_settings().scratch_dir)
    # Audit events are not documents: they hold no personal data and are kept 4 years (R33).
    prune_audit(session, now)
    session.commit()
    if expired:
        scrub_database(session)
        log.info("purge deleted %d document(s)", len(expired))
    return len(expired)
