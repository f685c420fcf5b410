"""Builders of the trends page and API tests, and the ESA B object of the route matrix."""

from __future__ import annotations

from typing import Any

from suksa.core.models import OrgUnit
from suksa.domains.insights.models import InsightRun, Trend
from suksa.domains.insights.models.choices import DataQuality, TrendDirection
from suksa.domains.insights.tests.objects_schools import any_round, current_run
from tests.factories import World

SERIES = [["2562", 3.0], ["2563", 2.7], ["2564", 2.4], ["2565", 2.1], ["2566", 1.8], ["2567", 1.5]]


def make_trend(run: InsightRun, unit: OrgUnit, indicator: str = "dropout_rate", **extra: Any) -> Trend:
    """A stored trend (a falling dropout rate, significant) with its evidence points."""
    series = extra.pop("series", SERIES)
    fields: dict[str, Any] = {
        "period_kind": "year", "series": series, "n": len(series), "direction": TrendDirection.DOWN,
        "good": True, "slope": -0.3, "slope_low": -0.3, "slope_high": -0.3, "tau": -1.0, "p_value": 0.0085,
        "significant": True, "quality": DataQuality.OK,
        "sentence_th": f"อัตราการออกกลางคันลดลงต่อเนื่อง 6 ปี ปีละ 0.3 จุด, มีนัยสำคัญ ({unit.code})",
        "sentence_en": f"Dropout rate fell for 6 years, 0.3 points a year, significant ({unit.code})",
        "data": {
            "unit": {"id": unit.pk, "code": unit.code, "kind": unit.kind},
            "points": [
                {"period": p, "t": float(p.split("/")[0]), "value": v, "used": True,
                 "source": {"model": "core.IndicatorValue", "id": 1000 + i}}
                for i, (p, v) in enumerate(series)
            ],
            "missing": 0, "mk": {"s": -15, "correction": 1.0}, "with_outliers": None, "flags": [],
        },
    }  # fmt: skip
    fields.update(extra)
    return Trend.objects.create(run=run, unit=unit, indicator=indicator, **fields)


def b_trend_id(world: World) -> int:
    """A trend of ESA B in the current run of a round."""
    run = current_run(any_round())
    existing = Trend.objects.filter(run=run, unit=world.esa_b1).first()
    return (existing or make_trend(run, world.esa_b1)).pk
