"""The "deviance" stage: structural school groups and their positive deviants, from stored values."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from suksa.core.models import IndicatorValue, OrgUnit
from suksa.domains.insights.models import InsightRun, NarrativeDoc, SchoolDeviance, SchoolGroup
from suksa.domains.insights.models.choices import DataQuality, RunStatus
from suksa.domains.insights.services import stages  # noqa: F401  (registers the stages)
from suksa.domains.insights.services.run import run_round
from suksa.domains.insights.tests.conftest import TinyHistory, run_stages
from suksa.domains.insights.tests.objects_schools import any_round, onet_schools
from suksa.domains.monitoring.models import Report, Round
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import make_world

GROUP = "onet_mean_p6|primary|small|rural"


def _run_with_docs(rnd: Round, docs: list[tuple[OrgUnit, list[str], list[str]]]) -> InsightRun:
    """A run whose lessons stage is replaced by these docs (ESA, school codes, practice keys)."""
    run = InsightRun.objects.create(round=rnd)
    for esa, schools, practices in docs:
        report = Report.objects.filter(round=rnd, esa=esa).first() or Report.objects.create(
            round=rnd, esa=esa
        )
        NarrativeDoc.objects.create(
            run=run, esa=esa, report=report, source="narrative", round_key=rnd.key,
            schools=schools, practices=practices,
        )  # fmt: skip
    return run_round(run, only=["deviance"])


def test_a_planted_deviant_is_stored_with_its_evidence_and_a_typo_is_not(db: None) -> None:
    w = make_world()
    schools = onet_schools(w.esa_a1, 24, prefix="101201", deviant=5, typo=9)
    deviant, typo = schools[5], schools[9]
    rnd = any_round()
    run = _run_with_docs(
        rnd,
        [
            (w.esa_a1, [deviant.code], ["multigrade", "plc"]),
            (w.esa_a1, [typo.code, schools[1].code], ["plc"]),
        ],
    )
    assert run.status == RunStatus.DONE, run.error
    group = SchoolGroup.objects.get(run=run)
    assert group.key == GROUP
    assert (group.school_count, group.deviant_count) == (24, 1)
    assert group.definition["esa_ids"] == [w.esa_a1.pk]
    multigrade = next(p for p in group.shared["practices"] if p["key"] == "multigrade")
    assert (multigrade["deviants_share"], multigrade["others_share"], multigrade["lift"]) == (1.0, 0.0, None)
    plc = next(p for p in group.shared["practices"] if p["key"] == "plc")
    assert (plc["deviants_share"], plc["others_share"]) == (1.0, round(2 / 23, 4))
    assert group.shared["staffing"]["pupil_teacher_median"] == {"deviants": 16.0, "others": 16.0}
    assert [e["school"] for e in group.evidence] == [deviant.code]

    rows = {r.school_id: r for r in SchoolDeviance.objects.filter(run=run)}
    assert rows[deviant.pk].is_deviant
    assert typo.pk not in rows or not rows[typo.pk].is_deviant
    assert [r.school_id for r in rows.values() if r.is_deviant] == [deviant.pk]
    row = rows[deviant.pk]
    assert row.years == 6
    assert abs(row.residual - (8.0 - 2.5 + 5.0 * 5 / 23)) < 0.3  # the boost on top of its own level
    assert row.quality == DataQuality.OK
    assert row.esa_id == w.esa_a1.pk
    first_doc = NarrativeDoc.objects.filter(run=run).order_by("pk").first()
    assert first_doc is not None
    assert [n["doc_id"] for n in row.named_in] == [first_doc.pk]
    # Every yearly value is traced to the stored IndicatorValue it came from.
    ids = [y["source"]["id"] for y in row.data["yearly"]]
    stored = dict(IndicatorValue.objects.filter(pk__in=ids).values_list("pk", "period"))
    assert [stored[i] for i in ids] == [y["period"] for y in row.data["yearly"]]
    assert row.data["se"] == round(15.0 / 20**0.5 / 6**0.5, 4)


def test_only_years_known_by_the_round_end_are_used(db: None) -> None:
    w = make_world()
    schools = onet_schools(w.esa_a1, 24, prefix="101201", deviant=5)
    closed = round_of(make_framework(2568))  # ends 30 Sep 2025: AY 2568 results are not out yet
    run = _run_with_docs(closed, [])
    row = SchoolDeviance.objects.get(run=run, school=schools[5])
    assert row.years == 5
    assert [y["period"] for y in row.data["yearly"]] == ["2563", "2564", "2565", "2566", "2567"]


def test_a_group_too_small_stores_nothing_and_says_so(db: None) -> None:
    w = make_world()
    onet_schools(w.esa_a1, 6, prefix="101201", deviant=2)
    run = _run_with_docs(any_round(), [])
    assert run.status == RunStatus.DONE
    assert run.stages["deviance"]["counts"]["groups"] == 0
    assert run.stages["deviance"]["counts"]["schools_scored"] == 0
    assert not SchoolDeviance.objects.filter(run=run).exists()


def test_the_stage_is_idempotent_and_its_queries_do_not_grow_with_schools(db: None) -> None:
    w = make_world()
    onet_schools(w.esa_a1, 12, prefix="101201", deviant=3)
    rnd = any_round()
    with CaptureQueriesContext(connection) as small:
        run = _run_with_docs(rnd, [])
    onet_schools(w.esa_b1, 40, prefix="105001", deviant=7)
    with CaptureQueriesContext(connection) as large:
        run2 = _run_with_docs(rnd, [])
    assert len(large.captured_queries) <= len(small.captured_queries) + 2  # one more group row batch
    assert SchoolDeviance.objects.filter(run=run2, is_deviant=True).count() == 2
    run2.stages.pop("deviance")
    run2.save(update_fields=["stages"])
    run_round(run2, only=["deviance"])
    assert SchoolDeviance.objects.filter(run=run2, is_deviant=True).count() == 2
    assert SchoolGroup.objects.filter(run=run2).count() == 1
    assert SchoolGroup.objects.filter(run=run).count() == 1


def test_the_tiny_demo_groups_its_schools_and_keeps_the_claimed_decoy_out(tiny_history: TinyHistory) -> None:
    run = run_stages(tiny_history.current, only=["deviance"])
    counts = run.stages["deviance"]["counts"]
    assert run.status == RunStatus.DONE, run.error
    assert counts["schools_scored"] == 60  # tested school × test pairs in groups of 10 or more
    groups = SchoolGroup.objects.filter(run=run)
    assert groups.count() == counts["groups"] >= 3
    assert all(g.school_count >= 10 for g in groups)
    rows = SchoolDeviance.objects.filter(run=run)
    assert all(r.is_deviant or r.data["level_z"] >= 2.0 for r in rows)
    # A school an ESA presents as a model although it is not one (the planted claim) is no deviant.
    assert not rows.filter(school__code="1042010006", is_deviant=True).exists()
