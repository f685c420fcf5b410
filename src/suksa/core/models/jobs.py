"""Background jobs: long imports and computations that report progress to the person who asked.

See :mod:`suksa.core.jobs` for how a job runs (in-process thread in the embedded setup, the
``suksa worker`` command in production; both read this table).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Job(models.Model):
    """One long-running task and its progress.

    Personal data: who asked; an uploaded input file may hold personal data (students), so the file
    is deleted when the job finishes and the row keeps only counts and problems. Retention: rows are
    kept 1 year, then deleted.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "รอคิว / Queued"
        RUNNING = "running", "กำลังทำงาน / Running"
        DONE = "done", "เสร็จ / Done"
        FAILED = "failed", "ไม่สำเร็จ / Failed"

    kind = models.CharField(max_length=60)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True)
    input_file = models.CharField(max_length=500, blank=True)
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(null=True, blank=True)
    message_th = models.CharField(max_length=500, blank=True)
    message_en = models.CharField(max_length=500, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="job_status_created")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, int(100 * self.progress_done / self.progress_total))
