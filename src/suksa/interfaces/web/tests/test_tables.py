"""Tables the cockpit shows and exports (interfaces/web/tables.py, partials/data_table.html):
screen formatting, small-cell suppression on screen and in the workbook, the workbook's header
block and cell types, the download name, ``?format=xlsx&table=`` handling and the accessible
markup of the partial."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from suksa.core.models import AuditEntry
from suksa.domains.accounts.actors import actor_for
from suksa.interfaces.web.tables import Column, Table, display_cell, table_from_request, xlsx_response
from tests.factories import World

BANGKOK = ZoneInfo("Asia/Bangkok")
NOW = dt.datetime(2026, 11, 21, 14, 5, tzinfo=BANGKOK)

COLUMNS = [
    Column("name", "เขตพื้นที่", "ESA", kind="link", filterable=True),
    Column("province", "จังหวัด", "Province"),
    Column("value", "คะแนนเฉลี่ย", "Mean score", kind="number", digits=2),
    Column("rate", "อัตราการออกกลางคัน", "Dropout rate", kind="percent"),
    Column("persons", "ผู้เรียน", "Learners", kind="int"),
    Column("light", "สถานะ", "Status", kind="light"),
    Column("arrow", "แนวโน้ม", "Trend", kind="arrow", sortable=False),
]


def esa_row(
    name: str, url: str, province: str, value: Any, rate: Any, persons: Any, light: str, arrow: str
) -> dict[str, Any]:
    return {
        "name": {"text": name, "url": url},
        "province": province,
        "value": value,
        "rate": rate,
        "persons": persons,
        "light": light,
        "arrow": arrow,
    }


def make_table(**overrides: Any) -> Table:
    rows = [
        esa_row("สพป.เชียงใหม่ เขต 1", "/cockpit/unit/11/", "เชียงใหม่", 1234.5678, 12.345, 15230, "green", "up"),
        esa_row("สพป.ลำพูน เขต 1", "/cockpit/unit/12/", "ลำพูน", Decimal("38.2"), 3.0, 3, "red", "down"),
        esa_row("สพป.น่าน เขต 2", "/cockpit/unit/13/", "น่าน", None, 0.5, 0, "amber", "flat"),
        esa_row("สพป.แพร่ เขต 1", "/cockpit/unit/14/", "แพร่", 41.0, None, None, "none", "none"),
    ]
    fields: dict[str, Any] = {
        "key": "subunits",
        "title_th": "ผลการดำเนินงานรายเขตพื้นที่",
        "title_en": "Results by ESA",
        "columns": COLUMNS,
        "rows": rows,
        "persons_key": "persons",
        "scope_th": "เขตตรวจราชการที่ 15",
        "scope_en": "Inspection region 15",
        "period_th": "ปีการศึกษา 2568",
        "period_en": "Academic year 2568",
        "source_th": "ระบบศึกษา รอบการวิเคราะห์ล่าสุด",
        "source_en": "Suksa, latest insights run",
    }
    fields.update(overrides)
    return Table(**fields)


def texts(table: Table) -> list[list[str]]:
    return [[c.text for c in row] for row in table.display_rows()]


def sheet_of(response: HttpResponse) -> Worksheet:
    ws = load_workbook(io.BytesIO(response.content)).active
    assert isinstance(ws, Worksheet)
    return ws


def values(ws: Worksheet) -> list[list[Any]]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


# --- screen --------------------------------------------------------------------------------------


def test_cells_are_formatted_for_the_screen_with_words_beside_every_symbol() -> None:
    with translation.override("th"):
        assert texts(make_table()) == [
            ["สพป.เชียงใหม่ เขต 1", "เชียงใหม่", "1,234.57", "12.3%", "15,230", "● บรรลุเป้าหมาย", "↑ เพิ่มขึ้น"],
            ["สพป.ลำพูน เขต 1", "ลำพูน", "ปกปิด (<5)", "ปกปิด (<5)", "ปกปิด (<5)", "ปกปิด (<5)", "ปกปิด (<5)"],
            ["สพป.น่าน เขต 2", "น่าน", "–", "0.5%", "0", "◐ ใกล้เป้าหมาย", "→ คงที่"],
            ["สพป.แพร่ เขต 1", "แพร่", "41.00", "–", "–", "– ไม่มีเป้าหมาย", "– ข้อมูลไม่พอ"],
        ]
    with translation.override("en"):
        first, small = texts(make_table())[:2]
        assert first[5:] == ["● On target", "↑ Rising"]
        assert small[2] == "suppressed (<5)"


def test_cells_carry_the_raw_value_to_sort_on_and_the_link() -> None:
    first, small, zero, unknown = make_table().display_rows()
    assert [c.sort for c in first] == [
        "สพป.เชียงใหม่ เขต 1",
        "เชียงใหม่",
        "1234.5678",
        "12.345",
        "15230",
        "3",
        "1",
    ]
    assert first[0].url == "/cockpit/unit/11/"
    assert [c.numeric for c in first] == [False, False, True, True, True, False, False]
    # a withheld cell gives nothing away, not even its sort key
    assert [(c.sort, c.suppressed) for c in small[2:]] == [("", True)] * 5
    assert [c.sort for c in zero[2:]] == ["", "0.5", "0", "2", "0"]
    assert [c.sort for c in unknown[2:]] == ["41.0", "", "", "0", "-2"]


def test_a_plain_value_in_a_link_column_and_an_unknown_kind() -> None:
    column = Column("name", "ชื่อ", "Name", kind="link")
    assert display_cell(column, "โรงเรียนบ้านดอย").text == "โรงเรียนบ้านดอย"
    assert display_cell(column, "โรงเรียนบ้านดอย").url == ""
    assert display_cell(Column("n", "จำนวน", "Count", kind="int"), 1234.6).text == "1,235"
    with pytest.raises(ValueError, match="unknown column kind 'money'"):
        Column("x", "เงิน", "Money", kind="money")
    with pytest.raises(ValueError, match="letters, digits"):
        make_table(key="a b")


def test_small_rows_may_be_shown_on_screen_only_when_the_page_says_so() -> None:
    shown = make_table(suppress_screen=False)
    with translation.override("th"):
        assert texts(shown)[1][2:5] == ["38.20", "3.0%", "3"]
    assert shown.note == ""
    assert make_table().any_suppressed is True
    # zero and unknown headcounts are not small cells
    assert make_table(rows=make_table().rows[2:]).any_suppressed is False
    assert make_table(persons_key=None).any_suppressed is False


# --- Excel ---------------------------------------------------------------------------------------


def test_the_workbook_has_the_header_block_bilingual_headings_and_real_numbers() -> None:
    ws = sheet_of(xlsx_response(make_table(), "subunits.xlsx", now=NOW))
    rows = values(ws)
    assert [r[:2] for r in rows[:8]] == [
        ["ผลการดำเนินงานรายเขตพื้นที่", None],
        ["Results by ESA", None],
        ["ขอบเขต / Scope", "เขตตรวจราชการที่ 15 / Inspection region 15"],
        ["ช่วงเวลา / Period", "ปีการศึกษา 2568 / Academic year 2568"],
        ["แหล่งข้อมูล / Source", "ระบบศึกษา รอบการวิเคราะห์ล่าสุด / Suksa, latest insights run"],
        ["ส่งออกเมื่อ / Exported on", "21 พ.ย. 2569 14:05 / 21 Nov 2569 BE 14:05"],
        [
            "หมายเหตุ / Note",
            "ปกปิด (<5): ค่าที่มาจากผู้เรียนน้อยกว่า 5 คนไม่แสดง เพื่อคุ้มครองข้อมูลส่วนบุคคล (PDPA)"
            " / suppressed (<5): values from fewer than 5 learners are withheld to protect personal data (PDPA)",
        ],
        [None, None],
    ]
    assert rows[8] == [
        "เขตพื้นที่ / ESA", "จังหวัด / Province", "คะแนนเฉลี่ย / Mean score", "อัตราการออกกลางคัน / Dropout rate",
        "ผู้เรียน / Learners", "สถานะ / Status", "แนวโน้ม / Trend",
    ]  # fmt: skip
    withheld = "ปกปิด (<5) / suppressed (<5)"
    assert rows[9:] == [
        ["สพป.เชียงใหม่ เขต 1", "เชียงใหม่", 1234.5678, 12.345, 15230, "● บรรลุเป้าหมาย / On target", "↑ เพิ่มขึ้น / Rising"],
        ["สพป.ลำพูน เขต 1", "ลำพูน", withheld, withheld, withheld, withheld, withheld],
        ["สพป.น่าน เขต 2", "น่าน", None, 0.5, 0, "◐ ใกล้เป้าหมาย / Near target", "→ คงที่ / Flat"],
        ["สพป.แพร่ เขต 1", "แพร่", 41.0, None, None, "– ไม่มีเป้าหมาย / No target", "– ข้อมูลไม่พอ / Too few points"],
    ]  # fmt: skip
    first = ws[10]
    assert [type(c.value) for c in first[2:5]] == [float, float, int]
    assert [c.number_format for c in first[2:5]] == ["#,##0.00", '0.0"%"', "#,##0"]
    assert first[4].alignment.horizontal == "right"
    assert ws.freeze_panes == "A10"
    assert {ws.cell(row=r, column=1).font.name for r in range(1, 14) if ws.cell(row=r, column=1).value} == {
        "Sarabun"
    }
    assert ws["A1"].font.b is True
    assert ws.column_dimensions["D"].width == len("อัตราการออกกลางคัน / Dropout rate") + 2
    assert ws.column_dimensions["B"].width == len("จังหวัด / Province") + 2
    assert ws.column_dimensions["F"].width == len(withheld) + 2  # the widest cell, padded
    assert ws.column_dimensions["A"].width == len("สพป.เชียงใหม่ เขต 1") + 2


def test_the_withheld_values_are_nowhere_in_the_file_even_when_the_screen_shows_them() -> None:
    response = xlsx_response(make_table(suppress_screen=False), "subunits", now=NOW)
    rows = values(sheet_of(response))
    cells = [v for r in rows for v in r]
    assert 38.2 not in cells
    assert 3 not in cells  # 3.0 == 3: neither the rate nor the headcount
    assert rows[6][0] == "หมายเหตุ / Note"


def test_without_small_rows_there_is_no_note_and_empty_lines_are_left_out() -> None:
    table = make_table(rows=make_table().rows[2:], scope_th="", scope_en="", source_th="", source_en="")
    rows = values(sheet_of(xlsx_response(table, "x.xlsx", now=NOW)))
    assert [r[0] for r in rows[:5]] == [
        "ผลการดำเนินงานรายเขตพื้นที่", "Results by ESA", "ช่วงเวลา / Period", "ส่งออกเมื่อ / Exported on", None,
    ]  # fmt: skip
    assert rows[5][0] == "เขตพื้นที่ / ESA"
    assert len(rows) == 8


def test_the_download_has_an_ascii_name_and_the_thai_one() -> None:
    response = xlsx_response(make_table(), "ผลรายเขต subunits 2568", now=NOW)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == (
        'attachment; filename="subunits-2568.xlsx"; '
        "filename*=UTF-8''%E0%B8%9C%E0%B8%A5%E0%B8%A3%E0%B8%B2%E0%B8%A2%E0%B9%80%E0%B8%82%E0%B8%95"
        "%20subunits%202568.xlsx"
    )
    assert response["Cache-Control"] == "no-store"
    only_thai = xlsx_response(make_table(), "ผลรายเขต.xlsx", now=NOW)
    assert only_thai["Content-Disposition"].startswith(
        "attachment; filename=\"table.xlsx\"; filename*=UTF-8''"
    )


# --- ?format=xlsx&table= -------------------------------------------------------------------------


def test_a_page_without_an_export_request_renders_as_usual() -> None:
    request = RequestFactory().get("/cockpit/", {"round": "3", "table": "subunits"})
    assert table_from_request(request, {"subunits": make_table()}) is None


@pytest.mark.parametrize(
    ("query", "field", "th", "en"),
    [
        (
            {"format": "csv", "table": "subunits"},
            "format",
            "รูปแบบไฟล์ (format) ไม่ถูกต้อง: รองรับเฉพาะ xlsx",
            "Invalid file format (format); only xlsx is supported",
        ),
        (
            {"format": "xlsx", "table": "schools"},
            "table",
            "ไม่รู้จักตาราง (table) ที่ขอ ตารางในหน้านี้: subunits",
            "Unknown table (table); the tables on this page: subunits",
        ),
        (
            {"format": "xlsx"},
            "table",
            "ไม่รู้จักตาราง (table) ที่ขอ ตารางในหน้านี้: subunits",
            "Unknown table (table); the tables on this page: subunits",
        ),
    ],
)
def test_a_bad_export_request_is_a_400_naming_the_field(
    query: dict[str, str], field: str, th: str, en: str
) -> None:
    response = table_from_request(RequestFactory().get("/cockpit/", query), {"subunits": make_table()})
    assert response is not None
    assert response.status_code == 400
    assert response["X-Problem-Field"] == field
    html = response.content.decode()
    assert "คำขอไม่ถูกต้อง" in html
    assert "Bad request" in html
    assert f"<p>{unescape(th)}</p>" in unescape(html)
    assert f'<p lang="en">{en}</p>' in html


@pytest.mark.django_db
def test_an_export_is_the_asked_table_and_is_audited(world: World) -> None:
    request = RequestFactory().get("/cockpit/", {"round": "3", "format": "xlsx", "table": "subunits"})
    request.user = world.user("executive")
    request.actor = actor_for(request.user)  # type: ignore[attr-defined]
    other = make_table(key="schools", title_th="โรงเรียน", title_en="Schools")
    response = table_from_request(request, {"subunits": make_table(), "schools": other})
    assert response is not None
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert re.fullmatch(
        r"attachment; filename=\"subunits-25\d\d-\d\d-\d\d\.xlsx\"; filename\*=UTF-8''subunits-25\d\d-\d\d-\d\d\.xlsx",
        disposition,
    ), disposition
    rows = values(sheet_of(response))
    assert rows[0][0] == "ผลการดำเนินงานรายเขตพื้นที่"
    assert rows[5][0] == "ส่งออกเมื่อ / Exported on"
    months_th = "ม.ค.|ก.พ.|มี.ค.|เม.ย.|พ.ค.|มิ.ย.|ก.ค.|ส.ค.|ก.ย.|ต.ค.|พ.ย.|ธ.ค."
    assert re.fullmatch(
        rf"\d{{1,2}} ({months_th}) 25\d\d \d\d:\d\d / \d{{1,2}} [A-Z][a-z]{{2}} 25\d\d BE \d\d:\d\d",
        rows[5][1],
    ), rows[5][1]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT, object_type="cockpit.table")
    assert entry.actor_username == world.user("executive").username
    assert entry.object_id == "subunits"
    assert entry.changes == {
        "format": "xlsx",
        "table": "subunits",
        "page": "/cockpit/",
        "rows": 4,
        "suppressed": True,
    }


# --- the partial -----------------------------------------------------------------------------------


def render(table: Table, query: str = "", language: str = "th", **extra: Any) -> str:
    request = RequestFactory().get("/cockpit/unit/7/" + query)
    with translation.override(language):
        return render_to_string("web/partials/data_table.html", {"table": table, **extra}, request=request)


def test_the_partial_is_an_accessible_sortable_filterable_table() -> None:
    html = render(make_table(), "?round=3&indicator=onet_mean_p6&format=xlsx&table=old")
    assert 'data-testid="table-subunits"' in html
    assert (
        '<caption class="caption-top text-body fw-semibold">ผลการดำเนินงานรายเขตพื้นที่ · ปีการศึกษา 2568'
        " · เขตตรวจราชการที่ 15</caption>"
    ) in html
    assert html.count('<th scope="col"') == 7
    assert html.count('aria-sort="none"') == 6  # every column but the unsortable trend
    assert '<th scope="col">แนวโน้ม</th>' in html
    assert (
        '<th scope="col" class="num text-end" aria-sort="none" data-sort-type="number"><button type="button"'
        ' class="btn btn-link p-0 fw-semibold text-reset text-decoration-none table-sort" data-sort-column="2">'
        'คะแนนเฉลี่ย&nbsp;<span class="table-sort-icon" aria-hidden="true">↕</span></button></th>'
    ) in html
    assert 'aria-sort="none" data-sort-type="text"><button' in html
    assert (
        '<th scope="row" class="fw-normal" data-sort="สพป.เชียงใหม่ เขต 1">'
        '<a href="/cockpit/unit/11/">สพป.เชียงใหม่ เขต 1</a></th>'
    ) in html
    assert '<td class="num text-end" data-sort="1234.5678">1,234.57</td>' in html
    assert '<td class="num text-end" data-sort="" data-suppressed>ปกปิด (&lt;5)</td>' in html
    assert '<td data-sort="3">● บรรลุเป้าหมาย</td>' in html
    assert '<tr data-row data-search="สพป.เชียงใหม่ เขต 1">' in html  # the filterable column only
    assert '<label class="form-label small mb-0" for="filter-subunits">กรองแถวในตาราง</label>' in html
    assert 'id="filter-subunits" data-table-filter autocomplete="off" aria-controls="table-subunits"' in html
    assert "<div data-table-filter-wrap hidden>" in html  # shown by tables.js; a plain table without it
    assert 'role="status" aria-live="polite" data-table-count' in html
    assert 'data-count-template="แสดง {n} จาก {m} แถว"' in html
    assert ">แสดง 4 จาก 4 แถว</p>" in html
    assert ("ปกปิด (&lt;5): ค่าที่มาจากผู้เรียนน้อยกว่า 5 คนไม่แสดง เพื่อคุ้มครองข้อมูลส่วนบุคคล (PDPA)</p>") in html
    assert "แหล่งข้อมูล: ระบบศึกษา รอบการวิเคราะห์ล่าสุด</p>" in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == ['<script src="/static/suksa/tables.js" defer>']


def test_the_excel_link_keeps_the_other_query_parameters() -> None:
    query = "?round=3&indicator=onet_mean_p6&units=1,2&q=%E0%B8%81+x&format=xlsx&table=old"
    html = render(make_table(), query)
    link = re.search(r'data-testid="xlsx-subunits" href="([^"]*)" download>ดาวน์โหลด Excel</a>', html)
    assert link is not None
    href = unescape(link.group(1))
    assert href == "?round=3&indicator=onet_mean_p6&units=1%2C2&q=%E0%B8%81%20x&format=xlsx&table=subunits"
    request = RequestFactory().get("/cockpit/unit/7/" + query)
    assert make_table().xlsx_url(request) == (
        "?round=3&indicator=onet_mean_p6&units=1%2C2&q=%E0%B8%81+x&format=xlsx&table=subunits"
    )
    assert (
        render(make_table(), "", xlsx_url="/elsewhere/?format=xlsx&table=subunits").count(
            'href="/elsewhere/?format=xlsx&amp;table=subunits"'
        )
        == 1
    )
    assert 'data-testid="xlsx-subunits"' not in render(make_table(), "", no_export=True)


def test_the_partial_in_english_and_empty() -> None:
    html = render(make_table(rows=[]), language="en")
    assert '<caption class="caption-top text-body fw-semibold">Results by ESA · Academic year 2568' in html
    assert ">Showing 0 of 0 rows</p>" in html
    assert 'data-count-template="Showing {n} of {m} rows"' in html
    assert '<td colspan="7" class="text-secondary-emphasis">No data</td>' in html
    assert "data-no-match" not in html
    assert '<th scope="col" class="num text-end" aria-sort="none" data-sort-type="number">' in html
    assert ">Download Excel</a>" in html
    assert "suppressed (&lt;5)" not in html
