"""Census rounds: snapshot from temporal enrolments, certify, acknowledge, close, amend."""

from __future__ import annotations

import datetime as dt

import pytest

from suksa.core.errors import InvalidInput, PermissionDenied
from suksa.core.models import AuditEntry, OrgUnit, School
from suksa.core.policy import SYSTEM
from suksa.domains.accounts.actors import actor_for
from suksa.domains.students.models import CensusAmendment, CensusCount, CensusReturn, CensusRound, Enrolment
from suksa.domains.students.models.choices import EnrolmentStatus, EntryKind
from suksa.domains.students.models.registry import StudentSensitive
from suksa.domains.students.selectors_census import esa_board, headcounts, round_progress
from suksa.domains.students.services.census import (
    census_amend,
    census_return_acknowledge,
    census_return_certify,
    census_returns_acknowledge,
    census_returns_take,
    census_round_close,
    census_round_open,
)
from suksa.domains.students.tests.factories import academic_year, make_student
from tests.factories import World

JUN10 = dt.date(2026, 6, 10)  # the 10 June census of 2569


def actor(world: World, name: str):
    return actor_for(world.user(name))


def open_round(world: World) -> CensusRound:
    census_date = academic_year(2569).census_dates.get(round="jun10")
    return census_round_open(actor=actor(world, "me_officer"), census_date=census_date)


def school_qs(*units: OrgUnit):
    return OrgUnit.objects.filter(pk__in=[u.pk for u in units])


def take(world: World, rnd: CensusRound, *units: OrgUnit, who: str = "sysadmin") -> int:
    return census_returns_take(actor=actor(world, who), census_round=rnd, schools=school_qs(*units))


def ret_of(rnd: CensusRound, unit: OrgUnit) -> CensusReturn:
    return CensusReturn.objects.get(round=rnd, school=unit)


def cells(ret: CensusReturn) -> set[tuple]:
    return set(ret.counts.values_list("grade", "sex", "age", "repeater", "count", "disabled", "ccl_eligible"))


# --- opening --------------------------------------------------------------------------------------


def test_the_national_me_officer_opens_a_round_once(world: World) -> None:
    rnd = open_round(world)
    assert rnd.status == "open"
    assert rnd.period == "2569/jun10"
    assert AuditEntry.objects.filter(object_type="students.censusround", object_id=str(rnd.pk)).count() == 1
    with pytest.raises(InvalidInput) as exc:
        open_round(world)
    assert exc.value.problems[0].code == "round_exists"


@pytest.mark.parametrize("who", ["executive", "esa_director_a1", "director_a1_1", "sysadmin_a1", "nobody"])
def test_only_national_census_close_opens_rounds(world: World, who: str) -> None:
    census_date = academic_year(2569).census_dates.get(round="jun10")
    with pytest.raises(PermissionDenied):
        census_round_open(actor=actor(world, who), census_date=census_date)
    assert not CensusRound.objects.exists()


# --- the snapshot ----------------------------------------------------------------------------------


def test_snapshot_counts_the_roster_on_the_census_date_from_temporal_enrolments(world: World) -> None:
    school = world.school_a1_1
    stays = make_student(school, grade="P1", sex="F", birth_date=dt.date(2019, 6, 10))  # 7 on the day
    leaves_after = make_student(school, grade="P1", sex="M", birth_date=dt.date(2019, 6, 11))  # still 6
    Enrolment.objects.filter(student=leaves_after).update(
        status=EnrolmentStatus.TRANSFERRED_OUT, ends_on=JUN10 + dt.timedelta(days=1)
    )
    left_before = make_student(school, grade="P1", sex="M")
    Enrolment.objects.filter(student=left_before).update(
        status=EnrolmentStatus.DROPPED_OUT, ends_on=JUN10 - dt.timedelta(days=1), exit_reason="01"
    )
    joined_after = make_student(school, grade="P2", sex="F")
    Enrolment.objects.filter(student=joined_after).update(starts_on=JUN10 + dt.timedelta(days=1))
    repeater = make_student(
        school, grade="P2", sex="F", birth_date=dt.date(2017, 1, 1), entry=EntryKind.REPEATED
    )
    StudentSensitive.objects.create(student=repeater, disability="3", ccl_eligible=True)
    StudentSensitive.objects.create(student=stays, disability="", ccl_eligible=True)
    make_student(world.school_a1_2, grade="P1")  # another school: not in this return
    rnd = open_round(world)

    assert take(world, rnd, school) == 1

    ret = ret_of(rnd, school)
    assert ret.status == "draft"
    assert ret.student_total == 3
    assert ret.classroom_total == 2  # P1/1 and P2/1
    assert len(ret.roster_digest) == 64
    assert cells(ret) == {
        ("P1", "F", 7, False, 1, 0, 1),
        ("P1", "M", 6, False, 1, 0, 0),
        ("P2", "F", 9, True, 1, 1, 1),
    }
    assert not CensusReturn.objects.filter(school=world.school_a1_2).exists()


def test_one_call_takes_many_schools_and_schools_without_learners_get_an_empty_return(world: World) -> None:
    make_student(world.school_a1_1, grade="P3")
    make_student(world.school_a1_1, grade="P3", sex="M")
    make_student(world.school_b1_1, grade="K2")
    rnd = open_round(world)

    taken = census_returns_take(actor=SYSTEM, census_round=rnd, schools=OrgUnit.objects.filter(kind="school"))

    assert taken == 4
    totals = dict(CensusReturn.objects.filter(round=rnd).values_list("school__code", "student_total"))
    assert totals == {"1012000001": 2, "1012000002": 0, "1012000101": 0, "1050000001": 1}
    assert ret_of(rnd, world.school_a1_2).counts.count() == 0


def test_retaking_replaces_draft_counts(world: World) -> None:
    make_student(world.school_a1_1, grade="P1")
    rnd = open_round(world)
    take(world, rnd, world.school_a1_1, who="director_a1_1")
    make_student(world.school_a1_1, grade="P1", sex="M")

    take(world, rnd, world.school_a1_1, who="director_a1_1")

    ret = ret_of(rnd, world.school_a1_1)
    assert ret.student_total == 2
    assert ret.counts.count() == 2


@pytest.mark.parametrize(
    "who", ["staff_a1_1", "teacher_a1_1", "director_a1_2", "esa_officer_a1", "executive", "nobody"]
)
def test_only_the_director_or_census_close_holders_take_a_schools_snapshot(world: World, who: str) -> None:
    make_student(world.school_a1_1)
    rnd = open_round(world)
    with pytest.raises(PermissionDenied):
        take(world, rnd, world.school_a1_1, who=who)
    assert not CensusReturn.objects.exists()


def test_a_director_cannot_take_other_schools_even_with_their_own(world: World) -> None:
    rnd = open_round(world)
    with pytest.raises(PermissionDenied):
        take(world, rnd, world.school_a1_1, world.school_a1_2, who="director_a1_1")
    assert not CensusReturn.objects.exists()


# --- certifying ----------------------------------------------------------------------------------


def test_certifying_freezes_the_snapshot_and_updates_the_school_profile(world: World) -> None:
    for _ in range(3):
        make_student(world.school_a1_1, grade="P1")
    rnd = open_round(world)
    take(world, rnd, world.school_a1_1, who="director_a1_1")
    ret = ret_of(rnd, world.school_a1_1)

    census_return_certify(actor=actor(world, "director_a1_1"), census_return=ret)

    ret.refresh_from_db()
    assert ret.status == "certified"
    assert ret.certified_by == world.user("director_a1_1")
    school = School.objects.get(unit=world.school_a1_1)
    assert (school.student_count, school.classroom_count, school.counts_as_of) == (3, 1, JUN10)
    assert school.size_band == "small"


def test_a_changed_roster_refuses_certification_until_retaken(world: World) -> None:
    make_student(world.school_a1_1, grade="P1")
    rnd = open_round(world)
    take(world, rnd, world.school_a1_1, who="director_a1_1")
    make_student(world.school_a1_1, grade="P2")  # registered after the snapshot, enrolled since 16 May
    ret = ret_of(rnd, world.school_a1_1)

    with pytest.raises(InvalidInput) as exc:
        census_return_certify(actor=actor(world, "director_a1_1"), census_return=ret)

    assert exc.value.problems[0].code == "roster_changed"
    ret.refresh_from_db()
    assert ret.status == "draft"
    take(world, rnd, world.school_a1_1, who="director_a1_1")
    census_return_certify(actor=actor(world, "director_a1_1"), census_return=ret)
    assert ret_of(rnd, world.school_a1_1).student_total == 2


@pytest.mark.parametrize(
    "who", ["staff_a1_1", "teacher_a1_1", "director_a1_2", "esa_director_a1", "sysadmin", "me_officer"]
)
def test_only_the_schools_director_certifies(world: World, who: str) -> None:
    make_student(world.school_a1_1)
    rnd = open_round(world)
    take(world, rnd, world.school_a1_1)
    ret = ret_of(rnd, world.school_a1_1)
    with pytest.raises(PermissionDenied):
        census_return_certify(actor=actor(world, who), census_return=ret)
    ret.refresh_from_db()
    assert ret.status == "draft"
    assert School.objects.get(unit=world.school_a1_1).counts_as_of is None


def test_a_certified_snapshot_is_immutable(world: World) -> None:
    make_student(world.school_a1_1, grade="P1")
    rnd = open_round(world)
    take(world, rnd, world.school_a1_1)
    ret = ret_of(rnd, world.school_a1_1)
    census_return_certify(actor=actor(world, "director_a1_1"), census_return=ret)
    before = list(
        CensusCount.objects.filter(census_return=ret).values_list("pk", "grade", "sex", "age", "count")
    )
    make_student(world.school_a1_1, grade="P1")

    assert take(world, rnd, world.school_a1_1) == 0
    census_returns_take(actor=SYSTEM, census_round=rnd, schools=OrgUnit.objects.filter(kind="school"))
    with pytest.raises(InvalidInput):
        census_return_certify(actor=actor(world, "director_a1_1"), census_return=ret)
    census_amend(
        actor=actor(world, "director_a1_1"),
        census_return=ret,
        cells=[("P1", "F", 6, False, 1)],
        reason="late entry",
    )

    after = list(
        CensusCount.objects.filter(census_return=ret).values_list("pk", "grade", "sex", "age", "count")
    )
    assert after == before
    ret.refresh_from_db()
    assert (ret.status, ret.student_total) == ("certified", 1)


def test_a_later_certified_round_drives_the_profile_not_an_earlier_one(world: World) -> None:
    make_student(world.school_a1_1)
    jun = open_round(world)
    nov = census_round_open(actor=SYSTEM, census_date=academic_year(2569).census_dates.get(round="nov10"))
    take(world, nov, world.school_a1_1)
    census_return_certify(actor=actor(world, "director_a1_1"), census_return=ret_of(nov, world.school_a1_1))
    make_student(world.school_a1_1)
    take(world, jun, world.school_a1_1)
    census_return_certify(actor=actor(world, "director_a1_1"), census_return=ret_of(jun, world.school_a1_1))

    school = School.objects.get(unit=world.school_a1_1)
    assert (school.student_count, school.counts_as_of) == (1, dt.date(2026, 11, 10))  # not June's 2


# --- acknowledging and closing -------------------------------------------------------------------


def certified_world(world: World) -> CensusRound:
    make_student(world.school_a1_1, grade="P1", sex="M")
    make_student(world.school_a1_2, grade="P1", sex="F")
    make_student(world.school_b1_1, grade="P6", sex="F")
    rnd = open_round(world)
    census_returns_take(actor=SYSTEM, census_round=rnd, schools=OrgUnit.objects.filter(kind="school"))
    census_return_certify(actor=actor(world, "director_a1_1"), census_return=ret_of(rnd, world.school_a1_1))
    census_return_certify(actor=actor(world, "director_b1_1"), census_return=ret_of(rnd, world.school_b1_1))
    return rnd


def test_the_esa_acknowledges_certified_returns_of_its_schools_only(world: World) -> None:
    rnd = certified_world(world)
    officer = actor(world, "esa_officer_a1")

    census_return_acknowledge(actor=officer, census_return=ret_of(rnd, world.school_a1_1))

    assert ret_of(rnd, world.school_a1_1).status == "acknowledged"
    with pytest.raises(PermissionDenied):
        census_return_acknowledge(actor=officer, census_return=ret_of(rnd, world.school_b1_1))
    with pytest.raises(InvalidInput):  # a draft
        census_return_acknowledge(actor=officer, census_return=ret_of(rnd, world.school_a1_2))
    assert ret_of(rnd, world.school_b1_1).status == "certified"


def test_bulk_acknowledge_takes_every_certified_return_in_scope(world: World) -> None:
    rnd = certified_world(world)
    a1 = CensusReturn.objects.filter(round=rnd, school__parent=world.esa_a1)

    assert census_returns_acknowledge(actor=actor(world, "esa_director_a1"), returns=a1) == 1

    statuses = dict(CensusReturn.objects.filter(round=rnd).values_list("school__code", "status"))
    assert statuses == {
        "1012000001": "acknowledged", "1012000002": "draft", "1012000101": "draft", "1050000001": "certified",
    }  # fmt: skip
    with pytest.raises(PermissionDenied):
        census_returns_acknowledge(actor=actor(world, "esa_director_a1"), returns=CensusReturn.objects.all())
    assert ret_of(rnd, world.school_b1_1).status == "certified"


def test_closing_reports_the_schools_that_did_not_certify_and_freezes_the_round(world: World) -> None:
    rnd = certified_world(world)
    with pytest.raises(PermissionDenied):
        census_round_close(actor=actor(world, "sysadmin_a1"), census_round=rnd)

    result = census_round_close(actor=actor(world, "me_officer"), census_round=rnd)

    assert (result.expected, result.certified) == (4, 2)
    assert result.not_certified_codes == ["1012000002", "1012000101"]
    rnd.refresh_from_db()
    assert rnd.status == "closed"
    assert rnd.closed_by == world.user("me_officer")
    with pytest.raises(InvalidInput):
        take(world, rnd, world.school_a1_2)
    with pytest.raises(InvalidInput):
        census_return_certify(
            actor=actor(world, "director_a1_2"), census_return=ret_of(rnd, world.school_a1_2)
        )
    with pytest.raises(InvalidInput):
        census_round_close(actor=actor(world, "me_officer"), census_round=rnd)


# --- amendments ----------------------------------------------------------------------------------


def test_amendments_add_signed_deltas_and_never_go_below_zero(world: World) -> None:
    rnd = certified_world(world)
    ret = ret_of(rnd, world.school_a1_1)  # one boy in P1, age 6
    director = actor(world, "director_a1_1")

    census_amend(
        actor=director, census_return=ret, reason="two pupils missed",
        cells=[("P1", "M", 6, False, 2), ("P2", "F", 7, False, 1)],
    )  # fmt: skip
    census_amend(
        actor=director, census_return=ret, reason="one counted twice", cells=[("P1", "M", 6, False, -1)]
    )

    h = headcounts(actor(world, "executive"), rnd, world.school_a1_1)
    assert h.by_grade.cells == {("P1", "M"): 2, ("P2", "F"): 1}
    assert School.objects.get(unit=world.school_a1_1).student_count == 3
    with pytest.raises(InvalidInput) as exc:
        census_amend(actor=director, census_return=ret, reason="x", cells=[("P2", "F", 7, False, -2)])
    assert exc.value.problems[0].code == "negative_count"
    assert exc.value.problems[0].field == "cells.0.delta"
    assert CensusAmendment.objects.filter(census_return=ret).count() == 3
    entry = AuditEntry.objects.filter(object_type="students.censusreturn", changes__event="amend").first()
    assert entry is not None
    assert entry.changes["reason"] in {"two pupils missed", "one counted twice"}


def test_an_amendment_needs_a_reason_and_valid_cells(world: World) -> None:
    rnd = certified_world(world)
    ret = ret_of(rnd, world.school_a1_1)
    with pytest.raises(InvalidInput) as exc:
        census_amend(
            actor=actor(world, "director_a1_1"), census_return=ret, reason="  ",
            cells=[("P9", "X", 6, False, 0)],
        )  # fmt: skip
    fields = {p.field for p in exc.value.problems}
    assert fields == {"cells.0.grade", "cells.0.sex", "cells.0.delta", "reason"}
    assert not CensusAmendment.objects.exists()


def test_drafts_cannot_be_amended(world: World) -> None:
    rnd = certified_world(world)
    with pytest.raises(InvalidInput):
        census_amend(
            actor=actor(world, "director_a1_2"), census_return=ret_of(rnd, world.school_a1_2),
            reason="x", cells=[("P1", "F", 6, False, 1)],
        )  # fmt: skip


def test_after_closing_only_census_close_holders_amend(world: World) -> None:
    rnd = certified_world(world)
    ret = ret_of(rnd, world.school_a1_1)
    census_round_close(actor=actor(world, "me_officer"), census_round=rnd)

    with pytest.raises(PermissionDenied):
        census_amend(
            actor=actor(world, "director_a1_1"),
            census_return=ret,
            reason="x",
            cells=[("P1", "M", 6, False, 1)],
        )
    census_amend(
        actor=actor(world, "me_officer"),
        census_return=ret,
        reason="audit finding",
        cells=[("P1", "M", 6, False, 1)],
    )

    amendment = CensusAmendment.objects.get()
    assert (amendment.delta, amendment.amended_by, amendment.reason) == (
        1,
        world.user("me_officer"),
        "audit finding",
    )


# --- selectors -----------------------------------------------------------------------------------


def test_headcounts_come_from_certified_returns_only(world: World) -> None:
    rnd = certified_world(world)  # a1_1 (1 boy P1) and b1_1 (1 girl P6) certified; a1_2 draft

    nation = headcounts(actor(world, "executive"), rnd, world.nation)
    esa_a1 = headcounts(actor(world, "esa_officer_a1"), rnd, world.esa_a1)

    assert nation.total == 2
    assert nation.by_level["primary"] == {"M": 1, "F": 1, "total": 2}
    assert nation.by_level["pre_primary"] == {"M": 0, "F": 0, "total": 0}
    assert nation.returns_counted == 2
    assert esa_a1.by_grade.cells == {("P1", "M"): 1}


def test_headcounts_are_scoped_by_org_view(world: World) -> None:
    from suksa.core.errors import NotFoundOrNoAccess

    rnd = certified_world(world)
    with pytest.raises(NotFoundOrNoAccess):
        headcounts(actor(world, "esa_officer_a1"), rnd, world.esa_b1)
    with pytest.raises(NotFoundOrNoAccess):
        headcounts(actor(world, "director_a1_1"), rnd, world.esa_a1)


def test_the_esa_board_lists_every_school_with_its_status(world: World) -> None:
    rnd = certified_world(world)
    census_amend(
        actor=actor(world, "director_a1_1"), census_return=ret_of(rnd, world.school_a1_1),
        reason="late", cells=[("P1", "M", 6, False, 4)],
    )  # fmt: skip

    board = esa_board(actor(world, "esa_officer_a1"), rnd, world.esa_a1)

    assert [(r.school.code, r.status, r.total) for r in board.rows] == [
        ("1012000001", "certified", 5),
        ("1012000002", "draft", 1),
    ]
    assert board.by_status == {"missing": 0, "draft": 1, "certified": 1, "acknowledged": 0}


def test_national_progress_per_esa(world: World) -> None:
    rnd = certified_world(world)
    census_return_acknowledge(
        actor=actor(world, "esa_officer_b1"), census_return=ret_of(rnd, world.school_b1_1)
    )

    progress = {
        p.esa.code: (p.expected, p.certified, p.acknowledged)
        for p in round_progress(actor(world, "me_officer"), rnd)
    }
    mine = [p.esa.code for p in round_progress(actor(world, "esa_officer_a1"), rnd)]

    assert progress == {"11201": (2, 1, 0), "21201": (1, 0, 0), "15001": (1, 1, 1)}
    assert mine == ["11201"]
