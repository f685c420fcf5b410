"""The warnings stage on the tiny demo history: rules, the risk model, alerts, routing, re-runs."""

from __future__ import annotations

from typing import Any

import pytest

from suksa.core.models import IndicatorValue, Notification
from suksa.domains.accounts.actors import actor_for
from suksa.domains.accounts.models import User
from suksa.domains.insights.models import Alert, AlertEvent, RiskModelFit, RiskScore
from suksa.domains.insights.models.choices import AlertKind, DataQuality, RunStatus
from suksa.domains.insights.services import alerts as svc
from suksa.domains.insights.services import run as run_module
from suksa.domains.insights.services.data import RoundData
from suksa.domains.insights.services.warnings import _quality, target_year
from suksa.domains.insights.tests.conftest import TinyHistory, run_stages
from suksa.domains.monitoring.models import ReportValue

AS_OF = "2026-11-20"  # the demo's today: the open round is due on 30 Nov 2026


def test_target_year_of_each_period_kind() -> None:
    assert target_year("2568", "year") == 2569  # AY 2568 is read by the FY 2569 round
    assert target_year("2569/jun10", "census") == 2569
    assert target_year("2569", "fiscal_year") == 2569
    assert target_year("2569/m12", "round") == 2569
    assert target_year("x", "year") is None


def test_quality_of_the_data_behind_an_alert() -> None:
    assert _quality([]) == (DataQuality.OK, [])
    warning = {"kind": "outlier_peers", "severity": "warning"}
    assert _quality([warning])[0] == DataQuality.LABELLED
    assert _quality([warning, {"kind": "range", "severity": "blocking"}])[0] == DataQuality.HELD
    assert (
        _quality([{"kind": "data_problem", "status": "open", "severity": "warning"}])[0] == DataQuality.HELD
    )
    assert _quality([{"kind": "data_problem", "status": "rejected", "severity": "warning"}]) == (
        DataQuality.OK,
        [],
    )
    assert (
        _quality([{"kind": "data_problem", "status": "resolved", "severity": "warning"}])[0]
        == DataQuality.LABELLED
    )


def _trace(value: dict[str, Any]) -> float:
    """The stored value an alert's evidence points at, in the catalogue's unit."""
    source = value["source"]
    if source["model"] == "core.IndicatorValue":
        stored = IndicatorValue.objects.get(pk=source["id"]).value
        assert stored is not None
        return float(stored) * value.get("scale", 1)
    assert source["model"] == "monitoring.ReportValue"
    reported = ReportValue.objects.get(pk=source["id"]).value
    assert reported is not None
    return float(reported)


def test_the_stage_fits_the_model_scores_every_esa_and_raises_traceable_alerts(
    tiny_history: TinyHistory,
) -> None:
    run = run_stages(tiny_history.current, only=["warnings"], as_of=AS_OF)
    assert run.status == RunStatus.DONE, run.error
    counts = run.stages["warnings"]["counts"]
    fit = RiskModelFit.objects.get(run=run)
    assert fit.method == "logistic-l2"
    for method in ("model", "rules", "past_level"):
        assert set(fit.metrics[method]) >= {"auc", "precision_at_10", "k", "n", "positives"}
        assert 0 <= fit.metrics[method]["auc"] <= 1
    assert fit.metrics["model"]["n"] == fit.metrics["test_rows"] > 0
    assert set(fit.fairness["model"]) == {"region_group", "size_band", "small_school_band", "ok"}
    assert fit.note_th
    assert fit.note_en
    assert ("beats" in fit.note_en) == fit.chosen == counts["model_chosen"]
    # One score per ESA × indicator with a target, each explained by three factors.
    scores = list(RiskScore.objects.filter(run=run))
    assert len(scores) == counts["risk_scores"] > 0
    assert len({(s.unit_id, s.indicator) for s in scores}) == len(scores)
    assert len({s.unit_id for s in scores}) == 9  # every ESA of the tiny nation
    assert all(len(s.factors) == 3 and 0 < s.probability < 1 for s in scores)
    alerts = list(Alert.objects.filter(round=tiny_history.current))
    assert len(alerts) == counts["alerts_new"] == counts["alerts_raised"]
    kinds = {a.kind for a in alerts}
    assert AlertKind.BELOW_TARGET in kinds
    assert (AlertKind.RISK in kinds) == fit.chosen
    # Every value an alert rests on is the stored value it points at.
    for a in alerts:
        assert a.first_run_id == a.last_run_id == run.pk
        assert a.factors
        for value in a.evidence.get("values", []):
            assert _trace(value) == pytest.approx(value["value"], abs=1e-6)
    below = next(a for a in alerts if a.kind == AlertKind.BELOW_TARGET)
    assert below.evidence["target"]["value"] is not None
    assert AlertEvent.objects.filter(action="raised").count() == len(alerts)
    # Routed once each: every shown alert told its ESA's director(s).
    shown = [a for a in alerts if a.quality != DataQuality.HELD]
    assert counts["alerts_notified"] == len(shown)
    directors = Notification.objects.filter(
        subject_type="insights.alert", user__username__endswith="director"
    )
    assert {n.subject_id for n in directors} == {a.pk for a in shown}


def test_a_rerun_refreshes_alerts_without_duplicates_and_keeps_their_lifecycle(
    tiny_history: TinyHistory, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_stages(tiny_history.current, only=["warnings"], as_of=AS_OF)
    alerts = {a.pk: a for a in Alert.objects.filter(round=tiny_history.current)}
    notes = Notification.objects.count()
    target = next(a for a in alerts.values() if a.kind == AlertKind.BELOW_TARGET)
    me = actor_for(User.objects.get(username="me_officer"))
    svc.alert_act(actor=me, alert_id=target.pk, action="acknowledge", note="")
    # The second run sees a blocking finding on the data behind that alert: it is held back.
    real = run_module.load_round_data

    def with_flag(rnd: Any, **kw: Any) -> RoundData:
        data = real(rnd, **kw)
        data.flags[(target.unit_id, target.indicator)] = [
            {"kind": "range", "severity": "blocking", "message_th": "เกินช่วง", "message_en": "Out of range"}
        ]
        return data

    monkeypatch.setattr(run_module, "load_round_data", with_flag)
    second = run_stages(tiny_history.current, only=["warnings"], as_of=AS_OF)
    assert second.status == RunStatus.DONE, second.error
    after = {a.pk: a for a in Alert.objects.filter(round=tiny_history.current)}
    assert set(after) == set(alerts)
    assert second.stages["warnings"]["counts"]["alerts_new"] == 0
    assert Notification.objects.count() == notes
    assert AlertEvent.objects.filter(action="raised").count() == len(alerts)
    refreshed = after[target.pk]
    assert refreshed.status == "acknowledged"
    assert refreshed.quality == DataQuality.HELD
    assert refreshed.first_run_id == first.pk
    assert refreshed.last_run_id == second.pk
    assert refreshed.evidence["quality_issues"][0]["severity"] == "blocking"
    assert list(AlertEvent.objects.filter(alert=target).values_list("action", flat=True)) == [
        "raised", "notified", "acknowledge", "refreshed",
    ]  # fmt: skip
    # Held: the executive no longer sees it; the M&E officer does.
    from suksa.domains.insights.selectors_alerts import alerts_visible

    executive = actor_for(User.objects.get(username="executive"))
    assert not alerts_visible(executive).filter(pk=target.pk).exists()
    assert alerts_visible(me).filter(pk=target.pk).exists()
