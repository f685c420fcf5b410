"""``suksa run [--scale S] [--host H] [--port P]``: the newcomer's one command.

Migrates quietly, generates the demo nation when the database has no org units (and reuses it
otherwise, so a second start is quick), prints a bilingual banner with the URL and the demo
logins, then serves the site with gunicorn.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
import unicodedata
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from suksa.core.models import EsaProfile, OrgUnit, School
from suksa.demo.data import DEMO_PASSWORD, SCALES
from suksa.demo.generator import DEFAULT_SEED, generate, persona_rows
from suksa.demo.students import RECORD_CHOICES, default_records

WORKERS = 3


def display_width(text: str) -> int:
    """Terminal columns: Thai vowels above/below and tone marks take no column of their own."""
    return sum(0 if unicodedata.category(c) in {"Mn", "Me"} else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def login_table(rows: list[dict[str, str]]) -> list[str]:
    """Two lines per persona: Thai role and unit, then English role and unit."""
    headers = [
        ("ชื่อผู้ใช้", "Username"),
        ("รหัสผ่าน", "Password"),
        ("บทบาท", "Role"),
        ("หน่วยงาน", "Unit"),
    ]
    cells = [
        [(r["username"], ""), (r["password"], ""), (r["role_th"], r["role_en"]), (r["unit_th"], r["unit_en"])]
        for r in rows
    ]
    widths = [
        max(display_width(t) for pair in [headers[i], *(c[i] for c in cells)] for t in pair)
        for i in range(len(headers))
    ]

    def line(pairs: list[tuple[str, str]], which: int) -> str:
        return "  " + " │ ".join(pad(p[which], w) for p, w in zip(pairs, widths, strict=True)).rstrip()

    out = [line(headers, 0), line(headers, 1), "  " + "─┼─".join("─" * w for w in widths)]
    for pairs in cells:
        out += [line(pairs, 0), line(pairs, 1)]
    return out


class Command(BaseCommand):
    help = "เปิดระบบพร้อมข้อมูลตัวอย่าง / Serve Suksa with the demo nation"

    def add_arguments(self, parser: CommandParser) -> None:
        # National takes about 6 s on a 2-core machine (bench/RESULTS.md): a newcomer sees the real shape.
        parser.add_argument(
            "--scale", choices=sorted(SCALES), default="national", help="tiny | province | national (default)"
        )
        parser.add_argument(
            "--records",
            choices=RECORD_CHOICES,
            default=None,
            help="นักเรียนรายบุคคล / learner records (default: the scale; province for national)",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="ค่าตั้งต้นของการสุ่ม / random seed (2569)"
        )
        parser.add_argument("--host", default="127.0.0.1", help="ที่อยู่ / address (127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="พอร์ต / port (8000)")
        parser.add_argument(
            "--enforce-2fa",
            action="store_true",
            help="บังคับยืนยันตัวตนสองขั้นตอน / keep two-factor login enforced (the personas have no TOTP device)",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="เตรียมข้อมูลและแสดงบัญชีแล้วจบ / prepare and print the logins, then exit",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        self.stdout.write("เตรียมฐานข้อมูล… / Preparing the database…")
        call_command("migrate", verbosity=0, interactive=False)
        if OrgUnit.objects.exists():
            self.stdout.write("ใช้ข้อมูลตัวอย่างที่มีอยู่ / Reusing the existing demo data")
        else:
            started = time.perf_counter()
            self.stdout.write(
                f"สร้างข้อมูลตัวอย่างระดับ {options['scale']} (ครั้งแรกเท่านั้น) / "
                f"Generating the {options['scale']} demo (first start only)"
            )
            generate(
                scale=options["scale"],
                seed=options["seed"],
                records=options["records"] or default_records(options["scale"]),
                progress=self.stdout.write,
                monitoring=True,
                insights=True,
            )
            self.stdout.write(f"  {time.perf_counter() - started:.1f} s")
        self.print_banner(host, port, options["enforce_2fa"])
        if not options["no_serve"]:
            self.serve(host, port, options["enforce_2fa"])

    def print_banner(self, host: str, port: int, enforce_2fa: bool) -> None:
        url = f"http://{host}:{port}"
        schools = School.objects.count()
        esas = EsaProfile.objects.count()
        rule = "═" * 78
        lines = [
            rule,
            "  ศึกษา (Suksa) — แพลตฟอร์มการศึกษาขั้นพื้นฐาน / the basic-education platform",
            rule,
            f"  เปิดเบราว์เซอร์ที่ / Open in your browser:   {url}",
            f"  แดชบอร์ดผู้บริหาร / Executive cockpit:      {url}/cockpit/  (executive, esa_director …)",
            f"  ข้อมูลตัวอย่าง / Demo data: {esas} สพท. / ESAs, {schools:,} โรงเรียน / schools (สังเคราะห์ / synthetic)",
            f"  รหัสผ่านของทุกบัญชี / Password of every account: {DEMO_PASSWORD}",
        ]
        if enforce_2fa:
            lines.append(
                "  บังคับยืนยันตัวตนสองขั้นตอน (TOTP) สำหรับบทบาทระดับชาติ เขตตรวจราชการ และเขตพื้นที่ / "
                "Two-factor login (TOTP) is enforced for national, inspection-region and ESA roles"
            )
        else:
            lines += [
                "  ปิดการบังคับยืนยันตัวตนสองขั้นตอน (TOTP) สำหรับการสาธิต (SUKSA_ENFORCE_2FA=0)",
                "  Two-factor login (TOTP) is NOT enforced in this demo (SUKSA_ENFORCE_2FA=0);",
                "  ใช้ --enforce-2fa เพื่อเปิด / pass --enforce-2fa to keep it on",
            ]
        rows = persona_rows()
        if rows:
            lines += ["", "  บัญชีตัวอย่าง / Demo logins:", *login_table(rows), ""]
        else:
            lines += [
                "",
                "  ไม่มีบัญชีตัวอย่างในฐานข้อมูลนี้ (ใช้ suksa demo --replace เพื่อสร้าง)",
                "  This database has no demo accounts (suksa demo --replace makes them)",
                "",
            ]
        lines += ["  กด Ctrl+C เพื่อหยุด / Press Ctrl+C to stop", rule]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    def serve(self, host: str, port: int, enforce_2fa: bool) -> None:
        # The served process reads its settings from the environment (config/env.py), so the demo
        # switches are handed over there rather than by patching settings.
        env = dict(os.environ)
        env["SUKSA_ENFORCE_2FA"] = "1" if enforce_2fa else "0"
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
        if host not in settings.ALLOWED_HOSTS and "SUKSA_ALLOWED_HOSTS" not in env:
            env["SUKSA_ALLOWED_HOSTS"] = ",".join([*settings.ALLOWED_HOSTS, host])
        sys.stdout.flush()
        if importlib.util.find_spec("gunicorn") is not None and os.name == "posix":
            argv = [
                sys.executable, "-m", "gunicorn", "config.wsgi:application",
                "--bind", f"{host}:{port}", "--workers", str(WORKERS),
                "--chdir", str(settings.BASE_DIR), "--timeout", "120", "--log-level", "warning",
            ]  # fmt: skip
            os.execve(sys.executable, argv, env)  # noqa: S606 - our own interpreter, fixed arguments
        # gunicorn does not run on Windows: Django's development server is the fallback.
        settings.SUKSA_ENFORCE_2FA = enforce_2fa
        call_command("runserver", f"{host}:{port}", use_reloader=False)
