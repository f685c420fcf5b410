"""Early-warning rules, the metrics, fairness ratios and the risk model (no database)."""

from __future__ import annotations

import math
import random

import pytest

from suksa.analytics import warning as w
from suksa.analytics.warning import DeadlineRecord, Obs


def series(*values: float, start: int = 2560) -> list[Obs]:
    return [Obs(str(start + i), float(start + i), v, {"model": "x", "id": i}) for i, v in enumerate(values)]


# --- rules --------------------------------------------------------------------------------------


def test_below_target_by_direction_with_severity_by_relative_shortfall() -> None:
    hit = w.rule_below_target(series(70, 72), target=80, direction=1)
    assert hit is not None
    assert hit.kind == "below_target"
    assert hit.data["shortfall"] == 8
    assert hit.data["relative"] == pytest.approx(0.1)
    assert hit.severity == "medium"
    assert hit.values[0].period == "2561"
    assert hit.values[0].source == {"model": "x", "id": 1}
    # Lower is better: 1.2 % dropout against a 1.0 % target is 20 % off → high.
    low = w.rule_below_target(series(1.2), target=1.0, direction=-1)
    assert low is not None
    assert low.severity == "high"
    assert w.rule_below_target(series(0.9), target=1.0, direction=-1) is None
    assert w.rule_below_target(series(80), target=80, direction=1) is None  # on target
    assert w.rule_below_target(series(79), target=80, direction=1).severity == "low"  # type: ignore[union-attr]
    assert w.rule_below_target([], target=80, direction=1) is None
    assert w.rule_below_target(series(1), target=None, direction=1) is None
    assert w.rule_below_target(series(1), target=5, direction=0) is None  # neutral indicator


def test_deterioration_needs_three_worse_changes_in_a_row_or_a_bad_trend() -> None:
    assert w.worse_run(series(10, 9, 8, 7), direction=1) == 3
    assert w.worse_run(series(10, 9, 9.5, 8), direction=1) == 1
    assert w.worse_run(series(1, 2, 3, 4), direction=-1) == 3  # rising dropout is worse
    hit = w.rule_deterioration(series(8, 10, 9, 8, 7), direction=1)
    assert hit is not None
    assert hit.severity == "medium"
    assert [o.value for o in hit.values] == [10, 9, 8, 7]
    assert w.rule_deterioration(series(10, 9, 8), direction=1) is None  # only two changes
    trend = {"id": 5, "slope": -0.4, "p_value": 0.01}
    by_trend = w.rule_deterioration(series(10, 9, 9.5, 8), direction=1, bad_trend=trend)
    assert by_trend is not None
    assert by_trend.severity == "medium"
    assert by_trend.data["trend"]["id"] == 5
    both = w.rule_deterioration(series(11, 10, 9, 8), direction=1, bad_trend=trend)
    assert both is not None
    assert both.severity == "high"


def _rec(key: str, due: str, sent: str | None, t: float = 0.0) -> DeadlineRecord:
    return DeadlineRecord(key, due, sent, 1, t)


def test_missed_deadline_current_round_and_history() -> None:
    past = [_rec("2567/m12", "2567-11-30", "2567-12-05"), _rec("2568/m12", "2568-11-30", None)]
    current_missing = [*past[:1], _rec("2569/m12", "2569-11-30", None)]
    hit = w.rule_missed_deadline(current_missing, "2569/m12", as_of="2569-12-02")
    assert hit is not None
    assert hit.severity == "high"
    # Before the due date a missing report is not a miss; one late earlier report is not enough.
    assert w.rule_missed_deadline(current_missing, "2569/m12", as_of="2569-11-20") is None
    late = [*past[:1], _rec("2569/m12", "2569-11-30", "2569-12-01")]
    assert w.rule_missed_deadline(late, "2569/m12", as_of="2569-12-02").severity == "medium"  # type: ignore[union-attr]
    history = [*past, _rec("2569/m12", "2569-11-30", "2569-11-01")]
    hit = w.rule_missed_deadline(history, "2569/m12", as_of="2569-12-02")
    assert hit is not None
    assert hit.severity == "low"
    assert hit.data["past_late"] == ["2567/m12", "2568/m12"]
    on_time = [_rec("2568/m12", "2568-11-30", "2568-11-01"), _rec("2569/m12", "2569-11-30", "2569-11-01")]
    assert w.rule_missed_deadline(on_time, "2569/m12", as_of="2569-12-02") is None


def test_data_gap_against_the_periods_peers_report() -> None:
    expected = ["2564", "2565", "2566", "2567"]
    assert w.rule_data_gap(series(1, 2, 3, 4, start=2564), expected) is None
    assert w.rule_data_gap(series(1, start=2564), expected).severity == "high"  # type: ignore[union-attr]
    two = w.rule_data_gap(series(1, 2, start=2564), expected)
    assert two is not None
    assert two.severity == "medium"
    assert two.data["missing"] == ["2566", "2567"]
    latest = w.rule_data_gap(series(1, 2, 3, start=2564), expected)
    assert latest is not None
    assert latest.severity == "low"
    one_earlier = [o for o in series(1, 2, 3, 4, start=2564) if o.period != "2566"]
    assert w.rule_data_gap(one_earlier, expected) is None
    assert w.rule_data_gap([], []) is None


# --- metrics ------------------------------------------------------------------------------------


def test_auc_by_hand() -> None:
    # Positives 0.8, 0.4; negatives 0.6, 0.2: pairs won 0.8>0.6, 0.8>0.2, 0.4>0.2 → 3 of 4.
    assert w.auc([0.8, 0.6, 0.4, 0.2], [1, 0, 1, 0]) == pytest.approx(0.75)
    # A tie between a positive and a negative counts one half: (1 + 0.5) / 2.
    assert w.auc([0.5, 0.5, 0.1], [1, 0, 0]) == pytest.approx(0.75)
    assert w.auc([1, 0], [1, 0]) == 1.0
    assert w.auc([0.3, 0.2], [1, 1]) is None


def test_precision_at_k_by_hand_with_ties_shared() -> None:
    assert w.precision_at_k([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0], 2) == pytest.approx(0.5)
    assert w.precision_at_k([0.9, 0.8, 0.7, 0.1], [1, 1, 0, 0], 2) == 1.0
    # A yes/no score: 3 rows tied at 1 (one positive) for 2 slots → 2 × 1/3.
    assert w.precision_at_k([1, 1, 1, 0], [1, 0, 0, 1], 2) == pytest.approx(1 / 3)
    assert w.budget_k(45) == 5  # 10 % of 45 rounded up
    assert w.budget_k(3) == 1
    assert w.precision_at_k([], [], 1) is None


def test_auc_standard_error_hanley_mcneil() -> None:
    a, n1, n0 = 0.8, 20, 80
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    expected = math.sqrt((a * (1 - a) + 19 * (q1 - a * a) + 79 * (q2 - a * a)) / (20 * 80))
    assert w.auc_se(a, n1, n0) == pytest.approx(expected)


def test_fairness_ratios_against_the_largest_group() -> None:
    # Group "a" (reference, 6 rows): flagged 3 → TP 1, FP 2; negatives 4 → FPR 0.5, FDR 2/3.
    # Group "b" (4 rows): flagged 2 → TP 1, FP 1; negatives 3 → FPR 1/3, FDR 1/2.
    flagged = [True, True, True, False, False, False, True, True, False, False]
    labels = [1, 0, 0, 0, 0, 1, 1, 0, 0, 0]
    groups = [{"region": "a"}] * 6 + [{"region": "b"}] * 4
    out = w.fairness(flagged, labels, groups)
    region = out["region"]
    assert region["reference"] == "a"
    a, b = region["groups"]["a"], region["groups"]["b"]
    assert a["fpr"] == pytest.approx(0.5)
    assert a["fdr"] == pytest.approx(2 / 3)
    assert b["fpr"] == pytest.approx(1 / 3)
    assert b["fdr"] == pytest.approx(0.5)
    assert b["fpr_ratio"] == pytest.approx(2 / 3)
    assert b["fdr_ratio"] == pytest.approx(0.75)
    assert b["within"] is False
    assert a["within"] is True
    assert out["ok"] is False
    # No flags at all in a group: FDR undefined, ratio None, not counted as a breach.
    quiet = w.fairness(
        [True, False, False, False], [1, 0, 0, 0], [{"g": "x"}, {"g": "x"}, {"g": "y"}, {"g": "y"}]
    )
    assert quiet["g"]["groups"]["y"]["fdr"] is None
    assert quiet["g"]["groups"]["y"]["fdr_ratio"] is None


# --- the model ----------------------------------------------------------------------------------


def _simulate(signal: bool, units: int = 400, periods: int = 7, seed: int = 7) -> list[w.RiskRow]:
    """Each unit has its own slope; the target is 50. With a signal the slope carries on and the
    level before the last period is unrelated to the slope (so a unit improving from below will
    make it, one sliding from above will not: the level alone cannot tell); without one every
    value is noise around 50 whatever came before."""
    rng = random.Random(seed)
    rows: list[w.RiskRow] = []
    for u in range(units):
        slope = rng.gauss(0, 2)
        level = 50 + rng.gauss(0, 2) - slope * (periods - 2)
        values = []
        for p in range(periods):
            if signal:
                values.append(level + slope * p + rng.gauss(0, 0.8))
            else:
                values.append(50 + rng.gauss(0, 4))
        obs = series(*values)
        targets = {o.period: 50.0 for o in obs}
        group = {"size": "big" if u % 3 else "small"}
        rows.extend(
            w.build_rows(
                unit=u,
                indicator="x",
                obs=obs,
                targets=targets,
                direction=1,
                scale=4.0,
                context={"learners": 1000 + u, "small_share": (u % 10) / 10},
                groups=group,
            )
        )
    return rows


def test_model_with_a_signal_beats_both_baselines_and_is_chosen() -> None:
    rows = _simulate(signal=True)
    fit = w.fit_risk_model(rows)
    m, rules, level = fit.metrics["model"], fit.metrics["rules"], fit.metrics["past_level"]
    assert fit.chosen is True
    assert m["auc"] > level["auc"] > 0.5
    assert m["auc"] > rules["auc"]
    assert m["precision_at_10"] >= max(rules["precision_at_10"], level["precision_at_10"])
    assert m["k"] == 40
    assert m["n"] == 400
    assert fit.tested_on == ["2566"]
    assert fit.trained_on == ["2561", "2562", "2563", "2564", "2565"]
    assert fit.coefficients["slope"] < 0  # improving lowers the risk
    assert "beats" in fit.note_en
    assert "size" in fit.fairness["model"]
    assert fit.fairness["model"]["size"]["reference"] == "big"
    # Predictions: one per series at the latest period, explained by their top factors.
    _, _, predict = w.split_holdout(rows)
    assert len(predict) == 400
    factors = fit.top_factors(predict[0])
    assert len(factors) == 3
    contrib = fit.contributions(predict[0])
    assert [f.key for f in factors] == sorted(contrib, key=lambda k: (-abs(contrib[k]), k))[:3]
    z = fit.intercept + sum(contrib.values())
    assert fit.probability(predict[0]) == pytest.approx(1 / (1 + math.exp(-z)))


def test_model_without_a_signal_is_not_chosen_and_the_rules_ship() -> None:
    fit = w.fit_risk_model(_simulate(signal=False))
    assert fit.chosen is False
    assert "rules are shipped" in fit.note_en
    assert "กฎแจ้งเตือน" in fit.note_th
    assert fit.metrics["model"]["auc"] is not None


def test_too_little_history_ships_the_rules_with_a_reason() -> None:
    obs = series(40, 41)
    rows = w.build_rows(
        unit=1, indicator="x", obs=obs, targets={"2560": 50, "2561": 50}, direction=1, scale=1.0
    )
    assert [r.label for r in rows] == [1, None]
    fit = w.fit_risk_model(rows)
    assert fit.chosen is False
    assert not fit.usable
    assert "Too little history" in fit.note_en


def test_build_rows_features_by_hand() -> None:
    obs = series(40, 44, 47, 49)
    deadlines = [
        _rec("a", "2560-11-30", "2560-12-10", t=2560.0),
        _rec("b", "2561-11-30", "2561-11-01", t=2561.0),
    ]
    rows = w.build_rows(
        unit=3, indicator="x", obs=obs, targets={o.period: 45.0 for o in obs}, direction=1, scale=5.0,
        deadlines=deadlines, context={"learners": math.e - 1, "primary": 1.0}, flagged=True,
    )  # fmt: skip
    assert [r.period for r in rows] == ["2560", "2561", "2562", "2563"]
    assert [r.label for r in rows] == [1, 0, 0, None]
    second = rows[1].features
    assert second["gap"] == pytest.approx(-0.2)  # (44 − 45) / 5
    assert second["slope"] == pytest.approx(0.8)  # 4 per year / 5
    assert second["past_misses"] == 1.0  # 40 < 45
    assert second["late"] == 0.5  # one of two reports known by 2561 was late
    assert second["quality_flag"] == 0.0
    assert rows[-1].features["quality_flag"] == 1.0  # the current data are flagged
    assert rows[-1].features["log_size"] == pytest.approx(1.0)
    assert rows[0].rule_score == 1.0
    assert rows[1].rule_score == 1.0
    assert rows[2].rule_score == 0.0
    assert w.build_rows(unit=1, indicator="x", obs=obs, targets={}, direction=0, scale=1.0) == []
