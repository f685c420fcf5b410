"""Insights web pages: participatory drafting of a policy brief.

- ``brief_participants`` (``insights/briefs/<id>/drafting/``; GET, POST invites): the whole drafting
  state — participants, each recommendation with its evidence, endorsements (this version's, and
  earlier versions' as "on version n"), comments and amendments (with accept / reject for writers),
  the versions and a word-level difference of a recommendation between two versions
  (``?diff=<key>&from=<n>&to=<n>``). Writers search eligible users (``?q=``) and invite them,
  opening the consultation with an optional closing date (Buddhist Era, ``dd/mm/yyyy``).
- ``brief_comment``, ``brief_amend``, ``brief_endorse`` (``action=endorse|withdraw``) on a brief and
  ``brief_amendment_decide`` (``decision=accept|reject``) on an amendment: POST only, each calls
  one service of ``insights.services.drafting`` and redirects (post / redirect / get) to ``next``
  when it is a local path, else to the drafting page, with a bilingual message naming the field at
  fault.

The briefs slice's brief page may embed the same panel::

    {% include "web/insights/drafting/_panel.html" %}

with ``context.update(drafting_panel_context(request, brief))``: it adds one key, ``drafting``
(``None`` when the viewer may not reach the brief's drafting), holding ``state`` (the selector's
``DraftingState``), ``language``, the form URLs and ``next`` (where the forms come back to).

Unknown briefs and briefs the viewer may not reach answer 404 alike.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from suksa.core.dates import parse_be
from suksa.core.errors import Conflict, InvalidInput, NotFoundOrNoAccess, PermissionDenied, Problem
from suksa.core.i18n import current_language, pick
from suksa.domains.insights import selectors_drafting as sel
from suksa.domains.insights.models import Brief, BriefAmendment
from suksa.domains.insights.services import drafting as svc
from suksa.interfaces.web.context import maybe_reverse, request_actor
from suksa.interfaces.web.params import PK_MAX

TEMPLATES = "web/insights/drafting/"


# --- shared --------------------------------------------------------------------------------------


def _flash(request: HttpRequest, problems: list[Problem]) -> None:
    for p in problems:
        messages.error(request, f"{p.message('th')} · {p.message('en')}")


def _run(request: HttpRequest, action: Any, success: str | None = None) -> bool:
    """Run a service call; flash its refusal. Not reachable → 404; visible but not allowed → 403."""
    try:
        action()
    except NotFoundOrNoAccess:
        raise Http404 from None
    except PermissionDenied as error:
        if request.method == "POST":
            _flash(request, error.problems)
            return False
        raise DjangoPermissionDenied from None
    except (InvalidInput, Conflict) as error:
        _flash(request, error.problems)
        return False
    if success:
        messages.success(request, success)
    return True


def _int(value: Any) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 0 < n <= PK_MAX else None


def _back(request: HttpRequest, brief_id: int) -> HttpResponse:
    target = request.POST.get("next", "")
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return redirect(target)
    return redirect(reverse("web:brief_participants", args=[brief_id]))


def _reach(request: HttpRequest, brief_id: int) -> sel.BriefAccess:
    try:
        return sel.brief_access(request_actor(request), brief_id)
    except NotFoundOrNoAccess:
        raise Http404 from None


def panel_context(request: HttpRequest, state: sel.DraftingState, next_url: str) -> dict[str, Any]:
    brief_id = state.brief.pk
    return {
        "state": state,
        "language": current_language(),
        "next": next_url,
        "comment_url": reverse("web:brief_comment", args=[brief_id]),
        "amend_url": reverse("web:brief_amend", args=[brief_id]),
        "endorse_url": reverse("web:brief_endorse", args=[brief_id]),
        "page_url": reverse("web:brief_participants", args=[brief_id]),
        "max_comment": svc.MAX_COMMENT,
        "max_wording": svc.MAX_WORDING,
        "max_reason": svc.MAX_REASON,
    }


def drafting_panel_context(request: HttpRequest, brief: Brief) -> dict[str, Any]:
    """``{"drafting": …}`` for ``web/insights/drafting/_panel.html`` on another page (the brief's).

    ``drafting`` is ``None`` when the viewer may not reach the brief's drafting (the panel then
    renders nothing). The panel's forms come back to the page that includes it."""
    try:
        state = sel.drafting_state(request_actor(request), brief.pk)
    except NotFoundOrNoAccess:
        return {"drafting": None}
    return {"drafting": panel_context(request, state, request.get_full_path())}


def _crumbs(brief: Brief) -> list[dict[str, Any]]:
    crumbs: list[dict[str, Any]] = []
    home = maybe_reverse("web:insights_home")
    if home:
        crumbs.append({"label": pick("ข้อมูลเชิงลึก", "Insights"), "url": home})
    briefs = maybe_reverse("web:briefs")
    if briefs:
        crumbs.append({"label": pick("ข้อเสนอเชิงนโยบาย", "Policy briefs"), "url": briefs})
    page = maybe_reverse("web:brief", brief.pk)
    crumbs.append({"label": pick(brief.title_th, brief.title_en or brief.title_th), "url": page})
    crumbs.append({"label": pick("การร่วมร่าง", "Drafting"), "url": None})
    return crumbs


# --- the drafting page ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def brief_participants(request: HttpRequest, brief_id: int) -> HttpResponse:
    actor = request_actor(request)
    if request.method == "POST":
        return _invite(request, brief_id)
    try:
        state = sel.drafting_state(actor, brief_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    query = request.GET.get("q", "").strip()[:100]
    candidates = sel.eligible_users(state.brief, query) if state.may_decide else []
    context: dict[str, Any] = {
        "crumbs": _crumbs(state.brief),
        "brief": state.brief,
        "drafting": panel_context(request, state, ""),
        "query": query,
        "candidates": candidates,
        "may_invite": state.may_decide,
        "brief_url": maybe_reverse("web:brief", state.brief.pk) or "",
        "diff": _diff(request, state),
        "language": current_language(),
    }
    return render(request, TEMPLATES + "page.html", context)


def _diff(request: HttpRequest, state: sel.DraftingState) -> sel.RecommendationDiff | None:
    key = request.GET.get("diff", "")[:40]
    old, new = _int(request.GET.get("from")), _int(request.GET.get("to"))
    if not key or old is None or new is None:
        return None
    try:
        return sel.recommendation_diff(request_actor(request), state.brief.pk, key, old, new)
    except NotFoundOrNoAccess:
        messages.error(
            request,
            pick(
                "ไม่พบข้อเสนอแนะหรือฉบับที่ขอเปรียบเทียบ",
                "The recommendation or versions to compare were not found",
            ),
        )
        return None


def _invite(request: HttpRequest, brief_id: int) -> HttpResponse:
    access = _reach(request, brief_id)
    if not access.writer:
        raise DjangoPermissionDenied
    ids = [i for i in (_int(v) for v in request.POST.getlist("user_ids")) if i is not None]
    closes_raw = request.POST.get("closes_on", "").strip()
    closes = None
    if closes_raw:
        try:
            closes = parse_be(closes_raw, field="closes_on")
        except InvalidInput as error:
            _flash(request, error.problems)
            return _back(request, brief_id)
    done: list[svc.InviteResult] = []
    if _run(
        request,
        lambda: done.append(
            svc.participants_invite(
                actor=request_actor(request),
                brief_id=brief_id,
                user_ids=ids,
                open_consultation=request.POST.get("open_consultation") == "1",
                closes_on=closes,
            )
        ),
    ):
        n = len(done[0].invited)
        messages.success(
            request,
            pick(f"เชิญผู้ร่วมร่างแล้ว {n:,} คน และส่งการแจ้งเตือนแล้ว", f"{n:,} participant(s) invited and notified"),
        )
    return _back(request, brief_id)


# --- contributions -------------------------------------------------------------------------------


@login_required
@require_POST
def brief_comment(request: HttpRequest, brief_id: int) -> HttpResponse:
    _reach(request, brief_id)
    _run(
        request,
        lambda: svc.comment_add(
            actor=request_actor(request),
            brief_id=brief_id,
            text=request.POST.get("text", ""),
            recommendation_key=request.POST.get("recommendation_key", ""),
        ),
        pick("บันทึกความคิดเห็นแล้ว", "Comment saved"),
    )
    return _back(request, brief_id)


@login_required
@require_POST
def brief_amend(request: HttpRequest, brief_id: int) -> HttpResponse:
    _reach(request, brief_id)
    _run(
        request,
        lambda: svc.amendment_propose(
            actor=request_actor(request),
            brief_id=brief_id,
            recommendation_key=request.POST.get("recommendation_key", ""),
            text_th=request.POST.get("text_th", ""),
            text_en=request.POST.get("text_en", ""),
            reason=request.POST.get("reason", ""),
        ),
        pick("ส่งข้อเสนอแก้ไขแล้ว รอผู้เขียนพิจารณา", "Amendment proposed; the writers will decide on it"),
    )
    return _back(request, brief_id)


@login_required
@require_POST
def brief_endorse(request: HttpRequest, brief_id: int) -> HttpResponse:
    _reach(request, brief_id)
    actor = request_actor(request)
    key = request.POST.get("recommendation_key", "")
    action = request.POST.get("action", "endorse")
    if action == "withdraw":
        _run(
            request,
            lambda: svc.endorsement_withdraw(actor=actor, brief_id=brief_id, recommendation_key=key),
            pick("ถอนการรับรองแล้ว", "Endorsement withdrawn"),
        )
    elif action == "endorse":
        _run(
            request,
            lambda: svc.endorse(actor=actor, brief_id=brief_id, recommendation_key=key),
            pick("รับรองข้อเสนอแนะแล้ว", "Recommendation endorsed"),
        )
    else:
        _flash(
            request,
            [
                Problem(
                    "bad_action",
                    "คำสั่งไม่ถูกต้อง ใช้ endorse หรือ withdraw",
                    "Use endorse or withdraw",
                    field="action",
                )
            ],
        )
    return _back(request, brief_id)


@login_required
@require_POST
def brief_amendment_decide(request: HttpRequest, amendment_id: int) -> HttpResponse:
    row = BriefAmendment.objects.filter(pk=amendment_id).values_list("brief_id", flat=True).first()
    if row is None:
        raise Http404
    access = _reach(request, row)
    if not access.writer:
        raise Http404 if not access.contributor else DjangoPermissionDenied
    decision = request.POST.get("decision", "")
    if decision not in ("accept", "reject"):
        _flash(
            request,
            [Problem("bad_decision", "กรุณาเลือกรับหรือไม่รับ", "Choose accept or reject", field="decision")],
        )
        return _back(request, row)
    accept = decision == "accept"
    _run(
        request,
        lambda: svc.amendment_decide(
            actor=request_actor(request),
            amendment_id=amendment_id,
            accept=accept,
            note=request.POST.get("note", ""),
        ),
        pick("รับข้อเสนอแก้ไขแล้ว และสร้างฉบับใหม่", "Amendment accepted; a new version was written")
        if accept
        else pick("ไม่รับข้อเสนอแก้ไข บันทึกเหตุผลแล้ว", "Amendment rejected; the reason was recorded"),
    )
    return _back(request, row)


urlpatterns: list[URLPattern] = [
    path("insights/briefs/<int:brief_id>/drafting/", brief_participants, name="brief_participants"),
    path("insights/briefs/<int:brief_id>/comment/", brief_comment, name="brief_comment"),
    path("insights/briefs/<int:brief_id>/amend/", brief_amend, name="brief_amend"),
    path("insights/briefs/<int:brief_id>/endorse/", brief_endorse, name="brief_endorse"),
    path(
        "insights/amendments/<int:amendment_id>/decide/",
        brief_amendment_decide,
        name="brief_amendment_decide",
    ),
]
