"""The student registry: one person, one record nationally."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from suksa.core.text import search_key
from suksa.domains.students.models.choices import Disability, Religion, Sex


class Student(models.Model):
    """A learner known to the system, whichever school they attend now.

    The identifier is the 13-digit citizen ID or, for learners without one, a G-code; when a real ID
    arrives it is set beside the G-code, which stays on the record (and stays unique) so history and
    old documents still resolve. ``school`` is the current school, or the last one after the learner
    left (dropped out, graduated); it is what scopes who may see the record. It is null only for a
    record that has never been enrolled.

    Personal data: citizen ID or G-code, Thai and English names, sex, date of birth, nationality,
    the current school. Sensitive data is in :class:`StudentSensitive`. Retention: kept while the
    learner is enrolled and 10 years after they leave (transcripts and certificates are reissued
    from it), then names and identifiers are anonymised and only statistical fields remain.
    """

    citizen_id = models.CharField(max_length=13, unique=True, null=True, blank=True)
    g_code = models.CharField(max_length=13, unique=True, null=True, blank=True)
    prefix_th = models.CharField(max_length=30, blank=True)
    first_name_th = models.CharField(max_length=100)
    last_name_th = models.CharField(max_length=100)
    first_name_en = models.CharField(max_length=100, blank=True)
    last_name_en = models.CharField(max_length=100, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    birth_date = models.DateField()
    nationality = models.CharField(max_length=3, default="THA")  # ISO 3166-1 alpha-3
    school = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="students"
    )
    # Lower-cased names and identifiers, for one indexed search over the register.
    search_text = models.CharField(max_length=400, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["first_name_th", "last_name_th"]
        constraints = [
            models.CheckConstraint(
                condition=Q(citizen_id__isnull=False) | Q(g_code__isnull=False), name="student_has_identifier"
            ),
        ]
        indexes = [models.Index(fields=["school", "last_name_th"], name="student_school_name")]

    def __str__(self) -> str:
        return f"{self.prefix_th}{self.first_name_th} {self.last_name_th}"

    @property
    def identifier(self) -> str:
        return self.citizen_id or self.g_code or ""

    def compute_search_text(self) -> str:
        """What register searches match: identifiers and Thai and English names (normalised).

        Every writer (forms, import, demo) sets ``search_text`` from this, so searches agree.
        """
        return search_key(
            self.citizen_id or "", (self.g_code or "").lower(), self.first_name_th, self.last_name_th,
            self.first_name_en, self.last_name_en,
        )[:400]  # fmt: skip

    def full_name(self, language: str = "th") -> str:
        if language.startswith("en") and self.first_name_en:
            return f"{self.first_name_en} {self.last_name_en}".strip()
        return f"{self.prefix_th}{self.first_name_th} {self.last_name_th}".strip()


class Guardian(models.Model):
    """A parent or guardian to contact about a learner.

    Personal data: name, relation, phone, e-mail. Retention: deleted with the student's record, or
    when replaced by the school.
    """

    class Relation(models.TextChoices):
        FATHER = "father", "บิดา / Father"
        MOTHER = "mother", "มารดา / Mother"
        GUARDIAN = "guardian", "ผู้ปกครอง / Guardian"
        OTHER = "other", "อื่น ๆ / Other"

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardians")
    relation = models.CharField(max_length=10, choices=Relation.choices)
    name_th = models.CharField(max_length=200)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return f"{self.name_th} ({self.relation})"


class StudentSensitive(models.Model):
    """Sensitive personal data (PDPA s.26): disability, health, poverty, religion.

    Only roles holding ``sensitive.read`` on the learner's school may read or change it, and every
    read is written to the audit log. Aggregates of these fields leave the office only with cells
    under five suppressed. Personal data: all fields are sensitive. Retention: while the learner is
    enrolled at the school that recorded it, and 1 year after; then deleted.
    """

    student = models.OneToOneField(
        Student, primary_key=True, on_delete=models.CASCADE, related_name="sensitive"
    )
    disability = models.CharField(max_length=1, choices=Disability.choices, blank=True, default="")
    health_notes = models.TextField(blank=True)
    # Conditional cash transfer (นักเรียนยากจนพิเศษ, EEF screening): eligible this year.
    ccl_eligible = models.BooleanField(default=False)
    religion = models.CharField(max_length=15, choices=Religion.choices, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"sensitive({self.student_id})"


class DuplicateClaim(models.Model):
    """A school tried to register an identifier that already belongs to a learner elsewhere.

    Instead of a second record, the claim waits for a resolution: the current school transfers the
    learner, or the claim is rejected (a typo, or the wrong person). Personal data: the identifier
    and the name the claiming school typed. Retention: 2 years after resolution.
    """

    class Status(models.TextChoices):
        OPEN = "open", "รอดำเนินการ / Open"
        TRANSFERRED = "transferred", "ย้ายแล้ว / Resolved by transfer"
        REJECTED = "rejected", "ไม่อนุมัติ / Rejected"

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="duplicate_claims")
    identifier = models.CharField(max_length=13)
    claiming_school = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    holding_school = models.ForeignKey(
        "core.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_name_th = models.CharField(max_length=200, blank=True)
    claimed_birth_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=20, default="form")  # form | import | api
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "claiming_school"], condition=Q(status="open"), name="dupclaim_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"duplicate {self.identifier} → {self.claiming_school_id}"
