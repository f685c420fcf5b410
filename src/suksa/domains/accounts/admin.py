"""Django admin for users and role assignments, scoped and gated by the policy, writing via services.

Only system administrators get in (a ``sysadmin`` grant, on top of Django's own ``is_staff``
gate for the admin site); each sees the users of their own subtree. Creating users, granting roles
and resetting passwords happen on the web pages, so the admin offers no "add" and no raw delete:
edits to a user go through :func:`services.user_update`, and revoking goes through
:func:`services.role_revoke`, each with its permission check and audit entry.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from suksa.core.errors import SuksaError
from suksa.core.policy import Actor, Perm, Role
from suksa.domains.accounts import services
from suksa.domains.accounts.actors import actor_for
from suksa.domains.accounts.models import RoleAssignment, User
from suksa.domains.accounts.selectors import assignments_visible_to, users_visible_to


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    return actor if actor is not None else actor_for(request.user)


def _is_sysadmin(request: HttpRequest) -> bool:
    return Role.SYSADMIN in _actor(request).roles


class PolicyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_sysadmin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_sysadmin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(PolicyAdmin):
    list_display = ("username", "first_name_th", "last_name_th", "email", "is_active", "must_change_password")
    search_fields = ("username", "first_name_th", "last_name_th", "email")
    list_filter = ("is_active", "must_change_password")
    fields = (
        "username",
        "title_th",
        "first_name_th",
        "last_name_th",
        "first_name",
        "last_name",
        "email",
        "phone",
        "preferred_language",
        "is_active",
        "deactivated_at",
        "must_change_password",
        "last_login",
        "date_joined",
    )
    readonly_fields = ("username", "deactivated_at", "must_change_password", "last_login", "date_joined")

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return users_visible_to(_actor(request))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not _is_sysadmin(request):
            return False
        return obj is None or services.can_act_on(_actor(request), Perm.USER_MANAGE, obj)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        data = {
            next(k for k, v in services.UPDATABLE_FIELDS.items() if v == name): form.cleaned_data[name]
            for name in form.changed_data
            if name in services.UPDATABLE_FIELDS.values()
        }
        if not data:
            return
        original = User.objects.get(pk=obj.pk)
        try:
            services.user_update(actor=_actor(request), user=original, data=data)
        except SuksaError as exc:
            self.message_user(request, exc.summary("th") + " / " + exc.summary("en"), messages.ERROR)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(PolicyAdmin):
    list_display = ("user", "role", "unit", "granted_at", "revoked_at")
    list_filter = ("role",)
    search_fields = ("user__username", "unit__code")
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoleAssignment]:
        return assignments_visible_to(_actor(request))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return _is_sysadmin(request) and _actor(request).can_anywhere(Perm.USER_MANAGE)

    @admin.action(description="ถอนบทบาทที่เลือก / Revoke the selected roles", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[RoleAssignment]) -> None:
        done = 0
        for assignment in queryset.filter(revoked_at__isnull=True):
            try:
                services.role_revoke(actor=_actor(request), assignment=assignment)
            except SuksaError as exc:
                self.message_user(
                    request, f"{assignment}: {exc.summary('th')} / {exc.summary('en')}", messages.ERROR
                )
            else:
                done += 1
        self.message_user(request, f"ถอนแล้ว {done} รายการ / Revoked {done}", messages.SUCCESS)
