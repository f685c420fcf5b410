"""Census rounds and returns: output shapes and the inputs of open, close, take and amend."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from suksa.domains.students.models import CensusAmendment, CensusReturn, CensusRound
from suksa.domains.students.models.choices import Grade, Sex
from suksa.domains.students.services.census import AGE_CAP, MAX_DELTA
from suksa.interfaces.api.serializers.common import BeDisplayField


class CensusRoundSerializer(serializers.ModelSerializer):
    census_date = serializers.DateField(source="census_date.date", read_only=True)
    census_date_display = BeDisplayField(source="census_date.date")
    round = serializers.CharField(
        source="census_date.round", read_only=True, help_text="jun10, nov10 or year_end."
    )
    academic_year = serializers.IntegerField(source="census_date.academic_year.year_be", read_only=True)
    period = serializers.CharField(read_only=True, help_text='Indicator period key, e.g. "2569/jun10".')

    class Meta:
        model = CensusRound
        fields = ["id", "census_date", "census_date_display", "round", "academic_year", "period", "status",
                  "opened_at", "closed_at"]  # fmt: skip
        read_only_fields = fields


class CensusReturnSerializer(serializers.ModelSerializer):
    round = CensusRoundSerializer(read_only=True)
    school_code = serializers.CharField(source="school.code", read_only=True)
    certified_by = serializers.CharField(
        source="certified_by.username", read_only=True, default=None, allow_null=True
    )
    acknowledged_by = serializers.CharField(
        source="acknowledged_by.username", read_only=True, default=None, allow_null=True
    )
    certified_at_display = BeDisplayField(source="certified_at")

    class Meta:
        model = CensusReturn
        fields = ["id", "round", "school_code", "status", "student_total", "classroom_total", "roster_digest",
                  "taken_at", "certified_by", "certified_at", "certified_at_display", "acknowledged_by",
                  "acknowledged_at"]  # fmt: skip
        read_only_fields = fields


class CensusCellSerializer(serializers.Serializer):
    grade = serializers.CharField()
    sex = serializers.CharField()
    age = serializers.IntegerField()
    repeater = serializers.BooleanField()
    count = serializers.IntegerField(help_text="Certified (snapshot) count.")
    amended = serializers.IntegerField(help_text="Net of the amendments to this cell.")
    effective = serializers.IntegerField(help_text="count + amended.")
    disabled = serializers.IntegerField()
    ccl_eligible = serializers.IntegerField()


class CensusAmendmentSerializer(serializers.ModelSerializer):
    amended_by = serializers.CharField(
        source="amended_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = CensusAmendment
        fields = ["id", "grade", "sex", "age", "repeater", "delta", "reason", "amended_by", "amended_at"]
        read_only_fields = fields


class CensusReturnDetailSerializer(CensusReturnSerializer):
    effective_total = serializers.SerializerMethodField()
    cells = serializers.SerializerMethodField()
    amendments = serializers.SerializerMethodField()

    class Meta(CensusReturnSerializer.Meta):
        fields = [*CensusReturnSerializer.Meta.fields, "effective_total", "cells", "amendments"]
        read_only_fields = fields

    def get_effective_total(self, obj: CensusReturn) -> int:
        return int(self.context["effective_total"])

    def get_cells(self, obj: CensusReturn) -> list[dict[str, Any]]:
        return CensusCellSerializer(self.context["cells"], many=True).data  # type: ignore[return-value]

    def get_amendments(self, obj: CensusReturn) -> list[dict[str, Any]]:
        return CensusAmendmentSerializer(self.context["amendments"], many=True).data  # type: ignore[return-value]


class RoundQuerySerializer(serializers.Serializer):
    round = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Round id (default: the latest)."
    )


class HeadcountQuerySerializer(RoundQuerySerializer):
    unit = serializers.CharField(max_length=20, help_text="Code of the school or office.")


class TakeSerializer(serializers.Serializer):
    round = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="Round id.")


class OpenRoundSerializer(serializers.Serializer):
    census_date = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="Id of the census date (core.CensusDate)."
    )


class CloseRoundSerializer(serializers.Serializer):
    round = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="Round id.")


class CloseResultSerializer(serializers.Serializer):
    round = CensusRoundSerializer(source="census_round")
    expected = serializers.IntegerField()
    certified = serializers.IntegerField()
    not_certified_codes = serializers.ListField(child=serializers.CharField())


class AmendCellSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=Grade.choices)
    sex = serializers.ChoiceField(choices=Sex.choices)
    age = serializers.IntegerField(min_value=0, max_value=AGE_CAP)
    repeater = serializers.BooleanField(default=False)
    delta = serializers.IntegerField(min_value=-MAX_DELTA, max_value=MAX_DELTA, help_text="Signed, non-zero.")


class AmendSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    cells = AmendCellSerializer(many=True, allow_empty=False, max_length=500)  # type: ignore[call-arg]


class AcknowledgeBulkSerializer(serializers.Serializer):
    round = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    returns = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), max_length=5000, required=False,
        help_text="Return ids to acknowledge; all certified returns of the ESA when absent.",
    )  # fmt: skip


class CountResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class BoardRowSerializer(serializers.Serializer):
    school_code = serializers.CharField(source="school.code")
    school_name_th = serializers.CharField(source="school.name_th")
    return_id = serializers.IntegerField(source="census_return.pk", default=None, allow_null=True)
    status = serializers.CharField()
    total = serializers.IntegerField(allow_null=True)
    certified_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)


class BoardSerializer(serializers.Serializer):
    round = CensusRoundSerializer(source="census_round")
    esa_code = serializers.CharField(source="esa.code")
    by_status = serializers.DictField(child=serializers.IntegerField())
    schools = BoardRowSerializer(source="rows", many=True)


class LevelCountSerializer(serializers.Serializer):
    M = serializers.IntegerField(allow_null=True)
    F = serializers.IntegerField(allow_null=True)
    total = serializers.IntegerField(allow_null=True)


class GradeCountSerializer(LevelCountSerializer):
    grade = serializers.CharField()


class HeadcountSerializer(serializers.Serializer):
    round = CensusRoundSerializer()
    unit_code = serializers.CharField()
    returns_counted = serializers.IntegerField()
    suppressed = serializers.BooleanField(help_text="True when cells of 1–4 learners were withheld (null).")
    total = serializers.IntegerField(allow_null=True)
    by_level = serializers.DictField(child=LevelCountSerializer())
    by_grade = GradeCountSerializer(many=True)


class ProgressSerializer(serializers.Serializer):
    esa_code = serializers.CharField(source="esa.code")
    esa_name_th = serializers.CharField(source="esa.name_th")
    expected = serializers.IntegerField()
    certified = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
