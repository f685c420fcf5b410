"""The gate in front of every page: second factor for office roles, and forced password changes.

``two_factor_satisfied(request)`` is the one answer to "has this request passed 2FA?", shared with
the API: a browser session must have verified a TOTP code after the password; a token-authenticated
API request (no session step possible) needs the user to have a confirmed device.
:class:`AccountGateMiddleware` sends people to enrol, verify or change their password before any
other page; :func:`gate_required` does the same for a single view.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from suksa.core.policy import Actor
from suksa.domains.accounts.actors import actor_for
from suksa.domains.accounts.two_factor import has_confirmed_device

# Pages a half-logged-in person may still reach (names in the "web" namespace), plus URL prefixes
# that are not pages.
OPEN_URL_NAMES = ("login", "logout", "two_factor_enrol", "two_factor_verify", "password_change")
OPEN_PREFIXES = ("/static/", "/i18n/", "/api/", "/healthz")


def _actor_of(request: Any) -> Actor:
    user = request.user
    actor = getattr(request, "actor", None)
    if actor is not None and actor.user_id == getattr(user, "pk", None):
        return actor
    return actor_for(user)


def two_factor_required(request: Any) -> bool:
    user = getattr(request, "user", None)
    if not settings.SUKSA_ENFORCE_2FA or user is None or not user.is_authenticated:
        return False
    return _actor_of(request).needs_two_factor()


def two_factor_satisfied(request: Any) -> bool:
    """True unless the user must use a second factor and this request has not passed it."""
    if not two_factor_required(request):
        return True
    user = request.user
    # A DRF request authenticated by token carries ``auth``; it cannot do an interactive step.
    if getattr(request, "auth", None) is not None:
        return has_confirmed_device(user)
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def gate_target(request: HttpRequest) -> str | None:
    """The URL name a logged-in person must visit first, or ``None`` when they may go on."""
    user = request.user
    if not user.is_authenticated:
        return None
    if not two_factor_satisfied(request):
        return "web:two_factor_verify" if has_confirmed_device(user) else "web:two_factor_enrol"
    if getattr(user, "must_change_password", False):
        return "web:password_change"
    return None


def gate_url(target: str, next_url: str) -> str:
    return reverse(target) + ("?" + urlencode({"next": next_url}) if next_url else "")


def gate_redirect(request: HttpRequest) -> HttpResponse | None:
    target = gate_target(request)
    if target is None:
        return None
    nxt = request.get_full_path() if request.method == "GET" else ""
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = ""
    return HttpResponseRedirect(gate_url(target, nxt))


def gate_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Login required, then the 2FA and password-change gate, for one view."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if (redirect := gate_redirect(request)) is not None:
            return redirect
        return view(request, *args, **kwargs)

    return wrapper


class AccountGateMiddleware:
    """Apply the gate to every page; install after ``ActorMiddleware`` and ``OTPMiddleware``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open_paths: tuple[str, ...] | None = None

    def open_paths(self) -> tuple[str, ...]:
        if self._open_paths is None:
            self._open_paths = tuple(reverse(f"web:{name}") for name in OPEN_URL_NAMES)
        return self._open_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if not path.startswith(OPEN_PREFIXES) and path not in self.open_paths():
            redirect = gate_redirect(request)
            if redirect is not None:
                return redirect
        return self.get_response(request)
