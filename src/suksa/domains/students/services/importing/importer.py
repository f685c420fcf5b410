"""Resolve batches of parsed learner rows against what is stored, then write them set-based.

Per batch (a few thousand rows): one query for the learners the batch names (by citizen ID and by
G-code), one for their enrolments that matter (open ones, and any in the batch's years), one for
rooms not yet cached; then ``bulk_create`` of new rooms, learners and enrolments, ``bulk_update``
of changed ones, and duplicate claims. A row equal to what is stored is counted as unchanged and
written nowhere, so re-importing a file changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Model, Q
from django.utils import timezone

from suksa.core.dates import academic_year_be_of
from suksa.core.errors import Problem
from suksa.core.models import AcademicYear, OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.core.services import calendar_ensure_year
from suksa.core.tabular import ImportReport
from suksa.core.text import search_key
from suksa.domains.students.dmc import FIRST_IMPORT_YEAR_BE
from suksa.domains.students.models import Classroom, DuplicateClaim, Enrolment, Student
from suksa.domains.students.models.choices import GRADE_ORDER, OPEN_STATUSES, EnrolmentStatus
from suksa.domains.students.services.importing.rows import Rec, RowChecker, SchoolInfo, YearInfo
from suksa.domains.students.services.importing.seen import SeenKeys, identifier_key

# Problems kept in the report; beyond this they are counted, not listed (a national file with a
# wrong column would otherwise hold millions of messages in memory).
MAX_PROBLEMS = 50_000
ROOM_CACHE_MAX = 200_000
# Fields of a learner the file may set, compared with what is stored to tell "unchanged".
STUDENT_FIELDS = (
    "prefix_th", "first_name_th", "last_name_th", "first_name_en", "last_name_en", "sex", "birth_date",
    "nationality", "school_id",
)  # fmt: skip
_OPEN = tuple(str(s) for s in OPEN_STATUSES)
STUDENT_INSERT = (
    "citizen_id", "g_code", *STUDENT_FIELDS, "search_text", "created_at", "updated_at",
)  # fmt: skip
ENROLMENT_INSERT = (
    "student_id", "school_id", "academic_year_id", "grade", "classroom_id", "entry", "status", "starts_on",
    "exit_reason", "exit_note", "created_at", "updated_at",
)  # fmt: skip


@lru_cache(maxsize=65536)
def _names_key(first_th: str, last_th: str, first_en: str, last_en: str) -> str:
    return search_key(first_th, last_th, first_en, last_en)


def search_text(
    cid: str | None, gcode: str | None, first_th: str, last_th: str, first_en: str, last_en: str
) -> str:
    """``Student.compute_search_text`` for a row (equal to it; a test checks), with the name part
    cached: names repeat across a national file and normalising Thai text is the costly part."""
    ident = search_key(cid or "", (gcode or "").lower())
    names = _names_key(first_th, last_th, first_en, last_en)
    return " | ".join(p for p in (ident, names) if p)[:400]


def _executemany(model: type[Model], fields: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """One parameterised INSERT for many rows (column names from the model's metadata)."""
    meta = model._meta
    qn = connection.ops.quote_name
    columns = ", ".join(qn(meta.get_field(f).column) for f in fields)  # type: ignore[union-attr,arg-type]
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks})", rows)  # noqa: S608


class StudentImportReport(ImportReport):
    """An :class:`ImportReport` that keeps counting rejected rows after it stops listing problems."""

    def __init__(self, file: str) -> None:
        super().__init__(file=file)
        self.rejected = 0
        self.problem_count = 0
        self.claims = 0

    @property
    def rejected_rows(self) -> int:
        return self.rejected

    def add_row_problems(self, problems: list[Problem]) -> None:
        self.rejected += 1
        self.problem_count += len(problems)
        room = MAX_PROBLEMS - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["problem_count"] = self.problem_count
        data["claims"] = self.claims
        return data


@dataclass(slots=True)
class _Stored:
    id: int
    values: tuple[Any, ...]  # STUDENT_FIELDS, in order


@dataclass(slots=True)
class _Enrolment:
    id: int
    school_id: int
    year_id: int
    grade: str
    classroom_id: int | None
    status: str


def load_schools() -> tuple[dict[str, SchoolInfo], dict[int, str]]:
    """Every active school: code → (id, path, grade span), and id → code. ~29,000 small tuples."""
    by_code: dict[str, SchoolInfo] = {}
    code_of: dict[int, str] = {}
    index = {g: i for i, g in enumerate(GRADE_ORDER)}
    rows = OrgUnit.objects.filter(kind=OrgUnit.Kind.SCHOOL, is_active=True).values_list(
        "id", "code", "path", "school__lowest_grade", "school__highest_grade"
    )
    for uid, code, path, low, high in rows.iterator(chunk_size=5000):
        by_code[code] = SchoolInfo(
            uid, code, path, index.get(low or "", 0), index.get(high or "", len(index) - 1)
        )
        code_of[uid] = code
    return by_code, code_of


class StudentImporter:
    def __init__(self, *, actor: Actor, filename: str, keep_valid: bool, report: StudentImportReport) -> None:
        self.actor = actor
        self.filename = filename
        self.keep_valid = keep_valid
        self.report = report
        self.today = timezone.localdate()
        self.schools, self.school_code_of = load_schools()
        self._scope: dict[int, bool] = {}
        self._years: dict[int, YearInfo | None] = {}
        self._rooms: dict[tuple[int, int, str, int], int] = {}
        self._rooms_loaded: set[tuple[int, int]] = set()
        self.seen = SeenKeys()
        self.paths: set[str] = set()  # schools written to, for the audit entry's unit path
        self.checker = RowChecker(
            filename=filename, schools=self.schools, in_scope=self._in_scope, year_of=self._year_of,
            today=self.today,
        )  # fmt: skip
        self.now = timezone.now()
        self._now_db = connection.ops.adapt_datetimefield_value(self.now)

    def _in_scope(self, school: SchoolInfo) -> bool:
        ok = self._scope.get(school.id)
        if ok is None:
            ok = self._scope[school.id] = self.actor.can(Perm.STUDENT_EDIT, school.path)
        return ok

    def _year_of(self, year_be: int) -> YearInfo | None:
        if year_be in self._years:
            return self._years[year_be]
        info: YearInfo | None = None
        if FIRST_IMPORT_YEAR_BE <= year_be <= academic_year_be_of(self.today) + 1:
            ay = AcademicYear.objects.filter(year_be=year_be).first() or calendar_ensure_year(year_be=year_be)
            info = YearInfo(ay.pk, ay.year_be, ay.starts_on, ay.ends_on)
        self._years[year_be] = info
        return info

    # -- one batch

    def process(self, rows: Iterable[Any]) -> None:
        recs: list[Rec] = []
        for row in rows:
            rec = self.checker.parse(row)
            if rec.ident and not self.seen.add(identifier_key(rec.ident)):
                rec.add(
                    "identifier",
                    "identifier_duplicate_in_file",
                    f"เลขประจำตัว '{rec.ident}' ซ้ำกับแถวก่อนหน้าในไฟล์นี้",
                    f"Identifier '{rec.ident}' appears earlier in this file",
                )
            recs.append(rec)
        self.report.rows_read += len(recs)
        batch_ok = not any(r.problems for r in recs)
        self._resolve_and_write([r for r in recs if not r.problems], batch_ok)
        for rec in recs:
            if rec.problems:
                self.report.add_row_problems(rec.problems)

    def _stored(self, recs: list[Rec]) -> dict[str, _Stored]:
        cids = [r.ident for r in recs if not r.is_g_code]
        gcodes = [r.ident for r in recs if r.is_g_code]
        q = Q(citizen_id__in=cids) if cids else Q(pk__in=[])
        if gcodes:
            q |= Q(g_code__in=gcodes)
        found: dict[str, _Stored] = {}
        for sid, cid, gcode, *values in (
            Student.objects.filter(q).order_by().values_list("id", "citizen_id", "g_code", *STUDENT_FIELDS)
        ):
            stored = _Stored(sid, tuple(values))
            if cid:
                found[cid] = stored
            if gcode:
                found[gcode] = stored
        return found

    def _enrolments(self, student_ids: list[int], year_ids: set[int]) -> dict[int, list[_Enrolment]]:
        by_student: dict[int, list[_Enrolment]] = {}
        if not student_ids:
            return by_student
        rows = (
            Enrolment.objects.filter(
                Q(student_id__in=student_ids) & (Q(status__in=_OPEN) | Q(academic_year_id__in=year_ids))
            )
            .order_by()
            .values_list(
                "id", "student_id", "school_id", "academic_year_id", "grade", "classroom_id", "status"
            )
        )
        for eid, sid, school_id, year_id, grade, room_id, status in rows:
            by_student.setdefault(sid, []).append(_Enrolment(eid, school_id, year_id, grade, room_id, status))
        return by_student

    def _load_rooms(self, recs: list[Rec]) -> None:
        wanted = {(r.school.id, r.year.id) for r in recs if r.school and r.year} - self._rooms_loaded
        if not wanted:
            return
        if len(self._rooms) > ROOM_CACHE_MAX:
            self._rooms.clear()
            self._rooms_loaded.clear()
            wanted = {(r.school.id, r.year.id) for r in recs if r.school and r.year}
        schools = {s for s, _ in wanted}
        years = {y for _, y in wanted}
        for rid, school_id, year_id, grade, number in (
            Classroom.objects.filter(school_id__in=schools, academic_year_id__in=years)
            .order_by()
            .values_list("id", "school_id", "academic_year_id", "grade", "number")
        ):
            self._rooms[(school_id, year_id, grade, number)] = rid
        self._rooms_loaded |= wanted

    @staticmethod
    def _room_key(rec: Rec) -> tuple[int, int, str, int]:
        assert rec.school is not None
        assert rec.year is not None
        return (rec.school.id, rec.year.id, rec.grade, rec.room)

    def _file_values(self, rec: Rec, stored: tuple[Any, ...] | None) -> tuple[Any, ...]:
        """The learner's fields after this row: the file's where it has the column, else stored."""
        assert rec.school is not None
        given = (
            rec.prefix_th, rec.first_name_th, rec.last_name_th, rec.first_name_en, rec.last_name_en,
            rec.sex, rec.birth_date, rec.nationality, rec.school.id,
        )  # fmt: skip
        defaults = ("", "", "", "", "", "", None, "THA", None)
        base = stored or defaults
        return tuple(base[i] if v is None else v for i, v in enumerate(given))

    def _resolve_and_write(self, recs: list[Rec], batch_ok: bool) -> None:
        if not recs:
            return
        stored = self._stored(recs)
        enrolments = self._enrolments(
            [s.id for s in stored.values()], {r.year.id for r in recs if r.year is not None}
        )
        self._load_rooms(recs)
        new_students: list[tuple[Rec, tuple[Any, ...]]] = []
        new_enrolments: list[tuple[Rec, int | None]] = []  # student id (None: a new student)
        changed_students: dict[int, tuple[Any, ...]] = {}
        changed_enrolments: list[tuple[Rec, int]] = []
        claims: list[DuplicateClaim] = []
        for rec in recs:
            assert rec.school is not None
            assert rec.year is not None
            st = stored.get(rec.ident)
            if st is None:
                new_students.append((rec, self._file_values(rec, None)))
                continue
            values = self._file_values(rec, st.values)
            mine = enrolments.get(st.id, [])
            open_one = next((e for e in mine if e.status in _OPEN), None)
            if open_one is not None and open_one.school_id != rec.school.id:
                self._held_elsewhere(rec, open_one, st.id, claims)
                continue
            if open_one is not None and open_one.year_id != rec.year.id:
                rec.add(
                    "academic_year",
                    "enrolment_other_year",
                    f"นักเรียนเลขประจำตัว '{rec.ident}' ยังมีการลงทะเบียนเรียนของปีการศึกษาอื่นที่ยังไม่ปิด "
                    "กรุณาทำรายการสิ้นปีการศึกษาก่อน",
                    f"The learner with identifier '{rec.ident}' still has an open enrolment of another "
                    "academic year; apply the year-end first",
                )
                continue
            if open_one is None:
                closed = next(
                    (e for e in mine if e.school_id == rec.school.id and e.year_id == rec.year.id), None
                )
                if closed is not None:
                    label = EnrolmentStatus(closed.status).label
                    rec.add(
                        "identifier",
                        "enrolment_closed",
                        f"การลงทะเบียนเรียนปี {rec.year.year_be} ของนักเรียน '{rec.ident}' ที่โรงเรียนนี้ปิดแล้ว "
                        f"({label.split(' / ')[0]}) แก้ไขได้ที่หน้าประวัตินักเรียน",
                        f"The {rec.year.year_be} enrolment of learner '{rec.ident}' at this school is "
                        f"already closed ({label.split(' / ')[-1]}); change it on the learner's page",
                    )
                    continue
                new_enrolments.append((rec, st.id))
                if values != st.values:
                    changed_students[st.id] = values
                continue
            room_id = self._rooms.get(self._room_key(rec))
            if open_one.grade != rec.grade or room_id is None or open_one.classroom_id != room_id:
                changed_enrolments.append((rec, open_one.id))
            if values != st.values:
                changed_students[st.id] = values
            if open_one.grade == rec.grade and room_id is not None and open_one.classroom_id == room_id:
                if values == st.values:
                    self.report.unchanged += 1
                else:
                    self.report.updated += 1
            else:
                self.report.updated += 1
        self.report.created += len(new_students) + len(new_enrolments)
        if self.keep_valid or (batch_ok and not self.report.rejected and not any(r.problems for r in recs)):
            self._write(new_students, new_enrolments, changed_students, changed_enrolments, claims)

    def _held_elsewhere(
        self, rec: Rec, held: _Enrolment, student_id: int, claims: list[DuplicateClaim]
    ) -> None:
        assert rec.school is not None
        other = self.school_code_of.get(held.school_id, "")
        rec.add(
            "identifier",
            "identifier_enrolled_elsewhere",
            f"เลขประจำตัว '{rec.ident}' เป็นนักเรียนของโรงเรียนรหัส {other} อยู่แล้ว "
            "ให้โรงเรียนเดิมทำเรื่องย้ายออก หรือแจ้ง สพท. ตรวจสอบ",
            f"Identifier '{rec.ident}' is already enrolled at school {other}; ask that school to "
            "transfer the learner, or the ESA to check",
        )
        if self.keep_valid:
            claims.append(
                DuplicateClaim(
                    student_id=student_id, identifier=rec.ident, claiming_school_id=rec.school.id,
                    holding_school_id=held.school_id,
                    claimed_name_th=f"{rec.first_name_th} {rec.last_name_th}"[:200],
                    claimed_birth_date=rec.birth_date, source="import", created_by_id=self.actor.user_id,
                )
            )  # fmt: skip

    # -- writing

    def _room_ids(self, recs: Iterable[Rec]) -> None:
        missing = {self._room_key(r) for r in recs} - set(self._rooms)
        if not missing:
            return
        created = Classroom.objects.bulk_create(
            [Classroom(school_id=s, academic_year_id=y, grade=g, number=n) for s, y, g, n in sorted(missing)]
        )
        for room in created:
            self._rooms[(room.school_id, room.academic_year_id, room.grade, room.number)] = room.pk

    def _student_row(self, rec: Rec, values: tuple[Any, ...]) -> tuple[Any, ...]:
        cid, gcode = (None, rec.ident) if rec.is_g_code else (rec.ident, None)
        return (
            cid, gcode, *values[:6], connection.ops.adapt_datefield_value(values[6]), *values[7:],
            search_text(cid, gcode, values[1], values[2], values[3], values[4]), self._now_db, self._now_db,
        )  # fmt: skip

    def _enrolment_row(self, rec: Rec, student_id: int) -> tuple[Any, ...]:
        assert rec.school is not None
        assert rec.year is not None
        ops = connection.ops
        return (
            student_id, rec.school.id, rec.year.id, rec.grade, self._rooms[self._room_key(rec)], rec.entry,
            EnrolmentStatus.ACTIVE.value, ops.adapt_datefield_value(rec.starts_on or rec.year.starts_on), "", "",
            self._now_db, self._now_db,
        )  # fmt: skip

    def _insert_students(self, new_students: list[tuple[Rec, tuple[Any, ...]]]) -> dict[str, int]:
        """INSERT the batch's new learners with one ``executemany`` and return identifier → id.

        Django's ``bulk_create`` spent three quarters of the import's time preparing model
        instances (see bench/students_import.py); the rows here are already checked and typed.
        """
        _executemany(
            Student, STUDENT_INSERT, [self._student_row(rec, values) for rec, values in new_students]
        )
        cids = [r.ident for r, _ in new_students if not r.is_g_code]
        gcodes = [r.ident for r, _ in new_students if r.is_g_code]
        ids: dict[str, int] = {}
        if cids:
            ids.update(
                (str(k), v)
                for k, v in Student.objects.filter(citizen_id__in=cids).values_list("citizen_id", "id")
            )
        if gcodes:
            ids.update(
                (str(k), v) for k, v in Student.objects.filter(g_code__in=gcodes).values_list("g_code", "id")
            )
        return ids

    def _write(
        self,
        new_students: list[tuple[Rec, tuple[Any, ...]]],
        new_enrolments: list[tuple[Rec, int | None]],
        changed_students: dict[int, tuple[Any, ...]],
        changed_enrolments: list[tuple[Rec, int]],
        claims: list[DuplicateClaim],
    ) -> None:
        self._room_ids(
            [r for r, _ in new_students] + [r for r, _ in new_enrolments] + [r for r, _ in changed_enrolments]
        )
        enrolments: list[tuple[Any, ...]] = []
        if new_students:
            ids = self._insert_students(new_students)
            enrolments += [self._enrolment_row(rec, ids[rec.ident]) for rec, _ in new_students]
        enrolments += [self._enrolment_row(rec, sid) for rec, sid in new_enrolments if sid is not None]
        if enrolments:
            _executemany(Enrolment, ENROLMENT_INSERT, enrolments)
        if changed_students:
            self._update_students(changed_students)
        if changed_enrolments:
            updates = [
                Enrolment(
                    pk=eid,
                    grade=rec.grade,
                    classroom_id=self._rooms[self._room_key(rec)],
                    updated_at=self.now,
                )
                for rec, eid in changed_enrolments
            ]
            Enrolment.objects.bulk_update(updates, ["grade", "classroom", "updated_at"])
        if claims:
            before = DuplicateClaim.objects.filter(status=DuplicateClaim.Status.OPEN).count()
            DuplicateClaim.objects.bulk_create(claims, ignore_conflicts=True)
            self.report.claims += (
                DuplicateClaim.objects.filter(status=DuplicateClaim.Status.OPEN).count() - before
            )
        for rec, _ in [*new_students, *new_enrolments, *changed_enrolments]:
            assert rec.school is not None
            self.paths.add(rec.school.path)
        for values in changed_students.values():
            code = self.school_code_of.get(values[-1])
            if code:
                self.paths.add(self.schools[code].path)

    def _update_students(self, changed: dict[int, tuple[Any, ...]]) -> None:
        # search_text needs the identifiers, which the stored row has and the update must keep.
        idents = {
            sid: (cid, gcode)
            for sid, cid, gcode in Student.objects.filter(pk__in=list(changed)).values_list(
                "id", "citizen_id", "g_code"
            )
        }
        objs = []
        for sid, values in changed.items():
            student = Student(pk=sid, **dict(zip(STUDENT_FIELDS, values, strict=True)))
            student.citizen_id, student.g_code = idents[sid]
            student.search_text = student.compute_search_text()
            student.updated_at = self.now
            objs.append(student)
        Student.objects.bulk_update(
            objs, [*(f.removesuffix("_id") for f in STUDENT_FIELDS), "search_text", "updated_at"]
        )


def common_path(paths: set[str]) -> str:
    """The deepest org-unit path above every written school (``/`` when they span the nation)."""
    if not paths:
        return ""
    parts = [p.strip("/").split("/") for p in paths]
    prefix: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        prefix.append(level[0])
    return "/" + "/".join(prefix) + "/" if prefix else "/"


def today() -> dt.date:
    return timezone.localdate()
