"""The org-import file format: its columns and value spellings, and the checks of one row on its own.

A row is parsed into a compact :class:`Rec` (the importer holds one per data row until the file is
resolved). Everything that needs no other row and no stored unit is checked here: kinds, codes,
required values, numbers, grades, and geography (province → district → subdistrict, by code or by
Thai or English name, with or without the usual prefixes).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from suksa.core.errors import Problem
from suksa.core.identifiers import SCHOOL_CODE_RE, school_code_problem
from suksa.core.models import District, OrgUnit, Province, Subdistrict
from suksa.core.models.orgunits import GRADE_ORDER
from suksa.core.tabular import Column, Row
from suksa.core.text import normalize_thai

BATCH = 1000
UPDATE_BATCH = 500
MAX_COUNT = 2_147_483_647  # PositiveIntegerField on PostgreSQL
MAX_CODE_LENGTH = 20

Progress = Callable[[str, int, int], None]

COLUMNS: tuple[Column, ...] = (
    Column("kind", ("ประเภท", "ประเภทหน่วยงาน", "type")),
    Column("code", ("รหัส", "รหัสหน่วยงาน", "รหัสโรงเรียน")),
    Column("name_th", ("ชื่อ", "ชื่อหน่วยงาน", "ชื่อภาษาไทย", "name")),
    Column("name_en", ("ชื่อภาษาอังกฤษ", "english name"), required=False),
    Column("parent_code", ("รหัสหน่วยงานต้นสังกัด", "ต้นสังกัด", "parent")),
    Column("esa_type", ("ประเภทเขตพื้นที่",), required=False),
    Column("area_number", ("เขตที่",), required=False),
    # One column serves regions and ESAs (several provinces) and schools (one province).
    Column("province", ("จังหวัด", "provinces"), required=False),
    Column("district", ("อำเภอ", "อำเภอ/เขต"), required=False),
    Column("subdistrict", ("ตำบล", "ตำบล/แขวง"), required=False),
    Column("area_type", ("ที่ตั้ง",), required=False),
    Column("lowest_grade", ("ชั้นต่ำสุด",), required=False),
    Column("highest_grade", ("ชั้นสูงสุด",), required=False),
    Column("student_count", ("จำนวนนักเรียน",), required=False),
    Column("teacher_count", ("จำนวนครู",), required=False),
    Column("classroom_count", ("จำนวนห้องเรียน",), required=False),
)
COUNT_FIELDS = ("student_count", "teacher_count", "classroom_count")
SCHOOL_FIELDS = (
    "esa_type", "province", "district", "subdistrict", "area_type", "lowest_grade", "highest_grade",
    *COUNT_FIELDS,
)  # fmt: skip

SCHOOL_STORED = (
    "esa_type", "province_id", "district_id", "subdistrict_id", "area_type", "lowest_grade", "highest_grade",
    *COUNT_FIELDS,
)  # fmt: skip

REGION, ESA, SCHOOL = OrgUnit.Kind.REGION.value, OrgUnit.Kind.ESA.value, OrgUnit.Kind.SCHOOL.value
KIND_LABELS = {
    REGION: ("เขตตรวจราชการ", "inspection region"),
    ESA: ("สพท.", "ESA"),
    SCHOOL: ("โรงเรียน", "school"),
}
PARENT_KIND = {REGION: "nation", ESA: REGION, SCHOOL: ESA}
PARENT_LABELS = {
    "nation": ("สพฐ. (ระดับประเทศ)", "OBEC (the nation)"),
    REGION: ("เขตตรวจราชการ", "an inspection region"),
    ESA: ("สพท.", "an ESA"),
}


def _key(text: str) -> str:
    return normalize_thai(text).replace(" ", "")


KIND_ALIASES = {
    _key(k): v
    for k, v in {
        "region": REGION, "เขตตรวจราชการ": REGION, "inspection region": REGION,
        "esa": ESA, "สพท.": ESA, "สพท": ESA, "เขตพื้นที่": ESA, "เขตพื้นที่การศึกษา": ESA,
        "สำนักงานเขตพื้นที่การศึกษา": ESA, "สพป.": ESA, "สพม.": ESA,
        "school": SCHOOL, "โรงเรียน": SCHOOL, "รร.": SCHOOL,
    }.items()
}  # fmt: skip
ESA_TYPE_ALIASES = {
    _key(k): v
    for k, v in {
        "primary": "primary", "ประถมศึกษา": "primary", "ประถม": "primary", "สพป.": "primary",
        "secondary": "secondary", "มัธยมศึกษา": "secondary", "มัธยม": "secondary", "สพม.": "secondary",
    }.items()
}  # fmt: skip
AREA_TYPE_ALIASES = {
    _key(k): v
    for k, v in {
        "urban": "urban", "ในเมือง": "urban", "เมือง": "urban",
        "rural": "rural", "ชนบท": "rural", "นอกเมือง": "rural", "นอกเขตเมือง": "rural",
    }.items()
}  # fmt: skip
_GRADE_LETTERS = {"อ": "K", "ป": "P", "ม": "M", "K": "K", "P": "P", "M": "M"}
_GRADE_RE = re.compile(r"^(อ|ป|ม|K|P|M)\.?\s*([1-6])$", re.IGNORECASE)
_PROVINCE_PREFIXES = ("จังหวัด", "จ.")
_DISTRICT_PREFIXES = ("กิ่งอำเภอ", "อำเภอ", "อ.", "เขต")
_SUBDISTRICT_PREFIXES = ("ตำบล", "ต.", "แขวง")


def _strip_prefix(key: str, prefixes: Iterable[str]) -> str:
    for p in prefixes:
        if key.startswith(p) and len(key) > len(p):
            return key[len(p) :]
    return key


def parse_grade(raw: str) -> str | None:
    """``K1``…``M6`` or ``อ.1``…``ม.6`` → the stored grade value, or None."""
    m = _GRADE_RE.match(raw.strip())
    if not m:
        return None
    grade = _GRADE_LETTERS[m.group(1).upper()] + m.group(2)
    return grade if grade in GRADE_ORDER else None


# --------------------------------------------------------------------------- geography lookups


class Geography:
    """Every province, district and subdistrict, keyed by code and by normalised names."""

    def __init__(self) -> None:
        self.provinces = {p.code: p for p in Province.objects.all()}
        self.province_keys: dict[str, str] = {}
        for p in self.provinces.values():
            for k in (_key(p.code), _key(p.name_th), _key(p.name_en)):
                self.province_keys.setdefault(k, p.code)
            self.province_keys.setdefault(_strip_prefix(_key(p.name_th), _PROVINCE_PREFIXES), p.code)
        self.districts: dict[str, tuple[str, str]] = {}  # code -> (province code, name_th)
        self.district_keys: dict[tuple[str, str], str] = {}
        for code, prov, th, en in District.objects.values_list("code", "province_id", "name_th", "name_en"):
            self.districts[code] = (prov, th)
            for k in (_key(th), _strip_prefix(_key(th), _DISTRICT_PREFIXES), _key(en)):
                self.district_keys.setdefault((prov, k), code)
        self.subdistricts: dict[str, tuple[str, str]] = {}  # code -> (district code, name_th)
        self.subdistrict_keys: dict[tuple[str, str], str] = {}
        for code, dist, th, en in Subdistrict.objects.values_list(
            "code", "district_id", "name_th", "name_en"
        ):
            self.subdistricts[code] = (dist, th)
            for k in (_key(th), _strip_prefix(_key(th), _SUBDISTRICT_PREFIXES), _key(en)):
                self.subdistrict_keys.setdefault((dist, k), code)

    def province(self, raw: str) -> str | None:
        k = _key(raw)
        return self.province_keys.get(k) or self.province_keys.get(_strip_prefix(k, _PROVINCE_PREFIXES))

    def district(self, raw: str, province: str) -> tuple[str | None, bool]:
        """(code, exists anywhere) for a district code or name within ``province``."""
        k = _key(raw)
        if k.isdigit():
            found = self.districts.get(k)
            return (k if found and found[0] == province else None), found is not None
        code = self.district_keys.get((province, k)) or self.district_keys.get(
            (province, _strip_prefix(k, _DISTRICT_PREFIXES))
        )
        return code, code is not None

    def subdistrict(self, raw: str, district: str) -> tuple[str | None, bool]:
        k = _key(raw)
        if k.isdigit():
            found = self.subdistricts.get(k)
            return (k if found and found[0] == district else None), found is not None
        code = self.subdistrict_keys.get((district, k)) or self.subdistrict_keys.get(
            (district, _strip_prefix(k, _SUBDISTRICT_PREFIXES))
        )
        return code, code is not None


# --------------------------------------------------------------------------- parsed rows


@dataclass(slots=True)
class Rec:
    """One parsed data row. ``None`` in an optional field means "the file does not say"."""

    number: int  # the row as the user sees it (the header is row 1)
    columns: dict[str, str]  # field -> header as written (one dict shared by every row)
    kind: str = ""
    code: str = ""
    name_th: str = ""
    name_en: str | None = None
    parent_code: str = ""
    esa_type: str | None = None
    area_number: int | None = None
    has_area_number: bool = False
    provinces: list[str] | None = None  # regions and ESAs: codes, office province first
    province: str | None = None
    district: str | None = None
    subdistrict: str | None = None
    area_type: str | None = None
    lowest_grade: str | None = None
    highest_grade: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Filled while resolving:
    path: str = ""
    parent_id: int | None = None
    existing: Existing | None = None
    action: str = ""  # create | update | move | unchanged
    changes: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, field_name: str, code: str, th: str, en: str) -> None:
        self.problems.append(
            Problem(
                code=code,
                th=th,
                en=en,
                field=field_name,
                row=self.number,
                column=self.columns.get(field_name, field_name),
            )
        )


@dataclass(slots=True)
class Existing:
    id: int
    kind: str
    code: str
    name_th: str
    name_en: str
    parent_id: int | None
    path: str


def _missing(rec: Rec, field_name: str) -> None:
    rec.add(field_name, "value_missing", "ต้องระบุค่าในช่องนี้", "A value is required here")


def _parse_count(rec: Rec, field_name: str, raw: str) -> int | None:
    text = raw.replace(",", "").strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or int(text) > MAX_COUNT:
        rec.add(
            field_name,
            "number_invalid",
            f"'{raw}' ต้องเป็นจำนวนเต็มไม่ติดลบ",
            f"'{raw}' must be a whole number, zero or more",
        )
        return None
    return int(text)


def parse_row(row: Row, geo: Geography) -> Rec:
    """Check everything a row can be checked for on its own (no other row, no existing unit)."""
    v = row.values
    rec = Rec(number=row.number, columns=row.columns)
    raw_kind = v.get("kind", "")
    rec.code = v.get("code", "").strip()
    rec.name_th = v.get("name_th", "").strip()
    rec.parent_code = v.get("parent_code", "").strip()
    if "name_en" in v:
        rec.name_en = v["name_en"].strip()
    if not raw_kind:
        _missing(rec, "kind")
    else:
        rec.kind = KIND_ALIASES.get(_key(raw_kind), "")
        if not rec.kind:
            rec.add(
                "kind",
                "kind_unknown",
                f"ไม่รู้จักประเภท '{raw_kind}': ใช้ เขตตรวจราชการ, สพท. หรือ โรงเรียน",
                f"Unknown kind '{raw_kind}': use region, esa or school",
            )
    for f in ("code", "name_th", "parent_code"):
        if not getattr(rec, f):
            _missing(rec, f)
    if rec.code and (len(rec.code) > MAX_CODE_LENGTH or not re.fullmatch(r"[0-9A-Za-z._-]+", rec.code)):
        rec.add(
            "code",
            "code_format",
            f"รหัส '{rec.code}' ต้องเป็นตัวอักษรอังกฤษหรือตัวเลข ไม่เกิน {MAX_CODE_LENGTH} ตัว",
            f"Code '{rec.code}' must be Latin letters or digits, at most {MAX_CODE_LENGTH} characters",
        )
    elif rec.code and rec.kind in (REGION, ESA) and SCHOOL_CODE_RE.match(rec.code):
        th, en = KIND_LABELS[rec.kind]
        rec.add(
            "code",
            "code_looks_like_school",
            f"รหัส{th} '{rec.code}' ต้องไม่เป็นรูปแบบรหัสโรงเรียน (ตัวเลข 10 หลัก)",
            f"An {en} code '{rec.code}' must not look like a school code (10 digits)",
        )
    if rec.kind == REGION:
        _parse_provinces(rec, v.get("province", ""), geo, required=False)
    elif rec.kind == ESA:
        _parse_esa(rec, v, geo)
    elif rec.kind == SCHOOL:
        _parse_school(rec, v, geo)
    return rec


def _parse_provinces(rec: Rec, raw: str, geo: Geography, *, required: bool) -> None:
    parts = [p.strip() for p in re.split(r"[,;،]", raw) if p.strip()]
    if not parts:
        if required:
            _missing(rec, "province")
        return
    codes: list[str] = []
    for part in parts:
        code = geo.province(part)
        if code is None:
            rec.add("province", "province_unknown", f"ไม่พบจังหวัด '{part}'", f"Unknown province '{part}'")
        elif code not in codes:
            codes.append(code)
    rec.provinces = codes


def _parse_esa(rec: Rec, v: dict[str, str], geo: Geography) -> None:
    raw = v.get("esa_type", "")
    if not raw:
        _missing(rec, "esa_type")
    else:
        rec.esa_type = ESA_TYPE_ALIASES.get(_key(raw))
        if rec.esa_type is None:
            rec.add(
                "esa_type",
                "esa_type_unknown",
                f"ประเภทเขตพื้นที่ '{raw}' ต้องเป็น ประถมศึกษา หรือ มัธยมศึกษา",
                f"ESA type '{raw}' must be primary or secondary",
            )
    if "area_number" in v:
        rec.has_area_number = True
        if v["area_number"]:
            n = _parse_count(rec, "area_number", v["area_number"])
            if n is not None and n > 32767:
                rec.add("area_number", "number_invalid", "เขตที่มากเกินไป", "Area number is too large")
            rec.area_number = n
    _parse_provinces(rec, v.get("province", ""), geo, required=True)


def _parse_school(rec: Rec, v: dict[str, str], geo: Geography) -> None:
    for f in ("province", "district", "subdistrict", "area_type", "lowest_grade", "highest_grade"):
        if not v.get(f):
            _missing(rec, f)
    if rec.code:
        problem = school_code_problem(rec.code, set(geo.provinces))
        if problem is not None:
            rec.problems.append(problem.located(row=rec.number, field="code", column=_col(rec, "code")))
    _parse_school_geography(rec, v, geo)
    raw_area = v.get("area_type", "")
    if raw_area:
        rec.area_type = AREA_TYPE_ALIASES.get(_key(raw_area))
        if rec.area_type is None:
            rec.add(
                "area_type",
                "area_type_unknown",
                f"ที่ตั้ง '{raw_area}' ต้องเป็น ในเมือง หรือ ชนบท",
                f"Location '{raw_area}' must be urban or rural",
            )
    for f in ("lowest_grade", "highest_grade"):
        if v.get(f):
            grade = parse_grade(v[f])
            if grade is None:
                rec.add(
                    f,
                    "grade_unknown",
                    f"ระดับชั้น '{v[f]}' ต้องเป็น อ.1–อ.3, ป.1–ป.6 หรือ ม.1–ม.6",
                    f"Grade '{v[f]}' must be one of K1–K3, P1–P6, M1–M6",
                )
            setattr(rec, f, grade)
    if (
        rec.lowest_grade
        and rec.highest_grade
        and GRADE_ORDER.index(rec.lowest_grade) > GRADE_ORDER.index(rec.highest_grade)
    ):
        rec.add(
            "highest_grade",
            "grade_span_reversed",
            f"ชั้นสูงสุด ({v['highest_grade']}) ต่ำกว่าชั้นต่ำสุด ({v['lowest_grade']})",
            f"The highest grade ({v['highest_grade']}) is below the lowest grade ({v['lowest_grade']})",
        )
    for f in COUNT_FIELDS:
        if v.get(f):
            n = _parse_count(rec, f, v[f])
            if n is not None:
                rec.counts[f] = n


def _col(rec: Rec, field_name: str) -> str:
    return rec.columns.get(field_name, field_name)


def _parse_school_geography(rec: Rec, v: dict[str, str], geo: Geography) -> None:
    raw_p, raw_d, raw_s = v.get("province", ""), v.get("district", ""), v.get("subdistrict", "")
    if not raw_p:
        return
    rec.province = geo.province(raw_p)
    if rec.province is None:
        rec.add("province", "province_unknown", f"ไม่พบจังหวัด '{raw_p}'", f"Unknown province '{raw_p}'")
        return
    p = geo.provinces[rec.province]
    code_ok = not any(p.field == "code" for p in rec.problems)
    if code_ok and SCHOOL_CODE_RE.match(rec.code) and rec.code[2:4] != rec.province:
        rec.add(
            "code",
            "school_code_province_mismatch",
            f"รหัสโรงเรียน '{rec.code}' มีรหัสจังหวัด {rec.code[2:4]} แต่โรงเรียนอยู่จังหวัด{p.name_th} ({p.code})",
            f"School code '{rec.code}' has province code {rec.code[2:4]} but the school is in "
            f"{p.name_en} ({p.code})",
        )
    if not raw_d:
        return
    rec.district, exists = geo.district(raw_d, rec.province)
    if rec.district is None:
        if exists or not _key(raw_d).isdigit():
            rec.add(
                "district",
                "district_not_in_province",
                f"ไม่พบอำเภอ '{raw_d}' ในจังหวัด{p.name_th}",
                f"District '{raw_d}' is not in {p.name_en} province",
            )
        else:
            rec.add("district", "district_unknown", f"ไม่พบอำเภอ '{raw_d}'", f"Unknown district '{raw_d}'")
        return
    if not raw_s:
        return
    rec.subdistrict, exists = geo.subdistrict(raw_s, rec.district)
    if rec.subdistrict is None:
        d_name = geo.districts[rec.district][1]
        if exists or not _key(raw_s).isdigit():
            rec.add(
                "subdistrict",
                "subdistrict_not_in_district",
                f"ไม่พบตำบล '{raw_s}' ในอำเภอ{d_name}",
                f"Subdistrict '{raw_s}' is not in district {rec.district} ({d_name})",
            )
        else:
            rec.add(
                "subdistrict", "subdistrict_unknown", f"ไม่พบตำบล '{raw_s}'", f"Unknown subdistrict '{raw_s}'"
            )
