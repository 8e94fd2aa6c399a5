"""Scoring extraction output against synthetic truth: per-field outcomes and their summaries.

A field *counts* on a page when it has a value in the truth or in the output: a missed value
and an invented value are both errors; two empty fields are not counted at all. A value is
correct only if it equals the truth exactly, type included (``True`` is not ``1``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Value = str | int | bool | None


@dataclass(frozen=True)
class OutputField:
    """What extraction returned for one field."""

    value: Value
    needs_review: bool
    #: Why it needs review: the reader's doubts and the rules of the validation findings
    #: that involve it (``finding:check_digit``).
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldOutcome:
    form_id: str
    condition: str
    name: str
    field_type: str
    truth: Value
    output: Value
    #: Shown to a person (flagged for review, or the page was rejected).
    flagged: bool
    #: Why it was flagged (see :class:`OutputField`).
    reasons: tuple[str, ...] = ()

    @property
    def correct(self) -> bool:
        return type(self.truth) is type(self.output) and self.truth == self.output


def has_value(value: Value) -> bool:
    """An unticked box (False) and an empty string are no value, like None."""
    return value is not None and value is not False and value != ""


def score_page(
    *,
    form_id: str,
    condition: str,
    truth: dict[str, Value],
    field_types: dict[str, str],
    page_form_id: str | None,
    page_rejected: bool,
    output: dict[str, OutputField],
) -> list[FieldOutcome]:
    """The outcome of every counted field of one page.

    A rejected page or a page taken for another form returns nothing right: each truth field
    is missed. A rejected page goes back to the operator (flagged); a misidentified page is
    silently wrong unless its fields were flagged, which cannot be told apart here (not
    flagged).
    """
    if page_rejected or page_form_id != form_id:
        return [
            FieldOutcome(form_id, condition, name, field_types[name], value, None, page_rejected)
            for name, value in truth.items()
            if has_value(value)
        ]
    names = [n for n, v in truth.items() if has_value(v)]
    names += [n for n, f in output.items() if has_value(f.value) and n not in truth]
    outcomes = []
    for name in names:
        got = output.get(name)
        value = got.value if got is not None and has_value(got.value) else None
        outcomes.append(
            FieldOutcome(
                form_id=form_id,
                condition=condition,
                name=name,
                field_type=field_types.get(name, "?"),
                truth=truth.get(name),
                output=value,
                flagged=got.needs_review if got is not None else False,
                reasons=got.reasons if got is not None and got.needs_review else (),
            )
        )
    return outcomes


@dataclass(frozen=True)
class Summary:
    fields: int
    correct: int
    flagged: int
    unflagged_errors: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.fields if self.fields else None

    @property
    def review_rate(self) -> float | None:
        return self.flagged / self.fields if self.fields else None

    @property
    def residual_error(self) -> float | None:
        """Errors among the fields nobody will look at (not flagged for review)."""
        unflagged = self.fields - self.flagged
        return self.unflagged_errors / unflagged if unflagged else None

    def as_json(self) -> dict[str, Any]:
        return {
            "fields": self.fields,
            "correct": self.correct,
            "accuracy": _round(self.accuracy),
            "review_rate": _round(self.review_rate),
            "residual_error": _round(self.residual_error),
        }


def summarize(outcomes: Iterable[FieldOutcome]) -> Summary:
    """Counts of one group of outcomes."""
    fields = correct = flagged = unflagged_errors = 0
    for outcome in outcomes:
        fields += 1
        correct += outcome.correct
        flagged += outcome.flagged
        unflagged_errors += not outcome.flagged and not outcome.correct
    return Summary(fields, correct, flagged, unflagged_errors)


def review_reasons(outcomes: Iterable[FieldOutcome]) -> dict[str, int]:
    """How many right values were flagged for each reason, most frequent first: the review
    work that bought nothing. A field flagged for two reasons counts under both."""
    counts: Counter[str] = Counter()
    for outcome in outcomes:
        if outcome.flagged and outcome.correct:
            counts.update(outcome.reasons or ("(none given)",))
    return dict(counts.most_common())


def summarize_by(
    outcomes: list[FieldOutcome], key: Callable[[FieldOutcome], str]
) -> dict[str, Summary]:
    """One summary per value of ``key``, sorted by key."""
    groups: dict[str, list[FieldOutcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[key(outcome)].append(outcome)
    return {name: summarize(groups[name]) for name in sorted(groups)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
