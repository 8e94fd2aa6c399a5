"""訂正 and 取消 of a record that was already exported (提出区分 2 and 3, national layouts).

An amendment is a batch of its own holding one line: the corrected record (訂正) or the
exported record again with 提出区分 3 (取消). It is numbered in the same gapless sequence and
served by the same feed. ``ExportItem`` keeps the first export of each document only (one
row per document), so the amendment is tied to its document by the audit log
(``export_amend``, document id, batch number, kind).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.export.batches import document_values, lock_export_sequence, new_batch
from intake.export.layouts import ExportError
from intake.export.lines import export_line
from intake.export.national import RECORD_FORMS, SubmissionKind
from intake.export.settings import ExportSettings, get_export_settings
from storage.models import AuditEvent, Document, ExportBatch, ExportItem
from validators.rules import validate_record

Value = str | int | bool | None


def create_amendment_batch(
    session: Session,
    document_id: str,
    kind: SubmissionKind,
    actor: str,
    *,
    corrected_values: Mapping[str, Value] | None = None,
    settings: ExportSettings | None = None,
    now: datetime | None = None,
) -> ExportBatch:
    """A batch correcting (with ``corrected_values``) or withdrawing an exported record.

    Raises :class:`ExportError` when the document was never exported, its form has no
    提出区分, the corrected values have validation errors, or (取消) the record is no longer
    held because its retention period has passed.
    """
    if kind not in (SubmissionKind.CORRECTION, SubmissionKind.CANCELLATION):
        raise ExportError("an amendment is a 訂正 or a 取消")
    settings = settings or get_export_settings()
    lock_export_sequence(session)
    first = session.scalar(select(ExportItem).where(ExportItem.document_id == document_id))
    if first is None:
        raise ExportError("the document was never exported: nothing to correct or withdraw")
    original = session.get(ExportBatch, first.export_seq)
    assert original is not None  # export_item.export_seq is a foreign key
    if original.form_id not in RECORD_FORMS:
        raise ExportError(f"the {original.form_id} layout has no 提出区分 (訂正・取消)")
    values = _amended_values(session, document_id, kind, original.form_id, corrected_values)
    line = export_line(original.form_id, values, settings, kind)
    batch = new_batch(session, original.form_id, actor, line, 1, now)
    session.add(
        AuditEvent(
            actor=actor,
            action="export_amend",
            document_id=document_id,
            detail={
                "seq": batch.seq,
                "kind": kind.name.lower(),
                "original_seq": original.seq,
            },
        )
    )
    session.flush()
    return batch


def _amended_values(
    session: Session,
    document_id: str,
    kind: SubmissionKind,
    form_id: str,
    corrected_values: Mapping[str, Value] | None,
) -> Mapping[str, Value]:
    if kind is SubmissionKind.CANCELLATION:
        if corrected_values is not None:
            raise ExportError("a 取消 repeats the exported record; it takes no values")
        document = session.get(Document, document_id)
        if document is None:
            raise ExportError("the exported record is no longer held (retention period passed)")
        return document_values(document)
    if corrected_values is None:
        raise ExportError("a 訂正 needs the corrected values")
    errors = [f for f in validate_record(form_id, corrected_values) if f.severity == "error"]
    if errors:
        rules = ", ".join(sorted({f"{f.rule}:{f.field}" for f in errors}))
        raise ExportError(f"the corrected record has validation errors: {rules}")
    return corrected_values
