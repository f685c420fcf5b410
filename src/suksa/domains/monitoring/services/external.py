"""Import indicator values from external sources (O-NET, NT, RT, GFMIS, connectivity, DLTV, safety,
out-of-school) into ``core.IndicatorValue``, where the round pre-fill finds them.

One file holds values of one *dataset* (``Indicator.source["dataset"]`` of the catalogue's imported
indicators), one row per unit, indicator and period:

=================  ===============================================  ==========================
column             headers accepted                                 content
=================  ===============================================  ==========================
unit_code          รหัสหน่วยงาน, unit, unit code                       ESA, school, region or nation code
indicator          รหัสตัวชี้วัด, indicator, indicator code             catalogue code of the dataset
period             ช่วงเวลา, period                                    see below
value              ค่า, value                                        as the catalogue shows it
numerator          ตัวตั้ง, numerator (optional)                       count behind the value
denominator        ตัวหาร, denominator (optional)                      count behind the value
=================  ===============================================  ==========================

Checks per row (each problem names the file, row, column and why, in Thai and English):

- the indicator is a current catalogue indicator of this dataset, kept at the unit's level;
- the unit exists and is active;
- the period fits the catalogue's period kind — ``year`` and ``fiscal_year``: a BE year
  (``2568``); ``census``: ``2569/jun10`` (``nov10``, ``year_end``); ``round``: a round key
  ``2569/m6`` — and has ended (a figure cannot exist before ``monitoring.periods.available_on``, or
  the round period's last day);
- the value is a number (a whole number for integer indicators) within the catalogue's minimum and
  maximum; numerator and denominator, when given, are numbers ≥ 0;
- the same unit, indicator and period appear once.

Scale. A file gives each value **as the catalogue shows it** (percent 0–100, a score 0–100, a rate
per 10,000 …), checked against the catalogue's min/max, which are in that same unit. It is stored
divided by the source's ``scale`` (``value / scale``), so that pre-fill, which multiplies by
``scale``, shows it back unchanged. The seeded imported indicators all have scale 1: they are
stored as shown. An imported source declared with ``"scale": 100`` is stored as a fraction
(a file's 87.5 becomes 0.875), like the platform's own rates.

Writing: all or nothing by default (any bad row → nothing written, every problem reported);
``keep_valid=True`` writes the valid rows and reports the rest. Values are upserted under formula
version ``import-<dataset>-1`` with one ``core.IndicatorRun`` (producer ``import:<dataset>``; its
sources name the file, its SHA-256 and rows). Re-importing the same file writes nothing (every row
unchanged, no run); a changed value is replaced and points at the new run. One audit entry.
Who: national M&E officers (``monitoring.manage``) and national operators who recompute stored
values (``indicator.compute``: the CLI's system actor).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from suksa.core import audit
from suksa.core.errors import InvalidInput, PermissionDenied, Problem
from suksa.core.models import AuditEntry, IndicatorRun, IndicatorValue, OrgUnit
from suksa.core.policy import Actor, Perm
from suksa.core.tabular import Column, ImportReport, read_rows
from suksa.domains.monitoring.models import Indicator
from suksa.domains.monitoring.models.choices import SourceKind, ValueType
from suksa.domains.monitoring.periods import available_on, round_period
from suksa.domains.monitoring.services.catalogue import may_manage, parse_number
from suksa.domains.monitoring.services.locking import today

MAX_BYTES = 20 * 1024 * 1024
DATASET_LABELS: dict[str, tuple[str, str]] = {
    "niets_onet": ("ผลการทดสอบทางการศึกษาระดับชาติขั้นพื้นฐาน O-NET (สทศ.)", "O-NET results (NIETS)"),
    "obec_nt": ("ผลการประเมินคุณภาพผู้เรียน NT", "National Test (NT) results"),
    "obec_rt": ("ผลการประเมินความสามารถด้านการอ่าน RT", "Reading Test (RT) results"),
    "gfmis": ("การเบิกจ่ายงบประมาณ (ระบบ GFMIS)", "Budget disbursement (GFMIS)"),
    "connectivity": ("การเชื่อมต่ออินเทอร์เน็ตของโรงเรียน", "School connectivity monitor"),
    "dltv": ("การใช้การศึกษาทางไกลผ่านดาวเทียม DLTV", "DLTV use"),
    "moe_safety": ("ศูนย์ความปลอดภัย กระทรวงศึกษาธิการ", "MoE Safety Center"),
    "eef_isee": ("เด็กนอกระบบการศึกษา (กสศ. iSEE)", "Out-of-school children (EEF iSEE)"),
}
COLUMNS = (
    Column("unit_code", ("รหัสหน่วยงาน", "unit", "unit code")),
    Column("indicator", ("รหัสตัวชี้วัด", "indicator code")),
    Column("period", ("ช่วงเวลา",)),
    Column("value", ("ค่า",)),
    Column("numerator", ("ตัวตั้ง",), required=False),
    Column("denominator", ("ตัวหาร",), required=False),
)
YEAR_RE = re.compile(r"^\d{4}$")
CENSUS_RE = re.compile(r"^\d{4}/(jun10|nov10|year_end)$")
ROUND_RE = re.compile(r"^(\d{4})/m(3|6|9|12)$")
PERIOD_HINTS = {
    "year": ("ปีการศึกษา พ.ศ. 4 หลัก เช่น 2568", "a BE academic year, e.g. 2568"),
    "fiscal_year": ("ปีงบประมาณ พ.ศ. 4 หลัก เช่น 2569", "a BE fiscal year, e.g. 2569"),
    "census": ("รหัสรอบการนับ เช่น 2569/jun10", "a census key, e.g. 2569/jun10"),
    "round": ("รหัสรอบการรายงาน เช่น 2569/m6", "a round key, e.g. 2569/m6"),
}


def formula_version(dataset: str) -> str:
    return f"import-{dataset}-1"


def may_import(actor: Actor) -> bool:
    if may_manage(actor):
        return True
    return actor.can_nationally(Perm.INDICATOR_COMPUTE)


@dataclass(frozen=True)
class Dataset:
    code: str
    label_th: str
    label_en: str
    indicators: tuple[Indicator, ...]


def datasets() -> list[Dataset]:
    """The datasets of the current catalogue's imported indicators (one query)."""
    by: dict[str, list[Indicator]] = {}
    for ind in Indicator.objects.filter(is_current=True, source_kind=SourceKind.IMPORTED).order_by("code"):
        code = str(ind.source.get("dataset", ""))
        if code:
            by.setdefault(code, []).append(ind)
    return [
        Dataset(code, *DATASET_LABELS.get(code, (code, code)), indicators=tuple(inds))
        for code, inds in sorted(by.items())
    ]


@dataclass
class ExternalImportReport(ImportReport):
    dataset: str = ""
    sha256: str = ""
    run_id: int | None = None
    periods: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(),
            "dataset": self.dataset,
            "sha256": self.sha256,
            "run_id": self.run_id,
            "periods": self.periods,
        }


def period_problem(period: str, kind: str, day: dt.date) -> tuple[str, str] | None:
    """(Thai, English) of what is wrong with ``period`` for a source of period ``kind``, or None."""
    hint_th, hint_en = PERIOD_HINTS.get(kind, ("", ""))
    ends: dt.date | None
    if kind in ("year", "fiscal_year"):
        ends = available_on(period, kind) if YEAR_RE.match(period) and 2400 <= int(period) <= 2800 else None
    elif kind == "census":
        ends = available_on(period, kind) if CENSUS_RE.match(period) else None
    elif kind == "round":
        m = ROUND_RE.match(period)
        ends = (
            round_period(int(m.group(1)), int(m.group(2)))[1]
            if m and 2400 <= int(m.group(1)) <= 2800
            else None
        )
    else:
        return (
            f"ตัวชี้วัดนี้มีชนิดช่วงเวลา '{kind}' ที่นำเข้าไม่ได้",
            f"The indicator's period kind '{kind}' cannot be imported",
        )
    if ends is None:
        return (
            f"ช่วงเวลา '{period}' ไม่ถูกต้อง: ต้องเป็น{hint_th}",
            f"Period '{period}' is not valid: expected {hint_en}",
        )
    if ends > day:
        return (
            f"ช่วงเวลา {period} ยังไม่สิ้นสุด (ข้อมูลมีได้ตั้งแต่ {ends.isoformat()})",
            f"Period {period} has not ended yet (its figures exist from {ends.isoformat()})",
        )
    return None


@dataclass
class _Record:
    row: int
    unit_id: int
    stored_code: str
    period: str
    value: float
    numerator: float | None
    denominator: float | None


def external_values_import(
    *, actor: Actor, dataset: str, file: IO[bytes], filename: str, keep_valid: bool = False
) -> ExternalImportReport:
    """Import one dataset's values from a CSV/XLSX file (see the module docstring)."""
    if not may_import(actor):
        raise PermissionDenied.default()
    report = ExternalImportReport(file=filename, dataset=dataset)
    known = {d.code: d for d in datasets()}
    if dataset not in known:
        raise InvalidInput.single(
            "dataset_unknown",
            f"ไม่พบชุดข้อมูล '{dataset}' ในบัญชีตัวชี้วัด (ต้องเป็นหนึ่งใน: {', '.join(sorted(known))})",
            f"No catalogue dataset '{dataset}' (one of: {', '.join(sorted(known))})",
            field="dataset",
        )
    raw = file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        report.problems = [
            Problem(
                code="file_too_large",
                th=f"ไฟล์ใหญ่เกิน {MAX_BYTES // (1024 * 1024)} MB",
                en=f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB",
                file=filename,
            )
        ]
        return report
    report.sha256 = hashlib.sha256(raw).hexdigest()
    try:
        rows = list(read_rows(io.BytesIO(raw), filename, COLUMNS))
    except InvalidInput as error:
        report.problems = list(error.problems)
        return report
    if not rows:
        report.problems = [
            Problem(code="file_no_rows", th="ไม่มีแถวข้อมูลในไฟล์", en="The file has no data rows", file=filename)
        ]
        return report
    indicators: dict[str, Indicator] = {}
    for item in known[dataset].indicators:
        indicators[item.code] = item
        indicators.setdefault(str(item.source.get("indicator") or item.code), item)
    units = {
        u.code: u
        for u in OrgUnit.objects.filter(code__in={r.values.get("unit_code", "").strip() for r in rows})
    }
    catalogue_codes = set(Indicator.objects.filter(is_current=True).values_list("code", flat=True))
    day = today()
    records: list[_Record] = []
    seen: dict[tuple[int, str, str], int] = {}
    for row in rows:
        report.rows_read += 1
        problems: list[Problem] = []
        v = {k: (s or "").strip() for k, s in row.values.items()}

        def bad(
            field_name: str, code: str, th: str, en: str, problems: list[Problem] = problems, row: Any = row
        ) -> None:
            problems.append(row.problem(field_name, code, th, en, filename))

        ind = indicators.get(v["indicator"])
        if ind is None:
            if v["indicator"] in catalogue_codes:
                bad(
                    "indicator", "indicator_other_dataset",
                    f"ตัวชี้วัด {v['indicator']} ไม่ได้มาจากชุดข้อมูล {dataset}",
                    f"Indicator {v['indicator']} does not come from dataset {dataset}",
                )  # fmt: skip
            else:
                bad(
                    "indicator", "indicator_unknown",
                    f"ไม่พบตัวชี้วัดรหัส '{v['indicator']}' ในชุดข้อมูล {dataset} "
                    f"(มี: {', '.join(i.code for i in known[dataset].indicators)})",
                    f"No indicator '{v['indicator']}' in dataset {dataset} "
                    f"(it has: {', '.join(i.code for i in known[dataset].indicators)})",
                )  # fmt: skip
        unit = units.get(v["unit_code"])
        if unit is None or not unit.is_active:
            bad(
                "unit_code", "unit_unknown",
                f"ไม่พบหน่วยงานรหัส '{v['unit_code']}' ที่ใช้งานอยู่", f"No active org unit with code '{v['unit_code']}'",
            )  # fmt: skip
        elif ind is not None and unit.kind not in ind.levels:
            bad(
                "unit_code", "unit_level",
                f"ตัวชี้วัด {ind.code} ไม่มีค่าในระดับ{OrgUnit.Kind(unit.kind).label.split(' / ')[0]} ({unit.code})",
                f"Indicator {ind.code} is not kept at the {unit.kind} level ({unit.code})",
            )  # fmt: skip
        if ind is not None:
            wrong = period_problem(v["period"], str(ind.source.get("period", "")), day)
            if wrong:
                bad("period", "period_invalid", *wrong)
        value = parse_number(v["value"])
        if value is None:
            bad(
                "value",
                "not_a_number",
                f"ค่า '{v['value']}' ไม่ใช่ตัวเลข",
                f"The value '{v['value']}' is not a number",
            )
        elif ind is not None:
            lo, hi = ind.min_value, ind.max_value
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                bad(
                    "value", "out_of_range",
                    f"ค่า {value:g} อยู่นอกช่วงของตัวชี้วัด ({_range(lo, hi)} {ind.get_unit_display().split(' / ')[0]})",
                    f"The value {value:g} is outside the indicator's range ({_range(lo, hi)} "
                    f"{ind.get_unit_display().split(' / ')[-1].lower()})",
                )  # fmt: skip
            elif ind.value_type == ValueType.INTEGER and not value.is_integer():
                bad("value", "not_whole", "ค่าต้องเป็นจำนวนเต็ม", "The value must be a whole number")
        counts: dict[str, float | None] = {}
        for name, th in (("numerator", "ตัวตั้ง"), ("denominator", "ตัวหาร")):
            text = v.get(name, "")
            number = parse_number(text) if text else None
            if text and (number is None or number < 0):
                bad(name, "count_invalid", f"{th}ต้องเป็นตัวเลขไม่ติดลบ", f"The {name} must be a number ≥ 0")
            counts[name] = number
        if not problems and ind is not None and unit is not None and value is not None:
            stored_code = str(ind.source.get("indicator") or ind.code)
            key = (unit.pk, stored_code, v["period"])
            if key in seen:
                bad(
                    "unit_code", "duplicate_row",
                    f"หน่วยงาน ตัวชี้วัด และช่วงเวลาเดียวกันซ้ำกับแถว {seen[key]}",
                    f"The same unit, indicator and period as row {seen[key]}",
                )  # fmt: skip
            else:
                seen[key] = row.number
                scale = float(ind.source.get("scale", 1) or 1)
                records.append(
                    _Record(
                        row.number, unit.pk, stored_code, v["period"], value / scale,
                        counts["numerator"], counts["denominator"],
                    )
                )  # fmt: skip
        report.problems.extend(problems)
    if report.problems and not keep_valid:
        return report
    _write(actor, dataset, report, records)
    report.committed = True
    report.kept_valid_rows = bool(report.problems)
    return report


def _range(lo: float | None, hi: float | None) -> str:
    return f"{'' if lo is None else f'{lo:g}'}–{'' if hi is None else f'{hi:g}'}"


def _write(actor: Actor, dataset: str, report: ExternalImportReport, records: list[_Record]) -> None:
    version = formula_version(dataset)
    producer = f"import:{dataset}"
    report.periods = sorted({r.period for r in records})
    started_at = timezone.now()
    with transaction.atomic():
        existing = {
            (u, c, p): (val, num, den)
            for u, c, p, val, num, den in IndicatorValue.objects.filter(
                indicator__in={r.stored_code for r in records},
                period__in=report.periods,
                breakdown="",
                formula_version=version,
                unit_id__in={r.unit_id for r in records},
            ).values_list("unit_id", "indicator", "period", "value", "numerator", "denominator")
        }
        changed: list[_Record] = []
        for r in records:
            before = existing.get((r.unit_id, r.stored_code, r.period))
            if before is None:
                report.created += 1
                changed.append(r)
            elif before != (r.value, r.numerator, r.denominator):
                report.updated += 1
                changed.append(r)
            else:
                report.unchanged += 1
        if not changed:
            audit.record(
                actor=actor,
                action=AuditEntry.Action.IMPORT,
                object_type="core.indicatorvalue",
                object_id=dataset,
                object_repr=f"{producer} {report.file}",
                changes={"dataset": dataset, "file": report.file, "sha256": report.sha256, "rows_read": report.rows_read,
                         "created": 0, "updated": 0, "unchanged": report.unchanged,
                         "rejected_rows": report.rejected_rows},
            )  # fmt: skip
            return
        now = timezone.now()
        run = IndicatorRun.objects.create(
            producer=producer,
            periods=sorted({r.period for r in changed}),
            formula_version=version,
            sources={"file": report.file, "sha256": report.sha256, "rows": report.rows_read, "dataset": dataset},
            indicators={c: {"reads": "file"} for c in sorted({r.stored_code for r in changed})},
            requested_by=actor.username or "",
            started_at=started_at,
            finished_at=now,
            counts={"created": report.created, "updated": report.updated, "unchanged": report.unchanged,
                    "rejected_rows": report.rejected_rows},
        )  # fmt: skip
        report.run_id = run.pk
        IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(
                    indicator=r.stored_code, formula_version=version, unit_id=r.unit_id, period=r.period,
                    breakdown="", value=r.value, numerator=r.numerator, denominator=r.denominator,
                    run=run, computed_at=now, source={"file_row": r.row},
                )
                for r in changed
            ],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["unit", "period", "indicator", "breakdown", "formula_version"],
            update_fields=["value", "numerator", "denominator", "run", "computed_at", "source"],
        )  # fmt: skip
        audit.record(
            actor=actor,
            action=AuditEntry.Action.IMPORT,
            object_type="core.indicatorvalue",
            object_id=dataset,
            object_repr=f"{producer} {report.file}",
            changes={"dataset": dataset, "file": report.file, "sha256": report.sha256, "run_id": run.pk,
                     "rows_read": report.rows_read, "created": report.created, "updated": report.updated,
                     "unchanged": report.unchanged, "rejected_rows": report.rejected_rows,
                     "periods": report.periods},
        )  # fmt: skip
