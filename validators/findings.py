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
    staff, ``message_en`` for logs; neither repeats a 個人番号 or a name. ``involves`` names the
    other fields a failed check read: any of them may be the misread one (支払金額 418,005 for
    4,180,051 fails the 給与所得 check shown at 給与所得控除後の金額).
    """

    rule: str
    severity: Severity
    field: str | None
    message_ja: str
    message_en: str
    involves: tuple[str, ...] = ()

    def fields_in_review(self) -> tuple[str | None, ...]:
        """The fields this finding sends to review: its own, and for an error every field
        the failed check read (any of them may be the misread one)."""
        involved = self.involves if self.severity == "error" else ()
        return (self.field, *involved)

    def as_dict(self) -> dict[str, str | None]:
        """The JSON shape stored with a field value (``FieldValue.issues``) or a page."""
        shown = asdict(self)
        del shown["involves"]
        return shown


def error(
    rule: str, field: str | None, ja: str, en: str, involves: tuple[str, ...] = ()
) -> Finding:
    return Finding(rule, "error", field, ja, en, involves)


def warning(rule: str, field: str | None, ja: str, en: str) -> Finding:
    return Finding(rule, "warning", field, ja, en)


def yen(amount: int) -> str:
    """An amount as staff read it: 「1,234,000円」."""
    return f"{amount:,}円"
