"""基礎控除 of 所得税 by 合計所得金額 (所得税法86条; spec §5.5), per 令和 年分.

令和7・8年分 carry the temporary additions of the 2025 reform (up to 95万円 for low incomes).
令和8年分 is left out until its amounts are confirmed as enacted (spec §5.3).
"""

from __future__ import annotations

#: (合計所得金額 up to, 基礎控除); above the last row 0.
_REIWA_2_TO_6 = ((24_000_000, 480_000), (24_500_000, 320_000), (25_000_000, 160_000))
_REIWA_7 = (
    (1_320_000, 950_000),
    (3_360_000, 880_000),
    (4_890_000, 680_000),
    (6_550_000, 630_000),
    (23_500_000, 580_000),
    (24_000_000, 480_000),
    (24_500_000, 320_000),
    (25_000_000, 160_000),
)

TABLES: dict[int, tuple[tuple[int, int], ...]] = {
    2: _REIWA_2_TO_6,
    3: _REIWA_2_TO_6,
    4: _REIWA_2_TO_6,
    5: _REIWA_2_TO_6,
    6: _REIWA_2_TO_6,
    7: _REIWA_7,
}


def basic_deduction(total_income: int, era_year: int) -> int | None:
    """基礎控除 for 合計所得金額 ``total_income`` in 令和 ``era_year`` 年分; None if unknown."""
    table = TABLES.get(era_year)
    if table is None:
        return None
    for upper, amount in table:
        if total_income <= upper:
            return amount
    return 0


def possible_amounts(era_year: int) -> frozenset[int] | None:
    """Every amount the 年分's table can give; None for an unknown year."""
    table = TABLES.get(era_year)
    return None if table is None else frozenset({0, *(amount for _, amount in table)})
