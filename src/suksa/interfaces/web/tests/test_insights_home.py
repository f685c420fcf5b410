"""The insights home, the runs and one run: who sees what, the start button, progress, scoping."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from suksa.domains.insights.models import InsightRun, Strength
from suksa.domains.insights.models.choices import RunStatus, RunTrigger, Verdict
from suksa.domains.insights.services import run as run_module
from suksa.domains.insights.services.run import Stage, StageContext
from suksa.domains.insights.tests.objects_runs import b_run_id
from suksa.domains.monitoring.models import Round
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World

pytestmark = pytest.mark.django_db


def _noop(ctx: StageContext) -> dict[str, Any]:
    return {"rows": 0}


@pytest.fixture(autouse=True)
def one_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_module, "_STAGES", {"noop": Stage("noop", 10, "ทดสอบ", "Test", "noop-1", _noop)})


@pytest.fixture
def rnd(world: World) -> Round:
    return round_of(make_framework(2569), "m12")


def client_for(world: World, username: str) -> Client:
    client = Client()
    client.force_login(world.user(username))
    return client


def current_run(rnd: Round) -> InsightRun:
    return InsightRun.objects.create(
        round=rnd, trigger=RunTrigger.CLI, status=RunStatus.DONE, is_current=True,
        stages={"noop": {"status": "done", "seconds": 1.5, "peak_mib": 2.0, "counts": {"rows": 7},
                         "method_version": "noop-1", "finished_at": "2026-11-21T10:00:00+07:00"}},
        method_versions={"noop": "noop-1"}, inputs={"values": 1234, "load_seconds": 0.5},
        parameters={"trace_memory": True},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("username", "status", "start", "provenance"),
    [
        ("me_officer", 200, True, True),
        ("executive", 200, False, True),
        ("inspector_r1", 200, False, False),
        ("esa_director_a1", 200, False, False),
        ("esa_officer_a1", 200, False, False),
        ("reviewer", 403, False, False),
        ("teacher_a1_1", 403, False, False),
    ],
)
def test_home_by_role(
    world: World, rnd: Round, username: str, status: int, start: bool, provenance: bool
) -> None:
    run = current_run(rnd)
    response = client_for(world, username).get("/insights/")
    assert response.status_code == status
    if status != 200:
        return
    body = response.content.decode()
    assert ('data-testid="start-form"' in body) is start
    assert ('data-testid="stages"' in body) is provenance
    assert (f'href="/insights/runs/{run.pk}/"' in body) is provenance
    assert 'data-testid="headline"' in body


def test_anonymous_is_sent_to_login(world: World) -> None:
    response = Client().get("/insights/")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "/accounts/" in response["Location"]


def test_home_before_any_run_says_so(world: World, rnd: Round) -> None:
    from suksa.domains.monitoring.tests.factories import make_report

    make_report(rnd, world.esa_a1)
    body = client_for(world, "me_officer").get("/insights/").content.decode()
    assert 'data-testid="no-run"' in body
    assert "คำนวณข้อมูลเชิงลึก" in body


def test_headline_counts_stay_in_scope(world: World, rnd: Round) -> None:
    run = current_run(rnd)
    for unit in (world.esa_a1, world.esa_b1):
        Strength.objects.create(run=run, unit=unit, domain="learning", peer_group="g", verdict=Verdict.STRONG)
    a = client_for(world, "esa_officer_a1").get("/insights/").content.decode()
    n = client_for(world, "executive").get("/insights/").content.decode()
    assert '<td class="text-end" data-count="strong-weak">1 / 0</td>' in a
    assert '<td class="text-end" data-count="strong-weak">2 / 0</td>' in n


def test_home_links_only_to_pages_that_exist(world: World, rnd: Round) -> None:
    from suksa.interfaces.web.context import maybe_reverse
    from suksa.interfaces.web.views.insights.home import SLICE_PAGES

    body = client_for(world, "executive").get("/insights/").content.decode()
    for name, *_ in SLICE_PAGES:
        key = name.split(":")[1]
        assert (f'data-testid="link-{key}"' in body) is (maybe_reverse(name) is not None), key


def test_home_query_count_does_not_grow_with_results(
    world: World, rnd: Round, django_assert_max_num_queries: Any
) -> None:
    run = current_run(rnd)
    client = client_for(world, "me_officer")
    client.get("/insights/")
    with django_assert_max_num_queries(20) as few:
        client.get("/insights/")
    for unit in (world.esa_a1, world.esa_a2, world.esa_b1):
        for domain in ("learning", "flow", "access"):
            Strength.objects.create(run=run, unit=unit, domain=domain, peer_group="g", verdict=Verdict.WEAK)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/insights/")


def test_only_the_bureau_starts_a_run(world: World, rnd: Round) -> None:
    for username in ("executive", "esa_director_a1", "esa_officer_a1", "inspector_r1"):
        response = client_for(world, username).post("/insights/runs/start/", {"round": rnd.pk})
        assert response.status_code == 403, username
    assert not InsightRun.objects.exists()
    response = client_for(world, "me_officer").post("/insights/runs/start/", {"round": rnd.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/insights/?round={rnd.pk}"
    run = InsightRun.objects.get()
    assert (run.trigger, run.status, run.is_current) == (RunTrigger.WEB, RunStatus.DONE, True)  # inline jobs
    assert run.requested_by == world.user("me_officer")


@pytest.mark.parametrize("raw", ["", "abc", "0", "999999", "-3"])
def test_a_bad_round_is_named(world: World, rnd: Round, raw: str) -> None:
    client = client_for(world, "me_officer")
    response = client.post("/insights/runs/start/", {"round": raw}, follow=True)
    body = response.content.decode()
    assert "round" in body
    assert not InsightRun.objects.exists()


def test_the_start_page_answers_post_only(world: World, rnd: Round) -> None:
    assert client_for(world, "me_officer").get("/insights/runs/start/").status_code == 405


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("me_officer", 200),
        ("executive", 200),
        ("inspector_r1", 403),
        ("esa_officer_a1", 403),
        ("esa_director_a1", 403),
    ],
)
def test_runs_list_matrix(world: World, rnd: Round, username: str, status: int) -> None:
    run = current_run(rnd)
    response = client_for(world, username).get("/insights/runs/")
    assert response.status_code == status
    if status == 200:
        assert f'data-run="{run.pk}"' in response.content.decode()


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("me_officer", 200),
        ("executive", 200),
        ("inspector_r1", 404),
        ("esa_officer_a1", 404),
        ("esa_director_a1", 404),
    ],
)
def test_run_detail_matrix(world: World, username: str, status: int) -> None:
    run_id = b_run_id(world)
    assert client_for(world, username).get(f"/insights/runs/{run_id}/").status_code == status
    assert client_for(world, username).get("/insights/runs/999999/").status_code == 404


def test_run_detail_shows_provenance(world: World, rnd: Round) -> None:
    run = current_run(rnd)
    body = client_for(world, "executive").get(f"/insights/runs/{run.pk}/").content.decode()
    assert 'data-stage="noop" data-status="done"' in body
    assert "rows 7" in body
    assert "<code>noop-1</code>" in body
    assert "1234" in body  # inputs
    assert "trace_memory" in body
    assert 'hx-trigger="every 2s"' not in body  # finished: no polling


def test_an_active_run_is_polled_until_it_ends(world: World, rnd: Round) -> None:
    run = InsightRun.objects.create(round=rnd, trigger=RunTrigger.WEB, status=RunStatus.RUNNING)
    client = client_for(world, "me_officer")
    home = client.get(f"/insights/?round={rnd.pk}").content.decode()
    assert f'hx-get="/insights/runs/{run.pk}/" hx-trigger="every 2s"' in home
    assert "disabled" in home  # no second start while one computes
    partial = client.get(f"/insights/runs/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="run-progress"')
    assert 'data-status="running"' in partial
    assert "Test" in partial or "ทดสอบ" in partial  # the stage computing now
    InsightRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE)
    partial = client.get(f"/insights/runs/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial
