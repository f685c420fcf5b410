"""Attendance summaries: monthly counts per learner, rates, chronic absenteeism, rooms missing days.

June 2026 has 22 school days (1–30 June, weekdays). May 2026 school days start Monday 18 May
(the year starts Saturday 16 May). Every figure is exact.
"""

from __future__ import annotations

import datetime as dt

import pytest

from suksa.core.errors import NotFoundOrNoAccess
from suksa.domains.accounts.actors import actor_for
from suksa.domains.students import selectors_attendance as sa
from suksa.domains.students.models import AttendanceMark, Classroom, SchoolClosure, Student
from suksa.domains.students.tests.factories import make_classroom, make_student
from tests.factories import World

pytestmark = pytest.mark.django_db

END_OF_JUNE = dt.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sa, "today", lambda: END_OF_JUNE)


def weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    out, day = [], start
    while day <= end:
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


JUNE = weekdays(dt.date(2026, 6, 1), END_OF_JUNE)
MAY = weekdays(dt.date(2026, 5, 18), dt.date(2026, 5, 29))


def mark(student: Student, room: Classroom, days: list[dt.date], codes: str) -> None:
    """Mark ``days`` with ``codes`` (one letter per day; the last letter repeats)."""
    AttendanceMark.objects.bulk_create(
        AttendanceMark(student=student, classroom=room, date=d, code=codes[min(i, len(codes) - 1)])
        for i, d in enumerate(days)
    )


def test_june_has_22_school_days() -> None:
    assert len(JUNE) == 22
    assert len(MAY) == 10


def test_monthly_summary_counts_rate_and_chronic_flag_per_learner(world: World) -> None:
    room = make_classroom(world.school_a1_1, "P1", 1, teachers=(world.user("teacher_a1_1"),))
    ann = make_student(world.school_a1_1, first_name_th="กานต์")  # 2 of 22 missed: 9.1 %, not chronic
    ben = make_student(world.school_a1_1, first_name_th="ขวัญ")  # 3 of 22 missed: 13.6 %, chronic
    cid = make_student(world.school_a1_1, first_name_th="คำ")  # no marks at all
    mark(ann, room, JUNE, "AL" + "P")
    mark(ben, room, JUNE, "SEA" + "P")
    mark(ben, room, MAY, "A" * 10)  # May counts for the year to date, not for June

    summary = sa.room_month_summary(actor_for(world.user("teacher_a1_1")), room.pk, dt.date(2026, 6, 1))

    assert summary.school_days == 22
    rows = {s.student_id: s for s in summary.learners}
    assert list(rows) == [ann.pk, ben.pk, cid.pk]
    assert rows[ann.pk].month == {"P": 20, "L": 1, "S": 0, "E": 0, "A": 1}
    assert rows[ben.pk].month == {"P": 19, "L": 0, "S": 1, "E": 1, "A": 1}
    assert rows[ben.pk].year_to_date == {"P": 19, "L": 0, "S": 1, "E": 1, "A": 11}
    assert rows[cid.pk].month == {"P": 0, "L": 0, "S": 0, "E": 0, "A": 0}
    assert (rows[ann.pk].rate.numerator, rows[ann.pk].rate.denominator) == (21, 22)
    assert rows[ann.pk].chronic is False
    assert (rows[ben.pk].month_rate.numerator, rows[ben.pk].month_rate.denominator) == (19, 22)
    assert (rows[ben.pk].rate.numerator, rows[ben.pk].rate.denominator) == (19, 32)
    assert rows[ben.pk].chronic is True
    assert rows[cid.pk].rate.value is None
    assert rows[cid.pk].chronic is False
    assert summary.totals == {"P": 39, "L": 1, "S": 1, "E": 1, "A": 2}
    # Of the two learners with at least 10 recorded days, one is chronically absent.
    assert (summary.chronic_rate.numerator, summary.chronic_rate.denominator) == (1, 2)

    may = sa.room_month_summary(actor_for(world.user("teacher_a1_1")), room.pk, dt.date(2026, 5, 1))
    assert may.school_days == 10
    assert {s.student_id: s.month["A"] for s in may.learners} == {ann.pk: 0, ben.pk: 10, cid.pk: 0}


def test_exactly_ten_percent_missed_is_chronic_and_fewer_than_ten_days_is_not_judged(world: World) -> None:
    room = make_classroom(world.school_a1_1, "P1", 1)
    ten = make_student(world.school_a1_1, first_name_th="ก")
    short = make_student(world.school_a1_1, first_name_th="ข")
    mark(ten, room, JUNE[:20], "AA" + "P")  # 2 of 20 = 10 %
    mark(short, room, JUNE[:9], "AAAAAAAAA")  # 9 days, all absent: not yet judged
    summary = sa.room_month_summary(actor_for(world.user("director_a1_1")), room.pk, dt.date(2026, 6, 1))
    flags = {s.student_id: s.chronic for s in summary.learners}
    assert flags == {ten.pk: True, short.pk: False}


def test_monthly_counts_come_from_one_group_by(world: World, django_assert_num_queries: object) -> None:
    room = make_classroom(world.school_a1_1, "P1", 1)
    learner = make_student(world.school_a1_1)
    mark(learner, room, MAY + JUNE, "P")
    with django_assert_num_queries(1):  # type: ignore[operator]
        counts = sa.monthly_counts([learner.pk], dt.date(2026, 5, 16), END_OF_JUNE)
    assert {m: c["P"] for m, c in counts[learner.pk].items()} == {
        dt.date(2026, 5, 1): 10,
        dt.date(2026, 6, 1): 22,
    }


def test_rooms_missing_attendance_are_flagged_exactly(world: World) -> None:
    SchoolClosure.objects.create(school=None, date=dt.date(2026, 6, 3), reason_th="วันเฉลิมฯ")
    SchoolClosure.objects.create(school=world.school_a1_1, date=dt.date(2026, 6, 5), reason_th="ซ่อม")
    full = make_classroom(world.school_a1_1, "P1", 1)
    gappy = make_classroom(world.school_a1_1, "P1", 2)
    make_classroom(world.school_a1_1, "P2", 1)  # no learners: nothing to mark, never flagged
    a = make_student(world.school_a1_1, grade="P1", room=1)
    b = make_student(world.school_a1_1, grade="P1", room=2)
    school_days = [d for d in MAY + JUNE if d not in (dt.date(2026, 6, 3), dt.date(2026, 6, 5))]
    assert len(school_days) == 30
    mark(a, full, school_days, "P")
    mark(b, gappy, school_days[:-3], "PA")  # the last three days unmarked

    report = sa.school_attendance(actor_for(world.user("esa_officer_a1")), world.school_a1_1.code)

    assert report.school_days == 30
    assert [(g.classroom.pk, g.expected, g.missing) for g in report.rooms] == [
        (full.pk, 30, []),
        (gappy.pk, 30, [dt.date(2026, 6, 26), dt.date(2026, 6, 29), dt.date(2026, 6, 30)]),
    ]
    assert [g.classroom.pk for g in report.rooms_missing] == [gappy.pk]
    assert report.totals == {"P": 31, "L": 0, "S": 0, "E": 0, "A": 26}
    assert (report.rate.numerator, report.rate.denominator) == (31, 57)
    assert (report.chronic_rate.numerator, report.chronic_rate.denominator) == (1, 2)


def test_a_room_whose_learners_joined_later_is_expected_from_then(world: World) -> None:
    room = make_classroom(world.school_a1_1, "P1", 1)
    learner = make_student(world.school_a1_1)
    learner.enrolments.update(starts_on=dt.date(2026, 6, 29))
    mark(learner, room, [dt.date(2026, 6, 29)], "P")
    report = sa.school_attendance(actor_for(world.user("director_a1_1")), world.school_a1_1.code)
    assert [(g.expected, g.missing) for g in report.rooms] == [(2, [END_OF_JUNE])]


def test_the_school_report_is_scoped_like_any_aggregate(world: World) -> None:
    for persona in ("director_a1_2", "esa_officer_b1", "nobody"):
        with pytest.raises(NotFoundOrNoAccess):
            sa.school_attendance(actor_for(world.user(persona)), world.school_a1_1.code)
    assert sa.school_attendance(actor_for(world.user("executive")), world.school_a1_1.code).rooms == []


def test_the_esa_view_counts_rooms_missing_any_of_the_last_n_school_days(
    world: World, django_assert_max_num_queries: object
) -> None:
    SchoolClosure.objects.create(school=world.school_a1_2, date=dt.date(2026, 6, 29), reason_th="ซ่อม")
    r11 = make_classroom(world.school_a1_1, "P1", 1)
    r12 = make_classroom(world.school_a1_1, "P1", 2)
    r21 = make_classroom(world.school_a1_2, "P1", 1)
    s11 = make_student(world.school_a1_1, grade="P1", room=1)
    s12 = make_student(world.school_a1_1, grade="P1", room=2)
    s21 = make_student(world.school_a1_2, grade="P1", room=1)
    last5 = JUNE[-5:]  # 24–30 June
    mark(s11, r11, last5, "P")
    mark(s12, r12, last5[:3], "P")  # 29 and 30 June missing
    a12_days = [d for d in JUNE if d != dt.date(2026, 6, 29)][-5:]  # its own closure shifts the window
    mark(s21, r21, a12_days, "P")

    with django_assert_max_num_queries(8):  # type: ignore[operator]
        report = sa.esa_missing_attendance(actor_for(world.user("esa_officer_a1")), world.esa_a1.code, days=5)

    rows = {r.school.code: r for r in report.schools}
    assert (rows["1012000001"].rooms, rows["1012000001"].rooms_missing, rows["1012000001"].missing_room_days) == (
        2, 1, 2,
    )  # fmt: skip
    assert rows["1012000002"].window == a12_days
    assert (rows["1012000002"].rooms, rows["1012000002"].rooms_missing) == (1, 0)
    assert report.schools_missing == 1
    with pytest.raises(NotFoundOrNoAccess):
        sa.esa_missing_attendance(actor_for(world.user("esa_officer_b1")), world.esa_a1.code)
