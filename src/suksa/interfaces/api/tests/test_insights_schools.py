"""School models over REST: groups visible by scope, one group's deviants, authorization."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from suksa.domains.insights.models import InsightRun, SchoolGroup
from suksa.domains.insights.tests.objects_schools import (
    B_GROUP,
    any_round,
    b_group_id,
    current_run,
    group_with,
)
from tests.factories import World

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]
API = "/api/v1/insights"


@pytest.fixture
def run(world: World) -> InsightRun:
    run = current_run(any_round())
    group_with(
        run,
        "onet_mean_p6|primary|small|rural",
        [world.esa_a1, world.esa_b1],
        [world.school_a1_1, world.school_b1_1],
    )
    return run


def test_models_list_groups_by_scope(world: World, run: InsightRun, client_as: Client) -> None:
    b_group_id(world)
    full = client_as("executive").get(f"{API}/school-models/").json()
    assert full["run_id"] == run.pk
    assert full["national"] is True
    assert [g["key"] for g in full["groups"]] == ["onet_mean_p6|primary|small|rural", B_GROUP]
    mine = client_as("esa_officer_a1").get(f"{API}/school-models/").json()
    assert mine["national"] is False
    assert [g["key"] for g in mine["groups"]] == ["onet_mean_p6|primary|small|rural"]
    # Evidence of ESA B's schools is left out for an ESA A reader.
    assert [e["school"] for e in mine["groups"][0]["evidence"]] == [world.school_a1_1.code]


def test_a_group_shows_only_your_own_schools(world: World, run: InsightRun, client_as: Client) -> None:
    group = SchoolGroup.objects.get(run=run, key="onet_mean_p6|primary|small|rural")
    a1 = client_as("esa_officer_a1").get(f"{API}/school-models/{group.pk}/").json()
    assert [r["school_code"] for r in a1["rows"]] == [world.school_a1_1.code]
    assert a1["hidden"] == 1
    assert a1["rows"][0]["residual"] == 8.0
    assert a1["rows"][0]["details"]["se"] == 1.25
    full = client_as("me_officer").get(f"{API}/school-models/{group.pk}/").json()
    assert sorted(r["school_code"] for r in full["rows"]) == sorted(
        [world.school_a1_1.code, world.school_b1_1.code]
    )
    assert full["hidden"] == 0


@pytest.mark.parametrize(
    ("user", "status"),
    [("executive", 200), ("me_officer", 200), ("inspector_r1", 404), ("esa_director_a1", 404),
     ("esa_officer_a1", 404), ("esa_officer_b1", 200), ("director_a1_1", 403), ("nobody", 403)],
)  # fmt: skip
def test_group_authorization(world: World, client_as: Client, user: str, status: int) -> None:
    group_id = b_group_id(world)
    assert client_as(user).get(f"{API}/school-models/{group_id}/").status_code == status


def test_bad_round_names_the_field(world: World, client_as: Client) -> None:
    response = client_as("executive").get(f"{API}/school-models/?round=abc")
    assert response.status_code == 400
    assert "round" in str(response.json())
