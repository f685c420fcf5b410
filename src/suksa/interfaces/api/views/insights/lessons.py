"""Insights API: lessons from narratives — practices linked to measured change, topics, similar cases.

- ``GET insights/lessons/?round=`` — the round's current run: every practice finding (verdict,
  ESAs naming it, effect per aimed-at indicator with its interval) and the topic groups.
- ``GET insights/practices/<practice_id>/`` — one practice: effects and example excerpts you may
  read (another ESA's only from approved or locked reports, its school names masked).
- ``GET insights/similar/?q=<text>`` or ``?doc=<id>`` (``&round=``) — the ten most similar texts of
  other ESAs, with the practices they name and, where you may see that ESA, its measured change.

Who sees what: ``docs/guide/insights/lessons.md`` and :mod:`suksa.domains.insights.selectors_lessons`.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.policy import Perm
from suksa.domains.insights import selectors_lessons as sel
from suksa.domains.insights.models import PracticeFinding
from suksa.domains.insights.selectors import run_for
from suksa.domains.insights.services import similar as sim
from suksa.interfaces.api.base import SuksaAPIView, validate_bilingual

TAGS = ["insights"]


class RoundFilterSerializer(serializers.Serializer):
    round = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class SimilarFilterSerializer(RoundFilterSerializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=sim.MAX_QUERY, trim_whitespace=True
    )
    doc = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class EffectSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_th = serializers.CharField()
    name_en = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.IntegerField(help_text="+1 higher is better, -1 lower is better, 0 neutral.")
    adopters = serializers.IntegerField(help_text="ESAs naming the practice with a slope.")
    others = serializers.IntegerField()
    difference = serializers.FloatField(allow_null=True, help_text="Mean slope per year, adopters − others.")
    low = serializers.FloatField(allow_null=True, help_text="90 % bootstrap interval.")
    high = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True, help_text="Permutation test, two-sided.")
    q_value = serializers.FloatField(
        allow_null=True, required=False, help_text="Benjamini–Hochberg adjusted."
    )
    good = serializers.BooleanField(allow_null=True)
    flagged = serializers.IntegerField(help_text="ESAs whose values carry quality flags.")


class PracticeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    key = serializers.CharField()
    name_th = serializers.CharField()
    name_en = serializers.CharField()
    verdict = serializers.CharField(help_text="linked, no_change or too_few.")
    esa_count = serializers.IntegerField()
    mention_count = serializers.IntegerField()
    sentence_th = serializers.CharField()
    sentence_en = serializers.CharField()
    effects = serializers.SerializerMethodField()

    def get_effects(self, obj: PracticeFinding) -> list[dict[str, Any]]:
        return EffectSerializer(sel.effect_rows(obj), many=True).data  # type: ignore[return-value]


class TopicSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    label_th = serializers.CharField()
    label_en = serializers.CharField()
    size = serializers.IntegerField()
    keywords = serializers.ListField(child=serializers.ListField(), help_text="[[term, weight], …]")


class LessonsSerializer(serializers.Serializer):
    run_id = serializers.IntegerField(allow_null=True)
    round_id = serializers.IntegerField(allow_null=True)
    round = serializers.CharField(allow_null=True)
    practices = PracticeSerializer(many=True)
    topics = TopicSerializer(many=True)


class ExcerptSerializer(serializers.Serializer):
    doc_id = serializers.IntegerField()
    esa_id = serializers.IntegerField()
    esa_code = serializers.CharField()
    esa_name_th = serializers.CharField()
    esa_name_en = serializers.CharField()
    round_key = serializers.CharField()
    kind = serializers.CharField(source="source", help_text="narrative or work.")
    text = serializers.CharField()
    masked = serializers.BooleanField(help_text="School names of another ESA were masked.")


class PracticeDetailSerializer(PracticeSerializer):
    run_id = serializers.IntegerField()
    evidence = ExcerptSerializer(many=True)


class FindingRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    name_th = serializers.CharField()
    name_en = serializers.CharField()
    verdict = serializers.CharField()
    sentence_th = serializers.CharField()
    sentence_en = serializers.CharField()


class ChangeSerializer(serializers.Serializer):
    trend_id = serializers.IntegerField()
    indicator = serializers.CharField()
    direction = serializers.CharField()
    good = serializers.BooleanField(allow_null=True)
    slope = serializers.FloatField(allow_null=True)
    significant = serializers.BooleanField()
    n = serializers.IntegerField()
    sentence_th = serializers.CharField()
    sentence_en = serializers.CharField()


class HitSerializer(serializers.Serializer):
    doc_id = serializers.IntegerField()
    score = serializers.FloatField(help_text="Cosine similarity (centred).")
    excerpt = ExcerptSerializer()
    practices = FindingRefSerializer(many=True)
    changes = ChangeSerializer(many=True)
    changes_visible = serializers.BooleanField(help_text="False: the ESA is outside your scope.")


class SimilarSerializer(serializers.Serializer):
    run_id = serializers.IntegerField(source="run.pk")
    query_kind = serializers.CharField()
    query_doc = serializers.IntegerField(source="query_doc.pk", allow_null=True, default=None)
    vector_kind = serializers.CharField()
    hits = HitSerializer(many=True)


class LessonsView(SuksaAPIView):
    """Practices named in narratives linked (or not) to measured change, and topic groups."""

    serializer_class = LessonsSerializer
    required_perm = Perm.INSIGHTS_VIEW
    pagination_class = None

    @extend_schema(
        operation_id="insights_lessons", tags=TAGS, summary="Lessons from narratives",
        parameters=[OpenApiParameter("round", int, required=False)],
    )  # fmt: skip
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        f = validate_bilingual(RoundFilterSerializer, request.query_params)
        rnd, run = run_for(f.get("round"))
        body = {
            "run_id": run.pk if run else None,
            "round_id": rnd.pk if rnd else None,
            "round": rnd.key if rnd else None,
            "practices": sel.findings(run) if run else [],
            "topics": sel.topics(run) if run else [],
        }
        return Response(LessonsSerializer(body).data)


class PracticeView(SuksaAPIView):
    """One practice: effects per aimed-at indicator and example excerpts you may read."""

    serializer_class = PracticeDetailSerializer
    required_perm = Perm.INSIGHTS_VIEW

    @extend_schema(operation_id="insights_practice", tags=TAGS, summary="One practice finding")
    def get(self, request: Request, practice_id: int) -> Response:
        finding = sel.practice_get(self.actor, practice_id)
        data = PracticeSerializer(finding).data | {
            "run_id": finding.run_id,
            "evidence": ExcerptSerializer(sel.practice_evidence(self.actor, finding), many=True).data,
        }
        return Response(data)


class SimilarView(SuksaAPIView):
    """Texts of other ESAs most similar to a text (q) or an indexed document (doc)."""

    serializer_class = SimilarSerializer
    required_perm = Perm.INSIGHTS_VIEW

    @extend_schema(
        operation_id="insights_similar", tags=TAGS, summary="Similar cases",
        parameters=[
            OpenApiParameter("q", str, required=False, description="A text (at most 2,000 characters)."),
            OpenApiParameter("doc", int, required=False, description="An indexed document id."),
            OpenApiParameter("round", int, required=False),
        ],
    )  # fmt: skip
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        f = validate_bilingual(SimilarFilterSerializer, request.query_params)
        doc_raw = str(f["doc"]) if f.get("doc") is not None else None
        text, doc_id = sim.validate_query(f.get("q"), doc_raw)
        if doc_id is not None:
            run = sel.doc_get(self.actor, doc_id).run
        else:
            _, found = run_for(f.get("round"))
            if found is None:
                raise NotFoundOrNoAccess([sim.no_run_problem()])
            run = found
        result = sim.similar_cases(self.actor, run=run, q=text, doc_id=doc_id)
        return Response(SimilarSerializer(result).data)


urlpatterns: list[URLPattern] = [
    path("insights/lessons/", LessonsView.as_view(), name="insights_lessons"),
    path("insights/practices/<int:practice_id>/", PracticeView.as_view(), name="insights_practice"),
    path("insights/similar/", SimilarView.as_view(), name="insights_similar"),
]
