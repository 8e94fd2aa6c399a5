"""A taxpayer's family: spouse, children and parents, with the facts deductions depend on."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from ocr.synth.values.common import Person, maybe, random_person

#: Spouse income (合計所得金額) up to which the spouse is a 控除対象配偶者.
SPOUSE_INCOME_LIMIT = 480_000


@dataclass(frozen=True)
class Relative:
    person: Person
    relation: str  # 続柄 as written: 妻, 夫, 長男, 長女, 子, 父, 母
    living_together: bool
    disabled: str | None = None  # None, "other" or "special"


@dataclass
class Household:
    spouse: Relative | None = None
    #: 合計所得金額 of the spouse; only meaningful with a spouse.
    spouse_income: int = 0
    relatives: list[Relative] = field(default_factory=list)

    @property
    def spouse_is_dependent(self) -> bool:
        """The spouse qualifies as 控除対象配偶者 by income."""
        return self.spouse is not None and self.spouse_income <= SPOUSE_INCOME_LIMIT


_CHILD_RELATIONS = {"M": ("長男", "二男", "三男"), "F": ("長女", "二女", "三女")}


def random_household(rng: random.Random, me: Person, on: date) -> Household:
    """A family for ``me`` as of ``on`` (31 December of the income year)."""
    age = me.age_on(on)
    household = Household()
    married = maybe(rng, min(0.75, max(0.0, (age - 22) / 15)))
    if married:
        spouse_sex = "F" if me.sex == "M" else "M"
        spouse_age_low, spouse_age_high = max(18, age - 8), min(95, age + 5)
        spouse = random_person(
            rng,
            on,
            spouse_age_low,
            spouse_age_high,
            family=(me.family, me.family_kana),
            sex=spouse_sex,
        )
        relation = "妻" if spouse_sex == "F" else "夫"
        household.spouse = Relative(spouse, relation, living_together=True)
        # Most spouses earn more than the limit; about a third are dependants.
        household.spouse_income = (
            rng.choice((0, 0, rng.randrange(0, SPOUSE_INCOME_LIMIT, 1000)))
            if maybe(rng, 0.35)
            else rng.randrange(SPOUSE_INCOME_LIMIT + 1000, 4_000_000, 1000)
        )
    if married and 24 <= age <= 70:
        max_child_age = min(age - 22, 30)
        for index in range(rng.choice((0, 1, 1, 2, 2, 2, 3))):
            child = random_person(
                rng, on, 0, max(0, max_child_age), family=(me.family, me.family_kana)
            )
            child_relations = _CHILD_RELATIONS[child.sex]
            relation = child_relations[min(index, 2)] if maybe(rng, 0.7) else "子"
            together = maybe(rng, 0.9) or child.age_on(on) < 18
            household.relatives.append(Relative(child, relation, together))
    if 40 <= age <= 70 and maybe(rng, 0.08):
        parent = random_person(
            rng, on, max(70, age + 20), min(100, age + 40), family=(me.family, me.family_kana)
        )
        relation = "父" if parent.sex == "M" else "母"
        household.relatives.append(Relative(parent, relation, living_together=maybe(rng, 0.6)))
    for i, relative in enumerate(household.relatives):
        if maybe(rng, 0.04):
            kind = "special" if maybe(rng, 0.3) else "other"
            household.relatives[i] = Relative(
                relative.person, relative.relation, relative.living_together, kind
            )
    household.relatives.sort(key=lambda r: r.person.birth)
    return household


def dependent_kind(person: Person, on: date) -> str | None:
    """控除対象扶養親族 kind by age on 31 December: specified, elderly, other, under16, or None.

    Children 23 and older are assumed to earn their own living (not dependants).
    """
    age = person.age_on(on)
    if age < 16:
        return "under16"
    if 19 <= age <= 22:
        return "specified"
    if age >= 70:
        return "elderly"
    if age <= 18:
        return "other"
    return None
