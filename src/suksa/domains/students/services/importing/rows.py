"""Check one row of a learner file on its own: identifier, school, year, grade, room, person fields.

Everything a row can be judged on without other rows or stored learners is checked here, with the
same rules as the registry's forms (:mod:`suksa.domains.students.validation`). Each problem names
the row, the column as written in the file's header, and the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from suksa.core.dates import parse_be
from suksa.core.errors import InvalidInput, Problem
from suksa.core.orgimport.rows import parse_grade
from suksa.core.tabular import Row
from suksa.domains.students.dmc import ENTRY_VALUES, NATIONALITY_VALUES, SEX_VALUES
from suksa.domains.students.models.choices import GRADE_ORDER
from suksa.domains.students.validation import (
    ISO_ALPHA3,
    NAME_MAX,
    ROOM_MAX,
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
