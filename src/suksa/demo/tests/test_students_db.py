"""The tiny demo with learner records in the database: rooms, census rounds, counts, attendance."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from suksa.core.identifiers import citizen_id_problem
from suksa.core.models import OrgUnit, School
from suksa.demo.data import HOME_ESA_CODE
from suksa.demo.generator import generate
from suksa.demo.students import dmc_rows
from suksa.domains.students.dmc import DMC_HEADERS
from suksa.domains.students.models import (
    AttendanceMark,
    CensusReturn,
    CensusRound,
    Classroom,
    Enrolment,
    Guardian,
    Student,
    StudentSensitive,
    Transfer,
)
from suksa.domains.students.models.choices import GRADE_SHORT_TH

PAST_ROUNDS = [(y, r) for y in (2565, 2566, 2567, 2568) for r in ("jun10", "nov10", "year_end")]


@pytest.fixture
def tiny(db: None) -> dict[str, Any]:
    return generate(scale="tiny", seed=2569, records="tiny")


def demo_school() -> OrgUnit:
    return OrgUnit.objects.filter(parent__code=HOME_ESA_CODE, kind="school").order_by("code").first()  # type: ignore[return-value]


def test_learners_enrolments_and_the_registry_agree_with_the_pure_plan(tiny: dict[str, Any]) -> None:
    records = tiny["records"]
    current = Enrolment.objects.filter(academic_year__year_be=2569, status__in=["active", "pending_transfer"])
    rows = list(dmc_rows(scale="tiny", seed=2569, year_be=2569))
    h = DMC_HEADERS

    assert records["learners"] == Student.objects.count() > 3000
    assert records["enrolments"] == Enrolment.objects.count()
    assert current.count() == len(rows)
    grade_of = {th: code for code, th in GRADE_SHORT_TH.items()}
    in_db = {
        (cid or g, school, grade)
        for cid, g, school, grade in current.values_list(
            "student__citizen_id", "student__g_code", "school__code", "grade"
        )
    }
    assert in_db == {(r[h["identifier"]], r[h["school_code"]], grade_of[r[h["grade"]]]) for r in rows}
    assert all(
        citizen_id_problem(c or "") is None
        for c in Student.objects.exclude(citizen_id=None).values_list("citizen_id", flat=True)
    )
    # Every learner whose last enrolment is this year has one guardian and a sensitive record.
    this_year = Student.objects.filter(enrolments__academic_year__year_be=2569).distinct().count()
    assert Guardian.objects.count() == StudentSensitive.objects.count() == this_year
    assert set(Guardian.objects.values_list("phone", flat=True)[:50])
    assert all(p.startswith("08") and len(p) == 12 for p in Guardian.objects.values_list("phone", flat=True))
    # Dropouts carry a reason; transfers have both enrolments.
    assert not Enrolment.objects.filter(status="dropped_out", exit_reason="").exists()
    accepted = Transfer.objects.filter(status="accepted")
    assert accepted.exists()
    assert not accepted.filter(to_enrolment=None).exists()
    assert all(
        t.from_enrolment.status == "transferred_out" and t.to_enrolment.entry == "transfer_in"  # type: ignore[union-attr]
        and t.from_school.parent_id == t.to_school.parent_id
        for t in accepted.select_related("from_enrolment", "to_enrolment", "from_school", "to_school")
    )  # fmt: skip
    assert Transfer.objects.filter(status="requested", from_enrolment__status="pending_transfer").count() == (
        Transfer.objects.filter(status="requested").count()
    )
    assert all(s.search_text == s.compute_search_text() for s in Student.objects.order_by("pk")[:2000])


def test_past_rounds_are_certified_and_closed_and_the_current_round_has_work(tiny: dict[str, Any]) -> None:
    rounds = {
        (r.census_date.academic_year.year_be, r.census_date.round): r
        for r in CensusRound.objects.select_related("census_date__academic_year")
    }
    schools_with_records = OrgUnit.objects.filter(enrolments__isnull=False).distinct().count()

    assert set(rounds) == {*PAST_ROUNDS, (2569, "jun10"), (2569, "nov10")}
    for key in [*PAST_ROUNDS, (2569, "jun10")]:
        assert rounds[key].status == "closed"
        statuses = Counter(rounds[key].returns.values_list("status", flat=True))
        assert statuses == {"acknowledged": schools_with_records}
    nov = rounds[(2569, "nov10")]
    assert nov.status == "open"
    assert nov.returns.get(school=demo_school()).status == "draft"
    home = nov.returns.filter(school__parent__code=HOME_ESA_CODE).exclude(school=demo_school())
    assert home.filter(status__in=["certified", "acknowledged"]).exists()
    assert home.filter(status="draft").exists()
    assert nov.returns.exclude(school__parent__code=HOME_ESA_CODE).exclude(status="draft").count() == 0
    # The school profile's enrolment is the latest closed round's headcount.
    june = rounds[(2569, "jun10")]
    for school in School.objects.select_related("unit"):
        ret = june.returns.get(school=school.unit)
        assert (school.student_count, school.counts_as_of) == (ret.student_total, dt.date(2026, 6, 10))
    assert tiny["students"] == sum(School.objects.values_list("student_count", flat=True))
    assert CensusReturn.objects.filter(round=june, student_total=0).count() == 0


def test_the_teacher_persona_has_a_homeroom_with_learners_and_attendance(tiny: dict[str, Any]) -> None:
    school = demo_school()
    room = Classroom.objects.get(school=school, academic_year__year_be=2569, grade="P1", number=1)
    marks = AttendanceMark.objects.filter(classroom=room)

    assert list(room.teachers.values_list("username", flat=True)) == ["teacher"]
    assert room.enrolments.filter(status="active").count() >= 10
    assert marks.exists()
    assert set(marks.values_list("recorded_by__username", flat=True)) == {"teacher"}
    # Marks only for the demo school, up to the day before the demo's today, on school days.
    assert set(AttendanceMark.objects.values_list("classroom__school", flat=True)) == {school.pk}
    days = set(AttendanceMark.objects.values_list("date", flat=True))
    assert max(days) < dt.date(2026, 11, 20)
    assert min(days) >= dt.date(2026, 5, 18)
    assert all(d.weekday() < 5 for d in days)
    assert dt.date(2026, 8, 12) not in days
    # Some learners are chronically absent (missed ≥ 10 % of their days) and two rooms miss days.
    per_student = AttendanceMark.objects.values("student").annotate(
        n=Count("id"), missed=Count("id", filter=Q(code__in=["A", "S", "E"]))
    )
    chronic = [r for r in per_student if r["missed"] >= 0.1 * r["n"]]
    assert 0.02 < len(chronic) / len(per_student) < 0.2
    per_room = AttendanceMark.objects.values("classroom").annotate(days=Count("date", distinct=True))
    assert sorted({r["days"] for r in per_room})[0] < len(days)


def test_the_demo_command_takes_a_records_option(db: None) -> None:
    out = StringIO()
    call_command("demo", "--scale", "tiny", "--records", "none", stdout=out)
    assert not Student.objects.exists()
    assert "Learner records" not in out.getvalue()

    call_command("demo", "--scale", "tiny", "--replace", stdout=out)  # default records: the scale

    assert Student.objects.exists()
    assert "Learner records (tiny)" in out.getvalue()
    assert "นักเรียนรายบุคคล (tiny)" in out.getvalue()


def test_replacing_gives_the_same_learners(tiny: dict[str, Any]) -> None:
    def snapshot() -> list[tuple[Any, ...]]:
        return list(
            Enrolment.objects.order_by("student__citizen_id", "student__g_code", "starts_on").values_list(
                "student__citizen_id",
                "student__g_code",
                "school__code",
                "grade",
                "status",
                "starts_on",
                "ends_on",
            )
        )

    first = snapshot()
    generate(scale="tiny", seed=2569, records="tiny", replace=True)
    assert snapshot() == first
