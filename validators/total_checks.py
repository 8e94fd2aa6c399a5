"""Totals printed on a form against their parts (合計, 内 marks)."""

from __future__ import annotations

from collections.abc import Iterator

from ocr.layout import FormLayout
from validators.findings import Finding, Values, error, yen
from validators.record_values import int_value, label
from validators.rule_tables import TOTALS


def check_totals(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """Totals printed on the form agree with their parts."""
    for total in TOTALS[layout.form_id]:
        amount = int_value(values, total.total)
        parts = [int_value(values, p) for p in total.parts]
        if amount is None or all(p is None for p in parts):
            continue
        summed = sum(p for p in parts if p is not None)
        present = tuple(name for name, p in zip(total.parts, parts, strict=True) if p is not None)
        field_label = label(layout, total.total)
        if total.relation == "equal" and amount != summed:
            yield error(
                "total_mismatch",
                total.total,
                f"{field_label}{yen(amount)}が内訳の合計{yen(summed)}と一致しません。",
                f"{total.total} {amount} != sum of parts {summed}",
                involves=present,
            )
        elif total.relation == "at_least" and amount < summed:
            yield error(
                "part_exceeds_total",
                total.total,
                f"{field_label}（{amount:,}）が、その内訳（{summed:,}）より小さくなっています。",
                f"{total.total} {amount} < its parts {summed}",
                involves=present,
            )


#: A total confirms its parts only when at least this many of them are written and not 0:
#: a total equal to its one part is the same number written twice, which the same hand
#: (or the same misreading) may get wrong twice.
MIN_CONFIRMING_PARTS = 2


def confirmed_by_totals(
    layout: FormLayout, values: Values, confirmed_parts: frozenset[str] = frozenset()
) -> set[str]:
    """The fields a printed total confirms: every total that must equal the sum of its
    parts and does, with at least :data:`MIN_CONFIRMING_PARTS` parts written, and those
    parts (for one of them to be misread, another would have to be misread by exactly the
    same amount); and a total equal to its one written part where other arithmetic
    already confirms that part (``confirmed_parts``)."""
    confirmed: set[str] = set()
    for total in TOTALS[layout.form_id]:
        if total.relation != "equal":
            continue
        amount = int_value(values, total.total)
        parts = {p: int_value(values, p) for p in total.parts}
        written = {name: part for name, part in parts.items() if part}
        if amount is None or not written or amount != sum(written.values()):
            continue
        if len(written) >= MIN_CONFIRMING_PARTS:
            confirmed |= {total.total, *written}
        elif set(written) <= confirmed_parts:
            confirmed.add(total.total)
    return confirmed
