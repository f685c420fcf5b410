"""Early warnings: the learned risk model of a run, its scores, and the alerts people act on.

Alerts outlive runs: an alert is keyed by (round, unit, kind, indicator) and a later run refreshes
its explanation and evidence instead of raising it twice; its lifecycle (new → acknowledged →
action recorded → resolved) is what people do with it, kept as :class:`AlertEvent` rows.

Personal data: user references and the free-text notes people record on an alert (about the
office's actions, not learners). Retention: alerts and events indefinitely (official follow-up
record); risk scores and fits with their run.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from suksa.domains.insights.models.choices import (
    AlertKind,
    AlertSeverity,
    AlertStatus,
    DataQuality,
)
from suksa.domains.insights.models.run import InsightRun


class RiskModelFit(models.Model):
    """The risk model trained in a run: features, coefficients, temporal hold-out scores against
    the baselines, and whether it is used (``chosen``) or the rules are shipped instead.

    Personal data: user references and free-text notes about an office's actions (alerts, events); none in fits and scores. Retention: alerts and events kept indefinitely; fits and scores with their run.
    """

    run = models.OneToOneField(InsightRun, on_delete=models.CASCADE, related_name="risk_fit")
    method = models.CharField(max_length=60)  # e.g. "logistic-l2"
    features = models.JSONField(default=list)
    coefficients = models.JSONField(default=dict, blank=True)
    trained_on = models.JSONField(default=list)  # round keys / periods used for training
    tested_on = models.JSONField(default=list)
    metrics = models.JSONField(default=dict)  # {model|rules|past_level: {auc, precision_at_10, …}}
    fairness = models.JSONField(default=dict, blank=True)
    chosen = models.BooleanField(default=False)
    note_th = models.TextField(blank=True)
    note_en = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"risk fit run {self.run_id} chosen={self.chosen}"


class RiskScore(models.Model):
    """The predicted probability that a unit misses next round's target on an indicator.

    Personal data: user references and free-text notes about an office's actions (alerts, events); none in fits and scores. Retention: alerts and events kept indefinitely; fits and scores with their run.
    """

    run = models.ForeignKey(InsightRun, on_delete=models.CASCADE, related_name="risk_scores")
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="+")
    indicator = models.CharField(max_length=60)
    probability = models.FloatField()
    factors = models.JSONField(default=list)  # [{feature, value, contribution, label_th, label_en}]
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "unit", "indicator"], name="riskscore_unique")]

    def __str__(self) -> str:
        return f"risk {self.indicator}@{self.unit_id}={self.probability:.2f}"


class Alert(models.Model):
    """A warning about an ESA or school, routed to the executives and ESA director concerned.

    Personal data: user references and free-text notes about an office's actions (alerts, events); none in fits and scores. Retention: alerts and events kept indefinitely; fits and scores with their run.
    """

    round = models.ForeignKey("monitoring.Round", on_delete=models.CASCADE, related_name="alerts")
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    indicator = models.CharField(max_length=60, blank=True, default="")
    severity = models.CharField(max_length=10, choices=AlertSeverity.choices)
    status = models.CharField(max_length=15, choices=AlertStatus.choices, default=AlertStatus.NEW)
    quality = models.CharField(max_length=10, choices=DataQuality.choices, default=DataQuality.OK)
    domain = models.CharField(max_length=30, blank=True)
    title_th = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300)
    # Top contributing factors: [{label_th, label_en, value, contribution}], most important first.
    factors = models.JSONField(default=list, blank=True)
    # Links to what it rests on: {"values": [{unit, indicator, period, value, id}], "trend": id,
    # "report": id, "risk_score": id, "quality_issues": [...]}
    evidence = models.JSONField(default=dict, blank=True)
    first_run = models.ForeignKey(InsightRun, null=True, on_delete=models.SET_NULL, related_name="+")
    last_run = models.ForeignKey(InsightRun, null=True, on_delete=models.SET_NULL, related_name="+")
    # Later confirmed by the data (the target was indeed missed), for usefulness figures.
    confirmed = models.BooleanField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "unit", "kind", "indicator"], name="alert_unique")
        ]
        indexes = [models.Index(fields=["round", "status", "severity"], name="alert_inbox")]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"alert {self.kind} {self.indicator}@{self.unit_id} {self.status}"


class AlertEvent(models.Model):
    """Who did what to an alert: raised, refreshed, acknowledged, action recorded, resolved,
    reopened, notified.

    Personal data: user references and free-text notes about an office's actions (alerts, events); none in fits and scores. Retention: alerts and events kept indefinitely; fits and scores with their run.
    """

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.action}"
