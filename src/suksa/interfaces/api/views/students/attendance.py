"""Daily attendance through the API: a room's sheet (read and save), its monthly summary, and a
school's or an ESA's rooms with missing days.

Sheets and per-learner summaries are for those who mark the room (the school's director and staff,
the room's homeroom teachers); school and ESA figures are aggregates (``org.view`` in scope).
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.domains.students import selectors_attendance as sa
from suksa.domains.students.services.attendance import attendance_mark_room
from suksa.interfaces.api.base import SuksaAPIView, validate_bilingual
from suksa.interfaces.api.serializers.students_attendance import (
    EsaAttendanceSerializer,
    EsaMissingQuerySerializer,
    MarksWriteSerializer,
    MarkWriteQuerySerializer,
    MonthQuerySerializer,
    RoomSheetSerializer,
    RoomSummarySerializer,
    SchoolAttendanceSerializer,
    SheetQuerySerializer,
    SheetSavedSerializer,
)

CLASSROOM_ID = OpenApiParameter(
    "classroom_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Room id."
)
CODE = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="School code (10 digits)."
)
TAGS = ["attendance"]


class AttendanceRoomView(SuksaAPIView):
    @extend_schema(
        operation_id="attendance_room_sheet",
        tags=TAGS,
        summary="A room's attendance sheet for one day: its learners that day and their codes",
        parameters=[CLASSROOM_ID, SheetQuerySerializer],
        responses={200: RoomSheetSerializer},
    )
    def get(self, request: Request, classroom_id: str) -> Response:
        room = sa.attendance_room_get(self.actor, classroom_id)
        query = validate_bilingual(SheetQuerySerializer, request.query_params)
        sheet = sa.room_sheet(self.actor, room.pk, query.get("date"))
        return Response(RoomSheetSerializer(sheet).data)

    @extend_schema(
        operation_id="attendance_room_save",
        tags=TAGS,
        summary="Save a room's marks for one school day (one transaction; the same sheet twice changes nothing)",
        parameters=[CLASSROOM_ID, MarkWriteQuerySerializer],
        request=MarksWriteSerializer,
        responses={200: SheetSavedSerializer},
    )
    def put(self, request: Request, classroom_id: str) -> Response:
        room = sa.attendance_room_get(self.actor, classroom_id)
        day = validate_bilingual(MarkWriteQuerySerializer, request.query_params)["date"]
        data = validate_bilingual(MarksWriteSerializer, request.data)
        marks = {m["student_id"]: m["code"] for m in data["marks"]}
        result = attendance_mark_room(actor=self.actor, classroom=room, on=day, marks=marks)
        body: dict[str, Any] = {
            "saved": {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            "sheet": RoomSheetSerializer(sa.room_sheet(self.actor, room.pk, day)).data,
        }
        return Response(body)


class AttendanceRoomSummaryView(SuksaAPIView):
    @extend_schema(
        operation_id="attendance_room_summary",
        tags=TAGS,
        summary="A room's month: counts per code per learner, attendance rate and chronic-absence flag",
        parameters=[CLASSROOM_ID, MonthQuerySerializer],
        responses={200: RoomSummarySerializer},
    )
    def get(self, request: Request, classroom_id: str) -> Response:
        room = sa.attendance_room_get(self.actor, classroom_id)
        query = validate_bilingual(MonthQuerySerializer, request.query_params)
        month = sa.parse_month(query["month"]) if query.get("month") else None
        return Response(RoomSummarySerializer(sa.room_month_summary(self.actor, room.pk, month)).data)


class SchoolAttendanceMissingView(SuksaAPIView):
    @extend_schema(
        operation_id="attendance_school_missing",
        tags=TAGS,
        summary="A school's rooms with school days that have no attendance mark, with the school's rates",
        parameters=[CODE],
        responses={200: SchoolAttendanceSerializer},
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(SchoolAttendanceSerializer(sa.school_attendance(self.actor, code)).data)


class EsaAttendanceMissingView(SuksaAPIView):
    @extend_schema(
        operation_id="attendance_esa_missing",
        tags=TAGS,
        summary="Per school of an ESA: rooms lacking marks on any of the most recent school days (aggregate)",
        parameters=[EsaMissingQuerySerializer],
        responses={200: EsaAttendanceSerializer},
    )
    def get(self, request: Request) -> Response:
        query = validate_bilingual(EsaMissingQuerySerializer, request.query_params)
        report = sa.esa_missing_attendance(
            self.actor, query["esa"], days=query.get("days") or sa.RECENT_SCHOOL_DAYS
        )
        return Response(EsaAttendanceSerializer(report).data)


urlpatterns = [
    path("attendance/rooms/<str:classroom_id>/", AttendanceRoomView.as_view(), name="attendance-room"),
    path(
        "attendance/rooms/<str:classroom_id>/summary/",
        AttendanceRoomSummaryView.as_view(),
        name="attendance-room-summary",
    ),
    path("attendance/esa-missing/", EsaAttendanceMissingView.as_view(), name="attendance-esa-missing"),
    path(
        "schools/<str:code>/attendance/missing/",
        SchoolAttendanceMissingView.as_view(),
        name="attendance-school-missing",
    ),
]
