"""Write the synthetic nation to the database: org tree, schools, calendars and demo personas.

A bulk loader: rows go in with ``bulk_create`` in batches inside one transaction, schools are
streamed ESA by ESA (memory stays flat at national scale), and the whole load is one audit entry
rather than one per row. Deterministic: the same seed gives the same codes, names and counts.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Sum

from suksa.core import audit
from suksa.core.dates import default_census_dates
from suksa.core.models import District, EsaProfile, OrgUnit, Province, School, Subdistrict
from suksa.core.policy import ROLE_LABELS, SYSTEM
from suksa.core.services import calendar_ensure_year, schools_recompute_size_bands
from suksa.demo.data import (
    CALENDAR_YEARS_BE,
    CURRENT_ACADEMIC_YEAR_BE,
    DEMO_PASSWORD,
    HOME_ESA_CODE,
    OTHER_ESA_CODE,
    PERSONAS,
    SCALES,
    Scale,
)
from suksa.demo.plan import (
    NATION_CODE,
    NATION_NAME_EN,
    NATION_NAME_TH,
    EsaPlan,
    allocate,
    partition,
    plan_esas,
    province_school_quotas,
    regions,
    scale_provinces,
)
from suksa.demo.schools import Place, SchoolRow, generate_schools
from suksa.domains.accounts.models import RoleAssignment, User

BATCH_SIZE = 2000
DEFAULT_SEED = 2569

Progress = Callable[[str], None]


class DemoAlreadyExists(Exception):
    """The database already holds an org tree and ``replace`` was not asked for."""

    th = "มีข้อมูลหน่วยงานอยู่แล้ว ใช้ --replace เพื่อลบข้อมูลตัวอย่างเดิมแล้วสร้างใหม่"
    en = "Org units already exist; use --replace to remove the previous demo and generate again"

    def __str__(self) -> str:
        return f"{self.th} / {self.en}"


@dataclass
class Geography:
    """The real geography the generator draws on, loaded once from core reference tables."""

    names: dict[str, tuple[str, str]]
    districts: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    places: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls) -> Geography:
        geo = cls({p.code: (p.name_th, p.name_en) for p in Province.objects.order_by("code")})
        district_names = {}
        for d in District.objects.order_by("code").values_list("code", "province_id", "name_th", "name_en"):
            geo.districts[d[1]].append(d[0])
            district_names[d[0]] = (d[2], d[3])
        subs = Subdistrict.objects.order_by("code").values_list(
            "code", "district_id", "name_th", "name_en", "postal_code"
        )
        for code, district, th, en, postal in subs:
            d_th, d_en = district_names[district]
            geo.places[district].append(Place(code, th, en, postal, district, d_th, d_en))
        return geo

    @cached_property
    def quotas(self) -> tuple[dict[str, int], dict[str, int]]:
        """Full-density (primary, secondary) school counts per province."""
        return province_school_quotas(
            {p: self.subdistrict_count(p) for p in self.names},
            {p: len(self.districts[p]) for p in self.names},
        )

    def subdistrict_count(self, province: str) -> int:
        return sum(len(self.places[d]) for d in self.districts[province])

    def area_districts(self, province: str, area: int, areas: int) -> list[str]:
        items = [(d, len(self.places[d])) for d in self.districts[province]]
        return partition(items, areas)[area - 1]


@dataclass(frozen=True)
class SchoolQuota:
    """How many schools one ESA gets in one of its provinces, and where they may be."""

    province: str
    districts: tuple[str, ...]
    count: int


def school_quotas(plan: EsaPlan, scale: Scale, geo: Geography) -> list[SchoolQuota]:
    """Schools of one ESA, per covered province. Full density follows the national quotas."""
    primary_q, secondary_q = geo.quotas
    if plan.esa_type == "primary":
        province = plan.office_province
        runs = partition([(d, len(geo.places[d])) for d in geo.districts[province]], plan.area_count)
        # An area's share of the province's schools follows its share of subdistricts.
        weights = [sum(len(geo.places[d]) for d in run) for run in runs]
        full = allocate(primary_q[province], weights)[plan.area_number - 1]
        count = scale.primary_schools_per_esa if scale.primary_schools_per_esa is not None else full
        return [SchoolQuota(province, tuple(runs[plan.area_number - 1]), count)]
    if scale.secondary_schools_per_esa is not None:
        counts = allocate(scale.secondary_schools_per_esa, [secondary_q[p] for p in plan.provinces])
    else:
        counts = [
            allocate(secondary_q[p], [1] * plan.area_count)[plan.area_number - 1] for p in plan.provinces
        ]
    # Bangkok's two secondary areas split the city's districts, as the primary areas split theirs.
    return [
        SchoolQuota(province, tuple(geo.area_districts(province, plan.area_number, plan.area_count)), count)
        for province, count in zip(plan.provinces, counts, strict=True)
    ]


def _unit(kind: str, code: str, name_th: str, name_en: str, parent: OrgUnit | None) -> OrgUnit:
    unit = OrgUnit(kind=kind, code=code, name_th=name_th, name_en=name_en, parent=parent)
    unit.refresh_derived()  # bulk_create skips save(), which derives the path
    return unit


class _SchoolWriter:
    """Buffers school rows and writes org units and profiles in batches."""

    def __init__(self, counts_as_of: Any) -> None:
        self.buffer: list[tuple[OrgUnit, SchoolRow, str]] = []
        self.counts_as_of = counts_as_of
        self.written = 0

    def add(self, esa: OrgUnit, esa_type: str, rows: Iterable[SchoolRow]) -> None:
        for row in rows:
            self.buffer.append((_unit("school", row.code, row.name_th, row.name_en, esa), row, esa_type))
        if len(self.buffer) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        units = OrgUnit.objects.bulk_create([u for u, _, _ in self.buffer], batch_size=BATCH_SIZE)
        School.objects.bulk_create(
            [
                School(
                    unit=unit,
                    esa_type=esa_type,
                    province_id=row.province,
                    district_id=row.district,
                    subdistrict_id=row.subdistrict,
                    area_type=row.area_type,
                    lowest_grade=row.lowest_grade,
                    highest_grade=row.highest_grade,
                    student_count=row.student_count,
                    teacher_count=row.teacher_count,
                    classroom_count=row.classroom_count,
                    counts_as_of=self.counts_as_of,
                    address=row.address,
                )
                for unit, (_, row, esa_type) in zip(units, self.buffer, strict=True)
            ],
            batch_size=BATCH_SIZE,
        )
        self.written += len(self.buffer)
        self.buffer = []


def remove_demo() -> dict[str, int]:
    """Remove the org tree, every role assignment on it, and the demo personas' accounts.

    Audit entries stay: the log is append-only.
    """
    removed: dict[str, int] = {}
    with transaction.atomic():
        # Monitoring reports point at ESAs and reviews at the personas: they go first.
        from suksa.demo.monitoring.writer import remove_monitoring

        remove_monitoring()
        # Every grant points at a unit of the tree being removed, whoever holds it.
        removed["role_assignments"] = RoleAssignment.objects.all().delete()[0]
        removed["users"] = User.objects.filter(username__in=[p.username for p in PERSONAS]).delete()[0]
        Province.objects.exclude(inspection_region=None).update(inspection_region=None)
        removed["schools"] = School.objects.all().delete()[0]
        EsaProfile.provinces.through.objects.all().delete()
        removed["esas"] = EsaProfile.objects.all().delete()[0]
        # Learners, rooms, census returns and indicator values point at schools: they go first.
        from suksa.demo.students.writer import remove_students

        remove_students()
        # Leaves first, one DELETE per level: the ORM's collector would load 29k units to find
        # their (already removed) dependants. A row of another app still pointing at a unit makes
        # the foreign-key check fail and the whole removal roll back.
        for kind in ("school", "esa", "region", "nation"):
            removed[f"units_{kind}"] = OrgUnit.objects.filter(kind=kind)._raw_delete(OrgUnit.objects.db)
    return removed


def _create_personas(units: dict[str, OrgUnit]) -> list[User]:
    password = make_password(DEMO_PASSWORD)  # hashed once: argon2 is deliberately slow
    User.objects.filter(username__in=[p.username for p in PERSONAS]).delete()
    users = User.objects.bulk_create(
        [
            User(
                username=p.username,
                password=password,
                title_th=p.title_th,
                first_name_th=p.first_name_th,
                last_name_th=p.last_name_th,
                first_name=p.first_name,
                last_name=p.last_name,
                email=f"{p.username}@demo.suksa.invalid",
                preferred_language="th",
                is_staff=p.unit == "nation" and p.username == "sysadmin",
            )
            for p in PERSONAS
        ]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=u, role=str(p.role), unit=units[p.unit])
            for u, p in zip(users, PERSONAS, strict=True)
        ]
    )
    return users


def persona_units() -> dict[str, OrgUnit]:
    """The units the personas sit on, found in the generated tree."""
    home_esa = OrgUnit.objects.select_related("parent").get(code=HOME_ESA_CODE)
    schools = list(OrgUnit.objects.filter(parent=home_esa, kind="school").order_by("code")[:2])
    assert home_esa.parent is not None
    return {
        "nation": OrgUnit.objects.get(code=NATION_CODE),
        "home_region": home_esa.parent,
        "home_esa": home_esa,
        "other_esa": OrgUnit.objects.get(code=OTHER_ESA_CODE),
        "home_school": schools[0],
        "other_school": schools[1],
    }


def persona_rows(language: str = "th") -> list[dict[str, str]]:
    """Logins to show a newcomer: username, password, role and unit, as the database holds them."""
    assignments = {
        (a.user.username, a.role): a.unit
        for a in RoleAssignment.objects.select_related("user", "unit").filter(
            user__username__in=[p.username for p in PERSONAS], revoked_at=None
        )
    }
    rows = []
    for p in PERSONAS:
        unit = assignments.get((p.username, str(p.role)))
        if unit is None:
            continue
        rows.append(
            {
                "username": p.username,
                "password": DEMO_PASSWORD,
                "role_th": ROLE_LABELS[p.role][0],
                "role_en": ROLE_LABELS[p.role][1],
                "unit_th": unit.name_th,
                "unit_en": unit.name_en,
            }
        )
    return rows


def _create_tree(plans: list[EsaPlan]) -> tuple[OrgUnit, list[OrgUnit], list[OrgUnit]]:
    """The nation, all 18 regions (with their provinces) and the planned ESAs with profiles."""
    nation = _unit("nation", NATION_CODE, NATION_NAME_TH, NATION_NAME_EN, None)
    nation.save()
    region_plans = regions()
    region_units = OrgUnit.objects.bulk_create(
        [_unit("region", r.code, r.name_th, r.name_en, nation) for r in region_plans]
    )
    by_region = {r.number: u for r, u in zip(region_plans, region_units, strict=True)}
    for r in region_plans:
        Province.objects.filter(code__in=r.provinces).update(inspection_region=by_region[r.number])
    esa_units = OrgUnit.objects.bulk_create(
        [_unit("esa", p.code, p.name_th, p.name_en, by_region[p.region]) for p in plans]
    )
    EsaProfile.objects.bulk_create(
        [
            EsaProfile(
                unit=u, esa_type=p.esa_type, area_number=p.area_number, office_province_id=p.office_province
            )
            for p, u in zip(plans, esa_units, strict=True)
        ]
    )
    EsaProfile.provinces.through.objects.bulk_create(
        [
            EsaProfile.provinces.through(esaprofile_id=u.pk, province_id=prov)
            for p, u in zip(plans, esa_units, strict=True)
            for prov in p.provinces
        ]
    )
    return nation, region_units, esa_units


def _create_schools(
    plans: list[EsaPlan], esa_units: list[OrgUnit], scale: Scale, geo: Geography, seed: int, say: Progress
) -> int:
    """Stream every ESA's schools into the database; returns how many were written."""
    census_day = dict(default_census_dates(CURRENT_ACADEMIC_YEAR_BE))["jun10"]
    writer = _SchoolWriter(census_day)
    for index, (plan, unit) in enumerate(zip(plans, esa_units, strict=True), start=1):
        for quota in school_quotas(plan, scale, geo):
            rows = generate_schools(
                # One stream per ESA and province: the same school at every scale.
                rng=random.Random(f"{seed}:{plan.code}:{quota.province}"),
                esa_type=plan.esa_type,
                province=quota.province,
                province_names=geo.names[quota.province],
                places=[pl for d in quota.districts for pl in geo.places[d]],
                count=quota.count,
                serial_prefix=plan.area_number if plan.esa_type == "primary" else 50 + plan.area_number,
                flagship=plan.area_number == 1,
            )
            writer.add(unit, plan.esa_type, rows)
        if index % 25 == 0 or index == len(plans):
            done = writer.written + len(writer.buffer)
            say(f"  สพท. / ESAs {index}/{len(plans)}: โรงเรียน / schools {done:,}")
    writer.flush()
    schools_recompute_size_bands()
    return writer.written


def generate(
    *,
    scale: str = "tiny",
    seed: int = DEFAULT_SEED,
    replace: bool = False,
    progress: Progress | None = None,
    records: str = "none",
    monitoring: bool = False,
    insights: bool = False,
) -> dict[str, Any]:
    """Generate the demo nation at ``scale``; returns what was written (also in the audit entry).

    ``records`` adds record-level learners (``tiny``, ``province`` or ``national``; see
    :mod:`suksa.demo.students`). The Python default is ``none`` (the org tree alone, fast); the
    ``suksa demo`` and ``suksa run`` commands default to :func:`suksa.demo.students.default_records`.
    ``monitoring`` adds the synthetic monitoring history (:mod:`suksa.demo.monitoring`); off by
    default in Python, on in the commands. ``insights`` (with ``monitoring``) then computes the
    insights of the open round (:mod:`suksa.demo.insights`), after the rest is committed.
    """
    from suksa.demo.students import RECORD_CHOICES
    from suksa.demo.students.writer import generate_students

    if records not in RECORD_CHOICES:
        raise ValueError(f"records must be one of {', '.join(RECORD_CHOICES)}, not {records!r}")
    say: Progress = progress or (lambda _msg: None)
    chosen = SCALES[scale]
    with transaction.atomic():
        if OrgUnit.objects.exists():
            if not replace:
                raise DemoAlreadyExists()
            say("ลบข้อมูลตัวอย่างเดิม / Removing the previous demo")
            remove_demo()
        geo = Geography.load()
        plans = plan_esas(geo.names, chosen)
        nation, region_units, esa_units = _create_tree(plans)
        provinces = len(scale_provinces(chosen))
        say(
            f"{len(region_units)} เขตตรวจราชการ, {len(esa_units)} สพท., {provinces} จังหวัด / "
            f"{len(region_units)} regions, {len(esa_units)} ESAs, {provinces} provinces"
        )
        schools = _create_schools(plans, esa_units, chosen, geo, seed, say)
        for year in CALENDAR_YEARS_BE:
            calendar_ensure_year(year_be=year)
        users = _create_personas(persona_units())
        learners = generate_students(records=records, seed=seed, progress=say)
        history = None
        if monitoring:
            from suksa.demo.monitoring.writer import generate_monitoring

            history = generate_monitoring(seed=seed, progress=say)
        totals = School.objects.aggregate(students=Sum("student_count"), teachers=Sum("teacher_count"))
        counts: dict[str, Any] = {
            "regions": len(region_units),
            "esas": len(esa_units),
            "esas_primary": sum(p.esa_type == "primary" for p in plans),
            "esas_secondary": sum(p.esa_type == "secondary" for p in plans),
            "provinces": provinces,
            "schools": schools,
            "students": totals["students"] or 0,
            "teachers": totals["teachers"] or 0,
            "users": len(users),
        }
        if records != "none":
            counts["records"] = learners
        if history is not None:
            counts["monitoring"] = history
        audit.record(
            actor=SYSTEM,
            action="import",
            object_type="demo.nation",
            object_repr=f"demo {scale} seed {seed}",
            unit_path=nation.path,
            changes={"scale": scale, "seed": seed, "counts": counts},
        )
    if insights and monitoring:
        from suksa.demo.insights import compute_demo_insights

        counts["insights"] = compute_demo_insights(say)
    return counts
