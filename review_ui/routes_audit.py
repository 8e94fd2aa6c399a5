"""The auditor's screen (R33): search the audit log, export it as CSV, see that it is intact."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from intake.security import Permission
from review_ui import audit, audit_search
from review_ui.audit_search import AuditFilter
from review_ui.auth import DbSession, Viewer, require
from review_ui.templating import SECURITY_HEADERS, render
from storage.audit import verify_chain

router = APIRouter(include_in_schema=False)

Auditor = Annotated[Viewer, Depends(require(Permission.READ_AUDIT))]


def _filter(
    actor: str = "", action: str = "", document_id: str = "", date_from: str = "", date_to: str = ""
) -> AuditFilter:
    return AuditFilter(actor.strip(), action.strip(), document_id.strip(), date_from, date_to)


SearchFilter = Annotated[AuditFilter, Depends(_filter)]


@router.get("/audit")
def audit_screen(
    request: Request, db: DbSession, viewer: Auditor, wanted: SearchFilter
) -> Response:
    events = audit_search.search(db, wanted)
    total = audit_search.count(db, wanted)
    chain = verify_chain(db)
    audit.record(
        db,
        request,
        viewer.user.username,
        "audit_search",
        purpose=audit.PURPOSE_AUDIT,
        detail={**wanted.as_detail(), "matches": total},
    )
    return render(
        request,
        "audit.html",
        {
            "viewer": viewer,
            "events": events,
            "total": total,
            "wanted": wanted,
            "actions": audit_search.actions(db),
            "chain": chain,
        },
    )


@router.get("/audit.csv")
def audit_csv(request: Request, db: DbSession, viewer: Auditor, wanted: SearchFilter) -> Response:
    """Every matching event, oldest last, with its hash (the chain can be re-checked)."""
    events = audit_search.search(db, wanted, limit=None)
    audit.record(
        db,
        request,
        viewer.user.username,
        "audit_export",
        purpose=audit.PURPOSE_AUDIT,
        detail={**wanted.as_detail(), "matches": len(events)},
    )
    headers = dict(SECURITY_HEADERS)
    headers["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    body = audit_search.to_csv(events).encode("utf-8-sig")
    return Response(body, media_type="text/csv", headers=headers)
