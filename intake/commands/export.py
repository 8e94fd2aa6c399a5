"""``export``: the offline path of R17 — cut a batch of approved records and write its file;
rewrite an existing batch; or correct/withdraw an exported record (提出区分 訂正・取消)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy.orm import Session

from intake.export.amendments import create_amendment_batch
from intake.export.batches import create_export_batch
from intake.export.national import SubmissionKind
from ocr.layout import FORM_IDS
from storage.db import session_scope
from storage.models import AuditEvent, ExportBatch


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export approved records of a form as a new numbered batch (or rewrite one)",
    )
    parser.add_argument("--form", choices=FORM_IDS, required=True)
    parser.add_argument("--out", type=Path, required=True, help="file to write (cp932 CSV)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--seq", type=int, help="write the existing batch SEQ instead of cutting a new one"
    )
    which.add_argument(
        "--correct",
        metavar="DOCUMENT_ID",
        help="訂正: export the corrected record of an exported document (needs --values)",
    )
    which.add_argument(
        "--cancel", metavar="DOCUMENT_ID", help="取消: withdraw an exported document's record"
    )
    parser.add_argument(
        "--values", type=Path, help="JSON object of the corrected field values (--correct)"
    )
    parser.add_argument("--actor", default="cli", help="who runs the export (audit log)")
    parser.set_defaults(func=_export)


def _batch(session: Session, args: argparse.Namespace) -> ExportBatch | None:
    if args.seq is not None:
        batch = session.get(ExportBatch, args.seq)
        if batch is None or batch.form_id != args.form:
            print(f"no export {args.seq} of {args.form}", file=sys.stderr)
        return batch if batch is not None and batch.form_id == args.form else None
    if args.correct is not None:
        if args.values is None:
            print("--correct needs --values FILE", file=sys.stderr)
            return None
        values = json.loads(args.values.read_text(encoding="utf-8"))
        return create_amendment_batch(
            session,
            args.correct,
            SubmissionKind.CORRECTION,
            args.actor,
            corrected_values=values,
        )
    if args.cancel is not None:
        return create_amendment_batch(session, args.cancel, SubmissionKind.CANCELLATION, args.actor)
    batch = create_export_batch(session, args.form, args.actor)
    if batch is None:
        print(f"nothing to export for {args.form}", file=sys.stderr)
    return batch


def _export(args: argparse.Namespace) -> int:
    with session_scope() as session:
        batch = _batch(session, args)
        if batch is None:
            return 0 if args.seq is None and args.correct is None else 1
        if batch.content is None:
            print(f"export {batch.seq} has passed its retention period", file=sys.stderr)
            return 1
        args.out.write_bytes(batch.content)
        session.add(
            AuditEvent(
                actor=args.actor,
                action="export_download",
                purpose="offline export",
                detail={"seq": batch.seq},
            )
        )
        print(f"export {batch.seq}: {batch.record_count} records → {args.out}", file=sys.stderr)
    return 0
