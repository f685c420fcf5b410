"""Alerts and notifications over REST: scoped lists and detail, acting with bilingual refusals,
one's own notifications; each endpoint's authorization."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from suksa.core.models import Notification
from suksa.domains.insights.models import Alert, AlertEvent
from suksa.domains.insights.models.choices import DataQuality
from suksa.domains.insights.tests.objects_alerts import b_alert_id, b_notification_id, make_alert
from suksa.domains.insights.tests.objects_schools import any_round, current_run
from tests.factories import World

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]
API = "/api/v1/insights"


@pytest.fixture
def alerts(world: World) -> dict[str, Alert]:
    rnd = any_round()
    run = current_run(rnd)
    return {
        "a": make_alert(rnd, world.esa_a1, run=run),
        "held": make_alert(rnd, world.esa_a1, run=run, indicator="reading_rate", quality=DataQuality.HELD),
        "b": Alert.objects.get(pk=b_alert_id(world)),
    }


def ids(body: dict) -> set[int]:
    return {r["id"] for r in body["results"]}


def test_list_is_scoped_and_filtered(world: World, alerts: dict[str, Alert], client_as: Client) -> None:
    assert ids(client_as("esa_director_a1").get(f"{API}/alerts/").json()) == {alerts["a"].pk}
    assert ids(client_as("executive").get(f"{API}/alerts/").json()) == {alerts["a"].pk, alerts["b"].pk}
    assert ids(client_as("me_officer").get(f"{API}/alerts/").json()) == {a.pk for a in alerts.values()}
    assert ids(client_as("me_officer").get(f"{API}/alerts/", {"quality": "held"}).json()) == {
        alerts["held"].pk
    }
    assert ids(client_as("me_officer").get(f"{API}/alerts/", {"area": world.esa_b1.pk}).json()) == {
        alerts["b"].pk
    }
    assert client_as("director_a1_1").get(f"{API}/alerts/").status_code == 403
    bad = client_as("executive").get(f"{API}/alerts/", {"severity": "urgent", "round": "x"})
    assert bad.status_code == 400
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"severity", "round"}
    assert all(e["message_th"] and e["message_en"] for e in bad.json()["errors"])


def test_detail_explains_and_is_not_found_out_of_scope(
    world: World, alerts: dict[str, Alert], client_as: Client
) -> None:
    body = client_as("esa_director_a1").get(f"{API}/alerts/{alerts['a'].pk}/").json()
    assert body["factors"][0]["label_en"] == "Shortfall against the target"
    assert body["evidence"]["values"][0]["source"] == {"model": "core.IndicatorValue", "id": 1}
    assert body["allowed_actions"] == ["acknowledge", "action", "resolve"]
    assert body["events"] == []
    assert client_as("esa_officer_a1").get(f"{API}/alerts/{alerts['a'].pk}/").json()["allowed_actions"] == []
    for pk in (alerts["b"].pk, alerts["held"].pk, 999999):
        assert client_as("esa_director_a1").get(f"{API}/alerts/{pk}/").status_code == 404


def test_act_and_refusals(world: World, alerts: dict[str, Alert], client_as: Client) -> None:
    a = alerts["a"]
    director = client_as("esa_director_a1")
    done = director.post(f"{API}/alerts/{a.pk}/act/", {"action": "acknowledge"}, format="json")
    assert done.status_code == 200
    assert done.json()["status"] == "acknowledged"
    assert done.json()["events"][0]["actor"] == "esa_director_a1"
    missing_note = director.post(f"{API}/alerts/{a.pk}/act/", {"action": "resolve"}, format="json")
    assert missing_note.status_code == 400
    assert missing_note.json()["errors"][0]["field"] == "note"
    illegal = director.post(f"{API}/alerts/{a.pk}/act/", {"action": "reopen"}, format="json")
    assert illegal.status_code == 409
    assert illegal.json()["errors"][0]["code"] == "alert_transition"
    unknown = director.post(f"{API}/alerts/{a.pk}/act/", {"action": "delete"}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "action"
    assert (
        client_as("esa_officer_a1")
        .post(f"{API}/alerts/{a.pk}/act/", {"action": "action", "note": "x"})
        .status_code
        == 403
    )
    a.refresh_from_db()
    assert a.status == "acknowledged"
    assert AlertEvent.objects.filter(alert=a).count() == 1


def test_acting_on_another_esas_alert_is_not_found_and_changes_nothing(
    world: World, alerts: dict[str, Alert], client_as: Client
) -> None:
    b = alerts["b"]
    response = client_as("esa_director_a1").post(
        f"{API}/alerts/{b.pk}/act/", {"action": "acknowledge"}, format="json"
    )
    assert response.status_code == 404
    b.refresh_from_db()
    assert b.status == "new"
    assert not AlertEvent.objects.filter(alert=b).exists()


def test_notifications_are_ones_own(world: World, client_as: Client) -> None:
    mine = Notification.objects.create(
        user=world.user("esa_director_a1"), kind="alert", title_th="ก", title_en="a"
    )
    other = b_notification_id(world)
    c = client_as("esa_director_a1")
    assert ids(c.get(f"{API}/notifications/").json()) == {mine.pk}
    read = c.post(f"{API}/notifications/{mine.pk}/read/")
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    assert ids(c.get(f"{API}/notifications/", {"unread": "true"}).json()) == set()
    assert c.post(f"{API}/notifications/{other}/read/").status_code == 404
    assert Notification.objects.get(pk=other).read_at is None
