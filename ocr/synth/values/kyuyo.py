"""Values for the 給与支払報告書（個人別明細書）, consistent with the 年末調整 arithmetic."""

from __future__ import annotations

import random
from datetime import date, timedelta

from ocr.synth import data
from ocr.synth.values import Filled, tax
from ocr.synth.values.common import (
    Person,
    company_name,
    corporate_number,
    full_width,
    maybe,
    phone_number,
    random_address,
    random_person,
    recipient_number,
)
from ocr.synth.values.household import Household, dependent_kind, random_household
from validators.salary import income_adjustment_deduction, salary_income
from validators.wareki import from_gregorian


def generate(rng: random.Random) -> Filled:
    """One 給与支払報告書 for 令和6 or 令和7 年分."""
    out = Filled()
    t = out.truth
    year = rng.choice((6, 7))
    year_end = date(2018 + year, 12, 31)
    t["year"] = year

    me = random_person(rng, year_end, 19, 72)
    address = random_address(rng)
    t["recipient_address"] = address.truth
    out.shown["recipient_address"] = address.lines
    if maybe(rng, 0.7):
        t["recipient_number"] = recipient_number(rng)
    if maybe(rng, 0.35):
        t["recipient_title"] = rng.choice(data.JOB_TITLES)
    if maybe(rng, 0.85):
        t["recipient_my_number"] = me.my_number
    t["recipient_kana"] = me.kana
    t["recipient_name"] = me.name
    era, era_year = from_gregorian(me.birth)
    t["recipient_birth_era"] = era
    t["recipient_birth_year"] = era_year
    t["recipient_birth_month"] = me.birth.month
    t["recipient_birth_day"] = me.birth.day

    otsu = maybe(rng, 0.01)  # 乙欄: a second employer; no deductions for family
    household = Household() if otsu else random_household(rng, me, year_end)
    pay = _annual_pay(rng, me.age_on(year_end))
    pay = _mid_year_change(rng, out, year, pay)
    if otsu:
        t["otsu_column"] = True
    if maybe(rng, 0.9):
        t["payment_kind"] = rng.choice(data.PAYMENT_KINDS)
    t["payment_amount"] = pay

    deductions = _family_rows(rng, out, household, year_end)
    under23 = any(
        r.person.age_on(year_end) < 23
        for r in household.relatives
        if dependent_kind(r.person, year_end)
    )
    adjustment = income_adjustment_deduction(pay, year) if under23 and pay > 8_500_000 else 0
    income = max(0, salary_income(pay, year) - adjustment)
    t["income_after_deduction"] = income
    if adjustment:
        t["income_adjustment_deduction"] = adjustment
    deductions += _spouse(rng, out, household, income, year_end)
    deductions += _self_status(rng, out, me, household, pay, year_end)
    deductions += _social_insurance(rng, out, pay)
    deductions += _insurance(rng, out)
    basic = tax.income_tax_basic_deduction(income, year)
    if basic != 480_000 or maybe(rng, 0.4):
        t["basic_deduction"] = basic
    deductions += basic
    t["total_deductions"] = deductions

    gross_tax = tax.income_tax(income - deductions)
    housing = _housing(rng, out, me.age_on(year_end), year, gross_tax)
    withholding = gross_tax - housing
    if withholding > 0:
        t["withholding_tax"] = withholding
    _remarks(rng, out, year)
    _payer(rng, out)
    return out


def _annual_pay(rng: random.Random, age: int) -> int:
    """Annual pay in yen: log-normal around 4.3 M, lower for the young and the old."""
    median = 4_300_000 if 30 <= age <= 60 else 2_600_000
    pay = int(rng.lognormvariate(0, 0.55) * median)
    if pay > 16_000_000:  # the long tail, spread out rather than piled up at a cap
        pay = rng.randrange(9_000_000, 16_000_000)
    return max(480_000, pay)


def _mid_year_change(rng: random.Random, out: Filled, year: int, pay: int) -> int:
    """中途就職／退職: tick the box, write the date, and pay only the months worked."""
    roll = rng.random()
    if roll >= 0.13:
        return pay
    start = date(2018 + year, 1, 1)
    day = start + timedelta(days=rng.randrange(15, 350))
    hired = roll < 0.08
    out.truth["mid_year_hired" if hired else "mid_year_retired"] = True
    out.truth["mid_year_change_year"] = year
    out.truth["mid_year_change_month"] = day.month
    out.truth["mid_year_change_day"] = day.day
    if hired:
        months = 13 - day.month
    else:
        months = day.month
        if maybe(rng, 0.05):
            out.truth["death_retirement"] = True
    return max(100_000, pay * months // 12)


def _family_rows(rng: random.Random, out: Filled, household: Household, year_end: date) -> int:
    """Dependant rows and counts; returns the 扶養控除 and 障害者控除 they give."""
    t = out.truth
    counts = {"specified": 0, "elderly": 0, "elderly_inner": 0, "other": 0, "under16": 0}
    deduction = 0
    disabled = {"other": 0, "special": 0, "special_inner": 0}
    rows = {"dependent": 0, "under16": 0}
    for relative in household.relatives:
        kind = dependent_kind(relative.person, year_end)
        if kind is None:
            continue
        counts[kind] += 1
        if kind == "specified":
            deduction += tax.DEPENDENT_SPECIFIED_DEDUCTION
        elif kind == "elderly":
            parent_at_home = relative.living_together and relative.relation in ("父", "母")
            counts["elderly_inner"] += int(parent_at_home)
            deduction += (
                tax.DEPENDENT_ELDERLY_LIVING_TOGETHER_DEDUCTION
                if parent_at_home
                else tax.DEPENDENT_ELDERLY_DEDUCTION
            )
        elif kind == "other":
            deduction += tax.DEPENDENT_DEDUCTION
        if relative.disabled:
            disabled[relative.disabled] += 1
            if relative.disabled == "special" and relative.living_together:
                disabled["special_inner"] += 1
            deduction += (
                tax.DISABLED_SPECIAL_DEDUCTION
                if relative.disabled == "special"
                else tax.DISABLED_DEDUCTION
            )
        prefix = "under16" if kind == "under16" else "dependent"
        rows[prefix] += 1
        if rows[prefix] <= 4:
            fill_person_row(rng, out, f"{prefix}_{rows[prefix]}", relative.person)
    for name, key in (
        ("dependents_specified_main", "specified"),
        ("dependents_elderly_main", "elderly"),
        ("dependents_elderly_inner", "elderly_inner"),
        ("dependents_other_main", "other"),
        ("dependents_under16", "under16"),
    ):
        if counts[key]:
            t[name] = counts[key]
    for name, key in (
        ("disabled_special", "special"),
        ("disabled_special_inner", "special_inner"),
        ("disabled_other", "other"),
    ):
        if disabled[key]:
            t[name] = disabled[key]
    return deduction


def _spouse(
    rng: random.Random, out: Filled, household: Household, income: int, year_end: date
) -> int:
    """控除対象配偶者: box, row, amount; returns the 配偶者控除 (none above 900万 income)."""
    if household.spouse is None or not household.spouse_is_dependent or income > 9_000_000:
        return 0
    t = out.truth
    spouse = household.spouse.person
    elderly = spouse.age_on(year_end) >= 70
    t["spouse_present"] = True
    if elderly:
        t["spouse_elderly"] = True
    amount = tax.SPOUSE_ELDERLY_DEDUCTION if elderly else tax.SPOUSE_DEDUCTION
    t["spouse_deduction_amount"] = amount
    if household.spouse_income:
        t["spouse_total_income"] = household.spouse_income
    fill_person_row(rng, out, "spouse", spouse)
    return amount


def _self_status(
    rng: random.Random, out: Filled, me: Person, household: Household, pay: int, year_end: date
) -> int:
    """本人 boxes (寡婦, ひとり親, 勤労学生, 障害者, 外国人, 災害者); returns their deductions."""
    t = out.truth
    deduction = 0
    age = me.age_on(year_end)
    has_children = any(r.relation not in ("父", "母") for r in household.relatives)
    if household.spouse is None and has_children and maybe(rng, 0.6):
        t["single_parent"] = True
        deduction += tax.SINGLE_PARENT_DEDUCTION
    elif household.spouse is None and me.sex == "F" and age >= 40 and maybe(rng, 0.15):
        t["widow"] = True
        deduction += tax.WIDOW_DEDUCTION
    if age <= 24 and pay <= 1_500_000 and maybe(rng, 0.4):
        t["working_student"] = True
        deduction += tax.WORKING_STUDENT_DEDUCTION
    if maybe(rng, 0.03):
        special = maybe(rng, 0.3)
        t["self_disabled_special" if special else "self_disabled_other"] = True
        deduction += tax.DISABLED_SPECIAL_DEDUCTION if special else tax.DISABLED_DEDUCTION
    if maybe(rng, 0.02):
        t["foreigner"] = True
    if maybe(rng, 0.005):
        t["disaster_victim"] = True
    if age < 18:
        t["minor"] = True
    return deduction


def _social_insurance(rng: random.Random, out: Filled, pay: int) -> int:
    """社会保険料等 (about 15 % of pay), with 小規模企業共済 and 国民年金 parts included."""
    t = out.truth
    total = int(pay * rng.uniform(0.135, 0.155))
    if maybe(rng, 0.06):
        small_business = rng.randrange(12_000, 276_001, 1000)
        t["social_insurance_small_business"] = small_business
        total += small_business
    if maybe(rng, 0.04):
        national_pension = rng.choice((203_760, 210_120, 16_980 * 12))
        t["national_pension_premiums"] = national_pension
        total += national_pension
    t["social_insurance"] = total
    return total


def _insurance(rng: random.Random, out: Filled) -> int:
    """生命保険料 and 地震保険料 deductions with the premium breakdown; returns their sum."""
    t = out.truth
    total = 0
    if maybe(rng, 0.55):
        premiums = {
            name: rng.randrange(6_000, 160_000, 100)
            for name, p in (
                ("life_new", 0.6),
                ("life_old", 0.2),
                ("life_medical", 0.4),
                ("pension_new", 0.15),
                ("pension_old", 0.05),
            )
            if maybe(rng, p)
        }
        if premiums:
            general = _combined(premiums.get("life_new"), premiums.get("life_old"))
            pension = _combined(premiums.get("pension_new"), premiums.get("pension_old"))
            medical = tax.new_life_insurance_deduction(premiums.get("life_medical", 0))
            life = min(120_000, general + pension + medical)
            t["life_insurance_deduction"] = life
            total += life
            if maybe(rng, 0.7):
                t.update(premiums)
    if maybe(rng, 0.35):
        earthquake_premium = rng.randrange(3_000, 70_000, 10)
        old_long_term = rng.randrange(2_000, 30_000, 10) if maybe(rng, 0.08) else 0
        old_deduction = min(
            15_000, old_long_term if old_long_term <= 10_000 else old_long_term // 2 + 5_000
        )
        earthquake = min(50_000, min(50_000, earthquake_premium) + old_deduction)
        t["earthquake_insurance_deduction"] = earthquake
        if old_long_term:
            t["old_long_term_insurance"] = old_long_term
        total += earthquake
    return total


def _combined(new: int | None, old: int | None) -> int:
    """One 生命保険料控除 category from its new and old contracts (max 40,000 when mixed)."""
    new_ded = tax.new_life_insurance_deduction(new or 0)
    old_ded = tax.old_life_insurance_deduction(old or 0)
    if new and old:
        return max(old_ded, min(40_000, new_ded + old_ded))
    return new_ded + old_ded


def _housing(rng: random.Random, out: Filled, age: int, year: int, gross_tax: int) -> int:
    """住宅借入金等特別控除 with its breakdown; returns the part used against 所得税."""
    if not (28 <= age <= 65) or gross_tax <= 0 or not maybe(rng, 0.1):
        return 0
    t = out.truth
    moved_in = date(2018 + year, 1, 1) - timedelta(days=rng.randrange(200, 365 * 12))
    balance = rng.randrange(5_000_000, 40_000_000, 1)
    rate = 0.007 if moved_in >= date(2022, 1, 1) else 0.01
    possible = min(int(balance * rate) // 100 * 100, 400_000)
    used = min(possible, gross_tax)
    t["housing_count"] = 1
    _era, start_year = from_gregorian(moved_in)
    t["housing_start_1_year"] = start_year
    t["housing_start_1_month"] = moved_in.month
    t["housing_start_1_day"] = moved_in.day
    t["housing_category_1"] = rng.choice(("01", "01", "01", "02", "03"))
    t["housing_balance_1"] = balance
    t["housing_possible_amount"] = possible
    t["housing_loan_deduction"] = used
    return used


def _remarks(rng: random.Random, out: Filled, year: int) -> None:
    """摘要 in a quarter of the slips, written full-width."""
    if not maybe(rng, 0.25):
        return
    template = rng.choice(data.KYUYO_REMARKS)
    other = random_person(rng, date(2018 + year, 12, 31), 20, 80)
    text = template.format(
        company=company_name(rng),
        person=other.name,
        era="令和",
        y=year,
        m=rng.randint(1, 12),
        d=rng.randint(1, 28),
        amount=f"{rng.randrange(10_000, 400_000, 100):,}",
    )
    out.truth["remarks"] = full_width(text)
    out.shown["remarks"] = (text,)


def _payer(rng: random.Random, out: Filled) -> None:
    """支払者: usually a company with a 法人番号, sometimes a sole proprietor with a 個人番号."""
    t = out.truth
    address = random_address(rng, building_probability=0.2)
    t["payer_address"] = address.truth
    out.shown["payer_address"] = address.lines
    if maybe(rng, 0.9):
        t["payer_name"] = company_name(rng)
        if maybe(rng, 0.9):
            t["payer_number"] = corporate_number(rng)
    else:
        owner = random_person(rng, date(2025, 12, 31), 35, 75)
        t["payer_name"] = owner.name
        if maybe(rng, 0.8):
            t["payer_number"] = owner.my_number
    if maybe(rng, 0.85):
        t["payer_phone"] = phone_number(rng, address.area_code, mobile_probability=0.05)


def fill_person_row(rng: random.Random, out: Filled, prefix: str, person: Person) -> None:
    """One row of the family table: フリガナ, 氏名, 区分 (sometimes), 個人番号 (usually)."""
    out.truth[f"{prefix}_kana"] = person.kana
    out.truth[f"{prefix}_name"] = person.name
    if maybe(rng, 0.15):
        out.truth[f"{prefix}_category"] = "00"
    if maybe(rng, 0.8):
        out.truth[f"{prefix}_my_number"] = person.my_number
