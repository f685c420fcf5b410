"""Context-adjusted (value-added) strength scores of units against peers of similar context.

The question an executive asks is "which ESA is strong, at what, compared with ESAs like it?".
The method answers it in two steps, both pure functions of the numbers given:

1. :func:`adjust_indicator` — for one indicator and each of its last ``periods`` periods, a robust
   (Huber) regression of the units' values, signed so that higher is better, on context
   covariates: ESA type and region group (as dummies), small-school share, urban share, log
   learners and, only when asked, the unit's own value ``prior_lag`` years earlier. Covariate
   blocks are added in priority order while at least :data:`MIN_RESIDUAL_DF` residual degrees of
   freedom remain, so a small nation still gets an adjusted (if coarser) score. The residuals are
   divided by a robust between-unit SD (1.4826 × MAD of the units' mean residuals), so a score of
   +1 means "one between-unit SD better than expected for its context".

   *Prior attainment* is off by default. An ESA's own earlier value carries its own lasting
   standing: adjusting for it turns "is it strong?" into "did it improve more than expected?",
   which the trends answer. Regressing a level on its own lag absorbs most of a persistent
   strength (a test shows it); pass ``prior_lag`` for the growth question.

2. :func:`score_units` — a unit's score over a set of indicators (a domain) is the mean of its
   indicators' time-averaged standardised residuals. Its interval treats what is *not* common to
   the domain as noise: year-to-year variation and indicator-specific deviations (a unit can be good
   at one test without being strong at learning). With at least :data:`MIN_OWN_SPREAD` indicators,
   The variance is the unit's own spread across its indicators *moderated* by the spread pooled
   over all units (empirical Bayes as in limma: the pooled variance counts as :data:`PRIOR_DF`
   degrees of freedom, the unit's own as K − 1; t interval with K − 1 + PRIOR_DF df). A unit
   whose indicators disagree (a typo on one) keeps a wide interval; a unit with one or two
   indicators borrows the others' spread, and a one-indicator domain the spread pooled over the
   other domains (:func:`pooled_between_variance`). For a single indicator (the per-indicator
   rows) the same rule runs over periods instead of indicators.

   The verdict is ``strong`` (``weak``) only when the whole interval lies above (below) the peer
   median — the median score of the unit's peer group (same ESA type and region group; when that
   group has fewer than ``min_peers`` units with a score, the same ESA type nationally, which the
   regression already adjusted for region). Fewer than ``min_peers`` even then: ``no_peers``. No
   value at all: ``no_data``.

   Ranks come with uncertainty: each unit's score is drawn ``draws`` times from its interval's
   distribution, units are ranked in every draw (1 = best), and the rank interval is the
   ``level`` central range of the simulated ranks, within the peer group and nationally.

Every result carries the values, periods, covariates and fits it used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median

import numpy as np
from scipy import stats

MIN_RESIDUAL_DF = 5  # residual degrees of freedom a regression keeps
MIN_UNITS = 6  # fewer units with a value in a period: that period is not adjusted
MIN_OWN_SPREAD = 4  # with no pooled spread at all: values needed to use a unit's own alone
PRIOR_DF = 4  # weight of the pooled spread against a unit's own (degrees of freedom)
MIN_PEERS = 5
LEVEL = 0.9
DRAWS = 2000
HUBER_K = 1.345
MAD_FACTOR = 1.4826

# Covariate blocks in the order they enter the regression.
CATEGORICAL = ("esa_type", "region_group")
DEFAULT_COVARIATES: tuple[str, ...] = (
    "esa_type",
    "small_share",
    "region_group",
    "urban_share",
    "log_learners",
)


@dataclass(frozen=True)
class UnitContext:
    """What a unit is compared on. ``numeric``: ``small_share``, ``urban_share``, ``log_learners``."""

    key: int
    esa_type: str
    region_group: str
    numeric: Mapping[str, float] = field(default_factory=dict)

    @property
    def peer_group(self) -> str:
        return f"{self.esa_type}|{self.region_group}"


@dataclass(frozen=True)
class Obs:
    period: str
    t: float
    value: float


@dataclass(frozen=True)
class PeriodFit:
    period: str
    n: int
    covariates: tuple[str, ...]  # the columns used (dummies named block=level)
    coefficients: tuple[float, ...]
    dropped: tuple[str, ...]  # blocks left out (too few units, constant or collinear)


@dataclass(frozen=True)
class IndicatorAdjustment:
    """One indicator's context-adjusted residuals. ``status``: ``ok``, ``too_few_units``,
    ``constant`` (no spread to standardise by) or ``no_data``."""

    code: str
    direction: int
    status: str
    periods: tuple[str, ...]  # oldest → latest, the ones adjusted
    values: Mapping[int, Mapping[str, float]]  # as given (not signed), per unit and period
    z: Mapping[int, Mapping[str, float]]  # standardised residuals (higher = better than expected)
    scale: float | None  # the between-unit SD the residuals were divided by (signed units)
    fits: tuple[PeriodFit, ...]

    def unit_mean(self, unit: int) -> float | None:
        zs = self.z.get(unit)
        return float(np.mean(list(zs.values()))) if zs else None


@dataclass(frozen=True)
class UnitScore:
    unit: int
    score: float | None
    low: float | None
    high: float | None
    se: float | None
    df: float | None  # inf: normal interval
    spread: str  # moderated_|pooled_ + indicators|periods, own_periods, or none
    indicators: Mapping[str, float]  # indicator -> the unit's mean standardised residual
    periods: int  # number of (indicator, period) values behind the score
    verdict: str  # strong | weak | typical | no_peers | no_data
    peer_group: str
    peer_count: int
    peer_median: float | None
    rank: int | None = None
    rank_low: int | None = None
    rank_high: int | None = None
    national_rank: int | None = None
    national_rank_low: int | None = None
    national_rank_high: int | None = None
    national_count: int = 0
    reason: str = ""


# --- step 1: adjust one indicator -------------------------------------------------------------


def _huber(x: np.ndarray, y: np.ndarray, iterations: int = 20) -> np.ndarray:
    """Huber M-estimate by iteratively reweighted least squares (one wild value cannot steer it)."""
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    for _ in range(iterations):
        r = y - x @ beta
        s = MAD_FACTOR * float(np.median(np.abs(r - np.median(r))))
        if s <= 1e-12:
            break
        u = np.abs(r) / (s * HUBER_K)
        w = np.where(u <= 1.0, 1.0, 1.0 / np.maximum(u, 1e-12))
        sw = np.sqrt(w)
        new = np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)[0]
        if np.allclose(new, beta, atol=1e-10, rtol=1e-8):
            beta = new
            break
        beta = new
    return np.asarray(beta)


def _block(name: str, units: Sequence[int], contexts: Mapping[int, UnitContext], prior: Mapping[int, float]) -> tuple[list[str], np.ndarray] | None:  # fmt: skip
    """The design columns of one covariate block (None when some unit lacks it or it is constant)."""
    if name in CATEGORICAL:
        labels = [getattr(contexts[u], name) for u in units]
        levels = sorted(set(labels))
        if len(levels) < 2:
            return None
        cols = np.array([[1.0 if lab == lev else 0.0 for lev in levels[1:]] for lab in labels])
        return [f"{name}={lev}" for lev in levels[1:]], cols
    if name == "prior":
        if any(u not in prior for u in units):
            return None
        col = np.array([prior[u] for u in units])
    else:
        raw = [contexts[u].numeric.get(name) for u in units]
        if any(v is None or not math.isfinite(v) for v in raw):
            return None
        col = np.array(raw, dtype=float)
    if float(np.ptp(col)) <= 1e-12:
        return None
    return [name], col[:, None]


def _design(
    units: Sequence[int],
    contexts: Mapping[int, UnitContext],
    covariates: Sequence[str],
    prior: Mapping[int, float],
) -> tuple[np.ndarray, list[str], list[str]]:
    n = len(units)
    x = np.ones((n, 1))
    names = ["intercept"]
    dropped: list[str] = []
    for block in covariates:
        built = _block(block, units, contexts, prior)
        if built is None:
            dropped.append(block)
            continue
        cols, mat = built
        candidate = np.hstack([x, mat])
        if n - candidate.shape[1] < MIN_RESIDUAL_DF or np.linalg.matrix_rank(candidate) < candidate.shape[1]:
            dropped.append(block)
            continue
        x, names = candidate, names + cols
    return x, names, dropped


def _robust_sd(values: Sequence[float]) -> float:
    arr = np.asarray(values, dtype=float)
    s = MAD_FACTOR * float(np.median(np.abs(arr - np.median(arr))))
    if s <= 1e-12:
        s = float(np.std(arr, ddof=1)) if len(arr) > 1 else 0.0
    return s


def adjust_indicator(
    code: str,
    series: Mapping[int, Sequence[Obs]],
    contexts: Mapping[int, UnitContext],
    *,
    direction: int = 1,
    periods: int = 5,
    covariates: Sequence[str] = DEFAULT_COVARIATES,
    prior_lag: float | None = None,
) -> IndicatorAdjustment:
    """Standardised context-adjusted residuals of one indicator over its last ``periods`` periods.

    ``series``: per unit, its observations (units without a context are ignored). ``direction``:
    +1 higher is better, −1 lower is better. With ``prior_lag`` (years), the unit's own value that
    long before each period (within ±0.5 year) enters as the last covariate.
    """
    sign = 1.0 if direction >= 0 else -1.0
    usable = {u: [o for o in obs if math.isfinite(o.value)] for u, obs in series.items() if u in contexts}
    values = {u: {o.period: o.value for o in obs} for u, obs in usable.items() if obs}
    times: dict[str, float] = {}
    for obs in usable.values():
        for o in obs:
            times[o.period] = o.t
    chosen = sorted(times, key=lambda p: times[p])[-periods:] if periods > 0 else []
    blocks = [*covariates, *(["prior"] if prior_lag is not None else [])]
    raw: dict[int, dict[str, float]] = {}
    fits: list[PeriodFit] = []
    for period in chosen:
        at = times[period]
        units = sorted(u for u, vals in values.items() if period in vals)
        prior: dict[int, float] = {}
        if prior_lag is not None:
            for u in units:
                near = [o for o in usable[u] if abs(o.t - (at - prior_lag)) <= 0.5]
                if near:
                    prior[u] = sign * min(near, key=lambda o: abs(o.t - (at - prior_lag))).value
            units = [u for u in units if u in prior]
        if len(units) < MIN_UNITS:
            continue
        y = np.array([sign * values[u][period] for u in units])
        x, names, dropped = _design(units, contexts, blocks, prior)
        beta = _huber(x, y)
        resid = y - x @ beta
        fits.append(PeriodFit(period, len(units), tuple(names), tuple(round(float(b), 6) for b in beta), tuple(dropped)))  # fmt: skip
        for u, r in zip(units, resid, strict=True):
            raw.setdefault(u, {})[period] = float(r)
    used = tuple(f.period for f in fits)
    if not values:
        return IndicatorAdjustment(code, direction, "no_data", (), {}, {}, None, ())
    if not fits:
        return IndicatorAdjustment(code, direction, "too_few_units", (), values, {}, None, ())
    means = [float(np.mean(list(r.values()))) for r in raw.values()]
    scale = _robust_sd(means) if len(means) > 1 else 0.0
    if scale <= 1e-12:
        return IndicatorAdjustment(code, direction, "constant", used, values, {}, None, tuple(fits))
    z = {u: {p: r / scale for p, r in rs.items()} for u, rs in raw.items()}
    return IndicatorAdjustment(code, direction, "ok", used, values, z, scale, tuple(fits))


# --- step 2: scores, intervals, verdicts, ranks ----------------------------------------------


@dataclass
class _Raw:
    unit: int
    score: float | None = None
    se: float | None = None
    df: float | None = None
    spread: str = "none"
    indicators: dict[str, float] = field(default_factory=dict)
    n_values: int = 0


def _pooled_variance(groups: Sequence[Sequence[float]]) -> tuple[float, int] | None:
    ss, dof = 0.0, 0
    for g in groups:
        if len(g) >= 2:
            arr = np.asarray(g, dtype=float)
            ss += float(np.sum((arr - arr.mean()) ** 2))
            dof += len(g) - 1
    return (ss / dof, dof) if dof > 0 else None


def _spread_values(adjustments: Sequence[IndicatorAdjustment], unit: int, by_indicator: bool) -> list[float]:
    if by_indicator:
        return [m for a in adjustments if (m := a.unit_mean(unit)) is not None]
    return [v for a in adjustments for v in a.z.get(unit, {}).values()]


def _raw_scores(
    adjustments: Sequence[IndicatorAdjustment],
    units: Sequence[int],
    pooled_fallback: float | None,
) -> list[_Raw]:
    ok = [a for a in adjustments if a.status == "ok"]
    by_indicator = len(ok) > 1
    kind = "indicators" if by_indicator else "periods"
    groups = {u: _spread_values(ok, u, by_indicator) for u in units}
    pooled = _pooled_variance(list(groups.values()))
    out: list[_Raw] = []
    for u in units:
        row = _Raw(u)
        g = groups[u]
        if not g:
            out.append(row)
            continue
        row.indicators = {a.code: round(m, 6) for a in ok if (m := a.unit_mean(u)) is not None}
        row.n_values = sum(len(a.z.get(u, {})) for a in ok)
        row.score = float(np.mean(g))
        spread = _moderated(g, pooled, pooled_fallback)
        if spread is not None:
            var, row.df, own = spread
            row.se = math.sqrt(var / len(g))
            row.spread = f"{'moderated' if own else 'pooled'}_{kind}"
        out.append(row)
    return out


def _moderated(
    g: Sequence[float], pooled: tuple[float, int] | None, fallback: float | None
) -> tuple[float, float, bool] | None:
    """The variance of one value of ``g`` (variance, degrees of freedom, whether ``g`` itself
    contributed): the unit's own spread moderated by the pooled one, worth :data:`PRIOR_DF`
    degrees of freedom (empirical Bayes, as in limma). A unit whose own values disagree (a typo on
    one indicator) keeps a wide interval; one with few values borrows the others' spread."""
    own_df = len(g) - 1
    own = float(np.var(g, ddof=1)) if own_df > 0 else 0.0
    prior = pooled[0] if pooled is not None else fallback
    if prior is None:
        return (own, float(own_df), True) if own_df >= MIN_OWN_SPREAD - 1 else None
    return (own_df * own + PRIOR_DF * prior) / (own_df + PRIOR_DF), float(own_df + PRIOR_DF), own_df > 0


def _quantile(level: float, df: float) -> float:
    p = 0.5 + level / 2
    return float(stats.norm.ppf(p)) if math.isinf(df) else float(stats.t.ppf(p, df))


def _peer_groups(
    rows: Sequence[_Raw], contexts: Mapping[int, UnitContext], min_peers: int
) -> dict[int, tuple[str, list[int]]]:
    scored = [r.unit for r in rows if r.score is not None]
    fine: dict[str, list[int]] = {}
    coarse: dict[str, list[int]] = {}
    for u in scored:
        fine.setdefault(contexts[u].peer_group, []).append(u)
        coarse.setdefault(contexts[u].esa_type, []).append(u)
    out: dict[int, tuple[str, list[int]]] = {}
    for r in rows:
        c = contexts[r.unit]
        if len(fine.get(c.peer_group, [])) >= min_peers:
            out[r.unit] = (c.peer_group, fine[c.peer_group])
        else:
            out[r.unit] = (f"{c.esa_type}|*", coarse.get(c.esa_type, []))
    return out


def _simulated_ranks(
    rows: Sequence[_Raw], level: float, draws: int, seed: int
) -> dict[int, tuple[int, int, int]]:
    """Rank (1 = best), and its ``level`` interval, of each scored row among ``rows``."""
    scored = [r for r in rows if r.score is not None]
    if not scored:
        return {}
    rng = np.random.default_rng(seed)
    centre = np.array([r.score for r in scored], dtype=float)
    se = np.array([r.se if r.se is not None else 0.0 for r in scored], dtype=float)
    noise = np.empty((draws, len(scored)))
    for j, r in enumerate(scored):
        df = r.df if r.df is not None else math.inf
        noise[:, j] = rng.standard_normal(draws) if math.isinf(df) else rng.standard_t(df, draws)
    sims = centre[None, :] + noise * se[None, :]
    ranks = (-sims).argsort(axis=1).argsort(axis=1) + 1
    point = (-centre).argsort().argsort() + 1
    tail = (1 - level) / 2
    lo = np.floor(np.quantile(ranks, tail, axis=0))
    hi = np.ceil(np.quantile(ranks, 1 - tail, axis=0))
    return {r.unit: (int(point[j]), int(lo[j]), int(hi[j])) for j, r in enumerate(scored)}


def score_units(
    adjustments: Sequence[IndicatorAdjustment],
    contexts: Mapping[int, UnitContext],
    *,
    level: float = LEVEL,
    min_peers: int = MIN_PEERS,
    draws: int = DRAWS,
    seed: int = 0,
    pooled_fallback: float | None = None,
) -> list[UnitScore]:
    """Scores over ``adjustments`` (one domain, or one indicator) for every unit in ``contexts``.

    ``pooled_fallback``: the between-indicator variance to use when no unit here has two
    indicators (a one-indicator domain); see :func:`pooled_between_variance`.
    """
    units = sorted(contexts)
    rows = _raw_scores(adjustments, units, pooled_fallback)
    groups = _peer_groups(rows, contexts, min_peers)
    by_unit = {r.unit: r for r in rows}
    national = _simulated_ranks(rows, level, draws, seed)
    group_ranks: dict[int, tuple[int, int, int]] = {}
    for name in sorted({g for g, _ in groups.values()}):
        members = next(m for g, m in groups.values() if g == name)
        group_ranks.update(_simulated_ranks([by_unit[u] for u in members], level, draws, seed))
    national_count = sum(1 for r in rows if r.score is not None)
    out: list[UnitScore] = []
    for r in rows:
        name, members = groups[r.unit]
        peer_scores = [sc for u in members if (sc := by_unit[u].score) is not None]
        peer_median = float(median(peer_scores)) if len(peer_scores) >= min_peers else None
        low = high = None
        if r.score is not None and r.se is not None and r.df is not None:
            q = _quantile(level, r.df)
            low, high = r.score - q * r.se, r.score + q * r.se
        verdict, reason = _verdict(r, low, high, peer_median, len(peer_scores), min_peers)
        rank = group_ranks.get(r.unit) if peer_median is not None else None
        nat = national.get(r.unit)
        out.append(
            UnitScore(
                unit=r.unit,
                score=r.score,
                low=low,
                high=high,
                se=r.se,
                df=r.df,
                spread=r.spread,
                indicators=r.indicators,
                periods=r.n_values,
                verdict=verdict,
                peer_group=name,
                peer_count=len(peer_scores),
                peer_median=peer_median,
                rank=rank[0] if rank else None,
                rank_low=rank[1] if rank else None,
                rank_high=rank[2] if rank else None,
                national_rank=nat[0] if nat else None,
                national_rank_low=nat[1] if nat else None,
                national_rank_high=nat[2] if nat else None,
                national_count=national_count,
                reason=reason,
            )
        )
    return out


def _verdict(
    r: _Raw, low: float | None, high: float | None, peer_median: float | None, peers: int, min_peers: int
) -> tuple[str, str]:
    if r.score is None:
        return "no_data", "no_values"
    if peer_median is None:
        return "no_peers", f"peers={peers}<{min_peers}"
    if low is None or high is None:
        return "no_data", "no_spread"
    if low > peer_median:
        return "strong", "interval_above_peer_median"
    if high < peer_median:
        return "weak", "interval_below_peer_median"
    return "typical", "interval_covers_peer_median"


def pooled_between_variance(
    domains: Sequence[Sequence[IndicatorAdjustment]], units: Sequence[int]
) -> float | None:
    """The spread of units' indicator scores around their domain score, pooled over every
    (unit, domain) with at least two indicators: the fallback for one-indicator domains."""
    groups: list[list[float]] = []
    for adjustments in domains:
        ok = [a for a in adjustments if a.status == "ok"]
        if len(ok) < 2:
            continue
        groups.extend(_spread_values(ok, u, True) for u in units)
    pooled = _pooled_variance(groups)
    return pooled[0] if pooled else None
