"""The fonts samples are written in: found by path, cached, with the Debian package to install."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont


class FontMissing(RuntimeError):
    """A font file is not installed; the message names the Debian package that provides it."""


@dataclass(frozen=True)
class FontSpec:
    name: str
    path: Path
    #: Face index inside a .ttc collection (the JP face of Noto CJK is 0).
    index: int
    debian_package: str
    handwriting: bool


_NOTO = Path("/usr/share/fonts/opentype/noto")
_TRUETYPE = Path("/usr/share/fonts/truetype")

FONTS: dict[str, FontSpec] = {
    spec.name: spec
    for spec in (
        FontSpec("Noto Sans CJK JP", _NOTO / "NotoSansCJK-Regular.ttc", 0, "fonts-noto-cjk", False),
        FontSpec(
            "Noto Serif CJK JP", _NOTO / "NotoSerifCJK-Regular.ttc", 0, "fonts-noto-cjk", False
        ),
        FontSpec(
            "IPAex Gothic",
            Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
            0,
            "fonts-ipaexfont-gothic",
            False,
        ),
        FontSpec(
            "IPAex Mincho",
            Path("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"),
            0,
            "fonts-ipaexfont-mincho",
            False,
        ),
        FontSpec("Klee One", _TRUETYPE / "klee/KleeOne-Regular.ttf", 0, "fonts-klee", True),
        FontSpec(
            "Klee One SemiBold", _TRUETYPE / "klee/KleeOne-SemiBold.ttf", 0, "fonts-klee", True
        ),
        FontSpec("Seto Font", _TRUETYPE / "seto/setofont.ttf", 0, "fonts-seto", True),
        FontSpec("Kiloji", _TRUETYPE / "kiloji/kiloji.ttf", 0, "fonts-kiloji", True),
        FontSpec(
            "Aoyagi Soseki",
            _TRUETYPE / "aoyagi-soseki/aoyagi-soseki.ttf",
            0,
            "fonts-aoyagi-soseki",
            True,
        ),
    )
}

PRINT_FONTS: tuple[str, ...] = tuple(name for name, spec in FONTS.items() if not spec.handwriting)
HANDWRITING_FONTS: tuple[str, ...] = tuple(name for name, spec in FONTS.items() if spec.handwriting)


def font_spec(name: str) -> FontSpec:
    """The spec of font ``name``; raises :class:`FontMissing` if its file is not installed."""
    try:
        spec = FONTS[name]
    except KeyError:
        raise KeyError(f"unknown font {name!r}; known: {', '.join(FONTS)}") from None
    if not spec.path.is_file():
        raise FontMissing(
            f"font {name!r} not found at {spec.path}; install it with "
            f"`apt-get install {spec.debian_package}`"
        )
    return spec


def pil_font(name: str, size_px: int) -> ImageFont.FreeTypeFont:
    """A PIL font of ``name`` at about ``size_px`` pixels (em size; even sizes only), cached.

    Each font object holds its own FreeType face (over 1 MB for the CJK fonts), so sizes are
    rounded to even pixels and few are kept.
    """
    return _pil_font(name, max(4, size_px + size_px % 2))


@lru_cache(maxsize=48)
def _pil_font(name: str, size_px: int) -> ImageFont.FreeTypeFont:
    spec = font_spec(name)
    return ImageFont.truetype(str(spec.path), size_px, index=spec.index)


#: A private-use code point no font here defines: it draws the font's .notdef glyph.
_UNDEFINED = "\ue000"


@lru_cache(maxsize=65536)
def has_glyph(name: str, char: str) -> bool:
    """Whether the font defines ``char`` (its drawing differs from the .notdef glyph).

    PIL exposes no cmap; comparing with .notdef avoids a fontTools dependency.
    """
    font = pil_font(name, 24)
    return bytes(font.getmask(char)) != bytes(font.getmask(_UNDEFINED)) or (
        font.getbbox(char) != font.getbbox(_UNDEFINED)
    )


def covers(name: str, text: str) -> bool:
    """Whether the font draws every non-space character of ``text``."""
    return all(has_glyph(name, c) for c in text if not c.isspace())
