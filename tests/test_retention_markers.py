"""Proof of R20, R23 and R32: ingest a slip holding a 個人番号 and a name, let the deadline
pass, purge, and find neither anywhere: not in any byte under the data directory (document
store, data keys, SQLite database and its write-ahead log) and not in the logs.

The service runs with its embedded defaults (no DATABASE_URL): everything it keeps is under
one directory, so "every byte" is one walk.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from intake.__main__ import main
from intake.settings import Settings, get_settings
from ocr.synth import make_sample
from storage.db import session_scope, upgrade
from storage.models import DeletionRecord, Document, FieldValue, utcnow

MY_NUMBER = "469715305508"  # the synthetic slip's recipient_my_number (seed 3)
NAME = "岩崎\u3000千尋"  # its recipient_name
#: The scanner's file is named after the person, as a careless scan station might do it:
#: the name then sits in the database in clear until the purge.
FILE_NAME_MARKER = "岩崎千尋"


def _encodings(marker: str) -> list[bytes]:
    # The name as written and with a plain space; without any space it is the file name
    # marker, which is looked for separately.
    forms = {marker, marker.replace("\u3000", " ")}
    return [form.encode(encoding) for form in forms for encoding in ("utf-8", "utf-16-le")]


MARKERS = {
    name: _encodings(value)
    for name, value in {"my_number": MY_NUMBER, "name": NAME, "file_name": FILE_NAME_MARKER}.items()
}


def hits(data: bytes) -> set[str]:
    return {name for name, forms in MARKERS.items() if any(form in data for form in forms)}


def scan(root: Path) -> dict[str, set[str]]:
    """Marker name → files (relative to root) that hold it, over every file under root."""
    found: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            for name in hits(path.read_bytes()):
                found.setdefault(name, set()).add(str(path.relative_to(root)))
    return found


@pytest.fixture
def embedded_env(
    tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """The embedded set-up under a temporary ``var``: SQLite file, store and keys all there."""
    from redis import Redis

    Redis.from_url(redis_url).flushall()
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("TAX_INTAKE_DATABASE_URL", raising=False)
    monkeypatch.delenv("STORE_DIR", raising=False)
    monkeypatch.setenv("TAX_INTAKE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("REDIS_URL", redis_url)
    get_settings.cache_clear()
    settings = get_settings()
    upgrade()
    yield settings
    get_settings.cache_clear()


@pytest.mark.slow
def test_purge_leaves_no_trace_of_personal_data(
    embedded_env: Settings, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    var = embedded_env.var_dir.resolve()
    sample = make_sample("kyuyo_kojinbetsu", 3, condition="clean")
    assert (
        sample.truth["recipient_my_number"] == MY_NUMBER and sample.truth["recipient_name"] == NAME
    )
    upload = tmp_path / "scans" / f"{FILE_NAME_MARKER}_kyuyo.png"
    upload.parent.mkdir()
    sample.image.save(upload)

    assert main(["ingest", str(upload), "--process"]) == 0
    out, logs = capfd.readouterr()
    receipt = json.loads(out.strip().splitlines()[-1])
    document_id = receipt["id"]
    assert receipt["status"] == "needs_review", receipt

    # Recognition (or, where it misread, a corrector) puts both markers into the database.
    with session_scope() as db:
        fields = {
            fv.name: fv
            for fv in db.scalars(select(FieldValue).where(FieldValue.document_id == document_id))
        }
        for name, truth in (("recipient_my_number", MY_NUMBER), ("recipient_name", NAME)):
            if fields[name].value != truth:
                fields[name].value = truth
                fields[name].source = "human"
    with session_scope() as db:
        values = {fv.name: fv.value for fv in db.scalars(select(FieldValue))}
        assert values["recipient_my_number"] == MY_NUMBER and values["recipient_name"] == NAME

    # Held, the 個人番号 and the name are sealed: only the file name is in clear (so the
    # scan demonstrably sees the database).
    before = scan(var)
    assert set(before) == {"file_name"}, before
    assert any("sqlite3" in path for path in before["file_name"]), before

    as_of = (utcnow() + timedelta(days=5, seconds=1)).isoformat()
    assert main(["purge", "--as-of", as_of]) == 0
    out, more_logs = capfd.readouterr()
    assert "purged 1 document(s)" in out
    logs += more_logs

    assert scan(var) == {}
    assert hits(logs.encode()) == set(), "the logs hold personal data"
    assert logs.strip(), "the logs were not captured at all"

    # What is left is the proof of deletion, without personal data.
    assert main(["documents", "list", "--format", "json"]) == 0
    assert json.loads(capfd.readouterr().out) == []
    with session_scope() as db:
        assert db.get(Document, document_id) is None
        record = db.scalar(select(DeletionRecord).where(DeletionRecord.document_id == document_id))
        assert record is not None and record.reason == "retention_expired"
        assert record.files_deleted >= 2 and record.rows_deleted > 1
    assert not (embedded_env.resolved_store_dir / document_id).exists()
    assert not (embedded_env.resolved_store_dir / "_keys" / f"{document_id}.key").exists()
