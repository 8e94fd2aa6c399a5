"""One synthetic scan: a filled form image with the normalized truth of every written field."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from ocr.layout import load_layout
from ocr.synth import degrade
from ocr.synth.fonts import FONTS, HANDWRITING_FONTS, PRINT_FONTS, FontMissing, covers, font_spec
from ocr.synth.render import RENDER_DPI, render_form
from ocr.synth.style import handwriting_style, printed_style
from ocr.synth.values import TruthValue, generate

CONDITIONS = ("clean", "degraded", "handwritten")

#: Forms people fill in by hand; the others are printed by payroll or pension software.
HANDWRITTEN_FORMS = frozenset({"shinkoku_p1"})


@dataclass
class Sample:
    """A rendered sample and what is written on it.

    ``truth`` holds the normalized value of every non-empty field (README "Field types").
    ``params`` records how it was made: the writing style and each degradation applied.
    """

    image: Image.Image
    dpi: int
    truth: dict[str, TruthValue]
    form_id: str
    font: str
    condition: str
    seed: int
    params: dict[str, Any] = field(default_factory=dict)


def make_sample(
    form_id: str, seed: int, condition: str = "clean", font: str | None = None
) -> Sample:
    """Fill ``form_id`` with fictitious values (fixed by ``seed``) and render it.

    ``clean``: the form's own writing (printed slips, handwritten 申告書), a perfect scan.
    ``degraded``: the same, scanned badly (a random combination of :mod:`ocr.synth.degrade`).
    ``handwritten``: every form written by hand, a clean scan.
    The values depend only on ``form_id`` and ``seed``, so the conditions of one seed share
    their truth.
    """
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}; known: {', '.join(CONDITIONS)}")
    layout = load_layout(form_id)
    filled = generate(form_id, random.Random(f"values:{form_id}:{seed}"))
    style_rng = random.Random(f"style:{form_id}:{seed}:{condition}")
    handwriting = form_id in HANDWRITTEN_FORMS or condition == "handwritten"
    text = "".join(str(v) for v in filled.truth.values()) + "".join(
        "".join(lines) for lines in filled.shown.values()
    )
    font_name = _choose_font(style_rng, handwriting, font, text)
    style = (handwriting_style if handwriting else printed_style)(style_rng, font_name)
    plan = degrade.random_plan(style_rng, layout.width_mm) if condition == "degraded" else []
    style = degrade.apply_to_style(style, plan)
    image = render_form(layout, filled.truth, filled.shown, style, style_rng)
    dpi = RENDER_DPI
    if plan:
        image, dpi = degrade.apply(
            image, RENDER_DPI, plan, np.random.default_rng(_int_seed(form_id, seed))
        )
    return Sample(
        image=image,
        dpi=dpi,
        truth=dict(filled.truth),
        form_id=form_id,
        font=font_name,
        condition=condition,
        seed=seed,
        params={"style": style.as_json(), "degradations": [step.as_json() for step in plan]},
    )


def _choose_font(rng: random.Random, handwriting: bool, requested: str | None, text: str) -> str:
    """The requested font, or a seeded choice among the installed fonts of the writing kind
    that cover every character to be written (a partial font install still works)."""
    if requested is not None:
        font_spec(requested)
        if not covers(requested, text):
            raise ValueError(f"font {requested!r} lacks characters of this sample")
        return requested
    candidates = list(HANDWRITING_FONTS if handwriting else PRINT_FONTS)
    rng.shuffle(candidates)
    installed = [name for name in candidates if FONTS[name].path.is_file()]
    if not installed:
        packages = sorted({FONTS[name].debian_package for name in candidates})
        raise FontMissing(
            f"no {'handwriting' if handwriting else 'print'} font installed; "
            f"install one of: apt-get install {' '.join(packages)}"
        )
    for name in installed:
        if covers(name, text):
            return name
    raise ValueError("no installed font covers every character of this sample")


def _int_seed(*parts: object) -> int:
    """A stable integer seed from ``parts`` (``hash()`` is salted per process)."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")
