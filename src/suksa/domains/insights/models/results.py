"""Per-unit analytic results of a run: trends, strengths against peers, efficiency (DEA).

Every row carries ``data``: the values, periods and peers the method used (what an executive sees
under "evidence", and what a brief's numbers are traced to), and the run that computed it (whose
``method_versions`` and ``parameters`` say how).

Personal data: none (aggregates of org units). Retention: with their run.
"""

from __future__ import annotations

from django.db import models

from suksa.domains.insights.models.choices import DataQuality, TrendDirection, Verdict
from suksa.domains.insights.models.run import InsightRun


class Trend(models.Model):
    """The trend of one indicator for one unit (ESA, inspection region or the nation).

    ``series`` is ``[[period, value], …]`` in time order — the values used, as stored. ``slope`` is
    the Theil–Sen slope per year; ``p_value`` the Mann–Kendall test (Hamed–Rao corrected);
    ``significant`` is false whenever there are fewer than 5 periods (``direction = too_few``).
    ``good`` says whether the direction is good for this indicator (null for flat/too few).

    Personal data: none (aggregates of org units). Retention: kept with its run.
    """

    run = models.ForeignKey(InsightRun, on_delete=models.CASCADE, related_name="trends")
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="+")
    indicator = models.CharField(max_length=60)
    breakdown = models.CharField(max_length=80, blank=True, default="")
    period_kind = models.CharField(max_length=20)  # census | year | fiscal_year | round
    series = models.JSONField(default=list)
    n = models.PositiveSmallIntegerField()
    direction = models.CharField(max_length=10, choices=TrendDirection.choices)
    good = models.BooleanField(null=True)
    slope = models.FloatField(null=True, blank=True)
    slope_low = models.FloatField(null=True, blank=True)
    slope_high = models.FloatField(null=True, blank=True)
    tau = models.FloatField(null=True, blank=True)
    p_value = models.FloatField(null=True, blank=True)
    significant = models.BooleanField(default=False)
    change_points = models.JSONField(default=list, blank=True)  # periods where the level shifts
    outliers = models.JSONField(default=list, blank=True)  # periods set aside as outliers
    quality = models.CharField(max_length=10, choices=DataQuality.choices, default=DataQuality.OK)
    sentence_th = models.TextField(blank=True)
    sentence_en = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "unit", "indicator", "breakdown"], name="trend_unique")
        ]
        indexes = [models.Index(fields=["run", "indicator"], name="trend_run_indicator")]

    def __str__(self) -> str:
        return f"trend {self.indicator}@{self.unit_id} {self.direction}"


class Strength(models.Model):
    """An ESA's context-adjusted standing in one domain (or on one indicator) against its peers.

    ``score`` is the unit's mean standardised residual after adjusting for context (ESA type,
    size, urban share, small-school share, prior attainment), with a ``level`` % interval
    ``[low, high]``; ``verdict`` is ``strong``/``weak`` only when the interval excludes the peer
    median. ``rank`` among ``peer_count`` peers with its own interval ``[rank_low, rank_high]``.
    ``indicator`` is blank for a domain score.

    Personal data: none (aggregates of org units). Retention: kept with its run.
    """

    run = models.ForeignKey(InsightRun, on_delete=models.CASCADE, related_name="strengths")
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="+")
    domain = models.CharField(max_length=30)
    indicator = models.CharField(max_length=60, blank=True, default="")
    peer_group = models.CharField(max_length=120)
    peer_count = models.PositiveIntegerField(default=0)
    peer_median = models.FloatField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    low = models.FloatField(null=True, blank=True)
    high = models.FloatField(null=True, blank=True)
    level = models.FloatField(default=0.9)
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    rank = models.PositiveIntegerField(null=True, blank=True)
    rank_low = models.PositiveIntegerField(null=True, blank=True)
    rank_high = models.PositiveIntegerField(null=True, blank=True)
    quality = models.CharField(max_length=10, choices=DataQuality.choices, default=DataQuality.OK)
    sentence_th = models.TextField(blank=True)
    sentence_en = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "unit", "domain", "indicator"], name="strength_unique")
        ]
        indexes = [models.Index(fields=["run", "domain", "verdict"], name="strength_run_domain")]

    def __str__(self) -> str:
        return f"strength {self.domain}/{self.indicator}@{self.unit_id} {self.verdict}"


class Efficiency(models.Model):
    """DEA efficiency of an ESA (input-oriented, ``ccr`` constant or ``bcc`` variable returns).

    ``data`` holds the inputs and outputs used; ``peers`` the reference set ``[{unit_id, code,
    weight}]`` (lambda weights) that the unit is compared with.

    Personal data: none (aggregates of org units). Retention: kept with its run.
    """

    run = models.ForeignKey(InsightRun, on_delete=models.CASCADE, related_name="efficiencies")
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=3)  # ccr | bcc
    score = models.FloatField(null=True, blank=True)
    peers = models.JSONField(default=list, blank=True)
    scale_efficiency = models.FloatField(null=True, blank=True)
    sentence_th = models.TextField(blank=True)
    sentence_en = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "unit", "model"], name="efficiency_unique")]

    def __str__(self) -> str:
        return f"dea {self.model}@{self.unit_id}={self.score}"
