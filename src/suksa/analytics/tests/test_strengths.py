"""Context-adjusted strengths on simulated data where the strong and weak units are known."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from suksa.analytics.strengths import (
    MIN_PEERS,
    IndicatorAdjustment,
    Obs,
    UnitContext,
    adjust_indicator,
    pooled_between_variance,
    score_units,
)

GROUPS = ("north", "south", "east", "central")
YEARS = (2564, 2565, 2566, 2567, 2568)


@dataclass
class World:
    contexts: dict[int, UnitContext]
    offsets: dict[int, float]  # the planted domain offset, in between-unit SDs
    adjustments: list[IndicatorAdjustment]
    series: dict[str, dict[int, list[Obs]]]


def simulate(
    seed: int,
    *,
    n: int = 160,
    indicators: int = 5,
    strong: float = 0.08,
    weak: float = 0.06,
    offsets: np.ndarray | None = None,
    sd_noise: float = 0.4,
    years: tuple[int, ...] = YEARS,
    prior_lag: float | None = None,
) -> World:
    """Units whose indicators depend on context (type, region group, small-school share) plus a
    domain offset (strong +1.6, weak −1.4 between-unit SDs), an indicator-specific unit effect
    (SD 1) and year noise; half of the indicators are "lower is better"."""
    rng = np.random.default_rng(seed)
    contexts: dict[int, UnitContext] = {}
    planted: dict[int, float] = {}
    for u in range(1, n + 1):
        contexts[u] = UnitContext(
            key=u,
            esa_type="primary" if u % 3 else "secondary",
            region_group=GROUPS[u % len(GROUPS)],
            numeric={
                "small_share": float(rng.uniform(0.1, 0.9)),
                "urban_share": float(rng.uniform(0.0, 0.5)),
                "log_learners": float(rng.normal(10.0, 0.5)),
            },
        )
        if offsets is not None:
            planted[u] = float(offsets[u - 1])
        else:
            draw = rng.random()
            planted[u] = 1.6 if draw < strong else -1.4 if draw < strong + weak else 0.0
    series: dict[str, dict[int, list[Obs]]] = {}
    adjustments = []
    for k in range(indicators):
        direction = 1 if k % 2 == 0 else -1
        sd_between = 2.0 + k
        code = f"ind{k}"
        per_unit: dict[int, list[Obs]] = {}
        for u, c in contexts.items():
            effect = rng.normal()
            level = 50.0 + (4.0 if c.esa_type == "secondary" else 0.0) + GROUPS.index(c.region_group) * 1.5
            level -= 6.0 * c.numeric["small_share"]
            good = (planted[u] + effect) * sd_between
            per_unit[u] = [
                Obs(str(y), float(y), level + direction * good + 0.5 * (y - 2566) + rng.normal(0, sd_noise) * sd_between)
                for y in years
            ]  # fmt: skip
        series[code] = per_unit
        adjustments.append(
            adjust_indicator(code, per_unit, contexts, direction=direction, prior_lag=prior_lag)
        )
    return World(contexts, planted, adjustments, series)


def test_planted_strengths_are_recovered_and_false_calls_stay_at_the_nominal_rate() -> None:
    # Given 6 simulated nations of 160 units, ~8 % planted strong and ~6 % weak, 5 indicators, 5 years
    found_strong, found_weak, false_strong, false_weak = [], [], [], []
    for seed in range(1, 7):
        world = simulate(seed)
        scores = {s.unit: s for s in score_units(world.adjustments, world.contexts, draws=100)}
        for u, s in scores.items():
            offset = world.offsets[u]
            if offset > 0:
                found_strong.append(s.verdict == "strong")
            elif offset < 0:
                found_weak.append(s.verdict == "weak")
            else:
                false_strong.append(s.verdict == "strong")
                false_weak.append(s.verdict == "weak")
    # Then most planted units are found (recall) and a unit with no planted offset is called strong
    # (weak) about 5 % of the time, what a 90 % interval promises
    assert len(found_strong) >= 60
    assert len(found_weak) >= 40
    assert float(np.mean(found_strong)) >= 0.8
    assert float(np.mean(found_weak)) >= 0.8
    assert float(np.mean(false_strong)) <= 0.07
    assert float(np.mean(false_weak)) <= 0.07


def test_each_verdict_agrees_with_its_interval_and_the_peer_median() -> None:
    world = simulate(1)
    scores = {s.unit: s for s in score_units(world.adjustments, world.contexts)}
    assert {s.verdict for s in scores.values()} == {"strong", "weak", "typical"}
    # and every verdict agrees with its interval and the peer median
    for s in scores.values():
        assert s.low is not None
        assert s.high is not None
        assert s.peer_median is not None
        assert s.low < s.score < s.high  # type: ignore[operator]
        if s.verdict == "strong":
            assert s.low > s.peer_median
        elif s.verdict == "weak":
            assert s.high < s.peer_median
        else:
            assert s.verdict == "typical"
            assert s.low <= s.peer_median <= s.high
        assert s.spread == "moderated_indicators"
        assert s.df == 8.0
        assert s.peer_count >= MIN_PEERS
        assert s.peer_group == world.contexts[s.unit].peer_group


def _coverage(world: World, scores: list, indicators: list[int] | None = None) -> float:
    """Share of intervals covering the unit's true common offset, in the standardised units of
    each indicator (offset × SD between / scale, centred on the mean offset)."""
    adjs = world.adjustments if indicators is None else [world.adjustments[k] for k in indicators]
    mean_offset = float(np.mean(list(world.offsets.values())))
    hits = 0
    for s in scores:
        truth = float(
            np.mean(
                [
                    (world.offsets[s.unit] - mean_offset) * (2.0 + int(a.code[3:])) / (a.scale or 1.0)
                    for a in adjs
                ]
            )
        )
        hits += s.low <= truth <= s.high
    return hits / len(scores)


def test_domain_intervals_cover_the_true_offset_about_90_percent_of_the_time() -> None:
    # Given continuous true offsets (every unit has one) in 6 simulated nations
    rates = []
    for seed in range(6):
        offsets = np.random.default_rng(100 + seed).normal(0.0, 0.7, 160)
        world = simulate(100 + seed, offsets=offsets)
        rates.append(_coverage(world, score_units(world.adjustments, world.contexts, draws=200)))
    # Then the 90 % intervals cover the truth close to 90 % of the time
    assert 0.85 <= float(np.mean(rates)) <= 0.95, rates


def test_pooled_intervals_for_two_indicator_domains_also_cover_about_90_percent() -> None:
    rates = []
    for seed in range(6):
        offsets = np.random.default_rng(200 + seed).normal(0.0, 0.7, 160)
        world = simulate(200 + seed, offsets=offsets, indicators=2)
        scores = score_units(world.adjustments, world.contexts, draws=200)
        assert {s.spread for s in scores} == {"moderated_indicators"}
        assert {s.df for s in scores} == {5.0}
        rates.append(_coverage(world, scores))
    assert 0.85 <= float(np.mean(rates)) <= 0.95, rates


def test_a_one_indicator_domain_borrows_the_spread_pooled_over_other_domains() -> None:
    world = simulate(3)
    tau2 = pooled_between_variance([world.adjustments], list(world.contexts))
    assert tau2 is not None
    assert 0.5 < tau2 < 2.0
    alone = score_units(world.adjustments[:1], world.contexts, pooled_fallback=tau2)
    # one indicator: the spread is over periods, not indicators (the per-indicator rows)
    assert {s.spread for s in alone} == {"moderated_periods"}
    assert {s.df for s in alone} == {8.0}


def test_adjusting_for_the_units_own_prior_value_absorbs_a_persistent_strength() -> None:
    # Given the same nation with 9 years, scored with and without the unit's own value 3 years back
    years = tuple(range(2560, 2569))
    plain = simulate(5, years=years)
    growth = simulate(5, years=years, prior_lag=3.0)
    strong = {u for u, o in plain.offsets.items() if o > 0}

    def recall(world: World) -> float:
        found = {
            s.unit for s in score_units(world.adjustments, world.contexts, draws=200) if s.verdict == "strong"
        }
        return len(found & strong) / len(strong)

    assert "prior" in growth.adjustments[0].fits[-1].covariates
    assert "prior" not in plain.adjustments[0].fits[-1].covariates
    # Then the level question finds the strong units and the growth question mostly does not
    assert recall(plain) >= 0.8
    assert recall(growth) <= recall(plain) - 0.3


def test_context_is_adjusted_for_a_unit_is_not_strong_for_being_secondary() -> None:
    world = simulate(7, strong=0.0, weak=0.0)
    fit = world.adjustments[0].fits[-1]
    assert fit.covariates[0] == "intercept"
    assert "esa_type=secondary" in fit.covariates
    assert "small_share" in fit.covariates
    assert any(c.startswith("region_group=") for c in fit.covariates)
    idx = fit.covariates.index("esa_type=secondary")
    assert abs(fit.coefficients[idx] - 4.0) < 1.5  # the simulated type effect (direction +1)
    scores = score_units(world.adjustments, world.contexts, draws=200)
    secondary = [
        s.score for s in scores if world.contexts[s.unit].esa_type == "secondary" and s.score is not None
    ]
    assert abs(float(np.mean(secondary))) < 0.25  # type gap removed


def test_too_few_peers_gives_no_peers_and_missing_values_no_data() -> None:
    world = simulate(9, n=60)
    contexts = dict(world.contexts)
    # A third type with 3 units: its fine group and its type group both have fewer than 5 units
    for u in (1, 2, 3):
        c = contexts[u]
        contexts[u] = UnitContext(u, "special", c.region_group, c.numeric)
    # And a unit with no value at all
    contexts[999] = UnitContext(
        999, "primary", "north", {"small_share": 0.5, "urban_share": 0.1, "log_learners": 10.0}
    )
    adjs = [adjust_indicator(k, s, contexts) for k, s in world.series.items()]
    scores = {s.unit: s for s in score_units(adjs, contexts, draws=200)}
    for u in (1, 2, 3):
        assert scores[u].verdict == "no_peers"
        assert scores[u].peer_group == "special|*"
        assert scores[u].peer_count == 3
        assert scores[u].score is not None
        assert scores[u].rank is None
        assert scores[u].peer_median is None
    assert scores[999].verdict == "no_data"
    assert scores[999].score is None
    assert scores[999].low is None
    # a primary unit whose type-and-region group is too small falls back to its type nationally
    fine = {s.peer_group for s in scores.values()}
    assert all(g.endswith("|*") or g.count("|") == 1 for g in fine)


def test_fine_group_too_small_falls_back_to_the_type_nationally() -> None:
    world = simulate(11, n=24)  # 4 region groups × 2 types: some fine groups have < 5 units
    scores = score_units(world.adjustments, world.contexts, draws=200)
    fallback = [s for s in scores if s.peer_group.endswith("|*")]
    assert fallback
    for s in fallback:
        esa_type = world.contexts[s.unit].esa_type
        assert s.peer_group == f"{esa_type}|*"
        assert s.peer_count == sum(1 for c in world.contexts.values() if c.esa_type == esa_type)


def test_constant_and_empty_indicators_are_explained() -> None:
    contexts = simulate(13, n=20).contexts
    flat = {u: [Obs("2568", 2568.0, 7.0)] for u in contexts}
    assert adjust_indicator("flat", flat, contexts).status == "constant"
    assert adjust_indicator("none", {}, contexts).status == "no_data"
    few = {u: [Obs("2568", 2568.0, float(u))] for u in list(contexts)[:4]}
    result = adjust_indicator("few", few, contexts)
    assert result.status == "too_few_units"
    assert result.z == {}
    nan = {u: [Obs("2568", 2568.0, math.nan)] for u in contexts}
    assert adjust_indicator("nan", nan, contexts).status == "no_data"


def test_small_nations_keep_residual_degrees_of_freedom() -> None:
    world = simulate(15, n=9)
    fit = world.adjustments[0].fits[-1]
    assert fit.n == 9
    assert fit.n - len(fit.covariates) >= 5
    assert "region_group" in fit.dropped


def test_one_wild_value_does_not_make_a_unit_strong() -> None:
    world = simulate(17, strong=0.0, weak=0.0)
    unit = next(u for u in world.contexts if u % 3)  # a primary unit
    series = {k: dict(v) for k, v in world.series.items()}
    obs = series["ind0"][unit]
    series["ind0"][unit] = [*obs[:-1], Obs(obs[-1].period, obs[-1].t, obs[-1].value * 10)]
    adjs = [adjust_indicator(k, s, world.contexts, direction=1 if i % 2 == 0 else -1) for i, (k, s) in enumerate(series.items())]  # fmt: skip
    scores = {s.unit: s for s in score_units(adjs, world.contexts, draws=200)}
    assert scores[unit].indicators["ind0"] > 3  # the typo shows on its indicator
    assert scores[unit].verdict == "typical"  # but the domain's interval is wide enough


def test_ranks_carry_intervals() -> None:
    world = simulate(19)
    scores = score_units(world.adjustments, world.contexts, draws=500)
    ranked = sorted((s for s in scores if s.national_rank is not None), key=lambda s: s.national_rank or 0)
    assert [s.national_rank for s in ranked] == list(range(1, len(ranked) + 1))
    assert all(s.national_count == len(ranked) for s in ranked)
    for s in ranked:
        assert s.national_rank_low <= s.national_rank <= s.national_rank_high  # type: ignore[operator]
        assert s.rank_low <= s.rank <= s.rank_high <= s.peer_count  # type: ignore[operator]
    best = ranked[0]
    assert best.score == max(s.score for s in ranked)  # type: ignore[type-var]
    # a middling unit's rank is uncertain over many places
    middle = ranked[len(ranked) // 2]
    assert middle.national_rank_high - middle.national_rank_low >= 10  # type: ignore[operator]
    # the same seed gives the same ranks
    again = score_units(world.adjustments, world.contexts, draws=500)
    assert [(s.rank_low, s.rank_high) for s in again] == [(s.rank_low, s.rank_high) for s in scores]
