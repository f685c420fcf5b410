"""Read rules of participatory drafting: who reaches a brief's drafting state, and what they see.

Who reaches a brief (:func:`brief_access`; anyone else gets the same 404 as for a missing brief):

- **writers**: ``brief.write`` over the brief's unit (the bureau's M&E officers);
- **participants**: invited to the brief (``BriefParticipant``) and still holding
  ``brief.participate`` somewhere — an ESA officer invited to a national brief reads that brief's
  drafting state and nothing else of the nation's;
- **readers** of a *published* brief: ``brief.view`` on its unit or below it (as for the brief
  itself); they see the record of who contributed, read only.

A draft and a withdrawn brief are never shown to a reader who was not invited.

:func:`drafting_state` loads everything a drafting page shows in a fixed number of queries
(whatever the number of comments, amendments, endorsements and versions). :func:`brief_contributors`
is the final brief's record (contributors, endorsements and evidence per recommendation); it takes
the brief itself, so the caller has already checked access. :func:`word_diff` compares two wordings
word by word (Thai split with PyThaiNLP ``newmm``).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.i18n import pick
from suksa.core.lookups import subtree_q
from suksa.core.policy import ROLE_LABELS, Actor, Perm, Role, roles_with
from suksa.domains.accounts.models import RoleAssignment, User
from suksa.domains.insights.models import (
    Brief,
    BriefAmendment,
    BriefComment,
    BriefParticipant,
    BriefVersion,
    Endorsement,
)
from suksa.domains.insights.models.choices import AmendmentStatus, BriefStatus
from suksa.domains.insights.selectors import can_see_unit
from suksa.domains.monitoring.models import Indicator

OPEN_STATUSES = (str(BriefStatus.DRAFT), str(BriefStatus.CONSULTATION))
ELIGIBLE_LIMIT = 50  # users offered by the invite search at once


# --- access ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BriefAccess:
    """A brief and what the actor may do with its drafting."""

    brief: Brief
    writer: bool
    participant: bool

    @property
    def contributor(self) -> bool:
        return self.writer or self.participant


def is_writer(actor: Actor, brief: Brief) -> bool:
    return actor.can(Perm.BRIEF_WRITE, brief.unit.path)


def is_participant(actor: Actor, brief: Brief) -> bool:
    if actor.user_id is None or not actor.can_anywhere(Perm.BRIEF_PARTICIPATE):
        return False
    return BriefParticipant.objects.filter(brief_id=brief.pk, user_id=actor.user_id).exists()


def brief_access(actor: Actor, brief_id: int) -> BriefAccess:
    """The brief with the actor's standing, or 404 when they may not reach it."""
    brief = Brief.objects.select_related("unit", "round").filter(pk=brief_id).first()
    if brief is None or actor.user_id is None:
        raise NotFoundOrNoAccess.default()
    writer = is_writer(actor, brief)
    participant = is_participant(actor, brief)
    reader = brief.status == BriefStatus.PUBLISHED and can_see_unit(actor, brief.unit, Perm.BRIEF_VIEW)
    if not (writer or participant or reader):
        raise NotFoundOrNoAccess.default()
    return BriefAccess(brief=brief, writer=writer, participant=participant)


def current_version(brief: Brief) -> BriefVersion | None:
    """The latest version (what participants comment on, amend and endorse)."""
    return BriefVersion.objects.filter(brief_id=brief.pk).order_by("-number").first()


def closed_reason(brief: Brief, today: dt.date | None = None) -> tuple[str, str] | None:
    """Why participants may not contribute now (Thai, English), or None when they may."""
    if brief.status == BriefStatus.DRAFT:
        return (
            "ยังไม่เปิดรับความคิดเห็น (ร่างของผู้เขียน)",
            "Consultation has not opened yet (the writers' draft)",
        )
    if brief.status != BriefStatus.CONSULTATION:
        return (
            "ข้อเสนอนี้เผยแพร่หรือถอนแล้ว จึงไม่รับความคิดเห็นเพิ่ม",
            "This brief is published or withdrawn: it takes no more contributions",
        )
    day = today or timezone.localdate()
    if brief.consultation_closes_on is not None and day > brief.consultation_closes_on:
        return ("ปิดรับความคิดเห็นแล้ว", "The consultation has closed")
    return None


# --- recommendations ------------------------------------------------------------------------------


def recommendations(version: BriefVersion | None) -> list[dict[str, Any]]:
    """The version's recommendations (``{key, text_th, text_en, evidence}``), in order."""
    if version is None:
        return []
    items = (version.body or {}).get("recommendations") or []
    return [r for r in items if isinstance(r, dict) and r.get("key")]


def recommendation(version: BriefVersion | None, key: str) -> dict[str, Any] | None:
    return next((r for r in recommendations(version) if str(r["key"]) == key), None)


def evidence_refs(
    rec: dict[str, Any], numbers: dict[str, Any], names: dict[str, tuple[str, str]] | None = None
) -> list[dict[str, Any]]:
    """The stored values a recommendation rests on: each evidence reference resolved against the
    version's ``numbers`` (``ref`` is the key; unknown keys are kept with ``found = False``).
    ``names`` (catalogue code → Thai, English) words each number's indicator."""
    out: list[dict[str, Any]] = []
    for item in rec.get("evidence") or []:
        if isinstance(item, dict):
            key = str(item.get("ref") or item.get("key") or "")
            data = {**(numbers.get(key) or {}), **item} if key else dict(item)
        else:
            key = str(item)
            data = dict(numbers.get(key) or {})
        out.append(
            {
                "ref": key,
                "found": bool(data),
                "display": data.get("display", ""),
                "value": data.get("value"),
                "indicator": data.get("indicator", ""),
                "indicator_name": pick(*names[str(data.get("indicator"))])
                if names and str(data.get("indicator")) in names
                else data.get("indicator", ""),
                "period": data.get("period", ""),
                "unit_id": data.get("unit_id"),
                "source": data.get("source") or {},
            }
        )
    return out


# --- the drafting state ---------------------------------------------------------------------------


@dataclass
class RecommendationView:
    key: str
    text_th: str
    text_en: str
    evidence: list[dict[str, Any]]
    endorsements: int  # on the current version
    endorsed_by_me: bool
    earlier: list[tuple[int, int]]  # (version number, endorsements) of earlier versions
    comments: list[BriefComment] = field(default_factory=list)
    amendments: list[BriefAmendment] = field(default_factory=list)


@dataclass
class DraftingState:
    access: BriefAccess
    version: BriefVersion | None
    versions: list[BriefVersion]
    recommendations: list[RecommendationView]
    general_comments: list[BriefComment]
    amendments: list[BriefAmendment]  # every amendment, oldest first
    participants: list[BriefParticipant]
    closed: tuple[str, str] | None  # why participants may not contribute now

    @property
    def brief(self) -> Brief:
        return self.access.brief

    @property
    def pending(self) -> list[BriefAmendment]:
        return [a for a in self.amendments if a.status == AmendmentStatus.PROPOSED]

    @property
    def may_contribute(self) -> bool:
        """Comment and propose amendments now (writers: until published; participants: while
        the consultation is open)."""
        if self.brief.status not in OPEN_STATUSES or self.version is None:
            return False
        return self.access.writer or (self.access.participant and self.closed is None)

    @property
    def may_endorse(self) -> bool:
        return self.access.participant and self.closed is None and self.version is not None

    @property
    def may_decide(self) -> bool:
        return self.access.writer and self.brief.status in OPEN_STATUSES


def drafting_state(actor: Actor, brief_id: int) -> DraftingState:
    """Everything a drafting page shows, in a fixed number of queries."""
    access = brief_access(actor, brief_id)
    brief = access.brief
    versions = list(BriefVersion.objects.filter(brief=brief).select_related("created_by").order_by("number"))
    version = versions[-1] if versions else None
    by_id = {v.pk: v for v in versions}
    comments = list(
        BriefComment.objects.filter(brief=brief).select_related("author").order_by("created_at", "pk")
    )
    amendments = list(
        BriefAmendment.objects.filter(brief=brief)
        .select_related("author", "decided_by")
        .order_by("created_at", "pk")
    )
    for c in comments:
        c.version_number = by_id[c.version_id].number  # type: ignore[attr-defined]
    for a in amendments:
        a.version_number = by_id[a.version_id].number  # type: ignore[attr-defined]
        a.resulting_number = by_id[a.resulting_version_id].number if a.resulting_version_id in by_id else None  # type: ignore[attr-defined]
    endorsements = list(
        Endorsement.objects.filter(brief=brief).values_list("version_id", "recommendation_key", "user_id")
    )
    counts: Counter[tuple[int, str]] = Counter((v, k) for v, k, _ in endorsements)
    mine = {(v, k) for v, k, u in endorsements if u == actor.user_id}
    participants = list(
        BriefParticipant.objects.filter(brief=brief).select_related("user").order_by("invited_at", "pk")
    )
    _attach_roles([p.user for p in participants])
    comments_by_key: dict[str, list[BriefComment]] = defaultdict(list)
    for c in comments:
        comments_by_key[c.recommendation_key].append(c)
    amendments_by_key: dict[str, list[BriefAmendment]] = defaultdict(list)
    for a in amendments:
        amendments_by_key[a.recommendation_key].append(a)
    numbers = version.numbers if version is not None else {}
    names = {
        code: (th, en)
        for code, th, en in Indicator.objects.filter(is_current=True).values_list(
            "code", "name_th", "name_en"
        )
    }
    views = [
        RecommendationView(
            key=str(r["key"]),
            text_th=str(r.get("text_th", "")),
            text_en=str(r.get("text_en", "")),
            evidence=evidence_refs(r, numbers or {}, names),
            endorsements=counts.get((version.pk, str(r["key"])), 0) if version else 0,
            endorsed_by_me=version is not None and (version.pk, str(r["key"])) in mine,
            earlier=[
                (v.number, counts[(v.pk, str(r["key"]))])
                for v in versions[:-1]
                if counts.get((v.pk, str(r["key"])), 0)
            ],
            comments=comments_by_key.get(str(r["key"]), []),
            amendments=amendments_by_key.get(str(r["key"]), []),
        )
        for r in recommendations(version)
    ]
    return DraftingState(
        access=access,
        version=version,
        versions=versions,
        recommendations=views,
        general_comments=comments_by_key.get("", []),
        amendments=amendments,
        participants=participants,
        closed=closed_reason(brief),
    )


def _attach_roles(users: list[User]) -> None:
    """Set ``role_labels`` (Thai, English pairs with the unit code) on each user: one query."""
    rows = (
        RoleAssignment.objects.filter(user__in=users, revoked_at__isnull=True)
        .values_list("user_id", "role", "unit__code")
        .order_by("user_id", "role")
    )
    labels: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for uid, role, code in rows:
        th, en = ROLE_LABELS.get(Role(role), (role, role))
        labels[uid].append((th, en, code))
    for u in users:
        u.role_labels = labels.get(u.pk, [])  # type: ignore[attr-defined]


def comments_for(access: BriefAccess) -> QuerySet[BriefComment]:
    return (
        BriefComment.objects.filter(brief=access.brief)
        .select_related("author", "version")
        .order_by("created_at", "pk")
    )


def amendments_for(access: BriefAccess) -> QuerySet[BriefAmendment]:
    return (
        BriefAmendment.objects.filter(brief=access.brief)
        .select_related("author", "decided_by", "version", "resulting_version")
        .order_by("created_at", "pk")
    )


def endorsements_for(access: BriefAccess) -> QuerySet[Endorsement]:
    return (
        Endorsement.objects.filter(brief=access.brief)
        .select_related("user", "version")
        .order_by("version__number", "recommendation_key", "created_at", "pk")
    )


# --- who may be invited ---------------------------------------------------------------------------


def participation_roles() -> list[str]:
    return [str(r) for r in roles_with(Perm.BRIEF_PARTICIPATE)]


def eligible_q(brief: Brief) -> Q:
    """Role assignments that let their holder take part in this brief: ``brief.participate``
    granted on the brief's unit, above it (national and regional roles), or below it (the ESAs of
    a national or regional brief). An ESA's staff are never offered another ESA's brief."""
    path = brief.unit.path
    parts = [p for p in path.split("/") if p]
    above = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]
    return Q(role__in=participation_roles(), revoked_at__isnull=True, unit__is_active=True) & (
        Q(unit__path__in=above) | subtree_q(path, "unit__path")
    )


def eligible_user_ids(brief: Brief, user_ids: list[int]) -> set[int]:
    return set(
        RoleAssignment.objects.filter(eligible_q(brief), user_id__in=user_ids, user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )


def eligible_users(brief: Brief, query: str = "", limit: int = ELIGIBLE_LIMIT) -> list[User]:
    """Users who may be invited (not yet participants), matching ``query`` in their username or
    Thai/English names; with ``role_labels``. For writers only (the caller checks)."""
    assignments = RoleAssignment.objects.filter(eligible_q(brief))
    users = (
        User.objects.filter(is_active=True, pk__in=assignments.values("user_id"))
        .exclude(pk__in=BriefParticipant.objects.filter(brief=brief).values("user_id"))
        .order_by("username")
    )
    q = query.strip()[:100]
    if q:
        users = users.filter(
            Q(username__icontains=q)
            | Q(first_name_th__icontains=q)
            | Q(last_name_th__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
        )
    found = list(users[:limit])
    _attach_roles(found)
    return found


# --- versions and their differences ---------------------------------------------------------------


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    from pythainlp.tokenize import word_tokenize  # loaded on first use: ~1 s

    return word_tokenize


def tokens(text: str) -> list[str]:
    """Words of a Thai (or English) text, spaces kept as tokens so the text can be rebuilt."""
    if not text:
        return []
    return [t for t in _tokenizer()(text, engine="newmm", keep_whitespace=True) if t]


@dataclass(frozen=True)
class DiffPiece:
    op: str  # equal | insert | delete
    text: str


def word_diff(old: str, new: str) -> list[DiffPiece]:
    """Word-level differences between two wordings (a deletion before its replacement)."""
    a, b = tokens(old), tokens(new)
    pieces: list[DiffPiece] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(DiffPiece("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            pieces.append(DiffPiece("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            pieces.append(DiffPiece("insert", "".join(b[j1:j2])))
    return pieces


@dataclass(frozen=True)
class RecommendationDiff:
    key: str
    old_number: int
    new_number: int
    th: list[DiffPiece]
    en: list[DiffPiece]
    missing_in: list[int]  # version numbers in which the recommendation does not exist


def recommendation_diff(actor: Actor, brief_id: int, key: str, old: int, new: int) -> RecommendationDiff:
    """The word-level difference of one recommendation between two versions of a brief."""
    access = brief_access(actor, brief_id)
    versions = {v.number: v for v in BriefVersion.objects.filter(brief=access.brief, number__in=[old, new])}
    if old not in versions or new not in versions:
        raise NotFoundOrNoAccess.default()
    a, b = recommendation(versions[old], key), recommendation(versions[new], key)
    if a is None and b is None:
        raise NotFoundOrNoAccess.default()
    missing = [n for n, r in ((old, a), (new, b)) if r is None]
    a, b = a or {}, b or {}
    return RecommendationDiff(
        key=key,
        old_number=old,
        new_number=new,
        th=word_diff(str(a.get("text_th", "")), str(b.get("text_th", ""))),
        en=word_diff(str(a.get("text_en", "")), str(b.get("text_en", ""))),
        missing_in=missing,
    )


# --- the final brief's record ---------------------------------------------------------------------


@dataclass
class Contributor:
    user_id: int
    name_th: str
    name_en: str
    roles: list[tuple[str, str, str]]  # (Thai, English, unit code)
    invited: bool
    comments: int = 0
    amendments_proposed: int = 0  # still pending
    amendments_accepted: int = 0
    amendments_rejected: int = 0
    endorsements: int = 0  # of any version

    @property
    def contributed(self) -> bool:
        return bool(
            self.comments
            + self.amendments_proposed
            + self.amendments_accepted
            + self.amendments_rejected
            + self.endorsements
        )


@dataclass
class RecommendationRecord:
    key: str
    text_th: str
    text_en: str
    endorsements: int  # on the version shown
    endorsed_by: list[int]  # user ids, on the version shown
    earlier_endorsements: dict[int, int]  # version number → count, for earlier versions
    amendments_accepted: int
    evidence: list[dict[str, Any]]


@dataclass
class BriefContributors:
    brief_id: int
    version_number: int | None
    contributors: list[Contributor]  # those who contributed, most active first
    invited_silent: list[Contributor]  # invited participants who did not contribute
    recommendations: list[RecommendationRecord]


def brief_contributors(brief: Brief, version: BriefVersion | None = None) -> BriefContributors:
    """Who shaped ``brief`` and what each recommendation rests on, for the final brief (page,
    PDF, Word). ``version`` defaults to the published version, else the latest. Participants who
    commented, proposed amendments (pending, accepted or rejected) or endorsed are contributors;
    authors who were not invited (writers) are listed too. Eight queries, whatever the size.

    The caller has checked that its actor may read the brief.
    """
    if version is None:
        version = brief.published_version if brief.published_version_id else current_version(brief)
    numbers_by_version = dict(BriefVersion.objects.filter(brief=brief).values_list("pk", "number"))
    people: dict[int, Contributor] = {}
    invited_ids = set(BriefParticipant.objects.filter(brief=brief).values_list("user_id", flat=True))

    def person(uid: int) -> Contributor:
        if uid not in people:
            people[uid] = Contributor(
                user_id=uid, name_th="", name_en="", roles=[], invited=uid in invited_ids
            )
        return people[uid]

    for uid in invited_ids:
        person(uid)
    for uid in BriefComment.objects.filter(brief=brief).values_list("author_id", flat=True):
        person(uid).comments += 1
    accepted_by_key: Counter[str] = Counter()
    for uid, status, key in BriefAmendment.objects.filter(brief=brief).values_list(
        "author_id", "status", "recommendation_key"
    ):
        p = person(uid)
        if status == AmendmentStatus.ACCEPTED:
            p.amendments_accepted += 1
            accepted_by_key[key] += 1
        elif status == AmendmentStatus.REJECTED:
            p.amendments_rejected += 1
        else:
            p.amendments_proposed += 1
    endorsed: dict[tuple[int, str], list[int]] = defaultdict(list)
    for uid, vid, key in Endorsement.objects.filter(brief=brief).values_list(
        "user_id", "version_id", "recommendation_key"
    ):
        person(uid).endorsements += 1
        endorsed[(vid, key)].append(uid)
    users = list(User.objects.filter(pk__in=list(people)))
    _attach_roles(users)
    for u in users:
        p = people[u.pk]
        p.name_th, p.name_en, p.roles = u.display_name("th"), u.display_name("en"), u.role_labels  # type: ignore[attr-defined]

    def activity(c: Contributor) -> tuple[int, str]:
        amended = c.amendments_accepted + c.amendments_rejected + c.amendments_proposed
        score = c.comments + c.endorsements + 2 * amended + c.amendments_accepted
        return (-score, c.name_th)

    everyone = sorted(people.values(), key=activity)
    records = [
        RecommendationRecord(
            key=str(r["key"]),
            text_th=str(r.get("text_th", "")),
            text_en=str(r.get("text_en", "")),
            endorsements=len(endorsed.get((version.pk, str(r["key"])), [])) if version else 0,
            endorsed_by=sorted(endorsed.get((version.pk, str(r["key"])), [])) if version else [],
            earlier_endorsements={
                numbers_by_version[vid]: len(uids)
                for (vid, key), uids in sorted(endorsed.items())
                if key == str(r["key"]) and version is not None and vid != version.pk
            },
            amendments_accepted=accepted_by_key.get(str(r["key"]), 0),
            evidence=evidence_refs(r, (version.numbers if version else {}) or {}),
        )
        for r in recommendations(version)
    ]
    return BriefContributors(
        brief_id=brief.pk,
        version_number=version.number if version else None,
        contributors=[c for c in everyone if c.contributed],
        invited_silent=[c for c in everyone if not c.contributed and c.invited],
        recommendations=records,
    )
