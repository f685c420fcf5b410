"""Browser tests: Playwright (sync API) driving Debian's chromium against pytest-django's live server.

No browser is downloaded: the tests use ``/usr/bin/chromium`` and skip, saying how to install it,
when it is missing. Each test gets the synthetic world of ``tests.factories.make_world`` in a
transactional database, so the live-server thread sees the same rows as the test.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.factories import PASSWORD, World, make_world

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run under one
# unless told that this (test-only) use is safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
MISSING_CHROMIUM = "Debian chromium is not installed: apt-get install chromium"


def pytest_configure(config: pytest.Config) -> None:
    # pytest-xdist registers this marker; declare it too so `-p no:xdist --strict-markers` works.
    config.addinivalue_line(
        "markers", "xdist_group(name): run in one xdist worker (pytest-xdist --dist loadgroup)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=MISSING_CHROMIUM)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


_AUDIT_GUARD = importlib.import_module("suksa.core.migrations.0002_reference_data_and_audit_guard")
_SQLITE_UNGUARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete;",
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    """Let the transactional flush empty the audit table, then make it append-only again.

    Signing in writes audit entries, and SQLite's append-only trigger refuses the DELETE that
    flushing the database issues (PostgreSQL flushes with TRUNCATE, which the trigger ignores).
    """
    blocker = (getattr(item, "funcargs", None) or {}).get("django_db_blocker")
    fixtures = getattr(item, "fixturenames", ())
    if blocker is None or "browser_world" not in fixtures or connection.vendor != "sqlite":
        yield
        return
    with blocker.unblock(), connection.cursor() as cursor:
        for sql in _SQLITE_UNGUARD:
            cursor.execute(sql)
    yield
    if nextitem is not None:  # after the last test the test database is already gone
        with blocker.unblock(), connection.cursor() as cursor:
            for sql in _AUDIT_GUARD.SQLITE_GUARD:
                cursor.execute(sql)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(MISSING_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_world(transactional_db: None, django_db_blocker: Any) -> World:
    return make_world()


@pytest.fixture
def page(chromium: Any, live_server: Any, browser_world: World) -> Iterator[Any]:
    # A Thai browser (LocaleMiddleware honours Accept-Language before the site default), and reduced
    # motion so that charts are drawn at once and screenshots are stable.
    context = chromium.new_context(
        base_url=live_server.url,
        locale="th-TH",
        viewport={"width": 1280, "height": 900},
        reduced_motion="reduce",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def login_url_exists() -> bool:
    try:
        reverse("web:login")
    except NoReverseMatch:
        return False
    return True


def log_in(page: Any, live_server: Any, username: str) -> None:
    """Sign in through the real login form; before it existed, a session cookie was planted."""
    if login_url_exists():
        page.goto("/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        return
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target
