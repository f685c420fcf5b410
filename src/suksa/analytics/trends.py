"""Trends of one indicator series: direction, slope, significance, change points and outliers.

The methods (``docs/guide/insights/trends.md`` explains them for readers):

- **Mann–Kendall** test of a monotonic trend, with the tie-corrected variance of ``S`` and the
  **Hamed–Rao (1998)** correction for autocorrelation: the variance is multiplied by
  ``n/n* = 1 + 2/(n(n−1)(n−2)) · Σ (n−k)(n−k−1)(n−k−2) ρₖ`` over the lags ``k`` whose
  autocorrelation ``ρₖ`` of the ranks of the *detrended* series is significant at ``alpha``
  (``|ρₖ| > z₁₋α/₂ / √n``). The test is written here rather than taken from ``pymannkendall``,
  which it matches where both are defined (``tests/test_trends.py`` checks it), because that
  package (1.4.3) returns ``p = NaN`` for any exactly linear series (the detrended ranks have no
  variance) and, on short series, lets negative autocorrelation shrink the variance until 6 points
  give ``p ≈ 10⁻⁸``. Here a factor that cannot be estimated is 1, and **the factor is never below 1**:
  the correction may only make a short annual series *less* significant, never more.
- **Theil–Sen** slope per year on the real time axis (``t`` in years; uneven spacing allowed), with
  its confidence interval (``scipy.stats.theilslopes``, 95 %).
- **The 5-period rule**: with fewer than 5 usable values (after dropping missing ones) nothing is
  significant — a two-sided Mann–Kendall test on 4 points cannot reach p < 0.05 — and the direction
  is ``too_few``. A series whose usable values are all equal is ``constant`` (slope 0, p = 1).
- **Outliers**: modified z-scores (:func:`suksa.analytics.quality.modified_z_scores`, threshold 3.5)
  of the residuals from the Theil–Sen line of all usable values, so that a steady trend is not
  mistaken for outlying ends; only with at least 5 values, and only when the residual is also at
  least 5 % of the series' median level (a near-exact series, e.g. a rate rounded to one decimal,
  has so small a spread that a 0.1 wobble would otherwise score above 3.5). Outliers are **set aside** and the stored
  trend is the one computed without them (a ×10 typo must not make a unit look as if it improved),
  provided at least 5 values remain; the trend with every value is kept in ``with_outliers``. When
  setting them aside would leave fewer than 5 values they are kept in the trend and only reported.
- **Change points** (a lasting shift of the level or slope): ``ruptures`` PELT with a piecewise
  linear cost (``model="linear"``: each segment its own level and slope, so a steady trend is one
  segment), segments of at least 3 periods, on series of at least 6 values, with the BIC-type
  penalty ``pen = 6 · σ̂² · ln n`` — twice the BIC weight of the three parameters a new segment adds
  (level, slope, position): on pure noise or noise around a line it finds a change point in about
  5–7 % of series of 6–12 values (measured by simulation), at the price of power: a short series
  has to shift by several noise SDs before a change is reported.
  ``σ̂`` is the noise scale estimated robustly from second differences (which cancel a linear trend):
  ``σ̂ = 1.4826 · median|Δ²y| / √6`` (the mean absolute second difference · 1.2533 when the median
  is 0); ``σ̂ ≈ 0`` (an exact line, up to rounding) finds no change point. A change point is reported as the first
  period of the new segment.

Every :class:`TrendResult` carries the series it was given, the values it used, the outliers it
set aside, the statistics behind the verdict and a plain-language sentence in Thai and English.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import ruptures as rpt
from scipy import stats

from suksa.analytics.quality import OUTLIER_THRESHOLD, modified_z_scores

MIN_PERIODS = 5
MIN_CHANGE_POINT_PERIODS = 6
MIN_SEGMENT = 3
ALPHA = 0.05
SLOPE_CONFIDENCE = 0.95
PENALTY_FACTOR = 6.0
MATERIAL_SHARE = 0.05  # an outlier's residual is also at least 5 % of the series' median level
MAD_SIGMA = 1.4826
MEAN_AD_SIGMA = 1.253314
METHOD_VERSION = "trends-1"
# z quantiles computed once (scipy's ppf costs more than a whole short-series test).
_Z_HALF = {SLOPE_CONFIDENCE: float(stats.norm.ppf((1 - SLOPE_CONFIDENCE) / 2))}
_Z_ALPHA = {ALPHA: float(stats.norm.ppf(1 - ALPHA / 2))}

UP, DOWN, FLAT, TOO_FEW, CONSTANT = "up", "down", "flat", "too_few", "constant"

# Words for a change per year (the slope) and for a level, per catalogue unit: (Thai, English).
SLOPE_UNITS: dict[str, tuple[str, str]] = {
    "percent": ("จุด", "points"),
    "score": ("คะแนน", "points"),
    "persons": ("คน", "people"),
    "count": ("", ""),
    "ratio": ("", ""),
    "hours": ("ชั่วโมง", "hours"),
    "per_10k": ("ต่อนักเรียน 10,000 คน", "per 10,000 learners"),
    "index": ("", ""),
}


@dataclass(frozen=True)
class SeriesValue:
    """One value of a series: its period key, time in years and value (None when missing)."""

    period: str
    t: float
    value: float | None


@dataclass(frozen=True)
class MannKendall:
    """The Mann–Kendall statistic and its Hamed–Rao corrected test."""

    n: int
    s: float
    var_s: float  # tie-corrected, before the autocorrelation correction
    correction: float  # n/n*, at least 1
    significant_lags: tuple[int, ...]
    z: float
    p: float
    tau: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n, "s": self.s, "var_s": _r(self.var_s), "correction": _r(self.correction),
            "significant_lags": list(self.significant_lags), "z": _r(self.z), "p": _r(self.p),
            "tau": _r(self.tau),
        }  # fmt: skip


@dataclass(frozen=True)
class SenSlope:
    slope: float
    intercept: float
    low: float
    high: float
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "slope": _r(self.slope), "intercept": _r(self.intercept), "low": _r(self.low),
            "high": _r(self.high), "confidence": self.confidence,
        }  # fmt: skip


@dataclass(frozen=True)
class TrendFit:
    """The verdict on one set of values (all usable ones, or those left after outliers)."""

    periods: tuple[str, ...]
    n: int
    direction: str
    significant: bool
    p_value: float | None
    tau: float | None
    slope: float | None
    slope_low: float | None
    slope_high: float | None
    mk: MannKendall | None
    sen: SenSlope | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "periods": list(self.periods), "n": self.n, "direction": self.direction,
            "significant": self.significant, "p_value": _r(self.p_value), "tau": _r(self.tau),
            "slope": _r(self.slope), "slope_low": _r(self.slope_low), "slope_high": _r(self.slope_high),
            "mk": self.mk.as_dict() if self.mk else None, "sen": self.sen.as_dict() if self.sen else None,
        }  # fmt: skip


@dataclass(frozen=True)
class Outlier:
    period: str
    value: float
    score: float  # modified z-score of the residual from the Theil–Sen line
    residual: float


@dataclass(frozen=True)
class TrendResult:
    """The trend of one series, with everything it was computed from.

    ``series`` is what was given (missing values included); ``fit`` the stored verdict, computed on
    ``fit.periods`` (the usable values, outliers set aside when ``outliers_set_aside``);
    ``with_outliers`` the verdict on every usable value when outliers were set aside (else None).
    """

    series: tuple[SeriesValue, ...]
    missing: int
    fit: TrendFit
    outliers: tuple[Outlier, ...]
    outliers_set_aside: bool
    with_outliers: TrendFit | None
    change_points: tuple[str, ...]
    change_point_penalty: float | None
    noise_sigma: float | None
    good: bool | None
    sentence_th: str
    sentence_en: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.fit.n

    @property
    def direction(self) -> str:
        return self.fit.direction

    @property
    def significant(self) -> bool:
        return self.fit.significant


def _r(x: float | None, digits: int = 6) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), digits)


def _tolerance(y: Sequence[float]) -> float:
    """What counts as zero for differences of values of this size (float rounding)."""
    return 1e-9 * max(1.0, max((abs(v) for v in y), default=0.0))


def _snap(x: float, tol: float) -> float:
    return 0.0 if abs(x) <= tol else x


def _usable(v: float | None) -> bool:
    return v is not None and isinstance(v, int | float) and math.isfinite(v)


# --- Mann–Kendall with the Hamed–Rao correction -----------------------------------------------


def mk_score(y: Sequence[float]) -> float:
    """``S = Σ_{i<j} sign(yⱼ − yᵢ)``."""
    y = [float(v) for v in y]
    n = len(y)
    return float(sum((y[j] > y[i]) - (y[j] < y[i]) for i in range(n) for j in range(i + 1, n)))


def mk_variance(y: Sequence[float]) -> float:
    """Var(S) under no trend, corrected for ties: ``[n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18``."""
    n = len(y)
    return (n * (n - 1) * (2 * n + 5) - _tie_sum(y)) / 18.0


def _ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1…n with ties averaged (``scipy.stats.rankdata``'s default)."""
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x), dtype=float)
    xs = x[order]
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and xs[j + 1] == xs[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def _acf(x: np.ndarray, nlags: int) -> np.ndarray | None:
    y = x - x.mean()
    n = len(x)
    acov = np.correlate(y, y, "full")[n - 1 :] / n
    if acov[0] <= 0:
        return None
    return np.asarray(acov[: nlags + 1] / acov[0])


def hamed_rao_factor(
    t: Sequence[float], y: Sequence[float], slope: float, alpha: float = ALPHA
) -> tuple[float, tuple[int, ...]]:
    """The variance factor ``n/n*`` (at least 1) and the lags whose autocorrelation counted."""
    n = len(y)
    if n < 3:
        return 1.0, ()
    detrended = np.asarray(y, dtype=float) - slope * np.asarray(t, dtype=float)
    acf = _acf(_ranks(detrended), n - 1)
    if acf is None:  # the detrended series is constant: no autocorrelation to measure
        return 1.0, ()
    bound = (_Z_ALPHA.get(alpha) or float(stats.norm.ppf(1 - alpha / 2))) / math.sqrt(n)
    total = 0.0
    lags: list[int] = []
    for k in range(1, n):
        if abs(acf[k]) > bound:
            total += (n - k) * (n - k - 1) * (n - k - 2) * float(acf[k])
            lags.append(k)
    factor = 1 + 2 / (n * (n - 1) * (n - 2)) * total
    return max(1.0, factor), tuple(lags)


def mann_kendall(t: Sequence[float], y: Sequence[float], slope: float, alpha: float = ALPHA) -> MannKendall:
    """The Hamed–Rao corrected Mann–Kendall test of ``y`` ordered by ``t`` (two-sided)."""
    n = len(y)
    s = mk_score(y)
    var_s = mk_variance(y)
    factor, lags = hamed_rao_factor(t, y, slope, alpha)
    var = var_s * factor
    if var <= 0:
        z = 0.0
    elif s > 0:
        z = (s - 1) / math.sqrt(var)
    elif s < 0:
        z = (s + 1) / math.sqrt(var)
    else:
        z = 0.0
    p = math.erfc(abs(z) / math.sqrt(2))  # two-sided: 2·(1 − Φ(|z|))
    tau = s / (0.5 * n * (n - 1)) if n > 1 else 0.0
    return MannKendall(n=n, s=s, var_s=var_s, correction=factor, significant_lags=lags, z=z, p=p, tau=tau)


def median_slope(t: Sequence[float], y: Sequence[float]) -> float | None:
    """The Theil–Sen slope alone (median of pairwise slopes; None with fewer than two distinct
    times): for features and effect sizes that need no interval."""
    tt = np.asarray(t, dtype=float)
    yy = np.asarray(y, dtype=float)
    i, j = np.triu_indices(tt.size, k=1)
    dt = tt[j] - tt[i]
    ok = dt != 0
    if not ok.any():
        return None
    return float(np.median((yy[j] - yy[i])[ok] / dt[ok]))


def sen_slope(t: Sequence[float], y: Sequence[float], confidence: float = SLOPE_CONFIDENCE) -> SenSlope:
    """Theil–Sen slope per unit of ``t`` with its confidence interval (at least 2 distinct times).

    The arithmetic of ``scipy.stats.theilslopes`` (Sen 1968, ``method="separate"``; the tests check
    that both agree), written out because scipy's wrapper costs more than the sums on short series.
    """
    n = len(y)
    slopes = sorted(
        (y[j] - y[i]) / (t[j] - t[i]) if t[j] > t[i] else (y[i] - y[j]) / (t[i] - t[j])
        for i in range(n)
        for j in range(i + 1, n)
        if t[j] != t[i]
    )
    slope = statistics.median(slopes)
    intercept = statistics.median(y) - slope * statistics.median(t)
    z = _Z_HALF.get(confidence) or float(stats.norm.ppf((1 - confidence) / 2))
    sigsq = (n * (n - 1) * (2 * n + 5) - _tie_sum(t) - _tie_sum(y)) / 18.0
    nt = len(slopes)
    if sigsq >= 0:
        sigma = math.sqrt(sigsq)
        hi = min(round((nt - z * sigma) / 2.0), nt - 1)
        lo = max(round((nt + z * sigma) / 2.0) - 1, 0)
        low, high = slopes[lo], slopes[hi]
    else:  # pragma: no cover - only with more ties than values, which cannot happen
        low = high = math.nan
    return SenSlope(slope=slope, intercept=intercept, low=low, high=high, confidence=confidence)


def _tie_sum(values: Sequence[float]) -> float:
    return float(sum(k * (k - 1) * (2 * k + 5) for k in Counter(values).values() if k > 1))


def fit_trend(
    points: Sequence[tuple[str, float, float]],
    *,
    alpha: float = ALPHA,
    min_periods: int = MIN_PERIODS,
) -> TrendFit:
    """The verdict on usable ``(period, t, value)`` points in time order."""
    periods = tuple(p for p, _, _ in points)
    t = [float(x) for _, x, _ in points]
    y = [float(v) for _, _, v in points]
    n = len(y)
    sen = sen_slope(t, y) if n >= 2 and len(set(t)) >= 2 else None
    if n >= 2 and len(set(y)) == 1 and n >= min_periods:
        flat = mann_kendall(t, y, 0.0, alpha)
        return TrendFit(periods, n, CONSTANT, False, 1.0, 0.0, 0.0, 0.0, 0.0, flat, sen)
    mk = mann_kendall(t, y, sen.slope, alpha) if sen is not None and n >= 3 else None
    if n < min_periods:
        return TrendFit(
            periods, n, TOO_FEW, False, mk.p if mk else None, mk.tau if mk else None,
            sen.slope if sen else None, sen.low if sen else None, sen.high if sen else None, mk, sen,
        )  # fmt: skip
    assert mk is not None
    assert sen is not None
    significant = mk.p < alpha and mk.s != 0
    direction = (UP if mk.s > 0 else DOWN) if significant else FLAT
    return TrendFit(periods, n, direction, significant, mk.p, mk.tau, sen.slope, sen.low, sen.high, mk, sen)


# --- Outliers and change points ----------------------------------------------------------------


def find_outliers(
    points: Sequence[tuple[str, float, float]], threshold: float = OUTLIER_THRESHOLD
) -> list[Outlier]:
    """Values whose residual from the Theil–Sen line has a modified z-score above ``threshold``."""
    if len(points) < MIN_PERIODS or len({x for _, x, _ in points}) < 2:
        return []
    t = [x for _, x, _ in points]
    y = [v for _, _, v in points]
    sen = sen_slope(t, y)
    tol = _tolerance(y)
    # Rounding noise of an exact line must not become a spread to score against.
    raw = [v - (sen.intercept + sen.slope * x) for x, v in zip(t, y, strict=True)]
    centre = statistics.median(raw)
    residuals = [_snap(r - centre, tol) for r in raw]
    scores = modified_z_scores(residuals)
    material = MATERIAL_SHARE * statistics.median(abs(v) for v in y)
    return [
        Outlier(period=p, value=v, score=float(sc), residual=res)
        for (p, _, v), sc, res in zip(points, scores, residuals, strict=True)
        if sc is not None and sc > threshold and abs(res) > material
    ]


def noise_sigma(y: Sequence[float]) -> float:
    """Robust noise scale from second differences (a linear trend cancels out)."""
    if len(y) < 3:
        return 0.0
    d2 = np.abs(np.diff(np.asarray(y, dtype=float), n=2))
    med = float(np.median(d2))
    if med > 0:
        return MAD_SIGMA * med / math.sqrt(6)
    return MEAN_AD_SIGMA * float(np.mean(d2)) / math.sqrt(6)


def _line_sse(t: np.ndarray, y: np.ndarray) -> float:
    """Residual sum of squares of the least-squares line (ruptures' ``linear`` cost of one segment)."""
    tc = t - t.mean()
    sxx = float(tc @ tc)
    slope = float(tc @ (y - y.mean())) / sxx if sxx > 0 else 0.0
    res = y - y.mean() - slope * tc
    return float(res @ res)


def change_points(
    points: Sequence[tuple[str, float, float]],
    *,
    penalty_factor: float = PENALTY_FACTOR,
    min_size: int = MIN_SEGMENT,
) -> tuple[list[str], float | None, float]:
    """Periods where a new segment (level and slope) starts: ``(periods, penalty, σ̂)``."""
    y = [v for _, _, v in points]
    n = len(y)
    sigma = noise_sigma(y)
    if n < MIN_CHANGE_POINT_PERIODS or sigma <= _tolerance(y):
        return [], None, sigma
    pen = penalty_factor * sigma**2 * math.log(n)
    t = np.asarray([x for _, x, _ in points], dtype=float)
    if _line_sse(t, np.asarray(y, dtype=float)) <= pen:
        # Any split costs at least one penalty, more than the single line's whole error: PELT would
        # keep one segment, so it need not run (most series; it is the costly step).
        return [], pen, sigma
    signal = np.column_stack([np.asarray(y, dtype=float), t - t.mean(), np.ones(n)])
    ends = rpt.Pelt(model="linear", min_size=min_size, jump=1).fit(signal).predict(pen=pen)
    return [points[i][0] for i in ends[:-1]], pen, sigma


# --- The whole analysis ------------------------------------------------------------------------


def analyse(
    series: Sequence[SeriesValue | tuple[str, float, float | None]],
    *,
    name_th: str = "",
    name_en: str = "",
    unit: str = "",
    direction_sign: int = 0,
    alpha: float = ALPHA,
    threshold: float = OUTLIER_THRESHOLD,
) -> TrendResult:
    """Trend, change points and outliers of one series (``period, t, value`` in any order).

    Missing values (None, NaN, ±∞) are dropped and counted. ``direction_sign`` is +1 when higher is
    better, −1 when lower is better, 0 when neither (then ``good`` is None).
    """
    given = tuple(
        sorted(
            (s if isinstance(s, SeriesValue) else SeriesValue(s[0], float(s[1]), s[2]) for s in series),
            key=lambda s: s.t,
        )
    )
    usable = [(s.period, s.t, float(s.value)) for s in given if s.value is not None and _usable(s.value)]
    missing = len(given) - len(usable)
    outliers = find_outliers(usable, threshold)
    out_periods = {o.period for o in outliers}
    kept = [p for p in usable if p[0] not in out_periods]
    set_aside = bool(outliers) and len(kept) >= MIN_PERIODS
    everything = fit_trend(usable, alpha=alpha)
    fit = fit_trend(kept, alpha=alpha) if set_aside else everything
    cps, pen, sigma = change_points(kept if set_aside else usable)
    good = _good(fit.direction, direction_sign)
    result = TrendResult(
        series=given, missing=missing, fit=fit, outliers=tuple(outliers), outliers_set_aside=set_aside,
        with_outliers=everything if set_aside else None, change_points=tuple(cps),
        change_point_penalty=pen, noise_sigma=sigma, good=good, sentence_th="", sentence_en="",
        parameters={
            "alpha": alpha, "min_periods": MIN_PERIODS, "outlier_threshold": threshold,
            "slope_confidence": SLOPE_CONFIDENCE, "change_point": {
                "method": "ruptures.Pelt", "model": "linear", "min_size": MIN_SEGMENT,
                "min_periods": MIN_CHANGE_POINT_PERIODS, "penalty": "6·σ̂²·ln n",
            },
            "method_version": METHOD_VERSION,
        },
    )  # fmt: skip
    th, en = sentences(result, name_th=name_th, name_en=name_en, unit=unit)
    return TrendResult(**{**result.__dict__, "sentence_th": th, "sentence_en": en})


def _good(direction: str, sign: int) -> bool | None:
    if direction not in (UP, DOWN) or sign == 0:
        return None
    return (direction == UP) == (sign > 0)


# --- Plain language ----------------------------------------------------------------------------


def fmt_number(x: float) -> str:
    """A slope or level for a sentence: 2 decimals (3 significant digits below 0.1), no trailing 0."""
    ax = abs(x)
    if ax == 0:
        return "0"
    if ax >= 1000:
        return f"{x:,.0f}"
    text = f"{x:.2f}" if ax >= 0.1 else f"{x:.3g}"
    if "e" in text:
        text = f"{x:.6f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _level(x: float, unit: str) -> tuple[str, str]:
    if unit == "percent":
        return f"ร้อยละ {fmt_number(x)}", f"{fmt_number(x)}%"
    th, en = SLOPE_UNITS.get(unit, ("", ""))
    if unit == "per_10k":
        return f"{fmt_number(x)} {th}", f"{fmt_number(x)} {en}"
    return f"{fmt_number(x)} {th}".strip(), f"{fmt_number(x)} {en}".strip()


def _years(periods: Sequence[str], ts: Sequence[float]) -> int:
    return round(max(ts) - min(ts)) + 1 if ts else 0


def sentences(result: TrendResult, *, name_th: str, name_en: str, unit: str) -> tuple[str, str]:
    """The plain-language sentence of a trend, Thai then English."""
    fit = result.fit
    name_th = name_th or "ตัวชี้วัด"
    name_en = name_en or "The indicator"
    ts = [s.t for s in result.series if s.period in set(fit.periods)]
    years = _years(fit.periods, ts)
    if fit.direction == TOO_FEW:
        th = f"{name_th}: ข้อมูลน้อยเกินไป (ต้องมีอย่างน้อย {MIN_PERIODS} ช่วงเวลา มี {fit.n})"
        en = f"{name_en}: too few periods (at least {MIN_PERIODS} needed, {fit.n} available)"
    elif fit.direction == CONSTANT:
        value = next(s.value for s in result.series if s.period in set(fit.periods))
        lv_th, lv_en = _level(float(value or 0.0), unit)
        th = f"{name_th}คงที่ที่ {lv_th} ทุกช่วงเวลา ({fit.n} ช่วงเวลา)"
        en = f"{name_en} stayed at {lv_en} in every period ({fit.n} periods)"
    elif fit.direction == FLAT:
        th = f"{name_th}ไม่มีแนวโน้มที่ชัดเจนในช่วง {years} ปี (p = {fit.p_value:.2f})"
        en = f"{name_en} shows no significant trend over {years} years (p = {fit.p_value:.2f})"
    else:
        u_th, u_en = SLOPE_UNITS.get(unit, ("", ""))
        amount = fmt_number(abs(fit.slope or 0.0))
        verb_th = "เพิ่มขึ้น" if fit.direction == UP else "ลดลง"
        verb_en = "rose" if fit.direction == UP else "fell"
        th = f"{name_th}{verb_th}ต่อเนื่อง {years} ปี ปีละ {amount} {u_th}".rstrip() + ", มีนัยสำคัญ"
        en = f"{name_en} {verb_en} for {years} years, {amount} {u_en}".rstrip() + " a year, significant"
        if result.good is not None:
            th += " (ทิศทางที่ดี)" if result.good else " (ทิศทางที่ไม่ดี)"
            en += " (an improvement)" if result.good else " (a deterioration)"
    if result.outliers:
        periods = ", ".join(o.period for o in result.outliers)
        k = len(result.outliers)
        if result.outliers_set_aside:
            th += f"; ไม่นับค่าผิดปกติ {k} ค่า ({periods})"
            en += f"; {k} outlier{'s' if k > 1 else ''} set aside ({periods})"
        else:
            th += f"; มีค่าผิดปกติ {k} ค่า ({periods})"
            en += f"; {k} outlier{'s' if k > 1 else ''} ({periods})"
    if result.change_points:
        cps = ", ".join(result.change_points)
        th += f"; ระดับเปลี่ยนตั้งแต่ {cps}"
        en += f"; the level shifted from {cps}"
    return th, en
