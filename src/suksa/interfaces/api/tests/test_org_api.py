"""Org units and schools through the API: who sees and edits what, exact statuses, BE display."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from suksa.core.models import AuditEntry, School
from tests.factories import World

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]
SCHOOL = "1012000001"  # school_a1_1: ESA a1, region 1

# persona -> status for reading school_a1_1 (None: anonymous)
SCHOOL_READ = {
    None: 401,
    "nobody": 403,
    "director_a1_1": 200,  # the school itself
    "staff_a1_1": 200,
    "teacher_a1_1": 200,
    "director_a1_2": 404,  # another school of the same ESA
    "director_b1_1": 404,  # a school of another ESA
    "esa_officer_a1": 200,  # same ESA
    "esa_director_a1": 200,
    "esa_officer_b1": 404,  # another ESA
    "inspector_r1": 200,
    "executive": 200,  # national roles
    "me_officer": 200,
    "dpo": 200,
    "sysadmin": 200,
    "sysadmin_a1": 200,
}

SCHOOL_EDIT = {
    None: 401,
    "nobody": 403,
    "director_a1_1": 200,
    "staff_a1_1": 200,
    "teacher_a1_1": 403,  # sees the school, may not edit it
    "director_a1_2": 404,
    "director_b1_1": 404,
    "esa_officer_a1": 403,
    "esa_director_a1": 403,
    "esa_officer_b1": 404,
    "inspector_r1": 403,
    "executive": 403,
    "dpo": 403,
    "sysadmin": 200,
    "sysadmin_a1": 200,
}


@pytest.mark.parametrize(("persona", "expected"), SCHOOL_READ.items())
def test_school_detail_matrix(client_as: Client, persona: str | None, expected: int) -> None:
    response = client_as(persona).get(f"/api/v1/schools/{SCHOOL}/")
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["code"] == SCHOOL


@pytest.mark.parametrize(("persona", "expected"), SCHOOL_EDIT.items())
def test_school_patch_matrix(world: World, client_as: Client, persona: str | None, expected: int) -> None:
    audit_before = AuditEntry.objects.count()
    response = client_as(persona).patch(
        f"/api/v1/schools/{SCHOOL}/", {"phone": "02-555-0101", "area_type": "urban"}, format="json"
    )
    assert response.status_code == expected
    school = School.objects.get(unit__code=SCHOOL)
    if expected == 200:
        assert (school.phone, school.area_type) == ("02-555-0101", "urban")
        assert response.json()["phone"] == "02-555-0101"
        entry = AuditEntry.objects.latest("id")
        assert (entry.action, entry.object_id, entry.source) == ("update", SCHOOL, "api")
        assert entry.actor_username == persona
    else:
        assert (school.phone, school.area_type) == ("", "rural")
        assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize(
    ("persona", "expected_count"),
    [("sysadmin", 4), ("executive", 4), ("inspector_r1", 3), ("esa_officer_a1", 2), ("esa_officer_b1", 1),
     ("director_a1_1", 1), ("teacher_a1_1", 1)],
)  # fmt: skip
def test_school_list_is_scoped(client_as: Client, persona: str, expected_count: int) -> None:
    response = client_as(persona).get("/api/v1/schools/")
    assert response.status_code == 200
    assert response.json()["count"] == expected_count


@pytest.mark.parametrize(("persona", "expected"), [(None, 401), ("nobody", 403)])
def test_school_list_refuses_anonymous_and_roleless(
    client_as: Client, persona: str | None, expected: int
) -> None:
    assert client_as(persona).get("/api/v1/schools/").status_code == expected


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("esa=11201", ["1012000001", "1012000002"]),
        ("province=50", ["1050000001"]),
        ("size_band=medium", ["1012000002", "1012000101"]),
        ("level_type=secondary", ["1012000101"]),
        ("level_type=primary&esa=15001", ["1050000001"]),
        ("level_type=expanded", []),
        ("area_type=urban", []),
    ],
)
def test_school_list_filters(client_as: Client, query: str, codes: list[str]) -> None:
    response = client_as("sysadmin").get(f"/api/v1/schools/?{query}")
    assert response.status_code == 200
    assert [s["code"] for s in response.json()["results"]] == codes


def test_school_list_rejects_an_unknown_filter_value_in_both_languages(client_as: Client) -> None:
    response = client_as("sysadmin", "en").get("/api/v1/schools/?size_band=huge")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["code"], error["field"]) == ("invalid_choice", "size_band")
    assert "huge" in error["message_en"]
    assert "not a valid choice" in error["message_en"]
    assert "ไม่ใช่ตัวเลือกที่ถูกต้อง" in error["message_th"]
    assert response.json()["detail"] == error["message_en"]


def test_school_patch_rejects_fields_the_school_does_not_maintain(world: World, client_as: Client) -> None:
    response = client_as("director_a1_1").patch(
        f"/api/v1/schools/{SCHOOL}/", {"student_count": 5, "phone": "1"}, format="json"
    )
    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [
        ("field_not_editable", "student_count")
    ]
    assert School.objects.get(unit__code=SCHOOL).student_count == 85


def test_school_patch_validates_coordinates(client_as: Client) -> None:
    response = client_as("director_a1_1").patch(
        f"/api/v1/schools/{SCHOOL}/", {"latitude": "123"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "latitude"
    assert School.objects.get(unit__code=SCHOOL).latitude is None


def test_school_dates_are_iso_ce_with_a_be_display_in_the_request_language(
    world: World, client_as: Client
) -> None:
    import datetime as dt

    School.objects.filter(unit__code=SCHOOL).update(counts_as_of=dt.date(2026, 6, 10))
    th = client_as("sysadmin", "th").get(f"/api/v1/schools/{SCHOOL}/").json()
    en = client_as("sysadmin", "en").get(f"/api/v1/schools/{SCHOOL}/").json()
    assert th["counts_as_of"] == en["counts_as_of"] == "2026-06-10"
    assert th["counts_as_of_display"] == "10 มิ.ย. 2569"
    assert en["counts_as_of_display"] == "10 Jun 2569 BE"
    assert th["name"] == "โรงเรียนบ้านบางกร่าง"
    assert en["name"] == "School 1012000001"
    assert th["updated_at_display"].split()[2] == str(int(th["updated_at"][:4]) + 543)


# --- org units ---------------------------------------------------------------------------------

ESA_A1_READ = {
    None: 401,
    "nobody": 403,
    "director_a1_1": 200,  # its own ESA: shown by name, for navigation
    "director_b1_1": 404,  # another region's school: ESA a1 is neither inside nor above it
    "esa_officer_a1": 200,
    "esa_officer_b1": 404,
    "inspector_r1": 200,
    "executive": 200,
    "sysadmin": 200,
}


@pytest.mark.parametrize(("persona", "expected"), ESA_A1_READ.items())
def test_org_unit_detail_matrix(client_as: Client, persona: str | None, expected: int) -> None:
    assert client_as(persona).get("/api/v1/org-units/11201/").status_code == expected


def test_org_unit_detail_has_breadcrumbs_and_hides_figures_above_the_scope(client_as: Client) -> None:
    body = client_as("director_a1_1").get("/api/v1/org-units/11201/").json()
    assert [a["code"] for a in body["ancestors"]] == ["OBEC", "R01"]
    assert body["fully_visible"] is False
    assert body["esa"] is None
    full = client_as("esa_officer_a1").get("/api/v1/org-units/11201/").json()
    assert full["fully_visible"] is True
    assert full["esa"] == {
        "esa_type": "primary",
        "area_number": 1,
        "office_province": "12",
        "provinces": ["12"],
    }


@pytest.mark.parametrize(
    ("persona", "expected", "codes"),
    [
        (None, 401, None),
        ("nobody", 403, None),
        ("director_a1_1", 200, ["1012000001"]),  # not the sibling school
        ("director_a1_2", 200, ["1012000002"]),
        ("director_b1_1", 404, None),
        ("esa_officer_a1", 200, ["1012000001", "1012000002"]),
        ("esa_officer_b1", 404, None),
        ("sysadmin", 200, ["1012000001", "1012000002"]),
    ],
)
def test_org_unit_children_matrix(
    client_as: Client, persona: str | None, expected: int, codes: list[str] | None
) -> None:
    response = client_as(persona).get("/api/v1/org-units/11201/children/")
    assert response.status_code == expected
    if codes is not None:
        assert sorted(u["code"] for u in response.json()["results"]) == codes


@pytest.mark.parametrize(
    ("persona", "expected_count"),
    [("sysadmin", 10), ("inspector_r1", 6), ("esa_officer_a1", 3), ("director_a1_1", 1)],
)
def test_org_unit_list_is_scoped(client_as: Client, persona: str, expected_count: int) -> None:
    assert client_as(persona).get("/api/v1/org-units/").json()["count"] == expected_count


@pytest.mark.parametrize(("persona", "expected"), [(None, 401), ("nobody", 403)])
def test_org_unit_list_refuses_anonymous_and_roleless(
    client_as: Client, persona: str | None, expected: int
) -> None:
    assert client_as(persona).get("/api/v1/org-units/").status_code == expected


@pytest.mark.parametrize(
    ("persona", "query", "codes"),
    [
        ("sysadmin", "kind=esa", ["11201", "21201", "15001"]),
        ("sysadmin", "parent=R02", ["15001"]),
        ("sysadmin", "q=บางกร่าง", ["1012000001"]),
        ("sysadmin", "q=โรงเรียนบ้าน&kind=school", ["1012000001", "1050000001"]),
        ("sysadmin", "q=บ้าน&parent=11201", ["1012000001"]),
        ("esa_officer_b1", "q=บางกร่าง", []),  # exists, but outside the scope
    ],
)
def test_org_unit_list_filters(client_as: Client, persona: str, query: str, codes: list[str]) -> None:
    response = client_as(persona).get(f"/api/v1/org-units/?{query}")
    assert response.status_code == 200
    assert sorted(u["code"] for u in response.json()["results"]) == sorted(codes)
