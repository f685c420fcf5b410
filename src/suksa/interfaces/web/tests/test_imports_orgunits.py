"""The org-unit import page: authorization matrix, results, error report and template downloads."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from suksa.core.models import AuditEntry, OrgUnit
from suksa.core.tests.orgimport_helpers import csv_bytes, org_state, school, xlsx_bytes
from tests.factories import World

pytestmark = pytest.mark.django_db

URL = "/org/import/"


def client_for(world: World, username: str | None) -> Client:
    client = Client()
    if username is not None:
        client.force_login(world.user(username))
    return client


def upload(rows: list[dict[str, str]], name: str = "units.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")


def test_url_name() -> None:
    assert reverse("web:orgunit_import") == URL


@pytest.mark.parametrize(
    ("username", "status"),
    [
        (None, 302),
        ("nobody", 404),
        ("esa_officer_a1", 404),
        ("dpo", 404),
        ("sysadmin_a1", 200),
        ("sysadmin", 200),
    ],
)
def test_authorization_matrix_for_the_page(world, username: str | None, status: int) -> None:
    client = client_for(world, username)
    for path in (URL, reverse("web:orgunit_import_template")):
        response = client.get(path)
        assert response.status_code == status
        if status == 302:
            assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={path}"


@pytest.mark.parametrize(
    ("username", "status"), [(None, 302), ("esa_officer_a1", 404), ("director_a1_1", 404)]
)
def test_denied_uploads_change_nothing(world, username: str | None, status: int) -> None:
    state = org_state()
    response = client_for(world, username).post(URL, {"file": upload([school()])})
    assert response.status_code == status
    assert org_state() == state


def test_form_has_labelled_file_and_keep_valid_fields(world) -> None:
    html = client_for(world, "sysadmin_a1").get(URL).content.decode()
    assert '<label class="form-label" for="id_file">ไฟล์ (CSV หรือ XLSX)</label>' in html
    assert '<input class="form-check-input" type="checkbox" name="keep_valid" id="id_keep_valid">' in html
    assert (
        '<label class="form-check-label" for="id_keep_valid">บันทึกแถวที่ถูกต้อง แม้บางแถวมีข้อผิดพลาด</label>'
    ) in html
    assert 'enctype="multipart/form-data"' in html


def test_sysadmin_a1_imports_into_own_esa(world) -> None:
    response = client_for(world, "sysadmin_a1").post(URL, {"file": upload([school()])})
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.created, report.updated, report.committed) == (1, 0, True)
    assert OrgUnit.objects.get(code="1012000003").path == "/OBEC/R01/11201/1012000003/"
    html = response.content.decode()
    assert '<td data-count="created">1</td>' in html
    assert "นำเข้าเรียบร้อย" in html
    entry = AuditEntry.objects.get(action="create")
    assert (entry.object_id, entry.actor_username, entry.source) == ("1012000003", "sysadmin_a1", "web")


def test_xlsx_upload(world) -> None:
    data = SimpleUploadedFile("units.xlsx", xlsx_bytes([school()]))
    response = client_for(world, "sysadmin").post(URL, {"file": data})
    report = response.context["report"]
    assert (report.created, report.problems, report.committed) == (1, [], True)


def test_problems_are_listed_and_downloadable_and_nothing_is_written(world) -> None:
    client = client_for(world, "sysadmin_a1")
    other = school(
        "1050000009", parent_code="15001", province="เชียงใหม่", district="เมืองเชียงใหม่", subdistrict="ศรีภูมิ"
    )
    state = org_state()
    response = client.post(URL, {"file": upload([school(), other])})
    assert response.status_code == 200
    assert org_state() == state
    html = response.content.decode()
    assert "ไม่ได้บันทึกข้อมูลใด ๆ เพราะพบข้อผิดพลาด" in html
    assert '<tr data-code="parent_unknown">' in html
    assert "ไม่พบหน่วยงานต้นสังกัด &#x27;15001&#x27; หรือคุณไม่มีสิทธิ์จัดการหน่วยงานนี้" in html
    assert "Unknown parent unit &#x27;15001&#x27;, or you may not manage it" in html
    csv_response = client.get(reverse("web:orgunit_import_errors"))
    assert csv_response.status_code == 200
    assert csv_response["Content-Disposition"] == 'attachment; filename="units-errors.csv"'
    assert csv_response.content.decode("utf-8-sig").splitlines() == [
        "แถว / row,คอลัมน์ / column,รหัสปัญหา / problem code,ข้อความ (ไทย) / message (Thai),ข้อความ (อังกฤษ) / message (English)",
        "3,รหัสหน่วยงานต้นสังกัด,parent_unknown,ไม่พบหน่วยงานต้นสังกัด '15001' หรือคุณไม่มีสิทธิ์จัดการหน่วยงานนี้,"
        "\"Unknown parent unit '15001', or you may not manage it\"",
    ]


def test_keep_valid_checkbox(world) -> None:
    client = client_for(world, "sysadmin")
    rows = [school(), school("1012000004", district="เมืองเชียงใหม่")]
    response = client.post(URL, {"file": upload(rows), "keep_valid": "on"})
    report = response.context["report"]
    assert (report.created, report.rejected_rows, report.committed, report.kept_valid_rows) == (
        1,
        1,
        True,
        True,
    )
    assert "บันทึกเฉพาะแถวที่ถูกต้องแล้ว" in response.content.decode()


def test_error_report_needs_a_previous_import(world) -> None:
    assert client_for(world, "sysadmin").get(reverse("web:orgunit_import_errors")).status_code == 404
    assert client_for(world, "esa_officer_a1").get(reverse("web:orgunit_import_errors")).status_code == 404


def test_template_download_has_thai_headers_and_a_bom(world) -> None:
    response = client_for(world, "sysadmin").get(reverse("web:orgunit_import_template"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header == (
        "ประเภท,รหัส,ชื่อ,ชื่อภาษาอังกฤษ,รหัสหน่วยงานต้นสังกัด,ประเภทเขตพื้นที่,เขตที่,จังหวัด,อำเภอ,ตำบล,"
        "ที่ตั้ง,ชั้นต่ำสุด,ชั้นสูงสุด,จำนวนนักเรียน,จำนวนครู,จำนวนห้องเรียน"
    )


def test_missing_file_shows_the_form_again(world) -> None:
    response = client_for(world, "sysadmin").post(URL, {})
    assert response.status_code == 200
    assert "กรุณาเลือกไฟล์" in response.content.decode()
