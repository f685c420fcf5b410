"""Run every benchmark in order; each prints its own table for bench/RESULTS.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

NATIONAL = str(HERE / "out" / "national")  # demo_national.py leaves the national demo here

if __name__ == "__main__":
    for script, *args in (
        ("demo_national.py",),
        ("pages.py",),
        ("students_import.py",),
        ("monitoring_prefill.py", "--data-dir", NATIONAL),
        ("status_board_load.py", "--data-dir", NATIONAL),
        ("insights_run.py", "--data-dir", NATIONAL),
    ):
        print(f"\n== {script}", flush=True)
        subprocess.run([sys.executable, str(HERE / script), *args], check=True)
