"""Framework and round setup pages: the frameworks of each fiscal year, one framework (items by
standard, narrative sections, target areas, rounds with their phase, rules) and a round's dates.

Everyone signed in reads them; only national M&E officers see the forms and may post. Every post
goes through ``services.frameworks`` and comes back to the page (post/redirect/get) with the
outcome or each problem in Thai and English.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from suksa.core.dates import format_be_input, parse_be
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, Problem, SuksaError
from suksa.core.i18n import bi, pick
from suksa.core.policy import Actor
from suksa.domains.monitoring import selectors_catalogue as sel
from suksa.domains.monitoring.models import Framework
from suksa.domains.monitoring.models.choices import FrameworkStatus, RuleKind, Severity, SourceKind
from suksa.domains.monitoring.periods import ROUND_MONTHS
from suksa.domains.monitoring.services import frameworks as svc
from suksa.domains.monitoring.services.catalogue import may_manage
from suksa.domains.monitoring.services.locking import today
from suksa.domains.monitoring.services.prefill import round_prefill
from suksa.interfaces.web.views.monitoring.catalogue import flash_error, guarded, manager, reader

PHASE_LABELS = {
    "upcoming": ("ยังไม่เปิด", "Not open yet"),
    "open": ("เปิดรับรายงาน", "Open"),
    "overdue": ("เลยกำหนดส่ง (ยังไม่ปิดรอบ)", "Past due (not locked)"),
    "locked": ("ปิดรอบแล้ว", "Locked"),
}
ROUND_DATE_LABELS = {
    "period_start": ("วันเริ่มช่วงข้อมูล", "Period starts"),
    "period_end": ("วันสิ้นสุดช่วงข้อมูล", "Period ends"),
    "opens_on": ("วันเปิดรับรายงาน", "Opens on"),
    "due_on": ("วันกำหนดส่ง", "Due on"),
    "locks_on": ("วันปิดรอบ", "Locks on"),
}


def _int(raw: str | None) -> int | None:
    try:
        return int(raw or "")
    except ValueError:
        return None


# --- the list --------------------------------------------------------------------------------


@require_http_methods(["GET"])
@guarded
def frameworks_list(request: HttpRequest) -> HttpResponse:
    actor = reader(request)
    return _list(request, actor, {})


def _list(request: HttpRequest, actor: Actor, form_state: dict[str, Any]) -> HttpResponse:
    day = today()
    rounds = list(sel.rounds_for(actor))
    by_fw: dict[int, list[dict[str, Any]]] = {}
    for r in rounds:
        by_fw.setdefault(r.framework_id, []).append({"round": r, "phase": pick(*PHASE_LABELS[r.phase(day)])})
    frameworks = [{"fw": fw, "rounds": by_fw.get(fw.pk, [])} for fw in sel.frameworks_for(actor)]
    return render(
        request,
        "web/monitoring/frameworks/list.html",
        {
            "frameworks": frameworks,
            "may_manage": may_manage(actor),
            "months": ROUND_MONTHS,
            "form": form_state,
        },
    )


@require_POST
@guarded
def framework_new(request: HttpRequest) -> HttpResponse:
    actor = manager(request)
    year = _int(request.POST.get("fiscal_year"))
    months = [m for m in (_int(x) for x in request.POST.getlist("months")) if m is not None]
    state = {"fiscal_year": request.POST.get("fiscal_year", ""), "months": months, "errors": []}
    try:
        if year is None:
            raise InvalidInput.single(
                "fiscal_year_invalid",
                "กรุณากรอกปีงบประมาณ พ.ศ.",
                "Enter the fiscal year (BE)",
                field="fiscal_year",
            )
        fw = svc.framework_create(
            actor=actor,
            fiscal_year=year,
            from_catalogue=request.POST.get("from_catalogue") == "on",
            months=months,
            name_th=request.POST.get("name_th", ""),
            name_en=request.POST.get("name_en", ""),
        )
    except InvalidInput as error:
        state["errors"] = error.problems
        return _list(request, actor, state)
    messages.success(
        request, bi(f"สร้างกรอบปีงบประมาณ {year} แล้ว (ร่าง)", f"FY {year} framework created (draft)")
    )
    return redirect("web:monitoring_framework", framework_id=fw.pk)


# --- one framework ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@guarded
def framework_detail(request: HttpRequest, framework_id: int) -> HttpResponse:
    actor = reader(request)
    if request.method == "POST":
        return _post(request, manager(request), framework_id)
    fw = sel.framework_for(actor, framework_id)
    day = today()
    items = list(fw.items.all())
    sections = list(fw.sections.all())
    standards = list(sel.standards_for(actor))
    counts = sel.report_counts([r.pk for r in fw.rounds.all()])
    groups = []
    for std in standards:
        groups.append(
            {
                "standard": std,
                "items": [i for i in items if i.standard_id == std.pk],
                "sections": [s for s in sections if s.standard_id == std.pk],
            }
        )
    in_fw = {i.indicator.code for i in items}
    addable = [i for i in sel.indicators_for(actor) if i.code not in in_fw] if may_manage(actor) else []
    return render(
        request,
        "web/monitoring/frameworks/detail.html",
        {
            "fw": fw,
            "groups": groups,
            "asked": sum(1 for i in items if i.indicator.source_kind == SourceKind.REPORTED),
            "prefilled": sum(1 for i in items if i.indicator.source_kind != SourceKind.REPORTED),
            "areas": list(fw.target_areas.all()),
            "rounds": [
                {
                    "round": r,
                    "phase": pick(*PHASE_LABELS[r.phase(day)]),
                    "key": r.phase(day),
                    "reports": counts.get(r.pk, 0),
                }
                for r in fw.rounds.all()
            ],
            "rules": list(fw.rules.all()),
            "global_rules": list(sel.global_rules(actor)),
            "may_manage": may_manage(actor) and fw.status != FrameworkStatus.CLOSED,
            "standards": standards,
            "addable": addable,
            "months_free": [m for m in ROUND_MONTHS if f"m{m}" not in {r.code for r in fw.rounds.all()}],
            "next_status": sorted(svc.STATUS_NEXT.get(FrameworkStatus(fw.status), set())),
            "status_choices": dict(FrameworkStatus.choices),
            "rule_kinds": RuleKind.choices,
            "severities": Severity.choices,
            "areas_text": " ".join(a.unit.code for a in fw.target_areas.all()),
        },
    )


def _bool(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name) in {"on", "1", "true"}


def _post(request: HttpRequest, actor: Actor, framework_id: int) -> HttpResponse:
    back = reverse("web:monitoring_framework", kwargs={"framework_id": framework_id})
    if not Framework.objects.filter(pk=framework_id).exists():
        raise Http404
    p = request.POST
    action = p.get("action", "")
    try:
        if action == "update":
            fields = (
                "name_th",
                "name_en",
                "description_th",
                "description_en",
                "target_group_th",
                "target_group_en",
            )
            svc.framework_update(
                actor=actor, framework_id=framework_id, changes={f: p.get(f, "") for f in fields}
            )
            done = bi("บันทึกแล้ว", "Saved")
        elif action == "status":
            svc.framework_update(
                actor=actor, framework_id=framework_id, changes={"status": p.get("status", "")}
            )
            done = bi("เปลี่ยนสถานะแล้ว", "Status changed")
        elif action == "item_add":
            svc.framework_item_add(
                actor=actor,
                framework_id=framework_id,
                indicator_code=p.get("indicator_code", ""),
                standard_code=p.get("standard_code") or None,
                required=_bool(request, "required"),
            )
            done = bi("เพิ่มตัวชี้วัดในกรอบแล้ว", "Indicator added to the framework")
        elif action == "item_remove":
            svc.framework_item_remove(
                actor=actor, framework_id=framework_id, indicator_code=p.get("indicator_code", "")
            )
            done = bi("นำตัวชี้วัดออกแล้ว", "Indicator removed")
        elif action == "section_add":
            svc.section_add(
                actor=actor,
                framework_id=framework_id,
                code=p.get("code", "").strip(),
                standard_code=p.get("standard_code", ""),
                title_th=p.get("title_th", ""),
                title_en=p.get("title_en", ""),
                guidance_th=p.get("guidance_th", ""),
                guidance_en=p.get("guidance_en", ""),
                required=_bool(request, "required"),
                min_chars=_int(p.get("min_chars")) or 0,
            )
            done = bi("เพิ่มหัวข้อแล้ว", "Section added")
        elif action == "section_update":
            section_id = _int(p.get("section")) or 0
            if not sel.framework_for(actor, framework_id).sections.filter(pk=section_id).exists():
                raise Http404
            changes: dict[str, Any] = {
                f: p.get(f, "")
                for f in ("title_th", "title_en", "guidance_th", "guidance_en", "standard_code")
            }
            changes["required"] = _bool(request, "required")
            changes["min_chars"] = p.get("min_chars", "0")
            svc.section_update(actor=actor, section_id=section_id, changes=changes)
            done = bi("บันทึกหัวข้อแล้ว", "Section saved")
        elif action == "areas":
            codes = [c for c in re.split(r"[\s,;]+", p.get("esa_codes", "")) if c]
            n = svc.target_areas_set(actor=actor, framework_id=framework_id, esa_codes=codes)
            done = bi(f"กำหนดเขตพื้นที่เป้าหมาย {n} เขตแล้ว", f"{n} target areas set")
        elif action == "areas_file":
            upload = request.FILES.get("file")
            if upload is None or not upload.name:
                raise InvalidInput.single(
                    "file_required", "กรุณาเลือกไฟล์", "Please choose a file", field="file"
                )
            n = svc.target_areas_import(
                actor=actor, framework_id=framework_id, file=upload, filename=upload.name
            )
            done = bi(f"กำหนดเขตพื้นที่เป้าหมาย {n} เขตแล้ว", f"{n} target areas set")
        elif action == "round_add":
            svc.round_create(actor=actor, framework_id=framework_id, months=_int(p.get("months")) or 0)
            done = bi("เพิ่มรอบการรายงานแล้ว", "Round added")
        elif action == "rule_add":
            try:
                params = json.loads(p.get("params") or "{}")
            except json.JSONDecodeError:
                raise InvalidInput.single(
                    "params_json",
                    'พารามิเตอร์ต้องเป็น JSON เช่น {"indicator": "teacher_pd_hours", "min": 0, "max": 200}',
                    'Params must be JSON, e.g. {"indicator": "teacher_pd_hours", "min": 0, "max": 200}',
                    field="params",
                ) from None
            svc.rule_create(
                actor=actor,
                framework_id=framework_id,
                code=p.get("code", "").strip(),
                kind=p.get("kind", ""),
                severity=p.get("severity", ""),
                params=params,
                message_th=p.get("message_th", ""),
                message_en=p.get("message_en", ""),
            )
            done = bi("เพิ่มกฎตรวจสอบแล้ว", "Rule added")
        elif action == "rule_toggle":
            rule = sel.rule_for(actor, _int(p.get("rule")) or 0)
            if rule.framework_id != framework_id:
                raise Http404
            svc.rule_update(actor=actor, rule_id=rule.pk, changes={"active": p.get("active") == "1"})
            done = bi("บันทึกกฎแล้ว", "Rule saved")
        else:
            raise Http404
    except NotFoundOrNoAccess:
        raise Http404 from None
    except SuksaError as error:
        flash_error(request, error)
        return redirect(back)
    messages.success(request, done)
    return redirect(back)


# --- pre-filling a round's reports ------------------------------------------------------------


@require_POST
@guarded
def round_prefill_view(request: HttpRequest, round_id: int) -> HttpResponse:
    """Create the round's missing reports and refresh every report still with its ESA (about a
    second for all 245 ESAs, so it runs in the request)."""
    actor = manager(request)
    rnd = sel.round_for(actor, round_id)
    s = round_prefill(actor=actor, round=rnd)
    messages.success(
        request,
        bi(
            f"เติมข้อมูล {rnd.name_th} แล้ว: สร้างรายงานใหม่ {s.reports_created} ฉบับ ปรับปรุง {s.reports_filled} ฉบับ "
            f"(ไม่แตะรายงานที่ส่งแล้ว {s.reports_skipped} ฉบับ) ค่าที่เติม {s.values_prefilled} ค่า ไม่มีข้อมูล {s.values_missing} ค่า",
            f"Pre-filled {rnd.name_en}: {s.reports_created} reports created, {s.reports_filled} refreshed "
            f"({s.reports_skipped} already submitted left alone), {s.values_prefilled} values filled, "
            f"{s.values_missing} with no data",
        ),
    )
    return redirect("web:monitoring_framework", framework_id=rnd.framework_id)


# --- a round's dates -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@guarded
def round_edit(request: HttpRequest, round_id: int) -> HttpResponse:
    actor = manager(request)
    rnd = sel.round_for(actor, round_id)
    values = {k: format_be_input(getattr(rnd, k)) for k in ROUND_DATE_LABELS}
    values.update(name_th=rnd.name_th, name_en=rnd.name_en)
    problems: list[Problem] = []
    if request.method == "POST":
        changes: dict[str, Any] = {}
        for name in ROUND_DATE_LABELS:
            text = request.POST.get(name, "").strip()
            values[name] = text
            try:
                changes[name] = parse_be(text, field=name)
            except InvalidInput as error:
                problems.extend(error.problems)
        for name in ("name_th", "name_en"):
            values[name] = request.POST.get(name, "")
            changes[name] = values[name]
        if not problems:
            try:
                svc.round_update(actor=actor, round_id=rnd.pk, changes=changes)
            except InvalidInput as error:
                problems = list(error.problems)
            else:
                messages.success(request, bi("บันทึกวันที่ของรอบแล้ว", "Round dates saved"))
                return redirect("web:monitoring_framework", framework_id=rnd.framework_id)
    day = today()
    fields = [
        {"name": k, "label": pick(*v), "value": values[k], "errors": [p for p in problems if p.field == k]}
        for k, v in ROUND_DATE_LABELS.items()
    ]
    return render(
        request,
        "web/monitoring/frameworks/round_edit.html",
        {
            "round": rnd,
            "fields": fields,
            "values": values,
            "problems": [p for p in problems if p.field not in ROUND_DATE_LABELS],
            "name_problems": [p for p in problems if p.field in ("name_th", "name_en")],
            "phase": pick(*PHASE_LABELS[rnd.phase(day)]),
            "locked": rnd.phase(day) == "locked",
        },
        status=400 if problems else 200,
    )


urlpatterns: list[URLPattern] = [
    path("monitoring/frameworks/", frameworks_list, name="monitoring_frameworks"),
    path("monitoring/frameworks/new/", framework_new, name="monitoring_framework_new"),
    path("monitoring/frameworks/<int:framework_id>/", framework_detail, name="monitoring_framework"),
    path("monitoring/rounds/<int:round_id>/edit/", round_edit, name="monitoring_round_edit"),
    path("monitoring/rounds/<int:round_id>/prefill/", round_prefill_view, name="monitoring_round_prefill"),
]
