"""Serializers of the enrolment API: rooms, lifecycle actions, transfers, year-end, duplicate claims.

Dates travel as ISO CE dates, each with a ``*_display`` Buddhist-Era companion on output.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from suksa.domains.students.models import Classroom, DuplicateClaim, Enrolment, Transfer, YearEndBatch
from suksa.domains.students.models.choices import DropoutReason, Grade
from suksa.domains.students.services.enrolment import NOTE_MAX, ROOM_NUMBER_MAX
from suksa.domains.students.services.yearend import OUTCOMES
from suksa.interfaces.api.serializers.common import BeDisplayField

YEAR_MIN, YEAR_MAX = 2400, 2800


class YearFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False,
        help_text="Academic year (BE); default: the current one.",
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
    )


class TeacherSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name_th = serializers.SerializerMethodField()

    def get_name_th(self, obj: Any) -> str:
        return f"{obj.title_th}{obj.first_name_th} {obj.last_name_th}".strip()


class ClassroomSerializer(serializers.ModelSerializer):
    year_be = serializers.IntegerField(source="academic_year.year_be", read_only=True)
    school = serializers.CharField(source="school.code", read_only=True)
    learners = serializers.IntegerField(read_only=True, help_text="Open enrolments in the room.")
    teachers = TeacherSerializer(many=True, read_only=True)
    # Declared, not derived from the model: a small integer's range differs between SQLite and
    # PostgreSQL, and the committed schema must not depend on the database it was generated on.
    number = serializers.IntegerField(read_only=True)

    class Meta:
        model = Classroom
        fields = ["id", "school", "year_be", "grade", "number", "learners", "teachers"]


class ClassroomCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False,
        help_text="Academic year (BE); default: the current one.",
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
    )
    grade = serializers.ChoiceField(choices=Grade.choices)
    number = serializers.IntegerField(min_value=1, max_value=ROOM_NUMBER_MAX)


class TeachersSetSerializer(serializers.Serializer):
    teachers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), allow_empty=True, max_length=50,
        help_text="User ids of the homeroom teachers (each must hold a teacher, staff or director role at the school).",
    )  # fmt: skip


class EnrolmentSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.code", read_only=True)
    year_be = serializers.IntegerField(source="academic_year.year_be", read_only=True)
    room = serializers.IntegerField(source="classroom.number", read_only=True, allow_null=True)
    starts_on_display = BeDisplayField(source="starts_on")
    ends_on_display = BeDisplayField(source="ends_on")

    class Meta:
        model = Enrolment
        fields = [
            "id", "student", "school", "year_be", "grade", "room", "entry", "status", "starts_on",
            "starts_on_display", "ends_on", "ends_on_display", "exit_reason", "exit_note",
        ]  # fmt: skip


class MoveRoomSerializer(serializers.Serializer):
    room = serializers.IntegerField(
        min_value=1, max_value=ROOM_NUMBER_MAX, help_text="Room number in the same grade."
    )


class DropOutSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="Last day (ISO, CE).")
    reason = serializers.ChoiceField(choices=DropoutReason.choices)
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class ReadmitSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="First day back (ISO, CE).")
    grade = serializers.ChoiceField(choices=Grade.choices)
    room = serializers.IntegerField(min_value=1, max_value=ROOM_NUMBER_MAX, required=False, default=1)


class TransferRequestSerializer(serializers.Serializer):
    to_school = serializers.RegexField(r"^\d{10}$", help_text="The receiving school's 10-digit code.")
    requested_on = serializers.DateField()
    reason = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class TransferAcceptSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(
        choices=Grade.choices, required=False, help_text="Default: the same grade."
    )
    room = serializers.IntegerField(min_value=1, max_value=ROOM_NUMBER_MAX, required=False, default=1)
    starts_on = serializers.DateField(required=False, help_text="First day at the new school; default today.")


class DecisionNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class TransferFilterSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["incoming", "outgoing"], required=False)
    status = serializers.ChoiceField(choices=Transfer.Status.choices, required=False)


class TransferSerializer(serializers.ModelSerializer):
    """What both schools see of a transfer: enough of the learner to decide (name, ID, grade)."""

    student_name = serializers.SerializerMethodField()
    identifier = serializers.CharField(source="student.identifier", read_only=True)
    grade = serializers.CharField(source="from_enrolment.grade", read_only=True)
    from_school = serializers.CharField(source="from_school.code", read_only=True)
    from_school_name = serializers.CharField(source="from_school.name_th", read_only=True)
    to_school = serializers.CharField(source="to_school.code", read_only=True)
    to_school_name = serializers.CharField(source="to_school.name_th", read_only=True)
    requested_on_display = BeDisplayField(source="requested_on")
    to_enrolment = serializers.IntegerField(source="to_enrolment_id", read_only=True, allow_null=True)

    class Meta:
        model = Transfer
        fields = [
            "id", "status", "student", "student_name", "identifier", "grade", "from_school", "from_school_name",
            "to_school", "to_school_name", "reason", "requested_on", "requested_on_display", "decided_at",
            "decision_note", "to_enrolment",
        ]  # fmt: skip

    def get_student_name(self, obj: Transfer) -> str:
        return obj.student.full_name()


class YearEndApplySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False,
        help_text="Academic year (BE) to close; default: the current one.",
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
    )
    overrides = serializers.DictField(
        child=serializers.ChoiceField(choices=list(OUTCOMES)), required=False, default=dict,
        help_text="Enrolment id → promote | repeat | graduate | leave, where it differs from the default.",
    )  # fmt: skip


class PreviewRowSerializer(serializers.Serializer):
    enrolment_id = serializers.IntegerField()
    student_id = serializers.IntegerField()
    name = serializers.CharField()
    identifier = serializers.CharField()
    grade = serializers.CharField()
    room = serializers.IntegerField(allow_null=True)
    outcome = serializers.CharField()
    next_grade = serializers.CharField(allow_null=True)
    next_entry = serializers.CharField(allow_null=True)


class PendingTransferSerializer(serializers.Serializer):
    transfer_id = serializers.IntegerField()
    student_id = serializers.IntegerField()
    name = serializers.CharField()
    grade = serializers.CharField()
    to_school_code = serializers.CharField()


class PreviewSerializer(serializers.Serializer):
    school_code = serializers.CharField()
    year_be = serializers.IntegerField()
    next_year_be = serializers.IntegerField()
    can_apply = serializers.BooleanField()
    applied_batch_id = serializers.IntegerField(allow_null=True)
    counts = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()), help_text="grade → outcome → learners"
    )
    pending = PendingTransferSerializer(many=True)
    rows = PreviewRowSerializer(many=True)


class YearEndBatchSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.code", read_only=True)
    year_be = serializers.IntegerField(source="academic_year.year_be", read_only=True)

    class Meta:
        model = YearEndBatch
        fields = ["id", "school", "year_be", "status", "summary", "applied_at", "reversed_at"]


class ClaimFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DuplicateClaim.Status.choices, required=False)


class DuplicateClaimSerializer(serializers.ModelSerializer):
    claiming_school = serializers.CharField(source="claiming_school.code", read_only=True)
    holding_school = serializers.CharField(source="holding_school.code", read_only=True, allow_null=True)
    claimed_birth_date_display = BeDisplayField(source="claimed_birth_date")

    class Meta:
        model = DuplicateClaim
        fields = [
            "id", "status", "identifier", "claimed_name_th", "claimed_birth_date", "claimed_birth_date_display",
            "claiming_school", "holding_school", "source", "created_at", "resolved_at", "note",
        ]  # fmt: skip


class ClaimResolveSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["transfer", "reject"])
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
