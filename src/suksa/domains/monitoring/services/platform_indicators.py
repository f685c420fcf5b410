"""Indicators the monitoring domain computes itself from the school profiles.

``small_school_share`` and ``teacher_shortage_rate`` (definitions in ``monitoring.seed``) for every
ESA, inspection region and the nation, from ``core.School`` (``student_count``, ``teacher_count``,
``esa_type``) of active schools:

- small_school_share = schools with 1–120 learners / schools with learners;
- teacher_shortage_rate = schools with learners whose learners per teacher exceed the norm (25 in a
  primary ESA's school, 30 in a secondary ESA's school; a school with learners and no teacher is
  short) / schools with learners.

Set-based: one grouped query counts the schools of each ESA (``GROUP BY`` the school's parent), one
reads the ESAs, regions and nation (a few hundred rows), and the ESA counts are added up the
materialised path into their region and the nation. Values are stored as fractions (the catalogue
shows them as percent with ``scale: 100``), with the numerator and denominator, under producer
``monitoring.platform`` and formula version ``platform-1``, with one ``core.IndicatorRun``.

Period: the census key of the counts, e.g. ``"2569/jun10"``. A school profile's counts follow its
latest certified census return (``School.counts_as_of`` is that census date), so the period is the
census of the latest ``counts_as_of`` among active schools: the ``core.CensusDate`` with that date,
else the default census date (10 June, 10 November, year-end) of that academic year on or before
it. With no ``counts_as_of`` anywhere (profiles loaded, never certified), the latest default census
date on or before today. The caller may name the period instead. Schools whose counts are older are
counted as they stand (the run records how many schools had counts as of which date).

Idempotent: a run replaces the stored values of the two codes for its period and formula version
(a unit that no longer has schools with learners loses its value) and writes identical numbers
when nothing changed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from suksa.core import audit
from suksa.core.dates import academic_year_be_of, default_census_dates
from suksa.core.errors import InvalidInput, PermissionDenied
from suksa.core.models import AuditEntry, CensusDate, IndicatorRun, IndicatorValue, OrgUnit, School
from suksa.core.policy import Actor, Perm

PRODUCER = "monitoring.platform"
FORMULA_VERSION = "platform-1"
SMALL_SCHOOL_MAX = 120
SHORTAGE_NORMS = {"primary": 25, "secondary": 30}  # learners per teacher above which a school is short
CODES = ("small_school_share", "teacher_shortage_rate")
FORMULAS = {
    "small_school_share": f"schools with 1–{SMALL_SCHOOL_MAX} learners / schools with learners",
    "teacher_shortage_rate": (
        "schools with learners whose learners / teachers exceed the norm "
        f"({SHORTAGE_NORMS['primary']} primary ESA, {SHORTAGE_NORMS['secondary']} secondary ESA; "
        "no teacher counts as short) / schools with learners"
    ),
}
CENSUS_KEY = re.compile(r"^(\d{4})/(jun10|nov10|year_end)$")


@dataclass
class PlatformSummary:
    period: str
    run_id: int | None = None
    values_written: int = 0
    values_replaced: int = 0
    units: dict[str, int] = field(default_factory=dict)  # kind -> units with a value
    schools: int = 0  # schools with learners counted


def may_compute(actor: Actor) -> bool:
    """Recomputing stored values is a national duty (``indicator.compute`` granted at the nation)."""
    return actor.can_nationally(Perm.INDICATOR_COMPUTE)


def census_period(today: dt.date | None = None) -> str:
    """The census key of the school counts (see the module docstring)."""
    latest = School.objects.filter(unit__is_active=True).aggregate(d=Max("counts_as_of"))["d"]
    if latest is None:
        return _default_census_on_or_before(today or timezone.localdate())
    named = CensusDate.objects.filter(date=latest).select_related("academic_year").first()
    if named is not None:
        return f"{named.academic_year.year_be}/{named.round}"
    return _default_census_on_or_before(latest)


def _default_census_on_or_before(day: dt.date) -> str:
    year = academic_year_be_of(day)
    for y in (year, year - 1):
        past = [(d, label) for label, d in default_census_dates(y) if d <= day]
        if past:
            return f"{y}/{max(past)[1]}"
    return f"{year - 1}/jun10"


def platform_indicators_compute(*, actor: Actor, period: str | None = None) -> PlatformSummary:
    """Compute and store both indicators for every ESA, region and the nation (see module doc)."""
    if not may_compute(actor):
        raise PermissionDenied.default()
    if period is not None and not CENSUS_KEY.match(period):
        raise InvalidInput.single(
            "bad_period",
            f"ช่วงเวลา '{period}' ไม่ใช่รหัสรอบการนับนักเรียน (เช่น 2569/jun10)",
            f"'{period}' is not a census key (e.g. 2569/jun10)",
            field="period",
        )
    period = period or census_period()
    summary = PlatformSummary(period=period)
    started_at = timezone.now()
    short = Q(esa_type="primary", student_count__gt=F("teacher_count") * SHORTAGE_NORMS["primary"]) | Q(
        esa_type="secondary", student_count__gt=F("teacher_count") * SHORTAGE_NORMS["secondary"]
    )
    per_esa = (
        School.objects.filter(unit__is_active=True, student_count__gt=0)
        .values("unit__parent_id")
        .annotate(
            schools=Count("pk"),
            small=Count("pk", filter=Q(student_count__lte=SMALL_SCHOOL_MAX)),
            short=Count("pk", filter=short),
        )
        .order_by()
    )
    as_of = (
        School.objects.filter(unit__is_active=True, student_count__gt=0)
        .values("counts_as_of")
        .annotate(n=Count("pk"))
        .order_by("counts_as_of")
    )
    uppers = {
        pk: (kind, path)
        for pk, kind, path in OrgUnit.objects.filter(
            kind__in=[OrgUnit.Kind.NATION, OrgUnit.Kind.REGION, OrgUnit.Kind.ESA]
        ).values_list("pk", "kind", "path")
    }
    by_path = {path: pk for pk, (_, path) in uppers.items()}
    totals: dict[int, list[int]] = {}  # unit id -> [schools, small, short]
    for row in per_esa:
        esa_id = row["unit__parent_id"]
        if esa_id not in uppers:
            continue
        summary.schools += row["schools"]
        codes = [c for c in uppers[esa_id][1].split("/") if c]
        targets = [by_path.get("/" + "/".join(codes[:i]) + "/") for i in range(len(codes), 0, -1)]
        for unit_id in targets:
            if unit_id is None:
                continue
            acc = totals.setdefault(unit_id, [0, 0, 0])
            acc[0] += row["schools"]
            acc[1] += row["small"]
            acc[2] += row["short"]
    now = timezone.now()
    with transaction.atomic():
        run = IndicatorRun.objects.create(
            producer=PRODUCER,
            year_be=int(period.split("/")[0]),
            periods=[period],
            formula_version=FORMULA_VERSION,
            sources={
                "schools": "core.School: student_count, teacher_count, esa_type (active schools with learners)",
                "counts_as_of": {
                    (r["counts_as_of"].isoformat() if r["counts_as_of"] else "unknown"): r["n"] for r in as_of
                },
            },
            indicators={code: {"reads": "schools", "formula": FORMULAS[code]} for code in CODES},
            parameters={"small_school_max": SMALL_SCHOOL_MAX, "shortage_norms": SHORTAGE_NORMS},
            requested_by=actor.username or "",
            started_at=started_at,
        )
        summary.run_id = run.pk
        summary.values_replaced, _ = IndicatorValue.objects.filter(
            indicator__in=CODES, period=period, formula_version=FORMULA_VERSION
        ).delete()
        rows: list[IndicatorValue] = []
        for unit_id, (schools, small, short_n) in sorted(totals.items()):
            kind = uppers[unit_id][0]
            summary.units[kind] = summary.units.get(kind, 0) + 1
            for code, numerator in (("small_school_share", small), ("teacher_shortage_rate", short_n)):
                rows.append(
                    IndicatorValue(
                        indicator=code, formula_version=FORMULA_VERSION, unit_id=unit_id, period=period,
                        breakdown="", value=round(numerator / schools, 6), numerator=numerator,
                        denominator=schools, run=run, computed_at=now,
                        source={"schools": schools},
                    )
                )  # fmt: skip
        IndicatorValue.objects.bulk_create(rows, batch_size=2000)
        summary.values_written = len(rows)
        finished = timezone.now()
        run.counts = {
            "values_written": summary.values_written,
            "values_replaced": summary.values_replaced,
            "units": summary.units,
            "schools": summary.schools,
        }
        run.finished_at = finished
        run.seconds = {"total": round((finished - started_at).total_seconds(), 3)}
        run.save(update_fields=["counts", "finished_at", "seconds"])
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="core.indicatorrun",
            object_id=run.pk,
            object_repr=f"{PRODUCER} {period}",
            changes={
                "period": period,
                "values_written": summary.values_written,
                "values_replaced": summary.values_replaced,
                "schools": summary.schools,
            },
        )
    return summary
