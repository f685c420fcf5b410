"""Attendance pages: who reaches which page, the phone sheet (plain POST and HTMX), summaries,
the school and ESA views, and closures. "Today" is pinned to Friday 19 June 2026 (BE 2569)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from suksa.core.models import AuditEntry
from suksa.domains.students import selectors_attendance as sa
from suksa.domains.students.models import AttendanceMark, Classroom, SchoolClosure, Student
from suksa.domains.students.models.choices import GRADE_ORDER
from suksa.domains.students.tests.factories import make_classroom, make_student
from tests.factories import World

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 19)
A1_1 = "1012000001"


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sa, "today", lambda: TODAY)


@pytest.fixture
def room(world: World) -> Classroom:
    for first in ("กมล", "ขจร", "คณิน"):
        make_student(world.school_a1_1, grade="P1", room=1, first_name_th=first)
    return make_classroom(world.school_a1_1, "P1", 1, teachers=(world.user("teacher_a1_1"),))


def client_for(world: World, username: str | None) -> Client:
    client = Client()
    if username is not None:
        client.force_login(world.user(username))
    return client


def learners(room: Classroom) -> list[Student]:
    return list(Student.objects.filter(enrolments__classroom=room).order_by("first_name_th"))


def marks_state() -> list[tuple[int, dt.date, str]]:
    return list(
        AttendanceMark.objects.order_by("student_id", "date").values_list("student_id", "date", "code")
    )


# --- authorization matrices -----------------------------------------------------------------------

# persona -> (room sheet GET, room sheet POST, summary GET, school page GET)
MATRIX = {
    "teacher_a1_1": (200, 302, 200, 200),
    "director_a1_1": (200, 302, 200, 200),
    "staff_a1_1": (200, 302, 200, 200),
    "esa_officer_a1": (403, 403, 403, 200),  # aggregates only
    "esa_director_a1": (403, 403, 403, 200),
    "sysadmin": (403, 403, 403, 200),
    "executive": (404, 404, 404, 200),
    "inspector_r1": (404, 404, 404, 200),
    "director_a1_2": (404, 404, 404, 404),  # another school
    "director_b1_1": (404, 404, 404, 404),  # another ESA
    "esa_officer_b1": (404, 404, 404, 404),
    "nobody": (404, 404, 404, 404),
}


@pytest.mark.parametrize(("persona", "expected"), MATRIX.items(), ids=list(MATRIX))
def test_attendance_pages_authorization_matrix(
    world: World, room: Classroom, persona: str, expected: tuple[int, int, int, int]
) -> None:
    client = client_for(world, persona)
    sheet_url = f"/attendance/rooms/{room.pk}/?date=15/06/2569"
    post = {f"m_{s.pk}": "P" for s in learners(room)}
    got = (
        client.get(sheet_url).status_code,
        client.post(sheet_url, post).status_code,
        client.get(f"/attendance/rooms/{room.pk}/summary/?month=2569-06").status_code,
        client.get(f"/schools/{A1_1}/attendance/").status_code,
    )
    assert got == expected
    if expected[1] != 302:
        assert not AttendanceMark.objects.exists()


def test_a_teacher_reaches_only_their_own_rooms(world: World, room: Classroom) -> None:
    other = make_classroom(world.school_a1_1, "P1", 2)
    learner = make_student(world.school_a1_1, grade="P1", room=2)
    client = client_for(world, "teacher_a1_1")
    assert client.get(f"/attendance/rooms/{other.pk}/").status_code == 404
    assert client.post(f"/attendance/rooms/{other.pk}/", {f"m_{learner.pk}": "A"}).status_code == 404
    assert client.get("/attendance/rooms/999999/").status_code == 404
    assert not AttendanceMark.objects.exists()
    home = client.get("/attendance/?date=15/06/2569")
    assert home.status_code == 200
    assert f"/attendance/rooms/{room.pk}/" in home.content.decode()
    assert f"/attendance/rooms/{other.pk}/" not in home.content.decode()
    staff_home = client_for(world, "staff_a1_1").get("/attendance/").content.decode()
    assert f"/attendance/rooms/{room.pk}/" in staff_home
    assert f"/attendance/rooms/{other.pk}/" in staff_home


def test_anonymous_is_sent_to_login(world: World, room: Classroom) -> None:
    for url in ("/attendance/", f"/attendance/rooms/{room.pk}/", f"/schools/{A1_1}/attendance/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


# --- the sheet ------------------------------------------------------------------------------------


def test_the_sheet_shows_learners_with_present_preselected_and_the_be_date(
    world: World, room: Classroom
) -> None:
    response = client_for(world, "teacher_a1_1").get(f"/attendance/rooms/{room.pk}/?date=15/06/2569")
    html = response.content.decode()
    assert "15 มิถุนายน 2569" in html
    for s in learners(room):
        assert f'id="m_{s.pk}_P" value="P" autocomplete="off" checked' in html
        assert f'id="m_{s.pk}_A" value="A" autocomplete="off">' in html
    assert "?date=12/06/2569" in html
    assert "?date=16/06/2569" in html
    assert 'hx-post="' in html
    assert "มาครบทุกคน" in html


def test_the_sheet_opens_on_the_latest_school_day(world: World, room: Classroom) -> None:
    html = client_for(world, "teacher_a1_1").get(f"/attendance/rooms/{room.pk}/").content.decode()
    assert "19 มิถุนายน 2569" in html


def test_saving_with_a_plain_form_post_redirects_to_the_saved_sheet(world: World, room: Classroom) -> None:
    a, b, c = learners(room)
    client = client_for(world, "teacher_a1_1")
    url = f"/attendance/rooms/{room.pk}/?date=15/06/2569"
    response = client.post(url, {f"m_{a.pk}": "P", f"m_{b.pk}": "A", f"m_{c.pk}": "P", "action": "save"})
    assert response.status_code == 302
    assert response["Location"] == f"/attendance/rooms/{room.pk}/?date=15/06/2569"
    assert marks_state() == [(a.pk, dt.date(2026, 6, 15), "P"), (b.pk, dt.date(2026, 6, 15), "A"),
                             (c.pk, dt.date(2026, 6, 15), "P")]  # fmt: skip
    page = client.get(response["Location"]).content.decode()
    assert "บันทึกการมาเรียนวันที่ 15 มิถุนายน 2569 แล้ว (3 คน)" in page
    assert f'id="m_{b.pk}_A" value="A" autocomplete="off" checked' in page


def test_saving_through_htmx_redraws_only_the_sheet(world: World, room: Classroom) -> None:
    a, b, c = learners(room)
    response = client_for(world, "teacher_a1_1").post(
        f"/attendance/rooms/{room.pk}/?date=15/06/2569",
        {f"m_{a.pk}": "S", f"m_{b.pk}": "P", f"m_{c.pk}": "L"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="sheet"')
    assert "<html" not in html
    assert 'data-testid="saved"' in html
    assert f'id="m_{a.pk}_S" value="S" autocomplete="off" checked' in html
    assert dict(AttendanceMark.objects.values_list("student_id", "code")) == {a.pk: "S", b.pk: "P", c.pk: "L"}


def test_all_present_marks_everyone_present(world: World, room: Classroom) -> None:
    a, b, c = learners(room)
    client = client_for(world, "teacher_a1_1")
    url = f"/attendance/rooms/{room.pk}/?date=15/06/2569"
    client.post(url, {f"m_{a.pk}": "A", f"m_{b.pk}": "A", f"m_{c.pk}": "A"})
    client.post(url, {f"m_{a.pk}": "A", "action": "all_present"})
    assert set(AttendanceMark.objects.values_list("code", flat=True)) == {"P"}


def test_a_refused_sheet_shows_both_languages_and_writes_nothing(world: World, room: Classroom) -> None:
    a, b, c = learners(room)
    client = client_for(world, "teacher_a1_1")
    response = client.post(
        f"/attendance/rooms/{room.pk}/?date=15/06/2569",
        {f"m_{a.pk}": "X", f"m_{b.pk}": "P", f"m_{c.pk}": "P"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "รหัสการมาเรียน «X» ไม่ถูกต้อง" in html
    assert "Unknown attendance code «X»" in html
    assert not AttendanceMark.objects.exists()


def test_a_weekend_shows_why_and_offers_no_form(world: World, room: Classroom) -> None:
    client = client_for(world, "teacher_a1_1")
    response = client.get(f"/attendance/rooms/{room.pk}/?date=13/06/2569")
    html = response.content.decode()
    assert "วันที่ 13 มิถุนายน 2569 เป็นวันเสาร์ ไม่ใช่วันเรียน / 13 Jun 2569 BE is a Saturday" in html
    assert '<form method="post"' not in html
    posted = client.post(f"/attendance/rooms/{room.pk}/?date=13/06/2569", {f"m_{learners(room)[0].pk}": "P"})
    assert posted.status_code == 400
    assert not AttendanceMark.objects.exists()


def test_a_ce_year_in_the_date_is_refused_bilingually(world: World, room: Classroom) -> None:
    response = client_for(world, "teacher_a1_1").get(f"/attendance/rooms/{room.pk}/?date=15/06/2026")
    assert response.status_code == 400
    assert "ปี 2026 เป็นปี ค.ศ." in response.content.decode()


def test_the_sheet_page_takes_a_constant_number_of_queries(
    world: World, room: Classroom, django_assert_max_num_queries: object
) -> None:
    for i in range(27):
        make_student(world.school_a1_1, grade="P1", room=1, first_name_th=f"นักเรียน{i:02d}")
    client = client_for(world, "teacher_a1_1")
    client.get("/attendance/")  # warm the session
    with django_assert_max_num_queries(16):  # type: ignore[operator]
        response = client.get(f"/attendance/rooms/{room.pk}/?date=15/06/2569")
    assert response.content.decode().count('class="att-row"') == 30


# --- summary, school, ESA -------------------------------------------------------------------------


def test_monthly_summary_page_shows_counts_rate_and_chronic_flag(world: World, room: Classroom) -> None:
    a, b, _c = learners(room)
    days = [dt.date(2026, 6, d) for d in (1, 2, 3, 4, 5, 8, 9, 10, 11, 12)]
    AttendanceMark.objects.bulk_create(
        [AttendanceMark(student=a, classroom=room, date=d, code="P") for d in days]
        + [AttendanceMark(student=b, classroom=room, date=d, code="A" if d.day == 1 else "P") for d in days]
    )
    response = client_for(world, "teacher_a1_1").get(f"/attendance/rooms/{room.pk}/summary/?month=2569-06")
    html = response.content.decode()
    assert "มิถุนายน 2569" in html
    assert 'data-testid="school-days">15<' in html  # 1–19 June
    assert html.count('data-testid="chronic"') == 1  # b: 1 of 10 days missed = 10 %
    assert "90.0%" in html
    assert "100.0%" in html


def test_school_page_flags_rooms_with_missing_days(world: World, room: Classroom) -> None:
    other = make_classroom(world.school_a1_1, "P2", 1)
    make_student(world.school_a1_1, grade="P2", room=1)
    a = learners(room)[0]
    AttendanceMark.objects.create(student=a, classroom=room, date=TODAY, code="P")
    html = client_for(world, "esa_officer_a1").get(f"/schools/{A1_1}/attendance/").content.decode()
    assert 'data-testid="rooms-missing">2 / 2<' in html
    assert f'data-room="{room.pk}"' in html
    assert f'data-room="{other.pk}"' in html
    assert "/attendance/rooms/" not in html  # the ESA gets no link to learner-level sheets
    assert "กมล" not in html
    director_html = client_for(world, "director_a1_1").get(f"/schools/{A1_1}/attendance/").content.decode()
    assert f"/attendance/rooms/{room.pk}/" in director_html


def test_esa_overview_lists_its_schools_in_aggregate(world: World, room: Classroom) -> None:
    client = client_for(world, "esa_officer_a1")
    html = client.get("/attendance/overview/").content.decode()
    assert 'data-school="1012000001"' in html
    assert 'data-school="1012000002"' in html
    assert 'data-testid="schools-missing">1<' in html
    assert client.get("/attendance/overview/?esa=15001").status_code == 404
    assert client.get("/attendance/overview/?esa=99999").status_code == 404


# --- closures -------------------------------------------------------------------------------------


def test_a_director_adds_and_removes_a_school_day_off(world: World, room: Classroom) -> None:
    client = client_for(world, "director_a1_1")
    page = client.get("/attendance/closures/")
    assert page.status_code == 200
    assert "โรงเรียนบ้านบางกร่าง" in page.content.decode()
    response = client.post(
        "/attendance/closures/", {"date": "28/07/2569", "reason_th": "วันเฉลิมฯ", "scope": "school"}
    )
    assert response.status_code == 302
    closure = SchoolClosure.objects.get()
    assert (closure.school_id, closure.date) == (world.school_a1_1.pk, dt.date(2026, 7, 28))
    refused = client.post(
        "/attendance/closures/", {"date": "28/07/2569", "reason_th": "ซ้ำ", "scope": "school"}
    )
    assert refused.status_code == 400
    assert "is already a day off" in refused.content.decode()
    assert (
        client.post(
            "/attendance/closures/", {"date": "29/07/2569", "reason_th": "x", "scope": "nation"}
        ).status_code
        == 403
    )
    assert client.post("/attendance/closures/remove/", {"closure": closure.pk}).status_code == 302
    assert not SchoolClosure.objects.exists()
    assert AuditEntry.objects.filter(object_type="students.school_closure").count() == 2


def test_another_schools_closures_are_out_of_reach(world: World) -> None:
    closure = SchoolClosure.objects.create(
        school=world.school_b1_1, date=dt.date(2026, 7, 28), reason_th="ลับ"
    )
    client = client_for(world, "director_a1_1")
    assert client.get(f"/attendance/closures/?school={world.school_b1_1.code}").status_code == 404
    assert client.post("/attendance/closures/remove/", {"closure": closure.pk}).status_code == 404
    assert SchoolClosure.objects.count() == 1


# --- the home page's rooms, a page at a time ---------------------------------------------------------


def room_links(page: str) -> list[str]:
    return [part.split("/", 1)[0] for part in page.split('href="/attendance/rooms/')[1:]]


def test_the_home_page_lists_every_room_fifty_to_a_page_with_a_bounded_number_of_queries(
    world: World, room: Classroom, django_assert_max_num_queries: object
) -> None:
    # 330 rooms (15 grades x 22 rooms): more than the 300 the page used to stop at. Six queries a page
    # (session, user, academic year, grants, count, page) however many rooms.
    year = room.academic_year
    Classroom.objects.bulk_create(
        Classroom(school=world.school_a1_1, academic_year=year, grade=grade, number=number)
        for grade in GRADE_ORDER
        for number in range(1, 23)
        if (grade, number) != ("P1", 1)
    )
    client = client_for(world, "director_a1_1")
    client.get("/attendance/")  # warm the session
    with django_assert_max_num_queries(7):  # type: ignore[operator]  # +1: unread notifications in the top bar
        first = client.get("/attendance/?date=15/06/2569")
    page = first.content.decode()
    assert first.status_code == 200
    assert "หน้า 1 / 7" in page
    assert 'href="?date=15%2F06%2F2569&amp;page=2"' in page
    links = room_links(page)
    assert len(links) == 50
    # Grades in school order (kindergarten first), rooms by number; the room with learners shows them.
    assert links[0] == str(Classroom.objects.get(grade="K1", number=1).pk)
    assert f"/attendance/rooms/{room.pk}/" not in page  # P1/1 is the 67th (after K1–K3's 66 rooms): page 2
    seen = list(links)
    for n in range(2, 8):
        with django_assert_max_num_queries(7):  # type: ignore[operator]  # +1: unread notifications
            seen += room_links(client.get(f"/attendance/?date=15/06/2569&page={n}").content.decode())
    assert len(seen) == len(set(seen)) == 330
    second = client.get("/attendance/?page=2").content.decode()
    assert f'href="/attendance/rooms/{room.pk}/"' in second
    assert "· 0/3" in second  # P1/1: three learners, none marked yet
    last = client.get("/attendance/?page=99").content.decode()
    assert "หน้า 7 / 7" in last
    assert len(room_links(last)) == 30
