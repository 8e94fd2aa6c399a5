"""The import feed the filing system pulls (R17), with a feed token that can do nothing else.

- ``GET /api/v1/feed/exports?after=SEQ`` cuts batches of records approved since the last call,
  then lists the batches numbered above ``SEQ`` (gapless, oldest first).
- ``GET /api/v1/feed/exports/{seq}.csv`` the batch file, byte for byte (cp932).
- ``GET /api/v1/feed/exports/{seq}.json`` a 申告書 batch in the service's JSON layout.
- ``POST /api/v1/feed/exports/{seq}/ack`` the filing system has imported the batch; repeating
  it changes nothing.

Every export, download and first acknowledgement is written to the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from intake.deps import DbSession, FeedToken
from intake.export import shinkoku
from intake.export.batches import create_all_export_batches
from storage.models import ApiToken, AuditEvent, ExportBatch, utcnow

router = APIRouter(prefix="/api/v1/feed", tags=["feed"])

MAX_LIST = 1000


class ExportOut(BaseModel):
    seq: int
    form_id: str
    record_count: int
    sha256: str
    created_at: datetime
    expires_at: datetime
    acked_at: datetime | None
    #: False once the retention period has removed the file (the number stays).
    available: bool
    url: str


class ExportList(BaseModel):
    exports: list[ExportOut]
    #: Highest batch number that exists, for the next ``after``.
    last_seq: int


def _actor(token: ApiToken) -> str:
    return f"feed:{token.name}"


def _out(batch: ExportBatch) -> ExportOut:
    return ExportOut(
        seq=batch.seq,
        form_id=batch.form_id,
        record_count=batch.record_count,
        sha256=batch.sha256,
        created_at=batch.created_at,
        expires_at=batch.expires_at,
        acked_at=batch.acked_at,
        available=batch.content is not None,
        url=f"/api/v1/feed/exports/{batch.seq}.csv",
    )


def _batch(db: Session, seq: int) -> ExportBatch:
    batch = db.get(ExportBatch, seq)
    if batch is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no export {seq}")
    return batch


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _content(batch: ExportBatch) -> bytes:
    if batch.content is None:
        raise HTTPException(status.HTTP_410_GONE, f"export {batch.seq} has passed its retention")
    return batch.content


def _audit_download(
    db: Session, token: ApiToken, request: Request, seq: int, file_format: str
) -> None:
    db.add(
        AuditEvent(
            actor=_actor(token),
            action="export_download",
            purpose="filing system import",
            detail={"seq": seq, "format": file_format},
            remote_addr=_client(request),
        )
    )


#: Batch numbers live in an INTEGER column; a larger number in a request is refused (422)
#: instead of overflowing the database driver (a 500 found by the API fuzzing).
MAX_SEQ = 2**31 - 1
SeqPath = Annotated[int, Path(ge=0, le=MAX_SEQ)]


@router.get("/exports", response_model=ExportList)
def list_exports(
    db: DbSession,
    token: FeedToken,
    after: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 100,
) -> ExportList:
    """New batches are cut first, so a call sees every record approved before it."""
    create_all_export_batches(db, _actor(token))
    batches = db.scalars(
        select(ExportBatch).where(ExportBatch.seq > after).order_by(ExportBatch.seq).limit(limit)
    ).all()
    last = db.scalar(select(ExportBatch.seq).order_by(ExportBatch.seq.desc()).limit(1)) or 0
    return ExportList(exports=[_out(b) for b in batches], last_seq=last)


@router.get(
    "/exports/{seq}.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, 410: {"description": "retention expired"}},
)
def download_export(seq: SeqPath, db: DbSession, token: FeedToken, request: Request) -> Response:
    batch = _batch(db, seq)
    content = _content(batch)
    _audit_download(db, token, request, seq, "csv")
    return Response(
        content=content,
        media_type="text/csv; charset=Shift_JIS",
        headers={
            "Content-Disposition": f'attachment; filename="export-{seq:06d}-{batch.form_id}.csv"',
            "X-Content-SHA256": batch.sha256,
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/exports/{seq}.json",
    response_class=Response,
    responses={
        200: {"content": {"application/json": {}}},
        404: {"description": "no such batch, or not a 申告書 batch"},
        410: {"description": "retention expired"},
    },
)
def download_export_json(
    seq: SeqPath, db: DbSession, token: FeedToken, request: Request
) -> Response:
    """A 申告書 batch in the service's JSON layout (the national records exist as CSV only)."""
    batch = _batch(db, seq)
    if batch.form_id != shinkoku.FORM_ID:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"export {seq} exists as CSV only")
    content = _content(batch)
    _audit_download(db, token, request, seq, "json")
    return Response(
        content=shinkoku.records_json(shinkoku.records_from_csv(content)).encode("utf-8"),
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


@router.post("/exports/{seq}/ack", response_model=ExportOut)
def ack_export(seq: SeqPath, db: DbSession, token: FeedToken, request: Request) -> ExportOut:
    batch = _batch(db, seq)
    # A conditional update: of two concurrent acks exactly one sets the time and is audited.
    acked = db.execute(
        update(ExportBatch)
        .where(ExportBatch.seq == seq, ExportBatch.acked_at.is_(None))
        .values(acked_at=utcnow())
    )
    if acked.rowcount:  # type: ignore[attr-defined]
        db.add(
            AuditEvent(
                actor=_actor(token),
                action="export_ack",
                detail={"seq": seq},
                remote_addr=_client(request),
            )
        )
    db.flush()
    db.refresh(batch)
    return _out(batch)
