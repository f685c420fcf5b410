"""End-to-end: sign in, switch language, walk the org tree, keyboard access, screenshots."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.factories import World

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_executive_drills_down_from_the_nation_to_a_school(
    page: Any, live_server: Any, browser_world: World
) -> None:
    log_in(page, live_server, "executive")
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.get_by_role("heading", level=1).inner_text() == "ภาพรวมการศึกษาขั้นพื้นฐานทั้งประเทศ"
    screenshot(page, "home-executive-th")

    page.get_by_role("link", name="หน่วยงานและโรงเรียน").click()
    page.wait_for_url("**/org/OBEC/")
    page.wait_for_selector(".chart svg")
    screenshot(page, "org-nation-th")

    page.locator("[data-testid=children-table]").get_by_role("link", name="เขตตรวจราชการที่ 1").click()
    page.wait_for_url("**/org/R01/")
    page.locator("[data-testid=children-table]").get_by_role(
        "link", name="สำนักงานเขตพื้นที่การศึกษาประถมศึกษานนทบุรี เขต 1"
    ).click()
    page.wait_for_url("**/org/11201/")
    screenshot(page, "org-esa-th")
    page.locator("[data-testid=children-table]").get_by_role("link", name="โรงเรียนวัดท่าอิฐ").click()
    page.wait_for_url("**/schools/1012000002/")
    crumbs = page.get_by_role("navigation", name="เส้นทาง").locator("li").all_inner_texts()
    assert crumbs == [
        "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน",
        "เขตตรวจราชการที่ 1",
        "สำนักงานเขตพื้นที่การศึกษาประถมศึกษานนทบุรี เขต 1",
        "โรงเรียนวัดท่าอิฐ",
    ]
    assert page.locator("[data-field=code]").inner_text() == "1012000002"
    screenshot(page, "school-profile-th")


def test_language_switches_to_english_and_back(page: Any, live_server: Any, browser_world: World) -> None:
    log_in(page, live_server, "esa_officer_a1")
    screenshot(page, "home-esa-officer-th")
    page.goto("/org/11201/")
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.get_by_role("link", name="หน่วยงานและโรงเรียน").is_visible()

    page.get_by_role("group", name="เลือกภาษา").get_by_role("button", name="EN").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.url.endswith("/org/11201/")  # the switch returns to the same page
    assert page.get_by_role("heading", level=1).inner_text() == "ESA 11201"
    assert page.get_by_role("link", name="Schools & offices").is_visible()
    assert page.get_by_role("button", name="EN").get_attribute("aria-pressed") == "true"
    screenshot(page, "org-esa-en")

    page.get_by_role("group", name="Choose language").get_by_role("button", name="ไทย").click()
    page.wait_for_function("document.documentElement.lang === 'th'")
    assert page.get_by_role("heading", level=1).inner_text() == "สำนักงานเขตพื้นที่การศึกษาประถมศึกษานนทบุรี เขต 1"


def test_keyboard_reaches_the_main_content_through_the_skip_link(
    page: Any, live_server: Any, browser_world: World
) -> None:
    log_in(page, live_server, "director_a1_1")
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]"
    )
    assert focused == ["ข้ามไปยังเนื้อหาหลัก", "#main"]
    assert page.locator(".skip-link").is_visible()  # visible once focused
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineWidth")
    assert outline == "3px"  # a visible focus ring
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    inside_main = page.evaluate("() => document.activeElement.closest('main') !== null")
    assert inside_main
    screenshot(page, "home-director-th")


def test_live_search_updates_as_you_type(page: Any, live_server: Any, browser_world: World) -> None:
    log_in(page, live_server, "executive")
    page.goto("/org/search/")
    page.get_by_label("คำค้น").press_sequentially("แม่ริม", delay=30)
    results = page.locator("#search-results [data-testid=search-results]")
    results.wait_for()
    assert results.locator("a").all_inner_texts() == ["โรงเรียนบ้านแม่ริม"]
    page.wait_for_url("**/org/search/?q=*")
    screenshot(page, "search-th")
    results.get_by_role("link", name="โรงเรียนบ้านแม่ริม").click()
    page.wait_for_url("**/schools/1050000001/")


def test_the_top_bar_search_works_without_javascript(
    chromium: Any, live_server: Any, browser_world: World
) -> None:
    context = chromium.new_context(base_url=live_server.url, locale="th-TH", java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, "esa_officer_a1")
        page.goto("/")
        page.get_by_label("ค้นหาโรงเรียนหรือหน่วยงาน").fill("ท่าอิฐ")
        page.get_by_label("ค้นหาโรงเรียนหรือหน่วยงาน").press("Enter")
        page.wait_for_url("**/org/search/?q=*")
        assert page.locator("[data-testid=search-results] a").all_inner_texts() == ["โรงเรียนวัดท่าอิฐ"]
    finally:
        context.close()


def test_a_director_edits_the_school_profile(page: Any, live_server: Any, browser_world: World) -> None:
    log_in(page, live_server, "director_a1_1")
    page.goto("/schools/1012000001/")
    page.get_by_role("link", name="แก้ไขข้อมูลโรงเรียน").click()
    page.get_by_label("โทรศัพท์").fill("โทร 02")
    page.get_by_role("button", name="บันทึก").click()
    assert page.locator("#id_phone-error").inner_text() == (
        "ใช้ได้เฉพาะตัวเลข เว้นวรรค และ + - ( ) / Use only digits, spaces and + - ( )"
    )
    screenshot(page, "school-edit-error-th")
    page.get_by_label("โทรศัพท์").fill("02-123-4567")
    page.get_by_role("button", name="บันทึก").click()
    page.wait_for_url("**/schools/1012000001/")
    assert page.get_by_role("status").first.inner_text() == "บันทึกข้อมูลโรงเรียนแล้ว"
    assert page.locator("[data-field=phone]").inner_text() == "02-123-4567"


def test_unknown_pages_show_the_bilingual_not_found_page(
    page: Any, live_server: Any, browser_world: World
) -> None:
    log_in(page, live_server, "director_a1_1")
    response = page.goto("/org/15001/")
    assert response is not None
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "ไม่พบหน้าที่ต้องการ"
    assert page.get_by_role("heading", level=2).inner_text() == "Page not found"
    screenshot(page, "not-found")
    page.get_by_role("link", name="กลับหน้าหลัก").click()
    page.wait_for_url(f"{live_server.url}/")


def test_on_a_phone_the_menu_folds_behind_a_labelled_button(
    chromium: Any, live_server: Any, browser_world: World
) -> None:
    context = chromium.new_context(
        base_url=live_server.url, locale="th-TH", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    try:
        log_in(page, live_server, "esa_officer_a1")
        page.goto("/org/11201/")
        menu_link = page.get_by_role("link", name="หน่วยงานและโรงเรียน")
        assert not menu_link.is_visible()
        toggler = page.get_by_role("button", name="เปิดหรือปิดเมนู")
        assert toggler.get_attribute("aria-expanded") == "false"
        toggler.click()
        menu_link.wait_for(state="visible")
        page.wait_for_selector("#suksa-nav.collapse.show")  # the opening animation has finished
        assert toggler.get_attribute("aria-expanded") == "true"
        screenshot(page, "org-esa-phone-th")
    finally:
        context.close()
