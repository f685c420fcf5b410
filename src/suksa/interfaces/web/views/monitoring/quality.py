"""Data-quality pages: the round's board for the bureau (completeness, timeliness and each ESA's
blocking issues and warnings) and one report's quality panel for the ESA filling it.

The board (``?round=<id>``, by default the latest open round) shows the rows of the ESAs the
actor sees (``selectors_quality.visible_esa_ids``): the nation all 245, an inspector their region,
ESA staff their own office. Issues are computed for all shown reports at once, in a fixed number
of queries. The panel (``web/monitoring/partials/quality_panel.html``) is included by the report
editor; :func:`report_quality` renders it alone for an HTMX refresh (``HX-Request``) or as a page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.i18n import current_language, label_pair, pick
from suksa.domains.monitoring import selectors_quality as sel
from suksa.domains.monitoring.models.choices import ReportStatus
from suksa.domains.monitoring.services import quality as svc
from suksa.interfaces.web.context import maybe_reverse, request_actor

FLAGS: dict[str, tuple[str, str]] = {
    "missing": ("ไม่มีรายงาน", "No report"),
    "not_submitted": ("ยังไม่ส่ง", "Not submitted"),
    "late": ("ส่งล่าช้า", "Late"),
    "incomplete": ("ข้อมูลไม่ครบ (< 90%)", "Incomplete (< 90%)"),
    "blocking": ("มีข้อผิดพลาดที่ต้องแก้ไข", "Blocking errors"),
    "uncommented": ("มีคำเตือนที่ยังไม่อธิบาย", "Unanswered warnings"),
    "clean": ("ไม่มีประเด็น", "No issues"),
}
SORTS = ("esa", "region", "status", "submitted", "content", "blocking", "warnings")
PK_MAX = 2**63 - 1


def _int(raw: str | None) -> int | None:
    try:
        n = int(raw or "")
    except ValueError:
        return None
    return n if 0 < n <= PK_MAX else None


def _status_label(status: str) -> str:
    if status == "missing":
        return pick("ไม่มีรายงาน", "No report")
    return pick(*label_pair(ReportStatus(status).label))


def _timing(row: dict[str, Any]) -> tuple[str, str]:
    """(css class, label) of a row's timeliness."""
    if row["on_time"] is True:
        return "success", pick("ตรงเวลา", "On time")
    if row["received"]:
        return "warning", pick(f"ล่าช้า {row['days_late']:,} วัน", f"{row['days_late']:,} days late")
    if row["on_time"] is False:
        return "danger", pick(
            f"ยังไม่ส่ง (เลยกำหนด {row['days_late']:,} วัน)", f"Not in ({row['days_late']:,} days overdue)"
        )
    return "secondary", pick("ยังไม่ถึงกำหนด", "Not yet due")


def _sort_key(name: str) -> Any:
    keys = {
        "esa": lambda r: r["esa_code"],
        "region": lambda r: (r["region_code"], r["esa_code"]),
        "status": lambda r: (r["status"], r["esa_code"]),
        "submitted": lambda r: (r["submitted_at"] is None, r["submitted_at"] or 0, r["esa_code"]),
        "content": lambda r: (r["content_rate"] is None, r["content_rate"] or 0, r["esa_code"]),
        "blocking": lambda r: (r["blocking"], r["uncommented"], r["esa_code"]),
        "warnings": lambda r: (r["uncommented"], r["warnings"], r["esa_code"]),
    }
    return keys[name]


@login_required
@require_GET
def monitoring_quality(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not sel.may_see_quality(actor):
        raise DjangoPermissionDenied
    round_id = _int(request.GET.get("round"))
    if request.GET.get("round") and round_id is None:
        raise Http404
    rounds = sel.rounds_for_choice()
    try:
        rnd = sel.quality_round(round_id)
    except NotFoundOrNoAccess:
        if round_id is not None:
            raise Http404 from None
        return render(
            request, "web/monitoring/quality/board.html", {"chosen": None, "rounds": rounds, **_crumbs()}
        )
    esa_ids = sel.visible_esa_ids(actor, rnd)
    completeness = svc.round_completeness(rnd, esa_ids=esa_ids)
    board = svc.round_quality_board(rnd, esa_ids=esa_ids)
    language = current_language()
    rows: list[dict[str, Any]] = []
    for row in completeness["rows"]:
        counts = board.get(row["esa_id"])
        flags = list(row["flags"])
        merged = {
            **row,
            "blocking": counts.blocking if counts else 0,
            "warnings": counts.warnings if counts else 0,
            "uncommented": counts.uncommented if counts else 0,
        }
        if merged["blocking"]:
            flags.append("blocking")
        if merged["uncommented"]:
            flags.append("uncommented")
        if not flags:
            flags.append("clean")
        timing_class, timing_label = _timing(row)
        merged.update(
            flags=flags,
            flag_labels=[pick(*FLAGS[f], language) for f in flags if f != "clean"],
            status_label=_status_label(row["status"]),
            timing_class=timing_class,
            timing_label=timing_label,
            esa_name=pick(row["esa_name_th"], row["esa_name_en"] or row["esa_name_th"], language),
            region_name=pick(row["region_name_th"], row["region_name_en"] or row["region_name_th"], language),
            report_url=maybe_reverse("web:report_detail", row["report_id"]) if row["report_id"] else None,
        )
        rows.append(merged)
    regions = sorted({(r["region_code"], r["region_name"]) for r in rows if r["region_code"]})
    region = request.GET.get("region", "")
    flag = request.GET.get("flag", "")
    shown = [
        r for r in rows if (not region or r["region_code"] == region) and (not flag or flag in r["flags"])
    ]
    sort = request.GET.get("sort", "esa")
    sort = sort if sort in SORTS else "esa"
    direction = "desc" if request.GET.get("dir") == "desc" else "asc"
    shown.sort(key=_sort_key(sort), reverse=direction == "desc")
    base = {"round": rnd.pk, **({"region": region} if region else {}), **({"flag": flag} if flag else {})}
    sort_links = {
        key: "?"
        + urlencode({**base, "sort": key, "dir": "desc" if sort == key and direction == "asc" else "asc"})
        for key in SORTS
    }
    context = {
        **_crumbs(),
        "chosen": rnd,
        "rounds": rounds,
        "completeness": completeness,
        "totals": completeness["totals"],
        "rows": shown,
        "row_count": len(rows),
        "regions": regions,
        "region": region,
        "flags": [(key, pick(*label, language)) for key, label in FLAGS.items()],
        "flag": flag,
        "sort": sort,
        "dir": direction,
        "sort_links": sort_links,
        "issue_totals": {
            "blocking": sum(r["blocking"] for r in rows),
            "uncommented": sum(r["uncommented"] for r in rows),
            "with_blocking": sum(1 for r in rows if r["blocking"]),
        },
    }
    return render(request, "web/monitoring/quality/board.html", context)


def _crumbs() -> dict[str, Any]:
    crumbs: list[dict[str, Any]] = []
    home = maybe_reverse("web:monitoring_home")
    if home:
        crumbs.append({"label": pick("ติดตามประเมินผล", "Monitoring"), "url": home})
    crumbs.append({"label": pick("คุณภาพข้อมูล", "Data quality"), "url": None})
    return {"crumbs": crumbs}


@login_required
@require_GET
def report_quality(request: HttpRequest, report_id: int) -> HttpResponse:
    """One report's quality panel (alone for HTMX, else as a page)."""
    actor = request_actor(request)
    try:
        report = sel.report_for_quality(actor, report_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    context = {"quality": svc.report_check(report), "report": report}
    if request.headers.get("HX-Request") == "true":
        return render(request, "web/monitoring/partials/quality_panel.html", context)
    crumbs = _crumbs()["crumbs"]
    crumbs[-1] = {"label": pick("คุณภาพข้อมูล", "Data quality"), "url": maybe_reverse("web:monitoring_quality")}
    detail = maybe_reverse("web:report_detail", report.pk)
    crumbs.append(
        {"label": pick(report.esa.name_th, report.esa.name_en or report.esa.name_th), "url": detail}
    )
    return render(
        request, "web/monitoring/quality/report.html", {**context, "crumbs": crumbs, "detail_url": detail}
    )


urlpatterns: list[URLPattern] = [
    path("monitoring/quality/", monitoring_quality, name="monitoring_quality"),
    path("monitoring/reports/<int:report_id>/quality/", report_quality, name="report_quality"),
]
