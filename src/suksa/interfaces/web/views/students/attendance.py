"""Daily attendance pages: the actor's rooms (50 a page), one room's sheet (built for a phone), monthly
summaries, a school's and an ESA's rooms with missing days, and school closures.

The room sheet is a plain form (radio buttons styled as large buttons, one Save) that works
without JavaScript; with HTMX the same form posts in place and only the sheet is redrawn.
Dates are typed and shown in the Buddhist Era (``?date=21/11/2569``, ``?month=2569-11``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, re_path, reverse
from django.views.decorators.http import require_POST

from suksa.core.dates import MONTHS_EN_ABBR, MONTHS_TH, format_be, format_be_input, parse_be, to_be_year
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied, Problem
from suksa.core.i18n import bi, pick
from suksa.core.models import OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.core.selectors import units_visible_to
from suksa.domains.students import selectors_attendance as sa
from suksa.domains.students.models import AttendanceMark, Classroom, Enrolment
from suksa.domains.students.models.choices import GRADE_ORDER, AttendanceCode
from suksa.domains.students.services.attendance import (
    attendance_mark_room,
    school_closure_add,
    school_closure_remove,
)
from suksa.interfaces.web.context import request_actor

# (code, Thai, English, Bootstrap colour) in the order of the buttons on the sheet.
CODE_BUTTONS: list[tuple[str, str, str, str]] = [
    ("P", "มา", "Present", "success"),
    ("L", "สาย", "Late", "warning"),
    ("S", "ป่วย", "Sick", "info"),
    ("E", "ลา", "Leave", "secondary"),
    ("A", "ขาด", "Absent", "danger"),
]
CODE_LABELS = {code: (th, en) for code, th, en, _ in CODE_BUTTONS}


def both(problem: Problem) -> str:
    return f"{problem.th} / {problem.en}"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _date_param(request: HttpRequest, errors: list[str]) -> dt.date | None:
    raw = (request.GET.get("date") or "").strip()
    if not raw:
        return None
    try:
        return parse_be(raw, field="date")
    except InvalidInput as exc:
        errors.extend(both(p) for p in exc.problems)
        return None


def month_be(month: dt.date) -> str:
    return f"{to_be_year(month.year)}-{month.month:02d}"


def month_label(month: dt.date) -> str:
    return pick(
        f"{MONTHS_TH[month.month - 1]} {to_be_year(month.year)}",
        f"{MONTHS_EN_ABBR[month.month - 1]} {to_be_year(month.year)} BE",
    )


def _shift_month(month: dt.date, delta: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + delta
    return dt.date(index // 12, index % 12 + 1, 1)


def _room_or_404(actor: Actor, classroom_id: int) -> Any:
    try:
        return sa.attendance_room_get(actor, classroom_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    except PermissionDenied:
        raise DjangoPermissionDenied from None


def room_url(classroom_id: int, day: dt.date | None = None) -> str:
    url = reverse("web:attendance_room", args=[classroom_id])
    return f"{url}?date={format_be_input(day)}" if day else url


# --- the actor's rooms ------------------------------------------------------------------------------


# Rooms listed on one page of the home page (a large school has a few hundred rooms).
ROOMS_PER_PAGE = 50
_GRADE_RANK = Case(
    *(When(grade=g, then=Value(i)) for i, g in enumerate(GRADE_ORDER)), output_field=IntegerField()
)


def my_rooms_page(
    actor: Actor, day: dt.date, page_number: str | None
) -> tuple[Page[Any], list[sa.RoomStatus]]:
    """One page of the rooms the actor may mark in the academic year of ``day`` (school, grade in
    school order, number), each with its learners and marks that day: two queries (count, page)."""
    ay = sa.academic_year_of(day)
    rooms = sa.rooms_markable_by(actor).filter(academic_year=ay) if ay else Classroom.objects.none()
    learners = (
        Enrolment.objects.filter(sa.enrolments_covering(day), classroom=OuterRef("pk"))
        .order_by()
        .values("classroom")
        .annotate(n=Count("student", distinct=True))
        .values("n")
    )
    marked = (
        AttendanceMark.objects.filter(classroom=OuterRef("pk"), date=day)
        .order_by()
        .values("classroom")
        .annotate(n=Count("id"))
        .values("n")
    )
    ordered = (
        rooms.select_related("school")
        .annotate(grade_rank=_GRADE_RANK, n_learners=Subquery(learners), n_marked=Subquery(marked))
        .order_by("school__code", "grade_rank", "number", "pk")
    )
    page = Paginator(ordered, ROOMS_PER_PAGE).get_page(page_number)
    return page, [sa.RoomStatus(r, r.n_learners or 0, r.n_marked or 0) for r in page.object_list]


@login_required
def attendance_home(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    errors: list[str] = []
    chosen = _date_param(request, errors)
    day = chosen or sa.today()
    page, rooms = my_rooms_page(actor, day, request.GET.get("page"))
    schools = sorted({r.classroom.school for r in rooms}, key=lambda u: u.code)
    esa_codes = [
        [c for c in p.split("/") if c][-1]
        for p in actor.scope_paths(Perm.ORG_VIEW)
        if p.count("/") <= 4 and p != "/"
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "day": day,
        "chosen": chosen,
        "date_input": format_be_input(day),
        "errors": errors,
        "page": page,
        "query": query.urlencode(),
        "rooms": [{"status": r, "url": room_url(r.classroom.pk, chosen)} for r in rooms],
        "schools": schools,
        "overview_url": reverse("web:attendance_overview") if esa_codes and not rooms else None,
        "closures_url": reverse("web:attendance_closures"),
    }
    return render(request, "web/students/attendance/home.html", context, status=400 if errors else 200)


# --- one room's sheet -----------------------------------------------------------------------------


def _sheet_context(request: HttpRequest, sheet: sa.RoomSheet, posted: dict[int, str] | None = None,
                   errors: list[str] | None = None, saved: sa.RoomSheet | None = None) -> dict[str, Any]:  # fmt: skip
    rows = []
    for row in sheet.rows:
        current: str = (posted or {}).get(row.student_id) or row.code or "P"
        rows.append({"row": row, "current": current, "name": row.name(request.LANGUAGE_CODE)})
    room = sheet.classroom
    return {
        "room": room,
        "school": room.school,
        "sheet": sheet,
        "rows": rows,
        "buttons": CODE_BUTTONS,
        "date_input": format_be_input(sheet.date),
        "previous_url": room_url(room.pk, sheet.previous_day) if sheet.previous_day else None,
        "next_url": room_url(room.pk, sheet.next_day) if sheet.next_day else None,
        "summary_url": reverse("web:attendance_room_summary", args=[room.pk])
        + f"?month={month_be(sheet.date)}",
        "post_url": room_url(room.pk, sheet.date),
        "errors": errors or [],
        "problem": both(sheet.problem) if sheet.problem else "",
        "counts": [(CODE_LABELS[c], n) for c, n in sheet.counts.items()],
    }


def _posted_marks(request: HttpRequest, sheet: sa.RoomSheet) -> dict[int, str]:
    if request.POST.get("action") == "all_present":
        return {r.student_id: AttendanceCode.PRESENT for r in sheet.rows}
    marks: dict[int, str] = {}
    for key in request.POST:
        if key.startswith("m_") and key[2:].isdigit():
            marks[int(key[2:])] = request.POST.get(key, "")
    return marks


@login_required
def attendance_room(request: HttpRequest, classroom_id: int) -> HttpResponse:
    actor = request_actor(request)
    room = _room_or_404(actor, classroom_id)
    errors: list[str] = []
    day = _date_param(request, errors)
    sheet = sa.room_sheet(actor, room.pk, day)
    status = 400 if errors else 200
    posted: dict[int, str] | None = None
    if request.method == "POST":
        posted = _posted_marks(request, sheet)
        try:
            result = attendance_mark_room(actor=actor, classroom=room, on=sheet.date, marks=posted)
        except PermissionDenied:
            raise DjangoPermissionDenied from None
        except InvalidInput as exc:
            errors = [both(p) for p in exc.problems]
            status = 400
        else:
            text = bi(
                f"บันทึกการมาเรียนวันที่ {format_be(sheet.date, 'th', 'long')} แล้ว ({len(posted)} คน)",
                f"Attendance for {format_be(sheet.date, 'en')} saved ({len(posted)} learners)",
            )
            if not result.changed:
                text = bi("บันทึกแล้ว ไม่มีการเปลี่ยนแปลง", "Saved: nothing had changed")
            if not _is_htmx(request):
                messages.success(request, text)
                return redirect(room_url(room.pk, sheet.date))
            sheet = sa.room_sheet(actor, room.pk, sheet.date)
            context = _sheet_context(request, sheet)
            context["saved_message"] = text
            return render(request, "web/students/attendance/_sheet.html", context)
    context = _sheet_context(request, sheet, posted, errors)
    if _is_htmx(request):
        return render(request, "web/students/attendance/_sheet.html", context)
    return render(request, "web/students/attendance/room.html", context, status=status)


# --- monthly summary ------------------------------------------------------------------------------


@login_required
def attendance_room_summary(request: HttpRequest, classroom_id: int) -> HttpResponse:
    actor = request_actor(request)
    room = _room_or_404(actor, classroom_id)
    errors: list[str] = []
    month: dt.date | None = None
    if request.GET.get("month"):
        try:
            month = sa.parse_month(request.GET["month"])
        except InvalidInput as exc:
            errors = [both(p) for p in exc.problems]
    summary = sa.room_month_summary(actor, room.pk, month)
    base = reverse("web:attendance_room_summary", args=[room.pk])
    context = {
        "room": room,
        "school": room.school,
        "summary": summary,
        "month_label": month_label(summary.month),
        "month_input": month_be(summary.month),
        "previous_url": f"{base}?month={month_be(_shift_month(summary.month, -1))}",
        "next_url": f"{base}?month={month_be(_shift_month(summary.month, 1))}"
        if _shift_month(summary.month, 1) <= sa.today()
        else None,
        "codes": CODE_BUTTONS,
        "rows": [
            {
                "learner": lr,
                "name": lr.name(request.LANGUAGE_CODE),
                "month": [lr.month[c] for c, *_ in CODE_BUTTONS],
            }
            for lr in summary.learners
        ],
        "totals": [summary.totals[c] for c, *_ in CODE_BUTTONS],
        "errors": errors,
        "sheet_url": room_url(room.pk),
        "min_days": sa.CHRONIC_MIN_DAYS,
    }
    return render(request, "web/students/attendance/summary.html", context, status=400 if errors else 200)


# --- a school's rooms with missing days -----------------------------------------------------------


@login_required
def attendance_school(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    try:
        report = sa.school_attendance(actor, code)
    except NotFoundOrNoAccess:
        raise Http404 from None
    markable = set(sa.rooms_markable_by(actor).filter(school=report.school).values_list("pk", flat=True))
    context = {
        "report": report,
        "school": report.school,
        "rows": [
            {"gap": g, "url": room_url(g.classroom.pk) if g.classroom.pk in markable else None}
            for g in report.rooms
        ],
        "totals": [(CODE_LABELS[c], report.totals[c]) for c, *_ in CODE_BUTTONS],
        "can_manage_closures": actor.can(Perm.SCHOOL_EDIT, report.school.path),
        "closures_url": reverse("web:attendance_closures") + f"?school={report.school.code}",
        "min_days": sa.CHRONIC_MIN_DAYS,
    }
    return render(request, "web/students/attendance/school.html", context)


# --- an ESA's schools -----------------------------------------------------------------------------


@login_required
def attendance_overview(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not actor.can_anywhere(Perm.ORG_VIEW):
        raise Http404
    esas = units_visible_to(actor).filter(kind=OrgUnit.Kind.ESA).order_by("code")
    code = (request.GET.get("esa") or "").strip()
    if not code:
        own = list(esas.filter(path__in=actor.scope_paths(Perm.ORG_VIEW)).values_list("code", flat=True))
        code = own[0] if len(own) == 1 else ""
    try:
        days = int(request.GET.get("days") or sa.RECENT_SCHOOL_DAYS)
    except ValueError:
        days = sa.RECENT_SCHOOL_DAYS
    report = None
    if code:
        try:
            report = sa.esa_missing_attendance(actor, code, days=days)
        except NotFoundOrNoAccess:
            raise Http404 from None
    context = {
        "report": report,
        "esa_code": code,
        "esas": esas.only("code", "name_th", "name_en")[:400],
        "days": report.days if report else days,
        "rows": [
            {"row": r, "url": reverse("web:attendance_school", args=[r.school.code])}
            for r in (report.schools if report else [])
        ],
    }
    return render(request, "web/students/attendance/overview.html", context)


# --- closures -------------------------------------------------------------------------------------


def _closure_school(actor: Actor, code: str) -> OrgUnit | None:
    """The school whose closures are managed on the page: the one asked for, or the actor's own."""
    qs = units_visible_to(actor).filter(kind=OrgUnit.Kind.SCHOOL)
    if code:
        unit = qs.filter(code=code).first()
        if unit is None:
            raise Http404
        return unit
    own = [g.unit_path for g in actor.grants_for(Perm.SCHOOL_EDIT) if g.unit_kind == "school"]
    return qs.filter(path=own[0]).first() if len(own) == 1 else None


@login_required
def attendance_closures(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not actor.can_anywhere(Perm.ORG_VIEW):
        raise Http404
    code = (request.POST.get("school") if request.method == "POST" else request.GET.get("school")) or ""
    school = _closure_school(actor, code.strip())
    may_school = school is not None and actor.can(Perm.SCHOOL_EDIT, school.path)
    nation = OrgUnit.objects.filter(kind=OrgUnit.Kind.NATION).first()
    may_nation = nation is not None and actor.can(Perm.ORG_MANAGE, nation.path)
    errors: list[str] = []
    form = {"date": "", "reason_th": "", "reason_en": "", "scope": "school" if may_school else "nation"}
    if request.method == "POST":
        form.update({k: request.POST.get(k, "").strip() for k in form})
        if form["scope"] == "school" and school is None:
            raise Http404
        target = school if form["scope"] == "school" else None
        try:
            day = parse_be(form["date"], field="date")
            closure = school_closure_add(actor=actor, school=target, on=day, reason_th=form["reason_th"],
                                         reason_en=form["reason_en"])  # fmt: skip
        except InvalidInput as exc:
            errors = [both(p) for p in exc.problems]
        except (PermissionDenied, NotFoundOrNoAccess):
            raise DjangoPermissionDenied from None
        else:
            messages.success(
                request,
                bi(
                    f"เพิ่มวันหยุด {format_be(closure.date, 'th', 'long')} แล้ว",
                    f"Day off {format_be(closure.date, 'en')} added",
                ),
            )
            return redirect(request.get_full_path())
    ay = sa.academic_year_of(sa.today())
    qs = sa.closures_visible_to(actor).select_related("school")
    if ay is not None:
        qs = qs.filter(date__range=(ay.starts_on, ay.ends_on))
    qs = qs.filter(school__isnull=True) | (qs.filter(school=school) if school else qs.none())
    closures = [
        {
            "closure": c,
            "removable": (c.school_id is None and may_nation) or (c.school_id is not None and may_school),
        }
        for c in qs.order_by("date")
    ]
    context = {
        "school": school,
        "closures": closures,
        "academic_year": ay,
        "may_school": may_school,
        "may_nation": may_nation,
        "form": form,
        "errors": errors,
    }
    return render(request, "web/students/attendance/closures.html", context, status=400 if errors else 200)


@login_required
@require_POST
def attendance_closure_remove(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    try:
        closure = sa.closure_get(actor, request.POST.get("closure", ""))
        school_code = closure.school.code if closure.school else ""
        school_closure_remove(actor=actor, closure=closure)
    except NotFoundOrNoAccess:
        raise Http404 from None
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    messages.success(request, bi("ยกเลิกวันหยุดแล้ว", "Day off removed"))
    url = reverse("web:attendance_closures")
    return redirect(f"{url}?school={school_code}" if school_code else url)


_CODE = r"(?P<code>[0-9A-Z][0-9A-Z_.-]{0,19})"

urlpatterns: list[URLPattern] = [
    path("attendance/", attendance_home, name="attendance_home"),
    path("attendance/rooms/<int:classroom_id>/", attendance_room, name="attendance_room"),
    path(
        "attendance/rooms/<int:classroom_id>/summary/",
        attendance_room_summary,
        name="attendance_room_summary",
    ),
    path("attendance/overview/", attendance_overview, name="attendance_overview"),
    path("attendance/closures/", attendance_closures, name="attendance_closures"),
    path("attendance/closures/remove/", attendance_closure_remove, name="attendance_closure_remove"),
    re_path(rf"^schools/{_CODE}/attendance/$", attendance_school, name="attendance_school"),
]
