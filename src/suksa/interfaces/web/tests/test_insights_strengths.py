"""Strength and efficiency pages: national readers see every ESA ranked with intervals; an ESA's
staff see their own rows and aggregates only; each endpoint's authorization and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from suksa.domains.insights.models import InsightRun
from suksa.domains.insights.tests.objects_schools import any_round, current_run
from suksa.domains.insights.tests.objects_strengths import b_unit_id, make_efficiency, make_strength
from tests.factories import World, make_esa

pytestmark = pytest.mark.django_db


def client_for(world: World, name: str) -> Client:
    c = Client()
    c.force_login(world.user(name))
    return c


@pytest.fixture
def run(world: World) -> InsightRun:
    run = current_run(any_round())
    make_strength(run, world.esa_a1, score=1.5, verdict="strong", peer_median=0.1)
    make_strength(run, world.esa_a1, indicator="onet_mean_p6", score=1.2, verdict="strong")
    make_strength(run, world.esa_a2, score=0.2, verdict="typical")
    make_strength(run, world.esa_b1, score=-1.7, verdict="weak", sentence_th="ลับ ESA B", peer_median=-0.05)
    make_efficiency(run, world.esa_a1, score=0.8, peers=[
        {"unit_id": world.esa_b1.pk, "code": world.esa_b1.code, "weight": 0.6},
        {"unit_id": world.esa_a2.pk, "code": world.esa_a2.code, "weight": 0.4},
    ])  # fmt: skip
    make_efficiency(run, world.esa_a2)
    make_efficiency(run, world.esa_b1)
    return run


def test_national_reader_sees_every_esa_ranked_with_intervals(world: World, run: InsightRun) -> None:
    page = client_for(world, "executive").get(reverse("web:insights_strengths"), {"domain": "learning"})
    html = page.content.decode()
    assert page.status_code == 200
    codes = [world.esa_a1.code, world.esa_a2.code, world.esa_b1.code]
    positions = [html.index(f'<tr data-esa="{c}"') for c in codes]
    assert positions == sorted(positions)  # best first
    assert f'<tr data-esa="{world.esa_a1.code}" data-verdict="strong" class="table-success">' in html
    assert f'<tr data-esa="{world.esa_b1.code}" data-verdict="weak" class="table-danger">' in html
    assert 'data-testid="intervals"' in html
    assert html.count("<circle") == 3
    assert "1.00 – 2.00" in html  # a1's interval in the table
    assert 'data-testid="scoped-note"' not in html


def test_esa_staff_see_their_own_row_and_aggregates_only(world: World, run: InsightRun) -> None:
    page = client_for(world, "esa_officer_a1").get(reverse("web:insights_strengths"))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-esa="{world.esa_a1.code}"' in html
    for other in (world.esa_b1, world.esa_a2):
        assert other.code not in html
        assert other.name_th not in html
    assert "ลับ ESA B" not in html
    assert "-1.70" not in html
    assert 'data-testid="scoped-note"' in html
    assert '<li class="list-inline-item me-3" data-verdict="weak">' in html  # counted, not named
    assert html.count("<circle") == 1


def test_unit_page_shows_domains_and_evidence_in_scope_only(world: World, run: InsightRun) -> None:
    a1 = client_for(world, "esa_officer_a1")
    page = a1.get(reverse("web:insights_unit_strengths", args=[world.esa_a1.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-domain="learning" data-verdict="strong"' in html
    assert 'data-indicator="onet_mean_p6"' in html
    assert "core.IndicatorValue #1" in html
    assert a1.get(reverse("web:insights_unit_strengths", args=[world.esa_b1.pk])).status_code == 404
    assert a1.get(reverse("web:insights_unit_strengths", args=[world.region_1.pk])).status_code == 404
    assert a1.get(reverse("web:insights_unit_strengths", args=[999999])).status_code == 404
    assert client_for(world, "executive").get(reverse("web:insights_unit_strengths", args=[world.esa_b1.pk])).status_code == 200  # fmt: skip
    inspector = client_for(world, "inspector_r1")
    assert inspector.get(reverse("web:insights_unit_strengths", args=[world.esa_a2.pk])).status_code == 200
    assert inspector.get(reverse("web:insights_unit_strengths", args=[world.esa_b1.pk])).status_code == 404


def test_efficiency_peers_are_anonymised_for_scoped_users(world: World, run: InsightRun) -> None:
    mine = client_for(world, "esa_officer_a1").get(reverse("web:insights_efficiency"), {"model": "bcc"})
    html = mine.content.decode()
    assert mine.status_code == 200
    assert f'data-esa="{world.esa_a1.code}"' in html
    assert world.esa_b1.code not in html
    assert world.esa_b1.name_th not in html
    assert world.esa_a2.name_th not in html
    assert "เขตอ้างอิง 1 (0.60)" in html
    assert "เขตอ้างอิง 2 (0.40)" in html
    assert "teachers_per_100: 5.00" in html  # composite benchmark = 0.6·5 + 0.4·5
    full = client_for(world, "executive").get(reverse("web:insights_efficiency")).content.decode()
    assert f"{world.esa_b1.name_th} (0.60)" in full
    inspector = client_for(world, "inspector_r1").get(reverse("web:insights_efficiency")).content.decode()
    assert f"{world.esa_a2.name_th} (0.40)" in inspector
    assert world.esa_b1.name_th not in inspector


def test_every_endpoint_refuses_users_without_insights(world: World, run: InsightRun) -> None:
    for name in ("nobody", "director_a1_1", "sysadmin"):
        c = client_for(world, name)
        assert c.get(reverse("web:insights_strengths")).status_code == 403
        assert c.get(reverse("web:insights_efficiency")).status_code == 403
        assert c.get(reverse("web:insights_unit_strengths", args=[world.esa_a1.pk])).status_code == 403
    anonymous = Client().get(reverse("web:insights_strengths"))
    assert anonymous.status_code == 302


def test_route_matrix_object_of_esa_b_is_unreachable(world: World) -> None:
    unit_id = b_unit_id(world)
    for name in ("esa_officer_a1", "esa_director_a1", "inspector_r1"):
        assert (
            client_for(world, name).get(reverse("web:insights_unit_strengths", args=[unit_id])).status_code
            == 404
        )
    assert client_for(world, "esa_officer_b1").get(reverse("web:insights_unit_strengths", args=[unit_id])).status_code == 200  # fmt: skip


def test_bad_input_names_the_field(world: World, run: InsightRun) -> None:
    c = client_for(world, "executive")
    bad = c.get(reverse("web:insights_strengths"), {"domain": "poetry", "round": "x"})
    html = bad.content.decode()
    assert bad.status_code == 400
    assert "(domain)" in html
    assert "(round)" in html
    eff = c.get(reverse("web:insights_efficiency"), {"model": "sbm"})
    assert eff.status_code == 400
    assert "(model)" in eff.content.decode()
    assert c.get(reverse("web:insights_strengths"), {"round": "999999"}).status_code == 404


def test_no_run_yet_is_explained(world: World) -> None:
    any_round()
    page = client_for(world, "executive").get(reverse("web:insights_strengths"))
    assert page.status_code == 200
    assert 'data-testid="no-run"' in page.content.decode()


def test_query_count_does_not_grow_with_esas(
    world: World, run: InsightRun, django_assert_max_num_queries: Any
) -> None:
    c = client_for(world, "executive")
    c.get(reverse("web:insights_strengths"))  # warm the session
    with django_assert_max_num_queries(14):
        assert c.get(reverse("web:insights_strengths")).status_code == 200
    with django_assert_max_num_queries(14):
        assert c.get(reverse("web:insights_efficiency")).status_code == 200
    for i in range(12):
        esa = make_esa(f"190{i:02d}", f"สพป.ทดสอบ {i}", world.region_2, "primary", "50", 10 + i)
        make_strength(run, esa, score=i / 10)
        make_efficiency(run, esa, score=0.9, peers=[{"unit_id": world.esa_a1.pk, "code": "x", "weight": 1.0}])
    with django_assert_max_num_queries(14):
        page = c.get(reverse("web:insights_strengths"))
    assert page.content.decode().count("<circle") == 15
    with django_assert_max_num_queries(14):
        assert c.get(reverse("web:insights_efficiency")).status_code == 200
