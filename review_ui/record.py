"""The correction of one document: validate, edit, confirm (R14, R15).

Route handlers stay thin; everything that changes a document goes through here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session, object_session

from review_ui import audit
from review_ui.auth import Viewer
from review_ui.masking import is_my_number
from review_ui.models import CheckState, DoubleCheck
from storage.models import Document, FieldValue, utcnow
from storage.status import DocumentStatus
from validators.normalize import NormalizationError, normalize
from validators.rules import Finding, validate_record


class EditRefused(Exception):
    """The edit cannot be saved; ``message`` is for the person at the screen."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Findings:
    """Validation results of a whole document, by field id and for the record."""

    by_field: dict[int, list[Finding]] = field(default_factory=lambda: defaultdict(list))
    record: list[Finding] = field(default_factory=list)

    def of(self, fv: FieldValue) -> list[Finding]:
        return self.by_field.get(fv.id, [])

    def all(self) -> Iterable[Finding]:
        yield from self.record
        for found in self.by_field.values():
            yield from found

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.all() if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.all() if f.severity == "warning"]


def page_form(doc: Document, page_number: int) -> str | None:
    for page in doc.pages:
        if page.number == page_number:
            return page.form_id
    return doc.form_id


def validate_document(doc: Document, override: tuple[FieldValue, Any] | None = None) -> Findings:
    """Run the form's rules on every page; ``override`` tries one value without saving it."""
    result = Findings()
    fields_by_page: dict[int, list[FieldValue]] = defaultdict(list)
    for fv in doc.fields:
        fields_by_page[fv.page_number].append(fv)
    for page_number, fields in sorted(fields_by_page.items()):
        form_id = page_form(doc, page_number)
        if form_id is None:
            continue
        values = {fv.name: fv.value for fv in fields}
        if override is not None and override[0].page_number == page_number:
            values[override[0].name] = override[1]
        by_name = {fv.name: fv for fv in fields}
        for finding in validate_record(form_id, values):
            target = by_name.get(finding.field) if finding.field else None
            if target is None:
                result.record.append(finding)
            else:
                result.by_field[target.id].append(finding)
    return result


def store_findings(doc: Document, findings: Findings) -> None:
    """Keep the latest findings with the fields and pages they belong to."""
    for fv in doc.fields:
        fv.issues = [f.as_dict() for f in findings.of(fv)]
    for page in doc.pages:
        page.issues = [f.as_dict() for f in findings.record]


def parse_input(fv: FieldValue, text: str | None) -> Any:
    """The normalized value of what the person typed; refuses text that is no such value."""
    try:
        return normalize(fv.field_type, text)
    except NormalizationError as exc:
        raise EditRefused(f"入力の形式が正しくありません（{_type_hint(fv.field_type)}）。") from exc


_TYPE_HINTS = {
    "amount": "金額：数字のみ",
    "count": "人数：数字のみ",
    "my_number": "個人番号：12桁の数字",
    "corporate_number": "法人番号：13桁の数字",
    "number_any": "個人番号12桁又は法人番号13桁",
    "era": "元号：明治・大正・昭和・平成・令和",
    "era_year": "年：1〜99",
    "month": "月：1〜12",
    "day": "日：1〜31",
    "checkbox": "チェック",
    "phone": "電話番号：数字とハイフン",
    "code": "半角の記号・数字",
    "kana": "カタカナ",
}


def _type_hint(field_type: str) -> str:
    return _TYPE_HINTS.get(field_type, field_type)


def check_state(doc: Document) -> str | None:
    """The state of the document's double check, if one is under way."""
    session = object_session(doc)
    check = session.get(DoubleCheck, doc.id) if session is not None else None
    if check is None or check.state == CheckState.DONE:
        return None
    return check.state


def editable(doc: Document) -> bool:
    return doc.status == DocumentStatus.NEEDS_REVIEW and check_state(doc) is None


def ensure_editable(doc: Document) -> None:
    if doc.status != DocumentStatus.NEEDS_REVIEW:
        raise EditRefused("この帳票は確認待ちではないため変更できません。")
    if check_state(doc) is not None:
        raise EditRefused("二重チェック中のため変更できません。")


def ensure_may_touch(viewer: Viewer, fv: FieldValue) -> None:
    """R31: without the right, a 個人番号 can be neither seen nor changed."""
    if is_my_number(fv.field_type, fv.value) and not viewer.may_see_my_number:
        raise EditRefused("個人番号を扱う権限がありません。")


def save_edit(
    db: Session, request: Request, viewer: Viewer, doc: Document, fv: FieldValue, text: str | None
) -> Findings:
    """Save a person's value for one field, re-run validation and record the edit (R33)."""
    ensure_editable(doc)
    ensure_may_touch(viewer, fv)
    value = parse_input(fv, text)
    # A 法人番号 field (number_any) must not become a 個人番号 in the hands of someone who
    # could then not see it.
    if is_my_number(fv.field_type, value) and not viewer.may_see_my_number:
        raise EditRefused("個人番号を扱う権限がありません。")
    changed = value != fv.value
    fv.value = value
    fv.source = "human"
    fv.needs_review = False
    fv.updated_by = viewer.user.id
    fv.updated_at = utcnow()
    findings = validate_document(doc)
    store_findings(doc, findings)
    audit.record(
        db,
        request,
        viewer.user.username,
        "edit",
        document_id=doc.id,
        purpose=audit.PURPOSE_CORRECTION,
        detail={"field": fv.name, "page": fv.page_number, "changed": changed},
    )
    return findings


def confirm_fields(
    db: Session, request: Request, viewer: Viewer, doc: Document, fields: list[FieldValue]
) -> None:
    """A person looked at these fields and accepts their values as they are."""
    ensure_editable(doc)
    for fv in fields:
        ensure_may_touch(viewer, fv)
    for fv in fields:
        fv.needs_review = False
        fv.updated_by = viewer.user.id
        fv.updated_at = utcnow()
    audit.record(
        db,
        request,
        viewer.user.username,
        "confirm",
        document_id=doc.id,
        purpose=audit.PURPOSE_CORRECTION,
        detail={"fields": [fv.name for fv in fields]},
    )


def approval_blockers(doc: Document, findings: Findings) -> list[str]:
    """Why the document cannot be approved yet (empty: it can)."""
    reasons = []
    if doc.status != DocumentStatus.NEEDS_REVIEW:
        reasons.append("この帳票は確認待ちではありません。")
    elif check_state(doc) == CheckState.AWAITING:
        reasons.append("二重チェック待ちです。")
    elif check_state(doc) == CheckState.MISMATCH:
        reasons.append("二重チェックで不一致があり、解決待ちです。")
    if findings.errors:
        reasons.append(f"エラーが {len(findings.errors)} 件残っています。")
    unconfirmed = sum(1 for fv in doc.fields if fv.needs_review)
    if unconfirmed:
        reasons.append(f"未確認の項目が {unconfirmed} 件あります。")
    return reasons


def finish_approval(doc: Document, approved_by: str) -> None:
    doc.move_to(DocumentStatus.APPROVED)
    doc.approved_at = utcnow()
    doc.approved_by = approved_by
