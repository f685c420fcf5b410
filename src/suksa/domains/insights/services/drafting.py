"""Participatory drafting of a policy brief: invite, comment, amend, decide, endorse.

The cycle (docs/guide/insights/drafting.md)::

    draft ──invite (writer; opens consultation)──▶ consultation ──publish (briefs slice)──▶ published
      participants comment on the brief or one recommendation, propose a new wording of a
      recommendation, endorse recommendations; writers accept or reject each amendment, and an
      accepted amendment writes the next version (``services.briefs.new_version``).

Who may do what (the selectors' :func:`~suksa.domains.insights.selectors_drafting.brief_access`):

- **writers** (``brief.write`` over the brief's unit) invite, comment, propose, decide;
- **participants** (invited; ``brief.participate`` somewhere) comment, propose and endorse while the
  consultation is open (status *consultation*, not past ``consultation_closes_on``);
- nobody contributes to a published or withdrawn brief.

Every amendment's wording passes the number trace against the brief's table of numbers when it is
proposed and again when it is accepted: a wording with a number that cannot be traced to a stored
value is refused, naming the number. Endorsements belong to one version: a new version starts
with none (earlier ones stay on record as "on version n").

Every write runs in one transaction on the brief's row locked for update, writes one audit entry
and raises a bilingual error (changing nothing) when refused.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from suksa.analytics.briefs import trace_numbers
from suksa.core import audit
from suksa.core.dates import format_be
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied, Problem
from suksa.core.models import AuditEntry
from suksa.core.notify import notify
from suksa.core.policy import Actor
from suksa.domains.insights.models import (
    Brief,
    BriefAmendment,
    BriefComment,
    BriefParticipant,
    BriefVersion,
    Endorsement,
)
from suksa.domains.insights.models.choices import AmendmentStatus, BriefStatus
from suksa.domains.insights.selectors_drafting import (
    OPEN_STATUSES,
    BriefAccess,
    brief_access,
    closed_reason,
    current_version,
    eligible_user_ids,
    recommendation,
)
from suksa.domains.insights.services.briefs import new_version

__all__ = [
    "MAX_COMMENT",
    "MAX_INVITES",
    "MAX_REASON",
    "MAX_WORDING",
    "InviteResult",
    "amendment_decide",
    "amendment_propose",
    "comment_add",
    "endorse",
    "endorsement_withdraw",
    "participants_invite",
]

MAX_COMMENT = 4_000  # characters of a comment
MAX_WORDING = 4_000  # characters of an amendment's Thai or English wording
MAX_REASON = 2_000  # characters of an amendment's reason or a decision note
MAX_INVITES = 200  # users invited in one call
SUBJECT = "insights.Brief"
WRITER = "amendment"  # BriefVersion.writer of a version made by accepting an amendment


# --- helpers -------------------------------------------------------------------------------------


def _user_id(actor: Actor) -> int:
    if actor.user_id is None:
        raise PermissionDenied.default()
    return actor.user_id


def _locked(access: BriefAccess) -> Brief:
    """The brief's row locked for update (scope already checked)."""
    return Brief.objects.select_for_update(of=("self",)).select_related("unit").get(pk=access.brief.pk)


def _text(value: Any, field_name: str, limit: int, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise InvalidInput.single(
            "required", "กรุณากรอกข้อความ", "This field must not be empty", field=field_name
        )
    if len(text) > limit:
        raise InvalidInput.single(
            "too_long",
            f"ข้อความยาว {len(text):,} ตัวอักษร เกินกำหนด {limit:,} ตัวอักษร",
            f"The text has {len(text):,} characters; at most {limit:,} are allowed",
            field=field_name,
        )
    return text


def _require_writer(access: BriefAccess) -> None:
    if not access.writer:
        raise PermissionDenied.single(
            "writers_only",
            "เฉพาะผู้เขียนข้อเสนอเชิงนโยบาย (สำนักติดตามและประเมินผล) เท่านั้นที่ทำรายการนี้ได้",
            "Only the brief's writers (the M&E bureau) may do this",
        )


def _require_open(brief: Brief, access: BriefAccess, *, participants_only: bool = False) -> None:
    """Refuse unless the actor may contribute now: writers until the brief is published or
    withdrawn; participants while the consultation is open."""
    if brief.status not in OPEN_STATUSES:
        th, en = closed_reason(brief) or ("", "")
        raise InvalidInput.single("brief_closed", th, en, field="status")
    if access.writer and not participants_only:
        return
    if not access.participant:
        raise PermissionDenied.single(
            "not_invited",
            "คุณไม่ได้รับเชิญให้ร่วมร่างข้อเสนอนี้",
            "You were not invited to take part in this brief",
        )
    reason = closed_reason(brief)
    if reason is not None:
        th, en = reason
        if brief.consultation_closes_on is not None and brief.status == BriefStatus.CONSULTATION:
            th = f"{th} (ปิดเมื่อ {format_be(brief.consultation_closes_on, 'th')})"
            en = f"{en} (on {format_be(brief.consultation_closes_on, 'en')})"
        raise InvalidInput.single("consultation_closed", th, en, field="status")


def _version(brief: Brief) -> BriefVersion:
    version = current_version(brief)
    if version is None:
        raise InvalidInput.single(
            "no_version",
            "ข้อเสนอนี้ยังไม่มีฉบับร่าง",
            "This brief has no version to work on yet",
            field="version",
        )
    return version


def _recommendation(
    version: BriefVersion, key: str, field_name: str = "recommendation_key"
) -> dict[str, Any]:
    rec = recommendation(version, key)
    if rec is None:
        raise InvalidInput.single(
            "unknown_recommendation",
            f"ไม่พบข้อเสนอแนะ “{key}” ในฉบับที่ {version.number}",
            f"Version {version.number} has no recommendation “{key}”",
            field=field_name,
        )
    return rec


def _trace_wording(version: BriefVersion, texts: list[str], field_name: str) -> None:
    """Refuse a wording with a number that is not in the brief's table of numbers."""
    labels = (version.body or {}).get("labels") or ()
    result = trace_numbers(texts, version.numbers or {}, labels=labels)
    if result.ok:
        return
    numbers = ", ".join(dict.fromkeys(f.number for f in result.failures))
    raise InvalidInput(
        [
            Problem(
                code="untraceable_number",
                th=f"ตัวเลข {numbers} ไม่มีในตารางตัวเลขของข้อเสนอ จึงตรวจสอบย้อนกลับไปยังข้อมูลที่บันทึกไว้ไม่ได้ "
                "ให้ใช้เฉพาะตัวเลขที่มีในหลักฐานของข้อเสนอ",
                en=f"The number {numbers} is not in the brief's table of numbers, so it cannot be traced to a "
                "stored value; use only numbers from the brief's evidence",
                field=field_name,
            )
        ]
    )


def _brief_url(brief_id: int) -> str:
    try:
        return reverse("web:brief_participants", args=[brief_id])
    except NoReverseMatch:  # pragma: no cover - the page is registered with this module's slice
        return ""


# --- invite --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InviteResult:
    brief: Brief
    invited: list[int]  # user ids newly invited (and notified)
    already: list[int]  # user ids that were participants before


@transaction.atomic
def participants_invite(
    *,
    actor: Actor,
    brief_id: int,
    user_ids: list[int],
    open_consultation: bool = True,
    closes_on: dt.date | None = None,
) -> InviteResult:
    """Invite users to shape a brief (writers). Each must hold ``brief.participate`` on the
    brief's unit, above it or below it. Newly invited users are notified (kind ``brief.invite``).
    ``open_consultation`` moves a draft into consultation; ``closes_on`` (today or later) sets or
    changes the consultation's closing date."""
    access = brief_access(actor, brief_id)
    _require_writer(access)
    brief = _locked(access)
    if brief.status not in OPEN_STATUSES:
        th, en = closed_reason(brief) or ("", "")
        raise InvalidInput.single("brief_closed", th, en, field="status")
    ids = sorted({int(i) for i in user_ids})
    if not ids:
        raise InvalidInput.single(
            "required",
            "กรุณาเลือกผู้ที่จะเชิญอย่างน้อยหนึ่งคน",
            "Choose at least one person to invite",
            field="user_ids",
        )
    if len(ids) > MAX_INVITES:
        raise InvalidInput.single(
            "too_many",
            f"เชิญได้ครั้งละไม่เกิน {MAX_INVITES:,} คน",
            f"At most {MAX_INVITES:,} people can be invited at once",
            field="user_ids",
        )
    eligible = eligible_user_ids(brief, ids)
    refused = [i for i in ids if i not in eligible]
    if refused:
        listed = ", ".join(str(i) for i in refused)
        raise InvalidInput.single(
            "not_eligible",
            f"ผู้ใช้ {listed} ไม่มีบทบาทที่ร่วมร่างข้อเสนอนี้ได้ (บทบาทระดับชาติหรือเขตพื้นที่ที่เกี่ยวข้อง)",
            f"User(s) {listed} hold no role that may take part in this brief (a national role or one of "
            "the offices concerned)",
            field="user_ids",
        )
    today = timezone.localdate()
    if closes_on is not None and closes_on < today:
        raise InvalidInput.single(
            "closes_in_past",
            f"วันปิดรับความคิดเห็นต้องไม่ก่อนวันนี้ ({format_be(today, 'th')})",
            f"The closing date must not be before today ({format_be(today, 'en')})",
            field="closes_on",
        )
    already = set(
        BriefParticipant.objects.filter(brief=brief, user_id__in=ids).values_list("user_id", flat=True)
    )
    new = [i for i in ids if i not in already]
    now = timezone.now()
    BriefParticipant.objects.bulk_create(
        [
            BriefParticipant(brief=brief, user_id=uid, invited_by_id=actor.user_id, invited_at=now)
            for uid in new
        ]
    )
    before = audit.snapshot(brief, ["status", "consultation_closes_on"])
    if open_consultation and brief.status == BriefStatus.DRAFT:
        brief.status = BriefStatus.CONSULTATION
    if closes_on is not None:
        brief.consultation_closes_on = closes_on
    brief.save(update_fields=["status", "consultation_closes_on"])
    after = audit.snapshot(brief, ["status", "consultation_closes_on"])
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="insights.brief",
        object_id=brief.pk,
        object_repr=brief.title_th,
        unit_path=brief.unit.path,
        changes={
            "event": "brief.invite",
            "invited": new,
            "already": sorted(already),
            **audit.diff(before, after),
        },
    )
    if new:
        closes_th = (
            f" ปิดรับความคิดเห็นวันที่ {format_be(brief.consultation_closes_on, 'th')}"
            if brief.consultation_closes_on
            else ""
        )
        closes_en = (
            f" Comments close on {format_be(brief.consultation_closes_on, 'en')}."
            if brief.consultation_closes_on
            else ""
        )
        notify(
            users=new,
            kind="brief.invite",
            title_th=f"ขอเชิญร่วมร่างข้อเสนอเชิงนโยบาย: {brief.title_th}",
            title_en=f"You are invited to shape a policy brief: {brief.title_en or brief.title_th}",
            body_th="ท่านแสดงความคิดเห็น เสนอแก้ไขถ้อยคำ และรับรองข้อเสนอแนะของร่างนี้ได้" + closes_th,
            body_en="You may comment on the draft, propose new wording and endorse its recommendations."
            + closes_en,
            url=_brief_url(brief.pk),
            subject_type=SUBJECT,
            subject_id=brief.pk,
        )
    return InviteResult(brief=brief, invited=new, already=sorted(already))


# --- comment -------------------------------------------------------------------------------------


@transaction.atomic
def comment_add(*, actor: Actor, brief_id: int, text: str, recommendation_key: str = "") -> BriefComment:
    """Comment on the current version: on the whole brief (no key) or on one recommendation."""
    uid = _user_id(actor)
    access = brief_access(actor, brief_id)
    brief = _locked(access)
    _require_open(brief, access)
    body = _text(text, "text", MAX_COMMENT)
    version = _version(brief)
    key = str(recommendation_key or "").strip()
    if key:
        _recommendation(version, key)
    row = BriefComment.objects.create(
        brief=brief, version=version, recommendation_key=key, author_id=uid, text=body
    )
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="insights.briefcomment",
        object_id=row.pk,
        object_repr=f"brief {brief.pk} v{version.number} {key or '-'}",
        unit_path=brief.unit.path,
        changes={
            "event": "brief.comment",
            "brief": brief.pk,
            "version": version.number,
            "recommendation_key": key,
            "chars": len(body),
        },
    )
    return row


# --- amend ---------------------------------------------------------------------------------------


@transaction.atomic
def amendment_propose(
    *,
    actor: Actor,
    brief_id: int,
    recommendation_key: str,
    text_th: str,
    text_en: str = "",
    reason: str = "",
) -> BriefAmendment:
    """Propose a new wording of one recommendation of the current version. The wording's numbers
    must all be in the brief's table of numbers."""
    uid = _user_id(actor)
    access = brief_access(actor, brief_id)
    brief = _locked(access)
    _require_open(brief, access)
    version = _version(brief)
    key = str(recommendation_key or "").strip()
    if not key:
        raise InvalidInput.single(
            "required",
            "กรุณาเลือกข้อเสนอแนะที่จะแก้ไข",
            "Choose the recommendation to amend",
            field="recommendation_key",
        )
    rec = _recommendation(version, key)
    th = _text(text_th, "text_th", MAX_WORDING)
    en = _text(text_en, "text_en", MAX_WORDING, required=False)
    why = _text(reason, "reason", MAX_REASON, required=False)
    if th == str(rec.get("text_th", "")).strip() and en in ("", str(rec.get("text_en", "")).strip()):
        raise InvalidInput.single(
            "unchanged",
            "ถ้อยคำที่เสนอเหมือนกับฉบับปัจจุบัน",
            "The proposed wording is the same as the current one",
            field="text_th",
        )
    _trace_wording(version, [th], "text_th")
    _trace_wording(version, [en], "text_en")
    row = BriefAmendment.objects.create(
        brief=brief,
        version=version,
        recommendation_key=key,
        text_th=th,
        text_en=en,
        reason=why,
        author_id=uid,
    )
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="insights.briefamendment",
        object_id=row.pk,
        object_repr=f"brief {brief.pk} v{version.number} {key}",
        unit_path=brief.unit.path,
        changes={
            "event": "brief.amendment_propose",
            "brief": brief.pk,
            "version": version.number,
            "recommendation_key": key,
        },
    )
    return row


@transaction.atomic
def amendment_decide(*, actor: Actor, amendment_id: int, accept: bool, note: str = "") -> BriefAmendment:
    """Accept or reject a proposed amendment (writers). Accepting writes the next version, in
    which the recommendation's wording is replaced (its evidence kept); an amendment proposed on
    an earlier version replaces the wording of the current one. A rejection needs a note."""
    amendment = BriefAmendment.objects.filter(pk=amendment_id).only("pk", "brief_id").first()
    if amendment is None:
        raise NotFoundOrNoAccess.default()
    access = brief_access(actor, amendment.brief_id)
    _require_writer(access)
    brief = _locked(access)
    amendment = (
        BriefAmendment.objects.select_for_update(of=("self",)).select_related("version").get(pk=amendment_id)
    )
    if brief.status not in OPEN_STATUSES:
        th, en = closed_reason(brief) or ("", "")
        raise InvalidInput.single("brief_closed", th, en, field="status")
    if amendment.status != AmendmentStatus.PROPOSED:
        raise InvalidInput.single(
            "already_decided",
            "ข้อเสนอแก้ไขนี้ได้รับการพิจารณาแล้ว",
            "This amendment has already been decided",
            field="amendment",
        )
    why = _text(note, "note", MAX_REASON, required=not accept)
    resulting: BriefVersion | None = None
    if accept:
        resulting = _apply(actor, brief, amendment, why)
    amendment.status = AmendmentStatus.ACCEPTED if accept else AmendmentStatus.REJECTED
    amendment.decided_by_id = actor.user_id
    amendment.decided_at = timezone.now()
    amendment.decision_note = why
    amendment.resulting_version = resulting
    amendment.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "resulting_version"])
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="insights.briefamendment",
        object_id=amendment.pk,
        object_repr=f"brief {brief.pk} {amendment.recommendation_key}",
        unit_path=brief.unit.path,
        changes={
            "event": "brief.amendment_accept" if accept else "brief.amendment_reject",
            "proposed_on_version": amendment.version.number,
            "resulting_version": resulting.number if resulting else None,
            "note": why,
        },
    )
    if amendment.author_id != actor.user_id:
        notify(
            users=[amendment.author_id],
            kind="brief.amendment_decided",
            title_th=("รับ" if accept else "ไม่รับ") + f"ข้อเสนอแก้ไขของท่าน: {brief.title_th}",
            title_en=("Your amendment was accepted" if accept else "Your amendment was not accepted")
            + f": {brief.title_en or brief.title_th}",
            body_th=why,
            body_en=why,
            url=_brief_url(brief.pk),
            subject_type="insights.BriefAmendment",
            subject_id=amendment.pk,
        )
    return amendment


def _apply(actor: Actor, brief: Brief, amendment: BriefAmendment, note: str) -> BriefVersion:
    """Write the version with the amendment's wording (its numbers traced first)."""
    current = _version(brief)
    body = copy.deepcopy(current.body or {})
    target = next(
        (r for r in body.get("recommendations") or [] if str(r.get("key")) == amendment.recommendation_key),
        None,
    )
    if target is None:
        raise InvalidInput.single(
            "recommendation_gone",
            f"ฉบับที่ {current.number} ไม่มีข้อเสนอแนะ “{amendment.recommendation_key}” แล้ว",
            f"Version {current.number} no longer has recommendation “{amendment.recommendation_key}”",
            field="recommendation_key",
        )
    _trace_wording(current, [amendment.text_th], "text_th")
    _trace_wording(current, [amendment.text_en], "text_en")
    target["text_th"] = amendment.text_th
    if amendment.text_en:
        target["text_en"] = amendment.text_en
    stale = (
        f" (เสนอต่อฉบับที่ {amendment.version.number} / proposed on version {amendment.version.number})"
        if amendment.version_id != current.pk
        else ""
    )
    change_note = (
        f"รับข้อเสนอแก้ไข #{amendment.pk} ข้อเสนอแนะ {amendment.recommendation_key} / "
        f"Accepted amendment #{amendment.pk} to recommendation {amendment.recommendation_key}{stale}"
    )
    if note:
        change_note += f": {note}"
    return new_version(
        brief=brief,
        body=body,
        numbers=copy.deepcopy(current.numbers or {}),
        actor=actor,
        change_note=change_note,
        writer=WRITER,
    )


# --- endorse -------------------------------------------------------------------------------------


@transaction.atomic
def endorse(*, actor: Actor, brief_id: int, recommendation_key: str) -> Endorsement:
    """Endorse one recommendation as worded in the current version (participants; once)."""
    uid = _user_id(actor)
    access = brief_access(actor, brief_id)
    brief = _locked(access)
    _require_open(brief, access, participants_only=True)
    version = _version(brief)
    key = str(recommendation_key or "").strip()
    _recommendation(version, key)
    if Endorsement.objects.filter(version=version, recommendation_key=key, user_id=uid).exists():
        raise InvalidInput.single(
            "already_endorsed",
            f"ท่านรับรองข้อเสนอแนะ “{key}” ของฉบับที่ {version.number} แล้ว",
            f"You have already endorsed recommendation “{key}” of version {version.number}",
            field="recommendation_key",
        )
    row = Endorsement.objects.create(brief=brief, version=version, recommendation_key=key, user_id=uid)
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="insights.endorsement",
        object_id=row.pk,
        object_repr=f"brief {brief.pk} v{version.number} {key}",
        unit_path=brief.unit.path,
        changes={
            "event": "brief.endorse",
            "brief": brief.pk,
            "version": version.number,
            "recommendation_key": key,
        },
    )
    return row


@transaction.atomic
def endorsement_withdraw(*, actor: Actor, brief_id: int, recommendation_key: str) -> None:
    """Withdraw one's endorsement of a recommendation of the current version."""
    uid = _user_id(actor)
    access = brief_access(actor, brief_id)
    brief = _locked(access)
    _require_open(brief, access, participants_only=True)
    version = _version(brief)
    key = str(recommendation_key or "").strip()
    _recommendation(version, key)
    row = Endorsement.objects.filter(version=version, recommendation_key=key, user_id=uid).first()
    if row is None:
        raise InvalidInput.single(
            "not_endorsed",
            f"ท่านยังไม่ได้รับรองข้อเสนอแนะ “{key}” ของฉบับที่ {version.number}",
            f"You have not endorsed recommendation “{key}” of version {version.number}",
            field="recommendation_key",
        )
    audit.record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        object_type="insights.endorsement",
        object_id=row.pk,
        object_repr=f"brief {brief.pk} v{version.number} {key}",
        unit_path=brief.unit.path,
        changes={
            "event": "brief.endorsement_withdraw",
            "brief": brief.pk,
            "version": version.number,
            "recommendation_key": key,
        },
    )
    row.delete()
