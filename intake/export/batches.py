"""Immutable, gaplessly numbered export batches of approved records (R17).

Every approved document goes into exactly one batch: the batch is cut under a lock that
serialises exporters (PostgreSQL: a transaction-level advisory lock plus row locks on the
documents; SQLite: the database's single write lock, taken before anything is read), and the
primary key on ``ExportBatch.seq`` and the unique ``ExportItem.document_id`` are the last guard.
A batch's CSV holds personal data, so it expires with the retention period like the documents.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select, text
from sqlalchemy.orm import Session, selectinload

from intake.errors import ConfigurationError
from intake.export.layouts import ExportError
from intake.export.lines import blocking_findings, export_file, export_line, record_year
from intake.export.national import RECORD_FORMS, record_layout
from intake.export.settings import ExportSettings, get_export_settings
from intake.settings import get_settings
from ocr.layout import FORM_IDS
from storage.models import AuditEvent, Document, ExportBatch, ExportItem, FieldValue, utcnow
from storage.status import DocumentStatus
from validators.findings import Finding

log = logging.getLogger(__name__)

#: pg_advisory_xact_lock key of the export sequence ("tax-intake export" → a fixed number).
_PG_LOCK_KEY = 0x7A_45_78_70

Value = str | int | bool | None


def lock_export_sequence(session: Session) -> None:
    """Serialise exporters until the session's transaction ends."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    elif dialect == "sqlite":
        # A write statement as the transaction's first statement takes SQLite's write lock
        # (BEGIN is implicit before DML); a concurrent exporter waits on busy_timeout.
        session.execute(text("UPDATE export_batch SET seq = seq WHERE 1 = 0"))
    else:
        raise ConfigurationError(f"export batches do not support the {dialect} database")


def document_values(document: Document) -> dict[str, Value]:
    """The normalized values of a document's form (page 1: the slips are single-page)."""
    return {fv.name: fv.value for fv in document.fields if fv.page_number == 1}


def _approved_documents(session: Session, form_id: str) -> list[Document]:
    query = (
        select(Document)
        .where(
            Document.status == DocumentStatus.APPROVED,
            Document.form_id == form_id,
            ~exists().where(ExportItem.document_id == Document.id),
        )
        .order_by(Document.approved_at, Document.id)
        .options(selectinload(Document.fields))
    )
    if session.get_bind().dialect.name == "postgresql":
        # Approvals and reopenings of these documents wait until the batch is committed.
        query = query.with_for_update(of=Document)
    return list(session.scalars(query))


def _send_back(
    session: Session, document: Document, actor: str, findings: list[Finding], problem: str
) -> None:
    """An approved record that cannot be written goes back to review with the reason."""
    rules = sorted({f.rule for f in findings}) or ["export_error"]
    for finding in findings:
        field = next(
            (fv for fv in document.fields if fv.name == finding.field and fv.page_number == 1),
            None,
        )
        if isinstance(field, FieldValue):
            issues = [i for i in (field.issues or []) if i.get("rule") != finding.rule]
            field.issues = [*issues, finding.as_dict()]
            field.needs_review = True
    document.move_to(
        DocumentStatus.NEEDS_REVIEW,
        reason=f"出力できません（{', '.join(rules)}）: {problem}",
        reason_code="export_blocked",
    )
    session.add(
        AuditEvent(
            actor=actor,
            action="export_blocked",
            document_id=document.id,
            detail={"rules": rules},
        )
    )


def _layout_available(form_id: str, values: dict[str, Value], settings: ExportSettings) -> bool:
    if form_id not in RECORD_FORMS:
        return True
    try:
        record_layout(form_id, record_year(form_id, values), settings)
    except ExportError:
        return False
    return True


def create_export_batch(
    session: Session,
    form_id: str,
    actor: str,
    *,
    settings: ExportSettings | None = None,
    now: datetime | None = None,
) -> ExportBatch | None:
    """Put every approved, not yet exported document of ``form_id`` into a new batch.

    Returns None when there is nothing to export. Documents whose record cannot be written are
    sent back to NEEDS_REVIEW with the reason; documents of a 年分 without a configured layout
    stay APPROVED (logged) until one is configured. The caller commits.
    """
    settings = settings or get_export_settings()
    lock_export_sequence(session)
    documents = _approved_documents(session, form_id)
    if not documents:
        return None
    if form_id in RECORD_FORMS and settings.municipality_code is None:
        raise ConfigurationError(
            "set TAX_INTAKE_EXPORT_MUNICIPALITY_CODE (提出先市町村コード) before exporting"
        )
    rows: list[tuple[int, Document, bytes]] = []
    for document in documents:
        values = document_values(document)
        findings = blocking_findings(form_id, values)
        if findings:
            _send_back(session, document, actor, findings, findings[0].message_ja)
            continue
        if not _layout_available(form_id, values, settings):
            log.warning("export: no layout for the year of document %s; kept", document.id)
            continue
        try:
            line = export_line(form_id, values, settings)
        except ExportError as exc:
            _send_back(session, document, actor, [], str(exc))
            continue
        rows.append((record_year(form_id, values), document, line))
    if not rows:
        return None
    rows.sort(key=lambda row: row[0])  # one 年分 after the other: layouts differ by year
    content = export_file(form_id, (line for _, _, line in rows))
    batch = new_batch(session, form_id, actor, content, len(rows), now)
    for line_number, (_, document, _) in enumerate(rows, start=1):
        session.add(
            ExportItem(export_seq=batch.seq, document_id=document.id, line_number=line_number)
        )
        document.move_to(DocumentStatus.EXPORTED)
    session.add(
        AuditEvent(
            actor=actor,
            action="export",
            detail={"seq": batch.seq, "count": len(rows), "form_id": form_id},
        )
    )
    session.flush()
    return batch


def new_batch(
    session: Session,
    form_id: str,
    actor: str,
    content: bytes,
    record_count: int,
    now: datetime | None = None,
) -> ExportBatch:
    """Store a batch under the next number; call with the sequence locked
    (:func:`lock_export_sequence`) in the same transaction."""
    now = now or utcnow()
    seq = (session.scalar(select(func.max(ExportBatch.seq))) or 0) + 1
    batch = ExportBatch(
        seq=seq,
        created_at=now,
        created_by=actor,
        form_id=form_id,
        record_count=record_count,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        # The file holds personal data: it expires like the documents (R20).
        expires_at=now + timedelta(days=get_settings().retention_days),
    )
    session.add(batch)
    session.flush()
    return batch


def create_all_export_batches(session: Session, actor: str) -> list[ExportBatch]:
    """A batch per form with approved records; forms whose export is not configured are
    skipped with a log line (their documents stay APPROVED)."""
    batches = []
    for form_id in FORM_IDS:
        try:
            batch = create_export_batch(session, form_id, actor)
        except ConfigurationError as exc:
            log.warning("export of %s skipped: %s", form_id, exc)
            continue
        if batch is not None:
            batches.append(batch)
    return batches
