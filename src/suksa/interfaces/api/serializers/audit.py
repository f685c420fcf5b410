"""The audit log as the API shows it to a DPO or system administrator."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework import serializers

from suksa.core.i18n import pick
from suksa.core.models import AuditEntry
from suksa.interfaces.api.serializers.common import BeDisplayField

MIN_DAY = dt.date(1900, 1, 1)
MAX_DAY = dt.date(9000, 12, 31)


class AuditFilterSerializer(serializers.Serializer):
    since = serializers.DateField(
        required=False, help_text="First day (ISO CE date, inclusive, Bangkok time)."
    )
    until = serializers.DateField(required=False, help_text="Last day (ISO CE date, inclusive).")
    actor = serializers.CharField(max_length=150, required=False, help_text="Part of the acting username.")
    action = serializers.ChoiceField(choices=AuditEntry.Action.choices, required=False)
    object_type = serializers.CharField(max_length=100, required=False, help_text="e.g. `core.school`.")
    object_id = serializers.CharField(max_length=64, required=False)
    unit = serializers.CharField(max_length=20, required=False, help_text="Entries of this unit's subtree.")

    def _in_range(self, day: dt.date | None) -> dt.date | None:
        # The selector adds a day to ``until``; 9999-12-31 would overflow (and no entry is that old
        # or that new anyway).
        if day is not None and not (MIN_DAY <= day <= MAX_DAY):
            raise serializers.ValidationError(
                pick(f"ต้องอยู่ระหว่าง {MIN_DAY} ถึง {MAX_DAY}", f"Must be between {MIN_DAY} and {MAX_DAY}"),
                code="date_out_of_range",
            )
        return day

    def validate_since(self, day: dt.date | None) -> dt.date | None:
        return self._in_range(day)

    def validate_until(self, day: dt.date | None) -> dt.date | None:
        return self._in_range(day)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("since") and attrs.get("until") and attrs["since"] > attrs["until"]:
            raise serializers.ValidationError({"until": pick("ต้องไม่ก่อนวันเริ่มต้น", "Must not be before since")})
        return attrs


class AuditEntrySerializer(serializers.ModelSerializer):
    at_display = BeDisplayField(source="at")
    action_label = serializers.SerializerMethodField()
    ip_address = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "at_display",
            "actor_id",
            "actor_username",
            "action",
            "action_label",
            "object_type",
            "object_id",
            "object_repr",
            "unit_path",
            "changes",
            "source",
            "ip_address",
            "user_agent",
            "request_id",
        ]
        read_only_fields = fields

    def get_action_label(self, entry: AuditEntry) -> str:
        label = str(AuditEntry.Action(entry.action).label) if entry.action in AuditEntry.Action.values else ""
        th, _, en = label.partition(" / ")
        return pick(th, en or th)
