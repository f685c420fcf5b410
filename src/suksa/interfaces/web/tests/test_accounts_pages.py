"""UMS web pages: login, lockout, logout, forced password change and the user-administration pages.

The authorization matrix covers anonymous people, another school, another ESA, the same ESA and
national roles; every denial asserts that nothing changed.
"""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse

from suksa.core.models import AuditEntry
from suksa.domains.accounts.models import RoleAssignment, User
from tests.factories import PASSWORD, World


def counts() -> tuple[int, int, int]:
    return User.objects.count(), RoleAssignment.objects.count(), AuditEntry.objects.count()


def client_for(world: World, name: str) -> Client:
    client = Client()
    if name != "anonymous":
        client.force_login(world.user(name))
    return client


# --- login, lockout, logout ------------------------------------------------------------------------


def test_login_page_has_labelled_fields(world: World) -> None:
    response = Client().get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label class="form-label" for="id_username">ชื่อผู้ใช้</label>' in html
    assert '<label class="form-label" for="id_password">รหัสผ่าน</label>' in html


def test_login_success_redirects_and_is_audited(world: World) -> None:
    client = Client()
    response = client.post("/login/", {"username": "teacher_a1_1", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, reverse("web:home"))
    assert client.session["_auth_user_id"] == str(world.user("teacher_a1_1").pk)
    entry = AuditEntry.objects.get(action="login")
    assert (entry.actor_username, entry.unit_path, entry.changes) == (
        "teacher_a1_1",
        world.school_a1_1.path,
        {"detail": "password"},
    )


def test_login_keeps_a_safe_next_and_drops_an_unsafe_one(world: World) -> None:
    response = Client().post("/login/?next=/users/", {"username": "sysadmin", "password": PASSWORD})
    assert response["Location"] == "/users/"
    response = Client().post(
        "/login/?next=https://evil.example/", {"username": "sysadmin", "password": PASSWORD}
    )
    assert response["Location"] == reverse("web:home")


def test_failed_login_shows_a_bilingual_error_and_is_audited(world: World) -> None:
    client = Client()
    response = client.post("/login/", {"username": "teacher_a1_1", "password": "wrong"})
    assert response.status_code == 200
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง · The username or password is incorrect" in response.content.decode()
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="login_failed")
    assert (entry.actor_username, entry.actor_id, entry.object_id) == (
        "teacher_a1_1",
        None,
        str(world.user("teacher_a1_1").pk),
    )


def test_sixth_attempt_is_refused_even_with_the_right_password(world: World) -> None:
    client = Client()
    for _ in range(5):
        response = client.post("/login/", {"username": "teacher_a1_1", "password": "wrong-password"})
    response = client.post("/login/", {"username": "teacher_a1_1", "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "บัญชีถูกระงับชั่วคราว" in html
    assert "After 5 failed attempts" in html
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="login").count() == 0
    assert AuditEntry.objects.filter(action="login_failed").count() == 6
    # The fifth failure is what locks the pair, so it and the sixth attempt are both marked.
    assert AuditEntry.objects.filter(action="login_failed", changes__detail="locked_out").count() == 2
    # Another username from the same address is not locked.
    response = Client().post("/login/", {"username": "director_a1_1", "password": PASSWORD})
    assert response.status_code == 302


def test_logout_is_post_only_and_audited(world: World) -> None:
    client = client_for(world, "teacher_a1_1")
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert (response.status_code, response["Location"]) == (302, reverse("web:login"))
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="logout", actor_username="teacher_a1_1").count() == 1


# --- forced password change -------------------------------------------------------------------------


def test_must_change_password_sends_the_user_to_change_it_first(world: World) -> None:
    user = world.user("director_a1_1")
    user.must_change_password = True
    user.save()
    client = client_for(world, "director_a1_1")
    response = client.get("/users/")
    assert (response.status_code, response["Location"]) == (302, "/account/password/?next=%2Fusers%2F")
    response = client.get("/account/password/")
    assert "รหัสผ่านของคุณถูกตั้งโดยผู้ดูแลระบบ" in response.content.decode()
    response = client.post(
        "/account/password/?next=/users/",
        {
            "old_password": PASSWORD,
            "new_password": "Mango-Sticky-Rice-2569",
            "new_password_again": "Mango-Sticky-Rice-2569",
        },
    )
    assert (response.status_code, response["Location"]) == (302, "/users/")
    user.refresh_from_db()
    assert user.must_change_password is False
    assert user.check_password("Mango-Sticky-Rice-2569")
    assert client.get("/users/").status_code == 200  # the session survived the change


def test_password_change_errors_are_next_to_fields_in_both_languages(world: World) -> None:
    client = client_for(world, "teacher_a1_1")
    response = client.post(
        "/account/password/", {"old_password": "wrong", "new_password": "123", "new_password_again": "456"}
    )
    html = response.content.decode()
    assert "รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน · The two new passwords differ" in html
    world.user("teacher_a1_1").refresh_from_db()
    assert world.user("teacher_a1_1").check_password(PASSWORD)


# --- authorization matrix for the administration pages -----------------------------------------------

VIEWERS = {"director_a1_1", "esa_director_a1", "sysadmin_a1", "sysadmin", "dpo", "dpo_a1"}


@pytest.mark.parametrize(
    "name",
    ["teacher_a1_1", "staff_a1_1", "esa_officer_a1", "esa_officer_b1", "executive", "inspector_r1", "nobody"],
)
def test_user_list_refused_without_user_view(world: World, name: str) -> None:
    assert client_for(world, name).get("/users/").status_code == 403


def test_anonymous_is_sent_to_login_from_every_page(world: World) -> None:
    teacher = world.user("teacher_a1_1")
    assignment = RoleAssignment.objects.get(user=teacher)
    before = counts()
    client = Client()
    for url in [
        "/users/",
        "/users/new/",
        "/users/import/",
        f"/users/{teacher.pk}/",
        f"/users/{teacher.pk}/reset-password/",
        "/account/password/",
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url
    for url in [f"/users/{teacher.pk}/roles/", f"/assignments/{assignment.pk}/revoke/", "/users/new/"]:
        assert client.post(url, {"role": "teacher", "unit_code": "1012000002"}).status_code == 302
    assert counts() == before


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("director_a1_1", {"director_a1_1", "staff_a1_1", "teacher_a1_1"}),
        ("director_b1_1", {"director_b1_1"}),
        ("esa_director_a1", {"esa_director_a1", "esa_officer_a1", "director_a1_1", "staff_a1_1", "teacher_a1_1",
                             "director_a1_2", "dpo_a1", "sysadmin_a1"}),
    ],
)  # fmt: skip
def test_user_list_is_scoped(world: World, name: str, expected: set[str]) -> None:
    response = client_for(world, name).get("/users/")
    assert response.status_code == 200
    shown = {u.username for u, _roles in response.context["rows"]}
    assert shown == expected


def test_user_list_search_and_filters(world: World) -> None:
    client = client_for(world, "sysadmin")
    names = lambda r: [u.username for u, _ in r.context["rows"]]  # noqa: E731
    assert names(client.get("/users/", {"q": "director_a1"})) == [
        "director_a1_1",
        "director_a1_2",
        "esa_director_a1",
    ]
    assert names(client.get("/users/", {"role": "teacher"})) == ["teacher_a1_1"]
    assert names(client.get("/users/", {"unit_code": world.school_a1_1.code})) == [
        "director_a1_1",
        "staff_a1_1",
        "teacher_a1_1",
    ]
    assert names(client.get("/users/", {"unit_code": "nope"})) == []
    # An ESA-level viewer filtering on another ESA's school gets nothing, as for an unknown code.
    other = client_for(world, "esa_director_a1")
    assert names(other.get("/users/", {"unit_code": world.school_b1_1.code})) == []


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("director_b1_1", 404),  # another school
        ("esa_officer_b1", 404),  # another ESA (no user.view at all)
        ("director_a1_2", 404),  # same ESA, another school
        ("director_a1_1", 200),
        ("esa_director_a1", 200),
        ("sysadmin", 200),
        ("dpo", 200),
        ("executive", 404),
    ],
)
def test_user_detail_matrix(world: World, name: str, status: int) -> None:
    teacher = world.user("teacher_a1_1")
    response = client_for(world, name).get(f"/users/{teacher.pk}/")
    assert response.status_code == status
    missing = client_for(world, name).get("/users/999999/")
    assert missing.status_code == 404


def test_user_detail_shows_roles_and_the_actions_allowed(world: World) -> None:
    teacher = world.user("teacher_a1_1")
    html = client_for(world, "director_a1_1").get(f"/users/{teacher.pk}/").content.decode()
    assert "ครู" in html
    assert f"/users/{teacher.pk}/reset-password/" in html
    assert "/revoke/" not in html  # a director may not revoke
    html = client_for(world, "sysadmin_a1").get(f"/users/{teacher.pk}/").content.decode()
    assert "/revoke/" in html
    assert f'action="/users/{teacher.pk}/roles/"' in html


CREATE_FORM = {
    "username": "kru.new",
    "title_th": "นาง",
    "first_name_th": "ใหม่",
    "last_name_th": "ใจดี",
    "first_name_en": "Mai",
    "last_name_en": "Jaidee",
    "email": "mai@example.org",
    "phone": "",
    "role": "teacher",
    "unit_code": "1012000001",
    "password": "",
}


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("director_b1_1", 403),
        ("esa_officer_b1", 403),
        ("director_a1_1", 403),
        ("esa_director_a1", 403),
        ("dpo", 403),
        ("executive", 403),
    ],
)
def test_user_create_denied(world: World, name: str, status: int) -> None:
    before = counts()
    client = client_for(world, name)
    assert client.get("/users/new/").status_code == status
    assert client.post("/users/new/", CREATE_FORM).status_code == status
    assert counts() == before


def test_esa_sysadmin_cannot_create_in_another_esa_and_sees_unknown_unit(world: World) -> None:
    before = counts()
    response = client_for(world, "sysadmin_a1").post(
        "/users/new/", {**CREATE_FORM, "unit_code": "1050000001"}
    )
    assert response.status_code == 200
    assert "ไม่พบหน่วยงานรหัสนี้ · No unit with this code" in response.content.decode()
    assert counts() == before


def test_user_create_shows_the_generated_password_once(world: World) -> None:
    response = client_for(world, "sysadmin_a1").post("/users/new/", CREATE_FORM)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    password = response.context["password"]
    user = User.objects.get(username="kru.new")
    assert user.check_password(password)
    assert user.must_change_password is True
    assert f'<code id="temporary-password" class="fs-4">{password}</code>' in response.content.decode()
    assert password not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_user_create_errors_next_to_fields(world: World) -> None:
    before = counts()
    response = client_for(world, "sysadmin").post(
        "/users/new/", {**CREATE_FORM, "username": "teacher_a1_1", "email": "x@", "first_name_th": ""}
    )
    html = response.content.decode()
    assert "กรุณากรอกช่องนี้ · This field is required" in html
    assert counts() == before
    response = client_for(world, "sysadmin").post(
        "/users/new/", {**CREATE_FORM, "username": "teacher_a1_1", "email": "x@"}
    )
    html = response.content.decode()
    assert (
        "ชื่อผู้ใช้ &#x27;teacher_a1_1&#x27; มีอยู่แล้วในระบบ · The username &#x27;teacher_a1_1&#x27; already exists"
        in html
    )
    assert "อีเมล &#x27;x@&#x27; ไม่ถูกต้อง · &#x27;x@&#x27; is not a valid e-mail address" in html
    assert counts() == before


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("director_b1_1", 404),
        ("esa_officer_b1", 404),
        ("director_a1_1", 403),
        ("esa_director_a1", 403),
        ("dpo", 403),
    ],
)
def test_role_grant_denied(world: World, name: str, status: int) -> None:
    teacher = world.user("teacher_a1_1")
    before = counts()
    response = client_for(world, name).post(
        f"/users/{teacher.pk}/roles/", {"role": "teacher", "unit_code": world.school_a1_2.code}
    )
    assert response.status_code == status
    assert counts() == before


def test_role_grant_and_revoke_through_the_pages(world: World) -> None:
    teacher = world.user("teacher_a1_1")
    client = client_for(world, "sysadmin_a1")
    before = counts()
    response = client.post(
        f"/users/{teacher.pk}/roles/", {"role": "teacher", "unit_code": world.school_b1_1.code}
    )
    assert response.status_code == 400
    assert "ไม่พบหน่วยงานรหัสนี้ · No unit with this code" in response.content.decode()
    assert counts() == before
    response = client.post(
        f"/users/{teacher.pk}/roles/", {"role": "teacher", "unit_code": world.school_a1_2.code}
    )
    assert (response.status_code, response["Location"]) == (302, f"/users/{teacher.pk}/")
    assignment = RoleAssignment.objects.get(user=teacher, unit=world.school_a1_2)
    response = client.post(
        f"/users/{teacher.pk}/roles/", {"role": "esa_officer", "unit_code": world.school_a1_2.code}
    )
    assert response.status_code == 400
    assert "cannot be granted on a unit of kind School" in response.content.decode()
    response = client.post(f"/assignments/{assignment.pk}/revoke/")
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.revoked_at is not None


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("director_b1_1", 404),
        ("esa_officer_b1", 404),
        ("esa_officer_a1", 404),
        ("director_a1_1", 403),
        ("dpo", 403),
    ],
)
def test_role_revoke_denied(world: World, name: str, status: int) -> None:
    assignment = RoleAssignment.objects.get(user=world.user("teacher_a1_1"))
    before = counts()
    assert client_for(world, name).post(f"/assignments/{assignment.pk}/revoke/").status_code == status
    assignment.refresh_from_db()
    assert assignment.revoked_at is None
    assert counts() == before


@pytest.mark.parametrize(
    ("name", "target", "status"),
    [
        ("director_b1_1", "teacher_a1_1", 404),
        ("esa_officer_b1", "teacher_a1_1", 404),
        ("director_a1_2", "teacher_a1_1", 404),
        ("director_a1_1", "esa_officer_a1", 404),  # a school director cannot reach an ESA officer
        ("dpo", "teacher_a1_1", 403),
    ],
)
def test_reset_password_page_denied(world: World, name: str, target: str, status: int) -> None:
    user = world.user(target)
    before = counts()
    client = client_for(world, name)
    assert client.get(f"/users/{user.pk}/reset-password/").status_code == status
    assert client.post(f"/users/{user.pk}/reset-password/").status_code == status
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert counts() == before


def test_reset_password_page_shows_the_temporary_password_once(world: World) -> None:
    teacher = world.user("teacher_a1_1")
    client = client_for(world, "director_a1_1")
    assert client.get(f"/users/{teacher.pk}/reset-password/").status_code == 200
    response = client.post(f"/users/{teacher.pk}/reset-password/")
    assert response.status_code == 200
    password = response.context["password"]
    teacher.refresh_from_db()
    assert teacher.check_password(password)
    assert teacher.must_change_password is True
    assert password in response.content.decode()
    assert password not in client.get(f"/users/{teacher.pk}/").content.decode()


# --- bulk import pages ---------------------------------------------------------------------------------

IMPORT_CSV = (
    "ชื่อผู้ใช้,ชื่อ,นามสกุล,อีเมล,บทบาท,รหัสหน่วยงาน\r\n"
    "kru.one,หนึ่ง,ใจดี,one@example.org,ครู,1012000001\r\n"
    "kru.two,สอง,ใจดี,bad@,ครู,1012000001\r\n"
    "kru.three,สาม,ใจดี,,ครู,1050000001\r\n"
)


def upload(data: str, name: str = "users.csv") -> io.BytesIO:
    f = io.BytesIO(data.encode("utf-8-sig"))
    f.name = name
    return f


@pytest.mark.parametrize("name", ["director_a1_1", "esa_director_a1", "dpo", "esa_officer_b1", "executive"])
def test_import_pages_denied(world: World, name: str) -> None:
    before = counts()
    client = client_for(world, name)
    assert client.get("/users/import/").status_code == 403
    assert client.post("/users/import/", {"file": upload(IMPORT_CSV)}).status_code == 403
    assert client.get("/users/import/problems.csv").status_code == 403
    assert counts() == before


def test_import_result_lists_each_problem_and_writes_nothing(world: World) -> None:
    before = counts()
    client = client_for(world, "sysadmin_a1")
    assert client.get("/users/import/").status_code == 200
    response = client.post("/users/import/", {"file": upload(IMPORT_CSV)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "ไม่ได้บันทึกข้อมูลใดเลย" in html
    assert '<td>3</td><td>อีเมล</td><td lang="th">อีเมล &#x27;bad@&#x27; ไม่ถูกต้อง</td>' in html
    assert '<td>4</td><td>รหัสหน่วยงาน</td><td lang="th">ไม่พบหน่วยงานรหัส &#x27;1050000001&#x27;</td>' in html
    assert counts() == before
    report = client.get("/users/import/problems.csv")
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    assert report.content.decode("utf-8-sig").splitlines() == [
        "แถว / row,คอลัมน์ / column,รหัสปัญหา / problem code,ข้อความ (ไทย) / message (Thai),"
        "ข้อความ (อังกฤษ) / message (English)",
        "3,อีเมล,email_invalid,อีเมล 'bad@' ไม่ถูกต้อง,'bad@' is not a valid e-mail address",
        "4,รหัสหน่วยงาน,unit_unknown,ไม่พบหน่วยงานรหัส '1050000001',No unit with the code '1050000001'",
    ]


def test_import_keep_valid_through_the_page(world: World) -> None:
    client = client_for(world, "sysadmin_a1")
    response = client.post("/users/import/", {"file": upload(IMPORT_CSV), "keep_valid": "on"})
    assert response.status_code == 200
    assert response.context["report"].created == 1
    assert User.objects.filter(username__startswith="kru.").count() == 1
    assert User.objects.get(username="kru.one").must_change_password is True


def test_import_rejects_other_file_types_next_to_the_field(world: World) -> None:
    response = client_for(world, "sysadmin").post("/users/import/", {"file": upload("x", "users.pdf")})
    assert response.status_code == 200
    assert (
        "รองรับเฉพาะไฟล์ .csv และ .xlsx · Only .csv and .xlsx files are accepted" in response.content.decode()
    )


def test_pages_speak_english_when_chosen(world: World) -> None:
    client = Client()
    client.cookies["suksa_language"] = "en"
    html = client.get("/login/").content.decode()
    assert '<label class="form-label" for="id_username">Username</label>' in html
    client = client_for(world, "sysadmin")
    client.cookies["suksa_language"] = "en"
    html = client.get("/users/").content.decode()
    assert "Add a user" in html
    assert "Teacher · School 1012000001 (1012000001)" in html


EDIT_FORM = {
    "title_th": "",
    "first_name_th": "ทดสอบ",
    "last_name_th": "teacher_a1_1",
    "first_name_en": "Test",
    "last_name_en": "teacher_a1_1",
    "email": "",
    "phone": "0899999999",
    "preferred_language": "th",
    "is_active": "on",
}


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("director_b1_1", 404),
        ("esa_officer_b1", 404),
        ("director_a1_1", 403),
        ("esa_director_a1", 403),
        ("dpo", 403),
    ],
)
def test_user_edit_denied(world: World, name: str, status: int) -> None:
    teacher = world.user("teacher_a1_1")
    before = counts()
    client = client_for(world, name)
    assert client.get(f"/users/{teacher.pk}/edit/").status_code == status
    assert client.post(f"/users/{teacher.pk}/edit/", EDIT_FORM).status_code == status
    teacher.refresh_from_db()
    assert teacher.phone == ""
    assert counts() == before


def test_user_edit_saves_only_what_changed_and_can_deactivate(world: World) -> None:
    teacher = world.user("teacher_a1_1")
    client = client_for(world, "sysadmin_a1")
    response = client.post(f"/users/{teacher.pk}/edit/", EDIT_FORM)
    assert (response.status_code, response["Location"]) == (302, f"/users/{teacher.pk}/")
    assert AuditEntry.objects.get(action="update").changes == {"phone": ["", "0899999999"]}
    form = {k: v for k, v in EDIT_FORM.items() if k != "is_active"}
    client.post(f"/users/{teacher.pk}/edit/", {**form, "email": "bad@"})
    teacher.refresh_from_db()
    assert teacher.is_active is True  # the bad e-mail stopped the whole change
    response = client.post(f"/users/{teacher.pk}/edit/", form)
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert (teacher.is_active, teacher.deactivated_at is not None) == (False, True)
    assert Client().post("/login/", {"username": "teacher_a1_1", "password": PASSWORD}).status_code == 200
