"""Document states and the transitions between them, in one place."""

from __future__ import annotations

from enum import StrEnum

from intake.errors import InvalidTransition


class DocumentStatus(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    NEEDS_REVIEW = "needs_review"
    APPROVED = "approved"
    EXPORTED = "exported"
    REJECTED = "rejected"
    FAILED = "failed"


S = DocumentStatus

#: Allowed moves. PROCESSING → RECEIVED is the reconciler handing a stuck job back;
#: NEEDS_REVIEW → PROCESSING is an explicit re-run of OCR; APPROVED → NEEDS_REVIEW reopens.
TRANSITIONS: dict[DocumentStatus, frozenset[DocumentStatus]] = {
    S.RECEIVED: frozenset({S.PROCESSING, S.REJECTED, S.FAILED}),
    S.PROCESSING: frozenset({S.NEEDS_REVIEW, S.REJECTED, S.FAILED, S.RECEIVED}),
    S.NEEDS_REVIEW: frozenset({S.APPROVED, S.PROCESSING, S.REJECTED}),
    S.APPROVED: frozenset({S.EXPORTED, S.NEEDS_REVIEW}),
    S.EXPORTED: frozenset(),
    S.REJECTED: frozenset(),
    S.FAILED: frozenset({S.RECEIVED}),
}

#: States a worker may still act on: a document here is "still queued".
OPEN_FOR_PROCESSING = frozenset({S.RECEIVED, S.PROCESSING})
TERMINAL = frozenset({S.EXPORTED, S.REJECTED, S.FAILED})


def check_transition(current: DocumentStatus, target: DocumentStatus) -> None:
    """Raise :class:`InvalidTransition` unless ``current → target`` is allowed."""
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(f"document cannot go from {current.value} to {target.value}")
