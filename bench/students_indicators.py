"""Benchmark: all standard indicators for all org units for one year, next to a DuckDB floor.

Times ``indicators_compute(actor=SYSTEM, year_be=2568)`` on a national-size records database, then
computes the same core aggregates with one hand-written DuckDB query over the same rows (the floor):
effective certified census counts (counts + amendments of certified returns) of jun10 2568 (E_t)
and jun10 2569 (E_t+1, repeaters R_t+1) by school and grade, rolled up to ESA, region and nation by
the ancestor codes in the path, with promotion, repetition and dropout rates per grade. The rows
reach DuckDB as a CSV written from the database (exporting is timed apart: DuckDB's sqlite scanner
needs an extension download). Usage:

    uv run python bench/students_indicators.py                # synthetic census on the national demo
    uv run python bench/students_indicators.py --db PATH      # an existing records database (SQLite
                                                              #   file with certified jun10 rounds)

The synthetic mode builds a fresh SQLite database in a temporary data directory: ``suksa migrate``
and ``suksa demo --scale national --records none`` (28,900 schools), then certified returns for
every school in both rounds with cells by grade × sex × age × repeater drawn from each school's
grade span and size (seeded), inserted with ``executemany``: about 2.3 M count rows.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRADES = ("K1", "K2", "K3", "P1", "P2", "P3", "P4", "P5", "P6", "M1", "M2", "M3", "M4", "M5", "M6")
OFFICIAL_AGE = dict(zip(GRADES, (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17), strict=True))
T = 2568


def suksa(*args: str, env: dict[str, str]) -> None:
    script = Path(sys.executable).with_name("suksa")
    subprocess.run([str(script), *args], check=True, env=env, stdout=subprocess.DEVNULL)


def synthetic_census(db: Path, seed: int = 2569) -> int:
    """Certified jun10 returns of 2568 and 2569 for every school; returns the number of count rows."""
    rng = random.Random(seed)
    con = sqlite3.connect(db)
    cur = con.cursor()
    schools = cur.execute(
        "SELECT unit_id, lowest_grade, highest_grade, student_count FROM core_school ORDER BY unit_id"
    ).fetchall()
    rounds = {}
    for year in (T, T + 1):
        (cd_id,) = cur.execute(
            "SELECT c.id FROM core_censusdate c JOIN core_academicyear y ON y.id = c.academic_year_id "
            "WHERE y.year_be = ? AND c.round = 'jun10'",
            (year,),
        ).fetchone()
        cur.execute(
            "INSERT INTO students_censusround (census_date_id, status, opened_at) VALUES (?, 'closed', datetime())",
            (cd_id,),
        )
        rounds[year] = cur.lastrowid
    rows = 0
    for year in (T, T + 1):
        returns = [
            (rounds[year], school_id, "acknowledged", n, 0, "", None, None, None, None, None)
            for school_id, _, _, n in schools
        ]
        cur.executemany(
            "INSERT INTO students_censusreturn (round_id, school_id, status, student_total, classroom_total, "
            "roster_digest, taken_at, certified_by_id, certified_at, acknowledged_by_id, acknowledged_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            returns,
        )
        ids = dict(
            cur.execute("SELECT school_id, id FROM students_censusreturn WHERE round_id = ?", (rounds[year],))
        )
        cells = []
        for school_id, low, high, n in schools:
            span = GRADES[GRADES.index(low) : GRADES.index(high) + 1]
            per_grade = max(1, n // len(span))
            for grade in span:
                age = OFFICIAL_AGE[grade]
                for sex in "FM":
                    base = max(0, int(per_grade / 2 * rng.uniform(0.8, 1.2)))
                    repeaters = int(base * rng.uniform(0, 0.06))
                    late = int(base * rng.uniform(0, 0.12))
                    on_time = base - repeaters - late
                    for a, rep, count in ((age, 0, on_time), (age + 1, 0, late), (age + 1, 1, repeaters)):
                        if count > 0:
                            cells.append((ids[school_id], grade, sex, a, rep, count, 0, 0))
        cur.executemany(
            "INSERT INTO students_censuscount (census_return_id, grade, sex, age, repeater, count, disabled, "
            "ccl_eligible) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            cells,
        )
        rows += len(cells)
    con.commit()
    con.close()
    return rows


FLOOR_SQL = """
WITH eff AS (
    SELECT r.school_id, y.year_be, c.grade, c.sex, c.repeater, c.n
    FROM (SELECT census_return_id, grade, sex, repeater, count AS n FROM counts
          UNION ALL SELECT census_return_id, grade, sex, repeater, delta FROM amendments) c
    JOIN returns r ON r.id = c.census_return_id
    JOIN rounds y ON y.id = r.round_id
    WHERE r.status IN ('certified', 'acknowledged')
),
by_school AS (
    SELECT school_id, grade, sex,
           SUM(n) FILTER (WHERE year_be = {t}) AS e_t,
           SUM(n) FILTER (WHERE year_be = {t1}) AS e_t1,
           SUM(n) FILTER (WHERE year_be = {t1} AND repeater) AS r_t1
    FROM eff GROUP BY ALL
),
with_units AS (
    SELECT b.*, UNNEST(list_slice(string_split(trim(u.path, '/'), '/'), 1, 4)) AS unit_code
    FROM by_school b JOIN units u ON u.id = b.school_id
),
rolled_sex AS (
    SELECT unit_code, grade, sex, SUM(e_t) AS e_t, SUM(e_t1) AS e_t1, SUM(r_t1) AS r_t1
    FROM with_units GROUP BY ALL
),
rolled AS (
    SELECT unit_code, grade, SUM(e_t) AS e_t, SUM(e_t1) AS e_t1, SUM(r_t1) AS r_t1
    FROM rolled_sex GROUP BY ALL
),
ordered AS (
    SELECT r.*, g.pos,
           LEAD(e_t1) OVER w AS e_next_t1, LEAD(r_t1) OVER w AS r_next_t1, LEAD(g.pos) OVER w AS next_pos
    FROM rolled r JOIN grades g USING (grade)
    WINDOW w AS (PARTITION BY unit_code ORDER BY g.pos)
)
SELECT unit_code, grade, e_t, e_t1, r_t1,
       CASE WHEN next_pos = pos + 1 THEN (e_next_t1 - coalesce(r_next_t1, 0)) / e_t END AS pr,
       coalesce(r_t1, 0) / e_t AS rr,
       1 - CASE WHEN next_pos = pos + 1 THEN (e_next_t1 - coalesce(r_next_t1, 0)) / e_t END
         - coalesce(r_t1, 0) / e_t AS dr,
       (SELECT COUNT(*) FROM rolled_sex) AS grade_sex_cells
FROM ordered WHERE e_t > 0
"""


def export_csvs(db: Path, out: Path) -> dict[str, Path]:
    """The same rows the service reads, written from the database as CSV files."""
    con = sqlite3.connect(db)
    queries = {
        "counts": "SELECT census_return_id, grade, sex, age, repeater, count FROM students_censuscount",
        "amendments": "SELECT census_return_id, grade, sex, age, repeater, delta FROM students_censusamendment",
        "returns": "SELECT id, round_id, school_id, status FROM students_censusreturn",
        "rounds": "SELECT r.id, y.year_be FROM students_censusround r JOIN core_censusdate c ON c.id = r.census_date_id "
        "JOIN core_academicyear y ON y.id = c.academic_year_id WHERE c.round = 'jun10'",
        "units": "SELECT id, code, path FROM core_orgunit",
    }
    headers = {
        "counts": "census_return_id,grade,sex,age,repeater,count",
        "amendments": "census_return_id,grade,sex,age,repeater,delta",
        "returns": "id,round_id,school_id,status",
        "rounds": "id,year_be",
        "units": "id,code,path",
    }
    paths = {}
    for name, sql in queries.items():
        path = out / f"{name}.csv"
        with path.open("w", newline="") as fh:
            fh.write(headers[name] + "\n")
            csv.writer(fh, lineterminator="\n").writerows(con.execute(sql))
        paths[name] = path
    con.close()
    return paths


_CELL = {
    "census_return_id": "BIGINT",
    "grade": "VARCHAR",
    "sex": "VARCHAR",
    "age": "INTEGER",
    "repeater": "BOOLEAN",
}
COLUMN_TYPES = {
    "counts": {**_CELL, "count": "BIGINT"},
    "amendments": {**_CELL, "delta": "BIGINT"},
    "returns": {"id": "BIGINT", "round_id": "BIGINT", "school_id": "BIGINT", "status": "VARCHAR"},
    "rounds": {"id": "BIGINT", "year_be": "INTEGER"},
    "units": {"id": "BIGINT", "code": "VARCHAR", "path": "VARCHAR"},
}


def floor(paths: dict[str, Path]) -> tuple[float, float, int]:
    import duckdb

    con = duckdb.connect()
    started = time.perf_counter()
    for name, path in paths.items():
        columns = ", ".join(f"'{c}': '{t}'" for c, t in COLUMN_TYPES[name].items())
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header=true, columns={{{columns}}})"  # noqa: S608
        )
    grades = ", ".join(f"('{g}', {i})" for i, g in enumerate(GRADES))
    con.execute(f"CREATE TABLE grades AS SELECT * FROM (VALUES {grades}) g(grade, pos)")  # noqa: S608
    loaded = time.perf_counter()
    rows = con.execute(FLOOR_SQL.format(t=T, t1=T + 1)).fetchall()
    done = time.perf_counter()
    return loaded - started, done - loaded, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an existing SQLite records database (default: build a synthetic one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    parser.add_argument("--floor-only", action="store_true", help="with --db: time only the DuckDB floor")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="suksa-bench-ind-"))
    env = {**os.environ, "SUKSA_DATA_DIR": str(tmp), "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    if args.db:
        (tmp / "suksa.sqlite3").unlink(missing_ok=True)
        shutil.copy(args.db, tmp / "suksa.sqlite3")
    else:
        t0 = time.perf_counter()
        suksa("migrate", "--noinput", env=env)
        suksa("demo", "--scale", "national", "--records", "none", env=env)
        db = next(tmp.glob("*.sqlite3"))
        cells = synthetic_census(db)
        print(
            f"setup: national demo + synthetic census, {cells:,} count rows ({time.perf_counter() - t0:.1f} s)"
        )
    db = next(tmp.glob("*.sqlite3"))
    os.environ.update({"SUKSA_DATA_DIR": str(tmp), "DJANGO_SETTINGS_MODULE": "config.settings.dev"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from suksa.core.policy import SYSTEM
    from suksa.domains.students.services.indicators import indicators_compute

    if args.floor_only:
        load, query, rows = floor(export_csvs(db, tmp))
        print(f"floor (DuckDB): load {load:.2f} s, query {query:.2f} s, {rows:,} unit×grade rows")
        return
    runs = []
    for _ in range(2):  # the second run replaces the first's rows: the steady-state cost
        started = time.perf_counter()
        summary = indicators_compute(actor=SYSTEM, year_be=T)
        runs.append((time.perf_counter() - started, summary))
    wall, summary = runs[-1]
    secs = summary.seconds
    print(f"indicators_compute {T}: {wall:.1f} s (first run {runs[0][0]:.1f} s); "
          f"aggregate {secs['aggregate']:.1f} s, compute {secs['compute']:.1f} s, store {secs['store']:.1f} s; "
          f"{summary.values_written:,} values for {summary.units}; returns {summary.returns_t:,}/{summary.returns_t1:,}")  # fmt: skip
    started = time.perf_counter()
    paths = export_csvs(db, tmp)
    exported = time.perf_counter() - started
    load, query, rows = floor(paths)
    core = secs["aggregate"] + secs["compute"]
    print(
        f"floor (DuckDB): export CSV {exported:.1f} s, load {load:.2f} s, query {query:.2f} s, {rows:,} unit×grade rows"
    )
    print(f"ratio, aggregate+compute (no storage) / DuckDB query: {core / query:.1f}x")
    print(f"ratio, aggregate+compute / DuckDB load+query: {core / (load + query):.1f}x")
    print(f"ratio, whole service incl. storing / DuckDB load+query: {wall / (load + query):.1f}x")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"kept {tmp}")


if __name__ == "__main__":
    main()
