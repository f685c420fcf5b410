"""Shared read rules of the cockpit: which run a dashboard shows and which figures an actor sees.

Scope follows insights (``insights.selectors``): a figure about a unit is visible to an actor with
``insights.view`` on that unit or below it — an ESA director sees their own ESA, its schools and,
as comparison, their region's and the nation's aggregates; never another ESA's or its schools'.
Province figures are aggregates of several ESAs: national roles see all of them; an inspector sees
the provinces of their region; ESA roles see none (the tile map is a national view). Peer
comparisons show peer *aggregates* to scoped actors (the figures' ``peer`` holds no other unit).

Every cockpit slice's selectors (``selectors_<slice>.py``) build on these.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from suksa.core.models import OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.cockpit.models import Figure, Level, Summary
from suksa.domains.insights.models import InsightRun
from suksa.domains.insights.selectors import can_see_unit, run_for, unit_get, unit_visible_q
from suksa.domains.monitoring.models import Round

__all__ = ["CockpitState", "can_see_unit", "cockpit_state", "figures_visible", "home_unit", "unit_get"]


@dataclass(frozen=True)
class CockpitState:
    """The round a dashboard shows, its current insights run and the run's cockpit summary."""

    round: Round | None
    run: InsightRun | None
    summary: Summary | None

    @property
    def ready(self) -> bool:
        return self.summary is not None


def cockpit_state(round_id: int | None) -> CockpitState:
    """The asked-for round (or the latest with a completed run), its run and summary (2–3 queries).

    Raises ``NotFoundOrNoAccess`` for an unknown round id.
    """
    rnd, run = run_for(round_id)
    summary = Summary.objects.filter(run=run).first() if run is not None else None
    return CockpitState(rnd, run, summary)


def figures_visible(actor: Actor, run: InsightRun) -> QuerySet[Figure]:
    """The run's figures the actor may see (units in scope or their ancestors; provinces by region)."""
    unit_q = Q(unit__isnull=False) & unit_visible_q(actor, Perm.INSIGHTS_VIEW)
    if actor.can_nationally(Perm.INSIGHTS_VIEW):
        province_q = Q(level=Level.PROVINCE)
    else:
        regions = [p for p in actor.scope_paths(Perm.INSIGHTS_VIEW) if p.count("/") == 3]
        province_q = Q(level=Level.PROVINCE, parent__path__in=regions) if regions else Q(pk__in=[])
    return Figure.objects.filter(run=run).filter(unit_q | province_q)


def home_unit(actor: Actor) -> OrgUnit | None:
    """The unit whose dashboard an actor lands on: None for national roles (the national overview),
    else the highest unit of their insights scope (an inspector's region, an ESA director's ESA)."""
    if actor.can_nationally(Perm.INSIGHTS_VIEW):
        return None
    paths = sorted(actor.scope_paths(Perm.INSIGHTS_VIEW), key=lambda p: (p.count("/"), p))
    if not paths:
        return None
    return OrgUnit.objects.filter(path=paths[0]).first()
