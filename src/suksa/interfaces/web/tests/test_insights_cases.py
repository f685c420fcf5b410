"""Work-check and case-study pages: verdicts with reasons, the shortlist by scope, authorization."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from suksa.domains.insights.models import InsightRun
from suksa.domains.insights.tests.objects_cases import b_esa, check_of, pick_of, report_with_work
from suksa.domains.insights.tests.objects_schools import any_round, current_run
from tests.factories import World, make_esa

pytestmark = pytest.mark.django_db


def client_for(world: World, name: str) -> Client:
    c = Client()
    c.force_login(world.user(name))
    return c


@pytest.fixture
def run(world: World) -> InsightRun:
    rnd = any_round()
    run = current_run(rnd)
    check_of(run, report_with_work(rnd, world.esa_a1, codes=["dropout_rate"], title="งานของ A"), world.esa_a1)
    b_esa(world)
    pick_of(run, world.esa_b1, 1)
    pick_of(run, world.esa_a1, 2)
    return run


def test_an_esa_user_lands_on_their_own_works(world: World, run: InsightRun) -> None:
    html = client_for(world, "esa_officer_a1").get(reverse("web:insights_work_checks")).content.decode()
    assert 'data-testid="esa"' in html
    assert "งานของ A" in html
    assert 'data-verdict="supported"' in html
    assert "ผลงานของเขต B" not in html
    assert f'data-esa="{world.esa_b1.code}"' not in html


def test_national_readers_get_a_summary_per_esa(world: World, run: InsightRun) -> None:
    html = client_for(world, "me_officer").get(reverse("web:insights_work_checks")).content.decode()
    assert f'data-esa="{world.esa_a1.code}"' in html
    assert f'data-esa="{world.esa_b1.code}"' in html
    detail = client_for(world, "me_officer").get(
        reverse("web:insights_work_checks") + f"?esa={world.esa_b1.pk}"
    )
    assert "ผลงานของเขต B" in detail.content.decode()


@pytest.mark.parametrize(
    ("user", "status"),
    [("executive", 200), ("me_officer", 200), ("inspector_r1", 404), ("esa_director_a1", 404),
     ("esa_officer_a1", 404), ("esa_officer_b1", 200), ("director_a1_1", 403), ("nobody", 403)],
)  # fmt: skip
def test_work_checks_authorization(world: World, user: str, status: int) -> None:
    esa = b_esa(world)
    response = client_for(world, user).get(reverse("web:insights_work_checks") + f"?esa={esa}")
    assert response.status_code == status


def test_cases_page_by_scope(world: World, run: InsightRun) -> None:
    full = client_for(world, "executive").get(reverse("web:insights_cases")).content.decode()
    assert full.index(f'data-esa="{world.esa_b1.code}"') < full.index(f'data-esa="{world.esa_a1.code}"')
    mine = client_for(world, "esa_director_a1").get(reverse("web:insights_cases")).content.decode()
    assert f'data-esa="{world.esa_a1.code}"' in mine
    assert world.esa_b1.code not in mine
    assert 'data-testid="scoped-note"' in mine
    assert client_for(world, "director_a1_1").get(reverse("web:insights_cases")).status_code == 403


def test_bad_esa_is_a_bilingual_problem(world: World) -> None:
    page = client_for(world, "executive").get(reverse("web:insights_work_checks") + "?esa=abc")
    assert page.status_code == 400
    assert "esa" in page.content.decode()


def test_work_checks_queries_do_not_grow_with_esas(
    world: World, run: InsightRun, django_assert_max_num_queries: object
) -> None:
    c = client_for(world, "me_officer")
    c.get(reverse("web:insights_work_checks"))
    rnd = any_round()
    for i in range(5):
        esa = make_esa(f"1500{i + 3}", f"สพป.ทดสอบ {i}", world.region_2, "primary", "50", i + 3)
        check_of(run, report_with_work(rnd, esa, codes=["dropout_rate"]), esa)
        pick_of(run, esa, 3 + i)
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        page = c.get(reverse("web:insights_work_checks"))
    assert page.content.decode().count("data-esa=") == 7
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        page = c.get(reverse("web:insights_cases"))
    assert page.content.decode().count("data-esa=") == 7
