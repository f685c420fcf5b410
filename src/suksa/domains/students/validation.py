"""Input rules for a learner's record, each failure a bilingual :class:`Problem` naming its field.

Shared by the registry services, web forms and API (and readable by the import), so an identifier,
a name, a birth date or a phone number is judged the same way whichever door it comes through.
Every function returns problems rather than raising, so a caller can report all of them at once.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from suksa.analytics.uis import official_age
from suksa.core.dates import format_be
from suksa.core.errors import Problem
from suksa.core.identifiers import citizen_id_problem, g_code_problem, normalize_citizen_id
from suksa.domains.students.models import Guardian
from suksa.domains.students.models.choices import GRADE_ORDER, GRADE_SHORT_TH, Disability, Religion, Sex

# ISO 3166-1 alpha-3, plus the ICAO codes Thai records use for learners without a nationality:
# XXA (stateless person) and XXX (nationality not known).
_ALPHA3_TEXT = """
    AFG ALA ALB DZA ASM AND AGO AIA ATA ATG ARG ARM ABW AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ BEN
    BMU BTN BOL BES BIH BWA BVT BRA IOT BRN BGR BFA BDI CPV KHM CMR CAN CYM CAF TCD CHL CHN CXR CCK
    COL COM COG COD COK CRI CIV HRV CUB CUW CYP CZE DNK DJI DMA DOM ECU EGY SLV GNQ ERI EST SWZ ETH
    FLK FRO FJI FIN FRA GUF PYF ATF GAB GMB GEO DEU GHA GIB GRC GRL GRD GLP GUM GTM GGY GIN GNB GUY
    HTI HMD VAT HND HKG HUN ISL IND IDN IRN IRQ IRL IMN ISR ITA JAM JPN JEY JOR KAZ KEN KIR PRK KOR
    KWT KGZ LAO LVA LBN LSO LBR LBY LIE LTU LUX MAC MDG MWI MYS MDV MLI MLT MHL MTQ MRT MUS MYT MEX
    FSM MDA MCO MNG MNE MSR MAR MOZ MMR NAM NRU NPL NLD NCL NZL NIC NER NGA NIU NFK MKD MNP NOR OMN
    PAK PLW PSE PAN PNG PRY PER PHL PCN POL PRT PRI QAT REU ROU RUS RWA BLM SHN KNA LCA MAF SPM VCT
    WSM SMR STP SAU SEN SRB SYC SLE SGP SXM SVK SVN SLB SOM ZAF SGS SSD ESP LKA SDN SUR SJM SWE CHE
    SYR TWN TJK TZA THA TLS TGO TKL TON TTO TUN TUR TKM TCA TUV UGA UKR ARE GBR USA UMI URY UZB VUT
    VEN VNM VGB VIR WLF ESH YEM ZMB ZWE XXA XXX
"""
ISO_ALPHA3 = frozenset(_ALPHA3_TEXT.split())

# Plausible ages (completed years on the registration date) for a grade: from two years under the
# grade's official age to ten over it (late starters and migrant learners catch up), never outside
# 2–25. Official ages: K1 3 … P1 6 … M1 12 … M6 17.
AGE_MIN, AGE_MAX = 2, 25
AGE_BELOW_OFFICIAL, AGE_ABOVE_OFFICIAL = 2, 10
OFFICIAL_AGE: dict[str, int] = {g: official_age(g) for g in GRADE_ORDER}

ROOM_MAX = 99
NAME_MAX = 100
HEALTH_NOTES_MAX = 2000

_THAI_LETTER = re.compile("[\u0e01-\u0e2e]")
_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z .'\-]*$")
# The patterns a Thai name must match (one Thai consonant at least) and an English name must match:
# public for callers that check many names with a cache in front (the learner import).
THAI_LETTER, LATIN_NAME = _THAI_LETTER, _LATIN_NAME
_PHONE_STRIP = re.compile(r"[\s\-().]")
_MOBILE = re.compile(r"^0[689]\d{8}$")
_LANDLINE = re.compile(r"^0[2-7]\d{7}$")

# The keys a learner's record accepts from forms and the API (``student_update``).
PERSON_FIELDS = (
    "prefix_th",
    "first_name_th",
    "last_name_th",
    "first_name_en",
    "last_name_en",
    "sex",
    "birth_date",
    "nationality",
)
GUARDIAN_FIELDS = ("relation", "name_th", "phone", "email", "is_primary")
SENSITIVE_FIELDS = ("disability", "health_notes", "ccl_eligible", "religion")


def _p(code: str, th: str, en: str, field: str) -> Problem:
    return Problem(code=code, th=th, en=en, field=field)


def grade_label(grade: str) -> str:
    return GRADE_SHORT_TH.get(grade, grade)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Completed years on ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def plausible_ages(grade: str) -> tuple[int, int]:
    official = OFFICIAL_AGE[grade]
    return max(AGE_MIN, official - AGE_BELOW_OFFICIAL), min(AGE_MAX, official + AGE_ABOVE_OFFICIAL)


# --- identifiers ---------------------------------------------------------------------------------


def parse_identifier(raw: str, field: str = "identifier") -> tuple[str, str, Problem | None]:
    """``(kind, value, problem)``: kind is ``citizen_id`` or ``g_code`` and value is normalised.

    A value starting with G (either case) is a G-code; anything else must be a 13-digit citizen ID
    with a valid check digit.
    """
    text = (raw or "").strip()
    if not text:
        problem = _p(
            "required",
            "ต้องระบุเลขประจำตัวประชาชนหรือรหัส G",
            "A citizen ID or G-code is required",
            field,
        )
        return "", "", problem
    if text[:1] in "Gg":
        value = text.upper()
        p = g_code_problem(value)
        return "g_code", value, p.located(field=field) if p else None
    value = normalize_citizen_id(text)
    p = citizen_id_problem(text)
    return "citizen_id", value, p.located(field=field) if p else None


def citizen_id_only_problem(raw: str, field: str = "citizen_id") -> tuple[str, Problem | None]:
    value = normalize_citizen_id((raw or "").strip())
    if not value:
        return "", _p("required", "ต้องระบุเลขประจำตัวประชาชน", "A citizen ID is required", field)
    p = citizen_id_problem(raw)
    return value, p.located(field=field) if p else None


# --- a learner's person fields -------------------------------------------------------------------


def _required_text(data: dict[str, Any], key: str, th: str, en: str) -> Problem | None:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        return _p("required", f"ต้องระบุ{th}", f"The {en} is required", key)
    if len(value.strip()) > NAME_MAX:
        return _p("too_long", f"{th}ยาวเกิน {NAME_MAX} ตัวอักษร", f"The {en} exceeds {NAME_MAX} characters", key)
    if not _THAI_LETTER.search(value):
        return _p(
            "thai_script",
            f"{th}ต้องเขียนด้วยอักษรไทย",
            f"The {en} must be written in Thai script",
            key,
        )
    return None


def _english_name(data: dict[str, Any], key: str, th: str, en: str) -> Problem | None:
    value = data.get(key) or ""
    if not isinstance(value, str):
        return _p("invalid", f"{th}ไม่ถูกต้อง", f"The {en} is not valid", key)
    value = value.strip()
    if not value:
        return None
    if len(value) > NAME_MAX:
        return _p("too_long", f"{th}ยาวเกิน {NAME_MAX} ตัวอักษร", f"The {en} exceeds {NAME_MAX} characters", key)
    if not _LATIN_NAME.match(value):
        return _p(
            "latin_script",
            f"{th}ใช้ได้เฉพาะอักษรภาษาอังกฤษ ช่องว่าง จุด ขีด และ '",
            f"The {en} may contain only Latin letters, spaces, '.', '-' and \"'\"",
            key,
        )
    return None


def sex_problem(value: Any, field: str = "sex") -> Problem | None:
    if value not in Sex.values:
        return _p("sex", "เพศต้องเป็น M (ชาย) หรือ F (หญิง)", "Sex must be M (male) or F (female)", field)
    return None


def nationality_problem(value: Any, field: str = "nationality") -> Problem | None:
    if not isinstance(value, str) or value.strip().upper() not in ISO_ALPHA3:
        return _p(
            "nationality",
            f"สัญชาติ '{value}' ต้องเป็นรหัสประเทศ ISO 3 ตัวอักษร เช่น THA, MMR, LAO",
            f"Nationality '{value}' must be an ISO 3166 alpha-3 code, e.g. THA, MMR, LAO",
            field,
        )
    return None


def birth_date_problem(
    value: Any, *, on: dt.date, grade: str | None = None, field: str = "birth_date"
) -> Problem | None:
    """Not in the future, and an age on ``on`` that fits ``grade`` (or 2–25 without a grade)."""
    if not isinstance(value, dt.date):
        return _p("required", "ต้องระบุวันเกิด", "The date of birth is required", field)
    if value > on:
        return _p(
            "birth_date_future",
            f"วันเกิด {format_be(value, 'th')} อยู่ในอนาคต",
            f"The date of birth {format_be(value, 'en')} is in the future",
            field,
        )
    age = age_on(value, on)
    low, high = plausible_ages(grade) if grade in OFFICIAL_AGE else (AGE_MIN, AGE_MAX)
    if not low <= age <= high:
        if grade in OFFICIAL_AGE:
            th = (
                f"อายุ {age} ปี (เกิด {format_be(value, 'th')}) ไม่สมเหตุผลสำหรับชั้น {grade_label(grade)}"
                f" ซึ่งรับอายุ {low}–{high} ปี"
            )
            en = (
                f"Age {age} (born {format_be(value, 'en')}) is implausible for grade {grade}:"
                f" expected {low}–{high}"
            )
        else:
            th = f"อายุ {age} ปี (เกิด {format_be(value, 'th')}) ไม่สมเหตุผล ต้องอยู่ระหว่าง {low}–{high} ปี"
            en = f"Age {age} (born {format_be(value, 'en')}) is implausible: expected {low}–{high}"
        return _p("birth_date_implausible", th, en, field)
    return None


def person_problems(
    data: dict[str, Any], *, on: dt.date, grade: str | None, partial: bool = False
) -> list[Problem]:
    """Problems with the person fields in ``data``; ``partial`` checks only the keys present."""
    problems: list[Problem] = []

    def present(key: str) -> bool:
        return not partial or key in data

    if present("first_name_th") and (
        p := _required_text(data, "first_name_th", "ชื่อ (ไทย)", "Thai first name")
    ):
        problems.append(p)
    if present("last_name_th") and (
        p := _required_text(data, "last_name_th", "นามสกุล (ไทย)", "Thai last name")
    ):
        problems.append(p)
    if present("prefix_th") and len(str(data.get("prefix_th") or "")) > 30:
        problems.append(
            _p("too_long", "คำนำหน้ายาวเกิน 30 ตัวอักษร", "The prefix exceeds 30 characters", "prefix_th")
        )
    if present("first_name_en") and (
        p := _english_name(data, "first_name_en", "ชื่อ (อังกฤษ)", "English first name")
    ):
        problems.append(p)
    if present("last_name_en") and (
        p := _english_name(data, "last_name_en", "นามสกุล (อังกฤษ)", "English last name")
    ):
        problems.append(p)
    if present("sex") and (p := sex_problem(data.get("sex"))):
        problems.append(p)
    if present("birth_date") and (p := birth_date_problem(data.get("birth_date"), on=on, grade=grade)):
        problems.append(p)
    if (
        present("nationality")
        and "nationality" in data
        and (p := nationality_problem(data.get("nationality")))
    ):
        problems.append(p)
    return problems


def clean_person(data: dict[str, Any]) -> dict[str, Any]:
    """The person fields of ``data``, trimmed (after :func:`person_problems` found none)."""
    out: dict[str, Any] = {}
    for key in PERSON_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, str):
            value = value.strip()
        if key == "nationality":
            value = (value or "THA").upper()
        if key in ("first_name_en", "last_name_en", "prefix_th") and value is None:
            value = ""
        out[key] = value
    return out


# --- placement -----------------------------------------------------------------------------------


def grade_problem(
    grade: Any, *, lowest: str | None, highest: str | None, field: str = "grade"
) -> Problem | None:
    if grade not in GRADE_ORDER:
        return _p(
            "grade",
            f"ชั้น '{grade}' ไม่ถูกต้อง ต้องเป็น K1–K3, P1–P6 หรือ M1–M6",
            f"Grade '{grade}' is not valid: use K1–K3, P1–P6 or M1–M6",
            field,
        )
    if lowest in GRADE_ORDER and highest in GRADE_ORDER:
        i, lo, hi = GRADE_ORDER.index(grade), GRADE_ORDER.index(lowest), GRADE_ORDER.index(highest)
        if not lo <= i <= hi:
            return _p(
                "grade_not_offered",
                f"โรงเรียนนี้เปิดสอนชั้น {grade_label(lowest)}–{grade_label(highest)} ไม่มีชั้น {grade_label(grade)}",
                f"This school teaches {lowest}–{highest}, not {grade}",
                field,
            )
    return None


def room_problem(room: Any, field: str = "room") -> Problem | None:
    if isinstance(room, bool) or not isinstance(room, int) or not 1 <= room <= ROOM_MAX:
        return _p(
            "room",
            f"ห้องต้องเป็นตัวเลข 1–{ROOM_MAX}",
            f"The room must be a number from 1 to {ROOM_MAX}",
            field,
        )
    return None


# --- guardians -----------------------------------------------------------------------------------


def normalize_phone(raw: str) -> str:
    value = _PHONE_STRIP.sub("", raw or "")
    if value.startswith("+66"):
        value = "0" + value[3:]
    elif value.startswith("66") and len(value) in (10, 11):
        value = "0" + value[2:]
    return value


def phone_problem(raw: str, field: str = "phone") -> Problem | None:
    """Thai numbers: mobile 0[689]x-xxx-xxxx (10 digits) or landline 0[2-7]x-xxx-xxx (9 digits); +66 allowed."""
    value = normalize_phone(raw)
    if not value:
        return None
    if _MOBILE.match(value) or _LANDLINE.match(value):
        return None
    return _p(
        "phone",
        f"หมายเลขโทรศัพท์ '{raw}' ไม่ถูกต้อง: มือถือ 10 หลัก (06/08/09) หรือโทรศัพท์บ้าน 9 หลัก (02–07)",
        f"Phone '{raw}' is not a Thai number: mobile 10 digits (06/08/09) or landline 9 digits (02–07)",
        field,
    )


def format_phone(value: str) -> str:
    v = normalize_phone(value)
    if len(v) == 10:
        return f"{v[:3]}-{v[3:6]}-{v[6:]}"
    if len(v) == 9:
        return f"{v[:2]}-{v[2:5]}-{v[5:]}"
    return value


def guardian_problems(data: dict[str, Any], *, partial: bool = False) -> list[Problem]:
    problems: list[Problem] = []
    if (not partial or "relation" in data) and data.get("relation") not in Guardian.Relation.values:
        problems.append(
            _p(
                "relation",
                "ความสัมพันธ์ต้องเป็น father, mother, guardian หรือ other",
                "The relation must be father, mother, guardian or other",
                "relation",
            )
        )
    if not partial or "name_th" in data:
        name = data.get("name_th")
        if not isinstance(name, str) or not name.strip():
            problems.append(_p("required", "ต้องระบุชื่อผู้ปกครอง", "The guardian's name is required", "name_th"))
        elif len(name.strip()) > 200:
            problems.append(
                _p("too_long", "ชื่อยาวเกิน 200 ตัวอักษร", "The name exceeds 200 characters", "name_th")
            )
    if data.get("phone") and (p := phone_problem(str(data["phone"]))):
        problems.append(p)
    if data.get("email"):
        try:
            validate_email(str(data["email"]).strip())
        except ValidationError:
            problems.append(
                _p(
                    "email",
                    f"อีเมล '{data['email']}' ไม่ถูกต้อง",
                    f"E-mail '{data['email']}' is not valid",
                    "email",
                )
            )
    if "is_primary" in data and not isinstance(data["is_primary"], bool):
        problems.append(_p("boolean", "ต้องเป็นจริงหรือเท็จ", "Must be true or false", "is_primary"))
    return problems


def clean_guardian(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in GUARDIAN_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key == "phone":
            value = normalize_phone(str(value or ""))
        elif key in ("name_th", "email"):
            value = str(value or "").strip()
        out[key] = value
    return out


# --- sensitive fields ----------------------------------------------------------------------------


def sensitive_problems(data: dict[str, Any]) -> list[Problem]:
    """Problems with sensitive fields. Messages never repeat the submitted value."""
    problems: list[Problem] = []
    if "disability" in data and (data["disability"] or "") not in Disability.values:
        problems.append(
            _p("disability", "ประเภทความพิการไม่ถูกต้อง", "The disability category is not valid", "disability")
        )
    if "religion" in data and (data["religion"] or "") not in Religion.values:
        problems.append(_p("religion", "ศาสนาไม่ถูกต้อง", "The religion is not valid", "religion"))
    if "ccl_eligible" in data and not isinstance(data["ccl_eligible"], bool):
        problems.append(_p("boolean", "ต้องเป็นจริงหรือเท็จ", "Must be true or false", "ccl_eligible"))
    if "health_notes" in data:
        notes = data["health_notes"]
        if notes is not None and not isinstance(notes, str):
            problems.append(
                _p("invalid", "บันทึกสุขภาพไม่ถูกต้อง", "The health notes are not valid", "health_notes")
            )
        elif notes and len(notes) > HEALTH_NOTES_MAX:
            problems.append(
                _p(
                    "too_long",
                    f"บันทึกสุขภาพยาวเกิน {HEALTH_NOTES_MAX} ตัวอักษร",
                    f"The health notes exceed {HEALTH_NOTES_MAX} characters",
                    "health_notes",
                )
            )
    return problems


def unknown_field_problems(data: dict[str, Any], allowed: tuple[str, ...]) -> list[Problem]:
    return [
        _p("field_unknown", f"แก้ไขช่อง '{k}' ไม่ได้", f"The field '{k}' cannot be changed", str(k))
        for k in sorted(set(data) - set(allowed), key=str)
    ]
