"""Briefs: the stage writes traced national drafts, versions, generate and publish, the LLM paths."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.utils import timezone

from suksa.core.errors import Conflict, InvalidInput, NotFoundOrNoAccess, PermissionDenied
from suksa.core.policy import Actor
from suksa.domains.accounts.actors import actor_for
from suksa.domains.insights import selectors_briefs as sel
from suksa.domains.insights.models import Brief, BriefParticipant, BriefVersion, InsightRun, Strength, Trend
from suksa.domains.insights.models.choices import BriefStatus, RunStatus
from suksa.domains.insights.services import llm
from suksa.domains.insights.services.briefs import (
    TOPICS,
    brief_generate,
    brief_publish,
    compose,
    new_version,
)
from suksa.domains.insights.services.run import run_round
from suksa.domains.insights.tests.objects_briefs import run_with_results
from suksa.domains.monitoring.models import Round
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World, make_world

pytestmark = pytest.mark.django_db


def actor(world: World, name: str) -> Actor:
    return actor_for(world.users[name])


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def rnd(world: World) -> Round:
    return round_of(make_framework(2569))


def test_compose_writes_findings_whose_numbers_point_at_stored_values(world: World, rnd: Round) -> None:
    run = run_with_results(world, rnd)
    draft, numbers = compose(run=run, rnd=rnd, topic="retention", unit=world.nation)
    findings = draft.body["findings"]
    assert [f["kind"] for f in findings] == ["trend", "strength"]
    assert "1.8" in findings[0]["text_th"]
    assert "0.9" in findings[0]["text_th"]
    assert "0.22" in findings[0]["text_th"]
    first = numbers[findings[0]["evidence"][0]]
    assert first["period"] == "2564"
    assert first["unit_code"] == world.nation.code
    assert first["source"]["model"] == "core.IndicatorValue"
    assert first["source"]["id"] == Trend.objects.get().data["points"][0]["source"]["id"]
    assert numbers[findings[1]["evidence"][0]]["source"] == {
        "model": "insights.Strength", "id": Strength.objects.get().pk, "field": "peer_count"
    }  # fmt: skip


def test_stage_writes_one_traced_draft_per_topic_and_never_deletes_briefs(world: World, rnd: Round) -> None:
    run = run_with_results(world, rnd)
    run_round(run, only=["briefs"])
    briefs = {b.topic: b for b in Brief.objects.filter(round=rnd)}
    assert sorted(briefs) == sorted(TOPICS)
    assert all(b.unit_id == world.nation.pk and b.status == BriefStatus.DRAFT for b in briefs.values())
    versions = BriefVersion.objects.filter(brief__round=rnd)
    assert versions.count() == len(TOPICS)
    assert all(v.trace_ok and v.writer == "template" for v in versions)
    retention = BriefVersion.objects.get(brief=briefs["retention"])
    assert retention.trace["checked"] > 0
    assert retention.trace["failures"] == []
    # A second run with the same results adds no version; a published brief is left alone.
    Brief.objects.filter(pk=briefs["overview"].pk).update(status=BriefStatus.PUBLISHED)
    run2 = InsightRun.objects.create(round=rnd, status=RunStatus.DONE)
    Trend.objects.filter(run=run).update(run=run2)
    Strength.objects.filter(run=run).update(run=run2)
    run_round(run2, only=["briefs"])
    assert BriefVersion.objects.filter(brief__round=rnd).count() == len(TOPICS)
    assert Brief.objects.filter(round=rnd).count() == len(TOPICS)
    assert Brief.objects.get(pk=briefs["overview"].pk).run_id == run.pk  # untouched
    assert Brief.objects.get(pk=briefs["retention"].pk).run_id == run2.pk
    assert run_round(run2, only=["briefs"]).stages["briefs"]["counts"] == {
        "written": 0, "unchanged": len(TOPICS) - 1, "kept": 1, "trace_failed": 0
    }  # fmt: skip


def test_new_version_numbers_versions_and_runs_the_trace(world: World, rnd: Round) -> None:
    brief = Brief.objects.create(round=rnd, unit=world.nation, topic="learning", title_th="t", title_en="t")
    body = {"summary": {"th": "ร้อยละ 85.2", "en": "85.2%"}, "findings": [], "recommendations": []}
    ok = new_version(brief=brief, body=body, numbers={"a": {"value": 85.24, "display": "85.2"}}, actor=None)
    bad = new_version(brief=brief, body=body, numbers={"a": {"value": 85.34, "display": "85.3"}}, actor=None,
                      change_note="typo")  # fmt: skip
    assert (ok.number, ok.trace_ok, ok.trace["checked"]) == (1, True, 2)
    assert (bad.number, bad.trace_ok) == (2, False)
    assert [f["number"] for f in bad.trace["failures"]] == ["85.2", "85.2%"]


def test_publish_is_refused_when_the_trace_fails_or_the_version_is_not_the_latest(
    world: World, rnd: Round
) -> None:
    me = actor(world, "me_officer")
    brief = Brief.objects.create(round=rnd, unit=world.nation, topic="learning", title_th="t", title_en="t")
    body = {"summary": {"th": "ครู 57 คน", "en": "57 teachers"}, "findings": [], "recommendations": []}
    new_version(brief=brief, body=body, numbers={}, actor=None)
    with pytest.raises(InvalidInput) as err:
        brief_publish(actor=me, brief_id=brief.pk)
    assert err.value.problems[0].code == "brief_trace_failed"
    assert "'57'" in err.value.problems[0].th
    assert "'57'" in err.value.problems[0].en
    good = new_version(brief=brief, body=body, numbers={"n": {"value": 57, "display": "57"}}, actor=None)
    with pytest.raises(Conflict) as stale:
        brief_publish(actor=me, brief_id=brief.pk, version_number=1)
    assert stale.value.problems[0].code == "brief_not_latest"
    assert Brief.objects.get(pk=brief.pk).status == BriefStatus.DRAFT
    published = brief_publish(actor=me, brief_id=brief.pk, version_number=2)
    assert (published.status, published.published_version_id) == (BriefStatus.PUBLISHED, good.pk)
    assert published.published_at is not None


def test_only_national_writers_generate_and_publish(world: World, rnd: Round) -> None:
    run_with_results(world, rnd)
    for name in ("esa_director_a1", "esa_officer_a1", "executive", "inspector_r1"):
        with pytest.raises(PermissionDenied):
            brief_generate(actor=actor(world, name), round=rnd, topic="retention")
    assert not Brief.objects.exists()
    brief = brief_generate(actor=actor(world, "me_officer"), round=rnd, topic="retention", rephrase=False)
    with pytest.raises(PermissionDenied):
        brief_publish(actor=actor(world, "esa_director_a1"), brief_id=brief.pk)
    assert Brief.objects.get(pk=brief.pk).status == BriefStatus.DRAFT
    with pytest.raises(InvalidInput) as bad:
        brief_generate(actor=actor(world, "me_officer"), round=rnd, topic="nope")
    assert bad.value.problems[0].field == "topic"


def test_drafts_are_read_by_writers_and_participants_only(world: World, rnd: Round) -> None:
    run_with_results(world, rnd)
    me = actor(world, "me_officer")
    brief = brief_generate(actor=me, round=rnd, topic="retention", rephrase=False)
    assert sel.brief_get(me, brief.pk).pk == brief.pk
    for name in ("esa_officer_a1", "esa_officer_b1", "executive"):
        with pytest.raises(NotFoundOrNoAccess):
            sel.brief_get(actor(world, name), brief.pk)
    BriefParticipant.objects.create(
        brief=brief, user=world.users["esa_officer_a1"], invited_at=timezone.now()
    )
    assert sel.brief_get(actor(world, "esa_officer_a1"), brief.pk).pk == brief.pk
    with pytest.raises(NotFoundOrNoAccess):
        sel.brief_get(actor(world, "esa_officer_b1"), brief.pk)
    brief_publish(actor=me, brief_id=brief.pk)
    # Published national briefs: everyone with brief.view; a published brief about ESA B1: not ESA A.
    assert sel.brief_get(actor(world, "esa_officer_b1"), brief.pk).pk == brief.pk
    esa_brief = Brief.objects.create(round=rnd, unit=world.esa_b1, topic="learning", title_th="t", title_en="t",
                                     status=BriefStatus.PUBLISHED)  # fmt: skip
    assert sel.brief_get(actor(world, "esa_officer_b1"), esa_brief.pk).pk == esa_brief.pk
    with pytest.raises(NotFoundOrNoAccess):
        sel.brief_get(actor(world, "esa_officer_a1"), esa_brief.pk)
    with pytest.raises(NotFoundOrNoAccess):
        sel.brief_get(actor(world, "director_a1_1"), brief.pk)  # a school role holds no brief.view


# --- the LLM through a real local HTTP server -----------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    mode = "good"
    requests: list[dict[str, Any]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length))
        type(self).requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **request})
        payload = json.loads(request["messages"][1]["content"])
        if self.mode == "hang":
            time.sleep(2)
        if self.mode == "error":
            self.send_response(503)
            self.end_headers()
            return
        if self.mode == "garbage":
            content = "Sorry, I cannot help with that."
        else:
            for part in ("findings", "recommendations"):
                for item in payload[part]:
                    item["text_th"] = "กล่าวโดยสรุป " + item["text_th"]
                    item["text_en"] = "In short, " + item["text_en"]
            if self.mode == "invent":
                payload["findings"][0]["text_en"] += " About 42 schools took part."
            content = "```json\n" + json.dumps(payload, ensure_ascii=False) + "\n```"
        data = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def llm_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    _Handler.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def _llm_settings(settings: Any, url: str, timeout: float = 5) -> None:
    settings.SUKSA_LLM_BASE_URL = url
    settings.SUKSA_LLM_MODEL = "typhoon-test"
    settings.SUKSA_LLM_API_KEY = "k-123"
    settings.SUKSA_LLM_TIMEOUT = timeout


def test_llm_rephrasing_is_kept_when_every_number_traces(
    world: World, rnd: Round, settings: Any, llm_server: str
) -> None:
    run_with_results(world, rnd)
    _llm_settings(settings, llm_server)
    brief = brief_generate(actor=actor(world, "me_officer"), round=rnd, topic="retention")
    version = BriefVersion.objects.get(brief=brief)
    assert version.writer == "llm:typhoon-test"
    assert version.trace_ok
    assert version.body["findings"][0]["text_th"].startswith("กล่าวโดยสรุป ")
    sent = _Handler.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["auth"] == "Bearer k-123"
    assert sent["model"] == "typhoon-test"
    assert "Do NOT add" in sent["messages"][0]["content"]


@pytest.mark.parametrize(
    ("mode", "timeout", "why"),
    [
        ("invent", 5, "LLM output rejected: numbers not in the brief's table: 42"),
        ("error", 5, "LLM output rejected: the endpoint answered HTTP 503"),
        ("garbage", 5, "LLM output rejected: the text is not the JSON asked for"),
        ("hang", 0.3, "LLM output rejected: no answer within 0.3 s"),
    ],
)
def test_llm_output_is_rejected_and_the_template_text_kept(
    world: World, rnd: Round, settings: Any, llm_server: str, mode: str, timeout: float, why: str
) -> None:
    run_with_results(world, rnd)
    _llm_settings(settings, llm_server, timeout)
    _Handler.mode = mode
    try:
        brief = brief_generate(actor=actor(world, "me_officer"), round=rnd, topic="retention")
    finally:
        _Handler.mode = "good"
    version = BriefVersion.objects.get(brief=brief)
    template, _ = compose(run=brief.run, rnd=rnd, topic="retention", unit=world.nation)
    assert version.writer == "template"
    assert why in version.change_note
    assert version.body == template.body
    assert version.trace_ok


def test_llm_endpoint_down_falls_back() -> None:
    outcome = llm.rephrase({"summary": {"th": "ก", "en": "a"}, "findings": [], "recommendations": []}, {},
                           base_url="http://127.0.0.1:9/v1", timeout=1)  # fmt: skip
    assert not outcome.accepted
    assert outcome.writer == "template"
    assert outcome.reason.startswith("the endpoint cannot be reached")
