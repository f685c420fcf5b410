"""``suksa import-indicator-values --dataset niets_onet FILE [--keep-valid] [--report CSV]``.

Loads external indicator values (O-NET, NT, RT, GFMIS, connectivity, DLTV, safety, out-of-school)
of one catalogue dataset into the stored indicator values, where the monitoring pre-fill finds
them. Runs as the system operator (:data:`suksa.core.policy.SYSTEM`). Prints a bilingual summary
and every problem; exits non-zero when problems stopped the import (nothing was written).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suksa.core.errors import SuksaError
from suksa.core.policy import SYSTEM
from suksa.core.tabular import problems_csv
from suksa.domains.monitoring.services.external import datasets, external_values_import


class Command(BaseCommand):
    help = "นำเข้าค่าตัวชี้วัดจากแหล่งภายนอก / Import indicator values from an external source"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV or XLSX file")
        parser.add_argument(
            "--dataset",
            required=True,
            help="ชุดข้อมูลในบัญชีตัวชี้วัด เช่น niets_onet / the catalogue dataset, e.g. niets_onet",
        )
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
        try:
            with path.open("rb") as fh:
                report = external_values_import(
                    actor=SYSTEM,
                    dataset=options["dataset"],
                    file=fh,
                    filename=path.name,
                    keep_valid=options["keep_valid"],
                )
        except SuksaError as error:
            known = ", ".join(d.code for d in datasets())
            raise CommandError(
                f"{error.summary('th')} / {error.summary('en')}\nชุดข้อมูล / datasets: {known}"
            ) from error
        for p in report.problems:
            self.stdout.write(f"{p.message('th')} | {p.message('en')}")
        if options["report"]:
            Path(options["report"]).write_bytes(problems_csv(report.problems))
            self.stdout.write(f"รายงานข้อผิดพลาด / Error report: {options['report']}")
        self.stdout.write(
            f"{report.dataset}: อ่าน {report.rows_read:,} แถว: เพิ่ม {report.created:,} แก้ไข {report.updated:,} "
            f"ไม่เปลี่ยน {report.unchanged:,} ปฏิเสธ {report.rejected_rows:,}\n"
            f"{report.dataset}: read {report.rows_read:,} rows: created {report.created:,}, "
            f"updated {report.updated:,}, unchanged {report.unchanged:,}, rejected {report.rejected_rows:,}"
            + (f" (run {report.run_id})" if report.run_id else "")
        )
        if not report.committed:
            raise CommandError(
                f"ไม่ได้บันทึกข้อมูลใด ๆ เพราะพบปัญหา {len(report.problems):,} รายการ / "
                f"Nothing was written: {len(report.problems):,} problems"
            )
        if report.kept_valid_rows:
            self.stdout.write("บันทึกเฉพาะแถวที่ถูกต้อง / Only the valid rows were written")
