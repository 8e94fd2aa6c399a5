"""Capture-quality thresholds against generated samples, identification of the three
forms, and the rejection of blank, blurred, low-resolution, skewed and unrelated pages
(R11). The thresholds must keep a margin on both sides, not just separate the samples."""

from __future__ import annotations

import numpy as np
import pytest

from intake.errors import PageRejected
from ocr.extract import prepare_page
from ocr.layout import FORM_IDS
from ocr.pages import PageImage
from ocr.preprocess import PageContext, crop_to_content, deskew, dropout_grey, to_work_resolution
from ocr.quality import (
    BLANK_INK_RATIO,
    MAX_SKEW_DEG,
    MIN_SHARPNESS,
    REASONS,
    ink_ratio,
    reject,
    sharpness,
)
from ocr.synth import make_reject_sample, make_sample
from ocr.synth.sample import Sample

SEEDS = range(3)
ACCEPTED = [
    (form_id, condition, seed)
    for form_id in FORM_IDS
    for condition in ("clean", "degraded", "handwritten")
    for seed in SEEDS
]
REJECTED = {
    "blank": "blank_page",
    "blurred": "blurred",
    "low_dpi": "low_resolution",
    "unrelated": "unknown_form",
    "skewed": "skewed",
}


def page_of(sample: Sample) -> PageImage:
    return PageImage(np.ascontiguousarray(np.asarray(sample.image)[:, :, ::-1]), sample.dpi)


def measures(sample: Sample) -> tuple[float, float, float]:
    """Ink ratio, sharpness and skew, measured where prepare_page measures them."""
    page = page_of(sample)
    context = PageContext(dpi=float(sample.dpi), dpi_from_file=True)
    work = crop_to_content(to_work_resolution(dropout_grey(page.image, context), context), context)
    ink, sharp = ink_ratio(work), sharpness(work)
    deskew(work, context)
    return ink, sharp, context.skew_deg


@pytest.mark.parametrize(("form_id", "condition", "seed"), ACCEPTED)
def test_forms_are_identified_and_registered(form_id: str, condition: str, seed: int) -> None:
    sample = make_sample(form_id, seed, condition)
    prepared = prepare_page(page_of(sample))
    assert prepared.form_id == form_id, sample.params
    assert 0.6 <= prepared.registration_quality <= 1.0


@pytest.mark.parametrize("kind", sorted(REJECTED))
@pytest.mark.parametrize("seed", SEEDS)
def test_bad_pages_are_rejected_with_the_right_reason(kind: str, seed: int) -> None:
    sample = make_reject_sample(kind, seed)
    with pytest.raises(PageRejected) as caught:
        prepare_page(page_of(sample))
    assert caught.value.code == REJECTED[kind], sample.params


def test_thresholds_keep_a_margin_on_both_sides() -> None:
    good = [measures(make_sample(f, s, c)) for f, c, s in ACCEPTED if s < 2]
    blank = [measures(make_reject_sample("blank", s)) for s in SEEDS]
    blurred = [measures(make_reject_sample("blurred", s)) for s in SEEDS]
    skewed = [measures(make_reject_sample("skewed", s)) for s in SEEDS]
    # An empty form is far from blank; a blank sheet far below the threshold.
    assert min(ink for ink, _, _ in good) > 10 * BLANK_INK_RATIO
    assert max(ink for ink, _, _ in blank) < BLANK_INK_RATIO / 10
    # Sharp scans (incl. the degraded blur of up to 0.12 mm) well above, 0.5 mm blur below.
    assert min(sharp for _, sharp, _ in good) > 1.5 * MIN_SHARPNESS
    assert max(sharp for _, sharp, _ in blurred) < 0.75 * MIN_SHARPNESS
    # Skew up to 3° is corrected; the skewed rejects (12–30°) are measured, not guessed.
    assert max(abs(skew) for _, _, skew in good) < MAX_SKEW_DEG - 1.5
    for sample_skew, seed in zip(skewed, SEEDS, strict=True):
        degrees = make_reject_sample("skewed", seed).params["degrees"]
        assert sample_skew[2] == pytest.approx(degrees, abs=0.5)


def test_reasons_are_japanese_first_with_english_in_parentheses() -> None:
    details = {"dpi": 150, "degrees": 20, "detail": "quality 0.41"}
    for code in REASONS:
        error = reject(code, **details)
        assert error.code == code
        japanese, _, english = error.reason.rpartition("(")
        assert japanese and not japanese.isascii(), error.reason
        assert english.isascii() and english.endswith(")"), error.reason
    assert "150dpi" in reject("low_resolution", dpi=150.0).reason
