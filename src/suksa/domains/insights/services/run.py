"""The insights run: every stage of a round, in order, idempotent and resumable, with provenance.

A stage is a function ``fn(ctx: StageContext) -> dict`` (its counts) registered with
:func:`stage`. :func:`run_round` runs the registered stages in ``order`` for one
:class:`~suksa.domains.insights.models.InsightRun`:

- each stage runs in its own transaction, first deleting what it wrote before for this run (the
  stage's ``models``), so running it twice writes the same rows once;
- its status, seconds, peak memory (``tracemalloc`` peak while it ran, MiB), counts and method
  version are recorded in ``run.stages`` as soon as it finishes;
- a run that failed (or whose process died) is **resumed** by :func:`run_round` with the same
  run: stages already ``done`` are skipped, so a national run that failed at the last stage does
  not redo the first ones;
- when every stage is done the run becomes the round's current one (``is_current``), and runs of
  the round older than the previous one are deleted with their results.

Shared data (:class:`~suksa.domains.insights.services.data.RoundData`) is loaded once per run and
passed to every stage as ``ctx.data``; stages that need another stage's results read them from the
database (``ctx.run``), which also makes them resumable.

:func:`start_run` is what the command, the button and the approval hook call: it creates the run
and submits it as a background job (``insights.run``), or returns the run already queued or running
for the round, so two clicks (or ten approvals in a minute) start one computation.
"""

from __future__ import annotations

import logging
import time
import traceback
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from suksa.core import audit, jobs
from suksa.core.errors import PermissionDenied, Problem
from suksa.core.models import AuditEntry, Job
from suksa.core.policy import SYSTEM, Actor, Perm
from suksa.domains.insights.models import InsightRun
from suksa.domains.insights.models.choices import RunStatus, RunTrigger
from suksa.domains.insights.services.data import RoundData, load_round_data
from suksa.domains.monitoring.models import Round

log = logging.getLogger(__name__)

JOB_KIND = "insights.run"
KEEP_RUNS = 2  # the current run and the one before it (for comparison and for resuming readers)


@dataclass
class StageContext:
    run: InsightRun
    round: Round
    data: RoundData
    parameters: dict[str, Any]
    report: Callable[[int, int | None, str], None] = lambda done, total, message: None

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        self.report(done, total, message)


@dataclass(frozen=True)
class Stage:
    key: str
    order: int
    label_th: str
    label_en: str
    method_version: str
    fn: Callable[[StageContext], dict[str, Any]]
    # The models whose rows of this run the stage owns (deleted before it runs again).
    models: tuple[type[models.Model], ...] = field(default_factory=tuple)


_STAGES: dict[str, Stage] = {}


def stage(
    key: str,
    *,
    order: int,
    label_th: str,
    label_en: str,
    method_version: str,
    models: tuple[type[models.Model], ...] = (),
) -> Callable[[Callable[[StageContext], dict[str, Any]]], Callable[[StageContext], dict[str, Any]]]:
    """Register a stage of the run (decorator)."""

    def wrap(fn: Callable[[StageContext], dict[str, Any]]) -> Callable[[StageContext], dict[str, Any]]:
        _STAGES[key] = Stage(key, order, label_th, label_en, method_version, fn, models)
        return fn

    return wrap


def stages() -> list[Stage]:
    return sorted(_STAGES.values(), key=lambda s: (s.order, s.key))


def may_run(actor: Actor) -> bool:
    return actor is SYSTEM or actor.can_nationally(Perm.INSIGHTS_RUN)


def _not_allowed() -> PermissionDenied:
    return PermissionDenied(
        [
            Problem(
                code="insights_run_forbidden",
                th="ต้องเป็นเจ้าหน้าที่ติดตามและประเมินผลส่วนกลางจึงจะสั่งคำนวณได้",
                en="Only a national M&E officer may start an insights run.",
            )
        ]
    )


def current_run(rnd: Round | int) -> InsightRun | None:
    """The round's latest completed run, whose results every page shows (None before the first)."""
    round_id = rnd if isinstance(rnd, int) else rnd.pk
    return InsightRun.objects.filter(round_id=round_id, is_current=True).order_by("-pk").first()


def active_run(rnd: Round) -> InsightRun | None:
    return (
        InsightRun.objects.filter(round=rnd, status__in=(RunStatus.QUEUED, RunStatus.RUNNING))
        .order_by("-pk")
        .first()
    )


def start_run(
    *, actor: Actor, round: Round, trigger: str = RunTrigger.WEB, parameters: dict[str, Any] | None = None
) -> InsightRun:
    """Queue a run of ``round`` as a background job (or return the one already queued/running)."""
    if not may_run(actor):
        raise _not_allowed()
    existing = active_run(round)
    if existing is not None:
        return existing
    run = InsightRun.objects.create(
        round=round,
        trigger=trigger,
        requested_by_id=actor.user_id,
        parameters=parameters or {},
    )
    _audit_start(actor, run, round, trigger)
    job = jobs.submit(kind=JOB_KIND, actor=actor, params={"run_id": run.pk})
    InsightRun.objects.filter(pk=run.pk).update(job=job)
    run.refresh_from_db()
    return run


def _job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    run = InsightRun.objects.get(pk=job.params["run_id"])
    run = run_round(run, report=lambda done, total, message: progress(done, total))
    return {"run_id": run.pk, "status": run.status, "stages": run.stages}


jobs.register(JOB_KIND, _job)


def run_round(
    run: InsightRun,
    *,
    report: Callable[[int, int | None, str], None] | None = None,
    only: list[str] | None = None,
) -> InsightRun:
    """Run (or resume) every stage of ``run`` in order. Returns the run, done or failed.

    ``only`` restricts the run to some stage keys (tests and benchmarks); a run restricted so never
    becomes the round's current one unless every stage is done.
    """
    rnd = Round.objects.select_related("framework").get(pk=run.round_id)
    InsightRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=timezone.now(), error="")
    run.refresh_from_db()
    todo = [s for s in stages() if (only is None or s.key in only)]
    say = report or (lambda done, total, message: None)
    t0 = time.perf_counter()
    data = load_round_data(rnd)
    run.inputs = {**data.counts, "load_seconds": round(time.perf_counter() - t0, 3)}
    run.method_versions = {s.key: s.method_version for s in stages()}
    run.save(update_fields=["inputs", "method_versions"])
    for i, st in enumerate(todo):
        if run.stages.get(st.key, {}).get("status") == "done":
            continue
        say(i, len(todo), f"{st.label_th} / {st.label_en}")
        ctx = StageContext(run=run, round=rnd, data=data, parameters=run.parameters, report=say)
        started = time.perf_counter()
        tracing = not tracemalloc.is_tracing() and bool(run.parameters.get("trace_memory"))
        if tracing:
            tracemalloc.start()
        try:
            with transaction.atomic():
                for model in st.models:
                    model._default_manager.filter(run=run).delete()
                counts = st.fn(ctx) or {}
        except Exception as exc:
            if tracing:
                tracemalloc.stop()
            log.exception("insights stage %s failed", st.key)
            run.stages[st.key] = {"status": "failed", "seconds": round(time.perf_counter() - started, 3)}
            run.status = RunStatus.FAILED
            run.error = f"{st.key}: {exc}\n{traceback.format_exc(limit=5)}"
            run.finished_at = timezone.now()
            run.save(update_fields=["stages", "status", "error", "finished_at"])
            return run
        peak = None
        if tracing:
            peak = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
        run.stages[st.key] = {
            "status": "done",
            "seconds": round(time.perf_counter() - started, 3),
            "peak_mib": peak,
            "counts": counts,
            "method_version": st.method_version,
            "finished_at": timezone.now().isoformat(),
        }
        run.save(update_fields=["stages"])
    say(len(todo), len(todo), "เสร็จ / Done")
    complete = all(run.stages.get(s.key, {}).get("status") == "done" for s in stages())
    with transaction.atomic():
        run.status = RunStatus.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        if complete:
            InsightRun.objects.filter(round_id=run.round_id, is_current=True).exclude(pk=run.pk).update(
                is_current=False
            )
            InsightRun.objects.filter(pk=run.pk).update(is_current=True)
            run.is_current = True
            stale = list(
                InsightRun.objects.filter(round_id=run.round_id, status=RunStatus.DONE)
                .order_by("-pk")
                .values_list("pk", flat=True)[KEEP_RUNS:]
            )
            if stale:
                InsightRun.objects.filter(pk__in=stale).delete()
    return run


def run_now(*, actor: Actor, round: Round, trigger: str = RunTrigger.CLI, **parameters: Any) -> InsightRun:
    """Create a run and compute it in this process (the command line, the demo, tests)."""
    if not may_run(actor):
        raise _not_allowed()
    run = InsightRun.objects.create(
        round=round, trigger=trigger, requested_by_id=actor.user_id, parameters=parameters
    )
    _audit_start(actor, run, round, trigger)
    return run_round(run)


def _audit_start(actor: Actor, run: InsightRun, rnd: Round, trigger: str) -> None:
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="insights.InsightRun",
        object_id=run.pk,
        object_repr=f"{rnd.key} #{run.pk}",
        changes={"step": "insights.run.start", "round": rnd.key, "trigger": trigger},
    )


def resume(run: InsightRun) -> InsightRun:
    """Resume a failed or interrupted run: its done stages are kept."""
    return run_round(run)
