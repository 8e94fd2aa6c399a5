"""Capture API for scanning stations: upload a scan, read its status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, File, HTTPException, Response, UploadFile, status
from pydantic import BaseModel
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intake.capture import capture
from intake.deps import AppSettings, DbSession, StationToken
from intake.errors import UnsupportedFile
from intake.queue import enqueue_document
from intake.settings import get_settings
from storage.models import Document, Page
from storage.store import get_store

UPLOAD_PATH = "/api/v1/documents"
#: Room for the multipart framing around the file (boundaries, part headers, file name).
MULTIPART_ALLOWANCE = 64 * 1024

router = APIRouter(prefix=UPLOAD_PATH, tags=["capture"])


def too_large(limit: int) -> HTTPException:
    """The refusal of an upload over ``limit`` bytes, as the capture API words it."""
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        {
            "code": "too_large",
            "reason": f"ファイルが大きすぎます（上限 {limit // (1024 * 1024)} MB）。"
            " 分割してスキャンしてください。(file too large)",
        },
    )


class UploadSizeLimit:
    """ASGI middleware: an upload over the limit is refused before it is stored anywhere.

    Without it the multipart parser would spool a 1 GB body to a temporary file before the
    endpoint could look at it. A declared Content-Length over the limit is refused at the
    first read, before any of the body is taken; a body without one (chunked) or with a
    false one is cut off as soon as it passes the limit. The refusal is an HTTPException,
    which FastAPI passes through its body parsing, so the client gets the usual 413 JSON.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != UPLOAD_PATH:
            await self.app(scope, receive, send)
            return
        max_upload = get_settings().max_upload_bytes
        limit = max_upload + MULTIPART_ALLOWANCE
        declared = Headers(scope=scope).get("content-length", "")
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared.isdigit() and int(declared) > limit:
                raise too_large(max_upload)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large(max_upload)
            return message

        await self.app(scope, limited_receive, send)


def setup(app: FastAPI) -> None:
    """Called by :func:`api.create_app`: install the upload size limit."""
    app.add_middleware(UploadSizeLimit)


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
        if exc.code == "too_large":
            raise too_large(settings.max_upload_bytes) from exc
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, {"code": exc.code, "reason": exc.reason}
        ) from exc
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
