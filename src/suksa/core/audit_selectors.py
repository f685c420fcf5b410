"""Reads of the audit log for the DPO and system administrators, and the sensitive-read helper.

An entry is visible when its ``unit_path`` lies inside the actor's ``audit.view`` scope. Entries
with no unit (failed logins under unknown names, national settings) belong to the nation and are
visible only to actors whose ``audit.view`` grant sits on the nation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from suksa.core import audit
from suksa.core.models import AuditEntry, OrgUnit
from suksa.core.policy import Actor, Perm

_EARLIEST = dt.date(1900, 1, 1)
_LATEST = dt.date(9000, 12, 31)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_entries_visible_to(actor: Actor, filters: Mapping[str, Any] | None = None) -> QuerySet[AuditEntry]:
    """Entries the actor may read, narrowed by ``filters``.

    Filters (all optional): ``date_from`` and ``date_to`` (dates, inclusive, local time),
    ``actor`` (username, case-insensitive substring), ``action``, ``object_type``, ``object_id``
    and ``unit_code`` (that unit's subtree; a unit outside the scope simply yields nothing).
    """
    grants = actor.grants_for(Perm.AUDIT_VIEW)
    if not grants:
        return AuditEntry.objects.none()
    scope = actor.scope_q(Perm.AUDIT_VIEW, "unit_path")
    if any(g.unit_kind == "nation" for g in grants):
        scope |= Q(unit_path="")
    qs = AuditEntry.objects.filter(scope)
    f = filters or {}
    # Bounds at the ends of the calendar would overflow when shifted to UTC: they bound nothing.
    if f.get("date_from") and f["date_from"] > _EARLIEST:
        qs = qs.filter(at__gte=_day_start(f["date_from"]))
    if f.get("date_to") and f["date_to"] < _LATEST:
        qs = qs.filter(at__lt=_day_start(f["date_to"] + dt.timedelta(days=1)))
    if f.get("actor"):
        qs = qs.filter(actor_username__icontains=str(f["actor"]).strip())
    if f.get("action"):
        qs = qs.filter(action=f["action"])
    if f.get("object_type"):
        qs = qs.filter(object_type=f["object_type"])
    if f.get("object_id"):
        qs = qs.filter(object_id=str(f["object_id"]))
    if f.get("unit_code"):
        unit = OrgUnit.objects.filter(code=str(f["unit_code"]).strip()).first()
        qs = qs.filter(unit_path__under=unit.path) if unit else qs.none()
    return qs.order_by("-at", "-id")


def audit_object_types(actor: Actor) -> list[str]:
    """The object types present in the actor's part of the log (for a filter drop-down)."""
    return list(audit_entries_visible_to(actor).order_by().values_list("object_type", flat=True).distinct())


def record_sensitive_read(
    *, actor: Actor, object_type: str, object_id: str | int, unit_path: str, fields: Sequence[str]
) -> AuditEntry:
    """Log that ``actor`` saw sensitive fields (e.g. a citizen ID) of one object.

    Only the field names are stored, never their values. The caller has already checked
    ``sensitive.read``; this helper only writes the trace.
    """
    return audit.record(
        actor=actor,
        action=AuditEntry.Action.READ_SENSITIVE,
        object_type=object_type,
        object_id=object_id,
        unit_path=unit_path,
        changes={"fields": sorted(fields)},
    )
