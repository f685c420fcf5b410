"""Policy brief pages.

- ``briefs`` (``?round=&topic=&status=``): the briefs the viewer may read — published briefs for
  everyone with ``brief.view``; drafts only for national writers and invited participants — and,
  for writers, the form that generates a brief.
- ``brief`` ``<brief_id>`` / ``brief_version`` ``<brief_id>/<number>``: one version: summary,
  findings → evidence (every number with its unit, indicator, period and stored source) →
  recommendations, the number trace, the versions, export links and (writers) the publish button.
- ``brief_generate`` (POST ``round``, ``topic``), ``brief_publish`` ``<brief_id>`` (POST ``version``):
  national writers only.
- ``brief_pdf`` / ``brief_docx`` / ``brief_xlsx`` ``<brief_id>`` (``?version=``): the exports.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_POST

from suksa.core.errors import NotFoundOrNoAccess, PermissionDenied, SuksaError
from suksa.core.i18n import bi, pick
from suksa.core.policy import Perm
from suksa.domains.insights import selectors_briefs as sel
from suksa.domains.insights.models import Brief, BriefVersion
from suksa.domains.insights.models.choices import BriefStatus
from suksa.domains.insights.selectors_trends import indicator_names
from suksa.domains.insights.services import exports
from suksa.domains.insights.services.briefs import TOPICS, brief_generate, brief_publish, newer_run
from suksa.domains.monitoring.selectors import round_get, rounds_all
from suksa.interfaces.web.context import maybe_reverse, request_actor
from suksa.interfaces.web.params import PK_MAX
from suksa.interfaces.web.views.insights.drafting import drafting_panel_context

TEMPLATES = "web/insights/briefs/"
SOURCE_PAGES = {"insights.Trend": "web:insights_trend", "insights.Alert": "web:alert"}


def _int(raw: str | None, field: str, *, required: bool = False) -> int | None:
    if raw is None or raw == "":
        if required:
            raise SuksaError.single("required", f"กรุณาระบุ {field}", f"{field} is required", field=field)
        return None
    try:
        value = int(raw)
        if not 0 < value <= PK_MAX:
            raise ValueError
    except ValueError:
        raise SuksaError.single(
            "not_an_id", f"{field} ต้องเป็นจำนวนเต็มบวก", f"{field} must be a positive whole number", field=field
        ) from None
    return value


def _flash(request: HttpRequest, error: SuksaError) -> None:
    for p in error.problems:
        messages.error(request, f"{p.message('th')} · {p.message('en')}")


def _crumbs(last: str, brief: Brief | None = None) -> list[dict[str, Any]]:
    crumbs: list[dict[str, Any]] = []
    home = maybe_reverse("web:insights_home")
    if home:
        crumbs.append({"label": pick("ข้อมูลเชิงลึก", "Insights"), "url": home})
    crumbs.append(
        {"label": pick("ข้อเสนอเชิงนโยบาย", "Policy briefs"), "url": reverse("web:briefs") if brief else None}
    )
    if brief is not None:
        crumbs.append({"label": last, "url": None})
    return crumbs


def _reader(request: HttpRequest) -> Any:
    actor = request_actor(request)
    if not (actor.can_anywhere(Perm.BRIEF_VIEW) or actor.can_anywhere(Perm.BRIEF_WRITE)):
        raise DjangoPermissionDenied
    return actor


@login_required
@require_GET
def briefs(request: HttpRequest) -> HttpResponse:
    actor = _reader(request)
    try:
        round_id = _int(request.GET.get("round"), "round")
    except SuksaError:
        raise Http404 from None
    topic = request.GET.get("topic", "")
    status = request.GET.get("status", "")
    if topic and topic not in TOPICS:
        topic = ""
    if status and status not in BriefStatus.values:
        status = ""
    rows = sel.briefs_list(actor, round_id=round_id, topic=topic, status=status)
    context = {
        "crumbs": _crumbs(""),
        "rows": rows,
        "topics": [(k, t.title_th, t.title_en) for k, t in TOPICS.items()],
        "topic_names": {k: (t.title_th, t.title_en) for k, t in TOPICS.items()},
        "statuses": BriefStatus.choices,
        "rounds": list(rounds_all()[:24]),
        "round_id": round_id,
        "topic": topic,
        "status": status,
        "may_write": sel.may_write(actor),
    }
    return render(request, TEMPLATES + "list.html", context)


def _version_page(request: HttpRequest, brief_id: int, number: int | None) -> HttpResponse:
    actor = _reader(request)
    try:
        brief, version = sel.version_get(actor, brief_id, number)
    except NotFoundOrNoAccess:
        raise Http404 from None
    ctx = exports.context(brief, version)
    names = indicator_names()
    for n in ctx["numbers"]:
        name = names.get(str(n.get("indicator", "")))
        n["indicator_name"] = pick(name.name_th, name.name_en) if name else n.get("indicator", "")
    for part in ("findings", "recommendations"):
        for item in ctx[part]:
            for n in item["numbers"]:
                name = names.get(str(n.get("indicator", "")))
                n["indicator_name"] = pick(name.name_th, name.name_en) if name else n.get("indicator", "")
                source = n.get("source") or {}
                page = SOURCE_PAGES.get(str(source.get("model", "")))
                n["url"] = (
                    maybe_reverse(page, source["id"]) if page and isinstance(source.get("id"), int) else None
                )
    versions = sel.versions_of(brief)
    latest = versions[0] if versions else None
    writer = sel.may_write(actor)
    ctx.update(
        {
            "crumbs": _crumbs(pick(brief.title_th, brief.title_en), brief),
            "versions": versions,
            "is_latest": latest is not None and latest.pk == version.pk,
            "may_publish": writer and brief.status in (BriefStatus.DRAFT, BriefStatus.CONSULTATION),
            "may_write": writer,
            "newer_run": newer_run(brief),
            "participants_url": maybe_reverse("web:brief_participants", brief.pk)
            if writer or sel.is_participant(actor, brief)
            else None,
            "export_query": f"?version={version.number}",
        }
    )
    # The drafting panel: contributors, comments, amendments and endorsements (drafting slice).
    ctx.update(drafting_panel_context(request, brief))
    return render(request, TEMPLATES + "detail.html", ctx)


@login_required
@require_GET
def brief(request: HttpRequest, brief_id: int) -> HttpResponse:
    return _version_page(request, brief_id, None)


@login_required
@require_GET
def brief_version(request: HttpRequest, brief_id: int, number: int) -> HttpResponse:
    return _version_page(request, brief_id, number)


@login_required
@require_POST
def brief_generate_view(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not sel.may_write(actor):
        raise DjangoPermissionDenied
    try:
        round_id = _int(request.POST.get("round"), "round", required=True)
        assert round_id is not None
        try:
            rnd = round_get(round_id)
        except NotFoundOrNoAccess:
            raise SuksaError.single(
                "round_unknown", "ไม่พบรอบการรายงานนี้", "No such round", field="round"
            ) from None
        topic = request.POST.get("topic", "")
        made = brief_generate(actor=actor, round=rnd, topic=topic)
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except SuksaError as err:
        _flash(request, err)
        return redirect("web:briefs")
    version = made.versions.order_by("-number").first()
    assert version is not None
    if version.trace_ok:
        messages.success(request, bi(f"เขียนฉบับที่ {version.number} แล้ว", f"Version {version.number} written"))
    else:
        messages.warning(request, bi(f"เขียนฉบับที่ {version.number} แล้ว แต่ตัวเลขบางค่าตรวจสอบย้อนกลับไม่ได้",
                                     f"Version {version.number} written, but some numbers do not trace"))  # fmt: skip
    return redirect("web:brief", brief_id=made.pk)


@login_required
@require_POST
def brief_publish_view(request: HttpRequest, brief_id: int) -> HttpResponse:
    actor = _reader(request)
    try:
        sel.brief_get(actor, brief_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    if not sel.may_write(actor):
        raise DjangoPermissionDenied
    try:
        number = _int(request.POST.get("version"), "version")
        brief_publish(actor=actor, brief_id=brief_id, version_number=number)
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except SuksaError as err:
        _flash(request, err)
        return redirect("web:brief", brief_id=brief_id)
    messages.success(request, bi("เผยแพร่ข้อเสนอแล้ว", "Brief published"))
    return redirect("web:brief", brief_id=brief_id)


def _export(request: HttpRequest, brief_id: int, fmt: str) -> tuple[Brief, BriefVersion]:
    actor = _reader(request)
    try:
        number = _int(request.GET.get("version"), "version")
        found = sel.version_get(actor, brief_id, number)
    except (NotFoundOrNoAccess, SuksaError):
        raise Http404 from None
    exports.record_export(actor, *found, fmt)
    return found


def _download(
    content: bytes, content_type: str, brief: Brief, version: BriefVersion, ext: str
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    name = f"brief-{brief.pk}-{brief.topic}-v{version.number}.{ext}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def brief_pdf(request: HttpRequest, brief_id: int) -> HttpResponse:
    b, v = _export(request, brief_id, "pdf")
    return _download(exports.brief_pdf(b, v), "application/pdf", b, v, "pdf")


@login_required
@require_GET
def brief_docx(request: HttpRequest, brief_id: int) -> HttpResponse:
    b, v = _export(request, brief_id, "docx")
    mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return _download(exports.brief_docx(b, v), mime, b, v, "docx")


@login_required
@require_GET
def brief_xlsx(request: HttpRequest, brief_id: int) -> HttpResponse:
    b, v = _export(request, brief_id, "xlsx")
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(exports.brief_xlsx(b, v), mime, b, v, "xlsx")


urlpatterns: list[URLPattern] = [
    path("insights/briefs/", briefs, name="briefs"),
    path("insights/briefs/generate/", brief_generate_view, name="brief_generate"),
    path("insights/briefs/<int:brief_id>/", brief, name="brief"),
    path("insights/briefs/<int:brief_id>/v/<int:number>/", brief_version, name="brief_version"),
    path("insights/briefs/<int:brief_id>/publish/", brief_publish_view, name="brief_publish"),
    path("insights/briefs/<int:brief_id>/pdf/", brief_pdf, name="brief_pdf"),
    path("insights/briefs/<int:brief_id>/docx/", brief_docx, name="brief_docx"),
    path("insights/briefs/<int:brief_id>/xlsx/", brief_xlsx, name="brief_xlsx"),
]
