"""Promotion, repetition and dropout rates, checked against hand-worked counts."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suksa.analytics.uis import FlowRates, Rate, flow_rates
from suksa.analytics.uis.flows import (
    PROMOTION_BY_ENTRANTS_FORMULA,
    PROMOTION_BY_GRADUATES_FORMULA,
    PROMOTION_FORMULA,
)


def exact(rate: Rate) -> Fraction:
    return Fraction(rate.numerator) / Fraction(rate.denominator)


def test_worked_example_for_three_grades() -> None:
    # Given 120 / 110 / 100 pupils in P1 / P2 / P3 in year t, and in t+1:
    #   P2 112 pupils of whom 4 repeat → 108 promoted from P1: PR = 108/120 = 0.9
    #   P3 104 pupils of whom 3 repeat → 101 promoted from P2: PR = 101/110
    #   P4  98 pupils of whom 2 repeat →  96 promoted from P3: PR = 96/100
    # and 6 P1 repeaters: RR[P1] = 6/120; DR[P1] = (120 − 108 − 6)/120 = 6/120.
    flows = flow_rates(
        {"P1": 120, "P2": 110, "P3": 100},
        {"P1": 130, "P2": 112, "P3": 104, "P4": 98},
        {"P1": 6, "P2": 4, "P3": 3, "P4": 2},
    )
    assert list(flows) == ["P1", "P2", "P3"]
    p1, p2, p3 = flows["P1"], flows["P2"], flows["P3"]
    assert (p1.promotion.value, p1.repetition.value, p1.dropout.value) == (0.9, 0.05, 0.05)
    assert (exact(p2.promotion), exact(p2.repetition), exact(p2.dropout)) == (
        Fraction(101, 110),
        Fraction(4, 110),
        Fraction(5, 110),
    )
    assert (p3.promotion.value, p3.repetition.value, p3.dropout.value) == (0.96, 0.03, 0.01)
    assert all(f.consistent for f in flows.values())


def test_rates_carry_their_formula_and_inputs() -> None:
    p1 = flow_rates({"P1": 120}, {"P2": 112}, {"P1": 6, "P2": 4})["P1"]
    assert p1.promotion.formula == PROMOTION_FORMULA == "(E[g+1,t+1]-R[g+1,t+1])/E[g,t]"
    assert p1.promotion.inputs == {"E[P1,t]": 120, "E[P2,t+1]": 112, "R[P2,t+1]": 4}
    assert (p1.promotion.numerator, p1.promotion.denominator) == (108, 120)
    assert p1.repetition.formula == "R[g,t+1]/E[g,t]"
    assert p1.repetition.inputs == {"E[P1,t]": 120, "R[P1,t+1]": 6}
    assert p1.dropout.numerator == 6
    assert p1.dropout.inputs == {"E[P1,t]": 120, "R[P1,t+1]": 6, "E[P2,t+1]": 112, "R[P2,t+1]": 4}


def test_last_grade_of_a_level_uses_graduates() -> None:
    # 80 in P6, 76 graduate, 2 repeat P6 next year: PR 0.95, RR 0.025, DR 2/80 = 0.025.
    p6 = flow_rates({"P6": 80}, {"M1": 300}, {"P6": 2}, graduates_t={"P6": 76})["P6"]
    assert (p6.promotion.value, p6.repetition.value, p6.dropout.value) == (0.95, 0.025, 0.025)
    assert p6.promotion.formula == PROMOTION_BY_GRADUATES_FORMULA == "G[g,t]/E[g,t]"
    assert p6.promotion.inputs == {"E[P6,t]": 80, "G[P6,t]": 76}


def test_last_grade_without_graduates_uses_next_level_entrants_and_says_so() -> None:
    # M1 in t+1: 70 pupils, 3 repeating → 67 new entrants stand in for P6 graduates: PR = 67/80.
    p6 = flow_rates({"P6": 80}, {"M1": 70}, {"P6": 2, "M1": 3})["P6"]
    assert exact(p6.promotion) == Fraction(67, 80)
    assert exact(p6.dropout) == Fraction(80 - 67 - 2, 80)
    assert p6.promotion.formula == PROMOTION_BY_ENTRANTS_FORMULA
    assert "graduates not supplied" in p6.promotion.formula
    assert p6.promotion.inputs == {"E[P6,t]": 80, "E[M1,t+1]": 70, "R[M1,t+1]": 3}


def test_graduates_given_for_some_levels_only_fall_back_per_grade() -> None:
    flows = flow_rates({"K3": 50, "P6": 40}, {"P1": 48, "M1": 0}, {}, graduates_t={"P6": 39})
    assert flows["P6"].promotion.formula == PROMOTION_BY_GRADUATES_FORMULA
    assert flows["K3"].promotion.formula == PROMOTION_BY_ENTRANTS_FORMULA
    assert exact(flows["K3"].promotion) == Fraction(48, 50)


def test_m6_without_graduates_has_undefined_promotion_and_dropout() -> None:
    m6 = flow_rates({"M6": 60}, {}, {"M6": 3})["M6"]
    assert m6.promotion.value is None
    assert m6.dropout.value is None
    assert "undefined" in m6.promotion.formula
    assert m6.repetition.value == 0.05
    assert m6.consistent is False


def test_transfers_in_give_a_negative_dropout_rate_that_is_flagged_not_clamped() -> None:
    # A small school: 20 in P1, but 25 non-repeaters in P2 next year (5 transferred in).
    p1 = flow_rates({"P1": 20}, {"P2": 25}, {})["P1"]
    assert p1.promotion.value == 1.25
    assert p1.dropout.value == -0.25
    assert p1.dropout.numerator == -5
    assert p1.consistent is False


def test_grades_without_pupils_in_year_t_are_left_out_and_absent_keys_count_as_zero() -> None:
    flows = flow_rates({"P1": 0, "P2": 10}, {}, {})
    assert list(flows) == ["P2"]
    p2 = flows["P2"]
    assert (p2.promotion.value, p2.repetition.value, p2.dropout.value) == (0.0, 0.0, 1.0)


def test_bad_inputs_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown grade 'P7'"):
        flow_rates({"P7": 10}, {}, {})
    with pytest.raises(ValueError, match="must not be negative"):
        flow_rates({"P1": 10}, {"P2": -1}, {})
    with pytest.raises(ValueError, match="graduates are counted only in K3, P6, M3 and M6, not P5"):
        flow_rates({"P5": 10}, {}, {}, graduates_t={"P5": 9})


def test_consistent_is_computed_not_passed() -> None:
    ok = Rate.of(1, 2, "x")
    assert FlowRates(ok, ok, Rate.of(0, 2, "x")).consistent is True
    assert FlowRates(ok, ok, Rate.of(-1, 2, "x")).consistent is False


counts = st.integers(min_value=0, max_value=400)


@given(st.dictionaries(st.sampled_from(["P1", "P2", "P3", "P6", "M1", "M6"]), counts), st.data())
def test_promotion_repetition_and_dropout_always_sum_to_one(
    enrolment_t: dict[str, int], data: st.DataObject
) -> None:
    grades = st.sampled_from(["P1", "P2", "P3", "P4", "P6", "M1", "M2"])
    enrolment_t1 = data.draw(st.dictionaries(grades, counts))
    repeaters_t1 = data.draw(st.dictionaries(grades, counts))
    for flows in flow_rates(enrolment_t, enrolment_t1, repeaters_t1, {"M6": 5}).values():
        total = exact(flows.promotion) + exact(flows.repetition) + exact(flows.dropout)
        assert total == 1
        assert flows.consistent == all(
            0 <= exact(r) <= 1 for r in (flows.promotion, flows.repetition, flows.dropout)
        )


@st.composite
def true_flows(draw: st.DrawFn) -> tuple[dict[str, tuple[int, int, int]], int]:
    """Per grade of P1..P6: (promoted, repeated, dropped out), plus P1 newcomers in t+1."""
    split = {
        grade: (draw(counts), draw(counts), draw(counts)) for grade in ("P1", "P2", "P3", "P4", "P5", "P6")
    }
    return split, draw(counts)


@given(true_flows())
def test_rates_recover_the_true_flows_of_a_closed_system(
    flows: tuple[dict[str, tuple[int, int, int]], int],
) -> None:
    # With no transfers, every count in t+1 is explained by year-t pupils, so the rates must be
    # exactly the shares that were promoted, repeated and dropped out, each within [0, 1].
    split, newcomers = flows
    grades = list(split)
    enrolment_t = {g: sum(split[g]) for g in grades}
    repeaters_t1 = {g: split[g][1] for g in grades}
    enrolment_t1 = {"P1": newcomers + split["P1"][1]}
    for before, grade in itertools.pairwise(grades):
        enrolment_t1[grade] = split[before][0] + split[grade][1]
    graduates = {"P6": split["P6"][0]}
    result = flow_rates(enrolment_t, enrolment_t1, repeaters_t1, graduates)
    assert list(result) == [g for g in grades if enrolment_t[g] > 0]
    for grade, rates in result.items():
        promoted, repeated, dropped = split[grade]
        assert exact(rates.promotion) == Fraction(promoted, enrolment_t[grade])
        assert exact(rates.repetition) == Fraction(repeated, enrolment_t[grade])
        assert exact(rates.dropout) == Fraction(dropped, enrolment_t[grade])
        assert rates.consistent
