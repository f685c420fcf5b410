"""Review pages: submitting from the editor, the queue, the reviewer workspace, the national status
board, the burden table and amendments after locking."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from suksa.core.dates import format_be
from suksa.core.policy import SYSTEM
from suksa.domains.monitoring.models import (
    Amendment,
    NarrativeEntry,
    OutstandingWork,
    Report,
    ReportEditTime,
    ReportValue,
    Review,
    Round,
    StandardScore,
)
from suksa.domains.monitoring.models.choices import ReportStatus, Verification
from suksa.domains.monitoring.services.locking import today
from suksa.domains.monitoring.services.prefill import round_prefill
from suksa.domains.monitoring.tests.factories import make_framework, put_value, round_of
from tests.factories import World, make_unit

pytestmark = pytest.mark.django_db

NARRATIVE = (
    "สำนักงานเขตพื้นที่การศึกษาวางแผนการนิเทศร่วมกับโรงเรียนทุกแห่ง ติดตามผลทุกเดือน และปรับแผนตามข้อมูลการมาเรียน "
    "ผลคือโรงเรียนขนาดเล็กได้รับการสนับสนุนครูและสื่อการสอนครบถ้วนภายในภาคเรียนแรก"
)
REPORTED = {
    "supervision_coverage": 82.0, "teacher_pd_hours": 36.0, "action_plan_completion": 74.0,
    "children_returned": 12.0, "stakeholder_satisfaction": 88.5, "sar_submission_rate": 96.0,
}  # fmt: skip


def client_for(world: World, name: str) -> Client:
    c = Client()
    c.force_login(world.user(name))
    return c


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


def report_of(rnd: Round, esa: Any) -> Report:
    return Report.objects.select_related("round", "esa").get(round=rnd, esa=esa)


def fill_clean(report: Report) -> None:
    for code, value in REPORTED.items():
        ReportValue.objects.filter(report=report, indicator__code=code).update(value=value)
    ReportValue.objects.filter(report=report).update(comment="ตรวจสอบกับเอกสารต้นฉบับแล้ว")
    NarrativeEntry.objects.filter(report=report).update(text=NARRATIVE)


def set_status(report: Report, status: str, reviewer: Any = None) -> Report:
    Report.objects.filter(pk=report.pk).update(status=status, reviewer=reviewer, submitted_at=timezone.now())
    if status == ReportStatus.IN_REVIEW:
        Review.objects.create(report=report, reviewer=reviewer, started_at=timezone.now())
    report.refresh_from_db()
    return report


def flashed(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def post_told(c: Client, url: str, data: dict[str, Any]) -> list[str]:
    """POST, follow the redirect back, and return the messages the page showed."""
    r = c.post(url, data, follow=True)
    assert r.status_code == 200
    return [str(m) for m in r.context["messages"]]


# --- submission ----------------------------------------------------------------------------------


def test_the_director_submits_from_the_editor(world: World) -> None:
    rnd = open_round()
    report = report_of(rnd, world.esa_a1)
    fill_clean(report)
    url = reverse("web:report_submit", args=[report.pk])

    r = client_for(world, "esa_director_a1").post(url, {"lock_version": 0})

    assert r.status_code == 302
    detail = "/monitoring/reports/"
    assert r["Location"].startswith(detail) or r["Location"] == reverse("web:monitoring_home")
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
    assert flashed(r) == ["ส่งรายงานแล้ว รายงานอยู่ระหว่างรอการพิจารณาของส่วนกลาง"]


def test_a_refused_submission_lists_the_blocking_issues_in_both_languages(world: World) -> None:
    rnd = open_round()
    report = report_of(rnd, world.esa_a1)
    r = client_for(world, "esa_director_a1").post(
        reverse("web:report_submit", args=[report.pk]), {"lock_version": 0}
    )
    assert r.status_code == 302
    messages = flashed(r)
    assert messages[0].startswith("ยังส่งรายงานไม่ได้")
    assert "The report cannot be submitted yet" in messages[0]
    assert len(messages) > 1
    assert all(" · " in m for m in messages)
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_after_the_lock_date_the_message_names_the_date(world: World) -> None:
    rnd = open_round(due=-20, locks=-1)
    report = report_of(rnd, world.esa_a1)
    r = client_for(world, "esa_director_a1").post(
        reverse("web:report_submit", args=[report.pk]), {"lock_version": 0}
    )
    [message] = flashed(r)
    lock = today() - dt.timedelta(days=1)
    assert str(lock.year + 543) in message
    assert "The reporting round locked on" in message


def test_a_stale_version_is_told_and_nothing_changes(world: World) -> None:
    rnd = open_round()
    report = report_of(rnd, world.esa_a1)
    fill_clean(report)
    Report.objects.filter(pk=report.pk).update(lock_version=2)
    r = client_for(world, "esa_director_a1").post(
        reverse("web:report_submit", args=[report.pk]), {"lock_version": 1}
    )
    assert "มีผู้อื่นบันทึกรายงานนี้" in flashed(r)[0]
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    r = client_for(world, "esa_director_a1").post(reverse("web:report_submit", args=[report.pk]), {})
    assert "reload the page" in flashed(r)[0]


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("esa_officer_a1", 403),
        ("me_officer", 403),
        ("executive", 403),
        ("esa_officer_b1", 404),
        ("reviewer", 404),
    ],
)
def test_only_the_director_submits(world: World, persona: str, code: int) -> None:
    rnd = open_round()
    report = report_of(rnd, world.esa_a1)
    fill_clean(report)
    r = client_for(world, persona).post(reverse("web:report_submit", args=[report.pk]), {"lock_version": 0})
    assert r.status_code == code
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_submit_is_post_only_and_needs_a_login(world: World) -> None:
    rnd = open_round()
    report = report_of(rnd, world.esa_a1)
    url = reverse("web:report_submit", args=[report.pk])
    assert client_for(world, "esa_director_a1").get(url).status_code == 405
    assert Client().post(url, {"lock_version": 0}).status_code == 302  # to the login page
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT


# --- the queue -----------------------------------------------------------------------------------


def test_the_reviewer_sees_only_assigned_reports_and_the_bureau_assigns(world: World) -> None:
    rnd = open_round()
    a1 = set_status(report_of(rnd, world.esa_a1), ReportStatus.SUBMITTED)
    b1 = set_status(report_of(rnd, world.esa_b1), ReportStatus.SUBMITTED)
    url = reverse("web:review_queue")
    page = client_for(world, "reviewer").get(url).content.decode()
    assert 'data-testid="queue-empty"' in page

    bureau = client_for(world, "me_officer")
    page = bureau.get(url).content.decode()
    assert 'data-testid="assign-form"' in page
    assert f'data-report="{a1.pk}"' in page
    assert f'data-report="{b1.pk}"' in page
    r = bureau.post(url, {"reports": [a1.pk], "reviewer": world.user("reviewer").pk})
    assert r.status_code == 302
    assert flashed(r) == ["มอบหมายผู้ตรวจแล้ว 1 ฉบับ"]

    page = client_for(world, "reviewer").get(url).content.decode()
    assert f'data-report="{a1.pk}"' in page
    assert f'data-report="{b1.pk}"' not in page
    assert 'data-testid="assign-form"' not in page
    assert client_for(world, "reviewer").post(url, {"reports": [b1.pk], "reviewer": 1}).status_code == 403


@pytest.mark.parametrize("persona", ["esa_director_a1", "executive", "inspector_r1", "nobody"])
def test_the_queue_is_for_reviewers(world: World, persona: str) -> None:
    assert client_for(world, persona).get(reverse("web:review_queue")).status_code == 403


# --- the workspace -------------------------------------------------------------------------------


def test_the_workspace_shows_the_report_and_runs_the_review(world: World) -> None:
    from suksa.domains.monitoring.models import EvidenceFile

    rnd = open_round()
    stored = put_value(world.esa_a1, "dropout_rate", "2568", 0.0187)
    round_prefill(actor=SYSTEM, round=rnd)
    report = set_status(report_of(rnd, world.esa_a1), ReportStatus.SUBMITTED, world.user("reviewer"))
    fill_clean(report)
    work = OutstandingWork.objects.create(
        report=report, rank=1, title="โรงเรียนคุณภาพชุมชน", description="รายละเอียด"
    )
    EvidenceFile.objects.create(
        report=report, work=work, original_name="ภาพกิจกรรม.pdf", content_type="application/pdf", size=2048,
        sha256="0" * 64, stored_path="evidence/00/" + "0" * 64, uploaded_by="esa_officer_a1", uploaded_at=timezone.now(),
    )  # fmt: skip
    c = client_for(world, "reviewer")
    url = reverse("web:review_report", args=[report.pk])

    page = c.get(url).content.decode()
    assert "ไม่มีข้อมูล" in page  # pre-filled, but the platform holds no value for the ESA
    row = page[page.index('data-indicator="dropout_rate"') :].split("</tr>", 1)[0]
    assert "1.87" in row
    assert f"รอบคำนวณ {stored.run_id}" in row
    assert f"#{stored.pk}" in row
    assert f"คำนวณเมื่อ {format_be(timezone.localtime(stored.computed_at), 'th')}" in row
    assert 'data-indicator="supervision_coverage"' in page
    assert "ภาพกิจกรรม.pdf" in page
    assert 'data-testid="start"' in page

    assert post_told(c, url, {"action": "start"}) == ["เริ่มพิจารณารายงานแล้ว"]
    assert Report.objects.get(pk=report.pk).status == ReportStatus.IN_REVIEW
    told = post_told(c, url, {"action": "score", "standard": "1", "score": "5", "comment": ""})
    assert told == ["คะแนนต้องเป็นจำนวนเต็ม 1 ถึง 4 · The score must be a whole number from 1 to 4"]
    assert not StandardScore.objects.exists()
    for code in ("1", "2", "3"):
        assert post_told(c, url, {"action": "score", "standard": code, "score": "3", "comment": "ดี"}) == [
            "บันทึกคะแนนแล้ว"
        ]
    assert StandardScore.objects.count() == 3
    value = ReportValue.objects.get(report=report, indicator__code="supervision_coverage")
    post_told(c, url, {"action": "comment", "target": f"value:{value.pk}", "comment": "ขอเอกสารเพิ่ม"})
    assert "ขอเอกสารเพิ่ม" in c.get(url).content.decode()
    told = post_told(c, url, {"action": "approve"})
    assert told == [
        "ผลงานเด่นอันดับ 1 “โรงเรียนคุณภาพชุมชน” ยังไม่ได้ตรวจสอบ · "
        "Outstanding work no. 1 “โรงเรียนคุณภาพชุมชน” is not verified yet"
    ]
    told = post_told(
        c, url, {"action": "verify", "work": work.pk, "verification": Verification.PARTLY, "note": ""}
    )
    assert "กรุณาระบุเหตุผล" in told[0]
    assert OutstandingWork.objects.get(pk=work.pk).verification == Verification.PENDING
    post_told(
        c, url, {"action": "verify", "work": work.pk, "verification": Verification.VERIFIED, "note": ""}
    )
    assert OutstandingWork.objects.get(pk=work.pk).verification == Verification.VERIFIED
    assert post_told(c, url, {"action": "approve"}) == ["อนุมัติรายงานแล้ว"]
    assert Report.objects.get(pk=report.pk).status == ReportStatus.APPROVED


def test_returning_from_the_workspace_needs_reasons(world: World) -> None:
    rnd = open_round()
    report = set_status(report_of(rnd, world.esa_a1), ReportStatus.IN_REVIEW, world.user("reviewer"))
    c = client_for(world, "reviewer")
    url = reverse("web:review_report", args=[report.pk])
    assert "กรุณาระบุเหตุผล" in post_told(c, url, {"action": "return", "reasons": ""})[0]
    assert Report.objects.get(pk=report.pk).status == ReportStatus.IN_REVIEW
    c.post(url, {"action": "return", "reasons": "แนบหลักฐานการนิเทศ"})
    assert Report.objects.get(pk=report.pk).status == ReportStatus.RETURNED
    assert "แนบหลักฐานการนิเทศ" in c.get(url).content.decode()  # the review history


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("reviewer", 404),  # not assigned
        ("me_officer", 200),
        ("esa_director_a1", 403),
        ("executive", 403),
        ("esa_officer_b1", 404),
        ("nobody", 404),
    ],
)
def test_the_workspace_is_for_the_assigned_reviewer_and_the_bureau(
    world: World, persona: str, code: int
) -> None:
    rnd = open_round()
    report = set_status(report_of(rnd, world.esa_a1), ReportStatus.SUBMITTED)
    url = reverse("web:review_report", args=[report.pk])
    assert client_for(world, persona).get(url).status_code == code
    r = client_for(world, persona).post(url, {"action": "start"})
    assert r.status_code == (302 if code == 200 else code)
    assert Report.objects.get(pk=report.pk).status == (
        ReportStatus.IN_REVIEW if code == 200 else ReportStatus.SUBMITTED
    )


# --- the status board and the burden -------------------------------------------------------------


def test_the_status_board_counts_filters_and_links(world: World, django_assert_max_num_queries: Any) -> None:
    rnd = open_round()
    for n in range(40):
        make_unit("esa", f"7{n:04d}", f"สำนักงานเขตพื้นที่การศึกษาทดสอบ {n}", world.region_2, f"Test ESA {n}")
    round_prefill(actor=SYSTEM, round=rnd)
    set_status(report_of(rnd, world.esa_a1), ReportStatus.SUBMITTED)
    c = client_for(world, "me_officer")
    url = reverse("web:monitoring_status")
    c.get(url)  # warm the session and the actor
    with django_assert_max_num_queries(16):
        r = c.get(f"{url}?round={rnd.pk}")
    page = r.content.decode()
    assert r.status_code == 200
    assert 'data-testid="expected">43<' in page
    assert page.count('data-esa="') == 43
    assert 'data-esa="11201" data-status="submitted"' in page
    page = c.get(f"{url}?round={rnd.pk}&region=R01&status=draft").content.decode()
    assert page.count('data-esa="') == 1
    assert 'data-esa="21201"' in page
    page = c.get(f"{url}?round={rnd.pk}&sort=code&dir=desc").content.decode()
    assert page.index('data-esa="70039"') < page.index('data-esa="11201"')
    assert client_for(world, "me_officer").get(f"{url}?round=999999").status_code == 404


@pytest.mark.parametrize(
    ("persona", "code", "rows"),
    [("executive", 200, 3), ("inspector_r1", 200, 2), ("esa_director_a1", 200, 1), ("reviewer", 200, 0),
     ("nobody", 403, 0), ("sysadmin", 403, 0), ("director_a1_1", 403, 0)],
)  # fmt: skip
def test_the_status_board_is_scoped(world: World, persona: str, code: int, rows: int) -> None:
    rnd = open_round()
    r = client_for(world, persona).get(reverse("web:monitoring_status") + f"?round={rnd.pk}")
    assert r.status_code == code
    if code == 200:
        assert r.content.decode().count('data-esa="') == rows


def test_the_burden_page(world: World) -> None:
    rnd = open_round()
    a1 = report_of(rnd, world.esa_a1)
    ReportEditTime.objects.create(report=a1, user=world.user("esa_officer_a1"), day=today(), seconds=1800)
    r = client_for(world, "me_officer").get(reverse("web:monitoring_burden") + f"?round={rnd.pk}")
    page = r.content.decode()
    assert r.status_code == 200
    assert 'data-testid="share">59.5%<' in page  # 22 of 37 fields pre-filled
    assert 'data-testid="minutes">30.0<' in page
    assert 'data-round="2569/m12"' in page
    assert client_for(world, "nobody").get(reverse("web:monitoring_burden")).status_code == 403
    assert client_for(world, "reviewer").get(reverse("web:monitoring_burden")).status_code == 403


# --- amendments ----------------------------------------------------------------------------------


def test_the_bureau_amends_a_locked_report_and_the_amendment_is_shown(world: World) -> None:
    rnd = open_round()
    report = set_status(report_of(rnd, world.esa_a1), ReportStatus.LOCKED)
    fill_clean(report)
    value = ReportValue.objects.get(report=report, indicator__code="teacher_pd_hours")
    c = client_for(world, "me_officer")
    url = reverse("web:report_amend", args=[report.pk])
    page = c.get(url).content.decode()
    assert f'value="value:{value.pk}:value"' in page

    r = c.post(url, {"target": f"value:{value.pk}:value", "new_value": "40", "reason": ""})
    assert r.status_code == 200
    assert "กรุณาระบุเหตุผลของการแก้ไข" in flashed(r)[0]
    assert not Amendment.objects.exists()
    r = c.post(url, {"target": f"value:{value.pk}:value", "new_value": "40", "reason": "หนังสือแจ้งแก้ไข"})
    assert r.status_code == 302
    assert ReportValue.objects.get(pk=value.pk).value == 40.0
    page = c.get(url).content.decode()
    assert 'data-testid="amendment"' in page
    assert "หนังสือแจ้งแก้ไข" in page
    review_page = c.get(reverse("web:review_report", args=[report.pk])).content.decode()
    assert "หนังสือแจ้งแก้ไข" in review_page


def test_amendment_pages_are_for_the_bureau_on_locked_reports(world: World) -> None:
    rnd = open_round()
    report = report_of(rnd, world.esa_a1)
    url = reverse("web:report_amend", args=[report.pk])
    page = client_for(world, "me_officer").get(url).content.decode()
    assert 'data-testid="not-locked"' in page
    assert 'data-testid="amend-form"' not in page
    assert client_for(world, "executive").get(url).status_code == 403
    assert client_for(world, "esa_director_a1").post(url, {"target": "x"}).status_code == 403
    assert client_for(world, "esa_officer_b1").get(url).status_code == 404
