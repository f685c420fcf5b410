"""Buddhist-Era display and the school, fiscal and census calendars at their boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from suksa.core.dates import (
    academic_year_be_of,
    default_academic_year_bounds,
    default_census_dates,
    default_fiscal_year_bounds,
    default_semester_bounds,
    fiscal_year_be_of,
    format_be,
    to_be_year,
    to_ce_year,
)
from suksa.core.models import AcademicYear, CensusDate, FiscalYear, Semester
from suksa.core.services import calendar_ensure_year

D = dt.date(2026, 11, 21)


def test_year_conversion() -> None:
    assert to_be_year(2026) == 2569
    assert to_ce_year(2569) == 2026


@pytest.mark.parametrize(
    ("value", "language", "style", "expected"),
    [
        (D, "th", "short", "21 พ.ย. 2569"),
        (D, "th", "long", "21 พฤศจิกายน 2569"),
        (D, "en", "short", "21 Nov 2569 BE"),
        (D, "en", "long", "21 Nov 2569 BE"),
        (D, "th", "iso", "2569-11-21"),
        (dt.date(2026, 1, 5), "th", "iso", "2569-01-05"),
        (dt.date(2026, 1, 5), "th-TH", "short", "5 ม.ค. 2569"),
        (dt.datetime(2026, 11, 21, 14, 5), "th", "short", "21 พ.ย. 2569 14:05"),
        (dt.datetime(2026, 11, 21, 9, 7), "en", "short", "21 Nov 2569 BE 09:07"),
        (dt.datetime(2026, 11, 21, 14, 5), "th", "iso", "2569-11-21"),
        (None, "th", "short", ""),
    ],
)
def test_format_be(value: dt.date | None, language: str, style: str, expected: str) -> None:
    assert format_be(value, language, style) == expected


@pytest.mark.parametrize(
    ("day", "year_be"),
    [
        (dt.date(2026, 5, 15), 2568),
        (dt.date(2026, 5, 16), 2569),
        (dt.date(2026, 12, 31), 2569),
        (dt.date(2027, 1, 1), 2569),
        (dt.date(2027, 5, 15), 2569),
        (dt.date(2027, 5, 16), 2570),
    ],
)
def test_academic_year_of(day: dt.date, year_be: int) -> None:
    assert academic_year_be_of(day) == year_be


@pytest.mark.parametrize(
    ("day", "year_be"),
    [
        (dt.date(2025, 9, 30), 2568),
        (dt.date(2025, 10, 1), 2569),
        (dt.date(2026, 9, 30), 2569),
        (dt.date(2026, 10, 1), 2570),
        (dt.date(2026, 12, 31), 2570),
    ],
)
def test_fiscal_year_of(day: dt.date, year_be: int) -> None:
    assert fiscal_year_be_of(day) == year_be


def test_default_bounds() -> None:
    assert default_academic_year_bounds(2569) == (dt.date(2026, 5, 16), dt.date(2027, 5, 15))
    assert default_semester_bounds(2569) == [
        (1, dt.date(2026, 5, 16), dt.date(2026, 10, 31)),
        (2, dt.date(2026, 11, 1), dt.date(2027, 5, 15)),
    ]
    assert default_fiscal_year_bounds(2569) == (dt.date(2025, 10, 1), dt.date(2026, 9, 30))
    assert default_census_dates(2569) == [
        ("jun10", dt.date(2026, 6, 10)),
        ("nov10", dt.date(2026, 11, 10)),
        ("year_end", dt.date(2027, 3, 31)),
    ]


def _calendar_state() -> list[tuple[object, ...]]:
    return [
        *AcademicYear.objects.values_list("year_be", "starts_on", "ends_on"),
        *Semester.objects.values_list("academic_year__year_be", "number", "starts_on", "ends_on"),
        *CensusDate.objects.values_list("academic_year__year_be", "round", "date"),
        *FiscalYear.objects.values_list("year_be", "starts_on", "ends_on"),
    ]


@pytest.mark.django_db
def test_calendar_ensure_year_is_idempotent_and_keeps_edited_dates() -> None:
    ay = calendar_ensure_year(year_be=2569)
    assert (ay.year_be, ay.starts_on, ay.ends_on) == (2569, dt.date(2026, 5, 16), dt.date(2027, 5, 15))
    assert sorted(Semester.objects.values_list("number", "starts_on")) == [
        (1, dt.date(2026, 5, 16)),
        (2, dt.date(2026, 11, 1)),
    ]
    assert sorted(FiscalYear.objects.values_list("year_be", flat=True)) == [2569, 2570]
    first = _calendar_state()
    calendar_ensure_year(year_be=2569)
    assert _calendar_state() == first

    # A decree moved semester 2 and the June census; ensuring the year again must not move them back.
    Semester.objects.filter(academic_year=ay, number=2).update(starts_on=dt.date(2026, 11, 4))
    CensusDate.objects.filter(academic_year=ay, round="jun10").update(date=dt.date(2026, 6, 12))
    edited = _calendar_state()
    calendar_ensure_year(year_be=2569)
    assert _calendar_state() == edited
    assert Semester.objects.get(academic_year=ay, number=2).starts_on == dt.date(2026, 11, 4)
    assert CensusDate.objects.get(academic_year=ay, round="jun10").date == dt.date(2026, 6, 12)
