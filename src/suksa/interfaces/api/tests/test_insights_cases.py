"""Work checks and case studies over REST: scoped rows, authorization, bilingual problems."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from suksa.domains.insights.models import InsightRun
from suksa.domains.insights.tests.objects_cases import b_esa, check_of, pick_of, report_with_work
from suksa.domains.insights.tests.objects_schools import any_round, current_run
from tests.factories import World

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]
API = "/api/v1/insights"


@pytest.fixture
def run(world: World) -> InsightRun:
    rnd = any_round()
    run = current_run(rnd)
    check_of(run, report_with_work(rnd, world.esa_a1, codes=["dropout_rate"], title="งานของ A"), world.esa_a1)
    b_esa(world)
    pick_of(run, world.esa_b1, 1)
    pick_of(run, world.esa_a1, 2)
    return run


def test_work_checks_summary_and_detail(world: World, run: InsightRun, client_as: Client) -> None:
    full = client_as("me_officer").get(f"{API}/work-checks/").json()
    assert [s["code"] for s in full["summary"]] == [world.esa_a1.code, world.esa_b1.code]
    assert full["summary"][0]["counts"] == {"supported": 1}
    mine = client_as("esa_officer_a1").get(f"{API}/work-checks/?esa={world.esa_a1.pk}").json()
    assert [s["code"] for s in mine["summary"]] == [world.esa_a1.code]
    assert [c["title"] for c in mine["checks"]] == ["งานของ A"]
    assert mine["checks"][0]["reasons"][0]["text_en"] == "Dropout rate: a significant improving trend"


@pytest.mark.parametrize(
    ("user", "status"),
    [("executive", 200), ("me_officer", 200), ("inspector_r1", 404), ("esa_director_a1", 404),
     ("esa_officer_a1", 404), ("esa_officer_b1", 200), ("director_a1_1", 403), ("nobody", 403)],
)  # fmt: skip
def test_work_checks_authorization(world: World, client_as: Client, user: str, status: int) -> None:
    esa = b_esa(world)
    assert client_as(user).get(f"{API}/work-checks/?esa={esa}").status_code == status


def test_cases_by_scope(world: World, run: InsightRun, client_as: Client) -> None:
    full = client_as("executive").get(f"{API}/cases/").json()
    assert [p["esa_code"] for p in full["picks"]] == [world.esa_b1.code, world.esa_a1.code]
    assert full["total"] == 2
    assert full["national"] is True
    mine = client_as("esa_director_a1").get(f"{API}/cases/").json()
    assert [p["esa_code"] for p in mine["picks"]] == [world.esa_a1.code]
    assert mine["total"] == 2
    assert mine["national"] is False
    assert world.esa_b1.code not in str(mine)
    assert client_as("director_a1_1").get(f"{API}/cases/").status_code == 403


def test_bad_esa_names_the_field(world: World, client_as: Client) -> None:
    response = client_as("executive").get(f"{API}/work-checks/?esa=0")
    assert response.status_code == 400
    assert "esa" in str(response.json())
