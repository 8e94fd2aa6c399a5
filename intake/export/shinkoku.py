"""The 市民税・県民税申告書's own export layout (there is no national electronic record).

CSV, cp932, one header row of the field names of ``shinkoku_p1.json`` in layout order, then one
row per 申告書. Cells: integers as half-width digits, checkboxes ``1`` (ticked) or empty, text
as normalized (full-width names and addresses), empty for no value. Standard CSV quoting
(RFC 4180) applies to text holding a comma, quote or line break. The same records as JSON:
``{"form_id", "layout_version", "columns": [...], "records": [{name: value}]}`` with the
values of ``forms/README.md`` (null for no value). :func:`layout_description` documents the
columns (name, label, type, max_len) for the filing system.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from intake.export.layouts import ExportError
from ocr.layout import load_layout

FORM_ID = "shinkoku_p1"
Value = str | int | bool | None


def columns() -> list[str]:
    """Column names, in order: the field names of the form layout."""
    return load_layout(FORM_ID).field_names


def layout_description() -> dict[str, Any]:
    """The documented layout: one entry per column."""
    layout = load_layout(FORM_ID)
    return {
        "form_id": FORM_ID,
        "title": layout.title,
        "layout_version": layout.version,
        "encoding": "cp932",
        "header_row": True,
        "columns": [
            {
                "column": index,
                "name": spec.name,
                "label": spec.label,
                "type": spec.type,
                "max_len": spec.max_len,
            }
            for index, spec in enumerate(layout.fields, start=1)
        ],
    }


def _cell(field_type: str, value: Value) -> str:
    if value is None:
        return ""
    if field_type == "checkbox":
        return "1" if value is True else ""
    return str(value)


def _csv_bytes(rows: Iterable[list[str]], newline: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerows(rows)
    try:
        return buffer.getvalue().encode("cp932")
    except UnicodeEncodeError as exc:
        raise ExportError("a value is not representable in Shift_JIS (cp932)") from exc


def header_line(newline: str = "\r\n") -> bytes:
    """The header row."""
    return _csv_bytes([columns()], newline)


def record_line(values: Mapping[str, Value], newline: str = "\r\n") -> bytes:
    """One 申告書 as a CSV row (no header)."""
    unknown = set(values) - set(columns())
    if unknown:
        raise ExportError(f"not fields of {FORM_ID}: {', '.join(sorted(unknown))}")
    layout = load_layout(FORM_ID)
    return _csv_bytes([[_cell(f.type, values.get(f.name)) for f in layout.fields]], newline)


_INTEGER_TYPES = frozenset({"amount", "count", "era_year", "month", "day"})


def _value(field_type: str, cell: str) -> Value:
    if cell == "":
        return None
    if field_type == "checkbox":
        return True
    return int(cell) if field_type in _INTEGER_TYPES else cell


def records_from_csv(content: bytes) -> list[dict[str, Value]]:
    """The records of a batch file, typed by the layout (an unticked box reads as null)."""
    rows = list(csv.reader(io.StringIO(content.decode("cp932"), newline="")))
    if not rows or rows[0] != columns():
        raise ExportError(f"not a {FORM_ID} export: the header row differs")
    layout = load_layout(FORM_ID)
    return [
        {spec.name: _value(spec.type, cell) for spec, cell in zip(layout.fields, row, strict=True)}
        for row in rows[1:]
    ]


def records_json(records: Iterable[Mapping[str, Value]]) -> str:
    """The records in the JSON layout."""
    names = columns()
    return json.dumps(
        {
            "form_id": FORM_ID,
            "layout_version": load_layout(FORM_ID).version,
            "columns": names,
            "records": [{name: record.get(name) for name in names} for record in records],
        },
        ensure_ascii=False,
        indent=1,
    )
