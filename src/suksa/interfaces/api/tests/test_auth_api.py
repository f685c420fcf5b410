"""Token exchange, two-factor on the API, and ``/me``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from suksa.core.models import AuditEntry
from suksa.domains.accounts.models import User
from tests.factories import PASSWORD, World

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]
URL = "/api/v1/auth/token/"


def _post(data: dict[str, str], language: str = "th") -> tuple[int, dict]:
    response = APIClient(HTTP_ACCEPT_LANGUAGE=language).post(URL, data, format="json")
    return response.status_code, response.json()


def _totp_now(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)


def test_token_exchange_returns_a_working_token_and_is_audited(world: World) -> None:
    status, body = _post({"username": "director_a1_1", "password": PASSWORD})
    assert status == 200
    assert body["token"] == Token.objects.get(user=world.user("director_a1_1")).key
    assert body["user"]["username"] == "director_a1_1"
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.actor_username, entry.source) == ("login", "director_a1_1", "api")
    assert User.objects.get(username="director_a1_1").last_login is not None
    me = APIClient(HTTP_AUTHORIZATION=f"Token {body['token']}").get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "director_a1_1"


def test_bad_credentials_do_not_say_whether_the_user_exists(world: World) -> None:
    world.users["gone"] = User.objects.create_user(username="gone", password=PASSWORD, is_active=False)
    wrong_password = _post({"username": "director_a1_1", "password": "wrong-password"})
    unknown_user = _post({"username": "no_such_user", "password": "wrong-password"})
    inactive = _post({"username": "gone", "password": PASSWORD})
    assert wrong_password == unknown_user == inactive
    status, body = wrong_password
    assert status == 400
    assert body["errors"][0]["code"] == "invalid_credentials"
    assert body["errors"][0]["message_th"] == "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"
    assert body["errors"][0]["message_en"] == "The username or password is incorrect"
    assert not Token.objects.exists()
    failed = AuditEntry.objects.filter(action="login_failed").values_list("object_repr", flat=True)
    assert sorted(failed) == ["director_a1_1", "gone", "no_such_user"]


def test_missing_fields_are_a_bilingual_400(world: World) -> None:
    status, body = _post({"username": "director_a1_1"}, "en")
    assert status == 400
    assert [(e["code"], e["field"]) for e in body["errors"]] == [("required", "password")]
    assert body["detail"] == "field password: This field is required."


def test_repeated_failures_lock_the_login_with_a_bilingual_429(world: World) -> None:
    for _ in range(4):
        assert _post({"username": "director_a1_1", "password": "wrong-password"})[0] == 400
    # The fifth failure reaches AXES_FAILURE_LIMIT; from then on even the right password is refused.
    assert _post({"username": "director_a1_1", "password": "wrong-password"})[0] == 429
    status, body = _post({"username": "director_a1_1", "password": PASSWORD})
    assert status == 429
    assert body["errors"][0]["code"] == "login_locked"
    assert not Token.objects.exists()


@pytest.fixture
def enforce_2fa(settings: Any) -> None:
    settings.SUKSA_ENFORCE_2FA = True


@pytest.mark.usefixtures("enforce_2fa")
class TestTwoFactor:
    def test_a_school_role_needs_no_second_factor(self, world: World) -> None:
        assert _post({"username": "director_a1_1", "password": PASSWORD})[0] == 200

    def test_an_esa_role_without_a_device_is_told_to_enrol(self, world: World) -> None:
        status, body = _post({"username": "esa_officer_a1", "password": PASSWORD})
        assert status == 400
        assert (body["errors"][0]["code"], body["errors"][0]["field"]) == ("otp_not_enrolled", "otp")
        assert not Token.objects.exists()

    def test_an_esa_role_needs_a_current_code(self, world: World) -> None:
        device = TOTPDevice.objects.create(user=world.user("esa_officer_a1"), name="phone", confirmed=True)
        status, body = _post({"username": "esa_officer_a1", "password": PASSWORD})
        assert (status, body["errors"][0]["code"]) == (400, "otp_required")
        wrong = str((int(_totp_now(device)) + 1) % 1_000_000).zfill(6)
        status, body = _post({"username": "esa_officer_a1", "password": PASSWORD, "otp": wrong})
        assert (status, body["errors"][0]["code"], body["errors"][0]["field"]) == (400, "otp_wrong", "otp")
        assert not Token.objects.exists()
        device.refresh_from_db()
        device.throttling_failure_count = 0
        device.throttling_failure_timestamp = None
        device.save()
        status, body = _post({"username": "esa_officer_a1", "password": PASSWORD, "otp": _totp_now(device)})
        assert status == 200
        assert body["user"]["needs_two_factor"] is True

    def test_an_unconfirmed_device_does_not_count(self, world: World) -> None:
        device = TOTPDevice.objects.create(user=world.user("sysadmin"), name="phone", confirmed=False)
        status, body = _post({"username": "sysadmin", "password": PASSWORD, "otp": _totp_now(device)})
        assert (status, body["errors"][0]["code"]) == (400, "otp_not_enrolled")


def test_me_lists_roles_and_scopes(client_as: Client) -> None:
    body = client_as("director_a1_1", "en").get("/api/v1/me/").json()
    assert [(r["role"], r["role_label"], r["unit"]["code"]) for r in body["roles"]] == [
        ("school_director", "School director", "1012000001")
    ]
    scopes = {s["permission"]: s["unit_codes"] for s in body["scopes"]}
    assert scopes == {
        "org.view": ["1012000001"],
        "school.edit": ["1012000001"],
        "user.view": ["1012000001"],
        "user.reset_password": ["1012000001"],
        "sensitive.read": ["1012000001"],
        "student.view": ["1012000001"],
        "student.edit": ["1012000001"],
        "attendance.record": ["1012000001"],
        "census.certify": ["1012000001"],
    }
    assert body["needs_two_factor"] is False


@pytest.mark.parametrize(("persona", "expected"), [(None, 401), ("nobody", 200), ("sysadmin", 200)])
def test_me_matrix(client_as: Client, persona: str | None, expected: int) -> None:
    response = client_as(persona).get("/api/v1/me/")
    assert response.status_code == expected
    if persona == "nobody":
        assert (response.json()["roles"], response.json()["scopes"]) == ([], [])


# --- the account gate on every other endpoint ------------------------------------------------------


@pytest.mark.usefixtures("enforce_2fa")
def test_a_token_of_an_office_role_without_a_device_is_refused(world: World, client_as: Client) -> None:
    client = client_as("esa_officer_a1")  # a token made directly, as if issued before 2FA was enforced
    response = client.get("/api/v1/schools/")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "two_factor_required"
    assert client.get("/api/v1/me/").status_code == 200
    TOTPDevice.objects.create(user=world.user("esa_officer_a1"), name="phone", confirmed=True)
    assert client.get("/api/v1/schools/").status_code == 200


@pytest.mark.usefixtures("enforce_2fa")
def test_a_session_of_an_office_role_must_have_passed_the_second_factor(world: World) -> None:
    TOTPDevice.objects.create(user=world.user("esa_officer_a1"), name="phone", confirmed=True)
    client = APIClient()
    client.force_login(world.user("esa_officer_a1"))  # password only: the OTP step never happened
    response = client.get("/api/v1/schools/")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "two_factor_required"
    school_client = APIClient()
    school_client.force_login(world.user("director_a1_1"))  # a school role needs no second factor
    assert school_client.get("/api/v1/schools/").status_code == 200


def test_a_temporary_password_must_be_changed_before_using_the_api(world: World, client_as: Client) -> None:
    User.objects.filter(username="director_a1_1").update(must_change_password=True)
    client = client_as("director_a1_1")
    response = client.get("/api/v1/schools/")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "password_change_required"
    assert client.get("/api/v1/me/").json()["must_change_password"] is True
