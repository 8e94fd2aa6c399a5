"""Work queues: which documents wait for whom, oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ocr.layout import load_layout
from review_ui.claims import claimed_by_others, holders
from review_ui.models import CheckState, DoubleCheck
from storage.models import Document, FieldValue
from storage.status import DocumentStatus

PAGE_SIZE = 50


@dataclass
class QueueRow:
    document_id: str
    form_id: str | None
    form_title: str
    received_at: datetime
    filename: str
    to_review: int
    #: Another person who has the document open now, if any.
    holder: str | None = None


def _title(form_id: str | None) -> str:
    try:
        return load_layout(form_id).title if form_id else "（様式不明）"
    except KeyError:
        return form_id or "（様式不明）"


def _waiting_for_check():
    return select(DoubleCheck.document_id).where(
        DoubleCheck.state.in_((CheckState.AWAITING, CheckState.MISMATCH))
    )


def _rows(db: Session, docs: list[Document]) -> list[QueueRow]:
    # Counting only for the documents on the page keeps the queue fast with a full table.
    ids = [d.id for d in docs]
    counts = (
        dict(
            db.execute(
                select(FieldValue.document_id, func.count())
                .where(FieldValue.document_id.in_(ids), FieldValue.needs_review.is_(True))
                .group_by(FieldValue.document_id)
            ).all()
        )
        if ids
        else {}
    )
    return [
        QueueRow(
            document_id=d.id,
            form_id=d.form_id,
            form_title=_title(d.form_id),
            received_at=d.received_at,
            filename=d.filename,
            to_review=int(counts.get(d.id, 0)),
        )
        for d in docs
    ]


def correction_queue(
    db: Session, user_id: str, limit: int = PAGE_SIZE
) -> tuple[list[QueueRow], int]:
    """Documents waiting for correction (not those handed on to the double check), with who
    else has one open."""
    where = (
        Document.status == DocumentStatus.NEEDS_REVIEW,
        Document.id.not_in(_waiting_for_check()),
    )
    docs = list(
        db.scalars(select(Document).where(*where).order_by(Document.received_at).limit(limit))
    )
    total = db.scalar(select(func.count()).select_from(Document).where(*where)) or 0
    rows = _rows(db, docs)
    open_elsewhere = holders(db, [r.document_id for r in rows], user_id)
    for row in rows:
        row.holder = open_elsewhere.get(row.document_id)
    return rows, total


def next_for_correction(db: Session, user_id: str, after: str | None = None) -> str | None:
    """The oldest document waiting for correction that nobody else has open, other than
    ``after``."""
    query = select(Document.id).where(
        Document.status == DocumentStatus.NEEDS_REVIEW,
        Document.id.not_in(_waiting_for_check()),
        Document.id.not_in(claimed_by_others(user_id)),
    )
    if after:
        query = query.where(Document.id != after)
    return db.scalar(query.order_by(Document.received_at).limit(1))


def check_queue(
    db: Session, state: str, exclude_first_by: str | None = None, limit: int = PAGE_SIZE
) -> tuple[list[QueueRow], int]:
    """Documents in a double-check state; a checker never sees their own first entries."""
    where = [Document.status == DocumentStatus.NEEDS_REVIEW, DoubleCheck.state == state]
    if exclude_first_by:
        where.append(DoubleCheck.first_by != exclude_first_by)
    base = select(Document).join(DoubleCheck, DoubleCheck.document_id == Document.id)
    docs = list(db.scalars(base.where(*where).order_by(Document.received_at).limit(limit)))
    total = (
        db.scalar(
            select(func.count())
            .select_from(Document)
            .join(DoubleCheck, DoubleCheck.document_id == Document.id)
            .where(*where)
        )
        or 0
    )
    return _rows(db, docs), total
