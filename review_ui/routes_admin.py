"""Supervisor screens: the user/rights list for the periodic review (R35), disabling an
account at once (R30, R35), and deleting a document before its deadline (R21)."""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from intake.commands.users import RIGHTS_COLUMNS, user_rights, write_rights_csv
from intake.purge import delete_document, scrub_database
from intake.security import Permission
from review_ui import audit
from review_ui.auth import DbSession, Forbidden, Viewer, require
from review_ui.loading import NotFound
from review_ui.masking import scrub
from review_ui.templating import SECURITY_HEADERS, render
from storage.models import Document, User
from storage.store import get_store

router = APIRouter(include_in_schema=False)

UserManager = Annotated[Viewer, Depends(require(Permission.MANAGE_USERS))]
Deleter = Annotated[Viewer, Depends(require(Permission.DELETE))]

MIN_REASON_LENGTH = 2


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.get("/admin/users")
def users_screen(request: Request, db: DbSession, viewer: UserManager) -> Response:
    rows = user_rights(db)
    audit.record(
        db,
        request,
        viewer.user.username,
        "user_list",
        purpose=audit.PURPOSE_RIGHTS_REVIEW,
        detail={"count": len(rows)},
    )
    return render(
        request, "admin_users.html", {"viewer": viewer, "columns": RIGHTS_COLUMNS, "rows": rows}
    )


@router.get("/admin/users.csv")
def users_csv(request: Request, db: DbSession, viewer: UserManager) -> Response:
    """The user/rights list as CSV for the periodic review file (R35)."""
    rows = user_rights(db)
    out = io.StringIO()
    write_rights_csv(rows, out)
    audit.record(
        db,
        request,
        viewer.user.username,
        "user_list_export",
        purpose=audit.PURPOSE_RIGHTS_REVIEW,
        detail={"count": len(rows)},
    )
    headers = dict(SECURITY_HEADERS)
    headers["Content-Disposition"] = 'attachment; filename="users-rights.csv"'
    return Response(out.getvalue().encode("utf-8-sig"), media_type="text/csv", headers=headers)


@router.post("/admin/users/{username}/disable")
def disable_user(request: Request, db: DbSession, viewer: UserManager, username: str) -> Response:
    """Disable an account; its open sessions end with their next request (R35)."""
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound
    if user.id == viewer.user.id:
        raise Forbidden("自分のアカウントは無効にできません。")
    user.active = False
    audit.record(
        db,
        request,
        viewer.user.username,
        "user_disable",
        purpose=audit.PURPOSE_RIGHTS_REVIEW,
        detail={"user": username},
    )
    return RedirectResponse("/admin/users", status.HTTP_303_SEE_OTHER)


@router.get("/admin/documents")
def documents_screen(request: Request, db: DbSession, viewer: Deleter) -> Response:
    documents = list(db.scalars(select(Document).order_by(Document.received_at)))
    audit.record(
        db,
        request,
        viewer.user.username,
        "document_list",
        purpose=audit.PURPOSE_RETENTION,
        detail={"count": len(documents)},
    )
    return render(
        request,
        "admin_documents.html",
        {"viewer": viewer, "documents": documents, "error": None},
    )


@router.post("/admin/documents/{document_id}/delete")
def delete_now(
    request: Request,
    db: DbSession,
    viewer: Deleter,
    document_id: str,
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Delete one document at once (R21): key, files and rows, with the reason recorded.

    Numbers of 12 or 13 digits in the reason are masked: the deletion record and the audit
    log must not hold a 個人番号.
    """
    reason = scrub(" ".join(reason.split()))
    document = db.get(Document, document_id)
    if document is None:
        raise NotFound
    if len(reason) < MIN_REASON_LENGTH:
        documents = list(db.scalars(select(Document).order_by(Document.received_at)))
        return render(
            request,
            "admin_documents.html",
            {"viewer": viewer, "documents": documents, "error": "削除の理由を入力してください。"},
            status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    delete_document(db, get_store(), document, viewer.user.username, reason, _client(request))
    db.commit()
    scrub_database(db)
    return RedirectResponse("/admin/documents", status.HTTP_303_SEE_OTHER)
