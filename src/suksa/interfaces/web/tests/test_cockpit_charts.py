"""The cockpit's chart and tile-map partials, rendered by Django's template engine, and the ECharts
options of ``interfaces/web/charts.py``."""

from __future__ import annotations

import json
import re
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from suksa.domains.cockpit.services.tiles import PALETTE, legend, province_tiles
from suksa.interfaces.web.charts import (
    COLOURS,
    bar_option,
    interval_option,
    interval_table,
    line_option,
    series_table,
)

TILEMAP = "web/cockpit/partials/tilemap.html"
CHART = "web/cockpit/partials/chart.html"


def values() -> dict[str, dict[str, Any]]:
    return {
        "10": {"value": 52.5, "period": "2568", "url": "/cockpit/unit/1/?indicator=onet", "persons": 900},
        "12": {"value": 48.0, "period": "2568", "url": "/cockpit/unit/2/?indicator=onet", "persons": 800},
        "57": {"value": 41.25, "period": "2567", "url": "/cockpit/unit/3/?indicator=onet", "persons": 500},
        "96": {"value": 38.0, "period": "2568", "url": "/cockpit/unit/4/?indicator=onet", "persons": 3},
    }


def render_map(language: str, data: dict[str, dict[str, Any]] | None = None) -> str:
    with translation.override(language):
        tiles = province_tiles(
            values() if data is None else data,
            unit=("คะแนน", "points"),
            source=("O-NET ป.6", "O-NET P6"),
            period="2568",
        )
        return render_to_string(TILEMAP, {"tiles": tiles, "legend": legend(tiles)})


def tile_tags(html: str) -> list[str]:
    return re.findall(r'<a class="tile [^"]*" data-testid="tile-[^>]*>', html)


# --- tile map ------------------------------------------------------------------------------------


def test_the_tile_map_has_77_tiles_in_tab_order_north_to_south() -> None:
    html = render_map("th")
    assert html.count('data-testid="tilemap"') == 1
    tags = tile_tags(html)
    assert len(tags) == 77
    codes = [re.search(r'data-testid="tile-(\d\d)"', t).group(1) for t in tags]  # type: ignore[union-attr]
    assert len(set(codes)) == 77
    assert codes[0] == "57"  # Chiang Rai first
    assert codes.index("57") < codes.index("10") < codes.index("96")
    assert codes[-3:] == ["91", "95", "96"]  # the deep south last
    assert 'viewBox="0 0 600 960"' in html
    assert '<a class="visually-hidden-focusable" href="#tilemap-after">ข้ามแผนที่</a>' in html


def test_a_tile_is_a_link_with_its_aria_label_tooltip_abbreviation_and_value() -> None:
    html = render_map("th")
    bangkok = next(t for t in tile_tags(html) if 'data-testid="tile-10"' in t)
    assert bangkok == (
        '<a class="tile tile-bin tile-bin-2" data-testid="tile-10" data-code="10"'
        ' href="/cockpit/unit/1/?indicator=onet"\n'
        '       aria-label="กรุงเทพมหานคร: 52.5 คะแนน (กลุ่ม 3 จาก 3; 3 = ดีที่สุด); ช่วงเวลา 2568; ที่มา: O-NET ป.6"'
        ' data-tip="กรุงเทพมหานคร\n52.5 คะแนน\nช่วงเวลา 2568\nที่มา: O-NET ป.6">'
    )
    assert (
        f'<rect class="tile-bg" x="182" y="482" width="56" height="56" rx="4" fill="{PALETTE[-1]}"/>' in html
    )
    assert '<text class="tile-abbr" x="210" y="506" fill="#ffffff" aria-hidden="true">กทม</text>' in html
    assert '<text class="tile-value" x="210" y="527" fill="#ffffff" aria-hidden="true">52.5</text>' in html
    assert "<title>กรุงเทพมหานคร\n52.5 คะแนน\nช่วงเวลา 2568\nที่มา: O-NET ป.6</title>" in html


def test_a_tile_reads_in_english_when_the_page_is_english() -> None:
    html = render_map("en")
    assert (
        'aria-label="Chiang Rai: 41.2 points (group 1 of 3; 3 = best); period 2567; source: O-NET P6"' in html
    )
    assert '<text class="tile-abbr" x="150" y="26" fill="#000000" aria-hidden="true">CRI</text>' in html
    assert ">Skip the map</a>" in html
    assert 'aria-controls="tilemap-table">Table</button>' in html


def test_no_data_and_suppressed_tiles_are_hatched_with_a_symbol_and_words() -> None:
    html = render_map("th")
    narathiwat = next(t for t in tile_tags(html) if 'data-testid="tile-96"' in t)
    assert 'class="tile tile-suppressed"' in narathiwat
    assert 'aria-label="นราธิวาส: ปกปิด (&lt;5); ช่วงเวลา 2568; ที่มา: O-NET ป.6"' in narathiwat
    assert 'fill="url(#tilemap-suppressed)"' in html
    assert 'aria-hidden="true">&lt;5</text>' in html
    # a province without a value has no link but stays focusable, and says so
    loei = next(t for t in tile_tags(html) if 'data-testid="tile-42"' in t)
    assert ' tabindex="0" role="img"' in loei
    assert "href" not in loei
    assert 'aria-label="เลย: ไม่มีข้อมูล; ช่วงเวลา 2568; ที่มา: O-NET ป.6"' in loei
    assert '<pattern id="tilemap-nodata"' in html
    assert '<pattern id="tilemap-suppressed"' in html


def test_the_legend_names_each_group_and_the_no_data_and_suppressed_marks() -> None:
    html = render_map("th")
    assert "สีเข้มกว่า = ดีกว่า (ยิ่งสูงยิ่งดี) · แบ่งเป็น 3 กลุ่มเท่า ๆ กันตามลำดับ (ควอนไทล์) · หน่วย: คะแนน" in html
    items = re.findall(r'data-testid="(legend-[^"]+)"', html)
    assert items == ["legend-bin-1", "legend-bin-2", "legend-bin-3", "legend-nodata", "legend-suppressed"]
    assert "<span>กลุ่ม 1: 41.2</span>" in html
    assert "<span>กลุ่ม 3: 52.5</span>" in html
    assert "<span>ไม่มีข้อมูล</span>" in html
    assert "<span>ปกปิด (&lt;5)</span>" in html


def test_the_table_view_lists_every_province_with_value_period_and_source() -> None:
    html = render_map("th")
    assert (
        '<button type="button" class="btn btn-sm btn-outline-secondary" data-cockpit-toggle'
        ' aria-expanded="true" aria-controls="tilemap-table">ตาราง</button>'
    ) in html
    table = html[html.index('id="tilemap-table"') :]
    assert '<th scope="col">จังหวัด</th>' in table
    assert '<th scope="col" class="num">ค่า</th>' in table
    rows = re.findall(r'<tr data-code="(\d\d)">', table)
    assert len(rows) == 77
    bangkok = re.search(r'<tr data-code="10">(.*?)</tr>', table, re.S).group(1)  # type: ignore[union-attr]
    cells = [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", bangkok, re.S)
    ]
    assert cells == ["กรุงเทพมหานคร", "52.5 คะแนน", "2568", "O-NET ป.6"]
    assert '<a href="/cockpit/unit/1/?indicator=onet">กรุงเทพมหานคร</a>' in bangkok
    loei = re.search(r'<tr data-code="42">(.*?)</tr>', table, re.S).group(1)  # type: ignore[union-attr]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", loei, re.S)]
    assert cells == ["เลย", "ไม่มีข้อมูล", "2568", "O-NET ป.6"]


def test_the_esa_level_draws_sub_tiles_and_lists_them_under_their_province() -> None:
    data = {
        "10": {
            "period": "2568",
            "url": "/p/10/",
            "esas": [
                {
                    "code": "E1",
                    "name_th": "สพป.กทม.",
                    "name_en": "Bangkok PESAO",
                    "value": 50.0,
                    "url": "/u/E1/",
                },
                {
                    "code": "E2",
                    "name_th": "สพม.กทม. 1",
                    "name_en": "Bangkok SESAO 1",
                    "value": 40.0,
                    "url": "/u/E2/",
                },
            ],
        }
    }
    html = render_map("en", data)
    assert 'data-level="esa"' in html
    assert len(tile_tags(html)) == 77
    sub = re.search(r'<a class="tile tile-sub [^>]*data-testid="subtile-E1"[^>]*>', html).group(0)  # type: ignore[union-attr]
    assert 'href="/u/E1/"' in sub
    assert (
        'aria-label="Bangkok PESAO: 50.0 points (group 2 of 2; 2 = best); period 2568; source: O-NET P6"'
        in sub
    )
    assert "Numbers in the small squares are each ESA's group" in html
    assert re.findall(r'<tr class="tilemap-subrow" data-code="([^"]+)">', html) == ["E1", "E2"]
    assert '<th scope="col">Province / ESA</th>' in html


# --- chart partial ------------------------------------------------------------------------------


SERIES = [
    {"name": "ประเทศ", "points": [["2566", 40.04], ["2567", 41.0], ["2568", 42.55]]},
    {"name": "สพป.ก 1", "points": [["2565", 38.0], ["2568", 44.0]]},
]


def test_the_chart_partial_has_the_chart_its_option_and_a_table_view() -> None:
    with translation.override("th"):
        option = line_option(SERIES, "คะแนน", target=45)
        table = series_table("trend", ("แนวโน้ม O-NET", "O-NET trend"), SERIES)
        html = render_to_string(
            CHART,
            {"chart_id": "trend-chart", "option": option, "table": table, "label_th": "แนวโน้ม", "label_en": "Trend",
             "testid": "trend-chart"},
        )  # fmt: skip
    assert '<figure class="cockpit-figure mb-3" id="trend-chart-figure" data-testid="trend-chart">' in html
    assert '<figcaption class="cockpit-figure-caption">แนวโน้ม</figcaption>' in html
    assert (
        '<div class="cockpit-chart" id="trend-chart" data-cockpit-chart="trend-chart-option" role="img"\n'
        '       aria-label="แนวโน้ม. ตัวเลขเดียวกันอยู่ในตารางใต้แผนภูมิ"></div>'
    ) in html
    script = re.search(r'<script id="trend-chart-option" type="application/json">(.*?)</script>', html, re.S)
    assert script is not None
    assert json.loads(script.group(1)) == option
    assert 'data-cockpit-toggle aria-expanded="true" aria-controls="trend-chart-table">ตาราง</button>' in html
    assert '<div class="cockpit-table-view mt-2" id="trend-chart-table">' in html
    assert 'data-testid="table-trend"' in html  # the shared data table
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    assert re.findall(r'<th scope="row"[^>]*>([^<]*)</th>', body) == ["2565", "2566", "2567", "2568"]
    assert "<script>" not in html  # no inline script


def test_a_chart_without_a_table_has_no_toggle_and_a_default_testid() -> None:
    with translation.override("en"):
        html = render_to_string(
            CHART,
            {
                "chart_id": "bars",
                "option": bar_option(["a"], [1.0], "n"),
                "label_th": "แท่ง",
                "label_en": "Bars",
            },
        )
    assert 'data-testid="chart-bars"' in html
    assert 'aria-label="Bars. "' in html
    assert "data-cockpit-toggle" not in html


# --- options --------------------------------------------------------------------------------------


def test_line_option_puts_periods_on_x_and_leaves_gaps() -> None:
    with translation.override("en"):
        option = line_option(SERIES, "points", target=45)
    assert option["xAxis"]["type"] == "category"
    assert option["xAxis"]["data"] == ["2565", "2566", "2567", "2568"]
    assert option["yAxis"]["name"] == "points"
    assert [s["name"] for s in option["series"]] == ["ประเทศ", "สพป.ก 1"]
    assert option["series"][0]["data"] == [None, 40.0, 41.0, 42.5]  # rounded to 1 digit (half to even)
    assert option["series"][1]["data"] == [38.0, None, None, 44.0]
    assert [s["symbol"] for s in option["series"]] == ["circle", "rect"]
    assert [s["lineStyle"]["type"] for s in option["series"]] == ["solid", "dashed"]
    assert option["series"][0]["markLine"]["data"] == [{"yAxis": 45, "name": "Target"}]
    assert option["series"][0]["markLine"]["label"]["formatter"] == "Target 45.0"
    assert "markLine" not in option["series"][1]
    assert option["aria"] == {"enabled": True, "decal": {"show": True}}
    assert option["textStyle"]["fontFamily"] == "Sarabun, Tahoma, sans-serif"
    assert option["color"] == list(COLOURS)
    assert option["legend"]["show"] is True
    json.dumps(option)  # JSON-able: no functions
    single = line_option(SERIES[:1], "points")
    assert single["legend"]["show"] is False
    assert "markLine" not in single["series"][0]


def test_interval_option_draws_dots_whiskers_and_the_median() -> None:
    rows: list[dict[str, Any]] = [
        {"label": "สพป.ก 1", "value": 41.0, "low": 39.0, "high": 43.0, "highlight": True},
        {"label": "สพป.ก 2", "value": 45.0, "low": 44.0, "high": 47.5, "highlight": False},
        {"label": "สพป.ก 3", "value": None, "low": None, "high": None, "highlight": False},
    ]
    with translation.override("th"):
        option = interval_option(rows, unit_label="คะแนน", median=44.0)
    json.dumps(option)
    assert option["yAxis"]["type"] == "category"
    assert option["yAxis"]["inverse"] is True
    assert [d["value"] for d in option["yAxis"]["data"]] == ["สพป.ก 1", "สพป.ก 2", "สพป.ก 3"]
    assert [d["textStyle"]["fontWeight"] for d in option["yAxis"]["data"]] == ["bold", "normal", "normal"]
    dots, *whiskers = option["series"]
    assert dots["type"] == "scatter"
    assert [d["value"] for d in dots["data"]] == [[41.0, "สพป.ก 1"], [45.0, "สพป.ก 2"], [None, "สพป.ก 3"]]
    assert [(d["low"], d["high"]) for d in dots["data"]] == [(39.0, 43.0), (44.0, 47.5), (None, None)]
    assert [(d["symbol"], d["symbolSize"], d["itemStyle"]["color"]) for d in dots["data"]] == [
        ("diamond", 14, "#0072B2"),
        ("circle", 9, "#6b7280"),
        ("circle", 9, "#6b7280"),
    ]
    assert [w["data"] for w in whiskers] == [
        [[39.0, "สพป.ก 1"], [43.0, "สพป.ก 1"]],
        [[44.0, "สพป.ก 2"], [47.5, "สพป.ก 2"]],
    ]
    assert [(w["type"], w["lineStyle"]["width"]) for w in whiskers] == [("line", 3), ("line", 2)]
    median = dots["markLine"]["data"][0]
    assert (median["xAxis"], median["name"], median["label"]["formatter"]) == (44.0, "มัธยฐาน", "มัธยฐาน 44.0")
    assert "markLine" not in interval_option(rows, unit_label="คะแนน")["series"][0]


def test_bar_option_highlights_one_bar() -> None:
    option = bar_option(["ก", "ข"], [1.0, 2.04], "คน", highlight="ข")
    assert option["xAxis"]["data"] == ["ก", "ข"]
    assert [
        (d["value"], d["itemStyle"]["color"], d["label"]["show"]) for d in option["series"][0]["data"]
    ] == [
        (1.0, "#6b7280", False),
        (2.0, "#0072B2", True),
    ]


def test_the_tables_carry_the_same_numbers_as_the_charts() -> None:
    table = series_table("t", ("แนวโน้ม", "Trend"), SERIES, source=("ทะเบียน", "Register"))
    assert [c.key for c in table.columns] == ["period", "s0", "s1"]
    assert table.rows == [
        {"period": "2565", "s0": None, "s1": 38.0},
        {"period": "2566", "s0": 40.04, "s1": None},
        {"period": "2567", "s0": 41.0, "s1": None},
        {"period": "2568", "s0": 42.55, "s1": 44.0},
    ]
    assert (table.source_th, table.source_en) == ("ทะเบียน", "Register")
    rows = [{"label": "ก", "value": 1.0, "low": 0.5, "high": 1.5, "highlight": True, "persons": 3}]
    peers = interval_table("p", ("เทียบ", "Peers"), rows, persons_key="persons")
    assert [c.key for c in peers.columns] == ["label", "value", "low", "high"]
    assert peers.rows == rows
    assert peers.persons_key == "persons"
