"""Stages strengths and efficiency on the tiny demo history (9 ESAs: 7 primary, 2 secondary)."""

from __future__ import annotations

import json

import pytest

from suksa.core.models import IndicatorValue, OrgUnit
from suksa.domains.insights.models import Efficiency, InsightRun, Strength
from suksa.domains.insights.models.choices import DataQuality
from suksa.domains.insights.services import strengths as svc
from suksa.domains.insights.services.data import REGION_GROUPS, load_round_data, region_group
from suksa.domains.insights.tests.conftest import TinyHistory, run_stages
from suksa.domains.monitoring.models import ReportValue


@pytest.fixture
def run_rows(tiny_history: TinyHistory) -> InsightRun:
    run = run_stages(tiny_history.current, only=["strengths", "efficiency"])
    assert run.status == "done", run.error
    return run


def test_every_esa_gets_a_row_per_domain_and_per_indicator(
    tiny_history: TinyHistory, run_rows: InsightRun
) -> None:
    run = run_rows
    esas = list(OrgUnit.objects.filter(kind="esa", is_active=True).values_list("pk", flat=True))
    domain_rows = Strength.objects.filter(run=run, indicator="")
    assert domain_rows.count() == len(esas) * len(svc.DOMAINS) == 63
    assert set(domain_rows.values_list("domain", flat=True)) == set(svc.DOMAINS)
    counts = run.stages["strengths"]["counts"]
    assert counts["strengths"] == Strength.objects.filter(run=run).count()
    assert counts["indicators"]["onet_mean_m6"] == "too_few_units"  # only 2 secondary ESAs sit it
    assert counts["indicators"]["transition_rate_p6_m1"] == "no_data"  # region and nation only
    assert "small_school_share" not in counts["indicators"]  # context, not performance
    # the two secondary ESAs have no peers of their type
    secondary = domain_rows.filter(unit__esa__esa_type="secondary")
    assert secondary.count() == 14
    assert set(secondary.values_list("verdict", flat=True)) == {"no_peers"}
    assert all("เพียง 2 เขต" in s for s in secondary.values_list("sentence_th", flat=True))
    # primaries: 5 in the northeast group, the rest compared with all 7 primaries
    primary = domain_rows.filter(unit__esa__esa_type="primary")
    assert set(primary.values_list("peer_group", "peer_count")) == {
        ("primary|northeast", 5),
        ("primary|*", 7),
    }
    assert not primary.filter(verdict="no_peers").exists()
    for row in primary:
        assert row.low is not None
        assert row.high is not None
        assert row.peer_median is not None
        if row.verdict == "strong":
            assert row.low > row.peer_median
            assert "เข้มแข็งด้าน" in row.sentence_th
        elif row.verdict == "weak":
            assert row.high < row.peer_median
            assert "ต้องพัฒนาด้าน" in row.sentence_th
        else:
            assert row.verdict == "typical"
            assert row.low <= row.peer_median <= row.high
        assert 1 <= row.rank_low <= row.rank <= row.rank_high <= row.peer_count  # type: ignore[operator]
        nat = row.data["national_rank"]
        assert nat["of"] == 9
        assert nat["low"] <= nat["rank"] <= nat["high"]
        assert "ช่วงความเชื่อมั่น 90 %" in row.sentence_th
        assert "90 % interval" in row.sentence_en


def test_values_are_traceable_to_stored_rows_and_flags_label_the_result(
    tiny_history: TinyHistory, run_rows
) -> None:
    data = load_round_data(tiny_history.current)
    rows = list(Strength.objects.filter(run=run_rows, indicator="", domain__in=["learning", "management"]))
    checked = 0
    for row in rows:
        for ind in row.data["indicators"]:
            for v in ind["values"]:
                src = v["source"]
                assert v["unit_id"] == row.unit_id
                if src["model"] == "core.IndicatorValue":
                    iv = IndicatorValue.objects.get(pk=src["id"])
                    assert iv.unit_id == row.unit_id
                    assert iv.period == v["period"]
                else:
                    rv = ReportValue.objects.select_related("report").get(pk=src["id"])
                    assert rv.report.esa_id == row.unit_id
                    assert float(rv.value or 0) == v["value"]
                checked += 1
        codes = [i["code"] for i in row.data["indicators"] if i["values"]]
        flagged = any(data.flags.get((row.unit_id, c)) for c in codes)
        assert row.quality == (DataQuality.LABELLED if flagged else DataQuality.OK)
        assert bool(row.data["flags"]) == flagged
    assert checked > 100
    assert any(r.quality == DataQuality.LABELLED for r in rows)


def test_planted_strengths_of_the_tiny_nation_lean_the_right_way(
    tiny_history: TinyHistory, run_rows: InsightRun
) -> None:
    truth = json.loads((tiny_history.data_dir / "demo" / "monitoring_truth.json").read_text())
    by_code = {
        (r.unit.code, r.domain): r
        for r in Strength.objects.filter(run=run_rows, indicator="").select_related("unit")
    }
    planted = [
        (esa, domain, sign)
        for sign, section in ((1, "strong"), (-1, "weak"))
        for domain, esas in truth[section].items()
        for esa in esas
        if (esa, domain) in by_code and by_code[(esa, domain)].verdict != "no_peers"
    ]
    assert planted, "the tiny nation plants at least one strength among its primary ESAs"
    for esa, domain, sign in planted:
        row = by_code[(esa, domain)]
        assert sign * (row.score - row.peer_median) > 0, (esa, domain, row.score, row.peer_median)  # type: ignore[operator]


def test_the_stage_is_idempotent(tiny_history: TinyHistory, run_rows: InsightRun) -> None:
    from suksa.domains.insights.services.run import run_round

    before = Strength.objects.filter(run=run_rows).count()
    run_rows.stages = {}
    run_rows.save(update_fields=["stages"])
    run_round(run_rows, only=["strengths", "efficiency"])
    assert Strength.objects.filter(run=run_rows).count() == before
    assert Efficiency.objects.filter(run=run_rows).count() == 18


def test_efficiency_rows_per_esa_and_model(tiny_history: TinyHistory, run_rows: InsightRun) -> None:
    rows = {(e.unit_id, e.model): e for e in Efficiency.objects.filter(run=run_rows)}
    assert len(rows) == 18
    counts = run_rows.stages["efficiency"]["counts"]
    assert counts["inputs"] == ["teachers_per_100", "budget_per_learner"]
    for (unit_id, model), e in rows.items():
        assert e.score is not None
        assert 0 < e.score <= 1
        ccr, bcc = rows[(unit_id, "ccr")], rows[(unit_id, "bcc")]
        assert ccr.score <= bcc.score + 1e-9  # type: ignore[operator]
        assert e.scale_efficiency == pytest.approx(ccr.score / bcc.score, abs=1e-5)  # type: ignore[operator]
        assert e.peers and abs(sum(p["weight"] for p in e.peers) - 1) < 1e-5 if model == "bcc" else e.peers
        budget = e.data["values"]["budget_disbursement_rate"]
        iv = IndicatorValue.objects.get(pk=budget["source"]["id"])
        assert iv.unit_id == unit_id
        assert iv.denominator == budget["budget"]
        assert e.data["inputs"]["budget_per_learner"] == pytest.approx(
            budget["budget"] / e.data["context"]["learners"]
        )
        if e.data["efficient"]:
            assert "เส้นพรมแดนประสิทธิภาพ" in e.sentence_th
            assert e.peers == [{"unit_id": unit_id, "code": e.unit.code, "weight": 1.0}]
        else:
            assert f"{e.score:.2f}" in e.sentence_th
            assert unit_id not in [p["unit_id"] for p in e.peers]


def test_short_names_and_region_groups(tiny_history: TinyHistory) -> None:
    data = load_round_data(tiny_history.current, with_flags=False)
    names = {u.code: svc.short_name(u) for u in data.esas()}
    assert names["11201"] == "สพป.นนทบุรี เขต 1"
    assert names["21201"] == "สพม.นนทบุรี"
    groups = {u.code: region_group(data, u) for u in data.esas()}
    assert groups["11201"] == "bangkok"  # inspection region 1
    assert set(groups.values()) <= set(REGION_GROUPS.values())
