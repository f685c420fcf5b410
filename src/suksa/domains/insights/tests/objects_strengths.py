"""Builders of the strengths tests, and the ESA B objects of the route matrix."""

from __future__ import annotations

from typing import Any

from suksa.core.models import OrgUnit
from suksa.domains.insights.models import Efficiency, InsightRun, Strength
from suksa.domains.insights.tests.objects_schools import any_round, current_run
from tests.factories import World


def make_strength(run: InsightRun, unit: OrgUnit, *, domain: str = "learning", indicator: str = "",
                  score: float = 0.0, verdict: str = "typical", **extra: Any) -> Strength:  # fmt: skip
    fields: dict[str, Any] = {
        "peer_group": "primary|*", "peer_count": 5, "peer_median": 0.0, "low": score - 0.5, "high": score + 0.5,
        "rank": 1, "rank_low": 1, "rank_high": 3,
        "sentence_th": f"{unit.code} ด้าน{domain} คะแนน {score:+.1f}", "sentence_en": f"{unit.code} {domain} {score:+.1f}",
        "data": {"indicators": [{"code": "onet_mean_p6", "values": [{"period": "2568", "value": 40.0, "z": score,
                  "source": {"model": "core.IndicatorValue", "id": 1}, "unit_id": unit.pk}]}],
                 "national_rank": {"rank": 1, "low": 1, "high": 2, "of": 3}},
    }  # fmt: skip
    fields.update(extra)
    return Strength.objects.create(run=run, unit=unit, domain=domain, indicator=indicator, score=score,
                                   verdict=verdict, **fields)  # fmt: skip


def make_efficiency(run: InsightRun, unit: OrgUnit, *, model: str = "bcc", score: float = 1.0,
                    peers: list[dict[str, Any]] | None = None) -> Efficiency:  # fmt: skip
    return Efficiency.objects.create(
        run=run, unit=unit, model=model, score=score, scale_efficiency=1.0,
        peers=peers if peers is not None else [{"unit_id": unit.pk, "code": unit.code, "weight": 1.0}],
        sentence_th=f"{unit.code} ประสิทธิภาพ {score:.2f}", sentence_en=f"{unit.code} efficiency {score:.2f}",
        data={"inputs": {"teachers_per_100": 5.0, "budget_per_learner": 3000.0},
              "outputs": {"onet_mean_m3": 30.0, "retention": 99.0}, "efficient": score == 1.0},
    )  # fmt: skip


def b_unit_id(world: World) -> int:
    """ESA B, with strengths in the current run of a round."""
    run = current_run(any_round())
    for indicator in ("", "onet_mean_p6"):
        if not Strength.objects.filter(
            run=run, unit=world.esa_b1, domain="learning", indicator=indicator
        ).exists():
            make_strength(run, world.esa_b1, indicator=indicator, score=1.8, verdict="strong")
    return world.esa_b1.pk
