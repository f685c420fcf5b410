"""``suksa demo --scale tiny|province|national [--records …] [--seed 2569] [--replace]``: make the
synthetic nation, with record-level learners for the ``--records`` scope (default: the scale, but
``province`` for ``--scale national``; ``none`` for the org tree alone) and the synthetic
monitoring history (``--no-monitoring`` leaves it out).

Parses the arguments, calls :func:`suksa.demo.generator.generate` and prints a bilingual summary.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suksa.demo.data import SCALES
from suksa.demo.generator import DEFAULT_SEED, DemoAlreadyExists, generate
from suksa.demo.students import RECORD_CHOICES, default_records


class Command(BaseCommand):
    help = "สร้างประเทศตัวอย่างสังเคราะห์ / Generate the synthetic demo nation"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", choices=sorted(SCALES), default="tiny", help="ขนาด / size: tiny, province, national"
        )
        parser.add_argument(
            "--records",
            choices=RECORD_CHOICES,
            default=None,
            help="นักเรียนรายบุคคล / learner records: none, tiny, province, national "
            "(ค่าเริ่มต้น / default: the scale; province for --scale national)",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="ค่าตั้งต้นของการสุ่ม / random seed (2569)"
        )
        parser.add_argument(
            "--monitoring",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="ประวัติการติดตามและประเมินผล / the synthetic monitoring history (default: on)",
        )
        parser.add_argument(
            "--insights",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="คำนวณข้อมูลเชิงลึกของรอบปัจจุบัน / compute the open round's insights (default: on, with --monitoring)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="ลบข้อมูลตัวอย่างเดิมก่อน / remove the previous demo first",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale, seed = options["scale"], options["seed"]
        records = options["records"] or default_records(scale)
        quiet = options["verbosity"] == 0
        self.stdout.write(
            f"สร้างข้อมูลตัวอย่างระดับ {scale} (seed {seed}) / Generating the {scale} demo (seed {seed})"
        )
        started = time.perf_counter()
        try:
            counts = generate(
                scale=scale,
                seed=seed,
                replace=options["replace"],
                records=records,
                progress=None if quiet else self.stdout.write,
                monitoring=options["monitoring"],
                insights=options["insights"],
            )
        except DemoAlreadyExists as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"เสร็จใน {elapsed:.1f} วินาที: {counts['regions']} เขตตรวจราชการ, {counts['esas']} สพท. "
                f"(สพป. {counts['esas_primary']}, สพม. {counts['esas_secondary']}), "
                f"{counts['schools']:,} โรงเรียน, นักเรียน {counts['students']:,} คน, ครู {counts['teachers']:,} คน, "
                f"ผู้ใช้ตัวอย่าง {counts['users']} คน\n"
                f"Done in {elapsed:.1f} s: {counts['regions']} regions, {counts['esas']} ESAs "
                f"({counts['esas_primary']} primary, {counts['esas_secondary']} secondary), "
                f"{counts['schools']:,} schools, {counts['students']:,} students, {counts['teachers']:,} teachers, "
                f"{counts['users']} demo users"
            )
        )
        if "records" in counts:
            r = counts["records"]
            self.stdout.write(
                f"นักเรียนรายบุคคล ({records}): {r['learners']:,} คน, การลงทะเบียน {r['enrolments']:,} รายการ, "
                f"ห้องเรียน {r['classrooms']:,} ห้อง, การย้าย {r['transfers']:,} รายการ\n"
                f"Learner records ({records}): {r['learners']:,} learners, {r['enrolments']:,} enrolments, "
                f"{r['classrooms']:,} classrooms, {r['transfers']:,} transfers"
            )
        if "monitoring" in counts:
            m = counts["monitoring"]
            self.stdout.write(
                f"ประวัติการติดตาม: {m['rounds_reported']} รอบ, รายงาน {m['reports']:,} ฉบับ, ผลงาน {m['works']:,} รายการ, "
                f"ค่าตัวชี้วัดย้อนหลัง {m['platform_values']:,} ค่า; ความจริงที่ฝังไว้: {m['truth_file']}\n"
                f"Monitoring history: {m['rounds_reported']} rounds, {m['reports']:,} reports, {m['works']:,} works, "
                f"{m['platform_values']:,} indicator values; planted truth: {m['truth_file']}"
            )
        for key, info in counts.get("insights", {}).items():
            self.stdout.write(
                f"ข้อมูลเชิงลึกรอบ {key}: การคำนวณ #{info['run']} ({info['status']}) {info['seconds']} วินาที\n"
                f"Insights of {key}: run #{info['run']} ({info['status']}) in {info['seconds']} s"
            )
