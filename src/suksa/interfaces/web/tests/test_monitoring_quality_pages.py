"""Data-quality pages: the round's board (scoped rows, filters, bounded queries) and a report's panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from suksa.core.models import OrgUnit
from suksa.core.policy import SYSTEM
from suksa.domains.monitoring import selectors_quality
from suksa.domains.monitoring.models import Report, ReportValue, Round
from suksa.domains.monitoring.models.choices import ReportStatus
from suksa.domains.monitoring.services.prefill import round_prefill
from suksa.domains.monitoring.tests.factories import make_framework, on, round_of
from tests.factories import World, make_esa

URL = "/monitoring/quality/"


def client_for(world: World, name: str) -> Client:
    c = Client()
    c.force_login(world.user(name))
    return c


def at(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day}T10:00:00"))


def prepared(world: World) -> Round:
    """FY 2569 round m12 (due 30 Nov 2026): a1 submitted on time, b1 late, a2 still a draft."""
    rnd = round_of(make_framework(2569), "m12")
    round_prefill(actor=SYSTEM, round=rnd)
    Report.objects.filter(round=rnd, esa=world.esa_a1).update(
        status=ReportStatus.SUBMITTED, submitted_at=at("2026-11-20")
    )
    Report.objects.filter(round=rnd, esa=world.esa_b1).update(
        status=ReportStatus.SUBMITTED, submitted_at=at("2026-12-02")
    )
    ReportValue.objects.filter(
        report__round=rnd, report__esa=world.esa_a1, indicator__code="teacher_pd_hours"
    ).update(value=150)
    return rnd


def rows_of(html: str) -> list[str]:
    import re

    return re.findall(r'data-esa="(\d+)"', html)


def test_the_bureau_sees_every_esa_with_completeness_and_issues(world: World) -> None:
    rnd = prepared(world)
    r = client_for(world, "me_officer").get(f"{URL}?round={rnd.pk}")
    assert r.status_code == 200
    html = r.content.decode()
    assert rows_of(html) == ["11201", "15001", "21201"]
    assert 'data-testid="received">2<' in html
    assert 'data-testid="expected">3<' in html
    assert "66.7%" in html  # 2 of 3 received
    assert "ความครบถ้วน (ได้รับ / ที่ต้องส่ง)" in html
    assert "เป้าหมาย ≥ 95%" in html
    assert rnd.name_th in html
    row_b1 = html.split('data-esa="15001"')[1].split("</tr>")[0]
    assert "ส่งล่าช้า" in row_b1
    row_a2 = html.split('data-esa="21201"')[1].split("</tr>")[0]
    assert "ยังไม่ส่ง" in row_a2


def test_the_page_is_in_english_too(world: World) -> None:
    rnd = prepared(world)
    c = client_for(world, "me_officer")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = c.get(f"{URL}?round={rnd.pk}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Completeness (received / expected)" in html
    assert "Target ≥ 90%" in html


@pytest.mark.parametrize(
    ("persona", "rows"),
    [
        ("me_officer", ["11201", "15001", "21201"]),
        ("executive", ["11201", "15001", "21201"]),
        ("inspector_r1", ["11201", "21201"]),
        ("esa_officer_a1", ["11201"]),
        ("esa_director_a1", ["11201"]),
        ("esa_officer_b1", ["15001"]),
        ("reviewer", []),
    ],
)
def test_rows_are_scoped(world: World, persona: str, rows: list[str]) -> None:
    rnd = prepared(world)
    r = client_for(world, persona).get(f"{URL}?round={rnd.pk}")
    assert r.status_code == 200
    html = r.content.decode()
    assert rows_of(html) == rows
    for esa in (world.esa_a1, world.esa_a2, world.esa_b1):
        assert (esa.name_th in html) == (esa.code in rows)


def test_a_reviewer_sees_the_reports_assigned_to_them(world: World) -> None:
    rnd = prepared(world)
    Report.objects.filter(round=rnd, esa=world.esa_b1).update(reviewer=world.user("reviewer"))
    html = client_for(world, "reviewer").get(f"{URL}?round={rnd.pk}").content.decode()
    assert rows_of(html) == ["15001"]


@pytest.mark.parametrize("persona", ["director_a1_1", "teacher_a1_1", "sysadmin", "dpo", "nobody"])
def test_others_are_refused(world: World, persona: str) -> None:
    rnd = prepared(world)
    assert client_for(world, persona).get(f"{URL}?round={rnd.pk}").status_code == 403


def test_anonymous_is_sent_to_login(world: World) -> None:
    r = Client().get(URL)
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login/")


def test_unknown_rounds_are_not_found(world: World) -> None:
    prepared(world)
    c = client_for(world, "me_officer")
    assert c.get(f"{URL}?round=999999").status_code == 404
    assert c.get(f"{URL}?round=abc").status_code == 404


def test_the_default_round_is_the_latest_open_one(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    fw = make_framework(2569)
    monkeypatch.setattr(selectors_quality, "today", lambda: on("2026-04-10"))  # m6 open, m12 not yet
    html = client_for(world, "me_officer").get(URL).content.decode()
    assert round_of(fw, "m6").name_th in html.split("<h1>")[1].split("</h1>")[0]
    monkeypatch.setattr(selectors_quality, "today", lambda: on("2026-10-01"))  # both have opened
    html = client_for(world, "me_officer").get(URL).content.decode()
    assert round_of(fw, "m12").name_th in html.split("<h1>")[1].split("</h1>")[0]


def test_no_round_yet(world: World) -> None:
    html = client_for(world, "me_officer").get(URL).content.decode()
    assert 'data-testid="no-round"' in html


def test_filter_by_region_and_flag_and_sort(world: World) -> None:
    rnd = prepared(world)
    c = client_for(world, "me_officer")
    assert rows_of(c.get(f"{URL}?round={rnd.pk}&region=R01").content.decode()) == ["11201", "21201"]
    assert rows_of(c.get(f"{URL}?round={rnd.pk}&flag=late").content.decode()) == ["15001"]
    assert rows_of(c.get(f"{URL}?round={rnd.pk}&flag=not_submitted").content.decode()) == ["21201"]
    assert rows_of(c.get(f"{URL}?round={rnd.pk}&flag=uncommented").content.decode()) == ["11201"]
    assert rows_of(c.get(f"{URL}?round={rnd.pk}&region=R02&flag=late").content.decode()) == ["15001"]
    by_region = c.get(f"{URL}?round={rnd.pk}&sort=region&dir=desc").content.decode()
    assert rows_of(by_region) == ["15001", "21201", "11201"]
    assert 'aria-sort="descending"' in by_region
    # a1 has the most unanswered warnings (the pd-hours comment rule among them).
    assert rows_of(c.get(f"{URL}?round={rnd.pk}&sort=warnings&dir=desc").content.decode())[0] == "11201"
    assert rows_of(c.get(f"{URL}?round={rnd.pk}&sort=junk").content.decode()) == ["11201", "15001", "21201"]


def test_the_board_runs_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: object
) -> None:
    rnd = prepared(world)
    c = client_for(world, "me_officer")
    c.get(f"{URL}?round={rnd.pk}")
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        small = c.get(f"{URL}?round={rnd.pk}")
    more = [
        make_esa(f"150{i:02d}", f"สำนักงานเขตพื้นที่การศึกษาทดสอบ {i}", world.region_2, "primary", "50", i)
        for i in range(2, 12)
    ]
    round_prefill(actor=SYSTEM, round=rnd, esa_ids=[e.pk for e in more])
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        large = c.get(f"{URL}?round={rnd.pk}")
    assert len(rows_of(small.content.decode())) == 3
    assert len(rows_of(large.content.decode())) == 13
    assert OrgUnit.objects.filter(kind="esa").count() == 13


# --- one report's panel --------------------------------------------------------------------------


def test_the_panel_lists_blocking_issues_and_warnings_with_their_numbers(world: World) -> None:
    rnd = prepared(world)
    report = Report.objects.get(round=rnd, esa=world.esa_a1)
    c = client_for(world, "esa_officer_a1")
    url = reverse("web:report_quality", args=[report.pk])

    page = c.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="quality-panel"' in html
    assert "ยังส่งไม่ได้" in html
    assert "ต้องกรอกร้อยละโรงเรียนที่ได้รับการนิเทศ" in html
    assert "ชั่วโมงพัฒนาครูเฉลี่ยเกิน 120 ชั่วโมงในรอบเดียว โปรดอธิบาย (ชั่วโมงพัฒนาครูเฉลี่ย 150.00 &gt; 120.00)" in html
    warning = html.split('data-code="pd_hours_high_comment"')[1].split("</li>")[0]
    assert "ต้องอธิบาย" in warning
    value = ReportValue.objects.get(report=report, indicator__code="teacher_pd_hours")
    assert f'href="#value-{value.pk}"' in warning
    assert "ยังไม่ได้เขียน “ผลการดำเนินงานและบทเรียน”" in html
    narrative = html.split('data-code="narrative"')[1].split("</li>")[0]
    assert "0 / 80" in narrative
    # Missing pre-filled values are folded away at the end: they need no comment.
    warnings = html.split('data-testid="warning-issues"')[1].split("</ul>")[0]
    assert "missing_prefill" not in warnings
    folded = html.split('data-testid="missing-prefill"')[1].split("</details>")[0]
    assert "ระบบไม่มีข้อมูลอัตราการมาเรียนของเขตพื้นที่นี้" in folded
    assert "ไม่ต้องอธิบาย" in folded

    ReportValue.objects.filter(pk=value.pk).update(comment="อบรมครูทั้งเขต")
    fragment = c.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith("<section")
    assert "<html" not in fragment
    warning = fragment.split('data-code="pd_hours_high_comment"')[1].split("</li>")[0]
    assert "อธิบายแล้ว" in warning


def test_the_panel_in_english(world: World) -> None:
    rnd = prepared(world)
    report = Report.objects.get(round=rnd, esa=world.esa_a1)
    c = client_for(world, "esa_officer_a1")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = c.get(reverse("web:report_quality", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Schools supervised must be filled in" in html
    assert "Cannot be submitted yet" in html


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("esa_officer_a1", 200),
        ("esa_director_a1", 200),
        ("inspector_r1", 200),
        ("me_officer", 200),
        ("executive", 200),
        ("esa_officer_b1", 404),
        ("reviewer", 404),
        ("director_a1_1", 404),
    ],
)
def test_the_panel_is_scoped_like_the_report(world: World, persona: str, status: int) -> None:
    rnd = prepared(world)
    report = Report.objects.get(round=rnd, esa=world.esa_a1)
    assert (
        client_for(world, persona).get(reverse("web:report_quality", args=[report.pk])).status_code == status
    )


def test_a_reviewer_sees_the_panel_of_an_assigned_report(world: World) -> None:
    rnd = prepared(world)
    report = Report.objects.get(round=rnd, esa=world.esa_a1)
    Report.objects.filter(pk=report.pk).update(reviewer=world.user("reviewer"))
    assert (
        client_for(world, "reviewer").get(reverse("web:report_quality", args=[report.pk])).status_code == 200
    )
