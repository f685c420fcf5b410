"""The ESA report pages: the editor with autosave and its no-JavaScript fallback, data problems,
the Excel template, and who may see or change what."""

from __future__ import annotations

import importlib.util
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from suksa.core.models import AuditEntry
from suksa.domains.monitoring.models import DataProblem, NarrativeEntry, Report, ReportEditTime, ReportValue
from suksa.domains.monitoring.models.choices import ReportStatus
from suksa.domains.monitoring.services.reports import problem_raise, value_save
from suksa.domains.monitoring.services.workbook import SHEET_VALUES
from suksa.domains.monitoring.tests.test_reports import prefilled_report, value_of, version, who
from suksa.domains.monitoring.tests.test_workbook import fill
from tests.factories import World

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def client_for(world: World, name: str | None) -> Client:
    c = Client()
    if name is not None:
        c.force_login(world.user(name))
    return c


def url(name: str, *args: int) -> str:
    return reverse(f"web:{name}", args=args)


def state(report: Report) -> tuple[object, ...]:
    values = tuple(ReportValue.objects.filter(report=report).order_by("pk").values_list("value", "comment"))
    texts = tuple(NarrativeEntry.objects.filter(report=report).order_by("pk").values_list("text", flat=True))
    return values, texts, version(report), AuditEntry.objects.count(), DataProblem.objects.count()


# --- the list ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status", "codes"),
    [
        ("esa_officer_a1", 200, ["11201"]),
        ("esa_officer_b1", 200, ["15001"]),
        ("executive", 200, ["11201", "15001", "21201"]),
        ("inspector_r1", 200, ["11201", "21201"]),
        ("reviewer", 200, []),
        ("director_a1_1", 403, None),
    ],
)
def test_the_list_shows_the_reports_in_scope(
    world: World, persona: str, status: int, codes: list[str] | None
) -> None:
    report = prefilled_report(world)
    r = client_for(world, persona).get(url("monitoring_reports"), {"round": report.round_id})
    assert r.status_code == status
    if codes is not None:
        body = r.content.decode()
        for code in ("11201", "15001", "21201"):
            assert (f">{code}</a>" in body) == (code in codes), code


def test_anonymous_callers_are_sent_to_log_in(world: World) -> None:
    report = prefilled_report(world)
    c = client_for(world, None)
    for target in (url("monitoring_reports"), url("report_detail", report.pk), url("monitoring_problems"),
                   url("report_workbook", report.pk)):  # fmt: skip
        r = c.get(target)
        assert r.status_code == 302
        assert "/login" in r["Location"]
    before = state(report)
    r = c.post(url("report_value_save", report.pk), {"indicator_code": "teacher_pd_hours", "raw": "5",
                                                     "lock_version": version(report)})  # fmt: skip
    assert r.status_code == 302
    assert state(report) == before


# --- the report page --------------------------------------------------------------------------------


def test_the_esa_gets_the_editor_with_prefilled_values_read_only(world: World) -> None:
    report = prefilled_report(world)
    body = client_for(world, "esa_officer_a1").get(url("report_detail", report.pk)).content.decode()
    assert 'data-testid="value-form-supervision_coverage"' in body
    assert 'name="raw"' in body
    assert 'hx-post="' + url("report_value_save", report.pk) + '"' in body
    assert f'class="lv" value="{report.lock_version}"' in body
    # Pre-filled: value, period and source shown, no input, a data-problem link instead.
    assert 'data-testid="prefilled-dropout_rate"' in body
    assert "value-form-dropout_rate" not in body
    assert "1.87" in body
    assert "students.indicators" in body
    dropout = value_of(report, "dropout_rate")
    assert url("report_problem_new", report.pk, dropout.pk) in body
    assert "แจ้งปัญหาข้อมูล" in body
    assert "ไม่มีข้อมูล" in body  # attendance: the platform holds nothing for this ESA
    assert 'data-testid="heartbeat"' in body
    assert "every 60s" in body
    assert "htmx-config" in body
    assert "กำหนดส่ง" in body
    assert str(report.round.due_on.year + 543) in body
    assert 'name="text"' in body  # narratives


@pytest.mark.parametrize("persona", ["executive", "inspector_r1", "me_officer"])
def test_readers_get_the_report_without_forms(world: World, persona: str) -> None:
    report = prefilled_report(world)
    r = client_for(world, persona).get(url("report_detail", report.pk))
    body = r.content.decode()
    assert r.status_code == 200
    assert 'name="raw"' not in body
    assert 'name="text"' not in body
    assert "hx-post" not in body
    assert "1.87" in body


def test_a_reviewer_sees_only_the_reports_assigned_to_them(world: World) -> None:
    report = prefilled_report(world)
    c = client_for(world, "reviewer")
    assert c.get(url("report_detail", report.pk)).status_code == 404
    Report.objects.filter(pk=report.pk).update(reviewer=world.user("reviewer"))
    r = c.get(url("report_detail", report.pk))
    assert r.status_code == 200
    assert 'name="raw"' not in r.content.decode()


def test_another_esa_gets_not_found_everywhere(world: World) -> None:
    report = prefilled_report(world)
    c = client_for(world, "esa_officer_b1")
    dropout = value_of(report, "dropout_rate")
    before = state(report)
    for target in (url("report_detail", report.pk), url("report_workbook", report.pk),
                   url("report_workbook_import", report.pk), url("report_problem_new", report.pk, dropout.pk)):  # fmt: skip
        assert c.get(target).status_code == 404, target
    posts = [
        (url("report_value_save", report.pk), {"indicator_code": "teacher_pd_hours", "raw": "5"}),
        (url("report_narrative_save", report.pk), {"section_code": "s3_results", "text": "ข้อความ"}),
        (url("report_heartbeat", report.pk), {"seconds": "60"}),
        (url("report_problem_new", report.pk, dropout.pk), {"description": "ค่าไม่ถูกต้องตามข้อมูลเขต"}),
    ]
    for target, data in posts:
        assert c.post(target, {**data, "lock_version": version(report)}).status_code == 404, target
    assert "นนทบุรี" not in c.get(url("report_detail", report.pk)).content.decode()
    assert state(report) == before
    assert not ReportEditTime.objects.exists()


def test_readers_cannot_write(world: World) -> None:
    report = prefilled_report(world)
    c = client_for(world, "executive")
    dropout = value_of(report, "dropout_rate")
    before = state(report)
    assert c.post(url("report_value_save", report.pk), {"indicator_code": "teacher_pd_hours", "raw": "5",
                                                        "lock_version": version(report)}).status_code == 403  # fmt: skip
    assert c.post(url("report_narrative_save", report.pk), {"section_code": "s3_results", "text": "x",
                                                            "lock_version": version(report)}).status_code == 403  # fmt: skip
    assert c.post(url("report_heartbeat", report.pk), {"seconds": "60"}).status_code == 403
    assert c.get(url("report_problem_new", report.pk, dropout.pk)).status_code == 403
    assert c.post(url("report_problem_new", report.pk, dropout.pk),
                  {"description": "ค่าไม่ถูกต้องตามข้อมูลเขต"}).status_code == 403  # fmt: skip
    assert c.get(url("report_workbook_import", report.pk)).status_code == 403
    assert state(report) == before


# --- autosave (HTMX) --------------------------------------------------------------------------------


def test_autosave_answers_a_small_status_fragment_with_the_new_version(world: World) -> None:
    report = prefilled_report(world)
    v0 = version(report)
    r = client_for(world, "esa_officer_a1").post(
        url("report_value_save", report.pk),
        {"indicator_code": "supervision_coverage", "raw": "64.5", "comment": "", "lock_version": v0},
        headers=HTMX,
    )
    body = r.content.decode()
    assert r.status_code == 200
    assert "บันทึกแล้ว" in body
    assert f'class="lv" value="{v0 + 1}" hx-swap-oob="outerHTML:.lv"' in body
    assert len(r.content) < 500  # a few hundred bytes on a slow connection
    assert r["HX-Trigger"] == "report-saved"  # the quality panel refreshes itself
    assert value_of(report, "supervision_coverage").value == 64.5
    # The same entry again (the change event after typing): saved already, nothing new.
    r = client_for(world, "esa_officer_a1").post(
        url("report_value_save", report.pk),
        {"indicator_code": "supervision_coverage", "raw": "64.5", "comment": "", "lock_version": v0 + 1},
        headers=HTMX,
    )
    assert r.status_code == 200
    assert "HX-Trigger" not in r
    assert version(report) == v0 + 1


def test_autosave_of_a_bad_value_answers_the_message_and_saves_nothing(world: World) -> None:
    report = prefilled_report(world)
    before = state(report)
    r = client_for(world, "esa_officer_a1").post(
        url("report_value_save", report.pk),
        {"indicator_code": "supervision_coverage", "raw": "12 คน", "lock_version": version(report)},
        headers=HTMX,
    )
    assert r.status_code == 400
    assert "หน่วยไม่ถูกต้อง: ตัวชี้วัดนี้ใช้หน่วยร้อยละ ไม่ใช่ “คน”" in r.content.decode()
    assert state(report) == before


def test_autosave_after_someone_else_saved_shows_the_newer_content(world: World) -> None:
    report = prefilled_report(world)
    opened = version(report)
    value_save(actor=who(world, "esa_director_a1"), report_id=report.pk, indicator_code="teacher_pd_hours",
               raw="36", comment="รวมอบรมออนไลน์", expected_version=opened)  # fmt: skip
    before = state(report)
    r = client_for(world, "esa_officer_a1").post(
        url("report_value_save", report.pk),
        {"indicator_code": "teacher_pd_hours", "raw": "12", "lock_version": opened},
        headers=HTMX,
    )
    body = r.content.decode()
    assert r.status_code == 409
    assert 'data-testid="save-conflict"' in body
    assert "36" in body
    assert "รวมอบรมออนไลน์" in body
    assert "esa_director_a1" in body
    assert url("report_detail", report.pk) in body
    assert "hx-swap-oob" not in body  # the page keeps its old version: no silent overwrite next
    assert state(report) == before


def test_a_narrative_autosaves_and_a_conflict_shows_the_newer_text(world: World) -> None:
    report = prefilled_report(world)
    c = client_for(world, "esa_officer_a1")
    v0 = version(report)
    r = c.post(url("report_narrative_save", report.pk),
               {"section_code": "s3_results", "text": "ผลสัมฤทธิ์ดีขึ้นทุกกลุ่มสาระ", "lock_version": v0}, headers=HTMX)  # fmt: skip
    assert r.status_code == 200
    assert f'value="{v0 + 1}"' in r.content.decode()
    r = c.post(url("report_narrative_save", report.pk),
               {"section_code": "s3_results", "text": "ข้อความจากแท็บเก่า", "lock_version": v0}, headers=HTMX)  # fmt: skip
    assert r.status_code == 409
    assert "ผลสัมฤทธิ์ดีขึ้นทุกกลุ่มสาระ" in r.content.decode()
    assert NarrativeEntry.objects.get(report=report, section__code="s3_results").text == "ผลสัมฤทธิ์ดีขึ้นทุกกลุ่มสาระ"


def test_a_save_without_the_version_is_refused(world: World) -> None:
    report = prefilled_report(world)
    before = state(report)
    r = client_for(world, "esa_officer_a1").post(
        url("report_value_save", report.pk), {"indicator_code": "teacher_pd_hours", "raw": "5"}, headers=HTMX
    )
    assert r.status_code == 400
    assert state(report) == before


# --- without JavaScript -----------------------------------------------------------------------------


def test_a_plain_form_post_saves_and_returns_to_the_field(world: World) -> None:
    report = prefilled_report(world)
    c = client_for(world, "esa_officer_a1")
    r = c.post(url("report_value_save", report.pk),
               {"indicator_code": "children_returned", "raw": "1,234", "comment": "ติดตามร่วมกับ อปท.",
                "lock_version": version(report)})  # fmt: skip
    assert r.status_code == 302
    assert r["Location"] == url("report_detail", report.pk) + "#v-children_returned"
    assert value_of(report, "children_returned").value == 1234.0
    r = c.post(url("report_narrative_save", report.pk),
               {"section_code": "s1_management", "text": "แผนพัฒนาการศึกษา", "lock_version": version(report)})  # fmt: skip
    assert r.status_code == 302
    assert r["Location"].endswith("#n-s1_management")
    page = c.get(url("report_detail", report.pk)).content.decode()
    assert "บันทึก" in page
    assert 'value="1234"' in page
    assert "แผนพัฒนาการศึกษา" in page


def test_a_plain_form_post_with_a_bad_value_keeps_what_was_typed(world: World) -> None:
    report = prefilled_report(world)
    before = state(report)
    r = client_for(world, "esa_officer_a1").post(
        url("report_value_save", report.pk),
        {"indicator_code": "children_returned", "raw": "12.5", "comment": "ข้อความที่พิมพ์ไว้",
         "lock_version": version(report)},
    )  # fmt: skip
    body = r.content.decode()
    assert r.status_code == 400
    assert "ตัวชี้วัดนี้ต้องเป็นจำนวนเต็ม (ไม่มีทศนิยม)" in body
    assert 'value="12.5"' in body
    assert 'value="ข้อความที่พิมพ์ไว้"' in body
    assert state(report) == before


def test_a_plain_form_post_after_someone_saved_keeps_the_typed_text(world: World) -> None:
    report = prefilled_report(world)
    opened = version(report)
    value_save(actor=who(world, "esa_director_a1"), report_id=report.pk, indicator_code="teacher_pd_hours",
               raw="36", comment=None, expected_version=opened)  # fmt: skip
    before = state(report)
    r = client_for(world, "esa_officer_a1").post(
        url("report_narrative_save", report.pk),
        {"section_code": "s2_academic", "text": "ข้อความยาวที่พิมพ์ไว้นาน", "lock_version": opened},
    )
    body = r.content.decode()
    assert r.status_code == 409
    assert "ข้อความยาวที่พิมพ์ไว้นาน" in body
    assert "มีผู้อื่นบันทึกรายงานนี้หลังจากที่คุณเปิด" in body
    assert f'class="lv" value="{opened + 1}"' in body  # the page is re-read at the newer version
    assert state(report) == before


def test_after_submission_the_page_is_read_only_and_saves_are_refused(world: World) -> None:
    report = prefilled_report(world)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    c = client_for(world, "esa_officer_a1")
    body = c.get(url("report_detail", report.pk)).content.decode()
    assert 'name="raw"' not in body
    assert 'data-testid="read-only-reason"' in body
    before = state(report)
    r = c.post(url("report_value_save", report.pk),
               {"indicator_code": "teacher_pd_hours", "raw": "5", "lock_version": version(report)}, headers=HTMX)  # fmt: skip
    assert r.status_code == 400
    assert "แก้ไขไม่ได้" in r.content.decode()
    assert state(report) == before


# --- heartbeat --------------------------------------------------------------------------------------


def test_the_heartbeat_counts_clamped_time(world: World) -> None:
    report = prefilled_report(world)
    c = client_for(world, "esa_officer_a1")
    v0 = version(report)
    assert c.post(url("report_heartbeat", report.pk), {"seconds": "60"}, headers=HTMX).status_code == 204
    assert c.post(url("report_heartbeat", report.pk), {"seconds": "9999"}, headers=HTMX).status_code == 204
    assert c.post(url("report_heartbeat", report.pk), {"seconds": "-3"}, headers=HTMX).status_code == 204
    row = ReportEditTime.objects.get(report=report, user=world.user("esa_officer_a1"))
    assert row.seconds == 180
    assert version(report) == v0


# --- data problems ----------------------------------------------------------------------------------


def test_report_a_data_problem_then_the_bureau_resolves_it(world: World) -> None:
    report = prefilled_report(world)
    dropout = value_of(report, "dropout_rate")
    c = client_for(world, "esa_officer_a1")
    form = c.get(url("report_problem_new", report.pk, dropout.pk))
    assert form.status_code == 200
    assert "1.87" in form.content.decode()
    assert "students.indicators" in form.content.decode()
    r = c.post(url("report_problem_new", report.pk, dropout.pk), {"description": "สั้น"})
    assert r.status_code == 400
    assert "อย่างน้อย 10 ตัวอักษร" in r.content.decode()
    assert not DataProblem.objects.exists()
    r = c.post(url("report_problem_new", report.pk, dropout.pk),
               {"description": "ตัวเลขรวมนักเรียนที่ย้ายออกนอกเขต 40 คน"})  # fmt: skip
    assert r.status_code == 302
    problem = DataProblem.objects.get()
    page = c.get(url("report_detail", report.pk)).content.decode()
    assert "แจ้งปัญหาแล้ว รอส่วนกลางตรวจสอบ" in page

    mine = c.get(url("monitoring_problems")).content.decode()
    assert "ตัวเลขรวมนักเรียนที่ย้ายออกนอกเขต" in mine
    assert f'data-testid="resolve-{problem.pk}"' not in mine
    assert c.post(url("monitoring_problems"), {"problem_id": problem.pk, "status": "resolved",
                                               "resolution": "แก้เอง"}).status_code == 403  # fmt: skip
    assert (
        client_for(world, "esa_officer_b1")
        .post(url("monitoring_problems"), {"problem_id": problem.pk, "status": "resolved", "resolution": "x"})
        .status_code
        == 404
    )
    bureau = client_for(world, "me_officer")
    listing = bureau.get(url("monitoring_problems")).content.decode()
    assert f'data-testid="resolve-{problem.pk}"' in listing
    r = bureau.post(
        url("monitoring_problems"), {"problem_id": problem.pk, "status": "resolved", "resolution": ""}
    )
    assert r.status_code == 400
    assert "โปรดบันทึกผลการดำเนินการหรือเหตุผล" in r.content.decode()
    r = bureau.post(url("monitoring_problems"),
                    {"problem_id": problem.pk, "status": "resolved", "resolution": "แก้ไขทะเบียนย้ายแล้ว"})  # fmt: skip
    assert r.status_code == 302
    problem.refresh_from_db()
    assert (problem.status, problem.resolved_by) == ("resolved", "me_officer")


def test_only_prefilled_values_have_a_problem_form(world: World) -> None:
    report = prefilled_report(world)
    asked = value_of(report, "teacher_pd_hours")
    assert (
        client_for(world, "esa_officer_a1").get(url("report_problem_new", report.pk, asked.pk)).status_code
        == 404
    )


def test_the_problem_list_is_not_for_schools(world: World) -> None:
    assert client_for(world, "director_a1_1").get(url("monitoring_problems")).status_code == 403


# --- the Excel template -----------------------------------------------------------------------------


def test_download_fill_and_import_the_template(world: World) -> None:
    report = prefilled_report(world)
    c = client_for(world, "esa_officer_a1")
    r = c.get(url("report_workbook", report.pk))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in r["Content-Disposition"]
    filled = fill(r.content, values={"teacher_pd_hours": 18, "sar_submission_rate": "97.5%"},
                  texts={"s2_academic": "นิเทศแบบกัลยาณมิตร"})  # fmt: skip
    upload = io.BytesIO(filled)
    upload.name = "filled.xlsx"
    r = c.post(url("report_workbook_import", report.pk), {"file": upload})
    assert r.status_code == 302
    assert value_of(report, "teacher_pd_hours").value == 18.0
    assert value_of(report, "sar_submission_rate").value == 97.5
    assert NarrativeEntry.objects.get(report=report, section__code="s2_academic").text == "นิเทศแบบกัลยาณมิตร"


def test_a_bad_template_lists_row_errors_and_saves_nothing(world: World) -> None:
    report = prefilled_report(world)
    c = client_for(world, "esa_officer_a1")
    data = c.get(url("report_workbook", report.pk)).content
    filled = fill(data, values={"teacher_pd_hours": "ยี่สิบ", "supervision_coverage": 80})
    ws = load_workbook(io.BytesIO(data))[SHEET_VALUES]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == "teacher_pd_hours")
    before = state(report)
    upload = io.BytesIO(filled)
    upload.name = "filled.xlsx"
    r = c.post(url("report_workbook_import", report.pk), {"file": upload})
    body = r.content.decode()
    assert r.status_code == 400
    assert f"<td>{SHEET_VALUES}!I</td><td>{row}</td><td>teacher_pd_hours</td>" in body
    assert "“ยี่สิบ” ไม่ใช่ตัวเลข" in body
    assert value_of(report, "supervision_coverage").value is None
    assert state(report)[:3] == before[:3]
    garbage = io.BytesIO(b"not a workbook")
    garbage.name = "notes.xlsx"
    r = c.post(url("report_workbook_import", report.pk), {"file": garbage})
    assert r.status_code == 400
    assert "ไฟล์นี้ไม่ใช่ไฟล์ Excel (.xlsx)" in r.content.decode()


def test_a_stale_template_is_refused_with_409(world: World) -> None:
    report = prefilled_report(world)
    c = client_for(world, "esa_officer_a1")
    data = c.get(url("report_workbook", report.pk)).content
    value_save(actor=who(world, "esa_director_a1"), report_id=report.pk, indicator_code="teacher_pd_hours",
               raw="36", comment=None, expected_version=version(report))  # fmt: skip
    upload = io.BytesIO(fill(data, values={"teacher_pd_hours": 10}))
    upload.name = "old.xlsx"
    r = c.post(url("report_workbook_import", report.pk), {"file": upload})
    assert r.status_code == 409
    assert "โปรดดาวน์โหลดแบบฟอร์มใหม่" in r.content.decode()
    assert value_of(report, "teacher_pd_hours").value == 36.0


# --- the editor's cost ------------------------------------------------------------------------------


def test_the_editor_page_runs_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: object
) -> None:
    report = prefilled_report(world)
    problem_raise(actor=who(world, "esa_officer_a1"), report_id=report.pk,
                  value_id=value_of(report, "dropout_rate").pk, description="ค่าไม่ถูกต้องตามข้อมูลเขต")  # fmt: skip
    c = client_for(world, "esa_officer_a1")
    c.get(url("report_detail", report.pk))  # warm the session and caches
    quality = importlib.util.find_spec("suksa.domains.monitoring.services.quality") is not None
    with django_assert_max_num_queries(24 if quality else 12):  # type: ignore[operator]
        r = c.get(url("report_detail", report.pk))
    assert r.status_code == 200
