"""Org units and school profiles: query filters, output shapes and the editable profile fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from suksa.core.models import EsaProfile, OrgUnit, School, SizeBandRule
from suksa.core.models.orgunits import LEVEL_TYPE_LABELS
from suksa.core.policy import Actor
from suksa.core.selectors import unit_ancestors, unit_is_fully_visible
from suksa.interfaces.api.serializers.common import BeDisplayField, LocalizedNameField

LEVEL_TYPES = list(LEVEL_TYPE_LABELS)


class OrgUnitFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OrgUnit.Kind.choices, required=False, help_text="Unit kind.")
    parent = serializers.CharField(  # type: ignore[assignment]  # a query parameter, not Field.parent
        max_length=20, required=False, help_text="Code of the parent unit."
    )
    q = serializers.CharField(
        max_length=100,
        required=False,
        help_text="Thai-aware search over code, Thai and English names (every term must match; "
        "at most 200 best matches).",
    )


class SchoolFilterSerializer(serializers.Serializer):
    esa = serializers.CharField(max_length=20, required=False, help_text="Code of the ESA.")
    province = serializers.CharField(max_length=2, required=False, help_text="Two-digit province code.")
    size_band = serializers.ChoiceField(choices=SizeBandRule.Band.choices, required=False)
    area_type = serializers.ChoiceField(choices=School.AreaType.choices, required=False)
    level_type = serializers.ChoiceField(
        choices=[(k, f"{th} / {en}") for k, (th, en) in LEVEL_TYPE_LABELS.items()], required=False
    )


class OrgUnitRefSerializer(serializers.ModelSerializer):
    """A unit by name only (breadcrumbs)."""

    name = LocalizedNameField()

    class Meta:
        model = OrgUnit
        fields = ["code", "kind", "name_th", "name_en", "name"]
        read_only_fields = fields


class OrgUnitSerializer(serializers.ModelSerializer):
    name = LocalizedNameField()
    parent_code = serializers.CharField(source="parent.code", read_only=True, allow_null=True, default=None)
    fully_visible = serializers.SerializerMethodField(
        help_text="False for units above the caller's scope: shown for navigation, by name only."
    )
    updated_at_display = BeDisplayField(source="updated_at")

    class Meta:
        model = OrgUnit
        fields = [
            "code",
            "kind",
            "name_th",
            "name_en",
            "name",
            "parent_code",
            "is_active",
            "fully_visible",
            "updated_at",
            "updated_at_display",
        ]
        read_only_fields = fields

    def _actor(self) -> Actor:
        return self.context["actor"]

    def get_fully_visible(self, unit: OrgUnit) -> bool:
        return unit_is_fully_visible(self._actor(), unit)


class EsaProfileSerializer(serializers.ModelSerializer):
    office_province = serializers.CharField(source="office_province_id", read_only=True)
    provinces = serializers.SerializerMethodField()

    class Meta:
        model = EsaProfile
        fields = ["esa_type", "area_number", "office_province", "provinces"]
        read_only_fields = fields

    def get_provinces(self, esa: EsaProfile) -> list[str]:
        return sorted(p.code for p in esa.provinces.all())


class OrgUnitDetailSerializer(OrgUnitSerializer):
    ancestors = serializers.SerializerMethodField(help_text="From the nation down to the parent.")
    esa = serializers.SerializerMethodField(help_text="ESA profile (ESAs the caller may see in full).")

    class Meta(OrgUnitSerializer.Meta):
        fields = [*OrgUnitSerializer.Meta.fields, "ancestors", "esa"]
        read_only_fields = fields

    @extend_schema_field(OrgUnitRefSerializer(many=True))
    def get_ancestors(self, unit: OrgUnit) -> list[dict[str, Any]]:
        return list(OrgUnitRefSerializer(unit_ancestors(unit), many=True).data)

    @extend_schema_field(EsaProfileSerializer(allow_null=True))
    def get_esa(self, unit: OrgUnit) -> dict[str, Any] | None:
        if unit.kind != OrgUnit.Kind.ESA or not unit_is_fully_visible(self._actor(), unit):
            return None
        profile = EsaProfile.objects.filter(unit=unit).first()
        return dict(EsaProfileSerializer(profile).data) if profile else None


class SchoolSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="unit.code", read_only=True)
    name_th = serializers.CharField(source="unit.name_th", read_only=True)
    name_en = serializers.CharField(source="unit.name_en", read_only=True)
    name = LocalizedNameField(source="unit")
    esa_code = serializers.CharField(source="unit.parent.code", read_only=True)
    esa_name = LocalizedNameField(source="unit.parent")
    province_code = serializers.CharField(source="province_id", read_only=True)
    province_name = LocalizedNameField(source="province")
    district_code = serializers.CharField(source="district_id", read_only=True)
    district_name = LocalizedNameField(source="district")
    subdistrict_code = serializers.CharField(source="subdistrict_id", read_only=True)
    subdistrict_name = LocalizedNameField(source="subdistrict")
    level_type = serializers.ChoiceField(choices=LEVEL_TYPES, read_only=True)
    pupil_teacher_ratio = serializers.FloatField(read_only=True, allow_null=True)
    counts_as_of_display = BeDisplayField(source="counts_as_of")
    is_active = serializers.BooleanField(source="unit.is_active", read_only=True)
    updated_at = serializers.DateTimeField(source="unit.updated_at", read_only=True)
    updated_at_display = BeDisplayField(source="unit.updated_at")

    class Meta:
        model = School
        fields = [
            "code",
            "name_th",
            "name_en",
            "name",
            "esa_code",
            "esa_name",
            "esa_type",
            "province_code",
            "province_name",
            "district_code",
            "district_name",
            "subdistrict_code",
            "subdistrict_name",
            "area_type",
            "lowest_grade",
            "highest_grade",
            "level_type",
            "size_band",
            "student_count",
            "teacher_count",
            "classroom_count",
            "pupil_teacher_ratio",
            "counts_as_of",
            "counts_as_of_display",
            "address",
            "phone",
            "latitude",
            "longitude",
            "is_active",
            "updated_at",
            "updated_at_display",
        ]
        read_only_fields = fields


class SchoolProfileUpdateSerializer(serializers.Serializer):
    """The profile fields a school maintains itself (core.services.SCHOOL_EDITABLE_FIELDS)."""

    name_en = serializers.CharField(max_length=255, allow_blank=True, required=False)
    address = serializers.CharField(max_length=255, allow_blank=True, required=False)
    phone = serializers.CharField(max_length=30, allow_blank=True, required=False)
    area_type = serializers.ChoiceField(choices=School.AreaType.choices, required=False)
    latitude = serializers.DecimalField(
        max_digits=8,
        decimal_places=5,
        min_value=Decimal("-90"),
        max_value=Decimal("90"),
        allow_null=True,
        required=False,
    )
    longitude = serializers.DecimalField(
        max_digits=8,
        decimal_places=5,
        min_value=Decimal("-180"),
        max_value=Decimal("180"),
        allow_null=True,
        required=False,
    )
