"""Cockpit page: compare 2–6 ESAs or 2–6 schools side by side.

- ``cockpit_compare`` (``?units=<id>,<id>…&indicators=<code>,…&round=&esa=``): a picker (the ESAs
  the actor may see; for schools, an ESA first, then its schools; indicator checkboxes), then per
  indicator a small trend chart with one line per unit and dashed reference lines of the
  aggregates above them (regions and nation for ESAs, ESAs and nation for schools), a comparison
  table (rows: indicators; columns: each unit's value, change and light) and a context table
  (size, staffing, region). ``units`` and ``indicators`` take a comma list or repeated values (what
  a plain form submits). Scope and errors: :mod:`suksa.domains.cockpit.selectors_compare` — another
  ESA's id is 404, bad input a bilingual 400 naming the field. Tables answer
  ``?format=xlsx&table=<key>``.

A figure from fewer than five learners is withheld everywhere on the page (value, change, light
and its line), as the tables withhold small rows.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from suksa.analytics.suppression import MIN_CELL, is_small
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess
from suksa.core.i18n import label_pair, pick
from suksa.core.models import EsaProfile, OrgUnit, School, SizeBandRule
from suksa.domains.cockpit import selectors_compare as sel
from suksa.domains.cockpit import selectors_overview as overview_sel
from suksa.domains.cockpit.models import Figure
from suksa.domains.cockpit.selectors_overview import IndicatorMeta as IndicatorName
from suksa.domains.cockpit.selectors_overview import indicator_catalogue as indicator_names
from suksa.domains.insights.lexicon import esa_short_name
from suksa.domains.insights.selectors import rounds_with_runs
from suksa.domains.monitoring.models.choices import Unit
from suksa.interfaces.web.charts import line_option, series_table
from suksa.interfaces.web.context import maybe_reverse
from suksa.interfaces.web.params import id_param
from suksa.interfaces.web.tables import Column, Table, table_from_request
from suksa.interfaces.web.views.insights.schools import guard

TEMPLATES = "web/cockpit/"


def cockpit_crumbs(*items: tuple[str, str | None]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    home = maybe_reverse("web:cockpit")
    if home:
        out.append({"label": pick("แดชบอร์ดผู้บริหาร", "Executive cockpit"), "url": home})
    out.extend({"label": label, "url": url} for label, url in items)
    return out


def unit_url(unit: OrgUnit, round_id: int | None, indicator: str = "") -> str:
    """The unit's cockpit page keeping the round and indicator (the org page until it exists)."""
    base = maybe_reverse("web:cockpit_unit", unit.pk)
    if base is None:
        return ""
    query = urlencode([(k, v) for k, v in (("round", round_id or ""), ("indicator", indicator)) if v])
    return f"{base}?{query}" if query else base


def column_kind(name: IndicatorName | None) -> str:
    return "percent" if name is not None and name.unit == Unit.PERCENT else "number"


def unit_label(name: IndicatorName | None) -> str:
    if name is None or not name.unit:
        return ""
    try:
        th, en = label_pair(Unit(name.unit).label)
    except ValueError:
        return name.unit
    return pick(th, en)


def indicator_label(code: str, names: dict[str, IndicatorName]) -> str:
    n = names.get(code)
    return pick(n.name_th, n.name_en or n.name_th) if n is not None else code


def choice_label(choices: Any, value: str) -> str:
    if not value:
        return ""
    try:
        th, en = label_pair(choices(value).label)
    except ValueError:
        return value
    return pick(th, en)


def short_pair(unit: OrgUnit) -> tuple[str, str]:
    """A name short enough for a column heading or a legend: ``สพป.นนทบุรี เขต 1`` /
    ``Nonthaburi Primary ESA 1``; the nation is ``ทั้งประเทศ`` / ``Nation``."""
    if unit.kind == "nation":
        return "ทั้งประเทศ", "Nation"
    en = unit.name_en or unit.name_th
    if unit.kind == "esa":
        return esa_short_name(unit.name_th), en.replace(" Educational Service Area Office", " ESA")
    return unit.name_th, en


def withheld(f: Figure | None) -> bool:
    return f is not None and f.persons is not None and is_small(float(f.persons), MIN_CELL)


# --- tables and charts --------------------------------------------------------------------------


def scope_pair(view: sel.Comparison) -> tuple[str, str]:
    units = ", ".join(u.code for u in view.units)
    if view.kind == "school":
        return f"โรงเรียน {units}", f"Schools {units}"
    return f"สำนักงานเขตพื้นที่ {units}", f"ESAs {units}"


def period_pair(view: sel.Comparison) -> tuple[str, str]:
    rnd = view.state.round
    if rnd is None:
        return "", ""
    return f"รอบการรายงาน {rnd.name_th}", f"Reporting round {rnd.name_en or rnd.name_th}"


def comparison_table(view: sel.Comparison) -> tuple[Table, bool]:
    """One row per indicator × unit (then × reference aggregate): the period in words, value, change
    and light — long rather than wide, so that six units stay readable, sort and filter. Also says
    whether any row was withheld (fewer than five learners behind it)."""
    columns = [
        Column("indicator", "ตัวชี้วัด", "Indicator", filterable=True),
        Column("unit", "หน่วยงาน", "Unit", filterable=True),
        Column("period", "ช่วงเวลา", "Period"),
        Column("value", "ค่า", "Value", "number", 2),
        Column("change", "เปลี่ยนแปลง", "Change", "number", 2),
        Column("light", "เทียบเป้าหมาย", "Against target", "light"),
    ]
    rows: list[dict[str, Any]] = []
    for code in view.codes:
        meta = view.names.get(code)
        kind = meta.period_kind if meta is not None else ""
        for i, u in enumerate(view.units + view.references):
            f = view.figure(u.pk, code)
            th, en = short_pair(u)
            if i >= len(view.units):
                th, en = f"{th} (อ้างอิง)", f"{en} (reference)"
            rows.append(
                {
                    "indicator": indicator_label(code, view.names),
                    "unit": pick(th, en),
                    "period": pick(*overview_sel.period_label(f.period, kind)) if f is not None else "",
                    "value": f.value if f is not None else None,
                    "change": f.change if f is not None else None,
                    "light": f.light if f is not None else None,
                    "persons": f.persons if f is not None else None,
                }
            )
    scope_th, scope_en = scope_pair(view)
    period_th, period_en = period_pair(view)
    table = Table(
        key="compare",
        title_th="เปรียบเทียบตัวชี้วัด",
        title_en="Indicators compared",
        columns=columns,
        rows=rows,
        persons_key="persons",
        scope_th=scope_th,
        scope_en=scope_en,
        period_th=period_th,
        period_en=period_en,
        source_th="ตัวเลขที่คำนวณไว้ของรอบการวิเคราะห์ข้อมูลเชิงลึก",
        source_en="The insights run's precomputed figures",
    )
    return table, table.any_suppressed


def context_table(view: sel.Comparison) -> Table:
    round_id = view.state.round.pk if view.state.round else None
    first = view.codes[0] if view.codes else ""
    unit_col = Column("unit", "หน่วยงาน", "Unit", "link", filterable=True)
    numbers = [
        Column("learners", "นักเรียน", "Learners", "int"),
        Column("teachers", "ครู", "Teachers", "int"),
        Column("ptr", "นักเรียนต่อครู", "Pupil–teacher ratio", "number", 1),
    ]
    rows: list[dict[str, Any]] = []
    if view.kind == "school":
        columns = [
            unit_col,
            Column("esa", "สำนักงานเขตพื้นที่", "ESA"),
            Column("size_band", "ขนาด", "Size band"),
            Column("area_type", "ที่ตั้ง", "Area type"),
            *numbers,
        ]
        for c in view.contexts:
            rows.append(
                {
                    "unit": {
                        "text": f"{c.unit.code} {pick(c.unit.name_th, c.unit.name_en or c.unit.name_th)}",
                        "url": unit_url(c.unit, round_id, first),
                    },
                    "esa": pick(c.esa.name_th, c.esa.name_en or c.esa.name_th) if c.esa else "",
                    "size_band": choice_label(SizeBandRule.Band, c.size_band),
                    "area_type": choice_label(School.AreaType, c.area_type),
                    "learners": c.learners,
                    "teachers": c.teachers,
                    "ptr": c.pupil_teacher,
                }
            )
    else:
        columns = [
            unit_col,
            Column("esa_type", "ประเภท", "Type"),
            Column("region", "เขตตรวจราชการ", "Inspection region"),
            Column("schools", "โรงเรียน", "Schools", "int"),
            *numbers,
            Column("small_share", "สัดส่วนโรงเรียนขนาดเล็ก", "Small-school share", "percent", 1),
        ]
        for c in view.contexts:
            rows.append(
                {
                    "unit": {
                        "text": f"{c.unit.code} {pick(c.unit.name_th, c.unit.name_en or c.unit.name_th)}",
                        "url": unit_url(c.unit, round_id, first),
                    },
                    "esa_type": choice_label(EsaProfile.EsaType, c.esa_type),
                    "region": pick(c.region.name_th, c.region.name_en or c.region.name_th)
                    if c.region
                    else "",
                    "schools": c.schools,
                    "learners": c.learners,
                    "teachers": c.teachers,
                    "ptr": c.pupil_teacher,
                    "small_share": None if c.small_share is None else c.small_share * 100,
                }
            )
    scope_th, scope_en = scope_pair(view)
    # No persons_key: a school's enrolment and staff are its public profile (the org pages show
    # them), not a count derived from individual records.
    return Table(
        key="context",
        title_th="บริบทของหน่วยงาน",
        title_en="Context of the units",
        columns=columns,
        rows=rows,
        scope_th=scope_th,
        scope_en=scope_en,
        source_th="ข้อมูลพื้นฐานโรงเรียนในระบบ",
        source_en="School profiles held by the platform",
    )


def charts(view: sel.Comparison) -> list[dict[str, Any]]:
    """One small chart per indicator: a line per unit, then a line per reference aggregate."""
    out = []
    for code in view.codes:
        name = view.names.get(code)
        series: list[dict[str, Any]] = []
        references: list[bool] = []
        for u in view.units + view.references:
            f = view.figure(u.pk, code)
            if f is None or withheld(f) or not f.series:
                continue
            th, en = short_pair(u)
            series.append({"name": pick(th, en), "name_en": en, "points": f.series})
            references.append(u in view.references)
        title = (
            (f"แนวโน้ม: {name.name_th}", f"Trend: {name.name_en or name.name_th}") if name else (code, code)
        )
        table = series_table(
            f"trend-{code}", title, series, kind=column_kind(name), digits=2,
            source=("ตัวเลขที่คำนวณไว้ของรอบการวิเคราะห์", "The insights run's precomputed figures"),
        )  # fmt: skip
        option = line_option(series, unit_label(name), digits=2)
        for line, is_reference in zip(option["series"], references, strict=True):
            # The units: solid or dotted; the aggregates they are compared with: dashed.
            line["lineStyle"]["type"] = (
                "dashed" if is_reference else ("dotted" if line["lineStyle"]["type"] == "dotted" else "solid")
            )
        out.append(
            {
                "code": code,
                "chart_id": f"trend-{code}",
                "label": indicator_label(code, view.names),
                "option": option,
                "table": table,
                "empty": not series,
            }
        )
    return out


# --- the picker ---------------------------------------------------------------------------------


def picker(view: sel.Comparison) -> dict[str, Any]:
    chosen = {u.pk for u in view.units}
    groups: dict[int, dict[str, Any]] = {}
    for e in view.esas:
        region = e.parent
        key = region.pk if region is not None else 0
        group = groups.setdefault(
            key,
            {
                "label": pick(region.name_th, region.name_en or region.name_th) if region else "",
                "options": [],
            },
        )
        group["options"].append({"unit": e, "selected": e.pk in chosen})

    def indicators(kind: str) -> list[dict[str, Any]]:
        checked = set(view.codes if view.kind == kind else view.defaults.get(kind, []))
        return [
            {"code": c, "label": indicator_label(c, view.names), "checked": c in checked}
            for c in view.available.get(kind, [])
        ]

    return {
        "esa_groups": list(groups.values()),
        "esa_count": len(view.esas),
        "esa_indicators": indicators("esa"),
        "school_indicators": indicators("school"),
        "schools": [{"unit": s, "selected": s.pk in chosen} for s in view.schools],
        "picker_esa": view.picker_esa,
    }


@login_required
@require_GET
def cockpit_compare(request: HttpRequest) -> HttpResponse:
    actor = guard(request)
    round_id, problems = id_param(request, "round", "รอบการรายงาน", "round")
    esa_id, more = id_param(request, "esa", "สำนักงานเขตพื้นที่", "ESA")
    problems += more
    names = indicator_names()
    unit_ids: list[int] = []
    codes: list[str] = []
    try:
        unit_ids = sel.parse_units(request.GET.getlist("units"))
    except InvalidInput as e:
        problems += e.problems
    try:
        codes = sel.parse_indicators(request.GET.getlist("indicators"), names)
    except InvalidInput as e:
        problems += e.problems
    context: dict[str, Any] = {
        "crumbs": cockpit_crumbs((pick("เปรียบเทียบหน่วยงาน", "Compare units"), None)),
        "problems": problems,
        "rounds": rounds_with_runs(),
        "view": None,
        "min_units": sel.MIN_UNITS,
        "max_units": sel.MAX_UNITS,
        "max_indicators": sel.MAX_INDICATORS,
    }
    if not problems:
        try:
            view = sel.comparison(actor, round_id, unit_ids, codes, esa_id, names)
        except NotFoundOrNoAccess:
            raise Http404 from None
        except InvalidInput as e:
            problems += e.problems
    if problems:
        return render(request, TEMPLATES + "compare.html", context, status=400)
    tables: dict[str, Table] = {}
    if view.units:
        compare, any_withheld = comparison_table(view)
        chart_list = charts(view)
        tables = {"compare": compare, "context": context_table(view)}
        tables.update({c["table"].key: c["table"] for c in chart_list})
        context.update(charts=chart_list, compare_table=compare, context_table=tables["context"],
                       any_withheld=any_withheld)  # fmt: skip
    export = table_from_request(request, tables, audit_object="cockpit.compare")
    if export is not None:
        return export
    context["view"] = view
    context["picker"] = picker(view)
    round_id = view.state.round.pk if view.state.round else None
    context["round_id"] = round_id or ""
    first = view.codes[0] if view.codes else ""
    context["compared"] = [{"unit": u, "url": unit_url(u, round_id, first)} for u in view.units]
    return render(request, TEMPLATES + "compare.html", context)


urlpatterns: list[URLPattern] = [
    path("cockpit/compare/", cockpit_compare, name="cockpit_compare"),
]
