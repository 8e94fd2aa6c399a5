"""``ingest`` and ``documents``: capture files locally and list what is held."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sqlalchemy import func, select

from intake.capture import capture
from intake.errors import UnsupportedFile
from storage.db import session_scope
from storage.models import Document, FieldValue
from storage.store import get_store


def register(subparsers: argparse._SubParsersAction) -> None:
    ingest = subparsers.add_parser("ingest", help="capture files as the upload API would")
    ingest.add_argument("files", nargs="+", metavar="FILE")
    ingest.add_argument(
        "--process", action="store_true", help="run the pipeline here and now instead of queueing"
    )
    ingest.set_defaults(func=_ingest)

    documents = subparsers.add_parser("documents", help="list the documents held")
    actions = documents.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list")
    listing.add_argument("--format", choices=["json", "table"], default="table")
    listing.set_defaults(func=_list)


def ingest_file(path: Path, source: str = "cli") -> tuple[str, bool]:
    """Capture one file; returns (document id, duplicate)."""
    with session_scope() as session:
        receipt = capture(session, get_store(), path.read_bytes(), path.name, source=source)
    return receipt.document_id, receipt.duplicate


def _ingest(args: argparse.Namespace) -> int:
    from intake.pipeline import process_document
    from intake.queue import enqueue_document

    exit_code = 0
    for name in args.files:
        try:
            document_id, duplicate = ingest_file(Path(name))
        except (UnsupportedFile, OSError) as exc:
            print(json.dumps({"source": name, "error": str(exc)}, ensure_ascii=False))
            exit_code = 1
            continue
        if not duplicate:
            if args.process:
                process_document(document_id)
            else:
                enqueue_document(document_id)
        with session_scope() as session:
            status = session.get(Document, document_id).status  # type: ignore[union-attr]
        print(
            json.dumps(
                {"source": name, "id": document_id, "status": status, "duplicate": duplicate},
                ensure_ascii=False,
            )
        )
    return exit_code


def _list(args: argparse.Namespace) -> int:
    with session_scope() as session:
        counts = dict(
            session.execute(
                select(FieldValue.document_id, func.count()).group_by(FieldValue.document_id)
            ).all()
        )
        rows = [
            {
                "id": d.id,
                "status": d.status,
                "form_id": d.form_id,
                "filename": d.filename,
                "received_at": d.received_at.isoformat(),
                "expires_at": d.expires_at.isoformat(),
                "reason": d.reason,
                "fields": counts.get(d.id, 0),
            }
            for d in session.scalars(select(Document).order_by(Document.received_at))
        ]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for row in rows:
            print(
                f"{row['id']}  {row['status']:<12} {row['form_id'] or '-':<18} "
                f"{str(row['received_at'])[:19]}  {row['filename']}"
            )
    return 0
