"""One record of a national layout: 給与支払報告書 (統一CSV, 315) and 公的年金等支払報告書 (331).

Slip fields go to the item their layout's ``csv_item`` names, written as the record wants them
(full-width text, half-width kana, two-digit zero-padded dates, 元号 codes). Items no slip
carries come from :class:`ExportSettings` or from the caller:

======================  =================================================================
item                    source
======================  =================================================================
法定資料の種類 (1)        the layout (315 / 331)
提出区分・訂正表示 (10)   the caller: 0 新規 (batches), 1 追加, 2 訂正, 3 取消
普通徴収 (134)            settings.ordinary_collection ("0" as in the public sample)
提出先市町村コード        settings.municipality_code (139 / pension 48)
指定番号 (140 / 49)       blank: the 特別徴収義務者指定番号 is assigned by the city, not on the slip
作成区分 (147 / 144)      settings.creation_kind
整理番号, 提出者, 国外住所表示, 未払金額, 未徴収税額, 他の支払者, 特定親族 (144–146) …
                         blank: not on the paper slip
======================  =================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

import jaconv

from intake.export.layouts import ExportError, RecordItem, RecordLayout, load_record_layout
from intake.export.settings import ExportSettings
from ocr.layout import load_layout

Value = str | int | bool | None


class SubmissionKind(StrEnum):
    """提出区分（訂正表示）, item 10."""

    NEW = "0"
    ADDITION = "1"
    CORRECTION = "2"
    CANCELLATION = "3"


RECORD_FORMS = ("kyuyo_kojinbetsu", "nenkin_kojinbetsu")


def record_layout(form_id: str, year: int, settings: ExportSettings) -> RecordLayout:
    """The layout for a record of ``form_id`` for 令和 ``year`` 年分."""
    if form_id == "nenkin_kojinbetsu":
        return load_record_layout("nenkin_331")
    if form_id != "kyuyo_kojinbetsu":
        raise ExportError(f"{form_id} has no national record layout")
    try:
        return load_record_layout(settings.kyuyo_layouts[year])
    except KeyError:
        known = ", ".join(f"令和{y}" for y in sorted(settings.kyuyo_layouts))
        raise ExportError(
            f"no 統一CSV layout configured for 令和{year}年分 (configured: {known});"
            " set TAX_INTAKE_EXPORT_KYUYO_LAYOUTS once eLTAX publishes it"
        ) from None


def _full_width(text: str) -> str:
    return jaconv.h2z(text, kana=True, ascii=True, digit=True)


def _half_width_kana(text: str) -> str:
    return jaconv.z2h(text.replace("\u3000", " "), kana=True, ascii=False, digit=False)


def _coded_choices(
    form_id: str, settings: ExportSettings
) -> dict[int, tuple[tuple[str, str], ...]]:
    """Items printed as several boxes but stored as one code: item → ((field, code), …)."""
    if form_id == "kyuyo_kojinbetsu":
        return {
            23: (
                ("spouse_present", settings.spouse_present_code),
                ("spouse_present_secondary", settings.spouse_secondary_code),
            ),
            60: (("mid_year_hired", "1"), ("mid_year_retired", "2")),
        }
    return {
        34: (
            ("spouse_elderly", settings.pension_spouse_elderly_code),
            ("spouse_present", settings.pension_spouse_code),
        )
    }


def slip_items(
    form_id: str, values: Mapping[str, Value], settings: ExportSettings
) -> dict[int, str]:
    """Item number → text of every item a slip field fills (numbering of the form's layout)."""
    items: dict[int, str] = {}
    for spec in load_layout(form_id).fields:
        value = values.get(spec.name)
        if spec.csv_item is None or value is None or spec.type == "checkbox":
            continue
        if spec.type == "era":
            try:
                items[spec.csv_item] = settings.era_codes[str(value)]
            except KeyError:
                raise ExportError(f"{spec.name}: no 元号 code for this era") from None
        elif spec.type in ("era_year", "month", "day"):
            items[spec.csv_item] = f"{int(value):02d}"
        elif spec.type == "kana":
            items[spec.csv_item] = _half_width_kana(str(value))
        elif spec.type in ("text", "address", "name", "free_text"):
            items[spec.csv_item] = _full_width(str(value))
        else:
            items[spec.csv_item] = str(value)
    coded = _coded_choices(form_id, settings)
    for spec in load_layout(form_id).fields:
        if spec.type == "checkbox" and spec.csv_item is not None and spec.csv_item not in coded:
            items[spec.csv_item] = "1" if values.get(spec.name) is True else ""
    for number, choices in coded.items():
        ticked = [code for name, code in choices if values.get(name) is True]
        items[number] = ticked[0] if ticked else ""
    return items


def _context_item(
    key: str, layout: RecordLayout, submission: SubmissionKind, settings: ExportSettings
) -> str:
    if key == "record_kind":
        return layout.record_kind
    if key == "submission_kind":
        return submission.value
    if key == "municipality_code":
        if settings.municipality_code is None:
            raise ExportError(
                "提出先市町村コード is not configured (TAX_INTAKE_EXPORT_MUNICIPALITY_CODE)"
            )
        return settings.municipality_code
    if key == "creation_kind":
        return settings.creation_kind
    if key == "ordinary_collection":
        return settings.ordinary_collection
    if key == "designated_number":
        return ""
    raise ExportError(f"layout {layout.name}: unknown item key {key!r}")


def _check_item(item: RecordItem, text: str) -> None:
    where = f"item {item.number} ({item.name})"
    if item.max_len is not None and len(text) > item.max_len:
        raise ExportError(f"{where} is longer than {item.max_len}")
    if item.kind == "digits" and text and not (text.isascii() and text.isdigit()):
        raise ExportError(f"{where} must be half-width digits")
    if item.kind in ("half", "digits") and not text.isascii():
        raise ExportError(f"{where} must be half-width")
    # The record has no quoting: a separator or line break inside a value would shift items.
    if any(c in text for c in ',"\r\n'):
        raise ExportError(f"{where} contains a comma, quote or line break")
    try:
        text.encode("cp932")
    except UnicodeEncodeError:
        raise ExportError(f"{where} has a character not representable in Shift_JIS") from None


def render_record(
    form_id: str,
    values: Mapping[str, Value],
    year: int,
    settings: ExportSettings,
    submission: SubmissionKind = SubmissionKind.NEW,
) -> bytes:
    """The record line (cp932 bytes with the configured line ending) of one slip.

    Raises :class:`ExportError` when a value cannot be written in its item; run
    ``validators.rules.validate_record`` first for the findings staff can act on.
    """
    layout = record_layout(form_id, year, settings)
    from_slip = slip_items(form_id, values, settings)
    texts = []
    for item in layout.items:
        text = (
            _context_item(item.key, layout, submission, settings)
            if item.key
            else from_slip.get(item.number, "")
        )
        _check_item(item, text)
        texts.append(text)
    return ",".join(texts).encode("cp932") + settings.newline
