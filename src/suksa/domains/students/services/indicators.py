"""Standard indicators from records: compute, store with provenance, recompute idempotently.

``indicators_compute(actor=, year_be=t)`` reads every source once (``indicator_sources``: certified
jun10 census returns of t and t+1 with their amendments, graduates of t from enrolment records,
teachers from school profiles, attendance marks of t), sums the COUNTS of each school into its ESA,
region and nation (ancestors from the materialised path), applies the pure UIS formulas of
``suksa.analytics`` per unit, and replaces the stored ``core.IndicatorValue`` rows of those periods
and the current formula version in one transaction. A second run writes exactly the same values; a
new formula version adds rows beside the old ones. docs/indicators.md is the catalogue.

Periods: ``"2568"`` for academic-year indicators (flows from t to t+1 are stored under t) and
``"2568/jun10"`` for the census-date counts (enrolment, enrolment GPI).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from suksa.analytics.attendance import (
    CHRONIC_FORMULA,
    CHRONIC_THRESHOLD,
    DAY_CODES,
    MISSED_CODES,
    attendance_rate,
)
from suksa.analytics.suppression import is_small, suppress_rate
from suksa.analytics.uis import (
    FORMULA_VERSION,
    GRADES,
    LEVELS,
    SEXES,
    FlowRates,
    Rate,
    adjusted_gpi,
    effective_transition_rate,
    flow_rates,
    gender_parity_index,
    is_last_grade_of_level,
    level_of,
    next_grade,
    pupil_teacher_ratio,
    survival_rates,
    transition_rate,
)
from suksa.core import audit
from suksa.core.errors import InvalidInput, PermissionDenied
from suksa.core.models import AcademicYear, AuditEntry, CensusDate, IndicatorValue, OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.students import indicator_sources as sources
from suksa.domains.students.models import CensusRound

CENSUS_ROUND = CensusDate.Round.JUN10
# Attendance: learners with fewer recorded days are left out of chronic absenteeism.
CHRONIC_MIN_DAYS = 10
SURVIVAL_MAX_REPEATS = 2
BATCH = 2000


@dataclass(frozen=True)
class Indicator:
    code: str
    th: str
    en: str
    unit: str  # persons | proportion | ratio | index
    census_period: bool = False  # stored under the census key ("2568/jun10"), else the year


# fmt: off
_TABLE = (
    # code, Thai, English, unit, stored under the census key
    ("enrolment", "จำนวนนักเรียน", "Enrolment", "persons", True),
    ("gpi_enrolment", "ดัชนีความเท่าเทียมทางเพศ (จำนวนนักเรียน)", "Gender parity index, enrolment", "index", True),
    ("adjusted_gpi_enrolment", "ดัชนีความเท่าเทียมทางเพศปรับแล้ว (จำนวนนักเรียน)",
     "Adjusted gender parity index, enrolment", "index", True),
    ("promotion_rate", "อัตราการเลื่อนชั้น", "Promotion rate", "proportion", False),
    ("repetition_rate", "อัตราการซ้ำชั้น", "Repetition rate", "proportion", False),
    ("dropout_rate", "อัตราการออกกลางคัน", "Dropout rate", "proportion", False),
    ("survival_rate_p6", "อัตราการคงอยู่ถึง ป.6", "Survival rate to P6", "proportion", False),
    ("survival_rate_m3", "อัตราการคงอยู่ถึง ม.3", "Survival rate to M3", "proportion", False),
    ("survival_rate_m6", "อัตราการคงอยู่ถึง ม.6", "Survival rate to M6", "proportion", False),
    ("transition_rate_p6_m1", "อัตราการเรียนต่อ ป.6 → ม.1", "Transition rate P6 → M1", "proportion", False),
    ("effective_transition_rate_p6_m1", "อัตราการเรียนต่อที่แท้จริง ป.6 → ม.1",
     "Effective transition rate P6 → M1", "proportion", False),
    ("transition_rate_m3_m4", "อัตราการเรียนต่อ ม.3 → ม.4", "Transition rate M3 → M4", "proportion", False),
    ("effective_transition_rate_m3_m4", "อัตราการเรียนต่อที่แท้จริง ม.3 → ม.4",
     "Effective transition rate M3 → M4", "proportion", False),
    ("pupil_teacher_ratio", "อัตราส่วนนักเรียนต่อครู", "Pupil–teacher ratio", "ratio", False),
    ("gpi_promotion", "ดัชนีความเท่าเทียมทางเพศ (อัตราการเลื่อนชั้น)", "Gender parity index, promotion rate",
     "index", False),
    ("adjusted_gpi_promotion", "ดัชนีความเท่าเทียมทางเพศปรับแล้ว (อัตราการเลื่อนชั้น)",
     "Adjusted gender parity index, promotion rate", "index", False),
    ("attendance_rate", "อัตราการมาเรียน", "Attendance rate", "proportion", False),
    ("chronic_absenteeism_rate", "อัตราการขาดเรียนเรื้อรัง", "Chronic absenteeism rate", "proportion", False),
)
# fmt: on
CATALOGUE: dict[str, Indicator] = {row[0]: Indicator(*row) for row in _TABLE}
CODES = tuple(CATALOGUE)

SURVIVAL = {"survival_rate_p6": LEVELS["primary"], "survival_rate_m3": LEVELS["lower_secondary"],
            "survival_rate_m6": LEVELS["upper_secondary"]}  # fmt: skip
TRANSITIONS = (("P6", "M1", "p6_m1"), ("M3", "M4", "m3_m4"))

GPI_ENROLMENT_NOTE = (
    "female/male enrolment counts on the census date; not a GER-based GPI (population is not in the platform)"
)
GRADUATES_SOURCE = "enrolment records: status graduated, academic year {year} (record-derived, not certified)"
TRANSITION_SCOPE_NOTE = (
    "stored below the province only where the unit has pupils in both grades; pupils who move to "
    "another school or ESA for the next level are not counted here"
)
NO_NEXT_LEVEL_NOTE = (
    "undefined: no year-end outcomes recorded for this grade and the unit teaches no next grade"
)


def breakdown(**keys: object) -> str:
    """``grade=P1;sex=F``: keys sorted, ``""`` for the total."""
    return ";".join(f"{k}={v}" for k, v in sorted(keys.items()))


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
    units: dict[str, int] = field(default_factory=dict)  # kind -> units with values
    values_written: int = 0
    values_replaced: int = 0
    suppressed: int = 0
    returns_t: int = 0
    returns_t1: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # aggregate, compute, store, total


@dataclass(frozen=True)
class Value:
    indicator: str
    period: str
    breakdown: str
    value: float | None
    numerator: float | None
    denominator: float | None
    suppressed: bool
    source: dict[str, Any]


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
    started = time.perf_counter()
    summary = Summary(
        year_be=year_be, formula_version=FORMULA_VERSION, periods=(str(year_be), f"{year_be}/jun10")
    )
    ctx = _context(year, summary)
    counts, tree = _gather(ctx, year, summary)
    summary.seconds["aggregate"] = round(time.perf_counter() - started, 3)
    with transaction.atomic():
        summary.values_replaced, _ = IndicatorValue.objects.filter(
            indicator__in=CODES, formula_version=FORMULA_VERSION, period__in=summary.periods
        ).delete()
        _store(_all_values(counts, tree, ctx, summary), summary)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="core.indicatorvalue",
            object_id=str(year_be),
            object_repr=f"ตัวชี้วัดมาตรฐาน ปีการศึกษา {year_be} / standard indicators {year_be}",
            changes={
                "periods": list(summary.periods),
                "formula_version": FORMULA_VERSION,
                "values_written": summary.values_written,
                "values_replaced": summary.values_replaced,
                "returns_used": {"t": summary.returns_t, "t+1": summary.returns_t1},
            },
        )
    summary.seconds["total"] = round(time.perf_counter() - started, 3)
    return summary


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
    census_t, census_t1 = sources.census_table(ctx.round_t), sources.census_table(ctx.round_t1)
    graduates = sources.graduates(year.pk) if ctx.round_t1 is not None else {}
    staffing = sources.teachers()
    marks = sources.attendance(
        year.starts_on, year.ends_on, threshold=CHRONIC_THRESHOLD, min_days=CHRONIC_MIN_DAYS,
        missed_codes=MISSED_CODES,
    )  # fmt: skip
    tree = sources.tree()
    summary.returns_t, summary.returns_t1 = len(census_t.returns), len(census_t1.returns)
    counts: dict[int, Counts] = {}
    school_ids = set(census_t.by_school) | set(census_t1.by_school) | set(graduates) | set(marks)
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
    uppers: dict[int, Counts] = defaultdict(Counts)
    for school_id in school_ids:
        for ancestor in tree.ancestors.get(school_id, ()):
            uppers[ancestor].add(counts[school_id])
    for esa_id, cells in census_t.ages_by_esa.items():
        for ancestor in (esa_id, *_ancestors_of_upper(esa_id, tree)):
            for cell, n in cells.items():
                uppers[ancestor].ages[cell] += n
    counts.update(uppers)
    return counts, tree


def _ancestors_of_upper(unit_id: int, tree: sources.Tree) -> tuple[int, ...]:
    path = tree.paths.get(unit_id, "")
    by_path = {p: pk for pk, p in tree.paths.items() if tree.kinds.get(pk) != OrgUnit.Kind.SCHOOL}
    codes = [c for c in path.split("/") if c]
    found = []
    for i in range(len(codes) - 1, 0, -1):
        ancestor = by_path.get("/" + "/".join(codes[:i]) + "/")
        if ancestor is not None:
            found.append(ancestor)
    return tuple(found)


def _store(values: Iterator[tuple[int, Value]], summary: Summary) -> None:
    """Insert in batches; compute time (generating values) and store time are measured apart."""
    now = timezone.now()
    compute = store = 0.0
    batch: list[IndicatorValue] = []
    mark = time.perf_counter()
    for unit_id, v in values:
        batch.append(
            IndicatorValue(
                indicator=v.indicator, formula_version=FORMULA_VERSION, unit_id=unit_id, period=v.period,
                breakdown=v.breakdown, value=v.value, numerator=v.numerator, denominator=v.denominator,
                suppressed=v.suppressed, source=v.source, computed_at=now,
            )
        )  # fmt: skip
        summary.suppressed += v.suppressed
        if len(batch) >= BATCH:
            compute += time.perf_counter() - mark
            mark = time.perf_counter()
            IndicatorValue.objects.bulk_create(batch)
            summary.values_written += len(batch)
            batch = []
            store += time.perf_counter() - mark
            mark = time.perf_counter()
    compute += time.perf_counter() - mark
    mark = time.perf_counter()
    if batch:
        IndicatorValue.objects.bulk_create(batch)
        summary.values_written += len(batch)
    store += time.perf_counter() - mark
    summary.seconds["compute"] = round(compute, 3)
    summary.seconds["store"] = round(store, 3)


def _all_values(
    counts: Mapping[int, Counts], tree: sources.Tree, ctx: Context, summary: Summary
) -> Iterator[tuple[int, Value]]:
    for unit_id, c in counts.items():
        kind = tree.kinds.get(unit_id)
        if kind is None:
            continue
        produced = False
        for value in unit_values(c, kind, ctx):
            produced = True
            yield unit_id, value
        if produced:
            summary.units[kind] = summary.units.get(kind, 0) + 1


# ---------------------------------------------------------------------------------------------
# One unit's values (pure given the counts; the formulas are suksa.analytics')


def unit_values(c: Counts, kind: str, ctx: Context) -> Iterator[Value]:
    school = kind == OrgUnit.Kind.SCHOOL
    census_t = _census_source(ctx.census_t, ctx.round_t, c.returns_t, school)
    if c.returns_t:
        yield from _enrolment_values(c, kind, ctx, {"census": census_t})
        yield from _ptr_values(c, ctx, census_t)
    if c.returns_t and c.returns_t1:
        flow_source = {
            "census": {
                "t": census_t,
                "t+1": _census_source(ctx.census_t1, ctx.round_t1, c.returns_t1, school),
            },
            "graduates": GRADUATES_SOURCE.format(year=ctx.year_be),
        }
        yield from _flow_values(c, kind, ctx, flow_source)
    if c.attendance.get("students"):
        yield from _attendance_values(c, ctx)


def _census_source(period: str, round_id: int | None, returns: list[int], school: bool) -> dict[str, Any]:
    src: dict[str, Any] = {"round": period, "round_id": round_id}
    if school:
        src["returns"] = sorted(returns)
    else:
        src["returns_used"] = len(returns)
    return src


def _value(
    indicator: str, period: str, keys: str, rate: Rate, base: dict[str, Any], *, suppressed: bool,
    note: str = "", numerator: float | None = None, denominator: float | None = None,
) -> Value:  # fmt: skip
    source = {
        **base,
        "formula": rate.formula,
        "formula_version": FORMULA_VERSION,
        "inputs": dict(rate.inputs),
    }
    if note:
        source["note"] = note
    return Value(
        indicator, period, keys, rate.value,
        rate.numerator if numerator is None else numerator,
        rate.denominator if denominator is None else denominator,
        suppressed, source,
    )  # fmt: skip


def _person_rate_suppressed(rate: Rate) -> bool:
    return suppress_rate(rate, complement=True).suppressed


def _count(indicator: str, period: str, keys: str, n: int, base: dict[str, Any], inputs: str) -> Value:
    source = {
        **base,
        "formula": f"{inputs}: certified counts + amendments",
        "formula_version": FORMULA_VERSION,
    }
    return Value(indicator, period, keys, float(n), float(n), None, is_small(n), source)


def _enrolment_values(c: Counts, kind: str, ctx: Context, base: dict[str, Any]) -> Iterator[Value]:
    period = ctx.census_t
    by_grade: dict[str, int] = defaultdict(int)
    by_sex: dict[str, int] = defaultdict(int)
    by_level_sex: dict[tuple[str, str], int] = defaultdict(int)
    for (grade, sex), n in c.e_t.items():
        by_grade[grade] += n
        by_sex[sex] += n
        by_level_sex[(level_of(grade), sex)] += n
    total = sum(by_grade.values())
    yield _count("enrolment", period, "", total, base, "E")
    for sex in SEXES:
        yield _count("enrolment", period, breakdown(sex=sex), by_sex.get(sex, 0), base, f"E[sex={sex}]")
    for grade in GRADES:
        if by_grade.get(grade):
            yield _count("enrolment", period, breakdown(grade=grade), by_grade[grade], base, f"E[{grade}]")
            for sex in SEXES:
                n = c.e_t.get((grade, sex), 0)
                yield _count(
                    "enrolment", period, breakdown(grade=grade, sex=sex), n, base, f"E[{grade},{sex}]"
                )
    levels = [level for level, grades in LEVELS.items() if any(by_grade.get(g) for g in grades)]
    for level in levels:
        female, male = by_level_sex.get((level, "F"), 0), by_level_sex.get((level, "M"), 0)
        yield _count("enrolment", period, breakdown(level=level), female + male, base, f"E[{level}]")
        for sex, n in (("F", female), ("M", male)):
            yield _count("enrolment", period, breakdown(level=level, sex=sex), n, base, f"E[{level},{sex}]")
    if kind != OrgUnit.Kind.SCHOOL:
        by_age: dict[int, int] = defaultdict(int)
        by_age_grade: dict[tuple[int, str], int] = defaultdict(int)
        for (grade, _, age), n in c.ages.items():
            by_age[age] += n
            by_age_grade[(age, grade)] += n
        for age in sorted(by_age):
            yield _count("enrolment", period, breakdown(age=age), by_age[age], base, f"E[age={age}]")
        for (age, grade), n in sorted(by_age_grade.items(), key=lambda i: (GRADES.index(i[0][1]), i[0][0])):
            yield _count(
                "enrolment", period, breakdown(age=age, grade=grade), n, base, f"E[{grade},age={age}]"
            )
    parity_base = {**base, "note": GPI_ENROLMENT_NOTE}
    for level in ["", *levels]:
        if level:
            female, male = by_level_sex.get((level, "F"), 0), by_level_sex.get((level, "M"), 0)
        else:
            female, male = by_sex.get("F", 0), by_sex.get("M", 0)
        keys = breakdown(level=level) if level else ""
        small = is_small(female) or is_small(male)
        inputs = {"E[F]": female, "E[M]": male}
        gpi = Rate(gender_parity_index(female, male), female, male, "E[F]/E[M]", inputs)
        yield _value("gpi_enrolment", period, keys, gpi, parity_base, suppressed=small)
        adjusted = Rate(adjusted_gpi(female, male), female, male, "F/M if F<=M else 2-M/F (E)", inputs)
        yield _value("adjusted_gpi_enrolment", period, keys, adjusted, parity_base, suppressed=small)


def _ptr_values(c: Counts, ctx: Context, census_t: dict[str, Any]) -> Iterator[Value]:
    if not c.schools_with_teachers:
        return
    base = {
        "census": census_t,
        "teachers": {
            "source": "school profiles (core.School.teacher_count)",
            "counts_as_of": c.teachers_as_of,
            "schools": c.schools_with_teachers,
            "schools_without_teacher_count": c.schools_without_teachers,
        },
    }
    rate = pupil_teacher_ratio(c.ptr_pupils, c.teachers)
    note = "pupils of schools without a teacher count are left out" if c.schools_without_teachers else ""
    yield _value(
        "pupil_teacher_ratio", ctx.year_period, "", rate, base, suppressed=is_small(c.ptr_pupils), note=note
    )


def _by_grade(table: Mapping[tuple[str, str], int], sex: str | None = None) -> dict[str, int]:
    result: dict[str, int] = defaultdict(int)
    for (grade, s), n in table.items():
        if sex is None or s == sex:
            result[grade] += n
    return dict(result)


def _flows(c: Counts, sex: str | None) -> tuple[dict[str, FlowRates], dict[str, str]]:
    """Flow rates of every grade (for one sex, or both), and the grades whose promotion is undefined
    because nothing says where their pupils went."""
    e_t, e_t1, r_t1 = _by_grade(c.e_t, sex), _by_grade(c.e_t1, sex), _by_grade(c.r_t1, sex)
    both_outcomes = _by_grade(c.outcomes)
    graduated = _by_grade(c.graduated, sex)
    all_t, all_t1 = _by_grade(c.e_t), _by_grade(c.e_t1)
    graduates = {g: graduated.get(g, 0) for g in GRADES if is_last_grade_of_level(g) and both_outcomes.get(g)}
    flows = flow_rates(e_t, e_t1, r_t1, graduates)
    notes = {}
    for grade in flows:
        following = next_grade(grade)
        nowhere = following is None or not (all_t.get(following) or all_t1.get(following))
        if is_last_grade_of_level(grade) and grade not in graduates and nowhere:
            notes[grade] = NO_NEXT_LEVEL_NOTE
    return flows, notes


def _flow_values(c: Counts, kind: str, ctx: Context, base: dict[str, Any]) -> Iterator[Value]:
    period = ctx.year_period
    flows, undefined = _flows(c, None)
    e_t = _by_grade(c.e_t)
    for grade, fr in flows.items():
        keys = breakdown(grade=grade)
        note = undefined.get(grade, "")
        yield _flow_value("repetition_rate", keys, fr.repetition, base, period)
        for code, rate in (("promotion_rate", fr.promotion), ("dropout_rate", fr.dropout)):
            if note:
                rate = Rate.undefined(rate.numerator, rate.denominator, rate.formula, rate.inputs)
            yield _flow_value(code, keys, rate, base, period, note)
    by_sex = {sex: _flows(c, sex) for sex in SEXES}
    level_pr: dict[tuple[str, str], Rate] = {}
    for level, grades in LEVELS.items():
        if not any(g in flows for g in grades):
            continue
        yield from _level_flow_values(level, None, flows, undefined, base, period)
        for sex in SEXES:
            sex_flows, sex_undefined = by_sex[sex]
            for value in _level_flow_values(
                level, sex, sex_flows, {**sex_undefined, **undefined}, base, period
            ):
                if value.indicator == "promotion_rate":
                    level_pr[(level, sex)] = _rate_of(value)
                yield value
    yield from _gpi_promotion_values(level_pr, base, period)
    yield from _survival_values(flows, by_sex, e_t, base, period)
    yield from _transition_values(c, kind, base, period)


def _rate_of(value: Value) -> Rate:
    return Rate(
        value.value, value.numerator or 0, value.denominator or 0, value.source["formula"],
        suppressed=value.suppressed,
    )  # fmt: skip


def _flow_value(code: str, keys: str, rate: Rate, base: dict[str, Any], period: str, note: str = "") -> Value:
    return _value(code, period, keys, rate, base, suppressed=_person_rate_suppressed(rate), note=note)


def _level_flow_values(
    level: str, sex: str | None, flows: Mapping[str, FlowRates], undefined: Mapping[str, str],
    base: dict[str, Any], period: str,
) -> Iterator[Value]:  # fmt: skip
    """Total-by-level rates from the SUMMED counts of the level's grades (never a mean of rates)."""
    grades = [g for g in LEVELS[level] if g in flows]
    if not grades:
        return
    enrolled = sum(flows[g].repetition.denominator for g in grades)
    repeaters = sum(flows[g].repetition.numerator for g in grades)
    keys = breakdown(level=level, sex=sex) if sex else breakdown(level=level)
    inputs = {f"E[{g},t]": flows[g].repetition.denominator for g in grades}
    formula = "sum over the level's grades of {num} / sum of E[g,t]"
    repetition = Rate.of(repeaters, enrolled, formula.format(num="R[g,t+1]"), inputs)
    yield _flow_value("repetition_rate", keys, repetition, base, period)
    defined = all(flows[g].promotion.value is not None and g not in undefined for g in grades)
    promotees = sum(flows[g].promotion.numerator for g in grades) if defined else 0
    p_formula = formula.format(num="promotees (or graduates in the last grade)")
    d_formula = formula.format(num="(E[g,t]-promotees-R[g,t+1])")
    if defined:
        promotion = Rate.of(promotees, enrolled, p_formula, inputs)
        dropout = Rate.of(enrolled - promotees - repeaters, enrolled, d_formula, inputs)
        note = ""
    else:
        promotion = Rate.undefined(0, enrolled, p_formula, inputs)
        dropout = Rate.undefined(0, enrolled, d_formula, inputs)
        note = "undefined: a grade of the level has an undefined promotion rate"
    yield _flow_value("promotion_rate", keys, promotion, base, period, note)
    yield _flow_value("dropout_rate", keys, dropout, base, period, note)


def _gpi_promotion_values(
    level_pr: Mapping[tuple[str, str], Rate], base: dict[str, Any], period: str
) -> Iterator[Value]:
    for level in LEVELS:
        female, male = level_pr.get((level, "F")), level_pr.get((level, "M"))
        if female is None or male is None or female.value is None or male.value is None:
            continue
        small = female.suppressed or male.suppressed
        inputs = {"PR[F]": female.value, "PR[M]": male.value}
        gpi = Rate(
            gender_parity_index(female.value, male.value), female.value, male.value, "PR[F]/PR[M]", inputs
        )
        keys = breakdown(level=level)
        yield _value("gpi_promotion", period, keys, gpi, base, suppressed=small)
        adjusted = Rate(
            adjusted_gpi(female.value, male.value),
            female.value,
            male.value,
            "F/M if F<=M else 2-M/F (PR)",
            inputs,
        )
        yield _value("adjusted_gpi_promotion", period, keys, adjusted, base, suppressed=small)


def _survival_values(
    flows: Mapping[str, FlowRates], by_sex: Mapping[str, tuple[dict[str, FlowRates], dict[str, str]]],
    e_t: Mapping[str, int], base: dict[str, Any], period: str,
) -> Iterator[Value]:  # fmt: skip
    for code, grades in SURVIVAL.items():
        used = grades[:-1]
        if not all(g in flows for g in used):
            continue
        small = any(is_small(e_t.get(g, 0)) for g in used)
        rate = survival_rates(flows, grades, max_repeats=SURVIVAL_MAX_REPEATS)[grades[-1]]
        yield _value(code, period, "", rate, base, suppressed=small)
        for sex in SEXES:
            sex_flows = by_sex[sex][0]
            if all(g in sex_flows for g in used):
                sex_rate = survival_rates(sex_flows, grades, max_repeats=SURVIVAL_MAX_REPEATS)[grades[-1]]
                sex_small = small or any(is_small(sex_flows[g].repetition.denominator) for g in used)
                yield _value(code, period, breakdown(sex=sex), sex_rate, base, suppressed=sex_small)


def _transition_values(c: Counts, kind: str, base: dict[str, Any], period: str) -> Iterator[Value]:
    e_t, e_t1, r_t1 = _by_grade(c.e_t), _by_grade(c.e_t1), _by_grade(c.r_t1)
    local = kind in (OrgUnit.Kind.SCHOOL, OrgUnit.Kind.ESA)
    for last, first, suffix in TRANSITIONS:
        if not e_t.get(last):
            continue
        if local and not (e_t.get(first) or e_t1.get(first)):
            continue
        note = TRANSITION_SCOPE_NOTE if local else ""
        entrants = e_t1.get(first, 0) - r_t1.get(first, 0)
        rate = transition_rate(max(entrants, 0), e_t[last])
        yield _flow_value(f"transition_rate_{suffix}", "", rate, base, period, note)
        effective = effective_transition_rate(
            e_t1.get(first, 0), r_t1.get(first, 0), e_t[last], r_t1.get(last, 0)
        )
        yield _flow_value(f"effective_transition_rate_{suffix}", "", effective, base, period, note)


def _attendance_values(c: Counts, ctx: Context) -> Iterator[Value]:
    a = c.attendance
    base = {
        "attendance": {
            "source": "attendance marks",
            "window": ctx.attendance_window,
            "students": a["students"],
        }
    }
    rate = attendance_rate({code: a.get(code, 0) for code in DAY_CODES})
    yield _value("attendance_rate", ctx.year_period, "", rate, base, suppressed=is_small(a["students"]))
    formula = CHRONIC_FORMULA.format(threshold=CHRONIC_THRESHOLD, min_days=CHRONIC_MIN_DAYS)
    inputs = {"students": a["students"], "eligible": a["eligible"], "threshold": CHRONIC_THRESHOLD,
              "min_days": CHRONIC_MIN_DAYS}  # fmt: skip
    chronic = Rate.of(a["chronic"], a["eligible"], formula, inputs)
    yield _value(
        "chronic_absenteeism_rate",
        ctx.year_period,
        "",
        chronic,
        base,
        suppressed=_person_rate_suppressed(chronic),
    )
