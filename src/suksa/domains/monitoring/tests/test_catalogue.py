"""The catalogue: versioned indicators, policy points and targets, written only by M&E officers."""

from __future__ import annotations

import io
from typing import Any

import pytest

from suksa.core.errors import Conflict, InvalidInput, NotFoundOrNoAccess, PermissionDenied
from suksa.core.models import AuditEntry
from suksa.domains.accounts.actors import actor_for
from suksa.domains.monitoring.models import (
    FrameworkIndicator,
    Indicator,
    PolicyPoint,
    Report,
    ReportValue,
    Target,
    TargetArea,
)
from suksa.domains.monitoring.models.choices import ValueOrigin
from suksa.domains.monitoring.services.catalogue import (
    indicator_create,
    indicator_retire,
    indicator_revise,
    policy_point_create,
    target_delete,
    target_for,
    target_set,
    targets_for_units,
    targets_import,
)
from suksa.domains.monitoring.services.frameworks_default import ensure_catalogue
from suksa.domains.monitoring.tests.factories import make_framework, make_report, round_of
from tests.factories import World

pytestmark = pytest.mark.django_db


def officer(world: World) -> Any:
    return actor_for(world.user("me_officer"))


def spec(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name_th": "ร้อยละโรงเรียนที่จัดกิจกรรมลดเวลาเรียน",
        "name_en": "Schools running activity-based afternoons",
        "definition_th": "ร้อยละของโรงเรียนในสังกัดที่จัดกิจกรรมลดเวลาเรียน เพิ่มเวลารู้ ตลอดรอบ",
        "definition_en": "Share of the ESA's schools running activity-based afternoons all round.",
        "unit": "percent",
        "direction": "higher",
        "domain": "learning",
        "source_kind": "reported",
        "levels": ["esa"],
        "standards": ["2"],
    }
    base.update(over)
    return base


def audits(object_type: str) -> int:
    return AuditEntry.objects.filter(object_type=object_type).count()


# --- indicators ------------------------------------------------------------------------------


def test_an_officer_creates_version_one_with_its_standards(world: World) -> None:
    ensure_catalogue()
    point = policy_point_create(
        actor=officer(world),
        fiscal_year=2569,
        code="P1",
        name_th="ลดภาระครู",
        name_en="Less admin for teachers",
    )
    ind = indicator_create(
        actor=officer(world), code="activity_afternoons", fields=spec(policy_points=[point.pk])
    )

    assert (ind.version, ind.is_current, ind.created_by) == (1, True, "me_officer")
    assert (ind.min_value, ind.max_value) == (0.0, 100.0)  # percent defaults
    assert ind.source == {}
    assert [s.code for s in ind.standards.all()] == ["2"]
    assert list(ind.policy_points.all()) == [point]
    entry = AuditEntry.objects.get(object_type="monitoring.indicator", object_id=str(ind.pk))
    assert entry.action == "create"
    assert entry.changes["standards"] == ["2"]


def test_an_imported_indicator_gets_its_producer_from_the_dataset(world: World) -> None:
    ensure_catalogue()
    ind = indicator_create(
        actor=officer(world),
        code="onet_science_m3",
        fields=spec(
            unit="score", domain="learning", source_kind="imported", min_value=0, max_value=100,
            source={"dataset": "niets_onet", "period": "year"},
        ),
    )  # fmt: skip
    assert ind.source == {
        "producer": "import:niets_onet",
        "dataset": "niets_onet",
        "indicator": "onet_science_m3",
        "period": "year",
    }


@pytest.mark.parametrize(
    "persona", ["executive", "reviewer", "esa_director_a1", "esa_officer_a1", "sysadmin"]
)
def test_only_the_me_officer_writes_the_catalogue(world: World, persona: str) -> None:
    ensure_catalogue()
    before = Indicator.objects.count()
    actor = actor_for(world.user(persona))
    with pytest.raises(PermissionDenied):
        indicator_create(actor=actor, code="activity_afternoons", fields=spec())
    with pytest.raises(PermissionDenied):
        indicator_revise(actor=actor, code="supervision_coverage", changes={"name_en": "X"}, change_note="x")
    with pytest.raises(PermissionDenied):
        target_set(actor=actor, indicator_code="dropout_rate", fiscal_year=2569, value=1.5)
    assert Indicator.objects.count() == before
    assert not Target.objects.exists()
    assert not AuditEntry.objects.filter(object_type__startswith="monitoring.").exists()


def test_bad_input_is_named_field_by_field_in_thai_and_english(world: World) -> None:
    ensure_catalogue()
    before = Indicator.objects.count()
    with pytest.raises(InvalidInput) as exc:
        indicator_create(
            actor=officer(world),
            code="bad_one",
            fields=spec(
                name_th="", unit="litres", min_value=5, max_value=1, standards=["9"], levels=["galaxy"]
            ),
        )
    fields = {p.field for p in exc.value.problems}
    assert fields == {"name_th", "unit", "levels", "standards", "min_value"}
    assert all(p.th and p.en for p in exc.value.problems)
    with pytest.raises(InvalidInput) as exc:
        indicator_create(
            actor=officer(world), code="hours_x", fields=spec(unit="hours", min_value=5, max_value=1)
        )
    assert [p.code for p in exc.value.problems] == ["min_above_max"]
    with pytest.raises(InvalidInput) as exc:
        indicator_create(actor=officer(world), code="Bad Code", fields=spec())
    assert exc.value.problems[0].field == "code"
    with pytest.raises(InvalidInput) as exc:
        indicator_create(actor=officer(world), code="dropout_rate", fields=spec(source_kind="computed"))
    assert exc.value.problems[0].code == "code_exists"
    with pytest.raises(InvalidInput) as exc:
        indicator_create(
            actor=officer(world),
            code="made_up",
            fields=spec(source_kind="computed", source={"indicator": "made_up"}),
        )
    assert {p.code for p in exc.value.problems} == {"source_not_computed", "source_period"}
    assert Indicator.objects.count() == before
    assert audits("monitoring.indicator") == 0


def test_revising_writes_a_new_version_and_never_rewrites_past_values(world: World) -> None:
    ensure_catalogue()
    used = make_framework(2568)  # has reports: keeps the version it asked
    free = make_framework(2569)  # no report yet: moves to the new version
    report = make_report(round_of(used), world.esa_a1)
    v1 = Indicator.objects.get(code="supervision_coverage", is_current=True)
    past = ReportValue.objects.create(report=report, indicator=v1, origin=ValueOrigin.REPORTED, value=72.0)

    v2 = indicator_revise(
        actor=officer(world),
        code="supervision_coverage",
        changes={"definition_th": "ร้อยละของโรงเรียนที่ได้รับการนิเทศอย่างน้อยสองครั้งในรอบ", "max_value": 100},
        change_note="นิเทศอย่างน้อยสองครั้ง / at least two visits",
        expected_version=1,
    )

    v1.refresh_from_db()
    assert (v2.version, v2.is_current, v2.change_note) == (2, True, "นิเทศอย่างน้อยสองครั้ง / at least two visits")
    assert (v1.is_current, v1.retired_at is not None) == (False, True)
    assert v1.definition_th.startswith("ร้อยละของโรงเรียนในสังกัดที่ศึกษานิเทศก์")  # untouched
    assert [s.code for s in v2.standards.all()] == ["2"]  # copied
    past.refresh_from_db()
    assert (past.indicator_id, past.value) == (v1.pk, 72.0)
    assert (
        FrameworkIndicator.objects.get(framework=used, indicator__code="supervision_coverage").indicator_id
        == v1.pk
    )
    assert (
        FrameworkIndicator.objects.get(framework=free, indicator__code="supervision_coverage").indicator_id
        == v2.pk
    )
    entry = AuditEntry.objects.get(object_type="monitoring.indicator", object_id=str(v2.pk))
    assert entry.changes["version"] == [1, 2]
    assert entry.changes["repinned_frameworks"] == [free.pk]
    assert "definition_th" in entry.changes


def test_a_stale_or_empty_revision_changes_nothing(world: World) -> None:
    ensure_catalogue()
    with pytest.raises(Conflict) as exc:
        indicator_revise(
            actor=officer(world),
            code="teacher_pd_hours",
            changes={"max_value": 300},
            change_note="x",
            expected_version=3,
        )
    assert exc.value.current == 1
    with pytest.raises(InvalidInput) as bad:
        indicator_revise(
            actor=officer(world), code="teacher_pd_hours", changes={"max_value": 300}, change_note=" "
        )
    assert bad.value.problems[0].code == "change_note_required"
    with pytest.raises(InvalidInput) as same:
        indicator_revise(
            actor=officer(world), code="teacher_pd_hours", changes={"max_value": 500}, change_note="x"
        )
    assert same.value.problems[0].code == "no_change"
    with pytest.raises(InvalidInput) as unknown:
        indicator_revise(
            actor=officer(world), code="teacher_pd_hours", changes={"version": 9}, change_note="x"
        )
    assert unknown.value.problems[0].code == "unknown_field"
    with pytest.raises(NotFoundOrNoAccess):
        indicator_revise(actor=officer(world), code="no_such_code", changes={"max_value": 1}, change_note="x")
    assert list(Indicator.objects.filter(code="teacher_pd_hours").values_list("version", flat=True)) == [1]
    assert audits("monitoring.indicator") == 0


def test_retiring_keeps_the_row_and_frees_the_code_from_new_frameworks(world: World) -> None:
    ensure_catalogue()
    with pytest.raises(InvalidInput):
        indicator_retire(actor=officer(world), code="sar_submission_rate", reason="")
    ind = indicator_retire(
        actor=officer(world), code="sar_submission_rate", reason="เลิกเก็บ / no longer collected"
    )
    assert (ind.is_current, ind.retired_at is not None) == (False, True)
    assert not Indicator.objects.filter(code="sar_submission_rate", is_current=True).exists()
    fw = make_framework(2570)
    assert not fw.items.filter(indicator__code="sar_submission_rate").exists()
    with pytest.raises(InvalidInput) as exc:
        indicator_create(actor=officer(world), code="sar_submission_rate", fields=spec())
    assert "retired" in exc.value.problems[0].en


def test_policy_points_are_unique_per_fiscal_year(world: World) -> None:
    policy_point_create(actor=officer(world), fiscal_year=2569, code="P1", name_th="ก", name_en="A")
    with pytest.raises(InvalidInput) as exc:
        policy_point_create(actor=officer(world), fiscal_year=2569, code="P1", name_th="ข", name_en="B")
    assert exc.value.problems[0].code == "policy_point_exists"
    policy_point_create(actor=officer(world), fiscal_year=2570, code="P1", name_th="ข", name_en="B")
    assert PolicyPoint.objects.count() == 2


# --- targets ---------------------------------------------------------------------------------


def test_a_units_target_wins_over_its_group_which_wins_over_the_default(world: World) -> None:
    ensure_catalogue()
    me = officer(world)
    target_set(actor=me, indicator_code="dropout_rate", fiscal_year=2569, value="1.5")
    target_set(
        actor=me, indicator_code="dropout_rate", fiscal_year=2569, value=1.2, peer_group="esa_type=primary"
    )
    target_set(actor=me, indicator_code="dropout_rate", fiscal_year=2569, value=0.9, peer_group="target_area")
    target_set(actor=me, indicator_code="dropout_rate", fiscal_year=2569, value=0.5, unit_code="15001")
    fw = make_framework(2569)
    TargetArea.objects.create(framework=fw, unit=world.esa_a1)

    assert target_for("dropout_rate", 2569, world.esa_b1) == 0.5  # its own
    assert target_for("dropout_rate", 2569, world.esa_a1) == 0.9  # target area
    assert target_for("dropout_rate", 2569, world.esa_a2) == 1.5  # secondary: the default
    assert target_for("dropout_rate", 2569, world.region_1) == 1.5
    assert target_for("dropout_rate", 2570, world.esa_a1) is None
    assert target_for("onet_mean_p6", 2569, world.esa_a1) is None

    # Set again: replaced, audited as an update.
    target_set(actor=me, indicator_code="dropout_rate", fiscal_year=2569, value=0.4, unit_code="15001")
    assert Target.objects.filter(unit=world.esa_b1).get().value == 0.4
    assert AuditEntry.objects.filter(object_type="monitoring.target", action="update").count() == 1


def test_targets_for_many_units_take_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    ensure_catalogue()
    me = officer(world)
    target_set(actor=me, indicator_code="dropout_rate", fiscal_year=2569, value=1.0)
    target_set(
        actor=me, indicator_code="onet_mean_p6", fiscal_year=2569, value=40, peer_group="esa_type=primary"
    )
    units = [world.esa_a1, world.esa_a2, world.esa_b1, world.school_a1_1]
    with django_assert_max_num_queries(4):
        got = targets_for_units(["dropout_rate", "onet_mean_p6"], 2569, units)
    assert got == {
        ("dropout_rate", world.esa_a1.pk): 1.0,
        ("dropout_rate", world.esa_a2.pk): 1.0,
        ("dropout_rate", world.esa_b1.pk): 1.0,
        ("dropout_rate", world.school_a1_1.pk): 1.0,
        ("onet_mean_p6", world.esa_a1.pk): 40.0,
        ("onet_mean_p6", world.esa_b1.pk): 40.0,
        ("onet_mean_p6", world.school_a1_1.pk): 40.0,
    }


def test_a_bad_target_is_refused_with_the_reason(world: World) -> None:
    ensure_catalogue()
    me = officer(world)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"indicator_code": "nope", "fiscal_year": 2569, "value": 1}, "indicator_unknown"),
        ({"indicator_code": "dropout_rate", "fiscal_year": 69, "value": 1}, "fiscal_year_invalid"),
        ({"indicator_code": "dropout_rate", "fiscal_year": 2569, "value": "abc"}, "not_a_number"),
        ({"indicator_code": "dropout_rate", "fiscal_year": 2569, "value": 120}, "out_of_range"),
        ({"indicator_code": "dropout_rate", "fiscal_year": 2569, "value": 1, "peer_group": "rich"}, "peer_group_invalid"),
        ({"indicator_code": "dropout_rate", "fiscal_year": 2569, "value": 1, "unit_code": "99999"}, "unit_unknown"),
        ({"indicator_code": "dropout_rate", "fiscal_year": 2569, "value": 1, "unit_code": "1012000001"}, "unit_level"),
        (
            {"indicator_code": "dropout_rate", "fiscal_year": 2569, "value": 1, "unit_code": "11201",
             "peer_group": "target_area"},
            "unit_and_group",
        ),
    ]  # fmt: skip
    for kwargs, code in cases:
        with pytest.raises(InvalidInput) as exc:
            target_set(actor=me, **kwargs)
        assert code in {p.code for p in exc.value.problems}, kwargs
    assert not Target.objects.exists()


def test_deleting_a_target_is_audited(world: World) -> None:
    ensure_catalogue()
    t = target_set(actor=officer(world), indicator_code="dropout_rate", fiscal_year=2569, value=1.0)
    with pytest.raises(PermissionDenied):
        target_delete(actor=actor_for(world.user("executive")), target_id=t.pk)
    target_delete(actor=officer(world), target_id=t.pk)
    assert not Target.objects.exists()
    assert AuditEntry.objects.filter(object_type="monitoring.target", action="delete").count() == 1


TARGETS_CSV = (
    "รหัสตัวชี้วัด,ปีงบประมาณ,รหัสหน่วยงาน,กลุ่ม,ค่าเป้าหมาย,หมายเหตุ\n"
    "dropout_rate,2569,,,1.5,ค่ากลาง\n"
    "dropout_rate,2569,,esa_type=primary,1.2,\n"
    "onet_mean_p6,2569,11201,,42.5,\n"
)


def test_targets_import_from_a_file(world: World) -> None:
    ensure_catalogue()
    report = targets_import(
        actor=officer(world), file=io.BytesIO(TARGETS_CSV.encode()), filename="targets.csv"
    )
    assert report.committed
    assert (report.rows_read, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert target_for("onet_mean_p6", 2569, world.esa_a1) == 42.5
    assert target_for("dropout_rate", 2569, world.esa_b1) == 1.2
    again = targets_import(
        actor=officer(world), file=io.BytesIO(TARGETS_CSV.encode()), filename="targets.csv"
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert AuditEntry.objects.filter(object_type="monitoring.target", action="import").count() == 2


def test_a_targets_file_with_a_bad_row_writes_nothing(world: World) -> None:
    ensure_catalogue()
    bad = TARGETS_CSV + "dropout_rate,2569,,,abc,\nnot_there,2569,,,1,\ndropout_rate,2569,,,1.6,\n"
    report = targets_import(actor=officer(world), file=io.BytesIO(bad.encode()), filename="targets.csv")
    assert not report.committed
    got = {(p.row, p.column, p.code) for p in report.problems}
    assert got == {
        (5, "ค่าเป้าหมาย", "not_a_number"),
        (6, "รหัสตัวชี้วัด", "indicator_unknown"),
        (7, "ค่าเป้าหมาย", "duplicate_row"),
    }
    assert all(p.file == "targets.csv" and p.th and p.en for p in report.problems)
    assert "แถว 5" in report.problems[0].message("th")
    assert not Target.objects.exists()
    assert audits("monitoring.target") == 0


def test_a_targets_file_without_the_value_column_is_refused(world: World) -> None:
    ensure_catalogue()
    report = targets_import(
        actor=officer(world), file=io.BytesIO(b"indicator,fiscal_year\ndropout_rate,2569\n"), filename="t.csv"
    )
    assert [(p.code, p.row) for p in report.problems] == [("column_missing", 1)]
    assert not Target.objects.exists()


def test_reports_are_unaffected_by_targets(world: World) -> None:
    # Targets are plans: setting one writes no report and no value.
    ensure_catalogue()
    target_set(actor=officer(world), indicator_code="dropout_rate", fiscal_year=2569, value=1.0)
    assert not Report.objects.exists()
    assert not ReportValue.objects.exists()
