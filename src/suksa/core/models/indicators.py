"""Indicator values: the numbers every later stage (monitoring, insights, cockpit) reads.

A value belongs to an indicator code and formula version, an org unit, a period and a breakdown
(``""`` for the total, else ``"grade=P1"``, ``"sex=F"``, ``"grade=P1;sex=F"`` …, keys sorted).
Producers (the students domain today; academics, personnel and budget later) upsert values
idempotently; a new formula version writes new rows and never rewrites old ones.

Provenance is split in two: what every value of one computation shares (periods, rounds and returns
used, formula texts, parameters, who ran it, timings) is one :class:`IndicatorRun` row; each value
keeps only what is its own in ``source`` (its unit's return ids or counts, its named inputs, the key
of its formula and note in the run). Readers join the run (``students.selectors_indicators``).
"""

from __future__ import annotations

from django.db import models


class IndicatorRun(models.Model):
    """One computation of a set of indicators for one or more periods: the shared provenance.

    Personal data: none (the operator is kept as a username of a staff account, as in the audit log;
    no learner is named). Retention: kept indefinitely with the values, as statistical record; a
    rerun replaces the values of its periods and formula version but the older run rows stay as
    the history of computations.
    """

    producer = models.CharField(max_length=60)  # e.g. "students.indicators"
    year_be = models.PositiveIntegerField(null=True, blank=True)
    periods = models.JSONField(default=list)
    formula_version = models.CharField(max_length=30)
    # Rounds and returns used, graduates, teachers, attendance window: each named with counts.
    sources = models.JSONField(default=dict)
    # indicator code -> which sources it reads and {formula key: formula text}.
    indicators = models.JSONField(default=dict)
    notes = models.JSONField(default=dict)  # note key -> text
    parameters = models.JSONField(default=dict)  # repetition cap, min cell, thresholds …
    counts = models.JSONField(default=dict)  # values written / replaced / suppressed, units by kind
    seconds = models.JSONField(default=dict)  # aggregate, compute, store, total
    requested_by = models.CharField(max_length=150, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["producer", "formula_version", "year_be"], name="indrun_lookup")]

    def __str__(self) -> str:
        return f"{self.producer} {self.year_be} {self.formula_version} #{self.pk}"


class IndicatorValue(models.Model):
    """One computed figure with its own part of the provenance (the rest is its ``run``).

    Personal data: none (aggregates only; cells under five persons are flagged ``suppressed`` and
    never leave the office unsuppressed). Retention: kept indefinitely as statistical record.
    """

    indicator = models.CharField(max_length=60)
    formula_version = models.CharField(max_length=30)
    # Not indexed alone: the unique constraint below starts with the unit. No database-level FK
    # constraint (here and on ``run``): PostgreSQL checks a deferred FK per row at commit, ~15 s per
    # constraint for a national run of 2.9 M rows. Values are written only by their producer, from
    # units and a run read in the same transaction; Django still cascades (unit) and protects (run).
    unit = models.ForeignKey(
        "core.OrgUnit",
        on_delete=models.CASCADE,
        related_name="indicator_values",
        db_index=False,
        db_constraint=False,
    )
    # "2568" for an academic year (BE), "2569/jun10" for a census round of that year.
    period = models.CharField(max_length=20)
    breakdown = models.CharField(max_length=80, blank=True, default="")
    value = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    # True when a person count behind the value is between 1 and 4: publish only inside the office.
    suppressed = models.BooleanField(default=False)
    # The run that wrote it (shared provenance); null only for values written before runs existed.
    # Not indexed: values are looked up by unit/indicator, runs are never deleted (PROTECT).
    run = models.ForeignKey(
        IndicatorRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="values",
        db_index=False,
        db_constraint=False,
    )
    # This value's own provenance: its unit's return ids (school) or returns used (above), its named
    # inputs, the keys of its formula and note in the run. Small: a few dozen bytes.
    source = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Unit first: one run writes unit after unit, so inserts append to the index, and the
            # same index serves the per-unit page (unit, period …).
            models.UniqueConstraint(
                fields=["unit", "period", "indicator", "breakdown", "formula_version"],
                name="indicatorvalue_unique",
            )
        ]
        indexes = [
            models.Index(fields=["indicator", "period", "breakdown"], name="indval_ind_period"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}@{self.unit_id}/{self.period}[{self.breakdown}]={self.value}"
