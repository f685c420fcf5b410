"""Reads of the monitoring domain, always scoped to the actor.

- The catalogue, frameworks and rounds are national reference data: any signed-in actor reads them
  (``org.view``); only ``monitoring.manage`` (the national M&E officers) changes them.
- A report is visible to ``report.view`` over its ESA (ESA staff: their own ESA; inspectors: their
  region; executives and M&E officers: all) and to the reviewer it is assigned to
  (``report.review``: reviewers see only their assignments).
Anything out of scope is reported as not found (no existence oracle).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from suksa.core.errors import NotFoundOrNoAccess, PermissionDenied
from suksa.core.policy import Actor, Perm
from suksa.domains.monitoring.models import Framework, Indicator, Report, Round


def reports_visible_to(actor: Actor) -> QuerySet[Report]:
    q = actor.scope_q(Perm.REPORT_VIEW, "esa__path")
    if actor.user_id is not None and actor.can_anywhere(Perm.REPORT_REVIEW):
        q |= Q(reviewer_id=actor.user_id)
    return Report.objects.filter(q)


def report_get(actor: Actor, report_id: int) -> Report:
    report = (
        reports_visible_to(actor)
        .select_related("round__framework", "esa", "reviewer", "submitted_by")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise NotFoundOrNoAccess.default()
    return report


def report_for_edit(actor: Actor, report_id: int) -> Report:
    """A report the actor may fill (``report.edit`` on its ESA); visible but not editable → 403."""
    report = report_get(actor, report_id)
    if not actor.can(Perm.REPORT_EDIT, report.esa.path):
        raise PermissionDenied.default()
    return report


def report_for_review(actor: Actor, report_id: int) -> Report:
    """A report assigned to the actor for review; M&E officers (``monitoring.manage``) may act on any."""
    report = report_get(actor, report_id)
    if actor.can(Perm.MONITORING_MANAGE, report.esa.path):
        return report
    if not actor.can_anywhere(Perm.REPORT_REVIEW) or report.reviewer_id != actor.user_id:
        raise PermissionDenied.default()
    return report


def can_read_reference(actor: Actor) -> bool:
    return actor.can_anywhere(Perm.ORG_VIEW)


def indicators_current() -> QuerySet[Indicator]:
    return Indicator.objects.filter(is_current=True).prefetch_related("standards", "policy_points")


def indicator_versions(code: str) -> QuerySet[Indicator]:
    return Indicator.objects.filter(code=code).order_by("-version")


def framework_get(framework_id: int) -> Framework:
    fw = Framework.objects.filter(pk=framework_id).first()
    if fw is None:
        raise NotFoundOrNoAccess.default()
    return fw


def round_get(round_id: int) -> Round:
    rnd = Round.objects.select_related("framework").filter(pk=round_id).first()
    if rnd is None:
        raise NotFoundOrNoAccess.default()
    return rnd


def rounds_all() -> QuerySet[Round]:
    return Round.objects.select_related("framework").order_by("-period_end")
