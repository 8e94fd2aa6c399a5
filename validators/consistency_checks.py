"""Consistency between fields: exclusive choices, counts against listed persons, named persons."""

from __future__ import annotations

from collections.abc import Iterator

from ocr.layout import FormLayout
from validators.findings import Finding, Values, error, warning
from validators.normalize import FULL_WIDTH_SPACE
from validators.rule_tables import EXCLUSIVE_CHOICES, LISTED_COUNTS, PERSON_GROUPS


def check_exclusive_choices(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """At most one box of a choice (有／従有, 就職／退職, 同居／別居) is ticked."""
    for names in EXCLUSIVE_CHOICES[layout.form_id]:
        ticked = [n for n in names if values.get(n) is True]
        if len(ticked) > 1:
            labels = "・".join(layout.field(n).label for n in ticked)
            yield error(
                "exclusive_choice",
                ticked[1],
                f"どちらか一方だけを選択する項目が複数選択されています: {labels}",
                f"more than one of {', '.join(ticked)} ticked",
            )


def _is_listed(values: Values, group: str) -> bool:
    return any(values.get(f"{group}_{part}") is not None for part in ("name", "kana", "my_number"))


def _sum(values: Values, names: tuple[str, ...]) -> int:
    return sum(v for n in names if isinstance(v := values.get(n), int) and not isinstance(v, bool))


def check_listed_counts(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """The number of persons listed by name fits the printed count."""
    for spec in LISTED_COUNTS[layout.form_id]:
        if all(values.get(n) is None for n in spec.counts + spec.optional_counts) and not any(
            _is_listed(values, g) for g in spec.groups
        ):
            continue
        listed = sum(_is_listed(values, g) for g in spec.groups)
        low = min(_sum(values, spec.counts), spec.places)
        high = min(_sum(values, spec.counts + spec.optional_counts), spec.places)
        if low <= listed <= high:
            continue
        labels = "・".join(layout.field(n).label for n in spec.counts)
        yield warning(
            "dependent_count",
            spec.counts[0],
            f"{labels}の人数と、氏名が記載された人数（{listed}人）が合いません。",
            f"{listed} persons listed, counts allow {low}..{high}",
        )


def check_person_groups(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """A person whose details are filled in has a name."""
    for group in PERSON_GROUPS[layout.form_id]:
        name_field = f"{group}_name"
        if values.get(name_field) is not None:
            continue
        filled = [
            spec.name
            for spec in layout.fields
            if spec.group == group and spec.type != "checkbox" and values.get(spec.name) is not None
        ]
        if filled:
            yield warning(
                "person_without_name",
                name_field,
                f"{layout.field(name_field).label}が空欄ですが、同じ人の他の項目が記入されています。",
                f"{group}: {', '.join(filled)} filled but no name",
            )


def check_name_readings(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """A written name has its reading (フリガナ) beside it, where the form asks for one.

    A reading found empty next to a name was more likely lost in the scan (thin half-width
    kana) than left out by the payer, and the electronic record needs it.
    """
    names = {spec.name for spec in layout.fields}
    for spec in layout.fields:
        if spec.type != "name" or values.get(spec.name) is None:
            continue
        reading = spec.name.removesuffix("name") + "kana"
        if reading in names and values.get(reading) is None:
            yield warning(
                "kana_missing",
                reading,
                f"{layout.field(reading).label}が空欄です。{spec.label}の読みを確認してください。",
                f"{spec.name} filled but {reading} empty",
            )


#: The field holding the filer's own name, per form.
OWN_NAME = {"kyuyo_kojinbetsu": "recipient_name", "nenkin_kojinbetsu": "recipient_name"}


def check_family_names(layout: FormLayout, values: Values) -> Iterator[Finding]:
    """Names of the filer's family set against the filer's own.

    A married couple shares one surname (民法 750条), so a spouse's family name that differs
    was misread (上田 read 田). Other relatives may bear another surname, but hardly one
    character off the filer's (菊地 / 菊池); and the 世帯主 is most often the filer, so a
    householder one character off the filer (菊地　千尋 / 菊地　千桑) was most likely
    misread. (Brothers are often one character apart, 太郎 and 次郎: not flagged.)
    """
    own_field = OWN_NAME.get(layout.form_id, "name")
    own = values.get(own_field)
    if not isinstance(own, str) or FULL_WIDTH_SPACE not in own:
        return
    own_family = own.split(FULL_WIDTH_SPACE)[0]
    for spec in layout.fields:
        other = values.get(spec.name)
        if spec.type != "name" or spec.name in (own_field, "payer_name"):
            continue
        if not isinstance(other, str) or FULL_WIDTH_SPACE not in other:
            continue
        family = other.split(FULL_WIDTH_SPACE)[0]
        if spec.name == "spouse_name" and family != own_family:
            yield warning(
                "spouse_surname",
                spec.name,
                f"{spec.label}の姓が本人の姓（{own_family}）と異なります。読み取りを確認してください。",
                f"spouse family name {family!r} differs from {own_family!r}",
            )
        elif _one_apart(family, own_family) or (
            spec.name == "householder_name" and _one_apart(other, own)
        ):
            yield warning(
                "name_one_off",
                spec.name,
                f"{spec.label}が本人の氏名（{own}）と1文字だけ異なります。読み取りを確認してください。",
                f"{other!r} is one character off {own!r}",
            )


def _one_apart(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by exactly one character changed, added or left out."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    shorter, longer = sorted((a, b), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))
