"""ECharts options for the cockpit's charts, and the tables that show the same numbers.

The options are plain JSON-able dicts: ``web/cockpit/partials/chart.html`` writes one with
``json_script`` and ``static/suksa/cockpit.js`` draws it (no inline script, no function in the
option). Never colour alone: every series has its own symbol and line dash as well as a colour
from the Okabe–Ito palette, the ECharts aria module describes the chart and adds decals, and
every chart has a table view (:func:`series_table`, :func:`interval_table`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from suksa.core.i18n import pick
from suksa.interfaces.web.tables import Column, Table

FONT = "Sarabun, Tahoma, sans-serif"
INK = "#1f2937"
MUTED = "#6b7280"
# Okabe–Ito, without its yellow (too pale on white).
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
SYMBOLS = ("circle", "rect", "triangle", "diamond", "roundRect", "pin", "arrow")
DASHES = ("solid", "dashed", "dotted")
HIGHLIGHT = "#0072B2"
OTHER = "#6b7280"
TARGET_COLOUR = "#B91C1C"


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def _base() -> dict[str, Any]:
    return {
        "aria": {"enabled": True, "decal": {"show": True}},
        "textStyle": {"fontFamily": FONT, "fontSize": 13, "color": INK},
        "color": list(COLOURS),
        "animationDuration": 400,
    }


def periods_of(series: Sequence[dict[str, Any]]) -> list[str]:
    """Every period that appears in any series, in order."""
    return sorted({str(p) for s in series for p, _v in s["points"]})


def line_option(
    series: Sequence[dict[str, Any]],
    unit_label: str,
    *,
    target: float | None = None,
    target_label: str | None = None,
    digits: int = 1,
) -> dict[str, Any]:
    """A line chart over periods: ``series`` is ``[{"name": str, "points": [[period, value], …]}]``.

    Periods are the x axis (the union over the series, sorted); a series missing a period has a
    gap there. ``target`` adds a dashed horizontal line labelled ``target_label`` (default
    เป้าหมาย / Target in the active language).
    """
    periods = periods_of(series)
    out: list[dict[str, Any]] = []
    for i, s in enumerate(series):
        by_period = {str(p): v for p, v in s["points"]}
        out.append(
            {
                "name": s["name"],
                "type": "line",
                "data": [_round(by_period.get(p), digits) for p in periods],
                "symbol": SYMBOLS[i % len(SYMBOLS)],
                "symbolSize": 8,
                "lineStyle": {"width": 2, "type": DASHES[i % len(DASHES)]},
                "connectNulls": False,
                "emphasis": {"focus": "series"},
            }
        )
    if target is not None and out:
        label = target_label if target_label is not None else pick("เป้าหมาย", "Target")
        out[0]["markLine"] = {
            "silent": True,
            "symbol": "none",
            "lineStyle": {"type": "dashed", "color": TARGET_COLOUR, "width": 2},
            "label": {
                "formatter": f"{label} {_round(target, digits)}",
                "color": TARGET_COLOUR,
                "position": "insideEndTop",
            },
            "data": [{"yAxis": _round(target, digits), "name": label}],
        }
    several = len(series) > 1
    return {
        **_base(),
        "tooltip": {"trigger": "axis"},
        "legend": {"show": several, "bottom": 0, "type": "scroll", "textStyle": {"color": INK}},
        "grid": {"left": 8, "right": 24, "top": 36, "bottom": 36 if several else 12, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": periods,
            "boundaryGap": False,
            "axisLabel": {"color": INK},
            "axisLine": {"lineStyle": {"color": MUTED}},
        },
        "yAxis": {
            "type": "value",
            "name": unit_label,
            "nameTextStyle": {"color": INK, "align": "left"},
            "scale": True,
            "axisLabel": {"color": INK},
        },
        "series": out,
    }


def interval_option(
    rows: Sequence[dict[str, Any]],
    *,
    unit_label: str,
    median: float | None = None,
    median_label: str | None = None,
    digits: int = 1,
) -> dict[str, Any]:
    """Horizontal dot-and-whisker chart, top to bottom in the order of ``rows``.

    ``rows``: ``[{"label": str, "value": float | None, "low": float | None, "high": float | None,
    "highlight": bool}]`` — each row's value is a dot, its low–high interval a whisker; the
    highlighted row (the unit being compared) is drawn larger, in blue, with its label in bold.
    ``median`` adds a dashed vertical line (the peers' median).
    """
    dots: list[dict[str, Any]] = []
    whiskers: list[dict[str, Any]] = []
    for r in rows:
        mark = bool(r.get("highlight"))
        colour = HIGHLIGHT if mark else OTHER
        value, low, high = (_round(r.get(k), digits) for k in ("value", "low", "high"))
        label = str(r["label"])
        dots.append(
            {
                "value": [value, label],
                "low": low,
                "high": high,
                "symbol": "diamond" if mark else "circle",
                "symbolSize": 14 if mark else 9,
                "itemStyle": {"color": colour},
                "label": {
                    "show": mark,
                    "position": "top",
                    "formatter": "{@[0]}",
                    "color": INK,
                    "fontWeight": "bold",
                },
            }
        )
        if low is not None and high is not None:
            whiskers.append(
                {
                    "name": label,
                    "type": "line",
                    "data": [[low, label], [high, label]],
                    "symbol": "path://M0,-4L0,4",  # a short upright tick at each end
                    "symbolSize": [2, 12],
                    "showSymbol": True,
                    "silent": True,
                    "tooltip": {"show": False},
                    "itemStyle": {"color": colour},
                    "lineStyle": {"color": colour, "width": 3 if mark else 2},
                    "z": 2,
                }
            )
    scatter: dict[str, Any] = {"name": unit_label, "type": "scatter", "data": dots, "z": 3}
    if median is not None:
        label = median_label if median_label is not None else pick("มัธยฐาน", "Median")
        scatter["markLine"] = {
            "silent": True,
            "symbol": "none",
            "data": [
                {
                    "xAxis": _round(median, digits),
                    "name": label,
                    "lineStyle": {"type": "dashed", "color": INK, "width": 1},
                    "label": {
                        "formatter": f"{label} {_round(median, digits)}",
                        "color": INK,
                        "position": "start",
                    },
                }
            ],
        }
    return {
        **_base(),
        "tooltip": {"trigger": "item"},
        "grid": {"left": 8, "right": 48, "top": 32, "bottom": 36, "containLabel": True},
        "xAxis": {
            "type": "value",
            "name": unit_label,
            "nameLocation": "middle",
            "nameGap": 24,
            "scale": True,
            "axisLabel": {"color": INK},
        },
        "yAxis": {
            "type": "category",
            "inverse": True,
            "data": [
                {
                    "value": str(r["label"]),
                    "textStyle": {"fontWeight": "bold" if r.get("highlight") else "normal", "color": INK},
                }
                for r in rows
            ],
            "axisLabel": {"color": INK, "width": 180, "overflow": "truncate"},
            "axisTick": {"show": False},
        },
        "series": [scatter, *whiskers],
    }


def bar_option(
    categories: Sequence[str],
    values: Sequence[float | None],
    unit_label: str,
    *,
    highlight: str | None = None,
    digits: int = 1,
) -> dict[str, Any]:
    """A vertical bar chart of one value per category; ``highlight`` names a bar drawn in blue with
    its value shown (the others grey)."""
    data = [
        {
            "value": _round(v, digits),
            "itemStyle": {"color": HIGHLIGHT if c == highlight else OTHER},
            "label": {"show": c == highlight, "position": "top", "color": INK},
        }
        for c, v in zip(categories, values, strict=True)
    ]
    return {
        **_base(),
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 16, "top": 36, "bottom": 12, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": list(categories),
            "axisLabel": {"color": INK, "interval": 0, "overflow": "truncate", "width": 96},
        },
        "yAxis": {
            "type": "value",
            "name": unit_label,
            "nameTextStyle": {"color": INK, "align": "left"},
            "axisLabel": {"color": INK},
        },
        "series": [{"name": unit_label, "type": "bar", "data": data, "barMaxWidth": 48}],
    }


# --- the same numbers as tables --------------------------------------------------------------------


def series_table(
    key: str,
    title: tuple[str, str],
    series: Sequence[dict[str, Any]],
    *,
    kind: str = "number",
    digits: int = 1,
    source: tuple[str, str] = ("", ""),
) -> Table:
    """The table view of :func:`line_option`: one row per period, one column per series."""
    periods = periods_of(series)
    columns = [Column("period", "ช่วงเวลา", "Period")]
    columns += [
        Column(f"s{i}", str(s["name"]), str(s.get("name_en") or s["name"]), kind=kind, digits=digits)
        for i, s in enumerate(series)
    ]
    lookup = [{str(p): v for p, v in s["points"]} for s in series]
    rows = [{"period": p, **{f"s{i}": by.get(p) for i, by in enumerate(lookup)}} for p in periods]
    return Table(
        key=key,
        title_th=title[0],
        title_en=title[1],
        columns=columns,
        rows=rows,
        source_th=source[0],
        source_en=source[1],
    )


def interval_table(
    key: str,
    title: tuple[str, str],
    rows: Sequence[dict[str, Any]],
    *,
    kind: str = "number",
    digits: int = 1,
    persons_key: str | None = None,
    source: tuple[str, str] = ("", ""),
) -> Table:
    """The table view of :func:`interval_option`: label, value, low and high per row."""
    columns = [
        Column("label", "หน่วยงาน", "Unit"),
        Column("value", "ค่า", "Value", kind=kind, digits=digits),
        Column("low", "ขอบล่าง", "Low", kind=kind, digits=digits),
        Column("high", "ขอบบน", "High", kind=kind, digits=digits),
    ]
    return Table(
        key=key,
        title_th=title[0],
        title_en=title[1],
        columns=columns,
        rows=[dict(r) for r in rows],
        persons_key=persons_key,
        source_th=source[0],
        source_en=source[1],
    )
