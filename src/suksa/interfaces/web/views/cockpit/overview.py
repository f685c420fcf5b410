"""The executive overview: where the nation (or an inspector's region) stands this round.

- ``cockpit`` (``?round=&indicator=&level=province|esa``): the key indicators against their targets
  (value, period, change, trend arrow, traffic light in words and symbol, source), a tile map of
  the 77 provinces coloured by the chosen indicator (province figures, or each province's ESAs with
  ``level=esa``) with its table, the top movers up and down, open alerts by severity and status
  (each count a link to the inbox), the round's report status and the latest published brief.
  National roles see the nation; an inspector their region; ESA roles are sent to their ESA's
  cockpit page. Every table answers ``?format=xlsx&table=<key>`` (same scope as the page).
- ``cockpit_pdf`` (same parameters): the same overview as an A4 PDF in Sarabun, lights in words and
  small cells withheld.

The page reads the run's precomputed figures (``domains/cockpit/selectors_overview.py``): its
query count does not grow with the number of ESAs, schools or figures.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from suksa.core import audit
from suksa.core.dates import format_be
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, Problem
from suksa.core.i18n import current_language, label_pair, pick
from suksa.core.models import AuditEntry, OrgUnit
from suksa.core.pdf import FONT_FAMILY, html_to_pdf
from suksa.core.policy import Actor, Perm
from suksa.domains.cockpit import selectors_overview as sel
from suksa.domains.cockpit.models import Level
from suksa.domains.cockpit.services.tiles import legend, province_tiles
from suksa.domains.insights.models.choices import AlertSeverity, AlertStatus
from suksa.domains.insights.selectors import rounds_with_runs
from suksa.domains.insights.selectors_alerts import OPEN
from suksa.interfaces.web.context import maybe_reverse, request_actor
from suksa.interfaces.web.params import id_param
from suksa.interfaces.web.tables import Column, Table, export_cell, format_number, table_from_request

TEMPLATES = "web/cockpit/"
PDF_TEMPLATE = TEMPLATES + "overview_pdf.html"

SEVERITY_LABELS: dict[str, tuple[str, str]] = {s.value: label_pair(s.label) for s in AlertSeverity}
STATUS_LABELS: dict[str, tuple[str, str]] = {s.value: label_pair(s.label) for s in AlertStatus}


# --- parameters --------------------------------------------------------------------------------


def _params(request: HttpRequest) -> tuple[int | None, str, str, list[Problem]]:
    round_id, problems = id_param(request, "round", "รอบการรายงาน", "round")
    indicator = request.GET.get("indicator", "").strip()[:80]
    level = request.GET.get("level", "").strip()[:20]
    return round_id, indicator, level, problems


def _viewer(request: HttpRequest) -> tuple[Actor, OrgUnit | None]:
    actor = request_actor(request)
    if not actor.can_anywhere(Perm.INSIGHTS_VIEW):
        raise DjangoPermissionDenied
    try:
        return actor, sel.overview_scope(actor)
    except NotFoundOrNoAccess:
        raise DjangoPermissionDenied from None


def _unit_redirect(request: HttpRequest, unit: OrgUnit) -> HttpResponse:
    """ESA roles have no overview: their ESA's cockpit page, keeping round and indicator."""
    url = maybe_reverse("web:cockpit_unit", unit.pk) or maybe_reverse("web:insights_home") or "/"
    keep = {k: request.GET[k] for k in ("round", "indicator") if request.GET.get(k)}
    return redirect(url + ("?" + urlencode(keep) if keep else ""))


def _load(
    request: HttpRequest, *, figures: bool = True
) -> tuple[Actor, sel.Overview | None, list[Problem]] | HttpResponse:
    actor, scope = _viewer(request)
    if scope is not None and scope.kind != OrgUnit.Kind.REGION:
        return _unit_redirect(request, scope)
    round_id, indicator, level, problems = _params(request)
    if problems:
        return actor, None, problems
    try:
        ov = sel.overview(
            actor, scope=scope, round_id=round_id, indicator=indicator, level=level, figures=figures
        )
    except InvalidInput as exc:
        return actor, None, list(exc.problems)
    return actor, ov, []


# --- what the page and the PDF show -----------------------------------------------------------


def _query(ov: sel.Overview, **extra: Any) -> str:
    params: dict[str, Any] = {}
    if ov.state.round is not None:
        params["round"] = ov.state.round.pk
    if ov.indicator:
        params["indicator"] = ov.indicator
    params.update({k: v for k, v in extra.items() if v})
    return urlencode(params)


def _unit_url(ov: sel.Overview, unit_id: int | None) -> str:
    if unit_id is None:
        return ""
    url = maybe_reverse("web:cockpit_unit", unit_id)
    return f"{url}?{_query(ov)}" if url else ""


def _light(code: str) -> dict[str, str]:
    symbol, th, en = sel.LIGHT_TEXT.get(code, sel.LIGHT_TEXT["none"])
    return {"code": code, "symbol": symbol, "th": th, "en": en, "text": pick(th, en)}


def _arrow(code: str, significant: bool) -> dict[str, str]:
    symbol, th, en = sel.ARROW_TEXT.get(code, sel.ARROW_TEXT["none"])
    if significant and code in ("up", "down"):
        th, en = f"{th}อย่างมีนัยสำคัญ", f"{en} significantly"
    return {"code": code, "symbol": symbol, "th": th, "en": en, "text": pick(th, en)}


def _tone(arrow: str, good: bool | None) -> str:
    if arrow not in ("up", "down") or good is None:
        return ""
    return "success" if good else "danger"


def _verdict(arrow: str, good: bool | None) -> str:
    """Whether a rising or falling value goes the good way (a flat one is neither)."""
    if arrow not in ("up", "down") or good is None:
        return ""
    return pick("ทิศทางที่ดี", "a good direction") if good else pick("ทิศทางที่ไม่ดี", "a bad direction")


def card_view(card: sel.Card) -> dict[str, Any]:
    """A key-indicator card in the active language (numbers, words and the source line)."""
    meta, f = card.meta, card.figure
    lang = current_language()
    out: dict[str, Any] = {"code": meta.code, "name": pick(meta.name_th, meta.name_en), "figure": f}
    if f is None:
        return out
    p_th, p_en = sel.period_label(f.period, meta.period_kind)
    pp_th, pp_en = sel.period_label(f.previous_period, meta.period_kind)
    s_th, s_en = sel.source_label(f, meta)
    out.update(
        value=sel.value_text(f.value, meta.unit, lang),
        period=pick(p_th, p_en),
        previous_period=pick(pp_th, pp_en),
        previous=sel.value_text(f.previous, meta.unit, lang) if f.previous is not None else "",
        change=sel.change_text(f.change, meta.unit),
        target=sel.value_text(f.target, meta.unit, lang) if f.target is not None else "",
        light=_light(f.light),
        arrow=_arrow(f.arrow, f.significant),
        good=f.good,
        tone=_tone(f.arrow, f.good),
        verdict=_verdict(f.arrow, f.good),
        source=pick(s_th, s_en),
        source_ref=sel.source_ref(f),
    )
    return out


def _round_scope(ov: sel.Overview) -> tuple[str, str]:
    if ov.scope is None:
        return "ทั้งประเทศ", "Nation"
    return ov.scope.name_th, ov.scope.name_en or ov.scope.name_th


def _round_period(ov: sel.Overview) -> tuple[str, str]:
    rnd = ov.state.round
    return (rnd.name_th, rnd.name_en) if rnd is not None else ("", "")


def _meta_name(ov: sel.Overview, code: str) -> tuple[str, str]:
    meta = ov.catalogue.get(code)
    return (meta.name_th, meta.name_en) if meta is not None else (code, code)


def indicators_table(ov: sel.Overview) -> Table:
    rows = []
    for card in ov.cards:
        meta, f = card.meta, card.figure
        row: dict[str, Any] = {"indicator": pick(meta.name_th, meta.name_en), "code": meta.code}
        if f is not None:
            s_th, s_en = sel.source_label(f, meta)
            row.update(
                value=f.value, unit=sel.UNIT_SUFFIX.get(meta.unit, ("", ""))[1].strip() or meta.unit,
                period=f.period, previous=f.previous, change=f.change, target=f.target, light=f.light,
                arrow=f.arrow, significant=pick("ใช่", "yes") if f.significant else pick("ไม่", "no"),
                source=pick(s_th, s_en), persons=f.persons,
            )  # fmt: skip
        rows.append(row)
    s_th, s_en = _round_scope(ov)
    r_th, r_en = _round_period(ov)
    return Table(
        key="indicators",
        title_th="ตัวชี้วัดหลักเทียบค่าเป้าหมาย",
        title_en="Key indicators against targets",
        columns=[
            Column("indicator", "ตัวชี้วัด", "Indicator", filterable=True),
            Column("code", "รหัส", "Code"),
            Column("value", "ค่า", "Value", "number", 2),
            Column("unit", "หน่วย", "Unit"),
            Column("period", "ช่วงเวลา", "Period"),
            Column("previous", "ค่าก่อนหน้า", "Previous", "number", 2),
            Column("change", "เปลี่ยนแปลง", "Change", "number", 2),
            Column("target", "ค่าเป้าหมาย", "Target", "number", 2),
            Column("light", "สถานะเทียบเป้าหมาย", "Against target", "light"),
            Column("arrow", "แนวโน้ม", "Trend", "arrow"),
            Column("significant", "มีนัยสำคัญ", "Significant"),
            Column("source", "แหล่งข้อมูล", "Source"),
        ],
        rows=rows,
        persons_key="persons",
        scope_th=s_th, scope_en=s_en, period_th=r_th, period_en=r_en,
        source_th="ผลการคำนวณข้อมูลเชิงลึกของรอบ", source_en="The round's insights run",
    )  # fmt: skip


def areas_table(ov: sel.Overview) -> Table:
    esa = ov.level == Level.ESA
    rows = []
    for a in ov.areas:
        f = a.figure
        name = pick(a.name_th, a.name_en or a.name_th)
        rows.append(
            {
                "code": a.key,
                "name": {"text": name, "url": _unit_url(ov, a.unit_id)} if esa else name,
                "province": pick(a.province_name_th, a.province_name_en or a.province_name_th),
                "value": f.value,
                "target": f.target,
                "light": f.light,
                "change": f.change,
                "arrow": f.arrow,
                "period": f.period,
                "persons": f.persons,
            }
        )
    i_th, i_en = _meta_name(ov, ov.indicator)
    s_th, s_en = _round_scope(ov)
    r_th, r_en = _round_period(ov)
    first = (
        [Column("code", "รหัส สพท.", "ESA code"), Column("name", "สพท.", "ESA", "link", filterable=True),
         Column("province", "จังหวัดที่ตั้ง", "Office province", filterable=True)]
        if esa
        else [Column("code", "รหัสจังหวัด", "Province code"), Column("name", "จังหวัด", "Province", filterable=True)]
    )  # fmt: skip
    return Table(
        key="esas" if esa else "provinces",
        title_th=f"{i_th} รายสำนักงานเขตพื้นที่" if esa else f"{i_th} รายจังหวัด",
        title_en=f"{i_en} by ESA" if esa else f"{i_en} by province",
        columns=[
            *first,
            Column("value", "ค่า", "Value", "number", 2),
            Column("target", "ค่าเป้าหมาย", "Target", "number", 2),
            Column("light", "สถานะเทียบเป้าหมาย", "Against target", "light"),
            Column("change", "เปลี่ยนแปลง", "Change", "number", 2),
            Column("arrow", "แนวโน้ม", "Trend", "arrow"),
            Column("period", "ช่วงเวลา", "Period"),
            Column("persons", "จำนวนนักเรียน", "Learners", "int"),
        ],
        rows=rows,
        persons_key="persons",
        scope_th=s_th, scope_en=s_en, period_th=r_th, period_en=r_en,
        source_th="ค่าจังหวัด: ค่าเฉลี่ยถ่วงน้ำหนักตามจำนวนนักเรียนของ สพท. ในจังหวัด" if not esa else "ค่าของ สพท.",
        source_en="Province values: learner-weighted mean of the province's ESAs" if not esa else "ESA values",
    )  # fmt: skip


MOVER_SETS = (
    ("chosen", "up", "ดีขึ้นมากที่สุด", "Most improved"),
    ("chosen", "down", "แย่ลงมากที่สุด", "Most worsened"),
    ("all", "up", "ดีขึ้นมากที่สุด (ตัวชี้วัดหลักรวม)", "Most improved (key indicators)"),
    ("all", "down", "แย่ลงมากที่สุด (ตัวชี้วัดหลักรวม)", "Most worsened (key indicators)"),
)


def mover_lists(ov: sel.Overview) -> list[dict[str, Any]]:
    lang = current_language()
    out = []
    for name, way, th, en in MOVER_SETS:
        items = []
        for rank, m in enumerate(ov.movers.get(name, {}).get(way, []), start=1):
            code = str(m.get("indicator") or ov.indicator)
            meta = ov.catalogue.get(code)
            unit = meta.unit if meta is not None else str(m.get("unit", ""))
            i_th, i_en = _meta_name(ov, code)
            items.append(
                {
                    "rank": rank,
                    "unit_id": m.get("unit_id"),
                    "code": m.get("code", ""),
                    "name": pick(str(m.get("name_th", "")), str(m.get("name_en") or m.get("name_th", ""))),
                    "url": _unit_url(ov, m.get("unit_id")),
                    "indicator": pick(i_th, i_en),
                    "value": sel.value_text(m.get("value"), unit, lang),
                    "change": sel.change_text(m.get("change"), unit),
                    "raw": m,
                    "period": pick(
                        *sel.period_label(str(m.get("period", "")), meta.period_kind if meta else "")
                    ),
                }
            )
        out.append({"key": f"{name}-{way}", "set": name, "way": way, "title": pick(th, en), "items": items})
    return out


def movers_table(ov: sel.Overview, lists: list[dict[str, Any]]) -> Table:
    rows = []
    for group, (_, _, th, en) in zip(lists, MOVER_SETS, strict=True):
        for item in group["items"]:
            m = item["raw"]
            rows.append(
                {
                    "set": pick(th, en),
                    "rank": item["rank"],
                    "code": item["code"],
                    "name": {"text": item["name"], "url": item["url"]},
                    "indicator": item["indicator"],
                    "value": m.get("value"),
                    "change": m.get("change"),
                    "improvement": m.get("improvement"),
                    "period": m.get("period", ""),
                }
            )
    s_th, s_en = _round_scope(ov)
    r_th, r_en = _round_period(ov)
    return Table(
        key="movers",
        title_th="สำนักงานเขตพื้นที่ที่เปลี่ยนแปลงมากที่สุด",
        title_en="Top movers among the ESAs",
        columns=[
            Column("set", "กลุ่ม", "List"),
            Column("rank", "อันดับ", "Rank", "int"),
            Column("code", "รหัส", "Code"),
            Column("name", "สพท.", "ESA", "link", filterable=True),
            Column("indicator", "ตัวชี้วัด", "Indicator"),
            Column("value", "ค่า", "Value", "number", 2),
            Column("change", "เปลี่ยนแปลง", "Change", "number", 2),
            Column("improvement", "ดีขึ้น (+) / แย่ลง (−)", "Improvement (+ better)", "number", 2),
            Column("period", "ช่วงเวลา", "Period"),
        ],
        rows=rows,
        scope_th=s_th, scope_en=s_en, period_th=r_th, period_en=r_en,
        source_th="ผลการคำนวณข้อมูลเชิงลึกของรอบ", source_en="The round's insights run",
    )  # fmt: skip


def alert_grid(ov: sel.Overview) -> list[dict[str, Any]]:
    """Severity rows × open statuses, each count with the inbox link that lists exactly those."""
    if ov.alerts is None or ov.state.round is None:
        return []
    inbox = maybe_reverse("web:alerts") or ""
    rnd = ov.state.round.pk
    rows = []
    for severity in sel.SEVERITIES:
        th, en = SEVERITY_LABELS[severity]
        cells = []
        for status in sel.OPEN_STATUSES:
            n = ov.alerts.cells.get(severity, {}).get(status, 0)
            q = urlencode({"round": rnd, "severity": severity, "status": status})
            cells.append(
                {
                    "status": status,
                    "label": pick(*STATUS_LABELS[status]),
                    "n": n,
                    "url": f"{inbox}?{q}" if inbox else "",
                }
            )
        rows.append(
            {
                "severity": severity,
                "label": pick(th, en),
                "cells": cells,
                "total": ov.alerts.row_total(severity),
                "total_url": f"{inbox}?{urlencode({'round': rnd, 'severity': severity, 'status': OPEN})}"
                if inbox
                else "",
            }
        )
    return rows


def alerts_table(ov: sel.Overview, grid: list[dict[str, Any]]) -> Table:
    rows = [
        {"severity": r["label"], **{c["status"]: c["n"] for c in r["cells"]}, "total": r["total"]}
        for r in grid
    ]
    s_th, s_en = _round_scope(ov)
    r_th, r_en = _round_period(ov)
    return Table(
        key="alerts",
        title_th="การแจ้งเตือนที่ยังไม่ปิดตามระดับความรุนแรง",
        title_en="Open alerts by severity",
        columns=[
            Column("severity", "ระดับ", "Severity"),
            *[Column(s, STATUS_LABELS[s][0], STATUS_LABELS[s][1], "int") for s in sel.OPEN_STATUSES],
            Column("total", "รวมที่ยังไม่ปิด", "Open in all", "int"),
        ],
        rows=rows,
        scope_th=s_th, scope_en=s_en, period_th=r_th, period_en=r_en,
        source_th="การแจ้งเตือนล่วงหน้า (นับ ณ เวลาที่เปิดหน้า)", source_en="Early-warning alerts (counted live)",
    )  # fmt: skip


def tables_of(ov: sel.Overview) -> tuple[dict[str, Table], list[dict[str, Any]], list[dict[str, Any]]]:
    lists = mover_lists(ov)
    grid = alert_grid(ov)
    tables = {
        t.key: t
        for t in (indicators_table(ov), areas_table(ov), movers_table(ov, lists), alerts_table(ov, grid))
    }
    return tables, lists, grid


def tile_map(ov: sel.Overview) -> tuple[dict[str, Any], dict[str, Any]]:
    """The tile map and its legend: province figures, or each province's ESAs as sub-tiles."""
    meta = ov.chosen
    unit = meta.unit if meta is not None else ""
    values: dict[str, dict[str, Any]] = {}
    for a in ov.areas:
        f = a.figure
        if ov.level == Level.ESA:
            entry = values.setdefault(a.province_code, {"esas": []})
            entry["esas"].append(
                {
                    "code": a.key,
                    "name_th": a.name_th,
                    "name_en": a.name_en,
                    "value": f.value,
                    "period": f.period,
                    "url": _unit_url(ov, a.unit_id),
                    "persons": f.persons,
                }
            )
        else:
            # A province tile leads to its inspection region's page (the next level down).
            values[a.province_code] = {
                "value": f.value,
                "period": f.period,
                "persons": f.persons,
                "url": _unit_url(ov, f.parent_id) if f.parent_id else "",
            }
    suffix = sel.UNIT_SUFFIX.get(unit, ("", ""))
    source = meta.source_name if meta is not None else ("", "")
    tiles = province_tiles(
        values,
        direction=meta.direction if meta is not None else "higher",
        digits=sel.UNIT_DIGITS.get(unit, 1),
        unit=(suffix[0].strip(), suffix[1].strip()),
        source=source,
        period=ov.areas[0].figure.period if ov.areas else "",
        period_words=lambda p: sel.period_label(p, meta.period_kind if meta is not None else ""),
    )
    return tiles, legend(tiles)


def _links(ov: sel.Overview) -> list[dict[str, str]]:
    q = _query(ov)
    rnd = {"round": ov.state.round.pk} if ov.state.round is not None else {}
    out = []
    for name, th, en, query in (
        ("web:alerts", "กล่องการแจ้งเตือน", "Alert inbox", urlencode(rnd)),
        ("web:cockpit_cases", "กรณีศึกษาที่คัดเลือก", "Case gallery", urlencode(rnd)),
        ("web:cockpit_compare", "เปรียบเทียบหน่วยงาน", "Compare units", q),
        ("web:briefs", "ข้อเสนอเชิงนโยบาย", "Policy briefs", urlencode(rnd)),
        ("web:insights_home", "ข้อมูลเชิงลึก", "Insights", urlencode(rnd)),
    ):
        url = maybe_reverse(name)
        if url:
            out.append(
                {"key": name.split(":")[1], "url": f"{url}?{query}" if query else url, "label": pick(th, en)}
            )
    return out


def _status_url(ov: sel.Overview) -> str:
    url = maybe_reverse("web:monitoring_status")
    if not url or ov.state.round is None:
        return url or ""
    return f"{url}?{urlencode({'round': ov.state.round.pk})}"


def _brief_links(ov: sel.Overview) -> dict[str, str]:
    if ov.brief is None:
        return {}
    return {
        "url": maybe_reverse("web:brief", ov.brief.pk) or "",
        "pdf": maybe_reverse("web:brief_pdf", ov.brief.pk) or "",
    }


def _title(ov: sel.Overview | None) -> tuple[str, str]:
    if ov is None or ov.scope is None:
        return "ภาพรวมการจัดการศึกษาขั้นพื้นฐาน", "Basic education at a glance"
    return f"ภาพรวม {ov.scope.name_th}", f"Overview: {ov.scope.name_en or ov.scope.name_th}"


def _crumbs(title: str) -> list[dict[str, Any]]:
    return (
        [{"label": pick("ห้องบัญชาการผู้บริหาร", "Executive cockpit"), "url": None}]
        if not title
        else [{"label": title, "url": None}]
    )


# --- pages ------------------------------------------------------------------------------------------


@login_required
@require_GET
def cockpit(request: HttpRequest) -> HttpResponse:
    exporting = bool(request.GET.get("format"))
    loaded = _load(request, figures=exporting)
    if isinstance(loaded, HttpResponse):
        return loaded
    actor, ov, problems = loaded
    title_th, title_en = _title(ov)
    context: dict[str, Any] = {
        "crumbs": _crumbs(pick(title_th, title_en)),
        "title": pick(title_th, title_en),
        "problems": problems,
        "ov": ov,
        "rounds": rounds_with_runs(),
    }
    if ov is None:
        return render(request, TEMPLATES + "overview.html", context, status=400)
    if exporting:
        tables, _lists, _grid = tables_of(ov)
        export = table_from_request(request, tables, audit_object="cockpit.overview")
        if export is not None:
            return export
    grid = alert_grid(ov)
    context.update(
        frag=fragments(request, actor, ov) if ov.state.ready else {},
        tables={"alerts": alerts_table(ov, grid)},
        alert_rows=grid,
        alert_statuses=[pick(*STATUS_LABELS[s]) for s in sel.OPEN_STATUSES],
        links=_links(ov),
        status_url=_status_url(ov),
        brief_links=_brief_links(ov),
        pdf_url=(maybe_reverse("web:cockpit_pdf") or "") + "?" + _query(ov, level=ov.level),
        xlsx_base="?" + _query(ov, level=ov.level, format="xlsx"),
        runs_url=maybe_reverse("web:insights_home") or "",
        levels=[("province", pick("รายจังหวัด", "By province")), ("esa", pick("ราย สพท.", "By ESA"))],
    )
    return render(request, TEMPLATES + "overview.html", context)


FRAGMENT_SECONDS = 600


def _render_safe(request: HttpRequest, template: str, context: dict[str, Any]) -> SafeString:
    # Our own template's output, escaped as it was rendered: safe to insert as it is.
    return mark_safe(render_to_string(TEMPLATES + template, context, request))  # noqa: S308


def fragments(request: HttpRequest, actor: Actor, ov: sel.Overview) -> dict[str, Any]:
    """The parts of the page that come from the run's precomputed figures — the key indicator
    cards, the tile map with its table, the movers and the indicator picker — rendered once per
    run (and refresh of its figures), scope, language and query, then served from the cache.

    They are the heaviest part of the page (77 tiles or 245 ESA sub-tiles, each with its table)
    and the same for everyone with the same scope; the live parts (open alerts, round status, the
    latest brief) are read on every request.
    """
    summary = ov.state.summary
    key = ":".join(
        [
            "cockpit-overview",
            str(ov.state.run.pk if ov.state.run is not None else 0),
            summary.built_at.isoformat() if summary is not None else "-",
            ov.scope.path if ov.scope is not None else "nation",
            get_language() or "th",
            hashlib.sha256(urlencode(sorted(request.GET.items())).encode()).hexdigest()[:16],
        ]
    )
    cached = cache.get(key)
    if cached is not None:
        return cast(dict[str, Any], cached)
    sel.fill_figures(actor, ov)
    tables, lists, _grid = tables_of(ov)
    tiles, legend_ = tile_map(ov)
    chosen = ov.chosen
    chosen_name = pick(chosen.name_th, chosen.name_en) if chosen is not None else ov.indicator
    common = {
        "ov": ov,
        "tables": tables,
        "chosen_name": chosen_name,
        "xlsx_base": "?" + _query(ov, level=ov.level, format="xlsx"),
    }
    area_table = tables["esas" if ov.level == Level.ESA else "provinces"]
    frag = {
        "kpis": _render_safe(
            request, "overview_kpis.html", {**common, "cards": [card_view(c) for c in ov.cards]}
        ),
        "map": _render_safe(
            request,
            "overview_map.html",
            {**common, "tilemap": tiles, "tile_legend": legend_, "area_table": area_table},
        ),
        "movers": _render_safe(request, "overview_movers.html", {**common, "movers": lists}),
        "choices": _indicator_choices(ov),
        "chosen_name": chosen_name,
    }
    cache.set(key, frag, FRAGMENT_SECONDS)
    return frag


def _indicator_choices(ov: sel.Overview) -> list[tuple[str, list[tuple[str, str]]]]:
    """The picker: key indicators first, then the others that have figures at the map's level."""
    keys = [c.meta.code for c in ov.cards]
    others = [c for c in ov.available if c not in keys and c in ov.catalogue]
    if ov.indicator and ov.indicator not in keys and ov.indicator not in others:
        others.append(ov.indicator)
    name = lambda c: pick(*_meta_name(ov, c))  # noqa: E731
    groups = [(pick("ตัวชี้วัดหลัก", "Key indicators"), [(c, name(c)) for c in keys])]
    if others:
        groups.append(
            (pick("ตัวชี้วัดอื่น", "Other indicators"), sorted(((c, name(c)) for c in others), key=lambda x: x[1]))
        )
    return groups


def pdf_rows(table: Table) -> list[list[str]]:
    """A table's rows as the PDF writes them: numbers formatted, lights and arrows in words (Thai /
    English), small cells withheld."""
    out = []
    for row in table.rows:
        small = table.is_small_row(row)
        cells = []
        for c in table.columns:
            value = export_cell(c, row.get(c.key), small, table.min_cell)
            if c.kind in ("light", "arrow") and isinstance(value, str) and not small:
                value = value.split(" ", 1)[1] if " " in value else value  # words, not the symbol
            if isinstance(value, int | float) and not isinstance(value, bool):
                value = format_number(value, c.kind, c.digits)
            cells.append("–" if value in (None, "") else str(value))
        out.append(cells)
    return out


def overview_pdf_context(ov: sel.Overview, tables: dict[str, Table]) -> dict[str, Any]:
    title_th, title_en = _title(ov)
    now = timezone.localtime()
    areas = tables["esas" if ov.level == Level.ESA else "provinces"]
    return {
        "title_th": title_th,
        "title_en": title_en,
        "round": ov.state.round,
        "date_th": format_be(now.date(), "th", "long"),
        "date_en": format_be(now.date(), "en"),
        "ov": ov,
        "sections": [
            {"table": t, "headers": [c.bilingual for c in t.columns], "rows": pdf_rows(t)}
            for t in (tables["indicators"], areas, tables["movers"], tables["alerts"])
        ],
        "status": ov.status,
        "brief": ov.brief,
        "font_family": FONT_FAMILY,
    }


@login_required
@require_GET
def cockpit_pdf(request: HttpRequest) -> HttpResponse:
    loaded = _load(request)
    if isinstance(loaded, HttpResponse):
        return loaded
    actor, ov, problems = loaded
    if ov is None:
        context = {"crumbs": _crumbs(""), "title": pick(*_title(None)), "problems": problems, "ov": None}
        return render(request, TEMPLATES + "overview.html", context, status=400)
    if not ov.state.ready:
        return redirect((maybe_reverse("web:cockpit") or "/") + "?" + _query(ov))
    tables, _lists, _grid = tables_of(ov)
    html = render_to_string(PDF_TEMPLATE, overview_pdf_context(ov, tables))
    pdf = html_to_pdf(html)
    audit.record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        object_type="cockpit.overview",
        object_id=ov.state.run.pk if ov.state.run is not None else "",
        object_repr=f"overview pdf {ov.scope.code if ov.scope else 'nation'}",
        changes={"format": "pdf", "round": ov.state.round.pk if ov.state.round else None, "indicator": ov.indicator,
                 "level": ov.level},
    )  # fmt: skip
    response = HttpResponse(pdf, content_type="application/pdf")
    rnd = ov.state.round.code if ov.state.round is not None else "latest"
    response["Content-Disposition"] = f'attachment; filename="cockpit-{rnd.replace("/", "-")}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("cockpit/", cockpit, name="cockpit"),
    path("cockpit/pdf/", cockpit_pdf, name="cockpit_pdf"),
]
