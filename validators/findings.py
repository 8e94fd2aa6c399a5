"""What a validation rule reports: one :class:`Finding` per problem, in Japanese and English."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Literal

Value = str | int | bool | None
Values = Mapping[str, Value]
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem with a record.

    ``rule`` is a stable id (``check_digit``, ``salary_income`` …); ``field`` names the field the
    correction screen shows the finding at (None: the record as a whole). ``message_ja`` is for
    staff, ``message_en`` for logs; neither repeats a 個人番号 or a name.
    """

    rule: str
    severity: Severity
    field: str | None
    message_ja: str
    message_en: str

    def as_dict(self) -> dict[str, str | None]:
        """The JSON shape stored with a field value (``FieldValue.issues``) or a page."""
        return asdict(self)


def error(rule: str, field: str | None, ja: str, en: str) -> Finding:
    return Finding(rule, "error", field, ja, en)


def warning(rule: str, field: str | None, ja: str, en: str) -> Finding:
    return Finding(rule, "warning", field, ja, en)


def yen(amount: int) -> str:
    """An amount as staff read it: 「1,234,000円」."""
    return f"{amount:,}円"
