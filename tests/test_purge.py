"""Retention floor (R20, R21): documents, files and rows go at the deadline; proof remains."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from intake.capture import capture
from intake.purge import delete_document, purge_expired
from intake.settings import Settings
from storage.db import session_scope
from storage.models import DeletionRecord, Document, FieldValue, Page, utcnow
from storage.store import get_store


def _document_with_rows(payload: bytes) -> str:
    with session_scope() as session:
        receipt = capture(session, get_store(), payload, "slip.png", "t")
        get_store().put(receipt.document_id, "page-001.png", b"image")
        session.add(Page(document_id=receipt.document_id, number=1, status="ok"))
        session.add(
            FieldValue(
                document_id=receipt.document_id,
                page_number=1,
                position=0,
                name="recipient_name",
                field_type="name",
                value="山田　太郎",
            )
        )
        return receipt.document_id


def test_purge_deletes_at_the_deadline_only(service_env: Settings) -> None:
    old = _document_with_rows(b"\x89PNG\r\n\x1a\nold")
    store_root = Path(service_env.resolved_store_dir)
    with session_scope() as session:
        assert purge_expired(session, get_store(), now=utcnow() + timedelta(days=4)) == 0
    assert (store_root / old).exists()
    with session_scope() as session:
        assert purge_expired(session, get_store(), now=utcnow() + timedelta(days=5, seconds=1)) == 1
    assert not (store_root / old).exists()
    with session_scope() as session:
        assert session.get(Document, old) is None
        assert session.scalar(select(func.count()).select_from(FieldValue)) == 0
        assert session.scalar(select(func.count()).select_from(Page)) == 0
        record = session.scalar(select(DeletionRecord))
        assert record is not None
        assert (record.document_id, record.files_deleted, record.rows_deleted) == (old, 2, 3)
        assert record.reason == "retention_expired"


def test_supervisor_deletes_at_once(service_env: Settings) -> None:
    document_id = _document_with_rows(b"\x89PNG\r\n\x1a\nnow")
    with session_scope() as session:
        doc = session.get(Document, document_id)
        assert doc is not None
        delete_document(session, get_store(), doc, actor="supervisor-1", reason="誤送付")
    with session_scope() as session:
        assert session.get(Document, document_id) is None
        assert session.scalar(select(DeletionRecord.actor)) == "supervisor-1"


@pytest.mark.parametrize("days", [5.01, 6, 30, 0, -1])
def test_retention_cannot_exceed_five_days(days: float) -> None:
    with pytest.raises(ValidationError, match="retention_days"):
        Settings(retention_days=days)
