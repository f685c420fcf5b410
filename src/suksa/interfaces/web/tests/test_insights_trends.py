"""Trend pages: the list (own unit by default, filters, sentence, slope, sparkline with its text) and
one trend's series with sources; authorization per endpoint; bad input; bounded queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from suksa.core.models import OrgUnit
from suksa.domains.insights.models import InsightRun, Trend
from suksa.domains.insights.models.choices import DataQuality, TrendDirection
from suksa.domains.insights.tests.objects_schools import any_round, current_run
from suksa.domains.insights.tests.objects_trends import b_trend_id, make_trend
from suksa.domains.monitoring.models import Report, ReportValue
from tests.factories import World, make_esa

pytestmark = pytest.mark.django_db


def client_for(world: World, name: str) -> Client:
    c = Client()
    c.force_login(world.user(name))
    return c


@pytest.fixture
def run(world: World) -> InsightRun:
    run = current_run(any_round())
    for unit in (world.nation, world.region_1, world.region_2, world.esa_a1, world.esa_a2, world.esa_b1):
        make_trend(run, unit)
    make_trend(
        run, world.esa_a1, indicator="onet_mean_p6", direction=TrendDirection.FLAT, good=None, significant=False,
        p_value=0.41, quality=DataQuality.LABELLED, outliers=["2564"], change_points=["2566"],
        sentence_th="คะแนนเฉลี่ย O-NET ป.6ไม่มีแนวโน้มที่ชัดเจน", sentence_en="O-NET P6 shows no significant trend",
    )  # fmt: skip
    return run


def _trend(run: InsightRun, unit: OrgUnit, indicator: str = "dropout_rate") -> Trend:
    return Trend.objects.get(run=run, unit=unit, indicator=indicator)


def test_esa_staff_see_their_own_unit_first_and_its_region_and_the_nation_on_request(
    world: World, run: InsightRun
) -> None:
    c = client_for(world, "esa_officer_a1")
    page = c.get(reverse("web:insights_trends"))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<tr data-trend=") == 2
    assert f'data-unit="{world.esa_a1.code}" data-indicator="dropout_rate" data-direction="down"' in html
    assert "ลดลงต่อเนื่อง 6 ปี ปีละ 0.3 จุด, มีนัยสำคัญ (11201)" in html
    assert html.count("<polyline") == 2  # sparkline and its text
    assert "2562: 3.00; 2563: 2.70" in html
    assert 'data-testid="quality"' in html  # the labelled O-NET trend
    every = c.get(
        reverse("web:insights_trends"), {"unit": "all", "indicator": "dropout_rate"}
    ).content.decode()
    units = {line.split('data-unit="')[1].split('"')[0] for line in every.split("<tr data-trend=")[1:]}
    assert units == {world.nation.code, world.region_1.code, world.esa_a1.code}
    for other in (world.esa_b1, world.esa_a2, world.region_2):
        assert f'data-unit="{other.code}"' not in every


def test_national_reader_sees_every_unit_and_filters_by_direction(world: World, run: InsightRun) -> None:
    c = client_for(world, "executive")
    default = c.get(reverse("web:insights_trends")).content.decode()
    assert default.count("<tr data-trend=") == 1  # their own unit: the nation
    page = c.get(reverse("web:insights_trends"), {"unit": "all", "direction": "flat"})
    assert page.status_code == 200
    assert page.content.decode().count("<tr data-trend=") == 1
    every = c.get(reverse("web:insights_trends"), {"unit": "all"}).content.decode()
    assert every.count("<tr data-trend=") == 7
    # The nation first, then the regions, then the ESAs.
    assert every.index(f'data-unit="{world.nation.code}"') < every.index(f'data-unit="{world.region_1.code}"')
    assert every.index(f'data-unit="{world.region_2.code}"') < every.index(f'data-unit="{world.esa_a1.code}"')


def test_esa_a_staff_cannot_ask_for_esa_b(world: World, run: InsightRun) -> None:
    c = client_for(world, "esa_officer_a1")
    assert c.get(reverse("web:insights_trends"), {"unit": world.esa_b1.pk}).status_code == 404
    assert c.get(reverse("web:insights_trend", args=[_trend(run, world.esa_b1).pk])).status_code == 404
    assert c.get(reverse("web:insights_trend", args=[b_trend_id(world)])).status_code == 404
    assert c.get(reverse("web:insights_trend", args=[b_trend_id(world) + 1000])).status_code == 404  # unknown


def test_inspector_sees_the_esas_of_their_region_only(world: World, run: InsightRun) -> None:
    c = client_for(world, "inspector_r1")
    assert c.get(reverse("web:insights_trend", args=[_trend(run, world.esa_a2).pk])).status_code == 200
    assert c.get(reverse("web:insights_trend", args=[_trend(run, world.esa_b1).pk])).status_code == 404
    assert c.get(reverse("web:insights_trend", args=[_trend(run, world.nation).pk])).status_code == 200


@pytest.mark.parametrize("name", ["teacher_a1_1", "director_a1_1", "dpo", "nobody"])
def test_roles_without_insights_view_are_refused(world: World, run: InsightRun, name: str) -> None:
    c = client_for(world, name)
    assert c.get(reverse("web:insights_trends")).status_code == 403
    assert c.get(reverse("web:insights_trend", args=[_trend(run, world.esa_a1).pk])).status_code == 403


def test_anonymous_is_sent_to_log_in(world: World, run: InsightRun) -> None:
    page = Client().get(reverse("web:insights_trends"))
    assert page.status_code == 302


@pytest.mark.parametrize(
    ("params", "field_en"),
    [
        ({"round": "x"}, "Invalid round (round)"),
        ({"unit": "-3"}, "Invalid unit (unit)"),
        ({"indicator": "no_such"}, "Invalid indicator: no catalogue code no_such"),
        ({"direction": "sideways"}, "Invalid direction; use one of"),
    ],
)
def test_bad_filters_are_explained_in_both_languages(
    world: World, run: InsightRun, params: dict[str, str], field_en: str
) -> None:
    page = client_for(world, "executive").get(reverse("web:insights_trends"), params)
    html = page.content.decode()
    assert page.status_code == 400
    assert 'data-testid="problems"' in html
    assert field_en in html
    assert "ไม่ถูกต้อง" in html
    assert "<tr data-trend=" not in html


def test_no_run_yet_says_so(world: World) -> None:
    any_round()
    page = client_for(world, "executive").get(reverse("web:insights_trends"))
    assert page.status_code == 200
    assert 'data-testid="no-run"' in page.content.decode()


def test_the_detail_shows_each_value_with_its_period_source_and_marks(world: World, run: InsightRun) -> None:
    t = _trend(run, world.esa_a1, "onet_mean_p6")
    page = client_for(world, "esa_director_a1").get(reverse("web:insights_trend", args=[t.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<tr data-period=") == 6
    assert '<tr data-period="2564" class="table-danger" data-outlier="1">' in html
    assert '<tr data-period="2566" class="table-info" data-change-point="1">' in html
    assert "core.IndicatorValue #1002" in html
    assert reverse("web:unit_indicators", kwargs={"code": world.esa_a1.code}) in html
    assert "O-NET P6 shows no significant trend" in html or "คะแนนเฉลี่ย O-NET" in html


def test_a_reported_value_links_to_its_report(world: World, run: InsightRun) -> None:
    rnd = run.round
    report = Report.objects.create(round=rnd, esa=world.esa_a1)
    from suksa.domains.monitoring.models import Indicator

    ind = Indicator.objects.filter(is_current=True, source_kind="reported").first()
    assert ind is not None
    value = ReportValue.objects.create(report=report, indicator=ind, value=80.0)
    t = make_trend(
        run, world.esa_a1, indicator=ind.code, series=[["2569/m12", 80.0]], period_kind="round",
        direction=TrendDirection.TOO_FEW, significant=False,
    )  # fmt: skip
    t.data["points"][0]["source"] = {"model": "monitoring.ReportValue", "id": value.pk}
    t.save()
    html = (
        client_for(world, "esa_officer_a1").get(reverse("web:insights_trend", args=[t.pk])).content.decode()
    )
    assert reverse("web:report_detail", args=[report.pk]) in html


def test_the_list_needs_the_same_queries_for_three_esas_or_thirty(
    world: World, run: InsightRun, django_assert_max_num_queries: Any
) -> None:
    c = client_for(world, "executive")
    c.get(reverse("web:insights_trends"), {"unit": "all"})  # warm the session and caches
    with django_assert_max_num_queries(14) as few:
        c.get(reverse("web:insights_trends"), {"unit": "all"})
    for i in range(27):
        esa = make_esa(f"9{i:04d}", f"สพท.ทดสอบ {i}", world.region_2, "primary", "50", 30 + i)
        make_trend(run, esa)
        make_trend(run, esa, indicator="onet_mean_p6")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = c.get(reverse("web:insights_trends"), {"unit": "all"})
    assert page.content.decode().count("<tr data-trend=") == 7 + 54
