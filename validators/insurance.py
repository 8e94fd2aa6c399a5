"""生命保険料控除 of 所得税 (所得税法76条; NTA タックスアンサー No.1140) from the premiums paid.

Contracts from 平成24年 on (新) and before (旧) have their own scales; where both exist in one
category the larger of "旧 alone" and "新 + 旧, at most 40,000" applies. Fractions of a yen
are rounded up. The total is at most 120,000.
"""

from __future__ import annotations

from collections.abc import Sequence

#: (premium up to, rate numerator, rate denominator, addition); above the last row: the cap.
_Scale = Sequence[tuple[int, int, int, int]]

_NEW: _Scale = ((20_000, 1, 1, 0), (40_000, 1, 2, 10_000), (80_000, 1, 4, 20_000))
_NEW_CAP = 40_000
_OLD: _Scale = ((25_000, 1, 1, 0), (50_000, 1, 2, 12_500), (100_000, 1, 4, 25_000))
_OLD_CAP = 50_000
_COMBINED_CAP = 40_000
TOTAL_CAP = 120_000


def _scaled(premium: int, scale: _Scale, cap: int) -> int:
    for upper, numerator, denominator, addition in scale:
        if premium <= upper:
            return -(-premium * numerator // denominator) + addition  # rounded up
    return cap


def _category(new: int, old: int) -> int:
    new_part = _scaled(new, _NEW, _NEW_CAP)
    old_part = _scaled(old, _OLD, _OLD_CAP)
    if new and old:
        return max(old_part, min(new_part + old_part, _COMBINED_CAP))
    return new_part if new else old_part


def life_insurance_deduction(
    new_life: int, old_life: int, medical: int, new_pension: int, old_pension: int
) -> int:
    """The deduction for the premiums paid in each category (0 where none)."""
    total = (
        _category(new_life, old_life)
        + _scaled(medical, _NEW, _NEW_CAP)
        + _category(new_pension, old_pension)
    )
    return min(total, TOTAL_CAP)
