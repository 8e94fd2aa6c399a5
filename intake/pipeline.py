"""Orchestration of one document: split, extract, validate, persist.

``read_pages`` is the whole recognition path with no database and no queue; the extraction
CLI and the worker job both run it, so what a benchmark measures is what the service does.
``process_document`` is the RQ job: it takes an id only and keeps nothing outside the
database and the document store (R12).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import cv2
from sqlalchemy import delete

from intake.capture import ORIGINAL
from intake.errors import InputRejected
from intake.metrics import record_page
from intake.queue import MAX_ATTEMPTS, redis_connection
from intake.settings import get_settings
from ocr.pages import iter_pages
from ocr.result import CONFIRMABLE_DOUBTS, PageResult
from storage.db import session_scope
from storage.models import Document, FieldValue, Page, new_id, utcnow
from storage.status import OPEN_FOR_PROCESSING, DocumentStatus
from storage.store import get_store
from validators.rules import Finding, confirmed_fields, validate_record

if TYPE_CHECKING:
    from ocr.extract import Extractor

log = logging.getLogger(__name__)

_extractor: Extractor | None = None

#: The confidence of a value the form's arithmetic confirms.
CONFIRMED_CONFIDENCE = 0.99


def get_extractor() -> Extractor:
    """The process-wide extractor: OCR models are loaded once per worker process."""
    global _extractor
    if _extractor is None:
        from ocr.extract import Extractor

        _extractor = Extractor()
    return _extractor


def apply_validation(result: PageResult) -> None:
    """Run the form's rules on a page's values; a field with a finding needs review, and so
    does every field a failed check involves. A field in doubt only for how surely its
    characters were read is confirmed by the form's arithmetic (a total equal to the sum
    of its written parts) and leaves review."""
    if result.status != "ok" or result.form_id is None:
        return
    values = {name: field.value for name, field in result.fields.items()}
    for confirmed in confirmed_fields(result.form_id, values):
        field = result.fields[confirmed]
        if field.needs_review and set(field.doubts) <= CONFIRMABLE_DOUBTS:
            field.needs_review = False
            field.confidence = max(field.confidence, CONFIRMED_CONFIDENCE)
            field.doubts = ()
    result.findings = validate_record(result.form_id, values)
    for finding in result.findings:
        for name in finding.fields_in_review():
            if name in result.fields:
                result.fields[name].needs_review = True


def findings_by_field(result: PageResult) -> dict[str | None, list[Finding]]:
    by_field: dict[str | None, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_field[finding.field].append(finding)
    return by_field


def read_pages(
    extractor: Extractor,
    data: bytes,
    filename: str,
    form_id: str | None = None,
    max_pages: int | None = None,
) -> list[PageResult]:
    """Every page of one file, extracted and validated. Raises :class:`InputRejected`
    when the file as a whole cannot be read (corrupt, encrypted, too many pages).
    Pages are decoded one at a time, so a long file of large pages holds one in memory."""
    max_pages = max_pages or get_settings().max_pages
    results = []
    for number, page in enumerate(iter_pages(data, filename, max_pages), start=1):
        result = extractor.extract_page(page, number, form_id)
        apply_validation(result)
        results.append(result)
    return results


def _claim(document_id: str) -> tuple[str, str, str] | None:
    """Mark the document PROCESSING under a fresh run token; None when there is nothing to do."""
    with session_scope() as session:
        doc = session.get(Document, document_id, with_for_update=True)
        if doc is None or doc.status not in OPEN_FOR_PROCESSING:
            return None
        if doc.status == DocumentStatus.RECEIVED:
            doc.move_to(DocumentStatus.PROCESSING)
        else:  # a run that died mid-way is being retried
            doc.status_changed_at = utcnow()
        doc.attempts += 1
        doc.run_token = new_id()
        return doc.run_token, doc.filename, get_store().key(doc.id, ORIGINAL)


def _owned(session: Any, document_id: str, token: str) -> Document | None:
    doc = session.get(Document, document_id, with_for_update=True)
    if doc is None or doc.run_token != token or doc.status != DocumentStatus.PROCESSING:
        log.info("document %s: run %s no longer owns it; result dropped", document_id, token)
        return None
    return doc


def _save_results(document_id: str, token: str, results: list[PageResult]) -> None:
    store = get_store()
    image_keys: dict[int, str] = {}
    for result in results:
        if result.image is not None:
            ok, png = cv2.imencode(".png", result.image)
            if ok:
                name = f"page-{result.page:03d}.png"
                image_keys[result.page] = store.put(document_id, name, png.tobytes())
    with session_scope() as session:
        doc = _owned(session, document_id, token)
        if doc is None:
            return
        # A re-run replaces what an earlier run wrote, never adds to it.
        session.execute(delete(FieldValue).where(FieldValue.document_id == document_id))
        session.execute(delete(Page).where(Page.document_id == document_id))
        for result in results:
            page = Page(
                document_id=document_id,
                number=result.page,
                form_id=result.form_id,
                status=result.status,
                reason=result.reason,
                image_key=image_keys.get(result.page),
                width=None if result.image is None else int(result.image.shape[1]),
                height=None if result.image is None else int(result.image.shape[0]),
                registration_quality=result.registration_quality,
                seconds=result.seconds,
            )
            session.add(page)
            findings = findings_by_field(result)
            page.issues = [f.as_dict() for f in findings.get(None, [])]
            for position, (name, field) in enumerate(result.fields.items()):
                session.add(
                    FieldValue(
                        document_id=document_id,
                        page_number=result.page,
                        position=position,
                        name=name,
                        field_type=_field_type(result.form_id, name),
                        value=field.value,
                        ocr_value=field.value,
                        raw_text=field.raw_text,
                        confidence=field.confidence,
                        needs_review=field.needs_review,
                        source="ocr",
                        issues=[f.as_dict() for f in findings.get(name, [])],
                        doubts=list(field.doubts),
                    )
                )
        accepted = [r for r in results if r.status == "ok"]
        doc.processed_at = utcnow()
        doc.run_token = None
        if accepted:
            doc.form_id = accepted[0].form_id
            doc.move_to(DocumentStatus.NEEDS_REVIEW)
        else:
            first = results[0] if results else None
            doc.move_to(
                DocumentStatus.REJECTED,
                reason=first.reason if first else "ページがありません。(no pages)",
                reason_code=first.reason_code if first else "no_pages",
            )


def _field_type(form_id: str | None, name: str) -> str:
    from ocr.layout import load_layout

    return load_layout(form_id).field(name).type if form_id else "text"


def _finish_rejected(document_id: str, token: str, exc: InputRejected) -> None:
    with session_scope() as session:
        doc = _owned(session, document_id, token)
        if doc is not None:
            doc.run_token = None
            doc.processed_at = utcnow()
            doc.move_to(DocumentStatus.REJECTED, reason=exc.reason, reason_code=exc.code)


def _finish_crashed(document_id: str, token: str, exc: Exception) -> None:
    with session_scope() as session:
        doc = _owned(session, document_id, token)
        if doc is None:
            return
        doc.run_token = None
        message = f"{type(exc).__name__}: {exc}"[:500]
        if doc.attempts >= MAX_ATTEMPTS:
            doc.move_to(DocumentStatus.FAILED, reason=message, reason_code="processing_error")
        else:  # handed back; the reconciler enqueues it again
            doc.move_to(DocumentStatus.RECEIVED, reason=message, reason_code="retrying")


def process_document(document_id: str) -> str:
    """RQ job: recognise one document and store the result. Safe to run twice."""
    claim = _claim(document_id)
    if claim is None:
        return "skipped"
    token, filename, key = claim
    started = time.monotonic()
    try:
        data = get_store().get(key)
        results = read_pages(get_extractor(), data, filename)
    except InputRejected as exc:
        _finish_rejected(document_id, token, exc)
        return "rejected"
    except Exception as exc:
        log.exception("document %s: processing failed", document_id)
        _finish_crashed(document_id, token, exc)
        raise
    _save_results(document_id, token, results)
    connection = redis_connection()
    for result in results:
        record_page(connection, result.seconds, result.status)
    log.info(
        "document %s: %d page(s) in %.2f s", document_id, len(results), time.monotonic() - started
    )
    return "done"
