"""Search: Thai-aware, scoped to what the actor may see, live via HTMX and plain without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.factories import World

pytestmark = pytest.mark.django_db


def client_for(world: World, username: str) -> Client:
    client = Client()
    client.force_login(world.user(username))
    return client


def found_codes(response: Any) -> list[str]:
    return [r["unit"].code for r in response.context["results"]]


@pytest.mark.parametrize(
    "query",
    ["วัดท่าอิฐ", "โรงเรียนวัดท่าอิฐ", "รร.วัดท่าอิฐ", "1012000002", "School 1012000002", "school 1012000002", "ท่าอิฐ"],
)
def test_finds_a_school_however_its_name_is_typed(world: World, query: str) -> None:
    response = client_for(world, "esa_officer_a1").get("/org/search/", {"q": query})
    assert response.status_code == 200
    assert found_codes(response) == ["1012000002"]
    assert 'href="/schools/1012000002/"' in response.content.decode()


def test_search_never_reveals_units_outside_the_scope(world: World) -> None:
    response = client_for(world, "esa_officer_a1").get("/org/search/", {"q": "แม่ริม"})
    assert found_codes(response) == []
    html = response.content.decode()
    assert "โรงเรียนบ้านแม่ริม" not in html
    assert 'data-testid="search-empty"' in html
    assert "ไม่พบโรงเรียนหรือหน่วยงานที่ตรงกับคำค้น" in html


def test_a_national_user_finds_everywhere(world: World) -> None:
    response = client_for(world, "executive").get("/org/search/", {"q": "แม่ริม"})
    assert found_codes(response) == ["1050000001"]


def test_kind_filter_narrows_the_results(world: World) -> None:
    client = client_for(world, "executive")
    assert found_codes(client.get("/org/search/", {"q": "นนทบุรี"})) == ["11201", "21201"]
    assert found_codes(client.get("/org/search/", {"q": "นนทบุรี", "kind": "school"})) == []
    assert found_codes(client.get("/org/search/", {"q": "นนทบุรี", "kind": "bogus"})) == ["11201", "21201"]


def test_a_user_without_a_role_finds_nothing(world: World) -> None:
    response = client_for(world, "nobody").get("/org/search/", {"q": "โรงเรียน"})
    assert response.status_code == 200
    assert found_codes(response) == []


def test_without_javascript_the_search_is_a_full_page_with_a_get_form(world: World) -> None:
    response = client_for(world, "executive").get("/org/search/", {"q": "บ้าน"})
    html = response.content.decode()
    assert html.startswith("<!doctype html>")
    assert 'method="get" action="/org/search/"' in html
    assert '<label for="q"' in html
    assert 'hx-get="/org/search/"' in html
    assert "delay:300ms" in html
    assert found_codes(response) == ["1012000001", "1050000001"]


def test_htmx_gets_only_the_results_partial(world: World) -> None:
    response = client_for(world, "executive").get("/org/search/", {"q": "บ้าน"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-testid="search-results"' in html
    assert "โรงเรียนบ้านบางกร่าง" in html
    assert "โรงเรียนบ้านแม่ริม" in html
    restore = client_for(world, "executive").get(
        "/org/search/", {"q": "บ้าน"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restore.content.decode()


def test_an_empty_query_shows_the_form_only(world: World) -> None:
    response = client_for(world, "executive").get("/org/search/")
    assert response.status_code == 200
    assert response.context["results"] == []
    assert 'data-testid="search-empty"' not in response.content.decode()
