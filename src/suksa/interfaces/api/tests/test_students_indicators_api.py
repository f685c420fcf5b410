"""/api/v1/indicators/ and /api/v1/org-units/<code>/indicators/: scope, suppression, filters, paging."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from suksa.core.models import IndicatorValue
from suksa.core.models.indicators import IndicatorRun
from suksa.core.policy import SYSTEM
from suksa.domains.students.services.indicators import indicators_compute
from suksa.domains.students.tests import test_indicators_world as hand
from tests.factories import World

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]
NATION, REGION_1, ESA_A1, ESA_B1 = "OBEC", "R01", "11201", "15001"
SCHOOL_A1_1, SCHOOL_A1_2, SCHOOL_A2_1 = "1012000001", "1012000002", "1012000101"


@pytest.fixture
def computed(world: World) -> World:
    hand.build(world)
    indicators_compute(actor=SYSTEM, year_be=2568)
    return world


def unit_codes(client: APIClient, query: str = "") -> set[str]:
    response = client.get(f"/api/v1/indicators/?limit=1000{query}")
    assert response.status_code == 200, response.content
    return {row["unit_code"] for row in response.json()["results"]}


# Given a persona, the units whose values the list shows (the hand world has values for A, B, C,
# ESAs a1 and a2, region 1 and the nation).
LIST_MATRIX: list[tuple[str, set[str]]] = [
    ("executive", {NATION, REGION_1, ESA_A1, "21201", SCHOOL_A1_1, SCHOOL_A1_2, SCHOOL_A2_1}),
    ("inspector_r1", {REGION_1, ESA_A1, "21201", SCHOOL_A1_1, SCHOOL_A1_2, SCHOOL_A2_1}),
    ("esa_officer_a1", {ESA_A1, SCHOOL_A1_1, SCHOOL_A1_2}),
    ("esa_officer_b1", set()),
    ("director_a1_1", {SCHOOL_A1_1}),
    ("teacher_a1_1", {SCHOOL_A1_1}),
]


@pytest.mark.parametrize(("persona", "expected"), LIST_MATRIX, ids=[m[0] for m in LIST_MATRIX])
def test_list_is_scoped_by_org_view(
    computed: World, client_as: Client, persona: str, expected: set[str]
) -> None:
    assert unit_codes(client_as(persona), "&period=2568/jun10&indicator=enrolment") == expected


# Given a persona, the status of /org-units/<code>/indicators/ for each code.
UNIT_MATRIX: list[tuple[str, dict[str, int]]] = [
    ("executive", {NATION: 200, ESA_A1: 200, SCHOOL_A1_1: 200, ESA_B1: 200}),
    ("esa_officer_a1", {NATION: 404, REGION_1: 404, ESA_A1: 200, SCHOOL_A1_1: 200, ESA_B1: 404}),
    ("esa_officer_b1", {ESA_A1: 404, SCHOOL_A1_1: 404, ESA_B1: 200}),
    ("director_a1_1", {ESA_A1: 404, SCHOOL_A1_1: 200, SCHOOL_A1_2: 404}),
    ("nobody", {NATION: 403, SCHOOL_A1_1: 403, "99999": 403}),
]  # fmt: skip


@pytest.mark.parametrize(("persona", "expected"), UNIT_MATRIX, ids=[m[0] for m in UNIT_MATRIX])
def test_unit_endpoint_authorization_matrix(
    computed: World, client_as: Client, persona: str, expected: dict[str, int]
) -> None:
    client = client_as(persona)
    got = {code: client.get(f"/api/v1/org-units/{code}/indicators/").status_code for code in expected}
    assert got == expected
    if "99999" not in expected:
        assert client.get("/api/v1/org-units/99999/indicators/").status_code == 404


def test_anonymous_is_refused(computed: World, client_as: Client) -> None:
    assert client_as(None).get("/api/v1/indicators/").status_code == 401
    assert client_as(None).get(f"/api/v1/org-units/{SCHOOL_A1_1}/indicators/").status_code == 401


def test_another_esas_unit_as_a_filter_is_not_found(computed: World, client_as: Client) -> None:
    client = client_as("esa_officer_b1")
    other = client.get(f"/api/v1/indicators/?unit={SCHOOL_A1_1}")
    missing = client.get("/api/v1/indicators/?unit=99999")
    assert other.status_code == missing.status_code == 404
    assert computed.school_a1_1.name_th not in other.content.decode()


def _p1_repetition(client: APIClient) -> dict:
    response = client.get(
        f"/api/v1/org-units/{SCHOOL_A1_1}/indicators/?indicator=repetition_rate&period=2568&breakdown=grade=P1"
    )
    assert response.status_code == 200
    [row] = response.json()["results"]
    return row


def test_small_cells_are_withheld_outside_the_office(computed: World, client_as: Client) -> None:
    inside = _p1_repetition(client_as("esa_officer_a1"))
    assert (inside["value"], inside["numerator"], inside["withheld"]) == (pytest.approx(0.1), 2, False)
    assert inside["source"]["inputs"] == {"E[P1,t]": 20, "R[P1,t+1]": 2}
    outside = _p1_repetition(client_as("executive"))
    assert outside["suppressed"] is True
    assert (outside["value"], outside["numerator"], outside["denominator"]) == (None, None, None)
    assert (outside["withheld"], outside["label_th"], outside["label_en"]) == (
        True,
        "ปกปิด (<5)",
        "suppressed (<5)",
    )
    assert "inputs" not in outside["source"]
    assert outside["source"]["formula_version"] == inside["source"]["formula_version"]
    # The provenance joins the run's shared part back in: rounds and returns, formula text, run id.
    run = IndicatorRun.objects.get()
    for row in (inside, outside):
        assert row["source"]["run"] == run.pk
        assert row["source"]["formula"] == "R[g,t+1]/E[g,t]"
        assert row["source"]["census"]["t"]["round"] == "2568/jun10"
        assert len(row["source"]["census"]["t+1"]["returns"]) == 1
        assert "record-derived" in row["source"]["graduates"]


def test_region_values_are_unsuppressed_for_the_region_itself(computed: World, client_as: Client) -> None:
    response = client_as("inspector_r1").get(
        f"/api/v1/org-units/{REGION_1}/indicators/?indicator=transition_rate_p6_m1"
    )
    [row] = response.json()["results"]
    assert (row["value"], row["period"], row["name_en"]) == (0.5, "2568", "Transition rate P6 → M1")


def test_list_is_paginated(computed: World, client_as: Client) -> None:
    body = client_as("executive").get("/api/v1/indicators/?limit=5").json()
    assert len(body["results"]) == 5
    assert body["count"] == IndicatorValue.objects.count()
    assert body["next"]


def test_unknown_indicator_is_a_bilingual_400(computed: World, client_as: Client) -> None:
    response = client_as("executive").get("/api/v1/indicators/?indicator=nope")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "indicator"
    assert error["message_th"]
    assert error["message_en"]
