"""Thai identifiers: citizen ID, G-code and OBEC school code, with bilingual validation errors.

Pure functions (no Django): used by model validators, imports, forms and the API alike.
"""

from __future__ import annotations

import re

from suksa.core.errors import InvalidInput, Problem

_NON_DIGITS = re.compile(r"[\s\-]")


def citizen_id_check_digit(first12: str) -> int:
    """d13 = (11 − Σ d_i·(14 − i) mod 11) mod 10, for i = 1..12."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def normalize_citizen_id(raw: str) -> str:
    return _NON_DIGITS.sub("", raw or "")


def citizen_id_problem(raw: str) -> Problem | None:
    """Return why ``raw`` is not a valid 13-digit Thai citizen ID, or None if it is."""
    value = normalize_citizen_id(raw)
    if not value.isdigit() or len(value) != 13:
        return Problem(
            code="citizen_id_format",
            th=f"เลขประจำตัวประชาชน '{raw}' ต้องเป็นตัวเลข 13 หลัก",
            en=f"Citizen ID '{raw}' must be 13 digits",
        )
    if value[0] in "09":
        return Problem(
            code="citizen_id_first_digit",
            th=f"เลขประจำตัวประชาชน '{raw}' ต้องไม่ขึ้นต้นด้วย 0 หรือ 9",
            en=f"Citizen ID '{raw}' cannot start with 0 or 9",
        )
    if citizen_id_check_digit(value[:12]) != int(value[12]):
        return Problem(
            code="citizen_id_checksum",
            th=f"เลขประจำตัวประชาชน '{raw}' มีหลักตรวจสอบไม่ถูกต้อง",
            en=f"Citizen ID '{raw}' has a wrong check digit",
        )
    return None


def format_citizen_id(value: str) -> str:
    """``1234567890123`` → ``1-2345-67890-12-3``."""
    v = normalize_citizen_id(value)
    return f"{v[0]}-{v[1:5]}-{v[5:10]}-{v[10:12]}-{v[12]}" if len(v) == 13 else value


G_CODE_RE = re.compile(r"^G\d{12}$")


def g_code_problem(raw: str) -> Problem | None:
    """G + 12 digits: Buddhist-Era year (4), province code (2), serial (6)."""
    value = (raw or "").strip().upper()
    if not G_CODE_RE.match(value):
        return Problem(
            code="g_code_format",
            th=f"รหัส G '{raw}' ต้องขึ้นต้นด้วย G ตามด้วยตัวเลข 12 หลัก",
            en=f"G-code '{raw}' must be the letter G followed by 12 digits",
        )
    year_be = int(value[1:5])
    if not 2500 <= year_be <= 2700:
        return Problem(
            code="g_code_year",
            th=f"รหัส G '{raw}' มีปี พ.ศ. {year_be} ที่เป็นไปไม่ได้",
            en=f"G-code '{raw}' has an impossible Buddhist-Era year {year_be}",
        )
    return None


SCHOOL_CODE_RE = re.compile(r"^\d{10}$")


def school_code_problem(raw: str, province_codes: set[str] | None = None) -> Problem | None:
    """10 digits ``AA PP NNNNNN``: affiliation, province code, serial."""
    value = (raw or "").strip()
    if not SCHOOL_CODE_RE.match(value):
        return Problem(
            code="school_code_format",
            th=f"รหัสโรงเรียน '{raw}' ต้องเป็นตัวเลข 10 หลัก",
            en=f"School code '{raw}' must be 10 digits",
        )
    if province_codes is not None and value[2:4] not in province_codes:
        return Problem(
            code="school_code_province",
            th=f"รหัสโรงเรียน '{raw}' มีรหัสจังหวัด {value[2:4]} ที่ไม่มีอยู่จริง",
            en=f"School code '{raw}' has an unknown province code {value[2:4]}",
        )
    return None


def _raise(problem: Problem | None) -> None:
    if problem is not None:
        raise InvalidInput([problem])


def validate_citizen_id(raw: str) -> str:
    _raise(citizen_id_problem(raw))
    return normalize_citizen_id(raw)


def validate_g_code(raw: str) -> str:
    _raise(g_code_problem(raw))
    return raw.strip().upper()


def validate_school_code(raw: str) -> str:
    _raise(school_code_problem(raw))
    return raw.strip()
