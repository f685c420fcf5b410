"""The audit-log viewer: scoping by unit path, filters, paging and audited CSV/XLSX exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from suksa.core import audit
from suksa.core.audit_selectors import audit_entries_visible_to, record_sensitive_read
from suksa.core.dates import format_be
from suksa.core.models import AuditEntry
from suksa.core.policy import Actor
from suksa.domains.accounts.actors import actor_for
from tests.factories import World


def seed(world: World) -> dict[str, AuditEntry]:
    """One entry per place: a school and the office of ESA a1, ESA b1, and the nation (no unit)."""
    writer = actor_for(world.user("sysadmin"))
    places = {
        "school_a1_1": world.school_a1_1.path,
        "esa_a1": world.esa_a1.path,
        "esa_b1": world.school_b1_1.path,
        "national": "",
    }
    return {
        key: audit.record(
            actor=writer,
            action=AuditEntry.Action.UPDATE,
            object_type="test.thing",
            object_id=key,
            object_repr=f"ของ {key}",
            unit_path=path,
            changes={"name": ["เก่า", "ใหม่"]},
        )
        for key, path in places.items()
    }


def ids(actor: Actor, filters: dict | None = None) -> set[str]:
    return set(audit_entries_visible_to(actor, filters).values_list("object_id", flat=True))


def test_dpo_of_an_esa_sees_only_entries_inside_the_esa(world: World) -> None:
    seed(world)
    assert ids(actor_for(world.user("dpo_a1"))) == {"school_a1_1", "esa_a1"}


def test_national_scope_also_sees_entries_without_a_unit(world: World) -> None:
    seed(world)
    assert ids(actor_for(world.user("dpo"))) == {"school_a1_1", "esa_a1", "esa_b1", "national"}
    assert ids(actor_for(world.user("sysadmin"))) == {"school_a1_1", "esa_a1", "esa_b1", "national"}
    assert ids(actor_for(world.user("sysadmin_a1"))) == {"school_a1_1", "esa_a1"}


@pytest.mark.parametrize("name", ["director_a1_1", "esa_director_a1", "executive", "teacher_a1_1", "nobody"])
def test_roles_without_audit_view_see_nothing(world: World, name: str) -> None:
    seed(world)
    assert ids(actor_for(world.user(name))) == set()


def test_filters(world: World) -> None:
    seed(world)
    audit.record(
        actor=actor_for(world.user("dpo_a1")),
        action=AuditEntry.Action.EXPORT,
        object_type="core.auditentry",
        object_id="x",
        unit_path=world.esa_a1.path,
    )
    dpo = actor_for(world.user("dpo"))
    today = timezone.localdate()
    assert ids(dpo, {"action": "export"}) == {"x"}
    assert ids(dpo, {"actor": "DPO_A"}) == {"x"}
    assert ids(dpo, {"object_type": "test.thing", "unit_code": world.esa_a1.code}) == {
        "school_a1_1",
        "esa_a1",
    }
    assert ids(dpo, {"unit_code": "no-such-unit"}) == set()
    assert ids(dpo, {"date_from": today, "date_to": today}) == {
        "school_a1_1",
        "esa_a1",
        "esa_b1",
        "national",
        "x",
    }
    assert ids(dpo, {"date_to": today - dt.timedelta(days=1)}) == set()
    assert ids(dpo, {"date_from": today + dt.timedelta(days=1)}) == set()
    # A unit code outside the actor's scope narrows nothing into view.
    assert ids(actor_for(world.user("dpo_a1")), {"unit_code": world.esa_b1.code}) == set()


def test_record_sensitive_read_stores_field_names_only(world: World) -> None:
    entry = record_sensitive_read(
        actor=actor_for(world.user("director_a1_1")),
        object_type="students.student",
        object_id=42,
        unit_path=world.school_a1_1.path,
        fields=["citizen_id", "birth_date"],
    )
    entry.refresh_from_db()
    assert (entry.action, entry.object_id, entry.unit_path) == (
        "read_sensitive",
        "42",
        world.school_a1_1.path,
    )
    assert entry.changes == {"fields": ["birth_date", "citizen_id"]}
    assert ids(actor_for(world.user("dpo_a1")), {"action": "read_sensitive"}) == {"42"}


# --- pages -------------------------------------------------------------------------------------------


def client_for(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.user(name))
    return client


@pytest.mark.parametrize("url", ["/audit/", "/audit/export.csv", "/audit/export.xlsx"])
def test_anonymous_goes_to_login(world: World, url: str) -> None:
    response = Client().get(url)
    assert (response.status_code, response["Location"]) == (302, f"/login/?next={url}")


@pytest.mark.parametrize(
    "name",
    ["teacher_a1_1", "director_a1_1", "director_b1_1", "esa_director_a1", "esa_officer_b1", "executive"],
)
@pytest.mark.parametrize("url", ["/audit/", "/audit/export.csv", "/audit/export.xlsx"])
def test_pages_refused_without_audit_view_and_nothing_logged(world: World, name: str, url: str) -> None:
    seed(world)
    before = AuditEntry.objects.count()
    assert client_for(world, name).get(url).status_code == 403
    assert AuditEntry.objects.count() == before


def test_list_page_is_scoped_filtered_and_paged(world: World) -> None:
    seed(world)
    client = client_for(world, "dpo_a1")
    response = client.get("/audit/")
    assert response.status_code == 200
    assert [e.object_id for e in response.context["page"].object_list] == ["esa_a1", "school_a1_1"]
    html = response.content.decode()
    assert "ของ esa_b1" not in html
    assert format_be(timezone.localtime(timezone.now()), "th").split(" ")[1] in html  # the BE month
    response = client.get("/audit/", {"unit_code": world.school_a1_1.code})
    assert [e.object_id for e in response.context["page"].object_list] == ["school_a1_1"]
    writer = actor_for(world.user("sysadmin"))
    for i in range(60):
        audit.record(
            actor=writer, action="update", object_type="test.bulk", object_id=i, unit_path=world.esa_a1.path
        )
    page2 = client.get("/audit/", {"object_type": "test.bulk", "page": "2"})
    assert [e.object_id for e in page2.context["page"].object_list] == [str(i) for i in range(9, -1, -1)]
    assert "object_type=test.bulk&amp;page=1" in page2.content.decode()


def test_csv_export_contents_and_its_own_audit_entry(world: World) -> None:
    entries = seed(world)
    response = client_for(world, "dpo_a1").get("/audit/export.csv", {"action": "update"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == [
        "เวลา (พ.ศ.) / Time (BE)",
        "ผู้กระทำ / Actor",
        "การกระทำ / Action",
        "ประเภทข้อมูล / Object type",
        "รหัสข้อมูล / Object id",
        "ข้อมูล / Object",
        "หน่วยงาน / Unit path",
        "รายละเอียด / Changes",
        "ช่องทาง / Source",
        "ที่อยู่ IP / IP address",
        "รหัสคำขอ / Request id",
    ]
    esa = entries["esa_a1"]
    local = timezone.localtime(esa.at)
    assert rows[1] == [
        f"{local.year + 543:04d}-{local.month:02d}-{local.day:02d} {local:%H:%M:%S}",
        "sysadmin",
        "update",
        "test.thing",
        "esa_a1",
        "ของ esa_a1",
        world.esa_a1.path,
        '{"name": ["เก่า", "ใหม่"]}',
        "web",
        "",
        "",
    ]
    assert [r[4] for r in rows[1:]] == ["esa_a1", "school_a1_1"]
    export = AuditEntry.objects.get(action="export")
    assert (export.actor_username, export.unit_path, export.object_type) == (
        "dpo_a1",
        world.esa_a1.path,
        "core.auditentry",
    )
    assert export.changes == {"format": "csv", "rows": 2, "filters": {"action": "update"}}


def test_xlsx_export_contents(world: World) -> None:
    seed(world)
    response = client_for(world, "dpo").get("/audit/export.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    assert rows[0][0] == "เวลา (พ.ศ.) / Time (BE)"
    assert [r[4] for r in rows[1:]] == ["national", "esa_b1", "esa_a1", "school_a1_1"]
    assert str(rows[1][0]).startswith(str(timezone.localdate().year + 543))
    export = AuditEntry.objects.get(action="export")
    assert export.changes == {"format": "xlsx", "rows": 4, "filters": {}}
