"""API: learner import as a job (202 + job id), job status, register export — and who may call them."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from suksa.core.models import AuditEntry, Job
from suksa.domains.students.models import Student
from suksa.domains.students.tests.factories import make_student
from suksa.domains.students.tests.import_helpers import csv_bytes, row
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _jobs_inline(settings: Any, tmp_path: Path) -> None:
    settings.SUKSA_JOBS_INLINE = True
    settings.MEDIA_ROOT = tmp_path


def api(world: World, username: str) -> Client:
    token, _ = Token.objects.get_or_create(user=world.user(username))
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def post_file(c: Client, data: bytes, **extra: str) -> Any:
    f = io.BytesIO(data)
    f.name = "dmc.csv"
    return c.post("/api/v1/students/import/", {"file": f, **extra})


def test_an_import_answers_202_with_the_job_which_reports_the_result(world: World) -> None:
    c = api(world, "director_a1_1")
    response = post_file(c, csv_bytes([row(), row(room="2")]))
    assert response.status_code == 202
    body = response.json()
    job = Job.objects.get()
    assert body == {"job_id": job.pk, "status": "done", "url": f"/api/v1/jobs/{job.pk}/"}
    detail = c.get(body["url"]).json()
    assert (detail["status"], detail["kind"], detail["percent"], detail["progress_done"]) == (
        "done", "students.import", 100, 2,
    )  # fmt: skip
    result = detail["result"]
    assert (result["committed"], result["created"], result["rows_read"], result["problems"]) == (
        True,
        2,
        2,
        [],
    )
    assert Student.objects.count() == 2


def test_problems_come_back_bilingually_with_row_and_column(world: World) -> None:
    c = api(world, "director_a1_1")
    body = post_file(c, csv_bytes([row(sex="x")]), keep_valid="true").json()
    problem = c.get(body["url"]).json()["result"]["problems"][0]
    assert (problem["code"], problem["row"], problem["column"], problem["file"]) == (
        "sex",
        2,
        "เพศ",
        "dmc.csv",
    )
    assert (
        problem["message_en"] == "file dmc.csv, row 2, column เพศ: Sex 'x' must be ช/M (male) or ญ/F (female)"
    )


def test_a_missing_file_is_a_bilingual_400(world: World) -> None:
    response = api(world, "director_a1_1").post("/api/v1/students/import/", {})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    assert Job.objects.count() == 0


@pytest.mark.parametrize(
    ("username", "status"),
    [("director_a1_1", 202), ("staff_a1_1", 202), ("sysadmin", 202), ("sysadmin_a1", 202),
     ("esa_officer_a1", 403), ("esa_director_a1", 403), ("teacher_a1_1", 403), ("executive", 403),
     ("dpo", 403), ("nobody", 403)],
)  # fmt: skip
def test_who_may_start_an_import(world: World, username: str, status: int) -> None:
    response = post_file(api(world, username), csv_bytes([row()]))
    assert response.status_code == status
    if status == 403:
        assert Job.objects.count() == 0
        assert Student.objects.count() == 0


@pytest.mark.parametrize(
    ("username", "status"),
    [("director_a1_1", 200), ("sysadmin", 200), ("sysadmin_a1", 200), ("staff_a1_1", 404),
     ("esa_officer_a1", 404), ("director_b1_1", 404), ("nobody", 404)],
)  # fmt: skip
def test_who_may_follow_a_job(world: World, username: str, status: int) -> None:
    post_file(api(world, "director_a1_1"), csv_bytes([row()]))
    job = Job.objects.get()
    assert api(world, username).get(f"/api/v1/jobs/{job.pk}/").status_code == status
    assert api(world, username).get(f"/api/v1/jobs/{job.pk + 99}/").status_code == 404


def test_anonymous_callers_get_401(world: World) -> None:
    assert Client().post("/api/v1/students/import/").status_code == 401
    assert Client().get("/api/v1/jobs/1/").status_code == 401


@pytest.mark.parametrize(
    ("username", "status"),
    [("director_a1_1", 200), ("esa_officer_a1", 200), ("sysadmin_a1", 200), ("director_a1_2", 404),
     ("esa_officer_b1", 404), ("teacher_a1_1", 403), ("executive", 403)],
)  # fmt: skip
def test_register_export_csv_and_who_may_have_it(world: World, username: str, status: int) -> None:
    student = make_student(world.school_a1_1, first_name_th="ลับเฉพาะ")
    response = api(world, username).get(f"/api/v1/schools/{world.school_a1_1.code}/register.csv?year=2569")
    assert response.status_code == status
    if status == 200:
        lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))  # type: ignore[attr-defined]
        assert [line[0] for line in lines] == ["เลขประจำตัวประชาชน", student.citizen_id]
    else:
        assert "ลับเฉพาะ" not in response.content.decode()


def test_register_export_xlsx(world: World) -> None:
    make_student(world.school_a1_1)
    response = api(world, "director_a1_1").get(f"/api/v1/schools/{world.school_a1_1.code}/register.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_register_export_is_audited_without_learner_data(world: World, fmt: str) -> None:
    learners = [make_student(world.school_a1_1, first_name_th=f"ลับเฉพาะ{i}") for i in range(2)]
    make_student(world.school_a1_2)
    response = api(world, "esa_officer_a1").get(
        f"/api/v1/schools/{world.school_a1_1.code}/register.{fmt}?year=2569"
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)  # type: ignore[attr-defined]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert (entry.actor_username, entry.object_type, entry.object_repr, entry.unit_path, entry.source) == (
        "esa_officer_a1", "students.register", f"register 1012000001 2569 ({fmt})", world.school_a1_1.path, "api"
    )  # fmt: skip
    assert entry.changes == {"school": "1012000001", "year": 2569, "format": fmt, "rows": 2}
    for learner in learners:
        assert learner.first_name_th not in str(entry.changes)
        assert learner.citizen_id
        assert learner.citizen_id not in str(entry.changes)


@pytest.mark.parametrize("username", ["director_a1_2", "esa_officer_b1", "teacher_a1_1"])
def test_a_refused_register_export_writes_no_audit_entry(world: World, username: str) -> None:
    make_student(world.school_a1_1)
    c = api(world, username)
    for fmt in ("csv", "xlsx"):
        assert c.get(f"/api/v1/schools/{world.school_a1_1.code}/register.{fmt}").status_code in (403, 404)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()
