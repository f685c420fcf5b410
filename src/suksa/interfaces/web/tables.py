"""Tables the cockpit pages show and export: one description, three outputs.

A :class:`Table` (columns + rows of plain values) is rendered as an accessible HTML table by
``web/partials/data_table.html`` (sortable and filterable in the browser by ``suksa/tables.js``,
a plain table without it), and as an Excel workbook by :func:`xlsx_response` with a header block
saying what, where, when and from what the numbers are. A page that shows tables answers
``?format=xlsx&table=<key>`` with :func:`table_from_request`, so an export is built from the same
selector call, in the same scope, as the screen.

Small cells (PDPA B.E. 2562, ``suksa.analytics.suppression``): when ``persons_key`` is set, a row
whose headcount is between 1 and 4 has every cell derived from that headcount withheld — numbers,
percentages, counts, and also the traffic light and trend arrow, which would otherwise give the
withheld value away within a band. They are withheld on screen as well as in the export: an
export obviously leaves the office, but so does a screenshot, a printed page or the table under
a chart pasted into a report, and the cockpit's decisions are taken on aggregates that never need
a figure from four learners. One rule for both also means the screen and the file always agree.
A page that shows a school its own figures may pass ``suppress_screen=False``; exports are
always suppressed. A row whose headcount is unknown (None) is not suppressed: the figures that
carry no headcount are not counts of persons.

``percent`` values are percentage points (12.5 means 12.5 %), as the indicator catalogue stores
them; in Excel they are numbers with a ``0.0"%"`` format, not Excel's ×100 percentages.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from suksa.analytics.suppression import MIN_CELL, is_small, suppressed_label
from suksa.core.dates import format_be
from suksa.core.i18n import pick

KINDS = ("text", "number", "percent", "int", "link", "light", "arrow")
NUMERIC_KINDS = frozenset({"number", "percent", "int"})
# Cells computed from the row's headcount: withheld for a small row.
SUPPRESSIBLE_KINDS = NUMERIC_KINDS | {"light", "arrow"}

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_FONT = "Sarabun"  # the shipped Thai face (suksa.core.pdf.FONT_FAMILY); Excel falls back if absent

# Never colour alone: every light and arrow is a symbol and words.
LIGHTS: dict[str, tuple[str, str, str, int]] = {
    "green": ("●", "บรรลุเป้าหมาย", "On target", 3),
    "amber": ("◐", "ใกล้เป้าหมาย", "Near target", 2),
    "red": ("○", "ต่ำกว่าเป้าหมาย", "Off target", 1),
    "none": ("–", "ไม่มีเป้าหมาย", "No target", 0),
}
ARROWS: dict[str, tuple[str, str, str, int]] = {
    "up": ("↑", "เพิ่มขึ้น", "Rising", 1),
    "flat": ("→", "คงที่", "Flat", 0),
    "down": ("↓", "ลดลง", "Falling", -1),
    "none": ("–", "ข้อมูลไม่พอ", "Too few points", -2),
}

EXPORT_PARAMS = ("format", "table")


@dataclass(frozen=True)
class Column:
    """One column: ``key`` in the row dicts, Thai and English heading, and how to show the value.

    ``kind``: text | number (``digits`` decimals) | percent (percentage points, ``digits``
    decimals) | int | link (value ``{"text", "url"}``) | light (green/amber/red/none) | arrow
    (up/down/flat/none). ``filterable`` columns are searched by the filter box (when no column
    is, every text and link column is).
    """

    key: str
    th: str
    en: str
    kind: str = "text"
    digits: int = 1
    sortable: bool = True
    filterable: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}; one of {', '.join(KINDS)}")

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @property
    def align_right(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @property
    def sort_type(self) -> str:
        """How tables.js compares the column: ``number`` (on ``data-sort``) or ``text``."""
        return "number" if self.kind in SUPPRESSIBLE_KINDS else "text"

    @property
    def label(self) -> str:
        return pick(self.th, self.en)

    @property
    def bilingual(self) -> str:
        return f"{self.th} / {self.en}"

    @property
    def xlsx_format(self) -> str | None:
        decimals = "." + "0" * self.digits if self.digits > 0 else ""
        if self.kind == "int":
            return "#,##0"
        if self.kind == "number":
            return f"#,##0{decimals}"
        if self.kind == "percent":
            return f'0{decimals}"%"'
        return None


@dataclass(frozen=True)
class Cell:
    """One formatted cell for the HTML table."""

    text: str
    sort: str  # the raw value tables.js sorts on ("" for none)
    column: Column
    url: str = ""
    suppressed: bool = False

    @property
    def numeric(self) -> bool:
        return self.column.align_right


@dataclass(frozen=True)
class Row:
    """A formatted row for the HTML table, with the lower-cased text the filter box searches."""

    cells: list[Cell]
    search: str


@dataclass(frozen=True)
class Table:
    """What a page shows as a table (and exports): see the module docstring.

    A row is a dict column-key → value; a ``link`` column's value is ``{"text": str, "url": str}``.
    """

    key: str
    title_th: str
    title_en: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    persons_key: str | None = None
    scope_th: str = ""
    scope_en: str = ""
    period_th: str = ""
    period_en: str = ""
    source_th: str = ""
    source_en: str = ""
    suppress_screen: bool = True
    min_cell: int = field(default=MIN_CELL)

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_-]+", self.key):
            raise ValueError(f"a table key is letters, digits, - and _ only, got {self.key!r}")

    # --- suppression -----------------------------------------------------------------------------

    def is_small_row(self, row: Mapping[str, Any]) -> bool:
        if self.persons_key is None:
            return False
        persons = row.get(self.persons_key)
        if persons is None:
            return False
        return is_small(float(persons), self.min_cell)

    @property
    def any_suppressed(self) -> bool:
        return any(self.is_small_row(row) and _has_suppressible(self.columns, row) for row in self.rows)

    @property
    def suppressed_text(self) -> tuple[str, str]:
        return suppressed_label(self.min_cell)

    # --- HTML --------------------------------------------------------------------------------------

    @property
    def title(self) -> str:
        return pick(self.title_th, self.title_en or self.title_th)

    @property
    def period(self) -> str:
        return pick(self.period_th, self.period_en or self.period_th)

    @property
    def scope(self) -> str:
        return pick(self.scope_th, self.scope_en or self.scope_th)

    @property
    def source(self) -> str:
        return pick(self.source_th, self.source_en or self.source_th)

    @property
    def filter_keys(self) -> list[str]:
        keys = [c.key for c in self.columns if c.filterable]
        return keys or [c.key for c in self.columns if c.kind in ("text", "link")]

    @property
    def screen_suppressed(self) -> bool:
        return self.suppress_screen and self.any_suppressed

    def display_rows(self) -> list[list[Cell]]:
        """The rows as formatted cells in the active language (see :func:`display_cell`)."""
        return [
            [
                display_cell(
                    c, row.get(c.key), self.suppress_screen and self.is_small_row(row), self.min_cell
                )
                for c in self.columns
            ]
            for row in self.rows
        ]

    def screen_rows(self) -> list[Row]:
        """:meth:`display_rows` with each row's filter text (the partial's rows)."""
        keys = set(self.filter_keys)
        return [
            Row(cells=cells, search=" ".join(c.text for c in cells if c.column.key in keys).casefold())
            for cells in self.display_rows()
        ]

    @property
    def note(self) -> str:
        """The suppression note in the active language, when a cell on screen is withheld."""
        if not self.screen_suppressed:
            return ""
        th, _sep, en = suppression_note(self.min_cell).partition(" / ")
        return pick(th, en)

    def xlsx_url(self, request: HttpRequest | None = None) -> str:
        """``?<current query without format/table>&format=xlsx&table=<key>``."""
        pairs: list[tuple[str, str]] = []
        if request is not None:
            for name, values in request.GET.lists():
                if name not in EXPORT_PARAMS:
                    pairs.extend((name, v) for v in values)
        pairs += [("format", "xlsx"), ("table", self.key)]
        return "?" + urlencode(pairs)


def _has_suppressible(columns: list[Column], row: Mapping[str, Any]) -> bool:
    return any(c.kind in SUPPRESSIBLE_KINDS and row.get(c.key) is not None for c in columns)


def _number(value: Any) -> float | int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def format_number(value: float | int, kind: str, digits: int) -> str:
    if kind == "int":
        return f"{round(value):,}"
    text = f"{value:,.{digits}f}"
    return text + "%" if kind == "percent" else text


def _symbolic(kind: str, value: Any) -> tuple[str, str, str, int] | None:
    table = LIGHTS if kind == "light" else ARROWS
    return table.get(str(value)) if value not in (None, "") else None


def display_cell(column: Column, value: Any, suppressed: bool = False, min_cell: int = MIN_CELL) -> Cell:
    """A value as text for the screen: ``1,234.5``, ``12.5%``, ``● บรรลุเป้าหมาย``, a link, or the
    suppressed label ``ปกปิด (<5)``; a dash for a missing value."""
    kind = column.kind
    if suppressed and kind in SUPPRESSIBLE_KINDS and value is not None:
        th, en = suppressed_label(min_cell)
        return Cell(text=pick(th, en), sort="", column=column, suppressed=True)
    if kind in NUMERIC_KINDS:
        n = _number(value)
        if n is None:
            return Cell(text="–", sort="", column=column)
        return Cell(text=format_number(n, kind, column.digits), sort=repr(n), column=column)
    if kind in ("light", "arrow"):
        found = _symbolic(kind, value)
        if found is None:
            return Cell(text="–", sort="", column=column)
        symbol, th, en, rank = found
        return Cell(text=f"{symbol} {pick(th, en)}", sort=str(rank), column=column)
    if kind == "link":
        if isinstance(value, Mapping):
            text = str(value.get("text") or "")
            return Cell(text=text or "–", sort=text, column=column, url=str(value.get("url") or ""))
        text = "" if value is None else str(value)
        return Cell(text=text or "–", sort=text, column=column)
    text = "" if value is None else str(value)
    return Cell(text=text or "–", sort=text, column=column)


# --- Excel -----------------------------------------------------------------------------------------


def export_cell(column: Column, value: Any, suppressed: bool, min_cell: int = MIN_CELL) -> Any:
    """A value as it goes into the workbook: real numbers, bilingual words, the suppressed label."""
    kind = column.kind
    if suppressed and kind in SUPPRESSIBLE_KINDS and value is not None:
        th, en = suppressed_label(min_cell)
        return f"{th} / {en}"
    if kind in NUMERIC_KINDS:
        n = _number(value)
        if n is not None and kind == "int":
            return round(n)
        return n
    if kind in ("light", "arrow"):
        found = _symbolic(kind, value)
        return None if found is None else f"{found[0]} {found[1]} / {found[2]}"
    if kind == "link":
        return (
            str(value.get("text") or "")
            if isinstance(value, Mapping)
            else (None if value is None else str(value))
        )
    return None if value is None else str(value)


def suppression_note(min_cell: int = MIN_CELL) -> str:
    th, en = suppressed_label(min_cell)
    return (
        f"{th}: ค่าที่มาจากผู้เรียนน้อยกว่า {min_cell} คนไม่แสดง เพื่อคุ้มครองข้อมูลส่วนบุคคล (PDPA)"
        f" / {en}: values from fewer than {min_cell} learners are withheld to protect personal data (PDPA)"
    )


def exported_on(now: dt.datetime | None = None) -> str:
    """``21 พ.ย. 2569 14:05 / 21 Nov 2569 BE 14:05`` in local time."""
    when = timezone.localtime(now or timezone.now())
    return f"{format_be(when, 'th')} / {format_be(when, 'en')}"


def _pair(th: str, en: str) -> str:
    if th and en and th != en:
        return f"{th} / {en}"
    return th or en


def header_block(table: Table, now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """The (label, value) lines above the column headings; empty lines are left out."""
    lines = [
        ("ขอบเขต / Scope", _pair(table.scope_th, table.scope_en)),
        ("ช่วงเวลา / Period", _pair(table.period_th, table.period_en)),
        ("แหล่งข้อมูล / Source", _pair(table.source_th, table.source_en)),
        ("ส่งออกเมื่อ / Exported on", exported_on(now)),
    ]
    if table.any_suppressed:
        lines.append(("หมายเหตุ / Note", suppression_note(table.min_cell)))
    return [(label, value) for label, value in lines if value]


def _width(value: Any, number_format: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = 1 if number_format is None else number_format.count("0") - 1
        return len(f"{value:,.{max(digits, 0)}f}") + 2
    return max(len(line) for line in str(value).split("\n")) + 2


def xlsx_bytes(table: Table, now: dt.datetime | None = None) -> bytes:
    """The workbook: title (Thai, English), header block, bilingual headings (frozen), rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = table.key[:31]
    plain = Font(name=XLSX_FONT, size=12)
    bold = Font(name=XLSX_FONT, size=12, bold=True)
    ws.cell(row=1, column=1, value=table.title_th).font = Font(name=XLSX_FONT, size=16, bold=True)
    ws.cell(row=2, column=1, value=table.title_en).font = Font(name=XLSX_FONT, size=14, bold=True)
    r = 2
    for label, value in header_block(table, now):
        r += 1
        ws.cell(row=r, column=1, value=label).font = bold
        ws.cell(row=r, column=2, value=value).font = plain
    heading_row = r + 2  # one empty row between the block and the headings
    widths = [len(c.bilingual) + 2 for c in table.columns]
    for i, column in enumerate(table.columns, start=1):
        heading = ws.cell(row=heading_row, column=i, value=column.bilingual)
        heading.font = bold
        heading.alignment = Alignment(horizontal="right" if column.align_right else "left", wrap_text=True)
    right = Alignment(horizontal="right")
    for r, row in enumerate(table.rows, start=heading_row + 1):
        small = table.is_small_row(row)
        for i, column in enumerate(table.columns, start=1):
            value = export_cell(column, row.get(column.key), small, table.min_cell)
            cell = ws.cell(row=r, column=i, value=value)
            cell.font = plain
            fmt = column.xlsx_format
            if fmt and isinstance(value, int | float):
                cell.number_format = fmt
            if column.align_right:
                cell.alignment = right
            widths[i - 1] = max(widths[i - 1], _width(value, fmt))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(w, 8), 60)
    ws.freeze_panes = f"A{heading_row + 1}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the UTF-8 ``filename*`` (RFC 6266 / 5987)."""
    stem, dot, ext = filename.rpartition(".")
    if not dot or not stem or not ext.isascii():
        stem, ext = filename, ""

    def ascii_part(text: str) -> str:
        flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        return re.sub(r"[^A-Za-z0-9._-]+", "-", flat).strip("-.")

    ascii_name = (ascii_part(stem) or "table") + (f".{ascii_part(ext)}" if ascii_part(ext) else "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def xlsx_response(table: Table, filename: str, *, now: dt.datetime | None = None) -> HttpResponse:
    """The table as an ``.xlsx`` download (suppressed small cells, header block, BE date)."""
    if not filename.lower().endswith(".xlsx"):
        filename += ".xlsx"
    response = HttpResponse(xlsx_bytes(table, now), content_type=XLSX_MIME)
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "no-store"
    return response


# --- pages: ?format=xlsx&table=<key> ------------------------------------------------------------


def _bad_request(field_name: str, th: str, en: str) -> HttpResponse:
    body = render_to_string(
        "web/partials/error_page.html",
        {
            "status": "400",
            "title_th": "คำขอไม่ถูกต้อง",
            "title_en": "Bad request",
            "body_th": th,
            "body_en": en,
        },
    )
    response = HttpResponse(body, status=400)
    response["X-Problem-Field"] = field_name
    return response


def default_filename(table: Table, now: dt.datetime | None = None) -> str:
    """``<key>-<BE date>.xlsx``, e.g. ``subunits-2569-11-21.xlsx``."""
    when = timezone.localtime(now or timezone.now())
    return f"{table.key}-{format_be(when.date(), style='iso')}.xlsx"


def table_from_request(
    request: HttpRequest,
    tables: Mapping[str, Table],
    *,
    filename: str | None = None,
    audit_object: str = "cockpit.table",
) -> HttpResponse | None:
    """The export a page was asked for (``?format=xlsx&table=<key>``), a 400 naming the bad
    field, or None when no export was asked for (the page renders as usual).

    The download is audited (an aggregate leaves the platform) when the request has an actor.
    """
    fmt = request.GET.get("format", "")
    if not fmt:
        return None
    if fmt != "xlsx":
        return _bad_request(
            "format",
            "รูปแบบไฟล์ (format) ไม่ถูกต้อง: รองรับเฉพาะ xlsx",
            "Invalid file format (format); only xlsx is supported",
        )
    key = request.GET.get("table", "")
    table = tables.get(key)
    if table is None:
        known = ", ".join(sorted(tables)) or "–"
        return _bad_request(
            "table",
            f"ไม่รู้จักตาราง (table) ที่ขอ ตารางในหน้านี้: {known}",
            f"Unknown table (table); the tables on this page: {known}",
        )
    now = timezone.now()
    response = xlsx_response(table, filename or default_filename(table, now), now=now)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and hasattr(request, "actor"):
        _record_export(request.actor, table, request.path, audit_object)
    return response


def _record_export(actor: Any, table: Table, path: str, object_type: str) -> None:
    from suksa.core import audit
    from suksa.core.models import AuditEntry

    audit.record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        object_type=object_type,
        object_id=table.key,
        object_repr=f"{table.title_en or table.title_th} xlsx",
        changes={
            "format": "xlsx",
            "table": table.key,
            "page": path,
            "rows": len(table.rows),
            "suppressed": table.any_suppressed,
        },
    )
