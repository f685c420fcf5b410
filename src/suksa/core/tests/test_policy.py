"""Scopes: minimal roots, subtree boundaries, ancestors, two-factor and role-unit kinds."""

from __future__ import annotations

import pytest

from suksa.core.policy import ROLE_UNIT_KINDS, SYSTEM, Actor, Grant, Perm, Role, roles_with


def actor(*grants: tuple[Role, str, str]) -> Actor:
    return Actor(
        user_id=1,
        username="u",
        grants=tuple(
            Grant(role=r, unit_id=i, unit_path=p, unit_kind=k) for i, (r, p, k) in enumerate(grants)
        ),
    )


def test_scope_paths_are_minimal_and_sorted() -> None:
    a = actor(
        (Role.SYSADMIN, "/OBEC/R01/11201/", "esa"),
        (Role.SYSADMIN, "/OBEC/R01/", "region"),
        (Role.SYSADMIN, "/OBEC/R011/", "region"),
        (Role.SYSADMIN, "/OBEC/R02/15001/1050000001/", "school"),
        (Role.TEACHER, "/OBEC/R03/", "school"),
    )
    assert a.scope_paths(Perm.ORG_MANAGE) == ["/OBEC/R01/", "/OBEC/R011/", "/OBEC/R02/15001/1050000001/"]
    assert a.scope_paths(Perm.ORG_VIEW) == [
        "/OBEC/R01/",
        "/OBEC/R011/",
        "/OBEC/R02/15001/1050000001/",
        "/OBEC/R03/",
    ]
    assert a.scope_paths(Perm.SENSITIVE_READ) == []


def test_can_respects_subtree_boundaries() -> None:
    a = actor((Role.ESA_OFFICER, "/OBEC/R01/", "region"))
    assert a.can(Perm.ORG_VIEW, "/OBEC/R01/")
    assert a.can(Perm.ORG_VIEW, "/OBEC/R01/11201/1012000001/")
    assert not a.can(Perm.ORG_VIEW, "/OBEC/R011/")
    assert not a.can(Perm.ORG_VIEW, "/OBEC/R011/11201/")
    assert not a.can(Perm.ORG_VIEW, "/OBEC/")
    assert not a.can(Perm.ORG_MANAGE, "/OBEC/R01/")
    assert a.can_anywhere(Perm.ORG_VIEW)
    assert not a.can_anywhere(Perm.ORG_MANAGE)


def test_scope_q_selects_only_the_subtree() -> None:
    a = actor((Role.SYSADMIN, "/OBEC/R01/", "region"))
    assert str(a.scope_q(Perm.ORG_MANAGE)) == "(AND: ('path__under', '/OBEC/R01/'))"
    assert str(actor().scope_q(Perm.ORG_VIEW)) == "(AND: ('pk__in', []))"


def test_ancestor_paths() -> None:
    a = actor(
        (Role.SCHOOL_DIRECTOR, "/OBEC/R01/11201/1012000001/", "school"),
        (Role.ESA_OFFICER, "/OBEC/R02/15001/", "esa"),
    )
    assert a.ancestor_paths() == {"/OBEC/", "/OBEC/R01/", "/OBEC/R01/11201/", "/OBEC/R02/"}
    assert actor((Role.SYSADMIN, "/OBEC/", "nation")).ancestor_paths() == set()


@pytest.mark.parametrize(
    ("kind", "needs"), [("nation", True), ("region", True), ("esa", True), ("school", False)]
)
def test_two_factor_by_unit_kind(kind: str, needs: bool) -> None:
    assert actor((Role.DPO, "/X/", kind)).needs_two_factor() is needs


def test_two_factor_when_any_grant_needs_it() -> None:
    a = actor((Role.TEACHER, "/OBEC/R01/11201/1012000001/", "school"), (Role.DPO, "/OBEC/R01/11201/", "esa"))
    assert a.needs_two_factor()
    assert not actor().needs_two_factor()


def test_role_unit_kinds() -> None:
    assert set(ROLE_UNIT_KINDS) == set(Role)
    assert ROLE_UNIT_KINDS[Role.NATIONAL_EXECUTIVE] == {"nation"}
    assert ROLE_UNIT_KINDS[Role.INSPECTOR] == {"nation", "region"}
    assert ROLE_UNIT_KINDS[Role.ESA_OFFICER] == {"esa"}
    assert ROLE_UNIT_KINDS[Role.TEACHER] == {"school"}
    assert ROLE_UNIT_KINDS[Role.SYSADMIN] == {"nation", "region", "esa", "school"}


def test_only_sysadmin_manages_org_units() -> None:
    assert list(roles_with(Perm.ORG_MANAGE)) == [Role.SYSADMIN]
    assert SYSTEM.can(Perm.ORG_MANAGE, "/OBEC/R01/")
    assert not SYSTEM.is_authenticated


# Who touches learners' records: the school, the named ESA roles, teachers for their own rooms;
# executives, inspectors and M&E officers see aggregates only, and nobody outside the school reads
# sensitive data.
STUDENT_PERM_HOLDERS = {
    Perm.STUDENT_VIEW: {
        Role.SCHOOL_DIRECTOR,
        Role.SCHOOL_STAFF,
        Role.ESA_DIRECTOR,
        Role.ESA_OFFICER,
        Role.SYSADMIN,
    },
    Perm.ROOM_VIEW: {Role.TEACHER},
    Perm.STUDENT_EDIT: {Role.SCHOOL_DIRECTOR, Role.SCHOOL_STAFF, Role.SYSADMIN},
    Perm.SENSITIVE_READ: {Role.SCHOOL_DIRECTOR, Role.SCHOOL_STAFF},
    Perm.ATTENDANCE_RECORD: {Role.SCHOOL_DIRECTOR, Role.SCHOOL_STAFF, Role.TEACHER},
    Perm.CENSUS_CERTIFY: {Role.SCHOOL_DIRECTOR},
    Perm.CENSUS_ACKNOWLEDGE: {Role.ESA_DIRECTOR, Role.ESA_OFFICER},
    Perm.CENSUS_CLOSE: {Role.NATIONAL_ME_OFFICER, Role.SYSADMIN},
    Perm.DUPLICATE_RESOLVE: {Role.ESA_DIRECTOR, Role.ESA_OFFICER, Role.SYSADMIN},
    Perm.INDICATOR_COMPUTE: {Role.NATIONAL_ME_OFFICER, Role.SYSADMIN},
}


@pytest.mark.parametrize("perm", list(STUDENT_PERM_HOLDERS), ids=str)
def test_student_permissions_are_held_by_exactly_these_roles(perm: Perm) -> None:
    assert set(roles_with(perm)) == STUDENT_PERM_HOLDERS[perm]


# Monitoring: the bureau manages and reviews, reviewers see only what is assigned to them (no
# report.view), ESA staff fill their own report and only the director submits it.
MONITORING_PERM_HOLDERS = {
    Perm.MONITORING_MANAGE: {Role.NATIONAL_ME_OFFICER},
    Perm.REPORT_VIEW: {
        Role.NATIONAL_EXECUTIVE,
        Role.NATIONAL_ME_OFFICER,
        Role.INSPECTOR,
        Role.ESA_DIRECTOR,
        Role.ESA_OFFICER,
    },
    Perm.REPORT_EDIT: {Role.ESA_DIRECTOR, Role.ESA_OFFICER},
    Perm.REPORT_SUBMIT: {Role.ESA_DIRECTOR},
    Perm.REPORT_REVIEW: {Role.NATIONAL_ME_OFFICER, Role.ME_REVIEWER},
}


@pytest.mark.parametrize("perm", list(MONITORING_PERM_HOLDERS), ids=str)
def test_monitoring_permissions_are_held_by_exactly_these_roles(perm: Perm) -> None:
    assert set(roles_with(perm)) == MONITORING_PERM_HOLDERS[perm]


def test_a_national_duty_needs_the_grant_on_the_nation_itself() -> None:
    nation = Grant(role=Role.NATIONAL_ME_OFFICER, unit_id=1, unit_path="/OBEC/", unit_kind="nation")
    region = Grant(role=Role.NATIONAL_ME_OFFICER, unit_id=2, unit_path="/OBEC/R01/", unit_kind="region")
    assert Actor(user_id=1, username="a", grants=(nation,)).can_nationally(Perm.MONITORING_MANAGE)
    assert not Actor(user_id=2, username="b", grants=(region,)).can_nationally(Perm.MONITORING_MANAGE)
    assert not Actor(user_id=1, username="a", grants=(nation,)).can_nationally(Perm.REPORT_EDIT)
    assert SYSTEM.can_nationally(Perm.ORG_MANAGE)


# Insights: readers of reports read insights, alerts and published briefs of their scope; the bureau
# runs insights and writes briefs; executives, the bureau and ESA directors act on alerts; reviewers
# may be invited to shape a brief.
_READERS = {
    Role.NATIONAL_EXECUTIVE,
    Role.NATIONAL_ME_OFFICER,
    Role.INSPECTOR,
    Role.ESA_DIRECTOR,
    Role.ESA_OFFICER,
}
INSIGHTS_PERM_HOLDERS = {
    Perm.INSIGHTS_VIEW: _READERS,
    Perm.INSIGHTS_RUN: {Role.NATIONAL_ME_OFFICER},
    Perm.ALERT_VIEW: _READERS,
    Perm.ALERT_ACT: {Role.NATIONAL_EXECUTIVE, Role.NATIONAL_ME_OFFICER, Role.ESA_DIRECTOR},
    Perm.BRIEF_VIEW: _READERS | {Role.ME_REVIEWER},
    Perm.BRIEF_WRITE: {Role.NATIONAL_ME_OFFICER},
    Perm.BRIEF_PARTICIPATE: _READERS | {Role.ME_REVIEWER},
}


@pytest.mark.parametrize("perm", list(INSIGHTS_PERM_HOLDERS), ids=str)
def test_insights_permissions_are_held_by_exactly_these_roles(perm: Perm) -> None:
    assert set(roles_with(perm)) == INSIGHTS_PERM_HOLDERS[perm]
