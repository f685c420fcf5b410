"""Kernel services: school profile edits refuse bad input in both languages and write nothing."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), [("latitude", "40"), ("longitude", "13.7"), ("latitude", "abc")])
def test_school_coordinates_outside_thailand_are_refused_and_nothing_changes(world, field, value):
    from suksa.core.errors import InvalidInput
    from suksa.core.models import AuditEntry, School
    from suksa.core.services import school_update_profile
    from suksa.domains.accounts.actors import actor_for

    school = School.objects.select_related("unit").get(unit=world.school_a1_1)
    audits = AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as caught:
        school_update_profile(
            actor=actor_for(world.user("director_a1_1")), school=school, data={field: value}
        )
    (problem,) = caught.value.problems
    assert (problem.code, problem.field) == ("coordinate_outside_thailand", field)
    assert "ประเทศไทย" in problem.th
    assert "Thailand" in problem.en
    school.refresh_from_db()
    assert getattr(school, field) is None
    assert AuditEntry.objects.count() == audits
