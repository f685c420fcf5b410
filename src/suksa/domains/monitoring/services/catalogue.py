"""The indicator catalogue: indicators (versioned), policy points and targets.

Only the national M&E officers change it (``monitoring.manage`` granted at the nation); every
write is one transaction with one audit entry.

Versions. ``indicator_create`` writes version 1 of a new code. ``indicator_revise`` never edits a
row: it retires the current version (``is_current`` False, ``retired_at``) and writes ``version +
1`` with a ``change_note``, copying the standards and policy points unless new ones are given.
Report values and framework items keep pointing at the version they were filled or pinned under,
so a changed definition never rewrites a past value. The one exception is a framework that has no
report yet and is not closed: its item is re-pinned to the new version (nothing was asked under the
old one; an ESA would otherwise be asked an outdated definition).

Report once. A ``reported`` indicator is asked of every ESA; creating or revising one whose code
(or source) names a figure the platform holds (``monitoring.held.platform_held_codes``) is refused.

Targets are kept in the unit the catalogue shows (percent 0–100, as report values), per fiscal
year, for one unit, a peer group or everyone. :func:`target_for` resolves a unit's target:
the unit's own > its framework target-area group (``"target_area"``) > its ESA type
(``"esa_type=primary"`` / ``"esa_type=secondary"``) > the default (``""``).
:func:`targets_for_units` does the same for many units in three queries.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from suksa.core import audit
from suksa.core.errors import Conflict, InvalidInput, NotFoundOrNoAccess, PermissionDenied, Problem
from suksa.core.models import AuditEntry, EsaProfile, IndicatorValue, OrgUnit, School
from suksa.core.policy import Actor, Perm
from suksa.core.tabular import Column, ImportReport, read_rows
from suksa.domains.monitoring.held import held_names, platform_held_codes
from suksa.domains.monitoring.models import (
    FrameworkIndicator,
    Indicator,
    PolicyPoint,
    Report,
    Standard,
    Target,
    TargetArea,
)
from suksa.domains.monitoring.models.choices import (
    Direction,
    Domain,
    FrameworkStatus,
    Level,
    SourceKind,
    Unit,
    ValueType,
)
from suksa.domains.monitoring.periods import PERIOD_KINDS

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
RESERVED_CODES = frozenset({"new"})  # words of the catalogue's own URLs
DATASET_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
DISAGGREGATIONS: dict[str, tuple[str, str]] = {
    "sex": ("เพศ", "Sex"),
    "grade": ("ชั้น", "Grade"),
    "level": ("ระดับชั้น", "Level"),
    "age": ("อายุ", "Age"),
    "area_type": ("ในเมือง/ชนบท", "Urban/rural"),
    "esa_type": ("ประเภทเขตพื้นที่", "ESA type"),
    "size_band": ("ขนาดโรงเรียน", "School size"),
}
PEER_GROUPS: dict[str, tuple[str, str]] = {
    "": ("ทุกหน่วยงาน (ค่าเริ่มต้น)", "Everyone (default)"),
    "esa_type=primary": ("สพท. ประถมศึกษา", "Primary ESAs"),
    "esa_type=secondary": ("สพท. มัธยมศึกษา", "Secondary ESAs"),
    "target_area": ("เขตพื้นที่เป้าหมายของกรอบปีนั้น", "Target areas of the year's framework"),
}
FISCAL_YEAR_MIN, FISCAL_YEAR_MAX = 2500, 2700
# Fields of an indicator version (besides code, version and bookkeeping).
FIELDS = (
    "name_th", "name_en", "definition_th", "definition_en", "unit", "value_type", "direction", "domain",
    "levels", "disaggregations", "source_kind", "source", "formula", "min_value", "max_value",
)  # fmt: skip
M2M = ("standards", "policy_points")
TEXT_LIMITS = {"name_th": 255, "name_en": 255, "definition_th": 5000, "definition_en": 5000, "formula": 2000}


# --- permission ------------------------------------------------------------------------------


def may_manage(actor: Actor) -> bool:
    """Is the actor a national M&E officer (``monitoring.manage`` granted at the nation)?"""
    return actor.can_nationally(Perm.MONITORING_MANAGE)


def require_manage(actor: Actor) -> None:
    if not may_manage(actor):
        raise PermissionDenied.default()


# --- validation helpers ----------------------------------------------------------------------


def _p(code: str, th: str, en: str, field: str, **where: Any) -> Problem:
    return Problem(code=code, th=th, en=en, field=field, **where)


def parse_number(value: Any) -> float | None:
    """A finite float from a number or numeric text (Thai digits and thousands commas allowed)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        out = float(value)
    else:
        text = str(value).strip().translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")).replace(",", "")
        if not text:
            return None
        try:
            out = float(text)
        except ValueError:
            return None
    return out if math.isfinite(out) else None


def computable_codes() -> frozenset[str]:
    """Codes a platform producer computes (a computed indicator must name one of them)."""
    from suksa.domains.monitoring.held import producer_codes

    stored = (
        IndicatorValue.objects.exclude(run__producer__startswith="import:")
        .order_by()
        .values_list("indicator", flat=True)
        .distinct()
    )
    return producer_codes() | frozenset(stored)


def _default_producer(indicator: str) -> str | None:
    from suksa.domains.monitoring.services.platform_indicators import CODES as PLATFORM_CODES
    from suksa.domains.monitoring.services.platform_indicators import PRODUCER as PLATFORM_PRODUCER
    from suksa.domains.students.services.indicators import CODES as STUDENT_CODES
    from suksa.domains.students.services.indicators import PRODUCER as STUDENT_PRODUCER

    if indicator in STUDENT_CODES:
        return STUDENT_PRODUCER
    if indicator in PLATFORM_CODES:
        return PLATFORM_PRODUCER
    return None


def _clean_source(kind: str, code: str, raw: Any, problems: list[Problem]) -> dict[str, Any]:
    """The normalised ``source`` of an indicator of ``kind`` (see ``Indicator``'s docstring)."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        problems.append(
            _p(
                "source_invalid",
                "ที่มาของข้อมูลต้องเป็นชุดค่า (JSON object)",
                "The source must be an object",
                "source",
            )
        )
        return {}
    src = {k: v for k, v in raw.items() if v not in (None, "")}
    if kind == SourceKind.REPORTED:
        # An "indicator" here is checked by the report-once rule (held codes), the rest refused.
        extra = sorted(k for k in src if k != "indicator")
        if extra:
            problems.append(
                _p(
                    "source_not_allowed",
                    "ตัวชี้วัดที่ สพท. รายงานไม่มีแหล่งข้อมูล (ลบ: " + ", ".join(extra) + ")",
                    "An indicator reported by the ESA has no source (remove: " + ", ".join(extra) + ")",
                    "source",
                )
            )
        return {"indicator": str(src["indicator"])} if "indicator" in src else {}
    allowed = {"producer", "indicator", "breakdown", "period", "scale", "lag_days", "dataset"}
    unknown = sorted(set(src) - allowed)
    if unknown:
        problems.append(
            _p(
                "source_unknown_key",
                "ไม่รู้จักรายการในที่มาของข้อมูล: " + ", ".join(unknown),
                "Unknown source keys: " + ", ".join(unknown),
                "source",
            )
        )
    out: dict[str, Any] = {}
    if kind == SourceKind.IMPORTED:
        dataset = str(src.get("dataset", ""))
        if not DATASET_RE.match(dataset):
            problems.append(
                _p(
                    "source_dataset",
                    "ต้องระบุชุดข้อมูลนำเข้า (อักษรอังกฤษตัวเล็ก ตัวเลข _ เช่น niets_onet)",
                    "Name the imported dataset (lower-case letters, digits, _; e.g. niets_onet)",
                    "source.dataset",
                )
            )
        out["producer"] = f"import:{dataset}"
        out["dataset"] = dataset
        indicator = str(src.get("indicator") or code)
        if not CODE_RE.match(indicator):
            problems.append(
                _p(
                    "source_indicator",
                    "รหัสข้อมูลในแหล่งไม่ถูกต้อง",
                    "The source's figure code is not valid",
                    "source.indicator",
                )
            )
        out["indicator"] = indicator
    else:  # computed
        if "dataset" in src:
            problems.append(
                _p(
                    "source_dataset_computed",
                    "ตัวชี้วัดที่คำนวณจากระบบไม่มีชุดข้อมูลนำเข้า",
                    "A computed indicator has no imported dataset",
                    "source.dataset",
                )
            )
        indicator = str(src.get("indicator", ""))
        if indicator not in computable_codes():
            problems.append(
                _p(
                    "source_not_computed",
                    f"ระบบไม่ได้คำนวณข้อมูล '{indicator}' — เลือกรหัสที่ระบบคำนวณ หรือใช้ประเภทนำเข้า",
                    f"The platform computes no figure '{indicator}': pick a computed code or make it imported",
                    "source.indicator",
                )
            )
        producer = str(src.get("producer") or _default_producer(indicator) or "")
        if producer:
            out["producer"] = producer
        out["indicator"] = indicator
        out["breakdown"] = str(src.get("breakdown", ""))
    period = str(src.get("period", ""))
    if period not in PERIOD_KINDS:
        problems.append(
            _p(
                "source_period",
                "ชนิดช่วงเวลาต้องเป็น census, year, fiscal_year หรือ round",
                "The period kind must be census, year, fiscal_year or round",
                "source.period",
            )
        )
    out["period"] = period
    if "scale" in src:
        scale = parse_number(src["scale"])
        if scale is None or scale <= 0:
            problems.append(
                _p(
                    "source_scale",
                    "ตัวคูณต้องเป็นจำนวนบวก",
                    "The scale must be a positive number",
                    "source.scale",
                )
            )
        elif scale != 1:
            out["scale"] = int(scale) if scale.is_integer() else scale
    if "lag_days" in src:
        lag = parse_number(src["lag_days"])
        if lag is None or not lag.is_integer() or not 0 <= lag <= 366:
            problems.append(
                _p(
                    "source_lag",
                    "จำนวนวันที่รอข้อมูลต้องเป็นจำนวนเต็ม 0–366",
                    "The lag must be 0–366 whole days",
                    "source.lag_days",
                )
            )
        else:
            out["lag_days"] = int(lag)
    return out


def _choice(value: Any, choices: Any, field: str, th: str, en: str, problems: list[Problem]) -> str:
    text = str(value or "")
    if text not in choices.values:
        problems.append(_p(f"{field}_invalid", th, en, field))
    return text


def _clean(code: str, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(fields, m2m) of one indicator version, or :class:`InvalidInput` with every problem."""
    problems: list[Problem] = []
    out: dict[str, Any] = {}
    for name, limit in TEXT_LIMITS.items():
        text = str(data.get(name) or "").strip()
        if not text and name != "formula":
            problems.append(_p("required", "ต้องกรอกช่องนี้", "This field is required", name))
        elif len(text) > limit:
            problems.append(_p("too_long", f"ยาวเกิน {limit} ตัวอักษร", f"Longer than {limit} characters", name))
        out[name] = text
    out["unit"] = _choice(data.get("unit"), Unit, "unit", "หน่วยไม่ถูกต้อง", "Unknown unit", problems)
    out["value_type"] = _choice(
        data.get("value_type") or ValueType.DECIMAL,
        ValueType,
        "value_type",
        "ชนิดค่าไม่ถูกต้อง",
        "Unknown value type",
        problems,
    )
    out["direction"] = _choice(
        data.get("direction"), Direction, "direction", "ทิศทางไม่ถูกต้อง", "Unknown direction", problems
    )
    out["domain"] = _choice(data.get("domain"), Domain, "domain", "ด้านไม่ถูกต้อง", "Unknown domain", problems)
    kind = _choice(
        data.get("source_kind"),
        SourceKind,
        "source_kind",
        "ประเภทแหล่งข้อมูลไม่ถูกต้อง",
        "Unknown source kind",
        problems,
    )
    out["source_kind"] = kind
    levels = list(dict.fromkeys(str(x) for x in (data.get("levels") or [])))
    if not levels or any(x not in Level.values for x in levels):
        problems.append(
            _p(
                "levels_invalid",
                "ระดับต้องเลือกอย่างน้อยหนึ่งจาก โรงเรียน สพท. เขตตรวจราชการ ประเทศ",
                "Pick at least one level among school, esa, region, nation",
                "levels",
            )
        )
    out["levels"] = [x for x in Level.values if x in levels]
    dis = list(dict.fromkeys(str(x) for x in (data.get("disaggregations") or [])))
    bad = [x for x in dis if x not in DISAGGREGATIONS]
    if bad:
        problems.append(
            _p(
                "disaggregations_invalid",
                "ไม่รู้จักการจำแนก: " + ", ".join(bad),
                "Unknown disaggregations: " + ", ".join(bad),
                "disaggregations",
            )
        )
    out["disaggregations"] = [x for x in dis if x in DISAGGREGATIONS]
    out["source"] = (
        _clean_source(kind, code, data.get("source"), problems) if kind in SourceKind.values else {}
    )
    bounds: dict[str, float | None] = {}
    for name in ("min_value", "max_value"):
        raw = data.get(name)
        value = parse_number(raw)
        if raw not in (None, "") and value is None:
            problems.append(_p("not_a_number", "ต้องเป็นตัวเลข", "Must be a number", name))
        bounds[name] = value
    if out["unit"] == Unit.PERCENT:
        bounds["min_value"] = 0.0 if bounds["min_value"] is None else bounds["min_value"]
        bounds["max_value"] = 100.0 if bounds["max_value"] is None else bounds["max_value"]
    lo, hi = bounds["min_value"], bounds["max_value"]
    if lo is not None and hi is not None and lo > hi:
        problems.append(
            _p("min_above_max", "ค่าต่ำสุดมากกว่าค่าสูงสุด", "The minimum is above the maximum", "min_value")
        )
    out.update(bounds)
    std_codes = list(dict.fromkeys(str(x) for x in (data.get("standards") or [])))
    standards = list(Standard.objects.filter(code__in=std_codes))
    if not std_codes:
        problems.append(
            _p(
                "standards_required",
                "เลือกมาตรฐานอย่างน้อยหนึ่งมาตรฐาน",
                "Pick at least one standard",
                "standards",
            )
        )
    elif len(standards) != len(std_codes):
        missing = sorted(set(std_codes) - {s.code for s in standards})
        problems.append(
            _p(
                "standard_unknown",
                "ไม่พบมาตรฐาน: " + ", ".join(missing),
                "Unknown standards: " + ", ".join(missing),
                "standards",
            )
        )
    raw_points = [str(x) for x in (data.get("policy_points") or [])]
    pp_ids = list(dict.fromkeys(int(x) for x in raw_points if x.isdigit()))
    points = list(PolicyPoint.objects.filter(pk__in=pp_ids))
    if len(points) != len(pp_ids) or len(pp_ids) != len(set(raw_points)):
        problems.append(
            _p(
                "policy_point_unknown",
                "ไม่พบจุดเน้นเชิงนโยบายบางรายการ",
                "Some policy points do not exist",
                "policy_points",
            )
        )
    if kind == SourceKind.REPORTED:
        names = held_names(code, out["source"], platform_held_codes())
        if names:
            problems.append(
                _p(
                    "asked_but_held",
                    "ระบบมีข้อมูล " + ", ".join(names) + " อยู่แล้ว จะให้ สพท. กรอกซ้ำไม่ได้ (รายงานครั้งเดียว) "
                    "— กำหนดเป็นตัวชี้วัดที่คำนวณจากระบบหรือนำเข้าแทน",
                    "The platform already holds "
                    + ", ".join(names)
                    + ": it cannot be asked of the ESAs again "
                    "(report once); make it computed or imported instead",
                    "source_kind",
                )
            )
        out["source"] = {}
    if problems:
        raise InvalidInput(problems)
    return out, {"standards": standards, "policy_points": points}


def _snapshot(ind: Indicator) -> dict[str, Any]:
    data = {f: getattr(ind, f) for f in FIELDS}
    data["standards"] = sorted(s.code for s in ind.standards.all())
    data["policy_points"] = sorted(p.pk for p in ind.policy_points.all())
    return data


# --- indicators ------------------------------------------------------------------------------


def indicator_create(*, actor: Actor, code: str, fields: Mapping[str, Any]) -> Indicator:
    """Write version 1 of a new indicator code (``fields``: see ``FIELDS`` plus ``standards`` as
    standard codes and ``policy_points`` as ids)."""
    require_manage(actor)
    code = (code or "").strip()
    if not CODE_RE.match(code) or code in RESERVED_CODES:
        raise InvalidInput.single(
            "code_invalid",
            "รหัสตัวชี้วัดต้องขึ้นต้นด้วยอักษรอังกฤษตัวเล็ก ตามด้วยอักษรตัวเล็ก ตัวเลข หรือ _ (2–60 ตัว)",
            "The code must start with a lower-case letter, then lower-case letters, digits or _ (2–60)",
            field="code",
        )
    with transaction.atomic():
        if Indicator.objects.filter(code=code).exists():
            retired = not Indicator.objects.filter(code=code, is_current=True).exists()
            raise InvalidInput.single(
                "code_exists",
                f"มีตัวชี้วัดรหัส {code} แล้ว" + (" (ยกเลิกใช้แล้ว)" if retired else " — แก้ไขด้วยการออกฉบับใหม่"),
                f"Indicator {code} exists" + (" (retired)" if retired else ": revise it to change it"),
                field="code",
            )
        data, m2m = _clean(code, fields)
        ind = Indicator.objects.create(
            code=code, version=1, is_current=True, created_by=actor.username, **data
        )
        ind.standards.set(m2m["standards"])
        ind.policy_points.set(m2m["policy_points"])
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="monitoring.indicator",
            object_id=ind.pk,
            object_repr=str(ind),
            changes={"code": code, "version": 1, **_snapshot(ind)},
        )
    return ind


def indicator_revise(
    *,
    actor: Actor,
    code: str,
    changes: Mapping[str, Any],
    change_note: str,
    expected_version: int | None = None,
) -> Indicator:
    """Write ``version + 1`` of ``code`` with ``changes`` and retire the current version."""
    require_manage(actor)
    unknown = sorted(set(changes) - set(FIELDS) - set(M2M))
    if unknown:
        raise InvalidInput.single(
            "unknown_field",
            "แก้ไขช่องเหล่านี้ไม่ได้: " + ", ".join(unknown),
            "These fields cannot be revised: " + ", ".join(unknown),
            field=unknown[0],
        )
    note = (change_note or "").strip()
    with transaction.atomic():
        current = (
            Indicator.objects.select_for_update(of=("self",))
            .prefetch_related("standards", "policy_points")
            .filter(code=code, is_current=True)
            .first()
        )
        if current is None:
            raise NotFoundOrNoAccess.default()
        if expected_version is not None and expected_version != current.version:
            error = Conflict(
                [
                    Problem(
                        code="stale_indicator",
                        th=f"ตัวชี้วัดนี้มีฉบับใหม่กว่า (ฉบับที่ {current.version}) หลังจากที่คุณเปิด โปรดดูฉบับล่าสุดแล้วแก้ไขอีกครั้ง",
                        en=f"A newer version ({current.version}) was written after you opened it; look at it and revise again",
                        field="expected_version",
                    )
                ]
            )
            error.current = current.version
            raise error
        if not note:
            raise InvalidInput.single(
                "change_note_required",
                "ต้องระบุเหตุผลของการเปลี่ยนแปลง",
                "Say why the definition changes (change note)",
                field="change_note",
            )
        before = _snapshot(current)
        merged: dict[str, Any] = {**before, **changes}
        if (
            "source_kind" in changes
            and changes["source_kind"] != current.source_kind
            and "source" not in changes
        ):
            merged["source"] = {}
        data, m2m = _clean(code, merged)
        after = {
            **data,
            "standards": sorted(s.code for s in m2m["standards"]),
            "policy_points": sorted(p.pk for p in m2m["policy_points"]),
        }
        diff = audit.diff(before, after)
        if not diff:
            raise InvalidInput.single(
                "no_change",
                "ไม่มีการเปลี่ยนแปลงจากฉบับปัจจุบัน",
                "Nothing differs from the current version",
            )
        now = timezone.now()
        Indicator.objects.filter(pk=current.pk).update(is_current=False, retired_at=now)
        new = Indicator.objects.create(
            code=code, version=current.version + 1, is_current=True, created_by=actor.username,
            change_note=note[:5000], **data,
        )  # fmt: skip
        new.standards.set(m2m["standards"])
        new.policy_points.set(m2m["policy_points"])
        repinned = _repin(current, new)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="monitoring.indicator",
            object_id=new.pk,
            object_repr=str(new),
            changes={
                **diff,
                "version": [current.version, new.version],
                "change_note": note,
                "repinned_frameworks": repinned,
            },
        )
    return new


def _repin(old: Indicator, new: Indicator) -> list[int]:
    """Move the items of frameworks that asked nothing yet (no report, not closed) to ``new``."""
    items = FrameworkIndicator.objects.filter(indicator=old).exclude(framework__status=FrameworkStatus.CLOSED)
    frameworks = set(items.values_list("framework_id", flat=True))
    if not frameworks:
        return []
    used = set(
        Report.objects.filter(round__framework_id__in=frameworks).values_list(
            "round__framework_id", flat=True
        )
    )
    free = sorted(frameworks - used)
    items.filter(framework_id__in=free).update(indicator=new)
    return free


def indicator_retire(*, actor: Actor, code: str, reason: str) -> Indicator:
    """Retire the current version: no longer offered to new frameworks. Frameworks that pinned it
    keep it until an officer removes the item; past values keep pointing at it."""
    require_manage(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.single(
            "reason_required", "ต้องระบุเหตุผลที่ยกเลิกใช้", "Say why the indicator is retired", field="reason"
        )
    with transaction.atomic():
        current = Indicator.objects.select_for_update(of=("self",)).filter(code=code, is_current=True).first()
        if current is None:
            raise NotFoundOrNoAccess.default()
        now = timezone.now()
        Indicator.objects.filter(pk=current.pk).update(is_current=False, retired_at=now)
        current.is_current, current.retired_at = False, now
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="monitoring.indicator",
            object_id=current.pk,
            object_repr=str(current),
            changes={"is_current": [True, False], "reason": reason},
        )
    return current


# --- policy points ---------------------------------------------------------------------------


def policy_point_create(
    *, actor: Actor, fiscal_year: int, code: str, name_th: str, name_en: str
) -> PolicyPoint:
    require_manage(actor)
    problems: list[Problem] = []
    if not FISCAL_YEAR_MIN <= int(fiscal_year) <= FISCAL_YEAR_MAX:
        problems.append(_fy_problem("fiscal_year"))
    code = (code or "").strip()
    if not code or len(code) > 10:
        problems.append(
            _p("code_invalid", "รหัสต้องมี 1–10 ตัวอักษร", "The code must have 1–10 characters", "code")
        )
    for name, text in (("name_th", name_th), ("name_en", name_en)):
        if not (text or "").strip():
            problems.append(_p("required", "ต้องกรอกช่องนี้", "This field is required", name))
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        if PolicyPoint.objects.filter(fiscal_year=fiscal_year, code=code).exists():
            raise InvalidInput.single(
                "policy_point_exists",
                f"มีจุดเน้นรหัส {code} ของปีงบประมาณ {fiscal_year} แล้ว",
                f"Policy point {code} of FY {fiscal_year} exists",
                field="code",
            )
        point = PolicyPoint.objects.create(
            fiscal_year=fiscal_year, code=code, name_th=name_th.strip(), name_en=name_en.strip()
        )
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="monitoring.policypoint",
            object_id=point.pk,
            object_repr=str(point),
            changes={
                "fiscal_year": fiscal_year,
                "code": code,
                "name_th": point.name_th,
                "name_en": point.name_en,
            },
        )
    return point


# --- targets ---------------------------------------------------------------------------------


def _fy_problem(field: str, **where: Any) -> Problem:
    return Problem(
        code="fiscal_year_invalid",
        th=f"ปีงบประมาณต้องเป็นปี พ.ศ. {FISCAL_YEAR_MIN}–{FISCAL_YEAR_MAX}",
        en=f"The fiscal year must be a BE year {FISCAL_YEAR_MIN}–{FISCAL_YEAR_MAX}",
        field=field,
        **where,
    )


class _TargetChecker:
    """Checks one target (a form, an API call or a file row) against the current catalogue."""

    def __init__(self) -> None:
        self.indicators = {i.code: i for i in Indicator.objects.filter(is_current=True)}

    def check(
        self,
        *,
        indicator_code: str,
        fiscal_year: Any,
        value: Any,
        unit: OrgUnit | None,
        unit_code: str,
        peer_group: str,
        where: Mapping[str, Any],
        columns: Mapping[str, str],
    ) -> tuple[list[Problem], float | None, int | None]:
        def at(field: str) -> dict[str, Any]:
            return {**where, "column": columns[field]} if columns else {**where, "field": field}

        problems: list[Problem] = []
        ind = self.indicators.get(indicator_code)
        if ind is None:
            problems.append(
                Problem(
                    code="indicator_unknown",
                    th=f"ไม่พบตัวชี้วัดรหัส '{indicator_code}' ในบัญชีตัวชี้วัด (ฉบับปัจจุบัน)",
                    en=f"No current catalogue indicator '{indicator_code}'",
                    **at("indicator_code"),
                )
            )
        fy = parse_number(fiscal_year)
        fy_int = int(fy) if fy is not None and fy.is_integer() else None
        if fy_int is None or not FISCAL_YEAR_MIN <= fy_int <= FISCAL_YEAR_MAX:
            problems.append(_fy_problem(**at("fiscal_year")))
        number = parse_number(value)
        if number is None:
            problems.append(
                Problem(
                    code="not_a_number",
                    th="ค่าเป้าหมายต้องเป็นตัวเลข",
                    en="The target must be a number",
                    **at("value"),
                )
            )
        elif ind is not None:
            lo, hi = ind.min_value, ind.max_value
            if (lo is not None and number < lo) or (hi is not None and number > hi):
                problems.append(
                    Problem(
                        code="out_of_range",
                        th=f"ค่าเป้าหมาย {number:g} อยู่นอกช่วง {_range(lo, hi)} ของตัวชี้วัด",
                        en=f"The target {number:g} is outside the indicator's range {_range(lo, hi)}",
                        **at("value"),
                    )
                )
        if peer_group not in PEER_GROUPS:
            problems.append(
                Problem(
                    code="peer_group_invalid",
                    th="กลุ่มต้องว่าง (ทุกหน่วยงาน) หรือเป็น esa_type=primary, esa_type=secondary, target_area",
                    en="The group must be empty (everyone), esa_type=primary, esa_type=secondary or target_area",
                    **at("peer_group"),
                )
            )
        if unit_code and peer_group:
            problems.append(
                Problem(
                    code="unit_and_group",
                    th="ระบุหน่วยงานหรือกลุ่มอย่างใดอย่างหนึ่ง ไม่ใช่ทั้งสองอย่าง",
                    en="Give a unit or a group, not both",
                    **at("peer_group"),
                )
            )
        if unit_code and unit is None:
            problems.append(
                Problem(
                    code="unit_unknown",
                    th=f"ไม่พบหน่วยงานรหัส '{unit_code}'",
                    en=f"No org unit with code '{unit_code}'",
                    **at("unit_code"),
                )
            )
        elif unit is not None and ind is not None and unit.kind not in ind.levels:
            problems.append(
                Problem(
                    code="unit_level",
                    th=f"ตัวชี้วัด {ind.code} ไม่มีค่าในระดับของหน่วยงาน {unit.code}",
                    en=f"Indicator {ind.code} is not kept at the level of unit {unit.code} ({unit.kind})",
                    **at("unit_code"),
                )
            )
        return problems, number, fy_int


def _range(lo: float | None, hi: float | None) -> str:
    return f"{'' if lo is None else f'{lo:g}'}–{'' if hi is None else f'{hi:g}'}"


def target_set(
    *,
    actor: Actor,
    indicator_code: str,
    fiscal_year: int,
    value: float | str,
    unit_code: str = "",
    peer_group: str = "",
    note: str = "",
) -> Target:
    """Set (create or replace) one target: for ``unit_code``, a ``peer_group``, or the default."""
    require_manage(actor)
    unit_code = (unit_code or "").strip()
    peer_group = (peer_group or "").strip()
    with transaction.atomic():
        unit = OrgUnit.objects.filter(code=unit_code).first() if unit_code else None
        problems, number, fy = _TargetChecker().check(
            indicator_code=indicator_code, fiscal_year=fiscal_year, value=value, unit=unit, unit_code=unit_code,
            peer_group=peer_group, where={}, columns={},
        )  # fmt: skip
        if problems or number is None or fy is None:
            raise InvalidInput(problems)
        target, created, before = _upsert_target(indicator_code, fy, unit, peer_group, number, note, actor)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
            object_type="monitoring.target",
            object_id=target.pk,
            object_repr=str(target)[:255],
            changes={
                "indicator_code": indicator_code, "fiscal_year": fy, "unit": unit_code, "peer_group": peer_group,
                "value": [before, number] if not created else number, "note": note,
            },
        )  # fmt: skip
    return target


def _target_key(code: str, fy: int, unit: OrgUnit | None, peer_group: str) -> dict[str, Any]:
    key: dict[str, Any] = {"indicator_code": code, "fiscal_year": fy}
    if unit is not None:
        key["unit"] = unit
    else:
        key["unit__isnull"] = True
        key["peer_group"] = peer_group
    return key


def _upsert_target(
    code: str, fy: int, unit: OrgUnit | None, peer_group: str, value: float, note: str, actor: Actor
) -> tuple[Target, bool, float | None]:
    lookup = _target_key(code, fy, unit, peer_group)
    existing = Target.objects.select_for_update(of=("self",)).filter(**lookup).first()
    if existing is None:
        target = Target.objects.create(
            indicator_code=code, fiscal_year=fy, unit=unit, peer_group="" if unit else peer_group, value=value,
            note=note[:255], updated_by=actor.username,
        )  # fmt: skip
        return target, True, None
    before = existing.value
    existing.value, existing.note, existing.updated_by = value, note[:255], actor.username
    existing.save(update_fields=["value", "note", "updated_by", "updated_at"])
    return existing, False, before


def target_delete(*, actor: Actor, target_id: int) -> None:
    require_manage(actor)
    with transaction.atomic():
        target = Target.objects.select_for_update(of=("self",)).filter(pk=target_id).first()
        if target is None:
            raise NotFoundOrNoAccess.default()
        audit.record(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            object_type="monitoring.target",
            object_id=target.pk,
            object_repr=str(target)[:255],
            changes={
                "indicator_code": target.indicator_code,
                "fiscal_year": target.fiscal_year,
                "value": target.value,
            },
        )
        target.delete()


TARGET_COLUMNS = (
    Column("indicator_code", ("รหัสตัวชี้วัด", "indicator", "indicator code")),
    Column("fiscal_year", ("ปีงบประมาณ", "fiscal year", "fy")),
    Column("unit_code", ("รหัสหน่วยงาน", "unit", "unit code"), required=False),
    Column("peer_group", ("กลุ่ม", "group", "peer group"), required=False),
    Column("value", ("ค่าเป้าหมาย", "target", "value")),
    Column("note", ("หมายเหตุ", "note"), required=False),
)


def targets_import(*, actor: Actor, file: IO[bytes], filename: str) -> ImportReport:
    """Set targets from a CSV/XLSX file, all or nothing: a file with any bad row writes nothing and
    the report lists every problem (file, row, column, Thai and English)."""
    require_manage(actor)
    report = ImportReport(file=filename)
    checker = _TargetChecker()
    parsed: list[tuple[str, int, str, str, float, str]] = []
    seen: dict[tuple[str, int, str, str], int] = {}
    try:
        rows = list(read_rows(file, filename, TARGET_COLUMNS))
    except InvalidInput as error:
        report.problems = list(error.problems)
        return report
    codes = {r.values.get("unit_code", "").strip() for r in rows} - {""}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    for row in rows:
        report.rows_read += 1
        v = {k: (s or "").strip() for k, s in row.values.items()}
        columns = {
            f: row.columns.get(f, f)
            for f in ("indicator_code", "fiscal_year", "unit_code", "peer_group", "value")
        }
        unit = units.get(v.get("unit_code", ""))
        problems, number, fy = checker.check(
            indicator_code=v["indicator_code"], fiscal_year=v["fiscal_year"], value=v["value"], unit=unit,
            unit_code=v.get("unit_code", ""), peer_group=v.get("peer_group", ""),
            where={"row": row.number, "file": filename}, columns=columns,
        )  # fmt: skip
        if not problems and number is not None and fy is not None:
            key = (v["indicator_code"], fy, v.get("unit_code", ""), v.get("peer_group", ""))
            if key in seen:
                problems.append(
                    row.problem(
                        "value", "duplicate_row",
                        f"เป้าหมายเดียวกันซ้ำกับแถว {seen[key]}", f"The same target as row {seen[key]}", filename,
                    )
                )  # fmt: skip
            else:
                seen[key] = row.number
                parsed.append((key[0], fy, key[2], key[3], number, v.get("note", "")))
        report.problems.extend(problems)
    if not report.problems and not parsed:
        report.problems.append(
            Problem(code="file_no_rows", th="ไม่มีแถวข้อมูลในไฟล์", en="The file has no data rows", file=filename)
        )
    if report.problems:
        return report
    with transaction.atomic():
        for code, fy, unit_code, group, number, note in parsed:
            unit = units.get(unit_code) if unit_code else None
            before = (
                Target.objects.filter(
                    **_target_key(code, fy, unit, group),
                )
                .values_list("value", "note")
                .first()
            )
            if before is not None and before == (number, note[:255]):
                report.unchanged += 1
                continue
            _, created, _ = _upsert_target(code, fy, unit, group, number, note, actor)
            report.created += int(created)
            report.updated += int(not created)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.IMPORT,
            object_type="monitoring.target",
            object_id=filename[:64],
            object_repr=filename,
            changes={"rows_read": report.rows_read, "created": report.created, "updated": report.updated,
                     "unchanged": report.unchanged},
        )  # fmt: skip
    report.committed = True
    return report


def targets_for_units(
    indicator_codes: Iterable[str], fiscal_year: int, units: Sequence[OrgUnit]
) -> dict[tuple[str, int], float]:
    """``{(indicator code, unit id): target}`` for every pair that has one (three queries, or four
    when schools are among the units), resolving unit > target area > ESA type > default."""
    codes = list(dict.fromkeys(indicator_codes))
    unit_ids = [u.pk for u in units]
    if not codes or not unit_ids:
        return {}
    own: dict[tuple[str, int], float] = {}
    groups: dict[tuple[str, str], float] = {}
    for code, unit_id, group, number in (
        Target.objects.filter(indicator_code__in=codes, fiscal_year=fiscal_year)
        .filter(_unit_or_group(unit_ids))
        .values_list("indicator_code", "unit_id", "peer_group", "value")
    ):
        if unit_id is not None:
            own[(code, unit_id)] = number
        else:
            groups[(code, group)] = number
    esa_type = dict(EsaProfile.objects.filter(unit_id__in=unit_ids).values_list("unit_id", "esa_type"))
    school_ids = [u.pk for u in units if u.kind == OrgUnit.Kind.SCHOOL]
    if school_ids:
        esa_type.update(School.objects.filter(unit_id__in=school_ids).values_list("unit_id", "esa_type"))
    in_area = set(
        TargetArea.objects.filter(framework__fiscal_year=fiscal_year, unit_id__in=unit_ids).values_list(
            "unit_id", flat=True
        )
    )
    out: dict[tuple[str, int], float] = {}
    for code in codes:
        for unit_id in unit_ids:
            value = own.get((code, unit_id))
            if value is None and unit_id in in_area:
                value = groups.get((code, "target_area"))
            if value is None and unit_id in esa_type:
                value = groups.get((code, f"esa_type={esa_type[unit_id]}"))
            if value is None:
                value = groups.get((code, ""))
            if value is not None:
                out[(code, unit_id)] = value
    return out


def _unit_or_group(unit_ids: list[int]) -> Q:
    return Q(unit_id__in=unit_ids) | Q(unit__isnull=True)


def target_for(indicator_code: str, fiscal_year: int, unit: OrgUnit) -> float | None:
    """The target of ``unit`` for the indicator and fiscal year, or None (see module docstring)."""
    return targets_for_units([indicator_code], fiscal_year, [unit]).get((indicator_code, unit.pk))
