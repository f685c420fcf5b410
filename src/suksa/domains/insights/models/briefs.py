"""Policy briefs and their participatory drafting.

A brief (per round and topic) is written as a :class:`BriefVersion` whose ``body`` is structured
(findings → evidence → recommendations) and whose every number carries a reference to the stored
value it came from. ``trace`` is the automatic check's result; a version whose trace fails cannot
be published. Participants invited to a brief comment, propose amendments to its recommendations
and endorse them; an accepted amendment makes a new version.

Personal data: the names of participants and authors (user references) and their comments.
Retention: indefinite for published briefs (policy record, with contributors); drafts that are
withdrawn are kept 2 years.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from suksa.domains.insights.models.choices import AmendmentStatus, BriefStatus
from suksa.domains.insights.models.run import InsightRun


class Brief(models.Model):
    """Personal data: participants' and authors' user references and their comments. Retention: kept indefinitely for published briefs; withdrawn drafts kept 2 years."""

    round = models.ForeignKey("monitoring.Round", on_delete=models.PROTECT, related_name="briefs")
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")  # nation/region/ESA
    topic = models.CharField(max_length=40)  # overview | achievement | retention | access | warnings | …
    title_th = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300)
    status = models.CharField(max_length=15, choices=BriefStatus.choices, default=BriefStatus.DRAFT)
    run = models.ForeignKey(InsightRun, null=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_version = models.ForeignKey(
        "BriefVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consultation_closes_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "unit", "topic"], name="brief_unique")]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"brief {self.topic} {self.round_id} {self.status}"


class BriefVersion(models.Model):
    """One version of a brief's text.

    ``body``: ``{"summary": {th, en}, "findings": [{key, text_th, text_en, evidence: [ref]}],
    "recommendations": [{key, text_th, text_en, evidence: [ref]}]}`` where each text holds numbers
    written from ``numbers`` (``{ref_key: {value, display, unit_id, indicator, period, source:
    {model, id}}}``). ``trace``: ``{"ok": bool, "checked": n, "failures": [{text, number, why}]}``.
    ``writer``: ``template`` or ``llm:<model>`` (an LLM may only rephrase; its text passes the same
    check and falls back to the template text when it fails).

    Personal data: participants' and authors' user references and their comments. Retention: kept indefinitely for published briefs; withdrawn drafts kept 2 years.
    """

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.JSONField(default=dict)
    numbers = models.JSONField(default=dict)
    trace = models.JSONField(default=dict)
    trace_ok = models.BooleanField(default=False)
    writer = models.CharField(max_length=80, default="template")
    change_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["brief", "number"], name="briefversion_unique")]
        ordering = ["brief", "number"]

    def __str__(self) -> str:
        return f"brief {self.brief_id} v{self.number}"


class BriefParticipant(models.Model):
    """A user invited to shape a brief (national and ESA roles).

    Personal data: participants' and authors' user references and their comments. Retention: kept indefinitely for published briefs; withdrawn drafts kept 2 years.
    """

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["brief", "user"], name="briefparticipant_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} in brief {self.brief_id}"


class BriefComment(models.Model):
    """Personal data: participants' and authors' user references and their comments. Retention: kept indefinitely for published briefs; withdrawn drafts kept 2 years."""

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(BriefVersion, on_delete=models.CASCADE, related_name="comments")
    recommendation_key = models.CharField(max_length=40, blank=True)  # blank: on the whole brief
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"comment {self.pk} on brief {self.brief_id}"


class BriefAmendment(models.Model):
    """A proposed new wording of one recommendation; accepting it makes a new version.

    Personal data: participants' and authors' user references and their comments. Retention: kept indefinitely for published briefs; withdrawn drafts kept 2 years.
    """

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="amendments")
    version = models.ForeignKey(BriefVersion, on_delete=models.CASCADE, related_name="amendments")
    recommendation_key = models.CharField(max_length=40)
    text_th = models.TextField()
    text_en = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=AmendmentStatus.choices, default=AmendmentStatus.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    resulting_version = models.ForeignKey(
        BriefVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"amendment {self.pk} {self.status}"


class Endorsement(models.Model):
    """A participant's endorsement of one recommendation as worded in one version.

    Personal data: participants' and authors' user references and their comments. Retention: kept indefinitely for published briefs; withdrawn drafts kept 2 years.
    """

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="endorsements")
    version = models.ForeignKey(BriefVersion, on_delete=models.CASCADE, related_name="endorsements")
    recommendation_key = models.CharField(max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "recommendation_key", "user"], name="endorsement_unique"
            )
        ]

    def __str__(self) -> str:
        return f"endorse {self.recommendation_key} by {self.user_id}"
