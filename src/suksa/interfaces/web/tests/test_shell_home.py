"""The shell and the home page: who sees what first, navigation by permission, language switch."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.factories import World

pytestmark = pytest.mark.django_db


def client_for(world: World, username: str | None) -> Client:
    client = Client()
    if username is not None:
        client.force_login(world.user(username))
    return client


def url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def test_anonymous_is_sent_to_the_login_page(world: World) -> None:
    response = client_for(world, None).get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('web:login')}?next=/"


@pytest.mark.parametrize(
    ("username", "heading", "present", "absent"),
    [
        (
            "executive",
            "ภาพรวมการศึกษาขั้นพื้นฐานทั้งประเทศ",
            ["เขตตรวจราชการที่ 1", "เขตตรวจราชการที่ 2", "2,375"],
            [],
        ),
        (
            "me_officer",
            "ภาพรวมการศึกษาขั้นพื้นฐานทั้งประเทศ",
            ["เขตตรวจราชการที่ 1", "เขตตรวจราชการที่ 2"],
            [],
        ),
        (
            "inspector_r1",
            "ภาพรวมเขตตรวจราชการ",
            ["สำนักงานเขตพื้นที่การศึกษาประถมศึกษานนทบุรี เขต 1", "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษานนทบุรี"],
            ["เชียงใหม่", "เขตตรวจราชการที่ 2"],
        ),
        (
            "esa_officer_a1",
            "สำนักงานเขตพื้นที่การศึกษาของคุณ",
            ["โรงเรียนบ้านบางกร่าง", "โรงเรียนวัดท่าอิฐ"],
            ["โรงเรียนนนทรีวิทยา", "โรงเรียนบ้านแม่ริม"],
        ),
        (
            "esa_director_a1",
            "สำนักงานเขตพื้นที่การศึกษาของคุณ",
            ["โรงเรียนบ้านบางกร่าง", "โรงเรียนวัดท่าอิฐ"],
            ["โรงเรียนนนทรีวิทยา"],
        ),
        ("director_a1_1", "โรงเรียนของคุณ", ["โรงเรียนบ้านบางกร่าง", "ขนาดเล็ก"], ["โรงเรียนวัดท่าอิฐ"]),
        ("staff_a1_1", "โรงเรียนของคุณ", ["โรงเรียนบ้านบางกร่าง"], ["โรงเรียนวัดท่าอิฐ"]),
        ("teacher_a1_1", "โรงเรียนของคุณ", ["โรงเรียนบ้านบางกร่าง"], ["โรงเรียนวัดท่าอิฐ"]),
        ("dpo", "การคุ้มครองข้อมูลส่วนบุคคล", ["เขตตรวจราชการที่ 1"], []),
        ("dpo_a1", "การคุ้มครองข้อมูลส่วนบุคคล", ["โรงเรียนวัดท่าอิฐ"], ["โรงเรียนบ้านแม่ริม"]),
        ("sysadmin", "การดูแลระบบ", ["เขตตรวจราชการที่ 2"], []),
        ("sysadmin_a1", "การดูแลระบบ", ["โรงเรียนวัดท่าอิฐ"], ["โรงเรียนบ้านแม่ริม"]),
    ],
)
def test_each_role_gets_its_own_home_page(
    world: World, username: str, heading: str, present: list[str], absent: list[str]
) -> None:
    response = client_for(world, username).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f">{heading}</h1>" in html
    for text in present:
        assert text in html, text
    for text in absent:
        assert text not in html, text


def test_a_user_without_a_role_is_told_to_contact_the_administrator(world: World) -> None:
    response = client_for(world, "nobody").get("/")
    assert response.status_code == 200
    assert response.templates[0].name == "web/home_no_role.html"
    html = response.content.decode()
    assert "ยังไม่ได้รับบทบาทในระบบ" in html
    assert "No role assigned yet" in html
    assert "contact the administrator" in html


@pytest.mark.parametrize(
    ("username", "sees_users", "sees_audit", "sees_import"),
    [
        ("teacher_a1_1", False, False, False),
        ("esa_officer_a1", False, False, False),
        ("director_a1_1", True, False, False),
        ("dpo", True, True, False),
        ("sysadmin", True, True, True),
    ],
)
def test_navigation_shows_only_what_the_actor_may_open(
    world: World, username: str, sees_users: bool, sees_audit: bool, sees_import: bool
) -> None:
    html = client_for(world, username).get("/").content.decode()
    nav = html.split('aria-label="เมนูหลัก"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("web:home")}"' in nav
    assert f'href="{reverse("web:org_root")}"' in nav
    for name, expected in (
        (url_or_none("web:users") or url_or_none("web:user_list"), sees_users),
        (url_or_none("web:audit") or url_or_none("web:audit_list"), sees_audit),
        (url_or_none("web:orgunit_import"), sees_import),
    ):
        if name is not None:
            assert (f'href="{name}"' in nav) is expected, (name, expected)


def test_the_shell_names_the_user_their_roles_and_offers_logout(world: World) -> None:
    html = client_for(world, "director_a1_1").get("/").content.decode()
    assert "ทดสอบ director_a1_1" in html
    assert "ผู้อำนวยการโรงเรียน (1012000001)" in html
    logout = url_or_none("web:logout")
    if logout is not None:
        assert f'action="{logout}" method="post"' in html
        assert "ออกจากระบบ" in html


def test_the_shell_is_accessible_by_structure(world: World) -> None:
    html = client_for(world, "executive").get("/").content.decode()
    assert '<html lang="th">' in html
    assert '<a class="visually-hidden-focusable skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<header class="suksa-topbar' in html
    assert 'aria-label="เลือกภาษา"' in html
    assert 'aria-current="page"' in html
    assert '<label class="visually-hidden" for="topbar-q">' in html


def test_language_switches_from_thai_to_english_and_back(world: World) -> None:
    client = client_for(world, "executive")
    first = client.get("/").content.decode()
    assert '<html lang="th">' in first
    assert "ภาพรวมการศึกษาขั้นพื้นฐานทั้งประเทศ" in first
    assert ">หน้าหลัก</a>" in first

    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/org/R01/"})
    assert switched.status_code == 302
    assert switched["Location"] == "/org/R01/"
    english = client.get("/").content.decode()
    assert '<html lang="en">' in english
    assert "Basic education nationwide at a glance" in english
    assert ">Home</a>" in english
    assert "ภาพรวมการศึกษาขั้นพื้นฐานทั้งประเทศ" not in english
    assert "Inspection Region 1" in english  # English unit names when the language is English

    client.post("/i18n/setlang/", {"language": "th", "next": "/"})
    assert "ภาพรวมการศึกษาขั้นพื้นฐานทั้งประเทศ" in client.get("/").content.decode()


def test_static_assets_are_vendored_not_fetched_from_a_cdn(world: World) -> None:
    html = client_for(world, "executive").get("/org/OBEC/").content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "/static/vendor/echarts/echarts.min.js" in html
    assert "https://" not in html


def test_the_dpo_and_sysadmin_get_their_tools_first(world: World) -> None:
    audit = url_or_none("web:audit") or url_or_none("web:audit_list")
    users = url_or_none("web:users") or url_or_none("web:user_list")
    imports = url_or_none("web:orgunit_import")
    dpo = client_for(world, "dpo").get("/")
    assert dpo.context["shortcuts_first"] is True
    assert [s.url for s in dpo.context["shortcuts"]] == [u for u in (audit, users) if u]
    sysadmin = client_for(world, "sysadmin").get("/")
    assert [s.url for s in sysadmin.context["shortcuts"]] == [u for u in (audit, users, imports) if u]
    director = client_for(world, "director_a1_1").get("/")
    assert director.context["shortcuts_first"] is False
    assert [s.url for s in director.context["shortcuts"]] == [u for u in (users,) if u]
    assert [s.url for s in client_for(world, "teacher_a1_1").get("/").context["shortcuts"]] == []


def test_a_school_editor_gets_an_edit_link_on_the_home_page(world: World) -> None:
    assert 'href="/schools/1012000001/edit/"' in client_for(world, "director_a1_1").get("/").content.decode()
    assert "/edit/" not in client_for(world, "teacher_a1_1").get("/").content.decode()


def test_a_person_with_roles_in_two_places_sees_both(world: World) -> None:
    from suksa.domains.accounts.models import RoleAssignment

    user = world.user("director_a1_1")
    RoleAssignment.objects.create(user=user, role="teacher", unit=world.school_b1_1)
    client = client_for(world, "director_a1_1")
    response = client.get("/")
    assert [p.unit.code for p in response.context["panels"]] == ["1012000001", "1050000001"]
    assert client.get("/org/")["Location"] == "/org/OBEC/"  # two roots: start at the top


def test_the_shell_context_is_safe_without_an_actor_on_the_request() -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from suksa.interfaces.web.context import shell

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    context = shell(request)["shell"]
    assert context["is_authenticated"] is False
    assert context["nav"] == []
    assert context["language"] == "th"


def test_national_home_lists_regions_in_numeric_order(world):
    """Region 10 comes after region 2, as in the org browser (not in plain string order)."""
    from tests.factories import make_unit

    make_unit("region", "R10", "เขตตรวจราชการที่ 10", world.nation)
    client = Client()
    client.force_login(world.user("executive"))
    html = client.get("/").content.decode()
    positions = [html.index(f">เขตตรวจราชการที่ {n}<") for n in (1, 2, 10)]
    assert positions == sorted(positions)


def test_signed_in_users_find_the_change_password_link(world):
    client = Client()
    client.force_login(world.user("teacher_a1_1"))
    assert 'href="/account/password/">เปลี่ยนรหัสผ่าน</a>' in client.get("/").content.decode()
