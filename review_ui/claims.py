"""Soft claims: a document open on someone's screen is not handed to another corrector.

A claim is a hint, not a lock: it lapses after ``CLAIM_FOR`` (longer than the idle lock, so
a locked screen keeps its document) and anyone may still open a claimed document.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from review_ui.models import ReviewClaim
from storage.models import User, utcnow

CLAIM_FOR = timedelta(minutes=10)


def claim(db: Session, document_id: str, user_id: str) -> None:
    """Mark the document as open on this user's screen (renews an own claim)."""
    row = db.get(ReviewClaim, document_id)
    if row is None:
        db.add(ReviewClaim(document_id=document_id, user_id=user_id))
    else:
        row.user_id = user_id
        row.claimed_at = utcnow()


def release(db: Session, document_id: str) -> None:
    db.execute(delete(ReviewClaim).where(ReviewClaim.document_id == document_id))


def claimed_by_others(user_id: str) -> Select[str]:
    """Ids of documents someone else has open now (for ``not_in``)."""
    return select(ReviewClaim.document_id).where(
        ReviewClaim.user_id != user_id, ReviewClaim.claimed_at > utcnow() - CLAIM_FOR
    )


def holders(db: Session, document_ids: list[str], user_id: str) -> dict[str, str]:
    """Document id → name of the other person who has it open now."""
    if not document_ids:
        return {}
    rows = db.execute(
        select(ReviewClaim.document_id, User.display_name, User.username)
        .join(User, User.id == ReviewClaim.user_id)
        .where(
            ReviewClaim.document_id.in_(document_ids),
            ReviewClaim.user_id != user_id,
            ReviewClaim.claimed_at > utcnow() - CLAIM_FOR,
        )
    )
    return {doc_id: display or name for doc_id, display, name in rows}
