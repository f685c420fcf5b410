"""Builders for org-import files shared by the core, CLI and web tests."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

from suksa.core.models import AuditEntry, EsaProfile, OrgUnit, Province, School

HEADERS = {
    "kind": "ประเภท",
    "code": "รหัส",
    "name_th": "ชื่อ",
    "name_en": "ชื่อภาษาอังกฤษ",
    "parent_code": "รหัสหน่วยงานต้นสังกัด",
    "esa_type": "ประเภทเขตพื้นที่",
    "area_number": "เขตที่",
    "province": "จังหวัด",
    "district": "อำเภอ",
    "subdistrict": "ตำบล",
    "area_type": "ที่ตั้ง",
    "lowest_grade": "ชั้นต่ำสุด",
    "highest_grade": "ชั้นสูงสุด",
    "student_count": "จำนวนนักเรียน",
    "teacher_count": "จำนวนครู",
    "classroom_count": "จำนวนห้องเรียน",
}
FIELDS = list(HEADERS)


def school(code: str = "1012000003", **values: str) -> dict[str, str]:
    row = {
        "kind": "โรงเรียน",
        "code": code,
        "name_th": "โรงเรียนวัดชลอ",
        "name_en": "Wat Chalo School",
        "parent_code": "11201",
        "province": "นนทบุรี",
        "district": "บางกรวย",
        "subdistrict": "วัดชลอ",
        "area_type": "ชนบท",
        "lowest_grade": "อ.1",
        "highest_grade": "ป.6",
        "student_count": "130",
        "teacher_count": "9",
        "classroom_count": "8",
    }
    return {**row, **values}


def esa(code: str = "11202", **values: str) -> dict[str, str]:
    row = {
        "kind": "สพท.",
        "code": code,
        "name_th": "สำนักงานเขตพื้นที่การศึกษาประถมศึกษานนทบุรี เขต 2",
        "name_en": "Nonthaburi Primary ESA 2",
        "parent_code": "R01",
        "esa_type": "ประถมศึกษา",
        "area_number": "2",
        "province": "นนทบุรี",
    }
    return {**row, **values}


def region(code: str = "R03", **values: str) -> dict[str, str]:
    row = {
        "kind": "เขตตรวจราชการ",
        "code": code,
        "name_th": f"เขตตรวจราชการที่ {int(code[1:])}",
        "name_en": f"Inspection Region {int(code[1:])}",
        "parent_code": "OBEC",
    }
    return {**row, **values}


def world_school(code: str = "1012000001", **values: str) -> dict[str, str]:
    """A row equal to what ``tests.factories.make_school`` stored for a Nonthaburi primary school."""
    stored = {"1012000001": ("โรงเรียนบ้านบางกร่าง", "85"), "1012000002": ("โรงเรียนวัดท่าอิฐ", "430")}
    name, students = stored[code]
    row = school(
        code,
        name_th=name,
        name_en=f"School {code}",
        district="เมืองนนทบุรี",
        subdistrict="สวนใหญ่",
        student_count=students,
        teacher_count="8",
    )
    return {**row, **values}


def table(rows: list[dict[str, str]], fields: list[str] | None = None) -> list[list[str]]:
    fields = fields or FIELDS
    return [[HEADERS.get(f, f) for f in fields], *[[r.get(f, "") for f in fields] for r in rows]]


def csv_bytes(rows: list[dict[str, str]], encoding: str = "utf-8", fields: list[str] | None = None) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(table(rows, fields))
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict[str, str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in table(rows):
        ws.append([int(v) if v.isdigit() and len(v) < 10 else (v or None) for v in r])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def org_state() -> dict[str, Any]:
    """Everything an org import may write, to assert that nothing changed."""
    return {
        "units": list(
            OrgUnit.objects.order_by("code").values_list("code", "kind", "name_th", "name_en", "path")
        ),
        "updated": list(OrgUnit.objects.order_by("code").values_list("updated_at", flat=True)),
        "schools": list(School.objects.order_by("unit__code").values()),
        "esas": list(EsaProfile.objects.order_by("unit__code").values()),
        "esa_provinces": list(EsaProfile.provinces.through.objects.order_by("id").values_list()),
        "regions": list(Province.objects.order_by("code").values_list("code", "inspection_region_id")),
        "audit": AuditEntry.objects.count(),
    }
