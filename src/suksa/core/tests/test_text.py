"""Thai-aware search: normalisation and the scoped unit search over the test world."""

from __future__ import annotations

import pytest

from suksa.core.selectors import unit_search
from suksa.core.text import normalize_thai, search_key, search_terms
from suksa.domains.accounts.actors import actor_for

NAM = "น\u0e49\u0e33"  # น้ำ as it should be typed


@pytest.mark.parametrize(
    "variant",
    [
        NAM,
        "น\u0e49\u0e4d\u0e32",  # tone, nikhahit, sara aa
        "น\u0e4d\u0e49\u0e32",  # nikhahit, tone, sara aa
        "น\u200b\u0e49\u0e33",  # zero-width space from copy-paste
        "\ufeffน\u0e49\u0e33\u00ad",
    ],
)
def test_sara_am_and_invisible_variants_fold(variant: str) -> None:
    assert normalize_thai(variant) == NAM


def test_doubled_e_spaces_and_case() -> None:
    assert normalize_thai("  \u0e40\u0e40ม่ริม   School ") == "\u0e41ม่ริม school"


def test_search_terms_drop_institutional_prefixes() -> None:
    assert search_terms("โรงเรียนบ้านนา") == ["บ้านนา"]
    assert search_terms("รร.บ้านนา  วิทยา") == ["บ้านนา", "วิทยา"]
    assert search_terms("สพป.นนทบุรี เขต 1") == ["นนทบุรี", "เขต", "1"]
    assert search_terms("โรงเรียน") == []
    assert search_key("1012000001", "โรงเรียนบ้านนา", "") == "1012000001 | โรงเรียนบ้านนา"


def codes(qs) -> list[str]:
    return [u.code for u in qs]


def test_unit_search_on_the_world(world) -> None:
    sysadmin = actor_for(world.user("sysadmin"))
    assert codes(unit_search(sysadmin, "โรงเรียนบ้านแม่ริม")) == ["1050000001"]
    assert codes(unit_search(sysadmin, "บ้าน")) == ["1012000001", "1050000001"]
    assert codes(unit_search(sysadmin, "บ้าน\u200bแม่ริม")) == ["1050000001"]
    assert codes(unit_search(sysadmin, "นนทบุรี", kind="esa")) == ["11201", "21201"]
    assert codes(unit_search(sysadmin, "school 1012000101")) == ["1012000101"]
    assert codes(unit_search(sysadmin, "   ")) == []


def test_unit_search_is_scoped(world) -> None:
    officer = actor_for(world.user("esa_officer_a1"))
    assert codes(unit_search(officer, "บ้าน")) == ["1012000001"]
    assert codes(unit_search(officer, "แม่ริม")) == []
    assert codes(unit_search(actor_for(world.user("nobody")), "บ้าน")) == []


@pytest.mark.django_db
def test_a_number_in_a_search_matches_an_area_number_or_a_code_prefix_not_digits_inside_codes(world):
    from suksa.core.selectors import unit_search
    from suksa.domains.accounts.actors import actor_for
    from tests.factories import make_esa

    make_esa("11202", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษานนทบุรี เขต 2", world.region_1, "primary", "12", 2)
    actor = actor_for(world.user("executive"))
    assert [u.code for u in unit_search(actor, "นนทบุรี เขต 2")] == ["11202"]
    assert [u.code for u in unit_search(actor, "นนทบุรี เขต 1")] == ["11201"]
    assert [u.code for u in unit_search(actor, "1050")] == ["1050000001"]
    assert [u.code for u in unit_search(actor, "1012000002")] == ["1012000002"]
