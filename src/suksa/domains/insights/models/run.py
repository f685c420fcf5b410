"""One insights run: every stage computed for one monitoring round, with its provenance."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from suksa.domains.insights.models.choices import RunStatus, RunTrigger


class InsightRun(models.Model):
    """A computation of all insights of a round (``suksa insights run --round R``).

    ``stages`` records each stage as it runs: ``{key: {"status": "done"|"running"|"failed",
    "seconds": float, "peak_mib": float, "counts": {...}, "method_version": str,
    "finished_at": iso}}``. A failed or interrupted run is *resumed* by running it again: stages
    already ``done`` are kept, the rest are recomputed (each stage first deletes its own results of
    this run, so a stage is idempotent). ``is_current`` marks the latest completed run of a round:
    readers show only its results.

    Personal data: the username of who asked. Retention: the two latest runs of a round are kept
    with their results; older ones are deleted by the next run.
    """

    round = models.ForeignKey("monitoring.Round", on_delete=models.CASCADE, related_name="insight_runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    trigger = models.CharField(max_length=10, choices=RunTrigger.choices, default=RunTrigger.CLI)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    parameters = models.JSONField(default=dict, blank=True)
    method_versions = models.JSONField(default=dict, blank=True)  # stage key -> method version
    stages = models.JSONField(default=dict, blank=True)
    # Data the run read: counts of values, reports, narratives, schools; latest value timestamp.
    inputs = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    is_current = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["round", "is_current"], name="insightrun_current")]

    def __str__(self) -> str:
        return f"insights #{self.pk} {self.round_id} {self.status}"
