"""Learner import pages: upload → job → progress page; who may see a job; register export."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from suksa.core.models import AuditEntry, Job
from suksa.domains.students.models import Enrolment, Student
from suksa.domains.students.tests.factories import make_student
from suksa.domains.students.tests.import_helpers import csv_bytes, row
from tests.factories import World

pytestmark = pytest.mark.django_db

A1_1 = "1012000001"


@pytest.fixture(autouse=True)
def _jobs_inline(settings: Any, tmp_path: Path) -> None:
    settings.SUKSA_JOBS_INLINE = True
    settings.MEDIA_ROOT = tmp_path


def client_for(world: World, username: str) -> Client:
    c = Client()
    c.force_login(world.user(username))
    return c


def upload(c: Client, data: bytes, name: str = "dmc.csv", keep_valid: bool = False) -> Any:
    f = io.BytesIO(data)
    f.name = name
    payload: dict[str, Any] = {"file": f}
    if keep_valid:
        payload["keep_valid"] = "on"
    return c.post(reverse("web:student_import"), payload)


def test_an_upload_runs_a_job_and_the_progress_page_shows_its_result(world: World, tmp_path: Path) -> None:
    c = client_for(world, "director_a1_1")
    response = upload(c, csv_bytes([row(), row(room="2")]))
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:job_detail", args=[job.pk])
    assert (job.kind, job.status, job.requested_by, job.unit) == (
        "students.import", "done", world.user("director_a1_1"), world.school_a1_1,
    )  # fmt: skip
    assert job.result["created"] == 2
    assert job.progress_done == 2
    assert list((tmp_path / "jobs").iterdir()) == []  # the uploaded file is gone
    page = c.get(response["Location"]).content.decode()
    assert 'data-status="done"' in page
    assert 'data-count="created">2<' in page
    assert "hx-trigger" not in page  # finished: no more polling
    assert Student.objects.count() == 2


def test_a_running_job_polls_every_second_and_shows_rows_read(world: World) -> None:
    job = Job.objects.create(
        kind="students.import", requested_by=world.user("director_a1_1"), status="running"
    )
    c = client_for(world, "director_a1_1")
    page = c.get(reverse("web:job_detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page
    partial = c.get(reverse("web:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="job-status"')


def test_problems_are_listed_and_downloadable_and_nothing_is_written(world: World) -> None:
    c = client_for(world, "director_a1_1")
    upload(c, csv_bytes([row(), row(identifier="1234567890123")]))
    job = Job.objects.get()
    page = c.get(reverse("web:job_detail", args=[job.pk])).content.decode()
    assert 'data-code="citizen_id_checksum"' in page
    assert "ไม่ได้บันทึกข้อมูลใด ๆ" in page
    report = c.get(reverse("web:job_problems", args=[job.pk]))
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert lines[1][:3] == ["3", "เลขประจำตัวประชาชน", "citizen_id_checksum"]
    assert lines[1][3] == "เลขประจำตัวประชาชน '1234567890123' มีหลักตรวจสอบไม่ถูกต้อง"
    assert Student.objects.count() == 0


def test_a_missing_file_is_reported_bilingually(world: World) -> None:
    response = client_for(world, "director_a1_1").post(reverse("web:student_import"), {})
    assert response.status_code == 400
    assert "กรุณาเลือกไฟล์" in response.content.decode()
    assert Job.objects.count() == 0


@pytest.mark.parametrize(
    ("username", "status"),
    [("director_a1_1", 200), ("staff_a1_1", 200), ("sysadmin", 200), ("sysadmin_a1", 200),
     ("esa_officer_a1", 404), ("esa_director_a1", 404), ("teacher_a1_1", 404), ("executive", 404), ("nobody", 404)],
)  # fmt: skip
def test_who_may_open_the_import_page(world: World, username: str, status: int) -> None:
    assert client_for(world, username).get(reverse("web:student_import")).status_code == status
    assert client_for(world, username).get(reverse("web:student_import_template")).status_code == status


def test_the_template_is_a_dmc_file_that_names_every_column(world: World) -> None:
    content = client_for(world, "director_a1_1").get(reverse("web:student_import_template")).content
    assert content.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header[:3] == ["เลขประจำตัวประชาชน", "รหัสโรงเรียน", "ปีการศึกษา"]


@pytest.mark.parametrize(
    ("username", "status"),
    [("director_a1_1", 200), ("sysadmin", 200), ("sysadmin_a1", 200),  # requester; sysadmins over the unit
     ("staff_a1_1", 404), ("director_a1_2", 404), ("esa_officer_a1", 404), ("esa_director_a1", 404),
     ("director_b1_1", 404), ("dpo", 404), ("nobody", 404)],
)  # fmt: skip
def test_only_the_requester_and_sysadmins_over_the_unit_see_a_job(
    world: World, username: str, status: int
) -> None:
    upload(client_for(world, "director_a1_1"), csv_bytes([row()]))
    job = Job.objects.get()
    c = client_for(world, username)
    assert c.get(reverse("web:job_detail", args=[job.pk])).status_code == status
    assert c.get(reverse("web:job_problems", args=[job.pk])).status_code == status
    assert c.get(reverse("web:job_detail", args=[job.pk + 1000])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(world: World) -> None:
    for url in (reverse("web:student_import"), reverse("web:job_detail", args=[1])):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


# --------------------------------------------------------------------------- register export


def test_the_register_exports_as_csv_and_reimports_without_changes(world: World) -> None:
    for grade, room in (("P1", 1), ("P1", 2), ("P3", 1)):
        make_student(world.school_a1_1, grade=grade, room=room)
    c = client_for(world, "director_a1_1")
    response = c.get(reverse("web:school_register_csv", args=[world.school_a1_1.code]), {"year": "2569"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(lines) == 4
    assert lines[1][1:5] == ["1012000001", "2569", "ป.1", "1"]
    assert lines[1][10] == "ญ"
    before = list(Enrolment.objects.values_list()), list(Student.objects.values_list())
    upload(c, content)
    result = Job.objects.get().result
    assert (result["committed"], result["created"], result["updated"], result["unchanged"]) == (True, 0, 0, 3)
    assert (list(Enrolment.objects.values_list()), list(Student.objects.values_list())) == before


def test_the_register_exports_as_xlsx(world: World) -> None:
    make_student(world.school_a1_1, grade="P2", room=3, first_name_th="สมหญิง")
    response = client_for(world, "staff_a1_1").get(
        reverse("web:school_register_xlsx", args=[world.school_a1_1.code])
    )
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)  # type: ignore[attr-defined]
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "เลขประจำตัวประชาชน"
    assert rows[1][3:5] == ("ป.2", "3")
    assert rows[1][6] == "สมหญิง"


@pytest.mark.parametrize(
    ("username", "status"),
    [("director_a1_1", 200), ("staff_a1_1", 200), ("esa_officer_a1", 200), ("esa_director_a1", 200),
     ("sysadmin_a1", 200), ("director_a1_2", 404), ("esa_officer_b1", 404), ("teacher_a1_1", 403),
     ("executive", 403), ("nobody", 404)],
)  # fmt: skip
def test_who_may_export_a_schools_register(world: World, username: str, status: int) -> None:
    make_student(world.school_a1_1, first_name_th="ลับเฉพาะ")
    response = client_for(world, username).get(
        reverse("web:school_register_csv", args=[world.school_a1_1.code])
    )
    assert response.status_code == status
    if status != 200:
        assert "ลับเฉพาะ" not in response.content.decode()


def export_entries() -> list[tuple[str, str, str, str, dict[str, Any]]]:
    return list(
        AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT)
        .order_by("id")
        .values_list("actor_username", "object_type", "object_repr", "unit_path", "changes")
    )


@pytest.mark.parametrize(
    ("route", "fmt"), [("web:school_register_csv", "csv"), ("web:school_register_xlsx", "xlsx")]
)
def test_an_export_is_audited_with_school_year_format_and_rows_but_no_learner(
    world: World, route: str, fmt: str
) -> None:
    learners = [make_student(world.school_a1_1, grade="P1", first_name_th=f"ลับเฉพาะ{i}") for i in range(3)]
    make_student(world.school_a1_2)  # another school's learner is not counted
    response = client_for(world, "director_a1_1").get(reverse(route, args=[A1_1]), {"year": "2569"})
    assert response.status_code == 200
    b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert export_entries() == [
        ("director_a1_1", "students.register", f"register {A1_1} 2569 ({fmt})", world.school_a1_1.path,
         {"school": A1_1, "year": 2569, "format": fmt, "rows": 3}),
    ]  # fmt: skip
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    text = f"{entry.object_repr} {entry.changes}"
    for learner in learners:
        assert learner.first_name_th not in text
        assert learner.citizen_id
        assert learner.citizen_id not in text


@pytest.mark.parametrize("username", ["director_a1_2", "esa_officer_b1", "teacher_a1_1", "nobody"])
def test_an_export_refused_writes_no_audit_entry(world: World, username: str) -> None:
    make_student(world.school_a1_1)
    c = client_for(world, username)
    for route in ("web:school_register_csv", "web:school_register_xlsx"):
        assert c.get(reverse(route, args=[A1_1])).status_code in (403, 404)
    assert export_entries() == []


def test_an_export_of_an_unknown_year_writes_no_audit_entry(world: World) -> None:
    make_student(world.school_a1_1)
    c = client_for(world, "director_a1_1")
    for route in ("web:school_register_csv", "web:school_register_xlsx"):
        assert c.get(reverse(route, args=[A1_1]), {"year": "2400"}).status_code == 404
    assert export_entries() == []
