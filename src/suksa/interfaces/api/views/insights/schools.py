"""Insights API: school models worth scaling.

- ``GET insights/school-models/`` (``round``) — the structural groups (per O-NET test) you may see,
  with their deviant counts and what the deviants share. A scoped reader gets the groups that hold
  their schools, with the evidence of their own ESAs only.
- ``GET insights/school-models/<group_id>/`` — one group and the deviants / near misses among your
  schools, with residual, standard error, years, yearly values (traced to stored values) and the
  texts that name them. Another ESA's group is 404.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.policy import Perm
from suksa.domains.insights import selectors_schools as sel
from suksa.interfaces.api.base import SuksaAPIView, validate_bilingual

TAGS = ["insights"]
PK_MAX = 2**63 - 1


class RoundQuerySerializer(serializers.Serializer):
    round = serializers.IntegerField(required=False, min_value=1, max_value=PK_MAX)


class SchoolGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    key = serializers.CharField()
    name_th = serializers.CharField()
    name_en = serializers.CharField()
    definition = serializers.JSONField(
        help_text="indicator, level, size_band, area_type, merged_from, esa_ids, medians…"
    )
    school_count = serializers.IntegerField()
    deviant_count = serializers.IntegerField()
    shared = serializers.JSONField(
        help_text="practices [{key, deviants_share, others_share, lift}], staffing, size"
    )
    evidence = serializers.JSONField(help_text="Docs naming deviant schools (your ESAs only when scoped).")
    sentence_th = serializers.CharField()
    sentence_en = serializers.CharField()


class SchoolModelsSerializer(serializers.Serializer):
    round_id = serializers.IntegerField(allow_null=True)
    run_id = serializers.IntegerField(allow_null=True)
    national = serializers.BooleanField(help_text="False: only groups holding schools in your scope.")
    deviants = serializers.IntegerField()
    schools = serializers.IntegerField()
    groups = SchoolGroupSerializer(many=True)


class SchoolDevianceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    school_id = serializers.IntegerField()
    school_code = serializers.CharField(source="school.code")
    school_name_th = serializers.CharField(source="school.name_th")
    esa_id = serializers.IntegerField()
    esa_code = serializers.CharField(source="esa.code")
    indicator = serializers.CharField()
    observed = serializers.FloatField()
    expected = serializers.FloatField()
    residual = serializers.FloatField()
    z = serializers.FloatField(help_text="Residual over its standard error.")
    years = serializers.IntegerField()
    is_deviant = serializers.BooleanField()
    quality = serializers.CharField()
    named_in = serializers.JSONField()
    details = serializers.JSONField(
        source="data", help_text="se, level_z, yearly [{period, observed, expected, residual, source}], …"
    )


class SchoolGroupDetailSerializer(serializers.Serializer):
    group = SchoolGroupSerializer()
    national = serializers.BooleanField()
    hidden = serializers.IntegerField(help_text="Deviants of the group outside your scope (count only).")
    rows = SchoolDevianceSerializer(many=True)


class SchoolModelsView(SuksaAPIView):
    """Structural school groups and their positive deviants."""

    serializer_class = SchoolModelsSerializer
    required_perm = Perm.INSIGHTS_VIEW
    pagination_class = None

    @extend_schema(operation_id="insights_school_models", tags=TAGS, summary="School models worth scaling", parameters=[RoundQuerySerializer])  # fmt: skip
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        q = validate_bilingual(RoundQuerySerializer, request.query_params)
        view = sel.school_models(self.actor, q.get("round"))
        payload = {
            "round_id": view.round.pk if view.round else None, "run_id": view.run.pk if view.run else None,
            "national": view.national, "deviants": view.deviants, "schools": view.schools, "groups": view.groups,
        }  # fmt: skip
        return Response(SchoolModelsSerializer(payload).data)


class SchoolGroupView(SuksaAPIView):
    """One school group: your deviant schools with residual ± SE and the evidence."""

    serializer_class = SchoolGroupDetailSerializer
    required_perm = Perm.INSIGHTS_VIEW

    @extend_schema(operation_id="insights_school_group", tags=TAGS, summary="One school group")
    def get(self, request: Request, group_id: int) -> Response:
        detail = sel.school_group(self.actor, group_id)
        payload = {
            "group": detail.group,
            "national": detail.national,
            "hidden": detail.hidden,
            "rows": detail.rows,
        }
        return Response(SchoolGroupDetailSerializer(payload).data)


urlpatterns: list[URLPattern] = [
    path("insights/school-models/", SchoolModelsView.as_view(), name="insights_school_models"),
    path("insights/school-models/<int:group_id>/", SchoolGroupView.as_view(), name="insights_school_group"),
]
