"""Page latency under a bounded local load, against a trivial Django view as the floor.

Serves the platform with gunicorn on 127.0.0.1 from an existing data directory (by default the
national demo built by bench/demo_national.py), logs in as three personas, and for each page sends a
fixed number of requests from a few client threads. Reports p50/p95 per page and its ratio to the
floor (`/healthz`, same server, same middleware). Loopback only; bounded in count and time.

    uv run python bench/pages.py --data-dir bench/out/national [--requests 300] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = os.environ.get("SUKSA_DEMO_PASSWORD", "suksa-demo-2569")


def opener() -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def login(base: str, username: str) -> urllib.request.OpenerDirector:
    op, jar = opener()
    html = op.open(f"{base}/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token, "login page has no CSRF token"
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD}
    ).encode()
    req = urllib.request.Request(f"{base}/login/", data=data, headers={"Referer": f"{base}/login/"})
    op.open(req, timeout=30).read()
    if not any(c.name == "sessionid" for c in jar):
        raise SystemExit(f"login failed for {username}")
    return op


def measure(op: urllib.request.OpenerDirector, url: str, n: int, concurrency: int) -> list[float]:
    def one(_: int) -> float:
        t0 = time.perf_counter()
        with op.open(url, timeout=60) as r:
            r.read()
            assert r.status == 200, (url, r.status)
        return (time.perf_counter() - t0) * 1000

    for _ in range(5):  # warm-up: worker imports, SQLite page cache
        one(0)
    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, range(n)))


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def wait_up(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("server exited")
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not start")


def first_codes(data_dir: Path) -> dict[str, str]:
    """Pick a region, an ESA and a school of the demo personas' branch from the database."""
    code = (
        "import django, json; django.setup();"
        "from suksa.domains.accounts.models import RoleAssignment as R;"
        "s=R.objects.select_related('unit__parent__parent').get(user__username='school_director').unit;"
        "print(json.dumps({'school': s.code, 'esa': s.parent.code, 'region': s.parent.parent.code}))"
    )
    env = {**os.environ, "SUKSA_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True)
    import json

    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default=str(ROOT / "bench" / "out" / "national"))
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    data_dir = Path(args.data_dir).resolve()
    codes = first_codes(data_dir)
    base = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "SUKSA_DATA_DIR": str(data_dir), "SUKSA_ENFORCE_2FA": "0",
           "DJANGO_SETTINGS_MODULE": "config.settings.dev"}  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{args.port}",
         "--workers", str(args.workers), "--threads", "2", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        wait_up(base, server)
        anon, _ = opener()
        executive = login(base, "executive")
        esa = login(base, "esa_officer")
        director = login(base, "school_director")
        pages = [
            ("floor: /healthz (trivial view)", anon, "/healthz"),
            ("org browser: nation (executive)", executive, "/org/OBEC/"),
            ("org browser: region (executive)", executive, f"/org/{codes['region']}/"),
            ("org browser: ESA (ESA officer)", esa, f"/org/{codes['esa']}/"),
            (
                "org search 'บ้าน' (executive)",
                executive,
                "/org/search/?q=%E0%B8%9A%E0%B9%89%E0%B8%B2%E0%B8%99",
            ),
            ("school profile (school director)", director, f"/schools/{codes['school']}/"),
            ("school profile (executive)", executive, f"/schools/{codes['school']}/"),
        ]
        rows = []
        floor_p50 = floor_p95 = 1.0
        for label, op, path in pages:
            lat = measure(op, base + path, args.requests, args.concurrency)
            p50, p95 = pct(lat, 50), pct(lat, 95)
            if label.startswith("floor"):
                floor_p50, floor_p95 = p50, p95
            rows.append((label, p50, p95, p50 / floor_p50, p95 / floor_p95))
        print(f"{args.requests} requests per page, {args.concurrency} client threads, "
              f"gunicorn {args.workers} workers x 2 threads, SQLite at {data_dir}")  # fmt: skip
        print("| page | p50 ms | p95 ms | p50 / floor | p95 / floor |")
        print("|---|---:|---:|---:|---:|")
        for label, p50, p95, r50, r95 in rows:
            print(f"| {label} | {p50:.1f} | {p95:.1f} | {r50:.1f}× | {r95:.1f}× |")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
