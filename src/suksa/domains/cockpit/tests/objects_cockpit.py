"""Builders of the cockpit API tests, and the ESA B objects of the route matrix.

``cockpit_world`` stores, in the current run of a round, the figures and summary the cockpit stage
would write for the test world (nation, both regions, the three ESAs, the provinces of Nonthaburi
and Chiang Mai and the four schools; two key indicators) — by hand, so that tests assert exact
numbers without running the insights stages. School A1-1's O-NET figure is behind 3 takers (a
small cell). ``b_unit_id`` gives ESA B with its figures (and the strengths the insights routes
need), so that a leak of ESA B's page would show its name.
"""

from __future__ import annotations

from typing import Any

from suksa.core.models import OrgUnit, Province
from suksa.domains.cockpit.models import Figure, Level, Summary
from suksa.domains.insights.models import InsightRun
from suksa.domains.insights.tests import objects_strengths
from suksa.domains.insights.tests.objects_schools import any_round, current_run
from tests.factories import World

KEY_INDICATORS = ["dropout_rate", "onet_mean_p6"]
SERIES = [["2565", 2.0], ["2566", 1.8], ["2567", 1.6], ["2568", 1.4]]


def make_figure(
    run: InsightRun,
    level: str,
    *,
    unit: OrgUnit | None = None,
    province: Province | None = None,
    parent: OrgUnit | None = None,
    indicator: str = "dropout_rate",
    value: float | None = 1.4,
    persons: int | None = 1000,
    **extra: Any,
) -> Figure:
    """A stored figure: by default a falling (good) dropout rate of 1.4 % in 2568, on target."""
    fields: dict[str, Any] = {
        "period": "2568", "previous_period": "2567",
        "previous": None if value is None else round(value + 0.2, 4),
        "change": None if value is None else -0.2, "improvement": None if value is None else 0.2,
        "target": 1.5, "light": "green", "arrow": "down", "significant": True, "good": True,
        "series": [*SERIES[:-1], ["2568", value]],
        "source": {"model": "core.IndicatorValue", "id": 1},
        "peer": {"group": "primary|*", "count": 3, "median": 1.5, "low": 1.2, "high": 1.8, "rank": 1,
                 "verdict": "typical"},
    }  # fmt: skip
    fields.update(extra)
    return Figure.objects.create(
        run=run, level=level, unit=unit, province=province, parent=parent, indicator=indicator, value=value,
        persons=persons, **fields,
    )  # fmt: skip


def _mover(unit: OrgUnit, change: float, value: float, z: float | None = None) -> dict[str, Any]:
    """A mover as the cockpit stage stores it (``z`` only in the pooled "all" list)."""
    item = {
        "unit_id": unit.pk, "code": unit.code, "name_th": unit.name_th, "name_en": unit.name_en,
        "indicator": "dropout_rate", "indicator_th": "อัตราการออกกลางคัน", "indicator_en": "Dropout rate",
        "unit": "percent", "value": value, "previous": round(value - change, 4), "period": "2568",
        "previous_period": "2567", "change": change, "improvement": -change,
    }  # fmt: skip
    if z is not None:
        item["z"] = z
    return item


def cockpit_world(world: World) -> InsightRun:
    """The current run of a round with the test world's figures and summary (idempotent)."""
    run = current_run(any_round())
    if Summary.objects.filter(run=run).exists():
        return run
    w = world
    make_figure(run, Level.NATION, unit=w.nation, value=1.5, persons=4000)
    make_figure(run, Level.NATION, unit=w.nation, indicator="onet_mean_p6", value=41.0, persons=300,
                target=40.0, light="green", arrow="up")  # fmt: skip
    for region in (w.region_1, w.region_2):
        make_figure(run, Level.REGION, unit=region, parent=w.nation, value=1.5, persons=2000)
    for esa, value in ((w.esa_a1, 1.2), (w.esa_a2, 2.1), (w.esa_b1, 1.9)):
        make_figure(run, Level.ESA, unit=esa, parent=esa.parent, value=value, persons=1000,
                    light="green" if value <= 1.5 else "red")  # fmt: skip
    for code, region in (("12", w.region_1), ("50", w.region_2)):
        make_figure(run, Level.PROVINCE, province=Province.objects.get(code=code), parent=region, value=1.6)
    for school, persons in (
        (w.school_a1_1, 3),
        (w.school_a1_2, 40),
        (w.school_a2_1, 120),
        (w.school_b1_1, 12),
    ):
        make_figure(run, Level.SCHOOL, unit=school, parent=school.parent, indicator="onet_mean_p6", value=38.5,
                    persons=persons, target=40.0, light="amber", arrow="up", change=1.5, improvement=1.5)  # fmt: skip
    Summary.objects.create(
        run=run,
        key_indicators=KEY_INDICATORS,
        movers={
            "dropout_rate": {
                "up": [_mover(w.esa_a1, -0.4, 1.2), _mover(w.esa_b1, -0.3, 1.9)],
                "down": [_mover(w.esa_a2, 0.5, 2.1)],
            },
            "all": {"up": [_mover(w.esa_b1, -0.3, 1.9, z=1.2)], "down": [_mover(w.esa_a2, 0.5, 2.1, z=-1.5)]},
        },
        counts={"nation": 2, "region": 2, "esa": 3, "province": 2, "school": 4},
    )
    return run


def b_unit_id(world: World) -> int:
    """ESA B, with its cockpit figures and insights strengths in the current run of a round."""
    objects_strengths.b_unit_id(world)
    cockpit_world(world)
    return world.esa_b1.pk
