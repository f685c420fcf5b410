"""Drafting pages: the drafting state page with invites, the POST forms (comment, amend, endorse,
decide) with bilingual messages, the embeddable panel, and who reaches what."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client, RequestFactory
from django.urls import reverse

from suksa.core.models import Notification
from suksa.domains.accounts.actors import actor_for
from suksa.domains.insights.models import (
    Brief,
    BriefAmendment,
    BriefComment,
    BriefParticipant,
    BriefVersion,
    Endorsement,
)
from suksa.domains.insights.models.choices import AmendmentStatus, BriefStatus
from suksa.domains.insights.tests.objects_drafting import (
    REC_1_TH,
    b_amendment_id,
    b_brief_id,
    invite,
    make_brief,
)
from suksa.interfaces.web.views.insights.drafting import drafting_panel_context
from tests.factories import World

pytestmark = pytest.mark.django_db


def client_for(world: World, name: str) -> Client:
    c = Client()
    c.force_login(world.user(name))
    return c


def national_brief(world: World, status: str = BriefStatus.CONSULTATION) -> Brief:
    brief = make_brief(world.nation, status=status)
    invite(brief, world.user("esa_officer_a1"), world.user("esa_director_a1"))
    return brief


def flashed(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("esa_officer_a1", 200),
        ("me_officer", 200),
        ("esa_officer_b1", 404),
        ("executive", 404),
        ("nobody", 404),
    ],
)
def test_drafting_page_reach(world: World, persona: str, expected: int) -> None:
    brief = national_brief(world)
    response = client_for(world, persona).get(reverse("web:brief_participants", args=[brief.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert REC_1_TH in response.content.decode()


def test_anonymous_is_sent_to_login(world: World) -> None:
    brief = national_brief(world)
    response = Client().get(reverse("web:brief_participants", args=[brief.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_writer_searches_and_invites_once(world: World) -> None:
    brief = make_brief(world.nation, status=BriefStatus.DRAFT)
    writer = client_for(world, "me_officer")
    url = reverse("web:brief_participants", args=[brief.pk])
    page = writer.get(url, {"q": "esa_officer"}).content.decode()
    assert f'value="{world.user("esa_officer_a1").pk}"' in page
    assert f'value="{world.user("esa_officer_b1").pk}"' in page  # a national brief: every ESA
    assert f'value="{world.user("director_a1_1").pk}"' not in page
    body = {
        "user_ids": [world.user("esa_officer_b1").pk],
        "open_consultation": "1",
        "closes_on": "31/12/2600",
    }
    response = writer.post(url, body)
    assert response.status_code == 302
    assert response["Location"] == url
    brief.refresh_from_db()
    assert brief.status == BriefStatus.CONSULTATION
    assert brief.consultation_closes_on is not None
    assert brief.consultation_closes_on.year == 2057
    writer.post(url, body)
    assert Notification.objects.filter(kind="brief.invite", user=world.user("esa_officer_b1")).count() == 1
    # A participant sees the page without the invite form; nor may they post it.
    officer_b = client_for(world, "esa_officer_b1")
    assert 'data-testid="invite-form"' not in officer_b.get(url).content.decode()
    assert officer_b.post(url, {"user_ids": [world.user("esa_officer_a1").pk]}).status_code == 403
    assert BriefParticipant.objects.filter(brief=brief).count() == 1


def test_a_bad_closing_date_is_flashed_bilingually(world: World) -> None:
    brief = make_brief(world.nation, status=BriefStatus.DRAFT)
    url = reverse("web:brief_participants", args=[brief.pk])
    response = client_for(world, "me_officer").post(
        url, {"user_ids": [world.user("esa_officer_a1").pk], "closes_on": "31/12/2026"}
    )
    [message] = flashed(response)
    assert "closes_on" in message
    assert "พ.ศ." in message
    assert "Buddhist Era" in message
    assert not BriefParticipant.objects.exists()


def test_comment_amend_decide_endorse_through_the_forms(world: World) -> None:
    brief = national_brief(world)
    officer, director, writer = (
        client_for(world, n) for n in ("esa_officer_a1", "esa_director_a1", "me_officer")
    )
    page = reverse("web:brief_participants", args=[brief.pk])

    response = officer.post(
        reverse("web:brief_comment", args=[brief.pk]), {"text": "ดีมาก", "recommendation_key": "r1"}
    )
    assert response["Location"] == page
    assert flashed(response) == ["บันทึกความคิดเห็นแล้ว"]
    empty = officer.post(reverse("web:brief_comment", args=[brief.pk]), {"text": ""})
    message = flashed(empty)[-1]
    assert "ช่อง text" in message
    assert "field text" in message
    assert BriefComment.objects.count() == 1

    invented = officer.post(
        reverse("web:brief_amend", args=[brief.pk]),
        {"recommendation_key": "r1", "text_th": "ขยายผลไปยังโรงเรียน 450 แห่ง", "next": "/insights/briefs/1/"},
    )
    assert invented["Location"] == "/insights/briefs/1/"  # back to the page that holds the panel
    assert "450" in flashed(invented)[-1]
    assert not BriefAmendment.objects.exists()
    officer.post(
        reverse("web:brief_amend", args=[brief.pk]),
        {"recommendation_key": "r1", "text_th": REC_1_TH + " โดยเร็ว"},
    )
    amendment = BriefAmendment.objects.get()

    director.post(
        reverse("web:brief_endorse", args=[brief.pk]), {"recommendation_key": "r1", "action": "endorse"}
    )
    assert Endorsement.objects.filter(version__number=1).count() == 1

    decide = reverse("web:brief_amendment_decide", args=[amendment.pk])
    assert officer.post(decide, {"decision": "accept"}).status_code == 403
    writer.post(decide, {"decision": "accept", "next": "https://evil.example/"})
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.ACCEPTED
    assert BriefVersion.objects.get(brief=brief, number=2).trace_ok

    html = director.get(page, {"diff": "r1", "from": "1", "to": "2"}).content.decode()
    assert '<ins class="bg-success-subtle"> โดยเร็ว</ins>' in html or "โดยเร็ว</ins>" in html
    assert "ในฉบับที่ 1: 1" in html  # version 1's endorsement, shown as such
    director.post(
        reverse("web:brief_endorse", args=[brief.pk]), {"recommendation_key": "r1", "action": "endorse"}
    )
    director.post(
        reverse("web:brief_endorse", args=[brief.pk]), {"recommendation_key": "r1", "action": "withdraw"}
    )
    assert Endorsement.objects.filter(version__number=2).count() == 0


def test_esa_a_cannot_reach_esa_b_pages(world: World) -> None:
    brief_b, amendment_b = b_brief_id(world), b_amendment_id(world)
    for persona in ("esa_officer_a1", "esa_director_a1"):
        c = client_for(world, persona)
        assert c.get(reverse("web:brief_participants", args=[brief_b])).status_code == 404
        for name in ("brief_comment", "brief_amend", "brief_endorse", "brief_participants"):
            assert (
                c.post(
                    reverse(f"web:{name}", args=[brief_b]), {"text": "x", "recommendation_key": "r1"}
                ).status_code
                == 404
            )
        assert (
            c.post(
                reverse("web:brief_amendment_decide", args=[amendment_b]), {"decision": "accept"}
            ).status_code
            == 404
        )
    assert not BriefComment.objects.exists()
    assert BriefAmendment.objects.get().status == AmendmentStatus.PROPOSED


def test_panel_context_for_another_page(world: World) -> None:
    brief = national_brief(world)
    request = RequestFactory().get(f"/insights/briefs/{brief.pk}/")
    request.user = world.user("esa_officer_b1")
    request.actor = actor_for(request.user)  # type: ignore[attr-defined]
    assert drafting_panel_context(request, brief) == {"drafting": None}
    request.user = world.user("esa_officer_a1")
    request.actor = actor_for(request.user)  # type: ignore[attr-defined]
    ctx = drafting_panel_context(request, brief)["drafting"]
    assert ctx["next"] == f"/insights/briefs/{brief.pk}/"
    assert [r.key for r in ctx["state"].recommendations] == ["r1", "r2"]


def test_page_queries_do_not_grow_with_contributions(
    world: World, django_assert_max_num_queries: Any
) -> None:
    brief = national_brief(world)
    for i in range(6):
        BriefComment.objects.create(
            brief=brief, version=brief.versions.get(), author=world.user("esa_officer_a1"), text=f"c{i}"
        )
    c = client_for(world, "me_officer")
    url = reverse("web:brief_participants", args=[brief.pk])
    c.get(url)
    with django_assert_max_num_queries(22):
        assert c.get(url).status_code == 200
