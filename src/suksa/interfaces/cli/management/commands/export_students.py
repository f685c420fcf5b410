"""``suksa export-students --school CODE --year BE OUT``: a school's register as a DMC file.

Writes the learners enrolled at the school in that academic year (CSV in UTF-8 with a BOM, or
XLSX), in the format ``suksa import-students`` reads back unchanged. Runs as the system operator.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suksa.core.models import AcademicYear, OrgUnit
from suksa.core.policy import SYSTEM
from suksa.domains.students.services.imports import register_csv_chunks, register_rows, register_xlsx


class Command(BaseCommand):
    help = "ส่งออกทะเบียนนักเรียนของโรงเรียน (รูปแบบ DMC) / Export a school's register (DMC format)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="ไฟล์ผลลัพธ์ / output file")
        parser.add_argument("--school", required=True, help="รหัสโรงเรียน 10 หลัก / 10-digit school code")
        parser.add_argument("--year", required=True, type=int, help="ปีการศึกษา (พ.ศ.) / academic year (BE)")
        parser.add_argument("--format", choices=["csv", "xlsx"], default=None, help="csv (default) or xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        school = OrgUnit.objects.filter(kind=OrgUnit.Kind.SCHOOL, code=options["school"]).first()
        if school is None:
            raise CommandError(f"ไม่พบโรงเรียนรหัส {options['school']} / Unknown school {options['school']}")
        year = AcademicYear.objects.filter(year_be=options["year"]).first()
        if year is None:
            raise CommandError(f"ไม่พบปีการศึกษา {options['year']} / Unknown academic year {options['year']}")
        out = Path(options["out"])
        fmt = options["format"] or ("xlsx" if out.suffix.lower() == ".xlsx" else "csv")
        rows = register_rows(actor=SYSTEM, school=school, academic_year=year)
        count = [0]

        def counted() -> Any:
            for r in rows:
                count[0] += 1
                yield r

        if fmt == "xlsx":
            with register_xlsx(counted()) as src, out.open("wb") as dst:
                shutil.copyfileobj(src, dst)
        else:
            with out.open("wb") as dst:
                for chunk in register_csv_chunks(counted()):
                    dst.write(chunk)
        self.stdout.write(f"ส่งออก {count[0]:,} คน ไปที่ {out} / Exported {count[0]:,} learners to {out}")
