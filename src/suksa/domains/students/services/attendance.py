"""Writes of daily attendance: a room's sheet for one day, and the days school does not meet.

A room's sheet is saved whole in one transaction (bulk upsert of one mark per learner per day), so a
rejected sheet leaves nothing written and saving the same sheet twice changes nothing. The audit
log gets one entry per saved room-day with counts only: the codes include "sick", which is
health-adjacent, so no learner's code is copied into the log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from suksa.core import audit
from suksa.core.dates import format_be
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied, Problem
from suksa.core.models import AuditEntry, OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.students import selectors_attendance as sa
from suksa.domains.students.models import AttendanceMark, Classroom, SchoolClosure
from suksa.domains.students.models.choices import AttendanceCode
from suksa.domains.students.selectors import classrooms_visible_to

__all__ = ["MarkResult", "attendance_mark_room", "school_closure_add", "school_closure_remove"]

VALID_CODES = tuple(AttendanceCode.values)


@dataclass(frozen=True)
class MarkResult:
    """What saving a room's sheet did: rows created, changed and left as they were."""

    classroom: Classroom
    date: dt.date
    created: int
    updated: int
    unchanged: int
    counts: dict[str, int] = field(default_factory=dict)  # the sheet as saved, per code

    @property
    def changed(self) -> int:
        return self.created + self.updated


def _ensure_may_mark(actor: Actor, classroom: Classroom) -> None:
    if sa.rooms_markable_by(actor).filter(pk=classroom.pk).exists():
        return
    if classrooms_visible_to(actor).filter(pk=classroom.pk).exists():
        raise PermissionDenied.default()
    raise NotFoundOrNoAccess.default()


def _mark_problems(marks: Mapping[int, str], enrolled: set[int], day: dt.date) -> list[Problem]:
    problems: list[Problem] = []
    shown = format_be(day, "th", "long"), format_be(day, "en")
    for student_id, code in marks.items():
        where = f"marks.{student_id}"
        if student_id not in enrolled:
            problems.append(
                Problem(
                    code="student_not_in_room",
                    th=f"นักเรียนรหัสภายใน {student_id} ไม่ได้อยู่ในห้องนี้ในวันที่ {shown[0]}",
                    en=f"Learner {student_id} is not enrolled in this room on {shown[1]}",
                    field=where,
                )
            )
        if code not in VALID_CODES:
            problems.append(
                Problem(
                    code="attendance_code_unknown",
                    th=f"รหัสการมาเรียน «{code}» ไม่ถูกต้อง ใช้ได้เฉพาะ P (มา) L (สาย) S (ป่วย) E (ลา) A (ขาด)",
                    en=f"Unknown attendance code «{code}»: use P (present), L (late), S (sick), E (leave) "
                    "or A (absent)",
                    field=where,
                )
            )
    return problems


def attendance_mark_room(
    *, actor: Actor, classroom: Classroom, on: dt.date, marks: Mapping[int, str]
) -> MarkResult:
    """Save a room's attendance for one school day: one code per learner, created or changed.

    Needs ``attendance.record`` on the school, and for a teacher that the room is their homeroom.
    Refused, with nothing written: a day that is not a school day (weekend, closure, outside the
    semesters of the room's year, in the future), a learner not enrolled in the room that day, an
    unknown code. Learners of the room left out of ``marks`` keep what they had.
    """
    _ensure_may_mark(actor, classroom)
    calendar = sa.school_calendar(classroom.school_id, classroom.academic_year)
    if (problem := calendar.problem(on, sa.today())) is not None:
        raise InvalidInput([problem])
    if not marks:
        raise InvalidInput.single(
            "marks_empty", "ไม่มีรายชื่อนักเรียนที่จะบันทึก", "No learners' marks were given", field="marks"
        )
    try:
        marks = {int(k): str(v).strip().upper() for k, v in marks.items()}
    except (TypeError, ValueError):
        raise InvalidInput.single(
            "student_id_invalid", "รหัสนักเรียนต้องเป็นตัวเลข", "Learner ids must be numbers", field="marks"
        ) from None
    enrolled = set(sa.room_roster(classroom, on).values_list("student_id", flat=True))
    if problems := _mark_problems(marks, enrolled, on):
        raise InvalidInput(problems)

    with transaction.atomic():
        existing = {
            m.student_id: m
            for m in AttendanceMark.objects.select_for_update().filter(student_id__in=list(marks), date=on)
        }
        now = timezone.now()
        to_create: list[AttendanceMark] = []
        to_update: list[AttendanceMark] = []
        for student_id, code in marks.items():
            mark = existing.get(student_id)
            if mark is None:
                to_create.append(
                    AttendanceMark(
                        student_id=student_id,
                        classroom=classroom,
                        date=on,
                        code=code,
                        recorded_by_id=actor.user_id,
                    )
                )
            elif mark.code != code or mark.classroom_id != classroom.pk:
                mark.code, mark.classroom_id = code, classroom.pk
                mark.recorded_by_id, mark.recorded_at = actor.user_id, now
                to_update.append(mark)
        AttendanceMark.objects.bulk_create(to_create, batch_size=500)
        AttendanceMark.objects.bulk_update(
            to_update, ["code", "classroom", "recorded_by", "recorded_at"], batch_size=500
        )
        counts = dict.fromkeys(VALID_CODES, 0)
        for code in marks.values():
            counts[code] += 1
        result = MarkResult(
            classroom=classroom,
            date=on,
            created=len(to_create),
            updated=len(to_update),
            unchanged=len(marks) - len(to_create) - len(to_update),
            counts=counts,
        )
        if result.changed:
            audit.record(
                actor=actor,
                action=AuditEntry.Action.UPDATE if existing else AuditEntry.Action.CREATE,
                object_type="students.attendance_room_day",
                object_id=f"{classroom.pk}:{on.isoformat()}",
                object_repr=f"{classroom} {format_be(on)}",
                unit_path=classroom.school.path,
                changes={
                    "date": on,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "counts": counts,
                },
            )
    return result


# --- closures -----------------------------------------------------------------------------------


def _nation() -> OrgUnit | None:
    return OrgUnit.objects.filter(kind=OrgUnit.Kind.NATION).order_by("pk").first()


def _may_manage_closures(actor: Actor, school: OrgUnit | None) -> bool:
    if school is not None:
        return actor.can(Perm.SCHOOL_EDIT, school.path)
    nation = _nation()
    return nation is not None and actor.can(Perm.ORG_MANAGE, nation.path)


def school_closure_add(
    *, actor: Actor, school: OrgUnit | None, on: dt.date, reason_th: str, reason_en: str = ""
) -> SchoolClosure:
    """Declare a weekday on which school does not meet: for one school (its director or staff) or
    nationwide (``school=None``; a national system administrator). Marks already recorded on that
    day at the school refuse the closure (remove them by re-marking first, or pick the right day)."""
    if school is not None and school.kind != OrgUnit.Kind.SCHOOL:
        raise NotFoundOrNoAccess.default()
    if not _may_manage_closures(actor, school):
        raise PermissionDenied.default()
    reason_th, reason_en = reason_th.strip(), reason_en.strip()
    problems: list[Problem] = []
    shown = format_be(on, "th", "long"), format_be(on, "en")
    if not reason_th:
        problems.append(
            Problem(
                code="required", th="กรุณาระบุเหตุผลภาษาไทย", en="Enter the reason in Thai", field="reason_th"
            )
        )
    if len(reason_th) > 200 or len(reason_en) > 200:
        problems.append(
            Problem(
                code="max_length",
                th="เหตุผลยาวได้ไม่เกิน 200 ตัวอักษร",
                en="The reason may be at most 200 characters",
                field="reason_th" if len(reason_th) > 200 else "reason_en",
            )
        )
    if on.weekday() >= 5:
        problems.append(
            Problem(
                code="closure_weekend",
                th=f"วันที่ {shown[0]} เป็นวันหยุดสุดสัปดาห์อยู่แล้ว",
                en=f"{shown[1]} is already a weekend day",
                field="date",
            )
        )
    if SchoolClosure.objects.filter(school=school, date=on).exists():
        problems.append(
            Problem(
                code="closure_exists",
                th=f"วันที่ {shown[0]} เป็นวันหยุดอยู่แล้ว",
                en=f"{shown[1]} is already a day off",
                field="date",
            )
        )
    elif school is not None and AttendanceMark.objects.filter(classroom__school=school, date=on).exists():
        problems.append(
            Problem(
                code="closure_has_marks",
                th=f"มีการบันทึกการมาเรียนของวันที่ {shown[0]} แล้ว จึงประกาศเป็นวันหยุดไม่ได้",
                en=f"Attendance is already recorded on {shown[1]}, so it cannot become a day off",
                field="date",
            )
        )
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        closure = SchoolClosure.objects.create(
            school=school, date=on, reason_th=reason_th, reason_en=reason_en
        )
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="students.school_closure",
            object_id=closure.pk,
            object_repr=f"{format_be(on)} {reason_th}",
            unit_path=school.path if school else (_nation() or OrgUnit(path="/")).path,
            changes={"date": on, "school": school.code if school else "", "reason_th": reason_th,
                     "reason_en": reason_en},
        )  # fmt: skip
    return closure


def school_closure_remove(*, actor: Actor, closure: SchoolClosure) -> None:
    """Withdraw a closure: the day becomes a school day again (and shows as missing until marked)."""
    if not _may_manage_closures(actor, closure.school):
        raise PermissionDenied.default()
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            object_type="students.school_closure",
            object_id=closure.pk,
            object_repr=f"{format_be(closure.date)} {closure.reason_th}",
            unit_path=closure.school.path if closure.school else (_nation() or OrgUnit(path="/")).path,
            changes={"date": closure.date, "school": closure.school.code if closure.school else ""},
        )
        closure.delete()
