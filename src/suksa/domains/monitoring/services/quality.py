"""Data quality of ESA reports: validation rules, outliers, consistency over time, missing data,
narratives, and the round's completeness and timeliness.

Pure reads, no permission checks: callers scope the report or the rows they show (see
``selectors_quality``). One evaluation function (:func:`evaluate`) judges one report from plain
facts; :func:`report_check` loads the facts of one report and :func:`round_quality_results` those
of a whole round — in the same handful of queries whatever the number of reports — and both call
it, so the editor's panel, submission and the bureau's board always agree.

What is checked (thresholds from ``suksa.analytics.quality``; docs/guide/monitoring/data-quality.md):

1. **Validation rules** (``ValidationRule``, global and the framework's; a framework rule replaces
   a global one of the same code): ``range``, ``required``, ``required_comment`` and ``compare``
   (both sides from the report, e.g. ``children_returned <= enrolment``). A rule naming an indicator
   the report does not have is skipped; a rule on an empty value is skipped (emptiness is the
   ``required`` checks' business). A *blocking* rule about values the ESA cannot change (all of
   them pre-filled) is lowered to a warning: the ESA answers it with a comment or a data problem.
   A ``required_comment`` rule that is blocking is satisfied by the comment (no issue then).
2. **The catalogue's possible range** (``Indicator.min_value``/``max_value``) where no range rule
   covers the indicator: blocking for a reported value, a warning for a pre-filled one.
3. **Outliers** (modified z-score > 3.5), for every numeric value: against the ESA's own history
   (its earlier values of the indicator: earlier rounds' reports and, for pre-filled values, the
   platform's stored periods before the one shown; at most the last ten periods) and against its
   peers (the same indicator in the other ESAs' reports of the round, peers being ESAs of the same
   type, primary or secondary). At least five reference values are needed. Warnings.
4. **Consistency over time**: more than ±33 % away from the mean of the prior three periods of the
   same history. Warning.
5. **Missing pre-filled values**: a warning that needs no comment (the ESA cannot fix it; it can
   raise a data problem). It never stands in the way of submission.
6. **Required values and narratives**: a required reported value left empty, a required narrative
   section empty or shorter than its ``min_chars`` (characters after trimming spaces): blocking.

A warning about a value is *answered* (``commented``) when the value has a non-empty comment, or —
for a pre-filled value, which the ESA cannot change — when a data problem was raised on it.
Narrative issues are always blocking (a comment cannot replace the text), so they are never
"commented".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from suksa.analytics import quality as dq
from suksa.core.models import IndicatorValue, OrgUnit
from suksa.domains.monitoring.models import (
    DataProblem,
    FrameworkIndicator,
    NarrativeEntry,
    NarrativeSection,
    Report,
    ReportValue,
    Round,
    ValidationRule,
)
from suksa.domains.monitoring.models.choices import ReportStatus, RuleKind, Severity, ValueOrigin
from suksa.domains.monitoring.periods import available_on, round_period
from suksa.domains.monitoring.services.quality_types import QualityIssue, QualityResult

BLOCKING = str(Severity.BLOCKING)
WARNING = str(Severity.WARNING)
MAX_HISTORY = 10  # periods of a unit's own history used for its outlier check
INTEGER_UNITS = ("persons", "count")
OPS = ("<=", "<", ">=", ">", "==")
PEER_GROUPS: dict[str, tuple[str, str]] = {
    "primary": ("สพป.", "primary"),
    "secondary": ("สพม.", "secondary"),
}


# --- the facts one evaluation needs ----------------------------------------------------------------


@dataclass(frozen=True)
class ValueFact:
    """One value of a report, with what the checks need to know about its indicator."""

    id: int
    code: str
    name_th: str
    name_en: str
    unit: str
    value_type: str
    origin: str
    value: float | None
    period: str
    comment: str
    missing: bool  # pre-filled, and the platform holds no value
    required: bool  # FrameworkIndicator.required (for reported values)
    position: int  # its place in the framework
    min_value: float | None
    max_value: float | None
    has_problem: bool  # a data problem was raised on it
    period_kind: str  # of a pre-filled value's source ("year", "census", "fiscal_year", "round")

    @property
    def prefilled(self) -> bool:
        return self.origin == ValueOrigin.PREFILLED


@dataclass(frozen=True)
class SectionFact:
    code: str
    title_th: str
    title_en: str
    required: bool
    min_chars: int
    chars: int
    position: int


@dataclass(frozen=True)
class RuleFact:
    code: str
    kind: str
    severity: str
    params: dict[str, Any]
    message_th: str
    message_en: str


@dataclass
class ReportFacts:
    report_id: int
    esa_id: int
    peer_group: str | None  # the ESA's type, or None when it has no ESA profile
    values: dict[str, ValueFact] = field(default_factory=dict)
    sections: list[SectionFact] = field(default_factory=list)


@dataclass
class HistoryPoint:
    key: tuple[int, str]  # (ordinal of the day the period ends or is known, period name)
    value: float


@dataclass
class PeerValues:
    """One indicator's values in a peer group's reports of the round (one per ESA)."""

    index: dict[int, int] = field(default_factory=dict)  # esa id -> position in values
    values: list[float] = field(default_factory=list)

    def add(self, esa_id: int, value: float) -> None:
        self.index[esa_id] = len(self.values)
        self.values.append(value)

    def without(self, esa_id: int) -> list[float]:
        i = self.index.get(esa_id)
        return self.values if i is None else self.values[:i] + self.values[i + 1 :]


@dataclass
class RoundContext:
    """What a round's reports are judged against: its rules, peers and the ESAs' histories."""

    rules: list[RuleFact]
    peers: dict[tuple[str, str], PeerValues]  # (peer group, code) -> the round's values
    history: dict[tuple[int, str], list[HistoryPoint]]  # (esa id, code) -> points, oldest first
    round_end: dt.date
    round_code: str = ""  # "m12": figures of a round are compared with the same round of past years


# --- the evaluation ----------------------------------------------------------------------------------


def evaluate(facts: ReportFacts, ctx: RoundContext) -> QualityResult:
    """Every issue of one report: blocking first, then warnings, then missing pre-filled values;
    each group in the framework's order (values by standard and position, then narratives)."""
    issues: list[tuple[int, QualityIssue]] = []
    values = facts.values
    ruled_missing: set[str] = set()
    ranged = {str(r.params.get("indicator")) for r in ctx.rules if r.kind == RuleKind.RANGE}
    for rule in ctx.rules:
        issues.extend(_rule_issues(rule, values, ruled_missing))
    for v in values.values():
        if v.value is None:
            if v.prefilled and v.missing:
                issues.append((v.position, _missing_prefill(v)))
            elif not v.prefilled and v.required and v.code not in ruled_missing:
                issues.append((v.position, _required(v)))
            continue
        if v.code not in ranged:
            issue = _catalogue_range(v)
            if issue is not None:
                issues.append((v.position, issue))
        history = _history_before(
            ctx.history.get((facts.esa_id, v.code), []), v, ctx.round_end, ctx.round_code
        )
        own = dq.is_outlier(v.value, [p.value for p in history[-MAX_HISTORY:]])
        if own.is_outlier:
            issues.append((v.position, _outlier(v, own, "history", facts.peer_group)))
        if facts.peer_group is not None:
            group = ctx.peers.get((facts.peer_group, v.code))
            peers = dq.is_outlier(v.value, group.without(facts.esa_id) if group else [])
            if peers.is_outlier:
                issues.append((v.position, _outlier(v, peers, "peers", facts.peer_group)))
        change = dq.change_vs_prior_mean(v.value, [p.value for p in history])
        if change.is_flagged:
            issues.append((v.position, _change(v, change, history)))
    for s in facts.sections:
        issue = _narrative(s)
        if issue is not None:
            issues.append((s.position, issue))
    issues.sort(key=lambda pair: (pair[1].severity != BLOCKING, pair[1].kind == "missing_prefill", pair[0]))
    return QualityResult(issues=[i for _, i in issues])


def _answered(v: ValueFact) -> bool:
    return bool(v.comment.strip()) or (v.prefilled and v.has_problem)


def _fmt(x: float | None, v: ValueFact | None = None) -> str:
    if x is None:
        return "–"
    if v is not None and (v.value_type == "integer" or v.unit in INTEGER_UNITS) and float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:,.2f}"


def _bound(x: float | None) -> str:
    return "…" if x is None else f"{x:,g}"


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _issue(
    v: ValueFact | None,
    *,
    code: str,
    kind: str,
    severity: str,
    th: str,
    en: str,
    evidence: dict[str, object],
    commented: bool | None = None,
) -> QualityIssue:
    if commented is None:
        commented = severity == WARNING and v is not None and _answered(v)
    return QualityIssue(
        code=code,
        kind=kind,
        severity=severity,
        message_th=th,
        message_en=en,
        indicator_code=v.code if v else None,
        value_id=v.id if v else None,
        commented=commented,
        evidence=evidence,
    )


# --- rules ---------------------------------------------------------------------------------------


def _compare(left: float, op: str, right: float) -> bool:
    return {
        "<=": left <= right,
        "<": left < right,
        ">=": left >= right,
        ">": left > right,
        "==": left == right,
    }[op]


def _rule_issues(
    rule: RuleFact, values: dict[str, ValueFact], ruled_missing: set[str]
) -> list[tuple[int, QualityIssue]]:
    p = rule.params
    base = {"rule": rule.code}
    if rule.kind == RuleKind.COMPARE:
        left, right = values.get(str(p.get("left"))), values.get(str(p.get("right")))
        op = str(p.get("op", "<="))
        if left is None or right is None or op not in OPS or left.value is None or right.value is None:
            return []
        factor = float(p.get("factor", 1.0) or 1.0)
        tolerance = float(p.get("tolerance", 0.0) or 0.0)
        bound = right.value * factor
        if op == "==":
            holds = abs(left.value - bound) <= tolerance
        elif op in ("<=", "<"):
            holds = _compare(left.value, op, bound + tolerance)
        else:
            holds = _compare(left.value, op, bound - tolerance)
        if holds:
            return []
        target = next((x for x in (left, right) if not x.prefilled), None)
        severity = _severity(rule, target is not None)
        target = target or left
        times = f" × {factor:g}" if factor != 1 else ""
        evidence: dict[str, object] = {
            **base, "left": left.code, "left_value": _r(left.value), "op": op, "right": right.code,
            "right_value": _r(right.value), "factor": factor, "tolerance": tolerance, "bound": _r(bound),
            "lowered": severity != rule.severity,
        }  # fmt: skip
        th = (
            f"{rule.message_th} ({left.name_th} {_fmt(left.value, left)} {op} "
            f"{right.name_th} {_fmt(right.value, right)}{times} ไม่เป็นจริง)"
        )
        en = (
            f"{rule.message_en} ({left.name_en} {_fmt(left.value, left)} {op} "
            f"{right.name_en} {_fmt(right.value, right)}{times} does not hold)"
        )
        issue = _issue(
            target, code=rule.code, kind=rule.kind, severity=severity, th=th, en=en, evidence=evidence
        )
        return [(min(left.position, right.position), issue)]
    v = values.get(str(p.get("indicator")))
    if v is None:
        return []
    if rule.kind == RuleKind.REQUIRED:
        if v.value is not None or (v.prefilled and v.missing):
            return []  # a missing pre-filled value is reported as such, never as the ESA's omission
        ruled_missing.add(v.code)
        severity = _severity(rule, not v.prefilled)
        issue = _issue(
            v, code=rule.code, kind=rule.kind, severity=severity, th=rule.message_th, en=rule.message_en,
            evidence={**base, "value": None},
        )  # fmt: skip
        return [(v.position, issue)]
    if v.value is None:
        return []
    if rule.kind == RuleKind.RANGE:
        lo, hi = p.get("min"), p.get("max")
        if (lo is None or v.value >= float(lo)) and (hi is None or v.value <= float(hi)):
            return []
        severity = _severity(rule, not v.prefilled)
        span = f"{_bound(_num(lo))}–{_bound(_num(hi))}"
        issue = _issue(
            v, code=rule.code, kind=rule.kind, severity=severity,
            th=f"{rule.message_th} ({v.name_th} {_fmt(v.value, v)}; ช่วงที่ยอมรับ {span})",
            en=f"{rule.message_en} ({v.name_en} {_fmt(v.value, v)}; accepted {span})",
            evidence={**base, "value": _r(v.value), "min": _num(lo), "max": _num(hi)},
        )  # fmt: skip
        return [(v.position, issue)]
    if rule.kind == RuleKind.REQUIRED_COMMENT:
        op, threshold = str(p.get("op", ">")), _num(p.get("value"))
        if op not in OPS or threshold is None or not _compare(v.value, op, threshold):
            return []
        answered = bool(v.comment.strip())
        if rule.severity == BLOCKING and answered:
            return []  # the comment is what the rule asks for
        issue = _issue(
            v, code=rule.code, kind=rule.kind, severity=rule.severity,
            th=f"{rule.message_th} ({v.name_th} {_fmt(v.value, v)} {op} {_fmt(threshold, v)})",
            en=f"{rule.message_en} ({v.name_en} {_fmt(v.value, v)} {op} {_fmt(threshold, v)})",
            evidence={**base, "value": _r(v.value), "op": op, "threshold": threshold},
            commented=answered,
        )  # fmt: skip
        return [(v.position, issue)]
    return []


def _severity(rule: RuleFact, esa_can_fix: bool) -> str:
    """A blocking rule about values only the platform writes cannot block the ESA: a warning."""
    return rule.severity if esa_can_fix else WARNING


def _num(x: object) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


# --- the built-in checks ---------------------------------------------------------------------------


def _required(v: ValueFact) -> QualityIssue:
    return _issue(
        v, code="required", kind="required", severity=BLOCKING,
        th=f"ต้องกรอก{v.name_th}", en=f"{v.name_en} must be filled in", evidence={"value": None},
    )  # fmt: skip


def _missing_prefill(v: ValueFact) -> QualityIssue:
    return _issue(
        v, code="missing_prefill", kind="missing_prefill", severity=WARNING,
        th=f"ระบบไม่มีข้อมูล{v.name_th}ของเขตพื้นที่นี้ หากควรมีข้อมูล โปรดแจ้งปัญหาข้อมูล",
        en=f"The platform holds no {v.name_en} for this area; if it should, report a data problem",
        evidence={"value": None, "needs_comment": False, "problem_raised": v.has_problem},
        commented=True,
    )  # fmt: skip


def _catalogue_range(v: ValueFact) -> QualityIssue | None:
    assert v.value is not None
    lo, hi = v.min_value, v.max_value
    if (lo is None or v.value >= lo) and (hi is None or v.value <= hi):
        return None
    span = f"{_bound(lo)}–{_bound(hi)}"
    return _issue(
        v, code="range", kind="range", severity=WARNING if v.prefilled else BLOCKING,
        th=f"{v.name_th} {_fmt(v.value, v)} อยู่นอกช่วงที่เป็นไปได้ ({span})",
        en=f"{v.name_en} {_fmt(v.value, v)} is outside the possible range ({span})",
        evidence={"value": _r(v.value), "min": lo, "max": hi, "source": "catalogue"},
    )  # fmt: skip


def _outlier(v: ValueFact, r: dq.OutlierResult, against: str, peer_group: str | None) -> QualityIssue:
    assert r.score is not None
    high = r.direction == "above"
    th_dir, en_dir = ("สูงกว่า", "high") if high else ("ต่ำกว่า", "low")
    z = f"z = {r.score:.1f}"
    median = _fmt(r.median, v)
    if against == "history":
        th = (
            f"{v.name_th} {_fmt(v.value, v)} {th_dir}ค่ากลางของข้อมูลย้อนหลังของเขตพื้นที่นี้ ({median}) อย่างผิดปกติ ({z})"
        )
        en = (
            f"{v.name_en} {_fmt(v.value, v)} is unusually {en_dir} against this area's own history "
            f"(median {median}, {z})"
        )
    else:
        group_th, group_en = PEER_GROUPS.get(peer_group or "", (peer_group or "", peer_group or ""))
        th = (
            f"{v.name_th} {_fmt(v.value, v)} {th_dir}ค่ากลางของเขตพื้นที่กลุ่มเดียวกัน ({median}) "
            f"อย่างผิดปกติ ({z}; {group_th} {r.n_reference:,} เขต)"
        )
        en = (
            f"{v.name_en} {_fmt(v.value, v)} is unusually {en_dir} against the median of peer areas "
            f"({median}; {r.n_reference:,} {group_en} ESAs, {z})"
        )
    evidence: dict[str, object] = {
        "value": _r(v.value), "median": _r(r.median), "mad": _r(r.mad), "mean_ad": _r(r.mean_ad),
        "method": r.method, "score": _r(r.score), "threshold": r.threshold, "n": r.n_reference,
        "direction": r.direction,
    }  # fmt: skip
    if against == "peers":
        evidence["peer_group"] = peer_group
    return _issue(
        v,
        code=f"outlier_{against}",
        kind=f"outlier_{against}",
        severity=WARNING,
        th=th,
        en=en,
        evidence=evidence,
    )


def _change(v: ValueFact, r: dq.ConsistencyResult, history: list[HistoryPoint]) -> QualityIssue:
    periods = [p.key[1] for p in history[-len(r.prior) :]]
    evidence: dict[str, object] = {
        "value": _r(v.value), "prior": [_r(x) for x in r.prior], "prior_periods": periods,
        "prior_mean": _r(r.prior_mean), "change": _r(r.change), "pct": r.pct,
    }  # fmt: skip
    if r.change is None:
        th = f"{v.name_th} {_fmt(v.value, v)} แต่ค่าเฉลี่ย 3 ช่วงก่อนหน้าเป็น 0 (เปลี่ยนแปลงเกิน ±33%)"
        en = f"{v.name_en} is {_fmt(v.value, v)} while the mean of the prior three periods is 0 (beyond ±33%)"
    else:
        pct = abs(r.change) * 100
        th_dir, en_dir = ("สูงกว่า", "above") if r.change > 0 else ("ต่ำกว่า", "below")
        mean = _fmt(r.prior_mean, v)
        th = (
            f"{v.name_th} {_fmt(v.value, v)} {th_dir}ค่าเฉลี่ย 3 ช่วงก่อนหน้า ({mean}) ร้อยละ {pct:.0f} เกินเกณฑ์ ±33%"
        )
        en = f"{v.name_en} {_fmt(v.value, v)} is {pct:.0f}% {en_dir} the mean of the prior three periods ({mean}), beyond ±33%"
    return _issue(v, code="change_33", kind="change_33", severity=WARNING, th=th, en=en, evidence=evidence)


def _narrative(s: SectionFact) -> QualityIssue | None:
    if not s.required:
        return None
    evidence: dict[str, object] = {"section": s.code, "chars": s.chars, "min_chars": s.min_chars}
    if s.chars == 0:
        th, en = f"ยังไม่ได้เขียน “{s.title_th}”", f"“{s.title_en}” is not written yet"
    elif s.chars < s.min_chars:
        th = f"“{s.title_th}” สั้นเกินไป ({s.chars:,} จากอย่างน้อย {s.min_chars:,} ตัวอักษร)"
        en = f"“{s.title_en}” is too short ({s.chars:,} of at least {s.min_chars:,} characters)"
    else:
        return None
    return QualityIssue(
        code="narrative", kind="narrative", severity=BLOCKING, message_th=th, message_en=en, evidence=evidence
    )


# --- history: which earlier values count --------------------------------------------------------


def period_key(period: str, kind: str) -> tuple[int, str] | None:
    """A sortable key of a stored period of ``kind`` (None when the name does not fit the kind)."""
    if kind == "round":
        year_s, _, code = period.partition("/")
        try:
            day = round_period(int(year_s), int(code.removeprefix("m")))[1]
        except ValueError:
            return None
    else:
        found = available_on(period, kind)
        if found is None:
            return None
        day = found
    return (day.toordinal(), period)


def _history_before(
    points: list[HistoryPoint], v: ValueFact, round_end: dt.date, round_code: str = ""
) -> list[HistoryPoint]:
    """The unit's points strictly before the value's own period (pre-filled) or round (reported).

    Figures collected per round (reported values, round-keyed sources) are often cumulative within
    the fiscal year (plan completion, disbursement), so they are compared with the same round of
    earlier years only: a 12-month figure against earlier 12-month figures, never a 6-month one.
    """
    if v.prefilled and v.period_kind != "round":
        own = period_key(v.period, v.period_kind)
        if own is None:
            return []
        return [p for p in points if p.key < own]
    earlier = [p for p in points if p.key[0] < round_end.toordinal()]
    if round_code:
        earlier = [p for p in earlier if p.key[1].endswith(f"/{round_code}")]
    return earlier


# --- loading: the same few queries for one report or a whole round -----------------------------


def _load(rnd: Round, report_ids: list[int] | None, esa_ids: Iterable[int] | None = None) -> tuple[
    dict[int, ReportFacts], RoundContext
]:  # fmt: skip
    """Facts of the round's reports (``report_ids`` / ``esa_ids``; None: all) and their context."""
    framework_id = rnd.framework_id
    round_reports = list(Report.objects.filter(round=rnd).values_list("pk", "esa_id", "esa__esa__esa_type"))
    wanted_esas = set(esa_ids) if esa_ids is not None else None
    chosen = [
        r
        for r in round_reports
        if (report_ids is None or r[0] in report_ids) and (wanted_esas is None or r[1] in wanted_esas)
    ]
    ids = [r[0] for r in chosen]
    facts = {pk: ReportFacts(report_id=pk, esa_id=esa, peer_group=kind) for pk, esa, kind in chosen}

    items = {
        fi.indicator_id: (fi.required, n, fi.indicator)
        for n, fi in enumerate(
            FrameworkIndicator.objects.filter(framework_id=framework_id).select_related("indicator")
        )
    }
    specs = {ind.code: dict(ind.source or {}) for _, _, ind in items.values()}
    problems = (
        set(DataProblem.objects.filter(report_id__in=ids).values_list("value_id", flat=True))
        if ids
        else set()
    )
    if ids:
        rows = ReportValue.objects.filter(report_id__in=ids).values_list(
            "pk", "report_id", "indicator_id", "indicator__code", "indicator__name_th", "indicator__name_en",
            "indicator__unit", "indicator__value_type", "indicator__min_value", "indicator__max_value",
            "indicator__source", "origin", "value", "period", "comment", "source",
        )  # fmt: skip
        for (
            pk, report_id, ind_id, code, name_th, name_en, unit, value_type, lo, hi, ind_source, origin,
            value, period, comment, source,
        ) in rows:  # fmt: skip
            required, position, _ = items.get(ind_id, (False, 10_000, None))
            source = source or {}
            facts[report_id].values[code] = ValueFact(
                id=pk, code=code, name_th=name_th, name_en=name_en, unit=unit, value_type=value_type,
                origin=origin, value=value, period=period, comment=comment or "",
                missing=bool(source.get("missing")) or (origin == ValueOrigin.PREFILLED and value is None),
                required=required, position=position, min_value=lo, max_value=hi, has_problem=pk in problems,
                period_kind=str((ind_source or {}).get("period", "year")),
            )  # fmt: skip
        sections = list(
            NarrativeSection.objects.filter(framework_id=framework_id).values_list(
                "pk", "code", "title_th", "title_en", "required", "min_chars"
            )
        )
        texts = {
            (r, s): len((t or "").strip())
            for r, s, t in NarrativeEntry.objects.filter(report_id__in=ids).values_list(
                "report_id", "section_id", "text"
            )
        }
        for f in facts.values():
            f.sections = [
                SectionFact(code, t_th, t_en, req, mc, texts.get((f.report_id, pk), 0), 20_000 + n)
                for n, (pk, code, t_th, t_en, req, mc) in enumerate(sections)
            ]

    rule_rows = ValidationRule.objects.filter(active=True).filter(
        Q(framework__isnull=True) | Q(framework_id=framework_id)
    )
    by_code: dict[str, RuleFact] = {}
    for rule in sorted(rule_rows, key=lambda r: (r.framework_id is not None, r.code)):
        by_code[rule.code] = RuleFact(
            rule.code, rule.kind, rule.severity, dict(rule.params or {}), rule.message_th, rule.message_en
        )
    rules = sorted(by_code.values(), key=lambda r: r.code)

    esa_type = {esa: kind for _, esa, kind in round_reports}
    peers: dict[tuple[str, str], PeerValues] = {}
    for esa, code, value in ReportValue.objects.filter(report__round=rnd, value__isnull=False).values_list(
        "report__esa_id", "indicator__code", "value"
    ):
        kind = esa_type.get(esa)
        if kind and value is not None:
            peers.setdefault((kind, code), PeerValues()).add(esa, value)

    history = _histories(rnd, [f.esa_id for f in facts.values()], specs)
    return facts, RoundContext(
        rules=rules, peers=peers, history=history, round_end=rnd.period_end, round_code=rnd.code
    )


def _histories(
    rnd: Round, esa_ids: list[int], specs: dict[str, dict[str, Any]]
) -> dict[tuple[int, str], list[HistoryPoint]]:
    """Each ESA's earlier values per indicator code, oldest first, one per period.

    Reported values: one point per earlier round the ESA reported in (drafts never submitted are
    left out). Pre-filled values: one point per stored period, from earlier reports and from the
    platform's ``core.IndicatorValue`` rows of the ESA (the platform's latest computation wins).
    """
    if not esa_ids:
        return {}
    prefilled: dict[tuple[int, str], dict[str, float]] = {}
    reported: dict[tuple[int, str], dict[tuple[int, str], float]] = {}
    rows = (
        ReportValue.objects.filter(
            report__esa_id__in=esa_ids, report__round__period_end__lt=rnd.period_end, value__isnull=False
        )
        .values_list(
            "report__esa_id",
            "indicator__code",
            "origin",
            "value",
            "period",
            "report__status",
            "report__round__period_end",
            "report__round__framework__fiscal_year",
            "report__round__code",
        )
        .order_by("report__round__period_end")
    )
    for esa, code, origin, value, period, status, end, fy, rcode in rows:
        if value is None:
            continue
        if origin == ValueOrigin.PREFILLED:
            if period:
                prefilled.setdefault((esa, code), {})[period] = value
        elif status != ReportStatus.DRAFT:
            reported.setdefault((esa, code), {})[(end.toordinal(), f"{fy}/{rcode}")] = value
    by_source: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for code, spec in specs.items():
        if spec.get("indicator"):
            by_source.setdefault((str(spec["indicator"]), str(spec.get("breakdown", ""))), []).append(
                (code, spec)
            )
    if by_source:
        platform = (
            IndicatorValue.objects.filter(
                unit_id__in=esa_ids,
                indicator__in=sorted({c for c, _ in by_source}),
                breakdown__in=sorted({b for _, b in by_source}),
                value__isnull=False,
            )
            .values_list("unit_id", "indicator", "breakdown", "period", "value", "run__producer")
            .order_by("computed_at", "pk")
        )
        for unit_id, indicator, breakdown, period, value, producer in platform.iterator(chunk_size=5000):
            if value is None:
                continue
            for code, spec in by_source.get((indicator, breakdown), []):
                if spec.get("producer") and producer != spec["producer"]:
                    continue
                scale = float(spec.get("scale", 1))
                prefilled.setdefault((unit_id, code), {})[period] = round(value * scale, 4)
    out: dict[tuple[int, str], list[HistoryPoint]] = {}
    for (esa, code), by_period in prefilled.items():
        kind = str(specs.get(code, {}).get("period", "year"))
        points = []
        for period, value in by_period.items():
            key = period_key(period, kind)
            if key is not None:
                points.append(HistoryPoint(key, value))
        out[(esa, code)] = sorted(points, key=lambda p: p.key)
    for (esa, code), by_round in reported.items():
        out[(esa, code)] = [HistoryPoint(k, v) for k, v in sorted(by_round.items())]
    return out


# --- the public reads --------------------------------------------------------------------------


def report_check(report: Report) -> QualityResult:
    """Every data-quality issue of one report (pure read; the caller scoped the report)."""
    rnd = report.round
    facts, ctx = _load(rnd, [report.pk])
    if report.pk not in facts:
        return QualityResult()
    return evaluate(facts[report.pk], ctx)


def round_quality_results(rnd: Round, *, esa_ids: Iterable[int] | None = None) -> dict[int, QualityResult]:
    """Every report's issues for the round (or for the reports of ``esa_ids``), keyed by report id.

    Peers are always the whole round; only the reports asked for are judged.
    """
    facts, ctx = _load(rnd, None, esa_ids)
    return {pk: evaluate(f, ctx) for pk, f in facts.items()}


@dataclass(frozen=True)
class BoardRow:
    report_id: int
    esa_id: int
    blocking: int
    warnings: int
    uncommented: int
    can_submit: bool
    by_kind: dict[str, int]


def round_quality_board(rnd: Round, *, esa_ids: Iterable[int] | None = None) -> dict[int, BoardRow]:
    """Per ESA (keyed by ESA id): counts of blocking issues, warnings and unanswered warnings."""
    facts, ctx = _load(rnd, None, esa_ids)
    out: dict[int, BoardRow] = {}
    for pk, f in facts.items():
        result = evaluate(f, ctx)
        kinds: dict[str, int] = {}
        for issue in result.issues:
            kinds[issue.kind] = kinds.get(issue.kind, 0) + 1
        out[f.esa_id] = BoardRow(
            report_id=pk,
            esa_id=f.esa_id,
            blocking=len(result.blocking),
            warnings=len(result.warnings),
            uncommented=len(result.uncommented_warnings),
            can_submit=result.can_submit,
            by_kind=kinds,
        )
    return out


# --- completeness and timeliness ---------------------------------------------------------------

RECEIVED = (
    ReportStatus.SUBMITTED,
    ReportStatus.IN_REVIEW,
    ReportStatus.RETURNED,
    ReportStatus.APPROVED,
    ReportStatus.LOCKED,
)


def expected_esas(rnd: Round) -> Any:
    """The ESAs that owe the round a report: every active ESA, and any ESA that has one."""
    return (
        OrgUnit.objects.filter(Q(kind=OrgUnit.Kind.ESA, is_active=True) | Q(monitoring_reports__round=rnd))
        .distinct()
        .select_related("parent", "esa")
        .order_by("code")
    )


def _share_dict(r: dq.ShareResult) -> dict[str, Any]:
    return {
        "count": r.count,
        "expected": r.expected,
        "rate": r.rate,
        "target": r.target,
        "flag_below": r.flag_below,
        "meets_target": r.meets_target,
        "flagged": r.flagged,
    }


def round_completeness(
    rnd: Round, *, esa_ids: Iterable[int] | None = None, today: dt.date | None = None
) -> dict[str, Any]:
    """Completeness (received / expected) and timeliness (on time / expected) of a round.

    Per ESA (``rows``, in ESA code order; only ``esa_ids`` when given, and the totals are then
    theirs): whether it has a report, its status, whether it was received (submitted at least
    once: any status after draft), when, whether on time (submitted on or before the due date, in
    local time; ``None`` while a report is still out and the due date has not passed), days late,
    and how complete its content is (values and narrative sections filled of those in the report;
    an office below 90 % is flagged). ``flags`` per row: ``missing`` (no report at all),
    ``not_submitted``, ``late``, ``incomplete``.
    """
    day = today or timezone.localdate()
    wanted = set(esa_ids) if esa_ids is not None else None
    esas = [e for e in expected_esas(rnd) if wanted is None or e.pk in wanted]
    reports = {
        r.esa_id: r
        for r in Report.objects.filter(round=rnd, esa_id__in=[e.pk for e in esas]).only(
            "pk", "esa_id", "status", "submitted_at", "round_id"
        )
    }
    ids = [r.pk for r in reports.values()]
    values = {
        row["report_id"]: (row["total"], row["filled"])
        for row in ReportValue.objects.filter(report_id__in=ids)
        .values("report_id")
        .annotate(total=Count("pk"), filled=Count("value"))
    }
    narratives = {
        row["report_id"]: (row["total"], row["filled"])
        for row in NarrativeEntry.objects.filter(report_id__in=ids)
        .values("report_id")
        .annotate(total=Count("pk"), filled=Count("pk", filter=~Q(text="")))
    }
    rows: list[dict[str, Any]] = []
    for esa in esas:
        report = reports.get(esa.pk)
        region = esa.parent
        profile = getattr(esa, "esa", None)  # None when the unit has no ESA profile
        row: dict[str, Any] = {
            "esa_id": esa.pk, "esa_code": esa.code, "esa_name_th": esa.name_th, "esa_name_en": esa.name_en,
            "esa_path": esa.path, "esa_type": profile.esa_type if profile else "",
            "region_id": region.pk if region else None, "region_code": region.code if region else "",
            "region_name_th": region.name_th if region else "", "region_name_en": region.name_en if region else "",
            "report_id": report.pk if report else None, "has_report": report is not None,
            "status": report.status if report else "missing",
        }  # fmt: skip
        submitted_at = report.submitted_at if report else None
        received = report is not None and report.status in RECEIVED
        on_time: bool | None
        days_late = 0
        if received and submitted_at is not None:
            submitted_on = timezone.localtime(submitted_at).date()
            on_time = submitted_on <= rnd.due_on
            days_late = max(0, (submitted_on - rnd.due_on).days)
        elif received:
            on_time = False  # received with no submission time: cannot be shown to be on time
        else:
            on_time = None if day <= rnd.due_on else False
            days_late = max(0, (day - rnd.due_on).days)
        v_total, v_filled = values.get(report.pk, (0, 0)) if report else (0, 0)
        n_total, n_filled = narratives.get(report.pk, (0, 0)) if report else (0, 0)
        items, filled = v_total + n_total, v_filled + n_filled
        content = dq.completeness(filled, items) if items else None
        flags = []
        if report is None:
            flags.append("missing")
        elif not received:
            flags.append("not_submitted")
        if on_time is False and received:
            flags.append("late")
        if content is not None and content.flagged:
            flags.append("incomplete")
        row.update(
            received=received, submitted_at=submitted_at, on_time=on_time, days_late=days_late,
            items=items, items_filled=filled, content_rate=content.rate if content else None,
            flags=flags,
        )  # fmt: skip
        rows.append(row)
    expected = len(rows)
    received_n = sum(1 for r in rows if r["received"])
    on_time_n = sum(1 for r in rows if r["on_time"] is True)
    comp, time = dq.completeness(received_n, expected), dq.timeliness(on_time_n, expected)
    totals = {
        "expected": expected,
        "received": received_n,
        "on_time": on_time_n,
        "late": sum(1 for r in rows if "late" in r["flags"]),
        "missing": sum(1 for r in rows if not r["received"]),
        "completeness": _share_dict(comp),
        "timeliness": _share_dict(time),
        "flags": [
            name
            for name, on in (
                ("completeness_below_target", expected > 0 and not comp.meets_target),
                ("completeness_flagged", comp.flagged),
                ("timeliness_below_target", expected > 0 and not time.meets_target),
            )
            if on
        ],
    }
    return {
        "round": {
            "id": rnd.pk, "key": rnd.key, "name_th": rnd.name_th, "name_en": rnd.name_en,
            "due_on": rnd.due_on, "locks_on": rnd.locks_on, "phase": rnd.phase(day),
        },
        "today": day,
        "rows": rows,
        "totals": totals,
        "thresholds": {
            "completeness_target": dq.COMPLETENESS_TARGET,
            "completeness_flag": dq.COMPLETENESS_FLAG,
            "timeliness_target": dq.TIMELINESS_TARGET,
        },
    }  # fmt: skip
