"""Loading a document for the review screens, with everything a screen shows of it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.models import Document, FieldValue


class NotFound(Exception):
    """No such document (or field): deleted, purged after five days, or never there."""


def load_document(db: Session, document_id: str) -> Document:
    """The document with its pages and fields, in two queries whatever its size."""
    doc = db.scalar(
        select(Document)
        .where(Document.id == document_id)
        .options(selectinload(Document.pages), selectinload(Document.fields))
    )
    if doc is None:
        raise NotFound
    return doc


def find_field(doc: Document, field_id: int) -> FieldValue:
    for fv in doc.fields:
        if fv.id == field_id:
            return fv
    raise NotFound
