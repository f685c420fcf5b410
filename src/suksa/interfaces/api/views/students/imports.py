"""Learner import (as a background job), job status, and a school's register export.

``POST /students/import/`` stores the upload and answers 202 with the job id; the caller follows
``GET /jobs/<job_id>/`` until ``status`` is ``done`` or ``failed``. A job is visible only to its
requester (and system administrators over its unit). The register export streams the DMC format;
each export is audited (school, year, format and number of rows; no learner's data in the entry).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.http import FileResponse, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core import jobs
from suksa.core.dates import academic_year_be_of
from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.models import AcademicYear, OrgUnit
from suksa.core.policy import Perm
from suksa.domains.students.selectors import school_unit_for
from suksa.domains.students.services.imports import (
    register_csv_chunks,
    register_export_audit,
    register_rows,
    register_xlsx,
    students_import_submit,
)
from suksa.interfaces.api.base import SuksaAPIView, validate_bilingual
from suksa.interfaces.api.serializers.students_imports import (
    JobAcceptedSerializer,
    JobSerializer,
    RegisterQuerySerializer,
    StudentImportUploadSerializer,
)


class StudentImportView(SuksaAPIView):
    required_perm = Perm.STUDENT_EDIT
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = JobAcceptedSerializer

    @extend_schema(
        operation_id="students_import",
        tags=["students"],
        summary="Import learners from a DMC-style CSV/XLSX file as a background job (student.edit)",
        request={"multipart/form-data": StudentImportUploadSerializer},
        responses={202: JobAcceptedSerializer},
    )
    def post(self, request: Request) -> Response:
        data = validate_bilingual(StudentImportUploadSerializer, request.data)
        upload = data["file"]
        job = students_import_submit(
            actor=self.actor,
            upload=upload,
            filename=str(upload.name or "upload.csv"),
            keep_valid=data["keep_valid"],
        )
        url = reverse("api:job-detail", kwargs={"job_id": job.pk})
        return Response({"job_id": job.pk, "status": job.status, "url": url}, status=202)


class JobDetailView(SuksaAPIView):
    required_perm = None
    serializer_class = JobSerializer

    @extend_schema(
        operation_id="job_retrieve",
        tags=["jobs"],
        summary="A background job you asked for: status, progress, result",
    )
    def get(self, request: Request, job_id: int) -> Response:
        return Response(JobSerializer(jobs.job_get(self.actor, job_id)).data)


def _counted(rows: Iterator[dict[str, str]], tally: list[int]) -> Iterator[dict[str, str]]:
    for row in rows:
        tally[0] += 1
        yield row


@dataclass(frozen=True)
class _Export:
    school: OrgUnit
    year: AcademicYear
    rows: Iterator[dict[str, str]]


class _RegisterView(SuksaAPIView):
    required_perm = Perm.STUDENT_VIEW

    def _export(self, request: Request, code: str) -> _Export:
        query = validate_bilingual(RegisterQuerySerializer, request.query_params)
        school = school_unit_for(self.actor, Perm.STUDENT_VIEW, code)
        year_be = query.get("year") or academic_year_be_of(timezone.localdate())
        year = AcademicYear.objects.filter(year_be=year_be).first()
        if year is None:
            raise NotFoundOrNoAccess.default()
        return _Export(school, year, register_rows(actor=self.actor, school=school, academic_year=year))


class RegisterCsvView(_RegisterView):
    @extend_schema(
        operation_id="school_register_csv",
        tags=["students"],
        summary="A school's register (open enrolments of a year) as DMC CSV, UTF-8 with BOM (student.view)",
        parameters=[RegisterQuerySerializer],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, code: str) -> StreamingHttpResponse:
        export = self._export(request, code)
        register_export_audit(actor=self.actor, school=export.school, academic_year=export.year, fmt="csv")
        response = StreamingHttpResponse(
            register_csv_chunks(export.rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="register-{code}-{export.year.year_be}.csv"'
        return response


class RegisterXlsxView(_RegisterView):
    @extend_schema(
        operation_id="school_register_xlsx",
        tags=["students"],
        summary="A school's register (open enrolments of a year) as DMC XLSX (student.view)",
        parameters=[RegisterQuerySerializer],
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
                OpenApiTypes.BINARY
            )
        },
    )
    def get(self, request: Request, code: str) -> FileResponse:
        export = self._export(request, code)
        tally = [0]
        workbook = register_xlsx(_counted(export.rows, tally))
        register_export_audit(
            actor=self.actor, school=export.school, academic_year=export.year, fmt="xlsx", rows=tally[0]
        )
        return FileResponse(
            workbook,
            as_attachment=True,
            filename=f"register-{code}-{export.year.year_be}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


urlpatterns = [
    path("students/import/", StudentImportView.as_view(), name="student-import"),
    path("jobs/<int:job_id>/", JobDetailView.as_view(), name="job-detail"),
    path("schools/<str:code>/register.csv", RegisterCsvView.as_view(), name="school-register-csv"),
    path("schools/<str:code>/register.xlsx", RegisterXlsxView.as_view(), name="school-register-xlsx"),
]
