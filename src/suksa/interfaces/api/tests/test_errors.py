"""The one bilingual error body: every failure, both languages, and no existence oracle."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from suksa.domains.accounts.models import RoleAssignment
from tests.factories import World

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]
ERROR_KEYS = {"code", "field", "row", "column", "file", "message_th", "message_en"}
NOT_FOUND = {
    "errors": [
        {
            "code": "not_found",
            "field": None,
            "row": None,
            "column": None,
            "file": None,
            "message_th": "ไม่พบข้อมูลที่ขอ",
            "message_en": "Not found",
        }
    ],
    "detail": "ไม่พบข้อมูลที่ขอ",
}


def _hidden_and_unknown(world: World) -> list[tuple[str, str, str, str]]:
    """(method, URL of an object hidden from director_a1_1, URL of no object, persona)."""
    b1_user = world.user("director_b1_1").pk
    b1_assignment = RoleAssignment.objects.get(user_id=b1_user).pk
    return [
        ("get", "/api/v1/schools/1050000001/", "/api/v1/schools/9999999999/", "director_a1_1"),
        ("patch", "/api/v1/schools/1050000001/", "/api/v1/schools/9999999999/", "director_a1_1"),
        ("get", "/api/v1/org-units/15001/", "/api/v1/org-units/NOPE/", "director_a1_1"),
        ("get", "/api/v1/org-units/15001/children/", "/api/v1/org-units/NOPE/children/", "director_a1_1"),
        ("get", f"/api/v1/users/{b1_user}/", "/api/v1/users/999999/", "director_a1_1"),
        ("get", f"/api/v1/users/{b1_user}/", "/api/v1/users/not-a-number/", "director_a1_1"),
        ("post", f"/api/v1/users/{b1_user}/reset-password/", "/api/v1/users/999999/reset-password/", "director_a1_1"),
        ("patch", f"/api/v1/users/{b1_user}/", "/api/v1/users/999999/", "sysadmin_a1"),
        ("post", f"/api/v1/users/{b1_user}/role-assignments/", "/api/v1/users/999999/role-assignments/", "sysadmin_a1"),
        ("post", f"/api/v1/role-assignments/{b1_assignment}/revoke/", "/api/v1/role-assignments/999999/revoke/", "sysadmin_a1"),
    ]  # fmt: skip


def test_hidden_and_unknown_objects_get_identical_404_bodies(world: World, client_as: Client) -> None:
    for method, hidden, unknown, persona in _hidden_and_unknown(world):
        client = client_as(persona)
        a = getattr(client, method)(hidden, {}, format="json")
        b = getattr(client, method)(unknown, {}, format="json")
        assert (a.status_code, b.status_code) == (404, 404), (method, hidden)
        assert a.content == b.content, (method, hidden)
        assert a.json() == NOT_FOUND
        assert a["Content-Type"] == b["Content-Type"] == "application/json"


def test_unknown_api_path_gets_the_same_404_body(client_as: Client) -> None:
    for persona in (None, "sysadmin"):
        response = client_as(persona).get("/api/v1/no-such-thing/")
        assert response.status_code == 404
        assert response.json() == NOT_FOUND


@pytest.mark.parametrize(
    ("language", "detail"),
    [("th", "ไม่พบข้อมูลที่ขอ"), ("en", "Not found"), ("th-TH,th;q=0.9", "ไม่พบข้อมูลที่ขอ"), ("fr", "ไม่พบข้อมูลที่ขอ")],
)
def test_detail_follows_accept_language_and_defaults_to_thai(
    client_as: Client, language: str, detail: str
) -> None:
    body = client_as("sysadmin", language).get("/api/v1/schools/9999999999/").json()
    assert body["detail"] == detail
    assert body["errors"][0]["message_th"] == "ไม่พบข้อมูลที่ขอ"
    assert body["errors"][0]["message_en"] == "Not found"


def test_anonymous_gets_401_with_a_token_challenge(client_as: Client) -> None:
    response = client_as(None, "en").get("/api/v1/schools/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    body = response.json()
    assert body["errors"][0]["code"] == "not_authenticated"
    assert set(body["errors"][0]) == ERROR_KEYS
    assert body["detail"] == "Authentication credentials were not provided"


def test_a_bad_token_gets_401_in_both_languages(world: World) -> None:
    client = APIClient(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    [error] = response.json()["errors"]
    assert error["code"] == "authentication_failed"
    assert error["message_th"] == "ข้อมูลยืนยันตัวตนไม่ถูกต้องหรือหมดอายุ"
    assert error["message_en"] == "Invalid or expired authentication credentials"


def test_permission_denied_is_403_in_both_languages(client_as: Client) -> None:
    body = client_as("teacher_a1_1", "en").get("/api/v1/audit-log/").json()
    assert body["errors"][0] == {
        "code": "forbidden",
        "field": None,
        "row": None,
        "column": None,
        "file": None,
        "message_th": "คุณไม่มีสิทธิ์ทำรายการนี้",
        "message_en": "You may not perform this action",
    }
    assert body["detail"] == "You may not perform this action"


def test_validation_errors_name_the_field_in_thai_and_english(client_as: Client) -> None:
    response = client_as("sysadmin").post("/api/v1/users/", {"username": "x" * 200}, format="json")
    assert response.status_code == 400
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert set(errors) == {"username", "first_name_th", "last_name_th"}
    assert errors["first_name_th"]["code"] == "required"
    assert errors["first_name_th"]["message_th"] == "ช่อง first_name_th: ฟิลด์นี้จำเป็น"
    assert errors["first_name_th"]["message_en"] == "field first_name_th: This field is required."
    assert errors["username"]["code"] == "max_length"
    assert "150" in errors["username"]["message_th"]
    assert "150" in errors["username"]["message_en"]
    assert response.json()["detail"].startswith("ช่อง ")


def test_malformed_json_is_a_bilingual_400(client_as: Client) -> None:
    response = client_as("sysadmin").generic(
        "PATCH", "/api/v1/schools/1012000001/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "malformed_request"
    assert response.json()["errors"][0]["message_en"] == "The request body is malformed"


def test_method_not_allowed_is_a_bilingual_405(client_as: Client) -> None:
    response = client_as("sysadmin").delete("/api/v1/schools/1012000001/")
    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "method_not_allowed"
    assert response.json()["detail"] == "ไม่รองรับวิธีการเรียกนี้"


def test_throttling_is_a_bilingual_429_with_retry_after(client_as: Client) -> None:
    client = client_as(None, "en")
    for i in range(10):  # different names, so that django-axes does not lock any of them first
        response = client.post("/api/v1/auth/token/", {"username": f"x{i}", "password": "y"}, format="json")
        assert response.status_code == 400
    response = client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    [error] = response.json()["errors"]
    assert error["code"] == "throttled"
    assert error["message_th"].startswith("มีการเรียกใช้บ่อยเกินไป")
    assert error["message_en"].startswith("Too many requests.")


@override_settings(DEBUG=False)
def test_session_authentication_works_too(world: World) -> None:
    client = APIClient()
    client.force_login(world.user("director_a1_1"))
    assert client.get("/api/v1/schools/").json()["count"] == 1
