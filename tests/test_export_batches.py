"""Export batches (R17): each approved record in exactly one immutable, gapless batch."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from test_export_records import NENKIN_VALUES, SAMPLE_SETTINGS, SAMPLE_VALUES

from intake.errors import ConfigurationError
from intake.export.batches import create_export_batch
from intake.export.lines import export_line
from intake.export.settings import ExportSettings
from intake.settings import get_settings
from storage.db import session_scope
from storage.models import (
    AuditEvent,
    Batch,
    Document,
    ExportBatch,
    ExportItem,
    FieldValue,
    utcnow,
)
from storage.status import DocumentStatus

SETTINGS = SAMPLE_SETTINGS


def add_document(
    session: Session,
    values: dict[str, Any],
    form_id: str = "kyuyo_kojinbetsu",
    status: DocumentStatus = DocumentStatus.APPROVED,
) -> Document:
    """A document as the correction screen leaves it: values on page 1, status set."""
    batch = Batch(source="test")
    session.add(batch)
    session.flush()
    now = utcnow()
    document = Document(
        batch_id=batch.id,
        status=status,
        filename="scan.pdf",
        content_type="application/pdf",
        size_bytes=1,
        sha256="0" * 64,
        form_id=form_id,
        expires_at=now + timedelta(days=5),
        approved_at=now if status == DocumentStatus.APPROVED else None,
    )
    for position, (name, value) in enumerate(values.items()):
        document.fields.append(
            FieldValue(
                page_number=1,
                position=position,
                name=name,
                field_type="?",
                value=value,
                issues=[],
            )
        )
    session.add(document)
    session.flush()
    return document


def _person(n: int) -> dict[str, Any]:
    return {**SAMPLE_VALUES, "recipient_number": str(n)}


def test_batch_holds_every_approved_record_once(database_url: str) -> None:
    with session_scope(database_url) as session:
        docs = [add_document(session, _person(n)) for n in range(3)]
        add_document(session, _person(9), status=DocumentStatus.NEEDS_REVIEW)
        add_document(session, NENKIN_VALUES, form_id="nenkin_kojinbetsu")
        ids = [d.id for d in docs]
    with session_scope(database_url) as session:
        batch = create_export_batch(session, "kyuyo_kojinbetsu", "alice", settings=SETTINGS)
        assert batch is not None
        assert (batch.seq, batch.record_count, batch.form_id) == (1, 3, "kyuyo_kojinbetsu")
        assert batch.content == b"".join(
            export_line("kyuyo_kojinbetsu", _person(n), SETTINGS) for n in range(3)
        )
        expected_expiry = batch.created_at + timedelta(days=get_settings().retention_days)
        assert batch.expires_at == expected_expiry
    with session_scope(database_url) as session:
        items = session.scalars(select(ExportItem).order_by(ExportItem.line_number)).all()
        assert [(i.export_seq, i.document_id, i.line_number) for i in items] == [
            (1, ids[0], 1),
            (1, ids[1], 2),
            (1, ids[2], 3),
        ]
        statuses = {d.id: d.status for d in session.scalars(select(Document))}
        assert [statuses[i] for i in ids] == ["exported"] * 3
        assert sorted(statuses.values()).count("approved") == 1  # the pension slip
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
        assert (event.actor, event.detail) == (
            "alice",
            {"seq": 1, "count": 3, "form_id": "kyuyo_kojinbetsu"},
        )
        # Nothing new: no empty batch; the next approval gets the next number.
        assert create_export_batch(session, "kyuyo_kojinbetsu", "alice", settings=SETTINGS) is None
        add_document(session, NENKIN_VALUES, form_id="nenkin_kojinbetsu")
        pension = create_export_batch(session, "nenkin_kojinbetsu", "bob", settings=SETTINGS)
        assert pension is not None and (pension.seq, pension.record_count) == (2, 2)


def test_unwritable_record_goes_back_to_review(database_url: str) -> None:
    with session_scope(database_url) as session:
        good = add_document(session, _person(1)).id
        bad = add_document(session, {**_person(2), "recipient_name": None}).id
    with session_scope(database_url) as session:
        batch = create_export_batch(session, "kyuyo_kojinbetsu", "alice", settings=SETTINGS)
        assert batch is not None and batch.record_count == 1
    with session_scope(database_url) as session:
        assert session.get(Document, good).status == "exported"  # type: ignore[union-attr]
        document = session.get(Document, bad)
        assert document is not None
        assert (document.status, document.reason_code) == ("needs_review", "export_blocked")
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "export_blocked"))
        assert event is not None and event.detail == {"rules": ["required"]}
        assert event.document_id == bad


def test_year_without_layout_waits_approved(database_url: str) -> None:
    with session_scope(database_url) as session:
        waiting = add_document(session, {**_person(1), "year": 8}).id
        assert create_export_batch(session, "kyuyo_kojinbetsu", "a", settings=SETTINGS) is None
        assert session.get(Document, waiting).status == "approved"  # type: ignore[union-attr]
        r8 = SETTINGS.model_copy(update={"kyuyo_layouts": {6: "kyuyo_315_r6", 8: "kyuyo_315_r7"}})
        batch = create_export_batch(session, "kyuyo_kojinbetsu", "a", settings=r8)
        assert batch is not None and batch.record_count == 1


def test_unconfigured_municipality_exports_nothing(database_url: str) -> None:
    with session_scope(database_url) as session:
        doc = add_document(session, _person(1)).id
    with pytest.raises(ConfigurationError), session_scope(database_url) as session:
        create_export_batch(session, "kyuyo_kojinbetsu", "a", settings=ExportSettings())
    with session_scope(database_url) as session:
        assert session.get(Document, doc).status == "approved"  # type: ignore[union-attr]
        assert session.scalar(select(func.count()).select_from(ExportBatch)) == 0


def test_concurrent_exports_and_approvals_lose_and_duplicate_nothing(database_url: str) -> None:
    approvals = 24
    errors: list[BaseException] = []

    def approve() -> None:
        try:
            for n in range(approvals):
                with session_scope(database_url) as session:
                    add_document(session, _person(n))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def export() -> None:
        try:
            for _ in range(8):
                with session_scope(database_url) as session:
                    create_export_batch(session, "kyuyo_kojinbetsu", "x", settings=SETTINGS)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=approve)] + [
        threading.Thread(target=export) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    with session_scope(database_url) as session:
        create_export_batch(session, "kyuyo_kojinbetsu", "x", settings=SETTINGS)  # the rest
    with session_scope(database_url) as session:
        seqs = session.scalars(select(ExportBatch.seq).order_by(ExportBatch.seq)).all()
        assert seqs == list(range(1, len(seqs) + 1))
        exported = session.scalars(select(ExportItem.document_id)).all()
        assert len(exported) == len(set(exported)) == approvals
        counts = session.scalars(select(ExportBatch.record_count)).all()
        assert sum(counts) == approvals
        for batch in session.scalars(select(ExportBatch)):
            assert batch.content is not None
            assert batch.content.count(b"\r\n") == batch.record_count
        remaining = session.scalar(
            select(func.count()).select_from(Document).where(Document.status == "approved")
        )
        assert remaining == 0


def test_export_command_writes_the_batch_file(
    database_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intake.__main__ import main
    from intake.export.settings import get_export_settings

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TAX_INTAKE_EXPORT_MUNICIPALITY_CODE", "130001")
    monkeypatch.setenv("TAX_INTAKE_EXPORT_CREATION_KIND", "2")
    get_settings.cache_clear()
    get_export_settings.cache_clear()
    try:
        with session_scope(database_url) as session:
            add_document(session, _person(1))
        out = tmp_path / "export.csv"
        assert main(["export", "--form", "kyuyo_kojinbetsu", "--out", str(out)]) == 0
        assert out.read_bytes() == export_line("kyuyo_kojinbetsu", _person(1), SETTINGS)
        again = tmp_path / "again.csv"
        assert main(["export", "--form", "kyuyo_kojinbetsu", "--out", str(again)]) == 0
        assert not again.exists()  # nothing new: no empty batch
        assert (
            main(["export", "--form", "kyuyo_kojinbetsu", "--seq", "1", "--out", str(again)]) == 0
        )
        assert again.read_bytes() == out.read_bytes()
        with session_scope(database_url) as session:
            actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
            assert actions == ["export", "export_download", "export_download"]
    finally:
        get_settings.cache_clear()
        get_export_settings.cache_clear()
