"""Survival by the reconstructed-cohort method and the coefficient of efficiency."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suksa.analytics.uis import (
    FlowRates,
    Rate,
    coefficient_of_efficiency,
    flow_rates,
    survival_rates,
    survival_to_last_grade,
)


def flows_of(**rates: tuple[Fraction, Fraction]) -> dict[str, FlowRates]:
    """Flow rates from exact (PR, RR) per grade, counted over a common denominator."""
    result = {}
    for grade, (pr, rr) in rates.items():
        den = pr.denominator * rr.denominator
        promoted, repeated = int(pr * den), int(rr * den)
        result[grade] = FlowRates(
            Rate.of(promoted, den, "PR"),
            Rate.of(repeated, den, "RR"),
            Rate.of(den - promoted - repeated, den, "DR"),
        )
    return result


def worked_flows() -> dict[str, FlowRates]:
    # P1: 1000 pupils; in t+1 P2 has 1000 of whom 200 repeat → PR[P1] = 800/1000; 100 repeat P1.
    # P2: 1000 pupils; in t+1 P3 has 500 new pupils → PR[P2] = 0.5; RR[P2] = 200/1000.
    return flow_rates(
        {"P1": 1000, "P2": 1000},
        {"P2": 1000, "P3": 500},
        {"P1": 100, "P2": 200},
        graduates_t=None,
    )


def test_worked_cohort_with_the_default_cap_of_two_repetitions() -> None:
    # PR/RR: P1 0.8/0.1, P2 0.5/0.2. Following 1000 pupils year by year:
    # P1  year 1: 1000 → 800 promoted, 100 repeat, 100 drop out
    #     year 2:  100 →  80 promoted,  10 repeat,  10 drop out
    #     year 3:   10 →   8 promoted,   1 would repeat a third time → dropout
    #     reached P2: 800 + 80 + 8 = 888
    # P2  888 → 444 promoted, 177.6 repeat; 177.6 → 88.8, 35.52 repeat; 35.52 → 17.76 promoted
    #     reached P3: 444 + 88.8 + 17.76 = 550.56
    survival = survival_rates(worked_flows(), ["P1", "P2", "P3"])
    assert [s.value for s in survival.values()] == pytest.approx([1.0, 0.888, 0.55056], rel=1e-12)
    assert [s.numerator for s in survival.values()] == pytest.approx([1000, 888, 550.56], rel=1e-12)
    assert all(s.denominator == 1000 for s in survival.values())
    assert survival["P3"].inputs == {"PR[P1]": 0.8, "RR[P1]": 0.1, "PR[P2]": 0.5, "RR[P2]": 0.2}


def test_the_repetition_cap_is_stated_in_the_formula() -> None:
    survival = survival_rates(worked_flows(), ["P1", "P2", "P3"], max_repeats=2)
    assert "each grade repeated at most 2 times" in survival["P3"].formula
    assert "would-be repeaters beyond that count as dropouts" in survival["P3"].formula
    assert "cohort of 1000" in survival["P3"].formula


def test_no_repetition_allowed_means_repeaters_drop_out() -> None:
    survival = survival_rates(worked_flows(), ["P1", "P2", "P3"], max_repeats=0)
    assert [s.value for s in survival.values()] == [1.0, 0.8, 0.4]


def test_without_a_cap_survival_tends_to_pr_over_one_minus_rr() -> None:
    survival = survival_rates(worked_flows(), ["P1", "P2", "P3"], max_repeats=60)
    assert survival["P2"].value == pytest.approx(0.8 / 0.9, rel=1e-12)
    assert survival["P3"].value == pytest.approx(0.8 / 0.9 * 0.5 / 0.8, rel=1e-12)


def test_cohort_size_scales_the_numerator_only() -> None:
    survival = survival_rates(worked_flows(), ["P1", "P2"], cohort=100)
    assert (survival["P2"].numerator, survival["P2"].denominator, survival["P2"].value) == pytest.approx(
        (88.8, 100, 0.888), rel=1e-12
    )


def test_survival_to_last_grade() -> None:
    assert survival_to_last_grade(worked_flows(), ["P1", "P2", "P3"]).value == pytest.approx(
        0.55056, rel=1e-12
    )


def test_undefined_rates_make_survival_beyond_them_undefined() -> None:
    flows = worked_flows()
    undefined = Rate.undefined(0, 1000, "PR undefined")
    flows["P2"] = FlowRates(undefined, flows["P2"].repetition, undefined)
    survival = survival_rates(flows, ["P1", "P2", "P3"])
    assert [s.value for s in survival.values()][2] is None
    assert [s.value for s in survival.values()][:2] == pytest.approx([1.0, 0.888], rel=1e-12)
    assert "undefined or outside [0, 1] at P2" in survival["P3"].formula


def test_inconsistent_flows_are_used_but_named() -> None:
    flows = flows_of(P1=(Fraction(11, 10), Fraction(0)))
    survival = survival_rates(flows, ["P1", "P2"], max_repeats=0)
    assert survival["P2"].value == 1.1
    assert "outside [0, 1] at P1" in survival["P2"].formula


def test_bad_arguments_are_rejected() -> None:
    flows = worked_flows()
    with pytest.raises(ValueError, match="no flow rates for P3"):
        survival_rates(flows, ["P1", "P2", "P3", "P4"])
    with pytest.raises(ValueError, match="consecutive"):
        survival_rates(flows, ["P1", "P3"])
    with pytest.raises(ValueError, match="cohort must be positive"):
        survival_rates(flows, ["P1", "P2"], cohort=0)
    with pytest.raises(ValueError, match="max_repeats"):
        survival_rates(flows, ["P1", "P2"], max_repeats=-1)


def test_coefficient_of_efficiency_worked_example() -> None:
    # Pupil-years: P1 1000 + 100 + 10 = 1110; P2 888 + 177.6 + 35.52 = 1101.12; total 2211.12.
    # Graduates of P2 (PR[P2] is their graduation rate): 550.56; ideal years 550.56 × 2 = 1101.12.
    ce = coefficient_of_efficiency(worked_flows(), ["P1", "P2"])
    assert (ce.numerator, ce.denominator) == pytest.approx((1101.12, 2211.12), rel=1e-12)
    assert ce.value == pytest.approx(1101.12 / 2211.12, rel=1e-12)


def test_coefficient_of_efficiency_is_one_without_wastage() -> None:
    flows = flows_of(P1=(Fraction(1), Fraction(0)), P2=(Fraction(1), Fraction(0)))
    assert coefficient_of_efficiency(flows, ["P1", "P2"]).value == 1.0


rates = st.tuples(st.integers(0, 100), st.integers(0, 100)).filter(lambda pr_rr: sum(pr_rr) <= 100)
six_grades = ["P1", "P2", "P3", "P4", "P5", "P6"]


def consistent_flows(pairs: list[tuple[int, int]]) -> dict[str, FlowRates]:
    return flows_of(
        **{g: (Fraction(pr, 100), Fraction(rr, 100)) for g, (pr, rr) in zip(six_grades, pairs, strict=True)}
    )


@given(st.lists(rates, min_size=6, max_size=6), st.integers(0, 4))
def test_survival_never_rises_from_grade_to_grade_and_stays_within_0_and_1(
    pairs: list[tuple[int, int]], max_repeats: int
) -> None:
    survival = survival_rates(consistent_flows(pairs), six_grades, max_repeats=max_repeats)
    values = [s.value for s in survival.values() if s.value is not None]
    assert len(values) == 6
    assert values[0] == 1.0
    assert all(0 <= v <= 1 for v in values)
    assert all(a >= b for a, b in itertools.pairwise(values))


def simulate(pairs: list[tuple[int, int]], max_repeats: int, cohort: int) -> list[Fraction]:
    """Follow the cohort one school year at a time, tracking how often each pupil repeated."""
    reached = [Fraction(0)] * (len(pairs) + 1)
    reached[0] = Fraction(cohort)
    # stock[(grade index, times repeated there)] = pupils in that state this year
    stock: dict[tuple[int, int], Fraction] = {(0, 0): Fraction(cohort)}
    while stock:
        following: dict[tuple[int, int], Fraction] = {}
        for (grade, repeats), pupils in stock.items():
            pr, rr = (Fraction(x, 100) for x in pairs[grade])
            if grade + 1 < len(pairs):
                following[(grade + 1, 0)] = following.get((grade + 1, 0), Fraction(0)) + pupils * pr
            reached[grade + 1] += pupils * pr
            if repeats < max_repeats:
                following[(grade, repeats + 1)] = (
                    following.get((grade, repeats + 1), Fraction(0)) + pupils * rr
                )
        stock = {state: n for state, n in following.items() if n}
    return reached


@given(st.lists(rates, min_size=6, max_size=6), st.integers(0, 3))
def test_closed_form_matches_a_year_by_year_simulation(
    pairs: list[tuple[int, int]], max_repeats: int
) -> None:
    survival = survival_rates(consistent_flows(pairs), [*six_grades, "M1"], max_repeats=max_repeats)
    expected = simulate(pairs, max_repeats, cohort=1000)
    # Exact fractions in the simulation, floats in the closed form: equal to 1e-12 relative.
    assert [s.numerator for s in survival.values()] == pytest.approx([float(n) for n in expected], rel=1e-12)
