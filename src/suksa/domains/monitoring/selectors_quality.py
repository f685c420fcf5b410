"""Reads for the data-quality views, scoped to the actor.

- One report's quality: whoever sees the report (``selectors.report_get``: ``report.view`` over its
  ESA, or the reviewer it is assigned to); anything else is not found.
- A round's board and completeness: the rows of the ESAs the actor sees — ``report.view`` scope
  (nation: all; an inspector: their region; ESA staff: their own ESA) plus, for a reviewer, the ESAs
  whose report of the round is assigned to them. Rounds are national reference data; what is
  shown of them is scoped row by row.
"""

from __future__ import annotations

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.models import OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.monitoring.models import Report, Round
from suksa.domains.monitoring.selectors import report_get
from suksa.domains.monitoring.services.locking import today


def may_see_quality(actor: Actor) -> bool:
    """May the actor open the quality board at all (it may still show them few rows)?"""
    return any(actor.can_anywhere(p) for p in (Perm.REPORT_VIEW, Perm.REPORT_REVIEW, Perm.MONITORING_MANAGE))


def visible_esa_ids(actor: Actor, rnd: Round) -> set[int]:
    """The ESAs whose row of the round the actor may see."""
    ids = set(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.ESA)
        .filter(actor.scope_q(Perm.REPORT_VIEW, "path"))
        .values_list("pk", flat=True)
    )
    if actor.user_id is not None and actor.can_anywhere(Perm.REPORT_REVIEW):
        ids |= set(
            Report.objects.filter(round=rnd, reviewer_id=actor.user_id).values_list("esa_id", flat=True)
        )
    return ids


def report_for_quality(actor: Actor, report_id: int) -> Report:
    """A report the actor sees (404 otherwise), with its round and framework loaded."""
    return report_get(actor, report_id)


def quality_round(round_id: int | None) -> Round:
    """The round asked for, or by default the latest open one (opened, not locked); failing that
    the latest that has opened, then the latest of all. None exists: not found."""
    qs = Round.objects.select_related("framework")
    if round_id is not None:
        rnd = qs.filter(pk=round_id).first()
    else:
        day = today()
        rnd = (
            qs.filter(opens_on__lte=day, locks_on__gte=day).order_by("-period_end").first()
            or qs.filter(opens_on__lte=day).order_by("-period_end").first()
            or qs.order_by("-period_end").first()
        )
    if rnd is None:
        raise NotFoundOrNoAccess.default()
    return rnd


def rounds_for_choice() -> list[Round]:
    return list(Round.objects.select_related("framework").order_by("-period_end")[:24])
