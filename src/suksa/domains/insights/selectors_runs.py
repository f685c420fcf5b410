"""Reads of the runs pages: which runs an actor may see, one run's provenance, headline counts.

Runs are national computations (every ESA's results at once), so their provenance — parameters,
inputs, per-stage timings, errors, who asked — is shown to the national roles holding
``insights.view`` (executives, the M&E bureau); anyone else gets not found for a run, as for a
missing one. Everyone with ``insights.view`` sees the insights home with **headline counts of the
current run restricted to their scope** (an ESA director counts their own ESA's trends, strengths,
deviant schools, work checks and alerts, never another ESA's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.jobs import percent_of, progress_of
from suksa.core.policy import Actor, Perm
from suksa.domains.insights.models import (
    Alert,
    CaseStudyPick,
    InsightRun,
    SchoolDeviance,
    Strength,
    Trend,
    WorkCheck,
)
from suksa.domains.insights.models.choices import AlertStatus, ClaimVerdict, RunStatus, Verdict
from suksa.domains.insights.selectors import unit_in_scope_q, unit_visible_q
from suksa.domains.insights.services.run import active_run, may_run, stages
from suksa.domains.monitoring.models import Round

RUNS_PAGE = 50


def may_see_runs(actor: Actor) -> bool:
    return actor.is_authenticated and (actor.can_nationally(Perm.INSIGHTS_VIEW) or may_run(actor))


def may_start(actor: Actor) -> bool:
    return actor.is_authenticated and may_run(actor)


def runs_list(actor: Actor, round_id: int | None = None) -> QuerySet[InsightRun]:
    """Runs newest first (every round, or one); empty for an actor who may not see runs."""
    if not may_see_runs(actor):
        return InsightRun.objects.none()
    qs = InsightRun.objects.select_related("round__framework", "requested_by").order_by("-pk")
    if round_id is not None:
        qs = qs.filter(round_id=round_id)
    return qs


def run_get(actor: Actor, run_id: int) -> InsightRun:
    run = runs_list(actor).select_related("job").filter(pk=run_id).first()
    if run is None:
        raise NotFoundOrNoAccess.default()
    return run


@dataclass
class StageRow:
    key: str
    label_th: str
    label_en: str
    status: str  # done | failed | pending | running
    seconds: float | None = None
    peak_mib: float | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    method_version: str = ""
    finished_at: str = ""


def stage_rows(run: InsightRun) -> list[StageRow]:
    """Every registered stage in order with what the run recorded (plus recorded stages that are
    no longer registered, at the end); the first not-done stage of a running run is ``running``."""
    rows: list[StageRow] = []
    known = set()
    running_marked = False
    only = run.parameters.get("only")
    for st in stages():
        known.add(st.key)
        if only is not None and st.key not in only:
            continue
        info = run.stages.get(st.key) or {}
        status = str(info.get("status") or "pending")
        if status == "pending" and run.status == RunStatus.RUNNING and not running_marked:
            status, running_marked = "running", True
        rows.append(_row(st.key, st.label_th, st.label_en, status, info, run, st.method_version))
    for key, info in run.stages.items():
        if key not in known:
            rows.append(_row(key, key, key, str(info.get("status") or ""), info, run, ""))
    return rows


def _row(
    key: str, th: str, en: str, status: str, info: dict[str, Any], run: InsightRun, version: str
) -> StageRow:
    counts = {
        k: v
        for k, v in (info.get("counts") or {}).items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }
    return StageRow(
        key=key,
        label_th=th,
        label_en=en,
        status=status,
        seconds=info.get("seconds"),
        peak_mib=info.get("peak_mib"),
        counts=counts,
        method_version=str(info.get("method_version") or run.method_versions.get(key) or version),
        finished_at=str(info.get("finished_at") or ""),
    )


@dataclass(frozen=True)
class Progress:
    run: InsightRun
    stages_done: int
    stages_total: int
    current_th: str
    current_en: str
    step_done: int
    step_total: int | None
    percent: int | None
    finished: bool


def run_progress(run: InsightRun) -> Progress:
    """How far a run has got: stages done, the stage computing now, and the job's own progress."""
    rows = stage_rows(run)
    done = sum(1 for r in rows if r.status == "done")
    current = next((r for r in rows if r.status == "running"), None)
    step_done, step_total, percent = 0, None, None
    if run.job is not None:
        step_done, step_total = progress_of(run.job)
        percent = percent_of(run.job)
    finished = run.status in (RunStatus.DONE, RunStatus.FAILED)
    if percent is None and rows:
        percent = int(100 * done / len(rows)) if not finished else 100
    return Progress(
        run=run, stages_done=done, stages_total=len(rows),
        current_th=current.label_th if current else "", current_en=current.label_en if current else "",
        step_done=step_done, step_total=step_total, percent=percent, finished=finished,
    )  # fmt: skip


def active_run_for(actor: Actor, rnd: Round) -> InsightRun | None:
    if not may_see_runs(actor):
        return None
    run = active_run(rnd)
    if run is not None and run.job_id is not None:
        run = InsightRun.objects.select_related("job", "round__framework").get(pk=run.pk)
    return run


def headline(actor: Actor, run: InsightRun) -> dict[str, int]:
    """Counts of the run's results in the actor's scope (one query per kind of result)."""
    trends = (
        Trend.objects.filter(run=run)
        .filter(unit_visible_q(actor))
        .aggregate(
            trends=Count("pk"),
            significant_trends=Count("pk", filter=Q(significant=True)),
            good_trends=Count("pk", filter=Q(significant=True, good=True)),
            bad_trends=Count("pk", filter=Q(significant=True, good=False)),
        )
    )
    strengths = (
        Strength.objects.filter(run=run, indicator="")
        .filter(unit_in_scope_q(actor))
        .aggregate(
            strong=Count("pk", filter=Q(verdict=Verdict.STRONG)),
            weak=Count("pk", filter=Q(verdict=Verdict.WEAK)),
        )
    )
    deviants = (
        SchoolDeviance.objects.filter(run=run, is_deviant=True)
        .filter(unit_in_scope_q(actor, field="esa"))
        .values("school_id")
        .distinct()
        .count()
    )
    checks = (
        WorkCheck.objects.filter(run=run)
        .filter(unit_in_scope_q(actor, field="esa"))
        .aggregate(
            works=Count("pk"),
            supported=Count("pk", filter=Q(verdict=ClaimVerdict.SUPPORTED)),
            unsupported=Count("pk", filter=Q(verdict=ClaimVerdict.UNSUPPORTED)),
        )
    )
    cases = CaseStudyPick.objects.filter(run=run).filter(unit_in_scope_q(actor, field="esa")).count()
    alerts = 0
    if actor.can_anywhere(Perm.ALERT_VIEW):
        alerts = (
            Alert.objects.filter(round_id=run.round_id)
            .exclude(status=AlertStatus.RESOLVED)
            .filter(unit_visible_q(actor, Perm.ALERT_VIEW))
            .count()
        )
    return {
        **trends,
        **strengths,
        "deviant_schools": deviants,
        **checks,
        "case_studies": cases,
        "open_alerts": alerts,
    }
