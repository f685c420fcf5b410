"""Frameworks, rounds and framework rules over REST.

Any signed-in caller with ``org.view`` reads; only national M&E officers write (checked before the
body is read, so a refused write is a 403 and changes nothing). Dates are ISO (CE) with a
Buddhist-Era ``*_display`` companion; choice-like fields are strings checked by the service.
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

from suksa.domains.monitoring import selectors_catalogue as sel
from suksa.domains.monitoring.models import (
    Framework,
    FrameworkIndicator,
    NarrativeSection,
    Round,
    ValidationRule,
)
from suksa.domains.monitoring.models.choices import FrameworkStatus, RuleKind, Severity
from suksa.domains.monitoring.periods import ROUND_MONTHS
from suksa.domains.monitoring.services import frameworks as svc
from suksa.domains.monitoring.services.locking import today
from suksa.interfaces.api.base import SuksaAPIView, SuksaListView, validate_bilingual
from suksa.interfaces.api.serializers.common import BeDisplayField, LocalizedNameField
from suksa.interfaces.api.views.monitoring.catalogue import FileUploadSerializer, require_manage, values_of

TAGS = ["monitoring-frameworks"]
PHASES = "upcoming, open, overdue, locked"


# --- serializers -----------------------------------------------------------------------------


class RoundSerializer(serializers.ModelSerializer):
    name = LocalizedNameField()
    key = serializers.CharField(read_only=True)
    fiscal_year = serializers.IntegerField(source="framework.fiscal_year", read_only=True)
    phase = serializers.SerializerMethodField(help_text=PHASES)
    reports = serializers.SerializerMethodField()
    period_start_display = BeDisplayField(source="period_start")
    period_end_display = BeDisplayField(source="period_end")
    opens_on_display = BeDisplayField(source="opens_on")
    due_on_display = BeDisplayField(source="due_on")
    locks_on_display = BeDisplayField(source="locks_on")

    class Meta:
        model = Round
        fields = [
            "id", "framework", "fiscal_year", "code", "key", "months", "name", "name_th", "name_en", "period_start",
            "period_start_display", "period_end", "period_end_display", "opens_on", "opens_on_display", "due_on",
            "due_on_display", "locks_on", "locks_on_display", "phase", "reports", "prefilled_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_phase(self, obj: Round) -> str:
        return obj.phase(today())

    def get_reports(self, obj: Round) -> int:
        return int(getattr(obj, "report_count", 0) or 0)


class FrameworkSerializer(serializers.ModelSerializer):
    name = LocalizedNameField()
    status = serializers.CharField(help_text=values_of(FrameworkStatus))
    item_count = serializers.IntegerField(read_only=True)
    round_count = serializers.IntegerField(read_only=True)
    area_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Framework
        fields = [
            "id", "fiscal_year", "name", "name_th", "name_en", "description_th", "description_en", "status",
            "target_group_th", "target_group_en", "item_count", "round_count", "area_count", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ItemSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code")
    indicator_version = serializers.IntegerField(source="indicator.version")
    indicator_id = serializers.IntegerField(source="indicator.pk")
    name = serializers.SerializerMethodField()
    source_kind = serializers.CharField(source="indicator.source_kind")
    standard = serializers.CharField(source="standard.code")

    class Meta:
        model = FrameworkIndicator
        fields = [
            "id",
            "indicator_code",
            "indicator_version",
            "indicator_id",
            "name",
            "source_kind",
            "standard",
            "order",
            "required",
        ]
        read_only_fields = fields

    def get_name(self, obj: FrameworkIndicator) -> str:
        return str(LocalizedNameField().to_representation(obj.indicator))


class SectionSerializer(serializers.ModelSerializer):
    standard = serializers.CharField(source="standard.code")

    class Meta:
        model = NarrativeSection
        fields = [
            "id", "code", "standard", "title_th", "title_en", "guidance_th", "guidance_en", "order", "required",
            "min_chars",
        ]  # fmt: skip
        read_only_fields = fields


class RuleSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text=values_of(RuleKind))
    severity = serializers.CharField(help_text=values_of(Severity))
    params = serializers.JSONField()

    class Meta:
        model = ValidationRule
        fields = [
            "id",
            "framework",
            "code",
            "kind",
            "severity",
            "params",
            "message_th",
            "message_en",
            "active",
        ]
        read_only_fields = fields


class FrameworkDetailSerializer(FrameworkSerializer):
    items = ItemSerializer(many=True)
    sections = SectionSerializer(many=True)
    target_areas = serializers.SerializerMethodField()
    rounds = RoundSerializer(many=True)
    rules = RuleSerializer(many=True)

    class Meta(FrameworkSerializer.Meta):
        fields = [*FrameworkSerializer.Meta.fields, "items", "sections", "target_areas", "rounds", "rules"]
        read_only_fields = fields

    def get_target_areas(self, obj: Framework) -> list[str]:
        return [a.unit.code for a in obj.target_areas.all()]


class FrameworkCreateSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField()
    from_catalogue = serializers.BooleanField(default=True)
    months = serializers.ListField(
        child=serializers.IntegerField(), default=[6, 12], help_text="Round lengths: 3, 6, 9, 12"
    )
    name_th = serializers.CharField(required=False, allow_blank=True, default="")
    name_en = serializers.CharField(required=False, allow_blank=True, default="")


class FrameworkUpdateSerializer(serializers.Serializer):
    name_th = serializers.CharField(required=False)
    name_en = serializers.CharField(required=False)
    description_th = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    target_group_th = serializers.CharField(required=False, allow_blank=True)
    target_group_en = serializers.CharField(required=False, allow_blank=True)
    status = serializers.CharField(required=False, help_text="draft → active → closed")


class ItemAddSerializer(serializers.Serializer):
    indicator_code = serializers.CharField()
    standard_code = serializers.CharField(required=False, allow_null=True, default=None)
    required = serializers.BooleanField(default=True)  # type: ignore[assignment]  # not Field.required


class ItemUpdateSerializer(serializers.Serializer):
    standard_code = serializers.CharField(required=False, allow_null=True, default=None)
    required = serializers.BooleanField(required=False, allow_null=True, default=None)  # type: ignore[assignment]  # not Field.required
    order = serializers.IntegerField(required=False, allow_null=True, default=None)


class SectionAddSerializer(serializers.Serializer):
    code = serializers.CharField()
    standard_code = serializers.CharField()
    title_th = serializers.CharField()
    title_en = serializers.CharField()
    guidance_th = serializers.CharField(required=False, allow_blank=True, default="")
    guidance_en = serializers.CharField(required=False, allow_blank=True, default="")
    required = serializers.BooleanField(default=True)  # type: ignore[assignment]  # not Field.required
    min_chars = serializers.IntegerField(default=0)


class SectionUpdateSerializer(serializers.Serializer):
    standard_code = serializers.CharField(required=False)
    title_th = serializers.CharField(required=False)
    title_en = serializers.CharField(required=False)
    guidance_th = serializers.CharField(required=False, allow_blank=True)
    guidance_en = serializers.CharField(required=False, allow_blank=True)
    required = serializers.BooleanField(required=False)  # type: ignore[assignment]  # not Field.required
    min_chars = serializers.IntegerField(required=False)
    order = serializers.IntegerField(required=False)


class TargetAreasSerializer(serializers.Serializer):
    esa_codes = serializers.ListField(child=serializers.CharField(), allow_empty=True)


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class RoundFilterSerializer(serializers.Serializer):
    framework = serializers.IntegerField(required=False)


class RoundCreateSerializer(serializers.Serializer):
    framework = serializers.IntegerField()
    months = serializers.IntegerField(help_text=", ".join(str(m) for m in ROUND_MONTHS))
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    opens_on = serializers.DateField(required=False)
    due_on = serializers.DateField(required=False)
    locks_on = serializers.DateField(required=False)
    name_th = serializers.CharField(required=False, allow_blank=True, default="")
    name_en = serializers.CharField(required=False, allow_blank=True, default="")


class RoundUpdateSerializer(serializers.Serializer):
    name_th = serializers.CharField(required=False)
    name_en = serializers.CharField(required=False)
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    opens_on = serializers.DateField(required=False)
    due_on = serializers.DateField(required=False)
    locks_on = serializers.DateField(required=False)


class RuleFilterSerializer(serializers.Serializer):
    framework = serializers.IntegerField(
        required=False, help_text="This framework's rules and the global ones"
    )


class RuleCreateSerializer(serializers.Serializer):
    framework = serializers.IntegerField()
    code = serializers.CharField()
    kind = serializers.CharField(help_text=values_of(RuleKind))
    severity = serializers.CharField(help_text=values_of(Severity))
    params = serializers.JSONField()
    message_th = serializers.CharField()
    message_en = serializers.CharField()


class RuleUpdateSerializer(serializers.Serializer):
    severity = serializers.CharField(required=False, help_text=values_of(Severity))
    params = serializers.JSONField(required=False)
    message_th = serializers.CharField(required=False)
    message_en = serializers.CharField(required=False)
    active = serializers.BooleanField(required=False)


# --- views -----------------------------------------------------------------------------------


def _detail(view: SuksaAPIView, framework_id: int) -> Response:
    fw = sel.framework_for(view.actor, framework_id)
    counts = sel.report_counts([r.pk for r in fw.rounds.all()])
    for r in fw.rounds.all():
        r.report_count = counts.get(r.pk, 0)  # type: ignore[attr-defined]
    fw.item_count = len(fw.items.all())  # type: ignore[attr-defined]
    fw.round_count = len(fw.rounds.all())  # type: ignore[attr-defined]
    fw.area_count = len(fw.target_areas.all())  # type: ignore[attr-defined]
    return Response(FrameworkDetailSerializer(fw, context=view.get_serializer_context()).data)


class FrameworkListView(SuksaListView):
    """Frameworks, newest fiscal year first; POST creates a draft (monitoring.manage)."""

    serializer_class = FrameworkSerializer

    @extend_schema(operation_id="monitoring_frameworks_list", tags=TAGS, summary="Monitoring frameworks")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Framework]:
        return sel.frameworks_for(self.actor)

    @extend_schema(
        operation_id="monitoring_frameworks_create", tags=TAGS,
        summary="Create a fiscal year's framework from the current catalogue or empty (monitoring.manage)",
        request=FrameworkCreateSerializer, responses={201: FrameworkDetailSerializer},
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        require_manage(self)
        data = validate_bilingual(FrameworkCreateSerializer, request.data)
        fw = svc.framework_create(actor=self.actor, **data)
        response = _detail(self, fw.pk)
        response.status_code = 201
        return response


class FrameworkDetailView(SuksaAPIView):
    """One framework with its items (by standard), sections, target areas, rounds and own rules;
    PATCH edits names and moves the status forward."""

    serializer_class = FrameworkDetailSerializer

    @extend_schema(operation_id="monitoring_frameworks_retrieve", tags=TAGS, summary="One framework")
    def get(self, request: Request, framework_id: int) -> Response:
        return _detail(self, framework_id)

    @extend_schema(
        operation_id="monitoring_frameworks_update", tags=TAGS, summary="Edit a framework (monitoring.manage)",
        request=FrameworkUpdateSerializer,
    )  # fmt: skip
    def patch(self, request: Request, framework_id: int) -> Response:
        require_manage(self)
        data = validate_bilingual(FrameworkUpdateSerializer, request.data, partial=True)
        svc.framework_update(actor=self.actor, framework_id=framework_id, changes=data)
        return _detail(self, framework_id)


class FrameworkItemsView(SuksaAPIView):
    """Add the current version of an indicator to the framework."""

    serializer_class = ItemSerializer

    @extend_schema(
        operation_id="monitoring_framework_items_add", tags=TAGS, summary="Add an indicator (monitoring.manage)",
        request=ItemAddSerializer, responses={201: ItemSerializer},
    )  # fmt: skip
    def post(self, request: Request, framework_id: int) -> Response:
        require_manage(self)
        data = validate_bilingual(ItemAddSerializer, request.data)
        item = svc.framework_item_add(actor=self.actor, framework_id=framework_id, **data)
        return Response(ItemSerializer(item).data, status=201)


class FrameworkItemView(SuksaAPIView):
    """Edit (standard, order, required) or remove one item of a framework."""

    serializer_class = ItemSerializer

    @extend_schema(
        operation_id="monitoring_framework_items_update", tags=TAGS, summary="Edit an item (monitoring.manage)",
        request=ItemUpdateSerializer,
    )  # fmt: skip
    def patch(self, request: Request, framework_id: int, indicator_code: str) -> Response:
        code = indicator_code
        require_manage(self)
        data = validate_bilingual(ItemUpdateSerializer, request.data, partial=True)
        item = svc.framework_item_update(
            actor=self.actor, framework_id=framework_id, indicator_code=code, **data
        )
        return Response(ItemSerializer(item).data)

    @extend_schema(
        operation_id="monitoring_framework_items_remove", tags=TAGS, summary="Remove an item (monitoring.manage)",
        responses={204: None},
    )  # fmt: skip
    def delete(self, request: Request, framework_id: int, indicator_code: str) -> Response:
        code = indicator_code
        require_manage(self)
        svc.framework_item_remove(actor=self.actor, framework_id=framework_id, indicator_code=code)
        return Response(status=204)


class FrameworkSectionsView(SuksaAPIView):
    """Add a narrative section to the framework."""

    serializer_class = SectionSerializer

    @extend_schema(
        operation_id="monitoring_framework_sections_add", tags=TAGS, summary="Add a section (monitoring.manage)",
        request=SectionAddSerializer, responses={201: SectionSerializer},
    )  # fmt: skip
    def post(self, request: Request, framework_id: int) -> Response:
        require_manage(self)
        data = validate_bilingual(SectionAddSerializer, request.data)
        section = svc.section_add(actor=self.actor, framework_id=framework_id, **data)
        return Response(SectionSerializer(section).data, status=201)


class SectionView(SuksaAPIView):
    """Edit a narrative section."""

    serializer_class = SectionSerializer

    @extend_schema(
        operation_id="monitoring_sections_update", tags=TAGS, summary="Edit a section (monitoring.manage)",
        request=SectionUpdateSerializer,
    )  # fmt: skip
    def patch(self, request: Request, section_id: int) -> Response:
        require_manage(self)
        data = validate_bilingual(SectionUpdateSerializer, request.data, partial=True)
        section = svc.section_update(actor=self.actor, section_id=section_id, changes=data)
        return Response(SectionSerializer(section).data)


class TargetAreasView(SuksaAPIView):
    """Replace the framework's target areas with a list of ESA codes (all or nothing)."""

    serializer_class = CountSerializer

    @extend_schema(
        operation_id="monitoring_framework_target_areas_set", tags=TAGS,
        summary="Set the target areas (monitoring.manage)", request=TargetAreasSerializer,
    )  # fmt: skip
    def put(self, request: Request, framework_id: int) -> Response:
        require_manage(self)
        data = validate_bilingual(TargetAreasSerializer, request.data)
        n = svc.target_areas_set(actor=self.actor, framework_id=framework_id, esa_codes=data["esa_codes"])
        return Response({"count": n})


class TargetAreasImportView(SuksaAPIView):
    """Replace the target areas from a CSV/XLSX file with an ESA-code column (row numbers on errors)."""

    parser_classes = [MultiPartParser, FormParser]
    serializer_class = CountSerializer

    @extend_schema(
        operation_id="monitoring_framework_target_areas_import", tags=TAGS,
        summary="Import the target areas (monitoring.manage)", request={"multipart/form-data": FileUploadSerializer},
    )  # fmt: skip
    def post(self, request: Request, framework_id: int) -> Response:
        require_manage(self)
        data = validate_bilingual(FileUploadSerializer, request.data)
        upload = data["file"]
        n = svc.target_areas_import(
            actor=self.actor, framework_id=framework_id, file=upload, filename=str(upload.name or "areas.csv")
        )
        return Response({"count": n})


class RoundListView(SuksaListView):
    """Reporting rounds with their phase today (filter by framework); POST adds one."""

    serializer_class = RoundSerializer
    filter_serializer_class = RoundFilterSerializer

    @extend_schema(
        operation_id="monitoring_rounds_list",
        tags=TAGS,
        summary="Reporting rounds",
        parameters=[RoundFilterSerializer],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Round]:
        return sel.rounds_for(self.actor, framework_id=self.filters.get("framework"))

    @extend_schema(
        operation_id="monitoring_rounds_create", tags=TAGS,
        summary="Add a round with default dates, overridden by those given (monitoring.manage)",
        request=RoundCreateSerializer, responses={201: RoundSerializer},
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        require_manage(self)
        data = validate_bilingual(RoundCreateSerializer, request.data)
        dates = {k: data[k] for k in svc.ROUND_DATES if k in data}
        rnd = svc.round_create(
            actor=self.actor, framework_id=data["framework"], months=data["months"], dates=dates,
            name_th=data["name_th"], name_en=data["name_en"],
        )  # fmt: skip
        return Response(RoundSerializer(sel.round_for(self.actor, rnd.pk)).data, status=201)


class RoundDetailView(SuksaAPIView):
    """One round; PATCH changes its names and dates (a locked round keeps its dates)."""

    serializer_class = RoundSerializer

    @extend_schema(operation_id="monitoring_rounds_retrieve", tags=TAGS, summary="One round")
    def get(self, request: Request, round_id: int) -> Response:
        return Response(RoundSerializer(sel.round_for(self.actor, round_id)).data)

    @extend_schema(
        operation_id="monitoring_rounds_update", tags=TAGS, summary="Edit a round's dates (monitoring.manage)",
        request=RoundUpdateSerializer,
    )  # fmt: skip
    def patch(self, request: Request, round_id: int) -> Response:
        require_manage(self)
        data = validate_bilingual(RoundUpdateSerializer, request.data, partial=True)
        svc.round_update(actor=self.actor, round_id=round_id, changes=data)
        return Response(RoundSerializer(sel.round_for(self.actor, round_id)).data)


class RuleListView(SuksaListView):
    """Validation rules (a framework's and the global ones); POST adds a framework rule."""

    serializer_class = RuleSerializer
    filter_serializer_class = RuleFilterSerializer

    @extend_schema(
        operation_id="monitoring_rules_list",
        tags=TAGS,
        summary="Validation rules",
        parameters=[RuleFilterSerializer],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ValidationRule]:
        return sel.rules_for(self.actor, framework_id=self.filters.get("framework"))

    @extend_schema(
        operation_id="monitoring_rules_create", tags=TAGS, summary="Add a framework rule (monitoring.manage)",
        request=RuleCreateSerializer, responses={201: RuleSerializer},
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        require_manage(self)
        data = validate_bilingual(RuleCreateSerializer, request.data)
        if not isinstance(data["params"], dict):
            data["params"] = {"_": data["params"]}  # refused by the service with the reason
        rule = svc.rule_create(actor=self.actor, framework_id=data.pop("framework"), **data)
        return Response(RuleSerializer(rule).data, status=201)


class RuleDetailView(SuksaAPIView):
    """One rule; PATCH edits a framework rule's severity, params, messages or (de)activates it."""

    serializer_class = RuleSerializer

    @extend_schema(operation_id="monitoring_rules_retrieve", tags=TAGS, summary="One rule")
    def get(self, request: Request, rule_id: int) -> Response:
        return Response(RuleSerializer(sel.rule_for(self.actor, rule_id)).data)

    @extend_schema(
        operation_id="monitoring_rules_update", tags=TAGS, summary="Edit or deactivate a rule (monitoring.manage)",
        request=RuleUpdateSerializer,
    )  # fmt: skip
    def patch(self, request: Request, rule_id: int) -> Response:
        require_manage(self)
        data = validate_bilingual(RuleUpdateSerializer, request.data, partial=True)
        rule = svc.rule_update(actor=self.actor, rule_id=rule_id, changes=data)
        return Response(RuleSerializer(rule).data)


urlpatterns = [
    path("monitoring/frameworks/", FrameworkListView.as_view(), name="monitoring-frameworks"),
    path(
        "monitoring/frameworks/<int:framework_id>/",
        FrameworkDetailView.as_view(),
        name="monitoring-framework",
    ),
    path(
        "monitoring/frameworks/<int:framework_id>/items/",
        FrameworkItemsView.as_view(),
        name="monitoring-framework-items",
    ),
    path(
        "monitoring/frameworks/<int:framework_id>/items/<str:indicator_code>/",
        FrameworkItemView.as_view(),
        name="monitoring-framework-item",
    ),
    path(
        "monitoring/frameworks/<int:framework_id>/sections/",
        FrameworkSectionsView.as_view(),
        name="monitoring-framework-sections",
    ),
    path(
        "monitoring/frameworks/<int:framework_id>/target-areas/",
        TargetAreasView.as_view(),
        name="monitoring-framework-target-areas",
    ),
    path(
        "monitoring/frameworks/<int:framework_id>/target-areas/import/",
        TargetAreasImportView.as_view(),
        name="monitoring-framework-target-areas-import",
    ),
    path("monitoring/sections/<int:section_id>/", SectionView.as_view(), name="monitoring-section"),
    path("monitoring/rounds/", RoundListView.as_view(), name="monitoring-rounds"),
    path("monitoring/rounds/<int:round_id>/", RoundDetailView.as_view(), name="monitoring-round"),
    path("monitoring/rules/", RuleListView.as_view(), name="monitoring-rules"),
    path("monitoring/rules/<int:rule_id>/", RuleDetailView.as_view(), name="monitoring-rule"),
]
