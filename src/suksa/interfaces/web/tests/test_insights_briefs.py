"""Brief pages: list scoped by status and participation, a version with its evidence and trace,
generate and publish (writers only), the exports, and each endpoint's authorization."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from suksa.core.models import AuditEntry
from suksa.domains.insights.models import Brief, BriefParticipant, BriefVersion
from suksa.domains.insights.models.choices import BriefStatus
from suksa.domains.insights.services.briefs import new_version
from suksa.domains.insights.tests.objects_briefs import b_brief_id, b_number, run_with_results
from suksa.domains.monitoring.models import Indicator, Round
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World

pytestmark = pytest.mark.django_db


def client_for(world: World, name: str) -> Client:
    c = Client()
    c.force_login(world.user(name))
    return c


@pytest.fixture
def rnd(world: World) -> Round:
    return round_of(make_framework(2569))


def _generate(world: World, rnd: Round, topic: str = "retention") -> Brief:
    run_with_results(world, rnd)
    me = client_for(world, "me_officer")
    response = me.post(reverse("web:brief_generate"), {"round": rnd.pk, "topic": topic})
    brief = Brief.objects.get(round=rnd, topic=topic)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:brief", args=[brief.pk])
    return brief


def test_writer_generates_reads_and_publishes(world: World, rnd: Round) -> None:
    brief = _generate(world, rnd)
    me = client_for(world, "me_officer")
    page = me.get(reverse("web:brief", args=[brief.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="trace"' in html
    assert "alert-success" in html
    assert "core.IndicatorValue" in html  # each number's stored source
    assert 'data-testid="publish"' in html
    version = BriefVersion.objects.get(brief=brief)
    # The evidence names each number's indicator as the catalogue does, not by its code.
    codes = {n["indicator"] for n in version.numbers.values() if n.get("indicator")}
    names = dict(Indicator.objects.filter(is_current=True, code__in=codes).values_list("code", "name_th"))
    assert codes
    assert names  # (other "indicator" values name a domain, e.g. "flow", shown as they are)
    for code, name in names.items():
        assert f"<td>{name}</td>" in html
        assert f"<td>{code}</td>" not in html
    assert version.body["findings"][0]["text_th"] in html
    response = me.post(reverse("web:brief_publish", args=[brief.pk]), {"version": 1})
    assert response.status_code == 302
    brief.refresh_from_db()
    assert brief.status == BriefStatus.PUBLISHED
    assert brief.published_version_id == version.pk


def test_publish_refused_on_a_failed_trace_with_the_numbers_listed(world: World, rnd: Round) -> None:
    brief = Brief.objects.create(round=rnd, unit=world.nation, topic="learning", title_th="t", title_en="t")
    body = {"summary": {"th": "ครู 57 คน", "en": "57 teachers"}, "findings": [], "recommendations": []}
    new_version(brief=brief, body=body, numbers={}, actor=None)
    me = client_for(world, "me_officer")
    page = me.get(reverse("web:brief", args=[brief.pk])).content.decode()
    assert "alert-danger" in page
    assert "<strong>57</strong>" in page
    assert "disabled" in page
    response = me.post(reverse("web:brief_publish", args=[brief.pk]), {"version": 1}, follow=True)
    text = response.content.decode()
    assert "ตรวจสอบย้อนกลับไม่ได้ 2 ค่า: &#x27;57&#x27;, &#x27;57&#x27;" in text
    assert Brief.objects.get(pk=brief.pk).status == BriefStatus.DRAFT


def test_list_shows_drafts_only_to_writers_and_participants(world: World, rnd: Round) -> None:
    brief = _generate(world, rnd)
    url = reverse("web:briefs")
    assert f'data-brief="{brief.pk}"' in client_for(world, "me_officer").get(url).content.decode()
    officer = client_for(world, "esa_officer_a1")
    assert f'data-brief="{brief.pk}"' not in officer.get(url).content.decode()
    assert officer.get(reverse("web:brief", args=[brief.pk])).status_code == 404
    BriefParticipant.objects.create(brief=brief, user=world.user("esa_officer_a1"), invited_at=timezone.now())
    assert f'data-brief="{brief.pk}"' in officer.get(url).content.decode()
    assert officer.get(reverse("web:brief", args=[brief.pk])).status_code == 200


def test_esa_officer_cannot_read_an_uninvited_draft_nor_publish(world: World, rnd: Round) -> None:
    brief = _generate(world, rnd)
    officer = client_for(world, "esa_officer_a1")
    for name in ("web:brief", "web:brief_pdf", "web:brief_docx", "web:brief_xlsx"):
        assert officer.get(reverse(name, args=[brief.pk])).status_code == 404, name
    assert officer.get(reverse("web:brief_version", args=[brief.pk, 1])).status_code == 404
    assert officer.post(reverse("web:brief_publish", args=[brief.pk]), {"version": 1}).status_code == 404
    BriefParticipant.objects.create(brief=brief, user=world.user("esa_officer_a1"), invited_at=timezone.now())
    assert officer.post(reverse("web:brief_publish", args=[brief.pk]), {"version": 1}).status_code == 403
    assert (
        officer.post(reverse("web:brief_generate"), {"round": rnd.pk, "topic": "learning"}).status_code == 403
    )
    assert Brief.objects.get(pk=brief.pk).status == BriefStatus.DRAFT
    assert not Brief.objects.filter(topic="learning").exists()


def test_esa_b_objects_are_out_of_reach_of_esa_a(world: World) -> None:
    brief_id, number = b_brief_id(world), b_number(world)
    for name in ("esa_officer_a1", "esa_director_a1"):
        c = client_for(world, name)
        assert c.get(reverse("web:brief", args=[brief_id])).status_code == 404
        assert c.get(reverse("web:brief_version", args=[brief_id, number])).status_code == 404
        assert c.get(reverse("web:brief_pdf", args=[brief_id])).status_code == 404
    b = client_for(world, "esa_officer_b1")
    assert b.get(reverse("web:brief_version", args=[brief_id, number])).status_code == 200
    assert client_for(world, "director_a1_1").get(reverse("web:briefs")).status_code == 403
    assert Client().get(reverse("web:briefs")).status_code == 302  # to the sign-in page


def test_exports_download_the_version(world: World, rnd: Round) -> None:
    brief = _generate(world, rnd)
    me = client_for(world, "me_officer")
    xlsx = me.get(reverse("web:brief_xlsx", args=[brief.pk]) + "?version=1")
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"] == f'attachment; filename="brief-{brief.pk}-retention-v1.xlsx"'
    docx = me.get(reverse("web:brief_docx", args=[brief.pk]))
    assert docx.status_code == 200
    assert docx.content[:2] == b"PK"
    exported = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, object_id=str(brief.pk))
    assert sorted(e.changes["format"] for e in exported) == ["docx", "xlsx"]
    assert me.get(reverse("web:brief_xlsx", args=[brief.pk]) + "?version=9").status_code == 404
    assert me.get(reverse("web:brief_xlsx", args=[brief.pk]) + "?version=x").status_code == 404


def test_generate_names_the_bad_field(world: World, rnd: Round) -> None:
    me = client_for(world, "me_officer")
    response = me.post(reverse("web:brief_generate"), {"round": "abc", "topic": "retention"}, follow=True)
    assert "round ต้องเป็นจำนวนเต็มบวก" in response.content.decode()
    response = me.post(reverse("web:brief_generate"), {"round": rnd.pk, "topic": "poetry"}, follow=True)
    assert "Unknown topic &#x27;poetry&#x27;" in response.content.decode()


def test_list_queries_do_not_grow_with_briefs(
    world: World, rnd: Round, django_assert_max_num_queries: object
) -> None:
    for topic in ("overview", "learning", "retention", "access", "warnings"):
        Brief.objects.create(round=rnd, unit=world.nation, topic=topic, title_th=topic, title_en=topic,
                             status=BriefStatus.PUBLISHED)  # fmt: skip
    c = client_for(world, "executive")
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        page = c.get(reverse("web:briefs"))
    assert page.content.decode().count("data-brief=") == 5
