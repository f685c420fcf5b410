"""The enrolment API: an authorization matrix per endpoint, the workflows, bilingual refusals.

Personas: sending director (director_a1_1), receiving director (director_a1_2), teacher, ESA officer
of the same ESA (esa_officer_a1) and of another (esa_officer_b1), executive, nobody, anonymous.
Every refused write is followed by a check that nothing changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

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

Client = Callable[..., APIClient]
A1_1, A1_2 = "1012000001", "1012000002"
PERSONAS = [None, "director_a1_1", "director_a1_2", "teacher_a1_1", "esa_officer_a1", "esa_officer_b1",
            "executive", "nobody"]  # fmt: skip


def state() -> tuple[object, ...]:
    return (
        AuditEntry.objects.count(),
        list(
            Enrolment.objects.order_by("pk").values_list(
                "pk", "status", "ends_on", "classroom_id", "school_id"
            )
        ),
        list(Transfer.objects.order_by("pk").values_list("pk", "status")),
        list(DuplicateClaim.objects.order_by("pk").values_list("pk", "status")),
        list(YearEndBatch.objects.order_by("pk").values_list("pk", "status")),
        list(Classroom.objects.order_by("pk").values_list("pk", "grade", "number")),
    )


@pytest.fixture
def learner(world: World) -> Student:
    academic_year(2570)
    return make_student(world.school_a1_1, grade="P3", first_name_th="สมหญิง", last_name_th="ใจดี")


def pending(world: World, learner: Student) -> Transfer:
    Enrolment.objects.filter(student=learner).update(status="pending_transfer")
    return Transfer.objects.create(
        student=learner, from_enrolment=learner.enrolments.get(), from_school=world.school_a1_1,
        to_school=world.school_a1_2, requested_on=dt.date(2026, 7, 1),
    )  # fmt: skip


# --- reads -----------------------------------------------------------------------------------------

READS: dict[str, dict[str | None, int]] = {
    f"/api/v1/schools/{A1_1}/rooms/?year=2569": {None: 401, "director_a1_1": 200, "director_a1_2": 404,
        "teacher_a1_1": 200, "esa_officer_a1": 200, "esa_officer_b1": 404, "executive": 403, "nobody": 403},
    "/api/v1/transfers/": {None: 401, "director_a1_1": 200, "director_a1_2": 200, "teacher_a1_1": 403,
        "esa_officer_a1": 200, "esa_officer_b1": 200, "executive": 403, "nobody": 403},
    "/api/v1/duplicate-claims/": {None: 401, "director_a1_1": 200, "director_a1_2": 200, "teacher_a1_1": 403,
        "esa_officer_a1": 200, "esa_officer_b1": 200, "executive": 403, "nobody": 403},
    f"/api/v1/schools/{A1_1}/year-end/preview/?year=2569": {None: 401, "director_a1_1": 200,
        "director_a1_2": 404, "teacher_a1_1": 403, "esa_officer_a1": 403, "esa_officer_b1": 403,
        "executive": 403, "nobody": 403},
    f"/api/v1/schools/{A1_1}/year-end/": {None: 401, "director_a1_1": 200, "director_a1_2": 404,
        "teacher_a1_1": 403, "esa_officer_a1": 403, "esa_officer_b1": 404, "executive": 403, "nobody": 403},
}  # fmt: skip
TRANSFER_READ = {None: 401, "director_a1_1": 200, "director_a1_2": 200, "teacher_a1_1": 403, "esa_officer_a1": 200,
                 "esa_officer_b1": 404, "executive": 403, "nobody": 403}  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
def test_read_authorization_matrix(
    client_as: Client, world: World, learner: Student, persona: str | None
) -> None:
    client = client_as(persona)
    transfer = pending(world, learner)
    for url, expected in READS.items():
        assert client.get(url).status_code == expected[persona], (url, persona)
    assert client.get(f"/api/v1/transfers/{transfer.pk}/").status_code == TRANSFER_READ[persona], persona
    listed = client.get("/api/v1/transfers/")
    if listed.status_code == 200:
        ids = [t["id"] for t in listed.json()["results"]]
        assert ids == ([transfer.pk] if TRANSFER_READ[persona] == 200 else []), persona


def test_the_receiving_school_sees_enough_of_the_pending_learner(
    client_as: Client, world: World, learner: Student
) -> None:
    transfer = pending(world, learner)
    body = client_as("director_a1_2").get("/api/v1/transfers/?direction=incoming").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["id"], row["student_name"], row["identifier"], row["grade"], row["from_school"], row["status"]) == (
        transfer.pk, "เด็กหญิงสมหญิง ใจดี", learner.identifier, "P3", A1_1, "requested",
    )  # fmt: skip
    assert row["requested_on"] == "2026-07-01"
    assert row["requested_on_display"] == "1 ก.ค. 2569"
    # ...but not the learner's record itself.
    assert client_as("director_a1_2").post(f"/api/v1/students/{learner.pk}/transfer/", {}).status_code == 404


# --- writes: one learner ---------------------------------------------------------------------------

STUDENT_WRITE = {None: 401, "director_a1_1": None, "director_a1_2": 404, "teacher_a1_1": 403, "esa_officer_a1": 403,
                 "esa_officer_b1": 403, "executive": 403, "nobody": 403}  # fmt: skip


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "director_a1_1"])
def test_learner_writes_are_refused_and_change_nothing(
    client_as: Client, world: World, learner: Student, persona: str | None
) -> None:
    make_classroom(world.school_a1_1, "P3", 2)
    client = client_as(persona)
    before = state()
    for action, body in [
        ("drop-out", {"on": "2026-09-01", "reason": "01"}),
        ("move-room", {"room": 2}),
        ("transfer", {"to_school": A1_2, "requested_on": "2026-07-01"}),
        ("readmit", {"on": "2026-09-01", "grade": "P3"}),
    ]:
        response = client.post(f"/api/v1/students/{learner.pk}/{action}/", body, format="json")
        assert response.status_code == STUDENT_WRITE[persona], (action, persona)
    assert state() == before


def test_drop_out_move_room_and_readmit(client_as: Client, world: World, learner: Student) -> None:
    client = client_as("director_a1_1")
    make_classroom(world.school_a1_1, "P3", 2)
    response = client.post(f"/api/v1/students/{learner.pk}/move-room/", {"room": 2}, format="json")
    assert (response.status_code, response.json()["room"]) == (200, 2)

    response = client.post(
        f"/api/v1/students/{learner.pk}/drop-out/",
        {"on": "2026-09-01", "reason": "07", "note": "ป่วย"},
        format="json",
    )
    assert response.status_code == 200
    assert {k: response.json()[k] for k in ("status", "ends_on", "exit_reason", "ends_on_display")} == {
        "status": "dropped_out", "ends_on": "2026-09-01", "exit_reason": "07", "ends_on_display": "1 ก.ย. 2569",
    }  # fmt: skip

    before = state()
    response = client.post(
        f"/api/v1/students/{learner.pk}/drop-out/", {"on": "2026-09-02", "reason": "07"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "not_enrolled"
    assert state() == before

    response = client.post(
        f"/api/v1/students/{learner.pk}/readmit/", {"on": "2026-11-02", "grade": "P3"}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["entry"], response.json()["starts_on"]) == ("admitted", "2026-11-02")


def test_a_bad_dropout_reason_is_reported_in_both_languages(
    client_as: Client, world: World, learner: Student
) -> None:
    before = state()
    response = client_as("director_a1_1", language="en").post(
        f"/api/v1/students/{learner.pk}/drop-out/", {"on": "2026-05-01", "reason": "01"}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["code"], error["field"]) == ("date_outside_enrolment", "on")
    assert "วันที่ออก" in error["message_th"]
    assert "leaving date" in error["message_en"]
    assert state() == before


# --- transfers ---------------------------------------------------------------------------------------


def test_the_transfer_workflow(client_as: Client, world: World, learner: Student) -> None:
    response = client_as("director_a1_1").post(
        f"/api/v1/students/{learner.pk}/transfer/",
        {"to_school": A1_2, "requested_on": "2026-07-01"},
        format="json",
    )
    assert response.status_code == 201
    transfer_id = response.json()["id"]
    assert learner.enrolments.get().status == "pending_transfer"

    response = client_as("director_a1_2").post(
        f"/api/v1/transfers/{transfer_id}/accept/",
        {"grade": "P4", "room": 3, "starts_on": "2026-07-06"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert list(learner.enrolments.order_by("starts_on").values_list("school__code", "grade", "status", "ends_on")) == [
        (A1_1, "P3", "transferred_out", dt.date(2026, 7, 5)), (A1_2, "P4", "active", None),
    ]  # fmt: skip
    assert Student.objects.get(pk=learner.pk).school == world.school_a1_2


ACCEPT = {None: 401, "director_a1_1": 403, "director_a1_2": 200, "teacher_a1_1": 403, "esa_officer_a1": 403,
          "esa_officer_b1": 404, "executive": 403, "nobody": 403}  # fmt: skip
REJECT = ACCEPT
CANCEL = {**ACCEPT, "director_a1_1": 200, "director_a1_2": 403}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("action", "matrix"), [("accept", ACCEPT), ("reject", REJECT), ("cancel", CANCEL)])
def test_transfer_decision_matrix(
    client_as: Client, world: World, learner: Student, persona: str | None, action: str, matrix: dict
) -> None:
    transfer = pending(world, learner)
    before = state()
    body = {"starts_on": "2026-07-06"} if action == "accept" else {}
    response = client_as(persona).post(f"/api/v1/transfers/{transfer.pk}/{action}/", body, format="json")
    assert response.status_code == matrix[persona]
    if matrix[persona] != 200:
        assert state() == before
    else:
        transfer.refresh_from_db()
        assert transfer.status == {"accept": "accepted", "reject": "rejected", "cancel": "cancelled"}[action]


def test_a_settled_transfer_is_refused_bilingually(client_as: Client, world: World, learner: Student) -> None:
    transfer = pending(world, learner)
    assert (
        client_as("director_a1_1")
        .post(f"/api/v1/transfers/{transfer.pk}/cancel/", {}, format="json")
        .status_code
        == 200
    )
    before = state()
    response = client_as("director_a1_2").post(f"/api/v1/transfers/{transfer.pk}/accept/", {}, format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "transfer_decided"
    assert error["message_th"] != error["message_en"]
    assert state() == before


# --- rooms -------------------------------------------------------------------------------------------


def test_rooms_create_and_teachers(client_as: Client, world: World, learner: Student) -> None:
    client = client_as("director_a1_1")
    response = client.post(
        f"/api/v1/schools/{A1_1}/rooms/", {"year": 2569, "grade": "P4", "number": 2}, format="json"
    )
    assert response.status_code == 201
    room_id = response.json()["id"]
    assert {k: response.json()[k] for k in ("grade", "number", "learners", "year_be")} == {
        "grade": "P4", "number": 2, "learners": 0, "year_be": 2569,
    }  # fmt: skip
    teacher = world.user("teacher_a1_1")
    response = client.post(f"/api/v1/rooms/{room_id}/teachers/", {"teachers": [teacher.pk]}, format="json")
    assert response.status_code == 200
    assert [t["username"] for t in response.json()["teachers"]] == ["teacher_a1_1"]

    rooms = client_as("teacher_a1_1").get(f"/api/v1/schools/{A1_1}/rooms/?year=2569").json()["results"]
    assert [(r["grade"], r["number"]) for r in rooms] == [("P4", 2)]
    rooms = client.get(f"/api/v1/schools/{A1_1}/rooms/?year=2569").json()["results"]
    assert [(r["grade"], r["number"], r["learners"]) for r in rooms] == [("P3", 1, 1), ("P4", 2, 0)]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "director_a1_1"])
def test_room_writes_are_refused(
    client_as: Client, world: World, learner: Student, persona: str | None
) -> None:
    room = learner.enrolments.get().classroom
    assert room is not None
    expected_create = {None: 401, "director_a1_2": 404, "teacher_a1_1": 403, "esa_officer_a1": 403,
                       "esa_officer_b1": 404, "executive": 403, "nobody": 403}  # fmt: skip
    expected_teachers = {None: 401, "director_a1_2": 404, "teacher_a1_1": 403, "esa_officer_a1": 403,
                         "esa_officer_b1": 403, "executive": 403, "nobody": 403}  # fmt: skip
    client = client_as(persona)
    before = state()
    response = client.post(f"/api/v1/schools/{A1_1}/rooms/", {"grade": "P4", "number": 2}, format="json")
    assert response.status_code == expected_create[persona]
    response = client.post(f"/api/v1/rooms/{room.pk}/teachers/", {"teachers": []}, format="json")
    assert response.status_code == expected_teachers[persona]
    assert state() == before


# --- year-end ----------------------------------------------------------------------------------------


def test_year_end_preview_apply_reverse(client_as: Client, world: World, learner: Student) -> None:
    make_student(world.school_a1_1, grade="K3")
    client = client_as("director_a1_1")
    preview = client.get(f"/api/v1/schools/{A1_1}/year-end/preview/?year=2569").json()
    assert preview["counts"] == {"K3": {"graduate": 1}, "P3": {"promote": 1}}
    assert preview["can_apply"] is True
    enrolment_id = learner.enrolments.get().pk

    response = client.post(
        f"/api/v1/schools/{A1_1}/year-end/apply/",
        {"year": 2569, "overrides": {str(enrolment_id): "repeat"}},
        format="json",
    )
    assert response.status_code == 201
    batch = response.json()
    assert batch["summary"]["by_grade"] == {"K3": {"graduate": 1}, "P3": {"repeat": 1}}
    assert sorted(Enrolment.objects.filter(academic_year__year_be=2570).values_list("grade", "entry")) == [
        ("P1", "admitted"), ("P3", "repeated"),
    ]  # fmt: skip
    listed = client.get(f"/api/v1/schools/{A1_1}/year-end/").json()["results"]
    assert [b["id"] for b in listed] == [batch["id"]]

    response = client.post(f"/api/v1/year-end/{batch['id']}/reverse/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "reversed"
    assert not Enrolment.objects.filter(academic_year__year_be=2570).exists()


def test_year_end_apply_lists_pending_transfers(client_as: Client, world: World, learner: Student) -> None:
    pending(world, learner)
    before = state()
    response = client_as("director_a1_1").post(
        f"/api/v1/schools/{A1_1}/year-end/apply/", {"year": 2569}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["code"] for e in errors] == ["transfer_pending"]
    assert "สมหญิง" in errors[0]["message_th"]
    assert A1_2 in errors[0]["message_en"]
    assert state() == before


def test_year_end_reverse_after_certification_is_refused(
    client_as: Client, world: World, learner: Student
) -> None:
    client = client_as("director_a1_1")
    batch_id = client.post(f"/api/v1/schools/{A1_1}/year-end/apply/", {"year": 2569}, format="json").json()[
        "id"
    ]
    census_round = CensusRound.objects.create(
        census_date=CensusDate.objects.get(academic_year=academic_year(), round="year_end")
    )
    CensusReturn.objects.create(round=census_round, school=world.school_a1_1, status="acknowledged")
    before = state()
    response = client.post(f"/api/v1/year-end/{batch_id}/reverse/", {}, format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "census_certified"
    assert "รับรอง" in error["message_th"]
    assert "certified" in error["message_en"]
    assert state() == before


YEAR_END_WRITE = {None: 401, "director_a1_2": 404, "teacher_a1_1": 403, "esa_officer_a1": 403,
                  "esa_officer_b1": 403, "executive": 403, "nobody": 403}  # fmt: skip


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "director_a1_1"])
def test_year_end_writes_are_refused(
    client_as: Client, world: World, learner: Student, persona: str | None
) -> None:
    batch = YearEndBatch.objects.create(school=world.school_a1_1, academic_year=academic_year(2568))
    client = client_as(persona)
    before = state()
    assert (
        client.post(f"/api/v1/schools/{A1_1}/year-end/apply/", {"year": 2569}, format="json").status_code
        == YEAR_END_WRITE[persona]
    )
    assert (
        client.post(f"/api/v1/year-end/{batch.pk}/reverse/", {}, format="json").status_code
        == YEAR_END_WRITE[persona]
    )
    assert state() == before


# --- duplicate claims ----------------------------------------------------------------------------------

RESOLVE = {None: 401, "director_a1_1": 403, "director_a1_2": 403, "teacher_a1_1": 403, "esa_officer_a1": 200,
           "esa_officer_b1": 404, "executive": 403, "nobody": 403}  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
def test_duplicate_claim_resolution_matrix(
    client_as: Client, world: World, learner: Student, persona: str | None
) -> None:
    claim = DuplicateClaim.objects.create(
        student=learner, identifier=learner.identifier, claiming_school=world.school_a1_2,
        holding_school=world.school_a1_1, claimed_name_th="สมหญิง",
    )  # fmt: skip
    client = client_as(persona)
    before = state()
    response = client.post(
        f"/api/v1/duplicate-claims/{claim.pk}/resolve/", {"outcome": "transfer"}, format="json"
    )
    assert response.status_code == RESOLVE[persona]
    if RESOLVE[persona] == 200:
        assert response.json()["status"] == "transferred"
        assert Transfer.objects.get().to_school == world.school_a1_2
    else:
        assert state() == before
    listed = client.get("/api/v1/duplicate-claims/")
    if listed.status_code == 200:
        expected = [] if persona == "esa_officer_b1" else [claim.pk]
        assert [c["id"] for c in listed.json()["results"]] == expected
