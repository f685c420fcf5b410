"""Lessons over REST: findings and topics, one practice, similar cases; visibility of other ESAs'
texts, authorization per endpoint and bilingual problems naming the field."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from suksa.domains.insights.models import PracticeFinding
from suksa.domains.insights.tests.objects_lessons import LessonsWorld, b_doc, build_lessons_world
from tests.factories import World

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]
API = "/api/v1/insights"


@pytest.fixture
def lw(world: World) -> LessonsWorld:
    return build_lessons_world(world)


def test_lessons_lists_findings_and_topics(world: World, lw: LessonsWorld, client_as: Client) -> None:
    r = client_as("esa_officer_a1").get(f"{API}/lessons/")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["run_id"] == lw.run.pk
    assert body["round"] == lw.round.key
    by_key = {p["key"]: p for p in body["practices"]}
    assert by_key["mentoring"]["esa_count"] == 2
    assert by_key["mentoring"]["verdict"] == "too_few"
    effects = {e["code"]: e for e in by_key["mentoring"]["effects"]}
    assert set(effects) <= {"onet_mean_p6", "nt_mean_p3", "onet_mean_m3"}
    assert all("units" not in e for e in by_key["mentoring"]["effects"])  # no per-ESA slopes
    assert sum(t["size"] for t in body["topics"]) == 5


def test_practice_detail_evidence_respects_scope(world: World, lw: LessonsWorld, client_as: Client) -> None:
    f = PracticeFinding.objects.get(run=lw.run, key="mentoring")
    national = client_as("executive").get(f"{API}/practices/{f.pk}/").json()
    scoped = client_as("esa_officer_a1").get(f"{API}/practices/{f.pk}/").json()
    assert {e["doc_id"] for e in national["evidence"]} == {lw.docs["a1"].pk, lw.docs["b1"].pk}
    by_doc = {e["doc_id"]: e for e in scoped["evidence"]}
    assert set(by_doc) == {lw.docs["a1"].pk, lw.docs["b1"].pk}
    assert by_doc[lw.docs["b1"].pk]["masked"] is True
    assert "บ้านแม่ริม" not in by_doc[lw.docs["b1"].pk]["text"]
    assert by_doc[lw.docs["a1"].pk]["masked"] is False


def test_similar_by_text_and_by_doc(world: World, lw: LessonsWorld, client_as: Client) -> None:
    c = client_as("executive")
    r = c.get(f"{API}/similar/", {"q": "ครูพี่เลี้ยงจับคู่กับครูบรรจุใหม่ สังเกตการสอน"})
    assert r.status_code == 200, r.content
    hits = r.json()["hits"]
    assert r.json()["vector_kind"] == "tfidf-hash"
    assert r.json()["query_kind"] == "text"
    order = [h["doc_id"] for h in hits]
    assert set(order[:2]) == {lw.docs["a1"].pk, lw.docs["b1"].pk}
    assert lw.docs["b1_budget"].pk not in order  # one text per ESA: its best
    assert len(order) == 3  # ESAs a1, a2 and b1
    assert hits[0]["practices"][0]["key"] == "mentoring"
    assert hits[0]["changes_visible"] is True
    by_doc = c.get(f"{API}/similar/", {"doc": lw.docs["a1"].pk}).json()
    ids = [h["doc_id"] for h in by_doc["hits"]]
    assert ids[0] == lw.docs["b1"].pk
    assert lw.docs["a1"].pk not in ids
    assert by_doc["query_doc"] == lw.docs["a1"].pk


def test_scoped_similar_hides_unapproved_other_esa_texts_and_their_changes(
    world: World, lw: LessonsWorld, client_as: Client
) -> None:
    hits = client_as("esa_officer_a1").get(f"{API}/similar/", {"q": "โครงการพาน้องกลับมาเรียน"}).json()["hits"]
    ids = {h["doc_id"] for h in hits}
    assert lw.docs["b1_submitted"].pk not in ids
    assert lw.docs["a1"].pk not in ids
    b1 = next(h for h in hits if h["excerpt"]["esa_id"] == world.esa_b1.pk)
    assert b1["changes_visible"] is False
    assert b1["changes"] == []


@pytest.mark.parametrize(
    ("params", "field", "en"),
    [
        ({"q": ""}, "q", "Type a text to search for (q)"),
        ({"q": "ก" * 2001}, "q", None),
        ({"doc": "x"}, "doc", None),
        ({"round": "0", "q": "ครู"}, "round", None),
        ({"q": "ครู", "doc": "5"}, "q", "not both"),
    ],
)
def test_bad_input_names_the_field(
    world: World, lw: LessonsWorld, client_as: Client, params: dict[str, str], field: str, en: str | None
) -> None:
    r = client_as("executive", language="en").get(f"{API}/similar/", params)
    assert r.status_code == 400, r.content
    errors = r.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert errors[0]["message_th"]
    assert errors[0]["message_en"] != errors[0]["message_th"]
    if en:
        assert en in errors[0]["message_en"]


def test_authorization(world: World, lw: LessonsWorld, client_as: Client) -> None:
    f = PracticeFinding.objects.get(run=lw.run, key="mentoring")
    urls = [f"{API}/lessons/", f"{API}/practices/{f.pk}/", f"{API}/similar/?q=ครู"]
    for url in urls:
        assert client_as(None).get(url).status_code in (401, 403)
        for persona in ("nobody", "teacher_a1_1", "director_a1_1"):
            assert client_as(persona).get(url).status_code == 403
        for persona in ("executive", "inspector_r1", "esa_officer_b1"):
            assert client_as(persona).get(url).status_code == 200
    assert client_as("executive").get(f"{API}/practices/999999/").status_code == 404


def test_esa_b_unapproved_doc_is_404_for_esa_a(world: World, client_as: Client) -> None:
    doc = b_doc(world)
    for persona in ("esa_officer_a1", "esa_director_a1", "inspector_r1"):
        assert client_as(persona).get(f"{API}/similar/", {"doc": doc}).status_code == 404
    assert client_as("esa_officer_b1").get(f"{API}/similar/", {"doc": doc}).status_code == 200
