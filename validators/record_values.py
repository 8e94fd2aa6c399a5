"""Reading record values for the cross-field checks."""

from __future__ import annotations

from ocr.layout import FormLayout
from validators.findings import Values
from validators.rule_tables import YEAR_FIELD


def int_value(values: Values, name: str | None) -> int | None:
    """The integer value of a field; None when empty, absent or not an integer."""
    if name is None:
        return None
    value = values.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def form_year(layout: FormLayout, values: Values) -> int | None:
    """The form's own year (年分 or 年度, 令和)."""
    return int_value(values, YEAR_FIELD[layout.form_id][0])


def label(layout: FormLayout, name: str) -> str:
    """The printed label of a field, for messages to staff."""
    return layout.field(name).label
