"""The correction queue and the document screen (R15): image beside values, edit, approve."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from review_ui import approval, audit, claims, record
from review_ui.auth import Approver, DbSession, Forbidden, ImageViewer, Reviewer, Viewer
from review_ui.loading import NotFound, find_field, load_document
from review_ui.masking import is_my_number, redact_page
from review_ui.queue import correction_queue, next_for_correction
from review_ui.templating import SECURITY_HEADERS, queue_screen, refused, render
from review_ui.view import document_view, field_view
from storage.models import Document, FieldValue, Page
from storage.store import get_store

router = APIRouter(include_in_schema=False)


class FieldInput(BaseModel):
    text: str | None = Field(default=None, max_length=2000)


class ConfirmInput(BaseModel):
    field_ids: list[int] = Field(max_length=1000)


class ApproveInput(BaseModel):
    acknowledge_warnings: bool = False


@router.get("/review")
def review_queue(request: Request, db: DbSession, viewer: Reviewer) -> Response:
    rows, total = correction_queue(db, viewer.user.id)
    return queue_screen(
        request, db, viewer, rows, total, list_name="review", purpose=audit.PURPOSE_CORRECTION
    )


@router.get("/review/next")
def review_next(db: DbSession, viewer: Reviewer, after: str | None = None) -> Response:
    """Open the oldest waiting document (the flow after an approval)."""
    document_id = next_for_correction(db, viewer.user.id, after)
    target = f"/documents/{document_id}" if document_id else "/review"
    return Response(status_code=status.HTTP_303_SEE_OTHER, headers={"Location": target})


@router.get("/documents/{document_id}")
def document_screen(
    request: Request, db: DbSession, viewer: Reviewer, document_id: str
) -> Response:
    doc = load_document(db, document_id)
    findings = record.validate_document(doc)
    view = document_view(doc, findings, viewer)
    holder = claims.holders(db, [doc.id], viewer.user.id).get(doc.id)
    if view.editable:
        claims.claim(db, doc.id, viewer.user.id)
    audit.record(
        db,
        request,
        viewer.user.username,
        "view",
        document_id=doc.id,
        purpose=audit.PURPOSE_CORRECTION,
    )
    return render(request, "document.html", {"viewer": viewer, "view": view, "holder": holder})


@router.get("/documents/{document_id}/pages/{number}/image")
def page_image(
    request: Request,
    db: DbSession,
    viewer: ImageViewer,
    document_id: str,
    number: int,
) -> Response:
    """The registered page image; 個人番号 boxes blacked out for people without the right."""
    page = db.scalar(select(Page).where(Page.document_id == document_id, Page.number == number))
    if page is None or page.image_key is None:
        raise NotFound
    png = get_store().get(page.image_key)
    if not viewer.may_see_my_number:
        corporate = db.scalars(
            select(FieldValue).where(
                FieldValue.document_id == document_id,
                FieldValue.page_number == number,
                FieldValue.field_type == "number_any",
            )
        )
        public = frozenset(fv.name for fv in corporate if not is_my_number(fv.field_type, fv.value))
        png = redact_page(png, page.form_id, public)
    audit.record(
        db,
        request,
        viewer.user.username,
        "view_image",
        document_id=document_id,
        purpose=audit.PURPOSE_CORRECTION,
        detail={"page": number, "masked": not viewer.may_see_my_number},
    )
    headers = dict(SECURITY_HEADERS)
    # Kept in memory for the open page only: images are personal data with a 5-day life.
    headers["Cache-Control"] = "private, no-store"
    return Response(png, media_type="image/png", headers=headers)


def _state(doc: Document, viewer: Viewer) -> dict[str, Any]:
    return document_view(doc, record.validate_document(doc), viewer).as_json()


@router.post("/documents/{document_id}/fields/{field_id}")
def save_field(
    request: Request,
    db: DbSession,
    viewer: Reviewer,
    document_id: str,
    field_id: int,
    body: FieldInput,
) -> Response:
    """Save what the person typed; answers with the document's fresh validation state."""
    doc = load_document(db, document_id)
    fv = find_field(doc, field_id)
    try:
        record.save_edit(db, request, viewer, doc, fv, body.text)
    except record.EditRefused as exc:
        return refused(exc.message)
    return JSONResponse(_state(doc, viewer))


@router.post("/documents/{document_id}/fields/{field_id}/validate")
def try_field(
    db: DbSession,
    viewer: Reviewer,
    document_id: str,
    field_id: int,
    body: FieldInput,
) -> Response:
    """Live validation while typing: the findings the value would give, nothing saved."""
    doc = load_document(db, document_id)
    fv = find_field(doc, field_id)
    try:
        record.ensure_may_touch(viewer, fv)
        value = record.parse_input(fv, body.text)
    except record.EditRefused as exc:
        return refused(exc.message)
    findings = record.validate_document(doc, override=(fv, value))
    view = document_view(doc, findings, viewer)
    return JSONResponse(view.as_json())


@router.post("/documents/{document_id}/fields/{field_id}/reveal")
def reveal(
    request: Request,
    db: DbSession,
    viewer: Reviewer,
    document_id: str,
    field_id: int,
) -> Response:
    """Show one 個人番号 in clear: only with the right, and always recorded (R31, R33)."""
    if not viewer.may_see_my_number:
        raise Forbidden("個人番号を表示する権限がありません。")
    doc = load_document(db, document_id)
    fv = find_field(doc, field_id)
    view = field_view(fv, None, record.validate_document(doc), viewer, threshold=0.0, reveal=True)
    audit.record(
        db,
        request,
        viewer.user.username,
        "reveal_my_number",
        document_id=doc.id,
        purpose=audit.PURPOSE_CORRECTION,
        detail={"field": fv.name, "page": fv.page_number},
    )
    return JSONResponse({"text": view.text})


@router.post("/documents/{document_id}/confirm")
def confirm(
    request: Request,
    db: DbSession,
    viewer: Reviewer,
    document_id: str,
    body: ConfirmInput,
) -> Response:
    """Accept fields as they are: one field (Enter) or the confident rest as a group."""
    doc = load_document(db, document_id)
    fields = [find_field(doc, fid) for fid in body.field_ids]
    try:
        record.confirm_fields(db, request, viewer, doc, fields)
    except record.EditRefused as exc:
        return refused(exc.message)
    return JSONResponse(_state(doc, viewer))


@router.post("/documents/{document_id}/approve")
def approve(
    request: Request,
    db: DbSession,
    viewer: Approver,
    document_id: str,
    body: ApproveInput,
) -> Response:
    """Approve; 409 lists warnings still to acknowledge, 422 says what blocks approval."""
    doc = load_document(db, document_id)
    try:
        to_check = approval.approve(db, request, viewer, doc, body.acknowledge_warnings)
    except record.EditRefused as exc:
        return refused(exc.message)
    except approval.WarningsPending as exc:
        return JSONResponse(
            {"warnings": [w.message_ja for w in exc.warnings]}, status.HTTP_409_CONFLICT
        )
    claims.release(db, doc.id)
    return JSONResponse(
        {
            "status": doc.status,
            "double_check": to_check,
            "next": f"/review/next?after={doc.id}",
        }
    )
