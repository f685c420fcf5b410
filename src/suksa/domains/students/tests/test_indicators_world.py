"""A hand-built records world whose indicators are worked out by hand (shared by the indicator tests).

Academic year t = 2568, census jun10 of 2568 (E_t) and of 2569 (E_t+1, repeaters R_t+1).

School A (``school_a1_1``, ESA a1, 8 teachers): P1–P6, 10 girls and 10 boys in each grade at t.
  At t+1 every grade P2–P6 holds 18 promotees (9 F, 9 M) and 2 repeaters (1 F, 1 M); P1 holds 20
  new entrants and 2 repeaters. Enrolment records: 17 P6 graduates of t (9 F, 8 M) and 2 repeated.
  So P1–P5: PR 0.9, RR 0.1, DR 0; P6: PR 17/20, RR 0.1, DR 1/20.
  Attendance: 5 learners in P1, 20 days each; one missed 2 days (chronic), the rest came every day.
School B (``school_a1_2``, ESA a1, 8 teachers): P6 only, certified 15 F and 13 M, amended +2 M
  (effective 15/15 = 30). At t+1: 6 P6 repeaters (3 F, 3 M). No year-end recorded, no M1 taught.
School C (``school_a2_1``, ESA a2, 80 teachers): M3 20 F + 20 M at t; at t+1 M4 36 promotees
  (18/18), 4 M3 repeaters (2/2) and 25 M1 new entrants (13 F, 12 M).
School D (``school_b1_1``, ESA b1): only a DRAFT return (P1 50): ignored everywhere.
"""

from __future__ import annotations

import datetime as dt

from suksa.analytics.uis import official_age
from suksa.core.models import AcademicYear, OrgUnit
from suksa.domains.students.models import (
    AttendanceMark,
    CensusAmendment,
    CensusCount,
    CensusReturn,
    CensusRound,
)
from suksa.domains.students.tests.factories import academic_year, make_classroom, make_student
from tests.factories import World

T = 2568


def census_round(year_be: int) -> CensusRound:
    census_date = academic_year(year_be).census_dates.get(round="jun10")
    census_round, _ = CensusRound.objects.get_or_create(census_date=census_date)
    return census_round


def census_return(
    school: OrgUnit, year_be: int, cells: list[tuple[str, str, int, bool]], status: str = "certified"
) -> CensusReturn:
    """cells: (grade, sex, count, repeater); ages are the grade's official age."""
    ret = CensusReturn.objects.create(
        round=census_round(year_be), school=school, status=status, student_total=sum(c[2] for c in cells)
    )
    CensusCount.objects.bulk_create(
        CensusCount(census_return=ret, grade=g, sex=s, age=official_age(g), repeater=r, count=n)
        for g, s, n, r in cells
        if n
    )
    return ret


def build(world: World) -> dict[str, CensusReturn]:
    academic_year(T + 1)
    primary = ["P1", "P2", "P3", "P4", "P5", "P6"]
    a_t = [(g, s, 10, False) for g in primary for s in "FM"]
    a_t1 = [("P1", s, 10, False) for s in "FM"]
    a_t1 += [(g, s, 9, False) for g in primary[1:] for s in "FM"]
    a_t1 += [(g, s, 1, True) for g in primary for s in "FM"]
    returns = {
        "a_t": census_return(world.school_a1_1, T, a_t),
        "a_t1": census_return(world.school_a1_1, T + 1, a_t1),
        "b_t": census_return(world.school_a1_2, T, [("P6", "F", 15, False), ("P6", "M", 13, False)]),
        "b_t1": census_return(world.school_a1_2, T + 1, [("P6", "F", 3, True), ("P6", "M", 3, True)]),
        "c_t": census_return(world.school_a2_1, T, [("M3", "F", 20, False), ("M3", "M", 20, False)]),
        "c_t1": census_return(
            world.school_a2_1,
            T + 1,
            [
                ("M4", "F", 18, False),
                ("M4", "M", 18, False),
                ("M3", "F", 2, True),
                ("M3", "M", 2, True),
                ("M1", "F", 13, False),
                ("M1", "M", 12, False),
            ],
        ),
        "d_t": census_return(world.school_b1_1, T, [("P1", "F", 25, False), ("P1", "M", 25, False)], "draft"),
    }
    CensusAmendment.objects.create(
        census_return=returns["b_t"], grade="P6", sex="M", age=11, delta=2, reason="นับตกไป 2 คน"
    )
    for i in range(17):
        make_student(world.school_a1_1, grade="P6", year_be=T, sex="F" if i < 9 else "M", status="graduated")
    for sex in "FM":
        make_student(world.school_a1_1, grade="P6", year_be=T, sex=sex, status="repeated")
    _attendance(world)
    return returns


def _attendance(world: World) -> None:
    year = AcademicYear.objects.get(year_be=T)
    room = make_classroom(world.school_a1_1, "P1", 1, year_be=T)
    days = [year.starts_on + dt.timedelta(days=i) for i in range(40)]
    days = [d for d in days if d.weekday() < 5][:20]
    for i in range(5):
        student = make_student(world.school_a1_1, grade="P1", year_be=T, sex="F" if i % 2 else "M")
        AttendanceMark.objects.bulk_create(
            AttendanceMark(student=student, classroom=room, date=d, code="A" if i == 0 and j < 2 else "P")
            for j, d in enumerate(days)
        )
