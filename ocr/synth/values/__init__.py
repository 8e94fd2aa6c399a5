"""Fictitious, internally consistent values for each form (truth + how the paper shows them)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

TruthValue = str | int | bool


@dataclass
class Filled:
    """The values of one filled form.

    ``truth`` holds the normalized value of every non-empty field. ``shown`` overrides the
    printed text where it cannot be derived from the truth alone (address notation and line
    breaks, hiragana フリガナ, …): one string per line.
    """

    truth: dict[str, TruthValue] = field(default_factory=dict)
    shown: dict[str, tuple[str, ...]] = field(default_factory=dict)


def generate(form_id: str, rng: random.Random) -> Filled:
    """Fill ``form_id`` with values drawn from ``rng``."""
    from ocr.synth.values import kyuyo, nenkin, shinkoku

    generators: dict[str, Callable[[random.Random], Filled]] = {
        "kyuyo_kojinbetsu": kyuyo.generate,
        "nenkin_kojinbetsu": nenkin.generate,
        "shinkoku_p1": shinkoku.generate,
    }
    try:
        generator = generators[form_id]
    except KeyError:
        raise KeyError(f"no value generator for form {form_id!r}") from None
    return generator(rng)
