"""The org browser: scoping (authorization matrix), no existence oracle, figures, sorting, query bound."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from suksa.core.models import OrgUnit
from tests.factories import World, make_school

pytestmark = pytest.mark.django_db

NATION, REGION_1, REGION_2 = "OBEC", "R01", "R02"
ESA_A1, ESA_A2, ESA_B1 = "11201", "21201", "15001"
SCHOOL_A1_1, SCHOOL_A1_2, SCHOOL_B1_1 = "1012000001", "1012000002", "1050000001"
UNKNOWN = "99999"


def client_for(world: World, username: str | None) -> Client:
    client = Client()
    if username is not None:
        client.force_login(world.user(username))
    return client


# Given a persona, when they open /org/<code>/, then exactly this status (302 for a school: the
# org browser hands schools to their profile page).
MATRIX: list[tuple[str, dict[str, int]]] = [
    ("executive", {NATION: 200, REGION_1: 200, REGION_2: 200, ESA_A1: 200, ESA_B1: 200, SCHOOL_B1_1: 302}),
    ("me_officer", {NATION: 200, REGION_2: 200, ESA_B1: 200}),
    ("inspector_r1", {NATION: 200, REGION_1: 200, REGION_2: 404, ESA_A1: 200, ESA_A2: 200, ESA_B1: 404}),
    ("esa_officer_a1", {NATION: 200, REGION_1: 200, REGION_2: 404, ESA_A1: 200, ESA_A2: 404, ESA_B1: 404,
                        SCHOOL_A1_2: 302, SCHOOL_B1_1: 404}),
    ("esa_officer_b1", {NATION: 200, REGION_1: 404, REGION_2: 200, ESA_A1: 404, ESA_B1: 200, SCHOOL_A1_1: 404}),
    ("director_a1_1", {NATION: 200, REGION_1: 200, REGION_2: 404, ESA_A1: 200, ESA_A2: 404, ESA_B1: 404,
                       SCHOOL_A1_1: 302, SCHOOL_A1_2: 404, SCHOOL_B1_1: 404}),
    ("teacher_a1_1", {ESA_A1: 200, SCHOOL_A1_1: 302, SCHOOL_A1_2: 404}),
    ("director_b1_1", {REGION_1: 404, ESA_A1: 404, SCHOOL_A1_1: 404, ESA_B1: 200}),
    ("nobody", {NATION: 404, REGION_1: 404, ESA_A1: 404, SCHOOL_A1_1: 404}),
]  # fmt: skip


@pytest.mark.parametrize(("username", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
def test_org_unit_authorization_matrix(world: World, username: str, expected: dict[str, int]) -> None:
    client = client_for(world, username)
    got = {code: client.get(f"/org/{code}/").status_code for code in [*expected, UNKNOWN]}
    assert got == {**expected, UNKNOWN: 404}


@pytest.mark.parametrize("path", ["/org/", f"/org/{NATION}/", f"/org/{ESA_A1}/", "/org/search/?q=x"])
def test_anonymous_is_sent_to_login(world: World, path: str) -> None:
    response = client_for(world, None).get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_out_of_scope_is_indistinguishable_from_unknown(world: World) -> None:
    client = client_for(world, "director_a1_1")
    unknown = client.get(f"/org/{UNKNOWN}/")
    for code in (ESA_B1, REGION_2, SCHOOL_A1_2, ESA_A2):
        hidden = client.get(f"/org/{code}/")
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.content == unknown.content
        assert dict(hidden.headers) == dict(unknown.headers)


@pytest.mark.parametrize(
    ("code", "siblings"),
    [
        (ESA_A1, ["โรงเรียนวัดท่าอิฐ", SCHOOL_A1_2, "430"]),
        (REGION_1, ["สำนักงานเขตพื้นที่การศึกษามัธยมศึกษานนทบุรี", ESA_A2, "โรงเรียนวัดท่าอิฐ", "1,800"]),
        (NATION, ["เขตตรวจราชการที่ 2", REGION_2, "2,375", "2,315"]),
    ],
)
def test_a_school_director_sees_no_sibling_on_the_way_down(
    world: World, code: str, siblings: list[str]
) -> None:
    response = client_for(world, "director_a1_1").get(f"/org/{code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="branch-only"' in html
    assert 'data-testid="unit-figures"' not in html
    assert 'data-testid="children-table"' not in html
    assert response.context["summary"].figures is None
    for sibling in siblings:
        assert sibling not in html, sibling


def test_the_director_can_walk_their_own_branch(world: World) -> None:
    client = client_for(world, "director_a1_1")
    nation = client.get(f"/org/{NATION}/").content.decode()
    assert f'href="/org/{REGION_1}/"' in nation
    esa = client.get(f"/org/{ESA_A1}/").content.decode()
    assert f'href="/schools/{SCHOOL_A1_1}/"' in esa
    assert "โรงเรียนบ้านบางกร่าง" in esa


def test_breadcrumbs_run_from_the_nation_down(world: World) -> None:
    response = client_for(world, "executive").get(f"/org/{ESA_A1}/")
    assert [c["label"] for c in response.context["crumbs"]] == [
        "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน",
        "เขตตรวจราชการที่ 1",
        "สำนักงานเขตพื้นที่การศึกษาประถมศึกษานนทบุรี เขต 1",
    ]
    assert [c["url"] for c in response.context["crumbs"]] == [f"/org/{NATION}/", f"/org/{REGION_1}/", None]


def test_nation_figures_aggregate_the_whole_subtree(world: World) -> None:
    response = client_for(world, "executive").get(f"/org/{NATION}/")
    figures = response.context["summary"].figures
    assert (figures.schools, figures.students, figures.teachers, figures.classrooms) == (4, 2375, 101, 32)
    assert figures.small == 2  # 85 and 60 pupils
    assert figures.bands == {"small": 2, "medium": 2, "large": 0, "extra_large": 0}
    assert figures.levels == {"primary": 3, "expanded": 0, "secondary": 1}
    assert (figures.urban, figures.rural) == (0, 4)
    assert figures.pupil_teacher_ratio == 23.5
    rows = {r.unit.code: r.figures for r in response.context["summary"].children}
    assert (rows[REGION_1].schools, rows[REGION_1].students, rows[REGION_1].teachers) == (3, 2315, 96)
    assert (rows[REGION_2].schools, rows[REGION_2].students, rows[REGION_2].small) == (1, 60, 1)
    html = response.content.decode()
    assert 'data-figure="students">2,375<' in html
    assert 'data-testid="band-table"' in html  # the chart's numbers as a table
    assert 'data-chart="chart-bands-OBEC"' in html


def test_esa_page_lists_its_schools_with_their_figures(world: World) -> None:
    response = client_for(world, "esa_officer_a1").get(f"/org/{ESA_A1}/")
    rows = {r.unit.code: r for r in response.context["summary"].children}
    assert set(rows) == {SCHOOL_A1_1, SCHOOL_A1_2}
    assert rows[SCHOOL_A1_2].figures.students == 430
    assert rows[SCHOOL_A1_2].figures.pupil_teacher_ratio == 53.8
    html = response.content.decode()
    assert f'href="/schools/{SCHOOL_A1_2}/"' in html
    assert "ขนาดกลาง" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [("?sort=students&dir=desc", [ESA_A2, ESA_A1]), ("?sort=students&dir=asc", [ESA_A1, ESA_A2]),
     ("?sort=schools&dir=desc", [ESA_A1, ESA_A2]), ("?sort=bogus", [ESA_A1, ESA_A2])],
)  # fmt: skip
def test_children_table_sorts_by_column(world: World, query: str, expected: list[str]) -> None:
    response = client_for(world, "executive").get(f"/org/{REGION_1}/{query}")
    assert [r.unit.code for r in response.context["summary"].children] == expected


def test_sorted_column_is_announced(world: World) -> None:
    html = client_for(world, "executive").get(f"/org/{REGION_1}/?sort=students&dir=desc").content.decode()
    assert 'aria-sort="descending"><a href="?sort=students&amp;dir=asc">' in html


@pytest.mark.parametrize(
    ("username", "location"),
    [("executive", f"/org/{NATION}/"), ("inspector_r1", f"/org/{REGION_1}/"),
     ("esa_officer_a1", f"/org/{ESA_A1}/"), ("director_a1_1", f"/schools/{SCHOOL_A1_1}/")],
)  # fmt: skip
def test_org_root_opens_the_actors_highest_unit(world: World, username: str, location: str) -> None:
    response = client_for(world, username).get("/org/")
    assert response.status_code == 302
    assert response["Location"] == location


def test_org_root_is_not_found_without_a_role(world: World) -> None:
    assert client_for(world, "nobody").get("/org/").status_code == 404


def _add_schools(world: World, count: int) -> None:
    esas = [world.esa_a1, world.esa_a2, world.esa_b1]
    for i in range(count):
        esa = esas[i % 3]
        province = "50" if esa is world.esa_b1 else "12"
        make_school(
            f"10{province}9{i:05d}", f"โรงเรียนทดสอบ {i}", esa, students=50 + 40 * i, teachers=3 + i % 7
        )


@pytest.mark.parametrize("code", [NATION, REGION_1, ESA_A1])
def test_queries_do_not_grow_with_the_number_of_schools(
    world: World, code: str, django_assert_max_num_queries: object
) -> None:
    client = client_for(world, "executive")
    client.get(f"/org/{code}/")  # warm up: session, caches
    with CaptureQueriesContext(connection) as small_world:
        assert client.get(f"/org/{code}/").status_code == 200
    _add_schools(world, 60)
    with CaptureQueriesContext(connection) as bigger_world:
        response = client.get(f"/org/{code}/")
    assert response.status_code == 200
    assert response.context["summary"].figures.schools > 4
    assert len(bigger_world) == len(small_world)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        client.get(f"/org/{code}/")


def test_home_queries_do_not_grow_with_the_number_of_schools(
    world: World, django_assert_max_num_queries: object
) -> None:
    client = client_for(world, "executive")
    client.get("/")
    with CaptureQueriesContext(connection) as before:
        client.get("/")
    _add_schools(world, 30)
    with CaptureQueriesContext(connection) as after:
        client.get("/")
    assert len(after) == len(before)


def test_inactive_schools_are_left_out_of_the_figures(world: World) -> None:
    OrgUnit.objects.filter(code=SCHOOL_A1_2).update(is_active=False)
    figures = client_for(world, "executive").get(f"/org/{ESA_A1}/").context["summary"].figures
    assert (figures.schools, figures.students) == (1, 85)


def test_names_sort_in_thai_dictionary_order(world: World) -> None:
    for i, name in enumerate(["โรงเรียนไก่ป่า", "โรงเรียนเกาะคา", "โรงเรียนกาญจนา"]):
        make_school(f"105000010{i}", name, world.esa_b1)
    response = client_for(world, "executive").get(f"/org/{ESA_B1}/?sort=name")
    assert [r.unit.name_th for r in response.context["summary"].children] == [
        "โรงเรียนกาญจนา",
        "โรงเรียนเกาะคา",
        "โรงเรียนไก่ป่า",
        "โรงเรียนบ้านแม่ริม",
    ]


def test_numbers_in_names_sort_numerically(world: World) -> None:
    from tests.factories import make_unit

    make_unit("region", "R10", "เขตตรวจราชการที่ 10", world.nation)
    response = client_for(world, "executive").get(f"/org/{NATION}/")
    assert [r.unit.code for r in response.context["summary"].children] == [REGION_1, REGION_2, "R10"]


def test_figures_say_which_census_they_come_from(world):
    import datetime as dt

    from django.test import Client

    from suksa.core.models import School

    client = Client()
    client.force_login(world.user("executive"))
    assert "ยังไม่มีข้อมูล" in client.get("/org/R01/").content.decode()
    School.objects.update(counts_as_of=dt.date(2026, 6, 10))
    assert "ข้อมูล ณ วันที่\n  10 มิ.ย. 2569</p>" in client.get("/org/R01/").content.decode()
    School.objects.filter(unit=world.school_b1_1).update(counts_as_of=dt.date(2025, 11, 10))
    html = client.get("/org/OBEC/").content.decode()
    assert "10 พ.ย. 2568 – 10 มิ.ย. 2569 (โรงเรียนรายงานต่างรอบกัน)" in html
