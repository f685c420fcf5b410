"""Benchmark: a full insights run of the open round on the national demo, per stage, against a floor.

Builds (or copies, ``--data-dir``) a national demo with its monitoring history (``suksa demo
--scale national --records none --no-insights``) into a temporary SUKSA_DATA_DIR (SQLite), then,
in a child process on that copy, for the round (default the open FY 2569 12-month round):

- **run**: ``run_in_process(actor=SYSTEM, round=…, trace_memory=True)`` — what ``suksa insights
  run --round 2569/m12 --trace-memory`` does: the shared data load, then every registered stage in
  order, each with its seconds, ``tracemalloc`` peak (MiB) and counts;
- **floor**: in the same process, a raw ``SELECT`` of the indicator values the run reads (every
  value of the nation, the inspection regions and the ESAs, and the school O-NET values) and of the
  reported values of the handed-in reports (cursor, no ORM objects) — the time to merely read the
  inputs once.

Prints a markdown table for ``bench/RESULTS.md`` (and JSON with ``--json``). Usage:

    uv run python bench/insights_run.py [--data-dir DIR] [--round 2569/m12] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def suksa_command() -> str:
    script = Path(sys.executable).with_name("suksa")
    return str(script) if script.exists() else shutil.which("suksa") or "suksa"


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return env | {"SUKSA_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings.dev"}


def build(data_dir: Path) -> None:
    suksa = suksa_command()
    subprocess.run([suksa, "migrate", "-v0"], env=_env(data_dir), cwd=ROOT, check=True)
    subprocess.run(
        [suksa, "demo", "--scale", "national", "--records", "none", "--replace", "--no-insights", "-v0"],
        env=_env(data_dir), cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def copy_demo(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "suksa.sqlite3", target / "suksa.sqlite3")
    if (source / "demo").exists():
        shutil.copytree(source / "demo", target / "demo", dirs_exist_ok=True)


def child(round_key: str) -> dict[str, Any]:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from suksa.core.policy import SYSTEM
    from suksa.domains.insights.services.hooks import run_in_process
    from suksa.domains.insights.services.run import stages
    from suksa.interfaces.cli.management.commands.insights import round_by_key

    call_command("migrate", verbosity=0, interactive=False)  # migrations added since the demo was built
    rnd = round_by_key(round_key)
    started = time.perf_counter()
    run = run_in_process(actor=SYSTEM, round=rnd, trace_memory=True)
    total = time.perf_counter() - started

    def timed(sql: str) -> tuple[float, int]:
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql)
            n = len(cursor.fetchall())
        return time.perf_counter() - t0, n

    values_s, values_n = timed(
        "SELECT v.unit_id, v.indicator, v.breakdown, v.period, v.value, v.id, v.computed_at "
        "FROM core_indicatorvalue v"
    )
    reported_s, reported_n = timed(
        "SELECT r.esa_id, rv.indicator_id, rv.value, rv.id FROM monitoring_reportvalue rv "
        "JOIN monitoring_report r ON r.id = rv.report_id "
        "WHERE rv.value IS NOT NULL AND r.status IN ('submitted', 'in_review', 'approved', 'locked')"
    )
    return {
        "round": rnd.key,
        "run": run.pk,
        "status": run.status,
        "error": run.error.split("\n", 1)[0],
        "registered": [s.key for s in stages()],
        "inputs": run.inputs,
        "stages": run.stages,
        "total_s": total,
        "floor": {
            "values_s": values_s,
            "values_n": values_n,
            "reported_s": reported_s,
            "reported_n": reported_n,
        },
        "load": os.getloadavg()[0],
    }


def table(r: dict[str, Any]) -> str:
    floor = r["floor"]["values_s"] + r["floor"]["reported_s"]
    lines = [
        f"Round {r['round']}, run #{r['run']} ({r['status']}); total {r['total_s']:.1f} s; "
        f"floor {floor:.2f} s (raw SELECT of {r['floor']['values_n']:,} indicator values and "
        f"{r['floor']['reported_n']:,} reported values); total / floor {r['total_s'] / floor:.0f}×; "
        f"load average {r['load']:.1f} at the end.",
        "",
        "| stage | status | s | peak MiB | counts |",
        "|---|---|---:|---:|---|",
        f"| shared data load | done | {r['inputs'].get('load_seconds', 0):.2f} | – | "
        + ", ".join(
            f"{k} {v:,}" for k, v in r["inputs"].items() if k != "load_seconds" and isinstance(v, int)
        )
        + " |",
    ]
    for key in r["registered"]:
        info = r["stages"].get(key)
        if info is None:
            lines.append(f"| {key} | not reached | – | – | |")
            continue
        peak = info.get("peak_mib")
        counts = ", ".join(
            f"{k} {v:,}"
            for k, v in (info.get("counts") or {}).items()
            if isinstance(v, int) and not isinstance(v, bool)
        )
        lines.append(
            f"| {key} | {info.get('status')} | {info.get('seconds', 0):.2f} | "
            f"{'–' if peak is None else f'{peak:.1f}'} | {counts} |"
        )
    if r["error"]:
        lines += ["", f"Error: `{r['error']}`"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, help="a national demo to copy (default: build one)")
    parser.add_argument("--round", default="2569/m12")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.round)))
        return
    with tempfile.TemporaryDirectory(prefix="suksa-bench-insights-") as tmp:
        work = Path(tmp) / "data"
        if args.data_dir:
            copy_demo(args.data_dir, work)
        else:
            build(work)
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--round", args.round],
            env=_env(work), cwd=ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    print(table(result))


if __name__ == "__main__":
    main()
