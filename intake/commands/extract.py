"""``extract``: run the recognition pipeline on files, in-process, with no Redis or database.

Prints one JSON object per page (the contract benchmarks and acceptance checks rely on):
``{"source", "page", "form_id", "status", "reason", "fields", "seconds"}``. A file that cannot
be opened at all gives one object with ``"page": null`` and its reason.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from intake.errors import InputRejected
from ocr.layout import FORM_IDS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("extract", help="recognise files and print the fields as JSON")
    parser.add_argument("--form", choices=FORM_IDS, help="skip identification: every page is FORM")
    parser.add_argument("--format", choices=["jsonl"], default="jsonl")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.set_defaults(func=run)


def _rejected_file(source: str, reason: str, seconds: float) -> dict[str, Any]:
    return {
        "source": source,
        "page": None,
        "form_id": None,
        "status": "rejected",
        "reason": reason,
        "fields": {},
        "seconds": round(seconds, 3),
    }


def run(args: argparse.Namespace) -> int:
    from intake.pipeline import get_extractor, read_pages

    extractor = get_extractor()
    exit_code = 0
    for source in args.files:
        started = time.monotonic()
        try:
            data = Path(source).read_bytes()
            pages = read_pages(extractor, data, source, form_id=args.form)
        except InputRejected as exc:
            print(
                json.dumps(
                    _rejected_file(source, exc.reason, time.monotonic() - started),
                    ensure_ascii=False,
                ),
                flush=True,
            )
            continue
        except OSError as exc:
            print(
                json.dumps(
                    _rejected_file(
                        source, f"cannot read file: {exc.strerror}", time.monotonic() - started
                    ),
                    ensure_ascii=False,
                ),
                flush=True,
            )
            exit_code = 1
            continue
        for page in pages:
            line = {
                "source": source,
                "page": page.page,
                "form_id": page.form_id,
                "status": page.status,
                "reason": page.reason,
                "fields": {name: f.as_json() for name, f in page.fields.items()},
                "seconds": round(page.seconds, 3),
            }
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    return exit_code
