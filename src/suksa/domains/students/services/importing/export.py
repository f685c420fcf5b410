"""A school's register for an academic year, in the DMC file format the import reads.

Rows are streamed from the database in chunks (a big school has 5,000 learners; an ESA export
would have far more), written as CSV in UTF-8 with a BOM (so that Excel shows Thai) or as XLSX
(openpyxl's write-only mode, which keeps memory flat). Exporting and importing the result back
changes nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet

from suksa.core import audit
from suksa.core.dates import format_be_input
from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.models import AcademicYear, AuditEntry, OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.students.dmc import DMC_HEADERS, ENTRY_EXPORT, SEX_EXPORT
from suksa.domains.students.models import Enrolment
from suksa.domains.students.models.choices import GRADE_SHORT_TH, OPEN_STATUSES

_VALUES = (
    "student__citizen_id", "student__g_code", "grade", "classroom__number", "student__prefix_th",
    "student__first_name_th", "student__last_name_th", "student__first_name_en", "student__last_name_en",
    "student__sex", "student__birth_date", "student__nationality", "entry", "starts_on",
)  # fmt: skip


def register_rows(*, actor: Actor, school: OrgUnit, academic_year: AcademicYear) -> Iterator[dict[str, str]]:
    """The learners enrolled (open enrolments) at ``school`` in ``academic_year``, one dict per
    learner keyed by the DMC Thai headers (:data:`DMC_HEADERS`), ordered by grade, room and name.

    Needs ``student.view`` on the school; otherwise the school is reported as not found.
    """
    if not actor.can(Perm.STUDENT_VIEW, school.path):
        raise NotFoundOrNoAccess.default()
    return _rows(school, academic_year)


def _register_enrolments(school: OrgUnit, academic_year: AcademicYear) -> QuerySet[Enrolment]:
    """The enrolments a register export writes: one per learner enrolled at the school that year."""
    return Enrolment.objects.filter(school=school, academic_year=academic_year, status__in=OPEN_STATUSES)


def register_export_audit(
    *, actor: Actor, school: OrgUnit, academic_year: AcademicYear, fmt: str, rows: int | None = None
) -> AuditEntry:
    """Audit one export of a school's register: school, year, format and number of rows — counted
    while writing when known, else counted in one query (a streamed CSV is audited before it
    leaves). No learner's data goes into the entry."""
    if rows is None:
        rows = _register_enrolments(school, academic_year).count()
    with transaction.atomic():
        return audit.record(
            actor=actor,
            action=AuditEntry.Action.EXPORT,
            object_type="students.register",
            object_id=school.pk,
            object_repr=f"register {school.code} {academic_year.year_be} ({fmt})",
            unit_path=school.path,
            changes={"school": school.code, "year": academic_year.year_be, "format": fmt, "rows": rows},
        )


def _rows(school: OrgUnit, academic_year: AcademicYear) -> Iterator[dict[str, str]]:
    h = DMC_HEADERS
    qs = (
        _register_enrolments(school, academic_year)
        .order_by("grade", "classroom__number", "student__first_name_th", "student__last_name_th", "pk")
        .values_list(*_VALUES)
    )
    for (cid, gcode, grade, room, prefix, first, last, first_en, last_en, sex, born, nationality, entry,
         starts) in qs.iterator(chunk_size=2000):  # fmt: skip
        yield {
            h["identifier"]: cid or gcode or "",
            h["school_code"]: school.code,
            h["academic_year"]: str(academic_year.year_be),
            h["grade"]: GRADE_SHORT_TH.get(grade, grade),
            h["room"]: str(room) if room is not None else "",
            h["prefix_th"]: prefix,
            h["first_name_th"]: first,
            h["last_name_th"]: last,
            h["first_name_en"]: first_en,
            h["last_name_en"]: last_en,
            h["sex"]: SEX_EXPORT.get(sex, sex),
            h["birth_date"]: format_be_input(born),
            h["nationality"]: nationality,
            h["entry"]: ENTRY_EXPORT.get(entry, entry),
            h["starts_on"]: format_be_input(starts),
        }


class _Line:
    """A write-only buffer ``csv.writer`` writes one line into, taken back at once."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)


def register_csv_chunks(rows: Iterator[dict[str, str]], lines_per_chunk: int = 500) -> Iterator[bytes]:
    """CSV bytes in UTF-8 with a BOM, a few hundred lines per chunk (for a streaming response)."""
    line = _Line()
    writer = csv.writer(line)
    writer.writerow(DMC_HEADERS.values())
    chunk = [codecs.BOM_UTF8.decode("utf-8") + line.text]
    line.text = ""
    for row in rows:
        writer.writerow(row.values())
        chunk.append(line.text)
        line.text = ""
        if len(chunk) >= lines_per_chunk:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    if chunk:
        yield "".join(chunk).encode("utf-8")


def register_xlsx(rows: Iterator[dict[str, str]]) -> IO[bytes]:
    """An XLSX file (in a temporary file, rewound) with the DMC header and one row per learner."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("DMC")
    ws.append(list(DMC_HEADERS.values()))
    for row in rows:
        ws.append(list(row.values()))
    out: Any = tempfile.TemporaryFile()  # noqa: SIM115 - returned open to the caller, who closes it
    wb.save(out)
    out.seek(0)
    return out


def template_csv() -> bytes:
    """The header row and one invented example row, for a downloadable template."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(DMC_HEADERS.values())
    writer.writerow(
        ["1101700203450", "1012000001", "2569", "ป.1", "1", "เด็กหญิง", "ใจดี", "มีสุข", "Jaidee", "Meesuk", "ญ",
         "14/02/2562", "THA", "ใหม่", "16/05/2569"]
    )  # fmt: skip
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
