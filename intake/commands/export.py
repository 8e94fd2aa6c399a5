"""``export``: the offline path of R17 — cut a batch of approved records and write its file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from intake.export.batches import create_export_batch
from intake.export.lines import FORM_IDS
from storage.db import session_scope
from storage.models import AuditEvent, ExportBatch


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export approved records of a form as a new numbered batch (or rewrite one)",
    )
    parser.add_argument("--form", choices=FORM_IDS, required=True)
    parser.add_argument("--out", type=Path, required=True, help="file to write (cp932 CSV)")
    parser.add_argument(
        "--seq", type=int, help="write the existing batch SEQ instead of cutting a new one"
    )
    parser.add_argument("--actor", default="cli", help="who runs the export (audit log)")
    parser.set_defaults(func=_export)


def _export(args: argparse.Namespace) -> int:
    with session_scope() as session:
        if args.seq is None:
            batch = create_export_batch(session, args.form, args.actor)
            if batch is None:
                print(f"nothing to export for {args.form}", file=sys.stderr)
                return 0
        else:
            batch = session.get(ExportBatch, args.seq)
            if batch is None or batch.form_id != args.form:
                print(f"no export {args.seq} of {args.form}", file=sys.stderr)
                return 1
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
