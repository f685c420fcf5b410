"""Survival to each grade and the coefficient of efficiency, by the UIS reconstructed-cohort method.

A cohort (1000 by convention) enters the first grade. Each year, in each grade, pupils are promoted,
repeat or drop out at that grade's flow rates, which the method assumes stay as observed for the
cohort's whole school life and apply equally to first-timers and repeaters; dropouts never return.

The repetition cap: a pupil may repeat any one grade at most ``max_repeats`` times (default 2; the
count restarts in each grade). A pupil who would repeat once more counts as a dropout instead.
So a pupil reaching grade g spends up to ``max_repeats + 1`` years there, and the share of arrivals
promoted is PR·(1 + RR + RR² + … + RR^max_repeats). Following the cohort year by year gives exactly
these figures; the closed form just skips the bookkeeping. It is evaluated in floats (a national
run evaluates it for every unit, sex and level); a hand-worked table and the code agree to about
1e-12 relative, which is far below any published digit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .flows import FlowRates
from .grades import check_grade, is_consecutive
from .rate import Rate

# (PR, RR) of one grade; None when either is undefined.
Step = tuple[float, float] | None


def survival_rates(
    flows: Mapping[str, FlowRates], grades: Sequence[str], *, cohort: int = 1000, max_repeats: int = 2
) -> dict[str, Rate]:
    """Survival rate to each grade of ``grades`` (consecutive, e.g. P1..P6): reached / cohort.

    Needs flow rates for every grade but the last. Survival to the first grade is 1. When a needed
    promotion or repetition rate is undefined, survival to that grade and beyond is undefined too.
    Inconsistent flow rates (``FlowRates.consistent`` False) are used as they are, and the formula
    names the grades concerned, since survival can then exceed 1.
    """
    steps = _steps(flows, grades, grades[:-1], cohort, max_repeats)
    formula = _formula("S[g] = pupils ever reaching g / cohort", cohort, max_repeats, flows, grades[:-1])
    result: dict[str, Rate] = {}
    reached: float | None = float(cohort)
    for i, grade in enumerate(grades):
        if i > 0:
            reached = _promoted(reached, steps[i - 1], max_repeats)
        inputs = _inputs(flows, grades[:i])
        if reached is None:
            result[grade] = Rate.undefined(0, cohort, formula, inputs)
        else:
            result[grade] = Rate(reached / cohort, reached, cohort, formula, inputs)
    return result


def survival_to_last_grade(
    flows: Mapping[str, FlowRates], grades: Sequence[str], *, cohort: int = 1000, max_repeats: int = 2
) -> Rate:
    """Survival rate to the last grade of ``grades`` (UIS: survival to the last grade of primary)."""
    return survival_rates(flows, grades, cohort=cohort, max_repeats=max_repeats)[grades[-1]]


def coefficient_of_efficiency(
    flows: Mapping[str, FlowRates], grades: Sequence[str], *, cohort: int = 1000, max_repeats: int = 2
) -> Rate:
    """UIS coefficient of efficiency: ideal pupil-years for the cohort's graduates / actual pupil-years.

    Ideal = graduates × number of grades; actual = every year spent in school by the cohort,
    graduates and dropouts alike. Needs flow rates for every grade, including the last, whose
    promotion rate is its graduation rate. 1 means no repetition and no dropout.
    """
    steps = _steps(flows, grades, grades, cohort, max_repeats)
    formula = _formula("CE = graduates*n / pupil-years of the cohort", cohort, max_repeats, flows, grades)
    inputs = _inputs(flows, grades)
    reached, pupil_years = float(cohort), 0.0
    for step in steps:
        if step is None:
            return Rate.undefined(0, 0, formula, inputs)
        pupil_years += reached * _years_per_arrival(step[1], max_repeats)
        reached = reached * step[0] * _years_per_arrival(step[1], max_repeats)
    ideal = reached * len(grades)
    return Rate(ideal / pupil_years, ideal, pupil_years, formula, inputs)


def _steps(
    flows: Mapping[str, FlowRates], grades: Sequence[str], used: Sequence[str], cohort: int, max_repeats: int
) -> list[Step]:
    """The (PR, RR) of each grade in ``used``, after checking every argument."""
    if cohort <= 0:
        raise ValueError(f"cohort must be positive, got {cohort}")
    if max_repeats < 0:
        raise ValueError(f"max_repeats must not be negative, got {max_repeats}")
    if not grades or not is_consecutive([check_grade(g) for g in grades]):
        raise ValueError(f"grades must be a non-empty run of consecutive grades, got {list(grades)}")
    missing = [g for g in used if g not in flows]
    if missing:
        raise ValueError(f"no flow rates for {', '.join(missing)}")
    return [_step(flows[grade]) for grade in used]


def _step(flow: FlowRates) -> Step:
    promotion, repetition = flow.promotion, flow.repetition
    if promotion.value is None or repetition.value is None:
        return None
    return promotion.numerator / promotion.denominator, repetition.numerator / repetition.denominator


def _years_per_arrival(repetition: float, max_repeats: int) -> float:
    """Expected years in a grade per pupil arriving: 1 + RR + … + RR^max_repeats (Horner)."""
    years = 1.0
    for _ in range(max_repeats):
        years = 1.0 + repetition * years
    return years


def _promoted(reached: float | None, step: Step, max_repeats: int) -> float | None:
    if reached is None or step is None:
        return None
    promotion, repetition = step
    return reached * promotion * _years_per_arrival(repetition, max_repeats)


def survived(steps: Sequence[Step], *, cohort: int = 1000, max_repeats: int = 2) -> float | None:
    """Pupils of the cohort reaching the grade after ``steps`` (the (PR, RR) of each grade before
    it), or None when a step is undefined: the lean core of :func:`survival_rates` for callers that
    evaluate it for many units and keep the formula and inputs themselves."""
    reached: float | None = float(cohort)
    for step in steps:
        reached = _promoted(reached, step, max_repeats)
    return reached


def survival_formula(cohort: int, max_repeats: int, inconsistent: Sequence[str]) -> str:
    """The formula text of survival to a grade, naming the grades whose flow rates are inconsistent."""
    text = (
        f"S[g] = pupils ever reaching g / cohort; reconstructed cohort of {cohort}; each grade repeated "
        f"at most {max_repeats} times, would-be repeaters beyond that count as dropouts"
    )
    if inconsistent:
        text += f"; uses flow rates that are undefined or outside [0, 1] at {', '.join(inconsistent)}"
    return text


def _formula(
    head: str, cohort: int, max_repeats: int, flows: Mapping[str, FlowRates], used: Sequence[str]
) -> str:
    text = (
        f"{head}; reconstructed cohort of {cohort}; each grade repeated at most {max_repeats} times, "
        "would-be repeaters beyond that count as dropouts"
    )
    inconsistent = [g for g in used if not flows[g].consistent]
    if inconsistent:
        text += f"; uses flow rates that are undefined or outside [0, 1] at {', '.join(inconsistent)}"
    return text


def _inputs(flows: Mapping[str, FlowRates], used: Sequence[str]) -> dict[str, float]:
    inputs: dict[str, float] = {}
    for grade in used:
        for name, rate in (("PR", flows[grade].promotion), ("RR", flows[grade].repetition)):
            if rate.value is not None:
                inputs[f"{name}[{grade}]"] = rate.value
    return inputs
