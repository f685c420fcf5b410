"""Alert and notification pages: the scoped inbox with filters, one alert explained, acting on it,
one's notifications; each endpoint's authorization and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from suksa.core.models import Notification
from suksa.domains.insights.models import Alert, AlertEvent
from suksa.domains.insights.models.choices import AlertKind, AlertSeverity, DataQuality
from suksa.domains.insights.tests.objects_alerts import b_alert_id, b_notification_id, make_alert
from suksa.domains.insights.tests.objects_schools import any_round, current_run
from tests.factories import World, make_esa

pytestmark = pytest.mark.django_db


def client_for(world: World, name: str) -> Client:
    c = Client()
    c.force_login(world.user(name))
    return c


@pytest.fixture
def alerts(world: World) -> dict[str, Alert]:
    rnd = any_round()
    run = current_run(rnd)
    return {
        "a_high": make_alert(rnd, world.esa_a1, run=run),
        "a_gap": make_alert(
            rnd,
            world.esa_a1,
            run=run,
            kind=AlertKind.DATA_GAP,
            severity=AlertSeverity.LOW,
            indicator="onet_mean_p6",
        ),
        "a_held": make_alert(rnd, world.esa_a1, run=run, indicator="reading_rate", quality=DataQuality.HELD),
        "b": Alert.objects.get(pk=b_alert_id(world)),
    }


def rows(html: str) -> set[int]:
    import re

    return {int(x) for x in re.findall(r'<tr data-alert="(\d+)"', html)}


def test_inbox_is_scoped_and_hides_held_alerts_from_all_but_me_officers(
    world: World, alerts: dict[str, Alert]
) -> None:
    url = reverse("web:alerts")
    director = client_for(world, "esa_director_a1").get(url)
    assert director.status_code == 200
    assert rows(director.content.decode()) == {alerts["a_high"].pk, alerts["a_gap"].pk}
    assert world.esa_b1.name_th not in director.content.decode()
    assert rows(client_for(world, "executive").get(url).content.decode()) == {
        alerts["a_high"].pk, alerts["a_gap"].pk, alerts["b"].pk,
    }  # fmt: skip
    me = client_for(world, "me_officer").get(url).content.decode()
    assert rows(me) == {a.pk for a in alerts.values()}
    assert 'data-quality="held"' in me
    assert 'id="f-quality"' in me
    assert client_for(world, "director_a1_1").get(url).status_code == 403  # no alert.view


def test_inbox_filters(world: World, alerts: dict[str, Alert]) -> None:
    c = client_for(world, "me_officer")
    url = reverse("web:alerts")
    assert rows(c.get(url, {"kind": "data_gap"}).content.decode()) == {alerts["a_gap"].pk}
    assert rows(c.get(url, {"severity": "high", "quality": "held"}).content.decode()) == {alerts["a_held"].pk}
    assert rows(c.get(url, {"area": world.region_2.pk}).content.decode()) == {alerts["b"].pk}
    assert rows(c.get(url, {"status": "resolved"}).content.decode()) == set()
    assert rows(c.get(url, {"domain": "flow", "round": str(alerts["b"].round_id)}).content.decode()) == {
        a.pk for a in alerts.values()
    }


@pytest.mark.parametrize(
    ("params", "field_th", "field_en"),
    [
        ({"severity": "urgent"}, "ค่าระดับไม่ถูกต้อง", "Invalid severity"),
        ({"kind": "x"}, "ค่าประเภทไม่ถูกต้อง", "Invalid kind"),
        ({"round": "abc"}, "ค่ารอบการรายงานไม่ถูกต้อง", "Invalid round"),
        ({"area": "-1"}, "ค่าพื้นที่ไม่ถูกต้อง", "Invalid area"),
        ({"status": "closed"}, "ค่าสถานะไม่ถูกต้อง", "Invalid status"),
        ({"quality": "bad"}, "ค่าคุณภาพข้อมูลไม่ถูกต้อง", "Invalid data quality"),
        ({"page": "0"}, "ค่าหน้าไม่ถูกต้อง", "Invalid page"),
    ],
)
def test_bad_filters_are_named_in_both_languages(
    world: World, alerts: dict[str, Alert], params: dict[str, str], field_th: str, field_en: str
) -> None:
    page = client_for(world, "executive").get(reverse("web:alerts"), params)
    html = page.content.decode()
    assert page.status_code == 400
    assert field_th in html
    assert field_en in html
    assert rows(html) == set()


def test_inbox_queries_do_not_grow_with_the_number_of_esas(
    world: World, alerts: dict[str, Alert], django_assert_max_num_queries: Any
) -> None:
    c = client_for(world, "me_officer")
    with django_assert_max_num_queries(20):
        c.get(reverse("web:alerts"))
    rnd = any_round()
    for i in range(15):
        esa = make_esa(f"9{i:04d}", f"สพป.ทดสอบ {i}", world.region_2, "primary", "50", i + 2)
        make_alert(rnd, esa)
    with django_assert_max_num_queries(20):
        page = c.get(reverse("web:alerts"))
    assert len(rows(page.content.decode())) == 19


def test_alert_page_explains_and_shows_history(world: World, alerts: dict[str, Alert]) -> None:
    a = alerts["a_high"]
    page = client_for(world, "esa_director_a1").get(reverse("web:alert", args=[a.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert a.title_th in html
    assert "ห่างจากค่าเป้าหมาย" in html  # the factor
    assert "core.IndicatorValue #1" in html
    assert "2568" in html
    assert 'data-testid="act-form"' in html
    assert 'value="acknowledge"' in html
    assert 'value="reopen"' not in html
    # An officer sees it but may not act: no form.
    officer = client_for(world, "esa_officer_a1").get(reverse("web:alert", args=[a.pk])).content.decode()
    assert 'data-testid="act-form"' not in officer


def test_alert_page_of_another_esa_or_a_held_alert_is_not_found(
    world: World, alerts: dict[str, Alert]
) -> None:
    c = client_for(world, "esa_director_a1")
    for pk in (alerts["b"].pk, alerts["a_held"].pk, 999999):
        assert c.get(reverse("web:alert", args=[pk])).status_code == 404
    assert (
        client_for(world, "me_officer").get(reverse("web:alert", args=[alerts["a_held"].pk])).status_code
        == 200
    )


def test_acting_moves_the_alert_and_lists_who_did_it(world: World, alerts: dict[str, Alert]) -> None:
    a = alerts["a_high"]
    c = client_for(world, "esa_director_a1")
    done = c.post(reverse("web:alert_act", args=[a.pk]), {"action": "acknowledge"})
    assert done.status_code == 302
    assert done["Location"] == reverse("web:alert", args=[a.pk])
    a.refresh_from_db()
    assert a.status == "acknowledged"
    refused = c.post(reverse("web:alert_act", args=[a.pk]), {"action": "resolve", "note": ""}, follow=True)
    html = refused.content.decode()
    assert "กรุณาบันทึกว่าได้ดำเนินการอะไร" in html
    assert "a note is required" in html
    illegal = c.post(reverse("web:alert_act", args=[a.pk]), {"action": "acknowledge"}, follow=True)
    assert "Cannot acknowledge an alert that is acknowledged" in illegal.content.decode()
    a.refresh_from_db()
    assert a.status == "acknowledged"
    page = c.get(reverse("web:alert", args=[a.pk])).content.decode()
    assert '<li data-action="acknowledge">' in page
    assert "esa_director_a1" in page


def test_acting_on_another_esas_alert_is_not_found_and_changes_nothing(
    world: World, alerts: dict[str, Alert]
) -> None:
    b = alerts["b"]
    c = client_for(world, "esa_director_a1")
    response = c.post(reverse("web:alert_act", args=[b.pk]), {"action": "acknowledge"})
    assert response.status_code == 404
    b.refresh_from_db()
    assert b.status == "new"
    assert not AlertEvent.objects.filter(alert=b).exists()
    officer = client_for(world, "esa_officer_a1").post(
        reverse("web:alert_act", args=[alerts["a_high"].pk]), {"action": "acknowledge"}
    )
    assert officer.status_code == 403
    assert Alert.objects.get(pk=alerts["a_high"].pk).status == "new"


def test_notifications_list_and_read(world: World) -> None:
    mine = Notification.objects.create(
        user=world.user("esa_director_a1"), kind="alert", title_th="แจ้งเตือนทดสอบ", title_en="Test alert",
        url="/alerts/1/",
    )  # fmt: skip
    other = b_notification_id(world)
    c = client_for(world, "esa_director_a1")
    page = c.get(reverse("web:notifications")).content.decode()
    assert "แจ้งเตือนทดสอบ" in page
    assert "ลับเฉพาะ" not in page
    assert 'data-testid="unread-count">1' in page  # the top bar
    done = c.post(reverse("web:notification_read", args=[mine.pk]), {"open": "1"})
    assert done.status_code == 302
    assert done["Location"] == "/alerts/1/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert 'data-testid="unread-count"' not in c.get(reverse("web:notifications")).content.decode()
    assert c.post(reverse("web:notification_read", args=[other])).status_code == 404
    assert Notification.objects.get(pk=other).read_at is None
    assert (
        c.get(reverse("web:notifications"), {"unread": "1"}).content.decode().count("data-notification=") == 0
    )


def test_the_open_filter_lists_every_alert_not_yet_resolved(world: World, alerts: dict[str, Alert]) -> None:
    from suksa.domains.insights.models.choices import AlertStatus

    resolved = alerts["a_high"]
    Alert.objects.filter(pk=resolved.pk).update(status=AlertStatus.RESOLVED)
    page = client_for(world, "executive").get(reverse("web:alerts"), {"status": "open"})
    assert page.status_code == 200
    shown = {a.pk for a in page.context["page"].object_list}
    expected = set(
        Alert.objects.exclude(status=AlertStatus.RESOLVED)
        .exclude(quality="held")
        .values_list("pk", flat=True)
    )
    assert resolved.pk not in shown
    assert shown == expected
    assert 'value="open" selected' in page.content.decode()
