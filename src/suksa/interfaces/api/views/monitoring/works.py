"""Monitoring (e-MES) API: a report's ranked top-5 outstanding works, its evidence files, and the
reviewers' verification of each work.

Whoever sees the report reads its works and evidence; ESA staff (``report.edit``) change them while
the report is a draft or returned. Every write names the ``lock_version`` the client read and
answers with the new one; a stale version is refused with 409 and nothing written. Deletions take
``lock_version`` in the query string. Downloads re-verify the file's SHA-256 (409 when it changed on
disk) and are sent as attachments with ``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.urls import URLPattern, path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.errors import InvalidInput
from suksa.domains.monitoring import selectors_works as sel
from suksa.domains.monitoring.models import EvidenceFile, OutstandingWork, Report
from suksa.domains.monitoring.selectors import report_for_edit, report_get
from suksa.domains.monitoring.services import evidence as evidence_svc
from suksa.domains.monitoring.services import works as works_svc
from suksa.domains.monitoring.services.locking import today
from suksa.interfaces.api.base import SuksaAPIView, validate_bilingual
from suksa.interfaces.api.errors import ErrorSerializer
from suksa.interfaces.api.serializers.common import BeDisplayField

TAGS = ["monitoring"]


# --- serializers ---------------------------------------------------------------------------------


class EvidenceSerializer(serializers.ModelSerializer):
    """An evidence file's record (the bytes are downloaded from ``download_url``)."""

    name = serializers.CharField(source="original_name", read_only=True)
    work_id = serializers.IntegerField(read_only=True, allow_null=True)
    section_code = serializers.CharField(source="section.code", read_only=True, allow_null=True, default=None)
    uploaded_at_display = BeDisplayField(source="uploaded_at")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceFile
        fields = [
            "id", "name", "content_type", "size", "sha256", "work_id", "section_code",
            "uploaded_by", "uploaded_at", "uploaded_at_display", "download_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_download_url(self, obj: EvidenceFile) -> str:
        return reverse("api:monitoring-report-evidence-detail", args=[obj.report_id, obj.pk])


class WorkSerializer(serializers.ModelSerializer):
    """One nominated work, its verification by the bureau, and its evidence files."""

    standard_code = serializers.CharField(
        source="standard.code", read_only=True, allow_null=True, default=None
    )
    indicator_codes = serializers.ListField(child=serializers.CharField(), read_only=True)
    verification = serializers.CharField(
        read_only=True, help_text="pending | verified | partly | not_verified"
    )
    verification_label = serializers.CharField(source="get_verification_display", read_only=True)
    verified_by = serializers.CharField(
        source="verified_by.username", read_only=True, allow_null=True, default=None
    )
    verified_at_display = BeDisplayField(source="verified_at")
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = OutstandingWork
        fields = [
            "id", "rank", "title", "description", "practices", "results_claimed", "standard_code",
            "indicator_codes", "verification", "verification_label", "verification_note", "verified_by",
            "verified_at", "verified_at_display", "updated_at", "evidence",
        ]  # fmt: skip
        read_only_fields = fields


class WorkListSerializer(serializers.Serializer):
    report_id = serializers.IntegerField()
    lock_version = serializers.IntegerField(help_text="Send it back with every write.")
    editable = serializers.BooleanField(help_text="Whether the caller may change the works now.")
    max_works = serializers.IntegerField()
    results = WorkSerializer(many=True)


class WorkResultSerializer(serializers.Serializer):
    work = WorkSerializer()
    lock_version = serializers.IntegerField()


class EvidenceListSerializer(serializers.Serializer):
    report_id = serializers.IntegerField()
    lock_version = serializers.IntegerField()
    editable = serializers.BooleanField()
    max_bytes = serializers.IntegerField()
    accepted_extensions = serializers.ListField(child=serializers.CharField())
    results = EvidenceSerializer(many=True)


class EvidenceResultSerializer(serializers.Serializer):
    evidence = EvidenceSerializer()
    lock_version = serializers.IntegerField()


class VersionSerializer(serializers.Serializer):
    lock_version = serializers.IntegerField()


class WorkInputSerializer(serializers.Serializer):
    """A work's fields; the service checks them (title ≤ 255 characters, description required,
    indicator codes of the current catalogue) and answers every problem at once."""

    title = serializers.CharField(allow_blank=True, trim_whitespace=False)
    description = serializers.CharField(allow_blank=True, trim_whitespace=False)
    practices = serializers.CharField(allow_blank=True, required=False, default="")
    results_claimed = serializers.CharField(allow_blank=True, required=False, default="")
    standard_code = serializers.CharField(allow_blank=True, allow_null=True, required=False, default=None)
    indicator_codes = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    lock_version = serializers.IntegerField(min_value=0, help_text="The report's version the client read.")


class ReorderSerializer(serializers.Serializer):
    ordered_ids = serializers.ListField(
        child=serializers.IntegerField(),
        allow_empty=True,
        help_text="Every work id of the report, best first.",
    )
    lock_version = serializers.IntegerField(min_value=0)


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,
        help_text="PDF, JPEG, PNG, WebP, .docx, .xlsx or .pptx; the type is read from the content.",
    )
    work_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    section_code = serializers.CharField(required=False, allow_blank=True, default="")
    lock_version = serializers.IntegerField(min_value=0)


class VersionQuerySerializer(serializers.Serializer):
    lock_version = serializers.IntegerField(min_value=0)


class VerifySerializer(serializers.Serializer):
    verification = serializers.ChoiceField(choices=[(c.value, c.label) for c in works_svc.VERIFY_CHOICES])
    note = serializers.CharField(allow_blank=True, required=False, default="")


STALE = OpenApiResponse(
    ErrorSerializer,
    description="Someone saved the report since the client read it (stale lock_version); nothing written "
    "/ มีผู้อื่นบันทึกรายงานก่อน ไม่มีการบันทึก",
)
LOCK_VERSION_PARAM = OpenApiParameter(
    "lock_version",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    required=True,
    description="The report's version",
)


# --- helpers -------------------------------------------------------------------------------------


def _works_body(view: SuksaAPIView, report: Report) -> dict[str, Any]:
    works = sel.works_of_report(view.actor, report)
    return {
        "report_id": report.pk,
        "lock_version": report.lock_version,
        "editable": sel.is_editable_by(view.actor, report, today()),
        "max_works": works_svc.MAX_WORKS,
        "results": WorkSerializer(works, many=True, context=view.get_serializer_context()).data,
    }


def _work_body(view: SuksaAPIView, report_id: int, work_id: int, version: int) -> dict[str, Any]:
    report = report_get(view.actor, report_id)
    work = sel.works_of_report(view.actor, report).get(pk=work_id)
    return {"work": WorkSerializer(work, context=view.get_serializer_context()).data, "lock_version": version}


def _version_from(request: Request) -> int:
    source = request.query_params if "lock_version" in request.query_params else request.data
    return int(validate_bilingual(VersionQuerySerializer, source)["lock_version"])


# --- works ---------------------------------------------------------------------------------------


class ReportWorksView(SuksaAPIView):
    """The report's ranked outstanding works; POST nominates one more (at most five)."""

    serializer_class = WorkListSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        operation_id="monitoring_report_works_list", tags=TAGS, summary="A report's outstanding works"
    )
    def get(self, request: Request, report_id: int) -> Response:
        return Response(_works_body(self, report_get(self.actor, report_id)))

    @extend_schema(
        operation_id="monitoring_report_works_create",
        tags=TAGS,
        summary="Nominate an outstanding work (ESA staff; it takes the next rank)",
        request=WorkInputSerializer,
        responses={201: WorkResultSerializer, 409: STALE},
    )
    def post(self, request: Request, report_id: int) -> Response:
        report_for_edit(self.actor, report_id)
        data = validate_bilingual(WorkInputSerializer, request.data)
        version = data.pop("lock_version")
        work, new_version = works_svc.work_save(
            actor=self.actor, report_id=report_id, work_id=None, expected_version=version, **data
        )
        return Response(_work_body(self, report_id, work.pk, new_version), status=201)


class ReportWorkView(SuksaAPIView):
    """Change (PATCH, only the fields sent) or remove (DELETE) one work of the report."""

    serializer_class = WorkResultSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        operation_id="monitoring_report_work_update",
        tags=TAGS,
        summary="Change a work (ESA staff)",
        request=WorkInputSerializer,
        responses={200: WorkResultSerializer, 409: STALE},
    )
    def patch(self, request: Request, report_id: int, work_id: int) -> Response:
        report_for_edit(self.actor, report_id)
        work = sel.work_get(self.actor, report_id, work_id)
        data = validate_bilingual(WorkInputSerializer, request.data, partial=True)
        if "lock_version" not in data:
            raise InvalidInput.single(
                "required", "กรุณาระบุ lock_version ของรายงาน", "lock_version is required", field="lock_version"
            )
        version = data.pop("lock_version")
        current: dict[str, Any] = {
            "title": work.title,
            "description": work.description,
            "practices": work.practices,
            "results_claimed": work.results_claimed,
            "standard_code": work.standard.code if work.standard else None,
            "indicator_codes": list(work.indicator_codes or []),
        }
        current.update({k: v for k, v in data.items() if k in current and k in request.data})
        _, new_version = works_svc.work_save(
            actor=self.actor, report_id=report_id, work_id=work.pk, expected_version=version, **current
        )
        return Response(_work_body(self, report_id, work.pk, new_version))

    @extend_schema(
        operation_id="monitoring_report_work_delete",
        tags=TAGS,
        summary="Remove a work; the ones below move up (ESA staff)",
        parameters=[LOCK_VERSION_PARAM],
        request=None,
        responses={200: VersionSerializer, 409: STALE},
    )
    def delete(self, request: Request, report_id: int, work_id: int) -> Response:
        report_for_edit(self.actor, report_id)
        version = _version_from(request)
        new_version = works_svc.work_delete(
            actor=self.actor, report_id=report_id, work_id=work_id, expected_version=version
        )
        return Response({"lock_version": new_version})


class ReportWorksReorderView(SuksaAPIView):
    """Re-rank the works: ``ordered_ids`` names every work of the report once, best first."""

    serializer_class = WorkListSerializer

    @extend_schema(
        operation_id="monitoring_report_works_reorder",
        tags=TAGS,
        summary="Re-rank the works (ESA staff)",
        request=ReorderSerializer,
        responses={200: WorkListSerializer, 409: STALE},
    )
    def post(self, request: Request, report_id: int) -> Response:
        report_for_edit(self.actor, report_id)
        data = validate_bilingual(ReorderSerializer, request.data)
        works_svc.works_reorder(
            actor=self.actor,
            report_id=report_id,
            ordered_ids=data["ordered_ids"],
            expected_version=data["lock_version"],
        )
        return Response(_works_body(self, report_get(self.actor, report_id)))


class WorkVerifyView(SuksaAPIView):
    """A reviewer's verdict on a nominated work (the report assigned to them; M&E officers: any),
    while the report is submitted or in review. A note is required unless verified."""

    serializer_class = WorkSerializer

    @extend_schema(
        operation_id="monitoring_work_verify",
        tags=TAGS,
        summary="Verify an outstanding work (reviewers)",
        request=VerifySerializer,
        responses=WorkSerializer,
    )
    def post(self, request: Request, work_id: int) -> Response:
        sel.work_for_review(self.actor, work_id)
        data = validate_bilingual(VerifySerializer, request.data)
        work = works_svc.work_verify(
            actor=self.actor, work_id=work_id, verification=data["verification"], note=data["note"]
        )
        fresh = (
            OutstandingWork.objects.select_related("standard", "verified_by")
            .prefetch_related("evidence__section")
            .get(pk=work.pk)
        )
        return Response(WorkSerializer(fresh, context=self.get_serializer_context()).data)


# --- evidence ------------------------------------------------------------------------------------


class ReportEvidenceView(SuksaAPIView):
    """The report's evidence files; POST (multipart) attaches one, checked by content."""

    serializer_class = EvidenceListSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="monitoring_report_evidence_list", tags=TAGS, summary="A report's evidence files"
    )
    def get(self, request: Request, report_id: int) -> Response:
        report = report_get(self.actor, report_id)
        files = sel.evidence_of_report(self.actor, report)
        return Response(
            {
                "report_id": report.pk,
                "lock_version": report.lock_version,
                "editable": sel.is_editable_by(self.actor, report, today()),
                "max_bytes": evidence_svc.MAX_BYTES,
                "accepted_extensions": [e for k in evidence_svc.KINDS.values() for e in k.extensions],
                "results": EvidenceSerializer(files, many=True).data,
            }
        )

    @extend_schema(
        operation_id="monitoring_report_evidence_upload",
        tags=TAGS,
        summary="Attach an evidence file (ESA staff; multipart)",
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceResultSerializer, 409: STALE},
    )
    def post(self, request: Request, report_id: int) -> Response:
        report_for_edit(self.actor, report_id)
        data = validate_bilingual(EvidenceUploadSerializer, request.data)
        evidence, version = evidence_svc.evidence_upload(
            actor=self.actor,
            report_id=report_id,
            file=data["file"],
            work_id=data["work_id"],
            section_code=data["section_code"] or None,
            expected_version=data["lock_version"],
        )
        row = EvidenceFile.objects.select_related("section").get(pk=evidence.pk)
        return Response({"evidence": EvidenceSerializer(row).data, "lock_version": version}, status=201)


class ReportEvidenceDetailView(SuksaAPIView):
    """Download an evidence file (checksum re-verified) or remove it."""

    serializer_class = VersionSerializer

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # A download answers with the file's own type whatever the client accepts.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="monitoring_report_evidence_download",
        tags=TAGS,
        summary="Download an evidence file",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, with its own Content-Type, as an attachment"
            ),
            409: OpenApiResponse(
                ErrorSerializer,
                description="The stored file is missing or no longer matches its SHA-256 / ไฟล์ไม่ตรงกับค่าที่บันทึก",
            ),
        },
    )
    def get(self, request: Request, report_id: int, evidence_id: int) -> FileResponse:
        download = evidence_svc.evidence_open(actor=self.actor, report_id=report_id, evidence_id=evidence_id)
        response = FileResponse(download.handle, content_type=download.content_type)
        for header, value in evidence_svc.download_headers(download).items():
            response[header] = value
        return response

    @extend_schema(
        operation_id="monitoring_report_evidence_delete",
        tags=TAGS,
        summary="Remove an evidence file (ESA staff)",
        parameters=[LOCK_VERSION_PARAM],
        request=None,
        responses={200: VersionSerializer, 409: STALE},
    )
    def delete(self, request: Request, report_id: int, evidence_id: int) -> Response:
        report_for_edit(self.actor, report_id)
        version = _version_from(request)
        new_version = evidence_svc.evidence_delete(
            actor=self.actor, report_id=report_id, evidence_id=evidence_id, expected_version=version
        )
        return Response({"lock_version": new_version})


urlpatterns: list[URLPattern] = [
    path(
        "monitoring/reports/<int:report_id>/works/", ReportWorksView.as_view(), name="monitoring-report-works"
    ),
    path(
        "monitoring/reports/<int:report_id>/works/reorder/",
        ReportWorksReorderView.as_view(),
        name="monitoring-report-works-reorder",
    ),
    path(
        "monitoring/reports/<int:report_id>/works/<int:work_id>/",
        ReportWorkView.as_view(),
        name="monitoring-report-work",
    ),
    path(
        "monitoring/reports/<int:report_id>/evidence/",
        ReportEvidenceView.as_view(),
        name="monitoring-report-evidence",
    ),
    path(
        "monitoring/reports/<int:report_id>/evidence/<int:evidence_id>/",
        ReportEvidenceDetailView.as_view(),
        name="monitoring-report-evidence-detail",
    ),
    path("monitoring/works/<int:work_id>/verify/", WorkVerifyView.as_view(), name="monitoring-work-verify"),
]
