"""validators.wareki and validators.checkdigits (spec §4, §5.1)."""

from __future__ import annotations

from datetime import date

import pytest

from validators.checkdigits import (
    corporate_number_check_digit,
    is_valid_corporate_number,
    is_valid_my_number,
    is_valid_number_any,
    my_number_check_digit,
    problem_with,
)
from validators.wareki import WarekiError, birth_date_problem, from_gregorian, to_gregorian


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("令和", 1, 5, 1), date(2019, 5, 1)),
        (("平成", 31, 4, 30), date(2019, 4, 30)),
        (("昭和", 64, 1, 7), date(1989, 1, 7)),
        (("平成", 1, 1, 8), date(1989, 1, 8)),
        (("昭和", 60, 4, 10), date(1985, 4, 10)),
        (("大正", 15, 12, 24), date(1926, 12, 24)),
        (("昭和", 1, 12, 25), date(1926, 12, 25)),
        (("平成", 12, 2, 29), date(2000, 2, 29)),
    ],
)
def test_to_gregorian(parts: tuple[str, int, int, int], expected: date) -> None:
    assert to_gregorian(*parts) == expected
    assert from_gregorian(expected) == parts[:2]


@pytest.mark.parametrize(
    "parts",
    [
        ("平成", 31, 5, 1),
        ("令和", 1, 4, 30),
        ("昭和", 64, 1, 8),
        ("昭和", 65, 1, 1),
        ("平成", 1, 1, 7),
        ("令和", 7, 2, 30),
        ("平成", 13, 2, 29),
        ("大正", 16, 1, 1),
        ("天平", 1, 1, 1),
    ],
)
def test_impossible_dates(parts: tuple[str, int, int, int]) -> None:
    with pytest.raises(WarekiError):
        to_gregorian(*parts)


def test_birth_plausibility() -> None:
    today = date(2026, 1, 31)
    assert birth_date_problem(date(1985, 4, 10), today) is None
    assert birth_date_problem(date(2026, 2, 1), today) is not None
    assert birth_date_problem(date(1900, 1, 1), today) is not None


def test_check_digits() -> None:
    assert is_valid_my_number("621498320257")
    assert not is_valid_my_number("621498320258")
    assert not is_valid_my_number("6214-9832-0257")
    assert my_number_check_digit("62149832025") == "7"
    assert is_valid_corporate_number("5835678256246")
    assert is_valid_corporate_number("7123456789012")
    assert not is_valid_corporate_number("6835678256246")
    assert corporate_number_check_digit("835678256246") == "5"
    assert is_valid_number_any("621498320257")
    assert is_valid_number_any("8000020130001")
    assert problem_with("my_number", "621498320257") is None
    assert problem_with("my_number", "621498320258")
    assert problem_with("number_any", "8000020130002")
