"""Writes of the student registry: register a learner, edit the record, guardians, sensitive data.

One person, one record nationally: registering an identifier (citizen ID or G-code — a G-code
record's later citizen ID counts too) that already belongs to a learner never creates a second
record. At the same school it is refused as a duplicate; held by another school it becomes a
:class:`DuplicateClaim` routed to the ESA and the holding school, and the claiming school learns
only the holding school's name and code (what it needs to ask for a transfer), never the learner's
details there. See docs/guide/students/registry.md.

Each service takes keyword arguments, checks the actor's permission, runs in one transaction and
appends an audit entry. Sensitive fields (disability, health, poverty, religion) reach the audit log
by name only, never by value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from suksa.core import audit
from suksa.core.audit_selectors import record_sensitive_read
from suksa.core.dates import academic_year_be_of
from suksa.core.errors import InvalidInput, PermissionDenied, Problem
from suksa.core.models import AuditEntry, OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.core.services import calendar_ensure_year
from suksa.domains.students.models import (
    Classroom,
    DuplicateClaim,
    Enrolment,
    Guardian,
    Student,
    StudentSensitive,
)
from suksa.domains.students.models.choices import OPEN_STATUSES, EnrolmentStatus, EntryKind
from suksa.domains.students.validation import (
    GUARDIAN_FIELDS,
    PERSON_FIELDS,
    SENSITIVE_FIELDS,
    citizen_id_only_problem,
    clean_guardian,
    clean_person,
    grade_problem,
    guardian_problems,
    parse_identifier,
    person_problems,
    room_problem,
    sensitive_problems,
    unknown_field_problems,
)

__all__ = [
    "REGISTER_FIELDS",
    "RegisterResult",
    "guardian_add",
    "guardian_remove",
    "guardian_update",
    "student_register",
    "student_replace_g_code",
    "student_sensitive_read",
    "student_sensitive_update",
    "student_update",
]

STUDENT = "students.student"
GUARDIAN = "students.guardian"
SENSITIVE = "students.student_sensitive"
CLAIM = "students.duplicate_claim"
# Keys ``student_register`` reads from ``data``.
REGISTER_FIELDS = ("identifier", *PERSON_FIELDS, "grade", "room", "starts_on")
# The person fields whose old and new values the audit log keeps (personal, not sensitive data).
AUDITED_FIELDS = ["citizen_id", "g_code", *PERSON_FIELDS]
_CLAIM_SOURCE = {"web": "form", "api": "api", "cli": "import"}


@dataclass(frozen=True)
class RegisterResult:
    """Either the new learner (``student``) or the claim raised instead of a second record."""

    student: Student | None
    claim: DuplicateClaim | None

    @property
    def claimed(self) -> bool:
        return self.claim is not None


def _require(actor: Actor, perm: Perm, unit: OrgUnit | None) -> None:
    if unit is None or not actor.can(perm, unit.path):
        raise PermissionDenied.default()


def _today() -> dt.date:
    return timezone.localdate()


def _person_snapshot(student: Student) -> dict[str, Any]:
    return audit.snapshot(student, AUDITED_FIELDS)


def _holder_of(kind: str, value: str) -> Student | None:
    """The record that already holds ``value``: a citizen ID matches either column (a G-code
    record's later ID included), a G-code the G-code column."""
    q = Q(citizen_id=value) | Q(g_code=value) if kind == "citizen_id" else Q(g_code=value)
    return Student.objects.select_related("school").filter(q).first()


def _duplicate_here(field: str = "identifier") -> InvalidInput:
    return InvalidInput(
        [
            Problem(
                code="duplicate_identifier",
                th="โรงเรียนนี้มีทะเบียนนักเรียนที่ใช้เลขประจำตัวนี้อยู่แล้ว จึงไม่สร้างซ้ำ",
                en="This school already has a learner with this identifier: no second record was created",
                field=field,
            )
        ]
    )


# --- register ------------------------------------------------------------------------------------


def _register_problems(
    school: OrgUnit, data: dict[str, Any], today: dt.date
) -> tuple[str, str, list[Problem]]:
    problems = unknown_field_problems(data, (*REGISTER_FIELDS, "citizen_id", "g_code"))
    raw_identifier = data.get("identifier") or data.get("citizen_id") or data.get("g_code") or ""
    kind, value, p = parse_identifier(str(raw_identifier))
    if p:
        problems.append(p)
    profile = getattr(school, "school", None)
    grade = data.get("grade")
    if p := grade_problem(
        grade,
        lowest=getattr(profile, "lowest_grade", None),
        highest=getattr(profile, "highest_grade", None),
    ):
        problems.append(p)
        grade = None
    if p := room_problem(data.get("room")):
        problems.append(p)
    on = data.get("starts_on") or today
    if not isinstance(on, dt.date) or on > today or academic_year_be_of(on) != academic_year_be_of(today):
        problems.append(
            Problem(
                code="starts_on",
                th=f"วันที่เข้าเรียนต้องอยู่ในปีการศึกษา {academic_year_be_of(today)} และไม่อยู่ในอนาคต",
                en=f"The start date must fall in academic year {academic_year_be_of(today)} and not in the future",
                field="starts_on",
            )
        )
        on = today
    problems += person_problems(data, on=on, grade=grade)
    return kind, value, problems


def student_register(*, actor: Actor, school: OrgUnit, data: dict[str, Any]) -> RegisterResult:
    """Register a learner at ``school`` with a first enrolment (entry admitted) this academic year.

    ``data``: ``identifier`` (citizen ID or G-code; ``citizen_id`` / ``g_code`` are accepted as
    aliases), ``prefix_th``, ``first_name_th``, ``last_name_th``, ``first_name_en``,
    ``last_name_en``, ``sex`` (M/F), ``birth_date`` (date), ``nationality`` (ISO alpha-3, default
    THA), ``grade`` (K1..M6 within the school's span), ``room`` (int) and optionally ``starts_on``
    (default today, within the current academic year). When the identifier is already held by a
    learner of another school, nothing is registered: a :class:`DuplicateClaim` is opened (or the
    open one returned) and ``result.student`` is None.
    """
    _require(actor, Perm.STUDENT_EDIT, school)
    if school.kind != OrgUnit.Kind.SCHOOL:
        raise InvalidInput.single(
            "not_a_school",
            "ลงทะเบียนนักเรียนได้เฉพาะที่โรงเรียน",
            "Learners are registered at a school",
            field="school",
        )
    today = _today()
    kind, value, problems = _register_problems(school, data, today)
    if problems:
        raise InvalidInput(problems)
    person = clean_person(data)
    person.setdefault("nationality", "THA")
    starts_on = data.get("starts_on") or today
    try:
        with transaction.atomic():
            holder = _holder_of(kind, value)
            if holder is not None:
                if holder.school_id == school.pk:
                    raise _duplicate_here()
                return RegisterResult(student=None, claim=_claim(actor, school, holder, value, person))
            ay = calendar_ensure_year(year_be=academic_year_be_of(starts_on))
            student = Student(school=school, **{kind: value}, **person)
            student.search_text = student.compute_search_text()
            student.save()
            classroom, _ = Classroom.objects.get_or_create(
                school=school, academic_year=ay, grade=data["grade"], number=data["room"]
            )
            enrolment = Enrolment.objects.create(
                student=student,
                school=school,
                academic_year=ay,
                grade=data["grade"],
                classroom=classroom,
                entry=EntryKind.ADMITTED,
                status=EnrolmentStatus.ACTIVE,
                starts_on=max(starts_on, ay.starts_on),
            )
            audit.record(
                actor=actor,
                action=AuditEntry.Action.CREATE,
                object_type=STUDENT,
                object_id=student.pk,
                object_repr=f"student {student.pk}",
                unit_path=school.path,
                changes={
                    **_person_snapshot(student),
                    "school": school.code,
                    "academic_year": ay.year_be,
                    "grade": enrolment.grade,
                    "room": classroom.number,
                    "entry": enrolment.entry,
                    "starts_on": enrolment.starts_on,
                },
            )
    except IntegrityError:
        # Another request registered the same identifier between our check and our insert.
        raise _duplicate_here() from None
    return RegisterResult(student=student, claim=None)


def _claim(
    actor: Actor, school: OrgUnit, holder: Student, identifier: str, person: dict[str, Any]
) -> DuplicateClaim:
    existing = DuplicateClaim.objects.filter(
        student=holder, claiming_school=school, status=DuplicateClaim.Status.OPEN
    ).first()
    if existing is not None:
        return existing
    claim = DuplicateClaim.objects.create(
        student=holder,
        identifier=identifier,
        claiming_school=school,
        holding_school=holder.school,
        claimed_name_th=f"{person.get('prefix_th', '')}{person['first_name_th']} {person['last_name_th']}"[
            :200
        ],
        claimed_birth_date=person.get("birth_date"),
        source=_CLAIM_SOURCE.get(actor.source, "form"),
        created_by_id=actor.user_id,
    )
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type=CLAIM,
        object_id=claim.pk,
        object_repr=f"duplicate claim {claim.pk}",
        unit_path=school.path,
        changes={
            "student": holder.pk,
            "claiming_school": school.code,
            "holding_school": holder.school.code if holder.school else "",
            "source": claim.source,
        },
    )
    return claim


# --- the record ----------------------------------------------------------------------------------


def _current_grade(student: Student) -> str | None:
    return (
        Enrolment.objects.filter(student=student, status__in=OPEN_STATUSES)
        .values_list("grade", flat=True)
        .first()
    )


def student_update(*, actor: Actor, student: Student, data: dict[str, Any]) -> Student:
    """Change names, sex, date of birth or nationality. The age is checked against the open
    enrolment's grade (if any) today. Audited with the old and new values."""
    _require(actor, Perm.STUDENT_EDIT, student.school)
    problems = unknown_field_problems(data, PERSON_FIELDS)
    today = _today()
    problems += person_problems(data, on=today, grade=_current_grade(student), partial=True)
    if problems:
        raise InvalidInput(problems)
    values = clean_person(data)
    with transaction.atomic():
        student = Student.objects.select_for_update(of=("self",)).select_related("school").get(pk=student.pk)
        before = _person_snapshot(student)
        for key, value in values.items():
            setattr(student, key, value)
        changes = audit.diff(before, _person_snapshot(student))
        if changes:
            student.search_text = student.compute_search_text()
            student.save()
            audit.record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                object_type=STUDENT,
                object_id=student.pk,
                object_repr=f"student {student.pk}",
                unit_path=student.school.path if student.school else "",
                changes=changes,
            )
    return student


def student_replace_g_code(*, actor: Actor, student: Student, citizen_id: str) -> Student:
    """Give a G-code learner their citizen ID. The G-code stays on the record (and unique), so old
    documents and history still resolve. An ID held by any other record is refused; nothing is
    created then (that learner's case is a duplicate to resolve, not a replacement)."""
    _require(actor, Perm.STUDENT_EDIT, student.school)
    value, problem = citizen_id_only_problem(citizen_id)
    if problem:
        raise InvalidInput([problem])
    if not student.g_code or student.citizen_id:
        raise InvalidInput.single(
            "no_g_code",
            "เปลี่ยนได้เฉพาะนักเรียนที่ใช้รหัส G และยังไม่มีเลขประจำตัวประชาชน",
            "Only a learner with a G-code and no citizen ID yet can be given one",
            field="citizen_id",
        )
    try:
        with transaction.atomic():
            student = (
                Student.objects.select_for_update(of=("self",)).select_related("school").get(pk=student.pk)
            )
            if Student.objects.filter(Q(citizen_id=value) | Q(g_code=value)).exclude(pk=student.pk).exists():
                raise InvalidInput.single(
                    "citizen_id_taken",
                    "เลขประจำตัวประชาชนนี้เป็นของทะเบียนนักเรียนอื่นแล้ว ไม่ได้เปลี่ยนแปลงข้อมูลใด ๆ",
                    "This citizen ID already belongs to another learner's record: nothing was changed",
                    field="citizen_id",
                )
            before = _person_snapshot(student)
            student.citizen_id = value
            student.search_text = student.compute_search_text()
            student.save()
            audit.record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                object_type=STUDENT,
                object_id=student.pk,
                object_repr=f"student {student.pk}",
                unit_path=student.school.path if student.school else "",
                changes={**audit.diff(before, _person_snapshot(student)), "replaced": "g_code"},
            )
    except IntegrityError:
        raise InvalidInput.single(
            "citizen_id_taken",
            "เลขประจำตัวประชาชนนี้เป็นของทะเบียนนักเรียนอื่นแล้ว ไม่ได้เปลี่ยนแปลงข้อมูลใด ๆ",
            "This citizen ID already belongs to another learner's record: nothing was changed",
            field="citizen_id",
        ) from None
    return student


# --- guardians -----------------------------------------------------------------------------------


def _guardian_record(
    actor: Actor, action: str, guardian: Guardian, student: Student, changes: dict[str, Any]
) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type=GUARDIAN,
        object_id=guardian.pk,
        object_repr=f"guardian {guardian.pk} of student {student.pk}",
        unit_path=student.school.path if student.school else "",
        changes={"student": student.pk, **changes},
    )


def _only_primary(guardian: Guardian) -> None:
    if guardian.is_primary:
        Guardian.objects.filter(student_id=guardian.student_id, is_primary=True).exclude(
            pk=guardian.pk
        ).update(is_primary=False)


def guardian_add(*, actor: Actor, student: Student, data: dict[str, Any]) -> Guardian:
    """Add a parent or guardian; ``is_primary`` makes them the one primary contact."""
    _require(actor, Perm.STUDENT_EDIT, student.school)
    problems = unknown_field_problems(data, GUARDIAN_FIELDS) + guardian_problems(data)
    if problems:
        raise InvalidInput(problems)
    values = clean_guardian(data)
    with transaction.atomic():
        guardian = Guardian.objects.create(student=student, **values)
        _only_primary(guardian)
        _guardian_record(
            actor,
            AuditEntry.Action.CREATE,
            guardian,
            student,
            audit.snapshot(guardian, list(GUARDIAN_FIELDS)),
        )
    return guardian


def guardian_update(*, actor: Actor, guardian: Guardian, data: dict[str, Any]) -> Guardian:
    student = guardian.student
    _require(actor, Perm.STUDENT_EDIT, student.school)
    problems = unknown_field_problems(data, GUARDIAN_FIELDS) + guardian_problems(data, partial=True)
    if problems:
        raise InvalidInput(problems)
    values = clean_guardian(data)
    with transaction.atomic():
        guardian = Guardian.objects.select_for_update().get(pk=guardian.pk)
        before = audit.snapshot(guardian, list(GUARDIAN_FIELDS))
        for key, value in values.items():
            setattr(guardian, key, value)
        changes = audit.diff(before, audit.snapshot(guardian, list(GUARDIAN_FIELDS)))
        if changes:
            guardian.save()
            _only_primary(guardian)
            _guardian_record(actor, AuditEntry.Action.UPDATE, guardian, student, changes)
    return guardian


def guardian_remove(*, actor: Actor, guardian: Guardian) -> None:
    student = guardian.student
    _require(actor, Perm.STUDENT_EDIT, student.school)
    with transaction.atomic():
        pk = guardian.pk
        snapshot = audit.snapshot(guardian, list(GUARDIAN_FIELDS))
        guardian.delete()
        guardian.pk = pk
        _guardian_record(actor, AuditEntry.Action.DELETE, guardian, student, snapshot)


# --- sensitive data ------------------------------------------------------------------------------


def _require_sensitive(actor: Actor, student: Student) -> None:
    _require(actor, Perm.SENSITIVE_READ, student.school)


def student_sensitive_read(*, actor: Actor, student: Student) -> StudentSensitive:
    """The learner's sensitive data (an unsaved empty one if none was recorded). Requires
    ``sensitive.read`` on the learner's school; every read is audited with the field names only."""
    _require_sensitive(actor, student)
    with transaction.atomic():
        sensitive = StudentSensitive.objects.filter(student=student).first() or StudentSensitive(
            student=student
        )
        record_sensitive_read(
            actor=actor,
            object_type=SENSITIVE,
            object_id=student.pk,
            unit_path=student.school.path if student.school else "",
            fields=SENSITIVE_FIELDS,
        )
    return sensitive


def student_sensitive_update(*, actor: Actor, student: Student, data: dict[str, Any]) -> StudentSensitive:
    """Change sensitive fields. The audit entry names the changed fields, never their values."""
    _require_sensitive(actor, student)
    problems = unknown_field_problems(data, SENSITIVE_FIELDS) + sensitive_problems(data)
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        sensitive, _ = StudentSensitive.objects.select_for_update().get_or_create(student=student)
        changed: list[str] = []
        for key in SENSITIVE_FIELDS:
            if key not in data:
                continue
            value = data[key]
            if key in ("disability", "religion", "health_notes"):
                value = (value or "").strip() if key == "health_notes" else (value or "")
            if getattr(sensitive, key) != value:
                setattr(sensitive, key, value)
                changed.append(key)
        if changed:
            sensitive.save()
            audit.record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                object_type=SENSITIVE,
                object_id=student.pk,
                object_repr=f"sensitive data of student {student.pk}",
                unit_path=student.school.path if student.school else "",
                changes={"fields": sorted(changed)},
            )
    return sensitive
