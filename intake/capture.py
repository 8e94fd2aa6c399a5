"""Capture: every upload gets an id and a receipt, and its original is stored first (R10).

The same bytes uploaded again while the first copy is still held return the first document.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.errors import UnsupportedFile
from intake.settings import Settings, get_settings
from storage.models import Batch, Document, new_id, utcnow
from storage.store import DocumentStore

ORIGINAL = "original"

#: Leading bytes of the formats the scanners send.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff_content_type(data: bytes) -> str:
    """The real type of an upload from its first bytes; the file name is not trusted."""
    if not data:
        raise UnsupportedFile(
            "empty_file", "空のファイルです。スキャンし直してください。(empty file)"
        )
    head = data[:1024]
    for magic, content_type in _MAGIC:
        if head.startswith(magic) or (magic == b"%PDF-" and magic in head):
            return content_type
    raise UnsupportedFile(
        "unsupported_type",
        "PDF・TIFF・JPEG・PNG 以外のファイルです。スキャナの保存形式を確認してください。"
        " (not a PDF, TIFF, JPEG or PNG file)",
    )


def safe_filename(name: str | None) -> str:
    """Keep only the last path component, printable, at most 200 characters. The name is
    only shown to people (the store files by document id), but it must not look like a path."""
    base = (name or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:200] if base.strip(".") else "upload"


@dataclass(frozen=True)
class Receipt:
    document_id: str
    status: str
    duplicate: bool


def capture(
    session: Session,
    store: DocumentStore,
    data: bytes,
    filename: str | None,
    source: str,
    settings: Settings | None = None,
) -> Receipt:
    """Store an upload and create its document (status RECEIVED); the caller commits, then
    enqueues. Raises :class:`UnsupportedFile` for input that can never be processed."""
    settings = settings or get_settings()
    if len(data) > settings.max_upload_bytes:
        raise UnsupportedFile(
            "too_large",
            f"ファイルが大きすぎます（上限 {settings.max_upload_bytes // (1024 * 1024)} MB）。"
            " 分割してスキャンしてください。(file too large)",
        )
    content_type = sniff_content_type(data)
    digest = hashlib.sha256(data).hexdigest()
    existing = session.scalar(
        select(Document)
        .where(Document.sha256 == digest, Document.expires_at > utcnow())
        .order_by(Document.received_at)
        .limit(1)
    )
    if existing is not None:
        return Receipt(existing.id, existing.status, duplicate=True)

    now = utcnow()
    batch = Batch(id=new_id(), source=source[:100], created_at=now)
    document = Document(
        id=new_id(),
        batch_id=batch.id,
        filename=safe_filename(filename),
        content_type=content_type,
        size_bytes=len(data),
        sha256=digest,
        received_at=now,
        expires_at=now + timedelta(days=settings.retention_days),
        status_changed_at=now,
    )
    # The original reaches the store before the row exists: a row never points at nothing.
    store.put(document.id, ORIGINAL, data)
    session.add_all([batch, document])
    session.flush()
    return Receipt(document.id, document.status, duplicate=False)
