"""The blind double check (R16): a second person re-enters the marked values without seeing
the first entry; differences go to a resolve step. One person never makes both entries."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from review_ui import audit
from review_ui.auth import Forbidden, Viewer
from review_ui.masking import is_my_number
from review_ui.models import CheckState, DoubleCheck, DoubleCheckEntry
from review_ui.record import (
    EditRefused,
    finish_approval,
    parse_input,
    store_findings,
    validate_document,
)
from storage.models import Document, FieldValue, utcnow
from storage.status import DocumentStatus

#: Field types checked twice unless a form says otherwise: income and deduction amounts and
#: the 個人番号 (特記事項: 読み合わせ, ダブルチェック).
DOUBLE_CHECK_TYPES = frozenset({"amount", "my_number"})


def marked_fields(doc: Document) -> list[FieldValue]:
    """The fields the second person re-enters: marked types that hold a value (or where OCR
    read one, so a value cleared by mistake is checked too)."""
    return [
        fv
        for fv in doc.fields
        if fv.field_type in DOUBLE_CHECK_TYPES
        and (fv.value is not None or fv.ocr_value is not None)
    ]


def hand_to_check(db: Session, doc: Document, first_by: str) -> bool:
    """After the first person's approval: start the double check. False when the document
    has nothing to check twice (it can be approved at once)."""
    if not marked_fields(doc):
        return False
    db.execute(delete(DoubleCheckEntry).where(DoubleCheckEntry.document_id == doc.id))
    check = db.get(DoubleCheck, doc.id)
    if check is None:
        check = DoubleCheck(document_id=doc.id, first_by=first_by)
        db.add(check)
    check.state = CheckState.AWAITING
    check.first_by = first_by
    check.first_at = utcnow()
    check.checked_by = check.checked_at = check.resolved_by = check.resolved_at = None
    return True


def check_of(db: Session, doc: Document, state: str) -> DoubleCheck:
    check = db.get(DoubleCheck, doc.id)
    if check is None or check.state != state or doc.status != DocumentStatus.NEEDS_REVIEW:
        raise EditRefused("この帳票はこの段階にありません。")
    return check


def ensure_checker(viewer: Viewer, check: DoubleCheck, fields: list[FieldValue]) -> None:
    """R16: the second entry is by someone else; a 個人番号 needs the right (R31)."""
    if check.first_by == viewer.user.id:
        raise Forbidden("1回目の入力をした人は二重チェックできません。")
    if any(is_my_number(fv.field_type, fv.value) for fv in fields) and not (
        viewer.may_see_my_number
    ):
        raise Forbidden("個人番号を含む帳票の二重チェックには特定個人情報アクセス権限が必要です。")


def submit_second_entry(
    db: Session,
    request: Request,
    viewer: Viewer,
    doc: Document,
    texts: dict[int, str | None],
) -> int:
    """Compare the second entry with the first; returns the number of differences.

    No differences: the document is approved. Otherwise it waits for the resolve step.
    """
    check = check_of(db, doc, CheckState.AWAITING)
    fields = marked_fields(doc)
    ensure_checker(viewer, check, fields)
    missing = [fv for fv in fields if fv.id not in texts]
    if missing:
        raise EditRefused(f"入力されていない項目が {len(missing)} 件あります。")
    problems = []
    entered: dict[int, Any] = {}
    for fv in fields:
        try:
            entered[fv.id] = parse_input(fv, texts[fv.id])
        except EditRefused as exc:
            problems.append(exc.message)
    if problems:
        raise EditRefused(f"形式の正しくない入力が {len(problems)} 件あります。")
    mismatched = []
    for fv in fields:
        matches = entered[fv.id] == fv.value
        if not matches:
            mismatched.append(fv.name)
        db.add(
            DoubleCheckEntry(
                document_id=doc.id,
                field_id=fv.id,
                matches=matches,
                # Only a differing value is kept: the resolve step shows both.
                value=None if matches else entered[fv.id],
            )
        )
    check.checked_by = viewer.user.id
    check.checked_at = utcnow()
    if mismatched:
        check.state = CheckState.MISMATCH
    else:
        check.state = CheckState.DONE
        finish_approval(doc, check.first_by)
    audit.record(
        db,
        request,
        viewer.user.username,
        "double_check",
        document_id=doc.id,
        purpose=audit.PURPOSE_DOUBLE_CHECK,
        detail={"fields": len(fields), "mismatched": mismatched},
    )
    return len(mismatched)


def mismatches(db: Session, doc: Document) -> list[tuple[FieldValue, Any]]:
    """Each differing field with the second person's value."""
    entries = {
        e.field_id: e
        for e in db.scalars(
            select(DoubleCheckEntry).where(
                DoubleCheckEntry.document_id == doc.id, DoubleCheckEntry.matches.is_(False)
            )
        )
    }
    return [(fv, entries[fv.id].value) for fv in doc.fields if fv.id in entries]


def ensure_resolver(
    viewer: Viewer, check: DoubleCheck, pairs: list[tuple[FieldValue, Any]]
) -> None:
    if check.checked_by == viewer.user.id:
        raise Forbidden("二重チェックをした人は不一致を解決できません。")
    if any(is_my_number(fv.field_type, fv.value) for fv, _ in pairs) and not (
        viewer.may_see_my_number
    ):
        raise Forbidden("個人番号の不一致の解決には特定個人情報アクセス権限が必要です。")


def resolve(
    db: Session,
    request: Request,
    viewer: Viewer,
    doc: Document,
    texts: dict[int, str | None],
) -> bool:
    """Set the right value of each differing field. Returns True when the document is
    approved, False when the values now fail validation and it went back to correction."""
    check = check_of(db, doc, CheckState.MISMATCH)
    pairs = mismatches(db, doc)
    ensure_resolver(viewer, check, pairs)
    for fv, _second in pairs:
        if fv.id not in texts:
            raise EditRefused("すべての不一致項目に値を決めてください。")
        value = parse_input(fv, texts[fv.id])
        fv.value = value
        fv.source = "human"
        fv.needs_review = False
        fv.updated_by = viewer.user.id
        fv.updated_at = utcnow()
    findings = validate_document(doc)
    store_findings(doc, findings)
    approved = not findings.errors
    if approved:
        check.state = CheckState.DONE
        check.resolved_by = viewer.user.id
        check.resolved_at = utcnow()
        finish_approval(doc, check.first_by)
    else:
        # Back to correction: the record needs more than choosing between two entries.
        db.delete(check)
    audit.record(
        db,
        request,
        viewer.user.username,
        "resolve",
        document_id=doc.id,
        purpose=audit.PURPOSE_DOUBLE_CHECK,
        detail={"fields": [fv.name for fv, _ in pairs], "approved": approved},
    )
    return approved
