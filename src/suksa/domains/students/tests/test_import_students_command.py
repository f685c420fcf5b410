"""``suksa import-students`` / ``export-students`` / ``worker``: exit codes, output, round trip."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from suksa.core import jobs
from suksa.core.models import Job
from suksa.domains.students.models import Enrolment, Student
from suksa.domains.students.services.importing.importer import search_text
from suksa.domains.students.tests.factories import make_student
from suksa.domains.students.tests.import_helpers import csv_bytes, row
from tests.factories import World

pytestmark = pytest.mark.django_db


def test_a_good_file_imports_and_exits_zero(world: World, tmp_path: Path) -> None:
    path = tmp_path / "dmc.csv"
    path.write_bytes(csv_bytes([row(), row(school_code="1050000001")]))
    out = io.StringIO()
    call_command("import_students", str(path), "--no-progress", stdout=out)
    assert "Read 2 rows: created 2, updated 0, unchanged 0, rejected 0" in out.getvalue()
    assert Student.objects.count() == 2


def test_problems_are_printed_bilingually_written_to_the_report_and_exit_non_zero(
    world: World, tmp_path: Path
) -> None:
    path = tmp_path / "dmc.csv"
    path.write_bytes(csv_bytes([row(), row(room="x")] + [row(sex="?") for _ in range(60)]))
    report = tmp_path / "problems.csv"
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was written: 61 problems"):
        call_command("import_students", str(path), "--no-progress", "--report", str(report), stdout=out)
    text = out.getvalue()
    assert "แถว 3 คอลัมน์ ห้อง: ห้อง 'x' ต้องเป็นตัวเลข 1–99 | file dmc.csv, row 3, column ห้อง: Room 'x'" in text
    assert "… and 11 more" in text
    lines = list(csv.reader(io.StringIO(report.read_bytes().decode("utf-8-sig"))))
    assert len(lines) == 62
    assert lines[1][:3] == ["3", "ห้อง", "room"]
    assert Student.objects.count() == 0


def test_keep_valid_writes_the_good_rows_and_exits_zero(world: World, tmp_path: Path) -> None:
    path = tmp_path / "dmc.csv"
    path.write_bytes(csv_bytes([row(), row(room="x")]))
    out = io.StringIO()
    call_command("import_students", str(path), "--no-progress", "--keep-valid", stdout=out)
    assert "Only the valid rows were written" in out.getvalue()
    assert Student.objects.count() == 1


def test_a_missing_file_exits_non_zero(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="File not found"):
        call_command("import_students", str(tmp_path / "none.csv"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(world: World, tmp_path: Path, fmt: str) -> None:
    for grade, room in (("P1", 1), ("P2", 1), ("P2", 2)):
        make_student(world.school_a1_1, grade=grade, room=room)
    make_student(world.school_a1_1, g_code="G256912000009", cid=None)
    out_file = tmp_path / f"register.{fmt}"
    out = io.StringIO()
    call_command("export_students", str(out_file), "--school", "1012000001", "--year", "2569", stdout=out)
    assert "Exported 4 learners" in out.getvalue()
    before = list(Student.objects.values_list()), list(Enrolment.objects.values_list())
    result = io.StringIO()
    call_command("import_students", str(out_file), "--no-progress", stdout=result)
    assert "created 0, updated 0, unchanged 4, rejected 0" in result.getvalue()
    assert (list(Student.objects.values_list()), list(Enrolment.objects.values_list())) == before


def test_export_of_an_unknown_school_exits_non_zero(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Unknown school 9999999999"):
        call_command("export_students", str(tmp_path / "x.csv"), "--school", "9999999999", "--year", "2569")


def test_the_worker_runs_a_queued_import(world: World, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.SUKSA_JOBS_INLINE = False
    settings.SUKSA_JOBS_MODE = "worker"
    from suksa.domains.accounts.actors import actor_for
    from suksa.domains.students.services.imports import students_import_submit

    job = students_import_submit(
        actor=actor_for(world.user("director_a1_1")), upload=csv_bytes([row()]), filename="dmc.csv"
    )
    assert Job.objects.get(pk=job.pk).status == "queued"
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert "Ran 1 jobs" in out.getvalue()
    job.refresh_from_db()
    assert (job.status, job.result["created"]) == ("done", 1)
    assert not (tmp_path / job.input_file).exists()
    assert jobs.progress_of(job) == (1, 1)


@pytest.mark.parametrize(
    ("cid", "gcode", "names"),
    [("1101700203450", None, ("ใจดี", "มีสุข", "Jaidee", "Meesuk")), (None, "G256912000001", ("นํ้าใส", "ใจ  ดี", "", "")),
     ("1101700203450", None, ("  ", "ก", "", "O'Neil"))],
)  # fmt: skip
def test_the_imports_search_text_equals_the_models(
    cid: str | None, gcode: str | None, names: tuple[str, ...]
) -> None:
    student = Student(citizen_id=cid, g_code=gcode, first_name_th=names[0], last_name_th=names[1],
                      first_name_en=names[2], last_name_en=names[3])  # fmt: skip
    assert search_text(cid, gcode, *names) == student.compute_search_text()
