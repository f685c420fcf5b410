"""The executive overview (``/cockpit/``) and its PDF: who sees what, the exact numbers shown for
hand-built figures, alert counts and report status in scope, the Excel export of every table, the
PDF's Thai text, bad parameters, and a query count that does not grow with the data."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from suksa.core.models import EsaProfile, OrgUnit, Province
from suksa.core.tests.pdftext import needs_pdftotext, pdf_text
from suksa.domains.cockpit.models import Figure, Level, Summary
from suksa.domains.insights.models import Alert, Brief, InsightRun
from suksa.domains.insights.models.choices import BriefStatus, RunStatus
from suksa.domains.monitoring.models import Report, Round
from suksa.domains.monitoring.models.choices import ReportStatus
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World, make_unit

pytestmark = pytest.mark.django_db


@dataclass
class Board:
    round: Round
    run: InsightRun
    brief: Brief


def fig(run: InsightRun, level: str, indicator: str, value: float | None, **kw: Any) -> Figure:
    fields: dict[str, Any] = {
        "period": "2568", "previous_period": "2567", "light": "none", "arrow": "none",
        "source": {"model": "core.IndicatorValue", "id": 1, "producer": "students.indicators"},
        "persons": 1000,
    }  # fmt: skip
    fields.update(kw)
    return Figure.objects.create(run=run, level=level, indicator=indicator, value=value, **fields)


def mover(unit: OrgUnit, change: float, value: float, indicator: str = "dropout_rate") -> dict[str, Any]:
    return {"unit_id": unit.pk, "code": unit.code, "name_th": unit.name_th, "name_en": unit.name_en,
            "indicator": indicator, "value": value, "change": change, "improvement": -change, "period": "2568"}  # fmt: skip


def build(world: World) -> Board:
    """A round with a current run whose figures and summary are written by hand, alerts, reports
    and a published brief."""
    w = world
    rnd = round_of(make_framework(2569), "m12")
    run = InsightRun.objects.create(round=rnd, status=RunStatus.DONE, is_current=True)
    fig(run, Level.NATION, "dropout_rate", 1.5, unit=w.nation, previous=1.7, change=-0.2, improvement=0.2,
        target=1.6, light="green", arrow="down", significant=True, good=True, persons=4000,
        source={"model": "core.IndicatorValue", "id": 123, "producer": "students.indicators"})  # fmt: skip
    fig(run, Level.NATION, "onet_mean_p6", 41.23, unit=w.nation, previous=40.5, change=0.73, improvement=0.73,
        target=42.0, light="amber", arrow="up", significant=False, good=True, persons=300,
        source={"model": "core.IndicatorValue", "id": 77, "producer": "import:niets_onet"})  # fmt: skip
    fig(run, Level.REGION, "dropout_rate", 1.3, unit=w.region_1, parent=w.nation, previous=1.4, change=-0.1,
        target=1.6, light="green", arrow="flat")  # fmt: skip
    fig(run, Level.REGION, "dropout_rate", 1.9, unit=w.region_2, parent=w.nation, target=1.6, light="red")
    for esa, value, light in ((w.esa_a1, 1.2, "green"), (w.esa_a2, 2.1, "red"), (w.esa_b1, 1.9, "red")):
        fig(run, Level.ESA, "dropout_rate", value, unit=esa, parent=esa.parent, light=light, target=1.6)
    fig(run, Level.PROVINCE, "dropout_rate", 1.6, province=Province.objects.get(code="12"), parent=w.region_1,
        target=1.6, light="green", persons=2000,
        source={"model": "cockpit.province", "esas": [w.esa_a1.pk, w.esa_a2.pk], "coverage": 1.0})  # fmt: skip
    fig(run, Level.PROVINCE, "dropout_rate", 1.9, province=Province.objects.get(code="50"), parent=w.region_2,
        target=1.6, light="red", persons=3)  # fmt: skip
    Summary.objects.create(
        run=run,
        key_indicators=["dropout_rate", "onet_mean_p6"],
        movers={
            "dropout_rate": {
                "up": [mover(w.esa_a1, -0.4, 1.2), mover(w.esa_b1, -0.3, 1.9)],
                "down": [mover(w.esa_a2, 0.5, 2.1)],
            },
            "all": {"up": [mover(w.esa_b1, -0.3, 1.9)], "down": [mover(w.esa_a2, 0.5, 2.1)]},
        },
    )
    for unit, severity, status, kind in (
        (w.esa_a1, "high", "new", "below_target"),
        (w.esa_a1, "high", "acknowledged", "deterioration"),
        (w.esa_b1, "high", "new", "below_target"),
        (w.esa_a2, "medium", "action", "below_target"),
        (w.esa_b1, "low", "resolved", "deterioration"),
    ):
        Alert.objects.create(round=rnd, unit=unit, kind=kind, indicator="dropout_rate", severity=severity,
                             status=status, title_th="ทดสอบ", title_en="Test")  # fmt: skip
    due = timezone.make_aware(dt.datetime.combine(rnd.due_on, dt.time(16, 0)))
    Report.objects.create(round=rnd, esa=w.esa_a1, status=ReportStatus.SUBMITTED, submitted_at=due)
    Report.objects.create(
        round=rnd, esa=w.esa_a2, status=ReportStatus.APPROVED, submitted_at=due + dt.timedelta(days=3)
    )
    Report.objects.create(round=rnd, esa=w.esa_b1, status=ReportStatus.DRAFT)
    brief = Brief.objects.create(round=rnd, unit=w.nation, topic="overview", title_th="ภาพรวมการศึกษา รอบ 12 เดือน",
                                 title_en="Education overview, 12-month round", status=BriefStatus.PUBLISHED,
                                 published_at=timezone.now())  # fmt: skip
    return Board(rnd, run, brief)


@pytest.fixture
def board(world: World) -> Board:
    return build(world)


def client_for(world: World, username: str) -> Client:
    client = Client()
    client.force_login(world.user(username))
    return client


def squash(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def section(body: str, testid: str) -> str:
    start = body.index(f'data-testid="{testid}"')
    end = body.find("</section>", start)
    return body[start : end if end > 0 else None]


def kpi(body: str, code: str) -> str:
    start = body.index(f'data-testid="kpi-{code}"')
    return body[start : body.index("</article>", start)]


# --- who sees what --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "status"),
    [("executive", 200), ("me_officer", 200), ("inspector_r1", 200), ("esa_director_a1", 302),
     ("esa_officer_a1", 302), ("reviewer", 403), ("teacher_a1_1", 403), ("director_a1_1", 403),
     ("dpo", 403), ("nobody", 403)],
)  # fmt: skip
def test_overview_by_role(world: World, board: Board, username: str, status: int) -> None:
    for url in ("/cockpit/", "/cockpit/pdf/"):
        response = client_for(world, username).get(url)
        assert response.status_code == status, url


def test_anonymous_is_sent_to_login(world: World) -> None:
    for url in ("/cockpit/", "/cockpit/pdf/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/login" in response["Location"]


def test_esa_roles_are_sent_to_their_esa_keeping_round_and_indicator(world: World, board: Board) -> None:
    response = client_for(world, "esa_director_a1").get(
        f"/cockpit/?round={board.round.pk}&indicator=onet_mean_p6"
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"/cockpit/unit/{world.esa_a1.pk}/?round={board.round.pk}&indicator=onet_mean_p6"
    )
    other = client_for(world, "esa_officer_b1").get("/cockpit/")
    assert other["Location"] == f"/cockpit/unit/{world.esa_b1.pk}/"


# --- the national overview: exact numbers ---------------------------------------------------------


def test_executive_sees_the_nation_key_indicators_with_period_source_light_and_arrow(
    world: World, board: Board
) -> None:
    body = squash(client_for(world, "executive").get("/cockpit/").content.decode())
    assert (
        'data-testid="cockpit-overview" data-scope="nation" data-level="province" data-indicator="dropout_rate"'
        in body
    )
    card = kpi(body, "dropout_rate")
    assert ">1.5%</p>" in card
    assert 'title="ปีการศึกษา 2568 · ที่มา: ทะเบียนนักเรียนในระบบ (คำนวณ) ปีการศึกษา 2568"' in card
    assert "เปลี่ยนแปลง −0.2 จาก ปีการศึกษา 2567 (1.7%)" in card
    assert '<span aria-hidden="true">↓</span> ลดลงอย่างมีนัยสำคัญ · ทิศทางที่ดี' in card
    assert 'data-light="green"' in card
    assert "บรรลุเป้าหมาย · เป้าหมาย 1.6%" in card
    assert "<code>core.IndicatorValue #123</code>" in card
    onet = kpi(body, "onet_mean_p6")
    assert ">41.23 คะแนน</p>" in onet
    assert "สทศ. ผลการทดสอบ O-NET (นำเข้า) ปีการศึกษา 2568" in onet
    assert "↑</span> เพิ่มขึ้น · ทิศทางที่ดี" in onet
    assert "อย่างมีนัยสำคัญ" not in onet
    assert 'data-light="amber"' in onet
    assert "ใกล้เป้าหมาย · เป้าหมาย 42.00 คะแนน" in onet


def test_english_labels(world: World, board: Board) -> None:
    client = client_for(world, "executive")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = squash(client.get("/cockpit/").content.decode())
    card = kpi(body, "onet_mean_p6")
    assert ">41.23 points</p>" in card
    assert "NIETS O-NET results (imported), academic year 2568" in card
    assert "Near target · target 42.00 points" in card


def test_movers_alerts_status_and_brief(world: World, board: Board) -> None:
    body = squash(client_for(world, "executive").get("/cockpit/").content.decode())
    movers = section(body, "movers")
    rnd = board.round.pk
    up = movers[
        movers.index('data-testid="movers-chosen-up"') : movers.index('data-testid="movers-chosen-down"')
    ]
    assert (
        f'href="/cockpit/unit/{world.esa_a1.pk}/?round={rnd}&amp;indicator=dropout_rate">{world.esa_a1.name_th}</a> — 1.2% '
        in up
    )
    assert up.index(world.esa_a1.name_th) < up.index(world.esa_b1.name_th)
    down = movers[movers.index('data-testid="movers-chosen-down"') :]
    assert world.esa_a2.name_th in down
    assert "(+0.5, ปีการศึกษา 2568)" in down
    alerts = section(body, "alerts-by-severity")
    cells = dict(re.findall(r'data-status="(\w+)"><a href="([^"]+)"', alerts))
    assert f"/alerts/?round={rnd}&amp;severity=high&amp;status=new" in alerts
    high = alerts[alerts.index('data-severity="high"') : alerts.index('data-severity="medium"')]
    assert re.findall(r">(\d+)</a>", high) == ["2", "1", "0", "3"]  # new, acknowledged, action; all open
    assert f"/alerts/?round={rnd}&amp;severity=high&amp;status=open" in high
    medium = alerts[alerts.index('data-severity="medium"') : alerts.index('data-severity="low"')]
    assert re.findall(r">(\d+)</a>", medium) == ["0", "0", "1", "1"]
    low = alerts[alerts.index('data-severity="low"') :]
    assert re.findall(r">(\d+)</a>", low)[-1] == "0"  # the resolved alert is not open
    assert cells
    status = section(body, "round-status")
    assert 'data-testid="completeness">2 / 3 (67%)' in status
    assert 'data-testid="on-time">1<' in status
    assert 'data-testid="late">1<' in status
    assert 'data-testid="missing">1<' in status
    assert f'href="/monitoring/status/?round={rnd}"' in status
    brief = section(body, "latest-brief")
    assert f'href="/insights/briefs/{board.brief.pk}/">ภาพรวมการศึกษา รอบ 12 เดือน</a>' in brief
    assert f'href="/insights/briefs/{board.brief.pk}/pdf/"' in brief
    assert 'data-testid="pdf-link"' in body
    assert f"/cockpit/pdf/?round={rnd}&amp;indicator=dropout_rate&amp;level=province" in body
    assert '<select class="form-select form-select-sm" id="f-indicator" name="indicator">' in body
    assert '<label class="form-label" for="f-indicator">' in body
    for link in ("link-alerts", "link-briefs", "link-cockpit_compare"):
        assert f'data-testid="{link}"' in body


def test_tile_map_and_its_table(world: World, board: Board) -> None:
    body = squash(client_for(world, "executive").get("/cockpit/").content.decode())
    assert 'data-testid="tilemap"' in body
    assert 'data-testid="tile-12"' in body
    assert 'data-testid="tile-50"' in body
    table = body[body.index('data-testid="table-provinces"') :]
    assert "นนทบุรี" in table
    assert "เชียงใหม่" in table
    rows = table[: table.index("</tbody>")]
    assert rows.index("นนทบุรี") < rows.index("เชียงใหม่")  # by province code
    assert "ปกปิด (&lt;5)" in rows  # Chiang Mai's 3 learners


def test_esa_level_splits_provinces_into_esas(world: World, board: Board) -> None:
    body = squash(client_for(world, "executive").get("/cockpit/?level=esa").content.decode())
    assert 'data-level="esa"' in body
    table = body[body.index('data-testid="table-esas"') :]
    table = table[: table.index("</tbody>")]
    for esa in (world.esa_a1, world.esa_a2, world.esa_b1):
        assert f'<a href="/cockpit/unit/{esa.pk}/?' in table
    assert table.index(world.esa_a1.code) < table.index(world.esa_b1.code)


def test_inspector_sees_their_region_only(world: World, board: Board) -> None:
    body = squash(client_for(world, "inspector_r1").get("/cockpit/?level=esa").content.decode())
    assert f'data-scope="{world.region_1.code}"' in body
    assert ">1.3%</p>" in kpi(body, "dropout_rate")
    assert "ไม่มีค่าในขอบเขตนี้" in kpi(body, "onet_mean_p6")
    table = body[body.index('data-testid="table-esas"') :]
    table = table[: table.index("</tbody>")]
    assert world.esa_a1.name_th in table
    assert world.esa_b1.name_th not in table
    movers = section(body, "movers")
    assert world.esa_b1.name_th not in movers
    assert world.esa_a1.name_th in movers
    alerts = section(body, "alerts-by-severity")
    high = alerts[alerts.index('data-severity="high"') : alerts.index('data-severity="medium"')]
    assert re.findall(r">(\d+)</a>", high) == ["1", "1", "0", "2"]
    status = section(body, "round-status")
    assert 'data-testid="completeness">2 / 2 (100%)' in status
    assert 'data-testid="missing">0<' in status
    provinces = squash(client_for(world, "inspector_r1").get("/cockpit/").content.decode())
    table = provinces[provinces.index('data-testid="table-provinces"') :]
    table = table[: table.index("</tbody>")]
    assert "นนทบุรี" in table
    assert "เชียงใหม่" not in table


def test_no_run_yet_explains_itself(world: World) -> None:
    body = client_for(world, "executive").get("/cockpit/").content.decode()
    assert 'data-testid="no-run"' in body
    assert "ยังไม่มีรอบการรายงานที่มีรายงานของ สพท." in body
    rnd = round_of(make_framework(2569), "m12")
    InsightRun.objects.create(round=rnd, status=RunStatus.DONE, is_current=True)
    response = client_for(world, "executive").get(f"/cockpit/?round={rnd.pk}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "การคำนวณข้อมูลเชิงลึกของรอบนี้ยังไม่มีขั้นแดชบอร์ดผู้บริหาร" in body
    assert 'data-testid="pdf-link"' not in body
    pdf = client_for(world, "executive").get(f"/cockpit/pdf/?round={rnd.pk}")
    assert pdf.status_code == 302
    assert pdf["Location"] == f"/cockpit/?round={rnd.pk}"


@pytest.mark.parametrize(
    ("query", "field", "text"),
    [
        ("round=abc", "round", "ค่ารอบการรายงาน (round) ไม่ถูกต้อง"),
        ("round=999999", "round", "รอบการรายงาน (round) ไม่ถูกต้อง: ไม่มีรอบรหัส 999999"),
        ("indicator=nope", "indicator", "ตัวชี้วัด (indicator) ไม่ถูกต้อง: ไม่มีรหัส nope ในแค็ตตาล็อก"),
        ("level=city", "level", "ระดับของแผนที่ (level) ไม่ถูกต้อง ใช้ได้: province, esa"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(
    world: World, board: Board, query: str, field: str, text: str
) -> None:
    for url in ("/cockpit/", "/cockpit/pdf/"):
        response = client_for(world, "executive").get(f"{url}?{query}")
        assert response.status_code == 400
        body = response.content.decode()
        assert f'data-field="{field}"' in body
        assert text in body


# --- Excel -------------------------------------------------------------------------------------------


def _sheet(response: Any) -> list[list[Any]]:
    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws is not None
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _body(rows: list[list[Any]], first_heading: str) -> list[list[Any]]:
    start = next(i for i, r in enumerate(rows) if r and r[0] == first_heading)
    return rows[start + 1 :]


def test_every_table_exports_to_excel_in_scope(world: World, board: Board) -> None:
    client = client_for(world, "executive")
    rows = _sheet(client.get("/cockpit/?format=xlsx&table=indicators"))
    assert rows[0][0] == "ตัวชี้วัดหลักเทียบค่าเป้าหมาย"
    body = _body(rows, "ตัวชี้วัด / Indicator")
    assert [r[1] for r in body] == ["dropout_rate", "onet_mean_p6"]
    assert body[0][2] == 1.5
    assert body[0][7] == 1.6
    assert body[0][8] == "● บรรลุเป้าหมาย / On target"
    assert body[1][2] == 41.23
    assert body[1][9] == "↑ เพิ่มขึ้น / Rising"

    provinces = _body(_sheet(client.get("/cockpit/?format=xlsx&table=provinces")), "รหัสจังหวัด / Province code")
    assert [(r[0], r[2]) for r in provinces] == [("12", 1.6), ("50", "ปกปิด (<5) / suppressed (<5)")]

    esas = _body(_sheet(client.get("/cockpit/?level=esa&format=xlsx&table=esas")), "รหัส สพท. / ESA code")
    assert [(r[0], r[3]) for r in esas] == [("11201", 1.2), ("21201", 2.1), ("15001", 1.9)]

    movers = _body(_sheet(client.get("/cockpit/?format=xlsx&table=movers")), "กลุ่ม / List")
    assert [(r[2], r[6]) for r in movers] == [
        ("11201", -0.4),
        ("15001", -0.3),
        ("21201", 0.5),
        ("15001", -0.3),
        ("21201", 0.5),
    ]

    alerts = _body(_sheet(client.get("/cockpit/?format=xlsx&table=alerts")), "ระดับ / Severity")
    assert alerts == [["สูง", 2, 1, 0, 3], ["กลาง", 0, 0, 1, 1], ["ต่ำ", 0, 0, 0, 0]]

    inspector = _body(
        _sheet(client_for(world, "inspector_r1").get("/cockpit/?format=xlsx&table=alerts")), "ระดับ / Severity"
    )
    assert inspector == [["สูง", 1, 1, 0, 2], ["กลาง", 0, 0, 1, 1], ["ต่ำ", 0, 0, 0, 0]]
    region = _body(
        _sheet(client_for(world, "inspector_r1").get("/cockpit/?format=xlsx&table=provinces")),
        "รหัสจังหวัด / Province code",
    )
    assert [r[0] for r in region] == ["12"]


def test_unknown_export_table_is_400(world: World, board: Board) -> None:
    response = client_for(world, "executive").get("/cockpit/?format=xlsx&table=nope")
    assert response.status_code == 400
    assert response["X-Problem-Field"] == "table"


# --- PDF --------------------------------------------------------------------------------------------


def _pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", pdf_text(pdf))


@needs_pdftotext
def test_pdf_reads_back_the_thai_text(world: World, board: Board) -> None:
    response = client_for(world, "executive").get("/cockpit/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    text = _pdf_text(pdf)
    expected = [
        "ภาพรวมการจัดการศึกษาขั้นพื้นฐาน", "Basiceducationataglance", board.round.name_th.replace(" ", ""),
        "ตัวชี้วัดหลักเทียบค่าเป้าหมาย", "อัตราการออกกลางคัน", "บรรลุเป้าหมาย/Ontarget", "ลดลง/Falling",
        "ทะเบียนนักเรียนในระบบ(คำนวณ)ปีการศึกษา2568", "ใกล้เป้าหมาย/Neartarget", "เพิ่มขึ้น/Rising",
        "อัตราการออกกลางคันรายจังหวัด", "นนทบุรี", "เชียงใหม่", "ปกปิด(<5)/suppressed(<5)",
        "สำนักงานเขตพื้นที่ที่เปลี่ยนแปลงมากที่สุด", "การแจ้งเตือนที่ยังไม่ปิดตามระดับความรุนแรง",
        "สถานะการส่งรายงานของรอบ", "ภาพรวมการศึกษารอบ12เดือน",
    ]  # fmt: skip
    position = 0
    for piece in expected:
        found = text.find(piece, position)
        assert found >= 0, f"not found in order: {piece!r}"
        position = found + len(piece)
    assert text.index("นนทบุรี") < text.index("เชียงใหม่")
    assert "1.90" not in text[text.index("อัตราการออกกลางคันรายจังหวัด") : text.index("เชียงใหม่") + 40]
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True).stdout.decode()
    assert "Sarabun" in fonts


# --- speed -----------------------------------------------------------------------------------------


def _grow(world: World, board: Board, n: int) -> None:
    """``n`` more ESAs in region 2 with figures, movers and alerts; schools' figures too."""
    run = board.run
    province = Province.objects.get(code="50")
    summary = Summary.objects.get(run=run)
    for i in range(n):
        esa = make_unit("esa", f"9{i:04d}", f"สพท. ทดสอบ {i}", world.region_2, f"Test ESA {i}")
        EsaProfile.objects.create(unit=esa, esa_type="primary", area_number=i + 2, office_province=province)
        for code in ("dropout_rate", "onet_mean_p6"):
            fig(run, Level.ESA, code, 1.0 + i / 100, unit=esa, parent=world.region_2)
        for k in range(5):
            school = make_unit("school", f"88{i:04d}{k:02d}", f"โรงเรียน {i}-{k}", esa)
            fig(run, Level.SCHOOL, "onet_mean_p6", 40.0, unit=school, parent=esa)
        Alert.objects.create(round=board.round, unit=esa, kind="below_target", indicator="dropout_rate",
                             severity="medium", status="new", title_th="ทดสอบ", title_en="Test")  # fmt: skip
        summary.movers["dropout_rate"]["up"].append(mover(esa, -0.01, 1.0))
    summary.save()


@pytest.mark.parametrize("username", ["executive", "inspector_r1"])
def test_query_count_does_not_grow_with_the_data(
    world: World, board: Board, username: str, django_assert_max_num_queries: Any
) -> None:
    client = client_for(world, username)
    client.get("/cockpit/?level=esa")  # warm caches (session, content types)

    def count(*, cold: bool) -> int:
        if cold:  # the figures' fragments are rendered again (as after a new run)
            cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/cockpit/?level=esa").status_code == 200
        return len(ctx.captured_queries)

    small_cold, small_warm = count(cold=True), count(cold=False)
    assert small_warm < small_cold  # the cached fragments spare the figures' queries
    with django_assert_max_num_queries(20):
        client.get("/cockpit/")
    _grow(world, board, 30)
    assert Figure.objects.filter(run=board.run).count() > 200
    assert count(cold=True) == small_cold
    assert count(cold=False) == small_warm


# --- end to end on the tiny demo nation -----------------------------------------------------------


def test_tiny_nation_end_to_end(settings: Any, tmp_path: Any) -> None:
    from suksa.core.policy import Role
    from suksa.domains.cockpit.tests.conftest import build_cockpit_tiny
    from tests.factories import make_user

    settings.DATA_DIR = tmp_path
    tiny = build_cockpit_tiny(tmp_path)
    client = Client()
    client.force_login(make_user("cp_exec", Role.NATIONAL_EXECUTIVE, OrgUnit.objects.get(kind="nation")))
    keys = tiny.summary.key_indicators
    for level in ("province", "esa"):
        response = client.get(f"/cockpit/?round={tiny.round.pk}&level={level}")
        assert response.status_code == 200
        body = response.content.decode()
        for code in keys:
            assert f'data-testid="kpi-{code}"' in body
        assert 'data-testid="tilemap"' in body
        assert body.count('data-testid="tile-') >= 77
    nation = Figure.objects.get(run=tiny.run, level=Level.NATION, indicator=keys[0])
    rows = _body(
        _sheet(client.get(f"/cockpit/?round={tiny.round.pk}&format=xlsx&table=indicators")),
        "ตัวชี้วัด / Indicator",
    )
    assert [r[1] for r in rows] == keys
    assert rows[0][2] == pytest.approx(nation.value)
    pdf = client.get(f"/cockpit/pdf/?round={tiny.round.pk}")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def _section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


def test_cached_fragments_never_cross_scopes_or_languages(world: World, board: Board) -> None:
    """The executive's cached overview is not what the inspector gets, nor the Thai one in English."""
    cache.clear()
    executive = client_for(world, "executive")
    inspector = client_for(world, "inspector_r1")
    national = executive.get("/cockpit/?level=esa").content.decode()
    after_national = inspector.get("/cockpit/?level=esa").content.decode()
    cache.clear()
    fresh = inspector.get("/cockpit/?level=esa").content.decode()
    for part in ("movers", "tilemap", "kpi-cards"):
        assert _section(after_national, part) == _section(fresh, part)
    assert _section(national, "movers") != _section(fresh, "movers")
    executive.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = executive.get("/cockpit/?level=esa").content.decode()
    assert "Top movers" in _section(english, "movers")
    assert "Top movers" not in _section(national, "movers")
