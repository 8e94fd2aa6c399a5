"""SQLAlchemy 2 models. The schema itself is created by the Alembic migrations."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.sealed import SealedBytes, SealedJSON, SealedText
from storage.status import DocumentStatus, check_transition


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
    }


class Batch(Base):
    """What one upload (or one hot-folder file) brought in."""

    __tablename__ = "batch"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    source: Mapped[str] = mapped_column(String(100))  # station name, "cli", "demo"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Document(Base):
    __tablename__ = "document"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True, default=DocumentStatus.RECEIVED)
    #: For REJECTED: what the scanning operator should do. For FAILED: the error.
    reason: Mapped[str | None] = mapped_column(Text)
    reason_code: Mapped[str | None] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    form_id: Mapped[str | None] = mapped_column(String(40), index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: Token of the job run that currently owns the document; a run whose token no longer
    #: matches must not write results (R41: never two different results).
    run_token: Mapped[str | None] = mapped_column(String(32))

    pages: Mapped[list[Page]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Page.number"
    )
    fields: Mapped[list[FieldValue]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="FieldValue.position"
    )

    def move_to(
        self, target: DocumentStatus, reason: str | None = None, reason_code: str | None = None
    ) -> None:
        """Change status through the transition table; keeps the reason with it."""
        check_transition(DocumentStatus(self.status), target)
        self.status = target
        self.status_changed_at = utcnow()
        if target in (DocumentStatus.REJECTED, DocumentStatus.FAILED) or reason is not None:
            self.reason = reason
            self.reason_code = reason_code


class Page(Base):
    __tablename__ = "page"
    __table_args__ = (UniqueConstraint("document_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)  # 1-based
    form_id: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))  # "ok" or "rejected"
    reason: Mapped[str | None] = mapped_column(Text)
    #: Path of the registered page image, relative to the store root.
    image_key: Mapped[str | None] = mapped_column(String(255))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    registration_quality: Mapped[float | None] = mapped_column(Float)
    seconds: Mapped[float | None] = mapped_column(Float)
    #: Record-level validation findings (those not tied to one field).
    issues: Mapped[Any] = mapped_column(JSON, default=list)
    document: Mapped[Document] = relationship(back_populates="pages")


class FieldValue(Base):
    __tablename__ = "field_value"
    __table_args__ = (UniqueConstraint("document_id", "page_number", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    page_number: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)  # order of the field in the layout
    name: Mapped[str] = mapped_column(String(80))
    field_type: Mapped[str] = mapped_column(String(30))
    #: The normalized value (str, int, bool or null). Value columns are sealed with the field
    #: key (storage.sealed): the database never holds a 個人番号 in clear (R32).
    value: Mapped[Any] = mapped_column(SealedJSON, nullable=True)
    ocr_value: Mapped[Any] = mapped_column(SealedJSON, nullable=True)
    raw_text: Mapped[str | None] = mapped_column(SealedText)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(10), default="ocr")  # "ocr" or "human"
    #: Validation findings: list of {"rule", "severity", "message_ja", "message_en"}.
    issues: Mapped[Any] = mapped_column(JSON, default=list)
    #: Why OCR sent the value to review: codes of ``ocr.result.DOUBTS`` (never field data).
    doubts: Mapped[Any] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(32))
    document: Mapped[Document] = relationship(back_populates="fields")


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    #: 特定個人情報アクセス権限: may see 個人番号 in clear (R31).
    may_see_my_number: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime | None]
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """Bearer tokens for scanning stations and the filing system's feed; stored hashed."""

    __tablename__ = "api_token"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # "station" or "feed"
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """Who did what, when, to which document and why (R33). Never holds personal data.

    Append-only and hash-chained: ``storage.audit`` fills ``prev_hash`` and ``hash``."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40), index=True)
    document_id: Mapped[str | None] = mapped_column(String(32), index=True)
    purpose: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[Any] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    #: Hash chain (storage.audit): the hash of the event before, and of this one.
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class ExportBatch(Base):
    """One immutable export: a CSV file of approved records, numbered without gaps."""

    __tablename__ = "export_batch"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    form_id: Mapped[str] = mapped_column(String(40))
    record_count: Mapped[int] = mapped_column(Integer)
    #: The CSV holds names and 個人番号: sealed like field values (R32).
    content: Mapped[bytes | None] = mapped_column(SealedBytes)
    sha256: Mapped[str] = mapped_column(String(64))
    acked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]


class ExportItem(Base):
    __tablename__ = "export_item"
    __table_args__ = (UniqueConstraint("document_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    export_seq: Mapped[int] = mapped_column(ForeignKey("export_batch.seq", ondelete="CASCADE"))
    document_id: Mapped[str] = mapped_column(String(32))
    line_number: Mapped[int] = mapped_column(Integer)


class DeletionRecord(Base):
    """Proof that a document was deleted; holds no personal data (R23)."""

    __tablename__ = "deletion_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(String(32), index=True)
    received_at: Mapped[datetime]
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(200))
    files_deleted: Mapped[int] = mapped_column(Integer)
    rows_deleted: Mapped[int] = mapped_column(Integer)
