"""``suksa import-orgunits FILE``: load inspection regions, ESAs and schools from CSV or XLSX.

Runs as the system operator (:data:`suksa.core.policy.SYSTEM`). Prints a bilingual summary and
every problem; ``--report`` writes the problems as a CSV that Excel opens with Thai intact.
Exits non-zero when problems stopped the import (nothing was written).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suksa.core.orgimport import error_report_csv, orgunits_import
from suksa.core.policy import SYSTEM


class Command(BaseCommand):
    help = "นำเข้าเขตตรวจราชการ สพท. และโรงเรียนจากไฟล์ CSV/XLSX / Import regions, ESAs and schools"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV or XLSX file")
        parser.add_argument(
            "--keep-valid",
            action="store_true",
            help="บันทึกแถวที่ถูกต้อง แม้มีแถวผิดพลาด / write the valid rows even if some rows have problems",
        )
        parser.add_argument("--report", metavar="CSV", help="เขียนรายงานข้อผิดพลาด / write an error report CSV")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"ไม่พบไฟล์ {path} / File not found: {path}")
        started = time.monotonic()
        last = [0.0]

        def progress(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            if (total and total < 5000) or (now - last[0] < 1 and done != total):
                return  # small files need no progress; big ones report about once a second
            last[0] = now
            label = {"read": "อ่าน / read", "write": "บันทึก / write"}.get(stage, stage)
            self.stderr.write(f"  {label}: {done:,}" + (f" / {total:,}" if total else ""))

        with path.open("rb") as fh:
            report = orgunits_import(
                actor=SYSTEM, file=fh, filename=path.name, keep_valid=options["keep_valid"], progress=progress
            )
        elapsed = time.monotonic() - started
        for p in report.problems:
            self.stdout.write(f"{p.message('th')} | {p.message('en')}")
        if options["report"]:
            Path(options["report"]).write_bytes(error_report_csv(report))
            self.stdout.write(f"รายงานข้อผิดพลาด / Error report: {options['report']}")
        self.stdout.write(
            f"อ่าน {report.rows_read:,} แถว: สร้าง {report.created:,} แก้ไข {report.updated:,} "
            f"ไม่เปลี่ยน {report.unchanged:,} ปฏิเสธ {report.rejected_rows:,} ({elapsed:.1f} วินาที)\n"
            f"Read {report.rows_read:,} rows: created {report.created:,}, updated {report.updated:,}, "
            f"unchanged {report.unchanged:,}, rejected {report.rejected_rows:,} ({elapsed:.1f} s)"
        )
        if not report.committed:
            raise CommandError(
                f"ไม่ได้บันทึกข้อมูลใด ๆ เพราะพบปัญหา {len(report.problems):,} รายการ / "
                f"Nothing was written: {len(report.problems):,} problems"
            )
        if report.kept_valid_rows:
            self.stdout.write("บันทึกเฉพาะแถวที่ถูกต้อง / Only the valid rows were written")
