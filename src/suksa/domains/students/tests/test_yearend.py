"""Year-end for a whole school: preview, apply in one batch (set-based), reverse until certified."""

from __future__ import annotations

import datetime as dt

import pytest

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied
from suksa.core.models import AcademicYear, AuditEntry, CensusDate
from suksa.core.policy import Actor
from suksa.domains.accounts.actors import actor_for
from suksa.domains.students.models import CensusReturn, CensusRound, Enrolment, Transfer, YearEndBatch
from suksa.domains.students.models.choices import EnrolmentStatus
from suksa.domains.students.services.enrolment import student_drop_out
from suksa.domains.students.services.transfers import transfer_cancel, transfer_request
from suksa.domains.students.services.yearend import year_end_apply, year_end_preview, year_end_reverse
from suksa.domains.students.tests.factories import academic_year, make_student
from tests.factories import World

pytestmark = pytest.mark.django_db


def actor(world: World, name: str) -> Actor:
    return actor_for(world.user(name))


def state() -> tuple[object, ...]:
    return (
        AuditEntry.objects.count(),
        list(
            Enrolment.objects.order_by("pk").values_list(
                "pk", "status", "ends_on", "grade", "entry", "closed_by_batch_id", "created_by_batch_id"
            )
        ),
        list(YearEndBatch.objects.order_by("pk").values_list("pk", "status")),
    )


def primary_school(world: World) -> dict[str, int]:
    """school_a1_1 teaches K1–P6: one learner in K3, two in P1, one in P6."""
    ids = {}
    for key, grade, room in [("k3", "K3", 1), ("p1a", "P1", 1), ("p1b", "P1", 2), ("p6", "P6", 1)]:
        ids[key] = make_student(world.school_a1_1, grade=grade, room=room).enrolments.get().pk
    return ids


def next_year_rows(school_id: int) -> list[tuple[str, str, int]]:
    return sorted(
        Enrolment.objects.filter(school_id=school_id, academic_year__year_be=2570).values_list(
            "grade", "entry", "classroom__number"
        )
    )


def test_the_preview_proposes_promotion_and_graduation_with_continuation(world: World) -> None:
    ids = primary_school(world)
    preview = year_end_preview(
        actor=actor(world, "director_a1_1"), school=world.school_a1_1, academic_year=academic_year()
    )
    by_id = {r.enrolment_id: r for r in preview.rows}
    assert (by_id[ids["k3"]].outcome, by_id[ids["k3"]].next_grade, by_id[ids["k3"]].next_entry) == (
        "graduate", "P1", "admitted",
    )  # fmt: skip
    assert (by_id[ids["p1a"]].outcome, by_id[ids["p1a"]].next_grade, by_id[ids["p1a"]].next_entry) == (
        "promote", "P2", "promoted",
    )  # fmt: skip
    # A primary school does not teach M1: its P6 graduates leave.
    assert (by_id[ids["p6"]].outcome, by_id[ids["p6"]].next_grade) == ("graduate", None)
    assert preview.counts == {"K3": {"graduate": 1}, "P1": {"promote": 2}, "P6": {"graduate": 1}}
    assert preview.can_apply
    assert state()[0] == AuditEntry.objects.count()


def test_applying_closes_the_year_and_opens_the_next(world: World) -> None:
    ids = primary_school(world)
    ay = academic_year()
    batch = year_end_apply(
        actor=actor(world, "director_a1_1"), school=world.school_a1_1, academic_year=ay,
        overrides={ids["p1b"]: "repeat"},
    )  # fmt: skip
    closed = dict(Enrolment.objects.filter(academic_year=ay).values_list("pk", "status"))
    assert closed == {
        ids["k3"]: "graduated",
        ids["p1a"]: "promoted",
        ids["p1b"]: "repeated",
        ids["p6"]: "graduated",
    }
    assert set(Enrolment.objects.filter(academic_year=ay).values_list("ends_on", flat=True)) == {ay.ends_on}
    assert next_year_rows(world.school_a1_1.pk) == [
        ("P1", "admitted", 1),
        ("P1", "repeated", 2),
        ("P2", "promoted", 1),
    ]
    nxt = AcademicYear.objects.get(year_be=2570)
    assert set(
        Enrolment.objects.filter(academic_year=nxt).values_list("starts_on", "created_by_batch", "status")
    ) == {(nxt.starts_on, batch.pk, "active")}
    assert batch.summary == {
        "next_year_be": 2570, "learners": 4, "continuing": 3,
        "by_grade": {"K3": {"graduate": 1}, "P1": {"promote": 1, "repeat": 1}, "P6": {"graduate": 1}},
    }  # fmt: skip


def test_a_secondary_school_continues_m3_graduates_into_m4_and_lets_m6_graduates_go(world: World) -> None:
    for grade in ("M3", "M6"):
        make_student(world.school_a2_1, grade=grade)
    world.users["director_a2_1"] = __import__("tests.factories", fromlist=["make_user"]).make_user(
        "director_a2_1", "school_director", world.school_a2_1
    )
    year_end_apply(
        actor=actor(world, "director_a2_1"),
        school=world.school_a2_1,
        academic_year=academic_year(),
        overrides={},
    )
    assert next_year_rows(world.school_a2_1.pk) == [("M4", "admitted", 1)]


def test_overrides_leave_and_illegal_outcomes(world: World) -> None:
    ids = primary_school(world)
    director = actor(world, "director_a1_1")
    before = state()
    with pytest.raises(InvalidInput) as exc:
        year_end_apply(
            actor=director, school=world.school_a1_1, academic_year=academic_year(),
            overrides={ids["p6"]: "promote", ids["p1a"]: "graduate", 999999: "repeat", ids["k3"]: "skip"},
        )  # fmt: skip
    assert sorted((p.code, p.field) for p in exc.value.problems) == sorted([
        ("outcome_promote_last_grade", f"overrides.{ids['p6']}"),
        ("outcome_graduate_not_last", f"overrides.{ids['p1a']}"),
        ("enrolment_not_in_school", "overrides.999999"),
        ("outcome_unknown", f"overrides.{ids['k3']}"),
    ])  # fmt: skip
    assert all(p.th != p.en for p in exc.value.problems)
    assert state() == before

    year_end_apply(
        actor=director, school=world.school_a1_1, academic_year=academic_year(),
        overrides={ids["p1a"]: "leave", ids["k3"]: "leave"},
    )  # fmt: skip
    assert Enrolment.objects.get(pk=ids["p1a"]).status == "promoted"
    assert Enrolment.objects.get(pk=ids["k3"]).status == "graduated"
    assert next_year_rows(world.school_a1_1.pk) == [("P2", "promoted", 2)]


def test_pending_transfers_block_apply_and_are_listed(world: World) -> None:
    primary_school(world)
    pending = make_student(world.school_a1_1, grade="P3", first_name_th="รอ", last_name_th="ย้าย")
    director = actor(world, "director_a1_1")
    transfer = transfer_request(
        actor=director, student=pending, to_school=world.school_a1_2, requested_on=dt.date(2026, 7, 1)
    )
    preview = year_end_preview(actor=director, school=world.school_a1_1, academic_year=academic_year())
    assert [(p.name, p.grade, p.to_school_code) for p in preview.pending] == [
        ("เด็กหญิงรอ ย้าย", "P3", "1012000002")
    ]
    assert not preview.can_apply
    before = state()
    with pytest.raises(InvalidInput) as exc:
        year_end_apply(actor=director, school=world.school_a1_1, academic_year=academic_year(), overrides={})
    assert [p.code for p in exc.value.problems] == ["transfer_pending"]
    assert "เด็กหญิงรอ ย้าย" in exc.value.problems[0].th
    assert "1012000002" in exc.value.problems[0].en
    assert state() == before

    transfer_cancel(actor=director, transfer=transfer)
    year_end_apply(actor=director, school=world.school_a1_1, academic_year=academic_year(), overrides={})


def test_apply_is_once_per_year_until_reversed(world: World) -> None:
    primary_school(world)
    director = actor(world, "director_a1_1")
    batch = year_end_apply(
        actor=director, school=world.school_a1_1, academic_year=academic_year(), overrides={}
    )
    before = state()
    with pytest.raises(InvalidInput) as exc:
        year_end_apply(actor=director, school=world.school_a1_1, academic_year=academic_year(), overrides={})
    assert [p.code for p in exc.value.problems] == ["year_end_applied"]
    assert state() == before
    year_end_reverse(actor=director, batch=batch)
    again = year_end_apply(
        actor=director, school=world.school_a1_1, academic_year=academic_year(), overrides={}
    )
    assert again.pk != batch.pk


def test_reversing_restores_exactly_what_was_there(world: World) -> None:
    ids = primary_school(world)
    dropped = make_student(world.school_a1_1, grade="P4").enrolments.get()
    director = actor(world, "director_a1_1")
    student_drop_out(actor=director, enrolment=dropped, on=dt.date(2026, 9, 1), reason="01")
    enrolments_before = state()[1]
    batch = year_end_apply(
        actor=director,
        school=world.school_a1_1,
        academic_year=academic_year(),
        overrides={ids["p1b"]: "repeat"},
    )
    year_end_reverse(actor=director, batch=batch)
    assert state()[1] == enrolments_before
    batch.refresh_from_db()
    assert (batch.status, batch.reversed_by) == (YearEndBatch.Status.REVERSED, world.user("director_a1_1"))
    before = state()
    with pytest.raises(InvalidInput) as exc:
        year_end_reverse(actor=director, batch=batch)
    assert [p.code for p in exc.value.problems] == ["batch_reversed"]
    assert state() == before


@pytest.mark.parametrize("status", [CensusReturn.Status.CERTIFIED, CensusReturn.Status.ACKNOWLEDGED])
def test_reversing_is_refused_once_the_year_end_census_is_certified(world: World, status: str) -> None:
    primary_school(world)
    director = actor(world, "director_a1_1")
    ay = academic_year()
    batch = year_end_apply(actor=director, school=world.school_a1_1, academic_year=ay, overrides={})
    census_round = CensusRound.objects.create(
        census_date=CensusDate.objects.get(academic_year=ay, round=CensusDate.Round.YEAR_END)
    )
    CensusReturn.objects.create(round=census_round, school=world.school_a1_1, status=status)
    before = state()
    with pytest.raises(InvalidInput) as exc:
        year_end_reverse(actor=director, batch=batch)
    problem = exc.value.problems[0]
    assert problem.code == "census_certified"
    assert "รับรอง" in problem.th
    assert "certified" in problem.en
    assert state() == before


def test_a_draft_census_return_does_not_block_reversal(world: World) -> None:
    primary_school(world)
    director = actor(world, "director_a1_1")
    ay = academic_year()
    batch = year_end_apply(actor=director, school=world.school_a1_1, academic_year=ay, overrides={})
    census_round = CensusRound.objects.create(
        census_date=CensusDate.objects.get(academic_year=ay, round=CensusDate.Round.YEAR_END)
    )
    CensusReturn.objects.create(round=census_round, school=world.school_a1_1)
    year_end_reverse(actor=director, batch=batch)
    assert Enrolment.objects.filter(academic_year__year_be=2570).count() == 0


def test_reversing_is_refused_when_next_years_enrolments_moved_on(world: World) -> None:
    primary_school(world)
    director = actor(world, "director_a1_1")
    batch = year_end_apply(
        actor=director, school=world.school_a1_1, academic_year=academic_year(), overrides={}
    )
    moved = Enrolment.objects.filter(created_by_batch=batch).first()
    assert moved is not None
    transfer_request(
        actor=director, student=moved.student, to_school=world.school_a1_2, requested_on=dt.date(2027, 6, 1)
    )
    before = state()
    with pytest.raises(InvalidInput) as exc:
        year_end_reverse(actor=director, batch=batch)
    assert [p.code for p in exc.value.problems] == ["batch_enrolments_changed"]
    assert state() == before
    assert Transfer.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("teacher_a1_1", PermissionDenied),
        ("esa_officer_a1", PermissionDenied),
        ("esa_director_a1", PermissionDenied),
        ("director_a1_2", NotFoundOrNoAccess),
        ("director_b1_1", NotFoundOrNoAccess),
        ("esa_officer_b1", NotFoundOrNoAccess),
        ("executive", NotFoundOrNoAccess),
        ("nobody", NotFoundOrNoAccess),
    ],
)
def test_year_end_needs_student_edit_on_the_school(world: World, name: str, error: type) -> None:
    primary_school(world)
    batch = year_end_apply(
        actor=actor(world, "director_a1_1"),
        school=world.school_a1_1,
        academic_year=academic_year(),
        overrides={},
    )
    who = actor(world, name)
    before = state()
    with pytest.raises(error):
        year_end_preview(actor=who, school=world.school_a1_1, academic_year=academic_year())
    with pytest.raises(error):
        year_end_reverse(actor=who, batch=batch)
    YearEndBatch.objects.filter(pk=batch.pk).update(status="reversed")
    with pytest.raises(error):
        year_end_apply(actor=who, school=world.school_a1_1, academic_year=academic_year(), overrides={})
    YearEndBatch.objects.filter(pk=batch.pk).update(status="applied")
    assert state() == before


def test_apply_and_reverse_are_set_based_for_a_300_learner_school(
    world: World, django_assert_max_num_queries: object
) -> None:
    from suksa.domains.students.models import Classroom, Student
    from suksa.domains.students.tests.factories import citizen_id

    ay = academic_year()
    academic_year(2570)  # calendar rows exist: what remains is the batch's own work
    grades = ["K1", "K2", "K3", "P1", "P2", "P3", "P4", "P5", "P6"]
    rooms = {
        g: Classroom.objects.create(school=world.school_a1_1, academic_year=ay, grade=g, number=1)
        for g in grades
    }
    students = Student.objects.bulk_create(
        [
            Student(citizen_id=citizen_id(), first_name_th=f"คน{i}", last_name_th="ทดสอบ", sex="MF"[i % 2],
                    birth_date=dt.date(2015, 1, 1), school=world.school_a1_1)
            for i in range(300)
        ]
    )  # fmt: skip
    Enrolment.objects.bulk_create(
        [
            Enrolment(student=s, school=world.school_a1_1, academic_year=ay, grade=grades[i % 9],
                      classroom=rooms[grades[i % 9]], starts_on=ay.starts_on)
            for i, s in enumerate(students)
        ]
    )  # fmt: skip
    ids = list(Enrolment.objects.filter(grade="P2").values_list("pk", flat=True)[:10])
    director = actor(world, "director_a1_1")
    # ~15 fixed (locks, calendar, rooms, batch, audit) + 1–2 UPDATEs per grade (9 grades) + the bulk
    # INSERT in chunks (SQLite binds at most 999 parameters): 35 today, never one per learner.
    with django_assert_max_num_queries(45):  # type: ignore[operator]
        batch = year_end_apply(
            actor=director, school=world.school_a1_1, academic_year=ay,
            overrides=dict.fromkeys(ids, "repeat"),
        )  # fmt: skip
    assert Enrolment.objects.filter(created_by_batch=batch).count() == 300 - 33  # the 33 P6 graduates leave
    assert Enrolment.objects.filter(closed_by_batch=batch, status="repeated").count() == 10
    with django_assert_max_num_queries(25):  # type: ignore[operator]
        year_end_reverse(actor=director, batch=batch)
    assert Enrolment.objects.filter(academic_year=ay, status=EnrolmentStatus.ACTIVE).count() == 300
