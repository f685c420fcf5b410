"""``suksa send-report-reminders [--today YYYY-MM-DD]``: e-mail the ESAs whose reports are due soon
or overdue.

Runs as the system operator (:data:`suksa.core.policy.SYSTEM`); meant for a daily timer. Each
report gets each kind of reminder at most once, so running it twice in a day sends nothing more.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suksa.core.errors import SuksaError
from suksa.core.policy import SYSTEM
from suksa.domains.monitoring.services.reminders import reminders_send


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"วันที่ไม่ถูกต้อง (ใช้ ค.ศ. YYYY-MM-DD): {text} / Invalid date (use CE YYYY-MM-DD): {text}"
        ) from None


class Command(BaseCommand):
    help = (
        "ส่งอีเมลเตือนกำหนดส่งรายงานติดตามผลถึง สพท. / E-mail ESAs whose monitoring reports are due soon or overdue"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="ถือว่าวันนี้เป็นวันที่ (ค.ศ. YYYY-MM-DD) / act as if today were this CE date",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            s = reminders_send(actor=SYSTEM, today=options["today"])
        except SuksaError as error:
            raise CommandError(f"{error.summary('th')} / {error.summary('en')}") from error
        self.stdout.write(
            f"ตรวจรายงานที่ยังไม่ส่ง {s.reports_checked:,} ฉบับ: เตือนใกล้ครบกำหนด {s.due_soon:,} "
            f"เลยกำหนด {s.overdue:,} (ส่งถึง {s.emails:,} อีเมล) เคยเตือนแล้ว {s.already_sent:,} "
            f"ไม่มีผู้รับ {s.no_recipients:,} ส่งไม่สำเร็จ {s.failed:,}\n"
            f"Checked {s.reports_checked:,} report(s) not yet submitted: due soon {s.due_soon:,}, "
            f"overdue {s.overdue:,} ({s.emails:,} address(es) mailed); already reminded {s.already_sent:,}, "
            f"no recipient {s.no_recipients:,}, failed {s.failed:,}"
        )
