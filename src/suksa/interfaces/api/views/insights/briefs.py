"""Insights API: policy briefs.

- ``GET insights/briefs/`` (``?round=&topic=&status=``) — the briefs you may read (published ones
  with ``brief.view``; drafts only as a national writer or an invited participant).
- ``GET insights/briefs/<id>/`` (``?version=``) — one version: summary, findings and
  recommendations with their evidence (each number's value, unit, indicator, period and source)
  and the number trace.
- ``POST insights/briefs/generate/`` ``{round, topic, rephrase?}`` — write a new version from the
  round's current run (national M&E only).
- ``POST insights/briefs/<id>/publish/`` ``{version?}`` — publish the latest version; refused when
  its trace fails or ``version`` is not the latest (national M&E only).
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied
from suksa.core.policy import Perm
from suksa.domains.insights import selectors_briefs as sel
from suksa.domains.insights.models import Brief, BriefVersion
from suksa.domains.insights.models.choices import BriefStatus
from suksa.domains.insights.services import exports
from suksa.domains.insights.services.briefs import TOPICS, brief_generate, brief_publish
from suksa.domains.monitoring.selectors import round_get
from suksa.interfaces.api.base import SuksaAPIView, validate_bilingual

TAGS = ["insights"]
PK_MAX = 2**63 - 1


class SourceSerializer(serializers.Serializer):
    model = serializers.CharField()
    id = serializers.IntegerField(allow_null=True, help_text="The stored row (null for a set of rows).")
    field = serializers.CharField(allow_blank=True)


class NumberSerializer(serializers.Serializer):
    ref = serializers.CharField()
    display = serializers.CharField(help_text="As written in the text.")
    value = serializers.FloatField(
        allow_null=True, help_text="Null when suppressed (a count of 1-4 persons)."
    )
    unit_id = serializers.IntegerField(allow_null=True)
    unit_code = serializers.CharField(allow_blank=True)
    unit_name = serializers.CharField(allow_blank=True)
    indicator = serializers.CharField(allow_blank=True)
    period = serializers.CharField(allow_blank=True)
    source = SourceSerializer()  # type: ignore[assignment]  # a field named "source", as stored


class BriefItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    text_th = serializers.CharField()
    text_en = serializers.CharField()
    evidence = serializers.ListField(child=serializers.CharField())
    numbers = NumberSerializer(many=True)


class TraceFailureSerializer(serializers.Serializer):
    text = serializers.CharField()
    number = serializers.CharField()
    why = serializers.CharField()


class TraceSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    checked = serializers.IntegerField()
    failures = TraceFailureSerializer(many=True)


class BriefRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    round_id = serializers.IntegerField()
    round = serializers.CharField(source="round.key")
    unit_code = serializers.CharField(source="unit.code")
    topic = serializers.CharField()
    title_th = serializers.CharField()
    title_en = serializers.CharField()
    status = serializers.CharField()
    versions = serializers.IntegerField(source="version_count")
    latest_version = serializers.IntegerField(source="latest_number", allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)


class SummarySerializer(serializers.Serializer):
    th = serializers.CharField()
    en = serializers.CharField()


class BriefDetailSerializer(BriefRowSerializer):
    version = serializers.IntegerField()
    writer = serializers.CharField()
    change_note = serializers.CharField(allow_blank=True)
    is_latest = serializers.BooleanField()
    summary = SummarySerializer()
    findings = BriefItemSerializer(many=True)
    recommendations = BriefItemSerializer(many=True)
    trace = TraceSerializer()


class GenerateSerializer(serializers.Serializer):
    round = serializers.IntegerField(min_value=1, max_value=PK_MAX)
    topic = serializers.ChoiceField(choices=sorted(TOPICS))
    rephrase = serializers.BooleanField(required=False, allow_null=True, default=None)


class PublishSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)


def _number(n: dict[str, Any]) -> dict[str, Any]:
    src = n.get("source") or {}
    sid = src.get("id")
    return {
        **n,
        "unit_code": n.get("unit_code") or "",
        "unit_name": n.get("unit_name") or "",
        "indicator": n.get("indicator") or "",
        "period": n.get("period") or "",
        "source": {"model": str(src.get("model", "")), "id": sid if isinstance(sid, int) else None,
                   "field": str(src.get("field", ""))},
    }  # fmt: skip


def _detail(brief: Brief, version: BriefVersion) -> dict[str, Any]:
    ctx = exports.context(brief, version)
    latest = (
        BriefVersion.objects.filter(brief=brief).order_by("-number").values_list("number", flat=True).first()
    )
    items = {
        part: [{**i, "numbers": [_number(n) for n in i["numbers"]]} for i in ctx[part]]
        for part in ("findings", "recommendations")
    }
    trace = version.trace or {}
    return {
        "pk": brief.pk, "round_id": brief.round_id, "round": brief.round, "unit": brief.unit, "topic": brief.topic,
        "title_th": brief.title_th, "title_en": brief.title_en, "status": brief.status,
        "version_count": getattr(brief, "version_count", 0), "latest_number": latest,
        "published_at": brief.published_at, "version": version.number, "writer": version.writer,
        "change_note": version.change_note, "is_latest": latest == version.number, "summary": ctx["summary"],
        **items,
        "trace": {"ok": bool(trace.get("ok")), "checked": int(trace.get("checked", 0)),
                  "failures": trace.get("failures") or []},
    }  # fmt: skip


def _positive(raw: str | None, field: str) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
        if not 0 < value <= PK_MAX:
            raise ValueError
    except ValueError:
        raise InvalidInput.single(
            "not_an_id", f"{field} ต้องเป็นจำนวนเต็มบวก", f"{field} must be a positive whole number", field=field
        ) from None
    return value


class BriefsView(SuksaAPIView):
    """The policy briefs you may read."""

    serializer_class = BriefRowSerializer
    pagination_class = None  # a handful of topics per round
    required_perm = Perm.BRIEF_VIEW

    @extend_schema(
        operation_id="insights_briefs", tags=TAGS, summary="Policy briefs",
        parameters=[OpenApiParameter("round", int), OpenApiParameter("topic", str), OpenApiParameter("status", str)],
        responses={200: BriefRowSerializer(many=True)},
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        round_id = _positive(request.query_params.get("round"), "round")
        topic = request.query_params.get("topic", "")
        state = request.query_params.get("status", "")
        if topic and topic not in TOPICS:
            raise InvalidInput.single("topic_unknown", f"ไม่รู้จักหัวข้อ '{topic}'", f"Unknown topic '{topic}'",
                                      field="topic")  # fmt: skip
        if state and state not in BriefStatus.values:
            raise InvalidInput.single("status_unknown", f"ไม่รู้จักสถานะ '{state}'", f"Unknown status '{state}'",
                                      field="status")  # fmt: skip
        rows = sel.briefs_list(self.actor, round_id=round_id, topic=topic, status=state)
        return Response(BriefRowSerializer(rows, many=True).data)


class BriefView(SuksaAPIView):
    """One version of a brief (default: the latest you may read) with its evidence and trace."""

    serializer_class = BriefDetailSerializer
    required_perm = Perm.BRIEF_VIEW

    @extend_schema(operation_id="insights_brief", tags=TAGS, summary="One policy brief",
                   parameters=[OpenApiParameter("version", int)])  # fmt: skip
    def get(self, request: Request, brief_id: int) -> Response:
        number = _positive(request.query_params.get("version"), "version")
        brief, version = sel.version_get(self.actor, brief_id, number)
        return Response(BriefDetailSerializer(_detail(brief, version)).data)


class BriefGenerateView(SuksaAPIView):
    """Write a new version of a round's brief on a topic from the round's current insights run."""

    serializer_class = GenerateSerializer
    required_perm = Perm.BRIEF_WRITE

    @extend_schema(operation_id="insights_brief_generate", tags=TAGS, summary="Generate a policy brief",
                   request=GenerateSerializer, responses={201: BriefDetailSerializer})  # fmt: skip
    def post(self, request: Request) -> Response:
        if not sel.may_write(self.actor):
            raise PermissionDenied.default()
        data = validate_bilingual(GenerateSerializer, request.data)
        try:
            rnd = round_get(data["round"])
        except NotFoundOrNoAccess:
            raise InvalidInput.single(
                "round_unknown", "ไม่พบรอบการรายงานนี้", "No such round", field="round"
            ) from None
        brief = brief_generate(
            actor=self.actor, round=rnd, topic=data["topic"], rephrase=data.get("rephrase")
        )
        brief, version = sel.version_get(self.actor, brief.pk)
        brief = sel.brief_get(self.actor, brief.pk)
        return Response(BriefDetailSerializer(_detail(brief, version)).data, status=status.HTTP_201_CREATED)


class BriefPublishView(SuksaAPIView):
    """Publish a brief's latest version (refused when a number does not trace)."""

    serializer_class = PublishSerializer
    required_perm = Perm.BRIEF_VIEW

    @extend_schema(operation_id="insights_brief_publish", tags=TAGS, summary="Publish a policy brief",
                   request=PublishSerializer, responses={200: BriefDetailSerializer})  # fmt: skip
    def post(self, request: Request, brief_id: int) -> Response:
        sel.brief_get(self.actor, brief_id)  # 404 before 403: an unseen brief does not exist
        if not sel.may_write(self.actor):
            raise PermissionDenied.default()
        data = validate_bilingual(PublishSerializer, request.data)
        brief_publish(actor=self.actor, brief_id=brief_id, version_number=data.get("version"))
        _brief, version = sel.version_get(self.actor, brief_id)
        return Response(BriefDetailSerializer(_detail(sel.brief_get(self.actor, brief_id), version)).data)


urlpatterns: list[URLPattern] = [
    path("insights/briefs/", BriefsView.as_view(), name="briefs"),
    path("insights/briefs/generate/", BriefGenerateView.as_view(), name="brief_generate"),
    path("insights/briefs/<int:brief_id>/", BriefView.as_view(), name="brief"),
    path("insights/briefs/<int:brief_id>/publish/", BriefPublishView.as_view(), name="brief_publish"),
]
