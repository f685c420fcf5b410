"""Thai first: web pages ignore the browser's Accept-Language; only the user's switch changes it.

Django's LocaleMiddleware would serve English to any visitor whose browser prefers English. A Thai
government platform shows Thai until the user chooses English (the choice is kept in the
``suksa_language`` cookie). The API keeps Accept-Language, since clients ask for a language there.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ThaiFirstMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
