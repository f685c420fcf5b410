"""Single-ratio UIS indicators: transition, pupil–teacher, gender parity and enrolment ratios.

Each takes the counts a SQL aggregate produces and returns a Rate that keeps them, except the
gender parity indices, which compare two values already computed (and stored) elsewhere.
"""

from __future__ import annotations

from .rate import Rate, check_count


def transition_rate(new_entrants_next_first: int, enrolment_last_t: int) -> Rate:
    """UIS transition rate: new entrants to the first grade of the next level in t+1 / enrolment in
    the last grade of this level in t (e.g. M1 entrants in t+1 over P6 pupils in t).

    New entrants exclude repeaters (E − R of the first grade). Migration and pupils returning after
    a break distort it, and below the national level so do transfers.
    """
    check_count("new entrants", new_entrants_next_first)
    check_count("enrolment in the last grade", enrolment_last_t)
    inputs = {"N[first(h+1),t+1]": new_entrants_next_first, "E[last(h),t]": enrolment_last_t}
    return Rate.of(new_entrants_next_first, enrolment_last_t, "N[first(h+1),t+1]/E[last(h),t]", inputs)


def effective_transition_rate(
    enrolment_next_first_t1: int, repeaters_next_first_t1: int, enrolment_last_t: int, repeaters_last_t1: int
) -> Rate:
    """UIS effective transition rate: new entrants to the first grade of the next level in t+1 as a
    share of last-grade pupils in t who do not repeat that grade in t+1:

        ETR = (E[first(h+1),t+1] − R[first(h+1),t+1]) / (E[last(h),t] − R[last(h),t+1])

    (UNESCO Institute for Statistics glossary, "Effective transition rate"). Removing the repeaters
    of the last grade measures transition among those who finished it. Undefined (value None) when
    the denominator is not positive, i.e. more repeaters than pupils, which means the inputs disagree.
    """
    for name, n in (
        ("enrolment in the next level's first grade", enrolment_next_first_t1),
        ("repeaters in the next level's first grade", repeaters_next_first_t1),
        ("enrolment in the last grade", enrolment_last_t),
        ("repeaters in the last grade", repeaters_last_t1),
    ):
        check_count(name, n)
    formula = "(E[first(h+1),t+1]-R[first(h+1),t+1])/(E[last(h),t]-R[last(h),t+1])"
    inputs = {
        "E[first(h+1),t+1]": enrolment_next_first_t1,
        "R[first(h+1),t+1]": repeaters_next_first_t1,
        "E[last(h),t]": enrolment_last_t,
        "R[last(h),t+1]": repeaters_last_t1,
    }
    numerator = enrolment_next_first_t1 - repeaters_next_first_t1
    denominator = enrolment_last_t - repeaters_last_t1
    if denominator < 0:
        return Rate.undefined(numerator, denominator, formula + " (undefined: denominator negative)", inputs)
    return Rate.of(numerator, denominator, formula, inputs)


def pupil_teacher_ratio(pupils: int, teachers: float) -> Rate:
    """Pupils per teacher. UIS counts teachers as full-time equivalents, so a fractional count is
    accepted. Undefined (None) when there are no teachers.
    """
    check_count("pupils", pupils)
    check_count("teachers", teachers)
    return Rate.of(pupils, teachers, "pupils/teachers", {"pupils": pupils, "teachers": teachers})


def gender_parity_index(female_value: float | None, male_value: float | None) -> float | None:
    """GPI = female value / male value; 1 is parity. None when either value is missing or the male
    value is 0. Unbounded above, so use ``adjusted_gpi`` to compare disparities in either direction.
    """
    if female_value is None or male_value is None:
        return None
    _check_parity_inputs(female_value, male_value)
    return female_value / male_value if male_value != 0 else None


def adjusted_gpi(female_value: float | None, male_value: float | None) -> float | None:
    """UIS adjusted GPI: F/M when F ≤ M, else 2 − M/F, so it is symmetric around 1 and lies in [0, 2].

    Defined whenever either value is positive (F > 0 = M gives 2); None when both are 0 or either is
    missing.
    """
    if female_value is None or male_value is None:
        return None
    _check_parity_inputs(female_value, male_value)
    if female_value <= male_value:
        return female_value / male_value if male_value != 0 else None
    return 2 - male_value / female_value


def _check_parity_inputs(female_value: float, male_value: float) -> None:
    check_count("female value", female_value)
    check_count("male value", male_value)


def gross_enrolment_ratio(enrolment_level: int, population_official_age: int) -> Rate:
    """GER = enrolment in a level at any age / population of the level's official age group.

    Can exceed 1 when over- or under-age pupils are enrolled; that is expected, not an error.
    """
    return _population_ratio(enrolment_level, population_official_age, "E[level, all ages]/P[official age]")


def net_enrolment_ratio(official_age_enrolment_level: int, population_official_age: int) -> Rate:
    """NER = official-age pupils enrolled in the level / population of that age group."""
    formula = "E[level, official age]/P[official age]"
    return _population_ratio(official_age_enrolment_level, population_official_age, formula)


def adjusted_net_enrolment_ratio(
    official_age_enrolled_level_or_higher: int, population_official_age: int
) -> Rate:
    """ANER = official-age pupils enrolled in the level or any higher level / population of that age."""
    formula = "E[level or higher, official age]/P[official age]"
    return _population_ratio(official_age_enrolled_level_or_higher, population_official_age, formula)


def out_of_school_rate(official_age_enrolled_level_or_higher: int, population_official_age: int) -> Rate:
    """Out-of-school rate = 1 − ANER: official-age children in no school of this level or above."""
    formula = "1-ANER = (P[official age]-E[level or higher, official age])/P[official age]"
    return _population_ratio(
        official_age_enrolled_level_or_higher, population_official_age, formula, out_of_school=True
    )


def _population_ratio(enrolled: int, population: int, formula: str, *, out_of_school: bool = False) -> Rate:
    """Enrolment comes from the register and population from projections; the two can disagree,
    so a net ratio above 1 (or a negative out-of-school rate) is returned as computed.
    """
    check_count("enrolment", enrolled)
    check_count("population", population)
    numerator = population - enrolled if out_of_school else enrolled
    return Rate.of(numerator, population, formula, {"E": enrolled, "P": population})
