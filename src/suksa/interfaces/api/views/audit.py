"""The audit log for data protection officers and system administrators, within their scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from suksa.core.audit_selectors import audit_entries_visible_to
from suksa.core.models import AuditEntry
from suksa.core.policy import Perm
from suksa.interfaces.api.base import SuksaListView
from suksa.interfaces.api.serializers.audit import AuditEntrySerializer, AuditFilterSerializer

# API query parameter -> audit selector filter key.
_FILTER_KEYS = {
    "since": "date_from",
    "until": "date_to",
    "actor": "actor",
    "action": "action",
    "object_type": "object_type",
    "object_id": "object_id",
    "unit": "unit_code",
}


class AuditLogView(SuksaListView):
    required_perm = Perm.AUDIT_VIEW
    serializer_class = AuditEntrySerializer
    filter_serializer_class = AuditFilterSerializer

    @extend_schema(
        operation_id="audit_log_list",
        tags=["audit"],
        summary="Audit entries of the caller's scope, newest first (audit.view)",
        parameters=[AuditFilterSerializer],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[AuditEntry]:
        filters = {_FILTER_KEYS[k]: v for k, v in self.filters.items() if v not in (None, "")}
        return audit_entries_visible_to(self.actor, filters)


urlpatterns = [path("audit-log/", AuditLogView.as_view(), name="audit-log")]
