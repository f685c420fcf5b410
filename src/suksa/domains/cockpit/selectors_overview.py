"""What the executive overview (``/cockpit/``) reads: the nation's (or an inspector's region's) key
indicators against targets, the tile map's values, top movers, open alerts, round status and the
latest published brief.

Everything except the live counts comes from the run's precomputed :class:`Figure` and
:class:`Summary` rows, so the page reads a bounded number of rows with a constant number of
queries whatever the number of ESAs, schools or figures (issue 6, "speed"):

- the run and summary (:func:`cockpit_state`), the catalogue, the scope unit's key figures, the
  chosen indicator's province or ESA figures: one query each;
- open alerts by severity and status: one grouped count over the round's alerts in scope;
- round status: one grouped count over the round's reports in scope and one count of the ESAs
  that owe one;
- the latest published brief: one query.

Scope: national roles see the nation; an inspector (insights scope on a region) sees their region —
its key figures, its provinces and ESAs, the movers among its ESAs, its alerts and reports. ESA
roles have no overview (the view sends them to their ESA's page).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length
from django.utils import timezone

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, Problem
from suksa.core.models import OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.cockpit.models import Figure, Level
from suksa.domains.cockpit.selectors import CockpitState, cockpit_state, figures_visible, home_unit
from suksa.domains.insights.models import Brief
from suksa.domains.insights.models.choices import AlertSeverity, AlertStatus, BriefStatus
from suksa.domains.insights.selectors_alerts import alerts_visible
from suksa.domains.insights.selectors_briefs import briefs_visible
from suksa.domains.monitoring.models import Indicator, Report, Round
from suksa.domains.monitoring.models.choices import ReportStatus

LEVELS = (Level.PROVINCE.value, Level.ESA.value)
OPEN_STATUSES = (AlertStatus.NEW.value, AlertStatus.ACKNOWLEDGED.value, AlertStatus.ACTION.value)
SEVERITIES = tuple(AlertSeverity.values)
RECEIVED = (ReportStatus.SUBMITTED, ReportStatus.IN_REVIEW, ReportStatus.APPROVED, ReportStatus.LOCKED)
MOVERS_SHOWN = 5

# --- labels an executive reads -------------------------------------------------------------------

# Where a number comes from, by producer or dataset (``Indicator.source``): the office, then the
# system, Thai / English.
SOURCE_NAMES: dict[str, tuple[str, str]] = {
    "niets_onet": ("สทศ. ผลการทดสอบ O-NET", "NIETS O-NET results"),
    "obec_nt": ("สพฐ. ผลการประเมิน NT", "OBEC National Test (NT)"),
    "obec_rt": ("สพฐ. ผลการประเมินการอ่าน RT", "OBEC Reading Test (RT)"),
    "gfmis": ("กรมบัญชีกลาง ระบบ GFMIS", "Comptroller General's GFMIS"),
    "connectivity": ("ระบบติดตามการเชื่อมต่ออินเทอร์เน็ต", "Connectivity monitor"),
    "dltv": ("มูลนิธิการศึกษาทางไกลผ่านดาวเทียม (DLTV)", "Distance Learning Foundation (DLTV)"),
    "moe_safety": ("ศูนย์ความปลอดภัย กระทรวงศึกษาธิการ", "MoE Safety Center"),
    "eef_isee": ("กสศ. ระบบ iSEE", "EEF iSEE"),
    "students.indicators": ("ทะเบียนนักเรียนในระบบ", "the platform's learner records"),
    "monitoring.platform": ("ข้อมูลโรงเรียนในระบบ", "the platform's school profiles"),
}
KIND_NOTES: dict[str, tuple[str, str]] = {
    "imported": ("นำเข้า", "imported"),
    "computed": ("คำนวณ", "computed"),
    "reported": ("สพท. รายงาน", "reported by the ESAs"),
}
UNIT_SUFFIX: dict[str, tuple[str, str]] = {
    "percent": ("%", "%"),
    "score": (" คะแนน", " points"),
    "persons": (" คน", " persons"),
    "hours": (" ชม.", " h"),
    "per_10k": (" ต่อ 10,000 คน", " per 10,000"),
    "ratio": (" : 1", " : 1"),
    "count": ("", ""),
    "index": ("", ""),
}
UNIT_DIGITS: dict[str, int] = {"score": 2, "index": 2, "persons": 0, "count": 0}
CENSUS_DAYS: dict[str, tuple[str, str]] = {
    "jun10": ("10 มิ.ย.", "10 Jun"),
    "nov10": ("10 พ.ย.", "10 Nov"),
    "year_end": ("สิ้นปีการศึกษา", "year end"),
}
# Symbols as in the cockpit's tables (``interfaces/web/tables.py``): never colour alone.
LIGHT_TEXT: dict[str, tuple[str, str, str]] = {  # symbol, Thai, English
    "green": ("●", "บรรลุเป้าหมาย", "On target"),
    "amber": ("◐", "ใกล้เป้าหมาย", "Near target"),
    "red": ("○", "ต่ำกว่าเป้าหมาย", "Off target"),
    "none": ("–", "ไม่มีเป้าหมาย", "No target"),
}
ARROW_TEXT: dict[str, tuple[str, str, str]] = {
    "up": ("↑", "เพิ่มขึ้น", "Rising"),
    "down": ("↓", "ลดลง", "Falling"),
    "flat": ("→", "คงที่", "Flat"),
    "none": ("·", "ข้อมูลไม่พอ", "Too few points"),
}


def period_label(period: str, kind: str) -> tuple[str, str]:
    """A period key in words: ``2568`` (year) → ``ปีการศึกษา 2568``; ``2569/m12`` → ``รอบ 12 เดือน
    ปีงบประมาณ 2569``; ``2569/jun10`` → ``ข้อมูล ณ 10 มิ.ย. 2569``."""
    if not period:
        return "", ""
    head, _, tail = period.partition("/")
    if tail.startswith("m") and tail[1:].isdigit():
        return (f"รอบ {tail[1:]} เดือน ปีงบประมาณ {head}", f"{tail[1:]}-month round, fiscal year {head}")
    if tail in CENSUS_DAYS:
        th, en = CENSUS_DAYS[tail]
        return (f"ข้อมูล ณ {th} {head}", f"as of {en} {head}")
    if kind == "fiscal_year":
        return f"ปีงบประมาณ {period}", f"fiscal year {period}"
    if kind in ("year", "census") and period.isdigit():
        return f"ปีการศึกษา {period}", f"academic year {period}"
    return period, period


def value_text(value: float | None, unit: str, language: str = "th") -> str:
    if value is None:
        return "–"
    th, en = UNIT_SUFFIX.get(unit, ("", ""))
    digits = UNIT_DIGITS.get(unit, 1)
    return f"{value:,.{digits}f}{en if language == 'en' else th}"


def change_text(change: float | None, unit: str) -> str:
    if change is None:
        return "–"
    digits = UNIT_DIGITS.get(unit, 1)
    text = f"{change:+,.{digits}f}"
    return text.replace("-", "−")


@dataclass(frozen=True)
class IndicatorMeta:
    code: str
    name_th: str
    name_en: str
    unit: str
    direction: str
    source_kind: str
    source: dict[str, Any]

    @property
    def period_kind(self) -> str:
        if self.source_kind == "reported":
            return "round"
        return str(self.source.get("period", "year"))

    @property
    def source_name(self) -> tuple[str, str]:
        key = str(self.source.get("dataset") or self.source.get("producer") or "")
        if key in SOURCE_NAMES:
            return SOURCE_NAMES[key]
        if self.source_kind == "reported":
            return "รายงานการติดตามของ สพท.", "the ESAs' monitoring reports"
        return key or "–", key or "–"


def indicator_catalogue() -> dict[str, IndicatorMeta]:
    """The current catalogue (one query)."""
    return {
        row[0]: IndicatorMeta(*row)
        for row in Indicator.objects.filter(is_current=True)
        .order_by("code")
        .values_list("code", "name_th", "name_en", "unit", "direction", "source_kind", "source")
    }


def source_label(figure: Figure, meta: IndicatorMeta | None) -> tuple[str, str]:
    """Where a figure's number comes from, as an executive reads it: "สทศ. ผลการทดสอบ O-NET (นำเข้า)
    ปีการศึกษา 2568"."""
    kind = meta.period_kind if meta is not None else ""
    p_th, p_en = period_label(figure.period, kind)
    src = figure.source or {}
    if src.get("model") == "cockpit.province":
        coverage = src.get("coverage")
        share = f" {coverage * 100:.0f}%" if isinstance(coverage, int | float) else ""
        base_th = f"ค่าเฉลี่ยถ่วงน้ำหนักตามจำนวนนักเรียนของ สพท. ในจังหวัด (ครอบคลุม{share})"
        base_en = f"learner-weighted mean of the province's ESAs (coverage{share})"
        if meta is not None:
            name_th, name_en = meta.source_name
            base_th, base_en = f"{base_th} จาก{name_th}", f"{base_en}, from {name_en}"
        return f"{base_th} {p_th}".strip(), f"{base_en}, {p_en}".strip(", ")
    if meta is None:
        return p_th, p_en
    name_th, name_en = meta.source_name
    note_th, note_en = KIND_NOTES.get(meta.source_kind, ("", ""))
    th = f"{name_th}" + (f" ({note_th})" if note_th else "") + f" {p_th}"
    en = f"{name_en}" + (f" ({note_en})" if note_en else "") + f", {p_en}"
    return th.strip(), en.strip(", ")


def source_ref(figure: Figure) -> str:
    """The stored record behind a number (for the curious: ``core.IndicatorValue #123``)."""
    src = figure.source or {}
    model = str(src.get("model", ""))
    if "id" in src:
        return f"{model} #{src['id']}"
    if model == "cockpit.province":
        esas = src.get("esas") or []
        return f"{model} · {len(esas)} สพท./ESAs"
    return model


# --- the overview -------------------------------------------------------------------------------


@dataclass
class Card:
    """One key indicator of the scope unit."""

    meta: IndicatorMeta
    figure: Figure | None


@dataclass
class AreaRow:
    """One province (or ESA) on the tile map for the chosen indicator."""

    key: str  # province code or ESA code
    province_code: str
    name_th: str
    name_en: str
    figure: Figure
    unit_id: int | None = None  # ESA rows: the ESA (for its cockpit page)
    province_name_th: str = ""
    province_name_en: str = ""


@dataclass
class AlertCounts:
    """Open alerts (not resolved) of the round in scope: severity → status → n."""

    cells: dict[str, dict[str, int]]

    def row_total(self, severity: str) -> int:
        return sum(self.cells.get(severity, {}).values())

    @property
    def total(self) -> int:
        return sum(self.row_total(s) for s in SEVERITIES)


@dataclass
class RoundStatus:
    round: Round
    expected: int  # ESAs that owe a report
    received: int  # handed in (submitted or further)
    on_time: int
    with_esa: int  # drafts and returned reports
    today: dt.date

    @property
    def late(self) -> int:
        return self.received - self.on_time

    @property
    def missing(self) -> int:
        return max(self.expected - self.received, 0)

    @property
    def completeness(self) -> float | None:
        return self.received / self.expected if self.expected else None

    @property
    def timeliness(self) -> float | None:
        return self.on_time / self.expected if self.expected else None

    @property
    def past_due(self) -> bool:
        return self.today > self.round.due_on


@dataclass
class Overview:
    state: CockpitState
    scope: OrgUnit | None  # None: the nation; else the inspector's region
    catalogue: dict[str, IndicatorMeta]
    indicator: str
    level: str
    cards: list[Card] = field(default_factory=list)
    areas: list[AreaRow] = field(default_factory=list)
    movers: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    alerts: AlertCounts | None = None
    status: RoundStatus | None = None
    brief: Brief | None = None
    available: list[str] = field(default_factory=list)  # indicators with figures at the map's level

    @property
    def national(self) -> bool:
        return self.scope is None

    @property
    def chosen(self) -> IndicatorMeta | None:
        return self.catalogue.get(self.indicator)


def _problem(field: str, th: str, en: str) -> Problem:
    return Problem(code="invalid_filter", th=th, en=en, field=field)


def check_level(level: str) -> str:
    if level and level not in LEVELS:
        allowed = ", ".join(LEVELS)
        raise InvalidInput(
            [
                _problem(
                    "level",
                    f"ระดับของแผนที่ (level) ไม่ถูกต้อง ใช้ได้: {allowed}",
                    f"Invalid map level (level); use one of: {allowed}",
                )
            ]
        )
    return level or Level.PROVINCE.value


def check_indicator(code: str, catalogue: dict[str, IndicatorMeta]) -> str:
    if code and code not in catalogue:
        raise InvalidInput(
            [
                _problem(
                    "indicator",
                    f"ตัวชี้วัด (indicator) ไม่ถูกต้อง: ไม่มีรหัส {code[:60]} ในแค็ตตาล็อก",
                    f"Invalid indicator: no catalogue code {code[:60]}",
                )
            ]
        )
    return code


def overview_scope(actor: Actor) -> OrgUnit | None:
    """None for national roles; else the unit whose overview the actor gets (a region) or whose
    unit page they are sent to (an ESA). Raises ``NotFoundOrNoAccess`` without any insights scope."""
    if actor.can_nationally(Perm.INSIGHTS_VIEW):
        return None
    unit = home_unit(actor)
    if unit is None:
        raise NotFoundOrNoAccess.default()
    return unit


def overview(
    actor: Actor,
    *,
    scope: OrgUnit | None,
    round_id: int | None,
    indicator: str = "",
    level: str = "",
    figures: bool = True,
) -> Overview:
    """The overview of the nation (``scope`` None) or of the region ``scope`` for ``actor``.

    With ``figures=False`` only the live parts are read (alerts, round status, latest brief) and
    the chosen indicator is settled; :func:`fill_figures` reads the rest (the page does that only
    when its cached fragments are missing). Raises ``InvalidInput`` naming the field for an unknown
    round, indicator or level.
    """
    level = check_level(level)
    try:
        state = cockpit_state(round_id)
    except NotFoundOrNoAccess:
        raise InvalidInput(
            [
                _problem(
                    "round",
                    f"รอบการรายงาน (round) ไม่ถูกต้อง: ไม่มีรอบรหัส {round_id}",
                    f"Invalid round: no round with id {round_id}",
                )
            ]
        ) from None
    catalogue = indicator_catalogue()
    indicator = check_indicator(indicator, catalogue)
    ov = Overview(state=state, scope=scope, catalogue=catalogue, indicator=indicator, level=level)
    if state.round is not None:
        ov.alerts = alert_counts(actor, state.round)
        ov.status = round_status(actor, state.round)
    ov.brief = latest_brief(actor, state.round)
    if state.run is None or state.summary is None:
        return ov
    keys = [k for k in state.summary.key_indicators if isinstance(k, str)]
    if not ov.indicator:
        ov.indicator = keys[0] if keys else ""
    if figures:
        fill_figures(actor, ov)
    return ov


def fill_figures(actor: Actor, ov: Overview) -> None:
    """Read the precomputed figures of ``ov``: cards, the map's areas, movers, available indicators."""
    state, scope, level, catalogue = ov.state, ov.scope, ov.level, ov.catalogue
    if state.run is None or state.summary is None:
        return
    keys = [k for k in state.summary.key_indicators if isinstance(k, str)]
    visible = figures_visible(actor, state.run)
    top_level = Level.NATION if scope is None else Level.REGION
    top = visible.filter(level=top_level, indicator__in=keys)
    if scope is not None:
        top = top.filter(unit=scope)
    by_code = {f.indicator: f for f in top}
    ov.cards = [Card(meta=catalogue[k], figure=by_code.get(k)) for k in keys if k in catalogue]
    ov.available = sorted(
        set(visible.filter(level=level).order_by().values_list("indicator", flat=True).distinct())
    )
    ov.areas = area_rows(visible, scope, ov.indicator, level)
    ov.movers = movers(state.summary.movers, ov.indicator, scope)


def area_rows(visible: QuerySet[Figure], scope: OrgUnit | None, indicator: str, level: str) -> list[AreaRow]:
    """The chosen indicator's province figures, or ESA figures placed in their office's province."""
    if not indicator:
        return []
    rows: list[AreaRow] = []
    if level == Level.PROVINCE:
        qs = visible.filter(level=Level.PROVINCE, indicator=indicator).select_related("province")
        if scope is not None:
            qs = qs.filter(parent=scope)
        for f in qs.order_by("province__code"):
            p = f.province
            if p is None:
                continue
            rows.append(AreaRow(p.code, p.code, p.name_th, p.name_en, f, None, p.name_th, p.name_en))
        return rows
    qs = visible.filter(level=Level.ESA, indicator=indicator).select_related("unit__esa__office_province")
    if scope is not None:
        qs = qs.filter(parent=scope)
    for f in qs.order_by("unit__code"):
        u = f.unit
        if u is None:
            continue
        profile = getattr(u, "esa", None)
        p = profile.office_province if profile is not None else None
        rows.append(
            AreaRow(
                u.code,
                p.code if p else "",
                u.name_th,
                u.name_en,
                f,
                u.pk,
                p.name_th if p else "",
                p.name_en if p else "",
            )
        )
    rows.sort(key=lambda r: (r.province_code, r.key))
    return rows


def movers(
    summary_movers: dict[str, Any], indicator: str, scope: OrgUnit | None
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Top movers up and down of the chosen indicator (``"chosen"``) and across the key indicators
    (``"all"``); for a region, only its own ESAs (one query for their ids)."""
    allowed: set[int] | None = None
    if scope is not None:
        allowed = set(
            OrgUnit.objects.filter(parent=scope, kind=OrgUnit.Kind.ESA).values_list("pk", flat=True)
        )
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for name, key in (("chosen", indicator), ("all", "all")):
        entry = summary_movers.get(key) or {}
        out[name] = {
            way: [
                m
                for m in entry.get(way) or []
                if isinstance(m, dict) and (allowed is None or m.get("unit_id") in allowed)
            ][:MOVERS_SHOWN]
            for way in ("up", "down")
        }
    return out


def alert_counts(actor: Actor, rnd: Round) -> AlertCounts:
    """Open alerts of the round visible to the actor, by severity and status (one query)."""
    cells: dict[str, dict[str, int]] = defaultdict(dict)
    for severity, status, n in (
        alerts_visible(actor)
        .filter(round=rnd, status__in=OPEN_STATUSES)
        .values("severity", "status")
        .annotate(n=Count("pk"))
        .values_list("severity", "status", "n")
        .order_by()
    ):
        cells[severity][status] = n
    return AlertCounts(cells=dict(cells))


def round_status(actor: Actor, rnd: Round, today: dt.date | None = None) -> RoundStatus | None:
    """Completeness and timeliness of the round's reports in scope (two queries), or None without
    ``report.view``. A report is on time when handed in by the end of its due day (local time)."""
    if not actor.can_anywhere(Perm.REPORT_VIEW):
        return None
    day = today or timezone.localdate()
    expected = (
        OrgUnit.objects.filter(kind=OrgUnit.Kind.ESA, is_active=True)
        .filter(actor.scope_q(Perm.REPORT_VIEW, "path"))
        .count()
    )
    deadline = timezone.make_aware(dt.datetime.combine(rnd.due_on + dt.timedelta(days=1), dt.time.min))
    received_q = Q(status__in=RECEIVED)
    counts = (
        Report.objects.filter(round=rnd, esa__kind=OrgUnit.Kind.ESA, esa__is_active=True)
        .filter(actor.scope_q(Perm.REPORT_VIEW, "esa__path"))
        .aggregate(
            received=Count("pk", filter=received_q),
            on_time=Count("pk", filter=received_q & Q(submitted_at__lt=deadline)),
            with_esa=Count("pk", filter=Q(status__in=(ReportStatus.DRAFT, ReportStatus.RETURNED))),
        )
    )
    return RoundStatus(
        round=rnd,
        expected=expected,
        received=counts["received"] or 0,
        on_time=counts["on_time"] or 0,
        with_esa=counts["with_esa"] or 0,
        today=day,
    )


def latest_brief(actor: Actor, rnd: Round | None) -> Brief | None:
    """The latest published brief the actor may read: of the round first, then the broadest unit
    (the nation's before a region's), then the most recently published (one query)."""
    qs = briefs_visible(actor).filter(status=BriefStatus.PUBLISHED)
    this_round = (
        Case(When(round=rnd, then=Value(0)), default=Value(1), output_field=IntegerField())
        if rnd is not None
        else Value(0, output_field=IntegerField())
    )
    return (
        qs.annotate(this_round=this_round, depth=Length("unit__path"))
        .order_by("this_round", "depth", "-published_at", "-pk")
        .first()
    )


_GROUP_WORDS: dict[str, tuple[str, str]] = {
    "primary": ("สพท. ประถมศึกษา", "primary ESAs"),
    "secondary": ("สพท. มัธยมศึกษา", "secondary ESAs"),
    "bangkok": ("กรุงเทพมหานคร", "Bangkok"),
    "central": ("ภาคกลาง", "the Central region"),
    "south": ("ภาคใต้", "the South"),
    "deep_south": ("จังหวัดชายแดนภาคใต้", "the Deep South"),
    "east": ("ภาคตะวันออก", "the East"),
    "northeast": ("ภาคตะวันออกเฉียงเหนือ", "the North-East"),
    "north": ("ภาคเหนือ", "the North"),
    "other": ("อื่น ๆ", "other"),
    "region": ("เขตตรวจราชการทั้งหมด", "all inspection regions"),
}


def peer_group_words(group: str) -> tuple[str, str]:
    """A peer group key in words: ``esa_type=primary`` → ``สพท. ประถมศึกษา``; the strengths stage's
    ``primary|northeast`` → ``สพท. ประถมศึกษา · ภาคตะวันออกเฉียงเหนือ``; unknown parts stay as given."""
    parts = [p.partition("=")[2] or p for p in group.replace("|", " ").replace(",", " ").split()]
    words = [_GROUP_WORDS.get(p, (p, p)) for p in parts]
    return " · ".join(w[0] for w in words), " · ".join(w[1] for w in words)
