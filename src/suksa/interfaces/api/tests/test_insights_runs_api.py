"""Insights runs over REST: the authorization matrix of each endpoint, starting, validation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from suksa.domains.insights.models import InsightRun
from suksa.domains.insights.models.choices import RunStatus, RunTrigger
from suksa.domains.insights.services import run as run_module
from suksa.domains.insights.services.run import Stage, StageContext
from suksa.domains.insights.tests.objects_runs import b_run_id
from suksa.domains.monitoring.models import Round
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World

pytestmark = pytest.mark.django_db
Client = Callable[..., APIClient]


def _noop(ctx: StageContext) -> dict[str, Any]:
    return {"rows": 3}


@pytest.fixture(autouse=True)
def one_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_module, "_STAGES", {"noop": Stage("noop", 10, "ทดสอบ", "Test", "noop-1", _noop)})


@pytest.fixture
def rnd(world: World) -> Round:
    return round_of(make_framework(2569), "m12")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("me_officer", 200),
        ("executive", 200),
        ("inspector_r1", 403),
        ("esa_director_a1", 403),
        ("esa_officer_b1", 403),
        ("reviewer", 403),
        ("nobody", 403),
        (None, 401),
    ],
)
def test_runs_list_matrix(world: World, client_as: Client, persona: str | None, status: int) -> None:
    run_id = b_run_id(world)
    response = client_as(persona).get("/api/v1/insights/runs/")
    assert response.status_code == status
    if status == 200:
        assert [r["id"] for r in response.json()["results"]] == [run_id]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("me_officer", 200),
        ("executive", 200),
        ("inspector_r1", 404),
        ("esa_director_a1", 404),
        ("esa_officer_a1", 404),
        ("reviewer", 403),
        ("nobody", 403),
        (None, 401),
    ],
)
def test_run_detail_matrix(world: World, client_as: Client, persona: str | None, status: int) -> None:
    run_id = b_run_id(world)
    assert client_as(persona).get(f"/api/v1/insights/runs/{run_id}/").status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("executive", 403),
        ("inspector_r1", 403),
        ("esa_director_a1", 403),
        ("esa_officer_a1", 403),
        ("nobody", 403),
        (None, 401),
    ],
)
def test_only_the_bureau_starts(
    world: World, rnd: Round, client_as: Client, persona: str | None, status: int
) -> None:
    assert (
        client_as(persona).post("/api/v1/insights/runs/", {"round": rnd.pk}, format="json").status_code
        == status
    )
    assert not InsightRun.objects.exists()


def test_start_computes_and_reports_provenance(world: World, rnd: Round, client_as: Client) -> None:
    response = client_as("me_officer").post("/api/v1/insights/runs/", {"round": rnd.pk}, format="json")
    assert response.status_code == 202
    body = response.json()
    run = InsightRun.objects.get()
    assert body["id"] == run.pk
    assert (body["round"], body["trigger"], body["status"], body["is_current"]) == (
        "2569/m12",
        "api",
        "done",
        True,
    )
    assert body["requested_by"] == "me_officer"
    assert body["method_versions"] == {"noop": "noop-1"}
    assert [(s["key"], s["status"], s["counts"]) for s in body["stages"]] == [("noop", "done", {"rows": 3})]
    assert body["progress"]["stages_done"] == 1
    assert body["progress"]["finished"] is True
    detail = client_as("executive").get(f"/api/v1/insights/runs/{run.pk}/").json()
    assert detail["stages"] == body["stages"]


def test_a_second_start_returns_the_active_run(
    world: World, rnd: Round, client_as: Client, settings: Any
) -> None:
    settings.SUKSA_JOBS_INLINE = False
    settings.SUKSA_JOBS_MODE = "worker"
    first = client_as("me_officer").post("/api/v1/insights/runs/", {"round": rnd.pk}, format="json").json()
    second = client_as("me_officer").post("/api/v1/insights/runs/", {"round": rnd.pk}, format="json").json()
    assert first["id"] == second["id"]
    assert first["status"] == "queued"
    assert InsightRun.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({}, "required"),
        ({"round": "x"}, "invalid"),
        ({"round": 0}, "min_value"),
        ({"round": 999999}, "unknown_round"),
    ],
)
def test_bad_round_is_named(
    world: World, rnd: Round, client_as: Client, payload: dict[str, Any], code: str
) -> None:
    response = client_as("me_officer").post("/api/v1/insights/runs/", payload, format="json")
    assert response.status_code == 400
    problems = response.json()["errors"]
    assert [(p["code"], p["field"]) for p in problems] == [(code, "round")]
    assert all(p["message_th"] and p["message_en"] for p in problems)
    assert not InsightRun.objects.exists()


def test_list_filters_by_round(world: World, rnd: Round, client_as: Client) -> None:
    other = round_of(make_framework(2568), "m12")
    mine = InsightRun.objects.create(round=rnd, trigger=RunTrigger.CLI, status=RunStatus.DONE)
    InsightRun.objects.create(round=other, trigger=RunTrigger.CLI, status=RunStatus.DONE)
    body = client_as("executive").get(f"/api/v1/insights/runs/?round={rnd.pk}").json()
    assert [r["id"] for r in body["results"]] == [mine.pk]
    assert client_as("executive").get("/api/v1/insights/runs/?round=abc").status_code == 400
