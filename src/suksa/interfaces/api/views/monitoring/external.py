"""External indicator values over REST: the catalogue's datasets, and a file import of one dataset.

``POST monitoring/external-values/import/`` takes a multipart upload (``dataset``, ``file``,
``keep_valid``) and returns the import report whether or not anything was written (``committed``),
with every bad row's file, row, column and reason in Thai and English. National M&E officers and
national operators who recompute stored values (``indicator.compute``) may import.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.errors import PermissionDenied
from suksa.domains.monitoring.selectors import can_read_reference
from suksa.domains.monitoring.services import external as svc
from suksa.interfaces.api.base import SuksaAPIView, validate_bilingual
from suksa.interfaces.api.serializers.imports import ImportReportSerializer

TAGS = ["monitoring-catalogue"]


class DatasetSerializer(serializers.Serializer):
    code = serializers.CharField()
    label_th = serializers.CharField()
    label_en = serializers.CharField()
    indicators = serializers.ListField(child=serializers.CharField())
    periods = serializers.DictField(child=serializers.CharField(), help_text="indicator code → period kind")
    scales = serializers.DictField(
        child=serializers.FloatField(), help_text="indicator code → stored = value / scale"
    )


class ExternalUploadSerializer(serializers.Serializer):
    dataset = serializers.CharField(help_text="A dataset of the catalogue, e.g. niets_onet")
    file = serializers.FileField(help_text="A .csv (UTF-8 or TIS-620) or .xlsx file; the header is row 1.")
    keep_valid = serializers.BooleanField(
        default=False,
        help_text="Write the valid rows even when some rows have problems (default: all or nothing).",
    )


class ExternalReportSerializer(ImportReportSerializer):
    dataset = serializers.CharField()
    sha256 = serializers.CharField()
    run_id = serializers.IntegerField(allow_null=True)
    periods = serializers.ListField(child=serializers.CharField())


class DatasetListView(SuksaAPIView):
    """The datasets values can be imported for, with their indicators (from the current catalogue)."""

    serializer_class = DatasetSerializer
    pagination_class = None

    @extend_schema(
        operation_id="monitoring_external_datasets", tags=TAGS, summary="Importable datasets",
        responses=DatasetSerializer(many=True),
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        if not can_read_reference(self.actor):
            raise PermissionDenied.default()
        body = [
            {
                "code": d.code,
                "label_th": d.label_th,
                "label_en": d.label_en,
                "indicators": [i.code for i in d.indicators],
                "periods": {i.code: str(i.source.get("period", "")) for i in d.indicators},
                "scales": {i.code: float(i.source.get("scale", 1) or 1) for i in d.indicators},
            }
            for d in svc.datasets()
        ]
        return Response(DatasetSerializer(body, many=True).data)


class ExternalImportView(SuksaAPIView):
    """Import one dataset's values from a CSV/XLSX file (see the module docstring)."""

    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ExternalReportSerializer

    @extend_schema(
        operation_id="monitoring_external_values_import", tags=TAGS,
        summary="Import external indicator values (monitoring.manage or national indicator.compute)",
        request={"multipart/form-data": ExternalUploadSerializer}, responses={200: ExternalReportSerializer},
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        if not svc.may_import(self.actor):
            raise PermissionDenied.default()
        data = validate_bilingual(ExternalUploadSerializer, request.data)
        upload = data["file"]
        report = svc.external_values_import(
            actor=self.actor,
            dataset=data["dataset"],
            file=upload,
            filename=str(upload.name or "upload.csv"),
            keep_valid=data["keep_valid"],
        )
        return Response(report.as_dict())


urlpatterns = [
    path(
        "monitoring/external-values/datasets/", DatasetListView.as_view(), name="monitoring-external-datasets"
    ),
    path(
        "monitoring/external-values/import/", ExternalImportView.as_view(), name="monitoring-external-import"
    ),
]
