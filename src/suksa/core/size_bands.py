"""OBEC school-size bands, computed from enrolment by the primary or secondary band rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# The published bands (verify each year: they are stored as data in SizeBandRule and these
# defaults only seed it). Primary-ESA schools: small 1–120, medium 121–600, large 601–1,500,
# extra-large ≥ 1,501. Secondary-ESA schools: small 1–499, medium 500–1,499, large 1,500–2,499,
# extra-large ≥ 2,500.
DEFAULT_RULES: list[tuple[str, str, int, int | None]] = [
    ("primary", "small", 0, 120),
    ("primary", "medium", 121, 600),
    ("primary", "large", 601, 1500),
    ("primary", "extra_large", 1501, None),
    ("secondary", "small", 0, 499),
    ("secondary", "medium", 500, 1499),
    ("secondary", "large", 1500, 2499),
    ("secondary", "extra_large", 2500, None),
]


@dataclass(frozen=True)
class BandRule:
    esa_type: str
    band: str
    min_students: int
    max_students: int | None


def size_band(students: int, esa_type: str, rules: Iterable[BandRule]) -> str:
    for r in rules:
        if (
            r.esa_type == esa_type
            and r.min_students <= students
            and (r.max_students is None or students <= r.max_students)
        ):
            return r.band
    return ""


def default_rules() -> list[BandRule]:
    return [BandRule(*r) for r in DEFAULT_RULES]
