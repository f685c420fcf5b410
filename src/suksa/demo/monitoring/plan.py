"""The plan of the synthetic monitoring history: pure, deterministic from the seed.

No database here. Everything the history is made of is decided by functions of the seed and of
the unit's code (each ESA and each school draws from its own random stream), so an ESA has the same
traits at every scale and :mod:`suksa.demo.monitoring.truth` can recompute the planted signals
without the database.

What an ESA is made of (:class:`EsaTraits`):

- a *level* per indicator: a base by ESA type, a region-group effect, a context effect (the share
  of small schools, read from the generated schools and passed in as :class:`EsaContext`) and a
  random ESA effect (``sd_between``);
- *strengths* and *weaknesses*: a domain (learning, flow, access, management, digital, safety)
  where every indicator of the ESA sits 1.6 (strong) or 1.4 (weak) between-ESA standard deviations
  on the good (bad) side of its peers;
- *practices*: effective practices the ESA adopted from an academic year, each improving named
  indicators by a slope per year from then on (:data:`PRACTICES`), and popular practices with no
  effect that many ESAs name anyway;
- *exogenous trends* (improving or deteriorating, unrelated to practices), one *shock* for a few
  ESAs (a one-year dip or a lasting step), at most one *decoy* (a bad datum that makes the ESA look
  strong or odd), and a *diligence* that drives missing and late reports.

Values are in the catalogue's unit (percent 0–100, scores, ratios). Time is measured in academic
years (BE) with :func:`tau`: a census or academic-year period ``t`` sits at ``t``; fiscal year
``f`` at ``f − 0.5``; a round ``f/mN`` at ``f − 1 + N/12 − 0.25`` (so ``m6`` at ``f − 0.75`` and
``m12`` at ``f − 0.25``). Slopes are per year on that axis.
"""

from __future__ import annotations

import functools
import hashlib
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from suksa.demo.data import HOME_ESA_CODE, SCALES
from suksa.demo.plan import plan_esas

GENERATOR = "suksa.demo.monitoring"
PLAN_VERSION = 1
# Stored beside, never over, what a real producer computes (its formula versions differ).
FORMULA_VERSION = "synthetic-2026.1"

PAST_FISCAL_YEARS = (2564, 2565, 2566, 2567, 2568)
CURRENT_FISCAL_YEAR = 2569
NEXT_FISCAL_YEAR = 2570
FISCAL_YEARS = (*PAST_FISCAL_YEARS, CURRENT_FISCAL_YEAR, NEXT_FISCAL_YEAR)
FRAMEWORK_MONTHS: dict[int, tuple[int, ...]] = dict.fromkeys(
    (*PAST_FISCAL_YEARS, CURRENT_FISCAL_YEAR), (6, 12)
)
FRAMEWORK_MONTHS[NEXT_FISCAL_YEAR] = (3, 6, 9, 12)
# Rounds with reports: every round of FY 2564–2569 (the last one is the current, open round).
REPORT_ROUNDS: tuple[tuple[int, int], ...] = tuple(
    (fy, m) for fy in (*PAST_FISCAL_YEARS, CURRENT_FISCAL_YEAR) for m in FRAMEWORK_MONTHS[fy]
)
CURRENT_ROUND = (CURRENT_FISCAL_YEAR, 12)
PAST_ROUNDS = REPORT_ROUNDS[:-1]
TARGET_AREA_COUNT = 85
NATIONAL_ESAS = 245

# Academic years (BE) of stored platform history, by the period each source uses. Flows of year t
# need the next June census (71 days after the year's end), so a 6-month round of FY 2564 already
# shows AY 2562; everything else starts at AY 2563.
YEARS_FLOW = tuple(str(y) for y in range(2562, 2569))
YEARS = tuple(str(y) for y in range(2563, 2569))
CENSUS = tuple(f"{y}/jun10" for y in range(2563, 2570))
FISCAL = tuple(str(y) for y in range(2563, 2570))
ROUND_KEYS = tuple(f"{fy}/m{m}" for fy, m in REPORT_ROUNDS)
COVID_YEAR = 2564  # AY 2564 (2021–22): the long school closures


def tau(period: str, kind: str) -> float:
    """The period's place on the academic-year axis (see the module docstring)."""
    if kind in ("year", "census"):
        return float(period.partition("/")[0])
    if kind == "fiscal_year":
        return float(period) - 0.5
    fy, _, code = period.partition("/")
    return int(fy) - 1 + int(code.lstrip("m")) / 12 - 0.25


def round_key(fy: int, months: int) -> str:
    return f"{fy}/m{months}"


def round_tau(fy: int, months: int) -> float:
    return tau(round_key(fy, months), "round")


# --- region groups ------------------------------------------------------------------------------

REGION_GROUP = {
    1: "bangkok", 2: "central", 3: "central", 4: "central", 5: "south", 6: "south", 7: "deep_south",
    8: "east", 9: "east", 10: "northeast", 11: "northeast", 12: "northeast", 13: "northeast",
    14: "northeast", 15: "north", 16: "north", 17: "north", 18: "north",
}  # fmt: skip
LEARNING_REGIONS = {
    "bangkok": 3.0, "central": 1.0, "east": 0.8, "south": 0.0, "deep_south": -3.0, "northeast": -1.5,
    "north": 0.0,
}  # fmt: skip


def _scaled(effects: Mapping[str, float], factor: float) -> dict[str, float]:
    return {k: v * factor for k, v in effects.items()}


# --- indicator specifications -------------------------------------------------------------------

STRENGTH_DOMAINS = ("learning", "flow", "access", "management", "digital", "safety")


@dataclass(frozen=True)
class Spec:
    """How one indicator's synthetic values are made (catalogue units).

    ``base`` maps an ESA type to its level (a type without a key has no value: a secondary ESA
    has no P6 test); ``m6`` is the base of 6-month rounds for cumulative figures. ``factor`` turns
    numerator / denominator into the value (100 for a percent, 10,000 per 10k, 1 for a mean);
    ``den`` names the denominator (see :func:`denominator`).
    """

    code: str
    kind: str  # census | year | fiscal_year | round
    periods: tuple[str, ...]
    domain: str
    direction: int  # +1 higher is better, -1 lower is better, 0 neutral
    base: Mapping[str, float]
    sd_between: float
    sd_noise: float
    lo: float = 0.0
    hi: float = 100.0
    decimals: int = 2
    national_slope: float = 0.0
    covid: float = 0.0
    region: Mapping[str, float] = field(default_factory=dict)
    small_coef: float = 0.0  # per unit of (small-school share − 0.5)
    m6: Mapping[str, float] | None = None
    factor: float = 100.0
    den: str = "enrolment"
    trendable: bool = True  # may carry an exogenous trend
    reported: bool = False  # asked in the report, not stored as a platform value


SPECS: tuple[Spec, ...] = (
    Spec("dropout_rate", "year", YEARS_FLOW, "flow", -1, {"primary": 0.9, "secondary": 1.6}, 0.35, 0.12,
         national_slope=-0.03, covid=0.15, small_coef=0.8,
         region={"northeast": 0.2, "deep_south": 0.6, "bangkok": -0.2, "north": 0.1}),
    Spec("repetition_rate", "year", YEARS_FLOW, "flow", -1, {"primary": 1.2, "secondary": 0.6}, 0.3, 0.1,
         covid=-0.25, small_coef=0.5, region={"northeast": 0.2, "deep_south": 0.4}),
    Spec("survival_rate_p6", "year", YEARS_FLOW, "flow", 1, {"primary": 94.0}, 2.0, 0.6, lo=60.0,
         small_coef=-3.0, region={"deep_south": -3.0, "northeast": -1.0}, den="cohort"),
    Spec("attendance_rate", "year", YEARS, "access", 1, {"primary": 95.5, "secondary": 94.5}, 0.8, 0.35,
         covid=-2.5, small_coef=-0.5, region={"deep_south": -1.5}, den="days"),
    Spec("chronic_absenteeism_rate", "year", YEARS, "access", -1, {"primary": 6.0, "secondary": 8.0}, 1.5, 0.6,
         covid=3.0, region={"deep_south": 2.5, "northeast": 0.5}),
    Spec("out_of_school_rate", "year", YEARS, "access", -1, {"primary": 2.5, "secondary": 3.5}, 0.8, 0.25,
         region={"deep_south": 2.0, "northeast": 0.5, "bangkok": 0.8}, den="population"),
    Spec("onet_mean_p6", "year", YEARS, "learning", 1, {"primary": 38.5}, 2.5, 0.9, covid=-2.0,
         small_coef=-5.0, region=LEARNING_REGIONS, factor=1.0, den="takers_p6"),
    Spec("onet_mean_m3", "year", YEARS, "learning", 1, {"primary": 29.5, "secondary": 32.5}, 2.0, 0.8,
         covid=-1.5, small_coef=-3.0, region=_scaled(LEARNING_REGIONS, 0.8), factor=1.0, den="takers_m3"),
    Spec("onet_mean_m6", "year", YEARS, "learning", 1, {"secondary": 31.0}, 2.0, 0.8, covid=-1.5,
         region=_scaled(LEARNING_REGIONS, 0.8), factor=1.0, den="takers_m6"),
    Spec("nt_mean_p3", "year", YEARS, "learning", 1, {"primary": 48.0}, 3.0, 1.2, covid=-2.5, small_coef=-4.0,
         region=LEARNING_REGIONS, factor=1.0, den="p3"),
    Spec("rt_mean_p1", "year", YEARS, "learning", 1, {"primary": 70.0}, 3.5, 1.4, covid=-3.0, small_coef=-3.0,
         region=LEARNING_REGIONS, factor=1.0, den="p1"),
    Spec("reading_literacy_rate", "year", YEARS, "learning", 1, {"primary": 62.0}, 6.0, 2.0, covid=-5.0,
         small_coef=-6.0, region=_scaled(LEARNING_REGIONS, 1.5), den="p1"),
    Spec("safety_incident_rate", "fiscal_year", FISCAL, "safety", -1, {"primary": 3.5, "secondary": 5.0}, 1.2,
         0.5, hi=1000.0, region={"deep_south": 2.0, "bangkok": 1.0}, factor=10_000.0),
    Spec("budget_disbursement_rate", "round", ROUND_KEYS, "management", 1, {"primary": 93.0, "secondary": 92.0},
         3.0, 2.0, m6={"primary": 48.0, "secondary": 46.0}, den="budget"),
    Spec("internet_coverage_rate", "round", ROUND_KEYS, "digital", 1, {"primary": 80.0, "secondary": 93.0},
         6.0, 2.0, national_slope=2.5, small_coef=-15.0, den="schools"),
    Spec("dltv_usage_rate", "round", ROUND_KEYS, "digital", 1, {"primary": 72.0}, 8.0, 3.0, den="dltv_schools"),
)  # fmt: skip

# Asked of the ESA in its report (values live in ReportValue, not in the platform's store).
REPORTED_SPECS: tuple[Spec, ...] = (
    Spec("supervision_coverage", "round", ROUND_KEYS, "management", 1, {"primary": 92.0, "secondary": 90.0}, 5.0,
         4.0, m6={"primary": 58.0, "secondary": 55.0}, den="schools", reported=True),
    Spec("teacher_pd_hours", "round", ROUND_KEYS, "", 1, {"primary": 32.0, "secondary": 30.0}, 5.0, 3.0,
         hi=110.0, decimals=1, m6={"primary": 14.0, "secondary": 13.0}, factor=1.0, den="none", reported=True),
    Spec("action_plan_completion", "round", ROUND_KEYS, "management", 1, {"primary": 91.0, "secondary": 90.0},
         4.0, 3.0, m6={"primary": 46.0, "secondary": 45.0}, den="none", reported=True),
    # Per 1,000 learners; the report asks for persons (see :func:`children_returned`).
    Spec("children_returned", "round", ROUND_KEYS, "access", 1, {"primary": 2.5, "secondary": 3.0}, 0.8, 0.4,
         hi=50.0, m6={"primary": 1.2, "secondary": 1.5}, factor=1000.0, den="none", reported=True),
    Spec("stakeholder_satisfaction", "round", ROUND_KEYS, "management", 1, {"primary": 87.0, "secondary": 86.0},
         3.0, 1.5, den="none", reported=True),
    Spec("sar_submission_rate", "round", ROUND_KEYS, "management", 1, {"primary": 97.0, "secondary": 96.0}, 2.0,
         1.5, m6={"primary": 72.0, "secondary": 70.0}, den="schools", reported=True),
)  # fmt: skip
SPEC = {s.code: s for s in (*SPECS, *REPORTED_SPECS)}
# Stored from the generated schools and their back-cast history (no planted trend or strength).
CONTEXT_CODES = ("enrolment", "adjusted_gpi_enrolment", "small_school_share", "teacher_shortage_rate",
                 "pupil_teacher_ratio")  # fmt: skip
# Region and nation only (P6 → M1 crosses primary and secondary ESAs).
REGION_ONLY_CODES = ("transition_rate_p6_m1",)


# --- practices ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Practice:
    """A practice ESAs name in their narratives. ``effects`` are true slopes per year from the
    year of adoption (catalogue units); an empty mapping is a practice that changes nothing."""

    key: str
    name_th: str
    name_en: str
    effects: Mapping[str, float]
    adoption: float  # share of ESAs (of the types it applies to) that adopt it
    types: tuple[str, ...] = ("primary", "secondary")

    @property
    def effective(self) -> bool:
        return bool(self.effects)


PRACTICES: tuple[Practice, ...] = (
    Practice("mentoring", "โครงการครูพี่เลี้ยง", "Teacher mentoring programme",
             {"onet_mean_p6": 0.9, "nt_mean_p3": 1.2, "onet_mean_m3": 0.7}, 0.22),
    Practice("active_learning", "การสอนแบบ Active Learning", "Active learning",
             {"onet_mean_m3": 0.8, "onet_mean_m6": 0.8, "onet_mean_p6": 0.6}, 0.22),
    Practice("reading", "การอ่านออกเขียนได้", "Reading and writing for every child",
             {"reading_literacy_rate": 2.6, "rt_mean_p1": 1.6}, 0.25, ("primary",)),
    Practice("student_care", "ระบบดูแลช่วยเหลือนักเรียน", "Student care and support system",
             {"dropout_rate": -0.12, "chronic_absenteeism_rate": -0.7, "attendance_rate": 0.35}, 0.2),
    Practice("zero_dropout", "โครงการพาน้องกลับมาเรียน", "Bring children back to school",
             {"out_of_school_rate": -0.3, "children_returned": 0.6}, 0.18),
    Practice("kalayanamit", "การนิเทศแบบกัลยาณมิตร", "Collegial (kalyanamitra) supervision",
             {"supervision_coverage": 2.0, "nt_mean_p3": 0.8}, 0.2),
    Practice("dltv", "การเรียนการสอนทางไกลผ่านดาวเทียม (DLTV)", "Distance learning television (DLTV)", {"dltv_usage_rate": 4.0}, 0.18, ("primary",)),
    # Named often, change nothing measurable in this synthetic nation.
    Practice("plc", "ชุมชนการเรียนรู้ทางวิชาชีพ (PLC)", "Professional learning communities (PLC)", {}, 0.55),
    Practice("quality_classroom", "ห้องเรียนคุณภาพ", "Quality classrooms", {}, 0.45),
    Practice("vpa", "การพัฒนางานตามข้อตกลง (PA)", "Performance agreements (PA)", {}, 0.4),
    Practice("coding", "การจัดการเรียนรู้ Coding", "Coding for all", {}, 0.35),
)  # fmt: skip
PRACTICE = {p.key: p for p in PRACTICES}


@dataclass(frozen=True)
class SchoolModel:
    """A school model worth scaling: the positive-deviant schools of a structural group share it."""

    key: str
    name_th: str
    name_en: str
    group: str  # which schools can carry it (see :func:`school_group`)


SCHOOL_MODELS: tuple[SchoolModel, ...] = (
    SchoolModel("multigrade", "โรงเรียนขนาดเล็กรวมชั้นเรียน", "Small-school multi-grade teaching", "primary_small"),
    SchoolModel("tambon", "โรงเรียนคุณภาพประจำตำบล", "Quality school of the subdistrict", "primary_other"),
    SchoolModel("competency", "การจัดการเรียนรู้ฐานสมรรถนะ", "Competency-based learning", "secondary"),
)  # fmt: skip
SCHOOL_MODEL = {m.key: m for m in SCHOOL_MODELS}
SCHOOL_DEVIANT_SHARE = 0.03
SCHOOL_DEVIANT_BOOST = 7.0  # O-NET points above the school's own expected level
SCHOOL_DECOY_SHARE = 0.004
SCHOOL_YEARS = YEARS  # school-level O-NET history


# --- units ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EsaKey:
    code: str
    esa_type: str
    region: int


@dataclass(frozen=True)
class SchoolKey:
    """What the plan needs of a school: code, ESA, structure and size."""

    code: str
    esa: str
    esa_type: str
    size_band: str
    area_type: str
    lowest_grade: str
    highest_grade: str
    students: int


def esas_of_scale(scale: str = "national") -> list[EsaKey]:
    """The ESAs a scale generates (codes, types and regions only: no names, no database)."""
    stub: defaultdict[str, tuple[str, str]] = defaultdict(lambda: ("", ""))
    return [EsaKey(p.code, p.esa_type, p.region) for p in plan_esas(stub, SCALES[scale])]


def _unit(seed: int, *parts: object) -> float:
    """A uniform number in [0, 1) from a hash (order-free, for rankings and memberships)."""
    digest = hashlib.sha256(":".join(str(p) for p in (seed, *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def target_areas(seed: int) -> frozenset[str]:
    """The 85 target areas: the same set every fiscal year and at every scale (the personas'
    ESA is one of them)."""
    others = sorted(
        (e.code for e in esas_of_scale() if e.code != HOME_ESA_CODE), key=lambda c: _unit(seed, "ta", c)
    )
    return frozenset([HOME_ESA_CODE, *others[: TARGET_AREA_COUNT - 1]])


# --- ESA traits -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Adoption:
    practice: str
    start: int  # academic year (BE) from which it acts
    strength: float  # multiplier of the practice's effects for this ESA


@dataclass(frozen=True)
class Shock:
    domain: str
    year: int  # academic year (BE)
    kind: str  # dip (that year only) | step (from that year on)
    size: float  # in noise standard deviations, on the bad side


@dataclass(frozen=True)
class Decoy:
    """A planted bad datum. ``where``: ``platform`` (a stored value, shown pre-filled) or
    ``report`` (a value the ESA typed)."""

    kind: str  # x10 | jump | dropout_denominator | percent_typo
    indicator: str
    period: str  # platform period or round key
    where: str
    factor: float  # recorded = true × factor (percent_typo: ×10 of the percent)
    caught: bool  # found in review (the report was returned and corrected)


@dataclass(frozen=True)
class EsaTraits:
    key: EsaKey
    group: str
    effects: Mapping[str, float]  # random ESA effect per indicator, in sd_between units
    strong: tuple[str, ...]
    weak: tuple[str, ...]
    adoptions: tuple[Adoption, ...]
    buzz: tuple[str, ...]  # practices without effect that the ESA names
    exogenous: Mapping[str, float]  # indicator -> slope per year
    shocks: tuple[Shock, ...]
    decoy: Decoy | None
    diligence: float  # 0..1: missing and late reports, report quality
    enrolment_growth: float  # per year

    @property
    def code(self) -> str:
        return self.key.code

    def adoption(self, practice: str) -> Adoption | None:
        return next((a for a in self.adoptions if a.practice == practice), None)

    def named_practices(self, at: float) -> list[str]:
        """Practices the ESA names in a round at academic-year time ``at``: those adopted by then
        (effective or not) and its popular ones."""
        adopted = [a.practice for a in self.adoptions if a.start <= at + 0.25]
        return adopted + [b for b in self.buzz if b not in adopted]


STRONG_SHARE = 0.08
WEAK_SHARE = 0.06
EXOGENOUS_SHARE = 0.05
SHOCK_SHARE = 0.07
STRONG_OFFSET = 1.6
WEAK_OFFSET = 1.4


def applies(spec: Spec, esa_type: str) -> bool:
    return esa_type in spec.base


def esa_traits(seed: int, key: EsaKey) -> EsaTraits:
    """Every latent trait of one ESA, from its own random stream."""
    rng = random.Random(f"{seed}:monitoring:esa:{key.code}")
    effects = {s.code: rng.gauss(0.0, 1.0) for s in (*SPECS, *REPORTED_SPECS)}
    strong, weak = [], []
    for domain in STRENGTH_DOMAINS:
        u = rng.random()
        if u < STRONG_SHARE:
            strong.append(domain)
        elif u < STRONG_SHARE + WEAK_SHARE:
            weak.append(domain)
    adoptions = []
    buzz = []
    for p in PRACTICES:
        u, start_u, strength = rng.random(), rng.random(), rng.uniform(0.7, 1.3)
        if key.esa_type not in p.types or u >= p.adoption:
            continue
        if p.effective:
            start = 2563 if start_u < 0.4 else 2564 if start_u < 0.75 else 2565
            adoptions.append(Adoption(p.key, start, round(strength, 3)))
        else:
            buzz.append(p.key)
    exogenous: dict[str, float] = {}
    for s in SPECS + REPORTED_SPECS:
        u, size, bad = rng.random(), rng.uniform(1.0, 2.0), rng.random() < 0.6
        if s.trendable and s.direction and applies(s, key.esa_type) and u < EXOGENOUS_SHARE:
            sign = -s.direction if bad else s.direction
            exogenous[s.code] = round(sign * size * s.sd_noise, 4)
    shocks = []
    u, year, dom_u = rng.random(), rng.choice((2564, 2565, 2566, 2567)), rng.random()
    kind_u, size = rng.random(), rng.uniform(3.0, 4.5)
    if u < SHOCK_SHARE:
        domain, kind = ("learning" if dom_u < 0.5 else "access"), ("dip" if kind_u < 0.7 else "step")
        shocks.append(Shock(domain, year, kind, round(size, 3)))
    decoy = _decoy(seed, rng, key, strong)
    diligence = rng.random()
    growth = rng.gauss(-0.012, 0.008)
    if key.code == HOME_ESA_CODE:  # the personas' office: a full, tidy history with practices to show
        diligence, decoy = max(diligence, 0.9), None
        for practice, start in (("reading", 2564), ("mentoring", 2564)):
            if not any(a.practice == practice for a in adoptions):
                adoptions.append(Adoption(practice, start, 1.0))
    return EsaTraits(
        key=key,
        group=REGION_GROUP[key.region],
        effects=effects,
        strong=tuple(strong),
        weak=tuple(weak),
        adoptions=tuple(adoptions),
        buzz=tuple(buzz),
        exogenous=exogenous,
        shocks=tuple(shocks),
        decoy=decoy,
        diligence=round(diligence, 4),
        enrolment_growth=round(growth, 5),
    )


@functools.lru_cache(maxsize=8)
def _decoy_ranks(seed: int) -> dict[str, int]:
    """Decoys are dealt by rank over the national ESAs (a fixed count, balanced kinds, and the same
    ESA gets the same decoy at every scale); the personas' ESA gets none."""
    codes = sorted(
        (e.code for e in esas_of_scale() if e.code != HOME_ESA_CODE), key=lambda c: _unit(seed, "decoy", c)
    )
    return {c: n for n, c in enumerate(codes)}


DECOYS = 12  # bad data left in place (about 5 % of the 245 ESAs)
CAUGHT_TYPOS = 5  # percent typos found in review


def _decoy(seed: int, rng: random.Random, key: EsaKey, strong: list[str]) -> Decoy | None:
    pick = rng.random()
    rank = _decoy_ranks(seed).get(key.code)
    if rank is None or rank >= DECOYS + CAUGHT_TYPOS:
        return None
    if rank >= DECOYS:  # a percent typed ten times too large, caught in review
        return Decoy("percent_typo", "supervision_coverage", round_key(*PAST_ROUNDS[int(pick * 10)]), "report",
                     10.0, True)  # fmt: skip
    primary = key.esa_type == "primary"
    options: list[Decoy] = [
        # Typed ten times too large in the last complete round: looks like a star, is a typo.
        Decoy("x10", "teacher_pd_hours" if pick < 0.5 else "children_returned", round_key(*PAST_ROUNDS[-1]),
              "report", 10.0, False),
        # An imported figure 60 % above the truth in the latest year (a wrong file column).
        Decoy("jump", "reading_literacy_rate" if primary else "onet_mean_m6", "2568", "platform", 1.6, False),
        # Dropouts divided by ten times the enrolment in one year: a rate ten times too small.
        Decoy("dropout_denominator", "dropout_rate", "2564", "platform", 0.1, False),
        # A round figure jumped by 60 %: budget disbursement of the last complete 6-month round.
        Decoy("jump", "budget_disbursement_rate", round_key(*PAST_ROUNDS[-1 if PAST_ROUNDS[-1][1] == 6 else -2]),
              "platform", 1.6, False),
    ]  # fmt: skip
    decoy = options[rank % len(options)]
    domain = SPEC[decoy.indicator].domain
    if domain in strong:  # a decoy looks strong only because of its data: never truly strong there
        strong.remove(domain)
    return decoy


# --- context from the generated schools ----------------------------------------------------------


@dataclass(frozen=True)
class EsaContext:
    """What the generated schools say about an ESA today (AY 2569), read by the writer."""

    students: int
    teachers: int
    schools: int  # with learners
    small: int  # schools with 1–120 learners
    short: int  # schools above the learners-per-teacher norm
    takers_p6: int
    takers_m3: int
    takers_m6: int
    p1: int
    p3: int
    dltv_schools: int

    @property
    def small_share(self) -> float:
        return self.small / self.schools if self.schools else 0.0


GRADES = ("K1", "K2", "K3", "P1", "P2", "P3", "P4", "P5", "P6", "M1", "M2", "M3", "M4", "M5", "M6")


def per_grade(school: SchoolKey, grade: str) -> int:
    """Learners in one grade of a school (its learners spread evenly over its grades; kindergarten
    counts for less)."""
    lo, hi = GRADES.index(school.lowest_grade), GRADES.index(school.highest_grade)
    index = GRADES.index(grade)
    if not lo <= index <= hi:
        return 0
    weights = [0.7 if g.startswith("K") else 1.0 for g in GRADES[lo : hi + 1]]
    return int(school.students * (0.7 if grade.startswith("K") else 1.0) / sum(weights))


def esa_context(schools: Iterable[SchoolKey], teachers: Mapping[str, int]) -> EsaContext:
    """Sum one ESA's schools (``teachers`` by school code)."""
    students = teach = count = small = short = p6 = m3 = m6 = p1 = p3 = dltv = 0
    for s in schools:
        students += s.students
        t = teachers.get(s.code, 0)
        teach += t
        if s.students <= 0:
            continue
        count += 1
        norm = 25 if s.esa_type == "primary" else 30
        small += s.students <= 120
        short += t == 0 or s.students / t > norm
        p6 += per_grade(s, "P6")
        m3 += per_grade(s, "M3")
        m6 += per_grade(s, "M6")
        p1 += per_grade(s, "P1")
        p3 += per_grade(s, "P3")
        dltv += s.esa_type == "primary" and s.students <= 120
    return EsaContext(students, teach, count, small, short, p6, m3, m6, p1, p3, dltv)


# --- the latent value of an indicator ------------------------------------------------------------


def _covid(t: float) -> bool:
    return COVID_YEAR - 0.1 <= t < COVID_YEAR + 1


def practice_slope(traits: EsaTraits, code: str, t: float) -> float:
    """Sum of the practice effects acting at time ``t`` (per year)."""
    return sum(
        PRACTICE[a.practice].effects.get(code, 0.0) * a.strength for a in traits.adoptions if t >= a.start
    )


def true_slope(traits: EsaTraits, code: str) -> float:
    """The true trend of the indicator for the ESA once every adopted practice acts (per year):
    national + exogenous + practice effects. Zero for most pairs."""
    spec = SPEC[code]
    practices = sum(PRACTICE[a.practice].effects.get(code, 0.0) * a.strength for a in traits.adoptions)
    return round(spec.national_slope + traits.exogenous.get(code, 0.0) + practices, 4)


def expected(spec: Spec, traits: EsaTraits, ctx: EsaContext, t: float, months: int = 12) -> float | None:
    """The ESA's value at time ``t`` without noise (None when the indicator does not apply)."""
    esa_type = traits.key.esa_type
    if esa_type not in spec.base:
        return None
    base = spec.m6[esa_type] if spec.m6 is not None and months <= 6 else spec.base[esa_type]
    cumulative = 0.5 if spec.m6 is not None and months <= 6 else 1.0  # half a year's worth by m6
    v = base + spec.region.get(traits.group, 0.0) + spec.small_coef * (ctx.small_share - 0.5)
    v += traits.effects[spec.code] * spec.sd_between * cumulative
    if spec.domain in traits.strong:
        v += spec.direction * STRONG_OFFSET * spec.sd_between * cumulative
    if spec.domain in traits.weak:
        v -= spec.direction * WEAK_OFFSET * spec.sd_between * cumulative
    v += (spec.national_slope + traits.exogenous.get(spec.code, 0.0)) * (t - 2566)
    for a in traits.adoptions:
        effect = PRACTICE[a.practice].effects.get(spec.code, 0.0)
        if effect and t > a.start:
            v += effect * a.strength * (t - a.start) * cumulative
    if _covid(t):
        v += spec.covid
    for shock in traits.shocks:
        hit = (shock.kind == "dip" and shock.year <= t < shock.year + 1) or (
            shock.kind == "step" and t >= shock.year
        )
        if spec.domain == shock.domain and hit:
            v -= (spec.direction or 1) * shock.size * spec.sd_noise
    return v


def clip(spec: Spec, v: float) -> float:
    return round(min(spec.hi, max(spec.lo, v)), spec.decimals)


def months_of(period: str, kind: str) -> int:
    return int(period.partition("/m")[2]) if kind == "round" else 12


def esa_series(seed: int, traits: EsaTraits, ctx: EsaContext, spec: Spec) -> dict[str, float]:
    """The ESA's values of one indicator for every period of the spec (catalogue units; noise from
    the ESA's own stream for this indicator, in period order)."""
    rng = random.Random(f"{seed}:monitoring:series:{traits.code}:{spec.code}")
    out: dict[str, float] = {}
    for period in spec.periods:
        noise = rng.gauss(0.0, spec.sd_noise)
        v = expected(spec, traits, ctx, tau(period, spec.kind), months_of(period, spec.kind))
        if v is not None:
            out[period] = clip(spec, v + noise)
    return out


# --- context series (enrolment and what follows from the schools) --------------------------------


def enrolment_at(traits: EsaTraits, ctx: EsaContext, year: int) -> int:
    """Learners on 10 June of ``year`` (BE), back-cast from today's count with the ESA's trend."""
    return max(1, round(ctx.students * (1 + traits.enrolment_growth) ** (year - 2569)))


@dataclass(frozen=True)
class Cell:
    """One stored figure: value (catalogue unit), numerator and denominator."""

    value: float | None
    numerator: float | None
    denominator: float | None


def denominator(spec: Spec, traits: EsaTraits, ctx: EsaContext, period: str) -> float | None:
    """The count behind a rate at the period (None when there is none)."""
    year = round(tau(period, spec.kind) + 0.25) if spec.kind != "year" else int(period)
    ratio = enrolment_at(traits, ctx, min(year, 2569)) / max(1, ctx.students)
    kind = spec.den
    counts = {
        "enrolment": float(enrolment_at(traits, ctx, min(year, 2569))),
        "days": float(enrolment_at(traits, ctx, min(year, 2569)) * 190),
        "cohort": 1000.0,
        "population": float(round(enrolment_at(traits, ctx, min(year, 2569)) * 1.05)),
        "takers_p6": float(round(ctx.takers_p6 * ratio)),
        "takers_m3": float(round(ctx.takers_m3 * ratio)),
        "takers_m6": float(round(ctx.takers_m6 * ratio)),
        "p1": float(round(ctx.p1 * ratio)),
        "p3": float(round(ctx.p3 * ratio)),
        "schools": float(ctx.schools),
        "dltv_schools": float(ctx.dltv_schools),
        "budget": float(round(ctx.students * 2500 + ctx.schools * 150_000, -3)),
    }
    value = counts.get(kind)
    return value if value else None


def cell_of(spec: Spec, value: float, den: float | None) -> Cell:
    """Numerator from value and denominator; person counts are whole and the value follows them."""
    if den is None:
        return Cell(value, None, None)
    num = value * den / spec.factor
    if spec.den in ("enrolment", "population", "p1", "schools", "dltv_schools") and spec.factor == 100.0:
        num = float(round(num))
        value = round(num / den * spec.factor, 6)
    return Cell(value, round(num, 4), den)


def context_series(seed: int, traits: EsaTraits, ctx: EsaContext) -> dict[str, dict[str, Cell]]:
    """Enrolment, gender parity, small schools, teacher shortage and pupil–teacher ratio per
    period: today's figures from the generated schools, earlier years back-cast (fewer learners
    each year; the share of small schools grows by about 0.6 points a year)."""
    rng = random.Random(f"{seed}:monitoring:context:{traits.code}")
    out: dict[str, dict[str, Cell]] = {c: {} for c in CONTEXT_CODES}
    female_share = 0.487 if traits.key.esa_type == "primary" else 0.515
    female_share += rng.gauss(0.0, 0.006)
    for period in CENSUS:
        year = int(period[:4])
        e = enrolment_at(traits, ctx, year)
        if year != 2569:
            e = max(1, round(e * (1 + rng.gauss(0.0, 0.003))))
        out["enrolment"][period] = Cell(float(e), float(e), None)
        f = round(e * (female_share + rng.gauss(0.0, 0.002)))
        m = max(1, e - f)
        gpi = f / m
        adjusted = gpi if gpi <= 1 else 2 - 1 / gpi
        out["adjusted_gpi_enrolment"][period] = Cell(round(adjusted, 6), float(f), float(m))
        if ctx.schools:
            share = ctx.small / ctx.schools - 0.006 * (2569 - year)
            small = (
                ctx.small
                if year == 2569
                else round(min(1.0, max(0.0, share + rng.gauss(0, 0.003))) * ctx.schools)
            )
            out["small_school_share"][period] = Cell(round(small / ctx.schools * 100, 6), float(small), float(ctx.schools))  # fmt: skip
            short = ctx.short if year == 2569 else min(ctx.schools, max(0, ctx.short + round(rng.gauss(0, 0.02) * ctx.schools)))  # fmt: skip
            out["teacher_shortage_rate"][period] = Cell(round(short / ctx.schools * 100, 6), float(short), float(ctx.schools))  # fmt: skip
    for period in YEARS:
        year = int(period)
        e = enrolment_at(traits, ctx, year)
        t = max(1, round(ctx.teachers * (1 - 0.005) ** (year - 2569) * (1 + rng.gauss(0, 0.004))))
        if ctx.teachers:
            out["pupil_teacher_ratio"][period] = Cell(round(e / t, 6), float(e), float(t))
    return out


def children_returned(traits: EsaTraits, ctx: EsaContext, per_1000: float) -> int:
    return max(0, round(per_1000 * ctx.students / 1000))


# --- reports: fates, edits, reviews ---------------------------------------------------------------


@dataclass(frozen=True)
class Fate:
    """What happened to one ESA's report in one round."""

    status: str  # final status (past: locked | draft = never submitted)
    missing: bool = False
    late: bool = False
    returned_first: bool = False  # returned once, then approved
    submitted_day: int = 0  # days relative to the due date (negative = before)
    review_lag: int = 0  # days from submission to the review's start
    decision_lag: int = 0  # days from the review's start to the decision
    resubmit_lag: int = 0  # days from a return to the second submission


CURRENT_STATES = ("draft", "submitted", "in_review", "returned", "approved")
CURRENT_SHARES = (0.38, 0.22, 0.18, 0.07, 0.15)


def past_fate(seed: int, traits: EsaTraits, fy: int, months: int) -> Fate:
    rng = random.Random(f"{seed}:monitoring:fate:{traits.code}:{fy}:{months}")
    u_missing, u_late, u_return = rng.random(), rng.random(), rng.random()
    lack = 1 - traits.diligence
    review_lag, decision_lag, resubmit = rng.randint(2, 12), rng.randint(1, 6), rng.randint(2, 7)
    early, late_by = rng.randint(-14, 0), rng.randint(1, 25)
    decoy = traits.decoy
    caught = decoy is not None and decoy.caught and decoy.period == round_key(fy, months)
    if traits.code != HOME_ESA_CODE and not caught and u_missing < 0.02 + 0.06 * lack**3:
        return Fate("draft", missing=True)
    late = u_late < 0.05 + 0.25 * lack**2
    returned = caught or u_return < 0.05
    return Fate("locked", late=late, returned_first=returned, submitted_day=late_by if late else early,
                review_lag=review_lag, decision_lag=decision_lag, resubmit_lag=resubmit)  # fmt: skip


def current_states(seed: int, traits_list: Sequence[EsaTraits]) -> dict[str, str]:
    """The open round's state per ESA: the more diligent an ESA, the further along its report.
    The personas' ESA is a draft its director can finish."""
    ranked = sorted(
        (t for t in traits_list if t.code != HOME_ESA_CODE),
        key=lambda t: -(t.diligence + 0.5 * _unit(seed, "current", t.code)),
    )
    # Furthest along first: approved, in review, returned, submitted, then drafts.
    order = ("approved", "in_review", "returned", "submitted", "draft")
    shares = dict(zip(CURRENT_STATES, CURRENT_SHARES, strict=True))
    states: dict[str, str] = {}
    start = 0
    for n, state in enumerate(order):
        count = len(ranked) - start if n == len(order) - 1 else round(shares[state] * len(ranked))
        for t in ranked[start : start + count]:
            states[t.code] = state
        start += count
    if any(t.code == HOME_ESA_CODE for t in traits_list):
        states[HOME_ESA_CODE] = "draft"
    return states


def reviewer_picks(seed: int, codes: Iterable[str], count: int = 30) -> list[str]:
    """The reports of the open round assigned to the ``reviewer`` persona (by a stable hash)."""
    return sorted(codes, key=lambda c: _unit(seed, "reviewer", c))[:count]


# --- school-level outcomes -------------------------------------------------------------------------


def school_group(school: SchoolKey) -> str:
    """The structural group a school model belongs to."""
    if school.esa_type == "secondary":
        return "secondary"
    return "primary_small" if school.size_band == "small" else "primary_other"


@functools.lru_cache(maxsize=65536)
def school_tests(school: SchoolKey) -> tuple[tuple[str, int], ...]:
    """(O-NET indicator, test takers) for the grades the school ends a stage with."""
    out = []
    for code, grade in (("onet_mean_p6", "P6"), ("onet_mean_m3", "M3"), ("onet_mean_m6", "M6")):
        takers = per_grade(school, grade)
        if takers > 0:
            out.append((code, takers))
    return tuple(out)


@dataclass(frozen=True)
class SchoolPlan:
    deviant: str | None  # the school model it practises (a positive deviant), or None
    decoy_year: str | None  # a year whose value is a typo (planted bad data)
    effect: float  # the school's own persistent level, O-NET points


@functools.lru_cache(maxsize=65536)
def school_plan(seed: int, school: SchoolKey) -> SchoolPlan:
    rng = random.Random(f"{seed}:monitoring:school:{school.code}")
    u, decoy_u, year_u, effect = rng.random(), rng.random(), rng.random(), rng.gauss(0.0, 2.5)
    tests = school_tests(school)
    eligible = bool(tests) and max(t for _, t in tests) >= 5
    deviant = None
    if eligible and u < SCHOOL_DEVIANT_SHARE:
        group = school_group(school)
        deviant = next(m.key for m in SCHOOL_MODELS if m.group == group)
    decoy = None
    if eligible and deviant is None and decoy_u < SCHOOL_DECOY_SHARE:
        decoy = SCHOOL_YEARS[-3:][min(2, int(year_u * 3))]
    return SchoolPlan(deviant, decoy, effect)


SIZE_EFFECT = {"small": -2.0, "medium": 0.0, "large": 1.5, "extra_large": 3.0}


def school_values(
    seed: int, school: SchoolKey, plan: SchoolPlan, code: str, esa_values: Mapping[str, float]
) -> dict[str, float]:
    """A school's O-NET means per year around its ESA's value (before the ESA-level adjustment that
    makes the takers-weighted mean equal the ESA's figure)."""
    rng = random.Random(f"{seed}:monitoring:school:{school.code}:{code}")
    takers = dict(school_tests(school)).get(code, 0)
    noise_sd = 2.0 + 6.0 / math.sqrt(max(takers, 1))
    out = {}
    for year in SCHOOL_YEARS:
        noise = rng.gauss(0.0, noise_sd)
        if year not in esa_values or not takers:
            continue
        v = (
            esa_values[year]
            + SIZE_EFFECT.get(school.size_band, 0.0)
            + (1.0 if school.area_type == "urban" else 0.0)
        )
        v += plan.effect + noise
        if plan.deviant is not None:
            v += SCHOOL_DEVIANT_BOOST
        out[year] = v
    return out


# --- works and claims -----------------------------------------------------------------------------

SUPPORT_MIN = 0.25  # a claimed trend counts as real from a quarter of a noise SD per year


def claim_label(traits: EsaTraits, code: str) -> str:
    """supported | unsupported | no_data for a claim that ``code`` improved in the ESA."""
    spec = SPEC.get(code)
    if spec is None or not applies(spec, traits.key.esa_type):
        return "no_data"
    slope = true_slope(traits, code)
    good = spec.direction * slope
    return "supported" if good >= SUPPORT_MIN * spec.sd_noise else "unsupported"


# --- targets --------------------------------------------------------------------------------------

TARGET_CODES = (
    "dropout_rate", "attendance_rate", "out_of_school_rate", "onet_mean_p6", "onet_mean_m3", "onet_mean_m6",
    "nt_mean_p3", "rt_mean_p1", "reading_literacy_rate", "budget_disbursement_rate", "internet_coverage_rate",
    "supervision_coverage", "action_plan_completion", "teacher_pd_hours",
)  # fmt: skip
TARGET_AREA_CODES = ("reading_literacy_rate", "dropout_rate")


def targets() -> list[tuple[str, int, str, float, str]]:
    """(indicator, fiscal year, peer group, value, note) for every fiscal year: a default for all
    ESAs and one per ESA type, a little better than the type's typical level and following the
    national trend; the target areas get a stiffer target on reading and dropout. Values in the
    catalogue's unit (a 12-month figure for cumulative indicators)."""
    out = []
    for fy in FISCAL_YEARS:
        t = fy - 0.25
        for code in TARGET_CODES:
            spec = SPEC[code]
            by_type = {}
            for esa_type, base in spec.base.items():
                value = base + spec.direction * 0.3 * spec.sd_between + spec.national_slope * (t - 2566)
                by_type[esa_type] = round(min(spec.hi, max(spec.lo, value)), spec.decimals)
            default = round(sum(by_type.values()) / len(by_type), spec.decimals)
            out.append((code, fy, "", default, "เป้าหมายทั่วไป / default target"))
            for esa_type, value in sorted(by_type.items()):
                out.append((code, fy, f"esa_type={esa_type}", value, f"เป้าหมายกลุ่ม / peer group {esa_type}"))
            if code in TARGET_AREA_CODES:
                stiff = round(default + spec.direction * 0.5 * spec.sd_between, spec.decimals)
                out.append((code, fy, "target_area", stiff, "เป้าหมายเขตพื้นที่เป้าหมาย / target areas"))
    return out
