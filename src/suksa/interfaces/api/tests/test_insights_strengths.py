"""Strengths and efficiency over REST: scoped rows, aggregates for the rest, authorization and
bilingual problems naming the field."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from suksa.domains.insights.models import InsightRun
from suksa.domains.insights.tests.objects_schools import any_round, current_run
from suksa.domains.insights.tests.objects_strengths import b_unit_id, make_efficiency, make_strength
from tests.factories import World

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]
API = "/api/v1/insights"


@pytest.fixture
def run(world: World) -> InsightRun:
    run = current_run(any_round())
    make_strength(run, world.esa_a1, score=1.5, verdict="strong")
    make_strength(run, world.esa_a1, domain="flow", score=0.1)
    make_strength(run, world.esa_a1, indicator="onet_mean_p6", score=1.2, verdict="strong")
    make_strength(run, world.esa_b1, score=-1.7, verdict="weak")
    make_efficiency(run, world.esa_a1, score=0.8, peers=[{"unit_id": world.esa_b1.pk, "code": world.esa_b1.code, "weight": 1.0}])  # fmt: skip
    make_efficiency(run, world.esa_b1)
    return run


def test_board_for_national_and_scoped_readers(world: World, run: InsightRun, client_as: Client) -> None:
    full = client_as("executive").get(f"{API}/strengths/?domain=learning")
    assert full.status_code == 200
    body = full.json()
    assert body["sees_all"] is True
    assert body["run_id"] == run.pk
    assert [r["unit_code"] for r in body["rows"]] == [world.esa_a1.code, world.esa_b1.code]
    assert body["rows"][0]["low"] == 1.0
    assert body["rows"][0]["verdict"] == "strong"
    mine = client_as("esa_officer_a1").get(f"{API}/strengths/").json()
    assert mine["sees_all"] is False
    assert [r["unit_code"] for r in mine["rows"]] == [world.esa_a1.code]
    assert mine["verdict_counts"] == {"strong": 1, "weak": 1}
    assert mine["total"] == 2
    assert world.esa_b1.code not in str(mine)


def test_unit_strengths_in_scope_only(world: World, run: InsightRun, client_as: Client) -> None:
    a1 = client_as("esa_officer_a1")
    ok = a1.get(f"{API}/strengths/{world.esa_a1.pk}/")
    assert ok.status_code == 200
    body = ok.json()
    assert [d["domain"] for d in body["domains"]] == ["learning", "flow"]
    assert [i["indicator"] for i in body["indicators"]] == ["onet_mean_p6"]
    assert body["domains"][0]["data"]["indicators"][0]["values"][0]["source"] == {
        "model": "core.IndicatorValue",
        "id": 1,
    }
    assert a1.get(f"{API}/strengths/{world.esa_b1.pk}/").status_code == 404
    assert a1.get(f"{API}/strengths/{world.nation.pk}/").status_code == 404
    assert client_as("executive").get(f"{API}/strengths/{world.esa_b1.pk}/").status_code == 200


def test_efficiency_anonymises_peers_for_scoped_users(
    world: World, run: InsightRun, client_as: Client
) -> None:
    mine = client_as("esa_officer_a1").get(f"{API}/efficiency/?model=bcc")
    assert mine.status_code == 200
    rows = mine.json()["rows"]
    assert [r["unit_code"] for r in rows] == [world.esa_a1.code]
    assert rows[0]["peers"] == [{"label_th": "เขตอ้างอิง 1", "label_en": "Reference ESA 1", "weight": 1.0, "unit_id": None, "code": ""}]  # fmt: skip
    assert rows[0]["reference"]["outputs"] == {"onet_mean_m3": 30.0, "retention": 99.0}
    assert world.esa_b1.code not in str(mine.json())
    assert mine.json()["summary"]["units"] == 2
    full = client_as("executive").get(f"{API}/efficiency/").json()
    a1 = next(r for r in full["rows"] if r["unit_code"] == world.esa_a1.code)
    assert a1["peers"][0]["unit_id"] == world.esa_b1.pk


def test_authorization_matrix(world: World, run: InsightRun, client_as: Client) -> None:
    b_id = b_unit_id(world)
    for persona in ("nobody", "director_a1_1", "sysadmin"):
        c = client_as(persona)
        assert c.get(f"{API}/strengths/").status_code == 403
        assert c.get(f"{API}/efficiency/").status_code == 403
        assert c.get(f"{API}/strengths/{world.esa_a1.pk}/").status_code == 403
    assert client_as(None).get(f"{API}/strengths/").status_code in (401, 403)
    for persona in ("esa_officer_a1", "esa_director_a1", "inspector_r1"):
        assert client_as(persona).get(f"{API}/strengths/{b_id}/").status_code == 404
    assert client_as("esa_officer_b1").get(f"{API}/strengths/{b_id}/").status_code == 200


def test_bad_input_names_the_field(world: World, run: InsightRun, client_as: Client) -> None:
    c = client_as("executive")
    bad = c.get(f"{API}/strengths/?domain=poetry&round=x")
    assert bad.status_code == 400
    assert sorted(p["field"] for p in bad.json()["errors"]) == ["domain", "round"]
    eff = c.get(f"{API}/efficiency/?model=sbm")
    assert eff.status_code == 400, eff.content
    assert eff.json()["errors"][0]["field"] == "model"
    assert c.get(f"{API}/strengths/?round=0").status_code == 400
    assert c.get(f"{API}/strengths/?round=999999").status_code == 404
