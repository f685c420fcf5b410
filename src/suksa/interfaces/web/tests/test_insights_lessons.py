"""Lessons pages: practices with verdicts, one practice, similar cases; who sees which texts;
authorization per endpoint and bad input."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from suksa.domains.insights.models import PracticeFinding
from suksa.domains.insights.tests.objects_lessons import LessonsWorld, b_doc, build_lessons_world
from tests.factories import World

pytestmark = pytest.mark.django_db


def client_for(world: World, name: str) -> Client:
    c = Client()
    c.force_login(world.user(name))
    return c


@pytest.fixture
def lw(world: World) -> LessonsWorld:
    return build_lessons_world(world)


def test_lessons_page_lists_practices_with_verdicts_and_topics(world: World, lw: LessonsWorld) -> None:
    page = client_for(world, "executive").get(reverse("web:insights_lessons"))
    html = page.content.decode()
    assert page.status_code == 200
    mentoring = PracticeFinding.objects.get(run=lw.run, key="mentoring")
    assert mentoring.esa_count == 2
    assert mentoring.verdict == "too_few"
    assert '<tr data-key="mentoring" data-verdict="too_few">' in html
    assert reverse("web:insights_practice", args=[mentoring.pk]) in html
    assert 'data-testid="topics"' in html


def test_lessons_page_without_a_run_says_so(world: World) -> None:
    page = client_for(world, "executive").get(reverse("web:insights_lessons"))
    assert page.status_code == 200
    assert 'data-testid="no-run"' in page.content.decode()


def test_practice_page_shows_effects_and_examples_national(world: World, lw: LessonsWorld) -> None:
    f = PracticeFinding.objects.get(run=lw.run, key="mentoring")
    html = client_for(world, "executive").get(reverse("web:insights_practice", args=[f.pk])).content.decode()
    assert 'data-testid="adopters">2<' in html
    assert f'data-doc="{lw.docs["a1"].pk}"' in html
    assert f'data-doc="{lw.docs["b1"].pk}"' in html
    assert "โรงเรียนบ้านแม่ริม" in html  # national roles see school names


def test_practice_page_for_esa_a_masks_esa_b_schools(world: World, lw: LessonsWorld) -> None:
    f = PracticeFinding.objects.get(run=lw.run, key="mentoring")
    html = (
        client_for(world, "esa_officer_a1")
        .get(reverse("web:insights_practice", args=[f.pk]))
        .content.decode()
    )
    assert f'data-doc="{lw.docs["b1"].pk}"' in html  # approved: the official record is shared
    assert "โรงเรียนบ้านแม่ริม" not in html
    assert "โรงเรียน[ชื่อโรงเรียน]" in html
    assert "โรงเรียนบ้านบางกร่าง" in html  # its own school stays named


def test_similar_by_text_ranks_the_paraphrase_first_and_hides_unapproved_texts(
    world: World, lw: LessonsWorld
) -> None:
    q = "จับคู่ครูพี่เลี้ยงกับครูบรรจุใหม่ สังเกตการสอนในชั้นเรียน"
    page = client_for(world, "esa_officer_a1").get(reverse("web:insights_similar"), {"q": q})
    html = page.content.decode()
    assert page.status_code == 200
    body = html[html.index("<tbody>") :]
    order = [lw.docs[k].pk for k in ("b1", "a2")]
    assert [body.index(f'<tr data-doc="{pk}"') for pk in order] == sorted(
        body.index(f'<tr data-doc="{pk}"') for pk in order
    )  # the mentoring paraphrase (ESA B) above the reading text (ESA A2)
    assert f'data-doc="{lw.docs["b1_budget"].pk}"' not in body  # one text per ESA: its best
    assert f'data-doc="{lw.docs["b1_submitted"].pk}"' not in body  # ESA B, not approved
    assert f'<tr data-doc="{lw.docs["a1"].pk}"' not in body  # its own ESA is not "another ESA"
    assert "เฉพาะผู้มีสิทธิ์ดูข้อมูลของเขตนี้" in body


def test_similar_by_doc_for_national(world: World, lw: LessonsWorld) -> None:
    page = client_for(world, "executive").get(reverse("web:insights_similar"), {"doc": lw.docs["a1"].pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="query-doc"' in html
    body = html[html.index("<tbody>") :]
    assert body.index(f'data-doc="{lw.docs["b1"].pk}"') < body.index(f'data-doc="{lw.docs["a2"].pk}"')
    assert f'<tr data-doc="{lw.docs["a1"].pk}"' not in body


@pytest.mark.parametrize(
    ("params", "code_th", "code_en"),
    [
        ({"q": "   "}, "กรุณาพิมพ์ข้อความที่ต้องการค้นหา (q)", "Type a text to search for (q)"),
        ({"q": "ก" * 2001}, "ยาวได้ไม่เกิน 2,000 ตัวอักษร", "at most 2,000 characters"),
        ({"doc": "abc"}, "รหัสเอกสาร (doc) ต้องเป็นจำนวนเต็มบวก", "must be a positive integer"),
        ({"q": "ครู", "doc": "1"}, "อย่างใดอย่างหนึ่ง", "not both"),
    ],
)
def test_similar_bad_input_is_a_bilingual_400(
    world: World, lw: LessonsWorld, params: dict[str, str], code_th: str, code_en: str
) -> None:
    c = client_for(world, "executive")
    th = c.get(reverse("web:insights_similar"), params, HTTP_ACCEPT_LANGUAGE="th")
    assert th.status_code == 400
    assert code_th in th.content.decode()
    c.cookies["suksa_language"] = "en"
    en = c.get(reverse("web:insights_similar"), params)
    assert en.status_code == 400
    assert code_en in en.content.decode()


def test_similar_empty_form(world: World) -> None:
    page = client_for(world, "esa_officer_a1").get(reverse("web:insights_similar"))
    assert page.status_code == 200
    assert 'name="q"' in page.content.decode()


@pytest.mark.parametrize("user", ["esa_officer_a1", "esa_director_a1", "inspector_r1"])
def test_esa_b_unapproved_doc_is_404_for_others(world: World, user: str) -> None:
    doc = b_doc(world)
    assert client_for(world, user).get(reverse("web:insights_similar"), {"doc": doc}).status_code == 404
    assert (
        client_for(world, "esa_officer_b1").get(reverse("web:insights_similar"), {"doc": doc}).status_code
        == 200
    )
    assert (
        client_for(world, "executive").get(reverse("web:insights_similar"), {"doc": doc}).status_code == 200
    )


@pytest.mark.parametrize(
    ("name", "args"),
    [("web:insights_lessons", []), ("web:insights_similar", []), ("web:insights_practice", [1])],
)
def test_authorization(world: World, name: str, args: list[int]) -> None:
    url = reverse(name, args=args)
    assert Client().get(url).status_code == 302  # to the login page
    for user in ("nobody", "teacher_a1_1", "director_a1_1"):
        assert client_for(world, user).get(url).status_code == 403


def test_unknown_practice_is_404(world: World, lw: LessonsWorld) -> None:
    assert (
        client_for(world, "executive").get(reverse("web:insights_practice", args=[999999])).status_code == 404
    )


def test_query_count_does_not_grow_with_hits(
    world: World, lw: LessonsWorld, django_assert_max_num_queries: object
) -> None:
    c = client_for(world, "executive")
    with django_assert_max_num_queries(25):  # type: ignore[operator]
        assert c.get(reverse("web:insights_similar"), {"q": "ครูพี่เลี้ยง"}).status_code == 200
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        assert c.get(reverse("web:insights_lessons")).status_code == 200
