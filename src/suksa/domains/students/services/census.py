"""Census rounds: open a round, take each school's snapshot, certify, acknowledge, close, amend.

The roster of a school on the census date is rebuilt from temporal enrolments (an enrolment
covers day d when ``starts_on <= d`` and ``ends_on`` is empty or ``>= d``) and stored as counts per
grade × sex × age on the census date × repeater, with a SHA-256 digest of the roster it came from.
Certifying recomputes the digest: if the roster changed since the snapshot, the director must
retake it first. Certified counts are never rewritten; corrections are signed amendments.
See docs/adr/0006-census-from-temporal-enrolments.md.

Snapshots are set-based: :func:`census_returns_take` runs one aggregate query (the cells) and one
ordered stream (the digests and classrooms) for all the schools it is given, so the demo can take
thousands of schools in one call.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, Count, Exists, Field, IntegerField, OuterRef, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from suksa.core import audit
from suksa.core.errors import InvalidInput, PermissionDenied, Problem
from suksa.core.models import AcademicYear, AuditEntry, CensusDate, OrgUnit, School
from suksa.core.policy import Actor, Perm
from suksa.core.services import schools_recompute_size_bands
from suksa.domains.students.models import CensusAmendment, CensusCount, CensusReturn, CensusRound, Enrolment
from suksa.domains.students.models.choices import EntryKind, Grade, Sex

__all__ = [
    "AGE_CAP",
    "MAX_DELTA",
    "AmendCell",
    "CloseResult",
    "census_amend",
    "census_return_acknowledge",
    "census_return_certify",
    "census_returns_acknowledge",
    "census_returns_take",
    "census_round_close",
    "census_round_open",
    "may_take",
    "roster_digests",
]

# Ages are counted in completed years on the census date; anyone older is counted at the cap.
AGE_CAP = 60
# No school corrects one cell by more than this; larger values are typing errors.
MAX_DELTA = 100_000
CERTIFIED_STATUSES = (CensusReturn.Status.CERTIFIED, CensusReturn.Status.ACKNOWLEDGED)
_BATCH = 2000
EMPTY_DIGEST = hashlib.sha256(b"").hexdigest()


# --- permission checks ---------------------------------------------------------------------------


def is_national_closer(actor: Actor) -> bool:
    """``census.close`` held on the nation itself (not a region or an ESA)."""
    return actor.can_nationally(Perm.CENSUS_CLOSE)


def may_take(actor: Actor, school_path: str) -> bool:
    """The school's director (``census.certify``), or a ``census.close`` holder over the school."""
    return actor.can(Perm.CENSUS_CERTIFY, school_path) or actor.can(Perm.CENSUS_CLOSE, school_path)


def may_amend(actor: Actor, census_return: CensusReturn) -> bool:
    path = census_return.school.path
    if census_return.round.status == CensusRound.Status.OPEN:
        return actor.can(Perm.CENSUS_CERTIFY, path)
    return actor.can(Perm.CENSUS_CLOSE, path)


def _problem(code: str, th: str, en: str, field: str | None = None) -> InvalidInput:
    return InvalidInput([Problem(code=code, th=th, en=en, field=field)])


def _round_must_be_open(census_round: CensusRound) -> None:
    if census_round.status != CensusRound.Status.OPEN:
        raise _problem(
            "round_closed",
            "รอบการนับนี้ปิดแล้ว แก้ไขได้เฉพาะการขอแก้ไขยอดโดยส่วนกลาง",
            "This census round is closed; only national amendments are possible",
            "round",
        )


# --- the roster on the census date ---------------------------------------------------------------


def _covering(census_date: dt.date) -> Q:
    covering = Q(starts_on__lte=census_date) & (Q(ends_on__isnull=True) | Q(ends_on__gte=census_date))
    # Every enrolment lies inside its academic year, so naming the year changes no result but lets
    # the (academic_year, status) index cut the scan to one year's rows instead of every year's.
    year_ids = list(
        AcademicYear.objects.filter(starts_on__lte=census_date, ends_on__gte=census_date).values_list(
            "pk", flat=True
        )
    )
    return covering & Q(academic_year_id__in=year_ids) if year_ids else covering


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


def age_expression(census_date: dt.date, birth_field: str = "student__birth_date") -> Case:
    """Age in completed years on ``census_date``, as plain date comparisons (portable, no UDFs).

    Someone is at least k years old when born on or before the k-th anniversary counted back from
    the census date; the first branch that holds gives the age.
    """
    whens = [
        When(**{f"{birth_field}__gt": _years_before(census_date, k + 1)}, then=Value(k))
        for k in range(AGE_CAP)
    ]
    return Case(*whens, default=Value(AGE_CAP), output_field=IntegerField())


def _counts_by_cell(census_date: dt.date, school_ids: QuerySet[Any]) -> dict[int, dict[tuple, list[int]]]:
    """``{school_id: {(grade, sex, age, repeater): [count, disabled, ccl_eligible]}}`` in one query."""
    rows = (
        Enrolment.objects.filter(_covering(census_date), school_id__in=school_ids)
        .annotate(age=age_expression(census_date))
        .values("school_id", "grade", "student__sex", "age", "entry")
        .annotate(
            n=Count("id"),
            disabled=Sum(Case(When(student__sensitive__disability__gt="", then=1), default=0)),
            ccl=Sum(Case(When(student__sensitive__ccl_eligible=True, then=1), default=0)),
        )
        .order_by()
    )
    cells: dict[int, dict[tuple, list[int]]] = defaultdict(dict)
    for r in rows:
        key = (r["grade"], r["student__sex"], r["age"], r["entry"] == EntryKind.REPEATED)
        cell = cells[r["school_id"]].setdefault(key, [0, 0, 0])
        cell[0] += r["n"]
        cell[1] += r["disabled"] or 0
        cell[2] += r["ccl"] or 0
    return cells


@dataclass
class RosterDigest:
    digest: str = EMPTY_DIGEST
    classrooms: int = 0


def roster_digests(
    census_date: dt.date, school_ids: QuerySet[Any] | Sequence[int]
) -> dict[int, RosterDigest]:
    """Per school: SHA-256 over the ``"<student id>:<grade>\\n"`` lines of its roster on the date,
    in student-id order, and the number of distinct classrooms. One ordered, streamed query."""
    result: dict[int, RosterDigest] = {}
    rows = (
        Enrolment.objects.filter(_covering(census_date), school_id__in=school_ids)
        .order_by("school_id", "student_id", "grade")
        .values_list("school_id", "student_id", "grade", "classroom_id")
        .iterator(chunk_size=_BATCH * 5)
    )
    current: int | None = None
    sha = hashlib.sha256()
    rooms: set[int] = set()

    def flush() -> None:
        if current is not None:
            result[current] = RosterDigest(sha.hexdigest(), len(rooms))

    for school_id, student_id, grade, classroom_id in rows:
        if school_id != current:
            flush()
            current, sha, rooms = school_id, hashlib.sha256(), set()
        sha.update(f"{student_id}:{grade}\n".encode())
        if classroom_id is not None:
            rooms.add(classroom_id)
    flush()
    return result


def _column(model: type[Any], name: str) -> str:
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, Field)
    return str(model_field.column)


_COUNT_COLUMNS = ("census_return", "grade", "sex", "age", "repeater", "count", "disabled", "ccl_eligible")


def _insert_counts(rows: list[tuple[Any, ...]]) -> None:
    """Insert count cells with one ``executemany`` per batch: the ORM's per-object work cost more
    than the database's for the hundreds of thousands of cells of a national snapshot."""
    if not rows:
        return
    meta = CensusCount._meta
    qn = connection.ops.quote_name
    columns = ", ".join(qn(_column(CensusCount, name)) for name in _COUNT_COLUMNS)
    sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(_COUNT_COLUMNS))})"  # noqa: S608 - names from the model's meta, values bound
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BATCH * 10):
            cursor.executemany(sql, rows[start : start + _BATCH * 10])


def _update_returns(returns: list[CensusReturn], taken_at: dt.datetime) -> None:
    """Store each draft's new totals and digest (one ``executemany``; see :func:`_insert_counts`)."""
    meta = CensusReturn._meta
    qn = connection.ops.quote_name
    sets = ", ".join(
        f"{qn(_column(CensusReturn, name))} = %s"
        for name in ("student_total", "classroom_total", "roster_digest", "taken_at")
    )
    sql = f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {qn(meta.pk.column)} = %s"  # noqa: S608 - names from meta
    stamp = connection.ops.adapt_datetimefield_value(taken_at)
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [(r.student_total, r.classroom_total, r.roster_digest, stamp, r.pk) for r in returns]
        )


# --- opening a round and taking snapshots --------------------------------------------------------


@transaction.atomic
def census_round_open(*, actor: Actor, census_date: CensusDate) -> CensusRound:
    """Open the round of one census date (national ``census.close``). One round per date."""
    if not is_national_closer(actor):
        raise PermissionDenied.default()
    if CensusRound.objects.filter(census_date=census_date).exists():
        raise _problem(
            "round_exists",
            "เปิดรอบการนับของวันนี้ไปแล้ว",
            "A round for this census date is already open or closed",
            "census_date",
        )
    census_round = CensusRound.objects.create(census_date=census_date)
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="students.censusround",
        object_id=census_round.pk,
        object_repr=str(census_round),
        changes={"census_date": census_date.date, "round": census_date.round, "period": census_round.period},
    )
    return census_round


def census_returns_take(*, actor: Actor, census_round: CensusRound, schools: QuerySet[OrgUnit]) -> int:
    """Take (or retake) the snapshot of every given school on the round's census date.

    Draft returns get fresh counts; certified and acknowledged returns are left exactly as they are.
    Returns how many returns were (re)written. All or nothing: one school the actor may not act on
    refuses the whole call.
    """
    schools = schools.filter(kind=OrgUnit.Kind.SCHOOL)
    with transaction.atomic():
        units = list(schools.values_list("pk", "path"))
        if any(not may_take(actor, path) for _, path in units):
            raise PermissionDenied.default()
        census_round = (
            CensusRound.objects.select_for_update(of=("self",))
            .select_related("census_date")
            .get(pk=census_round.pk)
        )
        _round_must_be_open(census_round)
        if not units:
            return 0
        day = census_round.census_date.date
        now = timezone.now()
        path_of = dict(units)
        school_ids = schools.values("pk")

        have = set(
            CensusReturn.objects.filter(round=census_round, school_id__in=school_ids).values_list(
                "school_id", flat=True
            )
        )
        CensusReturn.objects.bulk_create(
            [CensusReturn(round=census_round, school_id=pk) for pk, _ in units if pk not in have],
            batch_size=_BATCH,
        )
        drafts = list(
            CensusReturn.objects.filter(
                round=census_round, status=CensusReturn.Status.DRAFT, school_id__in=school_ids
            ).only("pk", "school_id")
        )
        if not drafts:
            return 0
        draft_schools = CensusReturn.objects.filter(
            round=census_round, status=CensusReturn.Status.DRAFT, school_id__in=school_ids
        ).values("school_id")
        CensusCount.objects.filter(
            census_return__round=census_round,
            census_return__status=CensusReturn.Status.DRAFT,
            census_return__school_id__in=school_ids,
        ).delete()

        cells = _counts_by_cell(day, draft_schools)
        digests = roster_digests(day, draft_schools)
        new_counts: list[tuple[Any, ...]] = []
        entries: list[AuditEntry] = []
        for ret in drafts:
            school_cells = cells.get(ret.school_id, {})
            new_counts.extend(
                (ret.pk, grade, sex, age, repeater, n, disabled, ccl)
                for (grade, sex, age, repeater), (n, disabled, ccl) in school_cells.items()
            )
            roster = digests.get(ret.school_id, RosterDigest())
            ret.student_total = sum(c[0] for c in school_cells.values())
            ret.classroom_total = roster.classrooms
            ret.roster_digest = roster.digest
            ret.taken_at = now
            entries.append(
                AuditEntry(
                    actor_id=actor.user_id,
                    actor_username=actor.username,
                    action=AuditEntry.Action.UPDATE,
                    object_type="students.censusreturn",
                    object_id=str(ret.pk),
                    object_repr=f"census {census_round.period} {path_of[ret.school_id]}"[:255],
                    unit_path=path_of[ret.school_id],
                    changes={
                        "event": "snapshot",
                        "student_total": ret.student_total,
                        "census_date": day.isoformat(),
                    },
                    source=actor.source,
                )
            )
        _insert_counts(new_counts)
        _update_returns(drafts, now)
        audit.record_many(entries)
        return len(drafts)


# --- certifying and acknowledging ----------------------------------------------------------------


def _locked_return(census_return: CensusReturn) -> CensusReturn:
    return (
        CensusReturn.objects.select_for_update(of=("self",))
        .select_related("round", "round__census_date", "school")
        .get(pk=census_return.pk)
    )


def _amendment_sum(census_return: CensusReturn) -> int:
    return census_return.amendments.aggregate(s=Sum("delta"))["s"] or 0


def _update_school_profile(census_return: CensusReturn) -> None:
    """ "Enter once, use many times": the school profile's counts follow its latest certified round."""
    day = census_return.round.census_date.date
    later = CensusReturn.objects.filter(
        school_id=census_return.school_id,
        status__in=CERTIFIED_STATUSES,
        round__census_date__date__gt=day,
    )
    if later.exists():
        return
    total = census_return.student_total + _amendment_sum(census_return)
    schools = School.objects.filter(unit_id=census_return.school_id)
    schools.update(student_count=total, classroom_count=census_return.classroom_total, counts_as_of=day)
    schools_recompute_size_bands(queryset=schools)


@transaction.atomic
def census_return_certify(*, actor: Actor, census_return: CensusReturn) -> CensusReturn:
    """The director certifies the school's snapshot; refused when the roster changed since."""
    ret = _locked_return(census_return)
    if not actor.can(Perm.CENSUS_CERTIFY, ret.school.path):
        raise PermissionDenied.default()
    _round_must_be_open(ret.round)
    if ret.status != CensusReturn.Status.DRAFT:
        raise _problem("already_certified", "รับรองข้อมูลนี้ไปแล้ว", "This return is already certified", "status")
    if ret.taken_at is None:
        raise _problem(
            "no_snapshot", "ยังไม่ได้ดึงข้อมูล ณ วันนับ", "Take the census snapshot before certifying", "snapshot"
        )
    day = ret.round.census_date.date
    if timezone.localdate() < day:
        raise _problem(
            "census_date_future",
            "ยังไม่ถึงวันนับจำนวนนักเรียน รับรองได้ตั้งแต่วันนับเป็นต้นไป",
            "The census date has not come yet; certify on or after it",
            "census_date",
        )
    current = roster_digests(day, [ret.school_id]).get(ret.school_id, RosterDigest())
    if current.digest != ret.roster_digest:
        raise _problem(
            "roster_changed",
            "รายชื่อนักเรียน ณ วันนับเปลี่ยนไปหลังจากดึงข้อมูล กรุณาดึงข้อมูลใหม่แล้วตรวจสอบก่อนรับรอง",
            "The roster on the census date changed after the snapshot; retake it and check before certifying",
            "snapshot",
        )
    ret.status = CensusReturn.Status.CERTIFIED
    ret.certified_by_id = actor.user_id
    ret.certified_at = timezone.now()
    ret.save(update_fields=["status", "certified_by", "certified_at"])
    _update_school_profile(ret)
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="students.censusreturn",
        object_id=ret.pk,
        object_repr=f"census {ret.round.period} {ret.school.code}",
        unit_path=ret.school.path,
        changes={
            "status": ["draft", "certified"],
            "student_total": ret.student_total,
            "digest": ret.roster_digest,
        },
    )
    return ret


@transaction.atomic
def census_return_acknowledge(*, actor: Actor, census_return: CensusReturn) -> CensusReturn:
    """The ESA acknowledges one school's certified return."""
    ret = _locked_return(census_return)
    if not actor.can(Perm.CENSUS_ACKNOWLEDGE, ret.school.path):
        raise PermissionDenied.default()
    _round_must_be_open(ret.round)
    if ret.status != CensusReturn.Status.CERTIFIED:
        raise _problem(
            "not_certified",
            "รับทราบได้เฉพาะข้อมูลที่ผู้อำนวยการรับรองแล้วและยังไม่ได้รับทราบ",
            "Only a certified return not yet acknowledged can be acknowledged",
            "status",
        )
    ret.status = CensusReturn.Status.ACKNOWLEDGED
    ret.acknowledged_by_id = actor.user_id
    ret.acknowledged_at = timezone.now()
    ret.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="students.censusreturn",
        object_id=ret.pk,
        object_repr=f"census {ret.round.period} {ret.school.code}",
        unit_path=ret.school.path,
        changes={"status": ["certified", "acknowledged"]},
    )
    return ret


def census_returns_acknowledge(*, actor: Actor, returns: QuerySet[CensusReturn]) -> int:
    """Acknowledge every certified return among ``returns`` (bulk, e.g. a whole ESA).

    All or nothing: a return outside the actor's ``census.acknowledge`` scope refuses the call.
    Returns in a closed round, drafts and already acknowledged returns are skipped.
    """
    with transaction.atomic():
        rows = list(
            returns.filter(status=CensusReturn.Status.CERTIFIED, round__status=CensusRound.Status.OPEN)
            .select_for_update(of=("self",))
            .values_list("pk", "school__path", "school__code", "round_id")
        )
        if any(not actor.can(Perm.CENSUS_ACKNOWLEDGE, path) for _, path, _, _ in rows):
            raise PermissionDenied.default()
        if not rows:
            return 0
        now = timezone.now()
        updated = CensusReturn.objects.filter(pk__in=[r[0] for r in rows]).update(
            status=CensusReturn.Status.ACKNOWLEDGED, acknowledged_by_id=actor.user_id, acknowledged_at=now
        )
        audit.record_many(
            [
                AuditEntry(
                    actor_id=actor.user_id,
                    actor_username=actor.username,
                    action=AuditEntry.Action.UPDATE,
                    object_type="students.censusreturn",
                    object_id=str(pk),
                    object_repr=f"census round {round_id} {code}",
                    unit_path=path,
                    changes={"status": ["certified", "acknowledged"], "bulk": True},
                    source=actor.source,
                )
                for pk, path, code, round_id in rows
            ]
        )
        return updated


# --- closing -------------------------------------------------------------------------------------


@dataclass
class CloseResult:
    census_round: CensusRound
    expected: int
    certified: int
    not_certified_codes: list[str] = field(default_factory=list)

    @property
    def not_certified(self) -> int:
        return len(self.not_certified_codes)


@transaction.atomic
def census_round_close(*, actor: Actor, census_round: CensusRound) -> CloseResult:
    """Close the round (national ``census.close``) and report the schools that did not certify."""
    if not is_national_closer(actor):
        raise PermissionDenied.default()
    rnd = (
        CensusRound.objects.select_for_update(of=("self",))
        .select_related("census_date")
        .get(pk=census_round.pk)
    )
    _round_must_be_open(rnd)
    certified = CensusReturn.objects.filter(round=rnd, status__in=CERTIFIED_STATUSES, school=OuterRef("pk"))
    schools = OrgUnit.objects.filter(kind=OrgUnit.Kind.SCHOOL, is_active=True)
    missing = list(schools.filter(~Exists(certified)).order_by("code").values_list("code", flat=True))
    expected = schools.count()
    rnd.status = CensusRound.Status.CLOSED
    rnd.closed_by_id = actor.user_id
    rnd.closed_at = timezone.now()
    rnd.save(update_fields=["status", "closed_by", "closed_at"])
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="students.censusround",
        object_id=rnd.pk,
        object_repr=str(rnd),
        changes={
            "status": ["open", "closed"],
            "expected": expected,
            "certified": expected - len(missing),
            "not_certified": len(missing),
            "not_certified_codes": missing[:500],
        },
    )
    return CloseResult(
        census_round=rnd, expected=expected, certified=expected - len(missing), not_certified_codes=missing
    )


# --- amendments ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AmendCell:
    grade: str
    sex: str
    age: int
    repeater: bool
    delta: int

    @property
    def key(self) -> tuple[str, str, int, bool]:
        return (self.grade, self.sex, self.age, self.repeater)


def _cell_problems(cells: Sequence[Any]) -> tuple[list[AmendCell], list[Problem]]:
    parsed: list[AmendCell] = []
    problems: list[Problem] = []
    for i, raw in enumerate(cells):
        where = f"cells.{i}"
        try:
            grade, sex, age, repeater, delta = raw
        except (TypeError, ValueError):
            problems.append(Problem("invalid_cell", "ข้อมูลช่องไม่ครบ", "Incomplete cell", where))
            continue
        if grade not in Grade.values:
            problems.append(Problem("invalid_grade", "ชั้นไม่ถูกต้อง", "Unknown grade", f"{where}.grade"))
        if sex not in Sex.values:
            problems.append(Problem("invalid_sex", "เพศไม่ถูกต้อง", "Unknown sex", f"{where}.sex"))
        if not isinstance(age, int) or isinstance(age, bool) or not 0 <= age <= AGE_CAP:
            problems.append(
                Problem(
                    "invalid_age",
                    f"อายุต้องอยู่ระหว่าง 0 ถึง {AGE_CAP} ปี",
                    f"Age must be 0 to {AGE_CAP}",
                    f"{where}.age",
                )
            )
        if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0 or abs(delta) > MAX_DELTA:
            problems.append(
                Problem(
                    "invalid_delta",
                    f"จำนวนที่แก้ไขต้องเป็นจำนวนเต็มที่ไม่เป็นศูนย์ และไม่เกิน {MAX_DELTA:,}",
                    f"The change must be a non-zero whole number of at most {MAX_DELTA:,}",
                    f"{where}.delta",
                )
            )
        if not problems:
            parsed.append(AmendCell(grade, sex, age, bool(repeater), delta))
    return parsed, problems


def effective_cells(census_return: CensusReturn) -> dict[tuple[str, str, int, bool], int]:
    """Certified counts plus amendments, per cell (cells that net to zero are kept)."""
    cells: dict[tuple[str, str, int, bool], int] = defaultdict(int)
    for g, s, a, r, n in census_return.counts.values_list("grade", "sex", "age", "repeater", "count"):
        cells[(g, s, a, r)] += n
    for g, s, a, r, d in census_return.amendments.values_list("grade", "sex", "age", "repeater", "delta"):
        cells[(g, s, a, r)] += d
    return dict(cells)


@transaction.atomic
def census_amend(
    *, actor: Actor, census_return: CensusReturn, cells: Iterable[Any], reason: str
) -> list[CensusAmendment]:
    """Correct a certified return with signed changes per cell ``(grade, sex, age, repeater, delta)``.

    The director amends while the round is open; after it closes, only ``census.close`` holders.
    The reason is required; no cell's effective count may fall below zero.
    """
    ret = _locked_return(census_return)
    if not may_amend(actor, ret):
        raise PermissionDenied.default()
    if ret.status not in CERTIFIED_STATUSES:
        raise _problem(
            "not_certified",
            "แก้ไขยอดได้เฉพาะข้อมูลที่รับรองแล้ว ข้อมูลร่างให้ดึงข้อมูลใหม่แทน",
            "Only a certified return can be amended; retake a draft instead",
            "status",
        )
    reason = (reason or "").strip()
    parsed, problems = _cell_problems(list(cells))
    if not reason:
        problems.append(
            Problem("required", "กรุณาระบุเหตุผลการแก้ไข", "Give the reason for the amendment", "reason")
        )
    elif len(reason) > 500:
        problems.append(
            Problem("max_length", "เหตุผลยาวได้ไม่เกิน 500 ตัวอักษร", "At most 500 characters", "reason")
        )
    if not parsed and not problems:
        problems.append(
            Problem("required", "กรุณาระบุช่องที่ต้องการแก้ไข", "Give at least one cell to change", "cells")
        )
    if problems:
        raise InvalidInput(problems)
    effective = effective_cells(ret)
    for i, cell in enumerate(parsed):
        effective[cell.key] = effective.get(cell.key, 0) + cell.delta
        if effective[cell.key] < 0:
            problems.append(
                Problem(
                    "negative_count",
                    "ยอดหลังแก้ไขติดลบไม่ได้",
                    "The amended count cannot be negative",
                    f"cells.{i}.delta",
                )
            )
    if problems:
        raise InvalidInput(problems)
    amendments = CensusAmendment.objects.bulk_create(
        [
            CensusAmendment(
                census_return=ret, grade=c.grade, sex=c.sex, age=c.age, repeater=c.repeater,
                delta=c.delta, reason=reason, amended_by_id=actor.user_id,
            )
            for c in parsed
        ]
    )  # fmt: skip
    if ret.status in CERTIFIED_STATUSES:
        _update_school_profile(ret)
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="students.censusreturn",
        object_id=ret.pk,
        object_repr=f"census {ret.round.period} {ret.school.code}",
        unit_path=ret.school.path,
        changes={
            "event": "amend",
            "reason": reason,
            "cells": [[c.grade, c.sex, c.age, c.repeater, c.delta] for c in parsed],
            "round_status": ret.round.status,
        },
    )
    return amendments
