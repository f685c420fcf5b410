"""The tile map: the shipped layout of the 77 provinces, and the colours, text and legend of a map."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geothai
import pytest

from suksa.domains.cockpit.services import tiles
from suksa.domains.cockpit.services.tiles import (
    PALETTE,
    centroids,
    compute_layout,
    contrast,
    layout,
    legend,
    province_tiles,
    quantile_bins,
)

GEOTHAI_PROVINCES = Path(geothai.__file__).parent / "_data" / "provinces.json"


def geothai_codes() -> dict[str, tuple[str, str]]:
    rows = json.loads(GEOTHAI_PROVINCES.read_text(encoding="utf-8"))
    return {code: (th, en) for code, th, en in rows}


def chebyshev(a: str, b: str) -> int:
    grid = layout()
    return max(abs(grid[a]["col"] - grid[b]["col"]), abs(grid[a]["row"] - grid[b]["row"]))


def tile(tilemap: dict[str, Any], code: str) -> dict[str, Any]:
    return next(t for t in tilemap["tiles"] if t["code"] == code)


# --- layout --------------------------------------------------------------------------------------


def test_the_centroids_name_exactly_geothais_77_provinces() -> None:
    places = centroids()
    assert {code: (p["name_th"], p["name_en"]) for code, p in places.items()} == geothai_codes()
    assert len({p["abbr_th"] for p in places.values()}) == 77
    assert len({p["abbr_en"] for p in places.values()}) == 77
    assert all(5.5 < p["lat"] < 20.5 and 97.3 < p["lon"] < 105.7 for p in places.values())


def test_the_shipped_layout_is_what_compute_layout_returns() -> None:
    assert layout() == compute_layout()
    assert compute_layout() == compute_layout()  # deterministic


def test_every_province_has_its_own_cell_inside_the_grid() -> None:
    grid = layout()
    assert set(grid) == set(geothai_codes())
    cells = {(c["col"], c["row"]) for c in grid.values()}
    assert len(cells) == 77
    assert all(0 <= col < tiles.GRID_COLS and 0 <= row < tiles.GRID_ROWS for col, row in cells)
    # the grid is used to its edges: no empty border row or column
    assert {c for c, _r in cells} >= {0, tiles.GRID_COLS - 1}
    assert {r for _c, r in cells} >= {0, tiles.GRID_ROWS - 1}


def test_the_layout_keeps_north_south_and_east_west() -> None:
    grid = layout()
    # Chiang Rai is north of Bangkok, which is north of Narathiwat
    assert grid["57"]["row"] < grid["10"]["row"] < grid["96"]["row"]
    # Ubon Ratchathani is east of Kanchanaburi; Mae Hong Son is the west edge of the north
    assert grid["34"]["col"] > grid["71"]["col"]
    assert grid["58"]["col"] == 0
    # the south is a long peninsula below Prachuap Khiri Khan
    south = [
        grid[c]["row"]
        for c in ("80", "81", "82", "83", "84", "85", "86", "90", "91", "92", "93", "94", "95", "96")
    ]
    assert min(south) > grid["77"]["row"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("12", "10"),  # Nonthaburi – Bangkok
        ("11", "10"),  # Samut Prakan – Bangkok
        ("13", "12"),  # Pathum Thani – Nonthaburi
        ("50", "51"),  # Chiang Mai – Lamphun
        ("57", "56"),  # Chiang Rai – Phayao
        ("41", "43"),  # Udon Thani – Nong Khai
        ("34", "33"),  # Ubon Ratchathani – Si Sa Ket
        ("20", "21"),  # Chon Buri – Rayong
        ("83", "82"),  # Phuket – Phang-nga
        ("90", "94"),  # Songkhla – Pattani
        ("95", "96"),  # Yala – Narathiwat
    ],
)
def test_neighbours_in_reality_touch_on_the_grid(a: str, b: str) -> None:
    assert chebyshev(a, b) == 1


def test_each_provinces_nearest_seat_is_at_most_two_cells_away() -> None:
    places = centroids()

    def nearest(code: str) -> str:
        p = places[code]
        return min(
            (c for c in places if c != code),
            key=lambda c: (places[c]["lat"] - p["lat"]) ** 2 + (places[c]["lon"] - p["lon"]) ** 2,
        )

    far = sorted(code for code in places if chebyshev(code, nearest(code)) > 1)
    assert far == ["73"]  # Nakhon Pathom, two cells from Samut Sakhon
    assert chebyshev("73", nearest("73")) == 2


# --- colours ----------------------------------------------------------------------------------


def test_every_palette_colour_has_text_of_at_least_4_5_to_1() -> None:
    for fill in PALETTE:
        assert contrast(fill, tiles.ink_for(fill)) >= 4.5, fill
    assert contrast(tiles.NODATA_FILL, tiles.INK_DARK) >= 4.5
    assert contrast(tiles.SUPPRESSED_FILL, tiles.INK_DARK) >= 4.5
    assert tiles.ink_for("#253494") == "#ffffff"
    assert tiles.ink_for("#ffffcc") == "#000000"


def test_quantile_bins_keep_ties_together_and_squeeze_out_empty_bins() -> None:
    assert quantile_bins([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert quantile_bins([5, 5, 5, 1], 5) == [1, 1, 1, 0]
    assert quantile_bins([], 5) == []


FIVE = {"10": 10.0, "12": 20.0, "13": 30.0, "14": 40.0, "15": 50.0}


def five(**extra: Any) -> dict[str, dict[str, Any]]:
    return {code: {"value": v, "period": "2568", "url": f"/p/{code}/", **extra} for code, v in FIVE.items()}


def test_higher_is_better_paints_the_highest_value_darkest() -> None:
    tilemap = province_tiles(five(), direction="higher")
    assert [tile(tilemap, c)["fill"] for c in FIVE] == list(PALETTE)
    assert [tile(tilemap, c)["bin"] for c in FIVE] == [0, 1, 2, 3, 4]
    assert tile(tilemap, "15")["ink"] == "#ffffff"
    assert tile(tilemap, "15")["css"] == "tile-bin tile-bin-4"


def test_lower_is_better_paints_the_lowest_value_darkest() -> None:
    tilemap = province_tiles(five(), direction="lower")
    assert [tile(tilemap, c)["fill"] for c in FIVE] == list(reversed(PALETTE))
    assert tile(tilemap, "10")["aria"] == (
        "กรุงเทพมหานคร: 10.0 (กลุ่ม 5 จาก 5; 5 = ดีที่สุด); ช่วงเวลา 2568",
        "Bangkok: 10.0 (group 5 of 5; 5 = best); period 2568",
    )


def test_neutral_with_a_target_paints_the_closest_darkest() -> None:
    tilemap = province_tiles(five(), direction="neutral", target=31.0)
    assert tile(tilemap, "13")["fill"] == PALETTE[-1]
    assert tile(tilemap, "10")["fill"] == PALETTE[0]
    assert legend(tilemap)["bins"][-1]["label"] == ("ห่างจากเป้าหมาย 1.0", "1.0 from target")


def test_a_map_has_every_province_north_to_south_with_text_on_each_tile() -> None:
    values = five()
    values["15"] = {"value": 50.0, "persons": 3, "period": "2568", "url": "/p/15/"}  # small cell
    values["14"] = {"value": None, "period": "2568"}
    tilemap = province_tiles(
        values, unit=("คะแนน", "points"), source=("O-NET ป.6", "O-NET P6"), period="2567", digits=2
    )
    assert len(tilemap["tiles"]) == 77
    order = [(t["row"], t["col"]) for t in tilemap["tiles"]]
    assert order == sorted(order)
    assert tilemap["tiles"][0]["code"] == "57"  # Chiang Rai, the northernmost
    assert (tilemap["cols"], tilemap["rows"], tilemap["width"], tilemap["height"]) == (10, 16, 600, 960)

    bangkok = tile(tilemap, "10")
    assert {
        k: bangkok[k] for k in ("code", "row", "col", "x", "y", "size", "abbr", "name", "url", "period")
    } == {
        "code": "10",
        "row": 8,
        "col": 3,
        "x": 182,
        "y": 482,
        "size": 56,
        "abbr": ("กทม", "BKK"),
        "name": ("กรุงเทพมหานคร", "Bangkok"),
        "url": "/p/10/",
        "period": "2568",
    }
    assert bangkok["text"] == "10.00"
    assert bangkok["value_label"] == ("10.00 คะแนน", "10.00 points")
    assert bangkok["aria"] == (
        "กรุงเทพมหานคร: 10.00 คะแนน (กลุ่ม 1 จาก 3; 3 = ดีที่สุด); ช่วงเวลา 2568; ที่มา: O-NET ป.6",
        "Bangkok: 10.00 points (group 1 of 3; 3 = best); period 2568; source: O-NET P6",
    )
    assert bangkok["tip"] == (
        "กรุงเทพมหานคร\n10.00 คะแนน\nช่วงเวลา 2568\nที่มา: O-NET ป.6",
        "Bangkok\n10.00 points\nperiod 2568\nsource: O-NET P6",
    )

    suppressed = tile(tilemap, "15")
    assert (suppressed["state"], suppressed["suppressed"], suppressed["value"], suppressed["text"]) == (
        "suppressed",
        True,
        None,
        "<5",
    )
    assert (suppressed["fill"], suppressed["bin"]) == ("url(#tilemap-suppressed)", None)
    assert suppressed["aria"][1] == "Ang Thong: suppressed (<5); period 2568; source: O-NET P6"

    missing = tile(tilemap, "14")
    assert (missing["state"], missing["text"], missing["fill"]) == ("nodata", "–", "url(#tilemap-nodata)")
    unlisted = tile(tilemap, "96")
    assert (unlisted["state"], unlisted["url"], unlisted["period"]) == ("nodata", "", "2567")
    assert unlisted["aria"][0] == "นราธิวาส: ไม่มีข้อมูล; ช่วงเวลา 2567; ที่มา: O-NET ป.6"


def test_the_legend_lists_bins_worst_to_best_then_no_data_and_suppressed() -> None:
    values = {code: {"value": float(i)} for i, code in enumerate(sorted(layout()))}  # 0 … 76
    values["96"] = {"value": 3.0, "persons": 2}  # Narathiwat (76) is withheld: 0 … 75 are ranked
    tilemap = province_tiles(values, direction="lower", digits=0, unit=("%", "%"))
    key = legend(tilemap)
    assert key["note"] == ("สีเข้มกว่า = ดีกว่า (ยิ่งต่ำยิ่งดี)", "Darker = better (lower is better)")
    assert key["method"] == (
        "แบ่งเป็น 5 กลุ่มเท่า ๆ กันตามลำดับ (ควอนไทล์)",
        "5 equal-sized groups by rank (quantiles)",
    )
    assert [(b["group"], b["fill"], b["text"], b["count"]) for b in key["bins"]] == [
        (1, PALETTE[0], "60–75", 16),
        (2, PALETTE[1], "45–59", 15),
        (3, PALETTE[2], "30–44", 15),
        (4, PALETTE[3], "15–29", 15),
        (5, PALETTE[4], "0–14", 15),
    ]
    assert key["nodata"] == {
        "fill": "url(#tilemap-nodata)",
        "text": "–",
        "label": ("ไม่มีข้อมูล", "No data"),
        "count": 0,
    }
    assert key["suppressed"] == {
        "fill": "url(#tilemap-suppressed)",
        "text": "<5",
        "label": ("ปกปิด (<5)", "suppressed (<5)"),
        "count": 1,
    }
    assert tile(tilemap, "10")["value_label"] == ("0%", "0%")


def test_few_distinct_values_use_fewer_colours_spread_over_the_palette() -> None:
    tilemap = province_tiles({"10": {"value": 1.0}, "11": {"value": 2.0}})
    assert tilemap["groups"] == 2
    assert tilemap["colours"] == [PALETTE[0], PALETTE[-1]]
    empty = province_tiles({})
    assert (empty["groups"], legend(empty)["bins"], legend(empty)["nodata"]["count"]) == (0, [], 77)


def test_the_esa_level_splits_a_province_into_coloured_sub_tiles() -> None:
    esas = [
        {"code": "1001", "name_th": "สพป.กทม.", "name_en": "Bangkok PESAO", "value": 60.0, "url": "/u/1/"},
        {
            "code": "1002",
            "name_th": "สพม.กทม. 1",
            "name_en": "Bangkok SESAO 1",
            "value": 40.0,
            "url": "/u/2/",
        },
        {"code": "1003", "name_th": "สพม.กทม. 2", "name_en": "Bangkok SESAO 2", "value": 50.0, "persons": 4},
    ]
    values: dict[str, dict[str, Any]] = {
        "10": {"value": 50.0, "period": "2568", "url": "/p/10/", "esas": esas},
        "11": {"period": "2568", "esas": [{"code": "1101", "name_th": "สพป.สป.", "value": 45.0}]},
    }
    tilemap = province_tiles(values, unit=("คะแนน", "points"))
    assert tilemap["level"] == "esa"
    bangkok = tile(tilemap, "10")
    assert (bangkok["fill"], bangkok["css"], bangkok["label_y"]) == ("#ffffff", "tile-header", 482 + 15)
    subs = bangkok["sub"]
    assert [s["code"] for s in subs] == ["1001", "1002", "1003"]
    assert [s["mark"] for s in subs] == ["3", "1", "<5"]
    assert [s["fill"] for s in subs] == [PALETTE[-1], PALETTE[0], "url(#tilemap-suppressed)"]
    assert [(s["x"], s["y"], s["w"], s["h"]) for s in subs] == [
        (182, 502, 27, 17),
        (210, 502, 27, 17),
        (182, 520, 27, 17),
    ]
    assert subs[0]["aria"] == (
        "สพป.กทม.: 60.0 คะแนน (กลุ่ม 3 จาก 3; 3 = ดีที่สุด); ช่วงเวลา 2568",
        "Bangkok PESAO: 60.0 points (group 3 of 3; 3 = best); period 2568",
    )
    assert subs[0]["url"] == "/u/1/"
    # an ESA without an English name keeps its Thai one
    assert tile(tilemap, "11")["sub"][0]["name"] == ("สพป.สป.", "สพป.สป.")
    # a province without ESAs is drawn as no data
    assert tile(tilemap, "12")["fill"] == "url(#tilemap-nodata)"
    assert [b["count"] for b in legend(tilemap)["bins"]] == [1, 1, 1]
