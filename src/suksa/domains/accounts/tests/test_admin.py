"""The Django admin for users and roles: only system administrators, scoped, writes via services."""

from __future__ import annotations

import pytest
from django.test import Client

from suksa.core.models import AuditEntry
from suksa.domains.accounts.models import RoleAssignment, User
from tests.factories import World


def staff_client(world: World, name: str) -> Client:
    # Django's is_staff flag is set to prove that the Suksa admin site ignores it: only a
    # sysadmin grant opens the admin (suksa.interfaces.web.admin_site).
    user = world.user(name)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", ["director_a1_1", "esa_director_a1", "dpo", "executive"])
def test_non_sysadmins_cannot_use_the_accounts_admin(world: World, name: str) -> None:
    client = staff_client(world, name)
    for path in ("/admin/accounts/user/", "/admin/accounts/roleassignment/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/admin/login/?next={path}"


def test_esa_sysadmin_sees_only_their_subtree(world: World) -> None:
    client = staff_client(world, "sysadmin_a1")
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 200
    shown = {u.username for u in response.context["cl"].result_list}
    assert "teacher_a1_1" in shown
    assert "director_b1_1" not in shown
    outsider = world.user("director_b1_1")
    assert client.get(f"/admin/accounts/user/{outsider.pk}/change/").status_code == 302  # "does not exist"
    assert client.get("/admin/accounts/user/add/").status_code == 403


def test_admin_edit_goes_through_the_service_and_is_audited(world: World) -> None:
    client = staff_client(world, "sysadmin_a1")
    teacher = world.user("teacher_a1_1")
    data = {
        "title_th": "",
        "first_name_th": "ทดสอบ",
        "last_name_th": "teacher_a1_1",
        "first_name": "Test",
        "last_name": "teacher_a1_1",
        "email": "",
        "phone": "021234567",
        "preferred_language": "th",
        "is_active": "on",
    }
    response = client.post(f"/admin/accounts/user/{teacher.pk}/change/", data)
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.phone == "021234567"
    entry = AuditEntry.objects.get(action="update", object_id=str(teacher.pk))
    assert entry.changes == {"phone": ["", "021234567"]}


def test_admin_revoke_action_uses_the_service(world: World) -> None:
    client = staff_client(world, "sysadmin_a1")
    mine = RoleAssignment.objects.get(user=world.user("teacher_a1_1"))
    theirs = RoleAssignment.objects.get(user=world.user("director_b1_1"))
    response = client.post(
        "/admin/accounts/roleassignment/",
        {"action": "revoke", "_selected_action": [str(mine.pk), str(theirs.pk)]},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None
    assert theirs.revoked_at is None  # outside the scope: not even in the queryset
    assert AuditEntry.objects.filter(action="revoke").count() == 1
    assert User.objects.filter(username="director_b1_1", is_active=True).exists()
