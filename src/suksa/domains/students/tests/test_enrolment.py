"""Enrolment lifecycle inside a school: rooms, homeroom teachers, moving room, dropout, readmission.

Each illegal transition is refused with a Thai and an English message, and nothing is written.
"""

from __future__ import annotations

import datetime as dt

import pytest

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied
from suksa.core.models import AuditEntry
from suksa.core.policy import Actor
from suksa.domains.accounts.actors import actor_for
from suksa.domains.students.models import Classroom, Enrolment, Student, Transfer
from suksa.domains.students.models.choices import DropoutReason, EnrolmentStatus, EntryKind
from suksa.domains.students.services.enrolment import (
    classroom_create,
    classroom_set_teachers,
    enrolment_move_room,
    student_drop_out,
    student_readmit,
)
from suksa.domains.students.services.transfers import transfer_request
from suksa.domains.students.tests.factories import academic_year, make_classroom, make_student
from tests.factories import World

pytestmark = pytest.mark.django_db


def actor(world: World, name: str) -> Actor:
    return actor_for(world.user(name))


def state() -> tuple[object, ...]:
    return (
        AuditEntry.objects.count(),
        list(
            Enrolment.objects.order_by("pk").values_list(
                "pk", "status", "ends_on", "classroom_id", "exit_reason"
            )
        ),
        list(Classroom.objects.order_by("pk").values_list("pk", "grade", "number")),
        list(Student.objects.order_by("pk").values_list("pk", "school_id")),
    )


def bilingual(exc: InvalidInput, code: str) -> None:
    assert [p.code for p in exc.problems] == [code]
    assert exc.problems[0].th
    assert exc.problems[0].en
    assert exc.problems[0].th != exc.problems[0].en


# --- rooms ---------------------------------------------------------------------------------------


def test_a_director_opens_a_room_and_names_its_homeroom_teacher(world: World) -> None:
    ay = academic_year()
    room = classroom_create(
        actor=actor(world, "director_a1_1"), school=world.school_a1_1, academic_year=ay, grade="P2", number=3
    )
    assert (room.school, room.grade, room.number) == (world.school_a1_1, "P2", 3)

    classroom_set_teachers(
        actor=actor(world, "staff_a1_1"), classroom=room, teachers=[world.user("teacher_a1_1")]
    )
    assert list(room.teachers.values_list("username", flat=True)) == ["teacher_a1_1"]
    entry = AuditEntry.objects.filter(object_type="students.classroom").order_by("-pk").first()
    assert entry is not None
    assert entry.changes == {"teachers": [[], ["teacher_a1_1"]]}


def test_a_room_is_opened_once(world: World) -> None:
    ay = academic_year()
    make_classroom(world.school_a1_1, "P2", 1)
    before = state()
    with pytest.raises(InvalidInput) as exc:
        classroom_create(
            actor=actor(world, "director_a1_1"),
            school=world.school_a1_1,
            academic_year=ay,
            grade="P2",
            number=1,
        )
    bilingual(exc.value, "room_exists")
    assert state() == before


@pytest.mark.parametrize(
    ("grade", "number", "codes"), [("P9", 1, ["grade_unknown"]), ("P1", 0, ["room_invalid"])]
)
def test_a_room_needs_a_real_grade_and_number(
    world: World, grade: str, number: int, codes: list[str]
) -> None:
    before = state()
    with pytest.raises(InvalidInput) as exc:
        classroom_create(
            actor=actor(world, "director_a1_1"), school=world.school_a1_1, academic_year=academic_year(),
            grade=grade, number=number,
        )  # fmt: skip
    assert [p.code for p in exc.value.problems] == codes
    assert state() == before


def test_only_people_of_the_school_can_be_homeroom_teachers(world: World) -> None:
    room = make_classroom(world.school_a1_1, "P1", 1)
    before = state()
    with pytest.raises(InvalidInput) as exc:
        classroom_set_teachers(
            actor=actor(world, "director_a1_1"), classroom=room,
            teachers=[world.user("teacher_a1_1"), world.user("director_a1_2"), world.user("esa_officer_a1")],
        )  # fmt: skip
    assert [p.code for p in exc.value.problems] == ["teacher_not_at_school", "teacher_not_at_school"]
    assert {p.en.split(" ")[0] for p in exc.value.problems} == {"director_a1_2", "esa_officer_a1"}
    assert list(room.teachers.all()) == []
    assert state() == before


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("teacher_a1_1", PermissionDenied),
        ("esa_officer_a1", PermissionDenied),
        ("director_a1_2", NotFoundOrNoAccess),
        ("director_b1_1", NotFoundOrNoAccess),
        ("executive", NotFoundOrNoAccess),
        ("nobody", NotFoundOrNoAccess),
    ],
)
def test_room_services_need_student_edit_on_the_school(world: World, name: str, error: type) -> None:
    room = make_classroom(world.school_a1_1, "P1", 1)
    before = state()
    with pytest.raises(error):
        classroom_create(
            actor=actor(world, name),
            school=world.school_a1_1,
            academic_year=academic_year(),
            grade="P3",
            number=1,
        )
    with pytest.raises(error):
        classroom_set_teachers(
            actor=actor(world, name), classroom=room, teachers=[world.user("teacher_a1_1")]
        )
    assert state() == before


def test_moving_room_stays_within_the_grade_and_year(world: World) -> None:
    student = make_student(world.school_a1_1, grade="P1", room=1)
    enrolment = student.enrolments.get()
    room2 = make_classroom(world.school_a1_1, "P1", 2)
    enrolment_move_room(actor=actor(world, "staff_a1_1"), enrolment=enrolment, classroom=room2)
    enrolment.refresh_from_db()
    assert enrolment.classroom == room2

    wrong_rooms = (make_classroom(world.school_a1_1, "P2", 1), make_classroom(world.school_a1_2, "P1", 1))
    before = state()
    for wrong in wrong_rooms:
        with pytest.raises(InvalidInput) as exc:
            enrolment_move_room(actor=actor(world, "staff_a1_1"), enrolment=enrolment, classroom=wrong)
        bilingual(exc.value, "room_mismatch")
    assert state() == before


# --- dropout and readmission ----------------------------------------------------------------------


def test_a_dropout_closes_the_open_enrolment_with_its_reason(world: World) -> None:
    student = make_student(world.school_a1_1, grade="P4")
    enrolment = student.enrolments.get()
    on = dt.date(2026, 9, 1)
    student_drop_out(
        actor=actor(world, "director_a1_1"), enrolment=enrolment, on=on, reason=DropoutReason.POVERTY,
        note="ย้ายไปทำงาน",
    )  # fmt: skip
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.ends_on, enrolment.exit_reason, enrolment.exit_note) == (
        EnrolmentStatus.DROPPED_OUT, on, "01", "ย้ายไปทำงาน",
    )  # fmt: skip
    student.refresh_from_db()
    assert student.school == world.school_a1_1  # the last school keeps the record


@pytest.mark.parametrize(
    ("on", "reason", "code"),
    [
        (dt.date(2026, 9, 1), "42", "reason_unknown"),
        (dt.date(2026, 5, 1), "01", "date_outside_enrolment"),
        (dt.date(2027, 6, 1), "01", "date_outside_enrolment"),
    ],
)
def test_a_dropout_needs_a_listed_reason_and_a_date_within_the_enrolment(
    world: World, on: dt.date, reason: str, code: str
) -> None:
    enrolment = make_student(world.school_a1_1).enrolments.get()
    before = state()
    with pytest.raises(InvalidInput) as exc:
        student_drop_out(
            actor=actor(world, "director_a1_1"), enrolment=enrolment, on=on, reason=reason, note=""
        )
    bilingual(exc.value, code)
    assert state() == before


def test_illegal_transitions_are_refused_and_write_nothing(world: World) -> None:
    director = actor(world, "director_a1_1")
    dropped = make_student(world.school_a1_1).enrolments.get()
    Enrolment.objects.filter(pk=dropped.pk).update(
        status=EnrolmentStatus.DROPPED_OUT, ends_on=dt.date(2026, 8, 1), exit_reason="01"
    )
    dropped.refresh_from_db()
    pending_student = make_student(world.school_a1_1)
    transfer_request(
        actor=director, student=pending_student, to_school=world.school_a1_2, requested_on=dt.date(2026, 7, 1)
    )
    pending = pending_student.enrolments.get()
    before = state()
    with pytest.raises(InvalidInput) as exc:
        student_drop_out(actor=director, enrolment=dropped, on=dt.date(2026, 9, 1), reason="01")
    bilingual(exc.value, "enrolment_closed")
    with pytest.raises(InvalidInput) as exc:
        student_drop_out(actor=director, enrolment=pending, on=dt.date(2026, 9, 1), reason="01")
    bilingual(exc.value, "enrolment_pending_transfer")
    with pytest.raises(InvalidInput) as exc:
        enrolment_move_room(
            actor=director, enrolment=dropped, classroom=make_classroom(world.school_a1_1, "P1", 1)
        )
    bilingual(exc.value, "enrolment_closed")
    with pytest.raises(InvalidInput) as exc:
        student_readmit(
            actor=director,
            student=pending_student,
            school=world.school_a1_1,
            grade="P1",
            on=dt.date(2026, 9, 1),
        )
    bilingual(exc.value, "already_enrolled")
    with pytest.raises(InvalidInput) as exc:
        transfer_request(
            actor=director,
            student=pending_student,
            to_school=world.school_a1_2,
            requested_on=dt.date(2026, 7, 1),
        )
    bilingual(exc.value, "enrolment_pending_transfer")
    assert state() == before
    assert Transfer.objects.count() == 1


def test_a_learner_who_left_is_readmitted_with_a_new_enrolment(world: World) -> None:
    director = actor(world, "director_a1_1")
    student = make_student(world.school_a1_1, grade="P3")
    first = student.enrolments.get()
    student_drop_out(actor=director, enrolment=first, on=dt.date(2026, 8, 31), reason=DropoutReason.ILLNESS)

    with pytest.raises(InvalidInput) as exc:
        student_readmit(
            actor=director, student=student, school=world.school_a1_1, grade="P3", on=dt.date(2026, 8, 31)
        )
    bilingual(exc.value, "date_before_leaving")

    again = student_readmit(
        actor=director, student=student, school=world.school_a1_1, grade="P3", room=2, on=dt.date(2026, 11, 2)
    )
    assert (again.entry, again.status, again.starts_on, again.grade, getattr(again.classroom, "number", None)) == (
        EntryKind.ADMITTED, EnrolmentStatus.ACTIVE, dt.date(2026, 11, 2), "P3", 2,
    )  # fmt: skip
    assert again.academic_year == academic_year(2569)
    assert list(student.enrolments.order_by("starts_on").values_list("status", flat=True)) == [
        "dropped_out", "active",
    ]  # fmt: skip


def test_a_learner_last_seen_at_another_school_cannot_be_readmitted_directly(world: World) -> None:
    student = make_student(world.school_a1_2)
    Enrolment.objects.filter(student=student).update(
        status=EnrolmentStatus.DROPPED_OUT, ends_on=dt.date(2026, 6, 30), exit_reason="01"
    )
    before = state()
    with pytest.raises(NotFoundOrNoAccess):
        student_readmit(
            actor=actor(world, "director_a1_1"), student=student, school=world.school_a1_1, grade="P1",
            on=dt.date(2026, 9, 1),
        )  # fmt: skip
    assert state() == before
