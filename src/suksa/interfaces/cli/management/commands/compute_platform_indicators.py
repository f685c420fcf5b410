"""``suksa compute-platform-indicators [--period 2569/jun10]``: small schools and teacher shortage.

Computes ``small_school_share`` and ``teacher_shortage_rate`` for every ESA, inspection region and
the nation from the school profiles, under the census key of the counts (or ``--period``). Runs as
the system operator (:data:`suksa.core.policy.SYSTEM`); re-running replaces the period's values.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suksa.core.errors import SuksaError
from suksa.core.policy import SYSTEM
from suksa.domains.monitoring.services.platform_indicators import platform_indicators_compute


class Command(BaseCommand):
    help = (
        "คำนวณสัดส่วนโรงเรียนขนาดเล็กและโรงเรียนที่ขาดครู / "
        "Compute the small-school share and the teacher-shortage rate"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--period",
            help="รหัสรอบการนับ เช่น 2569/jun10 (ค่าเริ่มต้น: รอบของข้อมูลล่าสุด) / census key (default: of the counts)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            s = platform_indicators_compute(actor=SYSTEM, period=options.get("period"))
        except SuksaError as error:
            raise CommandError(f"{error.summary('th')} / {error.summary('en')}") from error
        units = ", ".join(f"{kind} {n:,}" for kind, n in sorted(s.units.items())) or "-"
        self.stdout.write(
            f"{s.period}: บันทึก {s.values_written:,} ค่า (แทนที่ {s.values_replaced:,}) จากโรงเรียน {s.schools:,} แห่ง\n"
            f"{s.period}: wrote {s.values_written:,} values (replaced {s.values_replaced:,}) from {s.schools:,} "
            f"schools for {units} (run {s.run_id})"
        )
