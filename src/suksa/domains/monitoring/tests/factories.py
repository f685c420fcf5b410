"""Builders for monitoring tests: a framework from the seeded catalogue, platform values, reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from suksa.core.models import IndicatorRun, IndicatorValue, OrgUnit
from suksa.domains.monitoring.models import Framework, Report, Round
from suksa.domains.monitoring.services.frameworks_default import framework_build


def make_framework(fiscal_year: int = 2569, months: tuple[int, ...] = (6, 12), **kw: Any) -> Framework:
    return framework_build(fiscal_year, months=months, **kw)


def round_of(fw: Framework, code: str = "m12") -> Round:
    return fw.rounds.get(code=code)


def put_value(
    unit: OrgUnit,
    indicator: str,
    period: str,
    value: float,
    *,
    producer: str = "students.indicators",
    breakdown: str = "",
    formula_version: str = "test-1",
) -> IndicatorValue:
    """A stored platform value (as a producer would write it) with its run."""
    now = timezone.now()
    run = IndicatorRun.objects.create(
        producer=producer, formula_version=formula_version, periods=[period], started_at=now, finished_at=now
    )
    return IndicatorValue.objects.create(
        indicator=indicator, formula_version=formula_version, unit=unit, period=period, breakdown=breakdown,
        value=value, run=run, computed_at=now,
    )  # fmt: skip


def make_report(rnd: Round, esa: OrgUnit, **kw: Any) -> Report:
    return Report.objects.create(round=rnd, esa=esa, **kw)


def on(day: str) -> dt.date:
    return dt.date.fromisoformat(day)
