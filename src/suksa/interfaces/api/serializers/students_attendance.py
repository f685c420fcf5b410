"""Attendance through the API: query parameters, the room sheet, marks to save, summaries, gaps.

Dates are ISO CE (``2026-06-15``) with a ``*_display`` companion in the Buddhist Era; a month is
``YYYY-MM`` (CE; a year from 2400 is read as BE, as the web pages write it).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from suksa.domains.students.models.choices import AttendanceCode
from suksa.interfaces.api.serializers.common import BeDisplayField

CODE_HELP = "P present · L late · S sick · E leave · A absent (มา · สาย · ป่วย · ลา · ขาด)"


class SheetQuerySerializer(serializers.Serializer):
    date = serializers.DateField(
        required=False,
        help_text="The school day (ISO CE date). Default: the latest school day up to today.",
    )


class MarkWriteQuerySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The school day to save (ISO CE date).")


class MonthQuerySerializer(serializers.Serializer):
    month = serializers.RegexField(
        r"^\d{4}-\d{1,2}$",
        required=False,
        max_length=7,
        help_text="YYYY-MM (CE; a year >= 2400 is BE). Default: this month.",
    )


class EsaMissingQuerySerializer(serializers.Serializer):
    esa = serializers.CharField(max_length=20, help_text="Code of the ESA office.")
    days = serializers.IntegerField(
        min_value=1, max_value=60, required=False, default=5, help_text="Most recent school days to look at."
    )


class MarkSerializer(serializers.Serializer):
    student_id = serializers.IntegerField(min_value=1)
    code = serializers.ChoiceField(choices=AttendanceCode.choices, help_text=CODE_HELP)


class MarksWriteSerializer(serializers.Serializer):
    marks = MarkSerializer(many=True, allow_empty=False, help_text="At most 500 learners.")

    def validate_marks(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(value) > 500:
            raise serializers.ValidationError("at most 500 marks in one request")
        seen: set[int] = set()
        for item in value:
            if item["student_id"] in seen:
                raise serializers.ValidationError(f"student_id {item['student_id']} appears twice")
            seen.add(item["student_id"])
        return value


class RateSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True, help_text="numerator / denominator; null when undefined.")
    numerator = serializers.FloatField()
    denominator = serializers.FloatField()
    formula = serializers.CharField()


class CountsSerializer(serializers.Serializer):
    P = serializers.IntegerField()
    L = serializers.IntegerField()
    S = serializers.IntegerField()
    E = serializers.IntegerField()
    A = serializers.IntegerField()


class RoomRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    label = serializers.CharField(source="__str__", help_text="Thai room label, e.g. ป.1/2.")  # type: ignore[assignment]
    grade = serializers.CharField()
    number = serializers.IntegerField()
    school_code = serializers.CharField(source="school.code")
    academic_year = serializers.IntegerField(source="academic_year.year_be")


class SheetRowSerializer(serializers.Serializer):
    student_id = serializers.IntegerField()
    name_th = serializers.CharField()
    name_en = serializers.CharField()
    code = serializers.CharField(allow_null=True, help_text="Null: not marked on that day. " + CODE_HELP)


class ProblemTextSerializer(serializers.Serializer):
    code = serializers.CharField()
    message_th = serializers.CharField(source="th")
    message_en = serializers.CharField(source="en")


class RoomSheetSerializer(serializers.Serializer):
    classroom = RoomRefSerializer()
    date = serializers.DateField()
    date_display = BeDisplayField(source="date")
    is_school_day = serializers.BooleanField()
    not_school_day = ProblemTextSerializer(
        source="problem", allow_null=True, help_text="Why the day cannot be marked (null on a school day)."
    )
    previous_school_day = serializers.DateField(source="previous_day", allow_null=True)
    next_school_day = serializers.DateField(source="next_day", allow_null=True)
    marked = serializers.IntegerField()
    counts = CountsSerializer()
    learners = SheetRowSerializer(source="rows", many=True)


class MarkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class SheetSavedSerializer(serializers.Serializer):
    saved = MarkResultSerializer()
    sheet = RoomSheetSerializer()


class LearnerSummarySerializer(serializers.Serializer):
    student_id = serializers.IntegerField()
    name_th = serializers.CharField()
    name_en = serializers.CharField()
    month = CountsSerializer(help_text="Days per code in the month.")
    year_to_date = CountsSerializer(
        help_text="Days per code from the academic year's start to the month's end."
    )
    month_rate = RateSerializer()
    rate = RateSerializer(help_text="Attendance rate, year to date: (P+L) / recorded days.")
    chronic = serializers.BooleanField(
        help_text="Missed (S+E+A) at least 10 % of recorded days, year to date, once 10 days are recorded."
    )


class RoomSummarySerializer(serializers.Serializer):
    classroom = RoomRefSerializer()
    month = serializers.SerializerMethodField(help_text="YYYY-MM (CE).")
    school_days = serializers.IntegerField(help_text="School days of the month up to today.")
    totals = CountsSerializer()
    rate = RateSerializer()
    chronic_rate = RateSerializer()
    learners = LearnerSummarySerializer(many=True)

    def get_month(self, obj: Any) -> str:
        return f"{obj.month.year:04d}-{obj.month.month:02d}"


class RoomGapSerializer(serializers.Serializer):
    classroom = RoomRefSerializer()
    expected = serializers.IntegerField(
        help_text="School days the room had learners on, up to the as-of date."
    )
    missing_count = serializers.IntegerField()
    missing = serializers.ListField(
        child=serializers.DateField(), help_text="Every school day with no mark, oldest first."
    )


class SchoolAttendanceSerializer(serializers.Serializer):
    school_code = serializers.CharField(source="school.code")
    academic_year = serializers.IntegerField(source="academic_year.year_be", allow_null=True, default=None)
    as_of = serializers.DateField()
    as_of_display = BeDisplayField(source="as_of")
    school_days = serializers.IntegerField()
    totals = CountsSerializer()
    rate = RateSerializer()
    chronic_rate = RateSerializer()
    rooms = RoomGapSerializer(many=True)
    rooms_missing = serializers.SerializerMethodField()

    def get_rooms_missing(self, obj: Any) -> int:
        return len(obj.rooms_missing)


class SchoolGapSerializer(serializers.Serializer):
    school_code = serializers.CharField(source="school.code")
    school_name_th = serializers.CharField(source="school.name_th")
    window = serializers.ListField(
        child=serializers.DateField(), help_text="The school's most recent school days."
    )
    rooms = serializers.IntegerField()
    rooms_missing = serializers.IntegerField()
    missing_room_days = serializers.IntegerField()


class EsaAttendanceSerializer(serializers.Serializer):
    esa_code = serializers.CharField(source="unit.code")
    as_of = serializers.DateField()
    days = serializers.IntegerField()
    schools_missing = serializers.IntegerField()
    schools = SchoolGapSerializer(many=True)
