"""Read rules of work checks and case studies.

- Work checks are about one ESA's own nominations: a reader sees the checks of the ESAs in their
  scope (national readers all); ``?esa=`` outside the scope is 404, like an unknown id.
- The case-study shortlist is national information about the target areas. National readers see
  the whole list; an inspector sees the picks in their region; an ESA reader sees their own pick
  if there is one, and otherwise only how many target areas were picked (never another ESA).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.models import OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.insights.models import CaseStudyPick, InsightRun, WorkCheck
from suksa.domains.insights.selectors import run_for, unit_get, unit_in_scope_q
from suksa.domains.monitoring.models import Round

PERM = Perm.INSIGHTS_VIEW


@dataclass
class EsaSummary:
    esa_id: int
    code: str
    name_th: str
    name_en: str
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0


@dataclass
class WorkChecks:
    round: Round | None
    run: InsightRun | None
    esa: OrgUnit | None
    checks: list[WorkCheck]  # of ``esa`` (empty when no ESA chosen)
    summary: list[EsaSummary]  # per ESA in scope


def work_checks(actor: Actor, round_id: int | None, esa_id: int | None) -> WorkChecks:
    rnd, run = run_for(round_id)
    esa = None
    if esa_id is not None:
        esa = unit_get(actor, esa_id, PERM)
        if esa.kind != "esa" or not actor.can(PERM, esa.path):
            raise NotFoundOrNoAccess.default()
    if run is None:
        return WorkChecks(rnd, run, esa, [], [])
    scoped = WorkCheck.objects.filter(run=run).filter(unit_in_scope_q(actor, PERM, "esa"))
    summary: dict[int, EsaSummary] = {}
    for eid, code, th, en, verdict in scoped.values_list(
        "esa_id", "esa__code", "esa__name_th", "esa__name_en", "verdict"
    ).order_by("esa__code"):
        s = summary.setdefault(eid, EsaSummary(eid, code, th, en, defaultdict(int)))
        s.counts[verdict] += 1
        s.total += 1
    checks: list[WorkCheck] = []
    if esa is not None:
        checks = list(scoped.filter(esa=esa).select_related("work").order_by("work__rank", "pk"))
    return WorkChecks(
        rnd,
        run,
        esa,
        checks,
        [
            EsaSummary(s.esa_id, s.code, s.name_th, s.name_en, dict(s.counts), s.total)
            for s in summary.values()
        ],
    )


@dataclass
class Cases:
    round: Round | None
    run: InsightRun | None
    picks: list[CaseStudyPick]
    total: int  # picks in the run (all target areas)
    national: bool


def cases(actor: Actor, round_id: int | None) -> Cases:
    rnd, run = run_for(round_id)
    if run is None:
        return Cases(rnd, run, [], 0, actor.can_nationally(PERM))
    all_picks = CaseStudyPick.objects.filter(run=run)
    picks = list(all_picks.filter(unit_in_scope_q(actor, PERM, "esa")).select_related("esa").order_by("rank"))
    return Cases(rnd, run, picks, all_picks.count(), actor.can_nationally(PERM))
