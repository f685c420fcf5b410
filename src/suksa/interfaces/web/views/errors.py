"""Error pages (handler403/404/500): Thai and English side by side, with a way back home.

They are rendered without the request's context processors on purpose: the body of a 404 must be
byte-for-byte the same for an unknown code and for one the actor may not see (no existence oracle),
and the 500 page must render when the database or the request is what failed.
"""

from __future__ import annotations

import logging

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template import loader

logger = logging.getLogger(__name__)

_FALLBACK_500 = (
    '<!doctype html><html lang="th"><head><meta charset="utf-8"><title>ระบบขัดข้อง · Server error</title>'
    "</head><body><main><h1>ระบบขัดข้อง</h1><p>ขออภัย เกิดข้อผิดพลาดในระบบ โปรดลองใหม่ภายหลัง</p>"
    '<h2 lang="en">Server error</h2><p lang="en">Sorry, something went wrong. Please try again later.</p>'
    '<p><a href="/">กลับหน้าหลัก</a> · <a href="/" lang="en">Back to home</a></p></main></body></html>'
)


def _render(template_name: str) -> str:
    return loader.get_template(template_name).render({})


def permission_denied(
    request: HttpRequest, exception: Exception | None = None, template_name: str = "web/403.html"
) -> HttpResponse:
    return HttpResponseForbidden(_render("web/403.html"))


def page_not_found(
    request: HttpRequest, exception: Exception | None = None, template_name: str = "web/404.html"
) -> HttpResponse:
    return HttpResponseNotFound(_render("web/404.html"))


def server_error(request: HttpRequest | None = None, template_name: str = "web/500.html") -> HttpResponse:
    try:
        body = _render("web/500.html")
    except Exception:  # the page that reports failures must not fail itself
        logger.exception("could not render the 500 page")
        body = _FALLBACK_500
    return HttpResponseServerError(body)
