"""Census rounds and returns over REST: take, certify, acknowledge, amend, open and close; boards,
national progress and certified per-head counts.

Rounds are national objects, named in the body or the query string (``round``), never in the path.
Returns and schools out of the caller's ``org.view`` scope are not found.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core import selectors
from suksa.core.errors import NotFoundOrNoAccess, PermissionDenied
from suksa.core.models import CensusDate, OrgUnit
from suksa.core.policy import Perm
from suksa.domains.students import selectors_census as sel
from suksa.domains.students.models import CensusReturn, CensusRound
from suksa.domains.students.services import census as svc
from suksa.interfaces.api.base import SuksaAPIView, SuksaListView, validate_bilingual
from suksa.interfaces.api.serializers.students_census import (
    AcknowledgeBulkSerializer,
    AmendSerializer,
    BoardSerializer,
    CensusReturnDetailSerializer,
    CensusReturnSerializer,
    CensusRoundSerializer,
    CloseResultSerializer,
    CloseRoundSerializer,
    CountResultSerializer,
    HeadcountQuerySerializer,
    HeadcountSerializer,
    OpenRoundSerializer,
    ProgressSerializer,
    RoundQuerySerializer,
    TakeSerializer,
)

TAGS = ["census"]


def _round(round_id: int | None) -> CensusRound:
    if round_id is None:
        latest = sel.round_latest()
        if latest is None:
            raise NotFoundOrNoAccess.default()
        return latest
    return sel.round_get(round_id)


def _school(actor: Any, code: str) -> OrgUnit:
    return selectors.school_get(actor, code).unit


def _detail(view: SuksaAPIView, ret: CensusReturn) -> Response:
    ctx = {
        **view.get_serializer_context(),
        "cells": sel.return_cells(ret),
        "amendments": list(sel.return_amendments(ret)),
        "effective_total": sel.return_effective_total(ret),
    }
    return Response(CensusReturnDetailSerializer(ret, context=ctx).data)


class SchoolCensusView(SuksaListView):
    """A school's census returns, newest round first; POST takes (or retakes) its snapshot."""

    serializer_class = CensusReturnSerializer

    @extend_schema(operation_id="census_school_returns", tags=TAGS, summary="A school's census returns")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[CensusReturn]:
        unit = _school(self.actor, self.kwargs["code"])
        return sel.school_returns(self.actor, unit).select_related("school")

    @extend_schema(
        operation_id="census_school_take",
        tags=TAGS,
        summary="Take the school's snapshot on the round's census date (director, census.close)",
        request=TakeSerializer,
        responses=CensusReturnSerializer,
    )
    def post(self, request: Request, code: str) -> Response:
        unit = _school(self.actor, code)
        if not svc.may_take(self.actor, unit.path):
            raise PermissionDenied.default()
        data = validate_bilingual(TakeSerializer, request.data)
        rnd = sel.round_get(data["round"])
        svc.census_returns_take(
            actor=self.actor, census_round=rnd, schools=OrgUnit.objects.filter(pk=unit.pk)
        )
        ret = sel.school_returns(self.actor, unit).select_related("school").get(round=rnd)
        return Response(CensusReturnSerializer(ret, context=self.get_serializer_context()).data)


class CensusReturnView(SuksaAPIView):
    """One return with its cells (certified, amended, effective) and its amendments."""

    serializer_class = CensusReturnDetailSerializer

    @extend_schema(operation_id="census_return_retrieve", tags=TAGS, summary="One census return")
    def get(self, request: Request, return_id: int) -> Response:
        return _detail(self, sel.return_get(self.actor, return_id))


class CensusReturnCertifyView(SuksaAPIView):
    """The school director certifies the snapshot (refused when the roster changed since)."""

    serializer_class = CensusReturnDetailSerializer

    @extend_schema(operation_id="census_return_certify", tags=TAGS, summary="Certify a return", request=None)
    def post(self, request: Request, return_id: int) -> Response:
        ret = sel.return_get(self.actor, return_id)
        svc.census_return_certify(actor=self.actor, census_return=ret)
        return _detail(self, sel.return_get(self.actor, return_id))


class CensusReturnAcknowledgeView(SuksaAPIView):
    """The ESA acknowledges a certified return."""

    serializer_class = CensusReturnDetailSerializer

    @extend_schema(
        operation_id="census_return_acknowledge", tags=TAGS, summary="Acknowledge a return", request=None
    )
    def post(self, request: Request, return_id: int) -> Response:
        ret = sel.return_get(self.actor, return_id)
        svc.census_return_acknowledge(actor=self.actor, census_return=ret)
        return _detail(self, sel.return_get(self.actor, return_id))


class CensusReturnAmendView(SuksaAPIView):
    """Signed changes to cells of a certified return, with the reason."""

    serializer_class = CensusReturnDetailSerializer

    @extend_schema(
        operation_id="census_return_amend",
        tags=TAGS,
        summary="Amend a certified return (director while open; census.close after closing)",
        request=AmendSerializer,
    )
    def post(self, request: Request, return_id: int) -> Response:
        ret = sel.return_get(self.actor, return_id)
        if not svc.may_amend(self.actor, ret):
            raise PermissionDenied.default()
        data = validate_bilingual(AmendSerializer, request.data)
        cells = [(c["grade"], c["sex"], c["age"], c["repeater"], c["delta"]) for c in data["cells"]]
        svc.census_amend(actor=self.actor, census_return=ret, cells=cells, reason=data["reason"])
        return _detail(self, sel.return_get(self.actor, return_id))


class CensusRoundListView(SuksaListView):
    """Census rounds, newest first; POST opens a round (national census.close)."""

    serializer_class = CensusRoundSerializer

    @extend_schema(operation_id="census_rounds_list", tags=TAGS, summary="List census rounds")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[CensusRound]:
        return sel.rounds_all().order_by("-census_date__date")

    @extend_schema(
        operation_id="census_rounds_open",
        tags=TAGS,
        summary="Open the round of a census date",
        request=OpenRoundSerializer,
        responses={201: CensusRoundSerializer},
    )
    def post(self, request: Request) -> Response:
        if not svc.is_national_closer(self.actor):
            raise PermissionDenied.default()
        data = validate_bilingual(OpenRoundSerializer, request.data)
        census_date = CensusDate.objects.filter(pk=data["census_date"]).first()
        if census_date is None:
            raise NotFoundOrNoAccess.default()
        rnd = svc.census_round_open(actor=self.actor, census_date=census_date)
        return Response(CensusRoundSerializer(sel.round_get(rnd.pk)).data, status=201)


class CensusRoundCloseView(SuksaAPIView):
    """Close a round (national census.close); the answer lists the schools that did not certify."""

    serializer_class = CloseResultSerializer

    @extend_schema(
        operation_id="census_rounds_close", tags=TAGS, summary="Close a round", request=CloseRoundSerializer
    )
    def post(self, request: Request) -> Response:
        if not svc.is_national_closer(self.actor):
            raise PermissionDenied.default()
        data = validate_bilingual(CloseRoundSerializer, request.data)
        result = svc.census_round_close(actor=self.actor, census_round=sel.round_get(data["round"]))
        return Response(CloseResultSerializer(result).data)


class CensusRoundProgressView(SuksaAPIView):
    """Per ESA in the caller's scope: schools expected, certified and acknowledged for a round."""

    serializer_class = ProgressSerializer
    pagination_class = None  # one row per ESA in scope: at most 245

    @extend_schema(
        operation_id="census_rounds_progress",
        tags=TAGS,
        summary="National round status per ESA",
        parameters=[RoundQuerySerializer],
        responses=ProgressSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        q = validate_bilingual(RoundQuerySerializer, request.query_params)
        progress = sel.round_progress(self.actor, _round(q.get("round")))
        return Response(ProgressSerializer(progress, many=True).data)


class EsaCensusView(SuksaAPIView):
    """The ESA's status board for a round; POST acknowledges certified returns in bulk."""

    serializer_class = BoardSerializer

    def _esa(self, code: str) -> OrgUnit:
        unit = OrgUnit.objects.filter(kind=OrgUnit.Kind.ESA, code=code).first()
        if unit is None or not self.actor.can(Perm.ORG_VIEW, unit.path):
            raise NotFoundOrNoAccess.default()
        return unit

    @extend_schema(
        operation_id="census_esa_board",
        tags=TAGS,
        summary="An ESA's census status board",
        parameters=[RoundQuerySerializer],
    )
    def get(self, request: Request, code: str) -> Response:
        esa = self._esa(code)
        q = validate_bilingual(RoundQuerySerializer, request.query_params)
        board = sel.esa_board(self.actor, _round(q.get("round")), esa)
        return Response(BoardSerializer(board).data)

    @extend_schema(
        operation_id="census_esa_acknowledge",
        tags=TAGS,
        summary="Acknowledge certified returns of the ESA's schools (all, or the ids given)",
        request=AcknowledgeBulkSerializer,
        responses=CountResultSerializer,
    )
    def post(self, request: Request, code: str) -> Response:
        esa = self._esa(code)
        if not self.actor.can(Perm.CENSUS_ACKNOWLEDGE, esa.path):
            raise PermissionDenied.default()
        data = validate_bilingual(AcknowledgeBulkSerializer, request.data)
        returns = CensusReturn.objects.filter(round=sel.round_get(data["round"]), school__parent=esa)
        if data.get("returns"):
            returns = returns.filter(pk__in=data["returns"])
        n = svc.census_returns_acknowledge(actor=self.actor, returns=returns)
        return Response({"count": n})


class HeadcountView(SuksaAPIView):
    """Certified per-head counts of a school or office for a round, by level and grade × sex.

    Only certified (or acknowledged) returns count, plus their amendments. Callers without a census
    duty over the unit (certify, acknowledge or close) get cells of 1–4 learners withheld (null).
    """

    serializer_class = HeadcountSerializer

    @extend_schema(
        operation_id="census_headcounts",
        tags=TAGS,
        summary="Certified per-head counts",
        parameters=[HeadcountQuerySerializer],
    )
    def get(self, request: Request) -> Response:
        q = validate_bilingual(HeadcountQuerySerializer, request.query_params)
        unit = OrgUnit.objects.filter(code=q["unit"]).first()
        if unit is None:
            raise NotFoundOrNoAccess.default()
        h = sel.headcounts(self.actor, _round(q.get("round")), unit)
        duty = any(
            self.actor.can(p, unit.path)
            for p in (Perm.CENSUS_CERTIFY, Perm.CENSUS_ACKNOWLEDGE, Perm.CENSUS_CLOSE)
        )
        if duty:
            body: dict[str, Any] = {
                "by_level": h.by_level,
                "by_grade": h.by_grade.rows,
                "total": h.total,
                "suppressed": False,
            }
        else:
            body = {**sel.suppressed_headcounts(h), "suppressed": True}
        body.update({"round": h.census_round, "unit_code": unit.code, "returns_counted": h.returns_counted})
        return Response(HeadcountSerializer(body).data)


urlpatterns = [
    path("schools/<str:code>/census/", SchoolCensusView.as_view(), name="census-school"),
    path("census/returns/<int:return_id>/", CensusReturnView.as_view(), name="census-return"),
    path(
        "census/returns/<int:return_id>/certify/",
        CensusReturnCertifyView.as_view(),
        name="census-return-certify",
    ),
    path(
        "census/returns/<int:return_id>/acknowledge/",
        CensusReturnAcknowledgeView.as_view(),
        name="census-return-acknowledge",
    ),
    path(
        "census/returns/<int:return_id>/amend/", CensusReturnAmendView.as_view(), name="census-return-amend"
    ),
    path("census/rounds/", CensusRoundListView.as_view(), name="census-rounds"),
    path("census/rounds/close/", CensusRoundCloseView.as_view(), name="census-rounds-close"),
    path("census/rounds/progress/", CensusRoundProgressView.as_view(), name="census-rounds-progress"),
    path("census/headcounts/", HeadcountView.as_view(), name="census-headcounts"),
    path("esa/<str:code>/census/", EsaCensusView.as_view(), name="census-esa"),
]
