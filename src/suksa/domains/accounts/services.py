"""Every write of UMS: users, role grants, passwords and login events; bulk import is re-exported.

The import itself lives in :mod:`suksa.domains.accounts.bulk_import` to keep this module small.

Each service takes keyword arguments, runs in one transaction, checks the actor's permission
through :mod:`suksa.core.policy` and appends an audit entry. Password hashes, passwords and TOTP
secrets never reach the audit log.

Scope rule for acting on an existing person ("the enclosing scope"): the actor must hold the
permission on a unit that covers *every* active role of that person, so a school director cannot
reset the password of someone who also works at the ESA. A person with no active role can be
handled only from the nation.
"""

from __future__ import annotations

import secrets
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone

from suksa.core import audit
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied, Problem
from suksa.core.models import AuditEntry, OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.accounts.actors import actor_for
from suksa.domains.accounts.bulk_import import IMPORT_COLUMNS, users_import
from suksa.domains.accounts.models import RoleAssignment, User
from suksa.domains.accounts.selectors import (
    active_assignments,
    is_national,
    user_unit_path,
    users_visible_to,
)
from suksa.domains.accounts.validation import (
    UPDATABLE_FIELDS,
    email_problem,
    name_problems,
    password_problems,
    role_problem,
    user_changes,
    username_problem,
)

__all__ = [
    "IMPORT_COLUMNS",
    "UPDATABLE_FIELDS",
    "can_act_on",
    "generate_temporary_password",
    "login_event_record",
    "password_change",
    "role_grant",
    "role_revoke",
    "user_create",
    "user_reset_password",
    "user_set_language",
    "user_update",
    "users_import",
]

# No look-alike characters (0/O, 1/l/I) so that a password read aloud or copied from paper works.
_TEMP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"

# --- checks shared by the services -------------------------------------------------------------


def _forbidden() -> PermissionDenied:
    return PermissionDenied.default()


def _ensure_visible(actor: Actor, user: User) -> None:
    if not users_visible_to(actor).filter(pk=user.pk).exists():
        raise NotFoundOrNoAccess.default()


def can_act_on(actor: Actor, perm: Perm, user: User) -> bool:
    """May ``actor`` use ``perm`` over all of ``user``'s active roles (the enclosing scope)?"""
    paths = list(active_assignments().filter(user=user).values_list("unit__path", flat=True))
    if not paths:
        return is_national(actor, perm)
    return any(all(g.covers(p) for p in paths) for g in actor.grants_for(perm))


def generate_temporary_password() -> str:
    """Twelve random characters in three groups, e.g. ``Hk7q-Rm3x-Pa9t``."""
    chars = "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(12))
    return f"{chars[0:4]}-{chars[4:8]}-{chars[8:12]}"


# --- users -------------------------------------------------------------------------------------


def user_create(
    *,
    actor: Actor,
    username: str,
    password: str | None = None,
    title_th: str = "",
    first_name_th: str,
    last_name_th: str,
    first_name_en: str = "",
    last_name_en: str = "",
    email: str = "",
    phone: str = "",
    role: str | None = None,
    unit: OrgUnit | None = None,
) -> User:
    """Create an account, with its first role unless the actor administers the whole nation.

    The creator chose the password (or none was given: the account then has an unusable one until
    an administrator resets it), so the person must change it at first login.
    """
    if not actor.can_anywhere(Perm.USER_MANAGE):
        raise _forbidden()
    if unit is None or role is None:
        if not is_national(actor, Perm.USER_MANAGE) or (unit is None) != (role is None):
            raise InvalidInput.single(
                "role_required",
                "ต้องระบุบทบาทและหน่วยงานแรกของผู้ใช้",
                "A first role and unit are required",
                field="role",
            )
    elif not actor.can(Perm.USER_MANAGE, unit.path):
        raise _forbidden()
    username = username.strip()
    email = email.strip()
    candidate = User(
        username=username,
        email=email,
        first_name=first_name_en.strip(),
        last_name=last_name_en.strip(),
        first_name_th=first_name_th.strip(),
        last_name_th=last_name_th.strip(),
    )
    problems = [p for p in (username_problem(username), email_problem(email)) if p]
    problems += name_problems(first_name_th, last_name_th)
    if role is not None and unit is not None and (p := role_problem(role, unit)):
        problems.append(p)
    if password:
        problems += password_problems(password, candidate)
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=password or None,
            email=email,
            title_th=title_th.strip(),
            first_name_th=candidate.first_name_th,
            last_name_th=candidate.last_name_th,
            first_name=candidate.first_name,
            last_name=candidate.last_name,
            phone=phone.strip(),
            must_change_password=True,
        )
        if role is not None and unit is not None:
            RoleAssignment.objects.create(user=user, role=role, unit=unit, granted_by_id=actor.user_id)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="accounts.user",
            object_id=user.pk,
            object_repr=user.username,
            unit_path=unit.path if unit else "",
            changes={
                **user_changes(user),
                "role": role or "",
                "unit": unit.code if unit else "",
                "password_set": bool(password),
            },
        )
    return user


def user_update(*, actor: Actor, user: User, data: dict[str, Any]) -> User:
    """Change names, contact details, language or the active flag.

    Keys are those of :data:`UPDATABLE_FIELDS` (``first_name_en`` is stored as ``first_name``);
    unknown keys are an error rather than silently ignored.
    """
    _ensure_visible(actor, user)
    if not can_act_on(actor, Perm.USER_MANAGE, user):
        raise _forbidden()
    unknown = sorted(set(data) - set(UPDATABLE_FIELDS))
    if unknown:
        raise InvalidInput(
            [
                Problem(
                    code="field_unknown",
                    th=f"แก้ไขช่อง '{k}' ไม่ได้",
                    en=f"The field '{k}' cannot be changed",
                    field=k,
                )
                for k in unknown
            ]
        )
    values = {UPDATABLE_FIELDS[k]: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    problems: list[Problem] = []
    if "email" in values and (p := email_problem(values["email"])):
        problems.append(p)
    for key, label_th, label_en in (
        ("first_name_th", "ชื่อ", "first name"),
        ("last_name_th", "นามสกุล", "last name"),
    ):
        if key in values and not values[key]:
            problems.append(
                Problem(code="required", th=f"ต้องระบุ{label_th}", en=f"A {label_en} is required", field=key)
            )
    if "preferred_language" in values and values["preferred_language"] not in ("th", "en"):
        problems.append(
            Problem(
                code="choice",
                th="ภาษาต้องเป็น th หรือ en",
                en="Language must be th or en",
                field="preferred_language",
            )
        )
    if "is_active" in values:
        if not isinstance(values["is_active"], bool):
            problems.append(
                Problem(code="boolean", th="ต้องเป็นจริงหรือเท็จ", en="Must be true or false", field="is_active")
            )
        elif values["is_active"] is False and user.pk == actor.user_id:
            problems.append(
                Problem(
                    code="self_deactivate",
                    th="ปิดบัญชีของตนเองไม่ได้",
                    en="You cannot deactivate your own account",
                    field="is_active",
                )
            )
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = user_changes(user)
        for name, value in values.items():
            setattr(user, name, value)
        if "is_active" in values:
            user.deactivated_at = None if user.is_active else (user.deactivated_at or timezone.now())
        changes = audit.diff(before, user_changes(user))
        if changes:
            user.save()
            audit.record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                object_type="accounts.user",
                object_id=user.pk,
                object_repr=user.username,
                unit_path=user_unit_path(user),
                changes=changes,
            )
    return user


# --- roles -------------------------------------------------------------------------------------


def role_grant(*, actor: Actor, user: User, role: str, unit: OrgUnit) -> RoleAssignment:
    _ensure_visible(actor, user)
    if not actor.can(Perm.USER_MANAGE, unit.path):
        raise _forbidden()
    if p := role_problem(role, unit):
        raise InvalidInput([p])
    with transaction.atomic():
        if active_assignments().filter(user=user, role=role, unit=unit).exists():
            raise InvalidInput.single(
                "assignment_exists",
                "ผู้ใช้มีบทบาทนี้ที่หน่วยงานนี้อยู่แล้ว",
                "The user already holds this role on this unit",
                field="role",
            )
        assignment = RoleAssignment.objects.create(
            user=user, role=role, unit=unit, granted_by_id=actor.user_id
        )
        audit.record(
            actor=actor,
            action=AuditEntry.Action.GRANT,
            object_type="accounts.roleassignment",
            object_id=assignment.pk,
            object_repr=f"{user.username}: {role} @ {unit.code}",
            unit_path=unit.path,
            changes={"user": user.username, "role": role, "unit": unit.code},
        )
    return assignment


def role_revoke(*, actor: Actor, assignment: RoleAssignment) -> RoleAssignment:
    """End an assignment. It is kept (with ``revoked_at``) as the history of who could see what."""
    unit = assignment.unit
    if not actor.can(Perm.USER_VIEW, unit.path):
        raise NotFoundOrNoAccess.default()
    if not actor.can(Perm.USER_MANAGE, unit.path):
        raise _forbidden()
    with transaction.atomic():
        assignment = (
            RoleAssignment.objects.select_for_update().select_related("user", "unit").get(pk=assignment.pk)
        )
        if assignment.revoked_at is not None:
            raise InvalidInput.single(
                "assignment_revoked", "บทบาทนี้ถูกถอนไปแล้ว", "This role has already been revoked", field="role"
            )
        assignment.revoked_at = timezone.now()
        assignment.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action=AuditEntry.Action.REVOKE,
            object_type="accounts.roleassignment",
            object_id=assignment.pk,
            object_repr=f"{assignment.user.username}: {assignment.role} @ {unit.code}",
            unit_path=unit.path,
            changes={"user": assignment.user.username, "role": assignment.role, "unit": unit.code},
        )
    return assignment


# --- passwords ---------------------------------------------------------------------------------


def user_reset_password(*, actor: Actor, user: User, new_password: str | None = None) -> str:
    """Set a temporary password chosen by an administrator of the enclosing scope; return it once."""
    _ensure_visible(actor, user)
    if user.pk == actor.user_id or not can_act_on(actor, Perm.USER_RESET_PASSWORD, user):
        raise _forbidden()
    password = new_password or generate_temporary_password()
    if new_password and (problems := password_problems(new_password, user, field="new_password")):
        raise InvalidInput(problems)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        audit.record(
            actor=actor,
            action=AuditEntry.Action.PASSWORD_RESET,
            object_type="accounts.user",
            object_id=user.pk,
            object_repr=user.username,
            unit_path=user_unit_path(user),
            changes={"generated": new_password is None, "must_change_password": True},
        )
    return password


def password_change(*, user: User, old_password: str, new_password: str) -> User:
    """The person changes their own password (also how a forced change is completed)."""
    if not user.check_password(old_password):
        raise InvalidInput.single(
            "password_wrong", "รหัสผ่านเดิมไม่ถูกต้อง", "The current password is wrong", field="old_password"
        )
    problems = password_problems(new_password, user, field="new_password")
    if new_password == old_password:
        problems.append(
            Problem(
                code="password_same",
                th="รหัสผ่านใหม่ต้องไม่ซ้ำกับรหัสผ่านเดิม",
                en="The new password must differ from the current one",
                field="new_password",
            )
        )
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit.record(
            actor=actor_for(user),
            action=AuditEntry.Action.UPDATE,
            object_type="accounts.user",
            object_id=user.pk,
            object_repr=user.username,
            unit_path=user_unit_path(user),
            changes={"password_changed": True},
        )
    return user


# --- login events ------------------------------------------------------------------------------

LoginEvent = Literal["login", "login_failed", "logout"]


def login_event_record(
    *, event: LoginEvent, username: str, user: User | None = None, detail: str = ""
) -> AuditEntry:
    """Audit a login, a failed login or a logout. Called by the login/logout views, not by signals.

    A failed attempt on an existing account is filed under that account's unit so that the DPO of
    that office sees it; an unknown username is filed at national level only.
    """
    if user is None and event == "login_failed":
        user = User.objects.filter(username=username).first()
    # A failed attempt is not (yet) the account holder acting: no actor id, the account is the object.
    subject = actor_for(user) if user is not None and event != "login_failed" else None
    entry_actor = subject or Actor(user_id=None, username=username[:150] or "-")
    changes = {"detail": detail} if detail else {}
    with transaction.atomic():
        return audit.record(
            actor=entry_actor,
            action=AuditEntry.Action(event),
            object_type="accounts.session",
            object_id=user.pk if user else "",
            object_repr=username[:150],
            unit_path=user_unit_path(user) if user else "",
            changes=changes,
        )


# --- own preferences ---------------------------------------------------------------------------

LANGUAGES = ("th", "en")


def user_set_language(*, user: User, language: str) -> User:
    """The person stores the language the platform should start in for them (``th`` or ``en``).

    Acting on oneself needs no permission. Audited like any other change of a user; choosing the
    language already stored writes nothing.
    """
    if language not in LANGUAGES:
        raise InvalidInput.single(
            "language_invalid",
            "ภาษาต้องเป็น th (ไทย) หรือ en (อังกฤษ)",
            "The language must be th (Thai) or en (English)",
            field="preferred_language",
        )
    if user.preferred_language == language:
        return user
    with transaction.atomic():
        before = user.preferred_language
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        audit.record(
            actor=actor_for(user),
            action=AuditEntry.Action.UPDATE,
            object_type="accounts.user",
            object_id=user.pk,
            object_repr=user.username,
            unit_path=user_unit_path(user),
            changes={"preferred_language": [before, language]},
        )
    return user
