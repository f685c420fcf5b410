"""Early-warning alerts: the inbox, one alert with its explanation and history, and acting on it.

- ``alerts`` (``?round=&severity=&kind=&domain=&area=&status=&quality=&page=``): the alerts the
  viewer may see (their scope; held alerts only for national M&E officers), newest round first.
- ``alert`` ``<alert_id>``: why it was raised (top factors), the evidence (values with where they
  are stored, the report, the trend, the risk score), data-quality findings, and who did what.
- ``alert_act`` ``<alert_id>`` (POST ``action``, ``note``): acknowledge, record an action, resolve,
  reopen — through ``insights.services.alerts.alert_act``; answered with a redirect and a message.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_POST

from suksa.core.errors import Conflict, InvalidInput, NotFoundOrNoAccess, PermissionDenied, Problem
from suksa.core.i18n import pick
from suksa.core.policy import Perm
from suksa.domains.insights import selectors_alerts as sel
from suksa.domains.insights.models.choices import AlertKind, AlertSeverity, AlertStatus, DataQuality
from suksa.domains.insights.services import alerts as svc
from suksa.domains.monitoring.models import Round
from suksa.interfaces.web.context import maybe_reverse, request_actor
from suksa.interfaces.web.params import PK_MAX

TEMPLATES = "web/insights/alerts/"
PAGE_SIZE = 50

FIELD_LABELS = {
    "round": ("รอบการรายงาน", "round"),
    "severity": ("ระดับ", "severity"),
    "kind": ("ประเภท", "kind"),
    "domain": ("ด้าน", "domain"),
    "area": ("พื้นที่", "area"),
    "status": ("สถานะ", "status"),
    "quality": ("คุณภาพข้อมูล", "data quality"),
    "page": ("หน้า", "page"),
}
CHOICES: dict[str, list[str]] = {
    "severity": list(AlertSeverity.values),
    "kind": list(AlertKind.values),
    "status": [sel.OPEN, *AlertStatus.values],
    "quality": list(DataQuality.values),
}


def _int(value: str) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 0 < n <= PK_MAX else None


def _bad(field: str, allowed: str = "") -> Problem:
    th, en = FIELD_LABELS[field]
    return Problem(
        code="invalid_filter",
        th=f"ค่า{th}ไม่ถูกต้อง" + (f" ใช้ได้: {allowed}" if allowed else " ต้องเป็นเลขจำนวนเต็มบวก"),
        en=f"Invalid {en}" + (f"; use one of: {allowed}" if allowed else "; a positive whole number"),
        field=field,
    )


def parse_filters(params: Any) -> tuple[sel.AlertFilters, list[Problem], int]:
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for name in ("round", "area"):
        raw = params.get(name, "")
        if raw:
            n = _int(raw)
            if n is None:
                problems.append(_bad(name))
            values[name] = n
    for name, allowed in CHOICES.items():
        raw = params.get(name, "")
        if raw and raw not in allowed:
            problems.append(_bad(name, ", ".join(allowed)))
        elif raw:
            values[name] = raw
    domain = params.get("domain", "")
    if len(domain) > 30:
        problems.append(_bad("domain", "≤ 30"))
    elif domain:
        values["domain"] = domain
    page = 1
    if params.get("page"):
        n = _int(params["page"])
        if n is None:
            problems.append(_bad("page"))
        else:
            page = n
    return sel.AlertFilters(**values), problems, page


def _crumbs(*items: tuple[str, str | None]) -> list[dict[str, Any]]:
    crumbs: list[dict[str, Any]] = []
    home = maybe_reverse("web:insights_home")
    if home:
        crumbs.append({"label": pick("ข้อมูลเชิงลึก", "Insights"), "url": home})
    crumbs.extend({"label": label, "url": url} for label, url in items)
    return crumbs


def _choices(values: list[str], labels: Any) -> list[tuple[str, str]]:
    return [(v, labels(v).label) for v in values]


@login_required
@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not actor.can_anywhere(Perm.ALERT_VIEW):
        raise DjangoPermissionDenied
    filters, problems, page_no = parse_filters(request.GET)
    status = 400 if problems else 200
    rows = sel.alerts_for(actor, filters) if not problems else None
    page = Paginator(rows, PAGE_SIZE).get_page(page_no) if rows is not None else None
    base = {k: v for k, v in request.GET.items() if k != "page" and v}
    round_ids = sel.alerts_visible(actor).values_list("round_id", flat=True).distinct()
    context = {
        "crumbs": _crumbs((pick("การแจ้งเตือน", "Alerts"), None)),
        "problems": problems,
        "page": page,
        "filters": filters,
        "query": urlencode(base),
        "counts": sel.alert_counts(actor),
        "rounds": list(
            Round.objects.filter(pk__in=round_ids).select_related("framework").order_by("-period_end")
        ),
        "severities": _choices(CHOICES["severity"], AlertSeverity),
        "kinds": _choices(CHOICES["kind"], AlertKind),
        "statuses": [(sel.OPEN, "ยังไม่ปิด / Open"), *_choices(list(AlertStatus.values), AlertStatus)],
        "qualities": _choices(CHOICES["quality"], DataQuality) if sel.sees_held(actor) else [],
        "domains": sel.alert_domains(actor),
        "areas": sel.alert_areas(actor),
        "sees_held": sel.sees_held(actor),
    }
    return render(request, TEMPLATES + "inbox.html", context, status=status)


def _evidence_rows(alert: Any) -> list[dict[str, Any]]:
    rows = []
    for v in (alert.evidence or {}).get("values", []):
        source = v.get("source") or {}
        rows.append({**v, "source_label": f"{source.get('model', '')} #{source.get('id', '')}"})
    return rows


@login_required
@require_GET
def alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    actor = request_actor(request)
    try:
        a = sel.alert_get(actor, alert_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    evidence = a.evidence or {}
    report_id = evidence.get("report")
    trend_id = evidence.get("trend")
    may_act = actor.can(Perm.ALERT_ACT, a.unit.path)
    context = {
        "crumbs": _crumbs(
            (pick("การแจ้งเตือน", "Alerts"), reverse("web:alerts")), (pick(a.title_th, a.title_en), None)
        ),
        "alert": a,
        "factors": a.factors or [],
        "values": _evidence_rows(a),
        "target": evidence.get("target"),
        "rule": evidence.get("rule") or {},
        "quality_issues": evidence.get("quality_issues") or [],
        "probability": evidence.get("probability"),
        "report_url": (maybe_reverse("web:report_detail", report_id) or "") if report_id else "",
        "report_id": report_id,
        "trend_url": (maybe_reverse("web:insights_trend", trend_id) or "") if trend_id else "",
        "trend_id": trend_id,
        "events": [
            {"event": e, "label": svc.EVENT_LABELS.get(e.action, (e.action, e.action))}
            for e in sel.alert_events(a)
        ],
        "actions": [(x, svc.ACTION_LABELS[x], svc.TRANSITIONS[x][2]) for x in svc.allowed_actions(a.status)]
        if may_act
        else [],
        "may_act": may_act,
        "stale": a.last_run is None or not a.last_run.is_current,
    }
    return render(request, TEMPLATES + "detail.html", context)


@login_required
@require_POST
def alert_act(request: HttpRequest, alert_id: int) -> HttpResponse:
    actor = request_actor(request)
    try:
        sel.alert_get(actor, alert_id)  # out of scope: 404 before reading the form
        svc.alert_act(
            actor=actor,
            alert_id=alert_id,
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
        )
    except NotFoundOrNoAccess:
        raise Http404 from None
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except (Conflict, InvalidInput) as error:
        for p in error.problems:
            messages.error(request, f"{p.message('th')} · {p.message('en')}")
    else:
        messages.success(request, pick("บันทึกแล้ว", "Saved"))
    return redirect("web:alert", alert_id=alert_id)


urlpatterns: list[URLPattern] = [
    path("alerts/", alerts, name="alerts"),
    path("alerts/<int:alert_id>/", alert, name="alert"),
    path("alerts/<int:alert_id>/act/", alert_act, name="alert_act"),
]
