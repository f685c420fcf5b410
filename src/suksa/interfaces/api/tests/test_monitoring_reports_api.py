"""ESA reports over REST: the authorization matrix of every endpoint, and the flows that matter
(strict values, optimistic locking, data problems, the Excel template)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from suksa.core.models import AuditEntry
from suksa.domains.monitoring.models import DataProblem, NarrativeEntry, Report, ReportEditTime, ReportValue
from suksa.domains.monitoring.services.reports import problem_raise
from suksa.domains.monitoring.tests.test_reports import prefilled_report, value_of, version, who
from suksa.domains.monitoring.tests.test_workbook import fill
from tests.factories import World

pytestmark = pytest.mark.django_db
Client = Callable[..., APIClient]
BASE = "/api/v1/monitoring"


def state(report: Report) -> tuple[object, ...]:
    values = tuple(ReportValue.objects.filter(report=report).order_by("pk").values_list("value", "comment"))
    texts = tuple(NarrativeEntry.objects.filter(report=report).order_by("pk").values_list("text", flat=True))
    return (values, texts, version(report), AuditEntry.objects.count(), DataProblem.objects.count(),
            ReportEditTime.objects.count())  # fmt: skip


# --- the matrix -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "list_codes", "read", "write"),
    [
        ("esa_officer_a1", ["11201"], 200, 200),
        ("esa_director_a1", ["11201"], 200, 200),
        ("esa_officer_b1", ["15001"], 404, 404),
        ("executive", ["11201", "15001", "21201"], 200, 403),
        ("inspector_r1", ["11201", "21201"], 200, 403),
        ("me_officer", ["11201", "15001", "21201"], 200, 403),
        ("reviewer", [], 404, 404),
        ("director_a1_1", None, 404, 404),
        ("nobody", None, 403, 403),
        (None, None, 401, 401),
    ],
)
def test_every_endpoint_answers_by_scope_and_nothing_changes_on_refusal(
    world: World, client_as: Client, persona: str | None, list_codes: list[str] | None, read: int, write: int
) -> None:
    report = prefilled_report(world)
    dropout = value_of(report, "dropout_rate")
    c = client_as(persona)
    r = c.get(f"{BASE}/reports/", {"round": report.round_id})
    if list_codes is None:
        assert r.status_code in (401, 403)
    else:
        assert r.status_code == 200
        assert sorted(x["esa_code"] for x in r.json()["results"]) == list_codes
    rid = report.pk
    assert c.get(f"{BASE}/reports/{rid}/").status_code == read
    assert c.get(f"{BASE}/reports/{rid}/workbook/").status_code == read
    assert c.get(f"{BASE}/reports/{rid}/problems/").status_code == read

    before = state(report)
    v = version(report)
    ok = int(write == 200)  # each accepted save advances the version
    writes = [
        c.put(f"{BASE}/reports/{rid}/values/teacher_pd_hours/", {"raw": "20", "lock_version": v}, format="json"),
        c.patch(f"{BASE}/reports/{rid}/values/teacher_pd_hours/", {"comment": "x", "lock_version": v + ok},
                format="json"),
        c.put(f"{BASE}/reports/{rid}/narratives/s3_results/", {"text": "ผล", "lock_version": v + 2 * ok},
              format="json"),
        c.post(f"{BASE}/reports/{rid}/heartbeat/", {"seconds": 60}, format="json"),
        c.post(f"{BASE}/reports/{rid}/problems/", {"value_id": dropout.pk, "description": "ค่าไม่ถูกต้องตามข้อมูลเขต"},
               format="json"),
    ]  # fmt: skip
    upload = io.BytesIO(b"PK\x03\x04 not really")
    upload.name = "r.xlsx"
    imported = c.post(f"{BASE}/reports/{rid}/workbook/import/", {"file": upload}, format="multipart")
    if write == 200:
        assert [w.status_code for w in writes] == [200, 200, 200, 200, 201]
        assert imported.status_code == 400  # a readable refusal of a broken file, after the scope check
    else:
        assert [w.status_code for w in writes] == [write] * 5
        assert imported.status_code == write
        assert state(report) == before  # no value, text, version, audit entry, problem or edit time


def test_a_reviewer_reads_an_assigned_report_but_cannot_write(world: World, client_as: Client) -> None:
    report = prefilled_report(world)
    Report.objects.filter(pk=report.pk).update(reviewer=world.user("reviewer"))
    c = client_as("reviewer")
    assert [x["id"] for x in c.get(f"{BASE}/reports/").json()["results"]] == [report.pk]
    assert c.get(f"{BASE}/reports/{report.pk}/").status_code == 200
    before = state(report)
    r = c.put(f"{BASE}/reports/{report.pk}/values/teacher_pd_hours/", {"raw": "20", "lock_version": version(report)},
              format="json")  # fmt: skip
    assert r.status_code == 403
    assert state(report) == before


def test_the_detail_carries_values_with_provenance_narratives_and_the_version(
    world: World, client_as: Client
) -> None:
    report = prefilled_report(world)
    body = client_as("esa_officer_a1", "en").get(f"{BASE}/reports/{report.pk}/").json()
    assert body["lock_version"] == report.lock_version
    assert body["editable"] is True
    values = {v["indicator_code"]: v for v in body["values"]}
    dropout = values["dropout_rate"]
    assert (dropout["origin"], dropout["value"], dropout["source"]["producer"]) == (
        "prefilled",
        1.87,
        "students.indicators",
    )
    assert dropout["source"]["missing"] is False
    assert dropout["source"]["run_id"]
    assert values["attendance_rate"]["source"]["missing"] is True
    assert values["supervision_coverage"]["origin"] == "reported"
    assert values["supervision_coverage"]["source"] is None
    assert values["supervision_coverage"]["indicator_name"] == "Schools supervised"
    assert [n["section_code"] for n in body["narratives"]] == ["s1_management", "s2_academic", "s2_resources",
                                                                "s3_results"]  # fmt: skip
    assert client_as("executive").get(f"{BASE}/reports/{report.pk}/").json()["editable"] is False


def test_the_list_filters_by_status_and_esa(world: World, client_as: Client) -> None:
    report = prefilled_report(world)
    Report.objects.filter(pk=report.pk).update(status="submitted")
    c = client_as("executive")
    assert [x["esa_code"] for x in c.get(f"{BASE}/reports/", {"status": "submitted"}).json()["results"]] == [
        "11201"
    ]
    assert [x["esa_code"] for x in c.get(f"{BASE}/reports/", {"esa": "15001"}).json()["results"]] == ["15001"]
    r = c.get(f"{BASE}/reports/", {"status": "nonsense"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "status"


# --- values and locking -----------------------------------------------------------------------------


def test_saving_a_value_returns_the_new_version_and_a_stale_one_gets_409(
    world: World, client_as: Client
) -> None:
    report = prefilled_report(world)
    v0 = version(report)
    officer, director = client_as("esa_officer_a1"), client_as("esa_director_a1")
    url = f"{BASE}/reports/{report.pk}/values/supervision_coverage/"
    r = officer.put(url, {"raw": "64.5%", "comment": "รวมนิเทศออนไลน์", "lock_version": v0}, format="json")
    assert r.status_code == 200
    assert r.json()["lock_version"] == v0 + 1
    assert (r.json()["value"]["value"], r.json()["value"]["comment"]) == (64.5, "รวมนิเทศออนไลน์")
    before = state(report)
    r = director.put(url, {"raw": "20", "lock_version": v0}, format="json")
    assert r.status_code == 409
    body = r.json()
    assert body["errors"][0]["code"] == "stale_report"
    assert body["current"]["lock_version"] == v0 + 1
    assert body["current"]["value"]["value"] == 64.5
    assert state(report) == before


def test_bad_values_get_exact_bilingual_messages(world: World, client_as: Client) -> None:
    report = prefilled_report(world)
    c = client_as("esa_officer_a1")
    before = state(report)
    r = c.put(f"{BASE}/reports/{report.pk}/values/supervision_coverage/",
              {"raw": "12 คน", "lock_version": version(report)}, format="json")  # fmt: skip
    assert r.status_code == 400
    [e] = r.json()["errors"]
    assert (e["code"], e["field"]) == ("wrong_unit", "supervision_coverage")
    assert e["message_th"] == "ช่อง supervision_coverage: หน่วยไม่ถูกต้อง: ตัวชี้วัดนี้ใช้หน่วยร้อยละ ไม่ใช่ “คน”"
    assert e["message_en"] == "field supervision_coverage: Wrong unit: this indicator is in percent, not “คน”"
    r = c.put(f"{BASE}/reports/{report.pk}/values/dropout_rate/", {"raw": "1.2", "lock_version": version(report)},
              format="json")  # fmt: skip
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == "prefilled_value"
    r = c.put(f"{BASE}/reports/{report.pk}/values/supervision_coverage/", {"raw": "12"}, format="json")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "lock_version"
    assert c.put(f"{BASE}/reports/{report.pk}/values/nope/", {"raw": "1", "lock_version": version(report)},
                 format="json").status_code == 404  # fmt: skip
    assert state(report) == before


def test_after_submission_writes_are_refused(world: World, client_as: Client) -> None:
    report = prefilled_report(world)
    Report.objects.filter(pk=report.pk).update(status="submitted")
    before = state(report)
    r = client_as("esa_officer_a1").put(f"{BASE}/reports/{report.pk}/narratives/s3_results/",
                                        {"text": "ผลการดำเนินงาน", "lock_version": version(report)}, format="json")  # fmt: skip
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == "report_not_editable"
    assert state(report) == before


def test_narrative_save_and_conflict(world: World, client_as: Client) -> None:
    report = prefilled_report(world)
    v0 = version(report)
    c = client_as("esa_officer_a1")
    url = f"{BASE}/reports/{report.pk}/narratives/s2_academic/"
    r = c.patch(url, {"text": "นิเทศแบบกัลยาณมิตร", "lock_version": v0}, format="json")
    assert r.status_code == 200
    assert (r.json()["narrative"]["text"], r.json()["lock_version"]) == ("นิเทศแบบกัลยาณมิตร", v0 + 1)
    r = client_as("esa_director_a1").patch(url, {"text": "ทับ", "lock_version": v0}, format="json")
    assert r.status_code == 409
    assert r.json()["current"]["text"] == "นิเทศแบบกัลยาณมิตร"
    assert c.patch(f"{BASE}/reports/{report.pk}/narratives/nope/", {"text": "x", "lock_version": v0 + 1},
                   format="json").status_code == 404  # fmt: skip


def test_heartbeat_clamps(world: World, client_as: Client) -> None:
    report = prefilled_report(world)
    c = client_as("esa_officer_a1")
    assert (
        c.post(f"{BASE}/reports/{report.pk}/heartbeat/", {"seconds": 90}, format="json").json()["seconds"]
        == 90
    )
    r = c.post(f"{BASE}/reports/{report.pk}/heartbeat/", {"seconds": 5000}, format="json")
    assert r.status_code == 200
    assert r.json()["seconds"] == 210


# --- data problems ----------------------------------------------------------------------------------


def test_problems_raise_list_and_resolve(world: World, client_as: Client) -> None:
    report = prefilled_report(world)
    dropout = value_of(report, "dropout_rate")
    officer = client_as("esa_officer_a1")
    r = officer.post(f"{BASE}/reports/{report.pk}/problems/",
                     {"value_id": dropout.pk, "description": "นับนักเรียนย้ายออกเป็นออกกลางคัน"}, format="json")  # fmt: skip
    assert r.status_code == 201
    pid = r.json()["id"]
    assert (r.json()["indicator_code"], r.json()["status"]) == ("dropout_rate", "open")
    assert [
        p["id"]
        for p in client_as("me_officer").get(f"{BASE}/problems/", {"status": "open"}).json()["results"]
    ] == [pid]
    assert [p["id"] for p in officer.get(f"{BASE}/problems/").json()["results"]] == [pid]
    assert client_as("esa_officer_b1").get(f"{BASE}/problems/").json()["results"] == []
    assert client_as("director_a1_1").get(f"{BASE}/problems/").status_code == 403

    before = state(report)
    url = f"{BASE}/problems/{pid}/resolve/"
    assert officer.post(url, {"status": "resolved", "resolution": "แก้เอง"}, format="json").status_code == 403
    assert (
        client_as("executive").post(url, {"status": "resolved", "resolution": "x"}, format="json").status_code
        == 403
    )
    assert (
        client_as("esa_officer_b1")
        .post(url, {"status": "resolved", "resolution": "x"}, format="json")
        .status_code
        == 404
    )
    assert (
        client_as(None).post(url, {"status": "resolved", "resolution": "x"}, format="json").status_code == 401
    )
    assert state(report) == before
    assert DataProblem.objects.get().status == "open"
    r = client_as("me_officer").post(
        url, {"status": "rejected", "resolution": "ตรวจแล้วข้อมูลถูกต้อง"}, format="json"
    )
    assert r.status_code == 200
    assert r.json()["status"] == "rejected"
    r = client_as("me_officer").post(url, {"status": "resolved", "resolution": "อีกครั้ง"}, format="json")
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == "problem_closed"


def test_a_problem_on_a_reported_value_is_refused(world: World, client_as: Client) -> None:
    report = prefilled_report(world)
    r = client_as("esa_officer_a1").post(
        f"{BASE}/reports/{report.pk}/problems/",
        {"value_id": value_of(report, "teacher_pd_hours").pk, "description": "ค่าผิดพลาดจากระบบ"},
        format="json",
    )
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == "not_prefilled"


def test_the_detail_lists_problems_without_a_query_per_problem(
    world: World, client_as: Client, django_assert_max_num_queries: object
) -> None:
    report = prefilled_report(world)
    for code in ("dropout_rate", "attendance_rate", "enrolment"):
        problem_raise(actor=who(world, "esa_officer_a1"), report_id=report.pk, value_id=value_of(report, code).pk,
                      description="ค่าไม่ถูกต้องตามข้อมูลเขต")  # fmt: skip
    c = client_as("esa_officer_a1")
    c.get(f"{BASE}/reports/{report.pk}/")
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        body = c.get(f"{BASE}/reports/{report.pk}/").json()
    assert len(body["problems"]) == 3


# --- the Excel template -----------------------------------------------------------------------------


def test_workbook_round_trip_and_errors(world: World, client_as: Client) -> None:
    report = prefilled_report(world)
    c = client_as("esa_officer_a1")
    r = c.get(f"{BASE}/reports/{report.pk}/workbook/")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    template = r.content
    bad = io.BytesIO(fill(template, values={"children_returned": "สิบคน", "teacher_pd_hours": 4}))
    bad.name = "bad.xlsx"
    before = state(report)
    r = c.post(f"{BASE}/reports/{report.pk}/workbook/import/", {"file": bad}, format="multipart")
    assert r.status_code == 400
    [e] = r.json()["errors"]
    assert (e["code"], e["field"], e["file"]) == ("not_a_number", "children_returned", "bad.xlsx")
    assert e["column"] == "ตัวชี้วัด-Values!I"
    assert e["row"] > 1
    assert state(report) == before
    good = io.BytesIO(fill(template, values={"children_returned": 120, "teacher_pd_hours": 4}))
    good.name = "good.xlsx"
    r = c.post(f"{BASE}/reports/{report.pk}/workbook/import/", {"file": good}, format="multipart")
    assert r.status_code == 200
    assert (r.json()["values_changed"], r.json()["lock_version"]) == (2, version(report))
    again = io.BytesIO(fill(template, values={"teacher_pd_hours": 5}))
    again.name = "again.xlsx"
    r = c.post(f"{BASE}/reports/{report.pk}/workbook/import/", {"file": again}, format="multipart")
    assert r.status_code == 409
    assert r.json()["errors"][0]["code"] == "stale_workbook"
    assert value_of(report, "teacher_pd_hours").value == 4.0
