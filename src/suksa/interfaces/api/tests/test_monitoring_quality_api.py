"""Data quality over REST: each endpoint's authorization matrix, and what the bodies say."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from suksa.core.policy import SYSTEM
from suksa.domains.monitoring.models import Report, ReportValue, Round
from suksa.domains.monitoring.models.choices import ReportStatus
from suksa.domains.monitoring.services.prefill import round_prefill
from suksa.domains.monitoring.services.quality import report_check
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World

Client = Callable[..., APIClient]

ALL = ["11201", "15001", "21201"]


def prepared(world: World) -> Round:
    rnd = round_of(make_framework(2569), "m12")  # due 30 Nov 2026
    round_prefill(actor=SYSTEM, round=rnd)
    Report.objects.filter(round=rnd, esa=world.esa_a1).update(
        status=ReportStatus.SUBMITTED, submitted_at=timezone.make_aware(dt.datetime(2026, 11, 20, 9))
    )
    Report.objects.filter(round=rnd, esa=world.esa_b1).update(
        status=ReportStatus.SUBMITTED, submitted_at=timezone.make_aware(dt.datetime(2026, 12, 2, 9))
    )
    ReportValue.objects.filter(
        report__round=rnd, report__esa=world.esa_a1, indicator__code="teacher_pd_hours"
    ).update(value=150)
    return rnd


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("esa_officer_a1", 200),
        ("esa_director_a1", 200),
        ("inspector_r1", 200),
        ("executive", 200),
        ("me_officer", 200),
        ("esa_officer_b1", 404),
        ("reviewer", 404),
        ("director_a1_1", 404),
        ("sysadmin", 404),
        ("nobody", 403),
        (None, 401),
    ],
)
def test_report_quality_matrix(world: World, client_as: Client, persona: str | None, status: int) -> None:
    rnd = prepared(world)
    report = Report.objects.get(round=rnd, esa=world.esa_a1)
    c = client_as(persona)

    r = c.get(f"/api/v1/monitoring/reports/{report.pk}/quality/")

    assert r.status_code == status
    assert c.get("/api/v1/monitoring/reports/999999/quality/").status_code == (
        404 if status == 200 else status
    )
    if status == 404:
        assert world.esa_a1.name_th not in r.content.decode()


def test_a_reviewer_reads_the_quality_of_an_assigned_report(world: World, client_as: Client) -> None:
    rnd = prepared(world)
    report = Report.objects.get(round=rnd, esa=world.esa_b1)
    Report.objects.filter(pk=report.pk).update(reviewer=world.user("reviewer"))
    assert client_as("reviewer").get(f"/api/v1/monitoring/reports/{report.pk}/quality/").status_code == 200


def test_report_quality_body(world: World, client_as: Client) -> None:
    rnd = prepared(world)
    report = Report.objects.select_related("round__framework").get(round=rnd, esa=world.esa_a1)

    body = client_as("esa_officer_a1", "en").get(f"/api/v1/monitoring/reports/{report.pk}/quality/").json()

    check = report_check(report)
    assert (body["report_id"], body["round_id"], body["esa_code"]) == (report.pk, rnd.pk, "11201")
    assert (body["can_submit"], body["blocking"], body["warnings"], body["uncommented"]) == (
        False,
        len(check.blocking),
        len(check.warnings),
        1,
    )
    assert [(i["kind"], i["indicator_code"]) for i in body["issues"]] == [
        (i.kind, i.indicator_code) for i in check.issues
    ]
    pd = next(i for i in body["issues"] if i["code"] == "pd_hours_high_comment")
    value = ReportValue.objects.get(report=report, indicator__code="teacher_pd_hours")
    assert pd == {
        "code": "pd_hours_high_comment",
        "kind": "required_comment",
        "severity": "warning",
        "message_th": "ชั่วโมงพัฒนาครูเฉลี่ยเกิน 120 ชั่วโมงในรอบเดียว โปรดอธิบาย (ชั่วโมงพัฒนาครูเฉลี่ย 150.00 > 120.00)",
        "message_en": "More than 120 development hours per teacher in one round: please explain "
        "(Teacher development hours 150.00 > 120.00)",
        "indicator_code": "teacher_pd_hours",
        "value_id": value.pk,
        "commented": False,
        "evidence": {"rule": "pd_hours_high_comment", "value": 150.0, "op": ">", "threshold": 120.0},
    }


@pytest.mark.parametrize(
    ("persona", "status", "rows"),
    [
        ("me_officer", 200, ALL),
        ("executive", 200, ALL),
        ("inspector_r1", 200, ["11201", "21201"]),
        ("esa_officer_a1", 200, ["11201"]),
        ("esa_director_a1", 200, ["11201"]),
        ("esa_officer_b1", 200, ["15001"]),
        ("reviewer", 200, []),
        ("director_a1_1", 403, None),
        ("sysadmin", 403, None),
        ("dpo", 403, None),
        ("nobody", 403, None),
        (None, 401, None),
    ],
)
@pytest.mark.parametrize("endpoint", ["quality", "completeness"])
def test_round_endpoints_matrix(
    world: World, client_as: Client, persona: str | None, status: int, rows: list[str] | None, endpoint: str
) -> None:
    rnd = prepared(world)
    c = client_as(persona)

    r = c.get(f"/api/v1/monitoring/rounds/{rnd.pk}/{endpoint}/")

    assert r.status_code == status
    missing = c.get(f"/api/v1/monitoring/rounds/999999/{endpoint}/").status_code
    assert missing == (404 if status == 200 else status)
    if status == 200:
        body = r.json()
        assert [row["esa_code"] for row in body["rows"]] == rows
        assert body["round"]["key"] == "2569/m12"
        text = r.content.decode()
        for esa in (world.esa_a1, world.esa_a2, world.esa_b1):
            assert (esa.name_th in text) == (esa.code in (rows or []))


def test_round_quality_agrees_with_each_reports_check(world: World, client_as: Client) -> None:
    rnd = prepared(world)

    body = client_as("me_officer").get(f"/api/v1/monitoring/rounds/{rnd.pk}/quality/").json()

    for row in body["rows"]:
        report = Report.objects.select_related("round__framework").get(pk=row["report_id"])
        check = report_check(report)
        assert (row["blocking"], row["warnings"], row["uncommented"], row["can_submit"]) == (
            len(check.blocking),
            len(check.warnings),
            len(check.uncommented_warnings),
            check.can_submit,
        )
        assert sum(row["by_kind"].values()) == len(check.issues)
    a1 = next(row for row in body["rows"] if row["esa_code"] == "11201")
    assert a1["by_kind"]["required_comment"] == 1
    assert a1["status"] == "submitted"


def test_round_completeness_body(world: World, client_as: Client) -> None:
    rnd = prepared(world)

    body = client_as("me_officer").get(f"/api/v1/monitoring/rounds/{rnd.pk}/completeness/").json()

    totals = body["totals"]
    assert (totals["expected"], totals["received"], totals["on_time"], totals["late"]) == (3, 2, 1, 1)
    assert totals["completeness"] == {
        "count": 2,
        "expected": 3,
        "rate": pytest.approx(2 / 3),
        "target": 0.95,
        "flag_below": 0.9,
        "meets_target": False,
        "flagged": True,
    }
    assert totals["timeliness"]["rate"] == pytest.approx(1 / 3)
    assert body["thresholds"] == {
        "completeness_target": 0.95,
        "completeness_flag": 0.9,
        "timeliness_target": 0.9,
    }
    rows = {row["esa_code"]: row for row in body["rows"]}
    assert (rows["11201"]["on_time"], rows["11201"]["submitted_at_display"]) == (True, "20 พ.ย. 2569 09:00")
    assert (rows["15001"]["on_time"], rows["15001"]["days_late"], rows["15001"]["flags"][0]) == (
        False,
        2,
        "late",
    )
    assert rows["21201"]["status"] == "draft"
    assert rows["21201"]["received"] is False

    scoped = client_as("inspector_r1").get(f"/api/v1/monitoring/rounds/{rnd.pk}/completeness/").json()
    assert (scoped["totals"]["expected"], scoped["totals"]["received"]) == (2, 1)
