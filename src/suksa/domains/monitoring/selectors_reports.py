"""Reads for the report editor, the report list and the data-problem list, scoped to the actor.

:func:`editor_data` gathers everything the editor shows of one report in a fixed number of queries
(framework items with their standards, values with their indicators, sections, entries, problems,
amendments), whatever the size of the framework. The caller has already scoped the report
(:func:`suksa.domains.monitoring.selectors.report_get`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.policy import Actor, Perm
from suksa.domains.monitoring.models import (
    Amendment,
    DataProblem,
    FrameworkIndicator,
    Indicator,
    NarrativeEntry,
    NarrativeSection,
    Report,
    ReportValue,
    Standard,
)
from suksa.domains.monitoring.models.choices import ProblemStatus, ReportStatus, ValueOrigin
from suksa.domains.monitoring.selectors import reports_visible_to

PK_MAX = 2**63 - 1


def format_number(value: float | None, *, grouping: bool = False) -> str:
    """A stored number as people type it: ``12.5``, ``1234`` (``1,234`` with ``grouping``); at most
    four decimals, no trailing zeros; ``""`` for no value."""
    if value is None:
        return ""
    text = f"{value:,.4f}" if grouping else f"{value:.4f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text


def may_edit(actor: Actor, report: Report, today: dt.date) -> bool:
    """Is the editor (not the read-only view) shown: ESA staff, a draft or returned report, the
    round not past its lock date."""
    return (
        actor.can(Perm.REPORT_EDIT, report.esa.path)
        and report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)
        and today <= report.round.locks_on
    )


@dataclass
class ValueRow:
    value: ReportValue
    required: bool = True
    problems: list[DataProblem] = field(default_factory=list)

    @property
    def indicator(self) -> Indicator:
        return self.value.indicator

    @property
    def code(self) -> str:
        return self.value.indicator.code

    @property
    def is_prefilled(self) -> bool:
        return self.value.origin == ValueOrigin.PREFILLED

    @property
    def missing(self) -> bool:
        """Pre-filled, but the platform holds no value for the ESA and period: "no data"."""
        return self.is_prefilled and self.value.value is None

    @property
    def source(self) -> dict[str, Any]:
        return self.value.source or {}

    @property
    def computed_at(self) -> dt.datetime | None:
        raw = self.source.get("computed_at")
        if not raw:
            return None
        try:
            return dt.datetime.fromisoformat(str(raw))
        except ValueError:
            return None

    @property
    def input_text(self) -> str:
        return format_number(self.value.value)

    @property
    def display(self) -> str:
        return format_number(self.value.value, grouping=True)

    @property
    def open_problem(self) -> DataProblem | None:
        return next((p for p in self.problems if p.status == ProblemStatus.OPEN), None)


@dataclass
class SectionRow:
    section: NarrativeSection
    entry: NarrativeEntry | None = None

    @property
    def code(self) -> str:
        return self.section.code

    @property
    def text(self) -> str:
        return self.entry.text if self.entry is not None else ""


@dataclass
class StandardGroup:
    standard: Standard | None
    values: list[ValueRow] = field(default_factory=list)
    sections: list[SectionRow] = field(default_factory=list)


@dataclass
class EditorData:
    report: Report
    groups: list[StandardGroup]
    problems: list[DataProblem]
    amendments: list[Amendment]

    @property
    def values(self) -> list[ValueRow]:
        return [v for g in self.groups for v in g.values]

    @property
    def sections(self) -> list[SectionRow]:
        return [s for g in self.groups for s in g.sections]

    @property
    def open_problems(self) -> list[DataProblem]:
        return [p for p in self.problems if p.status == ProblemStatus.OPEN]

    @property
    def asked(self) -> int:
        return sum(1 for v in self.values if not v.is_prefilled)

    @property
    def asked_filled(self) -> int:
        return sum(1 for v in self.values if not v.is_prefilled and v.value.value is not None)

    def value(self, code: str) -> ValueRow | None:
        return next((v for v in self.values if v.code == code), None)

    def section(self, code: str) -> SectionRow | None:
        return next((s for s in self.sections if s.code == code), None)


def editor_data(report: Report) -> EditorData:
    """Everything the editor (and the Excel template) shows of one report, in six queries."""
    framework_id = report.round.framework_id
    items = list(FrameworkIndicator.objects.filter(framework_id=framework_id).select_related("standard"))
    values = list(ReportValue.objects.filter(report=report).select_related("indicator"))
    sections = list(NarrativeSection.objects.filter(framework_id=framework_id).select_related("standard"))
    entries = {e.section_id: e for e in NarrativeEntry.objects.filter(report=report)}
    problems = list(
        DataProblem.objects.filter(report=report)
        .select_related("value__indicator")
        .order_by("-raised_at", "-pk")
    )
    amendments = list(
        Amendment.objects.filter(report=report).select_related("amended_by").order_by("amended_at")
    )

    by_value: dict[int, list[DataProblem]] = {}
    for p in problems:
        by_value.setdefault(p.value_id, []).append(p)
    groups: dict[int | None, StandardGroup] = {}
    position: dict[int, tuple[int, int, int]] = {}
    standard_of: dict[int, Standard] = {}
    required: dict[int, bool] = {}
    for n, item in enumerate(items):
        position[item.indicator_id] = (item.standard.order, item.order, n)
        standard_of[item.indicator_id] = item.standard
        required[item.indicator_id] = item.required
    standards = {s.pk: s for s in [*standard_of.values(), *(sec.standard for sec in sections)]}
    for std in sorted(standards.values(), key=lambda s: (s.order, s.code)):
        groups[std.pk] = StandardGroup(standard=std)
    far = (10**6, 10**6, 10**6)
    for v in sorted(values, key=lambda v: (position.get(v.indicator_id, far), v.indicator.code)):
        of = standard_of.get(v.indicator_id)
        group = groups.setdefault(of.pk if of is not None else None, StandardGroup(standard=of))
        group.values.append(ValueRow(v, required.get(v.indicator_id, True), by_value.get(v.pk, [])))
    for sec in sections:
        groups[sec.standard_id].sections.append(SectionRow(sec, entries.get(sec.pk)))
    ordered = [g for g in groups.values() if g.values or g.sections]
    return EditorData(report=report, groups=ordered, problems=problems, amendments=amendments)


# --- lists ---------------------------------------------------------------------------------------


def reports_list(
    actor: Actor,
    *,
    round_id: int | None = None,
    status: str | None = None,
    esa_code: str | None = None,
) -> QuerySet[Report]:
    """The reports the actor sees, newest round first, then by ESA code (one query)."""
    qs = reports_visible_to(actor).select_related("round__framework", "esa", "reviewer")
    if round_id is not None:
        qs = qs.filter(round_id=round_id)
    if status:
        qs = qs.filter(status=status)
    if esa_code:
        qs = qs.filter(esa__code=esa_code)
    return qs.order_by("-round__period_end", "round__framework__fiscal_year", "esa__code")


def problems_visible_to(actor: Actor) -> QuerySet[DataProblem]:
    """Data problems of the reports the actor sees: the bureau (``monitoring.manage``) all of its
    scope, ESA staff their own, inspectors and executives their scope, a reviewer its assignments."""
    q = actor.scope_q(Perm.REPORT_VIEW, "report__esa__path") | actor.scope_q(
        Perm.MONITORING_MANAGE, "report__esa__path"
    )
    if actor.user_id is not None and actor.can_anywhere(Perm.REPORT_REVIEW):
        q |= Q(report__reviewer_id=actor.user_id)
    return DataProblem.objects.filter(q).select_related(
        "report__round__framework", "report__esa", "value__indicator"
    )


def problems_list(
    actor: Actor, *, status: str | None = None, round_id: int | None = None, report_id: int | None = None
) -> QuerySet[DataProblem]:
    qs = problems_visible_to(actor)
    if status:
        qs = qs.filter(status=status)
    if round_id is not None:
        qs = qs.filter(report__round_id=round_id)
    if report_id is not None:
        qs = qs.filter(report_id=report_id)
    return qs.order_by("-raised_at", "-pk")


def problem_get(actor: Actor, problem_id: int) -> DataProblem:
    if not 0 < problem_id <= PK_MAX:
        raise NotFoundOrNoAccess.default()
    problem = problems_visible_to(actor).filter(pk=problem_id).first()
    if problem is None:
        raise NotFoundOrNoAccess.default()
    return problem


def value_get(report: Report, value_id: int) -> ReportValue:
    """One value of an already scoped report (404 for another report's value)."""
    if not 0 < value_id <= PK_MAX:
        raise NotFoundOrNoAccess.default()
    value = ReportValue.objects.select_related("indicator").filter(report=report, pk=value_id).first()
    if value is None:
        raise NotFoundOrNoAccess.default()
    return value
