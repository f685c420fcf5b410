"""Who sees which users and assignments."""

from __future__ import annotations

import pytest

from suksa.core.errors import NotFoundOrNoAccess
from suksa.domains.accounts.actors import actor_for
from suksa.domains.accounts.models import RoleAssignment, User
from suksa.domains.accounts.selectors import (
    assignments_visible_to,
    common_unit_path,
    user_get,
    user_unit_path,
    users_visible_to,
)
from tests.factories import World


def visible(world: World, name: str) -> set[str]:
    return set(users_visible_to(actor_for(world.user(name))).values_list("username", flat=True))


def test_school_director_sees_only_people_with_roles_in_the_school(world: World) -> None:
    assert visible(world, "director_a1_1") == {"director_a1_1", "staff_a1_1", "teacher_a1_1"}


def test_esa_director_sees_the_esa_and_its_schools_but_not_other_esas(world: World) -> None:
    assert visible(world, "esa_director_a1") == {
        "esa_director_a1",
        "esa_officer_a1",
        "director_a1_1",
        "staff_a1_1",
        "teacher_a1_1",
        "director_a1_2",
        "dpo_a1",
        "sysadmin_a1",
    }


def test_national_sysadmin_sees_everyone_including_users_without_roles(world: World) -> None:
    assert visible(world, "sysadmin") == set(User.objects.values_list("username", flat=True))
    assert "nobody" in visible(world, "sysadmin")


def test_national_dpo_does_not_see_users_without_roles(world: World) -> None:
    assert "nobody" not in visible(world, "dpo")
    assert len(visible(world, "dpo")) == User.objects.count() - 1


def test_roles_without_user_view_see_nobody(world: World) -> None:
    for name in ("teacher_a1_1", "staff_a1_1", "esa_officer_a1", "executive", "inspector_r1", "nobody"):
        assert visible(world, name) == set(), name


def test_revoked_assignment_no_longer_makes_a_user_visible(world: World) -> None:
    RoleAssignment.objects.filter(user=world.user("teacher_a1_1")).update(revoked_at="2026-01-01T00:00Z")
    assert "teacher_a1_1" not in visible(world, "director_a1_1")


def test_user_get_out_of_scope_is_indistinguishable_from_missing(world: World) -> None:
    actor = actor_for(world.user("director_a1_1"))
    assert user_get(actor, world.user("teacher_a1_1").pk) == world.user("teacher_a1_1")
    with pytest.raises(NotFoundOrNoAccess) as out_of_scope:
        user_get(actor, world.user("director_b1_1").pk)
    with pytest.raises(NotFoundOrNoAccess) as missing:
        user_get(actor, 999_999)
    with pytest.raises(NotFoundOrNoAccess) as garbage:
        user_get(actor, "abc")
    assert out_of_scope.value.problems == missing.value.problems == garbage.value.problems


def test_assignments_visible_to_is_scoped(world: World) -> None:
    actor = actor_for(world.user("esa_director_a1"))
    paths = set(assignments_visible_to(actor).values_list("unit__path", flat=True))
    assert paths == {world.esa_a1.path, world.school_a1_1.path, world.school_a1_2.path}


def test_common_unit_path() -> None:
    assert common_unit_path([]) == ""
    assert common_unit_path(["/OBEC/R01/11201/"]) == "/OBEC/R01/11201/"
    assert common_unit_path(["/OBEC/R01/11201/1012000001/", "/OBEC/R01/11201/"]) == "/OBEC/R01/11201/"
    assert common_unit_path(["/OBEC/R01/", "/OBEC/R02/"]) == "/OBEC/"


def test_user_unit_path(world: World) -> None:
    assert user_unit_path(world.user("teacher_a1_1")) == world.school_a1_1.path
    assert user_unit_path(world.user("nobody")) == ""
