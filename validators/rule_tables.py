"""The rule tables: which checks apply to which fields of which form, and in which years.

Data only; the checks themselves live in the ``*_checks`` modules. Years are 令和 era years
of the form's own year field: 年分 on the slips, 年度 on the 申告書 (whose incomes are those of
年分 = 年度 − 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

KYUYO = "kyuyo_kojinbetsu"
NENKIN = "nenkin_kojinbetsu"
SHINKOKU = "shinkoku_p1"

#: The field holding the form's year, and whether it is a 年分 or a 年度.
YEAR_FIELD: dict[str, tuple[str, Literal["年分", "年度"]]] = {
    KYUYO: ("year", "年分"),
    NENKIN: ("year", "年分"),
    SHINKOKU: ("fiscal_year", "年度"),
}

ALL_YEARS = range(1, 100)


# --- dates -------------------------------------------------------------------------------------

DateKind = Literal["birth", "past", "any"]


@dataclass(frozen=True)
class DateSpec:
    """A date written as parts. Exactly one of the three era sources is set, or none
    (the form prints no era and the record carries none: only month/day can be checked)."""

    name: str
    year: str
    month: str
    day: str
    era_field: str | None = None
    #: Checkboxes of the 申告書, (field, 元号) in print order; exactly one may be ticked.
    era_boxes: tuple[tuple[str, str], ...] = ()
    #: 令和 printed on the form.
    fixed_era: str | None = None
    #: birth: not in the future, not absurdly old; past: not in the future; any: no time check.
    kind: DateKind = "any"


def _parts(name: str, prefix: str, **kwargs: object) -> DateSpec:
    return DateSpec(name, f"{prefix}_year", f"{prefix}_month", f"{prefix}_day", **kwargs)  # type: ignore[arg-type]


def _boxes(prefix: str, eras: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    keys = {"明治": "meiji", "大正": "taisho", "昭和": "showa", "平成": "heisei", "令和": "reiwa"}
    return tuple((f"{prefix}_era_{keys[e]}", e) for e in eras)


_ALL_ERAS = ("明治", "大正", "昭和", "平成", "令和")
_FAMILY_ERAS = ("昭和", "平成", "令和")

DATES: dict[str, tuple[DateSpec, ...]] = {
    KYUYO: (
        _parts("recipient_birth", "recipient_birth", era_field="recipient_birth_era", kind="birth"),
        # 中途就・退職 falls within the 年分, which is 令和.
        _parts("mid_year_change", "mid_year_change", fixed_era="令和", kind="past"),
        # 居住開始年月日: the record carries no 元号 (items 74–76, 81–83); 平成 is common.
        _parts("housing_start_1", "housing_start_1"),
        _parts("housing_start_2", "housing_start_2"),
    ),
    NENKIN: (
        _parts("recipient_birth", "recipient_birth", era_field="recipient_birth_era", kind="birth"),
    ),
    SHINKOKU: (
        DateSpec(
            "submission_date",
            "submit_year",
            "submit_month",
            "submit_day",
            fixed_era="令和",
            kind="past",
        ),
        _parts("birth", "birth", era_boxes=_boxes("birth", _ALL_ERAS), kind="birth"),
        _parts(
            "spouse_birth",
            "spouse_birth",
            era_boxes=_boxes("spouse_birth", _FAMILY_ERAS),
            kind="birth",
        ),
        *(
            _parts(
                f"dependent_{n}_birth",
                f"dependent_{n}_birth",
                era_boxes=_boxes(f"dependent_{n}_birth", _FAMILY_ERAS),
                kind="birth",
            )
            for n in range(1, 5)
        ),
    ),
}


# --- choices -----------------------------------------------------------------------------------

#: Checkboxes of which at most one may be ticked.
EXCLUSIVE_CHOICES: dict[str, tuple[tuple[str, ...], ...]] = {
    KYUYO: (
        ("spouse_present", "spouse_present_secondary"),
        ("mid_year_hired", "mid_year_retired"),
    ),
    NENKIN: (),
    SHINKOKU: (
        ("spouse_together", "spouse_separate"),
        *((f"dependent_{n}_together", f"dependent_{n}_separate") for n in range(1, 5)),
    ),
}


@dataclass(frozen=True)
class CodeSpec:
    fields: tuple[str, ...]
    allowed: frozenset[str]
    #: Tables the spec marks UNCONFIRMED report unknown codes as warnings, not errors.
    confirmed: bool


_KUBUN_FIELDS = (
    "spouse_category",
    *(f"dependent_{n}_category" for n in range(1, 5)),
    *(f"under16_{n}_category" for n in range(1, 5)),
)

CODES: dict[str, tuple[CodeSpec, ...]] = {
    KYUYO: (
        # 区分 of 配偶者・扶養親族: 00 居住者, 01 非居住者 (luca-jp); the 令和5年〜 国外扶養
        # sub-codes are UNCONFIRMED (spec §1.4).
        CodeSpec(_KUBUN_FIELDS, frozenset({"00", "01"}), confirmed=False),
        # 住宅借入金等特別控除区分: 01–04 in the 2014 layout; later additions UNCONFIRMED.
        CodeSpec(
            ("housing_category_1", "housing_category_2"),
            frozenset({"01", "02", "03", "04"}),
            confirmed=False,
        ),
    ),
    NENKIN: (),
    SHINKOKU: (),
}


# --- amounts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    field: str
    maximum: int
    years: range = ALL_YEARS


LIMITS: dict[str, tuple[Limit, ...]] = {
    KYUYO: (
        # 所得税 amounts (源泉徴収票).
        Limit("life_insurance_deduction", 120_000),
        Limit("earthquake_insurance_deduction", 50_000),
        Limit("spouse_deduction_amount", 480_000),  # 老人控除対象配偶者 48万円
        Limit("income_adjustment_deduction", 150_000),
        Limit("basic_deduction", 480_000, range(2, 7)),
        Limit("basic_deduction", 950_000, range(7, 8)),  # 令和7年分: up to 95万円 (spec §5.5)
    ),
    NENKIN: (),
    SHINKOKU: (
        # 住民税 amounts, keyed by 年度.
        Limit("ded_life_insurance", 70_000),
        Limit("ded_earthquake", 25_000),
        Limit("ded_spouse", 380_000),  # 老人控除対象配偶者 38万円
        Limit("ded_widow_single_parent", 300_000),  # ひとり親 30万円
        Limit("ded_basic", 430_000, range(3, 9)),  # 令和3年度〜8年度; re-check for 令和9年度
    ),
}


@dataclass(frozen=True)
class Total:
    total: str
    parts: tuple[str, ...]
    #: "equal": the form prints the total of exactly these parts; "at_least": the total also
    #: holds parts the slip does not show.
    relation: Literal["equal", "at_least"]


TOTALS: dict[str, tuple[Total, ...]] = {
    KYUYO: (
        # 所得控除の額の合計額 also holds 扶養控除, 障害者控除 … which are not on the slip.
        Total(
            "total_deductions",
            (
                "social_insurance",
                "life_insurance_deduction",
                "earthquake_insurance_deduction",
                "spouse_deduction_amount",
                "basic_deduction",
            ),
            "at_least",
        ),
        # 内 marks: the inner amount or count is part of the outer one.
        Total("social_insurance", ("social_insurance_small_business",), "at_least"),
        Total("disabled_special", ("disabled_special_inner",), "at_least"),
        Total(
            "dependents_elderly_main",
            ("dependents_elderly_inner",),
            "at_least",
        ),
    ),
    NENKIN: (Total("disabled_special", ("disabled_special_inner",), "at_least"),),
    SHINKOKU: (
        Total(
            "shotoku_total",
            (
                "shotoku_business",
                "shotoku_real_estate",
                "shotoku_dividend",
                "shotoku_salary",
                "shotoku_pension",
                "shotoku_misc_business",
                "shotoku_misc_other",
            ),
            "equal",
        ),
        Total(
            "ded_total",
            (
                "ded_social_insurance",
                "ded_small_business",
                "ded_life_insurance",
                "ded_earthquake",
                "ded_widow_single_parent",
                "ded_student_disabled",
                "ded_spouse",
                "ded_dependents",
                "ded_basic",
                "ded_medical",
            ),
            "equal",
        ),
    ),
}


@dataclass(frozen=True)
class SalaryCheck:
    """給与所得 = salary_income(pay) − adjustment, for the year the incomes belong to."""

    pay: str
    income: str
    #: A field holding the 所得金額調整控除 subtracted from ``income`` (kyuyo item 142).
    adjustment: str | None
    #: A field whose presence allows the 確定申告-type adjustment (給与と年金, ≤ 100,000 yen).
    pension: str | None
    #: Added to the form's year to get the 年分 of the incomes (年度 − 1 on the 申告書).
    year_shift: int


SALARY: dict[str, tuple[SalaryCheck, ...]] = {
    KYUYO: (
        SalaryCheck(
            "payment_amount", "income_after_deduction", "income_adjustment_deduction", None, 0
        ),
    ),
    NENKIN: (),
    SHINKOKU: (SalaryCheck("income_salary", "shotoku_salary", None, "income_pension", -1),),
}


@dataclass(frozen=True)
class ListedCount:
    """A count printed on the form and the entities listed by name below it."""

    counts: tuple[str, ...]
    #: Counts that may also include listed persons (従たる給与の扶養親族).
    optional_counts: tuple[str, ...]
    groups: tuple[str, ...]
    #: Places on the form; persons beyond go to 摘要.
    places: int


LISTED_COUNTS: dict[str, tuple[ListedCount, ...]] = {
    KYUYO: (
        ListedCount(
            ("dependents_specified_main", "dependents_elderly_main", "dependents_other_main"),
            ("dependents_specified_sub", "dependents_elderly_sub", "dependents_other_sub"),
            tuple(f"dependent_{n}" for n in range(1, 5)),
            4,
        ),
        ListedCount(("dependents_under16",), (), tuple(f"under16_{n}" for n in range(1, 5)), 4),
    ),
    NENKIN: (),
    SHINKOKU: (),
}

#: Groups that describe one person: if anything of the group is filled, its name must be.
PERSON_GROUPS: dict[str, tuple[str, ...]] = {
    KYUYO: (
        "spouse",
        *(f"dependent_{n}" for n in range(1, 5)),
        *(f"under16_{n}" for n in range(1, 5)),
    ),
    NENKIN: (),
    SHINKOKU: ("spouse", *(f"dependent_{n}" for n in range(1, 5))),
}


@dataclass(frozen=True)
class LifeInsuranceCheck:
    """生命保険料の控除額 against the premiums of its breakdown (生命保険料の金額の内訳)."""

    deduction: str
    new_life: str
    old_life: str
    medical: str
    new_pension: str
    old_pension: str


LIFE_INSURANCE: dict[str, tuple[LifeInsuranceCheck, ...]] = {
    KYUYO: (
        LifeInsuranceCheck(
            "life_insurance_deduction",
            "life_new",
            "life_old",
            "life_medical",
            "pension_new",
            "pension_old",
        ),
    ),
    NENKIN: (),
    SHINKOKU: (),
}


#: (基礎控除の額, the 給与所得 it depends on) — 合計所得金額 is at least the 給与所得.
BASIC_DEDUCTION: dict[str, tuple[tuple[str, str], ...]] = {
    KYUYO: (("basic_deduction", "income_after_deduction"),),
    NENKIN: (),
    SHINKOKU: (),
}


@dataclass(frozen=True)
class PensionCheck:
    """公的年金等に係る雑所得 against its receipts, with the age from a date of birth."""

    receipts: str
    income: str
    #: Name of the ``DATES`` entry holding the date of birth.
    birth: str
    #: Added to the form's year to get the 年分 of the incomes (年度 − 1 on the 申告書).
    year_shift: int


PENSION: dict[str, tuple[PensionCheck, ...]] = {
    KYUYO: (),
    NENKIN: (),
    SHINKOKU: (PensionCheck("income_pension", "shotoku_pension", "birth", -1),),
}
