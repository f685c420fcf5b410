"""Insights API: trends of indicators for ESAs, inspection regions and the nation.

- ``GET insights/trends/`` (``?round=&indicator=&unit=&direction=``) — the trends of the round's
  current run (default: the latest round with a run) for the units you may see: your own, and the
  region and nation above it. Without ``unit``: every such unit. Paginated (limit/offset).
- ``GET insights/trends/<id>/`` — one trend with its points (period, value, source, used, outlier
  score), the Mann–Kendall and Theil–Sen figures, the trend with outliers, and quality findings.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.policy import Perm
from suksa.domains.insights import selectors_trends as sel
from suksa.domains.insights.models import Trend
from suksa.domains.insights.models.choices import DataQuality, TrendDirection
from suksa.domains.insights.selectors import run_for, unit_get
from suksa.interfaces.api.base import SuksaAPIView, SuksaListView

TAGS = ["insights"]
PK_MAX = 2**63 - 1


class TrendSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True)
    run_id = serializers.IntegerField(read_only=True)
    unit_id = serializers.IntegerField(read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_kind = serializers.CharField(source="unit.kind", read_only=True, help_text="nation, region or esa")
    unit_name_th = serializers.CharField(source="unit.name_th", read_only=True)
    unit_name_en = serializers.CharField(source="unit.name_en", read_only=True)
    indicator = serializers.CharField(read_only=True, help_text="Catalogue code.")
    period_kind = serializers.CharField(read_only=True, help_text="census, year, fiscal_year or round")
    series = serializers.JSONField(
        read_only=True, help_text="[[period, value], …] in time order: every value given, outliers included."
    )
    n = serializers.IntegerField(read_only=True, help_text="Values the stored trend used.")
    direction = serializers.CharField(read_only=True, help_text=", ".join(TrendDirection.values))
    good = serializers.BooleanField(read_only=True, allow_null=True)
    slope = serializers.FloatField(read_only=True, allow_null=True, help_text="Theil–Sen, per year.")
    slope_low = serializers.FloatField(read_only=True, allow_null=True, help_text="95 % interval.")
    slope_high = serializers.FloatField(read_only=True, allow_null=True)
    tau = serializers.FloatField(read_only=True, allow_null=True)
    p_value = serializers.FloatField(read_only=True, allow_null=True, help_text="Mann–Kendall, Hamed–Rao.")
    significant = serializers.BooleanField(read_only=True)
    change_points = serializers.ListField(child=serializers.CharField(), read_only=True)
    outliers = serializers.ListField(child=serializers.CharField(), read_only=True)
    quality = serializers.CharField(read_only=True, help_text=", ".join(DataQuality.values))
    sentence_th = serializers.CharField(read_only=True)
    sentence_en = serializers.CharField(read_only=True)

    class Meta:
        model = Trend
        fields = [
            "id", "run_id", "unit_id", "unit_code", "unit_kind", "unit_name_th", "unit_name_en", "indicator",
            "period_kind", "series", "n", "direction", "good", "slope", "slope_low", "slope_high", "tau",
            "p_value", "significant", "change_points", "outliers", "quality", "sentence_th", "sentence_en",
        ]  # fmt: skip
        read_only_fields = fields


class TrendDetailSerializer(TrendSerializer):
    data = serializers.DictField(  # type: ignore[assignment]  # the evidence field is called "data"
        read_only=True,
        help_text="unit {id, code, kind}; points [{period, t, value, source {model, id}, used, outlier_score}]; "
        "missing; mk {n, s, var_s, correction, significant_lags, z, p, tau}; sen {slope, intercept, low, high}; "
        "outliers_set_aside; with_outliers (the trend on every value, or null); change_point_penalty; "
        "noise_sigma; flags [{kind, severity, report_id}]; parameters.",
    )

    class Meta(TrendSerializer.Meta):
        fields = [*TrendSerializer.Meta.fields, "data"]
        read_only_fields = fields


class TrendFilterSerializer(serializers.Serializer):
    round = serializers.IntegerField(required=False, min_value=1, max_value=PK_MAX)
    indicator = serializers.CharField(required=False, allow_blank=True, max_length=60)
    unit = serializers.IntegerField(required=False, min_value=1, max_value=PK_MAX)
    direction = serializers.ChoiceField(choices=TrendDirection.choices, required=False, allow_blank=True)


class TrendListView(SuksaListView):
    """Trends of the round's current run for the units you may see (filter by indicator, unit, direction)."""

    serializer_class = TrendSerializer
    filter_serializer_class = TrendFilterSerializer
    required_perm = Perm.INSIGHTS_VIEW

    @extend_schema(
        operation_id="insights_trends_list", tags=TAGS, summary="Indicator trends",
        parameters=[TrendFilterSerializer],
    )  # fmt: skip
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Trend]:
        f = self.filters
        indicator = (
            sel.check_indicator(f.get("indicator", ""), sel.indicator_names()) if f.get("indicator") else ""
        )
        unit = unit_get(self.actor, f["unit"]) if f.get("unit") else None
        _, run = run_for(f.get("round"))
        if run is None:
            return Trend.objects.none()
        qs = sel.visible_trends(self.actor, run)
        if unit is not None:
            qs = qs.filter(unit=unit)
        if indicator:
            qs = qs.filter(indicator=indicator)
        if f.get("direction"):
            qs = qs.filter(direction=f["direction"])
        return qs.order_by(sel.KIND_ORDER, "unit__code", "indicator")


class TrendDetailView(SuksaAPIView):
    """One trend with its points, their sources and the statistics behind the verdict."""

    serializer_class = TrendDetailSerializer
    required_perm = Perm.INSIGHTS_VIEW

    @extend_schema(operation_id="insights_trend_retrieve", tags=TAGS, summary="One trend")
    def get(self, request: Request, trend_id: int) -> Response:
        return Response(TrendDetailSerializer(sel.trend_get(self.actor, trend_id)).data)


urlpatterns: list[URLPattern] = [
    path("insights/trends/", TrendListView.as_view(), name="insights_trends"),
    path("insights/trends/<int:trend_id>/", TrendDetailView.as_view(), name="insights_trend"),
]
