"""Authentication (token exchange, ``/me``) and user administration: accounts, roles, passwords.

Users are read through ``accounts.selectors`` (scoped to the caller's ``user.view`` units) and
changed only through ``accounts.services``, which check the enclosing-scope rule and audit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.db.models import Prefetch, Q, QuerySet
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from suksa.core.errors import InvalidInput, PermissionDenied, Problem
from suksa.core.models import OrgUnit
from suksa.core.policy import Perm
from suksa.core.selectors import units_visible_to
from suksa.domains.accounts import selectors as account_selectors
from suksa.domains.accounts import services as account_services
from suksa.domains.accounts import two_factor
from suksa.domains.accounts.actors import actor_for
from suksa.domains.accounts.models import User
from suksa.interfaces.api.base import ERROR_CODES_PUBLIC, SuksaAPIView, SuksaListView, validate_bilingual
from suksa.interfaces.api.errors import error_response
from suksa.interfaces.api.serializers.accounts import (
    MeSerializer,
    PasswordResetRequestSerializer,
    PasswordResetResponseSerializer,
    RoleAssignmentSerializer,
    RoleGrantSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    UserCreateSerializer,
    UserFilterSerializer,
    UserSerializer,
    UserUpdateSerializer,
)

USER_ID = OpenApiParameter("user_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="User id.")
ASSIGNMENT_ID = OpenApiParameter(
    "assignment_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Role assignment id."
)


class AuthTokenThrottle(AnonRateThrottle):
    """Password guessing through the API is slowed per client address (django-axes also locks)."""

    scope = "auth_token"
    rate = "10/min"


LOGIN_LOCKED = Problem(
    code="login_locked",
    th="เข้าสู่ระบบผิดพลาดหลายครั้งเกินไป จึงถูกระงับชั่วคราว กรุณาลองใหม่ภายหลัง",
    en="Too many failed logins: logging in is locked for a while; try again later",
)


def _bad_credentials() -> InvalidInput:
    # One message whether the username exists, the password is wrong or the account is inactive.
    return InvalidInput.single(  # type: ignore[return-value]
        "invalid_credentials",
        "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง",
        "The username or password is incorrect",
    )


class AuthTokenView(SuksaAPIView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes = [AuthTokenThrottle]
    required_perm = None
    account_gate_exempt = True
    error_codes = ERROR_CODES_PUBLIC

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        summary="Exchange a username and password (and a TOTP code when required) for an API token",
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = validate_bilingual(TokenRequestSerializer, request.data)
        username = data["username"]
        user = authenticate(request._request, username=username, password=data["password"])
        if getattr(request._request, "axes_locked_out", False):
            # Answer the lockout here, in the API's error format; otherwise AxesMiddleware would
            # replace the response with its HTML lockout page.
            request._request.axes_locked_out = False  # type: ignore[attr-defined]
            account_services.login_event_record(event="login_failed", username=username, detail="locked_out")
            return error_response([LOGIN_LOCKED], status.HTTP_429_TOO_MANY_REQUESTS)
        if not isinstance(user, User) or not user.is_active:
            account_services.login_event_record(event="login_failed", username=username)
            raise _bad_credentials()
        actor = actor_for(user, source="api")
        if getattr(settings, "SUKSA_ENFORCE_2FA", False) and actor.needs_two_factor():
            self._check_otp(user, data.get("otp", ""))
        token, _created = Token.objects.get_or_create(user=user)
        update_last_login(None, user)  # type: ignore[arg-type]  # Django's signal-receiver signature
        account_services.login_event_record(event="login", username=user.username, user=user)
        context = {**self.get_serializer_context(), "actor": actor}
        setattr(user, "api_assignments", list(account_selectors.active_assignments_of(user)))  # noqa: B010
        return Response({"token": token.key, "user": MeSerializer(user, context=context).data})

    def _check_otp(self, user: User, otp: str) -> None:
        if not two_factor.has_confirmed_device(user):
            raise InvalidInput.single(
                "otp_not_enrolled",
                "บทบาทของคุณต้องใช้การยืนยันตัวตนสองขั้นตอน กรุณาตั้งค่าแอปยืนยันตัวตนผ่านหน้าเว็บก่อน",
                "Your role needs two-factor authentication: set up an authenticator app on the web first",
                field="otp",
            )
        if not otp.strip():
            raise InvalidInput.single(
                "otp_required",
                "กรุณากรอกรหัสยืนยันจากแอปยืนยันตัวตน",
                "Enter the code from your authenticator app",
                field="otp",
            )
        try:
            two_factor.totp_verify(user=user, token=otp)
        except InvalidInput as exc:
            account_services.login_event_record(event="login_failed", username=user.username, detail="otp")
            raise InvalidInput([p.located(field="otp") for p in exc.problems]) from None


class MeView(SuksaAPIView):
    required_perm = None
    account_gate_exempt = True
    serializer_class = MeSerializer

    @extend_schema(operation_id="me_retrieve", tags=["auth"], summary="The caller: user, roles and scopes")
    def get(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)
        setattr(user, "api_assignments", list(account_selectors.active_assignments_of(user)))  # noqa: B010
        return Response(self.get_serializer(user).data)


# --- user administration -----------------------------------------------------------------------


def _unit_for_user_admin(view: SuksaAPIView, code: str | None, field: str = "unit") -> OrgUnit | None:
    """The unit named in a request body, if the caller administers users there.

    An unknown code and a unit outside the caller's scope give the same answer.
    """
    if not code:
        return None
    unit = units_visible_to(view.actor, Perm.USER_MANAGE).filter(code=code.strip()).first()
    if unit is None:
        raise InvalidInput.single(
            "unit_unknown",
            f"ไม่พบหน่วยงานรหัส '{code}' ในขอบเขตที่คุณดูแล",
            f"No unit with code '{code}' in the scope you administer",
            field=field,
        )
    return unit


def _with_assignments(view: SuksaAPIView, user: User) -> User:
    visible = (
        account_selectors.assignments_visible_to(view.actor).filter(user=user).select_related("granted_by")
    )
    setattr(user, "api_assignments", list(visible))  # noqa: B010
    return user


def _require(view: SuksaAPIView, perm: Perm) -> None:
    if not view.actor.can_anywhere(perm):
        raise PermissionDenied.default()


class UserListView(SuksaListView):
    required_perm = Perm.USER_VIEW
    serializer_class = UserSerializer
    filter_serializer_class = UserFilterSerializer

    @extend_schema(
        operation_id="users_list",
        tags=["users"],
        summary="List the users the caller may see (user.view)",
        parameters=[UserFilterSerializer],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="users_create",
        tags=["users"],
        summary="Create a user with a first role (user.manage)",
        request=UserCreateSerializer,
        responses={201: UserSerializer},
    )
    def post(self, request: Request) -> Response:
        _require(self, Perm.USER_MANAGE)
        data = validate_bilingual(UserCreateSerializer, request.data)
        unit = _unit_for_user_admin(self, data.pop("unit"))
        user = account_services.user_create(actor=self.actor, unit=unit, **data)
        return Response(
            UserSerializer(_with_assignments(self, user), context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def get_queryset(self) -> QuerySet[User]:
        f = self.filters
        qs = account_selectors.users_visible_to(self.actor)
        if f.get("q"):
            q = f["q"].strip()
            qs = qs.filter(
                Q(username__icontains=q)
                | Q(first_name_th__icontains=q)
                | Q(last_name_th__icontains=q)
                | Q(first_name__icontains=q)
                | Q(last_name__icontains=q)
                | Q(email__icontains=q)
            )
        active = account_selectors.active_assignments()
        if f.get("unit"):
            unit = units_visible_to(self.actor, Perm.USER_VIEW).filter(code=f["unit"]).first()
            in_unit = active.filter(unit__path__under=unit.path) if unit else active.none()
            qs = qs.filter(pk__in=in_unit.values("user_id"))
        if f.get("role"):
            qs = qs.filter(pk__in=active.filter(role=f["role"]).values("user_id"))
        if f.get("is_active"):
            qs = qs.filter(is_active=f["is_active"] == "true")
        visible = account_selectors.assignments_visible_to(self.actor).select_related("granted_by")
        return qs.prefetch_related(
            Prefetch("role_assignments", queryset=visible, to_attr="api_assignments")
        ).order_by("username")


class UserDetailView(SuksaAPIView):
    required_perm = Perm.USER_VIEW
    serializer_class = UserSerializer

    @extend_schema(operation_id="users_retrieve", tags=["users"], summary="One user", parameters=[USER_ID])
    def get(self, request: Request, user_id: str) -> Response:
        user = account_selectors.user_get(self.actor, user_id)
        return Response(self.get_serializer(_with_assignments(self, user)).data)

    @extend_schema(
        operation_id="users_partial_update",
        tags=["users"],
        summary="Change a user's names, contact details, language or active flag (user.manage)",
        parameters=[USER_ID],
        request=UserUpdateSerializer,
        responses=UserSerializer,
    )
    def patch(self, request: Request, user_id: str) -> Response:
        user = account_selectors.user_get(self.actor, user_id)
        _require(self, Perm.USER_MANAGE)
        keys = request.data.keys() if isinstance(request.data, Mapping) else []
        unknown = sorted(str(k) for k in keys if k not in UserUpdateSerializer().fields)
        data = validate_bilingual(UserUpdateSerializer, request.data, partial=True)
        # Unknown keys go on to the service, which refuses them with its own bilingual message
        # after its permission check.
        data.update({k: request.data[k] for k in unknown})
        user = account_services.user_update(actor=self.actor, user=user, data=data)
        return Response(self.get_serializer(_with_assignments(self, user)).data)


class RoleGrantView(SuksaAPIView):
    required_perm = Perm.USER_MANAGE
    serializer_class = RoleAssignmentSerializer

    @extend_schema(
        operation_id="users_role_assignments_create",
        tags=["users"],
        summary="Grant a role on an org unit (user.manage on that unit)",
        parameters=[USER_ID],
        request=RoleGrantSerializer,
        responses={201: RoleAssignmentSerializer},
    )
    def post(self, request: Request, user_id: str) -> Response:
        user = account_selectors.user_get(self.actor, user_id)
        data = validate_bilingual(RoleGrantSerializer, request.data)
        unit = _unit_for_user_admin(self, data["unit"])
        assert unit is not None
        assignment = account_services.role_grant(actor=self.actor, user=user, role=data["role"], unit=unit)
        return Response(self.get_serializer(assignment).data, status=status.HTTP_201_CREATED)


class RoleRevokeView(SuksaAPIView):
    required_perm = Perm.USER_MANAGE
    serializer_class = RoleAssignmentSerializer

    @extend_schema(
        operation_id="role_assignments_revoke",
        tags=["users"],
        summary="Revoke a role assignment (kept as history)",
        parameters=[ASSIGNMENT_ID],
        request=None,
        responses={200: RoleAssignmentSerializer},
    )
    def post(self, request: Request, assignment_id: str) -> Response:
        assignment = account_selectors.assignment_get(self.actor, assignment_id)
        assignment = account_services.role_revoke(actor=self.actor, assignment=assignment)
        return Response(self.get_serializer(assignment).data)


class PasswordResetView(SuksaAPIView):
    required_perm = Perm.USER_RESET_PASSWORD

    @extend_schema(
        operation_id="users_reset_password",
        tags=["users"],
        summary="Set a temporary password and return it once (user.reset_password)",
        parameters=[USER_ID],
        request=PasswordResetRequestSerializer,
        responses={200: PasswordResetResponseSerializer},
    )
    def post(self, request: Request, user_id: str) -> Response:
        user = account_selectors.user_get(self.actor, user_id)
        data = validate_bilingual(PasswordResetRequestSerializer, request.data)
        password = account_services.user_reset_password(
            actor=self.actor, user=user, new_password=data.get("new_password") or None
        )
        return Response(
            {"temporary_password": password, "must_change_password": True},
            headers={"Cache-Control": "no-store"},
        )


urlpatterns = [
    path("auth/token/", AuthTokenView.as_view(), name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
    path("users/", UserListView.as_view(), name="user-list"),
    path("users/<str:user_id>/", UserDetailView.as_view(), name="user-detail"),
    path("users/<str:user_id>/role-assignments/", RoleGrantView.as_view(), name="user-role-grant"),
    path("users/<str:user_id>/reset-password/", PasswordResetView.as_view(), name="user-reset-password"),
    path("role-assignments/<str:assignment_id>/revoke/", RoleRevokeView.as_view(), name="role-revoke"),
]
