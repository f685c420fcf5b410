"""The one way an ESA-side write takes its report: scoped, editable, not past the lock date, and at
the version the writer read (optimistic locking).

Every ESA write (a value, a narrative, a work, an evidence file) calls :func:`report_for_write`
inside its transaction with the ``lock_version`` the client read, then :func:`bump` after writing.
A stale version raises :class:`~suksa.core.errors.Conflict` and writes nothing, so two people
editing the same report never silently overwrite each other; the second is told and shown the
newer content.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone

from suksa.core.errors import Conflict, InvalidInput, Problem
from suksa.core.i18n import label_pair
from suksa.core.policy import Actor, Perm
from suksa.domains.monitoring.models import Report
from suksa.domains.monitoring.models.choices import ReportStatus
from suksa.domains.monitoring.selectors import report_for_edit


def today() -> dt.date:
    return timezone.localdate()


def report_for_write(actor: Actor, report_id: int, expected_version: int | None) -> Report:
    """The report locked for update, or a bilingual refusal. ``expected_version=None`` skips the
    version check (only for writes that cannot lose anyone's text, e.g. time heartbeats)."""
    report_for_edit(actor, report_id)  # scope and permission (404 / 403)
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("round__framework", "esa")
        .get(pk=report_id)
    )
    if not actor.can(Perm.REPORT_EDIT, report.esa.path):
        raise InvalidInput.single("forbidden", "คุณไม่มีสิทธิ์แก้ไขรายงานนี้", "You may not edit this report")
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        status_th, status_en = label_pair(ReportStatus(report.status).label)
        raise InvalidInput.single(
            "report_not_editable",
            f"รายงานอยู่ในสถานะ “{status_th}” แก้ไขไม่ได้",
            f"The report is {status_en} and cannot be edited",
        )
    if today() > report.round.locks_on:
        raise InvalidInput.single(
            "round_locked",
            "รอบการรายงานปิดแล้ว แก้ไขหรือส่งรายงานไม่ได้",
            "The reporting round is locked: the report can no longer be edited or submitted",
        )
    if expected_version is not None and expected_version != report.lock_version:
        error = Conflict(
            [
                Problem(
                    code="stale_report",
                    th="มีผู้อื่นบันทึกรายงานนี้หลังจากที่คุณเปิด ข้อความของคุณยังไม่ถูกบันทึก โปรดดูฉบับล่าสุดแล้วบันทึกอีกครั้ง",
                    en="Someone else saved this report after you opened it; your change was not saved. "
                    "Look at the latest version and save again",
                    field="lock_version",
                )
            ]
        )
        error.current = report.lock_version
        raise error
    return report


def bump(report: Report) -> int:
    """Advance the report's version after a write; returns the new version."""
    Report.objects.filter(pk=report.pk).update(lock_version=F("lock_version") + 1, updated_at=timezone.now())
    report.lock_version += 1
    return report.lock_version
