"""Deadline reminders: due soon and overdue, each once per report, Thai then English, to the ESA."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from suksa.core.errors import PermissionDenied
from suksa.core.models import AuditEntry
from suksa.core.policy import SYSTEM, Role
from suksa.domains.accounts.actors import actor_for
from suksa.domains.accounts.models import RoleAssignment
from suksa.domains.monitoring.models import Reminder, Report, Round
from suksa.domains.monitoring.models.choices import ReminderKind, ReportStatus
from suksa.domains.monitoring.services.prefill import round_prefill
from suksa.domains.monitoring.services.reminders import reminders_send
from suksa.domains.monitoring.tests.factories import make_framework, on, round_of
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db

DUE = on("2026-11-30")


def setup_round(world: World) -> Round:
    """FY 2569's 12-month round (opens 16 Sep, due 30 Nov, locks 31 Dec 2026), pre-filled; ESA
    staff with e-mail addresses in ESAs A1 and B1, none in A2."""
    rnd = round_of(make_framework(2569), "m12")
    assert (rnd.opens_on, rnd.due_on, rnd.locks_on) == (on("2026-09-16"), DUE, on("2026-12-31"))
    round_prefill(actor=SYSTEM, round=rnd)
    for name, email in (
        ("esa_director_a1", "director.a1@example.go.th"),
        ("esa_officer_a1", "officer.a1@example.go.th"),
        ("esa_officer_b1", "officer.b1@example.go.th"),
    ):
        user = world.user(name)
        user.email = email
        user.save(update_fields=["email"])
    # Not mailed: a deactivated officer, a revoked officer, and a school director of the ESA.
    gone = make_user("gone_a1", Role.ESA_OFFICER, world.esa_a1, email="gone@example.go.th")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    make_user("revoked_a1", Role.ESA_OFFICER, world.esa_a1, email="revoked@example.go.th")
    RoleAssignment.objects.filter(user__username="revoked_a1").update(revoked_at=timezone.now())
    make_user("exec_a1", Role.DPO, world.esa_a1, email="dpo@example.go.th")
    return rnd


def day(days_before_due: int) -> dt.date:
    return DUE - dt.timedelta(days=days_before_due)


def test_due_soon_reminders_go_once_to_the_esa_staff_in_thai_then_english(world: World) -> None:
    setup_round(world)
    assert reminders_send(actor=SYSTEM, today=day(8)).sent == 0
    assert mail.outbox == []

    s = reminders_send(actor=SYSTEM, today=day(7))

    assert (s.reports_checked, s.due_soon, s.overdue, s.no_recipients, s.emails) == (3, 2, 0, 1, 3)
    assert len(mail.outbox) == 2
    by_to = {tuple(m.to): m for m in mail.outbox}
    a1 = by_to[("director.a1@example.go.th", "officer.a1@example.go.th")]
    assert ("officer.b1@example.go.th",) in by_to
    assert "ใกล้ครบกำหนด" in a1.subject
    assert "due soon" in a1.subject
    body = a1.body
    assert body.index("กำหนดส่งอีก 7 วัน (30 พฤศจิกายน 2569)") < body.index("is due in 7 day(s) (30 Nov 2569 BE)")
    assert world.esa_a1.name_th in body
    assert set(Reminder.objects.values_list("report__esa__code", "kind", "recipients")) == {
        ("11201", ReminderKind.DUE_SOON, 2),
        ("15001", ReminderKind.DUE_SOON, 1),
    }

    again = reminders_send(actor=SYSTEM, today=day(3))
    assert (again.sent, again.already_sent, again.no_recipients) == (0, 2, 1)
    assert len(mail.outbox) == 2


def test_overdue_reminders_follow_and_stop_when_submitted_or_locked(world: World) -> None:
    rnd = setup_round(world)
    reminders_send(actor=SYSTEM, today=day(2))
    Report.objects.filter(round=rnd, esa=world.esa_b1).update(status=ReportStatus.SUBMITTED)
    mail.outbox.clear()

    s = reminders_send(actor=SYSTEM, today=day(-3))

    assert (s.reports_checked, s.due_soon, s.overdue) == (2, 0, 1)
    [message] = mail.outbox
    assert "เลยกำหนดส่ง" in message.subject
    assert "เลยกำหนดส่ง (30 พฤศจิกายน 2569) มาแล้ว 3 วัน" in message.body
    assert "was due on 30 Nov 2569 BE, 3 day(s) ago" in message.body
    assert "31 ธันวาคม 2569" in message.body
    assert reminders_send(actor=SYSTEM, today=day(-4)).sent == 0
    assert reminders_send(actor=SYSTEM, today=on("2027-01-01")).reports_checked == 0  # locked
    # A returned report is with its ESA again: it gets the overdue reminder it never had.
    Report.objects.filter(round=rnd, esa=world.esa_b1).update(status=ReportStatus.RETURNED)
    assert reminders_send(actor=SYSTEM, today=day(-5)).overdue == 1


def test_a_reminder_without_recipients_is_not_recorded_and_goes_later(world: World) -> None:
    rnd = setup_round(world)
    reminders_send(actor=SYSTEM, today=day(5))
    report = Report.objects.get(round=rnd, esa=world.esa_a2)
    assert not Reminder.objects.filter(report=report).exists()
    make_user("officer_a2", Role.ESA_OFFICER, world.esa_a2, email="officer.a2@example.go.th")
    mail.outbox.clear()
    s = reminders_send(actor=SYSTEM, today=day(4))
    assert (s.due_soon, s.already_sent) == (1, 2)
    assert [m.to for m in mail.outbox] == [["officer.a2@example.go.th"]]


def test_each_run_is_one_audit_entry_and_only_the_bureau_runs_it(world: World) -> None:
    setup_round(world)
    before = AuditEntry.objects.count()
    reminders_send(actor=actor_for(world.user("me_officer")), today=day(1))
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("pk")
    assert (entry.object_type, entry.changes["due_soon"], entry.changes["no_recipients"]) == (
        "monitoring.reminder", 2, 1,
    )  # fmt: skip
    for name in ("esa_director_a1", "reviewer", "executive"):
        with pytest.raises(PermissionDenied):
            reminders_send(actor=actor_for(world.user(name)), today=day(1))
    assert AuditEntry.objects.count() == before + 1


def test_the_command_sends_and_reports_in_both_languages(world: World) -> None:
    setup_round(world)
    out = StringIO()
    call_command("send_report_reminders", "--today", day(6).isoformat(), stdout=out)
    text = out.getvalue()
    assert "เตือนใกล้ครบกำหนด 2" in text
    assert "due soon 2" in text
    assert len(mail.outbox) == 2
