"""The audit log is hash-chained: a changed, removed or reordered event is detected (R33),
and events are kept 4 years, through any number of document purges."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from intake.__main__ import main
from intake.purge import purge_expired
from intake.settings import Settings
from storage.audit import AUDIT_RETENTION, GENESIS, verify_chain
from storage.db import session_scope
from storage.models import AuditEvent, utcnow
from storage.store import get_store


def _write_events(url: str, count: int, start_days_ago: float = 0) -> None:
    start = utcnow() - timedelta(days=start_days_ago)
    with session_scope(url) as session:
        for n in range(count):
            session.add(
                AuditEvent(
                    at=start + timedelta(minutes=n),
                    actor=f"user{n % 3}",
                    action="view",
                    document_id=f"{n:032x}",
                    purpose="個人住民税賦課のための帳票確認・訂正",
                    detail={"fields": n},
                    remote_addr="127.0.0.1",
                )
            )
            if n % 2:
                session.flush()  # chained across flushes as well as within one


def _verify(url: str):
    with session_scope(url) as session:
        return verify_chain(session)


def test_intact_chain_verifies(database_url: str) -> None:
    _write_events(database_url, 6)
    report = _verify(database_url)
    assert report.ok and report.events == 6
    with session_scope(database_url) as session:
        first = session.scalar(select(AuditEvent).order_by(AuditEvent.id).limit(1))
        assert first is not None and first.prev_hash == GENESIS
        assert session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) == (
            report.head
        )


def _ids(url: str) -> list[int]:
    with session_scope(url) as session:
        return list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def test_changed_event_is_detected(database_url: str) -> None:
    _write_events(database_url, 5)
    target = _ids(database_url)[2]
    with session_scope(database_url) as session:
        session.execute(
            text("UPDATE audit_event SET actor = 'someone-else' WHERE id = :id"), {"id": target}
        )
    report = _verify(database_url)
    assert not report.ok and report.broken_at == target and "changed" in (report.problem or "")


def test_removed_event_is_detected(database_url: str) -> None:
    _write_events(database_url, 5)
    ids = _ids(database_url)
    with session_scope(database_url) as session:
        session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[1]})
    report = _verify(database_url)
    assert not report.ok and report.broken_at == ids[2]


def test_removed_first_event_is_detected(database_url: str) -> None:
    _write_events(database_url, 3)
    ids = _ids(database_url)
    with session_scope(database_url) as session:
        session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[0]})
    assert _verify(database_url).broken_at == ids[1]


def test_reordered_events_are_detected(database_url: str) -> None:
    """Swapping two whole rows, hashes included, breaks the links."""
    _write_events(database_url, 5)
    a, b = _ids(database_url)[1:3]
    columns = "at, actor, action, document_id, purpose, detail, remote_addr, prev_hash, hash"
    with session_scope(database_url) as session:
        rows = {
            row_id: session.execute(
                text(f"SELECT {columns} FROM audit_event WHERE id = :id"), {"id": row_id}
            ).one()
            for row_id in (a, b)
        }
        # Free the unique hashes first, then write each row's content under the other id.
        session.execute(
            text("UPDATE audit_event SET hash = 'x' || id WHERE id IN (:a, :b)"), {"a": a, "b": b}
        )
        names = [c.strip() for c in columns.split(",")]
        for target, source in ((a, b), (b, a)):
            values = dict(zip(names, rows[source], strict=True))
            if not isinstance(values["detail"], str):
                import json

                values["detail"] = json.dumps(values["detail"])
            assignments = ", ".join(f"{n} = :{n}" for n in names)
            session.execute(
                text(f"UPDATE audit_event SET {assignments} WHERE id = :target"),
                {**values, "target": target},
            )
    report = _verify(database_url)
    assert not report.ok and report.broken_at == a


def test_cli_verify_exit_code(service_env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    url = service_env.resolved_database_url
    _write_events(url, 4)
    assert main(["audit", "verify"]) == 0
    assert '"ok": true' in capsys.readouterr().out
    with session_scope(url) as session:
        session.execute(
            text("UPDATE audit_event SET purpose = NULL WHERE id = :id"), {"id": _ids(url)[0]}
        )
    assert main(["audit", "verify"]) == 1
    assert '"ok": false' in capsys.readouterr().out


def test_purge_keeps_audit_events_four_years(service_env: Settings) -> None:
    url = service_env.resolved_database_url
    _write_events(url, 3, start_days_ago=30)
    with session_scope(url) as session:
        purge_expired(session, get_store(), now=utcnow() + timedelta(days=10))
    with session_scope(url) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 3

    # Past four years the old events go; the anchor keeps the rest verifiable.
    _write_events(url, 2)
    later = utcnow() + AUDIT_RETENTION - timedelta(days=1)
    with session_scope(url) as session:
        purge_expired(session, get_store(), now=later)
    with session_scope(url) as session:
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["view", "view", "audit_pruned"]
    report = _verify(url)
    assert report.ok, report
    # Removing the first kept event is still detected after a pruning.
    with session_scope(url) as session:
        session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": _ids(url)[0]})
    assert not _verify(url).ok


def test_concurrent_writers_never_fork_the_chain(database_url: str) -> None:
    """Writers in parallel transactions are serialised by the chain lock: one chain."""
    from concurrent.futures import ThreadPoolExecutor

    def writer(n: int) -> None:
        for i in range(5):
            with session_scope(database_url) as session:
                session.add(AuditEvent(actor=f"w{n}", action="view", detail={"i": i}))

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(writer, range(4)))
    report = _verify(database_url)
    assert report.ok and report.events == 20, report
