"""``suksa worker``: run queued background jobs (production, ``SUKSA_JOBS_MODE = "worker"``).

Claims one queued job at a time (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
workers may run side by side) and runs it; ``--once`` stops when the queue is empty.
"""

from __future__ import annotations

import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from suksa.core import jobs

# Modules that register job kinds: importing them fills the registry.
JOB_MODULES = ("suksa.domains.students.services.imports",)


class Command(BaseCommand):
    help = "ประมวลผลงานเบื้องหลังที่รอคิว / Run queued background jobs"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="หยุดเมื่อไม่มีงานในคิว / stop when the queue is empty"
        )
        parser.add_argument(
            "--poll", type=float, default=2.0, help="วินาทีระหว่างการตรวจคิว / seconds between polls"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import importlib

        for name in JOB_MODULES:
            importlib.import_module(name)
        stopping = [False]

        def stop(*_: Any) -> None:
            stopping[0] = True

        if not options["once"]:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        done = jobs.work_queue(once=options["once"], poll_seconds=options["poll"], stop=lambda: stopping[0])
        self.stdout.write(f"ทำงานเสร็จ {done:,} งาน / Ran {done:,} jobs")
