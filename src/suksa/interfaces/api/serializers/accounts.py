"""Users, role assignments, the token exchange and ``/me``: input checks and output shapes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from suksa.core.policy import ROLE_LABELS, Actor, Perm, Role
from suksa.domains.accounts.models import RoleAssignment, User
from suksa.interfaces.api.serializers.common import BeDisplayField
from suksa.interfaces.api.serializers.org import OrgUnitRefSerializer

ROLE_CHOICES = [(r.value, f"{th} / {en}") for r, (th, en) in ROLE_LABELS.items()]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        help_text="Current TOTP code; required for roles at nation, region or ESA level when 2FA is enforced.",
    )


class RoleAssignmentSerializer(serializers.ModelSerializer):
    role_label = serializers.SerializerMethodField()
    unit = OrgUnitRefSerializer(read_only=True)
    granted_by = serializers.CharField(
        source="granted_by.username", read_only=True, allow_null=True, default=None
    )
    granted_at_display = BeDisplayField(source="granted_at")
    revoked_at_display = BeDisplayField(source="revoked_at")
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = RoleAssignment
        fields = [
            "id",
            "role",
            "role_label",
            "unit",
            "is_active",
            "granted_by",
            "granted_at",
            "granted_at_display",
            "revoked_at",
            "revoked_at_display",
        ]
        read_only_fields = fields

    def get_role_label(self, a: RoleAssignment) -> str:
        from suksa.core.i18n import pick

        th, en = ROLE_LABELS[Role(a.role)]
        return pick(th, en)

    def get_is_active(self, a: RoleAssignment) -> bool:
        return a.revoked_at is None


class ScopeSerializer(serializers.Serializer):
    permission = serializers.CharField()
    unit_codes = serializers.ListField(child=serializers.CharField())


class UserSerializer(serializers.ModelSerializer):
    """A person, with the role assignments the caller may see (active ones first)."""

    first_name_en = serializers.CharField(source="first_name", read_only=True)
    last_name_en = serializers.CharField(source="last_name", read_only=True)
    display_name = serializers.SerializerMethodField()
    # Plain text: an account may have no e-mail, and "" is not format "email".
    email = serializers.CharField(read_only=True)
    roles = serializers.SerializerMethodField()
    date_joined_display = BeDisplayField(source="date_joined")
    last_login_display = BeDisplayField(source="last_login")

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "title_th",
            "first_name_th",
            "last_name_th",
            "first_name_en",
            "last_name_en",
            "display_name",
            "email",
            "phone",
            "preferred_language",
            "is_active",
            "must_change_password",
            "date_joined",
            "date_joined_display",
            "last_login",
            "last_login_display",
            "roles",
        ]
        read_only_fields = fields

    def get_display_name(self, user: User) -> str:
        from suksa.core.i18n import current_language

        return user.display_name(current_language())

    @extend_schema_field(RoleAssignmentSerializer(many=True))
    def get_roles(self, user: User) -> list[dict[str, Any]]:
        actor: Actor | None = self.context.get("actor")
        assignments = getattr(user, "api_assignments", None)
        if assignments is None:
            assignments = list(user.role_assignments.select_related("unit", "granted_by").all())
        if actor is not None and actor.user_id != user.pk:
            # Another office's roles of the same person are not the caller's business.
            assignments = [a for a in assignments if actor.can(Perm.USER_VIEW, a.unit.path)]
        assignments = sorted(assignments, key=lambda a: (a.revoked_at is not None, a.unit.path, a.role))
        return list(RoleAssignmentSerializer(assignments, many=True, context=self.context).data)


class MeSerializer(UserSerializer):
    needs_two_factor = serializers.SerializerMethodField()
    scopes = serializers.SerializerMethodField(help_text="For each permission, the units it covers.")

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "needs_two_factor", "scopes"]
        read_only_fields = fields

    def get_needs_two_factor(self, user: User) -> bool:
        return bool(self.context["actor"].needs_two_factor())

    @extend_schema_field(ScopeSerializer(many=True))
    def get_scopes(self, user: User) -> list[dict[str, Any]]:
        actor: Actor = self.context["actor"]
        out = []
        for perm in Perm:
            paths = actor.scope_paths(perm)
            if paths:
                out.append(
                    {"permission": perm.value, "unit_codes": [p.strip("/").split("/")[-1] for p in paths]}
                )
        return out


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    user = MeSerializer()


class UserFilterSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=100, required=False, help_text="Part of a username or name.")
    unit = serializers.CharField(
        max_length=20, required=False, help_text="Users with an active role in this unit's subtree."
    )
    role = serializers.ChoiceField(choices=ROLE_CHOICES, required=False)
    # A choice, not a BooleanField: DRF reads an absent boolean query parameter as false.
    is_active = serializers.ChoiceField(choices=[("true", "true"), ("false", "false")], required=False)


class UserCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=128,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        write_only=True,
        help_text="Optional; without it the account cannot log in until a password reset.",
    )
    title_th = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    first_name_th = serializers.CharField(max_length=150)
    last_name_th = serializers.CharField(max_length=150)
    first_name_en = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name_en = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=ROLE_CHOICES, required=False, allow_null=True, default=None)
    unit = serializers.CharField(
        max_length=20,
        required=False,
        allow_null=True,
        default=None,
        help_text="Code of the unit of the first role.",
    )


class UserUpdateSerializer(serializers.Serializer):
    title_th = serializers.CharField(max_length=30, required=False, allow_blank=True)
    first_name_th = serializers.CharField(max_length=150, required=False)
    last_name_th = serializers.CharField(max_length=150, required=False)
    first_name_en = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name_en = serializers.CharField(max_length=150, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    preferred_language = serializers.ChoiceField(choices=[("th", "ไทย"), ("en", "English")], required=False)
    is_active = serializers.BooleanField(required=False)


class RoleGrantSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ROLE_CHOICES)
    unit = serializers.CharField(max_length=20, help_text="Code of the org unit the role covers.")


class PasswordResetRequestSerializer(serializers.Serializer):
    new_password = serializers.CharField(
        max_length=128,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Optional; a temporary password is generated when omitted.",
    )


class PasswordResetResponseSerializer(serializers.Serializer):
    temporary_password = serializers.CharField(
        help_text="Shown once; the person must change it at next login."
    )
    must_change_password = serializers.BooleanField()
