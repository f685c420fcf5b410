"""Bulk imports through the API: org units (regions, ESAs, schools) and user accounts.

Each endpoint takes a multipart upload and returns the import report, whether or not anything
was written (``committed``); the report lists every bad row with its place and reason.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.orgimport import orgunits_import
from suksa.core.policy import Perm
from suksa.domains.accounts.services import users_import
from suksa.interfaces.api.base import SuksaAPIView, validate_bilingual
from suksa.interfaces.api.serializers.imports import ImportReportSerializer, ImportUploadSerializer


class _ImportView(SuksaAPIView):
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ImportReportSerializer

    def _upload(self, request: Request) -> tuple[object, str, bool]:
        data = validate_bilingual(ImportUploadSerializer, request.data)
        upload = data["file"]
        return upload, str(upload.name or "upload"), bool(data["keep_valid"])


class OrgUnitImportView(_ImportView):
    required_perm = Perm.ORG_MANAGE

    @extend_schema(
        operation_id="org_units_import",
        tags=["org"],
        summary="Create or update regions, ESAs and schools from a CSV/XLSX file (org.manage)",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={200: ImportReportSerializer},
    )
    def post(self, request: Request) -> Response:
        upload, name, keep_valid = self._upload(request)
        report = orgunits_import(actor=self.actor, file=upload, filename=name, keep_valid=keep_valid)  # type: ignore[arg-type]
        return Response(report.as_dict())


class UserImportView(_ImportView):
    required_perm = Perm.USER_MANAGE

    @extend_schema(
        operation_id="users_import",
        tags=["users"],
        summary="Create user accounts with their roles from a CSV/XLSX file (user.manage)",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={200: ImportReportSerializer},
    )
    def post(self, request: Request) -> Response:
        upload, name, keep_valid = self._upload(request)
        report = users_import(actor=self.actor, file=upload, filename=name, keep_valid=keep_valid)  # type: ignore[arg-type]
        return Response(report.as_dict())


urlpatterns = [
    path("org-units/import/", OrgUnitImportView.as_view(), name="org-unit-import"),
    path("users/import/", UserImportView.as_view(), name="user-import"),
]
