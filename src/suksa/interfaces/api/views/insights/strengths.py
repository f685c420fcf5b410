"""Insights API: strengths against peers of similar context, and efficiency (DEA).

- ``GET insights/strengths/`` (``round``, ``domain``) — the ESAs of one domain you may see, best
  first, with score, 90 % interval, peer median and count, verdict and ranks with intervals, plus
  the number of ESAs per verdict nationally (an aggregate).
- ``GET insights/strengths/<unit_id>/`` (``round``) — one ESA in your scope: every domain and the
  indicators (values and where they are stored) behind it. Another ESA's id answers 404.
- ``GET insights/efficiency/`` (``round``, ``model`` ccr|bcc) — DEA scores of the ESAs you may see,
  with their reference sets (anonymised for a scoped user) and the composite benchmark.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.policy import Perm
from suksa.domains.insights import selectors_strengths as sel
from suksa.domains.insights.models import Strength
from suksa.domains.insights.models.choices import DataQuality, Verdict
from suksa.domains.insights.services.strengths import DOMAINS
from suksa.interfaces.api.base import SuksaAPIView, validate_bilingual

TAGS = ["insights"]
PK_MAX = 2**63 - 1


class StrengthSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True)
    unit_id = serializers.IntegerField(read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name_th = serializers.CharField(source="unit.name_th", read_only=True)
    unit_name_en = serializers.CharField(source="unit.name_en", read_only=True)
    domain = serializers.CharField(read_only=True, help_text=", ".join(DOMAINS))
    indicator = serializers.CharField(read_only=True, help_text='"" for a domain score.')
    peer_group = serializers.CharField(
        read_only=True, help_text='"<esa type>|<region group>" or "<esa type>|*".'
    )
    peer_count = serializers.IntegerField(read_only=True)
    peer_median = serializers.FloatField(read_only=True, allow_null=True)
    score = serializers.FloatField(read_only=True, allow_null=True)
    low = serializers.FloatField(read_only=True, allow_null=True)
    high = serializers.FloatField(read_only=True, allow_null=True)
    level = serializers.FloatField(read_only=True)
    verdict = serializers.CharField(read_only=True, help_text=", ".join(Verdict.values))
    rank = serializers.IntegerField(read_only=True, allow_null=True)
    rank_low = serializers.IntegerField(read_only=True, allow_null=True)
    rank_high = serializers.IntegerField(read_only=True, allow_null=True)
    quality = serializers.CharField(read_only=True, help_text=", ".join(DataQuality.values))

    class Meta:
        model = Strength
        fields = [
            "id", "unit_id", "unit_code", "unit_name_th", "unit_name_en", "domain", "indicator", "peer_group",
            "peer_count", "peer_median", "score", "low", "high", "level", "verdict", "rank", "rank_low",
            "rank_high", "quality", "sentence_th", "sentence_en",
        ]  # fmt: skip
        read_only_fields = fields


class StrengthDetailSerializer(StrengthSerializer):
    data = serializers.DictField(  # type: ignore[assignment]  # the stored field's name
        read_only=True,
        help_text="indicators [{code, values [{period, value, z, source {model, id}, unit_id}], mean_z}], "
        "covariates, peers, peer_median, se, spread, national_rank {rank, low, high, of}, flags.",
    )

    class Meta(StrengthSerializer.Meta):
        fields = [*StrengthSerializer.Meta.fields, "data"]
        read_only_fields = fields


class StrengthBoardSerializer(serializers.Serializer):
    round_id = serializers.IntegerField(allow_null=True)
    run_id = serializers.IntegerField(allow_null=True)
    domain = serializers.CharField()
    sees_all = serializers.BooleanField(help_text="False: only your ESAs are listed; the rest are counted.")
    verdict_counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Every ESA of the domain."
    )
    total = serializers.IntegerField()
    rows = StrengthSerializer(many=True)


class UnitStrengthsSerializer(serializers.Serializer):
    round_id = serializers.IntegerField(allow_null=True)
    run_id = serializers.IntegerField(allow_null=True)
    unit_id = serializers.IntegerField()
    unit_code = serializers.CharField()
    domains = StrengthDetailSerializer(many=True)
    indicators = StrengthDetailSerializer(many=True)


class PeerSerializer(serializers.Serializer):
    label_th = serializers.CharField()
    label_en = serializers.CharField()
    weight = serializers.FloatField()
    unit_id = serializers.IntegerField(allow_null=True, help_text="null when anonymised for you.")
    code = serializers.CharField(help_text='"" when anonymised.')


class EfficiencyRowSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField(source="row.unit_id")
    unit_code = serializers.CharField(source="row.unit.code")
    unit_name_th = serializers.CharField(source="row.unit.name_th")
    unit_name_en = serializers.CharField(source="row.unit.name_en")
    model = serializers.CharField(source="row.model")
    score = serializers.FloatField(source="row.score", allow_null=True)
    scale_efficiency = serializers.FloatField(source="row.scale_efficiency", allow_null=True)
    sentence_th = serializers.CharField(source="row.sentence_th")
    sentence_en = serializers.CharField(source="row.sentence_en")
    data = serializers.DictField(  # type: ignore[assignment]  # the stored field's name
        source="row.data", help_text="inputs, outputs, context, values (with sources), slacks."
    )
    peers = PeerSerializer(many=True)
    reference = serializers.DictField(help_text="The composite benchmark: Σ λ · inputs and outputs.")


class EfficiencyBoardSerializer(serializers.Serializer):
    round_id = serializers.IntegerField(allow_null=True)
    run_id = serializers.IntegerField(allow_null=True)
    model = serializers.CharField()
    sees_all = serializers.BooleanField()
    summary = serializers.DictField(help_text="Every ESA: units, scored, efficient, median, excluded.")
    rows = EfficiencyRowSerializer(many=True)


class BoardQuerySerializer(serializers.Serializer):
    round = serializers.IntegerField(required=False, min_value=1, max_value=PK_MAX)
    domain = serializers.ChoiceField(choices=list(DOMAINS), required=False, default="learning")


class UnitQuerySerializer(serializers.Serializer):
    round = serializers.IntegerField(required=False, min_value=1, max_value=PK_MAX)


class EfficiencyQuerySerializer(serializers.Serializer):
    round = serializers.IntegerField(required=False, min_value=1, max_value=PK_MAX)
    model = serializers.ChoiceField(choices=list(sel.DEA_MODELS), required=False, default="bcc")


def _ids(obj: Any) -> dict[str, Any]:
    return {"round_id": obj.round.pk if obj.round else None, "run_id": obj.run.pk if obj.run else None}


class StrengthBoardView(SuksaAPIView):
    """The ESAs of one domain you may see, ranked with intervals."""

    serializer_class = StrengthBoardSerializer
    required_perm = Perm.INSIGHTS_VIEW
    pagination_class = None

    @extend_schema(operation_id="insights_strengths", tags=TAGS, summary="Strengths of one domain", parameters=[BoardQuerySerializer])  # fmt: skip
    def get(self, request: Request) -> Response:
        q = validate_bilingual(BoardQuerySerializer, request.query_params)
        board = sel.strength_board(self.actor, q.get("round"), q["domain"])
        payload = {**_ids(board), "domain": board.domain, "sees_all": board.sees_all,
                   "verdict_counts": board.verdict_counts, "total": board.total, "rows": board.rows}  # fmt: skip
        return Response(StrengthBoardSerializer(payload).data)


class UnitStrengthsView(SuksaAPIView):
    """One ESA's strengths: every domain and the indicators behind it."""

    serializer_class = UnitStrengthsSerializer
    required_perm = Perm.INSIGHTS_VIEW

    @extend_schema(operation_id="insights_unit_strengths", tags=TAGS, summary="One ESA's strengths", parameters=[UnitQuerySerializer])  # fmt: skip
    def get(self, request: Request, unit_id: int) -> Response:
        q = validate_bilingual(UnitQuerySerializer, request.query_params)
        view = sel.unit_strengths(self.actor, unit_id, q.get("round"))
        payload = {**_ids(view), "unit_id": view.unit.pk, "unit_code": view.unit.code, "domains": view.domains,
                   "indicators": [r for rows in view.indicators.values() for r in rows]}  # fmt: skip
        return Response(UnitStrengthsSerializer(payload).data)


class EfficiencyView(SuksaAPIView):
    """DEA efficiency of the ESAs you may see, with reference sets."""

    serializer_class = EfficiencyBoardSerializer
    required_perm = Perm.INSIGHTS_VIEW
    pagination_class = None

    @extend_schema(operation_id="insights_efficiency", tags=TAGS, summary="Efficiency (DEA)", parameters=[EfficiencyQuerySerializer])  # fmt: skip
    def get(self, request: Request) -> Response:
        q = validate_bilingual(EfficiencyQuerySerializer, request.query_params)
        board = sel.efficiency_board(self.actor, q.get("round"), q["model"])
        payload = {**_ids(board), "model": board.model, "sees_all": board.sees_all, "summary": board.summary,
                   "rows": board.rows}  # fmt: skip
        return Response(EfficiencyBoardSerializer(payload).data)


urlpatterns: list[URLPattern] = [
    path("insights/strengths/", StrengthBoardView.as_view(), name="insights_strengths"),
    path("insights/strengths/<int:unit_id>/", UnitStrengthsView.as_view(), name="insights_unit_strengths"),
    path("insights/efficiency/", EfficiencyView.as_view(), name="insights_efficiency"),
]
