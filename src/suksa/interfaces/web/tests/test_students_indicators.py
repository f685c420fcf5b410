"""The unit indicators page: authorization matrix, small cells withheld outside the office, provenance,
CSV, and a constant number of queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from suksa.core.models import IndicatorValue
from suksa.core.policy import SYSTEM
from suksa.domains.students.services.indicators import indicators_compute
from suksa.domains.students.tests import test_indicators_world as hand
from tests.factories import World

pytestmark = pytest.mark.django_db

NATION, REGION_1, REGION_2 = "OBEC", "R01", "R02"
ESA_A1, ESA_B1 = "11201", "15001"
SCHOOL_A1_1, SCHOOL_A1_2, SCHOOL_B1_1 = "1012000001", "1012000002", "1050000001"
UNKNOWN = "99999"
WITHHELD = "ปกปิด (&lt;5)"


def url(code: str, query: str = "?year=2568") -> str:
    return f"/org/{code}/indicators/{query}"


def client_for(world: World, username: str | None) -> Client:
    client = Client()
    if username is not None:
        client.force_login(world.user(username))
    return client


@pytest.fixture
def computed(world: World) -> World:
    hand.build(world)
    indicators_compute(actor=SYSTEM, year_be=2568)
    return world


# Given a persona, when they open a unit's indicators page, then exactly this status.
MATRIX: list[tuple[str, dict[str, int]]] = [
    ("executive", {NATION: 200, REGION_1: 200, ESA_A1: 200, SCHOOL_A1_1: 200, SCHOOL_B1_1: 200}),
    ("me_officer", {NATION: 200, ESA_B1: 200, SCHOOL_A1_2: 200}),
    ("inspector_r1", {NATION: 404, REGION_1: 200, REGION_2: 404, ESA_A1: 200, SCHOOL_A1_1: 200, ESA_B1: 404}),
    ("esa_officer_a1", {NATION: 404, REGION_1: 404, ESA_A1: 200, SCHOOL_A1_1: 200, SCHOOL_A1_2: 200,
                        ESA_B1: 404, SCHOOL_B1_1: 404}),
    ("esa_officer_b1", {ESA_A1: 404, SCHOOL_A1_1: 404, ESA_B1: 200, SCHOOL_B1_1: 200}),
    ("director_a1_1", {ESA_A1: 404, SCHOOL_A1_1: 200, SCHOOL_A1_2: 404, SCHOOL_B1_1: 404}),
    ("teacher_a1_1", {SCHOOL_A1_1: 200, SCHOOL_A1_2: 404}),
    ("nobody", {NATION: 404, SCHOOL_A1_1: 404}),
]  # fmt: skip


@pytest.mark.parametrize(("username", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
def test_indicators_page_authorization_matrix(
    computed: World, username: str, expected: dict[str, int]
) -> None:
    client = client_for(computed, username)
    got = {code: client.get(url(code)).status_code for code in [*expected, UNKNOWN]}
    assert got == {**expected, UNKNOWN: 404}


def test_anonymous_is_sent_to_login(computed: World) -> None:
    response = client_for(computed, None).get(url(SCHOOL_A1_1))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_another_esas_school_is_answered_like_an_unknown_one(computed: World) -> None:
    client = client_for(computed, "esa_officer_b1")
    other, missing = client.get(url(SCHOOL_A1_1)), client.get(url(UNKNOWN))
    assert other.status_code == missing.status_code == 404
    assert computed.school_a1_1.name_th not in other.content.decode()


def test_the_school_sees_its_small_cells_and_the_nation_sees_them_withheld(computed: World) -> None:
    inside = client_for(computed, "director_a1_1").get(url(SCHOOL_A1_1)).content.decode()
    outside = client_for(computed, "executive").get(url(SCHOOL_A1_1)).content.decode()
    # P1 repetition: 2 of 20 (a small cell). The director sees 10.0%, the executive the label.
    assert "10.0%<sup" in inside
    assert WITHHELD not in inside
    assert WITHHELD in outside
    # Enrolment (not small) is shown to both.
    assert ">120<" in inside
    assert ">120<" in outside


def test_the_esa_office_sees_its_schools_small_cells(computed: World) -> None:
    page = client_for(computed, "esa_officer_a1").get(url(SCHOOL_A1_1)).content.decode()
    assert WITHHELD not in page


def test_tables_show_enrolment_flows_survival_parity_and_attendance(computed: World) -> None:
    page = client_for(computed, "director_a1_1").get(url(SCHOOL_A1_1)).content.decode()
    for testid in ("enrolment", "flows", "survival", "parity", "others"):
        assert f'data-testid="{testid}"' in page
    assert "ป.6" in page
    assert "85.0%" in page  # P6 promotion 17/20
    assert "15.0" in page  # pupil-teacher ratio 120/8
    assert "98.0%" in page  # attendance
    # Provenance on hover: period, census return, formula version.
    assert "2568/jun10" in page
    assert "uis-" in page
    first_return = computed.school_a1_1.census_returns.order_by("pk").first()
    assert first_return is not None
    assert f"#{first_return.pk}" in page


def test_csv_download_withholds_small_cells_outside_the_office(computed: World) -> None:
    def rows(username: str) -> dict[tuple[str, str, str], dict[str, str]]:
        response = client_for(computed, username).get(url(SCHOOL_A1_1, "?year=2568&format=csv"))
        assert response["Content-Type"].startswith("text/csv")
        text = response.content.decode("utf-8-sig")
        return {(r["indicator"], r["period"], r["breakdown"]): r for r in csv.DictReader(io.StringIO(text))}

    inside, outside = rows("director_a1_1"), rows("executive")
    key = ("repetition_rate", "2568", "grade=P1")
    assert (inside[key]["value"], inside[key]["withheld"]) == ("0.1", "0")
    assert (outside[key]["value"], outside[key]["numerator"], outside[key]["withheld"]) == ("", "", "1")
    assert outside[("enrolment", "2568/jun10", "")]["value"] == "120.0"
    assert len(inside) == len(outside)


def test_no_values_yet(world: World) -> None:
    response = client_for(world, "director_a1_1").get(url(SCHOOL_A1_1))
    assert response.status_code == 200
    assert 'data-testid="no-values"' in response.content.decode()


def test_the_page_costs_a_constant_number_of_queries(computed: World) -> None:
    client = client_for(computed, "executive")
    client.get(url(NATION))  # warm the session
    counts = []
    for code in (SCHOOL_A1_1, ESA_A1, NATION):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(code)).status_code == 200
        counts.append(len(ctx))
    # The nation has no ancestors to look up for the breadcrumbs: one query fewer, never more.
    assert counts[0] == counts[1] <= 8, counts  # 8 = 7 + the unread-notifications count of the top bar
    assert counts[2] <= counts[0], counts


@pytest.fixture
def latest_without_flows(computed: World) -> World:
    """2569 is computed too, but its flows need the 2570 census: it holds enrolment only."""
    indicators_compute(actor=SYSTEM, year_be=2569)
    return computed


def selected_year(page: str) -> str:
    return page.split(" selected>")[0].rsplit('value="', 1)[1].split('"')[0]


def test_without_a_year_the_page_opens_on_the_latest_year_with_flow_rates(
    latest_without_flows: World,
) -> None:
    client = client_for(latest_without_flows, "director_a1_1")
    page = client.get(url(SCHOOL_A1_1, "")).content.decode()
    assert selected_year(page) == "2568"
    assert 'data-testid="flows"' in page
    assert "85.0%" in page  # P6 promotion 17/20 of 2568
    # Every year with values is still offered, and the latest one opens when asked for.
    assert '<option value="2569">2569</option>' in page
    asked = client.get(url(SCHOOL_A1_1, "?year=2569")).content.decode()
    assert selected_year(asked) == "2569"
    assert 'data-testid="flows"' not in asked
    assert 'data-testid="enrolment"' in asked


def test_without_flows_anywhere_the_page_opens_on_the_latest_year_with_any_value(
    latest_without_flows: World,
) -> None:
    IndicatorValue.objects.filter(
        indicator__in=("promotion_rate", "repetition_rate", "dropout_rate")
    ).delete()
    page = client_for(latest_without_flows, "director_a1_1").get(url(SCHOOL_A1_1, "")).content.decode()
    assert selected_year(page) == "2569"
    assert 'data-testid="flows"' not in page


def test_choosing_the_default_year_costs_one_query(latest_without_flows: World) -> None:
    client = client_for(latest_without_flows, "executive")
    client.get(url(NATION))  # warm the session
    with CaptureQueriesContext(connection) as asked:
        client.get(url(ESA_A1, "?year=2568"))
    with CaptureQueriesContext(connection) as default:
        client.get(url(ESA_A1, ""))
    assert len(default) == len(asked) + 1
