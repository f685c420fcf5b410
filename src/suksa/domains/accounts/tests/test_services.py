"""UMS write services: permission matrix, validation, audit, and nothing written on a denial."""

from __future__ import annotations

from typing import Any

import pytest

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied
from suksa.core.models import AuditEntry
from suksa.core.policy import ANONYMOUS, Actor
from suksa.domains.accounts import services
from suksa.domains.accounts.actors import actor_for
from suksa.domains.accounts.models import RoleAssignment, User
from tests.factories import PASSWORD, World

NEW_PASSWORD = "Kanom-Krok-2569!"


def counts() -> tuple[int, int, int]:
    return User.objects.count(), RoleAssignment.objects.count(), AuditEntry.objects.count()


def actor(world: World, name: str) -> Actor:
    return ANONYMOUS if name == "anonymous" else actor_for(world.user(name))


def create_teacher(world: World, who: Actor, **extra: Any) -> User:
    args: dict[str, Any] = {
        "actor": who,
        "username": "new.teacher",
        "first_name_th": "สมศรี",
        "last_name_th": "ใจดี",
        "email": "somsri@example.org",
        "role": "teacher",
        "unit": world.school_a1_1,
        "password": NEW_PASSWORD,
    }
    return services.user_create(**{**args, **extra})


# --- user_create ---------------------------------------------------------------------------------

DENIED_CREATE = [
    "anonymous",
    "director_b1_1",  # another school
    "esa_officer_b1",  # another ESA
    "director_a1_1",  # the same school, but directors do not create accounts
    "esa_director_a1",  # the same ESA, no user.manage
    "dpo_a1",
    "executive",  # national, no user.manage
    "dpo",
    "nobody",
]


@pytest.mark.parametrize("name", DENIED_CREATE)
def test_user_create_denied_writes_nothing(world: World, name: str) -> None:
    before = counts()
    with pytest.raises(PermissionDenied):
        create_teacher(world, actor(world, name))
    assert counts() == before
    assert not User.objects.filter(username="new.teacher").exists()


@pytest.mark.parametrize("name", ["sysadmin_a1", "sysadmin"])
def test_user_create_by_sysadmin_of_the_scope(world: World, name: str) -> None:
    before = counts()
    user = create_teacher(world, actor(world, name))
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert user.check_password(NEW_PASSWORD)
    assert user.must_change_password is True
    assignment = RoleAssignment.objects.get(user=user)
    assert (assignment.role, assignment.unit, assignment.granted_by) == (
        "teacher",
        world.school_a1_1,
        world.user(name),
    )
    entry = AuditEntry.objects.get(object_type="accounts.user", object_id=str(user.pk))
    assert entry.action == "create"
    assert entry.actor_username == name
    assert entry.unit_path == world.school_a1_1.path
    assert entry.changes["role"] == "teacher"
    assert entry.changes["password_set"] is True
    assert NEW_PASSWORD not in str(entry.changes)
    assert user.password not in str(entry.changes)


def test_sysadmin_of_one_esa_cannot_create_in_another(world: World) -> None:
    before = counts()
    with pytest.raises(PermissionDenied):
        create_teacher(world, actor(world, "sysadmin_a1"), unit=world.school_b1_1)
    assert counts() == before


def test_user_create_without_role_only_from_the_nation(world: World) -> None:
    before = counts()
    with pytest.raises(InvalidInput) as exc:
        create_teacher(world, actor(world, "sysadmin_a1"), role=None, unit=None)
    assert exc.value.problems[0].code == "role_required"
    assert counts() == before
    user = create_teacher(world, actor(world, "sysadmin"), role=None, unit=None, password=None)
    assert not user.has_usable_password()
    assert RoleAssignment.objects.filter(user=user).count() == 0


def test_user_create_validation_is_bilingual_and_complete(world: World) -> None:
    before = counts()
    with pytest.raises(InvalidInput) as exc:
        create_teacher(
            world,
            actor(world, "sysadmin"),
            username="teacher_a1_1",
            email="not-an-email",
            first_name_th=" ",
            role="esa_director",
            password="12345",
        )
    codes = [(p.code, p.field) for p in exc.value.problems]
    assert codes[:5] == [
        ("username_taken", "username"),
        ("email_invalid", "email"),
        ("required", "first_name_th"),
        ("role_not_allowed_on_unit", "role"),
        ("password_weak", "password"),
    ]
    role_problem = exc.value.problems[3]
    assert role_problem.th == "บทบาท 'ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษา' มอบให้ที่หน่วยงานประเภทโรงเรียนไม่ได้"
    assert role_problem.en == "The role 'ESA director' cannot be granted on a unit of kind School"
    weak = [p for p in exc.value.problems if p.code == "password_weak"]
    assert all(p.th and p.en and p.th != p.en for p in weak)
    assert counts() == before


def test_username_format_and_case_insensitive_uniqueness(world: World) -> None:
    with pytest.raises(InvalidInput) as exc:
        create_teacher(world, actor(world, "sysadmin"), username="ครู หนึ่ง")
    assert exc.value.problems[0].code == "username_format"
    with pytest.raises(InvalidInput) as exc:
        create_teacher(world, actor(world, "sysadmin"), username="Teacher_A1_1")
    assert exc.value.problems[0].code == "username_taken"


# --- user_update ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("anonymous", NotFoundOrNoAccess),
        ("director_b1_1", NotFoundOrNoAccess),
        ("esa_officer_b1", NotFoundOrNoAccess),
        ("director_a1_1", PermissionDenied),  # sees the teacher, may not manage
        ("esa_director_a1", PermissionDenied),
        ("dpo", PermissionDenied),
    ],
)
def test_user_update_denied_changes_nothing(world: World, name: str, error: type[Exception]) -> None:
    teacher = world.user("teacher_a1_1")
    before = counts()
    with pytest.raises(error):
        services.user_update(actor=actor(world, name), user=teacher, data={"phone": "0812345678"})
    teacher.refresh_from_db()
    assert teacher.phone == ""
    assert counts() == before


def test_user_update_deactivation_sets_deactivated_at_and_audits(world: World) -> None:
    teacher = world.user("teacher_a1_1")
    user = services.user_update(
        actor=actor(world, "sysadmin_a1"), user=teacher, data={"is_active": False, "phone": "0812345678"}
    )
    assert user.is_active is False
    assert user.deactivated_at is not None
    entry = AuditEntry.objects.get(action="update", object_id=str(teacher.pk))
    assert entry.changes == {"is_active": [True, False], "phone": ["", "0812345678"]}
    assert entry.unit_path == world.school_a1_1.path
    user = services.user_update(actor=actor(world, "sysadmin_a1"), user=teacher, data={"is_active": True})
    assert user.deactivated_at is None


def test_user_update_unchanged_data_writes_no_audit(world: World) -> None:
    before = counts()
    services.user_update(actor=actor(world, "sysadmin"), user=world.user("teacher_a1_1"), data={"phone": ""})
    assert counts() == before


def test_user_update_rejects_unknown_fields_and_self_deactivation(world: World) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.user_update(
            actor=actor(world, "sysadmin"), user=world.user("teacher_a1_1"), data={"password": "x"}
        )
    assert exc.value.problems[0].code == "field_unknown"
    with pytest.raises(InvalidInput) as exc:
        services.user_update(
            actor=actor(world, "sysadmin"), user=world.user("sysadmin"), data={"is_active": False}
        )
    assert exc.value.problems[0].code == "self_deactivate"


def test_esa_sysadmin_cannot_update_a_user_who_also_works_elsewhere(world: World) -> None:
    teacher = world.user("teacher_a1_1")
    RoleAssignment.objects.create(user=teacher, role="teacher", unit=world.school_b1_1)
    with pytest.raises(PermissionDenied):
        services.user_update(actor=actor(world, "sysadmin_a1"), user=teacher, data={"phone": "1"})


# --- role_grant / role_revoke --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("anonymous", NotFoundOrNoAccess),
        ("director_b1_1", NotFoundOrNoAccess),
        ("esa_officer_b1", NotFoundOrNoAccess),
        ("director_a1_1", PermissionDenied),
        ("esa_director_a1", PermissionDenied),
        ("executive", NotFoundOrNoAccess),
        ("dpo", PermissionDenied),
    ],
)
def test_role_grant_denied_writes_nothing(world: World, name: str, error: type[Exception]) -> None:
    before = counts()
    with pytest.raises(error):
        services.role_grant(
            actor=actor(world, name),
            user=world.user("teacher_a1_1"),
            role="school_staff",
            unit=world.school_a1_1,
        )
    assert counts() == before


def test_role_grant_checks_unit_kind_duplicates_and_scope(world: World) -> None:
    admin = actor(world, "sysadmin_a1")
    teacher = world.user("teacher_a1_1")
    with pytest.raises(InvalidInput) as exc:
        services.role_grant(actor=admin, user=teacher, role="esa_officer", unit=world.school_a1_2)
    assert exc.value.problems[0].code == "role_not_allowed_on_unit"
    with pytest.raises(InvalidInput) as exc:
        services.role_grant(actor=admin, user=teacher, role="teacher", unit=world.school_a1_1)
    assert exc.value.problems[0].code == "assignment_exists"
    with pytest.raises(PermissionDenied):
        services.role_grant(actor=admin, user=teacher, role="teacher", unit=world.school_b1_1)
    before = counts()
    assignment = services.role_grant(actor=admin, user=teacher, role="teacher", unit=world.school_a1_2)
    assert counts() == (before[0], before[1] + 1, before[2] + 1)
    entry = AuditEntry.objects.get(action="grant")
    assert entry.object_id == str(assignment.pk)
    assert entry.unit_path == world.school_a1_2.path
    assert entry.changes == {"user": "teacher_a1_1", "role": "teacher", "unit": world.school_a1_2.code}


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("anonymous", NotFoundOrNoAccess),
        ("director_b1_1", NotFoundOrNoAccess),
        ("esa_officer_b1", NotFoundOrNoAccess),
        ("esa_officer_a1", NotFoundOrNoAccess),
        ("director_a1_1", PermissionDenied),
        ("dpo", PermissionDenied),
    ],
)
def test_role_revoke_denied_changes_nothing(world: World, name: str, error: type[Exception]) -> None:
    assignment = RoleAssignment.objects.get(user=world.user("teacher_a1_1"))
    before = counts()
    with pytest.raises(error):
        services.role_revoke(actor=actor(world, name), assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.revoked_at is None
    assert counts() == before


def test_role_revoke_keeps_the_row_and_refuses_twice(world: World) -> None:
    assignment = RoleAssignment.objects.get(user=world.user("teacher_a1_1"))
    revoked = services.role_revoke(actor=actor(world, "sysadmin_a1"), assignment=assignment)
    assert revoked.revoked_at is not None
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEntry.objects.filter(action="revoke", object_id=str(assignment.pk)).count() == 1
    with pytest.raises(InvalidInput) as exc:
        services.role_revoke(actor=actor(world, "sysadmin_a1"), assignment=assignment)
    assert exc.value.problems[0].code == "assignment_revoked"


# --- passwords -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "target", "error"),
    [
        ("anonymous", "teacher_a1_1", NotFoundOrNoAccess),
        ("director_b1_1", "teacher_a1_1", NotFoundOrNoAccess),  # another school
        ("esa_officer_b1", "teacher_a1_1", NotFoundOrNoAccess),  # another ESA
        ("director_a1_2", "teacher_a1_1", NotFoundOrNoAccess),  # same ESA, other school
        ("esa_officer_a1", "teacher_a1_1", NotFoundOrNoAccess),  # same ESA, no user.view
        ("director_a1_1", "esa_officer_a1", NotFoundOrNoAccess),  # a school director above their scope
        ("dpo", "teacher_a1_1", PermissionDenied),  # sees, may not reset
        ("director_a1_1", "director_a1_1", PermissionDenied),  # not through this service
    ],
)
def test_reset_password_denied_changes_nothing(
    world: World, name: str, target: str, error: type[Exception]
) -> None:
    user = world.user(target)
    before = counts()
    with pytest.raises(error):
        services.user_reset_password(actor=actor(world, name), user=user)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert user.must_change_password is False
    assert counts() == before


def test_school_director_cannot_reset_someone_who_also_holds_an_esa_role(world: World) -> None:
    teacher = world.user("teacher_a1_1")
    RoleAssignment.objects.create(user=teacher, role="esa_officer", unit=world.esa_a1)
    with pytest.raises(PermissionDenied):
        services.user_reset_password(actor=actor(world, "director_a1_1"), user=teacher)
    teacher.refresh_from_db()
    assert teacher.check_password(PASSWORD)
    # The ESA director encloses both roles.
    assert services.user_reset_password(actor=actor(world, "esa_director_a1"), user=teacher)


@pytest.mark.parametrize("name", ["director_a1_1", "esa_director_a1", "sysadmin_a1", "sysadmin"])
def test_reset_password_from_the_enclosing_scope(world: World, name: str) -> None:
    teacher = world.user("teacher_a1_1")
    temporary = services.user_reset_password(actor=actor(world, name), user=teacher)
    assert len(temporary) == 14
    teacher.refresh_from_db()
    assert teacher.check_password(temporary)
    assert teacher.must_change_password is True
    entry = AuditEntry.objects.get(action="password_reset")
    assert entry.actor_username == name
    assert entry.changes == {"generated": True, "must_change_password": True}
    assert temporary not in str(entry.changes)


def test_reset_password_with_a_chosen_weak_password_is_refused(world: World) -> None:
    teacher = world.user("teacher_a1_1")
    with pytest.raises(InvalidInput) as exc:
        services.user_reset_password(actor=actor(world, "sysadmin"), user=teacher, new_password="password")
    assert {p.field for p in exc.value.problems} == {"new_password"}
    teacher.refresh_from_db()
    assert teacher.check_password(PASSWORD)


def test_password_change_by_the_user(world: World) -> None:
    teacher = world.user("teacher_a1_1")
    teacher.must_change_password = True
    teacher.save()
    with pytest.raises(InvalidInput) as exc:
        services.password_change(user=teacher, old_password="wrong", new_password=NEW_PASSWORD)
    assert exc.value.problems[0].code == "password_wrong"
    with pytest.raises(InvalidInput) as exc:
        services.password_change(user=teacher, old_password=PASSWORD, new_password=PASSWORD)
    assert "password_same" in [p.code for p in exc.value.problems]
    services.password_change(user=teacher, old_password=PASSWORD, new_password=NEW_PASSWORD)
    teacher.refresh_from_db()
    assert teacher.check_password(NEW_PASSWORD)
    assert teacher.must_change_password is False
    entry = AuditEntry.objects.get(action="update", object_id=str(teacher.pk))
    assert entry.actor_username == "teacher_a1_1"
    assert entry.changes == {"password_changed": True}


def test_generated_passwords_pass_the_validators(world: World) -> None:
    from django.contrib.auth.password_validation import validate_password

    for _ in range(20):
        validate_password(services.generate_temporary_password(), user=world.user("teacher_a1_1"))


# --- login events --------------------------------------------------------------------------------


def test_login_events_are_audited_under_the_users_unit(world: World) -> None:
    teacher = world.user("teacher_a1_1")
    services.login_event_record(event="login", username="teacher_a1_1", user=teacher)
    services.login_event_record(event="logout", username="teacher_a1_1", user=teacher)
    services.login_event_record(event="login_failed", username="teacher_a1_1")
    services.login_event_record(event="login_failed", username="ghost")
    rows = list(
        AuditEntry.objects.order_by("id").values_list(
            "action", "actor_id", "actor_username", "object_id", "unit_path"
        )
    )
    path = world.school_a1_1.path
    assert rows == [
        ("login", teacher.pk, "teacher_a1_1", str(teacher.pk), path),
        ("logout", teacher.pk, "teacher_a1_1", str(teacher.pk), path),
        ("login_failed", None, "teacher_a1_1", str(teacher.pk), path),
        ("login_failed", None, "ghost", "", ""),
    ]
