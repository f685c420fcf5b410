"""Benchmark: the learner (DMC) import against the raw load of the same file (the floor).

For each database (SQLite always; PostgreSQL when ``--postgres URL`` or ``DATABASE_URL`` is given)
and each ``--rows`` size:

1. a fresh database with the national org tree (``suksa migrate`` + ``suksa demo --scale national
   --records none``: 28,900 schools, no learners), built once per database and copied (SQLite) or
   emptied of learners (PostgreSQL) before each run;
2. a DMC file of the first N learners of ``suksa.demo.students.dmc_rows(scale="national",
   seed=2569, year_be=2569)`` (UTF-8 with BOM, Thai headers);
3. the floor, in a child process: SQLite — ``executemany`` INSERT of the file's rows into a staging
   table of text columns, in one transaction; PostgreSQL — ``COPY`` of the file into such a table;
4. the tables floor, in a child process: the same rows loaded without any checking straight into
   the real ``students_student`` and ``students_enrolment`` tables (their indexes, unique and
   foreign-key constraints), with ``executemany`` / ``COPY``, then rolled back. This is what any
   import of the file must at least pay, and the ceiling the import can approach;
5. the import, in a child process: ``suksa import-students FILE`` (full validation, all or nothing,
   one transaction), then the same file again (the idempotent re-import: nothing changes).

Prints rows/s, the ratios to both floors and the import child's peak RSS (``ru_maxrss``), whose
flatness across sizes shows memory bounded in file size, and the machine's load average (other
work on the machine slows every figure). Figures go to bench/RESULTS.md. Usage:

    uv run python bench/students_import.py --rows 200000 1000000 [--postgres postgres://…/bench_import]
        [--files DIR]   # reuse DIR/dmc-N.csv when present (generating 1M rows takes minutes)
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED, YEAR_BE = 2569, 2569
STUDENT_TABLES = ("students_duplicateclaim", "students_enrolment", "students_classroom_teachers",
                  "students_classroom", "students_student")  # fmt: skip


def suksa() -> str:
    script = Path(sys.executable).with_name("suksa")
    return str(script) if script.exists() else shutil.which("suksa") or "suksa"


@dataclass(frozen=True)
class Measured:
    wall_s: float
    cpu_s: float
    peak_rss_mib: float
    returncode: int
    stdout: str


def run_measured(argv: list[str], env: dict[str, str]) -> Measured:
    started = time.perf_counter()
    child = subprocess.Popen(
        argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    out = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    return Measured(
        time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
        os.waitstatus_to_exitcode(status), out,
    )  # fmt: skip


# --------------------------------------------------------------------------- child modes


def _count_rows(path: Path) -> int:
    """Data rows of a generated CSV (its lines less the header; no field holds a line break)."""
    with open(path, "rb") as fh:
        return sum(1 for _ in fh) - 1


def write_file(out: str, rows: int) -> None:
    """Child: the first ``rows`` learners of the national demo as a DMC CSV (UTF-8, BOM)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from suksa.demo.students import dmc_rows
    from suksa.domains.students.dmc import DMC_HEADERS

    headers = list(DMC_HEADERS.values())
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        for i, row in enumerate(dmc_rows(scale="national", seed=SEED, year_be=YEAR_BE)):
            if i >= rows:
                break
            writer.writerow([row[h] for h in headers])


def floor_sqlite(db: str, path: str) -> None:
    """Child: executemany INSERT of every row into a staging table, one transaction."""
    import sqlite3

    started = time.perf_counter()
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        cols = ", ".join(f"c{i} TEXT" for i in range(len(header)))
        con.execute("DROP TABLE IF EXISTS bench_staging")
        con.execute(f"CREATE TABLE bench_staging ({cols})")
        marks = ", ".join("?" * len(header))
        con.execute("BEGIN")
        con.executemany(f"INSERT INTO bench_staging VALUES ({marks})", reader)  # noqa: S608
        con.execute("COMMIT")
    n = con.execute("SELECT count(*) FROM bench_staging").fetchone()[0]
    con.execute("DROP TABLE bench_staging")
    print(f"floor {n} {time.perf_counter() - started:.3f}")


def floor_postgres(url: str, path: str) -> None:
    """Child: COPY the file into a staging table of text columns."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url) as con, con.cursor() as cur, open(path, "rb") as fh:
        header = next(csv.reader([fh.readline().decode("utf-8-sig")]))
        cur.execute("DROP TABLE IF EXISTS bench_staging")
        cur.execute(f"CREATE TABLE bench_staging ({', '.join(f'c{i} text' for i in range(len(header)))})")
        with cur.copy("COPY bench_staging FROM STDIN WITH (FORMAT csv)") as copy:
            while data := fh.read(1 << 20):
                copy.write(data)
        cur.execute("SELECT count(*) FROM bench_staging")
        n = cur.fetchone()[0]  # type: ignore[index]
        con.commit()
        cur.execute("DROP TABLE bench_staging")
        con.commit()
    print(f"floor {n} {time.perf_counter() - started:.3f}")


def floor_tables(path: str) -> None:
    """Child: the file's rows, unchecked, into the real learner tables (one transaction, rolled back)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import datetime as dt

    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from suksa.core.models import AcademicYear, OrgUnit

    started = time.perf_counter()
    schools = dict(OrgUnit.objects.filter(kind="school").values_list("code", "id"))
    year = AcademicYear.objects.get(year_be=YEAR_BE)
    now = timezone.now()
    pg = connection.vendor == "postgresql"
    stamp = now if pg else connection.ops.adapt_datetimefield_value(now)

    def be(text: str) -> dt.date:
        d, m, y = text.split("/")
        return dt.date(int(y) - 543, int(m), int(d))

    students = ("citizen_id", "g_code", "prefix_th", "first_name_th", "last_name_th", "first_name_en",
                "last_name_en", "sex", "birth_date", "nationality", "school_id", "search_text", "created_at",
                "updated_at")  # fmt: skip
    enrolments = ("student_id", "school_id", "academic_year_id", "grade", "entry", "status", "starts_on",
                  "exit_reason", "exit_note", "created_at", "updated_at")  # fmt: skip
    n = 0
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        open(path, encoding="utf-8-sig", newline="") as fh,
    ):
        reader = csv.reader(fh)
        next(reader)
        while batch := [r for _, r in zip(range(2000), reader, strict=False)]:
            rows = []
            for r in batch:
                cid, gcode = (None, r[0]) if r[0][:1] == "G" else (r[0], None)
                born = be(r[11])
                rows.append((cid, gcode, r[5], r[6], r[7], r[8], r[9], "M" if r[10] == "ช" else "F",
                             born if pg else born.isoformat(), "THA", schools[r[1]], r[0], stamp, stamp))  # fmt: skip
            starts = year.starts_on if pg else year.starts_on.isoformat()
            if pg:
                ids = [i for (i,) in cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence('students_student', 'id')) FROM generate_series(1, %s)",
                    [len(rows)],
                ).fetchall()]  # fmt: skip
                with cursor.cursor.copy(
                    f"COPY students_student (id, {', '.join(students)}) FROM STDIN"
                ) as copy:
                    for i, row in zip(ids, rows, strict=True):
                        copy.write_row((i, *row))
            else:
                marks = ", ".join(["%s"] * 14)
                insert = f"INSERT INTO students_student ({', '.join(students)}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(insert, rows)
                last = cursor.execute("SELECT last_insert_rowid()").fetchone()[0]
                ids = list(range(last - len(rows) + 1, last + 1))
            erows = [(i, schools[r[1]], year.pk, "P1", "admitted", "active", starts, "", "", stamp, stamp)
                     for i, r in zip(ids, batch, strict=True)]  # fmt: skip
            if pg:
                with cursor.cursor.copy(
                    f"COPY students_enrolment ({', '.join(enrolments)}) FROM STDIN"
                ) as copy:
                    for row in erows:
                        copy.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO students_enrolment ({', '.join(enrolments)}) VALUES ({', '.join(['%s'] * 11)})",  # noqa: S608
                    erows,
                )
            n += len(rows)
        if pg:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks, as at commit
        transaction.set_rollback(True)
    print(f"floor {n} {time.perf_counter() - started:.3f}")


# --------------------------------------------------------------------------- the parent


def _env(data_dir: Path, url: str | None) -> dict[str, str]:
    env = {**os.environ, "SUKSA_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    env.pop("DATABASE_URL", None)
    if url:
        env["DATABASE_URL"] = url
    return env


def _check(m: Measured, what: str) -> None:
    if m.returncode != 0:
        raise SystemExit(f"{what} failed ({m.returncode}):\n{m.stdout[-3000:]}")


def prepare(env: dict[str, str]) -> float:
    started = time.perf_counter()
    _check(run_measured([suksa(), "migrate", "--no-input"], env), "migrate")
    _check(
        run_measured(
            [suksa(), "demo", "--scale", "national", "--records", "none", "--no-monitoring", "--replace"], env
        ),
        "demo",
    )
    return time.perf_counter() - started


def empty_students(url: str) -> None:
    import psycopg

    with psycopg.connect(url) as con:
        con.execute(f"TRUNCATE {', '.join(STUDENT_TABLES)} CASCADE")


def _import_seconds(out: str) -> float:
    m = re.search(r"\(([\d.]+) s,", out)
    return float(m.group(1)) if m else float("nan")


def bench(label: str, url: str | None, sizes: list[int], files: dict[int, Path], work: Path) -> list[str]:
    template = work / f"{label}-template"
    template.mkdir()
    env = _env(template, url)
    print(f"[{label}] preparing the national org tree …", flush=True)
    prep = prepare(env)
    print(f"[{label}] prepared in {prep:.0f} s", flush=True)
    lines = []
    for asked in sizes:
        # The demo nation may hold fewer learners than asked (6.30 M of a requested 6.6 M): every
        # rate uses the rows the file really has.
        n = _count_rows(files[asked])
        if url:
            empty_students(url)
            run_env = env
        else:
            run_dir = work / f"{label}-{n}"
            shutil.copytree(template, run_dir)
            run_env = _env(run_dir, None)
        db = str(Path(run_env["SUKSA_DATA_DIR"]) / "suksa.sqlite3")
        floor_cmd = ["--floor-postgres", url] if url else ["--floor-sqlite", db]
        floor = run_measured([sys.executable, __file__, *floor_cmd, str(files[asked])], run_env)
        _check(floor, "floor")
        floor_s = float(floor.stdout.split()[-1])
        tables = run_measured([sys.executable, __file__, "--floor-tables", str(files[asked])], run_env)
        _check(tables, "tables floor")
        tables_s = float(tables.stdout.split()[-1])
        load = os.getloadavg()[0]
        imp = run_measured([suksa(), "import-students", str(files[asked]), "--no-progress"], run_env)
        _check(imp, "import")
        imp_s = _import_seconds(imp.stdout)
        again = run_measured([suksa(), "import-students", str(files[asked]), "--no-progress"], run_env)
        _check(again, "re-import")
        unchanged = "unchanged " + f"{n:,}" in again.stdout
        lines.append(
            f"| {label} | {n:,} | {n / floor_s:,.0f} | {n / tables_s:,.0f} | {n / imp_s:,.0f} | "
            f"{floor_s / imp_s:.0%} | {tables_s / imp_s:.0%} | {imp.peak_rss_mib:,.0f} | {imp.wall_s:.1f} | "
            f"{n / _import_seconds(again.stdout):,.0f} | {'yes' if unchanged else 'NO'} | {load:.1f} |"
        )
        print(lines[-1], flush=True)
        if not url:
            shutil.rmtree(run_dir)
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[50_000, 200_000])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("DATABASE_URL", ""),
        help="PostgreSQL URL (a database of its own)",
    )
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--files", help="a directory of dmc-N.csv files to reuse (and to keep new ones in)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="suksa-bench-import-"))
    try:
        files: dict[int, Path] = {}
        env = _env(work, None)
        for n in args.rows:
            files[n] = Path(args.files or work) / f"dmc-{n}.csv"
            if files[n].exists():
                continue
            started = time.perf_counter()
            _check(
                run_measured([sys.executable, __file__, "--write-file", str(files[n]), str(n)], env),
                "generate",
            )
            size = files[n].stat().st_size / 1024**2
            print(
                f"file {n:,} rows: {size:,.1f} MiB, generated in {time.perf_counter() - started:.0f} s",
                flush=True,
            )
        lines = []
        if not args.no_sqlite:
            lines += bench("SQLite", None, args.rows, files, work)
        if args.postgres:
            lines += bench("PostgreSQL", args.postgres, args.rows, files, work)
        print(
            "\n| database | rows | floor rows/s | tables floor rows/s | import rows/s | import / floor | "
            "import / tables floor | import peak RSS MiB | import wall s (with start-up) | re-import rows/s | "
            "re-import unchanged | load (1 min) |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
        print("\n".join(lines))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--write-file":
        write_file(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--floor-sqlite":
        floor_sqlite(sys.argv[2], sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "--floor-tables":
        floor_tables(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "--floor-postgres":
        floor_postgres(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main())
