"""Scoring a run against a truth dict: every figure computed by hand on a few rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from suksa.domains.insights.models import (
    InsightRun,
    RiskModelFit,
    SchoolDeviance,
    SchoolGroup,
    Strength,
    Trend,
)
from suksa.domains.insights.models.choices import RunStatus, RunTrigger, TrendDirection, Verdict
from suksa.domains.insights.services.evaluate import (
    Evaluation,
    evaluate_run,
    evaluation_markdown,
    replace_section,
)
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World

pytestmark = pytest.mark.django_db

NOISE = {"dropout_rate": 0.12, "onet_mean_p6": 0.9}


def truth(world: World) -> dict[str, Any]:
    return {
        "trends": {
            "dropout_rate": {"11201": -0.1, "15001": 0.0},
            "onet_mean_p6": {"11201": 0.0, "15001": 1.0},
        },
        # 15001's dropout slope changes in 2566 (a practice adopted then): no coverage check there.
        "trend_components": [{"esa": "15001", "indicator": "dropout_rate", "from": 2566, "slope": 0.0}],
        "strong": {"learning": ["11201"]},
        "weak": {"learning": ["15001"]},
        "offsets": {"strong_sd": 1.6, "weak_sd": 1.4},
        "deviant_schools": [{"school": world.school_a1_1.code}, {"school": world.school_b1_1.code}],
        "decoy_schools": [{"school": world.school_a1_2.code}],
        "claimed_not_deviant": [],
    }


def trend(run: InsightRun, unit: Any, ind: str, direction: str, sig: bool, low: float, high: float) -> None:
    Trend.objects.create(run=run, unit=unit, indicator=ind, period_kind="year", n=6, direction=direction,
                         significant=sig, slope_low=low, slope_high=high)  # fmt: skip


def strength(run: InsightRun, unit: Any, verdict: str, low: float, high: float) -> None:
    Strength.objects.create(
        run=run, unit=unit, domain="learning", peer_group="g", verdict=verdict, low=low, high=high
    )


@pytest.fixture
def scored(world: World) -> Evaluation:
    rnd = round_of(make_framework(2569), "m12")
    done = {"status": "done"}
    run = InsightRun.objects.create(
        round=rnd, trigger=RunTrigger.CLI, status=RunStatus.DONE,
        stages={"trends": done, "strengths": done, "deviance": done, "warnings": done},
    )  # fmt: skip
    a1, b1 = world.esa_a1, world.esa_b1
    trend(run, a1, "dropout_rate", TrendDirection.DOWN, True, -0.2, -0.05)  # planted, found, covered
    trend(run, b1, "dropout_rate", TrendDirection.UP, True, 0.1, 0.3)  # false alarm (late slope: no coverage)
    trend(run, a1, "onet_mean_p6", TrendDirection.FLAT, False, -0.5, 0.5)  # no trend, covered
    trend(run, world.region_1, "onet_mean_p6", TrendDirection.UP, True, 0.1, 0.3)  # not an ESA: ignored
    # 15001 onet_mean_p6 (planted +1.0) has no row: missed.
    strength(run, a1, Verdict.STRONG, 1.0, 2.0)  # planted strong, found, covers 1.6
    strength(run, b1, Verdict.TYPICAL, -1.0, 0.5)  # planted weak, missed, misses −1.4
    strength(run, world.esa_a2, Verdict.STRONG, 0.5, 1.5)  # false strong, misses 0
    group = SchoolGroup.objects.create(run=run, key="g", name_th="g", name_en="g")
    for school, esa, deviant in (
        (world.school_a1_1, a1, True),
        (world.school_a1_2, a1, True),
        (world.school_b1_1, b1, False),
    ):
        SchoolDeviance.objects.create(run=run, group=group, school=school, esa=esa, indicator="onet_mean_p6",
                                      observed=50, expected=40, residual=10, z=3, years=5, is_deviant=deviant)  # fmt: skip
    RiskModelFit.objects.create(
        run=run, method="logistic-l2", trained_on=["2566/m12", "2567/m12"], tested_on=["2568/m12"],
        metrics={"model": {"auc": 0.70, "precision_at_10": 0.4, "n": 200},
                 "rules": {"auc": 0.72, "precision_at_10": 0.5}, "past_level": {"auc": 0.65, "precision_at_10": 0.3}},
        fairness={"region": {"R01": {"fpr_ratio": 1.1}, "R02": {"fpr_ratio": 1.4}}},
    )  # fmt: skip
    return evaluate_run(run, truth(world), NOISE)


def figures(ev: Evaluation, key: str) -> dict[str, Any]:
    return {m.name: (m.value, m.n) for m in ev.section(key).metrics}


def test_trends_precision_recall_and_coverage(scored: Evaluation) -> None:
    f = figures(scored, "trends")
    assert f["precision"] == (0.5, 2)
    assert f["recall"] == (0.5, 2)
    assert f["F1"][0] == 0.5
    assert f["pairs with a trend / pairs in the truth"][0] == "3 / 4"
    assert f["slope interval coverage"] == (1.0, 2)


def test_strengths_by_verdict_and_interval(scored: Evaluation) -> None:
    f = figures(scored, "strengths")
    assert f["strong: precision"] == (0.5, 2)
    assert f["strong: recall"] == (1.0, 1)
    assert f["weak: precision"] == (None, 0)
    assert f["weak: recall"] == (0.0, 1)
    assert f["interval coverage of the planted offset (all)"] == (pytest.approx(1 / 3), 3)
    assert f["interval coverage (planted strong/weak only)"] == (0.5, 2)


def test_deviant_schools_and_decoys(scored: Evaluation) -> None:
    f = figures(scored, "deviants")
    assert f["precision"] == (0.5, 2)
    assert f["recall"] == (0.5, 2)
    assert f["decoy schools flagged (typed 1.9× once)"] == (1, 1)


def test_a_model_that_does_not_beat_the_rules_is_said_plainly(scored: Evaluation) -> None:
    f = figures(scored, "warnings")
    assert f["model: AUC"] == (0.70, 200)
    assert f["rules: AUC"][0] == 0.72
    assert f["past_level: precision@10%"][0] == 0.3
    assert f["fairness (region): ratios within 0.8–1.25"] == ("no", 2)
    fairness = next(m for m in scored.section("warnings").metrics if m.name.startswith("fairness"))
    assert fairness.note.startswith("1 of 2 inside; range 1.10–1.40")
    assert scored.model_beats_baselines is False
    assert "does NOT beat both baselines" in scored.verdict
    assert "rules are shipped" in scored.verdict


def test_a_stage_missing_from_the_run_is_reported_not_scored(scored: Evaluation) -> None:
    assert scored.section("work_checks").missing
    text = evaluation_markdown(scored, when=dt.date(2026, 11, 21), commit="abc1234")
    assert text.startswith("## Insights evaluation\n")
    assert "Stages not in the run (not scored): cases." in text
    assert "| Trends (ESA × indicator) | precision | 0.500 | 2 |" in text
    assert "commit `abc1234`" in text
    assert "**Learned model vs baselines:** The learned risk model does NOT beat" in text


def test_the_results_section_is_replaced_not_repeated() -> None:
    doc = "# Results\n\n## A\n\na\n\n## Insights evaluation\n\nold\n\n## B\n\nb\n"
    new = replace_section(doc, "## Insights evaluation", "## Insights evaluation\n\nnew\n")
    assert new == "# Results\n\n## A\n\na\n\n## Insights evaluation\n\nnew\n\n## B\n\nb\n"
    assert replace_section("# R\n\n", "## Insights evaluation", "## Insights evaluation\n\nx\n") == (
        "# R\n\n## Insights evaluation\n\nx\n"
    )


def test_a_marginal_win_is_not_called_a_gain(world: World, scored: Evaluation) -> None:
    run = InsightRun.objects.get(pk=scored.run_id)
    RiskModelFit.objects.filter(run=run).update(
        metrics={
            "model": {"auc": 0.910, "precision_at_10": 0.99},
            "rules": {"auc": 0.833, "precision_at_10": 0.83},
            "past_level": {"auc": 0.905, "precision_at_10": 0.99},
        }
    )
    ev = evaluate_run(run, truth(world), NOISE)
    assert ev.model_beats_baselines is True
    assert ev.verdict.endswith("but by only 0.005 AUC over the better baseline: not a meaningful gain.")
    RiskModelFit.objects.filter(run=run).update(
        metrics={"model": {"auc": 0.95}, "rules": {"auc": 0.8}, "past_level": {"auc": 0.9}}
    )
    ev = evaluate_run(run, truth(world), NOISE)
    assert ev.verdict.endswith("(AUC model 0.950, rules 0.800, past level 0.900).")
