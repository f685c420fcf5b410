"""Enrolment pages: rooms and homeroom teachers, moving room, dropout and readmission, transfers,
year-end (preview, apply, reverse) and duplicate claims.

Views parse input, call one selector or service with the request's actor and render. An id or
school outside the actor's view answers 404 exactly like an unknown one; one they can see but not
act on answers 403. Domain errors are shown next to their field in Thai and English.
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
from django.views.decorators.http import require_POST

from suksa.core.dates import academic_year_be_of
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied, SuksaError
from suksa.core.i18n import bi
from suksa.core.models import AcademicYear, OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.core.services import calendar_ensure_year
from suksa.domains.students import selectors_enrolment as sel
from suksa.domains.students.models import Classroom, DuplicateClaim, Enrolment, Student, Transfer
from suksa.domains.students.models.choices import DropoutReason, Grade
from suksa.domains.students.selectors import student_get
from suksa.domains.students.services import enrolment as enrol
from suksa.domains.students.services import transfers as tr
from suksa.domains.students.services import yearend as ye
from suksa.interfaces.web.context import maybe_reverse, request_actor
from suksa.interfaces.web.forms import BEDateField
from suksa.interfaces.web.twofactor import gate_required
from suksa.interfaces.web.views.accounts import StyledForm

PAGE_SIZE = 50
TEMPLATES = "web/students/enrolment/"


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


def _problem_texts(exc: SuksaError) -> list[str]:
    return [_both(p.th, p.en) for p in exc.problems]


def _or_404(call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except NotFoundOrNoAccess:
        raise Http404 from None


def _school(actor: Actor, code: str, *, edit: bool = False) -> OrgUnit:
    """The school ``code`` if the actor may see its learners (or, with ``edit``, change them)."""
    unit = OrgUnit.objects.filter(kind=OrgUnit.Kind.SCHOOL, code=code).first()
    if unit is None:
        raise Http404
    perms = (Perm.STUDENT_EDIT,) if edit else (Perm.STUDENT_VIEW, Perm.ROOM_VIEW)
    if any(actor.can(p, unit.path) for p in perms):
        return unit
    if actor.can(Perm.ORG_VIEW, unit.path) or actor.can(Perm.STUDENT_VIEW, unit.path):
        raise DjangoPermissionDenied
    raise Http404


def _year(request: HttpRequest) -> tuple[int, AcademicYear | None]:
    raw = request.GET.get("year", "")
    year_be = (
        int(raw) if raw.isdigit() and 2400 <= int(raw) <= 2800 else academic_year_be_of(timezone.localdate())
    )
    return year_be, AcademicYear.objects.filter(year_be=year_be).first()


def _open_enrolment(actor: Actor, student: Student) -> Enrolment:
    enrolment = sel.open_enrolment_visible(actor, student.pk)
    if enrolment is None:
        raise Http404
    return enrolment


def _editable_student(request: HttpRequest, student_id: int) -> tuple[Actor, Student]:
    actor = request_actor(request)
    student = _or_404(student_get, actor, student_id)
    if student.school is None or not actor.can(Perm.STUDENT_EDIT, student.school.path):
        raise DjangoPermissionDenied
    return actor, student


def _student_url(student: Student) -> str:
    return maybe_reverse("web:student_detail", student.pk) or "/"


def _after(student: Student) -> HttpResponse:
    return redirect(_student_url(student))


# --- rooms -----------------------------------------------------------------------------------------


class RoomCreateForm(StyledForm):
    grade = forms.ChoiceField(
        label=bi("ชั้น", "Grade"), choices=_choices(Grade.choices), error_messages=REQUIRED
    )
    number = forms.IntegerField(
        label=bi("ห้อง", "Room"), min_value=1, max_value=enrol.ROOM_NUMBER_MAX, error_messages=REQUIRED
    )


@gate_required
def classroom_list(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    school = _school(actor, code)
    year_be, ay = _year(request)
    can_edit = actor.can(Perm.STUDENT_EDIT, school.path)
    form = RoomCreateForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise DjangoPermissionDenied
        if form.is_valid():
            try:
                room = enrol.classroom_create(
                    actor=actor, school=school, academic_year=ay or calendar_ensure_year(year_be=year_be),
                    grade=form.cleaned_data["grade"], number=form.cleaned_data["number"],
                )  # fmt: skip
            except (InvalidInput, PermissionDenied) as exc:
                _apply_problems(form, exc)
            else:
                messages.success(request, bi(f"เปิดห้อง {room} แล้ว", f"Room {room.grade}/{room.number} opened"))
                return redirect(f"{request.path}?year={year_be}")
    rooms = list(sel.school_rooms(actor, school, ay)) if ay else []
    context = {
        "school": school, "year_be": year_be, "rooms": rooms, "form": form, "can_edit": can_edit,
        "candidates": list(sel.homeroom_candidates(school)) if can_edit else [],
        "total": sum(getattr(r, "learners", 0) for r in rooms),
    }  # fmt: skip
    return render(request, TEMPLATES + "rooms.html", context, status=400 if form.errors else 200)


@require_POST
@gate_required
def classroom_teachers(request: HttpRequest, classroom_id: int) -> HttpResponse:
    actor = request_actor(request)
    room: Classroom = _or_404(sel.classroom_get, actor, classroom_id)
    if not actor.can(Perm.STUDENT_EDIT, room.school.path):
        raise DjangoPermissionDenied
    ids = [int(v) for v in request.POST.getlist("teachers") if v.isdigit()]
    teachers = list(sel.homeroom_candidates(room.school).filter(pk__in=ids))
    unknown = set(ids) - {t.pk for t in teachers}
    try:
        if unknown:
            raise InvalidInput.single(
                "teacher_not_at_school",
                "ผู้ที่เลือกบางคนไม่ได้เป็นครูหรือบุคลากรของโรงเรียนนี้",
                "Some of the people chosen are not teachers or staff of this school",
                field="teachers",
            )
        enrol.classroom_set_teachers(actor=actor, classroom=room, teachers=teachers)
    except InvalidInput as exc:
        for text in _problem_texts(exc):
            messages.error(request, text)
    else:
        messages.success(request, bi(f"บันทึกครูประจำชั้นห้อง {room} แล้ว", "Homeroom teachers saved"))
    return redirect(f"/schools/{room.school.code}/rooms/?year={room.academic_year.year_be}")


class MoveRoomForm(StyledForm):
    room = forms.TypedChoiceField(label=bi("ห้องใหม่", "New room"), coerce=int, error_messages=REQUIRED)


@gate_required
def student_move_room(request: HttpRequest, student_id: int) -> HttpResponse:
    actor, student = _editable_student(request, student_id)
    enrolment = _open_enrolment(actor, student)
    rooms = Classroom.objects.filter(
        school=enrolment.school, academic_year=enrolment.academic_year, grade=enrolment.grade
    ).order_by("number")
    form = MoveRoomForm(request.POST or None)
    room_field = form.fields["room"]
    assert isinstance(room_field, forms.ChoiceField)
    room_field.choices = [(r.pk, str(r)) for r in rooms]
    if request.method == "POST" and form.is_valid():
        room = rooms.get(pk=form.cleaned_data["room"])
        try:
            enrol.enrolment_move_room(actor=actor, enrolment=enrolment, classroom=room)
        except (InvalidInput, PermissionDenied) as exc:
            _apply_problems(form, exc)
        else:
            messages.success(request, bi(f"ย้ายไปห้อง {room} แล้ว", "Moved to the new room"))
            return _after(student)
    context = {
        "student": student, "enrolment": enrolment, "form": form, "back": _student_url(student),
        "title": bi("ย้ายห้องเรียน", "Move to another room"), "submit": bi("ย้ายห้อง", "Move"),
    }  # fmt: skip
    return render(request, TEMPLATES + "student_form.html", context, status=400 if form.errors else 200)


# --- dropout and readmission -----------------------------------------------------------------------


class DropOutForm(StyledForm):
    on = BEDateField(label=bi("วันที่ออก (พ.ศ.)", "Date of leaving (BE)"))
    reason = forms.ChoiceField(
        label=bi("สาเหตุ", "Reason"),
        choices=_choices(DropoutReason.choices, blank="—"),
        error_messages=REQUIRED,
    )
    note = forms.CharField(label=bi("บันทึก", "Note"), max_length=enrol.NOTE_MAX, required=False)


@gate_required
def student_drop_out(request: HttpRequest, student_id: int) -> HttpResponse:
    actor, student = _editable_student(request, student_id)
    enrolment = _open_enrolment(actor, student)
    form = DropOutForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            enrol.student_drop_out(
                actor=actor, enrolment=enrolment, on=d["on"], reason=d["reason"], note=d["note"]
            )
        except (InvalidInput, PermissionDenied) as exc:
            _apply_problems(form, exc)
        else:
            messages.success(request, bi("บันทึกการออกกลางคันแล้ว", "The dropout has been recorded"))
            return _after(student)
    context = {
        "student": student, "enrolment": enrolment, "form": form, "back": _student_url(student),
        "title": bi("บันทึกนักเรียนออกกลางคัน", "Record a dropout"), "submit": bi("บันทึก", "Save"),
        "danger": True,
    }  # fmt: skip
    return render(request, TEMPLATES + "student_form.html", context, status=400 if form.errors else 200)


class ReadmitForm(StyledForm):
    on = BEDateField(label=bi("วันที่รับกลับเข้าเรียน (พ.ศ.)", "Date of return (BE)"))
    grade = forms.ChoiceField(
        label=bi("ชั้น", "Grade"), choices=_choices(Grade.choices), error_messages=REQUIRED
    )
    room = forms.IntegerField(
        label=bi("ห้อง", "Room"), min_value=1, max_value=enrol.ROOM_NUMBER_MAX, initial=1
    )


@gate_required
def student_readmit(request: HttpRequest, student_id: int) -> HttpResponse:
    actor, student = _editable_student(request, student_id)
    assert student.school is not None
    form = ReadmitForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            enrol.student_readmit(
                actor=actor,
                student=student,
                school=student.school,
                grade=d["grade"],
                room=d["room"],
                on=d["on"],
            )
        except (InvalidInput, PermissionDenied) as exc:
            _apply_problems(form, exc)
        else:
            messages.success(request, bi("รับนักเรียนกลับเข้าเรียนแล้ว", "The learner has been readmitted"))
            return _after(student)
    context = {
        "student": student, "form": form, "back": _student_url(student),
        "title": bi("รับนักเรียนกลับเข้าเรียน", "Readmit a learner"), "submit": bi("รับกลับ", "Readmit"),
    }  # fmt: skip
    return render(request, TEMPLATES + "student_form.html", context, status=400 if form.errors else 200)


# --- transfers -------------------------------------------------------------------------------------


class TransferRequestForm(StyledForm):
    to_school = forms.CharField(
        label=bi("รหัสโรงเรียนปลายทาง (10 หลัก)", "Receiving school code (10 digits)"),
        max_length=10, min_length=10, error_messages=REQUIRED,
    )  # fmt: skip
    requested_on = BEDateField(label=bi("วันที่ขอย้าย (พ.ศ.)", "Request date (BE)"))
    reason = forms.CharField(label=bi("เหตุผล", "Reason"), max_length=enrol.NOTE_MAX, required=False)


def _school_by_code(code: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(kind=OrgUnit.Kind.SCHOOL, code=code.strip(), is_active=True).first()


@gate_required
def student_transfer_request(request: HttpRequest, student_id: int) -> HttpResponse:
    actor, student = _editable_student(request, student_id)
    enrolment = _open_enrolment(actor, student)
    form = TransferRequestForm(request.POST or None, initial={"requested_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        to_school = _school_by_code(d["to_school"])
        if to_school is None:
            form.add_error("to_school", _both("ไม่พบโรงเรียนรหัสนี้", "No school with this code"))
        else:
            try:
                transfer = tr.transfer_request(
                    actor=actor, student=student, to_school=to_school, requested_on=d["requested_on"],
                    reason=d["reason"],
                )  # fmt: skip
            except (InvalidInput, PermissionDenied) as exc:
                _apply_problems(form, exc)
            else:
                messages.success(request, bi("ส่งคำขอย้ายแล้ว รอโรงเรียนปลายทางตอบรับ", "Transfer requested"))
                return redirect("web:transfer_detail", transfer_id=transfer.pk)
    context = {
        "student": student, "enrolment": enrolment, "form": form, "back": _student_url(student),
        "title": bi("ขอย้ายนักเรียนไปโรงเรียนอื่น", "Request a transfer to another school"),
        "submit": bi("ส่งคำขอย้าย", "Request transfer"),
    }  # fmt: skip
    return render(request, TEMPLATES + "student_form.html", context, status=400 if form.errors else 200)


def _require_student_view(actor: Actor) -> None:
    if not actor.can_anywhere(Perm.STUDENT_VIEW):
        raise DjangoPermissionDenied


@gate_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    _require_student_view(actor)
    direction = request.GET.get("direction", "")
    direction = direction if direction in ("incoming", "outgoing") else ""
    status = request.GET.get("status", "requested")
    qs = sel.transfers_for(actor, direction)
    if status in Transfer.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-requested_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page, "direction": direction, "status": status, "statuses": _choices(Transfer.Status.choices),
        "query": query.urlencode(),
    }  # fmt: skip
    return render(request, TEMPLATES + "transfer_list.html", context)


class TransferAcceptForm(StyledForm):
    grade = forms.ChoiceField(
        label=bi("ชั้นที่รับเข้า", "Grade"), choices=_choices(Grade.choices, blank="— เดิม / same —"), required=False
    )
    room = forms.IntegerField(
        label=bi("ห้อง", "Room"), min_value=1, max_value=enrol.ROOM_NUMBER_MAX, initial=1
    )
    starts_on = BEDateField(label=bi("วันที่เริ่มเรียน (พ.ศ.)", "First day (BE)"))


class DecisionNoteForm(StyledForm):
    note = forms.CharField(label=bi("หมายเหตุ", "Note"), max_length=enrol.NOTE_MAX, required=False)


@gate_required
def transfer_detail(request: HttpRequest, transfer_id: int) -> HttpResponse:
    actor = request_actor(request)
    transfer: Transfer = _or_404(sel.transfer_get, actor, transfer_id)
    is_open = transfer.status == Transfer.Status.REQUESTED
    can_receive = is_open and actor.can(Perm.STUDENT_EDIT, transfer.to_school.path)
    can_cancel = is_open and actor.can(Perm.STUDENT_EDIT, transfer.from_school.path)
    accept_form = TransferAcceptForm(initial={"room": 1, "starts_on": timezone.localdate()})
    note_form = DecisionNoteForm()
    status_code = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if (action in ("accept", "reject") and not can_receive) or (action == "cancel" and not can_cancel):
            raise DjangoPermissionDenied
        if action not in ("accept", "reject", "cancel"):
            raise Http404
        try:
            if action == "accept":
                accept_form = TransferAcceptForm(request.POST)
                if not accept_form.is_valid():
                    raise InvalidInput([])
                d = accept_form.cleaned_data
                tr.transfer_accept(
                    actor=actor,
                    transfer=transfer,
                    grade=d["grade"] or None,
                    room=d["room"],
                    starts_on=d["starts_on"],
                )
            else:
                note_form = DecisionNoteForm(request.POST)
                if not note_form.is_valid():
                    raise InvalidInput([])
                call = tr.transfer_reject if action == "reject" else tr.transfer_cancel
                call(actor=actor, transfer=transfer, note=note_form.cleaned_data["note"])
        except (InvalidInput, PermissionDenied) as exc:
            _apply_problems(accept_form if action == "accept" else note_form, exc)
            status_code = 400
        else:
            done = {"accept": ("รับย้ายแล้ว", "Transfer accepted"), "reject": ("ปฏิเสธคำขอย้ายแล้ว", "Transfer rejected"),
                    "cancel": ("ยกเลิกคำขอย้ายแล้ว", "Transfer cancelled")}[action]  # fmt: skip
            messages.success(request, bi(*done))
            return redirect("web:transfer_detail", transfer_id=transfer.pk)
    context = {
        "transfer": transfer, "can_receive": can_receive, "can_cancel": can_cancel, "accept_form": accept_form,
        "note_form": note_form,
        "student_url": _student_url(transfer.student)
        if transfer.student.school and actor.can(Perm.STUDENT_VIEW, transfer.student.school.path) else "",
    }  # fmt: skip
    return render(request, TEMPLATES + "transfer_detail.html", context, status=status_code)


# --- year-end -------------------------------------------------------------------------------------


def _overrides_from(request: HttpRequest, preview: ye.Preview | None = None) -> dict[int, str]:
    """``o_<enrolment id>`` fields whose outcome differs from the default proposal."""
    out: dict[int, str] = {}
    for key in request.POST:
        if key.startswith("o_") and key[2:].isdigit():
            out[int(key[2:])] = request.POST.get(key, "")
    if preview is not None:
        defaults = {r.enrolment_id: ye.default_outcome(r.grade) for r in preview.rows}
        out = {k: v for k, v in out.items() if defaults.get(k) != v}
    return out


@gate_required
def year_end(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    school = _school(actor, code, edit=True)
    year_be, ay = _year(request)
    errors: list[str] = []
    overrides: dict[int, str] = {}
    if request.method == "POST":
        ay = ay or calendar_ensure_year(year_be=year_be)
        base = ye.year_end_preview(actor=actor, school=school, academic_year=ay)
        overrides = _overrides_from(request, base)
        if request.POST.get("confirm") != "yes":
            errors.append(_both("กรุณาติ๊กยืนยันก่อนดำเนินการสิ้นปี", "Tick the confirmation box to apply year-end"))
        else:
            try:
                batch = ye.year_end_apply(actor=actor, school=school, academic_year=ay, overrides=overrides)
            except (InvalidInput, PermissionDenied) as exc:
                errors.extend(_problem_texts(exc))
            else:
                messages.success(
                    request,
                    bi(f"ดำเนินการสิ้นปีการศึกษา {year_be} แล้ว ({batch.summary['learners']} คน)",
                       f"Year-end {year_be} applied ({batch.summary['learners']} learners)"),
                )  # fmt: skip
                return redirect(f"{request.path}?year={year_be}")
    preview = (
        ye.year_end_preview(actor=actor, school=school, academic_year=ay, overrides=overrides) if ay else None
    )
    grades: dict[str, list[ye.PreviewRow]] = {}
    for row in preview.rows if preview else []:
        grades.setdefault(row.grade, []).append(row)
    batches = sel.batches_visible_to(actor).filter(school=school).order_by("-applied_at")[:20]
    context = {
        "school": school, "year_be": year_be, "preview": preview, "grades": grades, "errors": errors,
        "outcomes": [(k, bi(*v)) for k, v in ye.OUTCOME_LABELS.items()], "batches": batches,
        "count_rows": [(g, [cell.get(k, 0) for k in ye.OUTCOMES]) for g, cell in (preview.counts if preview else {}).items()],
    }  # fmt: skip
    return render(request, TEMPLATES + "year_end.html", context, status=400 if errors else 200)


@gate_required
def year_end_reverse(request: HttpRequest, batch_id: int) -> HttpResponse:
    actor = request_actor(request)
    batch = _or_404(sel.batch_get, actor, batch_id)
    if not actor.can(Perm.STUDENT_EDIT, batch.school.path):
        raise DjangoPermissionDenied
    errors: list[str] = []
    if request.method == "POST":
        try:
            ye.year_end_reverse(actor=actor, batch=batch)
        except (InvalidInput, PermissionDenied) as exc:
            errors = _problem_texts(exc)
        else:
            messages.success(request, bi("ยกเลิกรายการสิ้นปีแล้ว", "The year-end batch has been reversed"))
            return redirect(f"/schools/{batch.school.code}/year-end/?year={batch.academic_year.year_be}")
    return render(
        request,
        TEMPLATES + "year_end_reverse.html",
        {"batch": batch, "errors": errors},
        status=400 if errors else 200,
    )


# --- duplicate claims ------------------------------------------------------------------------------


@gate_required
def duplicate_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    _require_student_view(actor)
    status = request.GET.get("status", "open")
    qs = sel.claims_visible_to(actor)
    if status in DuplicateClaim.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page, "status": status, "statuses": _choices(DuplicateClaim.Status.choices),
        "query": query.urlencode(), "can_resolve": actor.can_anywhere(Perm.DUPLICATE_RESOLVE),
    }  # fmt: skip
    return render(request, TEMPLATES + "duplicate_list.html", context)


class ResolveForm(StyledForm):
    outcome = forms.ChoiceField(
        label=bi("ผลการพิจารณา", "Outcome"),
        choices=[
            (
                "transfer",
                bi("คนเดียวกัน: ย้ายไปโรงเรียนที่ยื่นคำร้อง", "Same person: transfer to the claiming school"),
            ),
            ("reject", bi("ไม่อนุมัติ (พิมพ์ผิดหรือคนละคน)", "Reject (a typo or another person)")),
        ],
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    note = forms.CharField(label=bi("บันทึก", "Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


@gate_required
def duplicate_detail(request: HttpRequest, claim_id: int) -> HttpResponse:
    actor = request_actor(request)
    claim: DuplicateClaim = _or_404(sel.claim_get, actor, claim_id)
    can_resolve = claim.status == DuplicateClaim.Status.OPEN and tr.can_resolve(actor, claim)
    form = ResolveForm(request.POST or None)
    if request.method == "POST":
        if not can_resolve:
            raise DjangoPermissionDenied
        if form.is_valid():
            try:
                tr.duplicate_claim_resolve(
                    actor=actor,
                    claim=claim,
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                )
            except (InvalidInput, PermissionDenied) as exc:
                _apply_problems(form, exc)
            else:
                messages.success(request, bi("บันทึกผลการพิจารณาแล้ว", "The claim has been resolved"))
                return redirect("web:duplicate_detail", claim_id=claim.pk)
    context = {
        "claim": claim, "form": form, "can_resolve": can_resolve, "show_holder": sel.can_see_holder(actor, claim),
    }  # fmt: skip
    return render(request, TEMPLATES + "duplicate_detail.html", context, status=400 if form.errors else 200)


urlpatterns = [
    path("schools/<str:code>/rooms/", classroom_list, name="classroom_list"),
    path("rooms/<int:classroom_id>/teachers/", classroom_teachers, name="classroom_teachers"),
    path("students/duplicates/", duplicate_list, name="duplicate_list"),
    path("students/duplicates/<int:claim_id>/", duplicate_detail, name="duplicate_detail"),
    path("students/<int:student_id>/move-room/", student_move_room, name="student_move_room"),
    path("students/<int:student_id>/drop-out/", student_drop_out, name="student_drop_out"),
    path("students/<int:student_id>/readmit/", student_readmit, name="student_readmit"),
    path("students/<int:student_id>/transfer/", student_transfer_request, name="student_transfer_request"),
    path("transfers/", transfer_list, name="transfer_list"),
    path("transfers/<int:transfer_id>/", transfer_detail, name="transfer_detail"),
    path("schools/<str:code>/year-end/", year_end, name="year_end"),
    path("year-end/<int:batch_id>/reverse/", year_end_reverse, name="year_end_reverse"),
]
