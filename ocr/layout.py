"""The form layouts shipped with the product (``ocr/forms/*.json``, millimetres)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

FORMS_DIR = Path(__file__).parent / "forms"
FORM_IDS = ("kyuyo_kojinbetsu", "nenkin_kojinbetsu", "shinkoku_p1")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    type: str
    box_mm: tuple[float, float, float, float]
    max_len: int
    required: bool
    csv_item: int | None
    cells: int | None = None
    group: str | None = None


@dataclass(frozen=True)
class FormLayout:
    form_id: str
    title: str
    version: int
    width_mm: float
    height_mm: float
    fields: tuple[FieldSpec, ...]
    printed: tuple[dict[str, Any], ...] = field(repr=False)

    @property
    def blank_image_path(self) -> Path:
        return FORMS_DIR / "blank" / f"{self.form_id}.png"

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


def _field(raw: dict[str, Any]) -> FieldSpec:
    x, y, w, h = raw["box_mm"]
    return FieldSpec(
        name=raw["name"],
        label=raw["label"],
        type=raw["type"],
        box_mm=(x, y, w, h),
        max_len=raw["max_len"],
        required=raw["required"],
        csv_item=raw.get("csv_item"),
        cells=raw.get("cells"),
        group=raw.get("group"),
    )


@lru_cache
def load_layout(form_id: str) -> FormLayout:
    if form_id not in FORM_IDS:
        raise KeyError(f"unknown form {form_id!r}; known: {', '.join(FORM_IDS)}")
    raw = json.loads((FORMS_DIR / f"{form_id}.json").read_text(encoding="utf-8"))
    return FormLayout(
        form_id=raw["form_id"],
        title=raw["title"],
        version=raw["version"],
        width_mm=raw["page"]["width_mm"],
        height_mm=raw["page"]["height_mm"],
        fields=tuple(_field(f) for f in raw["fields"]),
        printed=tuple(raw["printed"]),
    )


def all_layouts() -> list[FormLayout]:
    return [load_layout(f) for f in FORM_IDS]
