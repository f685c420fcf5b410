"""Build the policy :class:`~suksa.core.policy.Actor` for a user: one query per request."""

from __future__ import annotations

from typing import Any

from suksa.core.policy import ANONYMOUS, Actor, Grant, Role
from suksa.domains.accounts.models import RoleAssignment


def actor_for(user: Any, source: str = "web") -> Actor:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    rows = (
        RoleAssignment.objects.filter(user_id=user.pk, revoked_at__isnull=True, unit__is_active=True)
        .values_list("role", "unit_id", "unit__path", "unit__kind")
        .order_by("unit__path")
    )
    grants = tuple(Grant(role=Role(r), unit_id=uid, unit_path=p, unit_kind=k) for r, uid, p, k in rows)
    return Actor(user_id=user.pk, username=user.username, grants=grants, source=source)
