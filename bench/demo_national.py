"""Benchmark: generate the national demo (``suksa demo --scale national --replace``) from scratch.

Runs the command as a subprocess on a fresh SQLite file in a temporary data directory
(SUKSA_DATA_DIR), after an untimed ``suksa migrate``, and prints wall and CPU time, peak RSS and row
counts. Figures go to bench/RESULTS.md ("Demo generation"). The measured database is then moved
to ``--out`` (default bench/out/national, git-ignored), where bench/pages.py expects it. Usage:

    uv run python bench/demo_national.py [--scale national] [--out bench/out/national | --out ""]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COUNT_QUERIES = {
    "regions": "SELECT count(*) FROM core_orgunit WHERE kind = 'region'",
    "esas": "SELECT count(*) FROM core_orgunit WHERE kind = 'esa'",
    "esas_primary": "SELECT count(*) FROM core_esaprofile WHERE esa_type = 'primary'",
    "esas_secondary": "SELECT count(*) FROM core_esaprofile WHERE esa_type = 'secondary'",
    "schools": "SELECT count(*) FROM core_school",
    "schools_primary_esa": "SELECT count(*) FROM core_school WHERE esa_type = 'primary'",
    "schools_secondary_esa": "SELECT count(*) FROM core_school WHERE esa_type = 'secondary'",
    "schools_under_120": "SELECT count(*) FROM core_school WHERE student_count < 120",
    "schools_small_band": "SELECT count(*) FROM core_school WHERE size_band = 'small'",
    "schools_urban": "SELECT count(*) FROM core_school WHERE area_type = 'urban'",
    "schools_extended": "SELECT count(*) FROM core_school WHERE lowest_grade = 'K1' AND highest_grade = 'M3'",
    "students": "SELECT sum(student_count) FROM core_school",
    "teachers": "SELECT sum(teacher_count) FROM core_school",
    "classrooms": "SELECT sum(classroom_count) FROM core_school",
    "users": "SELECT count(*) FROM accounts_user",
    "role_assignments": "SELECT count(*) FROM accounts_roleassignment",
    "audit_entries": "SELECT count(*) FROM core_auditentry",
}


def suksa_command() -> str:
    """The ``suksa`` console script of this environment (not ``uv run``, so RSS is the command's)."""
    script = Path(sys.executable).with_name("suksa")
    return str(script) if script.exists() else shutil.which("suksa") or "suksa"


@dataclass(frozen=True)
class Measured:
    wall_s: float
    cpu_s: float  # user + system: steadier than wall time on a shared machine
    peak_rss_kib: int
    returncode: int


def run_measured(argv: list[str], env: dict[str, str]) -> Measured:
    """Wall and CPU seconds, peak RSS (KiB) and exit status of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, child.returncode
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national", choices=["tiny", "province", "national"])
    # The org tree alone by default, so figures stay comparable with earlier runs; learners
    # (`--records province` is what `make run` adds) are measured with --records.
    parser.add_argument("--records", default="none", choices=["none", "tiny", "province", "national"])
    parser.add_argument(
        "--out", default=str(ROOT / "bench" / "out" / "national"), help='keep the data here ("" = discard)'
    )
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="suksa-bench-demo-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"SUKSA_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    suksa = suksa_command()
    try:
        migrate = run_measured([suksa, "migrate", "-v0"], env)
        if migrate.returncode:
            print(f"migrate failed ({migrate.returncode})", file=sys.stderr)
            return migrate.returncode
        demo = run_measured(
            [suksa, "demo", "--scale", args.scale, "--records", args.records, "--no-monitoring", "--replace"],
            env,
        )
        if demo.returncode:
            print(f"demo failed ({demo.returncode})", file=sys.stderr)
            return demo.returncode
        children_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        with sqlite3.connect(data_dir / "suksa.sqlite3") as db:
            counts = {name: db.execute(sql).fetchone()[0] for name, sql in COUNT_QUERIES.items()}
        db_mb = (data_dir / "suksa.sqlite3").stat().st_size / 2**20
        if args.out:
            out = Path(args.out)
            shutil.rmtree(out, ignore_errors=True)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(data_dir, out)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    print(
        f"suksa demo --scale {args.scale} --records {args.records} --no-monitoring --replace"
        f" (fresh SQLite; kept in {args.out or 'nowhere'})"
    )
    print(f"  cpus                  {os.cpu_count()}")
    print(f"  migrate (untimed)     {migrate.wall_s:.1f} s, peak RSS {migrate.peak_rss_kib / 1024:.0f} MiB")
    print(f"  demo wall time        {demo.wall_s:.1f} s")
    print(f"  demo CPU time         {demo.cpu_s:.1f} s (user + system)")
    print(
        f"  demo peak RSS         {demo.peak_rss_kib / 1024:.0f} MiB "
        f"(RUSAGE_CHILDREN max {children_rss / 1024:.0f} MiB)"
    )
    print(f"  load average (1 min)  {os.getloadavg()[0]:.1f}")
    print(f"  database file         {db_mb:.0f} MiB")
    for name, value in counts.items():
        print(f"  {name:<21} {value:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
