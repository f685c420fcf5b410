"""Second factor (TOTP, django-otp) for people who hold roles at nation, region or ESA level.

Enrolment: :func:`totp_enrol_start` creates an unconfirmed device whose secret the person scans;
:func:`totp_enrol_confirm` confirms it with a first code. Login: :func:`totp_verify` checks a code
against the confirmed device (django-otp throttles repeated failures per device). Each step is
audited; the secret never is.
"""

from __future__ import annotations

from base64 import b32encode

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from suksa.core import audit
from suksa.core.errors import InvalidInput
from suksa.core.models import AuditEntry
from suksa.domains.accounts.actors import actor_for
from suksa.domains.accounts.models import User
from suksa.domains.accounts.selectors import user_unit_path

DEVICE_NAME = "suksa"


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def manual_secret(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an authenticator app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_enrol_start(*, user: User) -> TOTPDevice:
    """The pending (unconfirmed) device for ``user``, created on first call and reused after."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def _wrong_code() -> InvalidInput:
    return InvalidInput.single(  # type: ignore[return-value]
        "otp_wrong",
        "รหัสยืนยันไม่ถูกต้องหรือหมดอายุ กรุณาลองรหัสใหม่จากแอป",
        "The code is wrong or expired; try the current code from your app",
        field="token",
    )


def totp_enrol_confirm(*, user: User, device: TOTPDevice, token: str) -> TOTPDevice:
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token.strip()):
        raise _wrong_code()
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # Older confirmed devices are replaced: one phone per person keeps recovery simple.
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        audit.record(
            actor=actor_for(user),
            action=AuditEntry.Action.UPDATE,
            object_type="accounts.totp_device",
            object_id=device.pk,
            object_repr=user.username,
            unit_path=user_unit_path(user),
            changes={"two_factor": "enrolled"},
        )
    return device


def _throttled(device: TOTPDevice) -> InvalidInput | None:
    """django-otp refuses every code for a while after a wrong one; say so instead of 'wrong'."""
    allowed, details = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (details or {}).get("locked_until")
    seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1) if locked_until else 0
    wait_th = f"อีก {seconds} วินาที" if seconds else "สักครู่"
    wait_en = f"{seconds} seconds" if seconds else "a moment"
    return InvalidInput.single(  # type: ignore[return-value]
        "otp_throttled",
        f"กรอกรหัสผิดหลายครั้ง ระบบพักการตรวจรหัสไว้ชั่วคราว กรุณารอ{wait_th}แล้วกรอกรหัสปัจจุบันจากแอป",
        f"Too many wrong codes: checking is paused; wait {wait_en}, then enter the current code from your app",
        field="token",
    )


def totp_verify(*, user: User, token: str) -> TOTPDevice:
    device = confirmed_device(user)
    if device is not None and (paused := _throttled(device)) is not None:
        raise paused
    if device is None or not device.verify_token(token.strip()):
        raise _wrong_code()
    return device
