"""Participatory drafting: invite → comment → amend → decide (new version, traced) → endorse → record.

Every refusal is bilingual, names its field and changes nothing (rows and the audit log are counted
before and after).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied, SuksaError
from suksa.core.models import AuditEntry, Notification
from suksa.core.policy import Actor
from suksa.domains.accounts.actors import actor_for
from suksa.domains.insights.models import (
    Brief,
    BriefAmendment,
    BriefComment,
    BriefParticipant,
    BriefVersion,
    Endorsement,
)
from suksa.domains.insights.models.choices import AmendmentStatus, BriefStatus
from suksa.domains.insights.selectors_drafting import (
    brief_access,
    brief_contributors,
    drafting_state,
    eligible_users,
    recommendation_diff,
    word_diff,
)
from suksa.domains.insights.services import drafting as svc
from suksa.domains.insights.tests.objects_drafting import (
    REC_1_TH,
    REC_2_TH,
    b_amendment_id,
    b_brief_id,
    invite,
    make_brief,
)
from tests.factories import World, make_world

pytestmark = pytest.mark.django_db

AMENDED_TH = "ขยายผลการติดตามนักเรียนรายบุคคลไปยังโรงเรียนทั้ง 412 แห่ง เพื่อให้อัตราการออกกลางคันต่ำกว่า 0.6"
AMENDED_EN = "Extend individual follow-up to all 412 schools to keep dropout below 0.6"


@pytest.fixture
def world() -> World:
    return make_world()


def who(world: World, name: str) -> Actor:
    return actor_for(world.user(name))


def counts() -> tuple[int, ...]:
    return (
        BriefParticipant.objects.count(),
        BriefComment.objects.count(),
        BriefAmendment.objects.count(),
        BriefVersion.objects.count(),
        Endorsement.objects.count(),
        Notification.objects.count(),
        AuditEntry.objects.count(),
    )


def refused(
    call: Callable[[], Any], error: type[SuksaError], code: str, field: str | None = None
) -> SuksaError:
    """``call`` raises ``error`` with ``code`` (bilingual, naming ``field``) and writes nothing."""
    before = counts()
    with pytest.raises(error) as info:
        call()
    assert counts() == before
    problem = info.value.problems[0]
    assert problem.code == code
    assert problem.th
    assert problem.en
    assert problem.th != problem.en
    if field is not None:
        assert problem.field == field
    return info.value


def test_the_whole_drafting_cycle(world: World) -> None:
    me = who(world, "me_officer")
    brief = make_brief(world.nation, status=BriefStatus.DRAFT)
    officer_a1, director_a1 = world.user("esa_officer_a1"), world.user("esa_director_a1")
    executive = world.user("executive")

    # Invite: draft → consultation, with a closing date; each invitee told once, in Thai and English.
    closes = timezone.localdate() + dt.timedelta(days=14)
    result = svc.participants_invite(
        actor=me, brief_id=brief.pk, user_ids=[officer_a1.pk, director_a1.pk, executive.pk], closes_on=closes
    )
    brief.refresh_from_db()
    assert brief.status == BriefStatus.CONSULTATION
    assert brief.consultation_closes_on == closes
    assert result.invited == sorted([officer_a1.pk, director_a1.pk, executive.pk])
    notes = Notification.objects.filter(kind="brief.invite", subject_id=brief.pk).order_by("user_id")
    assert [n.user_id for n in notes] == result.invited
    assert notes[0].title_th.startswith("ขอเชิญร่วมร่างข้อเสนอเชิงนโยบาย")
    assert notes[0].title_en.startswith("You are invited to shape a policy brief")
    assert notes[0].url == f"/insights/briefs/{brief.pk}/drafting/"
    # Inviting again adds nobody and tells nobody twice.
    again = svc.participants_invite(actor=me, brief_id=brief.pk, user_ids=[officer_a1.pk])
    assert again.invited == []
    assert again.already == [officer_a1.pk]
    assert Notification.objects.filter(kind="brief.invite").count() == 3

    # Comment on the brief and on a recommendation.
    officer = who(world, "esa_officer_a1")
    general = svc.comment_add(actor=officer, brief_id=brief.pk, text="  ภาพรวมชัดเจนดี  ")
    on_r1 = svc.comment_add(
        actor=officer, brief_id=brief.pk, text="ควรระบุกลุ่มเป้าหมาย", recommendation_key="r1"
    )
    assert (general.text, general.recommendation_key, general.version.number) == ("ภาพรวมชัดเจนดี", "", 1)
    assert on_r1.recommendation_key == "r1"

    # Endorse r1 on version 1, then amend r1.
    director = who(world, "esa_director_a1")
    svc.endorse(actor=director, brief_id=brief.pk, recommendation_key="r1")
    svc.endorse(actor=who(world, "executive"), brief_id=brief.pk, recommendation_key="r2")
    amendment = svc.amendment_propose(
        actor=officer, brief_id=brief.pk, recommendation_key="r1", text_th=AMENDED_TH, text_en=AMENDED_EN,
        reason="ให้มีเป้าหมายที่วัดได้",
    )  # fmt: skip
    other = svc.amendment_propose(
        actor=director, brief_id=brief.pk, recommendation_key="r2", text_th=REC_2_TH + "ในพื้นที่ห่างไกล"
    )
    assert amendment.version.number == 1
    assert amendment.status == AmendmentStatus.PROPOSED

    # The writer accepts: version 2 replaces r1's wording, keeps its evidence, passes the trace.
    decided = svc.amendment_decide(actor=me, amendment_id=amendment.pk, accept=True, note="เห็นด้วย")
    assert decided.status == AmendmentStatus.ACCEPTED
    v2 = decided.resulting_version
    assert v2 is not None
    assert v2.number == 2
    assert v2.trace_ok
    assert v2.writer == "amendment"
    r1 = next(r for r in v2.body["recommendations"] if r["key"] == "r1")
    assert (r1["text_th"], r1["text_en"], r1["evidence"]) == (
        AMENDED_TH,
        AMENDED_EN,
        ["schools", "dropout_last"],
    )
    assert v2.trace["checked"] > 0
    assert v2.trace["failures"] == []
    assert Notification.objects.filter(kind="brief.amendment_decided", user_id=officer_a1.pk).count() == 1

    # The other amendment was proposed on version 1: still decidable, and the state says so.
    state = drafting_state(me, brief.pk)
    pending = state.pending
    assert [a.pk for a in pending] == [other.pk]
    assert pending[0].version_number == 1  # type: ignore[attr-defined]
    assert state.version is not None
    assert state.version.number == 2
    # Endorsements are per version: version 2 starts with none; version 1's are "on version 1".
    views = {r.key: r for r in state.recommendations}
    assert views["r1"].endorsements == 0
    assert views["r1"].earlier == [(1, 1)]
    assert views["r2"].endorsements == 0
    assert views["r2"].earlier == [(1, 1)]
    svc.endorse(actor=director, brief_id=brief.pk, recommendation_key="r1")  # again, on version 2
    rejected = svc.amendment_decide(actor=me, amendment_id=other.pk, accept=False, note="นอกขอบเขต")
    assert rejected.status == AmendmentStatus.REJECTED
    assert rejected.resulting_version is None
    assert BriefVersion.objects.filter(brief=brief).count() == 2

    # The word-level difference of r1 between the versions.
    diff = recommendation_diff(me, brief.pk, "r1", 1, 2)
    assert [p.op for p in diff.th] == ["equal", "insert"]
    assert "".join(p.text for p in diff.th if p.op != "insert") == REC_1_TH
    assert diff.missing_in == []

    # The final brief's record.
    record = brief_contributors(brief)
    assert record.version_number == 2
    by_user = {c.user_id: c for c in record.contributors}
    assert set(by_user) == {officer_a1.pk, director_a1.pk, executive.pk}
    assert (by_user[officer_a1.pk].comments, by_user[officer_a1.pk].amendments_accepted) == (2, 1)
    assert (by_user[director_a1.pk].amendments_rejected, by_user[director_a1.pk].endorsements) == (1, 2)
    assert by_user[executive.pk].endorsements == 1
    assert record.contributors[0].user_id == officer_a1.pk  # most active first
    assert record.invited_silent == []
    recs = {r.key: r for r in record.recommendations}
    assert recs["r1"].endorsements == 1
    assert recs["r1"].endorsed_by == [director_a1.pk]
    assert recs["r1"].earlier_endorsements == {1: 1}
    assert recs["r1"].amendments_accepted == 1
    assert [(e["ref"], e["display"], e["period"], e["source"]["id"]) for e in recs["r1"].evidence] == [
        ("schools", "412", "2568", 103),
        ("dropout_last", "0.6", "2568", 102),
    ]
    # Every write was audited.
    actions = [e.changes.get("event") for e in AuditEntry.objects.filter(object_type__startswith="insights.")]
    assert actions.count("brief.invite") == 2
    assert actions.count("brief.comment") == 2
    assert actions.count("brief.endorse") == 3
    assert actions.count("brief.amendment_propose") == 2
    assert actions.count("brief.amendment_accept") == 1
    assert actions.count("brief.amendment_reject") == 1


def test_an_amendment_with_an_invented_number_is_refused_naming_it(world: World) -> None:
    brief = make_brief(world.nation)
    invite(brief, world.user("esa_officer_a1"))
    officer = who(world, "esa_officer_a1")
    error = refused(
        lambda: svc.amendment_propose(
            actor=officer, brief_id=brief.pk, recommendation_key="r1",
            text_th="ขยายผลไปยังโรงเรียน 450 แห่ง", text_en="Extend to 450 schools",
        ),
        InvalidInput, "untraceable_number", "text_th",
    )  # fmt: skip
    assert "450" in error.problems[0].th
    assert "450" in error.problems[0].en
    refused(
        lambda: svc.amendment_propose(
            actor=officer, brief_id=brief.pk, recommendation_key="r1", text_th=REC_1_TH + " ภายในปี 2570",
            text_en="Extend to 12.5% of schools",
        ),
        InvalidInput, "untraceable_number", "text_en",
    )  # fmt: skip


def test_accepting_re_traces_the_wording(world: World) -> None:
    """An amendment stored before the numbers table changed is checked again when accepted."""
    brief = make_brief(world.nation)
    invite(brief, world.user("esa_officer_a1"))
    amendment = svc.amendment_propose(
        actor=who(world, "esa_officer_a1"), brief_id=brief.pk, recommendation_key="r1", text_th=AMENDED_TH
    )
    BriefVersion.objects.filter(brief=brief).update(numbers={"schools": {"value": 412, "display": "412"}})
    error = refused(
        lambda: svc.amendment_decide(actor=who(world, "me_officer"), amendment_id=amendment.pk, accept=True),
        InvalidInput, "untraceable_number", "text_th",
    )  # fmt: skip
    assert "0.6" in error.problems[0].en
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.PROPOSED


def test_only_writers_decide_and_a_rejection_needs_a_note(world: World) -> None:
    brief = make_brief(world.nation)
    invite(brief, world.user("esa_officer_a1"), world.user("executive"))
    amendment = svc.amendment_propose(
        actor=who(world, "esa_officer_a1"), brief_id=brief.pk, recommendation_key="r2", text_th="ถ้อยคำใหม่"
    )
    for name in ("esa_officer_a1", "executive"):
        refused(
            lambda name=name: svc.amendment_decide(actor=who(world, name), amendment_id=amendment.pk, accept=True),  # type: ignore[misc]
            PermissionDenied, "writers_only",
        )  # fmt: skip
    refused(
        lambda: svc.amendment_decide(actor=who(world, "me_officer"), amendment_id=amendment.pk, accept=False),
        InvalidInput, "required", "note",
    )  # fmt: skip
    svc.amendment_decide(actor=who(world, "me_officer"), amendment_id=amendment.pk, accept=False, note="ไม่ชัด")
    refused(
        lambda: svc.amendment_decide(actor=who(world, "me_officer"), amendment_id=amendment.pk, accept=True),
        InvalidInput, "already_decided", "amendment",
    )  # fmt: skip


def test_endorsement_once_per_version_and_withdrawal(world: World) -> None:
    brief = make_brief(world.nation)
    invite(brief, world.user("esa_director_a1"))
    director = who(world, "esa_director_a1")
    svc.endorse(actor=director, brief_id=brief.pk, recommendation_key="r1")
    refused(
        lambda: svc.endorse(actor=director, brief_id=brief.pk, recommendation_key="r1"),
        InvalidInput, "already_endorsed", "recommendation_key",
    )  # fmt: skip
    refused(
        lambda: svc.endorse(actor=director, brief_id=brief.pk, recommendation_key="r9"),
        InvalidInput, "unknown_recommendation", "recommendation_key",
    )  # fmt: skip
    svc.endorsement_withdraw(actor=director, brief_id=brief.pk, recommendation_key="r1")
    assert not Endorsement.objects.exists()
    refused(
        lambda: svc.endorsement_withdraw(actor=director, brief_id=brief.pk, recommendation_key="r1"),
        InvalidInput, "not_endorsed", "recommendation_key",
    )  # fmt: skip
    # Writers do not endorse their own text.
    refused(
        lambda: svc.endorse(actor=who(world, "me_officer"), brief_id=brief.pk, recommendation_key="r1"),
        PermissionDenied, "not_invited",
    )  # fmt: skip


@pytest.mark.parametrize("status", [BriefStatus.PUBLISHED, BriefStatus.WITHDRAWN])
def test_no_contribution_to_a_published_or_withdrawn_brief(world: World, status: str) -> None:
    brief = make_brief(world.nation, status=status)
    invite(brief, world.user("esa_officer_a1"))
    officer = who(world, "esa_officer_a1")
    refused(
        lambda: svc.comment_add(actor=officer, brief_id=brief.pk, text="ข้อคิดเห็น"),
        InvalidInput,
        "brief_closed",
        "status",
    )
    refused(
        lambda: svc.comment_add(actor=who(world, "me_officer"), brief_id=brief.pk, text="ข้อคิดเห็น"),
        InvalidInput, "brief_closed", "status",
    )  # fmt: skip
    refused(
        lambda: svc.endorse(actor=officer, brief_id=brief.pk, recommendation_key="r1"),
        InvalidInput, "brief_closed", "status",
    )  # fmt: skip
    refused(
        lambda: svc.participants_invite(actor=who(world, "me_officer"), brief_id=brief.pk, user_ids=[world.user("executive").pk]),
        InvalidInput, "brief_closed", "status",
    )  # fmt: skip


def test_participants_wait_for_the_consultation_and_stop_at_its_close(world: World) -> None:
    brief = make_brief(world.nation, status=BriefStatus.DRAFT)
    invite(brief, world.user("esa_officer_a1"))
    officer = who(world, "esa_officer_a1")
    refused(
        lambda: svc.comment_add(actor=officer, brief_id=brief.pk, text="เร็วไป"),
        InvalidInput,
        "consultation_closed",
        "status",
    )
    svc.comment_add(actor=who(world, "me_officer"), brief_id=brief.pk, text="บันทึกของผู้เขียน")  # writers may
    Brief.objects.filter(pk=brief.pk).update(
        status=BriefStatus.CONSULTATION, consultation_closes_on=timezone.localdate() - dt.timedelta(days=1)
    )
    error = refused(
        lambda: svc.comment_add(actor=officer, brief_id=brief.pk, text="ช้าไป"),
        InvalidInput,
        "consultation_closed",
    )
    assert "ปิดเมื่อ" in error.problems[0].th


def test_text_is_required_and_bounded(world: World) -> None:
    brief = make_brief(world.nation)
    invite(brief, world.user("esa_officer_a1"))
    officer = who(world, "esa_officer_a1")
    refused(
        lambda: svc.comment_add(actor=officer, brief_id=brief.pk, text="   "),
        InvalidInput,
        "required",
        "text",
    )
    error = refused(
        lambda: svc.comment_add(actor=officer, brief_id=brief.pk, text="ก" * (svc.MAX_COMMENT + 1)),
        InvalidInput, "too_long", "text",
    )  # fmt: skip
    assert f"{svc.MAX_COMMENT:,}" in error.problems[0].th
    refused(
        lambda: svc.comment_add(actor=officer, brief_id=brief.pk, text="ดี", recommendation_key="r9"),
        InvalidInput, "unknown_recommendation", "recommendation_key",
    )  # fmt: skip
    refused(
        lambda: svc.amendment_propose(actor=officer, brief_id=brief.pk, recommendation_key="r1", text_th=""),
        InvalidInput, "required", "text_th",
    )  # fmt: skip
    refused(
        lambda: svc.amendment_propose(actor=officer, brief_id=brief.pk, recommendation_key="r1", text_th=REC_1_TH),
        InvalidInput, "unchanged", "text_th",
    )  # fmt: skip
    refused(
        lambda: svc.amendment_propose(
            actor=officer, brief_id=brief.pk, recommendation_key="r1", text_th="ใหม่", reason="ก" * (svc.MAX_REASON + 1)
        ),
        InvalidInput, "too_long", "reason",
    )  # fmt: skip


def test_invitations_only_to_eligible_users_of_the_brief(world: World) -> None:
    me = who(world, "me_officer")
    esa_brief = make_brief(world.esa_a1, topic="a1")
    # A school director and a person with no role cannot take part; nor ESA B's officer in ESA A's brief.
    for name in ("director_a1_1", "nobody", "esa_officer_b1"):
        error = refused(
            lambda name=name: svc.participants_invite(actor=me, brief_id=esa_brief.pk, user_ids=[world.user(name).pk]),  # type: ignore[misc]
            InvalidInput, "not_eligible", "user_ids",
        )  # fmt: skip
        assert str(world.user(name).pk) in error.problems[0].en
    refused(
        lambda: svc.participants_invite(actor=me, brief_id=esa_brief.pk, user_ids=[]),
        InvalidInput,
        "required",
        "user_ids",
    )
    refused(
        lambda: svc.participants_invite(
            actor=me, brief_id=esa_brief.pk, user_ids=[world.user("executive").pk],
            closes_on=timezone.localdate() - dt.timedelta(days=1),
        ),
        InvalidInput, "closes_in_past", "closes_on",
    )  # fmt: skip
    offered = {u.username for u in eligible_users(esa_brief)}
    assert offered == {
        "executive",
        "me_officer",
        "reviewer",
        "inspector_r1",
        "esa_director_a1",
        "esa_officer_a1",
    }
    assert {u.username for u in eligible_users(esa_brief, "director")} == {"esa_director_a1"}
    # Only writers invite (a participant reaches the brief but may not).
    invite(esa_brief, world.user("executive"))
    refused(
        lambda: svc.participants_invite(actor=who(world, "executive"), brief_id=esa_brief.pk, user_ids=[world.user("esa_officer_a1").pk]),
        PermissionDenied, "writers_only",
    )  # fmt: skip


def test_scope_esa_b_cannot_reach_esa_a_brief_nor_its_amendments(world: World) -> None:
    brief_b = b_brief_id(world)
    amendment_b = b_amendment_id(world)
    for name in ("esa_officer_a1", "esa_director_a1", "inspector_r1", "executive"):
        actor = who(world, name)
        for call in (
            lambda actor=actor: brief_access(actor, brief_b),
            lambda actor=actor: drafting_state(actor, brief_b),
            lambda actor=actor: svc.comment_add(actor=actor, brief_id=brief_b, text="x"),
            lambda actor=actor: svc.endorse(actor=actor, brief_id=brief_b, recommendation_key="r1"),
            lambda actor=actor: svc.amendment_decide(actor=actor, amendment_id=amendment_b, accept=True),
        ):
            refused(call, NotFoundOrNoAccess, "not_found")
    # ESA B's invited officer reaches it; the writer too.
    assert brief_access(who(world, "esa_officer_b1"), brief_b).participant
    assert brief_access(who(world, "me_officer"), brief_b).writer


def test_an_esa_user_invited_to_a_national_brief_sees_only_that_brief(world: World) -> None:
    national = make_brief(world.nation)
    other = make_brief(world.nation, topic="access")
    invite(national, world.user("esa_officer_b1"))
    officer_b = who(world, "esa_officer_b1")
    access = brief_access(officer_b, national.pk)
    assert access.participant
    assert not access.writer
    svc.comment_add(actor=officer_b, brief_id=national.pk, text="ข้อสังเกตจากเขตพื้นที่")
    refused(lambda: brief_access(officer_b, other.pk), NotFoundOrNoAccess, "not_found")
    # Once published, the other national brief is readable (brief.view covers the nation above).
    Brief.objects.filter(pk=other.pk).update(status=BriefStatus.PUBLISHED)
    assert not brief_access(officer_b, other.pk).contributor


def test_a_revoked_role_ends_participation(world: World) -> None:
    brief = make_brief(world.nation)
    invite(brief, world.user("esa_officer_a1"))
    world.user("esa_officer_a1").role_assignments.update(revoked_at=timezone.now())
    refused(lambda: brief_access(who(world, "esa_officer_a1"), brief.pk), NotFoundOrNoAccess, "not_found")


def test_state_query_count_does_not_grow(world: World, django_assert_max_num_queries: Any) -> None:
    brief = make_brief(world.nation)
    names = ("esa_officer_a1", "esa_director_a1", "executive", "inspector_r1", "esa_officer_b1")
    invite(brief, *[world.user(n) for n in names])
    for n in names:
        svc.comment_add(actor=who(world, n), brief_id=brief.pk, text="ดี", recommendation_key="r1")
        svc.endorse(actor=who(world, n), brief_id=brief.pk, recommendation_key="r2")
    me = who(world, "me_officer")
    with django_assert_max_num_queries(9):
        state = drafting_state(me, brief.pk)
        [c.author.username for r in state.recommendations for c in r.comments]
        [p.user.role_labels for p in state.participants]  # type: ignore[attr-defined]
    with django_assert_max_num_queries(8):
        record = brief_contributors(brief)
    assert len(record.contributors) == 5


def test_word_diff_on_thai_words() -> None:
    pieces = word_diff("จัดสรรครูเพิ่มให้โรงเรียนขนาดเล็ก", "จัดสรรครูเพิ่มให้โรงเรียนขนาดเล็กในพื้นที่ห่างไกล")
    assert [(p.op, p.text) for p in pieces] == [
        ("equal", "จัดสรรครูเพิ่มให้โรงเรียนขนาดเล็ก"),
        ("insert", "ในพื้นที่ห่างไกล"),
    ]
    swapped = word_diff("ควรเพิ่มงบประมาณ", "ควรลดงบประมาณ")
    assert [(p.op, p.text) for p in swapped] == [
        ("equal", "ควร"),
        ("delete", "เพิ่ม"),
        ("insert", "ลด"),
        ("equal", "งบประมาณ"),
    ]
    assert word_diff("", "") == []
