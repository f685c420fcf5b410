"""School-size bands at every edge, and the set-based recompute."""

from __future__ import annotations

import pytest

from suksa.core.models import School, SizeBandRule
from suksa.core.services import band_rules, schools_recompute_size_bands
from suksa.core.size_bands import default_rules, size_band


@pytest.mark.parametrize(
    ("students", "band"),
    [(0, "small"), (1, "small"), (120, "small"), (121, "medium"), (600, "medium"), (601, "large"),
     (1500, "large"), (1501, "extra_large"), (40000, "extra_large")],
)  # fmt: skip
def test_primary_bands(students: int, band: str) -> None:
    assert size_band(students, "primary", default_rules()) == band


@pytest.mark.parametrize(
    ("students", "band"),
    [(0, "small"), (499, "small"), (500, "medium"), (1499, "medium"), (1500, "large"), (2499, "large"),
     (2500, "extra_large"), (9000, "extra_large")],
)  # fmt: skip
def test_secondary_bands(students: int, band: str) -> None:
    assert size_band(students, "secondary", default_rules()) == band


def test_unknown_esa_type_has_no_band() -> None:
    assert size_band(100, "", default_rules()) == ""


@pytest.mark.django_db
def test_seeded_rules_equal_the_defaults() -> None:
    assert sorted(band_rules(), key=repr) == sorted(default_rules(), key=repr)


def test_recompute_fixes_stale_bands_set_based(world) -> None:
    # The factory stores "small" or "medium" by a rough rule; 1,800 secondary pupils is "large".
    School.objects.update(size_band="")
    School.objects.filter(unit=world.school_a1_2).update(student_count=121)
    updated = schools_recompute_size_bands(queryset=School.objects.exclude(unit=world.school_b1_1))
    assert updated == 3
    bands = dict(School.objects.values_list("unit__code", "size_band"))
    assert bands == {"1012000001": "small", "1012000002": "medium", "1012000101": "large", "1050000001": ""}
    assert schools_recompute_size_bands() == 1
    assert schools_recompute_size_bands() == 0
    assert School.objects.get(unit=world.school_b1_1).size_band == "small"


def test_recompute_follows_edited_rules(world) -> None:
    SizeBandRule.objects.filter(esa_type="primary", band="small").update(max_students=59)
    SizeBandRule.objects.filter(esa_type="primary", band="medium").update(min_students=60)
    schools_recompute_size_bands()
    assert School.objects.get(unit=world.school_a1_1).size_band == "medium"  # 85 pupils
    assert School.objects.get(unit=world.school_b1_1).size_band == "medium"  # 60 pupils
