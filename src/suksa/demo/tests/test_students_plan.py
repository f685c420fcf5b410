"""Synthetic learners without a database: determinism, identifiers, ages, flows and DMC rows."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from itertools import islice

import pytest

from suksa.analytics.uis import official_age
from suksa.core.identifiers import citizen_id_problem, g_code_problem
from suksa.demo.students import DEMO_TODAY, default_records, dmc_rows
from suksa.demo.students.plan import TINY_CAP, TINY_DEMO_SCHOOL_CAP, plan_schools
from suksa.demo.students.simulate import CURRENT, YEARS, EsaRecords, SchoolInfo, simulate_esa
from suksa.domains.students.dmc import DMC_HEADERS, SEX_EXPORT


@pytest.fixture(scope="module")
def tiny() -> list[tuple[list[SchoolInfo], EsaRecords]]:
    return [(infos, simulate_esa(infos, 2569)) for infos in plan_schools(scale="tiny", seed=2569)]


def learners(tiny: list[tuple[list[SchoolInfo], EsaRecords]]) -> list:
    return [learner for _, records in tiny for learner in records.learners]


def test_the_records_scope_follows_the_scale_but_national_defaults_to_province() -> None:
    assert [default_records(s) for s in ("tiny", "province", "national")] == ["tiny", "province", "province"]
    assert dt.date(2026, 11, 20) == DEMO_TODAY
    assert (YEARS, CURRENT) == ((2565, 2566, 2567, 2568, 2569), 2569)


def test_tiny_plans_the_tiny_schools_with_capped_targets(
    tiny: list[tuple[list[SchoolInfo], EsaRecords]],
) -> None:
    schools = [s for infos, _ in tiny for s in infos]
    assert len(schools) == 59
    assert [infos[0].esa_code for infos, _ in tiny] == sorted(infos[0].esa_code for infos, _ in tiny)
    demo = min(s.code for s in schools if s.esa_code == "11201")
    assert max(s.target for s in schools if s.code != demo) <= TINY_CAP
    assert next(s for s in schools if s.code == demo).target == TINY_DEMO_SCHOOL_CAP
    assert all(0.01 <= s.poverty <= 0.85 for s in schools)


def test_every_identifier_is_valid_and_unique(tiny: list[tuple[list[SchoolInfo], EsaRecords]]) -> None:
    everyone = learners(tiny)
    ids = [p.identifier for p in everyone]

    assert len(set(ids)) == len(ids) > 3000
    assert all(citizen_id_problem(p.citizen_id) is None for p in everyone if p.citizen_id)
    assert all(p.citizen_id[0] in "12" for p in everyone if p.citizen_id)
    g_codes = [p for p in everyone if p.g_code]
    assert all(g_code_problem(p.g_code) is None and p.citizen_id is None for p in g_codes)
    assert all(p.nationality in {"MMR", "LAO", "KHM"} for p in g_codes)
    assert 0.005 < len(g_codes) / len(everyone) < 0.05
    assert all(p.nationality == "THA" for p in everyone if p.citizen_id)


def test_ages_fit_the_grades(tiny: list[tuple[list[SchoolInfo], EsaRecords]]) -> None:
    over_age: Counter[int] = Counter()
    for learner in learners(tiny):
        for stint in learner.stints:
            start = dt.date(stint.year - 543, 5, 16)  # age in completed years on the year's first day
            b = learner.birth_date
            age = start.year - b.year - ((start.month, start.day) < (b.month, b.day))
            over_age[age - official_age(stint.grade)] += 1
    total = sum(over_age.values())

    assert min(over_age) == 0  # nobody under-age
    assert max(over_age) <= 4
    assert over_age[0] / total > 0.8
    assert 0.03 < (total - over_age[0]) / total < 0.2


def test_each_learner_has_a_consistent_temporal_history(
    tiny: list[tuple[list[SchoolInfo], EsaRecords]],
) -> None:
    for learner in learners(tiny):
        open_ = [s for s in learner.stints if s.ends_on is None]
        assert len(open_) <= 1
        assert open_ == [] or open_[0] is learner.stints[-1]
        for before, after in zip(learner.stints, learner.stints[1:], strict=False):
            assert before.ends_on is not None
            assert before.ends_on < after.starts_on
            assert before.status in {"promoted", "repeated", "graduated", "transferred_out"}
            if before.status == "transferred_out":
                assert (after.entry, after.grade, after.year) == ("transfer_in", before.grade, before.year)
                assert after.school != before.school
            if before.status == "repeated":
                assert (after.entry, after.grade) == ("repeated", before.grade)
            if before.status == "graduated":
                assert (after.entry, after.school) == ("admitted", before.school)
        for stint in learner.stints:
            assert stint.room >= 1
            if stint.status == "dropped_out":
                assert stint.reason
                assert stint is learner.stints[-1]
        assert (learner.guardian is not None) == (learner.stints[-1].year == CURRENT)


def _flows(records: list[EsaRecords]) -> dict[str, float]:
    """Share of past-year enrolments (transfers excluded) that ended in each outcome."""
    ended = Counter(
        s.status
        for r in records
        for p in r.learners
        for s in p.stints
        if s.year < CURRENT and s.status != "transferred_out" and s.entry != "transfer_in"
    )
    total = sum(ended.values())
    return {k: ended[k] / total for k in ("promoted", "graduated", "repeated", "dropped_out")}


def test_flow_rates_are_plausible(tiny: list[tuple[list[SchoolInfo], EsaRecords]]) -> None:
    flows = _flows([r for _, r in tiny])

    assert 0.94 < flows["promoted"] + flows["graduated"] < 0.995
    assert 0.003 < flows["repeated"] < 0.04
    assert 0.003 < flows["dropped_out"] < 0.04


def _schools(esa: str, province: str, region: int, count: int, **kw: object) -> list[SchoolInfo]:
    return [
        SchoolInfo(
            code=f"10{province}{esa[3:]}{n:04d}",
            esa_code=esa,
            province=province,
            region=region,
            **kw,  # type: ignore[arg-type]
        )
        for n in range(1, count + 1)
    ]


def test_small_poor_north_eastern_schools_drop_out_and_repeat_more_than_large_bangkok_area_ones() -> None:
    north_east = _schools(
        "14201",
        "42",
        10,
        40,
        area_type="rural",
        lowest_grade="K1",
        highest_grade="M3",
        target=90,
        poverty=0.45,
    )
    central = _schools(
        "11201",
        "12",
        1,
        3,
        area_type="urban",
        lowest_grade="K1",
        highest_grade="M3",
        target=1200,
        poverty=0.05,
    )
    ne, r01 = _flows([simulate_esa(north_east, 7)]), _flows([simulate_esa(central, 7)])

    assert ne["dropped_out"] > 2 * r01["dropped_out"]
    assert ne["repeated"] > 1.5 * r01["repeated"]
    assert r01["dropped_out"] < 0.01 < ne["dropped_out"] < 0.05


def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows() -> None:
    first = list(islice(dmc_rows(scale="tiny", seed=2569, year_be=2569), 400))
    again = list(islice(dmc_rows(scale="tiny", seed=2569, year_be=2569), 400))
    other = list(islice(dmc_rows(scale="tiny", seed=1, year_be=2569), 400))

    assert first == again
    assert first != other


def test_dmc_rows_have_exactly_the_dmc_headers_and_dmc_values(
    tiny: list[tuple[list[SchoolInfo], EsaRecords]],
) -> None:
    rows = list(dmc_rows(scale="tiny", seed=2569, year_be=2569))
    h = DMC_HEADERS
    current = [p for p in learners(tiny) if p.current is not None]

    assert len(rows) == len(current)
    assert all(list(row) == list(DMC_HEADERS.values()) for row in rows)
    assert {row[h["grade"]][:2] for row in rows} <= {"อ.", "ป.", "ม."}
    assert {row[h["sex"]] for row in rows} == set(SEX_EXPORT.values())
    assert {row[h["academic_year"]] for row in rows} == {"2569"}
    assert {row[h["entry"]] for row in rows} == {"ใหม่", "เลื่อนชั้น", "ซ้ำชั้น", "ย้ายเข้า"}
    day, month, year = rows[0][h["birth_date"]].split("/")
    assert 2550 < int(year) < 2567
    assert len(day) == len(month) == 2
    assert rows[0][h["identifier"]] == current[0].identifier
    with pytest.raises(ValueError, match="2569"):
        next(dmc_rows(scale="tiny", seed=2569, year_be=2568))
