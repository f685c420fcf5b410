"""An ESA's report for one round: pre-filled and reported values, narratives, evidence and its
nominated outstanding works, with the traces of how it was filled (problems raised, time spent)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from suksa.domains.monitoring.models.catalogue import Indicator, Standard
from suksa.domains.monitoring.models.choices import (
    ProblemStatus,
    ReminderKind,
    ReportStatus,
    ValueOrigin,
    Verification,
)
from suksa.domains.monitoring.models.framework import NarrativeSection, Round

MAX_WORKS = 5


class Report(models.Model):
    """One ESA's monitoring report for one round.

    ``lock_version`` is the optimistic lock: every save names the version it was read at and is
    refused (nothing lost, the newer content shown) when someone saved in between.
    ``fields_asked`` / ``fields_prefilled`` are the reporting burden, counted at pre-fill.

    Personal data: names of staff who submitted, reviewed or edited it (user references); the
    narratives are about the office's work, not persons. Retention: indefinite (official
    monitoring record).
    """

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="reports")
    esa = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="monitoring_reports")
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    lock_version = models.PositiveIntegerField(default=0)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_to_review",
    )
    fields_asked = models.PositiveIntegerField(default=0)
    fields_prefilled = models.PositiveIntegerField(default=0)
    prefilled_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    returned_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["round", "esa__code"]
        constraints = [models.UniqueConstraint(fields=["round", "esa"], name="report_unique")]
        indexes = [models.Index(fields=["round", "status"], name="report_round_status")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.esa_id} {self.status}"

    @property
    def is_editable_by_esa(self) -> bool:
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)


class ReportValue(models.Model):
    """One indicator's value in a report: pre-filled (read-only, with provenance) or reported.

    ``source`` of a pre-filled value: ``{"value_id", "run_id", "producer", "indicator", "unit_id",
    "period", "breakdown", "computed_at", "scale"}`` (``value_id`` absent when the platform holds
    no value for the unit: the value is then ``None`` and shown as "no data", never asked).
    ``comment`` answers a warning (required for warnings before submission).

    Personal data: none (aggregates; ``updated_by`` is a staff username). Retention: with the report.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="report_values")
    origin = models.CharField(max_length=10, choices=ValueOrigin.choices)
    value = models.FloatField(null=True, blank=True)
    period = models.CharField(max_length=20, blank=True)
    source = models.JSONField(default=dict)
    comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["report", "indicator__code"]
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="reportvalue_unique")]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.indicator_id}={self.value}"


class NarrativeEntry(models.Model):
    """The ESA's text for one narrative section of its report (Thai).

    Personal data: none expected (the guidance asks for no names of learners). Retention: with the
    report.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="narratives")
    section = models.ForeignKey(NarrativeSection, on_delete=models.PROTECT, related_name="entries")
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "section"], name="narrative_unique")]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.section_id}"


class OutstandingWork(models.Model):
    """One of the ESA's ranked top-5 outstanding works (ผลงานที่ประสบความสำเร็จ), verified by the bureau.

    Ranks 1–5 are unique per report; the service keeps them dense (no DB constraint so that a
    re-ranking can swap two rows in one transaction on SQLite and PostgreSQL alike).

    Personal data: none expected (works are about programmes). Retention: with the report.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="works")
    rank = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=255)
    description = models.TextField()
    practices = models.TextField(blank=True)
    results_claimed = models.TextField(blank=True)
    standard = models.ForeignKey(Standard, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Indicator codes the results are claimed on (for insights' cross-check against the numbers).
    indicator_codes = models.JSONField(default=list, blank=True)
    verification = models.CharField(max_length=15, choices=Verification.choices, default=Verification.PENDING)
    verification_note = models.TextField(blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report", "rank"]

    def __str__(self) -> str:
        return f"{self.report_id}#{self.rank} {self.title}"


class EvidenceFile(models.Model):
    """An evidence file attached to a report (optionally to a work or a narrative section).

    The bytes live outside the database under ``MEDIA_ROOT/evidence/<sha[:2]>/<sha256>`` (content
    addressed: the same file uploaded twice is stored once); the row keeps name, type, size and
    SHA-256.

    Personal data: possibly incidental (photos of activities); access is the report's scope.
    Retention: with the report.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence")
    work = models.ForeignKey(
        OutstandingWork, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    section = models.ForeignKey(
        NarrativeSection, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_path = models.CharField(max_length=255)  # relative to MEDIA_ROOT
    uploaded_by = models.CharField(max_length=150)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["report", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class DataProblem(models.Model):
    """ "Report a data problem": the ESA's objection to a pre-filled value, instead of an overwrite.

    Personal data: the raiser's and resolver's usernames. Retention: with the report.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="problems")
    value = models.ForeignKey(ReportValue, on_delete=models.CASCADE, related_name="problems")
    description = models.TextField()
    status = models.CharField(max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.OPEN)
    raised_by = models.CharField(max_length=150)
    raised_at = models.DateTimeField()
    resolution = models.TextField(blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"problem {self.pk} on {self.value_id}"


class ReportEditTime(models.Model):
    """Time spent editing a report, per user and day (the editor's heartbeats while active).

    Personal data: which staff user edited when (work-time metadata). Retention: with the report.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="edit_times")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    seconds = models.PositiveIntegerField(default=0)
    saves = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "user", "day"], name="edittime_unique")]

    def __str__(self) -> str:
        return f"{self.report_id} {self.user_id} {self.day} {self.seconds}s"


class Reminder(models.Model):
    """A deadline reminder sent for a report (e-mail to its ESA's director and officers).

    Personal data: none beyond the count of recipients. Retention: with the report.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["report", "kind"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind}"
