"""The Thai basic-education grade ladder: grades, levels and the official age for each grade.

K1–K3 are pre-primary (อนุบาล), P1–P6 primary (ประถมศึกษา), M1–M3 lower secondary (มัธยมศึกษาตอนต้น)
and M4–M6 upper secondary (มัธยมศึกษาตอนปลาย). Official ages are in completed years at the start of the
academic year (16 May): the Compulsory Education Act counts a child "entering the seventh year of
age" as due for P1, i.e. one who is 6 on that date. Callers must compute pupils' ages the same way.
"""

from __future__ import annotations

from itertools import pairwise

GRADES: tuple[str, ...] = (
    "K1", "K2", "K3",
    "P1", "P2", "P3", "P4", "P5", "P6",
    "M1", "M2", "M3",
    "M4", "M5", "M6",
)  # fmt: skip

LEVELS: dict[str, tuple[str, ...]] = {
    "pre_primary": GRADES[0:3],
    "primary": GRADES[3:9],
    "lower_secondary": GRADES[9:12],
    "upper_secondary": GRADES[12:15],
}

LEVEL_LABELS: dict[str, tuple[str, str]] = {
    "pre_primary": ("ก่อนประถมศึกษา", "pre-primary"),
    "primary": ("ประถมศึกษา", "primary"),
    "lower_secondary": ("มัธยมศึกษาตอนต้น", "lower secondary"),
    "upper_secondary": ("มัธยมศึกษาตอนปลาย", "upper secondary"),
}

OFFICIAL_ENTRY_AGE: dict[str, int] = {"K1": 3, "P1": 6, "M1": 12, "M4": 15}

SEXES: tuple[str, ...] = ("M", "F")

_INDEX = {grade: i for i, grade in enumerate(GRADES)}
_LEVEL_OF = {grade: level for level, grades in LEVELS.items() for grade in grades}


def check_grade(grade: str) -> str:
    """Return ``grade`` unchanged, or raise ValueError naming the valid grades."""
    if grade not in _INDEX:
        raise ValueError(f"unknown grade {grade!r}; expected one of {', '.join(GRADES)}")
    return grade


def check_sex(sex: str) -> str:
    if sex not in SEXES:
        raise ValueError(f"unknown sex {sex!r}; expected 'M' or 'F'")
    return sex


def level_of(grade: str) -> str:
    return _LEVEL_OF[check_grade(grade)]


def next_grade(grade: str) -> str | None:
    """The grade after ``grade`` in the whole K1..M6 sequence (so P6 → M1); None after M6."""
    i = _INDEX[check_grade(grade)] + 1
    return GRADES[i] if i < len(GRADES) else None


def is_last_grade_of_level(grade: str) -> bool:
    """True for K3, P6, M3 and M6, where pupils graduate rather than being promoted."""
    return LEVELS[level_of(grade)][-1] == grade


def official_age(grade: str) -> int:
    """Official age for the grade: K1 3 … K3 5, P1 6 … P6 11, M1 12 … M3 14, M4 15 … M6 17."""
    grades = LEVELS[level_of(grade)]
    return OFFICIAL_ENTRY_AGE[grades[0]] + grades.index(grade)


def official_age_range(level: str) -> range:
    """Official ages of a level, e.g. primary → range(6, 12)."""
    grades = LEVELS[level]
    return range(official_age(grades[0]), official_age(grades[-1]) + 1)


def levels_from(level: str) -> tuple[str, ...]:
    """``level`` and every level above it, in order (used by the adjusted net enrolment rate)."""
    names = tuple(LEVELS)
    return names[names.index(level) :]


def is_consecutive(grades: tuple[str, ...] | list[str]) -> bool:
    return all(next_grade(a) == b for a, b in pairwise(grades))
