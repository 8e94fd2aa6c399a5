"""Searching the audit log (R33): the auditor's filters, the query and the CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from storage.models import AuditEvent

#: Rows shown on one screen; the CSV holds every match.
SCREEN_LIMIT = 500
CSV_COLUMNS = [
    "id",
    "at",
    "actor",
    "action",
    "document_id",
    "purpose",
    "remote_addr",
    "detail",
    "hash",
]


@dataclass(frozen=True)
class AuditFilter:
    """What the auditor searches for; empty fields do not filter."""

    actor: str = ""
    action: str = ""
    document_id: str = ""
    date_from: str = ""  # YYYY-MM-DD, inclusive
    date_to: str = ""  # YYYY-MM-DD, inclusive

    def as_detail(self) -> dict[str, str]:
        """The filter for the auditor's own audit event (it holds no personal data)."""
        return {k: v for k, v in self.__dict__.items() if v}


def _day(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC) if text else None
    except ValueError:
        return None


def _query(wanted: AuditFilter) -> Select[AuditEvent]:
    query = select(AuditEvent)
    if wanted.actor:
        query = query.where(AuditEvent.actor == wanted.actor)
    if wanted.action:
        query = query.where(AuditEvent.action == wanted.action)
    if wanted.document_id:
        query = query.where(AuditEvent.document_id == wanted.document_id)
    if start := _day(wanted.date_from):
        query = query.where(AuditEvent.at >= start)
    if end := _day(wanted.date_to):
        query = query.where(AuditEvent.at < end + timedelta(days=1))
    return query


def search(
    session: Session, wanted: AuditFilter, limit: int | None = SCREEN_LIMIT
) -> list[AuditEvent]:
    """Matching events, newest first."""
    query = _query(wanted).order_by(AuditEvent.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def count(session: Session, wanted: AuditFilter) -> int:
    return session.scalar(select(func.count()).select_from(_query(wanted).subquery())) or 0


def actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def to_csv(events: list[AuditEvent]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in events:
        at = e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)
        writer.writerow(
            [
                e.id,
                at.isoformat(),
                e.actor,
                e.action,
                e.document_id or "",
                e.purpose or "",
                e.remote_addr or "",
                _detail_text(e.detail),
                e.hash,
            ]
        )
    return out.getvalue()


def _detail_text(detail: object) -> str:
    return json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
