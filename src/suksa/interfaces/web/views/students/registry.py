"""The student registry pages: the register (list), a learner's profile, registration, editing,
guardians, the G-code → citizen ID replacement and the sensitive-data page.

Views parse input, call one selector or service with the request's actor and render. A learner
outside the actor's view answers 404 exactly like an unknown id; one they can see but not change
answers 403. Opening the sensitive page is itself an audited read.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied, SuksaError
from suksa.core.i18n import bi, pick
from suksa.core.identifiers import format_citizen_id
from suksa.core.models import OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.students import selectors_registry as reg
from suksa.domains.students.models import Guardian, Student
from suksa.domains.students.models.choices import (
    GRADE_SHORT_TH,
    Disability,
    EnrolmentStatus,
    Grade,
    Religion,
    Sex,
)
from suksa.domains.students.selectors import can_read_sensitive, school_unit_for, student_get
from suksa.domains.students.services import registry as services
from suksa.domains.students.validation import age_on, format_phone
from suksa.interfaces.web.context import maybe_reverse, request_actor
from suksa.interfaces.web.forms import BEDateField
from suksa.interfaces.web.twofactor import gate_required
from suksa.interfaces.web.views.accounts import StyledForm

PAGE_SIZE = 50


def _both(th: str, en: str) -> str:
    return f"{th} · {en}"


REQUIRED = {"required": _both("กรุณากรอกช่องนี้", "This field is required")}


def _choices(choices: Any, blank: str | None = None) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [(v, bi(*str(label).split(" / ", 1))) for v, label in choices]
    return [("", blank), *out] if blank is not None else out


def _apply_problems(form: forms.Form, exc: SuksaError) -> None:
    for p in exc.problems:
        field = p.field if p.field in form.fields else None
        form.add_error(field, _both(p.th, p.en))


def _can_view_students(actor: Actor) -> bool:
    return actor.can_anywhere(Perm.STUDENT_VIEW) or actor.can_anywhere(Perm.ROOM_VIEW)


def _require_viewer(request: HttpRequest) -> Actor:
    actor = request_actor(request)
    if not _can_view_students(actor):
        raise DjangoPermissionDenied
    return actor


def _student_or_404(actor: Actor, student_id: int) -> Student:
    try:
        return student_get(actor, student_id)
    except NotFoundOrNoAccess:
        raise Http404 from None


def _can_edit(actor: Actor, student: Student) -> bool:
    return student.school is not None and actor.can(Perm.STUDENT_EDIT, student.school.path)


def _require_edit(actor: Actor, student: Student) -> None:
    if not _can_edit(actor, student):
        raise DjangoPermissionDenied


# --- the register ----------------------------------------------------------------------------------


class RegisterFilterForm(StyledForm):
    q = forms.CharField(
        label=bi("ค้นหา (ชื่อ หรือเลขประจำตัว)", "Search (name or ID)"), required=False, max_length=100
    )
    school = forms.CharField(label=bi("รหัสโรงเรียน", "School code"), required=False, max_length=10)
    grade = forms.ChoiceField(
        label=bi("ชั้น", "Grade"),
        required=False,
        choices=_choices(Grade.choices, bi("— ทุกชั้น —", "— any grade —")),
    )
    room = forms.IntegerField(label=bi("ห้อง", "Room"), required=False, min_value=1, max_value=99)
    status = forms.ChoiceField(
        label=bi("สถานะ", "Status"),
        required=False,
        choices=_choices(reg.STATUS_CHOICES, bi("— ทั้งหมด —", "— any —")),
    )
    sex = forms.ChoiceField(
        label=bi("เพศ", "Sex"), required=False, choices=_choices(Sex.choices, bi("— ทั้งหมด —", "— any —"))
    )


def _edit_school(actor: Actor, code: str) -> OrgUnit | None:
    """The school a "register a learner" link should name: the filtered one, or the actor's only one."""
    grants = [g for g in actor.grants_for(Perm.STUDENT_EDIT) if g.unit_kind == "school"]
    if code:
        unit = OrgUnit.objects.filter(kind=OrgUnit.Kind.SCHOOL, code=code).only("code", "path").first()
        return unit if unit is not None and actor.can(Perm.STUDENT_EDIT, unit.path) else None
    if len(grants) == 1 and len(actor.grants_for(Perm.STUDENT_EDIT)) == 1:
        return OrgUnit.objects.filter(pk=grants[0].unit_id).only("code", "path").first()
    return None


@gate_required
def student_list(request: HttpRequest) -> HttpResponse:
    actor = _require_viewer(request)
    form = RegisterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = reg.register_queryset(actor, filters)
    counts = reg.register_counts(qs)
    paginator = Paginator(reg.register_page_rows(qs), PAGE_SIZE)
    paginator.__dict__["count"] = counts.total  # already counted by the aggregate
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for row in rows:
        grade = getattr(row, "current_grade", None)
        row.current_grade_label = pick(GRADE_SHORT_TH.get(grade, grade), grade) if grade else ""
    query = request.GET.copy()
    query.pop("page", None)
    edit_school = _edit_school(actor, str(filters.get("school") or "").strip())
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "counts": counts,
        "query": query.urlencode(),
        "create_school": edit_school,
        "can_register": actor.can_anywhere(Perm.STUDENT_EDIT),
        "can_see_school_records": actor.can_anywhere(Perm.STUDENT_VIEW),
    }
    return render(request, "web/students/registry/list.html", context)


# --- the profile -----------------------------------------------------------------------------------


def _actions(actor: Actor, student: Student) -> list[tuple[str, str]]:
    """Links to other pages about this learner whose views exist and which the actor may use."""
    actions: list[tuple[str, str]] = []
    if not _can_edit(actor, student):
        return actions
    studying = student.enrolments.filter(status=EnrolmentStatus.ACTIVE).exists()
    lifecycle = (
        [
            ("web:student_move_room", "ย้ายห้อง", "Move to another room"),
            ("web:student_transfer_request", "ขอย้ายออก", "Request a transfer"),
            ("web:student_drop_out", "บันทึกออกกลางคัน", "Record a dropout"),
        ]
        if studying
        else [("web:student_readmit", "รับกลับเข้าเรียน", "Readmit")]
    )
    for name, th, en in (
        ("web:student_edit", "แก้ไขข้อมูล", "Edit"),
        ("web:student_guardians", "ผู้ปกครอง", "Guardians"),
        *lifecycle,
    ):
        url = maybe_reverse(name, student.pk)
        if url is not None:
            actions.append((str(bi(th, en)), url))
    if student.g_code and not student.citizen_id:
        url = maybe_reverse("web:student_citizen_id", student.pk)
        if url is not None:
            actions.append(
                (str(bi("บันทึกเลขประจำตัวประชาชนแทนรหัส G", "Record the citizen ID (replaces G-code)")), url)
            )
    return actions


@gate_required
def student_detail(request: HttpRequest, student_id: int) -> HttpResponse:
    actor = _require_viewer(request)
    student = _student_or_404(actor, student_id)
    context = {
        "student": student,
        "citizen_id": format_citizen_id(student.citizen_id) if student.citizen_id else "",
        "age": age_on(student.birth_date, timezone.localdate()),
        "current": reg.student_current_enrolment(student),
        "history": reg.student_history(student),
        "transfers": reg.student_transfers(student),
        "guardians": [(g, format_phone(g.phone)) for g in reg.student_guardians(student)],
        "claims": reg.student_claims(actor, student),
        "actions": _actions(actor, student),
        "can_edit": _can_edit(actor, student),
        "can_sensitive": can_read_sensitive(actor, student),
    }
    return render(request, "web/students/registry/detail.html", context)


# --- register a learner ------------------------------------------------------------------------------


class PersonForm(StyledForm):
    prefix_th = forms.CharField(label=bi("คำนำหน้า", "Prefix (Thai)"), max_length=30, required=False)
    first_name_th = forms.CharField(
        label=bi("ชื่อ (ไทย)", "First name (Thai)"), max_length=100, error_messages=REQUIRED
    )
    last_name_th = forms.CharField(
        label=bi("นามสกุล (ไทย)", "Last name (Thai)"), max_length=100, error_messages=REQUIRED
    )
    first_name_en = forms.CharField(
        label=bi("ชื่อ (อังกฤษ)", "First name (English)"), max_length=100, required=False
    )
    last_name_en = forms.CharField(
        label=bi("นามสกุล (อังกฤษ)", "Last name (English)"), max_length=100, required=False
    )
    sex = forms.ChoiceField(label=bi("เพศ", "Sex"), choices=_choices(Sex.choices), error_messages=REQUIRED)
    birth_date = BEDateField(label=bi("วันเกิด (พ.ศ.)", "Date of birth (BE)"))
    nationality = forms.CharField(
        label=bi("สัญชาติ (รหัส ISO 3 ตัว เช่น THA)", "Nationality (ISO alpha-3, e.g. THA)"),
        max_length=3,
        initial="THA",
        error_messages=REQUIRED,
    )


class RegisterForm(PersonForm):
    field_order = ["identifier"]
    identifier = forms.CharField(
        label=bi("เลขประจำตัวประชาชน 13 หลัก หรือรหัส G", "13-digit citizen ID or G-code"),
        max_length=20,
        error_messages=REQUIRED,
    )
    grade = forms.ChoiceField(
        label=bi("ชั้น", "Grade"), choices=_choices(Grade.choices), error_messages=REQUIRED
    )
    room = forms.IntegerField(
        label=bi("ห้อง", "Room"), min_value=1, max_value=99, initial=1, error_messages=REQUIRED
    )


def _school_for_register(request: HttpRequest, actor: Actor) -> OrgUnit | None:
    """The school named by ``?school=``, or the actor's only school; None when they must choose."""
    code = (request.GET.get("school") or "").strip()
    if not code:
        return _edit_school(actor, "")
    try:
        return school_unit_for(actor, Perm.STUDENT_EDIT, code)
    except NotFoundOrNoAccess:
        raise Http404 from None
    except PermissionDenied:
        raise DjangoPermissionDenied from None


@gate_required
def student_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not actor.can_anywhere(Perm.STUDENT_EDIT):
        raise DjangoPermissionDenied
    school = _school_for_register(request, actor)
    if school is None:
        messages.info(
            request,
            bi(
                "ระบุรหัสโรงเรียนในตัวกรองก่อนลงทะเบียนนักเรียน",
                "Filter by a school code to register a learner there",
            ),
        )
        return redirect("web:student_list")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.student_register(actor=actor, school=school, data=dict(form.cleaned_data))
        except (InvalidInput, PermissionDenied) as exc:
            _apply_problems(form, exc)
        else:
            if result.claim is not None:
                context = {"claim": result.claim, "school": school}
                return render(request, "web/students/registry/claimed.html", context, status=409)
            assert result.student is not None
            messages.success(request, bi("ลงทะเบียนนักเรียนเรียบร้อย", "The learner has been registered"))
            return redirect("web:student_detail", student_id=result.student.pk)
    return render(request, "web/students/registry/create.html", {"form": form, "school": school})


# --- edit ------------------------------------------------------------------------------------------------


@gate_required
def student_edit(request: HttpRequest, student_id: int) -> HttpResponse:
    actor = _require_viewer(request)
    student = _student_or_404(actor, student_id)
    _require_edit(actor, student)
    initial = {k: getattr(student, k) for k in PersonForm.base_fields}
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.changed_data}
        try:
            services.student_update(actor=actor, student=student, data=data)
        except (InvalidInput, PermissionDenied) as exc:
            _apply_problems(form, exc)
        else:
            messages.success(request, bi("บันทึกข้อมูลนักเรียนเรียบร้อย", "The learner's record has been saved"))
            return redirect("web:student_detail", student_id=student.pk)
    return render(request, "web/students/registry/edit.html", {"form": form, "student": student})


class CitizenIdForm(StyledForm):
    citizen_id = forms.CharField(
        label=bi("เลขประจำตัวประชาชน 13 หลัก", "13-digit citizen ID"), max_length=20, error_messages=REQUIRED
    )


@gate_required
def student_citizen_id(request: HttpRequest, student_id: int) -> HttpResponse:
    """Record a G-code learner's citizen ID; the G-code stays on the record."""
    actor = _require_viewer(request)
    student = _student_or_404(actor, student_id)
    _require_edit(actor, student)
    form = CitizenIdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.student_replace_g_code(
                actor=actor, student=student, citizen_id=form.cleaned_data["citizen_id"]
            )
        except (InvalidInput, PermissionDenied) as exc:
            _apply_problems(form, exc)
        else:
            messages.success(request, bi("บันทึกเลขประจำตัวประชาชนเรียบร้อย", "The citizen ID has been recorded"))
            return redirect("web:student_detail", student_id=student.pk)
    return render(request, "web/students/registry/citizen_id.html", {"form": form, "student": student})


# --- guardians -------------------------------------------------------------------------------------------


class GuardianForm(StyledForm):
    relation = forms.ChoiceField(
        label=bi("ความสัมพันธ์", "Relation"),
        choices=_choices(Guardian.Relation.choices),
        error_messages=REQUIRED,
    )
    name_th = forms.CharField(label=bi("ชื่อ-นามสกุล", "Name"), max_length=200, error_messages=REQUIRED)
    phone = forms.CharField(label=bi("โทรศัพท์", "Phone"), max_length=30, required=False)
    email = forms.CharField(label=bi("อีเมล", "E-mail"), max_length=254, required=False)
    is_primary = forms.BooleanField(label=bi("ผู้ติดต่อหลัก", "Primary contact"), required=False)


@gate_required
def student_guardians(request: HttpRequest, student_id: int) -> HttpResponse:
    """List a learner's guardians; POST ``action`` = add | update | remove (``guardian`` = id)."""
    actor = _require_viewer(request)
    student = _student_or_404(actor, student_id)
    can_edit = _can_edit(actor, student)
    editing = reg.guardian_get(student, request.GET.get("guardian")) if request.GET.get("guardian") else None
    if request.method == "POST":
        _require_edit(actor, student)
        action = request.POST.get("action", "add")
        target = reg.guardian_get(student, request.POST.get("guardian"))
        if action in ("update", "remove") and target is None:
            raise Http404
        form = GuardianForm(request.POST)
        try:
            if action == "remove":
                assert target is not None
                services.guardian_remove(actor=actor, guardian=target)
                messages.success(request, bi("ลบผู้ปกครองเรียบร้อย", "The guardian has been removed"))
                return redirect("web:student_guardians", student_id=student.pk)
            if form.is_valid():
                if action == "update":
                    assert target is not None
                    services.guardian_update(actor=actor, guardian=target, data=dict(form.cleaned_data))
                else:
                    services.guardian_add(actor=actor, student=student, data=dict(form.cleaned_data))
                messages.success(request, bi("บันทึกผู้ปกครองเรียบร้อย", "The guardian has been saved"))
                return redirect("web:student_guardians", student_id=student.pk)
        except (InvalidInput, PermissionDenied) as exc:
            _apply_problems(form, exc)
        editing = target
        status = 400
    else:
        initial = (
            {k: getattr(editing, k) for k in GuardianForm.base_fields}
            if editing is not None
            else {"relation": "mother"}
        )
        form = GuardianForm(initial=initial)
        status = 200
    context = {
        "student": student,
        "guardians": [(g, format_phone(g.phone)) for g in reg.student_guardians(student)],
        "form": form if can_edit else None,
        "editing": editing,
        "can_edit": can_edit,
    }
    return render(request, "web/students/registry/guardians.html", context, status=status)


# --- sensitive data --------------------------------------------------------------------------------------


class SensitiveForm(StyledForm):
    disability = forms.ChoiceField(
        label=bi("ความพิการ", "Disability"), choices=_choices(Disability.choices), required=False
    )
    health_notes = forms.CharField(
        label=bi("บันทึกสุขภาพ", "Health notes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )
    ccl_eligible = forms.BooleanField(
        label=bi("นักเรียนยากจนพิเศษ (มีสิทธิ์รับเงินอุดหนุนแบบมีเงื่อนไข)", "Eligible for the conditional cash transfer"),
        required=False,
    )
    religion = forms.ChoiceField(
        label=bi("ศาสนา", "Religion"), choices=_choices(Religion.choices), required=False
    )


@never_cache
@gate_required
def student_sensitive(request: HttpRequest, student_id: int) -> HttpResponse:
    """GET shows the sensitive data (an audited read); POST changes it."""
    actor = _require_viewer(request)
    student = _student_or_404(actor, student_id)
    if not can_read_sensitive(actor, student):
        raise DjangoPermissionDenied
    if request.method == "POST":
        form = SensitiveForm(request.POST)
        if form.is_valid():
            try:
                services.student_sensitive_update(actor=actor, student=student, data=dict(form.cleaned_data))
            except (InvalidInput, PermissionDenied) as exc:
                _apply_problems(form, exc)
            else:
                messages.success(request, bi("บันทึกข้อมูลอ่อนไหวเรียบร้อย", "The sensitive data has been saved"))
                return redirect("web:student_detail", student_id=student.pk)
        return render(
            request, "web/students/registry/sensitive.html", {"form": form, "student": student}, status=400
        )
    try:
        sensitive = services.student_sensitive_read(actor=actor, student=student)
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    form = SensitiveForm(initial={k: getattr(sensitive, k) for k in SensitiveForm.base_fields})
    response = render(request, "web/students/registry/sensitive.html", {"form": form, "student": student})
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("students/", student_list, name="student_list"),
    path("students/new/", student_create, name="student_create"),
    path("students/<int:student_id>/", student_detail, name="student_detail"),
    path("students/<int:student_id>/edit/", student_edit, name="student_edit"),
    path("students/<int:student_id>/guardians/", student_guardians, name="student_guardians"),
    path("students/<int:student_id>/citizen-id/", student_citizen_id, name="student_citizen_id"),
    path("students/<int:student_id>/sensitive/", student_sensitive, name="student_sensitive"),
]
