"""The DMC-style learner file: the columns of the student import and of the register export.

One row is one learner's enrolment for an academic year at a school. Headers are Thai (as DMC
exports write them) with English aliases; the export writes the first (Thai) header of each column,
so an exported register imports back unchanged. Values use DMC conventions: grade as ``ป.1`` (or
``P1``), sex as ``ช``/``ญ`` (or ``M``/``F``), dates as Buddhist-Era ``dd/mm/yyyy``.
"""

from __future__ import annotations

from suksa.core.tabular import Column

DMC_COLUMNS: tuple[Column, ...] = (
    Column("identifier", ("เลขประจำตัวประชาชน", "citizen_id", "identifier", "เลขประจำตัว", "G-code")),
    Column("school_code", ("รหัสโรงเรียน", "school_code")),
    Column("academic_year", ("ปีการศึกษา", "academic_year")),
    Column("grade", ("ชั้น", "grade")),
    Column("room", ("ห้อง", "room")),
    Column("prefix_th", ("คำนำหน้าชื่อ", "prefix", "คำนำหน้า"), required=False),
    Column("first_name_th", ("ชื่อ", "first_name_th")),
    Column("last_name_th", ("นามสกุล", "last_name_th")),
    Column("first_name_en", ("ชื่อ (อังกฤษ)", "first_name_en"), required=False),
    Column("last_name_en", ("นามสกุล (อังกฤษ)", "last_name_en"), required=False),
    Column("sex", ("เพศ", "sex")),
    Column("birth_date", ("วันเกิด", "birth_date", "วัน/เดือน/ปีเกิด")),
    Column("nationality", ("สัญชาติ", "nationality"), required=False),
    # ใหม่ (admitted) | เลื่อนชั้น (promoted) | ซ้ำชั้น (repeated) | ย้ายเข้า (transfer in)
    Column("entry", ("ประเภทการเข้าเรียน", "entry"), required=False),
    Column("starts_on", ("วันที่เข้าเรียน", "starts_on"), required=False),
)

# Field → the header the export writes (the first, Thai one).
DMC_HEADERS: dict[str, str] = {c.field: c.headers[0] for c in DMC_COLUMNS}
SEX_VALUES: dict[str, str] = {
    "ช": "M",
    "ชาย": "M",
    "m": "M",
    "1": "M",
    "ญ": "F",
    "หญิง": "F",
    "f": "F",
    "2": "F",
}
SEX_EXPORT: dict[str, str] = {"M": "ช", "F": "ญ"}
ENTRY_VALUES: dict[str, str] = {
    "ใหม่": "admitted", "รับใหม่": "admitted", "admitted": "admitted",
    "เลื่อนชั้น": "promoted", "promoted": "promoted",
    "ซ้ำชั้น": "repeated", "repeated": "repeated",
    "ย้ายเข้า": "transfer_in", "transfer_in": "transfer_in",
}  # fmt: skip
ENTRY_EXPORT: dict[str, str] = {
    "admitted": "ใหม่",
    "promoted": "เลื่อนชั้น",
    "repeated": "ซ้ำชั้น",
    "transfer_in": "ย้ายเข้า",
}
NATIONALITY_VALUES: dict[str, str] = {"ไทย": "THA", "thai": "THA", "tha": "THA", "th": "THA"}
# Academic years a file may name: from this BE year to next year.
FIRST_IMPORT_YEAR_BE = 2500
# Age (whole years) at the start of the academic year that a learner in basic education may have.
MIN_AGE, MAX_AGE = 2, 25
