"""Cockpit case gallery: a card per shortlisted case with its evidence, by scope; table and Excel.

Given the current run of a round with the test world's figures (``objects_cockpit``) and two picks —
ESA B1 first (no evidence rows) and ESA A1 second (a supported work, a strength, a linked practice,
a positive-deviant school, a published brief) — each reader sees the cards of the picks in their
scope with exactly that evidence, and never another ESA's card.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from suksa.core.models import OrgUnit
from suksa.core.policy import Role
from suksa.domains.cockpit.tests.conftest import cockpit_tiny  # noqa: F401  (the slow end-to-end fixture)
from suksa.domains.cockpit.tests.objects_cockpit import cockpit_world, make_figure
from suksa.domains.insights.models import Brief, CaseStudyPick, InsightRun, PracticeFinding
from suksa.domains.insights.models.choices import BriefStatus
from suksa.domains.insights.tests.objects_cases import check_of, pick_of, report_with_work
from suksa.domains.insights.tests.objects_schools import any_round, current_run
from suksa.domains.insights.tests.objects_strengths import make_strength
from tests.factories import World, make_esa, make_user

pytestmark = pytest.mark.django_db

URL = "/cockpit/cases/"


def client_for(world: World, name: str) -> Client:
    c = Client()
    c.force_login(world.user(name))
    return c


def rich_pick(run: InsightRun, world: World) -> CaseStudyPick:
    """ESA A1's pick (rank 2) with a row of every kind of evidence."""
    work = report_with_work(run.round, world.esa_a1, codes=["dropout_rate"], title="งานของ A")
    check_of(run, work, world.esa_a1)
    strength = make_strength(run, world.esa_a1, domain="learning", score=1.2, verdict="strong")
    PracticeFinding.objects.create(
        run=run, key="student_care", name_th="ระบบดูแลช่วยเหลือนักเรียน", name_en="Student care and support system",
        esa_count=3, mention_count=5, verdict="linked",
        sentence_th="เขตที่ใช้ระบบดูแลช่วยเหลือนักเรียนมีอัตราออกกลางคันลดลงเร็วกว่า",
        sentence_en="ESAs using student care saw dropout fall faster",
    )  # fmt: skip
    return CaseStudyPick.objects.create(
        run=run, esa=world.esa_a1, rank=2, score=4.25, theme="student_care",
        reason_th="มีโรงเรียนต้นแบบ 1 โรง; เข้มแข็งด้านผลสัมฤทธิ์ทางการเรียน",
        reason_en="1 positive-deviant school(s); strong in learning outcomes",
        evidence={"deviant_schools": [{"school": world.school_a1_2.code, "deviance_id": 7}],
                  "strengths": [{"domain": "learning", "strength_id": strength.pk}],
                  "supported_works": [work.pk], "docs": []},
    )  # fmt: skip


@pytest.fixture
def picks(world: World) -> dict[str, CaseStudyPick]:
    run = cockpit_world(world)
    b = pick_of(run, world.esa_b1, 1)
    a = rich_pick(run, world)
    Brief.objects.create(
        round=run.round, unit=world.esa_a1, topic="learning", title_th="ข้อเสนอของเขต ก", title_en="ESA A brief",
        status=BriefStatus.PUBLISHED, published_at=timezone.now(),
    )  # fmt: skip
    return {"a": a, "b": b}


def test_the_url_name_is_cockpit_cases() -> None:
    assert reverse("web:cockpit_cases") == URL


def test_an_executive_sees_every_card_in_rank_order_with_its_evidence(
    world: World, picks: dict[str, CaseStudyPick]
) -> None:
    page = client_for(world, "executive").get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="case-gallery"' in html
    a, b = picks["a"], picks["b"]
    assert html.index(f'data-testid="case-{b.pk}"') < html.index(f'data-testid="case-{a.pk}"')
    card = html[html.index(f'data-testid="case-{a.pk}"') :]
    assert "มีโรงเรียนต้นแบบ 1 โรง; เข้มแข็งด้านผลสัมฤทธิ์ทางการเรียน" in card
    assert 'data-verdict="supported"' in card
    assert "ผลงาน &quot;งานของ A&quot;: มีข้อมูลสนับสนุน" in card
    assert f"{world.esa_a1.code} ด้านlearning คะแนน +1.2" in card  # the strength's sentence
    assert "เขตที่ใช้ระบบดูแลช่วยเหลือนักเรียนมีอัตราออกกลางคันลดลงเร็วกว่า" in card
    assert "ประเด็น: <strong>ระบบดูแลช่วยเหลือนักเรียน</strong>" in card
    assert f"{world.school_a1_2.code} {world.school_a1_2.name_th}" in card
    # The ESA's key numbers: value, period, change and where it is stored.
    (number,) = page.context["cards"][1]["numbers"]
    assert number == {
        "code": "dropout_rate", "label": "อัตราการออกกลางคัน", "value": "1.20%", "change": "-0.20",
        "light": "● บรรลุเป้าหมาย", "light_key": "green", "period": "ปีการศึกษา 2568",
        "source": "ทะเบียนนักเรียนในระบบ (คำนวณ) ปีการศึกษา 2568 · core.IndicatorValue #1",
    }  # fmt: skip
    # Links: the insights pages, the briefs and the ESA's brief.
    assert f'href="/insights/work-checks/?round={a.run.round_id}&amp;esa={world.esa_a1.pk}"' in card
    assert f'href="/insights/cases/?round={a.run.round_id}"' in card
    brief = Brief.objects.get(unit=world.esa_a1)
    assert f'href="{reverse("web:brief", args=[brief.pk])}" data-testid="esa-brief-link"' in card
    assert f'href="{reverse("web:briefs")}?round={a.run.round_id}" data-testid="briefs-link"' in html
    assert 'data-testid="latest-brief-link"' in html
    assert 'data-testid="scoped-note"' not in html


@pytest.mark.parametrize(
    ("user", "sees_a", "sees_b"),
    [("executive", True, True), ("me_officer", True, True), ("inspector_r1", True, False),
     ("esa_director_a1", True, False), ("esa_officer_a1", True, False), ("esa_officer_b1", False, True)],
)  # fmt: skip
def test_cards_by_scope(
    world: World, picks: dict[str, CaseStudyPick], user: str, sees_a: bool, sees_b: bool
) -> None:
    page = client_for(world, user).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert (f'data-testid="case-{picks["a"].pk}"' in html) is sees_a
    assert (f'data-testid="case-{picks["b"].pk}"' in html) is sees_b
    if not sees_b:
        assert world.esa_b1.name_th not in html
        assert f'data-esa="{world.esa_b1.code}"' not in html
    if not sees_a:
        assert world.esa_a1.name_th not in html
        assert "ข้อเสนอของเขต ก" not in html  # nor A's brief
    assert page.context["view"].total == 2


@pytest.mark.parametrize(("user", "status"), [("director_a1_1", 403), ("nobody", 403), ("reviewer", 403)])
def test_readers_without_insights_are_refused(
    world: World, picks: dict[str, CaseStudyPick], user: str, status: int
) -> None:
    assert client_for(world, user).get(URL).status_code == status


def test_a_bad_or_unknown_round(world: World, picks: dict[str, CaseStudyPick]) -> None:
    c = client_for(world, "executive")
    bad = c.get(URL, {"round": "abc"})
    assert bad.status_code == 400
    assert "ค่ารอบการรายงาน (round) ไม่ถูกต้อง" in bad.content.decode()
    assert 'data-field="round"' in bad.content.decode()
    assert c.get(URL, {"round": "987654321"}).status_code == 404


def test_empty_states_are_explained(world: World) -> None:
    rnd = any_round()
    c = client_for(world, "executive")
    no_run = c.get(URL).content.decode()
    assert 'data-testid="no-run"' in no_run
    current_run(rnd)
    national = c.get(URL).content.decode()
    assert 'data-testid="case-gallery-empty"' in national
    assert "ไม่มีเขตพื้นที่เป้าหมายใดได้คะแนนกรณีศึกษาในรอบนี้" in national
    pick_of(current_run(rnd), world.esa_b1, 1)
    scoped = client_for(world, "esa_director_a1").get(URL).content.decode()
    assert "ไม่มีกรณีศึกษาในความรับผิดชอบของท่านในรอบนี้" in scoped
    assert 'data-testid="total">1<' in scoped


def test_the_shortlist_downloads_as_excel_in_scope(world: World, picks: dict[str, CaseStudyPick]) -> None:
    book = client_for(world, "executive").get(URL, {"format": "xlsx", "table": "cases"})
    assert book.status_code == 200
    ws = load_workbook(io.BytesIO(book.content)).active
    assert ws is not None
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    heading = next(i for i, r in enumerate(rows) if r[0] == "ลำดับ / Rank")
    assert rows[heading + 1][:3] == [1, f"{world.esa_b1.code} {world.esa_b1.name_th}", 4.0]
    assert rows[heading + 2] == [
        2, f"{world.esa_a1.code} {world.esa_a1.name_th}", 4.25, "ระบบดูแลช่วยเหลือนักเรียน",
        "มีโรงเรียนต้นแบบ 1 โรง; เข้มแข็งด้านผลสัมฤทธิ์ทางการเรียน", 1, 1, 1, "ปกติ",
    ]  # fmt: skip
    mine = client_for(world, "esa_director_a1").get(URL, {"format": "xlsx", "table": "cases"})
    ws = load_workbook(io.BytesIO(mine.content)).active
    assert ws is not None
    text = " ".join(str(v) for r in ws.iter_rows(values_only=True) for v in r if v is not None)
    assert world.esa_a1.code in text
    assert world.esa_b1.code not in text
    assert client_for(world, "executive").get(URL, {"format": "pdf", "table": "cases"}).status_code == 400


def test_queries_do_not_grow_with_the_picks(world: World, picks: dict[str, CaseStudyPick]) -> None:
    c = client_for(world, "executive")
    c.get(URL)
    with CaptureQueriesContext(connection) as few:
        c.get(URL)
    run = picks["a"].run
    for i in range(6):
        esa = make_esa(f"1600{i}", f"สพป.ทดสอบ {i}", world.region_2, "primary", "50", i + 2)
        make_figure(run, "esa", unit=esa, parent=world.region_2, value=1.0)
        check_of(run, report_with_work(run.round, esa, codes=["dropout_rate"]), esa)
        pick_of(run, esa, 3 + i)
    with CaptureQueriesContext(connection) as many:
        page = c.get(URL)
    assert page.content.decode().count('data-testid="case-') == 8 + 1  # 8 cards + the gallery
    assert len(many) == len(few)
    assert len(many) <= 20


@pytest.mark.slow
def test_end_to_end_on_the_tiny_demo(cockpit_tiny: Any) -> None:  # noqa: F811
    nation = OrgUnit.objects.get(kind="nation")
    user = make_user("cockpit_exec", Role.NATIONAL_EXECUTIVE, nation)
    c = Client()
    c.force_login(user)
    page = c.get(URL, {"round": cockpit_tiny.round.pk})
    assert page.status_code == 200
    picks = list(CaseStudyPick.objects.filter(run=cockpit_tiny.run).order_by("rank"))
    html = page.content.decode()
    positions = [html.index(f'data-testid="case-{p.pk}"') for p in picks]
    assert positions == sorted(positions)
    assert [c["c"].pick.pk for c in page.context["cards"]] == [p.pk for p in picks]
    if not picks:
        assert 'data-testid="case-gallery-empty"' in html
