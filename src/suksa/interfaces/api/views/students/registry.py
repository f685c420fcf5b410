"""The student registry API: the register (list, register), a learner (read, edit), guardians,
the G-code → citizen ID replacement and sensitive data (audited reads).

Callers must hold ``student.view`` or ``room.view`` somewhere, or every method answers 403 before
any lookup. A learner outside the caller's view answers 404 exactly like an unknown id.
Registering an identifier that another school holds answers **409** with the bilingual error body,
plus ``claim`` (the duplicate claim's id and the holding school): no second record is created.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied, Problem
from suksa.core.policy import Perm
from suksa.domains.students import selectors_registry as reg
from suksa.domains.students.models import Guardian, Student
from suksa.domains.students.selectors import can_read_sensitive, school_unit_for, student_get
from suksa.domains.students.services import registry as services
from suksa.interfaces.api.base import SuksaAPIView, SuksaListView, validate_bilingual
from suksa.interfaces.api.errors import problems_body
from suksa.interfaces.api.serializers.org import OrgUnitRefSerializer
from suksa.interfaces.api.serializers.students_registry import (
    CitizenIdSerializer,
    DuplicateClaimErrorSerializer,
    GuardianInputSerializer,
    GuardianSerializer,
    SensitiveSerializer,
    StudentDetailSerializer,
    StudentFilterSerializer,
    StudentRegisterSerializer,
    StudentSerializer,
    StudentUpdateSerializer,
)

STUDENT_ID = OpenApiParameter(
    "student_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Learner id."
)
GUARDIAN = OpenApiParameter(
    "guardian",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    required=True,
    description="Guardian id (of this learner).",
)
TAGS = ["students"]


class StudentsAPIView(SuksaAPIView):
    """Registry views: the caller must see learners somewhere (``student.view`` or ``room.view``)."""

    required_perm = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not (self.actor.can_anywhere(Perm.STUDENT_VIEW) or self.actor.can_anywhere(Perm.ROOM_VIEW)):
            raise PermissionDenied.default()

    def student(self, student_id: Any) -> Student:
        return student_get(self.actor, int(student_id))


class StudentListView(SuksaListView, StudentsAPIView):
    serializer_class = StudentSerializer
    filter_serializer_class = StudentFilterSerializer

    @extend_schema(
        operation_id="students_list",
        tags=TAGS,
        summary="The register: learners the caller may see, filtered and paginated",
        parameters=[StudentFilterSerializer],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Student]:
        return reg.register_page_rows(reg.register_queryset(self.actor, self.filters))

    @extend_schema(
        operation_id="students_create",
        tags=TAGS,
        summary="Register a learner with a first enrolment (student.edit on the school)",
        description=(
            "Creates the learner and their first enrolment (entry admitted) in the current academic "
            "year. One person, one record nationally: an identifier already held at the same school "
            "is refused (400, `duplicate_identifier`); one held by another school opens a duplicate "
            "claim routed to the ESA and the holding school and answers 409 with `claim`."
        ),
        request=StudentRegisterSerializer,
        responses={201: StudentDetailSerializer, 409: DuplicateClaimErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        if not self.actor.can_anywhere(Perm.STUDENT_EDIT):
            raise PermissionDenied.default()
        data = validate_bilingual(StudentRegisterSerializer, request.data)
        code = data.pop("school")
        try:
            school = school_unit_for(self.actor, Perm.STUDENT_EDIT, code)
        except NotFoundOrNoAccess:
            raise InvalidInput.single(
                "school_unknown",
                f"ไม่พบโรงเรียนรหัส '{code}' ในขอบเขตของคุณ",
                f"No school with code '{code}' in your scope",
                field="school",
            ) from None
        result = services.student_register(actor=self.actor, school=school, data=data)
        if result.claim is not None:
            claim = result.claim
            holder = claim.holding_school
            where_th = f" ({holder.name_th} รหัส {holder.code})" if holder else ""
            where_en = f" ({holder.name_en or holder.name_th}, code {holder.code})" if holder else ""
            problem = Problem(
                code="duplicate_claimed",
                th=(
                    f"เลขประจำตัวนี้มีทะเบียนอยู่แล้วที่โรงเรียนอื่น{where_th} จึงไม่สร้างทะเบียนซ้ำ"
                    f" ระบบส่งคำขอตรวจสอบเลขที่ {claim.pk} ไปยัง สพท. และโรงเรียนที่มีทะเบียนแล้ว"
                ),
                en=(
                    f"This identifier is already registered at another school{where_en}: no second record"
                    f" was created; duplicate claim {claim.pk} was routed to the ESA and the holding school"
                ),
                field="identifier",
            )
            body = problems_body([problem])
            body["claim"] = {
                "id": claim.pk,
                "holding_school": OrgUnitRefSerializer(holder).data if holder else None,
            }
            return Response(body, status=status.HTTP_409_CONFLICT)
        assert result.student is not None
        student = student_get(self.actor, result.student.pk)
        return Response(StudentDetailSerializer(student).data, status=status.HTTP_201_CREATED)


class StudentDetailView(StudentsAPIView):
    serializer_class = StudentDetailSerializer

    @extend_schema(
        operation_id="students_retrieve",
        tags=TAGS,
        summary="One learner with history",
        parameters=[STUDENT_ID],
    )
    def get(self, request: Request, student_id: int) -> Response:
        return Response(StudentDetailSerializer(self.student(student_id)).data)

    @extend_schema(
        operation_id="students_partial_update",
        tags=TAGS,
        summary="Change names, sex, date of birth or nationality (student.edit)",
        parameters=[STUDENT_ID],
        request=StudentUpdateSerializer,
        responses=StudentDetailSerializer,
    )
    def patch(self, request: Request, student_id: int) -> Response:
        student = self.student(student_id)
        data = validate_bilingual(StudentUpdateSerializer, request.data, partial=True)
        services.student_update(actor=self.actor, student=student, data=data)
        return Response(StudentDetailSerializer(self.student(student_id)).data)


class StudentCitizenIdView(StudentsAPIView):
    serializer_class = StudentDetailSerializer

    @extend_schema(
        operation_id="students_citizen_id_set",
        tags=TAGS,
        summary="Give a G-code learner their citizen ID; the G-code stays on the record (student.edit)",
        parameters=[STUDENT_ID],
        request=CitizenIdSerializer,
        responses=StudentDetailSerializer,
    )
    def post(self, request: Request, student_id: int) -> Response:
        student = self.student(student_id)
        data = validate_bilingual(CitizenIdSerializer, request.data)
        services.student_replace_g_code(actor=self.actor, student=student, citizen_id=data["citizen_id"])
        return Response(StudentDetailSerializer(self.student(student_id)).data)


class StudentGuardiansView(StudentsAPIView):
    """A learner's guardians. PATCH and DELETE name the guardian with ``?guardian=<id>``."""

    serializer_class = GuardianSerializer
    pagination_class = None  # a handful per learner

    def guardian(self, student: Student) -> Guardian:
        guardian = reg.guardian_get(student, self.request.query_params.get("guardian"))
        if guardian is None:
            raise NotFoundOrNoAccess.default()
        return guardian

    @extend_schema(
        operation_id="students_guardians_list",
        tags=TAGS,
        summary="A learner's guardians",
        parameters=[STUDENT_ID],
        responses=GuardianSerializer(many=True),
    )
    def get(self, request: Request, student_id: int) -> Response:
        student = self.student(student_id)
        return Response(GuardianSerializer(reg.student_guardians(student), many=True).data)

    @extend_schema(
        operation_id="students_guardians_create",
        tags=TAGS,
        summary="Add a guardian (student.edit)",
        parameters=[STUDENT_ID],
        request=GuardianInputSerializer,
        responses={201: GuardianSerializer},
    )
    def post(self, request: Request, student_id: int) -> Response:
        student = self.student(student_id)
        data = validate_bilingual(GuardianInputSerializer, request.data)
        guardian = services.guardian_add(actor=self.actor, student=student, data=data)
        return Response(GuardianSerializer(guardian).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="students_guardians_partial_update",
        tags=TAGS,
        summary="Change a guardian (student.edit)",
        parameters=[STUDENT_ID, GUARDIAN],
        request=GuardianInputSerializer,
        responses=GuardianSerializer,
    )
    def patch(self, request: Request, student_id: int) -> Response:
        student = self.student(student_id)
        guardian = self.guardian(student)
        data = validate_bilingual(GuardianInputSerializer, request.data, partial=True)
        guardian = services.guardian_update(actor=self.actor, guardian=guardian, data=data)
        return Response(GuardianSerializer(guardian).data)

    @extend_schema(
        operation_id="students_guardians_destroy",
        tags=TAGS,
        summary="Remove a guardian (student.edit)",
        parameters=[STUDENT_ID, GUARDIAN],
        request=None,
        responses={204: None},
    )
    def delete(self, request: Request, student_id: int) -> Response:
        student = self.student(student_id)
        services.guardian_remove(actor=self.actor, guardian=self.guardian(student))
        return Response(status=status.HTTP_204_NO_CONTENT)


class StudentSensitiveView(StudentsAPIView):
    """Sensitive personal data: only roles with ``sensitive.read`` on the learner's school (school
    director and staff). Every GET is written to the audit log (field names only)."""

    serializer_class = SensitiveSerializer

    @extend_schema(
        operation_id="students_sensitive_retrieve",
        tags=TAGS,
        summary="Read a learner's sensitive data (audited)",
        parameters=[STUDENT_ID],
        responses=SensitiveSerializer,
    )
    def get(self, request: Request, student_id: int) -> Response:
        student = self.student(student_id)
        sensitive = services.student_sensitive_read(actor=self.actor, student=student)
        return Response(SensitiveSerializer(sensitive).data, headers={"Cache-Control": "no-store"})

    @extend_schema(
        operation_id="students_sensitive_update",
        tags=TAGS,
        summary="Replace a learner's sensitive data (audited by field name)",
        parameters=[STUDENT_ID],
        request=SensitiveSerializer,
        responses=SensitiveSerializer,
    )
    def put(self, request: Request, student_id: int) -> Response:
        student = self.student(student_id)
        if not can_read_sensitive(self.actor, student):
            raise PermissionDenied.default()
        data = validate_bilingual(SensitiveSerializer, request.data)
        sensitive = services.student_sensitive_update(actor=self.actor, student=student, data=data)
        return Response(SensitiveSerializer(sensitive).data, headers={"Cache-Control": "no-store"})


urlpatterns = [
    path("students/", StudentListView.as_view(), name="student-list"),
    path("students/<int:student_id>/", StudentDetailView.as_view(), name="student-detail"),
    path("students/<int:student_id>/guardians/", StudentGuardiansView.as_view(), name="student-guardians"),
    path("students/<int:student_id>/citizen-id/", StudentCitizenIdView.as_view(), name="student-citizen-id"),
    path("students/<int:student_id>/sensitive/", StudentSensitiveView.as_view(), name="student-sensitive"),
]
