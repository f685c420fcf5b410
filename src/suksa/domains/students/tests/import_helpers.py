"""Build DMC learner files for import tests (invented learners, valid-checksum IDs)."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence

from suksa.domains.students.dmc import DMC_HEADERS
from suksa.domains.students.tests.factories import citizen_id

FIELDS = tuple(DMC_HEADERS)


def row(**values: str) -> dict[str, str]:
    """A valid row for school 1012000001 (K1–P6), year 2569, grade ป.1 room 1; override any field."""
    base = {
        "identifier": values.pop("identifier", None) or citizen_id(),
        "school_code": "1012000001",
        "academic_year": "2569",
        "grade": "ป.1",
        "room": "1",
        "prefix_th": "เด็กหญิง",
        "first_name_th": "ใจดี",
        "last_name_th": "มีสุข",
        "first_name_en": "Jaidee",
        "last_name_en": "Meesuk",
        "sex": "ญ",
        "birth_date": "01/03/2563",
        "nationality": "ไทย",
        "entry": "ใหม่",
        "starts_on": "",
    }
    base.update(values)
    return base


def csv_text(rows: Sequence[dict[str, str]], headers: dict[str, str] | None = None) -> str:
    headers = headers or DMC_HEADERS
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    fields = [f for f in FIELDS if f in headers]
    writer.writerow([headers[f] for f in fields])
    for r in rows:
        writer.writerow([r.get(f, "") for f in fields])
    return buffer.getvalue()


def csv_bytes(rows: Sequence[dict[str, str]], encoding: str = "utf-8-sig", **kw: dict[str, str]) -> bytes:
    text = csv_text(rows, **kw)
    if encoding == "utf-8-sig":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    return text.encode(encoding)


def xlsx_bytes(rows: Sequence[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([DMC_HEADERS[f] for f in FIELDS])
    for r in rows:
        ws.append([r.get(f, "") for f in FIELDS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
