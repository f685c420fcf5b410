"""Daily attendance: attendance rate and chronic absenteeism from per-student day-code counts.

Each school day a teacher records one code per student (DAY_CODES). The Django side counts codes
per student in SQL and passes the counts in. A late student attended; sick days and excused leave
are missed days like unexcused absence.

Chronic absenteeism uses the usual definition (Attendance Works; U.S. Department of Education):
missing at least 10 % of the days recorded so far, for any reason, excused or not. Counting every
reason is deliberate: a child who misses a month through illness loses as much schooling as one who
truants, and early-warning research finds the total predicts dropout better than unexcused days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

from .uis.rate import Rate, check_count

# (Thai, English) labels; the Thai words match the students domain's AttendanceCode choices.
DAY_CODES: dict[str, tuple[str, str]] = {
    "P": ("มา", "present"),
    "L": ("สาย", "late"),
    "S": ("ป่วย", "sick"),
    "E": ("ลา", "leave (excused)"),
    "A": ("ขาด", "absent"),
}
ATTENDED_CODES = ("P", "L")
MISSED_CODES = ("S", "E", "A")
CHRONIC_THRESHOLD = 0.10

ATTENDANCE_FORMULA = "(P+L)/(P+L+S+E+A)"
CHRONIC_FORMULA = (
    "students with (S+E+A)/(P+L+S+E+A) >= {threshold} / students with >= {min_days} recorded days"
)


def tally(codes: Iterable[str]) -> dict[str, int]:
    """Count a sequence of daily codes into the mapping the other functions take."""
    counts = dict.fromkeys(DAY_CODES, 0)
    for code in codes:
        _check_code(code)
        counts[code] += 1
    return counts


def recorded_days(counts: Mapping[str, int]) -> int:
    _check_counts(counts)
    return sum(counts.values())


def attendance_rate(counts: Mapping[str, int]) -> Rate:
    """(P + L) / all recorded days. Undefined (None) with no recorded days."""
    attended = sum(counts.get(code, 0) for code in ATTENDED_CODES)
    recorded = recorded_days(counts)
    inputs = {code: counts.get(code, 0) for code in DAY_CODES}
    return Rate.of(attended, recorded, ATTENDANCE_FORMULA, inputs)


def is_chronically_absent(counts: Mapping[str, int], threshold: float = CHRONIC_THRESHOLD) -> bool:
    """True when missed days (S + E + A) are at least ``threshold`` of recorded days.

    Compared exactly, so 10 missed days of 100 meets a 0.10 threshold despite float rounding. A
    student with no recorded days is not chronically absent (there is nothing to judge).
    """
    recorded = recorded_days(counts)
    if recorded == 0:
        return False
    missed = sum(counts.get(code, 0) for code in MISSED_CODES)
    return Fraction(missed, recorded) >= _exact(threshold)


def chronic_absenteeism_rate(
    per_student: Iterable[Mapping[str, int]], threshold: float = CHRONIC_THRESHOLD, min_days: int = 1
) -> Rate:
    """Share of students with at least ``min_days`` recorded days who are chronically absent.

    Students with fewer recorded days (just enrolled, or not yet marked) are left out of both
    numerator and denominator; early in a term a higher ``min_days`` (e.g. 10) avoids flagging a
    student who missed one of their first three days.
    """
    if min_days < 1:
        raise ValueError(f"min_days must be at least 1, got {min_days}")
    _exact(threshold)
    students = eligible = chronic = 0
    for counts in per_student:
        students += 1
        if recorded_days(counts) >= min_days:
            eligible += 1
            chronic += is_chronically_absent(counts, threshold)
    formula = CHRONIC_FORMULA.format(threshold=threshold, min_days=min_days)
    inputs = {"students": students, "eligible": eligible, "threshold": threshold, "min_days": min_days}
    return Rate.of(chronic, eligible, formula, inputs)


def _exact(threshold: float) -> Fraction:
    """The threshold as the decimal it was written as (0.1 → 1/10, not the binary float's value)."""
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    return Fraction(str(threshold))


def _check_code(code: str) -> None:
    if code not in DAY_CODES:
        raise ValueError(f"unknown day code {code!r}; expected one of {', '.join(DAY_CODES)}")


def _check_counts(counts: Mapping[str, int]) -> None:
    for code, n in counts.items():
        _check_code(code)
        check_count(f"days coded {code}", n)
