"""Transfers between schools, and duplicate claims resolved by the ESA.

The sending school requests, the learner shows as pending transfer, the receiving school accepts
(both histories kept) or rejects, the sending school may cancel. Visibility is deliberate: a
transfer is seen by the two schools and their ESAs' named roles, nobody else.
"""

from __future__ import annotations

import datetime as dt

import pytest

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied
from suksa.core.models import AuditEntry
from suksa.core.policy import Actor
from suksa.domains.accounts.actors import actor_for
from suksa.domains.students.models import DuplicateClaim, Enrolment, Student, Transfer
from suksa.domains.students.models.choices import EnrolmentStatus, EntryKind
from suksa.domains.students.selectors import students_visible_to
from suksa.domains.students.selectors_enrolment import claims_visible_to, transfers_for, transfers_visible_to
from suksa.domains.students.services.transfers import (
    duplicate_claim_resolve,
    transfer_accept,
    transfer_cancel,
    transfer_reject,
    transfer_request,
)
from suksa.domains.students.tests.factories import academic_year, make_student
from tests.factories import World

pytestmark = pytest.mark.django_db

REQUESTED_ON = dt.date(2026, 7, 1)
STARTS_ON = dt.date(2026, 7, 6)


def actor(world: World, name: str) -> Actor:
    return actor_for(world.user(name))


def state() -> tuple[object, ...]:
    return (
        AuditEntry.objects.count(),
        list(Enrolment.objects.order_by("pk").values_list("pk", "status", "ends_on", "school_id")),
        list(Transfer.objects.order_by("pk").values_list("pk", "status", "to_enrolment_id")),
        list(Student.objects.order_by("pk").values_list("pk", "school_id")),
        list(DuplicateClaim.objects.order_by("pk").values_list("pk", "status")),
    )


def requested(world: World, to: str = "school_a1_2", grade: str = "P3") -> Transfer:
    student = make_student(world.school_a1_1, grade=grade, first_name_th="ย้ายไป", last_name_th="ที่ใหม่")
    return transfer_request(
        actor=actor(world, "director_a1_1"), student=student, to_school=getattr(world, to),
        requested_on=REQUESTED_ON, reason="ย้ายตามผู้ปกครอง",
    )  # fmt: skip


def test_a_request_marks_the_learner_pending_transfer(world: World) -> None:
    transfer = requested(world)
    assert transfer.status == Transfer.Status.REQUESTED
    assert transfer.from_enrolment.status == EnrolmentStatus.PENDING_TRANSFER
    assert transfer.student.school == world.school_a1_1  # still the sending school's learner
    assert (transfer.from_school, transfer.to_school, transfer.reason) == (
        world.school_a1_1, world.school_a1_2, "ย้ายตามผู้ปกครอง",
    )  # fmt: skip


def test_accepting_keeps_both_histories(world: World) -> None:
    transfer = requested(world)
    transfer_accept(actor=actor(world, "director_a1_2"), transfer=transfer, room=2, starts_on=STARTS_ON)

    transfer.refresh_from_db()
    old = Enrolment.objects.get(pk=transfer.from_enrolment_id)
    new = transfer.to_enrolment
    assert transfer.status == Transfer.Status.ACCEPTED
    assert (old.school, old.status, old.ends_on) == (
        world.school_a1_1, EnrolmentStatus.TRANSFERRED_OUT, dt.date(2026, 7, 5),
    )  # fmt: skip
    assert new is not None
    assert (new.school, new.grade, new.entry, new.status, new.starts_on, new.classroom.number if new.classroom else None) == (
        world.school_a1_2, "P3", EntryKind.TRANSFER_IN, EnrolmentStatus.ACTIVE, STARTS_ON, 2,
    )  # fmt: skip
    assert new.academic_year == academic_year()
    student = Student.objects.get(pk=transfer.student_id)
    assert student.school == world.school_a1_2
    # Each school sees its own part of the learner's history.
    from suksa.domains.students.selectors import enrolments_visible_to

    assert list(enrolments_visible_to(actor(world, "director_a1_1")).filter(student=student)) == [old]
    assert list(enrolments_visible_to(actor(world, "director_a1_2")).filter(student=student)) == [new]


def test_accepting_may_change_the_grade(world: World) -> None:
    transfer = requested(world, grade="P3")
    transfer_accept(actor=actor(world, "director_a1_2"), transfer=transfer, grade="P4", starts_on=STARTS_ON)
    transfer.refresh_from_db()
    assert transfer.to_enrolment is not None
    assert (transfer.to_enrolment.grade, getattr(transfer.to_enrolment.classroom, "number", None)) == (
        "P4",
        1,
    )


def test_rejecting_or_cancelling_returns_the_learner_to_active(world: World) -> None:
    first = requested(world)
    transfer_reject(actor=actor(world, "director_a1_2"), transfer=first, note="ที่นั่งเต็ม")
    first.refresh_from_db()
    assert (first.status, first.decision_note) == (Transfer.Status.REJECTED, "ที่นั่งเต็ม")
    assert Enrolment.objects.get(pk=first.from_enrolment_id).status == EnrolmentStatus.ACTIVE

    second = transfer_request(
        actor=actor(world, "staff_a1_1"), student=first.student, to_school=world.school_b1_1,
        requested_on=REQUESTED_ON,
    )  # fmt: skip
    transfer_cancel(actor=actor(world, "director_a1_1"), transfer=second)
    second.refresh_from_db()
    assert second.status == Transfer.Status.CANCELLED
    assert Enrolment.objects.get(pk=second.from_enrolment_id).status == EnrolmentStatus.ACTIVE
    assert Student.objects.get(pk=first.student_id).school == world.school_a1_1


@pytest.mark.parametrize("settle", ["accept", "reject", "cancel"])
def test_a_settled_transfer_cannot_be_settled_again(world: World, settle: str) -> None:
    transfer = requested(world)
    receiving, sending = actor(world, "director_a1_2"), actor(world, "director_a1_1")
    if settle == "accept":
        transfer_accept(actor=receiving, transfer=transfer, starts_on=STARTS_ON)
    elif settle == "reject":
        transfer_reject(actor=receiving, transfer=transfer)
    else:
        transfer_cancel(actor=sending, transfer=transfer)
    before = state()
    for call in (
        lambda: transfer_accept(actor=receiving, transfer=transfer, starts_on=STARTS_ON),
        lambda: transfer_reject(actor=receiving, transfer=transfer),
        lambda: transfer_cancel(actor=sending, transfer=transfer),
    ):
        with pytest.raises(InvalidInput) as exc:
            call()
        assert [p.code for p in exc.value.problems] == ["transfer_decided"]
        assert exc.value.problems[0].th != exc.value.problems[0].en
    assert state() == before


@pytest.mark.parametrize(
    ("to", "code"), [("school_a1_1", "transfer_same_school"), ("esa_a1", "school_unknown")]
)
def test_a_request_needs_another_school(world: World, to: str, code: str) -> None:
    student = make_student(world.school_a1_1)
    before = state()
    with pytest.raises(InvalidInput) as exc:
        transfer_request(
            actor=actor(world, "director_a1_1"), student=student, to_school=getattr(world, to),
            requested_on=REQUESTED_ON,
        )  # fmt: skip
    assert [p.code for p in exc.value.problems] == [code]
    assert state() == before


def test_a_start_date_before_the_old_enrolment_is_refused(world: World) -> None:
    transfer = requested(world)
    before = state()
    with pytest.raises(InvalidInput) as exc:
        transfer_accept(
            actor=actor(world, "director_a1_2"), transfer=transfer, starts_on=dt.date(2026, 5, 16)
        )
    assert [p.code for p in exc.value.problems] == ["date_before_enrolment"]
    assert state() == before


# Who may do what: (persona, request, accept, reject, cancel) — True allowed, or the error raised.
MATRIX = [
    ("director_a1_1", True, PermissionDenied, PermissionDenied, True),
    ("staff_a1_1", True, PermissionDenied, PermissionDenied, True),
    ("director_a1_2", NotFoundOrNoAccess, True, True, PermissionDenied),
    ("teacher_a1_1", PermissionDenied, NotFoundOrNoAccess, NotFoundOrNoAccess, NotFoundOrNoAccess),
    ("esa_officer_a1", PermissionDenied, PermissionDenied, PermissionDenied, PermissionDenied),
    ("esa_director_a1", PermissionDenied, PermissionDenied, PermissionDenied, PermissionDenied),
    ("esa_officer_b1", NotFoundOrNoAccess, NotFoundOrNoAccess, NotFoundOrNoAccess, NotFoundOrNoAccess),
    ("director_b1_1", NotFoundOrNoAccess, NotFoundOrNoAccess, NotFoundOrNoAccess, NotFoundOrNoAccess),
    ("executive", NotFoundOrNoAccess, NotFoundOrNoAccess, NotFoundOrNoAccess, NotFoundOrNoAccess),
    ("nobody", NotFoundOrNoAccess, NotFoundOrNoAccess, NotFoundOrNoAccess, NotFoundOrNoAccess),
]


@pytest.mark.parametrize(("name", "req", "acc", "rej", "can"), MATRIX, ids=[m[0] for m in MATRIX])
def test_transfer_authorization_matrix(
    world: World, name: str, req: object, acc: object, rej: object, can: object
) -> None:
    who = actor(world, name)
    student = make_student(world.school_a1_1)
    transfer = requested(world)
    calls = {
        "request": (req, lambda: transfer_request(
            actor=who, student=student, to_school=world.school_a1_2, requested_on=REQUESTED_ON)),
        "accept": (acc, lambda: transfer_accept(actor=who, transfer=transfer, starts_on=STARTS_ON)),
        "reject": (rej, lambda: transfer_reject(actor=who, transfer=transfer)),
        "cancel": (can, lambda: transfer_cancel(actor=who, transfer=transfer)),
    }  # fmt: skip
    for label, (expected, call) in calls.items():
        if expected is True:
            continue
        before = state()
        with pytest.raises(expected):  # type: ignore[call-overload]
            call()
        assert state() == before, label
    for label, (expected, call) in calls.items():
        if expected is True and label in ("request", "accept"):
            call()  # allowed (reject/cancel are covered above once the transfer is still open)


def test_a_transfer_is_visible_to_both_schools_and_their_esas_only(world: World) -> None:
    transfer = requested(world, to="school_b1_1")
    for name, sees in [
        ("director_a1_1", True), ("staff_a1_1", True), ("esa_officer_a1", True), ("esa_director_a1", True),
        ("director_b1_1", True), ("esa_officer_b1", True), ("sysadmin", True),
        ("director_a1_2", False), ("teacher_a1_1", False), ("executive", False), ("inspector_r1", False),
        ("me_officer", False), ("dpo", False), ("nobody", False),
    ]:  # fmt: skip
        assert transfers_visible_to(actor(world, name)).filter(pk=transfer.pk).exists() is sees, name
    receiving = actor(world, "director_b1_1")
    assert list(transfers_for(receiving, "incoming")) == [transfer]
    assert list(transfers_for(receiving, "outgoing")) == []
    # The receiving school sees the pending learner through the transfer, not in its register.
    assert not students_visible_to(receiving).filter(pk=transfer.student_id).exists()


# --- duplicate claims -----------------------------------------------------------------------------


def claim_for(world: World, holding: str = "school_a1_1", claiming: str = "school_a1_2") -> DuplicateClaim:
    student = make_student(getattr(world, holding), grade="P2")
    return DuplicateClaim.objects.create(
        student=student, identifier=student.identifier, claiming_school=getattr(world, claiming),
        holding_school=getattr(world, holding), claimed_name_th="ชื่อที่พิมพ์",
    )  # fmt: skip


def test_resolving_a_claim_by_transfer_opens_a_request_the_claiming_school_accepts(world: World) -> None:
    claim = claim_for(world)
    duplicate_claim_resolve(
        actor=actor(world, "esa_officer_a1"), claim=claim, outcome="transfer", note="คนเดียวกัน"
    )
    claim.refresh_from_db()
    assert (claim.status, claim.note) == (DuplicateClaim.Status.TRANSFERRED, "คนเดียวกัน")
    transfer = Transfer.objects.get(student=claim.student)
    assert (transfer.from_school, transfer.to_school, transfer.status) == (
        world.school_a1_1, world.school_a1_2, Transfer.Status.REQUESTED,
    )  # fmt: skip
    transfer_accept(actor=actor(world, "director_a1_2"), transfer=transfer, starts_on=STARTS_ON)
    assert Student.objects.get(pk=claim.student_id).school == world.school_a1_2


def test_a_claim_on_a_learner_with_no_open_enrolment_hands_the_record_over(world: World) -> None:
    claim = claim_for(world)
    Enrolment.objects.filter(student=claim.student).update(
        status=EnrolmentStatus.DROPPED_OUT, ends_on=dt.date(2026, 6, 30), exit_reason="01"
    )
    duplicate_claim_resolve(actor=actor(world, "esa_director_a1"), claim=claim, outcome="transfer", note="")
    assert Student.objects.get(pk=claim.student_id).school == world.school_a1_2
    assert not Transfer.objects.exists()


def test_rejecting_a_claim_closes_it_and_changes_nothing_else(world: World) -> None:
    claim = claim_for(world)
    duplicate_claim_resolve(actor=actor(world, "esa_officer_a1"), claim=claim, outcome="reject", note="พิมพ์ผิด")
    claim.refresh_from_db()
    assert claim.status == DuplicateClaim.Status.REJECTED
    assert claim.student.enrolments.get().status == EnrolmentStatus.ACTIVE
    before = state()
    with pytest.raises(InvalidInput) as exc:
        duplicate_claim_resolve(
            actor=actor(world, "esa_officer_a1"), claim=claim, outcome="transfer", note=""
        )
    assert [p.code for p in exc.value.problems] == ["claim_resolved"]
    assert state() == before


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("director_a1_1", PermissionDenied),
        ("director_a1_2", PermissionDenied),
        ("teacher_a1_1", NotFoundOrNoAccess),
        ("esa_officer_b1", NotFoundOrNoAccess),
        ("executive", NotFoundOrNoAccess),
        ("nobody", NotFoundOrNoAccess),
    ],
)
def test_only_the_esa_resolves_claims(world: World, name: str, error: type) -> None:
    claim = claim_for(world)
    before = state()
    with pytest.raises(error):
        duplicate_claim_resolve(actor=actor(world, name), claim=claim, outcome="reject", note="")
    assert state() == before


def test_the_claiming_schools_esa_may_resolve_a_cross_esa_claim(world: World) -> None:
    claim = claim_for(world, holding="school_b1_1", claiming="school_a1_1")
    duplicate_claim_resolve(actor=actor(world, "esa_officer_a1"), claim=claim, outcome="transfer", note="")
    assert Transfer.objects.get(student=claim.student).to_school == world.school_a1_1
    for name, sees in [("director_a1_1", True), ("director_b1_1", True), ("esa_officer_b1", True),
                       ("director_a1_2", False), ("executive", False)]:  # fmt: skip
        assert claims_visible_to(actor(world, name)).filter(pk=claim.pk).exists() is sees, name


def test_an_unknown_outcome_is_refused(world: World) -> None:
    claim = claim_for(world)
    before = state()
    with pytest.raises(InvalidInput) as exc:
        duplicate_claim_resolve(actor=actor(world, "esa_officer_a1"), claim=claim, outcome="merge", note="")  # type: ignore[arg-type]
    assert [p.code for p in exc.value.problems] == ["outcome_unknown"]
    assert state() == before
