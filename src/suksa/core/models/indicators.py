"""Indicator values: the numbers every later stage (monitoring, insights, cockpit) reads.

A value belongs to an indicator code and formula version, an org unit, a period and a breakdown
(``""`` for the total, else ``"grade=P1"``, ``"sex=F"``, ``"grade=P1;sex=F"`` …, keys sorted).
Producers (the students domain today; academics, personnel and budget later) upsert values
idempotently; a new formula version writes new rows and never rewrites old ones.
"""

from __future__ import annotations

from django.db import models


class IndicatorValue(models.Model):
    """One computed figure with its provenance.

    Personal data: none (aggregates only; cells under five persons are flagged ``suppressed`` and
    never leave the office unsuppressed). Retention: kept indefinitely as statistical record.
    """

    indicator = models.CharField(max_length=60)
    formula_version = models.CharField(max_length=30)
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="indicator_values")
    # "2568" for an academic year (BE), "2569/jun10" for a census round of that year.
    period = models.CharField(max_length=20)
    breakdown = models.CharField(max_length=80, blank=True, default="")
    value = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    # True when a person count behind the value is between 1 and 4: publish only inside the office.
    suppressed = models.BooleanField(default=False)
    # Which certified snapshots (census returns / rounds), which inputs, which formula text.
    source = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "formula_version", "unit", "period", "breakdown"],
                name="indicatorvalue_unique",
            )
        ]
        indexes = [
            models.Index(fields=["indicator", "period", "breakdown"], name="indval_ind_period"),
            models.Index(fields=["unit", "period"], name="indval_unit_period"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}@{self.unit_id}/{self.period}[{self.breakdown}]={self.value}"
