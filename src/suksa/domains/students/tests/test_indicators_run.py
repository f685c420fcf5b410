"""indicators_compute: provenance written once per run (core.IndicatorRun), small per-value sources,
history of runs kept, one DELETE and batched inserts. The world is ``test_indicators_world``.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from suksa.core.models import IndicatorValue, OrgUnit
from suksa.core.models.indicators import IndicatorRun
from suksa.core.policy import SYSTEM
from suksa.domains.accounts.actors import actor_for
from suksa.domains.students import selectors_indicators as sel
from suksa.domains.students.services import indicators as service
from suksa.domains.students.services.indicators import indicators_compute
from suksa.domains.students.tests import test_indicators_world as hand
from tests.factories import World

pytestmark = pytest.mark.django_db

Y, C = "2568", "2568/jun10"


def full(unit: OrgUnit, indicator: str, breakdown: str = "", period: str = Y) -> IndicatorValue:
    qs = IndicatorValue.objects.filter(unit=unit, indicator=indicator, period=period, breakdown=breakdown)
    return sel.with_provenance(qs).get()


@pytest.fixture
def computed(world: World) -> dict:
    returns = hand.build(world)
    summary = indicators_compute(actor=actor_for(world.user("me_officer")), year_be=2568)
    return {"returns": returns, "summary": summary}


def test_a_run_records_what_was_computed_from_what_by_whom(world: World, computed: dict) -> None:
    summary, returns = computed["summary"], computed["returns"]
    run = IndicatorRun.objects.get()
    assert summary.run_id == run.pk
    assert (run.producer, run.year_be, run.periods, run.formula_version) == (
        "students.indicators", 2568, [Y, C], service.FORMULA_VERSION,
    )  # fmt: skip
    assert run.requested_by == "me_officer"
    assert run.finished_at is not None
    assert run.started_at <= run.finished_at
    census = run.sources["census"]
    assert census["t"] == {"round": C, "round_id": returns["a_t"].round_id, "returns": 3,
                           "status": ["certified", "acknowledged"], "with_amendments": True}  # fmt: skip
    assert (census["t+1"]["round"], census["t+1"]["returns"]) == ("2569/jun10", summary.returns_t1)
    assert "record-derived" in run.sources["graduates"]
    assert (
        run.sources["attendance"]["window"].startswith("2568-") or ".." in run.sources["attendance"]["window"]
    )
    assert run.parameters["survival_max_repeats"] == service.SURVIVAL_MAX_REPEATS == 2
    assert run.parameters["min_cell"] == 5
    assert run.counts["values_written"] == summary.values_written == IndicatorValue.objects.count()
    assert run.counts["suppressed"] == IndicatorValue.objects.filter(suppressed=True).count()
    assert set(run.seconds) >= {"aggregate", "compute", "store", "total"}
    # Every indicator with its sources and formula text; variants keyed.
    assert set(run.indicators) == set(service.CODES)
    assert run.indicators["repetition_rate"]["formula"] == "R[g,t+1]/E[g,t]"
    assert "sum over the level's grades" in " ".join(run.indicators["repetition_rate"]["formulas"].values())
    assert "G[g,t]/E[g,t]" in run.indicators["promotion_rate"]["formulas"].values()
    assert "at most 2 times" in run.indicators["survival_rate_p6"]["formula"]
    assert IndicatorValue.objects.exclude(run=run).count() == 0


def test_each_value_keeps_only_its_own_part_and_stays_small(world: World, computed: dict) -> None:
    returns = computed["returns"]
    raw = IndicatorValue.objects.get(unit=world.school_a1_1, indicator="promotion_rate", period=Y,
                                     breakdown="grade=P1")  # fmt: skip
    assert raw.source == {
        "ret": [returns["a_t"].pk, returns["a_t1"].pk],
        "inputs": {"E[P1,t]": 20, "E[P2,t+1]": 20, "R[P2,t+1]": 2},
    }
    esa = IndicatorValue.objects.get(unit=world.esa_a1, indicator="enrolment", period=C, breakdown="")
    assert esa.source == {"used": [2, 2]}  # the returns of its two schools at t and at t+1
    longest = max(len(json.dumps(s)) for s in IndicatorValue.objects.values_list("source", flat=True))
    assert longest < 300


def test_the_joined_provenance_is_complete(world: World, computed: dict) -> None:
    returns, run = computed["returns"], IndicatorRun.objects.get()
    p6 = full(world.school_a1_1, "promotion_rate", "grade=P6")
    assert p6.source == {
        "run": run.pk,
        "census": {
            "t": {"round": C, "round_id": returns["a_t"].round_id, "returns": [returns["a_t"].pk]},
            "t+1": {
                "round": "2569/jun10",
                "round_id": returns["a_t1"].round_id,
                "returns": [returns["a_t1"].pk],
            },
        },
        "graduates": service.GRADUATES_SOURCE.format(year=2568),
        "formula": "G[g,t]/E[g,t]",
        "formula_version": service.FORMULA_VERSION,
        "inputs": {"E[P6,t]": 20, "G[P6,t]": 17},
    }
    ptr = full(world.esa_a1, "pupil_teacher_ratio")
    assert ptr.source["census"] == {"round": C, "round_id": returns["a_t"].round_id, "returns_used": 2}
    assert ptr.source["teachers"]["source"] == service.TEACHERS_SOURCE
    assert ptr.source["teachers"]["schools"] == 2
    assert ptr.source["formula"] == "pupils/teachers"
    attendance = full(world.school_a1_1, "attendance_rate")
    assert attendance.source["attendance"]["students"] == 5
    assert attendance.source["attendance"]["source"] == "attendance marks"
    gpi = full(world.school_a1_1, "gpi_enrolment", period=C)
    assert "not a GER-based GPI" in gpi.source["note"]
    # Readers that get a value another way still see the full record.
    raw = IndicatorValue.objects.get(pk=p6.pk)
    assert sel.published(raw, inside=True)["source"] == p6.source


def test_a_rerun_replaces_its_values_and_keeps_the_older_run_as_history(world: World, computed: dict) -> None:
    first = IndicatorRun.objects.get()
    written = IndicatorValue.objects.count()
    summary = indicators_compute(actor=SYSTEM, year_be=2568)
    assert IndicatorRun.objects.count() == 2
    second = IndicatorRun.objects.get(pk=summary.run_id or 0)
    assert (second.requested_by, second.counts["values_replaced"]) == ("system", written)
    assert IndicatorValue.objects.count() == written
    assert not IndicatorValue.objects.filter(run=first).exists()
    assert first.counts["values_written"] == written  # the history still says what it wrote


def test_a_new_formula_version_keeps_the_old_values_with_their_run(
    world: World, computed: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = IndicatorRun.objects.get()
    old = IndicatorValue.objects.count()
    monkeypatch.setattr(service, "FORMULA_VERSION", "uis-2099.1")
    summary = indicators_compute(actor=SYSTEM, year_be=2568)
    assert IndicatorValue.objects.filter(run=first, formula_version=first.formula_version).count() == old
    assert IndicatorValue.objects.filter(run_id=summary.run_id, formula_version="uis-2099.1").count() == old
    assert IndicatorRun.objects.get(pk=summary.run_id or 0).formula_version == "uis-2099.1"


def test_storing_is_one_delete_and_batched_inserts(world: World, computed: dict) -> None:
    with CaptureQueriesContext(connection) as queries:
        summary = indicators_compute(actor=SYSTEM, year_be=2568)
    table = IndicatorValue._meta.db_table
    sql = [q["sql"] for q in queries.captured_queries]
    deletes = [s for s in sql if s.startswith("DELETE FROM") and table in s.split(" WHERE ")[0]]
    assert len(deletes) == 1
    # One executemany (logged as "<n> times: INSERT …") on SQLite; on PostgreSQL one COPY on the
    # driver's cursor, which Django does not log, and no INSERT at all.
    inserts = [s for s in sql if f"INSERT INTO {table}" in s]
    assert len(inserts) == (0 if connection.vendor == "postgresql" else 1), [
        s[:80] for s in sql if table in s
    ]
    assert summary.values_written < service.BATCH


def test_a_failed_run_leaves_nothing_behind(
    world: World, computed: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = sorted(IndicatorValue.objects.values_list("pk", flat=True))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(service._Writer, "flush", broken)
    with pytest.raises(RuntimeError):
        indicators_compute(actor=SYSTEM, year_be=2568)
    assert sorted(IndicatorValue.objects.values_list("pk", flat=True)) == before
    assert IndicatorRun.objects.count() == 1


def test_runs_are_listed_newest_first_for_anyone_with_a_view(world: World, computed: dict) -> None:
    second = indicators_compute(actor=SYSTEM, year_be=2568)
    runs = list(sel.runs_for(actor_for(world.user("director_a1_1")), year_be=2568))
    assert [r.pk for r in runs] == [second.run_id, computed["summary"].run_id]
    assert list(sel.runs_for(actor_for(world.user("nobody")))) == []
