"""Background jobs: submit, run, progress, failure, the worker queue and who may see a job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from suksa.core import jobs
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess
from suksa.core.models import Job
from suksa.domains.accounts.actors import actor_for
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _echo(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    path = jobs.input_path(job)
    data = path.read_bytes() if path else b""
    for i in range(1, 4):
        progress(i, 3)
    return {"bytes": len(data), "params": job.params, "_message": ("สำเร็จ", "Succeeded")}


def _bad_input(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    raise InvalidInput.single("file_empty", "ไฟล์ว่างเปล่า", "The file is empty")


def _crash(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    raise RuntimeError("boom")


jobs.register("test.echo", _echo)
jobs.register("test.bad_input", _bad_input)
jobs.register("test.crash", _crash)


def test_inline_submit_runs_the_job_stores_its_result_and_deletes_the_input(
    world: World, settings: Any, tmp_path: Path
) -> None:
    settings.SUKSA_JOBS_INLINE = True
    actor = actor_for(world.user("director_a1_1"))
    job = jobs.submit(
        kind="test.echo",
        actor=actor,
        unit=world.school_a1_1,
        params={"a": 1},
        input_file=b"12345",
        filename="x.csv",
    )
    assert (job.status, job.result, job.message_th, job.message_en) == (
        "done", {"bytes": 5, "params": {"a": 1}}, "สำเร็จ", "Succeeded",
    )  # fmt: skip
    assert (job.progress_done, job.progress_total, job.requested_by, job.unit) == (
        3, 3, world.user("director_a1_1"), world.school_a1_1,
    )  # fmt: skip
    assert job.started_at is not None
    assert job.finished_at is not None
    assert list((tmp_path / "jobs").iterdir()) == []


@pytest.mark.parametrize(
    ("kind", "code", "message_en"),
    [
        ("test.bad_input", "file_empty", "The file is empty"),
        (
            "test.crash",
            None,
            "The job failed because of a system error; administrators can see it in the server log",
        ),
    ],
)
def test_a_failing_job_is_marked_failed_with_a_bilingual_message(
    world: World, settings: Any, kind: str, code: str | None, message_en: str
) -> None:
    settings.SUKSA_JOBS_INLINE = True
    job = jobs.submit(kind=kind, actor=actor_for(world.user("sysadmin")), params={}, input_file=b"x")
    assert job.status == "failed"
    assert job.message_en == message_en
    assert job.message_th
    if code:
        assert job.result["errors"][0]["code"] == code
    assert not jobs.input_path(job).exists()  # type: ignore[union-attr]


def test_unknown_kinds_are_refused(world: World) -> None:
    with pytest.raises(ValueError, match="unknown job kind"):
        jobs.submit(kind="nope", actor=actor_for(world.user("sysadmin")), params={})


def test_thread_mode_starts_the_job_after_commit(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SUKSA_JOBS_INLINE = False
    settings.SUKSA_JOBS_MODE = "thread"
    started: list[int] = []
    monkeypatch.setattr(jobs, "start_thread", started.append)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.submit(kind="test.echo", actor=actor_for(world.user("sysadmin")), params={})
        assert started == []  # not before the submitting transaction commits
    assert started == [job.pk]
    jobs.run(Job.objects.get(pk=job.pk))
    assert Job.objects.get(pk=job.pk).status == "done"


def test_the_worker_runs_queued_jobs_oldest_first_and_stops_when_the_queue_is_empty(
    world: World, settings: Any
) -> None:
    settings.SUKSA_JOBS_INLINE = False
    settings.SUKSA_JOBS_MODE = "worker"
    actor = actor_for(world.user("sysadmin"))
    first = jobs.submit(kind="test.echo", actor=actor, params={"n": 1})
    second = jobs.submit(kind="test.crash", actor=actor, params={"n": 2})
    assert [first.status, second.status] == ["queued", "queued"]
    assert jobs.work_queue(once=True) == 2
    assert list(Job.objects.order_by("pk").values_list("status", flat=True)) == ["done", "failed"]
    assert jobs.claim_next() is None


def test_progress_writes_are_bounded_in_time_and_read_back_while_running(world: World) -> None:
    job = Job.objects.create(kind="test.echo", status="running")
    progress = jobs.Progress(job, every_seconds=3600)
    for i in range(10_000):
        progress(i, 10_000)
    assert progress.writes == 1  # the first call only; the next would come an hour later
    assert jobs.progress_of(job) == (0, 10_000)
    progress.flush()
    assert jobs.progress_of(job) == (9_999, 10_000)
    assert jobs.percent_of(job) == 99


@pytest.mark.parametrize(
    ("username", "visible"),
    [("director_a1_1", True), ("sysadmin", True), ("sysadmin_a1", True), ("staff_a1_1", False),
     ("esa_director_a1", False), ("director_b1_1", False), ("dpo", False), ("nobody", False)],
)  # fmt: skip
def test_a_job_is_visible_to_its_requester_and_sysadmins_over_its_unit_only(
    world: World, username: str, visible: bool
) -> None:
    job = Job.objects.create(
        kind="test.echo", requested_by=world.user("director_a1_1"), unit=world.school_a1_1
    )
    actor = actor_for(world.user(username))
    if visible:
        assert jobs.job_get(actor, job.pk) == job
    else:
        with pytest.raises(NotFoundOrNoAccess):
            jobs.job_get(actor, job.pk)
    with pytest.raises(NotFoundOrNoAccess):
        jobs.job_get(actor, job.pk + 1)
