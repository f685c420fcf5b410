"""School-model pages: groups by scope, one group's deviants with residual ± SE, authorization."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from suksa.domains.insights.models import InsightRun, SchoolGroup
from suksa.domains.insights.tests.objects_schools import any_round, b_group_id, current_run, group_with
from tests.factories import World, make_esa, make_school

pytestmark = pytest.mark.django_db


def client_for(world: World, name: str) -> Client:
    c = Client()
    c.force_login(world.user(name))
    return c


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


def test_models_page_lists_groups_with_deviant_counts(world: World, run: InsightRun) -> None:
    b_group_id(world)
    page = client_for(world, "executive").get(reverse("web:insights_school_models"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("data-group=") == 2
    assert "โรงเรียนขนาดเล็กรวมชั้นเรียน (100% / 0%)" in html
    mine = client_for(world, "esa_officer_a1").get(reverse("web:insights_school_models")).content.decode()
    assert mine.count("data-group=") == 1
    assert 'data-testid="scoped-note"' in mine


def test_group_page_shows_residual_with_se_and_only_your_schools(world: World, run: InsightRun) -> None:
    group = SchoolGroup.objects.get(run=run, key="onet_mean_p6|primary|small|rural")
    html = (
        client_for(world, "esa_officer_a1")
        .get(reverse("web:insights_school_group", args=[group.pk]))
        .content.decode()
    )
    assert f'data-school="{world.school_a1_1.code}"' in html
    assert world.school_b1_1.code not in html
    assert "8.00 ± 1.25" in html
    assert 'data-testid="hidden"' in html
    full = (
        client_for(world, "me_officer")
        .get(reverse("web:insights_school_group", args=[group.pk]))
        .content.decode()
    )
    assert f'data-school="{world.school_b1_1.code}"' in full


@pytest.mark.parametrize(
    ("user", "status"),
    [("executive", 200), ("me_officer", 200), ("inspector_r1", 404), ("esa_director_a1", 404),
     ("esa_officer_a1", 404), ("esa_officer_b1", 200), ("director_a1_1", 403), ("nobody", 403)],
)  # fmt: skip
def test_group_authorization(world: World, user: str, status: int) -> None:
    group_id = b_group_id(world)
    assert (
        client_for(world, user).get(reverse("web:insights_school_group", args=[group_id])).status_code
        == status
    )


def test_bad_round_is_a_bilingual_problem(world: World) -> None:
    page = client_for(world, "executive").get(reverse("web:insights_school_models") + "?round=x")
    assert page.status_code == 400
    assert "round" in page.content.decode()


def test_models_page_queries_do_not_grow_with_groups(
    world: World, run: InsightRun, django_assert_max_num_queries: object
) -> None:
    c = client_for(world, "executive")
    c.get(reverse("web:insights_school_models"))
    extra = make_esa("15002", "สพป.ทดสอบ เขต 2", world.region_2, "primary", "50", 2)
    for i in range(5):
        school = make_school(f"105000200{i}", f"โรงเรียนทดสอบ {i}", extra)
        group_with(run, f"onet_mean_m3|primary|medium|urban|{i}", [extra], [school])
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        page = c.get(reverse("web:insights_school_models"))
    assert page.content.decode().count("data-group=") == 6
