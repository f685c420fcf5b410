"""Builders of the school-models tests, and the ESA B object of the route matrix.

``onet_schools`` makes primary small rural schools of an ESA with a stored O-NET P6 history (AY
2563–2568, 20 takers a year) under the catalogue's producer: ordinary schools spread evenly over
±2.5 points, and optionally one planted deviant (+8 every year) and one one-year typo (×1.9).
``current_run`` makes a completed, current run of a round; ``group_with`` stores a school group and
deviance rows directly (pages and API tests).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from suksa.core.models import IndicatorRun, IndicatorValue, OrgUnit
from suksa.domains.insights.models import InsightRun, SchoolDeviance, SchoolGroup
from suksa.domains.insights.models.choices import RunStatus
from suksa.domains.monitoring.models import Round
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World, make_school

YEARS = ("2563", "2564", "2565", "2566", "2567", "2568")
NOISE = (1.0, -1.0, 0.5, -0.5, 1.5, -1.5)
PRODUCER = "import:niets_onet"
B_GROUP = "onet_mean_m3|extended|small|rural"


def any_round() -> Round:
    existing = Round.objects.filter(framework__fiscal_year=2569, code="m12").first()
    return existing or round_of(make_framework(2569))


def current_run(rnd: Round) -> InsightRun:
    run = InsightRun.objects.filter(round=rnd, is_current=True).first()
    return run or InsightRun.objects.create(round=rnd, status=RunStatus.DONE, is_current=True)


def onet_schools(
    esa: OrgUnit,
    n: int,
    *,
    prefix: str,
    deviant: int | None = None,
    typo: int | None = None,
    base: float = 40.0,
) -> list[OrgUnit]:
    now = timezone.now()
    run = IndicatorRun.objects.create(producer=PRODUCER, formula_version="test-1", periods=list(YEARS),
                                      started_at=now, finished_at=now)  # fmt: skip
    schools = []
    values = []
    for j in range(n):
        school = make_school(
            f"{prefix}{j:04d}", f"โรงเรียนทดสอบ {prefix}{j:04d}", esa, students=80, teachers=5
        )
        schools.append(school)
        effect = -2.5 + 5.0 * j / max(1, n - 1)
        for i, year in enumerate(YEARS):
            v = base + effect + NOISE[(i + j) % 6] + (8.0 if j == deviant else 0.0)
            if j == typo and year == "2567":
                v *= 1.9
            values.append(
                IndicatorValue(
                    indicator="onet_mean_p6",
                    formula_version="test-1",
                    unit=school,
                    period=year,
                    breakdown="",
                    value=round(v, 2),
                    numerator=round(v * 20, 2),
                    denominator=20,
                    run=run,
                    computed_at=now,
                )
            )
    IndicatorValue.objects.bulk_create(values)
    return schools


def group_with(
    run: InsightRun, key: str, esas: list[OrgUnit], deviants: list[OrgUnit], **extra: Any
) -> SchoolGroup:
    indicator = key.split("|")[0]
    group = SchoolGroup.objects.create(
        run=run, key=key, name_th=f"กลุ่ม {key}", name_en=f"Group {key}",
        definition={"indicator": indicator, "level": "primary", "esa_ids": sorted(e.pk for e in esas)},
        school_count=10 * len(esas), deviant_count=len(deviants),
        shared={"practices": [{"key": "multigrade", "name_th": "โรงเรียนขนาดเล็กรวมชั้นเรียน",
                               "name_en": "Small-school multi-grade teaching", "deviants_with": 1,
                               "others_with": 0, "deviants_share": 1.0, "others_share": 0.0, "lift": None}],
                "staffing": {"pupil_teacher_median": {"deviants": 14.0, "others": 18.0}},
                "size": {"learners_median": {"deviants": 80.0, "others": 90.0}}},
        evidence=[{"doc_id": 1, "esa_id": d.parent_id, "school": d.code, "source": "narrative",
                   "round_key": "2569/m12", "work_id": None} for d in deviants],
        **extra,
    )  # fmt: skip
    for d in deviants:
        assert d.parent_id is not None
        SchoolDeviance.objects.create(
            run=run, group=group, school=d, esa_id=d.parent_id, indicator=indicator, observed=48.0,
            expected=40.0, residual=8.0, z=6.4, years=6, is_deviant=True,
            named_in=[{"doc_id": 1, "esa_id": d.parent_id, "source": "narrative", "round_key": "2569/m12",
                       "work_id": None}],
            data={"se": 1.25, "level_z": 3.9, "school_code": d.code, "yearly": []},
        )  # fmt: skip
    return group


def b_group_id(world: World) -> int:
    """A school group (O-NET M3) holding only ESA B's schools (its deviant is ESA B's school)."""
    run = current_run(any_round())
    existing = SchoolGroup.objects.filter(run=run, key=B_GROUP).first()
    if existing is not None:
        return existing.pk
    return group_with(run, B_GROUP, [world.esa_b1], [world.school_b1_1]).pk
