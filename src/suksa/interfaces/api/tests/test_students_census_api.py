"""Census over REST: every endpoint's authorization matrix, and the flows that matter."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from suksa.core.models import OrgUnit
from suksa.core.policy import SYSTEM
from suksa.domains.accounts.actors import actor_for
from suksa.domains.students.models import CensusAmendment, CensusReturn, CensusRound
from suksa.domains.students.services.census import (
    census_return_certify,
    census_returns_take,
    census_round_open,
)
from suksa.domains.students.tests.factories import academic_year, make_student
from tests.factories import World

Client = Callable[..., APIClient]


def taken_round(world: World) -> CensusRound:
    make_student(world.school_a1_1, grade="P1", sex="M")
    make_student(world.school_a1_1, grade="K2", sex="F")
    make_student(world.school_b1_1, grade="P1", sex="F")
    rnd = census_round_open(actor=SYSTEM, census_date=academic_year(2569).census_dates.get(round="jun10"))
    census_returns_take(actor=SYSTEM, census_round=rnd, schools=OrgUnit.objects.filter(kind="school"))
    return rnd


def ret_of(rnd: CensusRound, unit: OrgUnit) -> CensusReturn:
    return CensusReturn.objects.get(round=rnd, school=unit)


def certify(world: World, rnd: CensusRound, unit: OrgUnit, who: str) -> CensusReturn:
    return census_return_certify(actor=actor_for(world.user(who)), census_return=ret_of(rnd, unit))


@pytest.mark.parametrize(
    ("persona", "list_status", "take_status"),
    [
        ("director_a1_1", 200, 200),
        ("staff_a1_1", 200, 403),
        ("teacher_a1_1", 200, 403),
        ("director_a1_2", 404, 404),
        ("esa_officer_a1", 200, 403),
        ("esa_officer_b1", 404, 404),
        ("executive", 200, 403),
        ("me_officer", 200, 200),
        ("nobody", 403, 403),
    ],
)
def test_school_returns_matrix(
    world: World, client_as: Client, persona: str, list_status: int, take_status: int
) -> None:
    make_student(world.school_a1_1)
    rnd = census_round_open(actor=SYSTEM, census_date=academic_year(2569).census_dates.get(round="jun10"))
    url = f"/api/v1/schools/{world.school_a1_1.code}/census/"
    c = client_as(persona)

    assert c.get(url).status_code == list_status
    r = c.post(url, {"round": rnd.pk}, format="json")
    assert r.status_code == take_status
    if take_status == 200:
        assert r.json()["student_total"] == 1
        assert r.json()["status"] == "draft"
    assert CensusReturn.objects.exists() == (take_status == 200)


@pytest.mark.parametrize(
    ("persona", "get_status", "certify_status"),
    [
        ("director_a1_1", 200, 200),
        ("staff_a1_1", 200, 403),
        ("teacher_a1_1", 200, 403),
        ("director_a1_2", 404, 404),
        ("esa_officer_a1", 200, 403),
        ("esa_officer_b1", 404, 404),
        ("executive", 200, 403),
        ("me_officer", 200, 403),
        ("nobody", 403, 403),
    ],
)
def test_return_and_certify_matrix(
    world: World, client_as: Client, persona: str, get_status: int, certify_status: int
) -> None:
    rnd = taken_round(world)
    ret = ret_of(rnd, world.school_a1_1)
    c = client_as(persona)

    r = c.get(f"/api/v1/census/returns/{ret.pk}/")
    assert r.status_code == get_status
    if get_status == 200:
        assert r.json()["student_total"] == 2
        assert {(x["grade"], x["sex"], x["effective"]) for x in r.json()["cells"]} == {
            ("P1", "M", 1),
            ("K2", "F", 1),
        }
    assert c.post(f"/api/v1/census/returns/{ret.pk}/certify/").status_code == certify_status
    ret.refresh_from_db()
    assert ret.status == ("certified" if certify_status == 200 else "draft")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("esa_officer_a1", 200),
        ("esa_director_a1", 200),
        ("director_a1_1", 403),
        ("esa_officer_b1", 404),
        ("executive", 403),
        ("me_officer", 403),
        ("nobody", 403),
    ],
)
def test_acknowledge_matrix(world: World, client_as: Client, persona: str, status: int) -> None:
    rnd = taken_round(world)
    ret = certify(world, rnd, world.school_a1_1, "director_a1_1")

    r = client_as(persona).post(f"/api/v1/census/returns/{ret.pk}/acknowledge/")

    assert r.status_code == status
    ret.refresh_from_db()
    assert ret.status == ("acknowledged" if status == 200 else "certified")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("director_a1_1", 200),
        ("staff_a1_1", 403),
        ("director_a1_2", 404),
        ("esa_officer_a1", 403),
        ("esa_officer_b1", 404),
        ("me_officer", 403),
        ("nobody", 403),
    ],
)
def test_amend_matrix(world: World, client_as: Client, persona: str, status: int) -> None:
    rnd = taken_round(world)
    ret = certify(world, rnd, world.school_a1_1, "director_a1_1")
    body = {"reason": "นักเรียนย้ายเข้าก่อนวันนับ", "cells": [{"grade": "P1", "sex": "M", "age": 6, "delta": 1}]}

    r = client_as(persona).post(f"/api/v1/census/returns/{ret.pk}/amend/", body, format="json")

    assert r.status_code == status
    assert CensusAmendment.objects.count() == (1 if status == 200 else 0)
    if status == 200:
        assert r.json()["effective_total"] == 3
        assert r.json()["amendments"][0]["amended_by"] == "director_a1_1"


def test_amendment_errors_name_the_field_in_both_languages(world: World, client_as: Client) -> None:
    rnd = taken_round(world)
    ret = certify(world, rnd, world.school_a1_1, "director_a1_1")
    body = {"reason": "x", "cells": [{"grade": "P1", "sex": "M", "age": 6, "delta": -2}]}

    r = client_as("director_a1_1").post(f"/api/v1/census/returns/{ret.pk}/amend/", body, format="json")

    assert r.status_code == 400
    err = r.json()["errors"][0]
    assert (err["code"], err["field"]) == ("negative_count", "cells.0.delta")
    assert "ติดลบ" in err["message_th"]
    assert "negative" in err["message_en"]


@pytest.mark.parametrize(
    ("persona", "list_status", "open_status", "close_status"),
    [
        ("me_officer", 200, 201, 200),
        ("sysadmin", 200, 201, 200),
        ("sysadmin_a1", 200, 403, 403),
        ("executive", 200, 403, 403),
        ("esa_officer_a1", 200, 403, 403),
        ("director_a1_1", 200, 403, 403),
        ("nobody", 403, 403, 403),
    ],
)
def test_rounds_matrix(
    world: World, client_as: Client, persona: str, list_status: int, open_status: int, close_status: int
) -> None:
    rnd = taken_round(world)
    nov = academic_year(2569).census_dates.get(round="nov10")
    c = client_as(persona)

    assert c.get("/api/v1/census/rounds/").status_code == list_status
    assert c.post("/api/v1/census/rounds/", {"census_date": nov.pk}, format="json").status_code == open_status
    r = c.post("/api/v1/census/rounds/close/", {"round": rnd.pk}, format="json")
    assert r.status_code == close_status
    assert CensusRound.objects.count() == (2 if open_status == 201 else 1)
    rnd.refresh_from_db()
    assert rnd.status == ("closed" if close_status == 200 else "open")
    if close_status == 200:
        assert r.json()["not_certified_codes"] == ["1012000001", "1012000002", "1012000101", "1050000001"]


@pytest.mark.parametrize(
    ("persona", "esas"),
    [
        ("me_officer", ["11201", "21201", "15001"]),
        ("executive", ["11201", "21201", "15001"]),
        ("inspector_r1", ["11201", "21201"]),
        ("esa_officer_a1", ["11201"]),
        ("director_a1_1", []),
    ],
)
def test_progress_is_scoped(world: World, client_as: Client, persona: str, esas: list[str]) -> None:
    rnd = taken_round(world)
    certify(world, rnd, world.school_a1_1, "director_a1_1")

    r = client_as(persona).get("/api/v1/census/rounds/progress/", {"round": rnd.pk})

    assert r.status_code == 200
    rows = {p["esa_code"]: (p["expected"], p["certified"], p["acknowledged"]) for p in r.json()}
    assert sorted(rows) == sorted(esas)
    if "11201" in rows:
        assert rows["11201"] == (2, 1, 0)


@pytest.mark.parametrize(
    ("persona", "get_status", "ack_status"),
    [
        ("esa_officer_a1", 200, 200),
        ("esa_officer_b1", 404, 404),
        ("director_a1_1", 404, 404),
        ("executive", 200, 403),
        ("me_officer", 200, 403),
        ("nobody", 403, 403),
    ],
)
def test_esa_board_matrix(
    world: World, client_as: Client, persona: str, get_status: int, ack_status: int
) -> None:
    rnd = taken_round(world)
    certify(world, rnd, world.school_a1_1, "director_a1_1")
    url = f"/api/v1/esa/{world.esa_a1.code}/census/"
    c = client_as(persona)

    r = c.get(url, {"round": rnd.pk})
    assert r.status_code == get_status
    if get_status == 200:
        assert r.json()["by_status"] == {"missing": 0, "draft": 1, "certified": 1, "acknowledged": 0}
        assert [s["school_code"] for s in r.json()["schools"]] == ["1012000001", "1012000002"]
    a = c.post(url, {"round": rnd.pk}, format="json")
    assert a.status_code == ack_status
    assert ret_of(rnd, world.school_a1_1).status == ("acknowledged" if ack_status == 200 else "certified")


def test_headcounts_count_certified_returns_and_withhold_small_cells_outside_the_office(
    world: World, client_as: Client
) -> None:
    rnd = taken_round(world)
    certify(world, rnd, world.school_a1_1, "director_a1_1")  # b1_1 stays a draft
    params = {"round": str(rnd.pk), "unit": world.nation.code}

    exec_view = client_as("executive").get("/api/v1/census/headcounts/", params).json()
    me_view = client_as("me_officer").get("/api/v1/census/headcounts/", params).json()

    assert me_view["suppressed"] is False
    assert me_view["total"] == 2
    assert me_view["returns_counted"] == 1
    assert me_view["by_level"]["primary"] == {"M": 1, "F": 0, "total": 1}
    assert me_view["by_level"]["pre_primary"] == {"M": 0, "F": 1, "total": 1}
    assert exec_view["suppressed"] is True
    assert exec_view["total"] is None
    assert exec_view["by_level"]["primary"] == {"M": None, "F": 0, "total": None}


@pytest.mark.parametrize(
    ("persona", "status"), [("esa_officer_a1", 200), ("esa_officer_b1", 404), ("nobody", 403)]
)
def test_headcounts_are_scoped(world: World, client_as: Client, persona: str, status: int) -> None:
    rnd = taken_round(world)
    r = client_as(persona).get(
        "/api/v1/census/headcounts/", {"round": str(rnd.pk), "unit": world.esa_a1.code}
    )
    assert r.status_code == status


def test_ids_beyond_64_bits_are_simply_not_found(world: World, client_as: Client) -> None:
    huge = 2**70
    assert client_as("sysadmin").get(f"/api/v1/census/returns/{huge}/").status_code == 404
    r = client_as("me_officer").post("/api/v1/census/rounds/close/", {"round": huge}, format="json")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "round"
