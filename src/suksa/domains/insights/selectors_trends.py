"""Reads of trends for pages and the API, scoped to the actor.

A trend is about one unit (an ESA, an inspection region or the nation). An actor sees the trends of
the units in their ``insights.view`` scope and of the units above it (their region and the nation,
for comparison) — an ESA officer never sees another ESA's trends; an unknown or forbidden id is a
404 either way. Filters are checked here so that the web and the API give the same bilingual
messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, Problem
from suksa.core.models import OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.insights.models import InsightRun, Trend
from suksa.domains.insights.models.choices import TrendDirection
from suksa.domains.insights.selectors import run_for, unit_get, unit_visible_q
from suksa.domains.monitoring.models import Indicator, ReportValue, Round

# The nation first, then regions, then ESAs.
KIND_ORDER = Case(
    When(unit__kind="nation", then=Value(0)),
    When(unit__kind="region", then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class IndicatorName:
    code: str
    name_th: str
    name_en: str
    unit: str


def indicator_names() -> dict[str, IndicatorName]:
    """The current catalogue's indicator names (one query)."""
    return {
        code: IndicatorName(code, th, en, unit)
        for code, th, en, unit in Indicator.objects.filter(is_current=True)
        .order_by("code")
        .values_list("code", "name_th", "name_en", "unit")
    }


def check_indicator(code: str, names: dict[str, IndicatorName]) -> str:
    if code and code not in names:
        raise InvalidInput(
            [
                Problem(
                    code="invalid_indicator",
                    th=f"ตัวชี้วัด (indicator) ไม่ถูกต้อง: ไม่มีรหัส {code[:60]} ในแค็ตตาล็อก",
                    en=f"Invalid indicator: no catalogue code {code[:60]}",
                    field="indicator",
                )
            ]
        )
    return code


def check_direction(value: str) -> str:
    if value and value not in TrendDirection.values:
        choices = ", ".join(TrendDirection.values)
        raise InvalidInput(
            [
                Problem(
                    code="invalid_direction",
                    th=f"ทิศทาง (direction) ไม่ถูกต้อง ใช้ได้: {choices}",
                    en=f"Invalid direction; use one of: {choices}",
                    field="direction",
                )
            ]
        )
    return value


def own_unit(actor: Actor) -> OrgUnit | None:
    """The unit whose trends a page shows first: the actor's widest ``insights.view`` scope root."""
    paths = actor.scope_paths(Perm.INSIGHTS_VIEW)
    if not paths:
        return None
    units = list(OrgUnit.objects.filter(path__in=paths))
    return min(units, key=lambda u: (u.path.count("/"), u.path)) if units else None


def visible_trends(actor: Actor, run: InsightRun | int) -> QuerySet[Trend]:
    run_id = run if isinstance(run, int) else run.pk
    return Trend.objects.filter(run_id=run_id).filter(unit_visible_q(actor)).select_related("unit")


@dataclass
class TrendList:
    round: Round | None
    run: InsightRun | None
    unit: OrgUnit | None  # None: every visible unit
    indicator: str
    direction: str
    rows: list[Trend]


def trend_list(
    actor: Actor,
    *,
    round_id: int | None = None,
    indicator: str = "",
    unit_id: int | None = None,
    direction: str = "",
    names: dict[str, IndicatorName] | None = None,
) -> TrendList:
    """The trends of the round's current run the actor may see, filtered (bad filters raise)."""
    names = names if names is not None else indicator_names()
    check_indicator(indicator, names)
    check_direction(direction)
    unit = unit_get(actor, unit_id) if unit_id is not None else None
    rnd, run = run_for(round_id)
    rows: list[Trend] = []
    if run is not None:
        qs = visible_trends(actor, run)
        if unit is not None:
            qs = qs.filter(unit=unit)
        if indicator:
            qs = qs.filter(indicator=indicator)
        if direction:
            qs = qs.filter(direction=direction)
        rows = list(qs.order_by(KIND_ORDER, "unit__code", "indicator"))
    return TrendList(round=rnd, run=run, unit=unit, indicator=indicator, direction=direction, rows=rows)


def trend_get(actor: Actor, trend_id: int) -> Trend:
    """One trend the actor may see, or 404 (unknown and forbidden look the same)."""
    trend = (
        Trend.objects.filter(pk=trend_id)
        .filter(unit_visible_q(actor))
        .select_related("unit", "run__round__framework")
        .first()
    )
    if trend is None:
        raise NotFoundOrNoAccess.default()
    return trend


def report_of_values(trend: Trend) -> dict[int, int]:
    """``{ReportValue id: report id}`` for the reported points of a trend (one query)."""
    ids = [
        int(p["source"]["id"])
        for p in trend.data.get("points", [])
        if p.get("source", {}).get("model") == "monitoring.ReportValue"
    ]
    if not ids:
        return {}
    return dict(ReportValue.objects.filter(pk__in=ids).values_list("pk", "report_id"))


def points_of(trend: Trend) -> list[dict[str, Any]]:
    """The trend's points with what marks them: used, outlier (with score), change point."""
    outliers = set(trend.outliers or [])
    changes = set(trend.change_points or [])
    return [
        {
            **p,
            "outlier": p["period"] in outliers,
            "change_point": p["period"] in changes,
        }
        for p in trend.data.get("points", [])
    ]
