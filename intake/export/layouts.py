"""The electronic record layouts, kept as data in ``layouts/*.json`` (one file per layout)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from intake.errors import TaxIntakeError

LAYOUTS_DIR = Path(__file__).parent / "layouts"

#: How an item is written: half-width digits; half-width ASCII; full-width (converted);
#: half-width katakana with a half-width space.
ItemKind = Literal["digits", "half", "full", "kana"]


class ExportError(TaxIntakeError):
    """A record cannot be written in its layout; the message names the item, not the value."""


@dataclass(frozen=True)
class RecordItem:
    number: int
    name: str
    kind: ItemKind
    #: Characters (digits); None where the spec gives no limit.
    max_len: int | None
    #: Items filled from settings or context rather than from a slip field
    #: (record_kind, submission_kind, municipality_code, creation_kind, …).
    key: str | None = None


@dataclass(frozen=True)
class RecordLayout:
    name: str
    #: 法定資料の種類 (item 1).
    record_kind: str
    items: tuple[RecordItem, ...]

    @property
    def item_count(self) -> int:
        return len(self.items)


@lru_cache
def load_record_layout(name: str) -> RecordLayout:
    """The layout ``layouts/<name>.json``; its items must be numbered 1, 2, … without gaps."""
    path = LAYOUTS_DIR / f"{name}.json"
    if not path.is_file():
        raise ExportError(f"no record layout {name!r} in {LAYOUTS_DIR}")
    raw = json.loads(path.read_text(encoding="utf-8"))
    items = tuple(
        RecordItem(i["no"], i["name"], i["kind"], i["max_len"], i.get("key")) for i in raw["items"]
    )
    if [item.number for item in items] != list(range(1, len(items) + 1)):
        raise ExportError(f"layout {name!r}: items are not numbered 1..{len(items)}")
    return RecordLayout(name=name, record_kind=raw["法定資料の種類"], items=items)
