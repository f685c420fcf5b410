"""The audit log: every write and every read of sensitive personal data. Append-only.

Rows cannot be updated or deleted: the model refuses, and a database trigger (SQLite and
PostgreSQL) refuses too, so not even raw SQL from the application can rewrite history.
Personal data: the acting user's id and username, their IP address and user agent, and the
changed values (which may include personal data of the object's subject). Retention: 10 years
(PDPA accountability; OBEC records practice), then archived offline by the DPO.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class AuditEntry(models.Model):
    """One audited event. Personal data: actor id/username, IP, user agent, changed values.

    Retention: 10 years, append-only (see the module docstring).
    """

    class Action(models.TextChoices):
        CREATE = "create", "สร้าง / Create"
        UPDATE = "update", "แก้ไข / Update"
        DELETE = "delete", "ลบ / Delete"
        READ_SENSITIVE = "read_sensitive", "อ่านข้อมูลอ่อนไหว / Read sensitive data"
        LOGIN = "login", "เข้าสู่ระบบ / Log in"
        LOGIN_FAILED = "login_failed", "เข้าสู่ระบบไม่สำเร็จ / Failed login"
        LOGOUT = "logout", "ออกจากระบบ / Log out"
        EXPORT = "export", "ส่งออก / Export"
        IMPORT = "import", "นำเข้า / Import"
        GRANT = "grant", "มอบสิทธิ์ / Grant role"
        REVOKE = "revoke", "ถอนสิทธิ์ / Revoke role"
        PASSWORD_RESET = "password_reset", "ตั้งรหัสผ่านใหม่ / Password reset"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150)
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=100, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    # The org unit the object belongs to, so that a DPO sees the entries of their own scope.
    unit_path = models.CharField(max_length=255, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=10, default="web")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    request_id = models.CharField(max_length=36, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit entries are append-only")
