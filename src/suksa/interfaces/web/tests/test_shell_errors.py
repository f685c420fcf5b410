"""Error pages: bilingual, a way back home, and a 500 that needs neither database nor request."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from suksa.interfaces.web.views import errors
from tests.factories import World


@pytest.mark.django_db
def test_not_found_is_bilingual_with_a_way_home(world: World) -> None:
    client = Client()
    client.force_login(world.user("executive"))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "ไม่พบหน้าที่ต้องการ" in html
    assert "Page not found" in html
    assert 'href="/"' in html
    assert "กลับหน้าหลัก" in html


@pytest.mark.django_db
def test_forbidden_is_bilingual(world: World) -> None:
    client = Client()
    client.force_login(world.user("teacher_a1_1"))
    response = client.get("/schools/1012000001/edit/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "ไม่มีสิทธิ์ทำรายการนี้" in html
    assert "Not allowed" in html


def test_server_error_renders_without_database_or_request() -> None:
    # No django_db mark: any query would raise here.
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "ระบบขัดข้อง" in html
    assert "Something went wrong" in html
    assert 'href="/"' in html


def test_server_error_falls_back_to_plain_html_when_templates_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(name: str) -> str:
        raise RuntimeError("template engine down")

    monkeypatch.setattr(errors, "_render", broken)
    response = errors.server_error(None)
    assert response.status_code == 500
    assert "ระบบขัดข้อง" in response.content.decode()
    assert "Server error" in response.content.decode()
