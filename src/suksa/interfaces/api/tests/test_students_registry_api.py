"""Student registry API: /api/v1/students/ and a learner's record, guardians, citizen ID and sensitive
data — with an authorization matrix per endpoint; every denial changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from suksa.core.dates import academic_year_be_of
from suksa.core.models import AuditEntry
from suksa.domains.students.models import DuplicateClaim, Enrolment, Guardian, Student, StudentSensitive
from suksa.domains.students.tests.factories import citizen_id, make_classroom, make_student
from tests.factories import World

ClientAs = Callable[..., APIClient]


def state() -> tuple[Any, ...]:
    return (
        list(Student.objects.order_by("pk").values_list("pk", "first_name_th", "citizen_id", "school_id")),
        Enrolment.objects.count(),
        DuplicateClaim.objects.count(),
        list(Guardian.objects.order_by("pk").values_list("pk", "name_th", "is_primary")),
        list(StudentSensitive.objects.values_list("student_id", "ccl_eligible")),
        AuditEntry.objects.exclude(action="read_sensitive").count(),
    )


def born(age: int) -> dt.date:
    t = timezone.localdate() - dt.timedelta(days=31)
    return t.replace(year=t.year - age)


class Setting:
    def __init__(self, world: World) -> None:
        make_classroom(world.school_a1_1, "P1", 1, teachers=(world.user("teacher_a1_1"),))
        self.own = make_student(world.school_a1_1, grade="P1", room=1, first_name_th="ห้องครู", sex="M")
        self.other = make_student(world.school_a1_1, grade="P2", room=1, first_name_th="ห้องอื่น")
        self.b = make_student(world.school_b1_1, first_name_th="ลับเฉพาะ", last_name_th="เขตบี")
        self.guardian = Guardian.objects.create(student=self.own, relation="mother", name_th="นางมาลี")


@pytest.fixture
def setting(world: World) -> Setting:
    return Setting(world)


def register_body(world: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "identifier": citizen_id(),
        "school": world.school_a1_1.code,
        "prefix_th": "เด็กหญิง",
        "first_name_th": "ใหม่",
        "last_name_th": "ลงทะเบียน",
        "first_name_en": "Mai",
        "last_name_en": "",
        "sex": "F",
        "birth_date": born(7).isoformat(),
        "nationality": "THA",
        "grade": "P2",
        "room": 3,
    }
    body.update(overrides)
    return body


# persona → (list names or status, GET own, PATCH own, POST register, GET sensitive own, PUT sensitive own,
#            POST guardian own)
MATRIX: dict[str, tuple[Any, int, int, int, int, int, int]] = {
    "director_a1_1": ({"ห้องครู", "ห้องอื่น"}, 200, 200, 201, 200, 200, 201),
    "staff_a1_1": ({"ห้องครู", "ห้องอื่น"}, 200, 200, 201, 200, 200, 201),
    "teacher_a1_1": ({"ห้องครู"}, 200, 403, 403, 403, 403, 403),
    "esa_officer_a1": ({"ห้องครู", "ห้องอื่น"}, 200, 403, 403, 403, 403, 403),
    "esa_officer_b1": ({"ลับเฉพาะ"}, 404, 404, 403, 404, 404, 404),
    "director_a1_2": (set(), 404, 404, 400, 404, 404, 404),
    "sysadmin_a1": ({"ห้องครู", "ห้องอื่น"}, 200, 200, 201, 403, 403, 201),
    "executive": (403, 403, 403, 403, 403, 403, 403),
    "inspector_r1": (403, 403, 403, 403, 403, 403, 403),
    "dpo": (403, 403, 403, 403, 403, 403, 403),
    "nobody": (403, 403, 403, 403, 403, 403, 403),
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_authorization_matrix(world: World, setting: Setting, client_as: ClientAs, persona: str) -> None:
    rows, get, patch, post, sens_get, sens_put, guardian_post = MATRIX[persona]
    client = client_as(persona)
    own = f"/api/v1/students/{setting.own.pk}/"
    before = state()

    response = client.get("/api/v1/students/")
    if isinstance(rows, int):
        assert response.status_code == rows
    else:
        assert response.status_code == 200
        assert {r["first_name_th"] for r in response.json()["results"]} == rows
    assert client.get(own).status_code == get
    reads = AuditEntry.objects.filter(action="read_sensitive").count()
    assert client.get(own + "sensitive/").status_code == sens_get
    assert AuditEntry.objects.filter(action="read_sensitive").count() - reads == (1 if sens_get == 200 else 0)

    patched = client.patch(own, {"first_name_en": "Changed"}, format="json")
    assert patched.status_code == patch
    put = client.put(
        own + "sensitive/",
        {"disability": "", "health_notes": "", "ccl_eligible": True, "religion": ""},
        format="json",
    )
    assert put.status_code == sens_put
    g = client.post(own + "guardians/", {"relation": "father", "name_th": "นายใหม่"}, format="json")
    assert g.status_code == guardian_post
    created = client.post("/api/v1/students/", register_body(world), format="json")
    assert created.status_code == post
    if post == 400:
        assert created.json()["errors"][0]["field"] == "school"
    if 201 not in (patch, post, guardian_post):
        assert state() == before


def test_anonymous_gets_401(world: World, setting: Setting, client_as: ClientAs) -> None:
    for url in (
        "/api/v1/students/",
        f"/api/v1/students/{setting.own.pk}/",
        f"/api/v1/students/{setting.own.pk}/sensitive/",
    ):
        assert client_as(None).get(url).status_code == 401


def test_list_filters_and_paginates(world: World, setting: Setting, client_as: ClientAs) -> None:
    client = client_as("esa_officer_a1")
    other_school = make_student(world.school_a1_2, grade="P4", room=2, first_name_th="อีกโรงเรียน")

    def names(**params: Any) -> set[str]:
        response = client.get("/api/v1/students/", params)
        assert response.status_code == 200, response.json()
        return {r["first_name_th"] for r in response.json()["results"]}

    assert names() == {"ห้องครู", "ห้องอื่น", "อีกโรงเรียน"}
    assert names(school=world.school_a1_2.code) == {"อีกโรงเรียน"}
    assert names(school=world.school_b1_1.code) == set()
    assert names(grade="P4", room=2) == {"อีกโรงเรียน"}
    assert names(sex="M") == {"ห้องครู"}
    assert names(q=other_school.citizen_id) == {"อีกโรงเรียน"}
    assert names(status="left") == set()
    page = client.get("/api/v1/students/", {"limit": 2}).json()
    assert (page["count"], len(page["results"])) == (3, 2)
    row = next(r for r in client.get("/api/v1/students/", {"q": "ห้องครู"}).json()["results"])
    cid = setting.own.citizen_id or ""
    assert row["citizen_id_display"] == f"{cid[0]}-{cid[1:5]}-{cid[5:10]}-{cid[10:12]}-{cid[12]}"
    assert row["current"] == {
        "academic_year": 2569,
        "grade": "P1",
        "room": 1,
        "status": "active",
    }
    bad = client.get("/api/v1/students/", {"grade": "X9"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "grade"


def test_register_returns_201_with_the_learner(world: World, client_as: ClientAs) -> None:
    response = client_as("staff_a1_1").post(
        "/api/v1/students/", register_body(world, identifier="G256912000777")
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["g_code"], body["citizen_id"], body["school"]["code"]) == (
        "G256912000777",
        None,
        world.school_a1_1.code,
    )
    assert body["current"]["academic_year"] == academic_year_be_of(timezone.localdate())
    assert [(e["grade"], e["room"], e["entry"], e["status"]) for e in body["enrolments"]] == [
        ("P2", 3, "admitted", "active")
    ]
    student = Student.objects.get(g_code="G256912000777")
    assert AuditEntry.objects.filter(action="create", object_id=str(student.pk)).get().source == "api"


def test_register_reports_bad_fields_bilingually(world: World, client_as: ClientAs) -> None:
    before = state()
    response = client_as("staff_a1_1", language="en").post(
        "/api/v1/students/",
        register_body(
            world,
            identifier="1234567890123",
            birth_date=(timezone.localdate() + dt.timedelta(days=2)).isoformat(),
        ),
        format="json",
    )
    assert response.status_code == 400
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert set(errors) == {"identifier", "birth_date"}
    assert errors["identifier"]["code"] == "citizen_id_checksum"
    assert errors["identifier"]["message_th"].endswith("มีหลักตรวจสอบไม่ถูกต้อง")
    assert errors["birth_date"]["code"] == "birth_date_future"
    assert state() == before


def test_register_at_the_same_school_is_400_and_elsewhere_is_409_with_the_claim(
    world: World, setting: Setting, client_as: ClientAs
) -> None:
    client = client_as("staff_a1_1")
    same = client.post(
        "/api/v1/students/", register_body(world, identifier=setting.own.citizen_id), format="json"
    )
    assert same.status_code == 400
    assert same.json()["errors"][0]["code"] == "duplicate_identifier"
    students = Student.objects.count()
    response = client.post(
        "/api/v1/students/", register_body(world, identifier=setting.b.citizen_id), format="json"
    )
    assert response.status_code == 409
    body = response.json()
    claim = DuplicateClaim.objects.get()
    assert (claim.source, claim.claiming_school_id, claim.holding_school_id) == (
        "api",
        world.school_a1_1.pk,
        world.school_b1_1.pk,
    )
    assert body["claim"]["id"] == claim.pk
    assert body["claim"]["holding_school"]["code"] == world.school_b1_1.code
    assert body["errors"][0]["code"] == "duplicate_claimed"
    assert str(claim.pk) in body["errors"][0]["message_th"]
    assert str(claim.pk) in body["errors"][0]["message_en"]
    text = response.content.decode()
    assert "ลับเฉพาะ" not in text
    assert "เขตบี" not in text
    assert Student.objects.count() == students


def test_patch_updates_and_refuses_unknown_values(
    world: World, setting: Setting, client_as: ClientAs
) -> None:
    client = client_as("director_a1_1")
    url = f"/api/v1/students/{setting.own.pk}/"
    response = client.patch(url, {"first_name_en": "Kla", "nationality": "mmr"}, format="json")
    assert response.status_code == 200
    assert (response.json()["first_name_en"], response.json()["nationality"]) == ("Kla", "MMR")
    bad = client.patch(url, {"nationality": "ZZZ"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "nationality"


def test_citizen_id_endpoint_keeps_the_g_code(world: World, client_as: ClientAs) -> None:
    student = make_student(world.school_a1_1, g_code="G256912000888")
    cid = citizen_id()
    response = client_as("staff_a1_1").post(
        f"/api/v1/students/{student.pk}/citizen-id/", {"citizen_id": cid}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["citizen_id"], response.json()["g_code"]) == (cid, "G256912000888")


def test_guardians_endpoints(world: World, setting: Setting, client_as: ClientAs) -> None:
    client = client_as("staff_a1_1")
    url = f"/api/v1/students/{setting.own.pk}/guardians/"
    assert [g["name_th"] for g in client.get(url).json()] == ["นางมาลี"]
    created = client.post(
        url, {"relation": "father", "name_th": "นายมานะ", "phone": "0812345678", "is_primary": True}
    )
    assert created.status_code == 201
    new_id = created.json()["id"]
    patched = client.patch(f"{url}?guardian={setting.guardian.pk}", {"is_primary": True}, format="json")
    assert patched.status_code == 200
    assert list(Guardian.objects.filter(is_primary=True).values_list("pk", flat=True)) == [
        setting.guardian.pk
    ]
    other = Guardian.objects.create(student=setting.other, relation="father", name_th="นายอื่น")
    assert client.delete(f"{url}?guardian={other.pk}").status_code == 404
    assert client.delete(f"{url}?guardian=abc").status_code == 404
    assert client.delete(f"{url}?guardian={new_id}").status_code == 204
    assert Guardian.objects.filter(pk=other.pk).exists()
    assert not Guardian.objects.filter(pk=new_id).exists()


def test_sensitive_put_and_get(world: World, setting: Setting, client_as: ClientAs) -> None:
    client = client_as("director_a1_1")
    url = f"/api/v1/students/{setting.own.pk}/sensitive/"
    put = client.put(
        url,
        {"disability": "1", "health_notes": "สายตาสั้น", "ccl_eligible": True, "religion": "buddhism"},
        format="json",
    )
    assert put.status_code == 200
    got = client.get(url)
    assert got.json() == {
        "disability": "1",
        "health_notes": "สายตาสั้น",
        "ccl_eligible": True,
        "religion": "buddhism",
    }
    assert "no-store" in got["Cache-Control"]
    read = AuditEntry.objects.get(action="read_sensitive")
    assert (read.source, read.changes) == (
        "api",
        {"fields": ["ccl_eligible", "disability", "health_notes", "religion"]},
    )
    update = AuditEntry.objects.get(action="update", object_type="students.student_sensitive")
    assert "สายตาสั้น" not in str(update.changes)


def test_an_unknown_id_and_another_esas_learner_look_alike(
    world: World, setting: Setting, client_as: ClientAs
) -> None:
    client = client_as("director_a1_1")
    for suffix in ("", "sensitive/", "guardians/"):
        hidden = client.get(f"/api/v1/students/{setting.b.pk}/{suffix}")
        missing = client.get(f"/api/v1/students/999999/{suffix}")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()
