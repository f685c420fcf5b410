"""Evaluation metrics against hand-computed values."""

from __future__ import annotations

import pytest

from suksa.analytics.evaluation import (
    agreement,
    auc,
    fairness_ok,
    interval_coverage,
    precision_at_k,
    precision_recall,
    rate_ratios,
    top_k,
)


def test_precision_and_recall() -> None:
    pr = precision_recall({"a", "b", "c", "d"}, {"b", "c", "e"})
    assert (pr.true_positives, pr.false_positives, pr.false_negatives) == (2, 2, 1)
    assert pr.precision == 0.5
    assert pr.recall == pytest.approx(2 / 3)
    assert pr.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))


def test_nothing_detected_or_nothing_true_is_undefined_not_zero() -> None:
    assert precision_recall([], ["a"]).precision is None
    assert precision_recall([], ["a"]).recall == 0.0
    assert precision_recall(["a"], []).recall is None
    assert precision_recall(["a"], []).precision == 0.0
    assert precision_recall([], []).f1 is None


def test_auc_by_hand() -> None:
    # positives 0.9, 0.4; negatives 0.8, 0.3, 0.1: pairs won 3 + 2 = 5 of 6.
    assert auc([0.9, 0.8, 0.4, 0.3, 0.1], [True, False, True, False, False]) == pytest.approx(5 / 6)
    assert auc([1, 2, 3], [False, False, True]) == 1.0
    assert auc([3, 2, 1], [False, False, True]) == 0.0


def test_auc_ties_count_half_and_missing_scores_drop() -> None:
    assert auc([0.5, 0.5], [True, False]) == 0.5
    assert auc([0.5, 0.5, 0.2, None], [True, False, False, True]) == pytest.approx(0.75)
    assert auc([0.1, 0.2], [True, True]) is None
    with pytest.raises(ValueError, match="length"):
        auc([0.1], [True, False])


def test_precision_at_ten_percent() -> None:
    assert [top_k(n) for n in (0, 1, 9, 10, 11, 245)] == [0, 1, 1, 1, 2, 25]
    scores = [float(i) for i in range(20)]  # top 2 are 19 and 18
    labels = [i in (19, 5) for i in range(20)]
    assert precision_at_k(scores, labels) == 0.5
    assert precision_at_k(scores, labels, share=0.25) == 0.2  # top 5: 19..15, one positive
    assert precision_at_k([], []) is None
    with pytest.raises(ValueError, match="share"):
        top_k(10, 0)


def test_interval_coverage() -> None:
    cov = interval_coverage(
        [(0, 1, 0.5), (0, 1, 1.0), (2, 3, 1.0), (3, 2, 2.5), (None, 1, 0.5), (0, 1, None)]
    )
    assert (cov.covered, cov.total, cov.skipped) == (3, 4, 2)
    assert cov.share == 0.75
    assert interval_coverage([]).share is None


def test_rate_ratios_and_the_fairness_band() -> None:
    ratios = rate_ratios({"ref": 0.2, "a": 0.25, "b": 0.1, "c": None}, "ref")
    assert ratios == {"ref": 1.0, "a": pytest.approx(1.25), "b": 0.5, "c": None}
    assert fairness_ok([1.0, 1.25, 0.8]) is True
    assert fairness_ok(ratios.values()) is False
    assert fairness_ok([None]) is None
    assert rate_ratios({"ref": 0.0, "a": 0.0, "b": 0.1}, "ref") == {"ref": 1.0, "a": 1.0, "b": None}


def test_agreement() -> None:
    ag = agreement([("supported", "supported"), ("no_data", "supported"), ("unsupported", "unsupported")])
    assert (ag.agree, ag.total) == (2, 3)
    assert ag.share == pytest.approx(2 / 3)
    assert ag.confusion[("no_data", "supported")] == 1
    assert agreement([]).share is None
