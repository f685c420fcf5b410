"""Early warning: four transparent rules and a learned risk model that must beat them.

Rules (each returns a :class:`RuleHit` with its factors and the values it used, or ``None``):

- :func:`rule_below_target` — the latest value is on the wrong side of the target (by the
  indicator's direction); severity by the relative shortfall.
- :func:`rule_deterioration` — the value got worse in each of the last ``3`` changes (four
  periods), or a significant trend in the bad direction was found (passed in by the caller).
- :func:`rule_missed_deadline` — the current round's report is not in by its due date (high),
  came in late (medium), or two or more earlier reports were late or never sent (low).
- :func:`rule_data_gap` — values missing for the unit in the periods its peers have.

The risk model predicts "the unit misses its target on this indicator in the next period" from
:data:`FEATURES` (gap to target, recent slope, volatility, past misses, lateness, a data-quality
flag, context). :func:`build_rows` turns one unit × indicator series into training rows (one per
period that has a next period) and one prediction row (the latest period). :func:`fit_risk_model`
trains an L2-regularised logistic regression on standardised features and evaluates it on a
**temporal hold-out**: for every series the last transition (label = the latest period) is the
test set, every earlier one trains. It reports AUC and precision at the alert budget (the top
10 % of test rows) for the model and two baselines — the rule (below target now → will miss) and
the unit's own last level against its target — and the false-positive / false-discovery rate
ratios of groups against the reference group (largest group). The model is ``chosen`` only when
it beats both baselines (higher AUC than each, precision at the budget at least as high) *and*
its AUC is distinguishable from chance (Hanley–McNeil lower 95 % bound above 0.5); otherwise the
rules ship, and the note says so in Thai and English.

Pure Python + numpy + scikit-learn; every result keeps the numbers it used.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from suksa.analytics.trends import median_slope

DETERIORATION_RUN = 3
DATA_GAP_WINDOW = 3
BUDGET = 0.10
FAIRNESS_LOW, FAIRNESS_HIGH = 0.8, 1.25
LATE_HISTORY_MIN = 2  # earlier late / missing reports that make a deadline hit

# (key, Thai, English) in model order.
FEATURES: tuple[tuple[str, str, str], ...] = (
    ("gap", "ระยะห่างจากค่าเป้าหมายล่าสุด (บวก = ดีกว่าเป้า)", "Latest gap to target (positive = better)"),
    ("slope", "ทิศทางล่าสุด (บวก = ดีขึ้น)", "Recent slope (positive = improving)"),
    ("volatility", "ความผันผวนของค่า", "Volatility of the values"),
    ("past_misses", "สัดส่วนช่วงเวลาที่ผ่านมาที่ไม่บรรลุเป้า", "Share of past periods below target"),
    ("late", "สัดส่วนรายงานที่ส่งช้าหรือไม่ส่ง", "Share of reports late or not sent"),
    ("quality_flag", "ข้อมูลมีข้อสังเกตด้านคุณภาพ", "Data-quality flag"),
    ("primary", "เป็นเขตพื้นที่การศึกษาประถมศึกษา", "Primary ESA"),
    ("small_share", "สัดส่วนโรงเรียนขนาดเล็ก", "Small-school share"),
    ("log_size", "ขนาด (ลอการิทึมจำนวนนักเรียน)", "Size (log learners)"),
)
FEATURE_KEYS = tuple(k for k, _, _ in FEATURES)
FEATURE_LABELS = {k: (th, en) for k, th, en in FEATURES}


# --- values and results ------------------------------------------------------------------------


@dataclass(frozen=True)
class Obs:
    """One value of a series (``source`` says where it is stored)."""

    period: str
    t: float
    value: float
    source: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"period": self.period, "value": self.value, "source": dict(self.source)}


@dataclass(frozen=True)
class Factor:
    key: str
    label_th: str
    label_en: str
    value: float
    contribution: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label_th": self.label_th,
            "label_en": self.label_en,
            "value": round(self.value, 4),
            "contribution": round(self.contribution, 4),
        }


@dataclass(frozen=True)
class RuleHit:
    kind: str  # below_target | deterioration | missed_deadline | data_gap
    severity: str  # high | medium | low
    factors: tuple[Factor, ...]
    values: tuple[Obs, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DeadlineRecord:
    """One report of the unit: its round, due date, when it came in (None: never), its time on the
    axis of :class:`Obs` (for lateness known by a period)."""

    round_key: str
    due_on: str  # ISO date
    submitted_on: str | None  # ISO date
    report_id: int | None
    t: float

    def late(self, as_of: str) -> bool | None:
        """Late or missing as of ``as_of`` (None while the due date has not passed and it is not in)."""
        if self.submitted_on is not None:
            return self.submitted_on > self.due_on
        return True if as_of > self.due_on else None


def _severity(value: float, high: float, medium: float) -> str:
    return "high" if value >= high else "medium" if value >= medium else "low"


def shortfall(value: float, target: float, direction: int) -> float:
    """How far ``value`` is on the wrong side of ``target`` (0 when on or past it)."""
    return max(0.0, (target - value) * direction)


def misses(value: float, target: float, direction: int) -> bool:
    return shortfall(value, target, direction) > 0


# --- rules ------------------------------------------------------------------------------------


def rule_below_target(obs: Sequence[Obs], target: float | None, direction: int) -> RuleHit | None:
    """The latest value misses the target; severity by the shortfall relative to the target
    (≥ 15 % high, ≥ 5 % medium, else low; an absolute shortfall when the target is 0)."""
    if not obs or target is None or direction == 0:
        return None
    last = obs[-1]
    gap = shortfall(last.value, target, direction)
    if gap <= 0:
        return None
    relative = gap / abs(target) if target else gap
    return RuleHit(
        kind="below_target",
        severity=_severity(relative, 0.15, 0.05),
        factors=(
            Factor("shortfall", "ห่างจากค่าเป้าหมาย", "Shortfall against the target", gap, relative),
            Factor("latest", f"ค่าล่าสุด ({last.period})", f"Latest value ({last.period})", last.value, 0.0),
            Factor("target", "ค่าเป้าหมาย", "Target", target, 0.0),
        ),
        values=(last,),
        data={"target": target, "direction": direction, "shortfall": gap, "relative": relative},
    )


def worse_run(obs: Sequence[Obs], direction: int) -> int:
    """How many of the latest changes in a row made the value worse."""
    run = 0
    for a, b in zip(reversed(obs[:-1]), reversed(obs[1:]), strict=True):
        if (b.value - a.value) * direction < 0:
            run += 1
        else:
            break
    return run


def rule_deterioration(
    obs: Sequence[Obs],
    direction: int,
    *,
    bad_trend: Mapping[str, Any] | None = None,
    min_run: int = DETERIORATION_RUN,
) -> RuleHit | None:
    """Worse in each of the last ``min_run`` changes, or a significant trend the wrong way
    (``bad_trend``: ``{"id", "slope", "p_value"}`` from the trend stage). Both: high; one: medium."""
    if direction == 0:
        return None
    run = worse_run(obs, direction)
    sustained = run >= min_run
    if not sustained and not bad_trend:
        return None
    factors = [Factor("worse_run", "จำนวนช่วงเวลาที่แย่ลงติดต่อกัน", "Periods worse in a row", run, float(run))]
    if bad_trend:
        slope = float(bad_trend.get("slope") or 0.0)
        factors.append(
            Factor("trend_slope", "แนวโน้มที่มีนัยสำคัญ (ต่อปี)", "Significant trend (per year)", slope, slope)
        )
    used = tuple(obs[-(run + 1) :]) if sustained else tuple(obs)
    return RuleHit(
        kind="deterioration",
        severity="high" if sustained and bad_trend else "medium",
        factors=tuple(factors),
        values=used,
        data={"worse_run": run, "trend": dict(bad_trend) if bad_trend else None},
    )


def rule_missed_deadline(records: Sequence[DeadlineRecord], current_round: str, as_of: str) -> RuleHit | None:
    """The current round's report not in by the due date (high) or in late (medium); otherwise
    two or more earlier reports late or never sent (low)."""
    current = next((r for r in records if r.round_key == current_round), None)
    earlier = [r for r in records if r.round_key != current_round and r.due_on < as_of]
    past_late = [r for r in earlier if r.late(as_of)]
    factors = [
        Factor(
            "past_late", "รายงานรอบก่อนที่ส่งช้าหรือไม่ส่ง", "Earlier reports late or not sent", len(past_late), 0.0
        ),
        Factor("past_total", "รายงานรอบก่อนทั้งหมด", "Earlier reports", len(earlier), 0.0),
    ]
    data: dict[str, Any] = {
        "as_of": as_of,
        "past_late": [r.round_key for r in past_late],
        "past_total": len(earlier),
        "current": None,
    }
    severity: str | None = None
    if current is not None:
        data["current"] = {
            "round": current.round_key,
            "due_on": current.due_on,
            "submitted_on": current.submitted_on,
        }
        if current.submitted_on is None and as_of > current.due_on:
            severity = "high"
        elif current.submitted_on is not None and current.submitted_on > current.due_on:
            severity = "medium"
    if severity is None and len(past_late) >= LATE_HISTORY_MIN:
        severity = "low"
    if severity is None:
        return None
    return RuleHit(kind="missed_deadline", severity=severity, factors=tuple(factors), data=data)


def rule_data_gap(
    obs: Sequence[Obs], expected_periods: Sequence[str], window: int = DATA_GAP_WINDOW
) -> RuleHit | None:
    """Values missing in the last ``window`` periods that peers report (``expected_periods``, in
    time order): all missing high, two medium, only the latest low; one earlier gap is no hit."""
    expected = list(expected_periods)[-window:]
    if not expected:
        return None
    have = {o.period for o in obs}
    missing = [p for p in expected if p not in have]
    if not missing:
        return None
    if len(missing) == len(expected):
        severity = "high"
    elif len(missing) >= 2:
        severity = "medium"
    elif missing == [expected[-1]]:
        severity = "low"
    else:
        return None
    return RuleHit(
        kind="data_gap",
        severity=severity,
        factors=(
            Factor(
                "missing", "ช่วงเวลาที่ไม่มีข้อมูล", "Periods without a value", len(missing), float(len(missing))
            ),
            Factor("expected", "ช่วงเวลาที่เขตอื่นมีข้อมูล", "Periods peers report", len(expected), 0.0),
        ),
        data={"missing": missing, "expected": expected},
    )


# --- features ---------------------------------------------------------------------------------


def theil_sen(points: Sequence[tuple[float, float]]) -> float:
    """Median of pairwise slopes (0 with fewer than two distinct times)."""
    return median_slope([t for t, _ in points], [y for _, y in points]) or 0.0


def _suspect(obs: Sequence[Obs]) -> bool:
    """The last value is an outlier among the unit's own changes (modified z of the last change)."""
    diffs = [b.value - a.value for a, b in itertools.pairwise(obs)]
    if len(diffs) < 4:
        return False
    med = float(np.median(diffs))
    mad = float(np.median([abs(d - med) for d in diffs]))
    if mad == 0:
        return False
    return 0.6745 * abs(diffs[-1] - med) / mad > 3.5


@dataclass(frozen=True)
class RiskRow:
    """One unit × indicator at one period: features known then, the label of the next period."""

    unit: int
    indicator: str
    period: str
    t: float
    features: Mapping[str, float]
    label: int | None  # 1 = missed the next period's target; None = the next period is unknown
    next_period: str | None
    groups: Mapping[str, str] = field(default_factory=dict)

    @property
    def rule_score(self) -> float:
        return 1.0 if self.features["gap"] < 0 else 0.0

    @property
    def level_score(self) -> float:
        return -self.features["gap"]


def build_rows(
    *,
    unit: int,
    indicator: str,
    obs: Sequence[Obs],
    targets: Mapping[str, float],
    direction: int,
    scale: float,
    deadlines: Sequence[DeadlineRecord] = (),
    context: Mapping[str, float] | None = None,
    groups: Mapping[str, str] | None = None,
    flagged: bool = False,
    as_of: str = "9999-12-31",
    window: int = 4,
) -> list[RiskRow]:
    """Rows for each period that has a target (features from the values up to it, label = the next
    period misses its target). ``targets`` maps a period to its target; ``scale`` (> 0) puts gaps and
    slopes of different indicators on one footing; ``flagged`` marks the latest period's data."""
    if direction == 0 or scale <= 0:
        return []
    ctx = context or {}
    rows: list[RiskRow] = []
    for k, point in enumerate(obs):
        target = targets.get(point.period)
        if target is None:
            continue
        history = obs[: k + 1]
        recent = history[-window:]
        slope = theil_sen([(o.t, o.value) for o in recent]) * direction / scale
        diffs = [b.value - a.value for a, b in itertools.pairwise(recent)]
        volatility = float(np.std(diffs)) / scale if len(diffs) >= 2 else 0.0
        earlier = [(o, targets.get(o.period)) for o in history[:-1]]
        judged = [misses(o.value, tg, direction) for o, tg in earlier if tg is not None]
        known = [d for d in deadlines if d.t <= point.t + 1e-9]
        lateness = [d.late(as_of) for d in known]
        decided = [x for x in lateness if x is not None]
        label: int | None = None
        nxt: str | None = None
        if k + 1 < len(obs):
            nxt = obs[k + 1].period
            next_target = targets.get(nxt)
            label = None if next_target is None else int(misses(obs[k + 1].value, next_target, direction))
        last = k == len(obs) - 1
        features = {
            "gap": (point.value - target) * direction / scale,
            "slope": slope,
            "volatility": volatility,
            "past_misses": sum(judged) / len(judged) if judged else 0.0,
            "late": sum(decided) / len(decided) if decided else 0.0,
            "quality_flag": 1.0 if _suspect(history) or (flagged and last) else 0.0,
            "primary": float(ctx.get("primary", 0.0)),
            "small_share": float(ctx.get("small_share", 0.0)),
            "log_size": math.log1p(max(0.0, float(ctx.get("learners", 0.0)))),
        }
        if label is None and not last:
            continue
        rows.append(RiskRow(unit, indicator, point.period, point.t, features, label, nxt, dict(groups or {})))
    return rows


# --- metrics ----------------------------------------------------------------------------------


def auc(scores: Sequence[float], labels: Sequence[int]) -> float | None:
    """Area under the ROC curve (Mann–Whitney, ties count one half); None without both classes."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=int)
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return None
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=float)
    sorted_s = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def auc_se(a: float, positives: int, negatives: int) -> float:
    """Hanley–McNeil (1982) standard error of an AUC."""
    q1 = a / (2 - a)
    q2 = 2 * a * a / (1 + a)
    var = (a * (1 - a) + (positives - 1) * (q1 - a * a) + (negatives - 1) * (q2 - a * a)) / (
        positives * negatives
    )
    return math.sqrt(max(var, 0.0))


def budget_k(n: int, budget: float = BUDGET) -> int:
    return max(1, math.ceil(n * budget)) if n else 0


def precision_at_k(scores: Sequence[float], labels: Sequence[int], k: int) -> float | None:
    """Share of positives among the ``k`` highest scores; ties at the cut are shared in expectation
    (as if broken at random), so a yes/no rule is not favoured by the order of the rows."""
    if k <= 0 or not scores:
        return None
    k = min(k, len(scores))
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=float)
    cut = np.sort(s)[::-1][k - 1]
    above = s > cut
    tied = s == cut
    slots = k - int(above.sum())
    expected = float(y[above].sum()) + slots * float(y[tied].mean())
    return expected / k


def flagged_at_k(scores: Sequence[float], k: int) -> list[bool]:
    """Which rows an alert budget of ``k`` selects (ties at the cut by the row order)."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    chosen = set(order[:k])
    return [i in chosen for i in range(len(scores))]


def method_metrics(scores: Sequence[float], labels: Sequence[int], budget: float = BUDGET) -> dict[str, Any]:
    k = budget_k(len(scores), budget)
    a = auc(scores, labels)
    return {
        "auc": None if a is None else round(a, 4),
        "precision_at_10": None if not scores else round(precision_at_k(scores, labels, k) or 0.0, 4),
        "k": k,
        "n": len(scores),
        "positives": int(sum(labels)),
    }


def fairness(
    flagged: Sequence[bool], labels: Sequence[int], groups: Sequence[Mapping[str, str]]
) -> dict[str, Any]:
    """False-positive and false-discovery rates per group of each attribute, as ratios to the
    reference group (the largest; ties by name). ``within`` is None where a ratio is undefined
    (the reference rate is 0 or the group has no denominator)."""
    out: dict[str, Any] = {}
    attributes = sorted({a for g in groups for a in g})
    for attr in attributes:
        cells: dict[str, dict[str, int]] = {}
        for f, y, g in zip(flagged, labels, groups, strict=True):
            name = g.get(attr, "")
            c = cells.setdefault(name, {"n": 0, "tp": 0, "fp": 0, "tn": 0, "fn": 0})
            c["n"] += 1
            c["tp" if f and y else "fp" if f else "fn" if y else "tn"] += 1
        reference = sorted(cells, key=lambda name: (-cells[name]["n"], name))[0]

        def rates(c: dict[str, int]) -> tuple[float | None, float | None]:
            neg, flg = c["fp"] + c["tn"], c["fp"] + c["tp"]
            return (c["fp"] / neg if neg else None, c["fp"] / flg if flg else None)

        ref_fpr, ref_fdr = rates(cells[reference])
        rows: dict[str, Any] = {}
        for name in sorted(cells):
            fpr, fdr = rates(cells[name])
            fpr_ratio = fpr / ref_fpr if fpr is not None and ref_fpr else None
            fdr_ratio = fdr / ref_fdr if fdr is not None and ref_fdr else None
            ratios = [r for r in (fpr_ratio, fdr_ratio) if r is not None]
            rows[name] = {
                **cells[name],
                "fpr": fpr,
                "fdr": fdr,
                "fpr_ratio": fpr_ratio,
                "fdr_ratio": fdr_ratio,
                "within": all(FAIRNESS_LOW <= r <= FAIRNESS_HIGH for r in ratios) if ratios else None,
            }
        out[attr] = {"reference": reference, "groups": rows}
    out["ok"] = all(row["within"] is not False for attr in attributes for row in out[attr]["groups"].values())
    return out


# --- the model --------------------------------------------------------------------------------


@dataclass
class RiskFit:
    chosen: bool
    method: str
    features: tuple[str, ...]
    coefficients: dict[str, float]
    intercept: float
    means: dict[str, float]
    scales: dict[str, float]
    metrics: dict[str, Any]
    fairness: dict[str, Any]
    trained_on: list[str]
    tested_on: list[str]
    note_th: str
    note_en: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        return bool(self.coefficients)

    def contributions(self, row: RiskRow) -> dict[str, float]:
        return {
            k: self.coefficients[k] * (row.features[k] - self.means[k]) / self.scales[k]
            for k in self.features
        }

    def probability(self, row: RiskRow) -> float:
        z = self.intercept + sum(self.contributions(row).values())
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def top_factors(self, row: RiskRow, n: int = 3) -> list[Factor]:
        contrib = self.contributions(row)
        keys = sorted(self.features, key=lambda k: (-abs(contrib[k]), k))[:n]
        return [
            Factor(k, FEATURE_LABELS[k][0], FEATURE_LABELS[k][1], float(row.features[k]), contrib[k])
            for k in keys
        ]


def split_holdout(rows: Sequence[RiskRow]) -> tuple[list[RiskRow], list[RiskRow], list[RiskRow]]:
    """(train, test, predict): per series the last labelled row is the test, earlier labelled
    rows train, unlabelled rows (the latest period) are what the shipped model scores."""
    labelled: dict[tuple[int, str], list[RiskRow]] = {}
    predict: list[RiskRow] = []
    for r in rows:
        if r.label is None:
            predict.append(r)
        else:
            labelled.setdefault((r.unit, r.indicator), []).append(r)
    train: list[RiskRow] = []
    test: list[RiskRow] = []
    for series in labelled.values():
        series = sorted(series, key=lambda r: r.t)
        test.append(series[-1])
        train.extend(series[:-1])
    return train, test, predict


def _matrix(rows: Sequence[RiskRow]) -> np.ndarray:
    return np.array([[r.features[k] for k in FEATURE_KEYS] for r in rows], dtype=float)


def _fit(
    rows: Sequence[RiskRow], c: float, seed: int
) -> tuple[dict[str, float], float, dict[str, float], dict[str, float]]:
    from sklearn.linear_model import LogisticRegression

    x = _matrix(rows)
    y = np.array([r.label for r in rows], dtype=int)
    means = x.mean(axis=0)
    sds = x.std(axis=0)
    sds[sds == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=2000, random_state=seed)
    model.fit((x - means) / sds, y)
    coef = {k: float(v) for k, v in zip(FEATURE_KEYS, model.coef_[0], strict=True)}
    return (
        coef,
        float(model.intercept_[0]),
        {k: float(v) for k, v in zip(FEATURE_KEYS, means, strict=True)},
        {k: float(v) for k, v in zip(FEATURE_KEYS, sds, strict=True)},
    )


def _periods(rows: Sequence[RiskRow]) -> list[str]:
    return sorted({r.next_period or "" for r in rows})


def fit_risk_model(
    rows: Sequence[RiskRow], *, budget: float = BUDGET, c: float = 1.0, seed: int = 0
) -> RiskFit:
    """Train, evaluate on the temporal hold-out, compare with the baselines, and refit on every
    labelled row for the predictions (see the module docstring)."""
    train, test, _ = split_holdout(rows)
    params = {"C": c, "budget": budget, "penalty": "l2", "standardised": True, "seed": seed}
    empty = RiskFit(
        chosen=False, method="logistic-l2", features=FEATURE_KEYS, coefficients={}, intercept=0.0,
        means={}, scales={}, metrics={}, fairness={}, trained_on=_periods(train), tested_on=_periods(test),
        note_th="", note_en="", parameters=params,
    )  # fmt: skip
    if len({r.label for r in train}) < 2 or len({r.label for r in test}) < 2:
        empty.metrics = {"train_rows": len(train), "test_rows": len(test)}
        empty.note_th = "ข้อมูลย้อนหลังไม่พอฝึกหรือทดสอบแบบจำลอง (ต้องมีทั้งหน่วยที่บรรลุและไม่บรรลุเป้า) จึงใช้กฎแจ้งเตือน"
        empty.note_en = (
            "Too little history to train or test the model (both met and missed targets are needed); "
            "the rules are shipped."
        )
        return empty
    coef, intercept, means, sds = _fit(train, c, seed)
    holdout = RiskFit(
        chosen=False, method="logistic-l2", features=FEATURE_KEYS, coefficients=coef, intercept=intercept,
        means=means, scales=sds, metrics={}, fairness={}, trained_on=_periods(train), tested_on=_periods(test),
        note_th="", note_en="", parameters=params,
    )  # fmt: skip
    labels = [int(r.label or 0) for r in test]
    model_scores = [holdout.probability(r) for r in test]
    metrics: dict[str, Any] = {
        "model": method_metrics(model_scores, labels, budget),
        "rules": method_metrics([r.rule_score for r in test], labels, budget),
        "past_level": method_metrics([r.level_score for r in test], labels, budget),
        "train_rows": len(train),
        "test_rows": len(test),
    }
    m: dict[str, Any] = metrics["model"]
    ru: dict[str, Any] = metrics["rules"]
    pl: dict[str, Any] = metrics["past_level"]
    n1 = m["positives"]
    lower = m["auc"] - 1.96 * auc_se(m["auc"], n1, len(test) - n1)
    metrics["model"]["auc_lower_95"] = round(lower, 4)
    beats = (
        m["auc"] > (ru["auc"] or 0.0)
        and m["auc"] > (pl["auc"] or 0.0)
        and m["precision_at_10"] >= ru["precision_at_10"]
        and m["precision_at_10"] >= pl["precision_at_10"]
    )
    chosen = beats and lower > 0.5
    k = budget_k(len(test), budget)
    groups = [r.groups for r in test]
    fair = {
        "model": fairness(flagged_at_k(model_scores, k), labels, groups),
        "rules": fairness([r.rule_score > 0 for r in test], labels, groups),
    }
    coef, intercept, means, sds = _fit([*train, *test], c, seed)
    figures = (
        f"AUC {m['auc']:.3f} / {ru['auc']:.3f} / {pl['auc']:.3f}; "
        f"precision@10% {m['precision_at_10']:.3f} / {ru['precision_at_10']:.3f} / {pl['precision_at_10']:.3f}"
    )
    if chosen:
        note_th = f"แบบจำลองดีกว่าทั้งกฎและระดับเดิม (แบบจำลอง / กฎ / ระดับเดิม: {figures}) จึงใช้ร่วมกับกฎ"
        note_en = f"The model beats both the rule and the past level (model / rule / past level: {figures}); it is used with the rules."
    else:
        why_th = "ไม่ดีกว่าเกณฑ์เปรียบเทียบทั้งสอง" if not beats else "แยกจากการสุ่มไม่ได้อย่างมีนัยสำคัญ"
        why_en = "does not beat both baselines" if not beats else "cannot be told from chance"
        note_th = f"แบบจำลอง{why_th} (แบบจำลอง / กฎ / ระดับเดิม: {figures}) จึงใช้กฎแจ้งเตือนเท่านั้น"
        note_en = f"The model {why_en} (model / rule / past level: {figures}); the rules are shipped."
    if not fair["model"]["ok"]:
        note_th += " อัตราการเตือนผิดของบางกลุ่มอยู่นอกช่วง 0.8–1.25 ของกลุ่มอ้างอิง (ดูตารางความเป็นธรรม)"
        note_en += " Some groups' false-alarm ratios fall outside 0.8–1.25 of the reference (see fairness)."
    return RiskFit(
        chosen=chosen, method="logistic-l2", features=FEATURE_KEYS, coefficients=coef, intercept=intercept,
        means=means, scales=sds, metrics=metrics, fairness=fair, trained_on=_periods(train),
        tested_on=_periods(test), note_th=note_th, note_en=note_en, parameters=params,
    )  # fmt: skip
