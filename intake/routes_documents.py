"""Capture API for scanning stations: upload a scan, read its status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Response, UploadFile, status
from pydantic import BaseModel

from intake.capture import capture
from intake.deps import AppSettings, DbSession, StationToken
from intake.errors import UnsupportedFile
from intake.queue import enqueue_document
from storage.models import Document, Page
from storage.store import get_store

router = APIRouter(prefix="/api/v1/documents", tags=["capture"])


class DocumentReceipt(BaseModel):
    id: str
    status: str
    duplicate: bool = False


class PageStatus(BaseModel):
    number: int
    form_id: str | None
    status: str
    reason: str | None


class DocumentStatusOut(BaseModel):
    id: str
    status: str
    reason: str | None
    reason_code: str | None
    form_id: str | None
    received_at: str
    expires_at: str
    pages: list[PageStatus]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentReceipt,
    responses={
        200: {"model": DocumentReceipt, "description": "already received"},
        413: {"description": "too large"},
        415: {"description": "not a scan"},
    },
)
async def upload_document(
    response: Response,
    db: DbSession,
    station: StationToken,
    settings: AppSettings,
    file: Annotated[UploadFile, File(description="PDF, TIFF, JPEG or PNG")],
) -> DocumentReceipt:
    """Store the scan, then queue it. Answers once the original is safely stored."""
    data = await file.read(settings.max_upload_bytes + 1)
    try:
        receipt = capture(
            db, get_store(), data, file.filename, source=station.name, settings=settings
        )
    except UnsupportedFile as exc:
        code = (
            status.HTTP_413_CONTENT_TOO_LARGE
            if exc.code == "too_large"
            else status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
        )
        raise HTTPException(code, {"code": exc.code, "reason": exc.reason}) from exc
    db.commit()
    if not receipt.duplicate:
        enqueue_document(receipt.document_id)
    out = DocumentReceipt(
        id=receipt.document_id, status=receipt.status, duplicate=receipt.duplicate
    )
    if receipt.duplicate:
        response.status_code = status.HTTP_200_OK
    return out


@router.get(
    "/{document_id}",
    response_model=DocumentStatusOut,
    responses={404: {"description": "unknown or deleted"}},
)
def get_document(document_id: str, db: DbSession, station: StationToken) -> DocumentStatusOut:
    """Status of a document and, when rejected, the reason an operator can act on."""
    doc = db.get(Document, document_id)
    if doc is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such document (or already deleted)")
    pages: list[Page] = doc.pages
    return DocumentStatusOut(
        id=doc.id,
        status=doc.status,
        reason=doc.reason,
        reason_code=doc.reason_code,
        form_id=doc.form_id,
        received_at=doc.received_at.isoformat(),
        expires_at=doc.expires_at.isoformat(),
        pages=[
            PageStatus(number=p.number, form_id=p.form_id, status=p.status, reason=p.reason)
            for p in pages
        ],
    )
