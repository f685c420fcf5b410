"""Insights pages: nominated outstanding works checked against the numbers, and case studies.

- ``insights_work_checks`` (``?round=&esa=``): without ``esa``, each ESA in scope with how many of
  its works are supported / unsupported / without data; with ``esa``, each of that ESA's works with
  its verdict and the reasons (trend, strength, deviant schools) in Thai and English. An ESA reader
  lands on their own ESA. Another ESA's id is 404.
- ``insights_cases`` (``?round=``): the case-study shortlist among the target areas with the reason
  and evidence of each pick (who sees which pick: :mod:`suksa.domains.insights.selectors_cases`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.i18n import pick
from suksa.domains.insights import selectors_cases as sel
from suksa.domains.insights.models.choices import ClaimVerdict
from suksa.domains.insights.selectors import rounds_with_runs
from suksa.interfaces.web.context import maybe_reverse
from suksa.interfaces.web.params import id_param
from suksa.interfaces.web.views.insights.schools import crumbs, guard

TEMPLATES = "web/insights/cases/"
VERDICTS = [(v.value, v.label) for v in ClaimVerdict]


@login_required
@require_GET
def insights_work_checks(request: HttpRequest) -> HttpResponse:
    actor = guard(request)
    round_id, problems = id_param(request, "round", "รอบการรายงาน", "round")
    esa_id, more = id_param(request, "esa", "สำนักงานเขตพื้นที่", "ESA")
    problems += more
    context: dict[str, Any] = {
        "crumbs": crumbs((pick("ตรวจสอบผลงานที่เสนอ", "Outstanding works checked"), None)),
        "problems": problems,
        "rounds": rounds_with_runs(),
        "view": None,
        "verdicts": VERDICTS,
    }
    if problems:
        return render(request, TEMPLATES + "works.html", context, status=400)
    if esa_id is None and not actor.can_nationally(sel.PERM):
        own = [g.unit_id for g in actor.grants_for(sel.PERM) if g.unit_kind == "esa"]
        esa_id = own[0] if len(own) == 1 else None
    try:
        view = sel.work_checks(actor, round_id, esa_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    context["view"] = view
    context["summary"] = [
        {"s": s, "counts": [(v, label, s.counts.get(v, 0)) for v, label in VERDICTS]} for s in view.summary
    ]
    context["checks"] = [
        {
            "c": c,
            "label": ClaimVerdict(c.verdict).label,
            "report_url": maybe_reverse("web:report_detail", c.work.report_id) or "",
        }
        for c in view.checks
    ]
    context["cases_url"] = reverse("web:insights_cases")
    return render(request, TEMPLATES + "works.html", context)


@login_required
@require_GET
def insights_cases(request: HttpRequest) -> HttpResponse:
    actor = guard(request)
    round_id, problems = id_param(request, "round", "รอบการรายงาน", "round")
    context: dict[str, Any] = {
        "crumbs": crumbs((pick("กรณีศึกษาที่คัดเลือก", "Case-study shortlist"), None)),
        "problems": problems,
        "rounds": rounds_with_runs(),
        "view": None,
    }
    if problems:
        return render(request, TEMPLATES + "cases.html", context, status=400)
    try:
        view = sel.cases(actor, round_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    context["view"] = view
    context["works_url"] = reverse("web:insights_work_checks")
    return render(request, TEMPLATES + "cases.html", context)


urlpatterns: list[URLPattern] = [
    path("insights/work-checks/", insights_work_checks, name="insights_work_checks"),
    path("insights/cases/", insights_cases, name="insights_cases"),
]
