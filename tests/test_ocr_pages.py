"""split_pages: type sniffing, page counts, dpi, and refusal of bad input with a reason."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from intake.errors import UnsupportedFile
from ocr.layout import load_layout
from ocr.pages import MAX_PAGE_PIXELS, sniff_type, split_pages


def _blank(form_id: str = "kyuyo_kojinbetsu") -> Image.Image:
    return Image.open(load_layout(form_id).blank_image_path).convert("RGB")


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _pdf(objects: list[bytes]) -> bytes:
    """A minimal PDF with a correct cross-reference table; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    return bytes(out) + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )


def _one_page_pdf(width_pt: float, height_pt: float) -> bytes:
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] >>" % (width_pt, height_pt),
        ]
    )


def _codes(data: bytes, max_pages: int = 50) -> str:
    with pytest.raises(UnsupportedFile) as caught:
        split_pages(data, "upload.bin", max_pages)
    # Japanese first, an English gloss in parentheses, as the station screen shows it.
    reason = caught.value.reason
    japanese, _, english = reason.rpartition("(")
    assert not japanese.isascii() and english.isascii() and english.endswith(")"), reason
    return caught.value.code


def test_png_keeps_its_dpi_and_pixels() -> None:
    blank = _blank()
    pages = split_pages(_encode(blank, "PNG", dpi=(300, 300)), "scan.png", 50)
    assert len(pages) == 1
    assert pages[0].image.shape == (blank.height, blank.width, 3)
    assert pages[0].dpi == pytest.approx(300, abs=0.5)
    # BGR order: a pure red pixel comes back as (0, 0, 255).
    red = Image.new("RGB", (40, 30), (255, 0, 0))
    (page,) = split_pages(_encode(red, "PNG"), "red.png", 50)
    assert tuple(page.image[0, 0]) == (0, 0, 255)
    assert page.dpi is None


def test_jpeg_dpi_tag_is_used_when_plausible() -> None:
    blank = _blank().resize((1165, 827))  # the slip at 200 dpi
    (page,) = split_pages(_encode(blank, "JPEG", dpi=(200, 200), quality=80), "a.jpg", 50)
    assert page.dpi == pytest.approx(200)
    # 72 dpi on a 300-dpi-sized image would make a 60 cm page: a default, not a fact.
    full = _blank()
    (page,) = split_pages(_encode(full, "JPEG", dpi=(72, 72)), "b.jpg", 50)
    assert page.dpi is None


def test_a_phone_photo_is_turned_as_its_exif_orientation_says() -> None:
    # Stored landscape with a red left edge; Orientation 6 means "turn 90° clockwise to
    # view", so the page comes back portrait with the red edge at the top.
    photo = Image.new("RGB", (60, 40), (255, 255, 255))
    photo.paste((255, 0, 0), (0, 0, 10, 40))
    exif = Image.Exif()
    exif[0x0112] = 6
    (page,) = split_pages(_encode(photo, "JPEG", exif=exif, quality=95), "phone.jpg", 50)
    assert page.image.shape == (60, 40, 3)
    assert page.image[2, 20, 2] > 200 and page.image[2, 20, 0] < 60  # red, in BGR
    assert page.image[57, 20].min() > 200  # the far edge is white


def test_decoding_a_large_colour_scan_copies_it_few_times() -> None:
    """A 600-dpi A4 colour page is ~100 MB as an array: each extra copy while decoding is a
    worker's memory. Measured in a fresh process (peak resident size over its start)."""
    script = """
import io, sys
import numpy as np
from PIL import Image
from ocr.pages import split_pages
image = Image.new("RGB", (4960, 7016), (250, 250, 250))
image.paste((20, 20, 120), (500, 500, 4000, 600))
buffer = io.BytesIO()
image.save(buffer, "PNG", compress_level=1)
data = buffer.getvalue()
del image, buffer
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
open("/proc/self/clear_refs", "w").write("5")  # peak := current
before = status("VmRSS")
(page,) = split_pages(data, "scan.png", 50)
print((status("VmHWM") - before) / page.image.nbytes)
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    copies = float(done.stdout.strip())
    # Pillow's own frame (4 bytes a pixel), its bytes for numpy, the BGR array: ~3.4.
    assert copies < 4.5, f"decoding peaked at {copies:.1f}× the page's size"


def test_multipage_tiff_in_mixed_modes() -> None:
    blank = _blank()
    frames = [blank.convert("1"), blank.convert("L"), blank]
    data = _encode(frames[0], "TIFF", save_all=True, append_images=frames[1:], dpi=(300, 300))
    pages = split_pages(data, "batch.tif", 50)
    assert [p.image.ndim for p in pages] == [2, 2, 3]
    assert all(p.image.dtype == np.uint8 for p in pages)
    assert all(p.dpi == pytest.approx(300) for p in pages)
    # The 1-bit frame decodes to 0/255 grey, not 0/1.
    assert set(np.unique(pages[0].image)) == {0, 255}
    assert _codes(data, max_pages=2) == "too_many_pages"


def test_pdf_pages_render_at_300_dpi_without_temp_files(tmp_path: Path) -> None:
    slip, sheet = _blank("kyuyo_kojinbetsu"), _blank("shinkoku_p1")
    data = _encode(slip, "PDF", save_all=True, append_images=[sheet], resolution=300.0)
    before = tempfile.tempdir
    os.environ["TMPDIR"], tempfile.tempdir = str(tmp_path), str(tmp_path)
    try:
        pages = split_pages(data, "two.pdf", 50)
    finally:
        tempfile.tempdir = before
        del os.environ["TMPDIR"]
    assert list(tmp_path.iterdir()) == []
    assert [p.dpi for p in pages] == [300.0, 300.0]
    assert abs(pages[0].image.shape[1] - slip.width) <= 2
    assert abs(pages[1].image.shape[0] - sheet.height) <= 2
    # The render is the page, not an empty canvas: the form's ink is there.
    assert (pages[1].image < 128).mean() > 0.01
    assert _codes(data, max_pages=1) == "too_many_pages"


def test_type_comes_from_magic_bytes_not_the_name() -> None:
    png = _encode(_blank(), "PNG")
    assert sniff_type(png) == "png"
    assert len(split_pages(png, "looks-like.pdf", 50)) == 1
    assert _codes("Name,Amount\n山田,100\n".encode()) == "unsupported_type"
    assert _codes(b"GIF89a" + bytes(100)) == "unsupported_type"


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")  # Pillow's note on the cut TIFF
def test_empty_truncated_and_corrupt_files_are_refused() -> None:
    assert _codes(b"") == "empty_file"
    png = _encode(_blank(), "PNG")
    assert _codes(png[: len(png) // 2]) == "corrupt_file"
    jpeg = _encode(_blank(), "JPEG")
    assert _codes(jpeg[: len(jpeg) // 3]) == "corrupt_file"
    tiff = _encode(_blank(), "TIFF", compression="tiff_lzw")
    assert _codes(tiff[:200]) == "corrupt_file"
    assert _codes(b"%PDF-1.4\n" + bytes(500)) == "corrupt_file"
    assert (
        _codes(
            _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])
        )
        == "corrupt_file"
    )


def test_password_protected_pdf_is_refused() -> None:
    # Standard security handler with a user password: the /U check fails for "".
    encrypted = _one_page_pdf(420, 298).replace(
        b"/Root 1 0 R",
        b"/Root 1 0 R /Encrypt << /Filter /Standard /V 1 /R 2 /P -4 /O <%s> /U <%s> >>"
        b" /ID [<%s> <%s>]" % (b"ab" * 32, b"cd" * 32, b"01" * 16, b"01" * 16),
    )
    assert _codes(encrypted) == "encrypted_pdf"


def test_decompression_bombs_are_refused_before_decoding() -> None:
    # A PNG header announcing 40000 x 40000 pixels over a few bytes of data.
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 40_000, 40_000, 8, 0, 0, 0, 0)
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
    assert MAX_PAGE_PIXELS < 40_000**2
    assert _codes(bomb) == "image_too_large"
    # A PDF page 5 m wide would render to about 1.4 gigapixels at 300 dpi.
    assert _codes(_one_page_pdf(14_000, 14_000)) == "image_too_large"


def test_scanned_pdf_pages_keep_their_own_resolution() -> None:
    """A 150-dpi scan wrapped in a PDF stays a 150-dpi page (and is refused later for it);
    a 600-dpi scan is rendered at 300 dpi, the template grid."""
    blank = _blank()
    coarse = blank.resize((blank.width // 2, blank.height // 2))
    fine = blank.resize((blank.width * 2, blank.height * 2))
    (page,) = split_pages(_encode(coarse, "PDF", resolution=150.0), "coarse.pdf", 50)
    assert page.dpi == pytest.approx(150)
    assert abs(page.image.shape[1] - coarse.width) <= 2
    (page,) = split_pages(_encode(fine, "PDF", resolution=600.0), "fine.pdf", 50)
    assert page.dpi == 300.0
    assert abs(page.image.shape[1] - blank.width) <= 2
