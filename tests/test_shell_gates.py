"""Cross-cutting gates: Thai first for web pages, and the admin only for system administrators."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_web_pages_stay_thai_for_an_english_browser(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    response = client.get("/login/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "th"


@pytest.mark.django_db
def test_the_language_switch_still_turns_pages_english(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="th")
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert client.get("/login/").headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_api_keeps_accept_language(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.headers["Content-Language"] == "en"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "status"),
    [("sysadmin", 200), ("sysadmin_a1", 200), ("esa_director_a1", 302), ("dpo", 302), ("executive", 302)],
)
def test_admin_is_for_system_administrators_only(world, username, status):
    client = Client()
    client.force_login(world.user(username))
    response = client.get("/admin/")
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_admin_refuses_anonymous(world):
    response = Client().get("/admin/accounts/user/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login/")
