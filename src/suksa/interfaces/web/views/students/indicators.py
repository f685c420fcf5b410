"""The standard indicators of one org unit for one academic year: tables, provenance, CSV.

``/org/<code>/indicators/?year=2568`` shows the stored values (``students.selectors_indicators``),
each with its provenance in the cell's title; ``&format=csv`` downloads the same values. Small
cells are shown as computed only inside the unit's own office (the unit, or a school's ESA); every
other reader sees "ปกปิด (<5)". A constant number of queries whatever the unit's size.

Without ``?year=`` the page opens on the latest year that has flow rates (promotion, repetition,
dropout): the flows of year t need the census of t+1, so the newest year usually holds enrolment
only. A unit with no flows at all opens on its latest year with any value.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, re_path

from suksa.analytics.uis import GRADES, LEVEL_LABELS, LEVELS
from suksa.core import selectors
from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.i18n import current_language, pick
from suksa.core.models import IndicatorValue, OrgUnit
from suksa.core.policy import Actor
from suksa.domains.students import selectors_indicators as sel
from suksa.domains.students.services.indicators import CATALOGUE, SURVIVAL, TRANSITIONS
from suksa.interfaces.web.context import request_actor
from suksa.interfaces.web.views.org import KIND_LABELS, breadcrumbs

_GRADE_SHORT_TH = (
    "อ.1",
    "อ.2",
    "อ.3",
    "ป.1",
    "ป.2",
    "ป.3",
    "ป.4",
    "ป.5",
    "ป.6",
    "ม.1",
    "ม.2",
    "ม.3",
    "ม.4",
    "ม.5",
    "ม.6",
)
GRADE_TH = dict(zip(GRADES, _GRADE_SHORT_TH, strict=True))
SEX_LABELS = {"F": ("หญิง", "Female"), "M": ("ชาย", "Male")}
FLOW_CODES = ("promotion_rate", "repetition_rate", "dropout_rate")


@dataclass(frozen=True)
class Cell:
    text: str
    title: str
    withheld: bool = False
    small: bool = False  # a small cell shown as computed, because the reader is inside the office


EMPTY = Cell("–", "")


def _format(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "persons":
        return f"{value:,.0f}"
    if unit == "proportion":
        return f"{value * 100:.1f}%"
    if unit == "ratio":
        return f"{value:.1f}"
    return f"{value:.2f}"


def provenance(v: IndicatorValue) -> str:
    """One line a person can read: period, sources, formula, version (and the note, if any)."""
    src = v.source or {}
    parts = [pick("ช่วงเวลา", "Period") + f" {v.period}"]
    census = src.get("census") or {}
    for label, c in census.items() if "round" not in census else [("", census)]:
        used = c.get("returns") or c.get("returns_used")
        what = pick("แบบรายงานที่รับรอง", "certified returns")
        ids = f"#{', #'.join(str(i) for i in used)}" if isinstance(used, list) else f"{used} {what}"
        parts.append(f"{pick('สำมะโน', 'census')} {c.get('round')}{f' ({label})' if label else ''}: {ids}")
    if src.get("graduates"):
        parts.append(str(src["graduates"]))
    if src.get("teachers"):
        t = src["teachers"]
        parts.append(f"{t.get('source')} {'–'.join(t.get('counts_as_of') or [])}".strip())
    if src.get("attendance"):
        parts.append(f"{pick('บันทึกการมาเรียน', 'attendance marks')} {src['attendance'].get('window')}")
    parts.append(f"{pick('สูตร', 'formula')}: {src.get('formula', '')}")
    parts.append(f"{pick('รุ่นสูตร', 'formula version')} {v.formula_version}")
    if src.get("note"):
        parts.append(str(src["note"]))
    return " · ".join(parts)


def cell(v: IndicatorValue | None, inside: bool) -> Cell:
    if v is None:
        return EMPTY
    shown = sel.published(v, inside=inside)
    if shown["withheld"]:
        label = pick(shown["label_th"], shown["label_en"])
        return Cell(label, provenance(v), withheld=True)
    return Cell(_format(v.value, CATALOGUE[v.indicator].unit), provenance(v), small=v.suppressed)


def _grade_label(grade: str) -> str:
    return pick(GRADE_TH[grade], grade)


def default_year(actor: Actor, unit: OrgUnit, years: list[int]) -> int | None:
    """The latest year with flow rates for the unit, else the latest year with any value (one query)."""
    if not years:
        return None
    flows = sel.indicator_values_for(actor, unit).filter(indicator__in=FLOW_CODES)
    latest = flows.order_by("-period").values_list("period", flat=True).first()
    flow_year = int(latest[:4]) if latest and latest[:4].isdigit() else None
    return flow_year if flow_year in years else years[0]


def page_context(actor: Actor, unit: OrgUnit, year: int | None) -> dict[str, Any]:
    years = sel.years_with_values(actor, unit)
    if year is None or year not in years:
        year = default_year(actor, unit, years)
    values: dict[tuple[str, str, str], IndicatorValue] = {}
    if year is not None:
        for v in sel.indicator_values_for(actor, unit, [str(year), f"{year}/jun10"]):
            values[(v.indicator, v.period, v.breakdown)] = v
    inside = sel.is_inside_office(actor, unit.path)
    y, c = str(year), f"{year}/jun10"

    def get(code: str, keys: str = "", period: str = y) -> Cell:
        return cell(values.get((code, period, keys)), inside)

    enrol_grades = [g for g in GRADES if ("enrolment", c, f"grade={g}") in values]
    enrolment = [
        {"label": _grade_label(g), "F": get("enrolment", f"grade={g};sex=F", c),
         "M": get("enrolment", f"grade={g};sex=M", c), "total": get("enrolment", f"grade={g}", c)}
        for g in enrol_grades
    ]  # fmt: skip
    flow_grades = [g for g in GRADES if ("repetition_rate", y, f"grade={g}") in values]
    flows: list[dict[str, Any]] = [
        {"label": _grade_label(g), "cells": [get(code, f"grade={g}") for code in FLOW_CODES]}
        for g in flow_grades
    ]
    levels = [lv for lv in LEVELS if ("repetition_rate", y, f"level={lv}") in values]
    for lv in levels:
        flows.append({"label": pick(*LEVEL_LABELS[lv]), "cells": [get(code, f"level={lv}") for code in FLOW_CODES],
                      "total": True})  # fmt: skip
    survival = [
        {"name": _name(code), "cells": [get(code), get(code, "sex=F"), get(code, "sex=M")]}
        for code in SURVIVAL
        if (code, y, "") in values
    ]
    transitions = [
        {"name": _name(code), "cell": get(code)}
        for _, _, suffix in TRANSITIONS
        for code in (f"transition_rate_{suffix}", f"effective_transition_rate_{suffix}")
        if (code, y, "") in values
    ]
    parity = []
    for lv in ["", *LEVELS]:
        keys = f"level={lv}" if lv else ""
        row = [get("gpi_enrolment", keys, c), get("adjusted_gpi_enrolment", keys, c),
               get("gpi_promotion", keys), get("adjusted_gpi_promotion", keys)]  # fmt: skip
        if any(r is not EMPTY for r in row):
            parity.append(
                {"label": pick(*LEVEL_LABELS[lv]) if lv else pick("รวมทุกระดับ", "All levels"), "cells": row}
            )
    others = [
        {"name": _name(code), "cell": get(code)}
        for code in ("pupil_teacher_ratio", "attendance_rate", "chronic_absenteeism_rate")
        if (code, y, "") in values
    ]
    return {
        "unit": unit,
        "kind_label": KIND_LABELS[unit.kind],
        "crumbs": [*breadcrumbs(unit, link_self=True), {"label": pick("ตัวชี้วัด", "Indicators"), "url": None}],
        "year": year,
        "years": years,
        "inside": inside,
        "has_values": bool(values),
        "total": [get("enrolment", "sex=F", c), get("enrolment", "sex=M", c), get("enrolment", "", c)],
        "enrolment": enrolment,
        "flows": flows,
        "survival": survival,
        "transitions": transitions,
        "parity": parity,
        "others": others,
        "census_period": _census_label(c),
        "any_withheld": any(v.suppressed for v in values.values()) and not inside,
    }


_ROUND_LABELS = {
    "jun10": ("10 มิ.ย.", "10 June"),
    "nov10": ("10 พ.ย.", "10 November"),
    "year_end": ("สิ้นปี", "year-end"),
}


def _census_label(period: str) -> str:
    """``"2569/jun10"`` → "10 มิ.ย. 2569" (the census round a count comes from)."""
    year, _, rnd = period.partition("/")
    th, en = _ROUND_LABELS.get(rnd, (rnd, rnd))
    return pick(f"{th} {year}", f"{en} {year} BE")


def _name(code: str) -> str:
    i = CATALOGUE[code]
    return pick(i.th, i.en)


CSV_HEADERS = ("unit_code", "indicator", "name_th", "name_en", "period", "breakdown", "value", "numerator",
               "denominator", "suppressed", "withheld", "formula_version", "formula", "note")  # fmt: skip


def values_csv(actor: Actor, unit: OrgUnit, year: int) -> bytes:
    inside = sel.is_inside_office(actor, unit.path)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADERS)
    for v in sel.indicator_values_for(actor, unit, [str(year), f"{year}/jun10"]):
        shown, info = sel.published(v, inside=inside), CATALOGUE.get(v.indicator)
        writer.writerow([
            unit.code, v.indicator, info.th if info else "", info.en if info else "", v.period, v.breakdown,
            "" if shown["value"] is None else shown["value"],
            "" if shown["numerator"] is None else shown["numerator"],
            "" if shown["denominator"] is None else shown["denominator"],
            int(v.suppressed), int(shown["withheld"]), v.formula_version,
            (v.source or {}).get("formula", ""), (v.source or {}).get("note", ""),
        ])  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens Thai correctly


def _year(request: HttpRequest) -> int | None:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and len(raw) == 4 else None


@login_required
def unit_indicators(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    try:
        unit = selectors.unit_get(actor, code)
        context = page_context(actor, unit, _year(request))
    except NotFoundOrNoAccess:
        raise Http404 from None
    if request.GET.get("format") == "csv" and context["year"] is not None:
        response = HttpResponse(
            values_csv(actor, unit, context["year"]), content_type="text/csv; charset=utf-8"
        )
        name = f"indicators-{unit.code}-{context['year']}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context["language"] = current_language()
    return render(request, "web/students/indicators/unit.html", context)


_CODE = r"(?P<code>[0-9A-Z][0-9A-Z_.-]{0,19})"

urlpatterns: list[URLPattern] = [
    re_path(rf"^org/{_CODE}/indicators/$", unit_indicators, name="unit_indicators"),
]
