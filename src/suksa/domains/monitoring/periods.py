"""Which stored period of an indicator a round's report shows, and when a period's data exist.

Every ``core.IndicatorValue`` period is one of:

- census key ``"2569/jun10"`` (``nov10``, ``year_end``): counts on a census date;
- academic year ``"2568"`` with period kind ``year``: available at the year's end (31 March of the
  next CE year) plus the source's ``lag_days`` (flows need the next 10 June census: 71 days);
- fiscal year ``"2569"`` with period kind ``fiscal_year``: available at its end (30 September);
- round key ``"2569/m6"`` with period kind ``round``: a figure collected for that round exactly.

A report shows, per indicator, the latest period available by the round's ``period_end`` (a
round-keyed source: that round's key only). Past rounds therefore keep showing what was known
then, even after later periods are computed.
"""

from __future__ import annotations

import datetime as dt

from suksa.core.dates import default_census_dates, to_ce_year

PERIOD_KINDS = ("census", "year", "fiscal_year", "round")


def available_on(period: str, kind: str, lag_days: int = 0) -> dt.date | None:
    """The first day the figure of ``period`` can exist, or None when the key does not fit ``kind``."""
    try:
        if kind == "census":
            year_s, _, census = period.partition("/")
            dates = dict(default_census_dates(int(year_s)))
            return dates.get(census)
        if kind == "year":
            return dt.date(to_ce_year(int(period)) + 1, 3, 31) + dt.timedelta(days=lag_days)
        if kind == "fiscal_year":
            return dt.date(to_ce_year(int(period)), 9, 30) + dt.timedelta(days=lag_days)
    except ValueError:
        return None
    return None


def pick_period(
    periods: list[str], kind: str, *, round_key: str, period_end: dt.date, lag_days: int = 0
) -> str | None:
    """The period a report of the round (``round_key``, ending ``period_end``) shows, if any."""
    if kind == "round":
        return round_key if round_key in periods else None
    best: tuple[dt.date, str] | None = None
    for p in periods:
        day = available_on(p, kind, lag_days)
        if day is not None and day <= period_end and (best is None or day > best[0]):
            best = (day, p)
    return best[1] if best else None


ROUND_MONTHS = (3, 6, 9, 12)


def round_period(fiscal_year_be: int, months: int) -> tuple[dt.date, dt.date]:
    """First and last day covered by the ``months``-month round of a fiscal year (from 1 October)."""
    start = dt.date(to_ce_year(fiscal_year_be) - 1, 10, 1)
    month0 = 10 + months  # months after 1 October, as a 1-based month index from October's year
    year, month = start.year + (month0 - 1) // 12, (month0 - 1) % 12 + 1
    end = dt.date(year, month, 1) - dt.timedelta(days=1)
    return start, end


def default_round_dates(fiscal_year_be: int, months: int) -> dict[str, dt.date]:
    """Default dates: open two weeks before the period ends; due 45 days after it (the 12-month
    round, which needs the year's results: 61 days); locked a month after the due date."""
    start, end = round_period(fiscal_year_be, months)
    due = end + dt.timedelta(days=61 if months == 12 else 45)
    return {
        "period_start": start,
        "period_end": end,
        "opens_on": end - dt.timedelta(days=14),
        "due_on": due,
        "locks_on": due + dt.timedelta(days=31),
    }


def round_names(fiscal_year_be: int, months: int) -> tuple[str, str]:
    return (f"รอบ {months} เดือน ปีงบประมาณ {fiscal_year_be}", f"{months}-month round, FY {fiscal_year_be}")
