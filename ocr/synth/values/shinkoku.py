"""Values for the 市民税・県民税申告書（第1面）, filled in by a resident.

Amounts use the resident-tax (住民税) deductions; 所得 follows 収入 by the statutory formulas.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import jaconv

from ocr.synth import data
from ocr.synth.values import Filled, tax
from ocr.synth.values.common import (
    Person,
    full_width,
    maybe,
    phone_number,
    random_address,
    random_person,
)
from ocr.synth.values.household import Household, Relative, dependent_kind, random_household
from validators.salary import salary_income
from validators.wareki import ERA_BY_NAME, from_gregorian

#: Family members are born in 昭和 or later: the form offers only 昭・平・令 for them.
_FAMILY_ERAS = {"昭和": "showa", "平成": "heisei", "令和": "reiwa"}
_ALL_ERAS = {"明治": "meiji", "大正": "taisho", **_FAMILY_ERAS}


def generate(rng: random.Random) -> Filled:
    """One 申告書 for 令和7 or 令和8 年度 (income of the previous year)."""
    out = Filled()
    t = out.truth
    fiscal_year = rng.choice((7, 8))
    income_year = fiscal_year - 1
    year_end = date(2018 + income_year, 12, 31)
    t["fiscal_year"] = fiscal_year
    if maybe(rng, 0.8):
        submitted = date(2018 + fiscal_year, 1, 5) + timedelta(days=rng.randrange(80))
        t["submit_year"] = fiscal_year
        t["submit_month"] = submitted.month
        t["submit_day"] = submitted.day

    me = random_person(rng, year_end, 18, 95)
    address = random_address(rng)
    t["address"] = address.truth
    out.shown["address"] = address.lines
    if maybe(rng, 0.7):
        t["phone"] = phone_number(rng, address.area_code, mobile_probability=0.4)
    if maybe(rng, 0.08):
        moved_from = random_address(rng, building_probability=0.2)
        t["jan1_address"] = moved_from.truth
        out.shown["jan1_address"] = moved_from.lines
    t["kana"] = me.kana
    if maybe(rng, 0.25):  # many people write the reading in hiragana
        out.shown["kana"] = (jaconv.kata2hira(me.kana),)
    t["name"] = me.name
    era, era_year = from_gregorian(me.birth)
    t[f"birth_era_{_ALL_ERAS[era]}"] = True
    t["birth_year"] = era_year
    t["birth_month"] = me.birth.month
    t["birth_day"] = me.birth.day
    t["my_number"] = me.my_number

    household = random_household(rng, me, year_end)
    age = me.age_on(year_end)
    if maybe(rng, 0.7):
        t["occupation"] = _occupation(rng, age)
    _householder(rng, out, me, household)

    income = _income(rng, out, age, income_year)
    deductions = _family(rng, out, household, year_end)
    if income > 0:
        _deductions(rng, out, me, household, income, deductions)
    else:
        _no_income_note(rng, out, household)
    return out


def _occupation(rng: random.Random, age: int) -> str:
    if age >= 65 and maybe(rng, 0.6):
        return rng.choice(("無職", "年金受給者"))
    return rng.choice(data.OCCUPATIONS)


def _householder(rng: random.Random, out: Filled, me: Person, household: Household) -> None:
    if not maybe(rng, 0.75):
        return
    spouse = household.spouse
    if spouse is not None and maybe(rng, 0.4):
        out.truth["householder_name"] = spouse.person.name
        out.truth["householder_relation"] = "夫" if spouse.relation == "妻" else "妻"
    else:
        out.truth["householder_name"] = me.name
        out.truth["householder_relation"] = "本人"


def _income(rng: random.Random, out: Filled, age: int, income_year: int) -> int:
    """収入金額 and 所得金額 for the kind of filer; returns the 合計所得."""
    t = out.truth
    roll = rng.random()
    kinds: list[str] = []
    if roll < 0.2:
        return 0
    if age >= 65 and roll < 0.7:
        kinds.append("pension")
    elif roll < 0.55:
        kinds.append("salary")
    else:
        kinds.append(rng.choice(("business", "real_estate", "misc_business")))
    if maybe(rng, 0.15):
        kinds.append(rng.choice(("misc_other", "dividend")))
    total = 0
    for kind in kinds:
        if kind == "pension":
            revenue = rng.randrange(600_000, 3_000_000)
            earned = tax.public_pension_income(revenue, age)
        elif kind == "salary":
            revenue = rng.randrange(300_000, 2_400_000)
            earned = salary_income(revenue, income_year)
        elif kind == "dividend":
            revenue = rng.randrange(10_000, 300_000)
            earned = revenue
        else:
            revenue = rng.randrange(200_000, 6_000_000)
            earned = int(revenue * rng.uniform(0.15, 0.6))
        t[f"income_{kind}"] = revenue
        if earned > 0:
            t[f"shotoku_{kind}"] = earned
        total += earned
    if total > 0:
        t["shotoku_total"] = total
    return total


def _family(rng: random.Random, out: Filled, household: Household, year_end: date) -> int:
    """配偶者 and 扶養親族 rows; returns the 配偶者控除 + 扶養控除 they give (住民税)."""
    deduction = 0
    spouse = household.spouse
    if spouse is not None and household.spouse_is_dependent and _row(rng, out, "spouse", spouse):
        deduction += tax.RESIDENT_SPOUSE_DEDUCTION
        out.truth["ded_spouse"] = tax.RESIDENT_SPOUSE_DEDUCTION
    index = 0
    dependants = 0
    for relative in household.relatives:
        kind = dependent_kind(relative.person, year_end)
        if kind is None or index >= 4:
            continue
        if not _row(rng, out, f"dependent_{index + 1}", relative):
            continue
        index += 1
        out.truth[f"dependent_{index}_relation"] = relative.relation
        amount = {
            "specified": tax.RESIDENT_DEPENDENT_SPECIFIED_DEDUCTION,
            "elderly": tax.RESIDENT_DEPENDENT_ELDERLY_DEDUCTION,
            "other": tax.RESIDENT_DEPENDENT_DEDUCTION,
        }.get(kind, 0)
        dependants += amount
    if dependants:
        out.truth["ded_dependents"] = dependants
    return deduction + dependants


def _row(rng: random.Random, out: Filled, prefix: str, relative: Relative) -> bool:
    """Write one family row; False (and nothing written) if born before 昭和."""
    person = relative.person
    if person.birth < ERA_BY_NAME["昭和"].first_day:
        return False
    t = out.truth
    era, era_year = from_gregorian(person.birth)
    t[f"{prefix}_name"] = person.name
    if maybe(rng, 0.8):
        t[f"{prefix}_my_number"] = person.my_number
    t[f"{prefix}_birth_era_{_FAMILY_ERAS[era]}"] = True
    t[f"{prefix}_birth_year"] = era_year
    t[f"{prefix}_birth_month"] = person.birth.month
    t[f"{prefix}_birth_day"] = person.birth.day
    if maybe(rng, 0.9):
        t[f"{prefix}_together" if relative.living_together else f"{prefix}_separate"] = True
    return True


def _deductions(
    rng: random.Random,
    out: Filled,
    me: Person,
    household: Household,
    income: int,
    family_deductions: int,
) -> None:
    """所得から差し引かれる金額 (住民税) and their 合計."""
    t = out.truth
    total = family_deductions
    t["ded_social_insurance"] = max(1_000, int(income * rng.uniform(0.05, 0.15)))
    total += int(t["ded_social_insurance"])
    for name, probability, low, high in (
        ("ded_small_business", 0.04, 12_000, 276_000),
        ("ded_life_insurance", 0.4, 5_000, 70_000),
        ("ded_earthquake", 0.25, 1_000, 25_000),
        ("ded_medical", 0.12, 5_000, 400_000),
    ):
        if maybe(rng, probability):
            t[name] = rng.randrange(low, high + 1)
            total += int(t[name])
    if household.spouse is None and maybe(rng, 0.12):
        amount = 300_000 if household.relatives else 260_000  # ひとり親 / 寡婦 (住民税)
        t["ded_widow_single_parent"] = amount
        total += amount
    if maybe(rng, 0.04):
        t["ded_student_disabled"] = 260_000
        total += 260_000
    t["ded_basic"] = tax.RESIDENT_BASIC_DEDUCTION
    total += tax.RESIDENT_BASIC_DEDUCTION
    t["ded_total"] = total


def _no_income_note(rng: random.Random, out: Filled, household: Household) -> None:
    """収入がなかった場合の記入欄: who supported the filer."""
    supporter = household.spouse.person if household.spouse else None
    relation = (
        household.spouse.relation if household.spouse else rng.choice(("子", "父", "母", "兄"))
    )
    if supporter is None:
        supporter = random_person(rng, date(2025, 12, 31), 20, 80)
    text = rng.choice(data.NO_INCOME_NOTES).format(relation=relation, person=supporter.name)
    out.truth["no_income_note"] = full_width(text)
    out.shown["no_income_note"] = (text,)
