"""Attendance through the API: authorization matrices, the sheet, saving marks, summary, gaps.

"Today" is pinned to Friday 19 June 2026 (BE 2569).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from suksa.core.models import AuditEntry
from suksa.domains.students import selectors_attendance as sa
from suksa.domains.students.models import AttendanceMark, Classroom, Student
from suksa.domains.students.tests.factories import make_classroom, make_student
from tests.factories import World

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]
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


def learners(room: Classroom) -> list[Student]:
    return list(Student.objects.filter(enrolments__classroom=room).order_by("first_name_th"))


# persona -> (sheet GET, sheet PUT, summary GET, school missing GET); None: anonymous
MATRIX: dict[str | None, tuple[int, int, int, int]] = {
    None: (401, 401, 401, 401),
    "nobody": (403, 403, 403, 403),
    "teacher_a1_1": (200, 200, 200, 200),
    "director_a1_1": (200, 200, 200, 200),
    "staff_a1_1": (200, 200, 200, 200),
    "esa_officer_a1": (403, 403, 403, 200),  # ESA: aggregates only
    "esa_director_a1": (403, 403, 403, 200),
    "sysadmin": (403, 403, 403, 200),
    "executive": (404, 404, 404, 200),
    "director_a1_2": (404, 404, 404, 404),
    "director_b1_1": (404, 404, 404, 404),
    "esa_officer_b1": (404, 404, 404, 404),
}


@pytest.mark.parametrize(("persona", "expected"), MATRIX.items(), ids=[str(k) for k in MATRIX])
def test_attendance_api_authorization_matrix(
    client_as: Client, room: Classroom, persona: str | None, expected: tuple[int, int, int, int]
) -> None:
    client = client_as(persona)
    body = {"marks": [{"student_id": s.pk, "code": "P"} for s in learners(room)]}
    got = (
        client.get(f"/api/v1/attendance/rooms/{room.pk}/?date=2026-06-15").status_code,
        client.put(f"/api/v1/attendance/rooms/{room.pk}/?date=2026-06-15", body, format="json").status_code,
        client.get(f"/api/v1/attendance/rooms/{room.pk}/summary/?month=2026-06").status_code,
        client.get(f"/api/v1/schools/{A1_1}/attendance/missing/").status_code,
    )
    assert got == expected
    if expected[1] != 200:
        assert not AttendanceMark.objects.exists()


def test_a_teacher_cannot_reach_another_room(client_as: Client, world: World, room: Classroom) -> None:
    other = make_classroom(world.school_a1_1, "P1", 2)
    learner = make_student(world.school_a1_1, grade="P1", room=2)
    client = client_as("teacher_a1_1")
    hidden = client.put(f"/api/v1/attendance/rooms/{other.pk}/?date=2026-06-15",
                        {"marks": [{"student_id": learner.pk, "code": "A"}]}, format="json")  # fmt: skip
    missing = client.get("/api/v1/attendance/rooms/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert not AttendanceMark.objects.exists()


def test_the_sheet_lists_learners_codes_and_neighbouring_school_days(
    client_as: Client, room: Classroom
) -> None:
    a, b, c = learners(room)
    AttendanceMark.objects.create(student=b, classroom=room, date=dt.date(2026, 6, 15), code="L")
    body = client_as("teacher_a1_1").get(f"/api/v1/attendance/rooms/{room.pk}/?date=2026-06-15").json()
    assert body["classroom"]["label"] == "ป.1/1"
    assert body["classroom"]["school_code"] == A1_1
    assert (body["date"], body["date_display"]) == ("2026-06-15", "15 มิ.ย. 2569")
    assert body["is_school_day"] is True
    assert body["not_school_day"] is None
    assert (body["previous_school_day"], body["next_school_day"]) == ("2026-06-12", "2026-06-16")
    assert [(r["student_id"], r["code"]) for r in body["learners"]] == [
        (a.pk, None),
        (b.pk, "L"),
        (c.pk, None),
    ]
    assert body["counts"] == {"P": 0, "L": 1, "S": 0, "E": 0, "A": 0}


def test_saving_marks_is_idempotent_and_audited_once(client_as: Client, room: Classroom) -> None:
    a, b, c = learners(room)
    client = client_as("teacher_a1_1")
    url = f"/api/v1/attendance/rooms/{room.pk}/?date=2026-06-15"
    body = {"marks": [{"student_id": a.pk, "code": "P"}, {"student_id": b.pk, "code": "A"},
                      {"student_id": c.pk, "code": "S"}]}  # fmt: skip
    first = client.put(url, body, format="json")
    assert first.status_code == 200
    assert first.json()["saved"] == {"created": 3, "updated": 0, "unchanged": 0}
    assert [r["code"] for r in first.json()["sheet"]["learners"]] == ["P", "A", "S"]
    again = client.put(url, body, format="json")
    assert again.json()["saved"] == {"created": 0, "updated": 0, "unchanged": 3}
    assert AuditEntry.objects.filter(object_type="students.attendance_room_day").count() == 1


def test_refusals_are_bilingual_and_write_nothing(client_as: Client, world: World, room: Classroom) -> None:
    a, *_ = learners(room)
    stranger = make_student(world.school_a1_1, grade="P2", room=1)
    client = client_as("teacher_a1_1", language="en")
    weekend = client.put(f"/api/v1/attendance/rooms/{room.pk}/?date=2026-06-13",
                         {"marks": [{"student_id": a.pk, "code": "P"}]}, format="json")  # fmt: skip
    assert weekend.status_code == 400
    assert weekend.json()["errors"] == [
        {
            "code": "date_weekend", "field": "date", "row": None, "column": None, "file": None,
            "message_th": "ช่อง date: วันที่ 13 มิถุนายน 2569 เป็นวันเสาร์ ไม่ใช่วันเรียน",
            "message_en": "field date: 13 Jun 2569 BE is a Saturday, not a school day",
        }
    ]  # fmt: skip
    outsider = client.put(f"/api/v1/attendance/rooms/{room.pk}/?date=2026-06-15",
                          {"marks": [{"student_id": stranger.pk, "code": "P"}]}, format="json")  # fmt: skip
    assert outsider.status_code == 400
    assert [e["code"] for e in outsider.json()["errors"]] == ["student_not_in_room"]
    bad_code = client.put(f"/api/v1/attendance/rooms/{room.pk}/?date=2026-06-15",
                          {"marks": [{"student_id": a.pk, "code": "X"}]}, format="json")  # fmt: skip
    assert bad_code.status_code == 400
    assert bad_code.json()["errors"][0]["field"] == "marks.0.code"
    no_date = client.put(f"/api/v1/attendance/rooms/{room.pk}/",
                         {"marks": [{"student_id": a.pk, "code": "P"}]}, format="json")  # fmt: skip
    assert no_date.status_code == 400
    assert no_date.json()["errors"][0]["field"] == "date"
    assert not AttendanceMark.objects.exists()


def test_the_monthly_summary_gives_exact_counts_rates_and_flags(client_as: Client, room: Classroom) -> None:
    a, b, c = learners(room)
    days = [dt.date(2026, 6, d) for d in (1, 2, 3, 4, 5, 8, 9, 10, 11, 12)]
    AttendanceMark.objects.bulk_create(
        [AttendanceMark(student=a, classroom=room, date=d, code="P") for d in days]
        + [AttendanceMark(student=b, classroom=room, date=d, code="E" if d.day == 1 else "P") for d in days]
    )
    body = client_as("director_a1_1").get(f"/api/v1/attendance/rooms/{room.pk}/summary/?month=2569-06").json()
    assert (body["month"], body["school_days"]) == ("2026-06", 15)
    rows = {r["student_id"]: r for r in body["learners"]}
    assert rows[b.pk]["month"] == {"P": 9, "L": 0, "S": 0, "E": 1, "A": 0}
    assert rows[b.pk]["rate"]["value"] == pytest.approx(0.9)
    assert [rows[s.pk]["chronic"] for s in (a, b, c)] == [False, True, False]
    assert rows[c.pk]["rate"]["value"] is None
    assert (body["chronic_rate"]["numerator"], body["chronic_rate"]["denominator"]) == (1, 2)


def test_school_missing_days_are_exact(client_as: Client, room: Classroom) -> None:
    a, *_ = learners(room)
    AttendanceMark.objects.create(student=a, classroom=room, date=TODAY, code="P")
    body = client_as("esa_officer_a1").get(f"/api/v1/schools/{A1_1}/attendance/missing/").json()
    # 18 May – 19 June 2026: 25 school days, one of them marked.
    assert body["school_days"] == 25
    assert [(r["classroom"]["label"], r["expected"], r["missing_count"]) for r in body["rooms"]] == [
        ("ป.1/1", 25, 24)
    ]
    assert body["rooms"][0]["missing"][-1] == "2026-06-18"
    assert body["rooms_missing"] == 1
    assert "กมล" not in str(body)


def test_esa_missing_is_aggregate_and_scoped(client_as: Client, room: Classroom) -> None:
    body = client_as("esa_officer_a1").get("/api/v1/attendance/esa-missing/?esa=11201&days=3").json()
    assert body["days"] == 3
    assert {
        s["school_code"]: (s["rooms"], s["rooms_missing"], s["missing_room_days"]) for s in body["schools"]
    } == {
        "1012000001": (1, 1, 3),
        "1012000002": (0, 0, 0),
    }
    assert client_as("esa_officer_b1").get("/api/v1/attendance/esa-missing/?esa=11201").status_code == 404
