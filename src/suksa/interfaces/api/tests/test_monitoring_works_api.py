"""Works, evidence and verification over REST: the authorization matrix per endpoint, optimistic
locking, the 6th work, re-ranking, multipart uploads checked by content and verified downloads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from suksa.core.models import AuditEntry
from suksa.domains.accounts.actors import actor_for
from suksa.domains.monitoring.models import EvidenceFile, OutstandingWork, Report
from suksa.domains.monitoring.models.choices import ReportStatus
from suksa.domains.monitoring.services import evidence as evidence_svc
from suksa.domains.monitoring.services import works as works_svc
from suksa.domains.monitoring.tests.factories import make_report
from suksa.domains.monitoring.tests.test_evidence import (
    image_bytes,
    open_round,
    pdf_bytes,
    stored_files,
    xlsx_bytes,
)
from tests.factories import World

pytestmark = pytest.mark.django_db

Clients = Callable[..., APIClient]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def report(world: World) -> Report:
    return make_report(open_round(), world.esa_a1)


def base(report: Report) -> str:
    return f"/api/v1/monitoring/reports/{report.pk}"


def version(report: Report) -> int:
    report.refresh_from_db()
    return report.lock_version


def add_work(world: World, report: Report, title: str) -> OutstandingWork:
    work, _ = works_svc.work_save(
        actor=actor_for(world.user("esa_officer_a1")), report_id=report.pk, work_id=None, title=title,
        description=f"คำอธิบาย{title}", expected_version=version(report),
    )  # fmt: skip
    return work


def attach(world: World, report: Report, name: str = "a.pdf", data: bytes | None = None) -> EvidenceFile:
    evidence, _ = evidence_svc.evidence_upload(
        actor=actor_for(world.user("esa_officer_a1")), report_id=report.pk,
        file=SimpleUploadedFile(name, data if data is not None else pdf_bytes()), expected_version=version(report),
    )  # fmt: skip
    return evidence


def work_body(title: str, lock_version: int) -> dict[str, Any]:
    return {
        "title": title, "description": "อธิบาย", "practices": "ทำอย่างไร", "results_claimed": "ได้ผลอย่างไร",
        "standard_code": "2", "indicator_codes": ["dropout_rate", "attendance_rate"], "lock_version": lock_version,
    }  # fmt: skip


def snapshot() -> tuple[Any, ...]:
    return (
        list(OutstandingWork.objects.order_by("pk").values_list("pk", "rank", "title", "verification")),
        list(EvidenceFile.objects.order_by("pk").values_list("pk", "sha256")),
        list(Report.objects.order_by("pk").values_list("pk", "lock_version")),
        AuditEntry.objects.count(),
    )


# --- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("esa_officer_a1", 200),
        ("esa_director_a1", 200),
        ("executive", 200),
        ("inspector_r1", 200),
        ("me_officer", 200),
        ("esa_officer_b1", 404),
        ("reviewer", 404),
        ("director_a1_1", 404),
        ("nobody", 403),  # no role anywhere: refused before any lookup
        (None, 401),
    ],
)
def test_read_matrix(
    client_as: Clients, world: World, report: Report, persona: str | None, status: int
) -> None:
    work = add_work(world, report, "ผลงาน")
    evidence = attach(world, report)
    c = client_as(persona)
    for url in (
        f"{base(report)}/works/",
        f"{base(report)}/evidence/",
        f"{base(report)}/evidence/{evidence.pk}/",
    ):
        assert c.get(url).status_code == status, url
    if status == 200:
        body = c.get(f"{base(report)}/works/").json()
        assert body["lock_version"] == 2
        assert body["editable"] is (persona in ("esa_officer_a1", "esa_director_a1"))
        assert [w["id"] for w in body["results"]] == [work.pk]
        assert body["results"][0]["evidence"] == []


def test_the_assigned_reviewer_reads_and_verifies(client_as: Clients, world: World, report: Report) -> None:
    work = add_work(world, report, "ผลงาน")
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED, reviewer=world.user("reviewer"))
    c = client_as("reviewer")
    assert c.get(f"{base(report)}/works/").status_code == 200

    refused = c.post(f"/api/v1/monitoring/works/{work.pk}/verify/", {"verification": "partly"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "note"
    bad = c.post(f"/api/v1/monitoring/works/{work.pk}/verify/", {"verification": "maybe"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "verification"

    done = c.post(
        f"/api/v1/monitoring/works/{work.pk}/verify/",
        {"verification": "partly", "note": "ขาดหลักฐาน"},
        format="json",
    )
    assert done.status_code == 200
    body = done.json()
    assert (body["verification"], body["verification_note"], body["verified_by"]) == (
        "partly",
        "ขาดหลักฐาน",
        "reviewer",
    )
    assert body["verified_at_display"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("esa_officer_a1", 403),
        ("esa_director_a1", 403),
        ("executive", 403),
        ("inspector_r1", 403),
        ("esa_officer_b1", 404),
        ("reviewer", 404),  # not assigned: the report is not theirs to see
        ("nobody", 403),
        (None, 401),
    ],
)
def test_verify_matrix(
    client_as: Clients, world: World, report: Report, persona: str | None, status: int
) -> None:
    work = add_work(world, report, "ผลงาน")
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    before = snapshot()
    response = client_as(persona).post(
        f"/api/v1/monitoring/works/{work.pk}/verify/", {"verification": "verified"}, format="json"
    )
    assert response.status_code == status
    assert snapshot() == before


def test_verification_waits_for_submission(client_as: Clients, world: World, report: Report) -> None:
    work = add_work(world, report, "ผลงาน")
    response = client_as("me_officer").post(
        f"/api/v1/monitoring/works/{work.pk}/verify/", {"verification": "verified"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "report_not_in_review"
    assert (
        client_as("me_officer").post("/api/v1/monitoring/works/999999/verify/", {}, format="json").status_code
        == 404
    )


# --- writing works -------------------------------------------------------------------------------


def test_an_officer_nominates_edits_reranks_and_removes_works(
    client_as: Clients, world: World, report: Report
) -> None:
    c = client_as("esa_officer_a1")
    created = c.post(f"{base(report)}/works/", work_body("ห้องเรียนคุณภาพ", 0), format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["lock_version"] == 1
    first = body["work"]
    assert (first["rank"], first["title"], first["standard_code"], first["indicator_codes"]) == (
        1, "ห้องเรียนคุณภาพ", "2", ["dropout_rate", "attendance_rate"],
    )  # fmt: skip
    second = c.post(f"{base(report)}/works/", work_body("ครูคืนถิ่น", 1), format="json").json()["work"]

    patched = c.patch(
        f"{base(report)}/works/{first['id']}/", {"title": "ห้องเรียนคุณภาพสูง", "lock_version": 2}, format="json"
    )
    assert patched.status_code == 200
    assert patched.json()["lock_version"] == 3
    assert patched.json()["work"]["title"] == "ห้องเรียนคุณภาพสูง"
    assert patched.json()["work"]["description"] == "อธิบาย"  # untouched
    no_version = c.patch(f"{base(report)}/works/{first['id']}/", {"title": "x"}, format="json")
    assert no_version.status_code == 400
    assert no_version.json()["errors"][0]["field"] == "lock_version"

    reordered = c.post(
        f"{base(report)}/works/reorder/",
        {"ordered_ids": [second["id"], first["id"]], "lock_version": 3},
        format="json",
    )
    assert reordered.status_code == 200
    assert [(w["rank"], w["id"]) for w in reordered.json()["results"]] == [
        (1, second["id"]),
        (2, first["id"]),
    ]
    assert reordered.json()["lock_version"] == 4
    wrong = c.post(
        f"{base(report)}/works/reorder/", {"ordered_ids": [second["id"]], "lock_version": 4}, format="json"
    )
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "ordered_ids"

    deleted = c.delete(f"{base(report)}/works/{second['id']}/?lock_version=4")
    assert deleted.status_code == 200
    assert deleted.json() == {"lock_version": 5}
    assert list(OutstandingWork.objects.values_list("rank", "title")) == [(1, "ห้องเรียนคุณภาพสูง")]


def test_the_sixth_work_is_refused(client_as: Clients, world: World, report: Report) -> None:
    for i in range(5):
        add_work(world, report, f"ผลงาน {i}")
    before = snapshot()
    response = client_as("esa_officer_a1", language="en").post(
        f"{base(report)}/works/", work_body("ผลงานที่หก", 5), format="json"
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "too_many_works"
    assert "ไม่เกิน 5" in error["message_th"]
    assert "At most 5" in error["message_en"]
    assert response.json()["detail"].startswith("At most 5")
    assert snapshot() == before


def test_invalid_work_fields_are_answered_bilingually_by_field(
    client_as: Clients, world: World, report: Report
) -> None:
    response = client_as("esa_officer_a1").post(
        f"{base(report)}/works/",
        {**work_body("ก" * 300, 0), "description": "", "indicator_codes": ["nope"]},
        format="json",
    )
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"title", "description", "indicator_codes"}
    missing = client_as("esa_officer_a1").post(f"{base(report)}/works/", {"title": "x"}, format="json")
    assert missing.status_code == 400
    assert {e["field"] for e in missing.json()["errors"]} == {"description", "lock_version"}
    assert not OutstandingWork.objects.exists()


def test_a_stale_version_is_409_and_nothing_changes(client_as: Clients, world: World, report: Report) -> None:
    work = add_work(world, report, "ผลงาน")
    before = snapshot()
    c = client_as("esa_officer_a1")
    responses = [
        c.post(f"{base(report)}/works/", work_body("ใหม่", 0), format="json"),
        c.patch(f"{base(report)}/works/{work.pk}/", {"title": "t", "lock_version": 0}, format="json"),
        c.delete(f"{base(report)}/works/{work.pk}/?lock_version=0"),
        c.post(
            f"{base(report)}/works/reorder/", {"ordered_ids": [work.pk], "lock_version": 0}, format="json"
        ),
        c.post(
            f"{base(report)}/evidence/",
            {"file": SimpleUploadedFile("a.pdf", pdf_bytes()), "lock_version": 0},
            format="multipart",
        ),
    ]
    for r in responses:
        assert r.status_code == 409, r.json()
        assert r.json()["errors"][0]["code"] == "stale_report"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("executive", 403),
        ("inspector_r1", 403),
        ("me_officer", 403),
        ("esa_officer_b1", 404),
        ("reviewer", 404),
        ("director_a1_1", 404),
        ("nobody", 403),
        (None, 401),
    ],
)
def test_write_matrix(
    client_as: Clients, world: World, report: Report, tmp_path: Path, persona: str | None, status: int
) -> None:
    work = add_work(world, report, "ผลงาน")
    evidence = attach(world, report)
    before = snapshot()
    files_before = stored_files(tmp_path)
    c = client_as(persona)
    calls = [
        c.post(f"{base(report)}/works/", work_body("ใหม่", 2), format="json"),
        c.patch(f"{base(report)}/works/{work.pk}/", {"title": "t", "lock_version": 2}, format="json"),
        c.delete(f"{base(report)}/works/{work.pk}/?lock_version=2"),
        c.post(
            f"{base(report)}/works/reorder/", {"ordered_ids": [work.pk], "lock_version": 2}, format="json"
        ),
        c.post(
            f"{base(report)}/evidence/",
            {"file": SimpleUploadedFile("b.png", image_bytes()), "lock_version": 2},
            format="multipart",
        ),
        c.delete(f"{base(report)}/evidence/{evidence.pk}/?lock_version=2"),
    ]
    assert [r.status_code for r in calls] == [status] * len(calls)
    assert snapshot() == before
    assert stored_files(tmp_path) == files_before


def test_a_report_with_the_bureau_is_read_only(client_as: Clients, world: World, report: Report) -> None:
    add_work(world, report, "ผลงาน")
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    response = client_as("esa_director_a1").post(f"{base(report)}/works/", work_body("ใหม่", 1), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "report_not_editable"
    assert client_as("esa_director_a1").get(f"{base(report)}/works/").json()["editable"] is False


# --- evidence ------------------------------------------------------------------------------------


def test_upload_list_download_and_delete_evidence(
    client_as: Clients, world: World, report: Report, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    work = add_work(world, report, "ผลงาน")
    c = client_as("esa_officer_a1")
    data = xlsx_bytes()
    created = c.post(
        f"{base(report)}/evidence/",
        {"file": SimpleUploadedFile("ข้อมูลนักเรียน.xlsx", data), "work_id": work.pk, "lock_version": 1},
        format="multipart",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["lock_version"] == 2
    ev = body["evidence"]
    assert (ev["name"], ev["work_id"], ev["size"]) == ("ข้อมูลนักเรียน.xlsx", work.pk, len(data))
    assert ev["content_type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert ev["download_url"] == f"{base(report)}/evidence/{ev['id']}/"

    listed = c.get(f"{base(report)}/evidence/").json()
    assert [e["id"] for e in listed["results"]] == [ev["id"]]
    assert listed["max_bytes"] == 20 * 1024 * 1024
    assert ".pdf" in listed["accepted_extensions"]
    works = c.get(f"{base(report)}/works/").json()
    assert [e["id"] for e in works["results"][0]["evidence"]] == [ev["id"]]

    download = client_as("executive", HTTP_ACCEPT="application/pdf").get(ev["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data  # type: ignore[attr-defined]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith(
        f'attachment; filename="evidence-{ev["id"]}.xlsx"; filename*=UTF-8'
    )

    with django_capture_on_commit_callbacks(execute=True):
        removed = c.delete(f"{ev['download_url']}?lock_version=2")
    assert removed.status_code == 200
    assert removed.json() == {"lock_version": 3}
    assert stored_files(tmp_path) == []


def test_a_bad_upload_names_the_file_and_leaves_nothing(
    client_as: Clients, world: World, report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = client_as("esa_officer_a1")
    truncated = pdf_bytes(3)[:200]
    response = c.post(
        f"{base(report)}/evidence/",
        {"file": SimpleUploadedFile("รายงาน.pdf", truncated), "lock_version": 0},
        format="multipart",
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["code"], error["field"], error["file"]) == ("file_corrupt", "file", "รายงาน.pdf")
    assert error["message_th"].startswith("ไฟล์ รายงาน.pdf")

    empty = c.post(
        f"{base(report)}/evidence/",
        {"file": SimpleUploadedFile("empty.png", b""), "lock_version": 0},
        format="multipart",
    )
    assert empty.status_code == 400
    assert empty.json()["errors"][0]["code"] == "file_empty"

    data = image_bytes()
    monkeypatch.setattr(evidence_svc, "MAX_BYTES", len(data) - 1)
    large = c.post(
        f"{base(report)}/evidence/",
        {"file": SimpleUploadedFile("big.png", data), "lock_version": 0},
        format="multipart",
    )
    assert large.status_code == 400
    assert large.json()["errors"][0]["code"] == "file_too_large"

    no_file = c.post(f"{base(report)}/evidence/", {"lock_version": 0}, format="multipart")
    assert no_file.status_code == 400
    assert no_file.json()["errors"][0]["field"] == "file"

    assert not EvidenceFile.objects.exists()
    assert stored_files(tmp_path) == []
    assert version(report) == 0


def test_a_tampered_file_is_409(client_as: Clients, world: World, report: Report, tmp_path: Path) -> None:
    evidence = attach(world, report, "ผลงาน.pdf")
    (tmp_path / evidence.stored_path).write_bytes(b"%PDF-1.4 replaced")
    response = client_as("esa_officer_a1").get(f"{base(report)}/evidence/{evidence.pk}/")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "evidence_integrity"
    assert response.json()["errors"][0]["file"] == "ผลงาน.pdf"


def test_evidence_of_another_report_under_this_id_is_not_found(
    client_as: Clients, world: World, report: Report
) -> None:
    evidence = attach(world, report)
    other = make_report(report.round, world.esa_b1)
    response = client_as("esa_officer_b1").get(f"{base(other)}/evidence/{evidence.pk}/")
    assert response.status_code == 404
