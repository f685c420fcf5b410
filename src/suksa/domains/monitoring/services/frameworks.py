"""Set up a fiscal year's monitoring: the framework, its items, sections, target areas, rounds and
its own validation rules.

Only national M&E officers (``monitoring.manage`` at the nation) write; each write is one
transaction with one audit entry. A closed framework is a record: nothing in it changes.

Decisions worth knowing:

- Status moves forward only: draft → active (needs at least one indicator and one round) →
  closed.
- An item pins the indicator's *current* version. Removing an item is refused once any report of
  the framework exists (the reports already show it), and while a framework rule reads it.
- Target areas are replaced as a whole (a list of ESA codes, or a file with one ESA code per row;
  every bad row is reported with its number and nothing is written).
- Round dates: ``period_start ≤ period_end`` inside the fiscal year (1 October – 30 September) and
  ``opens_on ≤ due_on ≤ locks_on``. A round past its lock date keeps its dates (reopening a locked
  round would let reports change without an amendment; changes after locking are amendments), and
  a new lock date cannot lie in the past (to lock a round now, set it to today). Once the round has
  reports its period is fixed: the pre-filled values were picked for that period. Due and lock
  dates of an open round may move (e.g. an extension); reports already approved or locked stay as
  they are because only draft or returned reports are editable.
- Rules of a framework (``ValidationRule`` with this framework) are checked with the global rules;
  their ``params`` are validated per kind against the model's docstring, and every indicator they
  name must be in the framework. ``required`` applies only to indicators the ESA reports (a
  pre-filled value cannot be typed). Rules are deactivated, not deleted. Global rules (no
  framework) belong to the seeded catalogue and are not edited here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from django.db import transaction

from suksa.core import audit
from suksa.core.dates import to_ce_year
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, Problem
from suksa.core.i18n import label_pair
from suksa.core.models import AuditEntry, OrgUnit
from suksa.core.policy import Actor
from suksa.core.tabular import Column, read_rows
from suksa.domains.monitoring.models import (
    Framework,
    FrameworkIndicator,
    Indicator,
    NarrativeSection,
    Report,
    Round,
    Standard,
    TargetArea,
    ValidationRule,
)
from suksa.domains.monitoring.models.choices import FrameworkStatus, RuleKind, Severity, SourceKind
from suksa.domains.monitoring.periods import ROUND_MONTHS, default_round_dates, round_names
from suksa.domains.monitoring.services.catalogue import FISCAL_YEAR_MAX, FISCAL_YEAR_MIN, require_manage
from suksa.domains.monitoring.services.frameworks_default import framework_build
from suksa.domains.monitoring.services.locking import today

SLUG_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
STATUS_NEXT = {
    FrameworkStatus.DRAFT: {FrameworkStatus.ACTIVE},
    FrameworkStatus.ACTIVE: {FrameworkStatus.CLOSED},
}
FRAMEWORK_FIELDS = (
    "name_th",
    "name_en",
    "description_th",
    "description_en",
    "target_group_th",
    "target_group_en",
)
ROUND_DATES = ("period_start", "period_end", "opens_on", "due_on", "locks_on")
COMPARE_OPS = ("<=", "<", ">=", ">", "==")
CONDITION_OPS = (">", "<", ">=", "<=")


def _p(code: str, th: str, en: str, field: str | None = None, **where: Any) -> Problem:
    return Problem(code=code, th=th, en=en, field=field, **where)


def _framework_for_write(framework_id: int) -> Framework:
    fw = Framework.objects.select_for_update(of=("self",)).filter(pk=framework_id).first()
    if fw is None:
        raise NotFoundOrNoAccess.default()
    if fw.status == FrameworkStatus.CLOSED:
        raise InvalidInput.single(
            "framework_closed",
            f"กรอบปีงบประมาณ {fw.fiscal_year} ปิดแล้ว แก้ไขไม่ได้",
            f"The FY {fw.fiscal_year} framework is closed and cannot change",
        )
    return fw


def _has_reports(fw: Framework) -> bool:
    return Report.objects.filter(round__framework=fw).exists()


# --- the framework ---------------------------------------------------------------------------


def framework_create(
    *,
    actor: Actor,
    fiscal_year: int,
    from_catalogue: bool = True,
    months: Iterable[int] = (6, 12),
    name_th: str = "",
    name_en: str = "",
) -> Framework:
    """A draft framework for ``fiscal_year``: built from the current catalogue (every current
    indicator, the default narrative sections, rounds of ``months`` with default dates) or empty."""
    require_manage(actor)
    months = sorted(set(months))
    problems: list[Problem] = []
    if not FISCAL_YEAR_MIN <= int(fiscal_year) <= FISCAL_YEAR_MAX:
        problems.append(
            _p(
                "fiscal_year_invalid",
                f"ปีงบประมาณต้องเป็นปี พ.ศ. {FISCAL_YEAR_MIN}–{FISCAL_YEAR_MAX}",
                f"The fiscal year must be a BE year {FISCAL_YEAR_MIN}–{FISCAL_YEAR_MAX}",
                "fiscal_year",
            )
        )
    if any(m not in ROUND_MONTHS for m in months):
        problems.append(
            _p(
                "months_invalid",
                "รอบต้องเป็น 3, 6, 9 หรือ 12 เดือน",
                "Rounds are of 3, 6, 9 or 12 months",
                "months",
            )
        )
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        if Framework.objects.filter(fiscal_year=fiscal_year).exists():
            raise InvalidInput.single(
                "framework_exists",
                f"มีกรอบของปีงบประมาณ {fiscal_year} แล้ว",
                f"A framework for FY {fiscal_year} exists",
                field="fiscal_year",
            )
        if from_catalogue:
            fw = framework_build(fiscal_year, months=months, status=FrameworkStatus.DRAFT)
        else:
            fw = Framework.objects.create(
                fiscal_year=fiscal_year,
                name_th=f"กรอบการติดตามและประเมินผล สพท. ปีงบประมาณ {fiscal_year}",
                name_en=f"ESA monitoring framework, FY {fiscal_year}",
                status=FrameworkStatus.DRAFT,
            )
        changed = False
        if name_th.strip():
            fw.name_th, changed = name_th.strip()[:255], True
        if name_en.strip():
            fw.name_en, changed = name_en.strip()[:255], True
        if changed:
            fw.save(update_fields=["name_th", "name_en"])
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="monitoring.framework",
            object_id=fw.pk,
            object_repr=str(fw),
            changes={
                "fiscal_year": fiscal_year,
                "from_catalogue": from_catalogue,
                "items": fw.items.count(),
                "sections": fw.sections.count(),
                "rounds": [r.code for r in fw.rounds.all()],
            },
        )
    return fw


def framework_update(*, actor: Actor, framework_id: int, changes: Mapping[str, Any]) -> Framework:
    """Edit names, descriptions, the target group's name, and move the status forward."""
    require_manage(actor)
    unknown = sorted(set(changes) - set(FRAMEWORK_FIELDS) - {"status"})
    if unknown:
        raise InvalidInput.single(
            "unknown_field", "แก้ไขช่องนี้ไม่ได้: " + ", ".join(unknown), "Cannot change: " + ", ".join(unknown),
            field=unknown[0],
        )  # fmt: skip
    with transaction.atomic():
        fw = _framework_for_write(framework_id)
        before = audit.snapshot(fw, [*FRAMEWORK_FIELDS, "status"])
        problems: list[Problem] = []
        for name in FRAMEWORK_FIELDS:
            if name in changes:
                text = str(changes[name] or "").strip()
                if name in ("name_th", "name_en") and not text:
                    problems.append(_p("required", "ต้องกรอกช่องนี้", "This field is required", name))
                limit = 255 if not name.startswith("description") else 5000
                setattr(fw, name, text[:limit])
        status = changes.get("status")
        if status is not None and status != fw.status:
            if status not in STATUS_NEXT.get(FrameworkStatus(fw.status), set()):
                problems.append(
                    _p(
                        "status_transition",
                        f"เปลี่ยนสถานะจาก {_label(fw.status, 'th')} เป็น {status} ไม่ได้ (ร่าง → ใช้งาน → ปิด)",
                        f"Cannot move from {_label(fw.status, 'en')} to {status} (draft → active → closed)",
                        "status",
                    )
                )
            elif status == FrameworkStatus.ACTIVE and (not fw.items.exists() or not fw.rounds.exists()):
                problems.append(
                    _p(
                        "framework_incomplete",
                        "เปิดใช้กรอบได้เมื่อมีตัวชี้วัดและรอบการรายงานอย่างน้อยอย่างละหนึ่ง",
                        "A framework needs at least one indicator and one round before it is activated",
                        "status",
                    )
                )
            else:
                fw.status = status
        if problems:
            raise InvalidInput(problems)
        diff = audit.diff(before, audit.snapshot(fw, [*FRAMEWORK_FIELDS, "status"]))
        if diff:
            fw.save()
            audit.record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                object_type="monitoring.framework",
                object_id=fw.pk,
                object_repr=str(fw),
                changes=diff,
            )
    return fw


def _label(status: str, language: str) -> str:
    th, en = label_pair(FrameworkStatus(status).label)
    return th if language == "th" else en


# --- items -----------------------------------------------------------------------------------


def _standard(code: str | None, field: str = "standard") -> Standard:
    std = Standard.objects.filter(code=code).first() if code else None
    if std is None:
        raise InvalidInput.single(
            "standard_unknown", f"ไม่พบมาตรฐาน '{code}'", f"Unknown standard '{code}'", field=field
        )
    return std


def framework_item_add(
    *,
    actor: Actor,
    framework_id: int,
    indicator_code: str,
    standard_code: str | None = None,
    required: bool = True,
) -> FrameworkIndicator:
    """Add the current version of ``indicator_code`` to the framework (under ``standard_code``, by
    default the indicator's first standard)."""
    require_manage(actor)
    with transaction.atomic():
        fw = _framework_for_write(framework_id)
        ind = (
            Indicator.objects.prefetch_related("standards")
            .filter(code=indicator_code, is_current=True)
            .first()
        )
        if ind is None:
            raise InvalidInput.single(
                "indicator_unknown",
                f"ไม่พบตัวชี้วัด '{indicator_code}' ที่ใช้อยู่ในบัญชีตัวชี้วัด",
                f"No current catalogue indicator '{indicator_code}'",
                field="indicator_code",
            )
        if fw.items.filter(indicator__code=indicator_code).exists():
            raise InvalidInput.single(
                "item_exists",
                f"ตัวชี้วัด {indicator_code} อยู่ในกรอบนี้แล้ว",
                f"{indicator_code} is already in this framework",
                field="indicator_code",
            )
        if standard_code:
            std = _standard(standard_code, "standard_code")
        else:
            std = min(ind.standards.all(), key=lambda s: s.order, default=None) or _standard(
                "3", "standard_code"
            )
        order = max(fw.items.values_list("order", flat=True), default=-1) + 1
        item = FrameworkIndicator.objects.create(
            framework=fw, indicator=ind, standard=std, order=order, required=required
        )
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="monitoring.frameworkindicator",
            object_id=item.pk,
            object_repr=f"{fw} {ind}",
            changes={"framework": fw.pk, "indicator": str(ind), "standard": std.code, "required": required},
        )
    return item


def framework_item_update(
    *,
    actor: Actor,
    framework_id: int,
    indicator_code: str,
    standard_code: str | None = None,
    required: bool | None = None,
    order: int | None = None,
) -> FrameworkIndicator:
    require_manage(actor)
    with transaction.atomic():
        fw = _framework_for_write(framework_id)
        item = fw.items.select_related("indicator", "standard").filter(indicator__code=indicator_code).first()
        if item is None:
            raise NotFoundOrNoAccess.default()
        before = {"standard": item.standard.code, "required": item.required, "order": item.order}
        if standard_code:
            item.standard = _standard(standard_code, "standard_code")
        if required is not None:
            item.required = required
        if order is not None:
            if not 0 <= order <= 1000:
                raise InvalidInput.single(
                    "order_invalid", "ลำดับต้องอยู่ระหว่าง 0–1000", "Order must be 0–1000", field="order"
                )
            item.order = order
        diff = audit.diff(
            before, {"standard": item.standard.code, "required": item.required, "order": item.order}
        )
        if diff:
            item.save()
            audit.record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                object_type="monitoring.frameworkindicator",
                object_id=item.pk,
                object_repr=f"{fw} {item.indicator}",
                changes=diff,
            )
    return item


def framework_item_remove(*, actor: Actor, framework_id: int, indicator_code: str) -> None:
    require_manage(actor)
    with transaction.atomic():
        fw = _framework_for_write(framework_id)
        item = fw.items.select_related("indicator").filter(indicator__code=indicator_code).first()
        if item is None:
            raise NotFoundOrNoAccess.default()
        if _has_reports(fw):
            raise InvalidInput.single(
                "framework_has_reports",
                "กรอบนี้มีรายงานของ สพท. แล้ว นำตัวชี้วัดออกไม่ได้ (รายงานแสดงตัวชี้วัดนี้อยู่)",
                "Reports of this framework exist and show this indicator: it cannot be removed",
                field="indicator_code",
            )
        users = [
            r.code for r in fw.rules.filter(active=True) if indicator_code in _rule_codes(r.kind, r.params)
        ]
        if users:
            raise InvalidInput.single(
                "rule_uses_indicator",
                "กฎตรวจสอบต่อไปนี้ใช้ตัวชี้วัดนี้อยู่ ปิดใช้กฎก่อน: " + ", ".join(users),
                "These rules read the indicator; deactivate them first: " + ", ".join(users),
                field="indicator_code",
            )
        audit.record(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            object_type="monitoring.frameworkindicator",
            object_id=item.pk,
            object_repr=f"{fw} {item.indicator}",
            changes={"framework": fw.pk, "indicator": str(item.indicator)},
        )
        item.delete()


# --- narrative sections ----------------------------------------------------------------------

SECTION_FIELDS = (
    "standard_code",
    "title_th",
    "title_en",
    "guidance_th",
    "guidance_en",
    "required",
    "min_chars",
    "order",
)


def _section_values(data: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "standard_code" in data:
        std = Standard.objects.filter(code=data["standard_code"]).first()
        if std is None:
            problems.append(
                _p(
                    "standard_unknown",
                    f"ไม่พบมาตรฐาน '{data['standard_code']}'",
                    "Unknown standard",
                    "standard_code",
                )
            )
        out["standard"] = std
    for name in ("title_th", "title_en"):
        if name in data:
            text = str(data[name] or "").strip()
            if not text:
                problems.append(_p("required", "ต้องกรอกช่องนี้", "This field is required", name))
            out[name] = text[:255]
    for name in ("guidance_th", "guidance_en"):
        if name in data:
            out[name] = str(data[name] or "").strip()[:5000]
    if "required" in data:
        out["required"] = bool(data["required"])
    for name, hi in (("min_chars", 20000), ("order", 1000)):
        if name in data and data[name] is not None:
            try:
                number = int(data[name])
            except (TypeError, ValueError):
                number = -1
            if not 0 <= number <= hi:
                problems.append(
                    _p(f"{name}_invalid", f"ต้องเป็นจำนวนเต็ม 0–{hi}", f"Must be a whole number 0–{hi}", name)
                )
            out[name] = number
    return out


def section_add(
    *,
    actor: Actor,
    framework_id: int,
    code: str,
    standard_code: str,
    title_th: str,
    title_en: str,
    guidance_th: str = "",
    guidance_en: str = "",
    required: bool = True,
    min_chars: int = 0,
) -> NarrativeSection:
    require_manage(actor)
    problems: list[Problem] = []
    if not SLUG_RE.match(code or ""):
        problems.append(
            _p(
                "code_invalid",
                "รหัสหัวข้อต้องเป็นอักษรอังกฤษตัวเล็ก ตัวเลข หรือ _ (2–40 ตัว) ขึ้นต้นด้วยตัวอักษร",
                "The section code must be lower-case letters, digits or _ (2–40), starting with a letter",
                "code",
            )
        )
    values = _section_values(
        {"standard_code": standard_code, "title_th": title_th, "title_en": title_en, "guidance_th": guidance_th,
         "guidance_en": guidance_en, "required": required, "min_chars": min_chars},
        problems,
    )  # fmt: skip
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        fw = _framework_for_write(framework_id)
        if fw.sections.filter(code=code).exists():
            raise InvalidInput.single(
                "section_exists", f"มีหัวข้อรหัส {code} แล้ว", f"Section {code} exists", field="code"
            )
        order = max(fw.sections.values_list("order", flat=True), default=-1) + 1
        section = NarrativeSection.objects.create(framework=fw, code=code, order=order, **values)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="monitoring.narrativesection",
            object_id=section.pk,
            object_repr=str(section),
            changes={"framework": fw.pk, "code": code, "standard": standard_code, "title_th": section.title_th,
                     "required": section.required, "min_chars": section.min_chars},
        )  # fmt: skip
    return section


def section_update(*, actor: Actor, section_id: int, changes: Mapping[str, Any]) -> NarrativeSection:
    require_manage(actor)
    unknown = sorted(set(changes) - set(SECTION_FIELDS))
    if unknown:
        raise InvalidInput.single(
            "unknown_field", "แก้ไขช่องนี้ไม่ได้: " + ", ".join(unknown), "Cannot change: " + ", ".join(unknown),
            field=unknown[0],
        )  # fmt: skip
    problems: list[Problem] = []
    values = _section_values(changes, problems)
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        section = NarrativeSection.objects.select_related("standard").filter(pk=section_id).first()
        if section is None:
            raise NotFoundOrNoAccess.default()
        _framework_for_write(section.framework_id)
        fields = [*(k for k in values if k != "standard"), *(["standard"] if "standard" in values else [])]
        before = {f: (section.standard.code if f == "standard" else getattr(section, f)) for f in fields}
        for name, value in values.items():
            setattr(section, name, value)
        after = {f: (section.standard.code if f == "standard" else getattr(section, f)) for f in fields}
        diff = audit.diff(before, after)
        if diff:
            section.save()
            audit.record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                object_type="monitoring.narrativesection",
                object_id=section.pk,
                object_repr=str(section),
                changes=diff,
            )
    return section


# --- target areas ----------------------------------------------------------------------------

AREA_COLUMNS = (Column("esa_code", ("รหัส สพท.", "รหัสเขตพื้นที่", "esa", "esa code", "code")),)


def target_areas_set(
    *,
    actor: Actor,
    framework_id: int,
    esa_codes: Sequence[str],
    rows: Sequence[int] | None = None,
    filename: str | None = None,
    column: str | None = None,
) -> int:
    """Replace the framework's target areas with the ESAs of ``esa_codes``; every code that is not
    an ESA is reported (with its row number when ``rows`` gives them) and nothing is written.
    Returns the number of target areas."""
    require_manage(actor)
    codes = [str(c).strip() for c in esa_codes]
    where_rows: list[int | None] = list(rows) if rows is not None else [None] * len(codes)
    with transaction.atomic():
        fw = _framework_for_write(framework_id)
        esas = {
            u.code: u
            for u in OrgUnit.objects.filter(
                code__in=[c for c in codes if c], kind=OrgUnit.Kind.ESA, is_active=True
            )
        }
        problems: list[Problem] = []
        for index, (code, row) in enumerate(zip(codes, where_rows, strict=True)):
            where: dict[str, Any] = (
                {"row": row, "file": filename, "column": column}
                if row is not None
                else {"field": f"esa_codes[{index}]"}
            )
            if code not in esas:
                problems.append(
                    Problem(
                        code="not_an_esa",
                        th=f"'{code}' ไม่ใช่รหัสสำนักงานเขตพื้นที่การศึกษาที่ใช้งานอยู่",
                        en=f"'{code}' is not the code of an active ESA",
                        **where,
                    )
                )
        if problems:
            raise InvalidInput(problems)
        wanted = {esas[c].pk for c in codes}
        have = set(fw.target_areas.values_list("unit_id", flat=True))
        TargetArea.objects.filter(framework=fw, unit_id__in=have - wanted).delete()
        TargetArea.objects.bulk_create([TargetArea(framework=fw, unit_id=u) for u in sorted(wanted - have)])
        by_id = {u.pk: c for c, u in esas.items()}
        if wanted != have:
            audit.record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                object_type="monitoring.framework",
                object_id=fw.pk,
                object_repr=f"{fw} target areas",
                changes={
                    "target_areas_added": sorted(by_id[u] for u in wanted - have),
                    "target_areas_removed": sorted(
                        OrgUnit.objects.filter(pk__in=have - wanted).values_list("code", flat=True)
                    ),
                    "target_areas": len(wanted),
                    "file": filename or "",
                },
            )
    return len(wanted)


def target_areas_import(*, actor: Actor, framework_id: int, file: IO[bytes], filename: str) -> int:
    """Replace the target areas from a CSV/XLSX file with a column of ESA codes (``รหัส สพท.``)."""
    require_manage(actor)
    rows = list(read_rows(file, filename, AREA_COLUMNS))
    if not rows:
        raise InvalidInput.single(
            "file_no_rows", "ไม่มีแถวข้อมูลในไฟล์", "The file has no data rows", file=filename
        )
    column = rows[0].columns.get("esa_code", "esa_code")
    return target_areas_set(
        actor=actor,
        framework_id=framework_id,
        esa_codes=[r.values["esa_code"] for r in rows],
        rows=[r.number for r in rows],
        filename=filename,
        column=column,
    )


# --- rounds ----------------------------------------------------------------------------------


def _date(value: Any, field: str, problems: list[Problem]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(_p("date_invalid", "วันที่ไม่ถูกต้อง", "Not a valid date", field))
        return None


def _check_round_dates(fw: Framework, d: Mapping[str, dt.date], problems: list[Problem]) -> None:
    fy_start = dt.date(to_ce_year(fw.fiscal_year) - 1, 10, 1)
    fy_end = dt.date(to_ce_year(fw.fiscal_year), 9, 30)
    if d["period_start"] > d["period_end"]:
        problems.append(
            _p(
                "period_order",
                "วันเริ่มช่วงข้อมูลต้องไม่หลังวันสิ้นสุด",
                "The period cannot start after it ends",
                "period_start",
            )
        )
    if d["period_start"] < fy_start or d["period_end"] > fy_end:
        problems.append(
            _p(
                "period_outside_year",
                f"ช่วงข้อมูลต้องอยู่ในปีงบประมาณ {fw.fiscal_year} (1 ต.ค. {fw.fiscal_year - 1} – 30 ก.ย. {fw.fiscal_year})",
                f"The period must lie within FY {fw.fiscal_year} ({fy_start.isoformat()} – {fy_end.isoformat()})",
                "period_end",
            )
        )
    if d["opens_on"] > d["due_on"]:
        problems.append(
            _p(
                "dates_order",
                "วันเปิดรับรายงานต้องไม่หลังวันกำหนดส่ง",
                "The round cannot open after its due date",
                "opens_on",
            )
        )
    if d["due_on"] > d["locks_on"]:
        problems.append(
            _p(
                "dates_order",
                "วันกำหนดส่งต้องไม่หลังวันปิดรอบ",
                "The due date cannot fall after the lock date",
                "due_on",
            )
        )


def round_create(
    *,
    actor: Actor,
    framework_id: int,
    months: int,
    dates: Mapping[str, Any] | None = None,
    name_th: str = "",
    name_en: str = "",
) -> Round:
    """Add the ``months``-month round (code ``m<months>``) with default dates, overridden by
    ``dates`` (``period_start``, ``period_end``, ``opens_on``, ``due_on``, ``locks_on``)."""
    require_manage(actor)
    if months not in ROUND_MONTHS:
        raise InvalidInput.single(
            "months_invalid",
            "รอบต้องเป็น 3, 6, 9 หรือ 12 เดือน",
            "Rounds are of 3, 6, 9 or 12 months",
            field="months",
        )
    with transaction.atomic():
        fw = _framework_for_write(framework_id)
        code = f"m{months}"
        if fw.rounds.filter(code=code).exists():
            raise InvalidInput.single(
                "round_exists",
                f"กรอบนี้มีรอบ {months} เดือนแล้ว",
                f"The framework has a {months}-month round",
                field="months",
            )
        problems: list[Problem] = []
        values = dict(default_round_dates(fw.fiscal_year, months))
        for name, raw in (dates or {}).items():
            if name not in ROUND_DATES:
                problems.append(_p("unknown_field", f"ไม่รู้จักช่อง {name}", f"Unknown field {name}", name))
                continue
            parsed = _date(raw, name, problems)
            if parsed is not None:
                values[name] = parsed
        if not problems:
            _check_round_dates(fw, values, problems)
        if problems:
            raise InvalidInput(problems)
        default_th, default_en = round_names(fw.fiscal_year, months)
        rnd = Round.objects.create(
            framework=fw, code=code, months=months, name_th=(name_th.strip() or default_th)[:255],
            name_en=(name_en.strip() or default_en)[:255], **values,
        )  # fmt: skip
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="monitoring.round",
            object_id=rnd.pk,
            object_repr=f"FY{fw.fiscal_year}/{code}",
            changes={"framework": fw.pk, "code": code, **{k: values[k] for k in ROUND_DATES}},
        )
    return rnd


def round_update(*, actor: Actor, round_id: int, changes: Mapping[str, Any]) -> Round:
    """Edit a round's names and dates (see the module docstring for what may move when)."""
    require_manage(actor)
    unknown = sorted(set(changes) - set(ROUND_DATES) - {"name_th", "name_en"})
    if unknown:
        raise InvalidInput.single(
            "unknown_field", "แก้ไขช่องนี้ไม่ได้: " + ", ".join(unknown), "Cannot change: " + ", ".join(unknown),
            field=unknown[0],
        )  # fmt: skip
    with transaction.atomic():
        rnd = (
            Round.objects.select_for_update(of=("self",))
            .select_related("framework")
            .filter(pk=round_id)
            .first()
        )
        if rnd is None:
            raise NotFoundOrNoAccess.default()
        fw = _framework_for_write(rnd.framework_id)
        problems: list[Problem] = []
        before = audit.snapshot(rnd, [*ROUND_DATES, "name_th", "name_en"])
        values = {k: getattr(rnd, k) for k in ROUND_DATES}
        for name in ROUND_DATES:
            if name in changes:
                parsed = _date(changes[name], name, problems)
                if parsed is not None:
                    values[name] = parsed
        for name in ("name_th", "name_en"):
            if name in changes:
                text = str(changes[name] or "").strip()
                if not text:
                    problems.append(_p("required", "ต้องกรอกช่องนี้", "This field is required", name))
                setattr(rnd, name, text[:255])
        if problems:
            raise InvalidInput(problems)
        moved = {k for k in ROUND_DATES if values[k] != getattr(rnd, k)}
        day = today()
        if moved and day > rnd.locks_on:
            raise InvalidInput.single(
                "round_locked",
                "รอบนี้ปิดแล้ว เปลี่ยนวันที่ไม่ได้ (การเปิดรอบใหม่จะทำให้รายงานแก้ไขได้โดยไม่ผ่านการแก้ไขหลังปิดรายงาน)",
                "The round is locked and its dates cannot change (reopening it would let reports change "
                "without an amendment)",
                field=sorted(moved)[0],
            )
        if moved & {"period_start", "period_end"} and rnd.reports.exists():
            raise InvalidInput.single(
                "round_has_reports",
                "รอบนี้มีรายงานแล้ว เปลี่ยนช่วงข้อมูลไม่ได้ (ค่าที่เติมให้เลือกตามช่วงข้อมูลเดิม)",
                "The round has reports: its period cannot change (pre-filled values were picked for it)",
                field="period_start" if "period_start" in moved else "period_end",
            )
        if "locks_on" in moved and values["locks_on"] < day:
            problems.append(
                _p(
                    "locks_in_past",
                    "วันปิดรอบใหม่ต้องไม่ก่อนวันนี้ (หากต้องการปิดรอบทันที ให้ใส่วันนี้)",
                    "The new lock date cannot be in the past (to lock now, use today)",
                    "locks_on",
                )
            )
        _check_round_dates(fw, values, problems)
        if problems:
            raise InvalidInput(problems)
        for name, value in values.items():
            setattr(rnd, name, value)
        diff = audit.diff(before, audit.snapshot(rnd, [*ROUND_DATES, "name_th", "name_en"]))
        if diff:
            rnd.save()
            audit.record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                object_type="monitoring.round",
                object_id=rnd.pk,
                object_repr=rnd.key,
                changes=diff,
            )
    return rnd


# --- validation rules ------------------------------------------------------------------------

PARAM_KEYS: dict[str, tuple[set[str], set[str]]] = {  # kind -> (required keys, optional keys)
    RuleKind.RANGE: ({"indicator", "min", "max"}, set()),
    RuleKind.REQUIRED: ({"indicator"}, set()),
    RuleKind.REQUIRED_COMMENT: ({"indicator", "op", "value"}, set()),
    RuleKind.COMPARE: ({"left", "op", "right"}, {"factor", "tolerance"}),
}


def _rule_codes(kind: str, params: Mapping[str, Any]) -> list[str]:
    if kind == RuleKind.COMPARE:
        return [str(params.get("left", "")), str(params.get("right", ""))]
    return [str(params.get("indicator", ""))]


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except (TypeError, ValueError):
        return None


def clean_rule_params(fw: Framework, kind: str, params: Any) -> dict[str, Any]:
    """``params`` of a rule of ``kind`` checked and normalised (see ``ValidationRule``)."""
    problems: list[Problem] = []
    if kind not in RuleKind.values:
        raise InvalidInput.single("kind_invalid", "ชนิดกฎไม่ถูกต้อง", "Unknown rule kind", field="kind")
    if not isinstance(params, Mapping):
        raise InvalidInput.single(
            "params_invalid", "พารามิเตอร์ต้องเป็นชุดค่า", "Params must be an object", field="params"
        )
    required, optional = PARAM_KEYS[kind]
    missing = sorted(required - set(params))
    extra = sorted(set(params) - required - optional)
    if missing:
        problems.append(
            _p(
                "params_missing",
                "ขาดพารามิเตอร์: " + ", ".join(missing),
                "Missing params: " + ", ".join(missing),
                "params",
            )
        )
    if extra:
        problems.append(
            _p(
                "params_unknown",
                "ไม่รู้จักพารามิเตอร์: " + ", ".join(extra),
                "Unknown params: " + ", ".join(extra),
                "params",
            )
        )
    if problems:
        raise InvalidInput(problems)
    items = {i.indicator.code: i.indicator for i in fw.items.select_related("indicator")}
    out: dict[str, Any] = {}
    for key in ("indicator", "left", "right"):
        if key in params:
            code = str(params[key])
            if code not in items:
                problems.append(
                    _p(
                        "indicator_not_in_framework",
                        f"ตัวชี้วัด '{code}' ไม่อยู่ในกรอบนี้",
                        f"Indicator '{code}' is not in this framework",
                        f"params.{key}",
                    )
                )
            out[key] = code
    asked = out.get("indicator") in items and items[out["indicator"]].source_kind == SourceKind.REPORTED
    if kind == RuleKind.REQUIRED and out.get("indicator") in items and not asked:
        problems.append(
            _p(
                "required_prefilled",
                "กฎ 'ต้องกรอก' ใช้ได้เฉพาะตัวชี้วัดที่ สพท. รายงาน (ค่าที่ระบบเติมให้กรอกไม่ได้)",
                "A 'required' rule applies only to indicators the ESA reports (a pre-filled value is not typed)",
                "params.indicator",
            )
        )
    if kind == RuleKind.COMPARE and out.get("left") and out.get("left") == out.get("right"):
        problems.append(
            _p(
                "compare_same",
                "ต้องเปรียบเทียบตัวชี้วัดสองตัวที่ต่างกัน",
                "Compare two different indicators",
                "params.right",
            )
        )
    if "op" in params:
        ops = COMPARE_OPS if kind == RuleKind.COMPARE else CONDITION_OPS
        if params["op"] not in ops:
            problems.append(
                _p(
                    "op_invalid",
                    "เครื่องหมายต้องเป็น " + " ".join(ops),
                    "The operator must be one of " + " ".join(ops),
                    "params.op",
                )
            )
        out["op"] = params["op"]
    numbers = {"min", "max", "value", "factor", "tolerance"} & set(params)
    for key in sorted(numbers):
        value = _num(params[key])
        if value is None:
            problems.append(_p("not_a_number", "ต้องเป็นตัวเลข", "Must be a number", f"params.{key}"))
            continue
        out[key] = value
    lo, hi = out.get("min"), out.get("max")
    if kind == RuleKind.RANGE and isinstance(lo, float) and isinstance(hi, float) and lo > hi:
        problems.append(
            _p("min_above_max", "ค่าต่ำสุดมากกว่าค่าสูงสุด", "The minimum is above the maximum", "params.min")
        )
    if kind == RuleKind.COMPARE:
        out.setdefault("factor", 1.0)
        out.setdefault("tolerance", 0.0)
        if isinstance(out.get("factor"), float) and out["factor"] <= 0:
            problems.append(
                _p("factor_invalid", "ตัวคูณต้องมากกว่า 0", "The factor must be above 0", "params.factor")
            )
        if isinstance(out.get("tolerance"), float) and out["tolerance"] < 0:
            problems.append(
                _p(
                    "tolerance_invalid",
                    "ค่าคลาดเคลื่อนต้องไม่ติดลบ",
                    "The tolerance cannot be negative",
                    "params.tolerance",
                )
            )
    if problems:
        raise InvalidInput(problems)
    return out


def _messages(message_th: str, message_en: str) -> list[Problem]:
    problems = []
    for name, text in (("message_th", message_th), ("message_en", message_en)):
        if not (text or "").strip():
            problems.append(_p("required", "ต้องกรอกข้อความ", "The message is required", name))
        elif len(text) > 255:
            problems.append(_p("too_long", "ยาวเกิน 255 ตัวอักษร", "Longer than 255 characters", name))
    return problems


def rule_create(
    *,
    actor: Actor,
    framework_id: int,
    code: str,
    kind: str,
    severity: str,
    params: Mapping[str, Any],
    message_th: str,
    message_en: str,
) -> ValidationRule:
    require_manage(actor)
    with transaction.atomic():
        fw = _framework_for_write(framework_id)
        problems = _messages(message_th, message_en)
        if not SLUG_RE.match(code or ""):
            problems.append(
                _p(
                    "code_invalid",
                    "รหัสกฎต้องเป็นอักษรอังกฤษตัวเล็ก ตัวเลข หรือ _ (2–40 ตัว)",
                    "The rule code must be lower-case letters, digits or _ (2–40)",
                    "code",
                )
            )
        elif (
            ValidationRule.objects.filter(framework=fw, code=code).exists()
            or ValidationRule.objects.filter(framework__isnull=True, code=code).exists()
        ):
            problems.append(_p("rule_exists", f"มีกฎรหัส {code} แล้ว", f"Rule {code} exists", "code"))
        if severity not in Severity.values:
            problems.append(_p("severity_invalid", "ระดับความรุนแรงไม่ถูกต้อง", "Unknown severity", "severity"))
        try:
            clean = clean_rule_params(fw, kind, params)
        except InvalidInput as error:
            problems.extend(error.problems)
            clean = {}
        if problems:
            raise InvalidInput(problems)
        rule = ValidationRule.objects.create(
            framework=fw, code=code, kind=kind, severity=severity, params=clean,
            message_th=message_th.strip(), message_en=message_en.strip(), active=True,
        )  # fmt: skip
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="monitoring.validationrule",
            object_id=rule.pk,
            object_repr=f"{fw} {code}",
            changes={"framework": fw.pk, "code": code, "kind": kind, "severity": severity, "params": clean},
        )
    return rule


RULE_FIELDS = ("severity", "params", "message_th", "message_en", "active")


def rule_update(*, actor: Actor, rule_id: int, changes: Mapping[str, Any]) -> ValidationRule:
    """Edit a framework rule's severity, params, messages, or (de)activate it."""
    require_manage(actor)
    unknown = sorted(set(changes) - set(RULE_FIELDS))
    if unknown:
        raise InvalidInput.single(
            "unknown_field", "แก้ไขช่องนี้ไม่ได้: " + ", ".join(unknown), "Cannot change: " + ", ".join(unknown),
            field=unknown[0],
        )  # fmt: skip
    with transaction.atomic():
        rule = ValidationRule.objects.select_for_update(of=("self",)).filter(pk=rule_id).first()
        if rule is None:
            raise NotFoundOrNoAccess.default()
        if rule.framework_id is None:
            raise InvalidInput.single(
                "rule_global",
                "กฎกลางของบัญชีตัวชี้วัดแก้ไขที่นี่ไม่ได้ เพิ่มกฎของกรอบแทน",
                "Global catalogue rules are not edited here; add a framework rule instead",
            )
        fw = _framework_for_write(rule.framework_id)
        before = audit.snapshot(rule, list(RULE_FIELDS))
        problems = _messages(
            str(changes.get("message_th", rule.message_th)), str(changes.get("message_en", rule.message_en))
        )
        if "severity" in changes and changes["severity"] not in Severity.values:
            problems.append(_p("severity_invalid", "ระดับความรุนแรงไม่ถูกต้อง", "Unknown severity", "severity"))
        params = rule.params
        if "params" in changes:
            try:
                params = clean_rule_params(fw, rule.kind, changes["params"])
            except InvalidInput as error:
                problems.extend(error.problems)
        elif changes.get("active") is True:
            try:
                params = clean_rule_params(fw, rule.kind, rule.params)  # its indicators may have left
            except InvalidInput as error:
                problems.extend(error.problems)
        if problems:
            raise InvalidInput(problems)
        rule.params = params
        for name in ("severity", "message_th", "message_en"):
            if name in changes:
                setattr(rule, name, str(changes[name]).strip())
        if "active" in changes:
            rule.active = bool(changes["active"])
        diff = audit.diff(before, audit.snapshot(rule, list(RULE_FIELDS)))
        if diff:
            rule.save()
            audit.record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                object_type="monitoring.validationrule",
                object_id=rule.pk,
                object_repr=f"{fw} {rule.code}",
                changes=diff,
            )
    return rule
