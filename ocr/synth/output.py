"""Write a sample as PNG, JPEG, TIFF or PDF with its resolution in the file."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from ocr.synth.sample import Sample

FORMATS = {
    ".png": "png",
    ".jpg": "jpg",
    ".jpeg": "jpg",
    ".tif": "tif",
    ".tiff": "tif",
    ".pdf": "pdf",
}


def write_sample(sample: Sample, path: Path, fmt: str | None = None) -> Path:
    """Write ``sample.image`` to ``path`` and return the path.

    The format comes from ``fmt`` (png, jpg, tif, pdf) or the suffix. The sample's dpi goes
    into the file (PNG pHYs, JPEG JFIF density, TIFF resolution tags, PDF page size) so a
    reader recovers the physical size: a PDF page is pixels ÷ dpi inches wide, and poppler
    rendering it at that dpi gives back the same pixels.
    """
    path = Path(path)
    kind = fmt.lower().lstrip(".") if fmt else FORMATS.get(path.suffix.lower())
    kind = {"jpeg": "jpg", "tiff": "tif"}.get(kind or "", kind)
    if kind not in ("png", "jpg", "tif", "pdf"):
        raise ValueError(f"cannot tell the image format of {path} (use .png, .jpg, .tif or .pdf)")
    image = sample.image.convert("RGB")
    dpi = (sample.dpi, sample.dpi)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "png":
        image.save(path, "PNG", dpi=dpi)
    elif kind == "jpg":
        image.save(path, "JPEG", dpi=dpi, quality=92)
    elif kind == "tif" and _is_bilevel(image):
        # Bilevel scans (fax mode) are stored the way scanners store them: 1 bit, CCITT G4.
        image.convert("1").save(path, "TIFF", dpi=dpi, compression="group4")
    elif kind == "tif":
        image.save(path, "TIFF", dpi=dpi, compression="tiff_lzw")
    else:
        # RGB pages are stored as JPEG inside the PDF; keep them close to the original.
        image.save(path, "PDF", resolution=float(sample.dpi), quality=92)
    return path


def _is_bilevel(image: Image.Image) -> bool:
    """Only pure black and pure white pixels (a fax-like scan)."""
    colours = image.getcolors(maxcolors=2)
    return colours is not None and {c for _, c in colours} <= {(0, 0, 0), (255, 255, 255)}
