"""The trends stage: one Trend per (unit, indicator) series, with evidence, quality and sentences."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest

from suksa.core.models import IndicatorValue
from suksa.domains.insights.models import Trend
from suksa.domains.insights.models.choices import DataQuality, RunStatus, TrendDirection
from suksa.domains.insights.services.data import load_round_data
from suksa.domains.insights.tests.conftest import TinyHistory, run_stages
from suksa.domains.monitoring.models import Round
from suksa.domains.monitoring.tests.factories import make_framework, put_value, round_of
from tests.factories import World, make_world

pytestmark = pytest.mark.django_db

DROPOUT = [0.030, 0.027, 0.024, 0.021, 0.018, 0.015, 0.012]  # AY 2562–2568, stored as fractions


@dataclass
class Built:
    world: World
    round: Round
    values: dict[str, IndicatorValue]


def _hand_built() -> Built:
    world = make_world()
    fw = make_framework(2569)
    values: dict[str, IndicatorValue] = {}
    for i, v in enumerate(DROPOUT):
        values[str(2562 + i)] = put_value(world.esa_a1, "dropout_rate", str(2562 + i), v)
    for i, v in enumerate([0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05]):
        put_value(world.esa_b1, "dropout_rate", str(2562 + i), v)
    for i, v in enumerate([0.02, 0.02, 0.02, 0.20, 0.02, 0.021, 0.019]):  # a ×10 typo in 2565
        put_value(world.esa_a2, "dropout_rate", str(2562 + i), v)
    for i, v in enumerate([0.04, 0.035, 0.03]):
        put_value(world.region_1, "dropout_rate", str(2566 + i), v)
    return Built(world, round_of(fw, "m12"), values)


def test_a_hand_built_series_gives_the_trend_its_sentence_and_its_sources() -> None:
    b = _hand_built()
    world, rnd, values = b.world, b.round, b.values
    run = run_stages(rnd, only=["trends"])
    assert run.status == RunStatus.DONE
    assert run.stages["trends"]["counts"]["trends"] == Trend.objects.filter(run=run).count()
    t = Trend.objects.get(run=run, unit=world.esa_a1, indicator="dropout_rate")
    assert t.direction == TrendDirection.DOWN
    assert t.significant is True
    assert t.good is True
    assert t.n == 7
    assert t.slope == pytest.approx(-0.3)  # percent points a year (scale 100)
    assert t.period_kind == "year"
    assert t.series == [[str(2562 + i), pytest.approx(v * 100)] for i, v in enumerate(DROPOUT)]
    assert t.quality == DataQuality.OK
    assert t.sentence_th.startswith("อัตราการออกกลางคัน")
    assert "ลดลงต่อเนื่อง 7 ปี ปีละ 0.3 จุด, มีนัยสำคัญ" in t.sentence_th
    assert "fell for 7 years, 0.3 points a year, significant" in t.sentence_en
    sources = [(p["period"], p["source"]["model"], p["source"]["id"]) for p in t.data["points"]]
    assert sources == [(k, "core.IndicatorValue", v.pk) for k, v in values.items()]
    assert t.data["unit"] == {"id": world.esa_a1.pk, "code": "11201", "kind": "esa"}
    assert t.data["mk"]["s"] == -21


def test_constant_too_few_and_outlier_series_are_stored_as_such() -> None:
    b = _hand_built()
    world, rnd = b.world, b.round
    run = run_stages(rnd, only=["trends"])
    flat = Trend.objects.get(run=run, unit=world.esa_b1, indicator="dropout_rate")
    assert (flat.direction, flat.significant, flat.good, flat.slope) == ("constant", False, None, 0.0)
    short = Trend.objects.get(run=run, unit=world.region_1, indicator="dropout_rate")
    assert (short.direction, short.significant, short.n) == ("too_few", False, 3)
    assert "ต้องมีอย่างน้อย 5 ช่วงเวลา" in short.sentence_th
    typo = Trend.objects.get(run=run, unit=world.esa_a2, indicator="dropout_rate")
    assert typo.outliers == ["2565"]
    assert typo.quality == DataQuality.LABELLED
    assert typo.n == 6  # stored without the outlier
    assert typo.data["outliers_set_aside"] is True
    assert typo.data["with_outliers"]["n"] == 7
    assert [p["used"] for p in typo.data["points"]] == [True, True, True, False, True, True, True]
    # Running the stage again replaces its rows (idempotent).
    before = Trend.objects.filter(run=run).count()
    run.stages = {}
    run.save(update_fields=["stages"])
    from suksa.domains.insights.services.run import run_round

    run_round(run, only=["trends"])
    assert Trend.objects.filter(run=run).count() == before


def test_a_quality_flag_on_the_round_report_labels_the_trend(monkeypatch: pytest.MonkeyPatch) -> None:
    b = _hand_built()
    world, rnd = b.world, b.round
    from suksa.domains.insights.services import data as data_mod

    real = data_mod._flags

    def flags(r: Round) -> dict[tuple[int, str], list[dict[str, Any]]]:
        out = real(r)
        out[(world.esa_a1.pk, "dropout_rate")] = [
            {"kind": "outlier", "severity": "warning", "report_id": 1, "message_th": "x", "message_en": "x"}
        ]
        return out

    monkeypatch.setattr(data_mod, "_flags", flags)
    run = run_stages(rnd, only=["trends"])
    t = Trend.objects.get(run=run, unit=world.esa_a1, indicator="dropout_rate")
    assert t.quality == DataQuality.LABELLED
    assert t.data["flags"] == [{"kind": "outlier", "severity": "warning", "report_id": 1}]
    assert t.outliers == []


def test_tiny_history_has_a_trend_for_every_series_of_esas_regions_and_the_nation(
    tiny_history: TinyHistory,
) -> None:
    data = load_round_data(tiny_history.current)
    expected = {
        (u, c)
        for (u, c) in data.series
        if data.units[u].kind in ("esa", "region", "nation") and c in data.indicators
    }
    started = time.perf_counter()
    run = run_stages(tiny_history.current, only=["trends"])
    seconds = time.perf_counter() - started
    rows = list(
        Trend.objects.filter(run=run).values_list("unit_id", "indicator", "direction", "n", "significant")
    )
    assert {(u, c) for u, c, *_ in rows} == expected
    assert all(not sig for _, _, d, n, sig in rows if n < 5)
    assert all(d == "too_few" for _, _, d, n, _ in rows if n < 5)
    kinds = {data.units[u].kind for u, *_ in rows}
    assert kinds == {"esa", "region", "nation"}
    assert any(sig for *_, sig in rows)  # the planted trends show
    # Every point of every trend names a stored value.
    for t in Trend.objects.filter(run=run).only("data"):
        assert all(
            p["source"]["model"] in ("core.IndicatorValue", "monitoring.ReportValue")
            for p in t.data["points"]
        )
    # Reported (round-keyed) indicators: one value per fiscal year, 12-month rounds only.
    # Round-keyed indicators (reported and platform ones): the 12-month round of each year only.
    rounds = list(Trend.objects.filter(run=run, period_kind="round").values_list("indicator", "series"))
    assert {"budget_disbursement_rate", "supervision_coverage"} <= {code for code, _ in rounds}
    assert all(period.endswith("/m12") for _, series in rounds for period, _ in series)
    assert seconds < 30  # ~1.3k series here; the national run is measured in bench/RESULTS.md
