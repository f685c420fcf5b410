"""Insights pages: lessons from narratives.

- ``insights_lessons`` (``?round=<id>``): the practices ESAs name, each with its verdict (linked
  to measured change / no change / too few data), how many ESAs name it and its effect on the
  indicators it aims at, with the interval; and the topic groups of the texts with their keywords.
- ``insights_practice`` ``<practice_id>``: one practice — effects per indicator with interval and
  p-values, and example excerpts the viewer may read.
- ``insights_similar`` (``?q=<text>`` or ``?doc=<id>``, ``&round=``): "which other ESAs tried
  something like this, and what happened" — the ten most similar texts of other ESAs, with the
  practices they name and (where the viewer may see that ESA) its measured change.

Who sees what: :mod:`suksa.domains.insights.selectors_lessons`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess
from suksa.core.i18n import pick
from suksa.domains.insights import selectors_lessons as sel
from suksa.domains.insights.models import InsightRun
from suksa.domains.insights.selectors import rounds_with_runs, run_for
from suksa.domains.insights.services import similar as sim
from suksa.domains.monitoring.models import Round
from suksa.interfaces.web.context import maybe_reverse, request_actor
from suksa.interfaces.web.params import PK_MAX

TEMPLATES = "web/insights/lessons/"


def _crumbs(last: str, extra: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    crumbs: list[dict[str, Any]] = []
    home = maybe_reverse("web:insights_home")
    if home:
        crumbs.append({"label": pick("การวิเคราะห์เชิงลึก", "Insights"), "url": home})
    crumbs += extra or []
    crumbs.append({"label": last, "url": None})
    return crumbs


def _round_run(request: HttpRequest) -> tuple[Round | None, InsightRun | None]:
    raw = request.GET.get("round")
    round_id = None
    if raw:
        if not raw.isdigit() or not 0 < int(raw) <= PK_MAX:
            raise Http404
        round_id = int(raw)
    try:
        return run_for(round_id)
    except NotFoundOrNoAccess:
        raise Http404 from None


def _guard(request: HttpRequest) -> Any:
    actor = request_actor(request)
    if not sel.may_view(actor):
        raise DjangoPermissionDenied
    return actor


def _verdict(verdict: str) -> tuple[str, str]:
    return sel.VERDICT_LABELS.get(verdict, (verdict, verdict))


@login_required
@require_GET
def insights_lessons(request: HttpRequest) -> HttpResponse:
    _guard(request)
    rnd, run = _round_run(request)
    practices = sel.findings(run) if run else []
    rows = [{"f": f, "verdict": _verdict(f.verdict), "effects": sel.effect_rows(f)} for f in practices]
    context = {
        "crumbs": _crumbs(pick("บทเรียนจากการดำเนินงาน", "Lessons")),
        "round": rnd,
        "run": run,
        "rounds": rounds_with_runs(),
        "rows": rows,
        "topics": sel.topics(run) if run else [],
        "vector_reason": (run.stages.get("lessons", {}).get("counts", {}) if run else {}),
    }
    return render(request, TEMPLATES + "lessons.html", context)


@login_required
@require_GET
def insights_practice(request: HttpRequest, practice_id: int) -> HttpResponse:
    actor = _guard(request)
    try:
        finding = sel.practice_get(actor, practice_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    context = {
        "crumbs": _crumbs(
            pick(finding.name_th, finding.name_en or finding.name_th),
            [
                {
                    "label": pick("บทเรียนจากการดำเนินงาน", "Lessons"),
                    "url": maybe_reverse("web:insights_lessons"),
                }
            ],
        ),
        "f": finding,
        "verdict": _verdict(finding.verdict),
        "effects": sel.effect_rows(finding),
        "evidence": sel.practice_evidence(actor, finding),
        "similar_url": maybe_reverse("web:insights_similar"),
    }
    return render(request, TEMPLATES + "practice.html", context)


@login_required
@require_GET
def insights_similar(request: HttpRequest) -> HttpResponse:
    actor = _guard(request)
    q, doc = request.GET.get("q"), request.GET.get("doc")
    context: dict[str, Any] = {
        "crumbs": _crumbs(pick("ค้นหากรณีที่คล้ายกัน", "Similar cases")),
        "q": (q or "")[: sim.MAX_QUERY + 100],
        "max_query": sim.MAX_QUERY,
        "result": None,
        "problems": [],
    }
    if q is None and doc is None:  # the empty form
        return render(request, TEMPLATES + "similar.html", context)
    try:
        text, doc_id = sim.validate_query(q, doc)
    except InvalidInput as error:
        context["problems"] = error.problems
        return render(request, TEMPLATES + "similar.html", context, status=400)
    try:
        if doc_id is not None:
            run = sel.doc_get(actor, doc_id).run
        else:
            _, found = _round_run(request)
            if found is None:
                context["problems"] = [sim.no_run_problem()]
                return render(request, TEMPLATES + "similar.html", context, status=404)
            run = found
        result = sim.similar_cases(actor, run=run, q=text, doc_id=doc_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    context["result"] = result
    if result.query_doc is not None:
        found_query = sel.excerpts(actor, [result.query_doc])
        context["query_excerpt"] = found_query.get(result.query_doc.pk)
    return render(request, TEMPLATES + "similar.html", context)


urlpatterns: list[URLPattern] = [
    path("insights/lessons/", insights_lessons, name="insights_lessons"),
    path("insights/lessons/practices/<int:practice_id>/", insights_practice, name="insights_practice"),
    path("insights/similar/", insights_similar, name="insights_similar"),
]
