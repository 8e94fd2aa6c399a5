"""One entry point for writing a record of any form: the line and the file it goes in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from intake.export import national, shinkoku
from intake.export.layouts import ExportError
from intake.export.national import SubmissionKind
from intake.export.settings import ExportSettings
from validators.rule_tables import YEAR_FIELD
from validators.rules import Finding, validate_record

Value = str | int | bool | None

#: Findings that make a record unwritable or incomplete in its layout. Other errors (arithmetic,
#: check digits, dates) were shown to staff before approval; an approved record is exported as
#: the payer wrote it.
BLOCKING_RULES = frozenset({"unknown_field", "value_type", "max_len", "cp932", "required"})


def record_year(form_id: str, values: Mapping[str, Value]) -> int:
    """The record's 年分 (slips) or 年度 (申告書), 令和."""
    name, kind = YEAR_FIELD[form_id]
    year = values.get(name)
    if not isinstance(year, int) or isinstance(year, bool):
        raise ExportError(f"{form_id}: the {kind} ({name}) is missing")
    return year


def blocking_findings(form_id: str, values: Mapping[str, Value]) -> list[Finding]:
    """The errors that keep an approved record out of an export."""
    return [f for f in validate_record(form_id, values) if f.rule in BLOCKING_RULES]


def export_line(
    form_id: str,
    values: Mapping[str, Value],
    settings: ExportSettings,
    submission: SubmissionKind = SubmissionKind.NEW,
) -> bytes:
    """The line of one record, as cp932 bytes with its line ending."""
    if form_id == shinkoku.FORM_ID:
        if submission is not SubmissionKind.NEW:
            raise ExportError("the 申告書 layout has no 提出区分")
        return shinkoku.record_line(values)
    if form_id not in national.RECORD_FORMS:
        raise ExportError(f"unknown form {form_id!r}")
    year = record_year(form_id, values)
    return national.render_record(form_id, values, year, settings, submission)


def export_file(form_id: str, lines: Iterable[bytes]) -> bytes:
    """The file of a batch: the lines, after a header row where the layout has one."""
    header = shinkoku.header_line() if form_id == shinkoku.FORM_ID else b""
    return header + b"".join(lines)
