"""Write the synthetic monitoring history: frameworks, targets, platform history, reports, reviews.

Set-based: platform values go in with ``executemany`` in large batches; reports are created and
pre-filled by the real service (:func:`~suksa.domains.monitoring.services.prefill.round_prefill`,
one call per round, so past rounds show what was known by their end); everything the ESAs and the
bureau then did (reported values, narratives, works, submissions, reviews, edit time, reminders,
data problems, amendments) is written per round with ``executemany`` updates and inserts or
``bulk_create`` (upserts on the primary key for the reports), and the whole history is one audit
summary entry. Meant to run inside the demo generator's transaction, after the org tree, the
personas and the learners (whose computed indicators it never overwrites).

:func:`remove_monitoring` (also called by the generator's ``remove_demo``) empties every report,
framework and target of the database — the demo owns them — and the synthetic platform values and
staff accounts; the catalogue and the global rules stay.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.utils import timezone

from suksa.core import audit
from suksa.core.models import AuditEntry, IndicatorRun, IndicatorValue, OrgUnit, School
from suksa.core.policy import SYSTEM, Role
from suksa.demo.data import HOME_ESA_CODE, OTHER_ESA_CODE
from suksa.demo.monitoring import narratives as nar
from suksa.demo.monitoring.plan import (
    CONTEXT_CODES,
    CURRENT_ROUND,
    FISCAL_YEARS,
    FORMULA_VERSION,
    FRAMEWORK_MONTHS,
    GENERATOR,
    PAST_FISCAL_YEARS,
    REGION_GROUP,
    REGION_ONLY_CODES,
    REPORT_ROUNDS,
    REPORTED_SPECS,
    SCHOOL_YEARS,
    SPEC,
    SPECS,
    YEARS_FLOW,
    Cell,
    EsaContext,
    EsaKey,
    EsaTraits,
    Fate,
    SchoolKey,
    cell_of,
    children_returned,
    context_series,
    current_states,
    denominator,
    enrolment_at,
    esa_context,
    esa_series,
    esa_traits,
    past_fate,
    reviewer_picks,
    round_key,
    round_tau,
    school_plan,
    school_tests,
    school_values,
    target_areas,
    targets,
)
from suksa.demo.monitoring.truth import claimed_schools, planted_truth, truth_path, write_truth
from suksa.demo.students import DEMO_TODAY
from suksa.domains.accounts.models import RoleAssignment, User
from suksa.domains.monitoring.models import (
    Amendment,
    DataProblem,
    EvidenceFile,
    Framework,
    FrameworkIndicator,
    ItemComment,
    NarrativeEntry,
    NarrativeSection,
    OutstandingWork,
    Reminder,
    Report,
    ReportEditTime,
    ReportValue,
    Review,
    Round,
    Standard,
    StandardScore,
    Target,
    TargetArea,
    ValidationRule,
)
from suksa.domains.monitoring.models.choices import (
    Decision,
    FrameworkStatus,
    ProblemStatus,
    ReminderKind,
    ReportStatus,
    ValueOrigin,
    Verification,
)
from suksa.domains.monitoring.periods import available_on, round_period
from suksa.domains.monitoring.seed import INDICATORS
from suksa.domains.monitoring.services.frameworks_default import ensure_catalogue, framework_build
from suksa.domains.monitoring.services.prefill import round_prefill

Progress = Callable[[str], None]
BATCH = 5000
STAFF_PREFIX = "esa-"  # synthetic ESA staff accounts: esa-<code>-director / esa-<code>-officer
SOURCE_OF = {i["code"]: i["source"] for i in INDICATORS}
SYNTHETIC_SOURCE = json.dumps({"synthetic": True, "generator": GENERATOR}, separators=(",", ":"))


def aware(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


class _Sql:
    """Plain multi-row INSERT / UPDATE-by-id with ``executemany`` (Django's bulk paths build every
    value through the ORM, which costs more than the database here). Table and column names come
    from the models; values are parameters."""

    def __init__(self) -> None:
        self.ops = connection.ops
        self.pg = connection.vendor == "postgresql"

    def ts(self, value: dt.datetime | None) -> Any:
        return None if value is None else self.ops.adapt_datetimefield_value(value)

    def day(self, value: dt.date) -> Any:
        return self.ops.adapt_datefield_value(value)

    def _cols(self, model: type[models.Model], fields: Iterable[str]) -> list[tuple[str, str]]:
        qn = self.ops.quote_name
        out = []
        for name in fields:
            f = model._meta.get_field(name)
            mark = "CAST(%s AS jsonb)" if self.pg and isinstance(f, models.JSONField) else "%s"
            out.append((qn(str(f.column)), mark))  # type: ignore[union-attr]
        return out

    def insert(self, model: type[models.Model], fields: Iterable[str], rows: list[tuple[Any, ...]]) -> None:
        cols = self._cols(model, fields)
        sql = (
            f"INSERT INTO {self.ops.quote_name(model._meta.db_table)} ({', '.join(c for c, _ in cols)}) "  # noqa: S608
            f"VALUES ({', '.join(m for _, m in cols)})"
        )
        self._run(sql, rows)

    def update(self, model: type[models.Model], fields: Iterable[str], rows: list[tuple[Any, ...]]) -> None:
        """``rows``: the new values in the order of ``fields``, then the row's id."""
        cols = self._cols(model, fields)
        sets = ", ".join(f"{c} = {m}" for c, m in cols)
        sql = f"UPDATE {self.ops.quote_name(model._meta.db_table)} SET {sets} WHERE id = %s"  # noqa: S608
        self._run(sql, rows)

    def _run(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH):
                cursor.executemany(sql, rows[start : start + BATCH])


# --- removal --------------------------------------------------------------------------------------


def remove_monitoring() -> dict[str, int]:
    """Remove every report, framework and target, the synthetic platform history and the
    synthetic ESA staff accounts (the catalogue and the global rules stay). Leaves first, one
    DELETE per table."""
    removed: dict[str, int] = {}
    for model in (
        Amendment, ItemComment, StandardScore, Review, Reminder, ReportEditTime, DataProblem, EvidenceFile,
        OutstandingWork, NarrativeEntry, ReportValue, Report, TargetArea, NarrativeSection, FrameworkIndicator,
        Round,
    ):  # fmt: skip
        removed[model._meta.model_name or ""] = model.objects.all()._raw_delete(model.objects.db)
    ValidationRule.objects.exclude(framework=None).delete()
    removed["framework"] = Framework.objects.all()._raw_delete(Framework.objects.db)
    removed["target"] = Target.objects.all()._raw_delete(Target.objects.db)
    runs = list(IndicatorRun.objects.filter(parameters__generator=GENERATOR).values_list("pk", flat=True))
    if runs:
        values = IndicatorValue.objects.filter(run_id__in=runs)
        removed["indicator_values"] = values._raw_delete(values.db)
        IndicatorRun.objects.filter(pk__in=runs)._raw_delete(IndicatorRun.objects.db)
    staff = User.objects.filter(username__startswith=STAFF_PREFIX)
    RoleAssignment.objects.filter(user__in=staff).delete()
    removed["staff"] = staff.delete()[0]
    return removed


# --- the world as the database holds it -----------------------------------------------------------


@dataclass
class Esa:
    pk: int
    key: EsaKey
    name: str  # short Thai name
    region_pk: int
    traits: EsaTraits
    ctx: EsaContext
    schools: list[SchoolKey]
    director: User | None = None
    officer: User | None = None
    _claimed: list[tuple[str, str, bool, str]] | None = None

    def claimed(self, seed: int) -> list[tuple[str, str, bool, str]]:
        if self._claimed is None:
            self._claimed = claimed_schools(seed, self.key.code, self.schools)
        return self._claimed


@dataclass
class World:
    seed: int
    esas: list[Esa]
    by_code: dict[str, Esa]
    nation_pk: int
    school_pk: dict[str, int]
    school_name: dict[str, str]
    users: dict[str, User]

    def esa(self, pk: int) -> Esa | None:
        return self._by_pk.get(pk)

    def __post_init__(self) -> None:
        self._by_pk = {e.pk: e for e in self.esas}


def load_world(seed: int) -> World:
    units = OrgUnit.objects.filter(kind=OrgUnit.Kind.ESA).order_by("code")
    esa_rows = list(units.values_list("pk", "code", "name_th", "esa__esa_type", "parent_id", "parent__code"))
    schools: dict[str, list[SchoolKey]] = defaultdict(list)
    teachers: dict[str, int] = {}
    school_pk: dict[str, int] = {}
    school_name: dict[str, str] = {}
    rows = School.objects.order_by("unit__code").values_list(
        "unit_id", "unit__code", "unit__name_th", "unit__parent__code", "esa_type", "size_band", "area_type",
        "lowest_grade", "highest_grade", "student_count", "teacher_count",
    )  # fmt: skip
    for pk, code, name, esa, esa_type, band, area, low, high, students, teach in rows.iterator(
        chunk_size=5000
    ):
        schools[esa].append(SchoolKey(code, esa, esa_type, band, area, low, high, students))
        teachers[code] = teach
        school_pk[code] = pk
        school_name[code] = name.removeprefix("โรงเรียน")
    esas = []
    for pk, code, name, esa_type, region_pk, region_code in esa_rows:
        key = EsaKey(code, esa_type or "primary", int(region_code[1:]))
        own = schools.get(code, [])
        esas.append(
            Esa(
                pk,
                key,
                nar.esa_short_name(name),
                region_pk,
                esa_traits(seed, key),
                esa_context(own, teachers),
                own,
            )
        )
    nation = OrgUnit.objects.filter(kind=OrgUnit.Kind.NATION).values_list("pk", flat=True).first() or 0
    users = {u.username: u for u in User.objects.filter(username__in=["me_officer", "reviewer", "esa_director",
                                                                        "esa_officer", "esa_officer_2"])}  # fmt: skip
    return World(seed, esas, {e.key.code: e for e in esas}, nation, school_pk, school_name, users)


def _staff(world: World) -> int:
    """A director and an officer for every ESA (the personas where they sit; synthetic accounts
    without a usable password elsewhere), so that submissions and edit time have a person."""
    from suksa.demo.students.names import FEMALE_FIRST, MALE_FIRST, surname

    rng = random.Random(f"{world.seed}:monitoring:staff")
    new: list[tuple[Esa, str, Role, User]] = []
    for esa in world.esas:
        for role, kind in ((Role.ESA_DIRECTOR, "director"), (Role.ESA_OFFICER, "officer")):
            persona = {
                (HOME_ESA_CODE, "director"): "esa_director",
                (HOME_ESA_CODE, "officer"): "esa_officer",
                (OTHER_ESA_CODE, "officer"): "esa_officer_2",
            }.get((esa.key.code, kind))
            if persona and persona in world.users:
                setattr(esa, kind, world.users[persona])
                continue
            female = rng.random() < 0.55
            first_th, first_en = rng.choice(FEMALE_FIRST if female else MALE_FIRST)
            last_th, last_en = surname(rng.randrange(1000))
            title = "ดร." if kind == "director" and rng.random() < 0.4 else ("นาง" if female else "นาย")
            user = User(
                username=f"{STAFF_PREFIX}{esa.key.code}-{kind}", password=make_password(None), title_th=title,
                first_name_th=first_th, last_name_th=last_th, first_name=first_en, last_name=last_en,
                email=f"{STAFF_PREFIX}{esa.key.code}-{kind}@demo.suksa.invalid", preferred_language="th",
            )  # fmt: skip
            new.append((esa, kind, role, user))
    created = User.objects.bulk_create([u for _, _, _, u in new], batch_size=BATCH)
    for (esa, kind, _, _), user in zip(new, created, strict=True):
        setattr(esa, kind, user)
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=u, role=str(role), unit_id=esa.pk)
            for (esa, _, role, _), u in zip(new, created, strict=True)
        ],
        batch_size=BATCH,
    )
    return len(created)


# --- frameworks, target areas, targets -------------------------------------------------------------


def _frameworks(world: World) -> dict[tuple[int, int], Round]:
    chosen = target_areas(world.seed)
    rounds: dict[tuple[int, int], Round] = {}
    for fy in FISCAL_YEARS:
        status = FrameworkStatus.CLOSED if fy in PAST_FISCAL_YEARS else FrameworkStatus.ACTIVE
        fw = framework_build(fy, months=FRAMEWORK_MONTHS[fy], status=status)
        Framework.objects.filter(pk=fw.pk).update(
            target_group_th=f"{len([e for e in world.esas if e.key.code in chosen])} เขตพื้นที่เป้าหมาย",
            target_group_en="Target areas",
        )
        TargetArea.objects.bulk_create(
            [TargetArea(framework=fw, unit_id=e.pk) for e in world.esas if e.key.code in chosen]
        )
        for r in Round.objects.filter(framework=fw).select_related("framework"):
            rounds[(fy, r.months)] = r
    rows = [
        Target(
            indicator_code=code, fiscal_year=fy, peer_group=group, value=value, note=note, updated_by="system"
        )
        for code, fy, group, value, note in targets()
    ]
    Target.objects.bulk_create(rows, batch_size=BATCH)
    return rounds


# --- platform history -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _computed_at(period: str, kind: str, lag: int) -> Any:
    """When the figure of ``period`` was computed (adapted for the database)."""
    return connection.ops.adapt_datetimefield_value(_computed_on(period, kind, lag))


def _computed_on(period: str, kind: str, lag: int) -> dt.datetime:
    if kind == "round":
        fy, _, m = period.partition("/m")
        return aware(round_period(int(fy), int(m))[1] + dt.timedelta(days=20), 10)
    day = available_on(period, kind, lag) or DEMO_TODAY
    return aware(min(day, DEMO_TODAY - dt.timedelta(days=1)), 8)


class _ValueWriter:
    """Buffered multi-row INSERT of IndicatorValue rows (the generator's own, never replacing)."""

    COLUMNS = ("indicator", "formula_version", "unit_id", "period", "breakdown", "value", "numerator",
               "denominator", "suppressed", "run_id", "source", "computed_at")  # fmt: skip

    def __init__(self, existing: set[tuple[int, str, str]]) -> None:
        qn = connection.ops.quote_name
        table = IndicatorValue._meta.db_table
        json_param = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
        params = ", ".join(json_param if c == "source" else "%s" for c in self.COLUMNS)
        # Table and column names come from the model; values are parameters.
        self.sql = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in self.COLUMNS)}) VALUES ({params})"  # noqa: S608
        self.rows: list[tuple[Any, ...]] = []
        self.existing = existing
        self.skipped: list[tuple[int, str, str]] = []
        self.written = 0
        self.adapt = connection.ops.adapt_datetimefield_value

    def add(
        self, code: str, unit: int, period: str, cell: Cell, run: int, at: Any, suppressed: bool = False
    ) -> None:
        if (unit, code, period) in self.existing:
            self.skipped.append((unit, code, period))
            return
        scale = float(SOURCE_OF[code].get("scale", 1)) if code in SOURCE_OF else 1.0
        value = None if cell.value is None else round(cell.value / scale, 8)
        self.rows.append(
            (code, FORMULA_VERSION, unit, period, "", value, cell.numerator, cell.denominator, suppressed, run,
             SYNTHETIC_SOURCE, at)
        )  # fmt: skip
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
            self.written += len(self.rows)
            self.rows = []


def _rollup(code: str, cells: list[Cell]) -> Cell | None:
    """A region's or the nation's figure from its ESAs': recomputed ratios (sums of numerators over
    sums of denominators), sums for counts, the adjusted GPI from summed girls and boys."""
    cells = [c for c in cells if c.numerator is not None]
    if not cells:
        return None
    num = sum(c.numerator or 0.0 for c in cells)
    if code == "enrolment":
        return Cell(num, num, None)
    den = sum(c.denominator or 0.0 for c in cells)
    if not den:
        return None
    if code == "adjusted_gpi_enrolment":
        gpi = num / den
        return Cell(round(gpi if gpi <= 1 else 2 - 1 / gpi, 6), num, den)
    factor = SPEC[code].factor if code in SPEC else 1.0 if code == "pupil_teacher_ratio" else 100.0
    return Cell(round(num / den * factor, 6), round(num, 4), den)


@dataclass
class History:
    """What the platform history wrote, kept for the reports and the truth file."""

    esa_values: dict[str, dict[str, dict[str, float]]]  # esa code -> indicator -> period -> value (true)
    reported: dict[str, dict[str, dict[str, float]]]  # esa code -> reported indicator -> round key -> value
    skipped: list[tuple[int, str, str]]
    written: int
    schools_written: int


def _platform(world: World, history_id: str, say: Progress) -> History:
    seed = world.seed
    codes = [*CONTEXT_CODES, *REGION_ONLY_CODES, *(s.code for s in SPECS)]
    existing = set(
        IndicatorValue.objects.filter(indicator__in=codes, breakdown="")
        .exclude(unit__kind=OrgUnit.Kind.SCHOOL)
        .values_list("unit_id", "indicator", "period")
    )
    now = timezone.now()
    producers: dict[str, list[str]] = defaultdict(list)
    for code in codes:
        producers[SOURCE_OF[code]["producer"]].append(code)
    runs: dict[str, int] = {}
    for producer, producer_codes in sorted(producers.items()):
        run = IndicatorRun.objects.create(
            producer=producer, formula_version=FORMULA_VERSION, periods=[], started_at=now, finished_at=now,
            requested_by="system",
            sources={"generator": GENERATOR, "note": "ข้อมูลสังเคราะห์ย้อนหลังสำหรับการสาธิต / synthetic demo history"},
            indicators={c: {"synthetic": True} for c in producer_codes},
            parameters={"synthetic": True, "generator": GENERATOR, "seed": seed, "history": history_id},
        )  # fmt: skip
        runs[producer] = run.pk
    writer = _ValueWriter(existing)
    esa_values: dict[str, dict[str, dict[str, float]]] = {}
    reported: dict[str, dict[str, dict[str, float]]] = {}
    by_region: dict[tuple[int, str, str], list[Cell]] = defaultdict(list)
    periods_by_run: dict[int, set[str]] = defaultdict(set)
    for esa in world.esas:
        traits, ctx = esa.traits, esa.ctx
        mine: dict[str, dict[str, float]] = {}
        cells: dict[str, dict[str, Cell]] = dict(context_series(seed, traits, ctx))
        for spec in SPECS:
            series = esa_series(seed, traits, ctx, spec)
            mine[spec.code] = series
            cells[spec.code] = {
                p: cell_of(spec, v, denominator(spec, traits, ctx, p)) for p, v in series.items()
            }
        _apply_platform_decoy(traits, cells)
        esa_values[esa.key.code] = mine
        reported[esa.key.code] = {s.code: esa_series(seed, traits, ctx, s) for s in REPORTED_SPECS}
        for code, by_period in cells.items():
            src = SOURCE_OF[code]
            run_pk = runs[src["producer"]]
            kind = src.get("period", "year")
            for period, cell in by_period.items():
                writer.add(
                    code,
                    esa.pk,
                    period,
                    cell,
                    run_pk,
                    _computed_at(period, kind, int(src.get("lag_days", 0))),
                )
                periods_by_run[run_pk].add(period)
                by_region[(esa.region_pk, code, period)].append(cell)
                by_region[(world.nation_pk, code, period)].append(cell)
    # P6 → M1 transition exists for regions and the nation only.
    rng = random.Random(f"{seed}:monitoring:transition")
    for region_pk, region_esas in _regions(world).items():
        group = REGION_GROUP[region_esas[0].key.region]
        level = 95.5 + {"northeast": -1.0, "deep_south": -3.0, "bangkok": 1.0}.get(group, 0.0)
        for period in YEARS_FLOW:
            den = sum(
                round(e.ctx.takers_p6 * enrolment_at(e.traits, e.ctx, int(period)) / max(1, e.ctx.students))
                for e in region_esas
                if e.key.esa_type == "primary"
            )
            value = min(100.0, level + rng.gauss(0, 0.8))
            if den:
                cell = Cell(value, float(round(value * den / 100)), float(den))
                cell = Cell(round((cell.numerator or 0) / den * 100, 6), cell.numerator, cell.denominator)
                by_region[(region_pk, "transition_rate_p6_m1", period)].append(cell)
                by_region[(world.nation_pk, "transition_rate_p6_m1", period)].append(cell)
    for (unit, code, period), members in sorted(
        by_region.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2])
    ):
        src = SOURCE_OF[code]
        rolled = (
            members[0] if code in REGION_ONLY_CODES and unit != world.nation_pk else _rollup(code, members)
        )
        if rolled is not None:
            at = _computed_at(period, src.get("period", "year"), int(src.get("lag_days", 0)))
            writer.add(code, unit, period, rolled, runs[src["producer"]], at)
    writer.flush()
    area_values = writer.written
    say(f"  ประวัติตัวชี้วัด / indicator history: {area_values:,} ค่า / values")
    schools = _school_history(world, esa_values, runs["import:niets_onet"], writer)
    periods_by_run[runs["import:niets_onet"]].update(SCHOOL_YEARS)
    for run_pk, periods in periods_by_run.items():
        IndicatorRun.objects.filter(pk=run_pk).update(periods=sorted(periods))
    IndicatorRun.objects.filter(pk__in=list(runs.values())).update(counts={"values": writer.written})
    say(f"  O-NET รายโรงเรียน / school O-NET: {schools:,} ค่า / values")
    return History(esa_values, reported, writer.skipped, area_values, schools)


def _regions(world: World) -> dict[int, list[Esa]]:
    out: dict[int, list[Esa]] = defaultdict(list)
    for e in world.esas:
        out[e.region_pk].append(e)
    return out


def _apply_platform_decoy(traits: EsaTraits, cells: dict[str, dict[str, Cell]]) -> None:
    decoy = traits.decoy
    if decoy is None or decoy.where != "platform":
        return
    cell = cells.get(decoy.indicator, {}).get(decoy.period)
    if cell is None or cell.value is None:
        return
    spec = SPEC[decoy.indicator]
    if decoy.kind == "dropout_denominator" and cell.denominator:
        den = cell.denominator / decoy.factor
        cells[decoy.indicator][decoy.period] = Cell(
            round((cell.numerator or 0) / den * 100, 6), cell.numerator, den
        )
        return
    value = min(spec.hi, round(cell.value * decoy.factor, spec.decimals))
    cells[decoy.indicator][decoy.period] = cell_of(spec, value, cell.denominator)


def _school_history(
    world: World, esa_values: Mapping[str, Mapping[str, Mapping[str, float]]], run: int, writer: _ValueWriter
) -> int:
    """O-NET means for every school that tests P6, M3 or M6, around its ESA's figure, with the
    planted positive deviants and decoys; the takers-weighted mean of an ESA's schools equals the
    ESA's (true) figure. Rows go straight to the writer's buffer (no learner producer writes
    school O-NET, so there is nothing to keep)."""
    before = writer.written + len(writer.rows)
    version, source = FORMULA_VERSION, SYNTHETIC_SOURCE
    for esa in world.esas:
        ratios = {
            y: enrolment_at(esa.traits, esa.ctx, int(y)) / max(1, esa.ctx.students) for y in SCHOOL_YEARS
        }
        raw: dict[tuple[str, str], list[tuple[int, float, float, bool]]] = defaultdict(list)
        for school in esa.schools:
            plan = school_plan(world.seed, school)
            unit = world.school_pk[school.code]
            for code, takers in school_tests(school):
                series = esa_values[esa.key.code].get(code, {})
                for year, value in school_values(world.seed, school, plan, code, series).items():
                    weight = max(1.0, float(round(takers * ratios[year])))
                    raw[(code, year)].append((unit, value, weight, plan.decoy_year == year))
        for (code, year), members in raw.items():
            target = esa_values[esa.key.code][code][year]
            total = sum(m[2] for m in members)
            shift = target - sum(m[1] * m[2] for m in members) / total
            at = _computed_at(year, "year", 0)
            for unit, value, weight, typo in members:
                v = min(100.0, max(0.0, value + shift))
                if typo:
                    v = min(99.0, v * 1.9)
                v = round(v, 2)
                writer.rows.append(
                    (
                        code,
                        version,
                        unit,
                        year,
                        "",
                        v,
                        round(v * weight, 2),
                        weight,
                        weight < 5,
                        run,
                        source,
                        at,
                    )
                )
        if len(writer.rows) >= BATCH:
            writer.flush()
    writer.flush()
    return writer.written - before


# --- reports --------------------------------------------------------------------------------------


@dataclass
class RoundOutcome:
    missing: list[str]
    late: list[str]
    returned: list[str]
    states: dict[str, str]
    works: list[list[Any]]


class _Reports:
    """Fills the reports of one round after pre-fill: what the ESAs and the bureau did."""

    def __init__(
        self, world: World, history: History, rnd: Round, previous: Mapping[str, Mapping[str, float | None]]
    ) -> None:
        self.world, self.history, self.round = world, history, rnd
        self.fy, self.months = rnd.framework.fiscal_year, rnd.months
        self.key = round_key(self.fy, self.months)
        self.current = (self.fy, self.months) == CURRENT_ROUND
        self.previous = previous
        self.rng = random.Random(f"{world.seed}:monitoring:round:{self.key}")
        self.indicator_id = dict(
            FrameworkIndicator.objects.filter(framework=rnd.framework).values_list(
                "indicator__code", "indicator_id"
            )
        )
        self.sections = dict(
            NarrativeSection.objects.filter(framework=rnd.framework).values_list("code", "pk")
        )
        self.standards = dict(Standard.objects.values_list("code", "pk"))
        self.values: dict[str, dict[str, float | None]] = {}
        self.value_pk: dict[tuple[int, str], int] = {}
        self.entry_pk: dict[tuple[int, str], int] = {}
        self.esa_code: dict[int, str] = {}  # report id -> ESA code (random streams never use ids)
        self.outcome = RoundOutcome([], [], [], {}, [])
        self.me = world.users.get("me_officer")
        self.reviewer = world.users.get("reviewer")

    def run(self) -> RoundOutcome:
        world = self.world
        reports = {r.esa_id: r for r in Report.objects.filter(round=self.round)}
        esa_of_report = {r.pk: esa_id for esa_id, r in reports.items()}
        for report_pk, esa_pk in esa_of_report.items():
            known = world.esa(esa_pk)
            self.esa_code[report_pk] = known.key.code if known else str(esa_pk)
        sections = {pk: code for code, pk in self.sections.items()}
        for pk, report_id, section_id in NarrativeEntry.objects.filter(report__round=self.round).values_list(
            "pk", "report_id", "section_id"
        ):
            self.entry_pk[(report_id, sections[section_id])] = pk
        for pk, report_id, code, value in ReportValue.objects.filter(report__round=self.round).values_list(
            "pk", "report_id", "indicator__code", "value"
        ):
            self.value_pk[(report_id, code)] = pk
            esa = world.esa(esa_of_report[report_id])
            if esa is not None:
                self.values.setdefault(esa.key.code, {})[code] = value
        states = current_states(world.seed, [e.traits for e in world.esas]) if self.current else {}
        picks = set(
            reviewer_picks(world.seed, [c for c, s in states.items() if s in ("submitted", "in_review")])
        )
        todo = _Rows()
        for esa in world.esas:
            report = reports.get(esa.pk)
            if report is None:
                continue
            # One stream per ESA and round: the same ESA gets the same story at every scale.
            self.rng = random.Random(f"{world.seed}:monitoring:round:{self.key}:{esa.key.code}")
            if self.current:
                self._current(esa, report, states[esa.key.code], esa.key.code in picks, todo)
            else:
                self._past(esa, report, past_fate(world.seed, esa.traits, self.fy, self.months), todo)
        todo.write(self)
        return self.outcome

    # -- content ---------------------------------------------------------------------------------

    def _reported(self, esa: Esa) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for spec in REPORTED_SPECS:
            v = self.history.reported[esa.key.code][spec.code].get(self.key)
            if v is not None and spec.code == "children_returned":
                v = float(children_returned(esa.traits, esa.ctx, v))
            out[spec.code] = v
        return out

    def _story(
        self, esa: Esa, values: Mapping[str, float | None], decoy_claim: tuple[str, float] | None
    ) -> nar.Story:
        models: list[nar.ModelSchool] = []
        if self.fy >= 2566:
            for code, model, deviant, indicator in esa.claimed(self.world.seed):
                models.append(nar.ModelSchool(self.world.school_name[code], code, model, deviant, indicator))
        merged = {**self.values.get(esa.key.code, {}), **values}
        return nar.Story(
            seed=self.world.seed, esa=esa.name, traits=esa.traits, fy=self.fy, months=self.months,
            at=round_tau(self.fy, self.months), values=merged, previous=self.previous.get(esa.key.code, {}),
            schools=esa.ctx.schools, small=esa.ctx.small, models=models, decoy_claim=decoy_claim,
        )  # fmt: skip

    def _fill(
        self, esa: Esa, report: Report, todo: _Rows, *, share: float, works: int, at: dt.datetime
    ) -> nar.Story:
        """Write the ESA's part of the report: reported values, narratives and works (``share`` of
        the items; 1 = complete). Returns the story (for the typed values)."""
        values = self._reported(esa)
        decoy = esa.traits.decoy
        decoy_claim = None
        typed: dict[str, float] = {}
        # A typo left in place (x10) is what the report keeps; a caught one was corrected on return.
        if decoy is not None and decoy.where == "report" and decoy.period == self.key and not decoy.caught:
            true = values.get(decoy.indicator)
            if true is not None:
                typed[decoy.indicator] = round(true * decoy.factor, 1)
                decoy_claim = (decoy.indicator, typed[decoy.indicator])
        story = self._story(esa, {**values, **typed}, decoy_claim)
        rng = random.Random(f"{self.world.seed}:monitoring:fill:{esa.key.code}:{self.key}")
        user = esa.officer.username if esa.officer else "system"
        for code, value in values.items():
            if value is None or rng.random() >= share:
                continue
            if esa.key.code == HOME_ESA_CODE and self.current and code == "stakeholder_satisfaction":
                continue  # left for the director to finish
            final = typed.get(code, value)
            pk = self.value_pk[(report.pk, code)]
            todo.values.append((final, _value_comment(code, final), todo.sql.ts(at), user, pk))
            self.values.setdefault(esa.key.code, {})[code] = final
        for section in self.sections:
            if rng.random() >= share:
                continue
            if esa.key.code == HOME_ESA_CODE and self.current and section == "s2_resources":
                continue
            pk = self.entry_pk[(report.pk, section)]
            todo.narratives.append((nar.narrative(story, section), todo.sql.ts(at), user, pk))
        for rank, work in enumerate(nar.works(story, works), start=1):
            todo.works.append((report.pk, rank, work, self.standards.get(work.standard), at))
            self.outcome.works.append(
                [self.key, esa.key.code, rank, work.label, work.basis, work.indicator_codes]
            )
        return story

    def _work_count(self, esa: Esa) -> int:
        return 5 if esa.traits.diligence > 0.35 else 3 + int(esa.traits.diligence * 6)

    # -- past rounds -------------------------------------------------------------------------------

    def _past(self, esa: Esa, report: Report, fate: Fate, todo: _Rows) -> None:
        rnd = self.round
        code = esa.key.code
        if fate.missing:
            self.outcome.missing.append(code)
            at = aware(rnd.due_on - dt.timedelta(days=self.rng.randint(3, 20)), 10)
            self._fill(esa, report, todo, share=0.4, works=self.rng.randint(0, 2), at=at)
            todo.edit_time(self, esa, report, rnd.opens_on, rnd.due_on, total=self.rng.randint(1200, 5400))
            return
        if fate.late:
            self.outcome.late.append(code)
        submitted_day = rnd.due_on + dt.timedelta(days=fate.submitted_day)
        submitted = aware(submitted_day, self.rng.randint(9, 17), self.rng.randint(0, 59))
        self._fill(
            esa, report, todo, share=1.0, works=self._work_count(esa), at=submitted - dt.timedelta(hours=2)
        )
        reviewer = self.reviewer if self.rng.random() < 0.5 else self.me
        start = submitted + dt.timedelta(days=fate.review_lag)
        decided = start + dt.timedelta(days=fate.decision_lag, hours=3)
        first_submit = submitted
        if fate.returned_first:
            self.outcome.returned.append(code)
            reason, typo = self._return_reason(esa)
            todo.review(self, report, reviewer, start, decided, Decision.RETURNED, reason, typo=typo)
            submitted = decided + dt.timedelta(days=fate.resubmit_lag)
            start = submitted + dt.timedelta(days=self.rng.randint(1, 3))
            decided = start + dt.timedelta(days=self.rng.randint(1, 4), hours=2)
        todo.review(self, report, reviewer, start, decided, Decision.APPROVED, "", esa=esa)
        locked = max(decided + dt.timedelta(days=1), aware(rnd.locks_on + dt.timedelta(days=1), 9))
        report.status = ReportStatus.LOCKED
        report.submitted_at, report.submitted_by = submitted, esa.director
        report.approved_at, report.locked_at = decided, locked
        report.reviewer = reviewer
        report.lock_version = self.rng.randint(12, 60)
        todo.reports.append(report)
        todo.verify(self, report, reviewer, decided)
        todo.edit_time(self, esa, report, rnd.opens_on, first_submit.date(), total=self._edit_seconds())
        if fate.late:
            todo.reminders.append(Reminder(report_id=report.pk, kind=ReminderKind.OVERDUE,
                                           sent_at=aware(rnd.due_on + dt.timedelta(days=1), 8), recipients=2))  # fmt: skip

    def _edit_seconds(self) -> int:
        # Editing gets quicker as offices learn the pre-filled report (about 7 % a year).
        decline = 0.93 ** (self.fy - 2564)
        return int(self.rng.randint(5400, 21600) * decline)

    def _return_reason(self, esa: Esa) -> tuple[str, float | None]:
        decoy = esa.traits.decoy
        if decoy is not None and decoy.caught and decoy.period == self.key:
            true = self._reported(esa).get(decoy.indicator) or 0.0
            typed = round(true * decoy.factor, 1)
            return nar.TYPO_REASON.format(typed=nar.fmt(typed, 1)), typed
        return self.rng.choice(nar.RETURN_REASONS), None

    # -- the open round ----------------------------------------------------------------------------

    def _current(self, esa: Esa, report: Report, state: str, picked: bool, todo: _Rows) -> None:
        rnd = self.round
        code = esa.key.code
        self.outcome.states[code] = state
        today = DEMO_TODAY
        if state == "draft":
            share = 1.0 if code == HOME_ESA_CODE else self.rng.choice((0.0, 0.2, 0.5, 0.8))
            works = 3 if code == HOME_ESA_CODE else self.rng.randint(0, 4) if share else 0
            at = aware(today - dt.timedelta(days=self.rng.randint(1, 20)), 14)
            self._fill(esa, report, todo, share=share, works=works, at=at)
            if share:
                todo.edit_time(
                    self, esa, report, rnd.opens_on, at.date(), total=int(self._edit_seconds() * share)
                )
            report.lock_version = 14 if code == HOME_ESA_CODE else int(share * self.rng.randint(10, 40))
            todo.reports.append(report)
            todo.reminders.append(Reminder(report_id=report.pk, kind=ReminderKind.DUE_SOON,
                                           sent_at=aware(today - dt.timedelta(days=4), 8), recipients=2))  # fmt: skip
            return
        submitted = aware(max(rnd.opens_on + dt.timedelta(days=7), today - dt.timedelta(days=self.rng.randint(4, 50))), 11)  # fmt: skip
        self._fill(
            esa, report, todo, share=1.0, works=self._work_count(esa), at=submitted - dt.timedelta(hours=3)
        )
        todo.edit_time(self, esa, report, rnd.opens_on, submitted.date(), total=self._edit_seconds())
        report.submitted_at, report.submitted_by = submitted, esa.director
        report.lock_version = self.rng.randint(12, 50)
        report.status = state
        todo.reports.append(report)
        reviewer = self.reviewer if picked else self.me
        if state == "submitted":
            report.reviewer = reviewer if picked else None
            return
        report.reviewer = reviewer
        span = max(1, (today - submitted.date()).days - 1)
        start = submitted + dt.timedelta(days=self.rng.randint(1, span))
        if state == "in_review":
            todo.review(self, report, reviewer, start, None, None, "")
            return
        decided = min(
            start + dt.timedelta(days=self.rng.randint(1, 4)), aware(today - dt.timedelta(days=1), 16)
        )
        if state == "returned":
            reason = self.rng.choice(nar.RETURN_REASONS)
            todo.review(self, report, reviewer, start, decided, Decision.RETURNED, reason)
            report.returned_reason = reason
            return
        todo.review(self, report, reviewer, start, decided, Decision.APPROVED, "", esa=esa)
        report.approved_at = decided
        todo.verify(self, report, reviewer, decided)


def _value_comment(code: str, value: float | None) -> str:
    if value is None:
        return ""
    if code == "supervision_coverage" and value < 50:
        return nar.VALUE_COMMENTS["supervision_low"]
    if code == "teacher_pd_hours" and value > 120:
        return nar.VALUE_COMMENTS["pd_high"]
    if code == "children_returned" and value > 400:
        return nar.VALUE_COMMENTS["returned_high"]
    return ""


class _Rows:
    """Rows of one round, written together."""

    def __init__(self) -> None:
        self.sql = _Sql()
        self.values: list[tuple[Any, ...]] = []  # value, comment, updated_at, updated_by, id
        self.narratives: list[tuple[Any, ...]] = []  # text, updated_at, updated_by, id
        self.works: list[
            tuple[int, int, nar.WorkText, int | None, dt.datetime]
        ] = []  # report, rank, text, std
        self.reports: list[Report] = []
        self.reviews: list[tuple[Review, Esa | None, float | None]] = []
        self.verifications: dict[int, tuple[User | None, dt.datetime]] = {}
        self.edit_times: list[tuple[Any, ...]] = []
        self.reminders: list[Reminder] = []

    def review(
        self, ctx: _Reports, report: Report, reviewer: User | None, start: dt.datetime, decided: dt.datetime | None,
        decision: str | None, reasons: str, *, esa: Esa | None = None, typo: float | None = None,
    ) -> None:  # fmt: skip
        if reviewer is None:
            return
        review = Review(report_id=report.pk, reviewer=reviewer, started_at=start, decided_at=decided,
                        decision=decision or "", reasons=reasons)  # fmt: skip
        self.reviews.append((review, esa, typo))

    def verify(self, ctx: _Reports, report: Report, reviewer: User | None, at: dt.datetime) -> None:
        self.verifications[report.pk] = (reviewer, at)

    def edit_time(
        self, ctx: _Reports, esa: Esa, report: Report, first: dt.date, last: dt.date, *, total: int
    ) -> None:
        users = [u for u in (esa.officer, esa.director) if u is not None]
        if not users or total <= 0:
            return
        last = max(first, min(last, DEMO_TODAY - dt.timedelta(days=1)))
        span = (last - first).days
        days = sorted(
            {first + dt.timedelta(days=ctx.rng.randint(0, span)) for _ in range(ctx.rng.randint(2, 5))}
        )
        seen: set[tuple[int, dt.date]] = set()
        for n, day in enumerate(days):
            user = users[0] if n < len(days) - 1 or len(users) == 1 else users[1]
            if (user.pk, day) in seen:
                continue
            seen.add((user.pk, day))
            seconds = max(60, total // len(days))
            self.edit_times.append((report.pk, user.pk, self.sql.day(day), seconds, max(1, seconds // 90)))

    def write(self, ctx: _Reports) -> None:
        sql = self.sql
        sql.update(ReportValue, ["value", "comment", "updated_at", "updated_by"], self.values)
        sql.update(NarrativeEntry, ["text", "updated_at", "updated_by"], self.narratives)
        works = []
        for report_id, rank, text, standard, at in self.works:
            verdict: str = Verification.PENDING
            note, by, when = "", None, None
            if report_id in self.verifications:
                user, when = self.verifications[report_id]
                verdict = _verdict(ctx.world.seed, f"{ctx.key}:{ctx.esa_code[report_id]}", rank, text.label)
                note, by = nar.VERIFY_NOTES[verdict], user.pk if user else None
            works.append(
                (report_id, rank, text.title[:255], text.description, text.practices, text.results_claimed,
                 standard, json.dumps(text.indicator_codes), verdict, note, by, sql.ts(when), sql.ts(at))
            )  # fmt: skip
        sql.insert(
            OutstandingWork,
            ["report", "rank", "title", "description", "practices", "results_claimed", "standard", "indicator_codes",
             "verification", "verification_note", "verified_by", "verified_at", "updated_at"],
            works,
        )  # fmt: skip
        # An upsert on the primary key: one statement per batch where bulk_update builds CASE WHENs.
        Report.objects.bulk_create(
            self.reports, batch_size=BATCH, update_conflicts=True, unique_fields=["id"],
            update_fields=["status", "lock_version", "reviewer", "submitted_at", "submitted_by", "approved_at",
                           "locked_at", "returned_reason"],
        )  # fmt: skip
        reviews = Review.objects.bulk_create([r for r, _, _ in self.reviews], batch_size=BATCH)
        scores: list[tuple[Any, ...]] = []
        comments = []
        for review, (_, esa, typo) in zip(reviews, self.reviews, strict=True):
            rng = random.Random(
                f"{ctx.world.seed}:monitoring:review:{ctx.key}:{ctx.esa_code[review.report_id]}:{review.decision}"
            )
            when = review.decided_at or review.started_at
            if typo is not None:
                value_pk = ctx.value_pk.get((review.report_id, "supervision_coverage"))
                comments.append(ItemComment(review=review, target_kind="value", target_id=value_pk,
                                            comment=nar.TYPO_COMMENT, created_at=when))  # fmt: skip
            if esa is None:
                if rng.random() < 0.5:
                    comments.append(ItemComment(review=review, target_kind="general",
                                                comment=rng.choice(nar.ITEM_COMMENTS), created_at=when))  # fmt: skip
                continue
            quality = (
                2.3 + 0.9 * esa.traits.diligence + 0.3 * len(esa.traits.strong) - 0.3 * len(esa.traits.weak)
            )
            for _, std_pk in sorted(ctx.standards.items()):
                score = max(1, min(4, round(quality + rng.gauss(0, 0.45))))
                scores.append((review.pk, std_pk, score, nar.SCORE_COMMENTS[score]))
            if rng.random() < 0.4:
                comments.append(ItemComment(review=review, target_kind="general",
                                            comment=rng.choice(nar.ITEM_COMMENTS), created_at=when))  # fmt: skip
        sql.insert(StandardScore, ["review", "standard", "score", "comment"], scores)
        ItemComment.objects.bulk_create(comments, batch_size=BATCH)
        sql.insert(ReportEditTime, ["report", "user", "day", "seconds", "saves"], self.edit_times)
        Reminder.objects.bulk_create(self.reminders, batch_size=BATCH, ignore_conflicts=True)


def _verdict(seed: int, report: str, rank: int, label: str) -> str:
    """The reviewer's verdict on a nomination: mostly right, not always (people are not the data)."""
    rng = random.Random(f"{seed}:monitoring:verify:{report}:{rank}")
    odds = {"supported": (0.75, 0.95), "unsupported": (0.3, 0.65), "no_data": (0.3, 0.8)}[label]
    u = rng.random()
    return (
        Verification.VERIFIED
        if u < odds[0]
        else Verification.PARTLY
        if u < odds[1]
        else Verification.NOT_VERIFIED
    )


def _backdate(rnd: Round) -> None:
    """Pre-fill ran now; in the story it ran when the round opened."""
    at = aware(rnd.opens_on, 6)
    Round.objects.filter(pk=rnd.pk).update(prefilled_at=at)
    Report.objects.filter(round=rnd).update(prefilled_at=at)
    ReportValue.objects.filter(report__round=rnd, origin=ValueOrigin.PREFILLED).update(updated_at=at)


def _problems_and_amendments(world: World, rounds: Mapping[tuple[int, int], Round]) -> dict[str, int]:
    """A few data problems (about half of the ESAs whose planted platform decoy shows in a report
    object to it; about 1 % of other reports raise one) and amendments after locking (about 1 % of
    locked reports)."""
    rng = random.Random(f"{world.seed}:monitoring:problems")
    by_key = {
        (fy, months, code): (pk, status, locked_at)
        for pk, fy, months, code, status, locked_at in Report.objects.filter(round__in=list(rounds.values()))
        .order_by("pk")
        .values_list("pk", "round__framework__fiscal_year", "round__months", "esa__code", "status", "locked_at")
    }  # fmt: skip
    picks: list[tuple[int, int, int, str, str]] = []  # report, fy, months, esa, indicator ("" = any)
    for (fy, months, code), (pk, status, _) in sorted(by_key.items()):
        esa = world.by_code.get(code)
        if esa is None or esa.officer is None:
            continue
        decoy = esa.traits.decoy
        if decoy is not None and decoy.where == "platform" and rng.random() < 0.5:
            picks.append((pk, fy, months, code, decoy.indicator))
        elif rng.random() < 0.01 and not (code == HOME_ESA_CODE and status == ReportStatus.DRAFT):
            picks.append((pk, fy, months, code, ""))
    values: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for pk, report_id, code, period in (
        ReportValue.objects.filter(report_id__in=[p[0] for p in picks], origin=ValueOrigin.PREFILLED)
        .exclude(value=None)
        .order_by("pk")
        .values_list("pk", "report_id", "indicator__code", "period")
    ):
        values[report_id].append((pk, code, period))
    problems: list[DataProblem] = []
    for report_id, fy, months, code, indicator in picks:
        esa = world.by_code[code]
        decoy = esa.traits.decoy
        if indicator:
            hit = [
                v
                for v in values[report_id]
                if v[1] == indicator and decoy is not None and v[2] == decoy.period
            ]
            text = nar.PROBLEM_TEXTS[1]
        else:
            hit = values[report_id]
            text = rng.choice(nar.PROBLEM_TEXTS)
        if not hit:
            continue
        value_pk = rng.choice(hit)[0]
        rnd = rounds[(fy, months)]
        raised = aware(rnd.opens_on + dt.timedelta(days=rng.randint(1, 10)), 13)
        problem = DataProblem(report_id=report_id, value_id=value_pk, description=text,
                              raised_by=esa.officer.username if esa.officer else "system", raised_at=raised)  # fmt: skip
        if (fy, months) != CURRENT_ROUND:
            problem.status = ProblemStatus.REJECTED if indicator else ProblemStatus.RESOLVED
            problem.resolution = nar.PROBLEM_RESOLUTION
            problem.resolved_by = "me_officer"
            problem.resolved_at = raised + dt.timedelta(days=rng.randint(2, 14))
        problems.append(problem)
    DataProblem.objects.bulk_create(problems, batch_size=BATCH)
    me = world.users.get("me_officer")
    chosen = {
        pk: (rounds[(fy, months)], locked_at)
        for (fy, months, _), (pk, status, locked_at) in sorted(by_key.items())
        if status == ReportStatus.LOCKED and rng.random() < 0.01
    }
    amendments = []
    pd_values = ReportValue.objects.filter(report_id__in=list(chosen), indicator__code="teacher_pd_hours")
    for rv_pk, report_id, value in (
        pd_values.exclude(value=None).order_by("pk").values_list("pk", "report_id", "value")
    ):
        if me is None or value is None:
            break
        rnd, locked_at = chosen[report_id]
        new = round(value * rng.uniform(0.85, 1.15), 1)
        when = (locked_at or aware(rnd.locks_on)) + dt.timedelta(days=rng.randint(5, 40))
        amendments.append(Amendment(report_id=report_id, target_kind="value", target_id=rv_pk, field="value",
                                    old_value=str(value), new_value=str(new), reason=nar.AMEND_REASON,
                                    amended_by=me, amended_at=when))  # fmt: skip
        ReportValue.objects.filter(pk=rv_pk).update(value=new)
    Amendment.objects.bulk_create(amendments)
    return {"data_problems": len(problems), "amendments": len(amendments)}


# --- the whole history ----------------------------------------------------------------------------


def generate_monitoring(*, seed: int, progress: Progress | None = None) -> dict[str, Any]:
    """Write the monitoring history for the ESAs in the database; returns counts. Writes the
    planted truth to ``DATA_DIR/demo/monitoring_truth.json``."""
    say: Progress = progress or (lambda _msg: None)
    ensure_catalogue()
    remove_monitoring()
    world = load_world(seed)
    if not world.esas:
        return {"esas": 0}
    staff = _staff(world)
    say("ติดตามและประเมินผล / monitoring: กรอบการติดตาม เป้าหมาย / frameworks, targets")
    rounds = _frameworks(world)
    history_id = uuid.uuid4().hex[:16]
    history = _platform(world, history_id, say)
    outcomes: dict[str, RoundOutcome] = {}
    by_round: dict[tuple[int, int], dict[str, dict[str, float | None]]] = {}
    for fy, months in REPORT_ROUNDS:
        rnd = rounds[(fy, months)]
        round_prefill(actor=SYSTEM, round=rnd)
        _backdate(rnd)
        filler = _Reports(world, history, rnd, by_round.get((fy - 1, months), {}))
        outcomes[rnd.key] = filler.run()
        by_round[(fy, months)] = filler.values
        say(f"  รายงาน / reports {rnd.key}: {len(world.esas)} สพท. / ESAs")
    extra = _problems_and_amendments(world, rounds)
    truth = planted_truth(
        seed, esas=[e.key for e in world.esas], schools=[s for e in world.esas for s in e.schools]
    )
    unit_code = dict(OrgUnit.objects.exclude(kind=OrgUnit.Kind.SCHOOL).values_list("pk", "code"))
    truth["history"] = history_id
    truth["generated"] = {
        "reports": {
            key: {
                "missing": o.missing,
                "late": o.late,
                "returned_then_approved": o.returned,
                "states": o.states,
            }
            for key, o in outcomes.items()
        },
        "works": [w for o in outcomes.values() for w in o.works],
        "works_columns": ["round", "esa", "rank", "label", "basis", "indicator_codes"],
        "platform_values_kept": sorted([unit_code.get(u, str(u)), c, p] for u, c, p in history.skipped),
    }
    path = truth_path()
    write_truth(truth, path)
    counts: dict[str, Any] = {
        "frameworks": len(FISCAL_YEARS),
        "rounds": len(rounds),
        "rounds_reported": len(REPORT_ROUNDS),
        "reports": Report.objects.count(),
        "platform_values": history.written,
        "school_values": history.schools_written,
        "platform_values_kept": len(history.skipped),
        "narratives": NarrativeEntry.objects.exclude(text="").count(),
        "works": OutstandingWork.objects.count(),
        "reviews": Review.objects.count(),
        "staff_accounts": staff,
        **extra,
        "truth_file": str(path),
    }
    audit.record(
        actor=SYSTEM,
        action=AuditEntry.Action.IMPORT,
        object_type="monitoring.history",
        object_repr=f"synthetic monitoring history seed {seed}",
        changes={"seed": seed, "counts": counts},
    )
    return counts
