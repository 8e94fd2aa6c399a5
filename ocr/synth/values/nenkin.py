"""Values for the 公的年金等支払報告書 (pensions paid to people mostly over 65)."""

from __future__ import annotations

import random
from datetime import date

from ocr.synth import data
from ocr.synth.values import Filled
from ocr.synth.values.common import (
    corporate_number,
    full_width,
    maybe,
    pension_payer_name,
    phone_number,
    random_address,
    random_person,
    recipient_number,
)
from ocr.synth.values.household import dependent_kind, random_household
from validators.wareki import from_gregorian

#: 源泉徴収 on pensions: 5.105 % of (payment − monthly deductions), roughly.
_PENSION_WITHHOLDING_RATE = 0.05105


def generate(rng: random.Random) -> Filled:
    """One 公的年金等支払報告書 for 令和6 or 令和7 年分."""
    out = Filled()
    t = out.truth
    year = rng.choice((6, 7))
    year_end = date(2018 + year, 12, 31)
    t["year"] = year

    me = random_person(rng, year_end, 60, 99 if maybe(rng, 0.1) else 90)
    address = random_address(rng)
    t["recipient_address"] = address.truth
    out.shown["recipient_address"] = address.lines
    if maybe(rng, 0.7):
        t["recipient_number"] = recipient_number(rng)
    if maybe(rng, 0.85):
        t["recipient_my_number"] = me.my_number
    t["recipient_kana"] = me.kana
    t["recipient_name"] = me.name
    era, era_year = from_gregorian(me.birth)
    t["recipient_birth_era"] = era
    t["recipient_birth_year"] = era_year
    t["recipient_birth_month"] = me.birth.month
    t["recipient_birth_day"] = me.birth.day

    _payments(rng, out)
    household = random_household(rng, me, year_end)
    if household.spouse_is_dependent and household.spouse is not None:
        t["spouse_present"] = True
        if household.spouse.person.age_on(year_end) >= 70:
            t["spouse_elderly"] = True
    counts = {"specified": 0, "elderly": 0, "other": 0, "under16": 0}
    for relative in household.relatives:
        kind = dependent_kind(relative.person, year_end)
        if kind:
            counts[kind] += 1
    for name, key in (
        ("dependents_specified", "specified"),
        ("dependents_elderly", "elderly"),
        ("dependents_other", "other"),
        ("dependents_under16", "under16"),
    ):
        if counts[key]:
            t[name] = counts[key]
    if maybe(rng, 0.5):
        payment = int(t.get("art1_payment", 0)) + int(t.get("art2_payment", 0))
        t["social_insurance"] = int(payment * rng.uniform(0.04, 0.11))
    if maybe(rng, 0.03):
        t["self_disabled_special" if maybe(rng, 0.3) else "self_disabled_other"] = True
    if me.sex == "F" and household.spouse is None and maybe(rng, 0.3):
        t["widow"] = True
    _remarks(rng, out)
    _payer(rng, out)
    return out


def _payments(rng: random.Random, out: Filled) -> None:
    """支払金額 and 源泉徴収税額 per 区分; 第1号 (old-age pensions) nearly always."""
    t = out.truth
    rows = ["art1"] if maybe(rng, 0.92) else ["art2"]
    if maybe(rng, 0.08):
        rows.append("art3")
    for row in rows:
        payment = (
            rng.randrange(300_000, 3_600_000) if row != "art3" else rng.randrange(50_000, 900_000)
        )
        t[f"{row}_payment"] = payment
        taxable = payment - 1_080_000  # 月額 9万円 × 12 (65歳以上の簡易な控除)
        withheld = int(taxable * _PENSION_WITHHOLDING_RATE) if taxable > 0 else 0
        if withheld > 0:
            t[f"{row}_tax"] = withheld
        if maybe(rng, 0.03):
            t[f"{row}_unpaid"] = rng.randrange(10_000, max(20_000, payment // 6))
        if withheld > 0 and maybe(rng, 0.02):
            t[f"{row}_uncollected"] = rng.randrange(1_000, max(2_000, withheld // 3))


def _remarks(rng: random.Random, out: Filled) -> None:
    if not maybe(rng, 0.25):
        return
    text = rng.choice(data.NENKIN_REMARKS).format(
        amount=f"{rng.randrange(20_000, 200_000, 100):,}",
        number=f"{rng.randrange(10**9):09d}",
    )
    out.truth["remarks"] = full_width(text)
    out.shown["remarks"] = (text,)


def _payer(rng: random.Random, out: Filled) -> None:
    t = out.truth
    address = random_address(rng, building_probability=0.1)
    t["payer_address"] = address.truth
    out.shown["payer_address"] = address.lines
    t["payer_name"] = pension_payer_name(rng)
    if maybe(rng, 0.9):
        t["payer_number"] = corporate_number(rng)
    if maybe(rng, 0.85):
        t["payer_phone"] = phone_number(rng, address.area_code, mobile_probability=0.0)
