"""After a wrong code, django-otp pauses checking: the user is told to wait, not that the code is wrong."""

from __future__ import annotations

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from suksa.core.errors import InvalidInput
from suksa.domains.accounts import two_factor
from tests.factories import World


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def test_right_code_during_the_pause_says_wait_then_works_after_it(world: World) -> None:
    user = world.user("sysadmin")
    device = TOTPDevice.objects.create(user=user, name="suksa", confirmed=True)
    with pytest.raises(InvalidInput) as wrong:
        two_factor.totp_verify(user=user, token="000000" if current_code(device) != "000000" else "111111")
    assert wrong.value.problems[0].code == "otp_wrong"

    with pytest.raises(InvalidInput) as paused:
        two_factor.totp_verify(user=user, token=current_code(device))
    (problem,) = paused.value.problems
    assert problem.code == "otp_throttled"
    assert problem.th.startswith("กรอกรหัสผิดหลายครั้ง ระบบพักการตรวจรหัสไว้ชั่วคราว กรุณารออีก ")
    assert "wait" in problem.en
    assert "seconds" in problem.en

    # The pause ends: django-otp stores when; move it into the past as time passing would.
    device.refresh_from_db()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    device.refresh_from_db()
    assert two_factor.totp_verify(user=user, token=current_code(device)).pk == device.pk
