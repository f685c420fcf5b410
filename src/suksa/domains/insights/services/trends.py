"""The trends stage of an insights run: one :class:`Trend` per (unit, indicator) series.

For the nation, every inspection region and every active ESA, each catalogue indicator's series in
``ctx.data.series`` is analysed by :func:`suksa.analytics.trends.analyse` (Mann–Kendall with the
Hamed–Rao correction, Theil–Sen slope per year on the real time axis, change points, outliers) and
stored with the values it used and their sources. Round-keyed indicators are compared with the same
round of other years only (one value per fiscal year): the ESAs' reported figures already are in
``ctx.data.series``, but platform round figures (``IndicatorValue`` with round periods, e.g. budget
disbursement) come with every round length, and a cumulative 6-month figure is about half the
12-month one — so points of other round lengths are left out here.

``quality`` is ``labelled`` when the round's quality checks flagged the unit's figure of that
indicator (``ctx.data.flags``) or when a value was found to be an outlier; the stored trend is the
one without the outliers set aside (the trend with every value is in ``data["with_outliers"]``).
"""

from __future__ import annotations

from typing import Any

from suksa.analytics.trends import METHOD_VERSION, SeriesValue, TrendFit, TrendResult, analyse
from suksa.domains.insights.models import Trend
from suksa.domains.insights.models.choices import DataQuality
from suksa.domains.insights.services.data import IndicatorInfo, Point, RoundData, UnitInfo
from suksa.domains.insights.services.run import StageContext, stage

UNIT_KINDS = ("nation", "region", "esa")
BATCH = 2000


def trend_row(run_id: int, unit: UnitInfo, ind: IndicatorInfo, points: list[Point], data: RoundData) -> Trend:
    """The unsaved :class:`Trend` of one series."""
    result = analyse(
        [SeriesValue(p.period, p.t, p.value) for p in points],
        name_th=ind.name_th, name_en=ind.name_en, unit=ind.unit, direction_sign=ind.direction,
    )  # fmt: skip
    flags = data.flags.get((unit.id, ind.code), [])
    labelled = bool(flags) or bool(result.outliers)
    return Trend(
        run_id=run_id,
        unit_id=unit.id,
        indicator=ind.code,
        breakdown="",
        period_kind=ind.period_kind,
        series=[[p.period, p.value] for p in points],
        n=result.n,
        direction=result.direction,
        good=result.good,
        slope=_f(result.fit.slope),
        slope_low=_f(result.fit.slope_low),
        slope_high=_f(result.fit.slope_high),
        tau=_f(result.fit.tau),
        p_value=_f(result.fit.p_value),
        significant=result.significant,
        change_points=list(result.change_points),
        outliers=[o.period for o in result.outliers],
        quality=DataQuality.LABELLED if labelled else DataQuality.OK,
        sentence_th=result.sentence_th,
        sentence_en=result.sentence_en,
        data=_evidence(unit, ind, points, result, flags),
    )


def _f(x: float | None) -> float | None:
    return None if x is None else round(float(x), 6)


def _evidence(
    unit: UnitInfo, ind: IndicatorInfo, points: list[Point], result: TrendResult, flags: list[dict[str, Any]]
) -> dict[str, Any]:
    used = set(result.fit.periods)
    outliers = {o.period: o for o in result.outliers}
    return {
        "unit": {"id": unit.id, "code": unit.code, "kind": unit.kind},
        "indicator": {"code": ind.code, "unit": ind.unit, "direction": ind.direction},
        "points": [
            {
                "period": p.period,
                "t": p.t,
                "value": p.value,
                "source": p.source,
                "used": p.period in used,
                **({"outlier_score": round(outliers[p.period].score, 3)} if p.period in outliers else {}),
            }
            for p in points
        ],
        "missing": result.missing,
        "mk": result.fit.mk.as_dict() if result.fit.mk else None,
        "sen": result.fit.sen.as_dict() if result.fit.sen else None,
        "outliers_set_aside": result.outliers_set_aside,
        "with_outliers": _fit_summary(result.with_outliers),
        "change_point_penalty": _f(result.change_point_penalty),
        "noise_sigma": _f(result.noise_sigma),
        "flags": [
            {k: f[k] for k in ("kind", "severity", "report_id", "id", "status") if k in f} for f in flags
        ],
        "parameters": result.parameters,
    }


def _fit_summary(fit: TrendFit | None) -> dict[str, Any] | None:
    return fit.as_dict() if fit is not None else None


@stage(
    "trends", order=10, label_th="แนวโน้ม", label_en="Trends", method_version=METHOD_VERSION,
    models=(Trend,),
)  # fmt: skip
def compute_trends(ctx: StageContext) -> dict[str, Any]:
    data = ctx.data
    keys = sorted(
        (unit_id, code)
        for unit_id, code in data.series
        if unit_id in data.units and data.units[unit_id].kind in UNIT_KINDS and code in data.indicators
    )
    counts: dict[str, int] = {"trends": 0, "significant": 0, "too_few": 0, "labelled": 0, "outliers": 0}
    batch: list[Trend] = []
    same_length = f"/m{ctx.round.months}"
    for i, (unit_id, code) in enumerate(keys):
        ind = data.indicators[code]
        points = data.series[(unit_id, code)]
        if ind.period_kind == "round":
            points = [p for p in points if p.period.endswith(same_length)]
        row = trend_row(ctx.run.pk, data.units[unit_id], ind, points, data)
        batch.append(row)
        counts["trends"] += 1
        counts["significant"] += int(row.significant)
        counts["too_few"] += int(row.direction == "too_few")
        counts["labelled"] += int(row.quality == DataQuality.LABELLED)
        counts["outliers"] += len(row.outliers)
        if len(batch) >= BATCH:
            Trend.objects.bulk_create(batch)
            batch = []
            ctx.progress(i + 1, len(keys))
    if batch:
        Trend.objects.bulk_create(batch)
    ctx.progress(len(keys), len(keys))
    return counts
