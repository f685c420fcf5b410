"""Monitoring (e-MES) API: the national status board of a round and the reporting burden.

- ``GET monitoring/rounds/<id>/status/`` — per ESA in your scope: status, submitted / late,
  reviewer, days to the due date or overdue, open data problems, works checked; totals by status and
  by inspection region. Needs ``report.view`` (or ``report.review``: a reviewer's assignments).
- ``GET monitoring/rounds/<id>/burden/`` and ``GET monitoring/burden/`` — fields asked versus
  pre-filled and editing time per round, compared with the previous round (aggregates only).
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.errors import PermissionDenied
from suksa.domains.monitoring import selectors_status as sel
from suksa.domains.monitoring.selectors import round_get
from suksa.interfaces.api.base import SuksaAPIView

TAGS = ["monitoring"]


class StatusBoardRowSerializer(serializers.Serializer):
    esa_code = serializers.CharField()
    esa_name_th = serializers.CharField()
    esa_name_en = serializers.CharField()
    region_code = serializers.CharField()
    report_id = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(help_text="A report status, or missing (no report in the round).")
    submitted_at = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField(help_text="Submitted after the due date.")
    overdue = serializers.BooleanField(help_text="Not received and past the due date.")
    days_to_due = serializers.IntegerField(
        allow_null=True, help_text="Not received: days left (negative: overdue)."
    )
    reviewer_name_th = serializers.CharField(help_text='"" when no reviewer is assigned.')
    reviewer_name_en = serializers.CharField()
    open_problems = serializers.IntegerField()
    works = serializers.IntegerField()
    works_checked = serializers.IntegerField(help_text="Works verified, partly verified or not verified.")
    works_verified = serializers.IntegerField()


class StatusRegionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_th = serializers.CharField()
    name_en = serializers.CharField()
    expected = serializers.IntegerField()
    received = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    overdue = serializers.IntegerField()
    completeness = serializers.FloatField(allow_null=True)
    by_status = serializers.DictField(child=serializers.IntegerField())


class StatusBoardSerializer(serializers.Serializer):
    round_id = serializers.IntegerField(source="round.pk")
    round = serializers.CharField(source="round.key")
    due_on = serializers.DateField(source="round.due_on")
    locks_on = serializers.DateField(source="round.locks_on")
    today = serializers.DateField()
    phase = serializers.CharField(help_text="upcoming, open, overdue or locked.")
    expected = serializers.IntegerField()
    received = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    overdue = serializers.IntegerField()
    completeness = serializers.FloatField(allow_null=True, help_text="received / expected")
    timeliness = serializers.FloatField(allow_null=True, help_text="on time / expected")
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_region = StatusRegionSerializer(many=True)
    rows = StatusBoardRowSerializer(many=True)


class BurdenRowSerializer(serializers.Serializer):
    round_id = serializers.IntegerField()
    round = serializers.CharField(source="key")
    name_th = serializers.CharField()
    name_en = serializers.CharField()
    period_end = serializers.DateField()
    reports = serializers.IntegerField(help_text="Pre-filled reports counted.")
    fields_asked = serializers.IntegerField(help_text="Total over the reports.")
    fields_prefilled = serializers.IntegerField()
    asked_per_report = serializers.FloatField(allow_null=True)
    prefilled_per_report = serializers.FloatField(allow_null=True)
    paper_fields_per_report = serializers.FloatField(allow_null=True, help_text="asked + pre-filled.")
    prefilled_share = serializers.FloatField(
        allow_null=True, help_text="The reduction: pre-filled / (asked + pre-filled)."
    )
    edited_reports = serializers.IntegerField()
    total_seconds = serializers.IntegerField()
    median_seconds = serializers.FloatField(allow_null=True)
    minutes_per_report = serializers.FloatField(allow_null=True, help_text="Mean over the edited reports.")
    previous_round = serializers.CharField(source="previous_key", allow_null=True)
    change_minutes = serializers.FloatField(allow_null=True)
    change_minutes_share = serializers.FloatField(allow_null=True)
    change_prefilled_share = serializers.FloatField(allow_null=True)
    change_asked = serializers.FloatField(allow_null=True)


def _may_see_burden(view: SuksaAPIView) -> None:
    if not sel.may_see_burden(view.actor):
        raise PermissionDenied.default()


class RoundStatusView(SuksaAPIView):
    """Where every ESA's report of the round stands (the ESAs in your scope)."""

    serializer_class = StatusBoardSerializer
    pagination_class = None  # at most 245 rows

    @extend_schema(
        operation_id="monitoring_round_status", tags=TAGS, summary="National status board of a round"
    )
    def get(self, request: Request, round_id: int) -> Response:
        if not sel.may_see_board(self.actor):
            raise PermissionDenied.default()
        board = sel.status_board(self.actor, round_get(round_id))
        return Response(StatusBoardSerializer(board).data)


class RoundBurdenView(SuksaAPIView):
    """The reporting burden of one round, compared with the previous round."""

    serializer_class = BurdenRowSerializer

    @extend_schema(operation_id="monitoring_round_burden", tags=TAGS, summary="Reporting burden of a round")
    def get(self, request: Request, round_id: int) -> Response:
        _may_see_burden(self)
        return Response(BurdenRowSerializer(sel.burden(round_get(round_id))).data)


class BurdenView(SuksaAPIView):
    """The reporting burden of every round, oldest first."""

    serializer_class = BurdenRowSerializer
    pagination_class = None

    @extend_schema(
        operation_id="monitoring_burden", tags=TAGS, summary="Reporting burden per round",
        responses=BurdenRowSerializer(many=True),
    )  # fmt: skip
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _may_see_burden(self)
        return Response(BurdenRowSerializer(sel.burden_by_round(), many=True).data)


urlpatterns: list[URLPattern] = [
    path(
        "monitoring/rounds/<int:round_id>/status/", RoundStatusView.as_view(), name="monitoring-round-status"
    ),
    path(
        "monitoring/rounds/<int:round_id>/burden/", RoundBurdenView.as_view(), name="monitoring-round-burden"
    ),
    path("monitoring/burden/", BurdenView.as_view(), name="monitoring-burden"),
]
