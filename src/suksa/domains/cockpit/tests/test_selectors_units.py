"""The unit dashboards' read model: which figures, sub-units and panels each actor gets, the
schools-at-risk rule, the report's lateness, and a query count that does not grow with schools."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from suksa.core.models import School
from suksa.core.policy import Actor
from suksa.domains.accounts.actors import actor_for
from suksa.domains.cockpit import selectors_units as sel
from suksa.domains.cockpit.models import Figure, Level
from suksa.domains.cockpit.selectors import cockpit_state
from suksa.domains.cockpit.tests.objects_cockpit import cockpit_world, make_figure
from suksa.domains.insights.models import Alert, InsightRun, SchoolDeviance, SchoolGroup, WorkCheck
from suksa.domains.monitoring.models import OutstandingWork, Report
from tests.factories import World, make_school

pytestmark = pytest.mark.django_db


def actor(world: World, name: str) -> Actor:
    return actor_for(world.user(name))


@pytest.fixture
def run(world: World) -> InsightRun:
    return cockpit_world(world)


def test_esa_board_has_its_lineage_subunits_and_key_figures(world: World, run: InsightRun) -> None:
    board = sel.unit_dashboard(actor(world, "esa_director_a1"), world.esa_a1, None, "")
    assert board.level == "esa"
    assert [u.code for u in board.chain] == ["OBEC", "R01"]
    assert board.indicator == "dropout_rate"  # the run's first key indicator the ESA has
    assert board.key_codes == ["dropout_rate"]
    assert {role: f.value for role, f in board.lineage.items()} == {"unit": 1.2, "parent": 1.5, "nation": 1.5}
    assert [s.unit.code for s in board.subunits] == ["1012000001", "1012000002"]
    assert all(s.figure is None for s in board.subunits)  # schools hold no dropout figure
    onet = sel.unit_dashboard(actor(world, "esa_director_a1"), world.esa_a1, None, "onet_mean_p6")
    assert [(s.unit.code, s.figure.value if s.figure else None) for s in onet.subunits] == [
        ("1012000001", 38.5),
        ("1012000002", 38.5),
    ]
    assert onet.lineage["nation"].value == 41.0
    assert "parent" not in onet.lineage  # the region holds no O-NET figure in this world


def test_region_board_lists_only_the_esas_in_scope(world: World, run: InsightRun) -> None:
    mine = sel.unit_dashboard(actor(world, "esa_director_a1"), world.region_1, None, "")
    assert [s.unit.code for s in mine.subunits] == [world.esa_a1.code]
    assert [f.unit_id for f in mine.region_peers] == [world.region_1.pk]
    full = sel.unit_dashboard(actor(world, "executive"), world.region_1, None, "")
    assert [s.unit.code for s in full.subunits] == [world.esa_a1.code, world.esa_a2.code]
    assert [s.figure.value for s in full.subunits if s.figure] == [1.2, 2.1]
    assert [f.unit_id for f in full.region_peers] == [world.region_1.pk, world.region_2.pk]


def test_school_board_falls_back_to_a_school_indicator(world: World, run: InsightRun) -> None:
    board = sel.unit_dashboard(actor(world, "executive"), world.school_a1_2, None, "dropout_rate")
    assert board.indicator == "onet_mean_p6"
    assert board.school is not None
    assert board.school.student_count == 430
    assert {role: f.value for role, f in board.lineage.items()} == {"unit": 38.5, "nation": 41.0}
    assert board.subunits == []


def test_unknown_indicator_is_invalid_input(world: World, run: InsightRun) -> None:
    from suksa.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as info:
        sel.unit_dashboard(actor(world, "executive"), world.esa_a1, None, "no_such_code")
    assert info.value.problems[0].field == "indicator"


def _group(run: InsightRun) -> SchoolGroup:
    return SchoolGroup.objects.create(run=run, key="onet_mean_p6|primary|small|rural", name_th="กลุ่มเล็ก",
                                      name_en="Small", definition={}, school_count=10)  # fmt: skip


def test_schools_at_risk_rule(world: World, run: InsightRun) -> None:
    # School A1-1: O-NET fell 6 points in a year; and below its group's expected score (z −2.0).
    figure = run_figure(run, world.school_a1_1.pk)
    figure.change, figure.improvement, figure.arrow, figure.significant = -6.0, -6.0, "flat", False
    figure.save()
    SchoolDeviance.objects.create(run=run, group=_group(run), school=world.school_a1_1, esa=world.esa_a1,
                                  indicator="onet_mean_p6", observed=38.5, expected=42.5, residual=-4.0, z=-2.0,
                                  years=3)  # fmt: skip
    # School A1-2: 430 learners and 10 teachers (43 per teacher).
    School.objects.filter(unit=world.school_a1_2).update(teacher_count=10)
    # A third school with learners and no teacher; a fourth falling significantly.
    make_school("1012000003", "โรงเรียนไม่มีครู", world.esa_a1, students=30, teachers=0)
    falling = make_school("1012000004", "โรงเรียนคะแนนลด", world.esa_a1, students=200, teachers=12)
    make_figure(run, Level.SCHOOL, unit=falling, parent=world.esa_a1, indicator="onet_mean_p6", value=35.0,
                arrow="down", significant=True, change=-1.0, improvement=-1.0)  # fmt: skip
    board = sel.unit_dashboard(actor(world, "esa_director_a1"), world.esa_a1, None, "")
    got = {r.school.code: [(x.kind, x.th) for x in r.reasons] for r in board.at_risk}
    assert got == {
        "1012000001": [
            ("below_expected", "คะแนนเฉลี่ย O-NET ป.6 ต่ำกว่าค่าที่คาดของกลุ่มโรงเรียน 4.0 คะแนน (z = -2.0)"),
            ("falling", "คะแนนเฉลี่ย O-NET ป.6 ลดลง 6.0 คะแนนจากปี 2567 (2568)"),
        ],
        "1012000002": [("ptr", "นักเรียนต่อครู 43.0 คน (เกิน 40)")],
        "1012000003": [("no_teacher", "มีนักเรียนแต่ไม่มีครู")],
        "1012000004": [("falling", "คะแนนเฉลี่ย O-NET ป.6 ลดลงอย่างมีนัยสำคัญทางสถิติ")],
    }


def run_figure(run: InsightRun, unit_id: int) -> Figure:
    return Figure.objects.get(run=run, unit_id=unit_id, indicator="onet_mean_p6")


def test_report_state_says_late_by_the_due_date(world: World, run: InsightRun) -> None:
    state = cockpit_state(None)
    assert state.round is not None
    due = state.round.due_on
    a = actor(world, "esa_director_a1")
    none_yet = sel.report_state(a, world.esa_a1, state, today=due + dt.timedelta(days=1))
    assert (none_yet.report, none_yet.submitted, none_yet.late, none_yet.can_open) == (
        None,
        False,
        True,
        False,
    )
    report = Report.objects.create(round=state.round, esa=world.esa_a1)
    draft = sel.report_state(a, world.esa_a1, state, today=due)
    assert (draft.submitted, draft.late, draft.can_open) == (False, False, True)
    when = timezone.make_aware(dt.datetime.combine(due + dt.timedelta(days=2), dt.time(10)))
    Report.objects.filter(pk=report.pk).update(status="submitted", submitted_at=when)
    late = sel.report_state(a, world.esa_a1, state)
    assert (late.submitted, late.late, late.submitted_at) == (True, True, when)
    inspector_b = sel.report_state(actor(world, "me_officer"), world.esa_a1, state)
    assert inspector_b.can_open


def test_verified_works_carry_their_check(world: World, run: InsightRun) -> None:
    state = cockpit_state(None)
    assert state.round is not None
    report = Report.objects.create(round=state.round, esa=world.esa_a1)
    w1 = OutstandingWork.objects.create(report=report, rank=2, title="ห้องเรียนคุณภาพ", description="x",
                                        verification="verified")  # fmt: skip
    w2 = OutstandingWork.objects.create(report=report, rank=1, title="ครูพี่เลี้ยง", description="x",
                                        verification="verified")  # fmt: skip
    OutstandingWork.objects.create(report=report, rank=3, title="รอตรวจ", description="x")
    check = WorkCheck.objects.create(run=run, work=w1, esa=world.esa_a1, verdict="supported")
    rows, others = sel.verified_works(world.esa_a1, state)
    assert [(r.work.pk, r.check) for r in rows] == [(w2.pk, None), (w1.pk, check)]
    assert others == 1


def test_open_alerts_count_and_top_by_severity(world: World, run: InsightRun) -> None:
    state = cockpit_state(None)
    assert state.round is not None
    made = []
    for i, (unit, severity, status) in enumerate(
        [
            (world.esa_a1, "low", "new"),
            (world.school_a1_1, "high", "acknowledged"),
            (world.esa_a1, "medium", "resolved"),
            (world.esa_b1, "high", "new"),
        ]
    ):
        made.append(Alert.objects.create(round=state.round, unit=unit, kind="below_target", indicator=f"i{i}",
                                         severity=severity, status=status, title_th=f"แจ้ง {i}", title_en=f"A {i}"))  # fmt: skip
    panel = sel.open_alerts(actor(world, "esa_director_a1"), world.esa_a1, state)
    assert panel.open_count == 2
    assert [a.pk for a in panel.top] == [made[1].pk, made[0].pk]


def _esa_queries(world: World, n: int) -> int:
    a = actor(world, "esa_director_a1")
    with CaptureQueriesContext(connection) as ctx:
        sel.unit_dashboard(a, world.esa_a1, None, "onet_mean_p6")
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_schools(world: World, run: InsightRun) -> None:
    def add(k: int, start: int) -> None:
        for j in range(start, start + k):
            s = make_school(f"10120009{j:02d}", f"โรงเรียน {j}", world.esa_a1, students=50, teachers=2)
            make_figure(
                run, Level.SCHOOL, unit=s, parent=world.esa_a1, indicator="onet_mean_p6", value=30.0 + j
            )

    add(3, 0)
    few = _esa_queries(world, 5)
    add(6, 3)
    many = _esa_queries(world, 11)
    assert few == many
