"""Record-level synthetic learners, simulated school year by school year (pure: no database).

One ESA at a time (transfers stay inside the ESA, so memory is bounded by the largest ESA): in the
first year every school gets a full population; every later year new entrants join the first grade
of each level the school teaches, and during each year each learner may drop out (with a reason)
or transfer to another school of the ESA; at each past year's end a learner repeats, is promoted,
or — in the last grade of a level — graduates and, when the school teaches the next level,
continues there as ``admitted``. The current year (``CURRENT_ACADEMIC_YEAR_BE``) is simulated up to
the demo's fixed today, :data:`DEMO_TODAY`; its enrolments stay open.

Probabilities differ by region (north-east and the deep south drop out more), school size (small
schools repeat more), area type (rural drops out more) and a per-school poverty level (the share
of learners eligible for the conditional cash transfer, drawn around a regional base). The rates
are plausible shapes, not official figures; see :data:`BASE_DROPOUT` and :func:`school_rates`.

Every draw comes from ``random.Random(f"{seed}:…")`` streams keyed by ESA or school code, so the
same seed gives the same learners, identifiers and histories, whatever else is generated.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from suksa.analytics.uis import GRADES, is_last_grade_of_level, level_of, next_grade, official_age
from suksa.core.dates import default_academic_year_bounds, to_ce_year
from suksa.demo.data import CALENDAR_YEARS_BE, CURRENT_ACADEMIC_YEAR_BE
from suksa.demo.students import names

# The demo's "today": every generation behaves as if run on this date (the real date never
# matters). It is after the 10 November 2569 census, so that round has returns to work on.
DEMO_TODAY = dt.date(2026, 11, 20)
YEARS: tuple[int, ...] = tuple(CALENDAR_YEARS_BE)
CURRENT = CURRENT_ACADEMIC_YEAR_BE

ROOM_SIZE = 40
KINDERGARTEN_ROOM_SIZE = 30
DECLINE = 1.02  # each earlier year's cohort is 2 % larger: births keep falling
TRANSFER_PENDING_DAYS = 14
# First grades of the levels: a learner starts each level as "admitted" (a graduate continuing in
# the same school too), every other grade as "promoted" or "repeated".
LEVEL_FIRST = frozenset(
    {"K1", "P1", "M1", "M4"}
)  # current-year transfers this recent are still waiting for the receiver

# Per-year probabilities for an average school, by level.
BASE_DROPOUT = {"pre_primary": 0.004, "primary": 0.006, "lower_secondary": 0.016, "upper_secondary": 0.022}
BASE_REPEAT = {"pre_primary": 0.002, "primary": 0.007, "lower_secondary": 0.010, "upper_secondary": 0.008}
P1_REPEAT = 0.025  # reading readiness: P1 repeats most
BASE_TRANSFER = {"pre_primary": 0.015, "primary": 0.025, "lower_secondary": 0.02, "upper_secondary": 0.012}
# Graduates of a level who continue in the same school's next level (when it teaches it).
CONTINUE = {"K3": 0.95, "P6": 0.6, "M3": 0.8}
DEEP_SOUTH = frozenset({"94", "95", "96"})
NORTH_EAST = frozenset(range(10, 15))
NORTH = frozenset(range(15, 19))

# Regional poverty base (share of learners eligible for the conditional cash transfer).
POVERTY_BASE = {"bangkok": 0.04, "north_east": 0.34, "north": 0.28, "deep_south": 0.42, "south": 0.17}
POVERTY_OTHER = 0.13

# Learners without a Thai ID (G-code), by province: border provinces and migrant-worker hubs.
G_CODE_SHARE: dict[str, tuple[float, str]] = {
    # Myanmar border and migrant hubs
    "63": (0.12, "MMR"), "58": (0.09, "MMR"), "57": (0.05, "MMR"), "50": (0.04, "MMR"),
    "71": (0.05, "MMR"), "85": (0.06, "MMR"), "77": (0.03, "MMR"), "70": (0.03, "MMR"),
    "74": (0.08, "MMR"), "10": (0.03, "MMR"), "11": (0.03, "MMR"), "20": (0.03, "MMR"),
    "13": (0.025, "MMR"), "12": (0.02, "MMR"),
    # Lao border
    "42": (0.02, "LAO"), "43": (0.03, "LAO"), "38": (0.03, "LAO"), "48": (0.02, "LAO"),
    "49": (0.02, "LAO"), "34": (0.015, "LAO"), "55": (0.02, "LAO"), "53": (0.01, "LAO"),
    # Cambodian border
    "27": (0.05, "KHM"), "23": (0.04, "KHM"), "22": (0.03, "KHM"), "32": (0.015, "KHM"),
    "33": (0.01, "KHM"), "31": (0.01, "KHM"),
}  # fmt: skip
G_CODE_OTHER = (0.004, "MMR")

ISLAM_SHARE = {"94": 0.86, "95": 0.74, "96": 0.88, "91": 0.68, "90": 0.3, "81": 0.35, "82": 0.25, "83": 0.2,
               "92": 0.15, "10": 0.05, "80": 0.05, "84": 0.04}  # fmt: skip
CHRISTIAN_SHARE = {"58": 0.12, "57": 0.06, "50": 0.05, "63": 0.07, "55": 0.04, "65": 0.01}
DISABILITY_SHARE = 0.02
DISABILITIES = ("5", "3", "8", "4", "7", "6", "2", "1", "9")
DISABILITY_WEIGHTS = (50, 15, 8, 7, 6, 5, 4, 3, 2)

DROPOUT_REASONS = ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "99")
REASON_WEIGHTS = {
    "young": (30, 18, 25, 0, 0, 8, 5, 0, 0, 6, 6, 2),
    "secondary": (22, 14, 16, 14, 3, 12, 3, 0, 2, 4, 8, 2),
    "secondary_f": (20, 14, 15, 10, 5, 11, 3, 8, 1, 4, 7, 2),
}
TRANSFER_REASONS = (
    "ย้ายตามผู้ปกครอง / Moved with the family",
    "ใกล้บ้าน / Closer to home",
    "ผู้ปกครองย้ายที่ทำงาน / Parent changed workplace",
)
RELATIONS = ("mother", "father", "guardian")
RELATION_WEIGHTS = (55, 30, 15)


OFFICIAL_AGE = {g: official_age(g) for g in GRADES}
LEVEL_OF = {g: level_of(g) for g in GRADES}
LAST_OF_LEVEL = frozenset(g for g in GRADES if is_last_grade_of_level(g))
NEXT_GRADE = {g: next_grade(g) for g in GRADES}
YEAR_START = {y: default_academic_year_bounds(y)[0] for y in YEARS}


@dataclass(frozen=True)
class SchoolInfo:
    """What the simulation needs to know about one school (from the plan or the database)."""

    code: str
    esa_code: str
    province: str
    region: int
    area_type: str  # urban | rural
    lowest_grade: str
    highest_grade: str
    target: int  # current-year learners wanted (the school's planned student_count, maybe capped)
    poverty: float  # share of CCL-eligible learners

    @property
    def grades(self) -> tuple[str, ...]:
        return GRADES[GRADES.index(self.lowest_grade) : GRADES.index(self.highest_grade) + 1]

    @property
    def esa_type(self) -> str:
        return "primary" if self.esa_code.startswith("1") else "secondary"

    @property
    def size(self) -> str:
        """OBEC size band of the target enrolment (default band rules)."""
        n = self.target
        if self.esa_type == "primary":
            return "small" if n <= 120 else "medium" if n <= 600 else "large" if n <= 1500 else "extra_large"
        return "small" if n < 500 else "medium" if n < 1500 else "large" if n < 2500 else "extra_large"

    @property
    def zone(self) -> str:
        if self.province == "10":
            return "bangkok"
        if self.province in DEEP_SOUTH:
            return "deep_south"
        if self.region in NORTH_EAST:
            return "north_east"
        if self.region in NORTH:
            return "north"
        if self.region in (5, 6, 7):
            return "south"
        return "other"


def school_poverty(seed: int, code: str, province: str, region: int, area_type: str) -> float:
    """The school's synthetic poverty level: the regional base, rural ×1.3 / urban ×0.6, noise."""
    zone = SchoolInfo(code, "1", province, region, area_type, "K1", "K1", 0, 0).zone
    base = POVERTY_BASE.get(zone, POVERTY_OTHER) * (1.3 if area_type == "rural" else 0.6)
    noise = random.Random(f"{seed}:poverty:{code}").gauss(0.0, 0.35)
    return round(min(0.85, max(0.01, base * math.exp(noise))), 3)


@dataclass(frozen=True)
class Rates:
    dropout: float
    transfer: float
    repeat: float


ZONE_DROPOUT = {"bangkok": 0.8, "north_east": 1.5, "north": 1.25, "deep_south": 2.0, "south": 1.1}
ZONE_REPEAT = {"bangkok": 0.8, "north_east": 1.25, "north": 1.1, "deep_south": 1.5, "south": 1.0}
SIZE_DROPOUT = {"small": 1.3, "medium": 1.0, "large": 0.85, "extra_large": 0.75}
SIZE_REPEAT = {"small": 1.8, "medium": 1.0, "large": 0.8, "extra_large": 0.7}


def school_rates(school: SchoolInfo) -> dict[str, Rates]:
    """Per-grade yearly probabilities of dropping out, transferring and repeating at ``school``."""
    zone, size = school.zone, school.size
    drop_mult = (
        ZONE_DROPOUT.get(zone, 1.0)
        * SIZE_DROPOUT[size]
        * (1.2 if school.area_type == "rural" else 1.0)
        * (0.6 + 2.0 * school.poverty)
    )
    rep_mult = ZONE_REPEAT.get(zone, 1.0) * SIZE_REPEAT[size] * (0.8 + school.poverty)
    transfer_mult = 1.2 if school.area_type == "urban" else 1.0
    rates = {}
    for grade in school.grades:
        level = level_of(grade)
        repeat = P1_REPEAT if grade == "P1" else BASE_REPEAT[level]
        rates[grade] = Rates(
            dropout=min(0.2, BASE_DROPOUT[level] * drop_mult),
            transfer=BASE_TRANSFER[level] * transfer_mult,
            repeat=min(0.2, repeat * rep_mult),
        )
    return rates


class Stint:
    """One enrolment: a learner in a school, grade and room for (part of) one academic year."""

    __slots__ = ("ends_on", "entry", "grade", "pk", "reason", "room", "school", "starts_on", "status", "year")

    def __init__(self, school: str, year: int, grade: str, entry: str, starts_on: dt.date) -> None:
        self.school, self.year, self.grade, self.entry, self.starts_on = school, year, grade, entry, starts_on
        self.status = "active"
        self.ends_on: dt.date | None = None
        self.reason = ""
        self.room = 0
        self.pk = 0  # set by the database writer

    def close(self, status: str, ends_on: dt.date, reason: str = "") -> None:
        self.status, self.ends_on, self.reason = status, ends_on, reason


class Learner:
    """A synthetic learner and their enrolment history."""

    __slots__ = (
        "birth_date", "ccl", "citizen_id", "disability", "first_en", "first_th", "g_code", "guardian",
        "last_en", "last_th", "nationality", "pk", "religion", "sex", "stints",
    )  # fmt: skip

    birth_date: dt.date
    ccl: bool
    disability: str
    first_en: str
    first_th: str
    last_en: str
    last_th: str
    nationality: str
    religion: str
    sex: str

    def __init__(self) -> None:
        self.stints: list[Stint] = []
        self.citizen_id: str | None = None
        self.g_code: str | None = None
        self.pk = 0
        self.guardian: tuple[str, str, str] | None = None  # relation, name, phone

    @property
    def identifier(self) -> str:
        return self.citizen_id or self.g_code or ""

    def prefix_th(self, on: dt.date = DEMO_TODAY) -> str:
        """เด็กชาย / เด็กหญิง under 15, then นาย / นางสาว."""
        b = self.birth_date
        age = on.year - b.year - ((on.month, on.day) < (b.month, b.day))
        if age < 15:
            return "เด็กชาย" if self.sex == "M" else "เด็กหญิง"
        return "นาย" if self.sex == "M" else "นางสาว"

    @property
    def current(self) -> Stint | None:
        """The open enrolment of the current year, if any."""
        last = self.stints[-1]
        return last if last.status in ("active", "pending_transfer") else None


@dataclass
class TransferRecord:
    learner: Learner
    from_stint: Stint
    to_school: str
    to_stint: Stint | None  # None while requested
    requested_on: dt.date
    reason: str

    @property
    def accepted(self) -> bool:
        return self.to_stint is not None


@dataclass
class EsaRecords:
    esa_code: str
    learners: list[Learner] = field(default_factory=list)
    transfers: list[TransferRecord] = field(default_factory=list)


def year_bounds(year_be: int) -> tuple[dt.date, dt.date]:
    return default_academic_year_bounds(year_be)


def event_window(year_be: int) -> tuple[dt.date, dt.date]:
    """Days on which a dropout or transfer may happen: from the second week to mid-March (or to
    the day before today in the current year)."""
    start, _ = year_bounds(year_be)
    first = start + dt.timedelta(days=7)
    last = (
        DEMO_TODAY - dt.timedelta(days=1) if year_be == CURRENT else dt.date(to_ce_year(year_be) + 1, 3, 15)
    )
    return first, last


def _weighted(digits: str, weights: Sequence[int]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


# Weighted digit sums of the check-digit rule (weights 13..2) for the serial's two 3-digit halves.
_HIGH = [_weighted(f"{n:03d}", (7, 6, 5)) for n in range(1000)]
_LOW = [_weighted(f"{n:03d}", (4, 3, 2)) for n in range(1000)]


class _Ids:
    """National identifiers, unique by construction: citizen IDs ``d ESA(5) serial(6) check`` and
    G-codes ``G year(4) province(2) type(1) area(1) serial(4)``.

    The check digit is the citizen-ID rule (:func:`suksa.core.identifiers.citizen_id_check_digit`)
    computed from precomputed partial sums, since it runs millions of times at national scale.
    """

    def __init__(self, esa_code: str) -> None:
        self.esa_code = esa_code
        self.serial = 0
        self.g_serials: dict[int, int] = {}
        self.prefix_sum = {d: _weighted(f"{d}{esa_code}", (13, 12, 11, 10, 9, 8)) for d in (1, 2)}

    def citizen_id(self, late_registration: bool) -> str:
        self.serial += 1
        serial = self.serial
        if serial > 999_999:
            raise ValueError(f"ESA {self.esa_code} has more than 999,999 synthetic learners")
        first = 2 if late_registration else 1
        total = self.prefix_sum[first] + _HIGH[serial // 1000] + _LOW[serial % 1000]
        return f"{first}{self.esa_code}{serial:06d}{(11 - total % 11) % 10}"

    def g_code(self, year_be: int, province: str) -> str:
        n = self.g_serials.get(year_be, 0) + 1
        if n > 9999:
            raise ValueError(f"ESA {self.esa_code} has more than 9,999 G-codes in {year_be}")
        self.g_serials[year_be] = n
        return f"G{year_be}{province}{self.esa_code[0]}{int(self.esa_code[3:]) % 10}{n:04d}"


class _Simulation:
    def __init__(self, schools: Sequence[SchoolInfo], seed: int) -> None:
        self.schools = list(schools)
        self.esa_code = self.schools[0].esa_code
        self.rng = random.Random(f"{seed}:students:{self.esa_code}")
        self.ids = _Ids(self.esa_code)
        self.out = EsaRecords(self.esa_code)
        self.rates = {s.code: school_rates(s) for s in self.schools}
        self.by_code = {s.code: s for s in self.schools}
        # Which schools of the ESA teach each grade (transfer destinations).
        self.teaching: dict[str, list[str]] = {g: [] for g in GRADES}
        for s in self.schools:
            for g in s.grades:
                self.teaching[g].append(s.code)

    # --- learners ------------------------------------------------------------------------------

    def new_learner(self, school: SchoolInfo, grade: str, year: int, over_age: int) -> Learner:
        rng = self.rng
        learner = Learner()
        learner.sex = "M" if rng.random() < 0.51 else "F"
        # Age in completed years on the first day of the year (16 May) = official age + over-age.
        age = OFFICIAL_AGE[grade] + over_age
        earliest = dt.date(YEAR_START[year].year - age - 1, 5, 17)
        learner.birth_date = earliest + dt.timedelta(days=rng.randrange(365))
        share, nationality = G_CODE_SHARE.get(school.province, G_CODE_OTHER)
        if rng.random() < share:
            learner.g_code = self.ids.g_code(year, school.province)
            learner.nationality = nationality
        else:
            learner.citizen_id = self.ids.citizen_id(late_registration=rng.random() < 0.03)
            learner.nationality = "THA"
        u = rng.random()
        islam = ISLAM_SHARE.get(school.province, 0.01)
        christian = CHRISTIAN_SHARE.get(school.province, 0.006)
        if u < islam:
            religion = "islam"
        elif u < islam + christian:
            religion = "christianity"
        elif u < 0.995:
            religion = "buddhism"
        else:
            religion = ""
        learner.religion = religion
        muslim_names = religion == "islam" and school.province in DEEP_SOUTH | {"91"}
        if muslim_names:
            pool = names.MUSLIM_MALE_FIRST if learner.sex == "M" else names.MUSLIM_FEMALE_FIRST
            learner.last_th, learner.last_en = names.MUSLIM_SURNAMES[
                rng.randrange(len(names.MUSLIM_SURNAMES))
            ]
        else:
            pool = names.MALE_FIRST if learner.sex == "M" else names.FEMALE_FIRST
            learner.last_th, learner.last_en = names.surname(rng.randrange(names.SURNAME_COUNT))
        learner.first_th, learner.first_en = pool[rng.randrange(len(pool))]
        learner.disability = (
            rng.choices(DISABILITIES, DISABILITY_WEIGHTS)[0] if rng.random() < DISABILITY_SHARE else ""
        )
        learner.ccl = rng.random() < school.poverty
        self.out.learners.append(learner)
        return learner

    def over_age(self, late: float = 0.12) -> int:
        u = self.rng.random()
        return 0 if u >= late else 1 if u >= late / 6 else 2

    def guardian(self, learner: Learner) -> tuple[str, str, str]:
        rng = self.rng
        relation = rng.choices(RELATIONS, RELATION_WEIGHTS)[0]
        if relation == "mother" or (relation == "guardian" and rng.random() < 0.6):
            title, pool = "นาง", names.FEMALE_FIRST
        else:
            title, pool = "นาย", names.MALE_FIRST
        first = pool[rng.randrange(len(pool))][0]
        last = (
            learner.last_th
            if relation != "guardian" or rng.random() < 0.7
            else names.surname(rng.randrange(999))[0]
        )
        phone = f"08{rng.randrange(10)}-{rng.randrange(1000):03d}-{rng.randrange(10000):04d}"
        return relation, f"{title}{first} {last}", phone

    # --- the simulation ------------------------------------------------------------------------

    def stochastic_round(self, x: float) -> int:
        whole = int(x)
        return whole + (1 if self.rng.random() < x - whole else 0)

    def initial(self, school: SchoolInfo, year: int) -> list[tuple[Learner, str, str]]:
        """The first year's population: every grade filled, some over-age, some repeaters."""
        base = school.target / len(school.grades) * DECLINE ** (CURRENT - year)
        rates = self.rates[school.code]
        roster: list[tuple[Learner, str, str]] = []
        for grade in school.grades:
            share = 0.65 if grade == "K1" else 1.0
            for _ in range(self.stochastic_round(base * share)):
                starts_level = grade in LEVEL_FIRST
                repeater = not starts_level and self.rng.random() < rates[grade].repeat
                over = self.over_age() + (1 if repeater else 0)
                learner = self.new_learner(school, grade, year, over)
                entry = "repeated" if repeater else "admitted" if starts_level else "promoted"
                roster.append((learner, grade, entry))
        return roster

    def entrants(
        self, school: SchoolInfo, year: int, continuing: dict[str, int]
    ) -> list[tuple[Learner, str, str]]:
        """New admissions this year into the first grades of the levels the school teaches."""
        base = school.target / len(school.grades) * DECLINE ** (CURRENT - year)
        grades = set(school.grades)
        wanted: list[tuple[str, float, float]] = []  # grade, count, late-entry share
        if "K1" in grades:
            wanted += [("K1", 0.65 * base, 0.08), ("K2", 0.30 * base, 0.1), ("P1", 0.08 * base, 0.3)]
        if "M1" in grades:
            if school.lowest_grade == "M1":
                wanted.append(("M1", base, 0.12))
            else:  # extended school: its own P6 graduates first
                wanted.append(("M1", max(0.0, 0.85 * base - continuing.get("M1", 0)), 0.15))
        if "M4" in grades:
            wanted.append(("M4", max(0.0, 0.9 * base - continuing.get("M4", 0)), 0.12))
        roster = []
        for grade, count, late in wanted:
            for _ in range(self.stochastic_round(count)):
                learner = self.new_learner(school, grade, year, self.over_age(late))
                roster.append((learner, grade, "admitted"))
        return roster

    def run(self) -> EsaRecords:
        rng = self.rng
        carried: dict[str, list[tuple[Learner, str, str]]] = {s.code: [] for s in self.schools}
        for year in YEARS:
            start, end = year_bounds(year)
            first_event, last_event = event_window(year)
            window = (last_event - first_event).days + 1
            # Fraction of a whole year's events that fit in the window (the current year is partial).
            year_fraction = min(1.0, window / 300)
            rosters: dict[str, list[tuple[Learner, Stint]]] = {}
            rooms: dict[tuple[str, str], int] = {}
            for school in self.schools:
                continuing: dict[str, int] = {}
                for _, grade, entry in carried[school.code]:
                    if entry == "admitted":
                        continuing[grade] = continuing.get(grade, 0) + 1
                if year == YEARS[0]:
                    joined = self.initial(school, year)
                else:
                    joined = carried[school.code] + self.entrants(school, year, continuing)
                roster = []
                counts: dict[str, int] = {}
                for learner, grade, entry in joined:
                    stint = Stint(school.code, year, grade, entry, start)
                    learner.stints.append(stint)
                    index = counts.get(grade, 0)
                    counts[grade] = index + 1
                    stint.room = index  # replaced by the room number below
                    roster.append((learner, stint))
                for grade, n in counts.items():
                    size = KINDERGARTEN_ROOM_SIZE if grade.startswith("K") else ROOM_SIZE
                    rooms[(school.code, grade)] = max(1, math.ceil(n / size))
                for _, stint in roster:
                    stint.room = stint.room % rooms[(school.code, stint.grade)] + 1
                rosters[school.code] = roster

            # During the year: dropouts and transfers (one event per learner and year at most).
            moved_in: dict[str, list[tuple[Learner, Stint]]] = {s.code: [] for s in self.schools}
            staying: dict[str, list[tuple[Learner, Stint]]] = {}
            for school in self.schools:
                rates = self.rates[school.code]
                keep = []
                for learner, stint in rosters[school.code]:
                    r = rates[stint.grade]
                    u = rng.random() / year_fraction
                    if u < r.dropout:
                        day = first_event + dt.timedelta(days=rng.randrange(window))
                        stint.close("dropped_out", day, self.dropout_reason(stint.grade, learner.sex))
                        continue
                    if u < r.dropout + r.transfer:
                        others = [c for c in self.teaching[stint.grade] if c != school.code]
                        if others:
                            self.transfer(learner, stint, others, first_event, window, year, rooms, moved_in)
                            if stint.status != "pending_transfer":
                                continue
                    keep.append((learner, stint))
                staying[school.code] = keep
            if year == CURRENT:
                break

            # Year end: repeat, promote or graduate (and maybe continue into the next level).
            carried = {s.code: [] for s in self.schools}
            for school in self.schools:
                rates = self.rates[school.code]
                teaches = set(school.grades)
                for learner, stint in staying[school.code] + moved_in[school.code]:
                    grade = stint.grade
                    if rng.random() < rates[grade].repeat:
                        stint.close("repeated", end)
                        carried[school.code].append((learner, grade, "repeated"))
                    elif grade in LAST_OF_LEVEL:
                        stint.close("graduated", end)
                        following = NEXT_GRADE[grade]
                        if following in teaches and rng.random() < CONTINUE.get(grade, 0.0):
                            carried[school.code].append((learner, following, "admitted"))
                    else:
                        stint.close("promoted", end)
                        carried[school.code].append((learner, NEXT_GRADE[grade] or grade, "promoted"))
        for learner in self.out.learners:
            if learner.stints[-1].year == CURRENT:
                learner.guardian = self.guardian(learner)
        return self.out

    def transfer(
        self,
        learner: Learner,
        stint: Stint,
        others: list[str],
        first_event: dt.date,
        window: int,
        year: int,
        rooms: dict[tuple[str, str], int],
        moved_in: dict[str, list[tuple[Learner, Stint]]],
    ) -> None:
        rng = self.rng
        to_school = others[rng.randrange(len(others))]
        day = first_event + dt.timedelta(days=rng.randrange(window))
        reason = TRANSFER_REASONS[rng.randrange(len(TRANSFER_REASONS))]
        requested_on = day - dt.timedelta(days=rng.randrange(1, 6))
        requested_on = max(requested_on, stint.starts_on)
        if year == CURRENT and (DEMO_TODAY - day).days < TRANSFER_PENDING_DAYS:
            stint.status = "pending_transfer"
            self.out.transfers.append(TransferRecord(learner, stint, to_school, None, day, reason))
            return
        stint.close("transferred_out", day - dt.timedelta(days=1))
        new = Stint(to_school, year, stint.grade, "transfer_in", day)
        key = (to_school, stint.grade)
        n = rooms.get(key, 0)
        if n == 0:
            rooms[key] = n = 1
        new.room = rng.randrange(n) + 1
        learner.stints.append(new)
        moved_in[to_school].append((learner, new))
        self.out.transfers.append(TransferRecord(learner, stint, to_school, new, requested_on, reason))

    def dropout_reason(self, grade: str, sex: str) -> str:
        if grade[0] in "KP":
            weights = REASON_WEIGHTS["young"]
        else:
            weights = REASON_WEIGHTS["secondary_f" if sex == "F" else "secondary"]
        return self.rng.choices(DROPOUT_REASONS, weights)[0]


def simulate_esa(schools: Sequence[SchoolInfo], seed: int) -> EsaRecords:
    """Every learner who attended a school of one ESA in the demo's academic years.

    ``schools`` all belong to one ESA, in a stable order (by code); the result is deterministic.
    """
    if not schools:
        return EsaRecords("")
    return _Simulation(schools, seed).run()
