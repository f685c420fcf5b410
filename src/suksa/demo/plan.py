"""The shape of the synthetic nation, planned without a database: regions, ESAs and school quotas.

Pure functions over the tables in :mod:`suksa.demo.data`, so that the national invariants
(18 regions, 245 ESAs = 183 primary + 62 secondary, every province covered) can be checked in
milliseconds without generating a single school.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from suksa.demo.data import (
    BANGKOK,
    BANGKOK_PRIMARY_SCHOOLS,
    PRIMARY_AREAS,
    PRIMARY_SCHOOLS_NATIONAL,
    REGION_PROVINCES,
    SECONDARY_OFFICES,
    SECONDARY_SCHOOLS_NATIONAL,
    Scale,
)

NATION_CODE = "OBEC"
NATION_NAME_TH = "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน"
NATION_NAME_EN = "Office of the Basic Education Commission"

PRIMARY_PREFIX_TH = "สำนักงานเขตพื้นที่การศึกษาประถมศึกษา"
SECONDARY_PREFIX_TH = "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษา"


@dataclass(frozen=True)
class RegionPlan:
    number: int
    provinces: tuple[str, ...]

    @property
    def code(self) -> str:
        return f"R{self.number:02d}"

    @property
    def name_th(self) -> str:
        return f"เขตตรวจราชการที่ {self.number}"

    @property
    def name_en(self) -> str:
        return f"Inspection Region {self.number}"


@dataclass(frozen=True)
class EsaPlan:
    """One ESA to create. ``area_count`` is how many areas of its type share its province(s)."""

    esa_type: str  # primary | secondary
    provinces: tuple[str, ...]  # covered provinces; the office is in the first
    area_number: int
    area_count: int
    region: int
    name_th: str
    name_en: str

    @property
    def office_province(self) -> str:
        return self.provinces[0]

    @property
    def code(self) -> str:
        """5 digits: 1 primary / 2 secondary, office-province code, area number (``13001``)."""
        return f"{1 if self.esa_type == 'primary' else 2}{self.office_province}{self.area_number:02d}"


def regions() -> list[RegionPlan]:
    return [RegionPlan(n, provs) for n, provs in sorted(REGION_PROVINCES.items())]


def region_of_province() -> dict[str, int]:
    return {p: n for n, provs in REGION_PROVINCES.items() for p in provs}


def scale_provinces(scale: Scale) -> tuple[str, ...]:
    """The provinces whose ESAs and schools a scale generates, in region order."""
    if scale.provinces is not None:
        return scale.provinces
    chosen = scale.regions or tuple(REGION_PROVINCES)
    return tuple(p for n in chosen for p in REGION_PROVINCES[n])


def esa_names(
    esa_type: str, provinces: Sequence[str], area: int, area_count: int, names: Mapping[str, tuple[str, str]]
) -> tuple[str, str]:
    """Thai and English office names. A lone area has no number, as on the real offices' signs
    ("สำนักงานเขตพื้นที่การศึกษาประถมศึกษาภูเก็ต"); a two-province office lists both."""
    th_places = " ".join(names[p][0] for p in provinces)
    en_places = " ".join(names[p][1] for p in provinces)
    prefix_th = PRIMARY_PREFIX_TH if esa_type == "primary" else SECONDARY_PREFIX_TH
    kind_en = "Primary" if esa_type == "primary" else "Secondary"
    name_th = f"{prefix_th}{th_places}"
    name_en = f"{en_places} {kind_en} Educational Service Area Office"
    if area_count > 1:
        name_th += f" เขต {area}"
        name_en += f" {area}"
    return name_th, name_en


def plan_esas(names: Mapping[str, tuple[str, str]], scale: Scale | None = None) -> list[EsaPlan]:
    """Every ESA of the scale (all 245 when ``scale`` is None or national), primary first.

    ``names`` maps a province code to its (Thai, English) name.
    """
    wanted = set(scale_provinces(scale)) if scale is not None else set(PRIMARY_AREAS)
    region_of = region_of_province()
    plans: list[EsaPlan] = []
    for province, count in PRIMARY_AREAS.items():
        if province not in wanted:
            continue
        for area in range(1, count + 1):
            th, en = esa_names("primary", (province,), area, count, names)
            plans.append(EsaPlan("primary", (province,), area, count, region_of[province], th, en))
    for provinces, count in SECONDARY_OFFICES:
        if provinces[0] not in wanted:
            continue
        for area in range(1, count + 1):
            th, en = esa_names("secondary", provinces, area, count, names)
            plans.append(EsaPlan("secondary", provinces, area, count, region_of[provinces[0]], th, en))
    return plans


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, ties to the earlier)."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def partition(items: Sequence[tuple[str, int]], parts: int) -> list[list[str]]:
    """Cut ordered ``(key, weight)`` items into ``parts`` contiguous runs of similar weight.

    Primary areas divide a province by whole districts; keeping code order keeps the districts of
    an area next to each other, like the real areas.
    """
    if parts > len(items):
        raise ValueError(f"cannot cut {len(items)} items into {parts} parts")
    total = sum(w for _, w in items) or 1
    runs: list[list[str]] = [[] for _ in range(parts)]
    acc = 0.0
    previous = 0
    for index, (key, weight) in enumerate(items):
        part = min(parts - 1, int(parts * (acc + weight / 2) / total))
        # No empty part: never skip one, and leave enough items for the parts still to fill.
        part = max(previous, min(part, previous + 1), parts - (len(items) - index))
        if index == 0:
            part = 0
        runs[part].append(key)
        previous = part
        acc += weight
    return runs


def province_school_quotas(
    subdistricts_per_province: Mapping[str, int], districts_per_province: Mapping[str, int]
) -> tuple[dict[str, int], dict[str, int]]:
    """Full-density school counts per province: (primary, secondary), over the whole nation.

    Computed over all 77 provinces so that a province has the same schools at every scale.
    """
    others = sorted(p for p in PRIMARY_AREAS if p != BANGKOK)
    primary = dict(
        zip(
            others,
            allocate(
                PRIMARY_SCHOOLS_NATIONAL - BANGKOK_PRIMARY_SCHOOLS,
                [subdistricts_per_province[p] for p in others],
            ),
            strict=True,
        )
    )
    primary[BANGKOK] = BANGKOK_PRIMARY_SCHOOLS
    codes = sorted(PRIMARY_AREAS)
    secondary = dict(
        zip(
            codes,
            allocate(SECONDARY_SCHOOLS_NATIONAL, [districts_per_province[p] for p in codes]),
            strict=True,
        )
    )
    return primary, secondary
