"""Cockpit comparison page: exact figures side by side, scope by role, bilingual 400s, Excel, queries.

Given the test world's hand-built figures (``objects_cockpit.cockpit_world``: dropout rate of the
nation 1.5, regions 1.5, ESA A1 1.2, A2 2.1, B1 1.9; O-NET P6 of the nation 41.0 and of every
school 38.5, school A1-1's behind 3 takers) — when a reader compares units — then they see exactly
those numbers, with the aggregates above the units as reference lines, and never a unit outside
their scope.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from suksa.core.models import OrgUnit
from suksa.core.policy import Role
from suksa.domains.cockpit.models import Figure, Level
from suksa.domains.cockpit.tests.conftest import cockpit_tiny  # noqa: F401  (the slow end-to-end fixture)
from suksa.domains.cockpit.tests.objects_cockpit import cockpit_world, make_figure
from suksa.domains.insights.models import InsightRun
from suksa.domains.monitoring.models import Indicator
from tests.factories import World, make_esa, make_school, make_user

pytestmark = pytest.mark.django_db

URL = "/cockpit/compare/"


def client_for(world: World, name: str) -> Client:
    c = Client()
    c.force_login(world.user(name))
    return c


def ids(*units: OrgUnit) -> str:
    return ",".join(str(u.pk) for u in units)


@pytest.fixture
def run(world: World) -> InsightRun:
    return cockpit_world(world)


def test_the_url_name_is_cockpit_compare() -> None:
    assert reverse("web:cockpit_compare") == URL


def test_an_executive_compares_two_esas_with_their_regions_and_the_nation(
    world: World, run: InsightRun
) -> None:
    page = client_for(world, "executive").get(URL, {"units": ids(world.esa_a1, world.esa_b1)})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="cockpit-compare"' in html
    table = page.context["compare_table"]
    assert [c.key for c in table.columns] == ["indicator", "unit", "period", "value", "change", "light"]
    assert [(r["indicator"], r["unit"], r["period"], r["value"]) for r in table.rows] == [
        ("อัตราการออกกลางคัน", "สพป.นนทบุรี เขต 1", "ปีการศึกษา 2568", 1.2),
        ("อัตราการออกกลางคัน", "สพป.เชียงใหม่ เขต 1", "ปีการศึกษา 2568", 1.9),
        ("อัตราการออกกลางคัน", "เขตตรวจราชการที่ 1 (อ้างอิง)", "ปีการศึกษา 2568", 1.5),
        ("อัตราการออกกลางคัน", "เขตตรวจราชการที่ 2 (อ้างอิง)", "ปีการศึกษา 2568", 1.5),
        ("อัตราการออกกลางคัน", "ทั้งประเทศ (อ้างอิง)", "ปีการศึกษา 2568", 1.5),
    ]
    assert [(r["change"], r["light"]) for r in table.rows[:2]] == [(-0.2, "green"), (-0.2, "red")]
    assert [u.code for u in page.context["view"].references] == ["R01", "R02", "OBEC"]
    # The context: type, region and school counts of each ESA from the school profiles.
    ctx = page.context["context_table"].rows
    assert [
        (r["unit"]["text"][:5], r["esa_type"], r["schools"], r["learners"], r["teachers"]) for r in ctx
    ] == [
        ("11201", "ประถมศึกษา", 2, 85 + 430, 16),
        ("15001", "ประถมศึกษา", 1, 60, 5),
    ]
    assert ctx[0]["ptr"] == pytest.approx(515 / 16)
    assert ctx[0]["small_share"] == pytest.approx(50.0)
    assert ctx[1]["small_share"] == pytest.approx(100.0)
    assert ctx[0]["region"] == "เขตตรวจราชการที่ 1"
    # One chart per indicator, one line per unit and reference aggregate, and its table.
    (chart,) = page.context["charts"]
    assert chart["code"] == "dropout_rate"
    assert chart["table"].rows[-1] == {
        "period": "2568",
        "s0": 1.2,
        "s1": 1.9,
        "s2": 1.5,
        "s3": 1.5,
        "s4": 1.5,
    }
    assert [c.label for c in chart["table"].columns][1:] == [
        "สพป.นนทบุรี เขต 1",
        "สพป.เชียงใหม่ เขต 1",
        "เขตตรวจราชการที่ 1",
        "เขตตรวจราชการที่ 2",
        "ทั้งประเทศ",
    ]


def test_indicators_can_be_chosen_and_keep_their_order(world: World, run: InsightRun) -> None:
    make_figure(
        run, Level.ESA, unit=world.esa_a1, parent=world.region_1, indicator="onet_mean_p6", value=39.25
    )
    page = client_for(world, "me_officer").get(
        URL,
        {
            "units": [str(world.esa_a1.pk), str(world.esa_a2.pk)],
            "indicators": ["onet_mean_p6", "dropout_rate"],
        },
    )
    assert page.status_code == 200
    rows = page.context["compare_table"].rows
    assert [r["indicator"] for r in rows[::4]] == ["คะแนนเฉลี่ย O-NET ป.6", "อัตราการออกกลางคัน"]
    # ESA A1, ESA A2 (no O-NET figure), region 1 (none either), the nation; then dropout the same way.
    assert [r["value"] for r in rows[:4]] == [39.25, None, None, 41.0]
    assert rows[5]["value"] == 2.1


def test_an_esa_director_compares_their_schools_and_small_cells_are_withheld(
    world: World, run: InsightRun
) -> None:
    page = client_for(world, "esa_director_a1").get(URL, {"units": ids(world.school_a1_1, world.school_a1_2)})
    assert page.status_code == 200
    view = page.context["view"]
    assert view.kind == "school"
    assert [u.code for u in view.references] == [world.esa_a1.code, "OBEC"]
    table = page.context["compare_table"]
    assert [(r["unit"], r["value"], r["persons"], table.is_small_row(r)) for r in table.rows] == [
        ("โรงเรียนบ้านบางกร่าง", 38.5, 3, True),  # 3 takers: withheld on screen and in the file
        ("โรงเรียนวัดท่าอิฐ", 38.5, 40, False),
        ("สพป.นนทบุรี เขต 1 (อ้างอิง)", None, None, False),
        ("ทั้งประเทศ (อ้างอิง)", 41.0, 300, False),
    ]
    shown = table.screen_rows()
    assert [c.text for c in shown[0].cells][3:] == ["ปกปิด (<5)"] * 3
    assert table.any_suppressed
    (chart,) = page.context["charts"]
    assert [s for s in chart["table"].rows if s["period"] == "2568"] == [
        {"period": "2568", "s0": 38.5, "s1": 41.0}
    ]
    html = page.content.decode()
    assert 'data-testid="withheld-note"' in html
    ctx = page.context["context_table"].rows
    assert [(r["size_band"], r["area_type"], r["learners"], r["teachers"]) for r in ctx] == [
        ("เล็ก", "ชนบท", 85, 8),
        ("กลาง", "ชนบท", 430, 8),
    ]


@pytest.mark.parametrize(
    ("user", "status"),
    [("executive", 200), ("me_officer", 200), ("inspector_r1", 404), ("esa_director_a1", 404),
     ("esa_officer_a1", 404), ("esa_officer_b1", 404), ("director_a1_1", 403), ("nobody", 403)],
)  # fmt: skip
def test_comparing_esa_a_with_esa_b_by_role(world: World, run: InsightRun, user: str, status: int) -> None:
    page = client_for(world, user).get(URL, {"units": ids(world.esa_a1, world.esa_b1)})
    assert page.status_code == status
    if status == 404:
        assert world.esa_b1.name_th not in page.content.decode()


@pytest.mark.parametrize(
    ("user", "status"),
    [("executive", 200), ("inspector_r1", 200), ("esa_director_a1", 200), ("esa_officer_b1", 404)],
)  # fmt: skip
def test_comparing_two_schools_of_esa_a_by_role(
    world: World, run: InsightRun, user: str, status: int
) -> None:
    page = client_for(world, user).get(URL, {"units": ids(world.school_a1_1, world.school_a1_2)})
    assert page.status_code == status


def test_another_esas_school_or_an_unknown_id_is_404(world: World, run: InsightRun) -> None:
    c = client_for(world, "esa_director_a1")
    assert c.get(URL, {"units": ids(world.school_a1_2, world.school_b1_1)}).status_code == 404
    assert c.get(URL, {"units": f"{world.school_a1_2.pk},987654321"}).status_code == 404
    assert c.get(URL, {"esa": world.esa_b1.pk}).status_code == 404


def indicator_codes(n: int) -> list[str]:
    return list(Indicator.objects.filter(is_current=True).order_by("code").values_list("code", flat=True)[:n])


@pytest.mark.parametrize(
    ("params", "field", "th", "en"),
    [
        ({"units": "abc,3"}, "units", "“abc” ไม่ใช่รหัสหน่วยงาน", "“abc” is not a unit id"),
        ({"units": "0,3"}, "units", "“0” ไม่ใช่รหัสหน่วยงาน", "“0” is not a unit id"),
        (
            {"units": "5"},
            "units",
            "(units) 2–6 แห่ง (เลือกไว้ 1 แห่ง)",
            "Choose 2–6 units to compare (units); 1 chosen",
        ),
        ({"units": "1,2,3,4,5,6,7"}, "units", "(เลือกไว้ 7 แห่ง)", "7 chosen"),
        (
            {"units": "x", "indicators": "nope"},
            "indicators",
            "ไม่มีรหัส nope ในแค็ตตาล็อก",
            "no catalogue code nope",
        ),
        ({"round": "-1"}, "round", "ค่ารอบการรายงาน (round) ไม่ถูกต้อง", "Invalid round (round)"),
    ],
)
def test_bad_parameters_are_bilingual_400s_naming_the_field(
    world: World, run: InsightRun, params: dict[str, str], field: str, th: str, en: str
) -> None:
    c = client_for(world, "executive")
    page = c.get(URL, params)
    assert page.status_code == 400
    html = page.content.decode()
    assert f'data-field="{field}"' in html
    assert th in html
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = c.get(URL, params)
    assert english.status_code == 400
    assert en in english.content.decode()


def test_mixed_kinds_and_too_many_indicators_are_400s(world: World, run: InsightRun) -> None:
    c = client_for(world, "executive")
    mixed = c.get(URL, {"units": ids(world.esa_a1, world.school_a1_1)})
    assert mixed.status_code == 400
    assert "ต้องเป็นประเภทเดียวกัน" in mixed.content.decode()
    region = c.get(URL, {"units": ids(world.region_1, world.region_2)})
    assert region.status_code == 400
    nine = c.get(URL, {"units": ids(world.esa_a1, world.esa_b1), "indicators": ",".join(indicator_codes(9))})
    assert nine.status_code == 400
    assert "ได้ไม่เกิน 8 ตัว (เลือกไว้ 9 ตัว)" in nine.content.decode()


def test_the_picker_offers_only_what_the_actor_sees(world: World, run: InsightRun) -> None:
    national = client_for(world, "executive").get(URL)
    assert national.status_code == 200
    html = national.content.decode()
    for esa in (world.esa_a1, world.esa_a2, world.esa_b1):
        assert f'<option value="{esa.pk}"' in html
    assert 'name="indicators" value="dropout_rate"' in html
    mine = client_for(world, "esa_director_a1").get(URL).content.decode()
    assert 'data-testid="one-esa"' in mine  # one ESA: nothing to compare it with
    assert f'<option value="{world.school_a1_1.pk}"' in mine  # its schools are listed at once
    assert f'<option value="{world.esa_b1.pk}"' not in mine
    assert world.school_b1_1.name_th not in mine
    schools = client_for(world, "executive").get(URL, {"esa": world.esa_b1.pk}).content.decode()
    assert f'<option value="{world.school_b1_1.pk}"' in schools
    assert f'<option value="{world.school_a1_1.pk}"' not in schools


def rows_of(content: bytes) -> list[list[Any]]:
    ws = load_workbook(io.BytesIO(content)).active
    assert ws is not None
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_tables_download_as_excel(world: World, run: InsightRun) -> None:
    c = client_for(world, "executive")
    params = {"units": ids(world.esa_a1, world.esa_b1)}
    book = c.get(URL, {**params, "format": "xlsx", "table": "compare"})
    assert book.status_code == 200
    assert book["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = rows_of(book.content)
    heading = next(i for i, r in enumerate(rows) if r[0] == "ตัวชี้วัด / Indicator")
    assert rows[heading + 1] == ["อัตราการออกกลางคัน", "สพป.นนทบุรี เขต 1", "ปีการศึกษา 2568", 1.2, -0.2,
                                 "● บรรลุเป้าหมาย / On target"]  # fmt: skip
    assert rows[heading + 2] == ["อัตราการออกกลางคัน", "สพป.เชียงใหม่ เขต 1", "ปีการศึกษา 2568", 1.9, -0.2,
                                 "○ ต่ำกว่าเป้าหมาย / Off target"]  # fmt: skip
    assert [r[3] for r in rows[heading + 3 : heading + 6]] == [1.5, 1.5, 1.5]
    context = rows_of(c.get(URL, {**params, "format": "xlsx", "table": "context"}).content)
    heading = next(i for i, r in enumerate(context) if r[0] == "หน่วยงาน / Unit")
    assert context[heading + 1][3:6] == [2, 515, 16]
    trend = rows_of(c.get(URL, {**params, "format": "xlsx", "table": "trend-dropout_rate"}).content)
    assert trend[-1] == ["2568", 1.2, 1.9, 1.5, 1.5, 1.5]
    bad = c.get(URL, {**params, "format": "xlsx", "table": "nope"})
    assert bad.status_code == 400


def test_an_export_keeps_the_small_cell_withheld(world: World, run: InsightRun) -> None:
    book = client_for(world, "esa_director_a1").get(
        URL, {"units": ids(world.school_a1_1, world.school_a1_2), "format": "xlsx", "table": "compare"}
    )
    rows = rows_of(book.content)
    heading = next(i for i, r in enumerate(rows) if r[0] == "ตัวชี้วัด / Indicator")
    withheld = "ปกปิด (<5) / suppressed (<5)"
    assert rows[heading + 1] == ["คะแนนเฉลี่ย O-NET ป.6", "โรงเรียนบ้านบางกร่าง", "ปีการศึกษา 2568",
                                 withheld, withheld, withheld]  # fmt: skip
    assert rows[heading + 2] == ["คะแนนเฉลี่ย O-NET ป.6", "โรงเรียนวัดท่าอิฐ", "ปีการศึกษา 2568", 38.5, 1.5,
                                 "◐ ใกล้เป้าหมาย / Near target"]  # fmt: skip
    assert any("น้อยกว่า 5 คน" in str(r[1]) for r in rows[:heading])


def test_queries_do_not_grow_with_the_units_compared(world: World, run: InsightRun) -> None:
    more = []
    for i in range(4):
        region = world.region_1 if i % 2 else world.region_2
        esa = make_esa(f"1600{i}", f"สพป.ทดสอบ {i}", region, "primary", "50", i + 2)
        make_school(f"10500009{i:02d}", f"โรงเรียนทดสอบ {i}", esa)
        make_figure(run, Level.ESA, unit=esa, parent=region, value=1.0 + i / 10)
        more.append(esa)
    c = client_for(world, "executive")
    c.get(URL, {"units": ids(world.esa_a1, world.esa_b1)})
    counts = []
    for units in ((world.esa_a1, world.esa_b1), (world.esa_a1, world.esa_b1, *more)):
        with CaptureQueriesContext(connection) as queries:
            page = c.get(URL, {"units": ids(*units)})
        assert page.status_code == 200
        counts.append(len(queries))
    assert page.context["compare_table"].rows[5]["value"] == 1.3  # the sixth unit's row
    assert counts[0] == counts[1]
    assert counts[1] <= 16


@pytest.mark.slow
def test_end_to_end_on_the_tiny_demo(cockpit_tiny: Any) -> None:  # noqa: F811
    nation = OrgUnit.objects.get(kind="nation")
    user = make_user("cockpit_exec", Role.NATIONAL_EXECUTIVE, nation)
    c = Client()
    c.force_login(user)
    esas = list(
        Figure.objects.filter(
            run=cockpit_tiny.run, level=Level.ESA, indicator__in=cockpit_tiny.summary.key_indicators
        )
        .order_by("unit__code")
        .values_list("unit_id", flat=True)
        .distinct()[:3]
    )
    page = c.get(URL, {"units": ",".join(map(str, esas)), "round": cockpit_tiny.round.pk})
    assert page.status_code == 200
    view = page.context["view"]
    assert len(view.codes) >= 1
    rows = iter(page.context["compare_table"].rows)
    for code in view.codes:
        for esa_id in [*esas, *(r.pk for r in view.references)]:
            f = Figure.objects.filter(run=cockpit_tiny.run, unit_id=esa_id, indicator=code).first()
            assert next(rows)["value"] == (f.value if f is not None else None)
    assert len(page.context["charts"]) == len(view.codes)
