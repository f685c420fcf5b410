"""Org units and school profiles: browse the tree within the caller's scope, edit a school profile."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core import selectors, services
from suksa.core.errors import InvalidInput, PermissionDenied, Problem
from suksa.core.models import OrgUnit, School
from suksa.core.models.orgunits import GRADE_ORDER
from suksa.core.policy import Perm
from suksa.interfaces.api.base import SuksaAPIView, SuksaListView, validate_bilingual
from suksa.interfaces.api.serializers.org import (
    OrgUnitDetailSerializer,
    OrgUnitFilterSerializer,
    OrgUnitSerializer,
    SchoolFilterSerializer,
    SchoolProfileUpdateSerializer,
    SchoolSerializer,
)

SEARCH_LIMIT = 200
_UP_TO_P6 = GRADE_ORDER[: GRADE_ORDER.index("P6") + 1]
_FROM_M1 = GRADE_ORDER[GRADE_ORDER.index("M1") :]


class OrgUnitListView(SuksaListView):
    serializer_class = OrgUnitSerializer
    filter_serializer_class = OrgUnitFilterSerializer

    @extend_schema(
        operation_id="org_units_list",
        tags=["org"],
        summary="List the org units the caller may see",
        parameters=[OrgUnitFilterSerializer],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[OrgUnit]:
        f = self.filters
        qs = selectors.units_visible_to(self.actor)
        if f.get("q"):
            found = selectors.unit_search(self.actor, f["q"], kind=f.get("kind"), limit=SEARCH_LIMIT)
            qs = qs.filter(pk__in=[u.pk for u in found])
        if f.get("kind"):
            qs = qs.filter(kind=f["kind"])
        if f.get("parent"):
            qs = qs.filter(parent__code=f["parent"])
        return qs.select_related("parent").order_by("path")


class OrgUnitDetailView(SuksaAPIView):
    serializer_class = OrgUnitDetailSerializer

    @extend_schema(
        operation_id="org_units_retrieve",
        tags=["org"],
        summary="One org unit with its ancestors (units above the caller's scope: names only)",
    )
    def get(self, request: Request, code: str) -> Response:
        unit = selectors.unit_get(self.actor, code)
        return Response(self.get_serializer(unit).data)


class OrgUnitChildrenView(SuksaListView):
    serializer_class = OrgUnitSerializer

    @extend_schema(operation_id="org_units_children", tags=["org"], summary="The children the caller may see")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[OrgUnit]:
        unit = selectors.unit_get(self.actor, self.kwargs["code"])
        return selectors.unit_children(self.actor, unit).select_related("parent")


class SchoolListView(SuksaListView):
    serializer_class = SchoolSerializer
    filter_serializer_class = SchoolFilterSerializer

    @extend_schema(
        operation_id="schools_list",
        tags=["schools"],
        summary="List the schools the caller may see",
        parameters=[SchoolFilterSerializer],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[School]:
        f = self.filters
        qs = selectors.schools_visible_to(self.actor).select_related(
            "unit", "unit__parent", "province", "district", "subdistrict"
        )
        if f.get("esa"):
            qs = qs.filter(unit__parent__code=f["esa"])
        if f.get("province"):
            qs = qs.filter(province_id=f["province"])
        if f.get("size_band"):
            qs = qs.filter(size_band=f["size_band"])
        if f.get("area_type"):
            qs = qs.filter(area_type=f["area_type"])
        level = f.get("level_type")
        if level == "primary":
            qs = qs.filter(highest_grade__in=_UP_TO_P6)
        elif level == "secondary":
            qs = qs.filter(lowest_grade__in=_FROM_M1)
        elif level == "expanded":
            qs = qs.exclude(highest_grade__in=_UP_TO_P6).exclude(lowest_grade__in=_FROM_M1)
        return qs.order_by("unit__path")


class SchoolDetailView(SuksaAPIView):
    serializer_class = SchoolSerializer

    @extend_schema(operation_id="schools_retrieve", tags=["schools"], summary="One school profile")
    def get(self, request: Request, code: str) -> Response:
        school = selectors.school_get(self.actor, code)
        return Response(self.get_serializer(school).data)

    @extend_schema(
        operation_id="schools_partial_update",
        tags=["schools"],
        summary="Edit the profile fields a school maintains (needs school.edit on the school)",
        request=SchoolProfileUpdateSerializer,
        responses=SchoolSerializer,
    )
    def patch(self, request: Request, code: str) -> Response:
        school = selectors.school_get(self.actor, code)
        # Refuse before looking at the payload, so that a caller without the right learns nothing
        # from validation messages; the service checks again.
        if not self.actor.can(Perm.SCHOOL_EDIT, school.unit.path):
            raise PermissionDenied.default()
        allowed = set(SchoolProfileUpdateSerializer().fields)
        keys = request.data.keys() if isinstance(request.data, Mapping) else []
        unknown = sorted(str(k) for k in keys if k not in allowed)
        if unknown:
            raise InvalidInput(
                [
                    Problem(
                        code="field_not_editable",
                        th="แก้ไขช่องนี้ไม่ได้",
                        en="This field cannot be edited",
                        field=f,
                    )
                    for f in unknown
                ]
            )
        data = validate_bilingual(SchoolProfileUpdateSerializer, request.data, partial=True)
        school = services.school_update_profile(actor=self.actor, school=school, data=data)
        return Response(self.get_serializer(selectors.school_get(self.actor, code)).data)


urlpatterns = [
    path("org-units/", OrgUnitListView.as_view(), name="org-unit-list"),
    path("org-units/<str:code>/", OrgUnitDetailView.as_view(), name="org-unit-detail"),
    path("org-units/<str:code>/children/", OrgUnitChildrenView.as_view(), name="org-unit-children"),
    path("schools/", SchoolListView.as_view(), name="school-list"),
    path("schools/<str:code>/", SchoolDetailView.as_view(), name="school-detail"),
]
