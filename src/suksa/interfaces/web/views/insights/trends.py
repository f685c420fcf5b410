"""Insights pages: trends of each indicator for ESAs, inspection regions and the nation.

- ``insights_trends`` (``?round=&indicator=&unit=&direction=``): the trends of the round's current
  run — by default of the viewer's own unit (``unit=all`` for every unit they may see: their own,
  and the region and nation above it) — with the plain-language sentence, slope ± interval, p, n,
  change points, the data-quality label and a small sparkline (its values also as text).
- ``insights_trend`` ``<trend_id>``: one trend's series, each value with its period and where it is
  stored (a link to the report or the unit's indicators), outliers and change points marked, and
  the statistics behind the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.views.decorators.http import require_GET

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess
from suksa.core.i18n import label_pair, pick
from suksa.core.policy import Perm
from suksa.domains.insights import selectors_trends as sel
from suksa.domains.insights.models import Trend
from suksa.domains.insights.models.choices import DataQuality, TrendDirection
from suksa.domains.insights.selectors import rounds_with_runs
from suksa.interfaces.web.context import maybe_reverse, request_actor
from suksa.interfaces.web.params import id_param

TEMPLATES = "web/insights/trends/"
SPARK_W, SPARK_H, SPARK_PAD = 96, 24, 2


@dataclass
class Spark:
    points: str  # SVG polyline points
    dots: list[tuple[float, float, str]]  # (x, y, kind) for outliers and change points
    text: str  # the values as text (the table alternative)


def sparkline(series: list[list[Any]], outliers: list[str], change_points: list[str]) -> Spark | None:
    values = [(str(p), float(v)) for p, v in series if v is not None]
    if len(values) < 2:
        return None
    lo = min(v for _, v in values)
    hi = max(v for _, v in values)
    span = hi - lo or 1.0
    step = (SPARK_W - 2 * SPARK_PAD) / (len(values) - 1)
    xy = [
        (SPARK_PAD + i * step, SPARK_H - SPARK_PAD - (v - lo) / span * (SPARK_H - 2 * SPARK_PAD))
        for i, (_, v) in enumerate(values)
    ]
    dots = [
        (round(x, 1), round(y, 1), "outlier" if p in outliers else "change")
        for (p, _), (x, y) in zip(values, xy, strict=True)
        if p in outliers or p in change_points
    ]
    return Spark(
        points=" ".join(f"{x:.1f},{y:.1f}" for x, y in xy),
        dots=dots,
        text="; ".join(f"{p}: {v:,.2f}" for p, v in values),
    )


def _crumbs(last: str, list_url: str | None = None) -> list[dict[str, Any]]:
    crumbs: list[dict[str, Any]] = []
    home = maybe_reverse("web:insights_home")
    if home:
        crumbs.append({"label": pick("ข้อมูลเชิงลึก", "Insights"), "url": home})
    if list_url:
        crumbs.append({"label": pick("แนวโน้ม", "Trends"), "url": list_url})
    crumbs.append({"label": last, "url": None})
    return crumbs


def _decorate(rows: list[Trend], names: dict[str, sel.IndicatorName]) -> None:
    for t in rows:
        t.indicator_name = names.get(t.indicator)  # type: ignore[attr-defined]
        t.spark = sparkline(t.series, t.outliers or [], t.change_points or [])  # type: ignore[attr-defined]
        t.direction_pair = label_pair(TrendDirection(t.direction).label)  # type: ignore[attr-defined]
        t.quality_pair = label_pair(DataQuality(t.quality).label)  # type: ignore[attr-defined]


@login_required
@require_GET
def insights_trends(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not actor.can_anywhere(Perm.INSIGHTS_VIEW):
        raise DjangoPermissionDenied
    names = sel.indicator_names()
    round_id, problems = id_param(request, "round", "รอบการรายงาน", "round")
    raw_unit = request.GET.get("unit", "").strip()
    every_unit = raw_unit == "all"
    unit_id: int | None = None
    if not every_unit:
        unit_id, unit_problems = id_param(request, "unit", "หน่วยงาน", "unit")
        problems += unit_problems
    indicator = request.GET.get("indicator", "").strip()
    direction = request.GET.get("direction", "").strip()
    for check, value in (
        (lambda v: sel.check_indicator(v, names), indicator),
        (sel.check_direction, direction),
    ):
        try:
            check(value)
        except InvalidInput as exc:
            problems += exc.problems
    if not problems and unit_id is None and not every_unit:
        own = sel.own_unit(actor)
        unit_id = own.pk if own is not None else None
    board: sel.TrendList | None = None
    if not problems:
        try:
            board = sel.trend_list(
                actor,
                round_id=round_id,
                indicator=indicator,
                unit_id=unit_id,
                direction=direction,
                names=names,
            )
        except NotFoundOrNoAccess:
            raise Http404 from None
        _decorate(board.rows, names)
    units = _unit_choices(board)
    context: dict[str, Any] = {
        "crumbs": _crumbs(pick("แนวโน้ม", "Trends")),
        "problems": problems,
        "board": board,
        "rounds": rounds_with_runs(),
        "indicators": list(names.values()),
        "directions": [(c, label_pair(lbl)) for c, lbl in TrendDirection.choices],
        "units": units,
        "every_unit": every_unit,
        "f": {"round": round_id, "indicator": indicator, "unit": raw_unit, "direction": direction},
        "runs_url": maybe_reverse("web:insights_runs") or "",
    }
    return render(request, TEMPLATES + "list.html", context, status=400 if problems else 200)


def _unit_choices(board: sel.TrendList | None) -> list[Any]:
    if board is None or board.unit is None:
        seen: dict[int, Any] = {}
        for t in board.rows if board else []:
            seen.setdefault(t.unit_id, t.unit)
        return list(seen.values())
    return [board.unit]


@login_required
@require_GET
def insights_trend(request: HttpRequest, trend_id: int) -> HttpResponse:
    actor = request_actor(request)
    if not actor.can_anywhere(Perm.INSIGHTS_VIEW):
        raise DjangoPermissionDenied
    try:
        trend = sel.trend_get(actor, trend_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    names = sel.indicator_names()
    _decorate([trend], names)
    reports = sel.report_of_values(trend)
    unit_values_url = _unit_indicators_url(trend.unit.code)
    points = sel.points_of(trend)
    for p in points:
        src = p.get("source", {})
        p["link"] = ""
        if src.get("model") == "monitoring.ReportValue" and src.get("id") in reports:
            p["link"] = maybe_reverse("web:report_detail", reports[src["id"]]) or ""
        elif src.get("model") == "core.IndicatorValue":
            p["link"] = unit_values_url
    list_url = maybe_reverse("web:insights_trends") or ""
    back = list_url + "?" + urlencode({"round": trend.run.round_id, "unit": trend.unit_id})
    context = {
        "crumbs": _crumbs(f"{trend.indicator} · {trend.unit.code}", back),
        "trend": trend,
        "points": points,
        "with_outliers": trend.data.get("with_outliers"),
        "mk": trend.data.get("mk") or {},
        "flags": trend.data.get("flags", []),
        "run": trend.run,
        "is_current": trend.run.is_current,
    }
    return render(request, TEMPLATES + "detail.html", context)


def _unit_indicators_url(code: str) -> str:
    try:
        return reverse("web:unit_indicators", kwargs={"code": code})
    except NoReverseMatch:  # the page belongs to another area
        return ""


urlpatterns: list[URLPattern] = [
    path("insights/trends/", insights_trends, name="insights_trends"),
    path("insights/trends/<int:trend_id>/", insights_trend, name="insights_trend"),
]
