"""Buddhist-Era display of dates stored in CE, and the Thai school and fiscal calendars' rules.

Pure functions: templates (``be_date`` filter), API display fields and exports all call these.
"""

from __future__ import annotations

import datetime as dt

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
