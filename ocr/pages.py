"""Turn an uploaded file into page images: PDF, multi-page TIFF, JPEG or PNG.

The real type is sniffed from the first bytes, never taken from the file name. PDFs are
rendered by poppler reading from stdin and writing to stdout, so no temporary file ever
holds a page (R12). Every size is checked before pixels are decoded: a small file that
expands to gigapixels (a decompression bomb) is refused with a reason, not an OOM kill.
Pages are decoded one at a time (:func:`iter_pages`): a 50-page TIFF of large pages that
each pass the size check holds one page in memory, not fifty.
"""

from __future__ import annotations

import io
import re
import subprocess
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from intake.errors import UnsupportedFile

#: PDFs are rendered at this resolution (the template grid is 300 dpi), scanned pages
#: at their own resolution when it is lower.
PDF_RENDER_DPI = 300
#: Largest page accepted, in pixels: an A3 sheet at 600 dpi with some margin. A4 at
#: 600 dpi is 35 Mpx; anything much larger is not a scan of our forms.
MAX_PAGE_PIXELS = 75_000_000
#: Largest plausible physical page side; a dpi tag implying more is treated as missing
#: (much software writes a default 72 dpi into 300-dpi scans).
MAX_PAGE_SIDE_MM = 450.0
#: poppler gets this long per call before the file is declared unreadable.
POPPLER_TIMEOUT_SECONDS = 60

_MM_PER_INCH = 25.4
_PDF_POINTS_PER_INCH = 72.0


@dataclass
class PageImage:
    """One page as scanned: ``image`` is uint8 BGR or grey; ``dpi`` from the file, if any."""

    image: np.ndarray
    dpi: float | None


def sniff_type(data: bytes) -> str | None:
    """The file type from its magic bytes: "pdf", "tiff", "jpeg", "png" or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    # The PDF reference lets the header start anywhere in the first 1024 bytes.
    if b"%PDF-" in data[:1024]:
        return "pdf"
    return None


def split_pages(data: bytes, filename: str, max_pages: int) -> list[PageImage]:
    """Every page of an uploaded file, in order, all decoded (see :func:`iter_pages`)."""
    return list(iter_pages(data, filename, max_pages))


def iter_pages(data: bytes, filename: str, max_pages: int) -> Iterator[PageImage]:
    """The pages of an uploaded file, in order, each decoded only when it is asked for.

    The whole file is checked before this returns: it raises :class:`UnsupportedFile`
    (with a reason a scanning operator can act on) when the bytes are not a readable PDF,
    TIFF, JPEG or PNG, when a PDF needs a password, when there are more than ``max_pages``
    pages, or when any page is implausibly large. A page that turns out unreadable while
    it is decoded raises the same way. ``filename`` is used only in messages.
    """
    kind = sniff_type(data)
    if not data:
        raise _unsupported(
            "empty_file",
            f"ファイルが空です（0バイト）。再スキャンしてください。(empty file: {filename})",
        )
    if kind is None:
        raise _unsupported(
            "unsupported_type",
            "PDF・TIFF・JPEG・PNG のいずれでもないファイルです。"
            "スキャナの保存形式を確認してください。"
            f"(not a PDF, TIFF, JPEG or PNG file: {filename})",
        )
    if kind == "pdf":
        return _pdf_pages(data, filename, max_pages)
    return _raster_pages(data, filename, max_pages)


def _unsupported(code: str, reason: str) -> UnsupportedFile:
    return UnsupportedFile(code, reason)


def _corrupt(filename: str, detail: str) -> UnsupportedFile:
    return _unsupported(
        "corrupt_file",
        "ファイルが壊れているか途中で切れているため読めません。再スキャンして送り直してください。"
        f"(corrupt or truncated file: {filename}: {detail})",
    )


def _too_many_pages(filename: str, count: int, max_pages: int) -> UnsupportedFile:
    return _unsupported(
        "too_many_pages",
        f"ページ数が多すぎます（{count}ページ、上限{max_pages}ページ）。ファイルを分けて送ってください。"
        f"(too many pages: {count} > {max_pages} in {filename})",
    )


def _too_large(filename: str, width: int, height: int) -> UnsupportedFile:
    return _unsupported(
        "image_too_large",
        f"画像が大きすぎます（{width}×{height}画素）。解像度を600dpi以下にして再スキャンしてください。"
        f"(page too large: {width}x{height} px in {filename})",
    )


def _check_size(filename: str, width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise _corrupt(filename, f"page size {width}x{height}")
    if width * height > MAX_PAGE_PIXELS:
        raise _too_large(filename, width, height)


# --- raster files -------------------------------------------------------------------


def _raster_pages(data: bytes, filename: str, max_pages: int) -> Iterator[PageImage]:
    with _open_raster(data, filename) as image:
        count = getattr(image, "n_frames", 1)
        if count > max_pages:
            raise _too_many_pages(filename, count, max_pages)
        for index in range(count):
            image.seek(index)
            _check_size(filename, *image.size)
    return _decode_frames(data, filename, count)


def _decode_frames(data: bytes, filename: str, count: int) -> Iterator[PageImage]:
    for index in range(count):
        # The file is opened again per page (cheap: headers only) so that nothing is held
        # open, and no warning filter stays changed, while the caller works on a page.
        with _open_raster(data, filename) as image:
            image.seek(index)
            page = PageImage(_to_array(image), _plausible_dpi(image))
        yield page


@contextmanager
def _open_raster(data: bytes, filename: str) -> Iterator[Image.Image]:
    """The file opened by Pillow; what goes wrong inside becomes an UnsupportedFile."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; refuse instead.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                yield image
    except UnsupportedFile:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _unsupported(
            "image_too_large",
            "画像が大きすぎます。解像度を600dpi以下にして再スキャンしてください。"
            f"(decompression bomb refused: {filename}: {exc})",
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _corrupt(filename, str(exc) or type(exc).__name__) from exc


def _to_array(image: Image.Image) -> np.ndarray:
    """Decode one frame to uint8 grey or BGR, honouring an EXIF rotation (phone photos).

    A 600-dpi A4 colour scan is 108 MB as BGR and Pillow holds it in 146: every copy on
    the way counts against a worker's memory, so the frame is rotated in place and an RGB
    frame is not converted to RGB again (three copies took a worker 650 MB over its
    resting size for one such page)."""
    ImageOps.exif_transpose(image, in_place=True)
    if image.mode in ("1", "L", "I;16", "I;16B", "I;16L", "I", "F"):
        return _grey_array(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent areas are paper: composite onto white.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


def _grey_array(image: Image.Image) -> np.ndarray:
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        top = values.max() if values.size else 0.0
        scale = 255.0 / top if top > 255 else 1.0
        return np.clip(values * scale, 0, 255).astype(np.uint8)
    # np.array, not asarray: the page must be writable, and the frame may be closed.
    return np.array(image if image.mode == "L" else image.convert("L"), dtype=np.uint8)


def _plausible_dpi(image: Image.Image) -> float | None:
    """The file's dpi tag, or None when missing or implausible for a paper page."""
    dpi = image.info.get("dpi")
    if not dpi:
        return None
    try:
        x_dpi, y_dpi = (float(v) for v in dpi)
    except (TypeError, ValueError):
        return None
    if x_dpi <= 1 or y_dpi <= 1 or abs(x_dpi - y_dpi) > 0.02 * max(x_dpi, y_dpi):
        return None
    longest_mm = max(image.size) / x_dpi * _MM_PER_INCH
    return x_dpi if longest_mm <= MAX_PAGE_SIDE_MM else None


# --- PDF ----------------------------------------------------------------------------

_PAGE_SIZE = re.compile(rb"^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts", re.MULTILINE)
_PAGE_COUNT = re.compile(rb"^Pages:\s+(\d+)", re.MULTILINE)


def _pdf_pages(data: bytes, filename: str, max_pages: int) -> Iterator[PageImage]:
    count = _pdf_page_count(data, filename)
    if count == 0:
        raise _corrupt(filename, "the PDF has no pages")
    if count > max_pages:
        raise _too_many_pages(filename, count, max_pages)
    scale = PDF_RENDER_DPI / _PDF_POINTS_PER_INCH
    sizes = _pdf_page_sizes(data, filename, count)
    # Every page is checked before the first is rendered.
    for width_pt, height_pt in sizes:
        _check_size(filename, round(width_pt * scale), round(height_pt * scale))
    scans = _pdf_scan_resolutions(data, filename, sizes)
    return _render_pdf_pages(data, filename, count, scans)


def _render_pdf_pages(
    data: bytes, filename: str, count: int, scans: dict[int, float]
) -> Iterator[PageImage]:
    for number in range(1, count + 1):
        # A scanned page is rendered at its own resolution when that is lower: rendering
        # a 150-dpi scan at 300 dpi would hide that it is too coarse to read.
        dpi = min(float(PDF_RENDER_DPI), scans.get(number, float(PDF_RENDER_DPI)))
        yield PageImage(_render_pdf_page(data, filename, number, dpi), dpi)


def _pdf_scan_resolutions(
    data: bytes, filename: str, sizes: list[tuple[float, float]]
) -> dict[int, float]:
    """For each page that is a scan (one raster image covering most of it), its dpi."""
    listing = _poppler(["pdfimages", "-list"], data, filename).stdout
    found: dict[int, tuple[int, float]] = {}  # page → (pixels, dpi) of its largest image
    for line in listing.splitlines()[2:]:
        parts = line.split()
        if len(parts) < 14 or parts[2] != b"image":
            continue
        try:
            page, width, height = int(parts[0]), int(parts[3]), int(parts[4])
            x_ppi, y_ppi = float(parts[-4]), float(parts[-3])
        except ValueError:
            continue
        if not 1 <= page <= len(sizes) or x_ppi <= 0 or y_ppi <= 0:
            continue
        width_pt, height_pt = sizes[page - 1]
        shown = (width / x_ppi) * (height / y_ppi) * _PDF_POINTS_PER_INCH**2
        if shown < 0.5 * width_pt * height_pt:
            continue  # a logo or a photo on a vector page, not the page itself
        if width * height > found.get(page, (0, 0.0))[0]:
            found[page] = (width * height, min(x_ppi, y_ppi))
    return {page: dpi for page, (_, dpi) in found.items()}


def _poppler(args: list[str], data: bytes, filename: str) -> subprocess.CompletedProcess[bytes]:
    try:
        done = subprocess.run(
            [*args, "-"],
            input=data,
            capture_output=True,
            timeout=POPPLER_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise _corrupt(filename, f"{args[0]} timed out") from exc
    except FileNotFoundError as exc:  # poppler-utils not installed: a deployment fault
        raise RuntimeError(f"{args[0]} (poppler-utils) is not installed") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace")
        if "password" in message.lower():
            raise _unsupported(
                "encrypted_pdf",
                "パスワードで保護されたPDFは読めません。保護を外すか、紙から再スキャンしてください。"
                f"(password-protected PDF: {filename})",
            )
        raise _corrupt(filename, message.strip().splitlines()[-1] if message.strip() else "")
    return done


def _pdf_page_count(data: bytes, filename: str) -> int:
    info = _poppler(["pdfinfo"], data, filename).stdout
    match = _PAGE_COUNT.search(info)
    if match is None:
        raise _corrupt(filename, "no page count")
    return int(match.group(1))


def _pdf_page_sizes(data: bytes, filename: str, count: int) -> list[tuple[float, float]]:
    info = _poppler(["pdfinfo", "-f", "1", "-l", str(count)], data, filename).stdout
    sizes = [(float(w), float(h)) for _, w, h in _PAGE_SIZE.findall(info)]
    if len(sizes) != count:
        raise _corrupt(filename, "page sizes unreadable")
    return sizes


def _render_pdf_page(data: bytes, filename: str, number: int, dpi: float) -> np.ndarray:
    page = str(number)
    args = ["pdftoppm", "-r", f"{dpi:g}", "-f", page, "-l", page]
    ppm = _poppler(args, data, filename).stdout
    try:
        with Image.open(io.BytesIO(ppm)) as image:
            return _to_array(image)
    except (UnidentifiedImageError, OSError) as exc:
        raise _corrupt(filename, f"page {number} did not render") from exc
