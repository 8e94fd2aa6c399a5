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
