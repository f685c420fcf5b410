"""Insights API: outstanding works checked against the numbers, and the case-study shortlist.

- ``GET insights/work-checks/`` (``round``, ``esa``) — per ESA in your scope, the count of works by
  verdict; with ``esa`` (in your scope, else 404), each work's verdict and reasons.
- ``GET insights/cases/`` (``round``) — the shortlisted target areas you may see (national: all;
  inspector: your region's; ESA: your own, if picked) with reasons and evidence, and the total.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.policy import Perm
from suksa.domains.insights import selectors_cases as sel
from suksa.interfaces.api.base import SuksaAPIView, validate_bilingual

TAGS = ["insights"]
PK_MAX = 2**63 - 1


class WorkChecksQuerySerializer(serializers.Serializer):
    round = serializers.IntegerField(required=False, min_value=1, max_value=PK_MAX)
    esa = serializers.IntegerField(required=False, min_value=1, max_value=PK_MAX)


class CasesQuerySerializer(serializers.Serializer):
    round = serializers.IntegerField(required=False, min_value=1, max_value=PK_MAX)


class WorkCheckSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    work_id = serializers.IntegerField()
    rank = serializers.IntegerField(source="work.rank")
    title = serializers.CharField(source="work.title")
    esa_id = serializers.IntegerField()
    verdict = serializers.CharField(help_text="supported, unsupported or no_data")
    quality = serializers.CharField()
    reasons = serializers.JSONField(help_text="[{kind, verdict, code|school, text_th, text_en, trend_id…}]")
    sentence_th = serializers.CharField()
    sentence_en = serializers.CharField()


class EsaSummarySerializer(serializers.Serializer):
    esa_id = serializers.IntegerField()
    code = serializers.CharField()
    name_th = serializers.CharField()
    name_en = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    total = serializers.IntegerField()


class WorkChecksSerializer(serializers.Serializer):
    round_id = serializers.IntegerField(allow_null=True)
    run_id = serializers.IntegerField(allow_null=True)
    esa_id = serializers.IntegerField(allow_null=True)
    summary = EsaSummarySerializer(many=True)
    checks = WorkCheckSerializer(many=True)


class CasePickSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    rank = serializers.IntegerField()
    esa_id = serializers.IntegerField()
    esa_code = serializers.CharField(source="esa.code")
    esa_name_th = serializers.CharField(source="esa.name_th")
    esa_name_en = serializers.CharField(source="esa.name_en")
    score = serializers.FloatField()
    theme = serializers.CharField()
    reason_th = serializers.CharField()
    reason_en = serializers.CharField()
    quality = serializers.CharField()
    evidence = serializers.JSONField(help_text="parts, deviant_schools, strengths, supported_works, docs")


class CasesSerializer(serializers.Serializer):
    round_id = serializers.IntegerField(allow_null=True)
    run_id = serializers.IntegerField(allow_null=True)
    national = serializers.BooleanField()
    total = serializers.IntegerField(help_text="Picks in the run (every target area).")
    picks = CasePickSerializer(many=True)


class WorkChecksView(SuksaAPIView):
    """Outstanding works cross-checked against the ESA's numbers."""

    serializer_class = WorkChecksSerializer
    required_perm = Perm.INSIGHTS_VIEW
    pagination_class = None

    @extend_schema(operation_id="insights_work_checks", tags=TAGS, summary="Outstanding works checked", parameters=[WorkChecksQuerySerializer])  # fmt: skip
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        q = validate_bilingual(WorkChecksQuerySerializer, request.query_params)
        view = sel.work_checks(self.actor, q.get("round"), q.get("esa"))
        payload = {
            "round_id": view.round.pk if view.round else None, "run_id": view.run.pk if view.run else None,
            "esa_id": view.esa.pk if view.esa else None, "summary": view.summary, "checks": view.checks,
        }  # fmt: skip
        return Response(WorkChecksSerializer(payload).data)


class CasesView(SuksaAPIView):
    """The case-study shortlist among the target areas."""

    serializer_class = CasesSerializer
    required_perm = Perm.INSIGHTS_VIEW
    pagination_class = None

    @extend_schema(operation_id="insights_cases", tags=TAGS, summary="Case-study shortlist", parameters=[CasesQuerySerializer])  # fmt: skip
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        q = validate_bilingual(CasesQuerySerializer, request.query_params)
        view = sel.cases(self.actor, q.get("round"))
        payload = {
            "round_id": view.round.pk if view.round else None, "run_id": view.run.pk if view.run else None,
            "national": view.national, "total": view.total, "picks": view.picks,
        }  # fmt: skip
        return Response(CasesSerializer(payload).data)


urlpatterns: list[URLPattern] = [
    path("insights/work-checks/", WorkChecksView.as_view(), name="insights_work_checks"),
    path("insights/cases/", CasesView.as_view(), name="insights_cases"),
]
