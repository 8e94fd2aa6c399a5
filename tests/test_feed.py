"""The import feed the filing system pulls (R17): gapless batches, audited, feed-token only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from test_export_batches import add_document
from test_export_records import SAMPLE_SETTINGS, SAMPLE_VALUES, SHINKOKU_VALUES

from intake import routes_documents, routes_feed
from intake.export.lines import export_line
from intake.export.settings import get_export_settings
from intake.security import new_token, token_digest
from intake.settings import get_settings
from storage.db import session_scope
from storage.models import ApiToken, AuditEvent, ExportBatch


@pytest.fixture
def feed(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, str]]:
    """A client of the feed routes (and the capture routes, to show what a feed token
    cannot do) and the database URL."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TAX_INTAKE_EXPORT_MUNICIPALITY_CODE", "130001")
    monkeypatch.setenv("TAX_INTAKE_EXPORT_CREATION_KIND", "2")
    get_settings.cache_clear()
    get_export_settings.cache_clear()
    app = FastAPI()
    app.include_router(routes_feed.router)
    app.include_router(routes_documents.router)
    with TestClient(app) as client:
        yield client, database_url
    get_settings.cache_clear()
    get_export_settings.cache_clear()


def _token(database_url: str, kind: str) -> dict[str, str]:
    token = new_token()
    with session_scope(database_url) as session:
        session.add(ApiToken(name=f"{kind}-1", kind=kind, token_sha256=token_digest(token)))
    return {"Authorization": f"Bearer {token}"}


def _approve(database_url: str, count: int) -> None:
    with session_scope(database_url) as session:
        for n in range(count):
            add_document(session, {**SAMPLE_VALUES, "recipient_number": str(n)})


def _audit(database_url: str, action: str) -> list[AuditEvent]:
    with session_scope(database_url) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_only_a_feed_token_reads_the_feed(feed: tuple[TestClient, str]) -> None:
    client, url = feed
    assert client.get("/api/v1/feed/exports").status_code == 401
    bad = {"Authorization": "Bearer nope"}
    assert client.get("/api/v1/feed/exports", headers=bad).status_code == 401
    station = _token(url, "station")
    assert client.get("/api/v1/feed/exports", headers=station).status_code == 403
    feed_headers = _token(url, "feed")
    assert client.get("/api/v1/feed/exports", headers=feed_headers).status_code == 200
    # ... and the feed token can do nothing else.
    assert client.get("/api/v1/documents/x", headers=feed_headers).status_code == 403


def test_list_download_ack(feed: tuple[TestClient, str]) -> None:
    client, url = feed
    headers = _token(url, "feed")
    assert client.get("/api/v1/feed/exports", headers=headers).json() == {
        "exports": [],
        "last_seq": 0,
    }
    _approve(url, 2)
    listing = client.get("/api/v1/feed/exports", headers=headers).json()
    [entry] = listing["exports"]
    assert (entry["seq"], entry["form_id"], entry["record_count"]) == (1, "kyuyo_kojinbetsu", 2)
    assert listing["last_seq"] == 1 and entry["available"] and entry["acked_at"] is None
    # A retried call cuts nothing new and lists the same batch.
    assert client.get("/api/v1/feed/exports", headers=headers).json() == listing
    assert client.get("/api/v1/feed/exports?after=1", headers=headers).json()["exports"] == []

    response = client.get(entry["url"], headers=headers)
    assert response.status_code == 200
    expected = b"".join(
        export_line(
            "kyuyo_kojinbetsu", {**SAMPLE_VALUES, "recipient_number": str(n)}, SAMPLE_SETTINGS
        )
        for n in range(2)
    )
    assert response.content == expected
    assert response.headers["x-content-sha256"] == entry["sha256"]
    assert response.headers["content-type"].startswith("text/csv")
    [download] = _audit(url, "export_download")
    assert (download.actor, download.detail) == ("feed:feed-1", {"seq": 1, "format": "csv"})
    assert client.get("/api/v1/feed/exports/1.json", headers=headers).status_code == 404
    [export] = _audit(url, "export")
    assert export.detail == {"seq": 1, "count": 2, "form_id": "kyuyo_kojinbetsu"}

    first = client.post("/api/v1/feed/exports/1/ack", headers=headers)
    second = client.post("/api/v1/feed/exports/1/ack", headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json()["acked_at"] is not None
    assert first.json() == second.json()
    assert len(_audit(url, "export_ack")) == 1

    _approve(url, 1)
    listing = client.get("/api/v1/feed/exports?after=1", headers=headers).json()
    assert [(e["seq"], e["record_count"]) for e in listing["exports"]] == [(2, 1)]


def test_unknown_and_expired_batches(feed: tuple[TestClient, str]) -> None:
    client, url = feed
    headers = _token(url, "feed")
    assert client.get("/api/v1/feed/exports/7.csv", headers=headers).status_code == 404
    assert client.post("/api/v1/feed/exports/7/ack", headers=headers).status_code == 404
    _approve(url, 1)
    client.get("/api/v1/feed/exports", headers=headers)
    with session_scope(url) as session:
        batch = session.get(ExportBatch, 1)
        assert batch is not None
        batch.content = None  # what the purge does at the retention deadline
    assert client.get("/api/v1/feed/exports/1.csv", headers=headers).status_code == 410
    [entry] = client.get("/api/v1/feed/exports", headers=headers).json()["exports"]
    assert entry["available"] is False


def test_shinkoku_batch_as_json(feed: tuple[TestClient, str]) -> None:
    client, url = feed
    headers = _token(url, "feed")
    with session_scope(url) as session:
        add_document(session, SHINKOKU_VALUES, form_id="shinkoku_p1")
    [entry] = client.get("/api/v1/feed/exports", headers=headers).json()["exports"]
    assert entry["form_id"] == "shinkoku_p1"
    csv_file = client.get(entry["url"], headers=headers).content
    assert csv_file.startswith(b"fiscal_year,submit_year,")
    document = client.get(f"/api/v1/feed/exports/{entry['seq']}.json", headers=headers).json()
    assert document["form_id"] == "shinkoku_p1"
    [record] = document["records"]
    assert {k: v for k, v in record.items() if v is not None} == SHINKOKU_VALUES
    formats = [e.detail["format"] for e in _audit(url, "export_download")]
    assert formats == ["csv", "json"]
