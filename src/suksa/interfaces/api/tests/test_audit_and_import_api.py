"""The audit log and the org-unit import through the API: authorization matrices and scoping."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from suksa.core import audit
from suksa.core.models import AuditEntry, OrgUnit, School
from suksa.core.policy import SYSTEM, Role
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]


@pytest.fixture
def entries(world: World) -> dict[str, AuditEntry]:
    """One entry in ESA a1, one in ESA b1 and one with no unit (national)."""
    return {
        "a1": audit.record(actor=SYSTEM, action="update", object_type="core.school", object_id="1012000001",
                           unit_path=world.school_a1_1.path),
        "b1": audit.record(actor=SYSTEM, action="update", object_type="core.school", object_id="1050000001",
                           unit_path=world.school_b1_1.path),
        "nation": audit.record(actor=SYSTEM, action="login_failed", object_type="accounts.session"),
    }  # fmt: skip


AUDIT = {None: 401, "nobody": 403, "teacher_a1_1": 403, "director_a1_1": 403, "esa_director_a1": 403,
         "esa_officer_b1": 403, "executive": 403, "inspector_r1": 403, "dpo": 200, "dpo_a1": 200,
         "sysadmin": 200, "sysadmin_a1": 200}  # fmt: skip


@pytest.mark.parametrize(("persona", "expected"), AUDIT.items())
def test_audit_log_matrix(
    client_as: Client, entries: dict[str, AuditEntry], persona: str | None, expected: int
) -> None:
    assert client_as(persona).get("/api/v1/audit-log/").status_code == expected


@pytest.mark.parametrize(
    ("persona", "visible"), [("dpo", {"a1", "b1", "nation"}), ("sysadmin", {"a1", "b1", "nation"}),
                             ("dpo_a1", {"a1"}), ("sysadmin_a1", {"a1"})],
)  # fmt: skip
def test_audit_log_is_scoped(
    client_as: Client, entries: dict[str, AuditEntry], persona: str, visible: set[str]
) -> None:
    ids = {e["id"] for e in client_as(persona).get("/api/v1/audit-log/?limit=500").json()["results"]}
    assert ids == {entries[k].pk for k in visible}


def test_audit_log_filters_and_display(client_as: Client, entries: dict[str, AuditEntry]) -> None:
    client = client_as("dpo", "en")
    today = timezone.localdate()
    by_unit = client.get("/api/v1/audit-log/?unit=15001").json()["results"]
    assert [e["id"] for e in by_unit] == [entries["b1"].pk]
    by_action = client.get("/api/v1/audit-log/?action=login_failed").json()["results"]
    assert [e["id"] for e in by_action] == [entries["nation"].pk]
    assert by_action[0]["action_label"] == "Failed login"
    assert by_action[0]["at_display"].endswith(f"{today.year + 543} BE {by_action[0]['at_display'][-5:]}")
    in_range = client.get(f"/api/v1/audit-log/?since={today}&until={today}&object_type=core.school").json()
    assert in_range["count"] == 2
    tomorrow = today + dt.timedelta(days=1)
    assert client.get(f"/api/v1/audit-log/?since={tomorrow}").json()["count"] == 0


def test_audit_log_rejects_a_reversed_range_in_both_languages(client_as: Client) -> None:
    response = client_as("dpo").get("/api/v1/audit-log/?since=2026-02-01&until=2026-01-01")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "until"
    assert error["message_th"] == "ช่อง until: ต้องไม่ก่อนวันเริ่มต้น"
    assert error["message_en"] == "field until: Must not be before since"


# --- org-unit import -----------------------------------------------------------------------------

HEADER = "ประเภท,รหัส,ชื่อ,ชื่อภาษาอังกฤษ,รหัสหน่วยงานต้นสังกัด,จังหวัด,อำเภอ,ตำบล,ที่ตั้ง,ชั้นต่ำสุด,ชั้นสูงสุด,จำนวนนักเรียน,จำนวนครู,จำนวนห้องเรียน"
NEW_SCHOOL = (
    "โรงเรียน,1012000003,โรงเรียนทดลองนำเข้า,Import Test School,11201,นนทบุรี,เมืองนนทบุรี,สวนใหญ่,ชนบท,อ.1,ป.6,50,5,5"
)


def _org_csv() -> io.BytesIO:
    upload = io.BytesIO(f"{HEADER}\n{NEW_SCHOOL}\n".encode())
    upload.name = "schools.csv"
    return upload


ORG_IMPORT = {None: 401, "nobody": 403, "director_a1_1": 403, "esa_director_a1": 403, "executive": 403,
              "dpo": 403, "sysadmin": 200, "sysadmin_a1": 200, "sysadmin_b1": 200}  # fmt: skip


@pytest.mark.parametrize(("persona", "expected"), ORG_IMPORT.items())
def test_org_unit_import_matrix(world: World, client_as: Client, persona: str | None, expected: int) -> None:
    world.users["sysadmin_b1"] = make_user("sysadmin_b1", Role.SYSADMIN, world.esa_b1)
    before = (OrgUnit.objects.count(), School.objects.count(), AuditEntry.objects.count())
    response = client_as(persona).post(
        "/api/v1/org-units/import/", {"file": _org_csv(), "keep_valid": "false"}, format="multipart"
    )
    assert response.status_code == expected
    created = OrgUnit.objects.filter(code="1012000003").exists()
    if persona in ("sysadmin", "sysadmin_a1"):
        assert response.json()["created"] == 1
        assert response.json()["committed"] is True
        assert created
    else:
        # sysadmin_b1 manages another ESA: the row is refused like an unknown parent, nothing written.
        if expected == 200:
            body = response.json()
            assert body["committed"] is False
            assert body["problems"][0]["row"] == 2
        assert not created
        assert (OrgUnit.objects.count(), School.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("query", ["until=9999-12-31", "since=0001-01-01"])
def test_audit_log_rejects_dates_out_of_range(client_as: Client, query: str) -> None:
    response = client_as("dpo", "en").get(f"/api/v1/audit-log/?{query}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "date_out_of_range"
