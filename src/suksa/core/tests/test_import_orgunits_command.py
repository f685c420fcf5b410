"""``suksa import-orgunits``: summary, problems, error report, exit status, and the sample file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from suksa.core.models import AuditEntry, OrgUnit, Province, School
from suksa.core.tests.orgimport_helpers import csv_bytes, esa, org_state, school

SAMPLE = Path(__file__).resolve().parents[4] / "docs" / "samples" / "orgunits-sample.csv"


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_orgunits", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_imports_a_file_and_prints_a_bilingual_summary(world, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(csv_bytes([esa("11202"), school("1012000003", parent_code="11202")]))
    out, _ = run(str(path))
    lines = out.splitlines()
    assert lines[0].startswith("อ่าน 2 แถว: สร้าง 2 แก้ไข 0 ไม่เปลี่ยน 0 ปฏิเสธ 0 (")
    assert lines[1].startswith("Read 2 rows: created 2, updated 0, unchanged 0, rejected 0 (")
    assert OrgUnit.objects.get(code="1012000003").path == "/OBEC/R01/11202/1012000003/"
    entry = AuditEntry.objects.get(action="import")
    assert (entry.actor_username, entry.source, entry.object_id) == ("system", "cli", "units.csv")


def test_problems_stop_the_import_with_a_nonzero_exit_and_a_report(world, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([school(), school("1012000004", district="เมืองเชียงใหม่")]))
    report = tmp_path / "errors.csv"
    state = org_state()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_orgunits", str(path), "--report", str(report), stdout=out, stderr=err)
    assert str(exc.value) == "ไม่ได้บันทึกข้อมูลใด ๆ เพราะพบปัญหา 1 รายการ / Nothing was written: 1 problems"
    assert out.getvalue().splitlines()[0] == (
        "แถว 3 คอลัมน์ อำเภอ: ไม่พบอำเภอ 'เมืองเชียงใหม่' ในจังหวัดนนทบุรี | "
        "row 3, column อำเภอ: District 'เมืองเชียงใหม่' is not in Nonthaburi province"
    )
    data = report.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == [
        "แถว / row,คอลัมน์ / column,รหัสปัญหา / problem code,ข้อความ (ไทย) / message (Thai),ข้อความ (อังกฤษ) / message (English)",
        "3,อำเภอ,district_not_in_province,ไม่พบอำเภอ 'เมืองเชียงใหม่' ในจังหวัดนนทบุรี,"
        "District 'เมืองเชียงใหม่' is not in Nonthaburi province",
    ]
    assert org_state() == state


def test_keep_valid_writes_the_good_rows(world, tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(csv_bytes([school(), school("1012000004", district="เมืองเชียงใหม่")]))
    out, _ = run(str(path), "--keep-valid")
    assert "Read 2 rows: created 1, updated 0, unchanged 0, rejected 1" in out
    assert out.splitlines()[-1] == "บันทึกเฉพาะแถวที่ถูกต้อง / Only the valid rows were written"
    assert list(
        OrgUnit.objects.filter(code__in=["1012000003", "1012000004"]).values_list("code", flat=True)
    ) == ["1012000003"]


def test_missing_file(world) -> None:
    with pytest.raises(CommandError, match="File not found"):
        run("/nonexistent/units.csv")


def test_the_sample_file_imports_cleanly_and_idempotently(world) -> None:
    out, _ = run(str(SAMPLE))
    assert "Read 5 rows: created 3, updated 2, unchanged 0, rejected 0" in out
    assert sorted(Province.objects.filter(inspection_region__code="R01").values_list("code", flat=True)) == [
        "10",
        "12",
        "13",
        "14",
        "19",
    ]
    assert dict(
        School.objects.filter(unit__code__startswith="101299").values_list("unit__code", "size_band")
    ) == {
        "1012990001": "medium",
        "1012990002": "medium",
        "1012990003": "small",
    }
    out, _ = run(str(SAMPLE))
    assert "Read 5 rows: created 0, updated 0, unchanged 5, rejected 0" in out
