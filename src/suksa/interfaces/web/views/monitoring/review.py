"""Monitoring (e-MES) pages of the review workflow: submitting a report, the reviewer's queue and
workspace, and amendments after locking.

- ``report_submit`` (POST from the report editor): the ESA director sends the report; the answer
  goes back to the report page with the blocking issues listed in Thai and English.
- ``review_queue``: a reviewer's assigned reports by status; M&E officers see every report with the
  bureau and assign reviewers in bulk.
- ``review_report``: the workspace — values with their provenance, narratives, works with their
  evidence, the quality findings, rubric scores per standard, item comments, work verification,
  and return / approve.
- ``report_amend``: an M&E officer changes a locked report, with a reason (shown on the report).

Every write goes through ``monitoring.services.review`` (``works.work_verify`` for works) and is
answered with a redirect (post / redirect / get) and a bilingual message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from suksa.core.errors import Conflict, InvalidInput, NotFoundOrNoAccess, PermissionDenied, Problem
from suksa.core.i18n import current_language, pick
from suksa.core.policy import Actor, Perm
from suksa.domains.monitoring import selectors_status as sel
from suksa.domains.monitoring.models import RUBRIC, Report, Round
from suksa.domains.monitoring.models.choices import ReportStatus, Verification
from suksa.domains.monitoring.selectors import report_get, round_get, rounds_all
from suksa.domains.monitoring.services import review as svc
from suksa.interfaces.web.context import maybe_reverse, request_actor

TEMPLATES = "web/monitoring/review/"
QUALITY_PANEL = "web/monitoring/partials/quality_panel.html"
PK_MAX = 2**63 - 1


# --- shared --------------------------------------------------------------------------------------


def url_or_blank(name: str, *args: Any) -> str:
    """The URL of another area's page, or "" while that page does not exist (yet)."""
    return maybe_reverse(name, *args) or ""


def report_page_url(report_id: int) -> str:
    """Where a report is read: the reports slice's page, else the monitoring home."""
    return url_or_blank("web:report_detail", report_id) or url_or_blank("web:monitoring_home") or "/"


def _flash(request: HttpRequest, problems: list[Problem]) -> None:
    for p in problems:
        messages.error(request, f"{p.th} · {p.en}")


def _int(value: Any) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 0 < n <= PK_MAX else None


def _round_param(request: HttpRequest, default: Round | None) -> Round | None:
    raw = request.GET.get("round")
    if not raw:
        return default
    rid = _int(raw)
    if rid is None:
        raise Http404
    try:
        return round_get(rid)
    except NotFoundOrNoAccess:
        raise Http404 from None


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def _run(request: HttpRequest, action: Any, success: str | None = None) -> bool:
    """Run a service call; flash its refusal. PermissionDenied → 403, not found → 404."""
    try:
        action()
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except NotFoundOrNoAccess:
        raise Http404 from None
    except Conflict as error:
        _flash(request, error.problems)
        return False
    except InvalidInput as error:
        _flash(request, error.problems)
        return False
    if success:
        messages.success(request, success)
    return True


# --- submission ----------------------------------------------------------------------------------


@login_required
@require_POST
def report_submit(request: HttpRequest, report_id: int) -> HttpResponse:
    """The ESA director submits the report from the editor; back to the report page."""
    actor = request_actor(request)
    back = report_page_url(report_id)
    try:
        version = int(request.POST.get("lock_version", ""))
    except ValueError:
        try:
            report_get(actor, report_id)
        except NotFoundOrNoAccess:
            raise Http404 from None
        _flash(
            request,
            [
                Problem(
                    "lock_version_missing",
                    "ไม่พบรุ่นของรายงานที่เปิดไว้ กรุณาเปิดหน้านี้ใหม่",
                    "The report version you opened is missing; reload the page",
                    field="lock_version",
                )
            ],
        )
        return redirect(back)
    done: list[Report] = []
    ok = _run(
        request,
        lambda: done.append(svc.report_submit(actor=actor, report_id=report_id, expected_version=version)),
    )
    if ok:
        report = done[0]
        if svc.submitted_late(report):
            messages.warning(
                request,
                pick(
                    "ส่งรายงานแล้ว (ล่าช้ากว่ากำหนดส่ง) รายงานอยู่ระหว่างรอการพิจารณาของส่วนกลาง",
                    "Report submitted (after the due date); it now waits for the bureau's review",
                ),
            )
        else:
            messages.success(
                request,
                pick(
                    "ส่งรายงานแล้ว รายงานอยู่ระหว่างรอการพิจารณาของส่วนกลาง",
                    "Report submitted; it now waits for the bureau's review",
                ),
            )
    return redirect(back)


# --- the queue -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review_queue(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    bureau = sel.is_bureau(actor)
    if not bureau and not actor.can_anywhere(Perm.REPORT_REVIEW):
        raise DjangoPermissionDenied
    if request.method == "POST":
        return _assign(request, actor, bureau)
    rnd = _round_param(request, None)
    status = request.GET.get("status") or None
    if status is not None and status not in ReportStatus.values:
        status = None
    language = current_language()
    reports = list(sel.review_queue(actor, round=rnd, status=status))
    for r in reports:
        r.reviewer_name = r.reviewer.display_name(language) if r.reviewer else ""  # type: ignore[attr-defined]
    groups: list[dict[str, Any]] = []
    for code in sel.STATUS_ORDER:
        rows = [r for r in reports if r.status == code]
        if rows:
            groups.append({"status": code, "label": sel.STATUS_LABELS[code], "reports": rows})
    context = {
        "crumbs": _crumbs(pick("รายงานที่ต้องพิจารณา", "Reports to review")),
        "bureau": bureau,
        "groups": groups,
        "count": len(reports),
        "chosen_round": rnd,
        "chosen_status": status or "",
        "rounds": list(rounds_all()[:24]),
        "statuses": [(s.value, s.label) for s in ReportStatus],
        "reviewers": [(u.pk, u.display_name(language), u.username) for u in sel.reviewers_available()]
        if bureau
        else [],
    }
    return render(request, TEMPLATES + "queue.html", context)


def _assign(request: HttpRequest, actor: Actor, bureau: bool) -> HttpResponse:
    if not bureau:
        raise DjangoPermissionDenied
    ids = [i for i in (_int(v) for v in request.POST.getlist("reports")) if i is not None]
    reviewer = _int(request.POST.get("reviewer"))
    back = reverse("web:review_queue") + (f"?{request.GET.urlencode()}" if request.GET else "")
    if reviewer is None:
        _flash(
            request, [Problem("reviewer_required", "กรุณาเลือกผู้ตรวจ", "Choose a reviewer", field="reviewer")]
        )
        return redirect(back)
    count: list[int] = []
    if _run(
        request,
        lambda: count.append(svc.reviewer_assign(actor=actor, report_ids=ids, reviewer_user_id=reviewer)),
    ):
        messages.success(
            request, pick(f"มอบหมายผู้ตรวจแล้ว {count[0]:,} ฉบับ", f"Reviewer assigned to {count[0]:,} report(s)")
        )
    return redirect(back)


def _crumbs(last: str, *middle: tuple[str, str]) -> list[dict[str, Any]]:
    crumbs: list[dict[str, Any]] = []
    home = maybe_reverse("web:monitoring_home")
    if home:
        crumbs.append({"label": pick("การติดตามและประเมินผล", "Monitoring"), "url": home})
    crumbs += [{"label": label, "url": url} for label, url in middle]
    crumbs.append({"label": last, "url": None})
    return crumbs


# --- the workspace -------------------------------------------------------------------------------

ACTIONS = ("start", "score", "comment", "verify", "return", "approve")


@login_required
@require_http_methods(["GET", "POST"])
def review_report(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = request_actor(request)
    try:
        ws = sel.review_workspace(actor, report_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    if request.method == "POST":
        return _review_post(request, actor, ws.report)
    report = ws.report
    language = current_language()
    for e in [*ws.evidence, *(e for w in ws.works for e in w.evidence.all())]:
        e.download_url = url_or_blank("web:report_evidence_download", report.pk, e.pk)  # type: ignore[attr-defined]
    standards = [
        {
            "standard": s,
            "score": ws.scores.get(s.code),
            "values": [v for v in ws.values if v.standard_code == s.code],
        }
        for s in ws.standards
    ]
    context = {
        "crumbs": _crumbs(
            f"{report.esa.name(language)} · {pick(report.round.name_th, report.round.name_en)}",
            (pick("รายงานที่ต้องพิจารณา", "Reports to review"), reverse("web:review_queue")),
        ),
        "ws": ws,
        "report": report,
        "standards": standards,
        "other_values": [v for v in ws.values if v.standard_code not in {s.code for s in ws.standards}],
        "rubric": sorted(RUBRIC.items()),
        "verify_choices": [
            (v.value, v.label)
            for v in (Verification.VERIFIED, Verification.PARTLY, Verification.NOT_VERIFIED)
        ],
        "in_review": report.status == ReportStatus.IN_REVIEW and ws.review is not None,
        "can_start": report.status == ReportStatus.SUBMITTED,
        "can_verify": report.status in (ReportStatus.SUBMITTED, ReportStatus.IN_REVIEW),
        "late": svc.submitted_late(report),
        "quality": ws.quality,
        "quality_panel": QUALITY_PANEL if ws.quality is not None and _template_exists(QUALITY_PANEL) else "",
        "reviewer_name": report.reviewer.display_name(language) if report.reviewer else "",
        "report_url": report_page_url(report.pk),
        "amend_url": reverse("web:report_amend", args=[report.pk])
        if report.status == ReportStatus.LOCKED
        else "",
        "may_amend": actor.can(Perm.MONITORING_MANAGE, report.esa.path),
        "comment_targets": _comment_targets(ws),
    }
    return render(request, TEMPLATES + "report.html", context)


def _comment_targets(ws: sel.Workspace) -> list[tuple[str, str]]:
    """(value "kind:id", label) for the per-item comment form."""
    out = [("general:", pick("ภาพรวมของรายงาน", "The report as a whole"))]
    out += [
        (
            f"value:{v.value.pk}",
            f"{v.value.indicator.code} · {pick(v.value.indicator.name_th, v.value.indicator.name_en)}",
        )
        for v in ws.values
    ]
    out += [(f"narrative:{n.pk}", pick(n.section.title_th, n.section.title_en)) for n in ws.narratives]
    out += [(f"work:{w.pk}", f"{pick('ผลงาน', 'Work')} {w.rank}: {w.title}") for w in ws.works]
    out += [(f"evidence:{e.pk}", e.original_name) for e in ws.evidence]
    return out


def _review_post(request: HttpRequest, actor: Actor, report: Report) -> HttpResponse:
    action = request.POST.get("action")
    back = reverse("web:review_report", args=[report.pk])
    rid = report.pk
    if action == "start":
        _run(
            request,
            lambda: svc.review_start(actor=actor, report_id=rid),
            pick("เริ่มพิจารณารายงานแล้ว", "Review started"),
        )
    elif action == "score":
        score = _int(request.POST.get("score"))
        _run(
            request,
            lambda: svc.score_set(
                actor=actor,
                report_id=rid,
                standard_code=request.POST.get("standard", ""),
                score=score if score is not None else request.POST.get("score"),
                comment=request.POST.get("comment", ""),
            ),
            pick("บันทึกคะแนนแล้ว", "Score saved"),
        )
    elif action == "comment":
        kind, _, target = (request.POST.get("target") or "").partition(":")
        _run(
            request,
            lambda: svc.item_comment_add(
                actor=actor,
                report_id=rid,
                target_kind=kind,
                target_id=_int(target),
                comment=request.POST.get("comment", ""),
            ),
            pick("บันทึกความเห็นแล้ว", "Comment saved"),
        )
    elif action == "verify":
        from suksa.domains.monitoring.services.works import work_verify

        work_id = _int(request.POST.get("work"))
        if work_id is None or not report.works.filter(pk=work_id).exists():
            raise Http404
        _run(
            request,
            lambda: work_verify(
                actor=actor,
                work_id=work_id,
                verification=request.POST.get("verification", ""),
                note=request.POST.get("note", ""),
            ),
            pick("บันทึกผลการตรวจสอบผลงานแล้ว", "Verification saved"),
        )
    elif action == "return":
        _run(
            request,
            lambda: svc.report_return(actor=actor, report_id=rid, reasons=request.POST.get("reasons", "")),
            pick("ส่งรายงานกลับให้สำนักงานเขตพื้นที่แก้ไขแล้ว", "Report returned to the ESA"),
        )
    elif action == "approve":
        _run(
            request,
            lambda: svc.report_approve(actor=actor, report_id=rid),
            pick("อนุมัติรายงานแล้ว", "Report approved"),
        )
    else:
        raise Http404
    return redirect(back)


# --- amendments ----------------------------------------------------------------------------------

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "value": ("ค่า", "value"),
    "comment": ("คำอธิบาย", "comment"),
    "text": ("ข้อความ", "text"),
    "title": ("ชื่อผลงาน", "title"),
    "description": ("รายละเอียด", "description"),
    "practices": ("วิธีปฏิบัติ", "practices"),
    "results_claimed": ("ผลที่เกิดขึ้น", "results claimed"),
    "verification": ("ผลการตรวจสอบ", "verification"),
    "verification_note": ("บันทึกการตรวจสอบ", "verification note"),
}


@login_required
@require_http_methods(["GET", "POST"])
def report_amend(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = request_actor(request)
    try:
        report = report_get(actor, report_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    if not actor.can(Perm.MONITORING_MANAGE, report.esa.path):
        raise DjangoPermissionDenied
    form = {"target": "", "new_value": "", "reason": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in form}
        kind, _, rest = form["target"].partition(":")
        target_id, _, field = rest.partition(":")
        tid = _int(target_id)
        if tid is None:
            _flash(
                request,
                [Problem("target_required", "กรุณาเลือกรายการที่จะแก้ไข", "Choose what to amend", field="target")],
            )
        elif _run(
            request,
            lambda: svc.report_amend(
                actor=actor,
                report_id=report.pk,
                target_kind=kind,
                target_id=tid,
                field=field,
                new_value=form["new_value"],
                reason=form["reason"],
            ),
            pick("บันทึกการแก้ไขแล้ว", "Amendment recorded"),
        ):
            return redirect("web:report_amend", report_id=report.pk)
    language = current_language()
    context = {
        "crumbs": _crumbs(
            pick("แก้ไขหลังปิดรายงาน", "Amend after locking"),
            (
                f"{report.esa.name(language)} · {pick(report.round.name_th, report.round.name_en)}",
                report_page_url(report.pk),
            ),
        ),
        "report": report,
        "locked": report.status == ReportStatus.LOCKED,
        "targets": _amend_targets(report) if report.status == ReportStatus.LOCKED else [],
        "amendments": sel.report_amendments(report),
        "form": form,
        "report_url": report_page_url(report.pk),
        "field_labels": FIELD_LABELS,
    }
    return render(request, TEMPLATES + "amend.html", context)


def _amend_targets(report: Report) -> list[dict[str, Any]]:
    """Option groups for the amendment form: ``kind:id:field`` with the current value shown."""

    def label(field: str) -> str:
        return pick(*FIELD_LABELS[field])

    def short(value: Any) -> str:
        text = "" if value is None else str(value)
        return text if len(text) <= 60 else text[:57] + "…"

    values = report.values.select_related("indicator").order_by("indicator__code")
    groups = [
        {
            "label": pick("ค่าตัวชี้วัด", "Indicator values"),
            "options": [
                (f"value:{v.pk}:{f}", f"{v.indicator.code} · {label(f)}: {short(getattr(v, f)) or '–'}")
                for v in values
                for f in svc.AMENDABLE_FIELDS["value"]
            ],
        },
        {
            "label": pick("ความเรียง", "Narratives"),
            "options": [
                (
                    f"narrative:{n.pk}:text",
                    f"{pick(n.section.title_th, n.section.title_en)}: {short(n.text) or '–'}",
                )
                for n in report.narratives.select_related("section").order_by("section__order")
            ],
        },
        {
            "label": pick("ผลงานที่ประสบความสำเร็จ", "Outstanding works"),
            "options": [
                (f"work:{w.pk}:{f}", f"{w.rank}. {short(w.title)} · {label(f)}")
                for w in report.works.order_by("rank")
                for f in svc.AMENDABLE_FIELDS["work"]
            ],
        },
    ]
    return [g for g in groups if g["options"]]


urlpatterns: list[URLPattern] = [
    path("monitoring/reports/<int:report_id>/submit/", report_submit, name="report_submit"),
    path("monitoring/review/", review_queue, name="review_queue"),
    path("monitoring/review/<int:report_id>/", review_report, name="review_report"),
    path("monitoring/reports/<int:report_id>/amend/", report_amend, name="report_amend"),
]
