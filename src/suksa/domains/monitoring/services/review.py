"""The review workflow of an ESA report: submit, assign, review, return or approve, lock, amend.

States and who moves a report between them::

    draft ──submit (ESA director)──▶ submitted ──start (reviewer)──▶ in_review
      ▲                                                                 │
      └──────────── returned ◀──return with reasons (reviewer)──────────┤
                      │                                                 ▼
                      └──submit again──▶ submitted          approved (reviewer) ──lock (bureau)──▶ locked

- **Submit** (``report.submit``: the ESA director only): from draft or returned, while the round is
  open (not before ``opens_on``; after ``due_on`` it is accepted and counted late; after
  ``locks_on`` refused, naming the lock date). The data-quality check must pass: no blocking issue,
  every warning answered with a comment. Optimistic lock as for every ESA write.
- **Assign** (``monitoring.manage``): one reviewer for many reports; the reviewer must hold
  ``report.review`` over each report's ESA.
- **Review** (the assigned reviewer, or an M&E officer): start (submitted → in_review, opens a
  ``Review``), score each standard 1–4 (``RUBRIC``) with a comment, comment on items, verify each
  outstanding work (``services.works.work_verify``), then return with reasons or approve. Approval
  needs a score for every standard of the framework and no work still pending verification.
- **Lock** (``monitoring.manage``): approved → locked, one by one or the whole round.
- **Amend** (``monitoring.manage``, locked reports only): an explicit change with its reason; the
  old and new values are kept in an ``Amendment`` row shown on the report.

Every write runs in one transaction on the report's row locked for update, checks its own
permission and the report's state, and writes one audit entry (bulk writes: one summary entry). A
refusal raises a bilingual error and changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from suksa.core import audit
from suksa.core.dates import format_be
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied, Problem
from suksa.core.i18n import label_pair
from suksa.core.models import AuditEntry
from suksa.core.policy import Actor, Perm
from suksa.domains.monitoring.models import (
    RUBRIC,
    Amendment,
    EvidenceFile,
    ItemComment,
    NarrativeEntry,
    OutstandingWork,
    Report,
    ReportValue,
    Review,
    Standard,
    StandardScore,
)
from suksa.domains.monitoring.models.choices import Decision, ReportStatus, ValueType, Verification
from suksa.domains.monitoring.selectors import report_for_review, report_get, reports_visible_to
from suksa.domains.monitoring.services.locking import bump, report_for_write, today

__all__ = [
    "AMENDABLE_FIELDS",
    "COMMENT_TARGETS",
    "LockResult",
    "framework_standards",
    "item_comment_add",
    "on_report_approved",
    "open_review",
    "report_amend",
    "report_approve",
    "report_lock",
    "report_return",
    "report_submit",
    "review_start",
    "reviewer_assign",
    "score_set",
    "submitted_late",
]

# What a reviewer may comment on, and what an amendment may change (target kind → fields).
COMMENT_TARGETS = ("value", "narrative", "work", "evidence", "general")
AMENDABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "value": ("value", "comment"),
    "narrative": ("text",),
    "work": ("title", "description", "practices", "results_claimed", "verification", "verification_note"),
}
MAX_TEXT = 20_000
MAX_BULK = 1_000


# --- helpers -------------------------------------------------------------------------------------


def _status_label(status: str) -> tuple[str, str]:
    return label_pair(ReportStatus(status).label)


def _illegal(report: Report, action_th: str, action_en: str) -> InvalidInput:
    th, en = _status_label(report.status)
    return InvalidInput(
        [
            Problem(
                code="illegal_transition",
                th=f"รายงานอยู่ในสถานะ “{th}” จึง{action_th}ไม่ได้",
                en=f"The report is {en.lower()}: it cannot be {action_en}",
                field="status",
            )
        ]
    )


def _locked(report_id: int) -> Report:
    """The report's row, locked for update (the caller has already checked scope)."""
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("round__framework", "esa")
        .get(pk=report_id)
    )


def _user_id(actor: Actor) -> int:
    if actor.user_id is None:
        raise PermissionDenied.default()
    return actor.user_id


def _text(value: Any, code: str, th: str, en: str, field_name: str, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise InvalidInput.single(code, th, en, field=field_name)
    if len(text) > MAX_TEXT:
        raise InvalidInput.single(
            "too_long",
            f"ข้อความยาวเกิน {MAX_TEXT:,} ตัวอักษร",
            f"The text is longer than {MAX_TEXT:,} characters",
            field=field_name,
        )
    return text


def submitted_late(report: Report) -> bool:
    """Was the report (last) submitted after its round's due date (local calendar day)?"""
    if report.submitted_at is None:
        return False
    return timezone.localdate(report.submitted_at) > report.round.due_on


def framework_standards(framework_id: int) -> list[Standard]:
    """The standards a framework reports on: those of its indicators and narrative sections."""
    return list(
        Standard.objects.filter(
            Q(framework_items__framework_id=framework_id) | Q(sections__framework_id=framework_id)
        )
        .distinct()
        .order_by("order", "code")
    )


def open_review(report: Report) -> Review | None:
    """The review under way (no decision yet) of a report, if any."""
    return Review.objects.filter(report=report, decision="").order_by("-started_at", "-pk").first()


def _review_for_write(actor: Actor, report_id: int, action_th: str, action_en: str) -> tuple[Report, Review]:
    """The report (locked) and its open review, for a reviewer's write while in review."""
    report_for_review(actor, report_id)  # 404 out of scope, 403 not the assigned reviewer
    report = _locked(report_id)
    review = open_review(report) if report.status == ReportStatus.IN_REVIEW else None
    if review is None:
        raise _illegal(report, action_th, action_en)
    return report, review


# --- submission ----------------------------------------------------------------------------------


def report_submit(*, actor: Actor, report_id: int, expected_version: int | None) -> Report:
    """The ESA director sends the report to the bureau (draft/returned → submitted).

    Returns the report with its new ``lock_version``. Late (after ``due_on``) is accepted and
    visible through :func:`submitted_late`; after ``locks_on`` the submission is refused.
    """
    report = report_get(actor, report_id)  # 404 when out of scope
    if not actor.can(Perm.REPORT_SUBMIT, report.esa.path):
        raise PermissionDenied.single(
            "submit_director_only",
            "เฉพาะผู้อำนวยการสำนักงานเขตพื้นที่การศึกษาเท่านั้นที่ส่งรายงานได้",
            "Only the ESA director may submit the report",
        )
    with transaction.atomic():
        report = _locked(report_id)
        if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
            raise _illegal(report, "ส่งรายงาน", "submitted")
        rnd = report.round
        day = today()
        if rnd.phase(day) == "upcoming":
            raise InvalidInput.single(
                "round_not_open",
                f"รอบการรายงานยังไม่เปิด จะเปิดรับรายงานวันที่ {format_be(rnd.opens_on, 'th')}",
                f"The reporting round is not open yet: it opens on {format_be(rnd.opens_on, 'en')}",
                field="round",
            )
        if day > rnd.locks_on:
            raise InvalidInput.single(
                "round_locked",
                f"รอบการรายงานปิดแล้วเมื่อวันที่ {format_be(rnd.locks_on, 'th')} ส่งรายงานไม่ได้",
                f"The reporting round locked on {format_be(rnd.locks_on, 'en')}: the report can no longer "
                "be submitted",
                field="round",
            )
        report = report_for_write(actor, report_id, expected_version)  # optimistic lock → 409
        from suksa.domains.monitoring.services.quality import report_check

        result = report_check(report)
        problems = [
            Problem(code=i.code, th=i.message_th, en=i.message_en, field=i.indicator_code)
            for i in result.blocking
        ]
        problems += [
            Problem(
                code=i.code,
                th=f"{i.message_th} (คำเตือนนี้ต้องมีคำอธิบายก่อนส่ง)",
                en=f"{i.message_en} (this warning needs a comment before submitting)",
                field=i.indicator_code,
            )
            for i in result.uncommented_warnings
        ]
        if problems:
            lead = Problem(
                code="quality_not_passed",
                th=f"ยังส่งรายงานไม่ได้: ข้อผิดพลาดที่ต้องแก้ไข {len(result.blocking)} รายการ "
                f"คำเตือนที่ยังไม่มีคำอธิบาย {len(result.uncommented_warnings)} รายการ",
                en=f"The report cannot be submitted yet: {len(result.blocking)} blocking issue(s), "
                f"{len(result.uncommented_warnings)} warning(s) without a comment",
            )
            raise InvalidInput([lead, *problems])
        before = report.status
        now = timezone.now()
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = now
        report.submitted_by_id = actor.user_id
        report.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
        version = bump(report)
        late = submitted_late(report)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="monitoring.report",
            object_id=report.pk,
            object_repr=f"submit {report.round.key} {report.esa.code}",
            unit_path=report.esa.path,
            changes={
                "status": [before, report.status],
                "submitted_at": now,
                "late": late,
                "warnings_commented": len(result.warnings),
                "lock_version": version,
            },
        )
    return report


# --- assignment ----------------------------------------------------------------------------------


def reviewer_assign(*, actor: Actor, report_ids: Sequence[int], reviewer_user_id: int) -> int:
    """Assign one reviewer to many reports (the bureau). Returns the number of reports assigned.

    Every report must be visible to the actor and under their ``monitoring.manage``; the reviewer
    must be an active user holding ``report.review`` over each report's ESA; approved and locked
    reports are not reassigned. All or nothing.
    """
    from suksa.domains.accounts.actors import actor_for
    from suksa.domains.accounts.models import User

    if not actor.can_anywhere(Perm.MONITORING_MANAGE):
        raise PermissionDenied.default()
    ids = sorted({int(i) for i in report_ids})
    if not ids:
        raise InvalidInput.single(
            "no_reports", "กรุณาเลือกรายงานอย่างน้อยหนึ่งฉบับ", "Choose at least one report", field="reports"
        )
    if len(ids) > MAX_BULK:
        raise InvalidInput.single(
            "too_many",
            f"มอบหมายได้ครั้งละไม่เกิน {MAX_BULK:,} ฉบับ",
            f"At most {MAX_BULK:,} reports at a time",
            field="reports",
        )
    user = User.objects.filter(pk=reviewer_user_id, is_active=True).first()
    reviewer = actor_for(user) if user is not None else None
    if reviewer is None or not reviewer.can_anywhere(Perm.REPORT_REVIEW):
        raise InvalidInput.single(
            "not_a_reviewer",
            "ผู้ที่เลือกไม่ใช่ผู้ตรวจพิจารณารายงานที่ใช้งานอยู่",
            "The person chosen is not an active report reviewer",
            field="reviewer",
        )
    with transaction.atomic():
        reports = list(
            reports_visible_to(actor)
            .filter(pk__in=ids)
            .select_for_update(of=("self",))
            .select_related("esa", "round__framework")
            .order_by("pk")
        )
        if len(reports) != len(ids):
            raise NotFoundOrNoAccess.default()
        if any(not actor.can(Perm.MONITORING_MANAGE, r.esa.path) for r in reports):
            raise PermissionDenied.default()
        problems: list[Problem] = []
        for r in reports:
            if r.status in (ReportStatus.APPROVED, ReportStatus.LOCKED):
                th, en = _status_label(r.status)
                problems.append(
                    Problem(
                        code="review_finished",
                        th=f"รายงานของ {r.esa.name_th} อยู่ในสถานะ “{th}” แล้ว มอบหมายผู้ตรวจไม่ได้",
                        en=f"The report of {r.esa.name_en or r.esa.code} is already {en.lower()}: "
                        "no reviewer can be assigned",
                        field="reports",
                    )
                )
            elif not reviewer.can(Perm.REPORT_REVIEW, r.esa.path):
                problems.append(
                    Problem(
                        code="reviewer_out_of_scope",
                        th=f"ผู้ตรวจไม่มีสิทธิ์พิจารณารายงานของ {r.esa.name_th}",
                        en=f"The reviewer may not review reports of {r.esa.name_en or r.esa.code}",
                        field="reviewer",
                    )
                )
        if problems:
            raise InvalidInput(problems)
        previous = {str(r.pk): r.reviewer_id for r in reports}
        Report.objects.filter(pk__in=ids).update(reviewer_id=reviewer_user_id, updated_at=timezone.now())
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="monitoring.report",
            object_id="",
            object_repr=f"assign reviewer {user.username} to {len(ids)} report(s)" if user else "",
            unit_path=reports[0].esa.path if len({r.esa_id for r in reports}) == 1 else "",
            changes={"reviewer": user.username if user else None, "reports": ids, "previous": previous},
        )
    return len(ids)


# --- the review ----------------------------------------------------------------------------------


def review_start(*, actor: Actor, report_id: int) -> Review:
    """The assigned reviewer (or an M&E officer) takes a submitted report: submitted → in_review."""
    report_for_review(actor, report_id)
    user_id = _user_id(actor)
    with transaction.atomic():
        report = _locked(report_id)
        if report.status != ReportStatus.SUBMITTED:
            raise _illegal(report, "เริ่มพิจารณา", "taken into review")
        now = timezone.now()
        review = Review.objects.create(report=report, reviewer_id=user_id, started_at=now)
        report.status = ReportStatus.IN_REVIEW
        fields = ["status", "updated_at"]
        if report.reviewer_id is None:
            report.reviewer_id = user_id
            fields.append("reviewer")
        report.save(update_fields=fields)
        bump(report)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="monitoring.report",
            object_id=report.pk,
            object_repr=f"review start {report.round.key} {report.esa.code}",
            unit_path=report.esa.path,
            changes={"status": [ReportStatus.SUBMITTED, ReportStatus.IN_REVIEW], "review": review.pk},
        )
    return review


def score_set(
    *, actor: Actor, report_id: int, standard_code: str, score: Any, comment: str = ""
) -> StandardScore:
    """Score one standard of the report under review (1–4, see ``RUBRIC``), with a comment."""
    if isinstance(score, bool) or not isinstance(score, int) or score not in RUBRIC:
        raise InvalidInput.single(
            "score_out_of_range",
            f"คะแนนต้องเป็นจำนวนเต็ม {min(RUBRIC)} ถึง {max(RUBRIC)}",
            f"The score must be a whole number from {min(RUBRIC)} to {max(RUBRIC)}",
            field="score",
        )
    text = _text(comment, "", "", "", "comment", required=False)
    with transaction.atomic():
        report, review = _review_for_write(actor, report_id, "ให้คะแนน", "scored")
        standard = next(
            (s for s in framework_standards(report.round.framework_id) if s.code == standard_code), None
        )
        if standard is None:
            raise InvalidInput.single(
                "unknown_standard",
                f"ไม่พบมาตรฐาน “{standard_code}” ในกรอบการติดตามของรอบนี้",
                f"Standard “{standard_code}” is not part of this round's framework",
                field="standard",
            )
        before = StandardScore.objects.filter(review=review, standard=standard).first()
        row, _ = StandardScore.objects.update_or_create(
            review=review, standard=standard, defaults={"score": score, "comment": text}
        )
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
            object_type="monitoring.standardscore",
            object_id=row.pk,
            object_repr=f"score {report.round.key} {report.esa.code} standard {standard.code}",
            unit_path=report.esa.path,
            changes={
                "score": [before.score if before else None, score],
                "comment": [before.comment if before else None, text],
            },
        )
    return row


def _target_exists(report: Report, target_kind: str, target_id: int | None) -> bool:
    if target_kind == "general":
        return True
    if target_id is None:
        return False
    querysets: dict[str, QuerySet[Any]] = {
        "value": ReportValue.objects.all(),
        "narrative": NarrativeEntry.objects.all(),
        "work": OutstandingWork.objects.all(),
        "evidence": EvidenceFile.objects.all(),
    }
    return querysets[target_kind].filter(pk=target_id, report=report).exists()


def item_comment_add(
    *, actor: Actor, report_id: int, target_kind: str, target_id: int | None, comment: str
) -> ItemComment:
    """A reviewer's comment on one item of the report under review (or ``general``)."""
    if target_kind not in COMMENT_TARGETS:
        raise InvalidInput.single(
            "unknown_target",
            "ประเภทของรายการที่แสดงความเห็นไม่ถูกต้อง",
            f"Unknown item kind; use one of: {', '.join(COMMENT_TARGETS)}",
            field="target_kind",
        )
    text = _text(comment, "comment_required", "กรุณาเขียนความเห็น", "Write the comment", "comment")
    with transaction.atomic():
        report, review = _review_for_write(actor, report_id, "แสดงความเห็น", "commented on")
        if not _target_exists(report, target_kind, target_id):
            raise InvalidInput.single(
                "target_not_in_report",
                "ไม่พบรายการที่ระบุในรายงานฉบับนี้",
                "The item named is not part of this report",
                field="target_id",
            )
        row = ItemComment.objects.create(
            review=review,
            target_kind=target_kind,
            target_id=None if target_kind == "general" else target_id,
            comment=text,
            created_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="monitoring.itemcomment",
            object_id=row.pk,
            object_repr=f"comment {report.round.key} {report.esa.code} {target_kind}:{row.target_id or ''}",
            unit_path=report.esa.path,
            changes={"target_kind": target_kind, "target_id": row.target_id, "comment": text},
        )
    return row


def report_return(*, actor: Actor, report_id: int, reasons: str) -> Report:
    """Send the report back to the ESA with reasons (in_review → returned)."""
    text = _text(
        reasons,
        "reasons_required",
        "กรุณาระบุเหตุผลที่ส่งกลับให้แก้ไข",
        "Give the reasons for returning the report",
        "reasons",
    )
    with transaction.atomic():
        report, review = _review_for_write(actor, report_id, "ส่งกลับแก้ไข", "returned")
        now = timezone.now()
        review.decision, review.decided_at, review.reasons = Decision.RETURNED, now, text
        review.save(update_fields=["decision", "decided_at", "reasons"])
        report.status = ReportStatus.RETURNED
        report.returned_reason = text
        report.save(update_fields=["status", "returned_reason", "updated_at"])
        version = bump(report)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="monitoring.report",
            object_id=report.pk,
            object_repr=f"return {report.round.key} {report.esa.code}",
            unit_path=report.esa.path,
            changes={
                "status": [ReportStatus.IN_REVIEW, ReportStatus.RETURNED],
                "review": review.pk,
                "reasons": text,
                "lock_version": version,
            },
        )
    return report


def report_approve(*, actor: Actor, report_id: int) -> Report:
    """Approve the report under review (in_review → approved).

    Needs a rubric score for every standard of the round's framework and a verification
    (verified / partly / not verified) of every nominated outstanding work.
    """
    with transaction.atomic():
        report, review = _review_for_write(actor, report_id, "อนุมัติ", "approved")
        scored = set(StandardScore.objects.filter(review=review).values_list("standard__code", flat=True))
        problems = [
            Problem(
                code="score_missing",
                th=f"ยังไม่ได้ให้คะแนนมาตรฐานที่ {s.code} ({s.name_th})",
                en=f"Standard {s.code} ({s.name_en}) has no score yet",
                field=f"scores.{s.code}",
            )
            for s in framework_standards(report.round.framework_id)
            if s.code not in scored
        ]
        pending = OutstandingWork.objects.filter(report=report, verification=Verification.PENDING).order_by(
            "rank"
        )
        problems += [
            Problem(
                code="work_not_verified",
                th=f"ผลงานเด่นอันดับ {w.rank} “{w.title}” ยังไม่ได้ตรวจสอบ",
                en=f"Outstanding work no. {w.rank} “{w.title}” is not verified yet",
                field=f"works.{w.pk}",
            )
            for w in pending
        ]
        if problems:
            raise InvalidInput(problems)
        now = timezone.now()
        review.decision, review.decided_at = Decision.APPROVED, now
        review.save(update_fields=["decision", "decided_at"])
        report.status = ReportStatus.APPROVED
        report.approved_at = now
        report.save(update_fields=["status", "approved_at", "updated_at"])
        version = bump(report)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="monitoring.report",
            object_id=report.pk,
            object_repr=f"approve {report.round.key} {report.esa.code}",
            unit_path=report.esa.path,
            changes={
                "status": [ReportStatus.IN_REVIEW, ReportStatus.APPROVED],
                "review": review.pk,
                "scores": dict(
                    StandardScore.objects.filter(review=review).values_list("standard__code", "score")
                ),
                "lock_version": version,
            },
        )
    on_report_approved(report)
    return report


def on_report_approved(report: Report) -> None:
    """Called once a report is approved (after its transaction): queues the recomputation of the
    round's insights (trends, strengths, peers, claims of outstanding works against the numbers),
    debounced and switchable by ``SUKSA_INSIGHTS_ON_APPROVAL`` — see
    :mod:`suksa.domains.insights.services.hooks`. An approved report is the first version of the
    ESA's figures the bureau stands behind."""
    # Imported here: the insights domain reads monitoring, so a module-level import would be circular.
    from suksa.domains.insights.services import hooks

    hooks.on_report_approved(report)


# --- locking -------------------------------------------------------------------------------------


@dataclass
class LockResult:
    locked: int = 0
    not_approved: dict[str, int] = field(default_factory=dict)  # status → reports left unlocked
    report_ids: list[int] = field(default_factory=list)


def report_lock(
    *, actor: Actor, report_ids: Iterable[int] | None = None, round_id: int | None = None
) -> LockResult:
    """Lock approved reports (approved → locked): the ids given (each must be approved), or every
    approved report of a round (the round's lock; reports not approved are counted, not touched)."""
    if (report_ids is None) == (round_id is None):
        raise InvalidInput.single(
            "lock_target",
            "ระบุรายงานที่จะปิด หรือรอบการรายงาน อย่างใดอย่างหนึ่ง",
            "Name either the reports to lock or the round",
            field="reports",
        )
    if not actor.can_anywhere(Perm.MONITORING_MANAGE):
        raise PermissionDenied.default()
    result = LockResult()
    with transaction.atomic():
        qs = reports_visible_to(actor).select_related("esa", "round__framework").order_by("pk")
        if round_id is not None:
            reports = list(qs.filter(round_id=round_id).select_for_update(of=("self",)))
        else:
            ids = sorted({int(i) for i in report_ids or []})
            if not ids:
                raise InvalidInput.single(
                    "no_reports", "กรุณาเลือกรายงานอย่างน้อยหนึ่งฉบับ", "Choose at least one report", field="reports"
                )
            reports = list(qs.filter(pk__in=ids).select_for_update(of=("self",)))
            if len(reports) != len(ids):
                raise NotFoundOrNoAccess.default()
        if any(not actor.can(Perm.MONITORING_MANAGE, r.esa.path) for r in reports):
            raise PermissionDenied.default()
        if round_id is None:
            problems = []
            for r in reports:
                if r.status != ReportStatus.APPROVED:
                    th, en = _status_label(r.status)
                    problems.append(
                        Problem(
                            code="illegal_transition",
                            th=f"รายงานของ {r.esa.name_th} อยู่ในสถานะ “{th}” จึงปิดรายงานไม่ได้ (ต้องอนุมัติก่อน)",
                            en=f"The report of {r.esa.name_en or r.esa.code} is {en.lower()}: it cannot be locked "
                            "(approve it first)",
                            field="reports",
                        )
                    )
            if problems:
                raise InvalidInput(problems)
        to_lock = [r.pk for r in reports if r.status == ReportStatus.APPROVED]
        for r in reports:
            if r.status != ReportStatus.APPROVED:
                result.not_approved[r.status] = result.not_approved.get(r.status, 0) + 1
        now = timezone.now()
        Report.objects.filter(pk__in=to_lock).update(
            status=ReportStatus.LOCKED, locked_at=now, lock_version=F("lock_version") + 1, updated_at=now
        )
        result.locked, result.report_ids = len(to_lock), to_lock
        rnd = reports[0].round if reports else None
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="monitoring.round" if round_id is not None else "monitoring.report",
            object_id=round_id if round_id is not None else (to_lock[0] if len(to_lock) == 1 else ""),
            object_repr=f"lock {len(to_lock)} report(s)" + (f" of {rnd.key}" if rnd else ""),
            unit_path=reports[0].esa.path if len(reports) == 1 else "",
            changes={"status": [ReportStatus.APPROVED, ReportStatus.LOCKED], "reports": to_lock,
                     "not_approved": result.not_approved},
        )  # fmt: skip
    return result


# --- amendments after locking --------------------------------------------------------------------


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


def _parse_value(raw: Any, rv: ReportValue) -> float | None:
    text = str(raw if raw is not None else "").strip().replace(",", "")
    if text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise InvalidInput.single(
            "not_a_number", "ค่าใหม่ต้องเป็นตัวเลข", "The new value must be a number", field="new_value"
        )
    ind = rv.indicator
    if ind.value_type == ValueType.INTEGER and not number.is_integer():
        raise InvalidInput.single(
            "not_an_integer", "ค่าใหม่ต้องเป็นจำนวนเต็ม", "The new value must be a whole number", field="new_value"
        )
    low, high = ind.min_value, ind.max_value
    if (low is not None and number < low) or (high is not None and number > high):
        raise InvalidInput.single(
            "out_of_range",
            f"ค่าใหม่ต้องอยู่ระหว่าง {_as_text(low) or '−∞'} ถึง {_as_text(high) or '∞'}",
            f"The new value must be between {_as_text(low) or '−∞'} and {_as_text(high) or '∞'}",
            field="new_value",
        )
    return number


def _amend_target(report: Report, target_kind: str, target_id: int) -> Any:
    if target_kind == "value":
        return ReportValue.objects.select_related("indicator").filter(pk=target_id, report=report).first()
    if target_kind == "narrative":
        return NarrativeEntry.objects.filter(pk=target_id, report=report).first()
    return OutstandingWork.objects.filter(pk=target_id, report=report).first()


def report_amend(
    *,
    actor: Actor,
    report_id: int,
    target_kind: str,
    target_id: int,
    field: str,
    new_value: Any,
    reason: str,
) -> Amendment:
    """Change one field of a locked report (the bureau), keeping the old value and the reason."""
    report = report_get(actor, report_id)
    if not actor.can(Perm.MONITORING_MANAGE, report.esa.path):
        raise PermissionDenied.default()
    fields = AMENDABLE_FIELDS.get(target_kind)
    if fields is None:
        raise InvalidInput.single(
            "unknown_target",
            "ประเภทของรายการที่แก้ไขไม่ถูกต้อง (ค่า ความเรียง หรือผลงาน)",
            "Unknown item kind: use value, narrative or work",
            field="target_kind",
        )
    if field not in fields:
        raise InvalidInput.single(
            "field_not_amendable",
            f"แก้ไขช่อง “{field}” ไม่ได้ ช่องที่แก้ไขได้: {', '.join(fields)}",
            f"Field “{field}” cannot be amended; amendable fields: {', '.join(fields)}",
            field="field",
        )
    why = _text(
        reason, "reason_required", "กรุณาระบุเหตุผลของการแก้ไข", "Give the reason for the amendment", "reason"
    )
    with transaction.atomic():
        report = _locked(report_id)
        if report.status != ReportStatus.LOCKED:
            raise _illegal(report, "แก้ไขหลังปิดรายงาน (ต้องปิดรายงานก่อน)", "amended (only locked reports are)")
        target = _amend_target(report, target_kind, target_id)
        if target is None:
            raise InvalidInput.single(
                "target_not_in_report",
                "ไม่พบรายการที่ระบุในรายงานฉบับนี้",
                "The item named is not part of this report",
                field="target_id",
            )
        old = getattr(target, field)
        new: Any
        if target_kind == "value" and field == "value":
            new = _parse_value(new_value, target)
        elif field == "verification":
            new = str(new_value or "").strip()
            if new not in Verification.values:
                raise InvalidInput.single(
                    "unknown_verification",
                    "ผลการตรวจสอบต้องเป็น: รอตรวจสอบ ยืนยันแล้ว ยืนยันบางส่วน หรือไม่ยืนยัน",
                    f"Verification must be one of: {', '.join(Verification.values)}",
                    field="new_value",
                )
        else:
            new = _text(
                new_value,
                "value_required",
                "กรุณากรอกข้อความใหม่",
                "Enter the new text",
                "new_value",
                required=field in ("title", "description"),
            )
            if field == "title" and len(new) > 255:
                raise InvalidInput.single(
                    "too_long",
                    "ชื่อผลงานยาวเกิน 255 ตัวอักษร",
                    "The title is longer than 255 characters",
                    field="new_value",
                )
        if new == old:
            raise InvalidInput.single(
                "no_change",
                "ค่าใหม่เหมือนค่าเดิม",
                "The new value is the same as the current one",
                field="new_value",
            )
        setattr(target, field, new)
        update = [field]
        if hasattr(target, "updated_at"):
            target.updated_at = timezone.now()
            update.append("updated_at")
        if hasattr(target, "updated_by") and isinstance(target.updated_by, str):
            target.updated_by = actor.username
            update.append("updated_by")
        target.save(update_fields=update)
        amendment = Amendment.objects.create(
            report=report,
            target_kind=target_kind,
            target_id=target.pk,
            field=field,
            old_value=_as_text(old),
            new_value=_as_text(new),
            reason=why,
            amended_by_id=_user_id(actor),
            amended_at=timezone.now(),
        )
        version = bump(report)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="monitoring.report",
            object_id=report.pk,
            object_repr=f"amend {report.round.key} {report.esa.code} {target_kind}:{target.pk}.{field}",
            unit_path=report.esa.path,
            changes={
                f"{target_kind}.{target.pk}.{field}": [_as_text(old), _as_text(new)],
                "reason": why,
                "amendment": amendment.pk,
                "lock_version": version,
            },
        )
    return amendment
