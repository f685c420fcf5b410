"""Promotion, repetition and dropout rates by grade (UIS flow rates), from two years of counts.

Definitions follow the UNESCO Institute for Statistics: with E[g,t] enrolment in grade g in year t
and R[g,t+1] repeaters of grade g in year t+1,

    PR[g] = (E[g+1,t+1] − R[g+1,t+1]) / E[g,t]      promotees are next year's non-repeaters of g+1
    RR[g] = R[g,t+1] / E[g,t]
    DR[g] = 1 − PR[g] − RR[g]

In the last grade of a level (K3, P6, M3, M6) graduates G[g,t] take the place of promotees.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .grades import GRADES, check_grade, is_last_grade_of_level, next_grade
from .rate import Rate, check_count

PROMOTION_FORMULA = "(E[g+1,t+1]-R[g+1,t+1])/E[g,t]"
PROMOTION_BY_GRADUATES_FORMULA = "G[g,t]/E[g,t]"
PROMOTION_BY_ENTRANTS_FORMULA = (
    "(E[g+1,t+1]-R[g+1,t+1])/E[g,t] with g+1 the first grade of the next level "
    "(graduates not supplied: new entrants to the next level stand in for them)"
)
PROMOTION_UNDEFINED_FORMULA = "G[g,t]/E[g,t] (undefined: graduates not supplied and g is the final grade)"
REPETITION_FORMULA = "R[g,t+1]/E[g,t]"
DROPOUT_FORMULA = "1-PR[g]-RR[g] = (E[g,t]-promotees-R[g,t+1])/E[g,t]"


def _within_unit(rate: Rate) -> bool:
    return rate.value is not None and 0 <= rate.value <= 1


@dataclass(frozen=True)
class FlowRates:
    """The three flow rates of one grade. They share the denominator E[g,t] and their numerators add
    up to it, so PR + RR + DR = 1 exactly (to float rounding in ``value``) whenever all are defined.

    ``consistent`` is False when any rate is undefined or outside [0, 1]: a negative dropout rate
    (more promotees and repeaters than pupils) or a promotion rate above 1. It is set from the
    rates, not passed in.
    """

    promotion: Rate
    repetition: Rate
    dropout: Rate
    consistent: bool = field(init=False)

    def __post_init__(self) -> None:
        rates = (self.promotion, self.repetition, self.dropout)
        object.__setattr__(self, "consistent", all(_within_unit(r) for r in rates))


# How a grade's promotees are known (see :func:`flow_counts`).
BY_NEXT_GRADE, BY_GRADUATES, BY_ENTRANTS, UNKNOWN = "next", "graduates", "entrants", "unknown"
PROMOTION_FORMULAS = {
    BY_NEXT_GRADE: PROMOTION_FORMULA,
    BY_GRADUATES: PROMOTION_BY_GRADUATES_FORMULA,
    BY_ENTRANTS: PROMOTION_BY_ENTRANTS_FORMULA,
    UNKNOWN: PROMOTION_UNDEFINED_FORMULA,
}
# (enrolled E[g,t], promotees or None, repeaters R[g,t+1], how the promotees are known)
FlowCounts = tuple[int, int | None, int, str]


def flow_rates(
    enrolment_t: Mapping[str, int],
    enrolment_t1: Mapping[str, int],
    repeaters_t1: Mapping[str, int],
    graduates_t: Mapping[str, int] | None = None,
) -> dict[str, FlowRates]:
    """Flow rates for every grade with pupils in year t, keyed by grade in K1..M6 order.

    Mappings are keyed by grade; an absent grade counts as 0, as a SQL ``GROUP BY`` leaves it out.
    ``graduates_t`` gives graduates of the last grade of each level (K3, P6, M3, M6) in year t. For
    such a grade not in ``graduates_t`` (or when it is None) the promotees are the new entrants to
    the first grade of the next level, E[g+1,t+1] − R[g+1,t+1] — reasonable for a whole ESA, wrong
    for a school that does not teach the next level, so pass 0 explicitly for a grade without
    graduates; passing graduates of any other grade is an error. M6 has no next grade: without its graduates its promotion and dropout rates are
    undefined (value None).

    Caveats, as UIS gives them: below the national level the rates are distorted by transfers. A
    school's "promotees" to g+1 include pupils who transferred in and exclude those who moved out,
    so PR can exceed 1 and DR can be negative, most visibly in small units. Nothing is clamped;
    ``FlowRates.consistent`` flags such grades.
    """
    _check_counts(enrolment_t, enrolment_t1, repeaters_t1, graduates_t or {})
    for grade in graduates_t or {}:
        if not is_last_grade_of_level(grade):
            raise ValueError(f"graduates are counted only in K3, P6, M3 and M6, not {grade}")
    return {
        grade: _grade_flows(grade, counts, enrolment_t1, repeaters_t1)
        for grade, counts in flow_counts(enrolment_t, enrolment_t1, repeaters_t1, graduates_t).items()
    }


def flow_counts(
    enrolment_t: Mapping[str, int],
    enrolment_t1: Mapping[str, int],
    repeaters_t1: Mapping[str, int],
    graduates_t: Mapping[str, int] | None = None,
) -> dict[str, FlowCounts]:
    """The counts behind :func:`flow_rates`, per grade with pupils in t, without building Rates:
    ``(enrolled, promotees or None, repeaters, how)``; PR = promotees/enrolled, RR =
    repeaters/enrolled, DR = (enrolled − promotees − repeaters)/enrolled. For callers that evaluate
    many units (they check the counts themselves; :func:`flow_rates` checks them here)."""
    result: dict[str, FlowCounts] = {}
    for grade in GRADES:
        enrolled = enrolment_t.get(grade, 0)
        if enrolled <= 0:
            continue
        repeaters = repeaters_t1.get(grade, 0)
        if graduates_t is not None and grade in graduates_t and is_last_grade_of_level(grade):
            result[grade] = (enrolled, graduates_t[grade], repeaters, BY_GRADUATES)
            continue
        following = next_grade(grade)
        if following is None:
            result[grade] = (enrolled, None, repeaters, UNKNOWN)
            continue
        promotees = enrolment_t1.get(following, 0) - repeaters_t1.get(following, 0)
        how = BY_ENTRANTS if is_last_grade_of_level(grade) else BY_NEXT_GRADE
        result[grade] = (enrolled, promotees, repeaters, how)
    return result


def _check_counts(*tables: Mapping[str, int]) -> None:
    for table in tables:
        for grade, n in table.items():
            check_grade(grade)
            check_count(f"count for {grade}", n)


def _grade_flows(
    grade: str, counts: FlowCounts, enrolment_t1: Mapping[str, int], repeaters_t1: Mapping[str, int]
) -> FlowRates:
    enrolled, promotees, repeaters, how = counts
    base = {f"E[{grade},t]": enrolled}
    promotion_inputs = promotion_inputs_of(grade, how, promotees, enrolment_t1, repeaters_t1)
    repetition_inputs = base | {f"R[{grade},t+1]": repeaters}
    repetition = Rate.of(repeaters, enrolled, REPETITION_FORMULA, repetition_inputs)
    promotion_formula = PROMOTION_FORMULAS[how]
    if promotees is None:
        promotion = Rate.undefined(0, enrolled, promotion_formula, base)
        dropout = Rate.undefined(0, enrolled, DROPOUT_FORMULA, repetition_inputs)
        return FlowRates(promotion, repetition, dropout)
    promotion = Rate.of(promotees, enrolled, promotion_formula, base | promotion_inputs)
    dropouts = enrolled - promotees - repeaters
    dropout = Rate.of(dropouts, enrolled, DROPOUT_FORMULA, repetition_inputs | promotion_inputs)
    return FlowRates(promotion, repetition, dropout)


def promotion_inputs_of(
    grade: str,
    how: str,
    promotees: int | None,
    enrolment_t1: Mapping[str, int],
    repeaters_t1: Mapping[str, int],
) -> dict[str, float]:
    """The named counts that say how many pupils of ``grade`` moved on."""
    if how == BY_GRADUATES:
        return {f"G[{grade},t]": promotees or 0}
    following = next_grade(grade)
    if how == UNKNOWN or following is None:
        return {}
    return {
        f"E[{following},t+1]": enrolment_t1.get(following, 0),
        f"R[{following},t+1]": repeaters_t1.get(following, 0),
    }
