"""Scoring the insights engine against a known truth: detection, ranking, intervals, fairness.

Pure functions over plain values (no database), used by ``suksa insights evaluate`` on the planted
truth of the synthetic demo history:

- :func:`precision_recall` — a set of detected items against the set of true items (precision =
  share of detections that are true, recall = share of true items detected; ``None`` when the
  denominator is empty: "nothing detected" is not a precision of 0 or 1);
- :func:`auc` — the area under the ROC curve by the Mann–Whitney statistic (ties count half): the
  probability that a random positive is scored above a random negative; ``None`` without both
  classes;
- :func:`precision_at_k` — the share of positives among the top ``share`` (default 10 %, rounded
  up, at least one) of units by score: precision at a real alert budget. Ties at the cut are
  broken by input order, so callers pass units in a fixed order;
- :func:`interval_coverage` — the share of intervals ``[low, high]`` that contain the true value
  (a 90 % interval should cover about 90 %);
- :func:`rate_ratios` / :func:`fairness_ok` — each group's rate over the reference group's, and
  whether every ratio lies within 0.8–1.25 (the "four-fifths" band used for error-rate parity);
- :func:`agreement` — the share of items whose predicted label equals the true label, with the
  confusion counts.

Every result keeps the items it was computed from.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

FAIR_LOW = 0.8
FAIR_HIGH = 1.25
DEFAULT_BUDGET = 0.10


@dataclass(frozen=True)
class PrecisionRecall:
    true_positives: int
    false_positives: int
    false_negatives: int
    detected: frozenset[Hashable] = field(repr=False)
    actual: frozenset[Hashable] = field(repr=False)

    @property
    def precision(self) -> float | None:
        n = self.true_positives + self.false_positives
        return self.true_positives / n if n else None

    @property
    def recall(self) -> float | None:
        n = self.true_positives + self.false_negatives
        return self.true_positives / n if n else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None
        return 2 * p * r / (p + r)


def precision_recall(detected: Iterable[Hashable], actual: Iterable[Hashable]) -> PrecisionRecall:
    """Detected items against true items (both as sets; duplicates count once)."""
    d, a = frozenset(detected), frozenset(actual)
    tp = len(d & a)
    return PrecisionRecall(tp, len(d) - tp, len(a) - tp, d, a)


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


@dataclass(frozen=True)
class Ranking:
    """Scores and labels as used (pairs with a missing or infinite score are dropped)."""

    scores: tuple[float, ...]
    labels: tuple[bool, ...]
    dropped: int


def _pairs(scores: Sequence[float | None], labels: Sequence[bool]) -> Ranking:
    if len(scores) != len(labels):
        raise ValueError("scores and labels differ in length")
    kept = [(float(s), bool(y)) for s, y in zip(scores, labels, strict=True) if s is not None and _finite(s)]
    return Ranking(tuple(s for s, _ in kept), tuple(y for _, y in kept), len(scores) - len(kept))


def auc(scores: Sequence[float | None], labels: Sequence[bool]) -> float | None:
    """ROC AUC by ranks (average ranks for ties). ``None`` when one class is absent."""
    r = _pairs(scores, labels)
    n_pos = sum(r.labels)
    n_neg = len(r.labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    order = sorted(range(len(r.scores)), key=lambda i: r.scores[i])
    ranks = [0.0] * len(order)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and r.scores[order[j + 1]] == r.scores[order[i]]:
            j += 1
        mean_rank = (i + j) / 2 + 1
        for k in range(i, j + 1):
            ranks[order[k]] = mean_rank
        i = j + 1
    rank_sum = sum(rank for rank, y in zip(ranks, r.labels, strict=True) if y)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def top_k(n: int, share: float = DEFAULT_BUDGET) -> int:
    """How many units an alert budget of ``share`` covers: ⌈share · n⌉, at least one (0 if n = 0)."""
    if not 0 < share <= 1:
        raise ValueError("share must be in (0, 1]")
    return 0 if n == 0 else max(1, math.ceil(share * n - 1e-9))


def precision_at_k(
    scores: Sequence[float | None], labels: Sequence[bool], share: float = DEFAULT_BUDGET
) -> float | None:
    """Share of positives among the ``share`` highest scores (stable: ties keep input order)."""
    r = _pairs(scores, labels)
    k = top_k(len(r.scores), share)
    if k == 0:
        return None
    ranked = sorted(range(len(r.scores)), key=lambda i: -r.scores[i])[:k]
    return sum(r.labels[i] for i in ranked) / k


@dataclass(frozen=True)
class Coverage:
    covered: int
    total: int
    skipped: int  # intervals with a missing bound or truth
    items: tuple[tuple[float, float, float], ...] = field(repr=False)

    @property
    def share(self) -> float | None:
        return self.covered / self.total if self.total else None


def interval_coverage(intervals: Iterable[tuple[float | None, float | None, float | None]]) -> Coverage:
    """Share of ``(low, high, truth)`` whose interval contains the truth (bounds included)."""
    kept: list[tuple[float, float, float]] = []
    skipped = 0
    for low, high, truth in intervals:
        if (
            low is None
            or high is None
            or truth is None
            or not (_finite(low) and _finite(high) and _finite(truth))
        ):
            skipped += 1
            continue
        lo, hi = (low, high) if low <= high else (high, low)
        kept.append((lo, hi, truth))
    covered = sum(1 for lo, hi, t in kept if lo - 1e-12 <= t <= hi + 1e-12)
    return Coverage(covered, len(kept), skipped, tuple(kept))


def rate_ratios(rates: Mapping[str, float | None], reference: str) -> dict[str, float | None]:
    """Each group's rate divided by the reference group's (``None`` where undefined; a group with
    rate 0 against a reference of 0 is 1.0: both equally free of errors)."""
    ref = rates.get(reference)
    out: dict[str, float | None] = {}
    for group, rate in rates.items():
        if rate is None or ref is None:
            out[group] = None
        elif ref == 0:
            out[group] = 1.0 if rate == 0 else None
        else:
            out[group] = rate / ref
    return out


def fairness_ok(
    ratios: Iterable[float | None], low: float = FAIR_LOW, high: float = FAIR_HIGH
) -> bool | None:
    """True when every defined ratio lies in ``[low, high]``; None when none is defined."""
    defined = [r for r in ratios if r is not None]
    if not defined:
        return None
    return all(low - 1e-12 <= r <= high + 1e-12 for r in defined)


@dataclass(frozen=True)
class Agreement:
    agree: int
    total: int
    confusion: dict[tuple[str, str], int]  # (predicted, true) -> count

    @property
    def share(self) -> float | None:
        return self.agree / self.total if self.total else None


def agreement(pairs: Iterable[tuple[str, str]]) -> Agreement:
    """``(predicted, true)`` labels: how many agree, and the confusion counts."""
    counts = Counter(pairs)
    total = sum(counts.values())
    agree = sum(n for (p, t), n in counts.items() if p == t)
    return Agreement(agree, total, dict(sorted(counts.items())))
