"""Which schools get learners, and the database-free path: the plan's schools and ``dmc_rows``.

A *records scope* says whose learners to generate: ``tiny`` (the tiny scale's provinces, a few
learners per school: fast tests), ``province`` (the same three provinces — นนทบุรี, เลย,
หนองบัวลำภู, where the personas work — at full density: the default ``make run``) or ``national`` (every school, about 6.6 million current learners: benchmarks).
The database path (:mod:`suksa.demo.students.writer`) reads the schools it finds in those
provinces; :func:`plan_schools` reproduces the same schools from the plan and the ``geothai``
reference data without touching the database, so :func:`dmc_rows` yields exactly the learners a
demo database of the same scale and seed holds.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from suksa.core.dates import to_be_year
from suksa.demo.data import HOME_ESA_CODE, SCALES
from suksa.demo.plan import plan_esas, region_of_province, scale_provinces
from suksa.demo.schools import Place, generate_schools
from suksa.demo.students.simulate import CURRENT, SchoolInfo, school_poverty, simulate_esa

if TYPE_CHECKING:
    from suksa.demo.generator import Geography
    from suksa.demo.schools import SchoolRow

RECORD_CHOICES = ("none", "tiny", "province", "national")


@dataclass(frozen=True)
class RecordScope:
    name: str
    provinces: frozenset[str]
    cap: int | None  # most current-year learners per school (None = the school's full enrolment)
    demo_school_cap: int | None  # a larger cap for the personas' school, so its pages look alive


TINY_CAP = 40
TINY_DEMO_SCHOOL_CAP = 180


def record_scope(name: str) -> RecordScope:
    """The scope named ``name`` (one of ``tiny``, ``province``, ``national``)."""
    # "province" covers the personas' provinces at full density, not the province scale's two whole
    # regions: 1.5 M learners made `make run` take a quarter of an hour, ~0.2 M takes a couple of
    # minutes and still fills every page the personas open.
    provinces = frozenset(scale_provinces(SCALES["tiny" if name == "province" else name]))
    if name == "tiny":
        return RecordScope(name, provinces, TINY_CAP, TINY_DEMO_SCHOOL_CAP)
    return RecordScope(name, provinces, None, None)


def default_records(scale: str) -> str:
    """``--records`` when not given: the scale itself, but only ``province`` for ``national`` so
    that ``make run`` (the national org tree) starts quickly."""
    return "province" if scale == "national" else scale


def school_info(
    *, seed: int, scope: RecordScope, code: str, esa_code: str, province: str, area_type: str,
    lowest_grade: str, highest_grade: str, student_count: int, demo_school: bool,
) -> SchoolInfo:  # fmt: skip
    cap = scope.demo_school_cap if demo_school else scope.cap
    region = region_of_province()[province]
    return SchoolInfo(
        code=code,
        esa_code=esa_code,
        province=province,
        region=region,
        area_type=area_type,
        lowest_grade=lowest_grade,
        highest_grade=highest_grade,
        target=student_count if cap is None else min(cap, student_count),
        poverty=school_poverty(seed, code, province, region, area_type),
    )


def _geography() -> Geography:
    """The generator's Geography, built from ``geothai`` as the reference migration loads it."""
    import geothai

    from suksa.demo.generator import Geography

    geo = Geography(
        {p.code: (p.name_th, p.name_en) for p in sorted(geothai.provinces(), key=lambda p: p.code)}
    )
    for province in sorted(geo.names):
        for d in sorted(geothai.districts(province), key=lambda d: d.code):
            geo.districts[province].append(d.code)
            for s in sorted(geothai.subdistricts(d.code), key=lambda s: s.code):
                postal = (s.postal_codes or ("",))[0]
                geo.places[d.code].append(
                    Place(s.code, s.name_th, s.name_en, postal, d.code, d.name_th, d.name_en)
                )
    return geo


def plan_schools(*, scale: str, seed: int) -> Iterator[list[SchoolInfo]]:
    """The schools of ``scale`` with their learner targets, one ESA (in code order) at a time.

    The same rows the demo generator writes for that scale and seed, computed without a database.
    """
    from suksa.demo.generator import school_quotas

    scope = record_scope(scale)
    geo = _geography()
    plans = sorted(plan_esas(geo.names, SCALES[scale]), key=lambda p: p.code)
    demo_school: str | None = None
    for plan in plans:
        infos: list[SchoolInfo] = []
        rows: list[SchoolRow] = []
        for quota in school_quotas(plan, SCALES[scale], geo):
            rows += generate_schools(
                rng=random.Random(f"{seed}:{plan.code}:{quota.province}"),
                esa_type=plan.esa_type,
                province=quota.province,
                province_names=geo.names[quota.province],
                places=[pl for d in quota.districts for pl in geo.places[d]],
                count=quota.count,
                serial_prefix=plan.area_number if plan.esa_type == "primary" else 50 + plan.area_number,
                flagship=plan.area_number == 1,
            )
        rows.sort(key=lambda r: r.code)
        if plan.code == HOME_ESA_CODE and rows:
            demo_school = rows[0].code
        for row in rows:
            if row.province not in scope.provinces:
                continue
            infos.append(
                school_info(
                    seed=seed,
                    scope=scope,
                    code=row.code,
                    esa_code=plan.code,
                    province=row.province,
                    area_type=row.area_type,
                    lowest_grade=row.lowest_grade,
                    highest_grade=row.highest_grade,
                    student_count=row.student_count,
                    demo_school=row.code == demo_school,
                )
            )
        if infos:
            yield infos


def _be(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{to_be_year(day.year)}"


def dmc_rows(*, scale: str, seed: int, year_be: int = CURRENT) -> Iterator[dict[str, str]]:
    """The current year's learners of ``scale`` as DMC file rows (Thai headers), streaming.

    Keys are exactly the values of ``DMC_HEADERS``; dates are Buddhist-Era ``dd/mm/yyyy``, grades
    ``ป.1``, sex ``ช``/``ญ``. No database is needed (Django settings are, for the code lists).
    Deterministic: the same scale and seed yield the same rows in the same order, ESA by ESA.
    Only the demo's current academic year has open enrolments, so ``year_be`` must be it.
    """
    from suksa.domains.students.dmc import DMC_HEADERS, ENTRY_EXPORT, SEX_EXPORT
    from suksa.domains.students.models.choices import GRADE_SHORT_TH

    if year_be != CURRENT:
        raise ValueError(f"the demo's learners are enrolled in {CURRENT}, not {year_be}")
    h = DMC_HEADERS
    for infos in plan_schools(scale=scale, seed=seed):
        records = simulate_esa(infos, seed)
        for learner in records.learners:
            stint = learner.current
            if stint is None:
                continue
            yield {
                h["identifier"]: learner.identifier,
                h["school_code"]: stint.school,
                h["academic_year"]: str(year_be),
                h["grade"]: GRADE_SHORT_TH[stint.grade],
                h["room"]: str(stint.room),
                h["prefix_th"]: learner.prefix_th(),
                h["first_name_th"]: learner.first_th,
                h["last_name_th"]: learner.last_th,
                h["first_name_en"]: learner.first_en,
                h["last_name_en"]: learner.last_en,
                h["sex"]: SEX_EXPORT[learner.sex],
                h["birth_date"]: _be(learner.birth_date),
                h["nationality"]: learner.nationality,
                h["entry"]: ENTRY_EXPORT[stint.entry],
                h["starts_on"]: _be(stint.starts_on),
            }


def group_by_esa(infos: list[SchoolInfo]) -> dict[str, list[SchoolInfo]]:
    out: dict[str, list[SchoolInfo]] = defaultdict(list)
    for info in infos:
        out[info.esa_code].append(info)
    return out
