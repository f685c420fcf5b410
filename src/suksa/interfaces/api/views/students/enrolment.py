"""Enrolment endpoints: rooms, moving room, dropout and readmission, transfers, year-end and
duplicate claims.

Reads go through ``students.selectors_enrolment`` (scoped to the caller); writes through one
service each, which checks the permission on the school concerned and audits. An id or code
outside the caller's view answers 404 exactly like an unknown one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.dates import academic_year_be_of
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied
from suksa.core.models import AcademicYear, OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.core.services import calendar_ensure_year
from suksa.domains.students import selectors_enrolment as sel
from suksa.domains.students.models import Classroom, DuplicateClaim, Enrolment, Student, Transfer
from suksa.domains.students.selectors import student_get
from suksa.domains.students.services import enrolment as enrol
from suksa.domains.students.services import transfers as tr
from suksa.domains.students.services import yearend as ye
from suksa.interfaces.api.base import SuksaAPIView, SuksaListView, validate_bilingual
from suksa.interfaces.api.serializers.students_enrolment import (
    ClaimFilterSerializer,
    ClaimResolveSerializer,
    ClassroomCreateSerializer,
    ClassroomSerializer,
    DecisionNoteSerializer,
    DropOutSerializer,
    DuplicateClaimSerializer,
    EnrolmentSerializer,
    MoveRoomSerializer,
    PreviewSerializer,
    ReadmitSerializer,
    TeachersSetSerializer,
    TransferAcceptSerializer,
    TransferFilterSerializer,
    TransferRequestSerializer,
    TransferSerializer,
    YearEndApplySerializer,
    YearEndBatchSerializer,
    YearFilterSerializer,
)

CODE = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="School code (10 digits)."
)
STUDENT_ID = OpenApiParameter(
    "student_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Learner id."
)
CLASSROOM_ID = OpenApiParameter(
    "classroom_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Room id."
)
TRANSFER_ID = OpenApiParameter(
    "transfer_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Transfer id."
)
BATCH_ID = OpenApiParameter(
    "batch_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Year-end batch id."
)
CLAIM_ID = OpenApiParameter(
    "claim_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Duplicate claim id."
)
TAG = "enrolment"


def _school(actor: Actor, code: str, *, edit: bool = False) -> OrgUnit:
    unit = OrgUnit.objects.filter(kind=OrgUnit.Kind.SCHOOL, code=code).first()
    if unit is None:
        raise NotFoundOrNoAccess.default()
    perms = (Perm.STUDENT_EDIT,) if edit else (Perm.STUDENT_VIEW, Perm.ROOM_VIEW)
    if any(actor.can(p, unit.path) for p in perms):
        return unit
    if actor.can(Perm.ORG_VIEW, unit.path):
        raise PermissionDenied.default()
    raise NotFoundOrNoAccess.default()


def _year_be(value: int | None) -> int:
    return value or academic_year_be_of(timezone.localdate())


def _year(value: int | None) -> AcademicYear | None:
    return AcademicYear.objects.filter(year_be=_year_be(value)).first()


def _open_enrolment(actor: Actor, student: Student) -> Enrolment:
    enrolment = sel.open_enrolment_visible(actor, student.pk)
    if enrolment is None:
        raise InvalidInput.single(
            "not_enrolled", "นักเรียนไม่มีการลงทะเบียนที่ยังไม่สิ้นสุด", "The learner has no open enrolment",
            field="student",
        )  # fmt: skip
    return enrolment


def _enrolment_body(enrolment: Enrolment, code: int = status.HTTP_200_OK) -> Response:
    enrolment = Enrolment.objects.select_related("school", "academic_year", "classroom").get(pk=enrolment.pk)
    return Response(EnrolmentSerializer(enrolment).data, status=code)


# --- rooms -----------------------------------------------------------------------------------------


class SchoolRoomsView(SuksaListView):
    """Rooms of a school's academic year with their learner counts and homeroom teachers."""

    serializer_class = ClassroomSerializer
    filter_serializer_class = YearFilterSerializer

    @extend_schema(operation_id="school_rooms_list", tags=[TAG], parameters=[CODE, YearFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Classroom]:
        school = _school(self.actor, self.kwargs["code"])
        ay = _year(self.filters.get("year"))
        return sel.school_rooms(self.actor, school, ay) if ay else Classroom.objects.none()

    @extend_schema(
        operation_id="school_rooms_create", tags=[TAG], parameters=[CODE], request=ClassroomCreateSerializer,
        responses={201: ClassroomSerializer},
    )  # fmt: skip
    def post(self, request: Request, code: str) -> Response:
        school = _school(self.actor, code, edit=True)
        data = validate_bilingual(ClassroomCreateSerializer, request.data)
        ay = calendar_ensure_year(year_be=_year_be(data.get("year")))
        room = enrol.classroom_create(
            actor=self.actor, school=school, academic_year=ay, grade=data["grade"], number=data["number"]
        )
        room = sel.school_rooms(self.actor, school, ay).get(pk=room.pk)
        return Response(ClassroomSerializer(room).data, status=status.HTTP_201_CREATED)


class RoomTeachersView(SuksaAPIView):
    """Replace a room's homeroom teachers (student.edit on the school)."""

    required_perm = Perm.STUDENT_EDIT

    @extend_schema(
        operation_id="rooms_teachers_set", tags=[TAG], parameters=[CLASSROOM_ID], request=TeachersSetSerializer,
        responses={200: ClassroomSerializer},
    )  # fmt: skip
    def post(self, request: Request, classroom_id: int) -> Response:
        room = sel.classroom_get(self.actor, classroom_id)
        data = validate_bilingual(TeachersSetSerializer, request.data)
        from suksa.domains.accounts.models import User

        teachers = list(User.objects.filter(pk__in=data["teachers"]))
        if len(teachers) != len(set(data["teachers"])):
            raise InvalidInput.single(
                "teacher_unknown", "ไม่พบผู้ใช้บางรายการ", "Some of the users were not found", field="teachers"
            )
        enrol.classroom_set_teachers(actor=self.actor, classroom=room, teachers=teachers)
        room = sel.school_rooms(self.actor, room.school, room.academic_year).get(pk=room.pk)
        return Response(ClassroomSerializer(room).data)


# --- one learner's lifecycle -----------------------------------------------------------------------


class StudentActionView(SuksaAPIView):
    required_perm = Perm.STUDENT_EDIT

    def learner(self, student_id: int) -> Student:
        return student_get(self.actor, sel.as_pk(student_id))


class MoveRoomView(StudentActionView):
    @extend_schema(
        operation_id="students_move_room", tags=[TAG], parameters=[STUDENT_ID], request=MoveRoomSerializer,
        responses={200: EnrolmentSerializer}, summary="Move the learner to another room of the same grade",
    )  # fmt: skip
    def post(self, request: Request, student_id: int) -> Response:
        student = self.learner(student_id)
        enrolment = _open_enrolment(self.actor, student)
        enrol.require_edit(self.actor, enrolment.school)
        data = validate_bilingual(MoveRoomSerializer, request.data)
        room = Classroom.objects.filter(
            school=enrolment.school, academic_year=enrolment.academic_year, grade=enrolment.grade,
            number=data["room"],
        ).first()  # fmt: skip
        if room is None:
            raise InvalidInput.single(
                "room_unknown", "ไม่มีห้องนี้ในชั้นและปีการศึกษาของนักเรียน",
                "There is no such room in the learner's grade and year", field="room",
            )  # fmt: skip
        return _enrolment_body(
            enrol.enrolment_move_room(actor=self.actor, enrolment=enrolment, classroom=room)
        )


class DropOutView(StudentActionView):
    @extend_schema(
        operation_id="students_drop_out", tags=[TAG], parameters=[STUDENT_ID], request=DropOutSerializer,
        responses={200: EnrolmentSerializer}, summary="Record that the learner dropped out",
    )  # fmt: skip
    def post(self, request: Request, student_id: int) -> Response:
        student = self.learner(student_id)
        enrolment = _open_enrolment(self.actor, student)
        enrol.require_edit(self.actor, enrolment.school)
        data = validate_bilingual(DropOutSerializer, request.data)
        enrolment = enrol.student_drop_out(actor=self.actor, enrolment=enrolment, **data)
        return _enrolment_body(enrolment)


class ReadmitView(StudentActionView):
    @extend_schema(
        operation_id="students_readmit", tags=[TAG], parameters=[STUDENT_ID], request=ReadmitSerializer,
        responses={201: EnrolmentSerializer}, summary="Readmit a learner who left",
    )  # fmt: skip
    def post(self, request: Request, student_id: int) -> Response:
        student = self.learner(student_id)
        enrol.require_edit(self.actor, student.school)
        assert student.school is not None
        data = validate_bilingual(ReadmitSerializer, request.data)
        enrolment = enrol.student_readmit(actor=self.actor, student=student, school=student.school, **data)
        return _enrolment_body(enrolment, status.HTTP_201_CREATED)


class TransferRequestView(StudentActionView):
    @extend_schema(
        operation_id="students_transfer_request", tags=[TAG], parameters=[STUDENT_ID],
        request=TransferRequestSerializer, responses={201: TransferSerializer},
        summary="The sending school requests a transfer to another school",
    )  # fmt: skip
    def post(self, request: Request, student_id: int) -> Response:
        student = self.learner(student_id)
        enrol.require_edit(self.actor, student.school)
        data = validate_bilingual(TransferRequestSerializer, request.data)
        to_school = OrgUnit.objects.filter(
            kind=OrgUnit.Kind.SCHOOL, code=data["to_school"], is_active=True
        ).first()
        if to_school is None:
            raise InvalidInput.single(
                "school_unknown", "ไม่พบโรงเรียนรหัสนี้", "No school with this code", field="to_school"
            )
        transfer = tr.transfer_request(
            actor=self.actor, student=student, to_school=to_school, requested_on=data["requested_on"],
            reason=data["reason"],
        )  # fmt: skip
        return Response(TransferSerializer(sel.transfer_get(self.actor, transfer.pk)).data, status=201)


# --- transfers -------------------------------------------------------------------------------------


class TransferListView(SuksaListView):
    """Transfers from or to the caller's schools (the ESA: its schools')."""

    required_perm = Perm.STUDENT_VIEW
    serializer_class = TransferSerializer
    filter_serializer_class = TransferFilterSerializer

    @extend_schema(operation_id="transfers_list", tags=[TAG], parameters=[TransferFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Transfer]:
        qs = sel.transfers_for(self.actor, self.filters.get("direction", ""))
        if self.filters.get("status"):
            qs = qs.filter(status=self.filters["status"])
        return qs.order_by("-requested_at", "-pk")


class TransferDetailView(SuksaAPIView):
    required_perm = Perm.STUDENT_VIEW
    serializer_class = TransferSerializer

    @extend_schema(operation_id="transfers_retrieve", tags=[TAG], parameters=[TRANSFER_ID])
    def get(self, request: Request, transfer_id: int) -> Response:
        return Response(self.get_serializer(sel.transfer_get(self.actor, transfer_id)).data)


class TransferAcceptView(SuksaAPIView):
    required_perm = Perm.STUDENT_VIEW

    @extend_schema(
        operation_id="transfers_accept", tags=[TAG], parameters=[TRANSFER_ID], request=TransferAcceptSerializer,
        responses={200: TransferSerializer}, summary="The receiving school accepts the learner",
    )  # fmt: skip
    def post(self, request: Request, transfer_id: int) -> Response:
        transfer = sel.transfer_get(self.actor, transfer_id)
        if not self.actor.can(Perm.STUDENT_EDIT, transfer.to_school.path):
            raise PermissionDenied.default()
        data = validate_bilingual(TransferAcceptSerializer, request.data)
        tr.transfer_accept(actor=self.actor, transfer=transfer, **data)
        return Response(TransferSerializer(sel.transfer_get(self.actor, transfer.pk)).data)


class TransferRejectView(SuksaAPIView):
    required_perm = Perm.STUDENT_VIEW

    @extend_schema(
        operation_id="transfers_reject", tags=[TAG], parameters=[TRANSFER_ID], request=DecisionNoteSerializer,
        responses={200: TransferSerializer}, summary="The receiving school declines the learner",
    )  # fmt: skip
    def post(self, request: Request, transfer_id: int) -> Response:
        transfer = sel.transfer_get(self.actor, transfer_id)
        data = validate_bilingual(DecisionNoteSerializer, request.data)
        tr.transfer_reject(actor=self.actor, transfer=transfer, note=data["note"])
        return Response(TransferSerializer(sel.transfer_get(self.actor, transfer.pk)).data)


class TransferCancelView(SuksaAPIView):
    required_perm = Perm.STUDENT_VIEW

    @extend_schema(
        operation_id="transfers_cancel", tags=[TAG], parameters=[TRANSFER_ID], request=DecisionNoteSerializer,
        responses={200: TransferSerializer}, summary="The sending school withdraws its request",
    )  # fmt: skip
    def post(self, request: Request, transfer_id: int) -> Response:
        transfer = sel.transfer_get(self.actor, transfer_id)
        data = validate_bilingual(DecisionNoteSerializer, request.data)
        tr.transfer_cancel(actor=self.actor, transfer=transfer, note=data["note"])
        return Response(TransferSerializer(sel.transfer_get(self.actor, transfer.pk)).data)


# --- year-end --------------------------------------------------------------------------------------


class YearEndBatchListView(SuksaListView):
    """The school's year-end batches, newest first."""

    serializer_class = YearEndBatchSerializer

    @extend_schema(operation_id="school_year_end_batches", tags=[TAG], parameters=[CODE])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        school = _school(self.actor, self.kwargs["code"], edit=True)
        return sel.batches_visible_to(self.actor).filter(school=school).order_by("-applied_at", "-pk")


class YearEndPreviewView(SuksaAPIView):
    required_perm = Perm.STUDENT_EDIT

    @extend_schema(
        operation_id="school_year_end_preview", tags=[TAG], parameters=[CODE, YearFilterSerializer],
        responses={200: PreviewSerializer}, summary="Proposed year-end outcome per learner, and counts",
    )  # fmt: skip
    def get(self, request: Request, code: str) -> Response:
        school = _school(self.actor, code, edit=True)
        f = validate_bilingual(YearFilterSerializer, request.query_params)
        ay = _year(f.get("year"))
        if ay is None:  # a year not in the calendar yet has nobody to decide about
            year_be = _year_be(f.get("year"))
            preview = ye.Preview(school_code=school.code, year_be=year_be, next_year_be=year_be + 1)
        else:
            preview = ye.year_end_preview(actor=self.actor, school=school, academic_year=ay)
        return Response(PreviewSerializer(preview).data)


class YearEndApplyView(SuksaAPIView):
    required_perm = Perm.STUDENT_EDIT

    @extend_schema(
        operation_id="school_year_end_apply", tags=[TAG], parameters=[CODE], request=YearEndApplySerializer,
        responses={201: YearEndBatchSerializer}, summary="Apply year-end for the whole school in one batch",
    )  # fmt: skip
    def post(self, request: Request, code: str) -> Response:
        school = _school(self.actor, code, edit=True)
        data = validate_bilingual(YearEndApplySerializer, request.data)
        ay = _year(data.get("year"))
        if ay is None:
            raise InvalidInput.single(
                "year_unknown",
                "ไม่มีปีการศึกษานี้ในระบบ",
                "This academic year is not in the calendar",
                field="year",
            )
        overrides: dict[int, str] = {}
        for key, value in data["overrides"].items():
            if not str(key).isdigit():
                raise InvalidInput.single(
                    "override_key_invalid", f"รหัสการลงทะเบียน '{key}' ต้องเป็นตัวเลข",
                    f"The enrolment id '{key}' must be a number", field="overrides",
                )  # fmt: skip
            overrides[int(key)] = value
        batch = ye.year_end_apply(actor=self.actor, school=school, academic_year=ay, overrides=overrides)
        batch = sel.batch_get(self.actor, batch.pk)
        return Response(YearEndBatchSerializer(batch).data, status=status.HTTP_201_CREATED)


class YearEndReverseView(SuksaAPIView):
    required_perm = Perm.STUDENT_EDIT

    @extend_schema(
        operation_id="year_end_reverse", tags=[TAG], parameters=[BATCH_ID], request=None,
        responses={200: YearEndBatchSerializer}, summary="Reverse a batch (refused once the year-end census is certified)",
    )  # fmt: skip
    def post(self, request: Request, batch_id: int) -> Response:
        batch = sel.batch_get(self.actor, batch_id)
        ye.year_end_reverse(actor=self.actor, batch=batch)
        return Response(YearEndBatchSerializer(sel.batch_get(self.actor, batch.pk)).data)


# --- duplicate claims ------------------------------------------------------------------------------


class ClaimListView(SuksaListView):
    """Duplicate claims whose holding or claiming school is in the caller's scope."""

    required_perm = Perm.STUDENT_VIEW
    serializer_class = DuplicateClaimSerializer
    filter_serializer_class = ClaimFilterSerializer

    @extend_schema(operation_id="duplicate_claims_list", tags=[TAG], parameters=[ClaimFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[DuplicateClaim]:
        qs = sel.claims_visible_to(self.actor)
        if self.filters.get("status"):
            qs = qs.filter(status=self.filters["status"])
        return qs.order_by("-created_at", "-pk")


class ClaimDetailView(SuksaAPIView):
    required_perm = Perm.STUDENT_VIEW
    serializer_class = DuplicateClaimSerializer

    @extend_schema(operation_id="duplicate_claims_retrieve", tags=[TAG], parameters=[CLAIM_ID])
    def get(self, request: Request, claim_id: int) -> Response:
        return Response(self.get_serializer(sel.claim_get(self.actor, claim_id)).data)


class ClaimResolveView(SuksaAPIView):
    required_perm = Perm.STUDENT_VIEW

    @extend_schema(
        operation_id="duplicate_claims_resolve", tags=[TAG], parameters=[CLAIM_ID], request=ClaimResolveSerializer,
        responses={200: DuplicateClaimSerializer}, summary="Resolve a claim: transfer or reject (ESA)",
    )  # fmt: skip
    def post(self, request: Request, claim_id: int) -> Response:
        claim = sel.claim_get(self.actor, claim_id)
        if not tr.can_resolve(self.actor, claim):
            raise PermissionDenied.default()
        data = validate_bilingual(ClaimResolveSerializer, request.data)
        tr.duplicate_claim_resolve(actor=self.actor, claim=claim, outcome=data["outcome"], note=data["note"])
        return Response(DuplicateClaimSerializer(sel.claim_get(self.actor, claim.pk)).data)


urlpatterns = [
    path("schools/<str:code>/rooms/", SchoolRoomsView.as_view(), name="school-rooms"),
    path("rooms/<int:classroom_id>/teachers/", RoomTeachersView.as_view(), name="room-teachers"),
    path("students/<int:student_id>/move-room/", MoveRoomView.as_view(), name="student-move-room"),
    path("students/<int:student_id>/drop-out/", DropOutView.as_view(), name="student-drop-out"),
    path("students/<int:student_id>/readmit/", ReadmitView.as_view(), name="student-readmit"),
    path(
        "students/<int:student_id>/transfer/", TransferRequestView.as_view(), name="student-transfer-request"
    ),
    path("transfers/", TransferListView.as_view(), name="transfer-list"),
    path("transfers/<int:transfer_id>/", TransferDetailView.as_view(), name="transfer-detail"),
    path("transfers/<int:transfer_id>/accept/", TransferAcceptView.as_view(), name="transfer-accept"),
    path("transfers/<int:transfer_id>/reject/", TransferRejectView.as_view(), name="transfer-reject"),
    path("transfers/<int:transfer_id>/cancel/", TransferCancelView.as_view(), name="transfer-cancel"),
    path("schools/<str:code>/year-end/", YearEndBatchListView.as_view(), name="school-year-end-batches"),
    path(
        "schools/<str:code>/year-end/preview/", YearEndPreviewView.as_view(), name="school-year-end-preview"
    ),
    path("schools/<str:code>/year-end/apply/", YearEndApplyView.as_view(), name="school-year-end-apply"),
    path("year-end/<int:batch_id>/reverse/", YearEndReverseView.as_view(), name="year-end-reverse"),
    path("duplicate-claims/", ClaimListView.as_view(), name="duplicate-claim-list"),
    path("duplicate-claims/<int:claim_id>/", ClaimDetailView.as_view(), name="duplicate-claim-detail"),
    path(
        "duplicate-claims/<int:claim_id>/resolve/", ClaimResolveView.as_view(), name="duplicate-claim-resolve"
    ),
]
