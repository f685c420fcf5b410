"""Background jobs: submit a long task, run it somewhere, report progress to whoever asked.

A *kind* names a callable ``fn(job, progress) -> dict`` registered with :func:`register` by the
module that owns the work (``students.import`` is registered by the students import service).
:func:`submit` stores a :class:`~suksa.core.models.Job` (and the uploaded input file under
``MEDIA_ROOT/jobs/``) and then, depending on the mode:

* ``SUKSA_JOBS_INLINE = True`` (tests): runs it at once, in the caller's thread;
* ``SUKSA_JOBS_MODE = "thread"`` (the embedded default): runs it in a daemon thread of the web
  process once the submitting transaction has committed;
* ``SUKSA_JOBS_MODE = "worker"`` (production): leaves it queued for ``suksa worker``, which
  claims queued jobs one at a time (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL).

:func:`run` marks the job running, calls the kind's function, stores its result (or a bilingual
failure message) and deletes the input file, which may hold personal data.

Progress is written to a small side file (``jobs/<id>.progress``), not to the job row: a job
such as an all-or-nothing import runs inside one long transaction, and on SQLite no other
connection may write while it does (on PostgreSQL the row would stay invisible until commit).
:class:`Progress` writes at most about once a second; :func:`progress_of` merges the side file
with the row for the progress page and the API.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from suksa.core.errors import NotFoundOrNoAccess, SuksaError
from suksa.core.models import Job, OrgUnit
from suksa.core.policy import Actor, Role

log = logging.getLogger(__name__)

JobFn = Callable[[Job, "Progress"], dict[str, Any]]
_KINDS: dict[str, JobFn] = {}

JOBS_SUBDIR = "jobs"
PROGRESS_EVERY_SECONDS = 1.0


def register(kind: str, fn: JobFn) -> JobFn:
    """Declare what runs a job of ``kind`` (idempotent: a module may be imported twice)."""
    _KINDS[kind] = fn
    return fn


def registered(kind: str) -> JobFn | None:
    return _KINDS.get(kind)


def jobs_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / JOBS_SUBDIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def input_path(job: Job) -> Path | None:
    return Path(settings.MEDIA_ROOT) / job.input_file if job.input_file else None


def _progress_path(job_id: int) -> Path:
    return jobs_dir() / f"{job_id}.progress"


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^\w.\-]+", "_", Path(name).name, flags=re.UNICODE).strip("._") or "upload"
    return stem[-100:]


def _store_input(source: Any, filename: str) -> str:
    """Copy an uploaded file (Django ``UploadedFile``, a binary file object or bytes) under
    ``MEDIA_ROOT/jobs/`` and return its path relative to ``MEDIA_ROOT``."""
    relative = f"{JOBS_SUBDIR}/{uuid.uuid4().hex}-{_safe_name(filename)}"
    target = Path(settings.MEDIA_ROOT) / relative
    jobs_dir()
    with target.open("wb") as out:
        if isinstance(source, bytes | bytearray):
            out.write(source)
        elif hasattr(source, "chunks"):
            for chunk in source.chunks():
                out.write(chunk)
        else:
            stream: IO[bytes] = source
            while chunk := stream.read(1 << 20):
                out.write(chunk)
    return relative


def mode() -> str:
    if getattr(settings, "SUKSA_JOBS_INLINE", False):
        return "inline"
    return str(getattr(settings, "SUKSA_JOBS_MODE", "thread"))


def submit(
    *,
    kind: str,
    actor: Actor,
    unit: OrgUnit | None = None,
    params: dict[str, Any],
    input_file: Any = None,
    filename: str = "",
) -> Job:
    """Queue a job of ``kind`` for ``actor`` and start it according to :func:`mode`.

    ``input_file`` (an upload, a binary file object or bytes) is copied to the jobs folder; the
    job deletes it when it finishes. The caller checks permissions before submitting; the job's
    function checks them again as the requester.
    """
    if kind not in _KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    stored = ""
    if input_file is not None:
        stored = _store_input(input_file, filename or getattr(input_file, "name", "") or "upload")
    job = Job.objects.create(
        kind=kind, requested_by_id=actor.user_id, unit=unit, params=params, input_file=stored
    )
    how = mode()
    if how == "inline":
        run(job)
        job.refresh_from_db()
    elif how == "thread":
        job_id = job.pk
        transaction.on_commit(lambda: start_thread(job_id))
    return job


def start_thread(job_id: int) -> threading.Thread:
    thread = threading.Thread(target=_run_in_thread, args=(job_id,), name=f"suksa-job-{job_id}", daemon=True)
    thread.start()
    return thread


def _run_in_thread(job_id: int) -> None:
    try:
        job = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).first()
        if job is not None:
            run(job)
    finally:
        connection.close()  # the thread's own connection


def claim_next() -> Job | None:
    """Take the oldest queued job for this process (``suksa worker``), or None."""
    with transaction.atomic():
        qs = Job.objects.filter(status=Job.Status.QUEUED).order_by("created_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        job = qs.first()
        if job is None:
            return None
        # The conditional update makes the claim safe on SQLite too (one writer at a time).
        claimed = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING, started_at=timezone.now()
        )
        if not claimed:
            return None
    job.refresh_from_db()
    return job


def run(job: Job) -> Job:
    """Run one job to the end: running → done (with its result) or failed (with why)."""
    fn = _KINDS.get(job.kind)
    if job.status == Job.Status.QUEUED:
        Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
        job.status, job.started_at = Job.Status.RUNNING, timezone.now()
    progress = Progress(job)
    fields: dict[str, Any]
    try:
        if fn is None:
            raise SuksaError.single(
                "job_kind_unknown", f"ไม่รู้จักงานประเภท {job.kind}", f"Unknown job kind {job.kind}"
            )
        result = fn(job, progress)
        message_th, message_en = result.pop("_message", ("เสร็จเรียบร้อย", "Done"))
        fields = {
            "status": Job.Status.DONE,
            "result": result,
            "message_th": message_th,
            "message_en": message_en,
        }
    except SuksaError as exc:
        fields = {
            "status": Job.Status.FAILED,
            "result": {"errors": [p.as_dict() for p in exc.problems]},
            "message_th": exc.summary("th")[:500],
            "message_en": exc.summary("en")[:500],
        }
    except Exception as exc:  # a job must always end, whatever broke
        log.error("job %s (%s) failed:\n%s", job.pk, job.kind, traceback.format_exc())
        fields = {
            "status": Job.Status.FAILED,
            "result": {"error": exc.__class__.__name__},
            "message_th": "งานล้มเหลวเพราะข้อผิดพลาดของระบบ ผู้ดูแลระบบตรวจสอบได้จากบันทึกของเซิร์ฟเวอร์",
            "message_en": "The job failed because of a system error; administrators can see it in the server log",
        }
    fields.update(
        finished_at=timezone.now(),
        progress_done=progress.done,
        progress_total=progress.total if progress.total is not None else progress.done,
    )
    Job.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)
    _cleanup(job)
    return job


def _cleanup(job: Job) -> None:
    path = input_path(job)
    if path is not None:
        path.unlink(missing_ok=True)
    _progress_path(job.pk).unlink(missing_ok=True)


class Progress:
    """How far a job has got; writes the side file at most every ``every_seconds``.

    Call it as ``progress(done, total)`` (``total`` None when unknown, e.g. rows of a streamed
    CSV before its end); :attr:`writes` counts what it wrote (tests check that it is bounded).
    """

    def __init__(self, job: Job | None, every_seconds: float = PROGRESS_EVERY_SECONDS) -> None:
        self.job_id = job.pk if job is not None else None
        self.every_seconds = every_seconds
        self.done = 0
        self.total: int | None = None
        self.writes = 0
        self._last = float("-inf")

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done, self.total = done, total
        now = time.monotonic()
        if now - self._last < self.every_seconds:
            return
        self._last = now
        self.flush()

    def flush(self) -> None:
        if self.job_id is None:
            return
        path = _progress_path(self.job_id)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"done": self.done, "total": self.total}))
        os.replace(tmp, path)
        self.writes += 1


def progress_of(job: Job) -> tuple[int, int | None]:
    """(done, total) of a job: the side file while it runs, the row once it has finished."""
    if job.status == Job.Status.RUNNING:
        try:
            data = json.loads(_progress_path(job.pk).read_text())
            return int(data["done"]), (int(data["total"]) if data.get("total") is not None else None)
        except (OSError, ValueError, KeyError):
            return 0, None
    return job.progress_done, job.progress_total


def percent_of(job: Job) -> int | None:
    if job.status == Job.Status.DONE:
        return 100
    done, total = progress_of(job)
    if not total:
        return None
    return min(99 if job.status == Job.Status.RUNNING else 100, int(100 * done / total))


def job_get(actor: Actor, job_id: int) -> Job:
    """A job its requester (or a system administrator over the job's unit) may follow.

    Anyone else — including the requester's colleagues — gets not found, as for a missing job.
    """
    job = Job.objects.select_related("unit").filter(pk=job_id).first()
    if job is None or not actor.is_authenticated or not _may_see(actor, job):
        raise NotFoundOrNoAccess.default()
    return job


def _may_see(actor: Actor, job: Job) -> bool:
    if job.requested_by_id is not None and job.requested_by_id == actor.user_id:
        return True
    return job.unit is not None and any(
        g.role == Role.SYSADMIN and g.covers(job.unit.path) for g in actor.grants
    )


def work_queue(
    *, once: bool = False, poll_seconds: float = 2.0, stop: Callable[[], bool] | None = None
) -> int:
    """Process queued jobs until ``stop()`` (or, with ``once``, until the queue is empty)."""
    processed = 0
    while not (stop and stop()):
        # Drop broken or expired connections between jobs, as Django does between requests; never
        # inside a transaction (a caller's atomic block, a test): closing there breaks that transaction
        # on PostgreSQL ("the connection is closed"), while SQLite's in-memory connection ignores it.
        if not connection.in_atomic_block:
            close_old_connections()
        job = claim_next()
        if job is None:
            if once:
                break
            time.sleep(poll_seconds)
            continue
        run(job)
        processed += 1
    return processed
