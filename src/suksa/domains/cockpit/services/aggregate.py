"""The ``cockpit`` stage of an insights run: the executive dashboards' precomputed figures.

Runs after the briefs (order 80) on the run's shared :class:`RoundData` and the run's own trends,
strengths and school-model results, and writes one :class:`~suksa.domains.cockpit.models.Figure`
per indicator × unit at every level the dashboards show, plus one
:class:`~suksa.domains.cockpit.models.Summary`:

- **nation, regions, ESAs**: every catalogue indicator with a value known by the round's end (the
  latest point of the unit's series), the previous point, the change, the fiscal year's target and
  its traffic light, the trend arrow of the run's Mann–Kendall trend (significant or not), the last
  8 points for the charts, where the value is stored, and the comparison with peers — an ESA with
  the ESAs of its type (primary / secondary: quartiles, rank) and its context-adjusted strength
  verdict with its 90 % interval from the strengths stage; a region with the other regions;
- **provinces** (the tile map): for each period, the learner-weighted mean of the ESAs that have
  schools in the province, each weighted by its learners *in that province* (a secondary ESA
  covering two provinces counts in both with its share), only where ESAs holding at least half
  of the province's learners have a value; its target is the same weighting of the ESAs'
  targets. This is an approximation of a province figure (the platform holds no province-level
  values) and says so in its ``source``;
- **schools**: the indicators measured per school (O-NET means), with the ESA's target, an arrow
  from the school's own series and, as peer comparison, the school-models stage's expected score
  and z for the school.

The light: on or beyond the target in the good direction is green; within 5 % of the target's
size (or 1 unit for indicators on a 0–100 scale below 20) is amber; else red. A neutral indicator
(closest to target is best) is green within 5 %, amber within 10 %. No target: ``none``.

Counts per level and seconds are recorded in the stage's counts and in the Summary.
"""

from __future__ import annotations

import math
import statistics
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Sum

from suksa.analytics.trends import fit_trend
from suksa.core.errors import InvalidInput, Problem
from suksa.core.models import OrgUnit, Province, School
from suksa.domains.cockpit.models import Arrow, Figure, Level, Light, Summary
from suksa.domains.insights.models import InsightRun, SchoolDeviance, Strength, Trend
from suksa.domains.insights.services.data import IndicatorInfo, Point, RoundData, school_series
from suksa.domains.insights.services.run import StageContext, current_run, run_round, stage
from suksa.domains.monitoring.models import Round

METHOD_VERSION = "cockpit-1"
SERIES_POINTS = 8
AMBER_SHARE = 0.05
MOVERS = 5
COVERAGE = 0.5  # a province value needs ESAs holding at least half its learners
BATCH = 2000

# The headline indicators of the national overview, in order (those the catalogue holds are
# shown): learning, retention and access, teachers, resources. A catalogue flag would make this
# data; until executives ask for another set, it is the bureau's list of the OBEC action plan.
KEY_INDICATORS: tuple[str, ...] = (
    "onet_mean_p6",
    "onet_mean_m3",
    "reading_literacy_rate",
    "dropout_rate",
    "transition_rate_p6_m1",
    "out_of_school_rate",
    "attendance_rate",
    "teacher_shortage_rate",
    "internet_coverage_rate",
    "budget_disbursement_rate",
)


def light_for(value: float | None, target: float | None, direction: int) -> str:
    """The traffic light of a value against its target, by the indicator's good direction."""
    if value is None or target is None:
        return Light.NONE
    band = max(abs(target) * AMBER_SHARE, 1e-9)
    if direction == 0:
        gap = abs(value - target)
        return Light.GREEN if gap <= band else Light.AMBER if gap <= 2 * band else Light.RED
    shortfall = (target - value) * direction  # > 0: on the wrong side of the target
    if shortfall <= 1e-9:
        return Light.GREEN
    return Light.AMBER if shortfall <= band else Light.RED


def improvement_of(change: float | None, direction: int) -> float | None:
    if change is None or direction == 0:
        return None
    return round(change * direction, 6)


def arrow_of_change(change: float | None, scale: float) -> str:
    """An arrow from the last change alone (no trend test possible): flat under 0.5 % of scale."""
    if change is None:
        return Arrow.NONE
    if abs(change) <= max(abs(scale) * 0.005, 1e-9):
        return Arrow.FLAT
    return Arrow.UP if change > 0 else Arrow.DOWN


def arrow_of_series(
    points: Sequence[tuple[str, float, float]], change: float | None, last: float
) -> tuple[str, bool]:
    """(arrow, significant) from a Mann–Kendall test of the series when it is long enough."""
    fit = fit_trend(list(points))
    if fit.direction in ("up", "down"):
        return fit.direction, True
    if fit.direction in ("flat", "constant"):
        return Arrow.FLAT, False
    return arrow_of_change(change, last), False


def _good(arrow: str, significant: bool, direction: int, improvement: float | None) -> bool | None:
    if direction == 0:
        return None
    if arrow in (Arrow.UP, Arrow.DOWN) and significant:
        return (arrow == Arrow.UP) == (direction > 0)
    if improvement is None or improvement == 0:
        return None
    return improvement > 0


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], statistics.median(values), q[2]


def _rank(value: float, values: list[float], direction: int) -> int | None:
    """1 = best of the group (ties share the better rank); None for a neutral indicator."""
    if direction == 0:
        return None
    return 1 + sum(1 for v in values if (v - value) * direction > 1e-12)


def _base(
    run_id: int, level: str, code: str, info: IndicatorInfo, pts: list[Point], target: float | None
) -> dict[str, Any]:
    last = pts[-1]
    prev = pts[-2] if len(pts) > 1 else None
    change = round(last.value - prev.value, 6) if prev is not None else None
    return {
        "run_id": run_id,
        "level": level,
        "indicator": code,
        "period": last.period,
        "value": last.value,
        "previous_period": prev.period if prev is not None else "",
        "previous": prev.value if prev is not None else None,
        "change": change,
        "improvement": improvement_of(change, info.direction),
        "target": target,
        "light": light_for(last.value, target, info.direction),
        "series": [[p.period, p.value] for p in pts[-SERIES_POINTS:]],
        "source": dict(last.source),
    }


@stage(
    "cockpit", order=80, label_th="แดชบอร์ดผู้บริหาร", label_en="Executive cockpit",
    method_version=METHOD_VERSION, models=(Figure, Summary),
)  # fmt: skip
def build_cockpit(ctx: StageContext) -> dict[str, Any]:
    started = time.perf_counter()
    data, run = ctx.data, ctx.run
    trends = {
        (u, i): (d, s)
        for u, i, d, s in Trend.objects.filter(run=run, breakdown="").values_list(
            "unit_id", "indicator", "direction", "significant"
        )
    }
    strengths = {
        (row["unit_id"], row["indicator"]): row
        for row in Strength.objects.filter(run=run)
        .exclude(indicator="")
        .values(
            "unit_id",
            "indicator",
            "peer_group",
            "peer_count",
            "peer_median",
            "score",
            "low",
            "high",
            "verdict",
            "rank",
            "rank_low",
            "rank_high",
        )
    }
    figures: list[Figure] = []
    counts: dict[str, int] = defaultdict(int)

    # --- Nation, regions, ESAs ---------------------------------------------------------------
    unit_rows: dict[tuple[int, str], dict[str, Any]] = {}
    for (unit_id, code), pts in data.series.items():
        unit = data.units.get(unit_id)
        info = data.indicators.get(code)
        if unit is None or info is None or not pts:
            continue
        row = _base(run.pk, unit.kind, code, info, pts, data.targets.get((code, unit_id)))
        direction, significant = trends.get((unit_id, code), ("", False))
        if direction in ("up", "down"):
            arrow = direction
        elif direction in ("flat", "constant"):
            arrow = Arrow.FLAT
        else:
            arrow, significant = arrow_of_change(row["change"], row["value"]), False
        row.update(
            unit_id=unit_id,
            parent_id=unit.parent_id,
            arrow=arrow,
            significant=bool(significant),
            good=_good(arrow, bool(significant), info.direction, row["improvement"]),
            persons=int(unit.context.get("learners", 0)) or None,
        )
        unit_rows[(unit_id, code)] = row

    # Peers: an ESA among the ESAs of its type, a region among the regions.
    groups: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    for (unit_id, code), row in unit_rows.items():
        unit = data.units[unit_id]
        if unit.kind == "esa":
            groups[(code, f"esa_type={unit.esa_type}")].append((unit_id, row["value"]))
        elif unit.kind == "region":
            groups[(code, "region")].append((unit_id, row["value"]))
    for (code, group), members in groups.items():
        values = [v for _, v in members]
        p25, median, p75 = _quartiles(values)
        sign = data.indicators[code].direction
        for unit_id, value in members:
            peer: dict[str, Any] = {
                "group": group, "count": len(values), "median": round(median, 6),
                "p25": round(p25, 6), "p75": round(p75, 6), "min": min(values), "max": max(values),
                "rank": _rank(value, values, sign),
            }  # fmt: skip
            strength = strengths.get((unit_id, code))
            if strength is not None:
                peer["strength"] = {
                    "verdict": strength["verdict"], "score": strength["score"], "low": strength["low"],
                    "high": strength["high"], "group": strength["peer_group"], "count": strength["peer_count"],
                    "rank": strength["rank"], "rank_low": strength["rank_low"], "rank_high": strength["rank_high"],
                }  # fmt: skip
            unit_rows[(unit_id, code)]["peer"] = peer
    for row in unit_rows.values():
        figures.append(Figure(**row))
        counts[row["level"]] += 1

    # --- Provinces ------------------------------------------------------------------------------
    figures.extend(_province_figures(run.pk, data, counts))

    # --- Schools --------------------------------------------------------------------------------
    figures.extend(_school_figures(run.pk, data, counts))

    Figure.objects.bulk_create(figures, batch_size=BATCH)
    ctx.progress(len(figures), len(figures), "figures")

    key = [c for c in KEY_INDICATORS if (data.nation.id, c) in unit_rows]
    summary = Summary.objects.create(
        run=run,
        key_indicators=key,
        movers=_movers(data, unit_rows, key),
        counts=dict(counts),
        seconds=round(time.perf_counter() - started, 3),
    )
    return {"figures": len(figures), **dict(counts), "key_indicators": len(key), "seconds": summary.seconds}


def _province_figures(run_id: int, data: RoundData, counts: dict[str, int]) -> list[Figure]:
    weights: dict[str, dict[int, float]] = defaultdict(dict)
    for esa_id, province, learners in (
        School.objects.filter(unit__is_active=True, unit__parent__kind="esa")
        .values("unit__parent_id", "province_id")
        .annotate(learners=Sum("student_count"))
        .values_list("unit__parent_id", "province_id", "learners")
    ):
        if esa_id in data.units and learners:
            weights[province][esa_id] = float(learners)
    provinces = dict(Province.objects.values_list("code", "inspection_region_id"))
    out: list[Figure] = []
    for code, info in data.indicators.items():
        for province, members in weights.items():
            total = sum(members.values())
            by_period: dict[str, list[tuple[float, float, float]]] = defaultdict(list)  # (t, w, v)
            targets: list[tuple[float, float]] = []
            for esa_id, w in members.items():
                for p in data.series.get((esa_id, code), ()):
                    by_period[p.period].append((p.t, w, p.value))
                target = data.targets.get((code, esa_id))
                if target is not None:
                    targets.append((w, target))
            pts: list[Point] = []
            for period, items in by_period.items():
                covered = sum(w for _, w, _ in items)
                if covered < COVERAGE * total:
                    continue
                value = sum(w * v for _, w, v in items) / covered
                pts.append(
                    Point(
                        period=period,
                        t=items[0][0],
                        value=round(value, 6),
                        source={
                            "model": "cockpit.province",
                            "method": "learner_weighted_mean_of_esas",
                            "esas": sorted(
                                e
                                for e in members
                                if any(p.period == period for p in data.series.get((e, code), ()))
                            ),
                            "coverage": round(covered / total, 4),
                        },
                    )
                )
            if not pts:
                continue
            pts.sort(key=lambda p: p.t)
            tw = sum(w for w, _ in targets)
            target = (
                round(sum(w * t for w, t in targets) / tw, 6) if targets and tw >= COVERAGE * total else None
            )
            row = _base(run_id, Level.PROVINCE, code, info, pts, target)
            arrow, significant = arrow_of_series(
                [(p.period, p.t, p.value) for p in pts], row["change"], row["value"]
            )
            row.update(
                province_id=province,
                parent_id=provinces.get(province),
                arrow=arrow,
                significant=significant,
                good=_good(arrow, significant, info.direction, row["improvement"]),
                persons=int(total),
            )
            out.append(Figure(**row))
            counts["province"] += 1
    return out


def _school_figures(run_id: int, data: RoundData, counts: dict[str, int]) -> list[Figure]:
    series = school_series(data.round, data.indicators)
    if not series:
        return []
    facts = {
        pk: (parent_id, learners)
        for pk, parent_id, learners in OrgUnit.objects.filter(kind="school", is_active=True)
        .values_list("pk", "parent_id", "school__student_count")
        .iterator(chunk_size=5000)
    }
    deviance = {
        (s, i): (g, e, z, d)
        for s, i, g, e, z, d in SchoolDeviance.objects.filter(run_id=run_id).values_list(
            "school_id", "indicator", "group_id", "expected", "z", "is_deviant"
        )
    }
    out: list[Figure] = []
    for (school_id, code), pts in series.items():
        info = data.indicators.get(code)
        parent_id, learners = facts.get(school_id, (None, None))
        if info is None or not pts or parent_id is None:
            continue
        row = _base(run_id, Level.SCHOOL, code, info, pts, data.targets.get((code, parent_id)))
        arrow, significant = arrow_of_series(
            [(p.period, p.t, p.value) for p in pts], row["change"], row["value"]
        )
        peer: dict[str, Any] = {}
        dev = deviance.get((school_id, code))
        if dev is not None:
            peer = {
                "group_id": dev[0],
                "expected": round(dev[1], 6),
                "z": round(dev[2], 4),
                "deviant": dev[3],
            }
        row.update(
            unit_id=school_id,
            parent_id=parent_id,
            arrow=arrow,
            significant=significant,
            good=_good(arrow, significant, info.direction, row["improvement"]),
            persons=learners,
            peer=peer,
        )
        out.append(Figure(**row))
        counts["school"] += 1
    return out


def _mover(
    data: RoundData, unit_id: int, code: str, row: dict[str, Any], z: float | None = None
) -> dict[str, Any]:
    unit = data.units[unit_id]
    info = data.indicators[code]
    item = {
        "unit_id": unit_id, "code": unit.code, "name_th": unit.name_th, "name_en": unit.name_en,
        "indicator": code, "indicator_th": info.name_th, "indicator_en": info.name_en, "unit": info.unit,
        "value": row["value"], "previous": row["previous"], "period": row["period"],
        "previous_period": row["previous_period"], "change": row["change"], "improvement": row["improvement"],
    }  # fmt: skip
    if z is not None:
        item["z"] = round(z, 4)
    return item


def _movers(data: RoundData, rows: dict[tuple[int, str], dict[str, Any]], key: list[str]) -> dict[str, Any]:
    """Top movers among the ESAs per indicator (by improvement) and across the key indicators
    (improvement standardised by the spread of the ESAs' improvements on each indicator)."""
    by_code: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for (unit_id, code), row in rows.items():
        if data.units[unit_id].kind == "esa" and row["improvement"] is not None:
            by_code[code].append((unit_id, row))
    out: dict[str, Any] = {}
    pooled: list[tuple[float, int, str, dict[str, Any]]] = []
    for code, members in by_code.items():
        ordered = sorted(members, key=lambda m: (-m[1]["improvement"], data.units[m[0]].code))
        out[code] = {
            "up": [_mover(data, u, code, r) for u, r in ordered if r["improvement"] > 0][:MOVERS],
            "down": [_mover(data, u, code, r) for u, r in reversed(ordered) if r["improvement"] < 0][:MOVERS],
        }
        if code in key and len(members) >= 3:
            imps = [r["improvement"] for _, r in members]
            sd = statistics.pstdev(imps)
            if sd > 0 and math.isfinite(sd):
                mean = statistics.fmean(imps)
                pooled.extend(((r["improvement"] - mean) / sd, u, code, r) for u, r in members)
    pooled.sort(key=lambda p: (-p[0], data.units[p[1]].code, p[2]))
    out["all"] = {
        "up": [_mover(data, u, c, r, z) for z, u, c, r in pooled if z > 0][:MOVERS],
        "down": [_mover(data, u, c, r, z) for z, u, c, r in reversed(pooled) if z < 0][:MOVERS],
    }
    return out


def refresh(rnd: Round) -> InsightRun:
    """Recompute the cockpit figures of the round's current run (after a change of this stage's
    method, or for a run computed before the stage existed); raises ``InvalidInput`` (field
    ``round``) when the round has no run.

    The other stages' results are kept: only this stage is marked to do and run again (it deletes
    its own rows first), so the figures always come from one run's data.
    """
    run = current_run(rnd)
    if run is None:
        raise InvalidInput(
            [Problem(code="no_run", field="round",
                     th=f"รอบ {rnd.key} ยังไม่มีผลการคำนวณข้อมูลเชิงลึก ให้คำนวณก่อนด้วย suksa insights run --round {rnd.key}",
                     en=f"Round {rnd.key} has no insights run yet: compute one first with suksa insights run --round {rnd.key}")]
        )  # fmt: skip
    run.stages.pop("cockpit", None)
    run.save(update_fields=["stages"])
    return run_round(run, only=["cockpit"])
