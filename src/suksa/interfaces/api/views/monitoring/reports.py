"""Monitoring (e-MES) API: ESA reports — the scoped list, one report with its values (and their
provenance), narratives and data problems; saving reported values and narratives; the edit-time
heartbeat; "report a data problem" and its resolution by the bureau; the Excel template.

Scope: an ESA's staff see their own reports, inspectors their region, executives and M&E officers
all, a reviewer only the reports assigned to them; anything else is 404. Writes need ``report.edit``
on the ESA (403 for readers) and name the ``lock_version`` the client read; the answer carries the
new one, and a stale version answers 409 with the current version and content (nothing written).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.errors import Conflict, InvalidInput, PermissionDenied
from suksa.core.i18n import current_language
from suksa.core.policy import Perm
from suksa.domains.monitoring.models import DataProblem, NarrativeEntry, Report
from suksa.domains.monitoring.models.choices import ProblemStatus, ReportStatus
from suksa.domains.monitoring.selectors import report_get
from suksa.domains.monitoring.selectors_reports import (
    SectionRow,
    ValueRow,
    editor_data,
    may_edit,
    problem_get,
    problems_list,
    reports_list,
)
from suksa.domains.monitoring.services import reports as svc
from suksa.domains.monitoring.services import workbook as wb
from suksa.domains.monitoring.services.locking import today
from suksa.interfaces.api.base import SuksaAPIView, SuksaListView, validate_bilingual
from suksa.interfaces.api.errors import ErrorSerializer, problems_body
from suksa.interfaces.api.serializers.common import BeDisplayField

TAGS = ["monitoring"]


def _name(th: str, en: str) -> str:
    return en if current_language() == "en" and en else th


# --- serializers -----------------------------------------------------------------------------------


class EsaReportSerializer(serializers.ModelSerializer):
    """A report in a list: its round, ESA, status and version."""

    round_key = serializers.CharField(source="round.key", read_only=True, help_text='e.g. "2569/m12"')
    round_name = serializers.SerializerMethodField()
    esa_code = serializers.CharField(source="esa.code", read_only=True)
    esa_name = serializers.SerializerMethodField()
    status = serializers.CharField(
        read_only=True, help_text="draft | submitted | in_review | returned | approved | locked"
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    due_on = serializers.DateField(source="round.due_on", read_only=True)
    due_on_display = BeDisplayField(source="round.due_on")
    locks_on = serializers.DateField(source="round.locks_on", read_only=True)
    locks_on_display = BeDisplayField(source="round.locks_on")
    submitted_at_display = BeDisplayField(source="submitted_at")

    class Meta:
        model = Report
        fields = [
            "id", "round_id", "round_key", "round_name", "esa_code", "esa_name", "status", "status_label",
            "lock_version", "due_on", "due_on_display", "locks_on", "locks_on_display", "submitted_at",
            "submitted_at_display", "updated_at", "fields_asked", "fields_prefilled",
        ]  # fmt: skip
        read_only_fields = fields

    def get_round_name(self, obj: Report) -> str:
        return _name(obj.round.name_th, obj.round.name_en)

    def get_esa_name(self, obj: Report) -> str:
        return _name(obj.esa.name_th, obj.esa.name_en)


class ValueSourceSerializer(serializers.Serializer):
    """Where a pre-filled value comes from (empty for a reported value)."""

    producer = serializers.CharField(allow_null=True)
    run_id = serializers.IntegerField(allow_null=True)
    value_id = serializers.IntegerField(
        allow_null=True, help_text="The platform's stored value (core.IndicatorValue)."
    )
    computed_at = serializers.DateTimeField(allow_null=True)
    computed_at_display = serializers.CharField(allow_null=True)
    missing = serializers.BooleanField(
        help_text="The platform holds no value for the ESA and period: no data."
    )


class EsaReportValueSerializer(serializers.Serializer):
    """One indicator's value in the report, with its unit, range and provenance."""

    id = serializers.IntegerField()
    indicator_code = serializers.CharField()
    indicator_name = serializers.CharField()
    standard = serializers.CharField(allow_null=True)
    unit = serializers.CharField()
    value_type = serializers.CharField(help_text="decimal | integer")
    min_value = serializers.FloatField(allow_null=True)
    max_value = serializers.FloatField(allow_null=True)
    origin = serializers.CharField(help_text="prefilled (read-only) | reported (asked of the ESA)")
    required = serializers.BooleanField()  # type: ignore[assignment]  # documents the body only
    value = serializers.FloatField(allow_null=True, help_text="In the catalogue unit (a percent is 0–100).")
    comment = serializers.CharField(allow_blank=True)
    period = serializers.CharField(allow_blank=True)
    source = ValueSourceSerializer(allow_null=True)  # type: ignore[assignment]  # documents the body only
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.CharField(allow_blank=True)
    open_problem_id = serializers.IntegerField(allow_null=True)


class EsaNarrativeSerializer(serializers.Serializer):
    """One narrative section of the report: its guidance and the ESA's Thai text."""

    section_code = serializers.CharField()
    standard = serializers.CharField()
    title = serializers.CharField()
    guidance = serializers.CharField(allow_blank=True)
    required = serializers.BooleanField()  # type: ignore[assignment]  # documents the body only
    min_chars = serializers.IntegerField()
    text = serializers.CharField(allow_blank=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.CharField(allow_blank=True)


class DataProblemSerializer(serializers.ModelSerializer):
    """A data problem an ESA raised on a pre-filled value, and how the bureau closed it."""

    report_id = serializers.IntegerField(read_only=True)
    esa_code = serializers.CharField(source="report.esa.code", read_only=True)
    round_key = serializers.CharField(source="report.round.key", read_only=True)
    value_id = serializers.IntegerField(read_only=True)
    indicator_code = serializers.CharField(source="value.indicator.code", read_only=True)
    value = serializers.FloatField(source="value.value", read_only=True, allow_null=True)
    period = serializers.CharField(source="value.period", read_only=True)
    status = serializers.CharField(read_only=True, help_text="open | resolved | rejected")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    raised_at_display = BeDisplayField(source="raised_at")
    resolved_at_display = BeDisplayField(source="resolved_at")

    class Meta:
        model = DataProblem
        fields = [
            "id", "report_id", "esa_code", "round_key", "value_id", "indicator_code", "value", "period",
            "description", "status", "status_label", "raised_by", "raised_at", "raised_at_display",
            "resolution", "resolved_by", "resolved_at", "resolved_at_display",
        ]  # fmt: skip
        read_only_fields = fields


class AmendmentItemSerializer(serializers.Serializer):
    target_kind = serializers.CharField()
    target_id = serializers.IntegerField()
    field = serializers.CharField()
    old_value = serializers.CharField(allow_blank=True)
    new_value = serializers.CharField(allow_blank=True)
    reason = serializers.CharField()
    amended_by = serializers.CharField()
    amended_at = serializers.DateTimeField()


class EsaReportDetailSerializer(EsaReportSerializer):
    """A report with everything in it; ``editable`` says whether the caller may fill it now."""

    editable = serializers.BooleanField(read_only=True, help_text="The caller may save values and texts now.")
    returned_reason = serializers.CharField(read_only=True)
    values = EsaReportValueSerializer(many=True, read_only=True)
    narratives = EsaNarrativeSerializer(many=True, read_only=True)
    problems = DataProblemSerializer(many=True, read_only=True)
    amendments = AmendmentItemSerializer(many=True, read_only=True)

    class Meta(EsaReportSerializer.Meta):
        fields = [*EsaReportSerializer.Meta.fields, "editable", "returned_reason", "values", "narratives",
                  "problems", "amendments"]  # fmt: skip
        read_only_fields = fields


class EsaReportQuerySerializer(serializers.Serializer):
    round = serializers.IntegerField(required=False, min_value=1, help_text="Round id.")
    status = serializers.CharField(
        required=False, help_text="draft | submitted | in_review | returned | approved | locked"
    )
    esa = serializers.CharField(required=False, max_length=20, help_text="ESA code.")

    def validate_status(self, value: str) -> str:
        if value not in ReportStatus.values:
            raise serializers.ValidationError("draft, submitted, in_review, returned, approved, locked")
        return value


class EsaValueSaveSerializer(serializers.Serializer):
    raw = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=200, trim_whitespace=False,
        help_text='The value as typed, e.g. "12.5", "1,234", "85%"; "" clears it; absent leaves it.',
    )  # fmt: skip
    comment = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=svc.COMMENT_MAX * 2, trim_whitespace=False,
        help_text="Absent leaves the comment as it is.",
    )  # fmt: skip
    lock_version = serializers.IntegerField(min_value=0, help_text="The report's version the client read.")


class EsaValueSavedSerializer(serializers.Serializer):
    value = EsaReportValueSerializer()
    lock_version = serializers.IntegerField(help_text="The report's new version.")


class EsaNarrativeSaveSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=svc.NARRATIVE_MAX * 2, trim_whitespace=False)
    lock_version = serializers.IntegerField(min_value=0)


class EsaNarrativeSavedSerializer(serializers.Serializer):
    narrative = EsaNarrativeSerializer()
    lock_version = serializers.IntegerField()


class EsaHeartbeatSerializer(serializers.Serializer):
    seconds = serializers.IntegerField(
        min_value=-86400,
        max_value=86400,
        help_text="Seconds of editing since the last heartbeat (0–120 counted).",
    )


class EsaEditTimeSerializer(serializers.Serializer):
    day = serializers.DateField()
    seconds = serializers.IntegerField(help_text="The caller's editing time on the report today.")
    saves = serializers.IntegerField()


class DataProblemNewSerializer(serializers.Serializer):
    value_id = serializers.IntegerField(min_value=1)
    description = serializers.CharField(max_length=svc.PROBLEM_MAX * 2, trim_whitespace=False)


class DataProblemResolveSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="resolved | rejected")
    resolution = serializers.CharField(allow_blank=True, max_length=svc.RESOLUTION_MAX * 2)


class DataProblemQuerySerializer(serializers.Serializer):
    status = serializers.CharField(required=False, help_text="open | resolved | rejected")
    round = serializers.IntegerField(required=False, min_value=1)
    report = serializers.IntegerField(required=False, min_value=1)

    def validate_status(self, value: str) -> str:
        if value not in ProblemStatus.values:
            raise serializers.ValidationError("open, resolved, rejected")
        return value


class EsaWorkbookUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The filled template (.xlsx, at most 5 MB).")


class EsaWorkbookResultSerializer(serializers.Serializer):
    file = serializers.CharField()
    values_changed = serializers.IntegerField()
    comments_changed = serializers.IntegerField()
    narratives_changed = serializers.IntegerField()
    lock_version = serializers.IntegerField()
    changed_codes = serializers.ListField(child=serializers.CharField())


class EsaConflictSerializer(ErrorSerializer):
    """409: someone saved the report after the client read it; nothing was written."""

    current = serializers.DictField(help_text="The current lock_version and the item's saved content.")


# --- shaping ---------------------------------------------------------------------------------------


def _value_dict(row: ValueRow, standard: str | None) -> dict[str, Any]:
    v, ind = row.value, row.indicator
    source = None
    if row.is_prefilled:
        src = row.source
        computed = row.computed_at
        source = {
            "producer": src.get("producer") or None,
            "run_id": src.get("run_id"),
            "value_id": src.get("value_id"),
            "computed_at": computed,
            "computed_at_display": _display(computed),
            "missing": bool(src.get("missing")),
        }
    problem = row.open_problem
    return {
        "id": v.pk, "indicator_code": ind.code, "indicator_name": _name(ind.name_th, ind.name_en),
        "standard": standard, "unit": ind.unit, "value_type": ind.value_type, "min_value": ind.min_value,
        "max_value": ind.max_value, "origin": v.origin, "required": row.required, "value": v.value,
        "comment": v.comment, "period": v.period, "source": source, "updated_at": v.updated_at,
        "updated_by": v.updated_by, "open_problem_id": problem.pk if problem else None,
    }  # fmt: skip


def _display(value: Any) -> str | None:
    from suksa.interfaces.api.serializers.common import be_display

    return be_display(value)


def _section_dict(sec: SectionRow) -> dict[str, Any]:
    s, e = sec.section, sec.entry
    return {
        "section_code": s.code, "standard": s.standard.code, "title": _name(s.title_th, s.title_en),
        "guidance": _name(s.guidance_th, s.guidance_en), "required": s.required, "min_chars": s.min_chars,
        "text": sec.text, "updated_at": e.updated_at if e else None, "updated_by": e.updated_by if e else "",
    }  # fmt: skip


def _detail(view: SuksaAPIView, report: Report) -> dict[str, Any]:
    data = editor_data(report)
    values = [_value_dict(v, g.standard.code if g.standard else None) for g in data.groups for v in g.values]
    narratives = [_section_dict(s) for s in data.sections]
    for p in data.problems:
        p.report = report  # already loaded: no query per problem
    body = dict(EsaReportSerializer(report, context=view.get_serializer_context()).data)
    body.update(
        {
            "editable": may_edit(view.actor, report, today()),
            "returned_reason": report.returned_reason,
            "values": values,
            "narratives": narratives,
            "problems": DataProblemSerializer(data.problems, many=True).data,
            "amendments": [
                {
                    "target_kind": a.target_kind,
                    "target_id": a.target_id,
                    "field": a.field,
                    "old_value": a.old_value,
                    "new_value": a.new_value,
                    "reason": a.reason,
                    "amended_by": a.amended_by.username,
                    "amended_at": a.amended_at,
                }
                for a in data.amendments
            ],
        }
    )
    return body


def _value_of(report: Report, code: str) -> dict[str, Any] | None:
    data = editor_data(report)
    for g in data.groups:
        for v in g.values:
            if v.code == code:
                return _value_dict(v, g.standard.code if g.standard else None)
    return None


def _conflict(error: Conflict, current: dict[str, Any]) -> Response:
    body = problems_body(error.problems)
    body["current"] = {"lock_version": error.current, **current}
    return Response(body, status=409)


def _fresh(actor: Any, report_id: int) -> Report:
    return report_get(actor, report_id)


# --- views -----------------------------------------------------------------------------------------


def _may_list(actor: Any) -> bool:
    return any(actor.can_anywhere(p) for p in (Perm.REPORT_VIEW, Perm.REPORT_REVIEW, Perm.MONITORING_MANAGE))


class EsaReportListView(SuksaListView):
    """The reports the caller sees (own ESA, region, all, or assigned for review), newest round first."""

    serializer_class = EsaReportSerializer
    filter_serializer_class = EsaReportQuerySerializer

    @extend_schema(
        operation_id="monitoring_reports_list", tags=TAGS, summary="ESA reports in scope",
        parameters=[EsaReportQuerySerializer],
    )  # fmt: skip
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not _may_list(self.actor):
            raise PermissionDenied.default()
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        f = self.filters
        return reports_list(
            self.actor, round_id=f.get("round"), status=f.get("status"), esa_code=f.get("esa")
        )


class EsaReportDetailView(SuksaAPIView):
    """One report: values with their provenance, narratives, data problems, amendments, lock_version."""

    serializer_class = EsaReportDetailSerializer

    @extend_schema(operation_id="monitoring_report_retrieve", tags=TAGS, summary="One ESA report")
    def get(self, request: Request, report_id: int) -> Response:
        return Response(_detail(self, report_get(self.actor, report_id)))


class EsaReportValueView(SuksaAPIView):
    """Save a reported value and/or the comment of a value (a pre-filled value refuses ``raw``)."""

    serializer_class = EsaValueSavedSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def _save(self, request: Request, report_id: int, indicator_code: str) -> Response:
        report = report_get(self.actor, report_id)
        data = validate_bilingual(EsaValueSaveSerializer, request.data)
        try:
            _row, version = svc.value_save(
                actor=self.actor, report_id=report.pk, indicator_code=indicator_code[:60],
                raw=data.get("raw"), comment=data.get("comment"), expected_version=data["lock_version"],
            )  # fmt: skip
        except Conflict as error:
            return _conflict(error, {"value": _value_of(_fresh(self.actor, report_id), indicator_code)})
        fresh = _fresh(self.actor, report_id)
        return Response({"value": _value_of(fresh, indicator_code), "lock_version": version})

    @extend_schema(
        operation_id="monitoring_report_value_put", tags=TAGS, summary="Save a value (report.edit)",
        request=EsaValueSaveSerializer, responses={200: EsaValueSavedSerializer, 409: EsaConflictSerializer},
    )  # fmt: skip
    def put(self, request: Request, report_id: int, indicator_code: str) -> Response:
        return self._save(request, report_id, indicator_code)

    @extend_schema(
        operation_id="monitoring_report_value_patch", tags=TAGS, summary="Save a value (report.edit)",
        request=EsaValueSaveSerializer, responses={200: EsaValueSavedSerializer, 409: EsaConflictSerializer},
    )  # fmt: skip
    def patch(self, request: Request, report_id: int, indicator_code: str) -> Response:
        return self._save(request, report_id, indicator_code)


class EsaReportNarrativeView(SuksaAPIView):
    """Save the Thai text of one narrative section (at most 20,000 characters)."""

    serializer_class = EsaNarrativeSavedSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def _save(self, request: Request, report_id: int, section_code: str) -> Response:
        report = report_get(self.actor, report_id)
        data = validate_bilingual(EsaNarrativeSaveSerializer, request.data)
        try:
            _entry, version = svc.narrative_save(
                actor=self.actor, report_id=report.pk, section_code=section_code[:20], text=data["text"],
                expected_version=data["lock_version"],
            )  # fmt: skip
        except Conflict as error:
            entry = NarrativeEntry.objects.filter(report=report, section__code=section_code).first()
            return _conflict(error, {"text": entry.text if entry else ""})
        sec = editor_data(_fresh(self.actor, report_id)).section(section_code)
        assert sec is not None
        return Response({"narrative": _section_dict(sec), "lock_version": version})

    @extend_schema(
        operation_id="monitoring_report_narrative_put", tags=TAGS, summary="Save a narrative (report.edit)",
        request=EsaNarrativeSaveSerializer,
        responses={200: EsaNarrativeSavedSerializer, 409: EsaConflictSerializer},
    )  # fmt: skip
    def put(self, request: Request, report_id: int, section_code: str) -> Response:
        return self._save(request, report_id, section_code)

    @extend_schema(
        operation_id="monitoring_report_narrative_patch", tags=TAGS, summary="Save a narrative (report.edit)",
        request=EsaNarrativeSaveSerializer,
        responses={200: EsaNarrativeSavedSerializer, 409: EsaConflictSerializer},
    )  # fmt: skip
    def patch(self, request: Request, report_id: int, section_code: str) -> Response:
        return self._save(request, report_id, section_code)


class EsaReportHeartbeatView(SuksaAPIView):
    """The editor's heartbeat: adds the seconds spent editing (0–120 per call) to the caller's day."""

    serializer_class = EsaEditTimeSerializer

    @extend_schema(
        operation_id="monitoring_report_heartbeat", tags=TAGS, summary="Record editing time (report.edit)",
        request=EsaHeartbeatSerializer,
    )  # fmt: skip
    def post(self, request: Request, report_id: int) -> Response:
        report_get(self.actor, report_id)  # 404 before reading the body
        data = validate_bilingual(EsaHeartbeatSerializer, request.data)
        row = svc.report_touch(actor=self.actor, report_id=report_id, seconds=data["seconds"])
        if row is None:
            return Response({"day": timezone.localdate(), "seconds": 0, "saves": 0})
        return Response({"day": row.day, "seconds": row.seconds, "saves": row.saves})


class EsaReportProblemsView(SuksaAPIView):
    """The report's data problems; POST reports a problem with a pre-filled value (report.edit)."""

    serializer_class = DataProblemSerializer
    pagination_class = None  # a report has a handful of problems: one plain list

    @extend_schema(
        operation_id="monitoring_report_problems_list", tags=TAGS, summary="A report's data problems",
        responses=DataProblemSerializer(many=True),
    )  # fmt: skip
    def get(self, request: Request, report_id: int) -> Response:
        report = report_get(self.actor, report_id)
        problems = DataProblem.objects.filter(report=report).select_related(
            "report__round__framework", "report__esa", "value__indicator"
        )
        return Response(DataProblemSerializer(problems.order_by("-raised_at", "-pk"), many=True).data)

    @extend_schema(
        operation_id="monitoring_report_problems_create", tags=TAGS,
        summary="Report a problem with a pre-filled value (report.edit)",
        request=DataProblemNewSerializer, responses={201: DataProblemSerializer},
    )  # fmt: skip
    def post(self, request: Request, report_id: int) -> Response:
        report = report_get(self.actor, report_id)
        data = validate_bilingual(DataProblemNewSerializer, request.data)
        problem = svc.problem_raise(
            actor=self.actor, report_id=report.pk, value_id=data["value_id"], description=data["description"]
        )
        return Response(DataProblemSerializer(problem_get(self.actor, problem.pk)).data, status=201)


class DataProblemListView(SuksaListView):
    """Data problems of the reports the caller sees (the bureau: all; an ESA: its own)."""

    serializer_class = DataProblemSerializer
    filter_serializer_class = DataProblemQuerySerializer

    @extend_schema(
        operation_id="monitoring_problems_list", tags=TAGS, summary="Data problems in scope",
        parameters=[DataProblemQuerySerializer],
    )  # fmt: skip
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not _may_list(self.actor):
            raise PermissionDenied.default()
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        f = self.filters
        return problems_list(
            self.actor, status=f.get("status"), round_id=f.get("round"), report_id=f.get("report")
        )


class DataProblemResolveView(SuksaAPIView):
    """The bureau closes a data problem: resolved (the source was corrected) or rejected, with a note."""

    serializer_class = DataProblemSerializer

    @extend_schema(
        operation_id="monitoring_problem_resolve", tags=TAGS, summary="Resolve a data problem (monitoring.manage)",
        request=DataProblemResolveSerializer,
    )  # fmt: skip
    def post(self, request: Request, problem_id: int) -> Response:
        problem_get(self.actor, problem_id)  # 404 before reading the body
        data = validate_bilingual(DataProblemResolveSerializer, request.data)
        svc.problem_resolve(
            actor=self.actor, problem_id=problem_id, status=data["status"], resolution=data["resolution"]
        )
        return Response(DataProblemSerializer(problem_get(self.actor, problem_id)).data)


class EsaReportWorkbookView(SuksaAPIView):
    """The report as an Excel template for offline filling (audited as an export)."""

    @extend_schema(
        operation_id="monitoring_report_workbook", tags=TAGS, summary="Download the Excel template",
        responses={(200, wb.XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY)},
    )  # fmt: skip
    def get(self, request: Request, report_id: int) -> HttpResponse:
        data, name = wb.workbook_export(actor=self.actor, report_id=report_id)
        response = HttpResponse(data, content_type=wb.XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class EsaReportWorkbookImportView(SuksaAPIView):
    """Import the filled template: all or nothing, row-level errors (sheet!column, row) on 400; 409
    when the report was saved after the template was downloaded."""

    serializer_class = EsaWorkbookResultSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="monitoring_report_workbook_import", tags=TAGS,
        summary="Import the filled Excel template (report.edit)",
        request={"multipart/form-data": EsaWorkbookUploadSerializer},
        responses={200: EsaWorkbookResultSerializer, 409: ErrorSerializer},
    )  # fmt: skip
    def post(self, request: Request, report_id: int) -> Response:
        report = report_get(self.actor, report_id)
        if not self.actor.can(Perm.REPORT_EDIT, report.esa.path):
            raise PermissionDenied.default()
        data = validate_bilingual(EsaWorkbookUploadSerializer, request.data)
        upload = data["file"]
        name = str(upload.name or "report.xlsx")
        if (upload.size or 0) > wb.MAX_BYTES:
            raise InvalidInput.single(
                "file_too_large",
                f"ไฟล์ใหญ่เกิน {wb.MAX_BYTES // (1024 * 1024)} MB",
                f"The file is larger than {wb.MAX_BYTES // (1024 * 1024)} MB",
                file=name,
            )
        result = wb.workbook_import(actor=self.actor, report_id=report.pk, data=upload.read(), filename=name)
        return Response(result.as_dict())


_R = "monitoring/reports/<int:report_id>"
urlpatterns: list[URLPattern] = [
    path("monitoring/reports/", EsaReportListView.as_view(), name="monitoring-reports"),
    path(f"{_R}/", EsaReportDetailView.as_view(), name="monitoring-report-detail"),
    path(f"{_R}/values/<str:indicator_code>/", EsaReportValueView.as_view(), name="monitoring-report-value"),
    path(
        f"{_R}/narratives/<str:section_code>/",
        EsaReportNarrativeView.as_view(),
        name="monitoring-report-narrative",
    ),
    path(f"{_R}/heartbeat/", EsaReportHeartbeatView.as_view(), name="monitoring-report-heartbeat"),
    path(f"{_R}/problems/", EsaReportProblemsView.as_view(), name="monitoring-report-problems"),
    path(f"{_R}/workbook/", EsaReportWorkbookView.as_view(), name="monitoring-report-workbook"),
    path(
        f"{_R}/workbook/import/",
        EsaReportWorkbookImportView.as_view(),
        name="monitoring-report-workbook-import",
    ),
    path("monitoring/problems/", DataProblemListView.as_view(), name="monitoring-problems"),
    path(
        "monitoring/problems/<int:problem_id>/resolve/",
        DataProblemResolveView.as_view(),
        name="monitoring-problem-resolve",
    ),
]
