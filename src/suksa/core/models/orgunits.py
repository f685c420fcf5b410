"""The org tree: nation (OBEC) → inspection region → ESA → school.

One table holds every unit with a materialised path of codes (``/OBEC/R01/10010000/1010720001/``)
so that "this unit's subtree" is one indexed prefix filter. Kind-specific facts live in
one-to-one profiles (:class:`EsaProfile`, :class:`School`). See docs/adr/0002-org-tree.md.
"""

from __future__ import annotations

from django.db import models

from suksa.core.text import search_key


class OrgUnit(models.Model):
    """A node of the org tree. Holds no personal data; kept indefinitely (deactivated, never deleted)."""

    class Kind(models.TextChoices):
        NATION = "nation", "ประเทศ / Nation"
        REGION = "region", "เขตตรวจราชการ / Inspection region"
        ESA = "esa", "สำนักงานเขตพื้นที่การศึกษา / ESA"
        SCHOOL = "school", "โรงเรียน / School"

    DEPTH = {Kind.NATION: 0, Kind.REGION: 1, Kind.ESA: 2, Kind.SCHOOL: 3}
    PARENT_KIND = {Kind.REGION: Kind.NATION, Kind.ESA: Kind.REGION, Kind.SCHOOL: Kind.ESA}

    kind = models.CharField(max_length=10, choices=Kind.choices)
    code = models.CharField(max_length=20, unique=True)
    name_th = models.CharField(max_length=255)
    name_en = models.CharField(max_length=255, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    search_text = models.CharField(max_length=600, editable=False, default="")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(fields=["kind", "path"]),
            models.Index(fields=["parent", "name_th"]),
            # Covers the org figures' walk over the schools grouped by their ESA (core.figures): the
            # scan reads parent, is_active and path from the index, never the wide rows.
            models.Index(fields=["parent", "is_active", "path"], name="orgunit_parent_active_path"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["nation", "region", "esa", "school"]), name="orgunit_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name_th

    def save(self, *args: object, **kwargs: object) -> None:
        self.refresh_derived()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def build_path(self) -> str:
        return f"{self.parent.path if self.parent else '/'}{self.code}/"

    def refresh_derived(self) -> None:
        self.path = self.build_path()
        self.search_text = search_key(self.code, self.name_th, self.name_en)

    @property
    def ancestor_codes(self) -> list[str]:
        return [c for c in self.path.split("/") if c][:-1]

    def name(self, language: str = "th") -> str:
        return self.name_en if language.startswith("en") and self.name_en else self.name_th


class SizeBandRule(models.Model):
    """OBEC school-size bands by enrolment, per ESA type. Data, not constants (bands change).

    Holds no personal data; kept indefinitely.
    """

    class Band(models.TextChoices):
        SMALL = "small", "เล็ก / Small"
        MEDIUM = "medium", "กลาง / Medium"
        LARGE = "large", "ใหญ่ / Large"
        EXTRA_LARGE = "extra_large", "ใหญ่พิเศษ / Extra large"

    esa_type = models.CharField(max_length=10, choices=[("primary", "primary"), ("secondary", "secondary")])
    band = models.CharField(max_length=12, choices=Band.choices)
    min_students = models.PositiveIntegerField()
    max_students = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["esa_type", "min_students"]
        constraints = [models.UniqueConstraint(fields=["esa_type", "band"], name="sizeband_unique")]

    def __str__(self) -> str:
        return f"{self.esa_type}:{self.band} {self.min_students}-{self.max_students or '∞'}"


class EsaProfile(models.Model):
    """An Educational Service Area office (สพป./สพม.). No personal data; kept indefinitely."""

    class EsaType(models.TextChoices):
        PRIMARY = "primary", "ประถมศึกษา / Primary"
        SECONDARY = "secondary", "มัธยมศึกษา / Secondary"

    unit = models.OneToOneField(OrgUnit, primary_key=True, on_delete=models.CASCADE, related_name="esa")
    esa_type = models.CharField(max_length=10, choices=EsaType.choices)
    area_number = models.PositiveSmallIntegerField(null=True, blank=True)
    office_province = models.ForeignKey("core.Province", on_delete=models.PROTECT, related_name="esa_offices")
    provinces = models.ManyToManyField("core.Province", related_name="esas")

    def __str__(self) -> str:
        return self.unit.name_th


class School(models.Model):
    """A school's profile. No personal data (only aggregate counts); kept indefinitely."""

    class AreaType(models.TextChoices):
        URBAN = "urban", "ในเมือง / Urban"
        RURAL = "rural", "ชนบท / Rural"

    class Grade(models.TextChoices):
        K1 = "K1", "อ.1"
        K2 = "K2", "อ.2"
        K3 = "K3", "อ.3"
        P1 = "P1", "ป.1"
        P2 = "P2", "ป.2"
        P3 = "P3", "ป.3"
        P4 = "P4", "ป.4"
        P5 = "P5", "ป.5"
        P6 = "P6", "ป.6"
        M1 = "M1", "ม.1"
        M2 = "M2", "ม.2"
        M3 = "M3", "ม.3"
        M4 = "M4", "ม.4"
        M5 = "M5", "ม.5"
        M6 = "M6", "ม.6"

    unit = models.OneToOneField(OrgUnit, primary_key=True, on_delete=models.CASCADE, related_name="school")
    esa_type = models.CharField(max_length=10, choices=EsaProfile.EsaType.choices)
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, related_name="schools")
    district = models.ForeignKey("core.District", on_delete=models.PROTECT, related_name="schools")
    subdistrict = models.ForeignKey("core.Subdistrict", on_delete=models.PROTECT, related_name="schools")
    area_type = models.CharField(max_length=5, choices=AreaType.choices)
    lowest_grade = models.CharField(max_length=2, choices=Grade.choices)
    highest_grade = models.CharField(max_length=2, choices=Grade.choices)
    student_count = models.PositiveIntegerField(default=0)
    teacher_count = models.PositiveIntegerField(default=0)
    classroom_count = models.PositiveIntegerField(default=0)
    counts_as_of = models.DateField(null=True, blank=True)
    size_band = models.CharField(max_length=12, choices=SizeBandRule.Band.choices, blank=True)
    address = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["size_band"]),
            models.Index(fields=["province", "area_type"]),
        ]

    def __str__(self) -> str:
        return self.unit.name_th

    @property
    def code(self) -> str:
        return self.unit.code

    @property
    def affiliation(self) -> str:
        """The first two digits of the school code (10 = OBEC)."""
        return self.unit.code[:2]

    @property
    def level_type(self) -> str:
        """ประถม / ขยายโอกาส (primary + lower secondary) / มัธยม, from the grade span."""
        return level_type_of(self.lowest_grade, self.highest_grade)

    @property
    def pupil_teacher_ratio(self) -> float | None:
        return round(self.student_count / self.teacher_count, 1) if self.teacher_count else None


GRADE_ORDER = [g.value for g in School.Grade]


def level_type_of(lowest: str, highest: str) -> str:
    hi = GRADE_ORDER.index(highest)
    lo = GRADE_ORDER.index(lowest)
    if hi <= GRADE_ORDER.index("P6"):
        return "primary"
    if lo >= GRADE_ORDER.index("M1"):
        return "secondary"
    return "expanded"  # โรงเรียนขยายโอกาส: primary through lower (or upper) secondary


LEVEL_TYPE_LABELS = {
    "primary": ("ประถมศึกษา", "Primary"),
    "expanded": ("ขยายโอกาสทางการศึกษา", "Extended opportunity (primary + secondary)"),
    "secondary": ("มัธยมศึกษา", "Secondary"),
}
