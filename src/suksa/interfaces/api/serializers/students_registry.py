"""The student registry's API shapes: register filters, learners, registration and edits, guardians,
sensitive data and the duplicate-claim (409) body.

Dates are ISO (CE) with ``*_display`` companions in the Buddhist Era. Inputs are checked for shape
here; the rules (checksum, plausible age, grade span, one person one record) are the services'.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from suksa.core.identifiers import format_citizen_id
from suksa.domains.students.models import Enrolment, Guardian, Student, StudentSensitive
from suksa.domains.students.models.choices import Disability, Grade, Religion, Sex
from suksa.domains.students.selectors_registry import STATUS_CHOICES, student_guardians, student_history
from suksa.interfaces.api.errors import ErrorItemSerializer
from suksa.interfaces.api.serializers.common import BeDisplayField
from suksa.interfaces.api.serializers.org import OrgUnitRefSerializer


class StudentFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=100, required=False, help_text="Name or identifier; every word must match."
    )
    school = serializers.CharField(
        max_length=10, required=False, help_text="School code; a school outside your view yields nothing."
    )
    grade = serializers.ChoiceField(
        choices=Grade.choices, required=False, help_text="Grade of the open enrolment."
    )
    room = serializers.IntegerField(min_value=1, max_value=99, required=False, help_text="Room number.")
    status = serializers.ChoiceField(choices=STATUS_CHOICES, required=False)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)


class PlacementSerializer(serializers.Serializer):
    """The learner's latest enrolment: year, grade, room and status."""

    academic_year = serializers.IntegerField(allow_null=True, help_text="Buddhist-Era academic year.")
    grade = serializers.CharField(allow_null=True)
    room = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(allow_null=True)


class StudentSerializer(serializers.ModelSerializer):
    """A learner's record (identifiers and names are personal data, shown to roles that see it)."""

    citizen_id_display = serializers.SerializerMethodField(help_text="`1-2345-67890-12-3`.")
    birth_date_display = BeDisplayField(source="birth_date")
    school = OrgUnitRefSerializer(read_only=True, allow_null=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = Student
        fields = [
            "id",
            "citizen_id",
            "citizen_id_display",
            "g_code",
            "prefix_th",
            "first_name_th",
            "last_name_th",
            "first_name_en",
            "last_name_en",
            "sex",
            "birth_date",
            "birth_date_display",
            "nationality",
            "school",
            "current",
        ]
        read_only_fields = fields

    def get_citizen_id_display(self, s: Student) -> str | None:
        return format_citizen_id(s.citizen_id) if s.citizen_id else None

    @extend_schema_field(PlacementSerializer(allow_null=True))
    def get_current(self, s: Student) -> dict[str, Any] | None:
        if hasattr(s, "current_grade"):  # annotated by the register's query
            if s.current_grade is None:
                return None
            return {
                "academic_year": getattr(s, "current_year_be", None),
                "grade": s.current_grade,
                "room": getattr(s, "current_room", None),
                "status": getattr(s, "current_status", None),
            }
        e = (
            Enrolment.objects.filter(student=s)
            .select_related("academic_year", "classroom")
            .order_by("-starts_on", "-pk")
            .first()
        )
        if e is None:
            return None
        return {
            "academic_year": e.academic_year.year_be,
            "grade": e.grade,
            "room": e.classroom.number if e.classroom else None,
            "status": e.status,
        }


class EnrolmentHistorySerializer(serializers.ModelSerializer):
    school = OrgUnitRefSerializer(read_only=True)
    academic_year = serializers.IntegerField(source="academic_year.year_be", read_only=True)
    room = serializers.IntegerField(source="classroom.number", read_only=True, allow_null=True, default=None)
    exit_reason = serializers.CharField(
        read_only=True,
        help_text="Dropout reason code (DMC list, e.g. `01` poverty); empty unless dropped out.",
    )
    starts_on_display = BeDisplayField(source="starts_on")
    ends_on_display = BeDisplayField(source="ends_on")

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "academic_year",
            "school",
            "grade",
            "room",
            "entry",
            "status",
            "exit_reason",
            "starts_on",
            "starts_on_display",
            "ends_on",
            "ends_on_display",
        ]
        read_only_fields = fields


class GuardianSerializer(serializers.ModelSerializer):
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Guardian
        fields = ["id", "relation", "name_th", "phone", "email", "is_primary"]
        read_only_fields = fields


class StudentDetailSerializer(StudentSerializer):
    """A learner with the whole enrolment history (every school) and guardians."""

    enrolments = serializers.SerializerMethodField()
    guardians = serializers.SerializerMethodField()

    class Meta(StudentSerializer.Meta):
        fields = [*StudentSerializer.Meta.fields, "enrolments", "guardians"]
        read_only_fields = fields

    @extend_schema_field(EnrolmentHistorySerializer(many=True))
    def get_enrolments(self, s: Student) -> list[dict[str, Any]]:
        return list(EnrolmentHistorySerializer(student_history(s), many=True).data)

    @extend_schema_field(GuardianSerializer(many=True))
    def get_guardians(self, s: Student) -> list[dict[str, Any]]:
        return list(GuardianSerializer(student_guardians(s), many=True).data)


class _PersonInput(serializers.Serializer):
    prefix_th = serializers.CharField(max_length=30, required=False, allow_blank=True)
    first_name_th = serializers.CharField(max_length=100)
    last_name_th = serializers.CharField(max_length=100)
    first_name_en = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name_en = serializers.CharField(max_length=100, required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=Sex.choices)
    birth_date = serializers.DateField(help_text="ISO date (CE), e.g. 2019-03-01.")
    nationality = serializers.CharField(
        max_length=3, required=False, help_text="ISO 3166 alpha-3; default THA."
    )


class StudentRegisterSerializer(_PersonInput):
    identifier = serializers.CharField(
        max_length=20, help_text="13-digit citizen ID or G-code (G + 12 digits)."
    )
    school = serializers.CharField(max_length=10, help_text="Code of the school registering the learner.")
    grade = serializers.ChoiceField(choices=Grade.choices)
    room = serializers.IntegerField(min_value=1, max_value=99)
    starts_on = serializers.DateField(required=False, help_text="First day at school; default today.")


class StudentUpdateSerializer(_PersonInput):
    """Any subset of the person fields."""


class CitizenIdSerializer(serializers.Serializer):
    citizen_id = serializers.CharField(max_length=20, help_text="The learner's 13-digit citizen ID.")


class GuardianInputSerializer(serializers.Serializer):
    relation = serializers.ChoiceField(choices=Guardian.Relation.choices)
    name_th = serializers.CharField(max_length=200)
    phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text="Thai number; +66 allowed."
    )
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    is_primary = serializers.BooleanField(required=False, help_text="Makes this the one primary contact.")


class SensitiveSerializer(serializers.ModelSerializer):
    """Sensitive personal data (PDPA s.26). Reading it is audited; so is changing it."""

    disability = serializers.ChoiceField(choices=Disability.choices, allow_blank=True)
    religion = serializers.ChoiceField(choices=Religion.choices, allow_blank=True)
    health_notes = serializers.CharField(max_length=2000, allow_blank=True)
    ccl_eligible = serializers.BooleanField()

    class Meta:
        model = StudentSensitive
        fields = ["disability", "health_notes", "ccl_eligible", "religion"]


class ClaimRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    holding_school = OrgUnitRefSerializer(allow_null=True)


class DuplicateClaimErrorSerializer(serializers.Serializer):
    """409: the identifier belongs to a learner of another school; a duplicate claim was routed to
    the ESA and the holding school instead of a second record. Only the holding school is named."""

    errors = ErrorItemSerializer(many=True)  # type: ignore[assignment]
    detail = serializers.CharField()
    claim = ClaimRefSerializer()
