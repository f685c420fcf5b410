"""Import pages: upload an org-unit file, see what it did, download the problems or a template.

Only actors with ``org.manage`` somewhere may use them; everyone else gets 404 (the pages do not
exist for them). The service (:func:`suksa.core.orgimport.orgunits_import`) checks the scope of
every row itself.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods

from suksa.core.errors import Problem
from suksa.core.orgimport import error_report_csv, orgunits_import, template_csv
from suksa.core.policy import Actor, Perm
from suksa.core.tabular import ImportReport

SESSION_KEY = "orgunit_import_report"
# The error report is kept in the session for download; a huge one is cut (the CLI has no limit).
SESSION_MAX_PROBLEMS = 20_000


def _manager(request: HttpRequest) -> Actor | HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    if not actor.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not actor.can_anywhere(Perm.ORG_MANAGE):
        raise Http404
    return actor


def _csv_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
def orgunit_import(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    if isinstance(actor, HttpResponse):
        return actor
    context: dict[str, Any] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or not upload.name:
            context["form_error"] = True
        else:
            report = orgunits_import(
                actor=actor,
                file=upload,  # type: ignore[arg-type]
                filename=upload.name,
                keep_valid=request.POST.get("keep_valid") in {"on", "1", "true"},
            )
            request.session[SESSION_KEY] = {
                "file": report.file,
                "problems": [
                    [p.code, p.th, p.en, p.field, p.row, p.column]
                    for p in report.problems[:SESSION_MAX_PROBLEMS]
                ],
            }
            return render(request, "web/imports/orgunits_result.html", {"report": report})
    return render(request, "web/imports/orgunits_form.html", context)


@require_GET
def orgunit_import_errors(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    if isinstance(actor, HttpResponse):
        return actor
    stored = request.session.get(SESSION_KEY)
    if not stored:
        raise Http404
    report = ImportReport(file=stored["file"])
    report.problems = [
        Problem(code=c, th=th, en=en, field=f, row=r, column=col)
        for c, th, en, f, r, col in stored["problems"]
    ]
    stem = stored["file"].rsplit(".", 1)[0] or "import"
    return _csv_response(error_report_csv(report), f"{stem}-errors.csv")


@require_GET
def orgunit_import_template(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    if isinstance(actor, HttpResponse):
        return actor
    return _csv_response(template_csv(), "orgunits-template.csv")


urlpatterns: list[URLPattern] = [
    path("org/import/", orgunit_import, name="orgunit_import"),
    path("org/import/errors.csv", orgunit_import_errors, name="orgunit_import_errors"),
    path("org/import/template.csv", orgunit_import_template, name="orgunit_import_template"),
]
