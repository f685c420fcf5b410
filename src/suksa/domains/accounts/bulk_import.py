"""Bulk user import from CSV/XLSX: every bad row reported with its place and reason, all-or-nothing.

Decision: imported people get an unusable password and ``must_change_password``. An administrator
of their scope then issues each a temporary password (:func:`services.user_reset_password`, shown
once), so no uploaded file, report or download ever carries a working password, and re-importing a
file cannot silently reset anyone's password.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from django.db import transaction
from django.db.models.functions import Lower

from suksa.core import audit
from suksa.core.errors import InvalidInput, PermissionDenied, Problem
from suksa.core.middleware import current_context
from suksa.core.models import AuditEntry, OrgUnit
from suksa.core.policy import ROLE_LABELS, Actor, Perm, Role
from suksa.core.tabular import Column, ImportReport, Row, read_rows
from suksa.core.text import normalize_thai
from suksa.domains.accounts.models import RoleAssignment, User
from suksa.domains.accounts.selectors import active_assignments, common_unit_path
from suksa.domains.accounts.validation import USERNAME_RE, email_problem, role_problem, user_changes

IMPORT_COLUMNS = (
    Column("username", ("ชื่อผู้ใช้", "username", "user")),
    Column("title_th", ("คำนำหน้า", "คำนำหน้าชื่อ", "title"), required=False),
    Column("first_name_th", ("ชื่อ", "first_name_th", "ชื่อ (ไทย)")),
    Column("last_name_th", ("นามสกุล", "last_name_th", "นามสกุล (ไทย)")),
    Column("first_name_en", ("ชื่อภาษาอังกฤษ", "first_name_en", "first_name"), required=False),
    Column("last_name_en", ("นามสกุลภาษาอังกฤษ", "last_name_en", "last_name"), required=False),
    Column("email", ("อีเมล", "email", "e-mail"), required=False),
    Column("phone", ("โทรศัพท์", "phone"), required=False),
    Column("role", ("บทบาท", "role")),
    Column("unit_code", ("รหัสหน่วยงาน", "unit_code", "รหัสโรงเรียน", "school_code")),
)


def _role_lookup() -> dict[str, Role]:
    table: dict[str, Role] = {}
    for role, (th, en) in ROLE_LABELS.items():
        for name in (role.value, th, en):
            table[normalize_thai(name).casefold().replace(" ", "")] = role
    return table


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u00ad"), None)


def _clean_cell(value: str) -> str:
    """NFC, no zero-width characters, single spaces; case is kept (names are shown as typed)."""
    return " ".join(unicodedata.normalize("NFC", value or "").translate(_INVISIBLE).split())


@dataclass
class _ImportRow:
    row: Row
    username: str
    unit: OrgUnit
    role: Role
    fields: dict[str, str]


def _parse_import_row(
    row: Row, filename: str, units: dict[str, OrgUnit | None], roles: dict[str, Role], seen: dict[str, int]
) -> tuple[_ImportRow | None, list[Problem]]:
    v = {k: _clean_cell(val) for k, val in row.values.items()}

    def problem(field: str, code: str, th: str, en: str) -> Problem:
        return row.problem(field, code, th, en, file=filename)

    problems: list[Problem] = []
    username = v.get("username", "")
    if not USERNAME_RE.match(username):
        problems.append(
            problem(
                "username",
                "username_format",
                "ชื่อผู้ใช้ต้องยาว 3–150 ตัวอักษร ใช้ได้เฉพาะ a–z A–Z 0–9 และ . _ @ + -",
                "A username is 3–150 characters: a–z, A–Z, 0–9 and . _ @ + - only",
            )
        )
    elif username.casefold() in seen:
        first = seen[username.casefold()]
        problems.append(
            problem(
                "username",
                "username_duplicate_in_file",
                f"ชื่อผู้ใช้ '{username}' ซ้ำกับแถว {first} ในไฟล์เดียวกัน",
                f"The username '{username}' repeats row {first} of this file",
            )
        )
    else:
        seen[username.casefold()] = row.number
    for key, th, en in (("first_name_th", "ชื่อ", "first name"), ("last_name_th", "นามสกุล", "last name")):
        if not v.get(key):
            problems.append(problem(key, "required", f"ต้องระบุ{th}", f"A {en} is required"))
    if (email := v.get("email", "")) and email_problem(email):
        problems.append(
            problem(
                "email",
                "email_invalid",
                f"อีเมล '{email}' ไม่ถูกต้อง",
                f"'{email}' is not a valid e-mail address",
            )
        )
    code = v.get("unit_code", "")
    # A unit outside the actor's scope is reported exactly like a unit that does not exist.
    unit = units.get(code)
    if unit is None:
        problems.append(
            problem(
                "unit_code", "unit_unknown", f"ไม่พบหน่วยงานรหัส '{code}'", f"No unit with the code '{code}'"
            )
        )
    role = roles.get(normalize_thai(v.get("role", "")).casefold().replace(" ", ""))
    if role is None:
        problems.append(
            problem(
                "role",
                "role_unknown",
                f"ไม่รู้จักบทบาท '{v.get('role', '')}'",
                f"Unknown role '{v.get('role', '')}'",
            )
        )
    elif unit is not None and (p := role_problem(role.value, unit)):
        problems.append(p.located(row=row.number, column=row.columns.get("role", "role"), file=filename))
    if problems or unit is None or role is None:
        return None, problems
    fields = {
        "title_th": v.get("title_th", ""),
        "first_name_th": v["first_name_th"],
        "last_name_th": v["last_name_th"],
        "first_name": v.get("first_name_en", ""),
        "last_name": v.get("last_name_en", ""),
        "email": v.get("email", ""),
        "phone": v.get("phone", ""),
    }
    return _ImportRow(row=row, username=username, unit=unit, role=role, fields=fields), []


def _units_in_scope(actor: Actor, codes: Iterable[str]) -> dict[str, OrgUnit | None]:
    found: dict[str, OrgUnit | None] = {}
    for chunk in _chunks(sorted(set(codes)), 900):
        units = OrgUnit.objects.filter(code__in=chunk, is_active=True).filter(actor.scope_q(Perm.USER_MANAGE))
        found.update((u.code, u) for u in units)
    return found


def _existing_status(
    item: _ImportRow, filename: str, existing: User | None, held: set[tuple[int, str, int]]
) -> tuple[str, Problem | None]:
    """ "new", "unchanged" (same person, same active role) or a problem for a taken username.

    ``held`` is every active (user id, role, unit id) of the existing accounts in the file.
    """
    if existing is None:
        return "new", None
    same_person = all(getattr(existing, k) == val for k, val in item.fields.items())
    if same_person and (existing.pk, item.role.value, item.unit.pk) in held:
        return "unchanged", None
    return "taken", item.row.problem(
        "username",
        "username_taken",
        f"ชื่อผู้ใช้ '{item.username}' มีอยู่แล้วในระบบ",
        f"The username '{item.username}' already exists",
        file=filename,
    )


def users_import(*, actor: Actor, file: BinaryIO, filename: str, keep_valid: bool = False) -> ImportReport:
    """Create accounts from a CSV/XLSX file, reporting every bad row with its place and reason.

    All-or-nothing unless ``keep_valid``. Imported people get an unusable password and
    ``must_change_password``: an administrator of their scope issues each a temporary password with
    :func:`~suksa.domains.accounts.services.user_reset_password`, so no file or report ever carries a working password. Re-importing
    a file is harmless: a row whose person already exists identically (same names, contact details
    and active role on the unit) counts as unchanged; a different person under a taken username is a
    problem.
    """
    if not actor.can_anywhere(Perm.USER_MANAGE):
        raise PermissionDenied.default()
    report = ImportReport(file=filename)
    try:
        rows = list(read_rows(file, filename, IMPORT_COLUMNS))
    except InvalidInput as exc:
        report.problems = list(exc.problems)
        return report
    report.rows_read = len(rows)
    units = _units_in_scope(actor, (r.values.get("unit_code", "").strip() for r in rows))
    roles = _role_lookup()
    seen: dict[str, int] = {}
    parsed: list[_ImportRow] = []
    for row in rows:
        item, problems = _parse_import_row(row, filename, units, roles, seen)
        report.problems += problems
        if item is not None:
            parsed.append(item)
    # Usernames are unique case-insensitively, so existing accounts are matched on the folded name.
    folded = [p.username.casefold() for p in parsed]
    existing: dict[str, User] = {}
    held: set[tuple[int, str, int]] = set()
    # Chunks keep each IN (...) under SQLite's bound-parameter limit on national-size files.
    for chunk in _chunks(folded, 900):
        found = list(User.objects.annotate(folded=Lower("username")).filter(folded__in=chunk))
        existing.update((u.username.casefold(), u) for u in found)
        held.update(
            active_assignments()
            .filter(user__in=[u.pk for u in found])
            .values_list("user_id", "role", "unit_id")
        )
    to_create: list[_ImportRow] = []
    for item in parsed:
        status, problem = _existing_status(item, filename, existing.get(item.username.casefold()), held)
        if problem is not None:
            report.problems.append(problem)
        elif status == "unchanged":
            report.unchanged += 1
        else:
            to_create.append(item)
    report.problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    if report.problems and not keep_valid:
        report.unchanged = 0
        return report
    with transaction.atomic():
        entries = _import_all(actor, to_create)
        audit.record_many(entries)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.IMPORT,
            object_type="accounts.user",
            object_repr=filename,
            unit_path=_import_unit_path(actor, to_create),
            changes={
                "file": filename,
                "rows_read": report.rows_read,
                "created": len(to_create),
                "unchanged": report.unchanged,
                "rejected_rows": report.rejected_rows,
            },
        )
    report.created = len(to_create)
    report.committed = True
    report.kept_valid_rows = keep_valid and bool(report.problems)
    return report


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _import_all(actor: Actor, items: list[_ImportRow]) -> list[AuditEntry]:
    """Insert the accounts and their roles in bulk (one statement per batch, not per row)."""
    users = []
    for item in items:
        user = User(username=item.username, must_change_password=True, **item.fields)
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=1000)
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=user, role=item.role.value, unit=item.unit, granted_by_id=actor.user_id)
            for user, item in zip(users, items, strict=True)
        ],
        batch_size=1000,
    )
    return [
        AuditEntry(
            actor_id=actor.user_id,
            actor_username=actor.username,
            action=AuditEntry.Action.CREATE,
            object_type="accounts.user",
            object_id=str(user.pk),
            object_repr=user.username,
            unit_path=item.unit.path,
            changes={
                **user_changes(user),
                "role": item.role.value,
                "unit": item.unit.code,
                "imported": True,
            },
            source=_source(actor),
        )
        for user, item in zip(users, items, strict=True)
    ]


def _source(actor: Actor) -> str:
    ctx = current_context()
    return ctx.source if ctx.source != "cli" else actor.source


def _import_unit_path(actor: Actor, items: list[_ImportRow]) -> str:
    return common_unit_path([i.unit.path for i in items] or actor.scope_paths(Perm.USER_MANAGE))
