"""What the document screen shows: fields in working order, masked where they must be."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from intake.settings import get_settings
from ocr.layout import FormLayout, load_layout
from ocr.result import DOUBT_MESSAGES_JA
from review_ui.auth import Viewer
from review_ui.masking import is_my_number, mask, scrub
from review_ui.record import Findings, approval_blockers, editable, page_form
from storage.models import Document, FieldValue

#: Working order (issue 5): validation errors, then what needs a look, then the rest.
GROUP_ERROR = "error"
GROUP_CHECK = "check"
GROUP_REST = "rest"
GROUP_ORDER = (GROUP_ERROR, GROUP_CHECK, GROUP_REST)
GROUP_TITLES = {
    GROUP_ERROR: "エラー",
    GROUP_CHECK: "要確認（信頼度が低い・警告）",
    GROUP_REST: "その他の項目",
}


@dataclass
class FieldView:
    id: int
    name: str
    label: str
    field_type: str
    page_number: int
    text: str
    confidence: float
    needs_review: bool
    source: str
    group: str
    findings: list[dict[str, str]]
    #: Why OCR sent the value to review, in words (none once a person has entered it).
    doubts: list[str]
    #: The field's box as percentages of the page: left, top, width, height.
    box: tuple[float, float, float, float] | None
    my_number: bool
    hidden: bool
    editable: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "group": self.group,
            "needs_review": self.needs_review,
            "source": self.source,
            "findings": self.findings,
            "hidden": self.hidden,
        }


@dataclass
class PageView:
    number: int
    form_id: str | None
    title: str
    has_image: bool
    width_mm: float
    height_mm: float


@dataclass
class DocumentView:
    doc: Document
    pages: list[PageView]
    fields: list[FieldView]
    record_findings: list[dict[str, str]]
    blockers: list[str]
    warnings: int
    editable: bool
    threshold: float
    counts: dict[str, int] = field(default_factory=dict)

    def group(self, name: str) -> list[FieldView]:
        return [f for f in self.fields if f.group == name]

    def as_json(self) -> dict[str, Any]:
        return {
            "fields": [f.as_json() for f in self.fields],
            "record_findings": self.record_findings,
            "blockers": self.blockers,
            "warnings": self.warnings,
        }


def value_text(value: Any, field_type: str | None = None) -> str:
    """A stored value as the text an input shows; amounts with thousands separators, as
    printed on the slips (the normalizer reads them back)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if field_type == "amount" and isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _finding_json(finding: Any, scrubbed: bool) -> dict[str, str]:
    message = finding.message_ja
    return {
        "severity": finding.severity,
        "rule": finding.rule,
        "message": scrub(message) if scrubbed else message,
    }


def doubt_messages(fv: FieldValue) -> list[str]:
    """The reasons OCR gave for sending ``fv`` to review, as the screen shows them; none
    for a value a person entered (the reasons were about the reading it replaced)."""
    if fv.source != "ocr":
        return []
    return [DOUBT_MESSAGES_JA.get(code, code) for code in fv.doubts or ()]


def _layout(form_id: str | None) -> FormLayout | None:
    try:
        return load_layout(form_id) if form_id else None
    except KeyError:
        return None


def field_view(
    fv: FieldValue,
    layout: FormLayout | None,
    findings: Findings,
    viewer: Viewer,
    threshold: float,
    reveal: bool = False,
) -> FieldView:
    """One field as the viewer may see it. A 個人番号 is masked unless the viewer holds the
    right *and* asked to reveal it (an audited action, R31)."""
    found = findings.of(fv)
    my_number = is_my_number(fv.field_type, fv.value)
    hidden = my_number and not (viewer.may_see_my_number and reveal)
    if any(f.severity == "error" for f in found):
        group = GROUP_ERROR
    elif fv.needs_review or fv.confidence < threshold or found:
        group = GROUP_CHECK
    else:
        group = GROUP_REST
    spec = None
    if layout is not None:
        try:
            spec = layout.field(fv.name)
        except KeyError:
            spec = None
    box = box_percent(layout, spec.box_mm) if spec is not None and layout is not None else None
    return FieldView(
        id=fv.id,
        name=fv.name,
        label=spec.label if spec else fv.name,
        field_type=fv.field_type,
        page_number=fv.page_number,
        text=mask(fv.value) if hidden else value_text(fv.value, fv.field_type),
        confidence=fv.confidence,
        needs_review=fv.needs_review,
        source=fv.source,
        group=group,
        findings=[_finding_json(f, scrubbed=not viewer.may_see_my_number) for f in found],
        doubts=doubt_messages(fv),
        box=box,
        my_number=my_number,
        hidden=hidden,
        editable=not my_number or viewer.may_see_my_number,
    )


def document_view(doc: Document, findings: Findings, viewer: Viewer) -> DocumentView:
    """The document screen's content, fields sorted into working order."""
    threshold = get_settings().review_threshold
    layouts = {p.number: _layout(p.form_id) for p in doc.pages}
    views = [
        field_view(
            fv,
            layouts.get(fv.page_number) or _layout(page_form(doc, fv.page_number)),
            findings,
            viewer,
            threshold,
        )
        for fv in doc.fields
    ]
    rank = {g: i for i, g in enumerate(GROUP_ORDER)}
    # The sort is stable: within a group, fields keep the order of the form.
    views.sort(key=lambda v: (rank[v.group], v.page_number))
    pages = page_views(doc)
    return DocumentView(
        doc=doc,
        pages=pages,
        fields=views,
        record_findings=[
            _finding_json(f, scrubbed=not viewer.may_see_my_number) for f in findings.record
        ],
        blockers=approval_blockers(doc, findings),
        warnings=len(findings.warnings),
        editable=editable(doc),
        threshold=threshold,
        counts={g: sum(1 for v in views if v.group == g) for g in GROUP_ORDER},
    )


def box_percent(
    layout: FormLayout, box_mm: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """A layout box as percentages of the page (the image is on the template's grid)."""
    x, y, w, h = box_mm
    return (
        100 * x / layout.width_mm,
        100 * y / layout.height_mm,
        100 * w / layout.width_mm,
        100 * h / layout.height_mm,
    )


def page_views(doc: Document) -> list[PageView]:
    pages = []
    for page in doc.pages:
        layout = _layout(page.form_id)
        pages.append(
            PageView(
                number=page.number,
                form_id=page.form_id,
                title=layout.title if layout else "（様式不明）",
                has_image=page.image_key is not None,
                width_mm=layout.width_mm if layout else 210.0,
                height_mm=layout.height_mm if layout else 297.0,
            )
        )
    return pages


@dataclass
class EntryField:
    """A field on the double-check or resolve screen: where it is, never what it holds."""

    id: int
    name: str
    label: str
    field_type: str
    page_number: int
    box: tuple[float, float, float, float] | None
    my_number: bool


def entry_field(doc: Document, fv: FieldValue) -> EntryField:
    layout = _layout(page_form(doc, fv.page_number))
    spec = None
    if layout is not None:
        try:
            spec = layout.field(fv.name)
        except KeyError:
            spec = None
    return EntryField(
        id=fv.id,
        name=fv.name,
        label=spec.label if spec else fv.name,
        field_type=fv.field_type,
        page_number=fv.page_number,
        box=box_percent(layout, spec.box_mm) if spec and layout else None,
        my_number=is_my_number(fv.field_type, fv.value),
    )
