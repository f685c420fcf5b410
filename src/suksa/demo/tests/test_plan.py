"""The national shape of the synthetic nation, checked without a database or a single school."""

from __future__ import annotations

from collections import Counter

import geothai
import pytest

from suksa.core.policy import ROLE_UNIT_KINDS, Role
from suksa.demo.data import (
    HOME_ESA_CODE,
    OTHER_ESA_CODE,
    PERSONAS,
    PRIMARY_AREAS,
    REGION_PROVINCES,
    SCALES,
)
from suksa.demo.plan import allocate, partition, plan_esas, province_school_quotas, regions, scale_provinces

PROVINCES = geothai.provinces()
NAMES = {p.code: (p.name_th, p.name_en) for p in PROVINCES}
DISTRICTS = {p.code: geothai.districts(p.code) for p in PROVINCES}
SUBDISTRICTS = {p: sum(len(geothai.subdistricts(d.code)) for d in ds) for p, ds in DISTRICTS.items()}


def test_eighteen_regions_cover_each_of_the_77_provinces_exactly_once() -> None:
    assigned = Counter(p for provs in REGION_PROVINCES.values() for p in provs)

    assert [r.code for r in regions()] == [f"R{n:02d}" for n in range(1, 19)]
    assert regions()[9].name_th == "เขตตรวจราชการที่ 10"
    assert regions()[9].name_en == "Inspection Region 10"
    assert set(assigned) == set(NAMES)
    assert len(assigned) == 77
    assert set(assigned.values()) == {1}


def test_national_plan_has_245_esas_183_primary_and_62_secondary() -> None:
    plans = plan_esas(NAMES)
    kinds = Counter(p.esa_type for p in plans)

    assert len(plans) == 245
    assert kinds == {"primary": 183, "secondary": 62}
    assert sum(PRIMARY_AREAS.values()) == 183
    assert len({p.code for p in plans}) == 245


def test_every_province_is_covered_by_a_primary_and_a_secondary_esa() -> None:
    plans = plan_esas(NAMES)
    for esa_type in ("primary", "secondary"):
        covered = Counter(prov for p in plans if p.esa_type == esa_type for prov in p.provinces)
        assert set(covered) == set(NAMES), esa_type
    secondary_cover = Counter(prov for p in plans if p.esa_type == "secondary" for prov in p.provinces)
    assert secondary_cover["10"] == 2  # Bangkok has two secondary areas
    assert max(secondary_cover.values()) == 2


def test_esa_codes_are_five_digits_type_office_province_and_area() -> None:
    plans = plan_esas(NAMES)
    for p in plans:
        assert len(p.code) == 5
        assert p.code.isdigit()
        assert p.code[0] == ("1" if p.esa_type == "primary" else "2")
        assert p.code[1:3] == p.office_province
        assert int(p.code[3:]) == p.area_number
    assert {p.code for p in plans if p.office_province == "30" and p.esa_type == "primary"} == {
        f"130{n:02d}" for n in range(1, 8)
    }


def test_esa_names_follow_the_official_patterns() -> None:
    by_code = {p.code: p for p in plan_esas(NAMES)}

    assert by_code["13007"].name_th == "สำนักงานเขตพื้นที่การศึกษาประถมศึกษานครราชสีมา เขต 7"
    assert by_code["13007"].name_en == "Nakhon Ratchasima Primary Educational Service Area Office 7"
    assert by_code["18301"].name_th == "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาภูเก็ต"
    assert by_code["24201"].name_th == "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาเลย หนองบัวลำภู"
    assert by_code["24201"].provinces == ("42", "39")
    assert by_code["24201"].office_province == "42"
    assert by_code["21002"].name_th == "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษากรุงเทพมหานคร เขต 2"


def test_an_esa_lies_in_the_region_of_every_province_it_covers() -> None:
    region_of = {p: n for n, provs in REGION_PROVINCES.items() for p in provs}
    for plan in plan_esas(NAMES):
        assert {region_of[p] for p in plan.provinces} == {plan.region}, plan.code


def test_primary_areas_follow_province_size() -> None:
    assert max(PRIMARY_AREAS, key=lambda p: PRIMARY_AREAS[p]) == "30"  # นครราชสีมา
    assert PRIMARY_AREAS["30"] == 7
    for province, areas in PRIMARY_AREAS.items():
        assert 1 <= areas <= len(DISTRICTS[province])


def test_full_density_quotas_total_26500_primary_and_2400_secondary_schools() -> None:
    primary, secondary = province_school_quotas(SUBDISTRICTS, {p: len(d) for p, d in DISTRICTS.items()})

    assert sum(primary.values()) == 26_500
    assert sum(secondary.values()) == 2_400
    assert primary["10"] == 110
    assert min(primary.values()) > 0
    assert min(secondary.values()) > 0


@pytest.mark.parametrize(
    ("scale", "provinces", "esas"),
    [("tiny", 3, 9), ("province", 10, 30), ("national", 77, 245)],
)
def test_each_scale_plans_whole_provinces_and_holds_the_persona_esas(
    scale: str, provinces: int, esas: int
) -> None:
    plans = plan_esas(NAMES, SCALES[scale])
    codes = {p.code for p in plans}

    assert len(scale_provinces(SCALES[scale])) == provinces
    assert len(plans) == esas
    assert {HOME_ESA_CODE, OTHER_ESA_CODE} <= codes
    wanted = set(scale_provinces(SCALES[scale]))
    assert {prov for p in plans for prov in p.provinces} == wanted


def test_every_persona_role_can_be_held_on_its_unit_kind() -> None:
    kinds = {
        "nation": "nation",
        "home_region": "region",
        "home_esa": "esa",
        "other_esa": "esa",
        "home_school": "school",
        "other_school": "school",
    }
    assert {p.role for p in PERSONAS} == set(Role)
    assert len({p.username for p in PERSONAS}) == len(PERSONAS)
    for p in PERSONAS:
        assert kinds[p.unit] in ROLE_UNIT_KINDS[p.role], p.username


def test_allocate_splits_by_largest_remainder() -> None:
    assert allocate(10, [1, 1, 1]) == [4, 3, 3]
    assert allocate(7, [5, 0, 2]) == [5, 0, 2]
    assert allocate(0, [1, 2]) == [0, 0]


def test_primary_areas_divide_each_province_into_contiguous_non_empty_runs_of_districts() -> None:
    for province, areas in PRIMARY_AREAS.items():
        items = [(d.code, len(geothai.subdistricts(d.code))) for d in DISTRICTS[province]]
        runs = partition(items, areas)
        assert len(runs) == areas
        assert all(runs), province
        assert [k for run in runs for k in run] == [k for k, _ in items]


def test_partition_refuses_more_parts_than_items() -> None:
    with pytest.raises(ValueError, match="cannot cut 2 items into 3 parts"):
        partition([("a", 1), ("b", 1)], 3)
