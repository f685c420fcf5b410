"""Filling a report: strict values, narratives, optimistic locking, edit time and data problems."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from suksa.core.dates import fiscal_year_be_of
from suksa.core.errors import Conflict, InvalidInput, NotFoundOrNoAccess, PermissionDenied
from suksa.core.models import AuditEntry
from suksa.core.policy import SYSTEM, Actor
from suksa.domains.accounts.actors import actor_for
from suksa.domains.monitoring.models import (
    DataProblem,
    Indicator,
    NarrativeEntry,
    Report,
    ReportEditTime,
    ReportValue,
    Round,
)
from suksa.domains.monitoring.models.choices import ProblemStatus, ReportStatus
from suksa.domains.monitoring.selectors_reports import editor_data, format_number, problems_list
from suksa.domains.monitoring.services.prefill import round_prefill
from suksa.domains.monitoring.services.reports import (
    narrative_save,
    parse_value,
    problem_raise,
    problem_resolve,
    report_touch,
    value_save,
)
from suksa.domains.monitoring.tests.factories import make_framework, put_value, round_of
from tests.factories import World

pytestmark = pytest.mark.django_db


def current_fy() -> int:
    """The fiscal year of today: its 12-month round locks after today, whenever the tests run."""
    return fiscal_year_be_of(timezone.localdate())


def prefilled_report(world: World) -> Report:
    fw = make_framework(current_fy(), months=(12,))
    rnd = round_of(fw, "m12")
    put_value(world.esa_a1, "dropout_rate", str(current_fy() - 1), 0.0187)
    round_prefill(actor=SYSTEM, round=rnd)
    return Report.objects.select_related("round__framework", "esa").get(round=rnd, esa=world.esa_a1)


def who(world: World, name: str) -> Actor:
    return actor_for(world.user(name))


def value_of(report: Report, code: str) -> ReportValue:
    return ReportValue.objects.select_related("indicator").get(report=report, indicator__code=code)


def version(report: Report) -> int:
    return Report.objects.values_list("lock_version", flat=True).get(pk=report.pk)


def audits() -> int:
    return AuditEntry.objects.count()


def ind(code: str) -> Indicator:
    return Indicator.objects.get(code=code, is_current=True)


# --- parsing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "raw", "expected"),
    [
        ("supervision_coverage", "12.5", 12.5),
        ("supervision_coverage", " 12.5 % ", 12.5),
        ("supervision_coverage", "85%", 85.0),
        ("supervision_coverage", "ร้อยละ 85", 85.0),
        ("supervision_coverage", "๑๒.๕", 12.5),
        ("supervision_coverage", "", None),
        ("supervision_coverage", "   ", None),
        ("supervision_coverage", ".5", 0.5),
        ("children_returned", "1,234", 1234.0),
        ("children_returned", "1,234 คน", 1234.0),
        ("children_returned", "12.0", 12.0),
        ("children_returned", "๑,๒๓๔", 1234.0),
        ("teacher_pd_hours", "24 ชั่วโมง", 24.0),
        ("teacher_pd_hours", "24h", 24.0),
    ],
)
def test_values_people_type_are_read(world: World, code: str, raw: str, expected: float | None) -> None:
    assert parse_value(ind(code), raw) == expected


@pytest.mark.parametrize(
    ("code", "raw", "error", "th", "en"),
    [
        ("supervision_coverage", "12 คน", "wrong_unit",
         "หน่วยไม่ถูกต้อง: ตัวชี้วัดนี้ใช้หน่วยร้อยละ ไม่ใช่ “คน”", "Wrong unit: this indicator is in percent, not “คน”"),
        ("teacher_pd_hours", "24%", "wrong_unit",
         "หน่วยไม่ถูกต้อง: ตัวชี้วัดนี้ใช้หน่วยชั่วโมง ไม่ใช่ “%”", "Wrong unit: this indicator is in hours, not “%”"),
        ("supervision_coverage", "ประมาณครึ่งหนึ่ง", "not_a_number",
         "“ประมาณครึ่งหนึ่ง” ไม่ใช่ตัวเลข กรอกเป็นตัวเลข เช่น 12.5 หรือ 1,234",
         "“ประมาณครึ่งหนึ่ง” is not a number: enter a number such as 12.5 or 1,234"),
        ("supervision_coverage", "12,5", "not_a_number",
         "“12,5” ไม่ใช่ตัวเลข กรอกเป็นตัวเลข เช่น 12.5 หรือ 1,234",
         "“12,5” is not a number: enter a number such as 12.5 or 1,234"),
        ("supervision_coverage", "12 abc", "not_a_number",
         "“12 abc” ไม่ใช่ตัวเลข กรอกเป็นตัวเลข เช่น 12.5 หรือ 1,234",
         "“12 abc” is not a number: enter a number such as 12.5 or 1,234"),
        ("supervision_coverage", "nan", "not_a_number",
         "“nan” ไม่ใช่ตัวเลข กรอกเป็นตัวเลข เช่น 12.5 หรือ 1,234",
         "“nan” is not a number: enter a number such as 12.5 or 1,234"),
        ("children_returned", "12.5", "not_integer",
         "ตัวชี้วัดนี้ต้องเป็นจำนวนเต็ม (ไม่มีทศนิยม)", "This indicator takes a whole number (no decimals)"),
        ("supervision_coverage", "150", "out_of_range", "ค่าต้องอยู่ระหว่าง 0 ถึง 100", "Must be between 0 and 100"),
        ("children_returned", "25,000", "out_of_range",
         "ค่าต้องอยู่ระหว่าง 0 ถึง 20,000", "Must be between 0 and 20,000"),
        ("teacher_pd_hours", "-1", "out_of_range", "ค่าต้องอยู่ระหว่าง 0 ถึง 500", "Must be between 0 and 500"),
    ],
)  # fmt: skip
def test_wrong_types_and_units_are_refused_with_exact_messages(
    world: World, code: str, raw: str, error: str, th: str, en: str
) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_value(ind(code), raw)
    [problem] = exc.value.problems
    assert (problem.code, problem.th, problem.en, problem.field) == (error, th, en, code)


def test_numbers_are_shown_as_typed() -> None:
    assert format_number(12.5) == "12.5"
    assert format_number(1234.0) == "1234"
    assert format_number(1234.0, grouping=True) == "1,234"
    assert format_number(1.87) == "1.87"
    assert format_number(None) == ""


# --- values ----------------------------------------------------------------------------------------


def test_an_officer_saves_a_reported_value_with_its_comment(world: World) -> None:
    report = prefilled_report(world)
    v0 = version(report)

    _row, new_version = value_save(
        actor=who(world, "esa_officer_a1"), report_id=report.pk, indicator_code="supervision_coverage",
        raw="45.5 %", comment="ศึกษานิเทศก์ลาออก 2 คน", expected_version=v0,
    )  # fmt: skip

    assert new_version == v0 + 1 == version(report)
    saved = value_of(report, "supervision_coverage")
    assert (saved.value, saved.comment, saved.updated_by) == (45.5, "ศึกษานิเทศก์ลาออก 2 คน", "esa_officer_a1")
    entry = AuditEntry.objects.get(object_type="monitoring.reportvalue", object_id=str(saved.pk))
    assert entry.changes["value"] == [None, 45.5]
    assert entry.changes["comment"] == ["", "ศึกษานิเทศก์ลาออก 2 คน"]
    assert entry.changes["lock_version"] == [v0, v0 + 1]
    assert entry.unit_path == world.esa_a1.path
    time = ReportEditTime.objects.get(report=report, user=world.user("esa_officer_a1"))
    assert (time.saves, time.seconds) == (1, 0)


def test_saving_the_same_value_again_changes_nothing(world: World) -> None:
    report = prefilled_report(world)
    officer = who(world, "esa_officer_a1")
    _, v1 = value_save(actor=officer, report_id=report.pk, indicator_code="teacher_pd_hours", raw="24",
                       comment=None, expected_version=version(report))  # fmt: skip
    before = audits()
    _, v2 = value_save(actor=officer, report_id=report.pk, indicator_code="teacher_pd_hours", raw="24.0",
                       comment=None, expected_version=v1)  # fmt: skip
    assert v2 == v1 == version(report)
    assert audits() == before


def test_an_empty_entry_clears_and_a_comment_may_be_saved_alone(world: World) -> None:
    report = prefilled_report(world)
    officer = who(world, "esa_officer_a1")
    _, v = value_save(actor=officer, report_id=report.pk, indicator_code="teacher_pd_hours", raw="24",
                      comment="", expected_version=version(report))  # fmt: skip
    _, v = value_save(actor=officer, report_id=report.pk, indicator_code="teacher_pd_hours", raw=None,
                      comment="รวมการอบรมออนไลน์", expected_version=v)  # fmt: skip
    assert (value_of(report, "teacher_pd_hours").value, value_of(report, "teacher_pd_hours").comment) == (
        24.0,
        "รวมการอบรมออนไลน์",
    )
    value_save(actor=officer, report_id=report.pk, indicator_code="teacher_pd_hours", raw="", comment=None,
               expected_version=v)  # fmt: skip
    assert value_of(report, "teacher_pd_hours").value is None


def test_a_bad_value_writes_nothing(world: World) -> None:
    report = prefilled_report(world)
    v0, before = version(report), audits()
    with pytest.raises(InvalidInput) as exc:
        value_save(actor=who(world, "esa_officer_a1"), report_id=report.pk, indicator_code="children_returned",
                   raw="12.5", comment="ใหม่", expected_version=v0)  # fmt: skip
    assert exc.value.problems[0].code == "not_integer"
    row = value_of(report, "children_returned")
    assert (row.value, row.comment) == (None, "")
    assert (version(report), audits()) == (v0, before)


def test_a_prefilled_value_is_never_overwritten_but_takes_a_comment(world: World) -> None:
    report = prefilled_report(world)
    officer = who(world, "esa_officer_a1")
    v0, before = version(report), audits()
    with pytest.raises(InvalidInput) as exc:
        value_save(actor=officer, report_id=report.pk, indicator_code="dropout_rate", raw="1.5", comment=None,
                   expected_version=v0)  # fmt: skip
    [p] = exc.value.problems
    assert (p.code, p.field) == ("prefilled_value", "dropout_rate")
    assert p.th == ("ค่านี้เติมจากข้อมูลในระบบ จึงแก้ไขในรายงานไม่ได้ หากเห็นว่าไม่ถูกต้อง โปรดใช้ “แจ้งปัญหาข้อมูล”")
    assert p.en == (
        "This value is pre-filled from the platform's data and cannot be overwritten here; "
        "if you think it is wrong, use “Report a data problem”"
    )
    assert value_of(report, "dropout_rate").value == 1.87
    assert (version(report), audits()) == (v0, before)

    _, v1 = value_save(actor=officer, report_id=report.pk, indicator_code="dropout_rate", raw=None,
                       comment="อัตราลดลงเพราะโครงการติดตามเด็ก", expected_version=v0)  # fmt: skip
    assert v1 == v0 + 1
    row = value_of(report, "dropout_rate")
    assert (row.value, row.comment) == (1.87, "อัตราลดลงเพราะโครงการติดตามเด็ก")


def test_two_people_editing_the_second_is_told_and_nothing_is_lost(world: World) -> None:
    report = prefilled_report(world)
    read_by_both = version(report)
    officer, director = who(world, "esa_officer_a1"), who(world, "esa_director_a1")

    value_save(actor=officer, report_id=report.pk, indicator_code="teacher_pd_hours", raw="30", comment=None,
               expected_version=read_by_both)  # fmt: skip
    before = audits()
    with pytest.raises(Conflict) as exc:
        value_save(actor=director, report_id=report.pk, indicator_code="teacher_pd_hours", raw="12",
                   comment=None, expected_version=read_by_both)  # fmt: skip

    assert exc.value.current == read_by_both + 1
    assert exc.value.problems[0].code == "stale_report"
    assert value_of(report, "teacher_pd_hours").value == 30.0
    assert (version(report), audits()) == (read_by_both + 1, before)
    # The director re-reads and saves on top of the newer version.
    _, v = value_save(actor=director, report_id=report.pk, indicator_code="teacher_pd_hours", raw="12",
                      comment=None, expected_version=exc.value.current)  # fmt: skip
    assert (v, value_of(report, "teacher_pd_hours").value) == (read_by_both + 2, 12.0)


def test_after_the_lock_date_nothing_is_saved(world: World) -> None:
    report = prefilled_report(world)
    Round.objects.filter(pk=report.round_id).update(locks_on=timezone.localdate() - dt.timedelta(days=1))
    v0, before = version(report), audits()
    with pytest.raises(InvalidInput) as exc:
        value_save(actor=who(world, "esa_officer_a1"), report_id=report.pk, indicator_code="teacher_pd_hours",
                   raw="30", comment=None, expected_version=v0)  # fmt: skip
    assert exc.value.problems[0].code == "round_locked"
    assert exc.value.problems[0].en == (
        "The reporting round is locked: the report can no longer be edited or submitted"
    )
    assert value_of(report, "teacher_pd_hours").value is None
    assert (version(report), audits()) == (v0, before)


@pytest.mark.parametrize("status", [ReportStatus.SUBMITTED, ReportStatus.IN_REVIEW, ReportStatus.APPROVED])
def test_a_report_with_the_bureau_cannot_be_edited(world: World, status: str) -> None:
    report = prefilled_report(world)
    Report.objects.filter(pk=report.pk).update(status=status)
    with pytest.raises(InvalidInput) as exc:
        narrative_save(actor=who(world, "esa_officer_a1"), report_id=report.pk, section_code="s3_results",
                       text="ผลการดำเนินงาน", expected_version=version(report))  # fmt: skip
    assert exc.value.problems[0].code == "report_not_editable"
    assert NarrativeEntry.objects.get(report=report, section__code="s3_results").text == ""


def test_a_returned_report_is_editable_again(world: World) -> None:
    report = prefilled_report(world)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RETURNED)
    _, v = value_save(actor=who(world, "esa_director_a1"), report_id=report.pk,
                      indicator_code="teacher_pd_hours", raw="30", comment=None,
                      expected_version=version(report))  # fmt: skip
    assert v == version(report)


@pytest.mark.parametrize(("persona", "error"), [
    ("esa_officer_b1", NotFoundOrNoAccess), ("executive", PermissionDenied), ("inspector_r1", PermissionDenied),
    ("reviewer", NotFoundOrNoAccess), ("director_a1_1", NotFoundOrNoAccess), ("me_officer", PermissionDenied),
])  # fmt: skip
def test_only_the_esa_staff_write_their_report(world: World, persona: str, error: type[Exception]) -> None:
    report = prefilled_report(world)
    v0, before = version(report), audits()
    with pytest.raises(error):
        value_save(actor=who(world, persona), report_id=report.pk, indicator_code="teacher_pd_hours", raw="30",
                   comment=None, expected_version=v0)  # fmt: skip
    with pytest.raises(error):
        narrative_save(actor=who(world, persona), report_id=report.pk, section_code="s3_results", text="x",
                       expected_version=v0)  # fmt: skip
    assert value_of(report, "teacher_pd_hours").value is None
    assert (version(report), audits()) == (v0, before)


def test_an_unknown_indicator_is_not_found(world: World) -> None:
    report = prefilled_report(world)
    with pytest.raises(NotFoundOrNoAccess):
        value_save(actor=who(world, "esa_officer_a1"), report_id=report.pk, indicator_code="no_such",
                   raw="1", comment=None, expected_version=version(report))  # fmt: skip


# --- narratives ------------------------------------------------------------------------------------


def test_a_narrative_is_saved_cleaned_and_audited_without_its_text(world: World) -> None:
    report = prefilled_report(world)
    text = "สพท. จัดทำแผนพัฒนาการศึกษา\r\nและติดตามผลทุกไตรมาส\x00\x07 "
    entry, v = narrative_save(actor=who(world, "esa_officer_a1"), report_id=report.pk,
                              section_code="s1_management", text=text, expected_version=version(report))  # fmt: skip
    assert entry.text == "สพท. จัดทำแผนพัฒนาการศึกษา\nและติดตามผลทุกไตรมาส"
    assert v == version(report)
    audit_entry = AuditEntry.objects.get(object_type="monitoring.narrativeentry")
    assert audit_entry.changes["text_length"] == [0, len(entry.text)]
    assert "text" not in audit_entry.changes


def test_a_narrative_too_long_is_refused(world: World) -> None:
    report = prefilled_report(world)
    with pytest.raises(InvalidInput) as exc:
        narrative_save(actor=who(world, "esa_officer_a1"), report_id=report.pk, section_code="s1_management",
                       text="ก" * 20_001, expected_version=version(report))  # fmt: skip
    [p] = exc.value.problems
    assert (p.code, p.field) == ("narrative_too_long", "s1_management")
    assert p.th == "ข้อความยาวเกิน 20,000 ตัวอักษร (ขณะนี้ 20,001)"
    assert p.en == "The text is longer than 20,000 characters (20,001)"
    assert NarrativeEntry.objects.get(report=report, section__code="s1_management").text == ""


def test_an_unknown_section_is_not_found(world: World) -> None:
    report = prefilled_report(world)
    with pytest.raises(NotFoundOrNoAccess):
        narrative_save(actor=who(world, "esa_officer_a1"), report_id=report.pk, section_code="nope", text="x",
                       expected_version=version(report))  # fmt: skip


# --- edit time -------------------------------------------------------------------------------------


def test_heartbeats_add_clamped_seconds_without_a_version_or_an_audit(world: World) -> None:
    report = prefilled_report(world)
    officer = who(world, "esa_officer_a1")
    v0, before = version(report), audits()
    for seconds in (60, 500, -5, "abc", "45"):
        report_touch(actor=officer, report_id=report.pk, seconds=seconds)
    row = ReportEditTime.objects.get(report=report, user=world.user("esa_officer_a1"))
    assert (row.day, row.seconds, row.saves) == (timezone.localdate(), 60 + 120 + 0 + 0 + 45, 0)
    assert (version(report), audits()) == (v0, before)
    report_touch(actor=who(world, "esa_director_a1"), report_id=report.pk, seconds=30)
    assert ReportEditTime.objects.filter(report=report).count() == 2


def test_heartbeats_of_others_are_refused(world: World) -> None:
    report = prefilled_report(world)
    with pytest.raises(PermissionDenied):
        report_touch(actor=who(world, "executive"), report_id=report.pk, seconds=60)
    with pytest.raises(NotFoundOrNoAccess):
        report_touch(actor=who(world, "esa_officer_b1"), report_id=report.pk, seconds=60)
    assert not ReportEditTime.objects.exists()


# --- data problems -------------------------------------------------------------------------------


def test_an_esa_reports_a_problem_with_a_prefilled_value_and_the_bureau_resolves_it(world: World) -> None:
    report = prefilled_report(world)
    dropout = value_of(report, "dropout_rate")
    problem = problem_raise(actor=who(world, "esa_officer_a1"), report_id=report.pk, value_id=dropout.pk,
                            description="  อัตราออกกลางคันสูงเกินจริง นักเรียนย้ายไปต่างจังหวัด 40 คน  ")  # fmt: skip
    assert problem.status == ProblemStatus.OPEN
    assert problem.description == "อัตราออกกลางคันสูงเกินจริง นักเรียนย้ายไปต่างจังหวัด 40 คน"
    assert problem.raised_by == "esa_officer_a1"
    raised = AuditEntry.objects.get(object_type="monitoring.dataproblem", action="create")
    assert raised.changes["indicator"] == "dropout_rate"
    assert raised.changes["value"] == 1.87
    assert [p.pk for p in problems_list(who(world, "me_officer"), status="open")] == [problem.pk]
    assert [p.pk for p in problems_list(who(world, "esa_officer_a1"))] == [problem.pk]
    assert list(problems_list(who(world, "esa_officer_b1"))) == []
    # A second objection while the first is open is refused.
    with pytest.raises(InvalidInput) as exc:
        problem_raise(actor=who(world, "esa_director_a1"), report_id=report.pk, value_id=dropout.pk,
                      description="ค่าไม่ตรงกับข้อมูลของเขต")  # fmt: skip
    assert exc.value.problems[0].code == "problem_open"

    with pytest.raises(PermissionDenied):
        problem_resolve(actor=who(world, "esa_officer_a1"), problem_id=problem.pk, status="resolved",
                        resolution="แก้เอง")  # fmt: skip
    with pytest.raises(InvalidInput) as exc:
        problem_resolve(actor=who(world, "me_officer"), problem_id=problem.pk, status="open", resolution="")
    assert {p.field for p in exc.value.problems} == {"status", "resolution"}
    resolved = problem_resolve(actor=who(world, "me_officer"), problem_id=problem.pk, status="resolved",
                               resolution="แก้ไขข้อมูลการย้ายแล้ว จะคำนวณใหม่ในรอบถัดไป")  # fmt: skip
    assert (resolved.status, resolved.resolved_by) == (ProblemStatus.RESOLVED, "me_officer")
    closed = AuditEntry.objects.get(object_type="monitoring.dataproblem", action="update")
    assert closed.changes["status"] == ["open", "resolved"]
    with pytest.raises(InvalidInput) as exc:
        problem_resolve(actor=who(world, "me_officer"), problem_id=problem.pk, status="rejected",
                        resolution="ซ้ำ")  # fmt: skip
    assert exc.value.problems[0].code == "problem_closed"
    # The value itself was never touched.
    assert value_of(report, "dropout_rate").value == 1.87


def test_a_problem_needs_a_prefilled_value_and_a_real_description(world: World) -> None:
    report = prefilled_report(world)
    officer = who(world, "esa_officer_a1")
    with pytest.raises(InvalidInput) as exc:
        problem_raise(actor=officer, report_id=report.pk, value_id=value_of(report, "teacher_pd_hours").pk,
                      description="ค่าผิดพลาดจากระบบ กรุณาตรวจสอบ")  # fmt: skip
    assert exc.value.problems[0].code == "not_prefilled"
    with pytest.raises(InvalidInput) as exc:
        problem_raise(actor=officer, report_id=report.pk, value_id=value_of(report, "dropout_rate").pk,
                      description=" ผิด ")  # fmt: skip
    [p] = exc.value.problems
    assert (p.code, p.field) == ("description_too_short", "description")
    assert p.en == (
        "Describe the problem in at least 10 characters (what is wrong, what it should be, how you know)"
    )
    assert not DataProblem.objects.exists()


@pytest.mark.parametrize(("persona", "error"), [
    ("executive", PermissionDenied), ("esa_officer_b1", NotFoundOrNoAccess), ("me_officer", PermissionDenied),
])  # fmt: skip
def test_only_the_esa_raises_problems(world: World, persona: str, error: type[Exception]) -> None:
    report = prefilled_report(world)
    before = audits()
    with pytest.raises(error):
        problem_raise(actor=who(world, persona), report_id=report.pk,
                      value_id=value_of(report, "dropout_rate").pk, description="ค่าไม่ถูกต้องตามข้อมูลเขต")  # fmt: skip
    assert not DataProblem.objects.exists()
    assert audits() == before


def test_another_reports_value_is_not_found(world: World) -> None:
    report = prefilled_report(world)
    other = Report.objects.get(round=report.round, esa=world.esa_b1)
    with pytest.raises(NotFoundOrNoAccess):
        problem_raise(actor=who(world, "esa_officer_a1"), report_id=report.pk,
                      value_id=value_of(other, "dropout_rate").pk, description="ค่าไม่ถูกต้องตามข้อมูลเขต")  # fmt: skip


# --- the editor's data ---------------------------------------------------------------------------


def test_the_editor_data_groups_values_and_sections_by_standard_in_few_queries(
    world: World, django_assert_max_num_queries: object
) -> None:
    report = prefilled_report(world)
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        data = editor_data(report)
        codes = [g.standard.code if g.standard else None for g in data.groups]
        counts = [(len(g.values), len(g.sections)) for g in data.groups]
    assert codes == ["1", "2", "3"]
    assert sum(v for v, _ in counts) == 28
    assert sum(s for _, s in counts) == 4
    dropout = data.value("dropout_rate")
    assert dropout is not None
    assert dropout.is_prefilled
    assert not dropout.missing
    assert dropout.source["producer"] == "students.indicators"
    assert dropout.computed_at is not None
    attendance = data.value("attendance_rate")
    assert attendance is not None
    assert attendance.missing
    assert data.asked == 6
