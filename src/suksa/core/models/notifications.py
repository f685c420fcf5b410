"""In-app notifications: what the platform tells one user (an alert routed to them, a brief they
are invited to shape). E-mail copies go through Django's e-mail backend.

Personal data: the recipient (a user reference). Retention: read notifications are deleted after
1 year.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """Personal data: the recipient (a user reference) and the message. Retention: read notifications are kept 1 year, then deleted."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)  # e.g. "alert", "brief.invite", "brief.published"
    title_th = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300)
    body_th = models.TextField(blank=True)
    body_en = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    # What it is about, for de-duplication: ("insights.alert", 42).
    subject_type = models.CharField(max_length=60, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return f"notify {self.user_id} {self.kind}"
