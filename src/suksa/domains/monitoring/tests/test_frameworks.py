"""Framework and round setup: items, sections, target areas, rounds and framework rules."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied
from suksa.core.models import AuditEntry
from suksa.domains.accounts.actors import actor_for
from suksa.domains.monitoring.models import (
    Framework,
    FrameworkIndicator,
    Indicator,
    NarrativeSection,
    Round,
    TargetArea,
    ValidationRule,
)
from suksa.domains.monitoring.models.choices import FrameworkStatus
from suksa.domains.monitoring.services import frameworks as svc
from suksa.domains.monitoring.services.catalogue import indicator_revise
from suksa.domains.monitoring.services.frameworks_default import ensure_catalogue
from suksa.domains.monitoring.services.locking import today
from suksa.domains.monitoring.tests.factories import make_framework, make_report, round_of
from tests.factories import World

pytestmark = pytest.mark.django_db


def me(world: World) -> Any:
    return actor_for(world.user("me_officer"))


def audits(object_type: str) -> int:
    return AuditEntry.objects.filter(object_type=object_type).count()


def test_a_framework_is_built_from_the_current_catalogue_as_a_draft(world: World) -> None:
    ensure_catalogue()
    fw = svc.framework_create(actor=me(world), fiscal_year=2570, months=(3, 6, 9, 12), name_th="กรอบปี 2570")
    assert (fw.status, fw.name_th) == (FrameworkStatus.DRAFT, "กรอบปี 2570")
    assert fw.items.count() == Indicator.objects.filter(is_current=True).count() == 28
    assert fw.sections.count() == 4
    assert sorted(fw.rounds.values_list("code", flat=True)) == ["m12", "m3", "m6", "m9"]
    m3 = fw.rounds.get(code="m3")
    assert (m3.period_start, m3.period_end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    empty = svc.framework_create(actor=me(world), fiscal_year=2571, from_catalogue=False)
    assert (empty.items.count(), empty.sections.count(), empty.rounds.count()) == (0, 0, 0)
    assert audits("monitoring.framework") == 2
    with pytest.raises(InvalidInput) as exc:
        svc.framework_create(actor=me(world), fiscal_year=2570)
    assert exc.value.problems[0].code == "framework_exists"
    with pytest.raises(InvalidInput) as exc:
        svc.framework_create(actor=me(world), fiscal_year=70, months=(5,))
    assert {p.code for p in exc.value.problems} == {"fiscal_year_invalid", "months_invalid"}
    assert Framework.objects.count() == 2


def test_status_moves_forward_only_and_a_closed_framework_is_a_record(world: World) -> None:
    ensure_catalogue()
    empty = svc.framework_create(actor=me(world), fiscal_year=2571, from_catalogue=False)
    with pytest.raises(InvalidInput) as exc:
        svc.framework_update(actor=me(world), framework_id=empty.pk, changes={"status": "active"})
    assert exc.value.problems[0].code == "framework_incomplete"
    fw = svc.framework_create(actor=me(world), fiscal_year=2570)
    with pytest.raises(InvalidInput) as exc:
        svc.framework_update(actor=me(world), framework_id=fw.pk, changes={"status": "closed"})
    assert exc.value.problems[0].code == "status_transition"
    svc.framework_update(
        actor=me(world),
        framework_id=fw.pk,
        changes={"status": "active", "target_group_th": "85 เขตพื้นที่เป้าหมาย"},
    )
    svc.framework_update(actor=me(world), framework_id=fw.pk, changes={"status": "closed"})
    fw.refresh_from_db()
    assert (fw.status, fw.target_group_th) == ("closed", "85 เขตพื้นที่เป้าหมาย")
    before = audits("monitoring.framework")
    for call in (
        lambda: svc.framework_update(actor=me(world), framework_id=fw.pk, changes={"name_th": "ใหม่"}),
        lambda: svc.framework_item_remove(actor=me(world), framework_id=fw.pk, indicator_code="enrolment"),
        lambda: svc.round_update(actor=me(world), round_id=round_of(fw).pk, changes={"name_th": "x"}),
        lambda: svc.target_areas_set(actor=me(world), framework_id=fw.pk, esa_codes=["11201"]),
    ):
        with pytest.raises(InvalidInput) as exc:
            call()
        assert exc.value.problems[0].code == "framework_closed"
    assert audits("monitoring.framework") == before
    assert fw.items.count() == 28


@pytest.mark.parametrize("persona", ["executive", "reviewer", "esa_director_a1", "inspector_r1", "sysadmin"])
def test_only_the_me_officer_sets_up_frameworks(world: World, persona: str) -> None:
    fw = make_framework(2569, status=FrameworkStatus.DRAFT)
    actor = actor_for(world.user(persona))
    rnd = round_of(fw)
    calls = [
        lambda: svc.framework_create(actor=actor, fiscal_year=2570),
        lambda: svc.framework_update(actor=actor, framework_id=fw.pk, changes={"name_th": "x"}),
        lambda: svc.framework_item_remove(actor=actor, framework_id=fw.pk, indicator_code="enrolment"),
        lambda: svc.section_add(actor=actor, framework_id=fw.pk, code="s9", standard_code="1", title_th="ก", title_en="A"),
        lambda: svc.target_areas_set(actor=actor, framework_id=fw.pk, esa_codes=["11201"]),
        lambda: svc.round_update(actor=actor, round_id=rnd.pk, changes={"due_on": rnd.due_on + dt.timedelta(days=1)}),
        lambda: svc.rule_create(
            actor=actor, framework_id=fw.pk, code="r1", kind="required", severity="blocking",
            params={"indicator": "teacher_pd_hours"}, message_th="ก", message_en="A",
        ),
    ]  # fmt: skip
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert Framework.objects.count() == 1
    assert fw.items.count() == 28
    assert not TargetArea.objects.exists()
    assert not AuditEntry.objects.filter(object_type__startswith="monitoring.").exists()
    assert Round.objects.get(pk=rnd.pk).due_on == rnd.due_on


def test_items_pin_the_current_version_and_leave_only_when_nothing_shows_them(world: World) -> None:
    ensure_catalogue()
    fw = svc.framework_create(actor=me(world), fiscal_year=2570, from_catalogue=False)
    item = svc.framework_item_add(actor=me(world), framework_id=fw.pk, indicator_code="teacher_pd_hours")
    assert (item.indicator.version, item.standard.code, item.order) == (1, "2", 0)
    with pytest.raises(InvalidInput) as exc:
        svc.framework_item_add(actor=me(world), framework_id=fw.pk, indicator_code="teacher_pd_hours")
    assert exc.value.problems[0].code == "item_exists"
    with pytest.raises(InvalidInput) as exc:
        svc.framework_item_add(actor=me(world), framework_id=fw.pk, indicator_code="nothing_like_it")
    assert exc.value.problems[0].code == "indicator_unknown"
    indicator_revise(
        actor=me(world), code="dropout_rate", changes={"formula": "DR = 1 − PR − RR (v2)"}, change_note="x"
    )
    second = svc.framework_item_add(
        actor=me(world), framework_id=fw.pk, indicator_code="dropout_rate", standard_code="3", required=False
    )
    assert (second.indicator.version, second.order, second.required) == (2, 1, False)
    svc.framework_item_update(
        actor=me(world), framework_id=fw.pk, indicator_code="dropout_rate", standard_code="2"
    )
    assert FrameworkIndicator.objects.get(pk=second.pk).standard.code == "2"

    svc.framework_item_remove(actor=me(world), framework_id=fw.pk, indicator_code="dropout_rate")
    assert list(fw.items.values_list("indicator__code", flat=True)) == ["teacher_pd_hours"]

    svc.round_create(actor=me(world), framework_id=fw.pk, months=6)
    make_report(fw.rounds.get(), world.esa_a1)
    with pytest.raises(InvalidInput) as exc:
        svc.framework_item_remove(actor=me(world), framework_id=fw.pk, indicator_code="teacher_pd_hours")
    assert exc.value.problems[0].code == "framework_has_reports"
    assert fw.items.count() == 1
    with pytest.raises(NotFoundOrNoAccess):
        svc.framework_item_remove(actor=me(world), framework_id=fw.pk, indicator_code="enrolment")


def test_an_item_a_rule_reads_cannot_leave(world: World) -> None:
    fw = make_framework(2569, status=FrameworkStatus.DRAFT)
    svc.rule_create(
        actor=me(world), framework_id=fw.pk, code="pd_max", kind="range", severity="warning",
        params={"indicator": "teacher_pd_hours", "min": 0, "max": 200}, message_th="เกิน", message_en="Too many",
    )  # fmt: skip
    with pytest.raises(InvalidInput) as exc:
        svc.framework_item_remove(actor=me(world), framework_id=fw.pk, indicator_code="teacher_pd_hours")
    assert exc.value.problems[0].code == "rule_uses_indicator"
    rule = ValidationRule.objects.get(framework=fw, code="pd_max")
    svc.rule_update(actor=me(world), rule_id=rule.pk, changes={"active": False})
    svc.framework_item_remove(actor=me(world), framework_id=fw.pk, indicator_code="teacher_pd_hours")
    with pytest.raises(InvalidInput) as exc:  # reactivating checks its indicators again
        svc.rule_update(actor=me(world), rule_id=rule.pk, changes={"active": True})
    assert exc.value.problems[0].code == "indicator_not_in_framework"
    assert ValidationRule.objects.get(pk=rule.pk).active is False


def test_sections_are_added_and_edited(world: World) -> None:
    fw = make_framework(2569, status=FrameworkStatus.DRAFT)
    section = svc.section_add(
        actor=me(world), framework_id=fw.pk, code="s3_innovation", standard_code="3", title_th="นวัตกรรม",
        title_en="Innovation", guidance_th="เล่านวัตกรรม", min_chars=100,
    )  # fmt: skip
    assert (section.order, section.min_chars, section.standard.code) == (4, 100, "3")
    with pytest.raises(InvalidInput) as exc:
        svc.section_add(
            actor=me(world),
            framework_id=fw.pk,
            code="s3_innovation",
            standard_code="3",
            title_th="ก",
            title_en="A",
        )
    assert exc.value.problems[0].code == "section_exists"
    with pytest.raises(InvalidInput) as exc:
        svc.section_add(
            actor=me(world), framework_id=fw.pk, code="X", standard_code="7", title_th="", title_en="A"
        )
    assert {p.field for p in exc.value.problems} == {"code", "standard_code", "title_th"}
    svc.section_update(
        actor=me(world), section_id=section.pk, changes={"min_chars": 200, "standard_code": "2"}
    )
    section.refresh_from_db()
    assert (section.min_chars, section.standard.code) == (200, "2")
    entry = AuditEntry.objects.filter(object_type="monitoring.narrativesection", action="update").get()
    assert entry.changes == {"min_chars": [100, 200], "standard": ["3", "2"]}
    with pytest.raises(InvalidInput):
        svc.section_update(actor=me(world), section_id=section.pk, changes={"min_chars": -1})
    assert NarrativeSection.objects.get(pk=section.pk).min_chars == 200


def test_target_areas_are_esas_and_a_bad_file_names_its_rows(world: World) -> None:
    fw = make_framework(2569)
    n = svc.target_areas_set(actor=me(world), framework_id=fw.pk, esa_codes=["11201", "15001", "11201"])
    assert n == 2
    assert set(fw.target_areas.values_list("unit__code", flat=True)) == {"11201", "15001"}
    with pytest.raises(InvalidInput) as exc:
        svc.target_areas_set(actor=me(world), framework_id=fw.pk, esa_codes=["21201", "R01", "1012000001"])
    assert [(p.code, p.field) for p in exc.value.problems] == [
        ("not_an_esa", "esa_codes[1]"),
        ("not_an_esa", "esa_codes[2]"),
    ]
    content = "รหัส สพท.\n21201\nR01\n\n99999\n".encode()
    with pytest.raises(InvalidInput) as exc:
        svc.target_areas_import(
            actor=me(world), framework_id=fw.pk, file=io.BytesIO(content), filename="areas.csv"
        )
    assert [(p.row, p.column, p.file) for p in exc.value.problems] == [
        (3, "รหัส สพท.", "areas.csv"),
        (5, "รหัส สพท.", "areas.csv"),
    ]
    assert "แถว 3" in exc.value.problems[0].message("th")
    assert set(fw.target_areas.values_list("unit__code", flat=True)) == {"11201", "15001"}  # unchanged
    n = svc.target_areas_import(
        actor=me(world), framework_id=fw.pk, file=io.BytesIO(b"esa_code\n21201\n"), filename="areas.csv"
    )
    assert n == 1
    assert list(fw.target_areas.values_list("unit__code", flat=True)) == ["21201"]
    entry = AuditEntry.objects.filter(object_type="monitoring.framework").order_by("-id").first()
    assert entry is not None
    assert entry.changes["target_areas_added"] == ["21201"]
    assert entry.changes["target_areas_removed"] == ["11201", "15001"]


def test_round_dates_must_be_in_order_and_within_the_fiscal_year(world: World) -> None:
    fw = make_framework(2600, months=(12,), status=FrameworkStatus.DRAFT)
    rnd = svc.round_create(
        actor=me(world),
        framework_id=fw.pk,
        months=3,
        dates={"due_on": "2057-02-01", "locks_on": "2057-03-01"},
    )
    assert (rnd.code, rnd.period_end, rnd.opens_on, rnd.due_on) == (
        "m3",
        dt.date(2056, 12, 31),
        dt.date(2056, 12, 17),
        dt.date(2057, 2, 1),
    )
    with pytest.raises(InvalidInput) as exc:
        svc.round_create(actor=me(world), framework_id=fw.pk, months=3)
    assert exc.value.problems[0].code == "round_exists"
    with pytest.raises(InvalidInput) as exc:
        svc.round_create(
            actor=me(world), framework_id=fw.pk, months=6,
            dates={"opens_on": "2057-05-01", "due_on": "2057-04-01", "locks_on": "2057-03-01", "period_end": "2057-10-31"},
        )  # fmt: skip
    assert [(p.code, p.field) for p in exc.value.problems] == [
        ("period_outside_year", "period_end"),
        ("dates_order", "opens_on"),
        ("dates_order", "due_on"),
    ]
    assert not fw.rounds.filter(code="m6").exists()
    with pytest.raises(InvalidInput) as exc:
        svc.round_update(
            actor=me(world),
            round_id=rnd.pk,
            changes={"period_start": "2056-12-31", "period_end": "2056-11-30"},
        )
    assert [p.code for p in exc.value.problems] == ["period_order"]
    svc.round_update(
        actor=me(world), round_id=rnd.pk, changes={"due_on": "2057-02-15", "name_en": "Q1 round"}
    )
    rnd.refresh_from_db()
    assert (rnd.due_on, rnd.name_en) == (dt.date(2057, 2, 15), "Q1 round")
    entry = AuditEntry.objects.filter(object_type="monitoring.round", action="update").get()
    assert entry.changes["due_on"] == ["2057-02-01", "2057-02-15"]


def test_a_locked_round_keeps_its_dates_and_a_round_with_reports_keeps_its_period(world: World) -> None:
    fw = make_framework(2569, status=FrameworkStatus.ACTIVE)
    day = today()
    past = round_of(fw, "m6")
    Round.objects.filter(pk=past.pk).update(
        opens_on=day - dt.timedelta(days=60),
        due_on=day - dt.timedelta(days=30),
        locks_on=day - dt.timedelta(days=1),
    )
    with pytest.raises(InvalidInput) as exc:
        svc.round_update(actor=me(world), round_id=past.pk, changes={"locks_on": day + dt.timedelta(days=30)})
    assert exc.value.problems[0].code == "round_locked"
    assert Round.objects.get(pk=past.pk).locks_on == day - dt.timedelta(days=1)
    svc.round_update(
        actor=me(world), round_id=past.pk, changes={"name_th": "รอบครึ่งปี"}
    )  # names may still change

    current = round_of(fw, "m12")
    Round.objects.filter(pk=current.pk).update(
        opens_on=day - dt.timedelta(days=5),
        due_on=day + dt.timedelta(days=5),
        locks_on=day + dt.timedelta(days=20),
    )
    make_report(current, world.esa_a1)
    with pytest.raises(InvalidInput) as exc:
        svc.round_update(actor=me(world), round_id=current.pk, changes={"period_end": "2026-08-31"})
    assert exc.value.problems[0].code == "round_has_reports"
    with pytest.raises(InvalidInput) as exc:
        svc.round_update(
            actor=me(world), round_id=current.pk, changes={"locks_on": day - dt.timedelta(days=2)}
        )
    assert "locks_in_past" in {p.code for p in exc.value.problems}
    extended = svc.round_update(
        actor=me(world), round_id=current.pk,
        changes={"due_on": day + dt.timedelta(days=10), "locks_on": day + dt.timedelta(days=40)},
    )  # fmt: skip
    assert extended.phase(day) == "open"
    assert extended.locks_on == day + dt.timedelta(days=40)


def test_framework_rules_are_validated_against_the_model_and_the_framework(world: World) -> None:
    fw = make_framework(
        2569, indicator_codes=["teacher_pd_hours", "children_returned", "enrolment", "dropout_rate"]
    )
    bad: list[tuple[dict[str, Any], str]] = [
        ({"kind": "range", "params": {"indicator": "teacher_pd_hours", "min": 10}}, "params_missing"),
        ({"kind": "range", "params": {"indicator": "teacher_pd_hours", "min": 10, "max": 5}}, "min_above_max"),
        ({"kind": "range", "params": {"indicator": "onet_mean_p6", "min": 0, "max": 5}}, "indicator_not_in_framework"),
        ({"kind": "required", "params": {"indicator": "enrolment"}}, "required_prefilled"),
        ({"kind": "required", "params": {"indicator": "children_returned", "when": 1}}, "params_unknown"),
        ({"kind": "required_comment", "params": {"indicator": "teacher_pd_hours", "op": "!=", "value": 1}}, "op_invalid"),
        ({"kind": "required_comment", "params": {"indicator": "teacher_pd_hours", "op": ">", "value": "x"}}, "not_a_number"),
        ({"kind": "compare", "params": {"left": "enrolment", "op": "<=", "right": "enrolment"}}, "compare_same"),
        ({"kind": "compare", "params": {"left": "a", "op": "<=", "right": "enrolment", "factor": 0}}, "factor_invalid"),
        ({"kind": "average", "params": {}}, "kind_invalid"),
        ({"kind": "required", "params": {"indicator": "children_returned"}, "severity": "fatal"}, "severity_invalid"),
    ]  # fmt: skip
    for args, code in bad:
        with pytest.raises(InvalidInput) as exc:
            svc.rule_create(
                actor=me(world), framework_id=fw.pk, code="r_bad", message_th="ข้อความ", message_en="Message",
                **{"severity": "warning", **args},
            )  # fmt: skip
        assert code in {p.code for p in exc.value.problems}, args
    assert not ValidationRule.objects.filter(framework=fw).exists()

    rule = svc.rule_create(
        actor=me(world), framework_id=fw.pk, code="returned_vs_dropouts", kind="compare", severity="warning",
        params={"left": "children_returned", "op": "<=", "right": "enrolment"},
        message_th="เด็กที่นำกลับมากผิดปกติ", message_en="Unusually many children returned",
    )  # fmt: skip
    assert rule.params == {
        "left": "children_returned",
        "op": "<=",
        "right": "enrolment",
        "factor": 1.0,
        "tolerance": 0.0,
    }
    with pytest.raises(InvalidInput) as exc:  # a global rule owns the code
        svc.rule_create(
            actor=me(world), framework_id=fw.pk, code="supervision_required", kind="required", severity="blocking",
            params={"indicator": "children_returned"}, message_th="ก", message_en="A",
        )  # fmt: skip
    assert exc.value.problems[0].code == "rule_exists"
    svc.rule_update(
        actor=me(world), rule_id=rule.pk,
        changes={"severity": "blocking", "params": {"left": "children_returned", "op": "<", "right": "enrolment"}},
    )  # fmt: skip
    rule.refresh_from_db()
    assert (rule.severity, rule.params["op"]) == ("blocking", "<")
    global_rule = ValidationRule.objects.get(framework__isnull=True, code="supervision_required")
    with pytest.raises(InvalidInput) as exc:
        svc.rule_update(actor=me(world), rule_id=global_rule.pk, changes={"active": False})
    assert exc.value.problems[0].code == "rule_global"
    assert ValidationRule.objects.get(pk=global_rule.pk).active is True
    assert AuditEntry.objects.filter(object_type="monitoring.validationrule").count() == 2
