"""Participatory drafting over REST: each endpoint's authorization matrix, bilingual 400s naming the
field, and the flow comment → amend → decide → endorse with per-version endorsements."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from suksa.core.models import AuditEntry
from suksa.domains.insights.models import Brief, BriefAmendment, BriefComment, BriefVersion, Endorsement
from suksa.domains.insights.models.choices import AmendmentStatus, BriefStatus
from suksa.domains.insights.tests.objects_drafting import (
    REC_1_TH,
    b_amendment_id,
    b_brief_id,
    invite,
    make_brief,
)
from tests.factories import World

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]
API = "/api/v1/insights"


def national_brief(world: World, status: str = BriefStatus.CONSULTATION) -> Brief:
    """A national brief with ESA A's officer and director invited (not the executive)."""
    brief = make_brief(world.nation, status=status)
    invite(brief, world.user("esa_officer_a1"), world.user("esa_director_a1"))
    return brief


def snapshot() -> tuple[int, ...]:
    return (
        BriefComment.objects.count(),
        BriefAmendment.objects.filter(status=AmendmentStatus.PROPOSED).count(),
        BriefVersion.objects.count(),
        Endorsement.objects.count(),
        AuditEntry.objects.count(),
    )


def check(client: APIClient, method: str, url: str, body: Any, expected: int) -> Any:
    before = snapshot()
    response = (
        getattr(client, method)(url, body, format="json")
        if body is not None
        else getattr(client, method)(url)
    )
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert snapshot() == before
        errors = response.json()["errors"]
        assert errors[0]["message_th"]
        assert errors[0]["message_en"]
    return response


# Who reaches a consultation brief on the nation with ESA A's officer and director invited.
READ = [
    (None, 401),
    ("nobody", 403),  # no brief.view anywhere
    ("director_a1_1", 403),
    ("esa_officer_b1", 404),  # not invited
    ("executive", 404),  # not invited
    ("esa_officer_a1", 200),
    ("me_officer", 200),
]


@pytest.mark.parametrize(("persona", "expected"), READ)
@pytest.mark.parametrize("collection", ["comments", "amendments", "endorsements"])
def test_read_matrix(
    world: World, client_as: Client, persona: str | None, expected: int, collection: str
) -> None:
    brief = national_brief(world)
    check(client_as(persona), "get", f"{API}/briefs/{brief.pk}/{collection}/", None, expected)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [*READ[:5], ("esa_officer_a1", 201), ("me_officer", 201)],
)
def test_comment_matrix(world: World, client_as: Client, persona: str | None, expected: int) -> None:
    brief = national_brief(world)
    response = check(
        client_as(persona),
        "post",
        f"{API}/briefs/{brief.pk}/comments/",
        {"text": "ดี", "recommendation_key": "r1"},
        expected,
    )
    if expected == 201:
        body = response.json()
        assert (body["version"], body["recommendation_key"], body["text"]) == (1, "r1", "ดี")


@pytest.mark.parametrize(
    ("persona", "expected"),
    [*READ[:5], ("esa_officer_a1", 201), ("me_officer", 403)],  # writers do not endorse their own text
)
def test_endorse_matrix(world: World, client_as: Client, persona: str | None, expected: int) -> None:
    brief = national_brief(world)
    check(
        client_as(persona),
        "post",
        f"{API}/briefs/{brief.pk}/endorsements/",
        {"recommendation_key": "r1"},
        expected,
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [*READ[:5], ("esa_officer_a1", 403), ("esa_director_a1", 403), ("me_officer", 200)],
)
def test_decide_matrix(world: World, client_as: Client, persona: str | None, expected: int) -> None:
    brief = national_brief(world)
    amendment = BriefAmendment.objects.create(
        brief=brief, version=brief.versions.get(), recommendation_key="r2", text_th="ถ้อยคำใหม่",
        author=world.user("esa_officer_a1"),
    )  # fmt: skip
    response = check(
        client_as(persona),
        "post",
        f"{API}/amendments/{amendment.pk}/decide/",
        {"decision": "accept"},
        expected,
    )
    if expected == 200:
        assert response.json()["status"] == "accepted"
        assert response.json()["resulting_version"] == 2


def test_esa_a_cannot_reach_esa_b_objects(world: World, client_as: Client) -> None:
    brief_b, amendment_b = b_brief_id(world), b_amendment_id(world)
    for persona in ("esa_officer_a1", "esa_director_a1"):
        client = client_as(persona)
        for collection in ("comments", "amendments", "endorsements"):
            check(client, "get", f"{API}/briefs/{brief_b}/{collection}/", None, 404)
        check(client, "post", f"{API}/briefs/{brief_b}/comments/", {"text": "x"}, 404)
        check(
            client,
            "post",
            f"{API}/briefs/{brief_b}/amendments/",
            {"recommendation_key": "r1", "text_th": "x"},
            404,
        )
        check(client, "post", f"{API}/briefs/{brief_b}/endorsements/", {"recommendation_key": "r1"}, 404)
        check(client, "delete", f"{API}/briefs/{brief_b}/endorsements/?recommendation_key=r1", None, 404)
        check(client, "post", f"{API}/amendments/{amendment_b}/decide/", {"decision": "accept"}, 404)
    # ESA B's invited officer reads them.
    assert client_as("esa_officer_b1").get(f"{API}/briefs/{brief_b}/amendments/").json()["count"] == 1


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"text": "   "}, "text", "blank"),
        ({"text": "ก" * 4001}, "text", "max_length"),
        ({}, "text", "required"),
        ({"text": "ดี", "recommendation_key": "r9"}, "recommendation_key", "unknown_recommendation"),
    ],
)
def test_bad_comments_are_400_naming_the_field(
    world: World, client_as: Client, body: dict[str, Any], field: str, code: str
) -> None:
    brief = national_brief(world)
    response = check(client_as("esa_officer_a1"), "post", f"{API}/briefs/{brief.pk}/comments/", body, 400)
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == (field, code)
    assert error["message_th"] != error["message_en"]


def test_an_invented_number_is_400_naming_it(world: World, client_as: Client) -> None:
    brief = national_brief(world)
    response = check(
        client_as("esa_officer_a1"), "post", f"{API}/briefs/{brief.pk}/amendments/",
        {"recommendation_key": "r1", "text_th": "ขยายผลไปยังโรงเรียน 450 แห่ง"}, 400,
    )  # fmt: skip
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == ("text_th", "untraceable_number")
    assert "450" in error["message_th"]
    assert "450" in error["message_en"]


def test_no_comment_on_a_published_brief(world: World, client_as: Client) -> None:
    brief = national_brief(world, status=BriefStatus.PUBLISHED)
    response = check(
        client_as("esa_officer_a1"), "post", f"{API}/briefs/{brief.pk}/comments/", {"text": "ดี"}, 400
    )
    assert response.json()["errors"][0]["code"] == "brief_closed"
    # Anyone who reads published briefs of the nation reads the record (ESA B's officer too).
    assert client_as("esa_officer_b1").get(f"{API}/briefs/{brief.pk}/comments/").status_code == 200


def test_the_flow_with_per_version_endorsements(world: World, client_as: Client) -> None:
    brief = national_brief(world)
    officer, director, writer = (
        client_as("esa_officer_a1"),
        client_as("esa_director_a1"),
        client_as("me_officer"),
    )
    url = f"{API}/briefs/{brief.pk}"
    check(director, "post", f"{url}/endorsements/", {"recommendation_key": "r1"}, 201)
    dup = check(director, "post", f"{url}/endorsements/", {"recommendation_key": "r1"}, 400)
    assert dup.json()["errors"][0]["code"] == "already_endorsed"
    proposed = check(
        officer, "post", f"{url}/amendments/",
        {"recommendation_key": "r1", "text_th": REC_1_TH + " ภายในปีงบประมาณถัดไป", "reason": "ระบุเวลา"}, 201,
    ).json()  # fmt: skip
    assert (proposed["version"], proposed["status"], proposed["author"]) == (1, "proposed", "esa_officer_a1")
    rejected = check(
        writer, "post", f"{API}/amendments/{proposed['id']}/decide/", {"decision": "reject"}, 400
    )
    assert rejected.json()["errors"][0]["field"] == "note"
    decided = check(
        writer, "post", f"{API}/amendments/{proposed['id']}/decide/", {"decision": "accept"}, 200
    ).json()
    assert decided["resulting_version"] == 2
    assert decided["decided_by"] == "me_officer"
    rows = officer.get(f"{url}/endorsements/").json()["results"]
    assert [(r["version"], r["current"], r["user"]) for r in rows] == [(1, False, "esa_director_a1")]
    check(director, "post", f"{url}/endorsements/", {"recommendation_key": "r1"}, 201)  # on version 2
    check(director, "delete", f"{url}/endorsements/?recommendation_key=r1", None, 204)
    missing = check(director, "delete", f"{url}/endorsements/?recommendation_key=r1", None, 400)
    assert missing.json()["errors"][0]["code"] == "not_endorsed"
    bad = check(director, "delete", f"{url}/endorsements/", None, 400)
    assert bad.json()["errors"][0]["field"] == "recommendation_key"
    assert Endorsement.objects.filter(version__number=1).count() == 1
