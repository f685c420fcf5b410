"""Cockpit API: figures (scoped, filtered, paginated, small cells withheld) and the run's summary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from suksa.domains.cockpit.models import Level, Summary
from suksa.domains.cockpit.tests.objects_cockpit import cockpit_world, make_figure
from suksa.domains.insights.models import InsightRun
from suksa.domains.insights.tests.objects_schools import any_round
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World, make_esa

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]
API = "/api/v1/cockpit"


@pytest.fixture
def run(world: World) -> InsightRun:
    return cockpit_world(world)


def _keys(body: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(r["level"], r["unit_code"] or r["province_code"], r["indicator"]) for r in body["results"]]


def test_a_national_executive_sees_every_figure_nation_first(
    world: World, run: InsightRun, client_as: Client
) -> None:
    body = client_as("executive").get(f"{API}/figures/").json()
    assert body["count"] == 13
    assert _keys(body) == [
        ("nation", "OBEC", "dropout_rate"),
        ("nation", "OBEC", "onet_mean_p6"),
        ("region", "R01", "dropout_rate"),
        ("region", "R02", "dropout_rate"),
        ("esa", "11201", "dropout_rate"),
        ("esa", "15001", "dropout_rate"),
        ("esa", "21201", "dropout_rate"),
        ("province", "12", "dropout_rate"),
        ("province", "50", "dropout_rate"),
        ("school", "1012000001", "onet_mean_p6"),
        ("school", "1012000002", "onet_mean_p6"),
        ("school", "1012000101", "onet_mean_p6"),
        ("school", "1050000001", "onet_mean_p6"),
    ]
    esa = body["results"][4]
    assert esa == {
        "id": esa["id"], "run_id": run.pk, "level": "esa", "indicator": "dropout_rate",
        "indicator_name_th": "อัตราการออกกลางคัน", "indicator_name_en": "Dropout rate",
        "unit_id": world.esa_a1.pk, "unit_code": "11201", "unit_kind": "esa", "unit_name_th": world.esa_a1.name_th,
        "unit_name_en": "ESA 11201", "province_code": None, "province_name_th": None, "province_name_en": None,
        "parent_id": world.region_1.pk, "parent_code": "R01", "period": "2568", "value": 1.2,
        "previous_period": "2567", "previous": 1.4, "change": -0.2, "improvement": 0.2, "target": 1.5,
        "light": "green", "arrow": "down", "significant": True, "good": True, "persons": 1000,
        "suppressed": False, "label_th": "", "label_en": "",
        "series": [["2565", 2.0], ["2566", 1.8], ["2567", 1.6], ["2568", 1.2]],
        "source": {"model": "core.IndicatorValue", "id": 1},
        "peer": {"group": "primary|*", "count": 3, "median": 1.5, "low": 1.2, "high": 1.8, "rank": 1,
                 "verdict": "typical"},
    }  # fmt: skip
    province = body["results"][8]
    assert (province["unit_id"], province["unit_code"], province["unit_name_th"]) == (None, None, None)
    assert (province["province_code"], province["province_name_th"]) == ("50", "เชียงใหม่")
    assert province["province_name_en"] == "Chiang Mai"
    assert province["parent_code"] == "R02"


def test_a_small_cell_is_withheld_whoever_asks(world: World, run: InsightRun, client_as: Client) -> None:
    for persona in ("executive", "esa_director_a1"):
        body = client_as(persona).get(f"{API}/figures/?unit={world.school_a1_1.pk}").json()
        assert body["count"] == 1
        row = body["results"][0]
        assert row["persons"] == 3
        assert row["suppressed"] is True
        assert (row["label_th"], row["label_en"]) == ("ปกปิด (<5)", "suppressed (<5)")
        assert (row["value"], row["previous"], row["change"], row["improvement"]) == (None, None, None, None)
        assert (row["light"], row["arrow"], row["good"], row["significant"]) == ("none", "none", None, False)
        assert row["series"] == [["2565", None], ["2566", None], ["2567", None], ["2568", None]]
        assert row["peer"] == {"group": "primary|*", "count": 3, "median": 1.5, "low": 1.2, "high": 1.8}
        assert row["target"] == 40.0
    shown = client_as("executive").get(f"{API}/figures/?unit={world.school_a1_2.pk}").json()["results"][0]
    assert (shown["suppressed"], shown["value"], shown["change"], shown["light"]) == (
        False,
        38.5,
        1.5,
        "amber",
    )


def test_an_esa_user_sees_their_esa_its_schools_and_the_aggregates_above(
    world: World, run: InsightRun, client_as: Client
) -> None:
    for persona in ("esa_officer_a1", "esa_director_a1"):
        assert _keys(client_as(persona).get(f"{API}/figures/").json()) == [
            ("nation", "OBEC", "dropout_rate"),
            ("nation", "OBEC", "onet_mean_p6"),
            ("region", "R01", "dropout_rate"),
            ("esa", "11201", "dropout_rate"),
            ("school", "1012000001", "onet_mean_p6"),
            ("school", "1012000002", "onet_mean_p6"),
        ]
    assert _keys(client_as("inspector_r1").get(f"{API}/figures/?level=province").json()) == [
        ("province", "12", "dropout_rate")
    ]
    assert client_as("inspector_r1").get(f"{API}/figures/").json()["count"] == 9


def test_the_list_filters_by_level_indicator_unit_and_parent(
    world: World, run: InsightRun, client_as: Client
) -> None:
    c = client_as("executive")
    assert _keys(c.get(f"{API}/figures/?level=region").json()) == [
        ("region", "R01", "dropout_rate"),
        ("region", "R02", "dropout_rate"),
    ]
    assert _keys(c.get(f"{API}/figures/?indicator=onet_mean_p6&level=nation").json()) == [
        ("nation", "OBEC", "onet_mean_p6")
    ]
    assert _keys(c.get(f"{API}/figures/?parent={world.region_1.pk}").json()) == [
        ("esa", "11201", "dropout_rate"),
        ("esa", "21201", "dropout_rate"),
        ("province", "12", "dropout_rate"),
    ]
    assert _keys(c.get(f"{API}/figures/?parent={world.esa_b1.pk}").json()) == [
        ("school", "1050000001", "onet_mean_p6")
    ]
    assert _keys(c.get(f"{API}/figures/?unit={world.esa_b1.pk}").json()) == [("esa", "15001", "dropout_rate")]
    assert c.get(f"{API}/figures/?round={run.round_id}").json()["count"] == 13
    page = c.get(f"{API}/figures/?limit=5&offset=10").json()
    assert (page["count"], len(page["results"])) == (13, 3)


def test_the_summary_has_the_nations_key_figures_and_the_movers_in_scope(
    world: World, run: InsightRun, client_as: Client
) -> None:
    body = client_as("executive").get(f"{API}/summary/").json()
    assert (body["round_id"], body["round"], body["run_id"], body["ready"]) == (
        run.round_id, run.round.key, run.pk, True
    )  # fmt: skip
    assert body["counts"] == {"nation": 2, "region": 2, "esa": 3, "province": 2, "school": 4}
    assert [(k["indicator"], k["name_en"], k["unit"]) for k in body["key_indicators"]] == [
        ("dropout_rate", "Dropout rate", "percent"),
        ("onet_mean_p6", "O-NET mean, P6", "score"),
    ]
    nation = body["key_indicators"][1]["nation"]
    assert (nation["unit_code"], nation["value"], nation["target"], nation["light"]) == (
        "OBEC",
        41.0,
        40.0,
        "green",
    )

    def codes(b: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
        return {k: {w: [m["code"] for m in ms] for w, ms in ways.items()} for k, ways in b["movers"].items()}

    assert codes(body) == {
        "dropout_rate": {"up": ["11201", "15001"], "down": ["21201"]},
        "all": {"up": ["15001"], "down": ["21201"]},
    }
    assert body["movers"]["dropout_rate"]["up"][0] == {
        "unit_id": world.esa_a1.pk, "code": "11201", "name_th": world.esa_a1.name_th, "name_en": "ESA 11201",
        "indicator": "dropout_rate", "indicator_name_th": "อัตราการออกกลางคัน", "indicator_name_en": "Dropout rate",
        "indicator_unit": "percent", "value": 1.2, "previous": 1.6, "change": -0.4, "improvement": 0.4,
        "period": "2568", "previous_period": "2567", "z": None,
    }  # fmt: skip
    assert body["movers"]["all"]["down"][0]["z"] == -1.5
    esa = client_as("esa_director_a1").get(f"{API}/summary/")
    assert codes(esa.json()) == {"dropout_rate": {"up": ["11201"], "down": []}, "all": {"up": [], "down": []}}
    assert world.esa_b1.name_th not in esa.content.decode()
    assert codes(client_as("inspector_r1").get(f"{API}/summary/").json()) == {
        "dropout_rate": {"up": ["11201"], "down": ["21201"]},
        "all": {"up": [], "down": ["21201"]},
    }


def test_a_round_without_a_cockpit_yet(world: World, client_as: Client) -> None:
    rnd = any_round()
    c = client_as("executive")
    assert c.get(f"{API}/figures/").json() == {"count": 0, "next": None, "previous": None, "results": []}
    body = c.get(f"{API}/summary/?round={rnd.pk}").json()
    assert body == {
        "round_id": rnd.pk, "round": rnd.key, "run_id": None, "ready": False, "built_at": None,
        "key_indicators": [], "movers": {}, "counts": {},
    }  # fmt: skip
    run = InsightRun.objects.create(round=rnd, status="done", is_current=True)
    body = c.get(f"{API}/summary/?round={rnd.pk}").json()
    assert (body["run_id"], body["ready"], body["key_indicators"]) == (run.pk, False, [])


def test_authorization(world: World, run: InsightRun, client_as: Client) -> None:
    for persona in ("nobody", "director_a1_1", "teacher_a1_1", "sysadmin", "dpo"):
        c = client_as(persona)
        assert c.get(f"{API}/figures/").status_code == 403
        assert c.get(f"{API}/summary/").status_code == 403
        assert c.get(f"{API}/figures/?unit={world.school_a1_1.pk}").status_code == 403
    assert client_as(None).get(f"{API}/figures/").status_code == 401
    assert client_as(None).get(f"{API}/summary/").status_code == 401
    hidden = (world.esa_b1.pk, world.school_b1_1.pk, world.region_2.pk, 999_999)
    for persona in ("esa_officer_a1", "esa_director_a1", "inspector_r1"):
        c = client_as(persona)
        for unit_id in hidden:
            for param in ("unit", "parent"):
                r = c.get(f"{API}/figures/?{param}={unit_id}")
                assert r.status_code == 404, (persona, param, unit_id)
                assert world.esa_b1.name_th not in r.content.decode()
        assert world.esa_b1.name_th not in c.get(f"{API}/figures/?limit=200").content.decode()
    assert client_as("esa_officer_b1").get(f"{API}/figures/?unit={world.esa_b1.pk}").json()["count"] == 1
    assert client_as("esa_officer_b1").get(f"{API}/figures/?unit={world.esa_a1.pk}").status_code == 404


def test_bad_input_names_the_field_in_thai_and_english(
    world: World, run: InsightRun, client_as: Client
) -> None:
    c = client_as("executive")
    bad = c.get(f"{API}/figures/?level=district&round=x&unit=0&parent=-1")
    assert bad.status_code == 400
    errors = bad.json()["errors"]
    assert sorted(p["field"] for p in errors) == ["level", "parent", "round", "unit"]
    level = next(p for p in errors if p["field"] == "level")
    assert "district" in level["message_en"]
    assert level["message_th"] != level["message_en"]
    unknown = client_as("executive", "en").get(f"{API}/figures/?indicator=no_such")
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "indicator"
    assert unknown.json()["errors"][0]["message_th"] == (
        "ช่อง indicator: ตัวชี้วัด (indicator) ไม่ถูกต้อง: ไม่มีรหัส no_such ในแค็ตตาล็อก"
    )
    assert unknown.json()["detail"] == "field indicator: Invalid indicator: no catalogue code no_such"
    summary = c.get(f"{API}/summary/?round=abc")
    assert summary.status_code == 400
    assert [p["field"] for p in summary.json()["errors"]] == ["round"]
    assert c.get(f"{API}/figures/?round=999999").status_code == 404
    assert c.get(f"{API}/summary/?round=999999").status_code == 404
    other = round_of(make_framework(2568))
    assert c.get(f"{API}/summary/?round={other.pk}").json()["ready"] is False


def test_the_queries_do_not_grow_with_the_units(
    world: World, run: InsightRun, client_as: Client, django_assert_max_num_queries: Any
) -> None:
    c = client_as("executive")
    c.get(f"{API}/figures/?limit=200")
    with django_assert_max_num_queries(12) as few:
        c.get(f"{API}/figures/?limit=200")
    with django_assert_max_num_queries(12) as few_summary:
        c.get(f"{API}/summary/")
    for i in range(27):
        esa = make_esa(f"9{i:04d}", f"สพท.ทดสอบ {i}", world.region_2, "primary", "50", 30 + i)
        make_figure(run, Level.ESA, unit=esa, parent=world.region_2, value=1.0 + i / 10)
    movers = Summary.objects.get(run=run).movers
    movers["all"]["up"] += [{"unit_id": 10**9 + i, "code": f"x{i}"} for i in range(5)]
    Summary.objects.filter(run=run).update(movers=movers)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = c.get(f"{API}/figures/?limit=200").json()
    assert body["count"] == 13 + 27
    with django_assert_max_num_queries(len(few_summary.captured_queries)):
        assert c.get(f"{API}/summary/").status_code == 200


@pytest.mark.slow
def test_the_tiny_nations_cockpit_end_to_end(settings: Any, tmp_path: Any) -> None:
    """The real cockpit stage's output through the API: the national executive and an ESA director."""
    from django.core.cache import cache
    from rest_framework.authtoken.models import Token

    from suksa.core.models import OrgUnit
    from suksa.domains.accounts.models import RoleAssignment, User
    from suksa.domains.cockpit.models import Figure
    from suksa.domains.cockpit.tests.conftest import build_cockpit_tiny

    settings.DATA_DIR = tmp_path
    tiny = build_cockpit_tiny(tmp_path)

    def client(username: str) -> APIClient:
        token, _ = Token.objects.get_or_create(user=User.objects.get(username=username))
        c = APIClient(HTTP_ACCEPT_LANGUAGE="th")
        c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return c

    cache.clear()
    executive = client("executive")
    summary = executive.get(f"{API}/summary/").json()
    assert (summary["run_id"], summary["ready"]) == (tiny.run.pk, True)
    assert [k["indicator"] for k in summary["key_indicators"]] == tiny.summary.key_indicators
    for k in summary["key_indicators"]:
        assert k["nation"] is not None
        assert k["nation"]["level"] == "nation"
        assert k["nation"]["value"] is not None
    esas = executive.get(f"{API}/figures/?level=esa&limit=1000").json()
    assert esas["count"] == Figure.objects.filter(run=tiny.run, level="esa").count() > 0
    school = Figure.objects.filter(run=tiny.run, level="school").exclude(persons=None).order_by("pk").first()
    assert school is not None
    rows = executive.get(f"{API}/figures/?unit={school.unit_id}&indicator={school.indicator}").json()[
        "results"
    ]
    assert [(r["persons"], r["suppressed"], r["value"]) for r in rows] == [
        (
            school.persons,
            0 < (school.persons or 0) < 5,
            None if 0 < (school.persons or 0) < 5 else school.value,
        )
    ]

    home = RoleAssignment.objects.select_related("unit").get(user__username="esa_director").unit
    director = client("esa_director")
    mine = director.get(f"{API}/figures/?level=esa&limit=1000").json()
    assert {r["unit_code"] for r in mine["results"]} == {home.code}
    moved = {m["code"] for ways in director.get(f"{API}/summary/").json()["movers"].values()
             for items in ways.values() for m in items}  # fmt: skip
    assert moved <= {home.code}
    other = OrgUnit.objects.filter(kind="esa").exclude(pk=home.pk).first()
    assert other is not None
    assert director.get(f"{API}/figures/?unit={other.pk}").status_code == 404
    assert director.get(f"{API}/figures/?parent={other.pk}").status_code == 404
