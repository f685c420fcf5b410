"""The cockpit's precomputed figures: what the executive dashboards read, one set per insights run.

The ``cockpit`` stage of an insights run (``services/aggregate.py``, order 80, after the briefs)
writes, for the run's round:

- a :class:`Figure` per indicator × unit at every level the dashboards show — the nation, the 18
  inspection regions, the 245 ESAs, the 77 provinces (the tile map) and the schools (O-NET, the only
  indicator measured per school) — with its value, period, change since the previous period, target,
  traffic light, trend arrow, peer comparison, headcount behind it (for small-cell suppression),
  source and short series for the charts;
- one :class:`Summary` per run: the key indicators, the top movers, and counts.

Pages therefore read a bounded number of rows with a constant number of queries, whatever the
number of schools (issue 6, "speed"). Live figures that change between runs (open alerts, report
status) are grouped counts over ESA-sized tables.

Personal data: none (aggregates of org units; ``persons`` is a headcount). Retention: as the run —
deleted with it (the insights run keeps the current run and the one before).
"""

from __future__ import annotations

from django.db import models


class Level(models.TextChoices):
    NATION = "nation", "ประเทศ / Nation"
    REGION = "region", "เขตตรวจราชการ / Inspection region"
    ESA = "esa", "สำนักงานเขตพื้นที่ / ESA"
    PROVINCE = "province", "จังหวัด / Province"
    SCHOOL = "school", "โรงเรียน / School"


class Light(models.TextChoices):
    GREEN = "green", "บรรลุเป้าหมาย / On target"
    AMBER = "amber", "ใกล้เป้าหมาย / Near target"
    RED = "red", "ต่ำกว่าเป้าหมาย / Off target"
    NONE = "none", "ไม่มีเป้าหมาย / No target"


class Arrow(models.TextChoices):
    UP = "up", "เพิ่มขึ้น / Rising"
    DOWN = "down", "ลดลง / Falling"
    FLAT = "flat", "คงที่ / Flat"
    NONE = "none", "ข้อมูลไม่พอ / Too few points"


class Figure(models.Model):
    """One indicator's latest value for one unit (or province) in a run, with what a tile shows.

    ``unit`` is set for nation, region, ESA and school rows; ``province`` for province rows (a
    province's value is the learner-weighted mean of the ESAs whose office is in it — for O-NET,
    of its schools — see ``services/aggregate.py``). ``series`` is ``[[period, value], …]`` in time
    order (the last up to 8 periods), ``source`` the stored value the number came from
    (``{"model": "core.IndicatorValue", "id": …}`` …), ``peer`` the comparison with the unit's
    peers (``{"group", "count", "median", "p25", "p75", "rank", "strength": {…}}``).

    Personal data: none (org-unit aggregates; ``persons`` is a headcount). Retention: as its
    insights run (deleted with it).
    """

    run = models.ForeignKey("insights.InsightRun", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=10, choices=Level.choices)
    unit = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    province = models.ForeignKey(
        "core.Province", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    parent = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )  # the unit one level up (region of an ESA, ESA of a school; region of a province)
    indicator = models.CharField(max_length=60)
    period = models.CharField(max_length=20)
    value = models.FloatField(null=True, blank=True)
    previous_period = models.CharField(max_length=20, blank=True)
    previous = models.FloatField(null=True, blank=True)
    change = models.FloatField(null=True, blank=True)  # value - previous
    improvement = models.FloatField(null=True, blank=True)  # change × direction (+ is better)
    target = models.FloatField(null=True, blank=True)
    light = models.CharField(max_length=6, choices=Light.choices, default=Light.NONE)
    arrow = models.CharField(max_length=4, choices=Arrow.choices, default=Arrow.NONE)
    significant = models.BooleanField(default=False)  # the trend (Mann-Kendall) is significant
    good = models.BooleanField(null=True)  # the trend goes the good way (None: flat / neutral)
    persons = models.PositiveIntegerField(null=True, blank=True)  # learners behind the value
    series = models.JSONField(default=list, blank=True)
    source = models.JSONField(default=dict, blank=True)
    peer = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["run", "level", "indicator"], name="figure_run_level_ind"),
            models.Index(fields=["run", "unit"], name="figure_run_unit"),
            models.Index(fields=["run", "parent", "indicator"], name="figure_run_parent_ind"),
        ]

    def __str__(self) -> str:
        return f"{self.level}:{self.unit_id or self.province_id}:{self.indicator}={self.value}"


class Summary(models.Model):
    """What the national overview needs beyond the figures, computed once per run.

    ``key_indicators``: the catalogue codes of the overview's headline tiles, in order;
    ``movers``: ``{indicator: {"up": [{unit_id, code, name_th, name_en, change, improvement,
    value, period}], "down": […]}}`` over the ESAs (top 5 each way) plus ``"all"`` (standardised
    improvement across the key indicators); ``counts``: rows written per level; ``seconds``.

    Personal data: none. Retention: as its insights run (deleted with it).
    """

    run = models.OneToOneField(
        "insights.InsightRun", on_delete=models.CASCADE, related_name="cockpit_summary"
    )
    key_indicators = models.JSONField(default=list)
    movers = models.JSONField(default=dict)
    counts = models.JSONField(default=dict)
    seconds = models.FloatField(default=0)
    built_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cockpit summary of run {self.run_id}"
