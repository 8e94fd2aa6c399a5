"""Tables owned by the review screens: login sessions and the blind double check (R16, R34)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow
from storage.sealed import SealedJSON


class ReviewSession(Base):
    """A server-side login session; the signed cookie only carries its random id.

    Keeping the session on the server lets logout, idle lock (R34) and account expiry (R35)
    take effect at once instead of whenever a cookie happens to expire.
    """

    __tablename__ = "review_session"
    #: SHA-256 of the session id held in the cookie; a database leak does not give sessions.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    csrf_token: Mapped[str] = mapped_column(String(64))


class CheckState:
    """States of a document's double check."""

    AWAITING = "awaiting"  # first entry done; waiting for the blind second entry
    MISMATCH = "mismatch"  # the entries differ; waiting for the resolve step
    DONE = "done"


class DoubleCheck(Base):
    """The double check of one document: who made the first entry, who the second (R16)."""

    __tablename__ = "double_check"
    document_id: Mapped[str] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(20), index=True, default=CheckState.AWAITING)
    first_by: Mapped[str] = mapped_column(String(32))
    first_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_by: Mapped[str | None] = mapped_column(String(32))
    checked_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[datetime | None]


class DoubleCheckEntry(Base):
    """The second entry of one field. The value is kept only where it differs from the
    first, because the resolve step has to show both; matching values need no copy."""

    __tablename__ = "double_check_entry"
    __table_args__ = (UniqueConstraint("document_id", "field_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(
        ForeignKey("double_check.document_id", ondelete="CASCADE"), index=True
    )
    field_id: Mapped[int] = mapped_column(ForeignKey("field_value.id", ondelete="CASCADE"))
    matches: Mapped[bool] = mapped_column(Boolean)
    #: Sealed like the recognised values (R32): it may be a 個人番号.
    value: Mapped[Any] = mapped_column(SealedJSON, nullable=True)


class ReviewClaim(Base):
    """Who has a document open for correction, so two people are not handed the same one."""

    __tablename__ = "review_claim"
    document_id: Mapped[str] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
