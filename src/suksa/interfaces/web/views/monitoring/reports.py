"""The ESA report pages: the list of reports, the report (read-only, or the editor for its ESA's
staff while it is with them), autosave of values and narratives, the edit-time heartbeat,
"report a data problem" and the bureau's problem list, and the Excel template.

The editor works without JavaScript: every value and narrative is its own small form with a save
button (a plain POST that redirects back, or re-renders the page with the error and the typed text
kept). With HTMX the same forms save as the user types (``hx-post`` on input, debounced): the
answer is a few hundred bytes — the "saved 10:42" status and the new ``lock_version`` for every
form on the page; a stale version answers 409 with the newer content, and the typed text stays in
its box. Requests of one page are queued (``hx-sync``), so that the page never races itself.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from suksa.core.errors import Conflict, InvalidInput, NotFoundOrNoAccess, PermissionDenied, Problem
from suksa.core.i18n import pick
from suksa.core.policy import Actor, Perm
from suksa.domains.monitoring.models import NarrativeEntry, Report, ReportValue, Round
from suksa.domains.monitoring.models.choices import ProblemStatus, ReportStatus, ValueOrigin
from suksa.domains.monitoring.selectors import report_get, rounds_all
from suksa.domains.monitoring.selectors_reports import (
    PK_MAX,
    EditorData,
    SectionRow,
    ValueRow,
    editor_data,
    format_number,
    may_edit,
    problems_list,
    reports_list,
    value_get,
)
from suksa.domains.monitoring.services import reports as svc
from suksa.domains.monitoring.services import workbook as wb
from suksa.domains.monitoring.services.locking import today
from suksa.interfaces.web.context import maybe_reverse, request_actor

QUALITY_MODULE = "suksa.domains.monitoring.services.quality"
QUALITY_PANEL = "web/monitoring/partials/quality_panel.html"
PAGE_SIZE = 100

PHASES: dict[str, tuple[str, str]] = {
    "upcoming": ("ยังไม่เปิดรับรายงาน", "Not open yet"),
    "open": ("เปิดรับรายงาน", "Open"),
    "overdue": ("เลยกำหนดส่ง (ยังส่งได้จนปิดรอบ)", "Past due (accepted until the round locks)"),
    "locked": ("ปิดรอบแล้ว", "Locked"),
}
# htmx 2 swaps only 2xx answers by default; the editor's 400 (bad value) and 409 (someone saved
# first) answers carry the message to show next to the field.
HTMX_CONFIG = json.dumps(
    {
        "responseHandling": [
            {"code": "204", "swap": False},
            {"code": "[23]..", "swap": True},
            {"code": "400", "swap": True, "error": False},
            {"code": "409", "swap": True, "error": False},
            {"code": "[45]..", "swap": False, "error": True},
            {"code": "...", "swap": False},
        ]
    }
)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _both(p: Problem) -> str:
    return pick(p.th, p.en)


def _report(actor: Actor, report_id: int) -> Report:
    try:
        return report_get(actor, report_id)
    except NotFoundOrNoAccess:
        raise Http404 from None


def _int(value: Any) -> int | None:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n if 0 <= n <= PK_MAX else None


def _lock_version(request: HttpRequest) -> int:
    version = _int(request.POST.get("lock_version"))
    if version is None:
        raise InvalidInput.single(
            "lock_version_required",
            "ไม่พบฉบับของรายงานที่เปิดอยู่ โปรดโหลดหน้าใหม่",
            "The version of the report you opened is missing: reload the page",
            field="lock_version",
        )
    return version


def _quality(report: Report) -> Any:
    """The quality check of the report when the quality module is installed, else None."""
    if importlib.util.find_spec(QUALITY_MODULE) is None:
        return None
    module = importlib.import_module(QUALITY_MODULE)
    return module.report_check(report)


def _needs_comment(quality: Any) -> set[int] | None:
    """Ids of values with a warning that a comment answers (None: no quality check available)."""
    if quality is None:
        return None
    return {
        i.value_id
        for i in quality.issues
        if i.value_id and i.severity == "warning" and i.evidence.get("needs_comment", True) is not False
    }


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


# --- the list --------------------------------------------------------------------------------------


def _may_list(actor: Actor) -> bool:
    return any(actor.can_anywhere(p) for p in (Perm.REPORT_VIEW, Perm.REPORT_REVIEW, Perm.MONITORING_MANAGE))


def _round_param(request: HttpRequest, rounds: list[Round]) -> Round | None:
    raw = request.GET.get("round")
    if raw:
        wanted = _int(raw)
        found = next((r for r in rounds if r.pk == wanted), None)
        if found is None:
            raise Http404
        return found
    return rounds[0] if rounds else None


@login_required
@require_GET
def monitoring_reports(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not _may_list(actor):
        raise DjangoPermissionDenied
    rounds = list(rounds_all()[:40])
    chosen = _round_param(request, rounds)
    status = request.GET.get("status") or ""
    if status not in ReportStatus.values:
        status = ""
    qs = reports_list(actor, round_id=chosen.pk if chosen else None, status=status or None)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(
        reports_list(actor, round_id=chosen.pk if chosen else None)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    context = {
        "crumbs": [{"label": pick("รายงานผลการดำเนินงาน สพท.", "ESA reports"), "url": None}],
        "rounds": rounds,
        "chosen": chosen,
        "status": status,
        "statuses": [(s.value, s.label, counts.get(s.value, 0)) for s in ReportStatus],
        "total": sum(counts.values()),
        "page": page,
        "today": today(),
        "problems_url": reverse("web:monitoring_problems"),
    }
    return render(request, "web/monitoring/reports/list.html", context)


# --- the report and its editor ---------------------------------------------------------------------


@dataclass
class FieldState:
    """What a value or narrative form shows after a failed no-JS save: the typed text, the errors,
    and the newer saved content on a conflict."""

    raw: str | None = None
    comment: str | None = None
    text: str | None = None
    errors: list[str] = field(default_factory=list)
    conflict: bool = False


@dataclass
class ValueView:
    row: ValueRow
    raw: str
    comment: str
    state: FieldState | None
    problem_url: str
    comment_open: bool  # a pre-filled value takes a comment only to answer a quality warning

    @property
    def range_text(self) -> str:
        ind = self.row.indicator
        if ind.min_value is None and ind.max_value is None:
            return ""
        return f"{format_number(ind.min_value, grouping=True)}–{format_number(ind.max_value, grouping=True)}"


@dataclass
class SectionView:
    row: SectionRow
    text: str
    state: FieldState | None


def _links(report: Report) -> dict[str, str | None]:
    return {
        "works": maybe_reverse("web:report_works", report.pk),
        "evidence": maybe_reverse("web:report_evidence", report.pk),
        "submit": maybe_reverse("web:report_submit", report.pk),
        "amend": maybe_reverse("web:report_amend", report.pk),
        "review": maybe_reverse("web:review_report", report.pk),
    }


def _render_detail(
    request: HttpRequest,
    actor: Actor,
    report: Report,
    *,
    states: dict[str, FieldState] | None = None,
    status: int = 200,
) -> HttpResponse:
    states = states or {}
    day = today()
    data = editor_data(report)
    editable = may_edit(actor, report, day)
    quality = _quality(report)
    warned = _needs_comment(quality)
    groups = []
    for g in data.groups:
        values = []
        for row in g.values:
            st = states.get(f"v:{row.code}")
            values.append(
                ValueView(
                    row=row,
                    raw=st.raw if st and st.raw is not None else row.input_text,
                    comment=st.comment if st and st.comment is not None else row.value.comment,
                    state=st,
                    problem_url=reverse("web:report_problem_new", args=[report.pk, row.value.pk]),
                    comment_open=(
                        not row.is_prefilled
                        or warned is None
                        or row.value.pk in warned
                        or bool(row.value.comment)
                    ),
                )
            )
        sections = []
        for sec in g.sections:
            st = states.get(f"n:{sec.code}")
            sections.append(
                SectionView(row=sec, text=st.text if st and st.text is not None else sec.text, state=st)
            )
        groups.append({"standard": g.standard, "values": values, "sections": sections})
    links = _links(report)
    context = {
        "report": report,
        "data": data,
        "summary": editor_summary(data),
        "groups": groups,
        "editable": editable,
        "may_edit_role": actor.can(Perm.REPORT_EDIT, report.esa.path),
        "may_submit": editable and actor.can(Perm.REPORT_SUBMIT, report.esa.path) and bool(links["submit"]),
        "may_manage": actor.can(Perm.MONITORING_MANAGE, report.esa.path),
        "links": links,
        "phase": PHASES[report.round.phase(day)],
        "quality": quality,
        "quality_panel": quality is not None and _template_exists(QUALITY_PANEL),
        "htmx_config": HTMX_CONFIG,
        "narrative_max": svc.NARRATIVE_MAX,
        "comment_max": svc.COMMENT_MAX,
        "has_errors": any(s.errors or s.conflict for s in states.values()),
        "crumbs": [
            {
                "label": pick("รายงานผลการดำเนินงาน สพท.", "ESA reports"),
                "url": reverse("web:monitoring_reports"),
            },
            {"label": f"{report.esa.code} · {pick(report.round.name_th, report.round.name_en)}", "url": None},
        ],
    }
    return render(request, "web/monitoring/reports/detail.html", context, status=status)


@login_required
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = request_actor(request)
    return _render_detail(request, actor, _report(actor, report_id))


def _saved(request: HttpRequest, version: int, *, changed: bool) -> HttpResponse:
    response = render(
        request,
        "web/monitoring/reports/_saved.html",
        {"lock_version": version, "saved_at": timezone.localtime()},
    )
    if changed:  # the quality panel (quality slice) refreshes itself on this event
        response["HX-Trigger"] = "report-saved"
    return response


def _error_fragment(request: HttpRequest, error: InvalidInput) -> HttpResponse:
    return render(
        request,
        "web/monitoring/reports/_save_error.html",
        {"errors": [_both(p) for p in error.problems]},
        status=400,
    )


def _conflict_fragment(request: HttpRequest, report: Report, newer: dict[str, str]) -> HttpResponse:
    return render(
        request,
        "web/monitoring/reports/_save_conflict.html",
        {"report": report, "newer": newer},
        status=409,
    )


def _current_value(report: Report, code: str) -> dict[str, str]:
    v = ReportValue.objects.filter(report=report, indicator__code=code).first()
    if v is None:
        return {}
    return {
        "kind": "value", "value": format_number(v.value, grouping=True), "comment": v.comment, "by": v.updated_by,
    }  # fmt: skip


def _current_text(report: Report, code: str) -> dict[str, str]:
    e = NarrativeEntry.objects.filter(report=report, section__code=code).first()
    return {"kind": "text", "text": e.text, "by": e.updated_by} if e is not None else {}


@login_required
@require_POST
def report_value_save(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = request_actor(request)
    report = _report(actor, report_id)
    code = (request.POST.get("indicator_code") or "").strip()[:60]
    raw = request.POST.get("raw")
    comment = request.POST.get("comment")
    state = FieldState(raw=raw, comment=comment)
    try:
        expected = _lock_version(request)
        row, version = svc.value_save(
            actor=actor, report_id=report.pk, indicator_code=code, raw=raw, comment=comment,
            expected_version=expected,
        )  # fmt: skip
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except NotFoundOrNoAccess:
        raise Http404 from None
    except Conflict as error:
        if _is_htmx(request):
            return _conflict_fragment(request, report, _current_value(report, code))
        state.errors, state.conflict = [_both(p) for p in error.problems], True
        return _render_detail(
            request, actor, _report(actor, report_id), states={f"v:{code}": state}, status=409
        )
    except InvalidInput as error:
        if _is_htmx(request):
            return _error_fragment(request, error)
        state.errors = [_both(p) for p in error.problems]
        return _render_detail(
            request, actor, _report(actor, report_id), states={f"v:{code}": state}, status=400
        )
    if _is_htmx(request):
        return _saved(request, version, changed=version != expected)
    messages.success(request, pick(f"บันทึก {row.indicator.name_th} แล้ว", f"Saved {row.indicator.name_en}"))
    return redirect(f"{reverse('web:report_detail', args=[report.pk])}#v-{row.indicator.code}")


@login_required
@require_POST
def report_narrative_save(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = request_actor(request)
    report = _report(actor, report_id)
    code = (request.POST.get("section_code") or "").strip()[:20]
    text = request.POST.get("text") or ""
    state = FieldState(text=text)
    try:
        expected = _lock_version(request)
        entry, version = svc.narrative_save(
            actor=actor, report_id=report.pk, section_code=code, text=text, expected_version=expected
        )
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except NotFoundOrNoAccess:
        raise Http404 from None
    except Conflict as error:
        if _is_htmx(request):
            return _conflict_fragment(request, report, _current_text(report, code))
        state.errors, state.conflict = [_both(p) for p in error.problems], True
        return _render_detail(
            request, actor, _report(actor, report_id), states={f"n:{code}": state}, status=409
        )
    except InvalidInput as error:
        if _is_htmx(request):
            return _error_fragment(request, error)
        state.errors = [_both(p) for p in error.problems]
        return _render_detail(
            request, actor, _report(actor, report_id), states={f"n:{code}": state}, status=400
        )
    if _is_htmx(request):
        return _saved(request, version, changed=version != expected)
    messages.success(request, pick("บันทึกข้อความแล้ว", "Text saved"))
    return redirect(f"{reverse('web:report_detail', args=[report.pk])}#n-{entry.section.code}")


@login_required
@require_POST
def report_heartbeat(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = request_actor(request)
    try:
        svc.report_touch(actor=actor, report_id=report_id, seconds=request.POST.get("seconds", 0))
    except NotFoundOrNoAccess:
        raise Http404 from None
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except InvalidInput:
        return HttpResponse(status=400)  # the report is no longer being filled: nothing to count
    return HttpResponse(status=204)


# --- data problems ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_problem_new(request: HttpRequest, report_id: int, value_id: int) -> HttpResponse:
    actor = request_actor(request)
    report = _report(actor, report_id)
    if not actor.can(Perm.REPORT_EDIT, report.esa.path):
        raise DjangoPermissionDenied
    try:
        value = value_get(report, value_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    if value.origin != ValueOrigin.PREFILLED:
        raise Http404
    errors: list[str] = []
    description = ""
    status = 200
    if request.method == "POST":
        description = request.POST.get("description") or ""
        try:
            svc.problem_raise(actor=actor, report_id=report.pk, value_id=value.pk, description=description)
        except PermissionDenied:
            raise DjangoPermissionDenied from None
        except NotFoundOrNoAccess:
            raise Http404 from None
        except InvalidInput as error:
            errors = [_both(p) for p in error.problems]
            status = 400
        else:
            messages.success(
                request,
                pick("แจ้งปัญหาข้อมูลแล้ว ส่วนกลางจะตรวจสอบและแจ้งผล", "Problem reported: the bureau will check it"),
            )
            return redirect(f"{reverse('web:report_detail', args=[report.pk])}#v-{value.indicator.code}")
    row = ValueRow(value)
    context = {
        "report": report,
        "row": row,
        "errors": errors,
        "description": description,
        "min_chars": svc.PROBLEM_MIN,
        "crumbs": [
            {"label": pick("รายงานผลการดำเนินงาน สพท.", "ESA reports"), "url": reverse("web:monitoring_reports")},
            {"label": f"{report.esa.code} · {pick(report.round.name_th, report.round.name_en)}",
             "url": reverse("web:report_detail", args=[report.pk])},
            {"label": pick("แจ้งปัญหาข้อมูล", "Report a data problem"), "url": None},
        ],
    }  # fmt: skip
    return render(request, "web/monitoring/reports/problem_new.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def monitoring_problems(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not _may_list(actor):
        raise DjangoPermissionDenied
    errors: dict[int, list[str]] = {}
    typed: dict[int, str] = {}
    status_code = 200
    if request.method == "POST":
        problem_id = _int(request.POST.get("problem_id")) or 0
        resolution = request.POST.get("resolution") or ""
        try:
            svc.problem_resolve(
                actor=actor,
                problem_id=problem_id,
                status=request.POST.get("status") or "",
                resolution=resolution,
            )
        except NotFoundOrNoAccess:
            raise Http404 from None
        except PermissionDenied:
            raise DjangoPermissionDenied from None
        except InvalidInput as error:
            errors[problem_id] = [_both(p) for p in error.problems]
            typed[problem_id] = resolution
            status_code = 400
        else:
            messages.success(request, pick("บันทึกผลการดำเนินการแล้ว", "Problem closed"))
            return redirect(f"{reverse('web:monitoring_problems')}?{request.GET.urlencode()}")
    rounds = list(rounds_all()[:40])
    chosen = None
    if request.GET.get("round"):
        chosen = next((r for r in rounds if r.pk == _int(request.GET.get("round"))), None)
        if chosen is None:
            raise Http404
    wanted = request.GET.get("status", ProblemStatus.OPEN)
    status = wanted if wanted in ProblemStatus.values else ""
    page = Paginator(
        problems_list(actor, status=status or None, round_id=chosen.pk if chosen else None), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = [
        {
            "problem": p,
            "row": ValueRow(p.value),
            "may_resolve": p.status == ProblemStatus.OPEN
            and actor.can(Perm.MONITORING_MANAGE, p.report.esa.path),
            "errors": errors.get(p.pk, []),
            "typed": typed.get(p.pk, ""),
        }
        for p in page.object_list
    ]
    context = {
        "crumbs": [{"label": pick("ปัญหาข้อมูลที่ สพท. แจ้ง", "Data problems reported by ESAs"), "url": None}],
        "rows": rows,
        "page": page,
        "rounds": rounds,
        "chosen": chosen,
        "status": status,
        "statuses": [(s.value, s.label) for s in ProblemStatus],
    }
    return render(request, "web/monitoring/reports/problems.html", context, status=status_code)


# --- the Excel template ----------------------------------------------------------------------------


@login_required
@require_GET
def report_workbook(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = request_actor(request)
    try:
        data, name = wb.workbook_export(actor=actor, report_id=report_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    response = HttpResponse(data, content_type=wb.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def report_workbook_import(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = request_actor(request)
    report = _report(actor, report_id)
    if not actor.can(Perm.REPORT_EDIT, report.esa.path):
        raise DjangoPermissionDenied
    problems: list[Problem] = []
    conflict = False
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise InvalidInput.single(
                    "file_required",
                    "โปรดเลือกไฟล์แบบฟอร์ม (.xlsx)",
                    "Choose the filled template (.xlsx)",
                    field="file",
                )
            name = str(upload.name or "report.xlsx")
            if (upload.size or 0) > wb.MAX_BYTES:
                raise InvalidInput.single(
                    "file_too_large",
                    f"ไฟล์ใหญ่เกิน {wb.MAX_BYTES // (1024 * 1024)} MB",
                    f"The file is larger than {wb.MAX_BYTES // (1024 * 1024)} MB",
                    file=name,
                )
            result = wb.workbook_import(actor=actor, report_id=report.pk, data=upload.read(), filename=name)
        except PermissionDenied:
            raise DjangoPermissionDenied from None
        except NotFoundOrNoAccess:
            raise Http404 from None
        except Conflict as error:
            problems, conflict, status = list(error.problems), True, 409
        except InvalidInput as error:
            problems, status = list(error.problems), 400
        else:
            messages.success(
                request,
                pick(
                    f"นำเข้าแล้ว: ค่าตัวชี้วัด {result.values_changed} คำอธิบาย {result.comments_changed} "
                    f"ข้อความ {result.narratives_changed} รายการ",
                    f"Imported: {result.values_changed} value(s), {result.comments_changed} comment(s), "
                    f"{result.narratives_changed} text(s)",
                ),
            )
            return redirect("web:report_detail", report_id=report.pk)
    context = {
        "report": report,
        "editable": may_edit(actor, report, today()),
        "problems": problems,
        "conflict": conflict,
        "crumbs": [
            {"label": pick("รายงานผลการดำเนินงาน สพท.", "ESA reports"), "url": reverse("web:monitoring_reports")},
            {"label": f"{report.esa.code} · {pick(report.round.name_th, report.round.name_en)}",
             "url": reverse("web:report_detail", args=[report.pk])},
            {"label": pick("นำเข้าแบบฟอร์ม Excel", "Import the Excel template"), "url": None},
        ],
    }  # fmt: skip
    return render(request, "web/monitoring/reports/workbook_import.html", context, status=status)


def editor_summary(data: EditorData) -> dict[str, int]:
    """Counts the editor shows at the top (also handy for tests)."""
    return {"asked": data.asked, "asked_filled": data.asked_filled, "open_problems": len(data.open_problems)}


urlpatterns: list[URLPattern] = [
    path("monitoring/reports/", monitoring_reports, name="monitoring_reports"),
    path("monitoring/reports/<int:report_id>/", report_detail, name="report_detail"),
    path("monitoring/reports/<int:report_id>/values/", report_value_save, name="report_value_save"),
    path(
        "monitoring/reports/<int:report_id>/narratives/", report_narrative_save, name="report_narrative_save"
    ),
    path("monitoring/reports/<int:report_id>/heartbeat/", report_heartbeat, name="report_heartbeat"),
    path(
        "monitoring/reports/<int:report_id>/values/<int:value_id>/problem/",
        report_problem_new,
        name="report_problem_new",
    ),
    path("monitoring/problems/", monitoring_problems, name="monitoring_problems"),
    path("monitoring/reports/<int:report_id>/workbook/", report_workbook, name="report_workbook"),
    path(
        "monitoring/reports/<int:report_id>/workbook/import/",
        report_workbook_import,
        name="report_workbook_import",
    ),
]
