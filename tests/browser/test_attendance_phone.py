"""End-to-end on a phone (390×844): a homeroom teacher marks one learner absent and saves."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from suksa.domains.students import selectors_attendance as sa
from suksa.domains.students.models import AttendanceMark
from suksa.domains.students.tests.factories import make_classroom, make_student
from tests.browser.conftest import log_in, screenshot
from tests.factories import World

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TODAY = dt.date(2026, 6, 19)  # a Friday in semester 1 of 2569


def test_a_teacher_marks_a_learner_absent_on_a_phone(
    chromium: Any, live_server: Any, browser_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sa, "today", lambda: TODAY)  # the live server runs in this process
    school = browser_world.school_a1_1
    names = ["กมลชนก", "ขวัญใจ", "คณิตา", "จิรายุ", "ชนิดา"]
    learners = [make_student(school, grade="P1", room=1, first_name_th=n, last_name_th="ใจดี") for n in names]
    room = make_classroom(school, "P1", 1, teachers=(browser_world.user("teacher_a1_1"),))
    absent = learners[1]

    context = chromium.new_context(
        base_url=live_server.url,
        locale="th-TH",
        viewport={"width": 390, "height": 844},
        reduced_motion="reduce",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, live_server, "teacher_a1_1")
        page.goto("/attendance/")
        page.get_by_role("link", name="ป.1/1").click()
        page.wait_for_url(f"**/attendance/rooms/{room.pk}/")
        assert page.locator("[data-testid=sheet-date]").inner_text() == "19 มิถุนายน 2569"
        assert page.locator("fieldset.att-row").count() == 5
        # Every learner starts as present; the buttons are big enough to tap.
        assert page.locator("input[value=P]:checked").count() == 5
        button = page.locator(f'label[for="m_{absent.pk}_A"]')
        box = button.bounding_box()
        assert box is not None
        assert box["height"] >= 44
        assert box["width"] >= 44
        screenshot(page, "attendance-room-phone-before")

        button.click()
        assert page.locator(f"#m_{absent.pk}_A").is_checked()
        page.get_by_role("button", name="บันทึก", exact=True).click()
        page.locator("[data-testid=saved]").wait_for()
        assert (
            "บันทึกการมาเรียนวันที่ 19 มิถุนายน 2569 แล้ว (5 คน)" in page.locator("[data-testid=saved]").inner_text()
        )
        assert page.locator(f"#m_{absent.pk}_A").is_checked()
        screenshot(page, "attendance-room-phone-saved")

        page.reload()
        assert page.locator(f"#m_{absent.pk}_A").is_checked()
        assert page.locator("input[value=P]:checked").count() == 4
    finally:
        context.close()

    assert dict(AttendanceMark.objects.filter(date=TODAY).values_list("student_id", "code")) == {
        s.pk: ("A" if s == absent else "P") for s in learners
    }
