"""Benchmark: all standard indicators for all org units for one year, next to a DuckDB floor.

Times ``indicators_compute(actor=SYSTEM, year_be=2568)`` on a national-size records database, then
computes THE SAME values with hand-written DuckDB SQL over the same rows (the floor): effective
certified census counts (counts + amendments of certified returns) of jun10 2568 and 2569 by school,
grade and sex, rolled up to ESA, region and nation by the ancestor codes in the path; enrolment by
every breakdown the service stores (total, sex, grade, grade×sex, level, level×sex; ages above the
school); promotion, repetition and dropout rates per unit and grade and per unit, level and sex;
survival to the last grade of each level (total and by sex, cohort of 1000, repetition cap 2); the
enrolment and promotion GPIs. The floor materialises its values in a DuckDB table and reports how
many. The rows reach DuckDB as CSV written from the database (timed apart). Usage:

    uv run python bench/students_indicators.py                 # synthetic census on the national demo
    uv run python bench/students_indicators.py --scale province
    uv run python bench/students_indicators.py --db PATH       # an existing SQLite records database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_indicators \
        uv run python bench/students_indicators.py             # the same on PostgreSQL (a database
                                                               #   of its own: it is reset)

The synthetic mode builds a fresh database (SQLite in a temporary data directory, or the
PostgreSQL database named by DATABASE_URL, dropped and recreated): ``suksa migrate`` and
``suksa demo --scale national --records none`` (28,900 schools), then certified returns for every
school in both rounds with cells by grade × sex × age × repeater drawn from each school's grade span
and size (seeded): about 1.3 M count rows. It prints the load average next to the timings.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
GRADES = ("K1", "K2", "K3", "P1", "P2", "P3", "P4", "P5", "P6", "M1", "M2", "M3", "M4", "M5", "M6")
LEVEL = dict.fromkeys(GRADES[:3], "pre_primary") | dict.fromkeys(GRADES[3:9], "primary")
LEVEL |= dict.fromkeys(GRADES[9:12], "lower_secondary") | dict.fromkeys(GRADES[12:], "upper_secondary")
OFFICIAL_AGE = dict(zip(GRADES, (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17), strict=True))
T = 2568


def suksa(*args: str, env: dict[str, str]) -> None:
    script = Path(sys.executable).with_name("suksa")
    subprocess.run([str(script), *args], check=True, env=env, stdout=subprocess.DEVNULL)


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


class Db:
    """A DB-API connection to the benchmark database (SQLite file or PostgreSQL URL)."""

    def __init__(self, sqlite_path: Path | None = None, url: str = "") -> None:
        self.pg = bool(url)
        if self.pg:
            import psycopg

            self.con: Any = psycopg.connect(url.replace("postgres://", "postgresql://", 1))
        else:
            self.con = sqlite3.connect(sqlite_path)

    def sql(self, text: str) -> str:
        return text if self.pg else text.replace("%s", "?")


def synthetic_census(db: Db, seed: int = 2569) -> int:
    """Certified jun10 returns of 2568 and 2569 for every school; returns the number of count rows."""
    rng = random.Random(seed)
    cur = db.con.cursor()
    now = dt.datetime.now(dt.UTC)
    cur.execute(
        "SELECT unit_id, lowest_grade, highest_grade, student_count FROM core_school ORDER BY unit_id"
    )
    schools = cur.fetchall()
    rounds = {}
    for year in (T, T + 1):
        cur.execute(
            db.sql(
                "SELECT c.id FROM core_censusdate c JOIN core_academicyear y ON y.id = c.academic_year_id "
                "WHERE y.year_be = %s AND c.round = 'jun10'"
            ),
            (year,),
        )
        (cd_id,) = cur.fetchone()
        cur.execute(
            db.sql(
                "INSERT INTO students_censusround (census_date_id, status, opened_at) VALUES (%s, 'closed', %s) "
                "RETURNING id"
            ),
            (cd_id, now),
        )
        rounds[year] = cur.fetchone()[0]
    rows = 0
    for year in (T, T + 1):
        returns = [
            (rounds[year], school_id, "acknowledged", n, 0, "", None, None, None, None, None)
            for school_id, _, _, n in schools
        ]
        cur.executemany(
            db.sql(
                "INSERT INTO students_censusreturn (round_id, school_id, status, student_total, classroom_total, "
                "roster_digest, taken_at, certified_by_id, certified_at, acknowledged_by_id, acknowledged_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            ),
            returns,
        )
        cur.execute(
            db.sql("SELECT school_id, id FROM students_censusreturn WHERE round_id = %s"), (rounds[year],)
        )
        ids = dict(cur.fetchall())
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
                    for a, rep, count in (
                        (age, False, on_time),
                        (age + 1, False, late),
                        (age + 1, True, repeaters),
                    ):
                        if count > 0:
                            cells.append((ids[school_id], grade, sex, a, rep, count, 0, 0))
        if db.pg:
            with cur.copy(
                "COPY students_censuscount (census_return_id, grade, sex, age, repeater, count, disabled, "
                "ccl_eligible) FROM STDIN"
            ) as copy:
                for cell in cells:
                    copy.write_row(cell)
        else:
            cur.executemany(
                "INSERT INTO students_censuscount (census_return_id, grade, sex, age, repeater, count, disabled, "
                "ccl_eligible) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                cells,
            )
        rows += len(cells)
    db.con.commit()
    if db.pg:
        db.con.autocommit = True
        db.con.execute("VACUUM ANALYZE")
        db.con.autocommit = False
    else:
        db.con.execute("ANALYZE")
    return rows


# The floor: every value the service computes from the census (graduates, teachers and attendance
# are not in the synthetic data), materialised as rows (unit, indicator, breakdown, value, num, den).
FLOOR_SQL = """
CREATE TABLE floor_values AS
WITH eff AS (
    SELECT r.school_id, y.year_be, c.grade, c.sex, c.age, c.repeater, c.n
    FROM (SELECT census_return_id, grade, sex, age, repeater, count AS n FROM counts
          UNION ALL SELECT census_return_id, grade, sex, age, repeater, delta FROM amendments) c
    JOIN returns r ON r.id = c.census_return_id
    JOIN rounds y ON y.id = r.round_id
    WHERE r.status IN ('certified', 'acknowledged')
),
by_school AS (
    SELECT school_id, grade, sex,
           SUM(n) FILTER (WHERE year_be = {t}) AS e_t,
           SUM(n) FILTER (WHERE year_be = {t1}) AS e_t1,
           SUM(n) FILTER (WHERE year_be = {t1} AND repeater = 1) AS r_t1
    FROM eff GROUP BY ALL
),
anc AS (  -- each school with itself and its ancestors (codes in the path), and their kinds
    SELECT s.id AS school_id, a.code AS unit_code, a.kind
    FROM (SELECT id, UNNEST(string_split(trim(path, '/'), '/')) AS code FROM units WHERE kind = 'school') s
    JOIN units a ON a.code = s.code
),
rolled AS (
    SELECT a.unit_code, any_value(a.kind) AS kind, b.grade, b.sex,
           coalesce(SUM(e_t), 0) AS e_t, coalesce(SUM(e_t1), 0) AS e_t1, coalesce(SUM(r_t1), 0) AS r_t1
    FROM by_school b JOIN anc a USING (school_id) GROUP BY a.unit_code, b.grade, b.sex
),
enrol AS (
    SELECT unit_code, grade, sex, level, SUM(e_t) AS n, GROUPING(grade, sex, level) AS gid
    FROM rolled JOIN grades USING (grade) WHERE e_t > 0
    GROUP BY GROUPING SETS ((unit_code), (unit_code, sex), (unit_code, grade), (unit_code, grade, sex),
                            (unit_code, level), (unit_code, level, sex))
),
ages AS (
    SELECT a.unit_code, e.age, e.grade, SUM(e.n) AS n
    FROM eff e JOIN anc a USING (school_id)
    WHERE e.year_be = {t} AND a.kind <> 'school'
    GROUP BY GROUPING SETS ((a.unit_code, e.age), (a.unit_code, e.age, e.grade))
),
flow_sex AS (  -- per unit, grade, sex: E[g,t], promotees E[g+1,t+1]-R[g+1,t+1], repeaters R[g,t+1]
    SELECT r.unit_code, r.grade, r.sex, g.level, g.pos, g.is_last, r.e_t AS e, r.r_t1 AS rep,
           CASE WHEN g.next_grade IS NULL THEN NULL ELSE coalesce(n.e_t1 - n.r_t1, 0) END AS p
    FROM rolled r JOIN grades g USING (grade)
    LEFT JOIN rolled n ON n.unit_code = r.unit_code AND n.sex = r.sex AND n.grade = g.next_grade
    WHERE r.e_t > 0
),
flow_grade AS (
    SELECT unit_code, grade, level, pos, is_last, SUM(e) AS e, SUM(p) AS p, SUM(rep) AS rep, NULL AS sex
    FROM flow_sex GROUP BY ALL
),
flow_level AS (
    SELECT unit_code, level, sex, SUM(e) AS e, SUM(p) AS p, SUM(rep) AS rep
    FROM flow_sex GROUP BY GROUPING SETS ((unit_code, level), (unit_code, level, sex))
),
steps AS (  -- the grades before the last of a level: survival steps, total and by sex
    SELECT unit_code, level, sex, p / e AS pr, rep / e AS rr FROM flow_sex WHERE NOT is_last
    UNION ALL
    SELECT unit_code, level, NULL, p / e, rep / e FROM flow_grade WHERE NOT is_last
),
survival AS (
    SELECT unit_code, level, sex, 1000 * product(pr * (1 + rr * (1 + rr))) AS reached, COUNT(*) AS n
    FROM steps GROUP BY ALL
),
parity AS (
    SELECT e.unit_code, e.level,
           SUM(n) FILTER (WHERE sex = 'F') AS f, SUM(n) FILTER (WHERE sex = 'M') AS m
    FROM enrol e WHERE e.sex IS NOT NULL AND e.grade IS NULL GROUP BY ALL
),
pr_sex AS (
    SELECT unit_code, level, MAX(p / e) FILTER (WHERE sex = 'F') AS f, MAX(p / e) FILTER (WHERE sex = 'M') AS m
    FROM flow_level WHERE sex IS NOT NULL GROUP BY ALL
)
SELECT unit_code, 'enrolment' AS indicator, concat_ws(';', 'grade=' || grade, 'level=' || level, 'sex=' || sex)
       AS breakdown, n::DOUBLE AS value, n::DOUBLE AS num, NULL::DOUBLE AS den FROM enrol
UNION ALL SELECT unit_code, 'enrolment', concat_ws(';', 'age=' || age, 'grade=' || grade), n, n, NULL FROM ages
UNION ALL SELECT unit_code, 'repetition_rate', 'grade=' || grade, rep / e, rep, e FROM flow_grade
UNION ALL SELECT unit_code, 'promotion_rate', 'grade=' || grade, p / e, p, e FROM flow_grade
UNION ALL SELECT unit_code, 'dropout_rate', 'grade=' || grade, (e - p - rep) / e, e - p - rep, e FROM flow_grade
UNION ALL SELECT unit_code, 'repetition_rate', concat_ws(';', 'level=' || level, 'sex=' || sex), rep / e, rep, e
    FROM flow_level
UNION ALL SELECT unit_code, 'promotion_rate', concat_ws(';', 'level=' || level, 'sex=' || sex), p / e, p, e
    FROM flow_level
UNION ALL SELECT unit_code, 'dropout_rate', concat_ws(';', 'level=' || level, 'sex=' || sex), (e - p - rep) / e,
    e - p - rep, e FROM flow_level
UNION ALL SELECT unit_code, 'survival_rate_' || level, coalesce('sex=' || sex, ''), reached / 1000, reached, 1000
    FROM survival WHERE level <> 'pre_primary'
UNION ALL SELECT unit_code, 'gpi_enrolment', coalesce('level=' || level, ''), f / m, f, m FROM parity
UNION ALL SELECT unit_code, 'adjusted_gpi_enrolment', coalesce('level=' || level, ''),
    CASE WHEN f <= m THEN f / m ELSE 2 - m / f END, f, m FROM parity
UNION ALL SELECT unit_code, 'gpi_promotion', 'level=' || level, f / m, f, m FROM pr_sex
UNION ALL SELECT unit_code, 'adjusted_gpi_promotion', 'level=' || level,
    CASE WHEN f <= m THEN f / m ELSE 2 - m / f END, f, m FROM pr_sex
"""


def export_csvs(db: Db, out: Path) -> dict[str, Path]:
    """The same rows the service reads, written from the database as CSV files."""
    queries = {
        "counts": "SELECT census_return_id, grade, sex, age, CASE WHEN repeater THEN 1 ELSE 0 END, count "
        "FROM students_censuscount",
        "amendments": "SELECT census_return_id, grade, sex, age, CASE WHEN repeater THEN 1 ELSE 0 END, delta "
        "FROM students_censusamendment",
        "returns": "SELECT id, round_id, school_id, status FROM students_censusreturn",
        "rounds": "SELECT r.id, y.year_be FROM students_censusround r JOIN core_censusdate c ON c.id = r.census_date_id "
        "JOIN core_academicyear y ON y.id = c.academic_year_id WHERE c.round = 'jun10'",
        "units": "SELECT id, code, kind, path FROM core_orgunit",
    }
    headers = {
        "counts": "census_return_id,grade,sex,age,repeater,count",
        "amendments": "census_return_id,grade,sex,age,repeater,delta",
        "returns": "id,round_id,school_id,status",
        "rounds": "id,year_be",
        "units": "id,code,kind,path",
    }
    paths = {}
    for name, sql in queries.items():
        path = out / f"{name}.csv"
        with path.open("w", newline="") as fh:
            fh.write(headers[name] + "\n")
            cur = db.con.cursor()
            cur.execute(sql)
            csv.writer(fh, lineterminator="\n").writerows(cur.fetchall())
        paths[name] = path
    return paths


_CELL = {
    "census_return_id": "BIGINT",
    "grade": "VARCHAR",
    "sex": "VARCHAR",
    "age": "INTEGER",
    "repeater": "INTEGER",
}
COLUMN_TYPES = {
    "counts": {**_CELL, "count": "BIGINT"},
    "amendments": {**_CELL, "delta": "BIGINT"},
    "returns": {"id": "BIGINT", "round_id": "BIGINT", "school_id": "BIGINT", "status": "VARCHAR"},
    "rounds": {"id": "BIGINT", "year_be": "INTEGER"},
    "units": {"id": "BIGINT", "code": "VARCHAR", "kind": "VARCHAR", "path": "VARCHAR"},
}


def floor(paths: dict[str, Path]) -> tuple[float, float, int]:
    """(load seconds, query seconds, values materialised)."""
    import duckdb

    con = duckdb.connect()
    started = time.perf_counter()
    for name, path in paths.items():
        columns = ", ".join(f"'{c}': '{t}'" for c, t in COLUMN_TYPES[name].items())
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header=true, columns={{{columns}}})"  # noqa: S608
        )
    last = {"K3", "P6", "M3", "M6"}
    grades = ", ".join(
        f"('{g}', {i}, '{LEVEL[g]}', {str(g in last).lower()}, "
        f"{repr(GRADES[i + 1]) if i + 1 < len(GRADES) else 'NULL'})"
        for i, g in enumerate(GRADES)
    )
    sql = f"CREATE TABLE grades AS SELECT * FROM (VALUES {grades}) g(grade, pos, level, is_last, next_grade)"  # noqa: S608
    con.execute(sql)
    loaded = time.perf_counter()
    con.execute(FLOOR_SQL.format(t=T, t1=T + 1))
    (rows,) = con.execute("SELECT COUNT(*) FROM floor_values").fetchone()
    done = time.perf_counter()
    return loaded - started, done - loaded, rows


def db_size(db: Db, sqlite_path: Path | None) -> str:
    if db.pg:
        cur = db.con.cursor()
        cur.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('core_indicatorvalue')), "
            "pg_size_pretty(pg_database_size(current_database()))"
        )
        table, total = cur.fetchone()
        return f"core_indicatorvalue {table} (with indexes), database {total}"
    assert sqlite_path is not None
    return f"SQLite file {sqlite_path.stat().st_size / 2**20:,.0f} MiB"


def reset_pg(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if name in ("", "test", "postgres") or name.startswith("test"):
        raise SystemExit(f"refusing to reset database {name!r}: give the benchmark a database of its own")
    admin = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an existing SQLite records database (default: build a synthetic one)")
    parser.add_argument("--scale", default="national", choices=("tiny", "province", "national"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    parser.add_argument("--floor-only", action="store_true", help="with --db: time only the DuckDB floor")
    parser.add_argument("--runs", type=int, default=2, help="runs of the service (the last is reported)")
    parser.add_argument("--profile", help="write a cProfile of the last run to this file")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    tmp = Path(tempfile.mkdtemp(prefix="suksa-bench-ind-"))
    env = {**os.environ, "SUKSA_DATA_DIR": str(tmp), "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    sqlite_path = None if url else tmp / "suksa.sqlite3"
    if args.db and not url:
        assert sqlite_path is not None
        shutil.copy(args.db, sqlite_path)
        suksa("migrate", "--noinput", env=env)
    else:
        t0 = time.perf_counter()
        if url:
            reset_pg(url)
        suksa("migrate", "--noinput", env=env)
        suksa("demo", "--scale", args.scale, "--records", "none", "--no-monitoring", env=env)
        if sqlite_path is None or not sqlite_path.exists():
            sqlite_path = next(tmp.glob("*.sqlite3"), None)
        setup_db = Db(sqlite_path, url)
        cells = synthetic_census(setup_db)
        setup_db.con.close()
        print(
            f"setup: {args.scale} demo + synthetic census, {cells:,} count rows ({time.perf_counter() - t0:.1f} s)"
        )
    if not url:
        sqlite_path = next(tmp.glob("*.sqlite3"))
    os.environ.update({"SUKSA_DATA_DIR": str(tmp), "DJANGO_SETTINGS_MODULE": "config.settings.dev"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from suksa.core.policy import SYSTEM
    from suksa.domains.students.services.indicators import indicators_compute

    db = Db(sqlite_path, url)
    backend = "PostgreSQL" if url else "SQLite"
    if args.floor_only:
        load_s, query, rows = floor(export_csvs(db, tmp))
        print(f"floor (DuckDB): load {load_s:.2f} s, query {query:.2f} s, {rows:,} values; {load()}")
        return
    runs = []
    for i in range(args.runs):  # the second run replaces the first's rows: the steady-state cost
        profiler = None
        if args.profile and i == args.runs - 1:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        summary = indicators_compute(actor=SYSTEM, year_be=T)
        runs.append((time.perf_counter() - started, summary))
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        print(f"  run {i + 1}: {runs[-1][0]:.1f} s {summary.seconds}; {load()}")
    wall, summary = runs[-1]
    secs = summary.seconds
    print(f"{backend} indicators_compute {T}: {wall:.1f} s (first run {runs[0][0]:.1f} s); "
          f"aggregate {secs['aggregate']:.1f} s, compute {secs['compute']:.1f} s, store {secs['store']:.1f} s "
          f"(of which delete {secs.get('delete', 0):.1f} s); {summary.values_written:,} values for {summary.units}; "
          f"returns {summary.returns_t:,}/{summary.returns_t1:,}; {load()}")  # fmt: skip
    print(f"size: {db_size(db, sqlite_path)}")
    started = time.perf_counter()
    paths = export_csvs(db, tmp)
    exported = time.perf_counter() - started
    load_s, query, rows = floor(paths)
    core = secs["aggregate"] + secs["compute"]
    print(f"floor (DuckDB): export CSV {exported:.1f} s, load {load_s:.2f} s, query {query:.2f} s, "
          f"{rows:,} values (service: {summary.values_written:,}); {load()}")  # fmt: skip
    print(f"ratio, aggregate+compute (no storage) / DuckDB query: {core / query:.1f}x")
    print(f"ratio, aggregate+compute / DuckDB load+query: {core / (load_s + query):.1f}x")
    print(f"ratio, whole service incl. storing / DuckDB load+query: {wall / (load_s + query):.1f}x")
    db.con.close()
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"kept {tmp}")


if __name__ == "__main__":
    main()
