"""和暦 date checks across the date-part fields of a form (rule table ``DATES``)."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date

from ocr.layout import FormLayout
from validators.findings import Finding, Values, error, warning
from validators.record_values import label
from validators.rule_tables import YEAR_FIELD, DateSpec
from validators.wareki import OutsideEra, WarekiError, birth_date_problem, reiwa_year, to_gregorian


def _era_of(spec: DateSpec, layout: FormLayout, values: Values) -> tuple[str | None, list[Finding]]:
    """The 元号 of a date and findings about how it is marked (申告書 checkboxes)."""
    if spec.fixed_era is not None:
        return spec.fixed_era, []
    if spec.era_field is not None:
        era = values.get(spec.era_field)
        return (era if isinstance(era, str) else None), []
    if not spec.era_boxes:
        return None, []
    ticked = [(name, era) for name, era in spec.era_boxes if values.get(name) is True]
    if len(ticked) > 1:
        names = "・".join(era for _, era in ticked)
        return None, [
            error(
                "era_multiple",
                ticked[0][0],
                f"{label(layout, spec.year)}: 元号が複数（{names}）選択されています。",
                f"{spec.name}: more than one era ticked",
            )
        ]
    if not ticked:
        return None, []
    return ticked[0][1], []


def date_value(spec: DateSpec, values: Values) -> date | None:
    """The date the parts give, or None when it is incomplete, ambiguous or impossible."""
    if spec.fixed_era is not None:
        era: object = spec.fixed_era
    elif spec.era_field is not None:
        era = values.get(spec.era_field)
    else:
        ticked = [e for name, e in spec.era_boxes if values.get(name) is True]
        era = ticked[0] if len(ticked) == 1 else None
    year, month, day = values.get(spec.year), values.get(spec.month), values.get(spec.day)
    if not (
        isinstance(era, str)
        and isinstance(year, int)
        and isinstance(month, int)
        and isinstance(day, int)
    ):
        return None
    try:
        return to_gregorian(era, year, month, day)
    except WarekiError:
        return None


def _present(values: Values, names: list[str]) -> list[str]:
    return [n for n in names if values.get(n) is not None]


def check_date(
    spec: DateSpec, layout: FormLayout, values: Values, today: date
) -> Iterator[Finding]:
    """Completeness, calendar and era validity, and time plausibility of one date."""
    era, findings = _era_of(spec, layout, values)
    yield from findings
    if findings:
        return
    part_names = [spec.year, spec.month, spec.day]
    era_names = [spec.era_field] if spec.era_field else [n for n, _ in spec.era_boxes]
    filled = _present(values, part_names) or (era_names if era is not None else [])
    if not filled:
        return
    missing = [n for n in part_names if values.get(n) is None]
    if spec.era_field and values.get(spec.era_field) is None:
        missing.insert(0, spec.era_field)
    for name in missing:
        if layout.field(name).required:
            continue  # reported by the required-field rule
        yield error(
            "date_incomplete",
            name,
            f"{label(layout, name)}が記入されていません（日付の一部だけが記入されています）。",
            f"{spec.name}: {name} missing while other parts are present",
        )
    if spec.era_boxes and era is None:
        yield error(
            "era_missing",
            spec.era_boxes[0][0],
            f"{label(layout, spec.year)}: 元号が選択されていません。",
            f"{spec.name}: no era ticked",
        )
        return
    if missing:
        return
    year, month, day = (values[n] for n in part_names)
    assert isinstance(year, int) and isinstance(month, int) and isinstance(day, int)
    if era is None:
        # No era on the form or in the record: only month and day can be checked (leap day ok).
        if day > calendar.monthrange(2000, month)[1]:
            yield _impossible(spec, layout, f"{month}月{day}日")
        return
    try:
        when = to_gregorian(era, year, month, day)
    except WarekiError as exc:
        yield error(
            "date_invalid",
            spec.year if isinstance(exc, OutsideEra) else spec.day,
            f"{label(layout, spec.year)}: "
            f"{era}{_era_year_ja(year)}{month}月{day}日は存在しない日付です。",
            f"{spec.name}: {exc}",
        )
        return
    yield from _time_findings(spec, layout, when, today)


def _era_year_ja(year: int) -> str:
    return "元年" if year == 1 else f"{year}年"


def _impossible(spec: DateSpec, layout: FormLayout, text: str) -> Finding:
    return error(
        "date_invalid",
        spec.day,
        f"{label(layout, spec.day)}: {text}は存在しない日付です。",
        f"{spec.name}: impossible month/day",
    )


def _time_findings(
    spec: DateSpec, layout: FormLayout, when: date, today: date
) -> Iterator[Finding]:
    if spec.kind == "any":
        return
    if when > today:
        yield error(
            "date_future",
            spec.year,
            f"{label(layout, spec.year)}: 未来の日付です。",
            f"{spec.name}: date is in the future",
        )
        return
    if spec.kind == "birth":
        problem = birth_date_problem(when, today)
        if problem is not None:
            yield warning(
                "birth_implausible",
                spec.year,
                f"{label(layout, spec.year)}: "
                "生年月日が120年以上前です。読み取りを確認してください。",
                f"{spec.name}: {problem}",
            )


def check_form_year(layout: FormLayout, values: Values, today: date) -> Iterator[Finding]:
    """年分 may not lie in the future; a 年度 at most one year ahead of today."""
    name, kind = YEAR_FIELD[layout.form_id]
    year = values.get(name)
    if not isinstance(year, int) or isinstance(year, bool):
        return
    current = reiwa_year(today.year)
    latest = current if kind == "年分" else current + 1
    if year > latest:
        yield error(
            "date_future",
            name,
            f"{label(layout, name)}: 令和{year}{kind}は未来です。",
            f"{name}: 令和{year} {kind} is in the future",
        )


def check_mid_year_change(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """中途就・退職: a date needs 就職 or 退職 ticked, and falls within the 年分."""
    if layout.form_id != "kyuyo_kojinbetsu":
        return
    has_date = values.get("mid_year_change_year") is not None
    ticked = values.get("mid_year_hired") is True or values.get("mid_year_retired") is True
    if has_date and not ticked:
        yield warning(
            "mid_year_kind_missing",
            "mid_year_hired",
            "中途就・退職の年月日がありますが、就職・退職のどちらも選択されていません。",
            "mid-year change date without 就職/退職",
        )
    year, change_year = values.get("year"), values.get("mid_year_change_year")
    if isinstance(year, int) and isinstance(change_year, int) and year != change_year:
        yield warning(
            "mid_year_outside_year",
            "mid_year_change_year",
            "中途就・退職の年が年分と異なります。",
            "mid-year change year differs from 年分",
        )
