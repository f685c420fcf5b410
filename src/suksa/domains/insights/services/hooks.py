"""Starting a run from outside the run driver: when a report is approved, and in this process.

**On approval.** ``monitoring.services.review.on_report_approved`` calls :func:`on_report_approved` once the
approval has been saved. It queues a run of the report's round as the system
(:func:`~suksa.domains.insights.services.run.start_run`, trigger ``approval``) **after the
surrounding transaction commits** (an approval rolled back starts nothing), and is debounced: while
a run of the round is queued or running, ``start_run`` returns that run instead of queueing
another, so thirty approvals in an afternoon start one computation at a time, not thirty. An
approval that arrives while a run is already computing is picked up by the next approval's run (or
the bureau's button); the run reads every report handed in, approved or not, so nothing is lost.

Switch: ``settings.SUKSA_INSIGHTS_ON_APPROVAL`` (default ``True``; the test settings turn it off so
that review tests do not run a whole insights computation inline).

**In this process.** :func:`run_in_process` is what ``suksa insights run``, the demo and the
benchmark call: it creates a run (or takes a failed one to resume) and computes it here, reporting
each stage as it starts, optionally restricted to some stages and with peak memory traced.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction

from suksa.core import audit
from suksa.core.errors import Conflict, InvalidInput, PermissionDenied, Problem
from suksa.core.models import AuditEntry
from suksa.core.policy import SYSTEM, Actor
from suksa.domains.insights.models import InsightRun
from suksa.domains.insights.models.choices import RunStatus, RunTrigger
from suksa.domains.insights.services.run import may_run, run_round, stages, start_run
from suksa.domains.monitoring.models import Report, Round

log = logging.getLogger(__name__)


def enabled() -> bool:
    return bool(getattr(settings, "SUKSA_INSIGHTS_ON_APPROVAL", True))


def recompute_round(round_id: int) -> InsightRun | None:
    """Queue a run of the round (or return the one already queued or running)."""
    rnd = Round.objects.select_related("framework").filter(pk=round_id).first()
    if rnd is None:
        return None
    try:
        return start_run(actor=SYSTEM, round=rnd, trigger=RunTrigger.APPROVAL)
    except Exception:  # an approval must never fail because the insights could not be queued
        log.exception("could not queue the insights run of round %s after an approval", round_id)
        return None


def on_report_approved(report: Report) -> None:
    """Queue the recomputation of the report's round once the approval is committed."""
    if not enabled():
        return
    round_id = report.round_id
    transaction.on_commit(lambda: recompute_round(round_id))


def check_stage_keys(only: list[str] | None) -> list[str] | None:
    """``only`` as given, or :class:`InvalidInput` naming the unknown keys and the valid ones."""
    if only is None:
        return None
    valid = [s.key for s in stages()]
    unknown = [k for k in only if k not in valid]
    if unknown:
        raise InvalidInput(
            [
                Problem(
                    code="unknown_stage",
                    th=f"ไม่รู้จักขั้นตอน {', '.join(unknown)}; ขั้นตอนที่มี: {', '.join(valid) or '-'}",
                    en=f"Unknown stage {', '.join(unknown)}; the stages are: {', '.join(valid) or '-'}",
                    field="only",
                )
            ]
        )
    return only


def run_in_process(
    *,
    actor: Actor,
    round: Round | None = None,
    resume: InsightRun | None = None,
    only: list[str] | None = None,
    trace_memory: bool = False,
    trigger: str = RunTrigger.CLI,
    report: Callable[[int, int | None, str], None] | None = None,
) -> InsightRun:
    """Compute a new run of ``round`` here, or resume the failed run ``resume`` (its done stages
    are kept; its own ``only`` and memory tracing apply again). Returns the run, done or failed."""
    if not may_run(actor):
        raise PermissionDenied.single(
            "insights_run_forbidden",
            "ต้องเป็นเจ้าหน้าที่ติดตามและประเมินผลส่วนกลางจึงจะสั่งคำนวณได้",
            "Only a national M&E officer may start an insights run.",
        )
    if resume is not None:
        if resume.status == RunStatus.DONE:
            raise Conflict(
                [
                    Problem(
                        code="run_already_done",
                        th=f"การคำนวณ #{resume.pk} เสร็จแล้ว ไม่มีอะไรให้ทำต่อ",
                        en=f"Run #{resume.pk} is already done: there is nothing to resume",
                        field="resume",
                    )
                ]
            )
        stored = resume.parameters.get("only")
        return run_round(resume, report=report, only=list(stored) if stored is not None else None)
    if round is None:
        raise InvalidInput.single("round", "ต้องระบุรอบการรายงาน", "A round is required")
    check_stage_keys(only)
    parameters: dict[str, object] = {"trace_memory": trace_memory}
    if only is not None:
        parameters["only"] = only
    run = InsightRun.objects.create(
        round=round, trigger=trigger, requested_by_id=actor.user_id, parameters=parameters
    )
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="insights.InsightRun",
        object_id=run.pk,
        object_repr=f"{round.key} #{run.pk}",
        changes={"step": "insights.run.start", "round": round.key, "trigger": trigger, "only": only},
    )
    return run_round(run, report=report, only=only)
