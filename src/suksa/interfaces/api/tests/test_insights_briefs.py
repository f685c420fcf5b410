"""Briefs over REST: list and read scoped by status and participation, generate and publish by
national writers only, refusals with bilingual problems naming the field."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from suksa.domains.insights.models import Brief, BriefParticipant
from suksa.domains.insights.models.choices import BriefStatus
from suksa.domains.insights.services.briefs import new_version
from suksa.domains.insights.tests.objects_briefs import b_brief_id, run_with_results
from suksa.domains.monitoring.models import Round
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]
API = "/api/v1/insights/briefs"


@pytest.fixture
def rnd(world: World) -> Round:
    return round_of(make_framework(2569))


def test_generate_read_publish(world: World, rnd: Round, client_as: Client) -> None:
    run_with_results(world, rnd)
    me = client_as("me_officer")
    made = me.post(
        f"{API}/generate/", {"round": rnd.pk, "topic": "retention", "rephrase": False}, format="json"
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["version"], body["status"], body["trace"]["ok"]) == (1, "draft", True)
    number = body["findings"][0]["numbers"][0]
    assert number["source"]["model"] == "core.IndicatorValue"
    assert isinstance(number["source"]["id"], int)
    assert number["period"] == "2564"
    assert number["unit_code"] == world.nation.code
    listed = me.get(f"{API}/?round={rnd.pk}&topic=retention").json()
    assert [b["id"] for b in listed] == [body["id"]]
    published = me.post(f"{API}/{body['id']}/publish/", {"version": 1}, format="json")
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    # Published national briefs: readable by every brief.view holder.
    assert client_as("esa_officer_b1").get(f"{API}/{body['id']}/").status_code == 200


def test_publish_blocked_by_a_failed_trace(world: World, rnd: Round, client_as: Client) -> None:
    brief = Brief.objects.create(round=rnd, unit=world.nation, topic="learning", title_th="t", title_en="t")
    new_version(brief=brief, body={"summary": {"th": "ร้อยละ 12.5", "en": "12.5%"}, "findings": [],
                                   "recommendations": []}, numbers={}, actor=None)  # fmt: skip
    response = client_as("me_officer").post(f"{API}/{brief.pk}/publish/", {}, format="json")
    assert response.status_code == 400
    problem = response.json()["errors"][0]
    assert problem["code"] == "brief_trace_failed"
    assert problem["field"] == "version"
    assert "'12.5'" in problem["message_th"]
    assert "'12.5%'" in problem["message_en"]
    assert Brief.objects.get(pk=brief.pk).status == BriefStatus.DRAFT


def test_authorization(world: World, rnd: Round, client_as: Client) -> None:
    run_with_results(world, rnd)
    me = client_as("me_officer")
    draft_id = me.post(f"{API}/generate/", {"round": rnd.pk, "topic": "retention", "rephrase": False},
                       format="json").json()["id"]  # fmt: skip
    officer = client_as("esa_officer_a1")
    assert officer.get(f"{API}/{draft_id}/").status_code == 404
    assert officer.get(f"{API}/").json() == []
    assert officer.post(f"{API}/{draft_id}/publish/", {}, format="json").status_code == 404
    assert (
        officer.post(f"{API}/generate/", {"round": rnd.pk, "topic": "learning"}, format="json").status_code
        == 403
    )
    BriefParticipant.objects.create(
        brief_id=draft_id, user=world.user("esa_officer_a1"), invited_at=timezone.now()
    )
    assert officer.get(f"{API}/{draft_id}/").status_code == 200
    assert officer.post(f"{API}/{draft_id}/publish/", {}, format="json").status_code == 403
    assert Brief.objects.get(pk=draft_id).status == BriefStatus.DRAFT
    b_id = b_brief_id(world)
    assert officer.get(f"{API}/{b_id}/").status_code == 404
    assert client_as("esa_officer_b1").get(f"{API}/{b_id}/").status_code == 200
    assert client_as("director_a1_1").get(f"{API}/").status_code == 403
    assert client_as(None).get(f"{API}/").status_code == 401


def test_bad_input_names_the_field(world: World, rnd: Round, client_as: Client) -> None:
    me = client_as("me_officer")
    bad = me.post(f"{API}/generate/", {"round": "x", "topic": "poetry"}, format="json")
    assert bad.status_code == 400
    assert sorted(p["field"] for p in bad.json()["errors"]) == ["round", "topic"]
    missing = me.post(f"{API}/generate/", {"round": 999999, "topic": "learning"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "round"
    assert me.get(f"{API}/?round=0").status_code == 400
    assert me.get(f"{API}/?topic=poetry").json()["errors"][0]["field"] == "topic"
    assert me.get(f"{API}/1/?version=abc").status_code in (400, 404)
