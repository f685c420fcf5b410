"""Census pages: a school's rounds and certification, one return with its amendments, the ESA's
status board, and the national rounds.

Rounds are national objects, chosen with ``?round=<id>`` (never a URL parameter); what a page shows
of them is scoped by ``org.view``. Every write goes through ``students.services.census``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from suksa.core import audit, selectors
from suksa.core.dates import academic_year_be_of, format_be
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied, SuksaError
from suksa.core.i18n import bi, current_language, pick
from suksa.core.models import AcademicYear, AuditEntry, CensusDate, OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.students import selectors_census as sel
from suksa.domains.students.models import CensusReturn, CensusRound
from suksa.domains.students.models.choices import Grade, Sex
from suksa.domains.students.services import census as svc
from suksa.interfaces.web.context import request_actor

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "missing": ("ยังไม่ได้ดึงข้อมูล", "No snapshot"),
    "draft": ("ร่าง (ยังไม่รับรอง)", "Draft (not certified)"),
    "certified": ("ผู้อำนวยการรับรองแล้ว", "Certified"),
    "acknowledged": ("เขตรับทราบแล้ว", "Acknowledged"),
}
LEVEL_LABELS: dict[str, tuple[str, str]] = {
    "pre_primary": ("ก่อนประถมศึกษา", "Pre-primary"),
    "primary": ("ประถมศึกษา", "Primary"),
    "lower_secondary": ("มัธยมศึกษาตอนต้น", "Lower secondary"),
    "upper_secondary": ("มัธยมศึกษาตอนปลาย", "Upper secondary"),
}


def _grade_rows(table: sel.GradeSexTable | None) -> list[dict[str, Any]]:
    if table is None:
        return []
    return [{**row, "label": Grade(row["grade"]).label} for row in table.rows]


def _cell_rows(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**c, "grade_label": Grade(c["grade"]).label, "sex_label": Sex(c["sex"]).label} for c in cells]


def _flash_error(request: HttpRequest, error: SuksaError) -> None:
    for p in error.problems:
        messages.error(request, f"{p.th} · {p.en}")


def _round_from_query(request: HttpRequest, default: CensusRound | None) -> CensusRound | None:
    raw = request.GET.get("round") or request.POST.get("round")
    if not raw:
        return default
    try:
        return sel.round_get(raw)
    except NotFoundOrNoAccess:
        raise Http404 from None


def _school_unit(actor: Actor, code: str) -> OrgUnit:
    try:
        return selectors.school_get(actor, code).unit
    except NotFoundOrNoAccess:
        raise Http404 from None


def _crumbs(unit: OrgUnit, last: str) -> list[dict[str, Any]]:
    from suksa.interfaces.web.views.org import unit_url

    crumbs: list[dict[str, Any]] = [
        {"label": a.name(current_language()), "url": unit_url(a)} for a in selectors.unit_ancestors(unit)
    ]
    crumbs.append({"label": unit.name(current_language()), "url": unit_url(unit)})
    crumbs.append({"label": last, "url": None})
    return crumbs


# --- a school's census page ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def census_school(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    unit = _school_unit(actor, code)
    if request.method == "POST":
        return _school_post(request, actor, unit)
    year_be = _year_param(request)
    year = AcademicYear.objects.filter(year_be=year_be).first()
    dates = list(CensusDate.objects.filter(academic_year=year).order_by("date")) if year else []
    rounds = {r.census_date_id: r for r in CensusRound.objects.filter(census_date__in=dates)}
    returns = {r.round_id: r for r in sel.school_returns(actor, unit).filter(round__in=rounds.values())}
    entries: list[dict[str, Any]] = []
    for d in dates:
        rnd = rounds.get(d.pk)
        ret = returns.get(rnd.pk) if rnd else None
        status = ret.status if ret else "missing"
        entries.append({"date": d, "round": rnd, "return": ret, "status_label": STATUS_LABELS[status]})
    chosen = _round_from_query(request, None)
    if chosen is None:
        with_return = [e for e in entries if e["return"] is not None]
        chosen = with_return[-1]["round"] if with_return else None
    selected = sel.school_returns(actor, unit).filter(round=chosen).first() if chosen else None
    context = {
        "unit": unit,
        "crumbs": _crumbs(unit, pick("การนับจำนวนนักเรียน", "Student census")),
        "year_be": year_be,
        "years": list(AcademicYear.objects.order_by("-year_be").values_list("year_be", flat=True)[:6]),
        "entries": entries,
        "chosen": chosen,
        "selected": selected,
        "selected_label": STATUS_LABELS[selected.status] if selected else None,
        "table": sel.return_grade_sex(selected) if selected and selected.taken_at else None,
        "rows": _grade_rows(sel.return_grade_sex(selected)) if selected and selected.taken_at else [],
        "effective_total": sel.return_effective_total(selected) if selected else None,
        "may_take": svc.may_take(actor, unit.path),
        "may_certify": actor.can(Perm.CENSUS_CERTIFY, unit.path),
        "today": timezone.localdate(),
    }
    return render(request, "web/students/census/school.html", context)


def _year_param(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return academic_year_be_of(timezone.localdate())


def _school_post(request: HttpRequest, actor: Actor, unit: OrgUnit) -> HttpResponse:
    rnd = _round_from_query(request, None)
    if rnd is None:
        raise Http404
    action = request.POST.get("action")
    back = f"{reverse('web:census_school', args=[unit.code])}?round={rnd.pk}&year={rnd.census_date.academic_year.year_be}"
    try:
        if action == "take":
            svc.census_returns_take(actor=actor, census_round=rnd, schools=OrgUnit.objects.filter(pk=unit.pk))
            messages.success(
                request,
                bi("ดึงข้อมูล ณ วันนับแล้ว กรุณาตรวจสอบก่อนรับรอง", "Snapshot taken; check it before certifying"),
            )
        elif action == "certify":
            ret = CensusReturn.objects.filter(round=rnd, school=unit).first()
            if ret is None:
                raise InvalidInput.single(
                    "no_snapshot", "ยังไม่ได้ดึงข้อมูล ณ วันนับ", "Take the snapshot first", field="snapshot"
                )
            if request.POST.get("confirm") != "on":
                raise InvalidInput.single(
                    "confirm_required",
                    "กรุณายืนยันการรับรองข้อมูล ณ วันนับ",
                    "Tick the box to confirm the counts on the census date",
                    field="confirm",
                )
            svc.census_return_certify(actor=actor, census_return=ret)
            messages.success(request, bi("รับรองข้อมูลแล้ว", "Return certified"))
        else:
            raise Http404
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except InvalidInput as error:
        _flash_error(request, error)
    return redirect(back)


# --- one return ----------------------------------------------------------------------------------


class AmendForm(forms.Form):
    grade = forms.ChoiceField(label=bi("ชั้น", "Grade"), choices=Grade.choices)
    sex = forms.ChoiceField(label=bi("เพศ", "Sex"), choices=Sex.choices)
    age = forms.IntegerField(
        label=bi("อายุ (ปี) ณ วันนับ", "Age on the census date"), min_value=0, max_value=svc.AGE_CAP
    )
    repeater = forms.BooleanField(label=bi("ซ้ำชั้น", "Repeating"), required=False)
    delta = forms.IntegerField(
        label=bi("จำนวนที่เพิ่ม (+) หรือลด (−)", "Change (+ or −)"),
        min_value=-svc.MAX_DELTA,
        max_value=svc.MAX_DELTA,
        error_messages={"invalid": "กรุณากรอกจำนวนเต็ม · Enter a whole number"},
    )
    reason = forms.CharField(
        label=bi("เหตุผล", "Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


@login_required
@require_http_methods(["GET", "POST"])
def census_return(request: HttpRequest, return_id: int) -> HttpResponse:
    actor = request_actor(request)
    try:
        ret = sel.return_get(actor, return_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    may_amend = ret.is_certified and svc.may_amend(actor, ret)
    form = AmendForm()
    if request.method == "POST":
        if not may_amend:
            raise DjangoPermissionDenied
        form = AmendForm(request.POST)
        if form.is_valid():
            c = form.cleaned_data
            try:
                svc.census_amend(
                    actor=actor, census_return=ret, reason=c["reason"],
                    cells=[(c["grade"], c["sex"], c["age"], c["repeater"], c["delta"])],
                )  # fmt: skip
            except InvalidInput as error:
                for p in error.problems:
                    name = p.field.rsplit(".", 1)[-1] if p.field else None
                    form.add_error(name if name in form.fields else None, f"{p.th} · {p.en}")
            else:
                messages.success(request, bi("บันทึกการแก้ไขยอดแล้ว", "Amendment recorded"))
                return redirect("web:census_return", return_id=ret.pk)
    context = {
        "ret": ret,
        "unit": ret.school,
        "crumbs": _crumbs(ret.school, str(ret.round)),
        "cells": _cell_rows(sel.return_cells(ret)),
        "table": sel.return_grade_sex(ret),
        "rows": _grade_rows(sel.return_grade_sex(ret)),
        "status_label": STATUS_LABELS[ret.status],
        "effective_total": sel.return_effective_total(ret),
        "amendments": sel.return_amendments(ret),
        "may_amend": may_amend,
        "form": form,
    }
    return render(request, "web/students/census/return.html", context)


# --- the ESA's status board ----------------------------------------------------------------------


def _esa_unit(actor: Actor, code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(kind=OrgUnit.Kind.ESA, code=code).first()
    if unit is None or not actor.can(Perm.ORG_VIEW, unit.path):
        raise Http404
    return unit


@login_required
@require_http_methods(["GET", "POST"])
def census_esa(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    esa = _esa_unit(actor, code)
    rnd = _round_from_query(request, sel.round_latest())
    if request.method == "POST":
        if rnd is None:
            raise Http404
        return _esa_post(request, actor, esa, rnd)
    board = sel.esa_board(actor, rnd, esa) if rnd else None
    h = sel.headcounts(actor, rnd, esa) if rnd else None
    if board is not None and request.GET.get("format") == "csv":
        return _board_csv(actor, board)
    context = {
        "unit": esa,
        "crumbs": _crumbs(esa, pick("สถานะการนับจำนวนนักเรียน", "Census status")),
        "rounds": sel.rounds_all().order_by("-census_date__date")[:12],
        "chosen": rnd,
        "board": board,
        "board_rows": [(r, STATUS_LABELS[r.status]) for r in board.rows] if board else [],
        "status_counts": [(STATUS_LABELS[k], n) for k, n in board.by_status.items()] if board else [],
        "headcounts": h,
        "levels": [(LEVEL_LABELS[k], v) for k, v in h.by_level.items()] if h else [],
        "may_acknowledge": actor.can(Perm.CENSUS_ACKNOWLEDGE, esa.path),
    }
    return render(request, "web/students/census/esa.html", context)


def _esa_post(request: HttpRequest, actor: Actor, esa: OrgUnit, rnd: CensusRound) -> HttpResponse:
    if not actor.can(Perm.CENSUS_ACKNOWLEDGE, esa.path):
        raise DjangoPermissionDenied
    returns = CensusReturn.objects.filter(round=rnd, school__parent=esa)
    if request.POST.get("action") == "acknowledge_one":
        try:
            returns = returns.filter(pk=_int(request.POST.get("return_id", "")))
        except ValueError:
            raise Http404 from None
    try:
        n = svc.census_returns_acknowledge(actor=actor, returns=returns)
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    messages.success(request, pick(f"รับทราบแล้ว {n:,} โรงเรียน", f"Acknowledged {n:,} school(s)"))
    return redirect(f"{reverse('web:census_esa', args=[esa.code])}?round={rnd.pk}")


def _board_csv(actor: Actor, board: sel.EsaBoard) -> HttpResponse:
    """The board as it leaves the office: totals of 1–4 learners withheld, the export audited."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "รหัสโรงเรียน/school_code",
            "ชื่อโรงเรียน/school_name",
            "สถานะ/status",
            "จำนวนนักเรียน/students",
            "รับรองเมื่อ/certified_at",
            "รับทราบเมื่อ/acknowledged_at",
        ]
    )
    for r in sel.suppressed_board_rows(board):
        writer.writerow(
            [
                r["school_code"], r["school_name_th"], r["status"],
                "<5" if r["total"] is None and r["status"] in ("draft", "certified", "acknowledged") else (r["total"] if r["total"] is not None else ""),
                format_be(r["certified_at"], "th", "iso"), format_be(r["acknowledged_at"], "th", "iso"),
            ]
        )  # fmt: skip
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=AuditEntry.Action.EXPORT,
            object_type="students.censusboard",
            object_id=board.census_round.pk,
            object_repr=f"census board {board.census_round.period} {board.esa.code}",
            unit_path=board.esa.path,
            changes={"rows": len(board.rows), "suppressed_min_cell": 5},
        )
    response = HttpResponse(("\ufeff" + out.getvalue()).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="census-{board.esa.code}-{board.census_round.pk}.csv"'
    )
    return response


# --- national rounds -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def census_rounds(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not actor.can_anywhere(Perm.ORG_VIEW):
        raise Http404
    national = svc.is_national_closer(actor)
    if request.method == "POST":
        return _rounds_post(request, actor, national)
    rnd = _round_from_query(request, sel.round_latest())
    progress = sel.round_progress(actor, rnd) if rnd else []
    context = {
        "crumbs": [{"label": pick("รอบการนับจำนวนนักเรียน", "Census rounds"), "url": None}],
        "rounds": sel.rounds_all().order_by("-census_date__date")[:30],
        "chosen": rnd,
        "progress": progress,
        "progress_total": {
            "expected": sum(p.expected for p in progress),
            "certified": sum(p.certified for p in progress),
            "acknowledged": sum(p.acknowledged for p in progress),
        },
        "may_manage": national,
        "openable": list(sel.census_dates_without_round()[:12]) if national else [],
        "close_result": request.session.pop("census_close_result", None),
    }
    return render(request, "web/students/census/rounds.html", context)


def _rounds_post(request: HttpRequest, actor: Actor, national: bool) -> HttpResponse:
    if not national:
        raise DjangoPermissionDenied
    action = request.POST.get("action")
    target = reverse("web:census_rounds")
    try:
        if action == "open":
            census_date = CensusDate.objects.filter(pk=_int(request.POST.get("census_date"))).first()
            if census_date is None:
                raise Http404
            rnd = svc.census_round_open(actor=actor, census_date=census_date)
            messages.success(request, bi("เปิดรอบการนับแล้ว", "Round opened"))
            target += f"?round={rnd.pk}"
        elif action == "close":
            closing = _round_from_query(request, None)
            if closing is None:
                raise Http404
            result = svc.census_round_close(actor=actor, census_round=closing)
            request.session["census_close_result"] = {
                "expected": result.expected,
                "certified": result.certified,
                "not_certified": result.not_certified_codes[:200],
                "more": max(0, result.not_certified - 200),
            }
            messages.success(request, bi("ปิดรอบการนับแล้ว", "Round closed"))
            target += f"?round={closing.pk}"
        else:
            raise Http404
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except InvalidInput as error:
        _flash_error(request, error)
    return redirect(target)


def _int(value: Any) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return 0
    return n if 0 < n <= sel.PK_MAX else 0


urlpatterns: list[URLPattern] = [
    path("schools/<str:code>/census/", census_school, name="census_school"),
    path("census/returns/<int:return_id>/", census_return, name="census_return"),
    path("esa/<str:code>/census/", census_esa, name="census_esa"),
    path("census/rounds/", census_rounds, name="census_rounds"),
]
