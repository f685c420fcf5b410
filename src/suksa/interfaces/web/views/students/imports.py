"""Learner import and register export pages, and the progress page of a background job.

``/students/import/`` takes a DMC file and starts a job (``students.import``); ``/jobs/<id>/``
shows its progress, refreshed by HTMX every second, then the result and its problems. Only the
person who asked (and system administrators over the job's unit) may see a job; for anyone else
it does not exist. The register export needs ``student.view`` on the school, and each export is
audited (school, year, format and number of rows; no learner's data in the entry).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from suksa.core import jobs
from suksa.core.dates import academic_year_be_of
from suksa.core.errors import NotFoundOrNoAccess, PermissionDenied, Problem, SuksaError
from suksa.core.models import AcademicYear, Job, OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.core.tabular import problems_csv
from suksa.domains.students.selectors import school_unit_for
from suksa.domains.students.services.imports import (
    register_csv_chunks,
    register_export_audit,
    register_rows,
    register_xlsx,
    students_import_submit,
    template_csv,
)
from suksa.interfaces.web.context import request_actor

# Problems shown on the page; the CSV has every problem the job kept.
PAGE_PROBLEMS = 100
MAX_UPLOAD_BYTES = 2 * 1024**3


def _signed_in(request: HttpRequest) -> Actor | HttpResponse:
    actor = request_actor(request)
    if not actor.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return actor


def _importer(request: HttpRequest) -> Actor | HttpResponse:
    actor = _signed_in(request)
    if isinstance(actor, Actor) and not actor.can_anywhere(Perm.STUDENT_EDIT):
        raise Http404
    return actor


@require_http_methods(["GET", "POST"])
def student_import(request: HttpRequest) -> HttpResponse:
    actor = _importer(request)
    if isinstance(actor, HttpResponse):
        return actor
    context: dict[str, Any] = {"problems": []}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or not upload.name:
            context["problems"] = [Problem(code="required", th="กรุณาเลือกไฟล์", en="Please choose a file")]
        elif upload.size and upload.size > MAX_UPLOAD_BYTES:
            context["problems"] = [
                Problem(code="file_too_big", th="ไฟล์ใหญ่เกิน 2 GB", en="The file is larger than 2 GB")
            ]
        else:
            try:
                job = students_import_submit(
                    actor=actor,
                    upload=upload,
                    filename=upload.name,
                    keep_valid=request.POST.get("keep_valid") in {"on", "1", "true"},
                )
            except SuksaError as exc:
                context["problems"] = exc.problems
            else:
                return redirect("web:job_detail", job_id=job.pk)
    return render(
        request, "web/students/imports/upload.html", context, status=400 if context["problems"] else 200
    )


@require_GET
def student_import_template(request: HttpRequest) -> HttpResponse:
    actor = _importer(request)
    if isinstance(actor, HttpResponse):
        return actor
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="students-dmc-template.csv"'
    return response


def _job(request: HttpRequest, job_id: int) -> Job | HttpResponse:
    actor = _signed_in(request)
    if isinstance(actor, HttpResponse):
        return actor
    try:
        return jobs.job_get(actor, job_id)
    except NotFoundOrNoAccess:
        raise Http404 from None


@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    if isinstance(job, HttpResponse):
        return job
    done, total = jobs.progress_of(job)
    result = job.result or {}
    context = {
        "job": job,
        "done": done,
        "total": total,
        "percent": jobs.percent_of(job),
        "finished": job.status in (Job.Status.DONE, Job.Status.FAILED),
        "result": result,
        "problems": (result.get("problems") or result.get("errors") or [])[:PAGE_PROBLEMS],
        "problem_total": result.get(
            "problem_count", len(result.get("problems") or result.get("errors") or [])
        ),
    }
    template = (
        "web/students/imports/_job_status.html"
        if request.headers.get("HX-Request")
        else "web/students/imports/job.html"
    )
    return render(request, template, context)


@require_GET
def job_problems(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    if isinstance(job, HttpResponse):
        return job
    stored = (job.result or {}).get("problems") or (job.result or {}).get("errors") or []
    problems = [
        Problem(code=p.get("code", ""), th=_text(p, "th"), en=_text(p, "en"), field=p.get("field"),
                row=p.get("row"), column=p.get("column"), file=p.get("file"))
        for p in stored
    ]  # fmt: skip
    response = HttpResponse(problems_csv(problems), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="job-{job.pk}-problems.csv"'
    return response


def _text(stored: dict[str, Any], language: str) -> str:
    """The bare message of a stored problem (``as_dict`` prefixes the location)."""
    message = str(stored.get(f"message_{language}", ""))
    return message.split(": ", 1)[1] if ": " in message and stored.get("row") is not None else message


def _counted(rows: Iterator[dict[str, str]], tally: list[int]) -> Iterator[dict[str, str]]:
    for row in rows:
        tally[0] += 1
        yield row


@dataclass(frozen=True)
class _Export:
    actor: Actor
    school: OrgUnit
    year: AcademicYear
    rows: Iterator[dict[str, str]]


def _register(request: HttpRequest, code: str) -> _Export | HttpResponse:
    actor = _signed_in(request)
    if isinstance(actor, HttpResponse):
        return actor
    try:
        school = school_unit_for(actor, Perm.STUDENT_VIEW, code)
    except NotFoundOrNoAccess:
        raise Http404 from None
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    raw = request.GET.get("year", "")
    year_be = int(raw) if raw.isdigit() else academic_year_be_of(timezone.localdate())
    year = AcademicYear.objects.filter(year_be=year_be).first()
    if year is None:
        raise Http404
    return _Export(actor, school, year, register_rows(actor=actor, school=school, academic_year=year))


@require_GET
def school_register_csv(request: HttpRequest, code: str) -> HttpResponseBase:
    found = _register(request, code)
    if isinstance(found, HttpResponse):
        return found
    register_export_audit(actor=found.actor, school=found.school, academic_year=found.year, fmt="csv")
    response = StreamingHttpResponse(register_csv_chunks(found.rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="register-{code}-{found.year.year_be}.csv"'
    return response


@require_GET
def school_register_xlsx(request: HttpRequest, code: str) -> HttpResponseBase:
    found = _register(request, code)
    if isinstance(found, HttpResponse):
        return found
    tally = [0]
    workbook = register_xlsx(_counted(found.rows, tally))
    register_export_audit(
        actor=found.actor, school=found.school, academic_year=found.year, fmt="xlsx", rows=tally[0]
    )
    return FileResponse(
        workbook,
        as_attachment=True,
        filename=f"register-{code}-{found.year.year_be}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


urlpatterns: list[URLPattern] = [
    path("students/import/", student_import, name="student_import"),
    path("students/import/template.csv", student_import_template, name="student_import_template"),
    path("jobs/<int:job_id>/", job_detail, name="job_detail"),
    path("jobs/<int:job_id>/problems.csv", job_problems, name="job_problems"),
    path("schools/<str:code>/register.csv", school_register_csv, name="school_register_csv"),
    path("schools/<str:code>/register.xlsx", school_register_xlsx, name="school_register_xlsx"),
]
