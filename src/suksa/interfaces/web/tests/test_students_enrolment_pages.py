"""Enrolment pages: rooms, dropout, transfers, year-end and duplicate claims.

Each page has an authorization matrix (sending director, receiving director, teacher, ESA officer of
the same and of another ESA, executive, nobody); denied writes change nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from suksa.core.models import AuditEntry, CensusDate
from suksa.domains.students.models import (
    CensusReturn,
    CensusRound,
    Classroom,
    DuplicateClaim,
    Enrolment,
    Student,
    Transfer,
    YearEndBatch,
)
from suksa.domains.students.tests.factories import academic_year, make_classroom, make_student
from tests.factories import World

pytestmark = pytest.mark.django_db

A1_1, A1_2, B1_1 = "1012000001", "1012000002", "1050000001"
PERSONAS = [
    "director_a1_1",
    "director_a1_2",
    "teacher_a1_1",
    "esa_officer_a1",
    "esa_officer_b1",
    "executive",
    "nobody",
]


def client_for(world: World, username: str | None) -> Client:
    client = Client()
    if username is not None:
        client.force_login(world.user(username))
    return client


def state() -> tuple[object, ...]:
    return (
        AuditEntry.objects.count(),
        list(Enrolment.objects.order_by("pk").values_list("pk", "status", "ends_on", "classroom_id")),
        list(Transfer.objects.order_by("pk").values_list("pk", "status")),
        list(DuplicateClaim.objects.order_by("pk").values_list("pk", "status")),
        list(YearEndBatch.objects.order_by("pk").values_list("pk", "status")),
        list(Classroom.objects.order_by("pk").values_list("pk", "grade", "number")),
    )


@pytest.fixture
def learner(world: World) -> Student:
    return make_student(world.school_a1_1, grade="P3", first_name_th="สมหญิง", last_name_th="ใจดี")


def pending_transfer(world: World, learner: Student) -> Transfer:
    return Transfer.objects.create(
        student=learner, from_enrolment=learner.enrolments.get(), from_school=world.school_a1_1,
        to_school=world.school_a1_2, requested_on=dt.date(2026, 7, 1),
    )  # fmt: skip


# --- authorization matrices (GET) ----------------------------------------------------------------

PAGES: dict[str, dict[str, int]] = {
    f"/schools/{A1_1}/rooms/": {"director_a1_1": 200, "director_a1_2": 404, "teacher_a1_1": 200,
                                "esa_officer_a1": 200, "esa_officer_b1": 404, "executive": 403, "nobody": 404},
    f"/schools/{A1_1}/year-end/": {"director_a1_1": 200, "director_a1_2": 404, "teacher_a1_1": 403,
                                   "esa_officer_a1": 403, "esa_officer_b1": 404, "executive": 403, "nobody": 404},
    "/transfers/": {"director_a1_1": 200, "director_a1_2": 200, "teacher_a1_1": 403, "esa_officer_a1": 200,
                    "esa_officer_b1": 200, "executive": 403, "nobody": 403},
    "/students/duplicates/": {"director_a1_1": 200, "director_a1_2": 200, "teacher_a1_1": 403,
                              "esa_officer_a1": 200, "esa_officer_b1": 200, "executive": 403, "nobody": 403},
}  # fmt: skip
STUDENT_PAGES = {"drop-out", "transfer", "move-room"}
STUDENT_MATRIX = {"director_a1_1": 200, "director_a1_2": 404, "teacher_a1_1": 404, "esa_officer_a1": 403,
                  "esa_officer_b1": 404, "executive": 404, "nobody": 404}  # fmt: skip
TRANSFER_MATRIX = {"director_a1_1": 200, "director_a1_2": 200, "teacher_a1_1": 404, "esa_officer_a1": 200,
                   "esa_officer_b1": 404, "executive": 404, "nobody": 404}  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
def test_page_authorization_matrix(world: World, learner: Student, persona: str) -> None:
    client = client_for(world, persona)
    for url, expected in PAGES.items():
        assert client.get(url).status_code == expected[persona], (url, persona)
    for page in STUDENT_PAGES:
        url = f"/students/{learner.pk}/{page}/"
        assert client.get(url).status_code == STUDENT_MATRIX[persona], (url, persona)
    transfer = pending_transfer(world, learner)
    assert client.get(f"/transfers/{transfer.pk}/").status_code == TRANSFER_MATRIX[persona], persona


def test_anonymous_visitors_are_sent_to_login(world: World, learner: Student) -> None:
    for url in [*PAGES, f"/students/{learner.pk}/drop-out/", "/transfers/"]:
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url


# --- rooms ---------------------------------------------------------------------------------------


def test_the_rooms_page_lists_counts_and_teachers_and_opens_rooms(world: World, learner: Student) -> None:
    make_student(world.school_a1_1, grade="P3")
    room = learner.enrolments.get().classroom
    assert room is not None
    room.teachers.add(world.user("teacher_a1_1"))
    client = client_for(world, "director_a1_1")
    body = client.get(f"/schools/{A1_1}/rooms/?year=2569").content.decode()
    assert "ป.3/1" in body
    assert "teacher_a1_1" in body
    assert "จำนวนนักเรียนรวม: 2" in body

    response = client.post(f"/schools/{A1_1}/rooms/?year=2569", {"grade": "P4", "number": "2"})
    assert response.status_code == 302
    assert Classroom.objects.filter(school=world.school_a1_1, grade="P4", number=2).exists()

    before = state()
    response = client.post(f"/schools/{A1_1}/rooms/?year=2569", {"grade": "P4", "number": "2"})
    assert response.status_code == 400
    assert "มีห้อง P4/2" in response.content.decode()
    assert "already exists" in response.content.decode()
    assert state() == before


def test_a_teacher_sees_only_own_rooms_and_cannot_open_rooms(world: World, learner: Student) -> None:
    mine = make_classroom(world.school_a1_1, "P5", 1, teachers=(world.user("teacher_a1_1"),))
    client = client_for(world, "teacher_a1_1")
    body = client.get(f"/schools/{A1_1}/rooms/?year=2569").content.decode()
    assert str(mine) in body
    assert "ป.3/1" not in body
    before = state()
    assert client.post(f"/schools/{A1_1}/rooms/?year=2569", {"grade": "P4", "number": "2"}).status_code == 403
    assert client.post(f"/rooms/{mine.pk}/teachers/", {"teachers": []}).status_code == 403
    assert state() == before


def test_homeroom_teachers_are_set_from_the_schools_people(world: World, learner: Student) -> None:
    room = learner.enrolments.get().classroom
    assert room is not None
    client = client_for(world, "director_a1_1")
    teacher = world.user("teacher_a1_1")
    assert client.post(f"/rooms/{room.pk}/teachers/", {"teachers": [teacher.pk]}).status_code == 302
    assert list(room.teachers.all()) == [teacher]
    before = state()
    response = client.post(
        f"/rooms/{room.pk}/teachers/", {"teachers": [world.user("director_a1_2").pk]}, follow=True
    )
    assert "ไม่ได้เป็นครู" in response.content.decode()
    assert list(room.teachers.all()) == [teacher]
    assert state() == before


def test_moving_room(world: World, learner: Student) -> None:
    room2 = make_classroom(world.school_a1_1, "P3", 2)
    response = client_for(world, "staff_a1_1").post(f"/students/{learner.pk}/move-room/", {"room": room2.pk})
    assert response.status_code == 302
    assert learner.enrolments.get().classroom == room2


# --- dropout -------------------------------------------------------------------------------------


def test_recording_a_dropout(world: World, learner: Student) -> None:
    client = client_for(world, "director_a1_1")
    page = client.get(f"/students/{learner.pk}/drop-out/").content.decode()
    assert "ฐานะยากจน" in page
    assert "สมหญิง" in page
    response = client.post(
        f"/students/{learner.pk}/drop-out/", {"on": "01/09/2569", "reason": "01", "note": ""}
    )
    assert response.status_code == 302
    enrolment = learner.enrolments.get()
    assert (enrolment.status, enrolment.ends_on, enrolment.exit_reason) == (
        "dropped_out",
        dt.date(2026, 9, 1),
        "01",
    )


def test_a_dropout_outside_the_enrolment_is_refused_bilingually(world: World, learner: Student) -> None:
    before = state()
    response = client_for(world, "director_a1_1").post(
        f"/students/{learner.pk}/drop-out/", {"on": "01/05/2569", "reason": "01"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "วันที่ออกต้องอยู่ระหว่าง" in body
    assert "The leaving date must lie between" in body
    assert state() == before


def test_an_esa_officer_may_not_record_a_dropout(world: World, learner: Student) -> None:
    before = state()
    response = client_for(world, "esa_officer_a1").post(
        f"/students/{learner.pk}/drop-out/", {"on": "01/09/2569", "reason": "01"}
    )
    assert response.status_code == 403
    assert state() == before


# --- transfers -----------------------------------------------------------------------------------


def test_a_transfer_from_request_to_acceptance(world: World, learner: Student) -> None:
    sending, receiving = client_for(world, "director_a1_1"), client_for(world, "director_a1_2")
    response = sending.post(
        f"/students/{learner.pk}/transfer/",
        {"to_school": A1_2, "requested_on": "01/07/2569", "reason": "ย้ายบ้าน"},
    )
    transfer = Transfer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/transfers/{transfer.pk}/"
    assert learner.enrolments.get().status == "pending_transfer"

    incoming = receiving.get("/transfers/?direction=incoming").content.decode()
    assert "สมหญิง" in incoming
    assert learner.identifier in incoming
    assert "สมหญิง" not in receiving.get("/transfers/?direction=outgoing").content.decode()
    detail = receiving.get(f"/transfers/{transfer.pk}/").content.decode()
    assert "รับย้ายเข้า" in detail
    assert "ยกเลิกคำขอ" not in detail

    # The sending school cannot accept its own request.
    before = state()
    assert (
        sending.post(
            f"/transfers/{transfer.pk}/", {"action": "accept", "room": "1", "starts_on": "06/07/2569"}
        ).status_code
        == 403
    )
    assert state() == before

    response = receiving.post(
        f"/transfers/{transfer.pk}/",
        {"action": "accept", "grade": "", "room": "2", "starts_on": "06/07/2569"},
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "accepted"
    assert list(learner.enrolments.order_by("starts_on").values_list("school__code", "status", "entry")) == [
        (A1_1, "transferred_out", "admitted"), (A1_2, "active", "transfer_in"),
    ]  # fmt: skip


def test_an_unknown_receiving_school_is_refused(world: World, learner: Student) -> None:
    before = state()
    response = client_for(world, "director_a1_1").post(
        f"/students/{learner.pk}/transfer/", {"to_school": "1099999999", "requested_on": "01/07/2569"}
    )
    assert response.status_code == 400
    assert "ไม่พบโรงเรียนรหัสนี้" in response.content.decode()
    assert state() == before


def test_reject_and_cancel(world: World, learner: Student) -> None:
    transfer = pending_transfer(world, learner)
    Enrolment.objects.filter(student=learner).update(status="pending_transfer")
    response = client_for(world, "director_a1_2").post(
        f"/transfers/{transfer.pk}/", {"action": "reject", "note": "เต็ม"}
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert (transfer.status, learner.enrolments.get().status) == ("rejected", "active")

    again = pending_transfer(world, learner)
    Enrolment.objects.filter(student=learner).update(status="pending_transfer")
    before = state()
    assert (
        client_for(world, "director_a1_2").post(f"/transfers/{again.pk}/", {"action": "cancel"}).status_code
        == 403
    )
    assert state() == before
    assert (
        client_for(world, "director_a1_1").post(f"/transfers/{again.pk}/", {"action": "cancel"}).status_code
        == 302
    )
    again.refresh_from_db()
    assert again.status == "cancelled"


def test_the_transfer_list_is_scoped_and_bounded(
    world: World, learner: Student, django_assert_max_num_queries: object
) -> None:
    for i in range(12):
        s = make_student(world.school_a1_1, grade="P2", first_name_th=f"ย้าย{i}")
        pending_transfer(world, s)
    elsewhere = make_student(world.school_b1_1, first_name_th="ลับเฉพาะ")
    Transfer.objects.create(
        student=elsewhere, from_enrolment=elsewhere.enrolments.get(), from_school=world.school_b1_1,
        to_school=world.school_a2_1, requested_on=dt.date(2026, 7, 1),
    )  # fmt: skip
    client = client_for(world, "esa_officer_a1")
    client.get("/transfers/")  # warm the session and caches
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        body = client.get("/transfers/").content.decode()
    assert body.count("ย้าย1") >= 1
    assert "ลับเฉพาะ" not in body
    assert "ลับเฉพาะ" not in client_for(world, "director_a1_2").get("/transfers/").content.decode()


# --- year-end ------------------------------------------------------------------------------------


def test_year_end_preview_apply_and_reverse(world: World) -> None:
    p1 = make_student(world.school_a1_1, grade="P1", first_name_th="ซ้ำ")
    make_student(world.school_a1_1, grade="P6", first_name_th="จบ")
    client = client_for(world, "director_a1_1")
    page = client.get(f"/schools/{A1_1}/year-end/?year=2569").content.decode()
    assert "เลื่อนชั้น" in page
    assert "จบการศึกษา" in page
    assert "ซ้ำ" in page

    enrolment = p1.enrolments.get()
    before = state()
    response = client.post(f"/schools/{A1_1}/year-end/?year=2569", {f"o_{enrolment.pk}": "repeat"})
    assert response.status_code == 400
    assert "ติ๊กยืนยัน" in response.content.decode()
    assert state() == before

    response = client.post(
        f"/schools/{A1_1}/year-end/?year=2569", {f"o_{enrolment.pk}": "repeat", "confirm": "yes"}
    )
    assert response.status_code == 302
    batch = YearEndBatch.objects.get()
    enrolment.refresh_from_db()
    assert enrolment.status == "repeated"
    assert batch.summary["by_grade"] == {"P1": {"repeat": 1}, "P6": {"graduate": 1}}

    page = client.get(f"/year-end/{batch.pk}/reverse/").content.decode()
    assert "ยืนยันการยกเลิก" in page
    assert client.post(f"/year-end/{batch.pk}/reverse/").status_code == 302
    batch.refresh_from_db()
    assert batch.status == "reversed"


def test_year_end_reverse_is_refused_after_certification(world: World) -> None:
    make_student(world.school_a1_1, grade="P1")
    client = client_for(world, "director_a1_1")
    client.post(f"/schools/{A1_1}/year-end/?year=2569", {"confirm": "yes"})
    batch = YearEndBatch.objects.get()
    census_round = CensusRound.objects.create(
        census_date=CensusDate.objects.get(academic_year=academic_year(), round="year_end")
    )
    CensusReturn.objects.create(round=census_round, school=world.school_a1_1, status="certified")
    before = state()
    response = client.post(f"/year-end/{batch.pk}/reverse/")
    body = response.content.decode()
    assert response.status_code == 400
    assert "ยกเลิกไม่ได้" in body
    assert "Cannot reverse" in body
    assert state() == before


@pytest.mark.parametrize(
    ("persona", "expected"), [("esa_officer_a1", 403), ("director_a1_2", 404), ("teacher_a1_1", 404)]
)
def test_only_the_school_may_reverse(world: World, persona: str, expected: int) -> None:
    make_student(world.school_a1_1, grade="P1")
    client_for(world, "director_a1_1").post(f"/schools/{A1_1}/year-end/?year=2569", {"confirm": "yes"})
    batch = YearEndBatch.objects.get()
    before = state()
    assert client_for(world, persona).post(f"/year-end/{batch.pk}/reverse/").status_code == expected
    assert state() == before


# --- duplicate claims ----------------------------------------------------------------------------


def test_duplicate_claims_are_listed_and_resolved_by_the_esa(world: World, learner: Student) -> None:
    claim = DuplicateClaim.objects.create(
        student=learner, identifier=learner.identifier, claiming_school=world.school_a1_2,
        holding_school=world.school_a1_1, claimed_name_th="สมหญิง ใจดีมาก",
    )  # fmt: skip
    assert "สมหญิง ใจดีมาก" in client_for(world, "director_a1_2").get("/students/duplicates/").content.decode()
    # The claiming school sees the claim, not the holding school's record.
    detail = client_for(world, "director_a1_2").get(f"/students/duplicates/{claim.pk}/").content.decode()
    assert "ชื่อในทะเบียน" not in detail
    assert "บันทึกผล" not in detail
    assert client_for(world, "esa_officer_b1").get(f"/students/duplicates/{claim.pk}/").status_code == 404

    before = state()
    assert (
        client_for(world, "director_a1_1")
        .post(f"/students/duplicates/{claim.pk}/", {"outcome": "reject"})
        .status_code
        == 403
    )
    assert state() == before

    officer = client_for(world, "esa_officer_a1")
    assert "ชื่อในทะเบียน" in officer.get(f"/students/duplicates/{claim.pk}/").content.decode()
    response = officer.post(f"/students/duplicates/{claim.pk}/", {"outcome": "transfer", "note": "คนเดียวกัน"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "transferred"
    assert Transfer.objects.get().to_school == world.school_a1_2
