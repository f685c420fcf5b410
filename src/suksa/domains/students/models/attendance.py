"""Daily attendance, marked per room, and the days on which school does not meet."""

from __future__ import annotations

from django.db import models

from suksa.domains.students.models.choices import AttendanceCode


class AttendanceMark(models.Model):
    """One learner's attendance on one school day.

    Personal data: whether a learner was present, late, sick, on leave or absent (health-adjacent:
    "sick" is shown only to the school). Retention: the academic year and 2 more years; monthly
    summaries are derived on demand, so nothing else needs keeping.
    """

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="attendance")
    classroom = models.ForeignKey("students.Classroom", on_delete=models.CASCADE, related_name="attendance")
    date = models.DateField()
    code = models.CharField(max_length=1, choices=AttendanceCode.choices)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["student", "date"], name="attendance_one_per_day")]
        indexes = [models.Index(fields=["classroom", "date"], name="attendance_room_date")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.date} {self.code}"


class SchoolClosure(models.Model):
    """A weekday on which school does not meet (holiday, closure). ``school`` null = nationwide.

    Personal data: none. Retention: kept with the calendar.
    """

    school = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField()
    reason_th = models.CharField(max_length=200)
    reason_en = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["school", "date"], name="closure_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.reason_th}"
