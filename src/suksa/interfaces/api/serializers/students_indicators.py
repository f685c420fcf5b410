"""Stored indicator values: query filters and the output shape (small cells withheld outside the office)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from suksa.core.models import IndicatorValue
from suksa.domains.students import selectors_indicators as sel
from suksa.domains.students.services.indicators import CATALOGUE


class IndicatorFilterSerializer(serializers.Serializer):
    unit = serializers.CharField(max_length=20, required=False, help_text="Code of one org unit.")
    period = serializers.CharField(
        max_length=20, required=False, help_text='"2568" (academic year) or "2568/jun10" (census date).'
    )
    indicator = serializers.ChoiceField(
        choices=sorted(CATALOGUE), required=False, help_text="Indicator code."
    )
    breakdown = serializers.CharField(
        max_length=80, required=False, allow_blank=True,
        help_text='"" for the total, else e.g. "grade=P1;sex=F" (keys sorted).',
    )  # fmt: skip
    formula_version = serializers.CharField(
        max_length=30, required=False, help_text="Formula version (default: the current one)."
    )


class UnitIndicatorFilterSerializer(IndicatorFilterSerializer):
    unit = None  # type: ignore[assignment]  # the unit is in the path


class IndicatorValueSerializer(serializers.ModelSerializer):
    """One value. ``withheld`` is true when a person count behind it is 1–4 and the caller is not in
    the unit's own office: value, numerator, denominator and the counts in ``source`` are then null."""

    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_kind = serializers.CharField(source="unit.kind", read_only=True)
    name_th = serializers.SerializerMethodField()
    name_en = serializers.SerializerMethodField()
    value = serializers.SerializerMethodField(method_name="get_shown_value")
    numerator = serializers.SerializerMethodField()
    denominator = serializers.SerializerMethodField()
    withheld = serializers.SerializerMethodField()
    label_th = serializers.SerializerMethodField()
    label_en = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField(method_name="get_provenance")  # type: ignore[assignment]

    class Meta:
        model = IndicatorValue
        fields = [
            "unit_code", "unit_kind", "indicator", "name_th", "name_en", "formula_version", "period",
            "breakdown", "value", "numerator", "denominator", "suppressed", "withheld", "label_th",
            "label_en", "source", "computed_at",
        ]  # fmt: skip
        read_only_fields = fields

    def _shown(self, obj: IndicatorValue) -> dict[str, Any]:
        cache = self.context.setdefault("_shown", {})
        if obj.pk not in cache:
            inside = sel.is_inside_office(self.context["actor"], obj.unit.path)
            cache[obj.pk] = sel.published(obj, inside=inside)
        return cache[obj.pk]

    def get_name_th(self, obj: IndicatorValue) -> str:
        info = CATALOGUE.get(obj.indicator)
        return info.th if info else ""

    def get_name_en(self, obj: IndicatorValue) -> str:
        info = CATALOGUE.get(obj.indicator)
        return info.en if info else ""

    def get_shown_value(self, obj: IndicatorValue) -> float | None:
        return self._shown(obj)["value"]

    def get_numerator(self, obj: IndicatorValue) -> float | None:
        return self._shown(obj)["numerator"]

    def get_denominator(self, obj: IndicatorValue) -> float | None:
        return self._shown(obj)["denominator"]

    def get_withheld(self, obj: IndicatorValue) -> bool:
        return bool(self._shown(obj)["withheld"])

    def get_label_th(self, obj: IndicatorValue) -> str:
        return str(self._shown(obj)["label_th"])

    def get_label_en(self, obj: IndicatorValue) -> str:
        return str(self._shown(obj)["label_en"])

    def get_provenance(self, obj: IndicatorValue) -> dict[str, Any]:
        return dict(self._shown(obj)["source"])
