"""An enrolment table by grade, sex and age, with the totals and age-for-grade counts indicators need.

Built from the (grade, sex, age, count) rows one SQL ``GROUP BY`` returns, so the database does the
counting and this module only adds up a few hundred cells.

Over-age follows UIS (SDG indicator 4.1.5, "over-age for grade"): a pupil is over-age when at least
two years older than the official age of the grade, i.e. age ≥ official_age(grade) + 2. A P1 pupil
aged 7 is one year late and not counted; one aged 8 is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .grades import (
    GRADES,
    LEVELS,
    SEXES,
    check_grade,
    check_sex,
    level_of,
    levels_from,
    official_age,
    official_age_range,
)
from .rate import Rate, check_count

OVER_AGE_YEARS = 2
OVER_AGE_FORMULA = f"E[age >= official age + {OVER_AGE_YEARS}]/E"


@dataclass(frozen=True)
class EnrolmentTable:
    """Totals of an enrolment table. Dicts hold only keys that occur in the rows, in grade (or age)
    order, so read them with ``.get(key, 0)``.
    """

    cells: dict[tuple[str, str, int], int]
    total: int
    by_grade: dict[str, int]
    by_sex: dict[str, int]
    by_age: dict[int, int]
    by_level: dict[str, int]
    by_grade_sex: dict[tuple[str, str], int]
    over_age_by_grade: dict[str, int]
    over_age: int

    def over_age_rate(self, grade: str | None = None) -> Rate:
        """Share of pupils over-age for their grade, in one grade or (None) overall."""
        if grade is None:
            return Rate.of(
                self.over_age, self.total, OVER_AGE_FORMULA, {"over_age": self.over_age, "E": self.total}
            )
        enrolled, over = self.by_grade.get(check_grade(grade), 0), self.over_age_by_grade.get(grade, 0)
        return Rate.of(
            over, enrolled, OVER_AGE_FORMULA, {f"over_age[{grade}]": over, f"E[{grade}]": enrolled}
        )

    def official_age_enrolment(self, level: str) -> int:
        """Pupils of the level's official ages enrolled in that level (numerator of the NER)."""
        return self._official_age_in(level, (level,))

    def official_age_enrolment_in_level_or_higher(self, level: str) -> int:
        """Pupils of the level's official ages enrolled in it or any higher level (numerator of the
        adjusted NER), e.g. an 11-year-old already in M1 counts for primary.
        """
        return self._official_age_in(level, levels_from(level))

    def _official_age_in(self, level: str, levels: tuple[str, ...]) -> int:
        ages = official_age_range(level)
        return sum(
            n for (grade, _, age), n in self.cells.items() if age in ages and level_of(grade) in levels
        )


def enrolment_table(rows: Iterable[tuple[str, str, int, int]]) -> EnrolmentTable:
    """Sum (grade, sex, age, count) rows; repeated keys add up. Ages are completed years at the
    reference date the grade ladder assumes (see ``grades``).
    """
    cells: dict[tuple[str, str, int], int] = defaultdict(int)
    for grade, sex, age, count in rows:
        check_grade(grade)
        check_sex(sex)
        check_count("age", age)
        check_count(f"count for {grade}/{sex}/{age}", count)
        cells[(grade, sex, age)] += count
    return _summarise(dict(sorted(cells.items(), key=lambda item: _cell_order(*item[0]))))


def _cell_order(grade: str, sex: str, age: int) -> tuple[int, int, int]:
    return GRADES.index(grade), SEXES.index(sex), age


def _summarise(cells: dict[tuple[str, str, int], int]) -> EnrolmentTable:
    by_grade: dict[str, int] = defaultdict(int)
    by_sex: dict[str, int] = defaultdict(int)
    by_age: dict[int, int] = defaultdict(int)
    by_grade_sex: dict[tuple[str, str], int] = defaultdict(int)
    over_age_by_grade: dict[str, int] = defaultdict(int)
    for (grade, sex, age), n in cells.items():
        by_grade[grade] += n
        by_sex[sex] += n
        by_age[age] += n
        by_grade_sex[(grade, sex)] += n
        if age >= official_age(grade) + OVER_AGE_YEARS:
            over_age_by_grade[grade] += n
    by_level = {level: sum(by_grade.get(g, 0) for g in grades) for level, grades in LEVELS.items()}
    return EnrolmentTable(
        cells=cells,
        total=sum(cells.values()),
        by_grade=dict(by_grade),
        by_sex=dict(by_sex),
        by_age=dict(sorted(by_age.items())),
        by_level={level: n for level, n in by_level.items() if any(g in by_grade for g in LEVELS[level])},
        by_grade_sex=dict(by_grade_sex),
        over_age_by_grade=dict(over_age_by_grade),
        over_age=sum(over_age_by_grade.values()),
    )
