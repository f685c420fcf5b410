"""Resolve batches of parsed learner rows against what is stored, then write them set-based.

Per batch (2,000 rows): one query for the learners the batch names (by citizen ID and by G-code),
one for their enrolments, one for rooms not yet cached; then new rooms, learners and enrolments
are written with raw SQL — ``executemany`` on SQLite, ``COPY … FROM STDIN`` on PostgreSQL (ids
drawn from the table's sequence first) — and changed ones with ``bulk_update``. No Django model
instance is built for a new row. A row equal to what is stored is counted as unchanged and written
nowhere, so re-importing a file changes nothing.

Memory does not grow with the file beyond the identifiers already met (:mod:`.seen`, 8 bytes
each: 53 MB for the national file's 6.6 million): the room and per-value caches are cleared at a
bound, and at most :data:`MAX_PROBLEMS` problems are kept (the rest are only counted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection
from django.utils import timezone

from suksa.core.dates import academic_year_be_of
from suksa.core.errors import Problem
from suksa.core.models import AcademicYear, OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.core.services import calendar_ensure_year
from suksa.core.tabular import ImportReport, Table
from suksa.core.text import search_key
from suksa.domains.students.dmc import FIRST_IMPORT_YEAR_BE
from suksa.domains.students.models import Classroom, DuplicateClaim, Enrolment, Student
from suksa.domains.students.models.choices import GRADE_ORDER, OPEN_STATUSES, EnrolmentStatus
from suksa.domains.students.services.importing.rows import FastRows, Rec, RowChecker, SchoolInfo, YearInfo
from suksa.domains.students.services.importing.seen import SeenKeys, identifier_key

# Problems kept in the report; beyond this they are counted, not listed (a national file with a
# wrong column would otherwise hold millions of messages in memory).
MAX_PROBLEMS = 50_000
ROOM_CACHE_MAX = 50_000
# Fields of a learner the file may set, compared with what is stored to tell "unchanged".
STUDENT_FIELDS = (
    "prefix_th", "first_name_th", "last_name_th", "first_name_en", "last_name_en", "sex", "birth_date",
    "nationality", "school_id",
)  # fmt: skip
_OPEN = tuple(str(s) for s in OPEN_STATUSES)
STUDENT_INSERT = (
    "citizen_id", "g_code", *STUDENT_FIELDS, "search_text", "created_at", "updated_at",
)  # fmt: skip
# Tables written with raw SQL (plain lower-case identifiers, the same on SQLite and PostgreSQL).
_STUDENT = Student._meta.db_table
_ENROLMENT = Enrolment._meta.db_table
_CLASSROOM = Classroom._meta.db_table
_STORED_COLUMNS = ", ".join(("id", *STUDENT_FIELDS))
_NEXTVAL = f"SELECT nextval(pg_get_serial_sequence('{_STUDENT}', 'id')) FROM generate_series(1, %s)"  # noqa: S608
_ACTIVE = EnrolmentStatus.ACTIVE.value
_ENDS = f"SELECT id, citizen_id, g_code FROM {_STUDENT} WHERE id IN (%s, %s)"  # noqa: S608
ROOM_INSERT = ("school_id", "academic_year_id", "grade", "number")
# PostgreSQL types of the columns COPY writes, in the order of STUDENT_INSERT / ENROLMENT_INSERT.
STUDENT_TYPES = (*["text"] * 8, "date", "text", "int8", "text", "timestamptz", "timestamptz")
ENROLMENT_TYPES = ("int8", "int8", "int8", "text", "int8", "text", "text", "date", "text", "text", "timestamptz",
                   "timestamptz")  # fmt: skip
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


def _executemany(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """One parameterised INSERT for many rows (SQLite)."""
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608


def _copy(table: str, columns: tuple[str, ...], types: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """``COPY … FROM STDIN`` of many rows (PostgreSQL): the rows stream in one round trip, each
    value formatted by its column's type (no type lookup per value)."""
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        copy.set_types(list(types))
        write = copy.write_row
        for row in rows:
            write(row)


def _date_from_db(value: Any) -> Any:
    """A date column as read by a raw query: SQLite gives ISO text, PostgreSQL a ``date``."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


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
    def __init__(
        self, *, actor: Actor, filename: str, keep_valid: bool, report: StudentImportReport, table: Table
    ) -> None:
        self.actor = actor
        self.table = table
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
        self.fast = FastRows(self.checker, table.index, table.columns)
        self.now = timezone.now()
        self._postgres = connection.vendor == "postgresql"
        self._now_db = self.now if self._postgres else connection.ops.adapt_datetimefield_value(self.now)
        self._db_date: Callable[[Any], Any] = _same if self._postgres else _iso

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

    def process(self, rows: Iterable[tuple[int, list[str]]]) -> None:
        """Check, resolve and write one batch of ``(row number, cells)`` from :attr:`table`."""
        recs: list[Rec] = []
        fast = self.fast.parse
        slow = self.checker.parse
        as_row = self.table.row
        seen_add = self.seen.add
        for number, cells in rows:
            rec = fast(number, cells)
            if rec is None:
                rec = slow(as_row(number, cells))
                if rec.ident:
                    rec.key = identifier_key(rec.ident)
            if rec.key >= 0 and not seen_add(rec.key):
                rec.add(
                    "identifier",
                    "identifier_duplicate_in_file",
                    f"เลขประจำตัว '{rec.ident}' ซ้ำกับแถวก่อนหน้าในไฟล์นี้",
                    f"Identifier '{rec.ident}' appears earlier in this file",
                )
            recs.append(rec)
        self.report.rows_read += len(recs)
        valid = [r for r in recs if not r.problems]
        batch_ok = len(valid) == len(recs)
        self._resolve_and_write(valid, batch_ok)
        for rec in recs:
            if rec.problems:
                self.report.add_row_problems(rec.problems)

    def _query(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _by_identifier(self, columns: str, recs: list[Rec]) -> list[tuple[Any, ...]]:
        """``citizen_id, g_code, <columns>`` of the stored learners the rows name (one query)."""
        cids = [r.ident for r in recs if not r.is_g_code]
        gcodes = [r.ident for r in recs if r.is_g_code]
        where: list[str] = []
        params: list[Any] = []
        if cids:
            self._in("citizen_id", cids, where, params)
        if gcodes:
            self._in("g_code", gcodes, where, params)
        if not where:
            return []
        sql = f"SELECT citizen_id, g_code, {columns} FROM {_STUDENT} WHERE {' OR '.join(where)}"  # noqa: S608
        return self._query(sql, params)

    def _in(self, column: str, values: Iterable[Any], where: list[str], params: list[Any]) -> None:
        """``column IN (…)``: one array parameter on PostgreSQL (client-side binding of thousands
        of placeholders costs more than the query), placeholders on SQLite."""
        values = list(values)
        if self._postgres:
            where.append(f"{column} = ANY(%s)")
            params.append(values)
        else:
            where.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
            params.extend(values)

    def _stored(self, recs: list[Rec]) -> dict[str, _Stored]:
        found: dict[str, _Stored] = {}
        date_of = _date_from_db
        for cid, gcode, sid, *values in self._by_identifier(_STORED_COLUMNS, recs):
            values[6] = date_of(values[6])
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
        # By learner only, filtered here: a learner has a handful of enrolments, whereas an OR with
        # the year lets the planner scan every enrolment of the year (millions nationally).
        where: list[str] = []
        params: list[Any] = []
        self._in("student_id", student_ids, where, params)
        rows = [
            r
            for r in self._query(
                "SELECT id, student_id, school_id, academic_year_id, grade, classroom_id, status "  # noqa: S608
                f"FROM {_ENROLMENT} WHERE {where[0]}",
                params,
            )
            if r[6] in _OPEN or r[3] in year_ids
        ]
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
        self._load_room_pairs(wanted)

    def _load_room_pairs(self, wanted: set[tuple[int, int]]) -> None:
        """Cache the ids of the rooms of these (school, academic year) pairs (one query)."""
        where: list[str] = []
        params: list[Any] = []
        self._in("school_id", sorted({s for s, _ in wanted}), where, params)
        self._in("academic_year_id", sorted({y for _, y in wanted}), where, params)
        rows = self._query(
            f"SELECT id, school_id, academic_year_id, grade, number FROM {_CLASSROOM} "  # noqa: S608
            f"WHERE {where[0]} AND {where[1]}",
            params,
        )
        for rid, school_id, year_id, grade, number in rows:
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
        p, fe, le, nat = rec.prefix_th, rec.first_name_en, rec.last_name_en, rec.nationality
        if stored is None:
            return (
                "" if p is None else p, rec.first_name_th, rec.last_name_th, "" if fe is None else fe,
                "" if le is None else le, rec.sex, rec.birth_date, "THA" if nat is None else nat, rec.school.id,
            )  # fmt: skip
        return (
            stored[0] if p is None else p, rec.first_name_th, rec.last_name_th, stored[3] if fe is None else fe,
            stored[4] if le is None else le, rec.sex, rec.birth_date, stored[7] if nat is None else nat,
            rec.school.id,
        )  # fmt: skip

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
        rooms = self._rooms
        missing = sorted({k for k in map(self._room_key, recs) if k not in rooms})
        if not missing:
            return
        if self._postgres:
            _copy(_CLASSROOM, ROOM_INSERT, ("int8", "int8", "text", "int2"), missing)
        else:
            _executemany(_CLASSROOM, ROOM_INSERT, missing)
        self._load_room_pairs({(s, y) for s, y, _, _ in missing})

    def _student_row(self, rec: Rec, values: tuple[Any, ...]) -> tuple[Any, ...]:
        cid, gcode = (None, rec.ident) if rec.is_g_code else (rec.ident, None)
        if rec.names_key is not None:  # the fast path normalised the names already
            ident_key = rec.ident.lower() if rec.is_g_code else rec.ident
            text = f"{ident_key} | {rec.names_key}"[:400]
        else:
            text = search_text(cid, gcode, values[1], values[2], values[3], values[4])
        return (
            cid, gcode, *values[:6], self._db_date(values[6]), *values[7:], text, self._now_db, self._now_db,
        )  # fmt: skip

    def _enrolment_row(self, rec: Rec, student_id: int) -> tuple[Any, ...]:
        assert rec.school is not None
        assert rec.year is not None
        return (
            student_id, rec.school.id, rec.year.id, rec.grade, self._rooms[self._room_key(rec)], rec.entry,
            _ACTIVE, self._db_date(rec.starts_on or rec.year.starts_on), "", "", self._now_db, self._now_db,
        )  # fmt: skip

    def _insert_students(self, new_students: list[tuple[Rec, tuple[Any, ...]]]) -> list[int]:
        """INSERT the batch's new learners (``executemany`` on SQLite, ``COPY`` on PostgreSQL) and
        return their ids, in order.

        Django's ``bulk_create`` spent three quarters of the import's time preparing model
        instances; the rows here are already checked and typed.
        """
        rows = [self._student_row(rec, values) for rec, values in new_students]
        if self._postgres:
            ids = [i for (i,) in self._query(_NEXTVAL, [len(rows)])]
            _copy(
                _STUDENT,
                ("id", *STUDENT_INSERT),
                ("int8", *STUDENT_TYPES),
                [(i, *row) for i, row in zip(ids, rows, strict=True)],
            )
            return ids
        _executemany(_STUDENT, STUDENT_INSERT, rows)
        # One executemany in a transaction that holds SQLite's write lock numbers its rows
        # consecutively up to last_insert_rowid(); the first and last rows are checked, and the
        # ids are looked up by identifier should that ever not hold.
        last = self._query("SELECT last_insert_rowid()", [])[0][0]
        first = last - len(rows) + 1
        ends = {sid: cid or gcode for sid, cid, gcode in self._query(_ENDS, [first, last])}
        if ends.get(first) == new_students[0][0].ident and ends.get(last) == new_students[-1][0].ident:
            return list(range(first, last + 1))
        found: dict[str, int] = {}
        for cid, gcode, sid in self._by_identifier("id", [rec for rec, _ in new_students]):
            found[cid or gcode] = sid
        return [found[rec.ident] for rec, _ in new_students]

    def _insert_enrolments(self, rows: list[tuple[Any, ...]]) -> None:
        if self._postgres:
            _copy(_ENROLMENT, ENROLMENT_INSERT, ENROLMENT_TYPES, rows)
        else:
            _executemany(_ENROLMENT, ENROLMENT_INSERT, rows)

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
            enrolments += [
                self._enrolment_row(rec, sid) for (rec, _), sid in zip(new_students, ids, strict=True)
            ]
        enrolments += [self._enrolment_row(rec, sid) for rec, sid in new_enrolments if sid is not None]
        if enrolments:
            self._insert_enrolments(enrolments)
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


def _same(value: Any) -> Any:
    return value


def _iso(value: dt.date) -> str:
    return value.isoformat()


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
