"""Demo feed: generated sample slips go in through the same capture code as real scans."""

from __future__ import annotations

import io
import logging

from intake.capture import capture
from intake.queue import enqueue_document
from ocr.synth import make_sample
from storage.db import session_scope
from storage.store import get_store

log = logging.getLogger(__name__)

DEMO_FORMS = ("kyuyo_kojinbetsu", "kyuyo_kojinbetsu", "nenkin_kojinbetsu", "shinkoku_p1")


def feed_samples(count: int, seed: int = 2026) -> list[str]:
    """Capture ``count`` generated slips (all fictitious) and queue them; returns their ids."""
    ids = []
    for index in range(count):
        form_id = DEMO_FORMS[index % len(DEMO_FORMS)]
        sample = make_sample(form_id, seed + index, condition="clean")
        buffer = io.BytesIO()
        sample.image.save(buffer, format="PNG", dpi=(sample.dpi, sample.dpi))
        with session_scope() as session:
            receipt = capture(
                session, get_store(), buffer.getvalue(), f"demo-{index + 1:03d}.png", source="demo"
            )
        if not receipt.duplicate:
            enqueue_document(receipt.document_id)
        ids.append(receipt.document_id)
    log.info("demo: %d sample slip(s) captured", len(ids))
    return ids
