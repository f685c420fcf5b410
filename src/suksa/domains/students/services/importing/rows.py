"""Check one row of a learner file on its own: identifier, school, year, grade, room, person fields.

Everything a row can be judged on without other rows or stored learners is checked here, with the
same rules as the registry's forms (:mod:`suksa.domains.students.validation`). Each problem names
the row, the column as written in the file's header, and the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter, mul

from suksa.core.dates import parse_be
from suksa.core.errors import InvalidInput, Problem
from suksa.core.orgimport.rows import parse_grade
from suksa.core.tabular import Row
from suksa.core.text import normalize_thai
from suksa.domains.students.dmc import ENTRY_VALUES, NATIONALITY_VALUES, SEX_VALUES
from suksa.domains.students.models.choices import GRADE_ORDER
from suksa.domains.students.validation import (
    ISO_ALPHA3,
    LATIN_NAME,
    NAME_MAX,
    ROOM_MAX,
    THAI_LETTER,
    birth_date_problem,
    grade_label,
    parse_identifier,
    person_problems,
)


@dataclass(frozen=True, slots=True)
class SchoolInfo:
    id: int
    code: str
    path: str
    lowest: int  # index in GRADE_ORDER
    highest: int


@dataclass(frozen=True, slots=True)
class YearInfo:
    id: int
    year_be: int
    starts_on: dt.date
    ends_on: dt.date


@dataclass(slots=True)
class Rec:
    """One parsed data row. Optional person fields are None when the file has no such column."""

    number: int
    columns: dict[str, str]
    file: str
    ident: str = ""
    is_g_code: bool = False
    school: SchoolInfo | None = None
    year: YearInfo | None = None
    grade: str = ""
    room: int = 0
    prefix_th: str | None = None
    first_name_th: str = ""
    last_name_th: str = ""
    first_name_en: str | None = None
    last_name_en: str | None = None
    sex: str = ""
    birth_date: dt.date | None = None
    nationality: str | None = None
    entry: str = "admitted"
    starts_on: dt.date | None = None
    problems: list[Problem] = field(default_factory=list)
    # Set by the fast path: the identifier's integer key and the search key of the names.
    key: int = -1
    names_key: str | None = None

    def add(self, field_name: str, code: str, th: str, en: str) -> None:
        self.problems.append(
            Problem(
                code=code, th=th, en=en, field=field_name, row=self.number,
                column=self.columns.get(field_name, field_name), file=self.file,
            )
        )  # fmt: skip

    def place(self, problem: Problem, field_name: str | None = None) -> None:
        name = field_name or problem.field or ""
        self.problems.append(
            problem.located(field=name, row=self.number, column=self.columns.get(name, name), file=self.file)
        )


class RowChecker:
    """Parses rows with the lookups an import loads once (schools, years, the actor's scope)."""

    def __init__(
        self,
        *,
        filename: str,
        schools: dict[str, SchoolInfo],
        in_scope: Callable[[SchoolInfo], bool],
        year_of: Callable[[int], YearInfo | None],
        today: dt.date,
    ) -> None:
        self.filename = filename
        self.schools = schools
        self.in_scope = in_scope
        self.year_of = year_of
        self.today = today

    def parse(self, row: Row) -> Rec:
        v = row.values
        rec = Rec(number=row.number, columns=row.columns, file=self.filename)
        self._identifier(rec, v.get("identifier", ""))
        self._school(rec, v.get("school_code", "").strip())
        self._year(rec, v.get("academic_year", "").strip())
        self._grade(rec, v.get("grade", "").strip())
        self._room(rec, v.get("room", "").strip())
        self._person(rec, v)
        self._enrolment(rec, v)
        return rec

    def _identifier(self, rec: Rec, raw: str) -> None:
        kind, value, problem = parse_identifier(raw)
        if problem is not None:
            rec.place(problem, "identifier")
            return
        rec.ident, rec.is_g_code = value, kind == "g_code"

    def _school(self, rec: Rec, code: str) -> None:
        if not code:
            rec.add("school_code", "required", "ต้องระบุรหัสโรงเรียน", "A school code is required")
            return
        school = self.schools.get(code)
        if school is None or not self.in_scope(school):
            # Out of scope reads exactly like unknown: an import must not reveal which codes exist.
            rec.add(
                "school_code",
                "school_unknown",
                f"ไม่พบรหัสโรงเรียน '{code}' หรือคุณไม่มีสิทธิ์นำเข้านักเรียนของโรงเรียนนี้",
                f"Unknown school code '{code}', or you may not import learners into this school",
            )
            return
        rec.school = school

    def _year(self, rec: Rec, raw: str) -> None:
        if not raw:
            rec.add("academic_year", "required", "ต้องระบุปีการศึกษา", "An academic year is required")
            return
        year = self.year_of(int(raw)) if raw.isdigit() and len(raw) == 4 else None
        if year is None:
            rec.add(
                "academic_year",
                "academic_year_invalid",
                f"ปีการศึกษา '{raw}' ไม่ถูกต้อง: ใช้ปี พ.ศ. 4 หลักที่ไม่เกินปีการศึกษาหน้า เช่น 2569",
                f"Academic year '{raw}' is not valid: use a four-digit Buddhist-Era year no later than "
                "next year, e.g. 2569",
            )
            return
        rec.year = year

    def _grade(self, rec: Rec, raw: str) -> None:
        if not raw:
            rec.add("grade", "required", "ต้องระบุชั้น", "A grade is required")
            return
        grade = parse_grade(raw)
        if grade is None:
            rec.add(
                "grade",
                "grade",
                f"ชั้น '{raw}' ไม่ถูกต้อง ต้องเป็น อ.1–อ.3, ป.1–ป.6 หรือ ม.1–ม.6",
                f"Grade '{raw}' is not valid: use K1–K3, P1–P6 or M1–M6",
            )
            return
        rec.grade = grade
        school = rec.school
        if school is not None and not school.lowest <= GRADE_ORDER.index(grade) <= school.highest:
            low, high = GRADE_ORDER[school.lowest], GRADE_ORDER[school.highest]
            rec.add(
                "grade",
                "grade_not_offered",
                f"โรงเรียน {school.code} เปิดสอนชั้น {grade_label(low)}–{grade_label(high)} "
                f"ไม่มีชั้น {grade_label(grade)}",
                f"School {school.code} teaches {low}–{high}, not {grade}",
            )

    def _room(self, rec: Rec, raw: str) -> None:
        if raw.endswith(".0"):
            raw = raw[:-2]
        if not raw.isdigit() or not 1 <= int(raw) <= ROOM_MAX:
            rec.add(
                "room",
                "room",
                f"ห้อง '{raw}' ต้องเป็นตัวเลข 1–{ROOM_MAX}",
                f"Room '{raw}' must be a number from 1 to {ROOM_MAX}",
            )
            return
        rec.room = int(raw)

    def _person(self, rec: Rec, v: dict[str, str]) -> None:
        data: dict[str, object] = {
            "first_name_th": v.get("first_name_th", "").strip(),
            "last_name_th": v.get("last_name_th", "").strip(),
        }
        for key in ("prefix_th", "first_name_en", "last_name_en"):
            if key in v:
                data[key] = v[key].strip()
        problems = person_problems(data, on=self.today, grade=None, partial=True)
        for p in problems:
            rec.place(p)
        rec.first_name_th, rec.last_name_th = str(data["first_name_th"]), str(data["last_name_th"])
        if "prefix_th" in data:
            rec.prefix_th = str(data["prefix_th"])
        if "first_name_en" in data:
            rec.first_name_en = str(data["first_name_en"])[:NAME_MAX]
        if "last_name_en" in data:
            rec.last_name_en = str(data["last_name_en"])[:NAME_MAX]
        raw_sex = v.get("sex", "").strip()
        sex = SEX_VALUES.get(raw_sex.lower())
        if sex is None:
            rec.add(
                "sex",
                "sex",
                f"เพศ '{raw_sex}' ต้องเป็น ช (ชาย) หรือ ญ (หญิง)",
                f"Sex '{raw_sex}' must be ช/M (male) or ญ/F (female)",
            )
        else:
            rec.sex = sex
        self._birth_date(rec, v.get("birth_date", ""))
        if "nationality" in v:
            raw = v["nationality"].strip()
            code = NATIONALITY_VALUES.get(raw.lower(), raw.upper()) if raw else "THA"
            if code not in ISO_ALPHA3:
                rec.add(
                    "nationality",
                    "nationality",
                    f"สัญชาติ '{raw}' ต้องเป็น ไทย หรือรหัสประเทศ 3 ตัวอักษร เช่น THA, MMR, LAO",
                    f"Nationality '{raw}' must be Thai or a three-letter country code, e.g. THA, MMR, LAO",
                )
            else:
                rec.nationality = code

    def _birth_date(self, rec: Rec, raw: str) -> None:
        try:
            born = parse_be(raw, field="birth_date")
        except InvalidInput as exc:
            for p in exc.problems:
                rec.place(p, "birth_date")
            return
        # Age is judged on the academic year's first day (or today when the year is unknown).
        on = rec.year.starts_on if rec.year is not None else self.today
        if born > self.today:
            on = self.today
        problem = birth_date_problem(born, on=on, grade=rec.grade or None)
        if problem is not None:
            rec.place(problem, "birth_date")
            return
        rec.birth_date = born

    def _enrolment(self, rec: Rec, v: dict[str, str]) -> None:
        raw_entry = v.get("entry", "").strip()
        if raw_entry:
            entry = ENTRY_VALUES.get(raw_entry.lower())
            if entry is None:
                rec.add(
                    "entry",
                    "entry",
                    f"ประเภทการเข้าเรียน '{raw_entry}' ต้องเป็น ใหม่ เลื่อนชั้น ซ้ำชั้น หรือ ย้ายเข้า",
                    f"Entry '{raw_entry}' must be admitted, promoted, repeated or transfer_in",
                )
            else:
                rec.entry = entry
        raw_start = v.get("starts_on", "").strip()
        if raw_start:
            try:
                starts = parse_be(raw_start, field="starts_on")
            except InvalidInput as exc:
                for p in exc.problems:
                    rec.place(p, "starts_on")
                return
            year = rec.year
            if year is not None and not year.starts_on <= starts <= year.ends_on:
                rec.add(
                    "starts_on",
                    "starts_on_outside_year",
                    f"วันที่เข้าเรียน {raw_start} ไม่อยู่ในปีการศึกษา {year.year_be}",
                    f"The start date {raw_start} is not within academic year {year.year_be}",
                )
                return
            rec.starts_on = starts


# --------------------------------------------------------------------------- the fast path

_FIELDS = (
    "identifier", "school_code", "academic_year", "grade", "room", "prefix_th", "first_name_th",
    "last_name_th", "first_name_en", "last_name_en", "sex", "birth_date", "nationality", "entry", "starts_on",
)  # fmt: skip
_OPTIONAL_NONE = frozenset({"prefix_th", "first_name_en", "last_name_en", "nationality"})
_CID_WEIGHTS = tuple(range(13, 1, -1))
_CID_ASCII_BIAS = 48 * sum(_CID_WEIGHTS)  # the weighted sum of twelve "0" characters
_G_OFFSET = 10**13  # as in .seen.identifier_key
_INVALID = object()
# Per-distinct-value caches are cleared when they reach this many entries (names and birth dates
# repeat across a national file; the bound keeps memory flat whatever the file's size).
CACHE_MAX = 30_000


class FastRows:
    """Accepts the common, valid row with a few dictionary lookups; returns None for any other row.

    Every check of :class:`RowChecker` is repeated here in its cheapest form, and the work done per
    distinct value (a school code, a year, a grade, a name's script check and search key, a birth
    date against a grade's plausible ages) is cached. A row it does not accept goes through
    :meth:`RowChecker.parse`, which builds the bilingual problems, so the two can only differ in
    speed: the fast path never accepts a row the checker would reject, nor changes a value.
    """

    def __init__(self, checker: RowChecker, index: dict[str, int], columns: dict[str, str]) -> None:
        self.checker = checker
        self.columns = columns
        self.width = max(index.values()) + 1
        # Absent columns read an extra cell appended to the row (index -1), then take their default:
        # None for the optional person fields (the stored value stays), "" for entry and start date.
        self.pick = itemgetter(*[index.get(f, -1) for f in _FIELDS])
        self._fill: list[tuple[int, str | None]] = []
        for i, f in enumerate(_FIELDS):
            if f not in index:
                self._fill.append((i, None if f in _OPTIONAL_NONE else ""))
        self.schools: dict[str, SchoolInfo] = {}
        self.years: dict[str, YearInfo] = {}
        self.grades: dict[str, tuple[str, int]] = {}
        self.rooms: dict[str, int] = {}
        self.sexes: dict[str, str] = {}
        self.nationalities: dict[str, str] = {}
        self.entries: dict[str, str] = {"": "admitted"}
        self.th_names: dict[str, str] = {}
        self.en_names: dict[str, str] = {"": ""}
        self.births: dict[tuple[str, int, str], dt.date] = {}
        self.starts: dict[tuple[str, int], dt.date | None] = {}

    # -- per distinct value (cache misses)

    def _school(self, code: str) -> SchoolInfo | None:
        school = self.checker.schools.get(code)
        if school is None or not self.checker.in_scope(school):
            return None
        self.schools[code] = school
        return school

    def _year(self, raw: str) -> YearInfo | None:
        if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
            return None
        year = self.checker.year_of(int(raw))
        if year is not None:
            self.years[raw] = year
        return year

    def _grade(self, raw: str) -> tuple[str, int] | None:
        grade = parse_grade(raw)
        if grade is None or len(self.grades) > CACHE_MAX:
            return None
        self.grades[raw] = found = (grade, GRADE_ORDER.index(grade))
        return found

    def _room(self, raw: str) -> int | None:
        text = raw[:-2] if raw.endswith(".0") else raw
        if (
            not (text.isascii() and text.isdigit())
            or not 1 <= int(text) <= ROOM_MAX
            or len(self.rooms) > 1000
        ):
            return None
        self.rooms[raw] = int(text)
        return int(text)

    def _th_name(self, name: str) -> str | None:
        if not name or len(name) > NAME_MAX or not THAI_LETTER.search(name):
            return None
        if len(self.th_names) >= CACHE_MAX:
            self.th_names.clear()
        self.th_names[name] = key = normalize_thai(name)
        return key

    def _en_name(self, name: str) -> str | None:
        if len(name) > NAME_MAX or not LATIN_NAME.match(name):
            return None
        if len(self.en_names) >= CACHE_MAX:
            self.en_names.clear()
            self.en_names[""] = ""
        self.en_names[name] = key = normalize_thai(name)
        return key

    def _small(self, cache: dict[str, str], raw: str, value: str | None) -> str | None:
        if value is not None and len(cache) < 1000:
            cache[raw] = value
        return value

    def _birth(self, raw: str, year: YearInfo, grade: str) -> dt.date | None:
        try:
            born = parse_be(raw, field="birth_date")
        except InvalidInput:
            return None
        today = self.checker.today
        on = today if born > today else year.starts_on
        if birth_date_problem(born, on=on, grade=grade) is not None:
            return None
        if len(self.births) >= CACHE_MAX:
            self.births.clear()
        self.births[(raw, year.id, grade)] = born
        return born

    def _start(self, raw: str, year: YearInfo) -> object:
        try:
            starts = parse_be(raw, field="starts_on")
        except InvalidInput:
            return _INVALID
        if not year.starts_on <= starts <= year.ends_on:
            return _INVALID
        if len(self.starts) < 10_000:
            self.starts[(raw, year.id)] = starts
        return starts

    # -- one row

    def parse(self, number: int, cells: list[str]) -> Rec | None:
        if len(cells) < self.width:
            return None
        if self._fill:
            values = list(self.pick([*cells, ""]))
            for i, v in self._fill:
                values[i] = v
        else:
            values = self.pick(cells)
        (ident, code, raw_year, raw_grade, raw_room, prefix, first_th, last_th, first_en, last_en, raw_sex,
         raw_born, raw_nat, raw_entry, raw_start) = values  # fmt: skip
        # identifier: a 13-digit citizen ID with its check digit, or G + 12 digits
        if len(ident) != 13 or not ident.isascii():
            return None
        c0 = ident[0]
        if c0 in "12345678":
            if not ident.isdigit():
                return None
            b = ident.encode()
            check = (11 - (sum(map(mul, b, _CID_WEIGHTS)) - _CID_ASCII_BIAS) % 11) % 10
            if check != b[12] - 48:
                return None
            is_g, key = False, int(ident)
        elif c0 in "Gg":
            tail = ident[1:]
            if not tail.isdigit() or not 2500 <= int(tail[:4]) <= 2700:
                return None
            ident, is_g, key = "G" + tail, True, _G_OFFSET + int(tail)
        else:
            return None
        school = self.schools.get(code) or self._school(code)
        year = self.years.get(raw_year) or self._year(raw_year)
        graded = self.grades.get(raw_grade) or self._grade(raw_grade)
        room = self.rooms.get(raw_room) or self._room(raw_room)
        if school is None or year is None or graded is None or room is None:
            return None
        grade, gi = graded
        if not school.lowest <= gi <= school.highest:
            return None
        if prefix is not None and len(prefix) > 30:
            return None
        th1 = self.th_names.get(first_th) or self._th_name(first_th)
        th2 = self.th_names.get(last_th) or self._th_name(last_th)
        if th1 is None or th2 is None:
            return None
        names = [th1, th2]
        if first_en is not None:
            en1 = self.en_names.get(first_en)
            if en1 is None and (en1 := self._en_name(first_en)) is None:
                return None
            if first_en:
                names.append(en1)
        if last_en is not None:
            en2 = self.en_names.get(last_en)
            if en2 is None and (en2 := self._en_name(last_en)) is None:
                return None
            if last_en:
                names.append(en2)
        sex = self.sexes.get(raw_sex) or self._small(self.sexes, raw_sex, SEX_VALUES.get(raw_sex.lower()))
        if sex is None:
            return None
        born = self.births.get((raw_born, year.id, grade)) or self._birth(raw_born, year, grade)
        if born is None:
            return None
        nationality = None
        if raw_nat is not None:
            nationality = self.nationalities.get(raw_nat) or self._small(
                self.nationalities, raw_nat, _nationality(raw_nat)
            )
            if nationality is None:
                return None
        entry = self.entries.get(raw_entry) or self._small(
            self.entries, raw_entry, ENTRY_VALUES.get(raw_entry.lower())
        )
        if entry is None:
            return None
        starts: dt.date | None = None
        if raw_start:
            found = self.starts.get((raw_start, year.id), _INVALID)
            if found is _INVALID:
                found = self._start(raw_start, year)
                if found is _INVALID:
                    return None
            starts = found  # type: ignore[assignment]
        return Rec(
            number, self.columns, self.checker.filename, ident, is_g, school, year, grade, room, prefix,
            first_th, last_th, first_en, last_en, sex, born, nationality, entry, starts, [], key,
            " | ".join(names),
        )  # fmt: skip


def _nationality(raw: str) -> str | None:
    code = NATIONALITY_VALUES.get(raw.lower(), raw.upper()) if raw else "THA"
    return code if code in ISO_ALPHA3 else None
