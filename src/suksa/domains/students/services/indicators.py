"""Standard indicators from records: compute, store with provenance, recompute idempotently.

``indicators_compute(actor=, year_be=t)`` reads every source once (``indicator_sources``: certified
jun10 census returns of t and t+1 with their amendments, graduates of t from enrolment records,
teachers from school profiles, attendance marks of t), sums the COUNTS of each school into its ESA,
region and nation (ancestors from the materialised path), applies the pure UIS formulas of
``suksa.analytics`` per unit, and replaces the stored ``core.IndicatorValue`` rows of those periods
and the current formula version in one transaction. A second run writes exactly the same values; a
new formula version adds rows beside the old ones. docs/indicators.md is the catalogue.

Provenance: what every value of the run shares (rounds and returns used, graduates, teachers and
attendance sources, every formula text, the parameters, who ran it, timings) is written once as a
``core.IndicatorRun``; each value's ``source`` keeps only its own part (its school's return ids, or
the number of returns used above a school; its named inputs; the keys of its formula and note in the
run). ``selectors_indicators.provenance`` joins the two back into the full record.

Speed (national: ~29k schools, ~3 M values): the hot loop works on plain ints and tuples
(``flow_counts`` rather than ``Rate`` objects, survival in floats), builds each value's small JSON
text directly, and the rows go to the database with one ``executemany`` per large batch (SQLite) or
``COPY`` (PostgreSQL), after one ``DELETE`` of the rows being replaced.

Periods: ``"2568"`` for academic-year indicators (flows from t to t+1 are stored under t) and
``"2568/jun10"`` for the census-date counts (enrolment, enrolment GPI).
"""

from __future__ import annotations

import gc
import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from suksa.analytics.attendance import (
    ATTENDANCE_FORMULA,
    CHRONIC_FORMULA,
    CHRONIC_THRESHOLD,
    DAY_CODES,
    MISSED_CODES,
    attendance_rate,
)
from suksa.analytics.suppression import MIN_CELL
from suksa.analytics.uis import (
    FORMULA_VERSION,
    GRADES,
    LEVELS,
    SEXES,
    Rate,
    adjusted_gpi,
    effective_transition_rate,
    gender_parity_index,
    is_last_grade_of_level,
    level_of,
    next_grade,
    pupil_teacher_ratio,
    transition_rate,
)
from suksa.analytics.uis.flows import (
    BY_GRADUATES,
    DROPOUT_FORMULA,
    PROMOTION_FORMULA,
    PROMOTION_FORMULAS,
    REPETITION_FORMULA,
    FlowCounts,
    flow_counts,
)
from suksa.analytics.uis.survival import Step, survival_formula, survived
from suksa.core import audit
from suksa.core.errors import InvalidInput, PermissionDenied
from suksa.core.models import AcademicYear, AuditEntry, CensusDate, IndicatorValue, OrgUnit
from suksa.core.models.indicators import IndicatorRun
from suksa.core.policy import Actor, Perm
from suksa.domains.students import indicator_sources as sources
from suksa.domains.students.models import CensusRound

PRODUCER = "students.indicators"
CENSUS_ROUND = CensusDate.Round.JUN10
# Attendance: learners with fewer recorded days are left out of chronic absenteeism.
CHRONIC_MIN_DAYS = 10
SURVIVAL_MAX_REPEATS = 2
SURVIVAL_COHORT = 1000
BATCH = 50_000  # rows per executemany / COPY chunk

# Which sources an indicator reads (the selectors rebuild its provenance from them).
READS_CENSUS, READS_STAFFING, READS_FLOWS, READS_ATTENDANCE = "census", "staffing", "flows", "attendance"


@dataclass(frozen=True)
class Indicator:
    code: str
    th: str
    en: str
    unit: str  # persons | proportion | ratio | index
    census_period: bool = False  # stored under the census key ("2568/jun10"), else the year
    reads: str = READS_FLOWS


# fmt: off
_TABLE = (
    # code, Thai, English, unit, stored under the census key, sources read
    ("enrolment", "จำนวนนักเรียน", "Enrolment", "persons", True, READS_CENSUS),
    ("gpi_enrolment", "ดัชนีความเท่าเทียมทางเพศ (จำนวนนักเรียน)", "Gender parity index, enrolment", "index", True,
     READS_CENSUS),
    ("adjusted_gpi_enrolment", "ดัชนีความเท่าเทียมทางเพศปรับแล้ว (จำนวนนักเรียน)",
     "Adjusted gender parity index, enrolment", "index", True, READS_CENSUS),
    ("promotion_rate", "อัตราการเลื่อนชั้น", "Promotion rate", "proportion", False, READS_FLOWS),
    ("repetition_rate", "อัตราการซ้ำชั้น", "Repetition rate", "proportion", False, READS_FLOWS),
    ("dropout_rate", "อัตราการออกกลางคัน", "Dropout rate", "proportion", False, READS_FLOWS),
    ("survival_rate_p6", "อัตราการคงอยู่ถึง ป.6", "Survival rate to P6", "proportion", False, READS_FLOWS),
    ("survival_rate_m3", "อัตราการคงอยู่ถึง ม.3", "Survival rate to M3", "proportion", False, READS_FLOWS),
    ("survival_rate_m6", "อัตราการคงอยู่ถึง ม.6", "Survival rate to M6", "proportion", False, READS_FLOWS),
    ("transition_rate_p6_m1", "อัตราการเรียนต่อ ป.6 → ม.1", "Transition rate P6 → M1", "proportion", False,
     READS_FLOWS),
    ("effective_transition_rate_p6_m1", "อัตราการเรียนต่อที่แท้จริง ป.6 → ม.1",
     "Effective transition rate P6 → M1", "proportion", False, READS_FLOWS),
    ("transition_rate_m3_m4", "อัตราการเรียนต่อ ม.3 → ม.4", "Transition rate M3 → M4", "proportion", False,
     READS_FLOWS),
    ("effective_transition_rate_m3_m4", "อัตราการเรียนต่อที่แท้จริง ม.3 → ม.4",
     "Effective transition rate M3 → M4", "proportion", False, READS_FLOWS),
    ("pupil_teacher_ratio", "อัตราส่วนนักเรียนต่อครู", "Pupil–teacher ratio", "ratio", False, READS_STAFFING),
    ("gpi_promotion", "ดัชนีความเท่าเทียมทางเพศ (อัตราการเลื่อนชั้น)", "Gender parity index, promotion rate",
     "index", False, READS_FLOWS),
    ("adjusted_gpi_promotion", "ดัชนีความเท่าเทียมทางเพศปรับแล้ว (อัตราการเลื่อนชั้น)",
     "Adjusted gender parity index, promotion rate", "index", False, READS_FLOWS),
    ("attendance_rate", "อัตราการมาเรียน", "Attendance rate", "proportion", False, READS_ATTENDANCE),
    ("chronic_absenteeism_rate", "อัตราการขาดเรียนเรื้อรัง", "Chronic absenteeism rate", "proportion", False,
     READS_ATTENDANCE),
)
# fmt: on
CATALOGUE: dict[str, Indicator] = {row[0]: Indicator(*row) for row in _TABLE}
CODES = tuple(CATALOGUE)

SURVIVAL = {"survival_rate_p6": LEVELS["primary"], "survival_rate_m3": LEVELS["lower_secondary"],
            "survival_rate_m6": LEVELS["upper_secondary"]}  # fmt: skip
TRANSITIONS = (("P6", "M1", "p6_m1"), ("M3", "M4", "m3_m4"))

COUNT_FORMULA = "E[breakdown]: certified counts + amendments (the value's breakdown: grade, sex, level, age)"
LEVEL_FORMULA = "sum over the level's grades of {num} / sum of E[g,t]"
GPI_ENROLMENT_NOTE = (
    "female/male enrolment counts on the census date; not a GER-based GPI (population is not in the platform)"
)
GRADUATES_SOURCE = "enrolment records: status graduated, academic year {year} (record-derived, not certified)"
TEACHERS_SOURCE = "school profiles (core.School.teacher_count)"
TRANSITION_SCOPE_NOTE = (
    "stored below the province only where the unit has pupils in both grades; pupils who move to "
    "another school or ESA for the next level are not counted here"
)
NO_NEXT_LEVEL_NOTE = (
    "undefined: no year-end outcomes recorded for this grade and the unit teaches no next grade"
)
LEVEL_UNDEFINED_NOTE = "undefined: a grade of the level has an undefined promotion rate"
NO_TEACHER_COUNT_NOTE = "pupils of schools without a teacher count are left out"


def _chronic_formula() -> str:
    return CHRONIC_FORMULA.format(threshold=CHRONIC_THRESHOLD, min_days=CHRONIC_MIN_DAYS)


def _default_formulas() -> dict[str, str]:
    """The usual formula of each indicator: a value using it stores no formula key."""
    return {
        "enrolment": COUNT_FORMULA,
        "gpi_enrolment": "E[F]/E[M]",
        "adjusted_gpi_enrolment": "F/M if F<=M else 2-M/F (E)",
        "promotion_rate": PROMOTION_FORMULA,
        "repetition_rate": REPETITION_FORMULA,
        "dropout_rate": DROPOUT_FORMULA,
        **{code: survival_formula(SURVIVAL_COHORT, SURVIVAL_MAX_REPEATS, ()) for code in SURVIVAL},
        **{f"transition_rate_{s}": "N[first(h+1),t+1]/E[last(h),t]" for _, _, s in TRANSITIONS},
        **{
            f"effective_transition_rate_{s}": "(E[first(h+1),t+1]-R[first(h+1),t+1])/(E[last(h),t]-R[last(h),t+1])"
            for _, _, s in TRANSITIONS
        },
        "pupil_teacher_ratio": "pupils/teachers",
        "gpi_promotion": "PR[F]/PR[M]",
        "adjusted_gpi_promotion": "F/M if F<=M else 2-M/F (PR)",
        "attendance_rate": ATTENDANCE_FORMULA,
        "chronic_absenteeism_rate": _chronic_formula(),
    }


def breakdown(**keys: object) -> str:
    """``grade=P1;sex=F``: keys sorted, ``""`` for the total."""
    return ";".join(f"{k}={v}" for k, v in sorted(keys.items()))


def text_key(text: str) -> str:
    """A short stable key of a formula or note text (the same text gives the same key in every run)."""
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:8]


@dataclass
class Counts:
    """A unit's summed counts: what is added up the tree, never rates."""

    e_t: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    e_t1: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    r_t1: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    graduated: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    outcomes: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    ages: dict[tuple[str, str, int], int] = field(default_factory=lambda: defaultdict(int))
    attendance: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    teachers: int = 0
    ptr_pupils: int = 0
    schools_with_teachers: int = 0
    schools_without_teachers: int = 0
    teachers_as_of: list[str] = field(default_factory=list)  # [earliest, latest] ISO dates
    returns_t: list[int] = field(default_factory=list)
    returns_t1: list[int] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        pairs: tuple[tuple[dict[Any, int], Mapping[Any, int]], ...] = (
            (self.e_t, other.e_t), (self.e_t1, other.e_t1), (self.r_t1, other.r_t1),
            (self.graduated, other.graduated), (self.outcomes, other.outcomes), (self.ages, other.ages),
            (self.attendance, other.attendance),
        )  # fmt: skip
        for mine, theirs in pairs:
            for key, n in theirs.items():
                mine[key] += n
        self.teachers += other.teachers
        self.ptr_pupils += other.ptr_pupils
        self.schools_with_teachers += other.schools_with_teachers
        self.schools_without_teachers += other.schools_without_teachers
        if other.teachers_as_of:
            if self.teachers_as_of:
                self.teachers_as_of = [
                    min(self.teachers_as_of[0], other.teachers_as_of[0]),
                    max(self.teachers_as_of[1], other.teachers_as_of[1]),
                ]
            else:
                self.teachers_as_of = list(other.teachers_as_of)
        self.returns_t.extend(other.returns_t)
        self.returns_t1.extend(other.returns_t1)


@dataclass
class Summary:
    """What one run did."""

    year_be: int
    formula_version: str
    periods: tuple[str, ...]
    run_id: int | None = None
    units: dict[str, int] = field(default_factory=dict)  # kind -> units with values
    values_written: int = 0
    values_replaced: int = 0
    suppressed: int = 0
    returns_t: int = 0
    returns_t1: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # aggregate, compute, store, total


@dataclass(frozen=True)
class Context:
    year_be: int
    year_period: str
    census_t: str
    census_t1: str
    round_t: int | None
    round_t1: int | None
    attendance_window: str


# ---------------------------------------------------------------------------------------------
# The use case


def indicators_compute(*, actor: Actor, year_be: int) -> Summary:
    """Compute and store every standard indicator of academic year ``year_be`` for every school,
    ESA, region and nation with data. Needs ``indicator.compute`` over the whole tree."""
    nations = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.NATION).values_list("path", flat=True))
    if not nations or not all(actor.can(Perm.INDICATOR_COMPUTE, path) for path in nations):
        raise PermissionDenied.default()
    year = AcademicYear.objects.filter(year_be=year_be).first()
    if year is None:
        raise InvalidInput.single(
            "unknown_year",
            f"ไม่พบปีการศึกษา {year_be}",
            f"Academic year {year_be} does not exist",
            field="year_be",
        )
    started_at = timezone.now()
    started = time.perf_counter()
    version = FORMULA_VERSION
    summary = Summary(year_be=year_be, formula_version=version, periods=(str(year_be), f"{year_be}/jun10"))
    ctx = _context(year, summary)
    # Millions of small acyclic containers: the cyclic collector would rescan them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _compute_and_store(actor, year_be, version, started_at, started, ctx, year, summary)
    finally:
        if collecting:
            gc.enable()
    summary.seconds["total"] = round(time.perf_counter() - started, 3)
    return summary


def _compute_and_store(
    actor: Actor, year_be: int, version: str, started_at: Any, started: float, ctx: Context, year: AcademicYear,
    summary: Summary,
) -> None:  # fmt: skip
    counts, tree = _gather(ctx, year, summary)
    summary.seconds["aggregate"] = round(time.perf_counter() - started, 3)
    with transaction.atomic():
        run = IndicatorRun.objects.create(
            producer=PRODUCER, year_be=year_be, periods=list(summary.periods), formula_version=version,
            requested_by=actor.username or "", started_at=started_at,
        )  # fmt: skip
        summary.run_id = run.pk
        mark = time.perf_counter()
        summary.values_replaced = _delete_prior(summary.periods, version)
        deleted = time.perf_counter() - mark
        writer = _Writer(version, run.pk, timezone.now())
        _store(writer, counts, tree, ctx, summary)
        summary.seconds["delete"] = round(deleted, 3)
        summary.seconds["store"] = round(summary.seconds["store"] + deleted, 3)
        summary.seconds["total"] = round(time.perf_counter() - started, 3)
        _finish_run(run, writer, ctx, summary)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="core.indicatorvalue",
            object_id=str(year_be),
            object_repr=f"ตัวชี้วัดมาตรฐาน ปีการศึกษา {year_be} / standard indicators {year_be}",
            changes={
                "run": run.pk,
                "periods": list(summary.periods),
                "formula_version": version,
                "values_written": summary.values_written,
                "values_replaced": summary.values_replaced,
                "returns_used": {"t": summary.returns_t, "t+1": summary.returns_t1},
            },
        )


def _finish_run(run: IndicatorRun, writer: _Writer, ctx: Context, summary: Summary) -> None:
    """The shared provenance: sources with counts, every formula text used, notes, parameters."""
    defaults = _default_formulas()
    run.sources = {
        "census": {
            "t": {"round": ctx.census_t, "round_id": ctx.round_t, "returns": summary.returns_t,
                  "status": list(sources.CERTIFIED), "with_amendments": True},
            "t+1": {"round": ctx.census_t1, "round_id": ctx.round_t1, "returns": summary.returns_t1,
                    "status": list(sources.CERTIFIED), "with_amendments": True},
        },
        "graduates": GRADUATES_SOURCE.format(year=ctx.year_be),
        "teachers": {"source": TEACHERS_SOURCE},
        "attendance": {"source": "attendance marks", "window": ctx.attendance_window},
    }  # fmt: skip
    run.indicators = {
        code: {
            "reads": info.reads,
            "period": ctx.census_t if info.census_period else ctx.year_period,
            "formula": defaults[code],
            "formulas": dict(sorted(writer.formulas.get(code, {}).items())),
        }
        for code, info in CATALOGUE.items()
    }
    run.notes = dict(sorted(writer.notes.items()))
    run.parameters = {
        "survival_max_repeats": SURVIVAL_MAX_REPEATS,
        "survival_cohort": SURVIVAL_COHORT,
        "chronic_threshold": CHRONIC_THRESHOLD,
        "chronic_min_days": CHRONIC_MIN_DAYS,
        "min_cell": MIN_CELL,
        "census_round": str(CENSUS_ROUND),
    }
    run.counts = {
        "values_written": summary.values_written,
        "values_replaced": summary.values_replaced,
        "suppressed": summary.suppressed,
        "units": summary.units,
        "notes": summary.notes,
    }
    run.seconds = summary.seconds
    run.finished_at = timezone.now()
    run.save()


def _context(year: AcademicYear, summary: Summary) -> Context:
    t = year.year_be
    rounds = dict(
        CensusRound.objects.filter(
            census_date__round=CENSUS_ROUND, census_date__academic_year__year_be__in=[t, t + 1]
        ).values_list("census_date__academic_year__year_be", "pk")
    )
    if t not in rounds:
        summary.notes.append(f"no {CENSUS_ROUND} census round for {t}: no enrolment, flows or PTR")
    if t + 1 not in rounds:
        summary.notes.append(
            f"no {CENSUS_ROUND} census round for {t + 1}: flow, survival and transition rates not computed"
        )
    return Context(
        year_be=t,
        year_period=str(t),
        census_t=f"{t}/{CENSUS_ROUND}",
        census_t1=f"{t + 1}/{CENSUS_ROUND}",
        round_t=rounds.get(t),
        round_t1=rounds.get(t + 1),
        attendance_window=f"{year.starts_on.isoformat()}..{year.ends_on.isoformat()}",
    )


def _gather(ctx: Context, year: AcademicYear, summary: Summary) -> tuple[dict[int, Counts], sources.Tree]:
    """Every source once, each school's counts, then the same counts added to its ancestors."""
    tree = sources.tree()
    esa_of = {school: ancestors[0] for school, ancestors in tree.ancestors.items() if ancestors}
    # Ages are stored from the ESA up, for the census date of t only.
    census_t, census_t1 = sources.census_table(ctx.round_t, esa_of), sources.census_table(ctx.round_t1)
    graduates = sources.graduates(year.pk) if ctx.round_t1 is not None else {}
    staffing = sources.teachers()
    marks = sources.attendance(
        year.starts_on, year.ends_on, threshold=CHRONIC_THRESHOLD, min_days=CHRONIC_MIN_DAYS,
        missed_codes=MISSED_CODES,
    )  # fmt: skip
    summary.returns_t, summary.returns_t1 = len(census_t.returns), len(census_t1.returns)
    counts: dict[int, Counts] = {}
    school_ids = sorted(set(census_t.by_school) | set(census_t1.by_school) | set(graduates) | set(marks))
    for school_id in school_ids:
        c = counts[school_id] = Counts()
        for (grade, sex), (enrolled, _) in census_t.by_school.get(school_id, {}).items():
            c.e_t[(grade, sex)] = enrolled
        for (grade, sex), (enrolled, repeaters) in census_t1.by_school.get(school_id, {}).items():
            c.e_t1[(grade, sex)] = enrolled
            c.r_t1[(grade, sex)] = repeaters
        for key, (graduated, outcomes) in graduates.get(school_id, {}).items():
            c.graduated[key], c.outcomes[key] = graduated, outcomes
        c.attendance.update(marks.get(school_id, {}))
        if school_id in census_t.returns:
            c.returns_t.append(census_t.returns[school_id])
            staff = staffing.get(school_id)
            if staff is not None and staff.teachers > 0:
                c.teachers, c.ptr_pupils, c.schools_with_teachers = staff.teachers, sum(c.e_t.values()), 1
                if staff.counts_as_of:
                    c.teachers_as_of = [staff.counts_as_of.isoformat()] * 2
            else:
                c.schools_without_teachers = 1
        if school_id in census_t1.returns:
            c.returns_t1.append(census_t1.returns[school_id])
    # Bottom-up: each school into its nearest ancestor (its ESA), then each upper unit into its
    # nearest ancestor, deepest first: ~29,000 additions instead of one per school and ancestor.
    upper_ancestors = _upper_ancestors(tree)
    uppers: dict[int, Counts] = defaultdict(Counts)
    for school_id in school_ids:
        ancestors = tree.ancestors.get(school_id)
        if ancestors:
            uppers[ancestors[0]].add(counts[school_id])
    for esa_id, cells in census_t.ages_by_esa.items():
        ages = uppers[esa_id].ages
        for cell, n in cells.items():
            ages[cell] += n
    for unit_id in sorted(upper_ancestors, key=lambda u: -len(upper_ancestors[u])):
        if unit_id in uppers and upper_ancestors[unit_id]:
            uppers[upper_ancestors[unit_id][0]].add(uppers[unit_id])
    for unit_id in sorted(uppers):  # schools first, then the upper units in id order
        counts[unit_id] = uppers[unit_id]
    return counts, tree


def _upper_ancestors(tree: sources.Tree) -> dict[int, tuple[int, ...]]:
    """Every non-school unit's ancestors, nearest first (a few hundred units)."""
    by_path = {p: pk for pk, p in tree.paths.items() if tree.kinds.get(pk) != OrgUnit.Kind.SCHOOL}
    result: dict[int, tuple[int, ...]] = {}
    for path, pk in by_path.items():
        codes = [c for c in path.split("/") if c]
        found = (by_path.get("/" + "/".join(codes[:i]) + "/") for i in range(len(codes) - 1, 0, -1))
        result[pk] = tuple(a for a in found if a is not None)
    return result


def _delete_prior(periods: tuple[str, ...], version: str) -> int:
    """One DELETE of the rows this run replaces (its periods, indicators and formula version).

    A run's rows are contiguous in id (they were written together), so the DELETE walks that id
    range in order. On SQLite, going through the (indicator, period) index instead visits the table
    pages in random order: 35 s instead of 6 s for 2.9 M rows; the unary ``+`` keeps it off that index."""
    qs = IndicatorValue.objects.filter(indicator__in=CODES, formula_version=version, period__in=periods)
    low, high = qs.aggregate(low=Min("pk"), high=Max("pk")).values()
    if low is None:
        return 0
    if connection.vendor != "sqlite":
        in_range = qs.filter(pk__gte=low, pk__lte=high)
        return int(in_range._raw_delete(in_range.db))
    codes = ", ".join(["%s"] * len(CODES))
    periods_in = ", ".join(["%s"] * len(periods))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {IndicatorValue._meta.db_table} WHERE id BETWEEN %s AND %s AND +indicator IN ({codes}) "  # noqa: S608
            f"AND +formula_version = %s AND +period IN ({periods_in})",
            [low, high, *CODES, version, *periods],
        )
        return int(cursor.rowcount)


# ---------------------------------------------------------------------------------------------
# Writing rows


_COLUMNS = ("indicator", "formula_version", "unit_id", "period", "breakdown", "value", "numerator",
            "denominator", "suppressed", "run_id", "source", "computed_at")  # fmt: skip
_dumps = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
Row = tuple[Any, ...]


class _Writer:
    """Collects rows and the texts their keys stand for; sends the rows in large batches."""

    def __init__(self, version: str, run_id: int, now: Any) -> None:
        self.version, self.run_id = version, run_id
        self.computed_at = connection.ops.adapt_datetimefield_value(now)
        self.rows: list[Row] = []
        self.formulas: dict[str, dict[str, str]] = defaultdict(dict)
        self.notes: dict[str, str] = {}
        self._keys: dict[str, str] = {}
        self._formula_keys: dict[tuple[str, str], str | None] = {}
        self.defaults = _default_formulas()
        self.vendor = connection.vendor
        self.level_formulas = (
            self.formula("repetition_rate", LEVEL_FORMULA.format(num="R[g,t+1]")),
            self.formula(
                "promotion_rate", LEVEL_FORMULA.format(num="promotees (or graduates in the last grade)")
            ),
            self.formula("dropout_rate", LEVEL_FORMULA.format(num="(E[g,t]-promotees-R[g,t+1])")),
        )
        self.table = IndicatorValue._meta.db_table

    def formula(self, code: str, text: str) -> str | None:
        """The key of ``text`` as ``code``'s formula, or None for the indicator's usual formula."""
        try:
            return self._formula_keys[(code, text)]
        except KeyError:
            pass
        key: str | None = None
        if text != self.defaults[code]:
            key = self._keys.get(text) or text_key(text)
            self._keys[text] = key
            self.formulas[code][key] = text
        self._formula_keys[(code, text)] = key
        return key

    def note(self, text: str) -> str:
        key = self._keys.get(text)
        if key is None:
            key = self._keys[text] = text_key(text)
        self.notes[key] = text
        return key

    def flush(self) -> int:
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                columns = ", ".join(_COLUMNS)
                with cursor.cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(_COLUMNS))
                cursor.executemany(
                    f"INSERT INTO {self.table} ({', '.join(_COLUMNS)}) VALUES ({marks})",  # noqa: S608
                    rows,
                )
        return len(rows)


def _store(
    writer: _Writer, counts: Mapping[int, Counts], tree: sources.Tree, ctx: Context, summary: Summary
) -> None:
    """Compute unit after unit; every ``BATCH`` rows, store them. Both are timed apart."""
    compute = store = 0.0
    mark = time.perf_counter()
    for unit_id, c in counts.items():
        kind = tree.kinds.get(unit_id)
        if kind is None:
            continue
        if unit_rows(writer, unit_id, c, kind, ctx):
            summary.units[kind] = summary.units.get(kind, 0) + 1
        if len(writer.rows) >= BATCH:
            summary.suppressed += sum(1 for row in writer.rows if row[8])
            now = time.perf_counter()
            compute += now - mark
            summary.values_written += writer.flush()
            mark = time.perf_counter()
            store += mark - now
    summary.suppressed += sum(1 for row in writer.rows if row[8])
    now = time.perf_counter()
    compute += now - mark
    summary.values_written += writer.flush()
    store += time.perf_counter() - now
    summary.seconds["compute"] = round(compute, 3)
    summary.seconds["store"] = round(store, 3)


# ---------------------------------------------------------------------------------------------
# One unit's values (the formulas are suksa.analytics'; here only their counts are assembled)


def _small_rate(numerator: float, denominator: float) -> bool:
    """A rate over persons is flagged when its numerator, denominator or complement is 1–4."""
    return 0 < numerator < MIN_CELL or 0 < denominator < MIN_CELL or 0 < denominator - numerator < MIN_CELL


_NEXT = {g: next_grade(g) for g in GRADES}
_LAST = frozenset(g for g in GRADES if is_last_grade_of_level(g))
_LEVEL_OF = {g: level_of(g) for g in GRADES}


def _by_grade(table: Mapping[tuple[str, str], int], sex: str | None = None) -> dict[str, int]:
    result: dict[str, int] = {}
    for (grade, s), n in table.items():
        if sex is None or s == sex:
            result[grade] = result.get(grade, 0) + n
    return result


def _split(table: Mapping[tuple[str, str], int]) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """One pass over a grade × sex table: by grade, and by grade for each sex."""
    total: dict[str, int] = {}
    by_sex: dict[str, dict[str, int]] = {sex: {} for sex in SEXES}
    for (grade, sex), n in table.items():
        total[grade] = total.get(grade, 0) + n
        part = by_sex.setdefault(sex, {})
        part[grade] = part.get(grade, 0) + n
    return total, by_sex


class _Unit:
    """Builds one unit's rows into the writer: ``add`` takes the value, its inputs as a JSON text,
    and the keys of its formula and note."""

    def __init__(self, writer: _Writer, unit_id: int, c: Counts, kind: str, ctx: Context) -> None:
        self.w, self.c, self.kind, self.ctx = writer, c, kind, ctx
        self.school = kind == OrgUnit.Kind.SCHOOL
        if self.school:
            t = c.returns_t[0] if c.returns_t else None
            t1 = c.returns_t1[0] if c.returns_t1 else None
            census = '"ret":' + _dumps([t, t1])
        else:
            census = f'"used":[{len(c.returns_t)},{len(c.returns_t1)}]'
        count_source = "{" + census + "}"
        census_t = ctx.census_t
        append = writer.rows.append
        head = (writer.version, unit_id)
        run_id, at = writer.run_id, writer.computed_at

        def add(
            code: str, period: str, keys: str, value: float | None, numerator: float | None,
            denominator: float | None, suppressed: bool, inputs: str = "", formula: str | None = None,
            note: str | None = None, extra: str = "",
        ) -> None:  # fmt: skip
            src = "{" + census
            if inputs:
                src += ',"inputs":' + inputs
            if formula:
                src += ',"f":"' + formula + '"'
            if note:
                src += ',"n":"' + note + '"'
            if extra:
                src += "," + extra
            append(
                (code, *head, period, keys, value, numerator, denominator, suppressed, run_id, src + "}", at)
            )

        self.add = add

        def count(keys: str, n: int) -> None:
            append(
                ("enrolment", *head, census_t, keys, n, n, None, 0 < n < MIN_CELL, run_id, count_source, at)
            )

        self.count = count

    def rate(self, code: str, period: str, keys: str, rate: Rate, suppressed: bool, note: str = "") -> None:
        """A value from an analytics ``Rate`` (the few per unit that are not in the hot loop)."""
        self.add(
            code, period, keys, rate.value, rate.numerator, rate.denominator, suppressed,
            _dumps(dict(rate.inputs)) if rate.inputs else "", self.w.formula(code, rate.formula),
            self.w.note(note) if note else None,
        )  # fmt: skip


def unit_rows(writer: _Writer, unit_id: int, c: Counts, kind: str, ctx: Context) -> int:
    """Append every value of one unit to ``writer.rows``; returns how many."""
    before = len(writer.rows)
    u = _Unit(writer, unit_id, c, kind, ctx)
    if c.returns_t:
        _enrolment_values(u)
        _ptr_values(u)
    if c.returns_t and c.returns_t1:
        _flow_values(u)
    if c.attendance.get("students"):
        _attendance_values(u)
    return len(writer.rows) - before


def _enrolment_values(u: _Unit) -> None:
    c, count = u.c, u.count
    by_grade: dict[str, int] = defaultdict(int)
    by_sex: dict[str, int] = defaultdict(int)
    by_level_sex: dict[tuple[str, str], int] = defaultdict(int)
    for (grade, sex), n in c.e_t.items():
        by_grade[grade] += n
        by_sex[sex] += n
        by_level_sex[(_LEVEL_OF[grade], sex)] += n
    count("", sum(by_grade.values()))
    for sex in SEXES:
        count(f"sex={sex}", by_sex.get(sex, 0))
    for grade in GRADES:
        if by_grade.get(grade):
            count(f"grade={grade}", by_grade[grade])
            for sex in SEXES:
                count(f"grade={grade};sex={sex}", c.e_t.get((grade, sex), 0))
    levels = [level for level, grades in LEVELS.items() if any(by_grade.get(g) for g in grades)]
    for level in levels:
        female, male = by_level_sex.get((level, "F"), 0), by_level_sex.get((level, "M"), 0)
        count(f"level={level}", female + male)
        count(f"level={level};sex=F", female)
        count(f"level={level};sex=M", male)
    if u.kind != OrgUnit.Kind.SCHOOL:
        by_age: dict[int, int] = defaultdict(int)
        by_age_grade: dict[tuple[int, str], int] = defaultdict(int)
        for (grade, _, age), n in c.ages.items():
            by_age[age] += n
            by_age_grade[(age, grade)] += n
        for age in sorted(by_age):
            count(f"age={age}", by_age[age])
        for (age, grade), n in sorted(by_age_grade.items(), key=lambda i: (GRADES.index(i[0][1]), i[0][0])):
            count(f"age={age};grade={grade}", n)
    period, note = u.ctx.census_t, u.w.note(GPI_ENROLMENT_NOTE)
    for level in ["", *levels]:
        if level:
            female, male = by_level_sex.get((level, "F"), 0), by_level_sex.get((level, "M"), 0)
        else:
            female, male = by_sex.get("F", 0), by_sex.get("M", 0)
        keys = f"level={level}" if level else ""
        small = 0 < female < MIN_CELL or 0 < male < MIN_CELL
        inputs = f'{{"E[F]":{female},"E[M]":{male}}}'
        u.add("gpi_enrolment", period, keys, gender_parity_index(female, male), female, male, small, inputs,
              note=note)  # fmt: skip
        u.add("adjusted_gpi_enrolment", period, keys, adjusted_gpi(female, male), female, male, small, inputs,
              note=note)  # fmt: skip


def _ptr_values(u: _Unit) -> None:
    c = u.c
    if not c.schools_with_teachers:
        return
    extra = '"teachers":' + _dumps({
        "counts_as_of": c.teachers_as_of,
        "schools": c.schools_with_teachers,
        "schools_without_teacher_count": c.schools_without_teachers,
    })  # fmt: skip
    rate = pupil_teacher_ratio(c.ptr_pupils, c.teachers)
    note = u.w.note(NO_TEACHER_COUNT_NOTE) if c.schools_without_teachers else None
    u.add(
        "pupil_teacher_ratio", u.ctx.year_period, "", rate.value, rate.numerator, rate.denominator,
        0 < c.ptr_pupils < MIN_CELL, _dumps(dict(rate.inputs)), u.w.formula("pupil_teacher_ratio", rate.formula),
        note, extra,
    )  # fmt: skip


def _undefined_grades(flows: Mapping[str, FlowCounts], graduates: Mapping[str, int], all_t: Mapping[str, int],
                      all_t1: Mapping[str, int]) -> set[str]:  # fmt: skip
    """Last grades whose promotion is undefined because nothing says where their pupils went."""
    undefined = set()
    for grade in flows:
        if grade not in _LAST or grade in graduates:
            continue
        following = _NEXT[grade]
        if following is None or not (all_t.get(following) or all_t1.get(following)):
            undefined.add(grade)
    return undefined


def _flow_values(u: _Unit) -> None:
    c, add, period = u.c, u.add, u.ctx.year_period
    # Graduates stand in for promotees of a last grade wherever ANY year-end outcome was recorded
    # for it (both sexes); the same grades for every sex.
    outcomes = _by_grade(c.outcomes) if c.outcomes else {}
    (e_t, e_t_sex), (e_t1, e_t1_sex), (r_t1, r_t1_sex) = _split(c.e_t), _split(c.e_t1), _split(c.r_t1)
    graduated = _by_grade(c.graduated) if c.graduated else {}
    last = [g for g in GRADES if g in _LAST and outcomes.get(g)]
    flows = flow_counts(e_t, e_t1, r_t1, {g: graduated.get(g, 0) for g in last})
    undefined = _undefined_grades(flows, dict.fromkeys(last, 0), e_t, e_t1)
    no_next = u.w.note(NO_NEXT_LEVEL_NOTE) if undefined else None
    formula_of = {how: u.w.formula("promotion_rate", text) for how, text in PROMOTION_FORMULAS.items()}
    for grade, (enrolled, promotees, repeaters, how) in flows.items():
        keys = f"grade={grade}"
        add("repetition_rate", period, keys, repeaters / enrolled, repeaters, enrolled,
            _small_rate(repeaters, enrolled), f'{{"E[{grade},t]":{enrolled},"R[{grade},t+1]":{repeaters}}}')  # fmt: skip
        p_formula = formula_of[how]
        note = no_next if grade in undefined else None
        if promotees is None:
            add("promotion_rate", period, keys, None, 0, enrolled, _small_rate(0, enrolled),
                f'{{"E[{grade},t]":{enrolled}}}', p_formula, note)  # fmt: skip
            add("dropout_rate", period, keys, None, 0, enrolled, _small_rate(0, enrolled),
                f'{{"E[{grade},t]":{enrolled},"R[{grade},t+1]":{repeaters}}}', None, note)  # fmt: skip
            continue
        dropouts = enrolled - promotees - repeaters
        if how == BY_GRADUATES:
            p_json = f'"G[{grade},t]":{promotees}'
        else:
            following = _NEXT[grade] or ""  # promotees known means a next grade exists
            p_json = (
                f'"E[{following},t+1]":{e_t1.get(following, 0)},"R[{following},t+1]":{r_t1.get(following, 0)}'
            )
        add("promotion_rate", period, keys, None if note else promotees / enrolled, promotees, enrolled,
            _small_rate(promotees, enrolled), f'{{"E[{grade},t]":{enrolled},{p_json}}}', p_formula, note)  # fmt: skip
        add("dropout_rate", period, keys, None if note else dropouts / enrolled, dropouts, enrolled,
            _small_rate(dropouts, enrolled), f'{{"E[{grade},t]":{enrolled},"R[{grade},t+1]":{repeaters},{p_json}}}',
            None, note)  # fmt: skip
    by_sex: dict[str, dict[str, FlowCounts]] = {}
    for sex in SEXES:
        by_sex[sex] = flow_counts(
            e_t_sex[sex], e_t1_sex[sex], r_t1_sex[sex], {g: c.graduated.get((g, sex), 0) for g in last}
        )
    level_pr: dict[tuple[str, str], tuple[float | None, int, int, bool]] = {}
    for level, grades in LEVELS.items():
        if not any(g in flows for g in grades):
            continue
        _level_flow_values(u, level, "", flows, undefined)
        for sex in SEXES:
            pr = _level_flow_values(u, level, sex, by_sex[sex], undefined)
            if pr is not None:
                level_pr[(level, sex)] = pr
    # The unit's total over all its grades (what an ESA's monitoring report shows), again from
    # summed counts.
    _level_flow_values(u, "", "", flows, undefined)
    _gpi_promotion_values(u, level_pr)
    _survival_values(u, flows, by_sex)
    _transition_values(u, e_t, e_t1, r_t1)


def _level_flow_values(
    u: _Unit, level: str, sex: str, flows: Mapping[str, FlowCounts], undefined: set[str]
) -> tuple[float | None, int, int, bool] | None:
    """Total-by-level rates from the SUMMED counts of the level's grades (never a mean of rates);
    ``level=""`` gives the total over all the unit's grades. Returns the promotion rate's (value, numerator, denominator, suppressed)."""
    grades = [g for g in (LEVELS[level] if level else GRADES) if g in flows]
    if not grades:
        return None
    period, w = u.ctx.year_period, u.w
    enrolled = sum(flows[g][0] for g in grades)
    repeaters = sum(flows[g][2] for g in grades)
    if not level:  # the total over every grade of the unit (breakdown "")
        keys = f"sex={sex}" if sex else ""
    else:
        keys = f"level={level};sex={sex}" if sex else f"level={level}"
    inputs = "{" + ",".join(f'"E[{g},t]":{flows[g][0]}' for g in grades) + "}"
    r_formula, p_formula, d_formula = w.level_formulas
    u.add("repetition_rate", period, keys, repeaters / enrolled, repeaters, enrolled,
          _small_rate(repeaters, enrolled), inputs, r_formula)  # fmt: skip
    defined = all(flows[g][1] is not None and g not in undefined for g in grades)
    if defined:
        promotees = sum(flows[g][1] or 0 for g in grades)
        dropouts = enrolled - promotees - repeaters
        pr_small = _small_rate(promotees, enrolled)
        pr = promotees / enrolled
        u.add("promotion_rate", period, keys, pr, promotees, enrolled, pr_small, inputs, p_formula)
        u.add("dropout_rate", period, keys, dropouts / enrolled, dropouts, enrolled, _small_rate(dropouts, enrolled),
              inputs, d_formula)  # fmt: skip
        return pr, promotees, enrolled, pr_small
    note = w.note(LEVEL_UNDEFINED_NOTE)
    small = _small_rate(0, enrolled)
    u.add("promotion_rate", period, keys, None, 0, enrolled, small, inputs, p_formula, note)
    u.add("dropout_rate", period, keys, None, 0, enrolled, small, inputs, d_formula, note)
    return None, 0, enrolled, small


def _gpi_promotion_values(
    u: _Unit, level_pr: Mapping[tuple[str, str], tuple[float | None, int, int, bool]]
) -> None:
    period = u.ctx.year_period
    for level in LEVELS:
        female, male = level_pr.get((level, "F")), level_pr.get((level, "M"))
        if female is None or male is None or female[0] is None or male[0] is None:
            continue
        f, m = female[0], male[0]
        small = female[3] or male[3]
        inputs = _dumps({"PR[F]": f, "PR[M]": m})
        u.add("gpi_promotion", period, f"level={level}", gender_parity_index(f, m), f, m, small, inputs)
        u.add("adjusted_gpi_promotion", period, f"level={level}", adjusted_gpi(f, m), f, m, small, inputs)


def _consistent(flow: FlowCounts) -> bool:
    enrolled, promotees, repeaters, _ = flow
    if promotees is None:
        return False
    return 0 <= promotees <= enrolled and 0 <= repeaters <= enrolled and promotees + repeaters <= enrolled


def _survival_values(
    u: _Unit, flows: Mapping[str, FlowCounts], by_sex: Mapping[str, Mapping[str, FlowCounts]]
) -> None:
    """Survival to the last grade of each level by the reconstructed cohort (``analytics.uis.survival``)."""
    period = u.ctx.year_period
    for code, grades in SURVIVAL.items():
        used = grades[:-1]
        if not all(g in flows for g in used):
            continue
        small = any(0 < flows[g][0] < MIN_CELL for g in used)
        _survival_value(u, code, period, "", flows, used, small)
        for sex in SEXES:
            sex_flows = by_sex[sex]
            if all(g in sex_flows for g in used):
                sex_small = small or any(0 < sex_flows[g][0] < MIN_CELL for g in used)
                _survival_value(u, code, period, f"sex={sex}", sex_flows, used, sex_small)


def _survival_value(
    u: _Unit, code: str, period: str, keys: str, flows: Mapping[str, FlowCounts], used: tuple[str, ...],
    small: bool,
) -> None:  # fmt: skip
    steps: list[Step] = []
    inputs: dict[str, float] = {}
    for g in used:
        enrolled, promotees, repeaters, _ = flows[g]
        rr = repeaters / enrolled
        if promotees is None:
            steps.append(None)
        else:
            pr = promotees / enrolled
            steps.append((pr, rr))
            inputs[f"PR[{g}]"] = pr
        inputs[f"RR[{g}]"] = rr
    inputs = {k: inputs[k] for g in used for k in (f"PR[{g}]", f"RR[{g}]") if k in inputs}
    inconsistent = [g for g in used if not _consistent(flows[g])]
    formula = u.w.formula(code, survival_formula(SURVIVAL_COHORT, SURVIVAL_MAX_REPEATS, inconsistent))
    reached = survived(steps, cohort=SURVIVAL_COHORT, max_repeats=SURVIVAL_MAX_REPEATS)
    if reached is None:
        u.add(code, period, keys, None, 0, SURVIVAL_COHORT, small, _dumps(inputs), formula)
    else:
        u.add(
            code,
            period,
            keys,
            reached / SURVIVAL_COHORT,
            reached,
            SURVIVAL_COHORT,
            small,
            _dumps(inputs),
            formula,
        )


def _transition_values(
    u: _Unit, e_t: Mapping[str, int], e_t1: Mapping[str, int], r_t1: Mapping[str, int]
) -> None:
    local = u.kind in (OrgUnit.Kind.SCHOOL, OrgUnit.Kind.ESA)
    period = u.ctx.year_period
    for last, first, suffix in TRANSITIONS:
        if not e_t.get(last):
            continue
        if local and not (e_t.get(first) or e_t1.get(first)):
            continue
        note = TRANSITION_SCOPE_NOTE if local else ""
        entrants = e_t1.get(first, 0) - r_t1.get(first, 0)
        rate = transition_rate(max(entrants, 0), e_t[last])
        u.rate(
            f"transition_rate_{suffix}", period, "", rate, _small_rate(rate.numerator, rate.denominator), note
        )
        effective = effective_transition_rate(
            e_t1.get(first, 0), r_t1.get(first, 0), e_t[last], r_t1.get(last, 0)
        )
        u.rate(
            f"effective_transition_rate_{suffix}", period, "", effective,
            _small_rate(effective.numerator, effective.denominator), note,
        )  # fmt: skip


def _attendance_values(u: _Unit) -> None:
    a, period = u.c.attendance, u.ctx.year_period
    extra = f'"students":{a["students"]}'
    rate = attendance_rate({code: a.get(code, 0) for code in DAY_CODES})
    u.add("attendance_rate", period, "", rate.value, rate.numerator, rate.denominator,
          0 < a["students"] < MIN_CELL, _dumps(dict(rate.inputs)), u.w.formula("attendance_rate", rate.formula),
          None, extra)  # fmt: skip
    inputs = {"students": a["students"], "eligible": a["eligible"], "threshold": CHRONIC_THRESHOLD,
              "min_days": CHRONIC_MIN_DAYS}  # fmt: skip
    chronic = Rate.of(a["chronic"], a["eligible"], _chronic_formula(), inputs)
    u.add("chronic_absenteeism_rate", period, "", chronic.value, chronic.numerator, chronic.denominator,
          _small_rate(chronic.numerator, chronic.denominator), _dumps(inputs),
          u.w.formula("chronic_absenteeism_rate", chronic.formula), None, extra)  # fmt: skip
