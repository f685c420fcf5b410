"""Trends API: list (scoped, filtered, paginated) and detail with evidence; authorization; bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from suksa.domains.insights.models import InsightRun, Trend
from suksa.domains.insights.models.choices import DataQuality, TrendDirection
from suksa.domains.insights.tests.objects_schools import any_round, current_run
from suksa.domains.insights.tests.objects_trends import b_trend_id, make_trend
from tests.factories import World, make_esa

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]
API = "/api/v1/insights"


@pytest.fixture
def run(world: World) -> InsightRun:
    run = current_run(any_round())
    for unit in (world.nation, world.region_1, world.region_2, world.esa_a1, world.esa_a2, world.esa_b1):
        make_trend(run, unit)
    make_trend(
        run, world.esa_a1, indicator="onet_mean_p6", direction=TrendDirection.FLAT, good=None, significant=False,
        p_value=0.41, quality=DataQuality.LABELLED, outliers=["2564"],
    )  # fmt: skip
    return run


def _codes(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r["unit_code"], r["indicator"]) for r in body["results"]]


def test_the_list_shows_own_esa_and_the_region_and_nation_above_it(
    world: World, run: InsightRun, client_as: Client
) -> None:
    body = client_as("esa_officer_a1").get(f"{API}/trends/").json()
    assert _codes(body) == [
        (world.nation.code, "dropout_rate"),
        (world.region_1.code, "dropout_rate"),
        (world.esa_a1.code, "dropout_rate"),
        (world.esa_a1.code, "onet_mean_p6"),
    ]
    row = body["results"][0]
    assert row["direction"] == "down"
    assert row["significant"] is True
    assert row["good"] is True
    assert row["slope"] == -0.3
    assert row["n"] == 6
    assert row["unit_kind"] == "nation"
    assert row["series"][0] == ["2562", 3.0]
    assert "data" not in row


def test_the_list_filters_by_unit_indicator_and_direction(
    world: World, run: InsightRun, client_as: Client
) -> None:
    c = client_as("executive")
    assert body_count(c, "") == 7
    assert _codes(c.get(f"{API}/trends/?unit={world.esa_b1.pk}").json()) == [
        (world.esa_b1.code, "dropout_rate")
    ]
    assert _codes(c.get(f"{API}/trends/?indicator=onet_mean_p6").json()) == [
        (world.esa_a1.code, "onet_mean_p6")
    ]
    assert _codes(c.get(f"{API}/trends/?direction=flat").json()) == [(world.esa_a1.code, "onet_mean_p6")]
    assert body_count(c, f"?round={run.round_id}") == 7


def body_count(c: APIClient, query: str) -> int:
    return int(c.get(f"{API}/trends/{query}").json()["count"])


def test_the_detail_carries_the_points_and_their_sources(
    world: World, run: InsightRun, client_as: Client
) -> None:
    t = Trend.objects.get(run=run, unit=world.esa_a1, indicator="dropout_rate")
    body = client_as("esa_director_a1").get(f"{API}/trends/{t.pk}/").json()
    assert body["id"] == t.pk
    assert body["unit_code"] == world.esa_a1.code
    assert body["data"]["points"][0] == {
        "period": "2562", "t": 2562.0, "value": 3.0, "used": True,
        "source": {"model": "core.IndicatorValue", "id": 1000},
    }  # fmt: skip
    assert body["sentence_en"].startswith("Dropout rate fell for 6 years")


def test_authorization_matrix(world: World, run: InsightRun, client_as: Client) -> None:
    b_id = b_trend_id(world)
    a_id = Trend.objects.get(run=run, unit=world.esa_a1, indicator="dropout_rate").pk
    for persona in ("nobody", "director_a1_1", "teacher_a1_1", "sysadmin", "dpo"):
        c = client_as(persona)
        assert c.get(f"{API}/trends/").status_code == 403
        assert c.get(f"{API}/trends/{a_id}/").status_code == 403
    assert client_as(None).get(f"{API}/trends/").status_code in (401, 403)
    for persona in ("esa_officer_a1", "esa_director_a1", "inspector_r1"):
        c = client_as(persona)
        assert c.get(f"{API}/trends/{b_id}/").status_code == 404
        assert c.get(f"{API}/trends/?unit={world.esa_b1.pk}").status_code == 404
        assert world.esa_b1.code not in {code for code, _ in _codes(c.get(f"{API}/trends/").json())}
    assert client_as("esa_officer_b1").get(f"{API}/trends/{b_id}/").status_code == 200
    assert client_as("esa_officer_b1").get(f"{API}/trends/{a_id}/").status_code == 404
    assert client_as("executive").get(f"{API}/trends/{b_id + 10_000}/").status_code == 404


def test_bad_input_names_the_field(world: World, run: InsightRun, client_as: Client) -> None:
    c = client_as("executive")
    bad = c.get(f"{API}/trends/?direction=sideways&round=x&unit=0")
    assert bad.status_code == 400
    assert sorted(p["field"] for p in bad.json()["errors"]) == ["direction", "round", "unit"]
    unknown = c.get(f"{API}/trends/?indicator=no_such")
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "indicator"
    assert c.get(f"{API}/trends/?round=999999").status_code == 404


def test_the_list_needs_the_same_queries_for_three_esas_or_thirty(
    world: World, run: InsightRun, client_as: Client, django_assert_max_num_queries: Any
) -> None:
    c = client_as("executive")
    c.get(f"{API}/trends/?limit=200")
    with django_assert_max_num_queries(12) as few:
        c.get(f"{API}/trends/?limit=200")
    for i in range(27):
        make_trend(run, make_esa(f"9{i:04d}", f"สพท.ทดสอบ {i}", world.region_2, "primary", "50", 30 + i))
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = c.get(f"{API}/trends/?limit=200").json()
    assert body["count"] == 7 + 27
