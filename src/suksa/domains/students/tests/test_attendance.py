"""Daily attendance: who may mark a room, which days can be marked, what a saved sheet writes.

Dates are in academic year 2569 (16 May 2026 – 15 May 2027; semester 1 ends 31 Oct 2026) and
"today" is pinned, so every count below is exact.
"""

from __future__ import annotations

import datetime as dt

import pytest

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied
from suksa.core.models import AuditEntry
from suksa.core.policy import SYSTEM
from suksa.domains.accounts.actors import actor_for
from suksa.domains.students import selectors_attendance as sa
from suksa.domains.students.models import AttendanceMark, Classroom, Enrolment, SchoolClosure, Student
from suksa.domains.students.services.attendance import (
    attendance_mark_room,
    school_closure_add,
    school_closure_remove,
)
from suksa.domains.students.tests.factories import academic_year, make_classroom, make_student
from tests.factories import World

pytestmark = pytest.mark.django_db

MON = dt.date(2026, 6, 15)  # a Monday in semester 1
TODAY = dt.date(2026, 6, 19)  # Friday of that week


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sa, "today", lambda: TODAY)


@pytest.fixture
def room(world: World) -> Classroom:
    """ป.1/1 of school a1-1 with three learners; teacher_a1_1 is its homeroom teacher."""
    for first in ("กมล", "ขจร", "คณิน"):
        make_student(world.school_a1_1, grade="P1", room=1, first_name_th=first)
    return make_classroom(world.school_a1_1, "P1", 1, teachers=(world.user("teacher_a1_1"),))


def actor(world: World, name: str):
    return actor_for(world.user(name))


def ids(room: Classroom) -> list[int]:
    return list(
        Enrolment.objects.filter(classroom=room).order_by("student_id").values_list("student_id", flat=True)
    )


def state() -> tuple[list[tuple[int, dt.date, str]], int]:
    marks = list(
        AttendanceMark.objects.order_by("student_id", "date").values_list("student_id", "date", "code")
    )
    return marks, AuditEntry.objects.filter(object_type="students.attendance_room_day").count()


# --- saving a sheet -------------------------------------------------------------------------------


def test_the_homeroom_teacher_saves_a_sheet_in_one_go(world: World, room: Classroom) -> None:
    a, b, c = ids(room)
    result = attendance_mark_room(actor=actor(world, "teacher_a1_1"), classroom=room, on=MON,
                                  marks={a: "P", b: "A", c: "S"})  # fmt: skip
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert result.counts == {"P": 1, "L": 0, "S": 1, "E": 0, "A": 1}
    assert state()[0] == [(a, MON, "P"), (b, MON, "A"), (c, MON, "S")]
    assert set(AttendanceMark.objects.values_list("classroom_id", "recorded_by_id")) == {
        (room.pk, world.user("teacher_a1_1").pk)
    }


def test_resubmitting_the_same_sheet_changes_nothing(world: World, room: Classroom) -> None:
    a, b, c = ids(room)
    sheet = {a: "P", b: "A", c: "P"}
    attendance_mark_room(actor=actor(world, "teacher_a1_1"), classroom=room, on=MON, marks=sheet)
    before = list(AttendanceMark.objects.order_by("pk").values_list("pk", "code", "recorded_at"))
    audits = state()[1]

    result = attendance_mark_room(actor=actor(world, "teacher_a1_1"), classroom=room, on=MON, marks=sheet)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert list(AttendanceMark.objects.order_by("pk").values_list("pk", "code", "recorded_at")) == before
    assert state()[1] == audits  # nothing changed, nothing to audit


def test_changing_one_code_updates_only_that_mark(world: World, room: Classroom) -> None:
    a, b, c = ids(room)
    attendance_mark_room(
        actor=actor(world, "teacher_a1_1"), classroom=room, on=MON, marks=dict.fromkeys((a, b, c), "P")
    )
    result = attendance_mark_room(
        actor=actor(world, "director_a1_1"), classroom=room, on=MON, marks={a: "P", b: "L", c: "P"}
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert AttendanceMark.objects.get(student_id=b).code == "L"
    assert AttendanceMark.objects.get(student_id=b).recorded_by_id == world.user("director_a1_1").pk


def test_the_audit_entry_holds_counts_not_learners_codes(world: World, room: Classroom) -> None:
    a, b, c = ids(room)
    attendance_mark_room(
        actor=actor(world, "teacher_a1_1"), classroom=room, on=MON, marks={a: "P", b: "S", c: "A"}
    )
    entry = AuditEntry.objects.get(object_type="students.attendance_room_day")
    assert entry.object_id == f"{room.pk}:2026-06-15"
    assert entry.unit_path == world.school_a1_1.path
    assert entry.changes == {
        "date": "2026-06-15",
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "counts": {"P": 1, "L": 0, "S": 1, "E": 0, "A": 1},
    }
    assert entry.object_repr == "ป.1/1 15 มิ.ย. 2569"  # no learner named, no learner's code


def test_a_learner_not_marked_keeps_their_mark(world: World, room: Classroom) -> None:
    a, b, c = ids(room)
    attendance_mark_room(
        actor=actor(world, "teacher_a1_1"), classroom=room, on=MON, marks={a: "A", b: "P", c: "P"}
    )
    attendance_mark_room(actor=actor(world, "teacher_a1_1"), classroom=room, on=MON, marks={b: "L"})
    assert dict(AttendanceMark.objects.values_list("student_id", "code")) == {a: "A", b: "L", c: "P"}


# --- refusals: bilingual, nothing written ---------------------------------------------------------


def refused(world: World, room: Classroom, on: dt.date, marks: dict[int, str]) -> InvalidInput:
    before = state()
    with pytest.raises(InvalidInput) as exc:
        attendance_mark_room(actor=actor(world, "teacher_a1_1"), classroom=room, on=on, marks=marks)
    assert state() == before
    for problem in exc.value.problems:
        assert problem.th
        assert problem.en
        assert problem.th != problem.en
    return exc.value


@pytest.mark.parametrize(
    ("day", "code", "th", "en"),
    [
        (dt.date(2026, 6, 13), "date_weekend", "วันที่ 13 มิถุนายน 2569 เป็นวันเสาร์ ไม่ใช่วันเรียน",
         "13 Jun 2569 BE is a Saturday, not a school day"),
        (dt.date(2026, 6, 14), "date_weekend", "วันที่ 14 มิถุนายน 2569 เป็นวันอาทิตย์ ไม่ใช่วันเรียน",
         "14 Jun 2569 BE is a Sunday, not a school day"),
        (dt.date(2026, 6, 22), "date_in_future",
         "วันที่ 22 มิถุนายน 2569 ยังมาไม่ถึง จึงบันทึกการมาเรียนล่วงหน้าไม่ได้",
         "22 Jun 2569 BE is in the future: attendance cannot be recorded ahead"),
        (dt.date(2026, 5, 15), "date_outside_semester",
         "วันที่ 15 พฤษภาคม 2569 อยู่นอกภาคเรียนของปีการศึกษา 2569",
         "15 May 2569 BE is outside the semesters of academic year 2569"),
    ],
)  # fmt: skip
def test_a_day_that_is_not_a_school_day_is_refused(
    world: World, room: Classroom, day: dt.date, code: str, th: str, en: str
) -> None:
    error = refused(world, room, day, dict.fromkeys(ids(room), "P"))
    assert [(p.code, p.field, p.th, p.en) for p in error.problems] == [(code, "date", th, en)]


def test_a_closure_of_the_school_or_the_nation_is_refused_with_its_reason(
    world: World, room: Classroom
) -> None:
    SchoolClosure.objects.create(
        school=world.school_a1_1, date=MON, reason_th="ซ่อมอาคาร", reason_en="Repairs"
    )
    SchoolClosure.objects.create(school=None, date=TODAY, reason_th="วันหยุดราชการ")
    error = refused(world, room, MON, dict.fromkeys(ids(room), "P"))
    assert [(p.code, p.th, p.en) for p in error.problems] == [
        ("date_closure", "วันที่ 15 มิถุนายน 2569 เป็นวันหยุด: ซ่อมอาคาร", "15 Jun 2569 BE is a day off: Repairs")
    ]
    error = refused(world, room, TODAY, dict.fromkeys(ids(room), "P"))
    assert error.problems[0].en == "19 Jun 2569 BE is a day off: วันหยุดราชการ"


def test_another_schools_closure_does_not_close_this_one(world: World, room: Classroom) -> None:
    SchoolClosure.objects.create(school=world.school_a1_2, date=MON, reason_th="ซ่อมอาคาร")
    result = attendance_mark_room(actor=actor(world, "teacher_a1_1"), classroom=room, on=MON,
                                  marks=dict.fromkeys(ids(room), "P"))  # fmt: skip
    assert result.created == 3


def test_a_learner_not_in_the_room_that_day_and_an_unknown_code_are_refused(
    world: World, room: Classroom
) -> None:
    a, b, _c = ids(room)
    other = make_student(world.school_a1_1, grade="P1", room=2)
    late_comer = make_student(world.school_a1_1, grade="P1", room=1)
    Enrolment.objects.filter(student=late_comer).update(starts_on=TODAY)  # joins on Friday
    error = refused(world, room, MON, {a: "P", b: "X", other.pk: "P", late_comer.pk: "P"})
    assert [(p.code, p.field) for p in error.problems] == [
        ("attendance_code_unknown", f"marks.{b}"),
        ("student_not_in_room", f"marks.{other.pk}"),
        ("student_not_in_room", f"marks.{late_comer.pk}"),
    ]
    assert error.problems[0].th.startswith("รหัสการมาเรียน «X» ไม่ถูกต้อง")
    assert error.problems[1].en == f"Learner {other.pk} is not enrolled in this room on 15 Jun 2569 BE"


def test_a_learner_who_left_is_not_on_later_sheets(world: World, room: Classroom) -> None:
    a, b, c = ids(room)
    Enrolment.objects.filter(student_id=c).update(
        status="dropped_out", exit_reason="01", ends_on=dt.date(2026, 6, 12)
    )
    error = refused(world, room, MON, {a: "P", b: "P", c: "P"})
    assert [p.field for p in error.problems] == [f"marks.{c}"]
    assert [r.student_id for r in sa.room_sheet(actor(world, "teacher_a1_1"), room.pk, MON).rows] == [a, b]
    assert [r.student_id for r in sa.room_sheet(actor(world, "teacher_a1_1"), room.pk, dt.date(2026, 6, 12)).rows] == [
        a, b, c,
    ]  # fmt: skip


# --- who may mark ---------------------------------------------------------------------------------

MARK_MATRIX = {
    "teacher_a1_1": "ok",  # the homeroom teacher of ป.1/1
    "director_a1_1": "ok",
    "staff_a1_1": "ok",
    "esa_officer_a1": PermissionDenied,  # sees the learners, marks nothing: aggregates of attendance only
    "esa_director_a1": PermissionDenied,
    "sysadmin": PermissionDenied,
    "director_a1_2": NotFoundOrNoAccess,  # another school
    "director_b1_1": NotFoundOrNoAccess,  # another ESA
    "executive": NotFoundOrNoAccess,
    "inspector_r1": NotFoundOrNoAccess,
    "nobody": NotFoundOrNoAccess,
}


@pytest.mark.parametrize(("persona", "expected"), MARK_MATRIX.items())
def test_who_may_mark_a_room(world: World, room: Classroom, persona: str, expected: object) -> None:
    marks = dict.fromkeys(ids(room), "P")
    if expected == "ok":
        assert (
            attendance_mark_room(actor=actor(world, persona), classroom=room, on=MON, marks=marks).created
            == 3
        )
        return
    before = state()
    with pytest.raises(expected):  # type: ignore[call-overload]
        attendance_mark_room(actor=actor(world, persona), classroom=room, on=MON, marks=marks)
    assert state() == before


def test_a_teacher_marks_only_their_own_rooms(world: World, room: Classroom) -> None:
    other_room = make_classroom(world.school_a1_1, "P1", 2)
    learner = make_student(world.school_a1_1, grade="P1", room=2)
    teacher = actor(world, "teacher_a1_1")
    with pytest.raises(NotFoundOrNoAccess):
        attendance_mark_room(actor=teacher, classroom=other_room, on=MON, marks={learner.pk: "P"})
    with pytest.raises(NotFoundOrNoAccess):
        sa.room_sheet(teacher, other_room.pk, MON)
    assert not AttendanceMark.objects.exists()
    assert [r.classroom.pk for r in sa.my_rooms(teacher, MON)] == [room.pk]
    assert sorted(r.classroom.pk for r in sa.my_rooms(actor(world, "staff_a1_1"), MON)) == sorted(
        [room.pk, other_room.pk]
    )


# --- the sheet ------------------------------------------------------------------------------------


def test_the_sheet_lists_the_room_on_that_day_with_codes_and_school_day_neighbours(
    world: World, room: Classroom
) -> None:
    a, b, _c = ids(room)
    attendance_mark_room(actor=actor(world, "teacher_a1_1"), classroom=room, on=MON, marks={a: "P", b: "E"})
    sheet = sa.room_sheet(actor(world, "teacher_a1_1"), room.pk, MON)
    assert [(r.name_th, r.code) for r in sheet.rows] == [
        ("เด็กหญิงกมล นักเรียน", "P"),
        ("เด็กหญิงขจร นักเรียน", "E"),
        ("เด็กหญิงคณิน นักเรียน", None),
    ]
    assert sheet.is_school_day
    assert (sheet.previous_day, sheet.next_day) == (dt.date(2026, 6, 12), dt.date(2026, 6, 16))
    assert sa.room_sheet(actor(world, "teacher_a1_1"), room.pk, TODAY).next_day is None  # not into the future
    assert (
        sa.room_sheet(actor(world, "teacher_a1_1"), room.pk).date == TODAY
    )  # defaults to the latest school day


def test_the_sheet_takes_a_constant_number_of_queries(
    world: World, room: Classroom, django_assert_max_num_queries: object
) -> None:
    for i in range(27):
        make_student(world.school_a1_1, grade="P1", room=1, first_name_th=f"นักเรียน{i:02d}")
    marks = dict.fromkeys(ids(room), "P")
    assert len(marks) == 30
    teacher = actor(world, "teacher_a1_1")
    attendance_mark_room(actor=teacher, classroom=room, on=MON, marks=marks)
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        sheet = sa.room_sheet(teacher, room.pk, MON)
    assert len(sheet.rows) == 30
    assert sheet.marked == 30
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        attendance_mark_room(actor=teacher, classroom=room, on=MON, marks=dict.fromkeys(marks, "L"))


# --- closures -------------------------------------------------------------------------------------


def test_director_and_staff_close_their_school_and_only_a_national_sysadmin_closes_the_nation(
    world: World,
) -> None:
    day = dt.date(2026, 7, 28)
    closure = school_closure_add(actor=actor(world, "director_a1_1"), school=world.school_a1_1, on=day,
                                 reason_th="วันเฉลิมพระชนมพรรษา", reason_en="King's Birthday")  # fmt: skip
    assert closure.school == world.school_a1_1
    entry = AuditEntry.objects.get(object_type="students.school_closure")
    assert entry.changes["school"] == world.school_a1_1.code
    for persona in ("teacher_a1_1", "esa_officer_a1", "director_a1_2", "sysadmin_a1"):
        with pytest.raises(PermissionDenied):
            school_closure_add(actor=actor(world, persona), school=None, on=day, reason_th="หยุด")
    with pytest.raises(PermissionDenied):
        school_closure_add(actor=actor(world, "teacher_a1_1"), school=world.school_a1_1,
                           on=dt.date(2026, 7, 29), reason_th="หยุด")  # fmt: skip
    nationwide = school_closure_add(
        actor=actor(world, "sysadmin"), school=None, on=day, reason_th="วันหยุดราชการ"
    )
    assert SchoolClosure.objects.count() == 2
    school_closure_remove(actor=actor(world, "staff_a1_1"), closure=closure)
    with pytest.raises(PermissionDenied):
        school_closure_remove(actor=actor(world, "director_a1_1"), closure=nationwide)
    school_closure_remove(actor=SYSTEM, closure=nationwide)
    assert not SchoolClosure.objects.exists()
    assert AuditEntry.objects.filter(object_type="students.school_closure").count() == 4


def test_a_closure_is_refused_on_a_weekend_twice_or_on_a_marked_day(world: World, room: Classroom) -> None:
    director = actor(world, "director_a1_1")
    attendance_mark_room(actor=director, classroom=room, on=MON, marks=dict.fromkeys(ids(room), "P"))
    cases = [
        (dt.date(2026, 6, 20), "", "closure_weekend"),
        (MON, "หยุด", "closure_has_marks"),
    ]
    for day, reason, code in cases:
        with pytest.raises(InvalidInput) as exc:
            school_closure_add(actor=director, school=world.school_a1_1, on=day, reason_th=reason)
        assert code in [p.code for p in exc.value.problems]
    school_closure_add(actor=director, school=world.school_a1_1, on=TODAY, reason_th="หยุด")
    with pytest.raises(InvalidInput) as exc:
        school_closure_add(actor=director, school=world.school_a1_1, on=TODAY, reason_th="หยุด")
    assert [p.code for p in exc.value.problems] == ["closure_exists"]
    assert SchoolClosure.objects.count() == 1


def test_fixtures_are_in_the_expected_year(world: World, room: Classroom) -> None:
    assert room.academic_year == academic_year(2569)
    assert Student.objects.count() == 3
