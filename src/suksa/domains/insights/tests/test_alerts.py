"""The alert lifecycle, its authorization, routing of new alerts, and marking notifications read."""

from __future__ import annotations

import pytest
from django.core import mail

from suksa.core.errors import Conflict, InvalidInput, NotFoundOrNoAccess, PermissionDenied
from suksa.core.models import AuditEntry, Notification
from suksa.domains.accounts.actors import actor_for
from suksa.domains.insights.models import Alert, AlertEvent
from suksa.domains.insights.models.choices import AlertSeverity, AlertStatus, DataQuality
from suksa.domains.insights.selectors_alerts import alert_get, alerts_visible
from suksa.domains.insights.services import alerts as svc
from suksa.domains.insights.services.warnings import route
from suksa.domains.insights.tests.objects_alerts import b_notification_id, make_alert
from suksa.domains.insights.tests.objects_schools import any_round
from tests.factories import World


def act(world: World, username: str, alert: Alert, action: str, note: str = "") -> Alert:
    return svc.alert_act(actor=actor_for(world.user(username)), alert_id=alert.pk, action=action, note=note)


def snapshot(alert: Alert) -> tuple:
    alert.refresh_from_db()
    return (alert.status, AlertEvent.objects.filter(alert=alert).count(), AuditEntry.objects.count())


@pytest.fixture
def alert_a(world: World) -> Alert:
    return make_alert(any_round(), world.esa_a1)


def test_the_full_lifecycle_records_who_did_what(world: World, alert_a: Alert) -> None:
    a = act(world, "esa_director_a1", alert_a, "acknowledge")
    assert a.status == AlertStatus.ACKNOWLEDGED
    a = act(world, "esa_director_a1", alert_a, "action", "ประชุมผู้บริหารโรงเรียนเพื่อติดตามนักเรียนกลุ่มเสี่ยง")
    assert a.status == AlertStatus.ACTION
    a = act(world, "executive", alert_a, "action", "second action")
    assert a.status == AlertStatus.ACTION
    a = act(world, "me_officer", alert_a, "resolve", "ตัวเลขรอบถัดไปกลับมาตามเป้า")
    assert a.status == AlertStatus.RESOLVED
    a = act(world, "esa_director_a1", alert_a, "reopen")
    assert a.status == AlertStatus.ACKNOWLEDGED
    events = list(AlertEvent.objects.filter(alert=alert_a).values_list("action", "actor__username", "note"))
    assert events == [
        ("acknowledge", "esa_director_a1", ""),
        ("action", "esa_director_a1", "ประชุมผู้บริหารโรงเรียนเพื่อติดตามนักเรียนกลุ่มเสี่ยง"),
        ("action", "executive", "second action"),
        ("resolve", "me_officer", "ตัวเลขรอบถัดไปกลับมาตามเป้า"),
        ("reopen", "esa_director_a1", ""),
    ]
    audit = list(
        AuditEntry.objects.filter(object_type="insights.Alert", object_id=str(alert_a.pk))
        .order_by("pk")
        .values_list("action", "actor_username", "changes")
    )
    assert [(a, u, c["step"]) for a, u, c in audit] == [
        ("update", "esa_director_a1", "acknowledge"),
        ("update", "esa_director_a1", "action"),
        ("update", "executive", "action"),
        ("update", "me_officer", "resolve"),
        ("update", "esa_director_a1", "reopen"),
    ]
    assert audit[0][2]["status"] == ["new", "acknowledged"]


ILLEGAL = [
    (status, action)
    for status in AlertStatus.values
    for action, (sources, _, _) in svc.TRANSITIONS.items()
    if status not in sources
]


def test_the_illegal_transitions_are_exactly_these() -> None:
    assert sorted(ILLEGAL) == sorted(
        [
            ("acknowledged", "acknowledge"), ("action", "acknowledge"), ("resolved", "acknowledge"),
            ("resolved", "action"), ("resolved", "resolve"),
            ("new", "reopen"), ("acknowledged", "reopen"), ("action", "reopen"),
        ]
    )  # fmt: skip


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_an_illegal_transition_is_refused_and_changes_nothing(
    world: World, alert_a: Alert, status: str, action: str
) -> None:
    Alert.objects.filter(pk=alert_a.pk).update(status=status)
    before = snapshot(alert_a)
    with pytest.raises(Conflict) as err:
        act(world, "esa_director_a1", alert_a, action, "a note")
    problem = err.value.problems[0]
    assert problem.code == "alert_transition"
    assert problem.field == "action"
    assert problem.th
    assert problem.en
    assert problem.th != problem.en
    assert snapshot(alert_a) == before


@pytest.mark.parametrize("action", ["action", "resolve"])
def test_action_and_resolve_need_a_note(world: World, alert_a: Alert, action: str) -> None:
    before = snapshot(alert_a)
    with pytest.raises(InvalidInput) as err:
        act(world, "esa_director_a1", alert_a, action, "   ")
    assert err.value.problems[0].field == "note"
    assert err.value.problems[0].code == "alert_note_required"
    assert snapshot(alert_a) == before


def test_unknown_action_and_overlong_note_are_invalid(world: World, alert_a: Alert) -> None:
    before = snapshot(alert_a)
    with pytest.raises(InvalidInput) as err:
        act(world, "esa_director_a1", alert_a, "delete")
    assert err.value.problems[0].field == "action"
    with pytest.raises(InvalidInput) as err:
        act(world, "esa_director_a1", alert_a, "action", "x" * (svc.NOTE_MAX + 1))
    assert err.value.problems[0].code == "alert_note_too_long"
    assert snapshot(alert_a) == before


def test_another_esa_cannot_see_or_act_on_the_alert(world: World) -> None:
    alert_b = make_alert(any_round(), world.esa_b1)
    before = snapshot(alert_b)
    for username in ("esa_director_a1", "esa_officer_a1", "inspector_r1", "director_a1_1"):
        with pytest.raises(NotFoundOrNoAccess):
            act(world, username, alert_b, "acknowledge")
        with pytest.raises(NotFoundOrNoAccess):
            alert_get(actor_for(world.user(username)), alert_b.pk)
    assert snapshot(alert_b) == before


def test_viewers_without_alert_act_are_refused(world: World, alert_a: Alert) -> None:
    before = snapshot(alert_a)
    for username in ("esa_officer_a1", "inspector_r1"):
        assert alert_get(actor_for(world.user(username)), alert_a.pk) == alert_a
        with pytest.raises(PermissionDenied):
            act(world, username, alert_a, "acknowledge")
    assert snapshot(alert_a) == before


def test_held_alerts_are_seen_only_by_national_me_officers(world: World) -> None:
    held = make_alert(any_round(), world.esa_a1, quality=DataQuality.HELD)
    labelled = make_alert(any_round(), world.esa_a1, quality=DataQuality.LABELLED, indicator="onet_mean_p6")
    for username in ("executive", "esa_director_a1", "esa_officer_a1", "inspector_r1"):
        visible = set(alerts_visible(actor_for(world.user(username))).values_list("pk", flat=True))
        assert visible == {labelled.pk}, username
        with pytest.raises(NotFoundOrNoAccess):
            act(world, username, held, "acknowledge")
    me = actor_for(world.user("me_officer"))
    assert set(alerts_visible(me).values_list("pk", flat=True)) == {held.pk, labelled.pk}
    assert svc.alert_act(actor=me, alert_id=held.pk, action="acknowledge", note="").status == "acknowledged"


def test_routing_notifies_the_esa_director_and_for_high_alerts_the_national_roles_once(world: World) -> None:
    rnd = any_round()
    high = make_alert(rnd, world.esa_a1, severity=AlertSeverity.HIGH)
    medium = make_alert(rnd, world.esa_a1, severity=AlertSeverity.MEDIUM, indicator="onet_mean_p6")
    held = make_alert(rnd, world.esa_b1, severity=AlertSeverity.HIGH, quality=DataQuality.HELD)
    for name in ("esa_director_a1", "executive", "me_officer"):
        world.user(name).email = f"{name}@example.org"
        world.user(name).save(update_fields=["email"])

    assert route(rnd) == 2

    def told(alert: Alert) -> set[str]:
        return set(
            Notification.objects.filter(subject_type="insights.alert", subject_id=alert.pk).values_list(
                "user__username", flat=True
            )
        )

    assert told(high) == {"esa_director_a1", "executive", "me_officer"}
    assert told(medium) == {"esa_director_a1"}
    assert told(held) == set()
    assert len(mail.outbox) == 4
    assert sorted(m.to[0] for m in mail.outbox) == [
        "esa_director_a1@example.org", "esa_director_a1@example.org", "executive@example.org",
        "me_officer@example.org",
    ]  # fmt: skip
    n = Notification.objects.get(subject_id=high.pk, user=world.user("executive"))
    assert n.url == f"/alerts/{high.pk}/"
    assert "แจ้งเตือน" in n.title_th
    assert n.title_en.startswith("Alert:")
    # Routed once: a second pass tells nobody again.
    assert route(rnd) == 0
    assert Notification.objects.count() == 4
    assert len(mail.outbox) == 4
    # An alert that rises to high later reaches the national roles then (the director only once).
    Alert.objects.filter(pk=medium.pk).update(severity=AlertSeverity.HIGH)
    assert route(rnd) == 1
    assert told(medium) == {"esa_director_a1", "executive", "me_officer"}
    assert Notification.objects.filter(subject_id=medium.pk, user=world.user("esa_director_a1")).count() == 1
    # A held alert whose data are fixed is routed on the next pass.
    Alert.objects.filter(pk=held.pk).update(quality=DataQuality.OK)
    assert route(rnd) == 1
    assert told(held) == {"executive", "me_officer"}  # ESA B has no director in this world


def test_mark_read_only_ones_own(world: World) -> None:
    mine = Notification.objects.create(
        user=world.user("esa_director_a1"), kind="alert", title_th="ก", title_en="a"
    )
    director = actor_for(world.user("esa_director_a1"))
    assert svc.mark_read(director, mine.pk).read_at is not None
    other = b_notification_id(world)
    with pytest.raises(NotFoundOrNoAccess):
        svc.mark_read(director, other)
    assert Notification.objects.get(pk=other).read_at is None
