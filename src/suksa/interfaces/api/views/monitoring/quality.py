"""Data quality over REST: one report's issues, a round's quality board and its completeness.

- ``monitoring/reports/<report_id>/quality/``: scoped like the report (``report.view`` over its
  ESA, or the reviewer it is assigned to); anything else is not found.
- ``monitoring/rounds/<round_id>/quality/`` and ``.../completeness/``: for callers who may see
  reports (``report.view``, ``report.review`` or ``monitoring.manage``; others 403); rounds are
  national, and only the rows of the ESAs the caller sees are returned (totals are those rows').

Messages come in both languages (``message_th``/``message_en``); ``evidence`` carries the numbers
behind each finding (median, MAD, score, prior mean, change, bounds …).
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.errors import PermissionDenied
from suksa.domains.monitoring import selectors_quality as sel
from suksa.domains.monitoring.models import Round
from suksa.domains.monitoring.services import quality as svc
from suksa.interfaces.api.base import SuksaAPIView
from suksa.interfaces.api.serializers.common import BeDisplayField

TAGS = ["monitoring"]


class QualityIssueSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="The rule's code, or the check: required, range, outlier_history, …"
    )
    kind = serializers.CharField(
        help_text="range | required | required_comment | compare | outlier_history | outlier_peers | "
        "change_33 | missing_prefill | narrative"
    )
    severity = serializers.CharField(help_text="blocking | warning")
    message_th = serializers.CharField()
    message_en = serializers.CharField()
    indicator_code = serializers.CharField(allow_null=True)
    value_id = serializers.IntegerField(allow_null=True)
    commented = serializers.BooleanField(
        help_text="A warning answered by a comment (or a data problem raised)."
    )
    evidence = serializers.DictField(
        child=serializers.JSONField(), help_text="The numbers behind the finding."
    )


class ReportQualitySerializer(serializers.Serializer):
    report_id = serializers.IntegerField()
    round_id = serializers.IntegerField()
    esa_code = serializers.CharField()
    can_submit = serializers.BooleanField(help_text="No blocking issue and every warning answered.")
    blocking = serializers.IntegerField()
    warnings = serializers.IntegerField()
    uncommented = serializers.IntegerField()
    issues = QualityIssueSerializer(many=True)


class QualityRoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField(help_text='e.g. "2569/m12"')
    name_th = serializers.CharField()
    name_en = serializers.CharField()
    due_on = serializers.DateField()
    locks_on = serializers.DateField()
    phase = serializers.CharField(help_text="upcoming | open | overdue | locked")


class QualityBoardRowSerializer(serializers.Serializer):
    esa_id = serializers.IntegerField()
    esa_code = serializers.CharField()
    esa_name_th = serializers.CharField()
    esa_name_en = serializers.CharField()
    region_code = serializers.CharField()
    report_id = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(help_text="The report's status, or missing")
    blocking = serializers.IntegerField()
    warnings = serializers.IntegerField()
    uncommented = serializers.IntegerField()
    can_submit = serializers.BooleanField(allow_null=True)
    by_kind = serializers.DictField(child=serializers.IntegerField())


class QualityBoardSerializer(serializers.Serializer):
    round = QualityRoundSerializer()
    rows = QualityBoardRowSerializer(many=True)


class CompletenessShareSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    expected = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    target = serializers.FloatField()
    flag_below = serializers.FloatField()
    meets_target = serializers.BooleanField()
    flagged = serializers.BooleanField()


class CompletenessTotalsSerializer(serializers.Serializer):
    expected = serializers.IntegerField()
    received = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField()
    completeness = CompletenessShareSerializer()
    timeliness = CompletenessShareSerializer()
    flags = serializers.ListField(child=serializers.CharField())


class CompletenessRowSerializer(serializers.Serializer):
    esa_id = serializers.IntegerField()
    esa_code = serializers.CharField()
    esa_name_th = serializers.CharField()
    esa_name_en = serializers.CharField()
    esa_type = serializers.CharField()
    region_code = serializers.CharField()
    report_id = serializers.IntegerField(allow_null=True)
    has_report = serializers.BooleanField()
    status = serializers.CharField()
    received = serializers.BooleanField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_at_display = BeDisplayField(source="submitted_at")
    on_time = serializers.BooleanField(allow_null=True, help_text="null: not in yet, and not yet due")
    days_late = serializers.IntegerField()
    items = serializers.IntegerField(help_text="Values and narrative sections in the report")
    items_filled = serializers.IntegerField()
    content_rate = serializers.FloatField(allow_null=True)
    flags = serializers.ListField(
        child=serializers.CharField(), help_text="missing, not_submitted, late, incomplete"
    )


class CompletenessThresholdsSerializer(serializers.Serializer):
    completeness_target = serializers.FloatField()
    completeness_flag = serializers.FloatField()
    timeliness_target = serializers.FloatField()


class RoundCompletenessSerializer(serializers.Serializer):
    round = QualityRoundSerializer()
    today = serializers.DateField()
    rows = CompletenessRowSerializer(many=True)
    totals = CompletenessTotalsSerializer()
    thresholds = CompletenessThresholdsSerializer()


def _issue(issue: Any) -> dict[str, Any]:
    return {
        "code": issue.code, "kind": issue.kind, "severity": issue.severity, "message_th": issue.message_th,
        "message_en": issue.message_en, "indicator_code": issue.indicator_code, "value_id": issue.value_id,
        "commented": issue.commented, "evidence": issue.evidence,
    }  # fmt: skip


class ReportQualityView(SuksaAPIView):
    """One report's data-quality issues: blocking errors first, then warnings (answered or not)."""

    serializer_class = ReportQualitySerializer

    @extend_schema(
        operation_id="monitoring_report_quality", tags=TAGS, summary="A report's data-quality issues"
    )
    def get(self, request: Request, report_id: int) -> Response:
        report = sel.report_for_quality(self.actor, report_id)
        result = svc.report_check(report)
        body = {
            "report_id": report.pk,
            "round_id": report.round_id,
            "esa_code": report.esa.code,
            "can_submit": result.can_submit,
            "blocking": len(result.blocking),
            "warnings": len(result.warnings),
            "uncommented": len(result.uncommented_warnings),
            "issues": [_issue(i) for i in result.issues],
        }
        return Response(ReportQualitySerializer(body).data)


class _RoundView(SuksaAPIView):
    pagination_class = None  # one row per ESA in scope: at most 245

    def _round(self, round_id: int) -> tuple[Round, set[int]]:
        if not sel.may_see_quality(self.actor):
            raise PermissionDenied.default()
        rnd = sel.quality_round(round_id)
        return rnd, sel.visible_esa_ids(self.actor, rnd)


class RoundQualityView(_RoundView):
    """The round's quality board: per ESA in the caller's scope, its blocking issues and warnings."""

    serializer_class = QualityBoardSerializer

    @extend_schema(operation_id="monitoring_round_quality", tags=TAGS, summary="A round's data-quality board")
    def get(self, request: Request, round_id: int) -> Response:
        rnd, esa_ids = self._round(round_id)
        completeness = svc.round_completeness(rnd, esa_ids=esa_ids)
        board = svc.round_quality_board(rnd, esa_ids=esa_ids)
        rows = []
        for row in completeness["rows"]:
            counts = board.get(row["esa_id"])
            rows.append(
                {
                    **row,
                    "blocking": counts.blocking if counts else 0,
                    "warnings": counts.warnings if counts else 0,
                    "uncommented": counts.uncommented if counts else 0,
                    "can_submit": counts.can_submit if counts else None,
                    "by_kind": counts.by_kind if counts else {},
                }
            )
        return Response(QualityBoardSerializer({"round": completeness["round"], "rows": rows}).data)


class RoundCompletenessView(_RoundView):
    """Completeness (received / expected) and timeliness (on time / expected) of a round, per ESA in
    the caller's scope and in total, against the thresholds (≥ 95 % complete, flagged below 90 %;
    ≥ 90 % on time)."""

    serializer_class = RoundCompletenessSerializer

    @extend_schema(
        operation_id="monitoring_round_completeness",
        tags=TAGS,
        summary="A round's completeness and timeliness",
    )
    def get(self, request: Request, round_id: int) -> Response:
        rnd, esa_ids = self._round(round_id)
        return Response(RoundCompletenessSerializer(svc.round_completeness(rnd, esa_ids=esa_ids)).data)


urlpatterns = [
    path(
        "monitoring/reports/<int:report_id>/quality/",
        ReportQualityView.as_view(),
        name="monitoring-report-quality",
    ),
    path(
        "monitoring/rounds/<int:round_id>/quality/",
        RoundQualityView.as_view(),
        name="monitoring-round-quality",
    ),
    path(
        "monitoring/rounds/<int:round_id>/completeness/",
        RoundCompletenessView.as_view(),
        name="monitoring-round-completeness",
    ),
]
