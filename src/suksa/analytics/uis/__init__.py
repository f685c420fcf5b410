"""Standard education indicators (UNESCO Institute for Statistics definitions) as pure functions.

A Django domain aggregates counts in SQL and passes small count tables in; every result is a Rate
that keeps its numerator, denominator, formula and inputs, so it can be stored with provenance
alongside ``FORMULA_VERSION``.
"""

from .enrolment import OVER_AGE_YEARS, EnrolmentTable, enrolment_table
from .flows import FlowRates, flow_rates
from .grades import (
    GRADES,
    LEVEL_LABELS,
    LEVELS,
    OFFICIAL_ENTRY_AGE,
    SEXES,
    is_last_grade_of_level,
    level_of,
    next_grade,
    official_age,
    official_age_range,
)
from .rate import FORMULA_VERSION, Rate
from .ratios import (
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
from .survival import coefficient_of_efficiency, survival_rates, survival_to_last_grade

__all__ = [
    "FORMULA_VERSION",
    "GRADES",
    "LEVELS",
    "LEVEL_LABELS",
    "OFFICIAL_ENTRY_AGE",
    "OVER_AGE_YEARS",
    "SEXES",
    "EnrolmentTable",
    "FlowRates",
    "Rate",
    "adjusted_gpi",
    "adjusted_net_enrolment_ratio",
    "coefficient_of_efficiency",
    "effective_transition_rate",
    "enrolment_table",
    "flow_rates",
    "gender_parity_index",
    "gross_enrolment_ratio",
    "is_last_grade_of_level",
    "level_of",
    "net_enrolment_ratio",
    "next_grade",
    "official_age",
    "official_age_range",
    "out_of_school_rate",
    "pupil_teacher_ratio",
    "survival_rates",
    "survival_to_last_grade",
    "transition_rate",
]
