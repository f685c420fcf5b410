"""End-to-end in a real browser: the student register, the census and the scope of both.

A school director registers a learner, finds them in the register, opens their profile and records
a dropout; a director certifies the census snapshot and the ESA acknowledges it; an officer of
another ESA finds neither the board nor the learner. (Attendance: ``test_attendance_phone.py``.)

The pages work on the real date (the live server runs in this process, but registration, dropout
and certification all read ``timezone.localdate()``), so each test works out "today", the current
academic year and its latest past census date instead of fixing them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from suksa.core.dates import academic_year_be_of, format_be, format_be_input
from suksa.core.identifiers import format_citizen_id
from suksa.core.models import CensusDate
from suksa.core.policy import SYSTEM
from suksa.domains.students.models import CensusReturn, CensusRound, Enrolment, Student
from suksa.domains.students.models.choices import EnrolmentStatus
from suksa.domains.students.services.census import census_round_open
from suksa.domains.students.tests.factories import OFFICIAL_AGE, academic_year, citizen_id, make_student
from tests.browser.conftest import log_in, screenshot
from tests.factories import World

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NOT_FOUND_TH = "ไม่พบหน้าที่ต้องการ"


def _today() -> dt.date:
    return timezone.localdate()


def _open_round_on_a_past_census_date() -> CensusRound:
    """Open (as the CLI's SYSTEM actor) the round of this academic year's latest census date that
    has come; before the first one (16 May – 9 June) move that date to today."""
    today = _today()
    year = academic_year(academic_year_be_of(today))
    census_date = CensusDate.objects.filter(academic_year=year, date__lte=today).order_by("-date").first()
    if census_date is None:
        census_date = CensusDate.objects.filter(academic_year=year).order_by("date").first()
        assert census_date is not None
        census_date.date = today
        census_date.save(update_fields=["date"])
    return census_round_open(actor=SYSTEM, census_date=census_date)


def _main_text(page: Any) -> str:
    return str(page.locator("main").inner_text())


def test_a_director_registers_a_learner_finds_them_and_records_a_dropout(
    page: Any, live_server: Any, browser_world: World
) -> None:
    school = browser_world.school_a1_1
    today = _today()
    year_be = academic_year_be_of(today)
    cid = citizen_id()
    birth = dt.date(year_be - 543 - OFFICIAL_AGE["P1"], 3, 1)

    log_in(page, live_server, "director_a1_1")
    page.goto(f"/schools/{school.code}/")
    page.get_by_role("navigation", name="หน้าที่เกี่ยวข้อง").get_by_role("link", name="ทะเบียนนักเรียน").click()
    page.wait_for_url(f"**/students/?school={school.code}")
    assert page.get_by_role("heading", level=1).inner_text() == "ทะเบียนนักเรียน"
    screenshot(page, "students-register-th")

    # Register a learner through the form.
    page.get_by_role("link", name="ลงทะเบียนนักเรียนใหม่").click()
    page.wait_for_url(f"**/students/new/?school={school.code}")
    assert f"({school.code})" in _main_text(page)
    page.get_by_label("เลขประจำตัวประชาชน 13 หลัก หรือรหัส G").fill(cid)
    page.get_by_label("คำนำหน้า").fill("เด็กหญิง")
    page.get_by_label("ชื่อ (ไทย)").fill("พิมพ์ชนก")
    page.get_by_label("นามสกุล (ไทย)").fill("ศรีสุข")
    page.get_by_label("ชื่อ (อังกฤษ)").fill("Pimchanok")
    page.get_by_label("นามสกุล (อังกฤษ)").fill("Srisuk")
    page.get_by_label("เพศ").select_option("F")
    page.get_by_label("วันเกิด (พ.ศ.)").fill(format_be_input(birth))
    page.get_by_label("ชั้น").select_option("P1")
    page.get_by_label("ห้อง").fill("2")
    screenshot(page, "students-register-form-th")
    with page.expect_navigation():
        page.get_by_role("button", name="ลงทะเบียน", exact=True).click()
    student = Student.objects.get(citizen_id=cid)
    assert page.url.endswith(f"/students/{student.pk}/")
    assert "ลงทะเบียนนักเรียนเรียบร้อย" in page.locator("body").inner_text()

    # Find them in the register by the citizen ID.
    page.get_by_role("link", name="← ทะเบียนนักเรียน").click()
    page.wait_for_url(f"**/students/?school={school.code}")
    search = page.locator("main").get_by_role("search")
    search.get_by_label("ค้นหา (ชื่อ หรือเลขประจำตัว)").fill(cid)
    search.get_by_role("button", name="ค้นหา", exact=True).click()
    page.wait_for_url(re.compile(rf"[?&]q={cid}"))
    assert page.locator("#register-counts").inner_text() == "พบ 1 คน (ชาย 0 · หญิง 1)"
    rows = page.locator("main table tbody tr")
    assert rows.count() == 1
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[0] == format_citizen_id(cid)
    assert cells[1].startswith("เด็กหญิงพิมพ์ชนก ศรีสุข")
    assert cells[2:] == ["หญิง", "โรงเรียนบ้านบางกร่าง", str(year_be), "ป.1/2", "กำลังศึกษา"]
    screenshot(page, "students-register-search-th")

    # The profile: Thai text and Buddhist-Era dates.
    rows.first.get_by_role("link", name="เด็กหญิงพิมพ์ชนก ศรีสุข").click()
    page.wait_for_url(f"**/students/{student.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "เด็กหญิงพิมพ์ชนก ศรีสุข Pimchanok Srisuk"
    assert page.locator("#citizen-id").inner_text() == format_citizen_id(cid)
    profile = _main_text(page)
    assert f"{format_be(birth, 'th', 'long')} (อายุ " in profile
    assert "โรงเรียนบ้านบางกร่าง (1012000001)" in profile
    history = page.locator("#history tbody tr")
    assert history.count() == 1
    assert history.first.locator("td").all_inner_texts() == [
        str(year_be),
        "โรงเรียนบ้านบางกร่าง (1012000001)",
        "ป.1/2",
        "รับเข้าใหม่",
        "กำลังศึกษา",
        format_be(today, "th"),  # registered today
        "–",
    ]
    screenshot(page, "students-profile-th")

    # Record a dropout with a reason.
    page.get_by_role("link", name="บันทึกออกกลางคัน").click()
    page.wait_for_url(f"**/students/{student.pk}/drop-out/")
    assert page.get_by_role("heading", level=1).inner_text() == "บันทึกนักเรียนออกกลางคัน"
    assert page.get_by_label("วันที่ออก (พ.ศ.)").input_value() == format_be_input(today)
    page.get_by_label("สาเหตุ").select_option(label="ฐานะยากจน")
    page.get_by_label("บันทึก", exact=True).fill("ครอบครัวย้ายไปทำงานต่างจังหวัด")
    screenshot(page, "students-dropout-form-th")
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="บันทึก", exact=True).click()
    assert page.url.endswith(f"/students/{student.pk}/")
    assert "บันทึกการออกกลางคันแล้ว" in page.locator("body").inner_text()
    assert "ไม่ได้กำลังศึกษา" in _main_text(page)
    cells = page.locator("#history tbody tr").first.locator("td").all_inner_texts()
    assert cells[4:] == ["ออกกลางคัน (ฐานะยากจน)", format_be(today, "th"), format_be(today, "th")]
    assert page.get_by_role("link", name="รับกลับเข้าเรียน").is_visible()
    assert page.get_by_role("link", name="บันทึกออกกลางคัน").count() == 0
    screenshot(page, "students-profile-dropped-out-th")

    enrolment = Enrolment.objects.get(student=student)
    assert (enrolment.status, enrolment.exit_reason, enrolment.ends_on) == (
        EnrolmentStatus.DROPPED_OUT,
        "01",
        today,
    )
    assert enrolment.exit_note == "ครอบครัวย้ายไปทำงานต่างจังหวัด"

    # The register shows the learner as having left; the ID as printed on the profile finds them too.
    page.goto(f"/students/?school={school.code}&q={format_citizen_id(cid)}")
    assert page.locator("#register-counts").inner_text() == "พบ 1 คน (ชาย 0 · หญิง 1)"
    assert page.locator("main table tbody tr").first.locator("td").last.inner_text() == "ออกแล้ว"


def test_a_director_certifies_the_census_and_the_esa_acknowledges_it(
    page: Any, live_server: Any, browser_world: World
) -> None:
    school = browser_world.school_a1_1
    year_be = academic_year_be_of(_today())
    for sex in ("F", "F", "M"):
        make_student(school, grade="P1", room=1, sex=sex, year_be=year_be)
    make_student(school, grade="P2", room=1, sex="M", year_be=year_be)
    census_round = _open_round_on_a_past_census_date()
    census_day = census_round.census_date

    log_in(page, live_server, "director_a1_1")
    page.goto(f"/schools/{school.code}/")
    page.get_by_role("navigation", name="หน้าที่เกี่ยวข้อง").get_by_role("link", name="การนับจำนวนนักเรียน").click()
    page.wait_for_url(f"**/schools/{school.code}/census/")
    row = page.locator(f"tr[data-round={census_day.round}]")
    assert row.locator("td").nth(0).inner_text() == format_be(census_day.date, "th", "long")
    assert row.locator("td").nth(2).inner_text() == "ยังไม่ได้ดึงข้อมูล"
    row.get_by_role("link", name="เปิดดู").click()
    page.wait_for_url(re.compile(rf"\?round={census_round.pk}&year={year_be}$"))
    assert "ยังไม่ได้ดึงข้อมูล ณ วันนับของรอบนี้" in _main_text(page)
    screenshot(page, "census-school-before-th")

    # Take the snapshot.
    with page.expect_navigation():
        page.get_by_role("button", name="ดึงข้อมูล ณ วันนับ").click()
    assert "ดึงข้อมูล ณ วันนับแล้ว กรุณาตรวจสอบก่อนรับรอง" in page.locator("body").inner_text()
    assert page.locator("[data-testid=return-status] strong").inner_text() == "ร่าง (ยังไม่รับรอง)"
    assert page.locator("[data-testid=effective-total]").inner_text() == "4"
    table = page.locator("[data-testid=grade-sex-table]")
    assert table.locator("tr[data-grade=P1]").locator("td").all_inner_texts() == ["1", "2", "3"]
    assert table.locator("tr[data-grade=P2]").locator("td").all_inner_texts() == ["1", "0", "1"]
    assert table.locator("[data-testid=table-total]").inner_text() == "4"
    screenshot(page, "census-school-draft-th")

    # Certifying without ticking the box is refused by the browser (the box is required).
    certify = page.locator("[data-testid=certify-form]")
    url = page.url
    certify.get_by_role("button", name="รับรองข้อมูล").click()
    assert certify.locator("#confirm").evaluate("box => box.validity.valueMissing") is True
    assert page.url == url
    assert CensusReturn.objects.get(round=census_round, school=school).status == CensusReturn.Status.DRAFT
    certify.get_by_label(re.compile("ข้าพเจ้าขอรับรองว่าจำนวนนักเรียน ณ วันที่")).check()
    with page.expect_navigation():
        certify.get_by_role("button", name="รับรองข้อมูล").click()
    assert "รับรองข้อมูลแล้ว" in page.locator("body").inner_text()
    assert page.locator("[data-testid=return-status] strong").inner_text() == "ผู้อำนวยการรับรองแล้ว"
    assert page.locator("[data-testid=certify-form]").count() == 0
    assert page.get_by_role("button", name="ดึงข้อมูลใหม่").count() == 0
    screenshot(page, "census-school-certified-th")

    # The ESA officer acknowledges it on the board.
    page.context.clear_cookies()
    log_in(page, live_server, "esa_officer_a1")
    page.goto(f"/esa/{browser_world.esa_a1.code}/census/?round={census_round.pk}")
    board = page.locator("[data-testid=board]")
    mine = board.locator(f"tr[data-school='{school.code}']")
    other = board.locator(f"tr[data-school='{browser_world.school_a1_2.code}']")
    assert mine.locator("td").nth(2).inner_text() == "ผู้อำนวยการรับรองแล้ว"
    assert mine.locator("td").nth(3).inner_text() == "4"
    assert other.locator("td").nth(2).inner_text() == "ยังไม่ได้ดึงข้อมูล"
    assert board.locator("tbody tr").count() == 2  # only ESA a1's schools
    screenshot(page, "census-esa-certified-th")

    with page.expect_navigation():
        mine.get_by_role("button", name="รับทราบ", exact=True).click()
    assert "รับทราบแล้ว 1 โรงเรียน" in page.locator("body").inner_text()
    mine = page.locator(f"[data-testid=board] tr[data-school='{school.code}']")
    assert mine.get_attribute("data-status") == "acknowledged"
    assert mine.locator("td").nth(2).inner_text() == "เขตรับทราบแล้ว"
    assert mine.locator("td").nth(5).inner_text().startswith(format_be(_today(), "th") + " ")  # with the time
    assert page.locator("[data-testid=headcount-total]").inner_text() == "4"
    assert page.get_by_role("button", name=re.compile("รับทราบทุกโรงเรียนที่รับรองแล้ว")).count() == 0
    screenshot(page, "census-esa-acknowledged-th")

    ret = CensusReturn.objects.get(round=census_round, school=school)
    assert ret.status == CensusReturn.Status.ACKNOWLEDGED
    assert ret.acknowledged_by_id == browser_world.user("esa_officer_a1").pk


def test_an_officer_of_another_esa_finds_neither_the_board_nor_the_learner(
    page: Any, live_server: Any, browser_world: World
) -> None:
    school = browser_world.school_a1_1
    learner = make_student(
        school, year_be=academic_year_be_of(_today()), first_name_th="วรรณวิสา", last_name_th="ทองดี"
    )
    census_round = _open_round_on_a_past_census_date()

    log_in(page, live_server, "esa_officer_b1")
    response = page.goto(f"/esa/{browser_world.esa_a1.code}/census/?round={census_round.pk}")
    assert response is not None
    assert response.status == 404
    assert NOT_FOUND_TH in page.locator("body").inner_text()
    assert page.locator("[data-testid=board]").count() == 0
    assert school.name_th not in page.content()
    screenshot(page, "census-esa-other-esa-not-found-th")

    response = page.goto(f"/students/{learner.pk}/")
    assert response is not None
    assert response.status == 404
    body = page.locator("body").inner_text()
    assert NOT_FOUND_TH in body
    assert "วรรณวิสา" not in page.content()
    assert "ทองดี" not in page.content()
    screenshot(page, "students-profile-other-esa-not-found-th")

    # The register does not find them by name or by ID either.
    for query in ("วรรณวิสา", learner.citizen_id):
        page.goto(f"/students/?q={query}")
        assert page.locator("#register-counts").inner_text() == "พบ 0 คน (ชาย 0 · หญิง 0)"
        assert "วรรณวิสา" not in page.locator("main table").inner_text()

    # Their own ESA's board opens.
    response = page.goto(f"/esa/{browser_world.esa_b1.code}/census/?round={census_round.pk}")
    assert response is not None
    assert response.status == 200
    assert (
        page.locator(f"[data-testid=board] tr[data-school='{browser_world.school_b1_1.code}']").count() == 1
    )
