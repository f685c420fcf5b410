"""What people do with an alert (new → acknowledged → action recorded → resolved, and reopen),
and marking an in-app notification read.

:func:`alert_act` is the one write on an alert's lifecycle: whoever holds ``alert.act`` on the
alert's unit (national executives and M&E officers, the ESA's director) may act; an alert they
cannot see is "not found" (404), a held alert is seen and acted on only by M&E officers. Every
step is an :class:`AlertEvent` (who, when, note) and an audit entry. Illegal transitions are
refused with a bilingual :class:`Conflict`; a missing note or an unknown action with
:class:`InvalidInput`. Nothing changes on refusal.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from suksa.core import audit
from suksa.core.errors import Conflict, InvalidInput, PermissionDenied, Problem
from suksa.core.models import AuditEntry, Notification
from suksa.core.policy import Actor, Perm
from suksa.domains.insights.models import Alert, AlertEvent
from suksa.domains.insights.models.choices import AlertStatus
from suksa.domains.insights.selectors_alerts import alert_get, notification_get

NOTE_MAX = 4000

# action → (statuses it may start from, status it leads to, note required)
TRANSITIONS: dict[str, tuple[frozenset[str], str, bool]] = {
    "acknowledge": (frozenset({AlertStatus.NEW}), AlertStatus.ACKNOWLEDGED, False),
    "action": (
        frozenset({AlertStatus.NEW, AlertStatus.ACKNOWLEDGED, AlertStatus.ACTION}),
        AlertStatus.ACTION,
        True,
    ),
    "resolve": (
        frozenset({AlertStatus.NEW, AlertStatus.ACKNOWLEDGED, AlertStatus.ACTION}),
        AlertStatus.RESOLVED,
        True,
    ),
    "reopen": (frozenset({AlertStatus.RESOLVED}), AlertStatus.ACKNOWLEDGED, False),
}
ACTION_LABELS: dict[str, tuple[str, str]] = {
    "acknowledge": ("รับทราบ", "Acknowledge"),
    "action": ("บันทึกการดำเนินการ", "Record an action"),
    "resolve": ("ปิดการแจ้งเตือน", "Resolve"),
    "reopen": ("เปิดใหม่", "Reopen"),
}
EVENT_LABELS: dict[str, tuple[str, str]] = {
    "raised": ("ระบบแจ้งเตือน", "Raised"),
    "refreshed": ("ปรับปรุงจากการคำนวณใหม่", "Refreshed by a new run"),
    "notified": ("ส่งการแจ้งเตือนแล้ว", "Notified"),
    "acknowledge": ("รับทราบ", "Acknowledged"),
    "action": ("บันทึกการดำเนินการ", "Action recorded"),
    "resolve": ("ปิดการแจ้งเตือน", "Resolved"),
    "reopen": ("เปิดใหม่", "Reopened"),
}


def allowed_actions(status: str) -> list[str]:
    return [a for a, (sources, _, _) in TRANSITIONS.items() if status in sources]


def alert_act(*, actor: Actor, alert_id: int, action: str, note: str = "") -> Alert:
    """Move an alert along its lifecycle (see the module docstring)."""
    alert = alert_get(actor, alert_id)  # 404 before anything else
    if not actor.can(Perm.ALERT_ACT, alert.unit.path):
        raise PermissionDenied.single(
            "alert_act_forbidden",
            "คุณดูการแจ้งเตือนนี้ได้ แต่ไม่มีสิทธิ์ดำเนินการ",
            "You may see this alert but not act on it",
        )
    if action not in TRANSITIONS:
        raise InvalidInput(
            [
                Problem(
                    code="alert_action_unknown",
                    th=f"การดำเนินการไม่ถูกต้อง ใช้ได้: {', '.join(TRANSITIONS)}",
                    en=f"Unknown action; use one of: {', '.join(TRANSITIONS)}",
                    field="action",
                )
            ]
        )
    sources, target, needs_note = TRANSITIONS[action]
    note = (note or "").strip()
    if needs_note and not note:
        raise InvalidInput(
            [
                Problem(
                    code="alert_note_required",
                    th="กรุณาบันทึกว่าได้ดำเนินการอะไร",
                    en="Say what was done: a note is required",
                    field="note",
                )
            ]
        )
    if len(note) > NOTE_MAX:
        raise InvalidInput(
            [
                Problem(
                    code="alert_note_too_long",
                    th=f"บันทึกยาวเกิน {NOTE_MAX} ตัวอักษร",
                    en=f"The note is longer than {NOTE_MAX} characters",
                    field="note",
                )
            ]
        )
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status not in sources:
            th_now = AlertStatus(locked.status).label.split(" / ")[0]
            en_now = AlertStatus(locked.status).label.split(" / ")[-1]
            raise Conflict(
                [
                    Problem(
                        code="alert_transition",
                        th=f"ทำรายการ '{ACTION_LABELS[action][0]}' ไม่ได้ขณะการแจ้งเตือนมีสถานะ '{th_now}'",
                        en=f"Cannot {ACTION_LABELS[action][1].lower()} an alert that is {en_now.lower()}",
                        field="action",
                    )
                ]
            )
        before = locked.status
        locked.status = target
        locked.save(update_fields=["status", "updated_at"])
        AlertEvent.objects.create(
            alert=locked, action=action, note=note, actor_id=actor.user_id, at=timezone.now()
        )
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="insights.Alert",
            object_id=locked.pk,
            object_repr=f"{locked.kind} {locked.indicator} @{alert.unit.code}",
            unit_path=alert.unit.path,
            changes={"step": action, "status": [before, target], "note": note},
        )
    locked.unit = alert.unit
    return locked


def mark_read(actor: Actor, notification_id: int) -> Notification:
    """Mark one of the actor's own notifications read (someone else's is not found)."""
    n = notification_get(actor, notification_id)
    if n.read_at is None:
        n.read_at = timezone.now()
        n.save(update_fields=["read_at"])
    return n
