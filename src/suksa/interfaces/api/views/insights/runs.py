"""Insights API: runs of a round — list and start, and one run's provenance and progress.

- ``GET insights/runs/?round=<id>`` — the runs, newest first (national roles holding
  ``insights.view``; others 403).
- ``POST insights/runs/`` ``{"round": id}`` — queue a run of the round as a background job (the
  national M&E bureau, ``insights.run``); answers 202 with the run (an already queued or running run
  of the round is returned instead of a second one).
- ``GET insights/runs/<run_id>/`` — one run: parameters, method versions, inputs, every stage's
  status, seconds, peak memory and counts, and its progress while it computes.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied
from suksa.core.policy import Perm
from suksa.domains.insights import selectors_runs as sel
from suksa.domains.insights.models import InsightRun
from suksa.domains.insights.models.choices import RunTrigger
from suksa.domains.insights.services.run import start_run
from suksa.domains.monitoring.selectors import round_get
from suksa.interfaces.api.base import SuksaAPIView, SuksaListView, validate_bilingual

TAGS = ["insights"]
PK_MAX = 2**63 - 1


class StageSerializer(serializers.Serializer):
    key = serializers.CharField()
    label_th = serializers.CharField()
    label_en = serializers.CharField()
    status = serializers.CharField(help_text="done, failed, running or pending.")
    seconds = serializers.FloatField(allow_null=True)
    peak_mib = serializers.FloatField(
        allow_null=True, help_text="Peak traced memory (runs with trace_memory)."
    )
    counts = serializers.DictField(help_text="What the stage wrote, by kind (numbers).")
    method_version = serializers.CharField()
    finished_at = serializers.CharField(help_text='ISO time, "" while not done.')


class RunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    round_id = serializers.IntegerField()
    round = serializers.CharField(source="round.key")
    status = serializers.CharField(help_text="queued, running, done or failed.")
    trigger = serializers.CharField(help_text="cli, web, api, approval or demo.")
    requested_by = serializers.SerializerMethodField()
    is_current = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_requested_by(self, run: InsightRun) -> str:
        return run.requested_by.username if run.requested_by_id and run.requested_by else ""


class RunProgressSerializer(serializers.Serializer):
    stages_done = serializers.IntegerField()
    stages_total = serializers.IntegerField()
    current_th = serializers.CharField()
    current_en = serializers.CharField()
    step_done = serializers.IntegerField()
    step_total = serializers.IntegerField(allow_null=True)
    percent = serializers.IntegerField(allow_null=True)
    finished = serializers.BooleanField()


class RunDetailSerializer(RunSerializer):
    parameters = serializers.DictField()
    method_versions = serializers.DictField(child=serializers.CharField())
    inputs = serializers.DictField()
    error = serializers.CharField()
    stages = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    @extend_schema_field(StageSerializer(many=True))
    def get_stages(self, run: InsightRun) -> list[dict[str, Any]]:
        return list(StageSerializer(sel.stage_rows(run), many=True).data)

    @extend_schema_field(RunProgressSerializer)
    def get_progress(self, run: InsightRun) -> dict[str, Any]:
        return dict(RunProgressSerializer(sel.run_progress(run)).data)


class RunQuerySerializer(serializers.Serializer):
    round = serializers.IntegerField(required=False, min_value=1, max_value=PK_MAX, help_text="A round id.")


class RunStartSerializer(serializers.Serializer):
    round = serializers.IntegerField(min_value=1, max_value=PK_MAX, help_text="The round to compute.")


class RunListView(SuksaListView):
    """The insights runs, newest first (national roles); POST queues a run of a round."""

    serializer_class = RunSerializer
    filter_serializer_class = RunQuerySerializer
    required_perm = Perm.INSIGHTS_VIEW

    @extend_schema(
        operation_id="insights_runs_list", tags=TAGS, summary="Insights runs", parameters=[RunQuerySerializer]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not sel.may_see_runs(self.actor):
            raise PermissionDenied.default()
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return sel.runs_list(self.actor, self.filters.get("round"))

    @extend_schema(
        operation_id="insights_runs_start", tags=TAGS, summary="Start an insights run (insights.run)",
        request=RunStartSerializer, responses={202: RunDetailSerializer},
    )  # fmt: skip
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not sel.may_start(self.actor):
            raise PermissionDenied.default()
        data = validate_bilingual(RunStartSerializer, request.data)
        try:
            rnd = round_get(data["round"])
        except NotFoundOrNoAccess:
            raise InvalidInput.single(
                "unknown_round", "ไม่พบรอบการรายงาน (round)", "The round does not exist", field="round"
            ) from None
        run = start_run(actor=self.actor, round=rnd, trigger=RunTrigger.API)
        return Response(RunDetailSerializer(sel.run_get(self.actor, run.pk)).data, status=202)


class RunDetailView(SuksaAPIView):
    """One insights run with its provenance and progress."""

    serializer_class = RunDetailSerializer
    required_perm = Perm.INSIGHTS_VIEW

    @extend_schema(operation_id="insights_runs_retrieve", tags=TAGS, summary="One insights run")
    def get(self, request: Request, run_id: int) -> Response:
        return Response(RunDetailSerializer(sel.run_get(self.actor, run_id)).data)


urlpatterns: list[URLPattern] = [
    path("insights/runs/", RunListView.as_view(), name="insights_runs"),
    path("insights/runs/<int:run_id>/", RunDetailView.as_view(), name="insights_run"),
]
