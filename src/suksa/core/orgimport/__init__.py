"""Import inspection regions, ESAs and schools from one CSV/XLSX format (upsert by code).

The real ESA and school lists replace the synthetic ones through this package; the CLI command
``suksa import-orgunits``, the web page ``/org/import/`` and the API all call
:func:`orgunits_import`. :mod:`.rows` holds the file format and the checks of one row;
:mod:`.importer` resolves rows against what is stored and writes them.

How it works, and why:

* Rows are streamed by :func:`suksa.core.tabular.read_rows` and parsed into compact records (the
  file must be held once because parents may come after their children: rows are resolved by
  depth, regions first, then ESAs, then schools).
* Lookups (existing units of the file's codes and parent codes, geography, profiles) are loaded
  once, in batches, so validation issues no query per row.
* All-or-nothing by default; ``keep_valid`` writes the valid rows (and rows whose parent is a
  valid row) and reports the rest. Writes are set-based (``bulk_create``, one
  ``UPDATE … FROM (VALUES …)`` per batch); a unit whose parent changes is moved with its subtree
  (``orgunit_move_subtree_paths``). Size bands of the written schools are recomputed.
* A row equal to what is stored is counted as unchanged and leaves no audit entry, so that
  re-importing a file changes nothing.
* A row outside the actor's ``org.manage`` scope is reported exactly like an unknown parent, so
  that an import cannot be used to learn which codes exist elsewhere.
"""

from __future__ import annotations

import codecs
import csv
import io
from typing import BinaryIO

from django.db import IntegrityError, transaction

from suksa.core import audit
from suksa.core.errors import InvalidInput, Problem
from suksa.core.orgimport.importer import Importer, common_path
from suksa.core.orgimport.rows import COLUMNS, Progress, parse_grade
from suksa.core.policy import Actor
from suksa.core.tabular import ImportReport, problems_csv


def orgunits_import(
    *,
    actor: Actor,
    file: BinaryIO,
    filename: str,
    keep_valid: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Upsert regions, ESAs and schools from a CSV/XLSX file; see the module docstring.

    ``progress(stage, done, total)`` is called now and then (``stage`` is "read" or "write").
    """
    report = ImportReport(file=filename)
    importer = Importer(actor, report, keep_valid, progress)
    try:
        importer.read(file, filename)
    except InvalidInput as exc:
        report.problems = list(exc.problems)
        return report
    if not importer.recs:
        report.problems = [
            Problem(code="file_no_rows", th="ไม่มีแถวข้อมูลในไฟล์", en="The file has no data rows", file=filename)
        ]
        return report
    importer.load()
    importer.resolve()
    report.problems = [p for r in importer.recs for p in r.problems]
    if report.problems and not keep_valid:
        return report
    try:
        _write(importer, actor, report, filename)
    except IntegrityError:
        # Another import or edit created or changed one of these codes after this one read the
        # database: the whole write rolled back, so say so instead of failing with a server error.
        report.created = report.updated = report.unchanged = 0
        report.problems = [
            *report.problems,
            Problem(
                code="concurrent_change",
                th="มีการเพิ่มหรือแก้ไขหน่วยงานเดียวกันจากที่อื่นในเวลาเดียวกัน จึงไม่ได้บันทึกข้อมูลใด ๆ กรุณานำเข้าอีกครั้ง",
                en="The same units were added or changed elsewhere at the same time, so nothing was "
                "written; please import the file again",
                file=filename,
            ),
        ]
        return report
    report.committed = True
    report.kept_valid_rows = bool(report.problems)
    return report


def _write(importer: Importer, actor: Actor, report: ImportReport, filename: str) -> None:
    with transaction.atomic():
        importer.write()
        if report.created or report.updated:
            paths = [r.path for r in importer.recs if r.ok and r.action != "unchanged"]
            audit.record(
                actor=actor,
                action="import",
                object_type="core.orgunit",
                object_id=filename[:64],
                object_repr=filename,
                unit_path=common_path(paths),
                changes={
                    "rows_read": report.rows_read,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "rejected_rows": report.rejected_rows,
                },
            )


def error_report_csv(report: ImportReport) -> bytes:
    """Every problem of the import, in the shared problem-report layout."""
    return problems_csv(report.problems)


def template_csv() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(template_rows())
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def template_rows() -> list[list[str]]:
    """The header row (Thai) and one example row per kind, for a downloadable template."""
    header = [c.headers[0] for c in COLUMNS]
    examples = [
        ["เขตตรวจราชการ", "R01", "เขตตรวจราชการที่ 1", "Inspection Region 1", "OBEC", "", "",
         "นนทบุรี, ปทุมธานี", "", "", "", "", "", "", "", ""],
        ["สพท.", "11201", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษานนทบุรี เขต 1", "Nonthaburi Primary ESA 1",
         "R01", "ประถมศึกษา", "1", "นนทบุรี", "", "", "", "", "", "", "", ""],
        ["โรงเรียน", "1012000001", "โรงเรียนบ้านบางกร่าง", "Ban Bang Krang School", "11201", "", "",
         "นนทบุรี", "เมืองนนทบุรี", "สวนใหญ่", "ชนบท", "อ.1", "ป.6", "85", "8", "8"],
    ]  # fmt: skip
    return [header, *examples]


__all__ = ["COLUMNS", "error_report_csv", "orgunits_import", "parse_grade", "template_csv", "template_rows"]
