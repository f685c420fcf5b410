"""End-to-end: revoking a role asks first, and dismissing the question changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from suksa.domains.accounts.models import RoleAssignment
from tests.browser.conftest import log_in
from tests.factories import World

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_revoking_a_role_asks_first(page: Any, live_server: Any, browser_world: World) -> None:
    teacher = browser_world.user("teacher_a1_1")
    log_in(page, live_server, "sysadmin_a1")
    page.goto(f"/users/{teacher.pk}/")
    questions: list[str] = []

    page.once("dialog", lambda d: (questions.append(d.message), d.dismiss()))
    page.get_by_role("button", name="ถอนบทบาท").click()
    assert questions == ["ถอนบทบาทนี้หรือไม่ ผู้ใช้จะเสียสิทธิ์ในหน่วยงานนี้ทันที"]
    assert RoleAssignment.objects.get(user=teacher).revoked_at is None

    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="ถอนบทบาท").click()
    assert RoleAssignment.objects.get(user=teacher).revoked_at is not None
