"""Insights pages: which ESA is strong (at what) against peers of similar context, and efficiency.

- ``insights_strengths`` (``?round=&domain=``): the ESAs of one domain ranked by context-adjusted
  score, each with its 90 % interval and the peer median (inline SVG and the same in a table);
  strong and weak highlighted. A scoped user sees their own ESA(s) and aggregates only (how many
  ESAs are strong, weak, typical) — never another ESA's name or score.
- ``insights_unit_strengths`` ``<unit_id>`` (``?round=``): one ESA, every domain against its peer
  median, and the indicators (values with where they are stored) behind each.
- ``insights_efficiency`` (``?round=&model=ccr|bcc``): DEA scores, scale efficiency, inputs and
  outputs, and each ESA's reference set — anonymised for a scoped user, with the composite
  benchmark it defines.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, Problem
from suksa.core.i18n import label_pair, pick
from suksa.core.policy import Perm
from suksa.domains.insights import selectors_strengths as sel
from suksa.domains.insights.models.choices import Verdict
from suksa.domains.insights.selectors import rounds_with_runs
from suksa.domains.insights.services.strengths import DOMAINS
from suksa.domains.monitoring.models.choices import Domain
from suksa.interfaces.web.context import maybe_reverse, request_actor
from suksa.interfaces.web.params import PK_MAX

TEMPLATES = "web/insights/strengths/"
# The SVG axis: standardised scores from −AXIS to +AXIS (values beyond are drawn at the edge).
AXIS = 4.0
WIDTH = 320
ROW = 22


def _round_param(request: HttpRequest) -> tuple[int | None, list[Problem]]:
    raw = request.GET.get("round", "")
    if not raw:
        return None, []
    try:
        n = int(raw)
        if 0 < n <= PK_MAX:
            return n, []
    except ValueError:
        pass
    return None, [
        Problem(
            code="invalid_filter",
            th="ค่ารอบการรายงาน (round) ไม่ถูกต้อง ต้องเป็นเลขจำนวนเต็มบวก",
            en="Invalid round; a positive whole number",
            field="round",
        )
    ]


def _crumbs(*items: tuple[str, str | None]) -> list[dict[str, Any]]:
    crumbs: list[dict[str, Any]] = []
    home = maybe_reverse("web:insights_home")
    if home:
        crumbs.append({"label": pick("ข้อมูลเชิงลึก", "Insights"), "url": home})
    crumbs.extend({"label": label, "url": url} for label, url in items)
    return crumbs


def _x(v: float | None) -> float:
    v = 0.0 if v is None else max(-AXIS, min(AXIS, v))
    return round((v + AXIS) / (2 * AXIS) * WIDTH, 1)


def bar(row: Any) -> dict[str, Any]:
    """Positions (px) of a row's interval, score and peer median on the shared axis."""
    return {
        "low": _x(row.low),
        "high": _x(row.high),
        "score": _x(row.score),
        "median": _x(row.peer_median) if row.peer_median is not None else None,
        "has_interval": row.low is not None and row.high is not None,
    }


def _verdict_label(code: str) -> tuple[str, str]:
    return label_pair(Verdict(code).label) if code in Verdict.values else (code, code)


def _domain_label(code: str) -> tuple[str, str]:
    return label_pair(Domain(code).label) if code in Domain.values else (code, code)


def _guard(request: HttpRequest) -> Any:
    actor = request_actor(request)
    if not actor.can_anywhere(Perm.INSIGHTS_VIEW):
        raise DjangoPermissionDenied
    return actor


@login_required
@require_GET
def insights_strengths(request: HttpRequest) -> HttpResponse:
    actor = _guard(request)
    round_id, problems = _round_param(request)
    domain = request.GET.get("domain", "") or "learning"
    if domain not in DOMAINS:
        problems += sel.bad_domain(domain).problems
    context: dict[str, Any] = {
        "crumbs": _crumbs((pick("จุดเด่นของเขตพื้นที่", "ESA strengths"), None)),
        "problems": problems,
        "domains": [(d, _domain_label(d)) for d in DOMAINS],
        "domain": domain,
        "rounds": rounds_with_runs(),
        "board": None,
        "width": WIDTH,
        "row_height": ROW,
        "efficiency_url": reverse("web:insights_efficiency"),
    }
    if problems:
        return render(request, TEMPLATES + "board.html", context, status=400)
    try:
        board = sel.strength_board(actor, round_id, domain)
    except NotFoundOrNoAccess:
        raise Http404 from None
    rows = [
        {
            "row": r,
            "bar": bar(r),
            "verdict_label": _verdict_label(r.verdict),
            "url": reverse("web:insights_unit_strengths", args=[r.unit_id]),
            "y": i * ROW,
        }
        for i, r in enumerate(board.rows)
    ]
    context.update(
        {
            "board": board,
            "rows": rows,
            "svg_height": max(ROW, len(rows) * ROW),
            "zero_x": _x(0.0),
            "counts": [(v, _verdict_label(v), board.verdict_counts.get(v, 0)) for v in Verdict.values],
            "round_query": urlencode({"round": board.round.pk}) if board.round else "",
        }
    )
    return render(request, TEMPLATES + "board.html", context)


@login_required
@require_GET
def insights_unit_strengths(request: HttpRequest, unit_id: int) -> HttpResponse:
    actor = _guard(request)
    round_id, problems = _round_param(request)
    if problems:
        raise Http404
    try:
        view = sel.unit_strengths(actor, unit_id, round_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    domains = [
        {
            "row": r,
            "bar": bar(r),
            "label": _domain_label(r.domain),
            "verdict_label": _verdict_label(r.verdict),
            "indicators": [
                {
                    "row": i,
                    "bar": bar(i),
                    "verdict_label": _verdict_label(i.verdict),
                    "evidence": i.data.get("indicators", [{}])[0],
                }
                for i in view.indicators.get(r.domain, [])
            ],
        }
        for r in view.domains
    ]
    context = {
        "crumbs": _crumbs(
            (pick("จุดเด่นของเขตพื้นที่", "ESA strengths"), reverse("web:insights_strengths")),
            (pick(view.unit.name_th, view.unit.name_en or view.unit.name_th), None),
        ),
        "view": view,
        "domains": domains,
        "width": WIDTH,
        "zero_x": _x(0.0),
    }
    return render(request, TEMPLATES + "unit.html", context)


@login_required
@require_GET
def insights_efficiency(request: HttpRequest) -> HttpResponse:
    actor = _guard(request)
    round_id, problems = _round_param(request)
    model = request.GET.get("model", "") or "bcc"
    try:
        board = sel.efficiency_board(actor, round_id, model) if not problems else None
    except InvalidInput as error:
        problems, board = error.problems, None
    context = {
        "crumbs": _crumbs(
            (pick("จุดเด่นของเขตพื้นที่", "ESA strengths"), reverse("web:insights_strengths")),
            (pick("ประสิทธิภาพ (DEA)", "Efficiency (DEA)"), None),
        ),
        "problems": problems,
        "board": board,
        "model": model,
        "models": [
            ("ccr", ("ผลตอบแทนต่อขนาดคงที่ (CCR)", "Constant returns (CCR)")),
            ("bcc", ("ผลตอบแทนต่อขนาดแปรผัน (BCC)", "Variable returns (BCC)")),
        ],
        "rounds": rounds_with_runs(),
    }
    return render(request, TEMPLATES + "efficiency.html", context, status=400 if problems else 200)


urlpatterns: list[URLPattern] = [
    path("insights/strengths/", insights_strengths, name="insights_strengths"),
    path("insights/strengths/<int:unit_id>/", insights_unit_strengths, name="insights_unit_strengths"),
    path("insights/efficiency/", insights_efficiency, name="insights_efficiency"),
]
