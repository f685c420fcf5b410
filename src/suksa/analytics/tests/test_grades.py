"""The grade ladder: order, levels, next grades and official ages."""

from __future__ import annotations

import pytest

from suksa.analytics.uis import (
    GRADES,
    LEVELS,
    is_last_grade_of_level,
    level_of,
    next_grade,
    official_age,
    official_age_range,
)


def test_grades_run_k1_to_m6_in_order() -> None:
    assert GRADES == (
        "K1", "K2", "K3", "P1", "P2", "P3", "P4", "P5", "P6", "M1", "M2", "M3", "M4", "M5", "M6",
    )  # fmt: skip
    assert LEVELS == {
        "pre_primary": ("K1", "K2", "K3"),
        "primary": ("P1", "P2", "P3", "P4", "P5", "P6"),
        "lower_secondary": ("M1", "M2", "M3"),
        "upper_secondary": ("M4", "M5", "M6"),
    }


def test_level_of_each_grade() -> None:
    assert [level_of(g) for g in ("K2", "P1", "P6", "M1", "M3", "M4", "M6")] == [
        "pre_primary", "primary", "primary", "lower_secondary", "lower_secondary",
        "upper_secondary", "upper_secondary",
    ]  # fmt: skip


def test_next_grade_crosses_levels_and_ends_after_m6() -> None:
    assert next_grade("K3") == "P1"
    assert next_grade("P6") == "M1"
    assert next_grade("M3") == "M4"
    assert next_grade("P2") == "P3"
    assert next_grade("M6") is None


def test_last_grades_of_levels() -> None:
    assert [g for g in GRADES if is_last_grade_of_level(g)] == ["K3", "P6", "M3", "M6"]


def test_official_ages() -> None:
    assert [official_age(g) for g in GRADES] == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]
    assert official_age_range("primary") == range(6, 12)
    assert official_age_range("upper_secondary") == range(15, 18)


@pytest.mark.parametrize("bad", ["P7", "p1", "", "G1"])
def test_unknown_grade_is_rejected(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown grade"):
        level_of(bad)
