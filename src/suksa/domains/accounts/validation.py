"""Input rules for accounts, each failure a bilingual :class:`Problem` naming its field.

Shared by the single-user services and the bulk import, so a username or e-mail is judged the same
way whichever door it comes through.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation

from suksa.core import audit
from suksa.core.errors import Problem
from suksa.core.models import OrgUnit
from suksa.core.policy import ROLE_LABELS, ROLE_UNIT_KINDS, Role
from suksa.domains.accounts.models import User

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{2,149}$")
# Fields a user record exposes to user_update: form/API key -> model field.
UPDATABLE_FIELDS = {
    "title_th": "title_th",
    "first_name_th": "first_name_th",
    "last_name_th": "last_name_th",
    "first_name_en": "first_name",
    "last_name_en": "last_name",
    "email": "email",
    "phone": "phone",
    "preferred_language": "preferred_language",
    "is_active": "is_active",
}
AUDITED_USER_FIELDS = [*UPDATABLE_FIELDS.values(), "username"]
# Django's Thai catalogue lacks most password-validator messages, so the Thai text is ours.
_PASSWORD_TH = {
    "password_too_short": "รหัสผ่านสั้นเกินไป ต้องยาวอย่างน้อย {min_length} ตัวอักษร",
    "password_too_similar": "รหัสผ่านคล้ายกับข้อมูลของผู้ใช้มากเกินไป",
    "password_too_common": "รหัสผ่านนี้ถูกใช้กันทั่วไป เดาได้ง่าย",
    "password_entirely_numeric": "รหัสผ่านต้องไม่เป็นตัวเลขล้วน",
}


def password_problems(password: str, user: User, field: str = "password") -> list[Problem]:
    """Django's password validators, with each message in Thai and English."""
    with translation.override("en"):
        try:
            password_validation.validate_password(password, user=user)
        except ValidationError as exc:
            errors = exc.error_list
        else:
            return []
    problems = []
    for error in errors:
        en = " ".join(error.messages)
        th_template = _PASSWORD_TH.get(error.code or "")
        th = th_template.format(**(error.params or {})) if th_template else en
        problems.append(Problem(code="password_weak", th=th, en=en, field=field))
    return problems


def username_problem(username: str, field: str = "username") -> Problem | None:
    if not USERNAME_RE.match(username):
        return Problem(
            code="username_format",
            th="ชื่อผู้ใช้ต้องยาว 3–150 ตัวอักษร ใช้ได้เฉพาะ a–z A–Z 0–9 และ . _ @ + -",
            en="A username is 3–150 characters: a–z, A–Z, 0–9 and . _ @ + - only",
            field=field,
        )
    if User.objects.filter(username__iexact=username).exists():
        return Problem(
            code="username_taken",
            th=f"ชื่อผู้ใช้ '{username}' มีอยู่แล้วในระบบ",
            en=f"The username '{username}' already exists",
            field=field,
        )
    return None


def email_problem(email: str, field: str = "email") -> Problem | None:
    if not email:
        return None
    try:
        validate_email(email)
    except ValidationError:
        return Problem(
            code="email_invalid",
            th=f"อีเมล '{email}' ไม่ถูกต้อง",
            en=f"'{email}' is not a valid e-mail address",
            field=field,
        )
    return None


def role_problem(role: str, unit: OrgUnit, field: str = "role") -> Problem | None:
    try:
        r = Role(role)
    except ValueError:
        return Problem(
            code="role_unknown", th=f"ไม่รู้จักบทบาท '{role}'", en=f"Unknown role '{role}'", field=field
        )
    if unit.kind not in ROLE_UNIT_KINDS[r]:
        th_role, en_role = ROLE_LABELS[r]
        kind_th, kind_en = str(OrgUnit.Kind(unit.kind).label).split(" / ")
        return Problem(
            code="role_not_allowed_on_unit",
            th=f"บทบาท '{th_role}' มอบให้ที่หน่วยงานประเภท{kind_th}ไม่ได้",
            en=f"The role '{en_role}' cannot be granted on a unit of kind {kind_en}",
            field=field,
        )
    return None


def name_problems(first_name_th: str, last_name_th: str) -> list[Problem]:
    problems = []
    if not first_name_th.strip():
        problems.append(
            Problem(code="required", th="ต้องระบุชื่อ", en="A first name is required", field="first_name_th")
        )
    if not last_name_th.strip():
        problems.append(
            Problem(code="required", th="ต้องระบุนามสกุล", en="A last name is required", field="last_name_th")
        )
    return problems


def user_changes(user: User) -> dict[str, Any]:
    return audit.snapshot(user, AUDITED_USER_FIELDS)
