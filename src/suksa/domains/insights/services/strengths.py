"""Stages ``strengths`` (order 20) and ``efficiency`` (order 25) of an insights run.

**Strengths** (:mod:`suksa.analytics.strengths`): every ESA's context-adjusted score per domain
(``Strength`` rows with a blank ``indicator``) and per indicator (rows naming it), with a 90 %
interval, a verdict against the peer median, and ranks with intervals (within the peer group in
``rank``; nationally in ``data["national_rank"]``).

- Indicators: the catalogue's directional indicators (higher or lower is better) of the domains in
  :data:`DOMAINS`. Context figures (:data:`CONTEXT_ONLY`: enrolment, small-school share,
  pupil–teacher ratio, schools short of teachers) describe an ESA's situation and resources, not
  its performance: they are covariates or DEA inputs, never strengths. A count of persons
  (children brought back to school) is turned into a rate per 1,000 learners. Round figures are
  compared with the same round of other years (``/m12`` with ``/m12``).
- Context: ESA type, region group (:data:`~suksa.domains.insights.services.data.REGION_GROUPS`: the geographic group of the ESA's
  inspection region), small-school share, urban share, log learners; prior attainment only when the
  run's parameters ask (``strengths_prior_lag``, years; see the analytics module for why not by
  default).
- Peers: same ESA type and region group; fewer than 5 such ESAs with a score: the same type
  nationally; still fewer: ``no_peers``.

**Efficiency** (:mod:`suksa.analytics.dea`): input-oriented CCR and BCC DEA of the ESAs, per
learner, since ESAs differ a hundredfold in size and the outputs are rates. Inputs: teachers per
100 learners and the allocated budget per learner (the denominator of the budget disbursement rate
in the latest round with the run's length, when the platform holds it for at least
:data:`BUDGET_COVERAGE` of the ESAs), else schools per 1,000 learners (the fixed cost of running
many small schools). Outputs: the latest O-NET M3 mean (the one test both ESA types sit) and
retention = 100 − the latest dropout rate.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from suksa.analytics import dea as dea_mod
from suksa.analytics import strengths as an
from suksa.core.models import IndicatorValue
from suksa.domains.insights.lexicon import esa_short_name
from suksa.domains.insights.models import Efficiency, Strength
from suksa.domains.insights.models.choices import DataQuality, Verdict
from suksa.domains.insights.services.data import Point, RoundData, UnitInfo, region_group
from suksa.domains.insights.services.run import StageContext, stage

METHOD_VERSION = "strengths-1"
DEA_VERSION = "dea-1"

# Catalogue domains scored, in display order, with the words of a sentence.
DOMAINS: dict[str, tuple[str, str]] = {
    "learning": ("ผลสัมฤทธิ์ทางการเรียน", "learning outcomes"),
    "flow": ("การคงอยู่และการเลื่อนชั้น", "retention and progression"),
    "access": ("การเข้าถึงการศึกษา", "access"),
    "management": ("การบริหารจัดการ", "management"),
    "digital": ("ดิจิทัล", "digital"),
    "safety": ("ความปลอดภัย", "safety"),
    "teachers": ("การพัฒนาครู", "teacher development"),
}
CONTEXT_ONLY = frozenset({"enrolment", "small_school_share", "pupil_teacher_ratio", "teacher_shortage_rate"})
BUDGET_COVERAGE = 0.8
LEARNING_OUTPUT = "onet_mean_m3"
DROPOUT = "dropout_rate"
BUDGET = "budget_disbursement_rate"


def short_name(unit: UnitInfo) -> str:
    return esa_short_name(unit.name_th)


def unit_contexts(data: RoundData) -> dict[int, an.UnitContext]:
    out = {}
    for u in data.esas():
        learners = u.context.get("learners", 0.0)
        numeric = {
            "small_share": u.context.get("small_share", 0.0),
            "urban_share": u.context.get("urban_share", 0.0),
        }
        if learners > 0:
            numeric["log_learners"] = math.log(learners)
        out[u.id] = an.UnitContext(u.id, u.esa_type or "unknown", region_group(data, u), numeric)
    return out


def _points(data: RoundData, unit: UnitInfo, code: str) -> list[Point]:
    info = data.indicators[code]
    pts = data.series.get((unit.id, code), [])
    if info.period_kind == "round":
        suffix = f"/m{data.round.months}"
        pts = [p for p in pts if p.period.endswith(suffix)]
    return pts


def _value(data: RoundData, unit: UnitInfo, code: str, p: Point) -> float | None:
    if data.indicators[code].unit == "persons":  # a count: per 1,000 learners
        learners = unit.context.get("learners", 0.0)
        return p.value / learners * 1000 if learners > 0 else None
    return p.value


def scored_indicators(data: RoundData) -> dict[str, list[str]]:
    """Domain -> catalogue codes scored in it."""
    out: dict[str, list[str]] = defaultdict(list)
    for code, info in sorted(data.indicators.items()):
        if info.direction and info.domain in DOMAINS and code not in CONTEXT_ONLY:
            out[info.domain].append(code)
    return {d: out[d] for d in DOMAINS if out.get(d)}


def _fmt(x: float) -> str:
    return f"{x:+.1f}".replace("-", "−")


def strength_sentences(
    unit: UnitInfo, domain: str, s: an.UnitScore, indicator_name: tuple[str, str] | None = None
) -> tuple[str, str]:
    th_what, en_what = indicator_name or DOMAINS[domain]
    name_th, name_en = short_name(unit), unit.name_en or unit.code
    if s.verdict == "no_data" or s.score is None:
        return (f"{name_th}: ไม่มีข้อมูลด้าน{th_what}ให้เทียบ", f"{name_en}: no data on {en_what} to compare.")
    if s.verdict == "no_peers":
        return (
            f"{name_th}: ยังเทียบด้าน{th_what}ไม่ได้ เพราะมีเขตที่มีบริบทใกล้เคียงเพียง {s.peer_count} เขต "
            f"(ต้องมีอย่างน้อย {an.MIN_PEERS} เขต)",
            f"{name_en}: {en_what} cannot be compared: only {s.peer_count} ESA(s) of similar context "
            f"(at least {an.MIN_PEERS} needed).",
        )
    if s.low is None or s.high is None:
        return (
            f"{name_th}: คะแนนด้าน{th_what} {_fmt(s.score)} แต่ข้อมูลน้อยเกินกว่าจะบอกช่วงความเชื่อมั่น",
            f"{name_en}: {en_what} score {_fmt(s.score)}, too few values for an interval.",
        )
    median = s.peer_median if s.peer_median is not None else 0.0
    ci_th = f"คะแนน {_fmt(s.score)}, ช่วงความเชื่อมั่น 90 %: {_fmt(s.low)} ถึง {_fmt(s.high)}; ค่ากลางของกลุ่ม {_fmt(median)}"
    ci_en = (
        f"score {_fmt(s.score)}, 90 % interval {_fmt(s.low)} to {_fmt(s.high)}; peer median {_fmt(median)}"
    )
    if s.verdict == "strong":
        return (
            f"{name_th} เข้มแข็งด้าน{th_what}เมื่อเทียบกับเขตที่มีบริบทใกล้เคียง ({ci_th})",
            f"{name_en} is strong in {en_what} compared with ESAs of similar context ({ci_en}).",
        )
    if s.verdict == "weak":
        return (
            f"{name_th} ต้องพัฒนาด้าน{th_what}เมื่อเทียบกับเขตที่มีบริบทใกล้เคียง ({ci_th})",
            f"{name_en} is weak in {en_what} compared with ESAs of similar context ({ci_en}).",
        )
    return (
        f"{name_th} อยู่ในระดับใกล้เคียงกับเขตที่มีบริบทใกล้เคียงด้าน{th_what} ({ci_th})",
        f"{name_en} is in line with ESAs of similar context in {en_what} ({ci_en}).",
    )


def _r(x: float | None, nd: int = 4) -> float | None:
    return None if x is None else round(x, nd)


def _evidence(data: RoundData, unit: UnitInfo, adjustment: an.IndicatorAdjustment) -> dict[str, Any]:
    pts = {p.period: p for p in _points(data, unit, adjustment.code)}
    z = adjustment.z.get(unit.id, {})
    return {
        "code": adjustment.code,
        "direction": adjustment.direction,
        "status": adjustment.status,
        "scale": _r(adjustment.scale),
        "mean_z": _r(adjustment.unit_mean(unit.id)),
        "values": [
            {
                "period": period,
                "value": pts[period].value,
                "z": _r(z.get(period)),
                "source": pts[period].source,
                "unit_id": unit.id,
            }
            for period in adjustment.periods
            if period in pts
        ],
    }


def _quality(data: RoundData, unit_id: int, codes: list[str]) -> tuple[str, list[dict[str, Any]]]:
    flags = [{"indicator": c, **f} for c in codes for f in data.flags.get((unit_id, c), [])]
    return (DataQuality.LABELLED if flags else DataQuality.OK), flags


def _row(
    ctx: StageContext,
    unit: UnitInfo,
    domain: str,
    indicator: str,
    s: an.UnitScore,
    adjustments: list[an.IndicatorAdjustment],
    context: an.UnitContext,
) -> Strength:
    data = ctx.data
    name = None
    if indicator:
        info = data.indicators[indicator]
        name = (info.name_th, info.name_en)
    th, en = strength_sentences(unit, domain, s, name)
    used = [a for a in adjustments if a.z.get(unit.id)]
    quality, flags = _quality(data, unit.id, [a.code for a in used])
    payload: dict[str, Any] = {
        "indicators": [_evidence(data, unit, a) for a in adjustments],
        "covariates": {
            "esa_type": context.esa_type,
            "region_group": context.region_group,
            **{k: _r(v) for k, v in context.numeric.items()},
        },
        "peers": s.peer_count,
        "peer_group": s.peer_group,
        "peer_median": _r(s.peer_median),
        "se": _r(s.se),
        "df": None if s.df is None or math.isinf(s.df) else s.df,
        "spread": s.spread,
        "values_used": s.periods,
        "reason": s.reason,
        "national_rank": {
            "rank": s.national_rank,
            "low": s.national_rank_low,
            "high": s.national_rank_high,
            "of": s.national_count,
        },
        "flags": flags,
    }
    if indicator and adjustments and adjustments[0].fits:
        fit = adjustments[0].fits[-1]
        payload["fit"] = {"period": fit.period, "n": fit.n, "covariates": list(fit.covariates),
                          "coefficients": list(fit.coefficients), "dropped": list(fit.dropped)}  # fmt: skip
    return Strength(
        run=ctx.run, unit_id=unit.id, domain=domain, indicator=indicator, peer_group=s.peer_group[:120],
        peer_count=s.peer_count, peer_median=_r(s.peer_median), score=_r(s.score), low=_r(s.low),
        high=_r(s.high), level=an.LEVEL, verdict=Verdict(s.verdict), rank=s.rank, rank_low=s.rank_low,
        rank_high=s.rank_high, quality=quality, sentence_th=th, sentence_en=en, data=payload,
    )  # fmt: skip


@stage("strengths", order=20, label_th="จุดเด่นเทียบกลุ่มบริบทใกล้เคียง", label_en="Strengths against peers",
       method_version=METHOD_VERSION, models=(Strength,))  # fmt: skip
def compute_strengths(ctx: StageContext) -> dict[str, Any]:
    data = ctx.data
    esas = {u.id: u for u in data.esas()}
    contexts = unit_contexts(data)
    lag = ctx.parameters.get("strengths_prior_lag")
    prior_lag = float(lag) if isinstance(lag, int | float) and lag > 0 else None
    domains = scored_indicators(data)
    adjusted: dict[str, list[an.IndicatorAdjustment]] = {}
    statuses: dict[str, str] = {}
    for domain, codes in domains.items():
        adjusted[domain] = []
        for code in codes:
            series = {}
            for u in esas.values():
                obs = [
                    an.Obs(p.period, p.t, v)
                    for p in _points(data, u, code)
                    if (v := _value(data, u, code, p)) is not None
                ]
                if obs:
                    series[u.id] = obs
            adj = an.adjust_indicator(code, series, contexts, direction=data.indicators[code].direction, prior_lag=prior_lag)  # fmt: skip
            statuses[code] = adj.status
            adjusted[domain].append(adj)
    tau2 = an.pooled_between_variance(list(adjusted.values()), list(contexts))
    rows: list[Strength] = []
    verdicts: dict[str, int] = defaultdict(int)
    for i, (domain, adjustments) in enumerate(adjusted.items()):
        ctx.progress(i, len(adjusted), domain)
        for s in an.score_units(adjustments, contexts, pooled_fallback=tau2, seed=i):
            rows.append(_row(ctx, esas[s.unit], domain, "", s, adjustments, contexts[s.unit]))
            verdicts[s.verdict] += 1
        for j, adj in enumerate(adjustments):
            if adj.status != "ok":
                continue
            for s in an.score_units([adj], contexts, seed=100 * (i + 1) + j):
                if s.score is not None:
                    rows.append(_row(ctx, esas[s.unit], domain, adj.code, s, [adj], contexts[s.unit]))
    Strength.objects.bulk_create(rows, batch_size=1000)
    return {
        "strengths": len(rows),
        "domains": len(adjusted),
        "verdicts": dict(sorted(verdicts.items())),
        "indicators": dict(sorted(statuses.items())),
        "pooled_between_variance": _r(tau2),
        "prior_lag": prior_lag,
    }


# --- efficiency (DEA) ---------------------------------------------------------------------------


def _latest(data: RoundData, unit: UnitInfo, code: str) -> Point | None:
    if code not in data.indicators:
        return None
    pts = _points(data, unit, code)
    return pts[-1] if pts else None


def _budgets(data: RoundData, esas: list[UnitInfo]) -> dict[int, tuple[float, Point]]:
    """Allocated budget per ESA: the denominator behind its latest budget disbursement rate."""
    latest = {u.id: p for u in esas if (p := _latest(data, u, BUDGET)) is not None}
    ids = {p.source["id"]: uid for uid, p in latest.items() if p.source.get("model") == "core.IndicatorValue"}
    dens = dict(
        IndicatorValue.objects.filter(pk__in=list(ids), denominator__gt=0).values_list("pk", "denominator")
    )
    return {ids[pk]: (float(den), latest[ids[pk]]) for pk, den in dens.items() if den}


def dea_inputs(data: RoundData) -> tuple[tuple[str, ...], dict[int, dict[str, Any]]]:
    """Input names and, per ESA, its inputs, outputs and the points they came from."""
    esas = data.esas()
    budgets = _budgets(data, esas)
    use_budget = bool(esas) and len(budgets) >= BUDGET_COVERAGE * len(esas)
    names = ("teachers_per_100", "budget_per_learner" if use_budget else "schools_per_1000")
    out: dict[int, dict[str, Any]] = {}
    for u in esas:
        learners = u.context.get("learners", 0.0)
        teachers = u.context.get("teachers", 0.0)
        second: float | None
        sources: dict[str, Any] = {}
        if use_budget:
            b = budgets.get(u.id)
            second = b[0] / learners if b and learners > 0 else None
            if b:
                sources[BUDGET] = {
                    "period": b[1].period,
                    "value": b[1].value,
                    "budget": b[0],
                    "source": b[1].source,
                }
        else:
            second = u.context.get("schools", 0.0) / learners * 1000 if learners > 0 else None
        first = teachers / learners * 100 if learners > 0 else None
        learning = _latest(data, u, LEARNING_OUTPUT)
        dropout = _latest(data, u, DROPOUT)
        for code, p in ((LEARNING_OUTPUT, learning), (DROPOUT, dropout)):
            if p is not None:
                sources[code] = {"period": p.period, "value": p.value, "source": p.source, "unit_id": u.id}
        out[u.id] = {
            "inputs": (first, second),
            "outputs": (learning.value if learning else None, 100 - dropout.value if dropout else None),
            "context": {"learners": learners, "teachers": teachers, "schools": u.context.get("schools", 0.0)},
            "sources": sources,
        }
    return names, out


EXCLUDED_TEXT = {
    "missing": ("ขาดข้อมูลปัจจัยนำเข้าหรือผลลัพธ์", "an input or output is missing"),
    "non_positive_input": ("ปัจจัยนำเข้าเป็นศูนย์หรือติดลบ", "an input is zero or negative"),
    "negative_output": ("ผลลัพธ์ติดลบ", "an output is negative"),
    "zero_outputs": ("ผลลัพธ์ทุกตัวเป็นศูนย์", "every output is zero"),
    "too_few_units": ("มีเขตที่มีข้อมูลครบน้อยกว่า 2 เขต", "fewer than 2 ESAs have complete data"),
}
MODEL_TEXT = {
    "ccr": ("ผลตอบแทนต่อขนาดคงที่", "constant returns"),
    "bcc": ("ผลตอบแทนต่อขนาดแปรผัน", "variable returns"),
}


def efficiency_sentences(unit: UnitInfo, model: str, d: dea_mod.DeaUnit | None, why: str) -> tuple[str, str]:
    name_th, name_en = short_name(unit), unit.name_en or unit.code
    m_th, m_en = MODEL_TEXT[model]
    if d is None:
        th, en = EXCLUDED_TEXT.get(why, ("ข้อมูลไม่พอ", "not enough data"))
        return (f"{name_th}: ไม่ได้คำนวณประสิทธิภาพ ({m_th}) เพราะ{th}", f"{name_en}: efficiency ({m_en}) not computed: {en}.")  # fmt: skip
    if d.efficient:
        return (
            f"{name_th} อยู่บนเส้นพรมแดนประสิทธิภาพ ({m_th}): ไม่มีกลุ่มเขตใดได้ผลลัพธ์ไม่น้อยกว่าโดยใช้ทรัพยากรต่อนักเรียนน้อยกว่า",
            f"{name_en} is on the efficiency frontier ({m_en}): no mix of ESAs achieves as much with fewer resources per learner.",
        )  # fmt: skip
    pct = round(d.score * 100)
    return (
        f"{name_th} มีประสิทธิภาพ {d.score:.2f} ({m_th}): เขตอ้างอิงได้ผลลัพธ์ไม่น้อยกว่าโดยใช้ทรัพยากรต่อนักเรียนเพียงร้อยละ {pct} ของที่ใช้อยู่",
        f"{name_en} has an efficiency of {d.score:.2f} ({m_en}): its reference ESAs achieve as much with {pct} % of its resources per learner.",
    )  # fmt: skip


@stage("efficiency", order=25, label_th="ประสิทธิภาพ (DEA)", label_en="Efficiency (DEA)",
       method_version=DEA_VERSION, models=(Efficiency,))  # fmt: skip
def compute_efficiency(ctx: StageContext) -> dict[str, Any]:
    data = ctx.data
    esas = {u.id: u for u in data.esas()}
    names, facts = dea_inputs(data)
    outputs = ("onet_mean_m3", "retention")
    pairs = {k: (v["inputs"], v["outputs"]) for k, v in facts.items()}
    results = {
        m: dea_mod.dea(pairs, model=m, input_names=names, output_names=outputs) for m in dea_mod.MODELS
    }
    se = dea_mod.scale_efficiency(results["ccr"], results["bcc"])
    rows = []
    for model, res in results.items():
        for uid, unit in esas.items():
            d = res.units.get(uid)
            why = res.excluded.get(uid, res.status if d is None else "")
            th, en = efficiency_sentences(unit, model, d, why)
            f = facts[uid]
            rows.append(
                Efficiency(
                    run=ctx.run,
                    unit_id=uid,
                    model=model,
                    score=d.score if d else None,
                    peers=[{"unit_id": p, "code": esas[p].code, "weight": d.lambdas[p]} for p in d.peers]
                    if d
                    else [],
                    scale_efficiency=se.get(uid),
                    sentence_th=th,
                    sentence_en=en,
                    data={
                        "inputs": dict(zip(names, f["inputs"], strict=True)),
                        "outputs": dict(zip(outputs, f["outputs"], strict=True)),
                        "context": f["context"],
                        "values": f["sources"],
                        "efficient": d.efficient if d else None,
                        "input_slacks": list(d.input_slacks) if d else [],
                        "output_slacks": list(d.output_slacks) if d else [],
                        "excluded": why or None,
                        "units_compared": len(res.units),
                    },
                )
            )
    Efficiency.objects.bulk_create(rows, batch_size=1000)
    return {
        "efficiencies": len(rows),
        "inputs": list(names),
        "outputs": list(outputs),
        "excluded": {m: len(r.excluded) for m, r in results.items()},
        "efficient": {m: sum(1 for u in r.units.values() if u.efficient) for m, r in results.items()},
    }
