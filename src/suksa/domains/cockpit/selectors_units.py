"""The read model of the cockpit's unit dashboards: an inspection region, an ESA or a school.

One call, :func:`unit_dashboard`, gathers what a unit's page (and its PDF) shows from the run's
precomputed :class:`~suksa.domains.cockpit.models.Figure` rows and a few live, ESA-sized tables,
with a number of queries that does not grow with the number of schools:

- the unit's own figures (key indicators against targets and peers), the chosen indicator's
  figures of the unit, its parent and the nation (the trend chart), and of its sub-units (a
  region's ESAs, an ESA's schools) in the actor's scope;
- peer comparison: for a region the other regions' figures the actor may see (a scoped actor sees
  only the peer aggregates held in ``Figure.peer``); for an ESA its context-adjusted strengths
  (``insights.Strength``); for a school its observed against expected O-NET
  (``insights.SchoolDeviance``);
- the ESA self-view: schools at risk (the rule below), the round's report status, verified
  outstanding works with the insights work check, open alerts.

Schools at risk (issue 6 item 5; the rule is shown on the page): a school is listed when any of

1. an O-NET test is well below what schools of its structural group score: the school-models
   stage's z ≤ ``RISK_Z`` with data that passed the checks (that stage stores positive deviants and
   near misses only, so this fires only when a future run stores low scorers too);
2. an O-NET test is falling: its trend is down and significant, or it fell by at least
   ``RISK_DROP`` points since the previous year;
3. it has learners and no teacher, or more than ``RISK_PTR`` learners per teacher.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from suksa.core.errors import InvalidInput, Problem
from suksa.core.models import OrgUnit, School
from suksa.core.policy import Actor, Perm
from suksa.domains.cockpit.models import Arrow, Figure, Level
from suksa.domains.cockpit.selectors import CockpitState, cockpit_state, figures_visible
from suksa.domains.cockpit.selectors_overview import IndicatorMeta as IndicatorName
from suksa.domains.cockpit.selectors_overview import indicator_catalogue as indicator_names
from suksa.domains.insights.models import Alert, SchoolDeviance, Strength, WorkCheck
from suksa.domains.insights.models.choices import AlertStatus, DataQuality
from suksa.domains.insights.selectors_alerts import alerts_visible
from suksa.domains.monitoring.models import OutstandingWork, Report
from suksa.domains.monitoring.models.choices import ReportStatus, Verification

ONET = ("onet_mean_p6", "onet_mean_m3", "onet_mean_m6")
CHILD_KIND = {"region": "esa", "esa": "school"}
LEVELS = ("region", "esa", "school")
ALERTS_SHOWN = 5

# The schools-at-risk rule (see the module docstring; the page states it in words).
RISK_Z = -1.5  # O-NET z against the school's structural group
RISK_DROP = 5.0  # O-NET points lost since the previous year
RISK_PTR = 40.0  # learners per teacher

SUBMITTED = (ReportStatus.SUBMITTED, ReportStatus.IN_REVIEW, ReportStatus.APPROVED, ReportStatus.LOCKED)


@dataclass(frozen=True)
class Risk:
    """One reason a school is at risk (``kind``: below_expected | falling | no_teacher | ptr)."""

    kind: str
    th: str
    en: str
    indicator: str = ""


@dataclass
class AtRisk:
    school: OrgUnit
    reasons: list[Risk]


@dataclass(frozen=True)
class ReportState:
    """The ESA's report of the dashboard's round (``report`` None: not prefilled yet)."""

    report: Report | None
    due_on: dt.date
    submitted_at: dt.datetime | None
    submitted: bool
    late: bool  # submitted after the due date, or not submitted and the due date has passed
    can_open: bool  # the actor may open the report page


@dataclass(frozen=True)
class WorkRow:
    work: OutstandingWork
    check: WorkCheck | None


@dataclass
class AlertPanel:
    open_count: int
    top: list[Alert]


@dataclass
class SubUnit:
    unit: OrgUnit
    figure: Figure | None
    school: School | None = None  # a school's profile (ESA pages)


@dataclass
class UnitDashboard:
    unit: OrgUnit
    level: str  # region | esa | school
    chain: list[OrgUnit]  # nation … parent (the breadcrumbs above the unit)
    state: CockpitState
    names: dict[str, IndicatorName]
    indicator: str  # the chosen indicator ("" when the unit has no figure at all)
    figures: list[Figure]  # the unit's own figures: key indicators first, then by code
    key_codes: list[str]  # of those, the run's key indicators (the headline cards)
    lineage: dict[str, Figure]  # chosen indicator: "unit", "parent", "grandparent", "nation" → figure
    region_peers: list[Figure] = field(default_factory=list)  # regions the actor sees (region page)
    strengths: list[Strength] = field(default_factory=list)  # ESA page
    deviance: list[SchoolDeviance] = field(default_factory=list)  # school page (with group)
    subunits: list[SubUnit] = field(default_factory=list)
    at_risk: list[AtRisk] = field(default_factory=list)
    report: ReportState | None = None
    works: list[WorkRow] = field(default_factory=list)
    works_other: int = 0  # nominated works not (yet) verified
    alerts: AlertPanel | None = None
    school: School | None = None  # school page

    @property
    def figure(self) -> Figure | None:
        return self.lineage.get("unit")

    @property
    def key_figures(self) -> list[Figure]:
        return [f for f in self.figures if f.indicator in self.key_codes]

    @property
    def other_figures(self) -> list[Figure]:
        return [f for f in self.figures if f.indicator not in self.key_codes]


def bad_indicator(code: str) -> InvalidInput:
    return InvalidInput(
        [
            Problem(
                code="invalid_indicator",
                th=f"ตัวชี้วัด (indicator) ไม่ถูกต้อง: ไม่มีรหัส {code[:60]} ในแค็ตตาล็อก",
                en=f"Invalid indicator: no catalogue code {code[:60]}",
                field="indicator",
            )
        ]
    )


def check_indicator(code: str, names: dict[str, IndicatorName]) -> str:
    if code and code not in names:
        raise bad_indicator(code)
    return code


def _chain(unit: OrgUnit) -> list[OrgUnit]:
    codes = unit.ancestor_codes
    if not codes:
        return []
    by_code = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def _order(figures: list[Figure], key: list[str]) -> list[Figure]:
    rank = {c: i for i, c in enumerate(key)}
    return sorted(figures, key=lambda f: (rank.get(f.indicator, len(rank)), f.indicator))


def _choose(indicator: str, figures: list[Figure], key: list[str], level: str) -> str:
    codes = {f.indicator for f in figures}
    if indicator and (indicator in codes or level != "school"):
        return indicator
    for code in (*key, *sorted(codes)):
        if code in codes:
            return code
    return indicator


def _children(actor: Actor, unit: OrgUnit) -> list[OrgUnit]:
    kind = CHILD_KIND.get(unit.kind)
    if kind is None:
        return []
    qs = OrgUnit.objects.filter(parent=unit, kind=kind, is_active=True).filter(
        actor.scope_q(Perm.INSIGHTS_VIEW, "path")
    )
    if kind == "school":
        qs = qs.select_related("school")
    return list(qs.order_by("code"))


def _school_of(unit: OrgUnit) -> School | None:
    try:
        return unit.school
    except School.DoesNotExist:
        return None


def unit_dashboard(actor: Actor, unit: OrgUnit, round_id: int | None, indicator: str) -> UnitDashboard:
    """The dashboard of a region, ESA or school the actor may see (``unit`` from ``unit_get``).

    Raises ``NotFoundOrNoAccess`` for an unknown round and ``InvalidInput`` for an indicator code
    that is not in the catalogue.
    """
    if unit.kind not in LEVELS:
        raise ValueError(f"no unit dashboard for a {unit.kind}")
    names = indicator_names()
    check_indicator(indicator, names)
    state = cockpit_state(round_id)
    chain = _chain(unit)
    board = UnitDashboard(
        unit=unit, level=unit.kind, chain=chain, state=state, names=names, indicator=indicator,
        figures=[], key_codes=[], lineage={},
    )  # fmt: skip
    children = _children(actor, unit)
    if unit.kind == "school":
        board.school = _school_of(unit)
    board.subunits = [SubUnit(c, None, _school_of(c) if c.kind == "school" else None) for c in children]
    if state.run is not None:
        _fill_figures(actor, board, children)
    if unit.kind == "esa":
        _fill_esa(actor, board, children)
    if unit.kind == "school" and state.run is not None:
        board.deviance = list(
            SchoolDeviance.objects.filter(run=state.run, school=unit)
            .select_related("group")
            .order_by("indicator")
        )
    return board


def _fill_figures(actor: Actor, board: UnitDashboard, children: list[OrgUnit]) -> None:
    state, unit = board.state, board.unit
    key = list(state.summary.key_indicators) if state.summary is not None else []
    own = list(Figure.objects.filter(run=state.run, unit=unit))
    board.figures = _order(own, key)
    board.key_codes = [c for c in key if any(f.indicator == c for f in own)]
    if unit.kind == "school":
        board.key_codes = [f.indicator for f in board.figures]
    board.indicator = _choose(board.indicator, own, key, unit.kind)
    if not board.indicator:
        return
    roles = {unit.pk: "unit"}
    names = ["parent", "grandparent"]
    for ancestor in reversed(board.chain):
        if ancestor.kind == "nation":
            roles[ancestor.pk] = "nation"
        elif names:
            roles[ancestor.pk] = names.pop(0)
    for f in Figure.objects.filter(run=state.run, indicator=board.indicator, unit_id__in=list(roles)):
        board.lineage[roles[f.unit_id or 0]] = f
    if unit.kind == "region":
        board.region_peers = list(
            figures_visible(actor, state.run)  # type: ignore[arg-type]
            .filter(level=Level.REGION, indicator=board.indicator)
            .select_related("unit")
            .order_by("unit__code")
        )
    if children:
        by_unit = {
            f.unit_id: f
            for f in Figure.objects.filter(
                run=state.run, parent=unit, indicator=board.indicator, unit_id__in=[c.pk for c in children]
            ).defer("series", "source")  # a table row needs neither (up to hundreds of schools)
        }
        for s in board.subunits:
            s.figure = by_unit.get(s.unit.pk)


def _fill_esa(actor: Actor, board: UnitDashboard, children: list[OrgUnit]) -> None:
    state, esa = board.state, board.unit
    if state.run is not None:
        board.strengths = list(
            Strength.objects.filter(run=state.run, unit=esa).order_by("domain", "indicator")
        )
        board.at_risk = schools_at_risk(board, children)
    fill_live(actor, board)


def fill_live(actor: Actor, board: UnitDashboard) -> None:
    """An ESA's panels that change between runs: its report status, verified works, open alerts
    (what the page reads at every request; the rest may come from its cache)."""
    state, esa = board.state, board.unit
    if state.round is not None:
        board.report = report_state(actor, esa, state)
        board.works, board.works_other = verified_works(esa, state)
        board.alerts = open_alerts(actor, esa, state)


def schools_at_risk(board: UnitDashboard, children: list[OrgUnit]) -> list[AtRisk]:
    """The ESA's schools at risk with their reasons (the rule of the module docstring), by code."""
    reasons: dict[int, list[Risk]] = defaultdict(list)

    def name(code: str) -> tuple[str, str]:
        test = board.names.get(code)
        return (test.name_th, test.name_en) if test else (code, code)

    for f in (
        Figure.objects.filter(
            run=board.state.run, parent=board.unit, level=Level.SCHOOL, indicator__in=ONET, unit__isnull=False
        )
        .only("unit_id", "indicator", "arrow", "significant", "improvement", "period", "previous_period")
        .order_by("indicator")
    ):
        school_id = f.unit_id or 0
        th, en = name(f.indicator)
        if f.arrow == Arrow.DOWN and f.significant:
            reasons[school_id].append(
                Risk("falling", f"{th} ลดลงอย่างมีนัยสำคัญทางสถิติ", f"{en} falling significantly", f.indicator)
            )
        elif f.improvement is not None and f.improvement <= -RISK_DROP:
            reasons[school_id].append(
                Risk(
                    "falling",
                    f"{th} ลดลง {abs(f.improvement):.1f} คะแนนจากปี {f.previous_period} ({f.period})",
                    f"{en} fell {abs(f.improvement):.1f} points since {f.previous_period} ({f.period})",
                    f.indicator,
                )
            )
    for d in SchoolDeviance.objects.filter(
        run=board.state.run, esa=board.unit, z__lte=RISK_Z, quality=DataQuality.OK
    ).order_by("indicator"):
        th, en = name(d.indicator)
        reasons[d.school_id].insert(
            0,
            Risk(
                "below_expected",
                f"{th} ต่ำกว่าค่าที่คาดของกลุ่มโรงเรียน {abs(d.residual):.1f} คะแนน (z = {d.z:.1f})",
                f"{en} {abs(d.residual):.1f} points below its group's expected score (z = {d.z:.1f})",
                d.indicator,
            ),
        )
    out: list[AtRisk] = []
    for child in children:
        school = _school_of(child)
        found = list(reasons.get(child.pk, []))
        if school is not None and school.student_count > 0:
            if school.teacher_count == 0:
                found.append(Risk("no_teacher", "มีนักเรียนแต่ไม่มีครู", "Learners but no teacher"))
            elif (ptr := school.pupil_teacher_ratio) is not None and ptr > RISK_PTR:
                found.append(
                    Risk(
                        "ptr",
                        f"นักเรียนต่อครู {ptr:.1f} คน (เกิน {RISK_PTR:.0f})",
                        f"{ptr:.1f} learners per teacher (above {RISK_PTR:.0f})",
                    )
                )
        if found:
            out.append(AtRisk(child, found))
    return out


def report_state(
    actor: Actor, esa: OrgUnit, state: CockpitState, today: dt.date | None = None
) -> ReportState:
    rnd = state.round
    assert rnd is not None
    report = Report.objects.filter(round=rnd, esa=esa).first()
    today = today or timezone.localdate()
    submitted = report is not None and report.status in SUBMITTED
    submitted_at = report.submitted_at if report is not None else None
    if submitted_at is not None:
        late = timezone.localtime(submitted_at).date() > rnd.due_on
    else:
        late = not submitted and today > rnd.due_on
    return ReportState(
        report=report,
        due_on=rnd.due_on,
        submitted_at=submitted_at,
        submitted=submitted,
        late=late,
        can_open=report is not None and actor.can(Perm.REPORT_VIEW, esa.path),
    )


def verified_works(esa: OrgUnit, state: CockpitState) -> tuple[list[WorkRow], int]:
    """The verified outstanding works of the ESA's report of the round, each with the run's work
    check; and how many other works were nominated (pending or not verified)."""
    works = list(
        OutstandingWork.objects.filter(report__round=state.round, report__esa=esa).order_by("rank", "pk")
    )
    verified = [w for w in works if w.verification == Verification.VERIFIED]
    checks: dict[int, WorkCheck] = {}
    if verified and state.run is not None:
        checks = {
            c.work_id: c
            for c in WorkCheck.objects.filter(run=state.run, work_id__in=[w.pk for w in verified])
        }
    return [WorkRow(w, checks.get(w.pk)) for w in verified], len(works) - len(verified)


SEVERITY_ORDER = Case(
    When(severity="high", then=Value(0)),
    When(severity="medium", then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _open_alerts(actor: Actor, unit: OrgUnit, state: CockpitState) -> QuerySet[Alert]:
    return (
        alerts_visible(actor)
        .filter(round=state.round, unit__path__startswith=unit.path)
        .exclude(status=AlertStatus.RESOLVED)
    )


def open_alerts(actor: Actor, unit: OrgUnit, state: CockpitState) -> AlertPanel:
    qs = _open_alerts(actor, unit, state)
    top = list(qs.select_related("unit").order_by(SEVERITY_ORDER, "-created_at", "-pk")[:ALERTS_SHOWN])
    count = len(top) if len(top) < ALERTS_SHOWN else qs.count()
    return AlertPanel(count, top)
