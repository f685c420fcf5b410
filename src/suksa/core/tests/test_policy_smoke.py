"""Given the test world, scope paths select exactly the actor's subtree."""

from suksa.core.selectors import schools_visible_to, units_visible_to
from suksa.domains.accounts.actors import actor_for


def test_esa_officer_sees_only_own_esa_schools(world):
    actor = actor_for(world.user("esa_officer_a1"))
    codes = sorted(s.unit.code for s in schools_visible_to(actor).select_related("unit"))
    assert codes == ["1012000001", "1012000002"]


def test_user_without_role_sees_nothing(world):
    assert list(units_visible_to(actor_for(world.user("nobody")))) == []
