"""The real pipeline on generated slips: real OCR engines, a real database, the real store."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from intake.commands.documents import ingest_file
from intake.pipeline import process_document
from intake.settings import Settings
from ocr.layout import load_layout
from ocr.result import DOUBTS
from ocr.synth import make_reject_sample, make_sample, write_sample
from storage.db import session_scope
from storage.models import Document, FieldValue
from storage.status import DocumentStatus
from storage.store import get_store

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def _accuracy(truth: dict, values: dict) -> float:
    names = {n for n in truth} | {n for n, v in values.items() if v is not None}
    right = sum(1 for n in names if truth.get(n) == values.get(n))
    return right / len(names)


def test_slip_is_processed_into_reviewable_values(service_env: Settings, tmp_path: Path) -> None:
    sample = make_sample("kyuyo_kojinbetsu", seed=11, condition="clean")
    path = write_sample(sample, tmp_path / "slip.png")
    document_id, _ = ingest_file(path)

    assert process_document(document_id) == "done"

    layout = load_layout("kyuyo_kojinbetsu")
    with session_scope() as session:
        doc = session.get(Document, document_id)
        assert doc is not None
        assert doc.status == DocumentStatus.NEEDS_REVIEW
        assert doc.form_id == "kyuyo_kojinbetsu"
        assert [p.status for p in doc.pages] == ["ok"]
        image = Image.open(io.BytesIO(get_store().get(doc.pages[0].image_key or "")))
        assert image.size == Image.open(layout.blank_image_path).size
        values = {f.name: f.value for f in doc.fields}
        assert set(values) == set(layout.field_names)  # every field, empty or not (R13)
        assert all(0.0 <= f.confidence <= 1.0 for f in doc.fields)
        # Why each field was sent to review is kept for the correction screen.
        assert all(set(f.doubts) <= set(DOUBTS) for f in doc.fields)
        assert all(f.doubts for f in doc.fields if f.needs_review and not f.issues)
    assert _accuracy(sample.truth, values) >= 0.9

    # Re-running replaces the values instead of adding a second set (R41).
    with session_scope() as session:
        doc = session.get(Document, document_id)
        assert doc is not None
        doc.move_to(DocumentStatus.PROCESSING)
    with session_scope() as session:  # as if a worker had died after claiming it
        doc = session.get(Document, document_id)
        assert doc is not None
        doc.move_to(DocumentStatus.RECEIVED)
    assert process_document(document_id) == "done"
    with session_scope() as session:
        count = session.scalar(
            select(func.count())
            .select_from(FieldValue)
            .where(FieldValue.document_id == document_id)
        )
    assert count == len(layout.fields)


def test_multi_page_pdf_and_a_blank_page(service_env: Settings, tmp_path: Path) -> None:
    slips = [make_sample("nenkin_kojinbetsu", seed=3), make_reject_sample("blank", seed=1)]
    pages = [s.image.convert("RGB") for s in slips]
    path = tmp_path / "batch.pdf"
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=300)
    document_id, _ = ingest_file(path)
    process_document(document_id)
    with session_scope() as session:
        doc = session.get(Document, document_id)
        assert doc is not None
        assert doc.status == DocumentStatus.NEEDS_REVIEW
        assert [(p.number, p.status) for p in doc.pages] == [(1, "ok"), (2, "rejected")]
        assert doc.pages[1].reason  # the operator is told why


def test_unreadable_file_is_rejected_with_a_reason(service_env: Settings, tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")  # truncated
    document_id, _ = ingest_file(path)
    assert process_document(document_id) == "rejected"
    with session_scope() as session:
        doc = session.get(Document, document_id)
        assert doc is not None and doc.status == DocumentStatus.REJECTED and doc.reason


def test_extract_cli_contract(tmp_path: Path) -> None:
    slip = write_sample(make_sample("kyuyo_kojinbetsu", seed=5), tmp_path / "slip.jpg")
    blank = write_sample(make_reject_sample("blank", seed=2), tmp_path / "blank.png")
    broken = tmp_path / "broken.tif"
    broken.write_bytes(b"II*\x00garbage")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "intake",
            "extract",
            "--format",
            "jsonl",
            str(slip),
            str(blank),
            str(broken),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(x["source"], x["page"], x["status"]) for x in lines] == [
        (str(slip), 1, "ok"),
        (str(blank), 1, "rejected"),
        (str(broken), None, "rejected"),
    ]
    ok = lines[0]
    assert ok["form_id"] == "kyuyo_kojinbetsu"
    assert set(ok["fields"]) == set(load_layout("kyuyo_kojinbetsu").field_names)
    for field in ok["fields"].values():
        assert set(field) == {"value", "confidence", "needs_review"}
        assert 0 <= field["confidence"] <= 1
    assert ok["fields"]["payment_amount"]["value"] == make_sample("kyuyo_kojinbetsu", 5).truth.get(
        "payment_amount"
    )
    assert lines[1]["reason"] and lines[2]["reason"]
    assert isinstance(ok["seconds"], float)
