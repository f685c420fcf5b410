"""The enrolment table: totals, over-age counts and official-age enrolment."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suksa.analytics.uis import GRADES, enrolment_table

ROWS = [
    ("P1", "M", 6, 10),
    ("P1", "F", 6, 12),
    ("P1", "M", 7, 3),  # one year late: not over-age
    ("P1", "F", 8, 2),  # two years late: over-age
    ("P6", "M", 11, 20),
    ("P6", "F", 13, 1),  # over-age
    ("M1", "F", 11, 4),  # primary-age pupil already in secondary (counts for the adjusted NER)
    ("M1", "M", 12, 15),
    ("P1", "M", 6, 5),  # same cell again: adds up
]


def test_totals() -> None:
    table = enrolment_table(ROWS)
    assert table.total == 72
    assert table.by_grade == {"P1": 32, "P6": 21, "M1": 19}
    assert table.by_sex == {"M": 53, "F": 19}
    assert table.by_age == {6: 27, 7: 3, 8: 2, 11: 24, 12: 15, 13: 1}
    assert table.by_level == {"primary": 53, "lower_secondary": 19}
    assert table.by_grade_sex == {
        ("P1", "M"): 18,
        ("P1", "F"): 14,
        ("P6", "M"): 20,
        ("P6", "F"): 1,
        ("M1", "M"): 15,
        ("M1", "F"): 4,
    }
    assert table.cells[("P1", "M", 6)] == 15


def test_over_age_means_two_or_more_years_above_the_official_age() -> None:
    table = enrolment_table(ROWS)
    assert table.over_age_by_grade == {"P1": 2, "P6": 1}
    assert table.over_age == 3
    p1 = table.over_age_rate("P1")
    assert (p1.value, p1.numerator, p1.denominator) == (2 / 32, 2, 32)
    assert p1.formula == "E[age >= official age + 2]/E"
    assert table.over_age_rate().value == 3 / 72
    assert table.over_age_rate("M6").value is None


def test_official_age_enrolment_for_net_ratios() -> None:
    table = enrolment_table(ROWS)
    # Aged 6–11 in primary: 15 + 12 + 3 + 2 + 20 = 52 (the 13-year-old in P6 is not).
    assert table.official_age_enrolment("primary") == 52
    # …plus the four 11-year-olds in M1.
    assert table.official_age_enrolment_in_level_or_higher("primary") == 56
    assert table.official_age_enrolment("lower_secondary") == 15


def test_bad_rows_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown sex 'X'"):
        enrolment_table([("P1", "X", 6, 1)])
    with pytest.raises(ValueError, match="unknown grade"):
        enrolment_table([("P9", "M", 6, 1)])
    with pytest.raises(ValueError, match="must not be negative"):
        enrolment_table([("P1", "M", 6, -1)])


rows = st.lists(
    st.tuples(st.sampled_from(GRADES), st.sampled_from(["M", "F"]), st.integers(2, 25), st.integers(0, 50))
)


@given(rows)
def test_every_breakdown_adds_up_to_the_total(data: list[tuple[str, str, int, int]]) -> None:
    table = enrolment_table(data)
    total = sum(row[3] for row in data)
    for breakdown in (table.by_grade, table.by_sex, table.by_age, table.by_level, table.by_grade_sex):
        assert sum(breakdown.values()) == total
    assert 0 <= table.over_age <= total
