"""Who reads which brief.

- National writers (``brief.write`` held on the nation) read every brief, drafts included.
- Participants (a :class:`BriefParticipant` row, managed by the drafting slice) read the brief they
  are invited to, whatever its status.
- Anyone else holding ``brief.view`` reads **published** briefs about a unit they may see (the
  nation's briefs: everyone with ``brief.view``; an ESA's brief: that ESA and the units above it).

Unknown and forbidden briefs look the same (404).
"""

from __future__ import annotations

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.policy import SYSTEM, Actor, Perm
from suksa.domains.insights.models import Brief, BriefParticipant, BriefVersion
from suksa.domains.insights.models.choices import BriefStatus
from suksa.domains.insights.selectors import unit_visible_q


def may_write(actor: Actor) -> bool:
    return actor is SYSTEM or actor.can_nationally(Perm.BRIEF_WRITE)


def visible_q(actor: Actor) -> Q:
    if may_write(actor):
        return Q()
    q = Q(pk__in=[])
    if actor.can_anywhere(Perm.BRIEF_VIEW):
        q |= Q(status=BriefStatus.PUBLISHED) & unit_visible_q(actor, Perm.BRIEF_VIEW)
    if actor.user_id is not None:
        q |= Q(Exists(BriefParticipant.objects.filter(brief=OuterRef("pk"), user_id=actor.user_id)))
    return q


def briefs_visible(actor: Actor) -> QuerySet[Brief]:
    return (
        Brief.objects.filter(visible_q(actor))
        .select_related("round__framework", "unit", "published_version")
        .annotate(latest_number=Max("versions__number"), version_count=Count("versions", distinct=True))
    )


def briefs_list(
    actor: Actor, *, round_id: int | None = None, topic: str = "", status: str = ""
) -> list[Brief]:
    qs = briefs_visible(actor)
    if round_id is not None:
        qs = qs.filter(round_id=round_id)
    if topic:
        qs = qs.filter(topic=topic)
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("-round__period_end", "topic", "unit__code", "pk"))


def brief_get(actor: Actor, brief_id: int) -> Brief:
    brief = briefs_visible(actor).filter(pk=brief_id).first()
    if brief is None:
        raise NotFoundOrNoAccess.default()
    return brief


def is_participant(actor: Actor, brief: Brief) -> bool:
    return (
        actor.user_id is not None
        and BriefParticipant.objects.filter(brief=brief, user_id=actor.user_id).exists()
    )


def version_get(actor: Actor, brief_id: int, number: int | None = None) -> tuple[Brief, BriefVersion]:
    """A brief and one of its versions (default: the latest; for a published brief read by a
    non-writer: the published one)."""
    brief = brief_get(actor, brief_id)
    versions = BriefVersion.objects.filter(brief=brief).select_related("created_by")
    if number is None:
        if brief.status == BriefStatus.PUBLISHED and brief.published_version_id and not may_write(actor):
            version = versions.filter(pk=brief.published_version_id).first()
        else:
            version = versions.order_by("-number").first()
    else:
        version = versions.filter(number=number).first()
    if version is None:
        raise NotFoundOrNoAccess.default()
    return brief, version


def versions_of(brief: Brief) -> list[BriefVersion]:
    return list(
        BriefVersion.objects.filter(brief=brief)
        .only("pk", "number", "writer", "trace_ok", "change_note", "created_at", "brief_id")
        .order_by("-number")
    )
