"""The review workflow over REST: every endpoint's authorization matrix, and the flows that matter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from suksa.core.models import AuditEntry
from suksa.core.policy import SYSTEM, Role
from suksa.domains.monitoring.models import (
    Amendment,
    ItemComment,
    NarrativeEntry,
    Report,
    ReportEditTime,
    ReportValue,
    Review,
    Round,
    StandardScore,
)
from suksa.domains.monitoring.models.choices import Decision, ReportStatus
from suksa.domains.monitoring.services.locking import today
from suksa.domains.monitoring.services.prefill import round_prefill
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]
API = "/api/v1/monitoring"
NARRATIVE = (
    "สำนักงานเขตพื้นที่การศึกษาวางแผนการนิเทศร่วมกับโรงเรียนทุกแห่ง ติดตามผลทุกเดือน และปรับแผนตามข้อมูลการมาเรียน "
    "ผลคือโรงเรียนขนาดเล็กได้รับการสนับสนุนครูและสื่อการสอนครบถ้วนภายในภาคเรียนแรก"
)
REPORTED = {
    "supervision_coverage": 82.0, "teacher_pd_hours": 36.0, "action_plan_completion": 74.0,
    "children_returned": 12.0, "stakeholder_satisfaction": 88.5, "sar_submission_rate": 96.0,
}  # fmt: skip


def open_round(*, due: int = 10, locks: int = 40) -> Round:
    rnd = round_of(make_framework(2569), "m12")
    t = today()
    Round.objects.filter(pk=rnd.pk).update(
        opens_on=t - dt.timedelta(days=20),
        due_on=t + dt.timedelta(days=due),
        locks_on=t + dt.timedelta(days=locks),
    )
    round_prefill(actor=SYSTEM, round=rnd)
    rnd.refresh_from_db()
    return rnd


def a1_report(world: World, rnd: Round, status: str = ReportStatus.DRAFT, reviewer: Any = None) -> Report:
    report = Report.objects.get(round=rnd, esa=world.esa_a1)
    for code, value in REPORTED.items():
        ReportValue.objects.filter(report=report, indicator__code=code).update(value=value)
    ReportValue.objects.filter(report=report).update(comment="ตรวจสอบกับเอกสารต้นฉบับแล้ว")
    NarrativeEntry.objects.filter(report=report).update(text=NARRATIVE)
    submitted = timezone.now() if status != ReportStatus.DRAFT else None
    Report.objects.filter(pk=report.pk).update(status=status, reviewer=reviewer, submitted_at=submitted)
    if status == ReportStatus.IN_REVIEW:
        Review.objects.create(report=report, reviewer=reviewer, started_at=timezone.now())
    report.refresh_from_db()
    return report


def state(report: Report) -> tuple[Any, ...]:
    r = Report.objects.get(pk=report.pk)
    return (
        r.status, r.lock_version, r.reviewer_id, r.submitted_at, r.approved_at, r.locked_at,
        Review.objects.filter(report=r).count(), StandardScore.objects.filter(review__report=r).count(),
        ItemComment.objects.filter(review__report=r).count(), Amendment.objects.filter(report=r).count(),
        AuditEntry.objects.count(),
    )  # fmt: skip


def check(world: World, client_as: Client, persona: str | None, method: str, url: str, body: Any, expected: int,
          report: Report) -> Any:  # fmt: skip
    """Call as ``persona``; a refusal changes nothing and carries Thai and English messages."""
    before = state(report)
    r = getattr(client_as(persona), method)(url, body, format="json")
    assert r.status_code == expected, (persona, r.status_code, r.content[:400])
    if expected >= 400:
        assert state(report) == before
        errors = r.json()["errors"]
        assert errors
        assert all(e["message_th"] and e["message_en"] for e in errors)
    return r


# --- authorization matrices ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("esa_director_a1", 200),
        ("esa_officer_a1", 403),
        ("me_officer", 403),
        ("executive", 403),
        ("inspector_r1", 403),
        ("reviewer", 404),
        ("esa_officer_b1", 404),
        ("nobody", 403),
        (None, 401),
    ],
)
def test_submit_matrix(world: World, client_as: Client, persona: str | None, expected: int) -> None:
    report = a1_report(world, open_round())
    r = check(
        world,
        client_as,
        persona,
        "post",
        f"{API}/reports/{report.pk}/submit/",
        {"lock_version": 0},
        expected,
        report,
    )
    if expected == 200:
        body = r.json()
        assert (body["status"], body["lock_version"], body["late"], body["submitted_by"]) == (
            "submitted", 1, False, "esa_director_a1",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("me_officer", 200),
        ("reviewer", 403),
        ("esa_director_a1", 403),
        ("executive", 403),
        ("nobody", 403),
        (None, 401),
    ],
)
def test_assign_matrix(world: World, client_as: Client, persona: str | None, expected: int) -> None:
    rnd = open_round()
    report = a1_report(world, rnd, ReportStatus.SUBMITTED)
    body = {"reports": [report.pk], "reviewer": world.user("reviewer").pk}
    r = check(world, client_as, persona, "post", f"{API}/reports/assign/", body, expected, report)
    if expected == 200:
        assert r.json() == {"count": 1}
        assert Report.objects.get(pk=report.pk).reviewer == world.user("reviewer")


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("reviewer", 201),
        ("me_officer", 201),
        ("reviewer_r2", 404),  # a reviewer, but not of this report
        ("esa_director_a1", 403),
        ("executive", 403),
        ("inspector_r1", 403),
        ("esa_officer_b1", 404),
        ("nobody", 403),
        (None, 401),
    ],
)
def test_review_start_matrix(world: World, client_as: Client, persona: str | None, expected: int) -> None:
    world.users["reviewer_r2"] = make_user("reviewer_r2", Role.ME_REVIEWER, world.region_1)
    report = a1_report(world, open_round(), ReportStatus.SUBMITTED, world.user("reviewer"))
    r = check(
        world, client_as, persona, "post", f"{API}/reports/{report.pk}/review/start/", {}, expected, report
    )
    if expected == 201:
        assert r.json()["decision"] == ""
        assert Report.objects.get(pk=report.pk).status == ReportStatus.IN_REVIEW


WRITES_IN_REVIEW = [
    ("review/scores/", {"standard": "1", "score": 3, "comment": "ดี"}, 200),
    ("review/comments/", {"target_kind": "general", "comment": "ภาพรวมดี"}, 201),
    ("return/", {"reasons": "แนบหลักฐานการนิเทศ"}, 200),
]


@pytest.mark.parametrize(("path", "body", "ok"), WRITES_IN_REVIEW)
@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("reviewer", True),
        ("me_officer", True),
        ("esa_director_a1", 403),
        ("executive", 403),
        ("esa_officer_b1", 404),
        ("nobody", 403),
        (None, 401),
    ],
)
def test_reviewer_writes_matrix(
    world: World,
    client_as: Client,
    path: str,
    body: dict[str, Any],
    ok: int,
    persona: str | None,
    allowed: Any,
) -> None:
    report = a1_report(world, open_round(), ReportStatus.IN_REVIEW, world.user("reviewer"))
    expected = ok if allowed is True else allowed
    check(world, client_as, persona, "post", f"{API}/reports/{report.pk}/{path}", body, expected, report)


def test_an_unassigned_reviewer_gets_404_everywhere(world: World, client_as: Client) -> None:
    report = a1_report(world, open_round(), ReportStatus.IN_REVIEW, world.user("me_officer"))
    for path, body, _ in WRITES_IN_REVIEW:
        check(world, client_as, "reviewer", "post", f"{API}/reports/{report.pk}/{path}", body, 404, report)
    check(world, client_as, "reviewer", "post", f"{API}/reports/{report.pk}/approve/", {}, 404, report)
    check(world, client_as, "reviewer", "get", f"{API}/reports/{report.pk}/review/scores/", None, 404, report)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("me_officer", 201), ("executive", 403), ("esa_director_a1", 403), ("inspector_r1", 403),
     ("reviewer", 404), ("esa_officer_b1", 404), ("nobody", 403), (None, 401)],
)  # fmt: skip
def test_amend_matrix(world: World, client_as: Client, persona: str | None, expected: int) -> None:
    report = a1_report(world, open_round(), ReportStatus.LOCKED)
    value = ReportValue.objects.get(report=report, indicator__code="teacher_pd_hours")
    body = {
        "target_kind": "value",
        "target_id": value.pk,
        "field": "value",
        "new_value": "40",
        "reason": "หนังสือแจ้ง",
    }
    r = check(world, client_as, persona, "post", f"{API}/reports/{report.pk}/amend/", body, expected, report)
    if expected == 201:
        assert (r.json()["old_value"], r.json()["new_value"], r.json()["amended_by"]) == (
            "36",
            "40",
            "me_officer",
        )


@pytest.mark.parametrize(
    ("persona", "expected", "count"),
    [("me_officer", 200, 1), ("executive", 200, 1), ("esa_director_a1", 200, 1), ("inspector_r1", 200, 1),
     ("esa_officer_b1", 404, 0), ("reviewer", 404, 0), ("nobody", 403, 0)],
)  # fmt: skip
def test_amendments_are_visible_to_whoever_sees_the_report(
    world: World, client_as: Client, persona: str, expected: int, count: int
) -> None:
    report = a1_report(world, open_round(), ReportStatus.LOCKED)
    value = ReportValue.objects.get(report=report, indicator__code="teacher_pd_hours")
    body = {
        "target_kind": "value",
        "target_id": value.pk,
        "field": "value",
        "new_value": "40",
        "reason": "หนังสือแจ้ง",
    }
    assert (
        client_as("me_officer").post(f"{API}/reports/{report.pk}/amend/", body, format="json").status_code
        == 201
    )
    r = client_as(persona).get(f"{API}/reports/{report.pk}/amend/")
    assert r.status_code == expected
    if expected == 200:
        assert r.json()["count"] == count
        assert r.json()["results"][0]["reason"] == "หนังสือแจ้ง"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("me_officer", 200),
        ("executive", 403),
        ("reviewer", 403),
        ("esa_director_a1", 403),
        ("nobody", 403),
        (None, 401),
    ],
)
def test_round_lock_matrix(world: World, client_as: Client, persona: str | None, expected: int) -> None:
    rnd = open_round()
    report = a1_report(world, rnd, ReportStatus.APPROVED)
    r = check(world, client_as, persona, "post", f"{API}/rounds/{rnd.pk}/lock/", {}, expected, report)
    if expected == 200:
        assert r.json() == {"locked": 1, "report_ids": [report.pk], "not_approved": {"draft": 2}}


@pytest.mark.parametrize(
    ("persona", "expected", "ids"),
    [("reviewer", 200, ["a1"]), ("me_officer", 200, ["a1", "b1"]), ("esa_director_a1", 403, []),
     ("executive", 403, []), ("inspector_r1", 403, []), ("nobody", 403, []), (None, 401, [])],
)  # fmt: skip
def test_review_queue_matrix(
    world: World, client_as: Client, persona: str | None, expected: int, ids: list[str]
) -> None:
    rnd = open_round()
    a1 = a1_report(world, rnd, ReportStatus.SUBMITTED, world.user("reviewer"))
    b1 = Report.objects.get(round=rnd, esa=world.esa_b1)
    Report.objects.filter(pk=b1.pk).update(status=ReportStatus.IN_REVIEW)
    r = client_as(persona).get(f"{API}/review-queue/")
    assert r.status_code == expected
    if expected == 200:
        got = {x["id"] for x in r.json()["results"]}
        assert got == {{"a1": a1.pk, "b1": b1.pk}[i] for i in ids}
        if persona == "me_officer":
            assert [
                x["id"]
                for x in client_as(persona).get(f"{API}/review-queue/?status=in_review").json()["results"]
            ] == [b1.pk]
            assert client_as(persona).get(f"{API}/review-queue/?status=bogus").status_code == 400


@pytest.mark.parametrize(
    ("persona", "expected", "rows"),
    [("me_officer", 200, 3), ("executive", 200, 3), ("inspector_r1", 200, 2), ("esa_director_a1", 200, 1),
     ("reviewer", 200, 1), ("sysadmin", 403, 0), ("dpo", 403, 0), ("nobody", 403, 0), (None, 401, 0)],
)  # fmt: skip
def test_status_board_matrix(
    world: World, client_as: Client, persona: str | None, expected: int, rows: int
) -> None:
    rnd = open_round()
    a1_report(world, rnd, ReportStatus.SUBMITTED, world.user("reviewer"))
    r = client_as(persona).get(f"{API}/rounds/{rnd.pk}/status/")
    assert r.status_code == expected
    if expected == 200:
        body = r.json()
        assert len(body["rows"]) == rows
        assert body["round"] == "2569/m12"
        assert sum(body["by_status"].values()) == rows
    if persona == "me_officer":
        assert client_as(persona).get(f"{API}/rounds/999999/status/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("me_officer", 200), ("executive", 200), ("esa_director_a1", 200), ("reviewer", 403), ("sysadmin", 403),
     ("nobody", 403), (None, 401)],
)  # fmt: skip
def test_burden_matrix(world: World, client_as: Client, persona: str | None, expected: int) -> None:
    rnd = open_round()
    assert client_as(persona).get(f"{API}/burden/").status_code == expected
    assert client_as(persona).get(f"{API}/rounds/{rnd.pk}/burden/").status_code == expected


# --- flows ---------------------------------------------------------------------------------------


def test_the_review_flow_over_the_api(world: World, client_as: Client) -> None:
    from suksa.domains.monitoring.models import OutstandingWork

    rnd = open_round()
    report = a1_report(world, rnd)
    work = OutstandingWork.objects.create(report=report, rank=1, title="ห้องเรียนคุณภาพ", description="-")
    director, bureau, reviewer = client_as("esa_director_a1"), client_as("me_officer"), client_as("reviewer")
    base = f"{API}/reports/{report.pk}"

    assert (
        director.post(f"{base}/submit/", {"lock_version": 0}, format="json").json()["status"] == "submitted"
    )
    bureau.post(
        f"{API}/reports/assign/",
        {"reports": [report.pk], "reviewer": world.user("reviewer").pk},
        format="json",
    )
    assert reviewer.post(f"{base}/review/start/", {}, format="json").status_code == 201
    r = reviewer.post(f"{base}/review/scores/", {"standard": "1", "score": 5}, format="json")
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == "score_out_of_range"
    for code in ("1", "2", "3"):
        r = reviewer.post(
            f"{base}/review/scores/", {"standard": code, "score": 2, "comment": "พอใช้"}, format="json"
        )
        assert (r.json()["score"], r.json()["label_th"], r.json()["label_en"]) == (2, "พอใช้", "Fair")
    r = reviewer.post(
        f"{base}/review/comments/",
        {"target_kind": "work", "target_id": work.pk, "comment": "หลักฐานน้อย"},
        format="json",
    )
    assert r.status_code == 201
    r = reviewer.post(f"{base}/approve/", {}, format="json")
    assert r.status_code == 400
    assert [e["code"] for e in r.json()["errors"]] == ["work_not_verified"]
    r = reviewer.post(f"{base}/return/", {"reasons": "แนบหลักฐานผลงาน"}, format="json")
    assert (r.json()["status"], r.json()["returned_reason"], r.json()["lock_version"]) == (
        "returned",
        "แนบหลักฐานผลงาน",
        3,
    )

    # The ESA reads the decided review's feedback; the review under way would stay with the bureau.
    scores = director.get(f"{base}/review/scores/").json()
    assert [s["standard"] for s in scores["results"]] == ["1", "2", "3"]
    assert director.get(f"{base}/review/comments/").json()["results"][0]["comment"] == "หลักฐานน้อย"

    stale = director.post(f"{base}/submit/", {"lock_version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["code"] == "stale_report"
    assert (
        director.post(f"{base}/submit/", {"lock_version": 3}, format="json").json()["status"] == "submitted"
    )
    reviewer.post(f"{base}/review/start/", {}, format="json")
    assert director.get(f"{base}/review/scores/").json()["count"] == 3  # the new review is not shown yet
    for code in ("1", "2", "3"):
        reviewer.post(f"{base}/review/scores/", {"standard": code, "score": 4}, format="json")
    verified = reviewer.post(
        f"{API}/works/{work.pk}/verify/", {"verification": "verified", "note": ""}, format="json"
    )
    assert verified.status_code == 200
    assert reviewer.post(f"{base}/approve/", {}, format="json").json()["status"] == "approved"
    assert Review.objects.filter(report=report, decision=Decision.APPROVED).count() == 1

    r = bureau.post(f"{API}/rounds/{rnd.pk}/lock/", {"reports": [report.pk]}, format="json")
    assert r.json()["locked"] == 1
    r = bureau.post(
        f"{base}/amend/",
        {
            "target_kind": "work",
            "target_id": work.pk,
            "field": "verification",
            "new_value": "partly",
            "reason": "ตรวจภายหลัง",
        },
        format="json",
    )
    assert r.status_code == 201
    assert director.get(f"{base}/amend/").json()["results"][0]["new_value"] == "partly"


def test_illegal_transitions_over_the_api_are_400_and_change_nothing(world: World, client_as: Client) -> None:
    rnd = open_round()
    report = a1_report(world, rnd, ReportStatus.APPROVED, world.user("reviewer"))
    for persona, path, body in [
        ("esa_director_a1", "submit/", {"lock_version": 0}),
        ("reviewer", "review/start/", {}),
        ("reviewer", "return/", {"reasons": "x"}),
        ("reviewer", "approve/", {}),
        (
            "me_officer",
            "amend/",
            {"target_kind": "value", "target_id": 1, "field": "value", "new_value": "1", "reason": "x"},
        ),
    ]:
        r = check(world, client_as, persona, "post", f"{API}/reports/{report.pk}/{path}", body, 400, report)
        assert r.json()["errors"][0]["code"] == "illegal_transition"
    m6 = round_of(rnd.framework, "m6")
    round_prefill(actor=SYSTEM, round=m6)
    other = Report.objects.get(round=m6, esa=world.esa_a1)
    r = check(
        world,
        client_as,
        "me_officer",
        "post",
        f"{API}/rounds/{rnd.pk}/lock/",
        {"reports": [other.pk]},
        400,
        report,
    )
    assert r.json()["errors"][0]["code"] == "other_round"
    check(
        world,
        client_as,
        "me_officer",
        "post",
        f"{API}/rounds/{rnd.pk}/lock/",
        {"reports": [999_999]},
        404,
        report,
    )


def test_a_submission_after_the_lock_date_names_it(world: World, client_as: Client) -> None:
    report = a1_report(world, open_round(due=-10, locks=-1))
    r = check(
        world,
        client_as,
        "esa_director_a1",
        "post",
        f"{API}/reports/{report.pk}/submit/",
        {"lock_version": 0},
        400,
        report,
    )
    error = r.json()["errors"][0]
    lock = today() - dt.timedelta(days=1)
    assert error["code"] == "round_locked"
    assert str(lock.year + 543) in error["message_th"]
    assert f"{lock.year + 543} BE" in error["message_en"]


def test_the_burden_numbers(world: World, client_as: Client) -> None:
    rnd = open_round()
    report = Report.objects.get(round=rnd, esa=world.esa_a1)
    ReportEditTime.objects.create(report=report, user=world.user("esa_officer_a1"), day=today(), seconds=1200)
    row = client_as("me_officer").get(f"{API}/rounds/{rnd.pk}/burden/").json()
    assert (row["round"], row["reports"], row["fields_asked"], row["fields_prefilled"]) == (
        "2569/m12",
        3,
        45,
        66,
    )
    assert (row["asked_per_report"], row["prefilled_per_report"], row["paper_fields_per_report"]) == (
        15.0,
        22.0,
        37.0,
    )
    assert row["prefilled_share"] == pytest.approx(22 / 37)
    assert (row["edited_reports"], row["total_seconds"], row["median_seconds"], row["minutes_per_report"]) == (
        1, 1200, 1200.0, 20.0,
    )  # fmt: skip
    rows = client_as("me_officer").get(f"{API}/burden/").json()
    assert [r["round"] for r in rows] == ["2569/m6", "2569/m12"]
    assert rows[1]["previous_round"] is None  # the 6-month round has no report
