"""What extraction returns for one page: engine-neutral, JSON-friendly, no engine objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: A normalized field value: str, int, bool, or None for an empty field.
Value = str | int | bool | None


#: The reasons a field is sent to review, as :attr:`FieldResult.doubts` names them.
DOUBTS = {
    "unreadable": "no value of the field's type could be read",
    "uncertain": "the recogniser's certainty is below the field type's threshold",
    "disagreement": "the second engine read another value",
    "reading_mismatch": "a name and its フリガナ do not match",
    "respelled": "the dictionary's likelier spelling, or the listed value, replaced what was read",
    "unusual": "not one of the values this box holds in practice",
    "variant": "a character may be written in a variant form (﨑, 髙, 穗 …)",
    "spill": "the writing runs on into a neighbouring box or under the box's side",
    "faint": "faint writing beside what was read",
    "unread": "the writing runs on past the characters read",
    "stray_ink": "ink around a checkbox that belongs to no field (a stamp, a stroke)",
    "page": "most of the page's writing is in doubt",
    "off_the_scan": "the field's box lies partly off the scanned image",
}
#: The same reasons as the correction screen gives them, in the division's language.
DOUBT_MESSAGES_JA = {
    "unreadable": "読み取れませんでした",
    "uncertain": "認識の確かさが低い",
    "disagreement": "二つの認識エンジンの結果が異なる",
    "reading_mismatch": "氏名とフリガナが合わない",
    "respelled": "辞書・一覧の表記に置き換えた",
    "unusual": "この欄にふつう書かれない値",
    "variant": "異体字（﨑・髙など）の可能性",
    "spill": "文字が隣の欄や枠線にかかっている",
    "faint": "かすれた文字が隣にある",
    "unread": "読み取った文字の先にも書き込みがある",
    "stray_ink": "欄の周りに印影などのインク",
    "page": "ページ全体の読み取りが不確か",
    "off_the_scan": "欄の一部がスキャン範囲の外",
}
#: Doubts another reading of the same value can settle: the value itself is complete and
#: only its characters' certainty is in question.
CONFIRMABLE_DOUBTS = frozenset({"uncertain", "disagreement"})


@dataclass
class FieldResult:
    name: str
    value: Value
    confidence: float
    needs_review: bool
    raw_text: str = ""
    #: (x, y, w, h) of the field box on the registered page image, in pixels.
    bbox: tuple[int, int, int, int] | None = None
    #: Why the field needs review (see :data:`DOUBTS`); empty when it does not.
    doubts: tuple[str, ...] = ()

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
