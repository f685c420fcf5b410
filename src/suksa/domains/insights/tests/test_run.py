"""The run driver: shared data of a round, stage bookkeeping, current run."""

from __future__ import annotations

from suksa.domains.insights.models.choices import RunStatus
from suksa.domains.insights.services.data import load_round_data, tau
from suksa.domains.insights.tests.conftest import TinyHistory, run_stages


def test_time_axis_matches_the_demo_history() -> None:
    assert tau("2568", "year") == 2568.0
    assert tau("2569/jun10", "census") == 2569.0
    assert tau("2569", "fiscal_year") == 2568.5
    assert tau("2569/m12", "round") == 2568.75
    assert tau("2569/m6", "round") == 2568.25
    assert tau("x", "year") is None


def test_round_data_sees_only_what_was_known_by_the_round_end(tiny_history: TinyHistory) -> None:
    closed = load_round_data(tiny_history.closed)
    current = load_round_data(tiny_history.current)
    esa = closed.esas()[0]
    assert len(closed.esas()) == 9
    assert esa.context["schools"] > 0
    # Dropout flows of AY 2568 exist only from 10 June 2026: the FY 2568 round (to 30 Sep 2025)
    # cannot see them, the FY 2569 round (to 30 Sep 2026) does.
    closed_periods = [p.period for p in closed.series[(esa.id, "dropout_rate")]]
    current_periods = [p.period for p in current.series[(esa.id, "dropout_rate")]]
    assert closed_periods[-1] == "2567"
    assert current_periods[-1] == "2568"
    # Reported figures come from the ESAs' handed-in reports of 12-month rounds up to the round.
    reported = [p.period for p in current.series.get((esa.id, "supervision_coverage"), [])]
    assert reported == sorted(reported)
    assert all(p.endswith("/m12") for p in reported)


def test_a_partial_run_completes_but_never_becomes_the_current_one(tiny_history: TinyHistory) -> None:
    run = run_stages(tiny_history.current, only=[])
    assert run.status == RunStatus.DONE
    assert run.inputs["units"] == 1 + 18 + 9  # the nation, its 18 inspection regions, 9 ESAs
    assert not run.is_current  # stages were left out: pages keep showing the last complete run
