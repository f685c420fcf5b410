"""The monitoring home: open rounds, the actor's own report, and links by role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from suksa.core.policy import SYSTEM
from suksa.domains.monitoring.models import Round
from suksa.domains.monitoring.services.prefill import round_prefill
from suksa.domains.monitoring.tests.factories import make_framework
from tests.factories import World

pytestmark = pytest.mark.django_db


def client_for(world: World, username: str) -> Client:
    client = Client()
    client.force_login(world.user(username))
    return client


def open_round_today(fiscal_year: int = 2569) -> Round:
    rnd = make_framework(fiscal_year).rounds.get(code="m12")
    today = dt.date.today()
    Round.objects.filter(pk=rnd.pk).update(
        opens_on=today - dt.timedelta(days=5),
        due_on=today + dt.timedelta(days=10),
        locks_on=today + dt.timedelta(days=40),
    )
    rnd.refresh_from_db()
    return rnd


def test_esa_staff_see_their_own_report_of_the_open_round(world: World) -> None:
    rnd = open_round_today()
    round_prefill(actor=SYSTEM, round=rnd)
    body = client_for(world, "esa_officer_a1").get("/monitoring/").content.decode()
    assert 'data-testid="open-rounds"' in body
    assert rnd.name_th in body
    assert body.count('data-testid="own-report"') == 1
    assert world.esa_a1.name_th in body
    assert world.esa_b1.name_th not in body
    assert "เปิดรับรายงาน" in body


def test_no_open_round_is_said_plainly(world: World) -> None:
    make_framework(2560)  # rounds long past
    body = client_for(world, "esa_officer_a1").get("/monitoring/").content.decode()
    assert 'data-testid="no-open-round"' in body
    assert 'data-testid="own-report"' not in body


@pytest.mark.parametrize(
    ("username", "present", "absent"),
    [
        ("me_officer", ["link-monitoring_catalogue"], []),
        ("executive", ["link-monitoring_catalogue"], ["link-monitoring_targets", "link-review_queue"]),
        ("esa_officer_a1", ["link-monitoring_catalogue"], ["link-monitoring_targets", "link-review_queue"]),
        ("reviewer", ["link-monitoring_catalogue"], ["link-monitoring_targets", "link-monitoring_reports"]),
    ],
)
def test_links_follow_the_role(world: World, username: str, present: list[str], absent: list[str]) -> None:
    body = client_for(world, username).get("/monitoring/").content.decode()
    for key in present:
        assert f'data-testid="{key}"' in body, key
    for key in absent:
        assert f'data-testid="{key}"' not in body, key


def test_the_nav_shows_monitoring_to_report_roles_only(world: World) -> None:
    assert 'href="/monitoring/"' in client_for(world, "esa_officer_a1").get("/").content.decode()
    assert 'href="/monitoring/"' in client_for(world, "reviewer").get("/").content.decode()
    assert 'href="/monitoring/"' not in client_for(world, "teacher_a1_1").get("/").content.decode()


def test_anonymous_is_sent_to_login(world: World) -> None:
    response = Client().get("/monitoring/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login/")
