"""Monitoring (e-MES) pages: the national status board and the reporting burden.

- ``monitoring_status`` (``?round=<id>``, default the current open round): where every ESA's
  report stands — counts by status, completeness and timeliness, late and overdue reports, and a
  table of all ESAs in the viewer's scope (filter by region and status, sortable) linking to each
  report. Set-based: a handful of queries for all 245 ESAs.
- ``monitoring_burden`` (``?round=<id>`` highlights one round): fields asked of the ESA versus
  pre-filled, and editing time, per round, with the reduction against a paper form and against the
  previous round.
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

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.i18n import pick
from suksa.core.policy import Perm
from suksa.domains.monitoring import selectors_status as sel
from suksa.domains.monitoring.models import Round
from suksa.domains.monitoring.selectors import round_get, rounds_all
from suksa.interfaces.web.context import maybe_reverse, request_actor

TEMPLATES = "web/monitoring/status/"
PK_MAX = 2**63 - 1

PHASE_LABELS = {
    "upcoming": ("ยังไม่เปิด", "Not open yet"),
    "open": ("เปิดรับรายงาน", "Open"),
    "overdue": ("เลยกำหนดส่ง (ยังไม่ปิดรอบ)", "Past due (not locked)"),
    "locked": ("ปิดรอบแล้ว", "Locked"),
}
SORTS: dict[str, Any] = {
    "code": lambda r: r.esa_code,
    "name": lambda r: r.esa_name_th,
    "region": lambda r: (r.region_code, r.esa_code),
    "status": lambda r: (sel.STATUS_ORDER.index(r.status), r.esa_code),
    "due": lambda r: (r.days_to_due is None, r.days_to_due if r.days_to_due is not None else 0, r.esa_code),
    "submitted": lambda r: (
        r.submitted_at is None,
        r.submitted_at.isoformat() if r.submitted_at else "",
        r.esa_code,
    ),
    "problems": lambda r: (r.open_problems, r.esa_code),
    "works": lambda r: (r.works_checked, r.esa_code),
}


def _round_param(request: HttpRequest, default: Round | None) -> Round | None:
    raw = request.GET.get("round")
    if not raw:
        return default
    try:
        rid = int(raw)
        if not 0 < rid <= PK_MAX:
            raise ValueError
        return round_get(rid)
    except (ValueError, NotFoundOrNoAccess):
        raise Http404 from None


def _crumbs(last: str) -> list[dict[str, Any]]:
    crumbs: list[dict[str, Any]] = []
    home = maybe_reverse("web:monitoring_home")
    if home:
        crumbs.append({"label": pick("การติดตามและประเมินผล", "Monitoring"), "url": home})
    crumbs.append({"label": last, "url": None})
    return crumbs


@login_required
@require_GET
def monitoring_status(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not sel.may_see_board(actor):
        raise DjangoPermissionDenied
    rnd = _round_param(request, sel.current_round())
    context: dict[str, Any] = {
        "crumbs": _crumbs(pick("สถานะการรายงานทั้งประเทศ", "National status board")),
        "rounds": list(rounds_all()[:24]),
        "chosen": rnd,
        "board": None,
    }
    if rnd is None:
        return render(request, TEMPLATES + "board.html", context)
    board = sel.status_board(actor, rnd)
    region = request.GET.get("region", "")
    status = request.GET.get("status", "")
    sort = request.GET.get("sort", "code")
    if sort not in SORTS:
        sort = "code"
    direction = "desc" if request.GET.get("dir") == "desc" else "asc"
    rows = [
        r
        for r in board.rows
        if (not region or r.region_code == region) and (not status or r.status == status)
    ]
    rows.sort(key=SORTS[sort], reverse=direction == "desc")
    reviews = sel.is_bureau(actor) or actor.can_anywhere(Perm.REPORT_REVIEW)
    detail = maybe_reverse("web:report_detail", 1) is not None
    for r in rows:
        r.url = ""  # type: ignore[attr-defined]
        if r.report_id is not None:
            if detail and (actor.can_anywhere(Perm.REPORT_VIEW)):
                r.url = reverse("web:report_detail", args=[r.report_id])  # type: ignore[attr-defined]
            elif reviews:
                r.url = reverse("web:review_report", args=[r.report_id])  # type: ignore[attr-defined]
    base = {"round": rnd.pk, "region": region, "status": status}

    def query(**kw: Any) -> str:
        params = {k: v for k, v in {**base, **kw}.items() if v not in ("", None)}
        return "?" + urlencode(params)

    context.update(
        {
            "board": board,
            "phase_label": PHASE_LABELS[board.phase],
            "rows": rows,
            "status_counts": [(code, sel.STATUS_LABELS[code], n) for code, n in board.by_status.items()],
            "regions": board.by_region,
            "region": region,
            "status": status,
            "sort": sort,
            "dir": direction,
            "sort_urls": {
                key: query(sort=key, dir="desc" if sort == key and direction == "asc" else "asc")
                for key in SORTS
            },
            "filter_base": query(),
            "review_queue_url": reverse("web:review_queue") if reviews else "",
            "quality_url": maybe_reverse("web:monitoring_quality") or "",
            "burden_url": reverse("web:monitoring_burden") if sel.may_see_burden(actor) else "",
        }
    )
    return render(request, TEMPLATES + "board.html", context)


@login_required
@require_GET
def monitoring_burden(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not sel.may_see_burden(actor):
        raise DjangoPermissionDenied
    rows = sel.burden_by_round()
    chosen_round = _round_param(request, None)
    chosen: sel.BurdenRow | None
    if chosen_round is not None:
        chosen = next(r for r in rows if r.round_id == chosen_round.pk)
    else:
        with_reports = [r for r in rows if r.reports]
        chosen = with_reports[-1] if with_reports else None
    context = {
        "crumbs": _crumbs(pick("ภาระการรายงาน", "Reporting burden")),
        "rows": list(reversed(rows)),
        "chosen": chosen,
        "status_url": reverse("web:monitoring_status"),
    }
    return render(request, TEMPLATES + "burden.html", context)


urlpatterns: list[URLPattern] = [
    path("monitoring/status/", monitoring_status, name="monitoring_status"),
    path("monitoring/burden/", monitoring_burden, name="monitoring_burden"),
]
