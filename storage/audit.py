"""The audit log is append-only and hash-chained (R33).

Every :class:`~storage.models.AuditEvent` carries the hash of the event before it and a hash
over its own content and that link. Whoever writes an event just adds it to a session: a
``before_flush`` hook chains it, under a lock that serialises writers so the chain never
forks. :func:`verify_chain` walks the log and reports the first event that was changed,
removed or moved. Events are kept :data:`AUDIT_RETENTION` (4 years) and then pruned, with
an anchor event that records where the kept chain starts.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, func, inspect, select, text
from sqlalchemy.orm import Session

from storage.models import AuditEvent, utcnow

#: R33: "4年間保存". Leap days included, so never a day short.
AUDIT_RETENTION = timedelta(days=4 * 366)
#: The link of the first event ever written.
GENESIS = "0" * 64
#: Action of the event the pruning writes; its detail names the hash the kept chain follows.
PRUNED = "audit_pruned"
_LONG_DIGITS = re.compile(r"\d{12,13}")
#: pg_advisory_xact_lock key of the audit chain ("audit" → a fixed number).
_PG_LOCK_KEY = 0x61_75_64_69


def _utc_text(moment: datetime) -> str:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def event_hash(item: AuditEvent, prev_hash: str) -> str:
    """SHA-256 over the event's content and the hash of the event before it."""
    content = [
        prev_hash,
        _utc_text(item.at),
        item.actor,
        item.action,
        item.document_id,
        item.purpose,
        item.detail or {},
        item.remote_addr,
    ]
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def lock_chain(session: Session) -> None:
    """Serialise audit writers until the session's transaction ends."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    else:
        # SQLite: a write statement takes the database's single write lock for the transaction.
        session.execute(text("UPDATE audit_event SET id = id WHERE 1 = 0"))


def _head(session: Session) -> str:
    head = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    return head or GENESIS


def _chain_new_events(session: Session, _context: Any, _instances: Any) -> None:
    new = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not new:
        return
    # Rows are inserted in the order they were added; chain them in that order.
    new.sort(key=lambda obj: inspect(obj).insert_order or 0)
    lock_chain(session)
    prev = _head(session)
    for item in new:
        if item.purpose:
            # A purpose may be typed by a person; a 12–13 digit number in it could be a
            # 個人番号, which the log must never hold (R33).
            item.purpose = _LONG_DIGITS.sub(lambda m: "*" * len(m.group(0)), item.purpose)
        item.at = item.at or utcnow()
        item.detail = item.detail or {}
        item.prev_hash = prev
        item.hash = prev = event_hash(item, prev)


event.listen(Session, "before_flush", _chain_new_events)


@dataclass(frozen=True)
class ChainReport:
    """The outcome of :func:`verify_chain`: ``broken_at`` is the id of the first bad event."""

    events: int
    head: str
    broken_at: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def _walk(events: Iterable[AuditEvent], first_link: str) -> ChainReport:
    expected = first_link
    count = 0
    head = first_link
    for item in events:
        count += 1
        if item.prev_hash != expected:
            return ChainReport(count, head, item.id, "the event before it is missing or moved")
        if event_hash(item, item.prev_hash) != item.hash:
            return ChainReport(count, head, item.id, "the event was changed")
        expected = head = item.hash
    return ChainReport(count, head)


def verify_chain(session: Session) -> ChainReport:
    """Walk the whole log in id order and check every link and every hash.

    The first event links to :data:`GENESIS`, or, once old events were pruned, to the hash
    the newest pruning anchor names.
    """
    anchor = session.scalar(
        select(AuditEvent).where(AuditEvent.action == PRUNED).order_by(AuditEvent.id.desc())
    )
    first_link = str((anchor.detail or {}).get("follows", GENESIS)) if anchor else GENESIS
    query = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    return _walk(session.scalars(query), first_link)


def prune_audit(session: Session, now: datetime | None = None) -> int:
    """Delete events older than the 4-year retention; returns how many were deleted.

    An anchor event is chained first; it names the hash of the last pruned event, which is
    the link the first kept event carries, so the kept chain still verifies from its start.
    """
    now = now or utcnow()
    cutoff = now - AUDIT_RETENTION
    lock_chain(session)
    last_old = session.scalar(
        select(AuditEvent).where(AuditEvent.at < cutoff).order_by(AuditEvent.id.desc()).limit(1)
    )
    if last_old is None:
        return 0
    count = session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.id <= last_old.id)
    )
    session.add(
        AuditEvent(
            actor="system",
            action=PRUNED,
            detail={"deleted": count, "before": _utc_text(cutoff), "follows": last_old.hash},
        )
    )
    session.flush()
    session.execute(delete(AuditEvent).where(AuditEvent.id <= last_old.id))
    return int(count or 0)
