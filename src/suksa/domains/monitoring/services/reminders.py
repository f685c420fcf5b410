"""Deadline reminders: e-mail the ESA when its report is due soon or overdue.

For every open round (``opens_on ≤ today ≤ locks_on``), each report still with its ESA (draft or
returned) gets

- a **due soon** reminder in the 7 days before ``due_on`` (today inclusive of the due date), and
- an **overdue** reminder once ``due_on`` has passed (until the round locks),

each at most once per report and kind (the ``Reminder`` row's unique constraint: a second run, or
two runs at once, send nothing more). The e-mail goes, Thai first then English, to the ESA's
active users holding the ESA director or ESA officer role with an e-mail address, through Django's
``send_mail`` (``EMAIL_BACKEND`` from the settings). A reminder that could not be sent (no
recipient, or the mail server refused it) is not recorded, so a later run tries again. One audit
entry per run.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from suksa.core import audit
from suksa.core.dates import format_be
from suksa.core.errors import PermissionDenied
from suksa.core.models import AuditEntry
from suksa.core.policy import Actor, Perm, Role
from suksa.domains.monitoring.models import Reminder, Report
from suksa.domains.monitoring.models.choices import ReminderKind, ReportStatus
from suksa.domains.monitoring.services.locking import today as local_today

log = logging.getLogger(__name__)

DUE_SOON_DAYS = 7
RECIPIENT_ROLES = (Role.ESA_DIRECTOR, Role.ESA_OFFICER)


@dataclass
class ReminderSummary:
    reports_checked: int = 0  # reports still with their ESA in open rounds
    due_soon: int = 0  # reminders sent
    overdue: int = 0
    already_sent: int = 0  # due a reminder of that kind but one was sent before
    no_recipients: int = 0  # nobody at the ESA with an e-mail address: not recorded, retried later
    failed: int = 0  # the mail backend refused: not recorded, retried later
    emails: int = 0  # recipient addresses mailed

    @property
    def sent(self) -> int:
        return self.due_soon + self.overdue


def kind_due(report: Report, day: dt.date) -> str | None:
    """Which reminder a report still with its ESA is due on ``day``, if any."""
    rnd = report.round
    if day < rnd.opens_on or day > rnd.locks_on:
        return None
    if day > rnd.due_on:
        return ReminderKind.OVERDUE
    if (rnd.due_on - day).days <= DUE_SOON_DAYS:
        return ReminderKind.DUE_SOON
    return None


def _recipients(esa_ids: list[int]) -> dict[int, list[str]]:
    from suksa.domains.accounts.models import RoleAssignment

    rows = (
        RoleAssignment.objects.filter(
            unit_id__in=esa_ids,
            role__in=[str(r) for r in RECIPIENT_ROLES],
            revoked_at__isnull=True,
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("unit_id", "user__email")
        .order_by("unit_id", "user__email")
    )
    out: dict[int, list[str]] = {}
    for unit_id, email in rows:
        emails = out.setdefault(unit_id, [])
        if email not in emails:
            emails.append(email)
    return out


def message_for(report: Report, kind: str, day: dt.date) -> tuple[str, str]:
    """(subject, body) of a reminder: Thai first, then English."""
    rnd, esa = report.round, report.esa
    due_th, due_en = format_be(rnd.due_on, "th", "long"), format_be(rnd.due_on, "en")
    lock_th, lock_en = format_be(rnd.locks_on, "th", "long"), format_be(rnd.locks_on, "en")
    days = (rnd.due_on - day).days
    if kind == ReminderKind.OVERDUE:
        late = (day - rnd.due_on).days
        subject = f"[ศึกษา] รายงานติดตามผลเลยกำหนดส่ง · Monitoring report overdue: {rnd.name_th}"
        th = (
            f"เรียน ผู้อำนวยการและเจ้าหน้าที่ {esa.name_th}\n\n"
            f"รายงานการติดตามและประเมินผล {rnd.name_th} ของสำนักงานยังไม่ได้ส่ง "
            f"ซึ่งเลยกำหนดส่ง ({due_th}) มาแล้ว {late} วัน "
            f"ยังส่งได้จนถึงวันปิดรอบ {lock_th} (นับเป็นการส่งล่าช้า) หลังจากนั้นจะส่งไม่ได้"
        )
        en = (
            f"To the director and officers of {esa.name_en or esa.name_th}\n\n"
            f"Your office's monitoring report for the {rnd.name_en} has not been submitted; it was due "
            f"on {due_en}, {late} day(s) ago. It can still be submitted (counted late) until the round "
            f"locks on {lock_en}; after that it cannot."
        )
    else:
        subject = f"[ศึกษา] รายงานติดตามผลใกล้ครบกำหนดส่ง · Monitoring report due soon: {rnd.name_th}"
        when_th = "วันนี้" if days == 0 else f"อีก {days} วัน"
        when_en = "today" if days == 0 else f"in {days} day(s)"
        th = (
            f"เรียน ผู้อำนวยการและเจ้าหน้าที่ {esa.name_th}\n\n"
            f"รายงานการติดตามและประเมินผล {rnd.name_th} ของสำนักงานครบกำหนดส่ง{when_th} ({due_th}) "
            "กรุณาตรวจสอบคุณภาพข้อมูลและให้ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษาส่งรายงานภายในกำหนด"
        )
        en = (
            f"To the director and officers of {esa.name_en or esa.name_th}\n\n"
            f"Your office's monitoring report for the {rnd.name_en} is due {when_en} ({due_en}). "
            "Please check the data-quality panel and have the ESA director submit it on time."
        )
    footer = "\n\n— ระบบศึกษา (e-MES) / Suksa (e-MES). อีเมลนี้ส่งโดยอัตโนมัติ / This message was sent automatically."
    return subject, f"{th}\n\n----\n\n{en}{footer}"


def reminders_send(*, actor: Actor, today: dt.date | None = None) -> ReminderSummary:
    """Send the reminders due ``today`` (default: the local date). The bureau or the operator."""
    if not actor.can_nationally(Perm.MONITORING_MANAGE) and not actor.can_nationally(Perm.ORG_MANAGE):
        raise PermissionDenied.default()
    day = today or local_today()
    summary = ReminderSummary()
    reports = list(
        Report.objects.filter(
            status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED],
            round__opens_on__lte=day,
            round__locks_on__gte=day,
            esa__is_active=True,
        )
        .select_related("round", "esa")
        .order_by("round_id", "esa__code")
    )
    summary.reports_checked = len(reports)
    due = [(r, k) for r in reports if (k := kind_due(r, day)) is not None]
    sent_before = set(
        Reminder.objects.filter(report_id__in=[r.pk for r, _ in due]).values_list("report_id", "kind")
    )
    recipients = _recipients(sorted({r.esa_id for r, _ in due}))
    sent: list[int] = []
    for report, kind in due:
        if (report.pk, kind) in sent_before:
            summary.already_sent += 1
            continue
        to = recipients.get(report.esa_id, [])
        if not to:
            summary.no_recipients += 1
            continue
        subject, body = message_for(report, kind, day)
        try:
            with transaction.atomic():
                Reminder.objects.create(report=report, kind=kind, sent_at=timezone.now(), recipients=len(to))
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)
        except IntegrityError:  # another run recorded it in the meantime
            summary.already_sent += 1
            continue
        except OSError:  # smtplib.SMTPException is an OSError: nothing recorded, retried next run
            log.warning("reminder for report %s could not be sent", report.pk, exc_info=True)
            summary.failed += 1
            continue
        sent.append(report.pk)
        summary.emails += len(to)
        if kind == ReminderKind.OVERDUE:
            summary.overdue += 1
        else:
            summary.due_soon += 1
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="monitoring.reminder",
            object_repr=f"report reminders {day.isoformat()}: {summary.sent} sent",
            changes={
                "day": day,
                "reports_checked": summary.reports_checked,
                "due_soon": summary.due_soon,
                "overdue": summary.overdue,
                "already_sent": summary.already_sent,
                "no_recipients": summary.no_recipients,
                "failed": summary.failed,
                "emails": summary.emails,
                "reports": sent,
            },
        )
    return summary
