"""Reads of the register and of one learner's profile, scoped to the actor (built on ``selectors``).

The register list is one query for the page and one aggregate for the counts, whatever the page
size: the current placement (grade, room, status) of each learner comes from correlated subqueries
on their latest enrolment, never one query per row.

Whoever may see a learner's record sees the learner's whole enrolment history, at every school:
the record follows the person (one person, one record), so the current school can see where the
learner studied before. The sending school stops seeing the record once the learner has moved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from suksa.core.policy import Actor, Perm
from suksa.domains.students.models import DuplicateClaim, Enrolment, Guardian, Student, Transfer
from suksa.domains.students.models.choices import OPEN_STATUSES, EnrolmentStatus, Sex
from suksa.domains.students.selectors import student_search, students_visible_to

_DASHED_ID = re.compile(r"^\d[\d-]{12,17}$")
# Register status filter values → what they mean for the learner's open enrolment.
STATUS_STUDYING = "studying"
STATUS_PENDING = "pending_transfer"
STATUS_LEFT = "left"
STATUS_CHOICES = (
    (STATUS_STUDYING, "กำลังศึกษา / Studying"),
    (STATUS_PENDING, "รอย้าย / Pending transfer"),
    (STATUS_LEFT, "ออกแล้ว / Left"),
)


@dataclass(frozen=True)
class RegisterCounts:
    total: int
    male: int
    female: int


def _latest_enrolment() -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(student=OuterRef("pk")).order_by("-starts_on", "-pk")


def _open(**extra: Any) -> Exists:
    return Exists(Enrolment.objects.filter(student=OuterRef("pk"), status__in=OPEN_STATUSES, **extra))


def _id_digits(query: str) -> str:
    """A citizen ID typed with dashes (``1-2345-67890-12-1``) searches as its 13 digits."""
    return " ".join(w.replace("-", "") if _DASHED_ID.match(w) else w for w in query.split())


def register_queryset(actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet[Student]:
    """Learners the actor may see, narrowed by ``filters`` and annotated with their placement.

    Filters (all optional): ``q`` (every term matches a name or identifier), ``school`` (a school
    code; one outside the actor's view simply yields nothing), ``grade`` and ``room`` (of the open
    enrolment), ``status`` (``studying`` / ``pending_transfer`` / ``left``), ``sex`` (M/F).
    Annotations: ``current_grade``, ``current_room``, ``current_status``, ``current_year_be``.
    """
    f = filters or {}
    qs = students_visible_to(actor)
    if f.get("q"):
        qs = student_search(actor, _id_digits(str(f["q"])), qs)
    if f.get("school"):
        qs = qs.filter(school__code=str(f["school"]).strip())
    if f.get("sex"):
        qs = qs.filter(sex=f["sex"])
    placement: dict[str, Any] = {}
    if f.get("grade"):
        placement["grade"] = f["grade"]
    if f.get("room"):
        placement["classroom__number"] = f["room"]
    status = f.get("status")
    if status == STATUS_STUDYING:
        qs = qs.filter(_open(status=EnrolmentStatus.ACTIVE, **placement))
    elif status == STATUS_PENDING:
        qs = qs.filter(_open(status=EnrolmentStatus.PENDING_TRANSFER, **placement))
    elif status == STATUS_LEFT:
        qs = qs.filter(~_open())
        if placement:
            latest = _latest_enrolment()
            qs = qs.annotate(
                _last_grade=Subquery(latest.values("grade")[:1]),
                _last_room=Subquery(latest.values("classroom__number")[:1]),
            )
            if "grade" in placement:
                qs = qs.filter(_last_grade=placement["grade"])
            if "classroom__number" in placement:
                qs = qs.filter(_last_room=placement["classroom__number"])
    elif placement:
        qs = qs.filter(_open(**placement))
    return qs


def register_page_rows(qs: QuerySet[Student]) -> QuerySet[Student]:
    """``qs`` ordered for display, with each learner's current (latest) placement and school."""
    latest = _latest_enrolment()
    return (
        qs.select_related("school")
        .annotate(
            current_grade=Subquery(latest.values("grade")[:1]),
            current_room=Subquery(latest.values("classroom__number")[:1]),
            current_status=Subquery(latest.values("status")[:1]),
            current_year_be=Subquery(latest.values("academic_year__year_be")[:1]),
        )
        .order_by("first_name_th", "last_name_th", "pk")
    )


def register_counts(qs: QuerySet[Student]) -> RegisterCounts:
    """Total, boys and girls of the filtered register, in one aggregate query."""
    row = qs.order_by().aggregate(
        total=Count("pk"),
        male=Count("pk", filter=Q(sex=Sex.MALE)),
        female=Count("pk", filter=Q(sex=Sex.FEMALE)),
    )
    return RegisterCounts(total=row["total"] or 0, male=row["male"] or 0, female=row["female"] or 0)


def student_history(student: Student) -> list[Enrolment]:
    """Every enrolment of a learner the caller may already see (see the module docstring), oldest first."""
    return list(
        Enrolment.objects.filter(student=student)
        .select_related("school", "academic_year", "classroom")
        .order_by("starts_on", "pk")
    )


def student_current_enrolment(student: Student) -> Enrolment | None:
    return (
        Enrolment.objects.filter(student=student, status__in=OPEN_STATUSES)
        .select_related("school", "academic_year", "classroom")
        .first()
    )


def student_transfers(student: Student) -> list[Transfer]:
    return list(
        Transfer.objects.filter(student=student)
        .select_related("from_school", "to_school")
        .order_by("-requested_at")
    )


def student_guardians(student: Student) -> list[Guardian]:
    return list(Guardian.objects.filter(student=student).order_by("-is_primary", "pk"))


def guardian_get(student: Student, guardian_id: Any) -> Guardian | None:
    """A guardian of ``student`` (already scoped), or None for an unknown id or another learner's."""
    try:
        pk = int(guardian_id)
    except (TypeError, ValueError):
        return None
    return Guardian.objects.filter(student=student, pk=pk).select_related("student__school").first()


def student_claims(actor: Actor, student: Student) -> list[DuplicateClaim]:
    """Open duplicate claims on the learner, for those who may see the record at its school."""
    if student.school is None or not actor.can(Perm.STUDENT_VIEW, student.school.path):
        return []
    return list(
        DuplicateClaim.objects.filter(student=student, status=DuplicateClaim.Status.OPEN).select_related(
            "claiming_school"
        )
    )
