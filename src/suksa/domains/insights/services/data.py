"""What a run reads, loaded once per run and shared by every stage (set-based, bounded queries).

:func:`load_round_data` returns a :class:`RoundData` for one monitoring round:

- ``indicators``: the current catalogue indicators (code, names, unit, direction ±1, domain,
  source kind, period kind), keyed by catalogue code;
- ``units``: the nation, the inspection regions and the active ESAs with their context (ESA type,
  region, schools, learners, teachers, small-school and urban shares) — what peer groups are
  built from;
- ``series``: ``{(unit id, catalogue code): [Point, …]}`` in time order, every value the platform
  held **by the round's end** (the rule pre-fill uses: a past round's insights see what was known
  then): computed and imported indicators from ``core.IndicatorValue`` (the catalogue source's
  producer, code, breakdown and scale; periods available by ``round.period_end``), reported
  indicators from the ESAs' own submitted reports of the rounds of the same length (``2566/m12``,
  ``2567/m12``, … up to this round); platform round-keyed figures likewise only from rounds of the
  same length (they accumulate through the fiscal year). Each point keeps where it came from (``source``), which is
  what a brief's numbers and an alert's evidence point at;
- ``targets``: ``{(catalogue code, unit id): target}`` for the round's fiscal year;
- ``target_areas``: the ESA ids of the fiscal year's target areas;
- ``flags``: ``{(unit id, catalogue code): [issue, …]}`` — the quality checks' findings on the
  round's reports (blocking issues and warnings: outliers, ±33 % changes, rule breaches) and the
  open or rejected data problems: results built on these are held back or labelled.

Time axis (``Point.t``, in years, BE): an academic year or census of year *t* sits at *t*; fiscal
year *f* at *f* − 0.5; round *f*/m*N* at *f* − 1 + *N*/12 − 0.25 (the demo history uses the same).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum

from suksa.core.figures import SMALL_SCHOOL_MAX
from suksa.core.models import EsaProfile, IndicatorValue, OrgUnit, School
from suksa.domains.monitoring.models import DataProblem, Indicator, Report, ReportValue, Round, TargetArea
from suksa.domains.monitoring.models.choices import Direction, ReportStatus, SourceKind
from suksa.domains.monitoring.periods import available_on
from suksa.domains.monitoring.services.catalogue import targets_for_units

# Reports whose reported values count as data: everything the ESA has handed in.
HANDED_IN = (ReportStatus.SUBMITTED, ReportStatus.IN_REVIEW, ReportStatus.APPROVED, ReportStatus.LOCKED)


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name_th: str
    name_en: str
    unit: str
    direction: int  # +1 higher is better, -1 lower is better, 0 neutral
    domain: str
    source_kind: str
    period_kind: str  # census | year | fiscal_year | round
    value_type: str
    min_value: float | None
    max_value: float | None


@dataclass(frozen=True)
class UnitInfo:
    id: int
    code: str
    kind: str  # nation | region | esa
    name_th: str
    name_en: str
    path: str
    parent_id: int | None
    esa_type: str = ""
    region_id: int | None = None
    # schools, learners, teachers, small_share, urban_share, pupil_teacher (ESAs; sums above)
    context: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Point:
    period: str
    t: float
    value: float
    # {"model": "core.IndicatorValue" | "monitoring.ReportValue", "id": pk, ...}
    source: dict[str, Any]


@dataclass
class RoundData:
    round: Round
    indicators: dict[str, IndicatorInfo]
    units: dict[int, UnitInfo]
    series: dict[tuple[int, str], list[Point]]
    targets: dict[tuple[str, int], float]
    target_areas: set[int]
    flags: dict[tuple[int, str], list[dict[str, Any]]]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def nation(self) -> UnitInfo:
        return next(u for u in self.units.values() if u.kind == "nation")

    def esas(self) -> list[UnitInfo]:
        return sorted((u for u in self.units.values() if u.kind == "esa"), key=lambda u: u.code)

    def regions(self) -> list[UnitInfo]:
        return sorted((u for u in self.units.values() if u.kind == "region"), key=lambda u: u.code)

    def latest(self, unit_id: int, code: str) -> Point | None:
        pts = self.series.get((unit_id, code))
        return pts[-1] if pts else None


def tau(period: str, kind: str) -> float | None:
    """The time of a period on the run's axis (years, BE); None when the key does not parse."""
    try:
        if kind == "round":
            fy, _, m = period.partition("/m")
            return int(fy) - 1 + int(m) / 12 - 0.25
        if kind == "fiscal_year":
            return int(period) - 0.5
        if kind == "census":
            return float(int(period.partition("/")[0]))
        return float(int(period))
    except ValueError:
        return None


# OBEC's 18 inspection regions by geographic group (the region's number ends its code, R01–R18):
# the peer context of strengths and the fairness groups of early warnings.
REGION_GROUPS: dict[int, str] = {
    1: "bangkok", 2: "central", 3: "central", 4: "central", 5: "south", 6: "south", 7: "deep_south",
    8: "east", 9: "east", 10: "northeast", 11: "northeast", 12: "northeast", 13: "northeast",
    14: "northeast", 15: "north", 16: "north", 17: "north", 18: "north",
}  # fmt: skip


def region_group(data: RoundData, unit: UnitInfo) -> str:
    """The geographic group of an ESA's inspection region ("other" when it has none)."""
    region = data.units.get(unit.region_id) if unit.region_id else None
    match = re.search(r"(\d+)$", region.code) if region else None
    return REGION_GROUPS.get(int(match.group(1)), "other") if match else "other"


DIRECTION_SIGN = {Direction.HIGHER: 1, Direction.LOWER: -1, Direction.NEUTRAL: 0}


def load_indicators() -> dict[str, IndicatorInfo]:
    out: dict[str, IndicatorInfo] = {}
    for ind in Indicator.objects.filter(is_current=True).order_by("code"):
        kind = "round" if ind.source_kind == SourceKind.REPORTED else ind.source.get("period", "year")
        out[ind.code] = IndicatorInfo(
            code=ind.code, name_th=ind.name_th, name_en=ind.name_en, unit=ind.unit,
            direction=DIRECTION_SIGN.get(Direction(ind.direction), 0), domain=ind.domain,
            source_kind=ind.source_kind, period_kind=kind, value_type=ind.value_type,
            min_value=ind.min_value, max_value=ind.max_value,
        )  # fmt: skip
    return out


def load_units() -> dict[int, UnitInfo]:
    """Nation, regions and active ESAs with context (three grouped queries)."""
    units = list(
        OrgUnit.objects.filter(kind__in=("nation", "region", "esa"), is_active=True).values_list(
            "pk", "code", "kind", "name_th", "name_en", "path", "parent_id"
        )
    )
    esa_type = dict(EsaProfile.objects.values_list("unit_id", "esa_type"))
    per_esa: dict[int, dict[str, float]] = {}
    for row in (
        School.objects.filter(unit__is_active=True)
        .values("unit__parent_id")
        .annotate(
            schools=Count("pk"),
            learners=Sum("student_count"),
            teachers=Sum("teacher_count"),
            small=Count("pk", filter=Q(student_count__gte=1, student_count__lte=SMALL_SCHOOL_MAX)),
            urban=Count("pk", filter=Q(area_type="urban")),
        )
    ):
        n = row["schools"] or 0
        learners = float(row["learners"] or 0)
        teachers = float(row["teachers"] or 0)
        per_esa[row["unit__parent_id"]] = {
            "schools": float(n),
            "learners": learners,
            "teachers": teachers,
            "small_share": row["small"] / n if n else 0.0,
            "urban_share": row["urban"] / n if n else 0.0,
            "pupil_teacher": learners / teachers if teachers else 0.0,
        }
    out: dict[int, UnitInfo] = {}
    for pk, code, kind, name_th, name_en, path, parent_id in units:
        ctx = per_esa.get(pk, {}) if kind == "esa" else {}
        out[pk] = UnitInfo(
            id=pk, code=code, kind=kind, name_th=name_th, name_en=name_en, path=path, parent_id=parent_id,
            esa_type=esa_type.get(pk, ""), region_id=parent_id if kind == "esa" else None, context=ctx,
        )  # fmt: skip
    # Regions and the nation: sums of their ESAs (shares recomputed from the sums).
    for parent_kind in ("region", "nation"):
        for unit in [u for u in out.values() if u.kind == parent_kind]:
            children = [
                u
                for u in out.values()
                if u.kind == "esa" and (u.parent_id == unit.id or parent_kind == "nation")
            ]
            unit.context.update(_sum_context([c.context for c in children]))
    return out


def _sum_context(contexts: list[dict[str, float]]) -> dict[str, float]:
    schools = sum(c.get("schools", 0.0) for c in contexts)
    learners = sum(c.get("learners", 0.0) for c in contexts)
    teachers = sum(c.get("teachers", 0.0) for c in contexts)
    small = sum(c.get("small_share", 0.0) * c.get("schools", 0.0) for c in contexts)
    urban = sum(c.get("urban_share", 0.0) * c.get("schools", 0.0) for c in contexts)
    return {
        "schools": schools,
        "learners": learners,
        "teachers": teachers,
        "small_share": small / schools if schools else 0.0,
        "urban_share": urban / schools if schools else 0.0,
        "pupil_teacher": learners / teachers if teachers else 0.0,
    }


def _platform_series(
    rnd: Round, indicators: dict[str, IndicatorInfo], unit_ids: list[int] | None, unit_q: Q | None = None
) -> dict[tuple[int, str], list[Point]]:
    specs = {
        ind.code: ind.source
        for ind in Indicator.objects.filter(is_current=True).exclude(source_kind=SourceKind.REPORTED)
        if ind.source.get("indicator")
    }
    by_source: dict[tuple[str, str], list[str]] = defaultdict(list)
    for code, spec in specs.items():
        by_source[(spec["indicator"], spec.get("breakdown", ""))].append(code)
    if not by_source:
        return {}
    units = Q(unit_id__in=unit_ids) if unit_ids is not None else (unit_q or Q())
    rows = (
        IndicatorValue.objects.filter(
            units,
            indicator__in=sorted({c for c, _ in by_source}),
            breakdown__in=sorted({b for _, b in by_source}),
        )
        .values_list(
            "unit_id", "indicator", "breakdown", "period", "value", "pk", "run__producer", "computed_at"
        )
        .order_by("computed_at", "pk")
    )
    # The latest row per (unit, code, breakdown, period, producer) wins, as in pre-fill.
    latest: dict[tuple[int, str, str, str, str], tuple[Any, ...]] = {}
    for row in rows.iterator(chunk_size=10000):
        latest[(row[0], row[1], row[2], row[3], row[6] or "")] = row
    out: dict[tuple[int, str], list[Point]] = defaultdict(list)
    for (unit_id, src_code, breakdown, period, producer), row in latest.items():
        for code in by_source.get((src_code, breakdown), ()):
            spec = specs[code]
            if spec.get("producer") and spec["producer"] != producer:
                continue
            kind = indicators[code].period_kind
            if row[4] is None or not _known_by(period, kind, rnd, int(spec.get("lag_days", 0))):
                continue
            t = tau(period, kind)
            if t is None:
                continue
            scale = float(spec.get("scale", 1))
            out[(unit_id, code)].append(
                Point(
                    period=period,
                    t=t,
                    value=round(float(row[4]) * scale, 6),
                    source={
                        "model": "core.IndicatorValue",
                        "id": row[5],
                        "producer": producer,
                        "scale": scale,
                    },
                )
            )
    return out


def school_series(rnd: Round, indicators: dict[str, IndicatorInfo]) -> dict[tuple[int, str], list[Point]]:
    """Every catalogue indicator's values per active school known by the round's end (in the demo
    and today: the O-NET means), in time order — what the cockpit's school figures are built from."""
    series = _platform_series(rnd, indicators, None, Q(unit__kind="school", unit__is_active=True))
    for pts in series.values():
        pts.sort(key=lambda p: p.t)
    return dict(series)


def _known_by(period: str, kind: str, rnd: Round, lag_days: int) -> bool:
    """Known by the round's end; a round-keyed figure (cumulative over the fiscal year) counts
    only from rounds of the same length, so a series compares 12 months with 12 months."""
    if kind == "round":
        t, now = tau(period, "round"), tau(rnd.key, "round")
        return t is not None and now is not None and t <= now and period.endswith(f"/m{rnd.months}")
    day = available_on(period, kind, lag_days)
    return day is not None and day <= rnd.period_end


def _reported_series(rnd: Round, indicators: dict[str, IndicatorInfo]) -> dict[tuple[int, str], list[Point]]:
    codes = [c for c, i in indicators.items() if i.source_kind == SourceKind.REPORTED]
    if not codes:
        return {}
    fy = rnd.framework.fiscal_year
    rows = ReportValue.objects.filter(
        indicator__code__in=codes,
        value__isnull=False,
        report__status__in=HANDED_IN,
        report__round__months=rnd.months,
        report__round__framework__fiscal_year__lte=fy,
    ).values_list("report__esa_id", "indicator__code", "report__round__framework__fiscal_year", "value", "pk")
    out: dict[tuple[int, str], list[Point]] = defaultdict(list)
    for esa_id, code, year, value, pk in rows.iterator(chunk_size=10000):
        period = f"{year}/m{rnd.months}"
        t = tau(period, "round")
        if t is None:
            continue
        out[(esa_id, code)].append(
            Point(
                period=period,
                t=t,
                value=float(value or 0.0),
                source={"model": "monitoring.ReportValue", "id": pk},
            )
        )
    return out


def _flags(rnd: Round) -> dict[tuple[int, str], list[dict[str, Any]]]:
    """Quality findings on the round's reports and data problems raised on their values."""
    from suksa.domains.monitoring.services.quality import round_quality_results

    out: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    esa_of = dict(Report.objects.filter(round=rnd).values_list("pk", "esa_id"))
    for report_id, result in round_quality_results(rnd).items():
        esa_id = esa_of.get(report_id)
        if esa_id is None:
            continue
        for issue in result.issues:
            if issue.indicator_code and issue.kind not in ("required", "missing_prefill"):
                out[(esa_id, issue.indicator_code)].append(
                    {
                        "kind": issue.kind,
                        "severity": issue.severity,
                        "commented": issue.commented,
                        "message_th": issue.message_th,
                        "message_en": issue.message_en,
                        "report_id": report_id,
                    }
                )
    for esa_id, code, status, pk in DataProblem.objects.filter(value__report__round=rnd).values_list(
        "value__report__esa_id", "value__indicator__code", "status", "pk"
    ):
        out[(esa_id, code)].append(
            {"kind": "data_problem", "severity": "warning", "status": status, "id": pk}
        )
    return dict(out)


def load_round_data(rnd: Round, *, with_flags: bool = True) -> RoundData:
    indicators = load_indicators()
    units = load_units()
    series = _platform_series(rnd, indicators, list(units))
    for key, pts in _reported_series(rnd, indicators).items():
        series[key] = pts
    for pts in series.values():
        pts.sort(key=lambda p: p.t)
    unit_objs = list(OrgUnit.objects.filter(pk__in=list(units)))
    targets = targets_for_units(list(indicators), rnd.framework.fiscal_year, unit_objs)
    areas = set(TargetArea.objects.filter(framework=rnd.framework).values_list("unit_id", flat=True))
    flags = _flags(rnd) if with_flags else {}
    return RoundData(
        round=rnd,
        indicators=indicators,
        units=units,
        series=dict(series),
        targets=targets,
        target_areas=areas,
        flags=flags,
        counts={"series": len(series), "points": sum(len(p) for p in series.values()), "units": len(units)},
    )
