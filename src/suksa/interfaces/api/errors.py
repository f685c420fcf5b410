"""One bilingual error body for every API failure, and the serializers that document it.

Every error the API returns, whatever raised it (a domain :class:`~suksa.core.errors.SuksaError`,
DRF validation, authentication, throttling, an unknown URL id), has the same shape::

    {"errors": [{"code", "field", "row", "column", "file", "message_th", "message_en"}],
     "detail": "<the messages in the request language>"}

so that a client needs one code path to show a Thai or English message and point at the field,
row or column at fault.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from suksa.core.errors import (
    Conflict,
    InvalidInput,
    NotFoundOrNoAccess,
    PermissionDenied,
    Problem,
    SuksaError,
)
from suksa.core.i18n import current_language

NON_FIELD = "non_field_errors"

# Bilingual wording for DRF's own exceptions, keyed by their class. Thai is written here rather
# than taken from DRF's catalogue so that every message is reviewed Thai, not a machine default.
_API_EXCEPTIONS: list[tuple[type[exceptions.APIException], str, str, str]] = [
    (
        exceptions.NotAuthenticated,
        "not_authenticated",
        "กรุณาเข้าสู่ระบบ (ไม่พบข้อมูลยืนยันตัวตน)",
        "Authentication credentials were not provided",
    ),
    (
        exceptions.AuthenticationFailed,
        "authentication_failed",
        "ข้อมูลยืนยันตัวตนไม่ถูกต้องหรือหมดอายุ",
        "Invalid or expired authentication credentials",
    ),
    (exceptions.NotFound, "not_found", "ไม่พบข้อมูลที่ขอ", "Not found"),
    (exceptions.PermissionDenied, "forbidden", "คุณไม่มีสิทธิ์ทำรายการนี้", "You may not perform this action"),
    (
        exceptions.MethodNotAllowed,
        "method_not_allowed",
        "ไม่รองรับวิธีการเรียกนี้",
        "This HTTP method is not allowed here",
    ),
    (
        exceptions.NotAcceptable,
        "not_acceptable",
        "ไม่สามารถส่งข้อมูลในรูปแบบที่ขอได้",
        "Cannot produce the requested response format",
    ),
    (
        exceptions.UnsupportedMediaType,
        "unsupported_media_type",
        "ไม่รองรับชนิดข้อมูลที่ส่งมา",
        "Unsupported media type in the request",
    ),
    (exceptions.ParseError, "malformed_request", "อ่านข้อมูลที่ส่งมาไม่ได้", "The request body is malformed"),
]


class ErrorItemSerializer(serializers.Serializer):
    """One problem: what is wrong (in Thai and English) and where."""

    code = serializers.CharField(help_text="Machine-readable code, e.g. `required`, `not_found`.")
    field = serializers.CharField(allow_null=True, help_text="Request field at fault (dotted for nested).")
    row = serializers.IntegerField(allow_null=True, help_text="Row in an imported file (header is row 1).")
    column = serializers.CharField(allow_null=True, help_text="Column header in an imported file.")
    file = serializers.CharField(allow_null=True, help_text="Imported file name.")
    message_th = serializers.CharField(help_text="Message in Thai, with its location.")
    message_en = serializers.CharField(help_text="Message in English, with its location.")


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (4xx), whatever the cause.

    `errors` lists each problem with its Thai and English message and, where it applies, the
    request field (`field`, dotted for nested input) or the imported file, row and column.
    `detail` joins the messages in the request language (`Accept-Language: th` or `en`; Thai
    when absent or unsupported). An unknown id and an id outside the caller's scope get the same
    404 body.
    """

    # Only documents the body (never validates), so the name may shadow Serializer.errors.
    errors = ErrorItemSerializer(many=True)  # type: ignore[assignment]
    detail = serializers.CharField(
        help_text="All messages joined, in the request language (Accept-Language th or en; default th)."
    )


def problems_body(problems: Iterable[Problem], language: str | None = None) -> dict[str, Any]:
    items = list(problems)
    lang = language or current_language()
    return {"errors": [p.as_dict() for p in items], "detail": "; ".join(p.message(lang) for p in items)}


def error_response(
    problems: Iterable[Problem], status_code: int, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(problems_body(problems), status=status_code, headers=dict(headers or {}))


def _field_name(prefix: str, key: Any) -> str | None:
    name = f"{prefix}.{key}" if prefix else str(key)
    return None if name == NON_FIELD else name.removesuffix(f".{NON_FIELD}")


def flatten_errors(detail: Any, prefix: str = "") -> list[tuple[str | None, str, str]]:
    """``serializer.errors`` (nested dicts and lists) as ``(field, code, message)`` triples."""
    out: list[tuple[str | None, str, str]] = []
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            out.extend(flatten_errors(value, _field_name(prefix, key) or ""))
    elif isinstance(detail, list):
        for i, value in enumerate(detail):
            if isinstance(value, Mapping | list):
                out.extend(flatten_errors(value, f"{prefix}.{i}" if prefix else str(i)))
            else:
                out.extend(flatten_errors(value, prefix))
    else:
        code = getattr(detail, "code", None) or "invalid"
        out.append((prefix or None, str(code), str(detail)))
    return out


def bilingual_validation_problems(errors_th: Any, errors_en: Any) -> list[Problem]:
    """Pair the same validation run's Thai and English messages, field by field."""
    th = flatten_errors(errors_th)
    en = flatten_errors(errors_en)
    if len(th) != len(en):  # should not happen; fall back to one language for both
        en = th
    return [
        Problem(code=code, th=t_msg, en=e_msg, field=field)
        for (field, code, t_msg), (_f, _c, e_msg) in zip(th, en, strict=True)
    ]


def _api_exception_problems(exc: exceptions.APIException) -> list[Problem]:
    if isinstance(exc, exceptions.Throttled):
        raw_wait = getattr(exc, "wait", None)
        wait = int(raw_wait) if raw_wait is not None else None
        suffix_th = f" กรุณาลองใหม่ในอีก {wait} วินาที" if wait is not None else ""
        suffix_en = f" Try again in {wait} seconds." if wait is not None else ""
        return [
            Problem(
                code="throttled",
                th="มีการเรียกใช้บ่อยเกินไป" + suffix_th,
                en="Too many requests." + suffix_en,
            )
        ]
    if isinstance(exc, exceptions.ValidationError):
        # Raised outside validate_bilingual (e.g. by a parser): the text exists in one language only.
        return [
            Problem(code=code, th=msg, en=msg, field=field) for field, code, msg in flatten_errors(exc.detail)
        ]
    for cls, code, th, en in _API_EXCEPTIONS:
        if isinstance(exc, cls):
            return [Problem(code=code, th=th, en=en)]
    return [Problem(code=str(exc.default_code), th=str(exc.detail), en=str(exc.detail))]


_SUKSA_STATUS: list[tuple[type[SuksaError], int]] = [
    (InvalidInput, status.HTTP_400_BAD_REQUEST),
    (NotFoundOrNoAccess, status.HTTP_404_NOT_FOUND),
    (PermissionDenied, status.HTTP_403_FORBIDDEN),
    (Conflict, status.HTTP_409_CONFLICT),
]


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every known failure becomes the one bilingual body."""
    if isinstance(exc, SuksaError):
        code = next((s for cls, s in _SUKSA_STATUS if isinstance(exc, cls)), status.HTTP_400_BAD_REQUEST)
        set_rollback()
        return error_response(exc.problems or [Problem("error", "เกิดข้อผิดพลาด", "Error")], code)
    if isinstance(exc, Http404):
        # The same body as NotFoundOrNoAccess: an unknown id and a hidden one look alike.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: let Django log it and answer 500
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = f"{int(exc.wait)}"  # type: ignore[attr-defined]
    set_rollback()
    return error_response(_api_exception_problems(exc), exc.status_code, headers)
