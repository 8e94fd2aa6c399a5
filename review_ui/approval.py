"""Approval of a corrected document: the first person's approval, then the double check."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from review_ui import audit
from review_ui.auth import Viewer
from review_ui.double_check import hand_to_check
from review_ui.record import (
    EditRefused,
    approval_blockers,
    finish_approval,
    store_findings,
    validate_document,
)
from storage.models import Document
from validators.rules import Finding


class WarningsPending(Exception):
    """Approval needs the person to acknowledge these warnings first."""

    def __init__(self, warnings: list[Finding]) -> None:
        super().__init__(f"{len(warnings)} warning(s)")
        self.warnings = warnings


def approve(
    db: Session, request: Request, viewer: Viewer, doc: Document, acknowledge_warnings: bool
) -> bool:
    """The first person's approval: no errors, nothing unconfirmed, warnings acknowledged.

    Returns True when the document now waits for the blind double check (R16), False when
    there was nothing to check twice and it is approved.
    """
    findings = validate_document(doc)
    blockers = approval_blockers(doc, findings)
    if blockers:
        raise EditRefused(" ".join(blockers))
    if findings.warnings and not acknowledge_warnings:
        raise WarningsPending(findings.warnings)
    store_findings(doc, findings)
    to_check = hand_to_check(db, doc, viewer.user.id)
    if not to_check:
        finish_approval(doc, viewer.user.id)
    audit.record(
        db,
        request,
        viewer.user.username,
        "approve",
        document_id=doc.id,
        purpose=audit.PURPOSE_CORRECTION,
        detail={"warnings_acknowledged": len(findings.warnings), "double_check": to_check},
    )
    return to_check
