"""Synthetic learners for tests (invented names, valid-checksum IDs). Builds on tests.factories.World."""

from __future__ import annotations

import datetime as dt
import itertools

from suksa.core.identifiers import citizen_id_check_digit
from suksa.core.models import AcademicYear, OrgUnit
from suksa.core.services import calendar_ensure_year
from suksa.domains.accounts.models import User
from suksa.domains.students.models import Classroom, Enrolment, Student
from suksa.domains.students.models.choices import GRADE_ORDER, EnrolmentStatus, EntryKind

CURRENT_YEAR_BE = 2569
_serial = itertools.count(1)
# Age at the start of the academic year for each grade (P1 at 6): born before 16 May of that year.
OFFICIAL_AGE = {g: a for a, g in enumerate(GRADE_ORDER, start=3)}


def citizen_id(serial: int | None = None) -> str:
    """A valid 13-digit citizen ID (first digit 1), unique per call unless ``serial`` is given."""
    n = next(_serial) if serial is None else serial
    first12 = f"1{n:011d}"
    return first12 + str(citizen_id_check_digit(first12))


def academic_year(year_be: int = CURRENT_YEAR_BE) -> AcademicYear:
    return calendar_ensure_year(year_be=year_be)


def make_classroom(
    school: OrgUnit, grade: str = "P1", number: int = 1, *, year_be: int = CURRENT_YEAR_BE,
    teachers: tuple[User, ...] = (),
) -> Classroom:  # fmt: skip
    room, _ = Classroom.objects.get_or_create(
        school=school, academic_year=academic_year(year_be), grade=grade, number=number
    )
    if teachers:
        room.teachers.add(*teachers)
    return room


def make_student(
    school: OrgUnit,
    *,
    grade: str = "P1",
    room: int = 1,
    year_be: int = CURRENT_YEAR_BE,
    sex: str = "F",
    birth_date: dt.date | None = None,
    first_name_th: str = "ทดสอบ",
    last_name_th: str = "นักเรียน",
    cid: str | None = None,
    g_code: str | None = None,
    status: str = EnrolmentStatus.ACTIVE,
    entry: str = EntryKind.ADMITTED,
) -> Student:
    """A learner with one open enrolment in ``school``/``grade``/``room`` for ``year_be``."""
    ay = academic_year(year_be)
    if birth_date is None:
        birth_date = dt.date(year_be - 543 - OFFICIAL_AGE[grade], 3, 1)
    student = Student(
        citizen_id=cid if cid is not None or g_code else citizen_id(),
        g_code=g_code,
        prefix_th="เด็กหญิง" if sex == "F" else "เด็กชาย",
        first_name_th=first_name_th,
        last_name_th=last_name_th,
        sex=sex,
        birth_date=birth_date,
        school=school,
    )
    student.search_text = student.compute_search_text()
    student.save()
    Enrolment.objects.create(
        student=student, school=school, academic_year=ay, grade=grade,
        classroom=make_classroom(school, grade, room, year_be=year_be),
        entry=entry, status=status, starts_on=ay.starts_on,
    )  # fmt: skip
    return student
