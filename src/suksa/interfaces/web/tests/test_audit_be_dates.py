"""The audit viewer filters by dates typed in the Buddhist Era, and its exports keep the filter."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from suksa.core import audit
from suksa.core.dates import format_be_input
from suksa.core.models import AuditEntry
from suksa.domains.accounts.actors import actor_for
from suksa.interfaces.web.forms import BEDateField, BEDateInput
from tests.factories import World


def _seed(world: World) -> None:
    audit.record(
        actor=actor_for(world.user("sysadmin")),
        action=AuditEntry.Action.UPDATE,
        object_type="test.thing",
        object_id="today",
        object_repr="วันนี้",
        unit_path=world.esa_a1.path,
        changes={"name": ["เก่า", "ใหม่"]},
    )


def _client(world: World) -> Client:
    client = Client()
    client.force_login(world.user("dpo"))
    return client


def test_filter_by_be_dates(world: World) -> None:
    _seed(world)
    client = _client(world)
    today = timezone.localdate()
    be_today = format_be_input(today)
    page = client.get("/audit/", {"date_from": be_today, "date_to": be_today})
    html = page.content.decode()
    assert page.status_code == 200
    assert "test.thing" in html
    assert f'value="{be_today}"' in html
    assert 'placeholder="วว/ดด/ปปปป"' in html
    assert 'inputmode="numeric"' in html
    assert "เก่า" in html
    assert "→" in html
    assert "{&#x27;" not in html
    tomorrow = format_be_input(today + dt.timedelta(days=1))
    # The type stays in the filter's list; the entry itself (its object id) must be gone.
    assert "test.thing:today" not in client.get("/audit/", {"date_from": tomorrow}).content.decode()
    export = client.get("/audit/export.csv", {"date_from": tomorrow})
    body = b"".join(export.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "test.thing" not in body


def test_bad_or_ce_dates_are_reported_in_both_languages(world: World) -> None:
    client = _client(world)
    html = client.get("/audit/", {"date_from": "31/02/2569", "date_to": "21/11/2026"}).content.decode()
    assert "ไม่มีวันที่ 31/02/2569" in html
    assert "not a date in the calendar" in html
    assert "ค.ศ." in html
    assert "Buddhist Era (2569)" in html
    assert 'aria-invalid="true"' in html


def test_field_renders_initial_dates_in_be() -> None:
    field = BEDateField()
    assert BEDateInput().format_value(dt.date(2026, 11, 21)) == "21/11/2569"
    assert field.clean("21-11-2569") == dt.date(2026, 11, 21)
