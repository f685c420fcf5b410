"""The OpenAPI document, Swagger UI served from the vendored sidecar, and the API's own 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from suksa.core.errors import NotFoundOrNoAccess
from suksa.interfaces.api.errors import problems_body


class SchemaView(SpectacularAPIView):
    """``/api/v1/schema/``: YAML by default, JSON with ``?format=json`` or ``Accept: application/json``."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []


class SwaggerDocsView(SpectacularSwaggerView):
    """Swagger UI. Its scripts and styles come from drf-spectacular-sidecar (``SWAGGER_UI_DIST =
    "SIDECAR"`` in settings), served as static files: no CDN, so it works offline."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    url_name = "api:schema"


def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown API paths answer with the same bilingual body as an unknown or hidden id."""
    return JsonResponse(
        problems_body(NotFoundOrNoAccess.default().problems),
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SwaggerDocsView.as_view(), name="docs"),
    # Paths ending in "/" only, so that CommonMiddleware's APPEND_SLASH redirect still works.
    re_path(r"^.*/$", api_not_found, name="not-found"),
]
