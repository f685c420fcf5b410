"""``suksa cockpit refresh [--round 2569/m12]``: recompute the dashboards' figures of a round.

The figures are the ``cockpit`` stage of the round's current insights run; an insights run computes
them anyway. This command recomputes only that stage on the current run (after a change of the
stage's method, or for a run made before the stage existed), and prints the counts per level.
Without ``--round`` it takes the latest round with a completed run.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suksa.core.errors import SuksaError
from suksa.domains.cockpit.services.aggregate import refresh
from suksa.domains.insights.selectors import default_round
from suksa.interfaces.cli.management.commands.insights import round_by_key


class Command(BaseCommand):
    help = "คำนวณตัวเลขแดชบอร์ดผู้บริหารใหม่ / Recompute the executive cockpit's figures of a round"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ref = sub.add_parser("refresh", help="recompute the cockpit stage of the round's current run")
        ref.add_argument("--round", default="", help="fiscal-year/round, e.g. 2569/m12 (default: latest)")

    def handle(self, *args: Any, **options: Any) -> None:
        rnd = round_by_key(options["round"]) if options["round"] else default_round()
        if rnd is None:
            raise CommandError("ยังไม่มีรอบการรายงาน / There is no reporting round yet")
        try:
            run = refresh(rnd)
        except SuksaError as exc:
            raise CommandError(str(exc)) from exc
        stage = run.stages.get("cockpit", {})
        if stage.get("status") != "done":
            raise CommandError(f"คำนวณไม่สำเร็จ / Failed: {run.error}")
        counts = stage.get("counts", {})
        self.stdout.write(
            f"แดชบอร์ดรอบ {rnd.key}: การคำนวณ #{run.pk}, {counts.get('figures', 0):,} ค่า ใน {stage['seconds']} วินาที\n"
            f"Cockpit of {rnd.key}: run #{run.pk}, {counts.get('figures', 0):,} figures in {stage['seconds']} s "
            f"({', '.join(f'{k} {v:,}' for k, v in counts.items() if k not in ('figures', 'seconds'))})"
        )
