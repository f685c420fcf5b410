"""What every API v1 view shares: the actor, bilingual validation, error documentation, throttles.

A view parses input with :func:`validate_bilingual`, reads through a scoped selector with
``self.actor``, writes through one service, and renders a serializer. It never builds the actor
itself: :class:`SuksaAPIView` derives it from ``request.user`` after DRF has authenticated the
request (session or token), which Django's ``ActorMiddleware`` cannot see for token requests.
"""

from __future__ import annotations

import inspect
from functools import cached_property
from typing import Any

from django.conf import settings
from django.utils import translation
from drf_spectacular.openapi import AutoSchema
from rest_framework import authentication, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from suksa.core.errors import InvalidInput, PermissionDenied
from suksa.core.policy import Actor, Perm
from suksa.domains.accounts import two_factor
from suksa.domains.accounts.actors import actor_for
from suksa.interfaces.api.errors import ErrorSerializer, bilingual_validation_problems

# Status codes documented on every operation, with the same error body. 401 is left off views
# that need no authentication (the token exchange).
ERROR_CODES_AUTHENTICATED = ("400", "401", "403", "404", "429")
ERROR_CODES_PUBLIC = ("400", "429")

_ERROR_DESCRIPTIONS = {
    "400": "Invalid input / ข้อมูลไม่ถูกต้อง",
    "401": "Not authenticated / ยังไม่ได้เข้าสู่ระบบ",
    "403": "Not allowed / ไม่มีสิทธิ์",
    "404": "Not found or not visible to you / ไม่พบข้อมูลหรือไม่มีสิทธิ์เห็น",
    "429": "Too many requests / เรียกใช้บ่อยเกินไป",
}


class SuksaAutoSchema(AutoSchema):
    """Adds the shared bilingual error responses to every operation's documented responses."""

    def get_description(self) -> str:  # type: ignore[override]  # drf-spectacular drops DRF's arguments
        # Only a view's own docstring describes its operations; the base classes' would repeat.
        action = getattr(self.view, self.method.lower(), None)
        doc = (action.__doc__ if action else None) or type(self.view).__dict__.get("__doc__")
        return inspect.cleandoc(doc) if doc else ""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        codes = getattr(self.view, "error_codes", ERROR_CODES_AUTHENTICATED)
        for code in codes:
            if code not in responses:
                body = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                body["description"] = _ERROR_DESCRIPTIONS[code]
                responses[code] = body
        return responses


class SuksaAPIView(GenericAPIView):
    """Base for every API v1 view: session or token authentication, throttles, error docs.

    ``self.actor`` is built once per request, after DRF authentication.
    """

    schema = SuksaAutoSchema()
    error_codes: tuple[str, ...] = ERROR_CODES_AUTHENTICATED
    authentication_classes = [authentication.SessionAuthentication, authentication.TokenAuthentication]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    # The caller must hold this permission somewhere, or every method answers 403 before any
    # lookup (so the answer says nothing about which ids exist).
    required_perm: Perm | None = Perm.ORG_VIEW

    # Views a half-logged-in person may still call (their own profile), like the web's open pages.
    account_gate_exempt = False

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not self.account_gate_exempt:
            self._check_account_gate(request)
        if self.required_perm is not None and not self.actor.can_anywhere(self.required_perm):
            raise PermissionDenied.default()

    def _check_account_gate(self, request: Request) -> None:
        """The web's gate, for API calls: second factor for office roles, forced password change."""
        user = request.user
        if not user.is_authenticated:
            return
        if settings.SUKSA_ENFORCE_2FA and self.actor.needs_two_factor():
            if isinstance(request.successful_authenticator, authentication.TokenAuthentication):
                # Tokens are issued only against a TOTP code; a device removed since voids them.
                satisfied = two_factor.has_confirmed_device(user)
            else:
                is_verified = getattr(user, "is_verified", None)  # set by django-otp's middleware
                satisfied = bool(is_verified is not None and is_verified())
            if not satisfied:
                raise PermissionDenied.single(
                    "two_factor_required",
                    "บทบาทของคุณต้องยืนยันตัวตนสองขั้นตอนก่อนใช้งาน",
                    "Your role needs two-factor authentication before using the API",
                )
        if getattr(user, "must_change_password", False):
            raise PermissionDenied.single(
                "password_change_required",
                "กรุณาเปลี่ยนรหัสผ่านชั่วคราวผ่านหน้าเว็บก่อนใช้งาน",
                "Change your temporary password on the web before using the API",
            )

    @cached_property
    def actor(self) -> Actor:
        return actor_for(self.request.user, source="api")

    def get_authenticate_header(self, request: Request) -> str:
        # DRF takes the challenge from the first authentication class; session authentication
        # has none, which would turn every 401 into a 403. API clients use tokens: advertise that.
        return authentication.TokenAuthentication().authenticate_header(request) or "Token"

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "actor": self.actor}


class SuksaListView(ListModelMixin, SuksaAPIView):
    """A paginated (limit/offset) list whose query parameters a ``filter_serializer_class`` checks."""

    filter_serializer_class: type[serializers.Serializer] | None = None

    @cached_property
    def filters(self) -> dict[str, Any]:
        if self.filter_serializer_class is None:
            return {}
        return validate_bilingual(self.filter_serializer_class, self.request.query_params)

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)


def validate_bilingual(
    serializer_class: type[serializers.Serializer],
    data: Any,
    *,
    context: dict[str, Any] | None = None,
    partial: bool = False,
) -> dict[str, Any]:
    """Validate ``data``; on failure raise :class:`InvalidInput` with Thai and English messages.

    DRF renders a message in the language active when it is raised, so the serializer runs
    once under Thai; only when it fails does it run again under English to pair the messages.
    """
    with translation.override("th"):
        s = serializer_class(data=data, context=context or {}, partial=partial)
        if s.is_valid():
            return dict(s.validated_data)
        errors_th = s.errors
    with translation.override("en"):
        s_en = serializer_class(data=data, context=context or {}, partial=partial)
        s_en.is_valid()
        errors_en = s_en.errors
    raise InvalidInput(bilingual_validation_problems(errors_th, errors_en))
