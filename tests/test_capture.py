"""Capture API (R10): store first, receipt, duplicates, bad input, tokens — on the real app,
a real database and a real Redis."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from redis import Redis
from rq.job import Job

from intake.commands.tokens import create_token
from intake.queue import job_id_for
from intake.settings import Settings
from ocr.layout import FORMS_DIR
from storage.db import session_scope
from storage.models import Document
from storage.store import get_store

BLANK_PNG = (FORMS_DIR / "blank" / "kyuyo_kojinbetsu.png").read_bytes()


@pytest.fixture
def client(service_env: Settings) -> TestClient:
    from api import create_app

    return TestClient(create_app())


@pytest.fixture
def station(service_env: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token('station-1', 'station')}"}


def upload(client: TestClient, headers: dict[str, str], data: bytes, name: str = "scan.png"):
    return client.post("/api/v1/documents", headers=headers, files={"file": (name, data)})


def test_upload_stores_original_and_queues(client, station, service_env: Settings) -> None:
    response = upload(client, station, BLANK_PNG)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "received"
    stored = Path(service_env.resolved_store_dir) / body["id"] / "original"
    assert get_store().get(f"{body['id']}/original") == BLANK_PNG
    assert BLANK_PNG[100:200] not in stored.read_bytes()  # sealed at rest (R23)
    with session_scope() as session:
        doc = session.get(Document, body["id"])
        assert doc is not None
        assert doc.content_type == "image/png"
        assert doc.expires_at - doc.received_at == timedelta(days=5)
    job = Job.fetch(
        job_id_for(body["id"]), connection=Redis.from_url(service_env.resolved_redis_url)
    )
    assert job.args == (body["id"],)  # the job carries the id only


def test_same_file_twice_returns_first_id(client, station) -> None:
    first = upload(client, station, BLANK_PNG)
    second = upload(client, station, BLANK_PNG, name="rescan.png")
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["duplicate"] is True


def test_status_and_unknown_document(client, station) -> None:
    document_id = upload(client, station, BLANK_PNG).json()["id"]
    status = client.get(f"/api/v1/documents/{document_id}", headers=station)
    assert status.status_code == 200
    assert status.json()["status"] == "received"
    assert client.get("/api/v1/documents/ffff", headers=station).status_code == 404


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "empty.png", "empty_file"),
        (b"hello, this is not a scan", "letter.pdf", "unsupported_type"),
        (b"MZ\x90\x00" + b"\x00" * 100, "virus.jpg", "unsupported_type"),
    ],
)
def test_bad_input_is_refused_and_nothing_kept(
    client, station, service_env: Settings, data: bytes, name: str, code: str
) -> None:
    response = upload(client, station, data, name)
    assert response.status_code == 415
    assert response.json()["detail"]["code"] == code
    assert response.json()["detail"]["reason"]
    store = Path(service_env.resolved_store_dir)
    assert not store.exists() or not any(store.iterdir())


def test_too_large_upload(client, station, service_env: Settings, monkeypatch) -> None:
    monkeypatch.setattr(service_env, "max_upload_bytes", 1000)
    response = upload(client, station, BLANK_PNG)
    assert response.status_code == 413
    assert response.json()["detail"]["code"] == "too_large"


def test_tokens_are_checked(client, service_env: Settings) -> None:
    assert upload(client, {}, BLANK_PNG).status_code == 401
    assert upload(client, {"Authorization": "Bearer nonsense"}, BLANK_PNG).status_code == 401
    feed = {"Authorization": f"Bearer {create_token('filing', 'feed')}"}
    assert upload(client, feed, BLANK_PNG).status_code == 403


def test_upload_survives_a_dead_queue(service_env: Settings, monkeypatch, tmp_path) -> None:
    """Redis down: the upload is still received; the reconciler queues it later."""
    from api import create_app
    from intake.settings import get_settings

    monkeypatch.setenv("REDIS_URL", f"unix://{tmp_path / 'no-such.sock'}")
    get_settings.cache_clear()
    client = TestClient(create_app())
    headers = {"Authorization": f"Bearer {create_token('station-2', 'station')}"}
    response = upload(client, headers, BLANK_PNG)
    assert response.status_code == 201
    with session_scope() as session:
        doc = session.get(Document, response.json()["id"])
        assert doc is not None and doc.status == "received"


def test_health_and_metrics(client, station) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"database": "ok", "queue": "ok"}
    upload(client, station, BLANK_PNG)
    text = client.get("/metrics").text
    assert 'tax_intake_documents{status="received"} 1.0' in text
    assert "tax_intake_queue_depth 1.0" in text
    assert "tax_intake_review_backlog 0.0" in text
    assert "tax_intake_purge_lag_seconds 0.0" in text
