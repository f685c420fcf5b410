"""Transfers between schools, and the resolution of duplicate claims.

A transfer is a workflow: the sending school requests it (the learner shows as pending transfer),
the receiving school accepts or rejects it, and the sending school may cancel it while it waits.
Accepting closes the old enrolment (transferred out, the day before the new one starts) and opens
one at the receiving school (transferred in): both schools keep their part of the history.

A duplicate claim (a school registered an identifier held elsewhere) is resolved by a named ESA
role of either school's ESA: "transfer" opens a transfer request from the holding school to the
claiming school, which then accepts it like any other; "reject" closes the claim.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db import transaction
from django.utils import timezone

from suksa.core import audit
from suksa.core.dates import format_be
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied, Problem
from suksa.core.models import AuditEntry, OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.students.models import DuplicateClaim, Enrolment, Student, Transfer
from suksa.domains.students.models.choices import OPEN_STATUSES, EnrolmentStatus, EntryKind
from suksa.domains.students.services.enrolment import (
    NOTE_MAX,
    academic_year_of,
    grade_problem,
    invalid,
    must_be_active,
    require_edit,
    room_ensure,
    room_number_problem,
)

ClaimOutcome = Literal["transfer", "reject"]


def _note_problem(text: str, field: str) -> Problem | None:
    if len(text) <= NOTE_MAX:
        return None
    return Problem(
        code="note_too_long",
        th=f"ข้อความยาวเกิน {NOTE_MAX} ตัวอักษร",
        en=f"The text is longer than {NOTE_MAX} characters",
        field=field,
    )


def _require_side(actor: Actor, transfer: Transfer, school: OrgUnit) -> None:
    """``student.edit`` on one end of the transfer; whoever sees the transfer but may not act on this
    end is forbidden, anyone else is told it does not exist."""
    if actor.can(Perm.STUDENT_EDIT, school.path):
        return
    ends = (transfer.from_school, transfer.to_school)
    if any(actor.can(Perm.STUDENT_VIEW, s.path) for s in ends):
        raise PermissionDenied.default()
    raise NotFoundOrNoAccess.default()


def _locked_transfer(transfer: Transfer) -> Transfer:
    fresh = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("from_school", "to_school", "from_enrolment__academic_year", "student")
        .filter(pk=transfer.pk)
        .first()
    )
    if fresh is None:
        raise NotFoundOrNoAccess.default()
    return fresh


def _must_be_requested(transfer: Transfer) -> None:
    if transfer.status != Transfer.Status.REQUESTED:
        label = Transfer.Status(transfer.status).label
        raise invalid(
            "transfer_decided",
            f"คำขอย้ายนี้ได้ดำเนินการไปแล้ว ({label.split(' / ')[0]})",
            f"This transfer has already been settled ({label.split(' / ')[-1]})",
            field="transfer",
        )


def _record(actor: Actor, transfer: Transfer, event: str, unit_path: str, **changes: object) -> None:
    audit.record(
        actor=actor, action=AuditEntry.Action.UPDATE if event != "request" else AuditEntry.Action.CREATE,
        object_type="students.transfer", object_id=transfer.pk,
        object_repr=f"{transfer.student_id} {transfer.from_school.code}→{transfer.to_school.code}",
        unit_path=unit_path, changes={"event": event, **changes},
    )  # fmt: skip


def _open_request(
    *, actor: Actor, enrolment: Enrolment, to_school: OrgUnit, requested_on: dt.date, reason: str
) -> Transfer:
    """Mark the open enrolment pending and create the request (callers hold the locks and checks)."""
    if to_school.kind != OrgUnit.Kind.SCHOOL:
        raise invalid(
            "school_unknown", "ไม่พบโรงเรียนปลายทาง", "The receiving school was not found", field="to_school"
        )
    if to_school.pk == enrolment.school_id:
        raise invalid(
            "transfer_same_school",
            "โรงเรียนปลายทางต้องไม่ใช่โรงเรียนเดิมของนักเรียน",
            "The receiving school must differ from the learner's current school",
            field="to_school",
        )
    must_be_active(enrolment, "ขอย้าย", "request a transfer")
    if requested_on < enrolment.starts_on:
        raise invalid(
            "date_before_enrolment",
            f"วันที่ขอย้ายต้องไม่ก่อนวันที่เริ่มเรียน ({format_be(enrolment.starts_on)})",
            f"The request date cannot be before the enrolment began ({format_be(enrolment.starts_on, 'en')})",
            field="requested_on",
        )
    enrolment.status = EnrolmentStatus.PENDING_TRANSFER
    enrolment.save(update_fields=["status", "updated_at"])
    return Transfer.objects.create(
        student_id=enrolment.student_id, from_enrolment=enrolment, from_school=enrolment.school,
        to_school=to_school, reason=reason.strip(), requested_on=requested_on, requested_by_id=actor.user_id,
    )  # fmt: skip


def _locked_open_enrolment(student: Student) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("school", "academic_year")
        .filter(student=student, status__in=OPEN_STATUSES)
        .first()
    )
    if enrolment is None:
        raise invalid(
            "not_enrolled",
            "นักเรียนไม่มีการลงทะเบียนเรียนที่ยังไม่สิ้นสุด จึงขอย้ายไม่ได้",
            "The learner has no open enrolment to transfer from",
            field="student",
        )
    return enrolment


def transfer_request(
    *, actor: Actor, student: Student, to_school: OrgUnit, requested_on: dt.date, reason: str = ""
) -> Transfer:
    """The sending school asks ``to_school`` to take the learner; the learner becomes pending."""
    if problem := _note_problem(reason, "reason"):
        raise InvalidInput([problem])
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_related("school")
            .filter(student=student, status__in=OPEN_STATUSES)
            .first()
        )
        require_edit(actor, enrolment.school if enrolment else student.school)
        enrolment = _locked_open_enrolment(student)
        transfer = _open_request(
            actor=actor, enrolment=enrolment, to_school=to_school, requested_on=requested_on, reason=reason
        )
        _record(
            actor, transfer, "request", enrolment.school.path,
            to_school=to_school.code, requested_on=requested_on, reason=transfer.reason,
        )  # fmt: skip
    return transfer


def transfer_accept(
    *,
    actor: Actor,
    transfer: Transfer,
    grade: str | None = None,
    room: int | None = None,
    starts_on: dt.date | None = None,
) -> Transfer:
    """The receiving school takes the learner from ``starts_on`` (default today).

    The old enrolment closes as transferred out the day before; the new one opens with entry
    "transferred in", in the same grade unless ``grade`` is given, in room ``room`` (default 1).
    """
    _require_side(actor, transfer, transfer.to_school)
    room = 1 if room is None else room
    problems = [p for p in (grade_problem(grade) if grade else None, room_number_problem(room)) if p]
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        transfer = _locked_transfer(transfer)
        _must_be_requested(transfer)
        old = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("academic_year")
            .get(pk=transfer.from_enrolment_id)
        )
        if old.status != EnrolmentStatus.PENDING_TRANSFER:
            raise invalid(
                "enrolment_not_pending",
                "การลงทะเบียนเดิมไม่ได้อยู่ในสถานะรอย้ายแล้ว",
                "The learner's enrolment is no longer pending transfer",
                field="transfer",
            )
        start = starts_on or timezone.localdate()
        if start <= old.starts_on:
            raise invalid(
                "date_before_enrolment",
                f"วันที่เริ่มเรียนที่โรงเรียนใหม่ต้องหลังวันที่เริ่มเรียนที่โรงเรียนเดิม ({format_be(old.starts_on)})",
                f"The new school's start date must be after the old enrolment began "
                f"({format_be(old.starts_on, 'en')})",
                field="starts_on",
            )
        new_grade = grade or old.grade
        old.status = EnrolmentStatus.TRANSFERRED_OUT
        old.ends_on = start - dt.timedelta(days=1)
        old.save(update_fields=["status", "ends_on", "updated_at"])
        ay = academic_year_of(start)
        to_school = transfer.to_school
        new = Enrolment.objects.create(
            student_id=transfer.student_id, school=to_school, academic_year=ay, grade=new_grade,
            classroom=room_ensure(to_school, ay, new_grade, room), entry=EntryKind.TRANSFER_IN,
            status=EnrolmentStatus.ACTIVE, starts_on=start,
        )  # fmt: skip
        Student.objects.filter(pk=transfer.student_id).update(school=to_school, updated_at=timezone.now())
        transfer.status = Transfer.Status.ACCEPTED
        transfer.to_enrolment = new
        transfer.decided_by_id = actor.user_id
        transfer.decided_at = timezone.now()
        transfer.save(update_fields=["status", "to_enrolment", "decided_by", "decided_at"])
        _record(
            actor, transfer, "accept", to_school.path,
            status=["requested", "accepted"], grade=new_grade, room=room, starts_on=start,
            from_school=transfer.from_school.code,
        )  # fmt: skip
    return transfer


def _settle(actor: Actor, transfer: Transfer, status: str, note: str, event: str, unit_path: str) -> Transfer:
    Enrolment.objects.filter(pk=transfer.from_enrolment_id, status=EnrolmentStatus.PENDING_TRANSFER).update(
        status=EnrolmentStatus.ACTIVE, updated_at=timezone.now()
    )
    transfer.status = status
    transfer.decided_by_id = actor.user_id
    transfer.decided_at = timezone.now()
    transfer.decision_note = note.strip()
    transfer.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _record(actor, transfer, event, unit_path, status=["requested", status], note=transfer.decision_note)
    return transfer


def transfer_reject(*, actor: Actor, transfer: Transfer, note: str = "") -> Transfer:
    """The receiving school declines; the learner is active at the sending school again."""
    _require_side(actor, transfer, transfer.to_school)
    if problem := _note_problem(note, "note"):
        raise InvalidInput([problem])
    with transaction.atomic():
        transfer = _locked_transfer(transfer)
        _must_be_requested(transfer)
        return _settle(actor, transfer, Transfer.Status.REJECTED, note, "reject", transfer.to_school.path)


def transfer_cancel(*, actor: Actor, transfer: Transfer, note: str = "") -> Transfer:
    """The sending school withdraws its request; the learner is active there again."""
    _require_side(actor, transfer, transfer.from_school)
    if problem := _note_problem(note, "note"):
        raise InvalidInput([problem])
    with transaction.atomic():
        transfer = _locked_transfer(transfer)
        _must_be_requested(transfer)
        return _settle(actor, transfer, Transfer.Status.CANCELLED, note, "cancel", transfer.from_school.path)


# --- duplicate claims --------------------------------------------------------------------------


def can_resolve(actor: Actor, claim: DuplicateClaim) -> bool:
    schools = [s for s in (claim.holding_school, claim.claiming_school) if s is not None]
    return any(actor.can(Perm.DUPLICATE_RESOLVE, s.path) for s in schools)


def duplicate_claim_resolve(
    *, actor: Actor, claim: DuplicateClaim, outcome: ClaimOutcome, note: str = ""
) -> DuplicateClaim:
    """Settle a claim: "transfer" asks the holding school's enrolment to move to the claiming school
    (which then accepts the request); "reject" closes the claim. A learner with no open enrolment
    anywhere is simply handed over: the claiming school can then readmit them."""
    if not can_resolve(actor, claim):
        visible = any(
            actor.can(Perm.STUDENT_VIEW, s.path) for s in (claim.holding_school, claim.claiming_school) if s
        )
        raise PermissionDenied.default() if visible else NotFoundOrNoAccess.default()
    problems: list[Problem] = []
    if outcome not in ("transfer", "reject"):
        problems.append(
            Problem(
                code="outcome_unknown",
                th="ผลการพิจารณาต้องเป็น 'transfer' (ย้าย) หรือ 'reject' (ไม่อนุมัติ)",
                en="The outcome must be 'transfer' or 'reject'",
                field="outcome",
            )
        )
    if len(note) > 2000:
        problems.append(
            Problem(
                code="note_too_long", th="บันทึกยาวเกิน 2000 ตัวอักษร", en="The note is too long", field="note"
            )
        )
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        claim = (
            DuplicateClaim.objects.select_for_update(of=("self",))
            .select_related("student", "claiming_school", "holding_school")
            .get(pk=claim.pk)
        )
        if claim.status != DuplicateClaim.Status.OPEN:
            raise invalid(
                "claim_resolved",
                "คำร้องนี้ได้รับการพิจารณาไปแล้ว",
                "This claim has already been resolved",
                field="claim",
            )
        changes: dict[str, object] = {
            "status": ["open", "transferred" if outcome == "transfer" else "rejected"]
        }
        if outcome == "transfer":
            changes.update(_resolve_by_transfer(actor, claim))
            claim.status = DuplicateClaim.Status.TRANSFERRED
        else:
            claim.status = DuplicateClaim.Status.REJECTED
        claim.note = note.strip()
        claim.resolved_by_id = actor.user_id
        claim.resolved_at = timezone.now()
        claim.save(update_fields=["status", "note", "resolved_by", "resolved_at"])
        audit.record(
            actor=actor, action=AuditEntry.Action.UPDATE, object_type="students.duplicate_claim",
            object_id=claim.pk, object_repr=f"{claim.identifier} → {claim.claiming_school.code}",
            unit_path=(claim.holding_school or claim.claiming_school).path,
            changes={**changes, "outcome": outcome, "note": claim.note},
        )  # fmt: skip
    return claim


def _resolve_by_transfer(actor: Actor, claim: DuplicateClaim) -> dict[str, object]:
    student = claim.student
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("school", "academic_year")
        .filter(student=student, status__in=OPEN_STATUSES)
        .first()
    )
    if enrolment is None:
        Student.objects.filter(pk=student.pk).update(school=claim.claiming_school, updated_at=timezone.now())
        return {"handed_over_to": claim.claiming_school.code}
    if enrolment.school_id == claim.claiming_school_id:
        raise invalid(
            "claim_already_there",
            "นักเรียนลงทะเบียนอยู่ที่โรงเรียนที่ยื่นคำร้องแล้ว ให้ปฏิเสธคำร้องนี้",
            "The learner is already enrolled at the claiming school: reject this claim",
            field="outcome",
        )
    if Transfer.objects.filter(student=student, status=Transfer.Status.REQUESTED).exists():
        raise invalid(
            "transfer_pending",
            "นักเรียนมีคำขอย้ายที่รอดำเนินการอยู่แล้ว",
            "The learner already has a transfer waiting for a decision",
            field="outcome",
        )
    transfer = _open_request(
        actor=actor, enrolment=enrolment, to_school=claim.claiming_school,
        requested_on=max(timezone.localdate(), enrolment.starts_on),
        reason=f"คำร้องซ้ำซ้อน #{claim.pk} / duplicate claim #{claim.pk}",
    )  # fmt: skip
    _record(
        actor, transfer, "request", enrolment.school.path,
        to_school=claim.claiming_school.code, duplicate_claim=claim.pk,
    )  # fmt: skip
    return {"transfer": transfer.pk}
