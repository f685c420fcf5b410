"""Monitoring (e-MES) API: the review workflow of ESA reports.

- ``POST monitoring/reports/<id>/submit/`` — the ESA director submits (``lock_version`` read);
  refused with every blocking issue and uncommented warning listed, or after the lock date.
- ``POST monitoring/reports/assign/`` — the bureau assigns one reviewer to many reports.
- ``POST .../review/start/``, ``GET|POST .../review/scores/``, ``GET|POST .../review/comments/``,
  ``POST .../return/``, ``POST .../approve/`` — the assigned reviewer (or an M&E officer).
- ``POST monitoring/rounds/<id>/lock/`` — the bureau locks approved reports (all of the round, or
  the ids given).
- ``GET|POST .../amend/`` — amendments of a locked report (read: whoever sees the report; write: the
  bureau).
- ``GET monitoring/review-queue/`` — a reviewer's assigned reports; the bureau's reports with it.

Out of scope is 404 (a reviewer's unassigned report included); visible but not allowed is 403; an
illegal transition or bad input 400; a stale ``lock_version`` 409. Nothing changes on refusal.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.errors import InvalidInput, PermissionDenied
from suksa.core.i18n import pick
from suksa.core.policy import Perm
from suksa.domains.monitoring import selectors_status as sel
from suksa.domains.monitoring.models import Amendment, ItemComment, Report, Review, StandardScore
from suksa.domains.monitoring.models.choices import ReportStatus
from suksa.domains.monitoring.selectors import report_for_review, report_get, round_get
from suksa.domains.monitoring.services import review as svc
from suksa.interfaces.api.base import SuksaAPIView, SuksaListView, validate_bilingual
from suksa.interfaces.api.serializers.common import BeDisplayField

TAGS = ["monitoring"]


# --- serializers ---------------------------------------------------------------------------------


class ReviewReportStateSerializer(serializers.ModelSerializer):
    """Where a report stands in the review workflow (``lock_version``: send it with the next write)."""

    status = serializers.CharField(
        read_only=True, help_text="draft, submitted, in_review, returned, approved or locked."
    )
    esa_code = serializers.CharField(source="esa.code", read_only=True)
    round = serializers.CharField(source="round.key", read_only=True, help_text='e.g. "2569/m12".')
    round_id = serializers.IntegerField(read_only=True)
    due_on = serializers.DateField(source="round.due_on", read_only=True)
    submitted_at_display = BeDisplayField(source="submitted_at")
    late = serializers.SerializerMethodField(help_text="Submitted after the round's due date.")
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True, default=None)
    reviewer = serializers.CharField(source="reviewer.username", read_only=True, default=None)

    class Meta:
        model = Report
        fields = [
            "id", "esa_code", "round", "round_id", "status", "lock_version", "due_on", "submitted_at",
            "submitted_at_display", "late", "submitted_by", "reviewer", "approved_at", "locked_at",
            "returned_reason",
        ]  # fmt: skip
        read_only_fields = fields

    def get_late(self, obj: Report) -> bool:
        return svc.submitted_late(obj)


class ReviewScoreSerializer(serializers.ModelSerializer):
    review_id = serializers.IntegerField(read_only=True)
    standard = serializers.CharField(source="standard.code", read_only=True)
    label_th = serializers.SerializerMethodField()
    label_en = serializers.SerializerMethodField()

    class Meta:
        model = StandardScore
        fields = ["id", "review_id", "standard", "score", "label_th", "label_en", "comment"]
        read_only_fields = fields

    def get_label_th(self, obj: StandardScore) -> str:
        return svc.RUBRIC.get(obj.score, ("", ""))[0]

    def get_label_en(self, obj: StandardScore) -> str:
        return svc.RUBRIC.get(obj.score, ("", ""))[1]


class ReviewCommentSerializer(serializers.ModelSerializer):
    review_id = serializers.IntegerField(read_only=True)
    created_at_display = BeDisplayField(source="created_at")

    class Meta:
        model = ItemComment
        fields = [
            "id",
            "review_id",
            "target_kind",
            "target_id",
            "comment",
            "created_at",
            "created_at_display",
        ]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)
    decision = serializers.CharField(read_only=True, help_text='"" while under way, returned or approved.')

    class Meta:
        model = Review
        fields = ["id", "report_id", "reviewer", "started_at", "decided_at", "decision", "reasons"]
        read_only_fields = fields


class ReviewAmendmentSerializer(serializers.ModelSerializer):
    amended_by = serializers.CharField(source="amended_by.username", read_only=True)
    amended_at_display = BeDisplayField(source="amended_at")

    class Meta:
        model = Amendment
        fields = [
            "id", "target_kind", "target_id", "field", "old_value", "new_value", "reason", "amended_by",
            "amended_at", "amended_at_display",
        ]  # fmt: skip
        read_only_fields = fields


class SubmitInputSerializer(serializers.Serializer):
    lock_version = serializers.IntegerField(min_value=0, help_text="The report version the client read.")


class ScoreInputSerializer(serializers.Serializer):
    standard = serializers.CharField(max_length=10, help_text='The standard\'s code, e.g. "1".')
    score = serializers.IntegerField(help_text="1–4: needs improvement, fair, good, very good.")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)


class CommentInputSerializer(serializers.Serializer):
    target_kind = serializers.CharField(
        max_length=10, help_text="value, narrative, work, evidence or general."
    )
    target_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text="The item's id (none for general).",
    )
    comment = serializers.CharField(max_length=20_000, allow_blank=True)


class ReturnInputSerializer(serializers.Serializer):
    reasons = serializers.CharField(max_length=20_000, allow_blank=True)


class AmendInputSerializer(serializers.Serializer):
    target_kind = serializers.CharField(max_length=10, help_text="value, narrative or work.")
    target_id = serializers.IntegerField(min_value=1)
    field = serializers.CharField(
        max_length=40,
        help_text="value: value, comment; narrative: text; work: title, description, practices, "
        "results_claimed, verification, verification_note.",
    )
    new_value = serializers.CharField(allow_blank=True, max_length=20_000, help_text='"" clears a value.')
    reason = serializers.CharField(allow_blank=True, max_length=20_000)


class AssignInputSerializer(serializers.Serializer):
    reports = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=1000
    )
    reviewer = serializers.IntegerField(min_value=1, help_text="The reviewer's user id.")


class AssignResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class LockInputSerializer(serializers.Serializer):
    reports = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=1000,
        help_text="Lock only these reports (each must be approved); omit to lock every approved report "
        "of the round.",
    )


class LockResultSerializer(serializers.Serializer):
    locked = serializers.IntegerField()
    report_ids = serializers.ListField(child=serializers.IntegerField())
    not_approved = serializers.DictField(
        child=serializers.IntegerField(), help_text="Reports of the round left unlocked, by status."
    )


class QueueQuerySerializer(serializers.Serializer):
    round = serializers.IntegerField(required=False, min_value=1)
    status = serializers.CharField(required=False, max_length=10, help_text="One report status.")

    def validate_status(self, value: str) -> str:
        if value not in ReportStatus.values:
            raise serializers.ValidationError(
                pick(
                    f"สถานะไม่ถูกต้อง ใช้ได้: {', '.join(ReportStatus.values)}",
                    f"Unknown status; use one of: {', '.join(ReportStatus.values)}",
                )
            )
        return value


# --- views ---------------------------------------------------------------------------------------


def _state(view: SuksaAPIView, report_id: int) -> Response:
    report = report_get(view.actor, report_id)
    return Response(ReviewReportStateSerializer(report, context=view.get_serializer_context()).data)


class ReportSubmitView(SuksaAPIView):
    """The ESA director submits the report (draft or returned → submitted)."""

    serializer_class = ReviewReportStateSerializer

    @extend_schema(
        operation_id="monitoring_report_submit", tags=TAGS, summary="Submit a report (ESA director)",
        request=SubmitInputSerializer,
    )  # fmt: skip
    def post(self, request: Request, report_id: int) -> Response:
        report = report_get(self.actor, report_id)  # 404, then 403, before reading the body
        if not self.actor.can(Perm.REPORT_SUBMIT, report.esa.path):
            raise PermissionDenied.single(
                "submit_director_only",
                "เฉพาะผู้อำนวยการสำนักงานเขตพื้นที่การศึกษาเท่านั้นที่ส่งรายงานได้",
                "Only the ESA director may submit the report",
            )
        data = validate_bilingual(SubmitInputSerializer, request.data)
        svc.report_submit(actor=self.actor, report_id=report_id, expected_version=data["lock_version"])
        return _state(self, report_id)


class ReportAssignView(SuksaAPIView):
    """Assign one reviewer to many reports (the bureau; all or nothing)."""

    serializer_class = AssignResultSerializer
    required_perm = Perm.MONITORING_MANAGE

    @extend_schema(
        operation_id="monitoring_reports_assign",
        tags=TAGS,
        summary="Assign a reviewer",
        request=AssignInputSerializer,
    )
    def post(self, request: Request) -> Response:
        data = validate_bilingual(AssignInputSerializer, request.data)
        n = svc.reviewer_assign(
            actor=self.actor, report_ids=data["reports"], reviewer_user_id=data["reviewer"]
        )
        return Response({"count": n})


class ReviewStartView(SuksaAPIView):
    """The assigned reviewer (or an M&E officer) takes a submitted report into review."""

    serializer_class = ReviewSerializer

    @extend_schema(
        operation_id="monitoring_review_start", tags=TAGS, summary="Start the review", request=None,
        responses={201: ReviewSerializer},
    )  # fmt: skip
    def post(self, request: Request, report_id: int) -> Response:
        review = svc.review_start(actor=self.actor, report_id=report_id)
        return Response(ReviewSerializer(review).data, status=201)


def _visible_reviews(view: SuksaAPIView, report_id: int) -> QuerySet[Review]:
    """Reviews of a report the caller sees: all for its reviewer and the bureau; decided ones for
    everyone else who sees the report (the ESA reads the feedback after the decision)."""
    report = report_get(view.actor, report_id)
    reviews = Review.objects.filter(report=report)
    try:
        report_for_review(view.actor, report_id)
    except PermissionDenied:
        reviews = reviews.exclude(decision="")
    return reviews


class ReviewScoresView(SuksaListView):
    """Rubric scores per standard: GET the scores of the reviews you see; POST scores one standard
    of the review under way (1–4, with a comment)."""

    serializer_class = ReviewScoreSerializer

    @extend_schema(operation_id="monitoring_review_scores", tags=TAGS, summary="Rubric scores of a report")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[StandardScore]:
        reviews = _visible_reviews(self, self.kwargs["report_id"])
        return (
            StandardScore.objects.filter(review__in=reviews)
            .select_related("standard")
            .order_by("review_id", "standard__order")
        )

    @extend_schema(
        operation_id="monitoring_review_score_set", tags=TAGS, summary="Score one standard",
        request=ScoreInputSerializer, responses=ReviewScoreSerializer,
    )  # fmt: skip
    def post(self, request: Request, report_id: int) -> Response:
        report_for_review(self.actor, report_id)
        data = validate_bilingual(ScoreInputSerializer, request.data)
        row = svc.score_set(
            actor=self.actor, report_id=report_id, standard_code=data["standard"], score=data["score"],
            comment=data["comment"],
        )  # fmt: skip
        return Response(ReviewScoreSerializer(row).data)


class ReviewCommentsView(SuksaListView):
    """Comments per item: GET the comments of the reviews you see; POST adds one to the review
    under way (the item must belong to the report)."""

    serializer_class = ReviewCommentSerializer

    @extend_schema(operation_id="monitoring_review_comments", tags=TAGS, summary="Item comments of a report")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ItemComment]:
        reviews = _visible_reviews(self, self.kwargs["report_id"])
        return ItemComment.objects.filter(review__in=reviews).order_by("created_at", "pk")

    @extend_schema(
        operation_id="monitoring_review_comment_add", tags=TAGS, summary="Comment on an item",
        request=CommentInputSerializer, responses={201: ReviewCommentSerializer},
    )  # fmt: skip
    def post(self, request: Request, report_id: int) -> Response:
        report_for_review(self.actor, report_id)
        data = validate_bilingual(CommentInputSerializer, request.data)
        row = svc.item_comment_add(
            actor=self.actor, report_id=report_id, target_kind=data["target_kind"], target_id=data["target_id"],
            comment=data["comment"],
        )  # fmt: skip
        return Response(ReviewCommentSerializer(row).data, status=201)


class ReportReturnView(SuksaAPIView):
    """Return the report under review to the ESA, with reasons."""

    serializer_class = ReviewReportStateSerializer

    @extend_schema(
        operation_id="monitoring_report_return",
        tags=TAGS,
        summary="Return with reasons",
        request=ReturnInputSerializer,
    )
    def post(self, request: Request, report_id: int) -> Response:
        report_for_review(self.actor, report_id)
        data = validate_bilingual(ReturnInputSerializer, request.data)
        svc.report_return(actor=self.actor, report_id=report_id, reasons=data["reasons"])
        return _state(self, report_id)


class ReportApproveView(SuksaAPIView):
    """Approve the report under review: every standard scored, every work verified."""

    serializer_class = ReviewReportStateSerializer

    @extend_schema(operation_id="monitoring_report_approve", tags=TAGS, summary="Approve", request=None)
    def post(self, request: Request, report_id: int) -> Response:
        svc.report_approve(actor=self.actor, report_id=report_id)
        return _state(self, report_id)


class ReportAmendView(SuksaListView):
    """Amendments after locking: GET lists them (whoever sees the report); POST records one (the
    bureau, locked reports only), keeping the old value and the reason."""

    serializer_class = ReviewAmendmentSerializer

    @extend_schema(operation_id="monitoring_report_amendments", tags=TAGS, summary="A report's amendments")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Amendment]:
        report = report_get(self.actor, self.kwargs["report_id"])
        return (
            Amendment.objects.filter(report=report).select_related("amended_by").order_by("amended_at", "pk")
        )

    @extend_schema(
        operation_id="monitoring_report_amend", tags=TAGS, summary="Amend a locked report (bureau)",
        request=AmendInputSerializer, responses={201: ReviewAmendmentSerializer},
    )  # fmt: skip
    def post(self, request: Request, report_id: int) -> Response:
        report = report_get(self.actor, report_id)
        if not self.actor.can(Perm.MONITORING_MANAGE, report.esa.path):
            raise PermissionDenied.default()
        data = validate_bilingual(AmendInputSerializer, request.data)
        row = svc.report_amend(actor=self.actor, report_id=report_id, **data)
        return Response(ReviewAmendmentSerializer(row).data, status=201)


class RoundLockView(SuksaAPIView):
    """Lock the approved reports of a round (all of them, or the ids given, each approved)."""

    serializer_class = LockResultSerializer
    required_perm = Perm.MONITORING_MANAGE

    @extend_schema(
        operation_id="monitoring_round_lock",
        tags=TAGS,
        summary="Lock approved reports",
        request=LockInputSerializer,
    )
    def post(self, request: Request, round_id: int) -> Response:
        rnd = round_get(round_id)
        data = validate_bilingual(LockInputSerializer, request.data)
        ids = data.get("reports")
        if ids is not None:
            if not ids:
                raise InvalidInput.single(
                    "no_reports", "กรุณาเลือกรายงานอย่างน้อยหนึ่งฉบับ", "Choose at least one report", field="reports"
                )
            if Report.objects.filter(pk__in=ids).exclude(round=rnd).exists():
                raise InvalidInput.single(
                    "other_round",
                    "รายงานที่ระบุบางฉบับไม่ได้อยู่ในรอบนี้",
                    "Some of the reports named are not of this round",
                    field="reports",
                )
            result = svc.report_lock(actor=self.actor, report_ids=ids)
        else:
            result = svc.report_lock(actor=self.actor, round_id=rnd.pk)
        return Response(LockResultSerializer(result).data)


class ReviewQueueView(SuksaListView):
    """The reports you review: your assignments (a reviewer), or every report with the bureau in
    your scope (an M&E officer). ``?round=`` and ``?status=`` narrow it."""

    serializer_class = ReviewReportStateSerializer
    filter_serializer_class = QueueQuerySerializer
    required_perm = Perm.REPORT_REVIEW

    @extend_schema(
        operation_id="monitoring_review_queue",
        tags=TAGS,
        summary="Reports to review",
        parameters=[QueueQuerySerializer],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Report]:
        rnd = round_get(self.filters["round"]) if self.filters.get("round") else None
        return sel.review_queue(self.actor, round=rnd, status=self.filters.get("status"))


urlpatterns: list[URLPattern] = [
    path("monitoring/reports/assign/", ReportAssignView.as_view(), name="monitoring-reports-assign"),
    path(
        "monitoring/reports/<int:report_id>/submit/",
        ReportSubmitView.as_view(),
        name="monitoring-report-submit",
    ),
    path(
        "monitoring/reports/<int:report_id>/review/start/",
        ReviewStartView.as_view(),
        name="monitoring-review-start",
    ),
    path(
        "monitoring/reports/<int:report_id>/review/scores/",
        ReviewScoresView.as_view(),
        name="monitoring-review-scores",
    ),
    path(
        "monitoring/reports/<int:report_id>/review/comments/",
        ReviewCommentsView.as_view(),
        name="monitoring-review-comments",
    ),
    path(
        "monitoring/reports/<int:report_id>/return/",
        ReportReturnView.as_view(),
        name="monitoring-report-return",
    ),
    path(
        "monitoring/reports/<int:report_id>/approve/",
        ReportApproveView.as_view(),
        name="monitoring-report-approve",
    ),
    path(
        "monitoring/reports/<int:report_id>/amend/", ReportAmendView.as_view(), name="monitoring-report-amend"
    ),
    path("monitoring/rounds/<int:round_id>/lock/", RoundLockView.as_view(), name="monitoring-round-lock"),
    path("monitoring/review-queue/", ReviewQueueView.as_view(), name="monitoring-review-queue"),
]
