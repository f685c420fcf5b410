"""Census rounds: each school's certified headcount on the census date.

A round belongs to a census date (data in ``core.CensusDate``). Each school takes a snapshot of its
roster on that date — rebuilt from temporal enrolments and stored as counts per grade, sex, age and
repeater flag, with a digest of the roster it came from — then the director certifies it, the ESA
acknowledges, and the nation closes the round. Certified counts never change; corrections are
:class:`CensusAmendment` rows, audited and visible. Per-head counts come from certified returns
only. See docs/adr/0006-census-from-temporal-enrolments.md.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from suksa.domains.students.models.choices import Grade, Sex


class CensusRound(models.Model):
    """One census (10 June, 10 November or year-end) of one academic year, open or closed.

    Personal data: who closed it. Retention: kept indefinitely (statistical record).
    """

    class Status(models.TextChoices):
        OPEN = "open", "เปิด / Open"
        CLOSED = "closed", "ปิดรอบแล้ว / Closed"

    census_date = models.OneToOneField(
        "core.CensusDate", on_delete=models.PROTECT, related_name="census_round"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-census_date__date"]

    def __str__(self) -> str:
        return str(self.census_date)

    @property
    def period(self) -> str:
        """The indicator period key, e.g. ``"2569/jun10"``."""
        return f"{self.census_date.academic_year.year_be}/{self.census_date.round}"


class CensusReturn(models.Model):
    """One school's return for one round: draft snapshot → certified → acknowledged.

    Personal data: none beyond who certified and acknowledged (counts only; the roster digest is a
    hash). Retention: kept indefinitely (per-head subsidies were paid from it).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "ร่าง / Draft"
        CERTIFIED = "certified", "ผู้อำนวยการรับรองแล้ว / Certified"
        ACKNOWLEDGED = "acknowledged", "เขตรับทราบแล้ว / Acknowledged"

    round = models.ForeignKey(CensusRound, on_delete=models.PROTECT, related_name="returns")
    school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="census_returns")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    student_total = models.PositiveIntegerField(default=0)
    classroom_total = models.PositiveIntegerField(default=0)
    # SHA-256 over the sorted (student id, grade) pairs the counts were taken from.
    roster_digest = models.CharField(max_length=64, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    certified_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    certified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "school"]
        constraints = [models.UniqueConstraint(fields=["round", "school"], name="censusreturn_unique")]
        indexes = [models.Index(fields=["round", "status"], name="censusreturn_round_status")]

    def __str__(self) -> str:
        return f"census {self.round_id} {self.school_id} {self.status}"

    @property
    def is_certified(self) -> bool:
        return self.status in (self.Status.CERTIFIED, self.Status.ACKNOWLEDGED)


class CensusCount(models.Model):
    """Headcount of one cell of a return: grade × sex × age (on the census date) × repeater.

    ``disabled`` and ``ccl_eligible`` count how many of ``count`` have a disability or are eligible
    for the conditional cash transfer (sensitive aggregates: suppressed under five when they leave
    the office). Personal data: none (counts). Retention: with the return.
    """

    census_return = models.ForeignKey(CensusReturn, on_delete=models.CASCADE, related_name="counts")
    grade = models.CharField(max_length=2, choices=Grade.choices)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    age = models.PositiveSmallIntegerField()
    repeater = models.BooleanField(default=False)
    count = models.PositiveIntegerField()
    disabled = models.PositiveIntegerField(default=0)
    ccl_eligible = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["census_return", "grade", "sex", "age", "repeater"], name="censuscount_cell_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.grade}/{self.sex}/{self.age}{'R' if self.repeater else ''}={self.count}"


class CensusAmendment(models.Model):
    """A correction to a certified return: a signed change to one cell, with the reason.

    Effective counts = certified counts + amendments. Personal data: who amended. Retention: with
    the return (indefinitely).
    """

    census_return = models.ForeignKey(CensusReturn, on_delete=models.PROTECT, related_name="amendments")
    grade = models.CharField(max_length=2, choices=Grade.choices)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    age = models.PositiveSmallIntegerField()
    repeater = models.BooleanField(default=False)
    delta = models.IntegerField()
    reason = models.CharField(max_length=500)
    amended_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    amended_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["amended_at"]
        constraints = [models.CheckConstraint(condition=~Q(delta=0), name="amendment_nonzero")]

    def __str__(self) -> str:
        return f"amend {self.census_return_id} {self.grade}/{self.sex}/{self.age} {self.delta:+d}"
