"""Import learners and their enrolments from a DMC-style CSV/XLSX file; export a school's register.

:func:`students_import` streams the file in batches (bounded memory: only the school codes, the
current batch and a compact set of identifiers already met are held), checks every row, and
writes set-based per batch, all inside ONE transaction: by default a file with any problem leaves
the database exactly as it was; with ``keep_valid`` the valid rows are written and the report
lists the rest. Rows equal to what is stored change nothing, so re-importing a file is a no-op,
and one import leaves at most one audit entry (a summary), not one per row.

An identifier enrolled at another school is a row error naming only that school's code; with
``keep_valid`` it also opens a :class:`~suksa.domains.students.models.DuplicateClaim` for the ESA.
A school outside the actor's ``student.edit`` scope reads exactly like an unknown school code.

:func:`students_import_submit` runs the import as a background job (``students.import``) for the
web and the API; the CLI calls :func:`students_import` directly. See docs/guide/students/import.md.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from itertools import islice
from typing import IO, Any

from django.db import IntegrityError, transaction

from suksa.core import audit, jobs
from suksa.core.errors import InvalidInput, PermissionDenied, Problem
from suksa.core.models import Job, OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.core.tabular import read_table
from suksa.domains.students.dmc import DMC_COLUMNS
from suksa.domains.students.services.importing.export import (
    register_csv_chunks,
    register_export_audit,
    register_rows,
    register_xlsx,
    template_csv,
)
from suksa.domains.students.services.importing.importer import (
    MAX_PROBLEMS,
    StudentImporter,
    StudentImportReport,
    common_path,
)

__all__ = [
    "BATCH_ROWS",
    "JOB_KIND",
    "StudentImportReport",
    "register_csv_chunks",
    "register_export_audit",
    "register_rows",
    "register_xlsx",
    "students_import",
    "students_import_submit",
    "template_csv",
]

JOB_KIND = "students.import"
BATCH_ROWS = 2000
# progress(rows_done, bytes_read, bytes_total): bytes are None for XLSX (a zip: no byte position).
ImportProgress = Callable[[int, int | None, int | None], None]


class _Rollback(Exception):
    """Raised inside the import's transaction to undo everything an all-or-nothing import wrote."""


class _Counting(io.RawIOBase):
    """Counts the bytes read from a file, for progress on a streamed CSV."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self.raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        return n


def _size_of(source: IO[bytes]) -> int | None:
    try:
        return os.fstat(source.fileno()).st_size
    except (OSError, AttributeError, io.UnsupportedOperation):
        size = getattr(source, "size", None)
        return int(size) if isinstance(size, int) else None


def _batches(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while batch := list(islice(rows, size)):
        yield batch


def students_import(
    *,
    actor: Actor,
    source: str | os.PathLike[str] | IO[bytes],
    filename: str,
    keep_valid: bool = False,
    progress: ImportProgress | None = None,
) -> StudentImportReport:
    """Import learners from a DMC-style file; see the module docstring. Never raises for bad input:
    the report's ``problems`` say what was wrong and ``committed`` whether anything was written."""
    report = StudentImportReport(file=filename)
    if not actor.can_anywhere(Perm.STUDENT_EDIT):
        report.problems = list(PermissionDenied.default().problems)
        return report
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as fh:
            return _import(actor, fh, filename, keep_valid, progress, report)
    return _import(actor, source, filename, keep_valid, progress, report)


def _import(
    actor: Actor,
    raw: IO[bytes],
    filename: str,
    keep_valid: bool,
    progress: ImportProgress | None,
    report: StudentImportReport,
) -> StudentImportReport:
    is_csv = not filename.lower().endswith((".xlsx", ".xlsm"))
    total = _size_of(raw) if is_csv else None
    counted = _Counting(raw) if is_csv else None
    stream: IO[bytes] = io.BufferedReader(counted, 1 << 16) if counted is not None else raw
    try:
        with transaction.atomic():
            table = read_table(stream, filename, DMC_COLUMNS)
            importer = StudentImporter(
                actor=actor, filename=filename, keep_valid=keep_valid, report=report, table=table
            )
            for batch in _batches(table.rows, BATCH_ROWS):
                importer.process(batch)
                if progress is not None:
                    progress(report.rows_read, counted.count if counted else None, total)
            if not report.rows_read:
                report.problems = [
                    Problem(
                        code="file_no_rows",
                        th="ไม่มีแถวข้อมูลในไฟล์",
                        en="The file has no data rows",
                        file=filename,
                    )
                ]
                raise _Rollback
            if report.rejected and not keep_valid:
                raise _Rollback
            _summarise(actor, importer, report, filename)
    except _Rollback:
        report.created = report.updated = report.unchanged = report.claims = 0
        return _finish(report)
    except InvalidInput as exc:  # the file itself: encoding, type, missing columns
        report.problems = list(exc.problems)
        report.created = report.updated = report.unchanged = 0
        return _finish(report)
    except IntegrityError:
        # Someone registered or moved one of these learners while the import ran: it rolled back.
        report.created = report.updated = report.unchanged = report.claims = 0
        report.problems.append(
            Problem(
                code="concurrent_change",
                th="มีการเพิ่มหรือแก้ไขนักเรียนคนเดียวกันจากที่อื่นในเวลาเดียวกัน จึงไม่ได้บันทึกข้อมูลใด ๆ กรุณานำเข้าอีกครั้ง",
                en="The same learners were added or changed elsewhere at the same time, so nothing was "
                "written; please import the file again",
                file=filename,
            )
        )
        return _finish(report)
    report.committed = True
    report.kept_valid_rows = bool(report.rejected)
    return _finish(report)


def _finish(report: StudentImportReport) -> StudentImportReport:
    if report.problem_count > len(report.problems):
        hidden = report.problem_count - len(report.problems)
        report.problems.append(
            Problem(
                code="problems_truncated",
                th=f"แสดงปัญหา {MAX_PROBLEMS:,} รายการแรก ยังมีอีก {hidden:,} รายการ",
                en=f"The first {MAX_PROBLEMS:,} problems are listed; {hidden:,} more were found",
                file=report.file,
            )
        )
    return report


def _summarise(actor: Actor, importer: StudentImporter, report: StudentImportReport, filename: str) -> None:
    if not (report.created or report.updated or report.claims):
        return
    audit.record(
        actor=actor,
        action="import",
        object_type="students.student",
        object_id=filename[:64],
        object_repr=filename,
        unit_path=common_path(importer.paths),
        changes={
            "rows_read": report.rows_read,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected_rows": report.rejected,
            "duplicate_claims": report.claims,
            "kept_valid_rows": bool(report.rejected),
        },
    )


# --------------------------------------------------------------------------- as a background job


def students_import_submit(*, actor: Actor, upload: Any, filename: str, keep_valid: bool = False) -> Job:
    """Queue an import of ``upload`` (a file object or bytes) as a job for ``actor``."""
    if not actor.can_anywhere(Perm.STUDENT_EDIT):
        raise PermissionDenied.default()
    if not filename.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
        raise InvalidInput.single(
            "file_type",
            "รองรับเฉพาะไฟล์ .csv และ .xlsx",
            "Only .csv and .xlsx files are accepted",
            file=filename,
        )
    # The job belongs to the unit the requester acts for, when there is one (a school's director):
    # system administrators over that unit may then follow it too.
    unit_ids = {g.unit_id for g in actor.grants_for(Perm.STUDENT_EDIT)}
    unit = OrgUnit.objects.filter(pk=next(iter(unit_ids))).first() if len(unit_ids) == 1 else None
    return jobs.submit(
        kind=JOB_KIND,
        actor=actor,
        unit=unit,
        params={"filename": filename, "keep_valid": keep_valid},
        input_file=upload,
        filename=filename,
    )


# Rows of problems kept in the job's result for the progress page and the problems CSV.
JOB_RESULT_PROBLEMS = 20_000


def _run_import_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    from suksa.domains.accounts.actors import actor_for
    from suksa.domains.accounts.models import User

    user = User.objects.filter(pk=job.requested_by_id).first() if job.requested_by_id else None
    if user is None or not user.is_active:
        raise PermissionDenied.default()
    actor = actor_for(user, source="web")
    path = jobs.input_path(job)
    if path is None:
        raise InvalidInput.single("file_missing", "ไม่พบไฟล์ที่อัปโหลด", "The uploaded file is missing")

    def report_progress(rows: int, read: int | None, total: int | None) -> None:
        estimate = int(rows * total / read) if rows and read and total else None
        progress(rows, max(estimate, rows) if estimate else None)

    filename = str(job.params.get("filename") or path.name)
    report = students_import(
        actor=actor, source=path, filename=filename, keep_valid=bool(job.params.get("keep_valid")),
        progress=report_progress,
    )  # fmt: skip
    progress(report.rows_read, report.rows_read)
    result = report.as_dict()
    result["problems"] = result["problems"][:JOB_RESULT_PROBLEMS]
    if report.committed:
        result["_message"] = (
            f"นำเข้าแล้ว: สร้าง {report.created:,} แก้ไข {report.updated:,} ไม่เปลี่ยน {report.unchanged:,} "
            f"แถวที่มีปัญหา {report.rejected:,}",
            f"Imported: created {report.created:,}, updated {report.updated:,}, unchanged {report.unchanged:,}, "
            f"rows with problems {report.rejected:,}",
        )
    else:
        result["_message"] = (
            f"ไม่ได้บันทึกข้อมูลใด ๆ เพราะพบปัญหา {max(report.problem_count, len(report.problems)):,} รายการ",
            f"Nothing was written: {max(report.problem_count, len(report.problems)):,} problems",
        )
    return result


jobs.register(JOB_KIND, _run_import_job)
