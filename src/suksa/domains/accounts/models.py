"""Users and their role assignments on org units (UMS core).

See docs/adr/0003-scoped-role-assignments.md for why roles are grants on org units rather than
Django groups.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from suksa.core.i18n import pick
from suksa.core.policy import ROLE_LABELS, Role

ROLE_CHOICES = [(r.value, f"{th} / {en}") for r, (th, en) in ROLE_LABELS.items()]


class User(AbstractUser):
    """A person who logs in.

    Personal data: Thai and English names and title, e-mail, phone, login times, password hash,
    TOTP secret (django-otp), whether a password change is pending. Retention: while the account is active and 2 years after it is
    deactivated (audit needs the name behind old entries), then anonymised.
    """

    title_th = models.CharField("คำนำหน้า", max_length=30, blank=True)
    first_name_th = models.CharField("ชื่อ", max_length=150, blank=True)
    last_name_th = models.CharField("นามสกุล", max_length=150, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    preferred_language = models.CharField(
        max_length=2, default="th", choices=[("th", "ไทย"), ("en", "English")]
    )
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # Set when an administrator chose the password (creation, reset, import): the person must pick
    # their own before doing anything else, so no administrator keeps knowing a working password.
    must_change_password = models.BooleanField(default=False)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name("th")

    def display_name(self, language: str = "th") -> str:
        if language.startswith("en") and (self.first_name or self.last_name):
            return f"{self.first_name} {self.last_name}".strip()
        th = f"{self.title_th}{self.first_name_th} {self.last_name_th}".strip()
        return th or self.username


class RoleAssignment(models.Model):
    """A role granted to a user on an org unit; it covers the unit's subtree.

    Personal data: links a person to a role and an office. Retention: kept with the audit log
    (10 years) after revocation, since it explains who could see what and when.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=30, choices=ROLE_CHOICES)
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="role_assignments")
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_assignment",
            )
        ]
        indexes = [models.Index(fields=["unit", "role"])]

    def __str__(self) -> str:
        return f"{self.user.username}: {self.role} @ {self.unit.code}"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def role_label(self) -> str:
        """The role's name in the active language."""
        return pick(*ROLE_LABELS[Role(self.role)])
