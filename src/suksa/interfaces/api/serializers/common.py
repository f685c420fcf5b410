"""Fields shared by the API's serializers: Buddhist-Era display of CE dates, request-language names."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from suksa.core.dates import format_be
from suksa.core.i18n import current_language


def be_display(value: dt.date | dt.datetime | None) -> str | None:
    """The Buddhist-Era text of a date in the request language; ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return format_be(value, current_language())


@extend_schema_field({"type": "string", "nullable": True, "readOnly": True, "example": "21 พ.ย. 2569"})
class BeDisplayField(serializers.ReadOnlyField):
    """A read-only ``*_display`` companion of an ISO CE date: ``21 พ.ย. 2569`` / ``21 Nov 2569 BE``."""

    def to_representation(self, value: Any) -> str | None:
        return be_display(value)


@extend_schema_field(OpenApiTypes.STR)
class LocalizedNameField(serializers.ReadOnlyField):
    """The object's name in the request language (English falls back to Thai when missing)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        th = getattr(value, "name_th", "") or ""
        en = getattr(value, "name_en", "") or ""
        return en if current_language() == "en" and en else th
