"""Attendance rate and chronic absenteeism from day-code counts."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suksa.analytics.attendance import (
    DAY_CODES,
    attendance_rate,
    chronic_absenteeism_rate,
    is_chronically_absent,
    tally,
)


def test_day_codes_have_thai_and_english_labels() -> None:
    assert list(DAY_CODES) == ["P", "L", "S", "E", "A"]
    assert DAY_CODES["E"] == ("ลา", "leave (excused)")
    assert all(th and en for th, en in DAY_CODES.values())


def test_late_counts_as_attended() -> None:
    # 170 present + 10 late of 200 recorded days = 0.9.
    rate = attendance_rate({"P": 170, "L": 10, "S": 8, "E": 4, "A": 8})
    assert (rate.value, rate.numerator, rate.denominator) == (0.9, 180, 200)
    assert rate.formula == "(P+L)/(P+L+S+E+A)"
    assert rate.inputs == {"P": 170, "L": 10, "S": 8, "E": 4, "A": 8}


def test_no_recorded_days() -> None:
    assert attendance_rate({}).value is None
    assert is_chronically_absent({}) is False


def test_missing_exactly_ten_percent_is_chronic() -> None:
    # 20 of 200 days missed (8 sick + 4 leave + 8 absent): every reason counts.
    assert is_chronically_absent({"P": 170, "L": 10, "S": 8, "E": 4, "A": 8})
    assert not is_chronically_absent({"P": 171, "L": 10, "S": 8, "E": 4, "A": 7})
    # Exact comparison: 10/100 ≥ 0.10 although 10/100 < float(0.1) would be False in binary.
    assert is_chronically_absent({"P": 90, "S": 10})
    assert is_chronically_absent({"P": 80, "A": 20}, threshold=0.2)
    assert not is_chronically_absent({"P": 90, "S": 10}, threshold=0.15)


def test_chronic_absenteeism_rate_counts_students_with_enough_recorded_days() -> None:
    students = [
        {"P": 18, "A": 2},  # 10 %: chronic
        {"P": 19, "S": 1},  # 5 %
        {"P": 20},
        {"E": 3},  # 3 days only: chronic, but left out when min_days = 5
        {},  # never marked
    ]
    rate = chronic_absenteeism_rate(students)
    assert (rate.numerator, rate.denominator, rate.value) == (2, 4, 0.5)
    assert rate.inputs == {"students": 5, "eligible": 4, "threshold": 0.1, "min_days": 1}
    rate = chronic_absenteeism_rate(students, min_days=5)
    assert (rate.numerator, rate.denominator) == (1, 3)
    assert chronic_absenteeism_rate([]).value is None


def test_bad_inputs_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown day code 'X'"):
        attendance_rate({"X": 1})
    with pytest.raises(ValueError, match="must not be negative"):
        attendance_rate({"P": -1})
    with pytest.raises(ValueError, match="threshold"):
        is_chronically_absent({"P": 1}, threshold=0)
    with pytest.raises(ValueError, match="min_days"):
        chronic_absenteeism_rate([], min_days=0)


def test_tally() -> None:
    assert tally("PPLASPE") == {"P": 3, "L": 1, "S": 1, "E": 1, "A": 1}


day_counts = st.fixed_dictionaries({code: st.integers(0, 60) for code in DAY_CODES})


@given(day_counts, st.sampled_from([0.05, 0.1, 0.2, 0.25]))
def test_chronic_exactly_when_attendance_is_at_most_one_minus_threshold(
    counts: dict[str, int], threshold: float
) -> None:
    rate = attendance_rate(counts)
    if rate.value is None:
        assert not is_chronically_absent(counts, threshold)
        return
    assert 0 <= rate.value <= 1
    attended = Fraction(int(rate.numerator), int(rate.denominator))
    assert is_chronically_absent(counts, threshold) == (attended <= 1 - Fraction(str(threshold)))
