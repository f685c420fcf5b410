"""Enrolment: a learner in a grade and room of a school for an academic year, and how it ended.

Enrolments are temporal (``starts_on`` / ``ends_on``): the roster of a school on any date — the
census date in particular — can be rebuilt from them, which is what census snapshots rely on
(docs/adr/0006-census-from-temporal-enrolments.md). They are never deleted by lifecycle events:
a transfer, a dropout or a year-end decision closes one enrolment and may open another.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from suksa.domains.students.models.choices import DropoutReason, EnrolmentStatus, EntryKind, Grade


class Classroom(models.Model):
    """A room of a grade in a school for one academic year (ป.1/2 is grade P1, number 2).

    ``teachers`` are the homeroom teachers: a teacher sees the learners of their rooms only.
    Personal data: which teachers are responsible for the room. Retention: kept with the school's
    academic records (10 years).
    """

    school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="classrooms")
    academic_year = models.ForeignKey("core.AcademicYear", on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(max_length=2, choices=Grade.choices)
    number = models.PositiveSmallIntegerField()
    teachers = models.ManyToManyField("accounts.User", blank=True, related_name="homerooms")

    class Meta:
        ordering = ["academic_year", "grade", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "grade", "number"], name="classroom_unique"
            )
        ]

    def __str__(self) -> str:
        from suksa.domains.students.models.choices import GRADE_SHORT_TH

        return f"{GRADE_SHORT_TH.get(self.grade, self.grade)}/{self.number}"


class Enrolment(models.Model):
    """A learner's place in a school, grade and room for one academic year.

    At most one enrolment per learner is open (active or pending transfer). Personal data: links a
    learner to a school, grade and room, with dates and the reason for leaving. Retention: kept with
    the learner's record (10 years after leaving), then kept only in anonymised form for statistics.
    """

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="enrolments")
    school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="enrolments")
    academic_year = models.ForeignKey("core.AcademicYear", on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(max_length=2, choices=Grade.choices)
    classroom = models.ForeignKey(
        Classroom, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrolments"
    )
    entry = models.CharField(max_length=12, choices=EntryKind.choices, default=EntryKind.ADMITTED)
    status = models.CharField(max_length=20, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    exit_reason = models.CharField(max_length=2, choices=DropoutReason.choices, blank=True, default="")
    exit_note = models.CharField(max_length=300, blank=True)
    # Year-end: the batch that closed this enrolment, or that created it; reversing the batch
    # deletes what it created and reopens what it closed.
    closed_by_batch = models.ForeignKey(
        "students.YearEndBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="closed"
    )
    created_by_batch = models.ForeignKey(
        "students.YearEndBatch", null=True, blank=True, on_delete=models.CASCADE, related_name="created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["academic_year", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(status__in=["active", "pending_transfer"]),
                name="enrolment_one_open",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="enrolment_dates",
            ),
            models.CheckConstraint(
                condition=~Q(status="dropped_out") | ~Q(exit_reason=""), name="enrolment_dropout_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["school", "academic_year", "grade"], name="enrol_school_year_grade"),
            models.Index(fields=["academic_year", "status"], name="enrol_year_status"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id}@{self.school_id} {self.grade} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in (EnrolmentStatus.ACTIVE, EnrolmentStatus.PENDING_TRANSFER)


class Transfer(models.Model):
    """A move between schools: the sending school requests, the receiving school accepts.

    Between the two the learner shows as pending transfer at the sending school. Accepting closes
    the old enrolment (transferred out) and opens one at the receiving school (transferred in), so
    both histories stay. Personal data: which learner moves where, and why. Retention: with the
    learner's record.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "รอรับย้าย / Requested"
        ACCEPTED = "accepted", "รับย้ายแล้ว / Accepted"
        REJECTED = "rejected", "ปฏิเสธ / Rejected"
        CANCELLED = "cancelled", "ยกเลิก / Cancelled"

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="transfers")
    from_enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="transfers_out")
    from_school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    to_school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    to_enrolment = models.ForeignKey(
        Enrolment, null=True, blank=True, on_delete=models.SET_NULL, related_name="transfers_in"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    reason = models.CharField(max_length=300, blank=True)
    requested_on = models.DateField()
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"], condition=Q(status="requested"), name="transfer_one_pending"
            ),
            models.CheckConstraint(
                condition=~Q(from_school=models.F("to_school")), name="transfer_other_school"
            ),
        ]

    def __str__(self) -> str:
        return f"transfer {self.student_id} {self.from_school_id}→{self.to_school_id} {self.status}"


class YearEndBatch(models.Model):
    """A school's year-end decisions (promote, repeat, graduate) applied in one go.

    Reversible until the school's year-end census return is certified. ``summary`` holds the counts
    per grade and outcome as applied. Personal data: none beyond who applied it. Retention: with the
    school's academic records (10 years).
    """

    class Status(models.TextChoices):
        APPLIED = "applied", "ดำเนินการแล้ว / Applied"
        REVERSED = "reversed", "ยกเลิกแล้ว / Reversed"

    school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    academic_year = models.ForeignKey("core.AcademicYear", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPLIED)
    summary = models.JSONField(default=dict)
    applied_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(auto_now_add=True)
    reversed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-applied_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year"], condition=Q(status="applied"), name="yearend_one_applied"
            )
        ]

    def __str__(self) -> str:
        return f"year-end {self.school_id} {self.academic_year_id} {self.status}"
