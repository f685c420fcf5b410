"""Data quality of reports: rules, outliers against history and peers, ±33 %, missing data,
narratives, comments; the round's board agrees with each report's check; completeness and
timeliness of a round."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from suksa.core.models import OrgUnit
from suksa.core.policy import SYSTEM
from suksa.domains.monitoring.models import (
    DataProblem,
    NarrativeEntry,
    Report,
    ReportValue,
    Round,
    ValidationRule,
)
from suksa.domains.monitoring.models.choices import ReportStatus
from suksa.domains.monitoring.services.prefill import round_prefill
from suksa.domains.monitoring.services.quality import (
    period_key,
    report_check,
    round_completeness,
    round_quality_board,
    round_quality_results,
)
from suksa.domains.monitoring.services.quality_types import QualityIssue, QualityResult
from suksa.domains.monitoring.tests.factories import make_framework, on, put_value, round_of
from tests.factories import World, make_esa

pytestmark = pytest.mark.django_db

LONG_TEXT = "สำนักงานเขตพื้นที่การศึกษาได้ติดตามและนิเทศโรงเรียนทุกแห่งอย่างต่อเนื่อง " * 3


@dataclass
class Rounds:
    past: list[Round]  # the same round of earlier years, oldest first: 2564/m12 … 2568/m12
    other: Round  # 2569/m6: a shorter round of the same year, never history for a 12-month figure
    current: Round  # 2569/m12
    peers: list[OrgUnit]  # five more primary ESAs (region 2)


def extra_primary_esas(world: World, n: int = 5, start: int = 2) -> list[OrgUnit]:
    return [
        make_esa(
            f"150{i:02d}", f"สำนักงานเขตพื้นที่การศึกษาประถมศึกษาทดสอบ เขต {i}", world.region_2, "primary", "50", i
        )
        for i in range(start, start + n)
    ]


def build_rounds(world: World) -> Rounds:
    peers = extra_primary_esas(world)
    past = [round_of(make_framework(fy, months=(12,)), "m12") for fy in (2564, 2565, 2566, 2567, 2568)]
    fw = make_framework(2569)
    other, current = round_of(fw, "m6"), round_of(fw, "m12")
    for rnd in [*past, other, current]:
        round_prefill(actor=SYSTEM, round=rnd)
    Report.objects.exclude(round=current).update(status=ReportStatus.APPROVED, submitted_at=timezone.now())
    return Rounds(past=past, other=other, current=current, peers=peers)


def report_of(rnd: Round, esa: OrgUnit) -> Report:
    return Report.objects.select_related("round__framework", "esa").get(round=rnd, esa=esa)


def setv(report: Report, code: str, value: float | None, comment: str = "") -> ReportValue:
    ReportValue.objects.filter(report=report, indicator__code=code).update(value=value, comment=comment)
    return ReportValue.objects.get(report=report, indicator__code=code)


def write(report: Report, section: str, text: str) -> None:
    NarrativeEntry.objects.filter(report=report, section__code=section).update(text=text)


def of(result: QualityResult, code: str | None = None, kind: str | None = None) -> list[QualityIssue]:
    return [
        i
        for i in result.issues
        if (code is None or i.indicator_code == code) and (kind is None or i.kind == kind)
    ]


def one(result: QualityResult, code: str | None = None, kind: str | None = None) -> QualityIssue:
    found = of(result, code, kind)
    assert len(found) == 1, [(i.kind, i.indicator_code, i.code) for i in result.issues]
    return found[0]


# --- validation rules ----------------------------------------------------------------------------


def test_each_rule_kind(world: World) -> None:
    fw = make_framework(2569)
    rnd = round_of(fw, "m12")
    put_value(world.esa_a1, "enrolment", "2569/jun10", 3000)
    round_prefill(actor=SYSTEM, round=rnd)
    report = report_of(rnd, world.esa_a1)
    returned = setv(report, "children_returned", 5000)
    setv(report, "action_plan_completion", 120)
    pd = setv(report, "teacher_pd_hours", 150)

    result = report_check(report)

    compare = one(result, code="children_returned", kind="compare")
    assert (compare.code, compare.severity, compare.value_id) == (
        "children_returned_le_enrolment",
        "blocking",
        returned.pk,
    )
    assert compare.evidence == {
        "rule": "children_returned_le_enrolment", "left": "children_returned", "left_value": 5000.0, "op": "<=",
        "right": "enrolment", "right_value": 3000.0, "factor": 1.0, "tolerance": 0.0, "bound": 3000.0,
        "lowered": False,
    }  # fmt: skip
    assert compare.message_th == (
        "จำนวนเด็กที่นำกลับเข้าสู่ระบบต้องไม่เกินจำนวนนักเรียนทั้งหมดของเขตพื้นที่ "
        "(จำนวนเด็กที่นำกลับเข้าสู่ระบบ 5,000 <= จำนวนนักเรียน 3,000 ไม่เป็นจริง)"
    )
    assert compare.message_en.startswith("Children brought back cannot exceed the area's enrolment (")
    # Range: the rule's, not the catalogue's as well.
    rng = one(result, code="action_plan_completion")
    assert (rng.code, rng.kind, rng.severity, rng.evidence["min"], rng.evidence["max"]) == (
        "plan_completion_range",
        "range",
        "blocking",
        0.0,
        100.0,
    )
    assert "120.00" in rng.message_th
    assert "0–100" in rng.message_en
    # Required (by rule), once: no second "required" issue from the framework.
    required = one(result, code="supervision_coverage")
    assert (required.code, required.kind, required.severity) == (
        "supervision_required",
        "required",
        "blocking",
    )
    # Required with a comment, answered by the value's comment.
    asked = one(result, code="teacher_pd_hours")
    assert (asked.code, asked.severity, asked.commented, asked.value_id) == (
        "pd_hours_high_comment",
        "warning",
        False,
        pd.pk,
    )
    assert asked.evidence == {"rule": "pd_hours_high_comment", "value": 150.0, "op": ">", "threshold": 120.0}
    # Reported values the framework requires and no rule names: blocking "required".
    sat = one(result, code="stakeholder_satisfaction")
    assert (sat.code, sat.kind, sat.severity, sat.message_en) == (
        "required",
        "required",
        "blocking",
        "Stakeholder satisfaction must be filled in",
    )
    assert not result.can_submit

    setv(report, "children_returned", 40)
    setv(report, "action_plan_completion", 80)
    setv(report, "teacher_pd_hours", 150, comment="โครงการพัฒนาครูเข้มข้นทั้งเขตในภาคเรียนนี้")
    after = report_check(report)
    assert not of(after, kind="compare")
    assert not of(after, code="action_plan_completion")
    assert one(after, code="teacher_pd_hours").commented is True


def test_blocking_rules_on_values_the_esa_cannot_change_are_warnings(world: World) -> None:
    fw = make_framework(2569)
    ValidationRule.objects.create(
        framework=fw, code="dropout_le_repetition", kind="compare", severity="blocking",
        params={"left": "dropout_rate", "op": "<=", "right": "repetition_rate"},
        message_th="ออกกลางคันไม่ควรเกินซ้ำชั้น", message_en="Dropout should not exceed repetition",
    )  # fmt: skip
    rnd = round_of(fw, "m12")
    put_value(world.esa_a1, "dropout_rate", "2568", 0.05)
    put_value(world.esa_a1, "repetition_rate", "2568", 0.01)
    put_value(world.esa_a1, "out_of_school_rate", "2568", 0.3, producer="import:eef_isee")
    round_prefill(actor=SYSTEM, round=rnd)
    report = report_of(rnd, world.esa_a1)

    result = report_check(report)

    lowered = next(i for i in result.issues if i.code == "dropout_le_repetition")
    assert (lowered.severity, lowered.evidence["lowered"], lowered.indicator_code) == (
        "warning",
        True,
        "dropout_rate",
    )
    seeded = next(i for i in result.issues if i.code == "dropout_vs_out_of_school")
    assert (seeded.severity, seeded.evidence["left_value"], seeded.evidence["bound"]) == ("warning", 5.0, 3.0)
    assert "× 10" in seeded.message_th

    # A data problem raised on the pre-filled value answers the warnings about it.
    value = ReportValue.objects.get(report=report, indicator__code="dropout_rate")
    DataProblem.objects.create(
        report=report,
        value=value,
        description="ตัวเลขสูงผิดปกติ",
        raised_by="esa_officer_a1",
        raised_at=timezone.now(),
    )
    answered = report_check(report)
    assert all(i.commented for i in of(answered, code="dropout_rate"))


def test_rules_on_indicators_not_in_the_report_are_skipped(world: World) -> None:
    fw = make_framework(2569, indicator_codes=["enrolment", "dropout_rate", "teacher_pd_hours"])
    ValidationRule.objects.create(
        framework=fw, code="ghost", kind="range", severity="blocking", params={"indicator": "no_such_code", "max": 1},
        message_th="ไม่มี", message_en="None",
    )  # fmt: skip
    rnd = round_of(fw, "m12")
    round_prefill(actor=SYSTEM, round=rnd)
    report = report_of(rnd, world.esa_a1)
    setv(report, "teacher_pd_hours", 10)

    result = report_check(report)

    assert {i.code for i in result.issues if i.indicator_code} == {"missing_prefill"}
    assert {i.indicator_code for i in result.issues if i.indicator_code} == {"enrolment", "dropout_rate"}


def test_a_framework_rule_replaces_the_global_rule_of_the_same_code_and_inactive_rules_are_off(
    world: World,
) -> None:
    fw = make_framework(2569)
    ValidationRule.objects.create(
        framework=fw, code="supervision_low_comment", kind="required_comment", severity="blocking",
        params={"indicator": "supervision_coverage", "op": "<", "value": 80},
        message_th="นิเทศน้อยกว่าร้อยละ 80 โปรดอธิบาย", message_en="Under 80 % supervised: explain",
    )  # fmt: skip
    ValidationRule.objects.filter(framework=None, code="pd_hours_high_comment").update(active=False)
    rnd = round_of(fw, "m12")
    round_prefill(actor=SYSTEM, round=rnd)
    report = report_of(rnd, world.esa_a1)
    setv(report, "supervision_coverage", 70)
    setv(report, "teacher_pd_hours", 300)

    result = report_check(report)

    sup = one(result, code="supervision_coverage")
    assert (sup.severity, sup.evidence["threshold"], sup.message_en) == (
        "blocking",
        80.0,
        "Under 80 % supervised: explain (Schools supervised 70.00 < 80.00)",
    )
    assert not of(result, code="teacher_pd_hours")  # 300 is within the catalogue's 0–500
    # A blocking required-comment rule is satisfied by the comment.
    setv(report, "supervision_coverage", 70, comment="โรงเรียนห่างไกลเข้าถึงไม่ได้ช่วงน้ำท่วม")
    assert not of(report_check(report), code="supervision_coverage")


def test_the_catalogue_range_blocks_a_reported_value_and_warns_on_a_prefilled_one(world: World) -> None:
    fw = make_framework(2569)
    rnd = round_of(fw, "m12")
    put_value(world.esa_a1, "pupil_teacher_ratio", "2568", 250)
    round_prefill(actor=SYSTEM, round=rnd)
    report = report_of(rnd, world.esa_a1)
    setv(report, "teacher_pd_hours", 600, comment="ตรวจแล้ว")

    result = report_check(report)

    hours = one(result, code="teacher_pd_hours", kind="range")
    assert (hours.code, hours.severity, hours.evidence) == (
        "range",
        "blocking",
        {"value": 600.0, "min": 0.0, "max": 500.0, "source": "catalogue"},
    )
    assert hours.message_th == "ชั่วโมงพัฒนาครูเฉลี่ย 600.00 อยู่นอกช่วงที่เป็นไปได้ (0–500)"
    ratio = one(result, code="pupil_teacher_ratio", kind="range")
    assert ratio.severity == "warning"


# --- outliers, change, missing data ------------------------------------------------------------


def test_outliers_against_the_own_history_and_the_peers(world: World) -> None:
    r = build_rounds(world)
    for rnd, hours in zip(r.past, [20, 22, 21, 23, 22], strict=True):
        setv(report_of(rnd, world.esa_a1), "teacher_pd_hours", hours)
    setv(report_of(r.other, world.esa_a1), "teacher_pd_hours", 90)  # a 6-month figure: not compared
    for esa, hours in zip([world.esa_b1, *r.peers], [20, 21, 22, 23, 24, 25], strict=True):
        setv(report_of(r.current, esa), "teacher_pd_hours", hours)
    setv(report_of(r.current, world.esa_a2), "teacher_pd_hours", 40)  # secondary: not a peer
    report = report_of(r.current, world.esa_a1)
    value = setv(report, "teacher_pd_hours", 40)

    result = report_check(report)

    # History 20, 22, 21, 23, 22: median 22, MAD 1 → 0.6745 × 18 = 12.141.
    own = one(result, code="teacher_pd_hours", kind="outlier_history")
    assert (own.severity, own.value_id, own.commented) == ("warning", value.pk, False)
    assert own.evidence == {
        "value": 40.0, "median": 22.0, "mad": 1.0, "mean_ad": 0.8, "method": "mad", "score": 12.141,
        "threshold": 3.5, "n": 5, "direction": "above",
    }  # fmt: skip
    assert own.message_th == (
        "ชั่วโมงพัฒนาครูเฉลี่ย 40.00 สูงกว่าค่ากลางของข้อมูลย้อนหลังของเขตพื้นที่นี้ (22.00) อย่างผิดปกติ (z = 12.1)"
    )
    # Peers (six primary ESAs) 20 … 25: median 22.5, MAD 1.5 → 0.6745 × 17.5 / 1.5 = 7.869.
    peers = one(result, code="teacher_pd_hours", kind="outlier_peers")
    assert (peers.evidence["median"], peers.evidence["mad"], peers.evidence["n"]) == (22.5, 1.5, 6)
    assert (peers.evidence["score"], peers.evidence["peer_group"]) == (7.8692, "primary")
    assert peers.message_th == (
        "ชั่วโมงพัฒนาครูเฉลี่ย 40.00 สูงกว่าค่ากลางของเขตพื้นที่กลุ่มเดียวกัน (22.50) อย่างผิดปกติ (z = 7.9; สพป. 6 เขต)"
    )
    assert peers.message_en == (
        "Teacher development hours 40.00 is unusually high against the median of peer areas "
        "(22.50; 6 primary ESAs, z = 7.9)"
    )
    # Prior three periods 21, 23, 22: mean 22 → +81.8 %.
    change = one(result, code="teacher_pd_hours", kind="change_33")
    assert change.evidence == {
        "value": 40.0, "prior": [21.0, 23.0, 22.0], "prior_periods": ["2566/m12", "2567/m12", "2568/m12"],
        "prior_mean": 22.0, "change": 0.8182, "pct": 0.33,
    }  # fmt: skip
    assert change.message_th == (
        "ชั่วโมงพัฒนาครูเฉลี่ย 40.00 สูงกว่าค่าเฉลี่ย 3 ช่วงก่อนหน้า (22.00) ร้อยละ 82 เกินเกณฑ์ ±33%"
    )
    # The secondary ESA has no peers (fewer than five other secondary ESAs): no peer outlier.
    assert not of(report_check(report_of(r.current, world.esa_a2)), kind="outlier_peers")

    # One comment answers every warning on the value.
    setv(report, "teacher_pd_hours", 40, comment="จัดอบรมครูทั้งเขตเพิ่ม 2 หลักสูตร")
    answered = report_check(report)
    assert {i.kind for i in of(answered, code="teacher_pd_hours")} == {
        "outlier_history",
        "outlier_peers",
        "change_33",
    }
    assert all(i.commented for i in of(answered, code="teacher_pd_hours"))
    assert not [i for i in answered.uncommented_warnings if i.indicator_code == "teacher_pd_hours"]


def test_drafts_never_submitted_do_not_count_as_history(world: World) -> None:
    r = build_rounds(world)
    for rnd, hours in zip(r.past, [20, 22, 21, 23, 22], strict=True):
        setv(report_of(rnd, world.esa_a1), "teacher_pd_hours", hours)
    Report.objects.filter(round=r.past[-1], esa=world.esa_a1).update(status=ReportStatus.DRAFT)
    report = report_of(r.current, world.esa_a1)
    setv(report, "teacher_pd_hours", 40)

    result = report_check(report)

    assert not of(result, kind="outlier_history")  # four points: too few
    change = one(result, code="teacher_pd_hours", kind="change_33")
    assert change.evidence["prior"] == [22.0, 21.0, 23.0]


def test_too_short_a_history_concludes_nothing(world: World) -> None:
    rounds = [round_of(make_framework(fy, months=(12,)), "m12") for fy in (2566, 2567, 2568)]
    current = round_of(make_framework(2569, months=(12,)), "m12")
    for rnd in [*rounds, current]:
        round_prefill(actor=SYSTEM, round=rnd)
    Report.objects.exclude(round=current).update(status=ReportStatus.APPROVED)
    for rnd in rounds[1:]:
        setv(report_of(rnd, world.esa_a1), "stakeholder_satisfaction", 80)
    report = report_of(current, world.esa_a1)
    setv(report, "stakeholder_satisfaction", 20)

    assert not of(report_check(report), code="stakeholder_satisfaction")  # two prior 12-month rounds

    setv(report_of(rounds[0], world.esa_a1), "stakeholder_satisfaction", 80)
    result = report_check(report)
    change = one(result, code="stakeholder_satisfaction")
    assert (change.kind, change.evidence["prior_mean"], change.evidence["change"]) == (
        "change_33",
        80.0,
        -0.75,
    )
    assert change.message_en == (
        "Stakeholder satisfaction 20.00 is 75% below the mean of the prior three periods (80.00), beyond ±33%"
    )
    assert not of(result, kind="outlier_history")  # three points: fewer than five


def test_prefilled_values_use_the_platforms_stored_history(world: World) -> None:
    fw = make_framework(2569)
    rnd = round_of(fw, "m12")
    for year, rate in zip(range(2563, 2568), [0.010, 0.011, 0.012, 0.011, 0.010], strict=True):
        put_value(world.esa_a1, "dropout_rate", str(year), rate)
    put_value(world.esa_a1, "dropout_rate", "2568", 0.05)
    put_value(world.esa_a1, "dropout_rate", "2569", 0.0999)  # later than the round shows: not history
    round_prefill(actor=SYSTEM, round=rnd)
    report = report_of(rnd, world.esa_a1)

    result = report_check(report)

    value = ReportValue.objects.get(report=report, indicator__code="dropout_rate")
    assert (value.period, value.value) == ("2568", 5.0)
    own = one(result, code="dropout_rate", kind="outlier_history")
    # 1.0, 1.1, 1.2, 1.1, 1.0: median 1.1, MAD 0.1 → 0.6745 × 3.9 / 0.1 = 26.3055.
    assert (own.evidence["median"], own.evidence["mad"], own.evidence["score"], own.evidence["n"]) == (
        1.1,
        0.1,
        26.3055,
        5,
    )
    assert own.message_th == (
        "อัตราการออกกลางคัน 5.00 สูงกว่าค่ากลางของข้อมูลย้อนหลังของเขตพื้นที่นี้ (1.10) อย่างผิดปกติ (z = 26.3)"
    )
    change = one(result, code="dropout_rate", kind="change_33")
    assert (change.evidence["prior"], change.evidence["prior_periods"]) == (
        [1.2, 1.1, 1.0],
        ["2565", "2566", "2567"],
    )
    assert change.evidence["prior_mean"] == 1.1


def test_missing_prefilled_values_warn_without_blocking(world: World) -> None:
    fw = make_framework(2569, indicator_codes=["attendance_rate", "teacher_pd_hours"])
    rnd = round_of(fw, "m12")
    round_prefill(actor=SYSTEM, round=rnd)
    report = report_of(rnd, world.esa_a1)
    setv(report, "teacher_pd_hours", 12)
    for section in ("s1_management", "s2_academic", "s2_resources", "s3_results"):
        write(report, section, LONG_TEXT)

    result = report_check(report)

    missing = one(result, code="attendance_rate")
    assert (missing.kind, missing.severity, missing.commented, missing.evidence) == (
        "missing_prefill",
        "warning",
        True,
        {"value": None, "needs_comment": False, "problem_raised": False},
    )
    assert missing.message_th == "ระบบไม่มีข้อมูลอัตราการมาเรียนของเขตพื้นที่นี้ หากควรมีข้อมูล โปรดแจ้งปัญหาข้อมูล"
    assert result.can_submit


def test_narratives_too_short_or_empty_block(world: World) -> None:
    fw = make_framework(2569, indicator_codes=["teacher_pd_hours"])
    fw.sections.filter(code="s2_resources").update(required=False)
    rnd = round_of(fw, "m12")
    round_prefill(actor=SYSTEM, round=rnd)
    report = report_of(rnd, world.esa_a1)
    setv(report, "teacher_pd_hours", 12)
    write(report, "s1_management", LONG_TEXT)
    write(report, "s2_academic", "   สั้นไป   ")

    result = report_check(report)

    narratives = of(result, kind="narrative")
    assert [(i.severity, i.evidence) for i in narratives] == [
        ("blocking", {"section": "s2_academic", "chars": 6, "min_chars": 80}),
        ("blocking", {"section": "s3_results", "chars": 0, "min_chars": 80}),
    ]
    assert narratives[0].message_th == "“การบริหารงานวิชาการและการนิเทศ” สั้นเกินไป (6 จากอย่างน้อย 80 ตัวอักษร)"
    assert narratives[1].message_en == "“Results and lessons” is not written yet"
    assert not narratives[0].commented

    write(report, "s2_academic", LONG_TEXT)
    write(report, "s3_results", LONG_TEXT)
    assert report_check(report).can_submit


def test_issues_list_blocking_first_then_in_the_frameworks_order(world: World) -> None:
    fw = make_framework(2569)
    rnd = round_of(fw, "m12")
    round_prefill(actor=SYSTEM, round=rnd)
    result = report_check(report_of(rnd, world.esa_a1))
    severities = [i.severity for i in result.issues]
    assert severities == sorted(severities)  # "blocking" < "warning"
    # Warnings that need a comment come before the missing pre-filled values (which need none).
    assert [i.kind == "missing_prefill" for i in result.warnings] == [True] * 22
    report = report_of(rnd, world.esa_a1)
    setv(report, "sar_submission_rate", 250)  # standard 1: blocking (catalogue range)
    setv(report, "children_returned", 400)  # standard 3
    setv(report, "teacher_pd_hours", 150)  # standard 2: a warning needing a comment
    later = report_check(report)
    assert [
        (i.kind, i.indicator_code) for i in later.issues if i.kind not in ("narrative", "missing_prefill")
    ] == [
        ("required", "action_plan_completion"),
        ("range", "sar_submission_rate"),
        ("required", "stakeholder_satisfaction"),
        ("required", "supervision_coverage"),
        ("required_comment", "teacher_pd_hours"),
    ]
    assert [i.kind for i in later.warnings] == ["required_comment"] + ["missing_prefill"] * 22
    # supervision (by its rule), the five other reported values (framework), four narratives.
    assert len(result.blocking) == 1 + 5 + 4
    assert [i.indicator_code for i in result.blocking if i.kind == "required"] == [
        "action_plan_completion", "sar_submission_rate", "stakeholder_satisfaction",  # standard 1
        "supervision_coverage", "teacher_pd_hours",  # standard 2
        "children_returned",  # standard 3
    ]  # fmt: skip
    assert [i.evidence["section"] for i in result.blocking if i.kind == "narrative"] == [
        "s1_management", "s2_academic", "s2_resources", "s3_results",
    ]  # fmt: skip


# --- the round: board == checks, bounded queries ------------------------------------------------


def planted_round(world: World) -> Rounds:
    r = build_rounds(world)
    for rnd, hours in zip(r.past, [20, 22, 21, 23, 22], strict=True):
        setv(report_of(rnd, world.esa_a1), "teacher_pd_hours", hours)
    setv(report_of(r.other, world.esa_a1), "teacher_pd_hours", 90)  # a 6-month figure: not compared
    for esa, hours in zip([world.esa_b1, *r.peers], [20, 21, 22, 23, 24, 25], strict=True):
        report = report_of(r.current, esa)
        setv(report, "teacher_pd_hours", hours)
        setv(report, "supervision_coverage", 90)
    a1 = report_of(r.current, world.esa_a1)
    setv(a1, "teacher_pd_hours", 40, comment="อบรมเพิ่ม")
    setv(a1, "children_returned", 10)
    write(a1, "s1_management", LONG_TEXT)
    return r


def test_the_board_agrees_with_every_reports_check(world: World) -> None:
    r = planted_round(world)

    results = round_quality_results(r.current)
    board = round_quality_board(r.current)

    reports = list(Report.objects.filter(round=r.current).select_related("round__framework"))
    assert len(results) == len(reports) == 8
    for report in reports:
        check = report_check(report)
        assert results[report.pk].issues == check.issues
        row = board[report.esa_id]
        assert (row.report_id, row.blocking, row.warnings, row.uncommented, row.can_submit) == (
            report.pk,
            len(check.blocking),
            len(check.warnings),
            len(check.uncommented_warnings),
            check.can_submit,
        )
    a1 = board[world.esa_a1.pk]
    assert (a1.by_kind["outlier_history"], a1.by_kind["outlier_peers"], a1.by_kind["change_33"]) == (1, 1, 1)
    # Scoped: only the ESAs asked for are judged; peers are still the whole round.
    only = round_quality_board(r.current, esa_ids=[world.esa_a1.pk])
    assert list(only) == [world.esa_a1.pk]
    assert only[world.esa_a1.pk] == a1


def test_checks_run_a_bounded_number_of_queries(world: World) -> None:
    r = planted_round(world)
    report = report_of(r.current, world.esa_a1)
    with CaptureQueriesContext(connection) as one_report:
        report_check(report)
    assert len(one_report) <= 10
    with CaptureQueriesContext(connection) as small:
        round_quality_board(r.current)
    more = extra_primary_esas(world, n=6, start=10)
    round_prefill(actor=SYSTEM, round=r.current, esa_ids=[e.pk for e in more])
    assert Report.objects.filter(round=r.current).count() == 14
    with CaptureQueriesContext(connection) as large:
        board = round_quality_board(r.current)
    assert len(board) == 14
    assert len(large) == len(small) <= 10


def test_period_keys_order_every_kind_of_period() -> None:
    assert period_key("2569/m6", "round") == (on("2026-03-31").toordinal(), "2569/m6")
    assert period_key("2568", "year") == (on("2026-03-31").toordinal(), "2568")
    assert period_key("2569/jun10", "census") == (on("2026-06-10").toordinal(), "2569/jun10")
    assert period_key("2569", "fiscal_year") == (on("2026-09-30").toordinal(), "2569")
    assert period_key("junk", "year") is None
    assert period_key("2569/mx", "round") is None


# --- completeness and timeliness ------------------------------------------------------------------


def at(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day}T20:00:00"))


def test_round_completeness_and_timeliness(world: World) -> None:
    fw = make_framework(2569)
    rnd = round_of(fw, "m12")  # due 30 Nov 2026
    round_prefill(actor=SYSTEM, round=rnd)
    late_esa = make_esa(
        "15009", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาทดสอบ เขต 9", world.region_2, "primary", "50", 9
    )
    Report.objects.filter(round=rnd, esa=world.esa_a1).update(
        status=ReportStatus.APPROVED, submitted_at=at("2026-11-30")
    )
    Report.objects.filter(round=rnd, esa=world.esa_b1).update(
        status=ReportStatus.SUBMITTED, submitted_at=at("2026-12-03")
    )
    a1 = Report.objects.get(round=rnd, esa=world.esa_a1)
    write(a1, "s1_management", LONG_TEXT)

    c = round_completeness(rnd, today=on("2026-12-05"))

    rows = {row["esa_code"]: row for row in c["rows"]}
    assert list(rows) == ["11201", "15001", "15009", "21201"]
    assert (rows["11201"]["status"], rows["11201"]["received"], rows["11201"]["on_time"]) == (
        "approved",
        True,
        True,
    )
    assert (rows["15001"]["on_time"], rows["15001"]["days_late"], rows["15001"]["flags"]) == (
        False,
        3,
        ["late", "incomplete"],
    )
    assert (rows["15009"]["has_report"], rows["15009"]["status"], rows["15009"]["flags"]) == (
        False,
        "missing",
        ["missing"],
    )
    assert (rows["21201"]["status"], rows["21201"]["on_time"], rows["21201"]["flags"][0]) == (
        "draft",
        False,
        "not_submitted",
    )
    assert rows["11201"]["region_code"] == "R01"
    # a1: 28 values of which none reported and pre-fills missing, 1 of 4 narratives written.
    assert (rows["11201"]["items"], rows["11201"]["items_filled"]) == (32, 1)
    totals = c["totals"]
    assert (totals["expected"], totals["received"], totals["on_time"], totals["late"], totals["missing"]) == (
        4,
        2,
        1,
        1,
        2,
    )
    assert totals["completeness"]["rate"] == 0.5
    assert totals["completeness"]["flagged"] is True
    assert totals["timeliness"]["rate"] == 0.25
    assert totals["flags"] == ["completeness_below_target", "completeness_flagged", "timeliness_below_target"]
    assert c["round"]["phase"] == "overdue"
    assert c["thresholds"] == {
        "completeness_target": 0.95,
        "completeness_flag": 0.9,
        "timeliness_target": 0.9,
    }
    assert late_esa.pk in {row["esa_id"] for row in c["rows"]}

    # Before the due date an outstanding report is not late yet; scoped rows give scoped totals.
    early = round_completeness(rnd, today=on("2026-11-01"), esa_ids=[world.esa_a2.pk, world.esa_a1.pk])
    assert [r["esa_code"] for r in early["rows"]] == ["11201", "21201"]
    assert early["rows"][1]["on_time"] is None
    assert (early["totals"]["expected"], early["totals"]["received"], early["totals"]["on_time"]) == (2, 1, 1)
    assert early["totals"]["timeliness"]["rate"] == 0.5


def test_completeness_of_a_round_with_no_esa(world: World) -> None:
    fw = make_framework(2569)
    rnd = round_of(fw, "m12")
    c = round_completeness(rnd, esa_ids=[])
    assert c["rows"] == []
    assert c["totals"]["completeness"]["rate"] is None
    assert c["totals"]["flags"] == []
