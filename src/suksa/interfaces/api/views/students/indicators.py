"""Stored standard indicators: list them across the caller's scope, or for one org unit (org.view)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core import selectors
from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.models import IndicatorValue, OrgUnit
from suksa.core.policy import Perm
from suksa.domains.students import selectors_indicators as sel
from suksa.interfaces.api.base import SuksaListView
from suksa.interfaces.api.serializers.students_indicators import (
    IndicatorFilterSerializer,
    IndicatorValueSerializer,
    UnitIndicatorFilterSerializer,
)


def _visible_unit(view: SuksaListView, code: str) -> OrgUnit:
    unit = selectors.unit_get(view.actor, code)
    if not view.actor.can(Perm.ORG_VIEW, unit.path):  # a unit the caller only walks through
        raise NotFoundOrNoAccess.default()
    return unit


def _filtered(view: SuksaListView, unit_code: str | None) -> QuerySet[IndicatorValue]:
    f = view.filters
    return sel.indicator_values_visible_to(
        view.actor,
        unit_code=unit_code,
        period=f.get("period"),
        indicator=f.get("indicator"),
        breakdown=f.get("breakdown"),
        formula_version=f.get("formula_version") or sel.FORMULA_VERSION,
    )


class IndicatorValueListView(SuksaListView):
    """Indicator values of every org unit the caller may see (filter by unit, period, indicator).

    Values from fewer than 5 persons are withheld unless the caller works in the unit's own office
    (the unit itself, or a school's ESA)."""

    serializer_class = IndicatorValueSerializer
    filter_serializer_class = IndicatorFilterSerializer

    @extend_schema(
        operation_id="indicators_list",
        tags=["indicators"],
        summary="Stored standard indicator values in the caller's scope",
        parameters=[IndicatorFilterSerializer],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[IndicatorValue]:
        code = self.filters.get("unit")
        if code:
            _visible_unit(self, code)
        return _filtered(self, code)


class OrgUnitIndicatorListView(SuksaListView):
    """The stored indicator values of one org unit."""

    serializer_class = IndicatorValueSerializer
    filter_serializer_class = UnitIndicatorFilterSerializer

    @extend_schema(
        operation_id="org_units_indicators",
        tags=["indicators"],
        summary="Stored standard indicator values of one org unit",
        parameters=[UnitIndicatorFilterSerializer],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[IndicatorValue]:
        unit = _visible_unit(self, self.kwargs["code"])
        return _filtered(self, unit.code)


urlpatterns = [
    path("indicators/", IndicatorValueListView.as_view(), name="indicator-list"),
    path("org-units/<str:code>/indicators/", OrgUnitIndicatorListView.as_view(), name="org-unit-indicators"),
]
