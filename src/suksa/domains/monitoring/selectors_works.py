"""Reads of a report's outstanding works and evidence files, always through the report's scope.

Whoever sees a report (:func:`~suksa.domains.monitoring.selectors.report_get`: its ESA's staff,
inspectors of its region, executives, M&E officers and the reviewer it is assigned to) sees its
works and evidence; a work or file of a report out of scope is not found, exactly like an unknown id.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.policy import Actor, Perm
from suksa.domains.monitoring.models import (
    EvidenceFile,
    Indicator,
    NarrativeSection,
    OutstandingWork,
    Report,
    Standard,
)
from suksa.domains.monitoring.models.choices import ReportStatus
from suksa.domains.monitoring.selectors import report_for_review, report_get

__all__ = [
    "evidence_get",
    "evidence_of_report",
    "indicator_choices",
    "is_editable_by",
    "report_sections",
    "standards_all",
    "work_for_review",
    "work_get",
    "works_of_report",
]


def works_of_report(actor: Actor, report: Report) -> QuerySet[OutstandingWork]:
    """The report's works in rank order, with their evidence (two queries in all).

    ``report`` must come from a scoped selector (``report_get`` and friends); ``actor`` is named
    so that a caller cannot skip that step by accident.
    """
    _ensure_visible(actor, report)
    evidence = EvidenceFile.objects.order_by("uploaded_at", "id")
    return (
        OutstandingWork.objects.filter(report=report)
        .select_related("standard", "verified_by")
        .prefetch_related(Prefetch("evidence", queryset=evidence))
        .order_by("rank", "id")
    )


def work_get(actor: Actor, report_id: int, work_id: int) -> OutstandingWork:
    report = report_get(actor, report_id)
    work = OutstandingWork.objects.select_related("standard").filter(report=report, pk=work_id).first()
    if work is None:
        raise NotFoundOrNoAccess.default()
    return work


def work_for_review(actor: Actor, work_id: int) -> OutstandingWork:
    """A work whose report is assigned to the actor for review (M&E officers: any report).

    An unknown work and a work of a report the actor cannot see are both not found; a visible
    report that is not the actor's to review is forbidden (``report_for_review``).
    """
    report_id = OutstandingWork.objects.filter(pk=work_id).values_list("report_id", flat=True).first()
    if report_id is None:
        raise NotFoundOrNoAccess.default()
    report_for_review(actor, report_id)
    return OutstandingWork.objects.select_related("report__esa", "standard").get(pk=work_id)


def evidence_of_report(actor: Actor, report: Report) -> QuerySet[EvidenceFile]:
    _ensure_visible(actor, report)
    return (
        EvidenceFile.objects.filter(report=report)
        .select_related("work", "section")
        .order_by("uploaded_at", "id")
    )


def evidence_get(actor: Actor, report_id: int, evidence_id: int) -> EvidenceFile:
    report = report_get(actor, report_id)
    evidence = EvidenceFile.objects.filter(report=report, pk=evidence_id).first()
    if evidence is None:
        raise NotFoundOrNoAccess.default()
    return evidence


def report_sections(report: Report) -> QuerySet[NarrativeSection]:
    """The narrative sections of the report's framework (evidence may be attached to one)."""
    return NarrativeSection.objects.filter(framework_id=report.round.framework_id).select_related("standard")


def standards_all() -> QuerySet[Standard]:
    return Standard.objects.order_by("order", "code")


def indicator_choices() -> QuerySet[Indicator]:
    """Current catalogue indicators (a work's results may be claimed on them)."""
    return Indicator.objects.filter(is_current=True).order_by("code")


def is_editable_by(actor: Actor, report: Report, today: dt.date) -> bool:
    """May the actor change the report's works and evidence now (ESA staff, draft or returned,
    not past the round's lock date)? The services check the same again under the row lock."""
    return (
        actor.can(Perm.REPORT_EDIT, report.esa.path)
        and report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)
        and today <= report.round.locks_on
    )


def _ensure_visible(actor: Actor, report: Report) -> None:
    # Cheap re-check without a query: the caller's report came from a scoped read; a reviewer's
    # visibility is by assignment, everyone else's by report.view over the ESA.
    if actor.can(Perm.REPORT_VIEW, report.esa.path):
        return
    if (
        actor.user_id is not None
        and report.reviewer_id == actor.user_id
        and actor.can_anywhere(Perm.REPORT_REVIEW)
    ):
        return
    raise NotFoundOrNoAccess.default()
