"""The national monitoring status board under a bounded local load, next to a trivial view.

Serves a national demo that has its monitoring history (245 ESAs, 12 rounds of reports: what
bench/demo_national.py leaves in bench/out/national, or ``bench/monitoring_prefill.py --keep DIR``)
with gunicorn on 127.0.0.1, logs ``--clients`` separate sessions in as ``me_officer`` (the
national M&E officer), and sends ``--requests`` requests per page from that many client threads
(each thread its own session) after a warm-up. Pages: the floor (``/healthz``, a trivial view
behind the same middleware on the same server), the status board of the open round (FY 2569,
12 months: reports in every state) and of a closed one (FY 2568, 12 months). Prints p50/p95 and
their ratio to the floor. Loopback only; bounded in count and time.

    uv run python bench/status_board_load.py [--data-dir bench/out/national] [--requests 200] [--clients 4]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import login, opener, wait_up

ROOT = Path(__file__).resolve().parent.parent


def urls(data_dir: Path) -> dict[str, str]:
    """The status board's path (by its URL name) and the rounds to show, read from the database."""
    code = (
        "import django, json; django.setup();"
        "from django.urls import reverse;"
        "from suksa.domains.monitoring.models import Round;"
        "r = {x.key: x.pk for x in Round.objects.select_related('framework')};"
        "print(json.dumps({'status': reverse('web:monitoring_status'), 'open': r['2569/m12'], 'closed': r['2568/m12']}))"
    )
    env = {**os.environ, "SUKSA_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"cannot find the status board or the rounds:\n{out.stderr[-2000:]}")
    data: dict[str, str] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def measure(sessions: list[urllib.request.OpenerDirector], url: str, n: int) -> list[float]:
    def one(i: int) -> float:
        op = sessions[i % len(sessions)]
        t0 = time.perf_counter()
        with op.open(url, timeout=120) as r:
            body = r.read()
            assert r.status == 200, (url, r.status)
            assert body
        return (time.perf_counter() - t0) * 1000

    for i in range(2 * len(sessions)):  # warm-up: each worker's imports, caches, SQLite pages
        one(i)
    with ThreadPoolExecutor(len(sessions)) as pool:
        return list(pool.map(one, range(n)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default=str(ROOT / "bench" / "out" / "national"))
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--port", type=int, default=8766)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    data_dir = Path(args.data_dir).resolve()
    found = urls(data_dir)
    base = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "SUKSA_DATA_DIR": str(data_dir), "SUKSA_ENFORCE_2FA": "0",
           "DJANGO_SETTINGS_MODULE": "config.settings.dev"}  # fmt: skip
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{args.port}",
         "--workers", str(args.workers), "--threads", str(args.threads), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        wait_up(base, server)
        load_before = os.getloadavg()[0]
        anon = [opener()[0] for _ in range(args.clients)]
        officers = [login(base, "me_officer") for _ in range(args.clients)]
        pages = [
            ("floor: /healthz (trivial view)", anon, "/healthz"),
            (
                "status board, open round 2569/m12 (me_officer)",
                officers,
                f"{found['status']}?round={found['open']}",
            ),
            (
                "status board, closed round 2568/m12 (me_officer)",
                officers,
                f"{found['status']}?round={found['closed']}",
            ),
        ]
        rows = []
        floor50 = floor95 = 1.0
        for label, sessions, path in pages:
            lat = measure(sessions, base + path, args.requests)
            p50, p95 = pct(lat, 50), pct(lat, 95)
            if label.startswith("floor"):
                floor50, floor95 = p50, p95
            rows.append((label, p50, p95, p50 / floor50, p95 / floor95))
        load_after = os.getloadavg()[0]
        print(
            f"{args.requests} requests per page from {args.clients} clients (own sessions), gunicorn "
            f"{args.workers} workers x {args.threads} threads, SQLite at {data_dir}; "
            f"load average (1 min) {load_before:.1f} before, {load_after:.1f} after"
        )
        print("| page | p50 ms | p95 ms | p50 / floor | p95 / floor |")
        print("|---|---:|---:|---:|---:|")
        for label, p50, p95, r50, r95 in rows:
            print(f"| {label} | {p50:.1f} | {p95:.1f} | {r50:.1f}× | {r95:.1f}× |")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
