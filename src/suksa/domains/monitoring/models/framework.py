"""A fiscal year's monitoring framework: what is asked, of whom, and in which rounds."""

from __future__ import annotations

import datetime as dt

from django.db import models

from suksa.domains.monitoring.models.catalogue import Indicator, Standard
from suksa.domains.monitoring.models.choices import FrameworkStatus, RuleKind, Severity


class Framework(models.Model):
    """The monitoring framework of one fiscal year (BE): indicators, narrative sections, target
    areas and rounds.

    Personal data: none. Retention: indefinite (statistical and administrative record).
    """

    fiscal_year = models.PositiveIntegerField(unique=True)  # BE, 1 Oct (year-1) – 30 Sep
    name_th = models.CharField(max_length=255)
    name_en = models.CharField(max_length=255)
    description_th = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT)
    # The name of the target group whose members are in TargetArea (e.g. "85 เขตพื้นที่เป้าหมาย").
    target_group_th = models.CharField(max_length=255, blank=True)
    target_group_en = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-fiscal_year"]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year}"


class FrameworkIndicator(models.Model):
    """An indicator (one pinned version) in a framework, shown under one standard.

    Personal data: none. Retention: with its framework.
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="framework_items")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="framework_items")
    order = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(default=True)  # for reported indicators: must be filled

    class Meta:
        ordering = ["standard__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "indicator"], name="frameworkitem_unique")
        ]

    def __str__(self) -> str:
        return f"{self.framework} {self.indicator}"


class NarrativeSection(models.Model):
    """A narrative section the ESA writes (in Thai) per standard.

    Personal data: none. Retention: with its framework.
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="sections")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="sections")
    code = models.CharField(max_length=20)
    title_th = models.CharField(max_length=255)
    title_en = models.CharField(max_length=255)
    guidance_th = models.TextField(blank=True)
    guidance_en = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(default=True)
    min_chars = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["standard__order", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="section_unique")]

    def __str__(self) -> str:
        return f"{self.framework} {self.code}"


class TargetArea(models.Model):
    """An ESA in the framework's target group (e.g. one of the 85 target areas).

    Personal data: none. Retention: with its framework.
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="target_areas")
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="monitoring_target_areas")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["framework", "unit"], name="targetarea_unique")]

    def __str__(self) -> str:
        return f"{self.framework} {self.unit_id}"


class Round(models.Model):
    """A reporting round (3-, 6-, 9- or 12-month) of a framework, with its dates.

    A round is *open* from ``opens_on`` to ``locks_on``; after ``due_on`` a submission is late;
    after ``locks_on`` nothing more is submitted (edits after locking are amendments).

    Personal data: none. Retention: indefinite.
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="rounds")
    code = models.CharField(max_length=10)  # m3, m6, m9, m12
    months = models.PositiveSmallIntegerField()
    name_th = models.CharField(max_length=255)
    name_en = models.CharField(max_length=255)
    period_start = models.DateField()
    period_end = models.DateField()
    opens_on = models.DateField()
    due_on = models.DateField()
    locks_on = models.DateField()
    prefilled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_end"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="round_unique")]

    def __str__(self) -> str:
        return f"FY{self.framework.fiscal_year}/{self.code}"

    @property
    def key(self) -> str:
        """A stable name: ``"2569/m12"``."""
        return f"{self.framework.fiscal_year}/{self.code}"

    def phase(self, today: dt.date) -> str:
        """upcoming | open | overdue (after the due date, before locking) | locked."""
        if today < self.opens_on:
            return "upcoming"
        if today > self.locks_on:
            return "locked"
        if today > self.due_on:
            return "overdue"
        return "open"


class ValidationRule(models.Model):
    """A data-quality rule checked while a report is filled and before it is submitted.

    ``params`` by kind:

    - range: ``{"indicator": code, "min": x, "max": y}``
    - required: ``{"indicator": code}``
    - required_comment: ``{"indicator": code, "op": ">"|"<"|">="|"<=", "value": x}`` — a value
      meeting the condition needs a comment;
    - compare: ``{"left": code, "op": "<="|"<"|">="|">"|"==", "right": code, "factor": 1.0,
      "tolerance": 0.0}`` — e.g. dropouts ≤ enrolment.

    A framework-less rule applies to every framework. Outliers against the unit's own history and
    its peers (modified z-score > 3.5) and ±33 % change against the prior three periods are
    checked for every numeric value without a rule row.

    Personal data: none. Retention: indefinite.
    """

    framework = models.ForeignKey(
        Framework, null=True, blank=True, on_delete=models.CASCADE, related_name="rules"
    )
    code = models.CharField(max_length=40)
    kind = models.CharField(max_length=20, choices=RuleKind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    params = models.JSONField(default=dict)
    message_th = models.CharField(max_length=255)
    message_en = models.CharField(max_length=255)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="rule_unique")]

    def __str__(self) -> str:
        return self.code
