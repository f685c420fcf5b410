"""``suksa compute-indicators --year 2568 [--year 2569 …]``: (re)compute the standard indicators.

Runs as the system operator (:data:`suksa.core.policy.SYSTEM`). Each year is one idempotent run:
re-running replaces that year's values of the current formula version with identical ones.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suksa.core.errors import SuksaError
from suksa.core.policy import SYSTEM
from suksa.domains.students.services.indicators import indicators_compute


class Command(BaseCommand):
    help = "คำนวณตัวชี้วัดมาตรฐานจากข้อมูลนักเรียน / Compute the standard indicators from student records"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            required=True,
            help="ปีการศึกษา (พ.ศ.) เช่น 2568; ใส่ได้หลายครั้ง / academic year (BE), repeatable",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for year_be in options["year"]:
            try:
                s = indicators_compute(actor=SYSTEM, year_be=year_be)
            except SuksaError as error:
                raise CommandError(f"{error.summary('th')} / {error.summary('en')}") from error
            units = ", ".join(f"{kind} {n:,}" for kind, n in sorted(s.units.items())) or "-"
            secs = s.seconds
            self.stdout.write(
                f"ปีการศึกษา {year_be} ({s.formula_version}): บันทึก {s.values_written:,} ค่า "
                f"(แทนที่ {s.values_replaced:,}, ปกปิด {s.suppressed:,}) จากแบบรายงานที่รับรองแล้ว "
                f"{s.returns_t:,} / {s.returns_t1:,} ฉบับ ใน {secs.get('total', 0):.1f} วินาที\n"
                f"Year {year_be} ({s.formula_version}): wrote {s.values_written:,} values "
                f"(replaced {s.values_replaced:,}, suppressed {s.suppressed:,}) from {s.returns_t:,} / "
                f"{s.returns_t1:,} certified returns (t / t+1) for {units} in {secs.get('total', 0):.1f} s "
                f"(aggregate {secs.get('aggregate', 0):.1f} s, compute {secs.get('compute', 0):.1f} s, "
                f"store {secs.get('store', 0):.1f} s)"
            )
            for note in s.notes:
                self.stdout.write(f"  หมายเหตุ / note: {note}")
