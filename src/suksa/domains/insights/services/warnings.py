"""The "warnings" stage of an insights run: early-warning rules, the risk model, and alerts.

For every ESA × indicator that has a target (the framework's main indicators) and a direction:

1. **Rules** (``suksa.analytics.warning``): below target, sustained deterioration (or a
   significant bad trend from the trends stage of the same run, when it ran), data gaps; and per
   ESA missed deadlines (its reports of the rounds up to this one, as of today or the run's
   ``as_of`` parameter).
2. **Risk model**: rows per period from each series with the target of *that period's* fiscal
   year (academic year *y* is read by the FY *y* + 1 round, a census of June *y* and round
   *y*/m… by FY *y*); a fiscal year without a target for the pair falls back to the round's own
   target. Trained, evaluated on the temporal hold-out and stored as :class:`RiskModelFit`
   (metrics of the model, the rule and the past level; fairness by region group, size band and
   small-school-share band), with one :class:`RiskScore` per ESA × indicator.
3. **Alerts** keyed by (round, unit, kind, indicator) are raised or refreshed — never deleted by
   a run, so their lifecycle survives re-runs. Rule hits always; the model's top 10 % only when it
   was chosen. ``quality``: ``held`` when the data behind it fail a blocking check or carry an
   open data problem (executives and ESA staff do not see it; M&E officers do, with the reason),
   ``labelled`` for warnings, ``ok`` otherwise.
4. **Routing**: a raised alert that is not held is notified (in-app and e-mail, once per alert) to
   the directors of its ESA and, when its severity is high, to the national executives and M&E
   officers. Alerts about schools are not raised yet (ESAs only).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from suksa.analytics import warning as aw
from suksa.core.models import OrgUnit
from suksa.core.notify import notify
from suksa.core.policy import Role
from suksa.domains.insights.models import Alert, AlertEvent, InsightRun, RiskModelFit, RiskScore, Trend
from suksa.domains.insights.models.choices import AlertKind, AlertSeverity, DataQuality
from suksa.domains.insights.services.data import IndicatorInfo, Point, RoundData, UnitInfo, region_group, tau
from suksa.domains.insights.services.run import StageContext, stage
from suksa.domains.monitoring.models import Indicator, Report, Round
from suksa.domains.monitoring.models.choices import SourceKind
from suksa.domains.monitoring.services.catalogue import targets_for_units

METHOD_VERSION = "warnings-1"
RISK_BUDGET = aw.BUDGET
NOTIFY_KIND = "alert"
SUBJECT = "insights.alert"

# OBEC inspection regions 1–18 by geographic area (the region group of the fairness checks).


@dataclass
class Raised:
    """An alert this run wants to exist (keyed like :class:`Alert`)."""

    unit: int
    kind: str
    indicator: str
    severity: str
    quality: str
    domain: str
    title_th: str
    title_en: str
    factors: list[dict[str, Any]]
    evidence: dict[str, Any] = field(default_factory=dict)


# --- inputs -------------------------------------------------------------------------------------


def target_year(period: str, kind: str) -> int | None:
    """The fiscal year whose targets a period's value is judged against (see the module docstring)."""
    try:
        head = int(period.partition("/")[0])
    except ValueError:
        return None
    return head + 1 if kind == "year" else head


def _period_targets(
    data: RoundData, codes: list[str], esas: list[UnitInfo]
) -> dict[tuple[int, str], dict[str, float]]:
    """``{(unit, code): {period: target}}`` over each series' periods."""
    fy_now = data.round.framework.fiscal_year
    years: set[int] = set()
    for esa in esas:
        for code in codes:
            for p in series_of(data, esa.id, code):
                fy = target_year(p.period, data.indicators[code].period_kind)
                if fy is not None and fy != fy_now:
                    years.add(fy)
    objs = list(OrgUnit.objects.filter(pk__in=[e.id for e in esas]))
    by_year = {fy: targets_for_units(codes, fy, objs) for fy in sorted(years)}
    by_year[fy_now] = data.targets
    out: dict[tuple[int, str], dict[str, float]] = {}
    for esa in esas:
        for code in codes:
            current = data.targets.get((code, esa.id))
            per: dict[str, float] = {}
            if data.indicators[code].period_kind == "round" and data.round.months != 12:
                out[(esa.id, code)] = per  # targets are 12-month figures
                continue
            for p in series_of(data, esa.id, code):
                fy = target_year(p.period, data.indicators[code].period_kind)
                value = by_year.get(fy, {}).get((code, esa.id)) if fy is not None else None
                value = current if value is None else value
                if value is not None:
                    per[p.period] = value
            out[(esa.id, code)] = per
    return out


def _deadlines(rnd: Round, esa_ids: list[int]) -> tuple[dict[int, list[aw.DeadlineRecord]], dict[int, int]]:
    """Each ESA's reports of the rounds up to this one, and its report of this round."""
    rows = Report.objects.filter(esa_id__in=esa_ids, round__period_end__lte=rnd.period_end).values_list(
        "esa_id",
        "round_id",
        "round__framework__fiscal_year",
        "round__code",
        "round__due_on",
        "submitted_at",
        "pk",
    )
    records: dict[int, list[aw.DeadlineRecord]] = defaultdict(list)
    current: dict[int, int] = {}
    for esa_id, round_id, fy, code, due_on, submitted_at, pk in rows:
        key = f"{fy}/{code}"
        t = tau(key, "round")
        records[esa_id].append(
            aw.DeadlineRecord(
                round_key=key,
                due_on=due_on.isoformat(),
                submitted_on=timezone.localdate(submitted_at).isoformat() if submitted_at else None,
                report_id=pk,
                t=t if t is not None else 0.0,
            )
        )
        if round_id == rnd.pk:
            current[esa_id] = pk
    return dict(records), current


def _bad_trends(run: InsightRun) -> dict[tuple[int, str], dict[str, Any]]:
    """Significant trends the wrong way found by the trends stage of this run (if it ran)."""
    rows = Trend.objects.filter(run=run, breakdown="", significant=True, good=False).values_list(
        "unit_id", "indicator", "pk", "slope", "p_value"
    )
    return {(u, code): {"id": pk, "slope": slope, "p_value": p} for u, code, pk, slope, p in rows}


def _bands(values: dict[int, float], names: tuple[str, str, str]) -> dict[int, str]:
    """Thirds of the ESAs by a context value."""
    if not values:
        return {}
    lo, hi = np.quantile(list(values.values()), [1 / 3, 2 / 3])
    return {k: names[0] if v <= lo else names[1] if v <= hi else names[2] for k, v in values.items()}


def _groups(data: RoundData, esas: list[UnitInfo]) -> dict[int, dict[str, str]]:
    size = _bands({e.id: e.context.get("learners", 0.0) for e in esas}, ("small", "medium", "large"))
    share = _bands({e.id: e.context.get("small_share", 0.0) for e in esas}, ("low", "mid", "high"))
    return {
        e.id: {
            "region_group": region_group(data, e),
            "size_band": size[e.id],
            "small_school_band": share[e.id],
        }
        for e in esas
    }


def _quality(issues: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """held: a blocking finding or an open data problem; labelled: other findings."""
    relevant = [i for i in issues if not (i.get("kind") == "data_problem" and i.get("status") == "rejected")]
    held = [
        i
        for i in relevant
        if i.get("severity") == "blocking" or (i.get("kind") == "data_problem" and i.get("status") == "open")
    ]
    if held:
        return DataQuality.HELD, relevant
    return (DataQuality.LABELLED if relevant else DataQuality.OK), relevant


def _scale(data: RoundData, code: str, esas: list[UnitInfo], targets: list[float]) -> float:
    latest = [pts[-1].value for e in esas if (pts := series_of(data, e.id, code))]
    sd = float(np.std(latest)) if len(latest) >= 2 else 0.0
    if sd > 1e-9:
        return sd
    typical = float(np.median([abs(t) for t in targets])) if targets else 0.0
    return typical if typical > 1e-9 else 1.0


def _expected_periods(data: RoundData, code: str, esas: list[UnitInfo]) -> list[str]:
    """Periods at least half of the ESAs have a value for, in time order."""
    count: dict[str, int] = defaultdict(int)
    when: dict[str, float] = {}
    for e in esas:
        for p in series_of(data, e.id, code):
            count[p.period] += 1
            when[p.period] = p.t
    need = max(1, math.ceil(len(esas) / 2))
    return sorted((p for p, n in count.items() if n >= need), key=lambda p: when[p])


def _obs(points: Iterable[Point]) -> list[aw.Obs]:
    return [aw.Obs(p.period, p.t, p.value, p.source) for p in points]


def series_of(data: RoundData, unit: int, code: str) -> list[Point]:
    """The unit's series; for round-period indicators only the rounds of this round's length
    (cumulative figures are about half by the 6-month round)."""
    points = data.series.get((unit, code), [])
    if data.indicators[code].period_kind != "round":
        return points
    suffix = f"/m{data.round.months}"
    return [p for p in points if p.period.endswith(suffix)]


# --- texts --------------------------------------------------------------------------------------


def _n(value: float) -> str:
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _value_rows(unit: int, code: str, obs: Iterable[aw.Obs], scale: float = 1.0) -> list[dict[str, Any]]:
    """Evidence values; ``scale`` (when not 1) turns a stored platform value into the catalogue's
    unit (``value = stored × scale``), so that the stored row can be checked."""
    rows = []
    for o in obs:
        row: dict[str, Any] = {"unit": unit, "indicator": code, "period": o.period, "value": o.value,
                               "source": dict(o.source)}  # fmt: skip
        if scale != 1.0 and o.source.get("model") == "core.IndicatorValue":
            row["scale"] = scale
        rows.append(row)
    return rows


def source_scales() -> dict[str, float]:
    """The catalogue's scale of each platform-sourced indicator (stored value × scale = shown)."""
    return {
        ind.code: float(ind.source.get("scale", 1))
        for ind in Indicator.objects.filter(is_current=True).exclude(source_kind=SourceKind.REPORTED)
        if ind.source.get("indicator")
    }


def _titles(hit: aw.RuleHit, ind: IndicatorInfo | None, rnd: Round) -> tuple[str, str]:
    if hit.kind == "below_target" and ind is not None:
        last = hit.values[-1]
        target = hit.data["target"]
        return (
            f"{ind.name_th} ยังไม่ถึงค่าเป้าหมาย: {_n(last.value)} เทียบกับเป้า {_n(target)} ({last.period})",
            f"{ind.name_en or ind.name_th}: {_n(last.value)} against a target of {_n(target)} ({last.period})",
        )
    if hit.kind == "deterioration" and ind is not None:
        run = hit.data["worse_run"]
        if run >= aw.DETERIORATION_RUN:
            return (
                f"{ind.name_th} แย่ลงต่อเนื่อง {run} ช่วงเวลา",
                f"{ind.name_en or ind.name_th} worse {run} periods in a row",
            )
        return (
            f"{ind.name_th} มีแนวโน้มแย่ลงอย่างมีนัยสำคัญ",
            f"{ind.name_en or ind.name_th} has a significant worsening trend",
        )
    if hit.kind == "data_gap" and ind is not None:
        missing = ", ".join(hit.data["missing"])
        return (
            f"{ind.name_th} ไม่มีข้อมูล {len(hit.data['missing'])} ช่วงเวลา ({missing})",
            f"{ind.name_en or ind.name_th} missing for {len(hit.data['missing'])} period(s) ({missing})",
        )
    current = hit.data.get("current") or {}
    if hit.severity == "high":
        return (f"ยังไม่ส่งรายงาน{rnd.name_th} ซึ่งเลยกำหนดส่งแล้ว", f"The {rnd.name_en} report is past due")
    if hit.severity == "medium" and current:
        return (f"ส่งรายงาน{rnd.name_th} ช้ากว่ากำหนด", f"The {rnd.name_en} report came in late")
    n = len(hit.data["past_late"])
    return (
        f"ส่งรายงานช้าหรือไม่ส่ง {n} ครั้งในรอบที่ผ่านมา",
        f"{n} earlier report(s) late or not sent",
    )


# --- the stage ----------------------------------------------------------------------------------


@stage(
    "warnings", order=60, label_th="การเตือนล่วงหน้า", label_en="Early warnings", method_version=METHOD_VERSION,
    models=(RiskModelFit, RiskScore),
)  # fmt: skip
def compute_warnings(ctx: StageContext) -> dict[str, Any]:
    data, rnd = ctx.data, ctx.round
    as_of = str(ctx.parameters.get("as_of") or timezone.localdate().isoformat())
    esas = data.esas()
    codes = sorted(
        c
        for c, ind in data.indicators.items()
        if ind.direction != 0 and any((c, e.id) in data.targets for e in esas)
    )
    period_targets = _period_targets(data, codes, esas)
    deadlines, reports = _deadlines(rnd, [e.id for e in esas])
    trends = _bad_trends(ctx.run)
    groups = _groups(data, esas)
    scales = source_scales()
    raised: list[Raised] = []
    rows: list[aw.RiskRow] = []
    last_obs: dict[tuple[int, str], list[aw.Obs]] = {}
    for i, code in enumerate(codes):
        ind = data.indicators[code]
        scale = _scale(data, code, esas, [v for (c, _), v in data.targets.items() if c == code])
        expected = _expected_periods(data, code, esas)
        for esa in esas:
            obs = _obs(series_of(data, esa.id, code))
            last_obs[(esa.id, code)] = obs
            quality, issues = _quality(data.flags.get((esa.id, code), []))
            context = {
                "primary": 1.0 if esa.esa_type == "primary" else 0.0,
                "small_share": esa.context.get("small_share", 0.0),
                "learners": esa.context.get("learners", 0.0),
            }
            rows.extend(
                aw.build_rows(
                    unit=esa.id,
                    indicator=code,
                    obs=obs,
                    targets=period_targets.get((esa.id, code), {}),
                    direction=ind.direction,
                    scale=scale,
                    deadlines=deadlines.get(esa.id, []),
                    context=context,
                    groups=groups[esa.id],
                    flagged=quality != DataQuality.OK,
                    as_of=as_of,
                )
            )
            target = period_targets.get((esa.id, code), {}).get(obs[-1].period) if obs else None
            hits = [
                aw.rule_below_target(obs, target, ind.direction),
                aw.rule_deterioration(obs, ind.direction, bad_trend=trends.get((esa.id, code))),
                aw.rule_data_gap(obs, expected),
            ]
            for hit in hits:
                if hit is None:
                    continue
                title_th, title_en = _titles(hit, ind, rnd)
                evidence: dict[str, Any] = {
                    "values": _value_rows(esa.id, code, hit.values or obs[-1:], scales.get(code, 1.0)),
                    "target": {
                        "value": target,
                        "fiscal_year": target_year(obs[-1].period, ind.period_kind) if obs else None,
                    },
                    "report": reports.get(esa.id),
                    "rule": {k: v for k, v in hit.data.items() if k != "trend"},
                }
                if hit.kind == "deterioration" and hit.data.get("trend"):
                    evidence["trend"] = hit.data["trend"]["id"]
                if hit.kind != "data_gap":
                    evidence["quality_issues"] = issues
                raised.append(
                    Raised(
                        unit=esa.id,
                        kind=hit.kind,
                        indicator=code,
                        severity=hit.severity,
                        quality=DataQuality.OK if hit.kind == "data_gap" else quality,
                        domain=ind.domain,
                        title_th=title_th,
                        title_en=title_en,
                        factors=[f.as_dict() for f in hit.factors],
                        evidence=evidence,
                    )
                )
        ctx.progress(i + 1, len(codes) + 2, f"{ind.name_th} / {ind.name_en}")
    for esa in esas:
        hit = aw.rule_missed_deadline(deadlines.get(esa.id, []), rnd.key, as_of)
        if hit is not None:
            title_th, title_en = _titles(hit, None, rnd)
            raised.append(
                Raised(
                    unit=esa.id,
                    kind=AlertKind.MISSED_DEADLINE,
                    indicator="",
                    severity=hit.severity,
                    quality=DataQuality.OK,
                    domain="reporting",
                    title_th=title_th,
                    title_en=title_en,
                    factors=[f.as_dict() for f in hit.factors],
                    evidence={"report": reports.get(esa.id), "rule": dict(hit.data)},
                )
            )
    fit = aw.fit_risk_model(rows, budget=RISK_BUDGET)
    scores = _store_model(ctx, fit, rows)
    if fit.chosen:
        raised.extend(_risk_alerts(data, fit, scores, last_obs, reports, scales))
    ctx.progress(len(codes) + 1, len(codes) + 2, "alerts")
    created, refreshed = _upsert(ctx.run, rnd, raised)
    notified = route(rnd)
    return {
        "rows": len(rows),
        "risk_scores": len(scores),
        "model_chosen": fit.chosen,
        "alerts_raised": len(raised),
        "alerts_new": created,
        "alerts_refreshed": refreshed,
        "alerts_notified": notified,
    }


def _store_model(
    ctx: StageContext, fit: aw.RiskFit, rows: list[aw.RiskRow]
) -> list[tuple[RiskScore, aw.RiskRow]]:
    RiskModelFit.objects.create(
        run=ctx.run, method=fit.method, features=list(fit.features),
        coefficients={"intercept": fit.intercept, **fit.coefficients, "means": fit.means, "scales": fit.scales,
                      "parameters": fit.parameters},
        trained_on=fit.trained_on, tested_on=fit.tested_on, metrics=fit.metrics, fairness=fit.fairness,
        chosen=fit.chosen, note_th=fit.note_th, note_en=fit.note_en,
    )  # fmt: skip
    if not fit.usable:
        return []
    _, _, predict = aw.split_holdout(rows)
    scores = [
        RiskScore(
            run=ctx.run,
            unit_id=r.unit,
            indicator=r.indicator,
            probability=round(fit.probability(r), 6),
            factors=[f.as_dict() for f in fit.top_factors(r)],
            data={
                "period": r.period,
                "features": dict(r.features),
                "chosen": fit.chosen,
                "rule_flag": r.rule_score,
                "groups": dict(r.groups),
            },
        )
        for r in predict
    ]
    RiskScore.objects.bulk_create(scores)
    return list(zip(scores, predict, strict=True))


def _risk_alerts(
    data: RoundData,
    fit: aw.RiskFit,
    scores: list[tuple[RiskScore, aw.RiskRow]],
    last_obs: dict[tuple[int, str], list[aw.Obs]],
    reports: dict[int, int],
    scales: dict[str, float],
) -> list[Raised]:
    """The model's top 10 % of ESA × indicator predictions."""
    k = aw.budget_k(len(scores), RISK_BUDGET)
    top = sorted(scores, key=lambda s: (-s[0].probability, s[1].unit, s[1].indicator))[:k]
    out: list[Raised] = []
    for score, row in top:
        ind = data.indicators[row.indicator]
        p = score.probability
        quality, issues = _quality(data.flags.get((row.unit, row.indicator), []))
        out.append(
            Raised(
                unit=row.unit,
                kind=AlertKind.RISK,
                indicator=row.indicator,
                severity=AlertSeverity.HIGH
                if p >= 0.7
                else AlertSeverity.MEDIUM
                if p >= 0.4
                else AlertSeverity.LOW,
                quality=quality,
                domain=ind.domain,
                title_th=f"{ind.name_th} มีโอกาสไม่บรรลุเป้าในช่วงถัดไป ({p:.0%})",
                title_en=f"{ind.name_en or ind.name_th} likely to miss its next target ({p:.0%})",
                factors=score.factors,
                evidence={
                    "values": _value_rows(
                        row.unit,
                        row.indicator,
                        last_obs.get((row.unit, row.indicator), [])[-3:],
                        scales.get(row.indicator, 1.0),
                    ),
                    "risk_score": score.pk,
                    "probability": p,
                    "report": reports.get(row.unit),
                    "model": {"auc": fit.metrics["model"]["auc"], "tested_on": fit.tested_on},
                    "quality_issues": issues,
                },
            )
        )
    return out


def _upsert(run: InsightRun, rnd: Round, raised: list[Raised]) -> tuple[int, int]:
    """Create the new alerts, refresh the existing ones (their status untouched)."""
    now = timezone.now()
    existing = {(a.unit_id, a.kind, a.indicator): a for a in Alert.objects.filter(round=rnd)}
    new: list[Alert] = []
    changed: list[Alert] = []
    events: list[AlertEvent] = []
    for r in raised:
        a = existing.get((r.unit, r.kind, r.indicator))
        if a is None:
            new.append(
                Alert(
                    round=rnd,
                    unit_id=r.unit,
                    kind=r.kind,
                    indicator=r.indicator,
                    severity=r.severity,
                    quality=r.quality,
                    domain=r.domain,
                    title_th=r.title_th[:300],
                    title_en=r.title_en[:300],
                    factors=r.factors,
                    evidence=r.evidence,
                    first_run=run,
                    last_run=run,
                )
            )
            continue
        if (a.severity, a.quality) != (r.severity, r.quality):
            events.append(
                AlertEvent(
                    alert=a,
                    action="refreshed",
                    at=now,
                    note=f"{a.severity}/{a.quality} → {r.severity}/{r.quality}",
                )
            )
        a.severity, a.quality, a.domain = r.severity, r.quality, r.domain
        a.title_th, a.title_en = r.title_th[:300], r.title_en[:300]
        a.factors, a.evidence, a.last_run, a.updated_at = r.factors, r.evidence, run, now
        changed.append(a)
    Alert.objects.bulk_create(new)
    if changed:
        Alert.objects.bulk_update(
            changed,
            [
                "severity",
                "quality",
                "domain",
                "title_th",
                "title_en",
                "factors",
                "evidence",
                "last_run",
                "updated_at",
            ],
            batch_size=500,
        )
    events.extend(AlertEvent(alert=a, action="raised", at=now, note=f"run {run.pk}") for a in new)
    AlertEvent.objects.bulk_create(events)
    return len(new), len(changed)


# --- routing ------------------------------------------------------------------------------------


def alert_url(alert_id: int) -> str:
    try:
        return reverse("web:alert", args=[alert_id])
    except NoReverseMatch:
        return ""


def _directors(unit_ids: list[int]) -> dict[int, list[int]]:
    from suksa.domains.accounts.models import RoleAssignment

    out: dict[int, list[int]] = defaultdict(list)
    for unit_id, user_id in RoleAssignment.objects.filter(
        unit_id__in=unit_ids, role=str(Role.ESA_DIRECTOR), revoked_at__isnull=True, user__is_active=True
    ).values_list("unit_id", "user_id"):
        out[unit_id].append(user_id)
    return out


def _national() -> list[int]:
    from suksa.domains.accounts.models import RoleAssignment

    return sorted(
        set(
            RoleAssignment.objects.filter(
                Q(role=str(Role.NATIONAL_EXECUTIVE)) | Q(role=str(Role.NATIONAL_ME_OFFICER)),
                unit__kind="nation",
                revoked_at__isnull=True,
                user__is_active=True,
            ).values_list("user_id", flat=True)
        )
    )


def route(rnd: Round) -> int:
    """Notify the people concerned of each shown, open alert of the round not yet routed at its
    level (an alert that rises to high later reaches the national roles then). Returns how many
    alerts were routed now."""
    alerts = list(
        Alert.objects.filter(round=rnd)
        .exclude(quality=DataQuality.HELD)
        .exclude(status="resolved")
        .select_related("unit")
    )
    done: dict[int, set[str]] = defaultdict(set)
    for alert_id, note in AlertEvent.objects.filter(alert__round=rnd, action="notified").values_list(
        "alert_id", "note"
    ):
        done[alert_id].add(note.split(":")[0])
    todo = [
        a for a in alerts if not done[a.pk] or (a.severity == AlertSeverity.HIGH and "high" not in done[a.pk])
    ]
    if not todo:
        return 0
    directors = _directors(sorted({a.unit_id for a in todo}))
    national = _national() if any(a.severity == AlertSeverity.HIGH for a in todo) else []
    now = timezone.now()
    events = []
    for a in todo:
        high = a.severity == AlertSeverity.HIGH
        users = [*directors.get(a.unit_id, []), *(national if high else [])]
        sent = notify(
            users=users, kind=NOTIFY_KIND,
            title_th=f"แจ้งเตือน: {a.unit.name_th} — {a.title_th}"[:300],
            title_en=f"Alert: {a.unit.name_en or a.unit.name_th} — {a.title_en}"[:300],
            body_th=f"ระดับ {a.get_severity_display().split(' / ')[0]}: {a.title_th}",
            body_en=f"Severity {a.get_severity_display().split(' / ')[-1]}: {a.title_en}",
            url=alert_url(a.pk), subject_type=SUBJECT, subject_id=a.pk,
        )  # fmt: skip
        level = "high" if high else "normal"
        events.append(AlertEvent(alert=a, action="notified", at=now, note=f"{level}: {len(sent)}"))
    AlertEvent.objects.bulk_create(events)
    return len(todo)
