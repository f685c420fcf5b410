"""Insights pages: the home (current run, links to every insights page), the runs and one run.

- ``insights_home`` (``?round=<id>``, default the latest round with a completed run): headline
  counts of the round's current run in the viewer's scope, links to every insights page, and — for
  the national roles — the current run's stages, timings, inputs and method versions, the progress
  of a run being computed (polled with HTMX) and, for the M&E bureau, the button that starts one.
- ``insights_run_start`` (POST ``round``): queue a run of the round as a background job (the
  M&E bureau only; a run already queued or running for the round is reused).
- ``insights_runs`` (``?round=<id>``): the runs, newest first (national roles).
- ``insights_run`` ``<run_id>``: one run's provenance — parameters, method versions, inputs, each
  stage's status, seconds, peak memory and counts; with ``HX-Request`` only its progress panel.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_POST

from suksa.core.errors import NotFoundOrNoAccess, PermissionDenied
from suksa.core.i18n import bi, pick
from suksa.core.policy import Actor, Perm
from suksa.domains.insights import selectors_runs as sel
from suksa.domains.insights.models.choices import RunTrigger
from suksa.domains.insights.selectors import run_for
from suksa.domains.insights.services.run import start_run
from suksa.domains.monitoring.models import Round
from suksa.domains.monitoring.selectors import round_get, rounds_all
from suksa.interfaces.web.context import maybe_reverse, request_actor
from suksa.interfaces.web.params import PK_MAX

TEMPLATES = "web/insights/home/"

# Every insights page, in the order of the run (URL name, Thai, English, what it answers).
SLICE_PAGES: list[tuple[str, str, str, str, str]] = [
    ("web:insights_trends", "แนวโน้ม", "Trends",
     "ตัวชี้วัดใดดีขึ้นหรือแย่ลงอย่างมีนัยสำคัญ", "Which indicators rise or fall significantly"),
    ("web:insights_strengths", "จุดแข็งและจุดที่ต้องพัฒนา", "Strengths",
     "เขตใดเข้มแข็งด้านใดเมื่อเทียบกับเขตที่มีบริบทใกล้เคียง", "Which ESA is strong at what, against similar peers"),
    ("web:insights_efficiency", "ประสิทธิภาพ (DEA)", "Efficiency (DEA)",
     "ผลลัพธ์เทียบกับทรัพยากร", "Outcomes against resources"),
    ("web:insights_school_models", "โรงเรียนต้นแบบที่ควรขยายผล", "School models worth scaling",
     "โรงเรียนที่ทำได้ดีเกินคาดในกลุ่มเดียวกันและสิ่งที่มีร่วมกัน", "Positive deviants in each group and what they share"),
    ("web:insights_lessons", "บทเรียนจากการดำเนินงาน", "Lessons",
     "แนวปฏิบัติจากรายงานที่เชื่อมกับการเปลี่ยนแปลงที่วัดได้", "Practices from narratives linked to measured change"),
    ("web:insights_similar", "ค้นหากรณีที่คล้ายกัน", "Similar cases",
     "เขตอื่นที่ลองทำสิ่งคล้ายกันและผลที่ได้", "Which other ESAs tried something similar"),
    ("web:insights_work_checks", "ตรวจสอบผลงานเด่นกับข้อมูล", "Work checks",
     "ผลงานที่เสนอมีข้อมูลสนับสนุนหรือไม่", "Whether nominated works are supported by the numbers"),
    ("web:insights_cases", "กรณีศึกษาที่คัดเลือก", "Case-study shortlist",
     "เขตพื้นที่เป้าหมายที่ควรศึกษาและเหตุผล", "Target areas worth studying, with the reason"),
    ("web:alerts", "การแจ้งเตือนล่วงหน้า", "Early warnings",
     "สิ่งที่ควรดูแลก่อนจะไม่บรรลุเป้าหมาย", "What to act on before a target is missed"),
    ("web:briefs", "ข้อเสนอเชิงนโยบาย", "Policy briefs",
     "ข้อค้นพบ หลักฐาน และข้อเสนอ", "Findings, evidence and recommendations"),
]  # fmt: skip


def _viewer(request: HttpRequest) -> Actor:
    actor = request_actor(request)
    if not actor.can_anywhere(Perm.INSIGHTS_VIEW):
        raise DjangoPermissionDenied
    return actor


def _int_param(raw: str | None, name: str) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw))
    except ValueError:
        value = 0
    if not 0 < value <= PK_MAX:
        raise Http404(f"{name}")
    return value


def _crumbs(*items: tuple[str, str | None]) -> list[dict[str, Any]]:
    return [{"label": label, "url": url} for label, url in items]


def _slice_links() -> list[dict[str, str]]:
    links = []
    for name, th, en, about_th, about_en in SLICE_PAGES:
        url = maybe_reverse(name)
        if url:
            links.append({"key": name.split(":")[1], "url": url, "th": th, "en": en,
                          "about_th": about_th, "about_en": about_en})  # fmt: skip
    return links


@login_required
@require_GET
def insights_home(request: HttpRequest) -> HttpResponse:
    actor = _viewer(request)
    round_id = _int_param(request.GET.get("round"), "round")
    try:
        rnd, run = run_for(round_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    national = sel.may_see_runs(actor)
    active = sel.active_run_for(actor, rnd) if rnd is not None else None
    context: dict[str, Any] = {
        "crumbs": _crumbs((pick("ข้อมูลเชิงลึก", "Insights"), None)),
        "round": rnd,
        "run": run,
        "rounds": list(rounds_all().filter(reports__isnull=False).distinct()[:24]) if national else [],
        "headline": sel.headline(actor, run) if run is not None else None,
        "links": _slice_links(),
        "national": national,
        "may_start": sel.may_start(actor) and rnd is not None,
        "stages": sel.stage_rows(run) if run is not None and national else [],
        "active": sel.run_progress(active) if active is not None else None,
        "runs_url": maybe_reverse("web:insights_runs") if national else None,
    }
    return render(request, TEMPLATES + "home.html", context)


@login_required
@require_POST
def insights_run_start(request: HttpRequest) -> HttpResponse:
    actor = _viewer(request)
    if not sel.may_start(actor):
        raise DjangoPermissionDenied
    raw = request.POST.get("round", "")
    rnd: Round | None = None
    try:
        rid = int(raw)
        if 0 < rid <= PK_MAX:
            rnd = round_get(rid)
    except (ValueError, NotFoundOrNoAccess):
        rnd = None
    if rnd is None:
        messages.error(
            request,
            bi(
                f"รอบการรายงาน (round) ไม่ถูกต้อง: “{raw[:40]}”",
                f"The round field is not a known round: “{raw[:40]}”",
            ),
        )
        return redirect("web:insights_home")
    try:
        run = start_run(actor=actor, round=rnd, trigger=RunTrigger.WEB)
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    messages.success(
        request,
        bi(
            f"เริ่มคำนวณข้อมูลเชิงลึกของ {rnd.name_th} แล้ว (การคำนวณ #{run.pk})",
            f"Computing the insights of {rnd.name_en} (run #{run.pk})",
        ),
    )
    return redirect(f"{maybe_reverse('web:insights_home')}?round={rnd.pk}")


@login_required
@require_GET
def insights_runs(request: HttpRequest) -> HttpResponse:
    actor = _viewer(request)
    if not sel.may_see_runs(actor):
        raise DjangoPermissionDenied
    round_id = _int_param(request.GET.get("round"), "round")
    runs = list(sel.runs_list(actor, round_id)[: sel.RUNS_PAGE])
    context = {
        "crumbs": _crumbs(
            (pick("ข้อมูลเชิงลึก", "Insights"), maybe_reverse("web:insights_home")),
            (pick("การคำนวณ", "Runs"), None),
        ),
        "runs": runs,
        "page_size": sel.RUNS_PAGE,
        "round_id": round_id,
    }
    return render(request, TEMPLATES + "runs.html", context)


@login_required
@require_GET
def insights_run(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = _viewer(request)
    try:
        run = sel.run_get(actor, run_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    progress = sel.run_progress(run)
    if request.headers.get("HX-Request"):
        return render(request, TEMPLATES + "_progress.html", {"progress": progress})
    context = {
        "crumbs": _crumbs(
            (pick("ข้อมูลเชิงลึก", "Insights"), maybe_reverse("web:insights_home")),
            (pick("การคำนวณ", "Runs"), maybe_reverse("web:insights_runs")),
            (f"#{run.pk}", None),
        ),
        "run": run,
        "stages": sel.stage_rows(run),
        "progress": progress,
        "inputs": sorted(run.inputs.items()),
        "parameters": sorted(run.parameters.items()),
        "method_versions": sorted(run.method_versions.items()),
    }
    return render(request, TEMPLATES + "run.html", context)


urlpatterns: list[URLPattern] = [
    path("insights/", insights_home, name="insights_home"),
    path("insights/runs/", insights_runs, name="insights_runs"),
    path("insights/runs/start/", insights_run_start, name="insights_run_start"),
    path("insights/runs/<int:run_id>/", insights_run, name="insights_run"),
]
