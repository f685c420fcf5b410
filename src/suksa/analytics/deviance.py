"""Positive deviance within structural groups of schools (pure: no Django, no other suksa package).

A *positive deviant* is a school whose outcome stays well above what schools of the same structure
and resources achieve, year after year. The method, for one outcome (e.g. the O-NET P6 mean):

1. **Groups.** Every school has a structural group key (``level|size band|area``, built by the
   caller with :func:`group_key`). A group with fewer than ``min_group`` tested schools is merged
   into a coarser one (``level|size band``, then ``level``); a level still too small is not scored
   (status ``too_small``). :func:`effective_groups` does this and says what was merged.
2. **Expected outcome** of school *s* in year *y*:
   ``median of its group in y`` + ``its area's offset in y`` + ``b · (resource − group median)``.
   The *area offset* is the median, over the area's (ESA's) tested schools, of their distance from
   their groups' medians that year, shrunk towards 0 by ``n / (n + shrink)`` — it stands for the
   local context the data do not record (poverty, remoteness). ``b`` is the group's Theil–Sen slope
   of the school level on the resource (pupil–teacher ratio), from a deterministic subsample of at
   most ``slope_sample`` schools; 0 with fewer than ``min_slope`` schools. Medians everywhere: a
   few deviants or typos cannot move the expectation.
3. **Residual** ``r_sy = observed − expected``. A year is *set aside* when its residual is a
   modified-z outlier against the school's other years (``> 3.5``, :mod:`suksa.analytics.quality`)
   and lies more than ``aside_sd`` (3) SDs of the group's year from the other years' median
   (the planted one-year typos). The school's residual is the mean over the kept years; its
   standard error the larger of the year-to-year spread (``sd / √k``) and the sampling error of
   the takers (``pupil_sd / √takers`` averaged over the years, ``/ √k``).
4. **Deviant** when, with at least ``min_years`` kept years: the residual is at least
   ``level_z`` robust SDs of the group's school residuals (``1.4826·MAD``), the residual over
   its standard error is at least ``se_z``, and the yearly residual is at least ``year_z`` robust
   SDs of that group-year in at least ``share_years`` of the kept years. One good year (or one
   typo) never makes a deviant. A *near miss* has a level of at least ``near_z`` without meeting
   every rule.

:func:`shared_traits` then says what the deviants of a group have in common against the rest of the
group: the share naming each practice (lift = deviants' share / others' share), staffing and size.
Every result carries the values it used.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from scipy.stats import theilslopes

from suksa.analytics.quality import OUTLIER_THRESHOLD, clean, is_outlier, median

MAD_TO_SD = 1.4826
LEVEL_Z = 2.5
NEAR_Z = 2.0
YEAR_Z = 1.0
SE_Z = 2.0
SHARE_YEARS = 0.6
MIN_YEARS = 3
MIN_GROUP = 10
MIN_SLOPE = 20
SLOPE_SAMPLE = 400
SHRINK = 5.0
ASIDE_SD = 3.0  # a year set aside must also be this many group SDs of the year off the school's others
PUPIL_SD = 15.0  # spread of pupils' O-NET scores around their school mean, points (sampling error)

LEVELS = ("primary", "extended", "secondary")
SECONDARY_GRADES = frozenset({"M1", "M2", "M3", "M4", "M5", "M6"})


def school_level(esa_type: str, lowest_grade: str, highest_grade: str) -> str:
    """``secondary`` (a secondary-ESA school or one starting at M1), ``extended`` (a primary-ESA
    school teaching lower secondary: ขยายโอกาส), else ``primary``."""
    if esa_type == "secondary" or lowest_grade in SECONDARY_GRADES:
        return "secondary"
    if highest_grade in SECONDARY_GRADES:
        return "extended"
    return "primary"


def group_key(level: str, size_band: str, area_type: str) -> str:
    return f"{level}|{size_band or 'unknown'}|{area_type or 'unknown'}"


def coarser(key: str) -> str | None:
    """The next coarser group (drop the last attribute), or None at the level."""
    parts = key.split("|")
    return "|".join(parts[:-1]) if len(parts) > 1 else None


@dataclass(frozen=True)
class SchoolSeries:
    """One school's outcome on one test over the years, with what the expectation uses."""

    school: int
    group: str  # the finest structural key (see :func:`group_key`)
    area: int | None  # the ESA (for the local offset); None: no offset
    values: Mapping[str, float]  # year -> observed mean
    takers: Mapping[str, float] = field(default_factory=dict)  # year -> test takers
    resource: float | None = None  # pupil–teacher ratio
    size: float | None = None  # learners


@dataclass(frozen=True)
class Params:
    level_z: float = LEVEL_Z
    near_z: float = NEAR_Z
    year_z: float = YEAR_Z
    se_z: float = SE_Z
    share_years: float = SHARE_YEARS
    min_years: int = MIN_YEARS
    min_group: int = MIN_GROUP
    min_slope: int = MIN_SLOPE
    slope_sample: int = SLOPE_SAMPLE
    shrink: float = SHRINK
    pupil_sd: float = PUPIL_SD
    aside_sd: float = ASIDE_SD


@dataclass(frozen=True)
class GroupFit:
    """The expectation of one effective group: medians per year, resource slope, scales."""

    key: str
    members: tuple[int, ...]
    merged_from: tuple[str, ...]  # finer keys folded into this one
    medians: dict[str, float]  # year -> group median
    year_sd: dict[str, float]  # year -> robust SD of the residuals
    level_sd: float  # robust SD of the school residuals (means over years)
    slope: float  # points per unit of resource
    resource_median: float | None
    status: str  # ok | too_small


@dataclass(frozen=True)
class SchoolResult:
    school: int
    group: str
    observed: float  # mean over the kept years
    expected: float
    residual: float
    se: float | None
    z: float | None  # residual / se
    level_z: float | None  # residual / group level SD
    years: int  # kept years
    years_above: int  # kept years with the yearly z ≥ year_z
    set_aside: tuple[str, ...]  # outlier years left out
    # (year, observed, expected, residual, z) of deviants and near misses; empty for the others.
    yearly: tuple[tuple[str, float, float, float, float | None], ...]
    is_deviant: bool
    is_near: bool
    reason: str  # deviant | near | few_years | below | inconsistent | imprecise | too_small


@dataclass(frozen=True)
class DevianceResult:
    groups: dict[str, GroupFit]
    schools: dict[int, SchoolResult]
    merged: dict[str, str]  # finest key -> effective key (or "" when not scored)
    params: Params

    def deviants(self) -> list[SchoolResult]:
        return [r for r in self.schools.values() if r.is_deviant]


def effective_groups(counts: Mapping[str, int], min_group: int) -> dict[str, str]:
    """Map each finest key to the key (itself or coarser) its schools are scored in.

    A key with at least ``min_group`` schools keeps its own group. The others are pooled one
    level up (``level|size band``) and kept there when the pool is large enough, then at the level;
    a pool still too small is not scored (""). So a small ``primary|small|urban`` joins the other
    too-small primary small schools, never a group that is large enough on its own.
    """
    out: dict[str, str] = {}
    cur = {k: k for k in counts}
    remaining = dict(counts.items())
    while remaining:
        pooled: dict[str, int] = defaultdict(int)
        for k, n in remaining.items():
            pooled[cur[k]] += n
        for k in sorted(remaining):
            if pooled[cur[k]] >= min_group:
                out[k] = cur[k]
            else:
                parent = coarser(cur[k])
                if parent is None:
                    out[k] = ""
                else:
                    cur[k] = parent
        remaining = {k: n for k, n in remaining.items() if k not in out}
    return out


def _robust_sd(values: Sequence[float]) -> float:
    if len(values) < 2:
        return 0.0
    med = median(values)
    mad = median([abs(v - med) for v in values])
    if mad > 0:
        return MAD_TO_SD * mad
    mean_ad = sum(abs(v - med) for v in values) / len(values)
    return 1.253314 * mean_ad


def _slope(points: list[tuple[float, float]], p: Params) -> float:
    if len(points) < p.min_slope:
        return 0.0
    pts = sorted(points)
    if len(pts) > p.slope_sample:
        step = len(pts) / p.slope_sample
        pts = [pts[int(i * step)] for i in range(p.slope_sample)]
    xs = [x for x, _ in pts]
    if max(xs) - min(xs) <= 0:
        return 0.0
    res = theilslopes([y for _, y in pts], xs)
    slope = float(res[0])
    return slope if math.isfinite(slope) else 0.0


def find_deviants(series: Iterable[SchoolSeries], params: Params | None = None) -> DevianceResult:
    """Positive deviants of one outcome (see the module docstring for the method)."""
    p = params or Params()
    rows = [s for s in series if clean(s.values.values())]
    counts: dict[str, int] = defaultdict(int)
    for s in rows:
        counts[s.group] += 1
    merged = effective_groups(counts, p.min_group)
    members: dict[str, list[SchoolSeries]] = defaultdict(list)
    for s in rows:
        members[merged[s.group]].append(s)

    # 1. Group-year medians, and each value's distance from its group's median.
    medians: dict[str, dict[str, float]] = {}
    centred: dict[int, dict[str, float]] = {}
    for key, ss in members.items():
        if not key:
            continue
        by_year: dict[str, list[float]] = defaultdict(list)
        for s in ss:
            for y, v in s.values.items():
                by_year[y].append(v)
        medians[key] = {y: median(vs) for y, vs in sorted(by_year.items())}
        for s in ss:
            centred[s.school] = {y: v - medians[key][y] for y, v in s.values.items()}

    # 2. Area (ESA) offsets per year: shrunk medians of the centred values.
    by_area: dict[tuple[int, str], list[float]] = defaultdict(list)
    for s in rows:
        if s.area is not None and s.school in centred:
            for y, c in centred[s.school].items():
                by_area[(s.area, y)].append(c)
    offsets = {k: median(v) * len(v) / (len(v) + p.shrink) for k, v in by_area.items()}

    def offset(s: SchoolSeries, y: str) -> float:
        return offsets.get((s.area, y), 0.0) if s.area is not None else 0.0

    groups: dict[str, GroupFit] = {}
    results: dict[int, SchoolResult] = {}
    for key, ss in sorted(members.items()):
        if not key:
            for s in ss:
                results[s.school] = _unscored(s)
            continue
        # 3. Resource slope on the school levels after the group and area adjustments.
        level_pts = [
            (s.resource, sum(centred[s.school][y] - offset(s, y) for y in s.values) / len(s.values))
            for s in ss
            if s.resource is not None and math.isfinite(s.resource)
        ]
        slope = _slope([(float(x), y) for x, y in level_pts], p)
        res_median = median([x for x, _ in level_pts]) if level_pts else None

        def expected(
            s: SchoolSeries, y: str, key: str = key, slope: float = slope, rm: float | None = res_median
        ) -> float:
            e = medians[key][y] + offset(s, y)
            if slope and s.resource is not None and rm is not None:
                e += slope * (s.resource - rm)
            return e

        expectations = {s.school: {y: expected(s, y) for y in s.values} for s in ss}
        residuals = {s.school: {y: v - expectations[s.school][y] for y, v in s.values.items()} for s in ss}
        res_by_year: dict[str, list[float]] = defaultdict(list)
        for r in residuals.values():
            for y, v in r.items():
                res_by_year[y].append(v)
        year_sd = {y: _robust_sd(v) for y, v in sorted(res_by_year.items())}
        kept = {s.school: _kept_years(residuals[s.school], year_sd, p.aside_sd) for s in ss}
        levels = [
            sum(residuals[s.school][y] for y in kept[s.school]) / len(kept[s.school])
            for s in ss
            if kept[s.school]
        ]
        level_sd = _robust_sd(levels)
        fit = GroupFit(
            key=key,
            members=tuple(sorted(s.school for s in ss)),
            merged_from=tuple(sorted({s.group for s in ss if s.group != key})),
            medians=medians[key],
            year_sd=year_sd,
            level_sd=level_sd,
            slope=slope,
            resource_median=res_median,
            status="ok",
        )
        groups[key] = fit
        for s in ss:
            results[s.school] = _score(s, fit, residuals[s.school], kept[s.school], expectations[s.school], p)
    return DevianceResult(groups=groups, schools=results, merged=merged, params=p)


def _kept_years(residuals: Mapping[str, float], year_sd: Mapping[str, float], aside_sd: float) -> list[str]:
    """Years kept: a year is set aside when its residual is a modified-z outlier against the
    school's other years *and* lies more than ``aside_sd`` group SDs of that year from their median
    (a school whose years agree to a tenth of a point must not lose one for a quarter point)."""
    years = sorted(residuals)
    if len(years) < 4:
        return years
    centre = median([residuals[y] for y in years])
    # Cheap screen first: when every year lies within half the distance of the school's median, the
    # others' median does too, so no year can be farther than the whole distance from it.
    if all(abs(residuals[y] - centre) <= 0.5 * aside_sd * year_sd.get(y, 0.0) for y in years):
        return years
    out = []
    for y in years:
        others = [residuals[o] for o in years if o != y]
        check = is_outlier(residuals[y], others, threshold=OUTLIER_THRESHOLD, min_reference=3)
        far = check.median is not None and abs(residuals[y] - check.median) > aside_sd * year_sd.get(y, 0.0)
        if not (check.is_outlier and far):
            out.append(y)
    return out


def _unscored(s: SchoolSeries) -> SchoolResult:
    obs = clean(s.values.values())
    mean = sum(obs) / len(obs)
    return SchoolResult(
        school=s.school, group="", observed=mean, expected=mean, residual=0.0, se=None, z=None,
        level_z=None, years=len(obs), years_above=0, set_aside=(), yearly=(), is_deviant=False,
        is_near=False, reason="too_small",
    )  # fmt: skip


def _score(
    s: SchoolSeries,
    fit: GroupFit,
    residuals: Mapping[str, float],
    kept: list[str],
    expected: Mapping[str, float],
    p: Params,
) -> SchoolResult:
    zs: dict[str, float | None] = {}
    above = 0
    for y in sorted(residuals):
        sd = fit.year_sd.get(y, 0.0)
        z = zs[y] = residuals[y] / sd if sd > 0 else None
        if y in kept and z is not None and z >= p.year_z:
            above += 1
    k = len(kept)
    set_aside = tuple(y for y in sorted(residuals) if y not in kept)
    if k == 0:
        return _unscored(s)
    resid = sum(residuals[y] for y in kept) / k
    observed = sum(s.values[y] for y in kept) / k
    se: float | None = None
    if k >= 2:
        sd = math.sqrt(sum((residuals[y] - resid) ** 2 for y in kept) / (k - 1))
        spread_se = sd / math.sqrt(k)
        takers = [s.takers.get(y) for y in kept]
        usable = [t for t in takers if t is not None and t > 0]
        takers_se = (
            math.sqrt(sum(p.pupil_sd**2 / t for t in usable) / len(usable)) / math.sqrt(k) if usable else 0.0
        )
        se = max(spread_se, takers_se) or None
    z_se = resid / se if se else None
    level_z = resid / fit.level_sd if fit.level_sd > 0 else None
    reason = "deviant"
    if k < p.min_years:
        reason = "few_years"
    elif level_z is None or level_z < p.level_z:
        reason = "below"
    elif above < math.ceil(p.share_years * k):
        reason = "inconsistent"
    elif z_se is None or z_se < p.se_z:
        reason = "imprecise"
    is_deviant = reason == "deviant"
    is_near = not is_deviant and level_z is not None and level_z >= p.near_z
    if is_near:
        reason = reason if reason != "below" else "near"
    # The per-year detail is kept for the rows worth storing (deviants and near misses) only.
    yearly = (
        [(y, round(s.values[y], 4), round(expected[y], 4), round(residuals[y], 4), _r(zs[y])) for y in zs]
        if is_deviant or is_near
        else []
    )
    return SchoolResult(
        school=s.school, group=fit.key, observed=observed, expected=observed - resid, residual=resid,
        se=se, z=z_se, level_z=level_z, years=k, years_above=above, set_aside=set_aside,
        yearly=tuple(yearly), is_deviant=is_deviant, is_near=is_near, reason=reason,
    )  # fmt: skip


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


# --- what deviants share ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PracticeLift:
    key: str
    deviants_with: int
    others_with: int
    deviants_share: float
    others_share: float
    lift: float | None  # None when no other school names it (only deviants do)


@dataclass(frozen=True)
class SharedTraits:
    deviants: int
    others: int
    practices: tuple[PracticeLift, ...]  # most lifted first
    staffing: dict[str, float | None]  # median pupil–teacher ratio, deviants vs others
    size: dict[str, float | None]  # median learners, deviants vs others


def _med(values: Iterable[float | None]) -> float | None:
    vs = clean(values)
    return round(median(vs), 3) if vs else None


def shared_traits(
    deviants: Iterable[int],
    members: Iterable[int],
    practices: Mapping[int, Iterable[str]],
    resource: Mapping[int, float | None],
    size: Mapping[int, float | None],
    min_deviants_with: int = 1,
) -> SharedTraits:
    """What the deviants of a group share against the rest: practices (share and lift), staffing
    (median pupil–teacher ratio) and size (median learners)."""
    dev = set(deviants)
    rest = [m for m in members if m not in dev]
    dev_list = sorted(dev)
    lifts = []
    keys = sorted({k for m in dev_list for k in practices.get(m, ())})
    for key in keys:
        d = sum(1 for m in dev_list if key in set(practices.get(m, ())))
        o = sum(1 for m in rest if key in set(practices.get(m, ())))
        if d < min_deviants_with:
            continue
        ds = d / len(dev_list)
        os_ = o / len(rest) if rest else 0.0
        lifts.append(
            PracticeLift(key, d, o, round(ds, 4), round(os_, 4), round(ds / os_, 3) if os_ > 0 else None)
        )
    lifts.sort(key=lambda x: (-(x.lift if x.lift is not None else math.inf), -x.deviants_share, x.key))
    return SharedTraits(
        deviants=len(dev_list),
        others=len(rest),
        practices=tuple(lifts),
        staffing={
            "deviants": _med(resource.get(m) for m in dev_list),
            "others": _med(resource.get(m) for m in rest),
        },
        size={"deviants": _med(size.get(m) for m in dev_list), "others": _med(size.get(m) for m in rest)},
    )
