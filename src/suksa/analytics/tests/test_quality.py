"""Data-quality arithmetic: modified z-scores, ±33 % change, completeness and timeliness, by hand."""

from __future__ import annotations

import math

import pytest

from suksa.analytics.quality import (
    COMPLETENESS_FLAG,
    COMPLETENESS_TARGET,
    OUTLIER_THRESHOLD,
    TIMELINESS_TARGET,
    change_vs_prior_mean,
    completeness,
    is_outlier,
    median,
    modified_z_scores,
    spread,
    timeliness,
)


def approx(x: float) -> object:
    return pytest.approx(x, abs=1e-9)


def test_thresholds_are_the_conventions() -> None:
    assert (OUTLIER_THRESHOLD, COMPLETENESS_TARGET, COMPLETENESS_FLAG, TIMELINESS_TARGET) == (
        3.5,
        0.95,
        0.90,
        0.90,
    )


def test_modified_z_scores_by_hand() -> None:
    # median 3; |x − 3| = 2, 1, 0, 1, 97 → MAD = median(0, 1, 1, 2, 97) = 1.
    scores = modified_z_scores([1, 2, 3, 4, 100])
    assert scores == [approx(1.349), approx(0.6745), approx(0.0), approx(0.6745), approx(65.4265)]
    assert median([4, 1, 3, 2]) == 2.5
    with pytest.raises(ValueError, match="no values"):
        median([])


def test_missing_values_are_left_out_and_scored_none() -> None:
    # Reference [1, 3]: median 2, deviations 1 and 1, MAD 1.
    assert modified_z_scores([1, None, math.nan, 3, math.inf]) == [
        approx(0.6745),
        None,
        None,
        approx(0.6745),
        None,
    ]
    assert modified_z_scores([None, math.nan]) == [None, None]
    assert modified_z_scores([]) == []


def test_mad_zero_falls_back_to_the_mean_absolute_deviation() -> None:
    # median 5; deviations 0, 0, 0, 0, 4 → MAD 0; MeanAD = 4 / 5 = 0.8 → 4 / (1.253314 × 0.8).
    s = spread([5, 5, 5, 5, 9])
    assert (s.median, s.mad, s.mean_ad, s.method) == (5, 0, approx(0.8), "mean_ad")
    assert modified_z_scores([5, 5, 5, 5, 9]) == [0, 0, 0, 0, approx(4 / (1.253314 * 0.8))]
    assert round(modified_z_scores([5, 5, 5, 5, 9])[-1] or 0, 6) == 3.989423


def test_no_spread_at_all_scores_nothing() -> None:
    assert modified_z_scores([2, 2, 2]) == [None, None, None]
    r = is_outlier(3.0, [0, 0, 0, 0, 0])
    assert (r.status, r.is_outlier, r.score, r.median, r.mad, r.mean_ad, r.method) == (
        "no_spread",
        False,
        None,
        0,
        0,
        0,
        "none",
    )


def test_a_value_against_its_reference() -> None:
    # Reference 0..4: median 2, MAD 1. 7 → 0.6745 × 5 = 3.3725 (not); 8 → 0.6745 × 6 = 4.047.
    ref = [0, 1, 2, 3, 4]
    below = is_outlier(7, ref)
    assert (below.is_outlier, below.status, below.score, below.direction) == (
        False,
        "ok",
        approx(3.3725),
        "above",
    )
    above = is_outlier(8, ref)
    assert (above.is_outlier, above.status, above.score) == (True, "outlier", approx(4.047))
    assert (above.median, above.mad, above.method, above.n_reference) == (2, 1, "mad", 5)
    assert above.reference == (0.0, 1.0, 2.0, 3.0, 4.0)
    assert is_outlier(8, ref, threshold=5).is_outlier is False


def test_mad_zero_reference_uses_the_fallback() -> None:
    # Reference 1,1,1,1,1,2: median 1, MAD 0, MeanAD 1/6 → 1 / (1.253314 / 6) = 4.78731.
    r = is_outlier(2, [1, 1, 1, 1, 1, 2])
    assert (r.method, r.is_outlier) == ("mean_ad", True)
    assert r.score == approx(6 / 1.253314)


def test_negative_values() -> None:
    # Reference −10 … −2: median −6, deviations 4, 2, 0, 2, 4 → MAD 2; −30 → 0.6745 × 24 / 2.
    r = is_outlier(-30, [-10, -8, -6, -4, -2])
    assert (r.is_outlier, r.score, r.median, r.mad, r.direction) == (True, approx(8.094), -6, 2, "below")
    assert modified_z_scores([-1, -2, -3]) == [approx(0.6745), approx(0.0), approx(0.6745)]


def test_fewer_than_five_reference_values_is_too_few() -> None:
    r = is_outlier(1000, [1, 2, 3, None, math.nan, 4])
    assert (r.status, r.is_outlier, r.score, r.n_reference, r.min_reference) == ("too_few", False, None, 4, 5)
    assert is_outlier(1000, [1, 2, 3, 4, 5]).status == "outlier"


def test_a_missing_value_is_not_scored() -> None:
    for value in (None, math.nan):
        r = is_outlier(value, [1, 2, 3, 4, 5])
        assert (r.status, r.is_outlier, r.value, r.score) == ("no_value", False, None, None)


def test_change_against_the_mean_of_the_prior_three_periods() -> None:
    up = change_vs_prior_mean(140, [100, 100, 100])
    assert (up.is_flagged, up.status, up.prior_mean, up.change) == (True, "changed", 100, approx(0.4))
    edge = change_vs_prior_mean(133, [100, 100, 100])
    assert (edge.is_flagged, edge.status, edge.change) == (False, "ok", approx(0.33))
    down = change_vs_prior_mean(60, [90, 100, 110])
    assert (down.is_flagged, down.prior_mean, down.change) == (True, 100, approx(-0.4))
    # Only the three most recent periods count (oldest first).
    recent = change_vs_prior_mean(100, [10, 100, 100, 100])
    assert (recent.prior, recent.prior_mean, recent.is_flagged) == ((100.0, 100.0, 100.0), 100, False)


def test_missing_prior_periods_are_skipped() -> None:
    r = change_vs_prior_mean(70, [80, None, 100, math.nan, 100])
    assert r.prior == (80.0, 100.0, 100.0)
    assert r.prior_mean == approx(280 / 3)
    assert r.change == approx((70 - 280 / 3) / (280 / 3))
    assert r.is_flagged is False  # −25 %


def test_too_short_a_history_is_too_few() -> None:
    r = change_vs_prior_mean(500, [100, None, 100])
    assert (r.status, r.is_flagged, r.prior, r.prior_mean, r.change) == (
        "too_few",
        False,
        (100.0, 100.0),
        None,
        None,
    )


def test_a_zero_prior_mean() -> None:
    same = change_vs_prior_mean(0, [0, 0, 0])
    assert (same.status, same.is_flagged, same.prior_mean, same.change) == ("ok", False, 0.0, None)
    jump = change_vs_prior_mean(2, [0, 0, 0])
    assert (jump.status, jump.is_flagged, jump.change) == ("zero_mean", True, None)
    balanced = change_vs_prior_mean(1, [-1, 0, 1])  # a mean of 0 from signed values
    assert (balanced.status, balanced.is_flagged) == ("zero_mean", True)


def test_a_negative_prior_mean_divides_by_its_size() -> None:
    r = change_vs_prior_mean(-2, [-1, -1, -1])
    assert (r.change, r.is_flagged) == (approx(-1.0), True)
    r = change_vs_prior_mean(-0.8, [-1, -1, -1])
    assert (r.change, r.is_flagged) == (approx(0.2), False)


def test_a_missing_value_has_no_change() -> None:
    r = change_vs_prior_mean(None, [1, 2, 3])
    assert (r.status, r.is_flagged, r.prior) == ("no_value", False, (1.0, 2.0, 3.0))


def test_completeness_thresholds() -> None:
    full = completeness(19, 20)
    assert (full.rate, full.meets_target, full.flagged) == (0.95, True, False)
    short = completeness(18, 20)
    assert (short.rate, short.meets_target, short.flagged) == (0.9, False, False)
    low = completeness(17, 20)
    assert (low.rate, low.meets_target, low.flagged, low.target, low.flag_below) == (
        0.85,
        False,
        True,
        0.95,
        0.9,
    )
    # 233 of 245 = 95.1 %; 232 of 245 = 94.7 %; 220 of 245 = 89.8 %.
    assert completeness(233, 245).meets_target
    assert not completeness(232, 245).meets_target
    assert completeness(220, 245).flagged
    assert not completeness(221, 245).flagged
    nothing = completeness(0, 0)
    assert (nothing.rate, nothing.meets_target, nothing.flagged) == (None, False, False)


def test_timeliness_thresholds() -> None:
    ok = timeliness(18, 20)
    assert (ok.rate, ok.meets_target, ok.flagged) == (0.9, True, False)
    late = timeliness(17, 20)
    assert (late.rate, late.meets_target, late.flagged) == (0.85, False, True)


def test_impossible_counts_fail_loudly() -> None:
    with pytest.raises(ValueError, match="cannot exceed"):
        completeness(21, 20)
    with pytest.raises(ValueError, match="non-negative"):
        timeliness(-1, 20)
    with pytest.raises(ValueError, match="non-negative"):
        completeness(1, True)
    with pytest.raises(TypeError):
        is_outlier(1, ["1", "2", "3", "4", "5"])  # type: ignore[list-item]
