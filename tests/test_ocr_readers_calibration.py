"""Fitting the review thresholds: the statistics, on made-up observations."""

from __future__ import annotations

from ocr.calibration.calibrate import (
    ALWAYS_REVIEW,
    MIN_THRESHOLD,
    Observation,
    fit_all,
    fit_threshold,
    wilson_upper,
)


def _obs(
    confidence: float, correct: bool, field_type: str = "amount", flagged: bool = False
) -> Observation:
    return Observation(
        "kyuyo_kojinbetsu", 0, "clean", "f", field_type, 1, 1 if correct else 2, confidence, flagged
    )


def test_wilson_bound_is_conservative_for_few_samples() -> None:
    assert wilson_upper(0, 10) > 0.1
    assert wilson_upper(0, 1000) < 0.003
    assert wilson_upper(5, 1000) > 0.005
    assert wilson_upper(0, 0) == 1.0


def test_threshold_sits_above_the_confident_mistakes() -> None:
    right = [_obs(0.99, True)] * 900 + [_obs(0.7, True)] * 100
    wrong = [_obs(0.6, False)] * 20 + [_obs(0.75, False)] * 20
    fitted = fit_threshold(right + wrong, target=0.01)
    assert 0.75 < fitted["threshold"] <= 0.99
    assert fitted["accepted_errors"] == 0


def test_flagged_fields_never_count_as_accepted() -> None:
    observations = [_obs(0.99, True)] * 900 + [_obs(0.99, False, flagged=True)] * 50
    fitted = fit_threshold(observations, target=0.01)
    assert fitted["threshold"] == MIN_THRESHOLD  # nothing accepted is wrong at any level
    assert fitted["accepted_errors"] == 0


def test_too_few_samples_mean_always_review_unless_the_family_vouches() -> None:
    phone = [_obs(0.99, True, "phone")] * 30
    assert fit_threshold(phone, target=0.01)["threshold"] == ALWAYS_REVIEW
    amounts = [_obs(0.98, True)] * 2000 + [_obs(0.7, False)] * 30
    fitted = fit_all(phone + amounts, target=0.01)
    assert fitted["phone"]["threshold"] == 0.98
    assert fitted["phone"]["pooled_with"] == "restricted"
    # A small type that is wrong where its family is trusted gets no such pass.
    bad_phone = [_obs(0.99, True, "phone")] * 29 + [_obs(0.99, False, "phone")]
    assert fit_all(bad_phone + amounts, target=0.01)["phone"]["threshold"] == ALWAYS_REVIEW
