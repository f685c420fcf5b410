"""The executive cockpit under a bounded local load, next to a trivial view on the same server.

Serves a demo whose open round has its insights computed (the cockpit stage included: what
``suksa demo --scale national`` leaves, e.g. bench/out/national) with gunicorn on 127.0.0.1, logs
``--clients`` separate sessions in as ``executive`` (the demo's national executive), and sends
``--requests`` requests per page from that many client threads (each thread its own session)
after a warm-up. Pages: the floor (``/healthz``, a trivial view behind the same middleware on the
same server), the national overview (``/cockpit/``), the overview coloured at ESA level
(``/cockpit/?level=esa``) and the ESA page of the ``esa_director`` persona's ESA
(``/cockpit/unit/<id>/``). Prints p50/p95/p99, their ratio to the floor, and each page's query
count, time and size for one request in-process (Django test client, ``CaptureQueriesContext``,
no contention): a markdown block for bench/RESULTS.md. Loopback only; bounded in count and time.

    uv run python bench/cockpit_load.py --data-dir bench/out/national [--requests 200] [--clients 4]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import login, opener, wait_up

ROOT = Path(__file__).resolve().parent.parent
USERNAME = "executive"
THAI_MONTHS = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "SUKSA_DATA_DIR": str(data_dir), "SUKSA_ENFORCE_2FA": "0",
           "DJANGO_SETTINGS_MODULE": "config.settings.dev"}  # fmt: skip
    env.pop("DATABASE_URL", None)  # the data directory's SQLite file, never another database
    return env


def probe() -> None:
    """(In a subprocess, on the data directory.) The pages' paths, and per page one in-process
    request as the executive: status, queries, milliseconds and bytes. Prints JSON."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from suksa.core.models import OrgUnit
    from suksa.domains.accounts.models import RoleAssignment, User
    from suksa.domains.cockpit.models import Figure, Summary

    assignment = (
        RoleAssignment.objects.select_related("unit")
        .filter(user__username="esa_director", revoked_at__isnull=True)
        .first()
    )
    if assignment is None:
        raise SystemExit("no esa_director persona in this data directory: is it a demo?")
    esa = assignment.unit
    summary = Summary.objects.select_related("run__round").order_by("-pk").first()
    if summary is None:
        raise SystemExit(
            "no cockpit summary: compute the open round's insights first (suksa demo --insights)"
        )
    overview = reverse("web:cockpit")
    pages = {
        "overview": overview,
        "overview_esa": f"{overview}?level=esa",
        "unit": reverse("web:cockpit_unit", args=[esa.pk]),
    }
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=USERNAME))
    measured: dict[str, Any] = {}
    for key, path in [("floor", "/healthz"), *pages.items()]:
        client.get(path)  # warm-up: imports, template compilation, SQLite pages
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            response = client.get(path)
            ms = (time.perf_counter() - t0) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{path}: status {response.status_code} in-process as {USERNAME}")
        measured[key] = {"path": path, "queries": len(queries), "ms": ms, "bytes": len(response.content)}
    counts = {
        "schools": OrgUnit.objects.filter(kind="school").count(),
        "esas": OrgUnit.objects.filter(kind="esa").count(),
        "figures": Figure.objects.filter(run=summary.run).count(),
        "round": summary.run.round.key,
        "run": summary.run_id,
        "esa": f"{esa.code} {esa.name_th}",
    }
    print(json.dumps({"pages": measured, "counts": counts}))


def run_probe(data_dir: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--probe"], env=_env(data_dir), cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode:
        raise SystemExit(f"cannot probe the cockpit pages:\n{out.stdout[-1000:]}{out.stderr[-3000:]}")
    data: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def measure(sessions: list[urllib.request.OpenerDirector], url: str, n: int) -> list[float]:
    """``n`` requests from ``len(sessions)`` threads, each its own session; milliseconds each."""
    wanted = urllib.parse.urlparse(url)

    def one(i: int) -> float:
        op = sessions[i % len(sessions)]
        t0 = time.perf_counter()
        with op.open(url, timeout=120) as r:
            body = r.read()
            final = urllib.parse.urlparse(r.geturl())
            # A redirect (to the login page, or an ESA's page) would time another page.
            if r.status != 200 or (final.path, final.query) != (wanted.path, wanted.query) or not body:
                raise SystemExit(f"{url}: answered {r.status} from {r.geturl()}")
        return (time.perf_counter() - t0) * 1000

    for i in range(2 * len(sessions)):  # warm-up: each worker's imports, caches, SQLite pages
        one(i)
    with ThreadPoolExecutor(len(sessions)) as pool:
        return list(pool.map(one, range(n)))


def be_date(day: dt.date) -> str:
    return f"{day.isoformat()} ({day.day} {THAI_MONTHS[day.month - 1]} {day.year + 543})"


def commit() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip() or "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", default=str(ROOT / "bench" / "out" / "national"))
    ap.add_argument("--requests", type=int, default=200, help="requests per page (default 200)")
    ap.add_argument("--clients", type=int, default=4, help="client threads, one session each (default 4)")
    ap.add_argument("--port", type=int, default=8767)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.probe:
        probe()
        return
    data_dir = Path(args.data_dir).resolve()
    if not data_dir.is_dir():
        raise SystemExit(f"no data directory {data_dir}")
    found = run_probe(data_dir)
    inproc = found["pages"]
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{args.port}",
         "--workers", str(args.workers), "--threads", str(args.threads), "--log-level", "warning"],
        cwd=ROOT, env=_env(data_dir),
    )  # fmt: skip
    try:
        wait_up(base, server)
        load_before = os.getloadavg()[0]
        anon = [opener()[0] for _ in range(args.clients)]
        executives = [login(base, USERNAME) for _ in range(args.clients)]
        pages = [
            ("floor", "floor: /healthz (trivial view)", anon),
            ("overview", "national overview /cockpit/", executives),
            ("overview_esa", "overview at ESA level /cockpit/?level=esa", executives),
            ("unit", "ESA page /cockpit/unit/<id>/", executives),
        ]
        rows = []
        floor: dict[int, float] = {}
        for key, label, sessions in pages:
            lat = measure(sessions, base + inproc[key]["path"], args.requests)
            p = {q: pct(lat, q) for q in (50, 95, 99)}
            if key == "floor":
                floor = p
            rows.append((key, label, p))
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(10)

    c = found["counts"]
    command = (
        f"uv run python bench/cockpit_load.py --data-dir {args.data_dir} --requests {args.requests} "
        f"--clients {args.clients} --workers {args.workers} --threads {args.threads}"
    )
    print("### The executive cockpit under a bounded local load")
    print()
    print(
        f"Script: `{command}` — serves the demo at `{data_dir}` ({c['esas']} ESAs, {c['schools']:,} schools; "
        f"round {c['round']}, insights run #{c['run']} with {c['figures']:,} cockpit figures; SQLite) with "
        f"gunicorn ({args.workers} workers × {args.threads} threads) on 127.0.0.1, logs {args.clients} separate "
        f"sessions in as `{USERNAME}` (the national executive), and sends {args.requests} requests per page "
        f"from {args.clients} client threads (one session each) after a warm-up. The floor is `/healthz`, a "
        f"trivial view behind the same middleware on the same server. The ESA page is `{c['esa']}`. "
        f"Measured {be_date(dt.date.today())} at commit `{commit()}`; load average (1 min) "
        f"{load_before:.1f} before, {load_after:.1f} after."
    )
    print()
    print("| page | p50 ms | p95 ms | p99 ms | p50 / floor | p95 / floor | queries | in-process ms | KB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key, label, p in rows:
        one = inproc[key]
        print(
            f"| {label} | {p[50]:.1f} | {p[95]:.1f} | {p[99]:.1f} | {p[50] / floor[50]:.1f}× | "
            f"{p[95] / floor[95]:.1f}× | {one['queries']} | {one['ms']:.1f} | {one['bytes'] / 1024:.0f} |"
        )
    print()
    print(
        "Queries, in-process ms and KB: one request in-process after a warm-up (Django test client, "
        "`CaptureQueriesContext`, no contention), logged in as the same executive."
    )


if __name__ == "__main__":
    main()
