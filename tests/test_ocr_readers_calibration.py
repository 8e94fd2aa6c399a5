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


def test_refit_reads_saved_observations_for_another_target(tmp_path) -> None:
    import json
    from dataclasses import asdict

    from ocr.calibration.calibrate import main

    # 2000 right at 0.99, three wrong at 0.8 and 0.9: a 1 % target accepts from 0.5 on, a
    # 0.2 % one only above the mistakes.
    observations = [_obs(0.99, True)] * 2000 + [_obs(0.8, False)] * 2 + [_obs(0.9, False)]
    saved = tmp_path / "observations.json"
    saved.write_text(
        json.dumps(
            {
                "command": "python -m ocr.calibration.calibrate fit --seeds 1-2",
                "samples": {"forms": "kyuyo_kojinbetsu", "seeds": "1-2", "conditions": "clean"},
                "engines": "ppocr",
                "cpu_seconds_per_page": {},
                "observations": [asdict(o) for o in observations],
            }
        )
    )
    loose, strict = tmp_path / "loose.json", tmp_path / "strict.json"
    main(["refit", "--observations", str(saved), "--target", "0.01", "--out", str(loose)])
    main(["refit", "--observations", str(saved), "--target", "0.002", "--out", str(strict)])
    loose_doc, strict_doc = json.loads(loose.read_text()), json.loads(strict.read_text())
    assert loose_doc["types"]["amount"]["threshold"] == MIN_THRESHOLD
    assert 0.9 < strict_doc["types"]["amount"]["threshold"] <= 0.99
    assert strict_doc["target_error"] == 0.002
    assert strict_doc["command"].startswith("python -m ocr.calibration.calibrate fit --seeds 1-2")
    assert "refit" in strict_doc["command"]


def test_a_number_failing_its_check_digit_counts_as_flagged(monkeypatch) -> None:
    """Validation sends it to review whatever its confidence, so it is never accepted."""
    import numpy as np

    from ocr.calibration import calibrate
    from ocr.layout import load_layout
    from ocr.result import FieldResult

    layout = load_layout("kyuyo_kojinbetsu")
    truth = {"recipient_my_number": "123456789018"}
    read = {"recipient_my_number": "123456789010", "payer_number": "123456789018"}

    def fake_read(page, layout, engines):  # type: ignore[no-untyped-def]
        return {s.name: FieldResult(s.name, read.get(s.name), 0.99, False) for s in layout.fields}

    monkeypatch.setattr(calibrate, "sample_page", lambda f, s, c: (np.zeros((1, 1)), truth))
    monkeypatch.setattr(calibrate, "read_fields", fake_read)
    observations, _ = calibrate.observe([layout.form_id], [0], ["clean"], [])
    by_name = {o.name: o for o in observations}
    assert by_name["recipient_my_number"].flagged  # check digit 8, not 0
    assert not by_name["payer_number"].flagged  # a valid 個人番号 in the 番号 comb
