"""The Excel template: export, fill offline, import all-or-nothing with row-level errors."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from suksa.core.errors import Conflict, InvalidInput, NotFoundOrNoAccess, PermissionDenied
from suksa.core.models import AuditEntry
from suksa.domains.monitoring.models import NarrativeEntry, Report, ReportValue
from suksa.domains.monitoring.services.reports import value_save
from suksa.domains.monitoring.services.workbook import (
    FORMAT,
    SHEET_META,
    SHEET_TEXT,
    SHEET_VALUES,
    workbook_export,
    workbook_import,
)
from suksa.domains.monitoring.tests.test_reports import prefilled_report, value_of, version, who
from tests.factories import World

pytestmark = pytest.mark.django_db


def export(world: World, report: Report, persona: str = "esa_officer_a1") -> bytes:
    data, _name = workbook_export(actor=who(world, persona), report_id=report.pk)
    return data


def fill(data: bytes, values: dict[str, Any] | None = None, comments: dict[str, Any] | None = None,
         texts: dict[str, Any] | None = None, meta: dict[str, Any] | None = None,
         percent_format: set[str] | None = None) -> bytes:  # fmt: skip
    """Fill the template as a person with Excel would (openpyxl standing in for Excel)."""
    book = load_workbook(io.BytesIO(data))
    ws = book[SHEET_VALUES]
    header = [c.value for c in ws[1]]
    code_col, value_col, comment_col = (
        header.index("รหัส / Code") + 1,
        header.index("ค่า / Value") + 1,
        header.index("คำอธิบาย / Comment") + 1,
    )
    for r in range(2, ws.max_row + 1):
        code = str(ws.cell(row=r, column=code_col).value)
        if values and code in values:
            ws.cell(row=r, column=value_col).value = values[code]
            if percent_format and code in percent_format:
                ws.cell(row=r, column=value_col).number_format = "0.0%"
        if comments and code in comments:
            ws.cell(row=r, column=comment_col).value = comments[code]
    ws = book[SHEET_TEXT]
    for r in range(2, ws.max_row + 1):
        code = str(ws.cell(row=r, column=1).value)
        if texts and code in texts:
            ws.cell(row=r, column=5).value = texts[code]
    ws = book[SHEET_META]
    for r in range(1, ws.max_row + 1):
        key = str(ws.cell(row=r, column=1).value)
        if meta and key in meta:
            ws.cell(row=r, column=2).value = meta[key]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_of(data: bytes, code: str) -> int:
    ws = load_workbook(io.BytesIO(data))[SHEET_VALUES]
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == code)


def snapshot(report: Report) -> tuple[Any, ...]:
    values = tuple(ReportValue.objects.filter(report=report).order_by("pk").values_list("value", "comment"))
    texts = tuple(NarrativeEntry.objects.filter(report=report).order_by("pk").values_list("text", flat=True))
    return values, texts, version(report), AuditEntry.objects.count()


def test_the_template_shows_prefilled_rows_locked_and_asks_only_the_rest(world: World) -> None:
    report = prefilled_report(world)
    data, name = workbook_export(actor=who(world, "esa_officer_a1"), report_id=report.pk)
    assert name.startswith("esa-report-11201-")
    assert name.endswith("-m12.xlsx")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["คำชี้แจง-Instructions", SHEET_VALUES, SHEET_TEXT, SHEET_META]
    assert book[SHEET_META].sheet_state == "hidden"
    meta = {r[0]: r[1] for r in book[SHEET_META].iter_rows(values_only=True)}
    assert (meta["format"], meta["report_id"], meta["lock_version"]) == (
        FORMAT,
        report.pk,
        report.lock_version,
    )
    ws = book[SHEET_VALUES]
    assert ws.protection.sheet is True
    dropout = row_of(data, "dropout_rate")
    assert ws.cell(row=dropout, column=9).value == 1.87
    assert ws.cell(row=dropout, column=9).protection.locked is True
    assert ws.cell(row=dropout, column=11).value == str(int(report.round.framework.fiscal_year) - 1)
    assert "students.indicators" in str(ws.cell(row=dropout, column=12).value)
    assert ws.cell(row=dropout, column=10).protection.locked is False  # a comment may answer a warning
    asked = row_of(data, "supervision_coverage")
    assert ws.cell(row=asked, column=9).protection.locked is False
    assert ws.cell(row=asked, column=6).value == "ร้อยละ / Percent"
    assert (ws.cell(row=asked, column=7).value, ws.cell(row=asked, column=8).value) == (0, 100)
    instructions = " ".join(str(c.value) for c in book["คำชี้แจง-Instructions"]["A"] if c.value)
    assert "กรอกเฉพาะช่องสีเหลือง" in instructions
    assert "Fill only the yellow cells" in instructions
    assert AuditEntry.objects.filter(action="export", object_type="monitoring.report").count() == 1


def test_round_trip_export_fill_import_saves_everything_in_one_version(world: World) -> None:
    report = prefilled_report(world)
    v0 = version(report)
    filled = fill(
        export(world, report),
        values={"supervision_coverage": 72.5, "children_returned": "1,234", "teacher_pd_hours": 0.25,
                "stakeholder_satisfaction": 0.9},
        comments={"dropout_rate": "ลดลงจากการติดตามเด็กรายบุคคล", "supervision_coverage": "นิเทศออนไลน์ร่วมด้วย"},
        texts={"s1_management": "สพท. ทบทวนแผนทุกไตรมาส", "s3_results": "ผลสัมฤทธิ์ดีขึ้น"},
        percent_format={"stakeholder_satisfaction"},
    )  # fmt: skip

    result = workbook_import(actor=who(world, "esa_officer_a1"), report_id=report.pk, data=filled,
                             filename="report.xlsx")  # fmt: skip

    assert (result.values_changed, result.comments_changed, result.narratives_changed) == (4, 2, 2)
    assert result.lock_version == v0 + 1 == version(report)
    assert value_of(report, "supervision_coverage").value == 72.5
    assert value_of(report, "children_returned").value == 1234.0
    assert value_of(report, "teacher_pd_hours").value == 0.25
    assert value_of(report, "stakeholder_satisfaction").value == 90.0  # a cell formatted as 90.0 %
    assert value_of(report, "dropout_rate").comment == "ลดลงจากการติดตามเด็กรายบุคคล"
    assert value_of(report, "dropout_rate").value == 1.87
    assert (
        NarrativeEntry.objects.get(report=report, section__code="s1_management").text
        == "สพท. ทบทวนแผนทุกไตรมาส"
    )
    [entry] = AuditEntry.objects.filter(action="import", object_type="monitoring.report")
    assert entry.changes["values"]["supervision_coverage"] == [None, 72.5]
    assert entry.changes["lock_version"] == [v0, v0 + 1]
    assert sorted(entry.changes["narratives"]) == ["s1_management", "s3_results"]


def test_an_unchanged_template_writes_nothing_new(world: World) -> None:
    report = prefilled_report(world)
    v0 = version(report)
    result = workbook_import(actor=who(world, "esa_officer_a1"), report_id=report.pk,
                             data=export(world, report), filename="report.xlsx")  # fmt: skip
    assert (result.changed, result.lock_version, version(report)) == (0, v0, v0)


def test_text_in_a_number_cell_is_reported_by_sheet_row_and_column_and_nothing_is_written(
    world: World,
) -> None:
    report = prefilled_report(world)
    data = export(world, report)
    filled = fill(data, values={"supervision_coverage": "ประมาณครึ่งหนึ่ง", "children_returned": 12.5,
                                "teacher_pd_hours": 20, "action_plan_completion": "150%"},
                  texts={"s1_management": "ข้อความที่ถูกต้อง"})  # fmt: skip
    before = snapshot(report)

    with pytest.raises(InvalidInput) as exc:
        workbook_import(
            actor=who(world, "esa_officer_a1"), report_id=report.pk, data=filled, filename="r.xlsx"
        )

    got = [(p.code, p.row, p.column, p.field, p.file) for p in exc.value.problems]
    column = f"{SHEET_VALUES}!I"
    assert got == sorted(
        [
            (
                "out_of_range",
                row_of(data, "action_plan_completion"),
                column,
                "action_plan_completion",
                "r.xlsx",
            ),
            ("not_integer", row_of(data, "children_returned"), column, "children_returned", "r.xlsx"),
            ("not_a_number", row_of(data, "supervision_coverage"), column, "supervision_coverage", "r.xlsx"),
        ],
        key=lambda p: p[1],
    )  # rows in sheet order
    bad = next(p for p in exc.value.problems if p.code == "not_a_number")
    assert bad.message("th") == (
        f"ไฟล์ r.xlsx แถว {row_of(data, 'supervision_coverage')} คอลัมน์ {SHEET_VALUES}!I: "
        "“ประมาณครึ่งหนึ่ง” ไม่ใช่ตัวเลข กรอกเป็นตัวเลข เช่น 12.5 หรือ 1,234"
    )
    assert bad.message("en") == (
        f"file r.xlsx, row {row_of(data, 'supervision_coverage')}, column {SHEET_VALUES}!I: "
        "“ประมาณครึ่งหนึ่ง” is not a number: enter a number such as 12.5 or 1,234"
    )
    assert snapshot(report) == before  # not even the good rows


def test_a_changed_prefilled_value_is_an_error(world: World) -> None:
    report = prefilled_report(world)
    data = export(world, report)
    filled = fill(data, values={"dropout_rate": 0.5, "attendance_rate": 95, "teacher_pd_hours": 20})
    before = snapshot(report)
    with pytest.raises(InvalidInput) as exc:
        workbook_import(
            actor=who(world, "esa_officer_a1"), report_id=report.pk, data=filled, filename="r.xlsx"
        )
    assert [(p.code, p.field, p.row) for p in exc.value.problems] == [
        ("prefilled_changed", "attendance_rate", row_of(data, "attendance_rate")),
        ("prefilled_changed", "dropout_rate", row_of(data, "dropout_rate")),
    ]
    assert snapshot(report) == before


def test_a_template_of_another_report_is_refused(world: World) -> None:
    report = prefilled_report(world)
    other = Report.objects.get(round=report.round, esa=world.esa_b1)
    theirs = fill(export(world, other, "esa_officer_b1"), values={"teacher_pd_hours": 20})
    before = snapshot(report)
    with pytest.raises(InvalidInput) as exc:
        workbook_import(
            actor=who(world, "esa_officer_a1"), report_id=report.pk, data=theirs, filename="b.xlsx"
        )
    [p] = exc.value.problems
    assert p.code == "wrong_report"
    assert p.en == f"This file is the template of report {other.pk}, not of this report ({report.pk})"
    assert snapshot(report) == before


def test_a_stale_template_is_a_conflict(world: World) -> None:
    report = prefilled_report(world)
    data = export(world, report)
    v0 = version(report)
    value_save(actor=who(world, "esa_director_a1"), report_id=report.pk, indicator_code="teacher_pd_hours",
               raw="30", comment=None, expected_version=v0)  # fmt: skip
    filled = fill(data, values={"teacher_pd_hours": 12, "supervision_coverage": 80})
    before = snapshot(report)
    with pytest.raises(Conflict) as exc:
        workbook_import(
            actor=who(world, "esa_officer_a1"), report_id=report.pk, data=filled, filename="r.xlsx"
        )
    assert exc.value.current == v0 + 1
    assert exc.value.problems[0].code == "stale_workbook"
    assert value_of(report, "teacher_pd_hours").value == 30.0
    assert snapshot(report) == before


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "not_xlsx"),
        (b"name,value\nsupervision_coverage,12\n", "not_xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old_excel"),
        (b"PK\x03\x04" + b"\x00" * 100, "file_unreadable"),
    ],
)
def test_a_file_that_is_not_an_xlsx_is_refused_clearly(world: World, content: bytes, code: str) -> None:
    report = prefilled_report(world)
    before = snapshot(report)
    with pytest.raises(InvalidInput) as exc:
        workbook_import(
            actor=who(world, "esa_officer_a1"), report_id=report.pk, data=content, filename="x.xlsx"
        )
    [p] = exc.value.problems
    assert (p.code, p.file) == (code, "x.xlsx")
    assert p.th
    assert p.en
    assert p.th != p.en
    assert snapshot(report) == before


def test_a_truncated_download_and_a_plain_workbook_are_refused(world: World) -> None:
    report = prefilled_report(world)
    data = export(world, report)
    with pytest.raises(InvalidInput) as exc:
        workbook_import(actor=who(world, "esa_officer_a1"), report_id=report.pk, data=data[: len(data) // 2],
                        filename="cut.xlsx")  # fmt: skip
    assert exc.value.problems[0].code == "file_unreadable"
    plain = io.BytesIO()
    Workbook().save(plain)
    with pytest.raises(InvalidInput) as exc:
        workbook_import(actor=who(world, "esa_officer_a1"), report_id=report.pk, data=plain.getvalue(),
                        filename="plain.xlsx")  # fmt: skip
    assert exc.value.problems[0].code == "not_report_workbook"
    # A zip that is not a workbook at all.
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(InvalidInput) as exc:
        workbook_import(actor=who(world, "esa_officer_a1"), report_id=report.pk, data=other.getvalue(),
                        filename="z.xlsx")  # fmt: skip
    assert exc.value.problems[0].code == "not_xlsx"


def test_a_broken_meta_sheet_is_refused(world: World) -> None:
    report = prefilled_report(world)
    filled = fill(export(world, report), meta={"lock_version": "abc"})
    with pytest.raises(InvalidInput) as exc:
        workbook_import(
            actor=who(world, "esa_officer_a1"), report_id=report.pk, data=filled, filename="r.xlsx"
        )
    assert exc.value.problems[0].code == "not_report_workbook"


def test_unknown_and_duplicate_rows_are_errors(world: World) -> None:
    report = prefilled_report(world)
    book = load_workbook(io.BytesIO(export(world, report)))
    ws = book[SHEET_VALUES]
    last = ws.max_row
    ws.cell(row=last + 1, column=1).value = "made_up"
    ws.cell(row=last + 2, column=1).value = "teacher_pd_hours"
    ws.cell(row=last + 2, column=9).value = 4
    ws2 = book[SHEET_TEXT]
    ws2.cell(row=ws2.max_row + 1, column=1).value = "s9_none"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(InvalidInput) as exc:
        workbook_import(actor=who(world, "esa_officer_a1"), report_id=report.pk, data=out.getvalue(),
                        filename="r.xlsx")  # fmt: skip
    assert [(p.code, p.row) for p in exc.value.problems] == [
        ("unknown_indicator", last + 1),
        ("duplicate_row", last + 2),
        ("unknown_section", 6),
    ]


@pytest.mark.parametrize(("persona", "error"), [
    ("esa_officer_b1", NotFoundOrNoAccess), ("executive", PermissionDenied), ("reviewer", NotFoundOrNoAccess),
])  # fmt: skip
def test_only_the_esa_imports_and_only_viewers_export(
    world: World, persona: str, error: type[Exception]
) -> None:
    report = prefilled_report(world)
    filled = fill(export(world, report), values={"teacher_pd_hours": 20})
    before = snapshot(report)
    with pytest.raises(error):
        workbook_import(actor=who(world, persona), report_id=report.pk, data=filled, filename="r.xlsx")
    assert snapshot(report) == before
    if persona == "executive":
        assert workbook_export(actor=who(world, persona), report_id=report.pk)[0][:2] == b"PK"
    else:
        with pytest.raises(NotFoundOrNoAccess):
            workbook_export(actor=who(world, persona), report_id=report.pk)
