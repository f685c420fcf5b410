"""Census pages: a school certifies, an ESA acknowledges, the nation opens and closes rounds."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from suksa.core.models import AuditEntry, OrgUnit, School
from suksa.core.policy import SYSTEM
from suksa.domains.accounts.actors import actor_for
from suksa.domains.students.models import CensusAmendment, CensusReturn, CensusRound
from suksa.domains.students.services.census import (
    census_return_certify,
    census_returns_take,
    census_round_open,
)
from suksa.domains.students.tests.factories import academic_year, make_student
from tests.factories import World, make_school


def client_for(world: World, name: str) -> Client:
    c = Client()
    c.force_login(world.user(name))
    return c


def open_round(world: World) -> CensusRound:
    return census_round_open(actor=SYSTEM, census_date=academic_year(2569).census_dates.get(round="jun10"))


def taken_round(world: World) -> CensusRound:
    make_student(world.school_a1_1, grade="P1", sex="M")
    make_student(world.school_a1_1, grade="P2", sex="F")
    make_student(world.school_b1_1, grade="P1", sex="F")
    rnd = open_round(world)
    census_returns_take(actor=SYSTEM, census_round=rnd, schools=OrgUnit.objects.filter(kind="school"))
    return rnd


def ret_of(rnd: CensusRound, unit: OrgUnit) -> CensusReturn:
    return CensusReturn.objects.get(round=rnd, school=unit)


def certify(world: World, rnd: CensusRound, unit: OrgUnit, director: str) -> CensusReturn:
    return census_return_certify(actor=actor_for(world.user(director)), census_return=ret_of(rnd, unit))


# --- the school page -----------------------------------------------------------------------------


def test_the_director_takes_and_certifies_with_the_census_date_in_be(world: World) -> None:
    make_student(world.school_a1_1, grade="P1", sex="M")
    rnd = open_round(world)
    c = client_for(world, "director_a1_1")
    url = reverse("web:census_school", args=[world.school_a1_1.code])

    r = c.post(url, {"round": rnd.pk, "action": "take"})
    assert r.status_code == 302
    page = c.get(f"{url}?round={rnd.pk}&year=2569").content.decode()
    assert "10 มิถุนายน 2569" in page
    assert 'data-testid="certify-form"' in page
    assert 'data-testid="table-total">1<' in page

    refused = c.post(url, {"round": rnd.pk, "action": "certify"}, follow=True)  # no confirmation
    assert "กรุณายืนยัน" in refused.content.decode()
    assert ret_of(rnd, world.school_a1_1).status == "draft"

    c.post(url, {"round": rnd.pk, "action": "certify", "confirm": "on"})
    assert ret_of(rnd, world.school_a1_1).status == "certified"
    assert School.objects.get(unit=world.school_a1_1).student_count == 1


def test_a_changed_roster_is_reported_on_the_page(world: World) -> None:
    make_student(world.school_a1_1)
    rnd = open_round(world)
    c = client_for(world, "director_a1_1")
    url = reverse("web:census_school", args=[world.school_a1_1.code])
    c.post(url, {"round": rnd.pk, "action": "take"})
    make_student(world.school_a1_1)

    r = c.post(url, {"round": rnd.pk, "action": "certify", "confirm": "on"}, follow=True)

    assert "กรุณาดึงข้อมูลใหม่" in r.content.decode()
    assert "retake it" in r.content.decode()
    assert ret_of(rnd, world.school_a1_1).status == "draft"


@pytest.mark.parametrize(
    ("persona", "get_status", "take_status"),
    [
        ("director_a1_1", 200, 302),
        ("staff_a1_1", 200, 403),
        ("teacher_a1_1", 200, 403),
        ("director_a1_2", 404, 404),
        ("esa_officer_a1", 200, 403),
        ("esa_officer_b1", 404, 404),
        ("executive", 200, 403),
        ("me_officer", 200, 302),
        ("nobody", 404, 404),
    ],
)
def test_school_page_matrix(world: World, persona: str, get_status: int, take_status: int) -> None:
    make_student(world.school_a1_1)
    rnd = open_round(world)
    c = client_for(world, persona)
    url = reverse("web:census_school", args=[world.school_a1_1.code])

    assert c.get(url).status_code == get_status
    assert c.post(url, {"round": rnd.pk, "action": "take"}).status_code == take_status
    assert CensusReturn.objects.exists() == (take_status == 302)


def test_staff_see_no_certify_button(world: World) -> None:
    rnd = taken_round(world)
    url = reverse("web:census_school", args=[world.school_a1_1.code])
    page = client_for(world, "staff_a1_1").get(f"{url}?round={rnd.pk}&year=2569").content.decode()
    assert "certify-form" not in page
    r = client_for(world, "staff_a1_1").post(url, {"round": rnd.pk, "action": "certify", "confirm": "on"})
    assert r.status_code == 403
    assert ret_of(rnd, world.school_a1_1).status == "draft"


# --- one return ----------------------------------------------------------------------------------


def test_the_return_page_shows_amendments_with_who_when_why(world: World) -> None:
    rnd = taken_round(world)
    ret = certify(world, rnd, world.school_a1_1, "director_a1_1")
    c = client_for(world, "director_a1_1")
    url = reverse("web:census_return", args=[ret.pk])

    r = c.post(url, {"grade": "P1", "sex": "M", "age": 6, "delta": 2, "reason": "ย้ายเข้าก่อนวันนับ ลืมบันทึก"})

    assert r.status_code == 302
    page = c.get(url).content.decode()
    assert "ย้ายเข้าก่อนวันนับ ลืมบันทึก" in page
    assert "+2" in page
    assert 'data-testid="effective-total">4<' in page
    bad = c.post(url, {"grade": "P2", "sex": "F", "age": 7, "delta": -5, "reason": "x"})
    assert bad.status_code == 200
    assert "ติดลบไม่ได้" in bad.content.decode()
    assert CensusAmendment.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "get_status", "amend_status"),
    [
        ("director_a1_1", 200, 302),
        ("staff_a1_1", 200, 403),
        ("teacher_a1_1", 200, 403),
        ("director_a1_2", 404, 404),
        ("esa_officer_a1", 200, 403),
        ("esa_officer_b1", 404, 404),
        ("executive", 200, 403),
        ("me_officer", 200, 403),  # while the round is open, only the director amends
        ("nobody", 404, 404),
    ],
)
def test_return_page_matrix(world: World, persona: str, get_status: int, amend_status: int) -> None:
    rnd = taken_round(world)
    ret = certify(world, rnd, world.school_a1_1, "director_a1_1")
    c = client_for(world, persona)
    url = reverse("web:census_return", args=[ret.pk])

    assert c.get(url).status_code == get_status
    r = c.post(url, {"grade": "P1", "sex": "M", "age": 6, "delta": 1, "reason": "x"})
    assert r.status_code == amend_status
    assert CensusAmendment.objects.count() == (1 if amend_status == 302 else 0)


def test_a_missing_return_is_not_found(world: World) -> None:
    assert client_for(world, "sysadmin").get(reverse("web:census_return", args=[99999])).status_code == 404


# --- the ESA board -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "get_status", "ack_status"),
    [
        ("esa_officer_a1", 200, 302),
        ("esa_director_a1", 200, 302),
        ("esa_officer_b1", 404, 404),
        ("director_a1_1", 404, 404),
        ("executive", 200, 403),
        ("inspector_r1", 200, 403),
        ("me_officer", 200, 403),
        ("nobody", 404, 404),
    ],
)
def test_esa_board_matrix(world: World, persona: str, get_status: int, ack_status: int) -> None:
    rnd = taken_round(world)
    certify(world, rnd, world.school_a1_1, "director_a1_1")
    c = client_for(world, persona)
    url = reverse("web:census_esa", args=[world.esa_a1.code])

    assert c.get(f"{url}?round={rnd.pk}").status_code == get_status
    assert c.post(url, {"round": rnd.pk, "action": "acknowledge_all"}).status_code == ack_status
    expected = "acknowledged" if ack_status == 302 else "certified"
    assert ret_of(rnd, world.school_a1_1).status == expected


def test_the_board_shows_every_school_and_acknowledges_one(world: World) -> None:
    rnd = taken_round(world)
    ret = certify(world, rnd, world.school_a1_1, "director_a1_1")
    c = client_for(world, "esa_officer_a1")
    url = reverse("web:census_esa", args=[world.esa_a1.code])

    page = c.get(f"{url}?round={rnd.pk}").content.decode()
    assert 'data-school="1012000001" data-status="certified"' in page
    assert 'data-school="1012000002" data-status="draft"' in page
    assert world.school_b1_1.name_th not in page

    c.post(url, {"round": rnd.pk, "action": "acknowledge_one", "return_id": ret.pk})
    assert ret_of(rnd, world.school_a1_1).status == "acknowledged"


def test_the_board_csv_withholds_small_totals_and_is_audited(world: World) -> None:
    rnd = taken_round(world)  # school a1_1 has 2 learners
    for _ in range(5):
        make_student(world.school_a1_2)
    census_returns_take(
        actor=SYSTEM, census_round=rnd, schools=OrgUnit.objects.filter(pk=world.school_a1_2.pk)
    )
    c = client_for(world, "executive")

    r = c.get(reverse("web:census_esa", args=[world.esa_a1.code]), {"round": str(rnd.pk), "format": "csv"})

    text = r.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[1].startswith("1012000001,")
    assert ",<5," in lines[1]
    assert lines[2].startswith("1012000002,")
    assert ",5," in lines[2]
    assert AuditEntry.objects.filter(action="export", object_type="students.censusboard").count() == 1


def test_board_queries_do_not_grow_with_the_number_of_schools(
    world: World, django_assert_max_num_queries: object
) -> None:
    rnd = taken_round(world)
    for i in range(3, 23):
        make_school(f"10120000{i:02d}", f"โรงเรียนทดสอบ {i}", world.esa_a1)
    census_returns_take(actor=SYSTEM, census_round=rnd, schools=OrgUnit.objects.filter(kind="school"))
    c = client_for(world, "esa_officer_a1")
    url = reverse("web:census_esa", args=[world.esa_a1.code])
    c.get(f"{url}?round={rnd.pk}")
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        page = c.get(f"{url}?round={rnd.pk}")
    assert page.content.decode().count("data-school=") == 22


# --- national rounds -----------------------------------------------------------------------------


def test_the_me_officer_opens_and_closes_a_round(world: World) -> None:
    academic_year(2569)
    make_student(world.school_a1_1)
    c = client_for(world, "me_officer")
    url = reverse("web:census_rounds")
    census_date = academic_year(2569).census_dates.get(round="jun10")

    assert c.post(url, {"action": "open", "census_date": census_date.pk}).status_code == 302
    rnd = CensusRound.objects.get()
    census_returns_take(
        actor=SYSTEM, census_round=rnd, schools=OrgUnit.objects.filter(pk=world.school_a1_1.pk)
    )
    certify(world, rnd, world.school_a1_1, "director_a1_1")

    r = c.post(url, {"action": "close", "round": rnd.pk}, follow=True)

    page = r.content.decode()
    assert 'data-testid="close-result"' in page
    assert "1012000002, 1012000101, 1050000001" in page
    rnd.refresh_from_db()
    assert rnd.status == "closed"


@pytest.mark.parametrize(
    ("persona", "get_status", "close_status", "esas"),
    [
        ("me_officer", 200, 302, ["11201", "21201", "15001"]),
        ("sysadmin", 200, 302, ["11201", "21201", "15001"]),
        ("executive", 200, 403, ["11201", "21201", "15001"]),
        ("sysadmin_a1", 200, 403, ["11201"]),
        ("esa_officer_a1", 200, 403, ["11201"]),
        ("director_a1_1", 200, 403, []),
        ("nobody", 404, 404, None),
    ],
)
def test_rounds_page_matrix(
    world: World, persona: str, get_status: int, close_status: int, esas: list[str] | None
) -> None:
    rnd = taken_round(world)
    c = client_for(world, persona)
    url = reverse("web:census_rounds")

    r = c.get(f"{url}?round={rnd.pk}")
    assert r.status_code == get_status
    if esas is not None:
        page = r.content.decode()
        assert [code for code in ["11201", "21201", "15001"] if f'data-esa="{code}"' in page] == esas
    assert c.post(url, {"action": "close", "round": rnd.pk}).status_code == close_status
    rnd.refresh_from_db()
    assert rnd.status == ("closed" if close_status == 302 else "open")


def test_an_unknown_round_is_not_found(world: World) -> None:
    c = client_for(world, "me_officer")
    assert c.get(reverse("web:census_rounds"), {"round": 999}).status_code == 404
    assert c.get(reverse("web:census_rounds"), {"round": "abc"}).status_code == 404


def test_ids_beyond_64_bits_are_not_found(world: World) -> None:
    c = client_for(world, "me_officer")
    assert c.get(f"/census/returns/{2**70}/").status_code == 404
    assert c.get(reverse("web:census_rounds"), {"round": str(2**70)}).status_code == 404
    assert (
        c.post(reverse("web:census_rounds"), {"action": "open", "census_date": str(2**70)}).status_code == 404
    )
