"""Writes to the kernel's data: org units, school profiles, calendars. Each is atomic and audited."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from suksa.core import audit
from suksa.core.dates import (
    default_academic_year_bounds,
    default_census_dates,
    default_fiscal_year_bounds,
    default_semester_bounds,
)
from suksa.core.errors import InvalidInput, PermissionDenied, Problem
from suksa.core.models import AcademicYear, CensusDate, FiscalYear, OrgUnit, School, Semester, SizeBandRule
from suksa.core.policy import Actor, Perm
from suksa.core.size_bands import BandRule, size_band

SCHOOL_EDITABLE_FIELDS = ("name_en", "address", "phone", "area_type", "latitude", "longitude")
# Thailand lies inside these bounds; a point outside is a slip (often latitude and longitude swapped).
COORDINATE_BOUNDS = {
    "latitude": (Decimal(5), Decimal(21), "ละติจูด", "Latitude"),
    "longitude": (Decimal(97), Decimal(106), "ลองจิจูด", "Longitude"),
}


def _coordinate_problems(data: dict[str, Any]) -> list[Problem]:
    problems = []
    for name, (low, high, th, en) in COORDINATE_BOUNDS.items():
        value = data.get(name)
        if value in (None, ""):
            continue
        try:
            inside = low <= Decimal(str(value)) <= high
        except InvalidOperation:
            inside = False
        if not inside:
            problems.append(
                Problem(
                    code="coordinate_outside_thailand",
                    th=f"{th}ต้องเป็นตัวเลขระหว่าง {low} ถึง {high} (พิกัดในประเทศไทย)",
                    en=f"{en} must be a number between {low} and {high} (a point in Thailand)",
                    field=name,
                )
            )
    return problems


def band_rules() -> list[BandRule]:
    return [BandRule(r.esa_type, r.band, r.min_students, r.max_students) for r in SizeBandRule.objects.all()]


@transaction.atomic
def calendar_ensure_year(*, year_be: int) -> AcademicYear:
    """Create the academic year, its semesters, its census dates and the fiscal year it starts in,
    by the default rules, unless they exist (existing dates are never moved)."""
    starts, ends = default_academic_year_bounds(year_be)
    ay, _ = AcademicYear.objects.get_or_create(
        year_be=year_be, defaults={"starts_on": starts, "ends_on": ends}
    )
    for number, s, e in default_semester_bounds(year_be):
        Semester.objects.get_or_create(
            academic_year=ay, number=number, defaults={"starts_on": s, "ends_on": e}
        )
    for rnd, day in default_census_dates(year_be):
        CensusDate.objects.get_or_create(academic_year=ay, round=rnd, defaults={"date": day})
    for fy in (year_be, year_be + 1):
        fs, fe = default_fiscal_year_bounds(fy)
        FiscalYear.objects.get_or_create(year_be=fy, defaults={"starts_on": fs, "ends_on": fe})
    return ay


@transaction.atomic
def school_update_profile(*, actor: Actor, school: School, data: dict[str, Any]) -> School:
    """Edit the parts of a school profile that the school itself maintains."""
    if not actor.can(Perm.SCHOOL_EDIT, school.unit.path):
        raise PermissionDenied.default()
    unknown = set(data) - set(SCHOOL_EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(
            [
                Problem(
                    code="field_not_editable",
                    th=f"แก้ไขช่อง {f} ไม่ได้",
                    en=f"Field {f} cannot be edited",
                    field=f,
                )
                for f in sorted(unknown)
            ]
        )
    if problems := _coordinate_problems(data):
        raise InvalidInput(problems)
    before = audit.snapshot(school, [f for f in data if f != "name_en"])
    before_name = school.unit.name_en
    for key, value in data.items():
        if key == "name_en":
            school.unit.name_en = value
        else:
            setattr(school, key, value)
    school.full_clean(exclude=["unit"])
    school.save()
    if "name_en" in data:
        school.unit.save()
    changes = audit.diff(before, audit.snapshot(school, [f for f in data if f != "name_en"]))
    if "name_en" in data and before_name != school.unit.name_en:
        changes["name_en"] = [before_name, school.unit.name_en]
    audit.record(
        actor=actor,
        action="update",
        object_type="core.school",
        object_id=school.unit.code,
        object_repr=school.unit.name_th,
        unit_path=school.unit.path,
        changes=changes,
    )
    return school


def schools_recompute_size_bands(*, queryset: Any = None) -> int:
    """Recompute every school's size band from its enrolment (set-based: one UPDATE per band)."""
    from django.db.models import Q

    qs = queryset if queryset is not None else School.objects.all()
    updated = 0
    with transaction.atomic():
        for rule in SizeBandRule.objects.all():
            cond = Q(esa_type=rule.esa_type, student_count__gte=rule.min_students)
            if rule.max_students is not None:
                cond &= Q(student_count__lte=rule.max_students)
            updated += qs.filter(cond).exclude(size_band=rule.band).update(size_band=rule.band)
    return updated


def orgunit_move_subtree_paths(*, unit: OrgUnit) -> None:
    """Rewrite the materialised paths below ``unit`` after its code or parent changed."""
    old_prefix = OrgUnit.objects.get(pk=unit.pk).path
    unit.save()
    for child in OrgUnit.objects.filter(path__under=old_prefix).exclude(pk=unit.pk).order_by("path"):
        child.save()


__all__ = ["band_rules", "calendar_ensure_year", "school_update_profile", "size_band"]
