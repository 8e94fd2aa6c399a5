"""Per-type review thresholds and how two engines' readings combine into one confidence.

The thresholds are fitted on generated samples by ``ocr/calibration/calibrate.py`` and kept
in ``ocr/calibration/thresholds.json``; the defaults below apply until that file exists.
"""

from __future__ import annotations

import json
from pathlib import Path

THRESHOLDS_PATH = Path(__file__).parent / "calibration" / "thresholds.json"

#: Used for a type the calibration file does not cover.
DEFAULT_THRESHOLD = 0.9

#: How much of the remaining doubt an agreeing second engine removes. The engines fail in
#: different ways (CTC network against LSTM with its own segmentation), so agreement is
#: strong evidence; the calibrated thresholds decide what it is worth in practice.
AGREEMENT_WEIGHT = 0.5


def load_thresholds(path: Path = THRESHOLDS_PATH) -> dict[str, float]:
    """Review threshold per field type from the calibration file (empty if absent)."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {name: float(entry["threshold"]) for name, entry in data["types"].items()}


#: Module-level table: field type -> confidence below which the field goes to review.
THRESHOLDS: dict[str, float] = load_thresholds()


def threshold(field_type: str) -> float:
    """The review threshold for ``field_type``."""
    return THRESHOLDS.get(field_type, DEFAULT_THRESHOLD)


def use_thresholds(table: dict[str, float], default: float = DEFAULT_THRESHOLD) -> None:
    """Replace the table in this process (calibration reads with every threshold at 0)."""
    global DEFAULT_THRESHOLD
    THRESHOLDS.clear()
    THRESHOLDS.update(table)
    DEFAULT_THRESHOLD = default


def combined(primary: float, agrees: bool | None) -> float:
    """Confidence of a value read by the primary engine with ``primary`` certainty.

    ``agrees`` is None when no second engine read the field, True when it read the same
    normalized value and False when it read another (which halves the confidence; the
    field goes to review regardless).
    """
    if agrees is None:
        return primary
    if agrees:
        return primary + (1.0 - primary) * AGREEMENT_WEIGHT
    return primary * 0.5
