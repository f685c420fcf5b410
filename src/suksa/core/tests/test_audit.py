"""The audit log is append-only: the model refuses, and so does the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from suksa.core import audit
from suksa.core.models import AuditEntry
from suksa.core.policy import SYSTEM


@pytest.fixture
def entry(db: None) -> AuditEntry:
    return audit.record(
        actor=SYSTEM,
        action="update",
        object_type="core.orgunit",
        object_id="R01",
        changes={"name_th": ["a", "b"]},
    )


def _rows() -> list[tuple[object, ...]]:
    return list(AuditEntry.objects.order_by("id").values_list("id", "action", "object_id", "changes"))


def test_record_writes_one_entry(entry: AuditEntry) -> None:
    assert _rows() == [(entry.pk, "update", "R01", {"name_th": ["a", "b"]})]
    assert (entry.actor_id, entry.actor_username, entry.source) == (None, "system", "cli")


def test_raw_sql_update_is_refused(entry: AuditEntry) -> None:
    before = _rows()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'delete' WHERE id = %s", [entry.pk])
    assert _rows() == before


def test_raw_sql_delete_is_refused(entry: AuditEntry) -> None:
    before = _rows()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert _rows() == before


def test_queryset_update_and_delete_are_refused(entry: AuditEntry) -> None:
    before = _rows()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="delete")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert _rows() == before


def test_model_save_and_delete_refuse(entry: AuditEntry) -> None:
    before = _rows()
    entry.action = "delete"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    assert _rows() == before


def test_diff_and_snapshot() -> None:
    assert audit.diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": [2, 3]}
    assert audit.diff({}, {"x": "y"}) == {"x": [None, "y"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [(dt.date(1, 1, 1), dt.date(9999, 12, 31)), (dt.date.min, dt.date.max), (None, dt.date(9999, 12, 31))],
)
def test_audit_filter_accepts_dates_at_the_ends_of_the_calendar(world, date_from, date_to):
    from suksa.core.audit_selectors import audit_entries_visible_to
    from suksa.domains.accounts.actors import actor_for

    audit.record(actor=SYSTEM, action="update", object_type="core.orgunit", object_id="1", unit_path="/OBEC/")
    entries = audit_entries_visible_to(
        actor_for(world.user("dpo")), {"date_from": date_from, "date_to": date_to}
    )
    assert [e.object_type for e in entries] == ["core.orgunit"]
