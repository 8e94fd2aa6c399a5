"""Chaos, nothing lost (R41): scripts/chaos.py at test size — 30 documents, 2 workers.

Workers are killed with SIGKILL mid-job, Redis is flushed once, and on PostgreSQL every
connection to the test's database is cut once (what the service sees of a database restart,
without disturbing other tests on the same server; the script itself can restart the whole
server). On SQLite there is no server to restart, so that step is moot there.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import asdict
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def _chaos() -> ModuleType:
    spec = importlib.util.spec_from_file_location("chaos", ROOT / "scripts" / "chaos.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["chaos"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_chaos_loses_and_doubles_nothing(database_url: str, tmp_path: Path) -> None:
    chaos = _chaos()
    config = chaos.ChaosConfig(
        documents=30,
        workers=2,
        kill_every=5.0,
        max_kills=4,
        restart_database="terminate",
        settle_timeout=600.0,
    )
    outcome = chaos.run_chaos(config, database_url, tmp_path)
    report = asdict(outcome)
    assert outcome.ok, report
    assert outcome.uploaded == 30, report
    assert not outcome.queued_for_retry, report  # given time, everything got through
    # A busy worker is killed every few seconds while work is left; how many kills fit in
    # depends on the machine's speed, so the test asks for at least one (the 200-document
    # script run killed 12; see README).
    assert outcome.kills >= 1, report
    assert outcome.runs_abandoned >= 1, report  # the kills really cut runs short
    assert outcome.redis_flushes == 1, report
    if database_url.startswith("postgresql"):
        assert outcome.database_restarts == 1, report
    assert outcome.by_status.get("rejected", 0) >= 3, report  # the blank pages
    assert sum(outcome.by_status.values()) == 30, report


def test_the_check_finds_a_lost_and_a_doubled_document(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    """The check itself can fail: a lost upload and a second copy are both reported."""
    chaos = _chaos()
    from intake.capture import capture
    from intake.settings import Settings
    from storage.db import session_scope
    from storage.models import Document
    from storage.store import DocumentStore

    store = DocumentStore(tmp_path / "store")
    with chaos.pointed_at({"DATABASE_URL": database_url, "STORE_DIR": str(store.root)}):
        with session_scope() as session:
            receipt = capture(session, store, b"\x89PNG\r\n\x1a\n" + b"a" * 40, "a.png", "t")
        with session_scope() as session:
            first = session.get(Document, receipt.document_id)
            assert first is not None
            copy = Document(
                **{
                    c.name: getattr(first, c.name)
                    for c in Document.__table__.columns
                    if c.name != "id"
                }
            )
            session.add(copy)
        uploader = chaos.Uploader("http://unused", "token")
        uploader.accepted = {first.sha256: first.id, "0" * 64: "never-stored"}
        outcome = chaos.Outcome()
        chaos.check(outcome, uploader, Settings(redis_url=redis_url))
    assert outcome.lost == ["0" * 64]
    assert outcome.duplicated == [first.sha256]
    assert len(outcome.stuck) == 2  # received, and no job anywhere
    assert not outcome.ok
