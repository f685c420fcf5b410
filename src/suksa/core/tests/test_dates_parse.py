"""Typed Buddhist-Era dates: accepted forms, boundaries, leap years and bilingual refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from suksa.core.dates import format_be_input, parse_be
from suksa.core.errors import InvalidInput


@pytest.mark.parametrize(
    "text", ["21/11/2569", "21-11-2569", "2569-11-21", " 21/11/2569 ", "21.11.2569", "๒๑/๑๑/๒๕๖๙"]
)
def test_accepted_forms(text: str) -> None:
    assert parse_be(text) == dt.date(2026, 11, 21)


def test_single_digit_day_and_month_and_round_trip() -> None:
    assert parse_be("1/1/2569") == dt.date(2026, 1, 1)
    assert parse_be(format_be_input(dt.date(2024, 2, 29))) == dt.date(2024, 2, 29)
    assert format_be_input(dt.date(2026, 1, 5)) == "05/01/2569"


def test_leap_years() -> None:
    assert parse_be("29/02/2567") == dt.date(2024, 2, 29)
    with pytest.raises(InvalidInput) as exc:
        parse_be("29/02/2566")
    assert exc.value.problems[0].code == "date_impossible"


def test_year_boundaries() -> None:
    assert parse_be("01/01/2400") == dt.date(1857, 1, 1)
    assert parse_be("31/12/2800") == dt.date(2257, 12, 31)
    for text in ("31/12/2801", "01/01/1899"):
        with pytest.raises(InvalidInput) as exc:
            parse_be(text)
        assert exc.value.problems[0].code == "date_year_range"


@pytest.mark.parametrize("text", ["21/11/2026", "2026-11-21", "01/01/1900", "31/12/2399"])
def test_ce_years_are_refused_with_the_be_year_to_type(text: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_be(text)
    problem = exc.value.problems[0]
    assert problem.code == "date_not_be"
    assert "พ.ศ." in problem.th
    assert "Buddhist Era" in problem.en


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("31/02/2569", "date_impossible"),
        ("00/01/2569", "date_impossible"),
        ("01/13/2569", "date_impossible"),
        ("21/11/69", "date_year_digits"),
        ("tomorrow", "date_format"),
        ("21/11", "date_format"),
        ("", "date_required"),
    ],
)
def test_bad_input_is_bilingual(text: str, code: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_be(text, field="date_from")
    problem = exc.value.problems[0]
    assert problem.code == code
    assert problem.th
    assert problem.en
    assert problem.field == "date_from"
