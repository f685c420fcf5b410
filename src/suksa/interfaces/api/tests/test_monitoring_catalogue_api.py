"""Catalogue, targets, frameworks, rounds, rules and external values over REST: an authorization
matrix per endpoint (everyone signed in reads, only the M&E officer writes, nothing changes on a
refusal), and the bilingual answers to bad input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from suksa.core.models import AuditEntry, IndicatorValue
from suksa.domains.accounts.actors import actor_for
from suksa.domains.monitoring.models import (
    Framework,
    FrameworkIndicator,
    Indicator,
    NarrativeSection,
    PolicyPoint,
    Round,
    Target,
    TargetArea,
    ValidationRule,
)
from suksa.domains.monitoring.models.choices import FrameworkStatus
from suksa.domains.monitoring.services import frameworks as fsvc
from suksa.domains.monitoring.services.catalogue import target_set
from suksa.domains.monitoring.services.frameworks_default import ensure_catalogue
from suksa.domains.monitoring.services.locking import today
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World

pytestmark = pytest.mark.django_db

API = "/api/v1/monitoring"
ONET = "unit_code,indicator,period,value\n11201,onet_mean_p6,2568,41.25\n"
READERS = [
    "me_officer",
    "executive",
    "reviewer",
    "inspector_r1",
    "esa_director_a1",
    "esa_officer_b1",
    "teacher_a1_1",
]
NON_MANAGERS = ["executive", "reviewer", "inspector_r1", "esa_director_a1", "esa_officer_a1", "sysadmin"]


@pytest.fixture
def ctx(world: World) -> dict[str, Any]:
    ensure_catalogue()
    fw = make_framework(2569, status=FrameworkStatus.DRAFT)
    me = actor_for(world.user("me_officer"))
    rule = fsvc.rule_create(
        actor=me, framework_id=fw.pk, code="pd_cap", kind="range", severity="warning",
        params={"indicator": "teacher_pd_hours", "min": 0, "max": 200}, message_th="เกิน", message_en="Too many",
    )  # fmt: skip
    target = target_set(actor=me, indicator_code="dropout_rate", fiscal_year=2569, value=1.5)
    rnd = round_of(fw, "m12")
    day = today()
    Round.objects.filter(pk=rnd.pk).update(
        opens_on=day - dt.timedelta(days=5),
        due_on=day + dt.timedelta(days=10),
        locks_on=day + dt.timedelta(days=30),
    )
    rnd.refresh_from_db()
    return {"world": world, "fw": fw, "round": rnd, "rule": rule, "target": target,
            "section": fw.sections.get(code="s1_management")}  # fmt: skip


def reads(c: dict[str, Any]) -> dict[str, str]:
    return {
        "indicators": f"{API}/indicators/",
        "indicators_filtered": f"{API}/indicators/?source_kind=reported&include_retired=true",
        "indicator": f"{API}/indicators/dropout_rate/",
        "policy_points": f"{API}/policy-points/",
        "targets": f"{API}/targets/?fiscal_year=2569",
        "target_resolve": f"{API}/targets/resolve/?indicator=dropout_rate&fiscal_year=2569&unit=11201",
        "frameworks": f"{API}/frameworks/",
        "framework": f"{API}/frameworks/{c['fw'].pk}/",
        "rounds": f"{API}/rounds/?framework={c['fw'].pk}",
        "round": f"{API}/rounds/{c['round'].pk}/",
        "rules": f"{API}/rules/?framework={c['fw'].pk}",
        "rule": f"{API}/rules/{c['rule'].pk}/",
        "datasets": f"{API}/external-values/datasets/",
    }


def state(c: dict[str, Any]) -> tuple[Any, ...]:
    fw: Framework = Framework.objects.get(pk=c["fw"].pk)
    return (
        list(Indicator.objects.order_by("pk").values_list("code", "version", "is_current", "name_en")),
        list(Target.objects.order_by("pk").values_list("indicator_code", "value")),
        PolicyPoint.objects.count(),
        list(Framework.objects.order_by("pk").values_list("fiscal_year", "name_th", "status")),
        list(
            FrameworkIndicator.objects.order_by("pk").values_list(
                "indicator_id", "standard_id", "required", "order"
            )
        ),
        list(NarrativeSection.objects.order_by("pk").values_list("code", "title_th", "min_chars")),
        list(TargetArea.objects.values_list("unit_id", flat=True)),
        list(Round.objects.order_by("pk").values_list("code", "due_on", "locks_on", "name_th")),
        list(ValidationRule.objects.order_by("pk").values_list("code", "severity", "active", "params")),
        IndicatorValue.objects.count(),
        fw.status,
        AuditEntry.objects.filter(object_type__startswith="monitoring.").count(),
    )


def csv_upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


# Each write: (method, path, body, multipart?) built from the context, and the status a manager gets.
def writes(c: dict[str, Any]) -> dict[str, tuple[str, str, Callable[[], Any], bool, int]]:
    fw, rnd, rule, target, section = c["fw"].pk, c["round"].pk, c["rule"].pk, c["target"].pk, c["section"].pk
    indicator = {
        "code": "activity_afternoons", "name_th": "กิจกรรม", "name_en": "Activities", "definition_th": "นิยาม",
        "definition_en": "Definition", "unit": "percent", "direction": "higher", "domain": "learning",
        "levels": ["esa"], "source_kind": "reported", "standards": ["2"],
    }  # fmt: skip
    return {
        "indicator_create": ("post", f"{API}/indicators/", lambda: indicator, False, 201),
        "indicator_revise": (
            "post", f"{API}/indicators/teacher_pd_hours/revise/",
            lambda: {"changes": {"max_value": 300}, "change_note": "ขยายเพดาน", "expected_version": 1}, False, 201,
        ),
        "indicator_retire": ("post", f"{API}/indicators/sar_submission_rate/retire/", lambda: {"reason": "เลิกเก็บ"}, False, 200),
        "policy_point_create": (
            "post", f"{API}/policy-points/", lambda: {"fiscal_year": 2569, "code": "P1", "name_th": "ก", "name_en": "A"}, False, 201,
        ),
        "target_set": (
            "post", f"{API}/targets/", lambda: {"indicator_code": "dropout_rate", "fiscal_year": 2569, "value": 1.1,
                                                "unit_code": "11201"}, False, 200,
        ),
        "target_delete": ("delete", f"{API}/targets/{target}/", lambda: None, False, 204),
        "targets_import": (
            "post", f"{API}/targets/import/",
            lambda: {"file": csv_upload("t.csv", "indicator,fiscal_year,value\nonet_mean_p6,2569,40\n")}, True, 200,
        ),
        "framework_create": ("post", f"{API}/frameworks/", lambda: {"fiscal_year": 2570, "months": [3, 6]}, False, 201),
        "framework_update": ("patch", f"{API}/frameworks/{fw}/", lambda: {"name_th": "กรอบใหม่"}, False, 200),
        "item_add": (
            "post", f"{API}/frameworks/{fw}/items/", lambda: {"indicator_code": "onet_mean_m6", "standard_code": "3"},
            False, 201,
        ),
        "item_update": ("patch", f"{API}/frameworks/{fw}/items/enrolment/", lambda: {"required": False}, False, 200),
        "item_remove": ("delete", f"{API}/frameworks/{fw}/items/enrolment/", lambda: None, False, 204),
        "section_add": (
            "post", f"{API}/frameworks/{fw}/sections/",
            lambda: {"code": "s3_extra", "standard_code": "3", "title_th": "เพิ่ม", "title_en": "Extra"}, False, 201,
        ),
        "section_update": ("patch", f"{API}/sections/{section}/", lambda: {"min_chars": 120}, False, 200),
        "target_areas_set": ("put", f"{API}/frameworks/{fw}/target-areas/", lambda: {"esa_codes": ["11201"]}, False, 200),
        "target_areas_import": (
            "post", f"{API}/frameworks/{fw}/target-areas/import/",
            lambda: {"file": csv_upload("a.csv", "esa_code\n15001\n")}, True, 200,
        ),
        "round_create": ("post", f"{API}/rounds/", lambda: {"framework": fw, "months": 9}, False, 201),
        "round_update": (
            "patch", f"{API}/rounds/{rnd}/", lambda: {"due_on": (today() + dt.timedelta(days=12)).isoformat()}, False, 200,
        ),
        "rule_create": (
            "post", f"{API}/rules/",
            lambda: {"framework": fw, "code": "returned_cap", "kind": "required", "severity": "blocking",
                     "params": {"indicator": "children_returned"}, "message_th": "ต้องกรอก", "message_en": "Required"},
            False, 201,
        ),
        "rule_update": ("patch", f"{API}/rules/{rule}/", lambda: {"active": False}, False, 200),
        "external_import": (
            "post", f"{API}/external-values/import/",
            lambda: {"dataset": "niets_onet", "file": csv_upload("onet.csv", ONET)}, True, 200,
        ),
    }  # fmt: skip


def send(client: APIClient, method: str, url: str, body: Any, multipart: bool) -> Any:
    call = getattr(client, method)
    if body is None:
        return call(url)
    return call(url, body, format="multipart" if multipart else "json")


@pytest.mark.parametrize("persona", READERS)
def test_every_signed_in_reader_reads_everything(ctx: dict[str, Any], client_as: Any, persona: str) -> None:
    client = client_as(persona)
    got = {name: client.get(url).status_code for name, url in reads(ctx).items()}
    assert got == dict.fromkeys(reads(ctx), 200)


def test_no_role_is_403_and_anonymous_is_401_on_every_endpoint(ctx: dict[str, Any], client_as: Any) -> None:
    assert sorted(writes(ctx)) == sorted(WRITES)
    before = state(ctx)
    for who, code in (("nobody", 403), (None, 401)):
        client = client_as(who)
        for name, url in reads(ctx).items():
            assert client.get(url).status_code == code, (who, name)
        for name, (method, url, body, multipart, _) in writes(ctx).items():
            assert send(client, method, url, body(), multipart).status_code == code, (who, name)
    assert state(ctx) == before


WRITES = [
    "indicator_create", "indicator_revise", "indicator_retire", "policy_point_create", "target_set", "target_delete",
    "targets_import", "framework_create", "framework_update", "item_add", "item_update", "item_remove", "section_add",
    "section_update", "target_areas_set", "target_areas_import", "round_create", "round_update", "rule_create",
    "rule_update", "external_import",
]  # fmt: skip


@pytest.mark.parametrize("endpoint", WRITES)
def test_writes_matrix(ctx: dict[str, Any], client_as: Any, endpoint: str) -> None:
    method, url, body, multipart, ok = writes(ctx)[endpoint]
    if endpoint == "item_add":
        FrameworkIndicator.objects.filter(framework=ctx["fw"], indicator__code="onet_mean_m6").delete()
    before = state(ctx)
    for persona in NON_MANAGERS:
        if endpoint == "external_import" and persona == "sysadmin":
            continue  # a national operator may import (below)
        response = send(client_as(persona), method, url, body(), multipart)
        assert response.status_code == 403, (persona, response.content)
        assert response.json()["errors"][0]["code"] == "forbidden"
    assert state(ctx) == before
    response = send(client_as("me_officer"), method, url, body(), multipart)
    assert response.status_code == ok, response.content
    assert state(ctx) != before
    if endpoint == "external_import":
        again = send(client_as("sysadmin"), method, url, body(), multipart)
        assert again.status_code == 200
        assert again.json()["unchanged"] == 1


# --- content and bad input -------------------------------------------------------------------


def test_an_indicator_comes_with_every_version_and_its_targets(ctx: dict[str, Any], client_as: Any) -> None:
    client = client_as("me_officer")
    r = client.post(
        f"{API}/indicators/dropout_rate/revise/",
        {
            "changes": {"formula": "DR = 1 − PR − RR (UIS 2025)"},
            "change_note": "อ้างอิงคู่มือใหม่",
            "expected_version": 1,
        },
        format="json",
    )
    assert r.status_code == 201
    assert (r.json()["version"], r.json()["is_current"]) == (2, True)
    body = client_as("executive", language="en").get(f"{API}/indicators/dropout_rate/").json()
    assert body["current"]["version"] == 2
    assert body["current"]["name"] == "Dropout rate"
    assert [v["version"] for v in body["versions"]] == [2, 1]
    assert body["versions"][1]["retired_at"] is not None
    assert [(t["fiscal_year"], t["value"], t["unit_code"]) for t in body["targets"]] == [(2569, 1.5, None)]
    listing = client.get(f"{API}/indicators/?source_kind=computed").json()
    assert listing["count"] == 11
    assert {i["source_kind"] for i in listing["results"]} == {"computed"}


def test_a_stale_revision_is_409_and_a_held_figure_cannot_be_asked(
    ctx: dict[str, Any], client_as: Any
) -> None:
    client = client_as("me_officer")
    before = state(ctx)
    r = client.post(
        f"{API}/indicators/teacher_pd_hours/revise/",
        {"changes": {"max_value": 300}, "change_note": "x", "expected_version": 4},
        format="json",
    )
    assert r.status_code == 409
    assert r.json()["errors"][0]["code"] == "stale_indicator"
    r = client.post(
        f"{API}/indicators/dropout_rate/revise/",
        {"changes": {"source_kind": "reported"}, "change_note": "x"},
        format="json",
    )
    assert r.status_code == 400
    err = r.json()["errors"][0]
    assert err["code"] == "asked_but_held"
    assert "รายงานครั้งเดียว" in err["message_th"]
    assert "report once" in err["message_en"]
    r = client.post(f"{API}/indicators/", {"code": "x_bad", "unit": "litres"}, format="json")
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} >= {"name_th", "levels", "standards"}
    assert state(ctx) == before


def test_round_dates_are_checked_and_explained(ctx: dict[str, Any], client_as: Any) -> None:
    client = client_as("me_officer")
    rnd = ctx["round"]
    before = state(ctx)
    r = client.patch(
        f"{API}/rounds/{rnd.pk}/",
        {"due_on": (rnd.locks_on + dt.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert r.status_code == 400
    assert [(e["code"], e["field"]) for e in r.json()["errors"]] == [("dates_order", "due_on")]
    r = client.patch(f"{API}/rounds/{rnd.pk}/", {"due_on": "31/12/2569"}, format="json")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "due_on"
    assert state(ctx) == before
    body = client.get(f"{API}/rounds/{rnd.pk}/").json()
    assert (body["phase"], body["key"], body["fiscal_year"]) == ("open", "2569/m12", 2569)
    assert body["due_on_display"].endswith(str(rnd.due_on.year + 543))


def test_framework_detail_lists_items_sections_areas_rounds_and_rules(
    ctx: dict[str, Any], client_as: Any
) -> None:
    TargetArea.objects.create(framework=ctx["fw"], unit=ctx["world"].esa_b1)
    body = client_as("esa_officer_a1").get(f"{API}/frameworks/{ctx['fw'].pk}/").json()
    assert (body["fiscal_year"], body["status"], body["item_count"], body["area_count"]) == (
        2569,
        "draft",
        28,
        1,
    )
    assert body["target_areas"] == ["15001"]
    assert [r["code"] for r in body["rounds"]] == ["m6", "m12"]
    assert len(body["sections"]) == 4
    assert [r["code"] for r in body["rules"]] == ["pd_cap"]
    first = body["items"][0]
    assert set(first) == {
        "id",
        "indicator_code",
        "indicator_version",
        "indicator_id",
        "name",
        "source_kind",
        "standard",
        "order",
        "required",
    }
    rules = client_as("reviewer").get(f"{API}/rules/?framework={ctx['fw'].pk}").json()
    assert {r["code"] for r in rules["results"]} >= {"pd_cap", "supervision_required"}


def test_bad_target_areas_and_rules_are_refused_with_their_place(ctx: dict[str, Any], client_as: Any) -> None:
    client = client_as("me_officer")
    fw = ctx["fw"].pk
    before = state(ctx)
    r = client.put(f"{API}/frameworks/{fw}/target-areas/", {"esa_codes": ["11201", "R02"]}, format="json")
    assert r.status_code == 400
    assert [(e["code"], e["field"]) for e in r.json()["errors"]] == [("not_an_esa", "esa_codes[1]")]
    r = client.post(
        f"{API}/frameworks/{fw}/target-areas/import/",
        {"file": csv_upload("a.csv", "esa_code\n11201\nOBEC\n")},
        format="multipart",
    )
    assert r.status_code == 400
    assert [(e["row"], e["column"], e["file"]) for e in r.json()["errors"]] == [(3, "esa_code", "a.csv")]
    r = client.post(
        f"{API}/rules/",
        {"framework": fw, "code": "x_rule", "kind": "compare", "severity": "warning",
         "params": {"left": "nope", "op": "~", "right": "enrolment"}, "message_th": "ก", "message_en": "A"},
        format="json",
    )  # fmt: skip
    assert r.status_code == 400
    assert {e["code"] for e in r.json()["errors"]} == {"indicator_not_in_framework", "op_invalid"}
    assert state(ctx) == before


def test_external_import_reports_rows_and_unknown_ids_are_404(ctx: dict[str, Any], client_as: Any) -> None:
    client = client_as("me_officer")
    bad = ONET + "99999,onet_mean_p6,2568,40\n"
    r = client.post(
        f"{API}/external-values/import/",
        {"dataset": "niets_onet", "file": csv_upload("onet.csv", bad)},
        format="multipart",
    )
    assert r.status_code == 200
    body = r.json()
    assert (body["committed"], body["rows_read"], body["rejected_rows"], body["dataset"]) == (
        False,
        2,
        1,
        "niets_onet",
    )
    assert [(p["row"], p["column"], p["code"]) for p in body["problems"]] == [
        (3, "unit_code", "unit_unknown")
    ]
    assert not IndicatorValue.objects.exists()
    r = client.post(
        f"{API}/external-values/import/",
        {"dataset": "niets_onet", "file": csv_upload("onet.csv", bad), "keep_valid": "true"},
        format="multipart",
    )
    assert (r.json()["committed"], r.json()["created"]) == (True, 1)
    assert r.json()["run_id"] is not None
    r = client.post(
        f"{API}/external-values/import/",
        {"dataset": "pisa", "file": csv_upload("x.csv", ONET)},
        format="multipart",
    )
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "dataset"
    datasets = client_as("executive").get(f"{API}/external-values/datasets/").json()
    onet = next(d for d in datasets if d["code"] == "niets_onet")
    assert onet["indicators"] == ["onet_mean_m3", "onet_mean_m6", "onet_mean_p6"]
    assert onet["periods"]["onet_mean_p6"] == "year"
    for url in (
        f"{API}/indicators/nothing/",
        f"{API}/frameworks/9999/",
        f"{API}/rounds/9999/",
        f"{API}/rules/9999/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.delete(f"{API}/targets/9999/").status_code == 404
