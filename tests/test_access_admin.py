"""Supervisor and auditor screens (R21, R30, R33, R35) and the audit trail of every kind of
access: search, view, reveal, edit, approval, export, download and deletion."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from intake.commands.users import RIGHTS_COLUMNS, add_user
from intake.export.settings import get_export_settings
from intake.security import new_token, token_digest
from intake.settings import Settings, get_settings
from review_ui.sample_data import seed_document
from storage.db import session_scope
from storage.models import ApiToken, AuditEvent, DeletionRecord, Document, FieldValue
from storage.status import DocumentStatus
from storage.store import get_store

PASSWORD = "correct horse battery"


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("STORE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("TAX_INTAKE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("TAX_INTAKE_EXPORT_MUNICIPALITY_CODE", "130001")
    monkeypatch.setenv("TAX_INTAKE_EXPORT_CREATION_KIND", "2")
    get_settings.cache_clear()
    get_export_settings.cache_clear()
    add_user("boss", "supervisor", PASSWORD, may_see_my_number=True)
    add_user("tanaka", "corrector", PASSWORD)
    add_user("kato", "auditor", PASSWORD)
    yield get_settings()
    get_settings.cache_clear()
    get_export_settings.cache_clear()


@pytest.fixture
def app(env: Settings):  # type: ignore[no-untyped-def]
    from api import create_app

    return create_app()


def client_of(app, name: str) -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    response = client.post(
        "/login", data={"username": name, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303
    page = client.get("/denied")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert token
    return client, token.group(1)


def _seed(seed: int = 3) -> str:
    with session_scope() as db:
        return seed_document(db, get_store(), "kyuyo_kojinbetsu", seed=seed, misread=False).id


def _actions() -> list[str]:
    with session_scope() as db:
        return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_rights_list_on_screen_and_as_csv(app) -> None:  # type: ignore[no-untyped-def]
    boss, _ = client_of(app, "boss")
    page = boss.get("/admin/users")
    assert page.status_code == 200
    for name in ("boss", "tanaka", "kato"):
        assert name in page.text
    response = boss.get("/admin/users.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == RIGHTS_COLUMNS
    by_name = {row[0]: dict(zip(RIGHTS_COLUMNS, row, strict=True)) for row in rows[1:]}
    assert set(by_name) == {"boss", "tanaka", "kato"}
    assert by_name["kato"]["permissions"] == "read_audit"
    assert by_name["boss"]["may_see_my_number"] == "yes"
    assert by_name["tanaka"]["may_see_my_number"] == "no"
    assert {"user_list", "user_list_export"} <= set(_actions())


def test_disable_takes_effect_at_once(app) -> None:  # type: ignore[no-untyped-def]
    tanaka, _ = client_of(app, "tanaka")
    assert tanaka.get("/review").status_code == 200
    boss, csrf = client_of(app, "boss")
    response = boss.post(
        "/admin/users/tanaka/disable", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    # The open session ends with its next request; logging in again is refused.
    refused = tanaka.get("/review", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    again = tanaka.post("/login", data={"username": "tanaka", "password": PASSWORD})
    assert again.status_code == 401
    assert "user_disable" in _actions()


def test_supervisor_deletes_a_document_at_once_with_a_reason(
    app,
    env: Settings,  # type: ignore[no-untyped-def]
) -> None:
    document_id = _seed()
    boss, csrf = client_of(app, "boss")
    assert document_id in boss.get("/admin/documents").text
    # Without a reason nothing is deleted.
    refused = boss.post(f"/admin/documents/{document_id}/delete", data={"csrf_token": csrf})
    assert refused.status_code == 422
    with session_scope() as db:
        assert db.get(Document, document_id) is not None
    response = boss.post(
        f"/admin/documents/{document_id}/delete",
        data={"csrf_token": csrf, "reason": "誤送付 番号123456789018を含む"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    store = env.resolved_store_dir
    assert (
        not (store / document_id).exists() and not (store / "_keys" / f"{document_id}.key").exists()
    )
    with session_scope() as db:
        assert db.get(Document, document_id) is None
        assert db.scalar(select(FieldValue).where(FieldValue.document_id == document_id)) is None
        record = db.scalar(select(DeletionRecord).where(DeletionRecord.document_id == document_id))
        assert record is not None and record.actor == "boss"
        assert record.reason.startswith("誤送付") and "123456789018" not in record.reason
        event = db.scalar(select(AuditEvent).where(AuditEvent.action == "delete"))
        assert event is not None and event.document_id == document_id
        assert (
            event.actor == "boss"
            and event.remote_addr
            and "123456789018" not in (event.purpose or "")
        )


def test_a_corrector_cannot_delete(app) -> None:  # type: ignore[no-untyped-def]
    document_id = _seed()
    tanaka, csrf = client_of(app, "tanaka")
    response = tanaka.post(
        f"/admin/documents/{document_id}/delete", data={"csrf_token": csrf, "reason": "x" * 5}
    )
    assert response.status_code == 403
    with session_scope() as db:
        assert db.get(Document, document_id) is not None


def test_auditor_searches_and_exports_the_log(app) -> None:  # type: ignore[no-untyped-def]
    document_id = _seed()
    tanaka, _ = client_of(app, "tanaka")
    assert tanaka.get(f"/documents/{document_id}").status_code == 200
    kato, _ = client_of(app, "kato")
    page = kato.get("/audit", params={"document_id": document_id})
    assert page.status_code == 200 and "記録の連鎖は完全です" in page.text
    assert "tanaka" in page.text and "view" in page.text
    response = kato.get("/audit.csv", params={"actor": "tanaka"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows and {row["actor"] for row in rows} == {"tanaka"}
    assert {"login", "view"} <= {row["action"] for row in rows}
    assert all(len(row["hash"]) == 64 for row in rows)
    assert {"audit_search", "audit_export"} <= set(_actions())
    # A changed event shows on the auditor's screen.
    with session_scope() as db:
        db.execute(text("UPDATE audit_event SET actor = 'nobody' WHERE action = 'view'"))
    assert "改ざん" in kato.get("/audit").text


def _token(kind: str) -> dict[str, str]:
    token = new_token()
    with session_scope() as db:
        db.add(ApiToken(name=kind, kind=kind, token_sha256=token_digest(token)))
    return {"Authorization": f"Bearer {token}"}


def test_every_kind_of_access_is_audited_without_personal_data(
    app,  # type: ignore[no-untyped-def]
) -> None:
    from intake.export.batches import create_all_export_batches

    document_id = _seed()
    with session_scope() as db:
        fields = {
            fv.name: (fv.id, fv.value)
            for fv in db.scalars(select(FieldValue).where(FieldValue.document_id == document_id))
        }
    secrets = [
        str(value)
        for name, (_, value) in fields.items()
        if value and (name.endswith("my_number") or name.endswith("_name"))
    ]
    assert secrets
    boss, csrf = client_of(app, "boss")
    headers = {"x-csrf-token": csrf, "accept": "application/json"}
    assert boss.get("/review").status_code == 200  # search
    assert boss.get(f"/documents/{document_id}").status_code == 200  # view
    assert boss.get(f"/documents/{document_id}/pages/1/image").status_code == 200  # download
    number_id = fields["recipient_my_number"][0]
    reveal = boss.post(f"/documents/{document_id}/fields/{number_id}/reveal", headers=headers)
    assert reveal.status_code == 200
    amount_id, amount = fields["withholding_tax"]
    edit = boss.post(
        f"/documents/{document_id}/fields/{amount_id}", json={"text": str(amount)}, headers=headers
    )
    assert edit.status_code == 200, edit.text
    approve = boss.post(
        f"/documents/{document_id}/approve", json={"acknowledge_warnings": True}, headers=headers
    )
    assert approve.status_code == 200, approve.text
    with session_scope() as db:
        doc = db.get(Document, document_id)
        assert doc is not None
        if doc.status != DocumentStatus.APPROVED:  # sent to the double check first
            doc.move_to(DocumentStatus.APPROVED)
        create_all_export_batches(db, "boss")  # export
    feed = TestClient(app)
    token = _token("feed")
    exports = feed.get("/api/v1/feed/exports", headers=token).json()["exports"]
    assert (
        feed.get(f"/api/v1/feed/exports/{exports[0]['seq']}.csv", headers=token).status_code == 200
    )
    other = _seed(seed=4)
    boss.post(f"/admin/documents/{other}/delete", data={"csrf_token": csrf, "reason": "誤送付"})

    actions = set(_actions())
    for action in (
        "search",
        "view",
        "view_image",
        "reveal_my_number",
        "edit",
        "approve",
        "export",
        "export_download",
        "delete",
    ):
        assert action in actions, action
    with session_scope() as db:
        events = list(db.scalars(select(AuditEvent)))
    text_of_log = " ".join(
        f"{e.actor} {e.action} {e.purpose} {e.detail} {e.remote_addr}" for e in events
    )
    for secret in secrets:
        assert secret not in text_of_log
    # Where the law asks for a purpose, the event has one.
    for e in events:
        if e.action in ("search", "view", "view_image", "reveal_my_number", "edit", "delete"):
            assert e.purpose, e.action
