"""Cockpit page: the case gallery — the round's shortlisted case studies with their evidence.

- ``cockpit_cases`` (``?round=``): a card per pick the actor may see (who sees which pick:
  :mod:`suksa.domains.insights.selectors_cases`; an ESA reader sees only their own ESA's card, if
  it was picked) with why it was picked, its work checks, strengths, practice finding, key numbers
  with period and source, its positive-deviant schools, and links to the ESA's cockpit page, the
  insights shortlist and work checks, and the briefs. Below the cards, the shortlist as a table
  (``?format=xlsx&table=cases`` downloads it).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.i18n import pick
from suksa.domains.cockpit import selectors_cases as sel
from suksa.domains.cockpit import selectors_overview as overview_sel
from suksa.domains.cockpit.models import Figure
from suksa.domains.cockpit.selectors_overview import IndicatorMeta as IndicatorName
from suksa.domains.cockpit.selectors_overview import indicator_catalogue as indicator_names
from suksa.domains.insights.lexicon import PRACTICES
from suksa.domains.insights.models.choices import ClaimVerdict
from suksa.domains.insights.selectors import rounds_with_runs
from suksa.interfaces.web.context import maybe_reverse
from suksa.interfaces.web.params import id_param
from suksa.interfaces.web.tables import Column, Table, display_cell, table_from_request
from suksa.interfaces.web.views.cockpit.compare import (
    cockpit_crumbs,
    column_kind,
    indicator_label,
    unit_url,
    withheld,
)
from suksa.interfaces.web.views.insights.schools import guard

TEMPLATES = "web/cockpit/"
# Domain themes of a pick (insights.services.cases), for a theme that is not a practice.
DOMAINS: dict[str, tuple[str, str]] = {
    "learning": ("ผลสัมฤทธิ์ทางการเรียน", "Learning outcomes"),
    "retention": ("การคงอยู่ในระบบ", "Retention"),
    "access": ("การเข้าถึงการศึกษา", "Access"),
    "management": ("การบริหารจัดการ", "Management"),
    "digital": ("ดิจิทัล", "Digital"),
    "safety": ("ความปลอดภัย", "Safety"),
}
VERDICT_CLASS = {
    ClaimVerdict.SUPPORTED: "text-bg-success",
    ClaimVerdict.UNSUPPORTED: "text-bg-danger",
    ClaimVerdict.NO_DATA: "text-bg-secondary",
}


def theme_label(theme: str) -> str:
    if not theme:
        return ""
    practice = PRACTICES.get(theme)
    if practice is not None:
        return pick(practice.name_th, practice.name_en or practice.name_th)
    th, en = DOMAINS.get(theme, (theme, theme))
    return pick(th, en)


def number_of(f: Figure, names: dict[str, IndicatorName]) -> dict[str, Any]:
    """A card's key number: name, value text (or withheld), period, source, light."""
    kind = column_kind(names.get(f.indicator))
    small = withheld(f)
    value = display_cell(Column("v", "", "", kind, 2), f.value, small)
    change = display_cell(Column("c", "", "", "number", 2), f.change, small)
    light = display_cell(Column("l", "", "", "light"), f.light, small)
    meta = names.get(f.indicator)
    th, en = overview_sel.source_label(f, meta)
    return {
        "code": f.indicator,
        "label": indicator_label(f.indicator, names),
        "value": value.text,
        "change": change.text,
        "light": light.text,
        "light_key": "" if small else f.light,
        "period": pick(*overview_sel.period_label(f.period, meta.period_kind if meta else "")),
        "source": f"{pick(th, en)} · {overview_sel.source_ref(f)}",
    }


def card_of(card: sel.Card, names: dict[str, IndicatorName], round_id: int | None) -> dict[str, Any]:
    p = card.pick
    query = urlencode({"round": round_id} if round_id else {})
    works = maybe_reverse("web:insights_work_checks")
    return {
        "c": card,
        "theme": theme_label(p.theme),
        "unit_url": unit_url(p.esa, round_id),
        "works_url": f"{works}?{urlencode({'round': round_id or '', 'esa': p.esa_id})}" if works else "",
        "insights_url": (maybe_reverse("web:insights_cases") or "") + (f"?{query}" if query else ""),
        "brief_url": maybe_reverse("web:brief", card.brief.pk) if card.brief is not None else "",
        "checks": [
            {
                "check": c,
                "label": ClaimVerdict(c.verdict).label,
                "badge": VERDICT_CLASS.get(ClaimVerdict(c.verdict), ""),
            }
            for c in card.checks
        ],
        "numbers": [number_of(f, names) for f in card.figures],
    }


def shortlist_table(view: sel.Gallery, round_id: int | None) -> Table:
    rows = []
    for card in view.cards:
        p = card.pick
        rows.append(
            {
                "rank": p.rank,
                "esa": {
                    "text": f"{p.esa.code} {pick(p.esa.name_th, p.esa.name_en or p.esa.name_th)}",
                    "url": unit_url(p.esa, round_id),
                },
                "score": p.score,
                "theme": theme_label(p.theme),
                "reason": pick(p.reason_th, p.reason_en or p.reason_th),
                "works": sum(1 for c in card.checks if c.verdict == ClaimVerdict.SUPPORTED),
                "schools": len(p.evidence.get("deviant_schools", [])),
                "strengths": len(p.evidence.get("strengths", [])),
                "quality": pick("ข้อมูลมีข้อสังเกต", "Data flagged") if p.quality != "ok" else pick("ปกติ", "OK"),
            }
        )
    rnd = view.round
    return Table(
        key="cases",
        title_th="กรณีศึกษาที่คัดเลือก",
        title_en="Case-study shortlist",
        columns=[
            Column("rank", "ลำดับ", "Rank", "int"),
            Column("esa", "สำนักงานเขตพื้นที่", "ESA", "link", filterable=True),
            Column("score", "คะแนน", "Score", "number", 2),
            Column("theme", "ประเด็น", "Theme", filterable=True),
            Column("reason", "เหตุผล", "Reason", sortable=False, filterable=True),
            Column("works", "ผลงานที่มีข้อมูลสนับสนุน", "Supported works", "int"),
            Column("schools", "โรงเรียนต้นแบบ", "Positive-deviant schools", "int"),
            Column("strengths", "จุดเด่น", "Strengths", "int"),
            Column("quality", "คุณภาพข้อมูล", "Data quality"),
        ],
        rows=rows,
        scope_th="ทั้งประเทศ" if view.national else "เฉพาะในความรับผิดชอบของผู้ส่งออก",
        scope_en="Nation" if view.national else "The exporter's scope only",
        period_th=f"รอบการรายงาน {rnd.name_th}" if rnd else "",
        period_en=f"Reporting round {rnd.name_en or rnd.name_th}" if rnd else "",
        source_th="การคัดเลือกกรณีศึกษาของการวิเคราะห์ข้อมูลเชิงลึกรอบนี้",
        source_en="The insights run's case-study shortlist",
    )


@login_required
@require_GET
def cockpit_cases(request: HttpRequest) -> HttpResponse:
    actor = guard(request)
    round_id, problems = id_param(request, "round", "รอบการรายงาน", "round")
    context: dict[str, Any] = {
        "crumbs": cockpit_crumbs((pick("กรณีศึกษา", "Case gallery"), None)),
        "problems": problems,
        "rounds": rounds_with_runs(),
        "view": None,
    }
    if problems:
        return render(request, TEMPLATES + "cases.html", context, status=400)
    try:
        view = sel.gallery(actor, round_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    rid = view.round.pk if view.round else None
    table = shortlist_table(view, rid)
    export = table_from_request(request, {"cases": table}, audit_object="cockpit.cases")
    if export is not None:
        return export
    names = indicator_names()
    query = f"?{urlencode({'round': rid})}" if rid else ""
    latest = view.latest_brief
    context.update(
        view=view,
        cards=[card_of(c, names, rid) for c in view.cards],
        table=table,
        briefs_url=reverse("web:briefs") + query,
        latest_brief_url=reverse("web:brief", args=[latest.pk]) if latest is not None else "",
        insights_url=reverse("web:insights_cases") + query,
    )
    return render(request, TEMPLATES + "cases.html", context)


urlpatterns: list[URLPattern] = [
    path("cockpit/cases/", cockpit_cases, name="cockpit_cases"),
]
