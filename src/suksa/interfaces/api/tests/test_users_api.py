"""User administration through the API: the authorization matrix of every endpoint.

Target person: ``staff_a1_1`` (school staff of school a1_1). Every denied write is followed by a
check that nothing changed (the person, their roles, their password and the audit log).
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from suksa.core.models import AuditEntry
from suksa.core.policy import Role
from suksa.domains.accounts.models import RoleAssignment, User
from tests.factories import PASSWORD, World, make_user

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]


@pytest.fixture(autouse=True)
def _admin_of_another_esa(world: World) -> None:
    world.users["sysadmin_b1"] = make_user("sysadmin_b1", Role.SYSADMIN, world.esa_b1)


def _state() -> tuple[object, ...]:
    """Everything a user-administration call could change."""
    users = list(User.objects.order_by("pk").values_list("username", "phone", "is_active", "password"))
    roles = list(
        RoleAssignment.objects.order_by("pk").values_list("user_id", "role", "unit_id", "revoked_at")
    )
    return User.objects.count(), AuditEntry.objects.count(), users, roles


def _target(world: World) -> User:
    return world.user("staff_a1_1")


COMMON_DENIALS = {None: 401, "nobody": 403, "teacher_a1_1": 403, "esa_officer_a1": 403, "executive": 403}

LIST = {**COMMON_DENIALS, "director_a1_1": 200, "esa_director_a1": 200, "dpo": 200, "dpo_a1": 200,
        "sysadmin": 200, "sysadmin_a1": 200, "inspector_r1": 403}  # fmt: skip
READ = {**COMMON_DENIALS, "director_a1_1": 200, "director_a1_2": 404, "director_b1_1": 404,
        "esa_director_a1": 200, "dpo": 200, "dpo_a1": 200, "sysadmin": 200, "sysadmin_a1": 200,
        "sysadmin_b1": 404}  # fmt: skip
MANAGE = {**COMMON_DENIALS, "director_a1_1": 403, "director_b1_1": 404, "esa_director_a1": 403,
          "dpo": 403, "sysadmin": 200, "sysadmin_a1": 200, "sysadmin_b1": 404}  # fmt: skip
# Grant and revoke need user.manage somewhere before any lookup.
GRANT = {**COMMON_DENIALS, "director_a1_1": 403, "director_b1_1": 403, "esa_director_a1": 403,
         "dpo": 403, "sysadmin": 201, "sysadmin_a1": 201, "sysadmin_b1": 404}  # fmt: skip
REVOKE = {**GRANT, "sysadmin": 200, "sysadmin_a1": 200}
RESET = {**COMMON_DENIALS, "director_a1_1": 200, "director_a1_2": 404, "director_b1_1": 404,
         "esa_director_a1": 200, "dpo": 403, "sysadmin": 200, "sysadmin_a1": 200, "sysadmin_b1": 404}  # fmt: skip
CREATE = {**COMMON_DENIALS, "director_a1_1": 403, "esa_director_a1": 403, "dpo": 403,
          "sysadmin": 201, "sysadmin_a1": 201, "sysadmin_b1": 400}  # fmt: skip
IMPORT = {**COMMON_DENIALS, "director_a1_1": 403, "esa_director_a1": 403, "dpo": 403, "sysadmin": 200,
          "sysadmin_a1": 200}  # fmt: skip


@pytest.mark.parametrize(("persona", "expected"), LIST.items())
def test_list_matrix(client_as: Client, persona: str | None, expected: int) -> None:
    assert client_as(persona).get("/api/v1/users/").status_code == expected


@pytest.mark.parametrize(
    ("persona", "usernames"),
    [
        ("director_a1_1", ["director_a1_1", "staff_a1_1", "teacher_a1_1"]),
        ("esa_director_a1", ["director_a1_1", "director_a1_2", "dpo_a1", "esa_director_a1", "esa_officer_a1",
                             "staff_a1_1", "sysadmin_a1", "teacher_a1_1"]),
        ("sysadmin_b1", ["director_b1_1", "esa_officer_b1", "sysadmin_b1"]),
    ],
)  # fmt: skip
def test_list_is_scoped(client_as: Client, persona: str, usernames: list[str]) -> None:
    body = client_as(persona).get("/api/v1/users/?limit=100").json()
    assert [u["username"] for u in body["results"]] == usernames


def test_list_shows_only_the_roles_inside_the_callers_scope(world: World, client_as: Client) -> None:
    RoleAssignment.objects.create(user=_target(world), role=Role.TEACHER, unit=world.school_b1_1)
    seen_by_b1 = client_as("sysadmin_b1").get("/api/v1/users/?q=staff_a1_1").json()["results"]
    assert [r["unit"]["code"] for r in seen_by_b1[0]["roles"]] == ["1050000001"]
    seen_by_nation = client_as("sysadmin").get(f"/api/v1/users/{_target(world).pk}/").json()
    assert sorted(r["unit"]["code"] for r in seen_by_nation["roles"]) == ["1012000001", "1050000001"]


@pytest.mark.parametrize(
    ("query", "usernames"),
    [("q=director_a1_", ["director_a1_1", "director_a1_2"]), ("role=dpo", ["dpo", "dpo_a1"]),
     ("unit=15001", ["director_b1_1", "esa_officer_b1", "sysadmin_b1"]), ("is_active=false", [])],
)  # fmt: skip
def test_list_filters(client_as: Client, query: str, usernames: list[str]) -> None:
    body = client_as("sysadmin").get(f"/api/v1/users/?{query}").json()
    assert [u["username"] for u in body["results"]] == usernames


@pytest.mark.parametrize(("persona", "expected"), READ.items())
def test_detail_matrix(world: World, client_as: Client, persona: str | None, expected: int) -> None:
    response = client_as(persona).get(f"/api/v1/users/{_target(world).pk}/")
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["username"] == "staff_a1_1"


@pytest.mark.parametrize(("persona", "expected"), MANAGE.items())
def test_patch_matrix(world: World, client_as: Client, persona: str | None, expected: int) -> None:
    before = _state()
    response = client_as(persona).patch(
        f"/api/v1/users/{_target(world).pk}/",
        {"phone": "081-234-5678", "first_name_en": "Somsri"},
        format="json",
    )
    assert response.status_code == expected
    if expected == 200:
        user = User.objects.get(pk=_target(world).pk)
        assert (user.phone, user.first_name) == ("081-234-5678", "Somsri")
        assert response.json()["first_name_en"] == "Somsri"
        assert AuditEntry.objects.latest("id").action == "update"
    else:
        assert _state() == before


def test_patch_refuses_unknown_fields(world: World, client_as: Client) -> None:
    before = _state()
    response = client_as("sysadmin").patch(
        f"/api/v1/users/{_target(world).pk}/", {"username": "renamed", "phone": "1"}, format="json"
    )
    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [("field_unknown", "username")]
    assert _state() == before


@pytest.mark.parametrize(("persona", "expected"), GRANT.items())
def test_grant_matrix(world: World, client_as: Client, persona: str | None, expected: int) -> None:
    before = _state()
    response = client_as(persona).post(
        f"/api/v1/users/{_target(world).pk}/role-assignments/",
        {"role": "teacher", "unit": "1012000001"},
        format="json",
    )
    assert response.status_code == expected
    if expected == 201:
        assert response.json()["role"] == "teacher"
        assert RoleAssignment.objects.filter(
            user=_target(world), role="teacher", revoked_at__isnull=True
        ).exists()
    else:
        assert _state() == before


def test_grant_on_a_unit_outside_the_admins_scope_is_refused_without_an_oracle(
    world: World, client_as: Client
) -> None:
    before = _state()
    client = client_as("sysadmin_a1")
    url = f"/api/v1/users/{_target(world).pk}/role-assignments/"
    hidden = client.post(url, {"role": "teacher", "unit": "1050000001"}, format="json")
    unknown = client.post(url, {"role": "teacher", "unit": "9999999999"}, format="json")
    assert (hidden.status_code, unknown.status_code) == (400, 400)
    assert hidden.json()["errors"][0]["code"] == unknown.json()["errors"][0]["code"] == "unit_unknown"
    assert _state() == before


@pytest.mark.parametrize(("persona", "expected"), REVOKE.items())
def test_revoke_matrix(world: World, client_as: Client, persona: str | None, expected: int) -> None:
    assignment = RoleAssignment.objects.get(user=_target(world))
    before = _state()
    response = client_as(persona).post(f"/api/v1/role-assignments/{assignment.pk}/revoke/")
    assert response.status_code == expected
    assignment.refresh_from_db()
    if expected == 200:
        assert assignment.revoked_at is not None
        assert response.json()["is_active"] is False
        assert response.json()["revoked_at_display"]
    else:
        assert assignment.revoked_at is None
        assert _state() == before


@pytest.mark.parametrize(("persona", "expected"), RESET.items())
def test_reset_password_matrix(world: World, client_as: Client, persona: str | None, expected: int) -> None:
    before = _state()
    response = client_as(persona).post(
        f"/api/v1/users/{_target(world).pk}/reset-password/", {}, format="json"
    )
    assert response.status_code == expected
    user = User.objects.get(pk=_target(world).pk)
    if expected == 200:
        body = response.json()
        assert user.check_password(body["temporary_password"])
        assert body["must_change_password"] is True
        assert response["Cache-Control"] == "no-store"
        assert body["temporary_password"] not in str(
            list(AuditEntry.objects.values_list("changes", flat=True))
        )
    else:
        assert user.check_password(PASSWORD)
        assert _state() == before


@pytest.mark.parametrize(("persona", "expected"), CREATE.items())
def test_create_matrix(client_as: Client, persona: str | None, expected: int) -> None:
    before = _state()
    response = client_as(persona).post(
        "/api/v1/users/",
        {"username": "new.officer", "first_name_th": "สมหญิง", "last_name_th": "ใจดี", "role": "esa_officer",
         "unit": "11201"},
        format="json",
    )  # fmt: skip
    assert response.status_code == expected
    if expected == 201:
        assert response.json()["username"] == "new.officer"
        assert [r["unit"]["code"] for r in response.json()["roles"]] == ["11201"]
        assert User.objects.get(username="new.officer").must_change_password is True
    else:
        assert _state() == before


def _users_csv() -> io.BytesIO:
    text = "ชื่อผู้ใช้,ชื่อ,นามสกุล,บทบาท,รหัสหน่วยงาน\nteacher.new,สมชาย,ใจงาม,teacher,1012000001\n"
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = "users.csv"
    return upload


@pytest.mark.parametrize(("persona", "expected"), IMPORT.items())
def test_import_matrix(client_as: Client, persona: str | None, expected: int) -> None:
    before = _state()
    response = client_as(persona).post("/api/v1/users/import/", {"file": _users_csv()}, format="multipart")
    assert response.status_code == expected
    if expected == 200:
        body = response.json()
        assert (body["created"], body["committed"], body["problems"]) == (1, True, [])
        assert User.objects.filter(username="teacher.new").exists()
    else:
        assert _state() == before


def test_import_reports_bad_rows_with_their_place_and_writes_nothing(client_as: Client) -> None:
    text = (
        "ชื่อผู้ใช้,ชื่อ,นามสกุล,บทบาท,รหัสหน่วยงาน\nok.user,ก,ข,teacher,1012000001\nbad.user,ก,ข,wizard,1012000001\n"
    )
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = "users.csv"
    before = _state()
    body = client_as("sysadmin").post("/api/v1/users/import/", {"file": upload}, format="multipart").json()
    assert body["committed"] is False
    assert body["rejected_rows"] == 1
    [problem] = body["problems"]
    assert (problem["row"], problem["file"]) == (3, "users.csv")
    assert problem["message_th"]
    assert problem["message_en"]
    assert _state() == before


def test_import_without_a_file_is_a_bilingual_400(client_as: Client) -> None:
    response = client_as("sysadmin").post("/api/v1/users/import/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
