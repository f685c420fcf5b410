"""Evidence files of an ESA report: checked by content, stored once by checksum, re-verified on download.

What is accepted (decided here, see docs/guide/monitoring/works-and-evidence.md):

- PDF (``%PDF-``; opened with pypdf: not truncated, not password-protected, at least one page);
- JPEG, PNG and WebP images (opened and fully decoded with Pillow; no decompression bombs);
- Word, Excel and PowerPoint files of Office 2007 and later (``.docx``, ``.xlsx``, ``.pptx``): ZIP
  containers whose ``[Content_Types].xml`` names the matching main part, which must exist; every
  member's CRC is checked. Macro-enabled files, templates and the legacy binary formats are refused.

The type comes from the bytes, never from the name; the name's extension must then agree with it.
At most :data:`MAX_BYTES` per file (callers and tests may pass ``max_bytes``).

The bytes are streamed to a temporary file under ``MEDIA_ROOT/evidence/.incoming/`` while their
SHA-256 is computed, checked there, and only then moved to ``MEDIA_ROOT/evidence/<sha[:2]>/<sha256>``
(content-addressed: the same bytes are stored once however many rows name them). A refused file
leaves nothing behind: no row, no file. Deleting a row removes the bytes only when no other row
names the same checksum, after the transaction commits. A download re-computes the checksum and
refuses a file that changed on disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import tempfile
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from PIL import Image, features
from pypdf import PdfReader

from suksa.core import audit
from suksa.core.errors import Conflict, InvalidInput, NotFoundOrNoAccess, Problem
from suksa.core.models import AuditEntry
from suksa.core.policy import Actor
from suksa.domains.monitoring.models import EvidenceFile, NarrativeSection, OutstandingWork, Report
from suksa.domains.monitoring.selectors_works import evidence_get
from suksa.domains.monitoring.services.locking import bump, report_for_write

__all__ = [
    "ALLOWED_TEXT",
    "KINDS",
    "MAX_BYTES",
    "MAX_FILES_PER_REPORT",
    "EvidenceDownload",
    "clean_name",
    "content_disposition",
    "download_headers",
    "evidence_delete",
    "evidence_open",
    "evidence_upload",
    "extension_for",
    "human_size",
]

log = logging.getLogger("suksa.monitoring.evidence")

MAX_BYTES = 20 * 1024 * 1024
MAX_FILES_PER_REPORT = 100
EVIDENCE_DIR = "evidence"
INCOMING_DIR = ".incoming"
CHUNK = 1 << 16
# An Office file may unpack to at most this much (all members together), and hold at most this
# many members: anything beyond is a ZIP bomb, not a report's evidence.
MAX_UNPACKED = 256 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_CONTENT_TYPES = 1024 * 1024


@dataclass(frozen=True)
class Kind:
    code: str
    content_type: str
    extensions: tuple[str, ...]
    th: str
    en: str


_KINDS: tuple[Kind, ...] = (
    Kind("pdf", "application/pdf", (".pdf",), "เอกสาร PDF", "PDF document"),
    Kind("jpeg", "image/jpeg", (".jpg", ".jpeg"), "ภาพ JPEG", "JPEG image"),
    Kind("png", "image/png", (".png",), "ภาพ PNG", "PNG image"),
    Kind("webp", "image/webp", (".webp",), "ภาพ WebP", "WebP image"),
    Kind(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        "เอกสาร Word (.docx)",
        "Word document (.docx)",
    ),
    Kind(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (".xlsx",),
        "สมุดงาน Excel (.xlsx)",
        "Excel workbook (.xlsx)",
    ),
    Kind(
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (".pptx",),
        "งานนำเสนอ PowerPoint (.pptx)",
        "PowerPoint presentation (.pptx)",
    ),
)
# WebP only where this Pillow can decode it (the wheels can; a distribution build might not).
KINDS: dict[str, Kind] = {k.code: k for k in _KINDS if k.code != "webp" or features.check("webp")}
EXTENSIONS: dict[str, Kind] = {ext: k for k in KINDS.values() for ext in k.extensions}
ALLOWED_TEXT = ", ".join(ext for k in KINDS.values() for ext in k.extensions)
OFFICE = ("docx", "xlsx", "pptx")
_OFFICE_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
_IMAGE_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
_OVERRIDE = re.compile(r"<(?:[\w.-]+:)?Override\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def extension_for(content_type: str) -> str:
    """The usual extension of an accepted content type (``""`` for anything else)."""
    kind = next((k for k in KINDS.values() if k.content_type == content_type), None)
    return kind.extensions[0] if kind else ""


# --- names, sizes and messages -------------------------------------------------------------------


def clean_name(raw: str) -> str:
    """The file's own name as the user sees it: no folders, no control or invisible characters,
    Unicode NFC (Thai vowels and tone marks composed once), at most 255 characters."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C")).strip()
    if len(name) > 255:
        suffix = PurePosixPath(name).suffix[:20]
        name = name[: 255 - len(suffix)] + suffix
    return name


def human_size(n: int, language: str = "th") -> str:
    if n >= 1024 * 1024:
        text = f"{n / (1024 * 1024):.1f}".removesuffix(".0")
        return f"{text} MB"
    if n >= 1024:
        return f"{n / 1024:.1f}".removesuffix(".0") + " KB"
    return f"{n:,} ไบต์" if language == "th" else f"{n:,} bytes"


def _refuse(code: str, th: str, en: str, name: str) -> InvalidInput:
    return InvalidInput([Problem(code=code, th=th, en=en, field="file", file=name or None)])


def _corrupt(name: str, th: str, en: str) -> InvalidInput:
    return _refuse(
        "file_corrupt", f"ไฟล์เสียหายหรือเปิดไม่ได้ ({th})", f"The file is corrupt or unreadable ({en})", name
    )


def _not_allowed(name: str, th: str = "", en: str = "") -> InvalidInput:
    return _refuse(
        "file_type_not_allowed",
        f"ไม่รับไฟล์ชนิดนี้{(' (' + th + ')') if th else ''} รับเฉพาะ {ALLOWED_TEXT}",
        f"This type of file is not accepted{(' (' + en + ')') if en else ''}; accepted: {ALLOWED_TEXT}",
        name,
    )


def _mismatch(name: str, kind: Kind, extension: str) -> InvalidInput:
    ext_th = f"“{extension}”" if extension else "ไม่มีนามสกุล"
    ext_en = f"“{extension}”" if extension else "no extension"
    wanted = " หรือ ".join(kind.extensions)
    wanted_en = " or ".join(kind.extensions)
    return _refuse(
        "file_extension_mismatch",
        f"เนื้อหาไฟล์เป็น{kind.th} แต่ชื่อไฟล์มีนามสกุล {ext_th} กรุณาตั้งชื่อให้ลงท้ายด้วย {wanted}",
        f"The file's content is a {kind.en} but its name has {ext_en}; name it with {wanted_en}",
        name,
    )


# --- staging: stream to a temporary file, hashing as we go ---------------------------------------


@dataclass
class _Staged:
    path: Path
    size: int
    sha256: str
    head: bytes


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _source(file: Any) -> tuple[str, Any]:
    """``(name, readable)`` of a Django ``UploadedFile`` or a ``(name, stream)`` pair."""
    if isinstance(file, tuple):
        name, stream = file
        return str(name or ""), stream
    return str(getattr(file, "name", "") or ""), file


def _chunks(source: Any) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray):
        yield bytes(source)
    elif hasattr(source, "chunks"):  # a Django UploadedFile (rewinds itself)
        yield from source.chunks(CHUNK)
    else:
        stream: IO[bytes] = source
        while chunk := stream.read(CHUNK):
            yield chunk


def _too_large(name: str, limit: int) -> InvalidInput:
    return _refuse(
        "file_too_large",
        f"ไฟล์มีขนาดใหญ่เกินกำหนด (ไม่เกิน {human_size(limit, 'th')})",
        f"The file is too large (at most {human_size(limit, 'en')})",
        name,
    )


def _stage(source: Any, name: str, limit: int) -> _Staged:
    """Copy the upload to a temporary file next to its final place, computing its SHA-256.

    Stops reading as soon as the size passes ``limit``; the temporary file is removed on any
    failure (the caller removes it after use).
    """
    declared = getattr(source, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise _too_large(name, limit)
    incoming = _media_root() / EVIDENCE_DIR / INCOMING_DIR
    incoming.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd, raw_path = tempfile.mkstemp(prefix="upload-", dir=incoming)
    path = Path(raw_path)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in _chunks(source):
                size += len(chunk)
                if size > limit:
                    raise _too_large(name, limit)
                if len(head) < 64:
                    head += chunk[: 64 - len(head)]
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return _Staged(path=path, size=size, sha256=digest.hexdigest(), head=head)


# --- checking the content ------------------------------------------------------------------------


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"  # legacy .doc/.xls/.ppt, or an encrypted Office file
    return None


def _check(staged: _Staged, name: str) -> Kind:
    """The file's kind, from its bytes; refuses empty, unknown, mismatched or corrupt files."""
    if staged.size == 0:
        raise _refuse("file_empty", "ไฟล์ว่างเปล่า (0 ไบต์)", "The file is empty (0 bytes)", name)
    extension = PurePosixPath(name).suffix.lower()
    claimed = EXTENSIONS.get(extension)
    sniffed = _sniff(staged.head)
    if sniffed == "ole":
        raise _not_allowed(
            name,
            "เอกสาร Office รุ่นเก่าหรือมีรหัสผ่าน กรุณาบันทึกเป็น .docx .xlsx หรือ .pptx โดยไม่ตั้งรหัสผ่าน",
            "a legacy or password-protected Office file: save it as .docx, .xlsx or .pptx without a password",
        )
    if sniffed is None or (sniffed == "webp" and "webp" not in KINDS):
        raise _not_allowed(name)
    if sniffed == "zip":
        if claimed is None or claimed.code not in OFFICE:
            if claimed is None and extension != ".zip":
                raise _not_allowed(name)
            if claimed is None:
                raise _not_allowed(name, "ไฟล์บีบอัด ZIP", "a ZIP archive")
            raise _refuse(
                "file_extension_mismatch",
                f"เนื้อหาไฟล์เป็นไฟล์บีบอัด (ZIP/Office) แต่ชื่อไฟล์มีนามสกุล “{extension}”",
                f"The file's content is a ZIP/Office container but its name has “{extension}”",
                name,
            )
        actual = _check_office(staged.path, name)
        if actual.code != claimed.code:
            raise _mismatch(name, actual, extension)
        return actual
    kind = KINDS[sniffed]
    if claimed is None or claimed.code != kind.code:
        raise _mismatch(name, kind, extension)
    if kind.code == "pdf":
        _check_pdf(staged, name)
    else:
        _check_image(staged.path, kind, name)
    return kind


def _check_pdf(staged: _Staged, name: str) -> None:
    with staged.path.open("rb") as fh:
        fh.seek(max(0, staged.size - 1024))
        tail = fh.read()
    if b"%%EOF" not in tail:
        raise _corrupt(
            name,
            "ไฟล์ PDF ไม่สมบูรณ์ อาจอัปโหลดไม่ครบ",
            "the PDF is truncated; it may not have uploaded completely",
        )
    try:
        reader = PdfReader(str(staged.path), strict=False)
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))
            except Exception:
                opened = False
            if not opened:
                raise _not_allowed(
                    name,
                    "PDF ที่ตั้งรหัสผ่าน ผู้ตรวจเปิดอ่านไม่ได้ กรุณาส่งฉบับที่ไม่มีรหัสผ่าน",
                    "a password-protected PDF that reviewers cannot open; send one without a password",
                )
        pages = len(reader.pages)
    except InvalidInput:
        raise
    except Exception as error:
        log.info("evidence PDF refused: %s: %s", name, error)
        raise _corrupt(name, "อ่านโครงสร้าง PDF ไม่ได้", "the PDF structure cannot be read") from None
    if pages < 1:
        raise _corrupt(name, "PDF ไม่มีหน้าใดเลย", "the PDF has no pages")


def _check_image(path: Path, kind: Kind, name: str) -> None:
    fmt = _IMAGE_FORMATS[kind.code]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[fmt]) as img:
                img.verify()
            with Image.open(path, formats=[fmt]) as img:
                if fmt == "JPEG":  # decode at 1/8 scale: every byte is still read, far less memory
                    img.draft("RGB", (max(1, img.width // 8), max(1, img.height // 8)))
                img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(
            "file_too_large",
            "ภาพมีจำนวนพิกเซลมากเกินไป กรุณาย่อขนาดภาพก่อนอัปโหลด",
            "The image has too many pixels; scale it down before uploading",
            name,
        ) from None
    except Exception as error:
        log.info("evidence image refused: %s: %s", name, error)
        raise _corrupt(
            name, f"เปิด{kind.th}ไม่ได้ หรือไฟล์ไม่สมบูรณ์", f"the {kind.en} cannot be decoded or is truncated"
        ) from None


def _main_part(content_types: str, members: set[str]) -> str | None:
    """``docx`` | ``xlsx`` | ``pptx`` from the main part the package declares (and holds);
    ``macro`` for macro-enabled packages; ``None`` when no known main part is declared."""
    found: str | None = None
    for match in _OVERRIDE.finditer(content_types):
        attrs = {
            m.group(1).split(":")[-1]: (m.group(2) or m.group(3) or "")
            for m in _ATTRIBUTE.finditer(match.group(1))
        }
        content_type = attrs.get("ContentType", "").strip().lower()
        part = attrs.get("PartName", "").strip().lstrip("/")
        if "macroenabled" in content_type:
            return "macro"
        kind = next((k for t, k in _OFFICE_MAIN.items() if t.lower() == content_type), None)
        if kind is not None and part in members:
            found = found or kind
    return found


def _check_office(path: Path, name: str) -> Kind:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            members = {i.filename for i in infos}
            if "[Content_Types].xml" not in members:
                raise _corrupt(
                    name,
                    "ไม่ใช่เอกสาร Office ที่สมบูรณ์: ไม่พบ [Content_Types].xml",
                    "not a complete Office document: [Content_Types].xml is missing",
                )
            if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNPACKED:
                raise _corrupt(name, "เนื้อหาเมื่อแตกไฟล์มีขนาดใหญ่ผิดปกติ", "it unpacks to an implausible size")
            if zf.getinfo("[Content_Types].xml").file_size > MAX_CONTENT_TYPES:
                raise _corrupt(
                    name, "[Content_Types].xml ใหญ่ผิดปกติ", "[Content_Types].xml is implausibly large"
                )
            content_types = zf.read("[Content_Types].xml").decode("utf-8", errors="replace")
            main = _main_part(content_types, members)
            if main == "macro" or any(m.lower().endswith("vbaproject.bin") for m in members):
                raise _not_allowed(
                    name,
                    "ไฟล์ Office ที่มีมาโคร กรุณาบันทึกเป็น .docx .xlsx หรือ .pptx",
                    "a macro-enabled Office file: save it as .docx, .xlsx or .pptx",
                )
            if main is None:
                raise _corrupt(
                    name,
                    "ไม่พบส่วนเนื้อหาหลักของเอกสาร Word, Excel หรือ PowerPoint",
                    "no Word, Excel or PowerPoint main part was found",
                )
            broken = zf.testzip()
    except InvalidInput:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        RuntimeError,
        NotImplementedError,
        ValueError,
        EOFError,
    ) as error:
        log.info("evidence Office file refused: %s: %s", name, error)
        raise _corrupt(name, "โครงสร้างไฟล์บีบอัดเสียหาย", "the ZIP container is damaged") from None
    if broken is not None:
        raise _corrupt(name, f"ส่วน {broken} เสียหาย", f"member {broken} is damaged")
    return KINDS[main]


# --- placing and removing the bytes --------------------------------------------------------------


def _relative(sha256: str) -> str:
    return f"{EVIDENCE_DIR}/{sha256[:2]}/{sha256}"


def _stored(relative: str) -> Path:
    root = (_media_root() / EVIDENCE_DIR).resolve()
    path = (_media_root() / relative).resolve()
    if root not in path.parents:
        raise NotFoundOrNoAccess.default()
    return path


def _sha_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _place(staged: _Staged) -> tuple[str, Path | None]:
    """Move the staged file to its content address. Returns the relative path and, when this call
    put the bytes there, the path (so that a failed transaction can take them away again)."""
    relative = _relative(staged.sha256)
    target = _media_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_file() and _sha_of(target) == staged.sha256:
        return relative, None  # the same bytes are already stored
    os.replace(staged.path, target)  # new, or repairs a damaged copy
    return relative, target


def _discard_if_unreferenced(sha256: str) -> None:
    if EvidenceFile.objects.filter(sha256=sha256).exists():
        return
    path = _media_root() / _relative(sha256)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # only when empty


# --- services ------------------------------------------------------------------------------------


def _work_of(report: Report, work_id: int | None) -> OutstandingWork | None:
    if work_id is None:
        return None
    work = OutstandingWork.objects.filter(report=report, pk=work_id).first()
    if work is None:
        raise InvalidInput.single(
            "unknown_work", "ไม่พบผลงานนี้ในรายงาน", "No such outstanding work in this report", field="work_id"
        )
    return work


def _section_of(report: Report, section_code: str | None) -> NarrativeSection | None:
    if not section_code:
        return None
    section = NarrativeSection.objects.filter(
        framework_id=report.round.framework_id, code=section_code
    ).first()
    if section is None:
        raise InvalidInput.single(
            "unknown_section",
            f"ไม่พบหัวข้อการรายงาน “{section_code}” ในกรอบการติดตามของรอบนี้",
            f"No narrative section “{section_code}” in this round's framework",
            field="section_code",
        )
    return section


def evidence_upload(
    *,
    actor: Actor,
    report_id: int,
    file: Any,
    work_id: int | None = None,
    section_code: str | None = None,
    expected_version: int,
    max_bytes: int | None = None,
) -> tuple[EvidenceFile, int]:
    """Attach an evidence file to the report (optionally to one of its works or narrative
    sections). Returns the row and the report's new ``lock_version``.

    ``file`` is a Django ``UploadedFile`` or a ``(name, binary stream)`` pair. Refusals (too large,
    empty, type not accepted, extension not matching the content, corrupt) are bilingual, on field
    ``file`` with the file's name, and write nothing.
    """
    limit = MAX_BYTES if max_bytes is None else max_bytes
    raw_name, source = _source(file)
    name = clean_name(raw_name)
    placed: Path | None = None
    sha256 = ""
    try:
        with transaction.atomic():
            report = report_for_write(actor, report_id, expected_version)
            work = _work_of(report, work_id)
            section = _section_of(report, section_code)
            if EvidenceFile.objects.filter(report=report).count() >= MAX_FILES_PER_REPORT:
                raise _refuse(
                    "too_many_files",
                    f"รายงานหนึ่งแนบหลักฐานได้ไม่เกิน {MAX_FILES_PER_REPORT} ไฟล์",
                    f"A report holds at most {MAX_FILES_PER_REPORT} evidence files",
                    name,
                )
            staged = _stage(source, name, limit)
            try:
                kind = _check(staged, name)
                sha256 = staged.sha256
                if EvidenceFile.objects.filter(
                    report=report, sha256=sha256, work=work, section=section
                ).exists():
                    raise _refuse(
                        "file_duplicate",
                        "แนบไฟล์นี้ไว้แล้ว (เนื้อหาเหมือนกันทุกไบต์)",
                        "This file is already attached (identical content)",
                        name,
                    )
                relative, placed = _place(staged)
            finally:
                staged.path.unlink(missing_ok=True)
            evidence = EvidenceFile.objects.create(
                report=report,
                work=work,
                section=section,
                original_name=name,
                content_type=kind.content_type,
                size=staged.size,
                sha256=sha256,
                stored_path=relative,
                uploaded_by=actor.username,
                uploaded_at=timezone.now(),
            )
            version = bump(report)
            audit.record(
                actor=actor,
                action=AuditEntry.Action.CREATE,
                object_type="monitoring.evidencefile",
                object_id=evidence.pk,
                object_repr=name,
                unit_path=report.esa.path,
                changes={
                    "report": report.pk,
                    "name": name,
                    "content_type": kind.content_type,
                    "size": staged.size,
                    "sha256": sha256,
                    "work": work.pk if work else None,
                    "section": section.code if section else None,
                },
            )
    except BaseException:
        if placed is not None:
            _discard_if_unreferenced(sha256)
        raise
    return evidence, version


def evidence_delete(*, actor: Actor, report_id: int, evidence_id: int, expected_version: int) -> int:
    """Remove an evidence file from the report; the bytes go when no other row names them.
    Returns the report's new ``lock_version``."""
    with transaction.atomic():
        report = report_for_write(actor, report_id, expected_version)
        evidence = EvidenceFile.objects.filter(report=report, pk=evidence_id).first()
        if evidence is None:
            raise NotFoundOrNoAccess.default()
        snapshot: dict[str, Any] = {
            "report": report.pk,
            "name": evidence.original_name,
            "size": evidence.size,
            "sha256": evidence.sha256,
            "work": evidence.work_id,
            "section": evidence.section_id,
        }
        sha256 = evidence.sha256
        evidence.delete()
        version = bump(report)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            object_type="monitoring.evidencefile",
            object_id=evidence_id,
            object_repr=evidence.original_name,
            unit_path=report.esa.path,
            changes=snapshot,
        )
        transaction.on_commit(lambda: _discard_if_unreferenced(sha256))
    return version


@dataclass
class EvidenceDownload:
    """An evidence file opened for reading, checksum verified. The caller closes ``handle``."""

    evidence: EvidenceFile
    handle: IO[bytes]
    name: str
    content_type: str
    size: int


def _integrity_error(evidence: EvidenceFile, th: str, en: str) -> Conflict:
    return Conflict(
        [
            Problem(
                code="evidence_integrity",
                th=f"{th} ระบบจึงไม่ส่งไฟล์นี้ กรุณาแจ้งผู้ดูแลระบบ และให้สำนักงานเขตแนบไฟล์อีกครั้ง",
                en=f"{en}, so it is not served. Tell the administrators; the ESA should upload it again",
                file=evidence.original_name,
            )
        ]
    )


def evidence_open(*, actor: Actor, report_id: int, evidence_id: int) -> EvidenceDownload:
    """Open an evidence file of a report the actor sees, after re-computing its SHA-256.

    A file missing from disk or whose bytes no longer match the recorded checksum (tampered or
    damaged) is refused with :class:`~suksa.core.errors.Conflict` and logged.
    """
    evidence = evidence_get(actor, report_id, evidence_id)
    path = _stored(evidence.stored_path)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        log.warning("evidence %s missing from disk: %s", evidence.pk, evidence.stored_path)
        raise _integrity_error(
            evidence, "ไม่พบไฟล์หลักฐานในที่จัดเก็บ", "The evidence file is missing from storage"
        ) from None
    digest = hashlib.sha256()
    size = 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    if digest.hexdigest() != evidence.sha256 or size != evidence.size:
        handle.close()
        log.warning("evidence %s failed its checksum: %s", evidence.pk, evidence.stored_path)
        raise _integrity_error(
            evidence,
            "ไฟล์หลักฐานถูกแก้ไขหรือเสียหายหลังอัปโหลด (ค่า SHA-256 ไม่ตรงกับที่บันทึกไว้)",
            "The evidence file changed or was damaged after upload (its SHA-256 no longer matches)",
        )
    handle.seek(0)
    return EvidenceDownload(
        evidence=evidence,
        handle=handle,
        name=evidence.original_name,
        content_type=evidence.content_type,
        size=size,
    )


def content_disposition(name: str, fallback: str) -> str:
    """``attachment`` with an ASCII ``filename`` (the name itself when plain ASCII, else
    ``fallback``) and the real name, Thai included, as RFC 5987 ``filename*`` (RFC 6266)."""
    plain = "".join(ch for ch in name if 32 <= ord(ch) < 127 and ch not in '"\\;')
    ascii_name = plain if plain == name and plain.strip(". ") else fallback
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_headers(download: EvidenceDownload) -> dict[str, str]:
    """The headers of an evidence download, the same for the web and the API: an attachment
    that no browser sniffs into something else and no shared cache keeps."""
    fallback = f"evidence-{download.evidence.pk}{extension_for(download.content_type)}"
    return {
        "Content-Type": download.content_type,
        "Content-Length": str(download.size),
        "Content-Disposition": content_disposition(download.name, fallback),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
