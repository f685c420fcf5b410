"""Enrolment lifecycle within a school: rooms and their homeroom teachers, moving room, dropping
out and readmission.

Every service runs in one transaction, checks ``student.edit`` on the school itself, writes one
audit entry and refuses an illegal transition with a bilingual :class:`InvalidInput` before it
writes anything. Enrolments are never deleted here: leaving closes one (``ends_on``), returning
opens a new one, so the roster on any past date can still be rebuilt (ADR 0006).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from suksa.core import audit
from suksa.core.dates import academic_year_be_of, format_be
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied, Problem
from suksa.core.models import AcademicYear, AuditEntry, OrgUnit
from suksa.core.policy import Actor, Perm, Role
from suksa.core.services import calendar_ensure_year
from suksa.domains.accounts.models import RoleAssignment, User
from suksa.domains.students.models import Classroom, Enrolment, Student
from suksa.domains.students.models.choices import (
    GRADE_ORDER,
    OPEN_STATUSES,
    DropoutReason,
    EnrolmentStatus,
    EntryKind,
)

ROOM_NUMBER_MAX = 99
NOTE_MAX = 300
# Roles whose holders may be a room's homeroom teacher (the grant must be on that school).
HOMEROOM_ROLES = (Role.TEACHER, Role.SCHOOL_STAFF, Role.SCHOOL_DIRECTOR)


# --- checks shared by the enrolment, transfer and year-end services -----------------------------


def require_edit(actor: Actor, school: OrgUnit | None) -> None:
    """``student.edit`` on ``school``: out of sight is not found, in sight but not allowed is 403."""
    if school is None or school.kind != OrgUnit.Kind.SCHOOL:
        raise NotFoundOrNoAccess.default()
    if actor.can(Perm.STUDENT_EDIT, school.path):
        return
    if actor.can(Perm.STUDENT_VIEW, school.path) or actor.can(Perm.ROOM_VIEW, school.path):
        raise PermissionDenied.default()
    raise NotFoundOrNoAccess.default()


def invalid(code: str, th: str, en: str, field: str | None = None) -> InvalidInput:
    return InvalidInput([Problem(code=code, th=th, en=en, field=field)])


def academic_year_of(day: dt.date) -> AcademicYear:
    """The academic year ``day`` falls in (stored dates win over the default rule)."""
    found = AcademicYear.objects.filter(starts_on__lte=day, ends_on__gte=day).first()
    return found or calendar_ensure_year(year_be=academic_year_be_of(day))


def grade_problem(grade: str, field: str = "grade") -> Problem | None:
    if grade in GRADE_ORDER:
        return None
    return Problem(
        code="grade_unknown",
        th=f"ไม่รู้จักชั้น '{grade}' (ใช้ K1–K3, P1–P6, M1–M6)",
        en=f"Unknown grade '{grade}' (use K1–K3, P1–P6, M1–M6)",
        field=field,
    )


def room_number_problem(number: object, field: str = "room") -> Problem | None:
    if isinstance(number, int) and not isinstance(number, bool) and 1 <= number <= ROOM_NUMBER_MAX:
        return None
    return Problem(
        code="room_invalid",
        th=f"เลขห้องต้องเป็นจำนวนเต็ม 1–{ROOM_NUMBER_MAX}",
        en=f"The room number must be a whole number from 1 to {ROOM_NUMBER_MAX}",
        field=field,
    )


def room_ensure(school: OrgUnit, academic_year: AcademicYear, grade: str, number: int) -> Classroom:
    """The room ``grade``/``number`` of the school's year, created empty when missing."""
    room, _ = Classroom.objects.get_or_create(
        school=school, academic_year=academic_year, grade=grade, number=number
    )
    return room


def open_enrolment_of(student: Student) -> Enrolment | None:
    return (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("school", "academic_year", "classroom")
        .filter(student=student, status__in=OPEN_STATUSES)
        .first()
    )


def _enrolment_repr(enrolment: Enrolment) -> str:
    return f"{enrolment.student_id} {enrolment.grade} @{enrolment.school.code}"


def _locked(enrolment: Enrolment) -> Enrolment:
    """The enrolment re-read under a row lock, so two concurrent transitions cannot both pass."""
    fresh = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("school", "academic_year", "classroom", "student")
        .filter(pk=enrolment.pk)
        .first()
    )
    if fresh is None:
        raise NotFoundOrNoAccess.default()
    return fresh


def must_be_active(enrolment: Enrolment, action_th: str, action_en: str) -> None:
    if enrolment.status == EnrolmentStatus.ACTIVE:
        return
    if enrolment.status == EnrolmentStatus.PENDING_TRANSFER:
        raise invalid(
            "enrolment_pending_transfer",
            f"{action_th}ไม่ได้: นักเรียนอยู่ระหว่างรอย้าย ให้ยกเลิกหรือรอผลคำขอย้ายก่อน",
            f"Cannot {action_en}: the learner is pending transfer; cancel or settle the transfer first",
            field="enrolment",
        )
    label = EnrolmentStatus(enrolment.status).label
    raise invalid(
        "enrolment_closed",
        f"{action_th}ไม่ได้: การลงทะเบียนนี้สิ้นสุดแล้ว ({label.split(' / ')[0]})",
        f"Cannot {action_en}: this enrolment has already ended ({label.split(' / ')[-1]})",
        field="enrolment",
    )


# --- rooms ---------------------------------------------------------------------------------------


def classroom_create(
    *, actor: Actor, school: OrgUnit, academic_year: AcademicYear, grade: str, number: int
) -> Classroom:
    """Open room ``grade``/``number`` for the school's academic year (no teachers yet)."""
    require_edit(actor, school)
    problems = [p for p in (grade_problem(grade), room_number_problem(number, "number")) if p]
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        if Classroom.objects.filter(
            school=school, academic_year=academic_year, grade=grade, number=number
        ).exists():
            raise invalid(
                "room_exists",
                f"มีห้อง {grade}/{number} ของปีการศึกษา {academic_year.year_be} อยู่แล้ว",
                f"Room {grade}/{number} already exists for academic year {academic_year.year_be}",
                field="number",
            )
        room = Classroom.objects.create(
            school=school, academic_year=academic_year, grade=grade, number=number
        )
        audit.record(
            actor=actor, action=AuditEntry.Action.CREATE, object_type="students.classroom",
            object_id=room.pk, object_repr=f"{room} {school.code} {academic_year.year_be}",
            unit_path=school.path,
            changes={"grade": grade, "number": number, "academic_year": academic_year.year_be},
        )  # fmt: skip
    return room


def classroom_set_teachers(*, actor: Actor, classroom: Classroom, teachers: Iterable[User]) -> Classroom:
    """Replace the room's homeroom teachers; each must hold a teacher, staff or director role there."""
    school = classroom.school
    require_edit(actor, school)
    wanted = {t.pk: t for t in teachers}
    eligible = set(
        RoleAssignment.objects.filter(
            user_id__in=list(wanted), unit=school, role__in=[str(r) for r in HOMEROOM_ROLES],
            revoked_at__isnull=True, user__is_active=True,
        ).values_list("user_id", flat=True)
    )  # fmt: skip
    problems = [
        Problem(
            code="teacher_not_at_school",
            th=f"{wanted[pk].username} ไม่ได้เป็นครูหรือบุคลากรของโรงเรียนนี้",
            en=f"{wanted[pk].username} is not a teacher or staff member of this school",
            field="teachers",
        )
        for pk in sorted(set(wanted) - eligible)
    ]
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        before = sorted(classroom.teachers.values_list("username", flat=True))
        classroom.teachers.set(list(wanted.values()))
        after = sorted(t.username for t in wanted.values())
        audit.record(
            actor=actor, action=AuditEntry.Action.UPDATE, object_type="students.classroom",
            object_id=classroom.pk, object_repr=f"{classroom} {school.code}", unit_path=school.path,
            changes={"teachers": [before, after]},
        )  # fmt: skip
    return classroom


def enrolment_move_room(*, actor: Actor, enrolment: Enrolment, classroom: Classroom) -> Enrolment:
    """Move an open enrolment to another room of the same school, year and grade."""
    require_edit(actor, enrolment.school)
    with transaction.atomic():
        enrolment = _locked(enrolment)
        if not enrolment.is_open:
            must_be_active(enrolment, "ย้ายห้อง", "move room")
        if (
            classroom.school_id != enrolment.school_id
            or classroom.academic_year_id != enrolment.academic_year_id
            or classroom.grade != enrolment.grade
        ):
            raise invalid(
                "room_mismatch",
                "ห้องที่เลือกต้องเป็นห้องของโรงเรียน ปีการศึกษา และชั้นเดียวกับนักเรียน",
                "The room must belong to the learner's school, academic year and grade",
                field="classroom",
            )
        if classroom.pk == enrolment.classroom_id:
            return enrolment
        old = str(enrolment.classroom) if enrolment.classroom else ""
        enrolment.classroom = classroom
        enrolment.save(update_fields=["classroom", "updated_at"])
        audit.record(
            actor=actor, action=AuditEntry.Action.UPDATE, object_type="students.enrolment",
            object_id=enrolment.pk, object_repr=_enrolment_repr(enrolment), unit_path=enrolment.school.path,
            changes={"classroom": [old, str(classroom)]},
        )  # fmt: skip
    return enrolment


# --- leaving and returning -----------------------------------------------------------------------


def student_drop_out(
    *, actor: Actor, enrolment: Enrolment, on: dt.date, reason: str, note: str = ""
) -> Enrolment:
    """Close the learner's open enrolment as dropped out on ``on`` (the last day they attended)."""
    require_edit(actor, enrolment.school)
    problems: list[Problem] = []
    if reason not in DropoutReason.values:
        problems.append(
            Problem(
                code="reason_unknown",
                th="กรุณาเลือกสาเหตุการออกกลางคันจากรายการ",
                en="Choose the reason for dropping out from the list",
                field="reason",
            )
        )
    if len(note) > NOTE_MAX:
        problems.append(
            Problem(
                code="note_too_long",
                th=f"บันทึกยาวเกิน {NOTE_MAX} ตัวอักษร",
                en=f"The note is longer than {NOTE_MAX} characters",
                field="note",
            )
        )
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        enrolment = _locked(enrolment)
        must_be_active(enrolment, "บันทึกออกกลางคัน", "record a dropout")
        if on < enrolment.starts_on or on > enrolment.academic_year.ends_on:
            raise invalid(
                "date_outside_enrolment",
                f"วันที่ออกต้องอยู่ระหว่าง {format_be(enrolment.starts_on)} ถึง "
                f"{format_be(enrolment.academic_year.ends_on)}",
                f"The leaving date must lie between {format_be(enrolment.starts_on, 'en')} and "
                f"{format_be(enrolment.academic_year.ends_on, 'en')}",
                field="on",
            )
        enrolment.status = EnrolmentStatus.DROPPED_OUT
        enrolment.ends_on = on
        enrolment.exit_reason = reason
        enrolment.exit_note = note.strip()
        enrolment.save(update_fields=["status", "ends_on", "exit_reason", "exit_note", "updated_at"])
        audit.record(
            actor=actor, action=AuditEntry.Action.UPDATE, object_type="students.enrolment",
            object_id=enrolment.pk, object_repr=_enrolment_repr(enrolment), unit_path=enrolment.school.path,
            changes={"status": ["active", "dropped_out"], "ends_on": [None, on.isoformat()], "exit_reason": reason},
        )  # fmt: skip
    return enrolment


def student_readmit(
    *, actor: Actor, student: Student, school: OrgUnit, grade: str, room: int = 1, on: dt.date
) -> Enrolment:
    """Enrol again a learner who left (dropped out, graduated, moved away) and has come back.

    The learner's record must be at this school (a learner last seen elsewhere comes through a
    duplicate claim that the ESA resolves, which hands the record over first).
    """
    require_edit(actor, school)
    problems = [p for p in (grade_problem(grade), room_number_problem(room)) if p]
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        student = Student.objects.select_for_update().get(pk=student.pk)
        if student.school_id not in (None, school.pk):
            raise NotFoundOrNoAccess.default()
        if Enrolment.objects.filter(student=student, status__in=OPEN_STATUSES).exists():
            raise invalid(
                "already_enrolled",
                "นักเรียนยังมีการลงทะเบียนที่ยังไม่สิ้นสุด จึงรับกลับเข้าเรียนไม่ได้",
                "The learner still has an open enrolment and cannot be readmitted",
                field="student",
            )
        last_end = (
            Enrolment.objects.filter(student=student)
            .order_by("-ends_on")
            .values_list("ends_on", flat=True)
            .first()
        )
        if last_end is not None and on <= last_end:
            raise invalid(
                "date_before_leaving",
                f"วันที่รับกลับต้องหลังวันที่ออกครั้งล่าสุด ({format_be(last_end)})",
                f"The readmission date must be after the learner last left ({format_be(last_end, 'en')})",
                field="on",
            )
        ay = academic_year_of(on)
        enrolment = Enrolment.objects.create(
            student=student, school=school, academic_year=ay, grade=grade,
            classroom=room_ensure(school, ay, grade, room), entry=EntryKind.ADMITTED,
            status=EnrolmentStatus.ACTIVE, starts_on=on,
        )  # fmt: skip
        if student.school_id != school.pk:
            student.school = school
            student.save(update_fields=["school", "updated_at"])
        audit.record(
            actor=actor, action=AuditEntry.Action.CREATE, object_type="students.enrolment",
            object_id=enrolment.pk, object_repr=_enrolment_repr(enrolment), unit_path=school.path,
            changes={"event": "readmit", "grade": grade, "room": room, "starts_on": on},
        )  # fmt: skip
    return enrolment
