"""The national status board and the reporting burden: exact figures, scope, bounded queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from suksa.core.errors import PermissionDenied
from suksa.core.policy import SYSTEM
from suksa.domains.accounts.actors import actor_for
from suksa.domains.monitoring.models import (
    DataProblem,
    OutstandingWork,
    Report,
    ReportEditTime,
    ReportValue,
    Round,
)
from suksa.domains.monitoring.models.choices import ProblemStatus, ReportStatus, Verification
from suksa.domains.monitoring.selectors_status import (
    MISSING,
    burden,
    burden_by_round,
    current_round,
    review_queue,
    status_board,
)
from suksa.domains.monitoring.services.prefill import round_prefill
from suksa.domains.monitoring.tests.factories import make_framework, on, round_of
from tests.factories import World, make_unit

pytestmark = pytest.mark.django_db

TODAY = on("2026-11-21")  # the 12-month round of FY 2569 is due 30 Nov 2026 and locks 31 Dec 2026


def when(day: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00"))


def prefilled_round(code: str = "m12") -> Round:
    rnd = round_of(make_framework(2569), code)
    round_prefill(actor=SYSTEM, round=rnd)
    return rnd


def report(rnd: Round, esa: Any) -> Report:
    return Report.objects.get(round=rnd, esa=esa)


def add_work(r: Report, rank: int, verification: str) -> None:
    OutstandingWork.objects.create(
        report=r, rank=rank, title=f"ผลงาน {rank}", description="-", verification=verification
    )


def add_problem(r: Report, status: str = ProblemStatus.OPEN) -> None:
    value = ReportValue.objects.filter(report=r).first()
    assert value is not None
    DataProblem.objects.create(
        report=r, value=value, description="ค่าไม่ตรง", status=status, raised_by="x", raised_at=timezone.now()
    )


def board_world(world: World) -> Round:
    rnd = prefilled_round()
    a1, a2, b1 = report(rnd, world.esa_a1), report(rnd, world.esa_a2), report(rnd, world.esa_b1)
    Report.objects.filter(pk=a1.pk).update(
        status=ReportStatus.IN_REVIEW, submitted_at=when("2026-11-20"), reviewer=world.user("reviewer")
    )
    Report.objects.filter(pk=b1.pk).update(status=ReportStatus.RETURNED, submitted_at=when("2026-11-10"))
    add_work(a1, 1, Verification.VERIFIED)
    add_work(a1, 2, Verification.PARTLY)
    add_work(a1, 3, Verification.PENDING)
    add_problem(a2)
    add_problem(a2)
    add_problem(a2, ProblemStatus.RESOLVED)
    return rnd


def test_the_board_shows_where_every_report_stands(world: World) -> None:
    rnd = board_world(world)
    board = status_board(actor_for(world.user("me_officer")), rnd, today=TODAY)

    rows = {r.esa_code: r for r in board.rows}
    assert list(rows) == ["11201", "15001", "21201"]
    a1, b1, a2 = rows["11201"], rows["15001"], rows["21201"]
    assert (a1.status, a1.received, a1.late, a1.overdue, a1.days_to_due) == (
        ReportStatus.IN_REVIEW, True, False, False, None,
    )  # fmt: skip
    assert (a1.reviewer_name_th, a1.reviewer_name_en) == ("ทดสอบ reviewer", "Test reviewer")
    assert (a1.works, a1.works_checked, a1.works_verified) == (3, 2, 1)
    assert (a2.status, a2.days_to_due, a2.overdue, a2.open_problems) == (ReportStatus.DRAFT, 9, False, 2)
    assert (b1.status, b1.received, b1.region_code) == (ReportStatus.RETURNED, False, "R02")
    assert board.by_status == {
        MISSING: 0, "draft": 1, "returned": 1, "submitted": 0, "in_review": 1, "approved": 0, "locked": 0,
    }  # fmt: skip
    assert (board.expected, board.received, board.on_time, board.late, board.overdue) == (3, 1, 1, 0, 0)
    assert board.completeness == pytest.approx(1 / 3)
    assert (board.phase, board.days_to_due) == ("open", 9)
    regions = {r.code: r for r in board.by_region}
    assert (regions["R01"].expected, regions["R01"].received, regions["R01"].by_status["draft"]) == (2, 1, 1)
    assert (regions["R02"].expected, regions["R02"].received, regions["R02"].by_status["returned"]) == (
        1,
        0,
        1,
    )


def test_late_overdue_and_missing_after_the_due_date(world: World) -> None:
    rnd = board_world(world)
    Report.objects.filter(round=rnd, esa=world.esa_b1).update(
        status=ReportStatus.SUBMITTED, submitted_at=when("2026-12-02")
    )
    newcomer = make_unit("esa", "99901", "สำนักงานเขตพื้นที่การศึกษาใหม่", world.region_2, "New ESA")
    board = status_board(actor_for(world.user("executive")), rnd, today=on("2026-12-05"))
    rows = {r.esa_code: r for r in board.rows}
    assert (rows["15001"].late, rows["15001"].received) == (True, True)
    assert (rows["21201"].overdue, rows["21201"].days_to_due) == (True, -5)
    assert (rows[newcomer.code].status, rows[newcomer.code].report_id, rows[newcomer.code].overdue) == (
        MISSING, None, True,
    )  # fmt: skip
    assert (board.expected, board.received, board.on_time, board.late, board.overdue) == (4, 2, 1, 1, 2)
    assert board.timeliness == pytest.approx(1 / 4)
    assert board.phase == "overdue"


@pytest.mark.parametrize(
    ("persona", "codes"),
    [
        ("me_officer", ["11201", "15001", "21201"]),
        ("executive", ["11201", "15001", "21201"]),
        ("inspector_r1", ["11201", "21201"]),
        ("esa_director_a1", ["11201"]),
        ("esa_officer_b1", ["15001"]),
        ("reviewer", ["11201"]),  # the report assigned to them only
    ],
)
def test_the_board_shows_the_esas_in_scope(world: World, persona: str, codes: list[str]) -> None:
    rnd = board_world(world)
    board = status_board(actor_for(world.user(persona)), rnd, today=TODAY)
    assert [r.esa_code for r in board.rows] == codes


@pytest.mark.parametrize("persona", ["nobody", "director_a1_1", "teacher_a1_1", "sysadmin", "dpo"])
def test_the_board_is_refused_without_report_access(world: World, persona: str) -> None:
    rnd = board_world(world)
    with pytest.raises(PermissionDenied):
        status_board(actor_for(world.user(persona)), rnd, today=TODAY)


def test_the_board_runs_a_bounded_number_of_queries_for_245_esas(
    world: World, django_assert_max_num_queries: Any
) -> None:
    region = world.region_1
    for n in range(242):
        make_unit("esa", f"8{n:04d}", f"สำนักงานเขตพื้นที่การศึกษาทดสอบ {n}", region, f"Test ESA {n}")
    rnd = board_world(world)
    for r in Report.objects.filter(round=rnd).order_by("pk")[:200:3]:
        add_work(r, 4, Verification.VERIFIED)
        add_problem(r)
    Report.objects.filter(round=rnd, esa__code__startswith="8").update(reviewer=world.user("reviewer"))
    actor = actor_for(world.user("me_officer"))
    with django_assert_max_num_queries(5):
        board = status_board(actor, rnd, today=TODAY)
    assert board.expected == 245
    assert sum(board.by_status.values()) == 245


def test_burden_per_round_is_exact_and_compared_with_the_previous_round(world: World) -> None:
    m12 = prefilled_round("m12")
    m6 = round_of(m12.framework, "m6")
    round_prefill(actor=SYSTEM, round=m6)
    # The 6-month round was filled on the old paper-like form: everything asked, nothing pre-filled.
    Report.objects.filter(round=m6).update(fields_asked=37, fields_prefilled=0)
    director, officer = world.user("esa_director_a1"), world.user("esa_officer_a1")
    ReportEditTime.objects.create(
        report=report(m6, world.esa_a1), user=officer, day=on("2026-04-20"), seconds=3000
    )
    ReportEditTime.objects.create(
        report=report(m6, world.esa_b1), user=officer, day=on("2026-04-20"), seconds=4200
    )
    ReportEditTime.objects.create(
        report=report(m12, world.esa_a1), user=officer, day=on("2026-11-10"), seconds=600
    )
    ReportEditTime.objects.create(
        report=report(m12, world.esa_a1), user=director, day=on("2026-11-11"), seconds=300
    )
    ReportEditTime.objects.create(
        report=report(m12, world.esa_a2), user=officer, day=on("2026-11-12"), seconds=1500
    )
    ReportEditTime.objects.create(
        report=report(m12, world.esa_b1), user=officer, day=on("2026-11-12"), seconds=0
    )

    rows = burden_by_round()

    assert [r.key for r in rows] == ["2569/m6", "2569/m12"]
    old, new = rows
    assert (old.reports, old.fields_asked, old.fields_prefilled, old.prefilled_share) == (3, 111, 0, 0.0)
    assert (old.edited_reports, old.total_seconds, old.median_seconds, old.minutes_per_report) == (
        2,
        7200,
        3600.0,
        60.0,
    )
    assert old.previous_key is None
    assert old.change_minutes is None
    assert (new.reports, new.fields_asked, new.fields_prefilled) == (3, 45, 66)
    assert (new.asked_per_report, new.prefilled_per_report, new.paper_fields_per_report) == (15.0, 22.0, 37.0)
    assert new.prefilled_share == 66 / 111
    assert (new.edited_reports, new.total_seconds, new.median_seconds) == (2, 2400, 1200.0)
    assert (new.minutes_per_report, new.median_minutes, new.total_hours) == (20.0, 20.0, 2400 / 3600)
    assert new.previous_key == "2569/m6"
    assert new.change_minutes == -40.0
    assert new.change_minutes_share == -40 / 60
    assert new.change_prefilled_share == 66 / 111
    assert new.change_asked == 15.0 - 37.0
    assert burden(m12) == new


def test_burden_takes_three_queries_and_counts_only_prefilled_reports(
    world: World, django_assert_max_num_queries: Any
) -> None:
    rnd = prefilled_round()
    Report.objects.filter(round=rnd, esa=world.esa_b1).update(fields_asked=0, fields_prefilled=0)
    with django_assert_max_num_queries(3):
        row = burden(rnd)
    assert (row.reports, row.asked_per_report, row.edited_reports, row.minutes_per_report) == (
        2,
        15.0,
        0,
        None,
    )
    assert row.median_seconds is None


def test_the_review_queue(world: World) -> None:
    rnd = board_world(world)
    Report.objects.filter(round=rnd, esa=world.esa_a2).update(status=ReportStatus.SUBMITTED)
    assert [r.esa.code for r in review_queue(actor_for(world.user("reviewer")))] == ["11201"]
    bureau = actor_for(world.user("me_officer"))
    assert sorted(r.esa.code for r in review_queue(bureau)) == ["11201", "15001", "21201"]
    assert [r.esa.code for r in review_queue(bureau, status=ReportStatus.SUBMITTED)] == ["21201"]
    assert [r.esa.code for r in review_queue(bureau, status=ReportStatus.DRAFT)] == []
    for name in ("esa_director_a1", "executive", "nobody"):
        with pytest.raises(PermissionDenied):
            review_queue(actor_for(world.user(name)))


def test_the_current_round_is_the_open_one(world: World) -> None:
    fw = make_framework(2569)
    assert current_round(TODAY) == round_of(fw, "m12")
    assert current_round(on("2026-05-01")) == round_of(fw, "m6")
    assert current_round(on("2020-01-01")) == round_of(fw, "m6")
