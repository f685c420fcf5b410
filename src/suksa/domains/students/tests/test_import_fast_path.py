"""The import's fast path accepts exactly the rows the full row checker accepts, with the same values.

:class:`FastRows` is an optimisation only: for every row it either declines (None: the checker
then builds the bilingual problems) or returns what :meth:`RowChecker.parse` returns.
"""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import pytest

from suksa.core.policy import SYSTEM
from suksa.core.tabular import read_table
from suksa.domains.accounts.actors import actor_for
from suksa.domains.students.dmc import DMC_COLUMNS
from suksa.domains.students.models import Student
from suksa.domains.students.services.importing.importer import StudentImporter, StudentImportReport
from suksa.domains.students.services.importing.seen import identifier_key
from suksa.domains.students.services.imports import students_import
from suksa.domains.students.tests.factories import citizen_id
from suksa.domains.students.tests.import_helpers import csv_bytes, row
from tests.factories import World

pytestmark = pytest.mark.django_db

VARIANTS: list[dict[str, str]] = [
    {},
    {"identifier": "g256912000001"},
    {"identifier": "G256912000002", "nationality": "mmr"},
    {"identifier": "G999912000002"},  # impossible year
    {"identifier": "1234567890123"},  # wrong check digit
    {"identifier": "1-1001-00000-01-9"},  # dashes: the checker normalises them
    {"identifier": ""},
    {"room": "2.0"},
    {"room": "0"},
    {"room": "๒"},
    {"grade": "P2", "birth_date": "10/10/2561"},
    {"grade": "ม.1", "birth_date": "01/03/2557"},  # not offered
    {"grade": "ป.7"},
    {"sex": "M"},
    {"sex": "x"},
    {"nationality": ""},
    {"nationality": "Thailandia"},
    {"entry": ""},
    {"entry": "ย้ายเข้า", "starts_on": "01/06/2569"},
    {"starts_on": "01/06/2500"},  # outside the year
    {"entry": "?"},
    {"birth_date": "31/02/2563"},
    {"birth_date": "01/01/2540"},
    {"birth_date": "01/01/2600"},
    {"first_name_th": "Jaidee"},  # not Thai script
    {"first_name_th": "ใจ" * 60},  # too long
    {"first_name_en": ""},
    {"first_name_en": "ใจดี"},
    {"last_name_en": "O'Neil-Smith Jr."},
    {"prefix_th": "ด" * 31},
    {"school_code": "1012000002"},  # out of the director's scope
    {"school_code": "9999999999"},
    {"academic_year": "2026"},
]


def _parse_both(world: World, data: bytes, user: str = "director_a1_1") -> list[tuple[Any, Any]]:
    actor = actor_for(world.user(user)) if user else SYSTEM
    table = read_table(io.BytesIO(data), "dmc.csv", DMC_COLUMNS)
    importer = StudentImporter(
        actor=actor, filename="dmc.csv", keep_valid=False, report=StudentImportReport("dmc.csv"), table=table
    )
    pairs = []
    for number, cells in table.rows:
        pairs.append(
            (importer.fast.parse(number, list(cells)), importer.checker.parse(table.row(number, cells)))
        )
    return pairs


def _fields(rec: Any) -> dict[str, Any]:
    values = dataclasses.asdict(rec)
    for key in ("key", "names_key", "school", "year"):
        values.pop(key)
    return {**values, "school": rec.school and rec.school.id, "year": rec.year and rec.year.id}


@pytest.mark.parametrize("headers", ["all", "required_only"])
def test_the_fast_path_accepts_exactly_the_valid_rows_with_the_checkers_values(
    world: World, headers: str
) -> None:
    rows = [row(**v) for v in VARIANTS]
    if headers == "required_only":
        keep = [c.field for c in DMC_COLUMNS if c.required]
        rows = [{k: v for k, v in r.items() if k in keep} for r in rows]
        data = csv_bytes(rows, headers={c.field: c.headers[0] for c in DMC_COLUMNS if c.required})
    else:
        data = csv_bytes(rows)
    accepted = 0
    for fast, slow in _parse_both(world, data):
        if fast is None:
            continue
        accepted += 1
        assert slow.problems == []
        assert _fields(fast) == _fields(slow)
        assert fast.key == identifier_key(slow.ident)
    assert accepted >= 12


def test_short_rows_and_extra_columns_are_left_to_the_checker(world: World) -> None:
    text = "\ufeffเลขประจำตัวประชาชน,รหัสโรงเรียน,ปีการศึกษา,ชั้น,ห้อง,ชื่อ,นามสกุล,เพศ,วันเกิด,หมายเหตุ\n"
    cid = citizen_id()
    text += f"{cid},1012000001,2569,ป.1,1,ใจดี,มีสุข,ญ,01/03/2563,extra note\n"
    text += f"{citizen_id()},1012000001,2569,ป.1,1,ใจดี,มีสุข\n"
    (fast1, slow1), (fast2, slow2) = _parse_both(world, text.encode())
    assert fast1 is not None
    assert _fields(fast1) == _fields(slow1)
    assert (fast1.prefix_th, fast1.first_name_en, fast1.nationality, fast1.entry) == (
        None,
        None,
        None,
        "admitted",
    )
    assert fast2 is None
    assert [p.code for p in slow2.problems] == ["sex", "date_required"]


def test_the_search_text_written_by_the_fast_path_equals_the_models(world: World) -> None:
    rows = [row(), row(identifier="g256912000009", first_name_en="", last_name_en="O'Neil")]
    report = students_import(actor=SYSTEM, source=io.BytesIO(csv_bytes(rows)), filename="dmc.csv")
    assert report.committed, [p.en for p in report.problems]
    students = list(Student.objects.all())
    assert len(students) == 2
    for s in students:
        assert s.search_text == s.compute_search_text()
