"""What extraction returns for one page: engine-neutral, JSON-friendly, no engine objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: A normalized field value: str, int, bool, or None for an empty field.
Value = str | int | bool | None


@dataclass
class FieldResult:
    name: str
    value: Value
    confidence: float
    needs_review: bool
    raw_text: str = ""
    #: (x, y, w, h) of the field box on the registered page image, in pixels.
    bbox: tuple[int, int, int, int] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "confidence": round(self.confidence, 4),
            "needs_review": self.needs_review,
        }


@dataclass
class PageResult:
    page: int  # 1-based
    form_id: str | None
    status: str  # "ok" or "rejected"
    reason: str | None = None
    reason_code: str | None = None
    fields: dict[str, FieldResult] = field(default_factory=dict)
    seconds: float = 0.0
    registration_quality: float | None = None
    #: The page registered to its template (grey, template pixel grid); None when rejected.
    image: np.ndarray | None = field(default=None, repr=False)
    #: Validation findings of the page's values (``validators.rules.Finding``), set by the
    #: pipeline after extraction.
    findings: list[Any] = field(default_factory=list)
