"""Insights pages: school models worth scaling.

- ``insights_school_models`` (``?round=``): the structural groups of schools of each O-NET test,
  with how many positive deviants each holds and what they share (practices named in texts about
  them, staffing, size), linking to each group. A scoped reader sees the groups that hold their
  schools (see :mod:`suksa.domains.insights.selectors_schools`).
- ``insights_school_group`` ``<group_id>``: the deviants and near misses of one group, each with its
  residual ± standard error, the years it held, and the narratives and works that name it. A scoped
  reader sees only their own schools; others' deviants are a count.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.i18n import pick
from suksa.core.policy import Actor, Perm
from suksa.domains.insights import selectors_schools as sel
from suksa.domains.insights.selectors import rounds_with_runs
from suksa.interfaces.web.context import maybe_reverse, request_actor
from suksa.interfaces.web.params import id_param

TEMPLATES = "web/insights/schools/"


def crumbs(*items: tuple[str, str | None]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    home = maybe_reverse("web:insights_home")
    if home:
        out.append({"label": pick("ข้อมูลเชิงลึก", "Insights"), "url": home})
    out.extend({"label": label, "url": url} for label, url in items)
    return out


def guard(request: HttpRequest) -> Actor:
    actor = request_actor(request)
    if not actor.can_anywhere(Perm.INSIGHTS_VIEW):
        raise DjangoPermissionDenied
    return actor


@login_required
@require_GET
def insights_school_models(request: HttpRequest) -> HttpResponse:
    actor = guard(request)
    round_id, problems = id_param(request, "round", "รอบการรายงาน", "round")
    context: dict[str, Any] = {
        "crumbs": crumbs((pick("โรงเรียนต้นแบบที่ควรขยายผล", "School models worth scaling"), None)),
        "problems": problems,
        "rounds": rounds_with_runs(),
        "view": None,
    }
    if problems:
        return render(request, TEMPLATES + "models.html", context, status=400)
    try:
        view = sel.school_models(actor, round_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    context["view"] = view
    context["groups"] = [
        {
            "g": g,
            "url": reverse("web:insights_school_group", args=[g.pk]),
            "top": g.shared.get("practices", [])[:3],
        }
        for g in view.groups
    ]
    return render(request, TEMPLATES + "models.html", context)


@login_required
@require_GET
def insights_school_group(request: HttpRequest, group_id: int) -> HttpResponse:
    actor = guard(request)
    try:
        detail = sel.school_group(actor, group_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    g = detail.group
    rows = [
        {
            "r": r,
            "se": r.data.get("se"),
            "level_z": r.data.get("level_z"),
            "yearly": r.data.get("yearly", []),
            "unit_url": maybe_reverse("web:org_unit", r.school_id) or "",
        }
        for r in detail.rows
    ]
    context = {
        "crumbs": crumbs(
            (
                pick("โรงเรียนต้นแบบที่ควรขยายผล", "School models worth scaling"),
                reverse("web:insights_school_models"),
            ),
            (pick(g.name_th, g.name_en), None),
        ),
        "detail": detail,
        "g": g,
        "rows": rows,
        "practices": g.shared.get("practices", []),
        "staffing": (g.shared.get("staffing") or {}).get("pupil_teacher_median") or {},
        "size": (g.shared.get("size") or {}).get("learners_median") or {},
    }
    return render(request, TEMPLATES + "group.html", context)


urlpatterns: list[URLPattern] = [
    path("insights/schools/", insights_school_models, name="insights_school_models"),
    path("insights/schools/<int:group_id>/", insights_school_group, name="insights_school_group"),
]
