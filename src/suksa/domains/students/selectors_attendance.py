"""Reads of daily attendance: the school calendar, a room's sheet, summaries and missing days.

Who sees what:
- a room's sheet and its per-learner summary (codes include "sick", which is health-adjacent) are
  seen only by those who may mark the room: the school's director and staff, and the room's
  homeroom teachers (:func:`rooms_markable_by`);
- every figure above the room — a school's rate and chronic absenteeism, its rooms with missing
  days, an ESA's schools with missing days — is an aggregate, seen with ``org.view`` in scope.

School days are weekdays inside a semester of the room's academic year that are not closures
(of the school, or nationwide), up to today. The calendar is computed in Python (a year has about
two hundred school days) and compared against one aggregate query of marked (room, date) pairs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from suksa.analytics.attendance import (
    DAY_CODES,
    attendance_rate,
    chronic_absenteeism_rate,
    is_chronically_absent,
    recorded_days,
)
from suksa.analytics.uis.rate import Rate
from suksa.core.dates import format_be
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied, Problem
from suksa.core.lookups import subtree_q
from suksa.core.models import AcademicYear, OrgUnit, Semester
from suksa.core.policy import ROLE_PERMS, Actor, Perm
from suksa.domains.students.models import AttendanceMark, Classroom, Enrolment, SchoolClosure, Student
from suksa.domains.students.models.choices import GRADE_ORDER
from suksa.domains.students.selectors import classrooms_visible_to, school_unit_for

CODES: tuple[str, ...] = tuple(DAY_CODES)
# A learner is judged chronically absent only once this many days are recorded (early in a term a
# learner who missed one of their first three days is not yet a concern).
CHRONIC_MIN_DAYS = 10
# The ESA view looks at this many most recent school days by default.
RECENT_SCHOOL_DAYS = 5
# Missing dates listed per room (the count is always complete).
MISSING_DATES_SHOWN = 10


def today() -> dt.date:
    """The local date; tests replace this function to pin "today"."""
    return timezone.localdate()


# --- who may mark (and so read) a room -----------------------------------------------------------


def rooms_markable_by(actor: Actor) -> QuerySet[Classroom]:
    """Rooms the actor may mark: every room of a school where a whole-school role holds
    ``attendance.record`` (director, staff), and a teacher's own homerooms."""
    q = Q(pk__in=[])
    for grant in actor.grants_for(Perm.ATTENDANCE_RECORD):
        in_school = subtree_q(grant.unit_path, "school__path")
        if Perm.STUDENT_VIEW in ROLE_PERMS[grant.role]:
            q |= in_school
        elif Perm.ROOM_VIEW in ROLE_PERMS[grant.role] and actor.user_id is not None:
            q |= in_school & Q(pk__in=Classroom.objects.filter(teachers=actor.user_id).values("pk"))
    return Classroom.objects.filter(q)


def attendance_room_get(actor: Actor, classroom_id: int | str) -> Classroom:
    """A room whose sheet the actor may read and mark.

    A room the actor cannot see at all is not found; one they see through ``student.view`` but may
    not mark (an ESA officer) is forbidden — ESA roles see aggregates of attendance only.
    """
    try:
        pk = int(classroom_id)
    except (TypeError, ValueError):
        raise NotFoundOrNoAccess.default() from None
    room = rooms_markable_by(actor).select_related("school", "academic_year").filter(pk=pk).first()
    if room is not None:
        return room
    if classrooms_visible_to(actor).filter(pk=pk).exists():
        raise PermissionDenied.default()
    raise NotFoundOrNoAccess.default()


# --- the school calendar -------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolCalendar:
    """The school days of one school in one academic year."""

    year_be: int
    semesters: tuple[tuple[dt.date, dt.date], ...]
    closures: Mapping[dt.date, tuple[str, str]] = field(default_factory=dict)

    @property
    def first_day(self) -> dt.date | None:
        return min((s for s, _ in self.semesters), default=None)

    @property
    def last_day(self) -> dt.date | None:
        return max((e for _, e in self.semesters), default=None)

    def in_semester(self, day: dt.date) -> bool:
        return any(s <= day <= e for s, e in self.semesters)

    def is_school_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and self.in_semester(day) and day not in self.closures

    def problem(self, day: dt.date, as_of: dt.date) -> Problem | None:
        """Why ``day`` is not a school day on which attendance can be recorded, or None."""
        th_day, en_day = format_be(day, "th", "long"), format_be(day, "en")
        if day > as_of:
            return Problem(
                code="date_in_future",
                th=f"วันที่ {th_day} ยังมาไม่ถึง จึงบันทึกการมาเรียนล่วงหน้าไม่ได้",
                en=f"{en_day} is in the future: attendance cannot be recorded ahead",
                field="date",
            )
        if not self.in_semester(day):
            return Problem(
                code="date_outside_semester",
                th=f"วันที่ {th_day} อยู่นอกภาคเรียนของปีการศึกษา {self.year_be}",
                en=f"{en_day} is outside the semesters of academic year {self.year_be}",
                field="date",
            )
        if day.weekday() >= 5:
            th_name, en_name = ("วันเสาร์", "a Saturday") if day.weekday() == 5 else ("วันอาทิตย์", "a Sunday")
            return Problem(
                code="date_weekend",
                th=f"วันที่ {th_day} เป็น{th_name} ไม่ใช่วันเรียน",
                en=f"{en_day} is {en_name}, not a school day",
                field="date",
            )
        if day in self.closures:
            reason_th, reason_en = self.closures[day]
            return Problem(
                code="date_closure",
                th=f"วันที่ {th_day} เป็นวันหยุด: {reason_th}",
                en=f"{en_day} is a day off: {reason_en or reason_th}",
                field="date",
            )
        return None

    def days(self, start: dt.date | None = None, end: dt.date | None = None) -> list[dt.date]:
        """School days from ``start`` to ``end`` inclusive (bounded by the semesters)."""
        first, last = self.first_day, self.last_day
        if first is None or last is None:
            return []
        lo = max(start, first) if start else first
        hi = min(end, last) if end else last
        out = []
        day = lo
        while day <= hi:
            if self.is_school_day(day):
                out.append(day)
            day += dt.timedelta(days=1)
        return out

    def previous_day(self, day: dt.date) -> dt.date | None:
        earlier = self.days(end=day - dt.timedelta(days=1))
        return earlier[-1] if earlier else None

    def next_day(self, day: dt.date, as_of: dt.date | None = None) -> dt.date | None:
        later = self.days(start=day + dt.timedelta(days=1), end=day + dt.timedelta(days=62))
        nxt = later[0] if later else None
        if nxt is not None and as_of is not None and nxt > as_of:
            return None
        return nxt

    def latest_on_or_before(self, day: dt.date) -> dt.date | None:
        if self.first_day is None or day < self.first_day:
            return None
        window = self.days(start=max(self.first_day, day - dt.timedelta(days=62)), end=day)
        if window:
            return window[-1]
        earlier = self.days(end=day)
        return earlier[-1] if earlier else None


def _semesters(academic_year: AcademicYear) -> tuple[tuple[dt.date, dt.date], ...]:
    return tuple(
        Semester.objects.filter(academic_year=academic_year)
        .order_by("starts_on")
        .values_list("starts_on", "ends_on")
    )


def school_calendars(school_ids: Iterable[int], academic_year: AcademicYear) -> dict[int, SchoolCalendar]:
    """The calendar of each school for the year: two queries whatever the number of schools."""
    ids = list(school_ids)
    semesters = _semesters(academic_year)
    bounds = (
        (semesters[0][0], semesters[-1][1]) if semesters else (academic_year.starts_on, academic_year.ends_on)
    )
    nationwide: dict[dt.date, tuple[str, str]] = {}
    own: dict[int, dict[dt.date, tuple[str, str]]] = defaultdict(dict)
    rows = SchoolClosure.objects.filter(
        Q(school__isnull=True) | Q(school_id__in=ids), date__range=bounds
    ).values_list("school_id", "date", "reason_th", "reason_en")
    for school_id, day, th, en in rows:
        if school_id is None:
            nationwide[day] = (th, en)
        else:
            own[school_id][day] = (th, en)
    return {
        sid: SchoolCalendar(academic_year.year_be, semesters, {**nationwide, **own.get(sid, {})})
        for sid in ids
    }


def school_calendar(school: OrgUnit | int, academic_year: AcademicYear) -> SchoolCalendar:
    sid = school if isinstance(school, int) else school.pk
    return school_calendars([sid], academic_year)[sid]


def academic_year_of(day: dt.date) -> AcademicYear | None:
    """The academic year ``day`` falls in, or the latest one that began before it."""
    return AcademicYear.objects.filter(starts_on__lte=day).order_by("-starts_on").first()


def default_sheet_date(room: Classroom, as_of: dt.date | None = None) -> dt.date:
    """The date a room's sheet opens on: the latest school day up to today (or the year's first)."""
    as_of = as_of or today()
    cal = school_calendar(room.school_id, room.academic_year)
    day = cal.latest_on_or_before(as_of)
    return day or cal.first_day or as_of


# --- a room's sheet -------------------------------------------------------------------------------


def enrolments_covering(day: dt.date, prefix: str = "") -> Q:
    """Enrolments that cover ``day`` (temporal: starts_on <= day <= ends_on, open-ended allowed)."""
    return Q(**{f"{prefix}starts_on__lte": day}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day})
    )


def room_roster(room: Classroom, day: dt.date) -> QuerySet[Enrolment]:
    """Enrolments in ``room`` that cover ``day``: the learners who belong on its sheet."""
    return Enrolment.objects.filter(enrolments_covering(day), classroom=room)


@dataclass(frozen=True)
class SheetRow:
    student_id: int
    name_th: str
    name_en: str
    code: str | None  # None: not yet marked on that day

    def name(self, language: str = "th") -> str:
        return self.name_en if language.startswith("en") and self.name_en else self.name_th


@dataclass(frozen=True)
class RoomSheet:
    classroom: Classroom
    date: dt.date
    rows: list[SheetRow]
    problem: Problem | None  # why the date is not a school day (the sheet is then read-only)
    previous_day: dt.date | None
    next_day: dt.date | None

    @property
    def is_school_day(self) -> bool:
        return self.problem is None

    @property
    def marked(self) -> int:
        return sum(1 for r in self.rows if r.code is not None)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(CODES, 0)
        for r in self.rows:
            if r.code is not None:
                counts[r.code] += 1
        return counts


def room_sheet(actor: Actor, classroom_id: int | str, day: dt.date | None = None) -> RoomSheet:
    """The learners in the room on ``day`` with their codes (one query for the rows)."""
    room = attendance_room_get(actor, classroom_id)
    as_of = today()
    day = day or default_sheet_date(room, as_of)
    cal = school_calendar(room.school_id, room.academic_year)
    code = AttendanceMark.objects.filter(student=OuterRef("student_id"), date=day).values("code")[:1]
    rows = (
        room_roster(room, day)
        .annotate(mark=Subquery(code))
        .order_by("student__first_name_th", "student__last_name_th", "student_id")
        .values_list(
            "student_id",
            "student__prefix_th",
            "student__first_name_th",
            "student__last_name_th",
            "student__first_name_en",
            "student__last_name_en",
            "mark",
        )
    )
    seen: set[int] = set()
    sheet_rows = []
    for sid, prefix, first_th, last_th, first_en, last_en, mark in rows:
        if sid in seen:
            continue
        seen.add(sid)
        name_en = f"{first_en} {last_en}".strip()
        sheet_rows.append(SheetRow(sid, f"{prefix}{first_th} {last_th}".strip(), name_en, mark))
    return RoomSheet(
        classroom=room,
        date=day,
        rows=sheet_rows,
        problem=cal.problem(day, as_of),
        previous_day=cal.previous_day(day),
        next_day=cal.next_day(day, as_of),
    )


# --- the actor's rooms on a day ------------------------------------------------------------------


@dataclass(frozen=True)
class RoomStatus:
    classroom: Classroom
    learners: int
    marked: int

    @property
    def complete(self) -> bool:
        return self.learners > 0 and self.marked >= self.learners


def my_rooms(actor: Actor, day: dt.date, limit: int = 300) -> list[RoomStatus]:
    """The rooms the actor may mark in the academic year of ``day``, with learners and marks that day."""
    ay = academic_year_of(day)
    if ay is None:
        return []
    learners = (
        Enrolment.objects.filter(enrolments_covering(day), classroom=OuterRef("pk"))
        .order_by()
        .values("classroom")
        .annotate(n=Count("student", distinct=True))
        .values("n")
    )
    marked = (
        AttendanceMark.objects.filter(classroom=OuterRef("pk"), date=day)
        .order_by()
        .values("classroom")
        .annotate(n=Count("id"))
        .values("n")
    )
    rooms = (
        rooms_markable_by(actor)
        .filter(academic_year=ay)
        .select_related("school")
        .annotate(n_learners=Subquery(learners), n_marked=Subquery(marked))
        .order_by("school__code", "grade", "number")[:limit]
    )
    out = [RoomStatus(r, r.n_learners or 0, r.n_marked or 0) for r in rooms]
    out.sort(
        key=lambda s: (s.classroom.school.code, GRADE_ORDER.index(s.classroom.grade), s.classroom.number)
    )
    return out


# --- monthly summaries, rate and chronic absenteeism per learner --------------------------------


def _empty() -> dict[str, int]:
    return dict.fromkeys(CODES, 0)


def _add(into: dict[str, int], counts: Mapping[str, int]) -> None:
    for k, v in counts.items():
        into[k] += v


def learner_is_chronic(counts: Mapping[str, int]) -> bool:
    """Missed at least 10 % of recorded days, once at least :data:`CHRONIC_MIN_DAYS` are recorded."""
    return recorded_days(counts) >= CHRONIC_MIN_DAYS and is_chronically_absent(counts)


@dataclass(frozen=True)
class LearnerSummary:
    student_id: int
    name_th: str
    name_en: str
    month: dict[str, int]
    year_to_date: dict[str, int]

    def name(self, language: str = "th") -> str:
        return self.name_en if language.startswith("en") and self.name_en else self.name_th

    @property
    def month_rate(self) -> Rate:
        return attendance_rate(self.month)

    @property
    def rate(self) -> Rate:
        return attendance_rate(self.year_to_date)

    @property
    def missed(self) -> int:
        return sum(self.year_to_date[c] for c in ("S", "E", "A"))

    @property
    def recorded(self) -> int:
        return recorded_days(self.year_to_date)

    @property
    def chronic(self) -> bool:
        return learner_is_chronic(self.year_to_date)


@dataclass(frozen=True)
class RoomMonthSummary:
    classroom: Classroom
    month: dt.date  # the first day of the month
    school_days: int  # school days of the month up to today
    learners: list[LearnerSummary]

    @property
    def month_end(self) -> dt.date:
        return _month_end(self.month)

    @property
    def totals(self) -> dict[str, int]:
        total = _empty()
        for learner in self.learners:
            _add(total, learner.month)
        return total

    @property
    def rate(self) -> Rate:
        return attendance_rate(self.totals)

    @property
    def chronic_rate(self) -> Rate:
        return chronic_absenteeism_rate((lr.year_to_date for lr in self.learners), min_days=CHRONIC_MIN_DAYS)


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(raw: str) -> dt.date:
    """The first day of a month typed ``2569-06`` (BE, as the pages write it) or ``2026-06`` (CE)."""
    m = _MONTH.match((raw or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InvalidInput.single(
            "month_format",
            f"รูปแบบเดือนไม่ถูกต้อง «{raw}»: ใช้ ปปปป-ดด เช่น 2569-06",
            f"Unrecognised month «{raw}»: use yyyy-mm, e.g. 2569-06",
            field="month",
        )
    year = int(m.group(1))
    return dt.date(year - 543 if year >= 2400 else year, int(m.group(2)), 1)


def _month_end(month: dt.date) -> dt.date:
    nxt = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def monthly_counts(
    student_ids: QuerySet[Any] | Iterable[int], start: dt.date, end: dt.date
) -> dict[int, dict[dt.date, dict[str, int]]]:
    """Counts per code per month for each learner, from ``start`` to ``end``: one GROUP BY query.

    ``student_ids`` is a list of ids or a query yielding them (used as a subquery).
    """
    ids = student_ids if isinstance(student_ids, QuerySet) else list(student_ids)
    rows = (
        AttendanceMark.objects.filter(student_id__in=ids, date__range=(start, end))
        .annotate(month=TruncMonth("date"))
        .order_by()
        .values("student_id", "month", "code")
        .annotate(n=Count("id"))
        .values_list("student_id", "month", "code", "n")
    )
    out: dict[int, dict[dt.date, dict[str, int]]] = defaultdict(lambda: defaultdict(_empty))
    for sid, month, code, n in rows:
        if isinstance(month, dt.datetime):
            month = month.date()
        out[sid][month][code] += n
    return out


def room_month_summary(
    actor: Actor, classroom_id: int | str, month: dt.date | None = None
) -> RoomMonthSummary:
    """Per learner of the room during ``month``: that month's counts, and the year to date's
    (academic year start to the month's end) for the attendance rate and the chronic flag."""
    room = attendance_room_get(actor, classroom_id)
    as_of = today()
    month = (month or as_of).replace(day=1)
    end = _month_end(month)
    in_month = Enrolment.objects.filter(classroom=room, starts_on__lte=end).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=month)
    )
    people = (
        Student.objects.filter(pk__in=in_month.values("student_id"))
        .order_by("first_name_th", "last_name_th", "pk")
        .values_list("pk", "prefix_th", "first_name_th", "last_name_th", "first_name_en", "last_name_en")
    )
    counts = monthly_counts(in_month.values_list("student_id", flat=True), room.academic_year.starts_on, end)
    learners = []
    for sid, prefix, first_th, last_th, first_en, last_en in people:
        by_month = counts.get(sid, {})
        ytd = _empty()
        for c in by_month.values():
            _add(ytd, c)
        learners.append(
            LearnerSummary(
                student_id=sid,
                name_th=f"{prefix}{first_th} {last_th}".strip(),
                name_en=f"{first_en} {last_en}".strip(),
                month=dict(by_month.get(month, _empty())),
                year_to_date=ytd,
            )
        )
    cal = school_calendar(room.school_id, room.academic_year)
    return RoomMonthSummary(
        classroom=room, month=month, school_days=len(cal.days(month, min(end, as_of))), learners=learners
    )


# --- rooms with missing attendance ----------------------------------------------------------------


@dataclass(frozen=True)
class RoomGap:
    classroom: Classroom
    expected: int  # school days on which the room had learners, up to the as-of date
    missing: list[dt.date]  # those with no mark at all, oldest first

    @property
    def missing_count(self) -> int:
        return len(self.missing)

    @property
    def recent_missing(self) -> list[dt.date]:
        return list(reversed(self.missing[-MISSING_DATES_SHOWN:]))


def _room_gaps(rooms: Iterable[Classroom], expected: Callable[[Classroom], list[dt.date]]) -> list[RoomGap]:
    """Compare each room's expected school days with one aggregate query of marked (room, date) pairs."""
    wanted = {room.pk: (room, expected(room)) for room in rooms}
    every_day = [d for _, days in wanted.values() for d in days]
    marked: dict[int, set[dt.date]] = defaultdict(set)
    if every_day:
        pairs = (
            AttendanceMark.objects.filter(
                classroom__in=list(wanted), date__range=(min(every_day), max(every_day))
            )
            .order_by()
            .values_list("classroom_id", "date")
            .distinct()
        )
        for cid, day in pairs:
            marked[cid].add(day)
    return [
        RoomGap(room, len(days), [d for d in days if d not in marked.get(room.pk, ())])
        for room, days in wanted.values()
    ]


def _rooms_with_learners(academic_year: AcademicYear) -> QuerySet[Classroom]:
    return (
        Classroom.objects.filter(academic_year=academic_year)
        .annotate(first_start=Min("enrolments__starts_on"))
        .filter(first_start__isnull=False)
    )


@dataclass(frozen=True)
class SchoolAttendance:
    school: OrgUnit
    academic_year: AcademicYear | None
    as_of: dt.date
    school_days: int
    rooms: list[RoomGap]
    totals: dict[str, int]
    rate: Rate
    chronic_rate: Rate

    @property
    def rooms_missing(self) -> list[RoomGap]:
        return [g for g in self.rooms if g.missing]


def school_attendance(actor: Actor, code: str, as_of: dt.date | None = None) -> SchoolAttendance:
    """A school's attendance in aggregate for the academic year to date: rooms with missing days,
    the attendance rate and the chronic-absenteeism rate (``org.view``: no learner-level data)."""
    school = school_unit_for(actor, Perm.ORG_VIEW, code)
    as_of = as_of or today()
    ay = academic_year_of(as_of)
    if ay is None:
        empty = attendance_rate(_empty())
        return SchoolAttendance(school, None, as_of, 0, [], _empty(), empty, chronic_absenteeism_rate([]))
    cal = school_calendar(school.pk, ay)
    end = min(as_of, ay.ends_on)
    rooms = list(_rooms_with_learners(ay).filter(school=school))
    rooms.sort(key=lambda r: (GRADE_ORDER.index(r.grade), r.number))
    gaps = _room_gaps(rooms, lambda r: cal.days(r.first_start, end))  # type: ignore[attr-defined]
    per_student: dict[int, dict[str, int]] = defaultdict(_empty)
    rows = (
        AttendanceMark.objects.filter(classroom__school=school, date__range=(ay.starts_on, end))
        .order_by()
        .values("student_id", "code")
        .annotate(n=Count("id"))
        .values_list("student_id", "code", "n")
    )
    for sid, c, n in rows:
        per_student[sid][c] += n
    totals = _empty()
    for counts in per_student.values():
        _add(totals, counts)
    return SchoolAttendance(
        school=school,
        academic_year=ay,
        as_of=as_of,
        school_days=len(cal.days(end=end)),
        rooms=gaps,
        totals=totals,
        rate=attendance_rate(totals),
        chronic_rate=chronic_absenteeism_rate(per_student.values(), min_days=CHRONIC_MIN_DAYS),
    )


@dataclass(frozen=True)
class SchoolGapRow:
    school: OrgUnit
    window: list[dt.date]  # the school's last N school days
    rooms: int
    rooms_missing: int
    missing_room_days: int


@dataclass(frozen=True)
class EsaAttendance:
    unit: OrgUnit
    as_of: dt.date
    days: int
    schools: list[SchoolGapRow]

    @property
    def schools_missing(self) -> int:
        return sum(1 for s in self.schools if s.rooms_missing)


def esa_missing_attendance(
    actor: Actor, code: str, days: int = RECENT_SCHOOL_DAYS, as_of: dt.date | None = None
) -> EsaAttendance:
    """Per school of an ESA: how many rooms lack a mark on any of the school's last ``days`` school
    days (aggregate only). A constant number of queries whatever the number of schools."""
    unit = OrgUnit.objects.filter(code=code, kind=OrgUnit.Kind.ESA).first()
    if unit is None or not actor.can(Perm.ORG_VIEW, unit.path):
        raise NotFoundOrNoAccess.default()
    as_of = as_of or today()
    days = max(1, min(days, 60))
    ay = academic_year_of(as_of)
    schools = list(
        OrgUnit.objects.filter(parent=unit, kind=OrgUnit.Kind.SCHOOL, is_active=True).order_by("code")
    )
    if ay is None or not schools:
        return EsaAttendance(unit, as_of, days, [])
    calendars = school_calendars([s.pk for s in schools], ay)
    end = min(as_of, ay.ends_on)
    windows = {sid: cal.days(end=end)[-days:] for sid, cal in calendars.items()}
    rooms = _rooms_with_learners(ay).filter(school__in=schools)
    gaps = _room_gaps(
        rooms,
        lambda r: [d for d in windows[r.school_id] if d >= r.first_start],  # type: ignore[attr-defined]
    )
    by_school: dict[int, list[RoomGap]] = defaultdict(list)
    for gap in gaps:
        by_school[gap.classroom.school_id].append(gap)
    rows = []
    for school in schools:
        school_gaps = by_school.get(school.pk, [])
        rows.append(
            SchoolGapRow(
                school=school,
                window=windows[school.pk],
                rooms=len(school_gaps),
                rooms_missing=sum(1 for g in school_gaps if g.missing),
                missing_room_days=sum(len(g.missing) for g in school_gaps),
            )
        )
    return EsaAttendance(unit, as_of, days, rows)


# --- closures ---------------------------------------------------------------------------------------


def closures_visible_to(actor: Actor) -> QuerySet[SchoolClosure]:
    """Nationwide closures (for anyone signed in with a role) and closures of schools in view."""
    if not actor.can_anywhere(Perm.ORG_VIEW):
        return SchoolClosure.objects.none()
    return SchoolClosure.objects.filter(Q(school__isnull=True) | actor.scope_q(Perm.ORG_VIEW, "school__path"))


def closure_get(actor: Actor, closure_id: int | str) -> SchoolClosure:
    try:
        pk = int(closure_id)
    except (TypeError, ValueError):
        raise NotFoundOrNoAccess.default() from None
    closure = closures_visible_to(actor).select_related("school").filter(pk=pk).first()
    if closure is None:
        raise NotFoundOrNoAccess.default()
    return closure
