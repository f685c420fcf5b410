"""Insights API: your in-app notifications.

- ``GET insights/notifications/`` (``unread=true``) — your own notifications, newest first.
- ``POST insights/notifications/<notification_id>/read/`` — mark one of yours read (someone
  else's is 404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.models import Notification
from suksa.domains.insights import selectors_alerts as sel
from suksa.domains.insights.services import alerts as svc
from suksa.interfaces.api.base import SuksaAPIView, SuksaListView

TAGS = ["insights"]


class NotificationSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True)
    subject_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = [
            "id", "kind", "title_th", "title_en", "body_th", "body_en", "url", "subject_type", "subject_id",
            "created_at", "read_at", "emailed_at",
        ]  # fmt: skip
        read_only_fields = fields


class NotificationQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False, help_text="Only unread ones.")


class NotificationListView(SuksaListView):
    """Your notifications, newest first."""

    serializer_class = NotificationSerializer
    filter_serializer_class = NotificationQuerySerializer
    required_perm = None

    @extend_schema(
        operation_id="insights_notifications_list", tags=TAGS, summary="My notifications",
        parameters=[NotificationQuerySerializer],
    )  # fmt: skip
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Notification]:
        return sel.notifications_for(self.actor, unread_only=bool(self.filters.get("unread")))


class NotificationReadView(SuksaAPIView):
    """Mark one of your notifications read."""

    serializer_class = NotificationSerializer
    required_perm = None

    @extend_schema(
        operation_id="insights_notifications_read", tags=TAGS, summary="Mark a notification read", request=None,
        responses=NotificationSerializer,
    )  # fmt: skip
    def post(self, request: Request, notification_id: int) -> Response:
        return Response(NotificationSerializer(svc.mark_read(self.actor, notification_id)).data)


urlpatterns: list[URLPattern] = [
    path("insights/notifications/", NotificationListView.as_view(), name="notifications"),
    path(
        "insights/notifications/<int:notification_id>/read/",
        NotificationReadView.as_view(),
        name="notification_read",
    ),
]
