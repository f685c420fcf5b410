"""Trends: Mann–Kendall (Hamed–Rao), Theil–Sen, the 5-period rule, change points, outliers, sentences."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pymannkendall as pmk
import pytest
from scipy import stats

from suksa.analytics.trends import (
    CONSTANT,
    DOWN,
    FLAT,
    TOO_FEW,
    UP,
    SeriesValue,
    analyse,
    change_points,
    fmt_number,
    mann_kendall,
    mk_score,
    mk_variance,
    sen_slope,
)


def annual(values: Sequence[float | None], start: int = 2563) -> list[tuple[str, float, float | None]]:
    return [(str(start + i), float(start + i), v) for i, v in enumerate(values)]


def test_a_clean_linear_fall_is_significant_with_the_right_slope_and_sentence() -> None:
    r = analyse(
        annual([3.0, 2.7, 2.4, 2.1, 1.8, 1.5]),
        name_th="อัตราการออกกลางคัน", name_en="Dropout rate", unit="percent", direction_sign=-1,
    )  # fmt: skip
    assert r.direction == DOWN
    assert r.significant
    assert r.fit.slope == pytest.approx(-0.3)
    assert r.fit.slope_low == pytest.approx(-0.3)
    assert r.fit.slope_high == pytest.approx(-0.3)
    # S = −15, Var = 6·5·17/18 = 28.33; the detrended ranks are constant, so no HR correction.
    assert r.fit.mk is not None
    assert r.fit.mk.s == -15
    assert r.fit.mk.correction == 1.0
    assert r.fit.p_value == pytest.approx(2 * (1 - _phi(14 / math.sqrt(28.333333333))), rel=1e-6)
    assert r.good is True
    assert r.change_points == ()
    assert r.outliers == ()
    assert r.sentence_th == "อัตราการออกกลางคันลดลงต่อเนื่อง 6 ปี ปีละ 0.3 จุด, มีนัยสำคัญ (ทิศทางที่ดี)"
    assert r.sentence_en == "Dropout rate fell for 6 years, 0.3 points a year, significant (an improvement)"


def _phi(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def test_a_rising_score_is_good_and_a_rising_dropout_is_bad() -> None:
    up = [40.0, 41.0, 42.5, 43.0, 44.2, 45.1]
    score = analyse(annual(up), name_th="คะแนน O-NET", name_en="O-NET", unit="score", direction_sign=1)
    dropout = analyse(annual(up), name_th="อัตรา", name_en="Rate", unit="percent", direction_sign=-1)
    neutral = analyse(annual(up), name_th="นักเรียน", name_en="Learners", unit="persons", direction_sign=0)
    assert (score.direction, score.good) == (UP, True)
    assert (dropout.direction, dropout.good) == (UP, False)
    assert (neutral.direction, neutral.good) == (UP, None)
    assert "ปีละ 1.02 คะแนน" in score.sentence_th
    assert "(ทิศทางที่ดี)" in score.sentence_th
    assert "(a deterioration)" in dropout.sentence_en
    assert neutral.sentence_th.endswith("ปีละ 1.02 คน, มีนัยสำคัญ")


def test_four_points_are_too_few_and_never_significant_even_when_perfectly_monotone() -> None:
    r = analyse(annual([1.0, 2.0, 3.0, 4.0]), name_th="อัตรา", name_en="Rate", unit="percent")
    assert r.direction == TOO_FEW
    assert r.significant is False
    assert r.good is None
    # The slope is still reported (what the four values show), but no verdict.
    assert r.fit.slope == pytest.approx(1.0)
    assert r.fit.p_value is not None
    assert r.fit.p_value > 0.05
    assert r.sentence_th == "อัตรา: ข้อมูลน้อยเกินไป (ต้องมีอย่างน้อย 5 ช่วงเวลา มี 4)"
    assert r.sentence_en == "Rate: too few periods (at least 5 needed, 4 available)"


def test_missing_values_are_dropped_and_counted_and_can_leave_too_few() -> None:
    r = analyse(annual([1.0, None, 3.0, float("nan"), 5.0, 6.0]))
    assert r.missing == 2
    assert r.n == 4
    assert r.direction == TOO_FEW
    assert len(r.series) == 6  # the series given is kept, missing values included
    assert r.fit.periods == ("2563", "2565", "2567", "2568")


def test_one_and_zero_points() -> None:
    assert analyse([]).direction == TOO_FEW
    one = analyse(annual([5.0]))
    assert (one.direction, one.fit.slope, one.fit.p_value) == (TOO_FEW, None, None)


def test_a_constant_series_is_constant_not_flat_and_has_no_outliers() -> None:
    r = analyse(annual([3.0] * 6), name_th="อัตรา", name_en="Rate", unit="percent", direction_sign=-1)
    assert r.direction == CONSTANT
    assert (r.significant, r.fit.slope, r.fit.p_value, r.good) == (False, 0.0, 1.0, None)
    assert r.outliers == ()
    assert r.change_points == ()
    assert r.sentence_th == "อัตราคงที่ที่ ร้อยละ 3 ทุกช่วงเวลา (6 ช่วงเวลา)"
    assert r.sentence_en == "Rate stayed at 3% in every period (6 periods)"


def test_ties_use_the_tie_corrected_variance() -> None:
    y = [1.0, 2.0, 2.0, 3.0, 3.0, 4.0]
    assert mk_score(y) == 13
    # [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18 with two pairs of ties: (510 − 2·18) / 18.
    assert mk_variance(y) == pytest.approx(474 / 18)
    r = analyse(annual(y))
    assert r.fit.p_value == pytest.approx(2 * (1 - _phi(12 / math.sqrt(474 / 18))), rel=1e-6)
    assert r.direction == UP


def test_hamed_rao_never_shrinks_the_variance_unlike_pymannkendall_on_short_series() -> None:
    y = [1.0, 2.0, 2.0, 3.0, 3.0, 4.0]
    ours = mann_kendall(list(range(6)), y, slope=sen_slope(list(range(6)), y).slope)
    theirs = pmk.hamed_rao_modification_test(np.array(y))
    assert ours.correction == 1.0
    assert theirs.p < 1e-6  # pymannkendall's factor < 1 makes six points look overwhelming
    assert ours.p == pytest.approx(0.0194, abs=1e-4)


def test_hamed_rao_matches_pymannkendall_where_both_are_defined() -> None:
    rng = np.random.default_rng(7)
    e = np.zeros(40)
    for i in range(1, 40):
        e[i] = 0.8 * e[i - 1] + rng.normal()
    y = list(e + 0.02 * np.arange(40))
    t = list(range(1, 41))
    ours = mann_kendall(t, y, slope=sen_slope(t, y).slope)
    theirs = pmk.hamed_rao_modification_test(np.array(y))
    assert ours.correction > 1.0
    assert ours.p == pytest.approx(theirs.p, rel=1e-9)
    assert ours.s == theirs.s


def test_autocorrelated_noise_is_not_called_a_trend_once_corrected() -> None:
    # An AR(1) walk without trend that a plain Mann–Kendall test calls significant.
    rng = np.random.default_rng(3)
    e = np.zeros(30)
    for i in range(1, 30):
        e[i] = 0.9 * e[i - 1] + rng.normal()
    y = list(e)
    plain = pmk.original_test(np.array(y))
    r = analyse(annual(y, start=2540))
    assert plain.p < 0.05
    assert r.fit.mk is not None
    assert r.fit.mk.correction > 2
    assert r.fit.p_value is not None
    assert r.fit.p_value > 0.05
    assert r.direction == FLAT
    assert r.significant is False


def test_uneven_spacing_uses_the_real_time_axis() -> None:
    # Two values a year apart, then half-yearly: the slope is per year of t, not per index.
    pts = [("a", 2560.0, 10.0), ("b", 2561.0, 12.0), ("c", 2561.5, 13.0), ("d", 2562.0, 14.0),
           ("e", 2562.5, 15.0), ("f", 2564.0, 18.0)]  # fmt: skip
    r = analyse(pts)
    assert r.fit.slope == pytest.approx(2.0)
    assert r.direction == UP
    assert "5 ปี" in r.sentence_th  # 2560 to 2564


def test_a_step_series_has_a_change_point_where_the_new_level_starts() -> None:
    y = [5.0, 5.1, 4.9, 5.0, 9.0, 9.1, 8.9, 9.0]
    cps, pen, sigma = change_points([(p, t, v) for p, t, v in annual(y) if v is not None])
    assert cps == ["2567"]
    assert pen is not None
    assert sigma > 0
    r = analyse(annual(y), name_th="อัตรา", name_en="Rate", unit="percent")
    assert r.change_points == ("2567",)
    assert r.sentence_th.endswith("; ระดับเปลี่ยนตั้งแต่ 2567")
    assert r.sentence_en.endswith("; the level shifted from 2567")


def test_a_steady_trend_or_a_short_series_has_no_change_point() -> None:
    assert analyse(annual([3.0, 2.7, 2.4, 2.1, 1.8, 1.5, 1.2, 0.9])).change_points == ()
    assert analyse(annual([1.0, 1.0, 9.0, 9.0, 9.0])).change_points == ()  # n = 5 < 6


def test_a_x10_typo_is_an_outlier_set_aside_and_the_trend_without_it_is_stored() -> None:
    y = [5.1, 4.9, 5.0, 50.0, 4.8, 4.7, 4.6]
    r = analyse(annual(y), name_th="อัตรา", name_en="Rate", unit="percent", direction_sign=-1)
    assert [o.period for o in r.outliers] == ["2566"]
    assert r.outliers[0].value == 50.0
    assert r.outliers[0].score > 3.5
    assert r.outliers_set_aside
    assert r.fit.n == 6
    assert "2566" not in r.fit.periods
    # The Theil–Sen slope shrugs the typo off; the test does not: S = −13 either way, but over 7
    # values (Var 44.33) the fall is not significant, over the 6 true ones (Var 28.33) it is.
    assert r.fit.slope == pytest.approx(-1 / 12)
    assert r.fit.mk is not None
    assert r.fit.mk.s == -13
    assert r.direction == DOWN
    assert r.significant
    assert r.with_outliers is not None
    assert r.with_outliers.n == 7
    assert r.with_outliers.mk is not None
    assert r.with_outliers.mk.s == -13
    assert r.with_outliers.direction == FLAT
    assert r.sentence_th.endswith("; ไม่นับค่าผิดปกติ 1 ค่า (2566)")
    assert r.sentence_en.endswith("; 1 outlier set aside (2566)")


def test_an_outlier_is_kept_in_the_trend_when_setting_it_aside_leaves_too_few() -> None:
    r = analyse(annual([3.0, 3.0, 3.0, 3.0, 30.0]))
    assert [o.period for o in r.outliers] == ["2567"]
    assert not r.outliers_set_aside
    assert r.with_outliers is None
    assert r.n == 5
    assert r.sentence_en.endswith("; 1 outlier (2567)")


def test_a_steep_trend_has_no_outlying_ends() -> None:
    assert analyse(annual([10.0, 20.0, 30.5, 39.5, 50.0, 60.0, 70.0])).outliers == ()


def test_the_result_carries_its_series_and_parameters() -> None:
    r = analyse([SeriesValue("2565", 2565.0, 2.0), SeriesValue("2563", 2563.0, 1.0)])
    assert [s.period for s in r.series] == ["2563", "2565"]  # put in time order
    assert r.parameters["min_periods"] == 5
    assert r.parameters["outlier_threshold"] == 3.5
    assert r.parameters["change_point"]["penalty"] == "6·σ̂²·ln n"


def test_numbers_in_sentences() -> None:
    assert [fmt_number(x) for x in (0.3, 1.0, 0.0833333, 12.345, 1234.5, 0)] == [
        "0.3", "1", "0.0833", "12.35", "1,234", "0",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("t", "y"),
    [
        ([2560.0, 2561.0, 2561.5, 2562.0, 2562.5, 2564.0], [10.0, 12.0, 13.0, 11.0, 15.0, 18.0]),
        ([1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 6.0], [3.0, 1.0, 1.0, 4.0, 4.0, 9.0, 2.0]),  # ties in t and y
        (list(range(12)), list(np.random.default_rng(1).normal(size=12))),
    ],
)
def test_sen_slope_is_scipys_theilslopes(t: list[float], y: list[float]) -> None:
    ours = sen_slope(t, y)
    theirs = stats.theilslopes(y, t, alpha=0.95)
    assert (ours.slope, ours.intercept, ours.low, ours.high) == pytest.approx(
        (theirs.slope, theirs.intercept, theirs.low_slope, theirs.high_slope), rel=1e-12
    )
