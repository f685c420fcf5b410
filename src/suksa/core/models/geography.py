"""Provinces, districts and subdistricts: reference data loaded from the ``geothai`` package."""

from __future__ import annotations

from django.db import models


class Province(models.Model):
    """A province (77). Holds no personal data; reference data kept indefinitely."""

    code = models.CharField(max_length=2, primary_key=True)
    name_th = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    inspection_region = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="provinces"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_th


class District(models.Model):
    """A district (อำเภอ/เขต, 928). No personal data; reference data kept indefinitely."""

    code = models.CharField(max_length=4, primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="districts")
    name_th = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_th


class Subdistrict(models.Model):
    """A subdistrict (ตำบล/แขวง, 7,436). No personal data; reference data kept indefinitely."""

    code = models.CharField(max_length=6, primary_key=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="subdistricts")
    name_th = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=5, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_th
