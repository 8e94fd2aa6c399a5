"""Audit events written by the review screens (R33). Details never hold personal data:
field names and counts, not values."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from storage.models import AuditEvent

#: Why staff use these screens; R33 asks for the purpose of every access.
PURPOSE_CORRECTION = "個人住民税賦課のための帳票確認・訂正"
PURPOSE_DOUBLE_CHECK = "個人住民税賦課のための二重チェック"
PURPOSE_RIGHTS_REVIEW = "利用者・アクセス権限の定期確認"
PURPOSE_RETENTION = "保管期限前の帳票の削除（誤送付等）"
PURPOSE_AUDIT = "アクセス記録の監査"


def record(
    db: Session,
    request: Request | None,
    actor: str,
    action: str,
    *,
    document_id: str | None = None,
    purpose: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add one audit event to the session (committed with the action it records)."""
    db.add(
        AuditEvent(
            actor=actor,
            action=action,
            document_id=document_id,
            purpose=purpose,
            detail=detail or {},
            remote_addr=request.client.host if request and request.client else None,
        )
    )
