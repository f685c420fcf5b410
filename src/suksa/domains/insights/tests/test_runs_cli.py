"""``suksa insights run``: progress, per-stage figures, --only, failure and --resume; the approval hook.

The registry of stages is replaced by three test stages (``alpha`` → ``flaky`` → ``omega``) so that
these tests say exactly what the driver and the command do, whatever real stages exist.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from suksa.core.models import AuditEntry, Job
from suksa.core.policy import SYSTEM
from suksa.domains.insights.models import InsightRun
from suksa.domains.insights.models.choices import RunStatus, RunTrigger
from suksa.domains.insights.services import hooks
from suksa.domains.insights.services import run as run_module
from suksa.domains.insights.services.run import Stage, StageContext, start_run
from suksa.domains.monitoring.models import Report, Round
from suksa.domains.monitoring.models.choices import ReportStatus
from suksa.domains.monitoring.tests.factories import make_framework, make_report, round_of
from tests.factories import World

pytestmark = pytest.mark.django_db

CALLS: list[str] = []
FAIL: set[str] = set()


def _stage(key: str) -> Any:
    def fn(ctx: StageContext) -> dict[str, Any]:
        CALLS.append(key)
        ctx.progress(1, 2)
        if key in FAIL:
            FAIL.discard(key)  # fails once
            raise RuntimeError(f"{key} broke")
        return {"rows": len(CALLS)}

    return fn


@pytest.fixture(autouse=True)
def test_stages(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    registry = {
        key: Stage(key, order, f"ทดสอบ {key}", f"Test {key}", f"{key}-1", _stage(key))
        for key, order in (("alpha", 10), ("flaky", 20), ("omega", 30))
    }
    monkeypatch.setattr(run_module, "_STAGES", registry)
    CALLS.clear()
    FAIL.clear()
    yield
    CALLS.clear()
    FAIL.clear()


@pytest.fixture
def rnd(world: World) -> Round:
    return round_of(make_framework(2569), "m12")


def command(*args: str) -> str:
    out = io.StringIO()
    call_command("insights", *args, stdout=out)
    return out.getvalue()


def test_a_run_prints_each_stage_and_its_figures_and_becomes_current(rnd: Round) -> None:
    out = command("run", "--round", "2569/m12", "--trace-memory")
    run = InsightRun.objects.get()
    assert CALLS == ["alpha", "flaky", "omega"]
    assert run.status == RunStatus.DONE
    assert run.is_current
    assert run.trigger == RunTrigger.CLI
    assert run.parameters == {"trace_memory": True}
    assert run.method_versions == {"alpha": "alpha-1", "flaky": "flaky-1", "omega": "omega-1"}
    for line in (
        "[1/3] ทดสอบ alpha / Test alpha",
        "[2/3] ทดสอบ flaky / Test flaky",
        "[3/3] ทดสอบ omega / Test omega",
    ):
        assert line in out
    assert {k: v["counts"] for k, v in run.stages.items()} == {
        "alpha": {"rows": 1},
        "flaky": {"rows": 2},
        "omega": {"rows": 3},
    }
    assert all(isinstance(v["peak_mib"], float) for v in run.stages.values())
    assert f"run #{run.pk} (now the current run)" in out
    assert (
        AuditEntry.objects.filter(
            action="create", object_type="insights.InsightRun", object_id=str(run.pk)
        ).count()
        == 1
    )


def test_a_failed_stage_exits_non_zero_and_resume_keeps_the_done_stages(rnd: Round) -> None:
    FAIL.add("flaky")
    with pytest.raises(CommandError) as failed:
        command("run", "--round", "2569/m12")
    run = InsightRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert not run.is_current
    assert f"suksa insights run --resume {run.pk}" in str(failed.value)
    assert "failed at stage flaky (flaky: flaky broke)" in str(failed.value)
    assert "ไม่สำเร็จที่ขั้นตอน flaky" in str(failed.value)
    assert run.stages["alpha"]["status"] == "done"
    assert run.stages["flaky"]["status"] == "failed"
    assert "omega" not in run.stages
    alpha_done = run.stages["alpha"]["finished_at"]

    out = command("run", "--resume", str(run.pk))
    run.refresh_from_db()
    assert CALLS == ["alpha", "flaky", "flaky", "omega"]  # alpha was not recomputed
    assert run.stages["alpha"]["finished_at"] == alpha_done
    assert run.stages["flaky"]["status"] == "done"
    assert run.status == RunStatus.DONE
    assert run.is_current
    assert "Resuming the insights of 2569/m12" in out
    assert InsightRun.objects.count() == 1


def test_resuming_a_done_run_is_refused(rnd: Round) -> None:
    command("run", "--round", "2569/m12")
    run = InsightRun.objects.get()
    with pytest.raises(CommandError, match=f"Run #{run.pk} is already done"):
        command("run", "--resume", str(run.pk))
    with pytest.raises(CommandError, match="No run #999999"):
        command("run", "--resume", "999999")


def test_only_runs_the_named_stages_and_does_not_become_current(rnd: Round) -> None:
    out = command("run", "--round", "2569/m12", "--only", "omega,alpha")
    run = InsightRun.objects.get()
    assert CALLS == ["alpha", "omega"]
    assert sorted(run.stages) == ["alpha", "omega"]
    assert run.parameters == {"trace_memory": False, "only": ["omega", "alpha"]}
    assert run.status == RunStatus.DONE
    assert not run.is_current
    assert "(now the current run)" not in out


def test_an_unknown_stage_is_named_with_the_valid_ones(rnd: Round) -> None:
    with pytest.raises(CommandError) as exc:
        command("run", "--round", "2569/m12", "--only", "alpha,nope")
    assert "Unknown stage nope; the stages are: alpha, flaky, omega" in str(exc.value)
    assert "ไม่รู้จักขั้นตอน nope" in str(exc.value)
    assert not InsightRun.objects.exists()


def test_an_unknown_round_lists_the_valid_keys(rnd: Round) -> None:
    with pytest.raises(CommandError) as exc:
        command("run", "--round", "2569/m99")
    message = str(exc.value)
    assert "ไม่พบรอบ “2569/m99”" in message
    assert "No round “2569/m99”" in message
    assert "valid: 2569/m12, 2569/m6" in message
    assert not InsightRun.objects.exists()
    with pytest.raises(CommandError, match="Give --round or --resume"):
        command("run")


# --- the approval hook ---------------------------------------------------------------------------


def _approved(world: World, rnd: Round) -> Report:
    report = make_report(rnd, world.esa_a1)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.APPROVED)
    report.refresh_from_db()
    return report


def test_an_approval_queues_one_run_of_its_round_after_commit(
    world: World, rnd: Round, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SUKSA_INSIGHTS_ON_APPROVAL = True
    settings.SUKSA_JOBS_INLINE = False
    settings.SUKSA_JOBS_MODE = "worker"  # stays queued: the debounce is what is tested
    report = _approved(world, rnd)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        hooks.on_report_approved(report)
    assert not InsightRun.objects.exists()  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    run = InsightRun.objects.get()
    assert (run.round_id, run.trigger, run.status, run.requested_by_id) == (
        rnd.pk,
        RunTrigger.APPROVAL,
        RunStatus.QUEUED,
        None,
    )
    assert run.job_id is not None
    assert Job.objects.get(pk=run.job_id).kind == "insights.run"
    # Debounced: more approvals while the run is queued start nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        hooks.on_report_approved(report)
        hooks.on_report_approved(report)
    assert InsightRun.objects.count() == 1
    assert Job.objects.filter(kind="insights.run").count() == 1


def test_an_approval_runs_the_stages_when_jobs_run_inline(
    world: World, rnd: Round, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SUKSA_INSIGHTS_ON_APPROVAL = True
    with django_capture_on_commit_callbacks(execute=True):
        hooks.on_report_approved(_approved(world, rnd))
    run = InsightRun.objects.get()
    assert run.status == RunStatus.DONE
    assert run.is_current
    assert CALLS == ["alpha", "flaky", "omega"]


def test_the_setting_off_means_no_run(
    world: World, rnd: Round, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SUKSA_INSIGHTS_ON_APPROVAL = False
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        hooks.on_report_approved(_approved(world, rnd))
    assert callbacks == []
    assert not InsightRun.objects.exists()
    assert not Job.objects.exists()


def test_the_review_service_calls_the_hook(world: World, rnd: Round, monkeypatch: pytest.MonkeyPatch) -> None:
    from suksa.domains.monitoring.services import review

    seen: list[int] = []
    monkeypatch.setattr(hooks, "on_report_approved", lambda report: seen.append(report.pk))
    report = _approved(world, rnd)
    review.on_report_approved(report)
    assert seen == [report.pk]


def test_start_run_reuses_the_active_run(world: World, rnd: Round, settings: Any) -> None:
    settings.SUKSA_JOBS_INLINE = False
    settings.SUKSA_JOBS_MODE = "worker"
    first = start_run(actor=SYSTEM, round=rnd, trigger=RunTrigger.APPROVAL)
    second = start_run(actor=SYSTEM, round=rnd, trigger=RunTrigger.WEB)
    assert first.pk == second.pk
