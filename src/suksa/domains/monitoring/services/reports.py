"""Filling an ESA's report: reported values, narratives, edit time, and "report a data problem".

Every write takes the report through :func:`~suksa.domains.monitoring.services.locking.report_for_write`
(scope, ``report.edit``, status draft or returned, not past the round's lock date, the optimistic
lock) inside one transaction, writes, calls :func:`~suksa.domains.monitoring.services.locking.bump`
and records one audit entry with the old and new content. A save that changes nothing writes
nothing (no new version, no audit entry), so an autosave that fires twice is harmless.

Only values the ESA reports are written here. A pre-filled value (computed or imported from what
the platform holds) is never overwritten: the ESA raises a data problem on it instead
(:func:`problem_raise`), which the bureau resolves (:func:`problem_resolve`). A comment may be
written on any value, pre-filled or not: it is how a quality warning is answered.

Input is parsed strictly by the catalogue indicator's unit and value type (:func:`parse_value`):
Arabic or Thai digits, thousands separators (``1,234``), a leading ``+``/``-``, and the unit's own
suffix (``%`` for a percent, ``คน`` for persons, ``ชั่วโมง`` for hours, …). Anything else — text, a
decimal comma, another unit's suffix, a fraction for a whole-number indicator, a value outside the
indicator's range — is refused with a Thai and English message naming the indicator code as the
field.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from suksa.core import audit
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied, Problem
from suksa.core.i18n import label_pair
from suksa.core.models import AuditEntry
from suksa.core.policy import Actor, Perm
from suksa.domains.monitoring.models import (
    DataProblem,
    FrameworkIndicator,
    Indicator,
    NarrativeEntry,
    NarrativeSection,
    Report,
    ReportEditTime,
    ReportValue,
)
from suksa.domains.monitoring.models.choices import ProblemStatus, SourceKind, Unit, ValueOrigin, ValueType
from suksa.domains.monitoring.selectors import report_for_edit
from suksa.domains.monitoring.selectors_reports import format_number, problem_get
from suksa.domains.monitoring.services.locking import bump, report_for_write, today

__all__ = [
    "COMMENT_MAX",
    "HEARTBEAT_MAX_SECONDS",
    "NARRATIVE_MAX",
    "PROBLEM_MIN",
    "clean_text",
    "format_number",
    "narrative_save",
    "parse_value",
    "problem_raise",
    "problem_resolve",
    "record_edit_time",
    "report_touch",
    "value_save",
]

NARRATIVE_MAX = 20_000
COMMENT_MAX = 2_000
PROBLEM_MIN = 10
PROBLEM_MAX = 2_000
RESOLUTION_MAX = 2_000
RAW_MAX = 40
HEARTBEAT_MAX_SECONDS = 120

# --- parsing a typed value -----------------------------------------------------------------------

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# 1,234,567.89 (groups of three) or 1234567.89 or .5; the sign is taken off first.
_NUMBER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")
_MINUS = ("-", "\u2212", "\u2013")

# The suffixes a unit accepts after the number (compared without spaces, lower case).
UNIT_SUFFIXES: dict[str, tuple[str, ...]] = {
    Unit.PERCENT: ("%", "％"),
    Unit.PERSONS: ("คน", "person", "persons", "people"),
    Unit.HOURS: ("ชั่วโมง", "ชม.", "ชม", "h", "hr", "hrs", "hour", "hours"),
    Unit.SCORE: ("คะแนน", "point", "points"),
    Unit.COUNT: (),
    Unit.RATIO: (),
    Unit.PER_10K: (),
    Unit.INDEX: (),
}
# Every suffix that names some unit: typed after a number of another unit, it is a wrong unit.
_KNOWN_SUFFIXES = {s for suffixes in UNIT_SUFFIXES.values() for s in suffixes} | {
    "บาท", "baht", "฿", "แห่ง", "โรง", "ครั้ง", "ปี", "วัน", "เดือน", "days", "years", "schools",
}  # fmt: skip
# Words a percent may be written with before the number ("ร้อยละ 85").
_PERCENT_PREFIXES = ("ร้อยละ",)


def _unit_words(unit: str) -> tuple[str, str]:
    th, en = label_pair(Unit(unit).label)
    return th, en.lower()


def _shown(raw: str) -> str:
    text = raw.strip()
    return text if len(text) <= RAW_MAX else text[: RAW_MAX - 1] + "…"


def _bound(x: float) -> str:
    return format_number(x, grouping=True)


def _invalid(code: str, th: str, en: str, field: str) -> InvalidInput:
    return InvalidInput([Problem(code=code, th=th, en=en, field=field)])


def check_number(indicator: Indicator, number: float) -> float:
    """Type and range checks of a number already read (from a form or a spreadsheet cell)."""
    field = indicator.code
    if not math.isfinite(number):
        raise _invalid("not_a_number", "ต้องเป็นตัวเลข", "Must be a number", field)
    if indicator.value_type == ValueType.INTEGER and not float(number).is_integer():
        raise _invalid(
            "not_integer",
            "ตัวชี้วัดนี้ต้องเป็นจำนวนเต็ม (ไม่มีทศนิยม)",
            "This indicator takes a whole number (no decimals)",
            field,
        )
    lo, hi = indicator.min_value, indicator.max_value
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        if lo is not None and hi is not None:
            th, en = (
                f"ค่าต้องอยู่ระหว่าง {_bound(lo)} ถึง {_bound(hi)}",
                f"Must be between {_bound(lo)} and {_bound(hi)}",
            )
        elif lo is not None:
            th, en = f"ค่าต้องไม่น้อยกว่า {_bound(lo)}", f"Must be at least {_bound(lo)}"
        else:
            assert hi is not None
            th, en = f"ค่าต้องไม่เกิน {_bound(hi)}", f"Must be at most {_bound(hi)}"
        raise _invalid("out_of_range", th, en, field)
    return float(number)


def parse_value(indicator: Indicator, raw: str) -> float | None:
    """The number ``raw`` means for ``indicator``, ``None`` for an empty entry, or a bilingual
    refusal (field = the indicator code)."""
    field = indicator.code
    text = unicodedata.normalize("NFKC", raw or "").translate(_THAI_DIGITS)
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return None
    if len(text) > RAW_MAX:
        raise _invalid(
            "not_a_number",
            f"“{_shown(raw)}” ไม่ใช่ตัวเลข กรอกเป็นตัวเลข เช่น 12.5 หรือ 1,234",
            f"“{_shown(raw)}” is not a number: enter a number such as 12.5 or 1,234",
            field,
        )
    if indicator.unit == Unit.PERCENT:
        for prefix in _PERCENT_PREFIXES:
            if text.startswith(prefix):
                text = text[len(prefix) :].strip()
    body, suffix = _split_suffix(text)
    if suffix:
        accepted = UNIT_SUFFIXES.get(indicator.unit, ())
        if suffix.lower() not in accepted:
            if suffix.lower() in _KNOWN_SUFFIXES and _looks_numeric(body):
                unit_th, unit_en = _unit_words(indicator.unit)
                raise _invalid(
                    "wrong_unit",
                    f"หน่วยไม่ถูกต้อง: ตัวชี้วัดนี้ใช้หน่วย{unit_th} ไม่ใช่ “{suffix}”",
                    f"Wrong unit: this indicator is in {unit_en}, not “{suffix}”",
                    field,
                )
            body = text  # not a unit: the whole entry is judged as a number below
    number = _to_number(body)
    if number is None:
        raise _invalid(
            "not_a_number",
            f"“{_shown(raw)}” ไม่ใช่ตัวเลข กรอกเป็นตัวเลข เช่น 12.5 หรือ 1,234",
            f"“{_shown(raw)}” is not a number: enter a number such as 12.5 or 1,234",
            field,
        )
    return check_number(indicator, number)


def _split_suffix(text: str) -> tuple[str, str]:
    """``"12.5 %"`` → (``"12.5"``, ``"%"``); ``"12"`` → (``"12"``, ``""``)."""
    match = re.match(r"^([+\-\u2212\u2013]?[\d.,]*)\s*(.*)$", text)
    if match is None:  # pragma: no cover - the pattern matches any string
        return text, ""
    body, rest = match.group(1), match.group(2).strip()
    return body, rest


def _looks_numeric(body: str) -> bool:
    return _to_number(body) is not None


def _to_number(body: str) -> float | None:
    text = body.strip()
    negative = False
    if text[:1] in _MINUS or text[:1] == "+":
        negative = text[:1] != "+"
        text = text[1:].strip()
    if not text or not _NUMBER.match(text) or not any(c.isdigit() for c in text):
        return None
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None
    return float(-number if negative else number)


# --- text ------------------------------------------------------------------------------------------

_KEEP = {"\n", "\t"}


def clean_text(text: str) -> str:
    """NFC, Windows line ends folded, control characters (other than new line and tab) removed,
    trailing spaces of the whole text stripped."""
    value = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(c for c in value if c in _KEEP or unicodedata.category(c) != "Cc")
    return value.strip()


def _clean_comment(comment: str, field: str) -> str:
    value = clean_text(comment)
    if len(value) > COMMENT_MAX:
        raise _invalid(
            "comment_too_long",
            f"คำอธิบายยาวเกิน {COMMENT_MAX:,} ตัวอักษร (ขณะนี้ {len(value):,})",
            f"The comment is longer than {COMMENT_MAX:,} characters ({len(value):,})",
            field,
        )
    return value


def clean_narrative(text: str, field: str) -> str:
    value = clean_text(text)
    if len(value) > NARRATIVE_MAX:
        raise _invalid(
            "narrative_too_long",
            f"ข้อความยาวเกิน {NARRATIVE_MAX:,} ตัวอักษร (ขณะนี้ {len(value):,})",
            f"The text is longer than {NARRATIVE_MAX:,} characters ({len(value):,})",
            field,
        )
    return value


# --- edit time -----------------------------------------------------------------------------------


def record_edit_time(
    report: Report, actor: Actor, *, seconds: int = 0, saves: int = 0
) -> ReportEditTime | None:
    """Add to the actor's editing time of the report today (call inside the write's transaction,
    with the report row locked, so that concurrent calls cannot race on the daily row)."""
    if actor.user_id is None:
        return None
    row, _ = ReportEditTime.objects.get_or_create(report=report, user_id=actor.user_id, day=today())
    ReportEditTime.objects.filter(pk=row.pk).update(seconds=F("seconds") + seconds, saves=F("saves") + saves)
    row.refresh_from_db()
    return row


def report_touch(*, actor: Actor, report_id: int, seconds: Any, saves: int = 0) -> ReportEditTime | None:
    """The editor's heartbeat: add ``seconds`` (clamped to 0..120 per call) to the actor's time on
    the report today. No version check (it cannot lose anyone's text) and no audit entry."""
    try:
        amount = int(float(seconds))
    except (TypeError, ValueError, OverflowError):
        amount = 0
    amount = max(0, min(HEARTBEAT_MAX_SECONDS, amount))
    with transaction.atomic():
        report = report_for_write(actor, report_id, None)
        return record_edit_time(report, actor, seconds=amount, saves=max(0, int(saves)))


# --- values ----------------------------------------------------------------------------------------


def _repr(report: Report, what: str) -> str:
    return f"{report.round.key} {report.esa.code} {what}"


def _value_row(report: Report, indicator_code: str) -> ReportValue:
    row = (
        ReportValue.objects.select_for_update(of=("self",))
        .select_related("indicator")
        .filter(report=report, indicator__code=indicator_code)
        .first()
    )
    if row is not None:
        return row
    # A reported indicator of the framework whose empty row was never made (report not pre-filled).
    item = (
        FrameworkIndicator.objects.select_related("indicator")
        .filter(framework_id=report.round.framework_id, indicator__code=indicator_code)
        .first()
    )
    if item is None:
        raise NotFoundOrNoAccess.default()
    origin = (
        ValueOrigin.REPORTED if item.indicator.source_kind == SourceKind.REPORTED else ValueOrigin.PREFILLED
    )
    row = ReportValue.objects.create(report=report, indicator=item.indicator, origin=origin)
    return row


def prefilled_refusal(field: str) -> InvalidInput:
    return _invalid(
        "prefilled_value",
        "ค่านี้เติมจากข้อมูลในระบบ จึงแก้ไขในรายงานไม่ได้ หากเห็นว่าไม่ถูกต้อง โปรดใช้ “แจ้งปัญหาข้อมูล”",
        "This value is pre-filled from the platform's data and cannot be overwritten here; "
        "if you think it is wrong, use “Report a data problem”",
        field,
    )


def value_save(
    *,
    actor: Actor,
    report_id: int,
    indicator_code: str,
    raw: str | None,
    comment: str | None,
    expected_version: int | None,
) -> tuple[ReportValue, int]:
    """Save a reported value and/or the comment of any value; returns ``(value, new lock_version)``.

    ``raw=None`` leaves the number as it is (``""`` clears it); ``comment=None`` leaves the comment.
    A pre-filled value refuses any ``raw`` (its comment may still be written).
    """
    with transaction.atomic():
        report = report_for_write(actor, report_id, expected_version)
        row = _value_row(report, indicator_code)
        field = row.indicator.code
        before = {"value": row.value, "comment": row.comment}
        if raw is not None:
            if row.origin != ValueOrigin.REPORTED:
                raise prefilled_refusal(field)
            row.value = parse_value(row.indicator, raw)
        if comment is not None:
            row.comment = _clean_comment(comment, field)
        after = {"value": row.value, "comment": row.comment}
        changes = audit.diff(before, after)
        if not changes:
            return row, report.lock_version
        row.updated_at = timezone.now()
        row.updated_by = actor.username
        row.save(update_fields=["value", "comment", "updated_at", "updated_by"])
        old_version = report.lock_version
        new_version = bump(report)
        record_edit_time(report, actor, saves=1)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="monitoring.reportvalue",
            object_id=row.pk,
            object_repr=_repr(report, field),
            unit_path=report.esa.path,
            changes={**changes, "lock_version": [old_version, new_version]},
        )
    return row, new_version


def narrative_save(
    *, actor: Actor, report_id: int, section_code: str, text: str, expected_version: int | None
) -> tuple[NarrativeEntry, int]:
    """Save the Thai text of one narrative section; returns ``(entry, new lock_version)``."""
    with transaction.atomic():
        report = report_for_write(actor, report_id, expected_version)
        section = NarrativeSection.objects.filter(
            framework_id=report.round.framework_id, code=section_code
        ).first()
        if section is None:
            raise NotFoundOrNoAccess.default()
        value = clean_narrative(text, section.code)
        entry, _ = NarrativeEntry.objects.select_for_update(of=("self",)).get_or_create(
            report=report, section=section
        )
        if entry.text == value:
            return entry, report.lock_version
        old_len = len(entry.text)
        entry.text = value
        entry.updated_at = timezone.now()
        entry.updated_by = actor.username
        entry.save(update_fields=["text", "updated_at", "updated_by"])
        old_version = report.lock_version
        new_version = bump(report)
        record_edit_time(report, actor, saves=1)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="monitoring.narrativeentry",
            object_id=entry.pk,
            object_repr=_repr(report, section.code),
            unit_path=report.esa.path,
            # The text itself stays in the report; the audit keeps its size change.
            changes={"text_length": [old_len, len(value)], "lock_version": [old_version, new_version]},
        )
    return entry, new_version


# --- data problems -------------------------------------------------------------------------------


def problem_raise(*, actor: Actor, report_id: int, value_id: int, description: str) -> DataProblem:
    """An ESA's objection to a pre-filled value (instead of overwriting it), for the bureau."""
    report_for_edit(actor, report_id)  # scope (404) and report.edit (403)
    text = clean_text(description)
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("round__framework", "esa")
            .get(pk=report_id)
        )
        value = ReportValue.objects.select_related("indicator").filter(pk=value_id, report=report).first()
        if value is None:
            raise NotFoundOrNoAccess.default()
        field = value.indicator.code
        if value.origin != ValueOrigin.PREFILLED:
            raise _invalid(
                "not_prefilled",
                "แจ้งปัญหาข้อมูลได้เฉพาะค่าที่เติมจากระบบ ค่าที่ สพท. กรอกเองให้แก้ไขในรายงานได้เลย",
                "Only pre-filled values take a data problem; correct a value the ESA reports in the report itself",
                field,
            )
        if len(text) < PROBLEM_MIN:
            raise _invalid(
                "description_too_short",
                f"โปรดอธิบายปัญหาอย่างน้อย {PROBLEM_MIN} ตัวอักษร (ค่าใดผิด ควรเป็นเท่าใด ทราบได้อย่างไร)",
                f"Describe the problem in at least {PROBLEM_MIN} characters (what is wrong, what it should be, how you know)",
                "description",
            )
        if len(text) > PROBLEM_MAX:
            raise _invalid(
                "description_too_long",
                f"คำอธิบายยาวเกิน {PROBLEM_MAX:,} ตัวอักษร",
                f"The description is longer than {PROBLEM_MAX:,} characters",
                "description",
            )
        if DataProblem.objects.filter(value=value, status=ProblemStatus.OPEN).exists():
            raise _invalid(
                "problem_open",
                "มีการแจ้งปัญหาของค่านี้ไว้แล้วและยังรอส่วนกลางดำเนินการ",
                "A problem with this value has already been reported and is awaiting the bureau",
                field,
            )
        problem = DataProblem.objects.create(
            report=report,
            value=value,
            description=text,
            raised_by=actor.username,
            raised_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="monitoring.dataproblem",
            object_id=problem.pk,
            object_repr=_repr(report, f"problem {field}"),
            unit_path=report.esa.path,
            changes={
                "indicator": field,
                "value": value.value,
                "period": value.period,
                "source_value_id": value.source.get("value_id"),
                "description": text,
            },
        )
    return problem


@dataclass(frozen=True)
class _Resolution:
    status: str
    text: str


def _check_resolution(status: str, resolution: str) -> _Resolution:
    problems: list[Problem] = []
    if status not in (ProblemStatus.RESOLVED, ProblemStatus.REJECTED):
        problems.append(
            Problem(
                code="invalid_status",
                th="สถานะต้องเป็น “แก้ไขแล้ว” หรือ “ไม่พบปัญหา”",
                en="The status must be resolved or rejected",
                field="status",
            )
        )
    text = clean_text(resolution)
    if not text:
        problems.append(
            Problem(
                code="resolution_required",
                th="โปรดบันทึกผลการดำเนินการหรือเหตุผล",
                en="Say what was done, or why there is no problem",
                field="resolution",
            )
        )
    elif len(text) > RESOLUTION_MAX:
        problems.append(
            Problem(
                code="resolution_too_long",
                th=f"ข้อความยาวเกิน {RESOLUTION_MAX:,} ตัวอักษร",
                en=f"The text is longer than {RESOLUTION_MAX:,} characters",
                field="resolution",
            )
        )
    if problems:
        raise InvalidInput(problems)
    return _Resolution(status, text)


def problem_resolve(*, actor: Actor, problem_id: int, status: str, resolution: str) -> DataProblem:
    """The bureau (``monitoring.manage``) closes a data problem as resolved or rejected."""
    problem = problem_get(actor, problem_id)  # 404 out of scope
    if not actor.can(Perm.MONITORING_MANAGE, problem.report.esa.path):
        raise PermissionDenied.default()
    checked = _check_resolution(status, resolution)
    with transaction.atomic():
        locked = (
            DataProblem.objects.select_for_update(of=("self",))
            .select_related("report__round__framework", "report__esa", "value__indicator")
            .get(pk=problem.pk)
        )
        if locked.status != ProblemStatus.OPEN:
            raise _invalid(
                "problem_closed",
                "ปัญหานี้ดำเนินการเสร็จแล้ว",
                "This problem has already been closed",
                "status",
            )
        locked.status = checked.status
        locked.resolution = checked.text
        locked.resolved_by = actor.username
        locked.resolved_at = timezone.now()
        locked.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="monitoring.dataproblem",
            object_id=locked.pk,
            object_repr=_repr(locked.report, f"problem {locked.value.indicator.code}"),
            unit_path=locked.report.esa.path,
            changes={"status": [ProblemStatus.OPEN.value, checked.status], "resolution": checked.text},
        )
    return locked
