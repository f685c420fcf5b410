"""Works and evidence pages of a report: who sees and who changes them, re-ranking, the 6th work,
optimistic-lock conflicts that keep the typed text, uploads checked by content and downloads."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from suksa.core.models import AuditEntry
from suksa.domains.accounts.actors import actor_for
from suksa.domains.monitoring.models import EvidenceFile, OutstandingWork, Report
from suksa.domains.monitoring.models.choices import ReportStatus
from suksa.domains.monitoring.services import evidence as evidence_svc
from suksa.domains.monitoring.services import works as works_svc
from suksa.domains.monitoring.tests.factories import make_report
from suksa.domains.monitoring.tests.test_evidence import image_bytes, open_round, pdf_bytes, stored_files
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def report(world: World) -> Report:
    return make_report(open_round(), world.esa_a1)


def client_for(world: World, name: str | None) -> Client:
    c = Client()
    if name is not None:
        c.force_login(world.user(name))
    return c


def works_url(report: Report) -> str:
    return reverse("web:report_works", args=[report.pk])


def evidence_url(report: Report) -> str:
    return reverse("web:report_evidence", args=[report.pk])


def version(report: Report) -> int:
    report.refresh_from_db()
    return report.lock_version


def add_work(world: World, report: Report, title: str) -> OutstandingWork:
    work, _ = works_svc.work_save(
        actor=actor_for(world.user("esa_officer_a1")), report_id=report.pk, work_id=None, title=title,
        description=f"คำอธิบาย{title}", expected_version=version(report),
    )  # fmt: skip
    return work


def work_post(title: str, lock_version: int, **extra: Any) -> dict[str, Any]:
    return {
        "action": "add", "lock_version": lock_version, "new-title": title, "new-description": "อธิบายผลงาน",
        "new-practices": "", "new-results_claimed": "", "new-standard_code": "3",
        "new-indicator_codes": ["dropout_rate"], **extra,
    }  # fmt: skip


# --- who sees what -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status", "editable"),
    [
        ("esa_officer_a1", 200, True),
        ("esa_director_a1", 200, True),
        ("executive", 200, False),
        ("inspector_r1", 200, False),
        ("me_officer", 200, False),
        ("esa_officer_b1", 404, False),
        ("reviewer", 404, False),
        ("director_a1_1", 404, False),
        ("nobody", 404, False),
    ],
)
def test_works_and_evidence_pages_matrix(
    world: World, report: Report, persona: str, status: int, editable: bool
) -> None:
    add_work(world, report, "ห้องสมุดมีชีวิต")
    c = client_for(world, persona)
    for url in (works_url(report), evidence_url(report)):
        response = c.get(url)
        assert response.status_code == status, url
        if status == 200:
            page = response.content.decode()
            assert ("lock_version" in page) is editable
            assert ('data-testid="read-only"' in page) is not editable
    if status == 200:
        page = c.get(works_url(report)).content.decode()
        assert "ห้องสมุดมีชีวิต" in page
        assert ('data-testid="work-add-form"' in page) is editable


def test_the_assigned_reviewer_reads_the_works_with_their_verification(world: World, report: Report) -> None:
    work = add_work(world, report, "ลดการออกกลางคัน")
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED, reviewer=world.user("reviewer"))
    works_svc.work_verify(
        actor=actor_for(world.user("reviewer")), work_id=work.pk, verification="partly", note="ขาดภาพกิจกรรม"
    )
    for persona in ("reviewer", "esa_officer_a1", "executive"):
        page = client_for(world, persona).get(works_url(report)).content.decode()
        assert "ยืนยันบางส่วน" in page
        assert "ขาดภาพกิจกรรม" in page
        assert 'data-testid="work-add-form"' not in page  # submitted: read-only for everyone


def test_anonymous_visitors_are_sent_to_sign_in(world: World, report: Report) -> None:
    c = Client()
    for url in (works_url(report), evidence_url(report)):
        assert c.get(url).status_code == 302
        response = c.post(url, work_post("x", 0))
        assert response.status_code == 302
        assert "login" in response["Location"]
    assert not OutstandingWork.objects.exists()


# --- changing works ------------------------------------------------------------------------------


def test_an_officer_adds_a_work_and_the_page_shows_it_ranked(world: World, report: Report) -> None:
    c = client_for(world, "esa_officer_a1")
    response = c.post(works_url(report), work_post("โรงเรียนคุณภาพชุมชน", 0))
    work = OutstandingWork.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{works_url(report)}#work-{work.pk}"
    assert (work.rank, work.title, work.standard_id is not None, work.indicator_codes) == (
        1, "โรงเรียนคุณภาพชุมชน", True, ["dropout_rate"],
    )  # fmt: skip
    assert version(report) == 1
    page = c.get(works_url(report)).content.decode()
    assert 'data-testid="work-1"' in page
    assert 'name="lock_version" value="1"' in page


@pytest.mark.parametrize(
    ("persona", "status"), [("executive", 403), ("inspector_r1", 403), ("esa_officer_b1", 404)]
)
def test_others_cannot_change_works_or_evidence(
    world: World, report: Report, persona: str, status: int
) -> None:
    work = add_work(world, report, "ผลงาน")
    c = client_for(world, persona)
    assert c.post(works_url(report), work_post("อื่น", 1)).status_code == status
    assert (
        c.post(works_url(report), {"action": "delete", "work_id": work.pk, "lock_version": 1}).status_code
        == status
    )
    upload = SimpleUploadedFile("a.pdf", pdf_bytes())
    assert (
        c.post(evidence_url(report), {"action": "upload", "file": upload, "lock_version": 1}).status_code
        == status
    )
    assert list(OutstandingWork.objects.values_list("title", flat=True)) == ["ผลงาน"]
    assert not EvidenceFile.objects.exists()
    assert version(report) == 1


def test_form_problems_are_shown_by_field_and_nothing_is_saved(world: World, report: Report) -> None:
    c = client_for(world, "esa_officer_a1")
    response = c.post(works_url(report), {**work_post("", 0), "new-description": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-title"' in page
    assert "กรุณากรอกชื่อผลงาน · Enter the work&#x27;s title" in page
    assert 'data-testid="error-description"' in page
    assert not OutstandingWork.objects.exists()


def test_the_sixth_work_is_refused(world: World, report: Report) -> None:
    for i in range(5):
        add_work(world, report, f"ผลงาน {i + 1}")
    c = client_for(world, "esa_officer_a1")
    page = c.get(works_url(report)).content.decode()
    assert 'data-testid="works-full"' in page
    assert 'data-testid="work-add-form"' not in page

    response = c.post(works_url(report), work_post("ผลงานที่หก", 5))

    assert response.status_code == 400
    text = response.content.decode()
    assert "ไม่เกิน 5 ผลงาน" in text
    assert "At most 5 outstanding works" in text
    assert OutstandingWork.objects.count() == 5
    assert version(report) == 5


def test_a_conflict_keeps_the_typed_text_and_shows_the_newer_list(world: World, report: Report) -> None:
    work = add_work(world, report, "ฉบับแรก")  # version 1
    works_svc.work_save(
        actor=actor_for(world.user("esa_director_a1")), report_id=report.pk, work_id=work.pk,
        title="ฉบับของผู้อำนวยการ", description="d", expected_version=1,
    )  # fmt: skip
    c = client_for(world, "esa_officer_a1")
    response = c.post(
        works_url(report),
        {"action": "save", "work_id": work.pk, "lock_version": 1, f"w{work.pk}-title": "ฉบับที่ฉันพิมพ์",
         f"w{work.pk}-description": "ข้อความยาวที่ไม่ควรหาย"},
    )  # fmt: skip
    assert response.status_code == 409
    page = response.content.decode()
    assert "มีผู้อื่นบันทึกรายงานนี้" in page
    assert "Someone else saved this report" in page
    assert "ข้อความยาวที่ไม่ควรหาย" in page  # the typed text is kept in the form
    assert "ฉบับของผู้อำนวยการ" in page  # the newer title heads the card
    assert 'name="lock_version" value="2"' in page
    assert OutstandingWork.objects.get().title == "ฉบับของผู้อำนวยการ"


def test_move_up_and_down_rerank_and_remove_keeps_ranks_dense(world: World, report: Report) -> None:
    a, b, c_ = (add_work(world, report, t) for t in ("ก", "ข", "ค"))
    c = client_for(world, "esa_officer_a1")

    assert c.post(works_url(report), {"action": "up", "work_id": c_.pk, "lock_version": 3}).status_code == 302
    assert list(OutstandingWork.objects.order_by("rank").values_list("title", flat=True)) == ["ก", "ค", "ข"]
    assert (
        c.post(works_url(report), {"action": "down", "work_id": a.pk, "lock_version": 4}).status_code == 302
    )
    assert list(OutstandingWork.objects.order_by("rank").values_list("title", flat=True)) == ["ค", "ก", "ข"]
    # Moving the first one up changes nothing (and keeps the version).
    assert c.post(works_url(report), {"action": "up", "work_id": c_.pk, "lock_version": 5}).status_code == 302
    assert version(report) == 5
    stale = c.post(works_url(report), {"action": "down", "work_id": c_.pk, "lock_version": 3})
    assert stale.status_code == 409
    assert (
        c.post(works_url(report), {"action": "delete", "work_id": a.pk, "lock_version": 5}).status_code == 302
    )
    assert list(OutstandingWork.objects.order_by("rank").values_list("rank", "title")) == [(1, "ค"), (2, "ข")]
    assert b.pk in OutstandingWork.objects.values_list("pk", flat=True)


def test_the_works_page_runs_a_bounded_number_of_queries(
    world: World, report: Report, django_assert_max_num_queries: Any
) -> None:
    officer = actor_for(world.user("esa_officer_a1"))
    for i in range(5):
        work = add_work(world, report, f"ผลงาน {i}")
        for j in range(3):
            evidence_svc.evidence_upload(
                actor=officer, report_id=report.pk, file=SimpleUploadedFile(f"{i}-{j}.pdf", pdf_bytes(i * 3 + j + 1)),
                work_id=work.pk, expected_version=version(report),
            )  # fmt: skip
    c = client_for(world, "esa_officer_a1")
    with django_assert_max_num_queries(20):
        response = c.get(works_url(report))
    assert response.content.decode().count('data-testid="evidence-') == 15
    with django_assert_max_num_queries(20):
        c.get(evidence_url(report))


# --- evidence ------------------------------------------------------------------------------------


def test_upload_and_download_with_a_thai_name(world: World, report: Report, tmp_path: Path) -> None:
    work = add_work(world, report, "ผลงาน")
    c = client_for(world, "esa_officer_a1")
    data = pdf_bytes(2)
    response = c.post(
        evidence_url(report),
        {"action": "upload", "file": SimpleUploadedFile("ภาพรวม ผลงาน.pdf", data), "work_id": work.pk,
         "back": "works", "lock_version": 1},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == f"{works_url(report)}#work-{work.pk}"
    evidence = EvidenceFile.objects.get()
    assert (evidence.work_id, evidence.original_name) == (work.pk, "ภาพรวม ผลงาน.pdf")

    for persona in ("esa_officer_a1", "executive"):
        download = client_for(world, persona).get(
            reverse("web:report_evidence_download", args=[report.pk, evidence.pk])
        )
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == data  # type: ignore[attr-defined]
        assert download["Content-Type"] == "application/pdf"
        assert download["X-Content-Type-Options"] == "nosniff"
        assert download["Content-Disposition"].startswith(
            f'attachment; filename="evidence-{evidence.pk}.pdf"; '
        )
        assert (
            "filename*=UTF-8''%E0%B8%A0%E0%B8%B2%E0%B8%9E%E0%B8%A3%E0%B8%A7%E0%B8%A1%20"
            in download["Content-Disposition"]
        )

    for persona, status in (("esa_officer_b1", 404), ("reviewer", 404), ("nobody", 404)):
        url = reverse("web:report_evidence_download", args=[report.pk, evidence.pk])
        assert client_for(world, persona).get(url).status_code == status
    other = make_report(report.round, world.esa_b1)
    wrong = reverse("web:report_evidence_download", args=[other.pk, evidence.pk])
    assert client_for(world, "esa_officer_b1").get(wrong).status_code == 404


def test_a_refused_upload_is_explained_and_leaves_nothing(
    world: World, report: Report, tmp_path: Path
) -> None:
    c = client_for(world, "esa_officer_a1")
    response = c.post(
        evidence_url(report),
        {"action": "upload", "file": SimpleUploadedFile("scan.pdf", image_bytes()), "lock_version": 0},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="upload-errors"' in page
    assert "ไฟล์ scan.pdf" in page
    assert "file scan.pdf" in page
    assert "ภาพ PNG" in page
    assert not EvidenceFile.objects.exists()
    assert stored_files(tmp_path) == []

    missing = c.post(evidence_url(report), {"action": "upload", "lock_version": 0})
    assert missing.status_code == 400
    assert "กรุณาเลือกไฟล์" in missing.content.decode()

    stale = c.post(
        evidence_url(report),
        {"action": "upload", "file": SimpleUploadedFile("a.pdf", pdf_bytes()), "lock_version": 7},
    )
    assert stale.status_code == 409
    assert stored_files(tmp_path) == []


def test_deleting_evidence_on_the_page(
    world: World, report: Report, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    evidence, _ = evidence_svc.evidence_upload(
        actor=actor_for(world.user("esa_officer_a1")), report_id=report.pk,
        file=SimpleUploadedFile("a.png", image_bytes()), expected_version=0,
    )  # fmt: skip
    c = client_for(world, "esa_officer_a1")
    page = c.get(evidence_url(report)).content.decode()
    assert f'data-testid="evidence-{evidence.pk}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(
            evidence_url(report), {"action": "delete", "evidence_id": evidence.pk, "lock_version": 1}
        )
    assert response.status_code == 302
    assert not EvidenceFile.objects.exists()
    assert stored_files(tmp_path) == []
    assert AuditEntry.objects.filter(object_type="monitoring.evidencefile", action="delete").count() == 1


def test_a_tampered_file_is_not_served(world: World, report: Report, tmp_path: Path) -> None:
    data = pdf_bytes()
    evidence, _ = evidence_svc.evidence_upload(
        actor=actor_for(world.user("esa_officer_a1")), report_id=report.pk,
        file=SimpleUploadedFile("a.pdf", data), expected_version=0,
    )  # fmt: skip
    (tmp_path / evidence.stored_path).write_bytes(data + b"% appended")
    response = client_for(world, "executive").get(
        reverse("web:report_evidence_download", args=[report.pk, evidence.pk])
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert 'data-testid="integrity-error"' in page
    assert "SHA-256" in page
    assert hashlib.sha256(data).hexdigest() == evidence.sha256
