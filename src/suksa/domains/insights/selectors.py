"""Shared read rules of insights: which run a page shows and which units' results an actor sees.

Scope: a result about a unit is visible to an actor holding the permission (``insights.view``,
``alert.view`` …) on that unit **or on a unit below it** — an ESA director sees their own ESA's
results and, as comparison, the aggregates of their inspection region and of the nation, never
another ESA's or another ESA's schools'. National roles see everything. Peer comparisons show
peer *aggregates* (median, interval, count), never a named other unit, to a scoped actor.

Every slice's selectors build on :func:`unit_visible_q` and :func:`run_for`.
"""

from __future__ import annotations

from django.db.models import Q

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.lookups import subtree_q
from suksa.core.models import OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.insights.models import InsightRun
from suksa.domains.insights.services.run import current_run
from suksa.domains.monitoring.models import Round
from suksa.domains.monitoring.selectors import round_get


def unit_visible_q(actor: Actor, perm: Perm = Perm.INSIGHTS_VIEW, field: str = "unit") -> Q:
    """Rows whose ``field`` (an OrgUnit FK) the actor may see: in scope, or an ancestor of a
    scope root (the region and nation aggregates an ESA compares itself with)."""
    paths = actor.scope_paths(perm)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for p in paths:
        q |= subtree_q(p, f"{field}__path")
    ancestors = actor.ancestor_paths(perm)
    if ancestors:
        q |= Q(**{f"{field}__path__in": sorted(ancestors)})
    return q


def unit_in_scope_q(actor: Actor, perm: Perm = Perm.INSIGHTS_VIEW, field: str = "unit") -> Q:
    """Strictly in scope (no ancestors): for rows that are about one unit and name peers."""
    return actor.scope_q(perm, f"{field}__path")


def can_see_unit(actor: Actor, unit: OrgUnit, perm: Perm = Perm.INSIGHTS_VIEW) -> bool:
    return actor.can(perm, unit.path) or unit.path in actor.ancestor_paths(perm)


def unit_get(actor: Actor, unit_id: int, perm: Perm = Perm.INSIGHTS_VIEW) -> OrgUnit:
    """A unit the actor may see results of, or 404 (unknown and forbidden look the same)."""
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None or not can_see_unit(actor, unit, perm):
        raise NotFoundOrNoAccess.default()
    return unit


def default_round() -> Round | None:
    """The latest round that has a completed run (else the latest round with reports)."""
    run = (
        InsightRun.objects.filter(is_current=True)
        .select_related("round__framework")
        .order_by("-round__period_end", "-pk")
        .first()
    )
    if run is not None:
        return run.round
    return (
        Round.objects.select_related("framework")
        .filter(reports__isnull=False)
        .order_by("-period_end")
        .first()
    )


def rounds_with_runs() -> list[Round]:
    ids = set(InsightRun.objects.filter(is_current=True).values_list("round_id", flat=True))
    return list(Round.objects.select_related("framework").filter(pk__in=ids).order_by("-period_end"))


def run_for(round_id: int | None) -> tuple[Round | None, InsightRun | None]:
    """The round a page asked for (or the default) and its current run (None before any run)."""
    rnd = round_get(round_id) if round_id is not None else default_round()
    if rnd is None:
        return None, None
    return rnd, current_run(rnd)
