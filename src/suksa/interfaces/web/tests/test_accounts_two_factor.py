"""Two-factor sign-in for office roles: enrol with a real TOTP code, verify at each login, gate."""

from __future__ import annotations

import time

import pytest
from django.test import Client, RequestFactory, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from suksa.core.models import AuditEntry
from suksa.domains.accounts import two_factor
from suksa.interfaces.web.twofactor import two_factor_satisfied
from tests.factories import PASSWORD, World


def code(device: TOTPDevice, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


def log_in(client: Client, username: str) -> str:
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response["Location"]


@override_settings(SUKSA_ENFORCE_2FA=True)
def test_office_user_enrols_then_verifies_at_the_next_login(world: World) -> None:
    client = Client()
    assert log_in(client, "esa_director_a1") == "/account/2fa/enrol/?next=%2F"
    # Every other page sends them back to enrol first.
    assert client.get("/users/")["Location"] == "/account/2fa/enrol/?next=%2Fusers%2F"

    page = client.get("/account/2fa/enrol/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    device = TOTPDevice.objects.get(user=world.user("esa_director_a1"), confirmed=False)
    assert two_factor.manual_secret(device) in html
    assert page["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"

    wrong = client.post("/account/2fa/enrol/", {"token": "000000" if code(device) != "000000" else "111111"})
    assert "รหัสยืนยันไม่ถูกต้องหรือหมดอายุ" in wrong.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False

    device.throttling_failure_count = 0  # django-otp throttles after a failure; a real user waits
    device.throttling_failure_timestamp = None
    device.save()
    done = client.post("/account/2fa/enrol/?next=/users/", {"token": code(device)})
    assert (done.status_code, done["Location"]) == (302, "/users/")
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/users/").status_code == 200
    assert (
        AuditEntry.objects.filter(object_type="accounts.totp_device", changes__two_factor="enrolled").count()
        == 1
    )

    client.post("/logout/")
    client = Client()
    assert log_in(client, "esa_director_a1") == "/account/2fa/verify/?next=%2F"
    assert client.get("/users/")["Location"] == "/account/2fa/verify/?next=%2Fusers%2F"
    # The code used to enrol cannot be replayed; the next one is accepted.
    verified = client.post("/account/2fa/verify/?next=/users/", {"token": code(device, offset_steps=1)})
    assert (verified.status_code, verified["Location"]) == (302, "/users/")
    assert client.get("/users/").status_code == 200
    assert list(AuditEntry.objects.filter(action="login").values_list("changes", flat=True)) == [
        {"detail": "2fa verified"},
        {"detail": "password; 2fa pending"},
        {"detail": "password; 2fa pending"},
    ]


@override_settings(SUKSA_ENFORCE_2FA=True)
def test_wrong_code_at_verification_is_refused_and_audited(world: World) -> None:
    user = world.user("sysadmin")
    TOTPDevice.objects.create(user=user, name="suksa", confirmed=True)
    client = Client()
    log_in(client, "sysadmin")
    response = client.post("/account/2fa/verify/", {"token": "12345x"})
    assert response.status_code == 200
    assert "The code is wrong or expired" in response.content.decode()
    assert client.get("/users/").status_code == 302
    assert AuditEntry.objects.filter(action="login_failed", changes__detail="otp").count() == 1


@override_settings(SUKSA_ENFORCE_2FA=True)
def test_school_roles_need_no_second_factor(world: World) -> None:
    client = Client()
    assert log_in(client, "director_a1_1") == "/"
    assert client.get("/users/").status_code == 200


def test_without_enforcement_office_roles_go_straight_in(world: World) -> None:
    client = Client()
    assert log_in(client, "esa_director_a1") == "/"
    assert client.get("/users/").status_code == 200


@pytest.mark.parametrize(
    ("enforce", "has_device", "expected"), [(True, False, False), (True, True, True), (False, False, True)]
)
def test_two_factor_satisfied_for_token_requests(
    world: World, enforce: bool, has_device: bool, expected: bool
) -> None:
    user = world.user("esa_officer_a1")
    if has_device:
        TOTPDevice.objects.create(user=user, name="suksa", confirmed=True)
    request = RequestFactory().get("/api/v1/users/")
    request.user = user
    request.auth = "token"  # type: ignore[attr-defined]
    with override_settings(SUKSA_ENFORCE_2FA=enforce):
        assert two_factor_satisfied(request) is expected


@override_settings(SUKSA_ENFORCE_2FA=True)
def test_two_factor_satisfied_for_school_roles_and_anonymous(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = world.user("teacher_a1_1")
    assert two_factor_satisfied(request) is True
    request.user = AnonymousUser()
    assert two_factor_satisfied(request) is True


def with_gate_middleware() -> list[str]:
    from django.conf import settings

    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index("suksa.domains.accounts.middleware.ActorMiddleware") + 1, GATE)
    return middleware


GATE = "suksa.interfaces.web.twofactor.AccountGateMiddleware"


def test_gate_middleware_guards_pages_it_does_not_own(world: World) -> None:
    with override_settings(SUKSA_ENFORCE_2FA=True, MIDDLEWARE=with_gate_middleware()):
        client = Client()
        log_in(client, "inspector_r1")
        assert client.get("/")["Location"] == "/account/2fa/enrol/?next=%2F"
        assert client.get("/org/")["Location"] == "/account/2fa/enrol/?next=%2Forg%2F"
        assert client.get("/account/2fa/enrol/").status_code == 200
        assert client.get("/healthz").status_code == 200
        assert client.post("/logout/").status_code == 302


def test_gate_middleware_forces_the_password_change(world: World) -> None:
    user = world.user("teacher_a1_1")
    user.must_change_password = True
    user.save()
    with override_settings(MIDDLEWARE=with_gate_middleware()):
        client = Client()
        log_in(client, "teacher_a1_1")
        assert client.get("/")["Location"] == "/account/password/?next=%2F"
        assert client.get("/account/password/").status_code == 200
