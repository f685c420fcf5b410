"""Data-quality checks of reported figures: outliers, consistency over time, completeness, timeliness.

The conventions follow the WHO data-quality review and DHIS2, which monitoring bureaus already use:

- **Outliers** by the *modified* z-score of Iglewicz and Hoaglin (1993),
  ``M = 0.6745 · |x − median| / MAD`` with ``MAD = median(|xᵢ − median|)``; a value with ``M > 3.5``
  is a likely outlier. Median and MAD are not dragged by the outlier itself, so one wild figure
  cannot hide behind the spread it causes, as it does with a plain z-score on a short series.
- **MAD = 0** (more than half of the reference values are equal, common with rates of 0 % or
  100 %): the MAD cannot scale anything, so the score falls back to the *mean* absolute deviation
  about the median, ``M = |x − median| / (1.253314 · MeanAD)`` (1.253314 ≈ √(π/2) makes MeanAD a
  consistent estimate of σ, as 1/0.6745 ≈ 1.4826 does for the MAD). When MeanAD is 0 as well (every
  reference value identical) there is no spread to measure against: the score is ``None`` and the
  value is **not** flagged (status ``"no_spread"``) — a departure from a constant series is judged by
  the consistency-over-time check and the validation rules, not by a division by zero.
- **Consistency over time**: a value more than ±33 % away from the mean of the prior three periods.
- **Completeness** = received / expected reports (target ≥ 95 %, an office below 90 % is flagged);
  **timeliness** = on time / expected (target ≥ 90 %).

Every result carries the numbers it used, so that a message can show them and a reviewer can redo
the arithmetic. Missing values (``None`` or NaN, and ±∞) are left out of every reference set.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MODIFIED_Z_FACTOR = 0.6745
MEAN_AD_FACTOR = 1.253314
OUTLIER_THRESHOLD = 3.5
MIN_REFERENCE = 5  # fewer reference values than this: "too few" to call anything an outlier
CHANGE_PCT = 0.33
PRIOR_PERIODS = 3
COMPLETENESS_TARGET = 0.95
COMPLETENESS_FLAG = 0.90
TIMELINESS_TARGET = 0.90
_EPS = 1e-9  # relative slack so that a change of exactly 33 % is not flagged by float rounding
_INF = math.inf
_NEG_INF = -math.inf


def is_number(x: object) -> bool:
    """A finite int or float (None, NaN and infinities are not numbers here)."""
    return isinstance(x, int | float) and math.isfinite(x)


def clean(values: Iterable[float | None]) -> list[float]:
    """The finite numbers of ``values``, in order (None, NaN and ±∞ dropped; anything that is not
    a number raises ``TypeError``: the caller passed the wrong thing)."""
    # One chained comparison drops NaN (every comparison with NaN is false) and both infinities.
    return [float(v) for v in values if v is not None and _NEG_INF < v < _INF]


def median(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("median of no values")
    s = sorted(values)
    n = len(s)
    mid = n // 2
    return s[mid] if n % 2 else (s[mid - 1] + s[mid]) / 2


@dataclass(frozen=True)
class Spread:
    """Centre and scale of a reference set: ``median``, ``mad`` and, when the MAD is 0, ``mean_ad``."""

    median: float
    mad: float
    mean_ad: float
    method: str  # "mad" | "mean_ad" | "none" (no spread at all)

    def score(self, x: float) -> float | None:
        deviation = abs(x - self.median)
        if self.method == "mad":
            return MODIFIED_Z_FACTOR * deviation / self.mad
        if self.method == "mean_ad":
            return deviation / (MEAN_AD_FACTOR * self.mean_ad)
        return None


def spread(values: Sequence[float]) -> Spread:
    """Median, MAD and the fallback scale of finite ``values`` (at least one)."""
    med = median(values)
    deviations = [abs(v - med) for v in values]
    mad = median(deviations)
    mean_ad = sum(deviations) / len(deviations)
    method = "mad" if mad > 0 else ("mean_ad" if mean_ad > 0 else "none")
    return Spread(med, mad, mean_ad, method)


def modified_z_scores(values: Sequence[float | None]) -> list[float | None]:
    """The modified z-score ``0.6745·|x − median| / MAD`` of every value against the whole list.

    Missing values (None, NaN, ±∞) get ``None`` and are left out of the median and MAD. With
    MAD = 0 the mean absolute deviation takes its place (``|x − median| / (1.253314·MeanAD)``);
    with no spread at all (every value equal) every score is ``None``. Scores are absolute: the
    sign of ``x − median`` is the caller's to read.
    """
    finite = clean(values)
    if not finite:
        return [None] * len(values)
    s = spread(finite)
    return [s.score(float(v)) if v is not None and is_number(v) else None for v in values]


@dataclass(frozen=True)
class OutlierResult:
    """A value scored against a reference set.

    ``status``: ``"outlier"`` (score > threshold), ``"ok"``, ``"too_few"`` (fewer than
    ``min_reference`` usable reference values: nothing is concluded), ``"no_value"`` (the value is
    missing) or ``"no_spread"`` (every reference value identical: no scale to score against).
    ``direction`` is ``"above"`` or ``"below"`` the median (``""`` when equal or not scored).
    """

    value: float | None
    score: float | None
    threshold: float
    is_outlier: bool
    status: str
    median: float | None
    mad: float | None
    mean_ad: float | None
    method: str | None
    n_reference: int
    min_reference: int
    direction: str
    reference: tuple[float, ...]


def is_outlier(
    value: float | None,
    reference: Iterable[float | None],
    threshold: float = OUTLIER_THRESHOLD,
    min_reference: int = MIN_REFERENCE,
) -> OutlierResult:
    """Is ``value`` an outlier against ``reference`` (e.g. the unit's own past values, or its peers)?

    The value is scored with the reference's median and MAD (the value itself is not part of the
    reference). At least ``min_reference`` (5) usable reference values are needed; with fewer the
    answer is ``status="too_few"`` and never an outlier: a median of four numbers says too little.
    """
    ref = tuple(clean(reference))

    def result(
        x: float | None, status: str, s: Spread | None = None, score: float | None = None
    ) -> OutlierResult:
        direction = ""
        if s is not None and x is not None and score is not None:
            direction = "above" if x > s.median else ("below" if x < s.median else "")
        return OutlierResult(
            value=x, score=score, threshold=threshold, is_outlier=status == "outlier", status=status,
            median=s.median if s else None, mad=s.mad if s else None, mean_ad=s.mean_ad if s else None,
            method=s.method if s else None, n_reference=len(ref), min_reference=min_reference,
            direction=direction, reference=ref,
        )  # fmt: skip

    if value is None or not is_number(value):
        return result(None, "no_value")
    x = float(value)
    if len(ref) < min_reference:
        return result(x, "too_few")
    s = spread(ref)
    score = s.score(x)
    if score is None:
        return result(x, "no_spread", s)
    return result(x, "outlier" if score > threshold else "ok", s, score)


@dataclass(frozen=True)
class ConsistencyResult:
    """A value against the mean of the prior periods.

    ``change`` is ``(value − prior_mean) / |prior_mean|`` (``None`` when the mean is 0 or nothing
    was compared). ``status``: ``"ok"``, ``"changed"`` (outside ±``pct``), ``"too_few"`` (fewer than
    ``periods`` prior values), ``"no_value"``, or ``"zero_mean"`` (the prior mean is 0: a value
    that is 0 too is unchanged (``"ok"``), any other value is flagged — from nothing to something
    is more than any percentage).
    """

    value: float | None
    prior: tuple[float, ...]  # the prior values used, oldest first
    prior_mean: float | None
    change: float | None
    pct: float
    is_flagged: bool
    status: str
    periods: int


def change_vs_prior_mean(
    value: float | None, prior: Sequence[float | None], pct: float = CHANGE_PCT, periods: int = PRIOR_PERIODS
) -> ConsistencyResult:
    """Is ``value`` more than ``pct`` (±33 %) away from the mean of the last ``periods`` prior values?

    ``prior`` is in time order, oldest first. Missing periods (None, NaN) are skipped and the
    ``periods`` most recent *available* values are used; with fewer than ``periods`` of them the
    answer is ``status="too_few"``. Negative means are handled by dividing by ``|mean|``. A change
    of exactly ``pct`` is not flagged ("outside ±33 %").
    """
    usable = tuple(clean(prior))[-periods:] if periods > 0 else ()
    if value is None or not is_number(value):
        return ConsistencyResult(None, usable, None, None, pct, False, "no_value", periods)
    x = float(value)
    if len(usable) < periods:
        return ConsistencyResult(x, usable, None, None, pct, False, "too_few", periods)
    mean = sum(usable) / len(usable)
    if mean == 0:
        flagged = x != 0
        return ConsistencyResult(
            x, usable, 0.0, None, pct, flagged, "zero_mean" if flagged else "ok", periods
        )
    change = (x - mean) / abs(mean)
    flagged = abs(change) > pct * (1 + _EPS)
    return ConsistencyResult(x, usable, mean, change, pct, flagged, "changed" if flagged else "ok", periods)


@dataclass(frozen=True)
class ShareResult:
    """``count`` of ``expected`` (a completeness or timeliness rate) against its thresholds.

    ``rate`` is None when nothing was expected (and nothing is then flagged).
    """

    count: int
    expected: int
    rate: float | None
    target: float
    flag_below: float
    meets_target: bool
    flagged: bool


def _share(count: int, expected: int, target: float, flag_below: float, name: str) -> ShareResult:
    for label, n in ((name, count), ("expected", expected)):
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"{label} must be a non-negative integer, got {n!r}")
    if count > expected:
        raise ValueError(f"{name} ({count}) cannot exceed expected ({expected})")
    if expected == 0:
        return ShareResult(count, expected, None, target, flag_below, False, False)
    rate = count / expected
    # Compared exactly (count vs threshold × expected) so that 19 of 20 meets a 95 % target.
    return ShareResult(
        count, expected, rate, target, flag_below,
        meets_target=count >= target * expected - _EPS,
        flagged=count < flag_below * expected - _EPS,
    )  # fmt: skip


def completeness(received: int, expected: int) -> ShareResult:
    """Reports received / expected: meets the target at ≥ 95 %, flagged below 90 %."""
    return _share(received, expected, COMPLETENESS_TARGET, COMPLETENESS_FLAG, "received")


def timeliness(on_time: int, expected: int) -> ShareResult:
    """Reports on time / expected: meets the target at ≥ 90 %, flagged below it."""
    return _share(on_time, expected, TIMELINESS_TARGET, TIMELINESS_TARGET, "on_time")
