"""Reads of rooms, transfers, duplicate claims and year-end batches, scoped to the actor.

Transfers are deliberately visible to both ends: a school (and its ESA's named roles) sees a
transfer when it is the sending *or* the receiving school, with enough of the pending learner to
decide (name, identifier, grade). That is the only way a receiving school sees a learner who is
not yet its own; nobody else sees the transfer. Duplicate claims follow the same rule with the
holding and claiming schools. Out of scope is not found.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.models import AcademicYear, OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.domains.accounts.models import RoleAssignment, User
from suksa.domains.students.models import Classroom, DuplicateClaim, Enrolment, Transfer, YearEndBatch
from suksa.domains.students.models.choices import OPEN_STATUSES
from suksa.domains.students.selectors import enrolments_visible_to
from suksa.domains.students.services.enrolment import HOMEROOM_ROLES

PK_MAX = 2**63 - 1


def as_pk(value: int | str) -> int:
    """A primary key from a URL, or not found (also for numbers no database column can hold)."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise NotFoundOrNoAccess.default() from None
    if not 0 < pk <= PK_MAX:
        raise NotFoundOrNoAccess.default()
    return pk


def transfers_visible_to(actor: Actor) -> QuerySet[Transfer]:
    if not actor.can_anywhere(Perm.STUDENT_VIEW):
        return Transfer.objects.none()
    q = actor.scope_q(Perm.STUDENT_VIEW, "from_school__path") | actor.scope_q(
        Perm.STUDENT_VIEW, "to_school__path"
    )
    return Transfer.objects.filter(q).select_related(
        "student", "from_school", "to_school", "from_enrolment", "to_enrolment", "requested_by", "decided_by"
    )


def transfer_get(actor: Actor, transfer_id: int | str) -> Transfer:
    pk = as_pk(transfer_id)
    transfer = transfers_visible_to(actor).filter(pk=pk).first()
    if transfer is None:
        raise NotFoundOrNoAccess.default()
    return transfer


def transfers_for(actor: Actor, direction: str = "") -> QuerySet[Transfer]:
    """``incoming``: to a school where the actor may see learners; ``outgoing``: from one."""
    qs = transfers_visible_to(actor)
    if direction == "incoming":
        qs = qs.filter(actor.scope_q(Perm.STUDENT_VIEW, "to_school__path"))
    elif direction == "outgoing":
        qs = qs.filter(actor.scope_q(Perm.STUDENT_VIEW, "from_school__path"))
    return qs


def claims_visible_to(actor: Actor) -> QuerySet[DuplicateClaim]:
    """Claims whose holding or claiming school is in the actor's ``student.view`` scope."""
    if not actor.can_anywhere(Perm.STUDENT_VIEW):
        return DuplicateClaim.objects.none()
    q = actor.scope_q(Perm.STUDENT_VIEW, "holding_school__path") | actor.scope_q(
        Perm.STUDENT_VIEW, "claiming_school__path"
    )
    return DuplicateClaim.objects.filter(q).select_related(
        "student", "claiming_school", "holding_school", "resolved_by"
    )


def claim_get(actor: Actor, claim_id: int | str) -> DuplicateClaim:
    pk = as_pk(claim_id)
    claim = claims_visible_to(actor).filter(pk=pk).first()
    if claim is None:
        raise NotFoundOrNoAccess.default()
    return claim


def can_see_holder(actor: Actor, claim: DuplicateClaim) -> bool:
    """The registered learner's own name is shown to the holding school's side only."""
    school = claim.student.school if claim.student_id else None
    return school is not None and actor.can(Perm.STUDENT_VIEW, school.path)


def school_rooms(actor: Actor, school: OrgUnit, academic_year: AcademicYear) -> QuerySet[Classroom]:
    """The school's rooms of the year with ``learners`` (open enrolments) and their teachers."""
    if not (actor.can(Perm.STUDENT_VIEW, school.path) or actor.can(Perm.ROOM_VIEW, school.path)):
        raise NotFoundOrNoAccess.default()
    qs = Classroom.objects.filter(school=school, academic_year=academic_year)
    if not actor.can(Perm.STUDENT_VIEW, school.path):  # a teacher: own rooms only
        qs = qs.filter(teachers=actor.user_id)
    return (
        qs.annotate(learners=Count("enrolments", filter=Q(enrolments__status__in=OPEN_STATUSES)))
        .prefetch_related(Prefetch("teachers", queryset=User.objects.order_by("first_name_th")))
        .order_by("grade", "number")
    )


def classroom_get(actor: Actor, classroom_id: int | str) -> Classroom:
    """A room the actor may see (a school in ``student.view`` scope, or a teacher's own homeroom)."""
    from suksa.domains.students.selectors import classrooms_visible_to

    pk = as_pk(classroom_id)
    room = classrooms_visible_to(actor).select_related("school", "academic_year").filter(pk=pk).first()
    if room is None:
        raise NotFoundOrNoAccess.default()
    return room


def homeroom_candidates(school: OrgUnit) -> QuerySet[User]:
    """People who may be a homeroom teacher of the school's rooms."""
    on_school = RoleAssignment.objects.filter(
        unit=school, role__in=[str(r) for r in HOMEROOM_ROLES], revoked_at__isnull=True
    ).values("user_id")
    return User.objects.filter(pk__in=on_school, is_active=True).order_by("first_name_th", "last_name_th")


def open_enrolment_visible(actor: Actor, student_id: int) -> Enrolment | None:
    return (
        enrolments_visible_to(actor)
        .filter(student_id=student_id, status__in=OPEN_STATUSES)
        .select_related("school", "academic_year", "classroom", "student")
        .first()
    )


def batches_visible_to(actor: Actor) -> QuerySet[YearEndBatch]:
    return YearEndBatch.objects.filter(actor.scope_q(Perm.STUDENT_VIEW, "school__path")).select_related(
        "school", "academic_year", "applied_by", "reversed_by"
    )


def batch_get(actor: Actor, batch_id: int | str) -> YearEndBatch:
    pk = as_pk(batch_id)
    batch = batches_visible_to(actor).filter(pk=pk).first()
    if batch is None:
        raise NotFoundOrNoAccess.default()
    return batch
