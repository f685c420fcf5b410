"""Transition rates, pupil–teacher ratio, gender parity and enrolment ratios."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suksa.analytics.uis import (
    FORMULA_VERSION,
    adjusted_gpi,
    adjusted_net_enrolment_ratio,
    effective_transition_rate,
    gender_parity_index,
    gross_enrolment_ratio,
    net_enrolment_ratio,
    out_of_school_rate,
    pupil_teacher_ratio,
    transition_rate,
)


def test_formula_version() -> None:
    assert FORMULA_VERSION == "uis-2026.1"


def test_transition_rate() -> None:
    # 230 new entrants to M1 in t+1 from 250 P6 pupils in t: 0.92.
    rate = transition_rate(230, 250)
    assert (rate.value, rate.numerator, rate.denominator) == (0.92, 230, 250)
    assert rate.formula == "N[first(h+1),t+1]/E[last(h),t]"
    assert rate.inputs == {"N[first(h+1),t+1]": 230, "E[last(h),t]": 250}
    assert transition_rate(0, 0).value is None


def test_effective_transition_rate_removes_repeaters_on_both_sides() -> None:
    # M1 in t+1: 240 pupils, 10 repeating → 230 new entrants.
    # P6 in t: 250 pupils, 20 of whom repeat P6 in t+1 → 230 could move on. ETR = 230/230 = 1.
    rate = effective_transition_rate(240, 10, 250, 20)
    assert (rate.value, rate.numerator, rate.denominator) == (1.0, 230, 230)
    assert rate.formula == "(E[first(h+1),t+1]-R[first(h+1),t+1])/(E[last(h),t]-R[last(h),t+1])"
    assert effective_transition_rate(210, 10, 250, 50).value == 1.0
    assert effective_transition_rate(190, 10, 250, 50).value == 0.9


def test_effective_transition_rate_is_undefined_when_repeaters_exceed_pupils() -> None:
    rate = effective_transition_rate(10, 0, 5, 7)
    assert rate.value is None
    assert rate.denominator == -2
    assert "denominator negative" in rate.formula
    assert effective_transition_rate(10, 0, 5, 5).value is None


def test_pupil_teacher_ratio() -> None:
    assert pupil_teacher_ratio(450, 18).value == 25.0
    assert pupil_teacher_ratio(100, 12.5).value == 8.0  # full-time equivalents
    rate = pupil_teacher_ratio(40, 0)
    assert (rate.value, rate.numerator, rate.denominator) == (None, 40, 0)


def test_gender_parity_index() -> None:
    assert gender_parity_index(0.9, 1.0) == 0.9
    assert gender_parity_index(1.2, 1.0) == 1.2
    assert gender_parity_index(0.5, 0) is None
    assert gender_parity_index(None, 0.5) is None


def test_adjusted_gpi_maps_values_above_one_into_two_minus_m_over_f() -> None:
    assert adjusted_gpi(0.9, 1.0) == 0.9
    assert adjusted_gpi(1.2, 1.0) == pytest.approx(2 - 1 / 1.2, abs=1e-15)  # = 7/6
    assert adjusted_gpi(1.25, 1.0) == 1.2  # 2 − 0.8
    assert adjusted_gpi(0.7, 0.7) == 1.0
    assert adjusted_gpi(0.3, 0) == 2.0
    assert adjusted_gpi(0, 0) is None
    with pytest.raises(ValueError, match="must not be negative"):
        adjusted_gpi(-0.1, 1.0)


@given(st.integers(1, 10_000), st.integers(1, 10_000))
def test_adjusted_gpi_is_symmetric_around_one_and_within_0_and_2(female: int, male: int) -> None:
    a, b = adjusted_gpi(female, male), adjusted_gpi(male, female)
    assert a is not None
    assert b is not None
    assert 0 < a <= 2
    assert a + b == pytest.approx(2, abs=1e-12)


def test_enrolment_ratios() -> None:
    # Primary-age population 1000; 1050 pupils of any age in primary, 940 of them aged 6–11;
    # another 15 pupils aged 6–11 are already in M1.
    ger = gross_enrolment_ratio(1050, 1000)
    assert (ger.value, ger.inputs) == (1.05, {"E": 1050, "P": 1000})
    assert net_enrolment_ratio(940, 1000).value == 0.94
    assert adjusted_net_enrolment_ratio(955, 1000).value == 0.955
    out = out_of_school_rate(955, 1000)
    assert (out.value, out.numerator, out.denominator) == (0.045, 45, 1000)
    assert gross_enrolment_ratio(10, 0).value is None


def test_population_below_enrolment_is_reported_as_computed() -> None:
    assert out_of_school_rate(1010, 1000).value == -0.01
