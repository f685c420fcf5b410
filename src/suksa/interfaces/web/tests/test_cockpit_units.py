"""Cockpit unit pages (region, ESA, school) and their PDF: who reaches which unit, the exact
figures shown, breadcrumbs and links keeping round and indicator, the sub-units table and its
Excel export, the ESA self-view panels, bad parameters, and a query count that does not grow with
the number of schools."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from suksa.core.models import AuditEntry, School
from suksa.core.tests.pdftext import needs_pdftotext, pdf_text
from suksa.domains.cockpit.models import Figure, Level
from suksa.domains.cockpit.tests.conftest import CockpitTiny, build_cockpit_tiny
from suksa.domains.cockpit.tests.objects_cockpit import cockpit_world, make_figure
from suksa.domains.insights.models import Alert, InsightRun, WorkCheck
from suksa.domains.insights.models.choices import AlertStatus
from suksa.domains.insights.tests.objects_strengths import make_strength
from suksa.domains.monitoring.models import OutstandingWork, Report
from tests.factories import World, make_school

pytestmark = pytest.mark.django_db


def client_for(world: World, name: str) -> Client:
    c = Client()
    c.force_login(world.user(name))
    return c


def page(world: World, name: str, unit_id: int, **params: Any) -> Any:
    return client_for(world, name).get(reverse("web:cockpit_unit", args=[unit_id]), params)


@pytest.fixture
def run(world: World) -> InsightRun:
    return cockpit_world(world)


# --- authorization ----------------------------------------------------------------------------------


def test_scope_matrix(world: World, run: InsightRun) -> None:
    w = world
    expected = {
        "esa_director_a1": {w.region_1: 200, w.esa_a1: 200, w.school_a1_1: 200, w.region_2: 404,
                            w.esa_a2: 404, w.esa_b1: 404, w.school_b1_1: 404, w.school_a2_1: 404},
        "inspector_r1": {w.region_1: 200, w.esa_a1: 200, w.esa_a2: 200, w.school_a2_1: 200, w.region_2: 404,
                         w.esa_b1: 404, w.school_b1_1: 404},
        "executive": {w.region_1: 200, w.region_2: 200, w.esa_b1: 200, w.school_b1_1: 200},
        "me_officer": {w.esa_b1: 200},
    }  # fmt: skip
    for name, units in expected.items():
        c = client_for(world, name)
        for unit, status in units.items():
            assert c.get(reverse("web:cockpit_unit", args=[unit.pk])).status_code == status, (name, unit.code)
            if status == 404:  # a PDF is slow to make: its 200 is tested below
                assert c.get(reverse("web:cockpit_unit_pdf", args=[unit.pk])).status_code == 404
    denied = page(world, "esa_director_a1", w.esa_b1.pk).content.decode()
    assert w.esa_b1.name_th not in denied
    assert page(world, "executive", 999_999_999).status_code == 404


def test_users_without_insights_are_refused(world: World, run: InsightRun) -> None:
    for name in ("nobody", "director_a1_1", "sysadmin"):
        assert page(world, name, world.esa_a1.pk).status_code == 403
    anonymous = Client().get(reverse("web:cockpit_unit", args=[world.esa_a1.pk]))
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/login/")


def test_nation_unit_redirects_to_the_overview_keeping_params(world: World, run: InsightRun) -> None:
    rnd = run.round_id
    got = page(world, "executive", world.nation.pk, round=rnd, indicator="dropout_rate")
    assert got.status_code == 302
    assert got.headers["Location"] == f"{reverse('web:cockpit')}?round={rnd}&indicator=dropout_rate"


# --- exact figures ----------------------------------------------------------------------------------


def test_esa_page_shows_its_figures_against_target_and_peers(world: World, run: InsightRun) -> None:
    got = page(world, "esa_director_a1", world.esa_a1.pk)
    html = got.content.decode()
    assert got.status_code == 200
    assert 'data-testid="cockpit-unit" data-level="esa"' in html
    card = html[html.index('data-testid="kpi-dropout_rate"') :]
    card = card[: card.index("</article>")]
    assert 'data-light="green" data-arrow="down"' in card
    assert (
        'title="ช่วงเวลา ปีการศึกษา 2568 · ที่มา ทะเบียนนักเรียนในระบบ (คำนวณ) ปีการศึกษา 2568'
        ' · core.IndicatorValue #1">1.2%</span>'
    ) in card
    assert "เปลี่ยนแปลง −0.2% จาก ปีการศึกษา 2567" in card
    assert "↓ ลดลง (มีนัยสำคัญ)" in card
    assert (
        '<span data-testid="light">● บรรลุเป้าหมาย</span> · เป้าหมาย <span data-testid="target">1.5%</span>'
        in card
    )
    assert '<p class="small mb-0" data-testid="peer">ค่ากลางกลุ่มเทียบ 1.5% · อันดับ 1/3</p>' in card
    assert 'data-testid="trend-chart"' in html
    assert 'data-testid="peer-comparison"' in html
    assert 'data-testid="pdf-link"' in html


def test_school_page_profile_and_onet(world: World, run: InsightRun) -> None:
    html = page(world, "executive", world.school_a1_2.pk).content.decode()
    assert 'data-level="school"' in html
    assert '<dd class="col-sm-9" data-testid="learners">430</dd>' in html
    assert '<dd class="col-sm-9" data-testid="teachers">8</dd>' in html
    assert '<dd class="col-sm-9" data-testid="ptr">53.8</dd>' in html
    assert '<dd class="col-sm-9" data-testid="size-band">กลาง</dd>' in html
    assert 'data-testid="kpi-onet_mean_p6" data-light="amber" data-arrow="up"' in html
    assert ">38.50</span>" in html
    assert 'data-testid="subunits-table"' not in html


# --- links keep round and indicator -----------------------------------------------------------------


def test_breadcrumbs_and_drill_down_keep_round_and_indicator(world: World, run: InsightRun) -> None:
    rnd = run.round_id
    html = page(
        world, "executive", world.school_a1_1.pk, round=rnd, indicator="onet_mean_p6"
    ).content.decode()
    q = f"?round={rnd}&amp;indicator=onet_mean_p6"
    crumbs = re.findall(r'<li class="breadcrumb-item[^"]*"[^>]*>(?:<a href="([^"]*)">)?([^<]*)', html)
    assert crumbs == [
        (reverse("web:cockpit") + q, "ภาพรวมประเทศ"),
        (reverse("web:cockpit_unit", args=[world.region_1.pk]) + q, world.region_1.name_th),
        (reverse("web:cockpit_unit", args=[world.esa_a1.pk]) + q, world.esa_a1.name_th),
        ("", world.school_a1_1.name_th),
    ]
    esa = page(world, "executive", world.esa_a1.pk, round=rnd, indicator="onet_mean_p6").content.decode()
    link = reverse("web:cockpit_unit", args=[world.school_a1_2.pk]) + q
    assert f'<a href="{link}">{world.school_a1_2.name_th}</a>' in esa


# --- sub-units table and Excel ----------------------------------------------------------------------


def test_subunits_table_sorting_data_and_small_cells(world: World, run: InsightRun) -> None:
    Figure.objects.filter(run=run, unit=world.school_a1_2).update(value=44.25, change=-0.5)
    html = page(world, "esa_director_a1", world.esa_a1.pk, indicator="onet_mean_p6").content.decode()
    table = html[html.index('data-testid="subunits-table"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr data-row.*?</tr>", table, re.S)
    assert len(rows) == 2
    small, big = rows
    assert world.school_a1_1.name_th in small
    assert "data-suppressed" in small
    assert "38.50" not in small
    assert 'data-sort="44.25">44.25</td>' in big
    assert 'data-sort="-0.5">-0.50</td>' in big
    assert 'data-sort="2">◐ ใกล้เป้าหมาย</td>' in big
    assert 'data-sort="430">430</td>' in big
    assert 'data-sort="53.8">53.8</td>' in big
    assert 'aria-sort="none"' in table


def test_subunits_xlsx_reads_back_with_suppression(world: World, run: InsightRun) -> None:
    from openpyxl import load_workbook

    got = page(
        world, "esa_director_a1", world.esa_a1.pk, indicator="onet_mean_p6", format="xlsx", table="subunits"
    )
    assert got.status_code == 200
    assert got["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(got.content)).active
    assert ws is not None
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(rows) if r[0] == "โรงเรียน / School")
    assert rows[head][:4] == [
        "โรงเรียน / School",
        "รหัส / Code",
        "คะแนนเฉลี่ย O-NET ป.6 / O-NET mean, P6",
        "เปลี่ยนแปลง / Change",
    ]
    body = rows[head + 1 :]
    assert [r[1] for r in body] == ["1012000001", "1012000002"]
    assert body[0][2] == "ปกปิด (<5) / suppressed (<5)"
    assert body[1][2] == 38.5
    assert body[1][7:11] == ["กลาง", 430, 8, 53.8]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, object_type="cockpit.unit").count() == 1


def test_region_page_lists_its_esas_and_regions_as_peers(world: World, run: InsightRun) -> None:
    html = page(world, "executive", world.region_1.pk).content.decode()
    assert 'data-level="region"' in html
    assert world.esa_a1.name_th in html
    assert world.esa_a2.name_th in html
    assert world.esa_b1.name_th not in html
    mine = page(world, "esa_director_a1", world.region_1.pk).content.decode()
    assert world.esa_a1.name_th in mine
    assert world.esa_a2.name_th not in mine
    assert world.region_2.name_th not in mine  # a scoped reader sees peer aggregates only


# --- ESA self-view ----------------------------------------------------------------------------------


def test_esa_self_view_panels(world: World, run: InsightRun) -> None:
    rnd = run.round
    School.objects.filter(unit=world.school_a1_2).update(teacher_count=10)  # 43 learners per teacher
    report = Report.objects.create(
        round=rnd, esa=world.esa_a1, status="submitted",
        submitted_at=timezone.make_aware(dt.datetime.combine(rnd.due_on + dt.timedelta(days=3), dt.time(9))),
    )  # fmt: skip
    work = OutstandingWork.objects.create(report=report, rank=1, title="โครงการห้องเรียนคุณภาพ", description="x",
                                          verification="verified")  # fmt: skip
    OutstandingWork.objects.create(report=report, rank=2, title="ยังไม่ยืนยัน", description="x")
    WorkCheck.objects.create(run=run, work=work, esa=world.esa_a1, verdict="supported")
    alert = Alert.objects.create(round=rnd, unit=world.school_a1_1, kind="below_target", indicator="onet_mean_p6",
                                 severity="high", title_th="O-NET ต่ำกว่าเป้า", title_en="O-NET below target")  # fmt: skip
    make_strength(run, world.esa_a1, score=1.5, verdict="strong", sentence_th="เขตเด่นด้านผลสัมฤทธิ์")
    html = page(world, "esa_director_a1", world.esa_a1.pk).content.decode()
    risk = html[html.index('data-testid="schools-at-risk"') : html.index('data-testid="report-status"')]
    assert 'data-school="1012000002"' in risk
    assert "นักเรียนต่อครู 43.0 คน (เกิน 40)" in risk
    assert 'data-school="1012000001"' not in risk
    assert "เกณฑ์ / How chosen" in risk
    status = html[html.index('data-testid="report-status"') : html.index('data-testid="outstanding-works"')]
    assert 'data-status="submitted">ส่งแล้ว</dd>' in status
    due = rnd.due_on
    assert f'data-testid="report-due">{due.day} ' in status
    assert f"{due.year + 543}</dd>" in status
    assert 'data-late="true"><span class="text-danger">ล่าช้า</span>' in status
    assert f'href="{reverse("web:report_detail", args=[report.pk])}"' in status
    assert '<span class="badge text-bg-secondary" data-testid="alerts-open-count">1</span>' in status
    assert f'<a href="{reverse("web:alert", args=[alert.pk])}">O-NET ต่ำกว่าเป้า</a>' in status
    works = html[html.index('data-testid="outstanding-works"') :]
    assert "<strong>โครงการห้องเรียนคุณภาพ</strong>" in works
    assert "มีข้อมูลสนับสนุน" in works
    assert "ยังไม่ยืนยัน</strong>" not in works
    assert "ผลงานที่เสนอแต่ยังไม่ยืนยัน: 1" in works
    peers = html[html.index('data-testid="peer-comparison"') :]
    assert 'data-domain="learning" data-indicator="" data-verdict="strong"' in peers
    assert "1.00 – 2.00" in peers
    assert '<span lang="th">เขตเด่นด้านผลสัมฤทธิ์</span>' in html


# --- bad parameters ---------------------------------------------------------------------------------


def test_bad_parameters(world: World, run: InsightRun) -> None:
    uid = world.esa_a1.pk
    for params, status, field in (
        ({"round": "abc"}, 400, "round"),
        ({"round": "0"}, 400, "round"),
        ({"round": str(2**70)}, 400, "round"),
        ({"indicator": "no_such_code"}, 400, "indicator"),
        ({"round": "999999999"}, 404, None),
        ({"format": "csv"}, 400, "format"),
        ({"format": "xlsx", "table": "nope"}, 400, "table"),
    ):
        got = page(world, "executive", uid, **params)
        assert got.status_code == status, params
        if field and "format" not in params:
            html = got.content.decode()
            assert f'data-field="{field}"' in html
            back = reverse("web:cockpit_unit", args=[uid])
            assert f'<a href="{back}" data-testid="back">' in html  # the way back, without the bad value
        elif field:
            assert got["X-Problem-Field"] == field


# --- query count ------------------------------------------------------------------------------------


def _count(world: World, django_assert_max_num_queries: Any, limit: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(world, "esa_director_a1")
    with CaptureQueriesContext(connection) as ctx, django_assert_max_num_queries(limit):
        assert (
            c.get(
                reverse("web:cockpit_unit", args=[world.esa_a1.pk]), {"indicator": "onet_mean_p6"}
            ).status_code
            == 200
        )
    return len(ctx.captured_queries)


def test_esa_page_queries_do_not_grow_with_schools(
    world: World, run: InsightRun, django_assert_max_num_queries: Any
) -> None:
    def add(n: int, start: int) -> None:
        for j in range(start, start + n):
            s = make_school(f"10120008{j:02d}", f"โรงเรียนทดสอบ {j}", world.esa_a1, students=60, teachers=3)
            make_figure(run, Level.SCHOOL, unit=s, parent=world.esa_a1, indicator="onet_mean_p6", value=30.0 + j,
                        arrow="down", significant=True)  # fmt: skip

    add(4, 0)
    cache.clear()  # the figure parts rendered again (as after a new run)
    cold = _count(world, django_assert_max_num_queries, 40)
    warm = _count(world, django_assert_max_num_queries, 40)
    assert warm < cold  # the cached figure parts spare their queries; the live panels stay
    add(8, 4)
    cache.clear()
    assert _count(world, django_assert_max_num_queries, 40) == cold
    assert _count(world, django_assert_max_num_queries, 40) == warm


def test_the_cached_page_keeps_its_live_panels_live(world: World, run: InsightRun) -> None:
    """The ESA's alerts are read at every request, even when the figure parts come from the cache."""
    cache.clear()
    c = Client()
    c.force_login(world.user("esa_director_a1"))
    url = reverse("web:cockpit_unit", args=[world.esa_a1.pk])
    first = c.get(url).content.decode()
    count = re.search(r'data-testid="alerts-open-count">(\d+)<', first)
    assert count is not None
    before = int(count.group(1))
    alert = Alert.objects.filter(unit=world.esa_a1).exclude(status=AlertStatus.RESOLVED).first()
    if alert is None:
        alert = Alert.objects.create(
            round=run.round, unit=world.esa_a1, kind="below_target", indicator="dropout_rate",
            severity="high", title_th="ทดสอบ", title_en="Test",
        )  # fmt: skip
        after_expected = before + 1
    else:
        Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.RESOLVED)
        after_expected = before - 1
    second = c.get(url).content.decode()
    assert f'data-testid="alerts-open-count">{after_expected}<' in second

    # The figure parts are the same cached HTML.
    def subunits(html: str) -> str:
        start = html.index('data-testid="subunits-table"')
        return html[start : html.index("</section>", start)]

    assert subunits(second) == subunits(first)


# --- PDF --------------------------------------------------------------------------------------------


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", pdf_text(pdf))


@needs_pdftotext
def test_esa_pdf_text_extracts_exactly(world: World, run: InsightRun) -> None:
    School.objects.filter(unit=world.school_a1_2).update(teacher_count=10)
    got = client_for(world, "esa_director_a1").get(
        reverse("web:cockpit_unit_pdf", args=[world.esa_a1.pk]), {"indicator": "onet_mean_p6"}
    )
    assert got.status_code == 200
    assert got["Content-Type"] == "application/pdf"
    assert got.content.startswith(b"%PDF")
    text = _text(got.content)
    for written in (
        world.esa_a1.name_th,
        "ตัวชี้วัดหลัก / Key indicators",
        "อัตราการออกกลางคัน",
        "บรรลุเป้าหมาย / On target",
        "ลดลง / Falling",
        "โรงเรียนที่ควรติดตาม / Schools at risk",
        "นักเรียนต่อครู 43.0 คน (เกิน 40)",
        world.school_a1_2.name_th,
        "ปกปิด (<5) / suppressed (<5)",  # school A1-1's O-NET behind 3 learners
        "สถานะรายงาน / Report status",
    ):
        assert re.sub(r"\s+", "", written) in text, written
    assert "38.50" in text  # school A1-2's value, not suppressed
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, object_type="cockpit.unit").count() == 1


# --- end to end -------------------------------------------------------------------------------------


@pytest.fixture
def cockpit_tiny(db: None, settings: Any, tmp_path: Path) -> CockpitTiny:
    settings.DATA_DIR = tmp_path
    return build_cockpit_tiny(tmp_path)


@pytest.mark.slow
def test_tiny_nation_drill_down(cockpit_tiny: CockpitTiny) -> None:
    from suksa.core.models import OrgUnit
    from suksa.domains.accounts.models import User

    executive = User.objects.filter(role_assignments__role="national_executive").first()
    assert executive is not None
    c = Client()
    c.force_login(executive)
    rnd = str(cockpit_tiny.round.pk)
    esa = OrgUnit.objects.filter(kind="esa").order_by("code").first()
    assert esa is not None
    school = OrgUnit.objects.filter(parent=esa, kind="school").order_by("code").first()
    assert school is not None
    assert esa.parent is not None
    for unit, level in ((esa.parent, "region"), (esa, "esa"), (school, "school")):
        got = c.get(reverse("web:cockpit_unit", args=[unit.pk]), {"round": rnd, "indicator": "onet_mean_p6"})
        html = got.content.decode()
        assert got.status_code == 200, unit.code
        assert f'data-level="{level}"' in html
        assert 'data-testid="trend-chart"' in html
        assert 'data-testid="kpi-onet_mean_p6"' in html
    esa_html = c.get(reverse("web:cockpit_unit", args=[esa.pk]), {"round": rnd}).content.decode()
    n_schools = OrgUnit.objects.filter(parent=esa, kind="school", is_active=True).count()
    table = esa_html[esa_html.index('data-testid="subunits-table"') :]
    assert table.count("<tr data-row") == n_schools
    for testid in ("schools-at-risk", "report-status", "outstanding-works"):
        assert f'data-testid="{testid}"' in esa_html
