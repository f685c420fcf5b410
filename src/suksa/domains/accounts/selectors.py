"""Reads of users and role assignments, always scoped to the actor.

A user is visible when they hold at least one active role on a unit inside the actor's
``user.view`` scope. A national system administrator also sees accounts with no role at all
(new, imported or fully revoked ones). Anything else is reported exactly like a missing id.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.policy import Actor, Perm
from suksa.domains.accounts.models import RoleAssignment, User


def is_national(actor: Actor, perm: Perm) -> bool:
    """Does the actor hold ``perm`` through a grant on the nation itself?"""
    return actor.can_nationally(perm)


def active_assignments() -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(revoked_at__isnull=True)


def users_visible_to(actor: Actor) -> QuerySet[User]:
    if is_national(actor, Perm.USER_MANAGE):
        return User.objects.all()
    in_scope = active_assignments().filter(actor.scope_q(Perm.USER_VIEW, "unit__path")).values("user_id")
    return User.objects.filter(pk__in=in_scope)


def user_get(actor: Actor, user_id: Any) -> User:
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        raise NotFoundOrNoAccess.default() from None
    user = users_visible_to(actor).filter(pk=pk).first()
    if user is None:
        raise NotFoundOrNoAccess.default()
    return user


def assignments_of(user: User) -> QuerySet[RoleAssignment]:
    """Every assignment of ``user``, active ones first, then the revoked history."""
    return (
        RoleAssignment.objects.filter(user=user)
        .select_related("unit", "granted_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "unit__path", "role")
    )


def active_assignments_of(user: User) -> QuerySet[RoleAssignment]:
    return assignments_of(user).filter(revoked_at__isnull=True)


def assignments_visible_to(actor: Actor) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(actor.scope_q(Perm.USER_VIEW, "unit__path")).select_related(
        "user", "unit"
    )


def assignment_get(actor: Actor, assignment_id: Any) -> RoleAssignment:
    try:
        pk = int(assignment_id)
    except (TypeError, ValueError):
        raise NotFoundOrNoAccess.default() from None
    assignment = assignments_visible_to(actor).filter(pk=pk).first()
    if assignment is None:
        raise NotFoundOrNoAccess.default()
    return assignment


def common_unit_path(paths: list[str]) -> str:
    """The deepest unit path that encloses every path given ("" when none)."""
    if not paths:
        return ""
    split = [[p for p in path.split("/") if p] for path in paths]
    common: list[str] = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return "/" + "/".join(common) + "/" if common else ""


def user_unit_path(user: User) -> str:
    """Where the user's audit entries belong: the unit enclosing all their active roles."""
    paths = list(active_assignments().filter(user=user).values_list("unit__path", flat=True))
    return common_unit_path(paths)
