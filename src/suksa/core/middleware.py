"""Request context for the audit log: where a change came from (IP, user agent, request id)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""
    request_id: str = ""
    source: str = "cli"


_current: ContextVar[RequestContext] = ContextVar("suksa_request_context", default=RequestContext())  # noqa: B039 - frozen dataclass


def current_context() -> RequestContext:
    return _current.get()


def client_ip(request: HttpRequest) -> str | None:
    # Behind a load balancer, set SECURE_PROXY / a trusted proxy; here the socket address is used.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = "api" if request.path.startswith("/api/") else "web"
        token = _current.set(
            RequestContext(
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
                request_id=str(uuid.uuid4()),
                source=source,
            )
        )
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
