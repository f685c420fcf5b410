"""Benchmark: pre-fill all 245 ESA reports of a round from national data, against a floor.

Builds (or reuses, ``--data-dir``) a national demo with its monitoring history in a temporary
SUKSA_DATA_DIR (SQLite), then, in a child process on that database, for the open round (FY 2569,
12 months):

- **prefill, new reports**: the round's reports are removed (inside a transaction that is rolled
  back) and ``round_prefill(actor=SYSTEM, round=…)`` creates all 245 reports and fills them — the
  real service, as the bureau's button runs it;
- **prefill, refresh**: the same call again on a round whose reports all exist (drafts are refilled,
  reports with the bureau skipped — the idempotent path the bureau uses after new data arrive);
- **floor**: a raw ``SELECT`` of the same ``core.IndicatorValue`` rows (the ESAs' values of the
  catalogue's codes, every period) plus a raw multi-row ``INSERT`` of as many ``ReportValue`` rows
  as the pre-fill wrote (``executemany``, rolled back).

Each figure is the median of ``--repeat`` runs (default 3). Usage:

    uv run python bench/monitoring_prefill.py [--data-dir DIR] [--keep DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ROUND = (2569, 12)


def suksa_command() -> str:
    script = Path(sys.executable).with_name("suksa")
    return str(script) if script.exists() else shutil.which("suksa") or "suksa"


def build(data_dir: Path) -> float:
    """A national demo (org tree and monitoring history, no learner records) in ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"SUKSA_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    suksa = suksa_command()
    subprocess.run([suksa, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    started = time.perf_counter()
    subprocess.run(
        [suksa, "demo", "--scale", "national", "--records", "none", "--replace", "-v0"],
        env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started


class Rollback(Exception):
    pass


def child(repeat: int) -> dict[str, Any]:
    """Runs inside Django on the benchmark database; returns the figures."""
    import django

    django.setup()
    from django.db import connection, transaction

    from suksa.core.models import IndicatorValue, OrgUnit
    from suksa.core.policy import SYSTEM
    from suksa.domains.monitoring.models import (
        Amendment,
        DataProblem,
        EvidenceFile,
        ItemComment,
        NarrativeEntry,
        OutstandingWork,
        Reminder,
        Report,
        ReportEditTime,
        ReportValue,
        Review,
        Round,
        StandardScore,
    )
    from suksa.domains.monitoring.models.choices import SourceKind
    from suksa.domains.monitoring.services.prefill import round_prefill

    rnd = Round.objects.select_related("framework").get(framework__fiscal_year=ROUND[0], months=ROUND[1])
    esas = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.ESA, is_active=True).values_list("pk", flat=True))
    items = list(rnd.framework.items.select_related("indicator"))
    codes = sorted(
        {i.indicator.source["indicator"] for i in items if i.indicator.source_kind != SourceKind.REPORTED}
    )

    def clear_round() -> None:
        ItemComment.objects.filter(review__report__round=rnd).delete()
        StandardScore.objects.filter(review__report__round=rnd).delete()
        for model in (Amendment, Review, Reminder, ReportEditTime, DataProblem, EvidenceFile, OutstandingWork,
                      NarrativeEntry, ReportValue):  # fmt: skip
            model.objects.filter(report__round=rnd).delete()
        Report.objects.filter(round=rnd).delete()

    def timed(fn: Any, *args: Any) -> tuple[float, Any]:
        started = time.perf_counter()
        out = fn(*args)
        return time.perf_counter() - started, out

    def read(sql: str, params: list[Any]) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return len(cursor.fetchall())

    def write(sql: str, rows: list[tuple[Any, ...]]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    fresh, refresh, select, insert = [], [], [], []
    summary: Any = None
    rows_written = 0
    for _ in range(repeat):
        try:
            with transaction.atomic():
                clear_round()
                seconds, summary = timed(lambda: round_prefill(actor=SYSTEM, round=rnd))
                fresh.append(seconds)
                rows_written = ReportValue.objects.filter(report__round=rnd).count()
                seconds, _ = timed(lambda: round_prefill(actor=SYSTEM, round=rnd))
                refresh.append(seconds)
                # Floor, part 1: read the same platform values, raw.
                qn = connection.ops.quote_name
                table = IndicatorValue._meta.db_table
                sql = (
                    f"SELECT unit_id, indicator, breakdown, period, value, id, run_id, computed_at, numerator, "  # noqa: S608
                    f"denominator, suppressed, formula_version FROM {qn(table)} WHERE unit_id IN "
                    f"({', '.join(['%s'] * len(esas))}) AND indicator IN ({', '.join(['%s'] * len(codes))}) "
                    f"AND breakdown = ''"
                )
                seconds, rows_read = timed(read, sql, [*esas, *codes])
                select.append(seconds)
                # Floor, part 2: write as many report-value rows, raw, into the emptied table.
                existing = list(
                    ReportValue.objects.filter(report__round=rnd).values_list(
                        "report_id",
                        "indicator_id",
                        "origin",
                        "value",
                        "period",
                        "source",
                        "updated_at",
                        "updated_by",
                    )
                )
                ReportValue.objects.filter(report__round=rnd).delete()
                ops = connection.ops
                cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
                ins = (
                    f"INSERT INTO {qn(ReportValue._meta.db_table)} (report_id, indicator_id, origin, value, period, "  # noqa: S608
                    f"source, comment, updated_at, updated_by) VALUES (%s, %s, %s, %s, %s, {cast}, '', %s, %s)"
                )
                params = [
                    (r, i, o, v, p, json.dumps(s), ops.adapt_datetimefield_value(u), b)
                    for r, i, o, v, p, s, u, b in existing
                ]
                seconds, _ = timed(write, ins, params)
                insert.append(seconds)
                raise Rollback
        except Rollback:
            pass
    floor = [s + i for s, i in zip(select, insert, strict=True)]
    return {
        "round": rnd.key,
        "esas": len(esas),
        "reports_created": summary.reports_created,
        "values_prefilled": summary.values_prefilled,
        "values_missing": summary.values_missing,
        "report_value_rows": rows_written,
        "platform_rows_read_by_floor": rows_read,
        "prefill_new_s": statistics.median(fresh),
        "prefill_new_all": fresh,
        "prefill_refresh_s": statistics.median(refresh),
        "floor_select_s": statistics.median(select),
        "floor_insert_s": statistics.median(insert),
        "floor_s": statistics.median(floor),
        "vendor": connection.vendor,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="", help="reuse a national demo with monitoring history")
    parser.add_argument("--keep", default="", help="keep the built demo here")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.repeat)))
        return 0
    built = None
    data_dir = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="suksa-bench-prefill-"))
    try:
        if not args.data_dir:
            built = build(data_dir)
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env |= {"SUKSA_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--repeat", str(args.repeat)],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip
        figures = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        if not args.data_dir:
            if args.keep:
                shutil.rmtree(args.keep, ignore_errors=True)
                shutil.move(str(data_dir), args.keep)
            else:
                shutil.rmtree(data_dir, ignore_errors=True)
    f = figures
    print(f"pre-fill of round {f['round']} for {f['esas']} ESAs ({f['vendor']}, median of {args.repeat})")
    if built is not None:
        print(f"  national demo built in   {built:.1f} s (untimed setup)")
    print(f"  reports created          {f['reports_created']}")
    print(f"  values pre-filled        {f['values_prefilled']:,} (no data: {f['values_missing']:,})")
    print(f"  report-value rows        {f['report_value_rows']:,}")
    print(
        f"  prefill, new reports     {f['prefill_new_s']:.2f} s  (runs: {', '.join(f'{s:.2f}' for s in f['prefill_new_all'])})"
    )
    print(f"  prefill, refresh         {f['prefill_refresh_s']:.2f} s")
    print(
        f"  floor: raw SELECT        {f['floor_select_s']:.3f} s ({f['platform_rows_read_by_floor']:,} rows)"
    )
    print(f"  floor: raw INSERT        {f['floor_insert_s']:.3f} s ({f['report_value_rows']:,} rows)")
    print(f"  floor total              {f['floor_s']:.3f} s")
    print(f"  prefill / floor          {f['prefill_new_s'] / f['floor_s']:.1f}x")
    print(f"  load average (1 min)     {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
