"""UMS pages: login and logout, two-factor enrolment and verification, own password, and user
administration (list, detail, create, grant and revoke roles, password reset, bulk import).

Views parse input, call one service or selector with ``request.actor`` and render. Ids outside the
actor's scope raise :class:`NotFoundOrNoAccess` and answer 404 exactly like unknown ids.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied, Problem, SuksaError
from suksa.core.i18n import bi
from suksa.core.models import OrgUnit
from suksa.core.policy import ROLE_LABELS, Perm
from suksa.core.selectors import units_visible_to
from suksa.core.tabular import problems_csv
from suksa.domains.accounts import services, two_factor
from suksa.domains.accounts.models import User
from suksa.domains.accounts.selectors import (
    active_assignments,
    assignment_get,
    assignments_of,
    user_get,
    users_visible_to,
)
from suksa.interfaces.web.twofactor import gate_required, gate_target, gate_url, two_factor_required

IMPORT_REPORT_SESSION_KEY = "suksa_users_import_report"
PAGE_SIZE = 50


def _both(th: str, en: str) -> str:
    return f"{th} · {en}"


REQUIRED = {"required": _both("กรุณากรอกช่องนี้", "This field is required")}


class StyledForm(forms.Form):
    """Bootstrap classes on every widget; fields with errors are marked invalid for screen readers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = (
                "form-check-input"
                if isinstance(widget, forms.CheckboxInput)
                else "form-select"
                if isinstance(widget, forms.Select)
                else "form-control"
            )
            widget.attrs.setdefault("class", css)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{name}-error"
                attrs["class"] = attrs.get("class", "") + " is-invalid"


def _role_choices(blank: bool = False) -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [(r.value, bi(th, en)) for r, (th, en) in ROLE_LABELS.items()]
    return [("", bi("— ทุกบทบาท —", "— any role —")), *choices] if blank else choices


def _apply_problems(form: forms.Form, exc: SuksaError) -> None:
    """Show each problem next to its field (or on top of the form), in Thai and English."""
    for p in exc.problems:
        field = p.field if p.field in form.fields else None
        form.add_error(field, _both(p.th, p.en))


def _safe_next(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return default


def _require(request: HttpRequest, perm: Perm) -> None:
    if not request.actor.can_anywhere(perm):  # type: ignore[attr-defined]
        raise DjangoPermissionDenied


def _user_or_404(request: HttpRequest, user_id: int) -> User:
    try:
        return user_get(request.actor, user_id)  # type: ignore[attr-defined]
    except NotFoundOrNoAccess:
        raise Http404 from None


def _unit_for(request: HttpRequest, code: str, perm: Perm) -> OrgUnit | None:
    """The unit with ``code`` when it lies in the actor's scope for ``perm``; otherwise nothing."""
    return units_visible_to(request.actor, perm).filter(code=code.strip()).first()  # type: ignore[attr-defined]


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


# --- login, logout, two-factor, own password ------------------------------------------------------


class LoginForm(StyledForm):
    username = forms.CharField(label=bi("ชื่อผู้ใช้", "Username"), max_length=150, error_messages=REQUIRED)
    password = forms.CharField(
        label=bi("รหัสผ่าน", "Password"), widget=forms.PasswordInput, strip=False, error_messages=REQUIRED
    )


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    """Start the session in the person's preferred language (the cookie LocaleMiddleware reads)."""
    if language not in dict(settings.LANGUAGES):
        return
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    default_next = reverse("web:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        # ``request`` lets django-axes count failures and refuse a locked username+IP pair; when it
        # refuses, authenticate() returns None and AxesMiddleware answers with the lockout page.
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            locked = bool(getattr(request, "axes_locked_out", False))
            services.login_event_record(
                event="login_failed", username=username, detail="locked_out" if locked else ""
            )
            form.add_error(None, _both("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง", "The username or password is incorrect"))
        else:
            login(request, user)
            detail = "password; 2fa pending" if two_factor_required(request) else "password"
            services.login_event_record(event="login", username=user.username, user=user, detail=detail)
            nxt = _safe_next(request, default_next)
            target = gate_target(request)
            response = HttpResponseRedirect(gate_url(target, nxt) if target else nxt)
            _set_language_cookie(response, getattr(user, "preferred_language", ""))
            return response
    return render(request, "web/accounts/login.html", {"form": form, "next": _safe_next(request, "")})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        user = request.user
        services.login_event_record(event="logout", username=user.username, user=user)
    logout(request)
    return redirect("web:login")


class TokenForm(StyledForm):
    token = forms.CharField(
        label=bi("รหัส 6 หลักจากแอปยืนยันตัวตน", "6-digit code from your authenticator app"),
        max_length=8,
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


@never_cache
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user: User = request.user
    if two_factor.has_confirmed_device(user) and not getattr(user, "is_verified", lambda: False)():
        return redirect("web:two_factor_verify")
    device = two_factor.totp_enrol_start(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.totp_enrol_confirm(user=user, device=device, token=form.cleaned_data["token"])
        except InvalidInput as exc:
            _apply_problems(form, exc)
        else:
            otp_login(request, device)
            messages.success(request, bi("ตั้งค่าการยืนยันตัวตนสองขั้นตอนเรียบร้อย", "Two-factor sign-in is set up"))
            return HttpResponseRedirect(_safe_next(request, reverse("web:home")))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, title="TOTP")
    context = {
        "form": form,
        "qr_svg": qr_svg,
        "secret": two_factor.manual_secret(device),
        "next": _safe_next(request, ""),
    }
    return render(request, "web/accounts/two_factor_enrol.html", context)


@never_cache
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user: User = request.user
    if not two_factor.has_confirmed_device(user):
        return redirect("web:two_factor_enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.totp_verify(user=user, token=form.cleaned_data["token"])
        except InvalidInput as exc:
            services.login_event_record(event="login_failed", username=user.username, user=user, detail="otp")
            _apply_problems(form, exc)
        else:
            otp_login(request, device)
            services.login_event_record(
                event="login", username=user.username, user=user, detail="2fa verified"
            )
            return HttpResponseRedirect(_safe_next(request, reverse("web:home")))
    return render(
        request, "web/accounts/two_factor_verify.html", {"form": form, "next": _safe_next(request, "")}
    )


class PasswordChangeForm(StyledForm):
    old_password = forms.CharField(
        label=bi("รหัสผ่านปัจจุบัน", "Current password"),
        widget=forms.PasswordInput,
        strip=False,
        error_messages=REQUIRED,
    )
    new_password = forms.CharField(
        label=bi("รหัสผ่านใหม่", "New password"),
        widget=forms.PasswordInput,
        strip=False,
        error_messages=REQUIRED,
    )
    new_password_again = forms.CharField(
        label=bi("ยืนยันรหัสผ่านใหม่", "New password again"),
        widget=forms.PasswordInput,
        strip=False,
        error_messages=REQUIRED,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error(
                "new_password_again", _both("รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน", "The two new passwords differ")
            )
        return data


@sensitive_post_parameters("old_password", "new_password", "new_password_again")
@never_cache
def password_change(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    # The second factor comes first: a stolen password alone must not be able to replace itself.
    target = gate_target(request)
    if target is not None and target != "web:password_change":
        return HttpResponseRedirect(gate_url(target, _safe_next(request, "")))
    user: User = request.user
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except InvalidInput as exc:
            _apply_problems(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, bi("เปลี่ยนรหัสผ่านเรียบร้อย", "Your password has been changed"))
            return HttpResponseRedirect(_safe_next(request, reverse("web:home")))
    context = {"form": form, "forced": user.must_change_password, "next": _safe_next(request, "")}
    return render(request, "web/accounts/password_change.html", context)


# --- user administration --------------------------------------------------------------------------


class UserFilterForm(StyledForm):
    q = forms.CharField(label=bi("ค้นหา (ชื่อผู้ใช้ ชื่อ อีเมล)", "Search (username, name, e-mail)"), required=False)
    role = forms.ChoiceField(label=bi("บทบาท", "Role"), required=False, choices=_role_choices(blank=True))
    unit_code = forms.CharField(label=bi("รหัสหน่วยงาน", "Unit code"), required=False, max_length=20)


@gate_required
def user_list(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.USER_VIEW)
    actor = request.actor  # type: ignore[attr-defined]
    form = UserFilterForm(request.GET or None)
    qs = users_visible_to(actor)
    if form.is_valid():
        d = form.cleaned_data
        for term in (d.get("q") or "").split():
            qs = qs.filter(
                Q(username__icontains=term)
                | Q(first_name_th__icontains=term)
                | Q(last_name_th__icontains=term)
                | Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(email__icontains=term)
            )
        if d.get("role"):
            qs = qs.filter(pk__in=active_assignments().filter(role=d["role"]).values("user_id"))
        if d.get("unit_code"):
            unit = _unit_for(request, d["unit_code"], Perm.USER_VIEW)
            on_unit = active_assignments().filter(unit__path__startswith=unit.path) if unit else None
            qs = qs.filter(pk__in=on_unit.values("user_id")) if on_unit is not None else qs.none()
    page = Paginator(qs.order_by("username"), PAGE_SIZE).get_page(request.GET.get("page"))
    roles: dict[int, list[Any]] = {}
    for a in active_assignments().filter(user__in=list(page.object_list)).select_related("unit"):
        roles.setdefault(a.user_id, []).append(a)
    rows = [(u, roles.get(u.pk, [])) for u in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "can_manage": actor.can_anywhere(Perm.USER_MANAGE),
    }
    return render(request, "web/accounts/user_list.html", context)


class RoleGrantForm(StyledForm):
    role = forms.ChoiceField(label=bi("บทบาท", "Role"), choices=_role_choices(), error_messages=REQUIRED)
    unit_code = forms.CharField(label=bi("รหัสหน่วยงาน", "Unit code"), max_length=20, error_messages=REQUIRED)


@gate_required
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _user_or_404(request, user_id)
    return _render_detail(request, user, RoleGrantForm())


def _render_detail(
    request: HttpRequest, user: User, grant_form: RoleGrantForm, status: int = 200
) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    assignments = list(assignments_of(user))
    rows = [(a, a.revoked_at is None and actor.can(Perm.USER_MANAGE, a.unit.path)) for a in assignments]
    context = {
        "subject": user,
        "rows": rows,
        "grant_form": grant_form,
        "can_grant": actor.can_anywhere(Perm.USER_MANAGE),
        "can_edit": services.can_act_on(actor, Perm.USER_MANAGE, user),
        "can_reset": services.can_act_on(actor, Perm.USER_RESET_PASSWORD, user) and user.pk != actor.user_id,
    }
    return render(request, "web/accounts/user_detail.html", context, status=status)


class PersonForm(StyledForm):
    """The name and contact fields that creating and editing a user share."""

    title_th = forms.CharField(label=bi("คำนำหน้า", "Title (Thai)"), max_length=30, required=False)
    first_name_th = forms.CharField(
        label=bi("ชื่อ (ไทย)", "First name (Thai)"), max_length=150, error_messages=REQUIRED
    )
    last_name_th = forms.CharField(
        label=bi("นามสกุล (ไทย)", "Last name (Thai)"), max_length=150, error_messages=REQUIRED
    )
    first_name_en = forms.CharField(
        label=bi("ชื่อ (อังกฤษ)", "First name (English)"), max_length=150, required=False
    )
    last_name_en = forms.CharField(
        label=bi("นามสกุล (อังกฤษ)", "Last name (English)"), max_length=150, required=False
    )
    email = forms.CharField(label=bi("อีเมล", "E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=bi("โทรศัพท์", "Phone"), max_length=30, required=False)


class UserCreateForm(PersonForm):
    field_order = ["username"]  # first, before the inherited name fields
    username = forms.CharField(label=bi("ชื่อผู้ใช้", "Username"), max_length=150, error_messages=REQUIRED)
    role = forms.ChoiceField(
        label=bi("บทบาทแรก", "First role"), choices=_role_choices(), error_messages=REQUIRED
    )
    unit_code = forms.CharField(label=bi("รหัสหน่วยงาน", "Unit code"), max_length=20, error_messages=REQUIRED)
    password = forms.CharField(
        label=bi("รหัสผ่านชั่วคราว (เว้นว่างให้ระบบสร้าง)", "Temporary password (leave empty to generate)"),
        widget=forms.PasswordInput,
        strip=False,
        required=False,
    )


def _unit_problem_text() -> str:
    return _both("ไม่พบหน่วยงานรหัสนี้", "No unit with this code")


@sensitive_post_parameters("password")
@gate_required
def user_create(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.USER_MANAGE)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        unit = _unit_for(request, d["unit_code"], Perm.USER_MANAGE)
        if unit is None:
            form.add_error("unit_code", _unit_problem_text())
        else:
            password = d["password"] or services.generate_temporary_password()
            try:
                user = services.user_create(
                    actor=request.actor,  # type: ignore[attr-defined]
                    username=d["username"],
                    password=password,
                    title_th=d["title_th"],
                    first_name_th=d["first_name_th"],
                    last_name_th=d["last_name_th"],
                    first_name_en=d["first_name_en"],
                    last_name_en=d["last_name_en"],
                    email=d["email"],
                    phone=d["phone"],
                    role=d["role"],
                    unit=unit,
                )
            except (InvalidInput, PermissionDenied) as exc:
                _apply_problems(form, exc)
            else:
                context = {
                    "subject": user,
                    "password": password if not d["password"] else "",
                    "created": True,
                }
                return _no_store(render(request, "web/accounts/password_issued.html", context))
    return render(request, "web/accounts/user_create.html", {"form": form})


class UserEditForm(PersonForm):
    preferred_language = forms.ChoiceField(
        label=bi("ภาษาที่ใช้", "Language"), choices=[("th", "ไทย"), ("en", "English")]
    )
    is_active = forms.BooleanField(label=bi("เปิดใช้งานบัญชี", "Account active"), required=False)

    @classmethod
    def initial_for(cls, user: User) -> dict[str, Any]:
        return {key: getattr(user, name) for key, name in services.UPDATABLE_FIELDS.items()}


@gate_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _user_or_404(request, user_id)
    actor = request.actor  # type: ignore[attr-defined]
    if not services.can_act_on(actor, Perm.USER_MANAGE, user):
        raise DjangoPermissionDenied
    form = UserEditForm(request.POST or None, initial=UserEditForm.initial_for(user))
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.changed_data}
        try:
            services.user_update(actor=actor, user=user, data=data)
        except (InvalidInput, PermissionDenied) as exc:
            _apply_problems(form, exc)
        else:
            messages.success(request, bi("บันทึกข้อมูลผู้ใช้เรียบร้อย", "The user has been saved"))
            return redirect("web:user_detail", user_id=user.pk)
    return render(request, "web/accounts/user_edit.html", {"form": form, "subject": user})


@require_POST
@gate_required
def role_grant(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _user_or_404(request, user_id)
    _require(request, Perm.USER_MANAGE)
    form = RoleGrantForm(request.POST)
    if form.is_valid():
        unit = _unit_for(request, form.cleaned_data["unit_code"], Perm.USER_MANAGE)
        if unit is None:
            form.add_error("unit_code", _unit_problem_text())
        else:
            try:
                services.role_grant(actor=request.actor, user=user, role=form.cleaned_data["role"], unit=unit)  # type: ignore[attr-defined]
            except (InvalidInput, PermissionDenied) as exc:
                _apply_problems(form, exc)
            else:
                messages.success(request, bi("มอบบทบาทเรียบร้อย", "The role has been granted"))
                return redirect("web:user_detail", user_id=user.pk)
    return _render_detail(request, user, form, status=400)


@require_POST
@gate_required
def role_revoke(request: HttpRequest, assignment_id: int) -> HttpResponse:
    try:
        assignment = assignment_get(request.actor, assignment_id)  # type: ignore[attr-defined]
    except NotFoundOrNoAccess:
        raise Http404 from None
    try:
        services.role_revoke(actor=request.actor, assignment=assignment)  # type: ignore[attr-defined]
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except InvalidInput as exc:
        messages.error(request, exc.problems[0].th + " · " + exc.problems[0].en)
    else:
        messages.success(request, bi("ถอนบทบาทเรียบร้อย", "The role has been revoked"))
    return redirect("web:user_detail", user_id=assignment.user_id)


@gate_required
def user_reset_password(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _user_or_404(request, user_id)
    actor = request.actor  # type: ignore[attr-defined]
    if user.pk == actor.user_id or not services.can_act_on(actor, Perm.USER_RESET_PASSWORD, user):
        raise DjangoPermissionDenied
    if request.method == "POST":
        password = services.user_reset_password(actor=actor, user=user)
        context = {"subject": user, "password": password, "created": False}
        return _no_store(render(request, "web/accounts/password_issued.html", context))
    return render(request, "web/accounts/user_reset_password.html", {"subject": user})


# --- bulk import ----------------------------------------------------------------------------------


class ImportForm(StyledForm):
    file = forms.FileField(
        label=bi("ไฟล์ CSV หรือ Excel (.xlsx)", "CSV or Excel (.xlsx) file"), error_messages=REQUIRED
    )
    keep_valid = forms.BooleanField(
        label=bi(
            "นำเข้าแถวที่ถูกต้อง แม้มีบางแถวผิดพลาด",
            "Import the valid rows even when some rows have problems",
        ),
        required=False,
    )


@gate_required
def users_import(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.USER_MANAGE)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.users_import(
                actor=request.actor,  # type: ignore[attr-defined]
                file=upload.file,
                filename=upload.name,
                keep_valid=form.cleaned_data["keep_valid"],
            )
        except InvalidInput as exc:
            _apply_problems(form, exc)
        else:
            if report.problems and not report.rows_read:
                # The file itself is unusable (type, encoding, header): say so next to the field.
                for p in report.problems:
                    where = f"{p.where_th()}: " if p.row else ""
                    form.add_error("file", _both(where + p.th, p.en))
                return render(
                    request,
                    "web/accounts/import_upload.html",
                    {"form": form, "columns": services.IMPORT_COLUMNS},
                )
            request.session[IMPORT_REPORT_SESSION_KEY] = [dataclasses.asdict(p) for p in report.problems]
            return render(request, "web/accounts/import_result.html", {"report": report})
    columns = services.IMPORT_COLUMNS
    return render(request, "web/accounts/import_upload.html", {"form": form, "columns": columns})


@gate_required
def users_import_errors_csv(request: HttpRequest) -> HttpResponse:
    """The problems of the last import in this session, as a CSV (UTF-8 with BOM for Excel)."""
    _require(request, Perm.USER_MANAGE)
    problems = request.session.get(IMPORT_REPORT_SESSION_KEY)
    if problems is None:
        raise Http404
    content = problems_csv(Problem(**p) for p in problems)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="users-import-problems.csv"'
    return _no_store(response)


urlpatterns = [
    path("login/", login_view, name="login"),
    path("logout/", logout_view, name="logout"),
    path("account/2fa/enrol/", two_factor_enrol, name="two_factor_enrol"),
    path("account/2fa/verify/", two_factor_verify, name="two_factor_verify"),
    path("account/password/", password_change, name="password_change"),
    path("users/", user_list, name="user_list"),
    path("users/new/", user_create, name="user_create"),
    path("users/import/", users_import, name="users_import"),
    path("users/import/problems.csv", users_import_errors_csv, name="users_import_errors"),
    path("users/<int:user_id>/", user_detail, name="user_detail"),
    path("users/<int:user_id>/edit/", user_edit, name="user_edit"),
    path("users/<int:user_id>/roles/", role_grant, name="role_grant"),
    path("users/<int:user_id>/reset-password/", user_reset_password, name="user_reset_password"),
    path("assignments/<int:assignment_id>/revoke/", role_revoke, name="role_revoke"),
]
