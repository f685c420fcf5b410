"""In a real browser: the ESA report editor autosaves each field, refuses a bad value in place, and
keeps the typed text when someone else saved first (optimistic locking)."""

from __future__ import annotations

from typing import Any

import pytest

from suksa.domains.monitoring.models import NarrativeEntry, Report
from suksa.domains.monitoring.services.reports import value_save
from suksa.domains.monitoring.tests.test_reports import prefilled_report, value_of, who
from tests.browser.conftest import log_in, screenshot
from tests.factories import World

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_editor_saves_as_you_type_refuses_bad_values_and_keeps_text_on_a_conflict(
    page: Any, live_server: Any, browser_world: World
) -> None:
    report = prefilled_report(browser_world)
    log_in(page, live_server, "esa_officer_a1")
    page.goto(f"/monitoring/reports/{report.pk}/")
    v0 = Report.objects.get(pk=report.pk).lock_version
    page.fill("#r-supervision_coverage", "64.5")
    page.locator("#st-v-supervision_coverage [data-testid=saved]").wait_for()
    assert value_of(report, "supervision_coverage").value == 64.5
    lvs = page.locator("input.lv").evaluate_all("els => els.map(e => e.value)")
    assert set(lvs) == {str(v0 + 1)}, lvs
    # Two fields in quick succession: queued, no self-conflict.
    page.fill("#t-s1_management", "สพท. ทบทวนแผนทุกไตรมาส")
    page.fill("#r-teacher_pd_hours", "24")
    page.locator("#st-v-teacher_pd_hours [data-testid=saved]").wait_for()
    page.locator("#st-n-s1_management [data-testid=saved]").wait_for()
    assert value_of(report, "teacher_pd_hours").value == 24
    assert (
        NarrativeEntry.objects.get(report=report, section__code="s1_management").text
        == "สพท. ทบทวนแผนทุกไตรมาส"
    )
    # A bad value: message, nothing saved.
    page.fill("#r-action_plan_completion", "12 คน")
    page.locator("#st-v-action_plan_completion [data-testid=save-error]").wait_for()
    assert (
        "หน่วยไม่ถูกต้อง: ตัวชี้วัดนี้ใช้หน่วยร้อยละ ไม่ใช่ “คน”"
        in page.locator("#st-v-action_plan_completion").inner_text()
    )
    assert value_of(report, "action_plan_completion").value is None
    # Someone else saves: the next save shows the conflict and keeps the text.
    current = Report.objects.get(pk=report.pk).lock_version
    value_save(
        actor=who(browser_world, "esa_director_a1"),
        report_id=report.pk,
        indicator_code="children_returned",
        raw="77",
        comment="จากผู้อำนวยการ",
        expected_version=current,
    )
    page.fill("#r-children_returned", "12")
    page.locator("#st-v-children_returned [data-testid=save-conflict]").wait_for()
    conflict = page.locator("#st-v-children_returned").inner_text()
    assert "มีผู้อื่นบันทึกรายงานนี้หลังจากที่คุณเปิด" in conflict
    assert "77 · จากผู้อำนวยการ" in conflict
    assert page.input_value("#r-children_returned") == "12"
    assert value_of(report, "children_returned").value == 77
    screenshot(page, "monitoring-editor-th")
