"""The ESA's ranked top-5 outstanding works (ผลงานที่ประสบความสำเร็จ) and the bureau's verification.

The ESA (``report.edit``) adds, edits, removes and re-ranks its works while the report is a draft
or returned, through :func:`~suksa.domains.monitoring.services.locking.report_for_write` (scope,
status, lock date, optimistic lock) and ``bump``. Ranks stay dense: 1..n, n ≤ ``MAX_WORKS``.

A reviewer verifies each work (verified / partly / not verified, with a note unless verified)
while the report is submitted or in review: :func:`work_verify`. Changing a work's content after it
was verified (a returned report) sends it back to *pending*: the reviewer must look again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from suksa.core import audit
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, Problem
from suksa.core.models import AuditEntry
from suksa.core.policy import Actor
from suksa.domains.monitoring.models import MAX_WORKS, Indicator, OutstandingWork, Report, Standard
from suksa.domains.monitoring.models.choices import ReportStatus, Verification
from suksa.domains.monitoring.selectors_works import work_for_review
from suksa.domains.monitoring.services.locking import bump, report_for_write

__all__ = [
    "MAX_INDICATORS",
    "MAX_TEXT",
    "MAX_TITLE",
    "MAX_WORKS",
    "VERIFY_CHOICES",
    "work_delete",
    "work_save",
    "work_verify",
    "works_reorder",
]

MAX_TITLE = 255
MAX_TEXT = 10_000
MAX_INDICATORS = 10
VERIFY_CHOICES = (Verification.VERIFIED, Verification.PARTLY, Verification.NOT_VERIFIED)
_CONTENT = ("title", "description", "practices", "results_claimed", "standard_code", "indicator_codes")
_REVIEWABLE = (ReportStatus.SUBMITTED, ReportStatus.IN_REVIEW)


def _content(work: OutstandingWork) -> dict[str, Any]:
    return {
        "title": work.title,
        "description": work.description,
        "practices": work.practices,
        "results_claimed": work.results_claimed,
        "standard_code": work.standard.code if work.standard_id and work.standard else None,
        "indicator_codes": list(work.indicator_codes or []),
    }


def _clean(
    *,
    title: str,
    description: str,
    practices: str,
    results_claimed: str,
    standard_code: str | None,
    indicator_codes: Sequence[str] | None,
) -> tuple[dict[str, Any], Standard | None]:
    """Validated fields, or every problem at once (bilingual, by field)."""
    problems: list[Problem] = []
    title = (title or "").strip()
    description = (description or "").strip()
    practices = (practices or "").strip()
    results_claimed = (results_claimed or "").strip()
    if not title:
        problems.append(Problem("required", "กรุณากรอกชื่อผลงาน", "Enter the work's title", field="title"))
    elif len(title) > MAX_TITLE:
        problems.append(
            Problem(
                "too_long",
                f"ชื่อผลงานยาวเกิน {MAX_TITLE} ตัวอักษร (มี {len(title)})",
                f"The title is longer than {MAX_TITLE} characters ({len(title)})",
                field="title",
            )
        )
    if not description:
        problems.append(Problem("required", "กรุณาอธิบายผลงาน", "Describe the work", field="description"))
    for field, value, th, en in (
        ("description", description, "คำอธิบาย", "The description"),
        ("practices", practices, "วิธีปฏิบัติ", "The practices"),
        ("results_claimed", results_claimed, "ผลที่เกิดขึ้น", "The results claimed"),
    ):
        if len(value) > MAX_TEXT:
            problems.append(
                Problem(
                    "too_long",
                    f"{th}ยาวเกิน {MAX_TEXT:,} ตัวอักษร",
                    f"{en} is longer than {MAX_TEXT:,} characters",
                    field=field,
                )
            )
    standard: Standard | None = None
    code = (standard_code or "").strip()
    if code:
        standard = Standard.objects.filter(code=code).first()
        if standard is None:
            problems.append(
                Problem(
                    "unknown_standard",
                    f"ไม่พบมาตรฐาน “{code}”",
                    f"No ESA standard “{code}”",
                    field="standard_code",
                )
            )
    codes: list[str] = []
    for raw in indicator_codes or []:
        c = str(raw).strip()
        if c and c not in codes:
            codes.append(c)
    if len(codes) > MAX_INDICATORS:
        problems.append(
            Problem(
                "too_many",
                f"ระบุตัวชี้วัดได้ไม่เกิน {MAX_INDICATORS} ตัว",
                f"Name at most {MAX_INDICATORS} indicators",
                field="indicator_codes",
            )
        )
    elif codes:
        known = set(Indicator.objects.filter(is_current=True, code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            listed = ", ".join(unknown)
            problems.append(
                Problem(
                    "unknown_indicator",
                    f"ไม่พบตัวชี้วัดในบัญชีตัวชี้วัดปัจจุบัน: {listed}",
                    f"Not indicators of the current catalogue: {listed}",
                    field="indicator_codes",
                )
            )
    if problems:
        raise InvalidInput(problems)
    values = {
        "title": title,
        "description": description,
        "practices": practices,
        "results_claimed": results_claimed,
        "standard_code": standard.code if standard else None,
        "indicator_codes": codes,
    }
    return values, standard


def _work_in(report: Report, work_id: int) -> OutstandingWork:
    work = OutstandingWork.objects.select_related("standard").filter(report=report, pk=work_id).first()
    if work is None:
        raise NotFoundOrNoAccess.default()
    return work


def work_save(
    *,
    actor: Actor,
    report_id: int,
    work_id: int | None,
    title: str,
    description: str,
    practices: str = "",
    results_claimed: str = "",
    standard_code: str | None = None,
    indicator_codes: Sequence[str] | None = None,
    expected_version: int,
) -> tuple[OutstandingWork, int]:
    """Add a work (``work_id=None``; it takes the next rank) or change one. Returns the work and
    the report's ``lock_version`` (unchanged when nothing changed)."""
    with transaction.atomic():
        report = report_for_write(actor, report_id, expected_version)
        values, standard = _clean(
            title=title,
            description=description,
            practices=practices,
            results_claimed=results_claimed,
            standard_code=standard_code,
            indicator_codes=indicator_codes,
        )
        now = timezone.now()
        if work_id is None:
            count = OutstandingWork.objects.filter(report=report).count()
            if count >= MAX_WORKS:
                raise InvalidInput.single(
                    "too_many_works",
                    f"เสนอผลงานที่ประสบความสำเร็จได้ไม่เกิน {MAX_WORKS} ผลงาน กรุณาลบหรือแก้ไขผลงานเดิม",
                    f"At most {MAX_WORKS} outstanding works may be nominated; remove or edit one",
                )
            work = OutstandingWork.objects.create(
                report=report,
                rank=count + 1,
                title=values["title"],
                description=values["description"],
                practices=values["practices"],
                results_claimed=values["results_claimed"],
                standard=standard,
                indicator_codes=values["indicator_codes"],
                updated_at=now,
            )
            action = AuditEntry.Action.CREATE
            changes: dict[str, Any] = {"rank": work.rank, **values}
        else:
            work = _work_in(report, work_id)
            before = _content(work)
            changes = audit.diff(before, values)
            if not changes:
                return work, report.lock_version
            work.title = values["title"]
            work.description = values["description"]
            work.practices = values["practices"]
            work.results_claimed = values["results_claimed"]
            work.standard = standard
            work.indicator_codes = values["indicator_codes"]
            work.updated_at = now
            if work.verification != Verification.PENDING:
                changes["verification"] = [work.verification, Verification.PENDING.value]
                work.verification = Verification.PENDING
                work.verification_note = ""
                work.verified_by = None
                work.verified_at = None
            work.save()
            action = AuditEntry.Action.UPDATE
        version = bump(report)
        audit.record(
            actor=actor,
            action=action,
            object_type="monitoring.outstandingwork",
            object_id=work.pk,
            object_repr=f"#{work.rank} {work.title}",
            unit_path=report.esa.path,
            changes={"report": report.pk, **changes},
        )
    return work, version


def work_delete(*, actor: Actor, report_id: int, work_id: int, expected_version: int) -> int:
    """Remove a work; the ones below move up (ranks stay 1..n). Its evidence files stay with the
    report, no longer attached to a work. Returns the report's new ``lock_version``."""
    with transaction.atomic():
        report = report_for_write(actor, report_id, expected_version)
        work = _work_in(report, work_id)
        snapshot = {"report": report.pk, "rank": work.rank, **_content(work)}
        rank = work.rank
        work.delete()
        OutstandingWork.objects.filter(report=report, rank__gt=rank).update(rank=F("rank") - 1)
        version = bump(report)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            object_type="monitoring.outstandingwork",
            object_id=work_id,
            object_repr=f"#{rank} {snapshot['title']}",
            unit_path=report.esa.path,
            changes=snapshot,
        )
    return version


def works_reorder(
    *, actor: Actor, report_id: int, ordered_ids: Sequence[int], expected_version: int
) -> tuple[list[OutstandingWork], int]:
    """Re-rank the report's works: ``ordered_ids`` lists every work of the report once, best first.
    Returns the works in their new order and the report's ``lock_version``."""
    with transaction.atomic():
        report = report_for_write(actor, report_id, expected_version)
        works = list(OutstandingWork.objects.filter(report=report).order_by("rank", "id"))
        current = [w.pk for w in works]
        try:
            wanted = [int(i) for i in ordered_ids]
        except (TypeError, ValueError):
            wanted = []
        if len(wanted) != len(current) or set(wanted) != set(current):
            raise InvalidInput.single(
                "not_a_permutation",
                "ลำดับใหม่ต้องระบุผลงานทุกผลงานของรายงานนี้ ผลงานละหนึ่งครั้ง",
                "The new order must name every work of this report exactly once",
                field="ordered_ids",
            )
        if wanted == current:
            return works, report.lock_version
        by_id = {w.pk: w for w in works}
        ordered = [by_id[i] for i in wanted]
        for rank, work in enumerate(ordered, start=1):
            work.rank = rank
        OutstandingWork.objects.bulk_update(ordered, ["rank"])
        version = bump(report)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="monitoring.report",
            object_id=report.pk,
            object_repr=f"{report} works order",
            unit_path=report.esa.path,
            changes={"works_order": [current, wanted]},
        )
    return ordered, version


def work_verify(*, actor: Actor, work_id: int, verification: str, note: str) -> OutstandingWork:
    """A reviewer's verdict on one nominated work (the report assigned to them, or any report for
    an M&E officer), while the report is submitted or in review. A note is required unless the work
    is verified in full."""
    with transaction.atomic():
        work = work_for_review(actor, work_id)  # 404 out of scope, 403 not the reviewer
        report = Report.objects.select_for_update(of=("self",)).select_related("esa").get(pk=work.report_id)
        if report.status not in _REVIEWABLE:
            raise InvalidInput.single(
                "report_not_in_review",
                "ตรวจสอบผลงานได้เฉพาะรายงานที่ส่งแล้วหรืออยู่ระหว่างพิจารณา",
                "Works can be verified only while the report is submitted or in review",
            )
        problems: list[Problem] = []
        if verification not in VERIFY_CHOICES:
            problems.append(
                Problem(
                    "invalid_choice",
                    "ผลการตรวจสอบต้องเป็น ยืนยันแล้ว ยืนยันบางส่วน หรือไม่ยืนยัน",
                    "The verification must be verified, partly or not_verified",
                    field="verification",
                )
            )
        note = (note or "").strip()
        if verification != Verification.VERIFIED and not note:
            problems.append(
                Problem(
                    "note_required",
                    "กรุณาระบุเหตุผลเมื่อยืนยันเพียงบางส่วนหรือไม่ยืนยัน",
                    "Give the reason when a work is only partly verified or not verified",
                    field="note",
                )
            )
        elif len(note) > MAX_TEXT:
            problems.append(
                Problem(
                    "too_long",
                    f"บันทึกยาวเกิน {MAX_TEXT:,} ตัวอักษร",
                    f"The note is longer than {MAX_TEXT:,} characters",
                    field="note",
                )
            )
        if problems:
            raise InvalidInput(problems)
        work = OutstandingWork.objects.select_for_update(of=("self",)).get(pk=work_id)
        before = {"verification": work.verification, "verification_note": work.verification_note}
        work.verification = verification
        work.verification_note = note
        work.verified_by_id = actor.user_id
        work.verified_at = timezone.now()
        work.save(update_fields=["verification", "verification_note", "verified_by", "verified_at"])
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="monitoring.outstandingwork",
            object_id=work.pk,
            object_repr=f"#{work.rank} {work.title}",
            unit_path=report.esa.path,
            changes={
                "report": report.pk,
                **audit.diff(before, {"verification": verification, "verification_note": note}),
            },
        )
    return work
