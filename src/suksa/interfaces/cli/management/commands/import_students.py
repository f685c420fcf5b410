"""``suksa import-students FILE``: load learners and enrolments from a DMC-style CSV or XLSX file.

Runs as the system operator (:data:`suksa.core.policy.SYSTEM`) with a progress bar (bytes of a
CSV, rows of an XLSX). Prints a bilingual summary and the first problems; ``--report`` writes
every problem as a CSV that Excel opens with Thai intact. Exits non-zero when nothing was written.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from suksa.core.policy import SYSTEM
from suksa.core.tabular import problems_csv
from suksa.domains.students.services.imports import students_import

SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = "นำเข้านักเรียนจากไฟล์ DMC (CSV/XLSX) / Import learners from a DMC-style CSV or XLSX file"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV or XLSX file")
        parser.add_argument(
            "--keep-valid",
            action="store_true",
            help="บันทึกแถวที่ถูกต้อง แม้มีแถวผิดพลาด / write the valid rows even if some rows have problems",
        )
        parser.add_argument("--report", metavar="CSV", help="เขียนรายงานข้อผิดพลาด / write the problems as CSV")
        parser.add_argument("--no-progress", action="store_true", help="ไม่แสดงแถบความคืบหน้า / no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"ไม่พบไฟล์ {path} / File not found: {path}")
        is_csv = path.suffix.lower() not in (".xlsx", ".xlsm")
        bar = tqdm(
            total=path.stat().st_size if is_csv else None,
            unit="B" if is_csv else " rows",
            unit_scale=True,
            disable=options["no_progress"],
            file=self.stderr._out,
            desc="นำเข้า / import",
        )
        last = [0]

        def progress(rows: int, read: int | None, total: int | None) -> None:
            if read is not None:
                bar.update(read - last[0])
                last[0] = read
                bar.set_postfix(rows=f"{rows:,}", refresh=False)
            else:
                bar.update(rows - last[0])
                last[0] = rows

        started = time.monotonic()
        report = students_import(
            actor=SYSTEM, source=path, filename=path.name, keep_valid=options["keep_valid"], progress=progress
        )
        bar.close()
        elapsed = time.monotonic() - started
        for p in report.problems[:SHOWN_PROBLEMS]:
            self.stdout.write(f"{p.message('th')} | {p.message('en')}")
        hidden = len(report.problems) - SHOWN_PROBLEMS
        if hidden > 0:
            self.stdout.write(f"… และอีก {hidden:,} รายการ / … and {hidden:,} more")
        if options["report"]:
            Path(options["report"]).write_bytes(problems_csv(report.problems))
            self.stdout.write(f"รายงานข้อผิดพลาด / Problem report: {options['report']}")
        rate = report.rows_read / elapsed if elapsed else 0
        self.stdout.write(
            f"อ่าน {report.rows_read:,} แถว: สร้าง {report.created:,} แก้ไข {report.updated:,} "
            f"ไม่เปลี่ยน {report.unchanged:,} มีปัญหา {report.rejected_rows:,} ({elapsed:.1f} วินาที, {rate:,.0f} แถว/วินาที)\n"
            f"Read {report.rows_read:,} rows: created {report.created:,}, updated {report.updated:,}, "
            f"unchanged {report.unchanged:,}, rejected {report.rejected_rows:,} ({elapsed:.1f} s, {rate:,.0f} rows/s)"
        )
        if not report.committed:
            raise CommandError(
                f"ไม่ได้บันทึกข้อมูลใด ๆ เพราะพบปัญหา {len(report.problems):,} รายการ / "
                f"Nothing was written: {len(report.problems):,} problems"
            )
        if report.kept_valid_rows:
            self.stdout.write("บันทึกเฉพาะแถวที่ถูกต้อง / Only the valid rows were written")
