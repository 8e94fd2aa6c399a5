"""訂正・取消 of exported records (提出区分 2 and 3) as batches of their own (R17)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from test_export_batches import SETTINGS, add_document
from test_export_records import SAMPLE_ITEMS, SAMPLE_VALUES, SHINKOKU_VALUES

from intake.export.amendments import create_amendment_batch
from intake.export.batches import create_export_batch
from intake.export.layouts import ExportError
from intake.export.national import SubmissionKind
from storage.db import session_scope
from storage.models import AuditEvent, ExportBatch, ExportItem


def _line(items: dict[int, str]) -> bytes:
    return ",".join(items.get(n, "") for n in range(1, 145)).encode("cp932") + b"\r\n"


def _exported(database_url: str, values: dict[str, Any], form_id: str = "kyuyo_kojinbetsu") -> str:
    with session_scope(database_url) as session:
        document = add_document(session, values, form_id=form_id)
        create_export_batch(session, form_id, "alice", settings=SETTINGS)
        return document.id


def test_correction_and_cancellation(database_url: str) -> None:
    doc = _exported(database_url, SAMPLE_VALUES)
    corrected = {**SAMPLE_VALUES, "withholding_tax": 72_400}
    with session_scope(database_url) as session:
        batch = create_amendment_batch(
            session,
            doc,
            SubmissionKind.CORRECTION,
            "bob",
            corrected_values=corrected,
            settings=SETTINGS,
        )
        assert (batch.seq, batch.record_count) == (2, 1)
        assert batch.content == _line({**SAMPLE_ITEMS, 10: "2", 21: "72400"})
    with session_scope(database_url) as session:
        batch = create_amendment_batch(
            session, doc, SubmissionKind.CANCELLATION, "bob", settings=SETTINGS
        )
        assert batch.seq == 3
        assert batch.content == _line({**SAMPLE_ITEMS, 10: "3"})
    with session_scope(database_url) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export_amend").order_by(AuditEvent.id)
        ).all()
        assert [(e.document_id, e.detail) for e in events] == [
            (doc, {"seq": 2, "kind": "correction", "original_seq": 1}),
            (doc, {"seq": 3, "kind": "cancellation", "original_seq": 1}),
        ]
        # The document's first export stays its one export item.
        assert session.scalars(select(ExportItem.export_seq)).all() == [1]
        assert session.scalars(select(ExportBatch.seq).order_by(ExportBatch.seq)).all() == [1, 2, 3]


@pytest.mark.parametrize(
    ("kind", "values", "message"),
    [
        (SubmissionKind.CORRECTION, None, "needs the corrected values"),
        (
            SubmissionKind.CORRECTION,
            {**SAMPLE_VALUES, "recipient_my_number": "621498320258"},
            "check_digit:recipient_my_number",
        ),
        (SubmissionKind.CANCELLATION, SAMPLE_VALUES, "takes no values"),
        (SubmissionKind.NEW, None, "訂正 or a 取消"),
    ],
)
def test_refused_amendments(
    database_url: str, kind: SubmissionKind, values: dict[str, Any] | None, message: str
) -> None:
    doc = _exported(database_url, SAMPLE_VALUES)
    with pytest.raises(ExportError, match=message), session_scope(database_url) as session:
        create_amendment_batch(
            session, doc, kind, "bob", corrected_values=values, settings=SETTINGS
        )


def test_only_exported_national_records_can_be_amended(database_url: str) -> None:
    with pytest.raises(ExportError, match="never exported"), session_scope(database_url) as s:
        create_amendment_batch(s, "0" * 32, SubmissionKind.CANCELLATION, "bob", settings=SETTINGS)
    doc = _exported(database_url, SHINKOKU_VALUES, form_id="shinkoku_p1")
    with pytest.raises(ExportError, match="提出区分"), session_scope(database_url) as session:
        create_amendment_batch(session, doc, SubmissionKind.CANCELLATION, "bob", settings=SETTINGS)


def test_export_command_cancels(
    database_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intake.__main__ import main
    from intake.export.settings import get_export_settings
    from intake.settings import get_settings

    doc = _exported(database_url, SAMPLE_VALUES)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TAX_INTAKE_EXPORT_MUNICIPALITY_CODE", "130001")
    monkeypatch.setenv("TAX_INTAKE_EXPORT_CREATION_KIND", "2")
    get_settings.cache_clear()
    get_export_settings.cache_clear()
    try:
        out = tmp_path / "cancel.csv"
        assert (
            main(["export", "--form", "kyuyo_kojinbetsu", "--cancel", doc, "--out", str(out)]) == 0
        )
        assert out.read_bytes() == _line({**SAMPLE_ITEMS, 10: "3"})
        assert (
            main(["export", "--form", "kyuyo_kojinbetsu", "--cancel", "f" * 32, "--out", str(out)])
            == 2
        )
    finally:
        get_settings.cache_clear()
        get_export_settings.cache_clear()
