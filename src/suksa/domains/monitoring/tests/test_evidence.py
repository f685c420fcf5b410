"""Evidence files: checked by content (real PDFs, images and Office files built here), stored once
by checksum outside the database, refused with nothing left behind, re-verified on download."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook
from PIL import Image
from pypdf import PdfWriter

from suksa.core.errors import Conflict, InvalidInput, NotFoundOrNoAccess, PermissionDenied
from suksa.core.models import AuditEntry
from suksa.domains.accounts.actors import actor_for
from suksa.domains.monitoring.models import EvidenceFile, OutstandingWork, Report, Round
from suksa.domains.monitoring.models.choices import ReportStatus
from suksa.domains.monitoring.services import evidence as svc
from suksa.domains.monitoring.tests.factories import make_framework, make_report, round_of
from tests.factories import World

pytestmark = pytest.mark.django_db


# --- real files, built here ----------------------------------------------------------------------


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, fmt)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["โครงการ", "ผล"])
    ws.append(["อ่านออกเขียนได้", 98.5])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="{main}"/>'
    "</Relationships>"
)


def office_bytes(main: str, content_type: str, *, with_content_types: bool = True) -> bytes:
    """A minimal OOXML package: content types, the package relationships and the main part."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main}" ContentType="{content_type}"/>'
        "</Types>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        if with_content_types:
            zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", _RELS.format(main=main))
        zf.writestr(main, '<?xml version="1.0"?><root>ผลงานเด่น</root>')
    return out.getvalue()


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
PPTX_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


def docx_bytes() -> bytes:
    return office_bytes("word/document.xml", DOCX_MAIN)


def pptx_bytes() -> bytes:
    return office_bytes("ppt/presentation.xml", PPTX_MAIN)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def open_round() -> Round:
    """The FY 2569 12-month round, open today whatever the clock says."""
    rnd = round_of(make_framework(2569), "m12")
    day = timezone.localdate()
    Round.objects.filter(pk=rnd.pk).update(
        opens_on=day - dt.timedelta(days=10),
        due_on=day + dt.timedelta(days=20),
        locks_on=day + dt.timedelta(days=40),
    )
    return Round.objects.get(pk=rnd.pk)


@pytest.fixture
def report(world: World) -> Report:
    return make_report(open_round(), world.esa_a1)


def officer(world: World) -> Any:
    return actor_for(world.user("esa_officer_a1"))


def put(world: World, report: Report, name: str, data: bytes, **kw: Any) -> tuple[EvidenceFile, int]:
    report.refresh_from_db()
    return svc.evidence_upload(
        actor=officer(world),
        report_id=report.pk,
        file=upload(name, data),
        expected_version=report.lock_version,
        **kw,
    )


# --- accepted files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "build", "content_type"),
    [
        ("รายงานผล.pdf", pdf_bytes, "application/pdf"),
        ("ภาพกิจกรรม.jpg", lambda: image_bytes("JPEG"), "image/jpeg"),
        ("photo.JPEG", lambda: image_bytes("JPEG"), "image/jpeg"),
        ("chart.png", image_bytes, "image/png"),
        ("photo.webp", lambda: image_bytes("WEBP"), "image/webp"),
        (
            "สรุปโครงการ.docx",
            docx_bytes,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("ข้อมูล.xlsx", xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            "นำเสนอ.pptx",
            pptx_bytes,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
    ],
)
def test_an_accepted_file_is_stored_by_checksum_outside_the_database(
    world: World, report: Report, tmp_path: Path, name: str, build: Callable[[], bytes], content_type: str
) -> None:
    data = build()
    sha = hashlib.sha256(data).hexdigest()

    evidence, version = put(world, report, name, data)

    assert version == 1
    report.refresh_from_db()
    assert report.lock_version == 1
    assert (evidence.original_name, evidence.content_type, evidence.size, evidence.sha256) == (
        name, content_type, len(data), sha,
    )  # fmt: skip
    assert evidence.stored_path == f"evidence/{sha[:2]}/{sha}"
    assert evidence.uploaded_by == "esa_officer_a1"
    assert stored_files(tmp_path) == [tmp_path / "evidence" / sha[:2] / sha]
    assert (tmp_path / evidence.stored_path).read_bytes() == data
    entry = AuditEntry.objects.get(object_type="monitoring.evidencefile")
    assert (entry.action, entry.object_id, entry.unit_path) == ("create", str(evidence.pk), world.esa_a1.path)
    assert entry.changes["sha256"] == sha
    assert entry.changes["size"] == len(data)
    assert entry.changes["name"] == name
    assert "content" not in entry.changes


def test_the_same_bytes_are_stored_once_for_every_row_that_names_them(world: World, tmp_path: Path) -> None:
    rnd = open_round()
    a = make_report(rnd, world.esa_a1)
    b = make_report(rnd, world.esa_b1)
    data = pdf_bytes(2)
    first, _ = put(world, a, "plan.pdf", data)
    again, _ = put(world, a, "plan-copy.pdf", data, section_code="s1_management")
    other, _ = svc.evidence_upload(
        actor=actor_for(world.user("esa_officer_b1")), report_id=b.pk, file=upload("plan.pdf", data),
        expected_version=0,
    )  # fmt: skip
    assert first.stored_path == again.stored_path == other.stored_path
    assert len(stored_files(tmp_path)) == 1
    assert EvidenceFile.objects.count() == 3


def test_a_thai_name_is_kept_composed_and_without_folders(world: World, report: Report) -> None:
    decomposed = unicodedata.normalize("NFD", "ผลงานดีเด่น ปี ๒๕๖๙.pdf")
    evidence, _ = put(world, report, "C:\\Users\\ครู\\" + decomposed + "\u202e", pdf_bytes())
    assert evidence.original_name == unicodedata.normalize("NFC", "ผลงานดีเด่น ปี ๒๕๖๙.pdf")


def test_a_file_exactly_at_the_limit_is_accepted(world: World, report: Report) -> None:
    data = image_bytes()
    evidence, _ = put(world, report, "exact.png", data, max_bytes=len(data))
    assert evidence.size == len(data)


def test_a_work_or_a_section_takes_evidence_of_its_own_report_only(world: World, report: Report) -> None:
    work = OutstandingWork.objects.create(report=report, rank=1, title="ผลงาน", description="คำอธิบาย")
    other = make_report(report.round, world.esa_b1)
    foreign = OutstandingWork.objects.create(report=other, rank=1, title="อื่น", description="อื่น")

    attached, _ = put(world, report, "work.pdf", pdf_bytes(), work_id=work.pk)
    assert attached.work_id == work.pk
    on_section, _ = put(world, report, "s.png", image_bytes(), section_code="s2_academic")
    assert on_section.section is not None
    assert on_section.section.code == "s2_academic"

    with pytest.raises(InvalidInput) as foreign_work:
        put(world, report, "x.pdf", pdf_bytes(3), work_id=foreign.pk)
    assert foreign_work.value.problems[0].field == "work_id"
    with pytest.raises(InvalidInput) as unknown_section:
        put(world, report, "x.pdf", pdf_bytes(3), section_code="nope")
    assert unknown_section.value.problems[0].field == "section_code"
    with pytest.raises(InvalidInput) as duplicate:
        put(world, report, "again.pdf", pdf_bytes(), work_id=work.pk)
    assert duplicate.value.problems[0].code == "file_duplicate"
    assert EvidenceFile.objects.count() == 2


# --- refused files: bilingual, on field "file" with the name, nothing written --------------------


def _truncated_pdf() -> bytes:
    data = pdf_bytes(3)
    return data[: len(data) // 2]


def _zip_without_content_types() -> bytes:
    return office_bytes("word/document.xml", DOCX_MAIN, with_content_types=False)


def _macro_docm() -> bytes:
    return office_bytes("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml")


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("readme.txt", "hello")
    return out.getvalue()


def _damaged_zip() -> bytes:
    data = bytearray(docx_bytes())
    data[60:80] = b"\x00" * 20  # inside the first member's compressed bytes
    return bytes(data)


REFUSED: list[tuple[str, Callable[[], bytes], str]] = [
    ("truncated.pdf", _truncated_pdf, "file_corrupt"),
    ("no-pages.pdf", lambda: pdf_bytes(0), "file_corrupt"),
    ("picture.pdf", image_bytes, "file_extension_mismatch"),
    ("scan.png", lambda: image_bytes("JPEG"), "file_extension_mismatch"),
    ("report.docx", _zip_without_content_types, "file_corrupt"),
    ("report.docx", xlsx_bytes, "file_extension_mismatch"),
    ("table.xlsx", _damaged_zip, "file_corrupt"),
    ("macro.docx", _macro_docm, "file_type_not_allowed"),
    ("bundle.zip", _plain_zip, "file_type_not_allowed"),
    (
        "setup.pdf",
        lambda: b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200,
        "file_type_not_allowed",
    ),
    ("old.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "file_type_not_allowed"),
    ("notes.txt", lambda: "บันทึก".encode(), "file_type_not_allowed"),
    ("chart", image_bytes, "file_extension_mismatch"),
    ("broken.png", lambda: image_bytes()[:-40], "file_corrupt"),
    ("broken.jpg", lambda: image_bytes("JPEG", (400, 300))[:600], "file_corrupt"),
    ("empty.pdf", lambda: b"", "file_empty"),
]


@pytest.mark.parametrize(("name", "build", "code"), REFUSED, ids=[f"{n}-{c}" for n, _, c in REFUSED])
def test_a_refused_file_leaves_nothing_behind(
    world: World, report: Report, tmp_path: Path, name: str, build: Callable[[], bytes], code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        put(world, report, name, build())

    (problem,) = refused.value.problems
    assert (problem.code, problem.field, problem.file) == (code, "file", name)
    assert problem.th
    assert problem.en
    assert problem.th != problem.en
    assert name in problem.message("th")
    assert name in problem.message("en")
    assert not EvidenceFile.objects.exists()
    assert stored_files(tmp_path) == []
    report.refresh_from_db()
    assert report.lock_version == 0
    assert not AuditEntry.objects.filter(object_type="monitoring.evidencefile").exists()


def test_one_byte_over_the_limit_is_refused_before_anything_is_kept(
    world: World, report: Report, tmp_path: Path
) -> None:
    data = pdf_bytes()
    with pytest.raises(InvalidInput) as declared:  # the upload says its size
        put(world, report, "big.pdf", data, max_bytes=len(data) - 1)
    assert declared.value.problems[0].code == "file_too_large"
    assert "ไม่เกิน" in declared.value.problems[0].th
    with pytest.raises(InvalidInput) as streamed:  # a stream is counted while copying
        svc.evidence_upload(
            actor=officer(world), report_id=report.pk, file=("big.pdf", io.BytesIO(data)),
            expected_version=0, max_bytes=len(data) - 1,
        )  # fmt: skip
    assert streamed.value.problems[0].code == "file_too_large"
    assert streamed.value.problems[0].file == "big.pdf"
    assert stored_files(tmp_path) == []
    assert not EvidenceFile.objects.exists()


def test_the_default_limit_is_twenty_megabytes() -> None:
    assert svc.MAX_BYTES == 20 * 1024 * 1024
    assert svc.human_size(svc.MAX_BYTES) == "20 MB"


# --- who may attach, when ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("esa_officer_b1", NotFoundOrNoAccess),
        ("executive", PermissionDenied),
        ("inspector_r1", PermissionDenied),
        ("me_officer", PermissionDenied),
        ("reviewer", NotFoundOrNoAccess),
        ("director_a1_1", NotFoundOrNoAccess),
    ],
)
def test_only_the_esas_own_staff_attach(
    world: World, report: Report, tmp_path: Path, persona: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        svc.evidence_upload(
            actor=actor_for(world.user(persona)), report_id=report.pk, file=upload("a.pdf", pdf_bytes()),
            expected_version=0,
        )  # fmt: skip
    assert stored_files(tmp_path) == []
    assert not EvidenceFile.objects.exists()


def test_the_director_attaches_too(world: World, report: Report) -> None:
    evidence, _ = svc.evidence_upload(
        actor=actor_for(world.user("esa_director_a1")), report_id=report.pk, file=upload("a.pdf", pdf_bytes()),
        expected_version=0,
    )  # fmt: skip
    assert evidence.uploaded_by == "esa_director_a1"


def test_a_stale_version_is_a_conflict_and_nothing_is_kept(
    world: World, report: Report, tmp_path: Path
) -> None:
    put(world, report, "first.pdf", pdf_bytes())  # version 0 → 1
    with pytest.raises(Conflict) as stale:
        svc.evidence_upload(
            actor=officer(world),
            report_id=report.pk,
            file=upload("second.png", image_bytes()),
            expected_version=0,
        )
    assert stale.value.current == 1
    assert EvidenceFile.objects.count() == 1
    assert len(stored_files(tmp_path)) == 1


@pytest.mark.parametrize("status", [ReportStatus.SUBMITTED, ReportStatus.IN_REVIEW, ReportStatus.APPROVED])
def test_a_report_with_the_bureau_takes_no_evidence(
    world: World, report: Report, tmp_path: Path, status: str
) -> None:
    Report.objects.filter(pk=report.pk).update(status=status)
    with pytest.raises(InvalidInput) as refused:
        put(world, report, "late.pdf", pdf_bytes())
    assert refused.value.problems[0].code == "report_not_editable"
    assert stored_files(tmp_path) == []


def test_a_locked_round_takes_no_evidence(world: World, report: Report, tmp_path: Path) -> None:
    Round.objects.filter(pk=report.round_id).update(locks_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(InvalidInput) as refused:
        put(world, report, "late.pdf", pdf_bytes())
    assert refused.value.problems[0].code == "round_locked"
    assert stored_files(tmp_path) == []


def test_a_report_holds_a_bounded_number_of_files(
    world: World, report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(svc, "MAX_FILES_PER_REPORT", 2)
    put(world, report, "1.pdf", pdf_bytes(1))
    put(world, report, "2.pdf", pdf_bytes(2))
    with pytest.raises(InvalidInput) as refused:
        put(world, report, "3.pdf", pdf_bytes(3))
    assert refused.value.problems[0].code == "too_many_files"
    assert len(stored_files(tmp_path)) == 2


# --- deleting ------------------------------------------------------------------------------------


def test_deleting_removes_the_bytes_only_when_no_other_row_names_them(
    world: World, report: Report, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    data = pdf_bytes()
    first, _ = put(world, report, "a.pdf", data)
    second, _ = put(world, report, "b.pdf", data, section_code="s3_results")
    path = tmp_path / first.stored_path

    with django_capture_on_commit_callbacks(execute=True):
        version = svc.evidence_delete(
            actor=officer(world), report_id=report.pk, evidence_id=first.pk, expected_version=2
        )
    assert version == 3
    assert path.is_file()  # the second row still names the bytes
    with django_capture_on_commit_callbacks(execute=True):
        svc.evidence_delete(
            actor=officer(world), report_id=report.pk, evidence_id=second.pk, expected_version=3
        )
    assert not path.exists()
    assert stored_files(tmp_path) == []
    assert not EvidenceFile.objects.exists()
    deleted = AuditEntry.objects.filter(object_type="monitoring.evidencefile", action="delete")
    assert deleted.count() == 2
    assert {e.changes["sha256"] for e in deleted} == {hashlib.sha256(data).hexdigest()}


def test_deleting_is_refused_for_others_and_for_stale_versions(
    world: World, report: Report, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    evidence, _ = put(world, report, "a.pdf", pdf_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(NotFoundOrNoAccess):
            svc.evidence_delete(
                actor=actor_for(world.user("esa_officer_b1")), report_id=report.pk, evidence_id=evidence.pk,
                expected_version=1,
            )  # fmt: skip
        with pytest.raises(PermissionDenied):
            svc.evidence_delete(
                actor=actor_for(world.user("executive")), report_id=report.pk, evidence_id=evidence.pk,
                expected_version=1,
            )  # fmt: skip
        with pytest.raises(Conflict):
            svc.evidence_delete(
                actor=officer(world), report_id=report.pk, evidence_id=evidence.pk, expected_version=0
            )
        other = make_report(report.round, world.esa_b1)
        with pytest.raises(NotFoundOrNoAccess):  # the id of this report's file under another report
            svc.evidence_delete(
                actor=actor_for(world.user("esa_officer_b1")), report_id=other.pk, evidence_id=evidence.pk,
                expected_version=0,
            )  # fmt: skip
    assert EvidenceFile.objects.count() == 1
    assert (tmp_path / evidence.stored_path).is_file()


# --- opening for download ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["esa_officer_a1", "esa_director_a1", "executive", "inspector_r1", "me_officer"]
)
def test_whoever_sees_the_report_opens_its_evidence(world: World, report: Report, persona: str) -> None:
    data = pdf_bytes(2)
    evidence, _ = put(world, report, "ผลการดำเนินงาน.pdf", data)
    download = svc.evidence_open(
        actor=actor_for(world.user(persona)), report_id=report.pk, evidence_id=evidence.pk
    )
    with download.handle:
        assert download.handle.read() == data
    assert (download.name, download.content_type, download.size) == (
        "ผลการดำเนินงาน.pdf",
        "application/pdf",
        len(data),
    )


def test_a_reviewer_opens_only_the_reports_assigned_to_them(world: World, report: Report) -> None:
    evidence, _ = put(world, report, "a.png", image_bytes())
    reviewer = actor_for(world.user("reviewer"))
    with pytest.raises(NotFoundOrNoAccess):
        svc.evidence_open(actor=reviewer, report_id=report.pk, evidence_id=evidence.pk)
    Report.objects.filter(pk=report.pk).update(reviewer=world.user("reviewer"))
    download = svc.evidence_open(actor=reviewer, report_id=report.pk, evidence_id=evidence.pk)
    download.handle.close()


@pytest.mark.parametrize("persona", ["esa_officer_b1", "director_a1_1", "nobody"])
def test_evidence_of_a_report_out_of_scope_is_not_found(world: World, report: Report, persona: str) -> None:
    evidence, _ = put(world, report, "a.pdf", pdf_bytes())
    with pytest.raises(NotFoundOrNoAccess):
        svc.evidence_open(actor=actor_for(world.user(persona)), report_id=report.pk, evidence_id=evidence.pk)


def test_a_tampered_or_missing_file_is_refused(world: World, report: Report, tmp_path: Path) -> None:
    evidence, _ = put(world, report, "ผลงาน.pdf", pdf_bytes())
    path = tmp_path / evidence.stored_path
    path.write_bytes(path.read_bytes().replace(b"/MediaBox", b"/MediaBux"))

    with pytest.raises(Conflict) as tampered:
        svc.evidence_open(actor=officer(world), report_id=report.pk, evidence_id=evidence.pk)
    (problem,) = tampered.value.problems
    assert (problem.code, problem.file) == ("evidence_integrity", "ผลงาน.pdf")
    assert "SHA-256" in problem.th
    assert "SHA-256" in problem.en

    path.unlink()
    with pytest.raises(Conflict) as missing:
        svc.evidence_open(actor=officer(world), report_id=report.pk, evidence_id=evidence.pk)
    assert missing.value.problems[0].code == "evidence_integrity"


def test_uploading_the_same_bytes_again_repairs_a_damaged_copy(
    world: World, report: Report, tmp_path: Path
) -> None:
    data = pdf_bytes()
    evidence, _ = put(world, report, "a.pdf", data)
    (tmp_path / evidence.stored_path).write_bytes(b"garbage")
    put(world, report, "a-again.pdf", data, section_code="s1_management")
    download = svc.evidence_open(actor=officer(world), report_id=report.pk, evidence_id=evidence.pk)
    with download.handle:
        assert download.handle.read() == data


def test_download_headers_name_thai_files_per_rfc_5987(world: World, report: Report) -> None:
    evidence, _ = put(world, report, "ภาพ กิจกรรม.png", image_bytes())
    download = svc.evidence_open(actor=officer(world), report_id=report.pk, evidence_id=evidence.pk)
    download.handle.close()
    headers = svc.download_headers(download)
    assert headers["Content-Disposition"] == (
        f'attachment; filename="evidence-{evidence.pk}.png"; '
        "filename*=UTF-8''%E0%B8%A0%E0%B8%B2%E0%B8%9E%20%E0%B8%81%E0%B8%B4%E0%B8%88%E0%B8%81%E0%B8%A3%E0%B8%A3%E0%B8%A1.png"
    )
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Type"] == "image/png"
    assert (
        svc.content_disposition("plan.pdf", "x")
        == "attachment; filename=\"plan.pdf\"; filename*=UTF-8''plan.pdf"
    )
    assert 'filename="x"' in svc.content_disposition('a"b.pdf', "x")
