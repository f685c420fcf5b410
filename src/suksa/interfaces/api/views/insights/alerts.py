"""Insights API: early-warning alerts.

- ``GET insights/alerts/`` (``round``, ``severity``, ``kind``, ``domain``, ``area``, ``status``,
  ``quality``) — the alerts you may see (``alert.view`` on their unit; held alerts only for
  national M&E officers), newest round first.
- ``GET insights/alerts/<alert_id>/`` — one alert with its factors, evidence and history.
- ``POST insights/alerts/<alert_id>/act/`` ``{"action", "note"}`` — acknowledge, action (note
  required), resolve (note required), reopen (``alert.act`` on the alert's unit). An illegal
  transition is 409, bad input 400, an alert you cannot see 404; nothing changes on refusal.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.policy import Perm
from suksa.domains.insights import selectors_alerts as sel
from suksa.domains.insights.models import Alert, AlertEvent
from suksa.domains.insights.models.choices import AlertKind, AlertSeverity, AlertStatus, DataQuality
from suksa.domains.insights.services import alerts as svc
from suksa.interfaces.api.base import SuksaAPIView, SuksaListView, validate_bilingual

TAGS = ["insights"]
PK_MAX = 2**63 - 1


class FactorSerializer(serializers.Serializer):
    key = serializers.CharField(required=False, default="")
    label_th = serializers.CharField()
    label_en = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    contribution = serializers.FloatField(allow_null=True)


class AlertEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = AlertEvent
        fields = ["id", "action", "note", "actor", "at"]
        read_only_fields = fields

    def get_actor(self, obj: AlertEvent) -> str:
        return obj.actor.username if obj.actor_id and obj.actor else ""


class AlertSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True)
    round_id = serializers.IntegerField(read_only=True)
    round = serializers.CharField(source="round.key", read_only=True, help_text='e.g. "2569/m12".')
    unit_id = serializers.IntegerField(read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name_th = serializers.CharField(source="unit.name_th", read_only=True)
    unit_name_en = serializers.CharField(source="unit.name_en", read_only=True)
    kind = serializers.CharField(read_only=True, help_text=", ".join(AlertKind.values))
    severity = serializers.CharField(read_only=True, help_text=", ".join(AlertSeverity.values))
    status = serializers.CharField(read_only=True, help_text=", ".join(AlertStatus.values))
    quality = serializers.CharField(read_only=True, help_text=", ".join(DataQuality.values))
    factors = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id", "round_id", "round", "unit_id", "unit_code", "unit_name_th", "unit_name_en", "kind",
            "indicator", "severity", "status", "quality", "domain", "title_th", "title_en", "factors",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(FactorSerializer(many=True))
    def get_factors(self, obj: Alert) -> list[dict[str, Any]]:
        return list(FactorSerializer(obj.factors or [], many=True).data)


class AlertDetailSerializer(AlertSerializer):
    evidence = serializers.DictField(
        read_only=True,
        help_text="values [{unit, indicator, period, value, source {model, id}}], target, report, trend, "
        "risk_score, rule, quality_issues.",
    )
    events = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "evidence", "events", "allowed_actions"]
        read_only_fields = fields

    @extend_schema_field(AlertEventSerializer(many=True))
    def get_events(self, obj: Alert) -> list[dict[str, Any]]:
        return list(AlertEventSerializer(sel.alert_events(obj), many=True).data)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, obj: Alert) -> list[str]:
        actor = self.context.get("actor")
        if actor is None or not actor.can(Perm.ALERT_ACT, obj.unit.path):
            return []
        return svc.allowed_actions(obj.status)


class AlertQuerySerializer(serializers.Serializer):
    round = serializers.IntegerField(required=False, min_value=1, max_value=PK_MAX)
    severity = serializers.ChoiceField(choices=AlertSeverity.values, required=False)
    kind = serializers.ChoiceField(choices=AlertKind.values, required=False)
    domain = serializers.CharField(required=False, max_length=30)
    area = serializers.IntegerField(
        required=False, min_value=1, max_value=PK_MAX, help_text="An org unit: alerts about it or below it."
    )
    status = serializers.ChoiceField(choices=AlertStatus.values, required=False)
    quality = serializers.ChoiceField(choices=DataQuality.values, required=False)


class AlertActSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=list(svc.TRANSITIONS), help_text="acknowledge, action, resolve, reopen."
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=svc.NOTE_MAX,
        help_text="Required for action and resolve.",
    )  # fmt: skip


class AlertListView(SuksaListView):
    """The alerts you may see, filtered."""

    serializer_class = AlertSerializer
    filter_serializer_class = AlertQuerySerializer
    required_perm = Perm.ALERT_VIEW

    @extend_schema(
        operation_id="insights_alerts_list", tags=TAGS, summary="Alerts", parameters=[AlertQuerySerializer]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Alert]:
        return sel.alerts_for(self.actor, sel.AlertFilters(**self.filters))


class AlertDetailView(SuksaAPIView):
    """One alert: factors, evidence and who did what."""

    serializer_class = AlertDetailSerializer
    required_perm = Perm.ALERT_VIEW

    @extend_schema(operation_id="insights_alerts_retrieve", tags=TAGS, summary="One alert")
    def get(self, request: Request, alert_id: int) -> Response:
        alert = sel.alert_get(self.actor, alert_id)
        return Response(AlertDetailSerializer(alert, context=self.get_serializer_context()).data)


class AlertActView(SuksaAPIView):
    """Move an alert along its lifecycle."""

    serializer_class = AlertDetailSerializer
    required_perm = Perm.ALERT_VIEW

    @extend_schema(
        operation_id="insights_alerts_act", tags=TAGS, summary="Act on an alert (alert.act)",
        request=AlertActSerializer, responses=AlertDetailSerializer,
    )  # fmt: skip
    def post(self, request: Request, alert_id: int) -> Response:
        sel.alert_get(self.actor, alert_id)  # 404 before reading the body
        data = validate_bilingual(AlertActSerializer, request.data)
        svc.alert_act(actor=self.actor, alert_id=alert_id, action=data["action"], note=data["note"])
        alert = sel.alert_get(self.actor, alert_id)
        return Response(AlertDetailSerializer(alert, context=self.get_serializer_context()).data)


urlpatterns: list[URLPattern] = [
    path("insights/alerts/", AlertListView.as_view(), name="alerts"),
    path("insights/alerts/<int:alert_id>/", AlertDetailView.as_view(), name="alert"),
    path("insights/alerts/<int:alert_id>/act/", AlertActView.as_view(), name="alert_act"),
]
