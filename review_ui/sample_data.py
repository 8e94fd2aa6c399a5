"""A fictitious document ready for correction, for demos, screenshots and tests.

It goes straight into NEEDS_REVIEW with the values of a synthetic slip (``ocr.synth``) and a
few simulated recognition slips, so the screens can be shown without running OCR.
"""

from __future__ import annotations

import hashlib
import io
import random
from datetime import timedelta

from sqlalchemy.orm import Session

from ocr.layout import load_layout
from ocr.synth import make_sample
from review_ui.record import store_findings, validate_document
from storage.models import Batch, Document, FieldValue, Page, utcnow
from storage.status import DocumentStatus
from storage.store import DocumentStore
from validators.rule_tables import SALARY

#: How many fields of a seeded document look like uncertain reads.
UNCERTAIN_FIELDS = 4


def seed_document(
    db: Session,
    store: DocumentStore,
    form_id: str = "kyuyo_kojinbetsu",
    seed: int = 1,
    *,
    misread: bool = True,
    received_at_offset: timedelta = timedelta(0),
) -> Document:
    """Store a synthetic slip's image and values as a document waiting for review.

    With ``misread`` one amount gets a wrong digit and a few fields a low confidence, as an
    OCR run would leave them; otherwise every value is the truth at high confidence.
    """
    sample = make_sample(form_id, seed, condition="clean")
    buffer = io.BytesIO()
    sample.image.save(buffer, format="PNG")
    png = buffer.getvalue()
    layout = load_layout(form_id)
    now = utcnow() + received_at_offset
    batch = Batch(source="sample")
    db.add(batch)
    db.flush()
    doc = Document(
        batch_id=batch.id,
        status=DocumentStatus.NEEDS_REVIEW,
        filename=f"sample-{form_id}-{seed}.png",
        content_type="image/png",
        size_bytes=len(png),
        sha256=hashlib.sha256(png).hexdigest(),
        form_id=form_id,
        received_at=now,
        expires_at=now + timedelta(days=5),
        processed_at=now,
    )
    db.add(doc)
    db.flush()
    key = store.put(doc.id, "page-001.png", png)
    db.add(
        Page(
            document_id=doc.id,
            number=1,
            form_id=form_id,
            status="ok",
            image_key=key,
            width=sample.image.width,
            height=sample.image.height,
            issues=[],
        )
    )
    rng = random.Random(f"review-sample:{form_id}:{seed}")
    filled = [s.name for s in layout.fields if s.name in sample.truth]
    uncertain = set(rng.sample(filled, min(UNCERTAIN_FIELDS, len(filled)))) if misread else set()
    # Misread an amount the rules cross-check (the 支払金額 behind the 給与所得), so the
    # screens show what a caught misread looks like; other forms get any amount.
    checked = [c.pay for c in SALARY.get(form_id, ()) if c.pay in sample.truth]
    amounts = checked or [
        s.name for s in layout.fields if s.type == "amount" and s.name in sample.truth
    ]
    wrong = rng.choice(amounts) if misread and amounts else None
    for position, spec in enumerate(layout.fields):
        value = sample.truth.get(spec.name)
        confidence = round(rng.uniform(0.93, 0.995), 3)
        if spec.name in uncertain:
            confidence = round(rng.uniform(0.45, 0.85), 3)
        if spec.name == wrong and isinstance(value, int):
            value = value + 9 * 10 ** rng.randint(3, 5)  # a misread digit
            confidence = 0.62
        db.add(
            FieldValue(
                document_id=doc.id,
                page_number=1,
                position=position,
                name=spec.name,
                field_type=spec.type,
                value=value,
                ocr_value=value,
                raw_text=None if value is None else str(value),
                confidence=confidence,
                needs_review=confidence < 0.9,
                source="ocr",
                issues=[],
                doubts=["uncertain"] if confidence < 0.9 else [],
            )
        )
    db.flush()
    db.refresh(doc)
    findings = validate_document(doc)
    store_findings(doc, findings)
    for fv in doc.fields:
        if findings.of(fv):
            fv.needs_review = True
    return doc
