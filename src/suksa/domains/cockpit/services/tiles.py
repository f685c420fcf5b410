"""The tile map of Thailand's 77 provinces: the shipped grid layout and what one map shows.

The layout (``data/province_tiles.json``) is a square grid, one cell per province, computed once
by :func:`compute_layout` from the approximate provincial seats in ``data/province_centroids.csv``
(see ``data/README.md``): the seats are scaled into a 10 × 16 grid and each province is assigned a
cell by minimising the total squared distance (``scipy.optimize.linear_sum_assignment``). Squares
rather than hexagons: a row/column grid keeps keyboard order north → south and row by row, leaves
room for a Thai abbreviation above a value, and splits evenly into ESA sub-tiles.

:func:`province_tiles` turns one indicator's values per province (optionally per ESA within
each province) into everything ``web/cockpit/partials/tilemap.html`` draws: positions, labels,
colours from quantile bins oriented so that darker is always better, text on every tile (never
colour alone), aria-labels, tooltips and the table view. It is pure Python (no queries), so a
page calls it with Figure rows turned into dicts.
"""

from __future__ import annotations

import csv
import json
import math
from bisect import bisect_left
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypedDict

from suksa.analytics.suppression import MIN_CELL, is_small, suppressed_label

DATA = Path(__file__).resolve().parent.parent / "data"
CENTROIDS_CSV = DATA / "province_centroids.csv"
LAYOUT_JSON = DATA / "province_tiles.json"

GRID_COLS = 10
GRID_ROWS = 16
REFERENCE_LATITUDE = 13.0  # degrees of longitude shrink by cos(latitude); Bangkok's is close enough

CELL = 60  # SVG units per grid cell
GAP = 4  # between tiles
TILE = CELL - GAP
HEADER = 20  # the abbreviation strip above ESA sub-tiles

# ColorBrewer YlGnBu (colour-blind safe, prints in grey): worst (pale) → best (dark).
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
INK_DARK = "#000000"
INK_LIGHT = "#ffffff"
NODATA_FILL = "#f3f4f6"
SUPPRESSED_FILL = "#e5e7eb"
HEADER_FILL = "#ffffff"

NODATA_TEXT = "–"
SUPPRESSED_TEXT = "<5"
NODATA_LABEL = ("ไม่มีข้อมูล", "No data")

Pair = tuple[str, str]


class Centroid(TypedDict):
    code: str
    name_th: str
    name_en: str
    abbr_th: str
    abbr_en: str
    lat: float
    lon: float


# --- the layout ------------------------------------------------------------------------------------


@cache
def centroids() -> dict[str, Centroid]:
    """The 77 provinces by code: names, abbreviations and approximate seat (lat, lon)."""
    with CENTROIDS_CSV.open(encoding="utf-8", newline="") as fh:
        return {
            row["code"]: Centroid(
                code=row["code"],
                name_th=row["name_th"],
                name_en=row["name_en"],
                abbr_th=row["abbr_th"],
                abbr_en=row["abbr_en"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
            )
            for row in csv.DictReader(fh)
        }


def compute_layout(cols: int = GRID_COLS, rows: int = GRID_ROWS) -> dict[str, dict[str, int]]:
    """Assign each province a grid cell, minimising the total squared distance to its seat.

    The seats are projected (longitude × cos 13°), stretched to fill ``cols`` × ``rows`` (north up),
    and matched to cell centres by the Hungarian algorithm; the result is deterministic.
    """
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    places = list(centroids().values())
    lat = np.array([p["lat"] for p in places])
    lon = np.array([p["lon"] for p in places])
    x = (lon - lon.min()) * math.cos(math.radians(REFERENCE_LATITUDE))
    y = lat.max() - lat
    px = x / x.max() * (cols - 1)
    py = y / y.max() * (rows - 1)
    cells = np.array([(c, r) for r in range(rows) for c in range(cols)], dtype=float)
    cost = (px[:, None] - cells[None, :, 0]) ** 2 + (py[:, None] - cells[None, :, 1]) ** 2
    chosen_rows, chosen_cells = linear_sum_assignment(cost)
    layout = {
        places[i]["code"]: {"col": int(cells[j][0]), "row": int(cells[j][1])}
        for i, j in zip(chosen_rows, chosen_cells, strict=True)
    }
    return dict(sorted(layout.items()))


@cache
def layout() -> dict[str, dict[str, int]]:
    """The shipped layout (``data/province_tiles.json``)."""
    with LAYOUT_JSON.open(encoding="utf-8") as fh:
        data: dict[str, dict[str, int]] = json.load(fh)
    return data


def write_layout() -> None:
    """Regenerate ``data/province_tiles.json`` (run once; the file is committed)."""
    lines = [f"  {json.dumps(code)}: {json.dumps(cell)}" for code, cell in compute_layout().items()]
    LAYOUT_JSON.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


# --- colours -----------------------------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_for(fill: str) -> str:
    """Black or white text, whichever contrasts more with ``fill``."""
    return INK_DARK if contrast(fill, INK_DARK) >= contrast(fill, INK_LIGHT) else INK_LIGHT


def palette(k: int) -> list[str]:
    """``k`` colours (1–5) spread over the palette, worst first."""
    if k <= 1:
        return [PALETTE[2]][:k]
    last = len(PALETTE) - 1
    return [PALETTE[round(i * last / (k - 1))] for i in range(k)]


def quantile_bins(scores: list[float], k: int) -> list[int]:
    """Each score's quantile bin (0 = lowest), ties kept together, empty bins squeezed out."""
    if not scores:
        return []
    ordered = sorted(scores)
    n = len(ordered)
    # ties share the lowest rank, so equal values always fall in the same bin
    raw = [min(k - 1, bisect_left(ordered, s) * k // n) for s in scores]
    used = sorted(set(raw))
    return [used.index(b) for b in raw]


# --- the map -------------------------------------------------------------------------------------------


def _fmt(value: float, digits: int) -> str:
    return f"{value:,.{digits}f}"


def _with_unit(text: str, unit: str) -> str:
    if not unit:
        return text
    return f"{text}{unit}" if unit.startswith("%") else f"{text} {unit}"


def _state(entry: dict[str, Any], min_cell: int) -> str:
    persons = entry.get("persons")
    if entry.get("suppressed") or (persons is not None and is_small(float(persons), min_cell)):
        return "suppressed"
    if entry.get("value") is None:
        return "nodata"
    return "value"


def _score(value: float, direction: str, target: float | None) -> float:
    if direction == "lower":
        return -value
    if direction == "neutral" and target is not None:
        return -abs(value - target)
    return value


def _describe(
    cell: dict[str, Any],
    name: Pair,
    unit: Pair,
    source: Pair,
    k: int,
    min_cell: int,
    period_words: Callable[[str], Pair] | None = None,
) -> None:
    """Set text, label and tooltip lines of a tile or sub-tile (Thai and English)."""
    state = cell["state"]
    if state == "suppressed":
        value_th, value_en = suppressed_label(min_cell)
    elif state == "nodata":
        value_th, value_en = NODATA_LABEL
    else:
        value_th, value_en = (_with_unit(cell["text"], u) for u in unit)
    group_th = group_en = ""
    if cell["bin"] is not None:
        group_th = f" (กลุ่ม {cell['bin'] + 1} จาก {k}; {k} = ดีที่สุด)"
        group_en = f" (group {cell['bin'] + 1} of {k}; {k} = best)"
    period = cell["period"]
    p_th, p_en = period_words(period) if period and period_words is not None else (period, period)
    period_th = f"ช่วงเวลา {p_th}" if period else "ไม่ระบุช่วงเวลา"
    period_en = f"period {p_en}" if period else "no period"
    source_th = f"ที่มา: {source[0]}" if source[0] else ""
    source_en = f"source: {source[1] or source[0]}" if source[0] or source[1] else ""
    cell["value_label"] = (value_th, value_en)
    cell["aria"] = (
        "; ".join(p for p in (f"{name[0]}: {value_th}{group_th}", period_th, source_th) if p),
        "; ".join(p for p in (f"{name[1]}: {value_en}{group_en}", period_en, source_en) if p),
    )
    cell["tip"] = (
        "\n".join(p for p in (name[0], value_th, period_th, source_th) if p),
        "\n".join(p for p in (name[1], value_en, period_en, source_en) if p),
    )


def _new_cell(entry: dict[str, Any], default_period: str, digits: int, min_cell: int) -> dict[str, Any]:
    state = _state(entry, min_cell)
    value = entry.get("value") if state == "value" else None
    text = (
        _fmt(float(value), digits)
        if value is not None
        else (SUPPRESSED_TEXT if state == "suppressed" else NODATA_TEXT)
    )
    return {
        "value": value,
        "text": text,
        "state": state,
        "suppressed": state == "suppressed",
        "url": str(entry.get("url") or ""),
        "period": str(entry.get("period") or default_period),
        "bin": None,
    }


def _paint(cell: dict[str, Any], colours: list[str], pattern_prefix: str) -> None:
    if cell["bin"] is not None:
        cell["fill"] = colours[cell["bin"]]
        cell["css"] = f"tile-bin tile-bin-{cell['bin']}"
        cell["ink"] = ink_for(cell["fill"])
    else:
        state = "suppressed" if cell["state"] == "suppressed" else "nodata"
        cell["fill"] = f"url(#{pattern_prefix}-{state})"
        cell["css"] = f"tile-{state}"
        cell["ink"] = INK_DARK


def _sub_geometry(n: int, x: int, y: int) -> list[tuple[float, float, float, float]]:
    """Rectangles of ``n`` ESA sub-tiles under a tile's abbreviation strip, row by row."""
    if n == 0:
        return []
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    top = y + HEADER
    w = TILE / cols
    h = (TILE - HEADER) / rows
    return [(x + (i % cols) * w, top + (i // cols) * h, w, h) for i in range(n)]


def province_tiles(
    values: dict[str, dict[str, Any]],
    *,
    direction: str = "higher",
    digits: int = 1,
    unit: Pair = ("", ""),
    source: Pair = ("", ""),
    period: str = "",
    target: float | None = None,
    bins: int = 5,
    min_cell: int = MIN_CELL,
    map_id: str = "tilemap",
    period_words: Callable[[str], Pair] | None = None,
) -> dict[str, Any]:
    """Everything the tile map partial draws, for one indicator.

    ``period_words`` turns a period key into words (Thai, English) for labels and tooltips.

    ``values`` maps a province code to ``{"value": float | None, "period": str, "url": str,
    "persons": int | None, "suppressed": bool, "esas": [...]}`` (every key optional; a province
    missing from ``values`` is a no-data tile without a link). ``esas`` (the ESA level) is a list of
    ``{"code", "name_th", "name_en", "value", "period", "url", "persons", "suppressed"}``; when any
    province has ``esas``, the map colours the ESA sub-tiles and the province tiles carry only
    their label. ``direction`` is the catalogue's (higher | lower | neutral — neutral ranks by
    distance to ``target``). See the tiles helper's report and ``tilemap.html`` for the shape.
    """
    places = centroids()
    grid = layout()
    level = "esa" if any(v.get("esas") for v in values.values()) else "province"
    ranked: list[dict[str, Any]] = []
    tiles: list[dict[str, Any]] = []
    for code, pos in sorted(grid.items(), key=lambda item: (item[1]["row"], item[1]["col"], item[0])):
        place = places[code]
        entry = values.get(code, {})
        tile = _new_cell(entry, period, digits, min_cell)
        x, y = pos["col"] * CELL + GAP // 2, pos["row"] * CELL + GAP // 2
        name = (place["name_th"], place["name_en"])
        tile.update(
            code=code,
            row=pos["row"],
            col=pos["col"],
            x=x,
            y=y,
            size=TILE,
            cx=x + TILE // 2,
            label_y=y + (15 if entry.get("esas") else 24),
            value_y=y + 45,
            focus_x=x - 2,
            focus_y=y - 2,
            focus_size=TILE + 4,
            name=name,
            name_th=name[0],
            name_en=name[1],
            abbr=(place["abbr_th"], place["abbr_en"]),
            source=source,
            sub=[],
            testid=f"tile-{code}",
        )
        if level == "province":
            ranked.append(tile)
        esas = list(entry.get("esas") or [])
        for (sx, sy, sw, sh), esa in zip(_sub_geometry(len(esas), x, y), esas, strict=False):
            sub = _new_cell(esa, tile["period"], digits, min_cell)
            esa_name = (str(esa.get("name_th", "")), str(esa.get("name_en") or esa.get("name_th", "")))
            sub.update(
                code=str(esa.get("code", "")),
                name=esa_name,
                x=round(sx, 2),
                y=round(sy, 2),
                w=round(sw - 1, 2),
                h=round(sh - 1, 2),
                cx=round(sx + (sw - 1) / 2, 2),
                cy=round(sy + (sh - 1) / 2, 2),
                font=round(min(13.0, sh * 0.6, sw * 0.5), 1),
                text_y=round(sy + (sh - 1) / 2 + min(13.0, sh * 0.6, sw * 0.5) * 0.35, 2),
                source=source,
            )
            ranked.append(sub)
            tile["sub"].append(sub)
        tiles.append(tile)

    scored = [c for c in ranked if c["state"] == "value"]
    groups = quantile_bins([_score(c["value"], direction, target) for c in scored], bins)
    for cell, group in zip(scored, groups, strict=True):
        cell["bin"] = group
    k = len(set(groups))
    colours = palette(k)
    unit_pair = unit
    for tile in tiles:
        for cell in [*tile["sub"], tile]:
            _paint(cell, colours, map_id)
            _describe(cell, cell["name"], unit_pair, source, k, min_cell, period_words)
        for sub in tile["sub"]:
            sub["mark"] = str(sub["bin"] + 1) if sub["bin"] is not None else sub["text"]
        if level == "esa" and tile["sub"]:
            tile["fill"] = HEADER_FILL
            tile["css"] = "tile-header"
            tile["ink"] = INK_DARK
    return {
        "map_id": map_id,
        "level": level,
        "cols": GRID_COLS,
        "rows": GRID_ROWS,
        "width": GRID_COLS * CELL,
        "height": GRID_ROWS * CELL,
        "direction": direction,
        "target": target,
        "unit": unit,
        "source": source,
        "period": period,
        "digits": digits,
        "min_cell": min_cell,
        "groups": k,
        "colours": colours,
        "tiles": tiles,
    }


def legend(tilemap: dict[str, Any]) -> dict[str, Any]:
    """The legend of a map from :func:`province_tiles`: its bins worst → best, no data, suppressed.

    Each bin: ``{"bin", "fill", "ink", "lo", "hi", "text", "count", "label": (th, en)}``, where
    ``lo``/``hi`` are the lowest and highest value in the bin (for ``neutral`` with a target: the
    distance from the target) and ``text`` is ``"lo–hi"`` (or one number).
    """
    direction = tilemap["direction"]
    target = tilemap["target"]
    digits = tilemap["digits"]
    k = tilemap["groups"]
    cells = [
        cell for tile in tilemap["tiles"] for cell in (tile["sub"] if tilemap["level"] == "esa" else [tile])
    ]
    by_distance = direction == "neutral" and target is not None
    bins = []
    for b, fill in enumerate(tilemap["colours"]):
        members = [c["value"] for c in cells if c["bin"] == b]
        shown = [abs(v - target) for v in members] if by_distance and target is not None else members
        lo, hi = min(shown), max(shown)
        text = _fmt(lo, digits) if lo == hi else f"{_fmt(lo, digits)}–{_fmt(hi, digits)}"
        label = (f"ห่างจากเป้าหมาย {text}", f"{text} from target") if by_distance else (text, text)
        bins.append(
            {
                "bin": b,
                "fill": fill,
                "ink": ink_for(fill),
                "lo": lo,
                "hi": hi,
                "text": text,
                "label": label,
                "count": len(members),
                "group": b + 1,
            }
        )
    notes = {
        "higher": ("สีเข้มกว่า = ดีกว่า (ยิ่งสูงยิ่งดี)", "Darker = better (higher is better)"),
        "lower": ("สีเข้มกว่า = ดีกว่า (ยิ่งต่ำยิ่งดี)", "Darker = better (lower is better)"),
        "neutral": (
            ("สีเข้มกว่า = ใกล้เป้าหมายกว่า", "Darker = closer to the target")
            if target is not None
            else ("สีเข้มกว่า = ค่าสูงกว่า", "Darker = higher value")
        ),
    }
    prefix = tilemap["map_id"]
    return {
        "map_id": prefix,
        "direction": direction,
        "groups": k,
        "note": notes.get(direction, notes["higher"]),
        "method": (
            f"แบ่งเป็น {k} กลุ่มเท่า ๆ กันตามลำดับ (ควอนไทล์)",
            f"{k} equal-sized groups by rank (quantiles)",
        ),
        "unit": tilemap["unit"],
        "bins": bins,
        "nodata": {
            "fill": f"url(#{prefix}-nodata)",
            "text": NODATA_TEXT,
            "label": NODATA_LABEL,
            "count": sum(1 for c in cells if c["state"] == "nodata"),
        },
        "suppressed": {
            "fill": f"url(#{prefix}-suppressed)",
            "text": SUPPRESSED_TEXT,
            "label": suppressed_label(tilemap["min_cell"]),
            "count": sum(1 for c in cells if c["state"] == "suppressed"),
        },
    }
