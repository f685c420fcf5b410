"""The bureau's review of a report: rubric scores per standard, item comments, the decision, and
explicit amendments after locking."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from suksa.domains.monitoring.models.catalogue import Standard
from suksa.domains.monitoring.models.choices import Decision
from suksa.domains.monitoring.models.report import Report

RUBRIC = {
    1: ("ต้องปรับปรุง", "Needs improvement"),
    2: ("พอใช้", "Fair"),
    3: ("ดี", "Good"),
    4: ("ดีมาก", "Very good"),
}


class Review(models.Model):
    """One review of one submission of a report (a returned and resubmitted report gets another).

    Personal data: the reviewer (user reference) and their comments. Retention: with the report.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    reasons = models.TextField(blank=True)

    class Meta:
        ordering = ["report", "-started_at"]

    def __str__(self) -> str:
        return f"review {self.pk} of {self.report_id}"


class StandardScore(models.Model):
    """A rubric score (1–4, see ``RUBRIC``) with a comment for one standard in a review.

    Personal data: none. Retention: with the review.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "standard"], name="score_unique")]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.standard_id}={self.score}"


class ItemComment(models.Model):
    """A reviewer's comment on one item: ``target_kind`` value | narrative | work | evidence | general.

    Personal data: none. Retention: with the review.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="comments")
    target_kind = models.CharField(max_length=10)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    comment = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.target_kind}:{self.target_id}"


class Amendment(models.Model):
    """An explicit change to a locked report: what, from what to what, why, by whom.

    Personal data: the amending user. Retention: with the report (it is the report's history).
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="amendments")
    target_kind = models.CharField(max_length=10)  # value | narrative | work
    target_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=40)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    reason = models.TextField()
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amended_at = models.DateTimeField()

    class Meta:
        ordering = ["report", "amended_at"]

    def __str__(self) -> str:
        return f"amendment {self.pk} of {self.report_id}"
