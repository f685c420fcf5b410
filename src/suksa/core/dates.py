"""Buddhist-Era display of dates stored in CE, and the Thai school and fiscal calendars' rules.

Pure functions: templates (``be_date`` filter), API display fields and exports all call these.
"""

from __future__ import annotations

import datetime as dt
import re

from suksa.core.errors import InvalidInput, Problem

BE_OFFSET = 543

MONTHS_TH = [
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
]  # fmt: skip
MONTHS_TH_ABBR = [
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
]  # fmt: skip
MONTHS_EN_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def to_be_year(year_ce: int) -> int:
    return year_ce + BE_OFFSET


def to_ce_year(year_be: int) -> int:
    return year_be - BE_OFFSET


def format_be(value: dt.date | dt.datetime | None, language: str = "th", style: str = "short") -> str:
    """Format a CE date in the Buddhist Era.

    Thai: ``21 พ.ย. 2569`` (short) or ``21 พฤศจิกายน 2569`` (long); English keeps the BE year,
    labelled: ``21 Nov 2569 BE``. ISO style ``2569-11-21`` is used in exports.
    A datetime is shown with its local time (``21 พ.ย. 2569 14:05``).
    """
    if value is None:
        return ""
    year = to_be_year(value.year)
    if style == "iso":
        return f"{year:04d}-{value.month:02d}-{value.day:02d}"
    if language.startswith("th"):
        month = (MONTHS_TH if style == "long" else MONTHS_TH_ABBR)[value.month - 1]
        text = f"{value.day} {month} {year}"
    else:
        text = f"{value.day} {MONTHS_EN_ABBR[value.month - 1]} {year} BE"
    if isinstance(value, dt.datetime):
        text += f" {value.hour:02d}:{value.minute:02d}"
    return text


def academic_year_be_of(day: dt.date, start_month: int = 5, start_day: int = 16) -> int:
    """The academic year (BE) a date falls in, under the default 16 May start."""
    starts = dt.date(day.year, start_month, start_day)
    return to_be_year(day.year if day >= starts else day.year - 1)


def fiscal_year_be_of(day: dt.date) -> int:
    """Government fiscal year (BE): 1 October to 30 September, named by the year it ends in."""
    return to_be_year(day.year + 1 if day.month >= 10 else day.year)


def default_academic_year_bounds(year_be: int) -> tuple[dt.date, dt.date]:
    y = to_ce_year(year_be)
    return dt.date(y, 5, 16), dt.date(y + 1, 5, 15)


def default_semester_bounds(year_be: int) -> list[tuple[int, dt.date, dt.date]]:
    y = to_ce_year(year_be)
    return [(1, dt.date(y, 5, 16), dt.date(y, 10, 31)), (2, dt.date(y, 11, 1), dt.date(y + 1, 5, 15))]


def default_fiscal_year_bounds(year_be: int) -> tuple[dt.date, dt.date]:
    y = to_ce_year(year_be)
    return dt.date(y - 1, 10, 1), dt.date(y, 9, 30)


def default_census_dates(year_be: int) -> list[tuple[str, dt.date]]:
    """DMC census rounds: 10 June (semester 1), 10 November (semester 2), year-end (31 March)."""
    y = to_ce_year(year_be)
    return [("jun10", dt.date(y, 6, 10)), ("nov10", dt.date(y, 11, 10)), ("year_end", dt.date(y + 1, 3, 31))]


# --- typed Buddhist-Era dates -------------------------------------------------------------------

# The years a person may type. Every BE year a Thai school record needs lies in this range; a
# four-digit year below it (1900–2399) is almost certainly a CE year typed by mistake.
BE_YEAR_MIN = 2400  # 1857 CE
BE_YEAR_MAX = 2800  # 2257 CE
_CE_LOOKALIKE = range(1900, BE_YEAR_MIN)
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_DMY = re.compile(r"(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d+)")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _date_problem(code: str, th: str, en: str, field: str | None) -> InvalidInput:
    return InvalidInput([Problem(code=code, th=th, en=en, field=field)])


def parse_be(text: str, *, field: str | None = None) -> dt.date:
    """Parse a date typed in the Buddhist Era into a CE :class:`datetime.date`.

    Accepted: ``21/11/2569``, ``21-11-2569``, ``21.11.2569`` (day first, one or two digits for day
    and month) and ISO-like ``2569-11-21``; Thai digits (``๒๑/๑๑/๒๕๖๙``) are read as well. The year
    must be a four-digit BE year from 2400 to 2800.

    A CE year is refused, never converted: ``21/11/2026`` raises with a message naming the BE year
    to type (2569). Guessing would be right for 2026, but a silently shifted year in an audit search
    or a record is worse than one extra keystroke, and it keeps one rule for every date field.
    Malformed text and impossible dates (``31/02/2569``, ``29/02/2566``) raise
    :class:`~suksa.core.errors.InvalidInput` with Thai and English messages.
    """
    raw = (text or "").strip().translate(_THAI_DIGITS)
    if not raw:
        raise _date_problem("date_required", "กรุณากรอกวันที่", "Enter a date", field)
    if m := _YMD.fullmatch(raw):
        year_s, month_s, day_s = m.group(1), m.group(2), m.group(3)
    elif m := _DMY.fullmatch(raw):
        day_s, month_s, year_s = m.group(1), m.group(2), m.group(3)
    else:
        raise _date_problem(
            "date_format",
            f"รูปแบบวันที่ไม่ถูกต้อง «{text.strip()}»: ใช้ วว/ดด/ปปปป เป็นปี พ.ศ. เช่น 21/11/2569",
            f"Unrecognised date «{text.strip()}»: use dd/mm/yyyy with a Buddhist-Era year, e.g. 21/11/2569",
            field,
        )
    if len(year_s) != 4:
        raise _date_problem(
            "date_year_digits",
            f"ปีต้องเป็นปี พ.ศ. 4 หลัก เช่น 2569 (ได้รับ «{year_s}»)",
            f"The year must have four digits in the Buddhist Era, e.g. 2569 (got «{year_s}»)",
            field,
        )
    year, month, day = int(year_s), int(month_s), int(day_s)
    if year in _CE_LOOKALIKE:
        raise _date_problem(
            "date_not_be",
            f"ปี {year} เป็นปี ค.ศ. กรุณาใช้ปี พ.ศ. ({to_be_year(year)})",
            f"{year} is a Common-Era year: use the Buddhist Era ({to_be_year(year)})",
            field,
        )
    if not BE_YEAR_MIN <= year <= BE_YEAR_MAX:
        raise _date_problem(
            "date_year_range",
            f"ปี พ.ศ. {year} อยู่นอกช่วงที่รับได้ ({BE_YEAR_MIN}–{BE_YEAR_MAX})",
            f"The Buddhist-Era year {year} is outside the accepted range ({BE_YEAR_MIN}–{BE_YEAR_MAX})",
            field,
        )
    try:
        return dt.date(to_ce_year(year), month, day)
    except ValueError:
        shown = f"{day_s}/{month_s}/{year_s}"
        raise _date_problem(
            "date_impossible",
            f"ไม่มีวันที่ {shown} ในปฏิทิน",
            f"{shown} is not a date in the calendar",
            field,
        ) from None


def format_be_input(value: dt.date | None) -> str:
    """The typing form of a date: ``21/11/2569`` (what :func:`parse_be` reads back)."""
    if value is None:
        return ""
    return f"{value.day:02d}/{value.month:02d}/{to_be_year(value.year)}"
