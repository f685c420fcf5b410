"""Academic years, semesters, fiscal years and census dates: calendar facts kept as data.

Dates are stored in CE and shown in BE. The default rules (16 May start, 1 November semester 2,
1 October fiscal start, census 10 June / 10 November / year-end) live in ``suksa.core.dates`` and
are applied by ``suksa.core.services.calendar_ensure_year``; an administrator may move any date,
as decrees have done. None of these models holds personal data; kept indefinitely.
"""

from __future__ import annotations

from django.db import models

from suksa.core.dates import format_be


class AcademicYear(models.Model):
    """An academic year, named by its Buddhist-Era year (ปีการศึกษา 2569 starts 16 May 2026).

    No personal data; kept indefinitely.
    """

    year_be = models.PositiveSmallIntegerField(unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["-year_be"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="ay_ordered")
        ]

    def __str__(self) -> str:
        return f"ปีการศึกษา {self.year_be}"


class Semester(models.Model):
    """A semester of an academic year. No personal data; kept indefinitely."""

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="semesters")
    number = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["academic_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "number"], name="semester_unique"),
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="sem_ordered"),
        ]

    def __str__(self) -> str:
        return f"ภาคเรียนที่ {self.number}/{self.academic_year.year_be}"


class FiscalYear(models.Model):
    """A government fiscal year (1 October – 30 September), named by the BE year it ends in.

    No personal data; kept indefinitely.
    """

    year_be = models.PositiveSmallIntegerField(unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["-year_be"]

    def __str__(self) -> str:
        return f"ปีงบประมาณ {self.year_be}"


class CensusDate(models.Model):
    """A student-census date (DMC) of an academic year. No personal data; kept indefinitely."""

    class Round(models.TextChoices):
        JUN10 = "jun10", "10 มิถุนายน / 10 June"
        NOV10 = "nov10", "10 พฤศจิกายน / 10 November"
        YEAR_END = "year_end", "สิ้นปีการศึกษา / Year-end"

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="census_dates")
    round = models.CharField(max_length=10, choices=Round.choices)
    date = models.DateField()

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["academic_year", "round"], name="census_unique")]

    def __str__(self) -> str:
        return f"{self.get_round_display()} {format_be(self.date)}"
