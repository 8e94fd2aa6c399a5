"""How one sample is written: font, size, ink and the notation choices a payroll program or a
person makes (commas in amounts, 昭 or 昭和, the tick mark, half-width kana)."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any

#: Ink colours (RGB): printer black, pen black, ballpoint blue.
PRINT_BLACK = (22, 22, 24)
PEN_BLACK = (35, 35, 45)
PEN_BLUE = (28, 52, 150)


@dataclass(frozen=True)
class Style:
    font: str
    handwriting: bool
    ink: tuple[int, int, int]
    #: Em size of the text in millimetres (shrunk further where a box is too small).
    size_mm: float
    amount_commas: bool
    era_abbreviated: bool
    #: 「＊」, 「○」 (drawn circle), 「✓」 (drawn tick) or 「レ」.
    check_mark: str
    kana_half_width: bool
    #: Values printed off their boxes (a misfed sheet), in millimetres; 0 keeps them inside.
    offset_mm: tuple[float, float] = (0.0, 0.0)
    #: Handwriting only: the writer's slant (shear; negative leans right) and a broad pen.
    slant: float = 0.0
    heavy: bool = False

    def as_json(self) -> dict[str, Any]:
        """The choices as a JSON-friendly dict (recorded with the sample)."""
        return asdict(self)


def printed_style(rng: random.Random, font: str) -> Style:
    """A payroll program's output: one font, 2–3 mm, consistent notation."""
    return Style(
        font=font,
        handwriting=False,
        ink=PRINT_BLACK,
        size_mm=rng.uniform(1.9, 2.5),
        amount_commas=rng.random() < 0.8,
        era_abbreviated=rng.random() < 0.5,
        check_mark=rng.choice(("＊", "＊", "○", "✓")),
        kana_half_width=rng.random() < 0.35,
    )


def handwriting_style(rng: random.Random, font: str) -> Style:
    """A person with a pen: larger letters, black or blue ink."""
    return Style(
        font=font,
        handwriting=True,
        ink=PEN_BLUE if rng.random() < 0.35 else PEN_BLACK,
        size_mm=rng.uniform(3.8, 5.5),
        amount_commas=rng.random() < 0.5,
        era_abbreviated=rng.random() < 0.7,
        check_mark=rng.choice(("✓", "✓", "○", "レ")),
        kana_half_width=False,
        slant=rng.uniform(-0.25, 0.08),
        heavy=rng.random() < 0.3,
    )
