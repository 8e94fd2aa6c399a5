"""The blind double check and the resolve step (R16)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from review_ui import audit, double_check, record
from review_ui.auth import Approver, Checker, DbSession, Forbidden
from review_ui.loading import load_document
from review_ui.masking import is_my_number, mask
from review_ui.models import CheckState
from review_ui.queue import check_queue
from review_ui.templating import queue_screen, refused, render
from review_ui.view import entry_field, page_views, value_text

router = APIRouter(include_in_schema=False)


class EntryInput(BaseModel):
    #: Field id (as text, JSON keys are strings) → what the person typed.
    values: dict[int, str | None] = Field(max_length=500)


def _see_other(target: str) -> Response:
    return Response(status_code=status.HTTP_303_SEE_OTHER, headers={"Location": target})


@router.get("/check")
def checker_queue(request: Request, db: DbSession, viewer: Checker) -> Response:
    rows, total = check_queue(db, CheckState.AWAITING, exclude_first_by=viewer.user.id)
    return queue_screen(
        request,
        db,
        viewer,
        rows,
        total,
        list_name="check",
        purpose=audit.PURPOSE_DOUBLE_CHECK,
        title="二重チェック待ち",
        link="/check/",
    )


@router.get("/check/next")
def checker_next(db: DbSession, viewer: Checker) -> Response:
    rows, _ = check_queue(db, CheckState.AWAITING, exclude_first_by=viewer.user.id, limit=1)
    return _see_other(f"/check/{rows[0].document_id}" if rows else "/check")


@router.get("/check/{document_id}")
def check_screen(request: Request, db: DbSession, viewer: Checker, document_id: str) -> Response:
    """The blind entry: where each value is on the page, never the first entry or OCR value."""
    doc = load_document(db, document_id)
    try:
        check = double_check.check_of(db, doc, CheckState.AWAITING)
    except record.EditRefused as exc:
        raise Forbidden(exc.message) from exc
    fields = double_check.marked_fields(doc)
    double_check.ensure_checker(viewer, check, fields)
    audit.record(
        db,
        request,
        viewer.user.username,
        "view",
        document_id=doc.id,
        purpose=audit.PURPOSE_DOUBLE_CHECK,
    )
    return render(
        request,
        "check.html",
        {
            "viewer": viewer,
            "doc": doc,
            "pages": page_views(doc),
            "fields": [entry_field(doc, fv) for fv in fields],
        },
    )


@router.post("/check/{document_id}")
def submit_check(
    request: Request, db: DbSession, viewer: Checker, document_id: str, body: EntryInput
) -> Response:
    doc = load_document(db, document_id)
    try:
        differences = double_check.submit_second_entry(db, request, viewer, doc, body.values)
    except record.EditRefused as exc:
        return refused(exc.message)
    return JSONResponse({"differences": differences, "next": "/check/next"})


@router.get("/resolve")
def resolve_queue(request: Request, db: DbSession, viewer: Approver) -> Response:
    rows, total = check_queue(db, CheckState.MISMATCH)
    return queue_screen(
        request,
        db,
        viewer,
        rows,
        total,
        list_name="resolve",
        purpose=audit.PURPOSE_DOUBLE_CHECK,
        title="不一致の解決",
        link="/resolve/",
    )


@router.get("/resolve/{document_id}")
def resolve_screen(request: Request, db: DbSession, viewer: Approver, document_id: str) -> Response:
    """Both entries side by side for each difference; 個人番号 masked until revealed."""
    doc = load_document(db, document_id)
    try:
        check = double_check.check_of(db, doc, CheckState.MISMATCH)
    except record.EditRefused as exc:
        raise Forbidden(exc.message) from exc
    pairs = double_check.mismatches(db, doc)
    double_check.ensure_resolver(viewer, check, pairs)
    rows = []
    for fv, second in pairs:
        hidden = is_my_number(fv.field_type, fv.value) or is_my_number(fv.field_type, second)
        first_text = value_text(fv.value, fv.field_type)
        second_text = value_text(second, fv.field_type)
        rows.append(
            {
                "field": entry_field(doc, fv),
                "first": mask(first_text) if hidden else first_text,
                "second": mask(second_text) if hidden else second_text,
                "hidden": hidden,
            }
        )
    audit.record(
        db,
        request,
        viewer.user.username,
        "view",
        document_id=doc.id,
        purpose=audit.PURPOSE_DOUBLE_CHECK,
    )
    return render(
        request,
        "resolve.html",
        {"viewer": viewer, "doc": doc, "pages": page_views(doc), "rows": rows},
    )


@router.post("/resolve/{document_id}/reveal")
def resolve_reveal(request: Request, db: DbSession, viewer: Approver, document_id: str) -> Response:
    """Both entries of the differing 個人番号 in clear: with the right only, and audited."""
    if not viewer.may_see_my_number:
        raise Forbidden("個人番号を表示する権限がありません。")
    doc = load_document(db, document_id)
    pairs = [
        (fv, second)
        for fv, second in double_check.mismatches(db, doc)
        if is_my_number(fv.field_type, fv.value) or is_my_number(fv.field_type, second)
    ]
    audit.record(
        db,
        request,
        viewer.user.username,
        "reveal_my_number",
        document_id=doc.id,
        purpose=audit.PURPOSE_DOUBLE_CHECK,
        detail={"fields": [fv.name for fv, _ in pairs]},
    )
    return JSONResponse(
        {
            str(fv.id): {
                "first": value_text(fv.value, fv.field_type),
                "second": value_text(second, fv.field_type),
            }
            for fv, second in pairs
        }
    )


@router.post("/resolve/{document_id}")
def submit_resolve(
    request: Request, db: DbSession, viewer: Approver, document_id: str, body: EntryInput
) -> Response:
    doc = load_document(db, document_id)
    try:
        approved = double_check.resolve(db, request, viewer, doc, body.values)
    except record.EditRefused as exc:
        return refused(exc.message)
    return JSONResponse(
        {"approved": approved, "next": "/resolve" if approved else f"/documents/{doc.id}"}
    )
