"""The student registry services: registration, one person one record, edits, guardians, sensitive data.

Every denial and every refusal asserts that nothing was written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from suksa.core.dates import academic_year_be_of
from suksa.core.errors import InvalidInput, PermissionDenied
from suksa.core.models import AuditEntry
from suksa.core.policy import Actor
from suksa.domains.accounts.actors import actor_for
from suksa.domains.students.models import DuplicateClaim, Enrolment, Guardian, Student, StudentSensitive
from suksa.domains.students.services.registry import (
    guardian_add,
    guardian_remove,
    guardian_update,
    student_register,
    student_replace_g_code,
    student_sensitive_read,
    student_sensitive_update,
    student_update,
)
from suksa.domains.students.tests.factories import citizen_id, make_student
from tests.factories import World


def today() -> dt.date:
    return timezone.localdate()


def born(age: int) -> dt.date:
    """A birth date giving ``age`` completed years today (birthday a month ago)."""
    t = today() - dt.timedelta(days=31)
    return t.replace(year=t.year - age)


def data(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "identifier": citizen_id(),
        "prefix_th": "เด็กหญิง",
        "first_name_th": "มะลิ",
        "last_name_th": "ใจดี",
        "first_name_en": "Mali",
        "last_name_en": "Jaidee",
        "sex": "F",
        "birth_date": born(7),
        "nationality": "THA",
        "grade": "P2",
        "room": 1,
    }
    base.update(overrides)
    return base


def state() -> tuple[int, int, int, int, int]:
    return (
        Student.objects.count(),
        Enrolment.objects.count(),
        DuplicateClaim.objects.count(),
        Guardian.objects.count(),
        AuditEntry.objects.count(),
    )


def actor(world: World, name: str) -> Actor:
    return actor_for(world.user(name))


def codes(exc: pytest.ExceptionInfo[InvalidInput]) -> list[tuple[str | None, str]]:
    return [(p.field, p.code) for p in exc.value.problems]


# --- registering ---------------------------------------------------------------------------------


def test_register_creates_the_learner_and_the_first_enrolment(world: World) -> None:
    cid = citizen_id()
    result = student_register(
        actor=actor(world, "staff_a1_1"), school=world.school_a1_1, data=data(identifier=cid, room=2)
    )
    assert result.claim is None
    student = result.student
    assert student is not None
    assert (student.citizen_id, student.g_code, student.school_id, student.nationality) == (
        cid,
        None,
        world.school_a1_1.pk,
        "THA",
    )
    assert student.search_text == student.compute_search_text()
    assert cid in student.search_text
    assert "mali" in student.search_text
    enrolment = Enrolment.objects.get(student=student)
    assert (
        enrolment.school_id,
        enrolment.academic_year.year_be,
        enrolment.grade,
        enrolment.classroom.number if enrolment.classroom else None,
        enrolment.entry,
        enrolment.status,
        enrolment.starts_on,
    ) == (world.school_a1_1.pk, academic_year_be_of(today()), "P2", 2, "admitted", "active", today())
    entry = AuditEntry.objects.get(action="create", object_type="students.student")
    assert (entry.actor_username, entry.object_id, entry.unit_path) == (
        "staff_a1_1",
        str(student.pk),
        world.school_a1_1.path,
    )
    assert entry.changes["grade"] == "P2"
    assert entry.changes["school"] == world.school_a1_1.code


def test_register_accepts_a_g_code_and_a_formatted_citizen_id(world: World) -> None:
    a = actor(world, "director_a1_1")
    g = student_register(actor=a, school=world.school_a1_1, data=data(identifier="g256912000001"))
    assert g.student is not None
    assert (g.student.g_code, g.student.citizen_id) == ("G256912000001", None)
    cid = citizen_id()
    formatted = f"{cid[0]}-{cid[1:5]}-{cid[5:10]}-{cid[10:12]}-{cid[12]}"
    c = student_register(actor=a, school=world.school_a1_1, data=data(identifier=formatted))
    assert c.student is not None
    assert c.student.citizen_id == cid


def test_register_reuses_an_existing_classroom(world: World) -> None:
    a = actor(world, "director_a1_1")
    first = student_register(actor=a, school=world.school_a1_1, data=data(room=3)).student
    second = student_register(actor=a, school=world.school_a1_1, data=data(room=3)).student
    assert first is not None
    assert second is not None
    assert first.enrolments.get().classroom_id == second.enrolments.get().classroom_id


@pytest.mark.parametrize(
    ("identifier", "code"),
    [
        ("1234567890123", "citizen_id_checksum"),
        ("123456789012", "citizen_id_format"),
        ("0000000000001", "citizen_id_first_digit"),
        ("G12", "g_code_format"),
        ("G199912000001", "g_code_year"),
        ("", "required"),
    ],
)
def test_register_refuses_a_bad_identifier(world: World, identifier: str, code: str) -> None:
    before = state()
    with pytest.raises(InvalidInput) as exc:
        student_register(
            actor=actor(world, "staff_a1_1"), school=world.school_a1_1, data=data(identifier=identifier)
        )
    assert codes(exc) == [("identifier", code)]
    assert state() == before


def test_a_checksum_error_says_so_in_thai_and_english(world: World) -> None:
    with pytest.raises(InvalidInput) as exc:
        student_register(
            actor=actor(world, "staff_a1_1"), school=world.school_a1_1, data=data(identifier="1234567890123")
        )
    problem = exc.value.problems[0]
    assert problem.th == "เลขประจำตัวประชาชน '1234567890123' มีหลักตรวจสอบไม่ถูกต้อง"
    assert problem.en == "Citizen ID '1234567890123' has a wrong check digit"


def test_register_refuses_a_birth_date_in_the_future(world: World) -> None:
    before = state()
    with pytest.raises(InvalidInput) as exc:
        student_register(
            actor=actor(world, "staff_a1_1"),
            school=world.school_a1_1,
            data=data(birth_date=today() + dt.timedelta(days=1)),
        )
    assert codes(exc) == [("birth_date", "birth_date_future")]
    assert state() == before


def test_register_names_the_grade_and_age_that_do_not_fit(world: World) -> None:
    before = state()
    with pytest.raises(InvalidInput) as exc:
        student_register(
            actor=actor(world, "staff_a1_1"),
            school=world.school_a1_1,
            data=data(grade="P1", birth_date=born(3)),
        )
    assert codes(exc) == [("birth_date", "birth_date_implausible")]
    problem = exc.value.problems[0]
    assert "ป.1" in problem.th
    assert "อายุ 3 ปี" in problem.th
    assert "4–16" in problem.th
    assert "Age 3" in problem.en
    assert "grade P1" in problem.en
    assert "4–16" in problem.en
    assert state() == before


@pytest.mark.parametrize(("grade", "age"), [("K1", 2), ("P1", 16), ("M1", 22)])
def test_register_accepts_ages_at_the_edges_of_the_plausible_range(
    world: World, grade: str, age: int
) -> None:
    school = world.school_a1_1 if grade != "M1" else world.school_a2_1
    who = "director_a1_1" if grade != "M1" else "sysadmin"
    result = student_register(
        actor=actor(world, who), school=school, data=data(grade=grade, birth_date=born(age))
    )
    assert result.student is not None


def test_register_refuses_a_grade_the_school_does_not_teach_and_other_bad_fields(world: World) -> None:
    before = state()
    with pytest.raises(InvalidInput) as exc:
        student_register(
            actor=actor(world, "staff_a1_1"),
            school=world.school_a1_1,  # K1..P6
            data=data(
                grade="M1",
                room=0,
                sex="X",
                nationality="TH",
                first_name_th="",
                last_name_th="Smith",
                first_name_en="มะลิ",
            ),
        )
    assert sorted(codes(exc)) == [
        ("first_name_en", "latin_script"),
        ("first_name_th", "required"),
        ("grade", "grade_not_offered"),
        ("last_name_th", "thai_script"),
        ("nationality", "nationality"),
        ("room", "room"),
        ("sex", "sex"),
    ]
    grade_problem = next(p for p in exc.value.problems if p.field == "grade")
    assert grade_problem.en == "This school teaches K1–P6, not M1"
    assert state() == before


def test_register_needs_student_edit_on_the_school(world: World) -> None:
    before = state()
    for name in ("teacher_a1_1", "esa_officer_a1", "director_a1_2", "executive", "dpo", "nobody"):
        with pytest.raises(PermissionDenied):
            student_register(actor=actor(world, name), school=world.school_a1_1, data=data())
    assert state() == before


# --- one person, one record ----------------------------------------------------------------------


def test_the_same_identifier_at_the_same_school_is_refused(world: World) -> None:
    existing = make_student(world.school_a1_1)
    before = state()
    with pytest.raises(InvalidInput) as exc:
        student_register(
            actor=actor(world, "staff_a1_1"),
            school=world.school_a1_1,
            data=data(identifier=existing.citizen_id),
        )
    assert codes(exc) == [("identifier", "duplicate_identifier")]
    assert state() == before


def test_the_same_identifier_at_another_school_opens_exactly_one_claim_and_no_record(world: World) -> None:
    holder = make_student(world.school_b1_1, first_name_th="ลับ", last_name_th="เขตบี")
    before_students = Student.objects.count()
    before_enrolments = Enrolment.objects.count()
    a = actor(world, "staff_a1_1")

    result = student_register(
        actor=a, school=world.school_a1_1, data=data(identifier=holder.citizen_id, birth_date=born(8))
    )

    assert result.student is None
    claim = result.claim
    assert claim is not None
    assert (
        claim.student_id,
        claim.identifier,
        claim.claiming_school_id,
        claim.holding_school_id,
        claim.claimed_name_th,
        claim.claimed_birth_date,
        claim.source,
        claim.status,
        claim.created_by_id,
    ) == (
        holder.pk,
        holder.citizen_id,
        world.school_a1_1.pk,
        world.school_b1_1.pk,
        "เด็กหญิงมะลิ ใจดี",
        born(8),
        "form",
        "open",
        world.user("staff_a1_1").pk,
    )
    assert (Student.objects.count(), Enrolment.objects.count()) == (before_students, before_enrolments)
    entry = AuditEntry.objects.get(object_type="students.duplicate_claim")
    assert (entry.action, entry.unit_path, entry.changes["holding_school"]) == (
        "create",
        world.school_a1_1.path,
        world.school_b1_1.code,
    )

    # Trying again returns the same open claim: still exactly one.
    again = student_register(actor=a, school=world.school_a1_1, data=data(identifier=holder.citizen_id))
    assert again.claim is not None
    assert again.claim.pk == claim.pk
    assert DuplicateClaim.objects.count() == 1


def test_a_citizen_id_given_later_to_a_g_code_record_is_also_one_person(world: World) -> None:
    holder = make_student(world.school_b1_1, g_code="G256950000001")
    cid = citizen_id()
    student_replace_g_code(actor=actor(world, "director_b1_1"), student=holder, citizen_id=cid)
    by_id = student_register(
        actor=actor(world, "staff_a1_1"), school=world.school_a1_1, data=data(identifier=cid)
    )
    assert by_id.claim is not None
    assert by_id.claim.student_id == holder.pk
    by_g = student_register(
        actor=actor(world, "director_a1_2"), school=world.school_a1_2, data=data(identifier="G256950000001")
    )
    assert by_g.claim is not None
    assert by_g.claim.student_id == holder.pk
    assert Student.objects.count() == 1


def test_a_claim_from_the_api_and_the_cli_records_its_source(world: World) -> None:
    holder = make_student(world.school_b1_1)
    api_actor = actor_for(world.user("staff_a1_1"), source="api")
    claim = student_register(
        actor=api_actor, school=world.school_a1_1, data=data(identifier=holder.citizen_id)
    ).claim
    assert claim is not None
    assert claim.source == "api"


# --- editing the record --------------------------------------------------------------------------


def test_update_changes_names_and_is_audited_with_a_diff(world: World) -> None:
    student = make_student(world.school_a1_1, grade="P1", birth_date=born(6))
    updated = student_update(
        actor=actor(world, "staff_a1_1"),
        student=student,
        data={"first_name_th": "ชบา", "first_name_en": "Chaba", "sex": "F"},
    )
    assert (updated.first_name_th, updated.first_name_en) == ("ชบา", "Chaba")
    assert "ชบา" in updated.search_text
    assert "chaba" in updated.search_text
    entry = AuditEntry.objects.get(action="update", object_type="students.student")
    assert entry.changes == {"first_name_en": ["", "Chaba"], "first_name_th": ["ทดสอบ", "ชบา"]}


def test_update_checks_the_birth_date_against_the_current_grade(world: World) -> None:
    student = make_student(world.school_a1_1, grade="P6", birth_date=born(11))
    before = state()
    with pytest.raises(InvalidInput) as exc:
        student_update(actor=actor(world, "staff_a1_1"), student=student, data={"birth_date": born(4)})
    assert codes(exc) == [("birth_date", "birth_date_implausible")]
    with pytest.raises(InvalidInput) as exc:
        student_update(actor=actor(world, "staff_a1_1"), student=student, data={"school_id": 1})
    assert codes(exc) == [("school_id", "field_unknown")]
    assert state() == before


def test_update_is_refused_to_a_teacher_and_the_esa(world: World) -> None:
    student = make_student(world.school_a1_1)
    before = state()
    for name in ("teacher_a1_1", "esa_officer_a1", "director_a1_2"):
        with pytest.raises(PermissionDenied):
            student_update(actor=actor(world, name), student=student, data={"first_name_th": "ชบา"})
    assert state() == before
    assert Student.objects.get(pk=student.pk).first_name_th == "ทดสอบ"


def test_replacing_a_g_code_keeps_the_g_code_and_the_history(world: World) -> None:
    student = make_student(world.school_a1_1, g_code="G256912000009")
    enrolment_ids = list(student.enrolments.values_list("pk", flat=True))
    cid = citizen_id()
    updated = student_replace_g_code(actor=actor(world, "staff_a1_1"), student=student, citizen_id=cid)
    assert (updated.citizen_id, updated.g_code) == (cid, "G256912000009")
    assert list(updated.enrolments.values_list("pk", flat=True)) == enrolment_ids
    assert cid in updated.search_text
    assert "g256912000009" in updated.search_text
    entry = AuditEntry.objects.get(action="update", object_type="students.student")
    assert entry.changes == {"citizen_id": [None, cid], "replaced": "g_code"}


def test_replacing_a_g_code_with_an_id_held_by_another_record_creates_nothing(world: World) -> None:
    other = make_student(world.school_b1_1)
    student = make_student(world.school_a1_1, g_code="G256912000010")
    before = state()
    with pytest.raises(InvalidInput) as exc:
        student_replace_g_code(
            actor=actor(world, "staff_a1_1"), student=student, citizen_id=other.citizen_id or ""
        )
    assert codes(exc) == [("citizen_id", "citizen_id_taken")]
    assert state() == before
    assert Student.objects.get(pk=student.pk).citizen_id is None


def test_replacing_is_only_for_g_code_learners_and_checks_the_checksum(world: World) -> None:
    has_id = make_student(world.school_a1_1)
    g = make_student(world.school_a1_1, g_code="G256912000011")
    with pytest.raises(InvalidInput) as exc:
        student_replace_g_code(actor=actor(world, "staff_a1_1"), student=has_id, citizen_id=citizen_id())
    assert codes(exc) == [("citizen_id", "no_g_code")]
    with pytest.raises(InvalidInput) as exc:
        student_replace_g_code(actor=actor(world, "staff_a1_1"), student=g, citizen_id="1234567890123")
    assert codes(exc) == [("citizen_id", "citizen_id_checksum")]


# --- guardians -----------------------------------------------------------------------------------


def test_guardians_keep_at_most_one_primary(world: World) -> None:
    student = make_student(world.school_a1_1)
    a = actor(world, "staff_a1_1")
    mother = guardian_add(
        actor=a,
        student=student,
        data={"relation": "mother", "name_th": "นางมาลี ใจดี", "phone": "+66 81 234 5678", "is_primary": True},
    )
    assert mother.phone == "0812345678"
    father = guardian_add(
        actor=a,
        student=student,
        data={"relation": "father", "name_th": "นายมานะ ใจดี", "phone": "02-123-4567"},
    )
    guardian_update(actor=a, guardian=father, data={"is_primary": True})
    assert list(Guardian.objects.filter(student=student, is_primary=True).values_list("pk", flat=True)) == [
        father.pk
    ]
    guardian_remove(actor=a, guardian=mother)
    assert list(Guardian.objects.filter(student=student).values_list("pk", flat=True)) == [father.pk]
    actions = list(
        AuditEntry.objects.filter(object_type="students.guardian")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "create", "update", "delete"]


def test_guardian_input_is_checked(world: World) -> None:
    student = make_student(world.school_a1_1)
    before = state()
    with pytest.raises(InvalidInput) as exc:
        guardian_add(
            actor=actor(world, "staff_a1_1"),
            student=student,
            data={"relation": "uncle", "name_th": "", "phone": "12345", "email": "not-an-email"},
        )
    assert sorted(codes(exc)) == [
        ("email", "email"),
        ("name_th", "required"),
        ("phone", "phone"),
        ("relation", "relation"),
    ]
    with pytest.raises(PermissionDenied):
        guardian_add(
            actor=actor(world, "teacher_a1_1"),
            student=student,
            data={"relation": "mother", "name_th": "นางมาลี"},
        )
    assert state() == before


# --- sensitive data ------------------------------------------------------------------------------


def test_a_sensitive_read_is_audited_with_field_names_only(world: World) -> None:
    student = make_student(world.school_a1_1)
    StudentSensitive.objects.create(
        student=student, disability="2", health_notes="โรคหอบหืด", ccl_eligible=True
    )
    sensitive = student_sensitive_read(actor=actor(world, "director_a1_1"), student=student)
    assert (sensitive.disability, sensitive.health_notes, sensitive.ccl_eligible) == ("2", "โรคหอบหืด", True)
    entry = AuditEntry.objects.get(action="read_sensitive")
    assert (entry.actor_username, entry.object_type, entry.object_id, entry.unit_path) == (
        "director_a1_1",
        "students.student_sensitive",
        str(student.pk),
        world.school_a1_1.path,
    )
    assert entry.changes == {"fields": ["ccl_eligible", "disability", "health_notes", "religion"]}


def test_reading_a_learner_without_sensitive_data_creates_no_row(world: World) -> None:
    student = make_student(world.school_a1_1)
    sensitive = student_sensitive_read(actor=actor(world, "staff_a1_1"), student=student)
    assert sensitive.pk is not None  # the primary key is the student's
    assert not StudentSensitive.objects.exists()
    assert AuditEntry.objects.filter(action="read_sensitive").count() == 1


@pytest.mark.parametrize(
    "name",
    ["teacher_a1_1", "esa_officer_a1", "esa_director_a1", "executive", "sysadmin", "dpo", "director_a1_2"],
)
def test_a_sensitive_read_is_refused_and_nothing_is_written(world: World, name: str) -> None:
    student = make_student(world.school_a1_1, grade="P1", room=1)
    before = state()
    with pytest.raises(PermissionDenied):
        student_sensitive_read(actor=actor(world, name), student=student)
    with pytest.raises(PermissionDenied):
        student_sensitive_update(actor=actor(world, name), student=student, data={"ccl_eligible": True})
    assert state() == before
    assert not StudentSensitive.objects.exists()


def test_a_sensitive_update_audits_field_names_never_values(world: World) -> None:
    student = make_student(world.school_a1_1)
    student_sensitive_update(
        actor=actor(world, "staff_a1_1"),
        student=student,
        data={"disability": "8", "health_notes": "แพ้ถั่วลิสง", "ccl_eligible": True, "religion": "islam"},
    )
    stored = StudentSensitive.objects.get(student=student)
    assert (stored.disability, stored.health_notes, stored.ccl_eligible, stored.religion) == (
        "8",
        "แพ้ถั่วลิสง",
        True,
        "islam",
    )
    entry = AuditEntry.objects.get(action="update", object_type="students.student_sensitive")
    assert entry.changes == {"fields": ["ccl_eligible", "disability", "health_notes", "religion"]}
    text = str(entry.changes) + entry.object_repr
    for value in ("แพ้ถั่วลิสง", "islam", "8"):
        assert value not in text.replace(str(student.pk), "")


def test_a_bad_sensitive_value_is_refused_without_echoing_it(world: World) -> None:
    student = make_student(world.school_a1_1)
    before = state()
    with pytest.raises(InvalidInput) as exc:
        student_sensitive_update(
            actor=actor(world, "staff_a1_1"),
            student=student,
            data={"disability": "zz", "religion": "secret-x"},
        )
    assert sorted(codes(exc)) == [("disability", "disability"), ("religion", "religion")]
    assert all("secret-x" not in p.th + p.en for p in exc.value.problems)
    assert state() == before


def test_register_only_at_a_school(world: World) -> None:
    before = state()
    with pytest.raises(InvalidInput) as exc:
        student_register(actor=actor(world, "sysadmin"), school=world.esa_a1, data=data())
    assert codes(exc) == [("school", "not_a_school")]
    assert state() == before
