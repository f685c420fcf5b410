"""The school profile page and its edit form: scoping, display (BE dates, Thai labels), writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from suksa.core.models import AuditEntry, School
from tests.factories import World

pytestmark = pytest.mark.django_db

A1_1, A1_2, A2_1, B1_1 = "1012000001", "1012000002", "1012000101", "1050000001"
UNKNOWN = "1099999999"


def client_for(world: World, username: str | None) -> Client:
    client = Client()
    if username is not None:
        client.force_login(world.user(username))
    return client


PROFILE_MATRIX: list[tuple[str, dict[str, int]]] = [
    ("executive", {A1_1: 200, A2_1: 200, B1_1: 200}),
    ("inspector_r1", {A1_1: 200, A2_1: 200, B1_1: 404}),
    ("esa_officer_a1", {A1_1: 200, A1_2: 200, A2_1: 404, B1_1: 404}),
    ("esa_officer_b1", {A1_1: 404, B1_1: 200}),
    ("director_a1_1", {A1_1: 200, A1_2: 404, A2_1: 404, B1_1: 404}),
    ("teacher_a1_1", {A1_1: 200, A1_2: 404}),
    ("director_a1_2", {A1_1: 404, A1_2: 200}),
    ("nobody", {A1_1: 404, B1_1: 404}),
]


@pytest.mark.parametrize(("username", "expected"), PROFILE_MATRIX, ids=[m[0] for m in PROFILE_MATRIX])
def test_school_profile_authorization_matrix(world: World, username: str, expected: dict[str, int]) -> None:
    client = client_for(world, username)
    got = {code: client.get(f"/schools/{code}/").status_code for code in [*expected, UNKNOWN]}
    assert got == {**expected, UNKNOWN: 404}


def test_anonymous_is_sent_to_login(world: World) -> None:
    for path in (f"/schools/{A1_1}/", f"/schools/{A1_1}/edit/"):
        response = client_for(world, None).get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


def test_another_schools_profile_is_indistinguishable_from_an_unknown_code(world: World) -> None:
    client = client_for(world, "director_a1_1")
    unknown = client.get(f"/schools/{UNKNOWN}/")
    for code in (A1_2, B1_1):
        hidden = client.get(f"/schools/{code}/")
        assert hidden.status_code == 404
        assert hidden.content == unknown.content
    assert client.get(f"/schools/{A1_2}/edit/").content == client.get(f"/schools/{UNKNOWN}/edit/").content


def test_profile_shows_the_schools_facts_in_thai(world: World) -> None:
    School.objects.filter(unit__code=A1_1).update(
        counts_as_of=dt.date(2026, 6, 10), address="99 หมู่ 1", phone="02-111-2222"
    )
    response = client_for(world, "director_a1_1").get(f"/schools/{A1_1}/")
    html = response.content.decode()
    assert '<dd class="col-sm-7" data-field="code">1012000001</dd>' in html
    assert "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน (สพฐ.) (10)" in html
    assert "สำนักงานเขตพื้นที่การศึกษาประถมศึกษานนทบุรี เขต 1" in html
    assert 'data-field="province">นนทบุรี<' in html
    assert 'data-field="area_type">ชนบท<' in html
    assert 'data-field="level">ประถมศึกษา<' in html
    assert 'data-field="grades">อ.1 – ป.6<' in html
    assert "ขนาดเล็ก" in html
    assert 'data-field="students">85 คน<' in html
    assert 'data-field="ptr">10.6<' in html
    assert 'data-field="counts_as_of">10 มิถุนายน 2569<' in html  # Buddhist Era
    assert 'data-field="phone">02-111-2222<' in html
    assert f'href="/schools/{A1_1}/edit/"' in html


def test_profile_in_english_keeps_the_buddhist_era(world: World) -> None:
    School.objects.filter(unit__code=A1_1).update(counts_as_of=dt.date(2026, 6, 10))
    client = client_for(world, "director_a1_1")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/schools/{A1_1}/").content.decode()
    assert 'data-field="counts_as_of">10 Jun 2569 BE<' in html
    assert 'data-field="province">Nonthaburi<' in html
    assert 'data-field="area_type">Rural<' in html
    assert 'data-field="level">Primary<' in html
    assert 'data-field="grades">K1 – P6<' in html
    assert "Office of the Basic Education Commission (OBEC) (10)" in html
    assert "School code (10 digits)" in html


def test_readers_without_edit_rights_get_no_edit_link(world: World) -> None:
    html = client_for(world, "teacher_a1_1").get(f"/schools/{A1_1}/").content.decode()
    assert "/edit/" not in html


EDIT_MATRIX: list[tuple[str, int]] = [
    ("director_a1_1", 200),
    ("staff_a1_1", 200),
    ("sysadmin_a1", 200),
    ("sysadmin", 200),
    ("teacher_a1_1", 403),
    ("esa_officer_a1", 403),
    ("executive", 403),
    ("director_a1_2", 404),
    ("director_b1_1", 404),
    ("nobody", 404),
]


@pytest.mark.parametrize(("username", "status"), EDIT_MATRIX)
def test_edit_form_authorization_matrix(world: World, username: str, status: int) -> None:
    assert client_for(world, username).get(f"/schools/{A1_1}/edit/").status_code == status


VALID = {
    "name_en": "Ban Bang Krang School",
    "address": "99 หมู่ 1 ตำบลสวนใหญ่",
    "phone": "02-123-4567",
    "area_type": "urban",
    "latitude": "13.86123",
    "longitude": "100.51234",
}


def snapshot(code: str) -> tuple[object, ...]:
    s = School.objects.select_related("unit").get(unit__code=code)
    return (s.unit.name_en, s.address, s.phone, s.area_type, s.latitude, s.longitude)


@pytest.mark.parametrize("username", ["director_a1_1", "staff_a1_1"])
def test_the_school_edits_its_profile(world: World, username: str) -> None:
    client = client_for(world, username)
    response = client.post(f"/schools/{A1_1}/edit/", VALID)
    assert response.status_code == 302
    assert response["Location"] == f"/schools/{A1_1}/"
    assert snapshot(A1_1) == (
        "Ban Bang Krang School", "99 หมู่ 1 ตำบลสวนใหญ่", "02-123-4567", "urban",
        Decimal("13.86123"), Decimal("100.51234"),
    )  # fmt: skip
    entry = AuditEntry.objects.get(object_type="core.school", object_id=A1_1)
    assert entry.actor_username == username
    assert entry.changes["phone"] == ["", "02-123-4567"]
    page = client.get(response["Location"]).content.decode()
    assert "บันทึกข้อมูลโรงเรียนแล้ว" in page


@pytest.mark.parametrize(("username", "status"), [("teacher_a1_1", 403), ("esa_officer_a1", 403),
                                                  ("director_a1_2", 404), ("director_b1_1", 404)])  # fmt: skip
def test_a_denied_edit_changes_nothing(world: World, username: str, status: int) -> None:
    before = snapshot(A1_1)
    response = client_for(world, username).post(f"/schools/{A1_1}/edit/", VALID)
    assert response.status_code == status
    assert snapshot(A1_1) == before
    assert not AuditEntry.objects.filter(object_type="core.school").exists()


def test_invalid_input_is_explained_next_to_each_field_in_thai_and_english(world: World) -> None:
    before = snapshot(A1_1)
    bad = {**VALID, "phone": "call me", "latitude": "45", "longitude": "abc"}
    response = client_for(world, "director_a1_1").post(f"/schools/{A1_1}/edit/", bad)
    assert response.status_code == 400
    assert snapshot(A1_1) == before
    errors = response.context["form"].errors
    assert errors["phone"] == ["ใช้ได้เฉพาะตัวเลข เว้นวรรค และ + - ( ) / Use only digits, spaces and + - ( )"]
    assert errors["latitude"] == [
        "ละติจูดในประเทศไทยอยู่ระหว่าง 5 ถึง 21 / Latitude in Thailand is between 5 and 21"
    ]
    assert errors["longitude"] == ["กรุณากรอกตัวเลข / Enter a number"]
    html = response.content.decode()
    assert 'id="id_phone" value="call me" class="form-control is-invalid" aria-invalid="true"' in html
    assert '<div class="invalid-feedback" id="id_phone-error">' in html
    assert "ยังบันทึกไม่ได้" in html


def test_saving_without_changes_writes_nothing(world: World) -> None:
    client = client_for(world, "director_a1_1")
    form = client.get(f"/schools/{A1_1}/edit/").context["form"]
    unchanged = {k: ("" if v is None else v) for k, v in form.initial.items()}
    response = client.post(f"/schools/{A1_1}/edit/", unchanged, follow=True)
    assert response.status_code == 200
    assert "ไม่มีข้อมูลที่เปลี่ยนแปลง" in response.content.decode()
    assert not AuditEntry.objects.filter(object_type="core.school").exists()
