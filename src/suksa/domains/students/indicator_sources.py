"""The counts behind the standard indicators, aggregated once in SQL per source.

Each function runs one (or two) grouped queries over the whole nation and returns small Python
tables keyed by school (or ESA, for ages); ``services.indicators`` rolls them up the org tree and
applies the pure formulas of ``suksa.analytics``. Nothing here looks at the actor: the service checks
``indicator.compute`` before calling.

Sources, as the indicators' provenance names them:

- census: CERTIFIED returns only (status certified or acknowledged) of one round, their counts plus
  every :class:`CensusAmendment` delta (effective counts = certified counts + amendments);
- graduates: enrolment records of the academic year whose status is ``graduated`` (record-derived,
  not certified), with how many enrolments of the grade have any year-end outcome at all;
- teachers: ``core.School.teacher_count`` (the school profile, as of ``counts_as_of``);
- attendance: ``AttendanceMark`` rows of the academic year, tallied per learner in SQL.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db import connection

from suksa.core.models import OrgUnit, School
from suksa.domains.students.models import (
    AttendanceMark,
    CensusAmendment,
    CensusCount,
    CensusReturn,
    Classroom,
    Enrolment,
    Student,
)
from suksa.domains.students.models.choices import YEAR_END_STATUSES, EnrolmentStatus

CERTIFIED = (CensusReturn.Status.CERTIFIED.value, CensusReturn.Status.ACKNOWLEDGED.value)
LAST_GRADES = ("K3", "P6", "M3", "M6")

# (grade, sex) -> (enrolled, repeaters)
GradeSexCounts = dict[tuple[str, str], list[int]]


@dataclass
class CensusTable:
    """Effective counts of one round's certified returns."""

    round_id: int | None
    # school id -> (grade, sex) -> [enrolled, repeaters]
    by_school: dict[int, GradeSexCounts] = field(default_factory=dict)
    # ESA id -> (grade, sex, age) -> enrolled
    ages_by_esa: dict[int, dict[tuple[str, str, int], int]] = field(default_factory=dict)
    # school id -> the certified return's id
    returns: dict[int, int] = field(default_factory=dict)


def _effective_cells_sql(group: str, select: str, join: str = "") -> str:
    """Certified counts plus amendments of one round, grouped by ``group``."""
    count, ret, amend = (
        CensusCount._meta.db_table,
        CensusReturn._meta.db_table,
        CensusAmendment._meta.db_table,
    )
    where = f"ret.round_id = %s AND ret.status IN ('{CERTIFIED[0]}', '{CERTIFIED[1]}')"
    return f"""
        SELECT {select}
        FROM (
            SELECT ret.school_id AS school_id, c.grade AS grade, c.sex AS sex, c.age AS age,
                   c.repeater AS repeater, c.count AS n
            FROM {count} c JOIN {ret} ret ON ret.id = c.census_return_id
            WHERE {where}
            UNION ALL
            SELECT ret.school_id, a.grade, a.sex, a.age, a.repeater, a.delta
            FROM {amend} a JOIN {ret} ret ON ret.id = a.census_return_id
            WHERE {where}
        ) cells {join}
        GROUP BY {group}
    """  # noqa: S608 - table names come from the models, values are parameters


def census_table(round_id: int | None, esa_of: Mapping[int, int] | None = None) -> CensusTable:
    """Effective counts of one round, in ONE scan of its certified cells: by school × grade × sex and,
    when ``esa_of`` (school id -> ESA id, from :func:`tree`) is given, by ESA × grade × sex × age
    (the school's ESA is looked up in that dict, not joined per row); plus the returns used."""
    table = CensusTable(round_id=round_id)
    if round_id is None:
        return table
    by_school: dict[int, GradeSexCounts] = {}
    ages: dict[int, dict[tuple[str, str, int], int]] = {}
    with connection.cursor() as cursor:
        if esa_of is None:
            group, select = "school_id, grade, sex", "school_id, grade, sex, 0"
        else:
            group, select = "school_id, grade, sex, age", "school_id, grade, sex, age"
        cursor.execute(
            _effective_cells_sql(group, f"{select}, SUM(n), SUM(CASE WHEN repeater THEN n ELSE 0 END)"),
            [round_id, round_id],
        )
        rows = cursor.fetchall()
    # Rows usually come grouped by school: keep the current school's tables at hand. Sums are ints
    # on both backends (SUM of integer columns).
    current, cells, esa_cells, zeros = None, {}, None, False
    for school_id, grade, sex, age, enrolled, repeaters in rows:
        if school_id != current:
            current = school_id
            cells = by_school.setdefault(school_id, {})
            esa = esa_of.get(school_id) if esa_of is not None else None
            esa_cells = None if esa is None else ages.setdefault(esa, {})
        key = (grade, sex)
        cell = cells.get(key)
        if cell is None:
            cells[key] = [enrolled, repeaters]
        else:
            cell[0] += enrolled
            cell[1] += repeaters
        if esa_cells is not None and enrolled:
            age_key = (grade, sex, age)
            esa_cells[age_key] = esa_cells.get(age_key, 0) + enrolled
        zeros = zeros or enrolled <= 0 or repeaters < 0
    if zeros:  # amendments can cancel a cell out: drop cells (and schools) left at zero
        by_school = {
            school: kept
            for school, cells in by_school.items()
            if (kept := {k: v for k, v in cells.items() if v[0] or v[1]})
        }
        ages = {esa: {k: n for k, n in cells.items() if n} for esa, cells in ages.items()}
    table.by_school = by_school
    table.ages_by_esa = ages
    table.returns = dict(
        CensusReturn.objects.filter(round_id=round_id, status__in=CERTIFIED).values_list("school_id", "pk")
    )
    return table


def graduates(academic_year_id: int) -> dict[int, dict[tuple[str, str], list[int]]]:
    """school id -> (last grade, sex) -> [graduated, with any year-end outcome], from enrolments."""
    student = Student._meta.db_table
    enrolment = Enrolment._meta.db_table
    grades = ", ".join(f"'{g}'" for g in LAST_GRADES)
    ended = ", ".join(f"'{s.value}'" for s in YEAR_END_STATUSES)
    sql = f"""
        SELECT e.school_id, e.grade, s.sex,
               SUM(CASE WHEN e.status = '{EnrolmentStatus.GRADUATED.value}' THEN 1 ELSE 0 END),
               SUM(CASE WHEN e.status IN ({ended}) THEN 1 ELSE 0 END)
        FROM {enrolment} e JOIN {student} s ON s.id = e.student_id
        WHERE e.academic_year_id = %s AND e.grade IN ({grades})
        GROUP BY e.school_id, e.grade, s.sex
    """  # noqa: S608 - constants only
    result: dict[int, dict[tuple[str, str], list[int]]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, [academic_year_id])
        for school_id, grade, sex, graduated, outcomes in cursor.fetchall():
            result[school_id][(grade, sex)] = [int(graduated), int(outcomes)]
    return dict(result)


@dataclass(frozen=True)
class SchoolStaffing:
    teachers: int
    counts_as_of: dt.date | None


def teachers() -> dict[int, SchoolStaffing]:
    """school id -> teacher count and the date the profile's counts describe."""
    return {
        unit_id: SchoolStaffing(n, as_of)
        for unit_id, n, as_of in School.objects.values_list("unit_id", "teacher_count", "counts_as_of")
    }


ATTENDANCE_FIELDS = ("students", "eligible", "chronic", "P", "L", "S", "E", "A")


def attendance(
    starts_on: dt.date, ends_on: dt.date, *, threshold: float, min_days: int, missed_codes: tuple[str, ...]
) -> dict[int, dict[str, int]]:
    """school id -> learners marked, learners with ``min_days`` recorded days, how many of those
    missed at least ``threshold`` of their days (compared exactly, as the pure formula does), and
    day counts per code. A learner marked in two schools (a transfer) counts in each.
    """
    mark, room = AttendanceMark._meta.db_table, Classroom._meta.db_table
    exact = Fraction(str(threshold))
    missed = " + ".join(f"d_{c}" for c in missed_codes)
    per_code = ", ".join(f"SUM(CASE WHEN m.code = '{c}' THEN 1 ELSE 0 END) AS d_{c}" for c in "PLSEA")
    sql = f"""
        SELECT school_id, COUNT(*),
               SUM(CASE WHEN recorded >= %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN recorded >= %s AND ({missed}) * %s >= recorded * %s THEN 1 ELSE 0 END),
               SUM(d_P), SUM(d_L), SUM(d_S), SUM(d_E), SUM(d_A)
        FROM (
            SELECT r.school_id AS school_id, m.student_id, COUNT(*) AS recorded, {per_code}
            FROM {mark} m JOIN {room} r ON r.id = m.classroom_id
            WHERE m.date >= %s AND m.date <= %s
            GROUP BY r.school_id, m.student_id
        ) per_student
        GROUP BY school_id
    """  # noqa: S608 - constants only
    params: list[Any] = [min_days, min_days, exact.denominator, exact.numerator, starts_on, ends_on]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            row[0]: {name: int(v or 0) for name, v in zip(ATTENDANCE_FIELDS, row[1:], strict=True)}
            for row in cursor.fetchall()
        }


@dataclass(frozen=True)
class Tree:
    """Each school's ancestors (from the materialised path) and every non-school unit's kind."""

    ancestors: dict[int, tuple[int, ...]]  # school id -> (ESA, region, nation) ids, nearest first
    kinds: dict[int, str]
    paths: dict[int, str]


def tree() -> Tree:
    """Two queries: the non-school units (a few hundred) and every school's path."""
    upper = list(OrgUnit.objects.exclude(kind=OrgUnit.Kind.SCHOOL).values_list("pk", "code", "kind", "path"))
    by_code = {code: pk for pk, code, _, _ in upper}
    kinds = {pk: kind for pk, _, kind, _ in upper}
    paths = {pk: path for pk, _, _, path in upper}
    ancestors: dict[int, tuple[int, ...]] = {}
    for pk, path in OrgUnit.objects.filter(kind=OrgUnit.Kind.SCHOOL).values_list("pk", "path").iterator(5000):
        codes = [c for c in path.split("/") if c][:-1]
        ancestors[pk] = tuple(by_code[c] for c in reversed(codes) if c in by_code)
        kinds[pk] = OrgUnit.Kind.SCHOOL
        paths[pk] = path
    return Tree(ancestors=ancestors, kinds=kinds, paths=paths)
