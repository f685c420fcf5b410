"""Reads of learners, rooms and enrolments, always scoped to the actor.

Who sees a learner's record:
- ``student.view`` on the learner's (current or last) school: school director and staff, and the
  named ESA roles of the school's ESA;
- ``room.view`` (teachers): only learners with an open enrolment in a room the teacher is a homeroom
  teacher of, in a school where they hold the grant.
Everyone else — executives, inspectors, M&E officers — sees aggregates only. Anything out of scope
is reported as not found (no existence oracle).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from suksa.core.errors import NotFoundOrNoAccess, PermissionDenied
from suksa.core.models import OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.core.text import search_terms
from suksa.domains.students.models import Classroom, Enrolment, Student
from suksa.domains.students.models.choices import OPEN_STATUSES


def _teacher_rooms_q(actor: Actor, classroom_field: str = "") -> Q:
    """Rooms where the actor is a homeroom teacher, in schools where they hold ``room.view``."""
    if actor.user_id is None or not actor.can_anywhere(Perm.ROOM_VIEW):
        return Q(pk__in=[])
    prefix = f"{classroom_field}__" if classroom_field else ""
    return Q(**{f"{prefix}teachers": actor.user_id}) & actor.scope_q(Perm.ROOM_VIEW, f"{prefix}school__path")


def classrooms_visible_to(actor: Actor) -> QuerySet[Classroom]:
    q = actor.scope_q(Perm.STUDENT_VIEW, "school__path")
    if actor.can_anywhere(Perm.ROOM_VIEW):
        own = Classroom.objects.filter(_teacher_rooms_q(actor)).values("pk")
        q |= Q(pk__in=own)
    return Classroom.objects.filter(q)


def students_visible_to(actor: Actor) -> QuerySet[Student]:
    q = actor.scope_q(Perm.STUDENT_VIEW, "school__path")
    if actor.can_anywhere(Perm.ROOM_VIEW):
        in_my_room = Enrolment.objects.filter(
            Q(student=OuterRef("pk"), status__in=OPEN_STATUSES)
            & Q(classroom__in=Classroom.objects.filter(_teacher_rooms_q(actor)))
        )
        q |= Q(Exists(in_my_room))
    return Student.objects.filter(q)


def student_get(actor: Actor, student_id: int) -> Student:
    student = students_visible_to(actor).select_related("school").filter(pk=student_id).first()
    if student is None:
        raise NotFoundOrNoAccess.default()
    return student


def enrolments_visible_to(actor: Actor) -> QuerySet[Enrolment]:
    """Enrolment rows the actor may see: any enrolment at a school in ``student.view`` scope (so a
    receiving school sees only its own part of a learner's history), or in the teacher's rooms."""
    q = actor.scope_q(Perm.STUDENT_VIEW, "school__path")
    if actor.can_anywhere(Perm.ROOM_VIEW):
        q |= Q(classroom__in=Classroom.objects.filter(_teacher_rooms_q(actor)))
    return Enrolment.objects.filter(q)


def student_search(actor: Actor, query: str, qs: QuerySet[Student] | None = None) -> QuerySet[Student]:
    """Every term must match the name or identifier (``search_text``)."""
    qs = students_visible_to(actor) if qs is None else qs
    for term in search_terms(query):
        qs = qs.filter(search_text__contains=term)
    return qs


def school_unit_for(actor: Actor, perm: Perm, code: str) -> OrgUnit:
    """The school with ``code`` if the actor holds ``perm`` there.

    A school outside the actor's view is not found; one they can see but not act on is forbidden.
    """
    unit = OrgUnit.objects.filter(kind=OrgUnit.Kind.SCHOOL, code=code).first()
    if unit is None or not (actor.can(Perm.ORG_VIEW, unit.path) or actor.can(perm, unit.path)):
        raise NotFoundOrNoAccess.default()
    if not actor.can(perm, unit.path):
        raise PermissionDenied.default()
    return unit


def can_read_sensitive(actor: Actor, student: Student) -> bool:
    return student.school is not None and actor.can(Perm.SENSITIVE_READ, student.school.path)
