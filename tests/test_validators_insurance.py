"""validators.insurance: 生命保険料控除 from premiums (NTA No.1140)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from validators.insurance import life_insurance_deduction


@pytest.mark.parametrize(
    ("premiums", "expected"),
    [
        ((0, 0, 0, 0, 0), 0),
        ((20_000, 0, 0, 0, 0), 20_000),
        ((30_000, 0, 0, 0, 0), 25_000),
        ((60_000, 0, 0, 0, 0), 35_000),
        ((100_000, 0, 0, 0, 0), 40_000),
        ((0, 25_000, 0, 0, 0), 25_000),
        ((0, 40_000, 0, 0, 0), 32_500),
        ((0, 80_000, 0, 0, 0), 45_000),
        ((0, 150_000, 0, 0, 0), 50_000),
        ((0, 0, 30_001, 0, 0), 25_001),  # 30,001 / 2 = 15,000.5 → rounded up
        ((30_000, 40_000, 0, 0, 0), 40_000),  # 旧 alone 32,500 < 新+旧 capped at 40,000
        ((10_000, 150_000, 0, 0, 0), 50_000),  # 旧 alone is larger
        ((100_000, 0, 100_000, 100_000, 0), 120_000),
        ((0, 150_000, 100_000, 0, 150_000), 120_000),  # 50,000 + 40,000 + 50,000, capped
    ],
)
def test_deduction(premiums: tuple[int, int, int, int, int], expected: int) -> None:
    assert life_insurance_deduction(*premiums) == expected


@given(st.lists(st.integers(0, 500_000), min_size=5, max_size=5))
def test_bounded_and_monotone(premiums: list[int]) -> None:
    value = life_insurance_deduction(*premiums)
    assert 0 <= value <= 120_000
    for i in range(5):
        more = list(premiums)
        more[i] += 1000
        assert life_insurance_deduction(*more) >= value
