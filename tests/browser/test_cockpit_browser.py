"""In a real browser, on the tiny demo nation with its cockpit computed: the national executive reads
the overview, recolours the tile map, drills down to a school and back, acknowledges an alert and
downloads the brief and the overview as Thai PDFs; the ESA director lands on their own ESA, cannot
reach another ESA's pages and sees and acknowledges only their ESA's alerts.

The nation is built once for the module (``cockpit_data``) and served by the module's own live
server; tests that change it acknowledge the first alert still new in the inbox, so they pass
whether or not the database undid the previous test's changes (SQLite does, PostgreSQL does not).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test.utils import override_settings
from django.urls import reverse

from suksa.core.models import OrgUnit, Province
from suksa.core.tests.pdftext import pdf_text
from suksa.demo.data import DEMO_PASSWORD
from suksa.domains.accounts.models import User
from suksa.domains.cockpit import selectors_overview as overview_sel
from suksa.domains.cockpit.models import Figure, Level
from suksa.domains.insights.models import Alert
from suksa.domains.insights.models.choices import AlertStatus, DataQuality
from suksa.domains.insights.services.briefs import latest_version
from suksa.domains.insights.services.exports import pdf_texts
from tests.browser import cockpit_data
from tests.browser.cockpit_data import CockpitNation
from tests.browser.conftest import screenshot

# Each test runs in a transaction rolled back after it (on SQLite the live server shares the test's
# connection, so what the browser changed is undone too); the nation itself is built outside.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db,
]

TILES = 77  # Thailand's provinces, Bangkok included
NOT_FOUND_TH = "ไม่พบหน้าที่ต้องการ"
OVERVIEW_TITLE_TH = "ภาพรวมการจัดการศึกษาขั้นพื้นฐาน"


@pytest.fixture(scope="module")
def nation(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CockpitNation]:
    data_dir = tmp_path_factory.mktemp("cockpit")
    with django_db_blocker.unblock(), override_settings(DATA_DIR=data_dir):
        try:
            built = cockpit_data.build(data_dir)
            print(f"\ncockpit browser tests: the tiny nation was built in {built.seconds:.1f} s")
            yield built
        finally:
            cockpit_data.empty()


@pytest.fixture(scope="module")
def server(nation: CockpitNation) -> Iterator[str]:
    """A live server of its own: pytest-django's would flush the nation after the first test."""
    from pytest_django.live_server_helper import LiveServer

    live = LiveServer("localhost")
    live._live_server_modified_settings.enable()
    try:
        yield live.url
    finally:
        live._live_server_modified_settings.disable()
        live.stop()


@pytest.fixture
def page(chromium: Any, server: str) -> Iterator[Any]:
    """A Thai browser on the module's server (this module's ``page``: no per-test world)."""
    context = chromium.new_context(
        base_url=server,
        locale="th-TH",
        viewport={"width": 1280, "height": 900},
        reduced_motion="reduce",
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def sign_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def pdf_file_text(path: Path) -> str:
    return pdf_text(path.read_bytes())


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def download(page: Any, link: Any, target: Path) -> Path:
    with page.expect_download() as info:
        link.click()
    info.value.save_as(str(target))
    return target


def unit_level(page: Any) -> str:
    wrapper = page.locator("[data-testid=cockpit-unit]")
    wrapper.wait_for()
    return str(wrapper.get_attribute("data-level"))


def unit_id_of(url: str) -> int:
    found = re.search(r"/cockpit/unit/(\d+)/", url)
    assert found, url
    return int(found.group(1))


def acknowledge_first_new_alert(page: Any, username: str) -> Alert:
    """From the inbox's new alerts, open the first, acknowledge it and see who did it in its history."""
    page.goto(reverse("web:alerts") + f"?status={AlertStatus.NEW}")
    row = page.locator("tr[data-alert]").first
    alert = Alert.objects.select_related("unit").get(pk=int(row.get_attribute("data-alert") or 0))
    assert alert.status == AlertStatus.NEW
    row.locator("a").click()
    page.wait_for_url(f"**{reverse('web:alert', args=[alert.pk])}")
    page.select_option("#act-action", "acknowledge")
    page.locator("[data-testid=act-form] button[type=submit]").click()
    event = page.locator("[data-testid=history] li[data-action=acknowledge]")
    event.wait_for()
    assert page.locator("[data-testid=status]").inner_text() == "รับทราบแล้ว"
    user = User.objects.get(username=username)
    who = f"{user.get_full_name() or username} ({username})"
    assert event.inner_text().endswith(f" · รับทราบ · {who}"), event.inner_text()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    acknowledged = alert.events.filter(action="acknowledge")
    assert list(acknowledged.values_list("actor__username", flat=True)) == [username]
    return alert


# --- the national executive ----------------------------------------------------------------------


def test_the_executive_reads_the_overview_and_recolours_the_tile_map(
    page: Any, nation: CockpitNation
) -> None:
    catalogue = overview_sel.indicator_catalogue()
    sign_in(page, "executive")
    page.goto("/cockpit/")
    page.locator("[data-testid=cockpit-overview]").wait_for()
    assert page.locator("h1").inner_text() == OVERVIEW_TITLE_TH
    # The key indicators: the nation's value and its period on each card.
    nation_figures = {f.indicator: f for f in Figure.objects.filter(run=nation.run, level=Level.NATION)}
    shown = [code for code in nation.summary.key_indicators if code in nation_figures]
    assert len(shown) >= 5, nation.summary.key_indicators
    for code in shown:
        figure, meta = nation_figures[code], catalogue[code]
        card = page.locator(f"[data-testid=kpi-{code}]")
        assert card.is_visible(), code
        assert card.locator("h3").inner_text() == meta.name_th
        assert card.locator("[data-testid=kpi-value]").inner_text() == overview_sel.value_text(
            figure.value, meta.unit, "th"
        )
        assert overview_sel.period_label(figure.period, meta.period_kind)[0] in card.inner_text(), code
    # The tile map: every province once.
    tiles = page.locator("[data-testid=tilemap] [data-testid^=tile-]")
    assert tiles.count() == TILES
    codes = {t.removeprefix("tile-") for t in tiles.evaluate_all("els => els.map(e => e.dataset.testid)")}
    assert codes == set(Province.objects.values_list("code", flat=True))
    for testid in ("movers", "alerts-by-severity", "round-status", "latest-brief", "pdf-link"):
        assert page.locator(f"[data-testid={testid}]").first.is_visible(), testid

    # Another indicator: the URL keeps it, and the map and its legend show that indicator.
    first = page.input_value("select[name=indicator]")
    with_provinces = Figure.objects.filter(run=nation.run, level=Level.PROVINCE, value__isnull=False)
    other = next(
        code
        for code in with_provinces.order_by("indicator").values_list("indicator", flat=True).distinct()
        if code != first and code in catalogue
    )
    legend_before = page.locator("[data-testid=tilemap-legend]").inner_text()
    page.select_option("select[name=indicator]", other)
    page.locator("[data-testid=overview-filter] button[type=submit]").click()
    page.wait_for_url(re.compile(rf"[?&]indicator={other}(&|$)"))
    assert page.input_value("select[name=indicator]") == other
    assert page.locator("#map-h").inner_text() == f"แผนที่: {catalogue[other].name_th}"
    assert page.locator("[data-testid=tilemap-legend]").inner_text() != legend_before
    province = with_provinces.filter(indicator=other).select_related("province").order_by("province__code")[0]
    assert province.province is not None
    assert province.value is not None
    digits = overview_sel.UNIT_DIGITS.get(catalogue[other].unit, 1)
    label = page.locator(f"[data-testid=tile-{province.province.code}]").get_attribute("aria-label") or ""
    assert label.startswith(f"{province.province.name_th}: {province.value:,.{digits}f}"), label
    period_words = overview_sel.period_label(province.period, catalogue[other].period_kind)[0]
    assert f"ช่วงเวลา {period_words}" in label, label
    screenshot(page, "cockpit-overview-th")


def test_the_executive_drills_down_to_a_school_and_back_keeping_indicator_and_round(
    page: Any, nation: CockpitNation
) -> None:
    sign_in(page, "executive")
    indicator = "onet_mean_p6"
    page.goto(f"/cockpit/?round={nation.round.pk}&indicator={indicator}")
    page.locator("[data-testid=cockpit-overview]").wait_for()
    # A mover leads to its ESA's page.
    page.locator("[data-testid=movers] a[href*='/cockpit/unit/']").first.click()
    assert unit_level(page) == "esa"
    esa_url = page.url
    assert query_of(esa_url) == {"round": str(nation.round.pk), "indicator": indicator}
    esa = OrgUnit.objects.get(pk=unit_id_of(esa_url))
    assert esa.kind == "esa"
    assert page.locator("h1").inner_text() == esa.name_th
    for testid in ("trend-chart", "peer-comparison", "subunits-table", "pdf-link"):
        assert page.locator(f"[data-testid={testid}]").first.is_visible(), testid
    screenshot(page, "cockpit-esa-th")
    # One of its schools, from the sub-units table.
    page.locator("[data-testid=subunits-table] tbody tr[data-row] > :first-child a").first.click()
    assert unit_level(page) == "school"
    school = OrgUnit.objects.get(pk=unit_id_of(page.url))
    assert (school.kind, school.parent_id) == ("school", esa.pk)
    assert page.locator("h1").inner_text() == school.name_th
    assert query_of(page.url) == {"round": str(nation.round.pk), "indicator": indicator}
    screenshot(page, "cockpit-school-th")
    # Breadcrumbs: back to the ESA, then to the nation, keeping indicator and round.
    crumbs = page.locator("nav[aria-label] ol.breadcrumb a")
    assert esa.name_th in crumbs.all_inner_texts()
    crumbs.filter(has_text=esa.name_th).click()
    assert unit_level(page) == "esa"
    assert unit_id_of(page.url) == esa.pk
    assert query_of(page.url) == {"round": str(nation.round.pk), "indicator": indicator}
    page.locator("nav[aria-label] ol.breadcrumb a").filter(has_text="ภาพรวมประเทศ").click()
    page.locator("[data-testid=cockpit-overview]").wait_for()
    assert query_of(page.url)["indicator"] == indicator
    assert query_of(page.url)["round"] == str(nation.round.pk)
    assert page.input_value("select[name=indicator]") == indicator


FOCUSED_TILE = """() => {
  const el = document.activeElement;
  const tile = el && el.closest('[data-testid=tilemap] .tile');
  return tile ? [tile.dataset.testid, tile.getAttribute('href') || ''] : null;
}"""


def tab_to_tile(page: Any, linked: bool, presses: int = 400) -> tuple[str, str]:
    """Press Tab until a tile of the map (with a link, if ``linked``) has the focus."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_TILE)
        if focused and (focused[1] or not linked):
            return focused[0], focused[1]
    raise AssertionError(f"Tab never reached a {'linked ' if linked else ''}tile of the map")


def test_the_tile_map_is_reached_with_tab_and_followed_with_enter(page: Any, nation: CockpitNation) -> None:
    sign_in(page, "executive")
    page.goto("/cockpit/")
    page.locator("[data-testid=cockpit-overview]").wait_for()
    testid, _href = tab_to_tile(page, linked=False)
    assert testid.startswith("tile-"), testid
    # At ESA level each province's ESAs are sub-tiles linking to their pages.
    page.goto(f"/cockpit/?round={nation.round.pk}&indicator=onet_mean_p6&level=esa")
    page.locator("[data-testid=cockpit-overview]").wait_for()
    testid, href = tab_to_tile(page, linked=True)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{href}")
    assert unit_level(page) == "esa"
    esa = OrgUnit.objects.get(pk=unit_id_of(page.url))
    assert testid == f"subtile-{esa.code}"


def test_the_executive_acknowledges_an_alert(page: Any, nation: CockpitNation) -> None:
    sign_in(page, "executive")
    page.goto("/cockpit/")
    assert page.locator("[data-testid=alerts-by-severity] a[href*='/alerts/']").count() >= 1
    acknowledge_first_new_alert(page, "executive")
    screenshot(page, "cockpit-alert-th")


def test_the_executive_downloads_the_brief_and_the_overview_as_thai_pdfs(
    page: Any, nation: CockpitNation, tmp_path: Path
) -> None:
    brief = nation.brief
    version = latest_version(brief)
    assert version is not None
    sign_in(page, "executive")
    page.goto("/cockpit/")
    page.locator("[data-testid=latest-brief] a[href*='/insights/briefs/']").first.click()
    page.wait_for_url(f"**{reverse('web:brief', args=[brief.pk])}*")
    screenshot(page, "cockpit-brief-th")
    pdf = download(
        page, page.locator(f"a[href^='{reverse('web:brief_pdf', args=[brief.pk])}']"), tmp_path / "brief.pdf"
    )
    text = pdf_file_text(pdf)
    extracted = squash(text)
    assert extracted.startswith(squash(brief.title_th + brief.title_en)), text[:500]
    texts = [t for t in pdf_texts(brief, version) if t]
    position = 0
    for written in texts:  # every text of the brief, in order, exactly (line breaks aside)
        found = extracted.find(squash(written), position)
        assert found >= position, f"not found in order: {written!r}"
        position = found + len(squash(written))

    page.goto("/cockpit/")
    overview = download(page, page.locator("[data-testid=pdf-link]").first, tmp_path / "overview.pdf")
    text = pdf_file_text(overview)
    assert text.splitlines()[0] == OVERVIEW_TITLE_TH, text[:500]


# --- the ESA director -----------------------------------------------------------------------------


def test_the_esa_director_lands_on_their_esa_and_cannot_reach_another(
    page: Any, nation: CockpitNation, tmp_path: Path
) -> None:
    sign_in(page, "esa_director")
    page.goto("/cockpit/")
    assert unit_level(page) == "esa"
    assert unit_id_of(page.url) == nation.home_esa.pk
    for testid in ("schools-at-risk", "report-status", "outstanding-works"):
        assert page.locator(f"[data-testid={testid}]").is_visible(), testid
    screenshot(page, "cockpit-esa-self-view-th")
    # Their ESA's dashboard as a PDF, headed by its Thai name.
    own_pdf = download(page, page.locator("[data-testid=pdf-link]").first, tmp_path / "esa.pdf")
    assert pdf_file_text(own_pdf).splitlines()[0] == nation.home_esa.name_th
    # Every breadcrumb above their ESA opens (the region and the nation as comparison).
    for href in page.locator("nav[aria-label] ol.breadcrumb a").evaluate_all("els => els.map(e => e.href)"):
        response = page.goto(href)
        assert response is not None
        assert response.status == 200, href
    other_school = OrgUnit.objects.filter(parent=nation.other_esa, kind="school").order_by("code").first()
    assert other_school is not None
    for unit in (nation.other_esa, other_school):
        for url in (f"/cockpit/unit/{unit.pk}/", f"/cockpit/unit/{unit.pk}/pdf/"):
            response = page.goto(url)
            assert response is not None
            assert response.status == 404, url
            assert NOT_FOUND_TH in page.locator("h1").inner_text(), url


def test_the_esa_director_sees_and_acknowledges_only_their_esa_alerts(
    page: Any, nation: CockpitNation
) -> None:
    home = nation.home_esa
    theirs = set(
        Alert.objects.filter(unit__path__startswith=home.path)
        .exclude(quality=DataQuality.HELD)
        .values_list("pk", flat=True)
    )
    assert theirs, "the demo raised no alert about the director's ESA"
    assert Alert.objects.filter(unit__path__startswith=nation.other_esa.path).exists()
    sign_in(page, "esa_director")
    page.goto(reverse("web:alerts"))
    shown = {
        int(pk) for pk in page.locator("tr[data-alert]").evaluate_all("els => els.map(e => e.dataset.alert)")
    }
    assert shown == theirs
    alert = acknowledge_first_new_alert(page, "esa_director")
    assert alert.unit.path.startswith(home.path)
    # Another ESA's alert is not found.
    other = Alert.objects.filter(unit__path__startswith=nation.other_esa.path).first()
    assert other is not None
    response = page.goto(reverse("web:alert", args=[other.pk]))
    assert response is not None
    assert response.status == 404


# --- screenshots of the remaining main pages -------------------------------------------------------


def test_the_compare_page_and_the_case_gallery_render(page: Any, nation: CockpitNation) -> None:
    sign_in(page, "executive")
    esas = list(OrgUnit.objects.filter(kind="esa").order_by("code").values_list("pk", flat=True)[:3])
    units = ",".join(str(pk) for pk in esas)
    page.goto(f"/cockpit/compare/?round={nation.round.pk}&units={units}&indicators=onet_mean_p6,dropout_rate")
    page.locator("[data-testid=cockpit-compare]").wait_for()
    screenshot(page, "cockpit-compare-th")
    page.goto(f"/cockpit/cases/?round={nation.round.pk}")
    page.locator("[data-testid=case-gallery]").wait_for()
    assert page.locator("[data-testid=case-gallery] [data-testid^=case-]").count() >= 1
    screenshot(page, "cockpit-cases-th")
