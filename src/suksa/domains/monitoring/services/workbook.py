"""The report as an Excel template for offline filling, and the import of the filled template.

The template (:func:`workbook_export`) has four sheets:

- ``คำชี้แจง-Instructions``: what to fill and how, in Thai then English;
- ``ตัวชี้วัด-Values``: one row per indicator of the report. Pre-filled rows are grey and locked
  (value, period and source shown); reported rows have their value cell open (yellow), with the
  unit and the allowed range beside it. The comment cell is open on every row (a comment answers a
  quality warning, also on a pre-filled value);
- ``ข้อความรายงาน-Narratives``: one row per narrative section, with its guidance and the text;
- ``meta`` (hidden): the report id and the ``lock_version`` the template was exported at.

:func:`workbook_import` is all-or-nothing: the file must really be an ``.xlsx`` template of *this*
report, exported at the report's current version (else :class:`~suksa.core.errors.Conflict`: someone
saved since, download a new template); every cell is checked as the editor checks it, and any
problem — a bad number, a changed pre-filled value (refused as an error, never silently ignored),
an unknown code, a text too long — is reported with its sheet, row and column in Thai and English,
and nothing is written. A clean file writes every change in one transaction, bumps the version once
and records one audit entry.
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from suksa.core import audit
from suksa.core.dates import format_be
from suksa.core.errors import Conflict, InvalidInput, Problem
from suksa.core.models import AuditEntry
from suksa.core.policy import Actor
from suksa.domains.monitoring.models import NarrativeEntry, Report, ReportValue
from suksa.domains.monitoring.models.choices import Unit, ValueOrigin, ValueType
from suksa.domains.monitoring.selectors import report_for_edit, report_get
from suksa.domains.monitoring.selectors_reports import EditorData, ValueRow, editor_data, format_number
from suksa.domains.monitoring.services.locking import bump, report_for_write
from suksa.domains.monitoring.services.reports import (
    COMMENT_MAX,
    check_number,
    clean_narrative,
    clean_text,
    parse_value,
    record_edit_time,
)

__all__ = [
    "FORMAT",
    "SHEET_META",
    "SHEET_TEXT",
    "SHEET_VALUES",
    "XLSX_TYPE",
    "ImportResult",
    "workbook_export",
    "workbook_import",
]

FORMAT = "suksa.monitoring.report/1"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_INFO = "คำชี้แจง-Instructions"
SHEET_VALUES = "ตัวชี้วัด-Values"
SHEET_TEXT = "ข้อความรายงาน-Narratives"
SHEET_META = "meta"
MAX_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED = 60 * 1024 * 1024
MAX_ROWS = 1000  # rows with data per sheet (a framework has a few dozen)
MAX_SCAN = 20_000  # rows looked at per sheet

# (key, header, width). Import finds columns by header (or key), so moved columns still work.
VALUE_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("code", "รหัส / Code", 26),
    ("name_th", "ตัวชี้วัด / Indicator", 42),
    ("name_en", "Indicator (English)", 36),
    ("standard", "มาตรฐาน / Standard", 11),
    ("origin", "ที่มา / Origin", 24),
    ("unit", "หน่วย / Unit", 22),
    ("min", "ต่ำสุด / Min", 11),
    ("max", "สูงสุด / Max", 11),
    ("value", "ค่า / Value", 14),
    ("comment", "คำอธิบาย / Comment", 44),
    ("period", "ช่วงข้อมูล / Period", 15),
    ("source", "แหล่งข้อมูล / Source", 48),
)
TEXT_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("code", "รหัส / Code", 18),
    ("standard", "มาตรฐาน / Standard", 11),
    ("title", "หัวข้อ / Section", 40),
    ("guidance", "คำแนะนำ / Guidance", 50),
    ("text", "ข้อความ / Text", 90),
)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F4")
_LOCKED_FILL = PatternFill("solid", fgColor="E6E6E6")
_OPEN_FILL = PatternFill("solid", fgColor="FFF6CC")
_GREY = Font(color="555555")
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_OPEN = Protection(locked=False)


# --- export ----------------------------------------------------------------------------------------


def workbook_export(*, actor: Actor, report_id: int) -> tuple[bytes, str]:
    """The template of a report the actor sees, as ``(xlsx bytes, file name)``; audited as an export."""
    report = report_get(actor, report_id)
    data = editor_data(report)
    book = build_workbook(data, exported_by=actor.username)
    buffer = io.BytesIO()
    book.save(buffer)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=AuditEntry.Action.EXPORT,
            object_type="monitoring.report",
            object_id=report.pk,
            object_repr=f"{report.round.key} {report.esa.code} workbook",
            unit_path=report.esa.path,
            changes={"format": "xlsx", "lock_version": report.lock_version},
        )
    name = f"esa-report-{report.esa.code}-{report.round.framework.fiscal_year}-{report.round.code}.xlsx"
    return buffer.getvalue(), name


def _unit_label(unit: str) -> str:
    return str(Unit(unit).label)


def _origin_label(row: ValueRow) -> str:
    if not row.is_prefilled:
        return "สพท. กรอก / Reported"
    return "เติมจากระบบ (แก้ไขไม่ได้) / Pre-filled (read-only)"


def _source_text(row: ValueRow) -> str:
    if not row.is_prefilled:
        return ""
    src = row.source
    if src.get("missing"):
        return "ไม่มีข้อมูลในระบบ / No data on the platform"
    parts = [str(src.get("producer") or "")]
    if src.get("run_id"):
        parts.append(f"run {src['run_id']}")
    computed = row.computed_at
    if computed is not None:
        parts.append(
            format_be(timezone.localtime(computed) if timezone.is_aware(computed) else computed, "th")
        )
    return " · ".join(p for p in parts if p)


def _header(ws: Any, columns: tuple[tuple[str, str, int], ...]) -> None:
    for i, (_key, title, width) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=title)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "B2"


def _protect(ws: Any) -> None:
    # No password: the lock only guards against accidental edits; the import checks every cell.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def build_workbook(data: EditorData, *, exported_by: str = "") -> Workbook:
    report = data.report
    book = Workbook()
    info = book.active
    assert info is not None
    info.title = SHEET_INFO
    _instructions(info, report)

    ws = book.create_sheet(SHEET_VALUES)
    _header(ws, VALUE_COLUMNS)
    col = {key: i for i, (key, _t, _w) in enumerate(VALUE_COLUMNS, start=1)}
    standard_of = {v.code: (g.standard.code if g.standard else "") for g in data.groups for v in g.values}
    rownum = 1
    for row in data.values:
        rownum += 1
        ind = row.indicator
        cells = {
            "code": ind.code,
            "name_th": ind.name_th,
            "name_en": ind.name_en,
            "standard": standard_of.get(ind.code, ""),
            "origin": _origin_label(row),
            "unit": _unit_label(ind.unit)
            + (" (จำนวนเต็ม / whole number)" if ind.value_type == ValueType.INTEGER else ""),
            "min": ind.min_value,
            "max": ind.max_value,
            "value": row.value.value,
            "comment": row.value.comment,
            "period": row.value.period,
            "source": _source_text(row),
        }
        for key, value in cells.items():
            cell = ws.cell(row=rownum, column=col[key], value=value)
            cell.alignment = _WRAP
            if row.is_prefilled:
                cell.fill = _LOCKED_FILL
                cell.font = _GREY
        ws.cell(row=rownum, column=col["comment"]).protection = _OPEN
        ws.cell(row=rownum, column=col["comment"]).fill = _OPEN_FILL
        if not row.is_prefilled:
            value_cell = ws.cell(row=rownum, column=col["value"])
            value_cell.protection = _OPEN
            value_cell.fill = _OPEN_FILL
            value_cell.number_format = "0" if ind.value_type == ValueType.INTEGER else "General"
            _validation(ws, value_cell.coordinate, ind.value_type, ind.min_value, ind.max_value)
    _protect(ws)

    ws = book.create_sheet(SHEET_TEXT)
    _header(ws, TEXT_COLUMNS)
    rownum = 1
    for group in data.groups:
        for sec in group.sections:
            rownum += 1
            s = sec.section
            values = [
                s.code,
                group.standard.code if group.standard else "",
                f"{s.title_th}\n{s.title_en}",
                f"{s.guidance_th}\n{s.guidance_en}".strip(),
                sec.text,
            ]
            for i, value in enumerate(values, start=1):
                cell = ws.cell(row=rownum, column=i, value=value)
                cell.alignment = _WRAP
            text_cell = ws.cell(row=rownum, column=len(values))
            text_cell.protection = _OPEN
            text_cell.fill = _OPEN_FILL
            ws.row_dimensions[rownum].height = 120
    _protect(ws)

    meta = book.create_sheet(SHEET_META)
    for key, value in (
        ("format", FORMAT),
        ("report_id", report.pk),
        ("lock_version", report.lock_version),
        ("round", report.round.key),
        ("esa_code", report.esa.code),
        ("exported_at", timezone.now().isoformat(timespec="seconds")),
        ("exported_by", exported_by),
    ):
        meta.append([key, value])
    meta.sheet_state = "hidden"
    _protect(meta)
    return book


def _validation(ws: Any, coordinate: str, value_type: str, lo: float | None, hi: float | None) -> None:
    kind: Literal["whole", "decimal"] = "whole" if value_type == ValueType.INTEGER else "decimal"
    if lo is not None and hi is not None:
        dv = DataValidation(type=kind, operator="between", formula1=_f(lo), formula2=_f(hi))
        th, en = (
            f"ระหว่าง {format_number(lo)} ถึง {format_number(hi)}",
            f"between {format_number(lo)} and {format_number(hi)}",
        )
    elif lo is not None:
        dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=_f(lo))
        th, en = f"ไม่น้อยกว่า {format_number(lo)}", f"at least {format_number(lo)}"
    elif hi is not None:
        dv = DataValidation(type=kind, operator="lessThanOrEqual", formula1=_f(hi))
        th, en = f"ไม่เกิน {format_number(hi)}", f"at most {format_number(hi)}"
    else:
        return
    dv.allow_blank = True
    dv.showErrorMessage = True
    dv.errorTitle = "ค่าไม่ถูกต้อง / Invalid value"
    dv.error = f"กรอกตัวเลข{th} / Enter a number {en}"
    ws.add_data_validation(dv)
    dv.add(coordinate)


def _f(x: float) -> str:
    return format_number(x)


def _instructions(ws: Any, report: Report) -> None:
    ws.column_dimensions["A"].width = 110
    esa = report.esa
    rnd = report.round
    lines = [
        ("แบบฟอร์มรายงานผลการดำเนินงานของสำนักงานเขตพื้นที่การศึกษา (e-MES)", True),
        (f"{esa.name_th} ({esa.code}) · {rnd.name_th}", False),
        (f"กำหนดส่ง {format_be(rnd.due_on, 'th', 'long')} · ปิดรอบ {format_be(rnd.locks_on, 'th', 'long')} · "
         f"ฉบับที่ {report.lock_version}", False),
        ("", False),
        ("วิธีกรอก", True),
        ("1. กรอกเฉพาะช่องสีเหลือง: ค่าตัวชี้วัดที่ สพท. รายงาน คำอธิบาย และข้อความรายงานแต่ละหัวข้อ", False),
        ("2. แถวสีเทาเป็นค่าที่ระบบเติมจากข้อมูลที่มีอยู่แล้ว (พร้อมช่วงข้อมูลและแหล่งข้อมูล) แก้ไขไม่ได้ "
         "หากเห็นว่าไม่ถูกต้อง ให้ใช้ “แจ้งปัญหาข้อมูล” ในหน้ารายงาน", False),
        ("3. กรอกตัวเลขตามหน่วยของตัวชี้วัด เช่น ร้อยละ 85.5 กรอก 85.5 (หรือ 85.5%) จำนวนคนกรอกจำนวนเต็ม เช่น 1,234", False),
        ("4. ช่องคำอธิบายใช้ตอบคำเตือนด้านคุณภาพข้อมูล เช่น ค่าที่เปลี่ยนแปลงมาก", False),
        ("5. ห้ามแก้ไขแผ่นงาน meta ที่ซ่อนไว้ บันทึกเป็น .xlsx แล้วนำเข้าที่หน้ารายงาน ระบบตรวจทุกช่อง "
         "หากพบข้อผิดพลาดจะแจ้งแผ่นงาน แถว และคอลัมน์ และไม่บันทึกข้อมูลใดเลย", False),
        ("6. หากมีผู้บันทึกรายงานทางเว็บหลังจากดาวน์โหลดแบบฟอร์มนี้ ระบบจะไม่รับไฟล์ ให้ดาวน์โหลดแบบฟอร์มใหม่", False),
        ("", False),
        ("ESA monitoring report template (e-MES)", True),
        (f"{esa.name_en or esa.name_th} ({esa.code}) · {rnd.name_en}", False),
        (f"Due {format_be(rnd.due_on, 'en')} · locks {format_be(rnd.locks_on, 'en')} · version {report.lock_version}", False),
        ("", False),
        ("How to fill it in", True),
        ("1. Fill only the yellow cells: the values the ESA reports, comments and the text of each narrative section.", False),
        ("2. Grey rows are pre-filled from data the platform already holds (with period and source) and cannot be "
         "changed; if one is wrong, use “Report a data problem” on the report page.", False),
        ("3. Enter numbers in the indicator's unit: a percent as 85.5 (or 85.5%), persons as whole numbers such as 1,234.", False),
        ("4. The comment column answers data-quality warnings, such as a large change.", False),
        ("5. Do not edit the hidden meta sheet. Save as .xlsx and import it on the report page. Every cell is checked; "
         "any error is listed with its sheet, row and column, and nothing is saved.", False),
        ("6. If someone saves the report on the web after you downloaded this template, the file is refused: "
         "download a new template.", False),
    ]  # fmt: skip
    for n, (text, bold) in enumerate(lines, start=1):
        cell = ws.cell(row=n, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if bold:
            cell.font = _BOLD
    _protect(ws)


# --- import ----------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    file: str
    values_changed: int = 0
    comments_changed: int = 0
    narratives_changed: int = 0
    lock_version: int = 0
    changed_codes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.values_changed + self.comments_changed + self.narratives_changed

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "values_changed": self.values_changed,
            "comments_changed": self.comments_changed,
            "narratives_changed": self.narratives_changed,
            "lock_version": self.lock_version,
            "changed_codes": list(self.changed_codes),
        }


@dataclass
class _Cell:
    value: Any
    number_format: str = "General"


@dataclass
class _Sheet:
    name: str
    header: dict[str, int]  # key -> 0-based position
    letters: dict[str, str]  # key -> column letter
    rows: list[tuple[int, list[_Cell]]]  # (Excel row number, cells)

    def cell(self, cells: list[_Cell], key: str) -> _Cell:
        i = self.header.get(key)
        if i is None or i >= len(cells):
            return _Cell(None)
        return cells[i]

    def column(self, key: str) -> str:
        return f"{self.name}!{self.letters.get(key, '?')}"


@dataclass
class _Parsed:
    meta: dict[str, str]
    values: _Sheet
    texts: _Sheet


def _file_problem(code: str, th: str, en: str, filename: str) -> InvalidInput:
    return InvalidInput([Problem(code=code, th=th, en=en, file=filename)])


def _check_container(data: bytes, filename: str) -> None:
    if len(data) > MAX_BYTES:
        raise _file_problem(
            "file_too_large",
            f"ไฟล์ใหญ่เกิน {MAX_BYTES // (1024 * 1024)} MB",
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB",
            filename,
        )
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _file_problem(
            "old_excel",
            "ไฟล์นี้เป็น Excel รุ่นเก่า (.xls) โปรดใช้แบบฟอร์ม .xlsx ที่ดาวน์โหลดจากระบบ",
            "This is an old Excel (.xls) file: use the .xlsx template downloaded from Suksa",
            filename,
        )
    not_xlsx = _file_problem(
        "not_xlsx",
        "ไฟล์นี้ไม่ใช่ไฟล์ Excel (.xlsx) โปรดใช้แบบฟอร์มที่ดาวน์โหลดจากหน้ารายงาน",
        "This is not an Excel (.xlsx) file: use the template downloaded from the report page",
        filename,
    )
    if not data.startswith(b"PK\x03\x04"):
        raise not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _file_problem(
            "file_unreadable",
            "เปิดไฟล์ Excel ไม่ได้ ไฟล์อาจเสียหายหรือดาวน์โหลดไม่ครบ",
            "Cannot open the Excel file: it may be damaged or incompletely downloaded",
            filename,
        ) from exc
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise not_xlsx
    if sum(i.file_size for i in infos) > MAX_UNZIPPED:
        raise _file_problem("file_too_large", "ไฟล์มีข้อมูลมากเกินไป", "The file holds too much data", filename)


def _read(data: bytes, filename: str) -> _Parsed:
    _check_container(data, filename)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise _file_problem(
            "file_unreadable",
            "เปิดไฟล์ Excel ไม่ได้ ไฟล์อาจเสียหายหรือดาวน์โหลดไม่ครบ",
            "Cannot open the Excel file: it may be damaged or incompletely downloaded",
            filename,
        ) from exc
    try:
        names = set(book.sheetnames)
        if SHEET_META not in names or SHEET_VALUES not in names or SHEET_TEXT not in names:
            raise _file_problem(
                "not_report_workbook",
                "ไฟล์นี้ไม่ใช่แบบฟอร์มรายงานที่ดาวน์โหลดจากระบบ (ไม่พบแผ่นงานที่ต้องมี) โปรดดาวน์โหลดแบบฟอร์มใหม่",
                "This file is not a report template downloaded from Suksa (its sheets are missing); "
                "download a new template",
                filename,
            )
        meta: dict[str, str] = {}
        for values in book[SHEET_META].iter_rows(min_row=1, max_row=50, max_col=2, values_only=True):
            if values and values[0] is not None:
                meta[str(values[0]).strip()] = (
                    "" if len(values) < 2 or values[1] is None else str(values[1]).strip()
                )
        sheets = [
            _sheet(book[SHEET_VALUES], SHEET_VALUES, VALUE_COLUMNS, ("code", "value", "comment"), filename),
            _sheet(book[SHEET_TEXT], SHEET_TEXT, TEXT_COLUMNS, ("code", "text"), filename),
        ]
    finally:
        book.close()
    return _Parsed(meta=meta, values=sheets[0], texts=sheets[1])


def _header_key(text: Any) -> str:
    return " ".join(str(text or "").split()).lower()


def _sheet(
    ws: Any, name: str, columns: tuple[tuple[str, str, int], ...], required: tuple[str, ...], filename: str
) -> _Sheet:
    aliases = {}
    for key, title, _w in columns:
        aliases[_header_key(title)] = key
        aliases[_header_key(key)] = key
    header: dict[str, int] = {}
    letters: dict[str, str] = {}
    rows: list[tuple[int, list[_Cell]]] = []
    for number, raw in enumerate(ws.iter_rows(), start=1):
        cells = [
            _Cell(getattr(c, "value", None), getattr(c, "number_format", None) or "General") for c in raw
        ]
        if number == 1:
            for i, c in enumerate(cells):
                found = aliases.get(_header_key(c.value))
                if found is not None and found not in header:
                    header[found] = i
                    letters[found] = get_column_letter(i + 1)
            missing = [k for k in required if k not in header]
            if missing:
                titles = {k: t for k, t, _w in columns}
                raise InvalidInput(
                    [
                        Problem(
                            code="column_missing",
                            th=f"ไม่พบคอลัมน์ “{titles[k]}” ในแถวหัวตาราง",
                            en=f"The header row has no “{titles[k]}” column",
                            row=1,
                            column=name,
                            file=filename,
                        )
                        for k in missing
                    ]
                )
            continue
        if number > MAX_SCAN:
            break  # formatting applied to whole columns leaves empty rows down to row 1,048,576
        if not any(c.value not in (None, "") for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise InvalidInput(
                [
                    Problem(
                        code="too_many_rows",
                        th=f"แผ่นงานมีข้อมูลเกิน {MAX_ROWS:,} แถว ไม่ใช่แบบฟอร์มของระบบ",
                        en=f"The sheet has more than {MAX_ROWS:,} rows of data: it is not a Suksa template",
                        row=number,
                        column=name,
                        file=filename,
                    )
                ]
            )
        rows.append((number, cells))
    if not header:
        raise InvalidInput(
            [
                Problem(
                    code="file_empty", th="แผ่นงานว่างเปล่า", en="The sheet is empty", column=name, file=filename
                )
            ]
        )
    return _Sheet(name=name, header=header, letters=letters, rows=rows)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell_number(row: ValueRow, cell: _Cell) -> float | None:
    value = cell.value
    ind = row.indicator
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return parse_value(ind, _text(value))
    number = float(value)
    if "%" in (cell.number_format or ""):
        number = round(number * 100, 9)  # a cell formatted as a percentage holds 0.855 for 85.5 %
    if not math.isfinite(number):
        return parse_value(ind, _text(value))
    return check_number(ind, number)


def _same(cell: _Cell, stored: float | None) -> bool:
    value = cell.value
    if value is None or (isinstance(value, str) and not value.strip()):
        return stored is None
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        try:
            value = float(value.replace(",", "").strip())
        except ValueError:
            return False
    if not isinstance(value, int | float) or stored is None:
        return False
    return abs(float(value) - stored) <= 1e-9 * max(1.0, abs(stored))


def _located(error: InvalidInput, row: int, column: str, filename: str) -> list[Problem]:
    return [p.located(row=row, column=column, file=filename) for p in error.problems]


def workbook_import(*, actor: Actor, report_id: int, data: bytes, filename: str) -> ImportResult:
    """Import a filled template into the report: everything or nothing (see the module docstring)."""
    report_for_edit(actor, report_id)  # scope (404) and report.edit (403) before reading the file
    filename = (filename or "report.xlsx")[-120:]
    parsed = _read(data, filename)
    meta_report = _int(parsed.meta.get("report_id"))
    meta_version = _int(parsed.meta.get("lock_version"))
    if parsed.meta.get("format") != FORMAT or meta_report is None or meta_version is None:
        raise _file_problem(
            "not_report_workbook",
            "ไฟล์นี้ไม่ใช่แบบฟอร์มรายงานที่ดาวน์โหลดจากระบบ (ข้อมูลในแผ่นงาน meta ไม่ครบ) โปรดดาวน์โหลดแบบฟอร์มใหม่",
            "This file is not a report template downloaded from Suksa (its meta sheet is incomplete); "
            "download a new template",
            filename,
        )
    if meta_report != report_id:
        raise _file_problem(
            "wrong_report",
            f"ไฟล์นี้เป็นแบบฟอร์มของรายงานเลขที่ {meta_report} ไม่ใช่รายงานนี้ (เลขที่ {report_id})",
            f"This file is the template of report {meta_report}, not of this report ({report_id})",
            filename,
        )
    result = ImportResult(file=filename)
    with transaction.atomic():
        try:
            report = report_for_write(actor, report_id, meta_version)
        except Conflict as exc:
            stale = Conflict(
                [
                    Problem(
                        code="stale_workbook",
                        th=f"แบบฟอร์มนี้ดาวน์โหลดเมื่อรายงานเป็นฉบับที่ {meta_version} แต่มีผู้บันทึกรายงานหลังจากนั้น "
                        f"(ขณะนี้ฉบับที่ {exc.current}) ไม่มีข้อมูลใดถูกบันทึก โปรดดาวน์โหลดแบบฟอร์มใหม่แล้วกรอกอีกครั้ง",
                        en=f"This template was downloaded at version {meta_version} of the report, and someone has "
                        f"saved it since (now version {exc.current}); nothing was saved. Download a new template "
                        "and fill it again",
                        field="lock_version",
                        file=filename,
                    )
                ]
            )
            stale.current = exc.current
            raise stale from exc
        current = editor_data(report)
        problems: list[Problem] = []
        value_updates = _values_from(parsed.values, current, filename, problems)
        text_updates = _texts_from(parsed.texts, current, filename, problems)
        if problems:
            raise InvalidInput(problems)
        now = timezone.now()
        changes: dict[str, Any] = {"file": filename}
        changed_values: dict[str, list[Any]] = {}
        changed_comments: list[str] = []
        to_save: list[ReportValue] = []
        for row, number, comment in value_updates:
            v = row.value
            touched = False
            if number is not _KEEP and number != v.value:
                changed_values[row.code] = [v.value, number]
                v.value = number
                touched = True
            if comment != v.comment:
                changed_comments.append(row.code)
                v.comment = comment
                touched = True
            if touched:
                v.updated_at, v.updated_by = now, actor.username
                to_save.append(v)
        if to_save:
            ReportValue.objects.bulk_update(to_save, ["value", "comment", "updated_at", "updated_by"])
        changed_texts: dict[str, list[int]] = {}
        for sec, text in text_updates:
            if text == sec.text:
                continue
            changed_texts[sec.code] = [len(sec.text), len(text)]
            entry = sec.entry or NarrativeEntry(report=report, section=sec.section)
            entry.text, entry.updated_at, entry.updated_by = text, now, actor.username
            entry.save()
        result.values_changed = len(changed_values)
        result.comments_changed = len(changed_comments)
        result.narratives_changed = len(changed_texts)
        result.changed_codes = sorted({*changed_values, *changed_comments, *changed_texts})
        old_version = report.lock_version
        result.lock_version = bump(report) if result.changed else old_version
        if result.changed:
            record_edit_time(report, actor, saves=1)
        changes.update(
            {
                "values": changed_values,
                "comments": changed_comments,
                "narratives": changed_texts,
                "lock_version": [old_version, result.lock_version],
            }
        )
        audit.record(
            actor=actor,
            action=AuditEntry.Action.IMPORT,
            object_type="monitoring.report",
            object_id=report.pk,
            object_repr=f"{report.round.key} {report.esa.code} workbook",
            unit_path=report.esa.path,
            changes=changes,
        )
    return result


class _Keep:
    """Marks a pre-filled value: the import leaves its number as it is."""


_KEEP: Any = _Keep()


def _values_from(
    sheet: _Sheet, current: EditorData, filename: str, problems: list[Problem]
) -> list[tuple[ValueRow, Any, str]]:
    by_code = {v.code: v for v in current.values}
    seen: set[str] = set()
    out: list[tuple[ValueRow, Any, str]] = []
    for number, cells in sheet.rows:
        code = _text(sheet.cell(cells, "code").value).strip()
        if not code:
            problems.append(
                Problem(
                    code="code_missing",
                    th="แถวนี้ไม่มีรหัสตัวชี้วัด",
                    en="This row has no indicator code",
                    row=number,
                    column=sheet.column("code"),
                    file=filename,
                )
            )
            continue
        row = by_code.get(code)
        if row is None:
            problems.append(
                Problem(
                    code="unknown_indicator",
                    th=f"ไม่พบตัวชี้วัดรหัส “{code[:60]}” ในรายงานนี้",
                    en=f"The report has no indicator “{code[:60]}”",
                    field=code[:60],
                    row=number,
                    column=sheet.column("code"),
                    file=filename,
                )
            )
            continue
        if code in seen:
            problems.append(
                Problem(
                    code="duplicate_row",
                    th=f"ตัวชี้วัด “{code}” มีมากกว่าหนึ่งแถว",
                    en=f"Indicator “{code}” appears on more than one row",
                    field=code,
                    row=number,
                    column=sheet.column("code"),
                    file=filename,
                )
            )
            continue
        seen.add(code)
        value_cell = sheet.cell(cells, "value")
        new: Any = _KEEP
        if row.value.origin == ValueOrigin.PREFILLED:
            if not _same(value_cell, row.value.value):
                problems.append(
                    Problem(
                        code="prefilled_changed",
                        th="ค่านี้เติมจากข้อมูลในระบบ แก้ไขในแบบฟอร์มไม่ได้ (ให้คงค่าเดิมไว้) หากเห็นว่าไม่ถูกต้อง "
                        "โปรดใช้ “แจ้งปัญหาข้อมูล” ในหน้ารายงาน",
                        en="This value is pre-filled from the platform's data and cannot be changed in the "
                        "template (leave it as it was); if it is wrong, use “Report a data problem” on the report page",
                        field=code,
                        row=number,
                        column=sheet.column("value"),
                        file=filename,
                    )
                )
        else:
            try:
                new = _cell_number(row, value_cell)
            except InvalidInput as error:
                problems.extend(_located(error, number, sheet.column("value"), filename))
        comment = clean_text(_text(sheet.cell(cells, "comment").value))
        if len(comment) > COMMENT_MAX:
            problems.append(
                Problem(
                    code="comment_too_long",
                    th=f"คำอธิบายยาวเกิน {COMMENT_MAX:,} ตัวอักษร (ขณะนี้ {len(comment):,})",
                    en=f"The comment is longer than {COMMENT_MAX:,} characters ({len(comment):,})",
                    field=code,
                    row=number,
                    column=sheet.column("comment"),
                    file=filename,
                )
            )
        out.append((row, new, comment))
    return out


def _texts_from(
    sheet: _Sheet, current: EditorData, filename: str, problems: list[Problem]
) -> list[tuple[Any, str]]:
    by_code = {s.code: s for s in current.sections}
    seen: set[str] = set()
    out: list[tuple[Any, str]] = []
    for number, cells in sheet.rows:
        code = _text(sheet.cell(cells, "code").value).strip()
        sec = by_code.get(code)
        if sec is None or code in seen:
            problems.append(
                Problem(
                    code="unknown_section" if sec is None else "duplicate_row",
                    th=f"ไม่พบหัวข้อรหัส “{code[:60]}” ในรายงานนี้"
                    if sec is None
                    else f"หัวข้อ “{code}” มีมากกว่าหนึ่งแถว",
                    en=f"The report has no section “{code[:60]}”"
                    if sec is None
                    else f"Section “{code}” appears on more than one row",
                    field=code[:60] or None,
                    row=number,
                    column=sheet.column("code"),
                    file=filename,
                )
            )
            continue
        seen.add(code)
        try:
            text = clean_narrative(_text(sheet.cell(cells, "text").value), code)
        except InvalidInput as error:
            problems.extend(_located(error, number, sheet.column("text"), filename))
            continue
        out.append((sec, text))
    return out


def _int(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None
