"""Scoring of the extraction benchmark: what counts, what is an error, what is residual."""

from __future__ import annotations

from bench.scoring import OutputField, review_reasons, score_page, summarize

TYPES = {"name": "name", "amount": "amount", "box": "checkbox", "code": "code"}


def _score(truth, output, page_form_id="f", rejected=False):
    return score_page(
        form_id="f",
        condition="clean",
        truth=truth,
        field_types=TYPES,
        page_form_id=page_form_id,
        page_rejected=rejected,
        output={k: OutputField(*v) for k, v in output.items()},
    )


def test_two_empty_fields_do_not_count_and_an_unticked_box_is_empty() -> None:
    outcomes = _score(
        {"name": "山田　太郎"},
        {"name": ("山田　太郎", False), "box": (False, False), "code": (None, False)},
    )
    assert [(o.name, o.correct) for o in outcomes] == [("name", True)]


def test_missed_and_invented_values_are_errors() -> None:
    outcomes = _score({"amount": 1000}, {"amount": (None, True), "code": ("00", False)})
    assert {(o.name, o.correct, o.flagged) for o in outcomes} == {
        ("amount", False, True),
        ("code", False, False),
    }
    summary = summarize(outcomes)
    assert summary.accuracy == 0.0
    assert summary.review_rate == 0.5
    assert summary.residual_error == 1.0


def test_exact_match_includes_the_type() -> None:
    (outcome,) = _score({"amount": 1}, {"amount": (True, False)})
    assert not outcome.correct
    (outcome,) = _score({"amount": 1234000}, {"amount": ("1234000", False)})
    assert not outcome.correct


def test_residual_error_only_counts_unflagged_fields() -> None:
    outcomes = _score(
        {"name": "山田　太郎", "amount": 5, "code": "01"},
        {"name": ("山田　太朗", True), "amount": (5, False), "code": ("07", False)},
    )
    summary = summarize(outcomes)
    assert (summary.fields, summary.correct, summary.flagged) == (3, 1, 1)
    assert summary.residual_error == 0.5


def test_a_rejected_page_misses_every_field_but_is_seen_by_a_person() -> None:
    outcomes = _score({"name": "山田　太郎", "amount": 5}, {}, page_form_id=None, rejected=True)
    assert all(not o.correct and o.flagged for o in outcomes) and len(outcomes) == 2


def test_a_page_taken_for_another_form_is_wrong_and_unflagged() -> None:
    outcomes = _score({"name": "山田　太郎"}, {"name": ("山田　太郎", False)}, page_form_id="g")
    assert [(o.correct, o.flagged) for o in outcomes] == [(False, False)]
    assert summarize(outcomes).residual_error == 1.0


def test_review_reasons_count_only_right_values_that_were_flagged() -> None:
    outcomes = _score(
        {"name": "山田　太郎", "amount": 1000, "code": "A1"},
        {
            "name": ("山田　太郎", True, ("reading_mismatch", "variant")),
            "amount": (1000, True, ("finding:salary_income",)),
            "code": ("A7", True, ("uncertain",)),  # wrong: review was worth it
            "box": (False, False, ("stray_ink",)),  # not counted, not flagged
        },
    )
    assert review_reasons(outcomes) == {
        "reading_mismatch": 1,
        "variant": 1,
        "finding:salary_income": 1,
    }
