"""The audit-log viewer for the DPO and system administrators: filters, paging, CSV/XLSX export.

Entries come only from :func:`suksa.core.audit_selectors.audit_entries_visible_to`, so a DPO of
one ESA sees only that ESA's subtree. Every export is itself audited (what was exported, how many
rows, with which filters).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from suksa.core import audit
from suksa.core.audit_selectors import audit_entries_visible_to, audit_object_types
from suksa.core.dates import format_be
from suksa.core.i18n import bi, current_language
from suksa.core.models import AuditEntry
from suksa.core.policy import Actor, Perm
from suksa.interfaces.web.forms import BEDateField
from suksa.interfaces.web.twofactor import gate_required
from suksa.interfaces.web.views.accounts import StyledForm

PAGE_SIZE = 50
EXPORT_HEADERS = [
    ("at", "เวลา (พ.ศ.)", "Time (BE)"),
    ("actor_username", "ผู้กระทำ", "Actor"),
    ("action", "การกระทำ", "Action"),
    ("object_type", "ประเภทข้อมูล", "Object type"),
    ("object_id", "รหัสข้อมูล", "Object id"),
    ("object_repr", "ข้อมูล", "Object"),
    ("unit_path", "หน่วยงาน", "Unit path"),
    ("changes", "รายละเอียด", "Changes"),
    ("source", "ช่องทาง", "Source"),
    ("ip_address", "ที่อยู่ IP", "IP address"),
    ("request_id", "รหัสคำขอ", "Request id"),
]


OBJECT_TYPE_LABELS = {
    "accounts.user": ("ผู้ใช้", "User"),
    "accounts.roleassignment": ("การมอบหมายบทบาท", "Role assignment"),
    "accounts.session": ("การเข้าสู่ระบบ", "Sign-in session"),
    "accounts.totp_device": ("อุปกรณ์ยืนยันตัวตนสองขั้นตอน", "Two-factor device"),
    "core.orgunit": ("หน่วยงาน", "Org unit"),
    "core.school": ("ข้อมูลโรงเรียน", "School profile"),
    "core.auditentry": ("บันทึกการใช้งาน (ส่งออก)", "Audit log (export)"),
    "demo.nation": ("ข้อมูลสาธิต", "Demo data"),
    "core.indicatorvalue": ("ตัวชี้วัด (คำนวณ)", "Indicator values (computed)"),
    "students.student": ("นักเรียน", "Learner"),
    "students.student_sensitive": ("ข้อมูลอ่อนไหวของนักเรียน", "Learner's sensitive data"),
    "students.guardian": ("ผู้ปกครอง", "Guardian"),
    "students.duplicate_claim": ("ทะเบียนซ้ำซ้อน", "Duplicate claim"),
    "students.enrolment": ("การเข้าเรียน", "Enrolment"),
    "students.classroom": ("ห้องเรียน", "Room"),
    "students.transfer": ("การย้ายนักเรียน", "Transfer"),
    "students.yearendbatch": ("การเลื่อนชั้นสิ้นปี", "Year-end batch"),
    "students.attendance_room_day": ("การบันทึกเวลาเรียน (ห้อง/วัน)", "Attendance (room and day)"),
    "students.school_closure": ("วันหยุดโรงเรียน", "School closure"),
    "students.censusround": ("รอบการนับจำนวนนักเรียน", "Census round"),
    "students.censusreturn": ("ข้อมูลการนับของโรงเรียน", "Census return"),
    "students.censusboard": ("สถานะการนับจำนวนนักเรียน (ส่งออก)", "Census status (export)"),
    "students.register": ("ทะเบียนนักเรียน (ส่งออก)", "Student register (export)"),
}


class AuditFilterForm(StyledForm):
    # Typed in the Buddhist Era (21/11/2569); the export links repeat the same query string.
    date_from = BEDateField(label=bi("ตั้งแต่วันที่ (พ.ศ.)", "From (BE)"), required=False)
    date_to = BEDateField(label=bi("ถึงวันที่ (พ.ศ.)", "To (BE)"), required=False)
    actor = forms.CharField(label=bi("ผู้กระทำ (ชื่อผู้ใช้)", "Actor (username)"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=bi("การกระทำ", "Action"),
        required=False,
        choices=[
            ("", bi("— ทั้งหมด —", "— all —")),
            *((v, bi(*str(label).split(" / ", 1))) for v, label in AuditEntry.Action.choices),
        ],
    )
    object_type = forms.ChoiceField(label=bi("ประเภทข้อมูล", "Object type"), required=False)
    unit_code = forms.CharField(label=bi("รหัสหน่วยงาน", "Unit code"), required=False, max_length=20)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the types present in the actor's part of the log, named for people, not code.
        types = sorted(audit_object_types(actor))
        self.fields["object_type"].choices = [  # type: ignore[attr-defined]
            ("", bi("— ทั้งหมด —", "— all —")),
            *((t, bi(*OBJECT_TYPE_LABELS[t]) if t in OBJECT_TYPE_LABELS else t) for t in types),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error(
                "date_to", "วันที่สิ้นสุดต้องไม่ก่อนวันที่เริ่ม · The end date must not be before the start date"
            )
        return data


def _filters(request: HttpRequest) -> tuple[AuditFilterForm, dict[str, Any]]:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    if not actor.can_anywhere(Perm.AUDIT_VIEW):
        raise DjangoPermissionDenied
    form = AuditFilterForm(request.GET or None, actor=actor)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    return form, filters


@gate_required
def audit_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    qs = audit_entries_visible_to(request.actor, filters)  # type: ignore[attr-defined]
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/audit/list.html", {"form": form, "page": page, "query": query.urlencode()})


def _cell(entry: AuditEntry, field: str, language: str) -> str:
    value = getattr(entry, field)
    if field == "at":
        return format_be(timezone.localtime(value), language, "iso") + timezone.localtime(value).strftime(
            " %H:%M:%S"
        )
    if field == "changes":
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else str(value)


def _record_export(actor: Actor, fmt: str, filters: dict[str, Any], rows: int) -> None:
    scope = actor.scope_paths(Perm.AUDIT_VIEW)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=AuditEntry.Action.EXPORT,
            object_type="core.auditentry",
            object_repr=f"audit log export ({fmt})",
            unit_path=scope[0] if len(scope) == 1 else "",
            changes={"format": fmt, "rows": rows, "filters": {k: str(v) for k, v in sorted(filters.items())}},
        )


def _export_rows(request: HttpRequest, fmt: str) -> tuple[Iterator[AuditEntry], str]:
    _form, filters = _filters(request)
    actor: Actor = request.actor  # type: ignore[attr-defined]
    # Bound the export by id first, so that its own audit entry is not part of the file it describes,
    # and stream the rows rather than holding a national-size log in memory.
    bound = AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0
    qs = audit_entries_visible_to(actor, filters).filter(id__lte=bound)
    _record_export(actor, fmt, filters, qs.count())
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return qs.iterator(chunk_size=2000), f"audit-log-{stamp}"


@gate_required
def audit_export_csv(request: HttpRequest) -> StreamingHttpResponse:
    entries, name = _export_rows(request, "csv")
    language = current_language()

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([f"{th} / {en}" for _f, th, en in EXPORT_HEADERS])
        yield "\ufeff" + buffer.getvalue()
        for entry in entries:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([_cell(entry, f, language) for f, _th, _en in EXPORT_HEADERS])
            yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@gate_required
def audit_export_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    entries, name = _export_rows(request, "xlsx")
    language = current_language()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("audit")
    ws.append([f"{th} / {en}" for _f, th, en in EXPORT_HEADERS])
    for entry in entries:
        ws.append([_cell(entry, f, language) for f, _th, _en in EXPORT_HEADERS])
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("audit/", audit_list, name="audit_list"),
    path("audit/export.csv", audit_export_csv, name="audit_export_csv"),
    path("audit/export.xlsx", audit_export_xlsx, name="audit_export_xlsx"),
]
