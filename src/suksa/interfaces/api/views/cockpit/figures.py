"""Cockpit API: the executive dashboards' precomputed figures and the run's summary.

- ``GET cockpit/figures/`` (``round``, ``level``, ``indicator``, ``unit``, ``parent``) — the
  figures of the round's current run (default: the latest round with a run) that you may see:
  your units, the region and nation above them and, for national roles and inspectors, the
  provinces of the tile map. Paginated (limit/offset), nation first, then regions, ESAs,
  provinces and schools. ``unit`` and ``parent`` must be units you may see (404 otherwise, as for
  an unknown id).
- ``GET cockpit/summary/`` (``round``) — the run's key indicators with the nation's figures, the
  top movers among the ESAs you may see, and the rows written per level.

Figures leave the office here, so a figure behind fewer than five learners (``persons`` 1–4) is
withheld whoever asks: its value, previous value, change, improvement, series values, light,
arrow and peer rank are null (or ``none``) and ``suppressed`` is true.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.analytics.suppression import MIN_CELL, is_small, suppressed_label
from suksa.core.models import OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.cockpit.models import Arrow, Figure, Level, Light
from suksa.domains.cockpit.selectors import cockpit_state, figures_visible, unit_get
from suksa.domains.insights.selectors_trends import IndicatorName, check_indicator, indicator_names
from suksa.interfaces.api.base import SuksaAPIView, SuksaListView, validate_bilingual

TAGS = ["cockpit"]
PK_MAX = 2**63 - 1

LEVEL_ORDER = Case(
    *(When(level=level, then=Value(i)) for i, level in enumerate(Level.values)),
    default=Value(len(Level.values)),
    output_field=IntegerField(),
)
# What a withheld figure still shows of its peer comparison: the peers' own aggregates only.
PEER_KEPT_WHEN_SUPPRESSED = ("group", "count", "median", "low", "high")


def is_suppressed(figure: Figure) -> bool:
    """A figure behind 1–4 learners (``MIN_CELL`` = 5); no headcount or zero is published as is."""
    return figure.persons is not None and is_small(figure.persons, MIN_CELL)


class CockpitFigureSerializer(serializers.ModelSerializer):
    """One figure, withheld when 1–4 learners are behind it (see the module docstring)."""

    id = serializers.IntegerField(read_only=True)
    run_id = serializers.IntegerField(read_only=True)
    level = serializers.CharField(read_only=True, help_text=", ".join(Level.values))
    indicator = serializers.CharField(read_only=True, help_text="Catalogue code.")
    indicator_name_th = serializers.SerializerMethodField()
    indicator_name_en = serializers.SerializerMethodField()
    unit_id = serializers.IntegerField(read_only=True, allow_null=True, help_text="null for a province.")
    unit_code = serializers.CharField(source="unit.code", read_only=True, allow_null=True, default=None)
    unit_kind = serializers.CharField(source="unit.kind", read_only=True, allow_null=True, default=None)
    unit_name_th = serializers.CharField(source="unit.name_th", read_only=True, allow_null=True, default=None)
    unit_name_en = serializers.CharField(source="unit.name_en", read_only=True, allow_null=True, default=None)
    province_code = serializers.CharField(
        source="province_id", read_only=True, allow_null=True, help_text="Two digits; set on province rows."
    )
    province_name_th = serializers.CharField(
        source="province.name_th", read_only=True, allow_null=True, default=None
    )
    province_name_en = serializers.CharField(
        source="province.name_en", read_only=True, allow_null=True, default=None
    )
    parent_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The unit one level up (a province's region)."
    )
    parent_code = serializers.CharField(source="parent.code", read_only=True, allow_null=True, default=None)
    period = serializers.CharField(read_only=True)
    value = serializers.FloatField(read_only=True, allow_null=True)
    previous_period = serializers.CharField(read_only=True)
    previous = serializers.FloatField(read_only=True, allow_null=True)
    change = serializers.FloatField(read_only=True, allow_null=True, help_text="value − previous.")
    improvement = serializers.FloatField(
        read_only=True, allow_null=True, help_text="change × direction: positive is better."
    )
    target = serializers.FloatField(read_only=True, allow_null=True)
    light = serializers.CharField(read_only=True, help_text=", ".join(Light.values))
    arrow = serializers.CharField(read_only=True, help_text=", ".join(Arrow.values))
    significant = serializers.BooleanField(read_only=True)
    good = serializers.BooleanField(read_only=True, allow_null=True)
    persons = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Learners behind the value (small-cell suppression)."
    )
    suppressed = serializers.SerializerMethodField(help_text="True when 1–4 learners are behind the value.")
    label_th = serializers.SerializerMethodField(help_text='"ปกปิด (<5)" when suppressed, else "".')
    label_en = serializers.SerializerMethodField(help_text='"suppressed (<5)" when suppressed, else "".')
    series = serializers.JSONField(
        read_only=True, help_text="[[period, value], …] in time order (values null when suppressed)."
    )
    source = serializers.DictField(  # type: ignore[assignment]  # the stored field's name
        read_only=True, help_text='{"model", "id", …}: where the value is stored.'
    )
    peer = serializers.DictField(
        read_only=True,
        help_text="{group, count, median, low, high, rank, verdict}: peer aggregates (rank and verdict "
        "left out when suppressed).",
    )

    class Meta:
        model = Figure
        fields = [
            "id", "run_id", "level", "indicator", "indicator_name_th", "indicator_name_en", "unit_id",
            "unit_code", "unit_kind", "unit_name_th", "unit_name_en", "province_code", "province_name_th",
            "province_name_en", "parent_id", "parent_code", "period", "value", "previous_period", "previous",
            "change", "improvement", "target", "light", "arrow", "significant", "good", "persons", "suppressed",
            "label_th", "label_en", "series", "source", "peer",
        ]  # fmt: skip
        read_only_fields = fields

    def _name(self, obj: Figure) -> IndicatorName | None:
        names: dict[str, IndicatorName] | None = self.context.get("indicator_names")
        if names is None:
            names = self.context["indicator_names"] = indicator_names()
        return names.get(obj.indicator)

    def get_indicator_name_th(self, obj: Figure) -> str:
        name = self._name(obj)
        return name.name_th if name else ""

    def get_indicator_name_en(self, obj: Figure) -> str:
        name = self._name(obj)
        return name.name_en if name else ""

    def get_suppressed(self, obj: Figure) -> bool:
        return is_suppressed(obj)

    def get_label_th(self, obj: Figure) -> str:
        return suppressed_label()[0] if is_suppressed(obj) else ""

    def get_label_en(self, obj: Figure) -> str:
        return suppressed_label()[1] if is_suppressed(obj) else ""

    def to_representation(self, instance: Figure) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if data["suppressed"]:
            data.update(value=None, previous=None, change=None, improvement=None, good=None, significant=False,
                        light=Light.NONE.value, arrow=Arrow.NONE.value)  # fmt: skip
            data["series"] = [[point[0], None] for point in data["series"] or []]
            data["peer"] = {k: v for k, v in (data["peer"] or {}).items() if k in PEER_KEPT_WHEN_SUPPRESSED}
        return data


class CockpitFigureFilterSerializer(serializers.Serializer):
    round = serializers.IntegerField(required=False, min_value=1, max_value=PK_MAX)
    level = serializers.ChoiceField(choices=Level.choices, required=False, allow_blank=True)
    indicator = serializers.CharField(
        required=False, allow_blank=True, max_length=60, help_text="Catalogue code."
    )
    unit = serializers.IntegerField(
        required=False, min_value=1, max_value=PK_MAX, help_text="Id of one org unit: its figures."
    )
    parent = serializers.IntegerField(  # type: ignore[assignment]  # the query parameter's name
        required=False,
        min_value=1,
        max_value=PK_MAX,
        help_text="Id of one org unit: the figures one level below it.",
    )


class FigureListView(SuksaListView):
    """Figures of the round's current run that you may see (filter by level, indicator, unit, parent)."""

    serializer_class = CockpitFigureSerializer
    filter_serializer_class = CockpitFigureFilterSerializer
    required_perm = Perm.INSIGHTS_VIEW

    @extend_schema(
        operation_id="cockpit_figures_list", tags=TAGS, summary="Dashboard figures",
        parameters=[CockpitFigureFilterSerializer],
    )  # fmt: skip
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Figure]:
        f = self.filters
        names = indicator_names()
        self._names = names
        indicator = check_indicator(f.get("indicator") or "", names)
        unit = unit_get(self.actor, f["unit"]) if f.get("unit") else None
        parent = unit_get(self.actor, f["parent"]) if f.get("parent") else None
        state = cockpit_state(f.get("round"))
        if state.run is None:
            return Figure.objects.none()
        qs = figures_visible(self.actor, state.run).select_related("unit", "province", "parent")
        if f.get("level"):
            qs = qs.filter(level=f["level"])
        if indicator:
            qs = qs.filter(indicator=indicator)
        if unit is not None:
            qs = qs.filter(unit=unit)
        if parent is not None:
            qs = qs.filter(parent=parent)
        return qs.order_by(LEVEL_ORDER, "unit__code", "province_id", "indicator", "pk")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if hasattr(self, "_names"):
            context["indicator_names"] = self._names
        return context


class CockpitMoverSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    code = serializers.CharField()
    name_th = serializers.CharField()
    name_en = serializers.CharField()
    indicator = serializers.CharField(help_text="Catalogue code of the indicator the ESA moved on.")
    indicator_name_th = serializers.CharField()
    indicator_name_en = serializers.CharField()
    indicator_unit = serializers.CharField(help_text="Unit of measure (percent, score …).")
    value = serializers.FloatField(allow_null=True)
    previous = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True)
    improvement = serializers.FloatField(allow_null=True, help_text="change × direction: positive is better.")
    period = serializers.CharField()
    previous_period = serializers.CharField()
    z = serializers.FloatField(
        allow_null=True, help_text='"all" only: the improvement standardised across the ESAs.'
    )


class CockpitMoversSerializer(serializers.Serializer):
    up = CockpitMoverSerializer(many=True, help_text="Most improved first.")
    down = CockpitMoverSerializer(many=True, help_text="Most worsened first.")


class CockpitKeyIndicatorSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="Catalogue code.")
    name_th = serializers.CharField()
    name_en = serializers.CharField()
    unit = serializers.CharField(help_text="Unit of measure (percent, score …).")
    nation = CockpitFigureSerializer(
        allow_null=True, help_text="The nation's figure; null when none was computed."
    )


class CockpitSummarySerializer(serializers.Serializer):
    round_id = serializers.IntegerField(allow_null=True)
    round = serializers.CharField(allow_null=True, help_text='e.g. "2569/m12".')
    run_id = serializers.IntegerField(allow_null=True)
    ready = serializers.BooleanField(help_text="False until the run's cockpit stage has written its figures.")
    built_at = serializers.DateTimeField(allow_null=True)
    key_indicators = CockpitKeyIndicatorSerializer(many=True)
    movers = serializers.DictField(
        child=CockpitMoversSerializer(),
        help_text='{indicator code or "all": {up, down}}: ESAs only, and only those you may see.',
    )
    counts = serializers.DictField(help_text="Figures written per level.")


class CockpitSummaryQuerySerializer(serializers.Serializer):
    round = serializers.IntegerField(required=False, min_value=1, max_value=PK_MAX)


def _mover(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "unit_id": item["unit_id"], "code": item.get("code", ""), "name_th": item.get("name_th", ""),
        "name_en": item.get("name_en", ""), "indicator": item.get("indicator", ""),
        "indicator_name_th": item.get("indicator_th", ""), "indicator_name_en": item.get("indicator_en", ""),
        "indicator_unit": item.get("unit", ""), "value": item.get("value"), "previous": item.get("previous"),
        "change": item.get("change"), "improvement": item.get("improvement"), "period": item.get("period", ""),
        "previous_period": item.get("previous_period", ""), "z": item.get("z"),
    }  # fmt: skip


def visible_movers(actor: Actor, movers: dict[str, Any]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The summary's movers, keeping only the units the actor may see in scope (one query)."""
    ids = {
        item.get("unit_id")
        for ways in movers.values()
        for items in (ways or {}).values()
        for item in items or []
    }
    paths = dict(
        OrgUnit.objects.filter(pk__in=[i for i in ids if isinstance(i, int)]).values_list("pk", "path")
    )
    allowed = {pk for pk, p in paths.items() if actor.can(Perm.INSIGHTS_VIEW, p)}
    return {
        key: {
            way: [_mover(item) for item in (ways or {}).get(way) or [] if item.get("unit_id") in allowed]
            for way in ("up", "down")
        }
        for key, ways in movers.items()
    }


class SummaryView(SuksaAPIView):
    """The run's key indicators with the nation's figures, the top movers you may see, and counts."""

    serializer_class = CockpitSummarySerializer
    required_perm = Perm.INSIGHTS_VIEW
    pagination_class = None

    @extend_schema(
        operation_id="cockpit_summary", tags=TAGS, summary="Dashboard summary", parameters=[CockpitSummaryQuerySerializer]
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        q = validate_bilingual(CockpitSummaryQuerySerializer, request.query_params)
        state = cockpit_state(q.get("round"))
        summary = state.summary
        names = indicator_names()
        keys: list[str] = list(summary.key_indicators) if summary is not None else []
        nation: dict[str, Figure] = {}
        if state.run is not None and keys:
            qs = figures_visible(self.actor, state.run).filter(level=Level.NATION, indicator__in=keys)
            nation = {fig.indicator: fig for fig in qs.select_related("unit", "province", "parent")}
        key_rows = [
            {
                "indicator": code,
                "name_th": names[code].name_th if code in names else code,
                "name_en": names[code].name_en if code in names else code,
                "unit": names[code].unit if code in names else "",
                "nation": nation.get(code),
            }
            for code in keys
        ]
        payload = {
            "round_id": state.round.pk if state.round else None,
            "round": state.round.key if state.round else None,
            "run_id": state.run.pk if state.run else None,
            "ready": state.ready,
            "built_at": summary.built_at if summary else None,
            "key_indicators": key_rows,
            "movers": visible_movers(self.actor, summary.movers) if summary else {},
            "counts": summary.counts if summary else {},
        }
        context = {**self.get_serializer_context(), "indicator_names": names}
        return Response(CockpitSummarySerializer(payload, context=context).data)


urlpatterns: list[URLPattern] = [
    path("cockpit/figures/", FigureListView.as_view(), name="cockpit_figures"),
    path("cockpit/summary/", SummaryView.as_view(), name="cockpit_summary"),
]
