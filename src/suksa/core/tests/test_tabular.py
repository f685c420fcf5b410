"""The shared import reader: encodings, XLSX, header aliases and file-level problems."""

from __future__ import annotations

import codecs
import io

import pytest
from openpyxl import Workbook

from suksa.core.errors import InvalidInput
from suksa.core.tabular import Column, read_rows

COLUMNS = [
    Column("code", ("รหัส",)),
    Column("name_th", ("ชื่อ",)),
    Column("students", ("จำนวนนักเรียน",), required=False),
]
ROWS: list[list[object]] = [
    ["รหัส", "ชื่อ", "จำนวนนักเรียน"],
    ["1012000001", "โรงเรียนบ้านนา", "85"],
    ["", "", ""],
    ["R01", "เขตที่ 1", ""],
]
EXPECTED = [
    (2, {"code": "1012000001", "name_th": "โรงเรียนบ้านนา", "students": "85"}),
    (4, {"code": "R01", "name_th": "เขตที่ 1", "students": ""}),
]


def csv_text(rows: list[list[object]]) -> str:
    return "".join(",".join(map(str, r)) + "\r\n" for r in rows)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append([v if v != "" else None for v in r])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read(data: bytes, filename: str, columns: list[Column] = COLUMNS) -> list[tuple[int, dict[str, str]]]:
    return [(r.number, r.values) for r in read_rows(io.BytesIO(data), filename, columns)]


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (csv_text(ROWS).encode("utf-8"), "a.csv"),
        (codecs.BOM_UTF8 + csv_text(ROWS).encode("utf-8"), "a.csv"),
        (csv_text(ROWS).encode("cp874"), "a.CSV"),
        (xlsx_bytes([*ROWS[:1], ["1012000001", "โรงเรียนบ้านนา", 85], *ROWS[2:]]), "a.xlsx"),
    ],
    ids=["utf8", "utf8-bom", "cp874", "xlsx"],
)
def test_every_encoding_and_format_reads_the_same_rows(data: bytes, filename: str) -> None:
    assert read(data, filename) == EXPECTED


def test_english_headers_and_header_spelling_variants() -> None:
    data = "Code, Name_TH ,STUDENTS\n1012000001,โรงเรียนบ้านนา,85\nR01,เขตที่ 1,\n".encode()
    assert [v for _, v in read(data, "a.csv")] == [v for _, v in EXPECTED]


def test_row_problem_names_the_column_as_written() -> None:
    row = next(read_rows(io.BytesIO("รหัส,ชื่อ\nX,Y\n".encode()), "a.csv", COLUMNS))
    p = row.problem("code", "bad", "ผิด", "Wrong")
    assert (p.row, p.column, p.field, p.message("th"), p.message("en")) == (
        2,
        "รหัส",
        "code",
        "แถว 2 คอลัมน์ รหัส: ผิด",
        "row 2, column รหัส: Wrong",
    )


def test_missing_required_column_is_reported_on_row_one() -> None:
    with pytest.raises(InvalidInput) as exc:
        read(b"code,students\n1,2\n", "a.csv")
    [p] = exc.value.problems
    assert (p.code, p.row, p.column, p.file, p.th, p.en) == (
        "column_missing",
        1,
        "ชื่อ",
        "a.csv",
        "ไม่พบคอลัมน์ 'ชื่อ' ในแถวหัวตาราง",
        "The header row has no 'name_th' column",
    )


def test_unknown_encoding_is_a_bilingual_error() -> None:
    with pytest.raises(InvalidInput) as exc:
        read(b"code,name_th\n\xff\xfe\xfd,x\n", "a.csv")
    [p] = exc.value.problems
    assert (p.code, p.th, p.en, p.file) == (
        "file_encoding",
        "อ่านไฟล์ไม่ได้: ต้องเป็น UTF-8 หรือ TIS-620 (cp874)",
        "Cannot read the file: it must be UTF-8 or TIS-620 (cp874)",
        "a.csv",
    )


def test_encoding_change_after_the_sample_is_a_bilingual_error() -> None:
    head = "code,name_th\n" + "".join(f"{i},name\n" for i in range(10000))
    data = head.encode("utf-8") + "99999,โรงเรียน\n".encode("cp874")
    with pytest.raises(InvalidInput) as exc:
        read(data, "a.csv")
    assert [p.code for p in exc.value.problems] == ["file_encoding"]
    assert exc.value.problems[0].en.startswith("Cannot read the file from row ")


@pytest.mark.parametrize("data", [b"", codecs.BOM_UTF8])
def test_empty_file(data: bytes) -> None:
    with pytest.raises(InvalidInput) as exc:
        read(data, "a.csv")
    [p] = exc.value.problems
    assert (p.code, p.th, p.en) == ("file_empty", "ไฟล์ว่างเปล่า", "The file is empty")


def test_unsupported_type_and_broken_xlsx() -> None:
    with pytest.raises(InvalidInput) as exc:
        read(b"x", "a.pdf")
    assert [(p.code, p.en) for p in exc.value.problems] == [
        ("file_type", "Only .csv and .xlsx files are accepted")
    ]
    with pytest.raises(InvalidInput) as exc:
        read(b"not a zip", "a.xlsx")
    assert [p.code for p in exc.value.problems] == ["file_unreadable"]
