"""Small-school share and teacher-shortage rate from the school profiles, for ESAs, regions, nation.

The test world's schools (learners / teachers): ESA 11201 (primary) 85/8 (small) and 430/8 (53.8
per teacher: short); ESA 21201 (secondary) 1,800/80 (22.5: within the norm of 30); ESA 15001
(primary) 60/5 (small).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command

from suksa.core.errors import InvalidInput, PermissionDenied
from suksa.core.models import AuditEntry, IndicatorRun, IndicatorValue, School
from suksa.core.policy import SYSTEM
from suksa.domains.accounts.actors import actor_for
from suksa.domains.monitoring.models import ReportValue
from suksa.domains.monitoring.services.platform_indicators import (
    census_period,
    platform_indicators_compute,
)
from suksa.domains.monitoring.services.prefill import round_prefill
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World, make_school

pytestmark = pytest.mark.django_db

JUN10 = dt.date(2026, 6, 10)


def values(code: str) -> dict[str, tuple[float | None, float | None, float | None]]:
    return {
        unit: (value, num, den)
        for unit, value, num, den in IndicatorValue.objects.filter(indicator=code).values_list(
            "unit__code", "value", "numerator", "denominator"
        )
    }


def test_both_indicators_for_every_esa_region_and_the_nation(world: World) -> None:
    School.objects.update(counts_as_of=JUN10)
    summary = platform_indicators_compute(actor=actor_for(world.user("me_officer")))

    assert summary.period == "2569/jun10"
    assert (summary.values_written, summary.schools) == (12, 4)
    assert summary.units == {"esa": 3, "region": 2, "nation": 1}
    assert values("small_school_share") == {
        "11201": (0.5, 1, 2), "21201": (0.0, 0, 1), "15001": (1.0, 1, 1),
        "R01": (0.333333, 1, 3), "R02": (1.0, 1, 1), "OBEC": (0.5, 2, 4),
    }  # fmt: skip
    assert values("teacher_shortage_rate") == {
        "11201": (0.5, 1, 2), "21201": (0.0, 0, 1), "15001": (0.0, 0, 1),
        "R01": (0.333333, 1, 3), "R02": (0.0, 0, 1), "OBEC": (0.25, 1, 4),
    }  # fmt: skip
    assert summary.run_id is not None
    run = IndicatorRun.objects.get(pk=summary.run_id)
    assert (run.producer, run.formula_version, run.periods) == (
        "monitoring.platform",
        "platform-1",
        ["2569/jun10"],
    )
    assert run.sources["counts_as_of"] == {"2026-06-10": 4}
    assert run.parameters == {"small_school_max": 120, "shortage_norms": {"primary": 25, "secondary": 30}}
    assert AuditEntry.objects.filter(object_type="core.indicatorrun", object_id=str(run.pk)).count() == 1
    assert not IndicatorValue.objects.filter(indicator="small_school_share", unit__kind="school").exists()


def test_a_school_without_teachers_is_short_and_one_without_learners_is_left_out(world: World) -> None:
    School.objects.update(counts_as_of=JUN10)
    make_school("1050000002", "โรงเรียนบ้านห้วยทราย", world.esa_b1, students=40, teachers=0)
    make_school("1050000003", "โรงเรียนบ้านร้าง", world.esa_b1, students=0, teachers=0)
    platform_indicators_compute(actor=SYSTEM)
    assert values("teacher_shortage_rate")["15001"] == (0.5, 1, 2)
    assert values("small_school_share")["15001"] == (1.0, 2, 2)


def test_a_rerun_replaces_the_period_and_is_idempotent(world: World) -> None:
    School.objects.update(counts_as_of=JUN10)
    platform_indicators_compute(actor=SYSTEM)
    first = values("small_school_share")
    again = platform_indicators_compute(actor=SYSTEM)
    assert (again.values_replaced, again.values_written) == (12, 12)
    assert values("small_school_share") == first
    assert (
        IndicatorValue.objects.filter(indicator__in=["small_school_share", "teacher_shortage_rate"]).count()
        == 12
    )
    School.objects.filter(unit=world.school_a1_2).update(student_count=110)
    platform_indicators_compute(actor=SYSTEM)
    assert values("small_school_share")["11201"] == (1.0, 2, 2)
    other = platform_indicators_compute(actor=SYSTEM, period="2568/nov10")
    assert other.values_replaced == 0
    assert IndicatorValue.objects.filter(indicator="small_school_share").count() == 12


def test_the_period_follows_the_latest_counts(world: World) -> None:
    assert census_period(today=dt.date(2026, 11, 21)) == "2569/nov10"  # no counts yet: latest census date
    assert census_period(today=dt.date(2026, 5, 20)) == "2568/year_end"
    School.objects.update(counts_as_of=dt.date(2025, 11, 10))
    School.objects.filter(unit=world.school_b1_1).update(counts_as_of=JUN10)
    assert census_period() == "2569/jun10"
    with pytest.raises(InvalidInput):
        platform_indicators_compute(actor=SYSTEM, period="2569")
    assert not IndicatorValue.objects.exists()


def test_the_computation_is_set_based(world: World, django_assert_max_num_queries: Any) -> None:
    School.objects.update(counts_as_of=JUN10)
    for n in range(20):
        make_school(f"10500001{n:02d}", f"โรงเรียนทดสอบ {n}", world.esa_b1, students=50 + n * 10, teachers=3)
    with django_assert_max_num_queries(12):
        summary = platform_indicators_compute(actor=SYSTEM)
    assert summary.schools == 24


@pytest.mark.parametrize("persona", ["executive", "reviewer", "esa_director_a1", "sysadmin_a1"])
def test_only_a_national_operator_computes(world: World, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        platform_indicators_compute(actor=actor_for(world.user(persona)))
    assert not IndicatorValue.objects.exists()
    assert not IndicatorRun.objects.exists()


def test_the_values_prefill_the_report_as_percent(world: World) -> None:
    School.objects.update(counts_as_of=JUN10)
    out = io.StringIO()
    call_command("compute_platform_indicators", stdout=out)
    assert "2569/jun10" in out.getvalue()
    assert "wrote 12 values" in out.getvalue()
    fw = make_framework(2569)
    round_prefill(actor=SYSTEM, round=round_of(fw, "m12"))
    shown = ReportValue.objects.get(report__esa=world.esa_a1, indicator__code="small_school_share")
    assert (shown.value, shown.period, shown.source["producer"]) == (
        50.0,
        "2569/jun10",
        "monitoring.platform",
    )
    short = ReportValue.objects.get(report__esa=world.esa_a1, indicator__code="teacher_shortage_rate")
    assert short.value == 50.0
