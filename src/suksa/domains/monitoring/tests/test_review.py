"""The review workflow: draft → submitted → in review → returned / approved → locked → amended.

Every refusal is bilingual and changes nothing (the report, its reviews, scores, comments,
amendments and the audit log are compared before and after).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from suksa.core.dates import format_be
from suksa.core.errors import Conflict, InvalidInput, NotFoundOrNoAccess, PermissionDenied, SuksaError
from suksa.core.models import AuditEntry
from suksa.core.policy import SYSTEM, Actor, Role
from suksa.domains.accounts.actors import actor_for
from suksa.domains.monitoring.models import (
    Amendment,
    ItemComment,
    NarrativeEntry,
    OutstandingWork,
    Report,
    ReportValue,
    Review,
    Round,
    StandardScore,
)
from suksa.domains.monitoring.models.choices import Decision, ReportStatus, Verification
from suksa.domains.monitoring.selectors_status import report_amendments
from suksa.domains.monitoring.services import review as svc
from suksa.domains.monitoring.services.locking import today
from suksa.domains.monitoring.services.prefill import round_prefill
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db

QUALITY = "suksa.domains.monitoring.services.quality"
QUALITY_WAIT = "services.quality.report_check is another slice's; this test runs once it is integrated"

REPORTED = {
    "supervision_coverage": 82.0,
    "teacher_pd_hours": 36.0,
    "action_plan_completion": 74.0,
    "children_returned": 12.0,
    "stakeholder_satisfaction": 88.5,
    "sar_submission_rate": 96.0,
}
NARRATIVE = (
    "สำนักงานเขตพื้นที่การศึกษาวางแผนการนิเทศร่วมกับโรงเรียนทุกแห่ง ติดตามผลทุกเดือน และปรับแผนตามข้อมูลการมาเรียน "
    "ผลคือโรงเรียนขนาดเล็กได้รับการสนับสนุนครูและสื่อการสอนครบถ้วนภายในภาคเรียนแรก"
)


# --- builders ------------------------------------------------------------------------------------


def as_(world: World, name: str) -> Actor:
    return actor_for(world.user(name))


def open_round(*, opens: int = -10, due: int = 10, locks: int = 40) -> Round:
    """The 12-month round of FY 2569, pre-filled for every ESA, with dates around today."""
    fw = make_framework(2569)
    rnd = round_of(fw, "m12")
    t = today()
    Round.objects.filter(pk=rnd.pk).update(
        opens_on=t + dt.timedelta(days=opens),
        due_on=t + dt.timedelta(days=due),
        locks_on=t + dt.timedelta(days=locks),
    )
    round_prefill(actor=SYSTEM, round=rnd)
    rnd.refresh_from_db()
    return rnd


def report_of(rnd: Round, world: World, esa: str = "esa_a1") -> Report:
    return Report.objects.select_related("round", "esa").get(round=rnd, esa=getattr(world, esa))


def fill_clean(report: Report) -> None:
    """What an ESA would have typed: every reported value, a comment on every value, narratives."""
    for code, value in REPORTED.items():
        ReportValue.objects.filter(report=report, indicator__code=code).update(value=value)
    ReportValue.objects.filter(report=report).update(comment="ตรวจสอบกับเอกสารต้นฉบับแล้ว")
    NarrativeEntry.objects.filter(report=report).update(text=NARRATIVE)


def set_status(report: Report, status: str, *, reviewer: Any = None) -> Report:
    """Put a report in a state directly (fixture construction), with an open review when in review."""
    Report.objects.filter(pk=report.pk).update(status=status, reviewer=reviewer)
    if status == ReportStatus.IN_REVIEW:
        Review.objects.create(report=report, reviewer=reviewer, started_at=dt.datetime.now(dt.UTC))
    report.refresh_from_db()
    return report


def add_work(report: Report, rank: int = 1, verification: str = Verification.PENDING) -> OutstandingWork:
    return OutstandingWork.objects.create(
        report=report,
        rank=rank,
        title=f"ห้องเรียนคุณภาพ {rank}",
        description="โครงการพัฒนาห้องเรียนคุณภาพในโรงเรียนขนาดเล็ก",
        verification=verification,
    )


def score_all(actor: Actor, report: Report, score: int = 3) -> None:
    for code in ("1", "2", "3"):
        svc.score_set(actor=actor, report_id=report.pk, standard_code=code, score=score, comment="ดี")


def snapshot(report: Report) -> dict[str, Any]:
    r = Report.objects.get(pk=report.pk)
    return {
        "report": (
            r.status, r.lock_version, r.submitted_at, r.submitted_by_id, r.approved_at, r.locked_at,
            r.returned_reason, r.reviewer_id,
        ),
        "reviews": list(Review.objects.filter(report=r).values_list("pk", "decision", "reasons")),
        "scores": list(StandardScore.objects.filter(review__report=r).values_list("pk", "score", "comment")),
        "comments": ItemComment.objects.filter(review__report=r).count(),
        "amendments": Amendment.objects.filter(report=r).count(),
        "values": list(ReportValue.objects.filter(report=r).values_list("pk", "value", "comment")),
        "narratives": list(NarrativeEntry.objects.filter(report=r).values_list("pk", "text")),
        "works": list(OutstandingWork.objects.filter(report=r).values_list("pk", "title", "verification")),
        "audit": AuditEntry.objects.count(),
    }  # fmt: skip


def refused(
    report: Report, call: Callable[[], Any], error: type[SuksaError] = InvalidInput, code: str | None = None
) -> SuksaError:
    before = snapshot(report)
    with pytest.raises(error) as info:
        call()
    assert snapshot(report) == before
    if code is not None:
        assert code in [p.code for p in info.value.problems]
    for p in info.value.problems:
        assert p.th
        assert p.en
        assert p.th != p.en
    return info.value


# --- the whole workflow --------------------------------------------------------------------------


def test_the_whole_workflow_from_draft_to_amended(world: World) -> None:
    pytest.importorskip(QUALITY, reason=QUALITY_WAIT)
    from suksa.domains.monitoring.services.works import work_verify

    rnd = open_round()
    report = report_of(rnd, world)
    fill_clean(report)
    work = add_work(report)
    director, reviewer, bureau = (
        as_(world, "esa_director_a1"),
        as_(world, "reviewer"),
        as_(world, "me_officer"),
    )

    submitted = svc.report_submit(actor=director, report_id=report.pk, expected_version=0)
    assert (submitted.status, submitted.lock_version) == (ReportStatus.SUBMITTED, 1)
    assert submitted.submitted_by_id == world.user("esa_director_a1").pk
    assert svc.submitted_late(submitted) is False

    assert (
        svc.reviewer_assign(actor=bureau, report_ids=[report.pk], reviewer_user_id=world.user("reviewer").pk)
        == 1
    )
    first = svc.review_start(actor=reviewer, report_id=report.pk)
    svc.score_set(actor=reviewer, report_id=report.pk, standard_code="1", score=2, comment="ยังขาดหลักฐาน")
    value = ReportValue.objects.get(report=report, indicator__code="supervision_coverage")
    svc.item_comment_add(
        actor=reviewer, report_id=report.pk, target_kind="value", target_id=value.pk, comment="ขอเอกสารประกอบ"
    )
    returned = svc.report_return(actor=reviewer, report_id=report.pk, reasons="กรุณาแนบหลักฐานการนิเทศ")
    assert returned.status == ReportStatus.RETURNED
    assert returned.returned_reason == "กรุณาแนบหลักฐานการนิเทศ"
    first.refresh_from_db()
    assert (first.decision, first.reasons) == (Decision.RETURNED, "กรุณาแนบหลักฐานการนิเทศ")

    again = svc.report_submit(actor=director, report_id=report.pk, expected_version=returned.lock_version)
    assert again.status == ReportStatus.SUBMITTED
    second = svc.review_start(actor=reviewer, report_id=report.pk)
    assert second.pk != first.pk
    score_all(reviewer, report, 4)
    work_verify(actor=reviewer, work_id=work.pk, verification=Verification.VERIFIED, note="")
    approved = svc.report_approve(actor=reviewer, report_id=report.pk)
    assert approved.status == ReportStatus.APPROVED
    assert approved.approved_at is not None
    second.refresh_from_db()
    assert second.decision == Decision.APPROVED
    # The first review's scores stay with it: the second review was scored afresh.
    assert list(first.scores.values_list("standard__code", "score")) == [("1", 2)]
    assert sorted(second.scores.values_list("standard__code", "score")) == [("1", 4), ("2", 4), ("3", 4)]

    result = svc.report_lock(actor=bureau, round_id=rnd.pk)
    assert (result.locked, result.report_ids) == (1, [report.pk])
    assert result.not_approved == {ReportStatus.DRAFT: 2}
    report.refresh_from_db()
    assert report.status == ReportStatus.LOCKED

    amendment = svc.report_amend(
        actor=bureau, report_id=report.pk, target_kind="value", target_id=value.pk, field="value",
        new_value="84.5", reason="สพท. แจ้งแก้ไขตามหนังสือที่ ศธ 04001/123",
    )  # fmt: skip
    value.refresh_from_db()
    assert value.value == 84.5
    assert (amendment.old_value, amendment.new_value) == ("82", "84.5")
    assert report_amendments(report) == [amendment]
    actions = list(
        AuditEntry.objects.filter(object_type="monitoring.report", object_id=str(report.pk))
        .order_by("pk")
        .values_list("object_repr", flat=True)
    )
    assert [a.split(" ")[0] for a in actions] == [
        "submit", "review", "return", "submit", "review", "approve", "amend",
    ]  # fmt: skip


def test_the_review_workflow_from_submitted_without_the_quality_module(world: World) -> None:
    """The same path after submission, built directly so it runs whatever the quality slice's state."""
    rnd = open_round()
    report = set_status(report_of(rnd, world), ReportStatus.SUBMITTED)
    reviewer, bureau = as_(world, "reviewer"), as_(world, "me_officer")
    svc.reviewer_assign(actor=bureau, report_ids=[report.pk], reviewer_user_id=world.user("reviewer").pk)

    review = svc.review_start(actor=reviewer, report_id=report.pk)
    report.refresh_from_db()
    assert (report.status, report.lock_version, review.reviewer_id) == (
        ReportStatus.IN_REVIEW, 1, world.user("reviewer").pk,
    )  # fmt: skip
    score_all(reviewer, report)
    svc.item_comment_add(
        actor=reviewer, report_id=report.pk, target_kind="general", target_id=None, comment="ดี"
    )
    svc.report_approve(actor=reviewer, report_id=report.pk)
    svc.report_lock(actor=bureau, report_ids=[report.pk])
    report.refresh_from_db()
    assert (report.status, report.lock_version) == (ReportStatus.LOCKED, 3)
    assert report.locked_at is not None
    review.refresh_from_db()
    assert review.decision == Decision.APPROVED
    assert review.comments.get().target_kind == "general"


# --- submission ----------------------------------------------------------------------------------


def test_only_the_director_submits(world: World) -> None:
    rnd = open_round()
    report = report_of(rnd, world)
    fill_clean(report)
    for name in ("esa_officer_a1", "executive", "me_officer", "inspector_r1"):
        refused(
            report,
            partial(svc.report_submit, actor=as_(world, name), report_id=report.pk, expected_version=0),
            PermissionDenied,
        )
    for name in ("esa_officer_b1", "reviewer", "nobody", "director_a1_1"):
        refused(
            report,
            partial(svc.report_submit, actor=as_(world, name), report_id=report.pk, expected_version=0),
            NotFoundOrNoAccess,
        )


def test_a_submission_after_the_lock_date_is_refused_naming_the_date(world: World) -> None:
    rnd = open_round(opens=-60, due=-30, locks=-1)
    report = report_of(rnd, world)
    error = refused(
        report,
        lambda: svc.report_submit(
            actor=as_(world, "esa_director_a1"), report_id=report.pk, expected_version=0
        ),
        code="round_locked",
    )
    lock = today() - dt.timedelta(days=1)
    assert format_be(lock, "th") in error.problems[0].th
    assert format_be(lock, "en") in error.problems[0].en
    assert str(lock.year + 543) in error.problems[0].th


def test_a_submission_before_the_round_opens_is_refused(world: World) -> None:
    rnd = open_round(opens=3, due=30, locks=60)
    report = report_of(rnd, world)
    error = refused(
        report,
        lambda: svc.report_submit(
            actor=as_(world, "esa_director_a1"), report_id=report.pk, expected_version=0
        ),
        code="round_not_open",
    )
    assert format_be(today() + dt.timedelta(days=3), "th") in error.problems[0].th


def test_a_stale_version_is_a_conflict(world: World) -> None:
    rnd = open_round()
    report = report_of(rnd, world)
    Report.objects.filter(pk=report.pk).update(lock_version=4)
    error = refused(
        report,
        lambda: svc.report_submit(
            actor=as_(world, "esa_director_a1"), report_id=report.pk, expected_version=3
        ),
        Conflict,
        code="stale_report",
    )
    assert getattr(error, "current", None) == 4


def test_a_late_submission_is_accepted_and_marked_late(world: World) -> None:
    pytest.importorskip(QUALITY, reason=QUALITY_WAIT)
    rnd = open_round(opens=-40, due=-2, locks=20)
    report = report_of(rnd, world)
    fill_clean(report)
    done = svc.report_submit(actor=as_(world, "esa_director_a1"), report_id=report.pk, expected_version=0)
    assert done.status == ReportStatus.SUBMITTED
    assert svc.submitted_late(done) is True
    entry = AuditEntry.objects.get(object_type="monitoring.report", object_id=str(report.pk))
    assert entry.changes["late"] is True


def test_a_submission_with_quality_issues_lists_each_and_changes_nothing(world: World) -> None:
    quality = pytest.importorskip(QUALITY, reason=QUALITY_WAIT)
    rnd = open_round()
    report = report_of(rnd, world)  # nothing filled: required values and narratives are missing
    ReportValue.objects.filter(report=report, indicator__code="teacher_pd_hours").update(
        value=150.0, comment=""
    )
    expected = quality.report_check(Report.objects.get(pk=report.pk))
    assert expected.blocking
    error = refused(
        report,
        lambda: svc.report_submit(
            actor=as_(world, "esa_director_a1"), report_id=report.pk, expected_version=0
        ),
        code="quality_not_passed",
    )
    codes = [p.code for p in error.problems]
    assert codes == ["quality_not_passed"] + [i.code for i in expected.blocking] + [
        i.code for i in expected.uncommented_warnings
    ]
    assert any(p.field == "supervision_coverage" for p in error.problems[1:])


def test_a_returned_report_can_be_submitted_again(world: World) -> None:
    pytest.importorskip(QUALITY, reason=QUALITY_WAIT)
    rnd = open_round()
    report = set_status(report_of(rnd, world), ReportStatus.RETURNED)
    fill_clean(report)
    done = svc.report_submit(actor=as_(world, "esa_director_a1"), report_id=report.pk, expected_version=0)
    assert done.status == ReportStatus.SUBMITTED


# --- every illegal transition --------------------------------------------------------------------

ACTIONS: dict[str, tuple[str, ...]] = {
    # action: the states it is legal from
    "submit": (ReportStatus.DRAFT, ReportStatus.RETURNED),
    "start": (ReportStatus.SUBMITTED,),
    "score": (ReportStatus.IN_REVIEW,),
    "comment": (ReportStatus.IN_REVIEW,),
    "return": (ReportStatus.IN_REVIEW,),
    "approve": (ReportStatus.IN_REVIEW,),
    "lock": (ReportStatus.APPROVED,),
    "amend": (ReportStatus.LOCKED,),
}
ILLEGAL = [(a, s) for a, legal in ACTIONS.items() for s in ReportStatus.values if s not in legal]


def _act(world: World, action: str, report: Report) -> Callable[[], Any]:
    reviewer, bureau = as_(world, "reviewer"), as_(world, "me_officer")
    value = ReportValue.objects.filter(report=report, indicator__code="teacher_pd_hours").get()
    return {
        "submit": lambda: svc.report_submit(
            actor=as_(world, "esa_director_a1"), report_id=report.pk, expected_version=report.lock_version
        ),
        "start": lambda: svc.review_start(actor=reviewer, report_id=report.pk),
        "score": lambda: svc.score_set(actor=reviewer, report_id=report.pk, standard_code="1", score=3),
        "comment": lambda: svc.item_comment_add(
            actor=reviewer, report_id=report.pk, target_kind="general", target_id=None, comment="ok"
        ),
        "return": lambda: svc.report_return(actor=reviewer, report_id=report.pk, reasons="แก้ไข"),
        "approve": lambda: svc.report_approve(actor=reviewer, report_id=report.pk),
        "lock": lambda: svc.report_lock(actor=bureau, report_ids=[report.pk]),
        "amend": lambda: svc.report_amend(
            actor=bureau,
            report_id=report.pk,
            target_kind="value",
            target_id=value.pk,
            field="value",
            new_value="10",
            reason="แก้ไข",
        ),
    }[action]


@pytest.mark.parametrize(("action", "status"), ILLEGAL)
def test_every_illegal_transition_is_refused_and_changes_nothing(
    world: World, action: str, status: str
) -> None:
    rnd = open_round()
    report = set_status(report_of(rnd, world), status, reviewer=world.user("reviewer"))
    error = refused(report, _act(world, action, report), code="illegal_transition")
    th_label, en_label = ReportStatus(status).label.split(" / ")
    assert th_label in error.problems[0].th
    assert en_label.lower() in error.problems[0].en


def test_the_illegal_transitions_cover_every_action_and_state() -> None:
    assert len(ILLEGAL) == sum(len(ReportStatus.values) - len(legal) for legal in ACTIONS.values()) == 39


# --- assignment and who reviews ------------------------------------------------------------------


def test_a_reviewer_sees_only_the_reports_assigned_to_them(world: World) -> None:
    rnd = open_round()
    a1 = set_status(report_of(rnd, world), ReportStatus.SUBMITTED)
    b1 = set_status(report_of(rnd, world, "esa_b1"), ReportStatus.SUBMITTED)
    reviewer = as_(world, "reviewer")
    refused(a1, lambda: svc.review_start(actor=reviewer, report_id=a1.pk), NotFoundOrNoAccess)

    svc.reviewer_assign(
        actor=as_(world, "me_officer"), report_ids=[a1.pk], reviewer_user_id=world.user("reviewer").pk
    )
    svc.review_start(actor=reviewer, report_id=a1.pk)
    refused(b1, lambda: svc.review_start(actor=reviewer, report_id=b1.pk), NotFoundOrNoAccess)
    refused(
        b1,
        lambda: svc.score_set(actor=reviewer, report_id=b1.pk, standard_code="1", score=3),
        NotFoundOrNoAccess,
    )


def test_esa_staff_and_executives_do_not_review(world: World) -> None:
    rnd = open_round()
    report = set_status(report_of(rnd, world), ReportStatus.SUBMITTED)
    for name in ("esa_director_a1", "esa_officer_a1", "executive", "inspector_r1"):
        refused(
            report,
            partial(svc.review_start, actor=as_(world, name), report_id=report.pk),
            PermissionDenied,
        )


def test_an_me_officer_may_take_an_unassigned_report(world: World) -> None:
    rnd = open_round()
    report = set_status(report_of(rnd, world), ReportStatus.SUBMITTED)
    svc.review_start(actor=as_(world, "me_officer"), report_id=report.pk)
    report.refresh_from_db()
    assert report.reviewer_id == world.user("me_officer").pk


def test_assignment_is_bulk_checked_and_audited_once(world: World) -> None:
    rnd = open_round()
    reports = [report_of(rnd, world, e) for e in ("esa_a1", "esa_a2", "esa_b1")]
    bureau = as_(world, "me_officer")
    before = AuditEntry.objects.count()
    n = svc.reviewer_assign(
        actor=bureau, report_ids=[r.pk for r in reports], reviewer_user_id=world.user("reviewer").pk
    )
    assert n == 3
    assert set(Report.objects.filter(round=rnd).values_list("reviewer__username", flat=True)) == {"reviewer"}
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("pk")
    assert entry.changes["reports"] == sorted(r.pk for r in reports)


def test_a_reviewer_must_cover_every_esa_assigned(world: World) -> None:
    rnd = open_round()
    a1, b1 = report_of(rnd, world), report_of(rnd, world, "esa_b1")
    r2 = make_user("reviewer_r2", Role.ME_REVIEWER, world.region_2)
    bureau = as_(world, "me_officer")
    refused(
        a1,
        lambda: svc.reviewer_assign(actor=bureau, report_ids=[a1.pk, b1.pk], reviewer_user_id=r2.pk),
        code="reviewer_out_of_scope",
    )
    assert Report.objects.get(pk=b1.pk).reviewer_id is None
    svc.reviewer_assign(actor=bureau, report_ids=[b1.pk], reviewer_user_id=r2.pk)
    refused(
        a1,
        lambda: svc.reviewer_assign(
            actor=bureau, report_ids=[a1.pk], reviewer_user_id=world.user("esa_officer_a1").pk
        ),
        code="not_a_reviewer",
    )
    for name in ("reviewer", "esa_director_a1", "executive"):
        refused(
            a1,
            partial(
                svc.reviewer_assign,
                actor=as_(world, name),
                report_ids=[a1.pk],
                reviewer_user_id=world.user("reviewer").pk,
            ),
            PermissionDenied,
        )
    refused(
        a1,
        lambda: svc.reviewer_assign(
            actor=bureau, report_ids=[a1.pk, 999_999], reviewer_user_id=world.user("reviewer").pk
        ),
        NotFoundOrNoAccess,
    )
    locked = set_status(report_of(rnd, world, "esa_a2"), ReportStatus.LOCKED)
    refused(
        locked,
        lambda: svc.reviewer_assign(
            actor=bureau, report_ids=[locked.pk], reviewer_user_id=world.user("reviewer").pk
        ),
        code="review_finished",
    )


# --- scores, comments, return, approve -----------------------------------------------------------


@pytest.mark.parametrize("score", [0, 5, -1, "3", 2.5, True, None])
def test_a_score_outside_the_rubric_is_refused(world: World, score: Any) -> None:
    rnd = open_round()
    report = set_status(report_of(rnd, world), ReportStatus.IN_REVIEW, reviewer=world.user("reviewer"))
    refused(
        report,
        lambda: svc.score_set(
            actor=as_(world, "reviewer"), report_id=report.pk, standard_code="1", score=score
        ),
        code="score_out_of_range",
    )


def test_scores_one_to_four_are_kept_and_a_second_score_replaces_the_first(world: World) -> None:
    rnd = open_round()
    report = set_status(report_of(rnd, world), ReportStatus.IN_REVIEW, reviewer=world.user("reviewer"))
    reviewer = as_(world, "reviewer")
    svc.score_set(actor=reviewer, report_id=report.pk, standard_code="1", score=1, comment="ต้องปรับปรุง")
    svc.score_set(actor=reviewer, report_id=report.pk, standard_code="2", score=4)
    svc.score_set(actor=reviewer, report_id=report.pk, standard_code="1", score=3, comment="ดีขึ้น")
    assert sorted(StandardScore.objects.values_list("standard__code", "score", "comment")) == [
        ("1", 3, "ดีขึ้น"), ("2", 4, ""),
    ]  # fmt: skip
    refused(
        report,
        lambda: svc.score_set(actor=reviewer, report_id=report.pk, standard_code="9", score=3),
        code="unknown_standard",
    )


def test_an_item_comment_must_name_an_item_of_the_report(world: World) -> None:
    rnd = open_round()
    report = set_status(report_of(rnd, world), ReportStatus.IN_REVIEW, reviewer=world.user("reviewer"))
    other = ReportValue.objects.filter(report=report_of(rnd, world, "esa_b1")).first()
    assert other is not None
    reviewer = as_(world, "reviewer")

    def comment(kind: str, target: int | None, text: str = "ตรวจสอบ") -> Callable[[], Any]:
        return lambda: svc.item_comment_add(
            actor=reviewer, report_id=report.pk, target_kind=kind, target_id=target, comment=text
        )

    refused(report, comment("value", other.pk), code="target_not_in_report")
    refused(report, comment("value", None), code="target_not_in_report")
    refused(report, comment("work", 999_999), code="target_not_in_report")
    refused(report, comment("student", 1), code="unknown_target")
    refused(report, comment("general", None, "   "), code="comment_required")
    narrative = NarrativeEntry.objects.filter(report=report).first()
    assert narrative is not None
    made = comment("narrative", narrative.pk)()
    assert (made.target_kind, made.target_id) == ("narrative", narrative.pk)


def test_returning_needs_reasons(world: World) -> None:
    rnd = open_round()
    report = set_status(report_of(rnd, world), ReportStatus.IN_REVIEW, reviewer=world.user("reviewer"))
    refused(
        report,
        lambda: svc.report_return(actor=as_(world, "reviewer"), report_id=report.pk, reasons="  "),
        code="reasons_required",
    )


def test_approval_needs_every_standard_scored_and_every_work_verified(world: World) -> None:
    rnd = open_round()
    report = set_status(report_of(rnd, world), ReportStatus.IN_REVIEW, reviewer=world.user("reviewer"))
    first, second = add_work(report, 1), add_work(report, 2)
    reviewer = as_(world, "reviewer")
    svc.score_set(actor=reviewer, report_id=report.pk, standard_code="2", score=3)
    error = refused(report, lambda: svc.report_approve(actor=reviewer, report_id=report.pk))
    assert [(p.code, p.field) for p in error.problems] == [
        ("score_missing", "scores.1"), ("score_missing", "scores.3"),
        ("work_not_verified", f"works.{first.pk}"), ("work_not_verified", f"works.{second.pk}"),
    ]  # fmt: skip
    score_all(reviewer, report)
    OutstandingWork.objects.filter(pk=first.pk).update(verification=Verification.PARTLY)
    error = refused(report, lambda: svc.report_approve(actor=reviewer, report_id=report.pk))
    assert [p.code for p in error.problems] == ["work_not_verified"]
    OutstandingWork.objects.filter(pk=second.pk).update(verification=Verification.NOT_VERIFIED)
    assert svc.report_approve(actor=reviewer, report_id=report.pk).status == ReportStatus.APPROVED


def test_approval_calls_the_insights_hook(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    rnd = open_round()
    report = set_status(report_of(rnd, world), ReportStatus.IN_REVIEW, reviewer=world.user("reviewer"))
    reviewer = as_(world, "reviewer")
    score_all(reviewer, report)
    seen: list[tuple[int, str]] = []
    real = svc.on_report_approved

    def spy(r: Report) -> None:
        seen.append((r.pk, r.status))
        real(r)

    monkeypatch.setattr(svc, "on_report_approved", spy)
    svc.report_approve(actor=reviewer, report_id=report.pk)
    assert seen == [(report.pk, ReportStatus.APPROVED)]
    assert real(report) is None


# --- locking and amendments ----------------------------------------------------------------------


def test_locking_by_ids_needs_every_report_approved(world: World) -> None:
    rnd = open_round()
    a1 = set_status(report_of(rnd, world), ReportStatus.APPROVED)
    b1 = set_status(report_of(rnd, world, "esa_b1"), ReportStatus.IN_REVIEW, reviewer=world.user("reviewer"))
    bureau = as_(world, "me_officer")
    refused(a1, lambda: svc.report_lock(actor=bureau, report_ids=[a1.pk, b1.pk]), code="illegal_transition")
    refused(a1, lambda: svc.report_lock(actor=as_(world, "reviewer"), report_ids=[a1.pk]), PermissionDenied)
    refused(a1, lambda: svc.report_lock(actor=bureau), code="lock_target")
    result = svc.report_lock(actor=bureau, report_ids=[a1.pk])
    assert result.locked == 1
    assert Report.objects.get(pk=b1.pk).status == ReportStatus.IN_REVIEW


def test_the_round_lock_locks_every_approved_report_in_one_entry(world: World) -> None:
    rnd = open_round()
    set_status(report_of(rnd, world), ReportStatus.APPROVED)
    set_status(report_of(rnd, world, "esa_a2"), ReportStatus.APPROVED)
    set_status(report_of(rnd, world, "esa_b1"), ReportStatus.SUBMITTED)
    before = AuditEntry.objects.count()
    result = svc.report_lock(actor=as_(world, "me_officer"), round_id=rnd.pk)
    assert (result.locked, result.not_approved) == (2, {ReportStatus.SUBMITTED: 1})
    assert AuditEntry.objects.count() == before + 1
    assert dict(Report.objects.filter(round=rnd).values_list("esa__code", "status")) == {
        "11201": ReportStatus.LOCKED, "21201": ReportStatus.LOCKED, "15001": ReportStatus.SUBMITTED,
    }  # fmt: skip


def test_amendments_keep_old_and_new_values_with_the_reason(world: World) -> None:
    rnd = open_round()
    report = set_status(report_of(rnd, world), ReportStatus.LOCKED)
    fill_clean(report)
    bureau = as_(world, "me_officer")
    narrative = NarrativeEntry.objects.filter(report=report).first()
    work = add_work(report, 1, Verification.VERIFIED)
    assert narrative is not None

    svc.report_amend(
        actor=bureau, report_id=report.pk, target_kind="narrative", target_id=narrative.pk, field="text",
        new_value="ข้อความที่แก้ไขแล้ว", reason="พิมพ์ผิด",
    )  # fmt: skip
    svc.report_amend(
        actor=bureau, report_id=report.pk, target_kind="work", target_id=work.pk, field="verification",
        new_value="partly", reason="ตรวจพบภายหลังว่าหลักฐานไม่ครบ",
    )  # fmt: skip
    narrative.refresh_from_db()
    work.refresh_from_db()
    assert narrative.text == "ข้อความที่แก้ไขแล้ว"
    assert work.verification == Verification.PARTLY
    rows = [(a.target_kind, a.field, a.old_value, a.new_value, a.reason) for a in report_amendments(report)]
    assert rows == [
        ("narrative", "text", NARRATIVE, "ข้อความที่แก้ไขแล้ว", "พิมพ์ผิด"),
        ("work", "verification", "verified", "partly", "ตรวจพบภายหลังว่าหลักฐานไม่ครบ"),
    ]
    entry = AuditEntry.objects.filter(object_type="monitoring.report").latest("pk")
    assert entry.changes[f"work.{work.pk}.verification"] == ["verified", "partly"]
    assert Report.objects.get(pk=report.pk).lock_version == 2


def test_bad_amendments_are_refused_and_change_nothing(world: World) -> None:
    rnd = open_round()
    report = set_status(report_of(rnd, world), ReportStatus.LOCKED)
    fill_clean(report)
    hours = ReportValue.objects.get(report=report, indicator__code="teacher_pd_hours")
    returned = ReportValue.objects.get(report=report, indicator__code="children_returned")
    other = ReportValue.objects.filter(report=report_of(rnd, world, "esa_b1")).first()
    assert other is not None
    bureau = as_(world, "me_officer")

    def amend(actor: Actor = bureau, **kw: Any) -> Callable[[], Any]:
        args: dict[str, Any] = {
            "target_kind": "value",
            "target_id": hours.pk,
            "field": "value",
            "new_value": "40",
            "reason": "แก้",
        }
        args.update(kw)
        return lambda: svc.report_amend(actor=actor, report_id=report.pk, **args)

    refused(report, amend(new_value="สี่สิบ"), code="not_a_number")
    refused(report, amend(new_value="501"), code="out_of_range")
    refused(report, amend(target_id=returned.pk, new_value="2.5"), code="not_an_integer")
    refused(report, amend(reason=" "), code="reason_required")
    refused(report, amend(new_value="36"), code="no_change")
    refused(report, amend(field="indicator"), code="field_not_amendable")
    refused(report, amend(target_kind="student"), code="unknown_target")
    refused(report, amend(target_id=other.pk), code="target_not_in_report")
    refused(report, amend(target_kind="work", field="verification", target_id=add_work(report).pk, new_value="maybe"),
            code="unknown_verification")  # fmt: skip
    for name in ("executive", "esa_director_a1", "inspector_r1"):
        refused(report, amend(actor=as_(world, name)), PermissionDenied)
    for name in ("esa_officer_b1", "reviewer"):
        refused(report, amend(actor=as_(world, name)), NotFoundOrNoAccess)
    done = amend(new_value="")()
    assert (done.old_value, done.new_value) == ("36", "")
    assert ReportValue.objects.get(pk=hours.pk).value is None
