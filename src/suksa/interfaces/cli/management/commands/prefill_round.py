"""``suksa prefill-round 2569/m12``: create a round's missing ESA reports and (re)fill them.

Runs :func:`suksa.domains.monitoring.services.prefill.round_prefill` as the system operator: every
value the platform holds is copied into each ESA's report with its provenance; reports already with
the bureau (submitted or later) and whatever the ESAs wrote are left alone. Safe to re-run.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suksa.core.policy import SYSTEM
from suksa.domains.monitoring.models import Round
from suksa.domains.monitoring.services.prefill import round_prefill


class Command(BaseCommand):
    help = "เติมข้อมูลจากระบบลงในรายงานของรอบ / Pre-fill the ESA reports of a round from the platform"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round", help="ปีงบประมาณ/รอบ เช่น 2569/m12 / fiscal year/round, e.g. 2569/m12")

    def handle(self, *args: Any, **options: Any) -> None:
        year, _, code = str(options["round"]).partition("/")
        rnd = (
            Round.objects.select_related("framework")
            .filter(framework__fiscal_year=year or 0, code=code)
            .first()
            if year.isdigit()
            else None
        )
        if rnd is None:
            known = ", ".join(
                r.key for r in Round.objects.select_related("framework").order_by("-period_end")[:8]
            )
            raise CommandError(
                f"ไม่พบรอบ “{options['round']}” (รูปแบบ ปีงบประมาณ/รอบ เช่น 2569/m12; มีอยู่: {known or '-'}) / "
                f"No round “{options['round']}” (form fiscal-year/round, e.g. 2569/m12; known: {known or '-'})"
            )
        s = round_prefill(actor=SYSTEM, round=rnd)
        self.stdout.write(
            f"{rnd.key}: สร้างรายงาน {s.reports_created} ปรับปรุง {s.reports_filled} ข้าม (ส่งแล้ว) {s.reports_skipped}; "
            f"ค่าที่เติม {s.values_prefilled:,} ไม่มีข้อมูล {s.values_missing:,}\n"
            f"{rnd.key}: reports created {s.reports_created}, refreshed {s.reports_filled}, skipped (submitted) "
            f"{s.reports_skipped}; values filled {s.values_prefilled:,}, no data {s.values_missing:,}"
        )
