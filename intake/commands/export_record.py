"""``export-record``: the record-level contract of the export.

Reads one record's normalized field values as a JSON object on stdin (``{name: value}``, the
shapes of forms/README.md) and writes its line (cp932 bytes, line ending of the settings) to
stdout. Validation errors (every error of ``validators.rules``) go to stderr, exit code 1.
"""

from __future__ import annotations

import argparse
import json
import sys

from intake.export.layouts import ExportError
from intake.export.lines import export_line, record_year
from intake.export.national import SubmissionKind
from intake.export.settings import get_export_settings
from ocr.layout import FORM_IDS
from validators.rules import validate_record

_KINDS = {
    "new": SubmissionKind.NEW,
    "add": SubmissionKind.ADDITION,
    "correct": SubmissionKind.CORRECTION,
    "cancel": SubmissionKind.CANCELLATION,
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export-record", help="write one record's CSV line from its field values (JSON on stdin)"
    )
    parser.add_argument("--form", choices=FORM_IDS, required=True)
    parser.add_argument(
        "--year", type=int, required=True, help="令和 年分 (slips) or 年度 (申告書) of the record"
    )
    parser.add_argument(
        "--kind", choices=sorted(_KINDS), default="new", help="提出区分 (national layouts)"
    )
    parser.set_defaults(func=_export_record)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def _export_record(args: argparse.Namespace) -> int:
    try:
        values = json.load(sys.stdin)
    except json.JSONDecodeError as exc:
        return _fail(f"stdin is not JSON: {exc}")
    if not isinstance(values, dict):
        return _fail("stdin must hold one JSON object {field name: value}")
    errors = [f for f in validate_record(args.form, values) if f.severity == "error"]
    for finding in errors:
        print(f"{finding.rule}\t{finding.field or '-'}\t{finding.message_en}", file=sys.stderr)
    if errors:
        return 1
    try:
        if record_year(args.form, values) != args.year:
            return _fail(f"the record's year is not 令和{args.year} (--year)")
        line = export_line(args.form, values, get_export_settings(), _KINDS[args.kind])
    except ExportError as exc:
        return _fail(f"export: {exc}")
    sys.stdout.buffer.write(line)
    sys.stdout.buffer.flush()
    return 0
