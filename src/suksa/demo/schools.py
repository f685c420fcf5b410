"""Synthetic schools: names, places, grade spans, enrolment, teachers and classrooms.

Pure (no database): given the real geography of an area and a seeded random stream, yields plain
rows. Each (ESA, province) pair has its own stream, so a school is the same at every scale and a
smaller quota yields a prefix of a larger one.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from suksa.demo.data import BANGKOK, NAME_MODIFIERS, SECONDARY_SUFFIXES, VILLAGE_HEADS, VILLAGE_TAILS

PRIMARY_GRADES = ("K1", "P6")
EXTENDED_GRADES = ("K1", "M3")
SECONDARY_GRADES = ("M1", "M6")
LOWER_SECONDARY_GRADES = ("M1", "M3")
GRADE_LEVELS = {("K1", "P6"): 9, ("K1", "M3"): 12, ("M1", "M6"): 6, ("M1", "M3"): 3}

EXTENDED_SHARE = 0.25  # โรงเรียนขยายโอกาส among primary-ESA schools
LOWER_SECONDARY_ONLY_SHARE = 0.08
# Each district has one อนุบาล<อำเภอ> model primary school; drawing it with a small chance per
# school spreads these large town schools through the stream instead of front-loading them (a
# tiny demo would otherwise be mostly model schools), while nearly every district still gets one.
DISTRICT_ANCHOR_CHANCE = 1 / 8
SECONDARY_DISTRICT_NAME_CHANCE = 0.6  # "<อำเภอ>วิทยาคม": most secondary schools carry a district name
# Chance that a school is urban, by ESA type and whether it is in the province's เมือง district:
# secondary schools mostly sit in towns, primary schools mostly in villages.
URBAN_SHARE = {
    ("primary", True): 0.55,
    ("primary", False): 0.06,
    ("secondary", True): 0.8,
    ("secondary", False): 0.3,
}

# Log-normal enrolment: (median, sigma). Tuned so that about half of all schools have fewer
# than 120 pupils and the nation totals about 6.6 million (see bench/RESULTS.md).
ENROLMENT = {
    ("primary", "rural"): (80, 0.72),
    ("primary", "urban"): (200, 0.85),
    ("extended", "rural"): (120, 0.6),
    ("extended", "urban"): (360, 0.7),
    ("secondary", "rural"): (420, 0.75),
    ("secondary", "urban"): (1150, 0.6),
    ("lower_secondary", "rural"): (170, 0.6),
    ("lower_secondary", "urban"): (380, 0.6),
}


@dataclass(frozen=True)
class Place:
    """A subdistrict with its district, as the generator needs it."""

    subdistrict: str
    sub_th: str
    sub_en: str
    postal_code: str
    district: str
    district_th: str
    district_en: str


@dataclass(frozen=True)
class SchoolRow:
    code: str
    name_th: str
    name_en: str
    province: str
    district: str
    subdistrict: str
    area_type: str
    lowest_grade: str
    highest_grade: str
    student_count: int
    teacher_count: int
    classroom_count: int
    address: str


def _is_mueang(place: Place) -> bool:
    return place.district_th.startswith("เมือง")


def _district_label(place: Place) -> tuple[str, str]:
    """A district's name without the Bangkok "เขต" prefix, for naming schools after it."""
    return place.district_th.removeprefix("เขต"), place.district_en


def _address(place: Place, province_th: str, rng: random.Random) -> str:
    if place.district.startswith(BANGKOK):
        return f"แขวง{place.sub_th} {place.district_th} {province_th} {place.postal_code}".strip()
    return (
        f"หมู่ {rng.randint(1, 15)} ตำบล{place.sub_th} อำเภอ{place.district_th} "
        f"จังหวัด{province_th} {place.postal_code}"
    ).strip()


def _enrolment(kind: str, area_type: str, rng: random.Random) -> int:
    median, sigma = ENROLMENT[(kind, area_type)]
    return max(8, min(4200, round(median * math.exp(rng.gauss(0.0, sigma)))))


def _staffing(students: int, grades: tuple[str, str], secondary: bool, rng: random.Random) -> tuple[int, int]:
    """Teachers and classrooms. Small schools are short of teachers (often fewer than classes)."""
    levels = GRADE_LEVELS[grades]
    rooms = sum(max(1, math.ceil(students / levels / 40)) for _ in range(levels))
    if students < 120:
        teachers = max(2, round(students / rng.uniform(10, 25)))
    else:
        teachers = max(3, round(students / rng.uniform(17, 24 if secondary else 25)))
    return teachers, rooms


class _Names:
    """Thai school names, unique within one stream, with simple romanised English names."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, th: str, en: str, pattern: tuple[str, str]) -> tuple[str, str]:
        """``pattern`` holds ``{}`` for the place name, in Thai and English."""
        candidates = [(th, en)]
        candidates += [(f"{th}{m_th}", f"{en} {m_en}") for m_th, m_en in NAME_MODIFIERS]
        for place_th, place_en in candidates:
            name_th = pattern[0].format(place_th)
            if name_th not in self.used:
                self.used.add(name_th)
                return name_th, pattern[1].format(place_en)
        head, tail = self.rng.choice(VILLAGE_HEADS), self.rng.choice(VILLAGE_TAILS)
        return self._unique(head[0] + tail[0], f"{head[1]} {tail[1]}", pattern)

    def primary(self, place: Place) -> tuple[str, str]:
        x_th, x_en = place.sub_th, place.sub_en
        roll = self.rng.random()
        if roll < 0.18:
            head, tail = self.rng.choice(VILLAGE_HEADS), self.rng.choice(VILLAGE_TAILS)
            x_th, x_en = head[0] + tail[0], f"{head[1]} {tail[1]}"
        if x_th.startswith(("บ้าน", "วัด")):
            return self._unique(x_th, x_en, ("โรงเรียน{}", "{} School"))
        if roll < 0.62:
            return self._unique(x_th, x_en, ("โรงเรียนบ้าน{}", "Ban {} School"))
        if roll < 0.85:
            return self._unique(x_th, x_en, ("โรงเรียนวัด{}", "Wat {} School"))
        if roll < 0.93:
            return self._unique(x_th, x_en, ("โรงเรียนชุมชน{}", "Chumchon {} School"))
        return self._unique(x_th, x_en, ("โรงเรียน{}วิทยา", "{} Witthaya School"))

    def secondary(self, place: Place, after_district: bool) -> tuple[str, str]:
        x_th, x_en = _district_label(place) if after_district else (place.sub_th, place.sub_en)
        suffix_th, suffix_en = self.rng.choice(SECONDARY_SUFFIXES)
        return self._unique(x_th, x_en, (f"โรงเรียน{{}}{suffix_th}", f"{{}} {suffix_en} School"))

    def fixed(self, th: str, en: str) -> tuple[str, str]:
        return self._unique(th, en, ("โรงเรียน{}", "{} School"))


@dataclass(frozen=True)
class _Site:
    """Where the next school stands and what kind of landmark it is."""

    place: Place
    anchor: str | None  # "province" (the province's model school), "district" (อนุบาล<อำเภอ>) or None
    named_after_district: bool


class _Stream:
    """The schools of one ESA in one province, drawn one by one from a seeded random stream."""

    def __init__(
        self,
        rng: random.Random,
        esa_type: str,
        province: str,
        names: tuple[str, str],
        places: Sequence[Place],
    ) -> None:
        self.rng, self.esa_type, self.province, self.places = rng, esa_type, province, places
        self.province_th, self.province_en = names
        self.names = _Names(rng)
        self.districts_seen: set[str] = set()
        self.first_place: dict[str, Place] = {}
        for place in places:
            self.first_place.setdefault(place.district, place)

    def site(self, flagship: bool) -> _Site:
        rng = self.rng
        place = self.places[rng.randrange(len(self.places))]
        anchor = None
        if flagship:
            mueang = [p for p in self.first_place.values() if _is_mueang(p)]
            place, anchor = (mueang[0] if mueang else self.places[0]), "province"
        elif (
            self.esa_type == "primary"
            and place.district not in self.districts_seen
            and not _is_mueang(place)
            and self.province != BANGKOK
            and rng.random() < DISTRICT_ANCHOR_CHANCE
        ):
            place, anchor = self.first_place[place.district], "district"
        named_after_district = (
            self.esa_type == "secondary"
            and place.district not in self.districts_seen
            and not _is_mueang(place)
            and rng.random() < SECONDARY_DISTRICT_NAME_CHANCE
        )
        if anchor is not None or named_after_district:
            self.districts_seen.add(place.district)
        return _Site(place, anchor, named_after_district)

    def kind_and_name(self, site: _Site) -> tuple[str, tuple[str, str], tuple[str, str]]:
        """Enrolment kind, grade span and (Thai, English) name."""
        rng, names = self.rng, self.names
        if self.esa_type == "primary":
            extended = site.anchor is None and rng.random() < EXTENDED_SHARE
            if site.anchor == "province":
                name = names.fixed(f"อนุบาล{self.province_th}", f"Anuban {self.province_en}")
            elif site.anchor == "district":
                label_th, label_en = _district_label(site.place)
                name = names.fixed(f"อนุบาล{label_th}", f"Anuban {label_en}")
            else:
                name = names.primary(site.place)
            if extended:
                return "extended", EXTENDED_GRADES, name
            return "primary", PRIMARY_GRADES, name
        lower_only = site.anchor is None and rng.random() < LOWER_SECONDARY_ONLY_SHARE
        if site.anchor == "province":
            name = names.fixed(f"{self.province_th}พิทยาคม", f"{self.province_en} Phitthayakhom")
        else:
            name = names.secondary(site.place, after_district=site.named_after_district)
        if lower_only:
            return "lower_secondary", LOWER_SECONDARY_GRADES, name
        return "secondary", SECONDARY_GRADES, name

    def students(self, site: _Site, kind: str, area_type: str) -> int:
        students = _enrolment(kind, area_type, self.rng)
        if site.anchor == "province":
            return self.rng.randint(1800, 3600)
        if site.anchor == "district":
            return max(students, self.rng.randint(350, 1100))
        return students


def generate_schools(
    *,
    rng: random.Random,
    esa_type: str,
    province: str,
    province_names: tuple[str, str],
    places: Sequence[Place],
    count: int,
    serial_prefix: int,
    flagship: bool,
) -> Iterator[SchoolRow]:
    """Yield ``count`` schools of one ESA in one province, spread over ``places``.

    Codes are ``10`` + province + a 6-digit serial whose first two digits (``serial_prefix``) tell
    the ESA apart inside the province. ``flagship`` makes the first school the province's model
    school (โรงเรียนอนุบาล<จังหวัด> for primary ESAs, <จังหวัด>พิทยาคม for secondary ones).
    """
    stream = _Stream(rng, esa_type, province, province_names, places)
    for serial in range(1, count + 1):
        site = stream.site(flagship=flagship and serial == 1)
        urban = (
            province == BANGKOK
            or site.anchor is not None
            or rng.random() < URBAN_SHARE[(esa_type, _is_mueang(site.place))]
        )
        area_type = "urban" if urban else "rural"
        kind, grades, (name_th, name_en) = stream.kind_and_name(site)
        students = stream.students(site, kind, area_type)
        teachers, rooms = _staffing(students, grades, esa_type == "secondary", rng)
        yield SchoolRow(
            code=f"10{province}{serial_prefix:02d}{serial:04d}",
            name_th=name_th,
            name_en=name_en,
            province=province,
            district=site.place.district,
            subdistrict=site.place.subdistrict,
            area_type=area_type,
            lowest_grade=grades[0],
            highest_grade=grades[1],
            student_count=students,
            teacher_count=teachers,
            classroom_count=rooms,
            address=_address(site.place, stream.province_th, rng),
        )
