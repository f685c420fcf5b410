"""Cockpit drill-down pages: an inspection region, an ESA or a school, and its PDF.

- ``cockpit_unit`` ``<unit_id>`` (``?round=&indicator=``): the unit's key indicators against
  targets and peers, its trend chart against its parent and the nation, its peer comparison,
  strengths and weaknesses in words, and its sub-units (a region's ESAs, an ESA's schools) in a
  sortable, filterable table (``?format=xlsx&table=subunits|indicators``: the same table as Excel).
  An ESA's page is also its self-view: schools at risk, report status, verified outstanding works
  and open alerts. The nation's unit redirects to the national overview (``web:cockpit``).
- ``cockpit_unit_pdf`` ``<unit_id>``: the same dashboard as a Thai PDF (lights and arrows in words,
  small cells suppressed, Buddhist-Era dates).

Scope: ``unit_get`` (404 for another ESA or its schools, as for an unknown id); the sub-units are
those in the actor's scope. Every link keeps ``round`` and ``indicator``.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from suksa.analytics.suppression import is_small, suppressed_label
from suksa.core import audit
from suksa.core.dates import format_be
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, Problem
from suksa.core.i18n import label_pair, pick
from suksa.core.models import AuditEntry, OrgUnit
from suksa.core.pdf import html_to_pdf
from suksa.core.policy import Actor, Perm
from suksa.domains.cockpit import selectors_overview as overview_sel
from suksa.domains.cockpit import selectors_units as sel
from suksa.domains.cockpit.models import Arrow, Figure, Light
from suksa.domains.cockpit.selectors import CockpitState, cockpit_state, unit_get
from suksa.domains.insights.models.choices import AlertSeverity, ClaimVerdict, Verdict
from suksa.domains.insights.selectors import rounds_with_runs
from suksa.domains.monitoring.models.choices import Domain, ReportStatus
from suksa.interfaces.web.charts import interval_option, interval_table, line_option, series_table
from suksa.interfaces.web.context import maybe_reverse, request_actor
from suksa.interfaces.web.params import id_param
from suksa.interfaces.web.tables import Column, Table, export_cell, table_from_request
from suksa.interfaces.web.views.cockpit.compare import short_pair

TEMPLATES = "web/cockpit/unit/"
LEVEL_LABELS = {
    "region": ("เขตตรวจราชการ", "Inspection region"),
    "esa": ("สำนักงานเขตพื้นที่การศึกษา", "ESA"),
    "school": ("โรงเรียน", "School"),
}
# Where the nation's unit goes: the national overview (and its PDF).
NATION_PAGE = {"cockpit_unit": "web:cockpit", "cockpit_unit_pdf": "web:cockpit_pdf", "": "web:cockpit"}
SIZE_BANDS = {
    "small": ("เล็ก", "Small"),
    "medium": ("กลาง", "Medium"),
    "large": ("ใหญ่", "Large"),
    "extra_large": ("ใหญ่พิเศษ", "Extra large"),
}


def guard(request: HttpRequest) -> Actor:
    actor = request_actor(request)
    if not actor.can_anywhere(Perm.INSIGHTS_VIEW):
        raise DjangoPermissionDenied
    return actor


# --- formatting -------------------------------------------------------------------------------------


def fmt_value(value: float | None, unit: str) -> str:
    """A figure's value as text: ``12.5%``, ``41.27``, ``1,234``; a dash when missing."""
    if value is None:
        return "–"
    if unit == "percent":
        return f"{value:,.1f}%"
    if unit in ("persons", "count"):
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def fmt_change(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    text = fmt_value(abs(value), unit)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def _pair(label: object) -> tuple[str, str]:
    return label_pair(label)


def light_pair(code: str) -> tuple[str, str]:
    return _pair(Light(code).label) if code in Light.values else ("", "")


def arrow_pair(code: str) -> tuple[str, str]:
    return _pair(Arrow(code).label) if code in Arrow.values else ("", "")


def _kind(board: sel.UnitDashboard, code: str) -> str:
    meta = board.names.get(code)
    return meta.period_kind if meta is not None else ""


def indicator_pair(board: sel.UnitDashboard, code: str) -> tuple[str, str]:
    name = board.names.get(code)
    return (name.name_th, name.name_en or name.name_th) if name else (code, code)


def unit_of(board: sel.UnitDashboard, code: str) -> str:
    name = board.names.get(code)
    return name.unit if name else ""


def unit_name(unit: OrgUnit) -> str:
    return pick(unit.name_th, unit.name_en or unit.name_th)


def card(board: sel.UnitDashboard, f: Figure) -> dict[str, Any]:
    """What a key-indicator card (and a row of the indicators table) shows of a figure."""
    u = unit_of(board, f.indicator)
    meta = board.names.get(f.indicator)
    kind = meta.period_kind if meta is not None else ""
    peer = f.peer or {}
    strength = peer.get("strength") or {}
    return {
        "f": f,
        "name": indicator_pair(board, f.indicator),
        "value": fmt_value(f.value, u),
        "previous": fmt_value(f.previous, u),
        "change": fmt_change(f.change, u),
        "target": fmt_value(f.target, u) if f.target is not None else "",
        "light": light_pair(f.light),
        "arrow": arrow_pair(f.arrow),
        "source": f"{pick(*overview_sel.source_label(f, meta))} · {overview_sel.source_ref(f)}",
        "period": pick(*overview_sel.period_label(f.period, kind)),
        "previous_period": pick(*overview_sel.period_label(f.previous_period, kind)),
        "peer": {
            "median": fmt_value(peer.get("median"), u) if peer.get("median") is not None else "",
            "p25": fmt_value(peer.get("p25"), u) if peer.get("p25") is not None else "",
            "p75": fmt_value(peer.get("p75"), u) if peer.get("p75") is not None else "",
            "rank": peer.get("rank"),
            "count": peer.get("count"),
            "group": pick(*overview_sel.peer_group_words(str(peer.get("group", "")))),
            "expected": fmt_value(peer.get("expected"), u) if peer.get("expected") is not None else "",
            "z": peer.get("z"),
        },
        "strength": {
            **strength,
            "verdict_label": _pair(Verdict(strength["verdict"]).label)
            if strength.get("verdict") in Verdict.values
            else ("", ""),
        },
    }


# --- links ----------------------------------------------------------------------------------------


def query(request: HttpRequest, board: sel.UnitDashboard | None) -> str:
    """``round`` (when asked for) and the chosen ``indicator``, for every link of the page."""
    params: dict[str, str] = {}
    if request.GET.get("round", "").strip():
        params["round"] = request.GET["round"].strip()
    indicator = board.indicator if board is not None else request.GET.get("indicator", "").strip()
    if indicator:
        params["indicator"] = indicator
    return urlencode(params)


def indicator_query(request: HttpRequest, indicator: str) -> str:
    params = {"round": request.GET["round"].strip()} if request.GET.get("round", "").strip() else {}
    return urlencode({**params, "indicator": indicator})


def with_query(url: str, q: str) -> str:
    return f"{url}?{q}" if q else url


def unit_url(unit: OrgUnit, q: str) -> str:
    if unit.kind == "nation":
        overview = maybe_reverse("web:cockpit")
        return with_query(overview, q) if overview else ""
    return with_query(reverse("web:cockpit_unit", args=[unit.pk]), q)


def crumbs(unit: OrgUnit, chain: list[OrgUnit], q: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for u in chain:
        label = pick("ภาพรวมประเทศ", "Nation") if u.kind == "nation" else unit_name(u)
        out.append({"label": label, "url": unit_url(u, q) or None})
    out.append({"label": unit_name(unit), "url": None})
    return out


# --- tables -----------------------------------------------------------------------------------------


def value_column(board: sel.UnitDashboard) -> Column:
    th, en = indicator_pair(board, board.indicator) if board.indicator else ("ค่า", "Value")
    kind = "percent" if unit_of(board, board.indicator) == "percent" else "number"
    return Column("value", th, en, kind, digits=1 if kind == "percent" else 2)


def _period(board: sel.UnitDashboard) -> tuple[str, str]:
    f = board.figure
    rnd = board.state.round
    rth = f" · {rnd.name_th}" if rnd else ""
    ren = f" · {rnd.name_en}" if rnd else ""
    if f is not None:
        return f"ช่วงเวลา {f.period}{rth}", f"period {f.period}{ren}"
    return rth.lstrip(" ·"), ren.lstrip(" ·")


def subunits_table(board: sel.UnitDashboard, q: str) -> Table:
    child = sel.CHILD_KIND.get(board.level, "")
    vc = value_column(board)
    change = Column("change", "เปลี่ยนแปลง", "Change", vc.kind, digits=vc.digits)
    columns = [
        Column("name", *LEVEL_LABELS.get(child, ("หน่วยงาน", "Unit")), kind="link", filterable=True),
        Column("code", "รหัส", "Code", filterable=True),
        vc,
        change,
        Column("light", "เทียบเป้าหมาย", "Against target", "light"),
        Column("arrow", "แนวโน้ม", "Trend", "arrow"),
        Column("period", "ช่วงเวลา", "Period"),
    ]
    if child == "school":
        columns += [
            Column("size_band", "ขนาด", "Size band", filterable=True),
            Column("learners", "นักเรียน", "Learners", "int"),
            Column("teachers", "ครู", "Teachers", "int"),
            Column("ptr", "นักเรียนต่อครู", "Learners per teacher", "number"),
        ]
    else:
        columns.append(Column("learners", "นักเรียน", "Learners", "int"))
    rows: list[dict[str, Any]] = []
    for s in board.subunits:
        f = s.figure
        row: dict[str, Any] = {
            "name": {"text": unit_name(s.unit), "url": unit_url(s.unit, q)},
            "code": s.unit.code,
            "value": f.value if f else None,
            "change": f.change if f else None,
            "light": f.light if f else None,
            "arrow": f.arrow if f else None,
            "period": f.period if f else "",
            "persons": f.persons if f else None,  # the headcount behind the value (suppression)
            "learners": f.persons if f else None,
        }
        if s.school is not None:
            band = SIZE_BANDS.get(s.school.size_band)
            row.update(
                size_band=pick(*band) if band else "",
                learners=s.school.student_count,
                teachers=s.school.teacher_count,
                ptr=s.school.pupil_teacher_ratio,
            )
        rows.append(row)
    title_th, title_en = {
        "school": ("โรงเรียนในสังกัด", "Schools"),
        "esa": ("สำนักงานเขตพื้นที่การศึกษาในเขตตรวจราชการ", "ESAs of the region"),
    }.get(child, ("หน่วยงานย่อย", "Sub-units"))
    pth, pen = _period(board)
    return Table(
        key="subunits", title_th=title_th, title_en=title_en, columns=columns, rows=rows,
        persons_key="persons", scope_th=board.unit.name_th, scope_en=board.unit.name_en or board.unit.name_th,
        period_th=pth, period_en=pen,
        source_th="ตัวเลขแดชบอร์ดจากการวิเคราะห์ข้อมูลเชิงลึกรอบปัจจุบัน",
        source_en="Dashboard figures of the current insights run",
    )  # fmt: skip


def indicators_table(board: sel.UnitDashboard) -> Table:
    columns = [
        Column("code", "รหัส", "Code", filterable=True),
        Column("name", "ตัวชี้วัด", "Indicator", filterable=True),
        Column("value", "ค่า", "Value", "number", digits=2),
        Column("period", "ช่วงเวลา", "Period"),
        Column("change", "เปลี่ยนแปลง", "Change", "number", digits=2),
        Column("target", "เป้าหมาย", "Target", "number", digits=2),
        Column("light", "เทียบเป้าหมาย", "Against target", "light"),
        Column("arrow", "แนวโน้ม", "Trend", "arrow"),
        Column("median", "ค่ากลางกลุ่มเทียบ", "Peer median", "number", digits=2),
        Column("rank", "อันดับในกลุ่ม", "Rank among peers", "int"),
        Column("source", "แหล่งข้อมูล", "Source"),
    ]
    rows = [
        {
            "code": f.indicator,
            "name": pick(*indicator_pair(board, f.indicator)),
            "value": f.value,
            "period": pick(*overview_sel.period_label(f.period, _kind(board, f.indicator))),
            "change": f.change,
            "target": f.target,
            "light": f.light,
            "arrow": f.arrow,
            "median": (f.peer or {}).get("median"),
            "rank": (f.peer or {}).get("rank"),
            "source": f"{pick(*overview_sel.source_label(f, board.names.get(f.indicator)))} · "
            f"{overview_sel.source_ref(f)}",
            "persons": f.persons,
        }
        for f in board.figures
    ]
    pth, pen = _period(board)
    return Table(
        key="indicators", title_th="ตัวชี้วัดของหน่วยงาน", title_en="The unit's indicators", columns=columns,
        rows=rows, persons_key="persons", scope_th=board.unit.name_th,
        scope_en=board.unit.name_en or board.unit.name_th, period_th=pth, period_en=pen,
        source_th="ตัวเลขแดชบอร์ดจากการวิเคราะห์ข้อมูลเชิงลึก", source_en="Dashboard figures of the insights run",
    )  # fmt: skip


# --- charts -----------------------------------------------------------------------------------------


def _kind_digits(board: sel.UnitDashboard) -> tuple[str, int]:
    return ("percent", 1) if unit_of(board, board.indicator) == "percent" else ("number", 2)


def trend_chart(board: sel.UnitDashboard) -> dict[str, Any] | None:
    """The chosen indicator's series of the unit against its parent's and the nation's (a school
    against its ESA, an ESA against its region), with the target line; and the same as a table."""
    f = board.figure
    if f is None or not f.series:
        return None
    series: list[dict[str, Any]] = []
    for role in ("unit", "parent", "nation"):
        fig = board.lineage.get(role)
        if fig is None or not fig.series or fig.unit is None:
            continue
        series.append(
            {"name": unit_name(fig.unit), "name_en": fig.unit.name_en or fig.unit.name_th,
             "points": [[str(p), v] for p, v in fig.series]}
        )  # fmt: skip
    kind, digits = _kind_digits(board)
    th, en = indicator_pair(board, board.indicator)
    option = line_option(
        series, pick("ร้อยละ", "%") if kind == "percent" else "", target=f.target, digits=digits
    )
    table = series_table("trend", (th, en), series, kind=kind, digits=digits,
                         source=("ตัวเลขแดชบอร์ดจากการวิเคราะห์ข้อมูลเชิงลึก", "Dashboard figures of the insights run"))  # fmt: skip
    return {"option": option, "table": table, "label_th": f"แนวโน้ม {th}", "label_en": f"Trend of {en}"}


def peer_chart(board: sel.UnitDashboard) -> dict[str, Any] | None:
    """A region among the regions the reader may see (a scoped reader: their own only), an ESA
    against its peer group; with the peers' median line and interquartile range."""
    f = board.figure
    if f is None or board.level == "school":
        return None
    peer = f.peer or {}
    rows: list[dict[str, Any]] = []
    if board.level == "region":
        rows = [
            {"label": pick(*short_pair(r.unit)), "value": r.value, "low": None, "high": None,
             "highlight": r.unit_id == board.unit.pk}
            for r in board.region_peers
            if r.unit is not None and r.value is not None
        ]  # fmt: skip
    elif f.value is not None:
        rows.append(
            {
                "label": pick(*short_pair(board.unit)),
                "value": f.value,
                "low": None,
                "high": None,
                "highlight": True,
            }
        )
    if peer.get("p25") is not None and peer.get("median") is not None:
        rows.append(
            {"label": pick("กลุ่มเทียบ (Q1–Q3)", "Peers (Q1–Q3)"),
             "value": peer["median"], "low": peer.get("p25"), "high": peer.get("p75"), "highlight": False}
        )  # fmt: skip
    if not rows:
        return None
    kind, digits = _kind_digits(board)
    th, en = indicator_pair(board, board.indicator)
    option = interval_option(
        rows, unit_label=pick("ร้อยละ", "%") if kind == "percent" else "", median=peer.get("median"),
        median_label=pick("ค่ากลางกลุ่มเทียบ", "Peer median"), digits=digits,
    )  # fmt: skip
    table = interval_table("peers", (th, en), rows, kind=kind, digits=digits)
    return {"option": option, "table": table, "label_th": f"เทียบกลุ่ม {th}", "label_en": f"Peers on {en}"}


# --- words ------------------------------------------------------------------------------------------


def words(board: sel.UnitDashboard) -> dict[str, list[tuple[str, str]]]:
    """Strengths and weaknesses in words: an ESA's context-adjusted verdicts (insights), then the
    key indicators on or off target and trends going the good or bad way significantly."""
    strong: list[tuple[str, str]] = []
    weak: list[tuple[str, str]] = []
    for s in board.strengths:
        if s.verdict == Verdict.STRONG and s.sentence_th:
            strong.append((s.sentence_th, s.sentence_en))
        elif s.verdict == Verdict.WEAK and s.sentence_th:
            weak.append((s.sentence_th, s.sentence_en))
    for f in board.key_figures:
        th, en = indicator_pair(board, f.indicator)
        u = unit_of(board, f.indicator)
        v, t = fmt_value(f.value, u), fmt_value(f.target, u)
        if f.light == Light.GREEN:
            strong.append(
                (f"{th} {v} ({f.period}) บรรลุเป้าหมาย {t}", f"{en} {v} ({f.period}) meets its target {t}")
            )
        elif f.light == Light.RED:
            weak.append(
                (f"{th} {v} ({f.period}) ต่ำกว่าเป้าหมาย {t}", f"{en} {v} ({f.period}) is off its target {t}")
            )
        if f.significant and f.good is True:
            strong.append((f"{th} ดีขึ้นอย่างมีนัยสำคัญ", f"{en} improving significantly"))
        elif f.significant and f.good is False:
            weak.append((f"{th} แย่ลงอย่างมีนัยสำคัญ", f"{en} worsening significantly"))
    for d in board.deviance:
        if d.is_deviant:
            th, en = indicator_pair(board, d.indicator)
            strong.append(
                (f"{th} สูงกว่าค่าที่คาดของกลุ่ม {d.residual:.1f} คะแนน", f"{en} {d.residual:.1f} points above its group's expected score")
            )  # fmt: skip
    return {"strong": strong, "weak": weak}


# --- context ----------------------------------------------------------------------------------------


def _report_context(board: sel.UnitDashboard) -> dict[str, Any] | None:
    r = board.report
    if r is None:
        return None
    status = r.report.status if r.report is not None else ""
    return {
        "r": r,
        "status": _pair(ReportStatus(status).label)
        if status in ReportStatus.values
        else ("ยังไม่เปิดรายงาน", "Not opened"),
        "url": reverse("web:report_detail", args=[r.report.pk])
        if r.report is not None and r.can_open
        else "",
    }


def live_parts(board: sel.UnitDashboard) -> dict[str, Any]:
    """What the ESA page reads at every request: its report status, verified works, open alerts."""
    return {
        "report": _report_context(board),
        "works": [
            {
                "w": w.work,
                "check": _pair(ClaimVerdict(w.check.verdict).label)
                if w.check is not None and w.check.verdict in ClaimVerdict.values
                else None,
            }
            for w in board.works
        ],
        "alerts": [
            {
                "a": a,
                "severity": _pair(AlertSeverity(a.severity).label),
                "url": reverse("web:alert", args=[a.pk]),
            }
            for a in (board.alerts.top if board.alerts else [])
        ],
        "alerts_url": with_query(maybe_reverse("web:alerts") or "", urlencode({"area": board.unit.pk})),
    }


def dashboard_context(request: HttpRequest, board: sel.UnitDashboard) -> dict[str, Any]:
    q = query(request, board)
    figure_cards = [card(board, f) for f in board.figures]
    unit_page = reverse("web:cockpit_unit", args=[board.unit.pk])
    for c in figure_cards:
        c["url"] = with_query(unit_page, indicator_query(request, c["f"].indicator))
    key_codes = set(board.key_codes)
    round_q = urlencode({"round": board.state.round.pk}) if board.state.round else ""
    ordered = sorted(board.strengths, key=lambda s: (bool(s.indicator), s.domain, s.indicator))
    return {
        "board": board,
        "q": q,
        "level_label": LEVEL_LABELS[board.level],
        "crumbs": crumbs(board.unit, board.chain, q),
        "cards": [c for c in figure_cards if c["f"].indicator in key_codes],
        "others": [c for c in figure_cards if c["f"].indicator not in key_codes],
        "chosen": card(board, board.figure) if board.figure is not None else None,
        "chosen_name": indicator_pair(board, board.indicator) if board.indicator else ("", ""),
        "indicator_choices": sorted(
            {(f.indicator, indicator_pair(board, f.indicator)) for f in board.figures},
            key=lambda c: c[0],
        ),
        "rounds": rounds_with_runs(),
        "trend": trend_chart(board),
        "peers": peer_chart(board),
        "strengths": [
            {
                "s": s,
                "first_indicator": bool(s.indicator) and (i == 0 or not ordered[i - 1].indicator),
                "domain": _pair(Domain(s.domain).label)
                if s.domain in Domain.values
                else (s.domain, s.domain),
                "verdict": _pair(Verdict(s.verdict).label)
                if s.verdict in Verdict.values
                else (s.verdict, s.verdict),
                "indicator": indicator_pair(board, s.indicator) if s.indicator else ("", ""),
                "group": overview_sel.peer_group_words(s.peer_group),
            }
            for i, s in enumerate(ordered)
        ],
        "strengths_url": with_query(reverse("web:insights_unit_strengths", args=[board.unit.pk]), round_q)
        if board.level == "esa"
        else "",
        "deviance": [
            {
                "d": d,
                "name": indicator_pair(board, d.indicator),
                "group_url": reverse("web:insights_school_group", args=[d.group_id]),
            }
            for d in board.deviance
        ],
        "words": words(board),
        "subunits": subunits_table(board, q) if board.level in sel.CHILD_KIND else None,
        **live_parts(board),
        "at_risk": [
            {"school": r.school, "reasons": r.reasons, "url": unit_url(r.school, q)} for r in board.at_risk
        ],
        "risk": {"z": sel.RISK_Z, "drop": sel.RISK_DROP, "ptr": sel.RISK_PTR},
        "pdf_url": with_query(reverse("web:cockpit_unit_pdf", args=[board.unit.pk]), q),
        "size_band": SIZE_BANDS.get(board.school.size_band, ("", "")) if board.school else ("", ""),
    }


# --- views ------------------------------------------------------------------------------------------


def _problems_page(request: HttpRequest, problems: list[Problem]) -> HttpResponse:
    """The bad parameters, named, with the way back: this page without them, and the overview."""
    context = {"problems": problems, "back_url": request.path, "cockpit_url": maybe_reverse("web:cockpit")}
    return render(request, TEMPLATES + "problems.html", context, status=400)


def _load(request: HttpRequest, unit_id: int) -> sel.UnitDashboard | HttpResponse:
    actor = guard(request)
    try:
        unit = unit_get(actor, unit_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    round_id, problems = id_param(request, "round", "รอบการรายงาน", "round")
    indicator = request.GET.get("indicator", "").strip()
    if unit.kind == "nation":
        overview = maybe_reverse(
            NATION_PAGE.get(
                request.resolver_match.url_name or "" if request.resolver_match else "", "web:cockpit"
            )
        )
        if overview is None:
            raise Http404
        return HttpResponseRedirect(with_query(overview, query(request, None)))
    if problems:
        return _problems_page(request, problems)
    try:
        return sel.unit_dashboard(actor, unit, round_id, indicator)
    except NotFoundOrNoAccess:
        raise Http404 from None
    except InvalidInput as error:
        return _problems_page(request, error.problems)


UNIT_CACHE_SECONDS = 600
LIVE_MARK = "<!--cockpit-live-panels-->"


def _page(request: HttpRequest, cached: dict[str, Any], live_html: str) -> HttpResponse:
    body = str(cached["body"]).replace(LIVE_MARK, live_html)
    context = {"body": mark_safe(body), "title": cached["title"], "crumbs": cached["crumbs"]}  # noqa: S308
    return render(request, TEMPLATES + "page.html", context)


def _cache_key(request: HttpRequest, actor: Actor, unit: OrgUnit, state: CockpitState) -> str | None:
    """The cache key of a unit page's figure parts, or None when there is nothing to cache (no run's
    figures yet). The scope is part of it: a region page lists only the ESAs the reader may see."""
    if state.run is None or state.summary is None:
        return None
    scope = ",".join(actor.scope_paths(Perm.INSIGHTS_VIEW))
    return ":".join(
        [
            "cockpit-unit",
            str(state.run.pk),
            state.summary.built_at.isoformat(),
            str(unit.pk),
            hashlib.sha256(scope.encode()).hexdigest()[:16],
            get_language() or "th",
            hashlib.sha256(urlencode(sorted(request.GET.items())).encode()).hexdigest()[:16],
        ]
    )


def _live_html(request: HttpRequest, board: sel.UnitDashboard) -> str:
    if board.level != "esa":
        return ""
    return render_to_string(TEMPLATES + "esa_live.html", {"board": board, **live_parts(board)}, request)


@login_required
@require_GET
def cockpit_unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The unit page. Its figure parts (everything but the ESA's report status, works and alerts)
    are rendered once per run, unit, scope, language and query and then served from the cache;
    the live panels are read at every request. Exports and the nation's redirect take the full path."""
    if request.GET.get("format"):
        return _unit_page(request, unit_id)
    actor = guard(request)
    try:
        unit = unit_get(actor, unit_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    round_id, problems = id_param(request, "round", "รอบการรายงาน", "round")
    if unit.kind == "nation" or problems:
        return _unit_page(request, unit_id)
    try:
        state = cockpit_state(round_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    key = _cache_key(request, actor, unit, state)
    cached = cache.get(key) if key is not None else None
    if cached is not None:
        live = sel.UnitDashboard(
            unit=unit, level=unit.kind, chain=[], state=state, names={}, indicator="",
            figures=[], key_codes=[], lineage={},
        )  # fmt: skip
        if unit.kind == "esa":
            sel.fill_live(actor, live)
        return _page(request, cast(dict[str, Any], cached), _live_html(request, live))
    board = _load(request, unit_id)
    if isinstance(board, HttpResponse):
        return board
    context = dashboard_context(request, board)
    context["indicators_table"] = indicators_table(board)
    fresh = {
        "body": render_to_string(TEMPLATES + "body.html", context, request),
        "title": pick(board.unit.name_th, board.unit.name_en or board.unit.name_th),
        "crumbs": context["crumbs"],
    }
    if key is not None:
        cache.set(key, fresh, UNIT_CACHE_SECONDS)
    return _page(request, fresh, _live_html(request, board))


def _unit_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The page computed in full: exports (``?format=xlsx``), bad parameters, the nation's redirect."""
    board = _load(request, unit_id)
    if isinstance(board, HttpResponse):
        return board
    q = query(request, board)
    tables = {"indicators": indicators_table(board)}
    if board.level in sel.CHILD_KIND:
        tables["subunits"] = subunits_table(board, q)
    export = table_from_request(request, tables, audit_object="cockpit.unit")
    if export is not None:
        return export
    context = dashboard_context(request, board)
    context["indicators_table"] = tables["indicators"]
    fresh = {
        "body": render_to_string(TEMPLATES + "body.html", context, request),
        "title": pick(board.unit.name_th, board.unit.name_en or board.unit.name_th),
        "crumbs": context["crumbs"],
    }
    return _page(request, fresh, _live_html(request, board))


# --- PDF --------------------------------------------------------------------------------------------


def pdf_rows(table: Table) -> list[list[str]]:
    """A table's cells as the export writes them (bilingual words, small cells suppressed)."""
    out: list[list[str]] = []
    for row in table.rows:
        small = table.is_small_row(row)
        cells = []
        for c in table.columns:
            v = export_cell(c, row.get(c.key), small, table.min_cell)
            if isinstance(v, float):
                v = f"{v:,.{c.digits}f}" + ("%" if c.kind == "percent" else "")
            elif isinstance(v, int):
                v = f"{v:,}"
            cells.append("–" if v in (None, "") else str(v))
        out.append(cells)
    return out


def pdf_context(request: HttpRequest, board: sel.UnitDashboard) -> dict[str, Any]:
    ctx = dashboard_context(request, board)
    now = timezone.localtime()
    th_s, en_s = suppressed_label()
    key_cards = ctx["cards"] or ctx["others"]
    for c in key_cards:
        small = c["f"].persons is not None and is_small(c["f"].persons)
        c["pdf_value"] = f"{th_s} / {en_s}" if small else c["value"]
    ctx.update(
        {
            "pdf_cards": key_cards,
            "exported_th": format_be(now, "th"),
            "exported_en": format_be(now, "en"),
            "sub_table": ctx["subunits"],
            "sub_rows": pdf_rows(ctx["subunits"]) if ctx["subunits"] is not None else [],
            "level_label": LEVEL_LABELS[board.level],
            "report_due_th": format_be(board.report.due_on, "th") if board.report else "",
            "report_due_en": format_be(board.report.due_on, "en") if board.report else "",
            "report_submitted_th": format_be(board.report.submitted_at, "th")
            if board.report and board.report.submitted_at
            else "",
            "report_submitted_en": format_be(board.report.submitted_at, "en")
            if board.report and board.report.submitted_at
            else "",
        }
    )
    return ctx


@login_required
@require_GET
def cockpit_unit_pdf(request: HttpRequest, unit_id: int) -> HttpResponse:
    board = _load(request, unit_id)
    if isinstance(board, HttpResponse):
        return board
    html = render_to_string(TEMPLATES + "pdf.html", pdf_context(request, board), request=request)
    pdf = html_to_pdf(html)
    actor = request_actor(request)
    audit.record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        object_type="cockpit.unit",
        object_id=board.unit.pk,
        object_repr=f"{board.unit.code} pdf",
        unit_path=board.unit.path,
        changes={"format": "pdf", "round": board.state.round.pk if board.state.round else None,
                 "indicator": board.indicator},
    )  # fmt: skip
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = format_be(timezone.localdate(), style="iso")
    response["Content-Disposition"] = f'attachment; filename="cockpit-{board.unit.code}-{stamp}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("cockpit/unit/<int:unit_id>/", cockpit_unit, name="cockpit_unit"),
    path("cockpit/unit/<int:unit_id>/pdf/", cockpit_unit_pdf, name="cockpit_unit_pdf"),
]
