"""Subtree figures (core.figures): exact numbers on the test world, scoping, inactive units, query bound.

The world (tests/factories.py): all schools rural, 8 classrooms each.
  R01 / 11201 (primary):   1012000001  85 pupils,  8 teachers, small band
                           1012000002 430 pupils,  8 teachers, medium band
  R01 / 21201 (secondary): 1012000101 1800 pupils, 80 teachers, medium band (M1–M6)
  R02 / 15001 (primary):   1050000001  60 pupils,  5 teachers, small band
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from suksa.core import figures
from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.figures import EMPTY, Figures, figures_by_child, subtree_schools, unit_figures
from suksa.core.models import OrgUnit, School
from suksa.core.policy import Actor
from suksa.domains.accounts.actors import actor_for
from tests.factories import World, make_esa, make_school, make_unit

pytestmark = pytest.mark.django_db


def actor(world: World, username: str) -> Actor:
    return actor_for(world.user(username))


def numbers(f: Figures | None) -> tuple[int, ...] | None:
    if f is None:
        return None
    return (f.schools, f.students, f.teachers, f.classrooms, f.small, f.urban)


def test_nation_figures_on_the_world(world: World) -> None:
    data = unit_figures(actor(world, "executive"), world.nation)
    assert data.fully_visible
    assert data.child_kind == "region"
    f = data.figures
    assert f is not None
    assert numbers(f) == (4, 2375, 101, 32, 2, 0)
    assert f.rural == 4
    assert f.bands == {"small": 2, "medium": 2, "large": 0, "extra_large": 0}
    assert f.levels == {"primary": 3, "expanded": 0, "secondary": 1}
    assert f.unset_band == 0
    assert f.pupil_teacher_ratio == 23.5  # 2375 / 101 = 23.51
    assert (f.small_share, f.urban_share, f.rural_share) == (0.5, 0.0, 1.0)
    children = {c.unit.code: c.figures for c in data.children}
    assert list(children) == ["R01", "R02"]
    assert numbers(children["R01"]) == (3, 2315, 96, 24, 1, 0)
    assert numbers(children["R02"]) == (1, 60, 5, 8, 1, 0)
    assert children["R01"] is not None
    assert children["R01"].pupil_teacher_ratio == 24.1
    assert children["R01"].levels == {"primary": 2, "expanded": 0, "secondary": 1}


def test_region_figures_per_esa(world: World) -> None:
    data = unit_figures(actor(world, "inspector_r1"), world.region_1)
    assert numbers(data.figures) == (3, 2315, 96, 24, 1, 0)
    by_code = {c.unit.code: c.figures for c in data.children}
    assert numbers(by_code["11201"]) == (2, 515, 16, 16, 1, 0)
    assert numbers(by_code["21201"]) == (1, 1800, 80, 8, 0, 0)
    assert by_code["11201"] is not None
    assert by_code["11201"].pupil_teacher_ratio == 32.2  # 515 / 16
    assert by_code["21201"] is not None
    assert by_code["21201"].bands["medium"] == 1
    assert figures_by_child(actor(world, "inspector_r1"), world.region_1) == {
        world.esa_a1.pk: by_code["11201"],
        world.esa_a2.pk: by_code["21201"],
    }


def test_esa_figures_per_school(world: World) -> None:
    data = unit_figures(actor(world, "esa_officer_a1"), world.esa_a1)
    assert data.child_kind == "school"
    assert numbers(data.figures) == (2, 515, 16, 16, 1, 0)
    rows = {c.unit.code: c for c in data.children}
    assert set(rows) == {"1012000001", "1012000002"}
    row = rows["1012000002"]
    assert isinstance(row.school, School)
    assert row.school.unit_id == world.school_a1_2.pk
    assert numbers(row.figures) == (1, 430, 8, 8, 0, 0)
    assert row.figures is not None
    assert row.figures.pupil_teacher_ratio == 53.8
    assert row.figures.bands == {"small": 0, "medium": 1, "large": 0, "extra_large": 0}
    assert row.figures.levels == {"primary": 1, "expanded": 0, "secondary": 0}
    assert figures_by_child(actor(world, "esa_officer_a1"), world.esa_a1) == {
        world.school_a1_1.pk: rows["1012000001"].figures,
        world.school_a1_2.pk: row.figures,
    }


def test_a_school_has_its_own_figures(world: World) -> None:
    data = unit_figures(actor(world, "director_a1_1"), world.school_a1_1)
    assert (data.fully_visible, data.child_kind, data.children) == (True, None, ())
    assert numbers(data.figures) == (1, 85, 8, 8, 1, 0)


@pytest.mark.parametrize(
    ("username", "unit_name"),
    [("director_a1_1", "nation"), ("director_a1_1", "region_1"), ("director_a1_1", "esa_a1"),
     ("inspector_r1", "nation"), ("esa_officer_a1", "region_1")],
)  # fmt: skip
def test_navigable_ancestors_show_names_never_figures(world: World, username: str, unit_name: str) -> None:
    who = actor(world, username)
    unit = getattr(world, unit_name)
    data = unit_figures(who, unit)
    assert not data.fully_visible
    assert data.figures is None
    assert data.children  # the actor's own branch, by name
    assert all(c.figures is None and c.school is None for c in data.children)
    with pytest.raises(NotFoundOrNoAccess):
        figures_by_child(who, unit)


def test_names_only_shows_only_the_actors_branch(world: World) -> None:
    data = unit_figures(actor(world, "director_a1_1"), world.esa_a1)
    assert [c.unit.code for c in data.children] == ["1012000001"]
    nation = unit_figures(actor(world, "director_a1_1"), world.nation)
    assert [c.unit.code for c in nation.children] == ["R01"]


@pytest.mark.parametrize(
    ("username", "unit_name"), [("esa_officer_b1", "esa_a1"), ("director_a1_1", "esa_b1")]
)
def test_figures_of_a_unit_outside_the_scope_are_refused(world: World, username: str, unit_name: str) -> None:
    with pytest.raises(NotFoundOrNoAccess):
        figures_by_child(actor(world, username), getattr(world, unit_name))


def test_subtree_schools_is_scoped_to_the_actor(world: World) -> None:
    codes = sorted(s.unit.code for s in subtree_schools(actor(world, "esa_officer_a1"), world.nation))
    assert codes == ["1012000001", "1012000002"]
    assert not subtree_schools(actor(world, "nobody"), world.nation).exists()


def test_inactive_units_leave_the_figures(world: World) -> None:
    OrgUnit.objects.filter(pk=world.school_a1_2.pk).update(is_active=False)
    executive = actor(world, "executive")
    esa = unit_figures(executive, world.esa_a1)
    assert numbers(esa.figures) == (1, 85, 8, 8, 1, 0)
    assert [c.unit.code for c in esa.children] == ["1012000001"]
    # A closed ESA leaves its region's list and total (the total is the sum of active children).
    OrgUnit.objects.filter(pk=world.esa_a2.pk).update(is_active=False)
    region = unit_figures(executive, OrgUnit.objects.get(pk=world.region_1.pk))
    assert [c.unit.code for c in region.children] == ["11201"]
    assert numbers(region.figures) == (1, 85, 8, 8, 1, 0)
    assert numbers(unit_figures(executive, world.nation).figures) == (2, 145, 13, 16, 2, 0)


def test_a_code_that_prefixes_another_does_not_leak_into_its_figures(world: World) -> None:
    r0 = make_unit("region", "R0", "เขตตรวจราชการที่ 0", world.nation)
    esa = make_esa("11202", "สพป.ทดสอบ", r0, "primary", "12", 2)
    make_school("1012000301", "โรงเรียนทดสอบ", esa, students=200, teachers=10)
    executive = actor(world, "executive")
    assert numbers(unit_figures(executive, r0).figures) == (1, 200, 10, 8, 0, 0)
    assert numbers(unit_figures(executive, world.region_1).figures) == (3, 2315, 96, 24, 1, 0)
    assert numbers(unit_figures(executive, world.nation).figures) == (5, 2575, 111, 40, 2, 0)


def test_a_school_unit_without_a_profile_counts_nothing(world: World) -> None:
    make_unit("school", "1012000009", "โรงเรียนใหม่", world.esa_a1)
    data = unit_figures(actor(world, "esa_officer_a1"), world.esa_a1)
    row = next(c for c in data.children if c.unit.code == "1012000009")
    assert (row.school, row.figures) == (None, EMPTY)
    assert numbers(data.figures) == (2, 515, 16, 16, 1, 0)


def test_figures_are_frozen_values(world: World) -> None:
    f = unit_figures(actor(world, "executive"), world.nation).figures
    assert f is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.schools = 0  # type: ignore[misc]
    with pytest.raises(TypeError):
        f.bands["small"] = 0  # type: ignore[index]


def test_figures_arithmetic_and_rows() -> None:
    a = Figures(schools=2, students=100, teachers=0, small=1, urban=1, bands={"small": 1, "medium": 0})
    b = Figures(schools=1, students=50, teachers=5, levels={"primary": 1})
    total = Figures.total([a, b])
    assert numbers(total) == (3, 150, 5, 0, 1, 1)
    assert total.pupil_teacher_ratio == 30.0
    assert a.pupil_teacher_ratio is None
    assert EMPTY.small_share is None
    assert EMPTY.urban_share is None
    assert total.bands == {"small": 1, "medium": 0, "large": 0, "extra_large": 0}
    assert total.unset_band == 2
    assert [(key, n) for key, _label, n in total.band_rows()] == [
        ("small", 1), ("medium", 0), ("large", 0), ("extra_large", 0), ("", 2)
    ]  # fmt: skip
    assert [(key, n) for key, _label, n in total.level_rows()] == [
        ("primary", 1), ("expanded", 0), ("secondary", 0)
    ]  # fmt: skip


def _add_schools(world: World, count: int) -> None:
    esas = [world.esa_a1, world.esa_a2, world.esa_b1]
    for i in range(count):
        esa = esas[i % 3]
        province = "50" if esa is world.esa_b1 else "12"
        make_school(
            f"10{province}9{i:05d}", f"โรงเรียนทดสอบ {i}", esa, students=50 + 40 * i, teachers=3 + i % 7
        )


@pytest.mark.parametrize(("unit_name", "bound"), [("nation", 3), ("region_1", 2), ("esa_a1", 1)])
def test_queries_do_not_grow_with_the_number_of_schools(
    world: World, unit_name: str, bound: int, django_assert_max_num_queries: Any
) -> None:
    executive = actor(world, "executive")
    unit = getattr(world, unit_name)
    with CaptureQueriesContext(connection) as small_world:
        unit_figures(executive, unit)
    _add_schools(world, 60)
    with django_assert_max_num_queries(bound):
        data = unit_figures(executive, unit)
    assert len(small_world) <= bound
    assert data.figures is not None
    expected_schools = {"nation": 64, "region_1": 43, "esa_a1": 22}[unit_name]
    assert data.figures.schools == expected_schools
    # Children's figures, school profiles and the total need no further query.
    with CaptureQueriesContext(connection) as after:
        for child in data.children:
            _ = (child.unit.name_th, child.unit.code, child.school, child.figures)
    assert len(after) == 0


def test_bigger_world_adds_up(world: World) -> None:
    _add_schools(world, 60)
    executive = actor(world, "executive")
    nation = unit_figures(executive, world.nation)
    assert nation.figures is not None
    students = 2375 + sum(50 + 40 * i for i in range(60))
    teachers = 101 + sum(3 + i % 7 for i in range(60))
    assert numbers(nation.figures) == (64, students, teachers, 32 + 60 * 8, 2 + 2, 0)
    assert nation.figures == Figures.total(c.figures for c in nation.children if c.figures is not None)
    assert figures.SMALL_SCHOOL_MAX == 120


def test_figures_carry_the_period_their_counts_describe(world) -> None:
    import datetime as dt

    from suksa.core.models import School

    School.objects.update(counts_as_of=dt.date(2026, 6, 10))
    School.objects.filter(unit=world.school_b1_1).update(counts_as_of=dt.date(2025, 11, 10))
    actor = actor_for(world.user("executive"))

    nation = unit_figures(actor, world.nation).figures
    assert nation is not None
    assert (nation.as_of_first, nation.as_of_last) == (dt.date(2025, 11, 10), dt.date(2026, 6, 10))
    region_1 = unit_figures(actor, world.region_1).figures
    assert region_1 is not None
    assert (region_1.as_of_first, region_1.as_of_last) == (dt.date(2026, 6, 10), dt.date(2026, 6, 10))
    by_region = {c.unit.code: c.figures for c in unit_figures(actor, world.nation).children}
    assert [(f.as_of_first, f.as_of_last) for code in ("R01", "R02") if (f := by_region[code])] == [
        (dt.date(2026, 6, 10), dt.date(2026, 6, 10)),
        (dt.date(2025, 11, 10), dt.date(2025, 11, 10)),
    ]
