"""Positive deviance within structural school groups (no database)."""

from __future__ import annotations

import random

import pytest

from suksa.analytics.deviance import (
    Params,
    SchoolSeries,
    effective_groups,
    find_deviants,
    group_key,
    school_level,
    shared_traits,
)

YEARS = ("2563", "2564", "2565", "2566", "2567", "2568")


NOISE = (1.0, -1.0, 0.5, -0.5, 1.5, -1.5)


def _group(
    n: int, key: str = "primary|small|rural", start: int = 1, base: float = 40.0
) -> list[SchoolSeries]:
    """``n`` ordinary schools: persistent effects evenly spread over ±2.5 points, a fixed year noise."""
    out = []
    for j in range(n):
        effect = -2.5 + 5.0 * j / max(1, n - 1)
        values = {y: base + effect + NOISE[(i + j) % 6] for i, y in enumerate(YEARS)}
        out.append(
            SchoolSeries(
                school=start + j,
                group=key,
                area=None,
                values=values,
                takers=dict.fromkeys(YEARS, 20.0),
                resource=20.0,
                size=100.0 + j,
            )
        )
    return out


def _flat(school: int, level: float, key: str = "primary|small|rural", **years: float) -> SchoolSeries:
    values = {y: level + (0.5 if i % 2 else -0.5) for i, y in enumerate(YEARS)}
    values.update({k.removeprefix("y"): v for k, v in years.items()})
    return SchoolSeries(school=school, group=key, area=None, values=values, takers=dict.fromkeys(YEARS, 25.0))


def test_levels_and_keys_follow_the_grade_span_and_esa_type() -> None:
    assert school_level("primary", "K1", "P6") == "primary"
    assert school_level("primary", "K1", "M3") == "extended"
    assert school_level("secondary", "M1", "M6") == "secondary"
    assert school_level("primary", "M1", "M6") == "secondary"
    assert group_key("primary", "small", "rural") == "primary|small|rural"
    assert group_key("primary", "", "") == "primary|unknown|unknown"


def test_a_planted_deviant_is_found_with_its_residual_and_standard_error() -> None:
    schools = [*_group(40), _flat(100, 48.0)]
    result = find_deviants(schools)
    planted = result.schools[100]
    assert planted.is_deviant
    assert planted.reason == "deviant"
    assert planted.years == 6
    assert planted.years_above == 6
    assert planted.set_aside == ()
    assert planted.residual == pytest.approx(planted.observed - planted.expected)
    assert planted.residual == pytest.approx(8.0, abs=0.3)
    # Standard error: the larger of the year-to-year spread and the takers' sampling error.
    assert planted.se is not None
    assert planted.se == pytest.approx(15.0 / 25**0.5 / 6**0.5)
    assert planted.z == pytest.approx(planted.residual / planted.se)
    assert [r.school for r in result.deviants()] == [100]
    assert len(planted.yearly) == 6
    assert result.schools[1].yearly == ()  # an ordinary school keeps no per-year detail
    assert result.groups["primary|small|rural"].members[-1] == 100


def test_a_one_year_typo_does_not_make_a_deviant_and_is_set_aside() -> None:
    schools = [*_group(40), _flat(200, 40.0, y2567=76.0)]
    typo = find_deviants(schools).schools[200]
    assert not typo.is_deviant
    assert not typo.is_near
    assert typo.set_aside == ("2567",)
    assert typo.years == 5
    assert abs(typo.residual) < 3.0


def test_one_good_year_is_not_enough() -> None:
    spike = _flat(300, 40.0, y2568=52.0)
    other_years = {y: v for y, v in spike.values.items() if y != "2568"}
    short = SchoolSeries(
        301, "primary|small|rural", None, {**dict(list(other_years.items())[:1]), "2568": 52.0}
    )
    result = find_deviants([*_group(40), spike, short])
    assert not result.schools[300].is_deviant
    assert result.schools[301].reason == "few_years"  # two years only
    assert not result.schools[301].is_deviant


def test_a_near_miss_is_marked_but_not_a_deviant() -> None:
    result = find_deviants([*_group(40), _flat(400, 40.0 + 4.2)])
    near = result.schools[400]
    assert near.level_z is not None
    assert 2.0 <= near.level_z < 2.5
    assert near.is_near
    assert not near.is_deviant


def test_a_group_too_small_is_merged_into_a_coarser_one_or_left_unscored() -> None:
    big = _group(30, key="primary|small|rural")
    urban_small = _group(3, key="primary|small|urban", start=101)
    urban_more = _group(8, key="primary|medium|urban", start=201)
    lone = _group(2, key="secondary|large|urban", start=301)
    result = find_deviants([*big, *urban_small, *urban_more, *lone])
    assert result.merged["primary|small|rural"] == "primary|small|rural"
    # 3 + 8 too-small primary schools pool at the level (neither size band reaches 10 alone).
    assert result.merged["primary|small|urban"] == "primary"
    assert result.merged["primary|medium|urban"] == "primary"
    assert result.groups["primary"].merged_from == ("primary|medium|urban", "primary|small|urban")
    assert len(result.groups["primary"].members) == 11
    assert result.merged["secondary|large|urban"] == ""
    assert result.schools[301].reason == "too_small"
    assert not result.schools[301].is_deviant
    assert "secondary" not in result.groups


def test_effective_groups_keeps_large_groups_and_pools_the_rest() -> None:
    merged = effective_groups({"a|x|1": 12, "a|x|2": 4, "a|x|3": 7, "a|y|1": 2, "b|z|1": 1}, 10)
    assert merged == {"a|x|1": "a|x|1", "a|x|2": "a|x", "a|x|3": "a|x", "a|y|1": "", "b|z|1": ""}


def test_the_area_offset_absorbs_a_strong_esa() -> None:
    # Every school of area 2 scores 5 points higher: that is the ESA (local context), not the schools.
    area_1 = [SchoolSeries(s.school, s.group, 1, s.values, s.takers) for s in _group(30, start=0)]
    area_2 = [
        SchoolSeries(s.school, s.group, 2, s.values, s.takers) for s in _group(30, start=100, base=45.0)
    ]
    with_offset = find_deviants([*area_1, *area_2])
    without = find_deviants(
        [SchoolSeries(s.school, s.group, None, s.values, s.takers) for s in [*area_1, *area_2]]
    )

    def mean_residual(result: object, schools: list[SchoolSeries]) -> float:
        return sum(result.schools[s.school].residual for s in schools) / len(schools)  # type: ignore[attr-defined]

    assert mean_residual(without, area_2) == pytest.approx(2.5, abs=0.2)
    # The offset is the area's median distance, shrunk by n / (n + 5): 30/35 of it is absorbed.
    assert mean_residual(with_offset, area_2) == pytest.approx(2.5 * 5 / 35, abs=0.2)
    assert not with_offset.deviants()


def test_the_resource_slope_is_estimated_within_the_group() -> None:
    rng = random.Random(5)
    schools = []
    for i in range(50):
        ptr = 10.0 + i * 0.5
        values = {y: 50.0 - 0.8 * ptr + rng.gauss(0, 1.0) for y in YEARS}
        takers = dict.fromkeys(YEARS, 25.0)
        schools.append(SchoolSeries(i, "primary|small|rural", None, values, takers, resource=ptr))
    result = find_deviants(schools, Params(min_slope=20))
    assert result.groups["primary|small|rural"].slope == pytest.approx(-0.8, abs=0.15)
    assert not result.deviants()


def test_shared_traits_compare_deviants_with_the_rest_of_the_group() -> None:
    practices = {1: ["multigrade", "plc"], 2: ["multigrade"], 3: ["plc"], 4: [], 5: ["multigrade", "plc"]}
    traits = shared_traits(
        deviants=[1, 2], members=[1, 2, 3, 4, 5], practices=practices,
        resource={1: 12.0, 2: 14.0, 3: 20.0, 4: 22.0, 5: None}, size={1: 80.0, 2: 100.0, 3: 90.0, 4: 95.0, 5: 60.0},
    )  # fmt: skip
    assert traits.deviants == 2
    assert traits.others == 3
    first, second = traits.practices
    assert (first.key, first.deviants_share, first.others_share, first.lift) == (
        "multigrade",
        1.0,
        0.3333,
        3.0,
    )
    assert (second.key, second.deviants_share, second.others_share, second.lift) == ("plc", 0.5, 0.6667, 0.75)
    assert traits.staffing == {"deviants": 13.0, "others": 21.0}
    assert traits.size == {"deviants": 90.0, "others": 90.0}


def test_a_practice_only_deviants_name_has_no_finite_lift() -> None:
    traits = shared_traits([1], [1, 2], {1: ["tambon"]}, {}, {})
    assert traits.practices[0].lift is None
    assert traits.practices[0].others_share == 0.0
    assert traits.staffing == {"deviants": None, "others": None}
