"""The indicator catalogue over REST: indicators (with every version), revisions, policy points and
targets.

Any signed-in caller with ``org.view`` reads (national reference data); only national M&E
officers (``monitoring.manage`` at the nation) write, and a refused write changes nothing. Codes
travel in the path (``monitoring/indicators/dropout_rate/``). Choice-like fields are plain strings
(their values are listed in each field's description) and checked by the service, which answers
every problem in Thai and English.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.errors import NotFoundOrNoAccess, PermissionDenied
from suksa.core.models import OrgUnit
from suksa.domains.monitoring import selectors_catalogue as sel
from suksa.domains.monitoring.models import Indicator, PolicyPoint, Target
from suksa.domains.monitoring.models.choices import Direction, Domain, Level, SourceKind, Unit, ValueType
from suksa.domains.monitoring.services import catalogue as svc
from suksa.interfaces.api.base import SuksaAPIView, SuksaListView, validate_bilingual
from suksa.interfaces.api.serializers.common import LocalizedNameField
from suksa.interfaces.api.serializers.imports import ImportReportSerializer

TAGS = ["monitoring-catalogue"]


def values_of(choices: Any) -> str:
    return ", ".join(choices.values)


def require_manage(view: SuksaAPIView) -> None:
    """Refuse a write before reading its body: a reader's bad body is still a 403, not a 400."""
    if not svc.may_manage(view.actor):
        raise PermissionDenied.default()


# --- serializers -----------------------------------------------------------------------------


class IndicatorSerializer(serializers.ModelSerializer):
    name = LocalizedNameField()
    unit = serializers.CharField(help_text=values_of(Unit))
    value_type = serializers.CharField(help_text=values_of(ValueType))
    direction = serializers.CharField(help_text=values_of(Direction))
    domain = serializers.CharField(help_text=values_of(Domain))
    source_kind = serializers.CharField(help_text=values_of(SourceKind))
    levels = serializers.ListField(child=serializers.CharField(), help_text=values_of(Level))
    disaggregations = serializers.ListField(child=serializers.CharField())
    source = serializers.JSONField(  # type: ignore[assignment]  # the indicator's source, not Field.source
        help_text="computed: {producer, indicator, breakdown, period, scale, lag_days}; "
        "imported: {producer, dataset, indicator, period, scale}; reported: {}"
    )
    standards = serializers.SerializerMethodField()
    policy_points = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id", "code", "version", "is_current", "name", "name_th", "name_en", "definition_th", "definition_en",
            "unit", "value_type", "direction", "domain", "levels", "disaggregations", "source_kind", "source",
            "formula", "min_value", "max_value", "standards", "policy_points", "change_note", "created_at",
            "created_by", "retired_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_standards(self, obj: Indicator) -> list[str]:
        return [s.code for s in obj.standards.all()]

    def get_policy_points(self, obj: Indicator) -> list[int]:
        return [p.pk for p in obj.policy_points.all()]


class TargetSerializer(serializers.ModelSerializer):
    unit_code = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = [
            "id",
            "indicator_code",
            "fiscal_year",
            "unit_code",
            "peer_group",
            "value",
            "note",
            "updated_at",
            "updated_by",
        ]
        read_only_fields = fields

    def get_unit_code(self, obj: Target) -> str | None:
        return obj.unit.code if obj.unit_id and obj.unit else None


class IndicatorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    current = IndicatorSerializer(allow_null=True)
    versions = IndicatorSerializer(many=True)
    targets = TargetSerializer(many=True)


class IndicatorFilterSerializer(serializers.Serializer):
    source_kind = serializers.CharField(required=False, help_text=values_of(SourceKind))
    domain = serializers.CharField(required=False, help_text=values_of(Domain))
    standard = serializers.CharField(required=False, help_text="A standard code: 1, 2 or 3")
    include_retired = serializers.BooleanField(
        required=False, default=False, help_text="Every version, not only current ones"
    )


class IndicatorFieldsSerializer(serializers.Serializer):
    name_th = serializers.CharField(max_length=255)
    name_en = serializers.CharField(max_length=255)
    definition_th = serializers.CharField()
    definition_en = serializers.CharField()
    unit = serializers.CharField(help_text=values_of(Unit))
    value_type = serializers.CharField(
        required=False, default=ValueType.DECIMAL, help_text=values_of(ValueType)
    )
    direction = serializers.CharField(help_text=values_of(Direction))
    domain = serializers.CharField(help_text=values_of(Domain))
    levels = serializers.ListField(child=serializers.CharField(), help_text=values_of(Level))
    disaggregations = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text=", ".join(svc.DISAGGREGATIONS)
    )
    source_kind = serializers.CharField(help_text=values_of(SourceKind))
    source = serializers.JSONField(required=False, default=dict)  # type: ignore[assignment]  # not Field.source
    formula = serializers.CharField(required=False, allow_blank=True, default="")
    min_value = serializers.FloatField(required=False, allow_null=True, default=None)
    max_value = serializers.FloatField(required=False, allow_null=True, default=None)
    standards = serializers.ListField(child=serializers.CharField(), help_text="Standard codes")
    policy_points = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class IndicatorCreateSerializer(IndicatorFieldsSerializer):
    code = serializers.CharField(max_length=60)


class IndicatorReviseSerializer(serializers.Serializer):
    changes = serializers.JSONField(help_text="The fields that change (any of the create fields except code)")
    change_note = serializers.CharField(help_text="Why the definition changes")
    expected_version = serializers.IntegerField(
        required=False, allow_null=True, help_text="The version you read (409 when a newer one exists)"
    )


class RetireSerializer(serializers.Serializer):
    reason = serializers.CharField()


class PolicyPointSerializer(serializers.ModelSerializer):
    # Declared: a model PositiveIntegerField's bound differs between SQLite and PostgreSQL, and the
    # committed schema must be the same on both.
    fiscal_year = serializers.IntegerField(min_value=2500, max_value=2700, help_text="BE")

    class Meta:
        model = PolicyPoint
        fields = ["id", "fiscal_year", "code", "name_th", "name_en"]
        read_only_fields = ["id"]


class PolicyPointFilterSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField(required=False)


class TargetFilterSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField(required=False)
    indicator = serializers.CharField(required=False)


class TargetWriteSerializer(serializers.Serializer):
    indicator_code = serializers.CharField()
    fiscal_year = serializers.IntegerField()
    value = serializers.FloatField(help_text="In the catalogue's unit (percent 0–100 for percentages)")
    unit_code = serializers.CharField(required=False, allow_blank=True, default="")
    peer_group = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="'' (everyone), " + ", ".join(k for k in svc.PEER_GROUPS if k),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class TargetResolveQuerySerializer(serializers.Serializer):
    indicator = serializers.CharField()
    fiscal_year = serializers.IntegerField()
    unit = serializers.CharField(help_text="Org-unit code")


class TargetResolvedSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    fiscal_year = serializers.IntegerField()
    unit = serializers.CharField()
    value = serializers.FloatField(allow_null=True)


class FileUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A .csv (UTF-8 or TIS-620) or .xlsx file; the header is row 1.")


# --- views -----------------------------------------------------------------------------------


class IndicatorListView(SuksaListView):
    """The catalogue's current indicators (or every version); POST adds a new code at version 1."""

    serializer_class = IndicatorSerializer
    filter_serializer_class = IndicatorFilterSerializer

    @extend_schema(
        operation_id="monitoring_indicators_list", tags=TAGS, summary="The indicator catalogue",
        parameters=[IndicatorFilterSerializer],
    )  # fmt: skip
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Indicator]:
        f = self.filters
        return sel.indicators_for(
            self.actor,
            source_kind=f.get("source_kind", ""),
            domain=f.get("domain", ""),
            standard=f.get("standard", ""),
            include_retired=bool(f.get("include_retired")),
        )

    @extend_schema(
        operation_id="monitoring_indicators_create", tags=TAGS,
        summary="Add an indicator (monitoring.manage); a reported one the platform holds is refused",
        request=IndicatorCreateSerializer, responses={201: IndicatorSerializer},
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        require_manage(self)
        data = validate_bilingual(IndicatorCreateSerializer, request.data)
        code = data.pop("code")
        ind = svc.indicator_create(actor=self.actor, code=code, fields=data)
        return Response(IndicatorSerializer(ind, context=self.get_serializer_context()).data, status=201)


class IndicatorDetailView(SuksaAPIView):
    """One indicator code: its current version (null when retired), every version and its targets."""

    serializer_class = IndicatorDetailSerializer

    @extend_schema(
        operation_id="monitoring_indicators_retrieve", tags=TAGS, summary="One indicator with its versions"
    )
    def get(self, request: Request, indicator_code: str) -> Response:
        code = indicator_code
        detail = sel.indicator_detail(self.actor, code)
        body = {
            "code": code,
            "current": detail.current,
            "versions": detail.versions,
            "targets": detail.targets,
        }
        return Response(IndicatorDetailSerializer(body, context=self.get_serializer_context()).data)


class IndicatorReviseView(SuksaAPIView):
    """Write the next version of an indicator; the current one is retired, past values keep theirs."""

    serializer_class = IndicatorSerializer

    @extend_schema(
        operation_id="monitoring_indicators_revise", tags=TAGS, summary="Revise an indicator (monitoring.manage)",
        request=IndicatorReviseSerializer, responses={201: IndicatorSerializer},
    )  # fmt: skip
    def post(self, request: Request, indicator_code: str) -> Response:
        code = indicator_code
        require_manage(self)
        data = validate_bilingual(IndicatorReviseSerializer, request.data)
        changes = data["changes"] if isinstance(data["changes"], dict) else {}
        ind = svc.indicator_revise(
            actor=self.actor,
            code=code,
            changes=changes,
            change_note=data["change_note"],
            expected_version=data.get("expected_version"),
        )
        return Response(IndicatorSerializer(ind, context=self.get_serializer_context()).data, status=201)


class IndicatorRetireView(SuksaAPIView):
    """Retire the current version of an indicator (no longer offered to new frameworks)."""

    serializer_class = IndicatorSerializer

    @extend_schema(
        operation_id="monitoring_indicators_retire", tags=TAGS, summary="Retire an indicator (monitoring.manage)",
        request=RetireSerializer,
    )  # fmt: skip
    def post(self, request: Request, indicator_code: str) -> Response:
        code = indicator_code
        require_manage(self)
        data = validate_bilingual(RetireSerializer, request.data)
        ind = svc.indicator_retire(actor=self.actor, code=code, reason=data["reason"])
        return Response(IndicatorSerializer(ind, context=self.get_serializer_context()).data)


class PolicyPointListView(SuksaListView):
    """Policy points of each fiscal year; POST adds one (monitoring.manage)."""

    serializer_class = PolicyPointSerializer
    filter_serializer_class = PolicyPointFilterSerializer

    @extend_schema(
        operation_id="monitoring_policy_points_list", tags=TAGS, summary="Policy points",
        parameters=[PolicyPointFilterSerializer],
    )  # fmt: skip
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[PolicyPoint]:
        return sel.policy_points_for(self.actor, self.filters.get("fiscal_year"))

    @extend_schema(
        operation_id="monitoring_policy_points_create", tags=TAGS, summary="Add a policy point (monitoring.manage)",
        request=PolicyPointSerializer, responses={201: PolicyPointSerializer},
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        require_manage(self)
        data = validate_bilingual(PolicyPointSerializer, request.data)
        point = svc.policy_point_create(actor=self.actor, **data)
        return Response(PolicyPointSerializer(point).data, status=201)


class TargetListView(SuksaListView):
    """Targets (filter by fiscal year and indicator); POST sets one (create or replace)."""

    serializer_class = TargetSerializer
    filter_serializer_class = TargetFilterSerializer

    @extend_schema(
        operation_id="monitoring_targets_list",
        tags=TAGS,
        summary="Targets",
        parameters=[TargetFilterSerializer],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Target]:
        f = self.filters
        return sel.targets_for(
            self.actor, fiscal_year=f.get("fiscal_year"), indicator_code=f.get("indicator", "")
        )

    @extend_schema(
        operation_id="monitoring_targets_set", tags=TAGS,
        summary="Set a target for a unit, a peer group or everyone (monitoring.manage)",
        request=TargetWriteSerializer, responses={200: TargetSerializer},
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        require_manage(self)
        data = validate_bilingual(TargetWriteSerializer, request.data)
        target = svc.target_set(actor=self.actor, **data)
        return Response(TargetSerializer(target).data)


class TargetDetailView(SuksaAPIView):
    """Delete one target (monitoring.manage)."""

    serializer_class = TargetSerializer

    @extend_schema(
        operation_id="monitoring_targets_delete", tags=TAGS, summary="Delete a target", responses={204: None}
    )
    def delete(self, request: Request, target_id: int) -> Response:
        require_manage(self)
        svc.target_delete(actor=self.actor, target_id=target_id)
        return Response(status=204)


class TargetImportView(SuksaAPIView):
    """Set targets from a CSV/XLSX file, all or nothing; the report lists every bad row."""

    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ImportReportSerializer

    @extend_schema(
        operation_id="monitoring_targets_import", tags=TAGS, summary="Import targets (monitoring.manage)",
        request={"multipart/form-data": FileUploadSerializer}, responses={200: ImportReportSerializer},
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        require_manage(self)
        data = validate_bilingual(FileUploadSerializer, request.data)
        upload = data["file"]
        report = svc.targets_import(actor=self.actor, file=upload, filename=str(upload.name or "targets.csv"))
        return Response(report.as_dict())


class TargetResolveView(SuksaAPIView):
    """The target that applies to one unit: its own > target area > ESA type > default."""

    serializer_class = TargetResolvedSerializer

    @extend_schema(
        operation_id="monitoring_targets_resolve", tags=TAGS, summary="The target of one unit",
        parameters=[TargetResolveQuerySerializer],
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        q = validate_bilingual(TargetResolveQuerySerializer, request.query_params)
        sel.indicators_for(self.actor)  # reader check
        unit = OrgUnit.objects.filter(code=q["unit"]).first()
        if unit is None:
            raise NotFoundOrNoAccess.default()
        value = svc.target_for(q["indicator"], q["fiscal_year"], unit)
        body = {
            "indicator": q["indicator"],
            "fiscal_year": q["fiscal_year"],
            "unit": unit.code,
            "value": value,
        }
        return Response(TargetResolvedSerializer(body).data)


urlpatterns = [
    path("monitoring/indicators/", IndicatorListView.as_view(), name="monitoring-indicators"),
    path(
        "monitoring/indicators/<str:indicator_code>/",
        IndicatorDetailView.as_view(),
        name="monitoring-indicator",
    ),
    path(
        "monitoring/indicators/<str:indicator_code>/revise/",
        IndicatorReviseView.as_view(),
        name="monitoring-indicator-revise",
    ),
    path(
        "monitoring/indicators/<str:indicator_code>/retire/",
        IndicatorRetireView.as_view(),
        name="monitoring-indicator-retire",
    ),
    path("monitoring/policy-points/", PolicyPointListView.as_view(), name="monitoring-policy-points"),
    path("monitoring/targets/", TargetListView.as_view(), name="monitoring-targets"),
    path("monitoring/targets/import/", TargetImportView.as_view(), name="monitoring-targets-import"),
    path("monitoring/targets/resolve/", TargetResolveView.as_view(), name="monitoring-targets-resolve"),
    path("monitoring/targets/<int:target_id>/", TargetDetailView.as_view(), name="monitoring-target"),
]
