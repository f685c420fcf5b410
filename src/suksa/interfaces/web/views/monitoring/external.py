"""Import external indicator values (one dataset per file) and recompute the platform's own
indicators (small schools, teacher shortage).

Only national M&E officers and national operators who may recompute stored values use it
(``services.external.may_import``); others get 403, anonymous users are sent to sign in. The result
page lists every problem with its row and column; the problems download as CSV (the shared layout)
for the last import of the session.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from suksa.core.errors import InvalidInput, Problem
from suksa.core.i18n import bi
from suksa.core.policy import Actor
from suksa.core.tabular import problems_csv
from suksa.domains.monitoring.services import external as svc
from suksa.domains.monitoring.services import platform_indicators as platform
from suksa.interfaces.web.views.monitoring.catalogue import flash_error, guarded, reader

SESSION_KEY = "monitoring_external_import_problems"
SESSION_MAX_PROBLEMS = 20_000


def importer(request: HttpRequest) -> Actor:
    actor = reader(request)
    if not svc.may_import(actor):
        raise DjangoPermissionDenied
    return actor


@require_http_methods(["GET", "POST"])
@guarded
def external_import(request: HttpRequest) -> HttpResponse:
    actor = importer(request)
    choices = svc.datasets()
    context: dict[str, Any] = {
        "datasets": choices,
        "chosen": request.POST.get("dataset") or request.GET.get("dataset", ""),
        "may_compute": platform.may_compute(actor),
        "period": platform.census_period(),
    }
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or not upload.name:
            context["form_error"] = bi("กรุณาเลือกไฟล์", "Please choose a file")
        else:
            try:
                report = svc.external_values_import(
                    actor=actor,
                    dataset=request.POST.get("dataset", ""),
                    file=upload,
                    filename=upload.name,
                    keep_valid=request.POST.get("keep_valid") in {"on", "1", "true"},
                )
            except InvalidInput as error:
                context["form_error"] = " · ".join(f"{p.th} · {p.en}" for p in error.problems)
            else:
                request.session[SESSION_KEY] = {
                    "file": report.file,
                    "problems": [
                        [p.code, p.th, p.en, p.field, p.row, p.column]
                        for p in report.problems[:SESSION_MAX_PROBLEMS]
                    ],
                }
                labels = {d.code: d for d in choices}
                return render(
                    request,
                    "web/monitoring/external/result.html",
                    {"report": report, "dataset": labels.get(report.dataset)},
                    status=200 if report.committed else 400,
                )
        return render(request, "web/monitoring/external/form.html", context, status=400)
    return render(request, "web/monitoring/external/form.html", context)


@require_GET
@guarded
def external_import_errors(request: HttpRequest) -> HttpResponse:
    importer(request)
    stored = request.session.get(SESSION_KEY)
    if not stored:
        raise Http404
    problems = [
        Problem(code=c, th=th, en=en, field=f, row=r, column=col)
        for c, th, en, f, r, col in stored["problems"]
    ]
    stem = str(stored["file"]).rsplit(".", 1)[0] or "import"
    response = HttpResponse(problems_csv(problems), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}-errors.csv"'
    return response


@require_POST
@guarded
def platform_compute(request: HttpRequest) -> HttpResponse:
    actor = reader(request)
    if not platform.may_compute(actor):
        raise DjangoPermissionDenied
    try:
        s = platform.platform_indicators_compute(actor=actor)
    except InvalidInput as error:
        flash_error(request, error)
    else:
        messages.success(
            request,
            bi(
                f"คำนวณแล้ว {s.values_written} ค่า ({s.period}) จากโรงเรียน {s.schools} แห่ง",
                f"Computed {s.values_written} values ({s.period}) from {s.schools} schools",
            ),
        )
    return redirect("web:monitoring_external_import")


urlpatterns: list[URLPattern] = [
    path("monitoring/external/import/", external_import, name="monitoring_external_import"),
    path(
        "monitoring/external/import/errors.csv",
        external_import_errors,
        name="monitoring_external_import_errors",
    ),
    path("monitoring/platform-indicators/compute/", platform_compute, name="monitoring_platform_compute"),
]
