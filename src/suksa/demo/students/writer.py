"""Write the synthetic learners to the database: registry, rooms, enrolments, transfers, guardians,
sensitive data, the demo school's attendance, census rounds and the derived school counts.

Streamed and set-based: one ESA is simulated, written and forgotten at a time (memory bounded by
the largest ESA); rows go in with ``executemany`` in batches of 10,000 with primary keys assigned
here (so enrolments can point at learners and rooms without reading anything back); no query is
made per learner. Meant to run inside the demo generator's transaction, on a database whose
students tables the generator has just emptied.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from suksa.core.models import AcademicYear, CensusDate, OrgUnit, School, Semester
from suksa.core.policy import SYSTEM
from suksa.core.services import schools_recompute_size_bands
from suksa.core.text import normalize_thai
from suksa.demo.data import HOME_ESA_CODE
from suksa.demo.students.plan import RecordScope, record_scope, school_info
from suksa.demo.students.simulate import (
    CURRENT,
    DEMO_TODAY,
    YEARS,
    EsaRecords,
    Learner,
    SchoolInfo,
    simulate_esa,
)
from suksa.domains.accounts.models import User
from suksa.domains.students.models import (
    AttendanceMark,
    CensusReturn,
    CensusRound,
    Classroom,
    Enrolment,
    Guardian,
    SchoolClosure,
    Student,
    StudentSensitive,
    Transfer,
)

BATCH = 10_000
# Names come from short lists: normalise each once (``Student.compute_search_text`` semantics).
_normalized = functools.lru_cache(maxsize=8192)(normalize_thai)
Progress = Callable[[str], None]

# Public holidays and the mid-year break of the current academic year (nationwide closures), so
# the attendance pages skip them. Dates recalled from the 2026 government calendar; plausible.
CLOSURES_2569: tuple[tuple[dt.date, str, str], ...] = (
    (dt.date(2026, 6, 1), "ชดเชยวันวิสาขบูชา", "Visakha Bucha (substitute)"),
    (dt.date(2026, 6, 3), "วันเฉลิมพระชนมพรรษาสมเด็จพระราชินี", "The Queen's birthday"),
    (dt.date(2026, 7, 28), "วันเฉลิมพระชนมพรรษาพระบาทสมเด็จพระเจ้าอยู่หัว", "The King's birthday"),
    (dt.date(2026, 7, 29), "วันอาสาฬหบูชา", "Asalha Bucha"),
    (dt.date(2026, 7, 30), "วันเข้าพรรษา", "Khao Phansa"),
    (dt.date(2026, 8, 12), "วันแม่แห่งชาติ", "Mother's Day"),
    (dt.date(2026, 10, 13), "วันนวมินทรมหาราช", "King Bhumibol Memorial Day"),
    (dt.date(2026, 10, 23), "วันปิยมหาราช", "Chulalongkorn Day"),
)
MIDYEAR_BREAK = (dt.date(2026, 10, 5), dt.date(2026, 10, 30))
CHRONIC_SHARE = 0.08
ROOMS_WITH_GAPS = 2
DAYS_MISSING = 6


def _aware(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, 0))


class _Table:
    """Buffered multi-row INSERT for one model, in the order of ``fields``."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        qn = connection.ops.quote_name
        cols = [model._meta.get_field(f).column for f in fields]  # type: ignore[union-attr]
        # Table and column names come from the model; values are parameters.
        self.sql = (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(str(c)) for c in cols)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(cols))})"
        )
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
            self.written += len(self.rows)
            self.rows = []


def _next_pk(model: type[models.Model]) -> int:
    return (model._default_manager.aggregate(m=models.Max("pk"))["m"] or 0) + 1


def _search_text(learner: Learner) -> str:
    """What ``Student.compute_search_text`` gives (identifiers are digits or a lower-cased G-code,
    which normalising leaves as they are), with the name parts normalised through a cache."""
    parts = [learner.citizen_id or "", (learner.g_code or "").lower()]
    parts += [_normalized(p) for p in (learner.first_th, learner.last_th, learner.first_en, learner.last_en)]
    return " | ".join(p for p in parts if p)[:400]


class StudentWriter:
    """Writes one ESA's :class:`EsaRecords` at a time."""

    def __init__(self, units: dict[str, int], years: dict[int, int], demo_school: str | None) -> None:
        ops = connection.ops
        self.d = ops.adapt_datefield_value
        now = ops.adapt_datetimefield_value(_aware(DEMO_TODAY, 7))
        self.now = now
        self.units, self.years, self.demo_school = units, years, demo_school
        self.students = _Table(
            Student,
            ["id", "citizen_id", "g_code", "prefix_th", "first_name_th", "last_name_th", "first_name_en",
             "last_name_en", "sex", "birth_date", "nationality", "school", "search_text", "created_at",
             "updated_at"],
        )  # fmt: skip
        self.classrooms = _Table(Classroom, ["id", "school", "academic_year", "grade", "number"])
        self.enrolments = _Table(
            Enrolment,
            ["id", "student", "school", "academic_year", "grade", "classroom", "entry", "status", "starts_on",
             "ends_on", "exit_reason", "exit_note", "created_at", "updated_at"],
        )  # fmt: skip
        self.transfers = _Table(
            Transfer,
            ["student", "from_enrolment", "from_school", "to_school", "to_enrolment", "status", "reason",
             "requested_on", "requested_at", "decided_at", "decision_note"],
        )  # fmt: skip
        self.guardians = _Table(Guardian, ["student", "relation", "name_th", "phone", "email", "is_primary"])
        self.sensitive = _Table(
            StudentSensitive,
            ["student", "disability", "health_notes", "ccl_eligible", "religion", "updated_at"],
        )
        self.student_pk = _next_pk(Student)
        self.enrolment_pk = _next_pk(Enrolment)
        self.classroom_pk = _next_pk(Classroom)
        self.rooms: dict[tuple[str, int, str, int], int] = {}
        self.demo_roster: list[tuple[int, int, dt.date, dt.date | None]] = []  # student, room, from, to

    def write(self, records: EsaRecords) -> None:
        d, now, units = self.d, self.now, self.units
        # Rooms are numbered per ESA in a stable order: (school, year, grade, room).
        stints = sorted(
            {(s.school, s.year, s.grade, s.room) for learner in records.learners for s in learner.stints}
        )
        self.rooms = {}
        for school, year, grade, room in stints:
            self.rooms[(school, year, grade, room)] = self.classroom_pk
            self.classrooms.add((self.classroom_pk, units[school], self.years[year], grade, room))
            self.classroom_pk += 1
        for learner in records.learners:
            learner.pk = pk = self.student_pk
            self.student_pk += 1
            last = learner.stints[-1]
            cid, g = learner.citizen_id, learner.g_code
            self.students.add(
                (pk, cid, g, learner.prefix_th(), learner.first_th, learner.last_th, learner.first_en,
                 learner.last_en, learner.sex, d(learner.birth_date), learner.nationality, units[last.school],
                 _search_text(learner),
                 now, now)
            )  # fmt: skip
            for stint in learner.stints:
                stint.pk = self.enrolment_pk
                self.enrolment_pk += 1
                room = self.rooms[(stint.school, stint.year, stint.grade, stint.room)]
                self.enrolments.add(
                    (stint.pk, pk, units[stint.school], self.years[stint.year], stint.grade, room, stint.entry,
                     stint.status, d(stint.starts_on), d(stint.ends_on) if stint.ends_on else None,
                     stint.reason, "", now, now)
                )  # fmt: skip
                if stint.year == CURRENT and stint.school == self.demo_school:
                    self.demo_roster.append((pk, room, stint.starts_on, stint.ends_on))
            if learner.guardian is not None:
                relation, name, phone = learner.guardian
                self.guardians.add((pk, relation, name, phone, "", True))
                self.sensitive.add((pk, learner.disability, "", learner.ccl, learner.religion, now))
        for t in records.transfers:
            accepted = t.to_stint is not None
            self.transfers.add(
                (t.learner.pk, t.from_stint.pk, units[t.from_stint.school], units[t.to_school],
                 t.to_stint.pk if t.to_stint is not None else None, "accepted" if accepted else "requested",
                 t.reason, d(t.requested_on), connection.ops.adapt_datetimefield_value(_aware(t.requested_on)),
                 connection.ops.adapt_datetimefield_value(_aware(t.to_stint.starts_on, 10))
                 if t.to_stint is not None else None, "")
            )  # fmt: skip

    def flush(self) -> None:
        for table in (self.students, self.classrooms, self.enrolments, self.transfers, self.guardians,
                      self.sensitive):  # fmt: skip
            table.flush()

    def counts(self) -> dict[str, int]:
        return {
            "learners": self.students.written,
            "enrolments": self.enrolments.written,
            "classrooms": self.classrooms.written,
            "transfers": self.transfers.written,
            "guardians": self.guardians.written,
        }


def _reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    """PostgreSQL: move the id sequences past the ids assigned here (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def remove_students() -> None:
    """Empty every students table (demo data), leaves first; no per-row collection."""
    from suksa.core.models import IndicatorValue, Job

    IndicatorValue.objects.all()._raw_delete(IndicatorValue.objects.db)
    Job.objects.exclude(unit=None).update(unit=None)
    from suksa.domains.students import models as m

    for model in (
        m.AttendanceMark, m.SchoolClosure, m.Transfer, m.DuplicateClaim, m.CensusAmendment, m.CensusCount,
        m.CensusReturn, m.CensusRound, m.Guardian, m.StudentSensitive, m.Enrolment, m.YearEndBatch,
    ):  # fmt: skip
        model.objects.all()._raw_delete(model.objects.db)
    Classroom.teachers.through.objects.all()._raw_delete(Classroom.objects.db)
    Classroom.objects.all()._raw_delete(Classroom.objects.db)
    Student.objects.all()._raw_delete(Student.objects.db)


def _schools_in_scope(
    scope: RecordScope, seed: int
) -> tuple[dict[str, list[SchoolInfo]], dict[str, int], str | None]:
    home = list(
        OrgUnit.objects.filter(parent__code=HOME_ESA_CODE, kind="school")
        .order_by("code")
        .values_list("code", flat=True)[:1]
    )
    demo_school = home[0] if home else None
    rows = (
        School.objects.filter(province_id__in=scope.provinces)
        .order_by("unit__parent__code", "unit__code")
        .values_list(
            "unit_id",
            "unit__code",
            "unit__parent__code",
            "province_id",
            "area_type",
            "lowest_grade",
            "highest_grade",
            "student_count",
        )
    )
    by_esa: dict[str, list[SchoolInfo]] = {}
    units: dict[str, int] = {}
    for unit_id, code, esa, province, area, low, high, count in rows.iterator(chunk_size=5000):
        units[code] = unit_id
        by_esa.setdefault(esa, []).append(
            school_info(
                seed=seed,
                scope=scope,
                code=code,
                esa_code=esa,
                province=province,
                area_type=area,
                lowest_grade=low,
                highest_grade=high,
                student_count=count,
                demo_school=code == demo_school,
            )
        )
    return by_esa, units, demo_school if demo_school in units else None


def generate_students(*, records: str, seed: int, progress: Progress | None = None) -> dict[str, Any]:
    """Learners, enrolments and the rest for the schools of the ``records`` scope.

    Returns counts. Assumes the students tables are empty (the generator removes the old demo).
    """
    say: Progress = progress or (lambda _msg: None)
    if records == "none":
        return {"records": "none"}
    scope = record_scope(records)
    years = dict(AcademicYear.objects.filter(year_be__in=YEARS).values_list("year_be", "pk"))
    by_esa, units, demo_school = _schools_in_scope(scope, seed)
    writer = StudentWriter(units, years, demo_school)
    for index, infos in enumerate(by_esa.values(), start=1):
        writer.write(simulate_esa(infos, seed))
        if index % 10 == 0 or index == len(by_esa):
            say(
                f"  นักเรียน / learners: สพท. / ESAs {index}/{len(by_esa)}, {writer.student_pk - 1:,} คน / records"
            )
    writer.flush()
    _reset_sequences([Student, Enrolment, Classroom, Transfer, Guardian])
    counts: dict[str, Any] = {"records": records, **writer.counts()}
    if demo_school is not None:
        counts["attendance_marks"] = _homeroom_and_attendance(writer, demo_school, seed)
    counts["census_returns"] = _census(list(units.values()), units.get(demo_school or ""), say)
    _sync_school_counts(list(units.values()))
    counts["indicators"] = _indicators(say)
    return counts


# --- attendance -------------------------------------------------------------------------------


def _school_days(demo_unit: int) -> list[dt.date]:
    ay = AcademicYear.objects.get(year_be=CURRENT)
    existing = set(SchoolClosure.objects.filter(school=None).values_list("date", flat=True))
    closures = list(CLOSURES_2569)
    day = MIDYEAR_BREAK[0]
    while day <= MIDYEAR_BREAK[1]:
        if day.weekday() < 5:
            closures.append((day, "ปิดภาคเรียน", "Mid-year break"))
        day += dt.timedelta(days=1)
    SchoolClosure.objects.bulk_create(
        [SchoolClosure(date=c, reason_th=th, reason_en=en) for c, th, en in closures if c not in existing]
    )
    closed = set(
        SchoolClosure.objects.filter(Q(school=None) | Q(school_id=demo_unit)).values_list("date", flat=True)
    )
    days = []
    for semester in Semester.objects.filter(academic_year=ay).order_by("number"):
        day = semester.starts_on
        while day <= min(semester.ends_on, DEMO_TODAY - dt.timedelta(days=1)):
            if day.weekday() < 5 and day not in closed:
                days.append(day)
            day += dt.timedelta(days=1)
    return days


def _homeroom_and_attendance(writer: StudentWriter, demo_school: str, seed: int) -> int:
    """The teacher persona takes ป.1/1 of the demo school; every learner of the school gets daily
    marks up to the day before the demo's today; ~8 % are chronically absent; two rooms skip a few
    days (so "missing attendance" has something to flag). Other schools get no daily marks."""
    unit = writer.units[demo_school]
    ay = writer.years[CURRENT]
    teacher = User.objects.filter(username="teacher").first()
    homeroom = Classroom.objects.filter(school_id=unit, academic_year_id=ay, grade="P1", number=1).first()
    if homeroom is None:
        homeroom = Classroom.objects.create(school_id=unit, academic_year_id=ay, grade="P1", number=1)
    if teacher is not None:
        homeroom.teachers.add(teacher)
    days = _school_days(unit)
    rng = random.Random(f"{seed}:attendance:{demo_school}")
    rooms = sorted({room for _, room, _, _ in writer.demo_roster} - {homeroom.pk})
    gaps: dict[int, set[dt.date]] = {}
    for room in rng.sample(rooms, min(ROOMS_WITH_GAPS, len(rooms))):
        gaps[room] = set(rng.sample(days, min(DAYS_MISSING, len(days))))
    d = connection.ops.adapt_datefield_value
    marks = _Table(AttendanceMark, ["student", "classroom", "date", "code", "recorded_by", "recorded_at"])
    by_teacher = teacher.pk if teacher is not None else None
    adapted = {day: (d(day), connection.ops.adapt_datetimefield_value(_aware(day, 8))) for day in days}
    for student, room, starts, ends in sorted(writer.demo_roster):
        chronic = rng.random() < CHRONIC_SHARE
        # Cumulative thresholds for absent, sick, leave, late; the rest present.
        a, s, e, late = (0.13, 0.17, 0.2, 0.26) if chronic else (0.012, 0.027, 0.04, 0.07)
        skip = gaps.get(room, set())
        recorder = by_teacher if room == homeroom.pk else None
        for day in days:
            if day < starts or (ends is not None and day > ends) or day in skip:
                continue
            u = rng.random()
            code = "A" if u < a else "S" if u < s else "E" if u < e else "L" if u < late else "P"
            day_s, at = adapted[day]
            marks.add((student, room, day_s, code, recorder, at))
    marks.flush()
    return marks.written


# --- census -------------------------------------------------------------------------------------


def _census(unit_ids: list[int], demo_unit: int | None, say: Progress) -> int:
    """Rounds for every census date up to the demo's today; returns taken for all schools with
    records; past rounds certified, acknowledged and closed; the current 10 November round open,
    with the demo school's return a draft and some of its ESA's schools certified."""
    try:
        from suksa.domains.students.services.census import census_returns_take
    except ImportError:  # helper D's service not there yet: skip, and say so
        say("  (ข้ามสำมะโน: ยังไม่มี census_returns_take / census skipped: census_returns_take missing)")
        return 0
    dates = list(
        CensusDate.objects.filter(academic_year__year_be__in=YEARS, date__lte=DEMO_TODAY)
        .select_related("academic_year")
        .order_by("date")
    )
    existing = set(CensusRound.objects.values_list("census_date_id", flat=True))
    CensusRound.objects.bulk_create([CensusRound(census_date=c) for c in dates if c.pk not in existing])
    rounds = {r.census_date_id: r for r in CensusRound.objects.filter(census_date__in=dates)}
    schools = OrgUnit.objects.filter(pk__in=unit_ids)
    for cdate in dates:
        rnd = rounds[cdate.pk]
        census_returns_take(actor=SYSTEM, census_round=rnd, schools=schools)
        say(f"  สำมะโน / census {cdate.academic_year.year_be}/{cdate.round}")
        current_open = cdate.academic_year.year_be == CURRENT and cdate.round == "nov10"
        certified_at = _aware(cdate.date + dt.timedelta(days=5), 10)
        if not current_open:
            CensusReturn.objects.filter(round=rnd).update(
                status=CensusReturn.Status.ACKNOWLEDGED,
                certified_at=certified_at,
                acknowledged_at=_aware(cdate.date + dt.timedelta(days=12), 14),
            )
            CensusRound.objects.filter(pk=rnd.pk).update(
                status=CensusRound.Status.CLOSED, closed_at=_aware(cdate.date + dt.timedelta(days=30), 16)
            )
            continue
        # The open round: some of the home ESA's schools have certified, a few acknowledged.
        home = list(
            OrgUnit.objects.filter(parent__code=HOME_ESA_CODE, pk__in=unit_ids)
            .exclude(pk=demo_unit or 0)
            .order_by("code")
            .values_list("pk", flat=True)
        )
        acknowledged, certified = home[: len(home) * 3 // 10], home[len(home) * 3 // 10 : len(home) * 7 // 10]
        CensusReturn.objects.filter(round=rnd, school_id__in=acknowledged).update(
            status=CensusReturn.Status.ACKNOWLEDGED,
            certified_at=certified_at,
            acknowledged_at=_aware(DEMO_TODAY - dt.timedelta(days=2), 14),
        )
        CensusReturn.objects.filter(round=rnd, school_id__in=certified).update(
            status=CensusReturn.Status.CERTIFIED, certified_at=certified_at
        )
    # Who signed: the demo personas for their own school and ESA.
    director = User.objects.filter(username="school_director").first()
    officer = User.objects.filter(username="esa_officer").first()
    if director is not None and demo_unit is not None:
        CensusReturn.objects.filter(school_id=demo_unit).exclude(status="draft").update(certified_by=director)
    if officer is not None:
        CensusReturn.objects.filter(school__parent__code=HOME_ESA_CODE, status="acknowledged").update(
            acknowledged_by=officer
        )
    return CensusReturn.objects.filter(school_id__in=unit_ids).count()


def _sync_school_counts(unit_ids: list[int]) -> None:
    """School.student_count = the latest closed (certified) round's headcount, for schools with
    records; size bands follow."""
    latest = (
        CensusRound.objects.filter(status=CensusRound.Status.CLOSED)
        .select_related("census_date")
        .order_by("-census_date__date")
        .first()
    )
    if latest is None:
        return
    total = CensusReturn.objects.filter(round=latest, school_id=OuterRef("unit_id")).values("student_total")[
        :1
    ]
    School.objects.filter(unit_id__in=unit_ids).update(
        student_count=Subquery(total), counts_as_of=latest.census_date.date
    )
    schools_recompute_size_bands(queryset=School.objects.filter(unit_id__in=unit_ids))


def _indicators(say: Progress) -> int:
    """The standard indicators of every demo year (the current one gets enrolment and attendance;
    flows need the next year), when that service exists."""
    try:
        from suksa.domains.students.services.indicators import indicators_compute
    except ImportError:
        say("  (ข้ามตัวชี้วัด: ยังไม่มี indicators_compute / indicators skipped: indicators_compute missing)")
        return 0
    done = 0
    for year in YEARS:
        indicators_compute(actor=SYSTEM, year_be=year)
        done += 1
        say(f"  ตัวชี้วัด / indicators {year}")
    return done
