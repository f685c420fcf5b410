"""Read CSV and XLSX files row by row, whatever their encoding, with Thai or English headers.

The shared front half of every import: it streams (bounded memory), detects UTF-8, UTF-8 with
BOM and TIS-620/cp874, maps header aliases to field names, and reports problems with the file
name, row number (as the user sees it: the header is row 1) and column.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from suksa.core.errors import InvalidInput, Problem
from suksa.core.text import normalize_thai

ENCODINGS = ("utf-8-sig", "cp874")


@dataclass(frozen=True)
class Column:
    """A field an import expects, with every header users may give it."""

    field: str
    headers: tuple[str, ...]
    required: bool = True


@dataclass
class Row:
    number: int  # 1-based, header is row 1, so the first data row is 2
    values: dict[str, str]
    columns: dict[str, str]  # field -> header as written in the file

    def problem(self, field_name: str, code: str, th: str, en: str, file: str | None = None) -> Problem:
        return Problem(
            code=code,
            th=th,
            en=en,
            field=field_name,
            row=self.number,
            column=self.columns.get(field_name, field_name),
            file=file,
        )


@dataclass
class ImportReport:
    """What an import did: rows read, written, unchanged, and every problem with its place."""

    file: str
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    committed: bool = False
    kept_valid_rows: bool = False

    @property
    def rejected_rows(self) -> int:
        return len({p.row for p in self.problems if p.row is not None})

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected_rows": self.rejected_rows,
            "committed": self.committed,
            "kept_valid_rows": self.kept_valid_rows,
            "problems": [p.as_dict() for p in self.problems],
        }


# One layout for every import's problem report, so that users meet the same file everywhere.
PROBLEM_REPORT_HEADER = (
    "แถว / row",
    "คอลัมน์ / column",
    "รหัสปัญหา / problem code",
    "ข้อความ (ไทย) / message (Thai)",
    "ข้อความ (อังกฤษ) / message (English)",
)


def problems_csv(problems: Iterable[Problem]) -> bytes:
    """Problems as CSV in UTF-8 with a BOM (so that Excel shows Thai), one row per problem."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(PROBLEM_REPORT_HEADER)
    for p in problems:
        writer.writerow([p.row if p.row is not None else "", p.column or p.field or "", p.code, p.th, p.en])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def _header_key(text: str) -> str:
    return normalize_thai(text).replace(" ", "").replace("_", "")


def _decode_stream(raw: IO[bytes], filename: str) -> IO[str]:
    """Pick the encoding from the first 64 KiB, then decode the whole stream lazily."""
    head = raw.read(65536)
    encoding = None
    for enc in ENCODINGS:
        try:
            # A multi-byte UTF-8 sequence may be cut at the end of the sample; allow that.
            codecs.getincrementaldecoder(enc)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        encoding = enc
        break
    if encoding is None:
        raise InvalidInput.single(
            "file_encoding",
            "อ่านไฟล์ไม่ได้: ต้องเป็น UTF-8 หรือ TIS-620 (cp874)",
            "Cannot read the file: it must be UTF-8 or TIS-620 (cp874)",
            file=filename,
        )
    rest = io.BufferedReader(_Prepend(head, raw))
    return io.TextIOWrapper(rest, encoding=encoding, newline="")


class _Prepend(io.RawIOBase):
    def __init__(self, head: bytes, tail: IO[bytes]) -> None:
        self._head, self._tail = head, tail

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self._head:
            n = min(len(b), len(self._head))
            b[:n], self._head = self._head[:n], self._head[n:]
            return n
        data = self._tail.read(len(b))
        b[: len(data)] = data
        return len(data)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()


def _raw_rows(raw: IO[bytes], filename: str) -> Iterator[list[str]]:
    if filename.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(raw, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise InvalidInput.single(
                "file_unreadable",
                f"เปิดไฟล์ Excel ไม่ได้ ({exc.__class__.__name__})",
                f"Cannot open the Excel file ({exc.__class__.__name__})",
                file=filename,
            ) from exc
        try:
            ws = wb.worksheets[0]
            for values in ws.iter_rows(values_only=True):
                yield [_cell(v) for v in values]
        finally:
            wb.close()
    elif filename.lower().endswith((".csv", ".txt")):
        reader = csv.reader(_decode_stream(raw, filename))
        try:
            strip = str.strip
            for r in reader:
                yield list(map(strip, r))
        except UnicodeDecodeError as exc:
            # The encoding is chosen from the first 64 KiB; a file may change encoding later.
            raise InvalidInput.single(
                "file_encoding",
                f"อ่านไฟล์ไม่ได้ตั้งแต่แถว {reader.line_num + 1}: ต้องเป็น UTF-8 หรือ TIS-620 (cp874) ทั้งไฟล์",
                f"Cannot read the file from row {reader.line_num + 1}: it must be UTF-8 or TIS-620 (cp874) "
                "throughout",
                file=filename,
            ) from exc
    else:
        raise InvalidInput.single(
            "file_type",
            "รองรับเฉพาะไฟล์ .csv และ .xlsx",
            "Only .csv and .xlsx files are accepted",
            file=filename,
        )


@dataclass
class Table:
    """A file's header mapping and its data rows, as :func:`read_table` returns them."""

    columns: dict[str, str]  # field -> header as written in the file
    index: dict[str, int]  # field -> position of its cell in each row
    rows: Iterator[tuple[int, list[str]]]  # (row number, stripped cells) of each non-empty row

    def row(self, number: int, cells: Sequence[str]) -> Row:
        """The :class:`Row` of ``cells`` (what :func:`read_rows` yields)."""
        n = len(cells)
        return Row(
            number=number,
            values={f: (cells[i] if i < n else "") for f, i in self.index.items()},
            columns=self.columns,
        )


def read_table(raw: IO[bytes], filename: str, columns: Sequence[Column]) -> Table:
    """The lower half of :func:`read_rows` for hot loops: no dict per row, only the cell lists.

    Raises :class:`InvalidInput` when the header lacks a required column (or the file is empty,
    of the wrong type or unreadable), before any row is read.
    """
    rows = _raw_rows(raw, filename)
    header = next(rows, None)
    if header is None:
        raise InvalidInput.single("file_empty", "ไฟล์ว่างเปล่า", "The file is empty", file=filename)
    aliases: Mapping[str, Column] = {_header_key(h): c for c in columns for h in (c.field, *c.headers)}
    index: dict[str, int] = {}
    written: dict[str, str] = {}
    for i, h in enumerate(header):
        col = aliases.get(_header_key(h))
        if col is not None and col.field not in index:
            index[col.field] = i
            written[col.field] = h
    missing = [c for c in columns if c.required and c.field not in index]
    if missing:
        raise InvalidInput(
            [
                Problem(
                    code="column_missing",
                    th=f"ไม่พบคอลัมน์ '{c.headers[0] if c.headers else c.field}' ในแถวหัวตาราง",
                    en=f"The header row has no '{c.field}' column",
                    row=1,
                    column=c.headers[0] if c.headers else c.field,
                    file=filename,
                )
                for c in missing
            ]
        )
    return Table(columns=written, index=index, rows=_numbered(rows))


def _numbered(rows: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    for number, values in enumerate(rows, start=2):
        if any(values):
            yield number, values


def read_rows(raw: IO[bytes], filename: str, columns: Sequence[Column]) -> Iterator[Row]:
    """Yield each non-empty data row as ``{field: value}``.

    Raises :class:`InvalidInput` before any row when the header lacks a required column.
    """
    table = read_table(raw, filename, columns)
    for number, values in table.rows:
        yield table.row(number, values)
