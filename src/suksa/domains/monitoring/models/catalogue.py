"""The indicator catalogue: ESA standards, policy points, versioned indicators and their targets.

An indicator is identified by ``code``; each change of definition is a new row with ``version + 1``
(the old row is retired, never edited), and every report value points at the exact version it was
filled under, so a changed definition never rewrites past values.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from suksa.domains.monitoring.models.choices import Direction, Domain, SourceKind, Unit, ValueType


class Standard(models.Model):
    """An ESA standard (มาตรฐานสำนักงานเขตพื้นที่การศึกษา พ.ศ. 2560: three standards).

    Personal data: none. Retention: indefinite (reference data).
    """

    code = models.CharField(max_length=10, unique=True)
    name_th = models.CharField(max_length=255)
    name_en = models.CharField(max_length=255)
    description_th = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name_th}"


class PolicyPoint(models.Model):
    """A policy point (จุดเน้นเชิงนโยบาย) of one fiscal year.

    Personal data: none. Retention: indefinite (reference data).
    """

    fiscal_year = models.PositiveIntegerField()  # BE
    code = models.CharField(max_length=10)
    name_th = models.CharField(max_length=255)
    name_en = models.CharField(max_length=255)

    class Meta:
        ordering = ["fiscal_year", "code"]
        constraints = [models.UniqueConstraint(fields=["fiscal_year", "code"], name="policypoint_unique")]

    def __str__(self) -> str:
        return f"{self.fiscal_year}/{self.code} {self.name_th}"


class Indicator(models.Model):
    """One version of a catalogue indicator.

    ``source`` says where a value comes from:

    - computed: ``{"indicator": "dropout_rate", "breakdown": "", "period": "year"|"census",
      "scale": 100}`` — a ``core.IndicatorValue`` code written by a producer of the platform;
    - imported: ``{"dataset": "niets_onet", "indicator": "onet_mean_p6", "period": "year"}`` —
      values loaded from an external file into ``core.IndicatorValue`` (producer ``import:<dataset>``);
    - reported: ``{}`` — asked of the ESA in its report (only what the platform cannot know).

    Personal data: none (``created_by`` is a staff username, as in the audit log). Retention:
    indefinite; retired versions stay because past report values point at them.
    """

    code = models.CharField(max_length=60)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    name_th = models.CharField(max_length=255)
    name_en = models.CharField(max_length=255)
    definition_th = models.TextField()
    definition_en = models.TextField()
    unit = models.CharField(max_length=12, choices=Unit.choices)
    value_type = models.CharField(max_length=10, choices=ValueType.choices, default=ValueType.DECIMAL)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    domain = models.CharField(max_length=12, choices=Domain.choices)
    levels = models.JSONField(default=list)  # of Level values
    disaggregations = models.JSONField(default=list)  # e.g. ["sex", "grade", "level"]
    source_kind = models.CharField(max_length=10, choices=SourceKind.choices)
    source = models.JSONField(default=dict)
    formula = models.TextField(blank=True)
    min_value = models.FloatField(null=True, blank=True)
    max_value = models.FloatField(null=True, blank=True)
    standards = models.ManyToManyField(Standard, blank=True, related_name="indicators")
    policy_points = models.ManyToManyField(PolicyPoint, blank=True, related_name="indicators")
    change_note = models.TextField(blank=True)  # why this version differs from the previous one
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="indicator_code_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="indicator_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def is_asked(self) -> bool:
        """Is this indicator asked of the ESA (not pre-filled from what the platform holds)?"""
        return self.source_kind == SourceKind.REPORTED


class Target(models.Model):
    """A target of an indicator for one fiscal year: for one unit, a peer group, or everyone.

    ``peer_group`` is ``""`` (the default target for all units of the indicator's levels) or a
    key such as ``"esa_type=primary"``, ``"esa_type=secondary"`` or ``"target_area"``. A unit's
    own target wins over its peer group's, which wins over the default.

    Personal data: none. Retention: indefinite (plans are public record).
    """

    indicator_code = models.CharField(max_length=60)
    fiscal_year = models.PositiveIntegerField()  # BE
    unit = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.CASCADE, related_name="monitoring_targets"
    )
    peer_group = models.CharField(max_length=40, blank=True, default="")
    value = models.FloatField()
    note = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["indicator_code", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_code", "fiscal_year", "unit"],
                condition=Q(unit__isnull=False),
                name="target_unit_unique",
            ),
            models.UniqueConstraint(
                fields=["indicator_code", "fiscal_year", "peer_group"],
                condition=Q(unit__isnull=True),
                name="target_group_unique",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.indicator_code} {self.fiscal_year} {self.unit_id or self.peer_group or '*'}={self.value}"
        )
