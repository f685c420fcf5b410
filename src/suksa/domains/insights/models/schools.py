"""School models worth scaling: structural groups of schools and the positive deviants in each.

Personal data: none (schools are org units; outcomes are school means). Retention: with the run.
"""

from __future__ import annotations

from django.db import models

from suksa.domains.insights.models.choices import DataQuality
from suksa.domains.insights.models.run import InsightRun


class SchoolGroup(models.Model):
    """A structural group of schools (e.g. ``primary_small|rural``) and what its deviants share.

    ``shared`` is what the positive deviants have in common against the rest of the group:
    ``{"practices": [{key, name_th, name_en, deviants_share, others_share, lift}], "staffing":
    {...}, "size": {...}}``; ``evidence`` the narratives and works that name the deviant schools.

    Personal data: none (schools are org units; outcomes are school means). Retention: kept with its run.
    """

    run = models.ForeignKey(InsightRun, on_delete=models.CASCADE, related_name="school_groups")
    key = models.CharField(max_length=120)
    name_th = models.CharField(max_length=255)
    name_en = models.CharField(max_length=255)
    definition = models.JSONField(default=dict)  # the structural attributes that define the group
    school_count = models.PositiveIntegerField(default=0)
    deviant_count = models.PositiveIntegerField(default=0)
    shared = models.JSONField(default=dict, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    sentence_th = models.TextField(blank=True)
    sentence_en = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="schoolgroup_unique")]

    def __str__(self) -> str:
        return f"group {self.key} ({self.deviant_count}/{self.school_count})"


class SchoolDeviance(models.Model):
    """A school's outcome against the expected outcome of its structural group (only the
    positive deviants and near misses are stored, not every school).

    ``residual`` is observed − expected (points, mean over the years used); ``z`` the residual over
    its standard error; ``years`` how many years it held; ``is_deviant`` the verdict.

    Personal data: none (schools are org units; outcomes are school means). Retention: kept with its run.
    """

    run = models.ForeignKey(InsightRun, on_delete=models.CASCADE, related_name="school_deviance")
    group = models.ForeignKey(SchoolGroup, on_delete=models.CASCADE, related_name="schools")
    school = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="+")
    esa = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="+")
    indicator = models.CharField(max_length=60)
    observed = models.FloatField()
    expected = models.FloatField()
    residual = models.FloatField()
    z = models.FloatField()
    years = models.PositiveSmallIntegerField()
    is_deviant = models.BooleanField(default=False)
    quality = models.CharField(max_length=10, choices=DataQuality.choices, default=DataQuality.OK)
    named_in = models.JSONField(default=list, blank=True)  # narratives / works naming the school
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "school", "indicator"], name="schooldeviance_unique")
        ]
        indexes = [models.Index(fields=["run", "esa"], name="schooldev_run_esa")]

    def __str__(self) -> str:
        return f"deviance {self.indicator}@{self.school_id} z={self.z:.1f}"
