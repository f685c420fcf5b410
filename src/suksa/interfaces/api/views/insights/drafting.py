"""Insights API: participatory drafting of a policy brief.

- ``GET|POST insights/briefs/<id>/comments/`` — comments (read: whoever reaches the brief's
  drafting; write: writers, and participants while the consultation is open).
- ``GET|POST insights/briefs/<id>/amendments/`` — proposed new wordings of a recommendation of the
  current version; every number in them must be in the brief's table of numbers.
- ``GET|POST|DELETE insights/briefs/<id>/endorsements/`` — endorsements per version; POST endorses
  and DELETE (``?recommendation_key=``) withdraws one's own on the current version (participants).
- ``POST insights/amendments/<id>/decide/`` — accept (a new version is written and traced) or
  reject (with a note); writers only.

A brief the caller may not reach (a draft they were not invited to, another ESA's brief) is 404,
like a missing one; reachable but not allowed is 403; bad input 400 with Thai and English messages
naming the field. Nothing changes on refusal. See docs/guide/insights/drafting.md.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.i18n import current_language
from suksa.core.policy import Perm
from suksa.domains.insights import selectors_drafting as sel
from suksa.domains.insights.models import BriefAmendment, BriefComment, Endorsement
from suksa.domains.insights.services import drafting as svc
from suksa.interfaces.api.base import SuksaAPIView, SuksaListView, validate_bilingual
from suksa.interfaces.api.serializers.common import BeDisplayField

TAGS = ["insights"]


# --- serializers ---------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class PersonNameField(serializers.ReadOnlyField):
    """A user's name in the request language."""

    def to_representation(self, value: Any) -> str:
        return str(value.display_name(current_language())) if value is not None else ""


class DraftCommentSerializer(serializers.ModelSerializer):
    brief_id = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(
        source="version.number", read_only=True, help_text="Version commented on."
    )
    recommendation_key = serializers.CharField(read_only=True, help_text='"" for the whole brief.')
    author = serializers.CharField(source="author.username", read_only=True)
    author_name = PersonNameField(source="author")
    created_at_display = BeDisplayField(source="created_at")

    class Meta:
        model = BriefComment
        fields = [
            "id", "brief_id", "version", "recommendation_key", "author", "author_name", "text", "created_at",
            "created_at_display",
        ]  # fmt: skip
        read_only_fields = fields


class DraftAmendmentSerializer(serializers.ModelSerializer):
    brief_id = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(
        source="version.number", read_only=True, help_text="The version it was proposed against."
    )
    status = serializers.CharField(read_only=True, help_text="proposed, accepted or rejected.")
    author = serializers.CharField(source="author.username", read_only=True)
    author_name = PersonNameField(source="author")
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None)
    resulting_version = serializers.IntegerField(
        source="resulting_version.number", read_only=True, default=None, help_text="Written on acceptance."
    )
    created_at_display = BeDisplayField(source="created_at")

    class Meta:
        model = BriefAmendment
        fields = [
            "id", "brief_id", "version", "recommendation_key", "text_th", "text_en", "reason", "status",
            "author", "author_name", "created_at", "created_at_display", "decided_by", "decided_at",
            "decision_note", "resulting_version",
        ]  # fmt: skip
        read_only_fields = fields


class DraftEndorsementSerializer(serializers.ModelSerializer):
    brief_id = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    current = serializers.SerializerMethodField(help_text="On the current version (else: on version n).")
    user = serializers.CharField(source="user.username", read_only=True)
    user_name = PersonNameField(source="user")
    created_at_display = BeDisplayField(source="created_at")

    class Meta:
        model = Endorsement
        fields = [
            "id", "brief_id", "version", "current", "recommendation_key", "user", "user_name", "created_at",
            "created_at_display",
        ]  # fmt: skip
        read_only_fields = fields

    def get_current(self, obj: Endorsement) -> bool:
        return bool(obj.version.number == self.context.get("current_version"))


class DraftCommentInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=svc.MAX_COMMENT)
    recommendation_key = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text='"" comments on the whole brief.',
    )


class DraftAmendmentInputSerializer(serializers.Serializer):
    recommendation_key = serializers.CharField(max_length=40)
    text_th = serializers.CharField(max_length=svc.MAX_WORDING, help_text="The new Thai wording.")
    text_en = serializers.CharField(
        max_length=svc.MAX_WORDING, required=False, allow_blank=True, default="",
        help_text='The new English wording ("" keeps the current English).',
    )  # fmt: skip
    reason = serializers.CharField(max_length=svc.MAX_REASON, required=False, allow_blank=True, default="")


class DraftEndorseInputSerializer(serializers.Serializer):
    recommendation_key = serializers.CharField(max_length=40)


class DraftDecideInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "reject"])
    note = serializers.CharField(
        max_length=svc.MAX_REASON, required=False, allow_blank=True, default="", help_text="Needed to reject."
    )


# --- views ---------------------------------------------------------------------------------------


class _DraftingList(SuksaListView):
    required_perm = Perm.BRIEF_VIEW
    _access: sel.BriefAccess | None = None

    def access(self) -> sel.BriefAccess:
        """The brief and the caller's standing (404 when out of reach), once per request."""
        if self._access is None:
            self._access = sel.brief_access(self.actor, self.kwargs["brief_id"])
        return self._access


class BriefCommentsView(_DraftingList):
    """Comments on a brief: GET lists them (oldest first); POST adds one to the current version."""

    serializer_class = DraftCommentSerializer

    @extend_schema(operation_id="insights_brief_comments", tags=TAGS, summary="Comments on a brief")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[BriefComment]:
        return sel.comments_for(self.access())

    @extend_schema(
        operation_id="insights_brief_comment_add", tags=TAGS, summary="Comment on a brief or a recommendation",
        request=DraftCommentInputSerializer, responses={201: DraftCommentSerializer},
    )  # fmt: skip
    def post(self, request: Request, brief_id: int) -> Response:
        self.access()
        data = validate_bilingual(DraftCommentInputSerializer, request.data)
        row = svc.comment_add(actor=self.actor, brief_id=brief_id, **data)
        row = sel.comments_for(self.access()).get(pk=row.pk)
        return Response(DraftCommentSerializer(row, context=self.get_serializer_context()).data, status=201)


class BriefAmendmentsView(_DraftingList):
    """Amendments of a brief: GET lists them; POST proposes a new wording of one recommendation."""

    serializer_class = DraftAmendmentSerializer

    @extend_schema(operation_id="insights_brief_amendments", tags=TAGS, summary="Amendments of a brief")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[BriefAmendment]:
        return sel.amendments_for(self.access())

    @extend_schema(
        operation_id="insights_brief_amendment_propose", tags=TAGS, summary="Propose an amendment",
        request=DraftAmendmentInputSerializer, responses={201: DraftAmendmentSerializer},
    )  # fmt: skip
    def post(self, request: Request, brief_id: int) -> Response:
        self.access()
        data = validate_bilingual(DraftAmendmentInputSerializer, request.data)
        row = svc.amendment_propose(actor=self.actor, brief_id=brief_id, **data)
        row = sel.amendments_for(self.access()).get(pk=row.pk)
        return Response(DraftAmendmentSerializer(row).data, status=201)


KEY_PARAM = OpenApiParameter(
    "recommendation_key", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True,
    description="The recommendation whose endorsement (on the current version) to withdraw.",
)  # fmt: skip


class BriefEndorsementsView(_DraftingList):
    """Endorsements of a brief (per version): GET lists them; POST endorses a recommendation of the
    current version; DELETE withdraws one's own endorsement of it."""

    serializer_class = DraftEndorsementSerializer

    @extend_schema(operation_id="insights_brief_endorsements", tags=TAGS, summary="Endorsements of a brief")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Endorsement]:
        return sel.endorsements_for(self.access())

    def get_serializer_context(self) -> dict[str, Any]:
        version = sel.current_version(self.access().brief)
        return {**super().get_serializer_context(), "current_version": version.number if version else None}

    @extend_schema(
        operation_id="insights_brief_endorse", tags=TAGS, summary="Endorse a recommendation",
        request=DraftEndorseInputSerializer, responses={201: DraftEndorsementSerializer},
    )  # fmt: skip
    def post(self, request: Request, brief_id: int) -> Response:
        self.access()
        data = validate_bilingual(DraftEndorseInputSerializer, request.data)
        row = svc.endorse(actor=self.actor, brief_id=brief_id, recommendation_key=data["recommendation_key"])
        row = sel.endorsements_for(self.access()).get(pk=row.pk)
        return Response(
            DraftEndorsementSerializer(row, context=self.get_serializer_context()).data, status=201
        )

    @extend_schema(
        operation_id="insights_brief_endorsement_withdraw", tags=TAGS, summary="Withdraw an endorsement",
        parameters=[KEY_PARAM], request=None, responses={204: None},
    )  # fmt: skip
    def delete(self, request: Request, brief_id: int) -> Response:
        self.access()
        data = validate_bilingual(DraftEndorseInputSerializer, request.query_params)
        svc.endorsement_withdraw(
            actor=self.actor, brief_id=brief_id, recommendation_key=data["recommendation_key"]
        )
        return Response(status=204)


class AmendmentDecideView(SuksaAPIView):
    """Accept (writes the next version, its numbers traced) or reject (with a note) an amendment."""

    serializer_class = DraftAmendmentSerializer
    required_perm = Perm.BRIEF_VIEW

    @extend_schema(
        operation_id="insights_brief_amendment_decide", tags=TAGS, summary="Decide on an amendment (writers)",
        request=DraftDecideInputSerializer, responses=DraftAmendmentSerializer,
    )  # fmt: skip
    def post(self, request: Request, amendment_id: int) -> Response:
        brief_id = BriefAmendment.objects.filter(pk=amendment_id).values_list("brief_id", flat=True).first()
        if brief_id is None:
            raise NotFoundOrNoAccess.default()
        access = sel.brief_access(self.actor, brief_id)  # 404 before reading the body
        data = validate_bilingual(DraftDecideInputSerializer, request.data)
        svc.amendment_decide(
            actor=self.actor,
            amendment_id=amendment_id,
            accept=data["decision"] == "accept",
            note=data["note"],
        )
        row = sel.amendments_for(access).get(pk=amendment_id)
        return Response(DraftAmendmentSerializer(row).data)


urlpatterns: list[URLPattern] = [
    path("insights/briefs/<int:brief_id>/comments/", BriefCommentsView.as_view(), name="brief_comments"),
    path(
        "insights/briefs/<int:brief_id>/amendments/", BriefAmendmentsView.as_view(), name="brief_amendments"
    ),
    path(
        "insights/briefs/<int:brief_id>/endorsements/",
        BriefEndorsementsView.as_view(),
        name="brief_endorsements",
    ),
    path(
        "insights/amendments/<int:amendment_id>/decide/",
        AmendmentDecideView.as_view(),
        name="brief_amendment_decide",
    ),
]
