"""Monitoring (e-MES) pages: a report's ranked top-5 outstanding works and its evidence files.

Anyone who sees the report sees its works (with the bureau's verification and notes) and its
evidence; ESA staff (``report.edit``) change them while the report is a draft or returned and the
round is not locked. Every write names the report's ``lock_version`` it was read at (a hidden
field) and goes through ``monitoring.services.works`` / ``.evidence``; a stale version is refused
(409) with the user's typed text kept in the form and the newer list shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from suksa.core.errors import (
    Conflict,
    InvalidInput,
    NotFoundOrNoAccess,
    PermissionDenied,
    Problem,
    SuksaError,
)
from suksa.core.i18n import bi, current_language, pick
from suksa.core.policy import Actor, Perm
from suksa.domains.monitoring import selectors_works as sel
from suksa.domains.monitoring.models import MAX_WORKS, EvidenceFile, NarrativeSection, Report
from suksa.domains.monitoring.selectors import report_get
from suksa.domains.monitoring.services import evidence as evidence_svc
from suksa.domains.monitoring.services import works as works_svc
from suksa.domains.monitoring.services.locking import today
from suksa.interfaces.web.context import maybe_reverse, request_actor

TEMPLATES = "web/monitoring/works/"


# --- shared --------------------------------------------------------------------------------------


def _report(actor: Actor, report_id: int) -> Report:
    try:
        return report_get(actor, report_id)
    except NotFoundOrNoAccess:
        raise Http404 from None


def _url_or_blank(name: str, *args: Any) -> str:
    """The URL of another area's page, or "" while that page does not exist yet."""
    return maybe_reverse(name, *args) or ""


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("lock_version", ""))
    except ValueError:
        raise InvalidInput.single(
            "lock_version_missing",
            "ไม่พบรุ่นของรายงานที่เปิดไว้ กรุณาเปิดหน้านี้ใหม่",
            "The report version you opened is missing; reload the page",
            field="lock_version",
        ) from None


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def _flash(request: HttpRequest, problems: list[Problem]) -> None:
    for p in problems:
        messages.error(request, f"{p.message('th')} · {p.message('en')}")


def _conflict_text() -> str:
    return (
        "มีผู้อื่นบันทึกรายงานนี้หลังจากที่คุณเปิด การเปลี่ยนแปลงของคุณยังไม่ถูกบันทึก รายการด้านล่างเป็นฉบับล่าสุด "
        "ข้อความที่คุณพิมพ์ยังอยู่ในแบบฟอร์ม ตรวจสอบแล้วบันทึกอีกครั้ง · "
        "Someone else saved this report after you opened it; your change was not saved. The list below is "
        "the latest; what you typed is still in the form: check it and save again"
    )


def _base_context(actor: Actor, report: Report) -> dict[str, Any]:
    detail_url = _url_or_blank("web:report_detail", report.pk)
    reports_url = _url_or_blank("web:monitoring_reports")
    esa_name = report.esa.name(current_language())
    crumbs: list[dict[str, Any]] = []
    if reports_url:
        crumbs.append({"label": pick("รายงานการติดตาม", "Monitoring reports"), "url": reports_url})
    crumbs.append({"label": f"{esa_name} · {report.round}", "url": detail_url or None})
    return {
        "report": report,
        "esa_name": esa_name,
        "round_name": pick(report.round.name_th, report.round.name_en or report.round.name_th),
        "editable": sel.is_editable_by(actor, report, today()),
        "may_edit": actor.can(Perm.REPORT_EDIT, report.esa.path),
        "detail_url": detail_url,
        "works_url": reverse("web:report_works", args=[report.pk]),
        "evidence_url": reverse("web:report_evidence", args=[report.pk]),
        "crumbs": crumbs,
        "max_works": MAX_WORKS,
        "max_size": evidence_svc.human_size(evidence_svc.MAX_BYTES, current_language()),
        "allowed_types": evidence_svc.ALLOWED_TEXT,
        "accept": ",".join(
            [ext for k in evidence_svc.KINDS.values() for ext in k.extensions]
            + [k.content_type for k in evidence_svc.KINDS.values()]
        ),
    }


# --- works ---------------------------------------------------------------------------------------


class WorkForm(forms.Form):
    """The fields of one work; the service validates (bilingual messages) so none is required here."""

    title = forms.CharField(
        label=bi("ชื่อผลงาน", "Title"), required=False, widget=forms.TextInput(attrs={"maxlength": 255})
    )
    description = forms.CharField(
        label=bi("คำอธิบายผลงาน", "Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    practices = forms.CharField(
        label=bi("วิธีปฏิบัติ / กระบวนการ", "Practices"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    results_claimed = forms.CharField(
        label=bi("ผลที่เกิดขึ้น", "Results claimed"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    standard_code = forms.ChoiceField(label=bi("มาตรฐาน สพท.", "ESA standard"), required=False)
    indicator_codes = forms.MultipleChoiceField(
        label=bi("ตัวชี้วัดที่เกี่ยวข้อง", "Indicators the results are claimed on"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        error_messages={
            "invalid_choice": bi(
                "ตัวชี้วัด %(value)s ไม่อยู่ในบัญชีตัวชี้วัดปัจจุบัน",
                "%(value)s is not an indicator of the current catalogue",
            )
        },
    )

    def __init__(self, *args: Any, choices: dict[str, list[tuple[str, str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        standard = self.fields["standard_code"]
        indicators = self.fields["indicator_codes"]
        assert isinstance(standard, forms.ChoiceField)
        assert isinstance(indicators, forms.MultipleChoiceField)
        standard.choices = [("", pick("— ไม่ระบุ —", "— none —")), *choices["standards"]]
        indicators.choices = choices["indicators"]
        for field in self.fields.values():
            css = (
                "form-select"
                if isinstance(field.widget, forms.Select | forms.SelectMultiple)
                else "form-control"
            )
            field.widget.attrs.setdefault("class", css)


def _choices() -> dict[str, list[tuple[str, str]]]:
    language = current_language()
    return {
        "standards": [
            (s.code, f"{s.code}. {pick(s.name_th, s.name_en or s.name_th, language)}")
            for s in sel.standards_all()
        ],
        "indicators": [
            (i.code, f"{pick(i.name_th, i.name_en or i.name_th, language)} ({i.code})")
            for i in sel.indicator_choices()
        ],
    }


def _initial(work: Any) -> dict[str, Any]:
    return {
        "title": work.title,
        "description": work.description,
        "practices": work.practices,
        "results_claimed": work.results_claimed,
        "standard_code": work.standard.code if work.standard else "",
        "indicator_codes": list(work.indicator_codes or []),
    }


def _sized(files: Iterable[EvidenceFile]) -> list[EvidenceFile]:
    """The files, each with a readable ``size_text`` ("1.5 MB")."""
    language = current_language()
    rows = list(files)
    for e in rows:
        e.size_text = evidence_svc.human_size(e.size, language)  # type: ignore[attr-defined]
    return rows


def _add_problems(form: forms.Form, problems: list[Problem]) -> list[Problem]:
    """Put each problem on its form field; return those that belong to no field."""
    rest: list[Problem] = []
    for p in problems:
        if p.field in form.fields:
            form.add_error(p.field, f"{p.th} · {p.en}")
        else:
            rest.append(p)
    return rest


@login_required
@require_http_methods(["GET", "POST"])
def report_works(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = request_actor(request)
    report = _report(actor, report_id)
    choices = _choices()
    bound: tuple[str, forms.Form] | None = None
    status = 200
    if request.method == "POST":
        if not actor.can(Perm.REPORT_EDIT, report.esa.path):
            raise DjangoPermissionDenied
        outcome = _works_post(request, actor, report, choices)
        if isinstance(outcome, HttpResponse):
            return outcome
        bound, status = outcome
        report = _report(actor, report_id)  # the latest version, for the hidden fields
    works = list(sel.works_of_report(actor, report))
    forms_by_work: dict[int, forms.Form] = {}
    new_form: forms.Form = WorkForm(prefix="new", choices=choices)
    for w in works:
        forms_by_work[w.pk] = WorkForm(prefix=f"w{w.pk}", initial=_initial(w), choices=choices)
    if bound is not None:
        key, form = bound
        if key == "new":
            new_form = form
        else:
            forms_by_work[int(key.removeprefix("w"))] = form
    indicator_names = dict(choices["indicators"])
    rows = [
        {
            "work": w,
            "form": forms_by_work[w.pk],
            "indicators": [(c, indicator_names.get(c, c)) for c in (w.indicator_codes or [])],
            "evidence": _sized(w.evidence.all()),
            "first": i == 0,
            "last": i == len(works) - 1,
        }
        for i, w in enumerate(works)
    ]
    context = {
        **_base_context(actor, report),
        "rows": rows,
        "new_form": new_form,
        "can_add": len(works) < MAX_WORKS,
    }
    return render(request, TEMPLATES + "works.html", context, status=status)


def _works_post(
    request: HttpRequest, actor: Actor, report: Report, choices: dict[str, list[tuple[str, str]]]
) -> HttpResponse | tuple[tuple[str, forms.Form] | None, int]:
    action = request.POST.get("action", "")
    back = reverse("web:report_works", args=[report.pk])
    form: forms.Form | None = None
    key = ""
    try:
        version = _version(request)
        if action in ("add", "save"):
            work_id = None if action == "add" else _int_or_none(request.POST.get("work_id"))
            if action == "save" and work_id is None:
                raise Http404
            key = "new" if work_id is None else f"w{work_id}"
            form = WorkForm(request.POST, prefix=key, choices=choices)
            if not form.is_valid():
                return (key, form), 400
            work, _ = works_svc.work_save(
                actor=actor,
                report_id=report.pk,
                work_id=work_id,
                expected_version=version,
                **form.cleaned_data,
            )
            messages.success(request, bi("บันทึกผลงานแล้ว", "Work saved"))
            return redirect(f"{back}#work-{work.pk}")
        if action == "delete":
            work_id = _int_or_none(request.POST.get("work_id"))
            if work_id is None:
                raise Http404
            works_svc.work_delete(actor=actor, report_id=report.pk, work_id=work_id, expected_version=version)
            messages.success(request, bi("ลบผลงานแล้ว ลำดับที่เหลือเลื่อนขึ้น", "Work removed; the rest moved up"))
            return redirect(back)
        if action in ("up", "down"):
            work_id = _int_or_none(request.POST.get("work_id"))
            ids = [w.pk for w in sel.works_of_report(actor, report)]
            if work_id not in ids:
                raise Http404
            i = ids.index(work_id)
            j = i - 1 if action == "up" else i + 1
            if 0 <= j < len(ids):
                ids[i], ids[j] = ids[j], ids[i]
            works_svc.works_reorder(
                actor=actor, report_id=report.pk, ordered_ids=ids, expected_version=version
            )
            messages.success(request, bi("จัดลำดับผลงานใหม่แล้ว", "Works re-ranked"))
            return redirect(f"{back}#work-{work_id}")
        raise Http404
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except NotFoundOrNoAccess:
        raise Http404 from None
    except Conflict:
        messages.error(request, _conflict_text())
        return ((key, form) if form is not None else None), 409
    except InvalidInput as error:
        rest = _add_problems(form, error.problems) if form is not None else error.problems
        _flash(request, rest)
        return ((key, form) if form is not None else None), 400


# --- evidence ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_evidence(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = request_actor(request)
    report = _report(actor, report_id)
    status = 200
    upload_errors: list[Problem] = []
    if request.method == "POST":
        if not actor.can(Perm.REPORT_EDIT, report.esa.path):
            raise DjangoPermissionDenied
        outcome = _evidence_post(request, actor, report)
        if isinstance(outcome, HttpResponse):
            return outcome
        upload_errors, status = outcome
        report = _report(actor, report_id)
    sections = [(s.code, _section_label(s)) for s in sel.report_sections(report)]
    evidence = _sized(sel.evidence_of_report(actor, report))
    for e in evidence:
        e.section_label = _section_label(e.section) if e.section else ""  # type: ignore[attr-defined]
    works = list(sel.works_of_report(actor, report).prefetch_related(None))
    context = {
        **_base_context(actor, report),
        "evidence": evidence,
        "works": works,
        "sections": sections,
        "upload_errors": [p.as_dict() for p in upload_errors],
        "chosen_work": _int_or_none(request.POST.get("work_id")) if request.method == "POST" else None,
        "chosen_section": request.POST.get("section_code", "") if request.method == "POST" else "",
    }
    return render(request, TEMPLATES + "evidence.html", context, status=status)


def _section_label(section: NarrativeSection) -> str:
    return pick(section.title_th, section.title_en or section.title_th)


def _evidence_post(
    request: HttpRequest, actor: Actor, report: Report
) -> HttpResponse | tuple[list[Problem], int]:
    action = request.POST.get("action", "upload")
    from_works = request.POST.get("back") == "works"
    here = reverse("web:report_evidence", args=[report.pk])
    works_page = reverse("web:report_works", args=[report.pk])
    work_id = _int_or_none(request.POST.get("work_id"))
    try:
        version = _version(request)
        if action == "upload":
            upload = request.FILES.get("file")
            if upload is None:
                raise InvalidInput.single(
                    "required", "กรุณาเลือกไฟล์ที่จะแนบ", "Choose a file to attach", field="file"
                )
            evidence, _ = evidence_svc.evidence_upload(
                actor=actor,
                report_id=report.pk,
                file=upload,
                work_id=work_id,
                section_code=request.POST.get("section_code") or None,
                expected_version=version,
            )
            messages.success(
                request, bi(f"แนบไฟล์ {evidence.original_name} แล้ว", f"{evidence.original_name} attached")
            )
        elif action == "delete":
            evidence_id = _int_or_none(request.POST.get("evidence_id"))
            if evidence_id is None:
                raise Http404
            evidence_svc.evidence_delete(
                actor=actor, report_id=report.pk, evidence_id=evidence_id, expected_version=version
            )
            messages.success(request, bi("ลบไฟล์หลักฐานแล้ว", "Evidence file removed"))
        else:
            raise Http404
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except NotFoundOrNoAccess:
        raise Http404 from None
    except SuksaError as error:
        status = 409 if isinstance(error, Conflict) else 400
        if isinstance(error, Conflict):
            messages.error(request, _conflict_text())
            problems: list[Problem] = []
        else:
            problems = error.problems
        if from_works:
            _flash(request, problems)
            return redirect(f"{works_page}#work-{work_id}" if work_id else works_page)
        return problems, status
    if from_works:
        return redirect(f"{works_page}#work-{work_id}" if work_id else works_page)
    return redirect(here)


def evidence_response(download: evidence_svc.EvidenceDownload) -> FileResponse:
    """Stream a verified evidence file as an attachment (headers from the service)."""
    response = FileResponse(download.handle, content_type=download.content_type)
    for header, value in evidence_svc.download_headers(download).items():
        response[header] = value
    return response


@login_required
@require_GET
def report_evidence_download(
    request: HttpRequest, report_id: int, evidence_id: int
) -> HttpResponse | FileResponse:
    actor = request_actor(request)
    try:
        download = evidence_svc.evidence_open(actor=actor, report_id=report_id, evidence_id=evidence_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    except Conflict as error:
        report = _report(actor, report_id)
        context = {**_base_context(actor, report), "problems": [p.as_dict() for p in error.problems]}
        return render(request, TEMPLATES + "download_error.html", context, status=409)
    return evidence_response(download)


urlpatterns: list[URLPattern] = [
    path("monitoring/reports/<int:report_id>/works/", report_works, name="report_works"),
    path("monitoring/reports/<int:report_id>/evidence/", report_evidence, name="report_evidence"),
    path(
        "monitoring/reports/<int:report_id>/evidence/<int:evidence_id>/",
        report_evidence_download,
        name="report_evidence_download",
    ),
]
