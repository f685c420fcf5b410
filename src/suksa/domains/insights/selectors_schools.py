"""Read rules of school models: structural groups, their positive deviants, what they share.

A group is an aggregate over many ESAs' schools, so its counts and what its deviants share are
shown to every insights reader who has a school in it; a **scoped** reader (ESA, region) sees a
group only when one of its ESAs is in their scope, sees only their own schools' rows in it, and
only the evidence (narratives, works) of their own ESAs. National readers see everything. Unknown
and forbidden groups look the same (404).
"""

from __future__ import annotations

from dataclasses import dataclass

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.models import OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.insights.models import InsightRun, SchoolDeviance, SchoolGroup
from suksa.domains.insights.selectors import run_for, unit_in_scope_q
from suksa.domains.monitoring.models import Round

PERM = Perm.INSIGHTS_VIEW


def is_national(actor: Actor) -> bool:
    return actor.can_nationally(PERM)


def scope_esa_ids(actor: Actor) -> set[int] | None:
    """The ESAs in the actor's scope (None: every ESA, for national readers)."""
    if is_national(actor):
        return None
    return set(
        OrgUnit.objects.filter(kind="esa").filter(actor.scope_q(PERM, "path")).values_list("pk", flat=True)
    )


def _visible(group: SchoolGroup, esas: set[int] | None) -> bool:
    return esas is None or bool(esas.intersection(group.definition.get("esa_ids", [])))


def _trim(group: SchoolGroup, esas: set[int] | None) -> SchoolGroup:
    if esas is not None:
        group.evidence = [e for e in group.evidence if e.get("esa_id") in esas]
    return group


@dataclass
class SchoolModels:
    round: Round | None
    run: InsightRun | None
    groups: list[SchoolGroup]
    national: bool
    deviants: int  # over the groups shown
    schools: int


def school_models(actor: Actor, round_id: int | None) -> SchoolModels:
    rnd, run = run_for(round_id)
    esas = scope_esa_ids(actor)
    groups: list[SchoolGroup] = []
    if run is not None:
        groups = [
            _trim(g, esas)
            for g in SchoolGroup.objects.filter(run=run).order_by("-deviant_count", "key")
            if _visible(g, esas)
        ]
    return SchoolModels(
        round=rnd, run=run, groups=groups, national=esas is None,
        deviants=sum(g.deviant_count for g in groups), schools=sum(g.school_count for g in groups),
    )  # fmt: skip


@dataclass
class GroupDetail:
    group: SchoolGroup
    rows: list[SchoolDeviance]  # the actor's own schools' rows (deviants first)
    national: bool
    hidden: int  # deviants of the group outside the actor's scope (a count only)


def school_group(actor: Actor, group_id: int) -> GroupDetail:
    group = SchoolGroup.objects.select_related("run__round__framework").filter(pk=group_id).first()
    esas = scope_esa_ids(actor)
    if group is None or not _visible(group, esas):
        raise NotFoundOrNoAccess.default()
    rows = list(
        SchoolDeviance.objects.filter(group=group)
        .filter(unit_in_scope_q(actor, PERM, "esa"))
        .select_related("school", "esa")
        .order_by("-is_deviant", "-z", "school__code")
    )
    shown = sum(1 for r in rows if r.is_deviant)
    return GroupDetail(
        group=_trim(group, esas), rows=rows, national=esas is None, hidden=group.deviant_count - shown
    )
