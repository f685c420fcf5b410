"""Reading alerts and notifications, scoped to the actor.

- An alert is visible to whoever holds ``alert.view`` on its unit (strictly in scope: an ESA's
  staff see their ESA's alerts, never another ESA's).
- A **held** alert (its data fail blocking checks or carry an open data problem) is visible only
  to national M&E officers, who see the reason; everyone else sees nothing of it.
- Notifications: one's own only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.models import Notification, OrgUnit
from suksa.core.policy import Actor, Perm, Role
from suksa.domains.insights.models import Alert, AlertEvent
from suksa.domains.insights.models.choices import AlertStatus, DataQuality
from suksa.domains.insights.selectors import unit_in_scope_q


def sees_held(actor: Actor) -> bool:
    """National M&E officers decide what to do about data behind a held alert."""
    return any(g.role == Role.NATIONAL_ME_OFFICER and g.unit_kind == "nation" for g in actor.grants)


def alerts_visible(actor: Actor) -> QuerySet[Alert]:
    qs = Alert.objects.filter(unit_in_scope_q(actor, Perm.ALERT_VIEW))
    if not sees_held(actor):
        qs = qs.exclude(quality=DataQuality.HELD)
    return qs


OPEN = "open"  # a status filter: every alert not yet resolved (new, acknowledged, action recorded)


@dataclass(frozen=True)
class AlertFilters:
    round: int | None = None
    severity: str = ""
    kind: str = ""
    domain: str = ""
    area: int | None = None  # an org unit: alerts about it or units below it
    status: str = ""
    quality: str = ""


def alerts_for(actor: Actor, f: AlertFilters) -> QuerySet[Alert]:
    qs = alerts_visible(actor)
    if f.round is not None:
        qs = qs.filter(round_id=f.round)
    if f.severity:
        qs = qs.filter(severity=f.severity)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.domain:
        qs = qs.filter(domain=f.domain)
    if f.status == OPEN:
        qs = qs.exclude(status=AlertStatus.RESOLVED)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.quality:
        qs = qs.filter(quality=f.quality)
    if f.area is not None:
        area = OrgUnit.objects.filter(pk=f.area).first()
        qs = qs.filter(unit__path__startswith=area.path) if area is not None else qs.none()
    return qs.select_related("unit", "round__framework").order_by("-round__period_end", "status", "-pk")


def alert_get(actor: Actor, alert_id: int) -> Alert:
    """One visible alert, or not found (unknown, out of scope and held-for-others look alike)."""
    alert = (
        alerts_visible(actor)
        .select_related("unit", "round__framework", "last_run")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        raise NotFoundOrNoAccess.default()
    return alert


def alert_events(alert: Alert) -> QuerySet[AlertEvent]:
    return AlertEvent.objects.filter(alert=alert).select_related("actor").order_by("at", "pk")


def alert_counts(actor: Actor) -> dict[str, int]:
    """Open alerts by severity (the inbox header)."""
    rows = (
        alerts_visible(actor)
        .exclude(status="resolved")
        .values("severity")
        .annotate(n=Count("pk"))
        .order_by("severity")
    )
    return {r["severity"]: r["n"] for r in rows}


def alert_domains(actor: Actor) -> list[str]:
    return sorted(set(alerts_visible(actor).exclude(domain="").values_list("domain", flat=True).distinct()))


def alert_areas(actor: Actor) -> list[OrgUnit]:
    """Units the actor may filter by: ESAs (and regions above them) with visible alerts."""
    unit_ids = set(alerts_visible(actor).values_list("unit_id", flat=True).distinct())
    units = list(
        OrgUnit.objects.filter(pk__in=unit_ids).only("pk", "code", "name_th", "name_en", "parent_id")
    )
    region_ids = {u.parent_id for u in units if u.parent_id}
    regions = list(
        OrgUnit.objects.filter(pk__in=region_ids, kind="region")
        .filter(actor.scope_q(Perm.ALERT_VIEW))
        .only("pk", "code", "name_th", "name_en")
    )
    return sorted([*regions, *units], key=lambda u: u.code)


def notifications_for(actor: Actor, unread_only: bool = False) -> QuerySet[Notification]:
    if actor.user_id is None:
        return Notification.objects.none()
    qs = Notification.objects.filter(user_id=actor.user_id)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def notification_get(actor: Actor, notification_id: int) -> Notification:
    n = notifications_for(actor).filter(pk=notification_id).first()
    if n is None:
        raise NotFoundOrNoAccess.default()
    return n
