"""Registration accuracy on scans with a known geometry, and refusal of bad alignments.

Each scan is a filled form (``ocr.synth``) re-scanned here with an exact affine (rotation,
scale, offset, 180°, resolution, placement on an A4 bed) plus capture defects. The field
box corners mapped through the registration must land within 1 mm of where the known
transform puts them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np
import pytest

from intake.errors import PageRejected
from ocr.extract import prepare_page
from ocr.layout import FORM_IDS, load_layout
from ocr.pages import PageImage
from ocr.preprocess import TEMPLATE_DPI, is_bilevel
from ocr.read_ink import FAINT_LEVEL, INK_LEVEL, field_box
from ocr.register import MIN_REGISTRATION_QUALITY, registration_quality
from ocr.synth import make_sample

MM = TEMPLATE_DPI / 25.4
#: Required accuracy of every field box corner.
MAX_ERROR_MM = 1.0


@dataclass(frozen=True)
class Scan:
    """How a page is re-scanned: geometry first, then capture defects."""

    dpi: float = 300.0
    degrees: float = 0.0  # counter-clockwise
    scale: float = 1.0
    offset_mm: tuple[float, float] = (0.0, 0.0)
    upside_down: bool = False
    sideways: bool = False  # fed a quarter turn anticlockwise
    on_a4_at_mm: tuple[float, float] | None = None
    dark_bed: bool = False
    noise: float = 0.0
    blur: float = 0.0  # sigma in scan pixels
    jpeg: int | None = None
    fax: bool = False
    faded: float = 0.0


def rescan(page: np.ndarray, scan: Scan, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``page`` (BGR, 300 dpi) scanned as ``scan`` says; returns the scan and the exact
    3×3 map from template pixels to scan pixels."""
    rng = np.random.default_rng(seed)
    if scan.faded:
        page = (255 - (255 - page.astype(np.float32)) * (1 - scan.faded)).astype(np.uint8)
    height, width = page.shape[:2]
    ratio = scan.dpi / TEMPLATE_DPI
    px_per_mm = scan.dpi / 25.4
    if scan.on_a4_at_mm is not None:
        canvas = (round(210 * px_per_mm), round(297 * px_per_mm))
        origin = np.array(scan.on_a4_at_mm) * px_per_mm
    else:
        canvas = (round(width * ratio), round(height * ratio))
        origin = np.zeros(2)
    centre = np.array([width, height]) / 2.0
    matrix = np.asarray(
        cv2.getRotationMatrix2D((centre[0], centre[1]), scan.degrees, ratio * scan.scale),
        dtype=np.float64,
    )
    matrix[:, 2] += origin + centre * ratio + np.array(scan.offset_mm) * px_per_mm - centre
    truth = np.vstack([matrix, [0.0, 0.0, 1.0]])
    if scan.upside_down:
        flip = np.array([[-1.0, 0, canvas[0] - 1], [0, -1.0, canvas[1] - 1], [0, 0, 1.0]])
        truth = flip @ truth
    bed = (30, 30, 30) if scan.dark_bed else (255, 255, 255)
    image = cv2.warpAffine(page, truth[:2], canvas, flags=cv2.INTER_AREA, borderValue=bed)
    if scan.blur:
        image = cv2.GaussianBlur(image, (0, 0), scan.blur)
    if scan.noise:
        image = np.clip(image + rng.normal(0, scan.noise, image.shape), 0, 255).astype(np.uint8)
    if scan.fax:
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        image = np.where(grey < 150, 0, 255).astype(np.uint8)
    if scan.jpeg:
        _, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, scan.jpeg])
        decoded = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
        assert decoded is not None
        image = decoded
    if scan.sideways:
        # np.rot90 turns anticlockwise: (x, y) → (y, width - 1 - x).
        turn = np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, image.shape[1] - 1.0], [0.0, 0.0, 1.0]])
        image, truth = np.ascontiguousarray(np.rot90(image)), turn @ truth
    return image, truth


def field_corners(form_id: str) -> np.ndarray:
    """Both corners of every field box, template pixels, homogeneous (N×3)."""
    points = []
    for spec in load_layout(form_id).fields:
        x, y, w, h = (v * MM for v in spec.box_mm)
        points += [(x, y, 1.0), (x + w, y + h, 1.0)]
    return np.array(points)


def corner_error_mm(found: np.ndarray, truth: np.ndarray, form_id: str, dpi: float) -> float:
    corners = field_corners(form_id)
    got = (found @ corners.T)[:2]
    want = (truth @ corners.T)[:2]
    return float(np.linalg.norm(got - want, axis=0).max() / (dpi / 25.4))


def filled(form_id: str, seed: int = 3) -> np.ndarray:
    sample = make_sample(form_id, seed)
    return np.ascontiguousarray(np.asarray(sample.image)[:, :, ::-1])


SCANS = {
    "level": Scan(),
    "rotated +3°": Scan(degrees=3.0),
    "rotated -3°, 95 %, offset": Scan(degrees=-3.0, scale=0.95, offset_mm=(5, -5)),
    "upside down, 105 %": Scan(upside_down=True, scale=1.05, degrees=1.5, offset_mm=(-4, 3)),
    "200 dpi, noise, blur, JPEG q50": Scan(dpi=200, noise=14, blur=0.8, jpeg=50, degrees=-1),
    "600 dpi": Scan(dpi=600, degrees=2.0, offset_mm=(3, 3)),
    "faded, noisy": Scan(faded=0.6, noise=8, degrees=0.7),
    "fax black and white": Scan(dpi=200, fax=True, degrees=-2.2),
    "dark scanner lid": Scan(dark_bed=True, degrees=-2.5, offset_mm=(3, 4)),
    "fed sideways": Scan(sideways=True, degrees=1.0),
    "fed sideways, other way": Scan(sideways=True, upside_down=True, dpi=200),
}
SLIP_SCANS = {
    "A6 slip on an A4 bed": Scan(on_a4_at_mm=(40.0, 120.0), degrees=2.0),
    "A6 slip on A4, upside down": Scan(on_a4_at_mm=(15.0, 20.0), upside_down=True, dpi=240),
}
CASES = [(f, name, scan) for f in FORM_IDS for name, scan in SCANS.items()] + [
    (f, name, scan) for f in FORM_IDS[:2] for name, scan in SLIP_SCANS.items()
]


@pytest.mark.parametrize(
    ("form_id", "scan"), [(f, s) for f, _, s in CASES], ids=[f"{f}:{n}" for f, n, _ in CASES]
)
def test_field_boxes_land_within_a_millimetre(form_id: str, scan: Scan) -> None:
    image, truth = rescan(filled(form_id), scan)
    prepared = prepare_page(PageImage(image, scan.dpi))
    assert prepared.form_id == form_id
    turns = (2 if scan.upside_down else 0) + (1 if scan.sideways else 0)
    assert prepared.quarter_turns == turns % 4
    assert prepared.registration_quality >= MIN_REGISTRATION_QUALITY
    error = corner_error_mm(prepared.template_to_page, truth, form_id, scan.dpi)
    assert error <= MAX_ERROR_MM, f"field corners off by {error:.2f} mm"
    # The registered page is the template's grid: same size, grey.
    blank = cv2.imread(str(load_layout(form_id).blank_image_path))
    assert blank is not None
    assert prepared.image.shape == blank.shape[:2]
    assert prepared.image.dtype == np.uint8
    assert prepared.effective_dpi == pytest.approx(scan.dpi * scan.scale, rel=0.02)


def test_resolution_is_measured_when_the_file_does_not_state_it() -> None:
    for dpi in (200.0, 400.0):
        image, truth = rescan(filled("nenkin_kojinbetsu"), Scan(dpi=dpi, degrees=1.0))
        prepared = prepare_page(PageImage(image, None))
        assert prepared.form_id == "nenkin_kojinbetsu"
        assert prepared.effective_dpi == pytest.approx(dpi, rel=0.02)
        error = corner_error_mm(prepared.template_to_page, truth, "nenkin_kojinbetsu", dpi)
        assert error <= MAX_ERROR_MM
    # 150 dpi with no tag: measured on the form, and refused.
    image, _ = rescan(filled("kyuyo_kojinbetsu"), Scan(dpi=150.0))
    with pytest.raises(PageRejected) as caught:
        prepare_page(PageImage(image, None))
    assert caught.value.code == "low_resolution"


def test_a_misaligned_page_scores_below_the_threshold() -> None:
    """The quality measure itself: the right alignment passes, 1.5 mm off does not."""
    from ocr.identify import find_form
    from ocr.preprocess import WORKING_STAGES, PageContext, prepare
    from ocr.register import load_template, ruling_lines

    image, _ = rescan(filled("kyuyo_kojinbetsu"), Scan(degrees=1.0, noise=6))
    context = PageContext(dpi=300.0, dpi_from_file=True)
    work = prepare(image, context, WORKING_STAGES)
    found = find_form(work, context, FORM_IDS)
    lines = ruling_lines(found.work, 100.0)
    template = load_template("kyuyo_kojinbetsu")
    warp = found.registration.warp
    assert registration_quality(lines, template, warp) >= 0.85
    for dx, dy in ((6.0, 0.0), (0.0, 6.0), (4.0, -4.0)):  # working pixels: 1.5 mm
        shifted = warp.copy()
        shifted[:, 2] += (dx, dy)
        assert registration_quality(lines, template, shifted) < MIN_REGISTRATION_QUALITY


def test_a_page_that_is_not_the_given_form_is_not_read_there() -> None:
    image, _ = rescan(filled("kyuyo_kojinbetsu"), Scan(degrees=0.5))
    with pytest.raises(PageRejected) as caught:
        prepare_page(PageImage(image, 300.0), form_id="nenkin_kojinbetsu")
    assert caught.value.code == "registration_failed"
    assert "公的年金等支払報告書" in caught.value.reason
    # Named correctly, identification is skipped and registration still checked.
    prepared = prepare_page(PageImage(image, 300.0), form_id="kyuyo_kojinbetsu")
    assert prepared.form_id == "kyuyo_kojinbetsu"


def test_the_identification_mark_must_be_there() -> None:
    """Same grid, no mark (another edition of the form, say): not read as our form."""
    page = filled("shinkoku_p1")
    x, y = round(8 * MM), round(4 * MM)
    page[y : y + round(8 * MM), x : x + round(30 * MM)] = 255  # blocks and SK-01 erased
    with pytest.raises(PageRejected) as caught:
        prepare_page(PageImage(page, 300.0))
    assert caught.value.code == "unknown_form"


def test_a_mark_cut_by_the_edge_of_the_scan_still_identifies_the_slip() -> None:
    """A slip lying 4 mm off the glass, its edge filled with paper when turned straight:
    the blocks are cut in half, which no other edition of the form would print."""
    page = filled("kyuyo_kojinbetsu")
    page[: round(4.3 * MM)] = 255
    assert prepare_page(PageImage(page, 300.0)).form_id == "kyuyo_kojinbetsu"


def test_another_form_code_beside_the_mark_is_not_read() -> None:
    page = filled("kyuyo_kojinbetsu")
    x, y = round(9.2 * MM), round(3.0 * MM)
    page[y : y + round(2.6 * MM), x : x + round(12 * MM)] = 255  # KJ-315 erased …
    # (a code the scan lost entirely cannot disagree: grid and blocks decide)
    assert prepare_page(PageImage(page, 300.0)).form_id == "kyuyo_kojinbetsu"
    cv2.putText(page, "XQ-908", (x, y + 28), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 3)
    with pytest.raises(PageRejected) as caught:  # … and another code printed instead
        prepare_page(PageImage(page, 300.0))
    assert caught.value.code == "unknown_form"


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_rescan_truth_is_exact(form_id: str) -> None:
    """The test's own geometry: an identity scan maps every corner onto itself."""
    _, truth = rescan(filled(form_id), Scan())
    assert corner_error_mm(np.eye(3), truth, form_id, 300.0) < 1e-9
    _, truth = rescan(filled(form_id), replace(Scan(), offset_mm=(1.0, 0.0)))
    assert corner_error_mm(np.eye(3), truth, form_id, 300.0) == pytest.approx(1.0)


def test_two_slips_on_one_scan_are_refused_not_half_read() -> None:
    """Reading one slip and dropping the other would lose a record without a trace."""
    from ocr.identify import MAX_LINES_BESIDE_FORM, find_form, lines_beside_form
    from ocr.preprocess import WORKING_STAGES, PageContext, prepare

    first, second = filled("kyuyo_kojinbetsu"), filled("nenkin_kojinbetsu", seed=4)
    bed = np.full((round(297 * MM), round(210 * MM), 3), 255, np.uint8)
    alone = bed.copy()
    for image, (x, y) in ((first, (300, 200)), (second, (500, 1900))):
        bed[y : y + image.shape[0], x : x + image.shape[1]] = image
    alone[200 : 200 + first.shape[0], 300 : 300 + first.shape[1]] = first

    with pytest.raises(PageRejected) as caught:
        prepare_page(PageImage(bed, 300.0))
    assert caught.value.code == "multiple_forms"

    def beside(page: np.ndarray) -> float:
        context = PageContext(dpi=300.0, dpi_from_file=True)
        return lines_beside_form(
            find_form(prepare(page, context, WORKING_STAGES), context, FORM_IDS)
        )

    assert beside(alone) < MAX_LINES_BESIDE_FORM / 10
    assert beside(bed) > 2 * MAX_LINES_BESIDE_FORM


def test_one_faded_slip_on_a_noisy_grey_bed_is_one_form() -> None:
    """Bed noise is line-like only faintly; over three quarters of an A4 page it must not
    add up to a second form's rulings."""
    slip = filled("nenkin_kojinbetsu")
    slip = (255 - (255 - slip.astype(np.float32)) * 0.45).astype(np.uint8)  # faded
    bed = np.full((round(297 * MM), round(210 * MM), 3), 215, np.float32)
    y, x = bed.shape[0] - slip.shape[0] - 60, 150
    bed[y : y + slip.shape[0], x : x + slip.shape[1]] = slip
    bed += np.random.default_rng(1).normal(0, 13, bed.shape[:2])[..., None]
    prepared = prepare_page(PageImage(np.clip(bed, 0, 255).astype(np.uint8), 300.0))
    assert prepared.form_id == "nenkin_kojinbetsu"


def test_blank_paper_the_size_of_a_form_does_not_outscore_the_form() -> None:
    """A faded slip near the top of a clean grey A4 bed leaves blank bed below it, larger
    than the form: the correlation there is undefined (OpenCV answers 1.0) and must not
    win over the slip itself."""
    slip = filled("kyuyo_kojinbetsu")
    slip = (255 - (255 - slip.astype(np.float32)) * 0.5).astype(np.uint8)  # faded
    bed = np.full((round(297 * MM), round(210 * MM), 3), 215, np.float32)
    bed[400 : 400 + slip.shape[0], 100 : 100 + slip.shape[1]] = slip
    bed += np.random.default_rng(1).normal(0, 1, bed.shape[:2])[..., None]  # a clean sensor
    prepared = prepare_page(PageImage(np.clip(bed, 0, 255).astype(np.uint8), 300.0))
    assert prepared.form_id == "kyuyo_kojinbetsu"
    assert prepared.registration_quality >= MIN_REGISTRATION_QUALITY


def test_a_wrong_resolution_tag_does_not_hide_the_form() -> None:
    """A 300-dpi scan tagged 200 dpi: found at its true size, measured, and read."""
    image, truth = rescan(filled("kyuyo_kojinbetsu"), Scan(degrees=-1.0))
    prepared = prepare_page(PageImage(image, 200.0))
    assert prepared.form_id == "kyuyo_kojinbetsu"
    assert prepared.effective_dpi == pytest.approx(300, rel=0.02)
    assert corner_error_mm(prepared.template_to_page, truth, "kyuyo_kojinbetsu", 300) < 1.0


@pytest.mark.parametrize(("dpi", "fax"), [(600.0, True), (600.0, False), (400.0, True)])
def test_hairlines_of_a_fine_scan_are_not_lost_on_the_template_grid(dpi: float, fax: bool) -> None:
    """A stroke one scan pixel wide (a serif's hairline, a thin stroke a fax kept) must
    show at 300 dpi, not fall between the warp's samples: in every column of the box the
    hairline crosses, a pixel near its row is ink (a black-and-white scan's strokes are
    black or gone, so they stay black), or at least faint writing (a grey scan's hairline
    covers half a 300-dpi pixel: lighter)."""
    scan = Scan(dpi=dpi, degrees=1.3, fax=fax)
    image, truth = rescan(filled("kyuyo_kojinbetsu"), scan)
    spec = next(f for f in load_layout("kyuyo_kojinbetsu").fields if f.name == "remarks")
    box = field_box(spec)
    rows = range(box.y + 8, box.y + box.h - 8, 5)
    for row in rows:  # drawn in the scan, one pixel wide, along the template's row
        (x0, y0), (x1, y1) = ((truth @ [x, row, 1.0])[:2] for x in (box.x, box.x + box.w))
        cv2.line(image, (round(x0), round(y0)), (round(x1), round(y1)), (0, 0, 0), 1)
    prepared = prepare_page(PageImage(image, dpi))
    for row in rows:
        band = prepared.image[row - 2 : row + 3, box.x + 20 : box.x + box.w - 20]
        shown = (band.min(axis=0) < (INK_LEVEL if fax else FAINT_LEVEL)).mean()
        assert shown > 0.98, f"row {row}: hairline shows in {shown:.0%} of its columns"


def test_a_black_and_white_scan_is_told_from_a_grey_one() -> None:
    grey, _ = rescan(filled("kyuyo_kojinbetsu"), Scan(degrees=1.0))
    fax, _ = rescan(filled("kyuyo_kojinbetsu"), Scan(degrees=1.0, fax=True))
    faxed_jpeg, _ = rescan(filled("kyuyo_kojinbetsu"), Scan(degrees=1.0, fax=True, jpeg=60))
    assert is_bilevel(fax)
    assert is_bilevel(faxed_jpeg)  # JPEG's ringing at the edges is not grey ink
    assert not is_bilevel(grey[:, :, 0])
    assert not is_bilevel(np.full((100, 100), 255, np.uint8))  # no ink at all
