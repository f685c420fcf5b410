"""The ranked top-5 outstanding works: add, edit, remove and re-rank under the report's lock, and the
reviewers' verification of each work."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from suksa.core.errors import Conflict, InvalidInput, NotFoundOrNoAccess, PermissionDenied
from suksa.core.models import AuditEntry
from suksa.domains.accounts.actors import actor_for
from suksa.domains.monitoring.models import MAX_WORKS, EvidenceFile, OutstandingWork, Report
from suksa.domains.monitoring.models.choices import ReportStatus, Verification
from suksa.domains.monitoring.services import works as svc
from suksa.domains.monitoring.tests.factories import make_report
from suksa.domains.monitoring.tests.test_evidence import open_round
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world: World) -> Report:
    return make_report(open_round(), world.esa_a1)


def officer(world: World) -> Any:
    return actor_for(world.user("esa_officer_a1"))


def add(world: World, report: Report, title: str = "ผลงาน", **kw: Any) -> tuple[OutstandingWork, int]:
    report.refresh_from_db()
    fields: dict[str, Any] = {"description": f"คำอธิบาย {title}", **kw}
    return svc.work_save(
        actor=officer(world), report_id=report.pk, work_id=None, title=title,
        expected_version=report.lock_version, **fields,
    )  # fmt: skip


def ranks(report: Report) -> list[tuple[int, str]]:
    return list(OutstandingWork.objects.filter(report=report).order_by("rank").values_list("rank", "title"))


def test_new_works_take_the_next_rank_and_the_sixth_is_refused(world: World, report: Report) -> None:
    for i in range(1, MAX_WORKS + 1):
        work, version = add(world, report, f"ผลงานที่ {i}")
        assert (work.rank, version) == (i, i)
    assert MAX_WORKS == 5

    with pytest.raises(InvalidInput) as refused:
        add(world, report, "ผลงานที่ 6")

    (problem,) = refused.value.problems
    assert problem.code == "too_many_works"
    assert "ไม่เกิน 5" in problem.th
    assert "At most 5" in problem.en
    report.refresh_from_db()
    assert report.lock_version == 5
    assert [t for _, t in ranks(report)] == [f"ผลงานที่ {i}" for i in range(1, 6)]


def test_a_work_is_saved_with_its_standard_indicators_and_an_audit_entry(
    world: World, report: Report
) -> None:
    work, _ = add(
        world, report, "  อ่านออกเขียนได้ทุกคน  ", practices="ครูพี่เลี้ยง", results_claimed="อ่านออก 98%",
        standard_code="3", indicator_codes=["dropout_rate", "attendance_rate", "dropout_rate"],
    )  # fmt: skip
    work.refresh_from_db()
    assert work.title == "อ่านออกเขียนได้ทุกคน"
    assert work.standard is not None
    assert work.standard.code == "3"
    assert work.indicator_codes == ["dropout_rate", "attendance_rate"]
    assert work.verification == Verification.PENDING
    entry = AuditEntry.objects.get(object_type="monitoring.outstandingwork")
    assert (entry.action, entry.object_id, entry.unit_path) == ("create", str(work.pk), world.esa_a1.path)
    assert entry.changes["title"] == "อ่านออกเขียนได้ทุกคน"
    assert entry.changes["rank"] == 1


def test_every_problem_is_reported_at_once_by_field(world: World, report: Report) -> None:
    with pytest.raises(InvalidInput) as refused:
        svc.work_save(
            actor=officer(world), report_id=report.pk, work_id=None, title="ก" * 256, description="   ",
            standard_code="9", indicator_codes=["dropout_rate", "no_such_indicator"], expected_version=0,
        )  # fmt: skip
    by_field = {p.field: p for p in refused.value.problems}
    assert set(by_field) == {"title", "description", "standard_code", "indicator_codes"}
    assert by_field["title"].code == "too_long"
    assert "255" in by_field["title"].th
    assert by_field["description"].code == "required"
    assert "no_such_indicator" in by_field["indicator_codes"].en
    assert "dropout_rate" not in by_field["indicator_codes"].en
    assert not OutstandingWork.objects.exists()
    assert not AuditEntry.objects.filter(object_type="monitoring.outstandingwork").exists()

    with pytest.raises(InvalidInput) as blank:
        svc.work_save(
            actor=officer(world),
            report_id=report.pk,
            work_id=None,
            title="",
            description="x",
            expected_version=0,
        )
    assert [(p.field, p.code) for p in blank.value.problems] == [("title", "required")]


def test_only_current_catalogue_codes_are_claimed(world: World, report: Report) -> None:
    from suksa.domains.monitoring.models import Indicator

    Indicator.objects.filter(code="dropout_rate").update(is_current=False)
    with pytest.raises(InvalidInput) as refused:
        add(world, report, indicator_codes=["dropout_rate"])
    assert refused.value.problems[0].field == "indicator_codes"


def test_editing_changes_only_what_changed_and_an_unchanged_save_keeps_the_version(
    world: World, report: Report
) -> None:
    work, _ = add(world, report, "เดิม")
    changed, version = svc.work_save(
        actor=officer(world), report_id=report.pk, work_id=work.pk, title="ใหม่", description=work.description,
        expected_version=1,
    )  # fmt: skip
    assert (changed.title, changed.rank, version) == ("ใหม่", 1, 2)
    entry = AuditEntry.objects.filter(object_type="monitoring.outstandingwork", action="update").get()
    assert entry.changes["title"] == ["เดิม", "ใหม่"]
    assert "description" not in entry.changes

    _, same_version = svc.work_save(
        actor=officer(world), report_id=report.pk, work_id=work.pk, title="ใหม่", description=work.description,
        expected_version=2,
    )  # fmt: skip
    assert same_version == 2
    assert AuditEntry.objects.filter(object_type="monitoring.outstandingwork").count() == 2


def test_a_stale_version_is_a_conflict_and_the_newer_text_stays(world: World, report: Report) -> None:
    work, _ = add(world, report, "ของคนแรก")
    svc.work_save(
        actor=actor_for(world.user("esa_director_a1")), report_id=report.pk, work_id=work.pk,
        title="ของผู้อำนวยการ", description="d", expected_version=1,
    )  # fmt: skip
    with pytest.raises(Conflict) as stale:
        svc.work_save(
            actor=officer(world), report_id=report.pk, work_id=work.pk, title="ของเจ้าหน้าที่", description="d",
            expected_version=1,
        )  # fmt: skip
    assert stale.value.current == 2
    assert OutstandingWork.objects.get().title == "ของผู้อำนวยการ"
    with pytest.raises(Conflict):
        svc.work_delete(actor=officer(world), report_id=report.pk, work_id=work.pk, expected_version=1)
    with pytest.raises(Conflict):
        svc.works_reorder(
            actor=officer(world), report_id=report.pk, ordered_ids=[work.pk], expected_version=0
        )
    assert OutstandingWork.objects.count() == 1


def test_removing_a_work_keeps_ranks_dense(world: World, report: Report) -> None:
    works = [add(world, report, t)[0] for t in ("ก", "ข", "ค", "ง")]
    evidence = EvidenceFile.objects.create(
        report=report, work=works[1], original_name="ข.pdf", content_type="application/pdf", size=1,
        sha256="a" * 64, stored_path="evidence/aa/" + "a" * 64, uploaded_by="x", uploaded_at=timezone.now(),
    )  # fmt: skip
    version = svc.work_delete(
        actor=officer(world), report_id=report.pk, work_id=works[1].pk, expected_version=4
    )
    assert version == 5
    assert ranks(report) == [(1, "ก"), (2, "ค"), (3, "ง")]
    entry = AuditEntry.objects.get(object_type="monitoring.outstandingwork", action="delete")
    assert (entry.changes["title"], entry.changes["rank"]) == ("ข", 2)
    evidence.refresh_from_db()  # the evidence stays with the report, attached to no work
    assert (evidence.report_id, evidence.work_id) == (report.pk, None)
    # A freed place takes a new work at the end.
    new, _ = add(world, report, "จ")
    assert new.rank == 4


def test_reranking_takes_a_permutation_of_the_reports_works(world: World, report: Report) -> None:
    a, b, c = (add(world, report, t)[0] for t in ("ก", "ข", "ค"))
    ordered, version = svc.works_reorder(
        actor=officer(world), report_id=report.pk, ordered_ids=[c.pk, a.pk, b.pk], expected_version=3
    )
    assert [w.title for w in ordered] == ["ค", "ก", "ข"]
    assert version == 4
    assert ranks(report) == [(1, "ค"), (2, "ก"), (3, "ข")]
    entry = AuditEntry.objects.get(object_type="monitoring.report", action="update")
    assert entry.changes["works_order"] == [[a.pk, b.pk, c.pk], [c.pk, a.pk, b.pk]]

    _, same_version = svc.works_reorder(
        actor=officer(world), report_id=report.pk, ordered_ids=[c.pk, a.pk, b.pk], expected_version=4
    )
    assert same_version == 4

    other = make_report(report.round, world.esa_b1)
    foreign = OutstandingWork.objects.create(report=other, rank=1, title="x", description="x")
    for wrong in ([c.pk, a.pk], [c.pk, a.pk, a.pk], [c.pk, a.pk, foreign.pk], [c.pk, a.pk, b.pk, foreign.pk]):
        with pytest.raises(InvalidInput) as refused:
            svc.works_reorder(
                actor=officer(world), report_id=report.pk, ordered_ids=wrong, expected_version=4
            )
        assert refused.value.problems[0].field == "ordered_ids"
    assert ranks(report) == [(1, "ค"), (2, "ก"), (3, "ข")]


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("esa_officer_b1", NotFoundOrNoAccess),
        ("executive", PermissionDenied),
        ("inspector_r1", PermissionDenied),
        ("reviewer", NotFoundOrNoAccess),
        ("nobody", NotFoundOrNoAccess),
    ],
)
def test_only_the_esas_own_staff_change_works(
    world: World, report: Report, persona: str, error: type[Exception]
) -> None:
    work, _ = add(world, report, "ผลงาน")
    actor = actor_for(world.user(persona))
    with pytest.raises(error):
        svc.work_save(
            actor=actor, report_id=report.pk, work_id=None, title="t", description="d", expected_version=1
        )
    with pytest.raises(error):
        svc.work_save(
            actor=actor, report_id=report.pk, work_id=work.pk, title="t", description="d", expected_version=1
        )
    with pytest.raises(error):
        svc.work_delete(actor=actor, report_id=report.pk, work_id=work.pk, expected_version=1)
    with pytest.raises(error):
        svc.works_reorder(actor=actor, report_id=report.pk, ordered_ids=[work.pk], expected_version=1)
    assert ranks(report) == [(1, "ผลงาน")]
    report.refresh_from_db()
    assert report.lock_version == 1


def test_a_work_of_another_report_is_not_found(world: World, report: Report) -> None:
    other = make_report(report.round, world.esa_b1)
    foreign = OutstandingWork.objects.create(report=other, rank=1, title="ของเขต บี", description="x")
    with pytest.raises(NotFoundOrNoAccess):
        svc.work_save(
            actor=officer(world),
            report_id=report.pk,
            work_id=foreign.pk,
            title="t",
            description="d",
            expected_version=0,
        )
    with pytest.raises(NotFoundOrNoAccess):
        svc.work_delete(actor=officer(world), report_id=report.pk, work_id=foreign.pk, expected_version=0)
    assert OutstandingWork.objects.get(pk=foreign.pk).title == "ของเขต บี"


def test_a_report_with_the_bureau_is_not_changed(world: World, report: Report) -> None:
    work, _ = add(world, report, "ผลงาน")
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    with pytest.raises(InvalidInput) as refused:
        svc.work_save(
            actor=officer(world),
            report_id=report.pk,
            work_id=work.pk,
            title="t",
            description="d",
            expected_version=1,
        )
    assert refused.value.problems[0].code == "report_not_editable"


# --- verification --------------------------------------------------------------------------------


def submitted(world: World, report: Report, reviewer: str | None = "reviewer") -> OutstandingWork:
    work, _ = add(world, report, "ผลงานเด่น")
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.SUBMITTED, reviewer=world.user(reviewer) if reviewer else None
    )
    return work


def test_the_assigned_reviewer_verifies_a_work(world: World, report: Report) -> None:
    work = submitted(world, report)
    reviewer = actor_for(world.user("reviewer"))

    done = svc.work_verify(actor=reviewer, work_id=work.pk, verification="partly", note="หลักฐานไม่ครบ")

    done.refresh_from_db()
    assert (done.verification, done.verification_note) == ("partly", "หลักฐานไม่ครบ")
    assert done.verified_by == world.user("reviewer")
    assert done.verified_at is not None
    entry = AuditEntry.objects.filter(object_type="monitoring.outstandingwork", action="update").get()
    assert entry.changes["verification"] == ["pending", "partly"]
    assert entry.unit_path == world.esa_a1.path
    report.refresh_from_db()
    assert report.lock_version == 1  # verification is not an ESA edit

    Report.objects.filter(pk=report.pk).update(status=ReportStatus.IN_REVIEW)
    again = svc.work_verify(actor=reviewer, work_id=work.pk, verification="verified", note="")
    assert again.verification == "verified"


def test_a_note_is_required_unless_verified_and_the_verdict_must_be_known(
    world: World, report: Report
) -> None:
    work = submitted(world, report)
    reviewer = actor_for(world.user("reviewer"))
    for verdict in ("partly", "not_verified"):
        with pytest.raises(InvalidInput) as refused:
            svc.work_verify(actor=reviewer, work_id=work.pk, verification=verdict, note="  ")
        assert [(p.field, p.code) for p in refused.value.problems] == [("note", "note_required")]
    with pytest.raises(InvalidInput) as unknown:
        svc.work_verify(actor=reviewer, work_id=work.pk, verification="pending", note="x")
    assert unknown.value.problems[0].field == "verification"
    assert OutstandingWork.objects.get(pk=work.pk).verification == "pending"


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("esa_officer_a1", PermissionDenied),
        ("esa_director_a1", PermissionDenied),
        ("executive", PermissionDenied),
        ("esa_officer_b1", NotFoundOrNoAccess),
        ("nobody", NotFoundOrNoAccess),
    ],
)
def test_only_reviewers_verify(world: World, report: Report, persona: str, error: type[Exception]) -> None:
    work = submitted(world, report)
    with pytest.raises(error):
        svc.work_verify(
            actor=actor_for(world.user(persona)), work_id=work.pk, verification="verified", note=""
        )
    assert OutstandingWork.objects.get(pk=work.pk).verification == "pending"


def test_a_reviewer_not_assigned_does_not_see_the_work_and_an_me_officer_may_act(
    world: World, report: Report
) -> None:
    work = submitted(world, report, reviewer=None)
    with pytest.raises(NotFoundOrNoAccess):
        svc.work_verify(
            actor=actor_for(world.user("reviewer")), work_id=work.pk, verification="verified", note=""
        )
    done = svc.work_verify(
        actor=actor_for(world.user("me_officer")),
        work_id=work.pk,
        verification="not_verified",
        note="ไม่พบหลักฐาน",
    )
    assert done.verification == "not_verified"
    with pytest.raises(NotFoundOrNoAccess):
        svc.work_verify(
            actor=actor_for(world.user("me_officer")), work_id=999_999, verification="verified", note=""
        )


@pytest.mark.parametrize("status", [ReportStatus.DRAFT, ReportStatus.RETURNED, ReportStatus.APPROVED])
def test_works_are_verified_only_while_the_report_is_with_the_bureau(
    world: World, report: Report, status: str
) -> None:
    work = submitted(world, report)
    Report.objects.filter(pk=report.pk).update(status=status)
    with pytest.raises(InvalidInput) as refused:
        svc.work_verify(
            actor=actor_for(world.user("reviewer")), work_id=work.pk, verification="verified", note=""
        )
    assert refused.value.problems[0].code == "report_not_in_review"


def test_changing_a_verified_work_after_return_sends_it_back_to_pending(world: World, report: Report) -> None:
    work = submitted(world, report)
    svc.work_verify(
        actor=actor_for(world.user("reviewer")), work_id=work.pk, verification="verified", note="ดี"
    )
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RETURNED)

    changed, _ = svc.work_save(
        actor=officer(world), report_id=report.pk, work_id=work.pk, title="ผลงานเด่น (ปรับปรุง)",
        description=work.description, expected_version=1,
    )  # fmt: skip

    changed.refresh_from_db()
    assert (changed.verification, changed.verification_note, changed.verified_by, changed.verified_at) == (
        "pending", "", None, None,
    )  # fmt: skip
    entry = AuditEntry.objects.filter(object_type="monitoring.outstandingwork", action="update").latest("id")
    assert entry.changes["verification"] == ["verified", "pending"]
