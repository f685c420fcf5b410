"""Reads of the review workflow: the national status board, the reporting burden, a reviewer's
queue and workspace. Always scoped to the actor; set-based (a bounded number of queries whatever
the number of ESAs).

- :func:`status_board`: per ESA in the actor's scope, where its report of a round stands.
- :func:`burden` / :func:`burden_by_round`: fields asked of the ESA versus pre-filled, and the time
  spent editing, per round, compared with the previous round. Aggregates only (no ESA named).
- :func:`review_queue`, :func:`review_workspace`: what a reviewer works on.
"""

from __future__ import annotations

import datetime as dt
import importlib
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from suksa.core.errors import PermissionDenied
from suksa.core.models import OrgUnit
from suksa.core.policy import Actor, Perm, Role
from suksa.domains.monitoring.models import (
    Amendment,
    DataProblem,
    EvidenceFile,
    FrameworkIndicator,
    NarrativeEntry,
    OutstandingWork,
    Report,
    ReportEditTime,
    ReportValue,
    Review,
    Round,
    Standard,
)
from suksa.domains.monitoring.models.choices import ProblemStatus, ReportStatus, Verification
from suksa.domains.monitoring.selectors import report_for_review, reports_visible_to
from suksa.domains.monitoring.services.locking import today as local_today
from suksa.domains.monitoring.services.review import framework_standards, open_review

MISSING = "missing"  # an ESA that owes a report but has none in the round (not pre-filled)
# The order statuses are shown in; "with the bureau" means received.
STATUS_ORDER = (
    MISSING,
    ReportStatus.DRAFT,
    ReportStatus.RETURNED,
    ReportStatus.SUBMITTED,
    ReportStatus.IN_REVIEW,
    ReportStatus.APPROVED,
    ReportStatus.LOCKED,
)
RECEIVED = (ReportStatus.SUBMITTED, ReportStatus.IN_REVIEW, ReportStatus.APPROVED, ReportStatus.LOCKED)
WITH_ESA = (ReportStatus.DRAFT, ReportStatus.RETURNED)
STATUS_LABELS: dict[str, tuple[str, str]] = {
    MISSING: ("ยังไม่มีรายงาน", "No report"),
    **{s.value: tuple(s.label.split(" / ", 1)) for s in ReportStatus},  # type: ignore[misc]
}


def may_see_board(actor: Actor) -> bool:
    return actor.can_anywhere(Perm.REPORT_VIEW) or actor.can_anywhere(Perm.REPORT_REVIEW)


# --- the national status board -------------------------------------------------------------------


@dataclass
class StatusRow:
    esa_id: int
    esa_code: str
    esa_name_th: str
    esa_name_en: str
    region_code: str
    region_name_th: str
    region_name_en: str
    report_id: int | None = None
    status: str = MISSING
    submitted_at: dt.datetime | None = None
    late: bool = False  # submitted after the due date
    overdue: bool = False  # still with the ESA (or missing) after the due date
    days_to_due: int | None = None  # still with the ESA: days left (negative: days overdue)
    reviewer_id: int | None = None
    reviewer_name_th: str = ""
    reviewer_name_en: str = ""
    open_problems: int = 0
    works: int = 0
    works_checked: int = 0  # verified, partly or not verified (no longer pending)
    works_verified: int = 0  # verified in full

    @property
    def received(self) -> bool:
        return self.status in RECEIVED

    @property
    def overdue_days(self) -> int:
        return -self.days_to_due if self.overdue and self.days_to_due is not None else 0

    @property
    def status_label(self) -> tuple[str, str]:
        return STATUS_LABELS[self.status]

    @property
    def name_th(self) -> str:  # for the ``name_in`` template filter
        return self.esa_name_th

    @property
    def name_en(self) -> str:
        return self.esa_name_en


@dataclass
class RegionTotals:
    code: str
    name_th: str
    name_en: str
    expected: int = 0
    received: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def completeness(self) -> float | None:
        return self.received / self.expected if self.expected else None


@dataclass
class StatusBoard:
    round: Round
    today: dt.date
    phase: str
    rows: list[StatusRow]
    by_status: dict[str, int]
    by_region: list[RegionTotals]
    expected: int
    received: int
    on_time: int
    late: int
    overdue: int

    @property
    def completeness(self) -> float | None:
        """Received / expected."""
        return self.received / self.expected if self.expected else None

    @property
    def timeliness(self) -> float | None:
        """Received on time / expected."""
        return self.on_time / self.expected if self.expected else None

    @property
    def days_to_due(self) -> int:
        return (self.round.due_on - self.today).days


def status_board(actor: Actor, round: Round, *, today: dt.date | None = None) -> StatusBoard:
    """Where every ESA's report of ``round`` stands, for the ESAs in the actor's scope.

    ESAs in scope are the active ESAs under the actor's ``report.view`` and those whose report of
    the round is otherwise visible (a reviewer's assignments). Five queries in all.
    """
    if not may_see_board(actor):
        raise PermissionDenied.default()
    day = today or local_today()
    visible = reports_visible_to(actor).filter(round=round)
    esas = list(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.ESA)
        .filter(
            (Q(is_active=True) & actor.scope_q(Perm.REPORT_VIEW, "path")) | Q(pk__in=visible.values("esa_id"))
        )
        .select_related("parent")
        .order_by("code")
    )
    reports = {r.esa_id: r for r in visible.select_related("reviewer")}
    problems = dict(
        DataProblem.objects.filter(report__round=round, status=ProblemStatus.OPEN)
        .values("report_id")
        .annotate(n=Count("id"))
        .values_list("report_id", "n")
        .order_by()
    )
    works = {
        row["report_id"]: row
        for row in OutstandingWork.objects.filter(report__round=round)
        .values("report_id")
        .annotate(
            n=Count("id"),
            checked=Count("id", filter=~Q(verification=Verification.PENDING)),
            verified=Count("id", filter=Q(verification=Verification.VERIFIED)),
        )
        .order_by()
    }
    rows: list[StatusRow] = []
    for esa in esas:
        region = esa.parent
        row = StatusRow(
            esa_id=esa.pk,
            esa_code=esa.code,
            esa_name_th=esa.name_th,
            esa_name_en=esa.name_en,
            region_code=region.code if region else "",
            region_name_th=region.name_th if region else "",
            region_name_en=region.name_en if region else "",
        )
        report = reports.get(esa.pk)
        if report is not None:
            row.report_id, row.status, row.submitted_at = report.pk, report.status, report.submitted_at
            if report.reviewer is not None:
                row.reviewer_id = report.reviewer_id
                row.reviewer_name_th = report.reviewer.display_name("th")
                row.reviewer_name_en = report.reviewer.display_name("en")
            row.open_problems = problems.get(report.pk, 0)
            w = works.get(report.pk)
            if w:
                row.works, row.works_checked, row.works_verified = w["n"], w["checked"], w["verified"]
        if row.status in RECEIVED:
            row.late = row.submitted_at is not None and _local_day(row.submitted_at) > round.due_on
        else:
            row.days_to_due = (round.due_on - day).days
            row.overdue = day > round.due_on
        rows.append(row)
    return _board(round, day, rows)


def _local_day(value: dt.datetime) -> dt.date:
    from django.utils import timezone

    return timezone.localdate(value) if timezone.is_aware(value) else value.date()


def _board(rnd: Round, day: dt.date, rows: list[StatusRow]) -> StatusBoard:
    by_status = dict.fromkeys(STATUS_ORDER, 0)
    regions: dict[str, RegionTotals] = {}
    for row in rows:
        by_status[row.status] += 1
        reg = regions.get(row.region_code)
        if reg is None:
            reg = regions[row.region_code] = RegionTotals(
                row.region_code,
                row.region_name_th,
                row.region_name_en,
                by_status=dict.fromkeys(STATUS_ORDER, 0),
            )
        reg.expected += 1
        reg.by_status[row.status] += 1
        reg.received += row.received
        reg.on_time += row.received and not row.late
        reg.late += row.late
        reg.overdue += row.overdue
    return StatusBoard(
        round=rnd,
        today=day,
        phase=rnd.phase(day),
        rows=rows,
        by_status=by_status,
        by_region=sorted(regions.values(), key=lambda r: r.code),
        expected=len(rows),
        received=sum(r.received for r in rows),
        on_time=sum(r.received and not r.late for r in rows),
        late=sum(r.late for r in rows),
        overdue=sum(r.overdue for r in rows),
    )


def current_round(day: dt.date | None = None) -> Round | None:
    """The round the boards show by default: the open round ending last, else the latest opened."""
    day = day or local_today()
    rounds = Round.objects.select_related("framework")
    return (
        rounds.filter(opens_on__lte=day, locks_on__gte=day).order_by("-period_end").first()
        or rounds.filter(opens_on__lte=day).order_by("-period_end").first()
        or rounds.order_by("period_end").first()
    )


# --- the reporting burden ------------------------------------------------------------------------


@dataclass
class BurdenRow:
    """One round's reporting burden. Per-report figures average over the pre-filled reports;
    editing time over the reports that were edited (any time recorded)."""

    round_id: int
    key: str
    name_th: str
    name_en: str
    period_end: dt.date
    reports: int = 0  # pre-filled reports (fields counted)
    fields_asked: int = 0  # totals over the reports
    fields_prefilled: int = 0
    edited_reports: int = 0
    total_seconds: int = 0
    median_seconds: float | None = None
    previous_key: str | None = None
    previous_minutes_per_report: float | None = None
    previous_prefilled_share: float | None = None
    previous_asked_per_report: float | None = None

    @property
    def asked_per_report(self) -> float | None:
        return self.fields_asked / self.reports if self.reports else None

    @property
    def prefilled_per_report(self) -> float | None:
        return self.fields_prefilled / self.reports if self.reports else None

    @property
    def paper_fields_per_report(self) -> float | None:
        """What a paper form would ask: every field, asked or pre-filled."""
        return (self.fields_asked + self.fields_prefilled) / self.reports if self.reports else None

    @property
    def prefilled_share(self) -> float | None:
        """The reduction: share of the paper form's fields the platform filled."""
        total = self.fields_asked + self.fields_prefilled
        return self.fields_prefilled / total if total else None

    @property
    def minutes_per_report(self) -> float | None:
        return self.total_seconds / self.edited_reports / 60 if self.edited_reports else None

    @property
    def median_minutes(self) -> float | None:
        return self.median_seconds / 60 if self.median_seconds is not None else None

    @property
    def total_hours(self) -> float:
        return self.total_seconds / 3600

    @property
    def change_minutes(self) -> float | None:
        """Minutes per report compared with the previous round (negative: less time)."""
        now, before = self.minutes_per_report, self.previous_minutes_per_report
        return now - before if now is not None and before is not None else None

    @property
    def change_minutes_share(self) -> float | None:
        """The same change as a share of the previous round's minutes."""
        change, before = self.change_minutes, self.previous_minutes_per_report
        return change / before if change is not None and before else None

    @property
    def change_prefilled_share(self) -> float | None:
        now, before = self.prefilled_share, self.previous_prefilled_share
        return now - before if now is not None and before is not None else None

    @property
    def change_asked(self) -> float | None:
        now, before = self.asked_per_report, self.previous_asked_per_report
        return now - before if now is not None and before is not None else None


def burden_by_round() -> list[BurdenRow]:
    """Every round's burden, oldest first, each compared with the previous round that had
    reports. Three queries."""
    rounds = list(Round.objects.select_related("framework").order_by("period_end", "months", "pk"))
    fields = {
        r["round_id"]: r
        for r in Report.objects.filter(Q(fields_asked__gt=0) | Q(fields_prefilled__gt=0))
        .values("round_id")
        .annotate(n=Count("id"), asked=Sum("fields_asked"), prefilled=Sum("fields_prefilled"))
        .order_by()
    }
    seconds: dict[int, list[int]] = defaultdict(list)
    for round_id, total in (
        ReportEditTime.objects.values("report_id", "report__round_id")
        .annotate(s=Sum("seconds"))
        .filter(s__gt=0)
        .values_list("report__round_id", "s")
        .order_by()
    ):
        seconds[round_id].append(int(total))
    out: list[BurdenRow] = []
    previous: BurdenRow | None = None
    for rnd in rounds:
        f = fields.get(rnd.pk, {})
        secs = seconds.get(rnd.pk, [])
        row = BurdenRow(
            round_id=rnd.pk,
            key=rnd.key,
            name_th=rnd.name_th,
            name_en=rnd.name_en,
            period_end=rnd.period_end,
            reports=int(f.get("n") or 0),
            fields_asked=int(f.get("asked") or 0),
            fields_prefilled=int(f.get("prefilled") or 0),
            edited_reports=len(secs),
            total_seconds=sum(secs),
            median_seconds=float(statistics.median(secs)) if secs else None,
        )
        if previous is not None:
            row.previous_key = previous.key
            row.previous_minutes_per_report = previous.minutes_per_report
            row.previous_prefilled_share = previous.prefilled_share
            row.previous_asked_per_report = previous.asked_per_report
        if row.reports or row.edited_reports:
            previous = row
        out.append(row)
    return out


def burden(round: Round) -> BurdenRow:
    """One round's burden, compared with the previous round."""
    return next(r for r in burden_by_round() if r.round_id == round.pk)


def may_see_burden(actor: Actor) -> bool:
    return actor.can_anywhere(Perm.REPORT_VIEW) or actor.can_anywhere(Perm.MONITORING_MANAGE)


# --- the reviewer's queue ------------------------------------------------------------------------


def is_bureau(actor: Actor) -> bool:
    return actor.can_anywhere(Perm.MONITORING_MANAGE)


def review_queue(actor: Actor, *, round: Round | None = None, status: str | None = None) -> QuerySet[Report]:
    """The reports the actor reviews: a reviewer's assignments (every status); for the bureau
    (``monitoring.manage``) every report with the bureau or returned, in its scope. ``status``
    narrows to one status (the bureau may then list drafts too, to assign ahead)."""
    if is_bureau(actor):
        qs = Report.objects.filter(actor.scope_q(Perm.MONITORING_MANAGE, "esa__path"))
        if status is None:
            qs = qs.filter(status__in=[*RECEIVED[:2], ReportStatus.RETURNED, ReportStatus.APPROVED])
    elif actor.can_anywhere(Perm.REPORT_REVIEW) and actor.user_id is not None:
        qs = Report.objects.filter(reviewer_id=actor.user_id)
    else:
        raise PermissionDenied.default()
    if round is not None:
        qs = qs.filter(round=round)
    if status is not None:
        qs = qs.filter(status=status)
    return qs.select_related("round__framework", "esa__parent", "reviewer").order_by(
        "round__due_on", "submitted_at", "esa__code"
    )


def reviewers_available() -> list[Any]:
    """Active users holding a role with ``report.review`` (for the assignment form)."""
    from suksa.domains.accounts.models import User

    roles = [str(r) for r in (Role.ME_REVIEWER, Role.NATIONAL_ME_OFFICER)]
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__role__in=roles,
            role_assignments__revoked_at__isnull=True,
        )
        .distinct()
        .order_by("username")
    )


# --- the reviewer's workspace --------------------------------------------------------------------


@dataclass
class ValueLine:
    value: ReportValue
    standard_code: str
    order: int

    @property
    def missing(self) -> bool:
        return bool(self.value.source.get("missing"))

    @property
    def computed_at(self) -> dt.datetime | None:
        """When the platform computed a pre-filled value (from its provenance)."""
        raw = self.value.source.get("computed_at")
        try:
            return dt.datetime.fromisoformat(raw) if isinstance(raw, str) and raw else None
        except ValueError:
            return None


@dataclass
class Workspace:
    report: Report
    standards: list[Standard]
    values: list[ValueLine]
    narratives: list[NarrativeEntry]
    works: list[OutstandingWork]
    evidence: list[EvidenceFile]  # not attached to a work
    review: Review | None  # the review under way
    scores: dict[str, Any]  # standard code → StandardScore of the review under way
    comments: list[Any]
    past_reviews: list[Review]
    amendments: list[Amendment]
    open_problems: list[DataProblem]
    quality: Any = None  # a QualityResult, or None while the quality module is not there

    @property
    def works_pending(self) -> int:
        return sum(1 for w in self.works if w.verification == Verification.PENDING)

    @property
    def scores_missing(self) -> list[Standard]:
        return [s for s in self.standards if s.code not in self.scores]

    @property
    def can_approve(self) -> bool:
        return self.review is not None and not self.works_pending and not self.scores_missing


def review_workspace(actor: Actor, report_id: int) -> Workspace:
    """Everything the reviewer weighs: values with provenance, narratives, works with evidence,
    the quality findings, the review under way and the report's history. About a dozen queries."""
    report = report_for_review(actor, report_id)
    framework_id = report.round.framework_id
    placement = {
        fi.indicator_id: (fi.standard.code, n)
        for n, fi in enumerate(
            FrameworkIndicator.objects.filter(framework_id=framework_id).select_related("standard")
        )
    }
    values = [
        ValueLine(v, *placement.get(v.indicator_id, ("", 10_000)))
        for v in ReportValue.objects.filter(report=report).select_related("indicator")
    ]
    values.sort(key=lambda line: (line.order, line.value.indicator.code))
    review = open_review(report)
    scores: dict[str, Any] = {}
    comments: list[Any] = []
    if review is not None:
        scores = {s.standard.code: s for s in review.scores.select_related("standard")}
        comments = list(review.comments.all())
    past = list(
        Review.objects.filter(report=report)
        .exclude(decision="")
        .select_related("reviewer")
        .prefetch_related("scores__standard", "comments")
        .order_by("-decided_at")
    )
    return Workspace(
        report=report,
        standards=framework_standards(framework_id),
        values=values,
        narratives=list(
            NarrativeEntry.objects.filter(report=report)
            .select_related("section__standard")
            .order_by("section__standard__order", "section__order", "pk")
        ),
        works=list(
            OutstandingWork.objects.filter(report=report)
            .select_related("standard", "verified_by")
            .prefetch_related("evidence")
            .order_by("rank")
        ),
        evidence=list(
            EvidenceFile.objects.filter(report=report, work__isnull=True).select_related("section")
        ),
        review=review,
        scores=scores,
        comments=comments,
        past_reviews=past,
        amendments=report_amendments(report),
        open_problems=list(
            DataProblem.objects.filter(report=report, status=ProblemStatus.OPEN).select_related(
                "value__indicator"
            )
        ),
        quality=quality_of(report),
    )


def quality_of(report: Report) -> Any:
    """The report's data-quality check (``services.quality.report_check``), or None while the
    quality module is not installed (it is another slice's; the pages work without it)."""
    try:
        module = importlib.import_module("suksa.domains.monitoring.services.quality")
    except ImportError:
        return None
    return module.report_check(report)


def report_amendments(report: Report) -> list[Amendment]:
    """A report's amendments after locking, oldest first (the caller has scoped the report)."""
    return list(
        Amendment.objects.filter(report=report).select_related("amended_by").order_by("amended_at", "pk")
    )
