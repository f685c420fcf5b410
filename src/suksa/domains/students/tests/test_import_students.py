"""students_import: a DMC learner file in, learners and enrolments out — all or nothing, idempotent."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from suksa.core.errors import Problem
from suksa.core.models import AcademicYear, AuditEntry
from suksa.domains.accounts.actors import actor_for
from suksa.domains.students.models import Classroom, DuplicateClaim, Enrolment, Student
from suksa.domains.students.services.imports import StudentImportReport, students_import
from suksa.domains.students.tests.factories import citizen_id, make_student
from suksa.domains.students.tests.import_helpers import csv_bytes, row, xlsx_bytes
from tests.factories import World

pytestmark = pytest.mark.django_db


def run(
    world: World, data: bytes, *, user: str = "director_a1_1", name: str = "dmc.csv", **kw: Any
) -> StudentImportReport:
    actor = actor_for(world.user(user))
    return students_import(actor=actor, source=io.BytesIO(data), filename=name, **kw)


def state() -> tuple[Any, ...]:
    return (
        list(Student.objects.order_by("pk").values_list()),
        list(Enrolment.objects.order_by("pk").values_list()),
        list(Classroom.objects.order_by("pk").values_list()),
        list(DuplicateClaim.objects.order_by("pk").values_list()),
        list(AcademicYear.objects.order_by("pk").values_list()),
        AuditEntry.objects.count(),
    )


def only_problem(report: StudentImportReport) -> Problem:
    assert not report.committed
    assert len(report.problems) == 1, [p.en for p in report.problems]
    return report.problems[0]


# --------------------------------------------------------------------------- writing


def test_a_valid_file_creates_learners_enrolments_and_rooms_with_one_audit_summary(world: World) -> None:
    cid = citizen_id()
    rows = [row(identifier=cid), row(grade="P2", room="2", sex="ช", birth_date="10/10/2561")]
    report = run(world, csv_bytes(rows))
    assert report.committed
    assert (report.rows_read, report.created, report.updated, report.unchanged) == (2, 2, 0, 0)
    assert report.problems == []
    s = Student.objects.get(citizen_id=cid)
    assert (s.prefix_th, s.first_name_th, s.last_name_th, s.first_name_en, s.sex, s.nationality) == (
        "เด็กหญิง", "ใจดี", "มีสุข", "Jaidee", "F", "THA",
    )  # fmt: skip
    assert s.school == world.school_a1_1
    assert s.search_text == s.compute_search_text()
    assert cid in s.search_text
    e = Enrolment.objects.get(student=s)
    assert e.classroom is not None
    assert (e.grade, e.classroom.number, e.status, e.entry, e.academic_year.year_be) == (
        "P1",
        1,
        "active",
        "admitted",
        2569,
    )
    assert e.starts_on == e.academic_year.starts_on
    assert sorted(Classroom.objects.values_list("grade", "number")) == [("P1", 1), ("P2", 2)]
    entries = AuditEntry.objects.filter(action="import", object_type="students.student")
    assert entries.count() == 1
    assert entries.get().changes["created"] == 2
    assert entries.get().unit_path == world.school_a1_1.path


def test_reimporting_the_same_file_changes_nothing(world: World) -> None:
    data = csv_bytes([row(), row(grade="ป.2", room="3", birth_date="10/10/2561")])
    run(world, data)
    before = state()
    again = run(world, data)
    assert again.committed
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert state() == before  # not even an audit entry


def test_a_changed_room_and_name_update_the_existing_records(world: World) -> None:
    student = make_student(world.school_a1_1, grade="P1", room=1, birth_date=None)
    data = csv_bytes([row(identifier=str(student.citizen_id), room="2", first_name_th="ใหม่ใจ")])
    report = run(world, data)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    student.refresh_from_db()
    assert student.first_name_th == "ใหม่ใจ"
    assert "ใหม่ใจ" in student.search_text
    enrolment = student.enrolments.get()
    assert enrolment.classroom is not None
    assert enrolment.classroom.number == 2
    assert Enrolment.objects.count() == 1


def test_english_headers_and_g_codes_are_accepted(world: World) -> None:
    headers = {f: f for f in ("identifier", "school_code", "academic_year", "grade", "room", "first_name_th",
                               "last_name_th", "sex", "birth_date")}  # fmt: skip
    report = run(world, csv_bytes([row(identifier="g256912000001", grade="P1", sex="F")], headers=headers))
    assert report.committed, [p.en for p in report.problems]
    s = Student.objects.get()
    assert (s.g_code, s.citizen_id, s.nationality, s.prefix_th) == ("G256912000001", None, "THA", "")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp874"])
def test_thai_headers_in_every_accepted_encoding(world: World, encoding: str) -> None:
    report = run(world, csv_bytes([row()], encoding=encoding))
    assert report.committed, [p.en for p in report.problems]
    assert Student.objects.get().last_name_th == "มีสุข"


def test_xlsx_files_are_read(world: World) -> None:
    report = run(world, xlsx_bytes([row(), row(room="2")]), name="dmc.xlsx")
    assert report.committed, [p.en for p in report.problems]
    assert report.created == 2


def test_progress_is_reported_in_rows_and_bytes(world: World) -> None:
    calls: list[tuple[int, int | None, int | None]] = []
    data = csv_bytes([row() for _ in range(3)])
    actor = actor_for(world.user("director_a1_1"))
    students_import(
        actor=actor, source=io.BytesIO(data), filename="a.csv", progress=lambda *a: calls.append(a)
    )
    assert calls[-1][0] == 3
    assert calls[-1][1] == len(data)


# --------------------------------------------------------------------------- all or nothing


def test_one_bad_row_leaves_the_database_exactly_as_it_was(world: World) -> None:
    make_student(world.school_a1_1)
    before = state()
    report = run(world, csv_bytes([row(), row(academic_year="2568"), row(identifier="1234567890123")]))
    assert not report.committed
    assert (report.created, report.updated, report.unchanged, report.rejected_rows) == (0, 0, 0, 1)
    assert state() == before


def test_keep_valid_writes_the_valid_rows_and_opens_a_claim_for_a_learner_held_elsewhere(
    world: World,
) -> None:
    held = make_student(world.school_a1_2, grade="P3")
    rows = [row(), row(identifier=str(held.citizen_id)), row(sex="?")]
    report = run(world, csv_bytes(rows), keep_valid=True)
    assert report.committed
    assert report.kept_valid_rows
    assert (report.created, report.rejected_rows, report.claims) == (1, 2, 1)
    assert Student.objects.count() == 2
    claim = DuplicateClaim.objects.get()
    assert (claim.student, claim.claiming_school, claim.holding_school, claim.source, claim.identifier) == (
        held, world.school_a1_1, world.school_a1_2, "import", held.citizen_id,
    )  # fmt: skip
    assert claim.created_by == world.user("director_a1_1")
    # The same file again: nothing new, not even a second claim.
    before = state()
    again = run(world, csv_bytes(rows[:2]), keep_valid=True)
    assert (again.created, again.updated, again.unchanged, again.claims) == (0, 0, 1, 0)
    assert state() == before


# --------------------------------------------------------------------------- one message per problem


def _problem_of(world: World, **values: str) -> Problem:
    return only_problem(run(world, csv_bytes([row(**values)], encoding="utf-8")))


@pytest.mark.parametrize(
    ("values", "code", "column", "th", "en"),
    [
        ({"identifier": "1234567890123"}, "citizen_id_checksum", "เลขประจำตัวประชาชน",
         "เลขประจำตัวประชาชน '1234567890123' มีหลักตรวจสอบไม่ถูกต้อง", "Citizen ID '1234567890123' has a wrong check digit"),
        ({"identifier": "G12"}, "g_code_format", "เลขประจำตัวประชาชน",
         "รหัส G 'G12' ต้องขึ้นต้นด้วย G ตามด้วยตัวเลข 12 หลัก", "G-code 'G12' must be the letter G followed by 12 digits"),
        ({"school_code": "9999999999"}, "school_unknown", "รหัสโรงเรียน",
         "ไม่พบรหัสโรงเรียน '9999999999' หรือคุณไม่มีสิทธิ์นำเข้านักเรียนของโรงเรียนนี้",
         "Unknown school code '9999999999', or you may not import learners into this school"),
        ({"academic_year": "2026"}, "academic_year_invalid", "ปีการศึกษา",
         "ปีการศึกษา '2026' ไม่ถูกต้อง: ใช้ปี พ.ศ. 4 หลักที่ไม่เกินปีการศึกษาหน้า เช่น 2569",
         "Academic year '2026' is not valid: use a four-digit Buddhist-Era year no later than next year, e.g. 2569"),
        ({"grade": "ป.7"}, "grade", "ชั้น",
         "ชั้น 'ป.7' ไม่ถูกต้อง ต้องเป็น อ.1–อ.3, ป.1–ป.6 หรือ ม.1–ม.6", "Grade 'ป.7' is not valid: use K1–K3, P1–P6 or M1–M6"),
        ({"grade": "ม.1", "birth_date": "01/03/2557"}, "grade_not_offered", "ชั้น",
         "โรงเรียน 1012000001 เปิดสอนชั้น อ.1–ป.6 ไม่มีชั้น ม.1", "School 1012000001 teaches K1–P6, not M1"),
        ({"room": "0"}, "room", "ห้อง", "ห้อง '0' ต้องเป็นตัวเลข 1–99", "Room '0' must be a number from 1 to 99"),
        ({"sex": "x"}, "sex", "เพศ", "เพศ 'x' ต้องเป็น ช (ชาย) หรือ ญ (หญิง)", "Sex 'x' must be ช/M (male) or ญ/F (female)"),
        ({"birth_date": "31/02/2563"}, "date_impossible", "วันเกิด",
         "ไม่มีวันที่ 31/02/2563 ในปฏิทิน", "31/02/2563 is not a date in the calendar"),
        ({"birth_date": "01/01/2020"}, "date_not_be", "วันเกิด",
         "ปี 2020 เป็นปี ค.ศ. กรุณาใช้ปี พ.ศ. (2563)", "2020 is a Common-Era year: use the Buddhist Era (2563)"),
        ({"birth_date": "01/01/2600"}, "birth_date_future", "วันเกิด",
         "วันเกิด 1 ม.ค. 2600 อยู่ในอนาคต", "The date of birth 1 Jan 2600 BE is in the future"),
        ({"birth_date": "01/01/2540"}, "birth_date_implausible", "วันเกิด",
         "อายุ 29 ปี (เกิด 1 ม.ค. 2540) ไม่สมเหตุผลสำหรับชั้น ป.1 ซึ่งรับอายุ 4–16 ปี",
         "Age 29 (born 1 Jan 2540 BE) is implausible for grade P1: expected 4–16"),
        ({"first_name_th": ""}, "required", "ชื่อ", "ต้องระบุชื่อ (ไทย)", "The Thai first name is required"),
        ({"nationality": "Thailandia"}, "nationality", "สัญชาติ",
         "สัญชาติ 'Thailandia' ต้องเป็น ไทย หรือรหัสประเทศ 3 ตัวอักษร เช่น THA, MMR, LAO",
         "Nationality 'Thailandia' must be Thai or a three-letter country code, e.g. THA, MMR, LAO"),
    ],
)  # fmt: skip
def test_each_bad_value_is_reported_with_row_column_and_both_languages(
    world: World, values: dict[str, str], code: str, column: str, th: str, en: str
) -> None:
    p = _problem_of(world, **values)
    assert (p.code, p.row, p.column, p.file, p.th, p.en) == (code, 2, column, "dmc.csv", th, en)
    assert Student.objects.count() == 0


def test_a_duplicate_identifier_within_the_file_is_rejected(world: World) -> None:
    cid = citizen_id()
    report = run(world, csv_bytes([row(identifier=cid), row(), row(identifier=cid)]))
    p = only_problem(report)
    assert (p.code, p.row, p.column) == ("identifier_duplicate_in_file", 4, "เลขประจำตัวประชาชน")
    assert p.th == f"เลขประจำตัว '{cid}' ซ้ำกับแถวก่อนหน้าในไฟล์นี้"
    assert p.en == f"Identifier '{cid}' appears earlier in this file"


def test_a_learner_enrolled_at_another_school_is_named_by_id_and_that_schools_code_only(world: World) -> None:
    held = make_student(world.school_a1_2, first_name_th="ลับ", last_name_th="เฉพาะ")
    p = only_problem(run(world, csv_bytes([row(identifier=str(held.citizen_id))])))
    assert (p.code, p.row, p.column) == ("identifier_enrolled_elsewhere", 2, "เลขประจำตัวประชาชน")
    assert p.th == (
        f"เลขประจำตัว '{held.citizen_id}' เป็นนักเรียนของโรงเรียนรหัส 1012000002 อยู่แล้ว "
        "ให้โรงเรียนเดิมทำเรื่องย้ายออก หรือแจ้ง สพท. ตรวจสอบ"
    )
    assert p.en == (
        f"Identifier '{held.citizen_id}' is already enrolled at school 1012000002; ask that school to transfer "
        "the learner, or the ESA to check"
    )
    assert "ลับ" not in p.th + p.en
    assert world.school_a1_2.name_th not in p.th
    assert DuplicateClaim.objects.count() == 0  # all-or-nothing writes no claim


def test_a_missing_column_stops_the_import_before_any_row(world: World) -> None:
    headers = {"identifier": "เลขประจำตัวประชาชน", "school_code": "รหัสโรงเรียน"}
    report = run(world, csv_bytes([row()], headers=headers))
    assert not report.committed
    assert [p.code for p in report.problems] == ["column_missing"] * 7
    assert report.problems[0].row == 1


def test_an_empty_file_and_a_wrong_file_type_are_reported(world: World) -> None:
    empty = run(world, csv_bytes([]))
    assert [p.code for p in empty.problems] == ["file_no_rows"]
    wrong = run(world, b"hello", name="notes.pdf")
    assert [p.code for p in wrong.problems] == ["file_type"]


# --------------------------------------------------------------------------- scope


@pytest.mark.parametrize(
    ("user", "school", "allowed"),
    [
        ("director_a1_1", "1012000001", True),
        ("staff_a1_1", "1012000001", True),
        ("director_a1_1", "1012000002", False),  # another school of the same ESA
        ("director_a1_2", "1012000001", False),
        ("sysadmin_a1", "1012000002", True),
        ("sysadmin_a1", "1050000001", False),  # another ESA's school
        ("sysadmin", "1050000001", True),
    ],
)
def test_rows_outside_the_importers_scope_read_like_unknown_schools(
    world: World, user: str, school: str, allowed: bool
) -> None:
    before = state()
    report = run(world, csv_bytes([row(school_code=school)]), user=user)
    if allowed:
        assert report.committed, [p.en for p in report.problems]
        assert Enrolment.objects.get().school.code == school
    else:
        assert only_problem(report).code == "school_unknown"
        assert state() == before


@pytest.mark.parametrize("user", ["esa_officer_a1", "esa_director_a1", "teacher_a1_1", "executive", "nobody"])
def test_roles_without_student_edit_cannot_import_at_all(world: World, user: str) -> None:
    before = state()
    report = run(world, csv_bytes([row()]), user=user)
    assert [p.code for p in report.problems] == ["forbidden"]
    assert state() == before


def test_the_documented_sample_file_imports_cleanly(world: World) -> None:
    sample = Path(__file__).resolve().parents[5] / "docs" / "samples" / "students-dmc.csv"
    report = run(world, sample.read_bytes(), user="sysadmin", name="students-dmc.csv")
    assert report.committed, [p.en for p in report.problems]
    assert (report.created, report.rejected_rows) == (5, 0)
    assert Student.objects.get(g_code="G256912000001").nationality == "MMR"
