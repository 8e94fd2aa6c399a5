"""intake.pipeline.apply_validation: findings of the rules feed each field's review flag."""

from __future__ import annotations

from sample_records import PUBLIC_SAMPLE_RECORD

from intake.pipeline import apply_validation
from ocr.result import FieldResult, PageResult, Value


def _page(values: dict[str, Value]) -> PageResult:
    fields = {
        name: FieldResult(name, value, 0.999, needs_review=False) for name, value in values.items()
    }
    return PageResult(page=1, form_id="kyuyo_kojinbetsu", status="ok", fields=fields)


def test_every_field_a_failed_check_read_goes_to_review() -> None:
    page = _page({**PUBLIC_SAMPLE_RECORD, "payment_amount": 360_000})
    apply_validation(page)
    assert page.fields["income_after_deduction"].needs_review  # where the finding is shown
    assert page.fields["payment_amount"].needs_review  # read one digit short, confidently
    assert not page.fields["withholding_tax"].needs_review


def test_a_consistent_record_sends_nothing_to_review() -> None:
    page = _page(dict(PUBLIC_SAMPLE_RECORD))
    apply_validation(page)
    assert not page.findings
    assert not any(f.needs_review for f in page.fields.values())


_SHINKOKU: dict[str, Value] = {
    "shotoku_salary": 350_000,
    "shotoku_business": 300_000,
    "shotoku_total": 650_000,
}


def _doubted(values: dict[str, Value], doubts: dict[str, tuple[str, ...]]) -> PageResult:
    fields = {
        name: FieldResult(name, value, 0.4, bool(doubts.get(name)), doubts=doubts.get(name, ()))
        for name, value in values.items()
    }
    return PageResult(page=1, form_id="shinkoku_p1", status="ok", fields=fields)


def test_a_total_equal_to_its_parts_takes_uncertain_readings_out_of_review() -> None:
    page = _doubted(
        _SHINKOKU,
        {"shotoku_total": ("uncertain",), "shotoku_business": ("uncertain", "disagreement")},
    )
    apply_validation(page)
    assert not page.fields["shotoku_total"].needs_review
    assert not page.fields["shotoku_business"].needs_review
    assert page.fields["shotoku_total"].confidence >= 0.99


def test_arithmetic_does_not_settle_a_doubt_about_the_writing_itself() -> None:
    # Ink under the box's side may be a digit the reading (and so the sum) left out.
    page = _doubted(_SHINKOKU, {"shotoku_total": ("uncertain", "spill")})
    apply_validation(page)
    assert page.fields["shotoku_total"].needs_review


def test_a_total_off_its_parts_keeps_them_in_review() -> None:
    page = _doubted(
        {**_SHINKOKU, "shotoku_total": 660_000},
        {"shotoku_total": ("uncertain",), "shotoku_salary": ("uncertain",)},
    )
    apply_validation(page)
    assert page.fields["shotoku_total"].needs_review
    assert page.fields["shotoku_salary"].needs_review


def test_a_failed_check_outweighs_a_total_that_holds() -> None:
    # 350,100 + 300,000 = 650,100 holds, but 給与所得 of 1,000,000 yen pay is 350,000.
    values = {**_SHINKOKU, "fiscal_year": 8, "income_salary": 1_000_000, "shotoku_salary": 350_100}
    values["shotoku_total"] = 650_100
    page = _doubted(values, {"shotoku_salary": ("uncertain",), "shotoku_total": ("uncertain",)})
    apply_validation(page)
    assert page.fields["shotoku_salary"].needs_review
    assert not page.fields["shotoku_total"].needs_review


def test_a_salary_income_the_pay_gives_to_the_yen_leaves_review() -> None:
    values = {**_SHINKOKU, "fiscal_year": 8, "income_salary": 1_000_000, "shotoku_business": None}
    values["shotoku_total"] = 350_000
    page = _doubted(values, {"shotoku_salary": ("uncertain",), "shotoku_total": ("disagreement",)})
    apply_validation(page)
    assert not page.fields["shotoku_salary"].needs_review
    assert not page.fields["shotoku_total"].needs_review  # its one part is confirmed
